"""A list drawn one row at a time, only while on screen: the base of the annotation table
and the document list.

A widget per row, or an ``OptionList`` (which measures every prompt whenever one changes),
costs seconds at 100,000 annotations and a noticeable pause at 1,000 documents; this draws
the visible rows from the items it is given and keeps one highlighted.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core.text import displayable

Item = TypeVar("Item")


def cell(text: str, width: int) -> str:
    """``text`` on one line, cut with an ellipsis or padded to exactly ``width`` cells."""
    flat = displayable(" ".join(text.split()))
    if cell_len(flat) > width:
        return set_cell_size(flat, width - 1) + "…"
    return set_cell_size(flat, width)


class VirtualList(ScrollView, Generic[Item], can_focus=True):
    """Items, one row each, with a highlighted one; Enter chooses it.

    Subclasses draw a row (``render_item``) and say which messages tell their screen that
    the highlight moved or an item was chosen.
    """

    BINDINGS = [
        Binding("j,down", "move(1)", "Down", show=False, id="list.down"),
        Binding("k,up", "move(-1)", "Up", show=False, id="list.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page-up"),
        Binding("g,home", "edge(-1)", "First", show=False, id="list.first"),
        Binding("G,end", "edge(1)", "Last", show=False, id="list.last"),
    ]

    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--dim"}

    highlighted: reactive[int] = reactive(0, repaint=False)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.items: list[Item] = []

    # -- what subclasses provide -------------------------------------------------------------

    def render_item(self, item: Item, width: int, style: Style, dim: Style) -> list[Segment]:
        raise NotImplementedError

    def chosen_message(self, item: Item) -> Message:
        raise NotImplementedError

    def highlighted_message(self, item: Item | None) -> Message | None:
        """A message for the screen when the highlight moves; None if nobody listens."""
        return None

    # -- the list ----------------------------------------------------------------------------

    def show_items(self, items: list[Item], keep: Item | None = None) -> None:
        """Replace the items, the highlight on ``keep`` if it is among them, else the first."""
        self.items = items
        self.virtual_size = Size(self.scrollable_content_region.width, len(items))
        index = next((i for i, item in enumerate(items) if item == keep), 0) if keep is not None else 0
        self.move_to(index)
        self.refresh()

    @property
    def current(self) -> Item | None:
        return self.items[self.highlighted] if 0 <= self.highlighted < len(self.items) else None

    def move_to(self, index: int) -> None:
        self.highlighted = max(0, min(index, len(self.items) - 1))
        height = self.scrollable_content_region.height
        if self.highlighted < self.scroll_offset.y:
            self.scroll_to(y=self.highlighted, animate=False)
        elif height and self.highlighted >= self.scroll_offset.y + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False)
        self.refresh()
        message = self.highlighted_message(self.current)
        if message is not None:
            self.post_message(message)

    def action_move(self, delta: int) -> None:
        self.move_to(self.highlighted + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.highlighted + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, direction: int) -> None:
        self.move_to(0 if direction < 0 else len(self.items) - 1)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.chosen_message(self.current))

    def on_click(self, event: events.Click) -> None:
        """A click highlights the row under the pointer and chooses it, as Enter would."""
        index = event.get_content_offset_capture(self).y + self.scroll_offset.y
        if 0 <= index < len(self.items):
            self.move_to(index)
            self.action_choose()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.items))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.items):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("virtual-list--cursor") if index == self.highlighted else base
        dim = style + self.get_component_rich_style("virtual-list--dim", partial=True)
        return Strip(self.render_item(self.items[index], width, style, dim)).adjust_cell_length(width, base)
