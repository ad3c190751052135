"""Journal replay: a batch (an import, an undo step) lands whole or not at all; a line that is
not a valid change is never applied, and the replay says which and why."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from databases import abandon, folder_state, journal_lines, sound_database, write_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace, limits
from tui.core.records import database_problem
from tui.core.lock import lock_holder
from tui.core.storage import SnapshotStorage
from tui.core.store import Store, StoreError
from tui.ui.app import MarginApp


def journal_of(database: Path) -> Path:
    return database.with_name("annotations.json.journal")


def stored_with_one_theme(database: Path) -> Store:
    """A writing store whose file exists (created by its first change) and holds one theme."""
    store = Store.open(database)
    store.create_theme("First")
    store.checkpoint()
    return store


def add_batch(store: Store, count: int) -> None:
    with store.recording():
        for number in range(count):
            store.create_theme(f"Imported {number}")


def test_a_batch_is_one_journal_line(database: Path) -> None:
    store = stored_with_one_theme(database)
    add_batch(store, 30)
    (line,) = journal_lines(database)
    assert len(line["batch"]) == 30 and line["batch"][0]["record"]["name"] == "Imported 0"
    abandon(store)


def test_a_torn_batch_is_dropped_whole_and_a_complete_one_applied_whole(database: Path) -> None:
    store = stored_with_one_theme(database)
    store.create_theme("Acknowledged")
    add_batch(store, 200)
    abandon(store)
    journal = journal_of(database)
    complete = journal.read_bytes()
    first_line = complete.index(b"\n") + 1
    for cut in (first_line + 50, len(complete) - 1, len(complete) // 2):
        journal.write_bytes(complete[:cut])  # a kill part-way through writing the batch
        reopened = Store.open(database)
        assert [t.name for t in reopened.themes] == ["First", "Acknowledged"]
        assert reopened.journal_torn and not reopened.journal_problems
        abandon(reopened)
    journal.write_bytes(complete)
    reopened = Store.open(database)
    assert len(reopened.themes) == 202 and reopened.pending_at_open == 201
    reopened.close()


def test_a_journal_from_an_older_margin_still_replays(database: Path) -> None:
    """Older Margins wrote a batch as one line per change; those lines stay readable."""
    data = sound_database()
    write_database(database, data)
    old = [
        {"seq": 1, "table": "themes", "id": 3, "record": {**data["themes"]["1"], "name": "Third", "order": 2}},
        {"seq": 2, "table": "annotations", "id": 1, "record": None},
    ]
    journal_of(database).write_text("".join(json.dumps(line) + "\n" for line in old))
    store = Store.open(database)
    assert [t.name for t in store.themes] == ["Smuggling", "Arms", "Third"]
    assert sorted(store.annotations) == [2, 3] and store.pending_at_open == 2
    store.close()


def test_an_invalid_change_is_not_applied_and_is_reported(database: Path, capsys) -> None:
    data = sound_database()
    write_database(database, data)
    good = data["annotations"]["1"]
    lines = [
        {"seq": 1, "table": "annotations", "id": 1, "record": {**good, "note": "kept"}},
        {"seq": 2, "table": "annotations", "id": 2, "record": {**good, "start": "12"}},
        {"seq": 3, "table": "annotations", "id": 3, "record": None},
        {"seq": 4, "batch": [{"table": "annotations", "id": 1, "record": None},
                             {"table": "colours", "id": 1, "record": {}}]},
        {"seq": 5, "table": "themes", "id": "x", "record": None},
    ]
    text = "".join(json.dumps(line) + "\n" for line in lines) + "not json\n"
    journal_of(database).write_text(text)

    assert main(["db", "check", "--db", str(database)]) == 1  # check only reads: it reports
    out = capsys.readouterr().out
    assert 'journal line 2: annotation 2: "start" is "12", not an integer; not applied' in out
    assert 'journal line 4: unknown table "colours" (so none of its batch of 2 was applied); not applied' in out
    assert 'journal line 5: record id "x" is not a positive integer; not applied' in out
    assert "journal line 6: not valid JSON; not applied" in out
    assert "2 journaled changes not yet in the file" in out

    store = Store.open(database)
    assert store.annotations[1].note == "kept" and store.annotations[2].start == 2 and 3 not in store.annotations
    (kept,) = database.parent.glob("annotations.json.journal-dropped-*")
    assert kept.read_text() == text  # nothing the journal held is lost
    assert f"the journal as it was is kept as {kept.name}" in store.journal_problems
    store.close()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=8,
)
CHANGE = st.fixed_dictionaries(
    {"table": st.sampled_from(["annotations", "themes", "documents", "meta", "x"]),
     "id": st.one_of(st.integers(-1, 5), st.text(max_size=2)),
     "record": st.one_of(st.none(), JSON, st.fixed_dictionaries({"document": st.integers(), "start": JSON}))}
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.one_of(JSON, CHANGE, st.fixed_dictionaries({"batch": st.lists(CHANGE, max_size=3)})), max_size=6))
def test_no_journal_line_can_break_the_database(tmp_path: Path, lines: list) -> None:
    database = tmp_path / "db" / "annotations.json"
    write_database(database, sound_database())
    journal_of(database).write_text("".join(json.dumps(line) + "\n" for line in lines))
    try:
        store = Store.open(database, inspect=True)
    except StoreError as error:  # only a journal without a sound result may stop it
        raise AssertionError(f"a journal line made the database unopenable: {error}") from None
    assert database_problem(store.db.storage.read()) is None


async def test_the_reader_says_which_journal_lines_were_not_applied(corpus_dir: Path, database: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database)
    workspace.toggle_theme(workspace.documents[0], 0, 10, workspace.themes[0])
    workspace.close()
    journal_of(database).write_text('{"seq": 9, "table": "annotations", "id": 1, "record": {"start": 1}}\n')
    app = MarginApp(Workspace.open([corpus_dir], database=database))
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **options: (messages.append(str(message)), notify(message, **options))[1]
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
    assert any('journal line 1: annotation 1: "document" is missing; not applied' in m for m in messages)
    assert len(Workspace.open([corpus_dir], database=database).store.annotations) == 1


def test_a_journal_line_nested_too_deeply_is_reported_not_a_traceback(database: Path, capsys) -> None:
    data = sound_database()
    write_database(database, data)
    good = json.dumps({"seq": 1, "table": "annotations", "id": 1, "record": {**data["annotations"]["1"], "note": "kept"}})
    deep = b'{"seq": 2, "table": "annotations", "id": 2, "record": {"x": ' + b"[" * 150_000 + b"]" * 150_000 + b"}}"
    journal_of(database).write_bytes(good.encode() + b"\n" + deep + b"\n")
    before = folder_state(database.parent)

    assert main(["db", "check", "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert "journal line 2: nested too deeply" in out and "; not applied" in out
    assert folder_state(database.parent) == before
    store = Store.open(database, inspect=True)
    assert store.annotations[1].note == "kept" and any("nested too deeply" in p for p in store.journal_problems)


def other_files(database: Path) -> list[str]:
    """The folder's entries but the lock and its owner note, which a writer takes first."""
    return sorted(p.name for p in database.parent.iterdir() if not p.name.endswith((".lock", ".owner")))


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_journal_that_is_not_a_regular_file_is_refused_in_one_line(
    kind: str, corpus_dir: Path, database: Path, tmp_path: Path, capsys
) -> None:
    payload = write_database(database, sound_database())
    journal = journal_of(database)
    if kind == "folder":
        journal.mkdir()
        expected = f"{journal}: is a folder, not a journal"
    else:
        os.mkfifo(journal)
        expected = f"{journal}: is a FIFO (named pipe), not a file"
    folder = other_files(database)

    assert main(["db", "check", "--db", str(database)]) == 2
    assert f"- {expected.removeprefix(f'{database}: ')}" in capsys.readouterr().out
    assert main(["export", "--format", "csv", "--db", str(database), "-o", str(tmp_path / "out.csv")]) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1
    source = tmp_path / "in.jsonl"
    source.write_text("")
    assert main(["import", str(source), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1
    assert main([str(corpus_dir), "--db", str(database)]) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1
    assert database.read_bytes() == payload and other_files(database) == folder
    assert not (tmp_path / "out.csv").exists()
    # The writer that refused it gave the lock back at once.
    with pytest.raises(StoreError):
        Store.open(database)
    assert lock_holder(database) is None
    journal.rmdir() if kind == "folder" else journal.unlink()
    Store.open(database).close()


def test_a_journal_beyond_the_size_cap_is_refused(database: Path, monkeypatch) -> None:
    write_database(database, sound_database())
    journal_of(database).write_bytes(b"\n" * 100)
    monkeypatch.setattr(limits, "DATABASE_BYTES", 99)
    monkeypatch.setattr(SnapshotStorage, "_load", lambda self: None)  # only the journal is too big here
    with pytest.raises(StoreError, match=r"annotations\.json\.journal: file too large \(100 bytes; Margin reads up to 99 bytes\)$"):
        Store.open(database, inspect=True)
