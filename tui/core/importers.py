"""``margin import``: annotations exported as JSON lines or W3C Web Annotation, read back.

Each passage is found in its document again by its quote (``anchoring.place``), so offsets
that disagree with the text (an edited document, a tool counting differently) are fixed, and
what cannot be placed is reported, never dropped silently. Themes are matched by name and
created when missing. A passage already coded is given the imported themes, not duplicated.
The whole import is one undo step.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from .anchoring import place
from .corpus import CorpusError, Document, load_document
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

    @property
    def message(self) -> str:
        parts = [f"imported {counted(self.imported, 'annotation')}"]
        if self.moved:
            parts.append(f"{self.moved} placed by their quote")
        if self.merged:
            parts.append(f"{self.merged} merged into passages coded already")
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


def import_file(workspace: Workspace, path: Path) -> ImportReport:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ImportFileError(f"{path}: cannot import {path.suffix or 'this'} files (jsonl, json or jsonld)")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    incoming = reader(path)
    report = ImportReport()
    documents: dict[str, Document | None] = {}
    with workspace.undoable(f"import {path.name}"):
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
    return report


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
