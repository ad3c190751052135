"""The matrix screen (``M``): themes counted by the values of a document attribute, as a heat
map; ``margin stats --by ATTRIBUTE`` prints the same table (``core/matrix.py``).

A row per value of the attribute (from ``attributes.csv``, or ``speaker`` in transcripts), a
column per theme. ``a`` moves to the next attribute, ``c`` to the next count (passages,
documents, characters); Enter on a cell lists its passages, and Enter on one of those goes to
it in the reader.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ...core import Workspace
from ...core.matrix import COUNTS, Matrix, attributes, cell_passages, compute
from ...core.text import counted, displayable, one_line
from .passages import PassagesScreen, Target

LABEL_CHARS = 18  # a column is as wide as its theme's name, cut to this
FAINT_SHARE = 0.2  # the smallest count above zero still shows its colour this much
NOUNS = {"passages": "passage", "documents": "document", "characters": "character"}
NO_ATTRIBUTES = ("No document has attributes yet, so there is nothing to count themes by. "
                 "Give documents attributes with A in the document list (o), or write an "
                 "attributes.csv beside them: the first column the file name, then one column "
                 "per attribute (country, year, source…). Transcripts have a speaker of their own.")


def shade(background: Color, theme_color: str, count: int, top: int) -> Style:
    """A cell's style: the theme's colour over the background, stronger as the count nears the
    largest in the table; the digits black or white, whichever reads better on it."""
    if not count:
        return Style(dim=True)
    share = FAINT_SHARE + (1 - FAINT_SHARE) * count / max(top, 1)
    fill = background.blend(Color.parse(theme_color), share)
    return Style(bgcolor=fill.rich_color, color=fill.get_contrast_text(1.0).rich_color)


class HeatTable(DataTable):
    """The matrix's cells, each shaded by its count, moved through by cell."""

    BINDINGS = [
        Binding("enter", "select_cursor", "Passages", tooltip="List the passages of the cell", id="matrix.open"),
        Binding("h", "cursor_left", "Left", show=False, id="matrix.left"),
        Binding("l", "cursor_right", "Right", show=False, id="matrix.right"),
        Binding("k", "cursor_up", "Up", show=False, id="matrix.up"),
        Binding("j", "cursor_down", "Down", show=False, id="matrix.down"),
    ]

    def __init__(self, **kwargs) -> None:
        # No padding of the table's own: a cell's shade covers all of it, the margin around
        # its digits included. The cursor's colours (margin.tcss) win over a shade, so the
        # cursor shows on any cell.
        super().__init__(cursor_type="cell", zebra_stripes=False, cell_padding=0, cursor_foreground_priority="css",
                         cursor_background_priority="css", **kwargs)

    def show(self, matrix: Matrix) -> None:
        """Fill the table with ``matrix``, the cursor kept where it was if the cell exists."""
        where = self.cursor_coordinate
        self.clear(columns=True)
        labels = [f" {one_line(displayable(theme.name), LABEL_CHARS)} " for theme in matrix.themes]
        for theme, label in zip(matrix.themes, labels, strict=True):
            self.add_column(Text(label), key=str(theme.id))
        top = max((count for row in matrix.cells for count in row), default=0)
        background = self.background_colors[1]
        for value, counts in zip(matrix.values, matrix.cells, strict=True):
            self.add_row(*(Text(f"{count} ".rjust(len(label)), style=shade(background, theme.color, count, top))
                           for theme, label, count in zip(matrix.themes, labels, counts, strict=True)),
                         label=Text(f" {one_line(displayable(value), LABEL_CHARS * 2)} "))
        self.cursor_coordinate = where  # DataTable clamps it to the table


class MatrixScreen(Screen[Target | None]):
    """Dismissed with the passage to jump to, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back to reading", id="matrix.close"),
        Binding("a", "next_attribute", "Next attribute", id="matrix.attribute"),
        Binding("c", "next_count", "Count", tooltip="Count passages, documents or characters", id="matrix.count"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.attributes = attributes(workspace)
        self.attribute = self.attributes[0] if self.attributes else ""
        self.count = COUNTS[0]
        self.matrix: Matrix | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="matrix-title")
        yield HeatTable(id="matrix-table")
        yield Static(id="matrix-status")
        yield Footer()

    @property
    def table(self) -> HeatTable:
        return self.query_one(HeatTable)

    def on_mount(self) -> None:
        if not self.attributes:
            self.table.display = False
            self.set_focus(None)
            self.query_one("#matrix-title", Static).update(Text("Themes by attribute"))
            self.query_one("#matrix-status", Static).update(Text(NO_ATTRIBUTES))
            self.query_one("#matrix-status").add_class("-empty")
            return
        self.show_matrix()
        self.table.focus()

    def show_matrix(self) -> None:
        self.matrix = compute(self.workspace, self.attribute, self.count)
        self.table.show(self.matrix)
        following = displayable(self._next(self.attributes, self.attribute))
        others = f"  ·  a: by {following}" if len(self.attributes) > 1 else ""
        self.query_one("#matrix-title", Static).update(Text(
            f"{self.count.capitalize()} coded, by {displayable(self.attribute)} (rows) and theme (columns)  ·  "
            f"c: count {self._next(COUNTS, self.count)}{others}  ·  Enter: the passages of a cell"))
        self.describe_cell()

    @staticmethod
    def _next(choices, current: str) -> str:
        return choices[(list(choices).index(current) + 1) % len(choices)]

    def action_next_attribute(self) -> None:
        if len(self.attributes) > 1:
            self.attribute = self._next(self.attributes, self.attribute)
            self.show_matrix()

    def action_next_count(self) -> None:
        if self.attributes:
            self.count = self._next(COUNTS, self.count)
            self.show_matrix()

    def _cell(self) -> tuple[str, int, int] | None:
        """The value, theme index and count under the cursor."""
        matrix, coordinate = self.matrix, self.table.cursor_coordinate
        if matrix is None or not matrix.values or not matrix.themes:
            return None
        return matrix.values[coordinate.row], coordinate.column, matrix.cells[coordinate.row][coordinate.column]

    @on(DataTable.CellHighlighted)
    def describe_cell(self) -> None:
        """The whole theme name and value of the cell under the cursor, which the table cuts."""
        cell = self._cell()
        status = self.query_one("#matrix-status", Static)
        if cell is None:
            status.update(Text(" No themes to count yet." if self.matrix and not self.matrix.themes else ""))
            return
        value, column, count = cell
        theme = self.matrix.themes[column]
        status.update(Text(f" {displayable(theme.name)} × {displayable(self.attribute)} {displayable(value)}: "
                           f"{counted(count, NOUNS[self.count])}"
                           + ("  ·  Enter lists the passages" if count else "")))

    @on(DataTable.CellSelected)
    def open_cell(self) -> None:
        cell = self._cell()
        if cell is None:
            return
        value, column, _ = cell
        theme = self.matrix.themes[column]
        found = cell_passages(self.workspace, self.attribute, value, theme)
        where = f"{displayable(theme.name)} where {displayable(self.attribute)} is {displayable(value)}"
        if not found:
            self.notify(f"No passage of {where}.", markup=False)
            return
        title = Text(f"{where}: {counted(len(found), 'passage')}  ·  Enter goes to one, Escape back to the matrix")
        self.app.push_screen(PassagesScreen(title, found), self._chosen)

    def _chosen(self, target: Target | None) -> None:
        if target is not None:
            self.dismiss(target)
