"""``margin import``: annotations exported as JSON lines, W3C Web Annotation or a REFI-QDA
project (``.qdpx``, from Margin, ATLAS.ti, NVivo, MAXQDA, QualCoder...) or codebook
(``.qdc``), read back.

An import file is written by a stranger, so an import runs in three phases and writes only
in the last:

1. **Parse**: the whole file (size capped) is read into typed items (``Parsed``) and checked
   (``import_records``, ``refi.read_project``). The first malformed record raises
   ``ImportFileError`` naming the file, the line or element, and what is wrong.
2. **Resolve**: each document the file names is found, but only inside the project
   (``Confinement``): the database's corpus folders, the import file's folder, and folders
   the user allows (``--sources``). Paths, ``relative://``/``absolute://`` sources and
   ``file://`` IRIs that lead elsewhere, symlinks included, are listed and never read.
3. **Write**: a project's unknown sources are written to ``imported/`` beside the database,
   then every passage found again by its quote (``anchoring.place``) is added in one undo
   step (one journal batch). If anything fails there, the files are removed and the store
   takes its changes back (``Store.recording``).

Themes are matched by name (a project's or codebook's codes: by their place in the tree) and
created when missing (``Store.import_themes``, linear in the number of codes). A passage
already coded is given the imported themes, not duplicated.
Passages that cannot be placed (document not found or outside the project, quote not in it,
no theme) are reported, never dropped silently: they are not a malformed file.

A project's text sources are matched to documents by their text, then by name. A source that
matches none is written, as UTF-8 text, to ``imported/`` (never over an existing file; its
name whole, made safe) with its name as title (``imported/catalog.json``) and coded there, so a
project from another tool can be read in Margin. Every source is registered, coded or not.
"""

from __future__ import annotations

import codecs
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import msgspec

from .anchoring import Placement, place
from .codebook import ThemeSpec, folded
from .corpus import CATALOG_NAME, CatalogEntry, CorpusError, Document, load_document
from .import_records import (
    JsonlRecord,
    RecordError,
    W3CAnnotation,
    W3CCollection,
    W3CCreator,
    W3CPage,
    check_date,
    check_span,
    convert,
)
from .refi import (
    Project,
    ProjectError,
    ProjectSource,
    convert_positions,
    decoded_as_stored,
    read_project,
    read_qdc,
)
from .storage import atomic_write
from .store import CONTEXT_CHARS
from .text import counted, normalise_newlines
from .workspace import Workspace

MAX_IMPORT_BYTES = 512 * 2**20  # an import file, and a source a project names outside itself
MAX_FUZZY_QUOTE = 1_000  # longer quotes must be found exactly: aligning one costs its length × the text's
IMPORTED_FOLDER = "imported"
OUTSIDE = "outside the project (use --sources DIR to allow)"


class ImportFileError(Exception):
    """The file cannot be imported at all; the message names it. Nothing was written."""


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
    theme_keys: list[tuple[str, ...]] = field(default_factory=list)  # a project's codes where they sit
    guid: str = ""  # a project's GUID for the selection, kept


@dataclass
class Parsed:
    """A whole import file, checked: the codes it defines, the passages it codes, and (a
    project) its text sources, whose passages are known once their documents are found.
    A codebook (``.qdc``) reader would fill ``codes`` alone."""

    codes: list[ThemeSpec] = field(default_factory=list)
    items: list[Incoming] = field(default_factory=list)
    sources: list[ProjectSource] = field(default_factory=list)
    project: Project | None = None  # a REFI-QDA project: positions converted once all its texts are read


@dataclass
class ImportReport:
    imported: int = 0
    moved: int = 0
    merged: int = 0
    unplaced: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # documents a project brought
    notes: list[str] = field(default_factory=list)  # how a project was read, what Margin cannot keep of it
    themes_added: list[str] = field(default_factory=list)
    themes_known: int = 0  # codes of the file that the codebook had already
    codebook_only: bool = False  # a .qdc: the message is about themes

    @property
    def themes_message(self) -> str:
        added = ", ".join(self.themes_added[:8]) + (", …" if len(self.themes_added) > 8 else "")
        return (f"added {counted(len(self.themes_added), 'theme')}{f' ({added})' if added else ''}, "
                f"{max(0, self.themes_known)} in the codebook already")

    @property
    def message(self) -> str:
        if self.codebook_only:
            return self.themes_message
        parts = [f"imported {counted(self.imported, 'annotation')}"]
        if self.moved:
            parts.append(f"{self.moved} placed by their quote")
        if self.merged:
            parts.append(f"{self.merged} coded already (themes merged)")
        if self.unplaced:
            parts.append(f"{len(self.unplaced)} could not be placed")
        return ", ".join(parts)


