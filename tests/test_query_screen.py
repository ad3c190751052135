"""The query screen (Q) through the keyboard: run a query, jump to a result, code from query."""

from __future__ import annotations

from pathlib import Path

from test_reader import SIZE, make_app, tag_three_paragraphs, type_text, view_of
from textual.widgets import Input

from tui.ui.screens.query import PassageList, QueryScreen
from tui.ui.screens.theme_view import ThemeViewScreen


def rows(app) -> list[str]:
    results = app.screen.query_one(PassageList)
    return [results.render_line(y).text for y in range(len(results.items))]


async def run_query(pilot, app, source: str) -> None:
    field = app.screen.query_one("#query-input", Input)
    field.value = source
    field.focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_query_jump_and_code_from_query(corpus_dir: Path, database: Path) -> None:
    QueryScreen.last_query = ""
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)  # themes 1, 2, 1 on three paragraphs of document 000
        await pilot.press("Q")
        assert isinstance(app.screen, QueryScreen)
        await run_query(pilot, app, '"Human smuggling" AND')
        assert "expected a theme name in quotes at column 22" in str(app.screen.query_one("#query-status").content)
        await run_query(pilot, app, '"human" OR "arms"')
        found = rows(app)
        assert len(found) == 3 and "Human smuggling" in found[0] and "Arms trafficking" in found[1]
        assert "3 passages in 1 document" in str(app.screen.query_one("#query-status").content)
        await run_query(pilot, app, '"Arms trafficking"')
        assert len(rows(app)) == 1 and "Her promise" in rows(app)[0] and "Arms trafficking" in rows(app)[0]
        await pilot.press("ctrl+t")
        await type_text(pilot, "Promises")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThemeViewScreen)
        assert app.workspace.store.theme_named("Promises") is not None
        await pilot.press("escape", "ctrl+b")  # from the query screen, the browser on that theme
        await pilot.pause()
        from tui.ui.screens.browser import BrowserScreen
        from tui.ui.widgets.annotation_table import AnnotationTable

        assert isinstance(app.screen, BrowserScreen)
        assert [a.quote[:11] for a in app.screen.query_one(AnnotationTable).rows] == ["Her promise"]
        await pilot.press("escape", "ctrl+t")
        await type_text(pilot, "Promises")
        await pilot.press("enter")  # coding again adds nothing, and opens the theme view again
        await pilot.pause()
        assert isinstance(app.screen, ThemeViewScreen)
        await pilot.press("down", "enter")  # the theme view's passage: back in the reader, selected
        await pilot.pause()
        view = view_of(app)
        assert view.document.text[view.selection.start:view.selection.end].startswith("Her promise")
        await pilot.press("u")  # code from query is one undo step
        assert not any(app.workspace.store.theme_named("Promises").id in a.themes
                       for a in app.workspace.store.annotations.values())


async def test_attributes_in_the_document_list_and_edited_from_it(corpus_dir: Path, database: Path) -> None:
    (corpus_dir / "attributes.csv").write_text("file,agency\n000_2e8d550788efb0f9.txt,DHS\n", encoding="utf-8")
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        from tui.ui.widgets.document_list import DocumentList

        documents = app.screen.query_one(DocumentList)
        assert "DHS" in documents.render_line(0).text
        await pilot.press("o", "down", "A")
        await type_text(pilot, "agency=State")
        await pilot.press("enter")
        await pilot.pause()
        assert "State" in documents.render_line(1).text
        written = (corpus_dir / "attributes.csv").read_text(encoding="utf-8")
        assert written == "file,agency\n000_2e8d550788efb0f9.txt,DHS\n001_fbca61ee7d44385f.txt,State\n"
        await pilot.press("Q")
        await run_query(pilot, app, "agency=state")
        assert len(rows(app)) == 1 and "001" not in rows(app)[0]  # a whole document, by its title
