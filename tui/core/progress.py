"""Reporting how far a long job has got, for whoever watches it (the TUI's progress bar)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")

# However large the job, the watcher hears about it this many times at most.
REPORTS = 100


class Progress:
    """Counts items as a job goes through them and calls ``report(done, total)`` now and then.

    A job says how many items to expect, then iterates through ``track``; without a
    ``report`` callback it only counts, so the same code serves the CLI and the TUI.
    """

    def __init__(self, report: Callable[[int, int], None] | None = None) -> None:
        self.report = report
        self.total = 0
        self.done = 0
        self._next_report = 0

    def expect(self, total: int) -> None:
        self.total, self.done, self._next_report = total, 0, 0

    def track(self, items: Iterable[Item]) -> Iterable[Item]:
        """``items``, counted as they are consumed; unwatched, they pass through untouched."""
        return items if self.report is None else self._counted(items)

    def _counted(self, items: Iterable[Item]) -> Iterator[Item]:
        for item in items:
            yield item
            self.done += 1
            if self.report is not None and (self.done >= self._next_report or self.done == self.total):
                self.report(self.done, self.total)
                self._next_report = self.done + max(1, -(-self.total // REPORTS))  # ceiling: never more
