"""Matrices: themes counted by the values of an attribute (``margin stats --by ATTRIBUTE``).

One row per value of the attribute (a document attribute from ``attributes.csv``, or
``speaker`` for transcript turns), one column per theme. A theme counts with the themes
nested under it, as in queries. A cell counts, in the characters that have that value:

- ``passages``: the runs of characters coded with the theme (overlapping or touching
  passages make one run, as query results do);
- ``documents``: the documents where the theme is coded there;
- ``characters``: how many characters are coded with the theme there.

Values are matched in any case (the first spelling met is shown). Characters with no value
(documents without the attribute, text outside any turn) make a last row, ``(no value)``,
shown when something is coded there. Orphaned annotations do not count.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from . import intervals as iv
from .attributes import SPEAKER, attribute_names
from .codebook import Theme, ThemeTree, folded
from .query import CodingIndex, Passage, QueryError, passages
from .workspace import Workspace

COUNTS = ("passages", "documents", "characters")
NO_VALUE = "(no value)"


@dataclass(frozen=True)
class Matrix:
    attribute: str
    count: str
    themes: list[Theme]
    values: list[str]
    cells: list[list[int]]  # [value][theme]


def attributes(workspace: Workspace) -> list[str]:
    """What a matrix can be by: the corpus's attributes, and ``speaker`` if it has transcripts."""
    names = attribute_names(workspace.documents)
    if any(document.turns for document in workspace.documents) and SPEAKER not in names:
        names.append(SPEAKER)
    return names


def value_regions(workspace: Workspace, attribute: str) -> dict[str, tuple[str, dict[int, iv.Intervals]]]:
    """Per normalised value: its first spelling and its characters per document position."""
    key = attribute.casefold()
    regions: dict[str, tuple[str, dict[int, iv.Intervals]]] = {}

    def add(value: str, index: int, spans: iv.Intervals) -> None:
        shown, per_document = regions.setdefault(folded(value), (" ".join(value.split()), {}))
        per_document[index] = iv.union(per_document.get(index, []), spans)

    found = False
    for index, document in enumerate(workspace.documents):
        value = next((v for name, v in document.attributes.items() if name.casefold() == key), None)
        if value is not None:
            found = True
            if document.text:
                add(value, index, [(0, len(document.text))])
        elif key == SPEAKER and document.turns:
            found = True
            for turn in document.turns:
                add(turn.speaker, index, [(turn.start, turn.end)])
    if not found:
        names = attributes(workspace)
        known = f"the attributes are {', '.join(names)}" if names else "there is no attributes.csv and no transcript"
        raise QueryError(f"no document has an attribute {attribute!r} ({known})")
    return regions


def rows(workspace: Workspace, attribute: str, index: CodingIndex) -> list[tuple[str, dict[int, iv.Intervals]]]:
    """Each value's characters per document position, sorted by value, then those with no
    value (``NO_VALUE``: possibly none)."""
    regions = value_regions(workspace, attribute)
    valued = sorted(regions.values(), key=lambda row: row[0].casefold())
    covered: dict[int, iv.Intervals] = {}
    for _, per_document in valued:
        for position, spans in per_document.items():
            covered[position] = iv.union(covered.get(position, []), spans)
    rest = {position: remaining for position, document in enumerate(index.documents)
            for remaining in [iv.difference([(0, len(document.text))] if document.text else [],
                                            covered.get(position, []))] if remaining}
    return [*valued, (NO_VALUE, rest)]


def compute(workspace: Workspace, attribute: str, count: str = "passages") -> Matrix:
    if count not in COUNTS:
        raise QueryError(f"unknown count {count!r} (choose from {', '.join(COUNTS)})")
    index = CodingIndex(workspace)
    themes = list(workspace.themes)
    tree = ThemeTree(themes)
    values, cells = [], []
    with iv.no_collection():  # every theme's runs in every document: many tuples, no cycles
        coded = [index.themes(tree.descendants(theme)) for theme in themes]
        for shown, per_document in rows(workspace, attribute, index):
            counts = [measure(sets, per_document, count) for sets in coded]
            if shown == NO_VALUE and not any(counts):
                continue
            values.append(shown)
            cells.append(counts)
    return Matrix(attribute, count, themes, values, cells)


def cell_passages(workspace: Workspace, attribute: str, value: str, theme: Theme) -> list[Passage]:
    """The passages a cell counts: the runs of characters coded with ``theme`` (or a theme
    under it) that have ``value`` (a row of the matrix, ``NO_VALUE`` included), document by
    document."""
    index = CodingIndex(workspace)
    coded = index.themes(ThemeTree(workspace.themes).descendants(theme))
    region = next((per_document for shown, per_document in rows(workspace, attribute, index) if shown == value), {})
    found = {index.documents[position]: inside for position in sorted(region)
             for inside in [iv.intersection(coded.get(position, []), region[position])] if inside}
    return passages(workspace, found)


def measure(theme_sets: dict[int, iv.Intervals], region: dict[int, iv.Intervals], count: str) -> int:
    total = 0
    for position, spans in region.items():
        coded = theme_sets.get(position)
        if not coded:
            continue
        inside = iv.intersection(coded, spans)
        if count == "passages":
            total += len(inside)
        elif count == "characters":
            total += iv.length(inside)
        elif inside:
            total += 1
    return total


# -- tables ----------------------------------------------------------------------------------

def to_text(matrix: Matrix) -> str:
    header = [matrix.attribute, *(theme.name for theme in matrix.themes)]
    rows = [[value, *map(str, counts)] for value, counts in zip(matrix.values, matrix.cells, strict=True)]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = [f"{matrix.count} coded, by {matrix.attribute}", ""]
    for row in [header, *rows]:
        lines.append("  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                               for column, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip())
    return "\n".join(lines) + "\n"


def to_markdown(matrix: Matrix) -> str:
    from .stats import table

    rows = ([value, *counts] for value, counts in zip(matrix.values, matrix.cells, strict=True))
    return "\n".join([f"# {matrix.count.capitalize()} coded, by {matrix.attribute}", "",
                      *table([matrix.attribute, *(theme.name for theme in matrix.themes)], rows)]) + "\n"


def to_csv(matrix: Matrix) -> str:
    """The first column is the attribute's value; the header names the themes."""
    from .exporters import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")  # printed line by line as well as written
    writer.writerow([spreadsheet_safe(matrix.attribute), *(spreadsheet_safe(theme.name) for theme in matrix.themes)])
    for value, counts in zip(matrix.values, matrix.cells, strict=True):
        writer.writerow([spreadsheet_safe(value), *counts])
    return buffer.getvalue()


def to_json(matrix: Matrix) -> str:
    return json.dumps({"attribute": matrix.attribute, "count": matrix.count,
                       "themes": [theme.name for theme in matrix.themes],
                       "rows": [{"value": value, "counts": counts}
                                for value, counts in zip(matrix.values, matrix.cells, strict=True)]},
                      ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"text": to_text, "md": to_markdown, "csv": to_csv, "json": to_json}
