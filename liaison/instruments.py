"""What each kind of legal request must carry, and how its targets are written.

One table per instrument, used both to validate submissions and to tell authorities (the routing
guide) which fields and legal bases a request needs.
"""

from __future__ import annotations

import gettext as gettext_module
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils import translation

from liaison.models import DataCategory, OrganizationKind, RequestKind, TargetKind

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


class TargetError(ValueError):
    """A target value that does not follow the rules of its kind."""


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
        written = " in capitals" if code is not None else ""
        message = f"{value!r} is not an ISO 3166-1 alpha-2 country code{written} (e.g. DE, FR, US)."
        raise ValidationError({field: ValidationError(message, code="invalid_country")})
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
        raise TargetError("A target needs a value.")
    if len(raw) > 300:
        raise TargetError("A target value is at most 300 characters.")
    if kind == TargetKind.PHONE_NUMBER:
        return _normalize_phone(raw, region)
    if kind in (TargetKind.USERNAME, TargetKind.CHANNEL):
        return _normalize_username(raw)
    if kind == TargetKind.USER_ID:
        return _normalize_user_id(raw)
    if kind == TargetKind.MESSAGE_LINK:
        return _normalize_message_link(raw)
    raise TargetError(f"Unknown target kind {kind!r}.")


def _normalize_user_id(raw: str) -> str:
    """A user id: ASCII digits (full-width ones translated), positive, at most a bigint."""
    digits = raw.translate(FULL_WIDTH_DIGITS)
    if not ASCII_DIGITS_RE.fullmatch(digits) or not 0 < int(digits) <= MAX_USER_ID:
        raise TargetError("A user id is a positive whole number, written in digits 0-9.")
    return str(int(digits))


def _is_number(segment: str) -> bool:
    return ASCII_DIGITS_RE.fullmatch(segment) is not None


def _normalize_phone(raw: str, region: str | None) -> str:
    try:
        number = phonenumbers.parse(raw, region if not raw.startswith("+") else None)
    except phonenumbers.NumberParseException as error:
        raise TargetError(
            "Not a phone number: write it in E.164 form, e.g. +4915123456789."
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise TargetError("Not a valid phone number: write it in E.164 form, e.g. +4915123456789.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _normalize_username(raw: str) -> str:
    name = raw.removeprefix("@")
    if name.lower().startswith(("https://", "http://", "t.me/")):
        parts = [
            p for p in urlsplit(name if "://" in name else f"https://{name}").path.split("/") if p
        ]
        if len(parts) != 1:
            raise TargetError("A channel link is https://t.me/<name>.")
        name = parts[0]
    if not USERNAME_RE.match(name) or "__" in name:
        raise TargetError(
            "A username is 5-32 letters, digits or underscores, starts with a letter "
            "and does not end with an underscore."
        )
    return name.lower()


def _normalize_message_link(raw: str) -> str:
    link = raw if "://" in raw else f"https://{raw}"
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or (parts.hostname or "") not in PLATFORM_LINK_HOSTS:
        raise TargetError("A message link is https://t.me/<channel>/<message id>.")
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
            raise TargetError("A message link is https://t.me/<channel>/<message id>.") from error
        return f"https://t.me/{channel}/{int(segments[1])}"
    raise TargetError("A message link is https://t.me/<channel>/<message id>.")
