"""Coding stripes: beside a reading view, a bar per coded passage and theme, named in its colour.

Like the coding stripes of NVivo and QualCoder: each (passage, theme) on screen is a vertical
bar in the theme's colour spanning the rows the passage covers; overlapping passages take
separate bars (lanes), and each bar's theme is named on its first row on screen. The layout is
a pure function (``lay_out_stripes``) of row spans, so it is tested without a screen.

It is a Line-API widget kept in step with its ``DocumentView``: the view posts ``RowsShown``
when the rows on screen change (a scroll, a new wrap, other annotations), the pane calls
``follow``, and only the visible rows are computed, from the annotations overlapping them
(the workspace's interval index), never from a scan of the document's annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from ...core import Workspace
from ...core.text import displayable
from .document_view import DocumentView

MAX_LANES = 6  # bars side by side; passages in further lanes are named but get no bar

BAR, BAR_TOP, BAR_BOTTOM, BAR_SINGLE = "┃", "╻", "╹", "•"


@dataclass(frozen=True)
class Passage:
    """A passage coded with one theme, as rows: ``top`` and ``bottom`` are inclusive and may
    lie outside the rows shown (the passage starts above or ends below the view)."""

    top: int
    bottom: int
    colour: str
    name: str
    start: int = 0  # the passage's first offset: orders passages that both begin above the view


@dataclass
class StripeRow:
    """One screen row of stripes: a bar character and colour per lane (None: no bar), and
    the names written on this row, in their colours."""

    bars: list[tuple[str, str] | None]
    names: list[tuple[str, str]]


def assign_lanes(spans: Sequence[tuple[int, int]], starts: Sequence[int] | None = None) -> list[int]:
    """Greedy interval colouring: the lane of each ``(top, bottom)`` span (inclusive rows),
    taken by start row (then by ``starts``, then longer first) into the lowest lane free since
    before its top. Spans sharing a row never share a lane; the lanes used are as few as the
    deepest overlap. ``starts`` (offsets) keeps passages cut off at the same top row in the
    order they had before, so their bars do not swap columns as the view scrolls."""
    starts = starts or [0] * len(spans)
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], starts[i], -spans[i][1], i))
    lane_ends: list[int] = []  # the last row taken in each lane
    lanes = [0] * len(spans)
    for index in order:
        top, bottom = spans[index]
        lane = next((number for number, end in enumerate(lane_ends) if end < top), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(bottom)
        else:
            lane_ends[lane] = bottom
        lanes[index] = lane
    return lanes


def lay_out_stripes(passages: Sequence[Passage], first_row: int, height: int,
                    max_lanes: int = MAX_LANES) -> list[StripeRow]:
    """The stripes of rows ``first_row`` … ``first_row + height - 1``.

    Each passage is clipped to those rows and gets a lane (``assign_lanes``). Its name goes on
    its first row on screen or, if another name is there, on the next free row it covers; a
    passage with no free row left adds its name to its first row's.
    """
    last_row = first_row + height - 1
    shown = [p for p in passages if p.bottom >= first_row and p.top <= last_row]
    spans = [(max(p.top, first_row) - first_row, min(p.bottom, last_row) - first_row) for p in shown]
    lanes = assign_lanes(spans, [p.start for p in shown])
    lane_count = min(max_lanes, max(lanes, default=-1) + 1)
    rows = [StripeRow([None] * lane_count, []) for _ in range(max(0, height))]
    free = list(range(height + 1))  # free[y]: the first row at or after y with no name (union-find)

    def next_free(y: int) -> int:
        root = y
        while free[root] != root:
            root = free[root]
        while free[y] != root:
            free[y], y = root, free[y]
        return root

    for index in sorted(range(len(shown)), key=lambda i: (spans[i][0], lanes[i])):
        passage, (top, bottom), lane = shown[index], spans[index], lanes[index]
        if lane < lane_count:
            for y in range(top, bottom + 1):
                starts, ends = passage.top == first_row + y, passage.bottom == first_row + y
                bar = BAR_SINGLE if starts and ends else BAR_TOP if starts else BAR_BOTTOM if ends else BAR
                rows[y].bars[lane] = (bar, passage.colour)
        y = next_free(top)
        if y <= bottom:
            free[y] = y + 1
            rows[y].names.append((passage.name, passage.colour))
        else:
            rows[top].names.append((passage.name, passage.colour))
    return rows


class CodingStripes(Widget):
    """The stripes of the passages a ``DocumentView`` shows, row for row beside it."""

    def __init__(self, workspace: Workspace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace
        self.view: DocumentView | None = None
        self._rows: list[StripeRow] | None = None  # the layout of the rows on screen, made on demand
        self._base = Style()  # the widget's style, and each colour over it, taken with the layout
        self._styles: dict[tuple[str, bool], Style] = {}

    def follow(self, view: DocumentView) -> None:
        """The view's rows (or their annotations) changed: lay the stripes out again."""
        self.view = view
        self._rows = None
        self.refresh()

    def on_resize(self) -> None:
        self._rows = None

    def passages(self) -> list[Passage]:
        """Each (annotation, theme) overlapping the view's rows, as rows; O(annotations on
        screen) with the workspace's interval index."""
        view = self.view
        if view is None or not view.document.loaded or view.document.problem:
            return []
        first, last = view.shown_rows
        if last < first:
            return []
        rows = view.layout_rows
        start = rows.row_start(first)
        end = rows.row_span(last)[1] + rows.ends_line(last)  # a line's last row owns its newline
        passages = []
        for annotation in self.workspace.annotations(view.document).overlapping(start, end):
            # Beyond the rows shown, one row past is enough: the bar goes on past the edge.
            top = first - 1 if annotation.start < start else rows.row_of(annotation.start)
            last_offset = max(annotation.start, annotation.end - 1)
            bottom = last + 1 if annotation.end > end else rows.row_of(last_offset)
            for theme in filter(None, map(self.workspace.theme, annotation.themes)):
                passages.append(Passage(top, bottom, theme.color, displayable(theme.name), annotation.start))
        return passages

    def _laid_out(self) -> list[StripeRow]:
        if self._rows is None:
            view = self.view
            if view is None or not view.document.loaded or view.document.problem:
                self._rows = []
            else:
                first, _ = view.shown_rows
                lanes = max(1, min(MAX_LANES, (self.size.width - 2) // 3))
                self._rows = lay_out_stripes(self.passages(), first, self.size.height, lanes)
            self._base = self.rich_style
            self._styles = {}
        return self._rows

    def render_line(self, y: int) -> Strip:
        """A row as segments straight from the layout: the stripes repaint with every scroll,
        so no markup, no ``Text`` and no per-row style lookups."""
        width = self.size.width
        rows = self._laid_out()
        base = self._base
        if y >= len(rows):
            return Strip.blank(width, base)
        row = rows[y]
        blank = Segment(" ", base)
        segments = [blank]
        for bar in row.bars:
            segments.append(Segment(bar[0], self._style(bar[1], False)) if bar else blank)
        used = 1 + len(row.bars)
        for name, colour in row.names:
            room = width - used - 1
            if room <= 0:
                break
            if cell_len(name) > room:
                name = set_cell_size(name, room - 1) + "…"
            segments += [blank, Segment(name, self._style(colour, True))]
            used += 1 + cell_len(name)
        return Strip(segments).adjust_cell_length(width, base)

    def _style(self, colour: str, bold: bool) -> Style:
        style = self._styles.get((colour, bold))
        if style is None:
            style = self._styles[colour, bold] = self._base + Style(color=colour, bold=bold)
        return style

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._rows = None  # another app theme: the base style changed
