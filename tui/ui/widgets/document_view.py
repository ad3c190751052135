"""The reading widget: a document soft-wrapped to the pane, with cursor, selection and highlights.

It is a Line-API ``ScrollView`` (the pattern of Toolong's log view) rather than a ``TextArea``:
it renders only the rows on screen, builds each row from the text and an interval lookup of
annotations, and never turns document text into markup.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...core import Document, Workspace
from ...core.text import displayable
from ..layout import WrappedText
from ..row_paint import highlight_runs, styled_row
from ..theme_chips import chip, safe_colour

# v, s and p share one footer entry, "v s p Select": an 80-column footer has room for the
# coding keys too (help lists each with its own description).
SELECT = Binding.Group("Select")
GUTTER_WIDTH = 3  # two theme chips and a memo mark: the margin Margin is named after
_MEMO_MARK = "✎"  # in the gutter's last cell: a passage on this row has a memo
OWN_TINT = 0.55  # how far a theme's colour tints the background of one's own passages
OTHERS_TINT = 0.2  # and of other coders' (``--show-others``): muted, under their own style


@dataclass(frozen=True)
class Span:
    """A half-open range of offsets into the document's text."""

    start: int
    end: int


class DocumentView(ScrollView, can_focus=True):
    """Shows one document; moves a cursor over it; selects characters, sentences, paragraphs."""

    ALLOW_SELECT = False  # the view draws its own selection; Textual's screen-wide one would fight it

    BINDINGS = [
        Binding("h,left", "move_char(-1)", "Left", show=False, id="view.left"),
        Binding("l,right", "move_char(1)", "Right", show=False, id="view.right"),
        Binding("j,down", "move_row(1)", "Down", show=False, id="view.down"),
        Binding("k,up", "move_row(-1)", "Up", show=False, id="view.up"),
        Binding("w", "word(1)", "Next word", show=False, id="view.next-word"),
        Binding("b", "word(-1)", "Previous word", show=False, id="view.previous-word"),
        Binding("right_curly_bracket", "paragraph(1)", "Next paragraph", show=False,
                id="view.next-paragraph"),
        Binding("left_curly_bracket", "paragraph(-1)", "Previous paragraph", show=False,
                id="view.previous-paragraph"),
        Binding("g,home", "document_start", "Start", show=False, id="view.start"),
        Binding("G,end", "document_end", "End", show=False, id="view.end"),
        Binding("ctrl+d", "half_page(1)", "Half page down", show=False, id="view.half-page-down"),
        Binding("ctrl+u", "half_page(-1)", "Half page up", show=False, id="view.half-page-up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="view.page-down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="view.page-up"),
        Binding("0", "row_edge(-1)", "Row start", show=False, id="view.row-start"),
        Binding("dollar_sign", "row_edge(1)", "Row end", show=False, id="view.row-end"),
        Binding("v", "toggle_selection", "Select", tooltip="Start or stop a character selection",
                id="view.select", group=SELECT),
        Binding("s", "select_sentence", "Sentence", id="view.sentence", group=SELECT),
        Binding("p", "select_paragraph", "Paragraph", id="view.paragraph", group=SELECT),
        Binding("escape", "clear_selection", "Clear", show=False, id="view.clear"),
        Binding("n", "next_match(1)", "Next match", show=False, id="view.next-match"),
        Binding("N", "next_match(-1)", "Previous match", show=False, id="view.previous-match"),
    ]

    COMPONENT_CLASSES = {
        "document-view--cursor",
        "document-view--selection",
        "document-view--match",
        "document-view--gutter",
        "document-view--others",
    }

    cursor: reactive[int] = reactive(0, always_update=True, repaint=False)

    class _ViewMessage(Message):
        """A message about this view, which handlers can match by ``control``."""

        def __init__(self, view: DocumentView) -> None:
            super().__init__()
            self.view = view

        @property
        def control(self) -> DocumentView:
            return self.view

    class CursorMoved(_ViewMessage):
        """The cursor or the selection changed; panes update their status line."""

    class Read(_ViewMessage):
        """The document's file has been read (off the UI thread); its title and counts are known."""

    class RowsShown(_ViewMessage):
        """The rows on screen changed (a scroll, a new wrap, a resize) or their annotations
        did: what is drawn beside the view (the coding stripes) follows."""

    def __init__(self, workspace: Workspace, document: Document, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace
        self.document = document
        self.selection_anchor: int | None = None
        self.matches: list[Span] = []
        self._match_starts: list[int] = []  # matches never overlap: sorted by start and by end
        self.search_text = ""  # the last search, offered again by /
        self._layout: WrappedText | None = None
        self._recentre = False
        self._goal_x: int | None = None
        self._drag_start: int | None = None  # where the mouse was pressed, while it is held
        self._theme_backgrounds: dict[tuple[str, Color, float], Style] = {}
        self._shown: tuple | None = None  # the rows last announced by RowsShown

    # -- reading the file ---------------------------------------------------------------------

    def on_mount(self) -> None:
        self._open(self.document)

    def _open(self, document: Document) -> None:
        """Read a document not read yet: at once if that is quick, else in a worker."""
        if not document.loaded:
            if document.quick_to_read:
                document.text  # noqa: B018 - a few milliseconds
                self.post_message(self.Read(self))
            else:
                self._read(document)

    @work(thread=True, exclusive=True, group="read")
    def _read(self, document: Document) -> None:
        """Read the file and find its lines off the UI thread (a big file, a slow PDF); the
        view says so meanwhile, and its keys wait."""
        document.index  # noqa: B018 - reads the text, then finds the line starts
        self.app.call_from_thread(self._finished_reading, document)

    def _finished_reading(self, document: Document) -> None:
        if document is self.document:  # not switched to another meanwhile
            self._layout = None
            self.refresh()
            self.post_message(self.Read(self))
            self.post_message(self.CursorMoved(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys wait (shown, but disabled) until the document has been read; an unreadable
        document has no text to move in or code."""
        return True if self.document.loaded and not self.document.problem else None

    # -- layout -----------------------------------------------------------------------------

    @property
    def text_width(self) -> int:
        return max(2, self.scrollable_content_region.width - GUTTER_WIDTH)

    @property
    def layout_rows(self) -> WrappedText:
        """The wrap of the document at the current width, made anew when the width changes.
        Making it costs next to nothing: rows are wrapped lazily, a block at a time."""
        width = self.text_width
        if self._layout is None or self._layout.width != width:
            self._recentre = self._layout is not None  # a new width: bring the cursor back into view
            self._layout = WrappedText(self.document.text, self.document.index, width)
            self._sync_virtual_size()
        return self._layout

    def _sync_virtual_size(self) -> None:
        """Row estimates became exact somewhere: the scrollable height follows."""
        rows = self._layout
        size = Size(rows.width + GUTTER_WIDTH, rows.row_count)
        if self.virtual_size != size:
            self.virtual_size = size

    def _settle(self, first_row: int, last_row: int) -> None:
        """Wrap the blocks of these rows now, so the rows are exact before they are used."""
        rows = self.layout_rows
        generation = rows.generation
        rows.ensure(first_row, last_row)
        if rows.generation != generation:
            self._sync_virtual_size()

    def render_lines(self, crop: Region) -> list[Strip]:
        if not self.document.loaded:
            return super().render_lines(crop)
        self._follow_resize()
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        self._settle(top, top + height)
        shown = (top, height, self._layout, self._layout.generation)
        if shown != self._shown:
            self._shown = shown
            self.post_message(self.RowsShown(self))
        return super().render_lines(crop)

    @property
    def shown_rows(self) -> tuple[int, int]:
        """The first and last rows on screen (settled: exact); last < first if none."""
        rows = self.layout_rows
        top = self.scroll_offset.y
        last = min(top + self.scrollable_content_region.height, rows.row_count) - 1
        self._settle(top, last)
        return top, min(last, rows.row_count - 1)

    def on_resize(self, event: events.Resize) -> None:
        if self.document.loaded:
            self._follow_resize()

    def _follow_resize(self) -> None:
        """After a change of width (seen at a resize or at the next paint, whichever comes
        first), the rows are new: centre the cursor again so the reader keeps their place."""
        self.layout_rows  # noqa: B018 - a new wrap if the width changed
        if self._recentre:
            self._recentre = False
            self.scroll_to_cursor(center=True)

    def show_document(self, document: Document) -> None:
        """Switch to another document (the pane's document list calls this)."""
        self.document = document
        self._layout = None
        self.selection_anchor = None
        self._set_matches([])
        self.cursor = 0
        self._open(document)
        if self.document.loaded:
            self.layout_rows  # noqa: B018 - a wrap for the new text
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    # -- selection ---------------------------------------------------------------------------

    @property
    def selection(self) -> Span | None:
        """The selected characters (cursor and anchor both included), or None."""
        if self.selection_anchor is None:
            return None
        start, end = sorted((self.selection_anchor, self.cursor))
        return Span(start, min(end + 1, len(self.document.text)))

    @property
    def match_label(self) -> str | None:
        """``match 2/7`` while the cursor is on a search match, for the status line."""
        index = bisect.bisect_right(self._match_starts, self.cursor) - 1
        if index >= 0 and self.cursor < self.matches[index].end:
            return f"match {index + 1}/{len(self.matches)}"
        return None

    @property
    def position_label(self) -> str:
        if not self.document.loaded:
            return "reading…"
        line = self.document.index.line_of(self.cursor) + 1
        total = max(1, len(self.document.text))
        return f"Ln {line}/{self.document.index.line_count} · {min(100, self.cursor * 100 // total)}%"

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` and put the cursor on its last character."""
        self.selection_anchor = start
        self.move_to(max(start, end - 1))

    def action_toggle_selection(self) -> None:
        self.selection_anchor = None if self.selection_anchor is not None else self.cursor
        self._changed()

    def action_clear_selection(self) -> None:
        self.selection_anchor = None
        self._changed()

    def end_selection(self, start: int, end: int) -> None:
        """Tagging ends the selection, so moving no longer grows it. The cursor stays on the
        tagged passage ``[start, end)`` (not on whitespace trimmed off the selection)."""
        self.selection_anchor = None
        if start <= self.cursor < end:
            self._changed()
        else:
            self.move_to(end - 1)

    def action_select_sentence(self) -> None:
        span = self.document.index.sentence_at(self.cursor)
        if span is None or span[0] == span[1]:
            self.notify("No sentence under the cursor.", severity="warning")
            return
        self.select(*span)

    def action_select_paragraph(self) -> None:
        span = self.document.index.paragraph_at(self.cursor)
        if span is None:
            self.notify("No paragraph under the cursor (blank line).", severity="warning")
            return
        self.select(*span)

    # -- movement ----------------------------------------------------------------------------

    def move_to(self, offset: int, keep_goal: bool = False) -> None:
        self.cursor = min(max(0, offset), len(self.document.text))
        if not keep_goal:
            self._goal_x = None
        self.scroll_to_cursor()
        self._changed()

    def _changed(self) -> None:
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def scroll_to_cursor(self, center: bool = False) -> None:
        rows = self.layout_rows
        height = self.scrollable_content_region.height
        # Settle a screen above and below first: wrapping rows above the cursor moves it.
        row = rows.row_of(self.cursor)
        self._settle(row - height, row + height)
        row = rows.row_of(self.cursor)
        if center:
            self.scroll_to(y=max(0, row - height // 2), animate=False)
        elif row < self.scroll_offset.y:
            self.scroll_to(y=row, animate=False)
        elif row >= self.scroll_offset.y + height:
            self.scroll_to(y=row - height + 1, animate=False)

    def action_move_char(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_move_row(self, delta: int) -> None:
        rows = self.layout_rows
        row, x = rows.column_of(self.cursor)
        if self._goal_x is None:
            self._goal_x = x
        self.move_to(rows.offset_at(row + delta, self._goal_x), keep_goal=True)

    def action_word(self, direction: int) -> None:
        index = self.document.index
        self.move_to(index.next_word_start(self.cursor) if direction > 0 else index.previous_word_start(self.cursor))

    def action_paragraph(self, direction: int) -> None:
        index = self.document.index
        if direction > 0:
            self.move_to(index.next_paragraph_start(self.cursor))
        else:
            self.move_to(index.previous_paragraph_start(self.cursor))

    def action_document_start(self) -> None:
        self.move_to(0)

    def action_document_end(self) -> None:
        self.move_to(len(self.document.text))

    def action_half_page(self, direction: int) -> None:
        self._scroll_rows(direction * max(1, self.scrollable_content_region.height // 2))

    def action_page(self, direction: int) -> None:
        self._scroll_rows(direction * max(1, self.scrollable_content_region.height - 1))

    def _scroll_rows(self, rows_down: int) -> None:
        """Scroll the view and the cursor together, like vim's ctrl+d / ctrl+u."""
        self.scroll_to(y=self.scroll_offset.y + rows_down, animate=False)
        self.action_move_row(rows_down)

    def action_row_edge(self, direction: int) -> None:
        rows = self.layout_rows
        row = rows.row_of(self.cursor)
        self.move_to(rows.last_offset_in_row(row) if direction > 0 else rows.row_start(row))

    # -- search ------------------------------------------------------------------------------

    def search(self, query: str) -> bool:
        """Find every match of ``query`` (case-insensitive unless it has capitals) and go to
        the first one after the cursor, wrapping around. Returns whether anything matched."""
        self.search_text = query
        flags = 0 if any(ch.isupper() for ch in query) else re.IGNORECASE
        pattern = re.compile(re.escape(query), flags) if query else None
        self._set_matches(
            [Span(m.start(), m.end()) for m in pattern.finditer(self.document.text)] if pattern else []
        )
        if not self.matches:
            self.refresh()
            return False
        self._go_to_match(after=self.cursor, direction=1, include_current=True)
        return True

    def action_next_match(self, direction: int) -> None:
        if not self.matches:
            self.notify("No search: press / to search this document.", severity="warning")
            return
        self._go_to_match(after=self.cursor, direction=direction, include_current=False)

    def _set_matches(self, matches: list[Span]) -> None:
        self.matches = matches
        self._match_starts = [span.start for span in matches]

    def _matches_overlapping(self, start: int, end: int) -> list[Span]:
        """Matches sharing a character with ``[start, end)``, found by bisection."""
        first = max(0, bisect.bisect_right(self._match_starts, start) - 1)
        last = bisect.bisect_left(self._match_starts, end)
        return [span for span in self.matches[first:last] if span.end > start]

    def _go_to_match(self, after: int, direction: int, include_current: bool) -> None:
        """Go to the next (or previous) match from ``after``, wrapping around the document."""
        starts = self._match_starts
        if direction > 0:
            index = (bisect.bisect_left if include_current else bisect.bisect_right)(starts, after)
            target = starts[index] if index < len(starts) else starts[0]
        else:
            index = bisect.bisect_left(starts, after) - 1
            target = starts[index] if index >= 0 else starts[-1]
        self.move_to(target)
        self.scroll_to_cursor(center=True)

    # -- mouse -------------------------------------------------------------------------------
    # Pressing puts the cursor on the character under the pointer and dragging selects from
    # there; Textual counts the clicks of a chain, so a double click selects the word and a
    # triple click the paragraph. The wheel scrolls (ScrollView) and leaves the cursor be.

    def _offset_at_event(self, event: events.MouseEvent) -> int:
        position = event.get_content_offset_capture(self)
        rows = self.layout_rows
        return rows.offset_at(position.y + self.scroll_offset.y, max(0, position.x - GUTTER_WIDTH))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self.focus()
        if not self.document.loaded:
            return  # no rows yet to put the cursor on
        self.selection_anchor = None
        self.move_to(self._offset_at_event(event))
        self._drag_start = self.cursor
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_start is not None:
            offset = self._offset_at_event(event)
            self.selection_anchor = self._drag_start if offset != self._drag_start else None
            self.move_to(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_start is not None:
            self._drag_start = None
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        if event.chain < 2 or not self.document.loaded:
            return
        index = self.document.index
        offset = self._offset_at_event(event)
        span = index.word_at(offset) if event.chain == 2 else index.paragraph_at(offset)
        if span is not None:
            self.select(*span)

    # -- rendering ---------------------------------------------------------------------------

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def notify_annotations_changed(self) -> None:
        """The workspace changed this document's annotations: redraw the highlights."""
        self._shown = None  # announce the rows again: their stripes changed
        self.refresh()
        self.post_message(self.CursorMoved(self))

    def _theme_style(self, color: str, overlapping: bool) -> Style:
        """Background for a theme's colour, softened toward the pane's background."""
        style = self._tint(color, OWN_TINT)
        return style + Style(underline=True) if overlapping else style

    def _others_style(self, color: str) -> Style:
        """Another coder's passage: a faint tint of the theme's colour and the muted style of
        ``document-view--others``, so it never passes for one's own."""
        muted = self.get_component_rich_style("document-view--others", partial=True)
        return self._tint(color, OTHERS_TINT) + muted

    def _tint(self, color: str, strength: float) -> Style:
        """The pane's background blended ``strength`` of the way to a theme's colour, with
        text that stays readable on it; one ``Style`` per colour, background and strength."""
        base = self.background_colors[1]
        key = (color, base, strength)
        style = self._theme_backgrounds.get(key)
        if style is None:
            background = base.blend(Color.parse(safe_colour(color)), strength)
            style = Style(bgcolor=background.rich_color, color=background.get_contrast_text(1.0).rich_color)
            self._theme_backgrounds[key] = style
        return style

    def render_line(self, y: int) -> Strip:
        if not self.document.loaded or self.document.problem:
            return self._render_notice(y)
        rows = self.layout_rows
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if row >= rows.row_count:
            return Strip.blank(width, base)
        start, end = rows.row_span(row)
        ends_line = rows.ends_line(row)
        # A row owns its characters plus, on a line's last row, the newline after them.
        annotations = self.workspace.annotations(self.document).overlapping(start, end + ends_line)
        gutter = self._render_gutter(annotations, start, end + ends_line)
        text = self._render_row(start, end, ends_line, annotations)
        text.stylize_before(base)
        segments = list(gutter.render(self.app.console)) + list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, base).simplify()

    def _render_notice(self, y: int) -> Strip:
        """While the file is read, or if it could not be: a dim notice saying so, wrapped to
        the pane (a reason after a long path must still be seen)."""
        width = self.scrollable_content_region.width
        notice = Text(displayable(self.document.problem or f"Reading {self.document.path.name}…"))
        lines = notice.wrap(self.app.console, max(1, width - GUTTER_WIDTH))
        if y >= len(lines):
            return Strip.blank(width, self.rich_style)
        text = Text(" " * GUTTER_WIDTH, style=self.rich_style + Style(dim=True), end="")
        text.append_text(lines[y])
        return Strip(list(text.render(self.app.console))).adjust_cell_length(width, self.rich_style)

    def _render_gutter(self, annotations, start: int, end: int) -> Text:
        """A chip per theme present on the row, so overlapping themes stay visible, and the
        row's mark (``row_mark``) in the last cell."""
        colours: list[str] = []
        for annotation in annotations:
            for theme_id in annotation.themes:
                theme = self.workspace.theme(theme_id)
                if theme is not None and theme.color not in colours:
                    colours.append(theme.color)
            if len(colours) >= GUTTER_WIDTH - 1:
                break
        shown = colours[: GUTTER_WIDTH - 1]
        gutter = Text(style=self.rich_style + self.get_component_rich_style("document-view--gutter"), end="")
        for colour in shown:
            gutter.append_text(chip(colour))
        gutter.append(" " * (GUTTER_WIDTH - 1 - len(shown)))
        gutter.append_text(self.row_mark(start, end, annotations))
        return gutter

    def row_mark(self, start: int, end: int, annotations) -> Text:
        """The gutter's last cell for the row ``[start, end)``: a memo mark if a passage on it
        has a memo. A view that marks other things on rows (the compare screen's
        disagreements) says so here."""
        return Text(_MEMO_MARK if any(annotation.note for annotation in annotations) else " ")

    def row_styles(self, start: int, end: int) -> list[tuple[int, int, Style]]:
        """Styles over stretches of the row ``[start, end)`` (row positions) beyond the
        themes, matches, selection and cursor: none here; the compare view marks
        disagreements with them."""
        return []

    def _render_row(self, start: int, end: int, ends_line: bool, annotations) -> Text:
        """One row as styled text: other coders' highlights (if shown), one's own over them,
        matches, selection and cursor, in that order."""
        document_text = self.document.text
        cursor_cell = self.cursor == end and ends_line  # cursor on the line's end: a blank cell
        raw = document_text[start:end] + (" " if cursor_cell else "")
        styles = []
        for other in self.workspace.others or ():
            theirs = other.annotations(self.document).overlapping(start, end)
            styles += [(begin, finish, self._others_style(colour))
                       for begin, finish, colour, _ in highlight_runs(start, end, theirs, other.colour_of)]
        styles += [(begin, finish, self._theme_style(colour, overlapped))
                   for begin, finish, colour, overlapped in highlight_runs(start, end, annotations,
                                                                             self._annotation_colour)]
        for match in self._matches_overlapping(start, end):
            styles.append((max(match.start, start) - start, min(match.end, end) - start,
                           self.get_component_rich_style("document-view--match", partial=True)))
        styles += self.row_styles(start, end)
        selection = self.selection
        if selection is not None and selection.end > start and selection.start <= end:
            styles.append((max(selection.start, start) - start, min(selection.end, end + 1) - start,
                           self.get_component_rich_style("document-view--selection", partial=True)))
        if self.has_focus and start <= self.cursor <= end and (self.cursor < end or cursor_cell):
            styles.append((self.cursor - start, self.cursor - start + 1,
                           Style(reverse=False) + self.get_component_rich_style("document-view--cursor", partial=True)))
        return styled_row(raw, styles)

    def _annotation_colour(self, annotation) -> str | None:
        for theme_id in annotation.themes:
            theme = self.workspace.theme(theme_id)
            if theme is not None:
                return theme.color
        return None
