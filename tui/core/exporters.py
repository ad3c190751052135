"""Exports other tools open: CSV, JSON lines, a Markdown report, W3C Web Annotation, and
REFI-QDA (``refi.py``).

Every exporter reads the workspace and writes one file; none changes the database. Offsets
are Python ``str`` indexes into the decoded text, which are Unicode code points, as W3C's
``TextPositionSelector`` and REFI-QDA's ``PlainTextSelection`` count them.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .codebook import Theme, themes_meant
from .merging import coders_of
from .progress import Progress
from .storage import atomic_write, atomic_writer
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
        workspace.reanchor_changed_documents()
        chosen = workspace.annotations_in_order()
        if self.theme:
            named = theme_for(workspace, self.theme)
            wanted = workspace.tree.descendants(named)  # and every theme nested under it
            chosen = [a for a in chosen if wanted & set(a.themes)]
        if self.document:
            needle = self.document.casefold()
            ids = {doc_id for doc_id, doc in workspace.store.documents.items()
                   if needle in doc.path.casefold() or needle in doc.title.casefold()}
            if not ids:
                raise ExportError(f"no document matching {self.document!r} in {workspace.database_path}")
            chosen = [a for a in chosen if a.document in ids]
        return chosen


def theme_for(workspace: Workspace, name: str) -> Theme:
    """The theme ``--theme name`` means: its exact name ignoring case, else the one theme whose
    name starts with it (``--theme arms`` for *Arms trafficking*), so a long name need not be
    typed in full. An ambiguous prefix lists the themes it could be; none names the themes."""
    exact = workspace.store.theme_named(name)
    if exact is not None:
        return exact
    candidates = themes_meant(workspace.themes, name)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise ExportError(f"{workspace.database_path}: theme {name!r} could be {quoted_names(candidates)}")
    known = f"the themes are {quoted_names(workspace.themes)}" if workspace.themes else "it has no themes"
    raise ExportError(f"{workspace.database_path}: no theme named {name!r} ({known})")


def quoted_names(themes: list[Theme], shown: int = 12) -> str:
    """Theme names for a one-line message: the first ``shown`` and how many more."""
    names = ", ".join(repr(theme.name) for theme in themes[:shown])
    return names + (f" and {len(themes) - shown} more" if len(themes) > shown else "")


def theme_names(workspace: Workspace, annotation: Annotation) -> list[str]:
    return [theme.name for theme in map(workspace.theme, annotation.themes) if theme]


def theme_lineage(workspace: Workspace, theme: Theme) -> list[str]:
    """The names of a theme's ancestors and its own, top first: where it sits, which its name
    alone does not say once two themes of one name sit under different parents."""
    return [t.name for t in [*workspace.tree.ancestors(theme), theme]]


class ThemeNames:
    """``theme_names`` (and, ``paths``, ``theme_paths``) per distinct set of themes, worked out
    once per export: 100,000 annotations share a few hundred sets. Callers must not change the
    lists returned."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._names: dict[tuple[int, ...], list[str]] = {}
        self._paths: dict[tuple[int, ...], list[list[str]]] = {}

    def __call__(self, annotation: Annotation) -> list[str]:
        names = self._names.get(annotation.themes)  # pragma: no mutate (a cache: a miss recomputes)
        if names is None:
            names = self._names[annotation.themes] = theme_names(self._workspace, annotation)
        return names

    def paths(self, annotation: Annotation) -> list[list[str]]:
        """Each theme's ancestors' names and its own, top first, as ``theme_names`` lists them."""
        paths = self._paths.get(annotation.themes)  # pragma: no mutate (a cache: a miss recomputes)
        if paths is None:
            themes = [theme for theme in map(self._workspace.theme, annotation.themes) if theme]
            paths = [theme_lineage(self._workspace, theme) for theme in themes]
            self._paths[annotation.themes] = paths
        return paths


class DocumentFields:
    """Title, path as recorded (relative to the database) and the file it names, per stored
    document, worked out once per export rather than once per annotation."""

    UNKNOWN = ("", "", None)

    def __init__(self, workspace: Workspace) -> None:
        store = workspace.store
        self._fields = {id_: (doc.title, doc.path, store.file_of(id_)) for id_, doc in store.documents.items()}

    def __call__(self, annotation: Annotation) -> tuple[str, str, Path | None]:
        return self._fields.get(annotation.document, self.UNKNOWN)


