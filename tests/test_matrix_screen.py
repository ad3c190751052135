"""The matrix screen (M): themes by attribute as a heat map, from the keyboard; its counts
are those of ``margin stats --by``, and Enter on a cell lists exactly the passages it counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reader import view_of

from tui.core import Workspace
from tui.core.matrix import cell_passages, compute
from tui.ui.app import MarginApp
from tui.ui.screens.matrix import NO_ATTRIBUTES, HeatTable, MatrixScreen
from tui.ui.screens.passages import PassagesScreen
from tui.ui.screens.query import PassageList

SIZE = (160, 48)
TEXTS = {
    "a.txt": "Guns went south across the river. Money went north in trucks.\n\nShelters were full all week.\n",
    "b.txt": "Smugglers used tunnels under the wall. Guns moved too, and cash.\n",
    "c.txt": "Nothing much is coded here, but guns are named once.\n",
}
CODED = [("a.txt", "Guns went south", "Arms"), ("a.txt", "Money went north", "Money"),
         ("a.txt", "Shelters were full", "Arms"), ("b.txt", "Guns moved too", "Arms"),
         ("b.txt", "cash", "Money"), ("c.txt", "guns", "Arms")]


def project(tmp_path: Path, attributes: str | None) -> Workspace:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    if attributes is not None:
        (folder / "attributes.csv").write_text(attributes, encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "annotations" / "annotations.json", author="t")
    themes = {name: workspace.create_theme(name) for name in ("Arms", "Money")}
    documents = {document.path.name: document for document in workspace.documents}
    for name, quote, theme in CODED:
        start = TEXTS[name].index(quote)
        workspace.toggle_theme(documents[name], start, start + len(quote), themes[theme])
    return workspace


@pytest.fixture
def attributed(tmp_path: Path) -> Workspace:
    workspace = project(tmp_path, "file,country,source\na.txt,MX,press\nb.txt,US,press\n")
    yield workspace
    workspace.close()


def on_screen(table: HeatTable) -> list[list[str]]:
    """The table as drawn: the header's words, then each row's label and counts."""
    lines = [table.render_line(y).text for y in range(table.row_count + 1)]
    return [line.split() for line in lines]


async def test_counts_on_screen_are_the_matrix_and_enter_lists_a_cells_passages(attributed: Workspace) -> None:
    app = MarginApp(attributed, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        table = screen.query_one(HeatTable)
        for count in ("passages", "documents", "characters"):
            expected = compute(attributed, "country", count)
            assert expected.values == ["MX", "US", "(no value)"]
            drawn = on_screen(table)
            assert drawn[0] == ["Arms", "Money"]
            assert [row[:-2] for row in drawn[1:]] == [["MX"], ["US"], ["(no", "value)"]]
            assert [[int(cell) for cell in row[-2:]] for row in drawn[1:]] == expected.cells
            assert f"{count.capitalize()} coded, by country" in str(screen.query_one("#matrix-title").render())
            await pilot.press("c")
        # a hand check of the passages counts: MX has Arms twice and Money once
        assert compute(attributed, "country").cells == [[2, 1], [1, 1], [1, 0]]

        await pilot.press("l", "j")  # Money × US
        await pilot.pause()
        assert "Money × country US: 1 passage" in str(screen.query_one("#matrix-status").render())
        await pilot.press("h")  # Arms × US
        await pilot.pause()
        assert "Arms × country US: 1 passage" in str(screen.query_one("#matrix-status").render())
        await pilot.press("k", "enter")  # Arms × MX
        await pilot.pause()
        assert isinstance(app.screen, PassagesScreen)
        listed = app.screen.query_one(PassageList)
        arms = attributed.store.theme_named("Arms")
        assert [(p.document.path.name, p.quote) for p in listed.items] == [
            ("a.txt", "Guns went south"), ("a.txt", "Shelters were full")]
        assert listed.items == cell_passages(attributed, "country", "MX", arms)
        assert "Guns went south" in listed.render_line(0).text and "Shelters were full" in listed.render_line(1).text
        assert "Arms where country is MX: 2 passages" in str(app.screen.query_one("#passages-title").render())

        await pilot.press("escape")  # back to the matrix, then the cell again
        assert app.screen is screen
        await pilot.press("enter", "j", "enter")  # the second passage, in the reader
        await pilot.pause()
        view = view_of(app)
        assert view.document.path.name == "a.txt"
        assert view.document.text[view.selection.start:view.selection.end] == "Shelters were full"


async def test_a_attribute_cycles_and_a_cell_with_nothing_says_so(attributed: Workspace) -> None:
    app = MarginApp(attributed, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        await pilot.press("a")
        table = app.screen.query_one(HeatTable)
        drawn = on_screen(table)
        assert [row[0] for row in drawn[1:]] == ["press", "(no"]
        assert [[int(cell) for cell in row[-2:]] for row in drawn[1:]] == compute(attributed, "source").cells
        await pilot.press("j", "l", "enter")  # Money where there is no source: none
        await pilot.pause()
        assert isinstance(app.screen, MatrixScreen)
        assert "No passage of Money where source is (no value)." in [n.message for n in app._notifications]


async def test_without_attributes_the_screen_says_how_to_add_them(tmp_path: Path) -> None:
    workspace = project(tmp_path, None)
    app = MarginApp(workspace, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert not app.screen.query_one(HeatTable).display
        status = str(app.screen.query_one("#matrix-status").render())
        assert "A in the document list" in status and "attributes.csv" in status
        assert status.startswith(NO_ATTRIBUTES[:40])
        await pilot.press("enter", "c", "a", "escape")  # nothing to do; escape goes back
        assert not isinstance(app.screen, MatrixScreen)
    workspace.close()


async def test_names_from_files_are_shown_literally(tmp_path: Path) -> None:
    workspace = project(tmp_path, "file,[b]place\na.txt,[red]Zone\x1b[31m\n")
    app = MarginApp(workspace, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        drawn = on_screen(app.screen.query_one(HeatTable))
        assert drawn[1][0].startswith("[red]Zone") and "\x1b" not in drawn[1][0]
        assert "by [b]place" in str(app.screen.query_one("#matrix-title").render())
    workspace.close()


async def test_transcripts_without_attributes_are_counted_by_speaker(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    notes = "Interview 4\n\nAna: How did you cross?\nBen: At night.\nIt took hours.\n\nAna: And after?\n"
    (folder / "notes.txt").write_text(notes, encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "annotations" / "annotations.json", author="t")
    crossing = workspace.create_theme("Crossing")
    [document] = workspace.documents
    for quote in ("How did you cross?", "At night", "And after?"):
        start = notes.index(quote)
        workspace.toggle_theme(document, start, start + len(quote), crossing)
    app = MarginApp(workspace, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await pilot.pause()
        drawn = on_screen(app.screen.query_one(HeatTable))
        assert drawn == [["Crossing"], ["Ana", "2"], ["Ben", "1"]]
        assert "by speaker" in str(app.screen.query_one("#matrix-title").render())
        await pilot.press("j", "enter")
        await pilot.pause()
        assert [p.quote for p in app.screen.query_one(PassageList).items] == ["At night"]
    workspace.close()
