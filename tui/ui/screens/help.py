"""The help screen (``?``): every key, read from the bindings themselves so it cannot go stale."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

_KEY_NAMES = {
    "left_curly_bracket": "{",
    "right_curly_bracket": "}",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "slash": "/",
    "backslash": "\\",
    "question_mark": "?",
    "dollar_sign": "$",
    "zero": "0",
    "plus": "+",
    "minus": "-",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "space": "Space",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
}


def key_label(keys: str) -> str:
    """``"h,left"`` → ``"h ←"``; ``"ctrl+d"`` → ``"Ctrl+d"``."""
    labels = []
    for key in keys.split(","):
        key = key.strip()
        label = _KEY_NAMES.get(key, key)
        if label.startswith("ctrl+"):
            label = "Ctrl+" + label[5:]
        labels.append(label)
    return " ".join(labels)


def key_map(sections: list[tuple[str, list[Binding]]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Sections of ``(keys, description)``; runs of bindings sharing a description merge
    (``1`` … ``9`` become one row)."""
    result = []
    for title, bindings in sections:
        rows: list[tuple[str, str]] = []
        for binding in bindings:
            description = binding.tooltip or binding.description
            label = key_label(binding.key)
            if rows and rows[-1][1] == description:
                first = rows[-1][0].split("–")[0]
                rows[-1] = (f"{first}–{label}", description)
            else:
                rows.append((label, description))
        result.append((title, rows))
    return result


class HelpScreen(ModalScreen[None]):
    """A scrollable key map grouped by where each key works."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Margin — keys   (Esc closes)", style="bold"), id="help-title")
            for title, rows in key_map(self.sections):
                table = Table(title=title, title_justify="left", show_header=False, box=None)
                table.add_column("Keys", style="bold", min_width=14, no_wrap=True)
                table.add_column("Does")
                for keys, description in rows:
                    table.add_row(Text(keys), Text(description))
                yield Static(table, classes="help-section")
            yield Static(
                Text(
                    "Mouse: click to move the cursor, drag to select. "
                    "Ctrl+p opens the command palette with every action."
                ),
                classes="help-section",
            )
