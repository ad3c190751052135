"""``margin compare A B``: Margin that opens on the compare screen instead of the reader.

The consensus database is the app's workspace (quitting closes it, as the reader's does);
the two coders' databases are only read.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from ..core import StoreError
from ..core.adjudication import Adjudication
from .app import MarginApp
from .notices import notify_not_saved
from .screens.compare import CompareScreen
from .widgets.document_view import DocumentView


class CompareApp(MarginApp):
    """The compare screen on its own, settling into ``adjudication.consensus``."""

    def __init__(self, adjudication: Adjudication) -> None:
        App.__init__(self)  # MarginApp's makes a reader, which this app has none of
        self.adjudication = adjudication
        self.workspace = adjudication.consensus
        self.unsaved_report: str | None = None
        self.reader = None
        self.reading_state = None  # nothing to resume: the queue starts at its first disagreement

    def get_default_screen(self) -> CompareScreen:
        return CompareScreen(self.adjudication)

    def _checkpoint_when_idle(self) -> None:
        """Fold the journal into the consensus file after a quiet second (no database bar)."""
        try:
            self.workspace.checkpoint_if_idle()
        except StoreError as error:
            notify_not_saved(self, error)

    def key_sections(self) -> list[tuple[str, list[Binding]]]:
        """The compare keys, and the reading view's that they leave alone."""
        taken = {key for binding in CompareScreen.BINDINGS for key in binding.key.split(",")}
        return [
            ("Comparing coders", CompareScreen.BINDINGS),
            ("Moving (in a pane)", [binding for binding in DocumentView.BINDINGS
                                    if not taken & set(binding.key.split(","))]),
            ("Application", self.BINDINGS),
        ]

    @staticmethod
    def screen_sections() -> list[tuple[str, list[Binding]]]:
        from .screens.help import HelpScreen
        from .screens.memo import MemoEditor

        return [("Memo editor (m)", MemoEditor.BINDINGS), ("Help (?)", HelpScreen.BINDINGS)]
