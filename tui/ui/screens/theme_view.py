"""The theme view (``T``): every passage tagged with a theme, grouped by document, with its
context, so a reader compares how documents treat it. ``2`` opens a second column beside the
first; in the focused column ``t`` picks another theme and ``[`` / ``]`` narrow it to one
document after another, so two themes or two documents sit side by side. Enter jumps to the
passage in its document.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...core import Annotation, Document, Theme, Workspace
from ...core.text import counted, displayable
from ..theme_chips import chip, chips
from .theme_picker import PickedTheme, ThemePicker

CONTEXT_CHARS = 80
# ] and [ share one footer entry, so an 80-column footer still shows ? (help).
DOCUMENTS = Binding.Group("Next / previous document")


@dataclass(frozen=True)
class Passage:
    document: Document
    annotation: Annotation


class ThemeColumn(Vertical):
    """One theme's passages (optionally in one document only), in corpus order: those coded
    with the theme or with any theme nested under it, each of the latter marked with the
    sub-theme it carries, so a parent shows everything its subtree holds."""

    def __init__(self, workspace: Workspace, theme: Theme) -> None:
        super().__init__(classes="theme-column")
        self.workspace = workspace
        self.theme = theme
        self.document: Document | None = None
        self.passages: list[Passage] = []
        self.subtree: set[int] = {theme.id}  # the theme and every theme under it

    def compose(self) -> ComposeResult:
        yield Static(classes="theme-column-title")
        yield OptionList()

    def on_mount(self) -> None:
        self.fill()

    def documents_with_passages(self) -> list[Document]:
        subtree = self.workspace.tree.descendants(self.theme)
        return [d for d in self.workspace.documents
                if any(not subtree.isdisjoint(a.themes) for a in self.workspace.annotations(d).items)]

    def fill(self) -> None:
        documents = [self.document] if self.document else self.workspace.documents
        self.subtree = subtree = self.workspace.tree.descendants(self.theme)
        self.passages = [
            Passage(document, annotation)
            for document in documents
            for annotation in self.workspace.annotations(document).items
            if not subtree.isdisjoint(annotation.themes)
        ]
        title = chip(self.theme)
        title.append(f" {displayable(self.workspace.tree.path(self.theme))}", style="bold")
        where = displayable(self.document.title) if self.document else "all documents"
        counts = counted(len(self.passages), "passage")
        if len(subtree) > 1:  # rolled up: say how many carry the theme itself
            own = sum(1 for passage in self.passages if self.theme.id in passage.annotation.themes)
            counts += f" with sub-themes ({own} its own)"
        title.append(f"  {counts} · {where}", style="dim")
        self.query_one(".theme-column-title", Static).update(title)
        options = self.query_one(OptionList)
        options.clear_options()
        current: Document | None = None
        for index, passage in enumerate(self.passages):
            if passage.document is not current:
                current = passage.document
                options.add_option(Option(Text(displayable(current.title), style="bold underline"), disabled=True))
            options.add_option(Option(self._prompt(passage), id=str(index)))
            options.add_option(None)  # a rule between passages
        if not self.passages:
            options.add_option(Option(Text("No passage carries this theme here yet."), disabled=True))

    def _prompt(self, passage: Passage) -> Text:
        text, annotation = passage.document.text, passage.annotation
        before = " ".join(text[max(0, annotation.start - CONTEXT_CHARS) : annotation.start].split())
        after = " ".join(text[annotation.end : annotation.end + CONTEXT_CHARS].split())
        prompt = Text(f"…{displayable(before)} ", style="dim")
        prompt.append(displayable(" ".join(annotation.quote.split())), style=Style(bold=True, underline=True))
        prompt.append(f" {displayable(after)}…", style="dim")
        if annotation.note:
            prompt.append(f"\n✎ {displayable(annotation.note)}", style="italic")
        if self.theme.id in annotation.themes:
            return prompt
        tree = self.workspace.tree  # here through a theme nested under it: name that theme first
        below = 1 + tree.depth(self.theme)  # each named from just under the column's theme
        nested = chips([tree.by_id[t] for t in annotation.themes if t in self.subtree],
                       ancestors_of=lambda theme: tree.ancestors(theme)[below:])
        nested.append("\n")
        nested.append_text(prompt)
        return nested

    def cycle_document(self, direction: int) -> None:
        """All documents, then each document with passages of this theme, in turn."""
        choices: list[Document | None] = [None, *self.documents_with_passages()]
        position = choices.index(self.document) if self.document in choices else 0
        self.document = choices[(position + direction) % len(choices)]
        self.fill()

    def highlighted_passage(self) -> Passage | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return self.passages[int(option_id)] if option_id is not None else None


class ThemeViewScreen(Screen[Passage | None]):
    """Dismissed with the passage to jump to, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back to reading", id="theme-view.close"),
        Binding("2", "second_column", "Side by side", id="theme-view.second-column"),
        Binding("t", "pick_theme", "Theme", id="theme-view.theme"),
        Binding("right_square_bracket", "document(1)", "Next document", id="theme-view.next-document",
                group=DOCUMENTS),
        Binding("left_square_bracket", "document(-1)", "Previous document",
                id="theme-view.previous-document", group=DOCUMENTS),
        Binding("tab", "other_column", "Other column", show=False, id="theme-view.other-column"),
    ]

    def __init__(self, workspace: Workspace, theme: Theme) -> None:
        super().__init__()
        self.workspace = workspace
        self.theme = theme

    def compose(self) -> ComposeResult:
        with Horizontal(id="theme-columns"):
            yield ThemeColumn(self.workspace, self.theme)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @property
    def focused_column(self) -> ThemeColumn:
        columns = list(self.query(ThemeColumn))
        focused = self.focused
        return next((c for c in columns if focused is not None and focused.parent is c), columns[0])

    async def action_second_column(self) -> None:
        columns = list(self.query(ThemeColumn))
        if len(columns) > 1:
            await columns[1].remove()
            columns[0].query_one(OptionList).focus()
            return
        column = ThemeColumn(self.workspace, self.focused_column.theme)
        await self.query_one("#theme-columns").mount(column)
        column.query_one(OptionList).focus()

    def action_other_column(self) -> None:
        columns = list(self.query(ThemeColumn))
        focused = self.focused_column
        columns[(columns.index(focused) + 1) % len(columns)].query_one(OptionList).focus()

    def action_pick_theme(self) -> None:
        column = self.focused_column

        def picked(choice: PickedTheme | None) -> None:
            if choice is not None and choice.theme is not None:
                column.theme, column.document = choice.theme, None
                column.fill()

        picker = ThemePicker(self.workspace.themes, {column.theme.id}, title="Show in this column…",
                             creates=False)
        self.app.push_screen(picker, picked)

    def action_document(self, direction: int) -> None:
        self.focused_column.cycle_document(direction)

    @on(OptionList.OptionSelected)
    def _jump(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        passage = self.focused_column.highlighted_passage()
        if passage is not None:
            self.dismiss(passage)
