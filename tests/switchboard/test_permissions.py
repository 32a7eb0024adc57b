"""Least privilege for staff in the switchboard (issue 9, item 7).

Before: any `is_staff` user could work any ticket and edit the routing policy. Now the ticket
services (acknowledge, assign, escalate, resolve) take the `switchboard` group and the policy
services (rules, clocks, chains, teams) the `policy_admin` group; a refusal is `permission_denied`
in the service, and admin offers only what the user may use: no ticket actions without the
group, the policy models read-only (no add, change or delete) except for policy admins.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.actors import Actor, staff_actor
from core.outbox import services as outbox
from liaison import review
from switchboard import permissions, tickets
from switchboard import policy as policy_services
from switchboard.models import (
    EscalationChain,
    LegalClock,
    PolicyRevision,
    RoutingRule,
    Team,
    Ticket,
)
from tests.conftest import Member
from tests.factories import StaffUserFactory, SuperuserFactory
from tests.signin import sign_in_staff
from tests.switchboard.conftest import submit_request, submitted_events

OTHER_GROUPS = ["legal_reviewer", "callback_officer"]


def staff(*groups: str) -> Actor:
    return staff_actor(StaffUserFactory(groups=list(groups)))


def refused(call: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        call()
    error = excinfo.value
    codes = (
        [e.code for errors in error.error_dict.values() for e in errors]
        if hasattr(error, "error_dict")
        else [e.code for e in error.error_list]
    )
    assert codes == ["permission_denied"], error
    return error


def open_ticket(member: Member, **kwargs: str) -> Ticket:
    legal_request = submit_request(member, **kwargs)
    outbox.outbox_deliver(
        event_id=submitted_events().get(payload__legal_request_id=str(legal_request.pk)).pk
    )
    return Ticket.objects.get(legal_request=legal_request)


# Tickets ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_ticket_service_takes_the_switchboard_group(policy: None, authority: Member) -> None:
    ticket = open_ticket(authority)
    worker = staff(permissions.SWITCHBOARD)
    for outsider in (staff(), staff(*OTHER_GROUPS, permissions.POLICY_ADMIN)):
        for call in (
            lambda a=outsider: tickets.ticket_acknowledge(ticket=ticket, actor=a),
            lambda a=outsider: tickets.ticket_assign(ticket=ticket, actor=a, assignee=worker.user),
            lambda a=outsider: tickets.ticket_escalate(ticket=ticket, actor=a),
            lambda a=outsider: tickets.ticket_resolve(ticket=ticket, actor=a),
        ):
            error = refused(call)
            assert "switchboard group" in error.messages[0]
    ticket.refresh_from_db()
    assert (ticket.state, ticket.escalation_step, ticket.assignee_id) == ("OPEN", 0, None)

    tickets.ticket_escalate(ticket=ticket, actor=worker)
    tickets.ticket_assign(ticket=ticket, actor=worker, assignee=worker.user)
    ticket.refresh_from_db()
    assert (ticket.state, ticket.assignee_id) == ("ACKNOWLEDGED", worker.user.pk)
    # A ticket is resolved once its request is closed.
    review.legal_request_withdraw(actor=authority.actor, legal_request=ticket.legal_request)
    tickets.ticket_resolve(ticket=ticket, actor=worker)
    ticket.refresh_from_db()
    assert ticket.state == "RESOLVED"


@pytest.mark.django_db
def test_acknowledge_with_the_group(policy: None, authority: Member) -> None:
    ticket = open_ticket(authority)
    tickets.ticket_acknowledge(ticket=ticket, actor=staff(permissions.SWITCHBOARD))
    ticket.refresh_from_db()
    assert ticket.state == "ACKNOWLEDGED"


@pytest.mark.django_db
def test_a_ticket_goes_only_to_someone_who_can_work_it(policy: None, authority: Member) -> None:
    ticket = open_ticket(authority)
    lawyer = StaffUserFactory(groups=OTHER_GROUPS)
    with pytest.raises(ValidationError) as excinfo:
        tickets.ticket_assign(ticket=ticket, actor=staff(permissions.SWITCHBOARD), assignee=lawyer)
    assert set(excinfo.value.error_dict) == {"assignee"}
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


@pytest.mark.django_db
def test_superusers_work_tickets_without_a_group(policy: None, authority: Member) -> None:
    ticket = open_ticket(authority)
    tickets.ticket_acknowledge(ticket=ticket, actor=staff_actor(SuperuserFactory()))
    ticket.refresh_from_db()
    assert ticket.state == "ACKNOWLEDGED"


def ticket_actions(client: Client) -> list[str]:
    response = client.get(reverse("admin:switchboard_ticket_changelist"))
    assert response.status_code == 200
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices if name]


@pytest.mark.django_db
def test_admin_offers_ticket_actions_only_to_the_switchboard(
    policy: None, authority: Member
) -> None:
    ticket = open_ticket(authority)
    worker = sign_in_staff(Client(), StaffUserFactory(groups=[permissions.SWITCHBOARD]))
    assert set(ticket_actions(worker)) >= {"acknowledge", "assign_to_me", "escalate", "resolve"}

    # A policy admin who may look at the queues (view permission) may still not work them.
    admin_only = sign_in_staff(Client(), StaffUserFactory(groups=[permissions.POLICY_ADMIN]))
    looker = StaffUserFactory(groups=[permissions.POLICY_ADMIN])
    looker.user_permissions.add(
        Permission.objects.get(content_type__app_label="switchboard", codename="view_ticket")
    )
    viewer = sign_in_staff(Client(), looker)
    assert not {"acknowledge", "assign_to_me", "escalate", "resolve"} & set(ticket_actions(viewer))
    response = viewer.post(
        reverse("admin:switchboard_ticket_changelist"),
        {"action": "acknowledge", "_selected_action": [ticket.pk]},
    )
    assert response.status_code in (200, 302)
    ticket.refresh_from_db()
    assert ticket.state == "OPEN"
    # Without the ticket's view permission, the queue is not theirs at all.
    assert admin_only.get(reverse("admin:switchboard_ticket_changelist")).status_code == 403

    worker.post(
        reverse("admin:switchboard_ticket_changelist"),
        {"action": "acknowledge", "_selected_action": [ticket.pk]},
    )
    ticket.refresh_from_db()
    assert ticket.state == "ACKNOWLEDGED"


# Policy ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_policy_services_take_the_policy_admin_group(policy: None) -> None:
    team = Team.objects.get(name="Counter-Terrorism Desk")
    rule = RoutingRule(position=7, name="Nordics", team=team, countries=["SE"])
    clock = LegalClock.objects.get(kind="DATA_DISCLOSURE", category="")
    clock.duration = timedelta(days=7)
    for outsider in (staff(), staff(permissions.SWITCHBOARD, *OTHER_GROUPS)):
        refused(lambda a=outsider: policy_services.routing_rule_save(actor=a, rule=rule))
        refused(lambda a=outsider: policy_services.team_make_fallback(actor=a, team=team))
        refused(lambda a=outsider: policy_services.policy_record_save(actor=a, record=clock))
        refused(
            lambda a=outsider: policy_services.policy_record_delete(
                actor=a, record=EscalationChain.objects.first()
            )
        )
    assert not RoutingRule.objects.filter(name="Nordics").exists()
    assert not Team.objects.get(pk=team.pk).is_fallback
    assert LegalClock.objects.get(pk=clock.pk).duration == timedelta(days=10)

    admin = staff(permissions.POLICY_ADMIN)
    token = PolicyRevision.objects.get().token
    policy_services.routing_rule_save(actor=admin, rule=rule)
    policy_services.policy_record_save(actor=admin, record=clock)
    policy_services.team_make_fallback(actor=admin, team=team)
    assert RoutingRule.objects.filter(name="Nordics").exists()
    assert LegalClock.objects.get(pk=clock.pk).duration == timedelta(days=7)
    assert Team.objects.get(pk=team.pk).is_fallback
    assert PolicyRevision.objects.get().token != token  # routing reloads the edited policy


@pytest.mark.django_db
def test_admin_gives_the_policy_models_change_permissions_only_to_policy_admins(
    policy: None,
) -> None:
    rule = RoutingRule.objects.first()
    team = Team.objects.get(name="Counter-Terrorism Desk")
    worker = sign_in_staff(Client(), StaffUserFactory(groups=[permissions.SWITCHBOARD]))
    for model in ("routingrule", "team", "legalclock", "escalationchain"):
        listing = worker.get(reverse(f"admin:switchboard_{model}_changelist"))
        assert listing.status_code == 200  # they may look
        assert reverse(f"admin:switchboard_{model}_add") not in listing.content.decode()
        assert worker.get(reverse(f"admin:switchboard_{model}_add")).status_code == 403
    page = worker.get(reverse("admin:switchboard_routingrule_change", args=[rule.pk]))
    assert 'name="_save"' not in page.content.decode()
    refused_post = worker.post(
        reverse("admin:switchboard_routingrule_change", args=[rule.pk]),
        {"position": 1, "name": "Hijacked", "team": team.pk, "countries": "",
         "region": "", "urgency": "ANY", "is_active": "on"},
    )  # fmt: skip
    assert refused_post.status_code == 403
    assert (
        worker.post(
            reverse("admin:switchboard_routingrule_delete", args=[rule.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert "make_fallback" not in str(
        worker.get(reverse("admin:switchboard_team_changelist")).context["action_form"]
    )
    rule.refresh_from_db()
    assert rule.name != "Hijacked"

    admin = sign_in_staff(Client(), StaffUserFactory(groups=[permissions.POLICY_ADMIN]))
    listing = admin.get(reverse("admin:switchboard_routingrule_changelist")).content.decode()
    assert reverse("admin:switchboard_routingrule_add") in listing
    response = admin.post(
        reverse("admin:switchboard_routingrule_change", args=[rule.pk]),
        {"position": rule.position, "name": "Renamed", "team": team.pk, "countries": "",
         "region": "", "urgency": "ANY", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Renamed"
    # The team page with its members inline (saved through the policy service too).
    response = admin.post(
        reverse("admin:switchboard_team_change", args=[team.pk]),
        {"name": team.name, "desk_name": "Counter-Terrorism Desk (24/7)", "email": "",
         "escalation_chain": team.escalation_chain_id or "",
         "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
         "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    team.refresh_from_db()
    assert team.desk_name == "Counter-Terrorism Desk (24/7)"


def test_the_migration_creates_the_groups_the_app_defines() -> None:
    """The migration writes its groups out (as they were then); they must still match."""
    migration = importlib.import_module("switchboard.migrations.0005_staff_permissions")
    assert {name: set(perms) for name, perms in migration.GROUPS.items()} == {
        name: set(perms) for name, perms in permissions.STAFF_GROUPS.items()
    }
