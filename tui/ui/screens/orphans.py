"""Orphans (``O``): annotations whose passage vanished when their document changed.

They are never deleted behind the user's back. Here each one shows its document, themes and
the quote it had; Enter re-attaches it to the passage selected in the reader, ``d`` dismisses
(deletes) it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...core import Annotation, Document, StoreError, Workspace
from ...core.text import counted, displayable
from ..notices import notify_not_saved
from ..theme_chips import chips

QUOTE_CHARS = 160


@dataclass(frozen=True)
class Passage:
    """Where an orphan would go: the selection in the reader's focused pane."""

    document: Document
    start: int
    end: int


class OrphansScreen(ModalScreen[bool]):
    """The list of orphans; dismissed with True if anything changed, for the reader to repaint."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="orphans.close"),
        Binding("enter", "reattach", "Re-attach to selection", id="orphans.reattach"),
        Binding("d", "dismiss_orphan", "Dismiss (delete)", id="orphans.dismiss"),
    ]

    def __init__(self, workspace: Workspace, selection: Passage | None) -> None:
        super().__init__()
        self.workspace = workspace
        self.selection = selection
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="orphans") as frame:
            frame.border_title = "Orphaned annotations"
            yield Static(self._heading(), id="orphans-heading")
            yield OptionList(id="orphans-list")

    def _heading(self) -> Text:
        if self.selection is None:
            return Text("Select the new passage in a pane first (v, s or p) to re-attach. "
                        "d dismisses the highlighted orphan.")
        selection = self.selection
        excerpt = displayable(selection.document.text[selection.start : selection.end][:60])
        heading = Text("Enter re-attaches the highlighted orphan to “")
        heading.append(excerpt, style="bold")
        heading.append(f"” in {displayable(selection.document.title)}. d dismisses it.")
        return heading

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted or 0
        options.clear_options()
        orphans = self.workspace.orphans()
        if not orphans:
            options.add_option(Option(Text("No orphans: every annotation is anchored."), disabled=True))
            return
        options.add_options(self._option(annotation) for annotation in orphans)
        options.highlighted = min(highlighted, len(orphans) - 1)

    def _option(self, annotation: Annotation) -> Option:
        prompt = chips(filter(None, map(self.workspace.theme, annotation.themes)), separator=" ")
        prompt.append(f" · {displayable(self.workspace.document_title(annotation.document))}", style="dim")
        quote = annotation.quote if len(annotation.quote) <= QUOTE_CHARS else annotation.quote[:QUOTE_CHARS] + "…"
        prompt.append(f"\n“{displayable(quote)}”")
        return Option(prompt, id=str(annotation.id))

    def _highlighted(self) -> Annotation | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id
        return self.workspace.annotation_by_id(int(option_id)) if option_id else None

    def action_reattach(self) -> None:
        orphan = self._highlighted()
        if orphan is None:
            return
        if self.selection is None:
            self.notify("Select the new passage in a pane first, then press O again.", severity="warning")
            return
        target = self.selection
        try:
            self.workspace.reattach(orphan, target.document, target.start, target.end)
        except (StoreError, ValueError) as error:
            self.notify(str(error), title="Not re-attached", severity="error", markup=False)
            return
        self.notify(f"Re-attached to {counted(target.end - target.start, 'character')} of "
                    f"{target.document.title}", markup=False, timeout=4)
        self.dismiss(True)

    def action_dismiss_orphan(self) -> None:
        orphan = self._highlighted()
        if orphan is None:
            return
        try:
            self.workspace.dismiss(orphan)
        except StoreError as error:
            notify_not_saved(self, error)
            return
        self.changed = True
        self.notify("Orphan dismissed.", timeout=3)
        self._fill()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_reattach()
