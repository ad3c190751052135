"""Statistics on a small corpus whose counts are known by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import Workspace, stats
from tui.core.corpus import Document

ALPHA = "Guns went south.\nMoney went north.\n\nShelters were full.\n\nNothing here.\n"
BETA = "=HYPERLINK(\"x\") is a title\n\nSmugglers used tunnels.\n"


def span(document: Document, quote: str) -> tuple[int, int]:
    start = document.text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def coded(tmp_path: Path) -> Workspace:
    """Alpha: paragraph 1 has Arms on one passage and Arms + Money on another that overlaps
    it; paragraph 2 has Migrants; a passage spanning paragraphs 1-2 has Money. Beta: one
    Arms passage in its second paragraph."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.txt").write_text(BETA, encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author="t")
    arms, money, migrants = (workspace.create_theme(name) for name in ("Arms", "Money", "Migrants"))
    alpha, beta = workspace.documents
    workspace.toggle_theme(alpha, *span(alpha, "Guns went south."), arms)
    for theme in (arms, money):
        workspace.toggle_theme(alpha, *span(alpha, "south.\nMoney"), theme)
    workspace.toggle_theme(alpha, *span(alpha, "Shelters were full."), migrants)
    workspace.toggle_theme(alpha, *span(alpha, "north.\n\nShelters"), money)
    workspace.toggle_theme(beta, *span(beta, "Smugglers used tunnels."), arms)
    yield workspace
    workspace.close()


def test_counts_tables_and_cooccurrence(coded: Workspace) -> None:
    result = stats.compute(coded)
    assert [t.name for t in result.themes] == ["Arms", "Money", "Migrants"]
    assert [d.title for d in result.documents] == ["Guns went south.", '=HYPERLINK("x") is a title']
    assert result.per_document == [4, 1] and result.total == 5
    assert result.per_theme == [3, 2, 1] and result.documents_per_theme == [2, 1, 1]
    assert result.matrix == [[2, 1], [2, 0], [1, 0]]
    # Paragraphs: alpha 1 {Arms, Money}, alpha 2 {Migrants, Money}, beta 2 {Arms}.
    assert result.cooccurrence == [[2, 1, 0], [1, 2, 1], [0, 1, 1]]


def test_markdown_tables(coded: Workspace) -> None:
    report = stats.to_markdown(stats.compute(coded))
    assert "| Arms | 3 | 2 |" in report
    assert '| =HYPERLINK("x") is a title | 1 |' in report
    assert "| Theme | Guns went south. | =HYPERLINK(\"x\") is a title |" in report
    assert "## Co-occurrence (paragraphs coded with both themes)" in report
    assert "| Money | 1 | 2 | 1 |" in report


def test_csv_is_tidy_and_spreadsheet_safe(coded: Workspace) -> None:
    rows = list(csv.DictReader(io.StringIO(stats.to_csv(stats.compute(coded)))))
    by_key = {(r["measure"], r["theme"], r["document"], r["other_theme"]): int(r["count"]) for r in rows}
    assert by_key[("theme_annotations", "Arms", "", "")] == 3
    assert by_key[("document_annotations", "", "'=HYPERLINK(\"x\") is a title", "")] == 1
    assert by_key[("theme_document", "Money", "Guns went south.", "")] == 2
    assert by_key[("cooccurrence_paragraphs", "Migrants", "", "Money")] == 1
    assert not any(cell.startswith("=") for row in rows for cell in row.values())


