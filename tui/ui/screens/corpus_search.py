"""Search across the corpus (``F`` or ``ctrl+f``), and keyword auto-coding from the results.

Hits are listed with their context and counted per document; Enter opens one in the focused
pane. ``space`` marks hits; ``t`` tags the marked hits (or all of them) with a theme, after
a preview that says how many passages in how many documents, and whether to code the
matches, their sentences or their paragraphs. The whole batch is one undo step.
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...core import StoreError, Workspace
from ...core.search import Hit, compile_query, search_corpus
from ...core.text import counted, displayable
from ..notices import notify_not_saved
from .prompt import ChoicePrompt
from .theme_picker import PickedTheme, ThemePicker, chosen_theme

SHOWN_HITS = 2000  # beyond this the list says how many more; tagging still covers them all
SCOPES = {"w": "the matches themselves", "s": "their sentences", "p": "their paragraphs"}


class CorpusSearchScreen(Screen[Hit | None]):
    """Dismissed with the hit to open, or None."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back to reading", id="search.close"),
        Binding("ctrl+e", "toggle_regex", "Regex", id="search.regex"),
        Binding("ctrl+t", "toggle_case", "Case", id="search.case"),
        Binding("space", "mark", "Mark", id="search.mark"),
        Binding("t", "tag", "Tag hits", id="search.tag"),
        Binding("down", "focus_results", "To the results", show=False, id="search.to-results"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.regex = False
        self.case_sensitive = False
        self.hits: list[Hit] = []
        self.marked: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search every document (Enter searches; ctrl+e regex, ctrl+t case)",
                    id="search-query")
        yield OptionList(id="search-results")
        yield Static(id="search-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While typing the query, space and t are text."""
        return not (action in {"mark", "tag"} and self.query_one(Input).has_focus)

    @on(Input.Submitted, "#search-query")
    def run_search(self) -> None:
        query = self.query_one(Input).value
        self.hits, self.marked = [], set()
        if query:
            try:
                pattern = compile_query(query, self.regex, self.case_sensitive)
            except ValueError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.hits = search_corpus(self.workspace.documents, pattern)
        self._fill()
        if self.hits:
            self.query_one(OptionList).focus()

    def _fill(self) -> None:
        results = self.query_one(OptionList)
        highlighted = results.highlighted
        results.clear_options()
        results.add_options(self._option(index, hit) for index, hit in enumerate(self.hits[:SHOWN_HITS]))
        if len(self.hits) > SHOWN_HITS:
            results.add_option(Option(Text(f"… {counted(len(self.hits) - SHOWN_HITS, 'more hit')} not listed", style="dim"),
                                      disabled=True))
        if self.hits:
            results.highlighted = min(highlighted or 0, min(len(self.hits), SHOWN_HITS) - 1)
        self._show_status()

    def _option(self, index: int, hit: Hit) -> Option:
        before, match, after = hit.context()
        line = hit.document.index.line_of(hit.start) + 1
        prompt = Text("✓ " if index in self.marked else "  ", style="bold")
        prompt.append(f"{displayable(hit.document.title)[:40]} · line {line}\n", style="dim")
        prompt.append(f"  …{displayable(before)}")
        prompt.append(displayable(match), style="bold reverse")
        prompt.append(f"{displayable(after)}…")
        return Option(prompt, id=str(index))

    def _show_status(self) -> None:
        status = Text(" ")
        flags = f"regex {'on' if self.regex else 'off'} · case {'sensitive' if self.case_sensitive else 'ignored'}"
        if self.hits:
            per_document = Counter(hit.document.title for hit in self.hits)
            status.append(f"{counted(len(self.hits), 'hit')} in {counted(len(per_document), 'document')}", style="bold")
            if self.marked:
                status.append(f" · {len(self.marked)} marked", style="bold")
            status.append(" · " + ", ".join(f"{displayable(title)[:24]} {count}" for title, count in per_document.most_common(4)))
        else:
            status.append("no hits" if self.query_one(Input).value else "type a word or a pattern, then Enter")
        status.append(f"  ({flags})", style="dim")
        self.query_one("#search-status", Static).update(status)

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self.run_search()

    def action_toggle_case(self) -> None:
        self.case_sensitive = not self.case_sensitive
        self.run_search()

    def action_focus_results(self) -> None:
        self.query_one(OptionList).focus()

    def _highlighted_index(self) -> int | None:
        results = self.query_one(OptionList)
        if results.highlighted is None or not self.hits:
            return None
        option_id = results.get_option_at_index(results.highlighted).id
        return int(option_id) if option_id is not None else None

    def action_mark(self) -> None:
        index = self._highlighted_index()
        if index is not None:
            self.marked ^= {index}
            self.query_one(OptionList).replace_option_prompt(str(index), self._option(index, self.hits[index]).prompt)
            self.query_one(OptionList).action_cursor_down()
            self._show_status()

    @on(OptionList.OptionSelected, "#search-results")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(self.hits[int(event.option.id)])

    def action_tag(self) -> None:
        hits = [self.hits[i] for i in sorted(self.marked)] or self.hits
        if not hits:
            self.notify("Nothing to tag: search first.", severity="warning")
            return

        def picked(choice: PickedTheme | None) -> None:
            theme = chosen_theme(self, self.workspace, choice)
            if theme is None:
                return
            documents = len({hit.document.key for hit in hits})
            question = (f"Tag {counted(len(hits), 'hit')} in {counted(documents, 'document')} with "
                        f"{theme.name}? Nothing is written until you choose what to code:")
            self.app.push_screen(ChoicePrompt(question, {key: f"code {label}" for key, label in SCOPES.items()}),
                                 lambda scope: self._tag(hits, theme, scope))

        title = f"Tag {counted(len(hits), 'hit')} with…"
        self.app.push_screen(ThemePicker(self.workspace.themes, set(), title=title), picked)

    def _tag(self, hits: list[Hit], theme, scope: str | None) -> None:
        if scope is None:
            return
        passages = [passage for hit in hits if (passage := self._passage(hit, scope)) is not None]
        try:
            tagged, already = self.workspace.tag_passages(passages, theme)
        except StoreError as error:
            notify_not_saved(self, error)
            return
        note = f" ({already} had it already)" if already else ""
        self.notify(f"Tagged {counted(tagged, 'passage')} with {theme.name}{note}. u in the reader undoes it.",
                    markup=False, timeout=6)

    @staticmethod
    def _passage(hit: Hit, scope: str):
        if scope == "w":
            return hit.document, hit.start, hit.end
        index = hit.document.index
        span = index.sentence_at(hit.start) if scope == "s" else index.paragraph_at(hit.start)
        return (hit.document, *span) if span and span[0] < span[1] else None
