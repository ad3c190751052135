"""A virtualised list of annotations: one row each, drawn only while on screen.

A widget per row (or an ``OptionList`` that measures every prompt) would cost seconds at
100,000 annotations; this draws the visible rows from the list it is given.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core import Annotation, Workspace
from ...core.text import displayable

CHIPS = 3
DOCUMENT_WIDTH = 24
MEMO_WIDTH = 22
AUTHOR_WIDTH = 10
DATE_WIDTH = 10


def cell(text: str, width: int) -> str:
    """``text`` on one line, cut with an ellipsis or padded to exactly ``width`` cells."""
    flat = displayable(" ".join(text.split()))
    if cell_len(flat) > width:
        return set_cell_size(flat, width - 1) + "…"
    return set_cell_size(flat, width)


class AnnotationTable(ScrollView, can_focus=True):
    """Rows of annotations with a highlighted one; Enter chooses it."""

    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False),
        Binding("k,up", "move(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("g,home", "edge(-1)", "First", show=False),
        Binding("G,end", "edge(1)", "Last", show=False),
        Binding("enter", "choose", "Go to passage"),
    ]

    COMPONENT_CLASSES = {"annotation-table--cursor", "annotation-table--dim"}

    highlighted: reactive[int] = reactive(0, repaint=False)

    class Chosen(Message):
        def __init__(self, annotation: Annotation) -> None:
            super().__init__()
            self.annotation = annotation

    class Highlighted(Message):
        """The highlight moved (or the rows changed under it); ``annotation`` may be None."""

        def __init__(self, annotation: Annotation | None) -> None:
            super().__init__()
            self.annotation = annotation

    def __init__(self, workspace: Workspace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace
        self.rows: list[Annotation] = []

    def show(self, rows: list[Annotation]) -> None:
        """Replace the rows, keeping the highlight on the same annotation when it is still there."""
        current = self.current
        self.rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        index = next((i for i, a in enumerate(rows) if current and a.id == current.id), 0) if current else 0
        self.move_to(index)
        self.refresh()

    @property
    def current(self) -> Annotation | None:
        return self.rows[self.highlighted] if 0 <= self.highlighted < len(self.rows) else None

    def move_to(self, index: int) -> None:
        self.highlighted = max(0, min(index, len(self.rows) - 1))
        height = self.scrollable_content_region.height
        if self.highlighted < self.scroll_offset.y:
            self.scroll_to(y=self.highlighted, animate=False)
        elif height and self.highlighted >= self.scroll_offset.y + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def action_move(self, delta: int) -> None:
        self.move_to(self.highlighted + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.highlighted + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, direction: int) -> None:
        self.move_to(0 if direction < 0 else len(self.rows) - 1)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        annotation = self.rows[index]
        style = base + self.get_component_rich_style("annotation-table--cursor") if index == self.highlighted else base
        dim = style + self.get_component_rich_style("annotation-table--dim", partial=True)
        segments = list(self._chips(annotation, style))
        title = self.workspace.document_title(annotation.document)
        quote_width = max(10, width - CHIPS - DOCUMENT_WIDTH - MEMO_WIDTH - AUTHOR_WIDTH - DATE_WIDTH - 5)
        segments += [
            Segment(cell(title, DOCUMENT_WIDTH) + " ", dim),
            Segment(cell(annotation.quote, quote_width) + " ", style),
            Segment(cell(("✎ " + annotation.note) if annotation.note else "", MEMO_WIDTH) + " ", style),
            Segment(cell(annotation.author, AUTHOR_WIDTH) + " ", dim),
            Segment(cell(annotation.modified[:10], DATE_WIDTH), dim),
        ]
        return Strip(segments).adjust_cell_length(width, base)

    def _chips(self, annotation: Annotation, style: Style):
        themes = [theme for theme in map(self.workspace.theme, annotation.themes) if theme][: CHIPS - 1]
        for theme in themes:
            yield Segment("▌", style + Style(color=theme.color))
        yield Segment(" " * (CHIPS - len(themes)), style)
