"""Fault injection: every filesystem call the store makes fails in turn (a full disk, a
permission error, a kill between two steps), and no acknowledged change and no backup is
lost. Plus deterministic tests for two bugs today's kill test catches only by luck."""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from databases import abandon, journal_lines

from tui.core.storage import decode_database
from tui.core.store import Store, StoreError


class Killed(BaseException):
    """The process dies here: nothing after this line runs, no handler for errors runs."""


TARGETS = {
    "open": (builtins, "open"),
    "os.replace": (os, "replace"),
    "os.fsync": (os, "fsync"),
    "tempfile.mkstemp": (tempfile, "mkstemp"),
}


class Fault:
    """Make the ``at``-th call of one function (and, for a full disk, every later one) fail."""

    def __init__(self, monkeypatch, target: str, at: int, failure: str) -> None:
        self.calls, self.at, self.failure, self.fired = 0, at, failure, False
        module, name = TARGETS[target]
        real = getattr(module, name)

        def faulty(*args, **kwargs):
            self.calls += 1
            if self.calls == self.at or (self.fired and failure == "ENOSPC"):
                self.fired = True
                if failure == "kill":
                    raise Killed
                raise OSError(getattr(errno, failure), os.strerror(getattr(errno, failure)))
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, faulty)


def backups(database: Path) -> dict[int, bytes]:
    found = {}
    for number in (1, 2, 3, 4):  # 4: the spare a rotation cut short leaves the oldest in
        path = database.with_name(f"annotations.json.backup-{number}")
        if path.exists():
            found[number] = path.read_bytes()
            decode_database(path, found[number])  # every backup still opens
    return found


def session(store: Store) -> set[str]:
    """Tag, checkpoint, a batch, checkpoint, close; returns the theme names acknowledged
    (on disk in the journal or the file) when the session ended, however it ended."""
    acknowledged = {theme.name for theme in store.themes}

    def step(action) -> None:
        nonlocal acknowledged
        try:
            action()
        except StoreError:
            pass
        if not store.unsaved:  # nothing pending: everything shown is on disk
            acknowledged = {theme.name for theme in store.themes}

    def batch() -> None:
        with store.recording():
            for name in ("Batch 1", "Batch 2", "Batch 3"):
                store.create_theme(name)

    try:
        for action in (lambda: store.create_theme("Tag 1"), store.checkpoint, lambda: store.create_theme("Tag 2"),
                       batch, store.checkpoint, store.close):
            step(action)
    except Killed:
        pass
    return acknowledged


@pytest.fixture
def seasoned(tmp_path: Path) -> Path:
    """A database after four sessions: three backups, three themes."""
    database = tmp_path / "template" / "annotations.json"
    for number in range(4):
        store = Store.open(database)
        store.create_theme(f"Session {number}")
        store.close()
    return database


@pytest.mark.parametrize("failure", ["ENOSPC", "EACCES", "kill"])
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_each_filesystem_call_failing_in_turn_loses_nothing_acknowledged(
    seasoned: Path, tmp_path: Path, monkeypatch, target: str, failure: str
) -> None:
    at = 0
    while True:
        at += 1
        folder = tmp_path / f"run-{at}"
        shutil.copytree(seasoned.parent, folder)
        database = folder / seasoned.name
        before = backups(database)
        store = Store.open(database)
        fault = Fault(monkeypatch, target, at, failure)
        acknowledged = session(store)
        monkeypatch.undo()
        abandon(store)

        reopened = Store.open(database)
        names = {theme.name for theme in reopened.themes}
        assert acknowledged <= names, f"call {at} of {target} failing ({failure}) lost {acknowledged - names}"
        assert {"Batch 1", "Batch 2", "Batch 3"} & names in (set(), {"Batch 1", "Batch 2", "Batch 3"})
        after = backups(database)  # each one still opens
        # Every backup is still there, unless the new copy landed at 1: then the oldest is the
        # one the rotation dropped. A failed copy shifted nothing.
        if 1 in after and after[1] not in before.values():
            assert before[1] in after.values() and before[2] in after.values()
        else:
            assert set(before.values()) <= set(after.values()), f"call {at} of {target} failing ({failure})"
        if after.get(1) == before[1] and target != "os.replace":
            assert after == before
        reopened.close()
        assert not list(folder.glob(".*.tmp"))
        if not fault.fired:
            break
    assert at > 3  # the scenario did call the target several times


def test_a_deletion_is_in_the_journal_before_it_returns(tmp_path: Path) -> None:
    """Planted bug: a deletion that changes memory but skips the journal. Deterministic: the
    journal on disk holds the deletion at once, and a kill right after loses nothing."""
    database = tmp_path / "annotations.json"
    store = Store.open(database)
    theme = store.create_theme("Kept")
    document = store.register_document(tmp_path / "doc.txt", "0" * 64, "Doc", "utf-8")
    annotations = [store.add_annotation(document, "abcdefghij", n, n + 3, [theme.id], "me") for n in range(3)]
    store.checkpoint()

    store.delete_annotation(annotations[1])
    (line,) = journal_lines(database)
    assert (line["table"], line["id"], line["record"]) == ("annotations", annotations[1].id, None)
    store.delete_theme(store.create_theme("Doomed"))
    assert journal_lines(database)[-1]["record"] is None
    expected = store.db.storage.read()
    abandon(store)  # killed before any checkpoint
    reopened = Store.open(database)
    assert reopened.db.storage.read() == expected
    assert sorted(reopened.annotations) == [annotations[0].id, annotations[2].id]


def test_a_checkpoint_never_writes_the_database_file_in_place(database: Path, monkeypatch) -> None:
    """Planted bug: a checkpoint that opens the database itself for writing (a kill part-way
    leaves half a file). It must write a new file and rename it over the old one."""
    store = Store.open(database)
    store.create_theme("First")
    store.checkpoint()
    store.create_theme("Second")
    inode = database.stat().st_ino
    opened: list[tuple[str, object]] = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        opened.append((os.fspath(file) if isinstance(file, (str, os.PathLike)) else file, mode))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        writing = flags & (os.O_WRONLY | os.O_RDWR | os.O_TRUNC | os.O_APPEND)
        opened.append((os.fspath(path), "w" if writing else "r"))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    store.checkpoint()
    monkeypatch.undo()

    writes = [path for path, mode in opened if path == str(database) and any(c in str(mode) for c in "wa+")]
    assert writes == [], "the checkpoint opened the database file itself for writing"
    assert database.stat().st_ino != inode, "the checkpoint did not replace the file by a rename"
    assert [t.name for t in Store.open(database, inspect=True).themes] == ["First", "Second"]
    store.close()
