"""The one theme-chip helper and the one "Not saved" notice."""

from __future__ import annotations

from types import SimpleNamespace

from rich.style import Style
from textual.color import Color

from tui.ui.notices import notify_not_saved
from tui.ui.theme_chips import CHIP, FALLBACK_COLOUR, chip, chip_segment, chips, safe_colour


def theme(theme_id: int, name: str, color: str, parent: int | None = None):
    return SimpleNamespace(id=theme_id, name=name, color=color, parent=parent)


def test_chips_name_each_theme_after_a_chip_in_its_colour_literally() -> None:
    text = chips([theme(1, "[bold]Arms\x1b", "#ff0000"), theme(2, "Safety", "#00ff00")])
    assert text.plain == f"{CHIP}[bold]Arms␛, {CHIP}Safety"
    coloured = [(text.plain[span.start:span.end], span.style.color) for span in text.spans]
    assert coloured == [(CHIP, Style(color="#ff0000").color), (CHIP, Style(color="#00ff00").color)]


def test_nested_themes_show_their_path_literally() -> None:
    top, group = theme(1, "[b]Crime", "#ff0000"), theme(2, "Trade", "#0000ff", parent=1)
    ancestors = {2: [top], 3: [top, group]}
    text = chips([theme(3, "Arms", "#00ff00", parent=2), top], ancestors_of=lambda t: ancestors.get(t.id, []))
    assert text.plain == f"{CHIP}[b]Crime › Trade › Arms, {CHIP}[b]Crime"


def test_one_chip_from_a_theme_or_a_colour_and_as_a_segment_over_a_base() -> None:
    assert chip("#123456").spans[0].style.color == Style(color="#123456").color
    segment = chip_segment(theme(1, "x", "#123456"), Style(bold=True))
    assert segment.text == CHIP and segment.style.bold and segment.style.color == Style(color="#123456").color


def test_not_saved_is_an_error_that_is_never_markup() -> None:
    said = []
    node = SimpleNamespace(notify=lambda *args, **kwargs: said.append((args, kwargs)))
    notify_not_saved(node, OSError("[red]disk full"))
    assert said == [(("[red]disk full",), {"title": "Not saved", "severity": "error", "markup": False,
                                            "timeout": 15})]


def test_a_colour_that_is_not_rrggbb_shows_grey_instead_of_crashing_the_screen() -> None:
    grey = Style(color=FALLBACK_COLOUR).color
    for bad in ["notacolor", "red;\x1b[31m", "#12345", ""]:
        assert chip(bad).spans[0].style.color == grey
        assert chip_segment(theme(1, "x", bad)).style.color == grey
        assert safe_colour(bad) == FALLBACK_COLOUR
    assert safe_colour("#ABCDEF") == "#ABCDEF"
    Color.parse(safe_colour("red;\x1b[31m"))  # what the document view parses for a highlight
