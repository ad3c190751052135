"""Codebooks in (issue #13): a JSON-lines export rebuilds its codebook, and a codebook kept in a
spreadsheet (CSV) is merged into a database's, reporting what was added or changed."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace
from tui.core.exporters import export
from tui.core.importers import ImportFileError, import_file

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "tui" / "core" / "schemas" / "margin-annotation.schema.json"


def codebook(workspace: Workspace) -> list[tuple]:
    """Everything a codebook is: order, digit, name, colour, description, group by name."""
    return [(t.key, t.name, t.color, t.description, workspace.theme(t.parent).name if t.parent else None)
            for t in workspace.themes]


@pytest.fixture
def source(corpus_dir: Path, database: Path) -> Workspace:
    """The seed codebook (13 themes), one used, edited: a group, a description, a colour, an
    unused theme moved up."""
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    document = workspace.documents[0]
    workspace.toggle_theme(document, 10, 40, workspace.themes[1])
    group = workspace.create_theme("Contraband")
    workspace.set_parent(workspace.themes[1], group)
    workspace.set_parent(workspace.store.theme_named("Migrant safety"), group)
    workspace.update_theme(workspace.themes[0], description="People moved across a border for money",
                           color="#123abc")
    workspace.move_theme(workspace.store.theme_named("Contraband"), -3)
    return workspace


def test_a_json_lines_export_rebuilds_its_codebook_exactly_in_a_fresh_database(source: Workspace,
                                                                                tmp_path: Path) -> None:
    expected = codebook(source)
    assert len(expected) == 13 and any(group for *_, group in expected)
    output, _ = export(source, "jsonl", tmp_path / "out.jsonl")
    source.close()
    fresh = Workspace.open_database(tmp_path / "fresh" / "annotations.json", for_writing=True)
    report = import_file(fresh, output)
    assert report.imported == 1 and report.codebook == "codebook: 13 themes added, 0 changed, 0 already there"
    assert codebook(fresh) == expected
    again = import_file(fresh, output)  # nothing twice
    assert again.codebook == "codebook: 0 themes added, 0 changed, 13 already there"
    assert codebook(fresh) == expected
    fresh.close()


def test_the_codebook_line_validates_against_the_published_schema(source: Workspace, tmp_path: Path) -> None:
    import jsonschema

    output, _ = export(source, "jsonl", tmp_path / "out.jsonl")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["type"] == "codebook" and len(lines) == 2
    for line in lines:
        validator.validate(line)
    assert not validator.is_valid({"type": "codebook", "themes": [{"name": "x", "color": "red"}]})
    assert not validator.is_valid({"type": "codebook", "themes": [{"name": " "}]})


def test_a_json_lines_codebook_merges_into_an_existing_one_without_duplicates(source: Workspace, tmp_path: Path,
                                                                              capsys) -> None:
    output, _ = export(source, "jsonl", tmp_path / "out.jsonl")
    source.close()
    target = tmp_path / "target" / "annotations.json"
    workspace = Workspace.open_database(target, for_writing=True)
    workspace.create_theme("Arms trafficking")  # there already, another colour
    workspace.create_theme("Our own theme")
    workspace.close()
    assert main(["import", str(output), "--db", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"{target}: imported 1 annotation\n" in out
    assert f"{target}: codebook: 12 themes added, 1 changed (colour, description, group), 0 already there\n" in out
    workspace = Workspace.open_database(target)
    names = [t.name for t in workspace.themes]
    assert len(names) == len({n.casefold() for n in names}) == 14
    assert names[0] == "Our own theme"  # what was there keeps its place; the rest follows in order
    arms = workspace.store.theme_named("Arms trafficking")
    assert workspace.theme(arms.parent).name == "Contraband"
    workspace.close()


@pytest.mark.parametrize(("codebook_line", "message"), [
    ({"type": "codebook", "themes": [{"name": "A"}, {"name": "a "}]}, "themes[1]: 'a ' is there twice (also themes[0])"),
    ({"type": "codebook", "themes": [{"name": "A", "parent": "B"}]}, "themes[0]: its group 'B' is not a theme"),
    ({"type": "codebook", "themes": [{"name": "A", "parent": "B"}, {"name": "B", "parent": "A"}]},
     "themes[0]: themes grouped in a circle ('A' → 'B' → 'A')"),
    ({"type": "codebook", "themes": [{"name": "A", "color": "red"}]}, '"themes[0].color" has the wrong form'),
    ({"type": "codebook", "themes": [{"name": "A", "key": 10}]}, '"themes[0].key" must be an integer <= 9'),
    ({"type": "codebook", "themes": "A"}, '"themes" must be a list'),
])
def test_a_malformed_codebook_line_is_named_and_changes_nothing(source: Workspace, tmp_path: Path,
                                                                codebook_line: dict, message: str) -> None:
    output, _ = export(source, "jsonl", tmp_path / "out.jsonl")
    lines = output.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(codebook_line), *lines[1:]]), encoding="utf-8")
    before = codebook(source)
    with pytest.raises(ImportFileError) as raised:
        import_file(source, bad)
    assert str(raised.value).startswith(f"{bad}: line 1: {message}")
    assert codebook(source) == before and not source.history.done[-1:] == ["import"]
    bad.write_text("\n".join([lines[0], *lines[1:], lines[0]]), encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 3: a second codebook \\(the first is on line 1\\)"):
        import_file(source, bad)
    source.close()


# -- CSV ---------------------------------------------------------------------------------------------

def write_csv(path: Path, text: str, bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


CODEBOOK_CSV = """Name,Description,Colour,Parent,Notes
Cartels,Organised crime groups,#AA3355,Violence,a column Margin ignores
Violence,Any mention of violence,#3355aa,,
'=Formula-looking,"A description, with a comma",,,
Boats,,,Routes,
Routes,How people travel,,,
"""


def test_a_csv_codebook_imports_with_nesting_colours_and_descriptions(tmp_path: Path, capsys) -> None:
    path = write_csv(tmp_path / "codebook.csv", CODEBOOK_CSV, bom=True)
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(path), "--db", str(database)]) == 0
    assert capsys.readouterr().out == f"{database}: codebook: 5 themes added, 0 changed, 0 already there\n"
    workspace = Workspace.open_database(database)
    assert codebook(workspace) == [
        (1, "Violence", "#3355aa", "Any mention of violence", None),
        (2, "Cartels", "#AA3355", "Organised crime groups", "Violence"),  # listed before its group
        (3, "=Formula-looking", workspace.themes[2].color, "A description, with a comma", None),
        (4, "Routes", workspace.themes[3].color, "How people travel", None),
        (5, "Boats", workspace.themes[4].color, "", "Routes"),
    ]
    workspace.close()


def test_a_csv_codebook_merges_and_reports_what_it_added_or_changed(tmp_path: Path, capsys) -> None:
    database = tmp_path / "db" / "annotations.json"
    workspace = Workspace.open_database(database, for_writing=True)
    violence = workspace.update_theme(workspace.create_theme("violence"), description="Old words")
    workspace.create_theme("Cartels")
    workspace.update_theme(workspace.create_theme("Routes"), description="How people travel")
    workspace.update_theme(violence, color="#3355AA")  # the same colour, in other letters
    workspace.close()
    path = write_csv(tmp_path / "codebook.csv", CODEBOOK_CSV)
    assert main(["import", str(path), "--db", str(database)]) == 0
    assert capsys.readouterr().out == (
        f"{database}: codebook: 2 themes added, 2 changed (colour, description, group), 1 already there\n")
    workspace = Workspace.open_database(database)
    assert [t.name for t in workspace.themes] == ["violence", "Cartels", "Routes", "Boats", "=Formula-looking"]
    assert workspace.themes[0].description == "Any mention of violence"
    assert (workspace.themes[1].color, workspace.theme(workspace.themes[1].parent).name) == ("#AA3355", "violence")
    workspace.close()
    assert main(["import", str(path), "--db", str(database)]) == 0
    assert capsys.readouterr().out.endswith("codebook: 0 themes added, 0 changed, 5 already there\n")


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty: a codebook CSV starts with a header"),
    ("theme,colour\nA,#ffffff\n", 'row 1: no "name" column'),
    ("name,color,colour\nA,,\n", "row 1: two columns for 'color'"),
    ("name,colour\nA,red\n", 'row 2: colour must be #rrggbb, got "red"'),
    ("name,description\nA,x\n ,described but unnamed\n", "row 3: no theme name"),
    ("name\nA\nB\na\n", "row 4: 'a' is there twice (also row 2)"),
    ("name,parent\nA,B\nB,C\nC,A\n", "row 2: themes grouped in a circle ('A' → 'B' → 'C' → 'A')"),
    ("name,parent\nA,A\n", "row 2: themes grouped in a circle ('A' → 'A')"),
    ("name,parent\nA,Nowhere\n", "theme 'A': its group 'Nowhere' is neither in the file nor in the database"),
    ('name\n"unclosed\n', "row 2: not CSV"),
    ("name\n" + "x" * 501 + "\n", "row 2: the name is longer than 500 characters"),
])
def test_a_malformed_csv_codebook_is_one_line_naming_the_row(tmp_path: Path, capsys, text: str,
                                                              message: str) -> None:
    database = tmp_path / "db" / "annotations.json"
    workspace = Workspace.open_database(database, for_writing=True)
    workspace.create_theme("Already here")
    workspace.close()
    before = database.read_bytes()
    path = write_csv(tmp_path / "codebook.csv", text)
    assert main(["import", str(path), "--db", str(database)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"margin: {path}: {message}") and err.count("\n") == 1
    assert database.read_bytes() == before


def test_a_csv_codebook_that_is_not_utf8_is_refused(tmp_path: Path, capsys) -> None:
    path = tmp_path / "codebook.csv"
    path.write_bytes("name\nCaf\xe9\n".encode("latin-1"))
    assert main(["import", str(path), "--db", str(tmp_path / "db" / "annotations.json")]) == 2
    assert "not UTF-8 text (byte 8); save it as CSV UTF-8" in capsys.readouterr().err


# A name that starts with an apostrophe and then a formula character reads back without the
# apostrophe: the price of the spreadsheet convention (OWASP), which cannot tell the two apart.
NAMES = st.text(alphabet=st.sampled_from("abAB é,\"'=-"), min_size=1, max_size=6).map(
    lambda n: " ".join(n.split())).filter(lambda n: n and not (n.startswith("'") and n[1:2] in "=+-@"))


@settings(max_examples=30, deadline=None)
@given(st.lists(NAMES, min_size=1, max_size=8, unique_by=lambda n: " ".join(n.split()).casefold()), st.data())
def test_any_csv_codebook_written_by_a_spreadsheet_reads_back(names: list[str], data) -> None:
    """Names with commas, quotes, formula starts; parents before or after their children."""
    import csv
    import io

    from tui.core.exporters import spreadsheet_safe

    groups = [n for n in names if data.draw(st.booleans())]
    rows = []
    for name in names:
        parent = data.draw(st.sampled_from([None, *[g for g in groups if g != name and name not in groups]]))
        rows.append((name, parent))
    order = data.draw(st.permutations(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "parent"])
    writer.writerows([spreadsheet_safe(name), spreadsheet_safe(parent or "")] for name, parent in order)
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(Path(folder) / "codebook.csv", buffer.getvalue(), bom=True)
        workspace = Workspace.open_database(Path(folder) / "annotations.json", for_writing=True)
        report = import_file(workspace, path)
        assert report.codebook.startswith(f"codebook: {len(names)} theme")
        got = {t.name: (workspace.theme(t.parent).name if t.parent else None) for t in workspace.themes}
        workspace.close()
    assert got == dict(rows)


def test_a_codebook_import_is_one_undo_step(tmp_path: Path) -> None:
    workspace = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    workspace.update_theme(workspace.create_theme("Violence"), color="#000000")
    before = codebook(workspace)
    import_file(workspace, write_csv(tmp_path / "codebook.csv", CODEBOOK_CSV))
    assert len(codebook(workspace)) == 5 and workspace.store.theme_named("Violence").color == "#3355aa"
    assert workspace.undo() == "import codebook.csv"
    assert codebook(workspace) == before
    workspace.close()
