"""The regulators' formats: the DSA orders CSV (IR 2024/2835 Annex I 1.2) and the TCO annual
report; and the beat entry of the daily job."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command

from liaison.models import LegalRequest
from portal.celery import app
from switchboard.models import Team, Ticket
from tests.factories import LegalRequestFactory, OrganizationFactory
from transparency.exports import DSA_ORDERS_COLUMNS
from transparency.models import DailyReport
from transparency.tasks import publish_daily_reports_task

RECEIVED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def order(
    *,
    kind: str,
    category: str,
    jurisdiction: str,
    ack_minutes: int | None,
    act_minutes: int | None,
    status: str = "FULFILLED",
    **extra: Any,
) -> LegalRequest:
    legal_request = LegalRequestFactory(
        organization=OrganizationFactory(country=jurisdiction),
        kind=kind,
        category=category,
        jurisdiction=jurisdiction,
        submitted_at=RECEIVED,
        status=status,
        data_categories=[] if kind == "CONTENT_REMOVAL" else ["IP_ADDRESSES"],
        fulfilled_at=None if act_minutes is None else RECEIVED + timedelta(minutes=act_minutes),
        **extra,
    )
    if ack_minutes is not None:
        Ticket.objects.create(
            legal_request=legal_request,
            team=Team.objects.get_or_create(name="Desk", defaults={"desk_name": "Desk"})[0],
            priority=1,
            opened_at=RECEIVED,
            clock=timedelta(hours=1),
            due_at=RECEIVED + timedelta(hours=1),
            state="ACKNOWLEDGED",
            acknowledged_at=RECEIVED + timedelta(minutes=ack_minutes),
        )
    return legal_request


@pytest.mark.django_db
def test_the_dsa_orders_csv_has_the_annex_rows_and_columns(client: Any) -> None:
    order(
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="DE",
        ack_minutes=6,
        act_minutes=30,
    )
    order(
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="DE",
        ack_minutes=12,
        act_minutes=50,
        targets=[("USERNAME", "channel_one"), ("USERNAME", "channel_two")],
    )
    order(  # an order to act next to orders to provide information: one row, both columns
        kind="CONTENT_REMOVAL",
        category="FRAUD",
        jurisdiction="FR",
        ack_minutes=3,
        act_minutes=None,
        status="UNDER_REVIEW",
    )
    order(
        kind="DATA_DISCLOSURE",
        category="FRAUD",
        jurisdiction="FR",
        ack_minutes=60,
        act_minutes=None,
        status="UNDER_REVIEW",
    )
    order(
        kind="EMERGENCY_DISCLOSURE",
        category="FRAUD",
        jurisdiction="FR",
        ack_minutes=30,
        act_minutes=120,
    )
    order(
        kind="DATA_DISCLOSURE", category="FRAUD", jurisdiction="US", ack_minutes=1, act_minutes=2
    )  # not a Member State
    order(
        kind="PRESERVATION", category="FRAUD", jurisdiction="DE", ack_minutes=1, act_minutes=2
    )  # no Art. 9/10 order

    response = client.get(
        "/transparency/exports/dsa-orders.csv?periodStart=2026-03-01&periodEnd=2026-03-31"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    body = response.content.decode("utf-8")
    assert body.endswith("\r\n")
    assert all(line.endswith("\r") for line in body.split("\n")[:-1])  # RFC 4180 CRLF
    table = list(csv.reader(io.StringIO(body, newline="")))
    assert tuple(table[0]) == DSA_ORDERS_COLUMNS
    assert len(DSA_ORDERS_COLUMNS) == 20  # the Commission's template, Part 3
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    figures = [
        {key: value for key, value in row.items() if not key.startswith("Contextual")}
        for row in rows
    ]
    common = {
        "Applicability": "All providers of intermediary services",
        "Service": "Messaging service",
        "Reporting period": "2026-03-01/2026-03-31",
        'Description of the sub-category "Other"': "",
    }
    assert figures == [
        {
            **common,
            "Category of illegal content": "Risk for public security",
            "Scope": "DE",
            "Number of orders to act against illegal content received": "2",
            "Number of specific items of information included in the total number of orders "
            "to act against illegal content": "3",
            "Median time to inform the authority of the receipt of the order to act against "
            "illegal content": "0.15",
            "Median time to give effect to the order to act against illegal content": "0.67",
            "Number of orders to provide information": "0",
            "Median time to inform the authority of the receipt of the order to provide "
            "information": "",
            "Median time to give effect to the order to provide information": "",
        },
        {
            **common,
            "Category of illegal content": "Scams and/or fraud",
            "Scope": "FR",
            "Number of orders to act against illegal content received": "1",
            "Number of specific items of information included in the total number of orders "
            "to act against illegal content": "1",
            "Median time to inform the authority of the receipt of the order to act against "
            "illegal content": "0.05",
            "Median time to give effect to the order to act against illegal content": "",
            "Number of orders to provide information": "2",
            "Median time to inform the authority of the receipt of the order to provide "
            "information": "0.75",
            "Median time to give effect to the order to provide information": "2.00",
        },
    ]
    assert "Hours, from the order's receipt to its execution" in rows[0][DSA_ORDERS_COLUMNS[-1]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "periodStart"),
        ("?periodStart=2026-03-31&periodEnd=2026-03-01", "before periodStart"),
        ("?periodStart=2024-01-01&periodEnd=2026-03-01", "at most 366 days"),
        ("?periodStart=yesterday&periodEnd=2026-03-01", "valid date"),
    ],
)
def test_a_bad_export_period_is_a_clear_400(client: Any, query: str, message: str) -> None:
    response = client.get(f"/transparency/exports/dsa-orders.csv{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_the_tco_annual_report(client: Any) -> None:
    order(
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="DE",
        ack_minutes=5,
        act_minutes=40,
    )
    order(
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="DE",
        ack_minutes=5,
        act_minutes=90,
    )
    order(
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        jurisdiction="AT",
        ack_minutes=5,
        act_minutes=None,
        status="REJECTED",
        rejection_reason="AUTHORITY_NOT_COMPETENT",
    )
    order(
        kind="CONTENT_REMOVAL",
        category="VIOLENCE",
        jurisdiction="DE",
        ack_minutes=5,
        act_minutes=10,
    )

    report = client.get("/transparency/exports/tco-2026.json").json()
    assert report["removal_orders_received"] == 3
    assert report["removal_orders_by_member_state"] == {"AT": 1, "DE": 2}
    assert report["items_removed_or_disabled"] == 2
    assert report["items_removed_or_disabled_within_one_hour"] == 1
    assert report["orders_not_acted_on"] == 1
    assert report["orders_not_acted_on_by_reason"] == {"AUTHORITY_NOT_COMPETENT": 1}

    table = list(
        csv.reader(
            io.StringIO(
                client.get("/transparency/exports/tco-2026.csv").content.decode(), newline=""
            )
        )
    )
    assert table[0] == ["Measure", "Value"]
    assert ["items_removed_or_disabled_within_one_hour", "1"] in table
    assert ["orders_not_acted_on_by_reason.AUTHORITY_NOT_COMPETENT", "1"] in table
    assert client.get("/transparency/exports/tco-1999.json").status_code == 404


def test_the_daily_job_runs_at_ten_past_midnight_utc_and_every_hour_after() -> None:
    """Yesterday's report at 00:10 UTC; a day missed while the portal was down within the hour
    after it runs again (once an hour across the nodes), not a day later."""
    entry = settings.CELERY_BEAT_SCHEDULE["transparency-daily-reports"]
    assert entry["task"] == publish_daily_reports_task.name
    assert entry["schedule"] == crontab(minute=10)
    assert entry["kwargs"] == {"claim_period": True}
    assert app.conf.enable_utc
    assert app.conf.timezone in (None, "UTC")


@pytest.mark.django_db
def test_transparency_publish_publishes_the_ended_days_once(capsys: Any) -> None:
    """`make run` runs it at start: a new installation has yesterday's signed report at once."""
    call_command("transparency_publish")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    assert f"published the daily reports of {yesterday}" in capsys.readouterr().out
    assert DailyReport.objects.get(day=yesterday).signature
    call_command("transparency_publish")
    assert "every ended day is published" in capsys.readouterr().out
    assert DailyReport.objects.count() == 1


@pytest.mark.django_db
def test_the_task_publishes_the_missed_days() -> None:
    LegalRequestFactory(submitted_at=datetime.now(UTC) - timedelta(days=3))
    published = publish_daily_reports_task.delay().get()
    today = datetime.now(UTC).date()
    assert published == [str(today - timedelta(days=n)) for n in (3, 2, 1)]
    assert publish_daily_reports_task.delay().get() == []
    assert DailyReport.objects.filter(day__lt=today).count() == 3
    assert not DailyReport.objects.filter(day=today).exists()
    assert date.fromisoformat(published[-1]) == today - timedelta(days=1)