def json_encoder() -> Callable[[object], bytes]:
    """msgspec's JSON encoder: UTF-8 as is (as ``ensure_ascii=False``), compact, several
    times faster than ``json.dumps`` on 100,000 records. Imported when an export runs."""
    import msgspec

    return msgspec.json.Encoder().encode


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP: prefix a quote)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(workspace: Workspace, annotations: list[Annotation], progress: Progress, out: BinaryIO) -> None:
    """One row per annotation and theme; UTF-8 with a BOM so Excel reads it as UTF-8.
    Rows are streamed to the file (100,000 annotations make a 72 MB file)."""
    out.write(codecs.BOM_UTF8)  # written once: the utf-8-sig codec is pure Python, per write
    # What csv needs on any system. Mutating either cannot fail a test on Linux, where the
    # locale's encoding is UTF-8 and newline translation is the identity: not mutated.
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")  # pragma: no mutate
    writer = csv.writer(text)
    columns = ["annotation", "document_title", "document_path", "start", "end", "quote", "theme",
               "themes", "memo", "author", "created", "modified", "orphaned"]
    from .attributes import attribute_columns

    extra_header, extra = attribute_columns(workspace, columns)  # attributes.csv: a column each
    writer.writerow([*columns, *map(spreadsheet_safe, extra_header)])
    no_attributes = [""] * len(extra_header)
    progress.expect(len(annotations))
    safe = spreadsheet_safe
    # Cells shared by many rows are made safe once: per document, and per set of themes.
    documents = {id_: (safe(doc.title), safe(doc.path)) for id_, doc in workspace.store.documents.items()}
    theme_cells: dict[tuple[int, ...], tuple[list[str], str]] = {}

    def rows() -> Iterator[list]:
        for annotation in progress.track(annotations):
            title, path = documents.get(annotation.document, ("", ""))
            themes = theme_cells.get(annotation.themes)  # pragma: no mutate (a cache: a miss recomputes)
            if themes is None:
                names = theme_names(workspace, annotation)
                themes = theme_cells[annotation.themes] = ([safe(n) for n in names] or [""], safe("; ".join(names)))
            quote, note, author = safe(annotation.quote), safe(annotation.note), safe(annotation.author)
            for name in themes[0]:
                yield [annotation.id, title, path, annotation.start, annotation.end, quote, name, themes[1], note,
                       author, annotation.created, annotation.modified, annotation.orphaned,
                       *extra.get(annotation.document, no_attributes)]

    writer.writerows(rows())
    text.flush()
    text.detach()  # the caller closes the file


def record(annotation: Annotation, names: list[str], paths: list[list[str]],
           fields: tuple[str, str, Path | None]) -> dict:
    """Every stored field of an annotation, plus names a reader needs: its themes' names and
    places in the tree (``paths``: which of two themes of one name it is) and its document's
    title, recorded path and file (``fields``, from ``DocumentFields``)."""
    title, path, file = fields
    return {"id": annotation.id, **annotation.to_record(), "theme_names": names, "theme_paths": paths,
            "document_title": title, "document_path": path, "document_file": str(file or "")}


def codebook_record(workspace: Workspace) -> dict:
    """The JSON-lines codebook line (``import_records.JsonlCodebook``): every theme in order,
    used or not, with its digit, colour, description, the name of its group (``parent``, for
    readers older than ``path``) and its ancestors' names (``path``, top first), which place it
    exactly when two themes share a name under different parents."""
    themes = []
    for theme in workspace.themes:
        path = theme_lineage(workspace, theme)[:-1]
        themes.append({"name": theme.name, "description": theme.description, "color": theme.color,
                       "key": theme.key, "parent": path[-1] if path else None, "path": path})
    return {"type": "codebook", "themes": themes}


def to_jsonl(workspace: Workspace, annotations: list[Annotation], progress: Progress, out: BinaryIO) -> None:
    """The codebook on the first line, then one annotation per line, with its document's
    attributes (from attributes.csv)."""
    from .attributes import attributes_by_document_id

    progress.expect(len(annotations))
    encode = json_encoder()
    names, document_fields = ThemeNames(workspace), DocumentFields(workspace)
    attributes = attributes_by_document_id(workspace)
    out.write(encode(codebook_record(workspace)) + b"\n")
    for annotation in progress.track(annotations):
        line = record(annotation, names(annotation), names.paths(annotation), document_fields(annotation))
        line["attributes"] = attributes.get(annotation.document, {})  # from attributes.csv
        out.write(encode(line) + b"\n")


