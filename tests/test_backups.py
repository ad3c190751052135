"""Backups that survive: a failed copy shifts nothing, restores never overwrite a kept file,
an empty backup is refused, and a killed writer's temporary files do not pile up."""

from __future__ import annotations

import errno
import os
import stat
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


def test_a_stale_temporary_that_is_not_a_file_is_left_alone(corpus_dir: Path, database: Path, tmp_path: Path) -> None:
    sessions(database, 1)
    folder = database.with_name(".annotations.json.x.tmp")
    folder.mkdir()
    (folder / "inside").write_text("not Margin's")
    link = database.with_name(".annotations.json.y.tmp")
    link.symlink_to(tmp_path / "elsewhere")
    stale = database.with_name(".annotations.json.z.tmp")
    stale.write_text("half a copy")

    Store.open(database).close()
    assert folder.is_dir() and (folder / "inside").read_text() == "not Margin's"
    assert link.is_symlink() and not stale.exists()
    codebook = tmp_path / "codes.csv"
    codebook.write_text("name,description\nImported,\n")
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    assert folder.is_dir() and link.is_symlink()


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_backup_that_is_not_a_regular_file_is_refused_in_one_line(
    kind: str, database: Path, tmp_path: Path, capsys
) -> None:
    sessions(database, 2)
    before = sorted(p.name for p in database.parent.iterdir())
    current = database.read_bytes()
    backup = tmp_path / "backup.json"
    if kind == "fifo":
        os.mkfifo(backup)
        expected = f"{backup}: is a FIFO (named pipe), not a file"
    else:
        backup.mkdir()
        expected = f"{backup}: is a folder, not a backup"
    assert main(["db", "restore", str(backup), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1
    assert database.read_bytes() == current
    assert sorted(p.name for p in database.parent.iterdir()) == before


def test_a_database_that_is_a_fifo_is_not_read_by_a_restore(database: Path, tmp_path: Path, capsys) -> None:
    sessions(database, 2)
    backup = tmp_path / "backup.json"
    backup.write_bytes(database.read_bytes())
    fifo = tmp_path / "fifo" / "annotations.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    assert main(["db", "restore", str(backup), "--db", str(fifo)]) == 2
    error = capsys.readouterr().err
    assert f"{fifo}: is a FIFO (named pipe), not a file" in error and error.count("\n") == 1
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


class FullDisk:
    """A journal handle on a disk that is full: writing fails, and so does closing (which
    flushes what the failed write left in the buffer)."""

    def __init__(self, handle) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    def close(self) -> None:
        self.handle.close()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str):
        return getattr(self.handle, name)


def test_a_full_disk_while_closing_the_journal_does_not_hide_the_real_error(
    database: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    sessions(database, 1)
    codebook = tmp_path / "codes.csv"
    codebook.write_text("name,description\nNever saved,\n")
    real_open = open
    monkeypatch.setattr("tui.core.journal.open", lambda *a, **k: FullDisk(real_open(*a, **k)), raising=False)
    assert main(["import", str(codebook), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert "could not be saved" in error and error.count("\n") == 1, error

    store = Store.open(database)
    store.create_theme("Also never saved")
    with pytest.raises(StoreError, match="1 change could not be saved"):
        store.close()
    assert store.journal._handle is None and store.lock is None
