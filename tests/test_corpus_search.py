"""Search across the corpus, and keyword auto-coding previewed and undone as one step."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reader import SIZE, cell_style, make_app, type_text, view_of
from textual.widgets import OptionList
from tinydb import TinyDB

from tui.core import Workspace
from tui.core.search import compile_query, search_corpus
from tui.ui.screens.corpus_search import CorpusSearchScreen


def test_search_counts_hits_with_regex_and_case_options(workspace: Workspace) -> None:
    plain = search_corpus(workspace.documents, compile_query("smuggling", regex=False, case_sensitive=False))
    assert plain and all(h.document.text[h.start : h.end].lower() == "smuggling" for h in plain)
    capital = search_corpus(workspace.documents, compile_query("Smuggling", regex=False, case_sensitive=True))
    assert len(capital) < len(plain)
    regex = search_corpus(workspace.documents, compile_query(r"smuggl\w+", regex=True, case_sensitive=False))
    assert {h.document.text[h.start : h.end].lower() for h in regex} >= {"smuggling", "smugglers"}
    assert search_corpus(workspace.documents, compile_query("[bold]", regex=False, case_sensitive=False)) == []
    with pytest.raises(ValueError, match="not a valid regular expression"):
        compile_query("smuggl(", regex=True, case_sensitive=False)


async def test_bulk_tagging_is_previewed_then_undone_in_one_step(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        assert isinstance(app.screen, CorpusSearchScreen)
        await type_text(pilot, "Napolitano")
        await pilot.press("enter")
        hits = app.screen.hits
        assert len(hits) >= 3
        assert "hits in" in str(app.screen.query_one("#search-status").content)
        await pilot.press("t")
        await type_text(pilot, "Bilateral")
        await pilot.press("enter")
        assert app.workspace.store.annotations == {}  # the preview asks first: nothing written
        await pilot.press("s")  # code the sentences around the hits
        sentences = {h.document.index.sentence_at(h.start) for h in hits}
        assert len(app.workspace.store.annotations) == len(sentences)

        await pilot.press("enter")  # open the first hit
        view = view_of(app)
        assert view.document is hits[0].document
        assert view.document.text[view.selection.start : view.selection.end] == "Napolitano"
        await pilot.press("u")
        assert app.workspace.store.annotations == {}
    assert TinyDB(database).table("annotations").all() == []


def test_hit_context_keeps_the_spaces_around_the_match(workspace: Workspace) -> None:
    (hit,) = search_corpus(workspace.documents, compile_query("cartel", regex=False, case_sensitive=False))
    before, match, after = hit.context()
    assert before.endswith("smuggling and ") and match == "cartel" and after.startswith(" violence.")
    assert "\n" not in before + after


def test_two_passages_alike_in_one_batch_are_coded_once_and_shown_at_once(workspace: Workspace) -> None:
    document = workspace.documents[2]
    theme = workspace.themes[0]
    start, end = document.index.paragraphs[3]
    assert workspace.tag_passages([(document, start, end), (document, start, end)], theme) == (1, 1)
    (annotation,) = workspace.store.annotations.values()
    assert (annotation.start, annotation.end) == (start, end)
    assert workspace.annotations(document).items == [annotation]  # the index the reader highlights from
    assert workspace.themes_at(document, start) == [theme]


async def test_coding_paragraphs_stores_one_passage_per_paragraph_and_highlights_it(
        corpus_dir: Path, database: Path) -> None:
    """Three hits of "smuggling" share a paragraph: coding their paragraphs makes one passage."""
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("F")
        await type_text(pilot, "smuggling")
        await pilot.press("enter")
        hits = app.screen.hits
        paragraphs = [(h.document.key, h.document.index.paragraph_at(h.start)) for h in hits]
        shared = next(i for i, p in enumerate(paragraphs) if paragraphs.count(p) > 1)  # two hits or more
        await pilot.press("t")
        await type_text(pilot, "Bilateral")
        await pilot.press("enter", "p")
        stored = sorted((a.start, a.end) for a in app.workspace.store.annotations.values())
        assert len(stored) == len(set(paragraphs)) == len(set(stored))
        app.screen.query_one(OptionList).highlighted = shared
        await pilot.press("enter")  # open a hit in that paragraph
        view = view_of(app)
        start, end = paragraphs[shared][1]
        covering = app.workspace.annotations(view.document).at(start)
        assert [(a.start, a.end) for a in covering] == [(start, end)]
        # drawn in the theme's colour, unlike the next paragraph
        assert cell_style(view, start).bgcolor != cell_style(view, end + 2).bgcolor
