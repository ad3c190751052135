"""``margin stats --by``: themes counted by attribute value, against hand counts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import Workspace
from tui.core.matrix import compute
from tui.core.query import QueryError

A = "Guns went south. Money went north.\n\nShelters were full.\n"
B = "Smugglers used tunnels. Guns too.\n"
C = "Nothing coded here, but guns.\n"


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def coded(tmp_path: Path) -> Workspace:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in (("a.txt", A), ("b.txt", B), ("c.txt", C)):
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "attributes.csv").write_text("file,country\na.txt,MX\nb.txt,mx\n", encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "annotations" / "annotations.json", author="t")
    arms, money, trade = (workspace.create_theme(n) for n in ("Arms", "Money", "Trade"))
    workspace.set_parent(money, trade)
    a, b, c = workspace.documents
    workspace.toggle_theme(a, *span(A, "Guns went"), arms)
    workspace.toggle_theme(a, *span(A, "went south."), arms)  # overlaps the first: one run
    workspace.toggle_theme(a, *span(A, "Shelters"), arms)
    workspace.toggle_theme(a, *span(A, "Money"), money)
    workspace.toggle_theme(b, *span(B, "Guns too."), arms)
    workspace.toggle_theme(c, *span(C, "guns"), arms)
    yield workspace
    workspace.close()


def test_counts_by_hand(coded: Workspace) -> None:
    passages = compute(coded, "Country", "passages")
    assert [t.name for t in passages.themes] == ["Arms", "Trade", "Money"]
    assert passages.values == ["MX", "(no value)"]  # MX and mx are one value; c.txt has none
    assert passages.cells == [[3, 1, 1], [1, 0, 0]]
    assert compute(coded, "country", "documents").cells == [[2, 1, 1], [1, 0, 0]]
    characters = compute(coded, "country", "characters").cells
    assert characters == [[len("Guns went south.") + len("Shelters") + len("Guns too."), 5, 5], [4, 0, 0]]


def test_an_unknown_attribute_names_the_known_ones(coded: Workspace) -> None:
    with pytest.raises(QueryError, match="no document has an attribute 'region' \\(the attributes are country\\)"):
        compute(coded, "region")


def test_margin_stats_by_csv_json_text(coded: Workspace, capsys) -> None:
    coded.store.checkpoint()
    database = str(coded.database_path)
    assert main(["stats", "--by", "country", "--format", "csv", "--db", database]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert rows == [["country", "Arms", "Trade", "Money"], ["MX", "3", "1", "1"], ["(no value)", "1", "0", "0"]]
    assert main(["stats", "--by", "country", "--count", "documents", "--format", "json", "--db", database]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["rows"][0] == {"value": "MX", "counts": [2, 1, 1]} and data["count"] == "documents"
    assert main(["stats", "--by", "country", "--format", "text", "--db", database]) == 0
    out = capsys.readouterr().out
    assert "country     Arms  Trade  Money" in out and "MX             3      1      1" in out
    assert main(["stats", "--by", "nope", "--db", database]) == 2
    assert "margin: stats: no document has an attribute 'nope'" in capsys.readouterr().err


def test_the_passages_of_each_cell_are_the_ones_it_counts(coded: Workspace) -> None:
    from tui.core.matrix import cell_passages

    by_count = {count: compute(coded, "country", count) for count in ("passages", "documents", "characters")}
    matrix = by_count["passages"]
    for row, value in enumerate(matrix.values):
        for column, theme in enumerate(matrix.themes):
            found = cell_passages(coded, "country", value, theme)
            assert len(found) == matrix.cells[row][column]
            assert len({p.document.key for p in found}) == by_count["documents"].cells[row][column]
            assert sum(p.end - p.start for p in found) == by_count["characters"].cells[row][column]
    mx_arms = cell_passages(coded, "country", "MX", matrix.themes[0])
    assert [(p.document.path.name, p.quote) for p in mx_arms] == [
        ("a.txt", "Guns went south."), ("a.txt", "Shelters"), ("b.txt", "Guns too.")]
    assert mx_arms[0].theme_names == ["Arms"]
    [money] = cell_passages(coded, "country", "MX", matrix.themes[1])  # Trade counts Money, nested under it
    assert (money.quote, money.theme_names) == ("Money", ["Money"])
    [unvalued] = cell_passages(coded, "country", "(no value)", matrix.themes[0])
    assert (unvalued.document.path.name, unvalued.quote) == ("c.txt", "guns")


def test_the_attributes_a_matrix_can_be_by(coded: Workspace) -> None:
    from tui.core.matrix import attributes

    assert attributes(coded) == ["country"]
