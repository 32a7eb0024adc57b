"""What each kind of legal request must carry, and how its targets are written.

One table per instrument, used both to validate submissions and to tell authorities (the routing
guide) which fields and legal bases a request needs.
"""

from __future__ import annotations

import calendar
import gettext as gettext_module
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_noop

from liaison.models import (
    DataCategory,
    LegalInstrument,
    OrganizationKind,
    RequestCategory,
    RequestKind,
    TargetKind,
)

MAX_TARGETS = 100
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]$")
PLATFORM_LINK_HOSTS = frozenset({"t.me", "telegram.me", "www.t.me"})
MAX_USER_ID = 2**63 - 1
# Only ASCII digits are digits here: `str.isdigit()` is also true for superscripts ("¹²³", which
# `int()` refuses) and `int()` takes Arabic-Indic or Devanagari digits, none of which a platform
# id is written in.
ASCII_DIGITS_RE = re.compile(r"[0-9]+")
# Full-width digits (U+FF10-U+FF19) are what an East Asian keyboard types for digits: a user
# who writes them means those digits. Only these are translated (not NFKC, which would also
# turn superscripts and circled digits into digits).
FULL_WIDTH_DIGITS = str.maketrans({0xFF10 + digit: str(digit) for digit in range(10)})


@dataclass(frozen=True)
class Instrument:
    """The legal instrument behind a request kind: required fields, bases, who may send it."""

    kind: str
    required_fields: tuple[str, ...]
    accepted_legal_bases: tuple[str, ...]
    allowed_target_kinds: frozenset[str]
    senders: frozenset[str]
    discloses_data: bool = False
    allows_data_categories: bool = False


COMMON_FIELDS = ("reference", "legalBasis", "jurisdiction", "summary", "targets")
ACCOUNT_TARGET_KINDS = frozenset(
    {TargetKind.USERNAME, TargetKind.USER_ID, TargetKind.PHONE_NUMBER, TargetKind.CHANNEL}
)
CONTENT_TARGET_KINDS = frozenset({TargetKind.MESSAGE_LINK, TargetKind.CHANNEL, TargetKind.USERNAME})
AUTHORITIES = frozenset({OrganizationKind.AUTHORITY})
EVERYONE = frozenset(OrganizationKind.values)

INSTRUMENTS: dict[str, Instrument] = {
    RequestKind.DATA_DISCLOSURE: Instrument(
        kind=RequestKind.DATA_DISCLOSURE,
        required_fields=(*COMMON_FIELDS, "dataCategories"),
        accepted_legal_bases=(
            "Court order",
            "European Production Order (Reg. (EU) 2023/1543)",
            "Subpoena or equivalent compulsory process",
            "MLAT request",
        ),
        allowed_target_kinds=ACCOUNT_TARGET_KINDS | {TargetKind.MESSAGE_LINK},
        senders=AUTHORITIES,
        discloses_data=True,
        allows_data_categories=True,
    ),
    RequestKind.EMERGENCY_DISCLOSURE: Instrument(
        kind=RequestKind.EMERGENCY_DISCLOSURE,
        required_fields=(*COMMON_FIELDS, "dataCategories"),
        accepted_legal_bases=(
            "18 U.S.C. 2702(b)(8) emergency disclosure",
            "Emergency European Production Order (Reg. (EU) 2023/1543, Art. 10(4))",
            "National emergency disclosure law",
        ),
        allowed_target_kinds=ACCOUNT_TARGET_KINDS | {TargetKind.MESSAGE_LINK},
        senders=AUTHORITIES,
        discloses_data=True,
        allows_data_categories=True,
    ),
    RequestKind.PRESERVATION: Instrument(
        kind=RequestKind.PRESERVATION,
        required_fields=COMMON_FIELDS,
        accepted_legal_bases=(
            "18 U.S.C. 2703(f) preservation request",
            "European Preservation Order (Reg. (EU) 2023/1543)",
            "National preservation order",
        ),
        allowed_target_kinds=ACCOUNT_TARGET_KINDS | {TargetKind.MESSAGE_LINK},
        senders=AUTHORITIES,
        allows_data_categories=True,
    ),
    RequestKind.CONTENT_REMOVAL: Instrument(
        kind=RequestKind.CONTENT_REMOVAL,
        required_fields=COMMON_FIELDS,
        accepted_legal_bases=(
            "Removal order (Reg. (EU) 2021/784, Art. 3)",
            "Order to act against illegal content (Reg. (EU) 2022/2065, Art. 9)",
            "National court order",
        ),
        allowed_target_kinds=CONTENT_TARGET_KINDS,
        senders=AUTHORITIES,
    ),
    RequestKind.MODERATION_NOTICE: Instrument(
        kind=RequestKind.MODERATION_NOTICE,
        required_fields=("summary", "targets", "jurisdiction"),
        accepted_legal_bases=(
            "Trusted flagger notice (Reg. (EU) 2022/2065, Art. 22)",
            "Notice under the platform's terms of service",
        ),
        allowed_target_kinds=CONTENT_TARGET_KINDS,
        senders=EVERYONE,
    ),
}

