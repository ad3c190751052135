"""The query screen (``Q``): type a coding query (``"A" AND "B"``, ``"A" NEAR/5 "B"``,
``doc:report``, ``country=MX``; see ``core/query.py``), Enter runs it and lists the passages
it finds; Enter on a passage jumps the focused pane to it. ``ctrl+t`` codes every passage
found with a theme ("code from query": a new name creates it) as one undo step, and opens the
theme view of that theme on the results; ``ctrl+b`` then lists them in the annotation browser.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ...core import Document, StoreError, Workspace
from ...core.query import Passage, QueryError, code_from_query, describe, run
from ..notices import notify_not_saved
from ..widgets.virtual_list import VirtualList, cell
from .prompt import TextPrompt

DOCUMENT_WIDTH = 24
THEMES_WIDTH = 28
PLACE_WIDTH = 13

Target = tuple[Document, int, int]


class PassageList(VirtualList[Passage]):
    """A row per passage found: document, offsets, themes on it, text."""

    BINDINGS = [Binding("enter", "choose", "Go to passage", id="query.open")]

    class Chosen(Message):
        def __init__(self, passage: Passage) -> None:
            super().__init__()
            self.passage = passage

    def chosen_message(self, item: Passage) -> Message:
        return self.Chosen(item)

    def render_item(self, passage: Passage, width: int, style: Style, dim: Style) -> list[Segment]:
        quote_width = max(10, width - DOCUMENT_WIDTH - THEMES_WIDTH - PLACE_WIDTH - 4)
        return [
            Segment(" " + cell(passage.document.title, DOCUMENT_WIDTH) + " ", dim),
            Segment(cell(f"{passage.start}–{passage.end}", PLACE_WIDTH) + " ", dim),
            Segment(cell("; ".join(passage.theme_names), THEMES_WIDTH) + " ", style),
            Segment(cell(passage.quote, quote_width), style),
        ]


class QueryScreen(Screen[Target | None]):
    """Dismissed with the passage to jump to, or None."""

    DEFAULT_CSS = """
    #query-input { margin: 0 1; }
    #query-results { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
    #query-status { height: 1; background: $panel; }
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back to reading", id="query.close"),
        Binding("ctrl+t", "code", "Code as theme", id="query.code"),
        Binding("ctrl+b", "browse", "Browse coded", id="query.browse"),
        Binding("down", "focus_results", "To the list", show=False, id="query.to-list"),
    ]

    last_query = ""  # kept between openings, like a shell's last command

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.passages: list[Passage] = []
        self.coded_theme = None  # the theme the results were last coded with here

    def compose(self) -> ComposeResult:
        yield Input(QueryScreen.last_query, placeholder='Query: "Theme A" AND "Theme B", OR, NOT, NEAR/5, '
                    "( ), doc:name, attribute=value; Enter runs it", id="query-input")
        yield PassageList(id="query-results")
        yield Static(" Enter runs the query", id="query-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if QueryScreen.last_query:
            self.run_query(QueryScreen.last_query)

    @property
    def results(self) -> PassageList:
        return self.query_one(PassageList)

    def status(self, text: Text | str) -> None:
        self.query_one("#query-status", Static).update(text if isinstance(text, Text) else Text(" " + text))

    def run_query(self, source: str) -> None:
        try:
            self.passages = run(self.workspace, source)
        except QueryError as error:
            self.passages = []
            self.results.show_items([])
            self.status(Text(f" {error}", style="bold"))
            return
        QueryScreen.last_query = source
        self.results.show_items(self.passages)
        self.status(describe(self.passages) + ("  ·  Enter goes to one, ctrl+t codes them all with a theme"
                                                 if self.passages else ""))

    @on(Input.Submitted, "#query-input")
    def _submit(self, event: Input.Submitted) -> None:
        self.run_query(event.value)
        if self.passages:
            self.results.focus()

    @on(PassageList.Chosen)
    def _chosen(self, event: PassageList.Chosen) -> None:
        passage = event.passage
        self.dismiss((passage.document, passage.start, passage.end))

    def action_focus_results(self) -> None:
        self.results.focus()

    def action_code(self) -> None:
        if not self.passages:
            self.notify("No passages to code: run a query first.", severity="warning")
            return
        passages = list(self.passages)

        def code(name: str | None) -> None:
            if not name or not name.strip():
                return
            try:
                theme, tagged = code_from_query(self.workspace, passages, name.strip())
            except (StoreError, ValueError) as error:
                notify_not_saved(self, error)
                return
            self.notify(f"{describe(passages)} coded with {theme.name}: {tagged} newly "
                        "(u in the reader undoes it).", markup=False, timeout=5)
            self.coded_theme = theme
            self.run_query(QueryScreen.last_query)
            self.open_theme_view(theme)

        self.app.push_screen(TextPrompt(f"Code the {describe(passages)} with the theme (a new name creates it):"),
                             code)

    def action_browse(self) -> None:
        """The annotation browser, filtered to the theme the results were coded with."""
        from .browser import BrowserScreen

        if self.coded_theme is None:
            self.notify("Code the results with a theme first (ctrl+t); the browser lists annotations.",
                        severity="warning")
            return
        browser = BrowserScreen(self.workspace)

        def back(annotation) -> None:
            document = self.workspace.document_of(annotation) if annotation else None
            if document is not None:
                self.dismiss((document, annotation.start, annotation.end))

        self.app.push_screen(browser, back)
        words = " ".join(f"theme:{word}" for word in self.coded_theme.name.split())
        browser.call_after_refresh(lambda: setattr(browser.query_one(Input), "value", words))

    def open_theme_view(self, theme) -> None:
        from .theme_view import ThemeViewScreen

        def back(passage) -> None:
            if passage is not None:
                self.dismiss((passage.document, passage.annotation.start, passage.annotation.end))

        self.app.push_screen(ThemeViewScreen(self.workspace, theme), back)
