"""Logging filter that keeps API tokens out of every log line."""

import logging
import re

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
