"""Theme chips: the coloured mark that stands for a theme wherever Margin names one.

One helper for every screen (reader status, gutter, browser, codebook, picker, orphans,
theme view), so a chip looks the same everywhere. Names are untrusted: they go through
``displayable`` into ``Text``, never into markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from ..core import Theme
from ..core.codebook import PATH_SEPARATOR
from ..core.text import displayable

CHIP = "▌"


FALLBACK_COLOUR = "#999999"  # the palette's grey


def safe_colour(colour: str) -> str:
    """``colour`` if it is ``#rrggbb``, else grey: the database refuses any other colour, and
    one that slipped through must not crash or hang a screen that parses it."""
    return colour if _RRGGBB.fullmatch(colour) else FALLBACK_COLOUR


_RRGGBB = re.compile(r"#[0-9A-Fa-f]{6}")


def _colour(theme: Theme | str) -> str:
    return safe_colour(theme if isinstance(theme, str) else theme.color)


def chip(theme: Theme | str) -> Text:
    """One chip in the theme's colour (or in a colour given as ``#rrggbb``)."""
    text = Text(end="")
    text.append(CHIP, Style(color=_colour(theme)))
    return text


def chip_segment(theme: Theme | str, base: Style | None = None) -> Segment:
    """One chip as a segment, over ``base``, for Line-API widgets."""
    style = Style(color=_colour(theme))
    return Segment(CHIP, base + style if base else style)


def chips(themes: Iterable[Theme], separator: str = ", ",
          ancestors_of: Callable[[Theme], list[Theme]] | None = None) -> Text:
    """Each theme as a chip and its name, joined by ``separator``; with ``ancestors_of``, a
    nested theme is shown with its path, ``Security › Arms › Firearms`` (the ancestors dim)."""
    text = Text(end="")
    for number, theme in enumerate(themes):
        if number:
            text.append(separator)
        text.append_text(chip(theme))
        ancestors = ancestors_of(theme) if ancestors_of and theme.parent is not None else []
        if ancestors:
            text.append(displayable(PATH_SEPARATOR.join(t.name for t in ancestors)) + PATH_SEPARATOR, style="dim")
        text.append(displayable(theme.name))
    return text
