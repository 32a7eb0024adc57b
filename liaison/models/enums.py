"""The choices of the liaison domain: kinds, categories, statuses, reasons."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class OrganizationKind(models.TextChoices):
    """Who an organization is: a public authority or a non-governmental organization."""

    AUTHORITY = "AUTHORITY", gettext_noop("Authority")
    NGO = "NGO", gettext_noop("NGO")


class RequestKind(models.TextChoices):
    """What a legal request asks the platform to do."""

    DATA_DISCLOSURE = "DATA_DISCLOSURE", gettext_noop("Data disclosure")
    EMERGENCY_DISCLOSURE = "EMERGENCY_DISCLOSURE", gettext_noop("Emergency disclosure")
    PRESERVATION = "PRESERVATION", gettext_noop("Preservation")
    CONTENT_REMOVAL = "CONTENT_REMOVAL", gettext_noop("Content removal")
    MODERATION_NOTICE = "MODERATION_NOTICE", gettext_noop("Moderation notice")


class RequestCategory(models.TextChoices):
    """The kind of harm a request is about."""

    TERRORISM = "TERRORISM", gettext_noop("Terrorism")
    CHILD_SAFETY = "CHILD_SAFETY", gettext_noop("Child safety")
    ILLEGAL_GOODS = "ILLEGAL_GOODS", gettext_noop("Illegal goods")
    FRAUD = "FRAUD", gettext_noop("Fraud")
    VIOLENCE = "VIOLENCE", gettext_noop("Violence")
    OTHER = "OTHER", gettext_noop("Other")


class RequestStatus(models.TextChoices):
    """Where a legal request stands in its life."""

    RECEIVED = "RECEIVED", gettext_noop("Received")
    ROUTED = "ROUTED", gettext_noop("Routed")
    UNDER_REVIEW = "UNDER_REVIEW", gettext_noop("Under review")
    NEEDS_INFO = "NEEDS_INFO", gettext_noop("Needs information")
    APPROVED = "APPROVED", gettext_noop("Approved")
    REJECTED = "REJECTED", gettext_noop("Rejected")
    FULFILLED = "FULFILLED", gettext_noop("Fulfilled")
    WITHDRAWN = "WITHDRAWN", gettext_noop("Withdrawn")


class LegalInstrument(models.TextChoices):
    """The legal instrument a request rests on (liaison.instruments: its clock, fields, document,
    retention and where it applies)."""

    EU_EPOC = "EU_EPOC", gettext_noop("European Production Order (Reg. (EU) 2023/1543)")
    EU_EMERGENCY_EPOC = "EU_EMERGENCY_EPOC", gettext_noop("Emergency European Production Order")
    EU_EPOC_PR = "EU_EPOC_PR", gettext_noop("European Preservation Order (Reg. (EU) 2023/1543)")
    TCO_REMOVAL_ORDER = "TCO_REMOVAL_ORDER", gettext_noop("TCO removal order (Reg. (EU) 2021/784)")
    DSA_ART9_ORDER = (
        "DSA_ART9_ORDER",
        gettext_noop("DSA Art. 9 order to act against illegal content"),
    )
    DSA_ART10_ORDER = "DSA_ART10_ORDER", gettext_noop("DSA Art. 10 order to provide information")
    US_2703D_WARRANT = "US_2703D_WARRANT", gettext_noop("18 U.S.C. 2703(d) order or warrant")
    US_2703F_PRESERVATION = (
        "US_2703F_PRESERVATION",
        gettext_noop("18 U.S.C. 2703(f) preservation request"),
    )
    US_2702B8_EMERGENCY = (
        "US_2702B8_EMERGENCY",
        gettext_noop("18 U.S.C. 2702(b)(8) emergency disclosure"),
    )
    NATIONAL_COURT_ORDER = "NATIONAL_COURT_ORDER", gettext_noop("National court order")
    MLAT = "MLAT", gettext_noop("Mutual legal assistance request (MLAT)")
    TRUSTED_FLAGGER_NOTICE = (
        "TRUSTED_FLAGGER_NOTICE",
        gettext_noop("Trusted flagger notice (DSA Art. 22)"),
    )


class RequestOrigin(models.TextChoices):
    """Where a request came in: the API (and console) or an urgent message on the hotline."""

    API = "API", gettext_noop("API")
    HOTLINE = "HOTLINE", gettext_noop("Hotline report")


class TargetKind(models.TextChoices):
    """How a target account or piece of content is identified."""

    USERNAME = "USERNAME", gettext_noop("Username")
    USER_ID = "USER_ID", gettext_noop("User id")
    PHONE_NUMBER = "PHONE_NUMBER", gettext_noop("Phone number")
    CHANNEL = "CHANNEL", gettext_noop("Channel")
    MESSAGE_LINK = "MESSAGE_LINK", gettext_noop("Message link")


class DataCategory(models.TextChoices):
    """The only categories of user data the platform discloses (data minimisation)."""

    IP_ADDRESSES = "IP_ADDRESSES", gettext_noop("IP addresses")
    PHONE_NUMBER = "PHONE_NUMBER", gettext_noop("Phone number")


class RejectionReason(models.TextChoices):
    """Why staff refused a request; shown to the authority with the decision."""

    AUTHORITY_NOT_VERIFIED = (
        "AUTHORITY_NOT_VERIFIED",
        gettext_noop("Issuing authority could not be verified"),
    )
    AUTHORITY_NOT_COMPETENT = (
        "AUTHORITY_NOT_COMPETENT",
        gettext_noop("Authority not competent for jurisdiction"),
    )
    LEGAL_BASIS_INVALID = "LEGAL_BASIS_INVALID", gettext_noop("Legal basis invalid or insufficient")
    DOCUMENT_INVALID = (
        "DOCUMENT_INVALID",
        gettext_noop("Legal document missing, invalid or unsigned"),
    )
    TARGET_NOT_IDENTIFIED = (
        "TARGET_NOT_IDENTIFIED",
        gettext_noop("Target accounts not identifiable"),
    )
    NO_RULE_VIOLATION = (
        "NO_RULE_VIOLATION",
        gettext_noop("Targets did not break the platform's rules"),
    )
    DATA_NOT_MINIMISED = (
        "DATA_NOT_MINIMISED",
        gettext_noop("Data beyond IP addresses and phone number"),
    )
    DISPROPORTIONATE = "DISPROPORTIONATE", gettext_noop("Request is not proportionate")
    CALLBACK_FAILED = (
        "CALLBACK_FAILED",
        gettext_noop("Emergency callback did not confirm the request"),
    )
    SUSPECTED_FORGERY = "SUSPECTED_FORGERY", gettext_noop("Suspected forged or fraudulent request")
    OTHER = "OTHER", gettext_noop("Other (see note)")
