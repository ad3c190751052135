"""Soft-wrapping a document into screen rows, and mapping offsets to cells and back.

Rows partition the text: every character belongs to exactly one row (a break space stays at
the end of the row it ends), so a highlight, the cursor or a selection maps to rows without
any special case. A row is at most ``width`` cells; the last row of a line is shorter than
``width`` so the cursor can sit on the line's end.
"""

from __future__ import annotations

import bisect
from array import array
from functools import lru_cache

from rich.cells import get_character_cell_size

from ..core.text import TextIndex

TAB_WIDTH = 4


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Cells a character takes on screen; control characters show as one-cell stand-ins."""
    if char == "\t":
        return TAB_WIDTH
    if char < " " or "\x7f" <= char < "\xa0":
        return 1
    return get_character_cell_size(char)


def cell_width(text: str) -> int:
    if text.isascii() and "\t" not in text:
        return len(text)
    return sum(char_width(char) for char in text)


class WrappedText:
    """The rows of one text at one width, each a ``[start, end)`` span of offsets."""

    def __init__(self, text: str, index: TextIndex, width: int) -> None:
        self.text = text
        self.width = max(2, width)
        self.row_starts = array("q")
        self.row_ends = array("q")
        for number in range(index.line_count):
            self._wrap_line(index.line_starts[number], index.line_end(number))

    @property
    def row_count(self) -> int:
        return len(self.row_starts)

    def _add(self, start: int, end: int) -> None:
        self.row_starts.append(start)
        self.row_ends.append(end)

    def _wrap_line(self, start: int, end: int) -> None:
        text, width = self.text, self.width
        line = text[start:end]
        if line.isascii() and "\t" not in line:
            position = start
            while end - position >= width:
                space = text.rfind(" ", position, position + width)
                cut = space + 1 if space > position else position + width
                self._add(position, cut)
                position = cut
            self._add(position, end)
            return
        self._wrap_wide(start, end)

    def _wrap_wide(self, start: int, end: int) -> None:
        """Greedy wrap measuring each character's cells (CJK, emoji, tabs, combining marks)."""
        text, width = self.text, self.width
        row_start, used, last_break = start, 0, -1
        position = start
        while position < end:
            cells = char_width(text[position])
            if used + cells > width - (0 if position + 1 < end else 1) and position > row_start:
                cut = last_break + 1 if last_break >= row_start else position
                self._add(row_start, cut)
                row_start, used, last_break = cut, 0, -1
                position = cut
                continue
            if text[position].isspace():
                last_break = position
            used += cells
            position += 1
        self._add(row_start, end)

    def row_of(self, offset: int) -> int:
        """The row showing ``offset`` (a line's end shows on that line's last row)."""
        return max(0, bisect.bisect_right(self.row_starts, offset) - 1)

    def row_span(self, row: int) -> tuple[int, int]:
        return self.row_starts[row], self.row_ends[row]

    def ends_line(self, row: int) -> bool:
        """Whether ``row`` is its line's last: the next row starts past a newline, not at it."""
        return row + 1 >= self.row_count or self.row_starts[row + 1] > self.row_ends[row]

    def last_offset_in_row(self, row: int) -> int:
        """Where the cursor stops at the row's right end."""
        start, end = self.row_span(row)
        return end if self.ends_line(row) else max(start, end - 1)

    def column_of(self, offset: int) -> tuple[int, int]:
        """``(row, cell x)`` of ``offset``."""
        row = self.row_of(offset)
        return row, cell_width(self.text[self.row_starts[row] : offset])

    def offset_at(self, row: int, x: int) -> int:
        """The offset of the character drawn at cell ``x`` of ``row`` (clamped to the row)."""
        row = min(max(row, 0), self.row_count - 1)
        start = self.row_starts[row]
        last = self.last_offset_in_row(row)
        used = 0
        for position in range(start, last):
            used += char_width(self.text[position])
            if used > x:
                return position
        return last
