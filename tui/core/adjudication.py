"""Adjudication: walk two coders' disagreements and settle each into the consensus database.

The queue is ``agreement.disagreements`` for the two coders: per theme and document, the runs
of text either coded (overlapping passages matched into one run) on which they differ, in
corpus order. Each is settled one of four ways (``Choice``): the consensus takes coder A's
passages, B's, both (a passage both coded identically is one annotation crediting both, as
``margin merge`` does), or neither. Settling makes the consensus's coding of that theme inside
the run exactly the chosen passages (``Workspace.settle``), so deciding again, or after a
``margin merge`` put both codings there, replaces rather than adds.

**How a decision is recorded, and why.** Each decision is a record of the consensus
database's ``decisions`` table (document, theme by name, the run's offsets, the two coders,
whose coding was accepted, a memo, who decided and when), written in the same journaled step
as the annotations it changes. It cannot be derived from the consensus's content: "neither"
leaves no annotation, and a consensus that a merge filled with both codings would look
settled everywhere. A decision belongs to a disagreement by document, theme, offsets and the
pair of coders; if a coder later recodes the passage, the run changes and the disagreement
is new (the old record stays, harmless). Undo takes a decision back like any change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from .agreement import Passage, disagreements, load
from .codebook import ThemeSpec, folded
from .corpus import Document
from .store import Decision
from .text import counted
from .workspace import Workspace

SEPARATOR = ", "  # coders credited together, as merging writes them


class Choice(Enum):
    """Whose coding of a disagreement the consensus takes."""

    A = "A"
    B = "B"
    BOTH = "both"
    NEITHER = "neither"


def _key(document: int | None, theme: str, start: int, end: int, coders: frozenset[str]) -> tuple:
    return document, folded(theme), start, end, coders


@dataclass(frozen=True)
class Item:
    """A disagreement of the queue and how it was settled (None: not yet)."""

    passage: Passage
    decision: Decision | None

    @property
    def accepted(self) -> list[str]:
        if self.decision is None:
            return []
        return [name for name in self.decision.accepted.split(SEPARATOR) if name]


class Adjudication:
    """Two coders' disagreements, the one the user is on, and the consensus they settle into.

    ``coders`` are the coders' own workspaces, read-only (the compare screen shows them);
    ``documents`` maps a document's key to the ``Document`` to show and code."""

    def __init__(self, consensus: Workspace, names: tuple[str, str], coders: tuple[Workspace, Workspace],
                 passages: list[Passage], documents: dict[str, Document], author: str) -> None:
        self.consensus = consensus
        self.names = names
        self.coders = coders
        self.documents = documents
        self.author = author
        self.passages = [passage for passage in passages if passage.document in documents]
        self.skipped = len(passages) - len(self.passages)  # in documents that cannot be read
        self.position = 0
        self._decisions: dict[tuple, Decision] = {}
        self.reload()

    # -- the queue ----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self.passages)

    @property
    def resolved(self) -> int:
        return sum(self.decision_for(passage) is not None for passage in self.passages)

    @property
    def progress(self) -> str:
        """``12 of 48 disagreements resolved``."""
        return f"{self.resolved} of {counted(self.total, 'disagreement')} resolved"

    @property
    def current(self) -> Item | None:
        if not self.passages:
            return None
        passage = self.passages[self.position]
        return Item(passage, self.decision_for(passage))

    def go(self, step: int) -> Item | None:
        """Move ``step`` disagreements on (back if negative), round the corpus."""
        if self.passages:
            self.position = (self.position + step) % len(self.passages)
        return self.current

    def in_document(self, key: str) -> list[Item]:
        """The disagreements of one document, to mark them on its text."""
        return [Item(passage, self.decision_for(passage))
                for passage in self.passages if passage.document == key]

    def _document_id(self, key: str) -> int | None:
        return self.consensus.store.document_id(Path(key))

    def decision_for(self, passage: Passage) -> Decision | None:
        return self._decisions.get(
            _key(self._document_id(passage.document), passage.theme, passage.start, passage.end,
                 frozenset(self.names)))

    def reload(self) -> None:
        """Index the consensus's decisions again (after a decision, an undo, a redo)."""
        self._decisions = {
            _key(decision.document, decision.theme, decision.start, decision.end,
                 frozenset(decision.coders.split(SEPARATOR))): decision
            for decision in self.consensus.decisions()
        }

    # -- deciding -----------------------------------------------------------------------------

    def accepting(self, choice: Choice) -> tuple[str, ...]:
        """The coders whose coding ``choice`` takes."""
        return {Choice.A: self.names[:1], Choice.B: self.names[1:], Choice.BOTH: self.names,
                Choice.NEITHER: ()}[choice]

    def decide(self, choice: Choice) -> Item | None:
        """Settle the current disagreement with ``choice``, durable at once; deciding again
        replaces the decision (keeping its memo)."""
        item = self.current
        if item is None:
            return None
        passage = item.passage
        accepted = self.accepting(choice)
        previous = item.decision
        decision = Decision(previous.id if previous else 0, 0, passage.theme, passage.start, passage.end,
                            SEPARATOR.join(self.names), SEPARATOR.join(accepted),
                            previous.note if previous else "", self.author)
        self.consensus.settle(self.documents[passage.document], self._theme_spec(passage.theme),
                              passage.start, passage.end, accepted_passages(passage, accepted), decision)
        self.reload()
        return self.current

    def write_memo(self, note: str) -> Item | None:
        """The memo of the current disagreement's decision (it must be decided)."""
        item = self.current
        if item is None or item.decision is None:
            raise ValueError("decide this disagreement first, then write its memo")
        self.consensus.annotate_decision(item.decision, note)
        self.reload()
        return self.current

    def undo(self) -> str | None:
        """Undo the last change to the consensus (a decision, a memo); its label, or None."""
        label = self.consensus.undo()
        self.reload()
        return label

    def _theme_spec(self, name: str) -> ThemeSpec:
        """The theme as the first coder that has it describes it (colour, description), for
        a consensus that lacks it."""
        for workspace in self.coders:
            theme = workspace.store.theme_named(name)
            if theme is not None:
                return ThemeSpec(theme.name, theme.description, theme.color)
        return ThemeSpec(name)


