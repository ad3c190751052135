"""Coding stripes: lanes for overlapping passages, names where they start, shown only when wide."""

from __future__ import annotations

import time
from pathlib import Path

from rich.style import Style

from tui.core import Workspace
from tui.ui.app import MarginApp
from tui.ui.widgets.coding_stripes import (
    BAR,
    BAR_BOTTOM,
    BAR_SINGLE,
    BAR_TOP,
    CodingStripes,
    Passage,
    assign_lanes,
    lay_out_stripes,
)
from tui.ui.widgets.document_pane import DocumentPane


def test_overlapping_spans_take_separate_lanes_and_later_ones_reuse_freed_lanes() -> None:
    #          0       1       2        3         4
    spans = [(0, 4), (2, 6), (5, 8), (3, 3), (7, 9)]
    lanes = assign_lanes(spans)
    assert lanes[0] != lanes[1]
    assert lanes[2] == lanes[0]  # (0, 4) ended before row 5
    assert lanes[3] not in (lanes[0], lanes[1])  # row 3 is under two passages already
    for i, (top, bottom) in enumerate(spans):
        for j, (other_top, other_bottom) in enumerate(spans):
            if i != j and top <= other_bottom and other_top <= bottom:
                assert lanes[i] != lanes[j]
    assert max(lanes) + 1 == 3  # as few lanes as the deepest overlap


def test_longer_passages_take_the_outer_lane_on_a_tie() -> None:
    assert assign_lanes([(0, 1), (0, 9)]) == [1, 0]


def test_passages_cut_off_at_the_top_keep_their_order_of_start() -> None:
    early_short, later_long = Passage(-1, 10, "#ff0000", "a", start=100), Passage(-1, 20, "#00ff00", "b", start=200)
    rows = lay_out_stripes([later_long, early_short], first_row=0, height=5)
    assert rows[0].bars == [(BAR, "#ff0000"), (BAR, "#00ff00")]  # as when both tops were on screen


def test_rows_show_bars_and_names_where_passages_start() -> None:
    red = Passage(2, 5, "#ff0000", "Human smuggling")
    green = Passage(2, 5, "#00ff00", "Migrant safety")  # the same passage's second theme
    blue = Passage(7, 7, "#0000ff", "Arms")
    rows = lay_out_stripes([red, green, blue], first_row=0, height=10)
    assert rows[0].bars == [None, None] and rows[0].names == []
    assert rows[2].bars == [(BAR_TOP, "#ff0000"), (BAR_TOP, "#00ff00")]
    assert rows[3].bars == [(BAR, "#ff0000"), (BAR, "#00ff00")]
    assert rows[5].bars == [(BAR_BOTTOM, "#ff0000"), (BAR_BOTTOM, "#00ff00")]
    assert rows[2].names == [("Human smuggling", "#ff0000")]
    assert rows[3].names == [("Migrant safety", "#00ff00")]  # the next free row of its passage
    assert rows[7].bars[0] == (BAR_SINGLE, "#0000ff") and rows[7].names == [("Arms", "#0000ff")]


def test_a_passage_starting_above_the_view_is_named_on_its_top_row() -> None:
    long = Passage(0, 100, "#ff0000", "Long")
    rows = lay_out_stripes([long, Passage(200, 210, "#00ff00", "Below")], first_row=50, height=5)
    assert len(rows) == 5
    assert rows[0].names == [("Long", "#ff0000")]
    assert all(row.bars == [(BAR, "#ff0000")] for row in rows)  # continues above and below


def test_names_with_no_free_row_share_the_first_and_lanes_are_capped() -> None:
    passages = [Passage(0, 0, f"#00000{n}", f"t{n}") for n in range(4)]
    rows = lay_out_stripes(passages, first_row=0, height=3, max_lanes=2)
    assert len(rows[0].bars) == 2
    assert [name for name, _ in rows[0].names] == ["t0", "t1", "t2", "t3"]


def test_laying_out_a_dense_screen_is_fast() -> None:
    passages = [Passage(row, row + length, "#ff0000", "x") for row in range(0, 40) for length in range(1, 30, 3)]
    started = time.perf_counter()
    lay_out_stripes(passages, first_row=5, height=40)
    assert time.perf_counter() - started < 0.05


# -- in the app --------------------------------------------------------------------------------

def make_app(corpus_dir: Path, database: Path) -> MarginApp:
    return MarginApp(Workspace.open([corpus_dir], database=database, author="tester"))


async def tag_overlapping_passages(pilot) -> None:
    """A sentence with themes 1 and 3, then from its middle into the next paragraph with
    theme 2: three stripes, two lanes of them overlapping the third."""
    for key in ("slash", *"pledged", "enter", "s", "1", "3",
                "slash", *"reigns", "enter", "v", "right_curly_bracket", "j", "j", "2"):
        await pilot.press(key)
    await pilot.pause()


