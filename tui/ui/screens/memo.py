"""The memo editor (``m``): a multi-line note on one annotation, saved as its ``note``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ...core.text import displayable

QUOTE_CHARS = 200


class MemoEditor(ModalScreen[str | None]):
    """Edit a memo; dismissed with the new text (ctrl+s) or None (esc, nothing changes)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save memo"),
        Binding("escape", "dismiss(None)", "Cancel"),
    ]

    def __init__(self, quote: str, note: str) -> None:
        super().__init__()
        self.quote = quote
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="memo") as frame:
            frame.border_title = "Memo"
            frame.border_subtitle = "ctrl+s saves · esc cancels"
            excerpt = self.quote if len(self.quote) <= QUOTE_CHARS else self.quote[:QUOTE_CHARS] + "…"
            yield Static(Text(f"“{displayable(excerpt)}”"), id="memo-quote")
            yield TextArea(self.note, id="memo-text", soft_wrap=True, show_line_numbers=False)

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip())
