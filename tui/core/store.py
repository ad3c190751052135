"""The annotation database: a plain TinyDB JSON file, written atomically on every change.

Schema (version 1), one TinyDB table per heading; ids are TinyDB document ids:

- ``meta``: one record ``{application: "margin", schema_version: 1, created}``.
- ``documents``: ``{path, sha256, title, encoding}``. ``path`` is relative to the database's
  folder (POSIX separators) so a project folder can be moved; ``sha256`` is of the decoded text.
- ``themes``: ``{name, color, key, description, order}``. ``key`` is the digit 1..9 or null.
- ``annotations``: ``{document, start, end, quote, prefix, suffix, themes, note, author,
  created, modified}``. ``document`` is an id in ``documents``; ``start``/``end`` are Python
  ``str`` indexes into the decoded text, end exclusive (``text[start:end] == quote``);
  ``prefix``/``suffix`` are up to 32 characters of context; ``themes`` is a list of ids in
  ``themes``; ``created``/``modified`` are ISO 8601 UTC timestamps.

TinyDB's own ``JSONStorage`` rewrites the file in place and re-reads it on every query. The
``SnapshotStorage`` here keeps the data in memory and replaces the file atomically (temporary
file in the same folder, fsync, rename, fsync of the folder), so a crash leaves either the old
or the new file, never half of one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from .codebook import KEYED_THEMES, Theme, ThemeSpec, next_color

SCHEMA_VERSION = 1
APPLICATION = "margin"
CONTEXT_CHARS = 32


class StoreError(Exception):
    """The database cannot be opened or written; the message is one line naming the file."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that a crash leaves the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


