"""Every annotation, one row each: themes, document, quote, memo, author and date."""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip

from ...core import Annotation, Workspace
from ...core.text import displayable
from .virtual_list import VirtualList, cell


def clamp(value: int, lowest: int, highest: int) -> int:
    return max(lowest, min(value, highest))


@dataclass(frozen=True)
class Columns:
    """Cell widths of a row's columns at a given table width: themes, document and memo take a
    share of it (within bounds), author and date appear once there is room, and the quote
    takes the rest. Columns are one space apart."""

    themes: int
    document: int
    quote: int
    memo: int
    author: int
    date: int

    @classmethod
    def for_width(cls, width: int) -> Columns:
        themes = clamp(width // 5, 12, 32)
        document, memo = clamp(width // 7, 10, 28), clamp(width // 7, 8, 36)
        author = 10 if width >= 100 else 0
        date = 10 if width >= 90 else 0
        gaps = 3 + bool(author) + bool(date)  # a space before each column but the themes
        quote = max(10, width - themes - document - memo - author - date - gaps)
        return cls(themes, document, quote, memo, author, date)


class AnnotationTable(VirtualList[Annotation]):
    """Rows of annotations with a highlighted one; Enter jumps to its passage."""

    BINDINGS = [Binding("enter", "choose", "Go to passage", id="annotations.open")]

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
        columns = Columns.for_width(width)
        segments = self._theme_names(annotation, columns.themes, style)
        segments += [
            Segment(" " + cell(self.workspace.document_title(annotation.document), columns.document), dim),
            Segment(" " + cell(annotation.quote, columns.quote), style),
            Segment(" " + cell(("✎ " + annotation.note) if annotation.note else "", columns.memo), style),
        ]
        if columns.author:
            segments.append(Segment(" " + cell(annotation.author, columns.author), dim))
        if columns.date:
            segments.append(Segment(" " + cell(annotation.modified[:10], columns.date), dim))
        return segments

    def _theme_names(self, annotation: Annotation, width: int, style: Style) -> list[Segment]:
        """The annotation's themes by name, each in its colour, cut with an ellipsis to fit."""
        segments: list[Segment] = []
        for theme in filter(None, map(self.workspace.theme, annotation.themes)):
            if segments:
                segments.append(Segment(", ", style))
            name = displayable(" ".join(theme.name.split()))
            segments.append(Segment(name, style + Style(color=theme.color)))
        strip = Strip(segments)
        if strip.cell_length > width:
            strip = Strip([*strip.crop(0, width - 1), Segment("…", style)])
        return list(strip.adjust_cell_length(width, style))
