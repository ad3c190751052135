"""One side of the compare screen: a coder's coding of a document, read-only, with the
disagreements between the two coders marked on the text and in the gutter."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from ...core import Document, Workspace
from ...core.adjudication import Item
from ...core.text import displayable
from .document_view import DocumentView

OPEN_MARK = "≠"  # in the gutter: a row with a disagreement not yet settled
SETTLED_MARK = "✓"  # every disagreement on the row is settled


class CompareView(DocumentView):
    """A ``DocumentView`` on a coder's own (read-only) workspace that also marks the
    disagreements of its document: open ones, settled ones, and the one being decided."""

    COMPONENT_CLASSES = {
        "compare-view--open",
        "compare-view--settled",
        "compare-view--current",
    }

    def __init__(self, workspace: Workspace, document: Document, **kwargs) -> None:
        super().__init__(workspace, document, **kwargs)
        self.disagreements: list[Item] = []
        self.current_item: Item | None = None

    def mark(self, disagreements: list[Item], current: Item | None) -> None:
        """Mark these disagreements (of the document shown), ``current`` above the rest."""
        self.disagreements = disagreements
        self.current_item = current
        self.refresh()

    def _on_row(self, start: int, end: int) -> list[Item]:
        return [item for item in self.disagreements if item.passage.start < end and item.passage.end > start]

    def _is_current(self, item: Item) -> bool:
        return self.current_item is not None and item.passage == self.current_item.passage

    def row_styles(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        styles = []
        for item in sorted(self._on_row(start, end), key=self._is_current):  # the current one last: on top
            name = ("compare-view--current" if self._is_current(item)
                    else "compare-view--settled" if item.decision else "compare-view--open")
            styles.append((max(item.passage.start, start) - start, min(item.passage.end, end) - start,
                           self.get_component_rich_style(name, partial=True)))
        return styles

    def row_mark(self, start: int, end: int, annotations) -> Text:
        here = self._on_row(start, end)
        if not here:
            return super().row_mark(start, end, annotations)
        settled = all(item.decision for item in here)
        style = self.get_component_rich_style("compare-view--settled" if settled else "compare-view--open")
        return Text(SETTLED_MARK if settled else OPEN_MARK, style=style)


class ComparePane(Vertical):
    """A coder's name and the document's title above that coder's ``CompareView``."""

    def __init__(self, side: str, coder: str, workspace: Workspace, document: Document, **kwargs) -> None:
        super().__init__(**kwargs)
        self.side = side
        self.coder = coder
        self.workspace = workspace
        self.document = document

    def compose(self) -> ComposeResult:
        yield Static(classes="pane-title")
        yield CompareView(self.workspace, self.document)

    def on_mount(self) -> None:
        self._update_title()

    @property
    def view(self) -> CompareView:
        return self.query_one(CompareView)

    def show(self, document: Document, disagreements: list[Item], current: Item | None) -> None:
        """Show ``document`` (if it is not shown already) with its disagreements marked and
        the cursor on the current one, centred."""
        view = self.view
        if document is not self.document:
            self.document = document
            view.show_document(document)
            self._update_title()
        view.mark(disagreements, current)
        if current is not None:
            view.move_to(current.passage.start)
            view.scroll_to_cursor(center=True)

    def _update_title(self) -> None:
        title = Text(f"{self.side} · ", style="bold")
        title.append(displayable(self.coder), style="bold")
        title.append("  " + displayable(self.document.title), style="dim")
        self.query_one(".pane-title", Static).update(title)
