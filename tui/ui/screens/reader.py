"""The main screen: the document list beside 1–4 reading panes, and the coding actions.

Tagging lives here rather than in a pane because it joins what a pane knows (the selection)
with what the workspace does (the store), and every pane showing the document must repaint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Footer

from ...core import Annotation, Document, StoreError, TagOutcome, Theme, Workspace, quotation
from ...core.search import Hit
from ...core.session_state import ReadingState, opening_panes
from ...core.text import counted, displayable, strip_span
from ..clipboard import copy_text
from ..notices import notify_not_saved
from ..widgets.database_bar import DatabaseBar
from ..widgets.document_list import DocumentList
from ..widgets.document_pane import DocumentPane
from ..widgets.document_view import DocumentView
from ..widgets.job_progress import JobProgress

if TYPE_CHECKING:  # the screens the reader opens load when first opened, after the first paint
    from .theme_picker import PickedTheme
    from .theme_view import Passage as ThemePassage

MAX_PANES = 4


# The document list's subtitle counts files read in the background every this many files.
PROGRESS_EVERY = 25


class ReaderScreen(Screen):
    """Documents side by side, tagged from the keyboard."""

    BINDINGS = [
        *(Binding(str(key), f"tag({key})", "Tag with theme", show=False,
                  tooltip="Tag (or untag) the selection, or the paragraph, with the theme on that digit",
                  id=f"reader.tag-theme-{key}")
          for key in range(1, 10)),
        Binding("t", "pick_theme", "Theme",
                tooltip="Theme picker for the selection, or the annotation under the cursor: "
                        "filter, apply or remove, or create a theme", id="reader.theme"),
        Binding("y", "copy", "Copy", show=False,
                tooltip="Copy the selection (or the annotation under the cursor) with a citation",
                id="reader.copy"),
        Binding("x", "remove_annotation", "Remove", tooltip="Remove the annotation under the cursor",
                id="reader.remove"),
        Binding("tab", "cycle_pane(1)", "Next pane", show=False, id="reader.next-pane"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, id="reader.previous-pane"),
        Binding("plus", "add_pane", "Add pane", show=False, tooltip="Add a pane (up to 4)",
                id="reader.add-pane"),
        Binding("minus", "close_pane", "Close pane", show=False, tooltip="Close the focused pane (one stays)",
                id="reader.close-pane"),
        Binding("o", "documents", "Documents", show=False,
                tooltip="Choose the document shown in the focused pane", id="reader.documents"),
        Binding("backslash", "toggle_documents", "Hide list", show=False,
                tooltip="Hide or show the document list (more room for the panes)",
                id="reader.toggle-documents"),
        Binding("a", "browse", "Annotations",
                tooltip="Browse every annotation: filter, sort, jump, edit themes and memos, delete",
                id="reader.annotations"),
        Binding("F,ctrl+f", "search_corpus", "Search all", show=False,
                tooltip="Search every document; tag the hits with a theme (keyword auto-coding)",
                id="reader.search-all"),
        Binding("T", "theme_view", "Theme view", show=False,
                tooltip="Every passage of the theme under the cursor (or a picked one), document by document",
                id="reader.theme-view"),
        Binding("e", "export", "Export", show=False,
                tooltip="Export: CSV, JSON lines, Markdown report, W3C Web Annotation, REFI-QDA project or codebook",
                id="reader.export"),
        Binding("S", "statistics", "Statistics", show=False,
                tooltip="Statistics: annotations per theme and document, theme × document, co-occurrence",
                id="reader.statistics"),
        Binding("M", "matrix", "Matrix", show=False,
                tooltip="Themes by attribute (country, year, speaker…) as a heat map; Enter lists a cell's passages",
                id="reader.matrix"),
        Binding("c", "codebook", "Codebook", show=False,
                tooltip="Codebook: create, rename, describe, recolour, reorder, group, merge, delete themes",
                id="reader.codebook"),
        Binding("m", "memo", "Memo", tooltip="Write or edit the memo of the annotation under the cursor",
                id="reader.memo"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo the last change (tag, untag, remove, memo…)",
                id="reader.undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, tooltip="Redo the last undone change",
                id="reader.redo"),
        Binding("O", "orphans", "Orphans", show=False,
                tooltip="Annotations lost when their document changed: re-attach or dismiss them",
                id="reader.orphans"),
        Binding("C", "compare", "Compare coders", show=False,
                tooltip="Compare two coders side by side and settle their disagreements into the project's database",
                id="reader.compare"),
        Binding("ctrl+o", "toggle_others", "Others", show=False,
                tooltip="Show or hide the other coders' coding (read-only, underlined)",
                id="reader.toggle-others"),
        Binding("Q", "query", "Query", show=False,
                tooltip='Coding query: "A" AND "B", OR, NOT, NEAR/n, doc:, attribute=value; code the results',
                id="reader.query"),
    ]

    def __init__(self, workspace: Workspace, panes: int | None = None,
                 resume: ReadingState | None = None, show_others: bool = False) -> None:
        """``panes`` (the command line's) wins over the count ``resume`` saved, else two.
        ``show_others`` starts with the other coders' coding shown (``--show-others``)."""
        super().__init__()
        self.workspace = workspace
        self.show_others = show_others
        self.opening, self.initial_focus = opening_panes(resume, workspace.documents, panes, most=MAX_PANES)
        self.documents_hidden = resume is not None and resume.documents_hidden
        self._current: DocumentPane | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="workspace"):
            documents_list = DocumentList(self.workspace, id="documents")
            documents_list.set_class(self.documents_hidden, "-hidden")
            documents_list.border_title = "Documents"
            yield documents_list
            with Horizontal(id="panes"):
                for document, _ in self.opening:
                    yield DocumentPane(self.workspace, document)
        yield JobProgress(id="job-progress")
        yield DatabaseBar()
        yield Footer()

    def on_mount(self) -> None:
        panes = self.panes
        panes[self.initial_focus].view.focus()
        for pane, (_, saved) in zip(panes, self.opening, strict=True):
            if saved is not None:
                self.call_after_refresh(pane.restore_position, saved)  # once the panes have their size
        if self.show_others:
            self._show_others()
        self.update_database_bar()
        if not self.workspace.writable:
            self.notify(f"Read-only: {self.workspace.read_only_reason}. Changes cannot be made.",
                        title="Database is read-only", severity="warning", markup=False, timeout=15)
        for reason in self.workspace.corpus.skipped:
            self.notify(f"Skipped {reason}", severity="warning", markup=False, timeout=10)
        if self.workspace.journal_problems:
            self.notify("\n".join(self.workspace.journal_problems), title="Journal lines not applied",
                        severity="warning", markup=False, timeout=20)
        for reason in self.workspace.corpus.warnings:  # a malformed attributes.csv
            self.notify(reason, severity="warning", markup=False, timeout=10)
        self.announce_reanchoring()
        waiting = [document for document in self.workspace.documents if not document.loaded]
        if waiting:
            self._read_documents(waiting, self.query_one(DocumentList))

    @work(thread=True, exclusive=True, group="documents")
    def _read_documents(self, waiting: list[Document], document_list: DocumentList) -> None:
        """Read the documents a lazy open left for later, off the UI thread, so that titles,
        search and statistics do not wait on the disk. The list's subtitle shows progress."""
        for number, document in enumerate(waiting, 1):
            document.text  # noqa: B018 - reads the file
            if number % PROGRESS_EVERY == 0:
                self.app.call_from_thread(self._show_reading, document_list, f"reading {number}/{len(waiting)}…")
        self.app.call_from_thread(self._documents_read)

    @staticmethod
    def _show_reading(document_list: DocumentList, progress: str) -> None:
        document_list.border_subtitle = progress
        document_list.refresh()  # titles replace file names as files are read

    def _documents_read(self) -> None:
        """Every file has been read: those that could not be move to the end of the list,
        shown with their reason, and are reported."""
        document_list = self.query_one(DocumentList)
        document_list.border_subtitle = ""
        dropped = self.workspace.corpus.drop_unreadable()
        for reason in dropped:
            self.notify(f"Skipped {reason}", severity="warning", markup=False, timeout=10)
        if dropped:
            document_list.show_documents()
            self.update_database_bar()
        document_list.refresh()

    def announce_reanchoring(self) -> None:
        """Tell the user what happened to annotations of documents that changed on disk.

        The workspace re-anchors a document when its annotations are first needed; asking for
        those of every shown document makes that happen now rather than at some repaint.
        """
        for pane in self.panes:
            if pane.document.loaded:  # the others are announced when read (see _document_read)
                self.workspace.annotations(pane.document)
        reports = self.workspace.take_reports()
        for report in reports:
            orphaned = " Press O to re-attach or dismiss orphans." if report.orphaned else ""
            self.notify(report.message + orphaned, title="Document changed",
                        severity="warning" if report.orphaned else "information", markup=False, timeout=12)
        if reports:
            self.update_database_bar()

    # -- panes ---------------------------------------------------------------------------

    @property
    def panes(self) -> list[DocumentPane]:
        return list(self.query(DocumentPane))

    @property
    def current_pane(self) -> DocumentPane:
        if self._current is None or self._current not in self.panes:
            self._current = self.panes[0]
        return self._current

    @on(DescendantFocus)
    def _remember_pane(self, event: DescendantFocus) -> None:
        for node in event.widget.ancestors_with_self:
            if isinstance(node, DocumentPane):
                self._current = node
                return

    def reading_state(self) -> ReadingState:
        """What to resume from next time: each pane's document and place, the focused pane."""
        panes = self.panes
        return ReadingState([pane.reading_position() for pane in panes], panes.index(self.current_pane),
                            self.query_one(DocumentList).has_class("-hidden"))

    def action_cycle_pane(self, delta: int) -> None:
        panes = self.panes
        index = panes.index(self.current_pane) if self.current_pane in panes else 0
        panes[(index + delta) % len(panes)].view.focus()

    async def action_add_pane(self) -> None:
        panes = self.panes
        if len(panes) >= MAX_PANES:
            self.notify(f"At most {MAX_PANES} panes.", severity="warning")
            return
        shown = {pane.document.key for pane in panes}
        documents = self.workspace.documents
        document = next((d for d in documents if d.key not in shown), documents[len(panes) % len(documents)])
        pane = DocumentPane(self.workspace, document)
        await self.query_one("#panes").mount(pane)
        pane.view.focus()
        self.announce_reanchoring()

    def action_close_pane(self) -> None:
        panes = self.panes
        if len(panes) == 1:
            self.notify("The last pane stays open.", severity="warning")
            return
        closing = self.current_pane
        neighbour = panes[panes.index(closing) - 1] if panes.index(closing) else panes[1]
        closing.remove()
        self._current = neighbour
        neighbour.view.focus()

    def action_documents(self) -> None:
        self.query_one(DocumentList).remove_class("-hidden").focus()

    def action_toggle_documents(self) -> None:
        """Give the list's columns to the panes on a small terminal, or bring it back."""
        document_list = self.query_one(DocumentList)
        document_list.toggle_class("-hidden")
        if document_list.has_class("-hidden") and document_list.has_focus:
            self.current_pane.view.focus()

    @on(DocumentView.Read)
    def _document_read(self) -> None:
        """A pane's document has been read: it may have been re-anchored, and its title is known."""
        self.announce_reanchoring()
        self.query_one(DocumentList).refresh()

    @on(DocumentList.Chosen)
    def _open_document(self, event: DocumentList.Chosen) -> None:
        pane = self.current_pane
        pane.show_document(event.document)
        pane.view.focus()
        self.announce_reanchoring()

    # -- coding --------------------------------------------------------------------------

    def _target_span(self, pane: DocumentPane) -> tuple[int, int] | None:
        """What a digit or the picker codes: the selection; with none, the passage of the
        annotation under the cursor (so a second digit edits the passage just tagged, not
        its paragraph); else the paragraph under the cursor. Without outer whitespace."""
        view = pane.view
        selection = view.selection
        if selection is not None:
            span = strip_span(pane.document.text, selection.start, selection.end)
        else:
            under = self.workspace.annotations(pane.document).at(view.cursor)
            span = (under[0].start, under[0].end) if under else pane.document.index.paragraph_at(view.cursor)
        if span is None or span[0] >= span[1]:
            self.notify("Nothing to tag here: select a passage or move to a paragraph.", severity="warning")
            return None
        return span

    def action_tag(self, key: int) -> None:
        theme = self.workspace.theme_for_key(key)
        if theme is None:
            self.notify(f"No theme on key {key}: press t to create one.", severity="warning")
            return
        self._toggle(self.current_pane, theme)

    def _toggle(self, pane: DocumentPane, theme: Theme, span: tuple[int, int] | None = None) -> None:
        span = span or self._target_span(pane)
        if span is None:
            return
        try:
            result = self.workspace.toggle_theme(pane.document, span[0], span[1], theme)
        except StoreError as error:
            notify_not_saved(self, error)
            return
        pane.view.end_selection(*span)  # the next digit edits this passage's themes
        verb = "Tagged" if result.outcome is TagOutcome.ADDED else "Removed"
        preposition = "with" if result.outcome is TagOutcome.ADDED else "from"
        self.notify(f"{verb} {counted(span[1] - span[0], 'character')} {preposition} {theme.name}", markup=False, timeout=3)
        self.annotations_changed(pane.document)

    def action_pick_theme(self) -> None:
        """Themes for what a digit would code (see ``_target_span``), those it has ticked."""
        pane = self.current_pane
        span = self._target_span(pane)
        if span is None:
            return
        from .theme_picker import ThemePicker, chosen_theme

        existing = self.workspace.annotations(pane.document).exactly(*span)
        applied = set(existing.themes) if existing else set()

        def apply(picked: PickedTheme | None) -> None:
            theme = chosen_theme(self, self.workspace, picked)
            if theme is not None:
                self._toggle(pane, theme, span)

        title = "Tag with a theme: type to filter, Enter applies or removes"
        self.app.push_screen(ThemePicker(self.workspace.themes, applied, title=title), apply)

    def action_copy(self) -> None:
        pane = self.current_pane
        view = pane.view
        selection = view.selection
        if selection is not None:
            start, end = selection.start, selection.end
        else:
            under = self.workspace.annotations(pane.document).at(view.cursor)
            if not under:
                self.notify("Nothing to copy: select a passage or move onto an annotation.", severity="warning")
                return
            start, end = under[0].start, under[0].end
        self.notify(copy_text(self.app, quotation(pane.document, start, end)), timeout=3)

    def action_remove_annotation(self) -> None:
        pane = self.current_pane
        under = self.workspace.annotations(pane.document).at(pane.view.cursor)
        if not under:
            self.notify("No annotation under the cursor.", severity="warning")
            return
        annotation = under[0]
        try:
            self.workspace.remove(pane.document, annotation)
        except StoreError as error:
            notify_not_saved(self, error)
            return
        names = ", ".join(t.name for t in map(self.workspace.theme, annotation.themes) if t)
        self.notify(f"Removed the annotation ({names})", markup=False, timeout=3)
        self.annotations_changed(pane.document)

    def _annotation_here(self, pane: DocumentPane):
        """The selected passage's annotation, else the innermost one under the cursor."""
        annotations = self.workspace.annotations(pane.document)
        selection = pane.view.selection
        if selection is not None:
            exact = annotations.exactly(*strip_span(pane.document.text, selection.start, selection.end))
            if exact is not None:
                return exact
        under = annotations.at(pane.view.cursor)
        return under[0] if under else None

    def action_search_corpus(self) -> None:
        from .corpus_search import CorpusSearchScreen

        self.app.push_screen(CorpusSearchScreen(self.workspace), self._open_hit)

    def _open_hit(self, hit: Hit | None) -> None:
        self._show_passage((hit.document, hit.start, hit.end) if hit else None)

    def action_theme_view(self) -> None:
        from .theme_picker import ThemePicker
        from .theme_view import ThemeViewScreen

        pane = self.current_pane
        here = self.workspace.themes_at(pane.document, pane.view.cursor)

        def show(theme: Theme | None) -> None:
            if theme is not None:
                self.app.push_screen(ThemeViewScreen(self.workspace, theme), self._open_passage)

        if here:
            show(here[0])
        else:
            title = "Show every passage of the theme…"
            self.app.push_screen(ThemePicker(self.workspace.themes, set(), title=title, creates=False),
                                 lambda picked: show(picked.theme if picked else None))

    def _open_passage(self, passage: ThemePassage | None) -> None:
        self._show_passage((passage.document, passage.annotation.start, passage.annotation.end) if passage else None)

    def action_export(self) -> None:
        from .export import ExportFlow  # the exporters load on first use, not at start-up

        ExportFlow(self, self.workspace, self.query_one(JobProgress)).start()

    def action_statistics(self) -> None:
        from .statistics import StatisticsScreen  # plotext loads on first use, not at start-up

        self.app.push_screen(StatisticsScreen(self.workspace))

    def action_matrix(self) -> None:
        from .matrix import MatrixScreen  # loaded on first use: start-up stays short

        self.app.push_screen(MatrixScreen(self.workspace), self._show_passage)

    def action_codebook(self) -> None:
        from .codebook import CodebookScreen

        self.app.push_screen(CodebookScreen(self.workspace), lambda _: self.everything_changed())

    def action_browse(self) -> None:
        from .browser import BrowserScreen  # loaded on first use: start-up stays short

        self.app.push_screen(BrowserScreen(self.workspace), self._jump_to)

    def action_query(self) -> None:
        from .query import QueryScreen  # loaded on first use: start-up stays short

        self.app.push_screen(QueryScreen(self.workspace), self._show_passage)

    def _jump_to(self, annotation: Annotation | None) -> None:
        document = self.workspace.document_of(annotation) if annotation else None
        if annotation is not None and document is None:
            self.notify("That annotation's document is not open in this corpus.", severity="warning")
        self._show_passage((document, annotation.start, annotation.end) if document else None)

    def _show_passage(self, passage: tuple[Document, int, int] | None) -> None:
        """Back from a screen that may have changed annotations: repaint, then select the
        passage it chose (if any) in the focused pane."""
        self.everything_changed()
        if passage is None:
            return
        document, start, end = passage
        pane = self.current_pane
        if pane.document is not document:
            pane.show_document(document)
            self.announce_reanchoring()
        pane.view.select(start, end)
        pane.view.scroll_to_cursor(center=True)
        pane.view.focus()

    def action_memo(self) -> None:
        pane = self.current_pane
        annotation = self._annotation_here(pane)
        if annotation is None:
            self.notify("No annotation here: tag the passage first, then press m.", severity="warning")
            return

        def save(note: str | None) -> None:
            if note is None or note == annotation.note:
                return
            try:
                self.workspace.set_note(pane.document, annotation, note)
            except StoreError as error:
                notify_not_saved(self, error)
                return
            self.notify("Memo saved." if note else "Memo removed.", timeout=3)
            self.annotations_changed(pane.document)

        from .memo import MemoEditor  # TextArea loads on first use: start-up stays short

        self.app.push_screen(MemoEditor(annotation.quote, annotation.note), save)

    def action_undo(self) -> None:
        self._travel(self.workspace.undo, "Undid", "Nothing to undo.")

    def action_redo(self) -> None:
        self._travel(self.workspace.redo, "Redid", "Nothing to redo.")

    def _travel(self, step, verb: str, nothing: str) -> None:
        try:
            label = step()
        except StoreError as error:
            notify_not_saved(self, error)
            return
        if label is None:
            self.notify(nothing, severity="warning", timeout=3)
            return
        self.notify(f"{verb}: {label}", markup=False, timeout=3)
        self.everything_changed()

    def action_orphans(self) -> None:
        from .orphans import OrphansScreen, Passage

        pane = self.current_pane
        selection = pane.view.selection
        passage = None
        if selection is not None:
            span = strip_span(pane.document.text, selection.start, selection.end)
            if span[0] < span[1]:
                passage = Passage(pane.document, *span)

        def after(changed: bool | None) -> None:
            if changed:
                self.everything_changed()

        self.app.push_screen(OrphansScreen(self.workspace, passage), after)

    def action_compare(self) -> None:
        """Ask which two coders (of the project's ``coders/`` folder) to compare, unless
        there are just two, and open the compare screen on them."""
        from ...core.sharing import coder_databases, project_of
        from .prompt import ChoicePrompt

        project = project_of(self.workspace.database_path) or self.workspace.database_path
        databases = coder_databases(project)
        if len(databases) < 2:
            self.notify(f"Comparing needs two coders' databases in {project.parent / 'coders'} "
                        f"({len(databases)} there): code with margin --coder NAME.",
                        severity="warning", markup=False, timeout=8)
            return
        if len(databases) == 2:
            self._compare(project, *databases)
            return
        if len(databases) > 9:
            self.notify("More than nine coders: name two with margin compare A B.", severity="warning",
                        timeout=8)
            return
        choices = {str(number): displayable(path.stem) for number, path in enumerate(databases, 1)}

        def second(first: str | None) -> None:
            if first is None:
                return
            others = {key: name for key, name in choices.items() if key != first}

            def compare(chosen: str | None) -> None:
                if chosen is not None:
                    self._compare(project, databases[int(first) - 1], databases[int(chosen) - 1])

            self.app.push_screen(ChoicePrompt(f"Compare {choices[first]} (A) with which coder (B)?", others),
                                 compare)

        self.app.push_screen(ChoicePrompt("Compare which coder (A, on the left)?", choices), second)

    def _compare(self, project, first, second) -> None:
        """The compare screen between two coders' databases, settling into the project's:
        the reader's own workspace in project mode; in coder mode the project's database,
        opened for writing while the screen is open."""
        from ...core.adjudication import open_adjudication, open_consensus
        from .compare import CompareScreen

        owned = self.workspace.coder is not None
        try:
            consensus = open_consensus(project) if owned else self.workspace
            try:
                adjudication = open_adjudication(consensus, first, second)
            except BaseException:
                if owned:
                    consensus.close()
                raise
        except StoreError as error:
            self.notify(str(error), title="Cannot compare", severity="error", markup=False, timeout=10)
            return
        self.app.push_screen(CompareScreen(adjudication, owns_consensus=owned),
                             lambda _: self.everything_changed())
    def action_toggle_others(self) -> None:
        """Show the other coders' coding, read afresh, or hide it again."""
        if self.workspace.others is None:
            self._show_others()
        else:
            self.workspace.hide_others()
            self.notify("Other coders' coding hidden: only your own is shown.", timeout=3)
        self.everything_changed()

    def _show_others(self) -> None:
        """Open the other coders' databases; each that cannot be opened is one notice."""
        for problem in self.workspace.show_others():
            self.notify(problem, title="Other coder not shown", severity="warning", markup=False, timeout=15)
        if not self.workspace.others:
            self.notify("No other coder's database in this project (annotations/coders/).",
                        severity="warning", timeout=8)

    def annotations_changed(self, document: Document) -> None:
        """Repaint every pane showing ``document`` and the counts in the document list."""
        for pane in self.panes:
            if pane.document is document:
                pane.view.notify_annotations_changed()
        self.query_one(DocumentList).refresh_count(document)
        self.update_database_bar()
        if self.workspace.save_error:
            notify_not_saved(self, self.workspace.save_error, title="Not saved yet")

    def everything_changed(self) -> None:
        """After a change that may touch any document (undo, orphans): repaint it all."""
        for pane in self.panes:
            pane.view.notify_annotations_changed()
        document_list = self.query_one(DocumentList)
        for document in self.workspace.documents:
            document_list.refresh_count(document)
        self.update_database_bar()

    def update_database_bar(self) -> bool:
        """Show the workspace's status in the bottom bar if it changed; True if it did.
        (Nothing before the screen is composed: the app's idle tick may come first.)"""
        for bar in self.query(DatabaseBar):
            return bar.show(self.workspace.status())
        return False
