"""Snapshots of the main screens; refresh with ``pytest --snapshot-update`` after a deliberate change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core import Workspace
from tui.ui.app import MarginApp

SIZE = (140, 40)


@pytest.fixture
def app(corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> MarginApp:
    monkeypatch.chdir(corpus_dir.parent)  # the database bar shows a stable relative path
    return MarginApp(Workspace.open([Path("seeds")], author="snapshot"))


async def tag_two_passages(pilot) -> None:
    """Search, tag a sentence with two themes and a paragraph with one: overlaps on screen."""
    for key in ("slash", *"pledged", "enter", "s", "1", "3", "escape", "j", "j", "p", "5", "escape"):
        await pilot.press(key)
    pilot.app.clear_notifications()  # toasts expire on a timer: keep the picture deterministic


def test_reader_with_highlights(snap_compare, app: MarginApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=tag_two_passages)


def test_theme_picker(snap_compare, app: MarginApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, press=["right_curly_bracket", "right_curly_bracket", "t", "t", "r"])


def test_help_screen(snap_compare, app: MarginApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])


def test_statistics_screen(snap_compare, app: MarginApp) -> None:
    async def tag_then_open_statistics(pilot) -> None:
        await tag_two_passages(pilot)
        await pilot.press("S", "right", "right")  # the theme × document heat map

    assert snap_compare(app, terminal_size=SIZE, run_before=tag_then_open_statistics)


def test_reader_with_coding_stripes(snap_compare, app: MarginApp) -> None:
    """Wide enough for coding stripes beside each pane: three themes in overlapping lanes."""

    async def tag_overlapping(pilot) -> None:
        await tag_two_passages(pilot)
        for key in ("slash", *"reigns", "enter", "v", "right_curly_bracket", "j", "j", "2", "escape"):
            await pilot.press(key)
        pilot.app.clear_notifications()

    assert snap_compare(app, terminal_size=(160, 48), run_before=tag_overlapping)


# -- every screen at the smallest supported terminal and a large one (issue #14) ---------------
#
# Each scenario starts from the same coded corpus: a private copy of the seeds, a fresh
# database under tmp_path, the author "snapshot" and one fixed timestamp for every change, so
# the browser's dates and the memo's annotation never depend on the day the test runs.

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
FIXED_TIME = "2026-11-22T13:24:24+00:00"

# (document index, start of the passage, its length, theme keys): near the top of each
# document, so every pane shows highlights even at 24 rows; two overlap in document 0.
CODED = [
    (0, "When Secretary Janet Napolitano", 160, (5,)),
    (0, "she pledged to improve", 40, (6, 1)),
    (1, "ICE meets with Mexican officials", 81, (5, 8)),
    (2, "Houston Representatives", 120, (2,)),
    (3, "Combating human smuggling", 100, (1, 7)),
    (4, "Suzanne J. Petrie currently serves", 110, (5,)),
]
MEMO = "Napolitano frames the visit as cooperation.\nCompare with the ICE summit in Brownsville."


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every annotation's ``created``/``modified`` (and the database's) is this instant."""
    import tui.core.store

    monkeypatch.setattr(tui.core.store, "now", lambda: FIXED_TIME)
    return FIXED_TIME


def code_corpus(workspace: Workspace) -> None:
    """Tag the CODED passages (as digits would) and write a memo on the first."""
    for index, needle, length, keys in CODED:
        document = workspace.documents[index]
        start = document.text.index(needle)
        for key in keys:
            workspace.toggle_theme(document, start, start + length, workspace.theme_for_key(key))
    first = workspace.documents[0]
    (annotation, *_) = workspace.annotations(first).items
    workspace.set_note(first, annotation, MEMO)


