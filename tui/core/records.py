"""What a Margin database must look like: its tables, its schema record, each record's fields.

Checked when a database is opened (by ``margin`` and by ``margin db check``) and for every
journal entry before it is replayed, so the typed store above never meets a ``start`` that
is a string or a table that is a list: a bad file is refused with one line naming the first
bad record, instead of a traceback half-way through loading it.

The checks accept every schema this Margin reads (fields added by a later schema are
optional here; ``migrations.py`` fills them in) and leave unknown tables and fields alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from .migrations import SCHEMA_VERSION

APPLICATION = "margin"

# One word per table for messages: "annotation 17: ...".
RECORD_NAMES = {"meta": "meta record", "documents": "document", "themes": "theme", "annotations": "annotation"}
# The tables the store writes changes to (and so may appear in the journal).
CHANGING_TABLES = ("documents", "themes", "annotations")


class Kind(NamedTuple):
    """An allowed type of a field, and how a message names it."""

    name: str
    test: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return type(value) is int  # bool is an int subclass, and never a valid offset or id


INTEGER = Kind("an integer", _is_int)
OPTIONAL_INTEGER = Kind("an integer or null", lambda v: v is None or type(v) is int)
STRING = Kind("a string", lambda v: type(v) is str)
BOOLEAN = Kind("true or false", lambda v: type(v) is bool)
INTEGERS = Kind("a list of integers", lambda v: type(v) is list and all(type(i) is int for i in v))

# field: (kind, required)
FIELDS: dict[str, dict[str, tuple[Kind, bool]]] = {
    "meta": {"application": (STRING, True), "schema_version": (INTEGER, True), "created": (STRING, False)},
    "documents": {
        "path": (STRING, True), "sha256": (STRING, True), "title": (STRING, False), "encoding": (STRING, False),
    },
    "themes": {
        "name": (STRING, True), "color": (STRING, True), "key": (OPTIONAL_INTEGER, False),
        "description": (STRING, False), "order": (INTEGER, False), "parent": (OPTIONAL_INTEGER, False),
    },
    "annotations": {
        "document": (INTEGER, True), "start": (INTEGER, True), "end": (INTEGER, True), "quote": (STRING, True),
        "prefix": (STRING, False), "suffix": (STRING, False), "themes": (INTEGERS, False), "note": (STRING, False),
        "author": (STRING, False), "created": (STRING, False), "modified": (STRING, False),
        "orphaned": (BOOLEAN, False),
    },
}
_MISSING = object()


def shown(value: Any) -> str:
    """A value as JSON, cut short: what a one-line message quotes."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def record_problem(table: str, key: Any, record: Any) -> str | None:
    """Why ``record`` is not a valid record of ``table`` (None: it is)."""
    where = f"{RECORD_NAMES[table]} {key}"
    if type(record) is not dict:
        return f"{where} is {shown(record)}, not a record"
    for name, (kind, required) in FIELDS[table].items():
        value = record.get(name, _MISSING)
        if value is _MISSING:
            if required:
                return f'{where}: "{name}" is missing'
        elif not kind.test(value):
            return f'{where}: "{name}" is {shown(value)}, not {kind.name}'
    return None


def is_record_id(key: Any) -> bool:
    """TinyDB's ids are positive integers (strings of digits in the file)."""
    if type(key) is str:
        return key.isascii() and key.isdigit() and int(key) > 0
    return _is_int(key) and key > 0


def schema_problem(data: Any) -> str | None:
    """Why ``data`` (a decoded file) is not a database this Margin can read, in a way that
    tells a foreign file and a newer Margin's file apart from a damaged one."""
    if type(data) is not dict:
        return "not a Margin database (no TinyDB tables in it)"
    meta = data.get("meta")
    if type(meta) is not dict:
        if meta is None:
            return "not a Margin database (no Margin schema record)"
        return f'table "meta" is {shown(meta)}, not a table of records'
    first = next(iter(meta.values()), None)
    if type(first) is not dict or first.get("application") != APPLICATION:
        return "not a Margin database (no Margin schema record)"
    version = first.get("schema_version")
    if not _is_int(version) or version > SCHEMA_VERSION:
        return (
            f"written by a newer Margin (schema {shown(version)}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade Margin to open it"
        )
    return None


def database_problem(data: Any) -> str | None:
    """The first thing wrong with a decoded database file, as one line; None if it is sound."""
    problem = schema_problem(data)
    if problem:
        return problem
    for table in FIELDS:
        rows = data.get(table, {})
        if type(rows) is not dict:
            return f'table "{table}" is {shown(rows)}, not a table of records'
        for key, record in rows.items():
            if not is_record_id(key):
                return f'table "{table}": record id {shown(key)} is not a positive integer'
            problem = record_problem(table, key, record)
            if problem:
                return problem
    return None
