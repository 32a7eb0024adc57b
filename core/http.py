"""HTTP helpers shared by the views: the client's address, the bearer token of a request,
GraphQL-shaped errors."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# The peer of a request that came over a unix socket (no address at all).
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (a placeholder value, nothing binds to it)


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


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def parse_address(raw: str | None) -> IPAddress | None:
    """An address as a proxy or the ASGI server reports it (`1.2.3.4`, `1.2.3.4:5678`,
    `[2001:db8::1]:443`), IPv4-mapped IPv6 unwrapped; None when it is not an address."""
    text = (raw or "").strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...] = ()
) -> str:
    """The client's address from the peer address and its X-Forwarded-For header.

    The header is believed only hop by hop from the right, and only while the hop that added
    an entry is one of `trusted_proxies` (addresses or networks): anyone can write the header,
    only our own proxies append to it truthfully. With no trusted proxies it is ignored.
    """
    address = parse_address(remote_addr)
    if address is None:
        return UNKNOWN_ADDRESS
    networks = _networks(trusted_proxies)
    if networks and forwarded_for:
        for hop in reversed(forwarded_for.split(",")):
            if not any(address in network for network in networks):
                break
            previous = parse_address(hop)
            if previous is None:  # garbage behind our proxy: the proxy is all we know
                break
            address = previous
    return str(address)


def client_ip(request: HttpRequest) -> str:
    """The address of the client of `request`, as every per-address rule must see it
    (sign-in lockouts, rate limits): X-Forwarded-For counts only from `TRUSTED_PROXIES`."""
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        tuple(getattr(settings, "TRUSTED_PROXIES", ())),
    )


def scope_client_ip(scope: Mapping[str, Any]) -> str:
    """`client_ip` for an ASGI scope (a WebSocket, or HTTP before Django): the peer address of
    `scope["client"]`, X-Forwarded-For only from `TRUSTED_PROXIES`."""
    client = scope.get("client") or ()
    forwarded_for = ",".join(
        bytes(value).decode("latin1")
        for name, value in scope.get("headers") or ()
        if name == b"x-forwarded-for"
    )
    return client_address(
        str(client[0]) if client else None,
        forwarded_for or None,
        tuple(getattr(settings, "TRUSTED_PROXIES", ())),
    )
