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
import re
from itertools import chain
from operator import methodcaller
from typing import Any, NamedTuple

from .migrations import SCHEMA_VERSION

APPLICATION = "margin"

# One word per table for messages: "annotation 17: ...".
RECORD_NAMES = {"meta": "meta record", "documents": "document", "themes": "theme", "annotations": "annotation",
                "decisions": "decision"}
# The tables the store writes changes to (and so may appear in the journal).
CHANGING_TABLES = ("documents", "themes", "annotations", "decisions")


class Kind(NamedTuple):
    """The allowed types of a field (exact types: ``True`` is not an integer here, and never a
    valid offset or id), of its items if it is a list, and how a message names them."""

    name: str
    types: frozenset[type]
    items: frozenset[type] | None = None
    pattern: re.Pattern[str] | None = None  # what a string must look like, whole

    def test(self, value: Any) -> bool:
        return (
            type(value) in self.types
            and (self.items is None or all(type(i) in self.items for i in value))
            and (self.pattern is None or self.pattern.fullmatch(value) is not None)
        )


INTEGER = Kind("an integer", frozenset({int}))
OPTIONAL_INTEGER = Kind("an integer or null", frozenset({int, type(None)}))
STRING = Kind("a string", frozenset({str}))
BOOLEAN = Kind("true or false", frozenset({bool}))
INTEGERS = Kind("a list of integers", frozenset({list}), items=frozenset({int}))
# Every colour Margin writes is #rrggbb (its palette, the colour chooser, every importer); the
# reader parses it for each highlight, so anything else must not get that far.
COLOUR = Kind("a colour written #rrggbb", frozenset({str}), pattern=re.compile(r"#[0-9A-Fa-f]{6}"))

# field: (kind, required)
FIELDS: dict[str, dict[str, tuple[Kind, bool]]] = {
    "meta": {"application": (STRING, True), "schema_version": (INTEGER, True), "created": (STRING, False),
             "guid": (STRING, False)},
    "documents": {
        "path": (STRING, True), "sha256": (STRING, True), "title": (STRING, False), "encoding": (STRING, False),
        "guid": (STRING, False),
    },
    "themes": {
        "name": (STRING, True), "color": (COLOUR, True), "key": (OPTIONAL_INTEGER, False),
        "description": (STRING, False), "order": (INTEGER, False), "parent": (OPTIONAL_INTEGER, False),
        "guid": (STRING, False),
    },
    "annotations": {
        "document": (INTEGER, True), "start": (INTEGER, True), "end": (INTEGER, True), "quote": (STRING, True),
        "prefix": (STRING, False), "suffix": (STRING, False), "themes": (INTEGERS, False), "note": (STRING, False),
        "author": (STRING, False), "created": (STRING, False), "modified": (STRING, False),
        "orphaned": (BOOLEAN, False), "guid": (STRING, False),
    },
    # An adjudication of a disagreement between coders (``adjudication.py``); optional table,
    # which a Margin without it leaves alone like any unknown table.
    "decisions": {
        "document": (INTEGER, True), "theme": (STRING, True), "start": (INTEGER, True), "end": (INTEGER, True),
        "coders": (STRING, True), "accepted": (STRING, True), "note": (STRING, False), "author": (STRING, False),
        "decided": (STRING, False),
    },
}


class _Missing:
    """An absent field, told apart from a field holding null."""


_MISSING = _Missing()
_RECORD_ID = re.compile(r"[1-9][0-9]*")


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
        return _RECORD_ID.fullmatch(key) is not None
    return type(key) is int and key > 0


def table_is_sound(table: str, rows: dict[str, Any]) -> bool:
    """Whether every record of ``rows`` is valid, checked by shape: the records of a table
    Margin wrote share one or a few (field names, field types) shapes, so each distinct
    shape is checked once instead of every field of every record (opening 100,000
    annotations checks them all). Says only yes or no; ``record_problem`` finds the first
    bad one."""
    records = rows.values()
    if not all(map(_RECORD_ID.fullmatch, rows)) or {type(record) for record in records} - {dict}:
        return False
    shapes = {(tuple(record), tuple(map(type, record.values()))) for record in records}
    fields = FIELDS[table].items()
    for names, types in shapes:
        found = dict(zip(names, types, strict=True))
        for name, (kind, required) in fields:
            if name in found and found[name] not in kind.types or name not in found and required:
                return False
    for name, (kind, _) in fields:
        if kind.items and set(map(type, chain.from_iterable(map(methodcaller("get", name, ()), records)))) - kind.items:
            return False
        if kind.pattern and not all(kind.pattern.fullmatch(record[name]) for record in records if name in record):
            return False
    return True


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
    if type(version) is not int:
        return f"the schema version {shown(version)} is not a whole number (a damaged file)"
    if version > SCHEMA_VERSION:
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
        if table_is_sound(table, rows):
            continue
        for key, record in rows.items():
            if not is_record_id(key):
                return f'table "{table}": record id {shown(key)} is not a positive integer'
            problem = record_problem(table, key, record)
            if problem:
                return problem
    return None
