"""Soft wrapping: rows partition the text, fit the width, and map cells to offsets and back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.text import TextIndex
from tui.ui.layout import WrappedText, cell_width

ALPHABET = st.sampled_from(list("abc de  \n\t,.") + ["国", "🌵", "é", "e\u0301", "\x1b"])


def wrap(text: str, width: int) -> WrappedText:
    return WrappedText(text, TextIndex(text), width)


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
