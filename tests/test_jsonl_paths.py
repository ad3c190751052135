"""JSON lines rebuild a nested codebook exactly, even with two themes of one name under
different parents (issue #13 item 5): the codebook line gives each theme's ``path``, each
annotation line its ``theme_paths``, and the import follows them."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from conftest import SEEDS
from hypothesis import strategies as st
from test_import_trust import snapshot

from tui.cli import main
from tui.core import Workspace
from tui.core.exporters import export
from tui.core.importers import import_file


def codebook(workspace: Workspace) -> list[tuple]:
    """Everything a codebook is: order, digit, place in the tree, colour, description."""
    return [(t.key, workspace.store.theme_path(t), t.color, t.description) for t in workspace.themes]


def codings(workspace: Workspace) -> list[tuple]:
    """Each annotation's passage and the places of its themes."""
    place = workspace.store.theme_path
    return sorted((a.quote, a.start, tuple(sorted(place(workspace.theme(t)) for t in a.themes)))
                  for a in workspace.store.annotations.values())


def grow(workspace: Workspace, parent, name: str):
    """A new theme ``name`` under ``parent`` (None: the top): made at the top, moved, then
    named, as the codebook screen allows; so a name may repeat under different parents."""
    theme = workspace.create_theme(f"new {len(workspace.themes)}")
    if parent is not None:
        workspace.set_parent(theme, parent)
    return workspace.update_theme(workspace.store.theme(theme.id), name=name)


@pytest.fixture
def twins(corpus_dir: Path, database: Path) -> Workspace:
    """Three levels with ``Arms`` under two parents, each with a ``Small arms`` of its own,
    every theme described and coloured, and a passage coded with each twin."""
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    for theme in list(workspace.themes):  # the seed codebook out of the way: names here only
        workspace.delete_theme(theme)
    security, trade = grow(workspace, None, "Security"), grow(workspace, None, "Trade")
    security_arms = grow(workspace, security, "Arms")
    security_small = grow(workspace, security_arms, "Small arms")
    trade_arms = grow(workspace, trade, "Arms")
    trade_small = grow(workspace, trade_arms, "Small arms")
    for number, theme in enumerate([security, security_arms, security_small, trade, trade_arms, trade_small]):
        workspace.update_theme(theme, description=f"described {number}", color=f"#0000{number:02x}")
    document = workspace.documents[0]
    workspace.toggle_theme(document, 10, 40, workspace.store.theme(trade_arms.id))
    workspace.toggle_theme(document, 50, 90, workspace.store.theme(security_small.id))
    workspace.toggle_theme(document, 50, 90, workspace.store.theme(trade_small.id))
    workspace.toggle_theme(workspace.documents[1], 5, 25, workspace.store.theme(security_arms.id))
    return workspace


def test_a_nested_codebook_with_twin_names_round_trips_exactly(twins: Workspace, tmp_path: Path) -> None:
    expected_codebook, expected_codings = codebook(twins), codings(twins)
    assert [place for _, place, _, _ in expected_codebook].count("Trade › Arms") == 1
    output, _ = export(twins, "jsonl", tmp_path / "out.jsonl")
    twins.close()
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    twin = {"name": "Small arms", "parent": "Arms", "path": ["Trade", "Arms"]}
    assert twin.items() <= lines[0]["themes"][5].items()
    assert ["Trade", "Arms"] in [path for line in lines[1:] for path in line["theme_paths"]]

    fresh = Workspace.open_database(tmp_path / "fresh" / "annotations.json", for_writing=True)
    report = import_file(fresh, output)
    assert report.imported == 3 and report.unplaced == []
    assert codebook(fresh) == expected_codebook
    assert codings(fresh) == expected_codings
    again = import_file(fresh, output)  # twice adds nothing: each twin is found where it sits
    assert again.imported == 0 and codebook(fresh) == expected_codebook
    fresh.close()


