"""Plain HTTP endpoints of the liaison app: the public signing key and document downloads."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponseBase, JsonResponse
from django.views.decorators.http import require_GET

from core.actors import Actor
from core.http import bearer_token, client_ip, error_response
from liaison import documents, signing, tokens


@require_GET
def signing_key_view(request: HttpRequest) -> JsonResponse:
    """GET /.well-known/liaison-signing-key: the Ed25519 public key of disclosure packages."""
    key = signing.public_key_info()
    response = JsonResponse(
        {
            "algorithm": key.algorithm,
            "public_key": key.public_key,
            "public_key_pem": key.public_key_pem,
            "key_id": key.key_id,
            "signed_content": (
                "canonical JSON of the package records: sort_keys, separators (',', ':'), "
                "ensure_ascii=False, UTF-8"
            ),
        }
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


def document_response(opened: tuple | None) -> HttpResponseBase:
    """The file as a download, or the same 404 for a missing and a foreign document."""
    if opened is None:
        return JsonResponse({"error": "not found"}, status=404)
    document, handle = opened
    response = FileResponse(
        handle, as_attachment=True, filename=document.filename, content_type="application/pdf"
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def legal_document_download_view(request: HttpRequest, document_id: str) -> HttpResponseBase:
    """GET a legal document with `Authorization: Bearer <token>` (the uploading organization's
    members only; staff download through admin). Every download is audited."""

    token = bearer_token(request)
    try:
        actor: Actor | None = (
            tokens.api_token_authenticate_from(token, client_address=client_ip(request))
            if token
            else None
        )
    except tokens.TokenAttemptsExceeded as refused:
        return error_response(
            429,
            "RATE_LIMITED",
            str(refused),
            **{"Retry-After": str(refused.decision.retry_after)},
        )
    if actor is None:
        return error_response(401, "UNAUTHENTICATED", "Send 'Authorization: Bearer <token>'.")
    return document_response(documents.legal_document_open(actor=actor, document_id=document_id))
