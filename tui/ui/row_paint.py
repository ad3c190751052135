"""Painting one screen row of a document: where theme colours fall, and the row as Rich text.

Kept apart from the reading widget because it is the hot path of every repaint and is pure:
offsets and annotations in, character runs and ``Text`` out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.text import Text

from ..core import Annotation
from ..core.text import displayable
from .layout import TAB_WIDTH


def highlight_runs(start: int, end: int, annotations: Sequence[Annotation],
                   colour_of: Callable[[Annotation], str | None]) -> list[tuple[int, int, str, bool]]:
    """Runs of theme colour over the row ``[start, end)``, as ``(begin, end, colour,
    overlapped)`` in row positions: each character takes the colour of the innermost passage
    covering it, and is overlapped where two or more themes cover it.

    The cost is one pass over the row's annotations plus the row's width, however densely
    coded the text is (a row under hundreds of overlapping passages stays cheap).
    """
    length = end - start
    if not annotations or not length:
        return []
    colours: list[str | None] = [None] * length
    depth = [0] * (length + 1)  # themes starting (+) and ending (-) at each character
    for annotation in annotations:
        depth[max(annotation.start, start) - start] += len(annotation.themes)
        depth[min(annotation.end, end) - start] -= len(annotation.themes)
    unpainted = length
    for annotation in sorted(annotations, key=lambda a: a.end - a.start):  # innermost first
        colour = colour_of(annotation)
        if colour is None:
            continue
        for index in range(max(annotation.start, start) - start, min(annotation.end, end) - start):
            if colours[index] is None:
                colours[index] = colour
                unpainted -= 1
        if not unpainted:
            break
    runs: list[tuple[int, int, str, bool]] = []
    themes_here = 0
    run_start, run = 0, (None, False)
    for index in range(length + 1):
        if index < length:
            themes_here += depth[index]
            cell = (colours[index], themes_here > 1)
        else:
            cell = (None, False)
        if cell != run:
            if run[0] is not None:
                runs.append((run_start, index, run[0], run[1]))
            run_start, run = index, cell
    return runs


def styled_row(raw: str, styles: list[tuple[int, int, Style]]) -> Text:
    """Build a row's ``Text`` from plain characters and character-indexed styles.

    The text is never parsed as markup; control characters become visible stand-ins and tabs
    expand to spaces, with style ranges moved to match the expansion.
    """
    shown = displayable(raw)
    if "\t" not in shown:
        text = Text(shown, no_wrap=True, end="")
        for begin, finish, style in styles:
            text.stylize(style, begin, finish)
        return text
    cells: list[int] = []  # where each original character starts in the expanded text
    expanded: list[str] = []
    position = 0
    for char in shown:
        cells.append(position)
        piece = " " * TAB_WIDTH if char == "\t" else char
        expanded.append(piece)
        position += len(piece)
    cells.append(position)
    text = Text("".join(expanded), no_wrap=True, end="")
    for begin, finish, style in styles:
        text.stylize(style, cells[min(begin, len(shown))], cells[min(finish, len(shown))])
    return text
