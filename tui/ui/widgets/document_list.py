"""The sidebar listing the corpus; choosing a document opens it in the current pane."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core import Document, Workspace
from ...core.text import counted, displayable


class DocumentList(OptionList):
    """Titles with annotation counts. Prompts are ``Text``, never markup: titles are untrusted."""

    class Chosen(Message):
        def __init__(self, document: Document) -> None:
            super().__init__()
            self.document = document

    def __init__(self, workspace: Workspace, **kwargs) -> None:
        super().__init__(**kwargs)
        self.workspace = workspace

    def on_mount(self) -> None:
        self.add_options(Option(self._prompt(document), id=document.key) for document in self.workspace.documents)
        self.highlighted = 0

    def refresh_count(self, document: Document) -> None:
        """Show a document's new annotation count (after a change to its annotations)."""
        self.replace_option_prompt(document.key, self._prompt(document))

    def _prompt(self, document: Document) -> Text:
        prompt = Text(displayable(document.title), overflow="ellipsis")
        prompt.append(f"\n{counted(len(self.workspace.annotations(document)), 'annotation')}", style="dim")
        return prompt

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        document = self.workspace.corpus.by_key(event.option.id)
        if document is not None:
            self.post_message(self.Chosen(document))
