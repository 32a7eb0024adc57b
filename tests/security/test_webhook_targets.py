"""Attack: staff point a webhook at the portal's own network (Redis on 127.0.0.1:6379, the cloud
metadata service on 169.254.169.254) and read which ports are open from the recorded errors.

Defence (core/egress.py): internal addresses are refused when the URL is saved (a field error
in admin) and again at each send, after resolving the name once; the connection goes to the
address that was checked, so DNS rebinding cannot swap in another; a refused target is dead at
once; the recorded error is "refused: <reason>", the HTTP status, or "no response", never the
socket's error. Names resolve through a stub resolver and every socket connect is watched: no
test sends anything beyond loopback, and the refusal tests assert that nothing connected at all.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core import egress
from core.outbox.models import DeadLetter, OutboxEvent
from core.outbox.services import (
    DeliveryFailed,
    DeliveryRefused,
    outbox_deliver,
    outbox_delivery_failed,
)
from core.outbox.tasks import deliver_outbox_event_task
from liaison.models import Organization, WebhookDelivery
from liaison.topics import WEBHOOK_DELIVERY
from tests.conftest import Member
from tests.factories import OrganizationFactory, StaffUserFactory
from tests.liaison.conftest import route, submit
from tests.realthings import ROOT
from tests.signin import sign_in_staff

PUBLIC = "93.184.215.14"  # a globally routable address: only ever "resolved", never contacted
HOOK_URL = "https://hooks.police.example/liaison"
LEAKS = ("connection refused", "timed out", "timeout", "errno", "refused connection", "reset")


class StubResolver:
    """Stands in for DNS (`core.egress.resolve_addresses`): names map to address lists, which a
    test changes between save and send; every lookup is counted. Unknown names do not resolve."""

    def __init__(self) -> None:
        self.names: dict[str, list[str]] = {}
        self.lookups: list[str] = []
        self.then: dict[str, list[str]] = {}  # answers for every lookup after the first

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answers = self.then if host in self.then and self.lookups.count(host) > 1 else self.names
        if host not in answers:
            raise egress.EgressUnresolvable(f"{host} does not resolve")
        return answers[host]


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> StubResolver:
    stub = StubResolver()
    monkeypatch.setattr(egress, "resolve_addresses", stub)
    return stub


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every TCP connect of the test, recorded; anything beyond loopback fails before it is
    made (so a broken defence is seen here, never on the network)."""
    made: list[tuple[str, int]] = []
    real_connect = socket.socket.connect

    def watched(sock: socket.socket, address: Any) -> None:
        if isinstance(address, tuple):
            made.append((str(address[0]), int(address[1])))
            if not ipaddress.ip_address(str(address[0]).split("%")[0]).is_loopback:
                raise OSError("tests: no traffic beyond loopback")
        real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", watched)
    return made


@pytest.fixture(autouse=True)
def _production_policy(settings: Any) -> None:
    """As in production: nothing allowed, https only (each test loosens what it needs)."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 2.0


# The receivers: real servers on 127.0.0.1 (http, https with a test certificate, and a port that
# accepts but never answers).


@dataclass
class Receiver:
    port: int
    status: int = 204
    received: list[dict[str, str]] = field(default_factory=list)
    server_names: list[str | None] = field(default_factory=list)  # TLS SNI seen


def _serve(state: Receiver, server: ThreadingHTTPServer) -> Iterator[Receiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append(dict(self.headers))
            self.send_response(state.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def http_receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    yield from _serve(Receiver(port=server.server_address[1]), server)


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path, str]:
    """A self-signed certificate for `name` (cert file, key file, PEM to trust)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = tmp_path / f"{name}.crt", tmp_path / f"{name}.key"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, pem.decode()


