"""Durability: kill -9 at random moments loses nothing acknowledged; one writer at a time."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from tinydb import TinyDB

from tui.core import StoreError, Workspace

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tui.core import Workspace

    corpus, database = Path(sys.argv[1]), Path(sys.argv[2])
    workspace = Workspace.open([corpus], database=database, author="child")
    assert workspace.store.writable, workspace.store.read_only_reason
    document = workspace.documents[4]
    themes = workspace.themes
    print("ready", flush=True)
    step = 0
    while True:
        start = (step * 37) % (len(document.text) - 50)
        end, theme = start + 20 + step % 25, themes[step % len(themes)]
        print("will", start, end, theme.id, flush=True)
        workspace.toggle_theme(document, start, end, theme)
        if step % 7 == 0:
            workspace.checkpoint_if_idle(idle_seconds=0)  # checkpoints race the kill too
        print("done", flush=True)
        step += 1
    """
)


Toggle = tuple[int, int, int]


def expected_state(toggles: list[Toggle]) -> dict[tuple[int, int], set[int]]:
    """Replay toggles (add the theme to the exact passage, or remove it if there) in order."""
    state: dict[tuple[int, int], set[int]] = {}
    for start, end, theme in toggles:
        state.setdefault((start, end), set()).symmetric_difference_update({theme})
    return {span: themes for span, themes in state.items() if themes}


def read_child(lines, acknowledged: list[Toggle]) -> Toggle | None:
    """Collect acknowledged toggles; return the one announced but not acknowledged, if any."""
    pending = None
    for line in lines:
        if not line.endswith("\n"):  # cut by the kill mid-print: said before it acted, so nothing began
            break
        words = line.split()
        if words[:1] == ["will"]:
            pending = (int(words[1]), int(words[2]), int(words[3]))
        elif words[:1] == ["done"] and pending is not None:
            acknowledged.append(pending)
            pending = None
    return pending


def test_kill_9_at_random_points_loses_no_acknowledged_change(corpus_dir: Path, database: Path) -> None:
    rng = random.Random(20261122)
    acknowledged: list[Toggle] = []
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    for _ in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(corpus_dir), str(database)],
            stdout=subprocess.PIPE, text=True, env=environment,
        )
        assert child.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + rng.uniform(0.05, 0.4)
        lines = []
        while time.monotonic() < deadline:
            lines.append(child.stdout.readline())
        os.kill(child.pid, signal.SIGKILL)
        lines.extend(child.stdout)  # lines printed before the kill count too
        child.wait()
        in_flight = read_child(lines, acknowledged)
        reopened = Workspace.open([corpus_dir], database=database)
        document = reopened.documents[4]
        found = {(a.start, a.end): set(a.themes) for a in reopened.annotations(document).items}
        allowed = [expected_state(acknowledged)]
        if in_flight is not None:  # durable but killed before it could say so: may be there
            allowed.append(expected_state([*acknowledged, in_flight]))
            if found == allowed[1]:
                acknowledged.append(in_flight)
        assert found in allowed
        for annotation in reopened.annotations(document).items:
            assert document.text[annotation.start : annotation.end] == annotation.quote
        reopened.close()
    assert len(acknowledged) > 50
    json.loads(database.read_text())  # the TinyDB file itself is whole
    assert TinyDB(database).table("annotations").all()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tui.core import Workspace

    workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]))
    print("ready" if workspace.store.writable else "read-only", flush=True)
    time.sleep(60)
    """
)


def test_second_writer_opens_read_only_and_a_killed_ones_lock_is_not_stale(corpus_dir: Path, database: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(corpus_dir), str(database)],
        stdout=subprocess.PIPE, text=True, env=environment,
    )
    assert holder.stdout.readline().strip() == "ready"
    second = Workspace.open([corpus_dir], database=database)
    assert not second.store.writable
    assert f"process {holder.pid}" in second.store.read_only_reason
    with pytest.raises(StoreError, match="read-only, another Margin is writing it"):
        second.toggle_theme(second.documents[0], 0, 5, second.themes[0])
    holder.kill()
    holder.wait()
    third = Workspace.open([corpus_dir], database=database)
    assert third.store.writable
    third.close()


def test_backups_keep_the_last_sessions(corpus_dir: Path, database: Path) -> None:
    for session in range(5):
        workspace = Workspace.open([corpus_dir], database=database)
        document = workspace.documents[0]
        workspace.toggle_theme(document, session * 10, session * 10 + 5, workspace.themes[0])
        workspace.close()
    backups = sorted(p.name for p in database.parent.glob("annotations.json.backup-*"))
    assert backups == ["annotations.json.backup-1", "annotations.json.backup-2", "annotations.json.backup-3"]
    newest = TinyDB(database.with_name("annotations.json.backup-1")).table("annotations").all()
    assert len(newest) == 4  # the file as the fifth session found it


def test_corrupt_database_error_names_the_last_good_backup(corpus_dir: Path, database: Path) -> None:
    for _ in range(2):
        workspace = Workspace.open([corpus_dir], database=database)
        workspace.toggle_theme(workspace.documents[0], 0, 5, workspace.themes[0])
        workspace.close()
    database.write_bytes(b'{"annotations": {"1"')  # a half-written file from some other tool
    with pytest.raises(StoreError) as error:
        Workspace.open([corpus_dir], database=database)
    message = str(error.value)
    assert "the database is corrupt" in message and "annotations.json.backup-1" in message
    assert "\n" not in message
    assert database.read_bytes() == b'{"annotations": {"1"'
