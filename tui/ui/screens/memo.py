"""The memo editor (``m``): a multi-line note on one annotation, saved as its ``note``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static, TextArea

from ...core.text import displayable
from .prompt import ChoicePrompt

QUOTE_CHARS = 200

# What Escape on a changed memo offers; Escape again keeps editing.
UNSAVED_CHOICES = {"s": "save the memo", "d": "discard the changes"}


class MemoEditor(ModalScreen[str | None]):
    """Edit a memo; dismissed with the new text (saved) or None (closed unchanged, or the
    changes discarded). No key loses what was typed: Escape on a changed memo asks first.
    The footer shows these keys, not the reader's, while the editor is open."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the memo", id="memo.save"),
        Binding("escape", "close", "Close", tooltip="Close the memo (asks first if it changed)",
                id="memo.close"),
    ]

    def __init__(self, quote: str, note: str) -> None:
        super().__init__()
        self.quote = quote
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="memo") as frame:
            frame.border_title = "Memo"
            excerpt = self.quote if len(self.quote) <= QUOTE_CHARS else self.quote[:QUOTE_CHARS] + "…"
            yield Static(Text(f"“{displayable(excerpt)}”"), id="memo-quote")
            yield TextArea(self.note, id="memo-text", soft_wrap=True, show_line_numbers=False)
        yield Footer()

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def _written(self) -> str:
        return self.query_one(TextArea).text.strip()

    @property
    def has_changes(self) -> bool:
        """Whether closing now would lose something typed (the app asks before quitting)."""
        return self._written != self.note.strip()

    def action_save(self) -> None:
        self.dismiss(self._written)

    def action_close(self) -> None:
        if not self.has_changes:
            self.dismiss(None)
            return
        self.app.push_screen(ChoicePrompt("This memo has changes that are not saved.", UNSAVED_CHOICES,
                                          cancel="keep editing"), self._after_question)

    def _after_question(self, choice: str | None) -> None:
        if choice == "s":
            self.action_save()
        elif choice == "d":
            self.dismiss(None)
