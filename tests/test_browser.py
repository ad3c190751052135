"""The annotation browser through the keyboard: filter, sort, jump, themes, memo, delete."""

from __future__ import annotations

from pathlib import Path

from test_reader import SIZE, make_app, tag_three_paragraphs, type_text, view_of
from tinydb import TinyDB

from tui.ui.screens.browser import BrowserScreen
from tui.ui.widgets.annotation_table import AnnotationTable


def table_rows(app) -> list[str]:
    table = app.screen.query_one(AnnotationTable)
    return [table.render_line(y).text for y in range(len(table.rows))]


async def test_filter_sort_and_jump(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)
        await pilot.press("tab")  # the other pane will receive the jump
        await pilot.press("a")
        assert isinstance(app.screen, BrowserScreen)
        rows = table_rows(app)
        assert len(rows) == 3 and "Greetings from the Department" in rows[0]
        assert "Strengthening DHS" in rows[0] and "tester" in rows[0]
        await type_text(pilot, "theme:arms")
        assert len(table_rows(app)) == 1 and "Her promise" in table_rows(app)[0]
        assert "1 annotation of 3" in str(app.screen.query_one("#browser-status").content)
        await pilot.press("enter")
        assert not isinstance(app.screen, BrowserScreen)
        view = view_of(app, 1)
        assert view.has_focus and view.document.path.name.startswith("000")
        assert view.document.text[view.selection.start : view.selection.end].startswith("Her promise")

        await pilot.press("a", "ctrl+o")  # newest first: the last tag leads
        assert "newest first" in str(app.screen.query_one("#browser-status").content)
        assert "During the President" in table_rows(app)[0]


async def test_edit_themes_memo_and_delete_from_the_list(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)
        await pilot.press("a")
        await type_text(pilot, "promise")
        await pilot.press("down")  # into the list: letters are commands now
        await pilot.press("t")
        await type_text(pilot, "Migrant")
        await pilot.press("enter")
        await pilot.press("m")
        await type_text(pilot, "key passage")
        await pilot.press("ctrl+s")
        (row,) = table_rows(app)
        assert "✎ key passage" in row
        await pilot.press("x")
        assert table_rows(app) == []
        await pilot.press("escape")
        assert len(app.workspace.store.annotations) == 2
    saved = TinyDB(database).table("annotations").all()
    assert len(saved) == 2 and all("Her promise" not in record["quote"] for record in saved)


async def test_a_long_list_is_virtual_not_a_widget_per_row(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    workspace = app.workspace
    document = workspace.documents[4]
    with workspace.store.batch():
        for start in range(3000):
            workspace.toggle_theme(document, start, start + 5, workspace.themes[start % 3])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        table = app.screen.query_one(AnnotationTable)
        assert len(table.rows) == 3000 and len(list(app.screen.query("*"))) < 40
        await pilot.press("down", "end")
        assert table.highlighted == 2999
        assert str(3000) in str(app.screen.query_one("#browser-status").content)


async def test_the_highlighted_annotation_shows_its_themes_with_their_path(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    workspace = app.workspace
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)
        contraband = workspace.create_theme("Contraband")
        workspace.set_parent(workspace.themes[1], contraband)  # Arms trafficking
        workspace.set_parent(workspace.theme(contraband.id), workspace.create_theme("Security"))
        await pilot.press("a", "down", "down")  # the second row: Her promise, Arms trafficking
        assert "Security › Contraband › Arms trafficking" in str(app.screen.query_one("#browser-themes").content)
        app.screen.query_one("#browser-filter").focus()
        await type_text(pilot, "theme:security")  # found by a name on its path
        assert "1 annotation of 3" in str(app.screen.query_one("#browser-status").content)


async def test_rows_name_their_themes_and_use_the_width_there_is(corpus_dir: Path, database: Path) -> None:
    for width in (80, 160):
        app = make_app(corpus_dir, database)
        async with app.run_test(size=(width, 24)) as pilot:
            if width == 80:
                await tag_three_paragraphs(pilot)
                (greetings,) = app.workspace.find_annotations("greetings")
                app.workspace.toggle_theme(app.workspace.documents[0], greetings.start, greetings.end,
                                           app.workspace.themes[2])
            await pilot.press("a")
            await type_text(pilot, '"greetings from" theme:smug')
            (row,) = table_rows(app)
            table = app.screen.query_one(AnnotationTable)
            assert len(row) == table.scrollable_content_region.width >= width - 2
            segment = next(s for s in table.render_line(0) if s.text.startswith("Human smuggl"))
            assert segment.style.color.name == app.workspace.themes[0].color
            if width == 80:  # names and quote cut to their columns, with an ellipsis
                assert row.startswith("Human smugglin… ") and "Greetings from the Department of Home… " in row
            else:
                assert row.startswith("Human smuggling, Migrant safety ") and "tester" in row
                assert "Greetings from the Department of Homeland Security - " in row
            await pilot.press("escape", "q")
