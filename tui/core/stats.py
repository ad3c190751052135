"""Statistics of a coded corpus: how much each theme is used, where, and with which others.

Co-occurrence is counted in *units*: two themes co-occur in a unit when both are coded in it,
by one passage carrying both or by separate passages. A unit is a paragraph (passages that
overlap always share one), so the count answers "in how many paragraphs do these themes
meet?". For a document whose file is missing, a unit is a run of overlapping passages. The
diagonal holds the number of units coded with the theme at all.

Orphaned annotations (passages lost when their document changed) are not counted.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
from dataclasses import dataclass
from itertools import combinations

from .codebook import Theme, ThemeTree
from .store import Annotation
from .text import counted
from .workspace import Workspace

UNIT = "paragraph"


@dataclass(frozen=True)
class DocumentRow:
    title: str
    path: str


@dataclass(frozen=True)
class Statistics:
    """Counts indexed by position: ``themes[i]``, ``documents[j]``."""

    themes: list[Theme]
    documents: list[DocumentRow]
    matrix: list[list[int]]  # [theme][document]: annotations with the theme in the document
    per_document: list[int]  # annotations per document (one per passage, whatever its themes)
    cooccurrence: list[list[int]]  # [theme][theme]: units coded with both
    tree: ThemeTree  # how the themes nest
    rolled_up: list[tuple[int, int]]  # [theme]: annotations with it or a theme under it, their documents

    @property
    def nested(self) -> bool:
        """Whether some theme sits under another: only then do roll-ups and paths say more."""
        return any(theme.parent is not None for theme in self.themes)

    @property
    def theme_labels(self) -> list[str]:
        """Each theme by its path (``Security › Arms``), or by its name in a flat codebook."""
        return [self.tree.path(theme) for theme in self.themes]

    @property
    def per_theme(self) -> list[int]:
        return [sum(row) for row in self.matrix]

    @property
    def documents_per_theme(self) -> list[int]:
        return [sum(1 for count in row if count) for row in self.matrix]

    @property
    def total(self) -> int:
        return sum(self.per_document)


def compute(workspace: Workspace) -> Statistics:
    """Counts over every open document and every stored document whose file is missing."""
    themes = workspace.themes
    position = {theme.id: index for index, theme in enumerate(themes)}
    documents: list[DocumentRow] = []
    per_document: list[int] = []
    matrix = [[] for _ in themes]
    cooccurrence = [[0] * len(themes) for _ in themes]
    codings: list[tuple[int, tuple[int, ...]]] = []  # every counted annotation: its document's row, its themes

    def add(row: DocumentRow, annotations: list[Annotation], units: list[set[int]]) -> None:
        codings.extend((len(documents), annotation.themes) for annotation in annotations)
        documents.append(row)
        per_document.append(len(annotations))
        counts = [0] * len(themes)
        for annotation in annotations:
            for theme_id in set(annotation.themes) & position.keys():
                counts[position[theme_id]] += 1
        for theme_row, count in zip(matrix, counts, strict=True):
            theme_row.append(count)
        for unit in units:
            for index in unit:
                cooccurrence[index][index] += 1
            for first, second in combinations(sorted(unit), 2):
                cooccurrence[first][second] += 1
                cooccurrence[second][first] += 1

    opened = set()
    for document in workspace.documents:
        annotations = workspace.annotations(document).items
        document_id = workspace.store.document_id(document.path)
        opened.add(document_id)
        row = DocumentRow(document.title, str(document.path))
        add(row, annotations, paragraph_units(document.index.paragraphs, annotations, position))
    for document_id, stored in workspace.store.documents.items():
        if document_id not in opened:
            annotations = [a for a in workspace.store.annotations_of(document_id) if not a.orphaned]
            add(DocumentRow(stored.title, stored.path), annotations, overlap_units(annotations, position))
    tree = ThemeTree(themes)
    rolled_up = tree.rolled_up(codings)
    return Statistics(themes, documents, matrix, per_document, cooccurrence, tree,
                      [rolled_up[theme.id] for theme in themes])


def paragraph_units(paragraphs: list[tuple[int, int]], annotations: list[Annotation],
                    position: dict[int, int]) -> list[set[int]]:
    """Per paragraph touched by a passage, the positions of the themes coded in it."""
    starts = [start for start, _ in paragraphs]
    units: dict[int, set[int]] = {}
    for annotation in annotations:
        themes = {position[t] for t in annotation.themes if t in position}
        first = max(0, bisect.bisect_right(starts, annotation.start) - 1)
        for index in range(first, bisect.bisect_left(starts, annotation.end)):  # paragraphs starting before its end
            if annotation.start < paragraphs[index][1]:
                units.setdefault(index, set()).update(themes)
    return list(units.values())


def overlap_units(annotations: list[Annotation], position: dict[int, int]) -> list[set[int]]:
    """Runs of overlapping passages, when there is no text to find paragraphs in."""
    units: list[set[int]] = []
    reach = -1
    for annotation in sorted(annotations, key=lambda a: a.start):
        themes = {position[t] for t in annotation.themes if t in position}
        if units and annotation.start < reach:
            units[-1] |= themes
        else:
            units.append(themes)
        reach = max(reach, annotation.end)
    return units


# -- tables ----------------------------------------------------------------------------------

def to_markdown(stats: Statistics) -> str:
    names = [theme.name for theme in stats.themes]
    lines = [f"# Coding statistics ({counted(stats.total, 'annotation')})", "", "## Themes", ""]
    if stats.nested:  # each theme where it sits, with the counts of its whole subtree
        lines += table(["Theme", "Annotations", "Documents", "With sub-themes", "In documents"],
                       ([label, own, spread, *rolled] for label, own, spread, rolled in zip(
                           stats.theme_labels, stats.per_theme, stats.documents_per_theme, stats.rolled_up,
                           strict=True)))
    else:
        lines += table(["Theme", "Annotations", "Documents"],
                       zip(names, stats.per_theme, stats.documents_per_theme, strict=True))
    lines += ["", "## Documents", ""]
    lines += table(["Document", "Annotations"],
                   zip((d.title for d in stats.documents), stats.per_document, strict=True))
    lines += ["", "## Theme × document", ""]
    lines += table(["Theme", *(d.title for d in stats.documents)],
                   ([name, *row] for name, row in zip(names, stats.matrix, strict=True)))
    lines += ["", f"## Co-occurrence ({UNIT}s coded with both themes)", ""]
    lines += table(["Theme", *names], ([name, *row] for name, row in zip(names, stats.cooccurrence, strict=True)))
    return "\n".join(lines) + "\n"


def table(header: list[str], rows) -> list[str]:
    """A Markdown table; pipes and line breaks in cells are escaped so the table holds."""
    def cell(value: object) -> str:
        return " ".join(str(value).split()).replace("|", "\\|")

    return [
        "| " + " | ".join(map(cell, header)) + " |",
        "|" + "|".join(["---", *["--:"] * (len(header) - 1)]) + "|",
        *("| " + " | ".join(map(cell, row)) + " |" for row in rows),
    ]


def to_csv(stats: Statistics) -> str:
    """One tidy table (``measure, theme, document, other_theme, count``) that a spreadsheet
    pivots or R and pandas read as it is. Names are neutralised against formula injection;
    a file gets a byte-order mark when it is written (see ``encoding``)."""
    from .exporters import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["measure", "theme", "document", "other_theme", "count"])
    rows: list[list[object]] = []
    for theme, count, spread in zip(stats.themes, stats.per_theme, stats.documents_per_theme, strict=True):
        rows += [["theme_annotations", theme.name, "", "", count], ["theme_documents", theme.name, "", "", spread]]
    if stats.nested:
        for theme, (count, spread) in zip(stats.themes, stats.rolled_up, strict=True):
            rows += [["theme_annotations_with_descendants", theme.name, "", "", count],
                     ["theme_documents_with_descendants", theme.name, "", "", spread]]
    rows += [["document_annotations", "", d.title, "", count]
             for d, count in zip(stats.documents, stats.per_document, strict=True)]
    for theme, row in zip(stats.themes, stats.matrix, strict=True):
        rows += [["theme_document", theme.name, d.title, "", count]
                 for d, count in zip(stats.documents, row, strict=True)]
    for theme, row in zip(stats.themes, stats.cooccurrence, strict=True):
        rows += [[f"cooccurrence_{UNIT}s", theme.name, "", other.name, count]
                 for other, count in zip(stats.themes, row, strict=True)]
    writer.writerows([spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    return buffer.getvalue()


def to_json(stats: Statistics) -> str:
    names = [theme.name for theme in stats.themes]
    themes = [{"name": theme.name, "color": theme.color, "annotations": count, "documents": spread}
              for theme, count, spread in zip(stats.themes, stats.per_theme, stats.documents_per_theme, strict=True)]
    if stats.nested:
        for theme, label, (count, spread) in zip(themes, stats.theme_labels, stats.rolled_up, strict=True):
            theme.update(path=label, annotations_with_descendants=count, documents_with_descendants=spread)
    return json.dumps({
        "annotations": stats.total,
        "themes": themes,
        "documents": [{"title": d.title, "path": d.path, "annotations": count}
                      for d, count in zip(stats.documents, stats.per_document, strict=True)],
        "theme_document": {"themes": names, "documents": [d.title for d in stats.documents],
                           "counts": stats.matrix},
        "cooccurrence": {"unit": UNIT, "themes": names, "counts": stats.cooccurrence},
    }, ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"md": to_markdown, "csv": to_csv, "json": to_json}


def encoding(fmt: str) -> str:
    """How a file of this format is written: CSV with a BOM so Excel reads it as UTF-8."""
    return "utf-8-sig" if fmt == "csv" else "utf-8"
