"""What the database bar says: one frozen snapshot of a workspace's state.

``Workspace.status()`` builds it; the UI renders it and compares it with the last one to
know whether to redraw, so it holds plain values only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WorkspaceStatus:
    database: Path
    exists_on_disk: bool  # False until the first change creates the file
    read_only_reason: str | None  # None when this Margin may write
    unsaved: int  # changes kept in memory that the journal refused; retried
    save_error: str | None  # why they were refused, while some are
    pending_at_open: int  # journaled changes folded into the file when it was opened
    journal_problems: tuple[str, ...]  # journal lines not applied at open, and why
    documents: int
    themes: int
    annotations: int
    orphans: int
    author: str  # who is coding
    coder: str | None  # in a team project, whose database this is
    backups: int  # kept copies beside the database (``backups.py``)
    newest_backup: float | None  # its modification time (seconds since the epoch)
    others: int | None = None  # other coders whose coding is shown read-only; None: blind

    @property
    def writable(self) -> bool:
        return self.read_only_reason is None

    @property
    def saved(self) -> bool:
        """Every change is on disk (in the journal or the file)."""
        return not self.unsaved and self.save_error is None
