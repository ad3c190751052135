"""The codebook (``c``): every theme with its counts, grouped one level deep, and the edits
a codebook needs: create, rename, describe, recolour, reorder, group, merge, delete.
Each is saved at once and undoable with ``u`` in the reader.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...core import StoreError, Theme, Workspace
from ...core.text import counted, displayable
from ..theme_chips import chip
from .colour_chooser import ColourChooser
from .prompt import ChoicePrompt, TextPrompt
from .theme_picker import PickedTheme, ThemePicker


class CodebookScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Back to reading", id="codebook.close"),
        Binding("n", "create", "New", id="codebook.new"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("e", "describe", "Describe", id="codebook.describe"),
        Binding("k", "recolour", "Colour", id="codebook.colour"),
        Binding("K", "move(-1)", "Move up", id="codebook.move-up"),
        Binding("J", "move(1)", "Move down", id="codebook.move-down"),
        Binding("g", "group", "Group under", id="codebook.group"),
        Binding("G", "ungroup", "Ungroup", show=False, id="codebook.ungroup"),
        Binding("M", "merge", "Merge into", id="codebook.merge"),
        Binding("d", "delete", "Delete", id="codebook.delete"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        yield Static(Text("Codebook · K/J reorder (digit keys follow) · g groups (digit keys stay)"),
                     id="codebook-title")
        yield OptionList(id="codebook-themes")
        yield Footer()

    def on_mount(self) -> None:
        self.refill()
        self.query_one(OptionList).focus()

    def refill(self, keep: int | None = None) -> None:
        """Redraw the list, keeping the highlight on theme ``keep`` (or where it was)."""
        options = self.query_one(OptionList)
        current = keep if keep is not None else self._current_id()
        counts = self.workspace.theme_counts()
        options.clear_options()
        options.add_options(self._option(theme, counts[theme.id]) for theme in self.workspace.themes)
        ids = [theme.id for theme in self.workspace.themes]
        options.highlighted = ids.index(current) if current in ids else (0 if ids else None)

    def _option(self, theme: Theme, counts: tuple[int, int]) -> Option:
        prompt = Text("    " if theme.parent else "")
        prompt.append_text(chip(theme))
        prompt.append(f" {theme.key or ' '}  ", style="dim")
        prompt.append(displayable(theme.name), style="bold")
        annotations, documents = counts
        prompt.append(f"   {counted(annotations, 'annotation')} in {counted(documents, 'document')}", style="dim")
        if theme.description:
            prompt.append(("\n        " if theme.parent else "\n    ") + displayable(theme.description), style="italic dim")
        return Option(prompt, id=str(theme.id))

    def _current_id(self) -> int | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        return int(options.get_option_at_index(options.highlighted).id)

    @property
    def current(self) -> Theme | None:
        theme_id = self._current_id()
        return self.workspace.theme(theme_id) if theme_id is not None else None

    def _apply(self, change: Callable[[], object], message: str, keep: int | None = None) -> None:
        """Make a codebook change, tell the user, redraw; problems are told, not raised."""
        try:
            change()
        except (StoreError, ValueError) as error:
            self.notify(str(error), title="Not changed", severity="error", markup=False)
            return
        self.notify(message, markup=False, timeout=3)
        self.refill(keep)

    def _ask_theme(self, exclude: Theme, title: str, then: Callable[[Theme], None],
                   groups_only: bool = False) -> None:
        """Pick another theme (only top-level ones, which can be groups, if ``groups_only``)."""
        themes = [theme for theme in self.workspace.themes
                  if theme.id != exclude.id and not (groups_only and theme.parent is not None)]

        def picked(choice: PickedTheme | None) -> None:
            if choice is not None and choice.theme is not None:
                then(choice.theme)

        self.app.push_screen(ThemePicker(themes, set(), title=title, creates=False), picked)

    def action_create(self) -> None:
        def create(name: str | None) -> None:
            if name:
                self._apply(lambda: self.workspace.create_theme(name), f"Created theme {name.strip()}")

        self.app.push_screen(TextPrompt("Name of the new theme:"), create)

    def action_rename(self) -> None:
        theme = self.current
        if theme is None:
            return

        def rename(name: str | None) -> None:
            if name and name != theme.name:
                self._apply(lambda: self.workspace.update_theme(theme, name=name), f"Renamed to {name.strip()}")

        self.app.push_screen(TextPrompt(f"Rename {theme.name} to:", theme.name), rename)

    def action_describe(self) -> None:
        theme = self.current
        if theme is None:
            return

        def describe(text: str | None) -> None:
            if text is not None:
                self._apply(lambda: self.workspace.update_theme(theme, description=text.strip()), "Description saved")

        self.app.push_screen(TextPrompt(f"What {theme.name} covers:", theme.description), describe)

    def action_recolour(self) -> None:
        theme = self.current
        if theme is None:
            return

        def recolour(colour: str | None) -> None:
            if colour is not None and colour != theme.color:
                recoloured = partial(self.workspace.update_theme, theme, color=colour)
                self._apply(recoloured, f"{theme.name} is now {colour}")

        self.app.push_screen(ColourChooser(theme, self.workspace.themes), recolour)

    def action_move(self, delta: int) -> None:
        theme = self.current
        if theme is not None:
            self._apply(lambda: self.workspace.move_theme(theme, delta), f"Moved {theme.name}")

    def action_group(self) -> None:
        theme = self.current
        if theme is not None:
            self._ask_theme(theme, f"Group {theme.name} under…", lambda parent: self._apply(
                lambda: self.workspace.set_parent(theme, parent), f"{theme.name} is now under {parent.name}"),
                groups_only=True)

    def action_ungroup(self) -> None:
        theme = self.current
        if theme is not None and theme.parent is not None:
            self._apply(lambda: self.workspace.set_parent(theme, None), f"{theme.name} is top-level again")

    def action_merge(self) -> None:
        theme = self.current
        if theme is not None:
            self._merge(theme, f"Merge {theme.name} into…")

    def _merge(self, theme: Theme, title: str) -> None:
        self._ask_theme(theme, title, lambda target: self._apply(
            lambda: self.workspace.merge_theme(theme, target),
            f"Merged {theme.name} into {target.name}", keep=target.id))

    def action_delete(self) -> None:
        theme = self.current
        if theme is None:
            return
        annotations, _ = self.workspace.theme_counts()[theme.id]
        if not annotations:
            self._apply(lambda: self.workspace.delete_theme(theme), f"Deleted {theme.name}")
            return
        sole = self.workspace.sole_theme_of(theme)
        remove = f"remove it from its {counted(annotations, 'annotation')}"
        if sole:
            remove += f" (deleting the {sole} it is the only theme of)"

        def answer(choice: str | None) -> None:
            if choice == "r":
                self._apply(lambda: self.workspace.delete_theme(theme), f"Deleted {theme.name}")
            elif choice == "m":
                self._merge(theme, f"Move the annotations of {theme.name} to…")

        self.app.push_screen(ChoicePrompt(
            f"Delete {theme.name}? It is on {counted(annotations, 'annotation')}.",
            {"r": remove, "m": "move them to another theme (merge)"}), answer)
