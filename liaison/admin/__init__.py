"""Staff admin of the liaison app, one module per subject; actions and review steps call services.

tenants: organizations and API tokens · requests: legal requests with their review (the steps
in review_steps) · audit: the audit log · webhooks: webhook deliveries · preservations: what
is kept and until when.
"""

from liaison.admin import audit, preservations, requests, tenants, webhooks

__all__ = ["audit", "preservations", "requests", "tenants", "webhooks"]
