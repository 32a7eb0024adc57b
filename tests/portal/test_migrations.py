"""An installation of the old layout (the switchboard inside `hotline`, the outbox inside `portal`)
migrates to the five rooms with nothing lost.

The database is taken to the last migrations of the old layout and filled, with the historical
models and plain values, with what a real installation holds: seed_demo's teams, rules, clocks
and chains, organizations, members and tokens, requests at every stage with their targets,
timelines, tickets and notifications, hotline conversations (an urgent report among them),
outbox events and dead letters, and an audit chain hashed exactly as liaison.audit hashes it.
Then it migrates to today's leaf nodes, and every row of every table must still be there with
the same values; content types and permissions follow the moved models; the report's origin
is HOTLINE; the audit chain still verifies.

The test drops every table first (with django-test-migrations' helpers), and the library's
`migrator` fixture migrates the database back to the newest state afterwards, also when the test
fails; the transactional fixture then flushes it, as after any transactional test (which
pytest-django runs after all the others). So the other tests find the test database as they
expect it. It takes a few seconds; `-m "not migration_test"` leaves it out.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import StateApps
from django_test_migrations import sql
from django_test_migrations.migrator import Migrator
from django_test_migrations.signals import mute_migrate_signals

from core.outbox.models import DeadLetter, OutboxEvent
from hotline.models import Conversation, Message
from liaison import audit
from liaison.models import (
    ApiToken,
    AuditEntry,
    LegalRequest,
    Organization,
    RequestOrigin,
    Target,
    TimelineEntry,
)
from liaison.tokens import api_token_authenticate
from switchboard.models import (
    EscalationChain,
    EscalationStep,
    LegalClock,
    Notification,
    PolicyRevision,
    RoutingRule,
    Team,
    TeamMember,
    Ticket,
)

# The last migrations of the old layout (before core and switchboard existed).
OLD_LAYOUT = [
    ("liaison", "0004_approval_set_aside"),
    ("hotline", "0006_ticket_paused"),
    ("portal", "0002_dead_letters"),
]
PROJECT_APPS = {
    "core",
    "liaison",
    "switchboard",
    "hotline",
    "casework",
    "console",
    "transparency",
    "portal",
}
# Models that changed app: (old app, model) -> new app. Their tables did not move.
MOVED = {
    **{
        ("hotline", model): "switchboard"
        for model in (
            "escalationchain",
            "escalationstep",
            "team",
            "teammember",
            "routingrule",
            "legalclock",
            "ticket",
            "notification",
            "policyrevision",
        )
    },
    ("portal", "outboxevent"): "core",
    ("portal", "deadletter"): "core",
}

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def migrate_to_old_layout() -> StateApps:
    """Drop every table, then apply exactly the old layout's migrations (and the third-party
    apps' newest ones), with the migrate signals muted, as django-test-migrations does.

    Not `migrator.apply_initial_migration`: it cuts the full plan after the last target, and
    the full plan lists core 0001 and portal 0003 (the outbox moving out) before hotline's
    migrations, so the "old" state would already be half new."""
    style = no_style()
    sql.drop_models_tables(DEFAULT_DB_ALIAS, style)
    sql.flush_django_migrations_table(DEFAULT_DB_ALIAS, style)
    executor = MigrationExecutor(connection)
    targets = [
        node for node in executor.loader.graph.leaf_nodes() if node[0] not in PROJECT_APPS
    ] + OLD_LAYOUT
    with mute_migrate_signals():
        state = executor.migrate(targets)
    state.clear_delayed_apps_cache()
    assert not {"core", "switchboard"} & {label for label, _ in state.models}
    # What `migrate`'s post_migrate did on a real installation: content types and permissions
    # for every app of the old layout. (They look for the app's models in `apps`; only the
    # label and "it has a models module", true of portal then, come from the config.)
    for label in state.apps.app_configs:
        old_config = SimpleNamespace(label=label, models_module=True)
        create_contenttypes(old_config, verbosity=0, apps=state.apps)
        create_permissions(old_config, verbosity=0, apps=state.apps)
    return state.apps


def migrate_to_newest(migrator: Migrator) -> None:
    migrator.apply_tested_migration(MigrationLoader(connection).graph.leaf_nodes())


# -- the old installation -------------------------------------------------------------------


def populate(apps: StateApps) -> SimpleNamespace:
    """What a real installation of the old layout holds; returns what the checks need."""
    get = apps.get_model
    old = SimpleNamespace()
    user = get("auth", "User")
    group = get("auth", "Group")
    permission = get("auth", "Permission")
    content_type = get("contenttypes", "ContentType")

    def make_user(email: str, **extra: Any) -> Any:
        return user.objects.create(username=email, email=email, password="!", **extra)

    admin = make_user("admin@platform.demo", is_staff=True, is_superuser=True)
    lead = make_user("ct.lead@platform.example", is_staff=True)
    on_call = make_user("ct.oncall@platform.example", is_staff=True)
    desk = group.objects.create(name="Legal desk")
    desk.permissions.set(
        permission.objects.filter(
            content_type__app_label__in=["hotline", "portal"],
            codename__in=["change_ticket", "view_notification", "view_deadletter"],
        )
    )
    lead.groups.add(desk)
    on_call.user_permissions.add(
        permission.objects.get(content_type__app_label="hotline", codename="view_ticket")
    )
    old.lead, old.on_call = lead.pk, on_call.pk

    # seed_demo's policy (switchboard.defaults as it was), written out as plain values.
    chain = get("hotline", "EscalationChain")
    step = get("hotline", "EscalationStep")
    urgent = chain.objects.create(name="Urgent (1-hour clocks)", warn_before=timedelta(minutes=15))
    standard = chain.objects.create(name="Standard", warn_before=timedelta(hours=2))
    for position, (which, wait, action) in enumerate(
        [
            (urgent, 5, "NEXT_ON_CALL"),
            (urgent, 10, "TEAM_LEAD"),
            (urgent, 15, "WHOLE_TEAM"),
            (standard, 60, "NEXT_ON_CALL"),
            (standard, 240, "TEAM_LEAD"),
        ]
    ):
        step.objects.create(chain=which, position=position % 3, wait_minutes=wait, action=action)
    team = get("hotline", "Team")
    teams = {
        name: team.objects.create(
            name=name,
            desk_name=desk_name,
            email=email,
            escalation_chain=which,
            is_fallback=name == "Legal Response Desk",
        )
        for name, desk_name, email, which in [
            (
                "Counter-Terrorism Desk",
                "Counter-Terrorism Desk",
                "ct-desk@platform.example",
                urgent,
            ),
            ("Child Safety Desk", "Child Safety Desk", "child-safety@platform.example", urgent),
            (
                "Law Enforcement Response EU",
                "Law Enforcement Response (Europe)",
                "ler-eu@platform.example",
                standard,
            ),
            (
                "Law Enforcement Response Americas",
                "Law Enforcement Response (Americas)",
                "ler-americas@platform.example",
                standard,
            ),
            ("Legal Response Desk", "Legal Response Desk", "legal@platform.example", standard),
        ]
    }
    member = get("hotline", "TeamMember")
    member.objects.create(team=teams["Counter-Terrorism Desk"], user=lead, position=0, is_lead=True)
    member.objects.create(team=teams["Counter-Terrorism Desk"], user=on_call, position=1)
    rule = get("hotline", "RoutingRule")
    for position, name, team_name, kinds, categories, extra in [
        (10, "Terrorist content: removal orders and notices", "Counter-Terrorism Desk",
         ["CONTENT_REMOVAL", "MODERATION_NOTICE"], ["TERRORISM"], {}),
        (20, "Child safety: removals and notices", "Child Safety Desk",
         ["CONTENT_REMOVAL", "MODERATION_NOTICE"], ["CHILD_SAFETY"], {}),
        (30, "Emergencies from Europe", "Law Enforcement Response EU", ["EMERGENCY_DISCLOSURE"],
         [], {"region": "EEA", "urgency": "URGENT", "escalation_chain": urgent}),
        (40, "Emergencies from the Americas", "Law Enforcement Response Americas",
         ["EMERGENCY_DISCLOSURE"], [],
         {"region": "AMERICAS", "urgency": "URGENT", "escalation_chain": urgent}),
        (50, "Disclosure and preservation, Europe", "Law Enforcement Response EU",
         ["DATA_DISCLOSURE", "PRESERVATION"], [], {"region": "EEA", "countries": ["GB", "CH"]}),
        (60, "Disclosure and preservation, Americas", "Law Enforcement Response Americas",
         ["DATA_DISCLOSURE", "PRESERVATION"], [], {"region": "AMERICAS"}),
    ]:  # fmt: skip
        rule.objects.create(
            position=position,
            name=name,
            team=teams[team_name],
            kinds=kinds,
            categories=categories,
            **extra,
        )
    clock = get("hotline", "LegalClock")
    for kind, category, duration, note in [
        ("CONTENT_REMOVAL", "TERRORISM", HOUR, "TCO Reg. (EU) 2021/784: 1 hour"),
        ("CONTENT_REMOVAL", "", 24 * HOUR, "DSA Art. 9 order: policy 24 hours"),
        ("EMERGENCY_DISCLOSURE", "", 8 * HOUR, "Threat to life: 8 hours at most"),
        ("DATA_DISCLOSURE", "", timedelta(days=10), "Court order / EPOC: 10 days"),
        ("PRESERVATION", "", 24 * HOUR, "18 U.S.C. 2703(f) / EPOC-PR: act within 24 hours"),
        ("MODERATION_NOTICE", "CHILD_SAFETY", HOUR, "DSA Art. 22: 1 hour"),
        ("MODERATION_NOTICE", "TERRORISM", HOUR, "DSA Art. 22: 1 hour"),
        ("MODERATION_NOTICE", "", 24 * HOUR, "DSA Art. 22 trusted flagger: 24 hours"),
    ]:
        clock.objects.create(kind=kind, category=category, duration=duration, note=note)
    # A staff edit of the policy that must survive: the disclosure clock shortened to 7 days.
    clock.objects.filter(kind="DATA_DISCLOSURE").update(duration=timedelta(days=7))

    # seed_demo's organizations, one member each with a demo token (and a revoked one).
    organization = get("liaison", "Organization")
    membership = get("liaison", "Membership")
    api_token = get("liaison", "ApiToken")
    orgs, members, old.tokens = {}, {}, {}
    for slug, kind, name, country, phone, email in [
        ("demo-bka", "AUTHORITY", "Bundeskriminalamt (demo)", "DE", "+49611550", "officer@bka.demo"),
        ("demo-parquet-paris", "AUTHORITY", "Parquet de Paris (demo)", "FR", "+33144325151",
         "magistrat@parquet.demo"),
        ("demo-fbi", "AUTHORITY", "FBI Field Office (demo)", "US", "+12023243000",
         "agent@fbi.demo"),
        ("demo-childsafe-ngo", "NGO", "Child Safety Hotline (demo)", "NL", "+31201234567",
         "analyst@childsafe.demo"),
    ]:  # fmt: skip
        orgs[slug] = organization.objects.create(
            slug=slug,
            kind=kind,
            name=name,
            country=country,
            callback_phone=phone,
            verification="VERIFIED",
            verified_at=T0 - timedelta(days=30),
            verified_by=admin,
            webhook_url=f"https://{slug}.example/hooks/liaison",
            webhook_secret=f"whsec-{slug}",
        )
        members[slug] = membership.objects.create(
            organization=orgs[slug], user=make_user(email), created_at=T0 - timedelta(days=30)
        )
        prefix = hashlib.sha256(slug.encode()).hexdigest()[:8]
        secret = f"lp_{prefix}_{'s' * 43}"
        api_token.objects.create(
            membership=members[slug],
            prefix=prefix,
            token_hash=hashlib.sha256(secret.encode()).hexdigest(),  # as tokens were stored
            label="demo",
            expires_at=T0 + timedelta(days=3650),
        )
        old.tokens[slug] = secret
    api_token.objects.create(
        membership=members["demo-bka"],
        prefix="revoked1",
        token_hash="0" * 64,
        label="demo",
        expires_at=T0 + timedelta(days=3650),
        revoked_at=T0 - timedelta(days=1),
    )
    old.orgs = {slug: org.pk for slug, org in orgs.items()}

    # The subscriber records' demo tables.
    account = get("liaison", "PlatformAccount").objects.create(
        user_id=100_001, username="fraud_boss", phone_number="+4915123456789"
    )
    for address, days in (("203.0.113.7", 2), ("2001:db8::7", 12)):
        get("liaison", "LoginEvent").objects.create(
            account=account, ip_address=address, seen_at=T0 - timedelta(days=days)
        )

    # Requests at every stage, with targets, timelines, tickets and notifications.
    legal_request = get("liaison", "LegalRequest")
    target = get("liaison", "Target")
    timeline = get("liaison", "TimelineEntry")
    ticket = get("hotline", "Ticket")
    notification = get("hotline", "Notification")
    outbox_event = get("portal", "OutboxEvent")

    def submit(slug: str, minutes: float, **fields: Any) -> Any:
        request = legal_request.objects.create(
            organization=orgs[slug],
            submitted_by=members[slug].user,
            submitted_at=at(minutes),
            **fields,
        )
        timeline.objects.create(
            legal_request=request,
            event="SUBMITTED",
            status="RECEIVED",
            actor_label=members[slug].user.email,
            message=f"Submitted by {orgs[slug].name}.",
            at=at(minutes),
        )
        outbox_event.objects.create(
            topic="legal_request.submitted",
            payload={
                "legal_request_id": str(request.pk),
                "kind": request.kind,
                "category": request.category,
                "submitted_at": request.submitted_at.isoformat(),
            },
            queue="urgent" if fields.get("kind") != "DATA_DISCLOSURE" else "default",
            enqueued_at=at(minutes),
            delivered_at=at(minutes + 0.1),
            attempts=1,
        )
        return request

    def route(request: Any, team_name: str, clock_length: timedelta, **ticket_fields: Any) -> Any:
        chosen = teams[team_name]
        due_at = request.submitted_at + clock_length
        legal_request.objects.filter(pk=request.pk).update(
            status="ROUTED",
            due_at=due_at,
            handling_desk=chosen.desk_name,
            routed_at=request.submitted_at + timedelta(seconds=2),
        )
        timeline.objects.create(
            legal_request=request,
            event="ROUTED",
            status="ROUTED",
            actor_label="switchboard",
            message=f"Routed to {chosen.desk_name}.",
            at=request.submitted_at + timedelta(seconds=2),
        )
        steps = [
            {"wait_minutes": s.wait_minutes, "action": s.action}
            for s in step.objects.filter(chain=chosen.escalation_chain).order_by("position")
        ]
        opened = ticket.objects.create(
            legal_request=request,
            team=chosen,
            routing_rule=rule.objects.filter(team=chosen).first(),
            priority=1 if clock_length <= HOUR else 4,
            urgent=clock_length <= 8 * HOUR,
            opened_at=request.submitted_at + timedelta(seconds=2),
            clock=clock_length,
            due_at=due_at,
            escalation_snapshot={
                "chain": chosen.escalation_chain.name,
                "warn_before_seconds": int(chosen.escalation_chain.warn_before.total_seconds()),
                "steps": steps,
            },
            next_escalation_at=request.submitted_at + timedelta(minutes=steps[0]["wait_minutes"]),
            warn_at=due_at - min(chosen.escalation_chain.warn_before, clock_length / 4),
            **ticket_fields,
        )
        notification.objects.create(
            ticket=opened,
            kind="ROUTED",
            step=0,
            recipients=[chosen.email],
            subject=f"[P{opened.priority}] New ticket {opened.pk} for {chosen.name}",
            body=request.summary,
            created_at=opened.opened_at,
            enqueued_at=opened.opened_at,
            sent_at=opened.opened_at + timedelta(seconds=1),
            attempts=1,
        )
        return opened

    # 1. A data disclosure, fulfilled: analysis, two approvals, a document, a package.
    fulfilled = submit(
        "demo-bka",
        0,
        kind="DATA_DISCLOSURE",
        category="FRAUD",
        reference="AZ 123/26",
        legal_basis="Court order, AG Berlin",
        jurisdiction="DE",
        summary="Investment fraud channel",
        data_categories=["IP_ADDRESSES", "PHONE_NUMBER"],
        idempotency_key="az-123-26",
        period_start=T0 - timedelta(days=30),
        period_end=T0 - timedelta(minutes=1),
    )
    target.objects.create(legal_request=fulfilled, kind="USERNAME", value="@fraud_boss")
    target.objects.create(
        legal_request=fulfilled, kind="PHONE_NUMBER", value="+4915123456789", position=1
    )
    route(
        fulfilled,
        "Law Enforcement Response EU",
        timedelta(days=7),
        state="RESOLVED",
        acknowledged_at=at(20),
        acknowledged_by=lead,
        assignee=lead,
        resolved_at=at(300),
        resolved_by=on_call,
    )
    legal_request.objects.filter(pk=fulfilled.pk).update(
        status="FULFILLED",
        decided_at=at(200),
        fulfilled_at=at(300),
        review_policy_version="2026-11",
    )
    for status, minutes in (("UNDER_REVIEW", 20), ("APPROVED", 200), ("FULFILLED", 300)):
        timeline.objects.create(
            legal_request=fulfilled,
            event="STATUS_CHANGED",
            status=status,
            actor_label="Legal desk",
            message=f"Now {status}.",
            at=at(minutes),
        )
    checklist = {
        "authority_verified": True,
        "legal_basis_valid": True,
        "targets_identified": True,
        "rules_broken": True,
        "data_minimised": True,
        "proportionate": True,
    }
    get("liaison", "LegalAnalysis").objects.create(
        legal_request=fulfilled,
        moderation_reference="MOD-7781",
        policy_version="2026-11",
        updated_by=lead,
        updated_at=at(100),
        **checklist,
    )
    for approver, minutes in ((lead, 150), (on_call, 200)):
        get("liaison", "Approval").objects.create(
            legal_request=fulfilled,
            approver=approver,
            policy_version="2026-11",
            checklist=checklist,
            approved_at=at(minutes),
        )
    get("liaison", "LegalDocument").objects.create(
        legal_request=fulfilled,
        organization=orgs["demo-bka"],
        uploaded_by=members["demo-bka"].user,
        file="legal-documents/az-123-26.pdf",
        filename="Beschluss AZ 123-26.pdf",
        size=48213,
        sha256="ab" * 32,
        uploaded_at=at(5),
    )
    records = [
        {
            "target_kind": "USERNAME",
            "target": "@fraud_boss",
            "phone_number": "+4915123456789",
            "ip_addresses": [{"address": "203.0.113.7", "seen_at": "2026-11-18T09:00:00Z"}],
        }
    ]
    package = get("liaison", "DisclosurePackage").objects.create(
        legal_request=fulfilled,
        records=records,
        signature="c2lnbmF0dXJl" * 7,
        key_id="f" * 64,
        created_by=on_call,
        created_at=at(300),
        expires_at=at(300) + timedelta(days=30),
    )
    outbox_event.objects.create(
        topic="legal_request.status_changed",
        payload={"legal_request_id": str(fulfilled.pk), "status": "FULFILLED"},
        enqueued_at=at(300),
        delivered_at=at(300.1),
        attempts=1,
    )
    get("liaison", "WebhookDelivery").objects.create(
        organization=orgs["demo-bka"],
        legal_request=fulfilled,
        event="legal_request.status_changed",
        url=orgs["demo-bka"].webhook_url,
        body=json.dumps({"id": str(fulfilled.pk), "status": "FULFILLED"}),
        state="DEAD",
        attempts=6,
        last_status_code=503,
        last_error="HTTP 503",
        created_at=at(300),
        dead_lettered_at=at(400),
    )

    # 2. A terrorism removal order, still open, escalated once.
    removal = submit(
        "demo-parquet-paris",
        10,
        kind="CONTENT_REMOVAL",
        category="TERRORISM",
        reference="PNAT 2026/77",
        legal_basis="Removal order, Reg. (EU) 2021/784, Art. 3",
        jurisdiction="FR",
        summary="Propaganda video",
    )
    target.objects.create(
        legal_request=removal, kind="MESSAGE_LINK", value="https://t.me/bad_channel/42"
    )
    escalated = route(removal, "Counter-Terrorism Desk", HOUR, on_call_position=1)
    ticket.objects.filter(pk=escalated.pk).update(escalation_step=1, next_escalation_at=at(25))
    timeline.objects.create(
        legal_request=removal,
        event="ESCALATED",
        status="ROUTED",
        actor_label="switchboard",
        message="Step 1: still unacknowledged; notify the next on-call person.",
        at=at(15),
        public=False,
    )
    notification.objects.create(
        ticket=escalated,
        kind="ESCALATION",
        step=1,
        recipients=[on_call.email],
        subject=f"[P1] ESCALATION 1: ticket {escalated.pk} for Counter-Terrorism Desk",
        body=removal.summary,
        created_at=at(15),
        enqueued_at=at(15),
        sent_at=at(15.1),
        attempts=1,
    )
    # A warning whose mail never went out: given up, and dead-lettered for staff to revive.
    given_up = notification.objects.create(
        ticket=escalated,
        kind="BREACH_WARNING",
        step=0,
        recipients=["ct-desk@platform.example"],
        subject="[P1] Deadline in 15 minutes",
        body=removal.summary,
        created_at=at(55),
        attempts=6,
        last_error="SMTP 421",
        gave_up_at=at(58),
    )
    dead_letter = get("portal", "DeadLetter")
    dead_letter.objects.create(
        key=f"notification:{given_up.pk}",
        task_name="hotline.tasks.send_notification_task",
        args=[given_up.pk],
        queue="urgent",
        error="SMTP 421",
        attempts=6,
        created_at=at(58),
    )

    # 3. An emergency disclosure waiting for the authority's answer (clock paused).
    emergency = submit(
        "demo-fbi",
        20,
        kind="EMERGENCY_DISCLOSURE",
        category="VIOLENCE",
        reference="FBI-WFO-26-0042",
        legal_basis="18 U.S.C. 2702(b)(8) emergency disclosure",
        jurisdiction="US",
        summary="Threat to life",
        data_categories=["IP_ADDRESSES"],
    )
    target.objects.create(legal_request=emergency, kind="USER_ID", value="100001")
    route(
        emergency,
        "Law Enforcement Response Americas",
        8 * HOUR,
        state="ACKNOWLEDGED",
        acknowledged_at=at(25),
        acknowledged_by=lead,
        paused_at=at(40),
    )
    legal_request.objects.filter(pk=emergency.pk).update(
        status="NEEDS_INFO", clock_paused_at=at(40)
    )
    get("liaison", "CallbackVerification").objects.create(
        legal_request=emergency,
        phone_called="+12023243000",
        officer_name="SA Miller",
        called_by=lead,
        called_at=at(30),
    )

    # 4. An urgent report raised in the NGO's hotline, routed to the child-safety desk.
    ngo_user = members["demo-childsafe-ngo"].user
    report = submit(
        "demo-childsafe-ngo",
        30,
        kind="MODERATION_NOTICE",
        category="CHILD_SAFETY",
        reference="HL-4-093000",
        legal_basis="DSA Art. 22 notice of a trusted flagger",
        jurisdiction="NL",
        summary="Abuse material in a public channel",
        idempotency_key=f"hotline:{ngo_user.pk}:cm-2",
    )
    target.objects.create(legal_request=report, kind="CHANNEL", value="https://t.me/some_channel")
    route(report, "Child Safety Desk", HOUR)
    old.report = report.pk

    # 5. A preservation whose routing event ran out of retries: dead-lettered, not yet revived.
    preservation = submit(
        "demo-bka",
        40,
        kind="PRESERVATION",
        category="OTHER",
        reference="AZ 124/26",
        legal_basis="EPOC-PR, Reg. (EU) 2023/1543",
        jurisdiction="DE",
        summary="Preserve before a production order",
        idempotency_key="az-124-26",
    )
    target.objects.create(legal_request=preservation, kind="USERNAME", value="@fraud_boss")
    stuck = outbox_event.objects.filter(payload__legal_request_id=str(preservation.pk))
    stuck.update(delivered_at=None, attempts=6, last_error="boom", dead_lettered_at=at(45))
    dead_letter.objects.create(
        key=f"outbox:{stuck.get().pk}",
        task_name="portal.tasks.deliver_outbox_event_task",
        args=[stuck.get().pk],
        queue="default",
        error="boom",
        attempts=6,
        outbox_event=stuck.get(),
        created_at=at(45),
    )
    old.requests = {
        "fulfilled": fulfilled.pk,
        "removal": removal.pk,
        "emergency": emergency.pk,
        "report": report.pk,
        "preservation": preservation.pk,
    }

    # Hotline conversations: every organization's main line, and one about a request.
    conversation = get("hotline", "Conversation")
    message = get("hotline", "Message")
    lines = {
        slug: conversation.objects.create(
            organization=org, title=f"{org.name} hotline", created_at=T0 - timedelta(days=30)
        )
        for slug, org in orgs.items()
    }
    ngo_line = lines["demo-childsafe-ngo"]
    for seq, fields in enumerate(
        [
            {"author": ngo_user, "author_name": "Child Safety Hotline (demo)", "body": "Hello desk",
             "client_message_id": "cm-1", "sent_at": at(29)},
            {"author": ngo_user, "author_name": "Child Safety Hotline (demo)",
             "body": "URGENT https://t.me/some_channel", "urgent": True,
             "client_message_id": "cm-2", "legal_request": report, "sent_at": at(30)},
            {"kind": "SYSTEM", "author_name": "Switchboard", "body": "Routed to Child Safety Desk.",
             "legal_request": report, "sent_at": at(30.1)},
            {"author": lead, "author_name": "Platform staff", "author_is_staff": True,
             "body": "On it.", "sent_at": at(31)},
        ],
        start=1,
    ):  # fmt: skip
        message.objects.create(conversation=ngo_line, seq=seq, **fields)
    conversation.objects.filter(pk=ngo_line.pk).update(
        last_seq=4, last_message_at=at(31), last_urgent_at=at(30)
    )
    case = conversation.objects.create(
        organization=orgs["demo-bka"], legal_request=fulfilled, title="AZ 123/26"
    )
    message.objects.create(
        conversation=case,
        seq=1,
        author=lead,
        author_name="Platform staff",
        author_is_staff=True,
        body="The package is ready.",
        sent_at=at(301),
    )
    conversation.objects.filter(pk=case.pk).update(last_seq=1, last_message_at=at(301))
    old.ngo_line = ngo_line.pk

    # The admin's change history points at a moved model through its content type.
    get("admin", "LogEntry").objects.create(
        user=lead,
        content_type=content_type.objects.get(app_label="hotline", model="ticket"),
        object_id=str(escalated.pk),
        object_repr=f"Ticket {escalated.pk}",
        action_flag=2,
        change_message="Acknowledged",
        action_time=at(16),
    )
    old.escalated_ticket = escalated.pk

    # The audit chain, hashed with liaison.audit's own function, on plain values.
    audit_entry = get("liaison", "AuditEntry")
    prev_hash = audit.GENESIS_HASH
    for seq, (minutes, actor, org_slug, action, object_type, object_id, details) in enumerate(
        [
            (20, lead, "demo-bka", "legal_request.status_changed", "LegalRequest", fulfilled.pk,
             {"from": "ROUTED", "to": "UNDER_REVIEW"}),
            (100, lead, "demo-bka", "legal_request.analysis_recorded", "LegalRequest",
             fulfilled.pk, {"policy_version": "2026-11", "checks": 6}),
            (150, lead, "demo-bka", "legal_request.approved", "LegalRequest", fulfilled.pk,
             {"approvals": 1}),
            (200, on_call, "demo-bka", "legal_request.approved", "LegalRequest", fulfilled.pk,
             {"approvals": 2}),
            (30, lead, "demo-fbi", "legal_request.callback_recorded", "LegalRequest",
             emergency.pk, {"officer": "SA Miller", "phone": "+12023243000"}),
            (300, on_call, "demo-bka", "disclosure_package.created", "DisclosurePackage",
             package.pk, {"legal_request_id": str(fulfilled.pk), "targets": 1,
                          "categories": ["IP_ADDRESSES", "PHONE_NUMBER"], "key_id": "f" * 64}),
            (310, None, "demo-bka", "disclosure_package.read", "DisclosurePackage", package.pk,
             {"legal_request_id": str(fulfilled.pk)}),
        ],
        start=1,
    ):  # fmt: skip
        fields = {
            "seq": seq,
            "at": at(minutes),
            "actor_user_id": actor.pk if actor else None,
            "actor_label": actor.email if actor else "officer@bka.demo",
            "organization_id": orgs[org_slug].pk,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "details": json.loads(audit.canonical_json(details)),
            "prev_hash": prev_hash,
        }
        prev_hash = audit._entry_hash(**fields)
        audit_entry.objects.create(**fields, hash=prev_hash)
    old.audit_entries = 7
    return old


# -- what must survive ----------------------------------------------------------------------


def table_columns() -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        return {
            table: [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            for table in connection.introspection.table_names(cursor)
            if table != "django_migrations"
        }


# Columns a migration drops on purpose: the delivery bookkeeping that moved to the outbox
# (switchboard 0004, liaison 0007). Every other old column must keep its values.
DROPPED_COLUMNS = {
    "hotline_notification": {"enqueued_at", "claimed_at"},
    "liaison_webhookdelivery": {"enqueued_at"},
}
# Tables the migrations add rows to or re-point on purpose (notifications and webhooks through
# the outbox: switchboard 0003, liaison 0006; the staff permissions and their groups: liaison
# 0008, switchboard 0005): their old rows are compared up to `OLD_MAX_ID`.
GROWN_TABLES = {
    "portal_outboxevent",
    "portal_deadletter",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


def kept_columns(columns: dict[str, list[str]]) -> dict[str, list[str]]:
    """The old columns that must survive, per table."""
    return {
        table: [c for c in names if c not in DROPPED_COLUMNS.get(table, set())]
        for table, names in columns.items()
        if table != "django_content_type"
    }


def fingerprints(
    columns: dict[str, list[str]], *, max_ids: dict[str, int] | None = None
) -> dict[str, tuple[int, str]]:
    """Per table: its row count and an MD5 of all its rows over the given columns (only the
    rows up to `max_ids[table]`, where given)."""
    quote = connection.ops.quote_name
    result = {}
    with connection.cursor() as cursor:
        for table, names in columns.items():
            limit = (max_ids or {}).get(table)
            where = f" WHERE id <= {int(limit)}" if limit is not None else ""
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r), '')) "  # noqa: S608 (names from introspection)
                f"FROM (SELECT ROW({', '.join(map(quote, names))})::text AS r FROM {quote(table)}{where}) AS t"
            )
            count, digest = cursor.fetchone()
            result[table] = (count, digest)
    return result


# Models created by migrations after the old layout (their content types are new rows).
MODELS_ADDED = {
    ("liaison", model)
    for model in (
        "intakeassessment", "tokensourceaddress", "targetpreflight", "callbacknumberchange",
        "nodatadecision", "cannotcomplynotice", "contentremoval", "nondisclosureorder",
        "usernotice", "preservation", "audittreehead",
    )
} | {
    # The transparency app's, whose staff permissions migration creates them (0008); the
    # monthly rollups' are gone with their models (0009), the span rollups' come after migrate.
    ("transparency", model)
    for model in ("dailyreport", "dailyreportrow", "statementofreasons", "trustedflagger")
}  # fmt: skip


def content_types() -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        return {pk: (label, model) for pk, label, model in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_an_old_installation_migrates_with_nothing_lost(migrator: Migrator) -> None:
    old_apps = migrate_to_old_layout()
    old = populate(old_apps)
    old_columns = kept_columns(table_columns())
    before = fingerprints(old_columns)
    with connection.cursor() as cursor:
        max_ids = {}
        for table in GROWN_TABLES:
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - fixed names
            max_ids[table] = cursor.fetchone()[0]
    # Of the grown tables' old rows, everything but what a dead letter is re-pointed by.
    repointed = {"key", "task_name", "args", "outbox_event_id"}
    grown_columns = {t: [c for c in old_columns[t] if c not in repointed] for t in GROWN_TABLES}
    grown_before = fingerprints(grown_columns, max_ids=max_ids)
    types_before = content_types()
    assert set(MOVED) <= set(types_before.values())
    permissions_before = dict(
        old_apps.get_model("auth", "Permission").objects.values_list("pk", "content_type_id")
    )

    migrate_to_newest(migrator)

    # Every row of every old table is there, with the same values in every old column (new
    # columns and the dropped delivery bookkeeping aside), and no table gained or lost a row
    # (the seeding migrations found the defaults in place and added nothing) but the outbox's.
    after = fingerprints({t: c for t, c in old_columns.items() if t not in GROWN_TABLES})
    assert {t: v for t, v in after.items() if v != before[t]} == {}
    assert fingerprints(grown_columns, max_ids=max_ids) == grown_before
    # The notification that had given up and the dead webhook are now dead-lettered outbox
    # events, and their dead letters point at those events (revivable from the one admin).
    migrated = OutboxEvent.objects.filter(pk__gt=max_ids["portal_outboxevent"])
    assert sorted(migrated.values_list("topic", flat=True)) == [
        "liaison.webhook_delivery",
        "switchboard.staff_notification",
    ]
    assert all(event.dead_lettered_at is not None for event in migrated)
    letters = DeadLetter.objects.filter(outbox_event__in=migrated, redriven_at__isnull=True)
    assert sorted(letter.key for letter in letters) == sorted(f"outbox:{e.pk}" for e in migrated)
    assert before["hotline_ticket"][0] == 4
    assert before["liaison_legalrequest"][0] == 5

    # Content types: the same rows (so permissions, groups and admin history keep pointing at
    # them), the moved models' now under their new app, and no stale twin under the old one.
    types_after = content_types()
    assert types_after.keys() >= types_before.keys()
    # Models added since the old layout get new content types, and only they.
    assert {types_after[pk] for pk in types_after.keys() - types_before.keys()} == MODELS_ADDED
    for pk, (label, model) in types_before.items():
        assert types_after[pk] == (MOVED.get((label, model), label), model)

    ContentType.objects.clear_cache()
    permissions_after = dict(Permission.objects.values_list("pk", "content_type_id"))
    assert {pk: permissions_after.get(pk) for pk in permissions_before} == permissions_before
    # The new ones: the staff permissions, held by the four staff groups (and the old group
    # kept what it had).
    assert Permission.objects.filter(
        codename__in=["review_legalrequest", "fulfil_legalrequest", "record_callback",
                      "work_ticket", "edit_policy"]
    ).count() == 5  # fmt: skip
    assert set(Group.objects.values_list("name", flat=True)) == {
        "Legal desk", "legal_reviewer", "callback_officer", "switchboard", "policy_admin",
    }  # fmt: skip
    lead, on_call = User.objects.get(pk=old.lead), User.objects.get(pk=old.on_call)
    assert lead.has_perm("switchboard.change_ticket")
    assert lead.has_perm("switchboard.view_notification")
    assert lead.has_perm("core.view_deadletter")
    assert on_call.has_perm("switchboard.view_ticket")
    assert not on_call.has_perm("switchboard.change_ticket")
    assert ContentType.objects.get_for_model(Ticket).app_label == "switchboard"
    history = LogEntry.objects.get()
    assert history.get_edited_object() == Ticket.objects.get(pk=old.escalated_ticket)

    # A few values per table, read through today's models.
    assert Team.objects.count() == 5
    assert Team.objects.get(is_fallback=True).name == "Legal Response Desk"
    assert TeamMember.objects.get(is_lead=True).user == lead
    assert [r.position for r in RoutingRule.objects.all()] == [10, 20, 30, 40, 50, 60]
    emergencies_eu = RoutingRule.objects.get(position=30)
    assert (emergencies_eu.kinds, emergencies_eu.region, emergencies_eu.urgency) == (
        ["EMERGENCY_DISCLOSURE"],
        "EEA",
        "URGENT",
    )
    assert emergencies_eu.escalation_chain.name == "Urgent (1-hour clocks)"
    assert RoutingRule.objects.get(position=50).countries == ["GB", "CH"]
    assert LegalClock.objects.count() == 8
    assert LegalClock.objects.get(kind="DATA_DISCLOSURE").duration == timedelta(days=7)
    assert LegalClock.objects.get(kind="CONTENT_REMOVAL", category="TERRORISM").duration == HOUR
    assert EscalationChain.objects.get(name="Standard").warn_before == timedelta(hours=2)
    assert list(
        EscalationStep.objects.filter(chain__name="Urgent (1-hour clocks)").values_list(
            "wait_minutes", flat=True
        )
    ) == [5, 10, 15]
    assert PolicyRevision.objects.filter(pk=1).exists()

    assert set(Organization.objects.values_list("slug", flat=True)) == set(old.orgs)
    bka = Organization.objects.get(slug="demo-bka")
    assert (bka.kind, bka.country, bka.verification) == ("AUTHORITY", "DE", "VERIFIED")
    assert bka.webhook_secret == "whsec-demo-bka"
    assert ApiToken.objects.filter(revoked_at__isnull=False).get().prefix == "revoked1"

    requests = {name: LegalRequest.objects.get(pk=pk) for name, pk in old.requests.items()}
    assert {name: r.status for name, r in requests.items()} == {
        "fulfilled": "FULFILLED",
        "removal": "ROUTED",
        "emergency": "NEEDS_INFO",
        "report": "ROUTED",
        "preservation": "RECEIVED",
    }
    # Where each came in is a field now: the report raised in the chat is HOTLINE, the rest API.
    assert {name: r.origin for name, r in requests.items()} == {
        name: RequestOrigin.HOTLINE if name == "report" else RequestOrigin.API for name in requests
    }
    assert requests["report"].idempotency_key.startswith("hotline:")
    assert requests["fulfilled"].data_categories == ["IP_ADDRESSES", "PHONE_NUMBER"]
    assert requests["fulfilled"].due_at == T0 + timedelta(days=7)
    assert requests["emergency"].clock_paused_at == at(40)
    assert list(requests["fulfilled"].targets.values_list("kind", "value")) == [
        ("USERNAME", "@fraud_boss"),
        ("PHONE_NUMBER", "+4915123456789"),
    ]
    assert Target.objects.count() == 6
    assert list(
        TimelineEntry.objects.filter(legal_request=requests["removal"]).values_list(
            "event", flat=True
        )
    ) == ["SUBMITTED", "ROUTED", "ESCALATED"]
    assert requests["fulfilled"].disclosure_package.records[0]["phone_number"] == "+4915123456789"
    assert requests["fulfilled"].approvals.count() == 2

    escalated = Ticket.objects.get(pk=old.escalated_ticket)
    assert (escalated.team.name, escalated.escalation_step, escalated.state) == (
        "Counter-Terrorism Desk",
        1,
        "OPEN",
    )
    assert escalated.legal_request == requests["removal"]
    assert [s["wait_minutes"] for s in escalated.escalation_snapshot["steps"]] == [5, 10, 15]
    assert Ticket.objects.get(legal_request=requests["emergency"]).paused_at == at(40)
    assert sorted(escalated.notifications.values_list("kind", "step")) == [
        ("BREACH_WARNING", 0),
        ("ESCALATION", 1),
        ("ROUTED", 0),
    ]
    assert Notification.objects.count() == 6

    ngo_line = Conversation.objects.get(pk=old.ngo_line)
    assert ngo_line.legal_request is None
    assert ngo_line.last_seq == 4
    assert list(ngo_line.messages.order_by("seq").values_list("seq", "kind")) == [
        (1, "USER"),
        (2, "USER"),
        (3, "SYSTEM"),
        (4, "USER"),
    ]
    urgent = Message.objects.get(urgent=True)
    assert (urgent.client_message_id, urgent.legal_request_id) == ("cm-2", old.report)
    assert Conversation.objects.count() == 5
    assert Message.objects.count() == 5

    # The six old events, and the two the migrations made of the given-up notification and
    # the dead webhook (checked above).
    assert OutboxEvent.objects.count() == 6 + 2
    stuck = OutboxEvent.objects.get(
        dead_lettered_at__isnull=False, pk__lte=max_ids["portal_outboxevent"]
    )
    assert stuck.payload["legal_request_id"] == str(old.requests["preservation"])
    assert DeadLetter.objects.get(outbox_event=stuck).key == f"outbox:{stuck.pk}"
    # No dead letter is left with a key only the old per-app revivals understood.
    assert not DeadLetter.objects.filter(key__startswith="notification:").exists()

    # The audit chain, hashed by the old installation, still verifies entry by entry.
    assert AuditEntry.objects.count() == old.audit_entries
    assert audit.audit_verify() == (old.audit_entries, None)
    output = io.StringIO()
    call_command("audit_verify", stdout=output)
    assert output.getvalue().strip() == f"Audit log OK: {old.audit_entries} entries, chain intact."

    # Tokens issued by the old installation still sign in (last, as this writes last_used_at).
    for slug, secret in old.tokens.items():
        actor = api_token_authenticate(secret)
        assert actor is not None
        assert actor.organization.slug == slug