def test_a_twin_named_without_its_path_is_refused_naming_the_line(twins: Workspace, tmp_path: Path,
                                                                  capsys) -> None:
    output, _ = export(twins, "jsonl", tmp_path / "out.jsonl")
    twins.close()
    lines = output.read_text(encoding="utf-8").splitlines()
    number, record = next((n, json.loads(line)) for n, line in enumerate(lines)
                          if '"theme_names":["Arms"]' in line)
    del record["theme_paths"]
    lines[number] = json.dumps(record)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines), encoding="utf-8")
    database = tmp_path / "fresh" / "annotations.json"
    assert main(["import", str(bad), "--db", str(database)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"margin: {bad}: line {number + 1}: \"theme_names[0]\" \"Arms\" could be "
                            "'Security › Arms' or 'Trade › Arms': give \"theme_paths\"\n")
    assert captured.out == "" and not database.exists()


def test_paths_without_a_codebook_line_make_the_themes_where_they_say(twins: Workspace,
                                                                      tmp_path: Path) -> None:
    expected = codings(twins)
    output, _ = export(twins, "jsonl", tmp_path / "out.jsonl")
    twins.close()
    annotations_only = tmp_path / "annotations-only.jsonl"
    lines = output.read_text(encoding="utf-8").splitlines()
    annotations_only.write_text("\n".join(lines[1:]), encoding="utf-8")
    fresh = Workspace.open_database(tmp_path / "fresh" / "annotations.json", for_writing=True)
    import_file(fresh, annotations_only)
    assert codings(fresh) == expected
    fresh.close()


def test_a_file_of_different_names_lands_on_the_right_twin_of_a_database(twins: Workspace, corpus_dir: Path,
                                                                        tmp_path: Path) -> None:
    """Only ``Security › Arms`` in the file, both in the database: its path says which."""
    other = Workspace.open([corpus_dir], database=tmp_path / "other" / "annotations.json", author="bo")
    for theme in list(other.themes):
        other.delete_theme(theme)
    arms = grow(other, grow(other, None, "Security"), "Arms")
    other.toggle_theme(other.documents[2], 10, 40, arms)
    output, _ = export(other, "jsonl", tmp_path / "out.jsonl")
    other.close()
    before = codebook(twins)
    report = import_file(twins, output)
    assert report.imported == 1
    assert report.codebook == "codebook: 0 themes added, 2 changed (colour), 0 already there"
    after = codebook(twins)
    assert [place for _, place, _, _ in after] == [place for _, place, _, _ in before]
    assert [row for row in after if "Trade" in row[1]] == [row for row in before if "Trade" in row[1]]
    assert [row[2] for row in after[:2]] == ["#56b4e9", "#e69f00"]  # the file's colours, where it sits
    (coded,) = [a for a in twins.store.annotations.values() if a.quote == twins.documents[2].text[10:40]]
    assert [twins.store.theme_path(twins.theme(t)) for t in coded.themes] == ["Security › Arms"]


def test_an_older_file_naming_a_twin_of_the_database_is_refused(twins: Workspace, tmp_path: Path,
                                                                capsys) -> None:
    """Without paths and without a codebook line (exports before both), "Arms" could be either."""
    line = {"document_path": str(twins.documents[2].path), "start": 10, "end": 40,
            "quote": twins.documents[2].text[10:40], "theme_names": ["Human smuggling", "arms"]}
    old = tmp_path / "old.jsonl"
    old.write_text("\n" + json.dumps(line) + "\n", encoding="utf-8")
    database = twins.database_path
    twins.close()
    before = snapshot(database)
    assert main(["import", str(old), "--db", str(database)]) == 2
    captured = capsys.readouterr()
    assert captured.err == (f"margin: {old}: line 2: \"theme_names[1]\" \"arms\" could be "
                            "'Security › Arms' or 'Trade › Arms': give \"theme_paths\"\n")
    assert captured.out == "" and snapshot(database) == before


CODEBOOK_CASES = [
    ([{"name": "A", "path": []}, {"name": "B", "path": [""]}], '"themes[1].path[0]" must not be empty'),
    ([{"name": "A", "path": []}, {"name": "B", "path": ["Z"]}], "themes[1]: its group 'Z' is not a theme"),
    ([{"name": "A", "path": []}, {"name": "B", "path": ["A", "Z"]}],
     "themes[1]: its group 'A › Z' is not a theme"),
    ([{"name": "A", "path": []}, {"name": "B", "path": ["A"]}, {"name": "b ", "path": ["a"]}],
     "themes[2]: 'a › b ' is there twice (also themes[1])"),
    ([{"name": "A", "path": []}, {"name": "B"}], '"themes[1].path" is missing (other themes have one)'),
    ([{"name": "A", "path": []}, {"name": "B", "path": ["A"], "parent": "C"}],
     '"themes[1].parent" "C" is not the last name of its "path" ["A"]'),
    ([{"name": "A", "path": "A"}], '"themes[0].path" must be a list or null, got "A"'),
]


@pytest.fixture(scope="module")
def annotation_line(tmp_path_factory) -> str:
    """An annotation line of an export coding a seed document with a theme named ``A``."""
    root = tmp_path_factory.mktemp("line")
    shutil.copytree(SEEDS, root / "seeds")
    database = root / "annotations" / "annotations.json"
    workspace = Workspace.open([root / "seeds"], database=database, author="ana")
    workspace.toggle_theme(workspace.documents[0], 10, 40, workspace.create_theme("A"))
    output, _ = export(workspace, "jsonl", root / "out.jsonl")
    workspace.close()
    return output.read_text(encoding="utf-8").splitlines()[1]


@pytest.mark.parametrize(("themes", "message"), CODEBOOK_CASES)
def test_a_malformed_codebook_path_is_one_line_and_changes_nothing(
        annotation_line: str, corpus_dir: Path, database: Path, tmp_path: Path, capsys,
        themes: list, message: str) -> None:
    bad = tmp_path / "bad.jsonl"
    codebook_line = json.dumps({"type": "codebook", "themes": themes})
    bad.write_text(codebook_line + "\n" + annotation_line, encoding="utf-8")
    Workspace.open([corpus_dir], database=database, author="ana").close()
    before = snapshot(database)
    assert main(["import", str(bad), "--db", str(database)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"margin: {bad}: line 1: {message}") and captured.err.count("\n") == 1
    assert captured.out == "" and snapshot(database) == before


ANNOTATION_CASES = [
    ({"theme_paths": [[]]}, '"theme_paths[0]" must not be empty'),
    ({"theme_paths": [["", "A"]]}, '"theme_paths[0][0]" must not be empty'),
    ({"theme_paths": [["A", "B"]]}, '"theme_paths[0]" ["A", "B"] does not end in its theme name "A"'),
    ({"theme_paths": []}, '"theme_paths" has 0 paths for 1 "theme_names"'),
    ({"theme_paths": [["Z", "A"]]}, '"theme_paths[0]" \'Z › A\' is not a theme of the codebook'),
    ({"theme_paths": "A"}, '"theme_paths" must be a list or null, got "A"'),
    ({"theme_names": ["B"], "theme_paths": None}, '"theme_names[0]" "B" is not a theme of the codebook'),
]


@pytest.mark.parametrize(("change", "message"), ANNOTATION_CASES)
def test_a_malformed_theme_path_is_one_line_and_changes_nothing(
        annotation_line: str, corpus_dir: Path, database: Path, tmp_path: Path, capsys,
        change: dict, message: str) -> None:
    codebook_line = {"type": "codebook", "themes": [{"name": "A", "path": []}]}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(codebook_line) + "\n" + json.dumps({**json.loads(annotation_line), **change}),
                   encoding="utf-8")
    Workspace.open([corpus_dir], database=database, author="ana").close()
    before = snapshot(database)
    assert main(["import", str(bad), "--db", str(database)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"margin: {bad}: line 2: {message}\n" and captured.out == ""
    assert snapshot(database) == before


NAMES = st.sampled_from(["Arms", "arms ", "Trade", "Small arms", "Ports"])


@st.composite
def trees(draw) -> list[tuple[int | None, str]]:
    """A codebook as (index of the parent among those before, or None; name), siblings'
    names different (as the store keeps them), names repeating anywhere else."""
    themes: list[tuple[int | None, str]] = []
    for _ in range(draw(st.integers(1, 9))):
        parent = draw(st.none() | st.integers(0, len(themes) - 1)) if themes else None
        taken = {" ".join(name.split()).casefold() for p, name in themes if p == parent}
        name = draw(NAMES.filter(lambda n: " ".join(n.split()).casefold() not in taken))
        themes.append((parent, name))
    return themes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees(), coded=st.lists(st.integers(0, 8), max_size=4))
def test_any_tree_with_repeated_names_round_trips(tree: list, coded: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(SEEDS, root / "seeds")
        workspace = Workspace.open([root / "seeds"], database=root / "a" / "annotations.json", author="ana")
        for theme in list(workspace.themes):
            workspace.delete_theme(theme)
        made = []
        for parent, name in tree:
            made.append(grow(workspace, made[parent] if parent is not None else None, name))
        document = workspace.documents[0]
        for number, index in enumerate(coded):
            if index < len(made):
                theme = workspace.store.theme(made[index].id)
                workspace.toggle_theme(document, number * 50, number * 50 + 30, theme)
        expected_codebook, expected_codings = codebook(workspace), codings(workspace)
        output, _ = export(workspace, "jsonl", root / "out.jsonl")
        workspace.close()
        fresh = Workspace.open_database(root / "b" / "annotations.json", for_writing=True)
        import_file(fresh, output)
        assert codebook(fresh) == expected_codebook
        assert codings(fresh) == expected_codings
        fresh.close()
