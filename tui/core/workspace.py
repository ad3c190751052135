"""The one object the UI and the CLI talk to: an open corpus joined to its annotation store.

It answers the reader's questions by document and offset (which annotations cover this row?
which themes are under the cursor?) and carries out the user's coding actions, each written
to the database before it returns.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from operator import attrgetter
from pathlib import Path

from .anchoring import place
from .backups import backups_of
from .browse import AnnotationFinder, SortOrder
from .codebook import Theme, ThemeSpec, ThemeTree, folded, read_codebook
from .confine import OUTSIDE_NOT_READ, Roots, database_roots
from .corpus import Corpus, CorpusError, Document, load_document, open_corpus, read_catalog
from .extract import is_document
from .history import History, Step
from .interval_index import DocumentAnnotations
from .others import OtherCoder, open_others
from .project import DATABASE_FOLDER, DATABASE_NAME, Project
from .sharing import check_coder, coder_database, ensure_gitignore, follow_codebook
from .status import WorkspaceStatus
from .store import Annotation, Decision, Store, StoreError
from .text import counted


def default_database_path(corpus: Corpus) -> Path:
    """Beside the corpus folder, the way ``annotations/`` sits beside ``seeds/``.

    For a corpus in ``~/study/docs/`` that is ``~/study/annotations/annotations.json``.
    """
    return corpus.home.parent / DATABASE_FOLDER / DATABASE_NAME


def outside(database: Path, paths: list[Path]) -> list[str]:
    """A warning for each of a database's documents outside its project: never read (#12)."""
    roots = database_roots(database)
    return [f"{path}: {OUTSIDE_NOT_READ}" for path in paths if not roots.allows(path)]


def corpus_folders(database: Path, known: list[Path], roots: Roots) -> list[Path]:
    """The folders of a database's corpus, as ``margin`` with no PATH opens them
    (``Project.document_folders``): those of the documents it knows (``known``), else, for
    a project's ``annotations/annotations.json`` that knows none yet, the folders of
    documents beside ``annotations/``. Only folders inside ``roots``."""
    if known:
        return [folder for folder in known if folder.is_dir()]
    if database.parent.name != DATABASE_FOLDER:
        return []
    try:
        return [folder for folder in Project(database.parent.parent).document_folders([])
                if roots.allows(folder)]
    except CorpusError:
        return []


