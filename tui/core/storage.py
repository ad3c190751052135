"""The file layer under the store: how the TinyDB file is read, held and written.

The data lives in memory (``SnapshotStorage``) and the file is replaced atomically at
checkpoints (``atomic_write``); TinyDB's tables change that memory in place
(``InPlaceTable``); one process at a time may write (``take_lock``). ``store.py`` builds the
typed database on top of this.
"""

from __future__ import annotations

import gc
import os
import socket
import stat
import tempfile
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table


class StoreError(Exception):
    """The database cannot be opened or written; the message is one line naming the file."""


def unusable(path: Path, problem: str) -> StoreError:
    """An error for a database Margin will not open, pointing at the newest backup if any."""
    backup = sidecar(path, "backup-1")
    hint = f"; last good backup: {backup}" if backup.exists() else "; no backup beside it"
    return StoreError(f"{path}: {problem} (left untouched{hint})")


class DatabaseBusy(Exception):
    """Another process holds the database's lock, or the lock cannot be taken; says why."""


def sidecar(database: Path, suffix: str) -> Path:
    """A file beside the database: ``annotations.json.lock``, ``.journal``, ``.backup-1``..."""
    return database.with_name(f"{database.name}.{suffix}")


def take_lock(database: Path) -> FileLock:
    """Become the one writer of ``database``, or raise ``DatabaseBusy`` naming the holder.

    The lock lives in a sidecar file (the database itself is replaced by rename at every
    checkpoint); the OS drops it when its process dies, so a kill -9 leaves no stale lock.
    """
    owner_path = sidecar(database, "owner")
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(sidecar(database, "lock"), blocking=False)
        lock.acquire()
    except Timeout:
        try:
            owner = owner_path.read_text(encoding="utf-8").strip()
        except OSError:
            owner = "another process"
        raise DatabaseBusy(f"another Margin is writing it ({owner})") from None
    except OSError as error:
        raise DatabaseBusy(f"cannot write in {database.parent} ({error.strerror})") from None
    try:
        owner_path.write_text(f"process {os.getpid()} on {socket.gethostname()}", encoding="utf-8")
    except OSError:
        pass  # who holds the lock is a courtesy; the lock itself is what counts
    return lock


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace ``path`` with ``payload`` so that a crash leaves the old or the new file."""
    with atomic_writer(path) as handle:
        handle.write(payload)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A file to write ``path``'s new content into, streamed; it replaces ``path`` only when
    the block ends without error, so a crash or a full disk leaves the old file whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), file_mode(path))  # mkstemp's 0600 is for the temporary only
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


def file_mode(path: Path) -> int:
    """The permissions a rewritten file keeps, or a new file gets (the umask's, as any program's)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class SnapshotStorage(Storage):
    """TinyDB storage holding the data in memory; ``flush`` writes a whole snapshot atomically.

    TinyDB's writes only change memory: durability comes from the store's journal, and the
    file is rewritten at checkpoints.
    """

    def __init__(self, path: str) -> None:
        self.path = Path(path)
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
        gc.disable()  # parsing 100k records is otherwise dominated by garbage collection
        try:
            data = msgspec.json.decode(raw)
        except msgspec.DecodeError as error:
            raise unusable(self.path, f"the database is corrupt (not valid JSON: {error})") from None
        finally:
            gc.enable()
        if not isinstance(data, dict):
            raise unusable(self.path, "not a Margin database (no TinyDB tables in it)")
        return data

    def read(self) -> dict[str, Any] | None:
        return self._data

    def write(self, data: dict[str, Any]) -> None:
        self._data = data

    def flush(self) -> None:
        """Replace the file with the in-memory data (raises ``OSError``)."""
        atomic_write(self.path, msgspec.json.encode(self._data or {}))

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
