"""Signing in to the portal's web pages: one stack (django-allauth with its mfa app, django-axes)
for staff in /admin/ and, later, members in /console/.

- A password is never enough for staff: every staff page and the staff WebSockets ask
  `staff_signed_in`, which wants a second factor (TOTP, WebAuthn, or a recovery code) proven
  in this session, recorded the way allauth records it, no older than the session may live.
- Repeated failures lock the (user, client address) pair out (axes); allauth's own throttles
  (per address, per user) brake distributed guessing on top of it.
- Nobody signs up: accounts are created by staff and commands.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.http import client_ip

# Factors that count as the second one. A recovery code is the way back for a lost phone.
SECOND_FACTOR_TYPES = frozenset(
    {Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN, Authenticator.Type.RECOVERY_CODES}
)
# Factors a staff member must have enrolled (recovery codes alone are not a device).
ENROLLED_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class _SessionHolder:
    """What allauth's session readers need of a request: its session (a WebSocket has one too)."""

    def __init__(self, session: Any) -> None:
        self.session = session


def second_factor_verified(session: Any, user: Any) -> bool:
    """Whether `user` proved a second factor in this session (allauth's authentication records)
    within the session's lifetime, with an authenticator they still have."""
    if session is None or user is None or not user.is_authenticated:
        return False
    oldest = time.time() - settings.SESSION_COOKIE_AGE
    authenticator_ids = {
        record.get("id")
        for record in get_authentication_records(_SessionHolder(session), user)  # type: ignore[arg-type]
        if record.get("method") == "mfa"
        and record.get("type") in SECOND_FACTOR_TYPES
        and float(record.get("at") or 0) >= oldest
    }
    return bool(authenticator_ids) and (
        Authenticator.objects.filter(user_id=user.pk, pk__in=authenticator_ids).exists()
    )


def staff_signed_in(user: Any, session: Any) -> bool:
    """An active staff member who proved a second factor in this session: the one test for
    admin, the staff side of the hotline page and the staff WebSockets."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and second_factor_verified(session, user)
    )


def has_enrolled_factor(user: Any) -> bool:
    """Whether the user has an authenticator app or a security key / passkey."""
    return Authenticator.objects.filter(user_id=user.pk, type__in=ENROLLED_FACTOR_TYPES).exists()


def record_second_factor(request: HttpRequest, user: Any, authenticator: Authenticator) -> None:
    """Record in the session that `user` proved `authenticator`, exactly as allauth does."""
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)


def sign_in_with_new_password(request: HttpRequest, user: Any) -> None:
    """Sign in a person who has just chosen their password (an accepted invitation): the
    session, and allauth's record that the password was proven now (so that enrolling a
    second factor right after does not ask for it again). Not a second factor."""
    login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
    record_authentication(request, user, "password", email=user.email, reauthenticated=True)


@receiver(mfa_signals.authenticator_added)
def _enrolment_proves_the_factor(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **_: Any
) -> None:
    """Enrolling means typing a code from the new app (or touching the new key) in this
    session: it counts as this session's second factor, so admin opens right after."""
    if request is None or authenticator.type not in ENROLLED_FACTOR_TYPES:
        return
    if getattr(request, "user", None) is not None and request.user.pk == user.pk:
        record_second_factor(request, user, authenticator)


# The demo staff member's authenticator app (seed_demo).


def totp_ensure(*, user: Any, secret: str | None = None) -> str:
    """Give `user` a TOTP authenticator and return its base32 secret; idempotent: an existing
    one is kept (same secret every time) unless a different `secret` is asked for."""
    adapter = get_mfa_adapter()
    existing = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        current = adapter.decrypt(existing.data["secret"])
        if secret is None or secret == current:
            return str(current)
        existing.delete()
    secret = secret or generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_uri(*, user: Any, secret: str) -> str:
    """The otpauth:// URI an authenticator app imports (what its QR code holds)."""
    return str(get_mfa_adapter().build_totp_url(user, secret))


# allauth and axes, configured by settings (ACCOUNT_ADAPTER, MFA_ADAPTER, AXES_*_CALLABLE).


class AccountAdapter(DefaultAccountAdapter):
    """No sign-up; the client address of the lockouts; staff land in admin."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        return client_ip(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user: Any = request.user
        if user.is_authenticated and user.is_staff:
            return reverse("admin:index")
        return str(super().get_login_redirect_url(request))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # A locked-out pair goes straight to axes, which refuses even the right password,
        # extends the cool-off and answers with the lockout page (AxesMiddleware). Without
        # this, allauth's own throttle would answer first with a plain form error.
        if not AxesProxyHandler.is_allowed(request, credentials):
            self._login_failed_rl_usage = None
            return
        super().pre_authenticate(request, **credentials)


class MFAAdapter(DefaultMFAAdapter):
    """WebAuthn's relying party comes from settings, not from the request's Host header."""

    def get_public_key_credential_rp_entity(self) -> dict[str, str]:
        return {"id": settings.WEBAUTHN_RP_ID, "name": settings.WEBAUTHN_RP_NAME}


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account a sign-in attempt is for, normalised, whichever form sent it (allauth
    passes `email`, Django's forms `username`, allauth's login form posts `login`)."""
    sources: list[Any] = [credentials or {}, getattr(request, "POST", None) or {}]
    for source in sources:
        for field in ("email", "username", "login"):
            value = source.get(field)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return None


def lockout_response(request: HttpRequest, *_: Any) -> HttpResponse:
    """The page a locked-out sign-in gets: 429, how long, what to do (never a 500)."""
    cool_off = get_cool_off(request) or timedelta(0)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    response = render(
        request,
        "signin/lockout.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response
