"""Signing staff in for tests without typing codes: `force_login` plus the second factor,
recorded in the session exactly as allauth.mfa records a proven factor (core.signin)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.test import Client

from core.signin import record_second_factor, totp_ensure


def mark_second_factor(session: SessionBase, user: Any) -> None:
    """Give `user` an authenticator app (if they have none) and record in `session` that they
    proved it; the caller saves the session."""
    totp_ensure(user=user)
    authenticator = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.TOTP)
    request = HttpRequest()
    request.session = session
    record_second_factor(request, user, authenticator)


def sign_in_staff(client: Client, user: Any) -> Client:
    """Sign `user` in on `client` as if through the sign-in pages: password and second factor."""
    client.force_login(user)
    session = client.session
    mark_second_factor(session, user)
    session.save()
    return client