@pytest.fixture
def https_receiver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Receiver]:
    """An https server on 127.0.0.1 whose certificate is for `receiver.test` (or the name the
    test gives with `@pytest.mark.parametrize("https_receiver", [...], indirect=True)`); the
    portal trusts that certificate and nothing else."""
    name = getattr(request, "param", "receiver.test")
    cert_file, key_file, pem = _certificate(tmp_path, name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Receiver(port=server.server_address[1])
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda _sock, server_name, _ctx: state.server_names.append(server_name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    monkeypatch.setattr(egress, "tls_context", lambda: ssl.create_default_context(cadata=pem))
    yield from _serve(state, server)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port on 127.0.0.1 that accepts connections and never answers (a filtered service)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


# Helpers.


def hooked(member: Member, url: str) -> Member:
    """Give the member's organization a webhook URL as staff would (validated)."""
    organization = member.organization
    organization.webhook_url = url
    organization.webhook_secret = "whsec-test"
    organization.full_clean()
    organization.save()
    return member


def notice(member: Member) -> WebhookDelivery:
    """A status change of one of the member's requests: one webhook to deliver."""
    route(submit(member))
    return WebhookDelivery.objects.get()


def deliver(delivery: WebhookDelivery) -> OutboxEvent:
    """Run the outbox task of the delivery's event as a worker would (retries inline)."""
    event = OutboxEvent.objects.get(topic=WEBHOOK_DELIVERY.name, payload__delivery_id=delivery.pk)
    deliver_outbox_event_task.apply(args=[event.pk])
    event.refresh_from_db()
    delivery.refresh_from_db()
    return event


def attempt_once(delivery: WebhookDelivery) -> tuple[OutboxEvent, float | None]:
    """One delivery attempt through the outbox, as the task does it (no inline retries):
    the event and the countdown to its retry (None: not retried)."""
    event = OutboxEvent.objects.get(topic=WEBHOOK_DELIVERY.name, payload__delivery_id=delivery.pk)
    countdown = None
    try:
        outbox_deliver(event_id=event.pk)
    except DeliveryFailed as error:
        countdown = outbox_delivery_failed(
            event_id=event.pk,
            error=repr(error),
            task_name="t",
            permanent=isinstance(error, DeliveryRefused),
        )
    event.refresh_from_db()
    delivery.refresh_from_db()
    return event, countdown


def assert_neutral(text: str, *ports: int) -> None:
    lowered = text.lower()
    assert not any(leak in lowered for leak in LEAKS), text
    assert not any(str(port) in text for port in ports), text


# Every refused class, by address and by a name that resolves to it.

REFUSED = [
    # (what, address, reason)
    ("loopback", "127.0.0.1", "a loopback address"),
    ("loopback, elsewhere in 127/8", "127.53.0.1", "a loopback address"),
    ("loopback IPv6", "::1", "a loopback address"),
    ("unspecified", "0.0.0.0", "an unspecified address"),  # noqa: S104 - a target, not a bind
    ("unspecified IPv6", "::", "an unspecified address"),
    ("RFC 1918 10/8", "10.0.0.7", "a private address"),
    ("RFC 1918 172.16/12", "172.31.255.1", "a private address"),
    ("RFC 1918 192.168/16", "192.168.1.1", "a private address"),
    ("unique-local fc00::/7", "fd12:3456::1", "a private address"),
    ("cloud metadata", "169.254.169.254", "the cloud metadata address"),
    ("cloud metadata IPv6", "fd00:ec2::254", "the cloud metadata address"),
    ("link-local", "169.254.10.20", "a link-local address"),
    ("link-local IPv6", "fe80::1", "a link-local address"),
    ("CGNAT 100.64/10", "100.64.0.1", "a shared (CGNAT) address"),
    ("multicast", "224.0.0.251", "a multicast address"),
    ("multicast IPv6", "ff02::1", "a multicast address"),
    ("reserved 240/4", "240.0.0.1", "a reserved address"),
    ("broadcast", "255.255.255.255", "a reserved address"),
    ("documentation", "192.0.2.10", "a reserved address"),
    ("IPv4-mapped loopback", "::ffff:127.0.0.1", "a loopback address"),
    ("IPv4-mapped metadata", "::ffff:169.254.169.254", "the cloud metadata address"),
    ("IPv4-mapped private", "::ffff:10.0.0.7", "a private address"),
    ("IPv4-mapped CGNAT", "::ffff:100.64.0.1", "a shared (CGNAT) address"),
    ("IPv4-mapped unspecified", "::ffff:0.0.0.0", "an unspecified address"),
    ("IPv4-compatible loopback", "::127.0.0.1", "a loopback address"),
    ("NAT64 of metadata", "64:ff9b::a9fe:a9fe", "the cloud metadata address"),
    ("6to4 of loopback", "2002:7f00:1::1", "a loopback address"),
]


def _url_of(address: str, port: int = 443) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"https://{host}:{port}/hook"


@pytest.mark.django_db
@pytest.mark.parametrize(("what", "address", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_save_refuses_an_internal_address(
    resolver: StubResolver,
    connections: list[tuple[str, int]],
    what: str,
    address: str,
    reason: str,
) -> None:
    organization = OrganizationFactory()
    organization.webhook_url = _url_of(address, 6379)
    with pytest.raises(ValidationError) as literal:
        organization.full_clean()
    assert literal.value.message_dict["webhook_url"] == [f"Refused: the address is {reason}."]

    resolver.names["hooks.police.example"] = [PUBLIC, address]  # one bad answer is enough
    organization.webhook_url = HOOK_URL
    with pytest.raises(ValidationError) as named:
        organization.full_clean()
    assert named.value.message_dict["webhook_url"] == [f"Refused: resolves to {reason}."]
    assert connections == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "https://2130706433/",  # decimal
        "https://0x7f.0.0.1/",  # hexadecimal
        "https://0177.0.0.1/",  # octal
        "https://127.1/",  # short form
        "https://127.0.0.1./",  # trailing dot
        "https://localhost:6379/",
        "https://redis.localhost/",
        "https://[fe80::1%25eth0]/",  # with a zone
    ],
)
def test_save_refuses_other_spellings_of_internal_addresses(
    resolver: StubResolver, connections: list[tuple[str, int]], url: str
) -> None:
    organization = OrganizationFactory(webhook_url="")
    organization.webhook_url = url
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert any(m.startswith("Refused: ") for m in refused.value.message_dict["webhook_url"])
    assert (resolver.lookups, connections) == ([], [])  # decided without a lookup


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.police.example/", "Refused: only http(s) URLs are allowed."),
        ("https://user:pw@hooks.police.example/", "Refused: the URL must not carry credentials."),
        ("https://hooks.police.example:0/", "Refused: the URL is not valid."),
        ("https://nowhere.police.example/", "Its host name does not resolve; check the URL."),
    ],
)
def test_save_refuses_what_cannot_be_a_webhook(
    resolver: StubResolver, url: str, message: str
) -> None:
    resolver.names["hooks.police.example"] = [PUBLIC]
    organization = OrganizationFactory()
    organization.webhook_url = url
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert message in refused.value.message_dict["webhook_url"]


