"""A one-line progress bar for a long job (an export), hidden when nothing is running."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar


class JobProgress(Horizontal):
    """What is running and how far it has got; the reader shows it above its status bar.

    Its label and bar are built for the first job, not before the first paint: most sessions
    never export, and a progress bar redraws itself on a timer every second."""

    def start(self, description: str, total: int) -> None:
        if not self.children:
            self.mount(Label(classes="job-label"), ProgressBar(show_eta=True))  # in the DOM at once
        self.query_one(Label).update(Text(description))  # a path, shown literally
        self.query_one(ProgressBar).update(total=max(total, 1), progress=0)
        self.add_class("-active")

    def advance(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def finish(self) -> None:
        self.remove_class("-active")
