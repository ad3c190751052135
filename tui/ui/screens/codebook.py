"""The codebook (``c``): every theme as a tree, nested at any depth, with its own counts and
those rolled up from the themes under it, and the edits a codebook needs: create, rename,
describe, recolour, reorder, indent and outdent, move under another theme, merge, delete.
Each is saved at once and undoable with ``u`` in the reader. ``←`` and ``→`` fold and unfold
a theme's subtree (for this visit only: folding is a way of looking, not a change).
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


def counts_text(annotations: int, documents: int) -> str:
    return f"{counted(annotations, 'annotation')} in {counted(documents, 'document')}"


class CodebookScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Back to reading", id="codebook.close"),
        Binding("n", "create", "New", id="codebook.new"),
        Binding("r", "rename", "Rename", id="codebook.rename"),
        Binding("e", "describe", "Describe", id="codebook.describe"),
        Binding("k", "recolour", "Colour", id="codebook.colour"),
        Binding("K", "move(-1)", "Move up", id="codebook.move-up"),
        Binding("J", "move(1)", "Move down", id="codebook.move-down"),
        Binding("greater_than_sign", "indent", "Indent", id="codebook.indent",
                tooltip="Indent: put the theme under the theme above it"),
        Binding("less_than_sign", "outdent", "Outdent", id="codebook.outdent",
                tooltip="Outdent: move the theme up a level, after its parent"),
        Binding("g", "group", "Move under", id="codebook.group",
                tooltip="Move the theme (with everything under it) under another theme"),
        Binding("G", "ungroup", "To the top level", show=False, id="codebook.ungroup"),
        Binding("left", "fold", "Fold", show=False, id="codebook.fold",
                tooltip="Fold the theme's subtree (on a folded or leaf theme: go to its parent)"),
        Binding("right", "unfold", "Unfold", show=False, id="codebook.unfold"),
        Binding("M", "merge", "Merge into", id="codebook.merge"),
        Binding("d", "delete", "Delete", id="codebook.delete"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.folded: set[int] = set()  # themes whose subtrees are hidden

    def compose(self) -> ComposeResult:
        yield Static(Text("Codebook · K/J reorder (digits follow) · > < indent · g move under · ← → fold"),
                     id="codebook-title")
        yield OptionList(id="codebook-themes")
        yield Footer()

    def on_mount(self) -> None:
        self.refill()
        self.query_one(OptionList).focus()

    def refill(self, keep: int | None = None) -> None:
        """Redraw the tree, keeping the highlight on theme ``keep`` (or where it was), unfolding
        whatever hides it."""
        options = self.query_one(OptionList)
        current = keep if keep is not None else self._current_id()
        tree = self.workspace.tree
        if current in tree.by_id:
            self.folded -= {t.id for t in tree.ancestors(tree.by_id[current])}
        self.folded &= tree.by_id.keys()
        own, rolled = self.workspace.theme_counts(), self.workspace.rolled_up_counts()
        shown = [theme for theme in self.workspace.themes
                 if not any(t.id in self.folded for t in tree.ancestors(theme))]
        options.clear_options()
        options.add_options(self._option(theme, own[theme.id], rolled[theme.id]) for theme in shown)
        ids = [theme.id for theme in shown]
        options.highlighted = ids.index(current) if current in ids else (0 if ids else None)

    def _option(self, theme: Theme, own: tuple[int, int], rolled: tuple[int, int]) -> Option:
        """One theme at its depth: ``▾``/``▸`` if themes sit under it (unfolded/folded), its
        own counts, and the counts with everything under it. A flat codebook has no column
        for the arrows."""
        tree = self.workspace.tree
        indent = "    " * tree.depth(theme)
        has_children = bool(tree.children.get(theme.id))
        nested = len(tree.children) > 1 or None not in tree.children  # some theme sits under another
        arrow = "▸ " if theme.id in self.folded else "▾ " if has_children else "  " if nested else ""
        prompt = Text(indent + arrow, style="dim")
        prompt.append_text(chip(theme))
        prompt.append(f" {theme.key or ' '}  ", style="dim")
        prompt.append(displayable(theme.name), style="bold")
        prompt.append(f"   {counts_text(*own)}", style="dim")
        if has_children:
            prompt.append(f" · with sub-themes {counts_text(*rolled)}", style="dim")
        if theme.description:
            under_name = indent + " " * (len(arrow) + 4)
            prompt.append(f"\n{under_name}{displayable(theme.description)}", style="italic dim")
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

    def _apply(self, change: Callable[[], object], message: str | Callable[[], str],
               keep: int | None = None) -> None:
        """Make a codebook change, tell the user (``message`` may be worked out after the
        change), redraw; problems are told, not raised."""
        try:
            change()
        except (StoreError, ValueError) as error:
            self.notify(str(error), title="Not changed", severity="error", markup=False)
            return
        self.notify(message if isinstance(message, str) else message(), markup=False, timeout=3)
        self.refill(keep)

    def _ask_theme(self, exclude: Theme, title: str, then: Callable[[Theme], None],
                   outside_only: bool = False) -> None:
        """Pick another theme (if ``outside_only``, none of those under ``exclude`` either:
        a theme cannot go inside itself)."""
        tree = self.workspace.tree
        excluded = tree.descendants(exclude) if outside_only else {exclude.id}
        themes = [theme for theme in self.workspace.themes if theme.id not in excluded]

        def picked(choice: PickedTheme | None) -> None:
            if choice is not None and choice.theme is not None:
                then(choice.theme)

        self.app.push_screen(ThemePicker(themes, set(), title=title, creates=False, tree=tree), picked)

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

    def _placed(self, theme: Theme) -> str:
        """What the user is told after a move: where the theme sits now."""
        moved = self.workspace.theme(theme.id) or theme
        if moved.parent is None:
            return f"{moved.name} is top-level"
        return f"{moved.name} is now {self.workspace.tree.path(moved)}"

    def _move(self, theme: Theme, change: Callable[[], object]) -> None:
        """Make a move in the tree and say where the theme landed."""
        self._apply(change, lambda: self._placed(theme), keep=theme.id)

    def action_indent(self) -> None:
        theme = self.current
        if theme is not None:
            self._move(theme, lambda: self.workspace.indent_theme(theme))

    def action_outdent(self) -> None:
        theme = self.current
        if theme is not None:
            self._move(theme, lambda: self.workspace.outdent_theme(theme))

    def action_group(self) -> None:
        theme = self.current
        if theme is not None:
            self._ask_theme(theme, f"Move {theme.name} under…", lambda parent: self._move(
                theme, lambda: self.workspace.set_parent(theme, parent)), outside_only=True)

    def action_ungroup(self) -> None:
        theme = self.current
        if theme is not None and theme.parent is not None:
            top = self.workspace.tree.ancestors(theme)[0]  # it lands right after the subtree it leaves
            self._move(theme, lambda: self.workspace.set_parent(theme, None, after=top))

    def action_fold(self) -> None:
        theme = self.current
        if theme is None:
            return
        tree = self.workspace.tree
        if tree.children.get(theme.id) and theme.id not in self.folded:
            self.folded.add(theme.id)
            self.refill(theme.id)
        elif theme.parent is not None:
            self.refill(theme.parent)

    def action_unfold(self) -> None:
        theme = self.current
        if theme is not None and theme.id in self.folded:
            self.folded.discard(theme.id)
            self.refill(theme.id)

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