# -- 1. parse -----------------------------------------------------------------------------

def parse_jsonl(path: Path, data: bytes) -> Parsed:
    """Every line a ``JsonlRecord`` (blank lines skipped)."""
    items = []
    for number, line in enumerate(data.removeprefix(codecs.BOM_UTF8).split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            raw = msgspec.json.decode(line)
            record = convert(raw, JsonlRecord)
            check_span(record.start, record.end)
            check_date(record.created, "created")
            check_date(record.modified, "modified")
        except msgspec.DecodeError as error:
            raise ImportFileError(f"{path}: line {number}: not valid JSON ({error})") from None
        except RecordError as error:
            raise ImportFileError(f"{path}: line {number}: {error}") from None
        items.append(Incoming(
            document=record.document_path, elsewhere=record.document_file, start=record.start, end=record.end,
            quote=record.quote, prefix=record.prefix, suffix=record.suffix, themes=record.theme_names,
            note=record.note, author=record.author, created=record.created, modified=record.modified,
        ))
    return Parsed(items=items)


def parse_w3c(path: Path, data: bytes) -> Parsed:
    """An ``AnnotationCollection``, a page of ``items``, or one ``Annotation``."""
    try:
        raw = msgspec.json.decode(data.removeprefix(codecs.BOM_UTF8))
        if isinstance(raw, dict) and raw.get("type") == "AnnotationCollection":
            annotations, where = convert(raw, W3CCollection).first.items, "first.items"
        elif isinstance(raw, dict) and "items" in raw:
            annotations, where = convert(raw, W3CPage).items, "items"
        else:
            annotations, where = [convert(raw, W3CAnnotation)], ""
        items = [w3c_item(annotation, f"{where}[{index}]: " if where else "")
                 for index, annotation in enumerate(annotations)]
    except msgspec.DecodeError as error:
        raise ImportFileError(f"{path}: not valid JSON ({error})") from None
    except RecordError as error:
        raise ImportFileError(f"{path}: {error}") from None
    return Parsed(items=items)


def w3c_item(annotation: W3CAnnotation, where: str) -> Incoming:
    """One annotation's passage, themes and memo; ``where`` prefixes a complaint."""
    target = annotation.target
    selectors = target.selector if isinstance(target.selector, list) else [target.selector]
    quote = next((s for s in selectors if s.type == "TextQuoteSelector"), None)
    if quote is None or not quote.exact:
        raise RecordError(f"{where}target: no TextQuoteSelector with an \"exact\" quote")
    position = next((s for s in selectors if s.type == "TextPositionSelector"), None)
    start, end = (position.start or 0, position.end or 0) if position else (0, 0)
    check_span(start, end, f"{where}TextPositionSelector: ")
    for name in ("created", "modified"):
        try:
            check_date(getattr(annotation, name), name)
        except RecordError as error:
            raise RecordError(f"{where}{error}") from None
    bodies = annotation.body if isinstance(annotation.body, list) else [annotation.body]
    tags = [body.value for body in bodies if body.purpose == "tagging"]
    if any(not tag.strip() for tag in tags):
        raise RecordError(f"{where}body: a tagging body needs a theme name")
    source = urlparse(target.source)
    creator = annotation.creator
    return Incoming(
        document=unquote(source.path) if source.scheme == "file" else target.source,
        start=start, end=end, quote=quote.exact, prefix=quote.prefix, suffix=quote.suffix, themes=tags,
        note="\n\n".join(body.value for body in bodies if body.purpose == "commenting"),
        author=creator.name if isinstance(creator, W3CCreator) else creator or "",
        created=annotation.created, modified=annotation.modified,
    )


def parse_qdpx(path: Path, data: bytes) -> Parsed:
    try:
        project = read_project(data, path.parent)
    except ProjectError as error:
        raise ImportFileError(f"{path}: {error}") from None
    return Parsed(codes=project.codes, sources=project.sources, project=project)


def parse_qdc(path: Path, data: bytes) -> Parsed:
    """A REFI-QDA codebook: codes alone, merged into the database's codebook."""
    try:
        return Parsed(codes=read_qdc(data))
    except ProjectError as error:
        raise ImportFileError(f"{path}: {error}") from None


READERS: dict[str, Callable[[Path, bytes], Parsed]] = {
    ".jsonl": parse_jsonl, ".json": parse_w3c, ".jsonld": parse_w3c, ".qdpx": parse_qdpx, ".qdc": parse_qdc,
}


def read_capped(path: Path) -> bytes:
    """The file's bytes, refusing one larger than ``MAX_IMPORT_BYTES`` without reading it all."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)
    except OSError as error:
        raise ImportFileError(f"{path}: cannot read ({error.strerror or error})") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{path}: larger than {MAX_IMPORT_BYTES // 2**20} MB, the most Margin imports")
    return data


def parse(path: Path) -> Parsed:
    suffix = path.suffix.lower()
    if suffix not in READERS:
        kind = path.suffix or "this"
        raise ImportFileError(f"{path}: cannot import {kind} files (jsonl, json, jsonld, qdpx or qdc)")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    return READERS[suffix](path, read_capped(path))


# -- 2. resolve ---------------------------------------------------------------------------

class Confinement:
    """The folders an import may read documents from: those of the database's documents and
    corpus, the import file's own folder, and ``allowed`` (``--sources``), each with its
    subfolders except hidden ones (``~/.ssh`` when a file is imported from the home folder).
    Checked on the resolved path, so a symlink is judged by where it leads."""

    def __init__(self, workspace: Workspace, import_file: Path, allowed: list[Path]) -> None:
        store = workspace.store
        folders = {store.file_of(document_id).parent for document_id in store.documents}
        folders |= {*workspace.corpus.folders, import_file.absolute().parent, *allowed}
        self.roots = [Path(os.path.realpath(folder)) for folder in folders]

    def refusal(self, path: Path) -> str | None:
        """None if ``path`` may be read; else why not (not found, not a file, outside)."""
        real = Path(os.path.realpath(path))
        if not any(self._under(real, root) for root in self.roots):
            return OUTSIDE if os.path.lexists(path) else "document not found"
        if not real.exists():
            return "document not found"
        return None if real.is_file() else "not a regular file"

    @staticmethod
    def _under(real: Path, root: Path) -> bool:
        if not real.is_relative_to(root):
            return False
        return not any(part.startswith(".") for part in real.relative_to(root).parts)


def find_document(workspace: Workspace, confinement: Confinement, source: Path, name: str) -> Document | str:
    """The document a path names, beside the database or the import file, or absolute;
    else why it cannot be had."""
    candidates = [Path(name)] if os.path.isabs(name) else [workspace.database_path.parent / name,
                                                           source.absolute().parent / name]
    problem = "document not found"
    for candidate in candidates:
        normal = Path(os.path.normpath(candidate))
        refused = confinement.refusal(normal)
        if refused is not None:
            problem = refused if problem == "document not found" else problem
            continue
        document = workspace.corpus.by_key(str(normal))
        if document is not None:
            return document
        try:
            return load_document(normal)
        except CorpusError as error:
            problem = str(error)
    return problem


def source_text(confinement: Confinement, source: ProjectSource) -> None:
    """Read a project's source that lives outside the archive, if it is inside the project."""
    if source.outside is None:
        return
    refused = confinement.refusal(source.outside)
    if refused is not None:
        source.problem = f"{source.location}: {refused}"
        return
    try:
        with source.outside.open("rb") as file:
            data = file.read(MAX_IMPORT_BYTES + 1)
    except OSError as error:
        source.problem = f"{source.location}: {error.strerror or error}"
        return
    if len(data) > MAX_IMPORT_BYTES:
        source.problem = f"{source.location}: larger than {MAX_IMPORT_BYTES // 2**20} MB"
        return
    source.stored, source.problem = decoded_as_stored(data, source.location)
    source.text = None if source.stored is None else normalise_newlines(source.stored)


def matching_document(workspace: Workspace, source: ProjectSource) -> Document | None:
    """An open document with the source's text, else with its name."""
    same_text = next((d for d in workspace.documents if d.text == source.text), None)
    if same_text is not None:
        return same_text
    named = {source.name, Path(source.name).stem}
    return next((d for d in workspace.documents if {d.title, d.path.stem, d.path.name} & named), None)


# -- 3. write -----------------------------------------------------------------------------

def import_file(workspace: Workspace, path: Path, sources: Sequence[Path] = ()) -> ImportReport:
    """Import ``path`` into the workspace's database, all or nothing (see the module's doc).
    ``sources`` are more folders documents may be read from."""
    parsed = parse(path)
    confinement = Confinement(workspace, path, list(sources))
    for source in parsed.sources:
        source_text(confinement, source)
    if parsed.project is not None:
        convert_positions(parsed.project)
    matched = [(source, matching_document(workspace, source) if source.text is not None else None)
               for source in parsed.sources]
    documents: dict[str, Document | str] = {}
    for item in parsed.items:
        if item.document not in documents:
            found = find_document(workspace, confinement, path, item.document)
            if isinstance(found, str) and item.elsewhere:  # keep the first reason if both fail
                elsewhere = find_document(workspace, confinement, path, item.elsewhere)
                found = found if isinstance(elsewhere, str) else elsewhere
            documents[item.document] = found

    report = ImportReport()
    if parsed.project is not None:
        lines = (parsed.project.unit_message, parsed.project.not_kept_message)
        report.notes += [line for line in lines if line]
    folder = workspace.database_path.parent / IMPORTED_FOLDER
    folder_existed, created, titles = folder.exists(), [], {}
    catalog_before: bytes | None = None
    catalog_written = False
    try:
        items = list(parsed.items)
        sourced: list[tuple[ProjectSource, Document | None]] = []
        for source, document in matched:
            if source.text is not None and document is None:
                document = write_source(folder, source, report, created, titles)
            items += source_items(source, document, documents, report)
            sourced.append((source, document))
        if titles:
            catalog_before, catalog_written = write_titles(folder, titles), True
        placed = placements(items, documents, report)
        with workspace.undoable(f"import {path.name}"):
            for source, document in sourced:  # a project's uncoded sources too: an export keeps them
                if document is not None:
                    workspace.store.register_document(document.path, document.sha256, document.title,
                                                      document.encoding, source.guid)
            names = dict.fromkeys(name for item, _, _ in placed for name in item.themes)
            before = {theme.id for theme in workspace.themes}
            themes = workspace.store.import_themes([*parsed.codes, *map(ThemeSpec, names)])
            report.themes_added = [theme.name for theme in workspace.themes if theme.id not in before]
            report.themes_known = len({spec.key for spec in parsed.codes}) - len(report.themes_added)
            report.codebook_only = (bool(parsed.codes) and not parsed.sources and not parsed.items
                                    and parsed.project is None)
            if parsed.project is not None and parsed.codes:
                report.notes.append(f"codebook: {report.themes_message}")
            for item, document, placement in placed:
                keys = item.theme_keys or [folded(name) for name in item.themes]
                coded = list(dict.fromkeys(themes[key] for key in keys))
                merged = workspace.import_passage(document, placement.start, placement.end, coded, item.note,
                                                  item.author, item.created, item.modified, item.guid or None)
                report.merged += merged
                report.imported += not merged
    except BaseException:
        for written in created:
            written.unlink(missing_ok=True)
        if catalog_written:
            if catalog_before is None:
                (folder / CATALOG_NAME).unlink(missing_ok=True)
            else:
                atomic_write(folder / CATALOG_NAME, catalog_before)
        if not folder_existed and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
        raise
    if not folder_existed and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()  # every source it was made for was refused
    return report


def placements(items: list[Incoming], documents: dict[str, Document | str],
               report: ImportReport) -> list[tuple[Incoming, Document, Placement]]:
    """Where each passage is found by its quote; the others are listed in ``report``. The
    context is cut to what the store keeps (a long one would be compared at every
    occurrence of a short quote)."""
    placed = []
    for item in items:
        document = documents[item.document]
        where = f"“{item.quote[:40]}” ({item.document})"
        if not item.themes:
            report.unplaced.append(f"{where}: no theme to code it with")
        elif isinstance(document, str):
            report.unplaced.append(f"{where}: {document}")
        elif (placement := place(document.text, item.quote, item.prefix[-CONTEXT_CHARS:],
                                 item.suffix[:CONTEXT_CHARS], item.start,
                                 fuzzy=len(item.quote) <= MAX_FUZZY_QUOTE)) is None:
            long = len(item.quote) > MAX_FUZZY_QUOTE
            exactly = f" (a quote over {MAX_FUZZY_QUOTE:,} characters must match exactly)" if long else ""
            report.unplaced.append(f"{where}: quote not found in the document{exactly}")
        else:
            report.moved += (placement.start, placement.end) != (item.start, item.end)
            placed.append((item, document, placement))
    return placed


def source_items(source: ProjectSource, document: Document | None, documents: dict[str, Document | str],
                 report: ImportReport) -> list[Incoming]:
    """A project source's selections as passages of ``document`` (None: listed as unplaced)."""
    if document is None:
        report.unplaced += [f"a passage of {source.name}: {source.problem}" for _ in source.selections]
        return []
    documents[document.key] = document
    text = source.text or ""
    report.unplaced += [f"a passage of {source.name}: {s.problem}" for s in source.selections if s.problem]
    return [Incoming(
        document=document.key, start=s.start, end=s.end, quote=text[s.start:s.end],
        prefix=text[max(0, s.start - CONTEXT_CHARS):s.start], suffix=text[s.end:s.end + CONTEXT_CHARS],
        themes=s.codes, note=s.note, author=s.author, created=s.created, modified=s.modified,
        theme_keys=s.code_keys, guid=s.guid,
    ) for s in source.selections if not s.problem]


def write_source(folder: Path, source: ProjectSource, report: ImportReport,
                 created: list[Path], titles: dict[str, str]) -> Document | None:
    """The source's text written to ``folder`` as a document titled with the source's name
    (None, with ``source.problem``, if it cannot be); files this import creates go in
    ``created``, to be removed on failure, and the titles to give them in ``titles``."""
    try:
        path, new = write_text(folder, source.name, source.text or "")
    except OSError as error:
        source.problem = f"cannot write its text beside the database ({error.strerror or error})"
        return None
    title = " ".join(source.name.split()) or None
    try:
        document = load_document(path, CatalogEntry(title=title))
    except CorpusError as error:  # text Margin does not read as a document (a NUL: "binary")
        if new:
            path.unlink(missing_ok=True)
        source.problem = f"its text cannot be a document ({str(error).removeprefix(f'{path}: ')})"
        return None
    if new:
        created.append(path)
    if path not in report.written:
        report.written.append(path)
    if title:
        titles[path.name] = title
    return document


DOCUMENT_SUFFIXES = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf", ".html", ".htm", ".md")
MAX_FILE_NAME = 150


def file_stem(name: str) -> str:
    """A source's name as a file name: whole (``Interview 3.2`` stays that, never cut at a
    dot), made safe (no path separators, control or reserved characters, no leading dot), its
    document extension dropped since its text becomes ``.txt``."""
    for suffix in DOCUMENT_SUFFIXES:
        if name.casefold().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    safe = "".join(c if c.isprintable() and c not in '/\\:*?"<>|' else "_" for c in name)
    return " ".join(safe.split()).strip(" .")[:MAX_FILE_NAME].strip(" .") or "source"


def write_text(folder: Path, name: str, text: str) -> tuple[Path, bool]:
    """``folder/<name>.txt``, or the file of that name holding this text already (then
    False: not created); never an existing file with other text (``<name> (2).txt`` then)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = file_stem(name)
    for number in range(1, 1000):
        path = folder / (f"{stem}.txt" if number == 1 else f"{stem} ({number}).txt")
        try:
            with path.open("x", encoding="utf-8", newline="\n") as file:
                file.write(text)
            return path, True
        except FileExistsError:
            if path.read_text(encoding="utf-8") == text:
                return path, False
    raise FileExistsError(f"{folder}: too many files named {stem}")


def write_titles(folder: Path, titles: dict[str, str]) -> bytes | None:
    """Record the imported documents' titles in the folder's ``catalog.json`` (kept entries
    are left as they are); returns the catalog's bytes before (None: there was none), to put
    back if the import fails. A catalog Margin cannot read is left alone."""
    catalog = folder / CATALOG_NAME
    before = catalog.read_bytes() if catalog.is_file() else None
    try:
        entries = json.loads(before) if before is not None else {}
    except ValueError:
        return before
    if not isinstance(entries, dict):
        return before
    changed = False
    for name, title in titles.items():
        entry = entries.setdefault(name, {})
        if isinstance(entry, dict) and not entry.get("title"):
            entry["title"] = title
            changed = True
    if changed:
        atomic_write(catalog, json.dumps(entries, ensure_ascii=False, indent=2).encode("utf-8"))
    return before
