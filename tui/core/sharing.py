"""Several coders on one project: a database per coder, a shared codebook, a shareable folder.

A project keeps its database in ``annotations/annotations.json``; with ``margin --coder NAME``
a coder codes into ``annotations/coders/NAME.json`` beside it. One file per coder lets a team
share the project through git or a synced folder without two people writing the same file.
``agreement.py`` compares the coders' databases and ``merging.py`` folds them into one.

The codebook is the project's: a coder database, when opened, gains the project's themes it
lacks (same name, colour, description and group, in the project's order, so the digits match)
and a theme found only in the coder's database is marked ``proposed: true`` on its record (an
optional field of theme records; absent means false) until the project codebook has it too.

What must not be shared (the lock, who holds it, the journal, backups, temporary files) stays
out of git through a ``.gitignore`` that Margin writes in ``annotations/`` when it opens a
database there, unless one exists already.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .codebook import Theme, ThemeSpec, folded
from .project import CODERS_FOLDER, DATABASE_FOLDER, DATABASE_NAME
from .storage import StoreError

if TYPE_CHECKING:
    from .store import Store

CODER_VARIABLE = "MARGIN_CODER"
PROPOSED = "proposed"

# One pattern a line; without a slash each applies in annotations/ and in coders/ below it.
IGNORED = (
    "*.lock",
    "*.owner",
    "*.journal",
    "*.backup-*",
    "*.tmp",
    ".*.tmp",
    "*.before-restore-*",
    "*.schema-*",
)
GITIGNORE = (
    "# Written by Margin: files of one machine's session, not to be shared (see README, Teams).\n"
    + "".join(f"{pattern}\n" for pattern in IGNORED)
)

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def coder_name(name: str) -> str:
    """``name`` if it is a safe file name (letters, digits, ``.``, ``_``, ``-``, not starting
    with a dot or a dash, up to 64 characters); else ``ValueError`` with a one-line reason."""
    if not _SAFE_NAME.fullmatch(name) or name.endswith(".json"):
        raise ValueError(
            f"coder name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, starting with a "
            "letter or digit, without .json)"
        )
    return name


def coder_database(project_database: Path, name: str) -> Path:
    """Where coder ``name`` codes: ``coders/NAME.json`` beside the project's database."""
    return project_database.parent / CODERS_FOLDER / f"{coder_name(name)}.json"


def coder_of(database: Path) -> str | None:
    """The coder a database belongs to (``coders/NAME.json``), or None for another database."""
    if database.parent.name == CODERS_FOLDER and database.suffix == ".json":
        return database.stem
    return None


def project_of(database: Path) -> Path | None:
    """The project database a coder database follows, or None if ``database`` is no coder's."""
    if coder_of(database) is None:
        return None
    return database.parent.parent / DATABASE_NAME


def coder_databases(project_database: Path) -> list[Path]:
    """Every coder database of a project, sorted by name."""
    folder = project_database.parent / CODERS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.json") if path.is_file() and not path.name.startswith("."))


def ensure_gitignore(database: Path) -> Path | None:
    """Write ``annotations/.gitignore`` for a database in Margin's project folder (or in its
    ``coders/`` folder) unless the file exists; a database elsewhere (``--db ~/notes.json``)
    gets none: Margin does not write into folders it does not own. Returns the file written."""
    folder = database.parent
    if folder.name == CODERS_FOLDER and folder.parent.name == DATABASE_FOLDER:
        folder = folder.parent
    if folder.name != DATABASE_FOLDER or not folder.is_dir():
        return None
    target = folder / ".gitignore"
    try:
        with open(target, "x", encoding="utf-8") as handle:  # never over the user's own
            handle.write(GITIGNORE)
    except FileExistsError:
        return None
    except OSError:
        return None  # a read-only folder: the database is opened read-only anyway
    return target


def is_proposed(store: Store, theme_id: int) -> bool:
    """Whether a theme is marked as proposed (created by a coder, not yet in the project's codebook)."""
    record = (store.db.storage.read() or {}).get("themes", {}).get(str(theme_id)) or {}
    return bool(record.get(PROPOSED, False))


def follow_codebook(coder: Store, project: Path, starting: Sequence[ThemeSpec] = ()) -> tuple[int, int]:
    """Bring a coder's codebook in line with the project's database at ``project``: add the
    project's themes it lacks, place and order the shared themes as the project does (its
    tree at any depth; the coder's own come after), and mark themes the project does not
    have as proposed (unmarking those it has now). Not an undo step: it happens on opening.
    Returns (themes added, themes proposed). Before the project's database exists, its
    codebook is ``starting`` (the corpus's ``codebook.json``, which it will start with); a
    broken one is a ``StoreError``."""
    from .store import Store

    if not coder.writable:
        return 0, 0
    if project.is_file():
        source = Store.open(project, inspect=True)
        try:
            themes = list(source.themes)
        finally:
            source.close()
    else:
        ids = {folded(spec.name): -number for number, spec in enumerate(starting, 1)}
        themes = [Theme(-number, spec.name, spec.color or "", description=spec.description,
                        parent=ids.get(folded(spec.parent)) if spec.parent else None)
                  for number, spec in enumerate(starting, 1)]
    names = {theme.id: theme.name for theme in themes}
    added = 0
    with coder.batch():
        for theme in themes:
            mine = coder.theme_named(theme.name)
            if mine is None:
                mine = coder.create_theme(theme.name, theme.description)
                if theme.color:
                    mine = coder.update_theme(mine, color=theme.color)
                added += 1
        for theme in themes:  # then the tree, at any depth, once every theme exists
            mine = coder.theme_named(theme.name)
            parent = coder.theme_named(names[theme.parent]) if theme.parent in names else None
            if mine is not None and mine.parent != (parent.id if parent else None):
                try:
                    coder.set_parent(mine, parent)
                except ValueError:  # a loop or a name clash made by the coder's own themes: theirs to sort
                    pass
        shared = {folded(theme.name) for theme in themes}
        order = {folded(theme.name): position for position, theme in enumerate(themes)}
        wanted = sorted(coder.themes, key=lambda t: order.get(folded(t.name), len(order)))
        if [t.id for t in wanted] != [t.id for t in coder.themes]:
            coder.renumber(wanted)
        proposed = 0
        for theme in coder.themes:
            marked = is_proposed(coder, theme.id)
            should = folded(theme.name) not in shared
            proposed += should
            if marked != should:
                coder.update_theme(theme, **{PROPOSED: should})
    return added, proposed


def environment_coder() -> str | None:
    return os.environ.get(CODER_VARIABLE) or None


def check_coder(name: str) -> str:
    """``coder_name`` for the CLI: a bad name is a ``StoreError`` (one line, exit status 2)."""
    try:
        return coder_name(name)
    except ValueError as error:
        raise StoreError(str(error)) from None