ALLOWED_DATA_CATEGORIES = frozenset(DataCategory.values)


# Legal instruments ---------------------------------------------------------------------------
# A kind says what is asked; the instrument says under which law, and the law fixes the clock,
# the document and (for preservations) how long the data is kept. One table, read by intake
# (validation, the deadline), the review (the document check), the preservation services and
# the routing guide.

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# The 27 member states (ISO 3166-1; Greece is GR here, not the EU's "EL").
EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip
# Reg. (EU) 2023/1543 binds every member state but Denmark (recital 96: Denmark does not take
# part); Ireland opted in (recital 95).
E_EVIDENCE_STATES = EU_MEMBER_STATES - {"DK"}
US = frozenset({"US"})


def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months (the 31st becomes the month's last day where it has none)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class InstrumentRule:
    """One legal instrument: where and for what it applies, the law's clock and retention, and
    what a request under it must carry."""

    code: str
    kinds: frozenset[str]
    jurisdictions: frozenset[str] | None  # None: any country
    categories: frozenset[str] | None  # None: any category
    clock: timedelta | None  # the law's deadline from receipt; None: the routing policy's clock
    clock_source: str
    document_required: bool
    document_source: str
    required_fields: tuple[str, ...]
    accepted_legal_bases: tuple[str, ...]
    retention: timedelta | None = None  # preservations: how long the data is kept
    retention_months: int = 0  # ... or in calendar months (TCO: six months)
    extension: timedelta | None = None  # ... and the one extension the authority may ask for
    retention_source: str = ""
    # What the law says of a longer retention where it has no extension on the authority's
    # request (shown when extendPreservation is refused).
    no_extension_note: str = ""

    @property
    def label(self) -> str:
        return LegalInstrument(self.code).label

    @property
    def preserves(self) -> bool:
        """Whether acting on it is a preservation with a legal retention."""
        return self.retention is not None or self.retention_months > 0

    def retained_until(self, start: datetime) -> datetime:
        """The end of the legal retention that starts at `start`."""
        if self.retention_months:
            return add_months(start, self.retention_months)
        if self.retention is None:
            raise ValueError(f"{self.code} has no retention period.")
        return start + self.retention

    def misfit(self, *, kind: str, category: str, jurisdiction: str) -> tuple[str, str] | None:
        """(code, message) saying why this instrument does not fit a request, or None."""
        if kind not in self.kinds:
            allowed = ", ".join(sorted(self.kinds))
            return "instrument_kind", f"{self.label} is for {allowed} requests, not {kind}."
        if self.jurisdictions is not None and jurisdiction not in self.jurisdictions:
            where = "the United States" if self.jurisdictions == US else "EU member states"
            if self.jurisdictions == E_EVIDENCE_STATES:
                where = "EU member states bound by Reg. (EU) 2023/1543 (not Denmark)"
            return (
                "instrument_jurisdiction",
                f"{self.label} is issued only by authorities of {where}, not {jurisdiction}.",
            )
        if self.categories is not None and category not in self.categories:
            return (
                "instrument_category",
                f"{self.label} concerns {', '.join(sorted(self.categories))} content only.",
            )
        return None


I = LegalInstrument  # noqa: E741 - short alias for the table below
K = RequestKind
EPOC_FIELDS = (*COMMON_FIELDS, "dataCategories", "document")
LEGAL_INSTRUMENTS: dict[str, InstrumentRule] = {
    I.EU_EPOC: InstrumentRule(
        code=I.EU_EPOC,
        kinds=frozenset({K.DATA_DISCLOSURE}),
        jurisdictions=E_EVIDENCE_STATES,
        categories=None,
        clock=10 * DAY,
        clock_source="Reg. (EU) 2023/1543, Art. 10(2): at the latest within 10 days of receipt",
        document_required=True,
        document_source="Reg. (EU) 2023/1543, Art. 9: the EPOC certificate (Annex I)",
        required_fields=EPOC_FIELDS,
        accepted_legal_bases=("European Production Order (Reg. (EU) 2023/1543)",),
    ),
    I.EU_EMERGENCY_EPOC: InstrumentRule(
        code=I.EU_EMERGENCY_EPOC,
        kinds=frozenset({K.EMERGENCY_DISCLOSURE}),
        jurisdictions=E_EVIDENCE_STATES,
        categories=None,
        clock=8 * HOUR,
        clock_source="Reg. (EU) 2023/1543, Art. 10(4): without undue delay, at the latest "
        "within 8 hours of receipt",
        document_required=True,
        document_source="Reg. (EU) 2023/1543, Art. 9: the EPOC certificate (Annex I)",
        required_fields=EPOC_FIELDS,
        accepted_legal_bases=(
            "Emergency European Production Order (Reg. (EU) 2023/1543, Art. 10(4))",
        ),
    ),
    I.EU_EPOC_PR: InstrumentRule(
        code=I.EU_EPOC_PR,
        kinds=frozenset({K.PRESERVATION}),
        jurisdictions=E_EVIDENCE_STATES,
        categories=None,
        clock=None,
        clock_source="Reg. (EU) 2023/1543, Art. 11(1): without undue delay (policy clock)",
        document_required=True,
        document_source="Reg. (EU) 2023/1543, Art. 9: the EPOC-PR certificate (Annex II)",
        required_fields=(*COMMON_FIELDS, "document"),
        accepted_legal_bases=("European Preservation Order (Reg. (EU) 2023/1543)",),
        retention=60 * DAY,
        extension=30 * DAY,
        retention_source="Reg. (EU) 2023/1543, Art. 11(1): 60 days, extended by 30 days where "
        "the issuing authority needs them to issue the production order",
    ),
    I.TCO_REMOVAL_ORDER: InstrumentRule(
        code=I.TCO_REMOVAL_ORDER,
        kinds=frozenset({K.CONTENT_REMOVAL}),
        jurisdictions=EU_MEMBER_STATES,
        categories=frozenset({RequestCategory.TERRORISM}),
        clock=HOUR,
        clock_source="Reg. (EU) 2021/784, Art. 3(3): as soon as possible, at the latest within "
        "one hour of receipt",
        document_required=True,
        document_source="Reg. (EU) 2021/784, Art. 3(4): the removal order template (Annex I)",
        required_fields=(*COMMON_FIELDS, "document"),
        accepted_legal_bases=("Removal order (Reg. (EU) 2021/784, Art. 3)",),
        retention_months=6,
        retention_source="Reg. (EU) 2021/784, Art. 6(2): the removed content and related data "
        "for six months from the removal",
        no_extension_note="Art. 6(2) keeps the content longer only at the request of the "
        "competent authority or court, for a specified period and only as long as ongoing "
        "administrative or judicial review proceedings need it: send that request, with the "
        "period and the proceedings, to the desk that handled the removal order",
    ),
    I.DSA_ART9_ORDER: InstrumentRule(
        code=I.DSA_ART9_ORDER,
        kinds=frozenset({K.CONTENT_REMOVAL}),
        jurisdictions=EU_MEMBER_STATES,
        categories=None,
        clock=None,
        clock_source="Reg. (EU) 2022/2065, Art. 9(1): without undue delay (policy clock)",
        document_required=True,
        document_source="Reg. (EU) 2022/2065, Art. 9(2): the order with its statement of reasons",
        required_fields=(*COMMON_FIELDS, "document"),
        accepted_legal_bases=(
            "Order to act against illegal content (Reg. (EU) 2022/2065, Art. 9)",
        ),
    ),
    I.DSA_ART10_ORDER: InstrumentRule(
        code=I.DSA_ART10_ORDER,
        kinds=frozenset({K.DATA_DISCLOSURE}),
        jurisdictions=EU_MEMBER_STATES,
        categories=None,
        clock=None,
        clock_source="Reg. (EU) 2022/2065, Art. 10(1): without undue delay (policy clock)",
        document_required=True,
        document_source="Reg. (EU) 2022/2065, Art. 10(2): the order with its statement of reasons",
        required_fields=(*COMMON_FIELDS, "dataCategories", "document"),
        accepted_legal_bases=("Order to provide information (Reg. (EU) 2022/2065, Art. 10)",),
    ),
    I.US_2703D_WARRANT: InstrumentRule(
        code=I.US_2703D_WARRANT,
        kinds=frozenset({K.DATA_DISCLOSURE}),
        jurisdictions=US,
        categories=None,
        clock=None,
        clock_source="18 U.S.C. 2703(c), (d): no statutory deadline (policy clock)",
        document_required=True,
        document_source="18 U.S.C. 2703(c)-(d): the court order or warrant",
        required_fields=(*COMMON_FIELDS, "dataCategories", "document"),
        accepted_legal_bases=(
            "18 U.S.C. 2703(d) court order",
            "Search warrant (18 U.S.C. 2703(a)-(c))",
            "Subpoena or equivalent compulsory process",
        ),
    ),
    I.US_2703F_PRESERVATION: InstrumentRule(
        code=I.US_2703F_PRESERVATION,
        kinds=frozenset({K.PRESERVATION}),
        jurisdictions=US,
        categories=None,
        clock=None,
        clock_source="18 U.S.C. 2703(f)(1): take all necessary steps to preserve (policy clock)",
        document_required=False,
        document_source="18 U.S.C. 2703(f)(1): a request of a governmental entity suffices",
        required_fields=COMMON_FIELDS,
        accepted_legal_bases=("18 U.S.C. 2703(f) preservation request",),
        retention=90 * DAY,
        extension=90 * DAY,
        retention_source="18 U.S.C. 2703(f)(2): 90 days, extended for another 90 days upon a "
        "renewed request",
    ),
    I.US_2702B8_EMERGENCY: InstrumentRule(
        code=I.US_2702B8_EMERGENCY,
        kinds=frozenset({K.EMERGENCY_DISCLOSURE}),
        jurisdictions=None,
        categories=None,
        clock=None,
        clock_source="18 U.S.C. 2702(b)(8), (c)(4): voluntary, no statutory deadline (policy "
        "clock)",
        document_required=False,
        document_source="18 U.S.C. 2702(b)(8): a good-faith belief of an emergency, no order",
        required_fields=(*COMMON_FIELDS, "dataCategories"),
        accepted_legal_bases=(
            "18 U.S.C. 2702(b)(8) emergency disclosure",
            "National emergency disclosure law",
        ),
    ),
    I.NATIONAL_COURT_ORDER: InstrumentRule(
        code=I.NATIONAL_COURT_ORDER,
        kinds=frozenset({K.DATA_DISCLOSURE, K.PRESERVATION, K.CONTENT_REMOVAL}),
        jurisdictions=None,
        categories=None,
        clock=None,
        clock_source="National law (policy clock)",
        document_required=True,
        document_source="The court order itself",
        required_fields=(*COMMON_FIELDS, "document"),
        accepted_legal_bases=("Court order", "National court order", "National preservation order"),
        retention=90 * DAY,
        extension=90 * DAY,
        retention_source="Budapest Convention (ETS 185), Art. 16(2): up to 90 days, renewable",
    ),
    I.MLAT: InstrumentRule(
        code=I.MLAT,
        kinds=frozenset({K.DATA_DISCLOSURE, K.CONTENT_REMOVAL}),
        jurisdictions=None,
        categories=None,
        clock=None,
        clock_source="The treaty (policy clock)",
        document_required=True,
        document_source="The request of the requested state's central authority",
        required_fields=(*COMMON_FIELDS, "document"),
        accepted_legal_bases=("MLAT request",),
    ),
    I.TRUSTED_FLAGGER_NOTICE: InstrumentRule(
        code=I.TRUSTED_FLAGGER_NOTICE,
        kinds=frozenset({K.MODERATION_NOTICE}),
        jurisdictions=None,
        categories=None,
        clock=None,
        clock_source="Reg. (EU) 2022/2065, Art. 22(1): with priority and without undue delay "
        "(policy clock)",
        document_required=False,
        document_source="Reg. (EU) 2022/2065, Art. 16(2): a notice, no order",
        required_fields=("summary", "targets", "jurisdiction"),
        accepted_legal_bases=(
            "Trusted flagger notice (Reg. (EU) 2022/2065, Art. 22)",
            "Notice under the platform's terms of service",
        ),
    ),
}

# How the instrument of a request without one is inferred, in order (shown by the guide).
INFERENCE_RULES: tuple[str, ...] = (
    "DATA_DISCLOSURE: EU_EPOC from an EU member state bound by Reg. (EU) 2023/1543, "
    "US_2703D_WARRANT from the US, NATIONAL_COURT_ORDER otherwise.",
    "EMERGENCY_DISCLOSURE: EU_EMERGENCY_EPOC from an EU member state bound by "
    "Reg. (EU) 2023/1543, US_2702B8_EMERGENCY otherwise.",
    "PRESERVATION: EU_EPOC_PR from an EU member state bound by Reg. (EU) 2023/1543, "
    "US_2703F_PRESERVATION from the US, NATIONAL_COURT_ORDER otherwise.",
    "CONTENT_REMOVAL: TCO_REMOVAL_ORDER for TERRORISM from an EU member state, DSA_ART9_ORDER "
    "for any other category from an EU member state, NATIONAL_COURT_ORDER otherwise.",
    "MODERATION_NOTICE: TRUSTED_FLAGGER_NOTICE.",
    "DSA_ART10_ORDER and MLAT are never inferred: name them in `instrument`.",
)


def instrument_infer(*, kind: str, category: str, jurisdiction: str) -> str:
    """The instrument of a request that names none, from its kind, category and country (the
    rules of INFERENCE_RULES)."""
    e_evidence = jurisdiction in E_EVIDENCE_STATES
    if kind == K.DATA_DISCLOSURE:
        if e_evidence:
            return I.EU_EPOC
        return I.US_2703D_WARRANT if jurisdiction == "US" else I.NATIONAL_COURT_ORDER
    if kind == K.EMERGENCY_DISCLOSURE:
        return I.EU_EMERGENCY_EPOC if e_evidence else I.US_2702B8_EMERGENCY
    if kind == K.PRESERVATION:
        if e_evidence:
            return I.EU_EPOC_PR
        return I.US_2703F_PRESERVATION if jurisdiction == "US" else I.NATIONAL_COURT_ORDER
    if kind == K.CONTENT_REMOVAL:
        if jurisdiction in EU_MEMBER_STATES:
            return (
                I.TCO_REMOVAL_ORDER if category == RequestCategory.TERRORISM else I.DSA_ART9_ORDER
            )
        return I.NATIONAL_COURT_ORDER
    return I.TRUSTED_FLAGGER_NOTICE


def instrument_rule(code: str) -> InstrumentRule:
    """The table row of an instrument code."""
    return LEGAL_INSTRUMENTS[code]


def legal_clock(instrument: str, policy_clock: timedelta) -> timedelta:
    """The deadline a request under `instrument` gets: the law's clock where the law fixes one
    (a ceiling: a stricter policy clock wins), the routing policy's clock otherwise."""
    law = LEGAL_INSTRUMENTS[instrument].clock if instrument in LEGAL_INSTRUMENTS else None
    return policy_clock if law is None else min(law, policy_clock)


class TargetError(ValueError):
    """A target value that does not follow the rules of its kind. `message` (marked for the
    catalogues) and `params` make a ValidationError that a page can translate; str() is the
    English sentence the API gives."""

    def __init__(self, message: str, params: dict[str, str] | None = None) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def _country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code `value` names (trimmed, any case), or None."""
    code = value.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        return None
    return code


def validate_country(value: str, *, field: str, canonical: bool = False) -> str:
    """The ISO 3166-1 alpha-2 code `value` names (trimmed, upper case): the one country check of
    intake, registration, routing rules and the guide.

    Raises a ValidationError on `field` with the code `invalid_country` otherwise; `canonical`
    also refuses a code not already written as stored (upper case, no spaces).
    """
    code = _country_code(value)
    if code is None or (canonical and code != value):
        message = (
            gettext_noop(
                "%(value)s is not an ISO 3166-1 alpha-2 country code in capitals (e.g. DE, FR, US)."
            )
            if code is not None
            else gettext_noop(
                "%(value)s is not an ISO 3166-1 alpha-2 country code (e.g. DE, FR, US)."
            )
        )
        raise ValidationError(
            {field: ValidationError(message, code="invalid_country", params={"value": repr(value)})}
        )
    return code


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country as (alpha-2 code, name) in the active language (pycountry's
    catalogues), sorted by name: for a country picker."""
    names = _country_names(translation.get_language() or "en")
    return sorted(((c.alpha_2, names.gettext(c.name)) for c in pycountry.countries), key=_by_name)


def _by_name(choice: tuple[str, str]) -> str:
    return unicodedata.normalize("NFKD", choice[1]).casefold()


@lru_cache(maxsize=8)
def _country_names(language: str) -> gettext_module.NullTranslations:
    return gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language.split("-")[0]], fallback=True
    )


