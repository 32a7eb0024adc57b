"""Every change to what the intake checks rely on is audited: an organization's verification,
its callback number (E.164, and a second staff member approves the change), its e-mail domain
and webhook, token issue and revocation, and the routing policy (rules, clocks, chains)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core import egress
from core.actors import Actor, staff_actor
from liaison import organizations, tokens, verification
from liaison.audit import audit_verify
from liaison.models import ApiToken, AuditEntry, CallbackNumberChange
from switchboard import policy as policy_services
from switchboard.models import EscalationChain, EscalationStep, LegalClock, RoutingRule, Team
from tests.conftest import Member
from tests.factories import StaffUserFactory, SuperuserFactory
from tests.signin import sign_in_staff


def entries(action: str) -> list[AuditEntry]:
    """The entries of `action`, oldest first: sealed by `seq`, then unsealed ones (no `seq`
    yet) by id. Ordered by `seq` alone, the unsealed ones came in any order (a flaky test)."""
    return list(AuditEntry.objects.filter(action=action))  # Meta.ordering: seq, then id


@pytest.fixture
def admin_one(db: Any) -> Actor:
    return staff_actor(SuperuserFactory())


@pytest.fixture
def admin_two(db: Any) -> Actor:
    return staff_actor(SuperuserFactory())


@pytest.mark.django_db
def test_verification_and_its_withdrawal_are_audited(authority: Member, admin_one: Actor) -> None:
    organization = authority.organization
    organizations.organization_unverify(organization=organization, unverified_by=admin_one.user)
    organizations.organization_verify(organization=organization, verified_by=admin_one.user)
    (unverified,) = entries("organization.unverified")
    (verified,) = entries("organization.verified")
    assert unverified.details["from"] == "VERIFIED"
    assert unverified.details["to"] == "PENDING"
    assert verified.details == {
        "from": "PENDING",
        "to": "VERIFIED",
        "by_user_id": admin_one.user.pk,
    }
    assert verified.actor_label == admin_one.label
    assert verified.organization_id == organization.pk
    assert audit_verify()[1] is None


@pytest.mark.django_db
def test_admin_verify_actions_are_audited(authority: Member) -> None:
    client = sign_in_staff(Client(), SuperuserFactory())
    for action in ("unverify", "verify"):
        client.post(
            "/admin/liaison/organization/",
            {"action": action, "_selected_action": [str(authority.organization.pk)]},
        )
    assert [e.action for e in AuditEntry.objects.order_by("seq")][-2:] == [
        "organization.unverified",
        "organization.verified",
    ]


@pytest.mark.django_db
def test_a_callback_number_change_needs_a_second_staff_member(
    authority: Member, admin_one: Actor, admin_two: Actor
) -> None:
    organization = authority.organization
    old = organization.callback_phone
    change = verification.callback_number_change_request(
        actor=admin_one, organization=organization, new_phone="030 98765432", reason="New desk"
    )
    assert change.new_phone == "+493098765432"  # E.164, the organization's country as region
    organization.refresh_from_db()
    assert organization.callback_phone == old  # nothing changes before the approval
    with pytest.raises(ValidationError) as same:
        verification.callback_number_change_approve(actor=admin_one, change=change)
    assert same.value.code == "same_staff_member"
    with pytest.raises(ValidationError) as pending:
        verification.callback_number_change_request(
            actor=admin_two, organization=organization, new_phone="+4930111111"
        )
    assert pending.value.message_dict["new_phone"][0].startswith("A change of this")
    verification.callback_number_change_approve(actor=admin_two, change=change)
    organization.refresh_from_db()
    assert organization.callback_phone == "+493098765432"
    (asked,) = entries("organization.callback_number_change_requested")
    (approved,) = entries("organization.callback_number_change_approved")
    assert (asked.details["from"], asked.details["to"]) == (old, "+493098765432")
    assert approved.details["from"] == old
    assert approved.actor_label == admin_two.label
    with pytest.raises(ValidationError):
        verification.callback_number_change_approve(actor=admin_two, change=change)


@pytest.mark.parametrize(
    ("phone", "field"), [("not a number", "new_phone"), ("+49 30 1", "new_phone")]
)
@pytest.mark.django_db
def test_a_bad_callback_number_is_a_field_error(
    authority: Member, admin_one: Actor, phone: str, field: str
) -> None:
    with pytest.raises(ValidationError) as bad:
        verification.callback_number_change_request(
            actor=admin_one, organization=authority.organization, new_phone=phone
        )
    assert field in bad.value.message_dict
    assert not CallbackNumberChange.objects.exists()


@pytest.mark.django_db
def test_only_staff_who_may_change_organizations_ask(authority: Member) -> None:
    # Three staff groups, not this permission (callback officers hold it: they verify).
    reviewer = staff_actor(
        StaffUserFactory(groups=["legal_reviewer", "switchboard", "policy_admin"])
    )
    with pytest.raises(ValidationError) as refused:
        verification.callback_number_change_request(
            actor=reviewer, organization=authority.organization, new_phone="+493098765432"
        )
    assert refused.value.code == "permission_denied"
    officer = staff_actor(StaffUserFactory(groups=["callback_officer"]))
    change = verification.callback_number_change_request(
        actor=officer, organization=authority.organization, new_phone="+493098765432"
    )
    assert change.requested_by == officer.user


@pytest.mark.django_db
def test_callback_number_change_in_admin_with_two_staff_logins(authority: Member) -> None:
    first, second = (sign_in_staff(Client(), SuperuserFactory()) for _ in range(2))
    organization = authority.organization
    # The number is not editable on the organization's page.
    page = first.get(f"/admin/liaison/organization/{organization.pk}/change/").content.decode()
    assert 'name="callback_phone"' not in page
    bad = first.post(
        "/admin/liaison/callbacknumberchange/add/",
        {"organization": organization.pk, "new_phone": "garbage", "reason": ""},
    )
    assert bad.status_code == 200
    assert not CallbackNumberChange.objects.exists()
    first.post(
        "/admin/liaison/callbacknumberchange/add/",
        {"organization": organization.pk, "new_phone": "+49 30 98765432", "reason": "moved"},
    )
    change = CallbackNumberChange.objects.get()
    assert change.new_phone == "+493098765432"
    action = {"action": "approve", "_selected_action": [str(change.pk)]}
    refused = first.post("/admin/liaison/callbacknumberchange/", action, follow=True)
    assert "different staff member" in refused.content.decode()
    organization.refresh_from_db()
    assert organization.callback_phone != "+493098765432"
    second.post("/admin/liaison/callbacknumberchange/", action)
    organization.refresh_from_db()
    assert organization.callback_phone == "+493098765432"


@pytest.mark.django_db
def test_domain_and_webhook_changes_are_audited(
    authority: Member, admin_one: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A public address for the receiver's name (the resolver is the test's, not the network's).
    monkeypatch.setattr(egress, "resolve_addresses", lambda host, port: ["93.184.216.34"])
    organization = authority.organization
    verification.organization_change(
        actor=admin_one,
        organization=organization,
        changes={"email_domain": "@Polizei.Example.", "webhook_url": "https://hooks.example/in"},
    )
    organization.refresh_from_db()
    assert organization.email_domain == "polizei.example"
    (changed,) = entries("organization.changed")
    assert changed.details["changes"] == {
        "email_domain": {"from": "", "to": "polizei.example"},
        "webhook_url": {"from": "", "to": "https://hooks.example/in"},
    }
    with pytest.raises(ValidationError) as bad:
        verification.organization_change(
            actor=admin_one, organization=organization, changes={"email_domain": "not a domain"}
        )
    assert "email_domain" in bad.value.message_dict
    # Saving without a change writes nothing.
    verification.organization_change(
        actor=admin_one, organization=organization, changes={"email_domain": "polizei.example"}
    )
    assert len(entries("organization.changed")) == 1


@pytest.mark.django_db
def test_admin_edit_of_an_organization_is_audited(authority: Member) -> None:
    client = sign_in_staff(Client(), SuperuserFactory())
    organization = authority.organization
    url = f"/admin/liaison/organization/{organization.pk}/change/"
    response = client.post(
        url,
        {
            "name": organization.name,
            "country": "DE",
            "contact_email": "",
            "email_domain": "polizei.example",
            "webhook_url": "",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(authority.membership.pk),
            "memberships-0-organization": str(organization.pk),
            "memberships-0-user": str(authority.membership.user.pk),
            "memberships-0-role": "MEMBER",
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    organization.refresh_from_db()
    assert organization.email_domain == "polizei.example"
    (changed,) = entries("organization.changed")
    assert changed.details["changes"] == {"email_domain": {"from": "", "to": "polizei.example"}}


@pytest.mark.django_db
def test_token_issue_and_revocation_are_audited(authority: Member) -> None:
    issued = tokens.api_token_issue(membership=authority.membership, label="ci")
    token = issued.token
    client = sign_in_staff(Client(), SuperuserFactory())
    client.post(
        "/admin/liaison/apitoken/", {"action": "revoke", "_selected_action": [str(token.pk)]}
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    issue_entries = [e for e in entries("api_token.issued") if e.object_id == str(token.pk)]
    (revoked,) = entries("api_token.revoked")
    assert issue_entries[0].details["prefix"] == token.prefix
    assert issue_entries[0].actor_label == "command line"
    assert issued.secret not in str(issue_entries[0].details)
    assert revoked.object_id == str(token.pk)
    assert revoked.organization_id == authority.organization.pk
    assert revoked.actor_label.endswith("@platform.example")
    # Revoking again changes nothing and records nothing.
    tokens.api_token_revoke(token=ApiToken.objects.get(pk=token.pk))
    assert len(entries("api_token.revoked")) == 1


@pytest.mark.django_db
def test_routing_policy_changes_are_audited() -> None:
    policy_services.switchboard_seed_defaults()
    actor = staff_actor(StaffUserFactory())
    team = Team.objects.get(name="Counter-Terrorism Desk")
    rule = RoutingRule(position=50, name="Nordics", team=team, countries=["SE"])
    policy_services.routing_rule_save(actor=actor, rule=rule)
    rule.countries = ["SE", "NO"]
    policy_services.routing_rule_save(actor=actor, rule=rule)
    created, edited = [e for e in entries("routing_policy.saved") if e.object_type == "RoutingRule"]
    assert created.details["created"] is True
    assert edited.details["changes"] == {"countries": {"from": ["SE"], "to": ["SE", "NO"]}}
    clock = LegalClock.objects.get(kind="DATA_DISCLOSURE", category="")
    clock.duration = timedelta(days=7)
    policy_services.policy_record_save(actor=actor, record=clock)
    (clock_entry,) = [e for e in entries("routing_policy.saved") if e.object_type == "LegalClock"]
    assert clock_entry.details["changes"]["duration"] == {"from": 864000, "to": 604800}
    chain = EscalationChain.objects.create(name="Spare", warn_before=timedelta(minutes=10))
    step = EscalationStep(chain=chain, position=0, wait_minutes=5, action="WHOLE_TEAM")
    policy_services.policy_record_save(actor=actor, record=step)
    policy_services.policy_record_delete(actor=actor, record=step)
    (deleted,) = entries("routing_policy.deleted")
    assert deleted.object_type == "EscalationStep"
    assert deleted.details["changes"]["wait_minutes"] == {"from": 5, "to": None}
    policy_services.team_make_fallback(actor=actor, team=team)
    assert entries("routing_policy.saved")[-1].details["changes"]["fallback"]["to"] == [team.name]
    assert audit_verify()[1] is None


@pytest.mark.django_db
def test_admin_edit_of_a_clock_is_audited() -> None:
    policy_services.switchboard_seed_defaults()
    client = sign_in_staff(Client(), StaffUserFactory())
    clock = LegalClock.objects.get(kind="DATA_DISCLOSURE", category="")
    response = client.post(
        reverse("admin:switchboard_legalclock_change", args=[clock.pk]),
        {"kind": clock.kind, "category": "", "duration": "7 00:00:00", "note": clock.note},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    (entry,) = entries("routing_policy.saved")
    assert entry.details["changes"]["duration"] == {"from": 864000, "to": 604800}


@pytest.mark.django_db
def test_webhook_secret_rotation_is_audited_without_the_secret(authority: Member) -> None:
    client = sign_in_staff(Client(), SuperuserFactory())
    client.post(
        "/admin/liaison/organization/",
        {"action": "rotate_webhook_secret", "_selected_action": [str(authority.organization.pk)]},
    )
    authority.organization.refresh_from_db()
    secret = authority.organization.webhook_secret
    assert secret
    (rotated,) = entries("organization.changed")
    assert rotated.details["changes"] == {"webhook_secret": {"from": "(old)", "to": "(rotated)"}}
    assert secret not in str(rotated.details)
    assert rotated.actor_label.endswith("@platform.example")