class SnapshotStorage(Storage):
    """TinyDB storage holding the data in memory and writing whole snapshots atomically.

    While ``deferred`` is set, writes stay in memory: a new database is not created on disk
    until the user's first change.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.deferred = False
        self._data: dict[str, Any] | None = self._load()

    def _load(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError(f"{self.path}: cannot read the database ({error.strerror})") from None
        if not raw.strip():
            return None
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise StoreError(f"{self.path}: the database is corrupt (not valid JSON: {error})") from None
        if not isinstance(data, dict):
            raise StoreError(f"{self.path}: not a Margin database (no TinyDB tables in it)")
        return data

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data
        if not self.deferred:
            self.flush()

    def flush(self) -> None:
        """Write the in-memory data to disk now."""
        payload = json.dumps(self._data or {}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            atomic_write(self.path, payload)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot save ({error.strerror or error})") from None

    def close(self) -> None:
        """Nothing to release: every acknowledged write is already on disk."""


@dataclass(frozen=True)
class Annotation:
    """A tagged passage of one document."""

    id: int
    document: int
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    themes: tuple[int, ...]
    note: str = ""
    author: str = ""
    created: str = ""
    modified: str = ""

    @classmethod
    def from_record(cls, annotation_id: int, record: dict[str, Any]) -> Annotation:
        return cls(
            id=annotation_id,
            document=record["document"],
            start=record["start"],
            end=record["end"],
            quote=record["quote"],
            prefix=record.get("prefix", ""),
            suffix=record.get("suffix", ""),
            themes=tuple(record.get("themes", ())),
            note=record.get("note", ""),
            author=record.get("author", ""),
            created=record.get("created", ""),
            modified=record.get("modified", ""),
        )

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        del record["id"]
        record["themes"] = list(self.themes)
        return record


@dataclass
class StoredDocument:
    """A document as the database knows it (it may no longer exist on disk)."""

    id: int
    path: str
    sha256: str
    title: str = ""
    encoding: str = "utf-8"


@dataclass
class Store:
    """Typed access to the database, with every change written through at once."""

    path: Path
    db: TinyDB
    themes: list[Theme] = field(default_factory=list)
    documents: dict[int, StoredDocument] = field(default_factory=dict)
    annotations: dict[int, Annotation] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path, starting_themes: list[ThemeSpec] = ()) -> Store:
        """Open (or prepare, without yet creating) the database at ``path``."""
        db = TinyDB(str(path), storage=SnapshotStorage)
        store = cls(path=path, db=db)
        if db.storage.read():
            store._check_schema()
            store._load()
        else:
            db.storage.deferred = True
            db.table("meta").insert(
                {"application": APPLICATION, "schema_version": SCHEMA_VERSION, "created": now()}
            )
            for spec in starting_themes:
                store._insert_theme(spec.name, spec.description, spec.color)
        return store

    @property
    def exists_on_disk(self) -> bool:
        return not self.db.storage.deferred

    def _check_schema(self) -> None:
        meta = self.db.table("meta").all()
        if not meta or meta[0].get("application") != APPLICATION:
            raise StoreError(f"{self.path}: not a Margin database (no Margin schema record)")
        version = meta[0].get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: written by a newer Margin (schema {version}, this one reads "
                f"up to {SCHEMA_VERSION}); upgrade Margin to open it"
            )

    def _load(self) -> None:
        themes = self.db.table("themes")
        ordered = sorted(themes.all(), key=lambda record: (record.get("order", 0), record.doc_id))
        self.themes = [self._theme_from_record(record) for record in ordered]
        self.documents = {
            record.doc_id: StoredDocument(
                id=record.doc_id,
                path=record["path"],
                sha256=record["sha256"],
                title=record.get("title", ""),
                encoding=record.get("encoding", "utf-8"),
            )
            for record in self.db.table("documents").all()
        }
        self.annotations = {
            record.doc_id: Annotation.from_record(record.doc_id, record)
            for record in self.db.table("annotations").all()
        }

    @staticmethod
    def _theme_from_record(record: dict[str, Any]) -> Theme:
        return Theme(
            id=record.doc_id,
            name=record["name"],
            color=record["color"],
            key=record.get("key"),
            description=record.get("description", ""),
        )

    def _materialise(self) -> None:
        """Called before the first real change: a new database now gets its file."""
        storage = self.db.storage
        if storage.deferred:
            storage.deferred = False
            storage.flush()

    # -- themes ---------------------------------------------------------------------------

    def theme(self, theme_id: int) -> Theme | None:
        return next((theme for theme in self.themes if theme.id == theme_id), None)

    def theme_for_key(self, key: int) -> Theme | None:
        return next((theme for theme in self.themes if theme.key == key), None)

    def _insert_theme(self, name: str, description: str = "", color: str | None = None) -> Theme:
        used_keys = {theme.key for theme in self.themes}
        key = next((k for k in range(1, KEYED_THEMES + 1) if k not in used_keys), None)
        record = {
            "name": name,
            "color": color or next_color({theme.color for theme in self.themes}),
            "key": key,
            "description": description,
            "order": len(self.themes),
        }
        theme_id = self.db.table("themes").insert(record)
        theme = Theme(id=theme_id, name=name, color=record["color"], key=key, description=description)
        self.themes.append(theme)
        return theme

    def create_theme(self, name: str, description: str = "") -> Theme:
        """Add a theme at the end of the codebook, with the next free digit and colour."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a theme needs a name")
        if any(theme.name.casefold() == name.casefold() for theme in self.themes):
            raise ValueError(f"a theme named {name!r} exists already")
        self._materialise()
        return self._insert_theme(name, description)

    # -- documents ------------------------------------------------------------------------

    def relative_path(self, document_path: Path) -> str:
        """How the database records a document's path: relative to the database's folder."""
        return Path(os.path.relpath(document_path, self.path.parent)).as_posix()

    def document_id(self, document_path: Path) -> int | None:
        wanted = self.relative_path(document_path)
        return next((doc.id for doc in self.documents.values() if doc.path == wanted), None)

    def register_document(self, document_path: Path, sha256: str, title: str, encoding: str) -> int:
        """The document's id, adding its record on first use."""
        existing = self.document_id(document_path)
        if existing is not None:
            return existing
        self._materialise()
        record = {
            "path": self.relative_path(document_path),
            "sha256": sha256,
            "title": title,
            "encoding": encoding,
        }
        document_id = self.db.table("documents").insert(record)
        self.documents[document_id] = StoredDocument(id=document_id, **record)
        return document_id

    # -- annotations ----------------------------------------------------------------------

    def add_annotation(
        self, document_id: int, text: str, start: int, end: int, themes: list[int], author: str
    ) -> Annotation:
        self._materialise()
        stamp = now()
        fields = {
            "document": document_id,
            "start": start,
            "end": end,
            "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT_CHARS) : start],
            "suffix": text[end : end + CONTEXT_CHARS],
            "themes": list(themes),
            "note": "",
            "author": author,
            "created": stamp,
            "modified": stamp,
        }
        annotation_id = self.db.table("annotations").insert(fields)
        annotation = Annotation.from_record(annotation_id, fields)
        self.annotations[annotation_id] = annotation
        return annotation

    def update_annotation(self, annotation: Annotation, **changes: Any) -> Annotation:
        self._materialise()
        updated = replace(annotation, modified=now(), **changes)
        self.db.table("annotations").update(updated.to_record(), doc_ids=[annotation.id])
        self.annotations[annotation.id] = updated
        return updated

    def delete_annotation(self, annotation: Annotation) -> None:
        self._materialise()
        self.db.table("annotations").remove(doc_ids=[annotation.id])
        del self.annotations[annotation.id]