def to_markdown(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """A report grouped by theme, fit to paste into a paper or an issue."""
    progress.expect(sum(len(a.themes) for a in annotations))  # a passage is quoted under each theme
    summary = f"Database: `{workspace.database_path.name}` · {counted(len(annotations), 'annotation')}"
    lines = ["# Coded passages", "", summary, ""]
    document_fields = DocumentFields(workspace)
    for theme in workspace.themes:
        tagged = [a for a in annotations if theme.id in a.themes]
        if not tagged:
            continue
        documents = len({a.document for a in tagged})
        level = "#" * min(6, 2 + workspace.tree.depth(theme))  # a nested theme one heading down per level
        lines += [f"{level} {theme.name}", "",
                  f"*{counted(len(tagged), 'passage')} in {counted(documents, 'document')}*", ""]
        if theme.description:
            lines += [theme.description, ""]
        for annotation in progress.track(tagged):
            title, _, _ = document_fields(annotation)
            lines += ["> " + line for line in annotation.quote.splitlines() or [""]]
            lines += [">", f"> — {title}, characters {annotation.start}–{annotation.end}"
                      + (" (orphaned)" if annotation.orphaned else ""), ""]
            if annotation.note:
                lines += [f"**Memo:** {annotation.note}", ""]
    return "\n".join(lines + corpus_lines(workspace, annotations)).encode("utf-8")


def corpus_lines(workspace: Workspace, annotations: list[Annotation]) -> list[str]:
    """The report's last section: every document of the corpus with how many of its passages
    the report quotes, those not coded too, so a reader sees what was read and left uncoded
    (and, in a report of one theme or document, what was coded but is not in it)."""
    if not workspace.documents:
        return []
    counts: dict[int, int] = {}
    for annotation in annotations:
        counts[annotation.document] = counts.get(annotation.document, 0) + 1
    coded = {annotation.document for annotation in workspace.store.annotations.values()}
    lines = ["## Documents of the corpus", ""]
    for document in workspace.documents:
        document_id = workspace.store.document_id(document.path)
        count = counts.get(document_id, 0)
        what = (counted(count, "passage") if count
                else "none in this report" if document_id in coded else "not coded")
        lines.append(f"- {document.title} (`{document.path.name}`): {what}")
    return [*lines, ""]


W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MARGIN_AGENT = {"id": "https://github.com/margin-reader/margin", "type": "Software", "name": "Margin"}


def w3c_collection_id(workspace: Workspace) -> str:
    """The collection's IRI: a name-based UUID (RFC 9562 version 5) of the database file's
    ``file://`` IRI, so every export of one database names the same collection and two
    databases never share one. Its pages are ``<id>#page-1``, ``#page-2``..."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, workspace.database_path.absolute().as_uri())}"


def w3c_source(annotation: Annotation, document_fields: DocumentFields) -> str:
    """The IRI of an annotation's document: its file's, else one naming its stored id."""
    _, _, file = document_fields(annotation)
    return file.as_uri() if file else f"urn:margin:document:{annotation.document}"


def w3c_annotation(annotation: Annotation, names: list[str], source: str) -> dict:
    """One ``Annotation``: its themes (``names``) as ``tagging`` bodies, its memo as a
    ``commenting`` one, the passage as a quote and a position in its document (``source``)."""
    body = [{"type": "TextualBody", "purpose": "tagging", "value": name} for name in names]
    if annotation.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": annotation.note,
                     "format": "text/plain"})
    creators = [{"type": "Person", "name": coder} for coder in coders_of(annotation.author)]
    creator = creators[0] if len(creators) == 1 else creators or {"type": "Person"}  # merged: every coder
    item = {
        "id": f"urn:margin:annotation:{annotation.id}",
        "type": "Annotation",
        "motivation": "tagging" if annotation.themes else "commenting",
        "created": annotation.created,
        "modified": annotation.modified,
        "creator": creator,
        "generator": MARGIN_AGENT,
        "body": body,
        "target": {"source": source, "selector": [
            {"type": "TextQuoteSelector", "exact": annotation.quote,
             "prefix": annotation.prefix, "suffix": annotation.suffix},
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end},
        ]},
    }
    if not annotation.created:  # no empty dates
        del item["created"]
    if not annotation.modified:
        del item["modified"]
    return item


def to_w3c(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """A W3C Web Annotation ``AnnotationCollection`` (JSON-LD) with every annotation on one
    embedded ``AnnotationPage``. Both have an ``id`` (``w3c_collection_id``), as the model
    requires; a filtered export (``--theme``, ``--document``) is a view of the same collection.
    Indented two spaces, as ``json.dumps(indent=2)`` would, for a reader to look into."""
    import msgspec

    progress.expect(len(annotations))
    names, document_fields = ThemeNames(workspace), DocumentFields(workspace)
    sources: dict[int, str] = {}  # per document: as_uri() quotes the path each time
    items = []
    gc.disable()  # a million small dicts that all live: collections would rescan them over and over
    try:
        for annotation in progress.track(annotations):
            source = sources.get(annotation.document)  # pragma: no mutate (a cache: a miss recomputes)
            if source is None:
                source = sources[annotation.document] = w3c_source(annotation, document_fields)
            items.append(w3c_annotation(annotation, names(annotation), source))
    finally:
        gc.enable()
    collection_id = w3c_collection_id(workspace)
    collection = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": f"Margin annotations from {workspace.database_path.name}",
        "total": len(items),
        "first": {"id": f"{collection_id}#page-1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return msgspec.json.format(msgspec.json.encode(collection), indent=2)


Writer = Callable[[Workspace, list[Annotation], Progress, BinaryIO], None]

# Formats built in one piece in memory (a JSON document, XML, a zip), written whole. Plain
# functions, not closures made at import: a closure's body escapes mutation testing.


def write_markdown(workspace: Workspace, annotations: list[Annotation], progress: Progress,
                   out: BinaryIO) -> None:
    out.write(to_markdown(workspace, annotations, progress))


def write_w3c(workspace: Workspace, annotations: list[Annotation], progress: Progress,
              out: BinaryIO) -> None:
    out.write(to_w3c(workspace, annotations, progress))


# REFI-QDA's XML and zip machinery load only when the format is chosen (the reader imports
# this module at start-up).
def write_qdpx(workspace: Workspace, annotations: list[Annotation], progress: Progress,
               out: BinaryIO) -> None:
    from .refi import to_qdpx

    out.write(to_qdpx(workspace, annotations, progress))


def write_qdpx_utf16(workspace: Workspace, annotations: list[Annotation], progress: Progress,
                     out: BinaryIO) -> None:
    from .refi import to_qdpx_utf16

    out.write(to_qdpx_utf16(workspace, annotations, progress))


def write_qdc(workspace: Workspace, annotations: list[Annotation], progress: Progress,
              out: BinaryIO) -> None:
    from .refi import to_qdc

    out.write(to_qdc(workspace, annotations, progress))


FORMATS: dict[str, tuple[str, Writer]] = {
    "csv": (".csv", to_csv),
    "jsonl": (".jsonl", to_jsonl),
    "md": (".md", write_markdown),
    "w3c": (".jsonld", write_w3c),
    "qdpx": (".qdpx", write_qdpx),
    "qdpx-utf16": (".qdpx", write_qdpx_utf16),  # positions in UTF-16 code units (refi.py)
    "qdc": (".qdc", write_qdc),
}
BINARY_FORMATS = frozenset({"qdpx", "qdpx-utf16"})  # a zip: bytes, never text to show


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


def default_output(workspace: Workspace, fmt: str) -> Path:
    """``annotations/annotations-export.csv`` and so on, beside the database."""
    return workspace.database_path.with_name(f"{workspace.database_path.stem}-export{FORMATS[fmt][0]}")


def check_output(workspace: Workspace, fmt: str, output: Path | None, force: bool) -> Path:
    """Where the export goes, refusing an unknown format, an existing file without ``force``
    and the database's own files."""
    check_format(fmt)
    return check_target(workspace, output or default_output(workspace, fmt), force)


def check_target(workspace: Workspace, output: Path, force: bool) -> Path:
    """``output`` made absolute, unless it exists (without ``force``), is not a regular file
    (a folder, a device, a FIFO, a socket: ``--force`` would put a file in its place) or is
    the database's."""
    output = Path(os.path.abspath(output))
    if output.exists() and not output.is_file():
        raise ExportError(f"{output}: not a regular file; Margin only replaces files")
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


def export_to(workspace: Workspace, fmt: str, out: BinaryIO, selection: Selection = Selection()) -> int:
    """Write the export to an open stream (``-o -``: standard output), the same bytes
    ``export`` puts in a file; return how many annotations."""
    check_format(fmt)
    annotations = selection.annotations(workspace)
    FORMATS[fmt][1](workspace, annotations, Progress(), out)
    return len(annotations)


def write_export(workspace: Workspace, fmt: str, output: Path, annotations: list[Annotation],
                 progress: Progress | None = None) -> Path:
    """Serialise and write; the slow half, which the TUI runs off its UI thread, watching
    ``progress``. The file is written beside the target and replaces it only when complete."""
    try:
        with atomic_writer(output) as out:
            FORMATS[fmt][1](workspace, annotations, progress or Progress(), out)
    except OSError as error:
        raise ExportError(f"{output}: cannot write ({error.strerror or error})") from None
    return output


def write_file(output: Path, payload: bytes) -> Path:
    """Write atomically: a failure (a full disk, a read-only folder) leaves any old file whole."""
    try:
        atomic_write(output, payload)
    except OSError as error:
        raise ExportError(f"{output}: cannot write ({error.strerror or error})") from None
    return output
