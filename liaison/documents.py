"""Legal documents: the signed orders (PDF) authorities attach, stored privately, read audited.

A file is accepted by its content, not its name: it must start with the `%PDF-` header and
carry the `%%EOF` trailer near its end, and stay under `LEGAL_DOCUMENT_MAX_BYTES`. It is stored
under MEDIA_ROOT with a random name (MEDIA_ROOT is never served), and read only through
`legal_document_open`, which is tenant-scoped and writes an audit entry for every read.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_noop

from core.actors import Actor
from core.errors import NotFound
from liaison import selectors
from liaison.audit import AuditAction, audit_record
from liaison.lifecycle import TERMINAL_STATUSES, lock_request
from liaison.models import LegalDocument, TimelineEntry

PDF_MAGIC = b"%PDF-"
PDF_TRAILER = b"%%EOF"
TRAILER_WINDOW = 1024  # the trailer may be followed by a little whitespace or junk


def _file_error(
    message: str, code: str, params: dict[str, object] | None = None
) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code, params=params)})


def _inspect(upload: IO[bytes], size: int) -> str:
    """Check the content is a PDF; return its SHA-256 (hex)."""
    upload.seek(0)
    if upload.read(len(PDF_MAGIC)) != PDF_MAGIC:
        raise _file_error(
            gettext_noop("The file is not a PDF (it does not start with %PDF-)."), "not_pdf"
        )
    upload.seek(max(size - TRAILER_WINDOW, 0))
    if PDF_TRAILER not in upload.read(TRAILER_WINDOW):
        raise _file_error(
            gettext_noop("The file is not a complete PDF (no %%EOF trailer)."), "not_pdf"
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 16), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def legal_document_attach(
    *, actor: Actor, legal_request_id: object, upload: UploadedFile
) -> LegalDocument:
    """Attach a signed order (PDF) to one of the actor's organization's open requests."""
    legal_request = selectors.access_legal_request(
        actor=actor,
        # Staff do not attach orders: for them every request is "not found".
        legal_request_id=legal_request_id if actor.organization_id is not None else None,
        field="requestId",
    )
    size = upload.size or 0
    if size == 0:
        raise _file_error(gettext_noop("The file is empty."), "empty")
    if size > settings.LEGAL_DOCUMENT_MAX_BYTES:
        limit = settings.LEGAL_DOCUMENT_MAX_BYTES // (1024 * 1024)
        raise _file_error(
            gettext_noop("The file is larger than %(limit)s MB."), "too_large", {"limit": limit}
        )
    if upload.file is None:
        raise _file_error(gettext_noop("No file was received."), "empty")
    sha256 = _inspect(upload.file, size)
    filename = os.path.basename((upload.name or "document.pdf").replace("\\", "/"))[:200]
    document = LegalDocument(
        legal_request=legal_request,
        organization_id=legal_request.organization_id,
        uploaded_by=actor.user,
        filename=filename or "document.pdf",
        size=size,
        sha256=sha256,
    )
    document.file.save(f"{uuid.uuid4().hex}.pdf", upload, save=False)
    try:
        with transaction.atomic():
            locked = lock_request(legal_request)
            if locked.status in TERMINAL_STATUSES:
                raise _file_error(
                    gettext_noop("The request is %(status)s; documents can no longer be attached."),
                    "request_closed",
                    {"status": locked.status},
                )
            document.save()
            TimelineEntry.objects.create(
                legal_request=locked,
                event=TimelineEntry.Event.DOCUMENT_ATTACHED,
                status=locked.status,
                actor_label=actor.label,
                message=f"Legal document attached: {document.filename} (SHA-256 {sha256}).",
            )
            audit_record(
                actor=actor,
                action=AuditAction.DOCUMENT_ATTACHED,
                object_type="LegalDocument",
                object_id=document.pk,
                organization_id=locked.organization_id,
                details={"legal_request_id": str(locked.pk), "sha256": sha256, "size": size},
            )
    except BaseException:
        document.file.delete(save=False)  # nothing half-stored: no orphan file either
        raise
    return document


def legal_document_open(
    *, actor: Actor | None, document_id: object
) -> tuple[LegalDocument, Any] | None:
    """The document and an open binary file, for its organization or staff; None ("not found")
    otherwise. Every read is written to the audit log before the file is handed out."""
    try:
        document = selectors.access_legal_document(actor=actor, document_id=document_id)
    except NotFound:
        return None
    audit_record(
        actor=actor,
        action=AuditAction.DOCUMENT_READ,
        object_type="LegalDocument",
        object_id=document.pk,
        organization_id=document.organization_id,
        details={"legal_request_id": str(document.legal_request_id), "sha256": document.sha256},
    )
    return document, document.file.open("rb")
