"""Codebook management in the core: rename, reorder, group, merge, delete, all undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from tinydb import TinyDB

from tui.core import Workspace
from tui.core.codebook import PALETTE, next_color, parse_color


def tag(workspace: Workspace, document_number: int, start: int, *theme_numbers: int):
    document = workspace.documents[document_number]
    for number in theme_numbers:
        workspace.toggle_theme(document, start, start + 30, workspace.themes[number])


def by_name(workspace: Workspace, name: str):
    return next(theme for theme in workspace.themes if theme.name == name)


def test_rename_keeps_every_annotation(workspace: Workspace, database: Path) -> None:
    tag(workspace, 0, 100, 0)
    tag(workspace, 1, 200, 0, 1)
    theme = workspace.themes[0]
    workspace.update_theme(theme, name="People smuggling", color="#123456", description="moving people")
    renamed = workspace.theme(theme.id)
    assert (renamed.name, renamed.color, renamed.key) == ("People smuggling", "#123456", 1)
    assert workspace.theme_counts()[theme.id] == (2, 2)
    with pytest.raises(ValueError, match="exists already"):
        workspace.update_theme(renamed, name="arms trafficking")
    workspace.close()
    themes = {t["name"]: t for t in TinyDB(database).table("themes").all()}
    assert themes["People smuggling"]["description"] == "moving people"
    assert len(TinyDB(database).table("annotations").all()) == 2


def test_reorder_changes_the_digit_keys(workspace: Workspace) -> None:
    first, second = workspace.themes[0], workspace.themes[1]
    workspace.move_theme(second, -1)
    assert [t.name for t in workspace.themes[:2]] == [second.name, first.name]
    assert workspace.theme_for_key(1).id == second.id and workspace.theme_for_key(2).id == first.id
    workspace.undo()
    assert workspace.theme_for_key(1).id == first.id


def test_themes_nest_at_any_depth_keep_their_keys_and_refuse_loops(workspace: Workspace) -> None:
    keys = {t.name: t.key for t in workspace.themes}
    trafficking = workspace.create_theme("Trafficking")
    workspace.set_parent(by_name(workspace, "Arms trafficking"), trafficking)
    workspace.set_parent(by_name(workspace, "Drug trafficking"), by_name(workspace, "Trafficking"))
    names = [t.name for t in workspace.themes]
    at = names.index("Trafficking")
    assert sorted(names[at + 1 : at + 3]) == ["Arms trafficking", "Drug trafficking"]
    workspace.set_parent(by_name(workspace, "Migrant safety"), by_name(workspace, "Arms trafficking"))
    safety = by_name(workspace, "Migrant safety")
    assert workspace.store.theme_path(safety) == "Trafficking › Arms trafficking › Migrant safety"
    assert workspace.tree.depth(safety) == 2
    with pytest.raises(ValueError, match="loop"):
        workspace.set_parent(by_name(workspace, "Trafficking"), safety)
    with pytest.raises(ValueError, match="under itself"):
        workspace.set_parent(safety, safety)
    assert {t.name: t.key for t in workspace.themes if t.name in keys} == keys  # no digit moved
    workspace.set_parent(by_name(workspace, "Arms trafficking"), None)  # its subtree comes with it
    assert workspace.store.theme_path(by_name(workspace, "Migrant safety")) == "Arms trafficking › Migrant safety"
    assert by_name(workspace, "Arms trafficking").key == keys["Arms trafficking"]
    workspace.undo()
    assert by_name(workspace, "Arms trafficking").parent == trafficking.id


def test_a_theme_moved_under_another_comes_last_there_with_its_subtree(workspace: Workspace) -> None:
    first, second, third, fourth, fifth = workspace.themes[:5]
    workspace.set_parent(second, first)
    workspace.set_parent(fourth, third)
    workspace.set_parent(workspace.theme(first.id), workspace.theme(third.id))  # from above it, with second
    assert [t.name for t in workspace.themes[:5]] == [t.name for t in (third, fourth, first, second, fifth)]
    assert workspace.store.theme_path(workspace.theme(second.id)) == f"{third.name} › {first.name} › {second.name}"


def test_a_name_is_unique_among_the_themes_it_would_sit_beside(workspace: Workspace) -> None:
    weapons, other = workspace.create_theme("Weapons"), workspace.create_theme("Other")
    workspace.set_parent(other, weapons)
    second = workspace.create_theme("other ")  # at the top: no clash there
    with pytest.raises(ValueError, match="exists already under Weapons"):
        workspace.set_parent(second, weapons)
    assert workspace.theme(second.id).parent is None


def test_indent_goes_under_the_theme_above_and_outdent_comes_back_after_the_parent(workspace: Workspace) -> None:
    first, second, third = workspace.themes[:3]
    assert workspace.indent_theme(third).id == second.id
    with pytest.raises(ValueError, match="no theme above"):
        workspace.indent_theme(first)
    assert workspace.indent_theme(workspace.theme(second.id)).id == first.id  # with third under it
    assert workspace.store.theme_path(workspace.theme(third.id)) == f"{first.name} › {second.name} › {third.name}"
    assert workspace.outdent_theme(workspace.theme(third.id)).id == first.id
    assert [t.name for t in workspace.themes[:3]] == [first.name, second.name, third.name]  # right after its parent
    assert workspace.outdent_theme(workspace.theme(third.id)) is None
    with pytest.raises(ValueError, match="top level already"):
        workspace.outdent_theme(workspace.theme(third.id))


def test_deleting_or_merging_a_parent_keeps_its_subtree_in_place(workspace: Workspace) -> None:
    top, middle, leaf, other = (workspace.create_theme(name) for name in ("Security", "Arms", "Firearms", "Trade"))
    workspace.set_parent(middle, top)
    workspace.set_parent(leaf, workspace.theme(middle.id))
    workspace.delete_theme(workspace.theme(middle.id))
    assert workspace.theme(leaf.id).parent == top.id  # up to the deleted theme's parent, not the top
    workspace.undo()
    workspace.merge_theme(workspace.theme(middle.id), other)
    assert workspace.store.theme_path(workspace.theme(leaf.id)) == "Trade › Firearms"  # under the target
    workspace.undo()
    workspace.merge_theme(workspace.theme(top.id), workspace.theme(leaf.id))  # into its own descendant
    assert workspace.theme(middle.id).parent is None and workspace.theme(leaf.id).parent == middle.id


def test_deleting_or_merging_never_puts_two_themes_of_one_name_side_by_side(
        workspace: Workspace, database: Path) -> None:
    """Security › Arms and Security › Trade › Arms: deleting Trade would lift its Arms beside
    the other, merging Trade into Security would too. Both are refused before anything changes."""
    security, arms, trade, trade_arms, other = (
        workspace.create_theme(name) for name in ("Security", "Arms", "Trade", "Small arms", "Other"))
    workspace.set_parent(arms, security)
    workspace.set_parent(workspace.theme(trade.id), security)
    workspace.set_parent(trade_arms, workspace.theme(trade.id))
    workspace.update_theme(workspace.theme(trade_arms.id), name="arms")  # the same name, folded
    document = workspace.documents[0]
    workspace.toggle_theme(document, 0, 10, workspace.theme(trade.id))
    before = [(t.name, t.parent) for t in workspace.themes], dict(workspace.store.annotations)
    with pytest.raises(ValueError, match="arms would move under Security, where Arms is already"):
        workspace.delete_theme(workspace.theme(trade.id))
    with pytest.raises(ValueError, match="arms would move under Security, where Arms is already"):
        workspace.merge_theme(workspace.theme(trade.id), workspace.theme(security.id))
    assert ([(t.name, t.parent) for t in workspace.themes], dict(workspace.store.annotations)) == before
    workspace.merge_theme(workspace.theme(trade.id), workspace.theme(other.id))  # no Arms there: fine
    assert workspace.store.theme_path(workspace.theme(trade_arms.id)) == "Other › arms"


def test_counts_roll_up_once_per_annotation(workspace: Workspace) -> None:
    parent, child = workspace.themes[0], workspace.themes[1]
    workspace.set_parent(child, parent)
    tag(workspace, 0, 100, 0, 1)  # both on one passage: counted once for the parent
    tag(workspace, 1, 100, 1)
    assert workspace.theme_counts()[parent.id] == (1, 1)
    assert workspace.rolled_up_counts()[parent.id] == (2, 2)
    assert workspace.rolled_up_counts()[child.id] == workspace.theme_counts()[child.id] == (2, 2)


def test_every_theme_gets_its_own_colour_while_one_is_free(workspace: Workspace) -> None:
    for number in range(len(PALETTE) - len(workspace.themes)):
        workspace.create_theme(f"Extra {number}")
    colors = [t.color for t in workspace.themes]
    assert len(set(colors)) == len(colors) == len(PALETTE)
    assert next_color({"#56B4E9"}) != "#56b4e9"  # taken whatever its case
    assert parse_color(" #A0b1C2 ") == "#a0b1c2" and parse_color("red") is None


def test_merge_never_loses_or_duplicates_an_annotation(workspace: Workspace) -> None:
    tag(workspace, 0, 100, 0)        # smuggling only
    tag(workspace, 0, 300, 0, 2)     # smuggling + migrant safety
    tag(workspace, 1, 50, 2)         # migrant safety only
    smuggling, safety = workspace.themes[0], workspace.themes[2]
    before = {a.id for a in workspace.store.annotations.values()}
    assert workspace.merge_theme(smuggling, safety) == 2
    after = workspace.store.annotations
    assert set(after) == before
    assert sorted(a.themes for a in after.values()) == [(safety.id,)] * 3
    assert workspace.theme(smuggling.id) is None
    workspace.undo()
    assert sorted(len(a.themes) for a in workspace.store.annotations.values()) == [1, 1, 2]
    assert workspace.theme(smuggling.id).name == "Human smuggling"


def test_delete_removes_the_theme_and_deletes_only_its_sole_annotations(workspace: Workspace) -> None:
    tag(workspace, 0, 100, 0)
    tag(workspace, 0, 300, 0, 2)
    assert workspace.delete_theme(workspace.themes[0]) == (1, 1)
    (left,) = workspace.store.annotations.values()
    assert left.themes == (workspace.theme_for_key(2).id,)  # migrant safety moved up to key 2
    workspace.undo()
    assert len(workspace.store.annotations) == 2
