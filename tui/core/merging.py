"""``margin merge``: fold coders' databases into one (the project's consensus, usually).

Nothing is dropped and nothing is counted twice:

- Each annotation keeps its coder in ``author``: the annotation's author, or, if it has none,
  the coder a ``coders/NAME.json`` database belongs to (else the file's name).
- An *identical* annotation (same document, same ``start`` and ``end``, same set of themes by
  name) made by several coders becomes one annotation crediting all of them:
  ``author: "ana, ben"``, coders in the order they were merged, so every export (CSV, JSON
  lines, REFI-QDA users) still says who coded it. Their memos are kept, each one once
  (``ben: …`` appended to a memo that lacks it).
- A passage coded with different themes by two coders stays two annotations.
- Themes are matched by name; one the target lacks is created with its colour, description
  and group.
- Documents are recorded in the target by their path relative to the target's folder, so the
  target may live anywhere. A passage whose document file is missing, or an orphan, keeps its
  stored offsets, quote and context (an orphan stays an orphan).
- A coder's database is a teammate's file: a document it records outside the target's project
  (``confine.database_roots``: a path like ``/home/me/.ssh/id_rsa`` or ``../../../etc/passwd``,
  or a symlink leading there) is never registered nor read, and its annotations are not
  merged; the report lists them (``margin merge`` exits 1), as an import lists what it refuses.

Merging again finds every annotation already there (or credited), so it adds nothing. The
whole merge is one journal batch and one undo step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .codebook import Theme, ThemeSpec, folded
from .confine import database_roots
from .corpus import Document
from .sharing import coder_of, ensure_gitignore
from .store import Annotation, StoreError
from .text import counted
from .workspace import Workspace

SEPARATOR = ", "
Identity = tuple[int, int, int, frozenset[str]]  # target document id, start, end, theme names


def coders_of(author: str) -> list[str]:
    """The coders an ``author`` field credits (``"ana, ben"`` → ``["ana", "ben"]``)."""
    return [name.strip() for name in author.split(",") if name.strip()]


@dataclass
class MergeReport:
    annotations: int = 0
    databases: int = 0
    new: int = 0
    credited: int = 0  # already there, now credited to more coders
    already: int = 0  # already there with these coders: nothing to do
    themes_created: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outside: dict[str, int] = field(default_factory=dict)  # refused document path → its annotations

    def refused(self) -> None:
        """Add one warning listing the documents outside the project, if any."""
        if self.outside:
            self.warnings.append(
                f"{counted(sum(self.outside.values()), 'annotation')} of documents outside the project not merged: "
                + ", ".join(self.outside))

    @property
    def message(self) -> str:
        return (
            f"merged {counted(self.annotations, 'annotation')} from {counted(self.databases, 'database')}: "
            f"{self.new} new, {self.credited} credited to more coders, {self.already} already there, "
            f"{counted(len(self.themes_created), 'theme')} created"
        )


def default_coder(database: Path) -> str:
    return coder_of(database) or database.stem


def synthetic_text(annotation: Annotation) -> str:
    """A stand-in text on which the stored passage sits at its stored offsets with its stored
    quote and context, for a document whose file is missing (or an orphan)."""
    padding = " " * max(0, annotation.start - len(annotation.prefix))
    return padding + annotation.prefix + annotation.quote + annotation.suffix


class Merger:
    """Merges into an open, writable target workspace, keeping an index of what it holds."""

    def __init__(self, target: Workspace) -> None:
        self.target = target
        self.roots = database_roots(target.database_path)
        self.index: dict[Identity, int] = {}
        names = {theme.id: folded(theme.name) for theme in target.themes}
        for annotation in target.store.annotations.values():
            self.index[self._key(annotation.document, annotation, names)] = annotation.id

    @staticmethod
    def _key(document_id: int, annotation: Annotation, names: dict[int, str]) -> Identity:
        """What makes two annotations identical: document, offsets, themes by name."""
        found = frozenset(names[theme_id] for theme_id in annotation.themes if theme_id in names)
        return document_id, annotation.start, annotation.end, found

    def merge(self, source: Workspace, coder: str, report: MergeReport) -> None:
        store, target = source.store, self.target.store
        source.reanchor_changed_documents()
        texts: dict[str, Document] = {d.key: d for d in source.documents if not d.problem}
        names = {theme.id: folded(theme.name) for theme in store.themes}
        themes: dict[int, int | None] = {}  # source theme id → target theme id, on first use
        documents: dict[int, tuple[int, str] | None] = {}  # source document id → target id, its text
        for annotation in source.annotations_in_order():
            if annotation.document not in store.documents:
                report.warnings.append(
                    f"{store.path}: annotation {annotation.id} has no document record; skipped")
                continue
            report.annotations += 1
            if annotation.document not in documents:
                stored, path = store.documents[annotation.document], store.file_of(annotation.document)
                document = texts.get(str(path))
                documents[annotation.document] = None if not self.roots.allows(path) else (
                    target.register_document(path, stored.sha256, stored.title, stored.encoding),
                    document.text if document is not None else "")
            if documents[annotation.document] is None:
                where = str(store.file_of(annotation.document))
                report.outside[where] = report.outside.get(where, 0) + 1
                continue
            document_id, text = documents[annotation.document]
            coders = coders_of(annotation.author) or [coder]
            key = self._key(document_id, annotation, names)
            existing_id = self.index.get(key)
            if existing_id is not None:
                self._credit(target.annotations[existing_id], coders, annotation.note, report)
                continue
            for theme_id in annotation.themes:
                if theme_id not in themes:
                    theme = self._theme(store, theme_id, report)
                    themes[theme_id] = theme.id if theme is not None else None
            if annotation.orphaned or text[annotation.start:annotation.end] != annotation.quote:
                text = synthetic_text(annotation)
            added = target.add_annotation(document_id, text, annotation.start, annotation.end,
                                          [themes[t] for t in annotation.themes if themes[t] is not None],
                                          SEPARATOR.join(coders), annotation.note, annotation.created,
                                          annotation.modified)
            if annotation.orphaned:
                added = target.update_annotation(added, orphaned=True)
            self.index[key] = added.id
            report.new += 1

    def _credit(self, existing: Annotation, coders: list[str], note: str, report: MergeReport) -> None:
        credited = coders_of(existing.author)
        missing = [coder for coder in coders if coder not in credited]
        changes = {}
        if missing:
            changes["author"] = SEPARATOR.join([*credited, *missing])
        if note.strip() and note.strip() not in existing.note:
            memo = f"{SEPARATOR.join(coders)}: {note.strip()}"
            changes["note"] = f"{existing.note}\n\n{memo}" if existing.note.strip() else note
        if changes:
            self.target.store.update_annotation(existing, **changes)
        if missing:
            report.credited += 1
        else:
            report.already += 1

    def _theme(self, store, theme_id: int, report: MergeReport) -> Theme | None:
        """The target's theme of the same name, created (with its group) if it lacks one."""
        theme = store.theme(theme_id)
        if theme is None:
            return None
        parent = store.theme(theme.parent) if theme.parent is not None else None
        if self.target.store.theme_named(theme.name) is None:
            if parent is not None:
                self._theme(store, parent.id, report)
            report.themes_created.append(theme.name)
        spec = ThemeSpec(theme.name, theme.description, theme.color, parent.name if parent else None)
        return self.target.store.import_themes([spec])[folded(theme.name)]


def merge(into: Path, databases: list[Path]) -> MergeReport:
    """Merge ``databases`` into the database at ``into`` (created if needed). Raises
    ``StoreError`` if one cannot be opened or the target cannot be written."""
    into = Path(os.path.abspath(into))
    for database in databases:
        if Path(os.path.abspath(database)) == into:
            raise StoreError(f"{into}: cannot merge a database into itself")
    sources = [(Workspace.open_database(path), default_coder(Path(os.path.abspath(path))))
               for path in databases]
    try:
        target = Workspace.open_database(into, for_writing=True)
    except StoreError as error:
        raise StoreError(str(error).replace("cannot import,", "cannot merge into it,")) from None
    ensure_gitignore(into)
    try:
        target.reanchor_changed_documents()
        report = MergeReport(databases=len(sources))
        merger = Merger(target)
        with target.undoable(f"merge {counted(len(sources), 'database')}"):
            for source, coder in sources:
                merger.merge(source, coder, report)
        report.refused()
    finally:
        target.close()
    return report