def accepted_passages(passage: Passage, coders: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """What the consensus codes inside a disagreement when it takes ``coders``' coding: each
    passage one of them coded there, as (start, end, the coders credited with exactly it)."""
    credited: dict[tuple[int, int], list[str]] = {}
    for name in coders:
        for span in passage.coverage.get(name, ()):
            credited.setdefault(span, []).append(name)
    return [(start, end, SEPARATOR.join(names)) for (start, end), names in sorted(credited.items())]


def open_consensus(database: Path) -> Workspace:
    """The consensus database, open for writing decisions into (created if there is none);
    ``StoreError`` if it cannot be, e.g. another Margin is writing it."""
    from .storage import StoreError

    try:
        return Workspace.open_database(database, for_writing=True)
    except StoreError as error:
        raise StoreError(str(error).replace("cannot import,", "cannot adjudicate into it,")) from None


def open_adjudication(consensus: Workspace, first: Path, second: Path) -> Adjudication:
    """The queue between the coders whose databases are ``first`` and ``second``, settled
    into ``consensus`` (open for writing). Raises ``StoreError`` for a database that cannot be
    read, the consensus given as a coder, or nothing to show (no readable document coded)."""
    from .agreement import coder_names
    from .storage import StoreError

    paths = [Path(os.path.abspath(path)) for path in (first, second)]
    if paths[0] == paths[1]:
        raise StoreError(f"{paths[0]}: compare two different coders' databases")
    for path in paths:
        if path == Path(os.path.abspath(consensus.database_path)):
            raise StoreError(f"{path}: this is the consensus database; compare two coders' databases")
    names = coder_names(paths)
    coding = load(paths, names)
    coders = (Workspace.open_database(paths[0]), Workspace.open_database(paths[1]))
    documents: dict[str, Document] = {}
    for workspace in (*coders, consensus):
        for document in workspace.documents:
            if not document.problem:
                documents.setdefault(document.key, document)
    if not documents:
        raise StoreError(f"{paths[0]}, {paths[1]}: no readable document coded in either; nothing to compare")
    return Adjudication(consensus, (names[0], names[1]), coders, disagreements(coding), documents,
                        consensus.author)
