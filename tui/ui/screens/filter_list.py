"""A modal list filtered as you type: a heading, an input, and the options that match.

The theme picker and the colour chooser are both this: typing refills the list, the arrows
move through it while the input keeps the focus, and Enter (or a click) chooses the
highlighted option. Each subclass says what the options are (``refill``) and what choosing
one means (``choose``); its BINDINGS (with their own ids, for the keymap) name the actions
here.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static

from ...core.text import displayable

Result = TypeVar("Result")


class FilterList(ModalScreen[Result]):
    """The shared half of a filter-as-you-type modal; ids come from ``BOX_ID`` and ``PREFIX``
    (``#picker``, ``#picker-title``, ``#picker-filter``, ``#picker-options``) for the
    stylesheet."""

    BOX_ID: ClassVar[str]
    PREFIX: ClassVar[str]
    PLACEHOLDER: ClassVar[str]

    def heading(self) -> str:
        raise NotImplementedError

    def refill(self, options: OptionList, typed: str) -> None:
        """Put the options matching ``typed`` in the (emptied) list."""
        raise NotImplementedError

    def choose(self, option_id: str | None) -> None:
        """Dismiss the screen with what the option stands for."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(id=self.BOX_ID):
            yield Static(Text(displayable(self.heading())), id=f"{self.PREFIX}-title")
            yield Input(placeholder=self.PLACEHOLDER, id=f"{self.PREFIX}-filter")
            yield OptionList(id=f"{self.PREFIX}-options")

    def on_mount(self) -> None:
        self._fill("")

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, typed: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        self.refill(options, typed)
        if options.option_count:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + delta) % options.option_count

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self.choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option.id)