def test_json_and_the_command_line(coded: Workspace, tmp_path: Path, capsys) -> None:
    database = coded.database_path
    coded.close()
    assert main(["stats", "--db", str(database), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["annotations"] == 5
    assert data["themes"][0] == {"name": "Arms", "color": data["themes"][0]["color"], "annotations": 3,
                                 "documents": 2}
    assert data["cooccurrence"]["counts"] == [[2, 1, 0], [1, 2, 1], [0, 1, 1]]
    out = tmp_path / "stats.csv"
    assert main(["stats", "--db", str(database), "--format", "csv", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfmeasure,theme")
    assert main(["stats", "--db", str(database), "--format", "csv", "-o", str(out)]) == 2
    assert "exists already (add --force to replace it)" in capsys.readouterr().err


def test_a_missing_document_counts_overlapping_passages_as_one_unit(coded: Workspace) -> None:
    database = coded.database_path
    alpha = coded.documents[0].path
    coded.close()
    alpha.unlink()
    result = stats.compute(Workspace.open_database(database))
    assert [d.title for d in result.documents] == ['=HYPERLINK("x") is a title', "Guns went south."]
    # Without its text, alpha's passages form two runs of overlap, {Arms, Money} and
    # {Money, Migrants}: the same meetings as its paragraphs give.
    assert result.matrix == [[1, 2], [0, 2], [0, 1]]
    assert result.cooccurrence == [[2, 1, 0], [1, 2, 1], [0, 1, 1]]


def test_theme_names_that_look_like_formulas_are_neutralised_in_csv(coded: Workspace) -> None:
    alpha = coded.documents[0]
    for name in ("=SUM(A1)", "+1", "@x", "-2"):
        coded.toggle_theme(alpha, *span(alpha, "Nothing here."), coded.create_theme(name))
    rows = list(csv.DictReader(io.StringIO(stats.to_csv(stats.compute(coded)))))
    names = {r["theme"] for r in rows if r["measure"] == "theme_annotations"}
    assert names >= {"'=SUM(A1)", "'+1", "'@x", "'-2"}
    assert ("'=SUM(A1)", "'-2", "1") in {(r["theme"], r["other_theme"], r["count"]) for r in rows}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


def test_passages_that_only_touch_do_not_cooccur(tmp_path: Path) -> None:
    """A passage ending where the next paragraph's passage starts shares no character with
    it: no paragraph, and (file missing) no run of overlap, holds both."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "gamma.txt").write_text("Arms moved.\n\nCash moved.\n", encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author="t")
    arms, cash = workspace.create_theme("Arms"), workspace.create_theme("Cash")
    (gamma,) = workspace.documents
    first = workspace.toggle_theme(gamma, *span(gamma, "moved.\n\n"), arms).annotation
    second = workspace.toggle_theme(gamma, *span(gamma, "Cash moved."), cash).annotation
    assert first.end == second.start
    assert stats.compute(workspace).cooccurrence == [[1, 0], [0, 1]]
    workspace.close()
    gamma.path.unlink()
    assert stats.compute(Workspace.open_database(workspace.database_path)).cooccurrence == [[1, 0], [0, 1]]


def test_nested_themes_roll_up_in_every_format(coded: Workspace) -> None:
    arms, money, migrants = coded.themes
    coded.set_parent(money, arms)
    coded.set_parent(coded.theme(migrants.id), coded.theme(money.id))  # Arms › Money › Migrants
    result = stats.compute(coded)
    assert result.per_theme == [3, 2, 1]  # their own, as before
    # Arms: its three, and Money's passage on "north. Shelters" and Migrants' one (the shared
    # "south. Money" passage counts once); Money: its two and Migrants' one.
    assert result.rolled_up == [(5, 2), (3, 1), (1, 1)]
    report = stats.to_markdown(result)
    assert "| Arms › Money › Migrants | 1 | 1 | 1 | 1 |" in report and "| Arms | 3 | 2 | 5 | 2 |" in report
    rows = list(csv.DictReader(io.StringIO(stats.to_csv(result))))
    assert {"measure": "theme_annotations_with_descendants", "theme": "Money", "document": "",
            "other_theme": "", "count": "3"} in rows
    money_json = json.loads(stats.to_json(result))["themes"][1]
    assert money_json["path"] == "Arms › Money" and money_json["annotations_with_descendants"] == 3