@pytest.fixture
def coded_workspace(corpus_dir: Path, fixed_clock: str, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.chdir(corpus_dir.parent)  # the database bar shows a stable relative path
    workspace = Workspace.open([Path("seeds")], author="snapshot")
    code_corpus(workspace)
    return workspace


@pytest.fixture
def coded_app(coded_workspace: Workspace) -> MarginApp:
    return MarginApp(coded_workspace)


def pressing(*keys: str, typed: str = "", then: tuple[str, ...] = ()):
    """A ``run_before`` that presses ``keys``, types ``typed`` character by character, presses
    ``then``, and clears the toasts (they expire on a timer: the picture stays deterministic).
    Toasts raised at start-up (a changed document) are cleared before the keys too: clearing
    later repaints only the top screen, and a modal would show them, stale, on the reader."""

    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.press(*keys, *typed, *then)
        await pilot.pause()
        pilot.app.clear_notifications()
        wrap_every_pane(pilot.app)
        steady_cursors(pilot.app)
        await pilot.pause()

    return run_before


def steady_cursors(app: MarginApp) -> None:
    """Stop the text cursors blinking: otherwise a picture has the cursor or not, by timing."""
    from textual.widgets import Input, TextArea

    for screen in app.screen_stack:
        for editor in screen.query("Input, TextArea"):
            if isinstance(editor, Input | TextArea):
                editor.cursor_blink = False


def wrap_every_pane(app: MarginApp) -> None:
    """Wrap the panes' (small) documents through, so that their scrollbars show the exact
    height. A pane wraps lazily, as rows are painted, and its thumb follows: which rows had
    been painted when the picture is taken (under a modal, say) depends on timing, and the
    thumb with it."""
    from tui.ui.widgets.document_view import DocumentView

    for view in app.reader.query(DocumentView):
        view.layout_rows.ensure(0, view.layout_rows.row_count + 1_000_000)
        view._sync_virtual_size()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("panes", [1, 2, 3, 4])
def test_reader_panes(snap_compare, coded_workspace: Workspace, panes: int, size) -> None:
    """The reader with 1–4 panes over the coded documents, the cursor in the first pane."""
    assert snap_compare(MarginApp(coded_workspace, panes=panes), terminal_size=size, run_before=pressing())


# The screens the reader opens, each reached with its keys as the README's table says.
SCREENS = {
    "browser": pressing("a"),
    "codebook": pressing("c"),
    # Bilateral cooperation under Drug trafficking, Information sharing two levels down: the tree
    "codebook_nested": pressing("c", *["down"] * 4, "greater_than_sign", "down", "greater_than_sign",
                                "greater_than_sign"),
    "colour_chooser": pressing("c", "k"),  # for the first theme, Human smuggling
    # on the annotation tagged 6 and 1, inside the one tagged 5: the picker ticks 6 and 1
    "theme_picker": pressing("slash", typed="pledged", then=("enter", "t")),
    # the annotation with the memo (only the outer one covers "Janet")
    "memo_editor": pressing("slash", typed="Janet", then=("enter", "m")),
    "memo_unsaved_question": pressing("slash", typed="Janet", then=("enter", "m", "enter", *"Also Texas.", "escape")),
    "export_formats": pressing("e"),
    "search_results": pressing("F", typed="border", then=("enter",)),
    "autocode_picker": pressing("F", typed="smuggling", then=("enter", "t")),
    "autocode_scope_question": pressing("F", typed="smuggling", then=("enter", "t", *"Human", "enter")),
    "statistics_themes": pressing("S"),
    "statistics_documents": pressing("S", "right"),
    "statistics_theme_by_document": pressing("S", "right", "right"),
    "statistics_cooccurrence": pressing("S", "right", "right", "right"),
    "help": pressing("question_mark"),
    "theme_view": pressing("T", *"Bilateral", "enter"),
    "theme_view_side_by_side": pressing("T", *"Bilateral", "enter", "2", "t", *"Human", "enter"),
    "query": pressing("Q", typed='"Bilateral cooperation" OR "Human smuggling"', then=("enter",)),
    "document_list": pressing("o", "j"),
    "matrix_without_attributes": pressing("M"),  # the corpus has no attributes.csv: how to add one
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, coded_app: MarginApp, screen: str, size) -> None:
    assert snap_compare(coded_app, terminal_size=size, run_before=SCREENS[screen])


@pytest.mark.parametrize("size", SIZES)
def test_export_path_prompt(snap_compare, coded_app: MarginApp, monkeypatch: pytest.MonkeyPatch, size) -> None:
    """The second question of ``e``: where to write the CSV. The prompt shows the default
    file's absolute path, which lives under tmp_path; here it is shown relative instead."""
    import os

    from tui.ui.screens import export

    default_output = export.default_output
    monkeypatch.setattr(export, "default_output", lambda workspace, fmt: Path(os.path.relpath(default_output(workspace, fmt))))
    assert snap_compare(coded_app, terminal_size=size, run_before=pressing("e", "c"))


@pytest.fixture
def orphaned_app(corpus_dir: Path, fixed_clock: str, monkeypatch: pytest.MonkeyPatch) -> MarginApp:
    """The coded corpus, then document 1 (in the second pane) edited on disk so that its
    coded headline cannot be found any more: one orphan, announced when the reader opens."""
    monkeypatch.chdir(corpus_dir.parent)
    workspace = Workspace.open([Path("seeds")], author="snapshot")
    code_corpus(workspace)
    workspace.close()
    path = corpus_dir / "001_fbca61ee7d44385f.txt"
    headline = "ICE meets with Mexican officials, Valley law enforcement to discuss border issues"
    text = path.read_text(encoding="utf-8")
    assert headline in text
    path.write_text(text.replace(headline, "A headline rewritten since it was coded"), encoding="utf-8")
    return MarginApp(Workspace.open([Path("seeds")], author="snapshot"))


@pytest.mark.parametrize("size", SIZES)
def test_reader_with_an_orphan(snap_compare, orphaned_app: MarginApp, size) -> None:
    """The database bar's ORPHAN banner, first so that 80 columns keep it."""
    assert snap_compare(orphaned_app, terminal_size=size, run_before=pressing())


@pytest.mark.parametrize("size", SIZES)
def test_orphans_screen(snap_compare, orphaned_app: MarginApp, size) -> None:
    assert snap_compare(orphaned_app, terminal_size=size, run_before=pressing("O"))


@pytest.mark.parametrize("size", SIZES)
def test_orphans_screen_with_a_selection(snap_compare, orphaned_app: MarginApp, size) -> None:
    """With a passage selected, the heading names where Enter would re-attach the orphan."""
    run_before = pressing("tab", "slash", typed="A headline", then=("enter", "s", "O"))
    assert snap_compare(orphaned_app, terminal_size=size, run_before=run_before)


def test_compare_screen(snap_compare, corpus_dir: Path, fixed_clock: str) -> None:
    """``margin compare ana ben`` at 160×48: one disagreement settled (accepted from ana),
    the cursor back on an open one above it, both marked in both panes."""
    from test_adjudication import code, project

    from tui.core.adjudication import open_adjudication
    from tui.ui.compare_app import CompareApp

    workspace = Workspace.open([corpus_dir], database=project(corpus_dir))
    first, second = workspace.themes[0].name, workspace.themes[1].name
    workspace.close()
    coders = (code(corpus_dir, "ana", [(0, 0, 40, first), (0, 300, 420, first), (0, 600, 700, second)]),
              code(corpus_dir, "ben", [(0, 0, 40, first), (0, 350, 460, first), (0, 600, 700, first)]))
    consensus = Workspace.open_database(project(corpus_dir), for_writing=True)
    app = CompareApp(open_adjudication(consensus, *coders))
    assert snap_compare(app, terminal_size=(160, 48), press=["n", "a", "N"])


ATTRIBUTES = """file,country,source
000_2e8d550788efb0f9.txt,US,agency
001_fbca61ee7d44385f.txt,MX,agency
002_81fda8538c83a8a5.txt,US,press
003_01583b8023f0dd0e.txt,MX,ngo
"""


@pytest.fixture
def attributed_app(corpus_dir: Path, fixed_clock: str, monkeypatch: pytest.MonkeyPatch) -> MarginApp:
    """The coded corpus with an attributes.csv (the last document has none)."""
    (corpus_dir / "attributes.csv").write_text(ATTRIBUTES, encoding="utf-8")
    monkeypatch.chdir(corpus_dir.parent)
    workspace = Workspace.open([Path("seeds")], author="snapshot")
    code_corpus(workspace)
    return MarginApp(workspace)


def test_matrix_by_attribute(snap_compare, attributed_app: MarginApp) -> None:
    """The heat map by country, the cursor on Human smuggling × MX."""
    assert snap_compare(attributed_app, terminal_size=(160, 48), run_before=pressing("M", "j"))


def test_matrix_cell_passages(snap_compare, attributed_app: MarginApp) -> None:
    """Enter on Bilateral cooperation × US (the fifth theme): the passages it counts."""
    assert snap_compare(attributed_app, terminal_size=(160, 48), run_before=pressing("M", *"llll", "enter"))
