"""``Workspace.status()`` and the database bar that renders it: what is saved, pending,
read-only and why, the counts and the backups; the bar redraws only when the status changes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tui.core import Workspace
from tui.core.status import WorkspaceStatus
from tui.ui.app import MarginApp
from tui.ui.widgets.database_bar import DatabaseBar, status_text


def test_a_new_database_is_writable_saved_and_not_yet_on_disk(workspace: Workspace, database: Path) -> None:
    status = workspace.status()
    assert status.database == database and not status.exists_on_disk
    assert status.writable and status.saved and status.read_only_reason is None
    assert (status.documents, status.themes, status.annotations, status.orphans) == (
        len(workspace.documents), len(workspace.themes), 0, 0)
    assert status.author == "tester" and status.coder is None
    assert (status.backups, status.newest_backup) == (0, None)
    assert status == workspace.status()  # unchanged state, equal statuses: the bar keeps its text


def test_the_status_follows_changes_and_backups(workspace: Workspace, corpus_dir: Path, database: Path) -> None:
    before = workspace.status()
    workspace.toggle_theme(workspace.documents[0], 0, 10, workspace.themes[0])
    after = workspace.status()
    assert after != before and after.annotations == 1 and after.exists_on_disk
    workspace.close()
    again = Workspace.open([corpus_dir], database=database, author="tester")
    again.toggle_theme(again.documents[0], 20, 30, again.themes[0])
    again.store.checkpoint()  # the first checkpoint of a session keeps a copy of the file
    status = again.status()
    assert status.backups == 1 and status.newest_backup is not None and status.annotations == 2
    again.close()


def test_a_second_margin_sees_why_it_is_read_only(workspace: Workspace, corpus_dir: Path, database: Path) -> None:
    workspace.toggle_theme(workspace.documents[0], 0, 10, workspace.themes[0])
    other = Workspace.open([corpus_dir], database=database, author="other")
    try:
        status = other.status()
        assert not status.writable and status.read_only_reason == other.read_only_reason
        assert "READ-ONLY: " in str(status_text(status))
    finally:
        other.close()


def test_the_bar_text(workspace: Workspace) -> None:
    status = dataclasses.replace(workspace.status(), exists_on_disk=True, unsaved=2, save_error="disk full",
                                 orphans=1, annotations=5, author="ana\x1b[31m")
    text = str(status_text(status))
    assert text.startswith(" 2 CHANGES NOT SAVED YET, RETRYING   1 ORPHAN: PRESS O  Database ")
    assert text.endswith("5 annotations · author ana␛[31m")  # a control character is shown, not sent
    assert "(new: created" not in text
    assert "(new: created on the first change)" in str(status_text(workspace.status()))


async def test_the_idle_tick_redraws_the_bar_only_when_the_status_changed(workspace: Workspace) -> None:
    app = MarginApp(workspace)
    async with app.run_test(size=(140, 40)) as pilot:
        bar = app.screen.query_one(DatabaseBar)
        assert isinstance(bar.shown, WorkspaceStatus) and bar.id == "database-bar"
        assert not app.reader.update_database_bar()  # nothing new
        workspace.toggle_theme(workspace.documents[0], 0, 10, workspace.themes[0])  # not through the reader
        app._checkpoint_when_idle()
        await pilot.pause()
        assert bar.shown.annotations == 1 and "1 annotation · author tester" in str(bar.content)
        assert not app.reader.update_database_bar()


def test_a_coder_s_status_names_them_and_their_database(corpus_dir: Path) -> None:
    project = corpus_dir.parent / "annotations" / "annotations.json"
    workspace = Workspace.open([corpus_dir], database=project, coder="ana")
    try:
        status = workspace.status()
        assert status.coder == "ana" and status.author == "ana"
        assert status.database.name == "ana.json" and status.database.parent.name == "coders"
        assert str(status_text(status)).endswith(" · coder ana")
        renamed = dataclasses.replace(status, author="Ana Q.")  # --author names her otherwise
        assert str(status_text(renamed)).endswith(" · coder ana, author Ana Q.")
    finally:
        workspace.close()
