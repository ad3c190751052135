"""The compare screen, driven by the keyboard (Pilot): walking the disagreement queue with
n / N across documents, settling one of each kind (A, B, both, neither), a memo and undo,
checked on the consensus database on disk and on the status line; and ``C`` in the reader."""

from __future__ import annotations

from pathlib import Path

from test_adjudication import code, coders, consensus_on_disk, project  # noqa: F401 - coders is a fixture
from textual.widgets import Static

from tui.core import Workspace
from tui.core.adjudication import open_adjudication
from tui.ui.app import MarginApp
from tui.ui.compare_app import CompareApp
from tui.ui.screens.compare import CompareScreen
from tui.ui.widgets.compare_pane import ComparePane

SIZE = (160, 48)


def compare_app(corpus_dir: Path, coders: tuple[Path, Path]) -> CompareApp:
    consensus = Workspace.open_database(project(corpus_dir), for_writing=True)
    return CompareApp(open_adjudication(consensus, *coders))


def status(app) -> str:
    return str(app.screen.query_one("#compare-status", Static).render())


def panes(app) -> list[ComparePane]:
    return list(app.screen.query(ComparePane))


async def test_walk_the_queue_and_settle_one_of_each_kind(corpus_dir: Path, coders) -> None:
    app = compare_app(corpus_dir, coders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first, second = (t.name for t in app.adjudication.coders[1].themes[:2])
        assert status(app).startswith(f"1/4 {second} · ana none · ben 100–150 · open")
        assert status(app).endswith("0 of 4 disagreements resolved")

        await pilot.press("n")  # ana 200–260, ben 220–280: the left coder's
        assert status(app).startswith(f"2/4 {first} · ana 200–260 · ben 220–280 · open")
        assert [pane.view.cursor for pane in panes(app)] == [200, 200]
        await pilot.press("a")
        assert "accepted: ana" in status(app) and status(app).endswith("1 of 4 disagreements resolved")
        assert [a[1:] for a in consensus_on_disk(corpus_dir)[0]] == [(200, 260, (first,), "ana")]

        await pilot.press("n")  # Tunnels, in the next document: both panes follow
        assert status(app).startswith("3/4 Tunnels · ana 5–25 · ben none")
        titles = {pane.document.title for pane in panes(app)}
        assert titles == {app.adjudication.documents[app.adjudication.passages[2].document].title}
        assert [pane.view.cursor for pane in panes(app)] == [5, 5]
        await pilot.press("b")  # ben coded nothing: the consensus gets nothing
        assert "accepted: ben" in status(app)

        await pilot.press("N", "N")  # back to the first: both
        assert status(app).startswith("1/4")
        await pilot.press("plus")
        assert "accepted: ana, ben" in status(app)

        await pilot.press("N")  # round to the last: neither
        assert status(app).startswith("4/4")
        await pilot.press("x")
        assert "accepted: neither" in status(app)
        assert status(app).endswith("4 of 4 disagreements resolved")

        await pilot.press("m")  # a memo on this decision
        await pilot.pause()
        await pilot.press(*"ben overreads it", "ctrl+s")
        await pilot.pause()
        assert "✎" in status(app)

    annotations, decisions = consensus_on_disk(corpus_dir)
    assert [a[1:] for a in annotations] == [(100, 150, (second,), "ben"), (200, 260, (first,), "ana")]
    assert sorted((d["theme"], d["start"], d["accepted"], d["note"]) for d in decisions) == sorted([
        (first, 200, "ana", ""), ("Tunnels", 5, "ben", ""), (second, 100, "ana, ben", ""),
        (second, 0, "", "ben overreads it")])

    again = compare_app(corpus_dir, coders)  # reopened: the same count, the decisions marked
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert status(again).endswith("4 of 4 disagreements resolved")
        assert all(item.decision for item in panes(again)[0].view.disagreements)


async def test_undo_takes_back_the_last_decision(corpus_dir: Path, coders) -> None:
    app = compare_app(corpus_dir, coders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("n", "a", "u")
        assert status(app).endswith(" · open   0 of 4 disagreements resolved")
    assert consensus_on_disk(corpus_dir) == ([], [])


async def test_escape_quits_margin_compare_and_everything_is_saved(corpus_dir: Path, coders) -> None:
    app = compare_app(corpus_dir, coders)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("b", "escape")
        await pilot.pause()
    assert app.return_code == 0 and app.unsaved_report is None
    assert [d["accepted"] for d in consensus_on_disk(corpus_dir)[1]] == ["ben"]


async def test_c_in_the_reader_compares_the_project_s_two_coders(corpus_dir: Path, coders) -> None:
    workspace = Workspace.open([corpus_dir], database=project(corpus_dir), author="lead")
    app = MarginApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("n", "a", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompareScreen)
        document = workspace.documents[0]
        assert [(a.start, a.end, a.author) for a in workspace.annotations(document).items] == [(200, 260, "ana")]


async def test_coders_who_agree_everywhere_leave_nothing_to_settle(corpus_dir: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=project(corpus_dir))
    theme = workspace.themes[0].name
    workspace.close()
    agreeing = (code(corpus_dir, "ana", [(0, 10, 50, theme)]), code(corpus_dir, "ben", [(0, 10, 50, theme)]))
    app = compare_app(corpus_dir, agreeing)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert status(app) == "No disagreements between ana and ben."
        await pilot.press("n", "a")  # nothing to go to, nothing to decide: said, nothing written
        await pilot.pause()
        assert status(app) == "No disagreements between ana and ben."
    assert not project(corpus_dir).exists()
