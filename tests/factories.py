"""factory_boy factories for the domain models, shared by every test module."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from liaison import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"officer{n}@example.org")
    email = factory.SelfAttribute("username")


def staff_groups() -> dict[str, tuple[str, ...]]:
    """The four staff groups with their permissions, as the apps define them."""
    from core.staff import staff_groups_merge
    from liaison import permissions as liaison_permissions
    from switchboard import permissions as switchboard_permissions
    from transparency import permissions as transparency_permissions

    return staff_groups_merge(
        liaison_permissions.STAFF_GROUPS,
        switchboard_permissions.STAFF_GROUPS,
        transparency_permissions.STAFF_GROUPS,
    )


def staff_groups_ensure() -> None:
    """The groups exist (a transactional test's flush empties auth_group; migrations made them)."""
    from core.staff import staff_groups_ensure as ensure

    ensure(staff_groups())


class StaffUserFactory(UserFactory):
    """A staff member (not a superuser) in every staff group, unless `groups=[...]` names
    fewer: least privilege is what the services check, so the tests go through it."""

    class Meta:
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}@platform.example")
    is_staff = True
    is_superuser = False

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if not create:
            return
        from django.contrib.auth.models import Group

        staff_groups_ensure()
        names = list(staff_groups()) if extracted is None else extracted
        self.groups.set(Group.objects.filter(name__in=names))


class SuperuserFactory(UserFactory):
    """A staff superuser: every permission, no group needed."""

    username = factory.Sequence(lambda n: f"root{n}@platform.example")
    is_staff = True
    is_superuser = True


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization

    slug = factory.Sequence(lambda n: f"authority-{n}")
    name = factory.Sequence(lambda n: f"Police Authority {n}")
    kind = models.OrganizationKind.AUTHORITY
    country = "DE"
    verification = models.Organization.Verification.VERIFIED
    verified_at = factory.LazyFunction(timezone.now)
    callback_phone = "+4930123456789"


class NgoFactory(OrganizationFactory):
    slug = factory.Sequence(lambda n: f"ngo-{n}")
    name = factory.Sequence(lambda n: f"Child Safety Hotline {n}")
    kind = models.OrganizationKind.NGO


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)


class LegalRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.LegalRequest
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    submitted_by = factory.SubFactory(UserFactory)
    kind = models.RequestKind.DATA_DISCLOSURE
    category = models.RequestCategory.FRAUD
    reference = factory.Sequence(lambda n: f"AZ-{n:05d}")
    legal_basis = "Court order"
    jurisdiction = "DE"
    summary = "Investment fraud ring operating a channel."
    data_categories = factory.LazyFunction(lambda: [models.DataCategory.IP_ADDRESSES])
    submitted_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def targets(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if not create:
            return
        for position, (kind, value) in enumerate(
            extracted if extracted is not None else [(models.TargetKind.USERNAME, "fraudster_1")]
        ):
            models.Target.objects.create(
                legal_request=self, kind=kind, value=value, position=position
            )


class TimelineEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.TimelineEntry

    legal_request = factory.SubFactory(LegalRequestFactory)
    event = models.TimelineEntry.Event.SUBMITTED
    status = models.RequestStatus.RECEIVED
    actor_label = "officer@example.org"
    at = factory.LazyFunction(lambda: timezone.now() - timedelta(seconds=1))
