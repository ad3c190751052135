"""The annotation browser (``a``): every annotation, filtered as you type, sortable; Enter
jumps the focused pane to the passage, ``t`` edits its themes, ``m`` its memo, ``x`` deletes it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from ...core import Annotation, StoreError, Workspace
from ...core.browse import SortOrder
from ...core.text import counted
from ..notices import notify_not_saved
from ..theme_chips import chips
from ..widgets.annotation_table import AnnotationTable
from .memo import MemoEditor
from .theme_picker import PickedTheme, ThemePicker, chosen_theme


class BrowserScreen(Screen[Annotation | None]):
    """Dismissed with the annotation to jump to, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back to reading", id="browser.close"),
        Binding("ctrl+o", "sort", "Sort", id="browser.sort"),
        Binding("t", "themes", "Themes", id="browser.themes"),
        Binding("m", "memo", "Memo", id="browser.memo"),
        Binding("x", "delete", "Delete", id="browser.delete"),
        Binding("down", "focus_table", "To the list", show=False, id="browser.to-list"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.order = SortOrder.DOCUMENT

    def compose(self) -> ComposeResult:
        yield Input(placeholder='Filter: words, "a phrase", theme:… doc:… memo:… author:…',
                    id="browser-filter")
        yield AnnotationTable(self.workspace, id="browser-table")
        yield Static(id="browser-themes")
        yield Static(id="browser-status")
        yield Footer()

    def on_mount(self) -> None:
        self.refill()
        self.query_one(Input).focus()

    @property
    def table(self) -> AnnotationTable:
        return self.query_one(AnnotationTable)

    def refill(self) -> None:
        query = self.query_one(Input).value
        rows = self.workspace.find_annotations(query, self.order)
        self.table.show(rows)
        total = self.workspace.annotation_total
        status = Text(f" {counted(len(rows), 'annotation')}")
        if len(rows) != total:
            status.append(f" of {total}")
        status.append(f" · {self.order.value}", style="dim")
        self.query_one("#browser-status", Static).update(status)

    @on(Input.Changed, "#browser-filter")
    def _filter(self) -> None:
        self.refill()

    @on(Input.Submitted, "#browser-filter")
    def _submit(self) -> None:
        self.table.action_choose()

    @on(AnnotationTable.Highlighted)
    def _show_themes(self, event: AnnotationTable.Highlighted) -> None:
        """The highlighted annotation's themes in full, each with its path if it is nested."""
        themes = filter(None, map(self.workspace.theme, event.annotation.themes if event.annotation else ()))
        line = Text(" ")
        line.append_text(chips(themes, separator="   ", ancestors_of=self.workspace.tree.ancestors))
        self.query_one("#browser-themes", Static).update(line)

    @on(AnnotationTable.Chosen)
    def _chosen(self, event: AnnotationTable.Chosen) -> None:
        self.dismiss(event.annotation)

    def action_focus_table(self) -> None:
        self.table.focus()

    def action_sort(self) -> None:
        self.order = self.order.next()
        self.refill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Single-letter actions act on the list; while typing a filter, letters are text."""
        return not (action in {"themes", "memo", "delete"} and self.query_one(Input).has_focus)

    def _highlighted(self) -> tuple[Annotation, object] | None:
        annotation = self.table.current
        document = self.workspace.document_of(annotation) if annotation else None
        if annotation is None or document is None:
            self.notify("No annotation here, or its document is not open.", severity="warning")
            return None
        return annotation, document

    def _saved(self, change) -> bool:
        try:
            change()
        except StoreError as error:
            notify_not_saved(self, error)
            return False
        self.refill()
        return True

    def action_delete(self) -> None:
        target = self._highlighted()
        if target is not None and self._saved(lambda: self.workspace.remove(target[1], target[0])):
            self.notify("Annotation deleted (u in the reader undoes it).", timeout=3)

    def action_memo(self) -> None:
        target = self._highlighted()
        if target is None:
            return
        annotation, document = target

        def save(note: str | None) -> None:
            if note is not None and note != annotation.note:
                self._saved(lambda: self.workspace.set_note(document, annotation, note))

        self.app.push_screen(MemoEditor(annotation.quote, annotation.note), save)

    def action_themes(self) -> None:
        target = self._highlighted()
        if target is None:
            return
        annotation, document = target

        def apply(picked: PickedTheme | None) -> None:
            theme = chosen_theme(self, self.workspace, picked)
            if theme is not None:
                self._saved(lambda: self.workspace.toggle_theme(document, annotation.start, annotation.end, theme))

        title = "Themes of this annotation: Enter applies or removes"
        self.app.push_screen(ThemePicker(self.workspace.themes, set(annotation.themes), title=title), apply)
