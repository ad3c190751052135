"""The single-writer lock: one Margin at a time may write a database.

The lock lives in a sidecar file (``annotations.json.lock``), not the database itself, whose
inode changes at every checkpoint; the OS drops it when its process dies, so a kill -9 leaves
no stale lock. ``annotations.json.owner`` says who holds it, for the others' banner.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

from filelock import FileLock, Timeout

from .storage import sidecar


class DatabaseBusy(Exception):
    """Another process holds the database's lock, or the lock cannot be taken; says why."""


def take_lock(database: Path) -> FileLock:
    """Become the one writer of ``database``, or raise ``DatabaseBusy`` naming the holder."""
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(sidecar(database, "lock"), blocking=False)
        lock.acquire()
    except Timeout:
        raise DatabaseBusy(f"another Margin is writing it ({owner(database)})") from None
    except OSError as error:
        raise DatabaseBusy(f"cannot write in {database.parent} ({error.strerror})") from None
    try:
        sidecar(database, "owner").write_text(f"process {os.getpid()} on {socket.gethostname()}", encoding="utf-8")
    except OSError:
        pass  # who holds the lock is a courtesy; the lock itself is what counts
    return lock


def owner(database: Path) -> str:
    try:
        return sidecar(database, "owner").read_text(encoding="utf-8").strip() or "another process"
    except OSError:
        return "another process"


def lock_holder(database: Path) -> str | None:
    """Who is writing ``database`` right now, if anybody, found without writing anything.

    ``margin db check`` must only read: taking the lock would create the lock and owner files
    (and fail in a read-only folder). So the lock file is opened read-only, if it exists, and
    probed with a non-blocking ``flock`` that is released at once.
    """
    try:
        descriptor = os.open(sidecar(database, "lock"), os.O_RDONLY)
    except FileNotFoundError:
        return None  # nobody has ever written it from here
    except OSError as error:
        return f"unknown (cannot read the lock file: {error.strerror})"
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return f"another Margin is writing it ({owner(database)})"
    except OSError as error:
        return f"unknown (cannot probe the lock: {error.strerror})"
    else:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        return None
    finally:
        os.close(descriptor)
