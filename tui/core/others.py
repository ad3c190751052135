"""Other coders' coding, shown beside one's own, read-only (``margin --show-others``).

Blind coding is the default: a workspace holds one database, so a coder sees only their own
coding. Asked to, the reader also paints every *other* coder database of the project
(``annotations/coders/*.json`` but the one open), muted and never editable. The project's
own database (the consensus) is not among them: it is what adjudication produces from the
coders' databases, not one coder's view, and showing it beside theirs would show a coder the
decided answer rather than a colleague's coding.

Each is opened as ``margin db check`` opens a database: read-only, without taking the lock
(its coder may be coding it right now), never migrated or written; a document that changed
since it was coded has its passages placed again in memory only. One that cannot be opened
(damaged, unreadable) is left out alone, with its one-line reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .interval_index import DocumentAnnotations
from .sharing import coder_databases, coder_of, project_of
from .store import Annotation, Store, StoreError

if TYPE_CHECKING:
    from .corpus import Corpus, Document
    from .workspace import Workspace


class OtherCoder:
    """One other coder's database on the same documents, read-only."""

    def __init__(self, name: str, workspace: Workspace) -> None:
        self.name = name
        self._workspace = workspace

    def annotations(self, document: Document) -> DocumentAnnotations:
        """Their passages in ``document`` (matched by file, as their database names it)."""
        return self._workspace.annotations(document)

    def colour_of(self, annotation: Annotation) -> str | None:
        """The colour of the passage's first theme in *their* codebook (which follows the
        project's, so the colours are the project's unless they changed one)."""
        for theme_id in annotation.themes:
            theme = self._workspace.theme(theme_id)
            if theme is not None:
                return theme.color
        return None

    def close(self) -> None:
        """Let the database go (nothing to save: it was only read)."""
        self._workspace.close()


def other_databases(database: Path) -> list[Path]:
    """Every coder database of ``database``'s project but ``database`` itself: for a coder's
    own (``coders/NAME.json``) the other coders', for the project's all of them."""
    project = project_of(database) if coder_of(database) else database
    return [path for path in coder_databases(project) if path != database]


def open_others(database: Path, corpus: Corpus) -> tuple[list[OtherCoder], list[str]]:
    """The other coders of ``database``'s project on ``corpus``, and a one-line problem for
    each database that could not be opened (the others open regardless)."""
    from .workspace import Workspace

    coders: list[OtherCoder] = []
    problems: list[str] = []
    for path in other_databases(database):
        try:
            store = Store.open(path, inspect=True)
        except StoreError as error:
            problems.append(f"coder {path.stem} not shown: {error}")
            continue
        coders.append(OtherCoder(path.stem, Workspace(corpus, store, path.stem, coder=path.stem)))
    return coders, problems
