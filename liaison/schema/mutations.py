"""Write operations of the liaison app; input errors come back as OperationInfo."""

from __future__ import annotations

from typing import Annotated

import strawberry
import strawberry_django
from strawberry.types import Info
from strawberry_django.fields.types import OperationInfo

from liaison import services
from liaison.schema.inputs import SubmitLegalRequestInput
from liaison.schema.types import LegalRequestType
from portal.graphql.context import get_actor
from portal.graphql.permissions import IsAuthenticated

SubmitLegalRequestResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("SubmitLegalRequestResult")
]


@strawberry.type
class Mutation:
    """Submitting legal requests."""

    @strawberry_django.mutation(handle_django_errors=True, permission_classes=[IsAuthenticated])
    def submit_legal_request(
        self, info: Info, input: SubmitLegalRequestInput
    ) -> SubmitLegalRequestResult:
        actor = get_actor(info)
        if actor is None:  # IsAuthenticated has refused anonymous callers already
            raise PermissionError("Authentication required.")
        spec = services.LegalRequestSpec(
            kind=input.kind.value,
            category=input.category.value,
            reference=input.reference,
            legal_basis=input.legal_basis,
            jurisdiction=input.jurisdiction,
            summary=input.summary,
            targets=[services.TargetSpec(kind=t.kind.value, value=t.value) for t in input.targets],
            data_categories=[c.value for c in input.data_categories]
            if input.data_categories is not None
            else None,
            idempotency_key=input.idempotency_key,
        )
        return services.legal_request_submit(actor=actor, spec=spec)  # type: ignore[return-value]
