"""The sidebar listing the corpus; choosing a document opens it in the current pane."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core import Document, Workspace
from ...core.text import displayable


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
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Rebuild the prompts (after an annotation changed), keeping the highlight."""
        highlighted = self.highlighted
        self.clear_options()
        self.add_options(self._option(document) for document in self.workspace.documents)
        self.highlighted = highlighted if highlighted is not None else 0

    def _option(self, document: Document) -> Option:
        count = len(self.workspace.annotations(document))
        prompt = Text(displayable(document.title), overflow="ellipsis")
        prompt.append(f"\n{count} annotation{'s' if count != 1 else ''}", style="dim")
        return Option(prompt, id=document.key)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        document = self.workspace.corpus.by_key(event.option.id)
        if document is not None:
            self.post_message(self.Chosen(document))
