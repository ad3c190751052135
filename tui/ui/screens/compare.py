"""The compare screen (``margin compare A B``, or ``C`` in the reader): one document twice,
coder A's coding on the left and B's on the right, both read-only, their disagreements marked;
``n`` / ``N`` walk the disagreements across the corpus and a key settles each into the
consensus database at once (``core/adjudication.py`` keeps the queue and writes)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...core import StoreError
from ...core.adjudication import Adjudication, Choice, Item
from ...core.text import counted, displayable
from ..notices import notify_not_saved
from ..widgets.compare_pane import ComparePane

class CompareScreen(Screen):
    """Two coders side by side, and the keys that settle where they differ. The keys have
    priority: the panes' own (``n`` next search match, ``b`` previous word, Esc clear the
    selection) give way to them here."""

    BINDINGS = [
        Binding("n", "go(1)", "Next", tooltip="Next disagreement (on to the next document at the last)",
                priority=True, id="compare.next"),
        Binding("N", "go(-1)", "Previous", tooltip="Previous disagreement", priority=True,
                id="compare.previous"),
        Binding("a", "decide('A')", "Accept A", tooltip="The consensus takes the left coder's coding here",
                priority=True, id="compare.accept-a"),
        Binding("b", "decide('B')", "Accept B", tooltip="The consensus takes the right coder's coding here",
                priority=True, id="compare.accept-b"),
        Binding("plus,equals_sign", "decide('both')", "Both",
                tooltip="The consensus takes both coders' coding here",
                priority=True, id="compare.accept-both"),
        Binding("x", "decide('neither')", "Neither",
                tooltip="The consensus takes neither coder's coding here (the theme is not coded)",
                priority=True, id="compare.neither"),
        Binding("m", "memo", "Memo", tooltip="Write or edit the memo of this decision", priority=True,
                id="compare.memo"),
        Binding("u", "undo", "Undo", tooltip="Undo the last decision (or memo)", priority=True,
                id="compare.undo"),
        Binding("escape", "close", "Close", tooltip="Close the comparison (every decision is saved already)",
                priority=True, id="compare.close"),
    ]

    def __init__(self, adjudication: Adjudication, owns_consensus: bool = False) -> None:
        """``owns_consensus``: the consensus was opened for this screen, which closes it."""
        super().__init__()
        self.adjudication = adjudication
        self.owns_consensus = owns_consensus

    def compose(self) -> ComposeResult:
        adjudication = self.adjudication
        item = adjudication.current
        document = adjudication.documents[item.passage.document] if item else next(
            iter(adjudication.documents.values()))
        with Horizontal(id="compare-panes"):
            for side, name, workspace in zip("AB", adjudication.names, adjudication.coders, strict=True):
                yield ComparePane(side, name, workspace, document)
        yield Static(id="compare-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query(ComparePane).first().view.focus()
        self.call_after_refresh(self.show_current)
        if self.adjudication.skipped:
            self.notify(f"Left out: {counted(self.adjudication.skipped, 'disagreement')} in documents that "
                        "cannot be read.", severity="warning", timeout=10)

    def on_unmount(self) -> None:
        if self.owns_consensus:
            try:
                self.adjudication.consensus.close()
            except StoreError as error:
                notify_not_saved(self.app, error)

    def show_current(self) -> None:
        """Both panes on the current disagreement (switching document if needed), marked; the
        status line says where it is and how many are settled."""
        adjudication = self.adjudication
        item = adjudication.current
        if item is not None:
            document = adjudication.documents[item.passage.document]
            marks = adjudication.in_document(item.passage.document)
            for pane in self.query(ComparePane):
                pane.show(document, marks, item)
        self.query_one("#compare-status", Static).update(self._status(item))

    def _status(self, item: Item | None) -> Text:
        adjudication = self.adjudication
        if item is None:
            first, second = (displayable(name) for name in adjudication.names)
            return Text(f"No disagreements between {first} and {second}.")
        line = Text()
        passage = item.passage
        line.append(f"{adjudication.position + 1}/{adjudication.total} ", style="bold")
        line.append(displayable(passage.theme), style="bold")
        for name in adjudication.names:
            spans = passage.coverage.get(name, ())
            line.append(f" · {displayable(name)} " + (", ".join(f"{s}–{e}" for s, e in spans) or "none"))
        if item.decision is None:
            line.append(" · open", style="bold")
        else:
            accepted = ", ".join(item.accepted) or "neither"
            line.append(f" · accepted: {displayable(accepted)}", style="bold")
            if item.decision.note:
                line.append(" ✎")
        line.append(f"   {adjudication.progress}")
        return line

    def action_go(self, step: int) -> None:
        if self.adjudication.go(step) is None:
            self.notify("No disagreements to go to.", severity="warning", timeout=3)
            return
        self.show_current()

    def action_decide(self, choice: str) -> None:
        if self.adjudication.current is None:
            self.notify("No disagreement to decide.", severity="warning", timeout=3)
            return
        try:
            self.adjudication.decide(Choice(choice))
        except StoreError as error:
            notify_not_saved(self, error)
        self.show_current()

    def action_memo(self) -> None:
        item = self.adjudication.current
        if item is None or item.decision is None:
            self.notify("Decide first (a, b, +, x), then write the decision's memo.", severity="warning",
                        timeout=4)
            return
        document = self.adjudication.documents[item.passage.document]

        def save(note: str | None) -> None:
            if note is None or note == item.decision.note:
                return
            try:
                self.adjudication.write_memo(note)
            except StoreError as error:
                notify_not_saved(self, error)
                return
            self.notify("Memo saved." if note else "Memo removed.", timeout=3)
            self.show_current()

        from .memo import MemoEditor

        quote = document.text[item.passage.start:item.passage.end]
        self.app.push_screen(MemoEditor(quote, item.decision.note), save)

    def action_undo(self) -> None:
        try:
            label = self.adjudication.undo()
        except StoreError as error:
            notify_not_saved(self, error)
            return
        if label is None:
            self.notify("Nothing to undo.", severity="warning", timeout=3)
            return
        self.notify(f"Undid: {label}", markup=False, timeout=3)
        self.show_current()

    async def action_close(self) -> None:
        """Back to the reader; from ``margin compare``, where there is none, quit."""
        if self.app.screen_stack[0] is self:
            await self.app.action_quit()
        else:
            self.dismiss()
