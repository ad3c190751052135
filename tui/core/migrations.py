"""Schema versions of the database, and the steps that bring an older file up to date.

Each step takes the raw TinyDB data (``{table: {id: record}}``) of version N and changes it
in place into version N+1. The store applies them on open, after keeping the file as it was
beside it (``annotations.json.schema-N``), and checkpoints the result at once.

- Version 1 (Margin 0.1): ``meta``, ``documents``, ``themes``, ``annotations``.
- Version 2: a theme may sit under a parent theme (one level deep): themes gain ``parent``,
  the id of their parent theme, or null for a top-level theme. Annotations gain
  ``orphaned``: true once their passage could not be found in a changed document.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, dict[str, Any]]


def add_parents_and_orphans(data: Data) -> None:
    """1 → 2: every existing theme is a top-level theme, every annotation is anchored."""
    for record in data.get("themes", {}).values():
        record.setdefault("parent", None)
    for record in data.get("annotations", {}).values():
        record.setdefault("orphaned", False)


# MIGRATIONS[n] turns version n into version n + 1.
MIGRATIONS: dict[int, Callable[[Data], None]] = {
    1: add_parents_and_orphans,
}
SCHEMA_VERSION = 1 + len(MIGRATIONS)


def migrate(data: Data, meta_key: str) -> int:
    """Bring ``data`` to ``SCHEMA_VERSION`` in place; return the version it had."""
    meta = data["meta"][meta_key]
    original = version = meta["schema_version"]
    while version < SCHEMA_VERSION:
        MIGRATIONS[version](data)
        version += 1
    meta["schema_version"] = version
    return original
