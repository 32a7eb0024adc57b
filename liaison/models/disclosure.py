"""Disclosure packages: the signed data produced for a fulfilled disclosure."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from liaison.models.requests import LegalRequest
from liaison.models.tenants import TenantQuerySet


class DisclosurePackageQuerySet(TenantQuerySet["DisclosurePackage"]):
    """Reusable filters for disclosure packages. `visible_to`: the packages of the actor's
    organization only; staff do not read them through the API."""

    tenant_field = "legal_request__organization_id"
    staff_see_all = False

    def unexpired(self) -> DisclosurePackageQuerySet:
        return self.filter(expires_at__gt=timezone.now())


class DisclosurePackage(models.Model):
    """The data produced for a fulfilled disclosure: per target, phone number and IP addresses in
    the requested period, signed with the deployment's Ed25519 key, readable until it expires."""

    legal_request = models.OneToOneField(
        LegalRequest, on_delete=models.PROTECT, related_name="disclosure_package"
    )
    records = models.JSONField(help_text="Exactly what was signed (see liaison.signing).")
    signature = models.CharField(max_length=100, help_text="Ed25519, base64.")
    key_id = models.CharField(max_length=64, help_text="Fingerprint of the signing key.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = DisclosurePackageQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Package for {self.legal_request_id}"
