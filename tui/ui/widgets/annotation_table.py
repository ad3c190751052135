"""Every annotation, one row each: themes, document, quote, memo, author and date."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from ...core import Annotation, Workspace
from ..theme_chips import chip_segment
from .virtual_list import VirtualList, cell

CHIPS = 3
DOCUMENT_WIDTH = 24
MEMO_WIDTH = 22
AUTHOR_WIDTH = 10
DATE_WIDTH = 10


class AnnotationTable(VirtualList[Annotation]):
    """Rows of annotations with a highlighted one; Enter jumps to its passage."""

    BINDINGS = [Binding("enter", "choose", "Go to passage")]

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

    @property
    def rows(self) -> list[Annotation]:
        return self.items

    def show(self, rows: list[Annotation]) -> None:
        """Replace the rows, keeping the highlight on the same annotation when it is still there."""
        current = self.current
        keep = next((a for a in rows if a.id == current.id), None) if current else None
        self.show_items(rows, keep)

    def chosen_message(self, item: Annotation) -> Message:
        return self.Chosen(item)

    def highlighted_message(self, item: Annotation | None) -> Message:
        return self.Highlighted(item)

    def render_item(self, annotation: Annotation, width: int, style: Style, dim: Style) -> list[Segment]:
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
        return segments

    def _chips(self, annotation: Annotation, style: Style):
        themes = [theme for theme in map(self.workspace.theme, annotation.themes) if theme][: CHIPS - 1]
        for theme in themes:
            yield chip_segment(theme, style)
        yield Segment(" " * (CHIPS - len(themes)), style)
