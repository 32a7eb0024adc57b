"""The switchboard's policy (teams, routing rules, legal clocks, escalation chains) and its work
(tickets and the notifications they send)."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from liaison import instruments
from liaison.models import LegalRequest, RequestCategory, RequestKind
from switchboard.regions import Region, region_countries


class Urgency(models.TextChoices):
    """Which requests a rule applies to by the length of their legal clock."""

    ANY = "ANY", "Any"
    URGENT = "URGENT", "Urgent (clock of 8 hours or less)"
    NON_URGENT = "NON_URGENT", "Not urgent"


class EscalationChain(models.Model):
    """What happens while a ticket stays unacknowledged: ordered steps, and a pre-breach warning.

    A ticket takes a snapshot of its chain when it is opened, so editing a chain changes only
    the tickets opened afterwards.
    """

    name = models.CharField(max_length=100, unique=True)
    warn_before = models.DurationField(
        default=timedelta(minutes=15),
        help_text="Warn the team this long before the deadline (at most a quarter of the clock).",
    )
    description = models.TextField(blank=True)

    class Meta:
        db_table = "hotline_escalationchain"  # the table it had before the move
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(warn_before__gt=timedelta(0)), name="escalation_chain_warn_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, Any]:
        """The chain as a ticket keeps it: plain data, independent of later edits."""
        return {
            "chain": self.name,
            "warn_before_seconds": int(self.warn_before.total_seconds()),
            "steps": [
                {"wait_minutes": step.wait_minutes, "action": step.action}
                for step in sorted(self.steps.all(), key=lambda s: (s.position, s.pk))
            ],
        }


class EscalationAction(models.TextChoices):
    """Whom an escalation step notifies."""

    NEXT_ON_CALL = "NEXT_ON_CALL", "Notify the next on-call person"
    TEAM_LEAD = "TEAM_LEAD", "Notify the team lead"
    WHOLE_TEAM = "WHOLE_TEAM", "Notify the whole team"


class EscalationStep(models.Model):
    """One step of a chain: after `wait_minutes` more without acknowledgement, notify someone."""

    Action = EscalationAction

    chain = models.ForeignKey(EscalationChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    wait_minutes = models.PositiveIntegerField(help_text="Minutes after the previous step.")
    action = models.CharField(max_length=20, choices=EscalationAction.choices)

    class Meta:
        db_table = "hotline_escalationstep"  # the table it had before the move
        ordering = ["chain", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="escalation_step_position"),
            models.CheckConstraint(condition=Q(wait_minutes__gte=1), name="escalation_step_wait"),
            models.CheckConstraint(
                condition=Q(action__in=EscalationAction.values), name="escalation_step_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chain}: +{self.wait_minutes} min → {self.get_action_display()}"


class Team(models.Model):
    """An internal team with a queue of tickets; authorities see only its public desk name.

    Exactly one team is the fallback: it gets whatever no rule matches (and whatever a broken
    rule could not place).
    """

    name = models.CharField(max_length=100, unique=True, help_text="Internal name.")
    desk_name = models.CharField(
        max_length=120, help_text="Public name shown to authorities (handlingTeam, /guide/)."
    )
    email = models.EmailField(blank=True, help_text="The team's shared mailbox.")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMember", related_name="hotline_teams", blank=True
    )
    escalation_chain = models.ForeignKey(
        EscalationChain, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    is_fallback = models.BooleanField(
        default=False, help_text="Receives every request that no routing rule matches."
    )

    class Meta:
        db_table = "hotline_team"  # the table it had before the move
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_fallback"], condition=Q(is_fallback=True), name="team_one_fallback"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The fallback can be moved to another team (admin action) but never removed."""
        if self.pk and not self.is_fallback:
            was_fallback = Team.objects.filter(pk=self.pk, is_fallback=True).exists()
            if was_fallback:
                raise ValidationError(
                    {
                        "is_fallback": "A fallback team must always exist: make another team the "
                        "fallback (action “Make fallback team”) instead."
                    }
                )
        if self.is_fallback and Team.objects.filter(is_fallback=True).exclude(pk=self.pk).exists():
            raise ValidationError(
                {"is_fallback": "Another team is the fallback: use “Make fallback team”."}
            )


