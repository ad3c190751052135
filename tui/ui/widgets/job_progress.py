"""A one-line progress bar for a long job (an export), hidden when nothing is running."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class JobProgress(Horizontal):
    """What is running and how far it has got; the reader shows it above its status bar."""

    def compose(self) -> ComposeResult:
        yield Label(classes="job-label")
        yield ProgressBar(show_eta=True)

    def start(self, description: str, total: int) -> None:
        self.query_one(Label).update(Text(description))  # a path, shown literally
        self.query_one(ProgressBar).update(total=max(total, 1), progress=0)
        self.add_class("-active")

    def advance(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def finish(self) -> None:
        self.remove_class("-active")
