"""Soft wrapping: rows partition the text, fit the width, and map cells to offsets and back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.text import TextIndex
from tui.ui.layout import WrappedText, cell_width

ALPHABET = st.sampled_from(list("abc de  \n\t,.") + ["国", "🌵", "é", "e\u0301", "\x1b"])


def wrap(text: str, width: int) -> WrappedText:
    """Every row wrapped, as after scrolling through the whole text."""
    rows = WrappedText(text, TextIndex(text), width)
    rows.ensure(0, len(text) + 1)
    return rows


class TinyBlocks(WrappedText):
    """Blocks of two lines or eight characters, so short texts span many lazily wrapped blocks."""

    BLOCK_LINES = 2
    BLOCK_CHARS = 8


def spans(rows: WrappedText) -> list[tuple[int, int, bool]]:
    return [(*rows.row_span(row), rows.ends_line(row)) for row in range(rows.row_count)]


LINES = st.lists(st.lists(ALPHABET.filter(lambda c: c != "\n"), max_size=40).map("".join), max_size=12).map("\n".join)


@settings(max_examples=200)
@given(LINES, st.integers(2, 20), st.lists(st.integers(0, 10_000), max_size=12))
def test_lazy_wrapping_in_any_order_agrees_with_wrapping_everything(text: str, width: int, probes) -> None:
    """Rows asked for in a random order (as a reader jumps around) are consistent at every
    step, and once everything is wrapped they are exactly the eager wrap's rows."""
    lazy = TinyBlocks(text, TextIndex(text), width)
    for probe in probes:
        offset = probe % (len(text) + 1)
        row, x = lazy.column_of(offset)
        start, end = lazy.row_span(row)
        assert start <= offset <= end
        landed = lazy.offset_at(row, x)
        assert landed == offset or cell_width(text[landed:offset]) == 0
        start, end = lazy.row_span(probe % lazy.row_count)
        assert 0 <= start <= end <= len(text)
    lazy.ensure(0, len(text) + 1)
    assert spans(lazy) == spans(wrap(text, width))


def test_only_the_rows_asked_for_are_wrapped() -> None:
    text = "\n".join(f"paragraph {n} " + "word " * 40 for n in range(2000))  # 2000 lines, ~420 KB
    rows = WrappedText(text, TextIndex(text), 60)
    estimate = rows.row_count
    middle = text.index("paragraph 1000 ")
    row = rows.row_of(middle)
    assert rows.row_span(row)[0] == middle
    assert rows.wrapped_blocks == 1 and rows.block_count > 25
    rows.ensure(0, rows.row_count)
    assert rows.wrapped_blocks == rows.block_count
    assert rows.row_count == wrap(text, 60).row_count != estimate  # estimates settle into exact counts
    assert rows.row_span(rows.row_of(middle))[0] == middle


@settings(max_examples=300)
@given(st.lists(ALPHABET, max_size=200).map("".join), st.integers(2, 30))
def test_rows_partition_the_text_and_fit(text: str, width: int) -> None:
    rows = wrap(text, width)
    covered = []
    for row in range(rows.row_count):
        start, end = rows.row_span(row)
        covered.append(text[start:end])
        if rows.ends_line(row) and end < len(text):
            covered.append("\n")
        shown = text[start:end]
        # A single wide character may exceed a 2-cell width on its own; anything else fits.
        assert cell_width(shown) <= width or len(shown) == 1
    assert "".join(covered) == text


@settings(max_examples=200)
@given(st.lists(ALPHABET, max_size=120).map("".join), st.integers(4, 30), st.data())
def test_offset_and_cell_round_trip(text: str, width: int, data) -> None:
    rows = wrap(text, width)
    offset = data.draw(st.integers(0, len(text)))
    row, x = rows.column_of(offset)
    landed = rows.offset_at(row, x)
    # Zero-width characters share a cell with the character before them.
    assert landed == offset or cell_width(text[landed:offset]) == 0


def test_words_break_at_spaces() -> None:
    text = "border security cooperation between agencies"
    rows = wrap(text, 17)
    assert [text[slice(*rows.row_span(r))] for r in range(rows.row_count)] == [
        "border security ",
        "cooperation ",
        "between agencies",
    ]


def test_last_row_of_a_line_leaves_a_cell_for_the_cursor() -> None:
    text = "between agencies"  # exactly 16 cells: the line's end would fall off a 16-cell row
    rows = wrap(text, 16)
    assert [text[slice(*rows.row_span(r))] for r in range(rows.row_count)] == ["between ", "agencies"]
    assert rows.column_of(len(text)) == (1, 8)


def test_long_word_is_cut() -> None:
    rows = wrap("x" * 25, 10)
    assert [rows.row_span(r) for r in range(rows.row_count)] == [(0, 10), (10, 20), (20, 25)]


def test_wide_characters_take_two_cells() -> None:
    text = "国境安全合作" * 3
    rows = wrap(text, 10)
    assert all(cell_width(text[slice(*rows.row_span(r))]) <= 10 for r in range(rows.row_count))
    assert rows.column_of(text.index("安", 1)) == (0, 4)