class TeamMember(models.Model):
    """A staff member of a team, in the team's on-call order (lowest position is called first)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hotline_memberships"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="On-call order.")
    is_lead = models.BooleanField(default=False)

    class Meta:
        db_table = "hotline_teammember"  # the table it had before the move
        ordering = ["team", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} (#{self.position})"


def _choices_check(field: str, values: list[str]) -> Q:
    return Q(**{f"{field}__contained_by": values})


class RoutingRule(models.Model):
    """Sends matching requests to a team. Rules are tried in order; the first match wins.

    An empty list matches anything; a rule that names countries and/or a region matches a
    jurisdiction in either.
    """

    position = models.PositiveIntegerField(
        default=100, help_text="Lower positions are tried first."
    )
    name = models.CharField(max_length=120)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routing_rules")
    kinds = ArrayField(
        models.CharField(max_length=32, choices=RequestKind.choices), default=list, blank=True
    )
    categories = ArrayField(
        models.CharField(max_length=32, choices=RequestCategory.choices), default=list, blank=True
    )
    countries = ArrayField(models.CharField(max_length=2), default=list, blank=True)
    region = models.CharField(max_length=20, choices=Region.choices, blank=True)
    urgency = models.CharField(max_length=20, choices=Urgency.choices, default=Urgency.ANY)
    escalation_chain = models.ForeignKey(
        EscalationChain,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="routing_rules",
        help_text="Overrides the team's chain for the requests of this rule.",
    )
    is_active = models.BooleanField(default=True)
    last_error = models.TextField(blank=True, help_text="The last error raised evaluating it.")
    last_error_at = models.DateTimeField(null=True, blank=True)
    error_count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "hotline_routingrule"  # the table it had before the move
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_choices_check("kinds", RequestKind.values), name="routing_rule_kinds"
            ),
            models.CheckConstraint(
                condition=_choices_check("categories", RequestCategory.values),
                name="routing_rule_categories",
            ),
            models.CheckConstraint(
                condition=Q(region__in=["", *Region.values]), name="routing_rule_region"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="routing_rule_urgency"
            ),
        ]
        indexes = [models.Index(fields=["position", "id"], name="routing_rule_order_idx")]

    def __str__(self) -> str:
        return f"#{self.position} {self.name} → {self.team}"

    def clean(self) -> None:
        """Field-level checks that a form shows next to the field."""
        errors: dict[str, Any] = {}
        for country in self.countries:
            try:
                instruments.validate_country(country, field="countries", canonical=True)
            except ValidationError as error:
                error.update_error_dict(errors)
        if not errors and len(set(self.countries)) != len(self.countries):
            errors["countries"] = "A country is listed twice."
        bad_kinds = [k for k in self.kinds if k not in RequestKind.values]
        if bad_kinds:
            errors["kinds"] = f"Unknown kinds: {', '.join(bad_kinds)}."
        bad_categories = [c for c in self.categories if c not in RequestCategory.values]
        if bad_categories:
            errors["categories"] = f"Unknown categories: {', '.join(bad_categories)}."
        if self.region and self.region not in Region.values:
            errors["region"] = f"Unknown region {self.region!r}."
        if errors:
            raise ValidationError(errors)

    def matches(self, *, kind: str, category: str, jurisdiction: str, urgent: bool) -> bool:
        """Does this rule apply to a request? (May raise on a rule the code can't evaluate.)"""
        if self.kinds and kind not in self.kinds:
            return False
        if self.categories and category not in self.categories:
            return False
        if self.urgency == Urgency.URGENT and not urgent:
            return False
        if self.urgency == Urgency.NON_URGENT and urgent:
            return False
        if self.countries or self.region:
            in_region = bool(self.region) and jurisdiction in region_countries(self.region)
            if not in_region and jurisdiction not in self.countries:
                return False
        return True


class LegalClock(models.Model):
    """The time allowed from receipt for a kind of request; a blank category means "any other"."""

    kind = models.CharField(max_length=32, choices=RequestKind.choices)
    category = models.CharField(
        max_length=32,
        choices=RequestCategory.choices,
        blank=True,
        help_text="Leave blank for every category without a clock of its own.",
    )
    duration = models.DurationField(help_text="e.g. 1:00:00 for one hour, 10 00:00:00 for 10 days")
    note = models.CharField(max_length=200, blank=True, help_text="The instrument behind it.")

    class Meta:
        db_table = "hotline_legalclock"  # the table it had before the move
        ordering = ["kind", "category"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "category"], name="legal_clock_once"),
            models.CheckConstraint(
                condition=Q(duration__gt=timedelta(0)), name="legal_clock_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RequestKind.values), name="legal_clock_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=["", *RequestCategory.values]),
                name="legal_clock_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} x {self.category or 'any other'}: {self.duration}"


