"""Backups that survive: a failed copy shifts nothing, restores never overwrite a kept file,
an empty backup is refused, and a killed writer's temporary files do not pile up."""

from __future__ import annotations

import errno
from datetime import datetime
from pathlib import Path

import pytest
from databases import abandon

from tui.cli import main
from tui.core.store import Store, StoreError


def sessions(database: Path, count: int) -> None:
    """``count`` writing sessions, each adding a theme, so backups 1..3 all differ."""
    for number in range(count):
        store = Store.open(database)
        store.create_theme(f"Session {number}")
        store.close()


def backups(database: Path) -> list[bytes]:
    return [database.with_name(f"annotations.json.backup-{n}").read_bytes() for n in (1, 2, 3)]


def fail_with(code: int):
    def failing(*args, **kwargs):
        raise OSError(code, "injected")

    return failing


def test_a_full_disk_during_the_copy_shifts_no_backup_however_often_it_is_retried(
    database: Path, monkeypatch
) -> None:
    sessions(database, 4)
    before, current = backups(database), database.read_bytes()
    store = Store.open(database)
    monkeypatch.setattr("tui.core.storage.os.fsync", fail_with(errno.ENOSPC))
    for _ in range(4):  # every retry meets the full disk again
        with pytest.raises(StoreError, match="cannot save"):
            store.create_theme("Not yet")
        assert backups(database) == before
        assert not list(database.parent.glob(".*.tmp"))
    monkeypatch.undo()  # space freed
    store.create_theme("Now")
    store.close()
    assert backups(database) == [current, *before[:2]]


def test_a_kill_while_shifting_loses_no_older_backup(database: Path, monkeypatch) -> None:
    sessions(database, 4)
    before = backups(database)
    store = Store.open(database)

    class Killed(BaseException):
        pass

    def killed(*args, **kwargs):
        raise Killed

    monkeypatch.setattr("tui.core.backups.os.replace", killed)
    with pytest.raises(Killed):
        store.create_theme("Never")
    monkeypatch.undo()
    abandon(store)
    assert backups(database) == before


def test_stale_temporary_files_are_removed_by_the_next_writer_only(database: Path) -> None:
    sessions(database, 1)
    stale = [database.with_name(".annotations.json.k3j4_x.tmp"), database.with_name(".annotations.json.backup-1.q9.tmp")]
    foreign = database.with_name(".notes.txt.abc.tmp")
    for path in [*stale, foreign]:
        path.write_text("half a copy")
    Store.open(database, inspect=True)
    assert all(path.exists() for path in stale)  # a reader removes nothing
    Store.open(database).close()
    assert not any(path.exists() for path in stale) and foreign.exists()


def test_two_restores_in_the_same_second_keep_both_replaced_files(database: Path, monkeypatch, capsys) -> None:
    sessions(database, 4)
    first_current = database.read_bytes()
    backup_1, backup_2 = backups(database)[:2]

    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 30, 10, 0, 0)

    monkeypatch.setattr("tui.core.storage.datetime", FrozenClock)
    assert main(["db", "restore", "2", "--db", str(database)]) == 0
    assert main(["db", "restore", "1", "--db", str(database)]) == 0
    capsys.readouterr()
    kept = sorted(database.parent.glob("annotations.json.before-restore-*"))
    assert [path.name for path in kept] == [
        "annotations.json.before-restore-20261130T100000",
        "annotations.json.before-restore-20261130T100000-2",
    ]
    assert [path.read_bytes() for path in kept] == [first_current, backup_2]
    assert database.read_bytes() == backup_1


@pytest.mark.parametrize("content", [b"", b"  \n\t"])
def test_an_empty_backup_is_refused(database: Path, capsys, content: bytes) -> None:
    sessions(database, 2)
    before = database.read_bytes()
    database.with_name("annotations.json.backup-1").write_bytes(content)
    assert main(["db", "restore", "1", "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert "backup-1: the backup is empty; nothing was restored" in error and error.count("\n") == 1
    assert database.read_bytes() == before
    assert not list(database.parent.glob("*before-restore*"))


@pytest.mark.parametrize("beside", ["backup", "journal"])
def test_an_emptied_database_with_backups_or_a_journal_is_not_taken_for_a_new_one(
    corpus_dir: Path, database: Path, capsys, beside: str
) -> None:
    sessions(database, 2 if beside == "backup" else 1)
    if beside == "journal":
        store = Store.open(database)
        store.create_theme("Journaled")
        abandon(store)
        for backup in database.parent.glob("annotations.json.backup-*"):
            backup.unlink()
    else:
        database.with_name("annotations.json.journal").unlink(missing_ok=True)
    database.write_bytes(b" \n")
    folder = sorted(p.name for p in database.parent.iterdir())

    with pytest.raises(StoreError, match=r"annotations\.json: the file is empty but has backups or a journal beside it; "
                                         r"if this is unexpected, run `margin db restore`"):
        Store.open(database)
    assert main([str(corpus_dir), "--db", str(database)]) == 2
    assert "run `margin db restore`" in capsys.readouterr().err
    assert main(["db", "check", "--db", str(database)]) == 2
    assert database.read_bytes() == b" \n"
    assert sorted(p.name for p in database.parent.iterdir()) == folder


def test_an_empty_file_alone_is_a_new_database(database: Path) -> None:
    database.parent.mkdir(parents=True)
    database.write_bytes(b"")
    store = Store.open(database)
    store.create_theme("First")
    store.close()
    assert [t.name for t in Store.open(database, inspect=True).themes] == ["First"]
