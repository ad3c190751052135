"""A database file that another program replaces while Margin runs (git checkout, a sync
client) is never overwritten: Margin keeps its own version beside it and stops writing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from databases import sound_database, write_database

from tui.cli import main
from tui.core import Workspace
from tui.core.store import Store, StoreError
from tui.ui.app import MarginApp


def replace_behind_margins_back(database: Path) -> bytes:
    """Another program writes its own file over the database, as git or a sync client does."""
    other = database.with_name("incoming.json")
    payload = write_database(other, sound_database())
    os.replace(other, database)
    return payload


def kept_versions(database: Path) -> list[Path]:
    return [path for path in database.parent.glob("annotations.json.kept-*") if path.suffix != ".journal"]


def test_a_replaced_file_is_kept_and_margins_version_saved_beside_it(database: Path, capsys) -> None:
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    store.create_theme("Journaled")
    theirs = replace_behind_margins_back(database)

    with pytest.raises(StoreError) as stopped:
        store.checkpoint()
    (kept,) = kept_versions(database)
    message = str(stopped.value)
    assert message.startswith(f"{database}: annotations.json was replaced or removed on disk by another program, "
                              "so Margin stopped writing to it; its own version, with every change, is kept as "
                              f"{kept.name} (`margin db restore {kept}` puts it back)")
    assert "\n" not in message
    assert database.read_bytes() == theirs
    assert not database.with_name("annotations.json.journal").exists()  # it belonged to the old file
    assert kept.with_name(kept.name + ".journal").exists()
    assert not store.writable and "stopped writing" in store.read_only_reason
    with pytest.raises(StoreError, match="read-only, annotations.json was replaced"):
        store.create_theme("Refused")
    with pytest.raises(StoreError, match="stopped writing"):
        store.close()  # so `margin` says it on quit too
    assert database.read_bytes() == theirs

    assert main(["db", "restore", str(kept), "--db", str(database)]) == 0
    capsys.readouterr()
    assert [t.name for t in Store.open(database, inspect=True).themes] == ["Saved", "Journaled"]


def test_a_file_created_by_another_program_before_the_first_change_is_not_overwritten(database: Path) -> None:
    store = Store.open(database)  # no file yet: a new database, created on the first change
    theirs = write_database(database, sound_database())
    with pytest.raises(StoreError, match="replaced or removed on disk"):
        store.create_theme("Mine")
    assert database.read_bytes() == theirs
    (kept,) = kept_versions(database)
    assert "Mine" not in kept.read_text()  # refused before it was made


def test_a_deleted_file_is_not_silently_recreated(database: Path) -> None:
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    store.create_theme("Journaled")
    database.unlink()
    with pytest.raises(StoreError, match="replaced or removed on disk"):
        store.checkpoint()
    assert not database.exists()
    (kept,) = kept_versions(database)
    assert {"Saved", "Journaled"} <= {t["name"] for t in json.loads(kept.read_text())["themes"].values()}


async def test_the_reader_bar_says_margin_stopped_writing(corpus_dir: Path, database: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    app = MarginApp(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        document = workspace.documents[0]
        workspace.toggle_theme(document, 0, 10, workspace.themes[0])
        workspace.store.last_change = 0.0  # idle long enough
        theirs = replace_behind_margins_back(database)
        app._checkpoint_when_idle()
        await pilot.pause()
        bar = str(app.screen.query_one("#database-bar").content)
        assert "READ-ONLY: annotations.json was replaced or removed on disk by another program" in bar
    assert database.read_bytes() == theirs
    assert "stopped writing" in app.unsaved_report


def test_when_its_own_version_cannot_be_kept_the_journal_is_kept_and_named(database: Path, monkeypatch) -> None:
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    store.create_theme("Journaled")
    theirs = replace_behind_margins_back(database)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tui.core.store.atomic_write", disk_full)
    with pytest.raises(StoreError) as stopped:
        store.checkpoint()
    (journal,) = database.parent.glob("annotations.json.kept-*.journal")
    assert str(stopped.value).endswith(
        f"it could not keep its own version (No space left on device); the changes journaled since "
        f"the last save are in {journal.name}"
    )
    assert '"Journaled"' in journal.read_text()
    assert database.read_bytes() == theirs


def test_the_first_change_after_a_replacement_is_refused_before_it_is_journaled(database: Path) -> None:
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    store.create_theme("Journaled")
    theirs = replace_behind_margins_back(database)
    with pytest.raises(StoreError, match="stopped writing to it"):
        store.create_theme("After")
    assert "After" not in {theme.name for theme in store.themes}
    assert not database.with_name("annotations.json.journal").exists()  # nothing to replay onto theirs
    (kept,) = kept_versions(database)
    assert [t.name for t in Store.open(kept, inspect=True).themes] == ["Saved", "Journaled"]
    assert database.read_bytes() == theirs


async def test_a_refused_tag_after_a_replacement_reaches_the_bar(corpus_dir: Path, database: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    app = MarginApp(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        workspace.toggle_theme(workspace.documents[0], 0, 10, workspace.themes[0])
        workspace.store.checkpoint()
        replace_behind_margins_back(database)
        await pilot.press("1")  # tag the paragraph under the cursor: refused
        await pilot.pause(0.7)  # one idle tick
        bar = str(app.screen.query_one("#database-bar").content)
        assert "READ-ONLY: annotations.json was replaced or removed on disk" in bar
