"""``margin import``: annotations exported as JSON lines, W3C Web Annotation or a REFI-QDA
project (``.qdpx``, from Margin, ATLAS.ti, NVivo, MAXQDA, QualCoder...) or codebook
(``.qdc``), read back; and a codebook kept in a spreadsheet (``.csv``).

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

A project's Cases and Variables become attributes in the ``attributes.csv`` of each imported
document's folder (``write_case_attributes``), merged with what is there; a folder's file that
Margin cannot read stops the import before anything is written, and a failed import puts
each file back.

Themes are matched by name (a project's or codebook's codes: by their place in the tree) and
created when missing (``Store.import_themes``, linear in the number of codes). A passage
already coded is given the imported themes, not duplicated.
Passages that cannot be placed (document not found or outside the project, quote not in it,
no theme) are reported, never dropped silently: they are not a malformed file. Nor are the
parts of a W3C file that select no text (a ``FragmentSelector`` alone, an image, a body that
is a link): they are listed, counted, in ``ImportReport.unusable``.

A codebook (a JSON-lines export's first line, a CSV, a ``.qdc``) is merged
(``merge_codebook``): its new themes are added in its order; the themes there already keep
their place and take the file's colour and description (and a CSV's group) where it gives one.

A project's text sources are matched to documents by their text, then by name. A source that
matches none is written, as UTF-8 text, to ``imported/`` (never over an existing file; its
name whole, made safe) with its name as title (``imported/catalog.json``) and coded there, so a
project from another tool can be read in Margin. Every source is registered, coded or not.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import msgspec

from .anchoring import Placement, place
from .attributes import ATTRIBUTES_NAME, AttributeTable, merged_table, read_attributes, write_attributes
from .codebook import PATH_SEPARATOR, ThemeSpec, folded
from .confine import Roots, database_roots
from .corpus import CATALOG_NAME, CatalogEntry, CorpusError, Document, load_document
from .exporters import FORMULA_STARTS
from .import_records import (
    MAX_NAME,
    CodebookTheme,
    JsonlCodebook,
    JsonlRecord,
    RecordError,
    W3CAnnotation,
    check_name,
    W3CBody,
    W3CCreator,
    W3CTarget,
    check_date,
    check_span,
    convert,
    shown,
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
    line: int = 0  # its line in a JSON-lines file, for a complaint about its themes


@dataclass
class Parsed:
    """A whole import file, checked: the codes it defines, the passages it codes, and (a
    project) its text sources, whose passages are known once their documents are found.
    A codebook reader (``.csv``; ``.qdc``) fills ``codes`` alone."""

    codes: list[ThemeSpec] = field(default_factory=list)
    items: list[Incoming] = field(default_factory=list)
    sources: list[ProjectSource] = field(default_factory=list)
    unusable: list[str] = field(default_factory=list)  # what the file has that Margin cannot use
    merge_codebook: bool = False  # ``codes`` is a codebook (``merge_codebook`` below), reported
    paths_where_needed: bool = False  # JSON lines: ``codes`` placed by path only where a name repeats
    project: Project | None = None  # a REFI-QDA project: positions converted once all its texts are read


@dataclass
class ImportReport:
    imported: int = 0
    moved: int = 0
    merged: int = 0
    unplaced: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # documents a project brought
    unusable: list[str] = field(default_factory=list)  # parts of the file Margin cannot use, why
    codebook: str = ""  # what a codebook in the file did: "codebook: 5 themes added, ..."
    notes: list[str] = field(default_factory=list)  # how a project was read, what Margin cannot keep of it
    themes_added: list[str] = field(default_factory=list)
    themes_known: int = 0  # codes of the file that the codebook had already
    codebook_only: bool = False  # a codebook (.qdc, .csv): the message is about themes

    @property
    def unusable_counted(self) -> list[str]:
        """Each reason once, with how many parts of the file it holds for."""
        return [f"{count} × {reason}" if count > 1 else reason
                for reason, count in Counter(self.unusable).items()]

    @property
    def themes_message(self) -> str:
        added = ", ".join(self.themes_added[:8]) + (", …" if len(self.themes_added) > 8 else "")
        return (f"added {counted(len(self.themes_added), 'theme')}{f' ({added})' if added else ''}, "
                f"{max(0, self.themes_known)} in the codebook already")

    @property
    def message(self) -> str:
        if self.codebook_only:
            return self.codebook or self.themes_message
        parts = [f"imported {counted(self.imported, 'annotation')}"]
        if self.moved:
            parts.append(f"{self.moved} placed by their quote")
        if self.merged:
            parts.append(f"{self.merged} coded already (themes merged)")
        if self.unplaced:
            parts.append(f"{len(self.unplaced)} could not be placed")
        if self.unusable:
            parts.append(f"{counted(len(self.unusable), 'part')} of the file not usable")
        return ", ".join(parts)


# -- 1. parse -----------------------------------------------------------------------------

TOO_DEEP = "not usable JSON (arrays or objects nested too deeply)"


def parse_jsonl(path: Path, data: bytes) -> Parsed:
    """Every line a ``JsonlRecord``, or the ``JsonlCodebook`` (once; blank lines skipped).
    An annotation's themes are found by ``theme_paths`` when it has them, else by name, which
    must then be one theme of the codebook (checked once the whole file is read: the codebook
    line comes first in an export, but a file put together by hand may have it anywhere).
    Without a codebook line, the themes the paths name are made where they say. Whether the
    paths are followed depends on the database too (``by_path_or_name``)."""
    parsed = Parsed(paths_where_needed=True)
    codebook_line = 0
    path_specs: dict[tuple[str, ...], ThemeSpec] = {}  # every theme and group the paths name
    for number, line in enumerate(data.removeprefix(codecs.BOM_UTF8).split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            raw = msgspec.json.decode(line)
            if isinstance(raw, dict) and raw.get("type") == "codebook":
                if codebook_line:
                    raise RecordError(f"a second codebook (the first is on line {codebook_line})")
                codebook_line = number
                parsed.codes = jsonl_codebook(convert(raw, JsonlCodebook).themes)
                parsed.merge_codebook = True
                continue
            record = convert(raw, JsonlRecord)
            for index, name in enumerate(record.theme_names):
                check_name(name, f'"theme_names[{index}]": ')
            keys = theme_path_keys(record.theme_names, record.theme_paths)
            for theme_path in record.theme_paths or []:
                for depth in range(len(theme_path)):  # its groups first: import_themes places it under them
                    path_specs.setdefault(tuple(map(folded, theme_path[: depth + 1])),
                                          ThemeSpec(name=theme_path[depth], path=tuple(theme_path[:depth]),
                                                    parent=theme_path[depth - 1] if depth else None))
            check_span(record.start, record.end)
            check_date(record.created, "created")
            check_date(record.modified, "modified")
        except msgspec.DecodeError as error:
            raise ImportFileError(f"{path}: line {number}: not valid JSON ({error})") from None
        except RecursionError:  # msgspec's own limit, or convert's on what it decoded
            raise ImportFileError(f"{path}: line {number}: {TOO_DEEP}") from None
        except RecordError as error:
            raise ImportFileError(f"{path}: line {number}: {error}") from None
        parsed.items.append(Incoming(
            document=record.document_path, elsewhere=record.document_file, start=record.start, end=record.end,
            quote=record.quote, prefix=record.prefix, suffix=record.suffix, themes=record.theme_names,
            note=record.note, author=record.author, created=record.created, modified=record.modified,
            theme_keys=keys, line=number,
        ))
    if not codebook_line:
        parsed.codes = list(path_specs.values())
    elif any(spec.path is not None for spec in parsed.codes):
        for item in parsed.items:
            try:
                item.theme_keys = codebook_keys(item, parsed.codes, path_specs)
            except RecordError as error:
                raise ImportFileError(f"{path}: line {item.line}: {error}") from None
    return parsed


def jsonl_codebook(themes: list[CodebookTheme]) -> list[ThemeSpec]:
    """A JSON-lines codebook's themes as specs in an order ``Store.import_themes`` can place
    them in. With ``path`` (exports since themes nest at any depth) each theme is placed where
    it sits, so two of one name under different parents stay two; without (older exports) by
    ``parent`` name, as before."""
    placed = [theme.path is not None for theme in themes]
    if any(placed) and not all(placed):
        raise RecordError(f'"themes[{placed.index(False)}].path" is missing (other themes have one)')
    specs = []
    for index, theme in enumerate(themes):
        check_name(theme.name, f'"themes[{index}].name": ')
        check_name(theme.parent, f'"themes[{index}].parent": ')
        if theme.path is None:
            specs.append(ThemeSpec(name=theme.name, description=theme.description, color=theme.color,
                                   parent=theme.parent, digit=theme.key))
            continue
        for step, name in enumerate(theme.path):
            check_name(name, f'"themes[{index}].path[{step}]": ')
        group = theme.path[-1] if theme.path else None
        if theme.parent is not None and (group is None or folded(theme.parent) != folded(group)):
            raise RecordError(f'"themes[{index}].parent" {shown(theme.parent)} is not the last name of its '
                              f'"path" {shown(theme.path)}')
        specs.append(ThemeSpec(name=theme.name, description=theme.description, color=theme.color,
                               parent=group, path=tuple(theme.path), digit=theme.key))
    return codebook_order(specs, [f"themes[{index}]" for index in range(len(specs))], known_parents_only=True)


def theme_path_keys(names: list[str], paths: list[list[str]] | None) -> list[tuple[str, ...]]:
    """An annotation line's ``theme_paths`` as ``ThemeSpec.key``s, checked against its
    ``theme_names``: one path per name, in order, each ending in that name."""
    if paths is None:
        return []
    if len(paths) != len(names):
        raise RecordError(f'"theme_paths" has {len(paths)} paths for {len(names)} "theme_names"')
    for index, (name, path) in enumerate(zip(names, paths)):
        for step, step_name in enumerate(path):
            check_name(step_name, f'"theme_paths[{index}][{step}]": ')
        if folded(path[-1]) != folded(name):
            raise RecordError(f'"theme_paths[{index}]" {shown(path)} does not end in its theme name '
                              f'{shown(name)}')
    return [tuple(map(folded, path)) for path in paths]


def codebook_keys(item: Incoming, codes: list[ThemeSpec],
                  given: dict[tuple[str, ...], ThemeSpec]) -> list[tuple[str, ...]]:
    """Where an annotation's themes sit in the file's codebook (placed by ``path``), the
    codebook being the whole tree: by its paths when it gives them, else by name, the name of
    one theme only (of two under different parents, which is meant cannot be told). ``given``
    holds the paths as the file spells them, for a complaint."""
    keys = {spec.key for spec in codes}
    for index, key in enumerate(item.theme_keys):
        if key not in keys:
            raise RecordError(f'"theme_paths[{index}]" {spec_label(given[key])!r} is not a theme of the '
                              'codebook')
    if item.theme_keys:
        return item.theme_keys
    named: dict[str, list[ThemeSpec]] = {}
    for spec in codes:
        named.setdefault(folded(spec.name), []).append(spec)
    found = []
    for index, name in enumerate(item.themes):
        places = named.get(folded(name), [])
        if not places:
            raise RecordError(f'"theme_names[{index}]" {shown(name)} is not a theme of the codebook')
        if len(places) > 1:
            raise RecordError(ambiguous(index, name, [spec_label(spec) for spec in places]))
        found.append(places[0].key)
    return found


def ambiguous(index: int, name: str, places: list[str]) -> str:
    """The complaint about a name alone that two themes hold: the line needs paths."""
    return (f'"theme_names[{index}]" {shown(name)} could be {" or ".join(map(repr, places))}: '
            'give "theme_paths"')


def by_path_or_name(workspace: Workspace, path: Path, parsed: Parsed) -> None:
    """A JSON-lines file's themes placed by path where a name repeats, in the file or in the
    database; else by name, as before paths were written: merged into a database, a theme of
    that name there is the file's theme wherever it sits (and takes the file's group), never a
    second one. An annotation naming a theme by name alone (a file without paths) that the
    database holds under two parents is refused, naming its line."""
    held: dict[str, list[str]] = {}
    for theme in workspace.themes:
        held.setdefault(folded(theme.name), []).append(workspace.store.theme_path(theme))
    names = [folded(spec.name) for spec in parsed.codes]
    if len(set(names)) == len(names) and all(len(held.get(name, ())) < 2 for name in names):
        parsed.codes = [replace(spec, path=None) for spec in parsed.codes]
        for item in parsed.items:
            item.theme_keys = []
    for item in parsed.items:
        for index, name in enumerate(item.themes if not item.theme_keys else ()):
            if len(places := held.get(folded(name), [])) > 1:
                raise ImportFileError(f"{path}: line {item.line}: {ambiguous(index, name, places)}")


def spec_label(spec: ThemeSpec) -> str:
    """``Security › Arms``: a spec named with its place, if it has one."""
    return PATH_SEPARATOR.join([*(spec.path or ()), spec.name])


def codebook_order(specs: list[ThemeSpec], where: list[str], known_parents_only: bool = False) -> list[ThemeSpec]:
    """``specs`` in their order, except that a theme listed before its group comes right after
    it (``Store.import_themes`` groups a theme under one it has seen). A theme given twice
    (by name; by path and name for specs placed by ``path``), a theme grouped under itself
    however indirectly, and (``known_parents_only``) a group not in ``specs`` are malformed;
    ``where[i]`` names spec ``i`` in a complaint. A placed spec's group is the spec whose key
    its path is, so placed specs cannot make a circle."""

    def node(spec: ThemeSpec) -> tuple[str, ...]:
        return spec.key if spec.path is not None else (folded(spec.name),)

    def group(spec: ThemeSpec) -> tuple[str, ...] | None:
        if spec.path is not None:
            return spec.key[:-1] or None
        return (folded(spec.parent),) if spec.parent else None

    index: dict[tuple[str, ...], int] = {}
    for number, spec in enumerate(specs):
        if node(spec) in index:
            raise RecordError(f"{where[number]}: {spec_label(spec)!r} is there twice "
                              f"(also {where[index[node(spec)]]})")
        index[node(spec)] = number
    ordered: list[ThemeSpec] = []
    placed: set[tuple[str, ...]] = set()
    waiting: dict[tuple[str, ...], list[int]] = {}
    for number, spec in enumerate(specs):
        parent = group(spec)
        if parent is not None and parent not in index and known_parents_only:
            named = PATH_SEPARATOR.join(spec.path) if spec.path is not None else spec.parent
            raise RecordError(f"{where[number]}: its group {named!r} is not a theme of the codebook")
        if parent is not None and parent in index and parent not in placed:
            waiting.setdefault(parent, []).append(number)
            continue
        stack = [number]
        while stack:  # the theme, then every theme that waited for it, depth first
            current = stack.pop()
            ordered.append(specs[current])
            placed.add(node(specs[current]))
            stack += reversed(waiting.pop(node(specs[current]), []))
    if len(ordered) < len(specs):
        number = next(n for n, spec in enumerate(specs) if node(spec) not in placed)
        current = node(specs[number])
        loop, seen = [specs[number].name], {current}
        while (parent := group(specs[index[current]])) is not None and parent not in seen:
            loop.append(specs[index[parent]].name)
            seen.add(parent)
            current = parent
        loop.append(specs[index[parent]].name)
        raise RecordError(f"{where[number]}: themes grouped in a circle ({' → '.join(map(repr, loop))})")
    return ordered


def parse_w3c(path: Path, data: bytes) -> Parsed:
    """Web Annotations in any form ``w3c_annotations`` takes; what cannot be used is listed."""
    parsed = Parsed()
    try:
        raw = msgspec.json.decode(data.removeprefix(codecs.BOM_UTF8))
        for where, item in w3c_annotations(raw, parsed.unusable):
            items, unusable = w3c_items(convert(item, W3CAnnotation, where), f"{where}: " if where else "")
            parsed.items += items
            parsed.unusable += unusable
    except msgspec.DecodeError as error:
        raise ImportFileError(f"{path}: not valid JSON ({error})") from None
    except RecursionError:
        raise ImportFileError(f"{path}: {TOO_DEEP}") from None
    except RecordError as error:
        raise ImportFileError(f"{path}: {error}") from None
    return parsed


def types(value: Any) -> list[str]:
    """A JSON-LD ``type`` (or ``purpose``, ``motivation``): one string or an array of them."""
    if isinstance(value, str):
        return [value] if value else []
    return [kind for kind in value if isinstance(kind, str)] if isinstance(value, list) else []


def w3c_annotations(raw: Any, unusable: list[str]) -> list[tuple[str, Any]]:
    """Every annotation of a decoded W3C file, with where it is (``first.items[3]``): a bare
    ``Annotation``, an ``AnnotationPage`` (``items``, and the pages its ``next`` embeds), an
    ``AnnotationCollection`` (its ``first`` page and those after it), or a JSON array of
    annotations. Pages and annotations given only by their IRI are listed in ``unusable``:
    an import never fetches anything."""
    if isinstance(raw, list):
        return linked_out([(f"[{index}]", item) for index, item in enumerate(raw)], unusable)
    if not isinstance(raw, dict):
        raise RecordError(f"must be an Annotation, an AnnotationPage, an AnnotationCollection or a list of "
                          f"annotations, got {shown(raw)}")
    kinds = types(raw.get("type"))
    if "AnnotationCollection" in kinds or ("first" in raw and "Annotation" not in kinds):
        if "first" not in raw:
            return []  # an empty collection
        return pages(raw["first"], "first", unusable)
    if "AnnotationPage" in kinds or ("items" in raw and "Annotation" not in kinds):
        return pages(raw, "", unusable)
    return [("", raw)]


def pages(page: Any, where: str, unusable: list[str]) -> list[tuple[str, Any]]:
    """The annotations of ``page`` and of the pages its ``next`` embeds, in order."""
    found = []
    while True:
        if isinstance(page, str):
            unusable.append(f"a page given only by its address ({page[:80]}): pages are never fetched")
            return found
        if not isinstance(page, dict):
            raise RecordError(f'"{where}" must be an AnnotationPage or its address, got {shown(page)}')
        items = page.get("items", [])
        if not isinstance(items, list):
            raise RecordError(f'"{where + "." if where else ""}items" must be a list, got {shown(items)}')
        prefix = f"{where}." if where else ""
        found += linked_out([(f"{prefix}items[{index}]", item) for index, item in enumerate(items)], unusable)
        if "next" not in page:
            return found
        page, where = page["next"], f"{prefix}next"


def linked_out(annotations: list[tuple[str, Any]], unusable: list[str]) -> list[tuple[str, Any]]:
    """Annotations given only by their IRI are listed in ``unusable``, the others kept."""
    for where, item in annotations:
        if isinstance(item, str):
            unusable.append("an annotation given only by its address: annotations are never fetched")
    return [(where, item) for where, item in annotations if not isinstance(item, str)]


def agent_name(agent: W3CCreator | str) -> str:
    if isinstance(agent, str):
        return agent
    return ", ".join(types(agent.name)) or agent.nickname or agent.id


def w3c_items(annotation: W3CAnnotation, where: str) -> tuple[list[Incoming], list[str]]:
    """One annotation's passages (one per usable target), themes and memo, and what of it
    cannot be used; ``where`` prefixes a complaint about a malformed part."""
    for name in ("created", "modified"):
        try:
            check_date(getattr(annotation, name), name)
        except RecordError as error:
            raise RecordError(f"{where}{error}") from None
    unusable: list[str] = []
    motivations = types(annotation.motivation)
    bodies = annotation.body if isinstance(annotation.body, list) else [annotation.body]
    if annotation.bodyValue is not None:
        bodies = [*bodies, W3CBody(type="TextualBody", value=annotation.bodyValue)]
    tags, notes = [], []
    for index, body in enumerate(bodies):
        if isinstance(body, str):
            unusable.append("a body that is a link to another resource, not text")
            continue
        purposes = types(body.purpose) or motivations
        if body.value is None:
            if "TextualBody" in types(body.type):
                raise RecordError(f'{where}body[{index}]: a TextualBody needs a "value"')
            unusable.append(f"a body without text ({', '.join(types(body.type)) or 'no type'})")
        elif "tagging" in purposes:
            if not body.value.strip():
                raise RecordError(f"{where}body: a tagging body needs a theme name")
            check_name(body.value, f"{where}body[{index}]: ")
            tags.append(body.value)
        elif body.value:
            notes.append(body.value)
    creators = annotation.creator if isinstance(annotation.creator, list) else [annotation.creator]
    author = ", ".join(name for name in (agent_name(c) for c in creators if c is not None) if name)
    targets = annotation.target if isinstance(annotation.target, list) else [annotation.target]
    items = []
    for target in targets:
        passage = w3c_passage(target, where, unusable)
        if passage is not None:
            document, start, end, quote, prefix, suffix = passage
            items.append(Incoming(
                document=document, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix,
                themes=list(tags), note="\n\n".join(notes), author=author,
                created=annotation.created, modified=annotation.modified,
            ))
    return items, unusable


def w3c_passage(target: W3CTarget | str, where: str,
                unusable: list[str]) -> tuple[str, int, int, str, str, str] | None:
    """A target's document, offsets, quote and context; None (the reason in ``unusable``) if
    it does not select text: a whole resource, an image, only other selectors."""
    if isinstance(target, str):
        unusable.append("a target that is a whole resource (an address, no selector)")
        return None
    kinds = types(target.type)
    if set(kinds) & {"Image", "Video", "Sound", "Audio"} or any(f.startswith(("image/", "video/", "audio/"))
                                                                for f in types(target.format)):
        unusable.append(f"a target that is not text ({', '.join(kinds or types(target.format))})")
        return None
    selectors = target.selector if isinstance(target.selector, list) else [target.selector]
    quote = next((s for s in selectors if s.type == "TextQuoteSelector"), None)
    position = next((s for s in selectors if s.type == "TextPositionSelector"), None)
    if quote is not None and not quote.exact:  # blank is a quote: Margin codes a line break too
        raise RecordError(f'{where}target: a TextQuoteSelector needs an "exact" quote')
    if position is not None:
        if position.start is None or position.end is None:
            raise RecordError(f'{where}target: a TextPositionSelector needs "start" and "end"')
        check_span(position.start, position.end, f"{where}TextPositionSelector: ")
    if quote is None and (position is None or position.start == position.end):
        others = sorted({s.type or "no type" for s in selectors if s not in (quote, position)})
        unusable.append(f"a target with no text selector ({', '.join(others) or 'no selector'})")
        return None
    if not target.source:
        unusable.append("a target with no source document")
        return None
    start, end = (position.start or 0, position.end or 0) if position else (0, 0)
    source = urlparse(target.source)
    document = unquote(source.path) if source.scheme == "file" else target.source
    if quote is None:
        return document, start, end, "", "", ""  # the quote is read from the document, once found
    return document, start, end, quote.exact or "", quote.prefix, quote.suffix


CSV_COLUMNS = {"name": "name", "description": "description", "colour": "color", "color": "color",
               "parent": "parent"}


def parse_codebook_csv(path: Path, data: bytes) -> Parsed:
    """A codebook kept in a spreadsheet: a header naming the columns (``name``, and any of
    ``description``, ``colour`` or ``color``, ``parent``; any case, any order, other columns
    ignored), then a theme per row. A ``parent`` names a theme of the file (before or after
    it) or of the database. The apostrophe a spreadsheet export puts before a cell that would
    be a formula (Margin's CSV does) is taken off."""
    try:
        text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFileError(f"{path}: not UTF-8 text (byte {error.start}); save it as CSV UTF-8") from None
    specs, where = [], []
    try:
        rows = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(f"{path}: empty: a codebook CSV starts with a header (name, description, "
                                  "colour, parent)")
        columns: dict[str, int] = {}
        for index, title in enumerate(header):
            field_name = CSV_COLUMNS.get(title.strip().casefold())
            if field_name in columns:
                raise ImportFileError(f"{path}: row 1: two columns for {field_name!r}")
            if field_name:
                columns[field_name] = index
        if "name" not in columns:
            raise ImportFileError(f"{path}: row 1: no \"name\" column (a codebook CSV has the columns name, "
                                  "description, colour, parent)")
        for row in rows:
            number = rows.line_num
            cells = {name: spreadsheet_cell(row[index]) if index < len(row) else ""
                     for name, index in columns.items()}
            if not any(cell.strip() for cell in row):
                continue
            name = " ".join(cells["name"].split())
            color = cells.get("color", "").strip() or None
            if not name:
                raise ImportFileError(f"{path}: row {number}: no theme name")
            if len(name) > MAX_NAME:
                raise ImportFileError(f"{path}: row {number}: the name is longer than {MAX_NAME} characters")
            if color is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", color):
                raise ImportFileError(f"{path}: row {number}: colour must be #rrggbb, got {shown(color)}")
            parent = " ".join(cells.get("parent", "").split()) or None
            try:
                check_name(name, "the name: ")
                check_name(parent, "the parent: ")
            except RecordError as error:
                raise ImportFileError(f"{path}: row {number}: {error}") from None
            specs.append(ThemeSpec(name=name, description=cells.get("description", "").strip(), color=color,
                                   parent=parent))
            where.append(f"row {number}")
    except csv.Error as error:
        raise ImportFileError(f"{path}: row {rows.line_num}: not CSV ({error})") from None
    try:
        codes = codebook_order(specs, where)
    except RecordError as error:
        raise ImportFileError(f"{path}: {error}") from None
    return Parsed(codes=codes, merge_codebook=True)


def spreadsheet_cell(value: str) -> str:
    """A cell without the apostrophe that kept a formula from running (``'=x`` is ``=x``)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def parse_qdpx(path: Path, data: bytes) -> Parsed:
    try:
        project = read_project(data, path.parent)
    except ProjectError as error:
        raise ImportFileError(f"{path}: {error}") from None
    return Parsed(codes=project.codes, sources=project.sources, project=project)


def parse_qdc(path: Path, data: bytes) -> Parsed:
    """A REFI-QDA codebook: codes alone, merged into the database's codebook."""
    try:
        return Parsed(codes=read_qdc(data), merge_codebook=True)
    except ProjectError as error:
        raise ImportFileError(f"{path}: {error}") from None


READERS: dict[str, Callable[[Path, bytes], Parsed]] = {
    ".jsonl": parse_jsonl, ".json": parse_w3c, ".jsonld": parse_w3c, ".qdpx": parse_qdpx, ".qdc": parse_qdc,
    ".csv": parse_codebook_csv,
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
    """The file read by the reader its kind (its suffix) names: a missing path, a device, a
    FIFO or a folder, and a suffix Margin does not read are one-line errors."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise ImportFileError(f"{path}: no such file")
    if not path.is_file():
        raise ImportFileError(f"{path}: not a regular file")
    if suffix not in READERS:
        raise ImportFileError(f"{path}: unknown kind of file (Margin imports .jsonl, .json, .jsonld, .qdpx, "
                              ".qdc and codebook .csv files)")
    return READERS[suffix](path, read_capped(path))


# -- 2. resolve ---------------------------------------------------------------------------

class Confinement(Roots):
    """The folders an import may read documents from: those of the database's documents
    (which lie in its project, ``confine.database_roots``) and corpus, the import file's own
    folder, and ``allowed`` (``--sources``), each with its subfolders except hidden ones
    (``~/.ssh`` when a file is imported from the home folder). Checked on the resolved path,
    so a symlink is judged by where it leads (``confine.Roots``)."""

    def __init__(self, workspace: Workspace, import_file: Path, allowed: list[Path]) -> None:
        store = workspace.store
        project = database_roots(store.path)
        folders = {store.file_of(document_id).parent for document_id in store.documents}
        folders = {folder for folder in folders if project.allows(folder)}
        folders |= {*workspace.corpus.folders, import_file.absolute().parent, *allowed}
        super().__init__(folders, outside=OUTSIDE)


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

def import_file(workspace: Workspace, path: Path, sources: Sequence[Path] = (),
                parsed: Parsed | None = None) -> ImportReport:
    """Import ``path`` into the workspace's database, all or nothing (see the module's doc).
    ``sources`` are more folders documents may be read from. ``parsed`` is ``parse(path)``
    when the caller has checked the file already (before it opened, or created, a database)."""
    parsed = parsed if parsed is not None else parse(path)
    if parsed.paths_where_needed:
        by_path_or_name(workspace, path, parsed)
    if parsed.merge_codebook:  # a group must be a theme of the file or of the database
        names = {folded(spec.name) for spec in parsed.codes} | {folded(theme.name) for theme in workspace.themes}
        for spec in parsed.codes:
            if spec.parent and folded(spec.parent) not in names:
                raise ImportFileError(f"{path}: theme {spec.name!r}: its group {spec.parent!r} is neither in the "
                                      "file nor in the database")
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

    report = ImportReport(unusable=list(parsed.unusable))
    if parsed.project is not None:
        lines = (parsed.project.unit_message, parsed.project.not_kept_message)
        report.notes += [line for line in lines if line]
    folder = workspace.database_path.parent / IMPORTED_FOLDER
    tables = attribute_tables(path, parsed.project, matched, folder)  # checked before anything is written
    folder_existed, created, titles = folder.exists(), [], {}
    catalog_before: bytes | None = None
    catalog_written = False
    attributes_before: dict[Path, bytes | None] = {}
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
        if tables:
            write_case_attributes(parsed.project, sourced, tables, attributes_before, report)
        placed = placements(items, documents, report)
        with workspace.undoable(f"import {path.name}"):
            for source, document in sourced:  # a project's uncoded sources too: an export keeps them
                if document is not None:
                    workspace.store.register_document(document.path, document.sha256, document.title,
                                                      document.encoding, source.guid)
            names = dict.fromkeys(name for item, _, _ in placed for name in item.themes)
            known = {folded(theme.name) for theme in workspace.themes}
            known_keys = {workspace.store.theme_key(theme) for theme in workspace.themes}
            before = {theme.id for theme in workspace.themes}
            themes = workspace.store.import_themes([*parsed.codes, *map(ThemeSpec, names)])
            report.themes_added = [theme.name for theme in workspace.themes if theme.id not in before]
            report.themes_known = len({spec.key for spec in parsed.codes}) - len(report.themes_added)
            if parsed.merge_codebook:
                report.codebook = merge_codebook(workspace, parsed.codes, themes, known, known_keys)
                if not before:
                    take_digits(workspace, parsed.codes, themes)
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
        for written, before in attributes_before.items():
            if before is None:
                written.unlink(missing_ok=True)
            else:
                atomic_write(written, before)
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


def attribute_tables(path: Path, project: Project | None,
                     matched: list[tuple[ProjectSource, Document | None]], imported: Path) -> dict[Path, AttributeTable]:
    """The ``attributes.csv`` of every folder a project's cases and variables may be written
    to (its matched documents' folders, ``imported/`` for the others), read before anything
    is written: one Margin cannot read stops the import, naming it, rather than being
    replaced. Empty when the project has no variable values."""
    if project is None or not (any(case.values for case in project.cases)
                               or any(source.attributes for source, _ in matched)):
        return {}
    folders = {document.path.parent if document is not None else imported
               for source, document in matched if source.text is not None}
    tables = {}
    for folder in sorted(folders):
        table, problem = read_attributes(folder)
        if problem:
            raise ImportFileError(f"{path}: its cases' attributes cannot be added: {problem}")
        tables[folder] = table
    return tables


def write_case_attributes(project: Project, sourced: list[tuple[ProjectSource, Document | None]],
                          tables: dict[Path, AttributeTable], before: dict[Path, bytes | None],
                          report: ImportReport) -> None:
    """A project's Cases and Variables as attributes: each source's own variable values, then
    those of each case holding it (a case usually holds one source; one holding several gives
    each its values, and its name as the attribute ``case``, which nothing else would keep),
    merged into the ``attributes.csv`` of each document's folder (``before`` gets each file's
    old bytes first, to put back if the import fails). A case holding no imported source, and
    a value that contradicts one given already, are reported as not kept."""
    documents = {source.guid: document for source, document in sourced
                 if document is not None and source.guid}
    given: dict[Path, dict[str, str]] = {}
    for source, document in sourced:
        if document is not None and source.attributes:
            given.setdefault(document.path, {}).update(source.attributes)
    lost: Counter[str] = Counter()
    for case in project.cases:
        held = [documents[guid] for guid in dict.fromkeys(case.sources) if guid in documents]
        if not held:
            lost["cases holding no source" if not case.sources else "cases of sources not imported"] += 1
            continue
        values = {**case.values, **({"case": case.name} if len(held) > 1 and case.name else {})}
        for document in held:
            own = given.setdefault(document.path, {})
            for name, value in values.items():
                column = next((known for known in own if known.casefold() == name.casefold()), name)
                if own.setdefault(column, value) != value:
                    lost["case values contradicting another case of their source (the first kept)"] += 1
    changed, written = 0, []
    for folder, table in tables.items():
        rows = {path.name: values for path, values in given.items() if path.parent == folder}
        merged, count = merged_table(table, rows)
        if count:
            target = folder / ATTRIBUTES_NAME
            before[target] = target.read_bytes() if target.is_file() else None
            write_attributes(folder, merged)
            changed += count
            written.append(str(target))
    if given:
        what = (f"{counted(changed, 'value')} written to {', '.join(written)}" if changed
                else "all there already")
        report.notes.append(f"attributes of {counted(len(given), 'document')} from the project's cases and "
                            f"variables: {what}")
    if lost:
        report.notes.append("not kept: " + ", ".join(f"{count} {what}" for what, count in lost.items()))


def merge_codebook(workspace: Workspace, specs: list[ThemeSpec], themes: dict[str | tuple[str, ...], Any],
                   known_names: set[str], known_keys: set[tuple[str, ...]]) -> str:
    """A codebook file's word on the themes that were there before the import: its colour
    and description, where it gives one, replace theirs. A code placed in a tree (a
    ``.qdc``: ``ThemeSpec.path``) is the theme of that name under the same parents, at any
    depth (``known_keys``: ``Store.theme_key`` of each theme before); one of that name under
    other parents is another theme, added (a JSON-lines codebook whose names repeat is placed
    so too). A spec without a place (a CSV, a JSON-lines codebook of different names) is the
    theme of that name anywhere (``known_names``, folded) and takes the
    file's group too. An empty cell or a missing group never clears or ungroups anything, so
    the same file merged twice changes nothing. ``themes`` is what ``Store.import_themes``
    returned. Returns the report line:
    ``codebook: 5 themes added, 2 changed (colour, description), 3 already there``."""
    store = workspace.store
    changed, added, fields = 0, 0, []
    for spec in specs:
        placed = spec.path is not None
        key = spec.key if placed else folded(spec.name)
        if key not in (known_keys if placed else known_names):
            added += 1
            continue
        theme = store.theme(themes[key].id)
        changes: dict[str, str] = {}
        if spec.color and spec.color.casefold() != theme.color.casefold():
            changes["color"] = spec.color
        if spec.description and spec.description != theme.description:
            changes["description"] = spec.description
        if changes:
            theme = store.update_theme(theme, **changes)
        group = store.theme_named(spec.parent) if spec.parent and not placed else None
        if group is not None and theme.parent != group.id:
            try:
                store.set_parent(theme, group)
                changes["group"] = group.name
            except ValueError:
                pass  # groups are one level deep in this database: left where it is
        if changes:
            changed += 1
            fields += [{"color": "colour"}.get(name, name) for name in changes]
    what = f" ({', '.join(dict.fromkeys(sorted(fields, key=['colour', 'description', 'group'].index)))})"
    return (f"codebook: {counted(added, 'theme')} added, {changed} changed{what if changed else ''}, "
            f"{len(specs) - added - changed} already there")


def take_digits(workspace: Workspace, specs: list[ThemeSpec],
                themes: dict[str | tuple[str, ...], Any]) -> None:
    """A fresh codebook takes the digits its file gives, which need not follow the order
    (grouping a theme keeps its digit), so that a round trip keeps every digit. Unless the
    file gives none (a CSV codebook), a digit twice, or the codebook has themes the file's
    codebook lacks: then the import's own, by position."""
    wanted = {themes[spec.key if spec.path is not None else folded(spec.name)].id: spec.digit
              for spec in specs}
    digits = [digit for digit in wanted.values() if digit is not None]
    store = workspace.store
    if not digits or len(digits) != len(set(digits)) or any(theme.id not in wanted for theme in store.themes):
        return
    for theme in store.themes:
        if theme.key != wanted[theme.id]:
            store.update_theme(theme, key=wanted[theme.id])


def placements(items: list[Incoming], documents: dict[str, Document | str],
               report: ImportReport) -> list[tuple[Incoming, Document, Placement]]:
    """Where each passage is found by its quote; the others are listed in ``report``. The
    context is cut to what the store keeps (a long one would be compared at every
    occurrence of a short quote)."""
    placed = []
    for item in items:
        document = documents[item.document]
        if not item.quote and not isinstance(document, str) and item.end <= len(document.text):
            # a TextPositionSelector alone: the quote is what it selects
            item.quote = document.text[item.start:item.end]
            item.prefix = document.text[max(0, item.start - CONTEXT_CHARS):item.start]
            item.suffix = document.text[item.end:item.end + CONTEXT_CHARS]
        shown = f"“{item.quote[:40]}”" if item.quote else f"characters {item.start}–{item.end}"
        where = f"{shown} ({item.document})"
        if not item.quote:
            report.unplaced.append(f"{where}: {document if isinstance(document, str) else 'the position is beyond the end of the document'}")
        elif not item.themes:
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
MAX_FILE_NAME = 120  # characters of a file name made from a source's name (its title keeps it whole)
MAX_FILE_NAME_BYTES = 200  # and UTF-8 bytes: file systems allow 255, with room for " (999).txt"


def file_stem(name: str) -> str:
    """A source's name as a file name: whole (``Interview 3.2`` stays that, never cut at a
    dot) up to ``MAX_FILE_NAME`` characters and ``MAX_FILE_NAME_BYTES`` bytes, made safe (no path separators, control or reserved characters, no leading dot), its
    document extension dropped since its text becomes ``.txt``."""
    for suffix in DOCUMENT_SUFFIXES:
        if name.casefold().endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    safe = "".join(c if c.isprintable() and c not in '/\\:*?"<>|' else "_" for c in name)
    stem = " ".join(safe.split()).strip(" .")[:MAX_FILE_NAME]
    while len(stem.encode("utf-8")) > MAX_FILE_NAME_BYTES:  # cut at a character, never inside one
        stem = stem[:-1]
    return stem.strip(" .") or "source"


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
    except (ValueError, RecursionError):
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
