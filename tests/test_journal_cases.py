"""The journal, case by case: the exact bytes of each appended line and its sequence number,
which replayed lines are applied or dropped and with which message, and where the numbering
resumes after a replay or a failed append. Beside tests/test_journal.py."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from tui.core import journal as journal_module
from tui.core.journal import Journal

THEME = {"name": "Ré", "color": "#e45756"}


def change(table: str = "themes", record_id: object = 1, record: object = THEME) -> dict:
    return {"table": table, "id": record_id, "record": record}


def replayed(tmp_path: Path, text: str, tables: dict | None = None):
    path = tmp_path / "annotations.json.journal"
    path.write_bytes(text.encode())
    journal = Journal(path)
    tables = {} if tables is None else tables
    return journal, journal.replay(tables), tables


def test_appended_lines_are_compact_utf8_json_numbered_from_1(tmp_path: Path) -> None:
    path = tmp_path / "annotations.json.journal"
    journal = Journal(path)
    journal.append([change()])
    journal.append([change(record_id=2), change(record_id=3, record=None)])
    journal.append([change(table="annotations", record_id=4, record=None)])
    journal.close()
    assert path.read_bytes() == (
        '{"seq":1,"table":"themes","id":1,"record":{"name":"Ré","color":"#e45756"}}\n'
        '{"seq":2,"batch":[{"table":"themes","id":2,"record":{"name":"Ré","color":"#e45756"}},'
        '{"table":"themes","id":3,"record":null}]}\n'
        '{"seq":3,"table":"annotations","id":4,"record":null}\n'
    ).encode()


@pytest.mark.parametrize(
    ("lines", "next_seq"),
    [
        ([], 1),
        ([{"seq": 5, **change()}, {"seq": 7, **change(record_id=2)}], 8),
        ([{"seq": 9, "batch": [change(), change(record_id=2)]}, {"seq": 3, **change()}], 10),  # highest, not last
        ([change()], 1),  # an older Margin's line has no number
        ([{"seq": "4", **change()}], 1),  # nor does a number that is not an integer
    ],
)
def test_numbering_resumes_after_the_highest_replayed_line(tmp_path: Path, lines: list, next_seq: int) -> None:
    text = "".join(json.dumps(line) + "\n" for line in lines)
    journal, replay, _ = replayed(tmp_path, text)
    assert replay.dropped == []
    journal.append([change(record_id=9)])
    journal.close()
    assert json.loads(journal.path.read_bytes().splitlines()[-1])["seq"] == next_seq


def test_a_failed_append_leaves_no_line_and_its_number_is_used_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "annotations.json.journal"
    journal = Journal(path)
    journal.append([change()])
    journal.append([change(record_id=2)])
    first = path.read_bytes()

    real_fsync = journal_module.os.fsync
    calls = []

    def fsync_fails_once(descriptor: int) -> None:
        calls.append(descriptor)
        if len(calls) == 1:
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(descriptor)

    monkeypatch.setattr(journal_module.os, "fsync", fsync_fails_once)
    with pytest.raises(OSError):
        journal.append([change(record_id=5)])
    assert path.read_bytes() == first  # the line written before the failed fsync is cut off again
    journal.append([change(record_id=3)])
    journal.close()
    assert [json.loads(line)["seq"] for line in path.read_bytes().splitlines()] == [1, 2, 3]
    assert [json.loads(line)["id"] for line in path.read_bytes().splitlines()] == [1, 2, 3]


@pytest.mark.parametrize(("content", "empty"), [(None, True), (b"", True), (b"{", False), (b"\n", False)])
def test_a_journal_is_empty_only_without_a_single_byte(tmp_path: Path, content: bytes | None, empty: bool) -> None:
    path = tmp_path / "annotations.json.journal"
    if content is not None:
        path.write_bytes(content)
    assert Journal(path).is_empty() is empty


def line(entry: object) -> str:
    return json.dumps(entry, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    ("text", "applied", "dropped", "themes"),
    [
        # Blank lines are skipped, and the lines after them still applied.
        (line(change()) + "\n  \n" + line(change(record_id=2)), 2, [], {"1": THEME, "2": THEME}),
        # Deleting a record the database never had is a change already made, not an error.
        (line(change(record_id=5, record=None)), 1, [], {}),
        (line(change()) + line(change(record=None)), 2, [], {}),
        (
            line([1, 2]) + line(change(record_id=2)),
            1,
            ["journal line 1: [1, 2] is not a change; not applied"],
            {"2": THEME},
        ),
        (
            line({"seq": 1, "batch": [change(), "themes 2"]}),
            0,
            ['journal line 1: "themes 2" is not a change (so none of its batch of 2 was applied); not applied'],
            None,
        ),
        (
            line({"seq": 1, "batch": "all of them"}),
            0,
            ['journal line 1: batch is "all of them", not a list of changes; not applied'],
            None,
        ),
        (line(change(table="notes")), 0, ['journal line 1: unknown table "notes"; not applied'], None),
        (line(change(record_id=0)), 0, ["journal line 1: record id 0 is not a positive integer; not applied"], None),
        (line({"table": "themes", "id": 3}), 0, ["journal line 1: themes 3: no record; not applied"], None),
        (
            line(change(record={"name": "x"})),
            0,
            ['journal line 1: theme 1: "color" is missing; not applied'],
            None,
        ),
        ("{not json\n" + line(change()), 1, ["journal line 1: not valid JSON; not applied"], {"1": THEME}),
    ],
)
def test_which_lines_a_replay_applies_and_what_it_says_of_the_others(
    tmp_path: Path, text: str, applied: int, dropped: list[str], themes: dict | None
) -> None:
    _, replay, tables = replayed(tmp_path, text)
    assert (replay.applied, replay.dropped, replay.torn) == (applied, dropped, False)
    assert tables.get("themes") == themes


def test_a_replay_creates_the_table_it_writes_to_and_leaves_the_others(tmp_path: Path) -> None:
    tables = {"meta": {"1": {"application": "margin"}}}
    _, replay, tables = replayed(tmp_path, line(change(table="annotations", record_id=3, record=None))
                                 + line(change()), tables)
    assert replay.applied == 2
    assert tables == {"meta": {"1": {"application": "margin"}}, "annotations": {}, "themes": {"1": THEME}}


def test_a_torn_last_line_is_not_applied_nor_reported(tmp_path: Path) -> None:
    _, replay, tables = replayed(tmp_path, line(change()) + '{"seq":2,"table":"th')
    assert (replay.applied, replay.dropped, replay.torn) == (1, [], True)
    assert tables == {"themes": {"1": THEME}}
