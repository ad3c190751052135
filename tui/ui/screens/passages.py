"""A list of passages found elsewhere (a matrix cell's), in the coding query's passage list:
Enter on one goes to it in the reader."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...core.query import Passage
from .query import PassageList, Target


class PassagesScreen(Screen[Target | None]):
    """Dismissed with the passage to jump to, or None."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Back", id="passages.close")]

    def __init__(self, title: Text, passages: list[Passage]) -> None:
        super().__init__()
        self.heading = title
        self.passages = passages

    def compose(self) -> ComposeResult:
        yield Static(self.heading, id="passages-title")
        yield PassageList(id="passages-list")
        yield Footer()

    def on_mount(self) -> None:
        passages = self.query_one(PassageList)
        passages.show_items(self.passages)
        passages.focus()

    @on(PassageList.Chosen)
    def _chosen(self, event: PassageList.Chosen) -> None:
        passage = event.passage
        self.dismiss((passage.document, passage.start, passage.end))
