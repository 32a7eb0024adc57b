"""May the portal send a request to this URL? The one egress policy, and the pinned connection.

Outgoing requests to URLs that someone outside the code chose (a tenant's webhook) must never
reach the portal's own network: loopback, private (RFC 1918, unique-local), link-local (with the
cloud metadata addresses), shared CGNAT, multicast, reserved and unspecified addresses are
refused, also in their IPv4-mapped / embedded IPv6 forms and behind a host name that resolves to
one of them, unless the host is explicitly allowed (an on-premises receiver). Plain http only
where the caller allows it (development).

`egress_target` resolves the name once and checks every address; `egress_post` then connects
to one of those checked addresses (never a second resolution, so DNS rebinding cannot swap in
an internal address) while the Host header, TLS SNI and certificate check use the host name.
`EgressURLValidator` applies the same policy when a URL is saved.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

__all__ = [
    "EgressRefused",
    "EgressTarget",
    "EgressURLValidator",
    "EgressUnresolvable",
    "address_refusal",
    "egress_post",
    "egress_target",
    "resolve_addresses",
]

METADATA = "the cloud metadata address"
UNSPECIFIED = "an unspecified address"
LOOPBACK = "a loopback address"
PRIVATE = "a private address"
LINK_LOCAL = "a link-local address"
SHARED = "a shared (CGNAT) address"
MULTICAST = "a multicast address"
RESERVED = "a reserved address"

# Checked in this order (the first match names the reason); anything else that is not globally
# routable is refused as reserved (documentation, benchmarking, IETF protocol ranges, ...).
_REFUSED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(network), reason)
    for network, reason in (
        ("169.254.169.254/32", METADATA),  # AWS, GCP, Azure, OpenStack, ...
        ("169.254.170.2/32", METADATA),  # AWS ECS task metadata
        ("100.100.100.200/32", METADATA),  # Alibaba Cloud
        ("fd00:ec2::254/128", METADATA),  # AWS over IPv6
        ("0.0.0.0/8", UNSPECIFIED),  # "this network": 0.0.0.0 reaches the local host
        ("::/128", UNSPECIFIED),
        ("127.0.0.0/8", LOOPBACK),
        ("::1/128", LOOPBACK),
        ("10.0.0.0/8", PRIVATE),
        ("172.16.0.0/12", PRIVATE),
        ("192.168.0.0/16", PRIVATE),
        ("fc00::/7", PRIVATE),  # unique-local
        ("64:ff9b:1::/48", PRIVATE),  # local-use NAT64
        ("169.254.0.0/16", LINK_LOCAL),
        ("fe80::/10", LINK_LOCAL),
        ("fec0::/10", PRIVATE),  # deprecated site-local
        ("100.64.0.0/10", SHARED),
        ("224.0.0.0/4", MULTICAST),
        ("ff00::/8", MULTICAST),
        ("240.0.0.0/4", RESERVED),  # with the broadcast address 255.255.255.255
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # RFC 2765
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f]")  # http.client would refuse to send them
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


class EgressRefused(Exception):
    """The portal may not send a request to this URL; `reason` says why, in words for staff
    ("resolves to a private address"). Waiting does not help: do not retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"refused: {reason}")
        self.reason = reason


class EgressUnresolvable(OSError):
    """The host name does not resolve now (may be temporary)."""


@dataclass(frozen=True)
class EgressTarget:
    """A URL the policy allows: where to connect (the checked addresses) and what to say
    (host name for Host and SNI, port, request target)."""

    scheme: str
    host: str
    port: int
    request_target: str
    addresses: tuple[IPAddress, ...]


def resolve_addresses(host: str, port: int) -> list[str]:
    """The addresses of a host name, by the system resolver (tests replace this function)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise EgressUnresolvable(f"{host} does not resolve") from error
    return [str(info[4][0]) for info in infos]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, translated, compatible, NAT64,
    6to4, Teredo): each of them must pass the policy too."""
    embedded: list[ipaddress.IPv4Address] = []
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    elif (
        address in _IPV4_TRANSLATED
        or address in _NAT64
        or (address in _IPV4_COMPATIBLE and int(address) > 1)  # not :: or ::1
    ):
        embedded.append(low32)
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    return embedded


def address_refusal(address: IPAddress) -> str | None:
    """Why the portal may not connect to this address (None: it may)."""
    if isinstance(address, ipaddress.IPv6Address):
        for embedded in _embedded_ipv4(address):
            reason = address_refusal(embedded)
            if reason is not None:
                return reason
        if address.ipv4_mapped is not None:  # it *is* that IPv4 address, which passed
            return None
    for network, reason in _REFUSED_NETWORKS:
        if address.version == network.version and address in network:
            return reason
    if not address.is_global:
        return RESERVED
    return None


def _ip_literal(host: str) -> IPAddress | None:
    """The address a host part denotes by itself, in any form a resolver accepts as numeric
    (`127.1`, `0x7f000001`, `2130706433` are all 127.0.0.1), or None for a name."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # an IPv6 zone id does not matter
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))  # a local parse, no lookup
        except OSError:
            return None
    return None


def _normalized_host(host: str) -> str:
    """A host name in its lower-case ASCII (IDNA) form without a trailing dot."""
    host = host.strip().rstrip(".").lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


def _host_key(host: str) -> str:
    """What an allow-list entry and a URL's host are compared by."""
    host = host.strip().strip("[]")
    literal = _ip_literal(host)
    return str(literal) if literal is not None else _normalized_host(host)


