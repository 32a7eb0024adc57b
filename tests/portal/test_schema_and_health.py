"""The committed schema.graphql matches the code; /healthz reports the database and Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from strawberry.printer import print_schema

from portal.graphql.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_exported_schema_is_in_sync() -> None:
    assert SCHEMA_FILE.read_text().strip() == print_schema(schema).strip(), (
        "schema.graphql is out of date: run `make schema` and commit it."
    )


@pytest.mark.parametrize(
    "name",
    [
        "viewer",
        "legalRequest",
        "legalRequests",
        "routingGuide",
        "submitLegalRequest",
        "SubmitLegalRequestInput",
        "OperationInfo",
    ],
)
def test_public_contract_names_exist(name: str) -> None:
    assert name in print_schema(schema)


@pytest.mark.django_db
def test_healthz_reports_both_components(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"]["ok"] is True
    assert response.json()["redis"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client: Any, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False
    assert response.json()["database"]["ok"] is True
