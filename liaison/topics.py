"""The outbox topics of the liaison app, declared in one place: what liaison announces (for the
apps above, which subscribe) and what it delivers to the organizations (e-mail, webhooks)."""

from __future__ import annotations

from core.outbox.topics import RetryPolicy, topic_declare

# A request was accepted. The switchboard routes it; its subscription picks the queue (urgent
# clocks go to `urgent`), which liaison cannot know.
SUBMITTED = topic_declare(name="legal_request.submitted")

# A request changed status (also pauses and resumes of its clock). The switchboard and the
# hotline subscribe with `wants` filters: a change neither wants is not stored.
STATUS_CHANGED = topic_declare(name="legal_request.status_changed")

# The status e-mail to the organization's contact address.
EMAIL_NOTICE = topic_declare(name="legal_request.email_notice")

# One signed webhook POST (a `WebhookDelivery`). Receivers go down for minutes, not seconds:
# eight attempts over about ten minutes, then a dead letter staff can revive.
WEBHOOK_DELIVERY = topic_declare(
    name="liaison.webhook_delivery",
    retry=RetryPolicy(max_attempts=8, backoff_seconds=5.0, backoff_max_seconds=300.0),
)
