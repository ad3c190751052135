"""The sidebar listing the corpus; choosing a document opens it in the current pane."""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from ...core import Document, Workspace
from ..notices import notify_not_saved
from .virtual_list import VirtualList, cell


class DocumentList(VirtualList[Document]):
    """A row per document: its title and annotation count. Counts are worked out for the rows
    on screen only, so a corpus of thousands of documents lists at once.

    Documents found unreadable stay listed, after the others, with their reason in place of a
    title: a file that vanished from the list without a word would look like a lost file.
    """

    BINDINGS = [Binding("enter", "choose", "Open here", id="documents.open"),
                Binding("A", "edit_attribute", "Attribute",
                        tooltip="Set an attribute of the highlighted document (NAME=VALUE), saved to attributes.csv",
                        id="documents.attribute")]
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {"document-list--unreadable"}

    class Chosen(Message):
        def __init__(self, document: Document) -> None:
            super().__init__()
            self.document = document

    def __init__(self, workspace: Workspace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace

    def on_mount(self) -> None:
        self.show_documents()

    def show_documents(self) -> None:
        """List the workspace's documents, then its unreadable ones; the highlight stays put."""
        self.show_items([*self.workspace.documents, *self.workspace.unreadable], keep=self.current)

    def refresh_count(self, document: Document) -> None:
        """Show a document's new annotation count (after a change to its annotations)."""
        self.refresh()

    def chosen_message(self, item: Document) -> Message:
        return self.Chosen(item)

    def render_item(self, document: Document, width: int, style: Style, dim: Style) -> list[Segment]:
        if document.problem:
            reason = document.problem.removeprefix(f"{document.path}: ")
            warning = style + self.get_component_rich_style("document-list--unreadable", partial=True)
            return [Segment(" " + cell(f"{document.path.name}: {reason}", max(1, width - 1)), warning)]
        count = str(self.workspace.annotation_count(document))
        title_width = max(1, width - cell_len(count) - 2)
        attributes = " · ".join(document.attributes.values())  # from attributes.csv
        if attributes and title_width > 12:
            shown = min(cell_len(attributes) + 1, title_width // 3)
            return [Segment(" " + cell(document.title, title_width - shown), style),
                    Segment(" " + cell(attributes, shown - 1) + " ", dim), Segment(count, dim)]
        return [Segment(" " + cell(document.title, title_width) + " ", style), Segment(count, dim)]

    def action_edit_attribute(self) -> None:
        """Ask for NAME=VALUE and write it to the document's folder's attributes.csv (an
        empty value removes the attribute)."""
        from ..screens.prompt import TextPrompt

        document = self.current
        if document is None or document.problem:
            return
        known = ", ".join(f"{name}={value}" for name, value in document.attributes.items()) or "none yet"
        question = (f"Attribute of {document.path.name} as NAME=VALUE (an empty value removes it). "
                    f"Now: {known}")

        def save(answer: str | None) -> None:
            if not answer or not answer.strip():
                return
            from ...core.attributes import AttributesError, set_attribute

            name, equals, value = answer.partition("=")
            if not equals or not name.strip():
                self.notify("Write NAME=VALUE, e.g. country=MX", severity="warning")
                return
            try:
                path = set_attribute(document, name, value)
            except (AttributesError, OSError) as error:
                notify_not_saved(self, error)
                return
            self.notify(f"Saved to {path}", markup=False, timeout=3)
            self.refresh()

        self.app.push_screen(TextPrompt(question), save)
