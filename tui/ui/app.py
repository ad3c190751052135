"""The Textual application: a thin shell that opens the reader on a workspace."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property, partial
from pathlib import Path

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from ..core import StoreError, Workspace
from ..core.config import KeyConfig, config_path, display_path
from ..core.session_state import load_state, save_state
from ..core.text import displayable
from .keymap import load_keymap
from .notices import notify_not_saved
from .screens.reader import ReaderScreen
from .widgets.document_pane import DocumentPane
from .widgets.document_view import DocumentView
from .widgets.virtual_list import VirtualList


class MarginApp(App[None]):
    """Margin: read documents side by side and code passages with themes."""

    CSS_PATH = "margin.tcss"
    TITLE = "Margin"
    # A screen narrower than 120 columns is ``-narrow``: its footer packs its keys closer
    # (margin.tcss), so that at 80 columns it shows the keys that matter before it is cut.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="Show every key", id="app.help"),
        Binding("q", "quit", "Quit", tooltip="Quit (everything is already saved)", id="app.quit"),
    ]

    config_file: Path | None = None  # the user's settings (``[keys]``); None: ``config_path()``

    @cached_property
    def key_config(self) -> KeyConfig:
        """The user's keys (binding id → keys) and the warnings about config.toml, read once
        (also for a subclass that skips ``__init__``, such as the served coder's question)."""
        return load_keymap(self.config_file or config_path(), self.BINDINGS)

    def notify(self, message: str, *, title: str = "", **options) -> None:
        """Every notice, from any screen: names and titles in it come from files, so control
        and bidi characters show as stand-ins (``displayable``), never reach the terminal."""
        super().notify(displayable(message), title=displayable(title), **options)

    def __init__(self, workspace: Workspace, panes: int | None = None,
                 reading_state: Path | None = None, config: Path | None = None,
                 show_others: bool = False) -> None:
        """``reading_state`` is the file that remembers where the reader was on this corpus
        (``session_state.state_path``); without one, Margin starts afresh and remembers nothing.
        ``config`` is the user's settings file (``[keys]``), by default ``config_path()``.
        ``show_others`` shows the other coders' coding, read-only (``--show-others``)."""
        super().__init__()
        self.config_file = config
        self.workspace = workspace
        self.unsaved_report: str | None = None  # what quitting could not save, for the CLI
        self.reading_state = reading_state
        resume = load_state(reading_state) if reading_state else None
        self.reader = ReaderScreen(workspace, panes=panes, resume=resume, show_others=show_others)

    def on_mount(self) -> None:
        self.set_keymap(self.key_config.keys)  # the user's own keys, by binding id
        for warning in self.key_config.warnings:
            self.notify(warning, title="config.toml", severity="warning", timeout=20, markup=False)
        self.set_interval(0.5, self._checkpoint_when_idle)

    def _checkpoint_when_idle(self) -> None:
        """Retry pending changes and fold the journal into the TinyDB file after a quiet second,
        then redraw the reader's database bar if the workspace's status changed (saved at
        last, the file replaced on disk, a backup made…)."""
        had_error = self.workspace.save_error
        try:
            self.workspace.checkpoint_if_idle()
        except StoreError as error:
            notify_not_saved(self, error)
        if had_error and not self.workspace.save_error:
            self.notify("Pending changes are saved now.", timeout=5)
        self.reader.update_database_bar()

    def on_unmount(self) -> None:
        """Quitting folds everything into the database file and releases the lock."""
        try:
            self.workspace.close()
        except StoreError as error:
            self.unsaved_report = str(error)

    def get_default_screen(self) -> ReaderScreen:
        return self.reader

    def key_sections(self) -> list[tuple[str, list[Binding]]]:
        """The reader's keys, grouped by where they work: for help and the palette."""
        return [
            ("Moving and selecting (in a pane)", DocumentView.BINDINGS),
            ("Searching (in a pane)", DocumentPane.BINDINGS),
            ("Coding and panes", ReaderScreen.BINDINGS),
            ("Application", self.BINDINGS),
        ]

    @staticmethod
    def screen_sections() -> list[tuple[str, list[Binding]]]:
        """The keys of the screens the reader opens, for help (each also shows its footer).
        The screens are imported here and when opened, not before the first paint."""
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
        from .screens.prompt import ChoicePrompt
        from .screens.query import PassageList, QueryScreen
        from .screens.statistics import StatisticsScreen
        from .screens.theme_picker import ThemePicker
        from .screens.theme_view import ThemeViewScreen
        from .widgets.annotation_table import AnnotationTable
        from .widgets.document_list import DocumentList

        return [
            ("Document list (o)", DocumentList.BINDINGS),
            ("Lists (browser, search, query, theme view)", VirtualList.BINDINGS),
            ("Theme picker (t)", ThemePicker.BINDINGS),
            ("Annotation browser (a)", [*AnnotationTable.BINDINGS, *BrowserScreen.BINDINGS]),
            ("Codebook (c)", CodebookScreen.BINDINGS),
            ("Colour chooser (codebook k)", ColourChooser.BINDINGS),
            ("Search all documents (F)", CorpusSearchScreen.BINDINGS),
            ("Theme view (T)", ThemeViewScreen.BINDINGS),
            ("Statistics (S)", StatisticsScreen.BINDINGS),
            ("Comparing coders (C, margin compare)", CompareScreen.BINDINGS),
            ("Matrix by attribute (M)", [*HeatTable.BINDINGS, *MatrixScreen.BINDINGS]),
            ("A matrix cell's passages (M, Enter)", PassagesScreen.BINDINGS),
            ("Memo editor (m)", MemoEditor.BINDINGS),
            ("Orphans (O)", OrphansScreen.BINDINGS),
            ("Coding query (Q)", [*PassageList.BINDINGS, *QueryScreen.BINDINGS]),
            ("Questions", ChoicePrompt.BINDINGS),
            ("Help (?)", HelpScreen.BINDINGS),
        ]

    async def action_quit(self) -> None:
        """Quit (everything is saved already), remembering the panes, documents and positions
        for the next start; except over a memo with changes: Ctrl+Q is a priority key that
        works even while typing, so the memo editor asks first, and while that question is
        open Ctrl+Q waits for its answer."""
        from .screens.memo import MemoEditor

        if any(isinstance(screen, MemoEditor) and screen.has_changes for screen in self.screen_stack):
            if isinstance(self.screen, MemoEditor):
                self.screen.action_close()
            return
        if self.reading_state is not None:
            save_state(self.reading_state, self.reader.reading_state())
        self.exit()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_sections() + self.screen_sections(),
                                        keymap=self.key_config.keys,
                                        config=display_path(self.config_file or config_path())))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands, then every Margin key as a palette command.

        Titles are parsed as markup by the palette, so they are only our own descriptions,
        never theme names or document text.
        """
        yield from super().get_system_commands(screen)
        if not isinstance(screen, ReaderScreen):
            return
        pane = screen.current_pane
        targets: list[DOMNode] = [pane.view, pane, screen, self]
        for (_, bindings), target in zip(self.key_sections(), targets, strict=True):
            for binding in bindings:
                title = binding.description
                if binding.action.startswith("tag("):
                    title = f"Tag with theme {binding.key}"
                yield SystemCommand(title, binding.tooltip or binding.description,
                                    partial(self.run_action, binding.action, target))
