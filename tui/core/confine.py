"""Where Margin reads documents from: never outside the project because a file says so (#12).

A file Margin did not write, or one it wrote from a stranger's file (an import, a teammate's
database for ``margin merge``, a hand-edited database), may name any path. Documents are
read only inside *roots*: folders, each with its subfolders except hidden ones (``~/.ssh``
when the root is the home folder). The check is made on the resolved path, so a symlink is
judged by where it leads.

A database's roots (``database_roots``) are its project (the folder holding its
``annotations/`` folder, see ``project_root``), Margin's own shipped seeds, and whatever
folders the user named for this run. An import adds its file's folder and ``--sources``
(``importers.Confinement``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

DATABASE_FOLDER = "annotations"  # as project.py has it (not imported: project imports corpus)
OUTSIDE_NOT_READ = "outside the project: not read"


def within(real: Path, root: Path) -> bool:
    """Whether the resolved path ``real`` is ``root`` or under it, through no hidden folder."""
    if not real.is_relative_to(root):
        return False
    return not any(part.startswith(".") for part in real.relative_to(root).parts)


class Roots:
    """Folders documents may be read from (each resolved once)."""

    def __init__(self, folders: Iterable[Path], outside: str = OUTSIDE_NOT_READ) -> None:
        self.roots = list(dict.fromkeys(Path(os.path.realpath(folder)) for folder in folders))
        self.outside = outside

    def allows(self, path: Path) -> bool:
        """Whether ``path``, followed through its symlinks, lies under a root."""
        real = Path(os.path.realpath(path))
        return any(within(real, root) for root in self.roots)

    def refusal(self, path: Path) -> str | None:
        """None if ``path`` may be read; else why not (not found, not a file, outside)."""
        real = Path(os.path.realpath(path))
        if not any(within(real, root) for root in self.roots):
            return self.outside if os.path.lexists(path) else "document not found"
        if not real.exists():
            return "document not found"
        return None if real.is_file() else "not a regular file"


def project_root(database: Path) -> Path:
    """The project a database belongs to: the folder holding its ``annotations/`` folder
    (``annotations/annotations.json``, a coder's ``annotations/coders/NAME.json``). A
    database elsewhere belongs to the parent of its own folder (``study/consensus/db.json``:
    ``study/``), or to its own folder if that is the filesystem's root."""
    folder = Path(os.path.abspath(database)).parent
    for candidate in (folder, folder.parent):
        if candidate.name == DATABASE_FOLDER:
            return candidate.parent
    return folder.parent if folder.parent != folder.parent.parent else folder


def shipped_seeds() -> list[Path]:
    """Margin's own corpus: ``seeds/`` in a source checkout, or inside the installed package
    (whose database lives in the user's data folder, outside any project)."""
    package = Path(__file__).resolve().parent.parent
    return [folder for folder in (package / "seeds", package.parent / "seeds") if folder.is_dir()]


def database_roots(database: Path, named: Iterable[Path] = ()) -> Roots:
    """Where a database's documents may be read from: its project, the shipped seeds, and
    the folders the user ``named`` (on the command line)."""
    return Roots([project_root(database), *shipped_seeds(), *named])
