"""Undo and redo: every change made since Margin started, as the steps the user took.

A step is what one action changed (``Store.recording`` lists the records); the history
only keeps the order. Putting a step back is the caller's ``apply``: the stacks move only
once it has succeeded, so a change the database refuses can be tried again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .store import Change


@dataclass(frozen=True)
class Step:
    """One user action as undo sees it: what it was called and the records it changed."""

    label: str
    changes: list[Change]


class History:
    """Undo and redo stacks: ``done`` ends with the step undo takes back, ``undone`` with
    the step redo makes again."""

    def __init__(self) -> None:
        self.undone: list[Step] = []
        self.done: list[Step] = []

    def record(self, step: Step) -> None:
        self.done.append(step)
        self.undone.clear()  # a new action forks history: what was undone cannot come back

    def undo(self, apply: Callable[[Step], object]) -> Step | None:
        """Take back the last step with ``apply``; None if there is nothing to undo. If
        ``apply`` raises, nothing moves."""
        return self._travel(self.done, self.undone, apply)

    def redo(self, apply: Callable[[Step], object]) -> Step | None:
        """Make the last undone step again with ``apply``; None if there is nothing to redo."""
        return self._travel(self.undone, self.done, apply)

    @staticmethod
    def _travel(source: list[Step], target: list[Step], apply: Callable[[Step], object]) -> Step | None:
        if not source:
            return None
        step = source[-1]
        apply(step)  # may raise: the step stays where it was
        target.append(source.pop())
        return step
