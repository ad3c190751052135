"""Exports other tools open: CSV, JSON lines, a Markdown report, W3C Web Annotation, and
REFI-QDA (``refi.py``).

Every exporter reads the workspace and writes one file; none changes the database. Offsets
are Python ``str`` indexes into the decoded text, which are Unicode code points, as W3C's
``TextPositionSelector`` and REFI-QDA's ``PlainTextSelection`` count them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .progress import Progress
from .storage import atomic_write
from .store import Annotation
from .text import counted
from .workspace import Workspace

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """An export cannot be written; the message is one line naming the file."""


@dataclass(frozen=True)
class Selection:
    """Which annotations to export: all, or those of one theme and/or one document."""

    theme: str | None = None
    document: str | None = None

    def annotations(self, workspace: Workspace) -> list[Annotation]:
        for document in workspace.documents:  # re-anchor changed documents first
            workspace.annotations(document)
        chosen = workspace.find_annotations()
        if self.theme:
            named = workspace.store.theme_named(self.theme)
            if named is None:
                raise ExportError(f"no theme named {self.theme!r} in {workspace.database_path}")
            wanted = {named.id} | {t.id for t in workspace.themes if t.parent == named.id}  # and its children
            chosen = [a for a in chosen if wanted & set(a.themes)]
        if self.document:
            needle = self.document.casefold()
            ids = {doc_id for doc_id, doc in workspace.store.documents.items()
                   if needle in doc.path.casefold() or needle in doc.title.casefold()}
            if not ids:
                raise ExportError(f"no document matching {self.document!r} in {workspace.database_path}")
            chosen = [a for a in chosen if a.document in ids]
        return chosen


def theme_names(workspace: Workspace, annotation: Annotation) -> list[str]:
    return [theme.name for theme in map(workspace.theme, annotation.themes) if theme]


def document_fields(workspace: Workspace, annotation: Annotation) -> tuple[str, str, Path | None]:
    """Title, path as recorded (relative to the database) and the file it names."""
    store = workspace.store
    stored = store.documents.get(annotation.document)
    return (stored.title, stored.path, store.file_of(stored.id)) if stored else ("", "", None)


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """One row per annotation and theme; UTF-8 with a BOM so Excel reads it as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["annotation", "document_title", "document_path", "start", "end", "quote", "theme",
                     "themes", "memo", "author", "created", "modified", "orphaned"])
    progress.expect(len(annotations))
    for annotation in progress.track(annotations):
        title, path, _ = document_fields(workspace, annotation)
        names = theme_names(workspace, annotation)
        for name in names or [""]:
            row = [annotation.id, title, path, annotation.start, annotation.end, annotation.quote, name,
                   "; ".join(names), annotation.note, annotation.author, annotation.created,
                   annotation.modified, annotation.orphaned]
            writer.writerow([spreadsheet_safe(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def record(workspace: Workspace, annotation: Annotation) -> dict:
    """Every stored field of an annotation, plus names a reader needs."""
    title, path, file = document_fields(workspace, annotation)
    return {"id": annotation.id, **annotation.to_record(), "theme_names": theme_names(workspace, annotation),
            "document_title": title, "document_path": path, "document_file": str(file or "")}


def to_jsonl(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    progress.expect(len(annotations))
    lines = (json.dumps(record(workspace, a), ensure_ascii=False) for a in progress.track(annotations))
    return "".join(line + "\n" for line in lines).encode("utf-8")


def to_markdown(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """A report grouped by theme, fit to paste into a paper or an issue."""
    progress.expect(sum(len(a.themes) for a in annotations))  # a passage is quoted under each theme
    summary = f"Database: `{workspace.database_path.name}` · {counted(len(annotations), 'annotation')}"
    lines = ["# Coded passages", "", summary, ""]
    for theme in workspace.themes:
        tagged = [a for a in annotations if theme.id in a.themes]
        if not tagged:
            continue
        documents = len({a.document for a in tagged})
        level = "###" if theme.parent else "##"
        lines += [f"{level} {theme.name}", "",
                  f"*{counted(len(tagged), 'passage')} in {counted(documents, 'document')}*", ""]
        if theme.description:
            lines += [theme.description, ""]
        for annotation in progress.track(tagged):
            title, _, _ = document_fields(workspace, annotation)
            lines += ["> " + line for line in annotation.quote.splitlines() or [""]]
            lines += [">", f"> — {title}, characters {annotation.start}–{annotation.end}"
                      + (" (orphaned)" if annotation.orphaned else ""), ""]
            if annotation.note:
                lines += [f"**Memo:** {annotation.note}", ""]
    return "\n".join(lines).encode("utf-8")


def to_w3c(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """A W3C Web Annotation ``AnnotationCollection`` (JSON-LD)."""
    items = []
    progress.expect(len(annotations))
    for annotation in progress.track(annotations):
        _, _, file = document_fields(workspace, annotation)
        source = file.as_uri() if file else ""
        body = [{"type": "TextualBody", "purpose": "tagging", "value": name}
                for name in theme_names(workspace, annotation)]
        if annotation.note:
            body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note,
                         "format": "text/plain"})
        items.append({
            "id": f"urn:margin:annotation:{annotation.id}",
            "type": "Annotation",
            "created": annotation.created,
            "modified": annotation.modified,
            "creator": {"type": "Person", "name": annotation.author},
            "body": body,
            "target": {"source": source, "selector": [
                {"type": "TextQuoteSelector", "exact": annotation.quote,
                 "prefix": annotation.prefix, "suffix": annotation.suffix},
                {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
            ]},
        })
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": f"urn:margin:collection:{workspace.database_path.stem}",
        "type": "AnnotationCollection",
        "label": f"Margin annotations from {workspace.database_path.name}",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return json.dumps(collection, ensure_ascii=False, indent=2).encode("utf-8")


Writer = Callable[[Workspace, list[Annotation], Progress], bytes]


def refi_writer(name: str) -> Writer:
    """A REFI-QDA writer whose XML and zip machinery load only when the format is chosen
    (the reader imports this module at start-up)."""
    def write(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
        from . import refi

        return getattr(refi, name)(workspace, annotations, progress)

    return write


FORMATS: dict[str, tuple[str, Writer]] = {
    "csv": (".csv", to_csv),
    "jsonl": (".jsonl", to_jsonl),
    "md": (".md", to_markdown),
    "w3c": (".jsonld", to_w3c),
    "qdpx": (".qdpx", refi_writer("to_qdpx")),
    "qdc": (".qdc", refi_writer("to_qdc")),
}


def default_output(workspace: Workspace, fmt: str) -> Path:
    """``annotations/annotations-export.csv`` and so on, beside the database."""
    return workspace.database_path.with_name(f"{workspace.database_path.stem}-export{FORMATS[fmt][0]}")


def check_output(workspace: Workspace, fmt: str, output: Path | None, force: bool) -> Path:
    """Where the export goes, refusing an unknown format, an existing file without ``force``
    and the database's own files."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return check_target(workspace, output or default_output(workspace, fmt), force)


def check_target(workspace: Workspace, output: Path, force: bool) -> Path:
    """``output`` made absolute, unless it exists (without ``force``) or is the database's."""
    output = Path(os.path.abspath(output))
    if output.exists() and not force:
        raise ExportError(f"{output}: exists already (add --force to replace it)")
    if output in {workspace.database_path, *workspace.database_path.parent.glob(f"{workspace.database_path.name}.*")}:
        raise ExportError(f"{output}: that is the database or one of its files")
    return output


def export(workspace: Workspace, fmt: str, output: Path | None = None, selection: Selection = Selection(),
           force: bool = False) -> tuple[Path, int]:
    """Write the export; return where and how many annotations. Never touches the database."""
    output = check_output(workspace, fmt, output, force)
    annotations = selection.annotations(workspace)
    return write_export(workspace, fmt, output, annotations), len(annotations)


def write_export(workspace: Workspace, fmt: str, output: Path, annotations: list[Annotation],
                 progress: Progress | None = None) -> Path:
    """Serialise and write; the slow half, which the TUI runs off its UI thread, watching
    ``progress``."""
    return write_file(output, FORMATS[fmt][1](workspace, annotations, progress or Progress()))


def write_file(output: Path, payload: bytes) -> Path:
    """Write atomically: a failure (a full disk, a read-only folder) leaves any old file whole."""
    try:
        atomic_write(output, payload)
    except OSError as error:
        raise ExportError(f"{output}: cannot write ({error.strerror or error})") from None
    return output
