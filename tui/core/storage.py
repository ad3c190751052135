"""The file layer under the store: how the TinyDB file is read, held and written.

The data lives in memory (``SnapshotStorage``) and the file is replaced atomically at
checkpoints (``atomic_write``), never over a file another program put there meanwhile
(``FileReplaced``); TinyDB's tables change that memory in place (``InPlaceTable``).
``store.py`` builds the typed database on top of this; ``lock.py`` says who may write.
"""

from __future__ import annotations

import gc
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from . import limits
from .records import database_problem


class StoreError(Exception):
    """The database cannot be opened or written; the message is one line naming the file."""


def unusable(path: Path, problem: str) -> StoreError:
    """An error for a database Margin will not open, pointing at the newest backup if any."""
    backup = sidecar(path, "backup-1")
    hint = f"; last good backup: {backup}" if backup.exists() else "; no backup beside it"
    return StoreError(f"{path}: {problem} (left untouched{hint})")


def sidecar(database: Path, suffix: str) -> Path:
    """A file beside the database: ``annotations.json.lock``, ``.journal``, ``.backup-1``..."""
    return database.with_name(f"{database.name}.{suffix}")


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that a crash leaves the old or the new file."""
    with atomic_writer(path) as handle:
        handle.write(payload)


@contextmanager
def atomic_writer(
    path: Path, before_replace: Callable[[], None] | None = None, sync_folder: bool = True
) -> Iterator[BinaryIO]:
    """A file to write ``path``'s new content into, streamed; it replaces ``path`` only when
    the block ends without error, so a crash or a full disk leaves the old file whole.

    ``before_replace`` runs once the new content is safely on disk, just before it takes
    ``path``'s place (backups shift the older copies along there). ``sync_folder=False``
    leaves making the rename durable to the caller, who must know the rename happened. The temporary file is
    ``.<name>.<random>.tmp`` beside ``path``; a kill can leave one behind, which
    ``remove_stale_temporaries`` clears.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), file_mode(path))  # mkstemp's 0600 is for the temporary only
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if sync_folder:
        fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` survive a power cut."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_stale_temporaries(database: Path) -> None:
    """Delete the temporary files a killed writer of ``database`` left behind.

    Only the writer holding the lock calls this, and only for its own files' pattern
    (``.annotations.json.*.tmp``): nobody else can be writing one at that moment.
    Only regular files are removed: a folder or anything else of that name is not Margin's.
    """
    for stale in database.parent.glob(f".{database.name}.*.tmp"):
        try:
            if stat.S_ISREG(stale.lstat().st_mode):
                stale.unlink()
        except OSError:
            pass  # gone meanwhile, or not ours to remove: a leftover costs only disk space


def unused_sidecar(database: Path, label: str) -> Path:
    """``annotations.json.<label>-<time>``, with a counter if that name (or its ``.journal``)
    is taken already: a file kept aside never overwrites another one kept earlier."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    candidate, number = sidecar(database, f"{label}-{stamp}"), 1
    while candidate.exists() or sidecar(candidate, "journal").exists():
        number += 1
        candidate = sidecar(database, f"{label}-{stamp}-{number}")
    return candidate


def file_mode(path: Path) -> int:
    """The permissions a rewritten file keeps, or a new file gets (the umask's, as any program's)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)  # pragma: no mutate (only reads the umask: any value set is put back next line)
        os.umask(umask)
        return 0o666 & ~umask


FileIdentity = tuple[int, int, int]  # (inode, size, modification time in ns)


def identity_of(path: Path) -> FileIdentity | None:
    """What tells this file apart from one another program put in its place (None: absent)."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_size, status.st_mtime_ns


class FileReplaced(StoreError):
    """The database file is no longer the one Margin read or last wrote."""


def read_regular(path: Path, what: str) -> tuple[bytes, os.stat_result]:
    """The bytes and status of the database, journal or backup at ``path`` (``what`` says
    which), which must be a regular file of at most ``limits.DATABASE_BYTES``: a FIFO or a
    device would hang the reader, a folder is not one. Raises ``FileNotFoundError`` if there
    is none, ``StoreError`` (one line naming the file) for anything else."""
    try:
        # Not mutated: ``what`` only names a folder there, and opening a folder raises
        # IsADirectoryError first (handled below), so no test can tell a changed ``what`` apart.
        return limits.read_regular_file(path, limits.DATABASE_BYTES, what=what)  # pragma: no mutate
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise StoreError(f"{path}: is a folder, not a {what}") from None
    except limits.LimitExceeded as error:
        raise StoreError(f"{path}: {error}") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot read the {what} ({error.strerror or error})") from None


NESTED_TOO_DEEPLY = "nested too deeply (lists or objects inside each other beyond any Margin record)"


def decode_database(path: Path, raw: bytes) -> dict[str, Any]:
    """Parse and check a database file's bytes, or raise ``StoreError`` naming the first
    problem (``records.py`` says what a sound database looks like)."""
    gc.disable()  # parsing 100k records is otherwise dominated by garbage collection
    try:
        data = msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise unusable(path, f"the database is corrupt (not valid JSON: {error})") from None
    except RecursionError:
        raise unusable(path, f"the database is corrupt ({NESTED_TOO_DEEPLY})") from None
    finally:
        gc.enable()
    try:
        problem = database_problem(data)
    except RecursionError:  # quoting a deep value in the message
        problem = f"the database is corrupt ({NESTED_TOO_DEEPLY})"
    if problem:
        raise unusable(path, problem)
    return data


class SnapshotStorage(Storage):
    """TinyDB storage holding the data in memory; ``flush`` writes a whole snapshot atomically.

    TinyDB's writes only change memory: durability comes from the store's journal, and the
    file is rewritten at checkpoints, but only if it is still the file read or last written
    (``identity``): one that git, a sync client or a person put there meanwhile is not
    overwritten (``FileReplaced``).
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
        self.identity: FileIdentity | None = None
        self._data: dict[str, Any] | None = self._load()

    def _load(self) -> dict[str, Any] | None:
        """The file's data; None for a new database (no file, or an empty one)."""
        try:
            raw, status = read_regular(self.path, "database")
        except FileNotFoundError:
            return None
        self.identity = status.st_ino, status.st_size, status.st_mtime_ns
        return decode_database(self.path, raw) if raw.strip() else None

    @property
    def empty_file(self) -> bool:
        """A file is there, but holds nothing (or only whitespace)."""
        return self._data is None and self.identity is not None

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data

    def replaced(self) -> bool:
        """Whether the file is no longer the one this storage read or last wrote (one stat)."""
        return identity_of(self.path) != self.identity

    def flush(self) -> None:
        """Replace the file with the in-memory data (raises ``OSError``, or ``FileReplaced``
        if the file is not the one this storage read or last wrote)."""
        if self.replaced():
            raise FileReplaced(f"{self.path.name} was replaced on disk by another program")
        try:
            atomic_write(self.path, msgspec.json.encode(self._data or {}))
        finally:  # the rename may have happened even if syncing the folder after it failed
            self.identity = identity_of(self.path)

    def close(self) -> None:
        """Nothing to release: the store checkpoints before it closes."""


class _IntKeyedView(MutableMapping):
    """TinyDB's raw table (string keys, as JSON has them) seen with integer document ids."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __getitem__(self, doc_id: int) -> Any:
        return self.raw[str(doc_id)]

    def __setitem__(self, doc_id: int, document: Any) -> None:
        self.raw[str(doc_id)] = document

    def __delitem__(self, doc_id: int) -> None:
        del self.raw[str(doc_id)]

    def __iter__(self) -> Iterator[int]:
        return (int(key) for key in self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class InPlaceTable(Table):
    """A TinyDB table whose writes change the stored table in place.

    Stock ``Table._update_table`` copies the whole table twice per write (about 45 ms per
    insert at 100,000 annotations). This override of TinyDB's private hook is why
    ``pyproject.toml`` pins TinyDB's minor version; ``test_store`` checks it still applies.
    """

    def _update_table(self, updater: Callable[[dict[int, Any]], None]) -> None:
        tables = self._storage.read() or {}
        updater(_IntKeyedView(tables.setdefault(self.name, {})))  # type: ignore[arg-type]
        self._storage.write(tables)
        self.clear_cache()


    def put(self, doc_id: int, document: dict[str, Any] | None) -> None:
        """Set a record under a known id, or remove it (None): how undo and redo write."""

        def updater(rows: MutableMapping) -> None:
            if document is None:
                rows.pop(doc_id, None)
            else:
                rows[doc_id] = dict(document)

        self._update_table(updater)


class MarginTinyDB(TinyDB):
    table_class = InPlaceTable