def normalize_target(kind: str, value: str, *, region: str | None = None) -> str:
    """Return the canonical form of a target, or raise TargetError saying what is wrong."""
    raw = value.strip()
    if not raw:
        raise TargetError(gettext_noop("A target needs a value."))
    if len(raw) > 300:
        raise TargetError(gettext_noop("A target value is at most 300 characters."))
    if kind == TargetKind.PHONE_NUMBER:
        return _normalize_phone(raw, region)
    if kind in (TargetKind.USERNAME, TargetKind.CHANNEL):
        return _normalize_username(raw)
    if kind == TargetKind.USER_ID:
        return _normalize_user_id(raw)
    if kind == TargetKind.MESSAGE_LINK:
        return _normalize_message_link(raw)
    raise TargetError(gettext_noop("Unknown target kind %(kind)s."), {"kind": repr(kind)})


def _normalize_user_id(raw: str) -> str:
    """A user id: ASCII digits (full-width ones translated), positive, at most a bigint."""
    digits = raw.translate(FULL_WIDTH_DIGITS)
    if not ASCII_DIGITS_RE.fullmatch(digits) or not 0 < int(digits) <= MAX_USER_ID:
        raise TargetError(
            gettext_noop("A user id is a positive whole number, written in digits 0-9.")
        )
    return str(int(digits))


