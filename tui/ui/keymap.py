"""The user's own keys: ``[keys]`` of ``config.toml`` checked against Margin's bindings, for
``App.set_keymap``.

``tui.core.config`` reads and validates the file; this module knows the bindings: their ids,
which keys Textual can send, and the places where bindings work together (the reader's pane,
the document list, each screen), where two bindings on one key would hide one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from ..core.config import KeyConfig, display_path, key_conflicts, read_key_config

# Every key Textual can send: a printable character's name (``0``, ``dollar_sign``) or a named key.
KEYS = {_character_to_key(chr(code)) for code in range(32, 127)} | {key.value for key in Keys}
MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")

# Textual's own keys, which no Margin binding may take: quit, copy/interrupt, the command palette.
BUILT_IN = ("ctrl+q", "ctrl+c", "ctrl+p")


def normalize_key(key: str) -> str | None:
    """A key as written in config.toml (``?``, ``ctrl+e``, ``Ctrl+E``, ``pagedown``) as the
    bindings name it (``question_mark``, ``ctrl+e``), or None if Textual never sends it."""
    if len(key) == 1:
        key = _character_to_key(key)
        return key if key in KEYS else None
    *modifiers, base = key.split("+")
    modifiers = [modifier.strip().lower() for modifier in modifiers]
    base = base.strip()
    if not base or any(modifier not in MODIFIERS for modifier in modifiers):
        return None
    base = _character_to_key(base) if len(base) == 1 else base.lower()
    if modifiers and modifiers[0] == "ctrl" and len(modifiers) == 1 and len(base) == 1:
        base = base.lower()  # terminals send Ctrl+E as ctrl+e
    normalized = "+".join([*modifiers, base])
    return normalized if normalized in KEYS or (modifiers and base in KEYS) else None


def binding_places(app_bindings: list[Binding]) -> list[tuple[str, list[Binding], bool]]:
    """Where bindings work together: a name, the bindings (focused widget first), and whether
    the app's own keys (``q``, ``?``) work there too (not in a modal screen)."""
    from .screens.browser import BrowserScreen
    from .screens.codebook import CodebookScreen
    from .screens.colour_chooser import ColourChooser
    from .screens.compare import CompareScreen
    from .screens.corpus_search import CorpusSearchScreen
    from .screens.help import HelpScreen
    from .screens.matrix import HeatTable, MatrixScreen
    from .screens.memo import MemoEditor
    from .screens.orphans import OrphansScreen
    from .screens.passages import PassagesScreen
    from .screens.prompt import ChoicePrompt, TextPrompt
    from .screens.query import PassageList, QueryScreen
    from .screens.reader import ReaderScreen
    from .screens.statistics import StatisticsScreen
    from .screens.theme_picker import ThemePicker
    from .screens.theme_view import ThemeViewScreen
    from .widgets.annotation_table import AnnotationTable
    from .widgets.document_list import DocumentList
    from .widgets.document_pane import DocumentPane
    from .widgets.document_view import DocumentView
    from .widgets.virtual_list import VirtualList

    def chain(*classes: type) -> list[Binding]:
        return [binding for cls in classes for binding in cls.BINDINGS]

    return [
        ("the reader", chain(DocumentView, DocumentPane, ReaderScreen), True),
        ("the document list", chain(VirtualList, DocumentList, ReaderScreen), True),
        ("the annotation browser", chain(VirtualList, AnnotationTable, BrowserScreen), True),
        ("the codebook", chain(CodebookScreen), True),
        ("search all documents", chain(VirtualList, CorpusSearchScreen), True),
        ("the coding query", chain(VirtualList, PassageList, QueryScreen), True),
        ("the theme view", chain(VirtualList, ThemeViewScreen), True),
        ("statistics", chain(StatisticsScreen), True),
        ("the compare screen", chain(CompareScreen), True),
        ("the matrix", chain(HeatTable, MatrixScreen), True),
        ("a matrix cell's passages", chain(VirtualList, PassageList, PassagesScreen), True),
        ("the memo editor", chain(MemoEditor), False),
        ("orphans", chain(OrphansScreen), False),
        ("the theme picker", chain(ThemePicker), False),
        ("the colour chooser", chain(ColourChooser), False),
        ("a question", chain(TextPrompt, ChoicePrompt), False),
        ("help", chain(HelpScreen), False),
        ("the application", list(app_bindings), False),
    ]


def load_keymap(path: Path, app_bindings: list[Binding]) -> KeyConfig:
    """The keymap to give ``App.set_keymap`` from ``path``, and every warning about it.
    Without a file, nothing is read and the heavier screens are not imported."""
    if not os.path.lexists(path):
        return KeyConfig()
    places = binding_places(app_bindings)
    known = {binding.id for _, bindings, _ in places for binding in bindings if binding.id}
    config = read_key_config(path, known, normalize_key)
    sets = []
    for name, bindings, with_app in places:
        members = [*bindings, *(app_bindings if with_app else [])]
        pairs: list[tuple[str | None, str]] = [
            (binding.id, ",".join(filter(None, map(normalize_key, binding.key.split(","))))) for binding in members]
        sets.append((name, pairs + [(None, key) for key in BUILT_IN]))
    keys, clashes = key_conflicts(sets, config.keys)
    shown = display_path(path)
    return KeyConfig(keys, config.warnings + [f"{shown}: {warning}" for warning in clashes])
