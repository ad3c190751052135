"""Small modal questions: a line of text, or one choice among a few keys."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ...core.text import displayable


class TextPrompt(ModalScreen[str | None]):
    """Ask for one line (a theme's name or description); Enter answers, Esc cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text(displayable(self.question)))  # it quotes a theme name
            yield Input(self.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class ChoicePrompt(ModalScreen[str | None]):
    """Offer a few answers, each on a key or a click; Esc cancels. Dismissed with the chosen
    key, or None. ``cancel`` names what Esc does ("cancel", "keep editing")."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, choices: dict[str, str], cancel: str = "cancel") -> None:
        super().__init__()
        self.question = question
        self.choices = choices
        self.cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Static(Text(self.question), classes="question")
            for key, label in self.choices.items():
                yield Static(self._answer_line(key, label), name=key, classes="answer")
            yield Static(self._answer_line("esc", self.cancel), classes="answer")

    @staticmethod
    def _answer_line(key: str, label: str) -> Text:
        line = Text("  ")
        line.append(key, style="bold")
        line.append(f"  {label}")
        return line

    def on_key(self, event) -> None:
        if event.key in self.choices:
            event.stop()
            self.dismiss(event.key)

    def on_click(self, event: events.Click) -> None:
        """A click on an answer chooses it, as its key would (the esc line cancels)."""
        if event.widget is not None and event.widget.has_class("answer"):
            self.dismiss(event.widget.name)
