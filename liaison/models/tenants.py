"""The tenants: organizations (authorities and NGOs), their members and API tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.egress import EgressURLValidator
from liaison.models.enums import OrganizationKind

if TYPE_CHECKING:
    from core.actors import Actor

_M = TypeVar("_M", bound=models.Model)


class TenantQuerySet(models.QuerySet[_M, _M]):
    """A queryset of rows owned by one organization. `visible_to` is THE tenancy rule: a member
    sees its own organization's rows, platform staff see all (unless `staff_see_all` is off),
    anyone else sees none. Subclasses say where the owning organization is (`tenant_field`)."""

    tenant_field: ClassVar[str] = "organization_id"
    staff_see_all: ClassVar[bool] = True

    def visible_to(self, actor: Actor | None) -> Self:
        """The rows this actor may see."""
        if actor is None:
            return self.none()
        if actor.organization_id is not None:
            return self.filter(**{self.tenant_field: actor.organization_id})
        if self.staff_see_all and actor.is_platform_staff:
            return self.all()
        return self.none()


class OrganizationQuerySet(TenantQuerySet["Organization"]):
    """Organizations: a member sees only its own."""

    tenant_field = "pk"


class Organization(models.Model):
    """An authority or NGO: the tenant. Everything it sends and reads is scoped to it."""

    class Verification(models.TextChoices):
        PENDING = "PENDING", gettext_noop("Pending")
        VERIFIED = "VERIFIED", gettext_noop("Verified")
        SUSPENDED = "SUSPENDED", gettext_noop("Suspended")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    verification = models.CharField(
        max_length=20, choices=Verification.choices, default=Verification.PENDING
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback_phone = models.CharField(
        max_length=32,
        blank=True,
        help_text="Registered number (E.164) staff call back before an emergency disclosure.",
    )
    contact_email = models.EmailField(blank=True)
    email_domain = models.CharField(
        max_length=253,
        blank=True,
        help_text=(
            "The organization's registered e-mail domain (e.g. polizei.example): a member whose "
            "address is outside it is a fraud signal at intake. Empty: not checked."
        ),
    )
    webhook_url = models.URLField(
        blank=True,
        max_length=500,
        # The egress policy (no internal addresses, https in production); checked again at send.
        validators=[
            EgressURLValidator(
                allowed_hosts_setting="WEBHOOK_ALLOWED_HOSTS",
                allow_http_setting="WEBHOOK_ALLOW_HTTP",
            )
        ],
        help_text="Where status changes of this organization's requests are POSTed (optional).",
    )
    webhook_secret = models.CharField(
        max_length=128,
        blank=True,
        help_text="Shared secret for the X-Liaison-Signature HMAC-SHA256 of webhook bodies.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED


class Membership(models.Model):
    """A person (Django user) acting for an organization."""

    class Role(models.TextChoices):
        MEMBER = "MEMBER", gettext_noop("Member")
        ADMIN = "ADMIN", gettext_noop("Administrator")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization.slug}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    """Reusable filters for API tokens."""

    def usable(self) -> ApiTokenQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, membership__is_active=True)


class ApiToken(models.Model):
    """A bearer token of one member: shown once, stored as a SHA-256 hash, found by its prefix."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    prefix = models.CharField(max_length=8, unique=True)
    token_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"lp_{self.prefix}_… ({self.membership})"
