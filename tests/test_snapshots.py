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
