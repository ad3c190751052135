"""The annotation database: a plain TinyDB JSON file, every change journaled before it shows.

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
data lives in memory (``SnapshotStorage`` in ``storage.py``); each change is first appended and
fsynced to the journal (``journal.py``), then at checkpoints the whole data replaces the TinyDB
file atomically, so a crash leaves either the old or the new file, never half of one, and the
journal holds the rest. This module keeps the typed records and decides *when* the file
layer acts; each promise about files has its own home:

- ``lock.py``: one writer at a time (``annotations.json.lock``, ``.owner``);
- ``journal.py``: changes on disk before they show, batches whole or not at all on replay;
- ``storage.py``: atomic snapshots, never over a file another program put there meanwhile;
- ``backups.py``: ``annotations.json.backup-1`` … ``-3`` and restoring one;
- ``records.py``: what a sound database and a valid change look like;
- ``migrations.py``: older schemas (``annotations.json.schema-N`` keeps the file as it was).
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import msgspec
from filelock import FileLock
from tinydb import TinyDB

from .anchoring import Placement
from .backups import backups_of, rotate
from .codebook import KEYED_THEMES, PATH_SEPARATOR, Theme, ThemeSpec, ThemeTree, folded, new_guid, next_color
from .journal import Entry, Journal
from .lock import DatabaseBusy, take_lock
from .migrations import SCHEMA_VERSION, migrate
from .records import APPLICATION
from .storage import (
    FileReplaced,
    MarginTinyDB,
    SnapshotStorage,
    StoreError,
    atomic_write,
    remove_stale_temporaries,
    sidecar,
    unused_sidecar,
)
from .text import counted

CONTEXT_CHARS = 32
# From this many annotations a store freezes what it loaded out of the garbage collector's
# walks (``Store._load``); smaller ones cost a collection too little to matter.
FREEZE_AT = 20_000


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
    guid: str = ""  # its REFI-QDA GUID (older databases: none yet, an export derives one)

    @classmethod
    def from_record(cls, annotation_id: int, record: dict[str, Any]) -> Annotation:
        get = record.get
        return cls(
            annotation_id, record["document"], record["start"], record["end"], record["quote"],
            get("prefix", ""), get("suffix", ""), tuple(get("themes", ())), get("note", ""),
            get("author", ""), get("created", ""), get("modified", ""), get("orphaned", False),
            get("guid", ""),
        )

    def to_record(self) -> dict[str, Any]:
        """The stored fields, in order (``dataclasses.asdict`` would deep-copy each value,
        several times slower for every annotation an export writes)."""
        record = {
            "document": self.document, "start": self.start, "end": self.end, "quote": self.quote,
            "prefix": self.prefix, "suffix": self.suffix, "themes": list(self.themes), "note": self.note,
            "author": self.author, "created": self.created, "modified": self.modified,
            "orphaned": self.orphaned,
        }
        if self.guid:
            record["guid"] = self.guid
        return record


@dataclass(frozen=True)
class Decision:
    """How a disagreement between ``coders`` (``"ana, ben"``) over ``theme`` (by name) on
    ``[start, end)`` of a document was settled: ``accepted`` names whose coding the consensus
    took (``"ana"``, ``"ana, ben"``; empty: neither). See ``adjudication.py``."""

    id: int
    document: int
    theme: str
    start: int
    end: int
    coders: str
    accepted: str
    note: str = ""
    author: str = ""
    decided: str = ""

    @classmethod
    def from_record(cls, decision_id: int, record: dict[str, Any]) -> Decision:
        get = record.get
        return cls(decision_id, record["document"], record["theme"], record["start"], record["end"],
                   record["coders"], record["accepted"], get("note", ""), get("author", ""), get("decided", ""))

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        del record["id"]
        return record


@dataclass
class StoredDocument:
    """A document as the database knows it (it may no longer exist on disk)."""

    id: int
    path: str
    sha256: str
    title: str = ""
    encoding: str = "utf-8"
    guid: str = ""  # its REFI-QDA GUID (older databases: none yet, an export derives one)

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        del record["id"]
        if not self.guid:
            del record["guid"]
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
    decisions: dict[int, Decision] = field(default_factory=dict)
    _by_document: dict[int, dict[int, Annotation]] = field(default_factory=dict)
    _orphans: dict[int, Annotation] = field(default_factory=dict)
    _themes_by_id: dict[int, Theme] = field(default_factory=dict)
    _tree: ThemeTree | None = None  # how the themes nest, made when first asked after a change
    revision: int = 0  # bumped by every change in memory, so views can tell they are stale
    _document_ids: dict[str, int] = field(default_factory=dict)
    unsaved: list[Entry] = field(default_factory=list)
    save_error: str | None = None
    dirty: bool = False
    pending_at_open: int = 0  # journaled changes that were not yet in the file
    journal_problems: list[str] = field(default_factory=list)  # journal lines not applied, and why
    journal_torn: bool = False  # the journal's last line was cut short by a kill (never acknowledged)
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
        try:
            store._open(starting_themes)
        except BaseException:
            store.journal.close()
            if store.lock is not None:  # refused: the next Margin may write it
                store.lock.release()
                store.lock = None
            raise
        return store

    def _open(self, starting_themes: list[ThemeSpec]) -> None:
        """Replay the journal, migrate and load (``open`` holds the lock, if it took it)."""
        store, path, db = self, self.path, self.db
        if store.writable:
            remove_stale_temporaries(path)
        data = db.storage.read()
        store._on_disk = data is not None
        if db.storage.empty_file and (backups_of(path) or not store.journal.is_empty()):
            raise StoreError(
                f"{path}: the file is empty but has backups or a journal beside it; if this is "
                "unexpected, run `margin db restore` (left untouched)"
            )
        replay = store.journal.replay(data if data is not None else {})
        store.pending_at_open, store.journal_problems, store.journal_torn = replay.applied, replay.dropped, replay.torn
        if data is None and replay.applied and store.writable:  # a reader may just race the first write
            raise StoreError(f"{store.journal.path}: a journal without its database; restore a backup")
        if store.writable and not store.journal.is_empty():
            # Fold it in (or drop a torn fragment) now: a new entry appended behind a torn
            # line would be glued onto it and lost.
            if replay.dropped:
                store._keep_dropped_journal()
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
                {"application": APPLICATION, "schema_version": SCHEMA_VERSION, "created": now(),
                 "guid": new_guid()}
            )
            for spec in starting_themes:
                store._insert_theme(spec.name, spec.description, spec.color, log=False)

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

    def _keep_dropped_journal(self) -> None:
        """Copy a journal with lines replay refused aside before it is emptied, and say where."""
        kept = unused_sidecar(self.path, "journal-dropped")
        try:
            atomic_write(kept, self.journal.path.read_bytes())
        except OSError as error:
            raise StoreError(
                f"{self.journal.path}: cannot keep a copy of its {len(self.journal_problems)} unusable "
                f"line(s) ({error.strerror or error}); nothing was changed"
            ) from None
        self.journal_problems.append(f"the journal as it was is kept as {kept.name}")

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
                atomic_write(self.schema_backup_path(version), self.path.read_bytes())
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
                guid=record.get("guid", ""),
            )
            for key, record in data.get("documents", {}).items()
        }
        self.decisions = {int(key): Decision.from_record(int(key), record)
                          for key, record in data.get("decisions", {}).items()}
        gc.disable()
        try:
            for key, record in data.get("annotations", {}).items():
                self._remember(Annotation.from_record(int(key), record))
        finally:
            gc.enable()
        if len(self.annotations) >= FREEZE_AT:
            # The records and annotations just made live as long as the store, and the
            # collector, counting them as new, would otherwise soon walk them all in one
            # full collection (0.3 s of CPU at 100,000), in whatever runs next: the first
            # query, say. Frozen, they are left out of every collection (objects frozen are
            # still freed when their last reference goes; only a cycle among them would stay).
            gc.freeze()

    @staticmethod
    def _theme_from_record(theme_id: int, record: dict[str, Any]) -> Theme:
        return Theme(
            id=theme_id,
            name=record["name"],
            color=record["color"],
            key=record.get("key"),
            description=record.get("description", ""),
            parent=record.get("parent"),
            guid=record.get("guid", ""),
        )

    # -- durability ---------------------------------------------------------------------

    def _before_change(self) -> None:
        """Refuse in read-only mode, or once the file was replaced (before the change is
        journaled for a file it no longer belongs to); create a new database's file; back up
        an old one once."""
        if not self.writable:
            raise StoreError(f"{self.path}: read-only, {self.read_only_reason}")
        if self.db.storage.replaced():
            self._stop_writing()
        try:
            if not self._on_disk:
                self.db.storage.flush()
                self._on_disk = True
                self._backed_up = True  # nothing older to keep
            elif not self._backed_up:
                rotate(self.path)  # the file as this session found it
                self._backed_up = True
        except FileReplaced:
            self._stop_writing()
        except OSError as error:
            raise StoreError(f"{self.path}: cannot save ({error.strerror or error})") from None

    def _log(self, table: str, record_id: int, record: dict[str, Any] | None) -> None:
        """Journal one change, with any earlier ones that could not be written yet. Appended in
        place: a batch of n changes (an import) must cost n, not n squared."""
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
                    f"{self.path}: {counted(len(self.unsaved), 'change')} not saved yet "
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
        except FileReplaced:
            self._stop_writing()
        except OSError as error:
            raise StoreError(f"{self.path}: cannot save ({error.strerror or error})") from None
        self.dirty = False

    def _stop_writing(self) -> NoReturn:
        """The file on disk is no longer the one Margin read or wrote (git, a sync client, a
        person put another there): never overwrite it. Keep Margin's own version, with every
        change, beside it, move the journal (which belongs to the old file) aside with it,
        and become read-only with a reason that says how to get the kept version back."""
        kept = unused_sidecar(self.path, "kept")
        self.journal.close()
        journal = None  # where the journal is now, if it holds anything
        if not self.journal.is_empty():
            journal = sidecar(kept, "journal")
            try:
                os.replace(self.journal.path, journal)
            except OSError:
                journal = self.journal.path
        try:
            atomic_write(kept, msgspec.json.encode(self.db.storage.read() or {}))
            self.unsaved = []
            self.dirty = False
            where = f"its own version, with every change, is kept as {kept.name} (`margin db restore {kept}` puts it back)"
        except OSError as error:
            where = f"it could not keep its own version ({error.strerror or error})"
            if journal is not None:
                where += f"; the changes journaled since the last save are in {journal.name}"
        self.read_only_reason = (
            f"{self.path.name} was replaced or removed on disk by another program, so Margin "
            f"stopped writing to it; {where}"
        )
        raise StoreError(f"{self.path}: {self.read_only_reason}")

    def close(self) -> None:
        """Checkpoint and release the lock. Raises ``StoreError`` if changes could not be saved,
        or if this writer had to stop writing (the reason says where its version is kept),
        after releasing the lock (the journal still holds what was journaled)."""
        try:
            self.checkpoint()
            if self.unsaved:
                raise StoreError(f"{self.path}: {counted(len(self.unsaved), 'change')} could not be saved")
            if self.lock is not None and not self.writable:
                raise StoreError(f"{self.path}: {self.read_only_reason}")
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
            # The whole record, not just the fields changed: replay sets a record whole.
            self._log(table, record_id, self._raw(table, record_id))

    def _remove(self, table: str, record_id: int) -> None:
        self._before_change()
        before = self._raw(table, record_id)
        self.db.table(table).remove(doc_ids=[record_id])
        self._record_change(table, record_id, before)
        self._log(table, record_id, None)

    # -- undo -----------------------------------------------------------------------------

    @contextmanager
    def recording(self) -> Iterator[list[Change]]:
        """Collect the changes made inside, for undo; they are journaled with one fsync.

        If the block raises, its changes are taken back before they reach the journal, so an
        action that fails halfway (an import) leaves the database as it was."""
        changes: list[Change] = []
        self._recording = changes
        pending, dirty = len(self.unsaved), self.dirty
        try:
            with self.batch():
                try:
                    yield changes
                except BaseException:
                    del self.unsaved[pending:]
                    for change in reversed(changes):
                        self.db.table(change.table).put(change.id, change.before)
                        self._reload(change.table, change.id, change.before)
                    self.dirty = dirty
                    raise
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
        elif table == "decisions":
            self.decisions.pop(record_id, None)
            if record is not None:
                self.decisions[record_id] = Decision.from_record(record_id, record)
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
        self._tree = None
        self.revision += 1

    @property
    def tree(self) -> ThemeTree:
        """How the codebook nests, kept until the codebook changes: paths are asked for on
        every row drawn."""
        if self._tree is None:
            self._tree = ThemeTree(self.themes)
        return self._tree

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
            "guid": new_guid(),
        }
        theme_id = self._insert("themes", record, log=log)
        self._set_themes([*self.themes, self._theme_from_record(theme_id, record)])
        return self._themes_by_id[theme_id]

    def create_theme(self, name: str, description: str = "") -> Theme:
        """Add a theme at the end of the codebook, with the next free digit and colour."""
        return self._insert_theme(self._check_name(name), description)

    def theme_named(self, name: str) -> Theme | None:
        """The theme with this name, ignoring case and runs of spaces (the first, if an
        imported codebook has two under different parents), or with this path
        (``Migration › Other``)."""
        wanted = folded(name)
        found = next((theme for theme in self.themes if theme.name.casefold() == wanted), None)
        if found is None and "›" in name:
            path = tuple(folded(part) for part in name.split("›"))
            found = next((theme for theme in self.themes if self.theme_key(theme) == path), None)
        return found

    def theme_key(self, theme: Theme) -> tuple[str, ...]:
        """Where a theme sits: the ``folded`` names of its ancestors and its own, top first."""
        return tuple(folded(name) for name in self._lineage(theme))

    def _lineage(self, theme: Theme) -> list[str]:
        """The names of a theme's ancestors and its own, top first (a cycle in a damaged file
        stops where it closes)."""
        return [t.name for t in [*self.tree.ancestors(theme), theme]]

    def theme_path(self, theme: Theme) -> str:
        """``Violence › Armed groups › Cartels``: a theme named with its ancestors."""
        return PATH_SEPARATOR.join(self._lineage(theme))

    def import_themes(self, specs: list[ThemeSpec]) -> dict[str | tuple[str, ...], Theme]:
        """Every spec's theme: by ``folded`` name (the first theme of that name) and, for a
        spec placed by its ``path`` (a REFI-QDA codebook), by its ``ThemeSpec.key``.

        A spec with a ``path`` is matched where it sits, at any depth: two codes of one name
        under different parents stay two. A spec without one is matched by name anywhere in
        the codebook, else created under ``parent`` (a theme of that name) or at the top.
        New themes go at the end with their colour and description.

        One pass and one ``renumber``, so a codebook of thousands of codes imports in linear
        time, where ``create_theme`` and ``set_parent`` per code rescan the codebook each
        time. A group's codes listed right after it (a REFI-QDA codebook, depth first) are in
        place already, so ``renumber`` rewrites nothing."""
        by_name: dict[str, Theme] = {}
        by_key: dict[tuple[str, ...], Theme] = {}
        for theme in self.themes:
            by_name.setdefault(folded(theme.name), theme)
            by_key.setdefault(self.theme_key(theme), theme)
        keys = {theme.id: key for key, theme in by_key.items()}
        colors = {theme.color for theme in self.themes}
        used_keys = {theme.key for theme in self.themes}
        # Not mutated: the renumber below gives every theme its digit by position, so which free
        # digit a new theme is inserted with never shows (callers journal an import as one batch).
        free_keys = iter([key for key in range(1, KEYED_THEMES + 1) if key not in used_keys])  # pragma: no mutate
        themes = list(self.themes)
        found: dict[str | tuple[str, ...], Theme] = {}
        for spec in specs:
            name = " ".join(spec.name.split())
            if not name:
                raise ValueError("a theme needs a name")
            if spec.path is not None:
                group = by_key.get(spec.key[:-1]) if spec.path else None
                if spec.path and group is None:
                    where = " › ".join(spec.path)
                    raise ValueError(f"{name!r} is placed under {where!r}, which comes later or not at all")
                existing = by_key.get(spec.key)
            else:
                group = by_name.get(folded(spec.parent)) if spec.parent else None
                existing = by_name.get(folded(name))
            if existing is None:
                record = {"name": name, "color": spec.color or next_color(colors),
                          "key": next(free_keys, None), "description": spec.description, "order": len(themes),
                          "parent": group.id if group is not None else None,
                          "guid": new_guid(spec.guid)}
                existing = self._theme_from_record(self._insert("themes", record), record)
                key = (*(keys[group.id] if group is not None else ()), folded(name))
                keys[existing.id] = key
                by_key.setdefault(key, existing)
                by_name.setdefault(folded(name), existing)
                colors.add(existing.color)
                themes.append(existing)
            if spec.path is not None:
                found[spec.key] = existing
        if len(themes) > len(self.themes):
            self.renumber(themes)
        result: dict[str | tuple[str, ...], Theme] = {name: self._themes_by_id[t.id]
                                                      for name, t in by_name.items()}
        result.update({key: self._themes_by_id[t.id] for key, t in found.items()})
        return result

    def _check_name(self, name: str, keeping: Theme | None = None, parent: int | None = None) -> str:
        """A name unique among the theme's siblings under ``parent`` (an imported codebook may
        hold one name under two parents; the UI adds top-level themes, so among those)."""
        name = " ".join(name.split())
        if not name:
            raise ValueError("a theme needs a name")
        wanted = folded(name)
        if any(t.parent == parent and folded(t.name) == wanted and (keeping is None or t.id != keeping.id)
               for t in self.themes):
            where = f" under {self._themes_by_id[parent].name}" if parent in self._themes_by_id else ""
            raise ValueError(f"a theme named {name!r} exists already{where}")
        return name

    def update_theme(self, theme: Theme, **changes: Any) -> Theme:
        """Rename, recolour or describe a theme (``changes`` are fields of its record)."""
        if "name" in changes:
            changes["name"] = self._check_name(changes["name"], keeping=theme, parent=theme.parent)
        self._replace("themes", theme.id, changes)
        self._reload("themes", theme.id, self._raw("themes", theme.id))
        return self._themes_by_id[theme.id]

    def set_parent(self, theme: Theme, parent: Theme | None, after: Theme | None = None) -> None:
        """Put ``theme`` (with everything under it) under ``parent`` at any depth, or at the top
        level (None): as the last theme there, or right after ``after`` (one already there).
        Refused when ``parent`` is ``theme`` or inside it (a loop) or already has a theme of
        that name under it. Digit keys stay."""
        if (problem := self.tree.placement_problem(theme, parent)) is not None:
            raise ValueError(problem)
        parent_id = parent.id if parent else None
        self._check_name(theme.name, keeping=theme, parent=parent_id)
        if parent_id == theme.parent:
            return
        moved = self.tree.descendants(theme)
        others = [t for t in self.themes if t.id not in moved]
        at = len(others)  # the end: after every theme already under ``parent``
        if after is not None:
            following = self.tree.descendants(after)
            at = max(index for index, t in enumerate(others) if t.id in following) + 1
        self._replace("themes", theme.id, {"parent": parent_id})
        self._reload("themes", theme.id, self._raw("themes", theme.id))
        subtree = [self._themes_by_id[t.id] for t in self.themes if t.id in moved]
        wanted = [*others[:at], *subtree, *others[at:]]
        self.renumber(wanted, keep_keys=True)  # grouping is no reason to relearn the digits

    def indent_theme(self, theme: Theme) -> Theme:
        """Put ``theme`` under the theme just above it among its siblings (as its last child);
        returns that new parent."""
        siblings = self.tree.siblings(theme)
        index = siblings.index(theme)
        if index == 0:
            raise ValueError(f"{theme.name} is first in its level: there is no theme above it to go under")
        parent = siblings[index - 1]
        self.set_parent(theme, parent)
        return parent

    def outdent_theme(self, theme: Theme) -> Theme | None:
        """Move ``theme`` up a level, right after its parent (under its grandparent, or at the
        top); returns the new parent."""
        ancestors = self.tree.ancestors(theme)
        if not ancestors:
            raise ValueError(f"{theme.name} is at the top level already")
        grandparent = ancestors[-2] if len(ancestors) > 1 else None
        self.set_parent(theme, grandparent, after=ancestors[-1])
        return grandparent

    def renumber(self, wanted: list[Theme], keep_keys: bool = False) -> None:
        """Order the codebook as ``wanted`` says, each theme's children right after it, in
        their order in ``wanted``, depth first at any depth; the first nine themes in that
        order take the keys 1..9, unless ``keep_keys`` (each theme keeps the digit it has)."""
        ids = {theme.id for theme in wanted}
        children: dict[int, list[Theme]] = {}
        for theme in wanted:
            if theme.parent in ids:
                children.setdefault(theme.parent, []).append(theme)
        ordered: list[Theme] = []
        placed: set[int] = set()
        stack = list(reversed([t for t in wanted if t.parent is None or t.parent not in ids]))
        while stack:
            theme = stack.pop()
            if theme.id in placed:
                continue  # pragma: no mutate (each theme is pushed once, so break would do the same)
            placed.add(theme.id)
            ordered.append(theme)
            stack += reversed(children.get(theme.id, []))
        ordered += [t for t in wanted if t.id not in placed]  # in a cycle (a damaged file): kept, at the end
        for position, theme in enumerate(ordered):
            record = self._raw("themes", theme.id)
            key = record.get("key") if keep_keys else position + 1 if position < KEYED_THEMES else None
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
        inside = target.id in self.tree.descendants(source)  # its children cannot go under it
        children_to = self._theme_parent(source) if inside else target
        self._check_children_fit(source, children_to)
        changed = 0
        for annotation in [a for a in self.annotations.values() if source.id in a.themes]:
            themes = tuple(dict.fromkeys(target.id if t == source.id else t for t in annotation.themes))
            self.update_annotation(annotation, themes=themes)
            changed += 1
        self._drop_theme(source, children_to=children_to)
        return changed

    def delete_theme(self, theme: Theme) -> tuple[int, int]:
        """Remove ``theme`` from its annotations (deleting those it was the only theme of) and
        from the codebook; returns (annotations changed, annotations deleted)."""
        self._check_children_fit(theme, self._theme_parent(theme))
        changed = deleted = 0
        for annotation in [a for a in self.annotations.values() if theme.id in a.themes]:
            remaining = tuple(t for t in annotation.themes if t != theme.id)
            if remaining:
                self.update_annotation(annotation, themes=remaining)
                changed += 1
            else:
                self.delete_annotation(annotation)
                deleted += 1
        self._drop_theme(theme, children_to=self._theme_parent(theme))
        return changed, deleted

    def _theme_parent(self, theme: Theme) -> Theme | None:
        return self._themes_by_id.get(theme.parent) if theme.parent is not None else None

    def _check_children_fit(self, theme: Theme, children_to: Theme | None) -> None:
        """Refuse (``ValueError``, before anything changes) to move the themes right under
        ``theme`` to ``children_to`` when one would land beside a theme of its name: two
        siblings of one name would make a theme's path ambiguous (and a JSON-lines export
        of it refused on import)."""
        parent = children_to.id if children_to else None
        moving = [t for t in self.themes if t.parent == theme.id]
        staying = {folded(t.name): t for t in self.themes
                   if t.parent == parent and t.id != theme.id}
        for child in moving:
            if (clash := staying.get(folded(child.name))) is not None:
                where = f"under {children_to.name}" if children_to else "at the top level"
                raise ValueError(f"{child.name} would move {where}, where {clash.name} is already: "
                                 f"rename or move one of them first")

    def _drop_theme(self, theme: Theme, children_to: Theme | None) -> None:
        """Remove ``theme`` from the codebook; the themes right under it move (with theirs)
        under ``children_to``, so a subtree keeps its shape one level up or in a merge target."""
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

    def register_document(self, document_path: Path, sha256: str, title: str, encoding: str,
                          guid: str | None = None) -> int:
        """The document's id, adding its record on first use (with ``guid``, a project's GUID
        for it, if that is a GUID; else a new one)."""
        existing = self.document_id(document_path)
        if existing is not None:
            return existing
        record = {
            "path": self.relative_path(document_path),
            "sha256": sha256,
            "title": title,
            "encoding": encoding,
            "guid": new_guid(guid),
        }
        document_id = self._insert("documents", record)
        self.documents[document_id] = StoredDocument(id=document_id, **record)
        return document_id

    # -- annotations ----------------------------------------------------------------------

    def add_annotation(
        self, document_id: int, text: str, start: int, end: int, themes: list[int], author: str,
        note: str = "", created: str | None = None, modified: str | None = None, guid: str | None = None,
    ) -> Annotation:
        """A new annotation; an import passes the memo, dates and GUID it had elsewhere."""
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
            "guid": new_guid(guid),
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

    # -- adjudication decisions ---------------------------------------------------------

    def record_decision(self, decision: Decision) -> Decision:
        """Store a new decision (its ``id`` is ignored) or, with the id of one stored, replace it."""
        record = replace(decision, decided=decision.decided or now()).to_record()
        if decision.id in self.decisions:
            self._replace("decisions", decision.id, record)
            decision_id = decision.id
        else:
            decision_id = self._insert("decisions", record)
        self.decisions[decision_id] = Decision.from_record(decision_id, record)
        return self.decisions[decision_id]

    def delete_decision(self, decision: Decision) -> None:
        self._remove("decisions", decision.id)
        del self.decisions[decision.id]

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
