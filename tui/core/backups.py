"""Backups of the database: the rotating copies each writing session keeps, and restoring one.

``annotations.json.backup-1`` … ``-3`` hold the file as each of the last three writing
sessions found it, newest first. A new copy is written to a temporary file and fsynced
*before* the older ones are shifted along, so a full disk or a kill part-way never costs a
generation, and a retry on a full disk never shifts again onto a broken copy. The shift moves
the oldest to a spare ``backup-4`` rather than over it, and the spare is deleted only once the
new copy is in place: a rename failing part-way drops nothing.

Restoring keeps the file it replaces under a name no other kept file has, and refuses a
backup that is empty or does not check out as a Margin database.
"""

from __future__ import annotations

import os
from pathlib import Path

from .lock import DatabaseBusy, take_lock
from .storage import (
    StoreError,
    atomic_write,
    atomic_writer,
    decode_database,
    fsync_folder,
    read_regular,
    sidecar,
    unused_sidecar,
)

BACKUPS = 3


def backup_path(database: Path, number: int) -> Path:
    return sidecar(database, f"backup-{number}")


def rotate(database: Path) -> None:
    """Copy ``database`` to ``backup-1``, shifting older backups along and dropping the
    oldest, but only once the copy is whole on disk (raises ``OSError``; nothing lost)."""
    spare = backup_path(database, BACKUPS + 1)

    def shift_older() -> None:
        """Make room at 1 by shifting only up to the first free number, the spare included:
        a shift a failure cut short is not shifted again, and the oldest is never renamed
        over (only a spare a failed unlink left is, when all four are taken)."""
        numbers = range(1, BACKUPS + 2)
        free = next((n for n in numbers if not backup_path(database, n).exists()), BACKUPS + 1)
        for number in range(free - 1, 0, -1):
            os.replace(backup_path(database, number), backup_path(database, number + 1))

    with open(database, "rb") as source:
        saved = os.fstat(source.fileno())
        with atomic_writer(backup_path(database, 1), before_replace=shift_older, sync_folder=False) as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
    # The copy is in place: failing now must not make the caller rotate again (that would
    # shift a generation out for nothing). A power cut undoing these renames costs only the
    # new copy; the database itself is untouched, and its next checkpoint syncs the folder.
    try:
        spare.unlink(missing_ok=True)  # the oldest generation, now the fourth
        os.utime(backup_path(database, 1), ns=(saved.st_atime_ns, saved.st_mtime_ns))  # "saved" in listings
        fsync_folder(database.parent)
    except OSError:
        pass


def backups_of(database: Path) -> list[Path]:
    """Every kept copy beside the database: rotating backups first (with the spare a rotation
    cut short left), then pre-upgrade copies."""
    rotating = [backup_path(database, number) for number in range(1, BACKUPS + 2)]
    kept = sorted(database.parent.glob(f"{database.name}.schema-*"))
    return [path for path in rotating if path.exists()] + kept


def resolve_backup(database: Path, choice: str) -> Path:
    """``1``..``3`` name the rotating backups; anything else is a path."""
    path = backup_path(database, int(choice)) if choice.isdigit() else Path(choice)
    if not path.exists():  # a folder or a FIFO: restoring says what it is
        raise StoreError(f"{path}: no such backup")
    return path


def restore_backup(database: Path, backup: Path) -> Path | None:
    """Put ``backup`` in place of ``database``; return where the replaced file was kept.

    The backup must be a sound Margin database (not empty, not corrupt). The current file,
    and its journal if it has one, are kept first as ``annotations.json.before-restore-<time>``
    (``.journal``), with a counter if a restore in the same second kept one already.
    """
    try:
        lock = take_lock(database)
    except DatabaseBusy as busy:
        raise StoreError(f"{database}: not restored, {busy}") from None
    try:
        try:
            payload, _ = read_regular(backup, "backup")
        except FileNotFoundError:
            raise StoreError(f"{backup}: no such backup") from None
        if not payload.strip():
            raise StoreError(f"{backup}: the backup is empty; nothing was restored")
        decode_database(backup, payload)  # refuses a corrupt or foreign file with a clear reason
        aside = unused_sidecar(database, "before-restore")
        kept = None
        try:
            current, _ = read_regular(database, "database")  # never a FIFO's endless read
        except FileNotFoundError:
            current = None
        if current is not None:
            atomic_write(aside, current)
            kept = aside
        journal = sidecar(database, "journal")
        if journal.exists() and journal.stat().st_size:
            os.replace(journal, sidecar(aside, "journal"))
        atomic_write(database, payload)
        return kept
    except OSError as error:
        raise StoreError(f"{database}: not restored ({error.strerror or error})") from None
    finally:
        lock.release()
