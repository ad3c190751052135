"""How much Margin will read of one file, so that no file can hang or exhaust the app.

A corpus folder may hold anything: a FIFO or a link to ``/dev/zero`` (reading either never
ends), a multi-gigabyte dump, a zip bomb dressed as a ``.docx``. Every reader checks these
caps *before* the expensive step (opening, inflating, parsing) and refuses the one file
with a ``LimitExceeded`` whose message fits on one line. The caps live here, in one place,
so that every reader of untrusted files (documents, imported projects) applies the same ones.
They are module attributes read at call time: tests lower them to build small hostile files.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # zipfile loads with the readers that open archives, not at start-up
    from zipfile import ZipFile

MB = 1024 * 1024

DOCUMENT_BYTES = 200 * MB
"""Largest document file read from disk (far beyond any report, book or transcript)."""

TEXT_CHARS = 200_000_000
"""Longest text a document may yield, whatever its kind (a compressed PDF can expand)."""

HTML_BYTES = 50 * MB
"""Largest HTML page parsed: lxml's tree takes many times the size of the markup."""

ARCHIVE_MEMBER_BYTES = 256 * MB
"""Largest single member of a zip archive (a ``.docx``), as it expands."""

ARCHIVE_TOTAL_BYTES = 512 * MB
"""Largest total expansion of all members of a zip archive."""

ARCHIVE_RATIO = 200
"""Highest compression ratio accepted for a member bigger than ``RATIO_FLOOR_BYTES``. Text
and XML compress 5 to 20 times; a member inflating hundreds of times is a bomb."""

RATIO_FLOOR_BYTES = MB
"""Members smaller than this are not ratio-checked: tiny files compress oddly and are harmless."""

DATABASE_BYTES = 2048 * MB
"""Largest database, journal or backup file read (a million annotations is far less)."""


class LimitExceeded(ValueError):
    """A file is of a kind Margin does not read, or bigger than a cap; one line says which."""


def size_label(size: int) -> str:
    """``312 MB``, ``4.2 MB``, ``900 bytes``: sizes as people read them in a message."""
    if size >= 10 * MB:
        return f"{size // MB} MB"
    if size >= MB:
        return f"{size / MB:.1f} MB"
    return f"{size} bytes"


_KINDS = (
    (stat.S_ISDIR, "is a folder, not a {what}"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a file"),
    (stat.S_ISCHR, "is a character device, not a file"),
    (stat.S_ISBLK, "is a block device, not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
)


def read_file(path: Path, cap: int | None = None) -> bytes:
    """The bytes of a regular file of at most ``cap`` bytes (default ``DOCUMENT_BYTES``).
    See ``read_regular_file``."""
    return read_regular_file(path, cap)[0]


def read_regular_file(path: Path, cap: int | None = None, what: str = "document") -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file of at most ``cap`` bytes (default ``DOCUMENT_BYTES``), and
    its status as read (``what`` names the file in the message for a folder).

    The file is opened without blocking and checked with ``fstat`` on the open descriptor:
    checking the path first and opening after would race, and opening a FIFO for reading
    waits for a writer forever. At most ``cap + 1`` bytes are read, so a file growing while
    it is read is refused too. Raises ``OSError`` as ``open`` does, ``LimitExceeded`` for
    anything else.
    """
    cap = DOCUMENT_BYTES if cap is None else cap
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        for is_kind, problem in _KINDS:
            if is_kind(status.st_mode):
                raise LimitExceeded(problem.format(what=what))
        if not stat.S_ISREG(status.st_mode):
            raise LimitExceeded("is not a regular file")
        if status.st_size > cap:
            raise LimitExceeded(too_large("file", status.st_size, cap))
        data = file.read(cap + 1)
    if len(data) > cap:
        raise LimitExceeded(too_large("file", len(data), cap))
    return data, status


def too_large(what: str, size: int, cap: int) -> str:
    """The message for a cap reached: what, how big, and the cap."""
    return f"{what} too large ({size_label(size)}; Margin reads up to {size_label(cap)})"


def check_archive(archive: ZipFile) -> None:
    """Refuse a zip archive that would inflate beyond the caps, before anything inflates it.

    The sizes checked are those the archive declares; Python's ``zipfile`` never inflates a
    member beyond its declared size (a lying member fails its CRC check instead), so the
    declared sizes bound what reading the archive can cost.
    """
    total = 0
    for member in archive.infolist():
        size = member.file_size
        if size > ARCHIVE_MEMBER_BYTES:
            raise LimitExceeded(too_large(f"archive member {member.filename}", size, ARCHIVE_MEMBER_BYTES))
        if size > RATIO_FLOOR_BYTES and size > ARCHIVE_RATIO * max(1, member.compress_size):
            raise LimitExceeded(
                f"archive member {member.filename} inflates {size // max(1, member.compress_size)} times "
                f"(to {size_label(size)}): a zip bomb?"
            )
        total += size
        if total > ARCHIVE_TOTAL_BYTES:
            raise LimitExceeded(too_large("archive's content", total, ARCHIVE_TOTAL_BYTES))
