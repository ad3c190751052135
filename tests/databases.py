"""Small Margin databases written straight to disk, and a way to see a folder exactly."""

from __future__ import annotations

import copy
import json
from pathlib import Path

SOUND = {
    "meta": {"1": {"application": "margin", "schema_version": 2, "created": "2026-11-01T10:00:00+00:00"}},
    "documents": {"1": {"path": "doc.txt", "sha256": "0" * 64, "title": "One", "encoding": "utf-8"}},
    "themes": {
        "1": {"name": "Smuggling", "color": "#e45756", "key": 1, "description": "", "order": 0, "parent": None},
        "2": {"name": "Arms", "color": "#4c78a8", "key": 2, "description": "guns", "order": 1, "parent": 1},
    },
    "annotations": {
        str(n): {"document": 1, "start": n, "end": n + 5, "quote": "abcde", "prefix": "", "suffix": "",
                 "themes": [1, 2], "note": "", "author": "ana", "created": "2026-11-01T10:00:00+00:00",
                 "modified": "2026-11-01T10:00:00+00:00", "orphaned": False}
        for n in range(1, 4)
    },
    "decisions": {"1": {"document": 1, "theme": "Smuggling", "start": 1, "end": 9, "coders": "ana, ben",
                        "accepted": "ana", "note": "", "author": "lead", "decided": "2026-11-02T10:00:00+00:00"}},
}


def sound_database() -> dict:
    """A small, valid schema-2 database (a fresh copy each time)."""
    return copy.deepcopy(SOUND)


def write_database(path: Path, data: object) -> bytes:
    payload = json.dumps(data).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return payload


def folder_state(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file in ``folder`` with its bytes, inode and modification time: equal before and
    after means nothing was created, removed, replaced or written."""
    state = {}
    for entry in sorted(folder.iterdir()):
        status = entry.stat()
        state[entry.name] = (entry.read_bytes(), status.st_ino, status.st_mtime_ns)
    return state


def abandon(store) -> None:
    """What a kill -9 leaves: the files as they are now, the lock released, no checkpoint."""
    store.journal.close()
    if store.lock is not None:
        store.lock.release()
        store.lock = None


def journal_lines(database: Path) -> list[dict]:
    journal = database.with_name(database.name + ".journal")
    return [json.loads(line) for line in journal.read_bytes().splitlines()] if journal.exists() else []
