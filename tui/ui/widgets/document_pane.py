"""A pane: a document's title, its reading view, a search field and a status line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from ...core import Document, Workspace
from ...core.session_state import PaneState
from ...core.text import counted, displayable
from ..theme_chips import chips
from .coding_stripes import CodingStripes
from .document_view import DocumentView

# Coding stripes show beside the text where there is room for both: a terminal this wide…
STRIPES_MIN_SCREEN = 120
# …and a pane this wide (two panes beside the document list at 160 columns; one at 120).
STRIPES_MIN_PANE = 60


class DocumentPane(Vertical):
    """One of the side-by-side panes. Owns the search field for its document."""

    BINDINGS = [Binding("slash", "search", "Search", tooltip="Search this document", id="pane.search")]

    def __init__(self, workspace: Workspace, document: Document, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace
        self.document = document
        self._saved_position: PaneState | None = None  # to restore once the document is read

    def compose(self) -> ComposeResult:
        yield Static(classes="pane-title")
        with Horizontal(classes="pane-body"):
            yield DocumentView(self.workspace, self.document)
            yield CodingStripes(self.workspace)
        yield Static(classes="pane-status")  # the search field goes above it when first opened

    def on_mount(self) -> None:
        self._update_title()
        self.update_status()

    @property
    def view(self) -> DocumentView:
        return self.query_one(DocumentView)

    @property
    def stripes(self) -> CodingStripes:
        return self.query_one(CodingStripes)

    def on_resize(self) -> None:
        """Stripes where the screen and the pane are wide enough, else only the gutter chips;
        the stylesheet shows or hides them by this class."""
        self.set_class(self.app.size.width >= STRIPES_MIN_SCREEN and self.size.width >= STRIPES_MIN_PANE,
                       "-stripes")

    def on_document_view_rows_shown(self, event: DocumentView.RowsShown) -> None:
        self.stripes.follow(event.view)

    def show_document(self, document: Document) -> None:
        self.document = document
        self._saved_position = None
        self.view.show_document(document)
        self._update_title()
        self.update_status()

    def _update_title(self) -> None:
        title = Text(displayable(self.document.title), style="bold")
        details = ", ".join(part for part in (self.document.source, self.document.date) if part)
        if details:
            title.append("  " + displayable(details), style="dim")
        self.query_one(".pane-title", Static).update(title)

    def update_status(self) -> None:
        """Position, annotation count, selection size and the themes under the cursor."""
        view = self.view
        count = self.workspace.annotation_count(self.document)
        status = Text()
        status.append(view.position_label)
        status.append(f" │ {counted(count, 'annotation')}")
        if view.match_label:
            status.append(f" │ {view.match_label}", style="bold")
        selection = view.selection
        if selection is not None:
            status.append(f" │ {selection.end - selection.start} selected", style="bold")
        themes = self.workspace.themes_at(self.document, view.cursor) if self.document.loaded else []
        if themes:
            status.append(" │ ")
            status.append_text(chips(themes))
        self.query_one(".pane-status", Static).update(status)

    def on_document_view_cursor_moved(self, event: DocumentView.CursorMoved) -> None:
        self.update_status()

    def on_document_view_read(self, event: DocumentView.Read) -> None:
        self._update_title()  # the title comes from the text unless the catalog gives one
        self._apply_saved_position()

    # -- resuming ------------------------------------------------------------------------

    def reading_position(self) -> PaneState:
        """The document, the cursor and the first character on screen, to resume from."""
        if not self.document.loaded:
            return self._saved_position or PaneState(self.document.key)
        view = self.view
        return PaneState(self.document.key, view.cursor, view.layout_rows.row_start(view.scroll_offset.y))

    def restore_position(self, saved: PaneState) -> None:
        """Put the cursor and the view back where they were; a document still being read gets
        them once it has been read."""
        self._saved_position = saved
        if self.document.loaded:
            self._apply_saved_position()

    def _apply_saved_position(self) -> None:
        saved = self._saved_position
        if saved is None or not self.document.loaded:
            return
        self._saved_position = None
        view = self.view
        view.move_to(saved.cursor)  # also wraps the rows around it, so the top's row is exact
        rows = view.layout_rows
        top = rows.row_of(min(saved.top, view.cursor))
        if top <= rows.row_of(view.cursor) < top + view.scrollable_content_region.height:
            view.scroll_to(y=top, animate=False)  # else (a narrower terminal) the cursor stays in view

    # -- search --------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Searching waits until the document has been read."""
        return True if action != "search" or self.document.loaded else None

    @property
    def search_field(self) -> Input | None:
        """The search field, once the pane has been searched (``action_search`` mounts it)."""
        return next(iter(self.query(".pane-search").results(Input)), None)

    async def action_search(self) -> None:
        """Open the search field, built the first time: most panes are never searched, and
        the first paint does not wait for two hidden inputs."""
        search = self.search_field
        if search is None:
            search = Input(placeholder="Search this document (Enter: go, Esc: cancel)", classes="pane-search")
            await self.mount(search, before=self.query_one(".pane-status"))
        search.value = self.view.search_text
        search.add_class("-active")
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_search()
        if event.value and not self.view.search(event.value):
            self.notify(f"No match for “{event.value}” in this document.", severity="warning", markup=False)

    def on_key(self, event) -> None:
        search = self.search_field
        if event.key == "escape" and search is not None and search.has_focus:
            event.stop()
            self._close_search()

    def _close_search(self) -> None:
        self.query_one(".pane-search", Input).remove_class("-active")  # only ever open once mounted
        self.view.focus()