def stripe_lines(app: MarginApp) -> list[tuple[str, list]]:
    stripes = app.screen.query(DocumentPane)[0].stripes
    return [(strip.text, list(strip)) for strip in (stripes.render_line(y) for y in range(stripes.size.height))]


def colour_of(segments, word: str):
    position = 0
    for segment in segments:
        if word in segment.text:
            return segment.style.color
        position += len(segment.text)
    raise AssertionError(f"{word} not drawn")


async def test_stripes_name_overlapping_themes_in_their_rows_and_colours(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=(160, 48)) as pilot:
        await tag_overlapping_passages(pilot)
        pane = app.screen.query(DocumentPane)[0]
        assert pane.has_class("-stripes") and pane.stripes.display
        view = pane.view
        workspace = app.workspace
        rows = view.layout_rows
        top = view.scroll_offset.y
        sentence, paragraph = workspace.annotations(pane.document).items  # in document order
        lines = stripe_lines(app)
        themes = {theme.name: theme for theme in workspace.themes}
        expected = {"Human smuggling": sentence, "Migrant safety": sentence, "Arms trafficking": paragraph}
        for name, annotation in expected.items():
            found = [y for y, (text, _) in enumerate(lines) if name in text]
            assert found, f"{name} not in the stripes"
            y = found[0]
            assert rows.row_of(annotation.start) - top <= y <= rows.row_of(annotation.end - 1) - top
            assert colour_of(lines[y][1], name) == Style(color=themes[name].color).color
        # Every row the paragraph covers has a bar in its colour.
        arms = Style(color=themes["Arms trafficking"].color).color
        for row in range(rows.row_of(paragraph.start), rows.row_of(paragraph.end - 1) + 1):
            assert any(segment.style and segment.style.color == arms and segment.text.strip()
                       for segment in lines[row - top][1])
        # Scrolling moves the stripes with the text.
        await pilot.press("ctrl+d")
        await pilot.pause()
        scrolled = view.scroll_offset.y
        assert scrolled > top
        shifted = stripe_lines(app)
        bars = [y for y, (text, _) in enumerate(shifted) if text.strip()]
        first_bar = [y for y, (text, _) in enumerate(lines) if text.strip()][0]
        assert bars and bars[0] == max(0, first_bar - (scrolled - top))
        if first_bar < scrolled - top:  # the passage began above the view: its bar goes on
            assert shifted[0][0].strip()[0] == BAR


async def test_stripes_are_hidden_on_a_narrow_terminal_and_return_when_wide(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=(100, 30)) as pilot:
        await tag_overlapping_passages(pilot)
        for pane in app.screen.query(DocumentPane):
            assert not pane.has_class("-stripes")
            assert not pane.stripes.display
            assert pane.stripes.size.width == 0
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert all(pane.stripes.display for pane in app.screen.query(DocumentPane))
        assert any("Human smuggling" in text for text, _ in stripe_lines(app))
        await pilot.press("plus")  # three panes at 160 columns: each too narrow
        await pilot.pause()
        assert not any(pane.stripes.display for pane in app.screen.query(DocumentPane))


async def test_theme_names_are_shown_literally(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=(160, 48)) as pilot:
        theme = app.workspace.create_theme("[bold]x\x1b[31m")
        pane = app.screen.query(DocumentPane)[0]
        app.workspace.toggle_theme(pane.document, 0, 10, theme)
        pane.view.notify_annotations_changed()
        await pilot.pause()
        texts = [text for text, _ in stripe_lines(app)]
        assert any("[bold]x␛[31m" in text for text in texts)
        assert isinstance(pane.stripes, CodingStripes)


async def test_stripes_ask_the_interval_index_for_the_rows_on_screen_only(
        corpus_dir: Path, database: Path, monkeypatch) -> None:
    """Laying out stripes costs the passages on screen: one overlap query over the visible
    offsets, never a walk over the document's annotations."""
    from tui.core.interval_index import DocumentAnnotations

    app = make_app(corpus_dir, database)
    async with app.run_test(size=(160, 48)) as pilot:
        await tag_overlapping_passages(pilot)
        pane = app.screen.query(DocumentPane)[0]
        asked: list[tuple[int, int]] = []
        overlapping = DocumentAnnotations.overlapping

        def spy(self, start: int, end: int):
            asked.append((start, end))
            return overlapping(self, start, end)

        monkeypatch.setattr(DocumentAnnotations, "overlapping", spy)
        pane.stripes.follow(pane.view)
        pane.stripes.render_line(0)
        first, last = pane.view.shown_rows
        rows = pane.view.layout_rows
        assert asked == [(rows.row_start(first), rows.row_span(last)[1] + rows.ends_line(last))]
