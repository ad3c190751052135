"""Margin at 80×24: two panes with room to read, and a key that gives the list's columns to them."""

from __future__ import annotations

from pathlib import Path

from test_reader import make_app, view_of, visible_text

from tui.ui.widgets.document_list import DocumentList

SMALL = (80, 24)


async def test_two_panes_are_readable_and_backslash_hides_the_document_list(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SMALL) as pilot:
        document_list = app.screen.query_one(DocumentList)
        assert 18 <= document_list.outer_size.width <= 20  # a share of the width, not a fixed 30
        left, right = view_of(app, 0), view_of(app, 1)
        assert left.text_width >= 24 and right.text_width >= 24
        assert "Strengthening DHS" in visible_text(left) or "Greetings" in visible_text(left)

        await pilot.press("backslash")
        assert not document_list.display and left.has_focus
        assert left.text_width >= 33 and right.text_width >= 33
        assert "Greetings" in visible_text(left)  # rewrapped to the new width

        await pilot.press("backslash")
        assert document_list.display and document_list.outer_size.width >= 18
        await pilot.press("backslash", "o")  # o brings the hidden list back, to choose from it
        assert document_list.display and document_list.has_focus
        await pilot.press("backslash")  # hiding the focused list gives the focus back to the pane
        assert not document_list.display and left.has_focus


async def footer_on_screen(pilot) -> list[str]:
    """What the active screen's footer shows wholly inside the terminal, entry by entry (a
    key and its description, or a group's keys and then its label), once it has its keys."""
    app = pilot.app
    for _ in range(20):  # the footer lays its keys out a refresh or two after the screen
        await pilot.pause()
        shown = [str(item.render()).strip() for item in app.screen.query("FooterKey, FooterLabel")
                 if item.display and item.region.width and item.region.right <= app.size.width]
        if shown:
            return shown
    return []


async def test_at_80_columns_the_reader_footer_shows_the_coding_keys_help_and_quit(
        corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SMALL) as pilot:
        shown = await footer_on_screen(pilot)
        for entry in ("Select", "/ Search", "t Theme", "x Remove", "a Annotations", "m Memo", "? Help", "q Quit"):
            assert entry in shown, (entry, shown)
        await pilot.press("T", "enter")  # the theme view's footer: its keys and help
        shown = await footer_on_screen(pilot)
        assert "? Help" in shown and "Next / previous document" in shown, shown
