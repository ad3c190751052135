"""The reader's bottom line: which database, whether everything is saved, and the counts.

It renders a ``WorkspaceStatus`` (``core/status.py``) and nothing else: whoever has news
(a change, the idle tick) hands it the workspace's latest status, and it redraws only when
that differs from the one on screen.
"""

from __future__ import annotations

import os

from rich.text import Text
from textual.widgets import Static

from ...core import WorkspaceStatus
from ...core.text import counted, displayable


def shown_path(path: os.PathLike[str] | str) -> str:
    """The database's path relative to the current folder when it can be (not across drives)."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def status_text(status: WorkspaceStatus) -> Text:
    """Alarms first, in reverse video (where a narrow terminal cannot cut them off), then
    the database and the counts, dim."""
    bar = Text()
    if status.read_only_reason:
        bar.append(f" READ-ONLY: {displayable(status.read_only_reason)} ", style="bold reverse")
        bar.append(" ")
    if status.save_error:
        bar.append(f" {counted(status.unsaved, 'change').upper()} NOT SAVED YET, RETRYING ", style="bold reverse")
        bar.append(" ")
    if status.orphans:
        bar.append(f" {counted(status.orphans, 'orphan').upper()}: PRESS O ", style="bold reverse")
        bar.append(" ")
    if status.others is not None:  # not an alarm, but a coder must not take theirs for their own
        bar.append(f"showing {counted(status.others, 'other coder')} (read-only)", style="underline")
        bar.append("  ")
    bar.append("Database ", style="dim")
    bar.append(displayable(shown_path(status.database))
               + ("" if status.exists_on_disk else " (new: created on the first change)"))
    bar.append(f"  ·  {counted(status.documents, 'document')} · "
               f"{counted(status.themes, 'theme')} · "
               f"{counted(status.annotations, 'annotation')} · {who(status)}",
               style="dim")
    return bar


def who(status: WorkspaceStatus) -> str:
    """Whose coding this is: the coder, in a team project's coder database (and the author
    stored on their annotations if ``--author`` names someone else); else only the author."""
    if status.coder is None:
        return f"author {displayable(status.author)}"
    if status.author != status.coder:
        return f"coder {displayable(status.coder)}, author {displayable(status.author)}"
    return f"coder {displayable(status.coder)}"


class DatabaseBar(Static):
    """One line under the panes: a ``WorkspaceStatus``, rendered."""

    def __init__(self, id: str | None = "database-bar") -> None:
        super().__init__(id=id)
        self.shown: WorkspaceStatus | None = None  # what is on screen

    def show(self, status: WorkspaceStatus) -> bool:
        """Render ``status`` unless it is what the bar shows already; True if it redrew."""
        if status == self.shown:
            return False
        self.shown = status
        self.update(status_text(status))
        return True
