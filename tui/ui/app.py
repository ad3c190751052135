"""The Textual application: a thin shell that opens the reader on a workspace."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from ..core import Workspace
from .screens.help import HelpScreen
from .screens.reader import ReaderScreen
from .widgets.document_pane import DocumentPane
from .widgets.document_view import DocumentView


class MarginApp(App[None]):
    """Margin: read documents side by side and code passages with themes."""

    CSS_PATH = "margin.tcss"
    TITLE = "Margin"
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Show every key"),
        Binding("q", "quit", "Quit", tooltip="Quit (everything is already saved)"),
    ]

    def __init__(self, workspace: Workspace, panes: int = 2) -> None:
        super().__init__()
        self.workspace = workspace
        self.panes = panes

    def get_default_screen(self) -> ReaderScreen:
        return ReaderScreen(self.workspace, panes=self.panes)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(
            HelpScreen(
                [
                    ("Moving and selecting (in a pane)", DocumentView.BINDINGS),
                    ("Searching (in a pane)", DocumentPane.BINDINGS),
                    ("Coding and panes", ReaderScreen.BINDINGS),
                    ("Application", self.BINDINGS),
                ]
            )
        )
