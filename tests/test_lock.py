"""The single-writer lock, and finding out who holds it without writing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core.lock import DatabaseBusy, lock_holder, take_lock


def test_one_writer_and_the_others_are_told_who_it_is(database: Path) -> None:
    assert lock_holder(database) is None
    assert not database.parent.exists()  # asking created nothing, not even the folder
    lock = take_lock(database)
    try:
        with pytest.raises(DatabaseBusy, match=r"another Margin is writing it \(process \d+ on "):
            take_lock(database)
        assert lock_holder(database).startswith("another Margin is writing it (process")
    finally:
        lock.release()
    assert lock_holder(database) is None
    take_lock(database).release()  # free again
