"""Logging helpers: no API token in any log line, and who the current caller is.

`current_caller()` names the caller of the operation being handled (an API token's id, a staff
user, or an anonymous client address), so that a refusal deep in a validation rule can be
logged with who asked for it. The HTTP view and the WebSocket consumer set it per operation.
"""

import contextvars
import logging
import re
from typing import Any

TOKEN_PATTERN = re.compile(r"lp_[A-Za-z0-9]{8}_[A-Za-z0-9_\-]{20,}")
BEARER_PATTERN = re.compile(r"(?i)(bearer\s+)\S+")


def redact(text: str) -> str:
    """Replace anything that looks like an API token with a placeholder."""
    return BEARER_PATTERN.sub(r"\1[redacted]", TOKEN_PATTERN.sub("[redacted-token]", text))


class RedactTokensFilter(logging.Filter):
    """Rewrites a record's message so that no token reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_caller: contextvars.ContextVar[str] = contextvars.ContextVar("liaison_caller", default="unknown")


def current_caller() -> str:
    """Who the operation being handled is for, e.g. `token 12`, `staff 3`, `anonymous 10.0.0.1`."""
    return _caller.get()


def caller_label(actor: Any, address: str) -> str:
    """How a caller is named in the logs: `token 12`, `staff 3`, or `anonymous <address>`."""
    if actor is None:
        return f"anonymous {address}"
    if getattr(actor, "token_id", None) is not None:
        return f"token {actor.token_id}"
    return f"staff {getattr(actor.user, 'pk', '?')}"


def set_current_caller(label: str) -> contextvars.Token[str]:
    """Name the caller of the operation that starts now (in this thread or task)."""
    return _caller.set(label)
