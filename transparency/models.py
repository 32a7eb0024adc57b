"""The published daily transparency reports: immutable rows, signed documents."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from liaison.models import LegalRequest, Organization, RequestCategory, RequestKind


class DailyReport(models.Model):
    """The transparency report of one UTC day, as published: immutable once stored.

    `document` is the exact canonical JSON (sorted keys, no spaces, UTF-8) that `signature`
    (Ed25519, the portal's key `key_id`) signs; it carries the audit chain's head at generation
    (`audit_head_seq`, `audit_head_hash`), which `audit_verify` checks the chain still holds.
    A database trigger refuses UPDATE and DELETE (migration 0002).
    """

    day = models.DateField(unique=True)
    generated_at = models.DateTimeField()
    audit_head_seq = models.BigIntegerField()
    audit_head_hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=64)
    signature = models.CharField(max_length=100)
    document = models.TextField(help_text="Canonical JSON, exactly as signed.")

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Transparency report {self.day.isoformat()}"


class DailyReportRow(models.Model):
    """One jurisdiction x kind x category of a day's report: requests received that day and
    their outcome at generation. The seconds arrays keep every sample (sorted): a period's
    medians over days not summarised by a rollup are exact, computed in SQL."""

    report = models.ForeignKey(DailyReport, on_delete=models.PROTECT, related_name="rows")
    day = models.DateField(help_text="The report's day (repeated for the period index).")
    jurisdiction = models.CharField(max_length=2)
    kind = models.CharField(max_length=32, choices=RequestKind.choices)
    category = models.CharField(max_length=32, choices=RequestCategory.choices)
    received = models.PositiveIntegerField()
    fulfilled = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    rejected_by_reason = models.JSONField(default=dict)
    withdrawn = models.PositiveIntegerField()
    open = models.PositiveIntegerField()
    accounts_affected = models.PositiveIntegerField()
    acted = models.PositiveIntegerField(help_text="Fulfilled (or removed) or rejected.")
    within_deadline = models.PositiveIntegerField(help_text="Acted on by the legal deadline.")
    breaches = models.PositiveIntegerField()
    trusted_flagger_notices = models.PositiveIntegerField()
    seconds_to_acknowledge = ArrayField(models.IntegerField(), default=list)
    seconds_to_act = ArrayField(models.IntegerField(), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "jurisdiction", "kind", "category"],
                name="transparency_row_once",
            )
        ]
        indexes = [
            models.Index(fields=["day"], name="transparency_row_day_idx"),
            models.Index(fields=["jurisdiction", "day"], name="transparency_row_country_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.jurisdiction} {self.kind} {self.category}"


class Rollup(models.Model):
    """The published days of one span of a calendar month (days 1-8, 9-15, 16-23, 24 to its
    end), summed: derived data, not published.

    Built by the daily job in the transaction that publishes the span's last day (or a later
    day), rebuilt with every later span when a day of an already summarised span is published
    late, so that it always equals the sum of the span's published day rows. A period that
    covers whole months reads these instead of ~30 day rows per group and month, and at most 4
    day rows at each end (see transparency.aggregation).
    """

    start = models.DateField(unique=True, help_text="First day of the span.")
    days = models.PositiveSmallIntegerField(help_text="Published days summed.")
    built_at = models.DateTimeField()

    class Meta:
        ordering = ["-start"]

    def __str__(self) -> str:
        return f"Transparency rollup from {self.start:%Y-%m-%d}"


class RollupRow(models.Model):
    """One jurisdiction x kind x category of a rollup, cumulative: the counts and rejection
    reasons of every span of the chain up to this one, and the histograms of their seconds in
    the fixed log-scale buckets of `transparency_seconds_bucket` (migration 0006), as
    cumulative arrays (element i: the samples in buckets 0..i). The spans after A up to B are
    row B minus row A, so a year costs two rows per group however many samples it has."""

    rollup = models.ForeignKey(Rollup, on_delete=models.CASCADE, related_name="rows")
    start = models.DateField()
    jurisdiction = models.CharField(max_length=2)
    kind = models.CharField(max_length=32, choices=RequestKind.choices)
    category = models.CharField(max_length=32, choices=RequestCategory.choices)
    received = models.PositiveIntegerField()
    fulfilled = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    rejected_by_reason = models.JSONField(default=dict)
    withdrawn = models.PositiveIntegerField()
    open = models.PositiveIntegerField()
    accounts_affected = models.PositiveIntegerField()
    acted = models.PositiveIntegerField()
    within_deadline = models.PositiveIntegerField()
    breaches = models.PositiveIntegerField()
    trusted_flagger_notices = models.PositiveIntegerField()
    acknowledge_cdf = ArrayField(models.IntegerField(), default=list)
    act_cdf = ArrayField(models.IntegerField(), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["start", "jurisdiction", "kind", "category"],
                name="transparency_rollup_row_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}: {self.jurisdiction} {self.kind} {self.category}"


class StatementOfReasons(models.Model):
    """The statement of reasons of one executed content removal, in the Commission's DSA
    Transparency Database schema (`statement`), and how its delivery stands.

    One per request (unique), identified at the database by `puid`, which the database refuses
    twice: a statement it already holds counts as delivered, so a batch sent again after a
    crash never stores anything twice there.
    """

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting to be sent"
        DELIVERED = "DELIVERED", "Stored by the Transparency Database"
        REFUSED = "REFUSED", "Refused by the Transparency Database (see error)"

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.PROTECT, related_name="statement_of_reasons"
    )
    puid = models.CharField(max_length=500, unique=True)
    statement = models.JSONField()
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.PENDING, db_index=True
    )
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "statements of reasons"

    def __str__(self) -> str:
        return f"Statement {self.puid} ({self.state})"


class TrustedFlagger(Organization):
    """An NGO seen as a trusted flagger (DSA Art. 22): the staff statistics page in admin."""

    class Meta:
        proxy = True
        verbose_name = "trusted flagger"
