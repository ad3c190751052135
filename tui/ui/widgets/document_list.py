"""The sidebar listing the corpus; choosing a document opens it in the current pane."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from ...core import Document, Workspace
from .virtual_list import VirtualList, cell


class DocumentList(VirtualList[Document]):
    """A row per document: its title and annotation count. Counts are worked out for the rows
    on screen only, so a corpus of thousands of documents lists at once."""

    BINDINGS = [Binding("enter", "choose", "Open here")]

    class Chosen(Message):
        def __init__(self, document: Document) -> None:
            super().__init__()
            self.document = document

    def __init__(self, workspace: Workspace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace

    def on_mount(self) -> None:
        self.show_items(list(self.workspace.documents))

    def refresh_count(self, document: Document) -> None:
        """Show a document's new annotation count (after a change to its annotations)."""
        self.refresh()

    def chosen_message(self, item: Document) -> Message:
        return self.Chosen(item)

    def render_item(self, document: Document, width: int, style: Style, dim: Style) -> list[Segment]:
        count = str(self.workspace.annotation_count(document))
        title_width = max(1, width - cell_len(count) - 2)
        return [Segment(" " + cell(document.title, title_width) + " ", style), Segment(count, dim)]
