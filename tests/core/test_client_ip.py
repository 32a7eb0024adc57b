"""The client's address (core.http.client_ip): X-Forwarded-For counts only hop by hop from
our own proxies (TRUSTED_PROXIES), so a client cannot pick the address it is limited by."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from core.http import UNKNOWN_ADDRESS, client_address, client_ip

PROXIES = ("10.0.0.0/8", "192.0.2.1")


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "expected"),
    [
        # No header, or a header from someone who is not our proxy: the peer.
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # Our proxy reports the client.
        ("192.0.2.1", "198.51.100.1", "198.51.100.1"),
        # A client that forges a first entry: our proxy appended the real one on the right.
        ("192.0.2.1", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # Two of our proxies in a row (the load balancer, then the ingress).
        ("10.1.2.3", "198.51.100.1, 192.0.2.1", "198.51.100.1"),
        ("10.1.2.3", "1.2.3.4, 198.51.100.1, 10.9.9.9", "198.51.100.1"),
        # Every hop ours: the left-most is as far as anyone can know.
        ("10.1.2.3", "10.2.2.2", "10.2.2.2"),
        # Garbage behind our proxy: the proxy itself, never the garbage.
        ("192.0.2.1", "not-an-address", "192.0.2.1"),
        ("192.0.2.1", "198.51.100.1:4711", "198.51.100.1"),
        ("192.0.2.1", "[2001:db8::1]:443", "2001:db8::1"),
        ("::ffff:203.0.113.9", None, "203.0.113.9"),
        (None, "198.51.100.1", UNKNOWN_ADDRESS),
    ],
)
def test_client_address(remote_addr: str | None, forwarded_for: str | None, expected: str) -> None:
    assert client_address(remote_addr, forwarded_for, PROXIES) == expected


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert client_ip(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip(request) == "198.51.100.1"
