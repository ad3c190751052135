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
