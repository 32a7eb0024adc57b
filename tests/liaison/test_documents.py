"""Legal documents: multipart upload, checked by content, stored privately, read audited."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from strawberry.relay import to_base64

from core.actors import Actor
from liaison.models import AuditEntry, LegalDocument, LegalRequest
from tests.conftest import Member
from tests.factories import StaffUserFactory
from tests.liaison.conftest import submit
from tests.signin import sign_in_staff

ATTACH = """mutation($id: ID!, $file: Upload!) { attachLegalDocument(requestId: $id, file: $file) {
  __typename ... on LegalDocument { id filename size sha256 downloadPath }
  ... on OperationInfo { messages { field code message } } } }"""
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upload(
    client: Client, member: Member, request_id: str, content: bytes, name: str = "order.pdf"
) -> dict[str, Any]:
    response = client.post(
        "/graphql/",
        {
            "operations": json.dumps(
                {"query": ATTACH, "variables": {"id": request_id, "file": None}}
            ),
            "map": json.dumps({"0": ["variables.file"]}),
            "0": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
        HTTP_AUTHORIZATION=f"Bearer {member.token}",
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]["attachLegalDocument"]


def gid(legal_request: LegalRequest) -> str:
    return to_base64("LegalRequest", str(legal_request.pk))


@pytest.mark.django_db
def test_pdf_is_stored_privately_with_its_hash(
    client: Client, authority: Member, media_root: Path
) -> None:
    legal_request = submit(authority, with_document=False)
    result = upload(client, authority, gid(legal_request), PDF, name="../../etc/Beschluss.pdf")
    assert result["__typename"] == "LegalDocument", result
    assert result["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert result["filename"] == "Beschluss.pdf"
    document = LegalDocument.objects.get()
    stored = Path(document.file.path)
    assert stored.is_relative_to(media_root)
    assert "Beschluss" not in stored.name  # a random name, not the uploader's
    assert stored.read_bytes() == PDF
    assert AuditEntry.objects.filter(action="legal_document.attached").count() == 1


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"GIF89a not a pdf %%EOF", "order.pdf", "not_pdf"),
        (b"%PDF-1.7 truncated, no trailer", "order.pdf", "not_pdf"),
        (b"", "order.pdf", "empty"),
    ],
)
@pytest.mark.django_db
def test_files_are_checked_by_content_not_name(
    client: Client, authority: Member, media_root: Path, content: bytes, name: str, code: str
) -> None:
    legal_request = submit(authority, with_document=False)
    result = upload(client, authority, gid(legal_request), content, name=name)
    assert result["__typename"] == "OperationInfo"
    assert [(m["field"], m["code"]) for m in result["messages"]] == [("file", code)]
    assert not LegalDocument.objects.exists()
    assert not any(media_root.rglob("*.pdf"))  # nothing half-stored


@pytest.mark.django_db
def test_size_limit(client: Client, authority: Member, settings: Any) -> None:
    settings.LEGAL_DOCUMENT_MAX_BYTES = 100
    legal_request = submit(authority, with_document=False)
    result = upload(client, authority, gid(legal_request), PDF + b" " * 100)
    assert [m["code"] for m in result["messages"]] == ["too_large"]


@pytest.mark.django_db
def test_cannot_attach_to_another_organizations_request(
    client: Client, authority: Member, other_authority: Member, media_root: Path
) -> None:
    foreign = submit(other_authority, with_document=False)
    into_foreign = upload(client, authority, gid(foreign), PDF)
    into_missing = upload(client, authority, to_base64("LegalRequest", str(uuid.uuid4())), PDF)
    assert into_foreign == into_missing
    assert into_foreign["messages"][0]["code"] == "not_found"
    assert not LegalDocument.objects.exists()
    assert not any(media_root.rglob("*.pdf"))


@pytest.mark.django_db
def test_only_the_uploader_and_staff_read_it_and_every_read_is_audited(
    client: Client, authority: Member, other_authority: Member, staff_one: Actor
) -> None:
    legal_request = submit(authority, with_document=False)
    path = upload(client, authority, gid(legal_request), PDF)["downloadPath"]
    own = client.get(path, HTTP_AUTHORIZATION=f"Bearer {authority.token}")
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF
    assert own["Content-Type"] == "application/pdf"
    foreign = client.get(path, HTTP_AUTHORIZATION=f"Bearer {other_authority.token}")
    missing = client.get(
        f"/legal-documents/{uuid.uuid4()}", HTTP_AUTHORIZATION=f"Bearer {other_authority.token}"
    )
    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert foreign.status_code == 404
    assert client.get(path).status_code == 401
    staff = sign_in_staff(Client(), StaffUserFactory())
    document = LegalDocument.objects.get()
    admin_url = f"/admin/liaison/legalrequest/{legal_request.pk}/documents/{document.pk}/"
    response = staff.get(admin_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    reads = AuditEntry.objects.filter(action="legal_document.read").order_by("id")
    assert [r.organization_id for r in reads] == [authority.organization.pk] * 2
    assert reads[0].actor_label == authority.actor.label
    assert reads[1].actor_label.startswith("staff")


@pytest.mark.django_db
def test_documents_are_listed_only_to_their_organization(
    client: Client, gql: Any, authority: Member
) -> None:
    legal_request = submit(authority, with_document=False)
    upload(client, authority, gid(legal_request), PDF)
    query = "query($id: ID!) { legalRequest(id: $id) { documents { filename sha256 } } }"
    body = gql(query, {"id": gid(legal_request)}, token=authority.token)
    assert body["data"]["legalRequest"]["documents"][0]["filename"] == "order.pdf"
