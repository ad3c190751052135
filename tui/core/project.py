"""Finding the project the user stands in, the way git finds a repository.

A project is a folder holding ``annotations/annotations.json``: what ``margin ~/study/docs``
creates beside its corpus (``~/study/annotations/annotations.json``). Commands run without
``--db`` look for one in the current folder, then in each parent up to the filesystem root,
and use the first found; only outside any project do they fall back to the shipped corpus.
The walk has no ceiling (unlike git's ``GIT_CEILING_DIRECTORIES``): a project folder is
something the user made, and an ``annotations/annotations.json`` above it is one too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .codebook import CodebookError, ThemeSpec, read_codebook
from .confine import database_roots
from .corpus import CorpusError
from .extract import is_document

DATABASE_FOLDER = "annotations"
DATABASE_NAME = "annotations.json"
CODERS_FOLDER = "coders"  # annotations/coders/NAME.json: one database per coder (core/sharing.py)


@dataclass(frozen=True)
class Project:
    """A folder with an ``annotations/annotations.json`` in it."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / DATABASE_FOLDER / DATABASE_NAME

    def document_folders(self, known: Iterable[Path]) -> list[Path]:
        """The folders ``margin`` opens in this project when given no PATH.

        The folders of the documents the database knows (``known``), where documents still
        are: the corpus the user coded, wherever it lies. A database that knows none yet (its
        themes were made, nothing was coded) opens the folders beside ``annotations/`` that
        hold documents, the way ``seeds/`` sits beside it. Raises ``CorpusError`` when there
        is neither. A folder outside the project (``confine.database_roots``: a hand-edited
        database may name any) is never opened (#12).
        """
        roots = database_roots(self.database)
        folders = sorted({path.parent for path in known if roots.allows(path)})
        folders = [folder for folder in folders if holds_documents(folder)]
        if not folders:
            beside = sorted(child for child in self.root.iterdir()
                            if child.is_dir() and child.name != DATABASE_FOLDER and not child.name.startswith("."))
            folders = [folder for folder in beside if holds_documents(folder)]
        if not folders:
            raise CorpusError(f"{self.database}: no documents found for this project "
                              "(name them: margin PATH)")
        return folders

    def starting_codebook(self) -> list[ThemeSpec]:
        """The themes the project's database starts with when an import, a merge or a first
        adjudication creates it rather than the reader: those of the corpus the reader would
        open (its ``codebook.json``), as they start a coder's database, so that a team's
        shared themes never turn "proposed" because the consensus began with fewer. None
        when there is no corpus beside ``annotations/`` or its codebook cannot be read (the
        reader reports that when it opens it)."""
        try:
            return read_codebook(self.document_folders(())[0])
        except (CorpusError, CodebookError, OSError):
            return []


def holds_documents(folder: Path) -> bool:
    """Whether ``folder`` has a document directly in it (what opening it would list)."""
    try:
        return any(is_document(child) and child.is_file() for child in folder.iterdir())
    except OSError:  # gone, or not a folder, or not readable
        return False


def find_project(start: Path) -> Project | None:
    """The project holding ``start`` (a folder): itself or its nearest parent with an
    ``annotations/annotations.json``, or with an ``annotations/coders/`` folder (a team whose
    coders have coded, in their own databases, before anyone wrote the consensus), or None
    outside any project."""
    start = start.absolute()
    for folder in (start, *start.parents):
        annotations = folder / DATABASE_FOLDER
        if (annotations / DATABASE_NAME).is_file() or (annotations / CODERS_FOLDER).is_dir():
            return Project(folder)
    return None
