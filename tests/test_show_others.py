"""Blind coding and ``--show-others``: a coder sees only their own coding unless asked, and
then the other coders' coding read-only, muted, never editable, their files never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.style import Style

from tui.core import Workspace
from tui.core.others import other_databases
from tui.serve import served_arguments, served_command
from tui.ui.app import MarginApp
from tui.ui.widgets.database_bar import DatabaseBar
from tui.ui.widgets.document_view import GUTTER_WIDTH, DocumentView

THEIRS = "Greetings from the Department of Homeland Security"  # coded by bea (theme 5)
MINE = "Strengthening DHS Partnerships"  # coded by ana (theme 1)


def project(corpus_dir: Path) -> Path:
    return corpus_dir.parent / "annotations" / "annotations.json"


def coder(corpus_dir: Path, name: str) -> Workspace:
    return Workspace.open([corpus_dir], database=project(corpus_dir), coder=name)


def code(corpus_dir: Path, name: str, needle: str, key: int) -> Path:
    """``name`` codes the first ``needle`` of the first document with theme ``key``."""
    workspace = coder(corpus_dir, name)
    document = workspace.documents[0]
    start = document.text.index(needle)
    workspace.toggle_theme(document, start, start + len(needle), workspace.theme_for_key(key))
    workspace.close()
    return workspace.database_path


@pytest.fixture
def team(corpus_dir: Path) -> dict[str, Path]:
    """ana and bea have each coded a passage of the first document; ana is the one coding."""
    return {"bea": code(corpus_dir, "bea", THEIRS, 5), "ana": code(corpus_dir, "ana", MINE, 1)}


def theirs_on_disk(folder: Path) -> dict[str, bytes]:
    """Every file in ``coders/`` but ana's own (her database and its lock, journal, backups)."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())
            if path.is_file() and not path.name.startswith("ana.")}


# -- the core -----------------------------------------------------------------------------------


def test_the_others_are_the_other_coders_never_oneself_nor_the_consensus(corpus_dir: Path, team) -> None:
    (project(corpus_dir).parent / "coders" / "cid.json").write_bytes(team["bea"].read_bytes())
    project(corpus_dir).write_bytes(team["bea"].read_bytes())  # a consensus exists
    folder = project(corpus_dir).parent / "coders"
    assert other_databases(team["ana"]) == [folder / "bea.json", folder / "cid.json"]
    assert other_databases(project(corpus_dir)) == [folder / "ana.json", folder / "bea.json", folder / "cid.json"]


def test_blind_by_default_a_coder_has_only_their_own_passages(corpus_dir: Path, team) -> None:
    ana = coder(corpus_dir, "ana")
    quotes = [a.quote for a in ana.annotations(ana.documents[0]).items]
    assert quotes == [MINE]
    assert ana.others is None and ana.status().others is None
    ana.close()


def test_others_are_read_without_touching_their_files(corpus_dir: Path, team) -> None:
    coders = team["bea"].parent
    before = theirs_on_disk(coders)
    ana = coder(corpus_dir, "ana")
    assert ana.show_others() == []
    (bea,) = ana.others
    assert bea.name == "bea"
    assert [a.quote for a in bea.annotations(ana.documents[0]).items] == [THEIRS]
    assert [a.quote for a in ana.annotations(ana.documents[0]).items] == [MINE]  # still only mine
    assert ana.status().others == 1
    ana.close()
    assert theirs_on_disk(coders) == before  # bea's database byte for byte; no lock, journal of hers


def test_a_damaged_other_database_is_left_out_alone_with_one_line(corpus_dir: Path, team) -> None:
    broken = team["bea"].parent / "cid.json"
    broken.write_text("{not json", encoding="utf-8")
    ana = coder(corpus_dir, "ana")
    problems = ana.show_others()
    assert [other.name for other in ana.others] == ["bea"]
    assert len(problems) == 1 and "\n" not in problems[0]
    assert "cid.json" in problems[0] and "not shown" in problems[0]
    assert broken.read_text(encoding="utf-8") == "{not json"
    ana.close()


def test_a_coder_coding_right_now_is_shown_and_keeps_writing(corpus_dir: Path, team) -> None:
    bea = coder(corpus_dir, "bea")  # holds her lock; her new passage is in her journal only
    document = bea.documents[0]
    start = document.text.index("Cite as")
    bea.toggle_theme(document, start, start + 7, bea.theme_for_key(2))
    ana = coder(corpus_dir, "ana")
    ana.show_others()
    assert [a.quote for a in ana.others[0].annotations(ana.documents[0]).items] == ["Cite as", THEIRS]
    ana.close()
    assert bea.writable
    bea.toggle_theme(document, start, start + 4, bea.theme_for_key(3))
    bea.close()  # her changes reach her file: nobody took her lock or her journal
    again = coder(corpus_dir, "bea")
    assert len(again.annotations(again.documents[0])) == 3
    again.close()


def test_a_changed_document_moves_their_passages_in_memory_only(corpus_dir: Path, team) -> None:
    first = corpus_dir / sorted(p.name for p in corpus_dir.glob("*.txt"))[0]
    first.write_text("A new first line.\n" + first.read_text(encoding="utf-8"), encoding="utf-8")
    before = team["bea"].read_bytes()
    ana = coder(corpus_dir, "ana")
    ana.show_others()
    document = ana.documents[0]
    (passage,) = ana.others[0].annotations(document).items
    assert document.text[passage.start:passage.end] == THEIRS
    ana.close()
    assert team["bea"].read_bytes() == before


