"""Backups, case by case: exactly which copies are kept and listed, in which order, with which
dates, and what a restore leaves on disk or says when it fails. Beside tests/test_backups.py."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from databases import sound_database, write_database

from tui.core import backups as backups_module
from tui.core.backups import backups_of, resolve_backup, restore_backup, rotate
from tui.core.storage import StoreError


def names(folder: Path) -> list[str]:
    return sorted(entry.name for entry in folder.iterdir())


def test_rotating_keeps_three_generations_newest_first_and_never_a_fourth(database: Path) -> None:
    for generation in (b"A", b"B", b"C", b"D", b"E"):
        write_database(database, {"generation": generation.decode()})
        rotate(database)
    assert names(database.parent) == [
        "annotations.json",
        "annotations.json.backup-1",
        "annotations.json.backup-2",
        "annotations.json.backup-3",
    ]
    kept = [database.with_name(f"annotations.json.backup-{n}").read_bytes() for n in (1, 2, 3)]
    assert kept == [b'{"generation": "E"}', b'{"generation": "D"}', b'{"generation": "C"}']


def test_the_new_backup_keeps_the_date_the_database_was_saved(database: Path) -> None:
    write_database(database, sound_database())
    rotate(database)  # a backup-1 from now, so that backup-2 exists too the second time
    saved = 1_700_000_000_000_000_000
    os.utime(database, ns=(saved, saved))
    rotate(database)
    assert database.with_name("annotations.json.backup-1").stat().st_mtime_ns == saved
    assert database.with_name("annotations.json.backup-2").stat().st_mtime_ns != saved


def test_the_first_backup_keeps_the_date_the_database_was_saved(database: Path) -> None:
    write_database(database, sound_database())
    saved = 1_600_000_000_000_000_000
    os.utime(database, ns=(saved, saved))
    rotate(database)
    assert database.with_name("annotations.json.backup-1").stat().st_mtime_ns == saved


def test_the_kept_copies_listed_are_backups_1_to_3_and_the_spare_then_the_pre_upgrade_copies(database: Path) -> None:
    write_database(database, sound_database())
    for suffix in ("backup-0", "backup-1", "backup-2", "backup-3", "backup-4", "backup-5", "schema-1-20261101T100000",
                   "schema-1"):
        database.with_name(f"annotations.json.{suffix}").write_bytes(b"{}")
    assert [path.name for path in backups_of(database)] == [
        "annotations.json.backup-1",
        "annotations.json.backup-2",
        "annotations.json.backup-3",
        "annotations.json.backup-4",
        "annotations.json.schema-1",
        "annotations.json.schema-1-20261101T100000",
    ]


def test_only_the_backups_present_are_listed(database: Path) -> None:
    write_database(database, sound_database())
    database.with_name("annotations.json.backup-2").write_bytes(b"{}")
    assert [path.name for path in backups_of(database)] == ["annotations.json.backup-2"]


@pytest.mark.parametrize("choice", ["1", "2", "3"])
def test_a_number_names_a_rotating_backup(database: Path, choice: str) -> None:
    write_database(database.with_name(f"annotations.json.backup-{choice}"), sound_database())
    assert resolve_backup(database, choice) == database.with_name(f"annotations.json.backup-{choice}")


def test_anything_else_is_a_path(database: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "copy.json"
    write_database(elsewhere, sound_database())
    assert resolve_backup(database, str(elsewhere)) == elsewhere


@pytest.mark.parametrize("choice", ["2", "nowhere.json"])
def test_a_missing_backup_is_named(database: Path, choice: str, monkeypatch: pytest.MonkeyPatch) -> None:
    database.parent.mkdir(parents=True)
    monkeypatch.chdir(database.parent)
    expected = database.with_name("annotations.json.backup-2") if choice == "2" else Path("nowhere.json")
    with pytest.raises(StoreError) as error:
        resolve_backup(database, choice)
    assert str(error.value) == f"{expected}: no such backup"


def test_restoring_where_there_is_no_database_keeps_nothing_aside(database: Path, tmp_path: Path) -> None:
    backup = tmp_path / "copy.json"
    payload = write_database(backup, sound_database())
    database.parent.mkdir(parents=True)
    assert restore_backup(database, backup) is None
    assert database.read_bytes() == payload
    assert names(database.parent) == ["annotations.json", "annotations.json.lock", "annotations.json.owner"]


def test_restoring_keeps_the_database_and_its_journal_aside_together(database: Path, tmp_path: Path) -> None:
    before = write_database(database, sound_database())
    journal = database.with_name("annotations.json.journal")
    journal.write_bytes(b'{"seq": 1}\n')
    backup = tmp_path / "copy.json"
    data = sound_database()
    data["themes"]["1"]["name"] = "Restored"
    payload = write_database(backup, data)
    kept = restore_backup(database, backup)
    assert kept is not None and kept.name.startswith("annotations.json.before-restore-")
    assert database.read_bytes() == payload
    assert kept.read_bytes() == before
    assert kept.with_name(kept.name + ".journal").read_bytes() == b'{"seq": 1}\n'
    assert names(database.parent) == sorted(
        ["annotations.json", "annotations.json.lock", "annotations.json.owner", kept.name, kept.name + ".journal"]
    )


def test_an_empty_journal_is_not_kept_aside(database: Path, tmp_path: Path) -> None:
    write_database(database, sound_database())
    database.with_name("annotations.json.journal").write_bytes(b"")
    backup = tmp_path / "copy.json"
    write_database(backup, sound_database())
    kept = restore_backup(database, backup)
    assert not kept.with_name(kept.name + ".journal").exists()
    assert database.with_name("annotations.json.journal").read_bytes() == b""


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (OSError("no reason given by the system"), "no reason given by the system"),
    ],
)
def test_a_failed_restore_says_why_and_names_the_database(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError, reason: str
) -> None:
    before = write_database(database, sound_database())
    backup = tmp_path / "copy.json"
    write_database(backup, sound_database())

    def failing(*args, **kwargs):
        raise failure

    monkeypatch.setattr(backups_module, "atomic_write", failing)
    with pytest.raises(StoreError) as error:
        restore_backup(database, backup)
    assert str(error.value) == f"{database}: not restored ({reason})"
    assert database.read_bytes() == before


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "the database is corrupt (not valid JSON"),
        (b"[1]", "not a Margin database (no TinyDB tables in it)"),
    ],
)
def test_a_foreign_or_corrupt_backup_is_refused_naming_the_backup(
    database: Path, tmp_path: Path, payload: bytes, reason: str
) -> None:
    before = write_database(database, sound_database())
    backup = tmp_path / "copy.json"
    backup.write_bytes(payload)
    with pytest.raises(StoreError) as error:
        restore_backup(database, backup)
    assert str(error.value).startswith(f"{backup}: {reason}")
    assert database.read_bytes() == before
    assert names(database.parent) == ["annotations.json", "annotations.json.lock", "annotations.json.owner"]


def test_a_restore_while_margin_is_writing_names_the_database_and_the_writer(database: Path, tmp_path: Path) -> None:
    from tui.core.lock import take_lock

    before = write_database(database, sound_database())
    backup = tmp_path / "copy.json"
    write_database(backup, sound_database())
    lock = take_lock(database)
    try:
        database.with_name("annotations.json.owner").write_text("process 7 on desk", encoding="utf-8")
        with pytest.raises(StoreError) as error:
            restore_backup(database, backup)
    finally:
        lock.release()
    assert str(error.value) == f"{database}: not restored, another Margin is writing it (process 7 on desk)"
    assert database.read_bytes() == before


def test_a_folder_that_cannot_be_synced_after_the_copy_does_not_fail_the_rotation(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the new copy is in place, an error must not reach the caller: it would rotate
    again and shift a generation out for nothing."""
    from tui.core import storage

    for generation in ("A", "B"):
        write_database(database, {"generation": generation})
        rotate(database)

    def cannot_sync(folder: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(storage, "fsync_folder", cannot_sync)
    monkeypatch.setattr(backups_module, "fsync_folder", cannot_sync)
    write_database(database, {"generation": "C"})
    rotate(database)  # no error
    kept = [database.with_name(f"annotations.json.backup-{n}").read_bytes() for n in (1, 2, 3)]
    assert kept == [b'{"generation": "C"}', b'{"generation": "B"}', b'{"generation": "A"}']


def generations(database: Path) -> dict[str, bytes]:
    """Every backup file beside the database (the spare ``backup-4`` included), by name."""
    return {path.name: path.read_bytes() for path in sorted(database.parent.glob("annotations.json.backup-*"))}


@pytest.mark.parametrize("failing", [1, 2, 3, 4])
def test_a_rename_failing_anywhere_in_the_rotation_loses_no_generation(
    database: Path, monkeypatch: pytest.MonkeyPatch, failing: int
) -> None:
    """Renames 1-3 shift the three backups along (the oldest to the spare), 4 puts the new
    copy in place. Whichever fails, all three generations are still there (and listed), and
    the retry ends with the usual three, newest first."""
    for generation in ("A", "B", "C", "D"):
        write_database(database, {"generation": generation})
        rotate(database)
    write_database(database, {"generation": "E"})
    real_replace, calls = os.replace, []

    def replace(source, target):
        calls.append(Path(target).name)
        if len(calls) == failing:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(source, target)

    monkeypatch.setattr(backups_module.os, "replace", replace)
    with pytest.raises(OSError):
        rotate(database)
    monkeypatch.undo()
    assert calls[-1] == ["annotations.json.backup-4", "annotations.json.backup-3", "annotations.json.backup-2",
                         "annotations.json.backup-1"][failing - 1]
    kept = sorted(generations(database).values())
    assert kept == [b'{"generation": "B"}', b'{"generation": "C"}', b'{"generation": "D"}']
    assert sorted(path.read_bytes() for path in backups_of(database)) == kept
    assert not list(database.parent.glob(".*.tmp"))

    rotate(database)
    assert generations(database) == {
        "annotations.json.backup-1": b'{"generation": "E"}',
        "annotations.json.backup-2": b'{"generation": "D"}',
        "annotations.json.backup-3": b'{"generation": "C"}',
    }


def test_a_spare_left_beside_three_backups_is_the_generation_a_rotation_drops(database: Path) -> None:
    """A spare whose deletion failed makes four backups; the next rotation keeps three."""
    for generation in ("A", "B", "C"):
        write_database(database, {"generation": generation})
        rotate(database)
    database.with_name("annotations.json.backup-4").write_text('{"generation": "older"}')
    assert [path.name for path in backups_of(database)][-1] == "annotations.json.backup-4"
    write_database(database, {"generation": "D"})
    rotate(database)
    assert generations(database) == {
        "annotations.json.backup-1": b'{"generation": "D"}',
        "annotations.json.backup-2": b'{"generation": "C"}',
        "annotations.json.backup-3": b'{"generation": "B"}',
    }
