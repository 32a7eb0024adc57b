"""The audit log: hash-chained, append-only, and audit_verify finds any edit or deletion."""

from __future__ import annotations

import itertools
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from core.actors import Actor
from liaison.audit import GENESIS_HASH, audit_record, entry_hash
from liaison.models import AuditEntry
from tests.conftest import Member
from tests.liaison.conftest import fulfilled


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def without_trigger(sql: str, params: list[Any]) -> None:
    """Tamper like someone with database access: switch the guard off, then edit."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE liaison_auditentry DISABLE TRIGGER liaison_audit_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE liaison_auditentry ENABLE TRIGGER liaison_audit_append_only")


@pytest.fixture
def history(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> list[AuditEntry]:
    fulfilled(authority, staff_one, staff_two)
    return list(AuditEntry.objects.order_by("seq"))


@pytest.mark.django_db
def test_every_step_is_chained(history: list[AuditEntry]) -> None:
    actions = [e.action for e in history]
    assert actions.count("legal_request.status_changed") == 4
    assert actions.count("legal_request.approved") == 2
    assert "legal_request.analysis_recorded" in actions
    assert "disclosure_package.created" in actions
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert history[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(history):
        assert entry.prev_hash == previous.hash
        assert entry_hash(entry) == entry.hash
    assert f"{len(history)} entries" in verify()


@pytest.mark.django_db
def test_the_database_refuses_updates_and_deletes(history: list[AuditEntry]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=history[0].pk).update(actor_label="someone else")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=history[0].pk).delete()
    verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_label", "someone else"),
        ("action", "legal_request.note"),
        ("object_id", "00000000-0000-0000-0000-000000000000"),
        ("details", '{"from": "ROUTED", "to": "REJECTED"}'),
        ("organization_id", 999),
        ("at", "2020-01-01T00:00:00Z"),
    ],
)
@pytest.mark.parametrize("position", ["first", "middle", "last"])
@pytest.mark.django_db
def test_audit_verify_names_an_edited_entry(
    history: list[AuditEntry], column: str, value: Any, position: str
) -> None:
    target = {"first": history[0], "middle": history[len(history) // 2], "last": history[-1]}[
        position
    ]
    sql = f"UPDATE liaison_auditentry SET {column} = %s WHERE id = %s"  # noqa: S608 - test's own column
    without_trigger(sql, [value, target.pk])
    with pytest.raises(CommandError, match=f"#{target.seq} "):
        verify()


@pytest.mark.django_db
def test_audit_verify_catches_an_edit_with_a_recomputed_hash(history: list[AuditEntry]) -> None:
    target = history[2]
    target.actor_label = "someone else"
    without_trigger(
        "UPDATE liaison_auditentry SET actor_label = %s, hash = %s WHERE id = %s",
        [target.actor_label, entry_hash(target), target.pk],
    )
    with pytest.raises(CommandError, match=f"#{target.seq + 1} .*prev_hash"):
        verify()


@pytest.mark.django_db
def test_audit_verify_names_a_deleted_entry(history: list[AuditEntry]) -> None:
    target = history[3]
    without_trigger("DELETE FROM liaison_auditentry WHERE id = %s", [target.pk])
    with pytest.raises(CommandError, match=f"#{target.seq} is missing"):
        verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                audit_record(actor=None, action="test.write", object_type="T", object_id=f"{n}-{i}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEntry.objects.count() == 40
    assert "40 entries" in verify()
