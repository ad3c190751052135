"""Resuming: the reading state file per corpus, and a second start that comes back to it."""

from __future__ import annotations

from pathlib import Path

from test_reader import type_text, view_of

from tui.core import Workspace
from tui.core.session_state import PaneState, ReadingState, load_state, opening_panes, save_state, state_path
from tui.ui.app import MarginApp
from tui.ui.widgets.document_list import DocumentList


def test_the_state_file_is_per_corpus_in_the_user_state_dir(tmp_path: Path, private_state_dir: Path) -> None:
    seeds, database = tmp_path / "seeds", tmp_path / "annotations.json"
    path = state_path([seeds], database)
    assert path.is_relative_to(private_state_dir / "margin")
    assert path == state_path([seeds, seeds], database)
    assert path != state_path([tmp_path / "other"], database) != state_path([seeds], tmp_path / "b.json")
    assert load_state(path) is None
    state = ReadingState([PaneState("/a.txt", 10, 4), PaneState("/b.txt")], focused=1, documents_hidden=True)
    assert save_state(path, state) and load_state(path) == state


def test_a_damaged_state_file_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    for damaged in ("{not json", "[]", '{"version": 1, "panes": [{"cursor": 3}]}', '{"version": 99, "panes": []}',
                    '{"version": 1, "panes": [{"document": "/a", "cursor": "x"}]}'):
        path.write_text(damaged)
        assert load_state(path) is None
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert not save_state(blocked / "state.json", ReadingState())  # cannot be written: no crash


def test_opening_panes_skips_missing_documents_and_the_command_line_wins(workspace: Workspace) -> None:
    documents = workspace.documents
    state = ReadingState([PaneState(documents[3].key, 50), PaneState("/gone.txt"), PaneState(documents[1].key, 7)],
                         focused=2)
    opening, focused = opening_panes(state, documents, None)
    assert [document for document, _ in opening] == [documents[3], documents[1]]
    assert focused == 1 and opening[1][1].cursor == 7
    opening, focused = opening_panes(state, documents, 3)
    assert [document for document, _ in opening] == [documents[3], documents[1], documents[2]] and opening[2][1] is None
    opening, focused = opening_panes(state, documents, 1)
    assert [document for document, _ in opening] == [documents[3]] and focused == 0
    assert [d for d, _ in opening_panes(None, documents, None)[0]] == documents[:2]


async def test_a_second_start_comes_back_to_the_same_documents_and_places(corpus_dir: Path, database: Path) -> None:
    def start(panes: int | None = None) -> MarginApp:
        workspace = Workspace.open([corpus_dir], database=database, author="tester")
        return MarginApp(workspace, panes=panes, reading_state=state_path(workspace.corpus.folders, database))

    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("plus")  # a third pane, focused
        await pilot.press("o", "down", "down", "enter")  # document 3 in it
        await pilot.press("slash")
        await type_text(pilot, "Mexico")
        await pilot.press("enter", "n", "n", "backslash")
        view = view_of(app, 2)
        third, cursor, top = view.document, view.cursor, view.scroll_offset.y
        assert third is app.workspace.documents[2] and cursor > 0 and top > 0
        await pilot.press("q")

    app = start()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert len(app.reader.panes) == 3
        view = view_of(app, 2)
        assert view.has_focus and view.document.key == third.key
        assert (view.cursor, view.scroll_offset.y) == (cursor, top)
        assert not app.screen.query_one(DocumentList).display
        assert view_of(app, 0).document.key == app.workspace.documents[0].key
        await pilot.press("q")

    app = start(panes=1)  # --panes wins over the saved count
    async with app.run_test(size=(80, 24)) as pilot:
        assert len(app.reader.panes) == 1 and view_of(app, 0).has_focus


async def test_a_damaged_state_file_or_a_vanished_document_still_opens(corpus_dir: Path, database: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    path = state_path(workspace.corpus.folders, database)
    save_state(path, ReadingState([PaneState(str(corpus_dir / "gone.txt"), 99),
                                   PaneState(workspace.documents[4].key, 10**9)], focused=0))
    app = MarginApp(workspace, reading_state=path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        (pane,) = app.reader.panes
        assert pane.document is workspace.documents[4] and pane.view.cursor == len(pane.document.text)
    path.write_text("\x00 not json")
    app = MarginApp(Workspace.open([corpus_dir], database=database, author="tester"), reading_state=path)
    async with app.run_test(size=(80, 24)) as pilot:
        assert len(app.reader.panes) == 2 and view_of(app, 0).cursor == 0