def _admin_save(client: Client, organization: Organization, **changes: str) -> Any:
    """Post the organization's admin change form as staff would, with these changes."""
    url = reverse("admin:liaison_organization_change", args=[organization.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{inline.formset.prefix}-{name}"] = management[name].value()
    data.update(changes)
    return client.post(url, data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://127.0.0.1:6379/", "Refused: the address is a loopback address."),
        ("https://169.254.169.254/latest/meta-data/", "Refused: the address is the cloud metadata address."),
        ("https://redis.internal.example/", "Refused: resolves to a private address."),
        ("http://hooks.police.example/", "Refused: only https URLs are allowed."),
    ],
)  # fmt: skip
def test_admin_shows_the_refusal_on_the_webhook_url_field(
    resolver: StubResolver, connections: list[tuple[str, int]], url: str, error: str
) -> None:
    resolver.names["redis.internal.example"] = ["10.0.3.7"]
    resolver.names["hooks.police.example"] = [PUBLIC]
    organization = OrganizationFactory(webhook_url="")
    client = sign_in_staff(Client(), StaffUserFactory(is_superuser=True))

    response = _admin_save(client, organization, webhook_url=url)
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["webhook_url"] == [error]
    organization.refresh_from_db()
    assert organization.webhook_url == ""

    response = _admin_save(client, organization, webhook_url=HOOK_URL)
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.webhook_url == HOOK_URL
    assert connections == []


@pytest.mark.django_db
def test_an_allowed_host_may_be_internal(resolver: StubResolver, settings: Any) -> None:
    """A tenant's on-premises receiver: allowed by name (or by address), nothing else is."""
    resolver.names["receiver.onprem.example"] = ["10.20.0.5"]
    resolver.names["other.onprem.example"] = ["10.20.0.6"]
    organization = OrganizationFactory()
    settings.WEBHOOK_ALLOWED_HOSTS = ["Receiver.OnPrem.Example.", "10.20.0.9"]
    for url in ("https://receiver.onprem.example/hook", "https://10.20.0.9:8443/hook"):
        organization.webhook_url = url
        organization.full_clean()
    for url in ("https://other.onprem.example/hook", "https://10.20.0.6/hook"):
        organization.webhook_url = url
        with pytest.raises(ValidationError):
            organization.full_clean()
    settings.WEBHOOK_ALLOWED_HOSTS = []  # the setting is read at each check
    organization.webhook_url = "https://receiver.onprem.example/hook"
    with pytest.raises(ValidationError):
        organization.full_clean()


@pytest.mark.django_db
def test_https_only_unless_http_is_allowed(resolver: StubResolver, settings: Any) -> None:
    resolver.names["hooks.police.example"] = [PUBLIC]
    settings.WEBHOOK_ALLOWED_HOSTS = ["hooks.police.example"]  # allowed hosts too
    organization = OrganizationFactory()
    organization.webhook_url = "http://hooks.police.example/hook"
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert refused.value.message_dict["webhook_url"] == ["Refused: only https URLs are allowed."]
    settings.WEBHOOK_ALLOW_HTTP = True
    organization.full_clean()


@pytest.mark.parametrize(("debug", "allow_http"), [("0", "False"), ("1", "True")])
def test_http_is_allowed_only_in_development_by_default(debug: str, allow_http: str) -> None:
    env = {
        **os.environ,
        "DEBUG": debug,
        "SECRET_KEY": "test-" + "x" * 50,
        "WEBHOOK_ALLOWED_HOSTS": " receiver.onprem.example, 10.20.0.9 ,",
    }
    env.pop("WEBHOOK_ALLOW_HTTP", None)
    shown = subprocess.run(
        [sys.executable, "-c",
         "from portal import settings as s; print(s.WEBHOOK_ALLOW_HTTP, s.WEBHOOK_ALLOWED_HOSTS)"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60,
    ).stdout.split("\n")[-2]  # fmt: skip
    assert shown == f"{allow_http} ['receiver.onprem.example', '10.20.0.9']"


# At send time: resolved again, every address checked, then the connection goes to it.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (["127.0.0.1"], "a loopback address"),
        (["169.254.169.254"], "the cloud metadata address"),
        (["::ffff:169.254.169.254"], "the cloud metadata address"),
        (["fd00:ec2::254"], "the cloud metadata address"),
        ([PUBLIC, "10.0.0.7"], "a private address"),
        (["::1", PUBLIC], "a loopback address"),
    ],
)
def test_a_name_rebound_to_an_internal_address_is_refused_at_send(
    authority: Member,
    resolver: StubResolver,
    connections: list[tuple[str, int]],
    answer: list[str],
    reason: str,
) -> None:
    resolver.names["hooks.police.example"] = [PUBLIC]
    delivery = notice(hooked(authority, HOOK_URL))  # public when staff saved it
    resolver.names["hooks.police.example"] = answer  # ... and internal now
    resolver.lookups.clear()

    event = deliver(delivery)
    assert connections == []  # refused before any connection
    assert resolver.lookups == ["hooks.police.example"]  # resolved once, all answers checked
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("DEAD", 1, None)
    assert delivery.last_error == f"refused: resolves to {reason}"
    assert delivery.dead_lettered_at is not None
    # Not retried: waiting does not make it allowed. The event is a dead letter at once, for
    # staff to revive once the URL or the allow-list is fixed.
    assert event.attempts == 1
    assert event.dead_lettered_at is not None
    assert DeadLetter.objects.filter(outbox_event=event, redriven_at__isnull=True).count() == 1
    assert event.delivered_at is None
    deliver(delivery)
    assert (delivery.attempts, connections) == (1, [])


