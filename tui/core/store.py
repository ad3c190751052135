"""The annotation database: a plain TinyDB JSON file, written atomically on every change.

Schema (version 2; ``migrations.py`` lists the versions and upgrades older files), one TinyDB
table per heading; ids are TinyDB document ids:

- ``meta``: one record ``{application: "margin", schema_version: 1, created}``.
- ``documents``: ``{path, sha256, title, encoding}``. ``path`` is relative to the database's
  folder (POSIX separators) so a project folder can be moved; ``sha256`` is of the decoded text.
- ``themes``: ``{name, color, key, description, order, parent}``. ``key`` is the digit 1..9 or
  null; ``parent`` is the id of the theme it is grouped under, or null.
- ``annotations``: ``{document, start, end, quote, prefix, suffix, themes, note, author,
  created, modified, orphaned}``. ``document`` is an id in ``documents``; ``start``/``end`` are Python
  ``str`` indexes into the decoded text, end exclusive (``text[start:end] == quote``);
  ``prefix``/``suffix`` are up to 32 characters of context; ``themes`` is a list of ids in
  ``themes``; ``created``/``modified`` are ISO 8601 UTC timestamps. When a document's text
  changes (its ``sha256`` differs), annotations are placed again (``anchoring.py``) and their
  offsets, quote and context rewritten; one that cannot be placed keeps its old fields and
  gets ``orphaned: true`` until the user re-attaches or dismisses it.

TinyDB's own ``JSONStorage`` rewrites the file in place and re-reads it on every query. Here the
data lives in memory (``SnapshotStorage`` in ``storage.py``); each change is first appended and fsynced to the
journal (``journal.py``), then at checkpoints the whole data replaces the TinyDB file
atomically (temporary file in the same folder, fsync, rename, fsync of the folder), so a crash
leaves either the old or the new file, never half of one, and the journal holds the rest.

Beside ``annotations.json`` live ``annotations.json.journal`` (changes since the last
checkpoint), ``annotations.json.lock`` (held by the one Margin that may write),
``annotations.json.owner`` (who holds it) and ``annotations.json.backup-1`` … ``-3`` (the file
as it was when each of the last three writing sessions started, newest first), plus
``annotations.json.schema-N``, the file as it was before it was upgraded from schema N.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock
from tinydb import TinyDB

from .anchoring import Placement
from .codebook import KEYED_THEMES, Theme, ThemeSpec, next_color
from .journal import Entry, Journal
from .migrations import SCHEMA_VERSION, migrate
from .storage import (
    DatabaseBusy,
    MarginTinyDB,
    SnapshotStorage,
    StoreError,
    sidecar,
    take_lock,
    unusable,
)

APPLICATION = "margin"
CONTEXT_CHARS = 32
BACKUPS = 3


def passage_fields(text: str, start: int, end: int) -> dict[str, Any]:
    """Offsets, quote and the context that lets the passage be found again after edits."""
    return {
        "start": start,
        "end": end,
        "quote": text[start:end],
        "prefix": text[max(0, start - CONTEXT_CHARS) : start],
        "suffix": text[end : end + CONTEXT_CHARS],
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Change:
    """One record before and after a user action (None: absent); enough to undo or redo it."""

    table: str
    id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(slots=True)
class Annotation:
    """A tagged passage of one document.

    Treat it as a value: changes go through ``Store.update_annotation``, which stores a new
    one. (Not ``frozen``: that makes building 100,000 of them at start-up twice as slow.)
    """

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
    orphaned: bool = False

    @classmethod
    def from_record(cls, annotation_id: int, record: dict[str, Any]) -> Annotation:
        get = record.get
        return cls(
            annotation_id, record["document"], record["start"], record["end"], record["quote"],
            get("prefix", ""), get("suffix", ""), tuple(get("themes", ())), get("note", ""),
            get("author", ""), get("created", ""), get("modified", ""), get("orphaned", False),
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

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        del record["id"]
        return record


@dataclass
class Store:
    """Typed access to the database. Every change is journaled (fsynced) before it returns."""

    path: Path
    db: TinyDB
    journal: Journal
    lock: FileLock | None = None
    read_only_reason: str | None = None
    themes: list[Theme] = field(default_factory=list)
    documents: dict[int, StoredDocument] = field(default_factory=dict)
    annotations: dict[int, Annotation] = field(default_factory=dict)
    _by_document: dict[int, dict[int, Annotation]] = field(default_factory=dict)
    _orphans: dict[int, Annotation] = field(default_factory=dict)
    _themes_by_id: dict[int, Theme] = field(default_factory=dict)
    revision: int = 0  # bumped by every change in memory, so views can tell they are stale
    _document_ids: dict[str, int] = field(default_factory=dict)
    unsaved: list[Entry] = field(default_factory=list)
    save_error: str | None = None
    dirty: bool = False
    pending_at_open: int = 0  # journaled changes that were not yet in the file
    schema_at_open: int = SCHEMA_VERSION  # the file's schema before any migration
    last_change: float = 0.0
    _on_disk: bool = False
    _backed_up: bool = False
    _batching: bool = False
    _recording: list[Change] | None = None

    @classmethod
    def open(cls, path: Path, starting_themes: list[ThemeSpec] = (), inspect: bool = False) -> Store:
        """Open the database at ``path`` (a new one is prepared in memory, created on the first
        change). Another Margin writing it already makes this one read-only, with the reason.
        ``inspect`` opens it read-only without taking the lock, for ``margin db check``."""
        db = MarginTinyDB(str(path), storage=SnapshotStorage)
        store = cls(path=path, db=db, journal=Journal(sidecar(path, "journal")))
        if inspect:
            store.read_only_reason = "opened for inspection"
        else:
            store._take_lock()
        data = db.storage.read()
        store._on_disk = data is not None
        if data:
            store._check_schema()
        replayed = store.pending_at_open = store.journal.replay(data if data is not None else {})
        if data is None and replayed and store.writable:  # a reader may just race the first write
            raise StoreError(f"{store.journal.path}: a journal without its database; restore a backup")
        if store.writable and not store.journal.is_empty():
            # Fold it in (or drop a torn fragment) now: a new entry appended behind a torn
            # line would be glued onto it and lost.
            if data:
                store.dirty = True
                store.checkpoint()
            else:
                store.journal.clear()
        if data:
            store._migrate()
            store._load()
        else:
            db.table("meta").insert(
                {"application": APPLICATION, "schema_version": SCHEMA_VERSION, "created": now()}
            )
            for spec in starting_themes:
                store._insert_theme(spec.name, spec.description, spec.color, log=False)
        return store

    def _take_lock(self) -> None:
        try:
            self.lock = take_lock(self.path)
        except DatabaseBusy as busy:
            self.read_only_reason = str(busy)

    @property
    def writable(self) -> bool:
        return self.read_only_reason is None

    @property
    def exists_on_disk(self) -> bool:
        return self._on_disk

    def _check_schema(self) -> None:
        meta = self.db.table("meta").all()
        if not meta or meta[0].get("application") != APPLICATION:
            raise unusable(self.path, "not a Margin database (no Margin schema record)")
        version = meta[0].get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise unusable(
                self.path,
                f"written by a newer Margin (schema {version}, this one reads up to "
                f"{SCHEMA_VERSION}); upgrade Margin to open it",
            )

    def schema_backup_path(self, version: int) -> Path:
        return sidecar(self.path, f"schema-{version}")

    def _migrate(self) -> None:
        """Bring an older schema up to date, keeping the old file beside it first.

        A read-only store migrates only its in-memory copy: the file belongs to its writer.
        """
        data = self.db.storage.read()
        meta_key = next(iter(data["meta"]))
        version = self.schema_at_open = data["meta"][meta_key]["schema_version"]
        if version == SCHEMA_VERSION:
            return
        if self.writable:
            try:
                shutil.copy2(self.path, self.schema_backup_path(version))
            except OSError as error:
                raise StoreError(
                    f"{self.path}: cannot keep a copy before upgrading schema {version} "
                    f"({error.strerror or error}); nothing was changed"
                ) from None
        migrate(data, meta_key)
        if self.writable:
            self.dirty = True
            self.checkpoint()

    def _load(self) -> None:
        """Build typed objects from the raw tables (not via ``Table.all()``, which would copy
        every record once more)."""
        data = self.db.storage.read() or {}
        themes = sorted(
            ((int(key), record) for key, record in data.get("themes", {}).items()),
            key=lambda item: (item[1].get("order", 0), item[0]),
        )
        self._set_themes([self._theme_from_record(theme_id, record) for theme_id, record in themes])
        self.documents = {
            int(key): StoredDocument(
                id=int(key),
                path=record["path"],
                sha256=record["sha256"],
                title=record.get("title", ""),
                encoding=record.get("encoding", "utf-8"),
            )
            for key, record in data.get("documents", {}).items()
        }
        gc.disable()
        try:
            for key, record in data.get("annotations", {}).items():
                self._remember(Annotation.from_record(int(key), record))
        finally:
            gc.enable()

    @staticmethod
    def _theme_from_record(theme_id: int, record: dict[str, Any]) -> Theme:
        return Theme(
            id=theme_id,
            name=record["name"],
            color=record["color"],
            key=record.get("key"),
            description=record.get("description", ""),
            parent=record.get("parent"),
        )

    # -- durability ---------------------------------------------------------------------

    def _before_change(self) -> None:
        """Refuse in read-only mode; create a new database's file; back up an old one once."""
        if not self.writable:
            raise StoreError(f"{self.path}: read-only, {self.read_only_reason}")
        try:
            if not self._on_disk:
                self.db.storage.flush()
                self._on_disk = True
                self._backed_up = True  # nothing older to keep
            elif not self._backed_up:
                self._rotate_backups()
                self._backed_up = True
        except OSError as error:
            raise StoreError(f"{self.path}: cannot save ({error.strerror or error})") from None

    def backup_path(self, number: int) -> Path:
        return sidecar(self.path, f"backup-{number}")

    def _rotate_backups(self) -> None:
        """Keep the file as it was at the start of each of the last few writing sessions."""
        for number in range(BACKUPS - 1, 0, -1):
            if self.backup_path(number).exists():
                os.replace(self.backup_path(number), self.backup_path(number + 1))
        shutil.copy2(self.path, self.backup_path(1))

    def _log(self, table: str, record_id: int, record: dict[str, Any] | None) -> None:
        """Journal one change, with any earlier ones that could not be written yet."""
        # In place: a batch (an import, a merge) of n changes must not copy the list n times.
        self.unsaved.append({"table": table, "id": record_id, "record": record})
        self.dirty = True
        self.last_change = time.monotonic()
        if not self._batching:
            self.retry_unsaved()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Journal the changes made inside with one fsync (re-anchoring a whole document).
        Nested batches join the outermost one."""
        if self._batching:
            yield
            return
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
            self.retry_unsaved()

    def retry_unsaved(self) -> bool:
        """Journal the changes still pending; True once none are left.

        A failed write keeps the change in memory (it stays on screen) and in ``unsaved``, and
        sets ``save_error`` for the UI to show; the next change or checkpoint tries again.
        """
        if self.unsaved:
            try:
                self.journal.append(self.unsaved)
            except OSError as error:
                self.save_error = (
                    f"{self.path}: {len(self.unsaved)} change(s) not saved yet "
                    f"({error.strerror or error}); Margin keeps them and retries"
                )
                return False
            self.unsaved = []
        self.save_error = None
        return True

    def checkpoint(self) -> None:
        """Fold the journal into the TinyDB file (atomically) and empty the journal."""
        if not self.dirty or not self.writable or not self.retry_unsaved():
            return
        try:
            self.db.storage.flush()
            self.journal.clear()
        except OSError as error:
            raise StoreError(f"{self.path}: cannot save ({error.strerror or error})") from None
        self.dirty = False

    def close(self) -> None:
        """Checkpoint and release the lock. Raises ``StoreError`` if changes could not be saved,
        after releasing the lock (the journal still holds what was journaled)."""
        try:
            self.checkpoint()
            if self.unsaved:
                raise StoreError(f"{self.path}: {len(self.unsaved)} change(s) could not be saved")
        finally:
            self.journal.close()
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    def _raw(self, table: str, record_id: int) -> dict[str, Any] | None:
        record = (self.db.storage.read() or {}).get(table, {}).get(str(record_id))
        return dict(record) if record is not None else None

    def _record_change(self, table: str, record_id: int, before: dict[str, Any] | None) -> None:
        if self._recording is not None:
            self._recording.append(Change(table, record_id, before, self._raw(table, record_id)))

    def _insert(self, table: str, record: dict[str, Any], log: bool = True) -> int:
        if log:
            self._before_change()
        record_id = self.db.table(table).insert(record)
        if log:
            self._record_change(table, record_id, None)
            self._log(table, record_id, record)
        return record_id

    def _replace(self, table: str, record_id: int, record: dict[str, Any], log: bool = True) -> None:
        if log:
            self._before_change()
        before = self._raw(table, record_id) if log else None
        self.db.table(table).update(record, doc_ids=[record_id])
        if log:
            self._record_change(table, record_id, before)
            self._log(table, record_id, record)

    def _remove(self, table: str, record_id: int) -> None:
        self._before_change()
        before = self._raw(table, record_id)
        self.db.table(table).remove(doc_ids=[record_id])
        self._record_change(table, record_id, before)
        self._log(table, record_id, None)

    # -- undo -----------------------------------------------------------------------------

    @contextmanager
    def recording(self) -> Iterator[list[Change]]:
        """Collect the changes made inside, for undo; they are journaled with one fsync."""
        changes: list[Change] = []
        self._recording = changes
        try:
            with self.batch():
                yield changes
        finally:
            self._recording = None

    def restore(self, changes: list[Change], undo: bool) -> None:
        """Put records back as they were before ``changes`` (undo) or after them (redo).

        Each is a new change like any other: journaled, and replayed after a crash.
        """
        self._before_change()
        with self.batch():
            for change in reversed(changes) if undo else changes:
                record = change.before if undo else change.after
                self.db.table(change.table).put(change.id, record)
                self._log(change.table, change.id, record)
                self._reload(change.table, change.id, record)

    def _reload(self, table: str, record_id: int, record: dict[str, Any] | None) -> None:
        """Bring the typed objects in step with one raw record."""
        if table == "annotations":
            if record_id in self.annotations:
                self._forget(self.annotations[record_id])
            if record is not None:
                self._remember(Annotation.from_record(record_id, record))
        elif table == "themes":
            themes = [theme for theme in self.themes if theme.id != record_id]
            if record is not None:
                themes.append(self._theme_from_record(record_id, record))
            orders = {theme.id: self._raw("themes", theme.id).get("order", 0) for theme in themes}
            self._set_themes(sorted(themes, key=lambda theme: (orders[theme.id], theme.id)))
        elif table == "documents":
            self._document_ids = {}
            self.documents.pop(record_id, None)
            if record is not None:
                self.documents[record_id] = StoredDocument(id=record_id, **record)

    # -- themes ---------------------------------------------------------------------------

    def theme(self, theme_id: int) -> Theme | None:
        """By id; asked for every passage on every row drawn, so a dict, not a scan."""
        return self._themes_by_id.get(theme_id)

    def _set_themes(self, themes: list[Theme]) -> None:
        """The one way the codebook changes in memory, keeping the id index in step."""
        self.themes = themes
        self._themes_by_id = {theme.id: theme for theme in themes}
        self.revision += 1

    def theme_for_key(self, key: int) -> Theme | None:
        return next((theme for theme in self.themes if theme.key == key), None)

    def _insert_theme(self, name: str, description: str = "", color: str | None = None, log: bool = True) -> Theme:
        used_keys = {theme.key for theme in self.themes}
        key = next((k for k in range(1, KEYED_THEMES + 1) if k not in used_keys), None)
        record = {
            "name": name,
            "color": color or next_color({theme.color for theme in self.themes}),
            "key": key,
            "description": description,
            "order": len(self.themes),
            "parent": None,
        }
        theme_id = self._insert("themes", record, log=log)
        self._set_themes([*self.themes, self._theme_from_record(theme_id, record)])
        return self._themes_by_id[theme_id]

    def create_theme(self, name: str, description: str = "") -> Theme:
        """Add a theme at the end of the codebook, with the next free digit and colour."""
        return self._insert_theme(self._check_name(name), description)

    def theme_named(self, name: str) -> Theme | None:
        """The theme with this name, ignoring case and runs of spaces."""
        wanted = " ".join(name.split()).casefold()
        return next((theme for theme in self.themes if theme.name.casefold() == wanted), None)

    def _check_name(self, name: str, keeping: Theme | None = None) -> str:
        name = " ".join(name.split())
        if not name:
            raise ValueError("a theme needs a name")
        if self.theme_named(name) not in (None, keeping):
            raise ValueError(f"a theme named {name!r} exists already")
        return name

    def update_theme(self, theme: Theme, **changes: Any) -> Theme:
        """Rename, recolour or describe a theme (``changes`` are fields of its record)."""
        if "name" in changes:
            changes["name"] = self._check_name(changes["name"], keeping=theme)
        self._replace("themes", theme.id, changes)
        self._reload("themes", theme.id, self._raw("themes", theme.id))
        return self._themes_by_id[theme.id]

    def set_parent(self, theme: Theme, parent: Theme | None) -> None:
        """Group ``theme`` under ``parent`` (one level deep), or make it top-level (None)."""
        if parent is not None:
            if parent.id == theme.id or parent.parent is not None:
                raise ValueError(f"{parent.name} is itself grouped: groups are one level deep")
            if any(t.parent == theme.id for t in self.themes):
                raise ValueError(f"{theme.name} has themes grouped under it")
        self._replace("themes", theme.id, {"parent": parent.id if parent else None})
        self._reload("themes", theme.id, self._raw("themes", theme.id))
        self.renumber(self.themes)

    def renumber(self, wanted: list[Theme]) -> None:
        """Order the codebook as ``wanted`` says, each group's children right after their
        parent; the first nine themes in that order take the keys 1..9."""
        ids = {theme.id for theme in wanted}
        tops = [t for t in wanted if t.parent is None or t.parent not in ids]
        ordered = []
        for top in tops:
            ordered.append(top)
            ordered += [t for t in wanted if t.parent == top.id]
        for position, theme in enumerate(ordered):
            key = position + 1 if position < KEYED_THEMES else None
            record = self._raw("themes", theme.id)
            if (record.get("order"), record.get("key")) != (position, key):
                self._replace("themes", theme.id, {"order": position, "key": key})
        self._set_themes([self._theme_from_record(t.id, self._raw("themes", t.id)) for t in ordered])

    def move_theme(self, theme: Theme, delta: int) -> None:
        """Move a theme up (-1) or down (+1) among the themes beside it in its group."""
        siblings = [t for t in self.themes if t.parent == theme.parent]
        index = siblings.index(theme)
        target = index + delta
        if not 0 <= target < len(siblings):
            return
        siblings[index], siblings[target] = siblings[target], siblings[index]
        others = [t for t in self.themes if t.parent != theme.parent]
        self.renumber(siblings + others if theme.parent is None else [*others, *siblings])

    def merge_theme(self, source: Theme, target: Theme) -> int:
        """Put ``target`` wherever ``source`` is, then delete ``source``; returns how many
        annotations changed. No annotation is lost, none gets a theme twice."""
        if source.id == target.id:
            raise ValueError("a theme cannot be merged into itself")
        changed = 0
        for annotation in [a for a in self.annotations.values() if source.id in a.themes]:
            themes = tuple(dict.fromkeys(target.id if t == source.id else t for t in annotation.themes))
            self.update_annotation(annotation, themes=themes)
            changed += 1
        self._drop_theme(source, children_to=target if target.parent is None else None)
        return changed

    def delete_theme(self, theme: Theme) -> tuple[int, int]:
        """Remove ``theme`` from its annotations (deleting those it was the only theme of) and
        from the codebook; returns (annotations changed, annotations deleted)."""
        changed = deleted = 0
        for annotation in [a for a in self.annotations.values() if theme.id in a.themes]:
            remaining = tuple(t for t in annotation.themes if t != theme.id)
            if remaining:
                self.update_annotation(annotation, themes=remaining)
                changed += 1
            else:
                self.delete_annotation(annotation)
                deleted += 1
        self._drop_theme(theme, children_to=None)
        return changed, deleted

    def _drop_theme(self, theme: Theme, children_to: Theme | None) -> None:
        for child in [t for t in self.themes if t.parent == theme.id]:
            self._replace("themes", child.id, {"parent": children_to.id if children_to else None})
            self._reload("themes", child.id, self._raw("themes", child.id))
        self._remove("themes", theme.id)
        self._reload("themes", theme.id, None)
        self.renumber(self.themes)

    # -- documents ------------------------------------------------------------------------

    def relative_path(self, document_path: Path) -> str:
        """How the database records a document's path: relative to the database's folder."""
        return Path(os.path.relpath(document_path, self.path.parent)).as_posix()

    def file_of(self, document_id: int) -> Path:
        """Where a stored document's file is: the inverse of ``relative_path``."""
        return Path(os.path.normpath(self.path.parent / self.documents[document_id].path))

    def document_id(self, document_path: Path) -> int | None:
        if len(self._document_ids) != len(self.documents):
            self._document_ids = {doc.path: doc.id for doc in self.documents.values()}
        return self._document_ids.get(self.relative_path(document_path))

    def register_document(self, document_path: Path, sha256: str, title: str, encoding: str) -> int:
        """The document's id, adding its record on first use."""
        existing = self.document_id(document_path)
        if existing is not None:
            return existing
        record = {
            "path": self.relative_path(document_path),
            "sha256": sha256,
            "title": title,
            "encoding": encoding,
        }
        document_id = self._insert("documents", record)
        self.documents[document_id] = StoredDocument(id=document_id, **record)
        return document_id

    # -- annotations ----------------------------------------------------------------------

    def add_annotation(
        self, document_id: int, text: str, start: int, end: int, themes: list[int], author: str,
        note: str = "", created: str | None = None, modified: str | None = None,
    ) -> Annotation:
        """A new annotation; an import passes the memo and dates it had elsewhere."""
        stamp = now()
        fields = {
            "document": document_id,
            **passage_fields(text, start, end),
            "themes": list(themes),
            "note": note,
            "author": author,
            "created": created or stamp,
            "modified": modified or created or stamp,
            "orphaned": False,
        }
        annotation_id = self._insert("annotations", fields)
        annotation = Annotation.from_record(annotation_id, fields)
        self._remember(annotation)
        return annotation

    def update_annotation(self, annotation: Annotation, **changes: Any) -> Annotation:
        updated = replace(annotation, modified=now(), **changes)
        self._replace("annotations", annotation.id, updated.to_record())
        self._forget(annotation)
        self._remember(updated)
        return updated

    def delete_annotation(self, annotation: Annotation) -> None:
        self._remove("annotations", annotation.id)
        self._forget(annotation)

    def reanchor(
        self, document_id: int, text: str, sha256: str, placements: dict[int, Placement | None]
    ) -> None:
        """Record where each annotation of a changed document is now (None: orphaned) and the
        document's new hash, journaled together. A read-only store changes only memory, so
        the reader still shows the passages where they are now."""
        log = self.writable
        with self.batch():
            for annotation_id, placement in placements.items():
                old = self.annotations[annotation_id]
                if placement is None:
                    new = replace(old, orphaned=True)
                else:
                    new = replace(old, orphaned=False, **passage_fields(text, placement.start, placement.end))
                if new != old:
                    self._replace("annotations", old.id, new.to_record(), log=log)
                    self._forget(old)
                    self._remember(new)
            # Last: if the batch is torn by a crash, the old hash makes the next start redo it.
            document = self.documents[document_id]
            document.sha256 = sha256
            self._replace("documents", document_id, document.to_record(), log=log)

    def reattach(self, annotation: Annotation, document_id: int, text: str, start: int, end: int) -> Annotation:
        """Anchor an orphan (or move any annotation) to a passage the user selected."""
        return self.update_annotation(
            annotation, document=document_id, orphaned=False, **passage_fields(text, start, end)
        )

    def orphans(self) -> list[Annotation]:
        return list(self._orphans.values())

    def annotations_of(self, document_id: int | None) -> list[Annotation]:
        """One document's annotations, without scanning everybody else's."""
        return list(self._by_document.get(document_id, {}).values())

    def _remember(self, annotation: Annotation) -> None:
        self.revision += 1
        self.annotations[annotation.id] = annotation
        self._by_document.setdefault(annotation.document, {})[annotation.id] = annotation
        if annotation.orphaned:
            self._orphans[annotation.id] = annotation

    def _forget(self, annotation: Annotation) -> None:
        self.revision += 1
        del self.annotations[annotation.id]
        del self._by_document[annotation.document][annotation.id]
        self._orphans.pop(annotation.id, None)
