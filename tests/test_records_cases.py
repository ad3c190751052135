"""What a database must look like, case by case: the exact line a bad file is refused with,
how a quoted value is cut short, which record ids are accepted, and the quick check by shape
agreeing with the record-by-record one. Beside tests/test_records.py."""

from __future__ import annotations

import pytest
from databases import sound_database

from tui.core.migrations import SCHEMA_VERSION
from tui.core.records import FIELDS, database_problem, is_record_id, record_problem, table_is_sound


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "not a Margin database (no TinyDB tables in it)"),
        ("annotations", "not a Margin database (no TinyDB tables in it)"),
        ({"_default": {}}, "not a Margin database (no Margin schema record)"),
        ({"meta": {}}, "not a Margin database (no Margin schema record)"),
        ({"meta": {"1": "margin"}}, "not a Margin database (no Margin schema record)"),
        ({"meta": {"1": {"application": "other", "schema_version": 1}}}, "not a Margin database (no Margin schema record)"),
        (
            {"meta": {"1": {"application": "margin", "schema_version": SCHEMA_VERSION + 1}}},
            f"written by a newer Margin (schema {SCHEMA_VERSION + 1}, this one reads up to {SCHEMA_VERSION}); "
            "upgrade Margin to open it",
        ),
        (
            {"meta": {"1": {"application": "margin", "schema_version": "2"}}},
            'the schema version "2" is not a whole number (a damaged file)',  # not a newer Margin
        ),
        (
            {"meta": {"1": {"application": "margin"}}},
            "the schema version null is not a whole number (a damaged file)",
        ),
    ],
)
def test_a_file_that_is_not_a_readable_margin_database_says_which_kind(data: object, expected: str) -> None:
    assert database_problem(data) == expected


@pytest.mark.parametrize(
    ("start", "quoted"),
    [
        ("n" * 38, '"' + "n" * 38 + '"'),  # 40 characters as JSON: quoted whole
        ("n" * 39, '"' + "n" * 36 + "..."),  # 41: cut to 37, then "..."
        ("é" * 38, '"' + "é" * 38 + '"'),  # quoted as the user typed it, not as \u00e9
        ("é" * 39, '"' + "é" * 36 + "..."),
    ],
)
def test_a_quoted_value_is_cut_short_at_40_characters(start: str, quoted: str) -> None:
    data = sound_database()
    data["annotations"]["2"]["start"] = start
    assert database_problem(data) == f'annotation 2: "start" is {quoted}, not an integer'


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        ("1", True), ("17", True), (1, True), (17, True),
        ("0", False), ("01", False), ("-1", False), ("1.0", False), ("", False),
        (0, False), (-1, False), (True, False), (False, False), (1.0, False), (1.5, False), (None, False),
    ],
)
def test_record_ids_are_positive_integers(key: object, accepted: bool) -> None:
    assert is_record_id(key) is accepted


def annotation(**changes: object) -> dict:
    record = dict(sound_database()["annotations"]["1"])
    record.update(changes)
    return {name: value for name, value in record.items() if value is not ...}


@pytest.mark.parametrize(
    ("rows", "sound"),
    [
        ({}, True),
        ({"1": annotation()}, True),
        ({"1": annotation(), "2": annotation(themes=...)}, True),  # an optional field left out
        ({"1": annotation(themes=..., note=..., orphaned=...)}, True),
        ({"1": annotation(), "2": annotation(extra="unknown fields are left alone")}, True),
        ({"1": annotation(themes=[])}, True),
        ({"0": annotation()}, False),
        ({"01": annotation()}, False),
        ({"1": annotation(), "x": annotation()}, False),
        ({"1": [1, 2]}, False),
        ({"1": annotation(), "2": None}, False),
        ({"1": annotation(start="1")}, False),
        ({"1": annotation(orphaned=0)}, False),
        ({"1": annotation(quote=...)}, False),  # a required field missing
        ({"1": annotation(), "2": annotation(themes=[1, "2"])}, False),  # a bad item in a list
        ({"1": annotation(themes=[True])}, False),
    ],
)
def test_the_quick_check_by_shape_agrees_with_the_record_by_record_one(rows: dict, sound: bool) -> None:
    assert table_is_sound("annotations", rows) is sound
    by_record = all(
        key.isdigit() and not key.startswith("0") and record_problem("annotations", key, record) is None
        for key, record in rows.items()
    )
    assert by_record is sound


@pytest.mark.parametrize("table", list(FIELDS))
def test_every_table_of_a_sound_database_passes_the_quick_check(table: str) -> None:
    assert table_is_sound(table, sound_database()[table]) is True


def test_a_bad_item_in_a_list_is_named() -> None:
    data = sound_database()
    data["annotations"]["3"]["themes"] = [1, "2"]
    assert database_problem(data) == 'annotation 3: "themes" is [1, "2"], not a list of integers'


def test_tables_a_database_does_not_have_yet_are_empty_not_wrong() -> None:
    data = sound_database()
    del data["themes"], data["annotations"], data["documents"]
    assert database_problem(data) is None