def _is_number(segment: str) -> bool:
    return ASCII_DIGITS_RE.fullmatch(segment) is not None


def _normalize_phone(raw: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(raw, region if not raw.startswith("+") else None)
    except phonenumbers.NumberParseException as error:
        raise TargetError(
            gettext_noop("Not a phone number: write it in E.164 form, e.g. +4915123456789.")
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise TargetError(
            gettext_noop("Not a valid phone number: write it in E.164 form, e.g. +4915123456789.")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _normalize_username(raw: str) -> str:
    name = raw.removeprefix("@")
    if name.lower().startswith(("https://", "http://", "t.me/")):
        parts = [
            p for p in urlsplit(name if "://" in name else f"https://{name}").path.split("/") if p
        ]
        if len(parts) != 1:
            raise TargetError(gettext_noop("A channel link is https://t.me/<name>."))
        name = parts[0]
    if not USERNAME_RE.match(name) or "__" in name:
        raise TargetError(
            gettext_noop(
                "A username is 5-32 letters, digits or underscores, starts with a letter "
                "and does not end with an underscore."
            )
        )
    return name.lower()


def _normalize_message_link(raw: str) -> str:
    link = raw if "://" in raw else f"https://{raw}"
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or (parts.hostname or "") not in PLATFORM_LINK_HOSTS:
        raise TargetError(gettext_noop("A message link is https://t.me/<channel>/<message id>."))
    segments = [s for s in parts.path.split("/") if s]
    if (
        len(segments) == 3
        and segments[0] == "c"
        and _is_number(segments[1])
        and _is_number(segments[2])
    ):
        return f"https://t.me/c/{int(segments[1])}/{int(segments[2])}"
    if len(segments) == 2 and _is_number(segments[1]):
        try:
            channel = _normalize_username(segments[0])
        except TargetError as error:
            raise TargetError(
                gettext_noop("A message link is https://t.me/<channel>/<message id>.")
            ) from error
        return f"https://t.me/{channel}/{int(segments[1])}"
    raise TargetError(gettext_noop("A message link is https://t.me/<channel>/<message id>."))