class TicketQuerySet(models.QuerySet["Ticket"]):
    """Reusable filters for tickets."""

    def unresolved(self) -> TicketQuerySet:
        return self.exclude(state=Ticket.State.RESOLVED)

    def overdue(self, now: object = None) -> TicketQuerySet:
        """Unresolved tickets past their deadline whose clock runs: a ticket paused for a
        clarification is paused, not overdue (its deadline moves on when the clock resumes)."""
        return self.clock_running().filter(due_at__lte=now or timezone.now())

    def clock_running(self) -> TicketQuerySet:
        """Unresolved tickets whose legal clock runs (not paused for a clarification)."""
        return self.unresolved().filter(paused_at__isnull=True)


class Ticket(models.Model):
    """A legal request in a team's queue: its deadline, priority and escalation state.

    Exactly one per request (unique constraint). `escalation_snapshot` is the team's chain as it
    was at opening; `escalation_step` counts the steps already taken.
    """

    class State(models.TextChoices):
        OPEN = "OPEN", "Open (unacknowledged)"
        ACKNOWLEDGED = "ACKNOWLEDGED", "Acknowledged"
        RESOLVED = "RESOLVED", "Resolved"

    legal_request = models.ForeignKey(
        LegalRequest, on_delete=models.PROTECT, related_name="hotline_tickets"
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    priority = models.PositiveSmallIntegerField(
        help_text="1 (clock ≤ 1 h) to 4 (longer than 24 h)."
    )
    urgent = models.BooleanField(default=False)
    routing_rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    routing_error = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    clock = models.DurationField()
    due_at = models.DateTimeField()
    escalation_snapshot = models.JSONField(default=dict, blank=True)
    escalation_step = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)
    on_call_position = models.PositiveSmallIntegerField(
        default=0, help_text="Index in the on-call order of the person called last."
    )
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while staff wait for the authority's answer: no escalation, no breach.",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hotline_tickets",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TicketQuerySet.as_manager()

    class Meta:
        db_table = "hotline_ticket"  # the table it had before the move
        # Granted through the `switchboard` group (switchboard.permissions).
        permissions = [
            ("work_ticket", "Can work tickets (acknowledge, assign, escalate, resolve)"),
        ]
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["legal_request"], name="ticket_one_per_request"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="ticket_priority_range"
            ),
        ]
        indexes = [
            models.Index(fields=["team", "due_at"], name="ticket_team_queue_idx"),
            models.Index(
                fields=["next_escalation_at"],
                name="ticket_escalation_due_idx",
                condition=Q(state="OPEN", next_escalation_at__isnull=False),
            ),
            models.Index(
                fields=["warn_at"],
                name="ticket_warning_due_idx",
                condition=Q(warned_at__isnull=True, breached_at__isnull=True)
                & ~Q(state="RESOLVED"),
            ),
            models.Index(
                fields=["due_at"],
                name="ticket_breach_due_idx",
                condition=Q(breached_at__isnull=True) & ~Q(state="RESOLVED"),
            ),
        ]

    def __str__(self) -> str:
        due = self.due_at.astimezone(UTC)
        return f"Ticket {self.pk} · {self.team} · due {due:%Y-%m-%d %H:%M} UTC"


class Notification(models.Model):
    """One message to a team about a ticket (routed, escalation step, warning, breach).

    Written in the transaction that decides it, with its outbox event (topic
    `switchboard.staff_notification`), which sends it after commit, retries it and, when its
    attempts run out, dead-letters it (`gave_up_at`). At most one per ticket, kind and step
    (unique constraint). `attempts` counts the sends tried, `last_error` the last failure.
    """

    class Kind(models.TextChoices):
        ROUTED = "ROUTED", "New ticket"
        ESCALATION = "ESCALATION", "Escalation"
        BREACH_WARNING = "BREACH_WARNING", "Deadline warning"
        BREACHED = "BREACHED", "Deadline breached"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(default=0)
    recipients = ArrayField(models.EmailField(), default=list, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "hotline_notification"  # the table it had before the move
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "step"], name="notification_once_per_ticket_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.step} for ticket {self.ticket_id}"


class PolicyRevision(models.Model):
    """One row whose token changes with every edit of the routing policy (teams, rules, clocks,
    chains), in the editing transaction: routing caches the policy per process and reloads it
    when the token differs, so an edit applies to the very next request."""

    token = models.UUIDField(default=uuid.uuid4)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "hotline_policyrevision"  # the table it had before the move
        # The routing policy as a whole; granted through the `policy_admin` group, with the
        # change permissions of the policy models (switchboard.permissions).
        permissions = [
            (
                "edit_policy",
                "Can edit the routing policy (teams, routing rules, legal clocks, chains)",
            ),
        ]

    def __str__(self) -> str:
        return f"policy {self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
