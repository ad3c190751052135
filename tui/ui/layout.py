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

from ..core.text import BIDI_CONTROLS, TextIndex

TAB_WIDTH = 4


@lru_cache(maxsize=4096)
def char_width(char: str) -> int:
    """Cells a character takes on screen; control and bidi characters show as one-cell stand-ins."""
    if char == "\t":
        return TAB_WIDTH
    if char < " " or "\x7f" <= char < "\xa0" or char in BIDI_CONTROLS:
        return 1
    return get_character_cell_size(char)


def cell_width(text: str) -> int:
    if text.isascii() and "\t" not in text:
        return len(text)
    return sum(char_width(char) for char in text)


class WrappedText:
    """The rows of one text at one width, each a ``[start, end)`` span of offsets.

    Wrapping is lazy. The text's lines are grouped into blocks (at most ``BLOCK_LINES`` lines
    and about ``BLOCK_CHARS`` characters); a block is wrapped, exactly, the first time one of
    its rows is asked for, and until then counts an estimate of its rows. So opening a 10 MB
    document or resizing the terminal wraps only what is on screen, and a row number is
    always exact relative to the blocks before it that have been wrapped.

    Wrapping a block whose estimate was wrong moves the rows after it. ``ensure`` wraps every
    block of a row range at once, so a view can settle the rows it is about to show (and the
    rows above its cursor) before it draws or scrolls; ``generation`` counts such changes.
    """

    BLOCK_LINES = 64
    BLOCK_CHARS = 16_384

    def __init__(self, text: str, index: TextIndex, width: int) -> None:
        self.text = text
        self.width = max(2, width)
        self._line_starts = index.line_starts
        self._line_end = index.line_end
        # Block b covers lines [block_lines[b], block_lines[b + 1]).
        starts = self._line_starts
        block_lines = [0]
        while block_lines[-1] < len(starts):
            first = block_lines[-1]
            by_chars = bisect.bisect_right(starts, starts[first] + self.BLOCK_CHARS, lo=first + 1)
            block_lines.append(min(first + self.BLOCK_LINES, by_chars))
        self._block_lines = block_lines
        self._block_starts = [starts[line] for line in block_lines[:-1]]  # first offset of each block
        self._rows: list[tuple[array, array] | None] = [None] * (len(block_lines) - 1)
        self._counts = [self._estimate(block) for block in range(len(self._rows))]
        self._first_rows: list[int] = []
        self._stale_from = 0  # first block whose entry in _first_rows is out of date
        self.row_count = sum(self._counts)
        self.generation = 0

    def _estimate(self, block: int) -> int:
        lines = self._block_lines[block + 1] - self._block_lines[block]
        end = self._line_end(self._block_lines[block + 1] - 1)
        return lines + (end - self._block_starts[block]) // self.width

    @property
    def block_count(self) -> int:
        return len(self._rows)

    @property
    def wrapped_blocks(self) -> int:
        """How many blocks have been wrapped: what laziness saved is the rest."""
        return sum(rows is not None for rows in self._rows)

    # -- blocks ------------------------------------------------------------------------------

    def _first_row(self, block: int) -> int:
        if self._stale_from <= block:
            first_rows, counts = self._first_rows, self._counts
            del first_rows[self._stale_from:]
            row = first_rows[-1] + counts[len(first_rows) - 1] if first_rows else 0
            for index in range(len(first_rows), len(counts)):
                first_rows.append(row)
                row += counts[index]
            self._stale_from = len(counts)
        return self._first_rows[block]

    def _block_at_row(self, row: int) -> int:
        """The block holding ``row`` (wrapped, so the answer is exact)."""
        row = min(max(row, 0), self.row_count - 1)
        while True:
            self._first_row(len(self._counts) - 1)  # bring every first row up to date
            block = bisect.bisect_right(self._first_rows, row) - 1
            if self._rows[block] is not None:
                return block
            self._wrap_block(block)
            row = min(row, self.row_count - 1)

    def _block_of_offset(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._block_starts, offset) - 1)

    def _wrap_block(self, block: int) -> None:
        starts, ends = array("q"), array("q")
        self._starts, self._ends = starts, ends
        for line in range(self._block_lines[block], self._block_lines[block + 1]):
            self._wrap_line(self._line_starts[line], self._line_end(line))
        self._rows[block] = (starts, ends)
        delta = len(starts) - self._counts[block]
        if delta:
            self._counts[block] = len(starts)
            self.row_count += delta
            self._stale_from = min(self._stale_from, block + 1)
            self.generation += 1

    def ensure(self, first_row: int, last_row: int) -> None:
        """Wrap every block showing a row in ``[first_row, last_row]``, as those rows stand
        once the blocks are wrapped."""
        row = max(0, first_row)
        while row <= min(last_row, self.row_count - 1):
            block = self._block_at_row(row)
            row = self._first_row(block) + self._counts[block]

    # -- wrapping one line ---------------------------------------------------------------------

    def _add(self, start: int, end: int) -> None:
        self._starts.append(start)
        self._ends.append(end)

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

    # -- rows --------------------------------------------------------------------------------

    def row_of(self, offset: int) -> int:
        """The row showing ``offset`` (a line's end shows on that line's last row)."""
        block = self._block_of_offset(offset)
        if self._rows[block] is None:
            self._wrap_block(block)
        starts, _ = self._rows[block]
        return self._first_row(block) + max(0, bisect.bisect_right(starts, offset) - 1)

    def row_span(self, row: int) -> tuple[int, int]:
        block = self._block_at_row(row)
        starts, ends = self._rows[block]
        local = min(max(row, 0), self.row_count - 1) - self._first_row(block)
        return starts[local], ends[local]

    def ends_line(self, row: int) -> bool:
        """Whether ``row`` is its line's last: the next row starts past a newline, not at it.
        Blocks hold whole lines, so a block's last row always ends its line."""
        block = self._block_at_row(row)
        starts, ends = self._rows[block]
        local = row - self._first_row(block)
        return local + 1 >= len(starts) or starts[local + 1] > ends[local]

    def row_start(self, row: int) -> int:
        return self.row_span(row)[0]

    def last_offset_in_row(self, row: int) -> int:
        """Where the cursor stops at the row's right end."""
        start, end = self.row_span(row)
        return end if self.ends_line(row) else max(start, end - 1)

    def column_of(self, offset: int) -> tuple[int, int]:
        """``(row, cell x)`` of ``offset``."""
        row = self.row_of(offset)
        return row, cell_width(self.text[self.row_start(row) : offset])

    def offset_at(self, row: int, x: int) -> int:
        """The offset of the character drawn at cell ``x`` of ``row`` (clamped to the row)."""
        row = min(max(row, 0), self.row_count - 1)
        start = self.row_start(row)
        last = self.last_offset_in_row(row)
        used = 0
        for position in range(start, last):
            used += char_width(self.text[position])
            if used > x:
                return position
        return last
