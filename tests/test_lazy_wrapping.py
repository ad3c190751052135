"""The reader on a long document, where rows are wrapped only when they come into view:
highlights, selection and search far from anything wrapped yet, scrolling back up, and a
resize in the middle of a selection all behave exactly as on a short document."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reader import (
    SIZE,
    cell_style,
    make_app,
    search,
    status_of,
    view_of,
    visible_text,
    with_seed_codebook,
)

from tui.core.text import TextIndex
from tui.ui.layout import WrappedText
from tui.ui.widgets.document_view import GUTTER_WIDTH

FILLER = "Agents crossed the bridge at dawn. Officials compared notes on shelters and trade. " * 4


@pytest.fixture
def long_corpus(tmp_path: Path) -> Path:
    """One document of 400 paragraphs (about 150 KB, a dozen wrap blocks)."""
    folder = tmp_path / "long"
    folder.mkdir()
    paragraphs = [f"Paragraph {n} opens here. {FILLER.strip()}" for n in range(400)]
    paragraphs[350] = "Paragraph 350 opens here. The needle sentence is here. " + FILLER.strip()
    (folder / "long.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    with_seed_codebook(folder)
    return folder


def eager_rows_from(view, offset: int, count: int) -> list[str]:
    """``count`` rows from the one showing ``offset``, as wrapping the whole document at the
    view's width makes them."""
    text = view.document.text
    rows = WrappedText(text, TextIndex(text), view.layout_rows.width)
    rows.ensure(0, len(text))
    first = rows.row_of(offset)
    return [text[slice(*rows.row_span(row))] for row in range(first, min(first + count, rows.row_count))]


async def test_search_selection_and_tagging_where_nothing_was_wrapped(long_corpus: Path, tmp_path: Path) -> None:
    app = make_app(long_corpus, tmp_path / "db.json", panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        rows = view.layout_rows
        assert rows.wrapped_blocks < 3 < rows.block_count  # only the top was wrapped to paint it
        text = view.document.text
        needle = text.index("needle sentence")
        await search(pilot, "needle sentence")
        assert view.cursor == needle and "match 1/1" in status_of(app)
        assert "The needle sentence is here." in visible_text(view)
        await pilot.press("s", "1")  # the sentence, tagged with theme 1
        (annotation,) = app.workspace.annotations(view.document).items
        assert text[annotation.start:annotation.end] == "The needle sentence is here."
        await pilot.press("escape", "w")  # cursor off the passage, so the cell shows its colour
        tagged = cell_style(view, needle + 4).bgcolor
        assert tagged != cell_style(view, text.index("Paragraph 350")).bgcolor  # only the sentence has the colour
        assert rows.wrapped_blocks < rows.block_count  # the middle of the document stayed unwrapped


async def test_scrolling_up_from_the_end_shows_exact_rows(long_corpus: Path, tmp_path: Path) -> None:
    app = make_app(long_corpus, tmp_path / "db.json", panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.press("G")
        for _ in range(6):
            await pilot.press("pageup")
        await pilot.pause()
        top = view.scroll_offset.y
        height = view.scrollable_content_region.height
        expected = eager_rows_from(view, view.layout_rows.row_span(top)[0], height)
        shown = [line[GUTTER_WIDTH:].rstrip() for line in visible_text(view).splitlines()]
        assert shown == [row.rstrip() for row in expected]
        row, _ = view.layout_rows.column_of(view.cursor)
        assert top <= row < top + height  # the cursor is on screen


async def test_resize_in_the_middle_of_a_selection(long_corpus: Path, tmp_path: Path) -> None:
    app = make_app(long_corpus, tmp_path / "db.json", panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        text = view.document.text
        await search(pilot, "Paragraph 200 ")
        await pilot.press("v", *["w"] * 12)  # a selection across rows
        selection = view.selection
        assert selection is not None and selection.end - selection.start > 60
        before = view.layout_rows.row_count
        await pilot.resize_terminal(80, 30)
        await pilot.pause()
        assert view.selection == selection  # the same characters are selected
        assert view.layout_rows.width != 0 and view.layout_rows.row_count != before
        row, _ = view.layout_rows.column_of(view.cursor)
        assert view.scroll_offset.y <= row < view.scroll_offset.y + view.scrollable_content_region.height
        middle = (selection.start + selection.end) // 2
        assert cell_style(view, middle).reverse  # drawn as selected at the new width
        await pilot.press("w", "1")  # the selection still codes the same passage
        (annotation,) = app.workspace.annotations(view.document).items
        assert text[annotation.start:annotation.end].startswith("Paragraph 200 ")
