"""The help screen (``?``): every key, read from the bindings themselves so it cannot go stale."""

from __future__ import annotations

import re
from collections.abc import Mapping

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
    "equals_sign": "=",
    "greater_than_sign": ">",
    "less_than_sign": "<",
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


def key_map(sections: list[tuple[str, list[Binding]]],
            keymap: Mapping[str, str] | None = None) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """Sections of ``(keys, description, id)``, with the keys ``keymap`` (the user's
    ``[keys]``, binding id → keys) gives. A run of bindings ``name-1``, ``name-2`` … on their
    own digits merges into one row (``1–9``, ``reader.tag-theme-1…9``); one the user moved to
    another key gets its own row."""
    keymap = keymap or {}
    result = []
    for title, bindings in sections:
        rows: list[tuple[str, str, str]] = []
        previous: tuple[str, int] | None = None  # the run being merged: id prefix, last digit
        for binding in bindings:
            description = binding.tooltip or binding.description
            binding_id = binding.id or ""
            label = key_label(keymap.get(binding_id, binding.key))
            digit = re.fullmatch(r"(.+-)(\d)", binding_id)
            if digit and label == digit.group(2):
                prefix, number = digit.group(1), int(digit.group(2))
                if rows and previous == (prefix, number - 1) and rows[-1][1] == description:
                    first_key = rows[-1][0].split("–")[0]
                    first_id = rows[-1][2].split("…")[0]
                    rows[-1] = (f"{first_key}–{label}", description, f"{first_id}…{number}")
                else:
                    rows.append((label, description, binding_id))
                previous = (prefix, number)
                continue
            previous = None
            rows.append((label, description, binding_id))
        result.append((title, rows))
    return result


class HelpScreen(ModalScreen[None]):
    """A scrollable key map grouped by where each key works."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[Binding]]],
                 keymap: Mapping[str, str] | None = None, config: str | None = None) -> None:
        """``keymap``: the user's keys in force, by binding id; ``config``: where they are set."""
        super().__init__()
        self.sections = sections
        self.keymap = dict(keymap or {})
        self.config = config

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("Margin — keys   (Esc closes)", style="bold"), id="help-title")
            if self.config:
                yield Static(Text.assemble(
                    "Your own keys: in ", (self.config, "bold"), ", a [keys] table of id = \"key\" ",
                    ("(e.g. view.sentence = \"ctrl+e\"; several keys: \"u,ctrl+z\")", "dim"),
                    "; the ids are the dim names below."), classes="help-section", id="help-config")
            sections = key_map(self.sections, self.keymap)
            id_width = max(len(row[2]) for _, rows in sections for row in rows)  # one column for all
            for title, rows in sections:
                table = Table(title=title, title_justify="left", show_header=False, box=None, expand=True)
                table.add_column("Keys", style="bold", min_width=14, no_wrap=True)
                table.add_column("Does", ratio=1)
                table.add_column("Id", style="dim", width=id_width, no_wrap=True)
                for keys, description, binding_id in rows:
                    table.add_row(Text(keys), Text(description), Text(binding_id))
                yield Static(table, classes="help-section")
            yield Static(
                Text(
                    "Mouse: click to move the cursor, drag to select. "
                    "Ctrl+p opens the command palette with every action."
                ),
                classes="help-section",
            )
