"""The colour chooser (``k`` in the codebook): the palette's swatches by name, with the themes
that already wear each, or any ``#rrggbb`` typed in."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core import Theme
from ...core.codebook import SWATCHES, parse_color
from ...core.text import displayable
from .filter_list import FilterList


class ColourChooser(FilterList[str | None]):
    """Dismissed with the chosen ``#rrggbb``, or None. Free colours are listed first (the
    theme's own last among them), so Enter keeps every theme distinct; a taken one says whose
    it is."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="colours.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="colours.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="colours.up"),
    ]
    BOX_ID, PREFIX, PLACEHOLDER = "colour-chooser", "colour", "Colour name or #rrggbb…"

    def __init__(self, theme: Theme, themes: list[Theme]) -> None:
        super().__init__()
        self.theme = theme
        self.wearers: dict[str, list[str]] = {}
        for other in themes:
            if other.id != theme.id:
                self.wearers.setdefault(other.color.casefold(), []).append(other.name)

    def heading(self) -> str:
        return f"Colour for {self.theme.name}: type a name to filter, or #rrggbb"

    def refill(self, options: OptionList, typed: str) -> None:
        """Free colours first (the first of them highlighted: Enter gives the theme a colour of
        its own), or the colour typed as ``#rrggbb``."""
        typed_color = parse_color(typed)
        if typed_color:
            names = [name for name, color in SWATCHES if color == typed_color]
            swatches = [(names[0] if names else "as typed", typed_color)]
        else:
            wanted = typed.strip().casefold()
            current = self.theme.color.casefold()
            swatches = sorted(((name, color) for name, color in SWATCHES if wanted in name),
                              key=lambda swatch: (swatch[1] in self.wearers, swatch[1] == current))
        options.add_options(self._option(name, color) for name, color in swatches)

    def _option(self, name: str, color: str) -> Option:
        prompt = Text()
        prompt.append("████", style=Style(color=color))
        prompt.append(f"  {name:<15} {color}", style="bold" if color == self.theme.color.casefold() else "")
        wearers = self.wearers.get(color)
        if color == self.theme.color.casefold():
            prompt.append("   current", style="dim")
        elif wearers:
            prompt.append("   used by " + displayable(", ".join(wearers)), style="dim")
        else:
            prompt.append("   free", style="dim")
        return Option(prompt, id=color)

    def choose(self, option_id: str | None) -> None:
        self.dismiss(option_id)
