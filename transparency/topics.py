"""The outbox topics of the transparency app."""

from __future__ import annotations

from core.outbox.topics import RetryPolicy, topic_declare

# "Statements of reasons are waiting": one event per recorded statement; its delivery sends
# every pending statement in batches of 100. The database rate-limits (429) and goes down for
# maintenance: ten attempts over about half an hour, then a dead letter (the statements stay
# PENDING and go with the next event, or when staff revive this one).
DSA_TDB_SEND = topic_declare(
    name="transparency.dsa_tdb_send",
    retry=RetryPolicy(max_attempts=10, backoff_seconds=2.0, backoff_max_seconds=600.0),
)
