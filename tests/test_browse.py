"""The annotation browser's filter and sort, on the core (no UI)."""

from __future__ import annotations

from tui.core import Workspace
from tui.core.browse import SortOrder


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
