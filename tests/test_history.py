"""Undo and redo stacks, without a store: the order of steps, the ends of each stack, and
a step whose change is refused staying where it was."""

from __future__ import annotations

import pytest

from tui.core.history import History, Step


def step(label: str) -> Step:
    return Step(label, [])


def test_undo_and_redo_walk_the_steps_in_order() -> None:
    history, applied = History(), []
    for label in "abc":
        history.record(step(label))
    assert [history.undo(applied.append).label for _ in range(3)] == ["c", "b", "a"]
    assert [history.redo(applied.append).label for _ in range(3)] == ["a", "b", "c"]
    assert [s.label for s in applied] == ["c", "b", "a", "a", "b", "c"]
    assert [s.label for s in history.done] == ["a", "b", "c"] and history.undone == []


def test_nothing_to_undo_or_redo_applies_nothing() -> None:
    history, applied = History(), []
    assert history.undo(applied.append) is None and history.redo(applied.append) is None
    history.record(step("a"))
    assert history.redo(applied.append) is None  # nothing undone yet
    assert history.undo(applied.append).label == "a"
    assert history.undo(applied.append) is None  # past the first step
    assert history.redo(applied.append).label == "a"
    assert history.redo(applied.append) is None  # past the last
    assert [s.label for s in applied] == ["a", "a"]


def test_a_new_step_forgets_what_was_undone() -> None:
    history = History()
    history.record(step("a"))
    history.record(step("b"))
    history.undo(lambda s: None)
    history.record(step("c"))
    assert history.redo(lambda s: None) is None
    assert [s.label for s in history.done] == ["a", "c"]


def test_a_refused_step_stays_to_be_tried_again() -> None:
    history = History()
    history.record(step("a"))

    def refuse(_: Step) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError):
        history.undo(refuse)
    assert [s.label for s in history.done] == ["a"] and history.undone == []
    assert history.undo(lambda s: None).label == "a"
    with pytest.raises(OSError):
        history.redo(refuse)
    assert [s.label for s in history.undone] == ["a"] and history.done == []


def test_every_step_is_kept() -> None:
    """No cap: undo goes back to the first change since Margin started."""
    history = History()
    for number in range(2000):
        history.record(step(str(number)))
    labels = []
    while (undone := history.undo(lambda s: None)) is not None:
        labels.append(undone.label)
    assert len(labels) == 2000 and labels[-1] == "0"
