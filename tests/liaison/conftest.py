"""Fixtures of the review and disclosure tests: staff, a test signing key, demo accounts,
private media, and helpers that walk a request through the workflow with the services."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.actors import Actor, staff_actor
from liaison import disclosure, documents, instruments, lifecycle, preflight, review, submission
from liaison.models import LegalRequest, LoginEvent, PlatformAccount
from tests.conftest import Member
from tests.factories import StaffUserFactory

ALL_CHECKS = {
    "authority_verified": True,
    "legal_basis_valid": True,
    "targets_identified": True,
    "rules_broken": True,
    "moderation_reference": "MOD-2026-4711",
    "data_minimised": True,
    "proportionate": True,
}


@pytest.fixture(autouse=True)
def _test_signing_key(settings: Any) -> Ed25519PrivateKey:
    """A fresh key from SIGNING_KEY (never the developer's var/signing-key.pem)."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    settings.SIGNING_KEY = base64.b64encode(raw).decode()
    return key


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded documents go to a private temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff_one(db: Any) -> Actor:
    return staff_actor(StaffUserFactory())


@pytest.fixture
def staff_two(db: Any) -> Actor:
    return staff_actor(StaffUserFactory())


@pytest.fixture
def accounts(db: Any) -> dict[str, PlatformAccount]:
    """Two platform accounts with login IPs inside and outside a 30-day period."""
    now = timezone.now()
    boss = PlatformAccount.objects.create(
        user_id=100_001, username="fraud_boss", phone_number="+4915123456789"
    )
    other = PlatformAccount.objects.create(
        user_id=100_002, username="bystander_x", phone_number="+33612345678"
    )
    for account, address, days in (
        (boss, "203.0.113.7", 2),
        (boss, "2001:db8::7", 12),
        (boss, "198.51.100.23", 40),  # before the period
        (other, "192.0.2.44", 1),  # another account
    ):
        LoginEvent.objects.create(
            account=account, ip_address=address, seen_at=now - timedelta(days=days)
        )
    return {"boss": boss, "other": other}


SIGNED_ORDER = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def attach_signed_order(member: Member, legal_request: LegalRequest) -> None:
    """The authority attaches its signed order (a minimal PDF), as its instrument requires."""
    documents.legal_document_attach(
        actor=member.actor,
        legal_request_id=legal_request.pk,
        upload=SimpleUploadedFile("order.pdf", SIGNED_ORDER, content_type="application/pdf"),
    )


def submit(member: Member, *, with_document: bool = True, **overrides: Any) -> LegalRequest:
    """Submit a request through the service (defaults: a 30-day disclosure of both categories),
    with the signed order attached when its instrument requires one (unless `with_document` is
    False)."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "kind": "DATA_DISCLOSURE",
        "category": "FRAUD",
        "reference": "AZ 1/26",
        "legal_basis": "Court order, AG Berlin",
        "jurisdiction": "DE",
        "summary": "Investment fraud.",
        "targets": [submission.TargetSpec(kind="USERNAME", value="fraud_boss")],
        "data_categories": ["IP_ADDRESSES", "PHONE_NUMBER"],
        "period_start": now - timedelta(days=30),
        "period_end": now - timedelta(minutes=1),
    }
    fields.update(overrides)
    legal_request = submission.legal_request_submit(
        actor=member.actor, spec=submission.LegalRequestSpec(**fields)
    )
    if with_document and instruments.instrument_rule(legal_request.instrument).document_required:
        attach_signed_order(member, legal_request)
    return legal_request


def route(legal_request: LegalRequest) -> LegalRequest:
    """Route as the switchboard does: mark it routed, then (its flush) the pre-flight."""
    routed = lifecycle.legal_request_mark_routed(
        legal_request=legal_request,
        desk_name="Law Enforcement Response EU",
        due_at=timezone.now() + timedelta(days=10),
        actor_label="switchboard",
    )
    preflight.targets_preflight(legal_request=routed)
    return routed


def under_review(member: Member, staff: Actor, **overrides: Any) -> LegalRequest:
    legal_request = route(submit(member, **overrides))
    return review.legal_request_start_review(actor=staff, legal_request=legal_request)


def analyse(staff: Actor, legal_request: LegalRequest, **overrides: Any) -> None:
    review.legal_analysis_record(
        actor=staff, legal_request=legal_request, **{**ALL_CHECKS, **overrides}
    )


def approved(member: Member, first: Actor, second: Actor, **overrides: Any) -> LegalRequest:
    """A request with a complete analysis and two approvals from different staff."""
    legal_request = under_review(member, first, **overrides)
    analyse(first, legal_request)
    review.legal_request_approve(actor=first, legal_request=legal_request)
    legal_request.refresh_from_db()
    if legal_request.status == "UNDER_REVIEW":  # disclosure: the second pair of eyes
        review.legal_request_approve(actor=second, legal_request=legal_request)
        legal_request.refresh_from_db()
    return legal_request


def fulfilled(member: Member, first: Actor, second: Actor, **overrides: Any) -> LegalRequest:
    legal_request = approved(member, first, second, **overrides)
    if legal_request.kind == "EMERGENCY_DISCLOSURE":
        review.legal_request_record_callback(
            actor=first, legal_request=legal_request, officer_name="KHK Weber", confirmed=True
        )
    return disclosure.legal_request_fulfil(actor=second, legal_request=legal_request)
