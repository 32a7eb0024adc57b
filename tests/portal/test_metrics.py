"""/metrics: Prometheus figures for staff and the scraper's token only, correct across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from core import metrics
from core.outbox import services as outbox
from core.redis import get_redis
from switchboard.models import Ticket
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.fixtures import policy  # noqa: F401 - the routing policy fixture
from tests.realthings import ROOT
from tests.signin import sign_in_staff
from tests.switchboard.conftest import submit_request, submitted_events


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: Client, **headers: str) -> Any:
    return client.get("/metrics", **headers)


@pytest.mark.django_db
def test_metrics_are_not_public(client: Client, authority: Member, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    anonymous = scrape(client)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    # An authority's API token is not the scraper's.
    assert scrape(client, HTTP_AUTHORIZATION=f"Bearer {authority.token}").status_code == 403
    # Staff signed in without their second factor are refused, like in admin.
    half = Client()
    half.force_login(StaffUserFactory())
    assert scrape(half).status_code == 403
    # A signed-in member of an organization (console session) is not staff.
    member = Client()
    member.force_login(authority.membership.user)
    assert scrape(member).status_code == 403
    assert b"liaison_" not in anonymous.content


@pytest.mark.django_db
def test_staff_and_the_scraper_token_read_them(client: Client, settings: Any) -> None:
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    staff = sign_in_staff(Client(), StaffUserFactory())
    response = scrape(staff)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")  # Prometheus text format
    assert scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789").status_code == 200
    assert scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-wrong").status_code == 403
    settings.METRICS_TOKEN = ""
    assert scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789").status_code == 403


@pytest.mark.django_db
def test_the_figures_follow_the_state(
    client: Client,
    authority: Member,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
    policy: None,  # noqa: F811
) -> None:
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    auth = {"HTTP_AUTHORIZATION": "Bearer scrape-secret-0123456789"}
    legal_request = submit_request(authority)
    event = submitted_events().get(payload__legal_request_id=str(legal_request.pk))
    routing = (
        "liaison_outbox_delivery_latency_seconds_count",
        (("queue", event.queue), ("topic", "legal_request.submitted")),
    )
    queued = samples(scrape(client, **auth).content.decode())
    assert queued[("liaison_outbox_undelivered", (("topic", "legal_request.submitted"),))] == 1
    routed_before = queued.get(routing, 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_deliver(event_id=event.pk)
    ticket = Ticket.objects.select_related("team").get(legal_request=legal_request)
    junk = [b"metrics-test-1", b"metrics-test-2", b"metrics-test-3"]
    depth_before = get_redis().llen("default")
    get_redis().lpush("default", *junk)
    try:
        after = samples(scrape(client, **auth).content.decode())
    finally:
        for item in junk:
            get_redis().lrem("default", 1, item)
    team = ticket.team.name
    assert after[("liaison_open_tickets", (("state", "OPEN"), ("team", team)))] == 1
    assert after[("liaison_ticket_breaches_total", (("team", team),))] == 0
    assert after[("liaison_queue_depth", (("queue", "default"),))] == depth_before + 3
    assert after[routing] == routed_before + 1
    assert ("liaison_outbox_undelivered", (("topic", "legal_request.submitted"),)) not in after
    assert after[("liaison_audit_unsealed_entries", ())] >= 1  # the ROUTED status change
    assert after[("liaison_metrics_collector_up", (("collector", "switchboard"),))] == 1
    assert after[("liaison_dead_letters_open", ())] == 0
    # django-prometheus's HTTP figures are there too.
    assert any(name.startswith("django_http_requests") for name, _ in after)


@pytest.mark.django_db
def test_a_failing_collector_is_reported_and_the_rest_still_answer(
    client: Client, settings: Any
) -> None:
    settings.METRICS_TOKEN = "scrape-secret-0123456789"

    def broken() -> list[Any]:
        raise RuntimeError("down")

    metrics.register_collector("zz-broken", broken)
    try:
        text = scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789").content
    finally:
        metrics._collectors.pop("zz-broken")
    found = samples(text.decode())
    assert found[("liaison_metrics_collector_up", (("collector", "zz-broken"),))] == 0
    assert found[("liaison_metrics_collector_up", (("collector", "queues"),))] == 1


@pytest.mark.django_db
def test_counts_from_several_processes_add_up(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    """Two processes (as a web process and a worker would) count into the node's multiprocess
    directory; one scrape reports their sum."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    script = textwrap.dedent(
        """
        import django
        django.setup()
        from core import metrics
        metrics.outbox_delivery_observe(topic="legal_request.submitted", queue="urgent", seconds=0.03)
        metrics.HOTLINE_DELIVERIES.inc(5)
        metrics.HOTLINE_SUBSCRIPTIONS.labels(kind="resume").inc()
        """
    )
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(directory),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
    }
    for _ in range(2):
        subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True, timeout=60)
    settings.PROMETHEUS_MULTIPROC_DIR = str(directory)
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    found = samples(
        scrape(client, HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789").content.decode()
    )
    routing = (("queue", "urgent"), ("topic", "legal_request.submitted"))
    assert found[("liaison_outbox_delivery_latency_seconds_count", routing)] == 2
    fast = tuple(sorted((*routing, ("le", "0.05"))))
    assert found[("liaison_outbox_delivery_latency_seconds_bucket", fast)] == 2
    assert found[("liaison_hotline_deliveries_total", ())] == 10
    assert found[("liaison_hotline_subscriptions_total", (("kind", "resume"),))] == 2
    # The scrape-time figures come along in multiprocess mode too.
    assert ("liaison_metrics_collector_up", (("collector", "outbox"),)) in found
