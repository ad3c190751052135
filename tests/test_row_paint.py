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


def test_bidi_controls_in_a_row_are_visible_stand_ins_one_cell_each() -> None:
    from rich.style import Style

    from tui.core.text import TextIndex
    from tui.ui.layout import WrappedText, cell_width

    raw = "pay \u202eredro\u202c now \u2067x\u2069\u200f"
    text = styled_row(raw, [(4, 11, Style(bold=True))])
    assert text.plain == "pay \ufffdredro\ufffd now \ufffdx\ufffd\ufffd"
    assert [span for span in text.spans] == [type(text.spans[0])(4, 11, Style(bold=True))]
    assert cell_width(raw) == text.cell_len  # the layout measures what is drawn
    wrapped = WrappedText(raw, TextIndex(raw), 8)
    wrapped.ensure(0, 100)
    rows = [wrapped.row_span(row) for row in range(wrapped.row_count)]
    assert "".join(raw[start:end] for start, end in rows) == raw
    assert all(styled_row(raw[start:end], []).cell_len <= 8 for start, end in rows)
