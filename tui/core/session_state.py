"""Where the reader was: the documents in each pane, the positions, and which pane had focus.

Kept per corpus (the folders read and the database, hashed into the file's name) as a small
JSON file in the user's state directory (``platformdirs.user_state_dir("margin")``, on Linux
``$XDG_STATE_HOME/margin`` or ``~/.local/state/margin``), so that starting Margin again on the
same corpus brings the reading back. It is only a convenience: a state file that is missing,
unreadable or from another version is ignored, and one that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platformdirs import user_state_dir

from .corpus import Document

STATE_VERSION = 1


@dataclass(frozen=True)
class PaneState:
    """A pane's document (its key, the resolved path), the cursor's offset and the offset of
    the first character on screen (offsets survive a change of terminal width; rows do not)."""

    document: str
    cursor: int = 0
    top: int = 0


@dataclass(frozen=True)
class ReadingState:
    panes: list[PaneState] = field(default_factory=list)
    focused: int = 0
    documents_hidden: bool = False


def state_path(folders: list[Path], database: Path, state_dir: Path | None = None) -> Path:
    """The state file of a corpus: named by a hash of its folders and its database."""
    identity = json.dumps([sorted({str(folder) for folder in folders}), str(database)])
    name = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24] + ".json"
    return (state_dir or Path(user_state_dir("margin"))) / "reading" / name


def load_state(path: Path) -> ReadingState | None:
    """The saved state, or None when there is none or it cannot be trusted."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("version") != STATE_VERSION:
            return None
        panes = [PaneState(str(pane["document"]), natural(pane.get("cursor")), natural(pane.get("top")))
                 for pane in raw["panes"]]
        return ReadingState(panes, natural(raw.get("focused")), bool(raw.get("documents_hidden", False)))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def natural(value: object) -> int:
    """A saved count or offset: 0 when absent, never negative; raises ValueError if not a number."""
    return max(0, int(value or 0))


def save_state(path: Path, state: ReadingState) -> bool:
    """Write the state (a temporary file renamed over the old one, so a crash never leaves half
    a file); returns whether it was written. Failing is not worth more than that."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": STATE_VERSION, **asdict(state)}, indent=1)
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return False
    return True


def opening_panes(state: ReadingState | None, documents: list[Document], panes: int | None,
                  default: int = 2, most: int = 4) -> tuple[list[tuple[Document, PaneState | None]], int]:
    """The document (and saved position, if any) of each pane to open, and the pane to focus.

    Saved panes whose document is no longer in the corpus are left out; ``panes`` (the command
    line's ``--panes``) wins over the saved count, extra panes showing the next documents."""
    by_key = {document.key: document for document in documents}
    kept = [pane for pane in (state.panes if state else []) if pane.document in by_key]
    saved = [(by_key[pane.document], pane) for pane in kept]
    count = max(1, min(most, panes or len(saved) or default))
    opening: list[tuple[Document, PaneState | None]] = saved[:count]
    opening += [(documents[number % len(documents)], None) for number in range(len(opening), count)]
    focused_pane = state.panes[state.focused] if state and state.focused < len(state.panes) else None
    focused = next((number for number, (_, pane) in enumerate(opening) if pane is focused_pane), 0)
    return opening, focused