def egress_target(url: str, *, allowed_hosts: Iterable[str], allow_http: bool) -> EgressTarget:
    """Check a URL against the policy and resolve its host once.

    Raises `EgressRefused` (with the reason) for a URL the portal may not send to, and
    `EgressUnresolvable` if its host name does not resolve now. A host in `allowed_hosts` (a
    name or an address) skips the address checks; the scheme and URL form are checked always.
    """
    if _UNSAFE_CHARACTERS.search(url):
        raise EgressRefused("the URL is not valid")
    try:
        parts = urlsplit(url)
        port_given = parts.port
    except ValueError as error:
        raise EgressRefused("the URL is not valid") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise EgressRefused("only http(s) URLs are allowed")
    if scheme == "http" and not allow_http:
        raise EgressRefused("only https URLs are allowed")
    if "@" in parts.netloc:
        raise EgressRefused("the URL must not carry credentials")
    raw_host = parts.hostname or ""
    literal = _ip_literal(raw_host.rstrip("."))
    host = str(literal) if literal is not None else _normalized_host(raw_host)
    if not host or (literal is None and not _HOST_NAME.match(host)):
        raise EgressRefused("the URL has no valid host name")
    if port_given == 0:
        raise EgressRefused("the URL is not valid")
    port = port_given if port_given is not None else (443 if scheme == "https" else 80)
    request_target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    allowed = host in {_host_key(entry) for entry in allowed_hosts if entry.strip()}
    localhost = host == "localhost" or host.endswith(".localhost")  # RFC 6761: never DNS
    if literal is None and localhost and not allowed:
        raise EgressRefused(f"resolves to {LOOPBACK}")
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        addresses = []
        for resolved in resolve_addresses(host, port):
            address = ipaddress.ip_address(resolved.split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise EgressUnresolvable(f"{host} has no address")
    if not allowed:
        for address in addresses:  # every one: a resolver may hand out any of them
            reason = address_refusal(address)
            if reason is not None:
                raise EgressRefused(
                    f"the address is {reason}" if literal is not None else f"resolves to {reason}"
                )
    return EgressTarget(
        scheme=scheme,
        host=host,
        port=port,
        request_target=request_target,
        addresses=tuple(addresses),
    )


def _connect(target: EgressTarget, timeout: float) -> socket.socket:
    """A TCP connection to one of the target's checked addresses (in order), no resolution."""
    last_error: OSError = EgressUnresolvable(f"{target.host} has no address")
    for address in target.addresses:
        connect_to: IPAddress = address
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            connect_to = address.ipv4_mapped
        family = socket.AF_INET6 if connect_to.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect((str(connect_to), target.port))
        except OSError as error:
            sock.close()
            last_error = error
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked addresses of a target; the Host header names its host."""

    def __init__(self, target: EgressTarget, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._target, self._timeout = target, timeout

    def connect(self) -> None:
        self.sock = _connect(self._target, self._timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses of a target; SNI and the certificate check use its host
    name (the context's defaults: a verified chain and a matching name)."""

    def __init__(self, target: EgressTarget, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=context)
        self._target, self._timeout, self._tls = target, timeout, context

    def connect(self) -> None:
        sock = _connect(self._target, self._timeout)
        try:
            self.sock = self._tls.wrap_socket(sock, server_hostname=self._target.host)
        except BaseException:
            sock.close()
            raise


def tls_context() -> ssl.SSLContext:
    """The TLS settings of outgoing requests: the system's trusted CAs, hostname checked."""
    return ssl.create_default_context()


def egress_post(
    target: EgressTarget,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    context: ssl.SSLContext | None = None,
) -> int:
    """POST to a checked target and return the HTTP status. Redirects are never followed (a
    3xx is just its status). Raises `OSError` / `http.client.HTTPException` when there is no
    answer (refused, timed out, TLS failed, closed early)."""
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(target, timeout, context or tls_context())
    else:
        connection = _PinnedHTTPConnection(target, timeout)
    try:
        connection.request("POST", target.request_target, body=body, headers=headers)
        with connection.getresponse() as response:
            return int(response.status)
    finally:
        connection.close()


@deconstructible
class EgressURLValidator:
    """A field validator: the URL must be one the portal may send to, by the policy and the
    settings named here (read at each validation, so that a changed setting applies)."""

    def __init__(self, *, allowed_hosts_setting: str, allow_http_setting: str) -> None:
        self.allowed_hosts_setting = allowed_hosts_setting
        self.allow_http_setting = allow_http_setting

    def __call__(self, value: Any) -> None:
        try:
            egress_target(
                str(value),
                allowed_hosts=getattr(settings, self.allowed_hosts_setting, ()),
                allow_http=bool(getattr(settings, self.allow_http_setting, False)),
            )
        except EgressRefused as refusal:
            raise ValidationError(
                "Refused: %(reason)s.", code="egress_refused", params={"reason": refusal.reason}
            ) from refusal
        except EgressUnresolvable as error:
            raise ValidationError(
                "Its host name does not resolve; check the URL.", code="egress_unresolvable"
            ) from error

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EgressURLValidator)
            and self.allowed_hosts_setting == other.allowed_hosts_setting
            and self.allow_http_setting == other.allow_http_setting
        )

    def __hash__(self) -> int:
        return hash((self.allowed_hosts_setting, self.allow_http_setting))
