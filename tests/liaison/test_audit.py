"""The audit log: hash-chained, append-only, and audit_verify finds any edit or deletion."""

from __future__ import annotations

import base64
import contextlib
import itertools
import os
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import astuple
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from core.actors import Actor
from liaison import signing
from liaison.audit import (
    GENESIS_HASH,
    SEALING_FIELDS,
    AuditHead,
    audit_head,
    audit_record,
    audit_report,
    audit_seal,
    audit_signed_head,
    audit_verify,
    entry_hash,
    tree_head_message,
)
from liaison.models import AuditEntry, AuditTreeHead
from liaison.tasks import seal_audit_log_task
from tests.conftest import Member
from tests.liaison.conftest import fulfilled
from tests.realthings import ROOT, worker_database_url


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def without_trigger(sql: str, params: list[Any]) -> None:
    """Tamper like someone with database access: switch the guard off, then edit."""
    without_trigger_on("liaison_auditentry", "liaison_audit_append_only", sql, params)


def without_trigger_on(table: str, trigger: str, sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


@pytest.fixture
def history(
    authority: Member, staff_one: Actor, staff_two: Actor, accounts: Any
) -> list[AuditEntry]:
    fulfilled(authority, staff_one, staff_two)
    audit_seal()  # entries are chained by the sealer, after they were appended
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
    audit_seal()
    assert "40 entries" in verify()


# -- the sealer: appends take no lock; the sealer chains, signs and is idempotent --------------


def append(n: int, prefix: str = "t") -> None:
    for i in range(n):
        audit_record(actor=None, action="test.write", object_type="T", object_id=f"{prefix}-{i}")


@pytest.mark.django_db(transaction=True)
def test_appenders_on_two_connections_do_not_wait_for_each_other() -> None:
    """Writer A appends and keeps its transaction open; writer B, on another connection,
    appends and commits meanwhile (with the old chain lock B waited for A's commit). The sealer
    runs while A is still open, seals B's entry, and A's once A commits."""
    a_appended, b_done, a_may_commit = threading.Event(), threading.Event(), threading.Event()
    b_seconds: list[float] = []
    errors: list[BaseException] = []

    def writer_a() -> None:
        try:
            with transaction.atomic():
                audit_record(actor=None, action="test.write", object_type="T", object_id="a")
                a_appended.set()
                assert a_may_commit.wait(10)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    def writer_b() -> None:
        try:
            assert a_appended.wait(10)
            started = time.monotonic()
            with transaction.atomic():
                audit_record(actor=None, action="test.write", object_type="T", object_id="b")
            b_seconds.append(time.monotonic() - started)
            b_done.set()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    try:
        assert b_done.wait(5), "writer B waited for writer A's open transaction"
        assert b_seconds[0] < 1.0
        # The sealer neither waits for A nor sees its uncommitted entry.
        first = audit_seal()
        assert (first.sealed, first.head.seq) == (1, 1)
        assert AuditEntry.objects.get(seq=1).object_id == "b"
    finally:
        a_may_commit.set()
        for thread in threads:
            thread.join()
    assert not errors
    second = audit_seal()
    assert (second.sealed, second.head.seq) == (1, 2)
    assert AuditEntry.objects.get(seq=2).object_id == "a"
    assert audit_verify() == (2, None)
    assert audit_head() == second.head


@pytest.mark.django_db(transaction=True)
def test_appenders_in_two_processes_run_side_by_side(tmp_path: Path) -> None:
    """Two OS processes, each holding its transaction open after appending, both finish their
    appends before either commits: nothing serializes them."""
    script = textwrap.dedent(
        """
        import os, sys, time, django
        django.setup()
        from django.db import transaction
        from liaison.audit import audit_record
        mark, go = sys.argv[1], sys.argv[2]
        with transaction.atomic():
            for i in range(20):
                audit_record(actor=None, action="test.proc", object_type="T", object_id=f"{os.path.basename(mark)}-{i}")
            open(mark, "w").close()  # appended, transaction still open
            deadline = time.monotonic() + 20
            while not os.path.exists(go) and time.monotonic() < deadline:
                time.sleep(0.01)
        """
    )
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("TEST_DB_NAME", None)
    go = tmp_path / "go"
    marks = [tmp_path / "one", tmp_path / "two"]
    processes = [
        subprocess.Popen([sys.executable, "-c", script, str(mark), str(go)], env=env, cwd=ROOT)
        for mark in marks
    ]
    try:
        deadline = time.monotonic() + 30
        while not all(mark.exists() for mark in marks) and time.monotonic() < deadline:
            time.sleep(0.05)  # waiting for other processes, not for time to pass
        assert all(mark.exists() for mark in marks), "one appender waited for the other"
    finally:
        go.touch()
        for process in processes:
            assert process.wait(30) == 0
    assert audit_seal().sealed == 40
    assert audit_verify() == (40, None)


@pytest.mark.django_db
def test_sealing_twice_changes_nothing() -> None:
    append(5)
    first = audit_seal(batch_size=2)
    assert (first.sealed, first.batches, first.head.seq) == (5, 3, 5)
    rows = list(AuditEntry.objects.values_list("id", *SEALING_FIELDS).order_by("id"))
    heads = list(AuditTreeHead.objects.values_list("tree_size", "head_hash", "signature"))
    assert [h[0] for h in heads] == [2, 4, 5]
    again = audit_seal()
    assert (again.sealed, again.batches, again.head) == (0, 0, first.head)
    assert list(AuditEntry.objects.values_list("id", *SEALING_FIELDS).order_by("id")) == rows
    assert list(AuditTreeHead.objects.values_list("tree_size", "head_hash", "signature")) == heads
    assert "Audit log OK: 5 entries" in verify()


@pytest.mark.django_db
def test_a_seal_continues_the_chain_and_signs_its_head() -> None:
    append(3, "first")
    audit_seal()
    append(2, "second")
    result = audit_seal()
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[3].prev_hash == entries[2].hash
    assert all(e.sealed_at is not None for e in entries)
    head = audit_signed_head()
    assert head is not None
    assert (head.tree_size, head.head_hash) == (5, entries[-1].hash) == astuple(result.head)
    message = tree_head_message(
        tree_size=head.tree_size, head_hash=head.head_hash, sealed_at=head.sealed_at,
        key_id=head.key_id,
    )  # fmt: skip
    assert signing.verify(message, head.signature)


@pytest.mark.django_db
def test_the_database_lets_the_sealer_set_only_the_sealing_columns_once() -> None:
    append(1)
    entry = AuditEntry.objects.get()
    # Content cannot change while unsealed, not even together with the sealing columns.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(
            seq=1, prev_hash=GENESIS_HASH, hash="f" * 64, sealed_at=entry.at, actor_label="x"
        )
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    audit_seal()
    # Sealed once: the sealing columns are frozen too.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(seq=7)
    head = AuditTreeHead.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditTreeHead.objects.filter(pk=head.pk).update(head_hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditTreeHead.objects.filter(pk=head.pk).delete()
    assert audit_verify() == (1, None)


@pytest.mark.django_db
def test_a_sealed_entry_cut_from_the_end_is_caught_by_the_signed_head() -> None:
    append(4)
    audit_seal()
    last = AuditEntry.objects.get(seq=4)
    without_trigger("DELETE FROM liaison_auditentry WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match=r"#4 is missing.*signed head #4.*cut from the end"):
        verify()


@pytest.mark.django_db
def test_the_last_entry_edited_and_rehashed_is_caught_by_the_signed_head() -> None:
    append(3)
    audit_seal()
    last = AuditEntry.objects.get(seq=3)
    last.actor_label = "someone else"
    without_trigger(
        "UPDATE liaison_auditentry SET actor_label = %s, hash = %s WHERE id = %s",
        [last.actor_label, entry_hash(last), last.pk],
    )
    with pytest.raises(CommandError, match=r"#3 .*does not hold the signed head #3"):
        verify()


@pytest.mark.django_db
def test_a_forged_signed_head_is_caught() -> None:
    append(2)
    audit_seal()
    without_trigger_on(
        "liaison_audittreehead",
        "liaison_audit_head_append_only",
        "UPDATE liaison_audittreehead SET signature = %s",
        [base64.b64encode(b"\0" * 64).decode()],
    )
    with pytest.raises(CommandError, match="BAD SIGNATURE"):
        verify()


@pytest.mark.django_db
def test_published_anchors_are_checked() -> None:
    append(3)
    published = audit_head(seal=True)
    assert published.seq == 3
    assert audit_verify(anchors=[published]) == (3, None)
    forged = AuditHead(seq=2, hash="e" * 64)
    _, broken = audit_verify(anchors=[forged])
    assert broken is not None
    assert (broken.seq, "anchored head #2") == (2, broken.reason[-16:])
    beyond = AuditHead(seq=9, hash="e" * 64)
    _, broken = audit_verify(anchors=[beyond])
    assert broken is not None
    assert "cut from the end" in broken.reason


@pytest.mark.django_db
def test_unsealed_entries_are_reported_and_only_past_the_bound(settings: Any) -> None:
    settings.AUDIT_UNSEALED_MAX_SECONDS = 60
    append(2)
    appended = AuditEntry.objects.order_by("at").first()
    assert appended is not None
    within, past = appended.at + timedelta(seconds=30), appended.at + timedelta(seconds=61)
    assert audit_verify(now=within) == (0, None)
    assert "Audit log OK: 0 entries" in verify()
    assert "2 entries appended and not sealed yet" in verify()
    report = audit_report(now=past)
    assert (report.unsealed, report.stale_unsealed, report.broken) == (2, 2, None)
    checked, finding = audit_verify(now=past)
    assert checked == 0
    assert finding is not None
    assert "2 entries unsealed for longer than 60 s" in finding.reason
    settings.AUDIT_UNSEALED_MAX_SECONDS = 0  # the command checks against the clock
    with pytest.raises(CommandError, match="but 2 entries unsealed for longer than 0 s"):
        verify()
    audit_seal()
    assert audit_verify(now=past) == (2, None)
    assert verify().strip() == "Audit log OK: 2 entries, chain intact."


@pytest.mark.django_db
def test_an_entry_appended_in_a_rolled_back_transaction_leaves_no_gap() -> None:
    append(1, "kept")
    with contextlib.suppress(RuntimeError), transaction.atomic():
        append(1, "rolled-back")
        raise RuntimeError
    assert AuditEntry.objects.count() == 1
    append(1, "kept-too")
    audit_seal()
    assert [e.seq for e in AuditEntry.objects.order_by("seq")] == [1, 2]
    assert audit_verify() == (2, None)


@pytest.mark.django_db
def test_the_beat_task_and_the_command_seal(settings: Any) -> None:
    append(3)
    assert seal_audit_log_task.apply().get() == 3
    append(1)
    out = StringIO()
    call_command("audit_seal", stdout=out)
    assert out.getvalue().startswith("Sealed 1 entries in 1 batches; head #4 ")
    assert audit_verify() == (4, None)
    assert "audit-seal" in settings.CELERY_BEAT_SCHEDULE
