"""Staff admin of the liaison app, one module per subject; actions and review steps call services.

tenants: organizations and API tokens · requests: legal requests with their review (the steps
in review_steps) · audit: the audit log · webhooks: webhook deliveries.
"""

from liaison.admin import audit, requests, tenants, webhooks

__all__ = ["audit", "requests", "tenants", "webhooks"]
