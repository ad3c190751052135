"""The colour chooser (``k`` in the codebook): the palette's swatches by name, with the themes
that already wear each, or any ``#rrggbb`` typed in."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ...core import Theme
from ...core.codebook import SWATCHES, parse_color
from ...core.text import displayable


class ColourChooser(ModalScreen[str | None]):
    """Dismissed with the chosen ``#rrggbb``, or None. Free colours are listed first (the
    theme's own last among them), so Enter keeps every theme distinct; a taken one says whose
    it is."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="colours.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="colours.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="colours.up"),
    ]

    def __init__(self, theme: Theme, themes: list[Theme]) -> None:
        super().__init__()
        self.theme = theme
        self.wearers: dict[str, list[str]] = {}
        for other in themes:
            if other.id != theme.id:
                self.wearers.setdefault(other.color.casefold(), []).append(other.name)

    def compose(self) -> ComposeResult:
        with Vertical(id="colour-chooser"):
            yield Static(Text(f"Colour for {displayable(self.theme.name)}: type a name to filter, or #rrggbb"),
                         id="colour-title")
            yield Input(placeholder="Colour name or #rrggbb…", id="colour-filter")
            yield OptionList(id="colour-options")

    def on_mount(self) -> None:
        self._fill("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, typed: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
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
        if swatches:
            options.highlighted = 0  # the first free colour: Enter gives the theme a colour of its own

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

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
