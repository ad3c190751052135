"""``margin db check``: reporting on a database without the reader, and without writing.

Checking never writes anything: it opens the database for inspection, without the lock, and
only probes the lock (``lock.lock_holder``). Restoring lives with the backups (``backups.py``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .backups import backups_of
from .confine import OUTSIDE_NOT_READ, database_roots
from .extract import extract_text
from .lock import lock_holder
from .migrations import SCHEMA_VERSION
from .records import shown
from .storage import StoreError
from .store import Store
from .text import UndecodableText, counted


@dataclass
class BackupInfo:
    path: Path
    saved: datetime
    summary: str  # "12 annotations" or why it would not open


@dataclass
class DatabaseReport:
    """What ``margin db check`` prints: facts first, then anything wrong."""

    path: Path
    facts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    backups: list[BackupInfo] = field(default_factory=list)
    usable: bool = True

    def lines(self) -> list[str]:
        lines = [f"{self.path}", *(f"  {fact}" for fact in self.facts)]
        if self.backups:
            lines.append("  backups:")
            lines += [
                f"    {b.path.name}  saved {b.saved:%Y-%m-%d %H:%M}  {b.summary}" for b in self.backups
            ]
        else:
            lines.append("  backups: none yet (one is kept each time a session first changes it)")
        if self.problems:
            lines.append(f"  {counted(len(self.problems), 'problem')}:")
            lines += [f"    - {problem}" for problem in self.problems]
        else:
            lines.append("  no problems found")
        return lines


def summarise(path: Path) -> str:
    try:
        store = Store.open(path, inspect=True)
    except StoreError as error:
        return f"unusable: {str(error).split(': ', 1)[-1]}"
    return f"{counted(len(store.annotations), 'annotation')}, {counted(len(store.themes), 'theme')}"


def check_database(database: Path) -> DatabaseReport:
    report = DatabaseReport(database)
    report.backups = [
        BackupInfo(path, datetime.fromtimestamp(path.stat().st_mtime), summarise(path))
        for path in backups_of(database)
    ]
    if not database.exists():
        report.usable = False
        report.problems.append("no database at this path")
        return report
    try:
        store = Store.open(database, inspect=True)
    except StoreError as error:
        report.usable = False
        report.problems.append(str(error).removeprefix(f"{database}: "))
        return report
    version = store.schema_at_open
    report.facts.append(
        f"Margin database, schema {version}"
        + ("" if version == SCHEMA_VERSION else f" (will be upgraded to {SCHEMA_VERSION} when opened)")
    )
    report.facts.append(
        f"{counted(len(store.themes), 'theme')}, {counted(len(store.documents), 'document')}, "
        f"{counted(len(store.annotations), 'annotation')}"
    )
    if store.pending_at_open:
        report.facts.append(
            f"{counted(store.pending_at_open, 'journaled change')} not yet in the file "
            "(safe: they are folded in when Margin next opens it)"
        )
    if store.journal_torn:
        report.facts.append("the journal's last line was cut short by a crash (it was never acknowledged; dropped)")
    report.problems += store.journal_problems
    holder = lock_holder(database)
    report.facts.append(f"lock: {holder}" if holder else "lock: free")
    report.facts += document_facts(store)
    report.problems += outside_problems(store)
    report.problems += integrity_problems(store)
    return report


def document_facts(store: Store) -> list[str]:
    """Documents that moved or changed since they were coded (their annotations are kept)."""
    counts = Counter(annotation.document for annotation in store.annotations.values())
    facts = []
    roots = database_roots(store.path)
    for document in store.documents.values():
        path = store.file_of(document.id)
        if not roots.allows(path):
            continue  # never read: a problem (outside_problems)
        try:
            text, _ = extract_text(path, path.read_bytes())
        except OSError:
            facts.append(f"document {document.path}: not found ({counted(counts[document.id], 'annotation')} kept)")
            continue
        except UndecodableText as error:
            facts.append(f"document {document.path}: unreadable ({error})")
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != document.sha256:
            facts.append(
                f"document {document.path}: changed since it was coded "
                f"({counted(counts[document.id], 'annotation')} re-anchored when it is opened)"
            )
    return facts


def outside_problems(store: Store) -> list[str]:
    """Documents recorded outside the database's project (a hand-edited database, one merged
    before merge refused them): Margin never reads them (#12)."""
    counts = Counter(annotation.document for annotation in store.annotations.values())
    roots = database_roots(store.path)
    return [f"document {document.path}: {OUTSIDE_NOT_READ} ({counted(counts[document.id], 'annotation')} kept)"
            for document in store.documents.values() if not roots.allows(store.file_of(document.id))]


def integrity_problems(store: Store) -> list[str]:
    """References and offsets that do not hold together."""
    theme_ids = {theme.id for theme in store.themes}
    problems = []
    for annotation in store.annotations.values():
        where = f"annotation {annotation.id}"
        if annotation.document not in store.documents:
            problems.append(f"{where}: refers to document {annotation.document}, which is not in the database")
        missing = [t for t in annotation.themes if t not in theme_ids]
        if missing:
            problems.append(f"{where}: refers to theme(s) {missing}, which are not in the database")
        if not 0 <= annotation.start < annotation.end or len(annotation.quote) != annotation.end - annotation.start:
            problems.append(
                f"{where}: offsets {annotation.start}..{annotation.end} do not fit its "
                f"{len(annotation.quote)}-character quote"
            )
    for theme in store.themes:
        if theme.parent is not None and theme.parent not in theme_ids:
            problems.append(f"theme {theme.name!r}: its parent theme {theme.parent} is not in the database")
        control = _CONTROL.search(theme.name)
        if control:
            problems.append(
                f"theme {theme.id} {shown(theme.name)}: its name holds a control character "
                f"(U+{ord(control.group()):04X}); rename it"
            )
    return problems + parent_cycles(store)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def parent_cycles(store: Store) -> list[str]:
    """Themes whose parents lead back to themselves (only a damaged or hand-edited file has
    them; Margin opens it, and every walk up the parents stops where the cycle closes)."""
    by_id = {theme.id: theme for theme in store.themes}
    problems, reported = [], set()
    for theme in store.themes:
        path, current = [theme.id], theme
        while current.parent in by_id and current.parent not in path:
            current = by_id[current.parent]
            path.append(current.id)
        if current.parent != theme.id or frozenset(path) in reported:
            continue  # no parent, a missing one, or a cycle further up that does not pass here
        reported.add(frozenset(path))
        if len(path) == 1:
            problems.append(f"theme {theme.name!r}: its parent is itself")
        else:
            names = " › ".join(repr(by_id[i].name) for i in [*path, theme.id])
            problems.append(f"themes {names}: their parents form a cycle")
    return problems
