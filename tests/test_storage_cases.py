"""The file layer under the store, case by case: the exact line a damaged database gets, the
names of files kept aside, and the TinyDB tables that write in place. Beside tests/test_store.py."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from datetime import datetime
from pathlib import Path

import pytest
from databases import sound_database, write_database

from tui.core import limits, storage
from tui.core.storage import MarginTinyDB, SnapshotStorage, StoreError, decode_database, unused_sidecar

DEEP = b"[" * 200_000 + b"]" * 200_000  # deeper than the decoder recurses


def test_a_damaged_database_without_backups_says_there_is_none(database: Path) -> None:
    with pytest.raises(StoreError) as refused:
        decode_database(database, b"{not json")
    message = str(refused.value)
    assert message.startswith(f"{database}: the database is corrupt (not valid JSON: ")
    assert message.endswith(" (left untouched; no backup beside it)")


def test_a_damaged_database_points_at_its_newest_backup(database: Path) -> None:
    backup = database.with_name("annotations.json.backup-1")
    write_database(backup, sound_database())
    database.with_name("annotations.json.backup-2").write_text("{}")
    with pytest.raises(StoreError) as refused:
        decode_database(database, b"[]")
    assert str(refused.value) == (
        f"{database}: not a Margin database (no TinyDB tables in it) (left untouched; last good backup: {backup})"
    )


def test_a_database_nested_too_deeply_for_the_decoder_is_one_line_naming_it(database: Path) -> None:
    with pytest.raises(StoreError) as refused:
        decode_database(database, DEEP)
    assert str(refused.value) == (
        f"{database}: the database is corrupt (nested too deeply (lists or objects inside each other "
        "beyond any Margin record)) (left untouched; no backup beside it)"
    )


def test_a_field_nested_at_any_depth_is_refused_never_accepted_nor_a_traceback(database: Path) -> None:
    """Around the recursion limit a value can be deep enough for the decoder but too deep to
    quote in the message: it is damage all the same, said in one line."""
    limit = sys.getrecursionlimit()
    for depth in range(limit - 120, limit + 20):
        data = sound_database()
        data["annotations"]["1"]["note"] = "HERE"
        raw = json.dumps(data).replace('"HERE"', "[" * depth + "]" * depth).encode()
        with pytest.raises(StoreError) as refused:
            decode_database(database, raw)
        message = str(refused.value)
        assert message.startswith(f"{database}: "), depth
        assert 'annotation 1: "note" is [[[' in message or "nested too deeply" in message, (depth, message)


def test_a_kept_name_taken_only_by_a_journal_is_not_reused(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 30, 12, 0, 5)

    monkeypatch.setattr(storage, "datetime", Frozen)
    database.parent.mkdir(parents=True, exist_ok=True)
    assert unused_sidecar(database, "kept") == database.with_name("annotations.json.kept-20261130T120005")
    database.with_name("annotations.json.kept-20261130T120005.journal").write_text("x")
    assert unused_sidecar(database, "kept") == database.with_name("annotations.json.kept-20261130T120005-2")
    database.with_name("annotations.json.kept-20261130T120005-2").write_text("x")
    assert unused_sidecar(database, "kept") == database.with_name("annotations.json.kept-20261130T120005-3")


def tables(database: Path) -> MarginTinyDB:
    return MarginTinyDB(str(database), storage=SnapshotStorage)


def test_putting_a_record_sets_or_removes_it_under_its_id(database: Path) -> None:
    db = tables(database)
    table = db.table("themes")
    table.put(7, {"name": "Seven"})
    table.put(3, {"name": "Three"})
    table.put(7, None)
    table.put(9, None)  # absent already: nothing to remove
    db.storage.flush()
    assert json.loads(database.read_text()) == {"themes": {"3": {"name": "Three"}}}
    assert [(row.doc_id, row["name"]) for row in table.all()] == [(3, "Three")]


def test_put_keeps_its_own_copy_of_the_record(database: Path) -> None:
    db = tables(database)
    record = {"name": "Mine"}
    db.table("themes").put(2, record)
    record["name"] = "changed afterwards"
    assert db.table("themes").get(doc_id=2) == {"name": "Mine"}


def test_a_query_update_reaches_every_matching_record_by_its_integer_id(database: Path) -> None:
    db = tables(database)
    table = db.table("annotations")
    for number in (1, 2, 10):
        table.put(number, {"start": number})
    updated = table.update({"note": "late"}, lambda row: row["start"] > 1)
    assert sorted(updated) == [2, 10]
    db.storage.flush()
    assert json.loads(database.read_text())["annotations"] == {
        "1": {"start": 1}, "2": {"start": 2, "note": "late"}, "10": {"start": 10, "note": "late"},
    }


# -- reading the file ------------------------------------------------------------------------


def test_a_folder_where_the_database_should_be_is_named_as_one(database: Path) -> None:
    database.mkdir(parents=True)
    with pytest.raises(StoreError) as refused:
        SnapshotStorage(str(database))
    assert str(refused.value) == f"{database}: is a folder, not a database"


def test_a_database_larger_than_margin_reads_is_refused_before_it_is_read(database: Path, monkeypatch) -> None:
    write_database(database, sound_database())
    monkeypatch.setattr(limits, "DATABASE_BYTES", 64)
    with pytest.raises(StoreError) as refused:
        SnapshotStorage(str(database))
    assert str(refused.value).startswith(f"{database}: file too large (")
    assert str(refused.value).endswith("; Margin reads up to 64 bytes)")


@pytest.mark.parametrize(("error", "shown"), [
    (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    (OSError("the disk went away"), "the disk went away"),
])
def test_a_database_that_cannot_be_read_says_why(database: Path, monkeypatch, error: OSError, shown: str) -> None:
    write_database(database, sound_database())

    def unreadable(*args, **kwargs):
        raise error

    monkeypatch.setattr(limits, "read_regular_file", unreadable)
    with pytest.raises(StoreError) as refused:
        SnapshotStorage(str(database))
    assert str(refused.value) == f"{database}: cannot read the database ({shown})"


# -- writing the file ------------------------------------------------------------------------


def test_a_new_database_gets_the_permissions_the_umask_allows(database: Path) -> None:
    previous = os.umask(0o022)
    try:
        storage_ = SnapshotStorage(str(database))
        storage_.write({"meta": {}})
        storage_.flush()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(database.stat().st_mode) == 0o644
    assert os.umask(previous) == previous  # and the umask is as it was


def test_a_rewritten_database_keeps_its_permissions(database: Path) -> None:
    write_database(database, sound_database())
    database.chmod(0o604)
    storage_ = SnapshotStorage(str(database))
    storage_.flush()
    assert stat.S_IMODE(database.stat().st_mode) == 0o604


def test_a_file_replaced_since_it_was_read_is_not_overwritten(database: Path) -> None:
    write_database(database, sound_database())
    storage_ = SnapshotStorage(str(database))
    theirs = write_database(database.with_name("theirs.json"), {"theirs": {}})
    database.with_name("theirs.json").replace(database)
    with pytest.raises(storage.FileReplaced) as refused:
        storage_.flush()
    assert str(refused.value) == "annotations.json was replaced on disk by another program"
    assert database.read_bytes() == theirs
