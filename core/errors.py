"""The one "not found" of the portal: a missing object and another tenant's look exactly alike."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, ValidationError

NOT_FOUND_CODE = "not_found"


class NotFound(ObjectDoesNotExist, ValidationError):
    """A tenant-owned object that is missing, someone else's, or no longer the actor's.

    Raised by the `access_<thing>` selectors, with one message per kind of object and nothing
    that says which case it was. It is a ValidationError on `field`, so a mutation with
    `handle_django_errors=True` answers with OperationInfo (kind VALIDATION, code "not_found");
    anywhere else (queries, subscriptions) it is a top-level GraphQL error whose message is the
    bare `message`.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.not_found_message = message
        self.field = field
        error = ValidationError(message, code=NOT_FOUND_CODE)
        ValidationError.__init__(self, {field: error} if field else error)

    def __str__(self) -> str:
        return self.not_found_message
