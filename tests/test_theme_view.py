"""The theme view: a theme's passages by document, two columns side by side, Enter jumps."""

from __future__ import annotations

from pathlib import Path

from test_reader import SIZE, make_app, option_texts, search, tag_three_paragraphs, type_text, view_of

from tui.ui.screens.theme_view import ThemeColumn, ThemeViewScreen


def column_text(column: ThemeColumn) -> list[str]:
    return option_texts(column.query_one("OptionList"))


async def test_theme_view_groups_compares_and_jumps(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)
        await pilot.press("tab", "o", "down", "down", "enter")  # second pane: document 002
        await search(pilot, "OASISS promotes")
        await pilot.press("s", "1")
        await pilot.press("T")  # on a passage of Human smuggling
        assert isinstance(app.screen, ThemeViewScreen)
        (column,) = app.screen.query(ThemeColumn)
        lines = column_text(column)
        titles = [line for line in lines if "…" not in line]
        assert titles == [app.workspace.documents[0].title, app.workspace.documents[2].title]
        assert sum("Greetings from" in line or "During the President" in line for line in lines) == 2
        assert "3 passages · all documents" in str(column.query_one(".theme-column-title").content)

        await pilot.press("2", "t")  # a second column, showing Arms trafficking
        await type_text(pilot, "Arms")
        await pilot.press("enter")
        left, right = app.screen.query(ThemeColumn)
        assert right.theme.name == "Arms trafficking" and "Her promise" in "".join(column_text(right))
        await pilot.press("tab", "right_square_bracket")  # left column: first document only
        assert left.document is app.workspace.documents[0]
        assert "2 passages" in str(left.query_one(".theme-column-title").content)

        await pilot.press("down", "enter")  # jump to the first passage of the left column
        view = view_of(app, 1)
        assert view.document is app.workspace.documents[0]
        assert view.document.text[view.selection.start : view.selection.end].startswith("Greetings")


async def test_a_parent_theme_shows_the_passages_of_its_whole_subtree(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)  # two passages on Human smuggling, one on Arms trafficking
        workspace = app.workspace
        security = workspace.create_theme("Security")
        workspace.set_parent(workspace.theme_for_key(1), security)
        workspace.set_parent(workspace.theme_for_key(2), workspace.theme_for_key(1))
        await app.push_screen(ThemeViewScreen(workspace, workspace.theme(security.id)))
        await pilot.pause()
        (column,) = app.screen.query(ThemeColumn)
        title = str(column.query_one(".theme-column-title").content)
        assert "Security  3 passages with sub-themes (0 its own) · all documents" in title
        lines = column_text(column)
        assert sum(line.startswith("▌Human smuggling\n") for line in lines) == 2
        assert sum(line.startswith("▌Human smuggling › Arms trafficking\n") for line in lines) == 1
