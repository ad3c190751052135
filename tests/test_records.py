"""A structurally wrong database is refused with one line naming the first bad record, by
``margin``, ``margin db check`` and ``Store.open``, and is never changed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from databases import folder_state, sound_database, write_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import limits
from tui.core.maintenance import check_database
from tui.core.records import FIELDS, database_problem
from tui.core.store import Store, StoreError


def test_a_sound_database_has_no_problem() -> None:
    assert database_problem(sound_database()) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(meta=[]), 'table "meta" is [], not a table of records'),
        (lambda d: d.update(themes=[1, 2]), 'table "themes" is [1, 2], not a table of records'),
        (lambda d: d["annotations"]["2"].update(start="12"), 'annotation 2: "start" is "12", not an integer'),
        (lambda d: d["annotations"]["3"].update(themes="1"), 'annotation 3: "themes" is "1", not a list of integers'),
        (lambda d: d["annotations"]["1"].update(orphaned=0), 'annotation 1: "orphaned" is 0, not true or false'),
        (lambda d: d["annotations"]["1"].update(end=True), 'annotation 1: "end" is true, not an integer'),
        (lambda d: d["annotations"]["1"].pop("quote"), 'annotation 1: "quote" is missing'),
        (lambda d: d["themes"].update({"2": "Arms"}), 'theme 2 is "Arms", not a record'),
        (lambda d: d["themes"]["1"].update(key="1"), 'theme 1: "key" is "1", not an integer or null'),
        (lambda d: d["documents"]["1"].update(path=None), 'document 1: "path" is null, not a string'),
        (lambda d: d["annotations"].update(x={}), 'table "annotations": record id "x" is not a positive integer'),
        (lambda d: d["themes"]["2"].update(color="notacolor"), 'theme 2: "color" is "notacolor", not a colour written #rrggbb'),
        (lambda d: d["themes"]["1"].update(color="red;\x1b[31m"),
         'theme 1: "color" is "red;\\u001b[31m", not a colour written #rrggbb'),
        (lambda d: d["themes"]["2"].update(color="#4c78a"), 'theme 2: "color" is "#4c78a", not a colour written #rrggbb'),
        (lambda d: d["themes"]["2"].update(color="#4c78a8 "), 'theme 2: "color" is "#4c78a8 ", not a colour written #rrggbb'),
    ],
)
def test_the_first_bad_record_is_named_and_margin_exits_2(
    change, expected: str, corpus_dir: Path, database: Path, capsys
) -> None:
    data = sound_database()
    change(data)
    payload = write_database(database, data)

    assert main([str(corpus_dir), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert f"annotations.json: {expected} (left untouched" in error and error.count("\n") == 1

    assert main(["db", "check", "--db", str(database)]) == 2
    assert f"- {expected} (left untouched" in capsys.readouterr().out
    assert database.read_bytes() == payload


WRONG_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
    st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def kind_accepts(table: str, field: str, value: object) -> bool:
    kind, _ = FIELDS[table][field]
    return kind.test(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_record_of_a_wrong_type_is_refused_and_the_file_left_alone(tmp_path: Path, data) -> None:
    database = tmp_path / "db" / "annotations.json"
    content = sound_database()
    table = data.draw(st.sampled_from(["documents", "themes", "annotations", "meta"]))
    key = data.draw(st.sampled_from(sorted(content[table])))
    what = data.draw(st.sampled_from(["field", "record", "table"]))
    if what == "field":
        field = data.draw(st.sampled_from(sorted(FIELDS[table])))
        value = data.draw(WRONG_VALUES.filter(lambda v: not kind_accepts(table, field, v)))
        content[table][key][field] = value
    elif what == "record":
        content[table][key] = data.draw(WRONG_VALUES.filter(lambda v: not isinstance(v, dict)))
    else:
        content[table] = data.draw(WRONG_VALUES.filter(lambda v: not isinstance(v, dict)))
    payload = write_database(database, content)
    before = folder_state(database.parent)

    with pytest.raises(StoreError) as refused:
        Store.open(database, inspect=True)
    assert str(refused.value).startswith(f"{database}: ") and "\n" not in str(refused.value)
    assert not check_database(database).usable
    assert database.read_bytes() == payload
    assert folder_state(database.parent) == before


def test_a_writer_refuses_it_too_without_writing(database: Path) -> None:
    data = sound_database()
    data["annotations"]["2"]["start"] = "12"
    payload = write_database(database, data)
    with pytest.raises(StoreError, match=r'annotation 2: "start" is "12", not an integer'):
        Store.open(database)
    assert database.read_bytes() == payload
    assert not list(database.parent.glob("*.backup-*")) and not list(database.parent.glob("*.journal"))


def test_a_guid_is_an_optional_string_on_themes_documents_and_annotations() -> None:
    data = sound_database()
    assert database_problem(data) is None  # older databases have none
    for table, key in (("themes", "1"), ("documents", "1"), ("annotations", "1")):
        record = dict(data[table][key])
        data[table][key]["guid"] = "6f1d3c2e-8a5b-4f7e-9c1d-2b3a4c5d6e7f"
        assert database_problem(data) is None
        data[table][key]["guid"] = 12
        word = {"themes": "theme", "documents": "document", "annotations": "annotation"}[table]
        assert database_problem(data) == f'{word} 1: "guid" is 12, not a string'
        data[table][key] = record


def deeply_nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def refused_in_one_line(corpus_dir: Path, database: Path, capsys, expected: str) -> None:
    """``margin``, ``margin db check`` and ``margin export`` all refuse it: one line, exit 2."""
    assert main([str(corpus_dir), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert f"{database}: {expected}" in error and error.count("\n") == 1, error
    assert main(["db", "check", "--db", str(database)]) == 2
    assert f"- {expected}" in capsys.readouterr().out
    assert main(["export", "--format", "csv", "--db", str(database), "-o", str(database.parent.parent / "out.csv")]) == 2
    error = capsys.readouterr().err
    assert f"{database}: {expected}" in error and error.count("\n") == 1, error


@pytest.mark.parametrize("depth", [100_000, 200_000])
def test_a_database_nested_too_deeply_is_refused_in_one_line(
    depth: int, corpus_dir: Path, database: Path, capsys
) -> None:
    payload = write_database(database, sound_database()).replace(b'"note": ""', b'"note": "", "x": ' + deeply_nested(depth), 1)
    database.write_bytes(payload)
    before = folder_state(database.parent)
    refused_in_one_line(corpus_dir, database, capsys, "the database is corrupt (nested too deeply")
    assert folder_state(database.parent) == before


def test_a_folder_at_the_database_path_is_named_as_a_folder(corpus_dir: Path, database: Path, capsys) -> None:
    database.mkdir(parents=True)
    refused_in_one_line(corpus_dir, database, capsys, "is a folder, not a database")
    assert database.is_dir() and not any(database.iterdir())
    assert sorted(p.name for p in database.parent.iterdir()) == ["annotations.json"]


def test_a_fifo_at_the_database_path_is_refused_not_read_forever(corpus_dir: Path, database: Path, capsys) -> None:
    database.parent.mkdir(parents=True)
    os.mkfifo(database)
    refused_in_one_line(corpus_dir, database, capsys, "is a FIFO (named pipe), not a file")
    empty = database.parent.parent / "nothing.jsonl"  # a sound file: the database is what is refused
    empty.write_text("", encoding="utf-8")
    assert main(["import", str(empty), "--db", str(database)]) == 2
    assert "is a FIFO (named pipe), not a file" in capsys.readouterr().err
    assert stat.S_ISFIFO(database.lstat().st_mode)


def test_a_device_is_not_a_database(capsys) -> None:
    assert main(["db", "check", "--db", "/dev/zero"]) == 2
    assert "- is a character device, not a file" in capsys.readouterr().out
    with pytest.raises(StoreError, match=r"^/dev/zero: is a character device, not a file$"):
        Store.open(Path("/dev/zero"), inspect=True)


def test_a_database_beyond_the_size_cap_is_refused_before_it_is_read(database: Path, monkeypatch) -> None:
    payload = write_database(database, sound_database())
    monkeypatch.setattr(limits, "DATABASE_BYTES", len(payload) - 1)
    with pytest.raises(StoreError, match=r"annotations\.json: file too large \(.* bytes; Margin reads up to .* bytes\)$"):
        Store.open(database)
    assert database.read_bytes() == payload


@pytest.mark.parametrize("version", ["2", 2.0, None, [2]])
def test_a_schema_version_that_is_not_a_number_is_damage_not_a_newer_margin(
    version: object, database: Path, capsys
) -> None:
    data = sound_database()
    data["meta"]["1"]["schema_version"] = version
    write_database(database, data)
    with pytest.raises(StoreError) as refused:
        Store.open(database, inspect=True)
    assert "newer Margin" not in str(refused.value)
    assert "the schema version" in str(refused.value) and "is not a whole number (a damaged file)" in str(refused.value)


def test_a_newer_schema_still_says_upgrade(database: Path) -> None:
    data = sound_database()
    data["meta"]["1"]["schema_version"] = 99
    write_database(database, data)
    with pytest.raises(StoreError, match="written by a newer Margin"):
        Store.open(database, inspect=True)


def test_a_colour_in_capitals_is_a_colour(database: Path) -> None:
    data = sound_database()
    data["themes"]["2"]["color"] = "#4C78A8"  # what a codebook CSV or a REFI-QDA project may bring
    write_database(database, data)
    assert Store.open(database, inspect=True).themes[1].color == "#4C78A8"


def test_a_corpus_codebook_colour_that_is_not_rrggbb_takes_a_palette_colour(tmp_path: Path) -> None:
    from tui.core.codebook import PALETTE, read_codebook

    (tmp_path / "codebook.json").write_text(
        '{"themes": [{"name": "A", "color": "notacolor"}, {"name": "B", "color": 7}, {"name": "C", "color": "#ABCDEF"}]}'
    )
    specs = read_codebook(tmp_path)
    assert [spec.color for spec in specs] == [None, None, "#abcdef"]
    store = Store.open(tmp_path / "db" / "annotations.json", starting_themes=specs)
    assert [theme.color for theme in store.themes] == [PALETTE[0], PALETTE[1], "#abcdef"]


def with_parents(parents: dict[str, object]) -> dict:
    data = sound_database()
    data["themes"]["3"] = {**data["themes"]["1"], "name": "Routes", "key": 3, "order": 2}
    data["themes"]["4"] = {**data["themes"]["1"], "name": "Ports", "key": 4, "order": 3}
    for key, parent in parents.items():
        data["themes"][key]["parent"] = parent
    return data


@pytest.mark.parametrize(
    ("parents", "expected"),
    [
        ({"1": None, "2": 2}, ["theme 'Arms': its parent is itself"]),
        ({"1": 2, "2": 1}, ["themes 'Smuggling' › 'Arms' › 'Smuggling': their parents form a cycle"]),
        ({"1": 3, "2": 1, "3": 2, "4": 1},
         ["themes 'Smuggling' › 'Routes' › 'Arms' › 'Smuggling': their parents form a cycle"]),
        ({"2": 9}, ["theme 'Arms': its parent theme 9 is not in the database"]),
    ],
)
def test_a_theme_cycle_or_a_missing_parent_is_a_problem_db_check_reports_and_nothing_hangs(
    parents: dict, expected: list[str], database: Path, capsys
) -> None:
    payload = write_database(database, with_parents(parents))
    assert main(["db", "check", "--db", str(database)]) == 1
    out = capsys.readouterr().out
    for problem in expected:
        assert f"    - {problem}\n" in out
    assert database.read_bytes() == payload

    store = Store.open(database)  # it opens: every walk up the parents stops where it closes
    for theme in store.themes:
        store.theme_path(theme)
        store.theme_key(theme)
    from tui.core.codebook import ThemeTree

    assert all(theme.id in ThemeTree(store.themes).descendants(theme) for theme in store.themes)
    store.renumber(store.themes)
    assert sorted(theme.id for theme in store.themes) == [1, 2, 3, 4]
    store.close()


def test_references_to_nothing_are_problems_not_refusals(database: Path, capsys) -> None:
    data = sound_database()
    data["annotations"]["1"]["document"] = 7
    data["annotations"]["2"]["themes"] = [1, 8]
    write_database(database, data)
    assert main(["db", "check", "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert "annotation 1: refers to document 7, which is not in the database" in out
    assert "annotation 2: refers to theme(s) [8], which are not in the database" in out


@pytest.mark.parametrize("name", ["Nul\x00here", "Bell\x07", "Line\nbreak", "Escape\x1b[31m", "C1\x85"])
def test_a_theme_name_with_a_control_character_is_a_problem_db_check_reports(
    name: str, database: Path, capsys
) -> None:
    data = sound_database()
    data["themes"]["2"]["name"] = name
    payload = write_database(database, data)
    assert main(["db", "check", "--db", str(database)]) == 1
    out = capsys.readouterr().out
    control = next(c for c in name if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F)
    assert f"- theme 2 " in out and f"its name holds a control character (U+{ord(control):04X}); rename it" in out
    assert "\x1b" not in out and "\x00" not in out  # printed escaped
    assert Store.open(database, inspect=True).themes[1].name == name  # still opens
    assert database.read_bytes() == payload