# -- the reader -----------------------------------------------------------------------------------


def style_at(view: DocumentView, offset: int) -> Style:
    """The style of the cell showing the character at ``offset`` (a row without tabs)."""
    rows = view.layout_rows
    row = rows.row_of(offset)
    column = GUTTER_WIDTH + offset - rows.row_span(row)[0]
    position = 0
    for segment in view.render_line(row - view.scroll_offset.y):
        if position <= column < position + len(segment.text):
            return segment.style
        position += len(segment.text)
    raise AssertionError(f"offset {offset} is not on screen")


def reader_app(corpus_dir: Path, show_others: bool) -> MarginApp:
    return MarginApp(coder(corpus_dir, "ana"), panes=2, show_others=show_others)


async def go_to(pilot, needle: str) -> DocumentView:
    """Search the focused pane for ``needle``: the cursor lands on its first character."""
    await pilot.press("slash", *needle, "enter")
    await pilot.pause()
    return pilot.app.reader.current_pane.view


def bar_text(app: MarginApp) -> str:
    return str(app.reader.query_one(DatabaseBar).render())


async def test_without_the_flag_only_own_passages_are_painted(corpus_dir: Path, team) -> None:
    app = reader_app(corpus_dir, show_others=False)
    async with app.run_test(size=(160, 48)) as pilot:
        view = await go_to(pilot, "from the Department")  # the cursor off the first characters
        text = view.document.text
        theirs, mine, plain = text.index(THEIRS), text.index(MINE), text.index("Cite as")
        assert style_at(view, theirs) == style_at(view, plain)  # theirs look like uncoded text
        assert style_at(view, mine) != style_at(view, plain)
        assert "other coder" not in bar_text(app)


async def test_with_the_flag_theirs_are_muted_and_a_digit_never_changes_their_database(
        corpus_dir: Path, team) -> None:
    coders = team["bea"].parent
    before, mine = theirs_on_disk(coders), team["ana"].read_bytes()
    app = reader_app(corpus_dir, show_others=True)
    async with app.run_test(size=(160, 48)) as pilot:
        view = await go_to(pilot, "from the Department")
        text = view.document.text
        theirs, mine = text.index(THEIRS), text.index(MINE)
        muted, own = style_at(view, theirs), style_at(view, mine)
        assert muted.underline and muted.dim and muted.bgcolor is not None
        assert not own.underline and not own.dim and own.bgcolor != muted.bgcolor
        for pane in app.reader.panes:  # every pane paints them
            if pane.document is view.document:
                assert style_at(pane.view, theirs).underline
        assert "showing 1 other coder (read-only)" in bar_text(app)

        await pilot.press("x")  # nothing of mine under the cursor: theirs is not removed
        await pilot.press("2")  # tags my own paragraph, not their passage
        await pilot.pause()
        workspace = app.workspace
        (paragraph,) = [a for a in workspace.annotations(view.document).items if a.quote != MINE]
        assert paragraph.themes == (workspace.theme_for_key(2).id,)
        assert paragraph.start <= theirs and THEIRS in paragraph.quote
        assert [a.quote for a in workspace.others[0].annotations(view.document).items] == [THEIRS]
    assert team["ana"].read_bytes() != mine  # mine changed…
    assert theirs_on_disk(coders) == before  # …theirs not, byte for byte


async def test_ctrl_o_hides_and_shows_the_others(corpus_dir: Path, team) -> None:
    app = reader_app(corpus_dir, show_others=False)
    async with app.run_test(size=(160, 48)) as pilot:
        view = await go_to(pilot, "from the Department")
        theirs = view.document.text.index(THEIRS)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert style_at(view, theirs).underline
        assert "showing 1 other coder (read-only)" in bar_text(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert not style_at(view, theirs).underline
        assert "other coder" not in bar_text(app)


async def test_a_damaged_other_is_one_notice_and_the_rest_show(corpus_dir: Path, team) -> None:
    (team["bea"].parent / "cid.json").write_text("{not json", encoding="utf-8")
    app = reader_app(corpus_dir, show_others=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        notices = [n.message for n in app._notifications]
        assert [n for n in notices if "cid.json" in n and "not shown" in n]
        assert "showing 1 other coder (read-only)" in bar_text(app)


def test_show_others_snapshot(snap_compare, corpus_dir: Path, team, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus_dir.parent)  # the database bar shows a stable relative path

    async def settle(pilot) -> None:
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()

    app = MarginApp(Workspace.open([Path("seeds")], database=Path("annotations/annotations.json"), coder="ana"),
                    panes=2, show_others=True)
    assert snap_compare(app, terminal_size=(160, 48), run_before=settle)


# -- the command line -----------------------------------------------------------------------------


def test_serve_team_passes_show_others_to_every_tab() -> None:
    serve, passed, reader = served_arguments(["--team", "--show-others"])
    assert serve.team and reader.show_others
    assert "--show-others" in served_command(passed, serve.team).split()


def test_the_asking_app_of_a_team_tab_shows_others(corpus_dir: Path, team, monkeypatch) -> None:
    from tui.cli import build_parser
    from tui.team import asking_app

    monkeypatch.chdir(corpus_dir.parent)
    app = asking_app(build_parser().parse_args(["seeds", "--show-others"]))
    assert app.show_others