@pytest.mark.django_db
def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    authority: Member, resolver: StubResolver, connections: list[tuple[str, int]]
) -> None:
    """A rebinding resolver answers the check with a public address and any later lookup with
    127.0.0.1: the portal never looks again, it connects to the address it checked."""
    resolver.names["hooks.police.example"] = [PUBLIC]
    delivery = notice(hooked(authority, HOOK_URL))
    resolver.lookups.clear()
    resolver.then["hooks.police.example"] = ["127.0.0.1"]

    event, countdown = attempt_once(delivery)
    assert resolver.lookups == ["hooks.police.example"]
    assert connections == [(PUBLIC, 443)]  # (stopped by the test before it left the machine)
    assert (delivery.state, delivery.last_error) == ("PENDING", "no response")
    assert countdown is not None  # no answer is retried
    assert_neutral(event.last_error.replace(str(delivery.pk), "<id>"), 443)


@pytest.mark.django_db
def test_an_allowed_name_is_pinned_and_keeps_its_host_header(
    authority: Member,
    resolver: StubResolver,
    connections: list[tuple[str, int]],
    http_receiver: Receiver,
    settings: Any,
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["receiver.test"]
    settings.WEBHOOK_ALLOW_HTTP = True
    resolver.names["receiver.test"] = ["127.0.0.1"]
    delivery = notice(hooked(authority, f"http://receiver.test:{http_receiver.port}/hook?x=1"))
    resolver.lookups.clear()

    deliver(delivery)
    assert delivery.state == "DELIVERED"
    assert resolver.lookups == ["receiver.test"]
    assert connections == [("127.0.0.1", http_receiver.port)]
    assert [h["Host"] for h in http_receiver.received] == [f"receiver.test:{http_receiver.port}"]


@pytest.mark.django_db
def test_https_to_the_checked_address_uses_the_name_for_sni_and_certificate(
    authority: Member,
    resolver: StubResolver,
    connections: list[tuple[str, int]],
    https_receiver: Receiver,
    settings: Any,
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["receiver.test"]
    resolver.names["receiver.test"] = ["127.0.0.1"]
    delivery = notice(hooked(authority, f"https://receiver.test:{https_receiver.port}/hook"))

    deliver(delivery)
    assert (delivery.state, delivery.last_status_code) == ("DELIVERED", 204)
    assert connections == [("127.0.0.1", https_receiver.port)]
    assert https_receiver.server_names == ["receiver.test"]
    assert [h["Host"] for h in https_receiver.received] == [f"receiver.test:{https_receiver.port}"]


@pytest.mark.django_db
@pytest.mark.parametrize("https_receiver", ["other.test"], indirect=True)
def test_a_certificate_for_another_name_gets_no_response(
    authority: Member, resolver: StubResolver, https_receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["receiver.test"]
    resolver.names["receiver.test"] = ["127.0.0.1"]
    delivery = notice(hooked(authority, f"https://receiver.test:{https_receiver.port}/hook"))

    _, countdown = attempt_once(delivery)
    assert https_receiver.received == []
    assert (delivery.state, delivery.last_error) == ("PENDING", "no response")
    assert countdown is not None


@pytest.mark.django_db
def test_http_is_refused_at_send_in_production(
    authority: Member,
    resolver: StubResolver,
    connections: list[tuple[str, int]],
    http_receiver: Receiver,
    settings: Any,
) -> None:
    """A URL saved while http was allowed is refused once it is not."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    delivery = notice(hooked(authority, f"http://127.0.0.1:{http_receiver.port}/hook"))
    settings.WEBHOOK_ALLOW_HTTP = False

    deliver(delivery)
    assert (delivery.state, delivery.last_error) == ("DEAD", "refused: only https URLs are allowed")
    assert (connections, http_receiver.received) == ([], [])


@pytest.mark.django_db
def test_a_target_saved_before_the_policy_is_refused_at_send(
    authority: Member, connections: list[tuple[str, int]]
) -> None:
    organization = authority.organization
    organization.webhook_url = "https://127.0.0.1:6379/"  # no validation: an old row
    organization.webhook_secret = "whsec-test"
    organization.save()
    delivery = notice(authority)

    deliver(delivery)
    assert (delivery.state, delivery.last_error) == (
        "DEAD",
        "refused: the address is a loopback address",
    )
    assert connections == []


# What staff can read of an attempt: never the state of a port.


@pytest.mark.django_db
def test_recorded_errors_do_not_tell_open_from_closed_ports(
    authority: Member,
    connections: list[tuple[str, int]],
    closed_port: int,
    silent_port: int,
    settings: Any,
) -> None:
    """Allow-listed 127.0.0.1: a closed port and a port that never answers read the same;
    a refused target reads "refused"; the outbox's own record is as neutral."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    recorded: dict[str, tuple[str, str, float | None]] = {}
    for label, url, save in (
        ("closed", f"http://127.0.0.1:{closed_port}/hook", hooked),
        ("silent", f"http://127.0.0.1:{silent_port}/hook", hooked),
        ("refused", "https://169.254.169.254:80/latest/meta-data/", _unchecked),
    ):
        save(authority, url)
        route(submit(authority, reference=f"AZ {label}"))
        delivery = WebhookDelivery.objects.get(url=url)
        event, countdown = attempt_once(delivery)
        outbox_error = event.last_error.replace(str(delivery.pk), "<id>")
        recorded[label] = (delivery.last_error, outbox_error, countdown)
        assert delivery.last_status_code is None
        for text in (delivery.last_error, outbox_error):
            assert_neutral(text, closed_port, silent_port, 80)

    assert recorded["closed"][:2] == recorded["silent"][:2]
    assert recorded["closed"][:2] == ("no response", "DeliveryFailed('webhook <id>: no response')")
    assert recorded["closed"][2] is not None  # retried
    assert recorded["silent"][2] is not None
    assert recorded["refused"] == (
        "refused: the address is the cloud metadata address",
        "DeliveryRefused('webhook <id>: refused: the address is the cloud metadata address')",
        None,  # not retried: a dead letter at once
    )
    assert ("169.254.169.254", 80) not in connections


def _unchecked(member: Member, url: str) -> Member:
    """A webhook URL stored without validation (as before the policy)."""
    organization = member.organization
    organization.webhook_url = url
    organization.webhook_secret = "whsec-test"
    organization.save()
    return member