def default_author() -> str:
    """Who is coding: ``$MARGIN_AUTHOR``, else the login name."""
    try:
        return os.environ.get("MARGIN_AUTHOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class ReanchorReport:
    """What happened to a document's annotations because its text changed."""

    document: Document
    unchanged: int
    moved: int
    orphaned: int

    @property
    def message(self) -> str:
        name = self.document.path.name
        if not self.moved and not self.orphaned:
            return f"{name} changed; {counted(self.unchanged, 'annotation')} still in place"
        return (
            f"{counted(self.moved, 'annotation')} moved, {self.orphaned} orphaned in {name}"
            + (f" ({self.unchanged} unchanged)" if self.unchanged else "")
        )


class TagOutcome(Enum):
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class TagResult:
    outcome: TagOutcome
    theme: Theme
    annotation: Annotation | None  # None once its last theme was removed (it was deleted)


class Workspace:
    """A corpus and its store. The UI calls methods; nothing here knows about screens."""

    def __init__(self, corpus: Corpus, store: Store, author: str, coder: str | None = None) -> None:
        self.corpus = corpus
        self.store = store
        self.author = author
        self.coder = coder  # whose own database this is, in a team project
        self._by_document: dict[str, DocumentAnnotations] = {}
        self.reports: list[ReanchorReport] = []  # taken and shown by the UI
        self.history = History()
        self._finder = AnnotationFinder(store)
        self._ranks: tuple[int, dict[int, int]] | None = None
        self.others: list[OtherCoder] | None = None  # other coders' coding, while shown (``others.py``)

    @classmethod
    def open(cls, paths: list[Path], database: Path | None = None, author: str | None = None,
             lazy: bool = False, coder: str | None = None) -> Workspace:
        """Open documents and their database; raises ``CorpusError``/``StoreError``/``CodebookError``.
        ``lazy`` reads documents when first needed (see ``open_corpus``), but for the first
        readable one: the reader shows it at once, and nothing readable is an error here.
        With ``coder``, ``database`` is the project's and the coder's own database beside it
        is opened, following the project's codebook (``sharing.py``)."""
        corpus = open_corpus(paths, lazy=lazy)
        if lazy:
            corpus.read_first()
        database = Path(os.path.abspath(database or default_database_path(corpus)))
        project, database = database, coder_database(database, check_coder(coder)) if coder else database
        starting = read_codebook(corpus.home)
        store = Store.open(database, starting_themes=starting)
        ensure_gitignore(database)
        if coder:
            try:
                follow_codebook(store, project, starting)
            except BaseException:
                store.close()  # a broken project database: let the coder's go
                raise
        return cls(corpus, store, author or coder or default_author(), coder=coder)

    @classmethod
    def open_project(cls, project: Project, author: str | None = None, lazy: bool = False,
                     coder: str | None = None) -> Workspace:
        """``margin`` with no PATH inside a project: its database, and the folders of the
        documents it knows (see ``Project.document_folders``). The database is opened first,
        once, since it says which folders to open; raises like ``open``. A ``coder`` codes
        into their own database on the same folders (the project's is only read for them)."""
        if coder:
            known = Store.open(project.database, inspect=True) if project.database.is_file() else None
            paths = [known.file_of(document_id) for document_id in known.documents] if known else []
            workspace = cls.open(project.document_folders(paths), database=project.database, author=author,
                                 lazy=lazy, coder=coder)
        else:
            store = Store.open(project.database)
            paths = [store.file_of(document_id) for document_id in store.documents]
            try:
                workspace = cls(open_corpus(project.document_folders(paths), lazy=lazy), store,
                                author or default_author())
            except CorpusError:
                store.close()
                raise
        workspace.corpus.warnings += outside(project.database, paths)
        return workspace

    @classmethod
    def open_database(cls, database: Path, for_writing: bool = False, named: list[Path] = (),
                      whole_corpus: bool = False) -> Workspace:
        """A database with whichever of its documents still exist. By default read-only and
        without the lock: exports and statistics read it while a reader may be writing it,
        and changed documents are re-anchored in memory only. ``for_writing`` (an import)
        takes the lock, and creates the database if there is none yet (a project's starts with
        its corpus's codebook, as the reader would start it: ``Project.starting_codebook``).
        Documents are read only inside the database's project, the shipped seeds and the
        folders ``named`` (``confine.database_roots``); others are skipped as outside (#12).
        ``whole_corpus`` (an export) adds the other documents of the corpus, those never
        coded nor opened (``corpus_folders``), after the database's own; one that cannot be
        read is a warning."""
        database = Path(os.path.abspath(database))
        if not for_writing and not database.exists():  # a folder or a FIFO: Store.open says what it is
            raise StoreError(f"{database}: no such database")
        created = for_writing and not database.exists()
        in_project = database.parent.name == DATABASE_FOLDER and database.name == DATABASE_NAME
        starting = Project(database.parent.parent).starting_codebook() if created and in_project else []
        store = Store.open(database, inspect=not for_writing, starting_themes=starting)
        if for_writing and not store.writable:
            raise StoreError(f"{database}: cannot import, {store.read_only_reason}")
        if for_writing:
            ensure_gitignore(database)
        from .attributes import read_attributes

        documents, skipped, catalogs, tables, warnings = [], [], {}, {}, []
        roots = database_roots(database, named)
        for document_id in store.documents:
            path = store.file_of(document_id)
            if not roots.allows(path):
                skipped.append(f"{path}: {OUTSIDE_NOT_READ}")
                continue
            if path.parent not in catalogs:
                catalogs[path.parent] = read_catalog(path.parent)
                tables[path.parent], problem = read_attributes(path.parent)
                warnings += [problem] if problem else []
            try:
                documents.append(load_document(path, catalogs[path.parent].get(path.name)))
                documents[-1].attributes = dict(tables[path.parent].of(path.name))
            except CorpusError as error:
                skipped.append(str(error))
        if whole_corpus:
            known = {store.file_of(document_id) for document_id in store.documents}
            for folder in corpus_folders(database, list(catalogs), roots):
                if folder not in catalogs:
                    catalogs[folder] = read_catalog(folder)
                    tables[folder], problem = read_attributes(folder)
                    warnings += [problem] if problem else []
                listed = sorted(child for child in folder.iterdir() if is_document(child) and child.is_file())
                for path in listed:
                    if path in known or not roots.allows(path):
                        continue
                    try:
                        documents.append(load_document(path, catalogs[folder].get(path.name)))
                        documents[-1].attributes = dict(tables[folder].of(path.name))
                    except CorpusError as error:
                        warnings.append(f"{error} (not coded: left out)")
        return cls(Corpus(documents, folders=[database.parent], skipped=skipped, warnings=warnings), store,
                   default_author())

    @property
    def documents(self) -> list[Document]:
        return self.corpus.documents

    @property
    def unreadable(self) -> list[Document]:
        """Documents of the corpus found unreadable, each with its ``problem``: listed, never
        searched, counted or exported."""
        return self.corpus.unreadable

    @property
    def themes(self) -> list[Theme]:
        return self.store.themes

    @property
    def tree(self) -> ThemeTree:
        """How the codebook nests: each theme's path, descendants and depth."""
        return self.store.tree

    @property
    def database_path(self) -> Path:
        return self.store.path

    # -- the database's state, for the UI -----------------------------------------------------

    @property
    def writable(self) -> bool:
        return self.store.writable

    @property
    def read_only_reason(self) -> str | None:
        """Why changes cannot be made (another Margin holds the lock, the file was replaced…)."""
        return self.store.read_only_reason

    @property
    def save_error(self) -> str | None:
        """Why changes made are not saved yet (they are kept and retried), or None."""
        return self.store.save_error

    @property
    def journal_problems(self) -> list[str]:
        """Journal lines not applied when the database was opened, and why."""
        return list(self.store.journal_problems)

    @property
    def annotation_total(self) -> int:
        """Every stored annotation, orphans and those of documents not open included."""
        return len(self.store.annotations)

    def annotation_by_id(self, annotation_id: int) -> Annotation | None:
        return self.store.annotations.get(annotation_id)

    def status(self) -> WorkspaceStatus:
        """The state the database bar shows; cheap enough for the UI to ask every idle tick
        and compare with the last."""
        store = self.store
        backups = backups_of(store.path)
        try:
            newest = max((path.stat().st_mtime for path in backups), default=None)
        except OSError:  # one rotated away meanwhile
            newest = None
        return WorkspaceStatus(
            database=store.path,
            exists_on_disk=store.exists_on_disk,
            read_only_reason=store.read_only_reason,
            unsaved=len(store.unsaved),
            save_error=store.save_error,
            pending_at_open=store.pending_at_open,
            journal_problems=tuple(store.journal_problems),
            documents=len(self.documents),
            themes=len(store.themes),
            annotations=len(store.annotations),
            orphans=len(store.orphans()),
            author=self.author,
            coder=self.coder,
            others=None if self.others is None else len(self.others),
            backups=len(backups),
            newest_backup=newest,
        )

    def theme(self, theme_id: int) -> Theme | None:
        return self.store.theme(theme_id)

    def theme_for_key(self, key: int) -> Theme | None:
        return self.store.theme_for_key(key)

    def create_theme(self, name: str) -> Theme:
        with self.undoable(f"create theme {name}"):
            return self.store.create_theme(name)

    def tag_passages(self, passages: list[tuple[Document, int, int]], theme: Theme) -> tuple[int, int]:
        """Give every passage ``theme`` (never removing it), as one undo step; returns
        (passages tagged, passages that had it already). Keyword auto-coding uses this."""
        tagged = already = 0
        with self.undoable(f"tag {counted(len(passages), 'passage')} with {theme.name}"):
            for document, start, end in passages:
                existing = self.annotations(document).exactly(start, end)
                if existing is not None and theme.id in existing.themes:
                    already += 1
                    continue
                changed, _ = self._toggle(document, start, end, theme, existing)
                self._reindex(document, existing, changed)
                tagged += 1
        return tagged, already

    def import_passage(self, document: Document, start: int, end: int, themes: list[Theme], note: str,
                       author: str, created: str | None, modified: str | None,
                       guid: str | None = None) -> bool:
        """Add an imported annotation with ``themes`` (``Store.import_themes`` found or made
        them). Returns True when the passage was coded already and only gained themes, and
        the memo if it is new to it (NVivo writes a selection per coding: one passage may
        come with several memos, and none is lost). A passage another coder coded stays
        theirs: the import's is another annotation, as ``margin merge`` keeps them."""
        existing = self.annotations(document).exactly(start, end, author or None)
        if existing is not None:
            changes: dict = {}
            added = tuple(dict.fromkeys([*existing.themes, *(t.id for t in themes)]))
            if added != existing.themes:
                changes["themes"] = added
            if note.strip() and note not in existing.note:
                changes["note"] = f"{existing.note}\n\n{note}" if existing.note else note
            if changes:
                updated = self.store.update_annotation(existing, **changes)
                self._reindex(document, existing, updated)
            return True
        annotation = self.store.add_annotation(self._register(document), document.text, start, end, [t.id for t in themes],
                                               author or self.author, note, created, modified, guid)
        self._reindex(document, None, annotation)
        return False

    # -- the codebook -----------------------------------------------------------------------

    def theme_counts(self) -> dict[int, tuple[int, int]]:
        """Per theme id: how many annotations carry it, in how many documents."""
        annotations: dict[int, int] = {}
        documents: dict[int, set[int]] = {}
        for annotation in self.store.annotations.values():
            for theme_id in annotation.themes:
                annotations[theme_id] = annotations.get(theme_id, 0) + 1
                documents.setdefault(theme_id, set()).add(annotation.document)
        return {theme.id: (annotations.get(theme.id, 0), len(documents.get(theme.id, ()))) for theme in self.themes}

    def rolled_up_counts(self) -> dict[int, tuple[int, int]]:
        """Per theme id: how many annotations carry it or a theme nested under it (each
        annotation once), in how many documents."""
        return self.tree.rolled_up((a.document, a.themes) for a in self.store.annotations.values())

    def sole_theme_of(self, theme: Theme) -> int:
        """How many annotations have ``theme`` as their only theme: deleting the theme deletes them."""
        only = (theme.id,)
        return sum(1 for annotation in self.store.annotations.values() if annotation.themes == only)

    def update_theme(self, theme: Theme, **changes) -> Theme:
        with self.undoable(f"edit theme {theme.name}"):
            return self.store.update_theme(theme, **changes)

    def move_theme(self, theme: Theme, delta: int) -> None:
        with self.undoable(f"move theme {theme.name}"):
            self.store.move_theme(theme, delta)

    def set_parent(self, theme: Theme, parent: Theme | None, after: Theme | None = None) -> None:
        """Put ``theme`` under ``parent`` (None: the top), last there or right after ``after``."""
        with self.undoable(f"move theme {theme.name}"):
            self.store.set_parent(theme, parent, after)

    def indent_theme(self, theme: Theme) -> Theme:
        """Put ``theme`` under the theme above it in its level; returns the new parent."""
        with self.undoable(f"indent theme {theme.name}"):
            return self.store.indent_theme(theme)

    def outdent_theme(self, theme: Theme) -> Theme | None:
        """Move ``theme`` up a level, after its parent; returns the new parent (None: the top)."""
        with self.undoable(f"outdent theme {theme.name}"):
            return self.store.outdent_theme(theme)

    def merge_theme(self, source: Theme, target: Theme) -> int:
        with self.undoable(f"merge {source.name} into {target.name}"):
            changed = self.store.merge_theme(source, target)
        self._by_document.clear()
        return changed

    def delete_theme(self, theme: Theme) -> tuple[int, int]:
        with self.undoable(f"delete theme {theme.name}"):
            result = self.store.delete_theme(theme)
        self._by_document.clear()
        return result

    @contextmanager
    def undoable(self, label: str) -> Iterator[None]:
        """Make the store changes inside one undo step (and one journal fsync); an import
        wraps all its passages in one. If the block raises, the store takes the changes back
        (``Store.recording``) and the indexes built on them are dropped."""
        try:
            with self.store.recording() as changes:
                yield
        except BaseException:
            self._by_document.clear()
            raise
        if changes:
            self.history.record(Step(label, changes))

    def undo(self) -> str | None:
        """Undo the last action; return its label, or None if there is nothing to undo."""
        return self._travel(self.history.undo(lambda step: self.store.restore(step.changes, undo=True)))

    def redo(self) -> str | None:
        """Redo the last undone action; return its label, or None."""
        return self._travel(self.history.redo(lambda step: self.store.restore(step.changes, undo=False)))

    def _travel(self, step: Step | None) -> str | None:
        """After undo or redo (``Store.restore`` raises ``StoreError`` before changing anything)."""
        if step is None:
            return None
        self._by_document.clear()  # any document's passages may have changed
        return step.label

    def annotations(self, document: Document) -> DocumentAnnotations:
        """The document's annotations, indexed; rebuilt only after a change to them."""
        cached = self._by_document.get(document.key)
        if cached is None:
            if not document.text and document.problem:
                return DocumentAnnotations([])  # read lazily and found unreadable: nothing to show
            document_id = self.store.document_id(document.path)
            if document_id is not None:
                self._reanchor_if_changed(document, document_id)
            items = [a for a in self.store.annotations_of(document_id) if not a.orphaned]
            cached = self._by_document[document.key] = DocumentAnnotations(items)
        return cached

    def annotation_count(self, document: Document) -> int:
        """How many passages a document has, without reading its file if it is not read yet
        (the document list shows counts for documents the reader has not opened)."""
        if document.loaded:
            return len(self.annotations(document))
        document_id = self.store.document_id(document.path)
        return sum(not annotation.orphaned for annotation in self.store.annotations_of(document_id))

    def reanchor_changed_documents(self) -> None:
        """Re-anchor now every open document whose text changed since it was coded (what an
        export or a statistic needs first), without building each document's index."""
        for document in self.documents:
            document_id = self.store.document_id(document.path)
            if document_id is not None and document.key not in self._by_document:  # else done already
                self._reanchor_if_changed(document, document_id)

    def _reanchor_if_changed(self, document: Document, document_id: int) -> None:
        """Place the annotations again if the text differs from the one they were made on.

        Runs when a document's annotations are first needed, so an unchanged corpus costs a
        hash per document and a changed one is fixed before anything is drawn.
        """
        text = document.text  # read first: a file found unreadable has empty text and a problem
        if document.problem or self.store.documents[document_id].sha256 == document.sha256:
            return  # unchanged, or unreadable (its passages must not be orphaned against nothing)
        annotations = self.store.annotations_of(document_id)
        placements = {a.id: place(text, a.quote, a.prefix, a.suffix, a.start) for a in annotations}
        self.store.reanchor(document_id, text, document.sha256, placements)
        if annotations:
            self.reports.append(
                ReanchorReport(
                    document,
                    unchanged=sum(1 for p in placements.values() if p and p.how == "unchanged"),
                    moved=sum(1 for p in placements.values() if p and p.how != "unchanged"),
                    orphaned=sum(1 for p in placements.values() if p is None),
                )
            )

    def find_annotations(self, query: str = "", order: SortOrder = SortOrder.DOCUMENT) -> list[Annotation]:
        """Every annotation matching ``query`` (see ``browse.py``), in ``order``."""
        return self._finder.find(query, order, self._document_ranks())

    def annotations_in_order(self) -> list[Annotation]:
        """Every stored annotation (orphans too) in corpus order, then those of documents not
        in the corpus; sorted document by document, without the browser's search index."""
        by_offsets = attrgetter("start", "end", "id")
        ranks = self._document_ranks()
        ordered: list[Annotation] = []
        others = {annotation.document for annotation in self.store.annotations.values()} - ranks.keys()
        for document_id in [*ranks, *sorted(others)]:
            ordered += sorted(self.store.annotations_of(document_id), key=by_offsets)
        return ordered

    def _document_ranks(self) -> dict[int, int]:
        """Stored document id → position in the corpus; recomputed when a document is added."""
        if self._ranks is None or self._ranks[0] != len(self.store.documents):
            ranks = {}
            for rank, document in enumerate(self.documents):
                document_id = self.store.document_id(document.path)
                if document_id is not None:
                    ranks[document_id] = rank
            self._ranks = (len(self.store.documents), ranks)
        return self._ranks[1]

    def document_of(self, annotation: Annotation) -> Document | None:
        """The open document an annotation belongs to (None if it is not in this corpus)."""
        if annotation.document not in self.store.documents:
            return None
        return self.corpus.by_key(str(self.store.file_of(annotation.document)))

    def take_reports(self) -> list[ReanchorReport]:
        """Re-anchoring news since the last call, for the UI to tell the user once."""
        reports, self.reports = self.reports, []
        return reports

    def orphans(self) -> list[Annotation]:
        """Annotations whose passage was not found after their document changed."""
        return self.store.orphans()

    def document_title(self, document_id: int) -> str:
        """The title of a stored document, which may no longer be in the corpus."""
        stored = self.store.documents.get(document_id)
        return (stored.title or stored.path) if stored else f"document {document_id}"

    def reattach(self, annotation: Annotation, document: Document, start: int, end: int) -> Annotation:
        """Anchor ``annotation`` (an orphan, usually) to ``[start, end)`` of ``document``."""
        if not 0 <= start < end <= len(document.text):
            raise ValueError(f"empty or out-of-range passage {start}..{end}")
        with self.undoable("re-attach orphan"):
            updated = self.store.reattach(annotation, self._register(document), document.text, start, end)
        self._by_document.clear()  # it may have left another document's index
        return updated

    def dismiss(self, annotation: Annotation) -> None:
        """Delete an orphan the user has given up on."""
        with self.undoable("dismiss orphan"):
            self.store.delete_annotation(annotation)

    def _register(self, document: Document) -> int:
        """The document's id in the store, recording it on its first annotation."""
        return self.store.register_document(document.path, document.sha256, document.title, document.encoding)

    def _reindex(self, document: Document, old: Annotation | None, new: Annotation | None) -> None:
        """Keep the document's index in step with one change, without rebuilding it."""
        index = self.annotations(document)
        if old is not None:
            index.discard(old)
        if new is not None:
            index.add(new)

    def themes_at(self, document: Document, offset: int) -> list[Theme]:
        """Themes of every annotation covering ``offset``, innermost first, without repeats."""
        seen: dict[int, Theme] = {}
        for annotation in self.annotations(document).at(offset):
            for theme_id in annotation.themes:
                theme = self.theme(theme_id)
                if theme is not None:
                    seen.setdefault(theme.id, theme)
        return list(seen.values())

    def toggle_theme(self, document: Document, start: int, end: int, theme: Theme) -> TagResult:
        """Tag ``[start, end)`` with ``theme``, or untag it if that exact passage has it."""
        if not 0 <= start < end <= len(document.text):
            raise ValueError(f"empty or out-of-range passage {start}..{end}")
        existing = self.annotations(document).exactly(start, end)
        untag = existing is not None and theme.id in existing.themes
        with self.undoable(f"{'untag' if untag else 'tag'} {theme.name}"):
            changed, outcome = self._toggle(document, start, end, theme, existing)
        self._reindex(document, existing, changed)
        return TagResult(outcome, theme, changed)

    def _toggle(
        self, document: Document, start: int, end: int, theme: Theme, existing: Annotation | None
    ) -> tuple[Annotation | None, TagOutcome]:
        if existing is None:
            changed = self.store.add_annotation(self._register(document), document.text, start, end, [theme.id], self.author)
            outcome = TagOutcome.ADDED
        elif theme.id not in existing.themes:
            changed = self.store.update_annotation(existing, themes=existing.themes + (theme.id,))
            outcome = TagOutcome.ADDED
        else:
            remaining = tuple(t for t in existing.themes if t != theme.id)
            changed = self.store.update_annotation(existing, themes=remaining) if remaining else None
            if changed is None:
                self.store.delete_annotation(existing)
            outcome = TagOutcome.REMOVED
        return changed, outcome

    def checkpoint_if_idle(self, idle_seconds: float = 1.0) -> None:
        """Fold journaled changes into the TinyDB file once nothing changed for a moment."""
        store = self.store
        if store.dirty and time.monotonic() - store.last_change >= idle_seconds:
            store.checkpoint()

    def close(self) -> None:
        """Checkpoint and release the database (raises ``StoreError`` naming unsaved changes)."""
        self.hide_others()
        self.store.close()

    # -- other coders' coding, read-only ---------------------------------------------------

    def show_others(self) -> list[str]:
        """Open the other coders' databases of this project read-only (``others.py``), read
        afresh each time; returns a one-line problem per database left out."""
        self.hide_others()
        self.others, problems = open_others(self.database_path, self.corpus)
        return problems

    def hide_others(self) -> None:
        """Back to blind coding: only this database's coding is shown."""
        for other in self.others or ():
            other.close()
        self.others = None

    def remove(self, document: Document, annotation: Annotation) -> None:
        with self.undoable("remove annotation"):
            self.store.delete_annotation(annotation)
        self._reindex(document, annotation, None)

    def settle(self, document: Document, theme: ThemeSpec, start: int, end: int,
               passages: list[tuple[int, int, str]], decision: Decision) -> Decision:
        """Make ``passages`` (start, end, author) the whole coding of ``theme`` inside
        ``[start, end)`` of ``document`` and store ``decision`` (its document id filled in),
        as one undo step: an adjudication (``adjudication.py``). The theme is found by name,
        or created as ``theme`` describes it; annotations inside the run lose the theme (and
        go if it was their last), then each passage gets it, on the annotation of exactly
        that passage if there is one (crediting its author too) or on a new one."""
        with self.undoable(f"adjudicate {theme.name}"):
            document_id = self._register(document)
            found = self.store.theme_named(theme.name)
            if found is None:
                found = self.store.import_themes([replace(theme, parent=None, path=None)])[folded(theme.name)]
            for annotation in self.store.annotations_of(document_id):
                if start <= annotation.start and annotation.end <= end and found.id in annotation.themes \
                        and not annotation.orphaned:
                    remaining = tuple(t for t in annotation.themes if t != found.id)
                    if remaining:
                        self.store.update_annotation(annotation, themes=remaining)
                    else:
                        self.store.delete_annotation(annotation)
            for passage_start, passage_end, author in passages:
                existing = next((a for a in self.store.annotations_of(document_id) if not a.orphaned
                                 and (a.start, a.end) == (passage_start, passage_end)), None)
                if existing is None:
                    self.store.add_annotation(document_id, document.text, passage_start, passage_end,
                                              [found.id], author)
                    continue
                credited = [name.strip() for name in existing.author.split(",") if name.strip()]
                new = [name.strip() for name in author.split(",") if name.strip() not in credited]
                themes = tuple(dict.fromkeys([*existing.themes, found.id]))
                self.store.update_annotation(existing, themes=themes, author=", ".join([*credited, *new]))
            stored = self.store.record_decision(replace(decision, document=document_id))
        self._by_document.pop(document.key, None)
        return stored

    def annotate_decision(self, decision: Decision, note: str) -> Decision:
        """Write the memo of an adjudication (an empty one removes it)."""
        with self.undoable("edit decision memo"):
            return self.store.record_decision(replace(decision, note=note))

    def decisions(self) -> list[Decision]:
        """Every adjudication recorded in this (consensus) database."""
        return list(self.store.decisions.values())

    def set_note(self, document: Document, annotation: Annotation, note: str) -> Annotation:
        """Write the annotation's memo (an empty one removes it)."""
        with self.undoable("edit memo"):
            updated = self.store.update_annotation(annotation, note=note)
        self._reindex(document, annotation, updated)
        return updated


def quotation(document: Document, start: int, end: int) -> str:
    """A passage with a citation line, as ``y`` copies it."""
    first = document.index.line_of(start) + 1
    last = document.index.line_of(max(start, end - 1)) + 1
    lines = f"line {first}" if first == last else f"lines {first}–{last}"
    return f"{document.text[start:end]}\n— {document.citation}, {lines}{spoken(document, start)} (characters {start}–{end})"


def spoken(document: Document, offset: int) -> str:
    """In a transcript, who speaks at ``offset`` and when: ``, Ana at 00:01:02.500``."""
    if not document.turns:
        return ""
    from .transcripts import turn_at

    turn = turn_at(document.turns, offset)
    if turn is None:
        return ""
    who = f" {turn.speaker}" if turn.speaker else ""
    return f",{who} at {turn.timestamp}" if turn.time is not None else (f",{who}" if who else "")
