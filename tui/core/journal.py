"""The write-ahead journal: every change is on disk (fsynced) before Margin shows it as done.

Rewriting a 30 MB TinyDB file on every tag is too slow, and TinyDB's own write is not atomic.
So each change is appended here as one JSON line carrying the whole new record (or ``null``
for a deletion), which makes replaying it idempotent. At checkpoints the store folds the
journal into the TinyDB file with an atomic rewrite and empties the journal.

A kill in the middle of an append leaves at most one torn last line; replay skips it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

Entry = dict[str, Any]


class Journal:
    """``<database>.journal``: JSON lines ``{"seq", "table", "id", "record"}``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None
        self._sequence = 0

    def replay(self, tables: dict[str, Any]) -> int:
        """Apply every complete entry to ``tables`` (TinyDB's raw data); return how many."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        applied = 0
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                table, key, record = entry["table"], str(entry["id"]), entry["record"]
            except (ValueError, KeyError, TypeError):
                continue  # a torn line from a kill mid-append: it was never acknowledged
            rows = tables.setdefault(table, {})
            if record is None:
                rows.pop(key, None)
            else:
                rows[key] = record
            self._sequence = max(self._sequence, entry.get("seq", 0))
            applied += 1
        return applied

    def is_empty(self) -> bool:
        """No bytes at all: not even a torn fragment that a new line would be glued onto."""
        try:
            return self.path.stat().st_size == 0
        except FileNotFoundError:
            return True

    def append(self, entries: list[Entry]) -> None:
        """Write ``entries`` and fsync: when this returns, they survive a kill or power cut."""
        if self._handle is None:
            self._handle = open(self.path, "ab")  # noqa: SIM115 - kept open for the session
        lines = []
        for entry in entries:
            self._sequence += 1
            lines.append(json.dumps({"seq": self._sequence, **entry}, ensure_ascii=False, separators=(",", ":")))
        size = self._handle.tell()
        try:
            self._handle.write(("\n".join(lines) + "\n").encode("utf-8"))
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except OSError:
            self._sequence -= len(entries)
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
        if self._handle is not None:
            self._handle.close()
            self._handle = None
