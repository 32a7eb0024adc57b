"""Write operations of the liaison app; input errors come back as OperationInfo."""

from __future__ import annotations

from typing import Annotated

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from strawberry.file_uploads import Upload
from strawberry_django.fields.types import OperationInfo

from core.actors import Actor
from core.graphql.context import Info
from core.graphql.ids import decode_global_id, uuid_pk
from core.graphql.permissions import IsAuthenticated
from core.graphql.text import MULTILINE
from liaison import documents, preservation, review, selectors, submission
from liaison.models import LegalRequest
from liaison.schema.inputs import SubmitLegalRequestInput
from liaison.schema.types import LegalDocumentType, LegalRequestType

SubmitLegalRequestResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("SubmitLegalRequestResult")
]
WithdrawLegalRequestResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("WithdrawLegalRequestResult")
]
AnswerClarificationResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("AnswerClarificationResult")
]
ExtendPreservationResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("ExtendPreservationResult")
]
AttachLegalDocumentResult = Annotated[
    LegalDocumentType | OperationInfo, strawberry.union("AttachLegalDocumentResult")
]


def _own_request(actor: Actor, request_id: object) -> LegalRequest:
    """The viewer's request, or the same "not found" error for a missing or foreign one."""
    return selectors.access_legal_request(
        actor=actor, legal_request_id=decode_global_id(request_id, "LegalRequest", uuid_pk)
    )


@strawberry.type
class Mutation:
    """Submitting, documenting, answering and withdrawing legal requests."""

    @strawberry_django.mutation(handle_django_errors=True, permission_classes=[IsAuthenticated])
    def submit_legal_request(
        self, info: Info, input: SubmitLegalRequestInput
    ) -> SubmitLegalRequestResult:
        actor = info.context.require_actor()
        preservation_request_id = None
        if input.preservation_id is not None:
            preservation_request_id = decode_global_id(
                input.preservation_id, "LegalRequest", uuid_pk
            )
            if preservation_request_id is None:
                raise ValidationError(
                    {
                        "preservationId": ValidationError(
                            "No preservation of your organization with this id.",
                            code="not_found",
                        )
                    }
                )
        spec = submission.LegalRequestSpec(
            kind=input.kind.value,
            category=input.category.value,
            reference=input.reference,
            legal_basis=input.legal_basis,
            jurisdiction=input.jurisdiction,
            summary=input.summary,
            targets=[
                submission.TargetSpec(kind=t.kind.value, value=t.value) for t in input.targets
            ],
            data_categories=[c.value for c in input.data_categories]
            if input.data_categories is not None
            else None,
            idempotency_key=input.idempotency_key,
            period_start=input.period_start,
            period_end=input.period_end,
            instrument=input.instrument.value if input.instrument is not None else None,
            preservation_request_id=preservation_request_id,
        )
        return submission.legal_request_submit(actor=actor, spec=spec)  # type: ignore[return-value]

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description="Withdraw one of your organization's requests (any time before fulfilment).",
    )
    def withdraw_legal_request(self, info: Info, id: strawberry.ID) -> WithdrawLegalRequestResult:
        actor = info.context.require_actor()
        legal_request = _own_request(actor, id)
        return review.legal_request_withdraw(actor=actor, legal_request=legal_request)  # type: ignore[return-value]

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description="Answer staff's question on a request in NEEDS_INFO; the clock resumes.",
    )
    def answer_clarification(
        self,
        info: Info,
        id: strawberry.ID,
        answer: Annotated[str, strawberry.argument(metadata=MULTILINE)],
    ) -> AnswerClarificationResult:
        actor = info.context.require_actor()
        legal_request = _own_request(actor, id)
        return review.legal_request_answer_clarification(  # type: ignore[return-value]
            actor=actor, legal_request=legal_request, answer=answer
        )

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description=(
            "Extend the preservation of one of your PRESERVATION requests once, by what its "
            "instrument allows (EU EPOC-PR: 30 days; US 2703(f): 90 days): preservedUntil "
            "moves on. A second extension is refused."
        ),
    )
    def extend_preservation(self, info: Info, id: strawberry.ID) -> ExtendPreservationResult:
        actor = info.context.require_actor()
        legal_request = _own_request(actor, id)
        return preservation.preservation_extend(actor=actor, legal_request=legal_request)  # type: ignore[return-value]

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description=(
            "Attach the signed legal order (a PDF, at most 20 MB) to one of your open requests, "
            "as a GraphQL multipart upload. Its SHA-256 is recorded."
        ),
    )
    def attach_legal_document(
        self, info: Info, request_id: strawberry.ID, file: Upload
    ) -> AttachLegalDocumentResult:
        actor = info.context.require_actor()
        return documents.legal_document_attach(  # type: ignore[return-value]
            actor=actor,
            legal_request_id=decode_global_id(request_id, "LegalRequest", uuid_pk),
            upload=file,  # type: ignore[arg-type]
        )
