"""The codebook as a tree: paths, descendants, roll-up counts and moves that never make a loop,
checked on random trees."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.codebook import Theme, ThemeTree
from tui.core.store import Store


@st.composite
def trees(draw) -> list[Theme]:
    """Up to 12 themes, each under one made before it (or at the top)."""
    size = draw(st.integers(1, 12))
    themes: list[Theme] = []
    for number in range(1, size + 1):
        parent = draw(st.sampled_from([None, *(t.id for t in themes)]))
        themes.append(Theme(id=number, name=f"T{number}", color="#999999", parent=parent))
    return themes


codings = st.lists(st.tuples(st.integers(0, 3), st.sets(st.integers(1, 12), max_size=4)), max_size=30)


def test_paths_depths_and_descendants_of_a_small_tree() -> None:
    security = Theme(1, "Security", "#999999")
    arms = Theme(2, "Arms", "#999999", parent=1)
    firearms = Theme(3, "Firearms", "#999999", parent=2)
    trade = Theme(4, "Trade", "#999999")
    tree = ThemeTree([security, arms, firearms, trade])
    assert tree.path(firearms) == "Security › Arms › Firearms"
    assert [tree.depth(t) for t in (security, arms, firearms, trade)] == [0, 1, 2, 0]
    assert tree.descendants(security) == {1, 2, 3} and tree.descendants(trade) == {4}
    assert tree.placement_problem(security, firearms) is not None
    assert tree.placement_problem(firearms, trade) is None


def test_a_loop_in_a_damaged_file_ends_where_it_closes() -> None:
    looped = ThemeTree([Theme(1, "A", "#999999", parent=2), Theme(2, "B", "#999999", parent=1)])
    assert looped.path(looped.by_id[1]) == "B › A"


@settings(max_examples=150, deadline=None)
@given(themes=trees(), coded=codings)
def test_a_rolled_up_count_is_the_count_of_the_union_over_the_subtree(themes: list[Theme], coded) -> None:
    tree = ThemeTree(themes)
    rolled = tree.rolled_up(coded)
    for theme in themes:
        subtree = tree.descendants(theme)
        reaching = [(document, ids) for document, ids in coded if ids & subtree]
        assert rolled[theme.id] == (len(reaching), len({document for document, _ in reaching}))
        assert tree.path(theme).endswith(theme.name)
        assert tree.depth(theme) == len(tree.path(theme).split(" › ")) - 1


@settings(max_examples=40, deadline=None)
@given(themes=trees(), moves=st.lists(st.tuples(st.integers(1, 12), st.integers(0, 12)), max_size=12))
def test_set_parent_never_makes_a_loop_and_keeps_every_digit(themes: list[Theme], moves) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "annotations.json")
        made = [store.create_theme(t.name) for t in themes]
        for theme, made_theme in zip(themes, made, strict=True):
            if theme.parent is not None:
                store.set_parent(store.theme(made_theme.id), store.theme(made[theme.parent - 1].id))
        keys = {t.id: t.key for t in store.themes}
        for moved, under in moves:
            if moved > len(made) or under > len(made):
                continue
            theme = store.theme(made[moved - 1].id)
            parent = store.theme(made[under - 1].id) if under else None
            inside = parent is not None and parent.id in store.tree.descendants(theme)
            try:
                store.set_parent(theme, parent)
            except ValueError:
                assert inside
            else:
                assert not inside
        for theme in store.themes:  # every walk up reaches the top
            ancestors = store.tree.ancestors(theme)
            assert (ancestors[0].parent if ancestors else theme.parent) is None
        assert {t.id: t.key for t in store.themes} == keys
        order = [t.id for t in store.themes]  # depth first: every theme after its parent
        assert all(order.index(t.parent) < order.index(t.id) for t in store.themes if t.parent)
        store.close()
