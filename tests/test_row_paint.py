"""Where theme colours fall on a row: the innermost passage wins, overlaps are marked."""

from __future__ import annotations

from types import SimpleNamespace

from tui.ui.row_paint import highlight_runs, styled_row


def passage(start: int, end: int, colour: str, themes: int = 1):
    return SimpleNamespace(start=start, end=end, themes=tuple(range(themes)), colour=colour)


def test_innermost_colour_wins_and_overlaps_are_marked() -> None:
    outer, inner = passage(0, 20, "red"), passage(5, 8, "blue")
    assert highlight_runs(0, 20, [outer, inner], lambda a: a.colour) == [
        (0, 5, "red", False), (5, 8, "blue", True), (8, 20, "red", False)]


def test_a_row_shows_only_its_part_of_a_passage() -> None:
    long = passage(0, 100, "green", themes=2)  # two themes on one passage: overlapped
    assert highlight_runs(40, 60, [long], lambda a: a.colour) == [(0, 20, "green", True)]


def test_tabs_expand_and_styles_follow() -> None:
    from rich.style import Style

    text = styled_row("a\tb", [(2, 3, Style(bold=True))])
    assert text.plain == "a    b"
    assert [(span.start, span.end) for span in text.spans] == [(5, 6)]
