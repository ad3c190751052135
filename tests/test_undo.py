"""Undo and redo: every change since Margin started, each persisted like any other."""

from __future__ import annotations

import random
from pathlib import Path

from tinydb import TinyDB

from tui.core import Workspace


def state(workspace: Workspace) -> dict:
    """What the user could see: passages with their themes and memos, and the codebook."""
    return {
        "annotations": sorted((a.document, a.start, a.end, a.themes, a.note) for a in workspace.store.annotations.values()),
        "themes": [(t.id, t.name, t.key) for t in workspace.themes],
    }


def on_disk(database: Path) -> dict:
    db = TinyDB(database)
    return {
        "annotations": sorted((r["document"], r["start"], r["end"], tuple(r["themes"]), r["note"])
                              for r in db.table("annotations").all()),
        "themes": [(t.doc_id, t["name"], t["key"]) for t in sorted(db.table("themes").all(), key=lambda t: t["order"])],
    }


def test_a_long_random_sequence_undoes_and_redoes_exactly(workspace: Workspace, database: Path) -> None:
    rng = random.Random(7)
    document = workspace.documents[4]
    snapshots = [state(workspace)]
    for step in range(40):
        action = rng.random()
        passages = workspace.annotations(document).items
        if action < 0.6 or not passages:
            start = rng.randrange(0, len(document.text) - 100)
            span = (start, start + rng.randrange(5, 90))
            workspace.toggle_theme(document, *span, rng.choice(workspace.themes[:4]))
        elif action < 0.75:
            workspace.remove(document, rng.choice(passages))
        elif action < 0.9:
            workspace.set_note(document, rng.choice(passages), f"memo {step}\nsecond line")
        else:
            workspace.create_theme(f"Theme {step}")
        snapshots.append(state(workspace))

    for expected in reversed(snapshots[:-1]):
        assert workspace.undo() is not None
        assert state(workspace) == expected
    assert workspace.undo() is None
    for expected in snapshots[1:]:
        assert workspace.redo() is not None
        assert state(workspace) == expected
    assert workspace.redo() is None

    for _ in range(15):
        workspace.undo()
    expected = state(workspace)
    workspace.close()
    assert on_disk(database) == expected  # undo is saved like any change

    reopened = Workspace.open([workspace.corpus.home], database=database)
    assert state(reopened) == expected


def test_a_new_action_after_undo_drops_the_redo_branch(workspace: Workspace) -> None:
    document = workspace.documents[0]
    workspace.toggle_theme(document, 10, 30, workspace.themes[0])
    assert workspace.undo() == "tag Human smuggling"
    workspace.toggle_theme(document, 40, 60, workspace.themes[1])
    assert workspace.redo() is None
    assert [(a.start, a.end) for a in workspace.annotations(document).items] == [(40, 60)]


def test_undo_restores_a_removed_annotation_with_its_memo_and_index(workspace: Workspace) -> None:
    document = workspace.documents[1]
    tagged = workspace.toggle_theme(document, 100, 150, workspace.themes[2]).annotation
    noted = workspace.set_note(document, tagged, "why this matters")
    workspace.remove(document, noted)
    assert workspace.annotations(document).at(120) == []
    assert workspace.undo() == "remove annotation"
    (back,) = workspace.annotations(document).at(120)
    assert (back.id, back.note, back.themes) == (tagged.id, "why this matters", tagged.themes)


async def test_undo_and_redo_a_long_keyboard_session(corpus_dir: Path, database: Path) -> None:
    """Tags, untags, a memo, a codebook rename, bulk tagging and a delete, all typed; u walks
    back to the empty start, ctrl+r forward to the end, and the file follows."""
    from test_reader import SIZE, make_app, search, type_text

    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        workspace = app.workspace
        states = [state(workspace)]

        async def act(*keys: str, text: str = "", then: tuple[str, ...] = ()) -> None:
            await pilot.press(*keys)
            if text:
                await type_text(pilot, text)
            await pilot.press(*then)
            states.append(state(workspace))

        for needle, key in [("Greetings", "1"), ("Her promise", "2"), ("During the", "3"), ("On Tuesday", "1")]:
            await search(pilot, needle)
            await act("p", key)
            await pilot.press("escape")
        await search(pilot, "Her promise")
        await act("p", "2")                                   # untag
        await pilot.press("escape")
        await search(pilot, "Greetings")
        await act("m", text="why it matters", then=("ctrl+s",))                          # memo
        await act("c", "r", *["backspace"] * 20, text="People smuggling", then=("enter",))  # rename
        await pilot.press("escape")
        await act("F", text="Napolitano", then=("enter", "t"))  # bulk tagging...
        await type_text(pilot, "Bilateral")
        await pilot.press("enter", "w", "escape")               # ...the matches themselves
        states[-1] = state(workspace)
        await search(pilot, "On Tuesday")
        await act("x")                                        # delete
        assert len({repr(s) for s in states}) == len(states)  # every step changed something

        for expected in reversed(states[:-1]):
            await pilot.press("u")
            assert state(workspace) == expected
        for expected in states[1:]:
            await pilot.press("ctrl+r")
            assert state(workspace) == expected
    assert on_disk(database) == states[-1]
