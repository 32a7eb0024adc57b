"""HTTP helpers shared by the views: the bearer token of a request, GraphQL-shaped errors."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def error_response(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    """A GraphQL-shaped error document with an HTTP status."""
    response = JsonResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status=status
    )
    for name, value in headers.items():
        response[name] = value
    return response


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
