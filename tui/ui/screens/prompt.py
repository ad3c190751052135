"""Small modal questions: a line of text, or one choice among a few keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line (a theme's name or description); Enter answers, Esc cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text(self.question))
            yield Input(self.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class ChoicePrompt(ModalScreen[str | None]):
    """Offer a few answers, each on a key; Esc cancels. Dismissed with the chosen key."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, question: str, choices: dict[str, str]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        lines = Text(self.question + "\n")
        for key, label in self.choices.items():
            lines.append(f"\n  {key}", style="bold")
            lines.append(f"  {label}")
        lines.append("\n  esc", style="bold")
        lines.append("  cancel")
        with Vertical(classes="prompt"):
            yield Static(lines)

    def on_key(self, event) -> None:
        if event.key in self.choices:
            event.stop()
            self.dismiss(event.key)
