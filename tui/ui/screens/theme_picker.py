"""The theme picker (``t``): type to filter the codebook, Enter to apply, a new name to create."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ...core import StoreError, Theme, Workspace
from ...core.codebook import PATH_SEPARATOR, ThemeTree
from ...core.text import displayable
from ..theme_chips import chip
from .filter_list import FilterList

_CREATE = "create"


def chosen_theme(screen: Screen, workspace: Workspace, picked: PickedTheme | None) -> Theme | None:
    """The theme a picker's result names, creating it first when the user typed a new name.

    Problems (a duplicate name, a read-only database) are told on ``screen``; None then.
    """
    if picked is None or not picked.new_name:
        return picked.theme if picked else None
    try:
        theme = workspace.create_theme(picked.new_name)
    except (ValueError, StoreError) as error:
        screen.notify(str(error), severity="error", markup=False)
        return None
    key = f" on key {theme.key}" if theme.key else ""
    screen.notify(f"Created theme {theme.name}{key}", markup=False, timeout=3)
    return theme


@dataclass(frozen=True)
class PickedTheme:
    """What the user chose: an existing theme, or the name of one to create."""

    theme: Theme | None = None
    new_name: str | None = None


class ThemePicker(FilterList[PickedTheme | None]):
    """Filter-as-you-type list of themes; themes already on the passage are ticked.

    The same list serves to tag, to choose a group, a merge target or a theme to show, so the
    caller gives the ``title`` that says which; ``creates`` offers to create a theme from a
    new name (only where a new theme makes sense). Typing matches a theme's whole path
    (``arms`` finds ``Security › Arms › Firearms``); ``tree`` is the whole codebook's, so a
    list that leaves some themes out still names the rest where they sit."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]
    BOX_ID, PREFIX, PLACEHOLDER = "picker", "picker", "Theme name…"

    def __init__(self, themes: list[Theme], applied: set[int], *, title: str, creates: bool = True,
                 tree: ThemeTree | None = None) -> None:
        super().__init__()
        self.themes = themes
        self.nesting = tree or ThemeTree(themes)
        self.listed = {theme.id for theme in themes}
        self.applied = applied
        self.title = title
        self.creates = creates

    def heading(self) -> str:
        return self.title

    def refill(self, options: OptionList, typed: str) -> None:
        wanted = " ".join(typed.split())
        matching = [theme for theme in self.themes if wanted.casefold() in self.nesting.path(theme).casefold()]
        options.add_options(self._option(theme, bool(wanted)) for theme in matching)
        exists = any(theme.name.casefold() == wanted.casefold() for theme in self.themes)
        if self.creates and wanted and not exists:
            prompt = Text("+ Create theme “")
            prompt.append(displayable(wanted), style="bold")
            prompt.append("”")
            options.add_option(Option(prompt, id=_CREATE))

    def _option(self, theme: Theme, filtered: bool = False) -> Option:
        prompt = Text()
        prompt.append("✓ " if theme.id in self.applied else "  ", style="bold")
        ancestors = self.nesting.ancestors(theme)
        named = bool(ancestors) and (filtered or ancestors[-1].id not in self.listed)  # its parent is not above it
        prompt.append("" if named else "  " * len(ancestors))  # else under the theme above it, at its depth
        prompt.append_text(chip(theme))
        prompt.append(f" {theme.key or ' '}  ", style="dim")
        if named:
            prompt.append(displayable(PATH_SEPARATOR.join(t.name for t in ancestors)) + PATH_SEPARATOR, style="dim")
        prompt.append(displayable(theme.name))
        return Option(prompt, id=str(theme.id))

    def choose(self, option_id: str | None) -> None:
        if option_id == _CREATE:
            self.dismiss(PickedTheme(new_name=" ".join(self.query_one(Input).value.split())))
            return
        theme = next((theme for theme in self.themes if str(theme.id) == option_id), None)
        self.dismiss(PickedTheme(theme=theme) if theme else None)
