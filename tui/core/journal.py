"""The write-ahead journal: every change is on disk (fsynced) before Margin shows it as done.

Rewriting a 30 MB TinyDB file on every tag is too slow, and TinyDB's own write is not atomic.
So each change is appended here as one JSON line carrying the whole new record (or ``null``
for a deletion), which makes replaying it idempotent. At checkpoints the store folds the
journal into the TinyDB file with an atomic rewrite and empties the journal.

Changes journaled together (an import, an undo step, re-anchoring a document) are one line,
``{"seq", "batch": [change, ...]}``, so a kill in the middle of writing them tears that one
line and replay drops the whole batch: the database ends up as before it or with all of it.
A single change is ``{"seq", "table", "id", "record"}`` (the only form older Margins wrote).

A kill in the middle of an append leaves at most one torn last line, without its newline; it
was never acknowledged, and replay skips it. Every other line is checked before it is
applied (a known table, a record id, a record of the right shape, ``records.py``): one that
is not a valid change is dropped, and the replay says which and why.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import CHANGING_TABLES, is_record_id, record_problem, shown
from .storage import NESTED_TOO_DEEPLY, read_regular

Entry = dict[str, Any]


@dataclass
class Replay:
    """What replaying a journal did: how many changes it applied, and what it left out."""

    applied: int = 0
    dropped: list[str] = field(default_factory=list)  # one line per journal line not applied
    torn: bool = False  # a last line cut short by a kill: never acknowledged, so not a problem


def change_problem(change: Any) -> str | None:
    """Why one journaled change may not be applied (None: it may)."""
    if type(change) is not dict:
        return f"{shown(change)} is not a change"
    table, record_id = change.get("table"), change.get("id")
    if table not in CHANGING_TABLES:
        return f"unknown table {shown(table)}"
    if not is_record_id(record_id):
        return f"record id {shown(record_id)} is not a positive integer"
    if "record" not in change:
        return f"{table} {record_id}: no record"
    return None if change["record"] is None else record_problem(table, record_id, change["record"])


def entry_changes(entry: Any) -> tuple[list[Any], str | None]:
    """The changes one journal line holds, or why none of them may be applied."""
    if type(entry) is dict and "batch" in entry:
        changes = entry["batch"]
        if type(changes) is not list:
            return [], f"batch is {shown(changes)}, not a list of changes"
    else:
        changes = [entry]
    for change in changes:
        problem = change_problem(change)
        if problem:
            whole = f" (so none of its batch of {len(changes)} was applied)" if len(changes) > 1 else ""
            return [], problem + whole
    return changes, None


class Journal:
    """``<database>.journal``: one JSON line per change, or per batch of changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None
        self._sequence = 0

    def replay(self, tables: dict[str, Any]) -> Replay:
        """Apply every complete, valid line to ``tables`` (TinyDB's raw data). Raises
        ``StoreError`` if the journal is not a regular file (a folder, a FIFO) or too large."""
        replay = Replay()
        try:
            raw, _ = read_regular(self.path, "journal")
        except FileNotFoundError:
            return replay
        *lines, rest = raw.split(b"\n")
        replay.torn = bool(rest.strip())  # an append always ends with its newline
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                changes, problem = entry_changes(entry)
            except ValueError:
                entry, changes, problem = None, [], "not valid JSON"
            except RecursionError:
                entry, changes, problem = None, [], NESTED_TOO_DEEPLY
            if problem:
                replay.dropped.append(f"journal line {number}: {problem}; not applied")
                continue
            for change in changes:
                rows = tables.setdefault(change["table"], {})
                if change["record"] is None:
                    rows.pop(str(change["id"]), None)
                else:
                    rows[str(change["id"])] = change["record"]
            if type(entry.get("seq")) is int:
                self._sequence = max(self._sequence, entry["seq"])
            replay.applied += len(changes)
        return replay

    def is_empty(self) -> bool:
        """No bytes at all: not even a torn fragment that a new line would be glued onto."""
        try:
            return self.path.stat().st_size == 0
        except FileNotFoundError:
            return True

    def append(self, entries: list[Entry]) -> None:
        """Write ``entries`` as one line and fsync: when this returns, they survive a kill or
        power cut, all of them; a kill before it returns loses all of them on replay."""
        if self._handle is None:
            self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open for the session
        self._sequence += 1
        line = {"seq": self._sequence, **entries[0]} if len(entries) == 1 else {"seq": self._sequence, "batch": entries}
        size = self._handle.tell()
        try:
            self._handle.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError:
            self._sequence -= 1
            try:  # never leave a torn line for a later append to land behind
                self._handle.truncate(size)
            except OSError:
                pass
            raise

    def clear(self) -> None:
        """Empty the journal once a checkpoint holds everything in it."""
        self.close()
        with open(self.path, "wb") as handle:
            os.fsync(handle.fileno())

    def close(self) -> None:
        """Let go of the handle. Never raises: every acknowledged change was flushed and fsynced
        by its ``append``; closing can only fail flushing what a failed append left in the
        buffer (a full disk), changes the store still holds as unsaved and reports itself."""
        handle, self._handle = self._handle, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass
