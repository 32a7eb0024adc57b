"""Write operations of the liaison app; input errors come back as OperationInfo."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
import strawberry_django
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from strawberry.file_uploads import Upload
from strawberry_django.fields.types import OperationInfo

from core.actors import Actor
from core.graphql.context import Info
from core.graphql.ids import decode_global_id, uuid_pk
from core.graphql.permissions import IsAuthenticated
from core.graphql.text import MULTILINE
from core.http import client_ip
from liaison import (
    cannot_comply,
    documents,
    preservation,
    review,
    selectors,
    submission,
    user_notice,
)
from liaison.models import LegalRequest
from liaison.schema.inputs import SubmitLegalRequestInput
from liaison.schema.types import LegalDocumentType, LegalRequestType, NonDisclosureOrderType

SubmitLegalRequestResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("SubmitLegalRequestResult")
]
WithdrawLegalRequestResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("WithdrawLegalRequestResult")
]
AnswerClarificationResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("AnswerClarificationResult")
]
CorrectLegalRequestResult = Annotated[
    LegalRequestType | OperationInfo, strawberry.union("CorrectLegalRequestResult")
]
NonDisclosureOrderResult = Annotated[
    NonDisclosureOrderType | OperationInfo, strawberry.union("NonDisclosureOrderResult")
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


def _own_request_on(actor: Actor, request_id: object, field: str) -> LegalRequest:
    """As `_own_request`, with the "not found" on `field`."""
    return selectors.access_legal_request(
        actor=actor,
        legal_request_id=decode_global_id(request_id, "LegalRequest", uuid_pk),
        field=field,
    )


def _client_address(info: Info) -> str | None:
    """The caller's address over HTTP (None over a WebSocket, whose peer is checked when it
    connects)."""
    request = info.context.request
    return client_ip(request) if isinstance(request, HttpRequest) else None


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
        return submission.legal_request_submit(  # type: ignore[return-value]
            actor=actor, spec=spec, source_address=_client_address(info)
        )

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
            "Correct a request the platform could not execute (see `cannotComply`): say what "
            "you corrected (attach a corrected order with attachLegalDocument); the review "
            "resumes, and the clock with it. Or withdraw the request."
        ),
    )
    def correct_legal_request(
        self,
        info: Info,
        id: strawberry.ID,
        correction: Annotated[str, strawberry.argument(metadata=MULTILINE)],
        legal_basis: Annotated[
            str | None, strawberry.argument(description="The corrected legal basis, if it was.")
        ] = None,
        summary: Annotated[
            str | None,
            strawberry.argument(
                description="The corrected summary, if it was.", metadata=MULTILINE
            ),
        ] = None,
    ) -> CorrectLegalRequestResult:
        actor = info.context.require_actor()
        legal_request = _own_request(actor, id)
        return cannot_comply.legal_request_correct(  # type: ignore[return-value]
            actor=actor,
            legal_request=legal_request,
            correction=correction,
            legal_basis=legal_basis,
            summary=summary,
        )

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description=(
            "Forbid the platform to tell the user about one of your requests before `until` "
            "(a non-disclosure order, e.g. 18 U.S.C. 2705(b)); one per request, extend it with "
            "extendNonDisclosureOrder. You are reminded 7 days before it lapses."
        ),
    )
    def attach_non_disclosure_order(
        self, info: Info, request_id: strawberry.ID, legal_basis: str, until: datetime
    ) -> NonDisclosureOrderResult:
        actor = info.context.require_actor()
        legal_request = _own_request_on(actor, request_id, "requestId")
        return user_notice.non_disclosure_order_attach(  # type: ignore[return-value]
            actor=actor, legal_request=legal_request, legal_basis=legal_basis, until=until
        )

    @strawberry_django.mutation(
        handle_django_errors=True,
        permission_classes=[IsAuthenticated],
        description=(
            "Extend your request's non-disclosure order to a later `until` (with the legal "
            "basis of the extension, the order's own when omitted)."
        ),
    )
    def extend_non_disclosure_order(
        self,
        info: Info,
        request_id: strawberry.ID,
        until: datetime,
        legal_basis: str | None = None,
    ) -> NonDisclosureOrderResult:
        actor = info.context.require_actor()
        legal_request = _own_request_on(actor, request_id, "requestId")
        return user_notice.non_disclosure_order_extend(  # type: ignore[return-value]
            actor=actor, legal_request=legal_request, until=until, legal_basis=legal_basis
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
