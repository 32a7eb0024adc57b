"""API tokens: issue (shown once, stored hashed), revoke, and authenticate a bearer."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.actors import Actor
from core.ratelimit import RateDecision, describe_limit, rate_limit_hit, rate_limit_peek
from liaison.audit import AuditAction, audit_record
from liaison.models import ApiToken, Membership

TOKEN_PREFIX_LENGTH = 8
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A freshly issued token: `secret` is shown once and never stored."""

    token: ApiToken
    secret: str


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_issue(
    *,
    membership: Membership,
    expires_in: timedelta | None = None,
    label: str = "",
    actor: Actor | None = None,
    actor_label: str = "command line",
) -> IssuedToken:
    """Create a random token for a member; only its SHA-256 hash and lookup prefix are stored.
    The issue is audited (who issued it: `actor`, else `actor_label`), never the secret."""
    lifetime = expires_in if expires_in is not None else settings.API_TOKEN_DEFAULT_LIFETIME
    if lifetime <= timedelta(0):
        raise ValidationError({"expires_in": "A token must expire in the future."})
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    while True:
        prefix = "".join(secrets.choice(alphabet) for _ in range(TOKEN_PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = f"lp_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            membership=membership,
            prefix=prefix,
            token_hash=_hash_token(secret),
            label=label,
            expires_at=timezone.now() + lifetime,
        )
        _audit_token(token, AuditAction.TOKEN_ISSUED, actor=actor, actor_label=actor_label)
    return IssuedToken(token=token, secret=secret)


BROWSER_SESSION_TOKEN_LABEL = "API explorer (browser session)"  # noqa: S105 (a label)
BROWSER_SESSION_TOKEN_LIFETIME = timedelta(hours=1)


def api_token_issue_for_browser_session(*, membership: Membership) -> IssuedToken:
    """A short-lived token for a member signed in with a second factor who opens the API
    explorer: the explorer then speaks to the API as every integration does (bearer token,
    no cookie authentication on /graphql/). Listed with the member's tokens, revocable."""
    return api_token_issue(
        membership=membership,
        expires_in=BROWSER_SESSION_TOKEN_LIFETIME,
        label=BROWSER_SESSION_TOKEN_LABEL,
        actor_label="API explorer (member's own session)",
    )


def api_token_revoke(
    *, token: ApiToken, actor: Actor | None = None, actor_label: str = "command line"
) -> ApiToken:
    """Revoke a token at once; requests carrying it are refused from now on (audited)."""
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            _audit_token(token, AuditAction.TOKEN_REVOKED, actor=actor, actor_label=actor_label)
    return token


def _audit_token(token: ApiToken, action: str, *, actor: Actor | None, actor_label: str) -> None:
    membership = token.membership
    audit_record(
        actor=actor,
        actor_label=None if actor is not None else actor_label,
        action=action,
        object_type="ApiToken",
        object_id=token.pk,
        organization_id=membership.organization_id,
        details={
            "prefix": token.prefix,
            "membership_id": membership.pk,
            "member": membership.user.get_username(),
            "label": token.label,
            "expires_at": token.expires_at.isoformat(),
        },
    )


def api_token_authenticate(secret: str) -> Actor | None:
    """The actor a bearer token stands for, or None for an unknown, expired or revoked token."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != "lp" or len(parts[1]) != TOKEN_PREFIX_LENGTH:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("membership__user", "membership__organization")
        .filter(prefix=parts[1])
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, _hash_token(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # Written at most once a minute so that reads do not each cost a write.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    membership = token.membership
    if not membership.user.is_active:
        return None
    return Actor(
        user=membership.user,
        organization=membership.organization,
        membership_id=membership.pk,
        token_id=token.pk,
    )


class TokenAttemptsExceeded(Exception):
    """Too many invalid tokens came from one client address in the current window: the next
    token from there is refused before it is even looked up (so guessing gains nothing), and
    so is one whose lookup ended after a concurrent burst spent the window."""

    def __init__(self, decision: RateDecision) -> None:
        self.decision = decision
        super().__init__(describe_limit(decision, "invalid API tokens"))


def api_token_authenticate_from(secret: str, *, client_address: str) -> Actor | None:
    """`api_token_authenticate` for a bearer token sent from `client_address`
    (`core.http.client_ip`), with the per-address limit on invalid tokens
    (setting API_INVALID_TOKEN_LIMIT_PER_MINUTE). Every path that takes a bearer token uses it.

    Raises TokenAttemptsExceeded when the address is over the limit; every unknown, expired or
    revoked token counts one failure against the address. The answer is decided by the count
    *after* the lookup: a failure beyond the limit, and a valid token once the address has
    used up its failures, are refused like a token never looked up. Checked only before the
    lookup, a burst of concurrent guesses all passed the check before the first of them failed
    (200 wrong tokens sent at once were all answered 401 against a limit of 20); now at most
    the limit of wrong tokens is answered as such, however they arrive, and valid tokens sent
    at once are never refused for each other.
    """
    bucket = f"badtoken:{client_address}"
    limit = int(settings.API_INVALID_TOKEN_LIMIT_PER_MINUTE)
    decision = rate_limit_peek(bucket=bucket, limit=limit)
    if not decision.allowed:  # spent already: no lookup at all
        raise TokenAttemptsExceeded(decision)
    actor = api_token_authenticate(secret)
    decision = (
        rate_limit_hit(bucket=bucket, limit=limit)
        if actor is None
        else rate_limit_peek(bucket=bucket, limit=limit)
    )
    if not decision.allowed:
        raise TokenAttemptsExceeded(decision)
    return actor
