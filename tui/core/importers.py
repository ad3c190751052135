"""``margin import``: annotations exported as JSON lines, W3C Web Annotation or a REFI-QDA
project (``.qdpx``, from Margin, ATLAS.ti, NVivo, MAXQDA, QualCoder...), read back.

Each passage is found in its document again by its quote (``anchoring.place``), so offsets
that disagree with the text (an edited document, a tool counting differently) are fixed, and
what cannot be placed is reported, never dropped silently. Themes are matched by name and
created when missing. A passage already coded is given the imported themes, not duplicated.
The whole import is one undo step.

A project's text sources are matched to documents by their text, then by name. A source that
matches none is written, as UTF-8 text, to an ``imported`` folder beside the database (never
over an existing file) and coded there, so a project from another tool can be read in Margin.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from .anchoring import place
from .corpus import CorpusError, Document, load_document
from .refi import Project, ProjectError, ProjectSource, read_project
from .store import CONTEXT_CHARS
from .text import counted
from .workspace import Workspace


class ImportFileError(Exception):
    """The file cannot be imported at all; the message names it."""


@dataclass
class Incoming:
    """One annotation as another file describes it."""

    document: str  # a path, relative to the database's folder or the file's folder, or absolute
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    themes: list[str]
    elsewhere: str = ""  # where the exporting machine had it (absolute), tried next
    note: str = ""
    author: str = ""
    created: str | None = None
    modified: str | None = None


@dataclass
class ImportReport:
    imported: int = 0
    moved: int = 0
    merged: int = 0
    unplaced: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # documents a project brought

    @property
    def message(self) -> str:
        parts = [f"imported {counted(self.imported, 'annotation')}"]
        if self.moved:
            parts.append(f"{self.moved} placed by their quote")
        if self.merged:
            parts.append(f"{self.merged} coded already (themes merged)")
        if self.unplaced:
            parts.append(f"{len(self.unplaced)} could not be placed")
        return ", ".join(parts)


def read_jsonl(path: Path) -> list[Incoming]:
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items.append(Incoming(
                document=record["document_path"], elsewhere=record.get("document_file", ""),
                start=record["start"], end=record["end"],
                quote=record["quote"], prefix=record.get("prefix", ""), suffix=record.get("suffix", ""),
                themes=list(record.get("theme_names", [])), note=record.get("note", ""),
                author=record.get("author", ""), created=record.get("created"), modified=record.get("modified"),
            ))
        except (ValueError, KeyError, TypeError) as error:
            raise ImportFileError(f"{path}: line {number} is not a Margin JSON-lines annotation ({error})") from None
    return items


def read_w3c(path: Path) -> list[Incoming]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data["first"]["items"] if data.get("type") == "AnnotationCollection" else data.get("items", [data])
        return [w3c_item(item) for item in items]
    except (ValueError, KeyError, TypeError, StopIteration) as error:
        raise ImportFileError(f"{path}: not a W3C Web Annotation file Margin can read ({error})") from None


def w3c_item(item: dict) -> Incoming:
    target = item["target"]
    selectors = {selector["type"]: selector for selector in target["selector"]}
    quote = selectors["TextQuoteSelector"]
    position = selectors.get("TextPositionSelector", {"start": 0, "end": 0})
    bodies = item.get("body", [])
    source = urlparse(target["source"])
    return Incoming(
        document=unquote(source.path) if source.scheme == "file" else target["source"],
        start=position["start"], end=position["end"], quote=quote["exact"],
        prefix=quote.get("prefix", ""), suffix=quote.get("suffix", ""),
        themes=[b["value"] for b in bodies if b.get("purpose") == "tagging"],
        note="\n\n".join(b["value"] for b in bodies if b.get("purpose") == "commenting"),
        author=(item.get("creator") or {}).get("name", ""),
        created=item.get("created"), modified=item.get("modified"),
    )


READERS = {".jsonl": read_jsonl, ".json": read_w3c, ".jsonld": read_w3c}
PROJECT_SUFFIX = ".qdpx"
IMPORTED_FOLDER = "imported"


def import_file(workspace: Workspace, path: Path) -> ImportReport:
    suffix = path.suffix.lower()
    if suffix not in READERS and suffix != PROJECT_SUFFIX:
        raise ImportFileError(f"{path}: cannot import {path.suffix or 'this'} files (jsonl, json, jsonld or qdpx)")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    report = ImportReport()
    if suffix == PROJECT_SUFFIX:
        try:
            project = read_project(path.read_bytes(), path.parent)
        except ProjectError as error:
            raise ImportFileError(f"{path}: {error}") from None
        with workspace.undoable(f"import {path.name}"):
            items, documents = project_items(workspace, project, report)
            place_all(workspace, path, items, report, documents)
    else:
        incoming = READERS[suffix](path)
        with workspace.undoable(f"import {path.name}"):
            place_all(workspace, path, incoming, report)
    return report


def place_all(workspace: Workspace, path: Path, incoming: list[Incoming], report: ImportReport,
              documents: dict[str, Document | None] | None = None) -> None:
    """Code every passage where its quote is found, and list the ones that are not.
    ``documents`` are those found already, by the names the items give."""
    documents = dict(documents or {})
    for item in incoming:
        if item.document not in documents:
            documents[item.document] = (find_document(workspace, path, item.document)
                                        or (item.elsewhere and find_document(workspace, path, item.elsewhere))
                                        or None)
        document = documents[item.document]
        where = f"“{item.quote[:40]}” ({item.document})"
        if not item.themes:
            report.unplaced.append(f"{where}: no theme to code it with")
            continue
        if document is None:
            report.unplaced.append(f"{where}: document not found")
            continue
        placement = place(document.text, item.quote, item.prefix, item.suffix, item.start)
        if placement is None:
            report.unplaced.append(f"{where}: quote not found in the document")
            continue
        report.moved += (placement.start, placement.end) != (item.start, item.end)
        merged = workspace.import_passage(document, placement.start, placement.end, item.themes, item.note,
                                          item.author, item.created, item.modified)
        report.merged += merged
        report.imported += not merged


def project_items(workspace: Workspace, project: Project,
                  report: ImportReport) -> tuple[list[Incoming], dict[str, Document | None]]:
    """The project's codes added to the codebook, and its selections as passages to place,
    with the documents its sources turned out to be (so nothing is read twice)."""
    for code in project.codes:  # parents come first, in document order
        if code.name.strip():
            workspace.import_theme(code.name, code.description, code.color, code.parent)
    items, documents = [], {}
    for source in project.sources:
        document = source_document(workspace, source, report)
        if document is not None:
            documents[document.key] = document
        for selection in source.selections:
            if document is None:
                report.unplaced.append(f"a passage of {source.name}: {source.problem}")
                continue
            text, start, end = source.text or "", selection.start, selection.end
            items.append(Incoming(
                document=document.key, start=start, end=end, quote=text[start:end],
                prefix=text[max(0, start - CONTEXT_CHARS):start], suffix=text[end:end + CONTEXT_CHARS],
                themes=[name for name in selection.codes if name], note=selection.note, author=selection.author,
                created=selection.created, modified=selection.modified,
            ))
    return items, documents


def source_document(workspace: Workspace, source: ProjectSource, report: ImportReport) -> Document | None:
    """The document a project's source is: one with the same text, else the same name, else
    the source's text written beside the database. None (with ``source.problem``) if none."""
    if source.text is None:
        return None
    same_text = next((d for d in workspace.documents if d.text == source.text), None)
    if same_text is not None:
        return same_text
    named = {source.name, Path(source.name).stem}
    same_name = next((d for d in workspace.documents if {d.title, d.path.stem, d.path.name} & named), None)
    if same_name is not None:
        return same_name
    try:
        path = write_source(workspace.database_path.parent / IMPORTED_FOLDER, source.name, source.text)
    except OSError as error:
        source.problem = f"cannot write its text beside the database ({error.strerror or error})"
        return None
    if path not in report.written:
        report.written.append(path)
    return load_document(path)


def write_source(folder: Path, name: str, text: str) -> Path:
    """``folder/<name>.txt``, or the file of that name holding this text already; never an
    existing file with other text (``<name> (2).txt`` then)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = "".join(c if c.isalnum() or c in " -_.,()" else "_" for c in Path(name).stem).strip() or "source"
    for number in range(1, 1000):
        path = folder / (f"{stem}.txt" if number == 1 else f"{stem} ({number}).txt")
        try:
            with path.open("x", encoding="utf-8", newline="\n") as file:
                file.write(text)
            return path
        except FileExistsError:
            if path.read_text(encoding="utf-8") == text:
                return path
    raise FileExistsError(f"{folder}: too many files named {stem}")


def find_document(workspace: Workspace, source: Path, name: str) -> Document | None:
    """The document a path names: open already, or beside the database or the file."""
    candidates = [Path(name)] if os.path.isabs(name) else [
        workspace.database_path.parent / name, source.parent / name]
    for candidate in candidates:
        normal = os.path.normpath(candidate)
        document = workspace.corpus.by_key(normal)
        if document is not None:
            return document
        try:
            return load_document(Path(normal))
        except CorpusError:
            continue
    return None
