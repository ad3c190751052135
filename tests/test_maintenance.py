"""``margin db check`` and ``margin db restore``: reports that say what is wrong, restores that
keep what they replace, and neither ever touching a database another Margin is writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from databases import abandon, folder_state

from tui.cli import main
from tui.core import Workspace
from tui.core.lock import take_lock
from tui.core.store import Store


def coded_sessions(corpus_dir: Path, database: Path, sessions: int) -> None:
    """``sessions`` separate runs, each tagging one more passage (so backups pile up)."""
    for session in range(sessions):
        workspace = Workspace.open([corpus_dir], database=database, author="tester")
        start = 100 * session
        workspace.toggle_theme(workspace.documents[1], start, start + 40, workspace.themes[session])
        workspace.close()


def check(database: Path, capsys) -> tuple[int, str]:
    status = main(["db", "check", "--db", str(database)])
    return status, capsys.readouterr().out


def test_check_reports_counts_backups_and_the_lock(corpus_dir: Path, database: Path, capsys) -> None:
    coded_sessions(corpus_dir, database, 3)
    status, out = check(database, capsys)
    assert status == 0
    assert "Margin database, schema 2" in out
    assert "12 themes, 1 document, 3 annotations" in out
    assert "annotations.json.backup-1" in out and "2 annotations, 12 themes" in out
    assert "lock: free" in out and "no problems found" in out

    lock = take_lock(database)
    try:
        status, out = check(database, capsys)
    finally:
        lock.release()
    assert "lock: another Margin is writing it (process" in out


def test_check_names_changed_documents_and_broken_references(corpus_dir: Path, database: Path, capsys) -> None:
    coded_sessions(corpus_dir, database, 1)
    changed = sorted(corpus_dir.glob("*.txt"))[1]
    changed.write_text("Rewritten. " + changed.read_text(encoding="utf-8"), encoding="utf-8")
    data = json.loads(database.read_text(encoding="utf-8"))
    data["annotations"]["1"]["themes"].append(999)
    database.write_text(json.dumps(data), encoding="utf-8")

    status, out = check(database, capsys)
    assert status == 1
    assert f"{changed.name}: changed since it was coded (1 annotation re-anchored when it is opened)" in out
    assert "annotation 1: refers to theme(s) [999], which are not in the database" in out


def test_check_on_a_corrupt_file_exits_2_and_leaves_it_alone(corpus_dir: Path, database: Path, capsys) -> None:
    coded_sessions(corpus_dir, database, 2)
    database.write_bytes(b'{"meta": {"1": {"applic')
    status, out = check(database, capsys)
    assert status == 2
    assert "the database is corrupt" in out and "annotations.json.backup-1" in out
    assert database.read_bytes() == b'{"meta": {"1": {"applic'


def test_restore_keeps_the_file_it_replaces(corpus_dir: Path, database: Path, capsys) -> None:
    coded_sessions(corpus_dir, database, 3)
    current = database.read_bytes()
    backup_2 = database.with_name("annotations.json.backup-2").read_bytes()

    assert main(["db", "restore", "2", "--db", str(database)]) == 0
    out = capsys.readouterr().out
    assert database.read_bytes() == backup_2
    (kept,) = database.parent.glob("annotations.json.before-restore-*")
    assert kept.read_bytes() == current and str(kept) in out
    workspace = Workspace.open([corpus_dir], database=database)
    assert len(workspace.store.annotations) == 1


@pytest.mark.parametrize("case", ["locked", "corrupt-backup", "missing-backup"])
def test_restore_refuses_and_changes_nothing(corpus_dir: Path, database: Path, capsys, case: str) -> None:
    coded_sessions(corpus_dir, database, 2)
    before = database.read_bytes()
    backup = database.with_name("annotations.json.backup-1")
    lock = take_lock(database) if case == "locked" else None
    if case == "corrupt-backup":
        backup.write_text("not json")
    try:
        choice = "3" if case == "missing-backup" else "1"
        assert main(["db", "restore", choice, "--db", str(database)]) == 2
    finally:
        if lock:
            lock.release()
    error = capsys.readouterr().err
    expected = {"locked": "not restored, another Margin is writing it",
                "corrupt-backup": "backup-1: the database is corrupt",
                "missing-backup": "backup-3: no such backup"}[case]
    assert expected in error and error.count("\n") == 1
    assert database.read_bytes() == before
    assert not list(database.parent.glob("*before-restore*"))


def test_check_reports_an_older_schema_without_upgrading_it(database: Path, capsys) -> None:
    from test_store import version_1_database

    original = version_1_database(database)
    status, out = check(database, capsys)
    assert status == 0 and "schema 1 (will be upgraded to 2 when opened)" in out
    assert database.read_bytes() == original


@pytest.mark.parametrize("folder_mode", [0o755, 0o555])
@pytest.mark.parametrize("state", ["never-locked", "locked", "journal"])
def test_check_only_reads(corpus_dir: Path, database: Path, capsys, folder_mode: int, state: str) -> None:
    """No lock, owner or journal file is created, nothing is rewritten, even in a read-only
    folder (run as root, the mode is not enforced, and the snapshot still must not change)."""
    coded_sessions(corpus_dir, database, 2)
    for sidecar in ("lock", "owner", "journal"):
        database.with_name(f"annotations.json.{sidecar}").unlink(missing_ok=True)
    lock = None
    if state == "locked":
        lock = take_lock(database)
    elif state == "journal":
        store = Store.open(database)
        store.create_theme("Journaled, not yet in the file")
        abandon(store)
    before = folder_state(database.parent)
    database.parent.chmod(folder_mode)
    try:
        status, out = check(database, capsys)
    finally:
        database.parent.chmod(0o755)
        if lock:
            lock.release()
    assert status == 0
    assert ("lock: another Margin is writing it" in out) == (state == "locked")
    assert ("1 journaled change not yet in the file" in out) == (state == "journal")
    assert folder_state(database.parent) == before
