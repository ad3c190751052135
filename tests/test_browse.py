"""The annotation browser's filter and sort, on the core (no UI)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core import Workspace
from tui.core.browse import SortOrder, parse


def code_some(workspace: Workspace) -> None:
    docs, themes = workspace.documents, workspace.themes
    for document, needle, theme in [
        (docs[2], "OASISS promotes", themes[0]),   # Human smuggling
        (docs[0], "Greetings", themes[1]),         # Arms trafficking
        (docs[0], "Her promise", themes[0]),
        (docs[4], "cooperation", themes[4]),       # Bilateral cooperation
    ]:
        start = document.text.index(needle)
        workspace.toggle_theme(document, start, start + 40, theme)


def quotes(annotations) -> list[str]:
    return [a.quote[:11] for a in annotations]


def test_filter_by_any_field_and_by_named_field(workspace: Workspace) -> None:
    code_some(workspace)
    everything = workspace.find_annotations()
    assert quotes(everything) == ["Greetings f", "Her promise", "OASISS prom", "cooperation"]
    assert quotes(workspace.find_annotations("smuggling")) == ["Her promise", "OASISS prom"]
    assert quotes(workspace.find_annotations("theme:arms")) == ["Greetings f"]
    assert quotes(workspace.find_annotations("SMUGGLING her")) == ["Her promise"]  # every word
    assert quotes(workspace.find_annotations("doc:reaffirm")) == ["OASISS prom"]
    assert workspace.find_annotations("author:tester") == everything
    assert workspace.find_annotations("author:nobody") == []


def test_memo_and_changes_are_seen_at_once(workspace: Workspace) -> None:
    code_some(workspace)
    document = workspace.documents[0]
    (first,) = workspace.find_annotations("greetings")
    workspace.set_note(document, first, "Ceremonial opening")
    assert quotes(workspace.find_annotations("memo:ceremonial")) == ["Greetings f"]
    workspace.undo()
    assert workspace.find_annotations("ceremonial") == []


def test_sort_orders(workspace: Workspace) -> None:
    code_some(workspace)
    assert quotes(workspace.find_annotations(order=SortOrder.THEME)) == [
        "Her promise", "OASISS prom", "Greetings f", "cooperation"]
    newest = workspace.find_annotations(order=SortOrder.DATE)
    assert [a.modified for a in newest] == sorted((a.modified for a in newest), reverse=True)
    assert workspace.document_of(newest[0]) in workspace.documents


def test_a_grouped_theme_is_found_by_its_group(workspace: Workspace) -> None:
    code_some(workspace)
    assert workspace.find_annotations("theme:contraband") == []
    group = workspace.create_theme("Contraband")
    workspace.set_parent(workspace.themes[1], group)  # Arms trafficking
    assert quotes(workspace.find_annotations("theme:contraband")) == ["Greetings f"]


QUERY_PIECES = st.sampled_from(["b", "o", "r", "de", " ", "sm", "uggling", "theme:", "arms", "her", "x", "é"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typing=st.lists(st.tuples(st.booleans(), QUERY_PIECES), min_size=1, max_size=12))
def test_typing_and_deleting_give_what_a_fresh_filter_gives(workspace: Workspace, typing) -> None:
    """Filtering reuses the previous results while the user types on; whatever is typed or
    deleted, the answer is the one a filter from scratch gives."""
    if not workspace.store.annotations:
        code_some(workspace)
    query = ""
    for deleting, piece in typing:
        query = query[: -len(piece)] if deleting else query + piece
        fresh = [a for a in workspace.store.annotations.values() if all(
            matches(a, workspace, field, text) for field, text in parse(query))]
        assert {a.id for a in workspace.find_annotations(query)} == {a.id for a in fresh}


def matches(annotation, workspace: Workspace, field: int | None, text: str) -> bool:
    names = " ".join(workspace.theme(t).name for t in annotation.themes).casefold()
    values = [annotation.quote.casefold(), annotation.note.casefold(), names,
              workspace.store.documents[annotation.document].title.casefold(), annotation.author.casefold()]
    return any(text in value for value in (values if field is None else [values[field]]))


def test_quoted_phrases_alone_or_after_a_field(workspace: Workspace) -> None:
    code_some(workspace)
    document = workspace.documents[0]
    (greetings,) = workspace.find_annotations("greetings")
    workspace.set_note(document, greetings, "See the\ninterview  with Ana")
    assert parse('memo:"see  the interview" "greetings from" theme:') == [(1, "see the interview"),
                                                                         (None, "greetings from")]
    assert quotes(workspace.find_annotations('"greetings from"')) == ["Greetings f"]
    assert workspace.find_annotations('"from greetings"') == []  # the words together, in order
    assert quotes(workspace.find_annotations('memo:"the interview with"')) == ["Greetings f"]  # across a line
    assert workspace.find_annotations('doc:"the interview"') == []
    assert quotes(workspace.find_annotations('memo:"see the')) == ["Greetings f"]  # still typing the phrase
    assert len(workspace.find_annotations("theme:")) == 4  # a field still being typed narrows nothing
