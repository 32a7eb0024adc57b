"""The choices of the liaison domain: kinds, categories, statuses, reasons."""

from __future__ import annotations

from django.db import models


class OrganizationKind(models.TextChoices):
    """Who an organization is: a public authority or a non-governmental organization."""

    AUTHORITY = "AUTHORITY", "Authority"
    NGO = "NGO", "NGO"


class RequestKind(models.TextChoices):
    """What a legal request asks the platform to do."""

    DATA_DISCLOSURE = "DATA_DISCLOSURE", "Data disclosure"
    EMERGENCY_DISCLOSURE = "EMERGENCY_DISCLOSURE", "Emergency disclosure"
    PRESERVATION = "PRESERVATION", "Preservation"
    CONTENT_REMOVAL = "CONTENT_REMOVAL", "Content removal"
    MODERATION_NOTICE = "MODERATION_NOTICE", "Moderation notice"


class RequestCategory(models.TextChoices):
    """The kind of harm a request is about."""

    TERRORISM = "TERRORISM", "Terrorism"
    CHILD_SAFETY = "CHILD_SAFETY", "Child safety"
    ILLEGAL_GOODS = "ILLEGAL_GOODS", "Illegal goods"
    FRAUD = "FRAUD", "Fraud"
    VIOLENCE = "VIOLENCE", "Violence"
    OTHER = "OTHER", "Other"


class RequestStatus(models.TextChoices):
    """Where a legal request stands in its life."""

    RECEIVED = "RECEIVED", "Received"
    ROUTED = "ROUTED", "Routed"
    UNDER_REVIEW = "UNDER_REVIEW", "Under review"
    NEEDS_INFO = "NEEDS_INFO", "Needs information"
    APPROVED = "APPROVED", "Approved"
    REJECTED = "REJECTED", "Rejected"
    FULFILLED = "FULFILLED", "Fulfilled"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"


class LegalInstrument(models.TextChoices):
    """The legal instrument a request rests on (liaison.instruments: its clock, fields, document,
    retention and where it applies)."""

    EU_EPOC = "EU_EPOC", "European Production Order (Reg. (EU) 2023/1543)"
    EU_EMERGENCY_EPOC = "EU_EMERGENCY_EPOC", "Emergency European Production Order"
    EU_EPOC_PR = "EU_EPOC_PR", "European Preservation Order (Reg. (EU) 2023/1543)"
    TCO_REMOVAL_ORDER = "TCO_REMOVAL_ORDER", "TCO removal order (Reg. (EU) 2021/784)"
    DSA_ART9_ORDER = "DSA_ART9_ORDER", "DSA Art. 9 order to act against illegal content"
    DSA_ART10_ORDER = "DSA_ART10_ORDER", "DSA Art. 10 order to provide information"
    US_2703D_WARRANT = "US_2703D_WARRANT", "18 U.S.C. 2703(d) order or warrant"
    US_2703F_PRESERVATION = "US_2703F_PRESERVATION", "18 U.S.C. 2703(f) preservation request"
    US_2702B8_EMERGENCY = "US_2702B8_EMERGENCY", "18 U.S.C. 2702(b)(8) emergency disclosure"
    NATIONAL_COURT_ORDER = "NATIONAL_COURT_ORDER", "National court order"
    MLAT = "MLAT", "Mutual legal assistance request (MLAT)"
    TRUSTED_FLAGGER_NOTICE = "TRUSTED_FLAGGER_NOTICE", "Trusted flagger notice (DSA Art. 22)"


class RequestOrigin(models.TextChoices):
    """Where a request came in: the API (and console) or an urgent message on the hotline."""

    API = "API", "API"
    HOTLINE = "HOTLINE", "Hotline report"


class TargetKind(models.TextChoices):
    """How a target account or piece of content is identified."""

    USERNAME = "USERNAME", "Username"
    USER_ID = "USER_ID", "User id"
    PHONE_NUMBER = "PHONE_NUMBER", "Phone number"
    CHANNEL = "CHANNEL", "Channel"
    MESSAGE_LINK = "MESSAGE_LINK", "Message link"


class DataCategory(models.TextChoices):
    """The only categories of user data the platform discloses (data minimisation)."""

    IP_ADDRESSES = "IP_ADDRESSES", "IP addresses"
    PHONE_NUMBER = "PHONE_NUMBER", "Phone number"


class RejectionReason(models.TextChoices):
    """Why staff refused a request; shown to the authority with the decision."""

    AUTHORITY_NOT_VERIFIED = "AUTHORITY_NOT_VERIFIED", "Issuing authority could not be verified"
    AUTHORITY_NOT_COMPETENT = "AUTHORITY_NOT_COMPETENT", "Authority not competent for jurisdiction"
    LEGAL_BASIS_INVALID = "LEGAL_BASIS_INVALID", "Legal basis invalid or insufficient"
    DOCUMENT_INVALID = "DOCUMENT_INVALID", "Legal document missing, invalid or unsigned"
    TARGET_NOT_IDENTIFIED = "TARGET_NOT_IDENTIFIED", "Target accounts not identifiable"
    NO_RULE_VIOLATION = "NO_RULE_VIOLATION", "Targets did not break the platform's rules"
    DATA_NOT_MINIMISED = "DATA_NOT_MINIMISED", "Data beyond IP addresses and phone number"
    DISPROPORTIONATE = "DISPROPORTIONATE", "Request is not proportionate"
    CALLBACK_FAILED = "CALLBACK_FAILED", "Emergency callback did not confirm the request"
    SUSPECTED_FORGERY = "SUSPECTED_FORGERY", "Suspected forged or fraudulent request"
    OTHER = "OTHER", "Other (see note)"
