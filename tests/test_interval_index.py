"""The per-document interval index against a brute-force model: every query, after any mix
of building, adding and discarding, answers what a scan of all the passages would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.interval_index import DocumentAnnotations
from tui.core.store import Annotation

TEXT = 60  # offsets stay small so that passages overlap, nest and repeat often


def annotation(annotation_id: int, start: int, end: int, themes: tuple[int, ...] = (1,)) -> Annotation:
    return Annotation(annotation_id, 1, start, end, "", "", "", themes)


spans = st.tuples(st.integers(0, TEXT - 1), st.integers(1, 12)).map(lambda s: (s[0], min(TEXT, s[0] + s[1])))


THEMES = (1, 2, 3)
theme_sets = st.sets(st.sampled_from(THEMES), min_size=1).map(lambda themes: tuple(sorted(themes)))


@st.composite
def histories(draw) -> tuple[list[Annotation], list[tuple[str, Annotation]]]:
    """Passages to build from, then adds (new ids) and discards (of present ones)."""
    built = [annotation(i, *span, draw(theme_sets)) for i, span in enumerate(draw(st.lists(spans, max_size=25)))]
    present, steps, next_id = list(built), [], len(built)
    for add in draw(st.lists(st.booleans(), max_size=25)):
        if add or not present:
            item = annotation(next_id, *draw(spans), draw(theme_sets))
            next_id += 1
            present.append(item)
            steps.append(("add", item))
        else:
            item = present.pop(draw(st.integers(0, len(present) - 1)))
            steps.append(("discard", item))
    return built, steps


def replay(built: list[Annotation], steps: list[tuple[str, Annotation]]) -> tuple[DocumentAnnotations, list]:
    index, model = DocumentAnnotations(built), list(built)
    for step in steps:
        apply(index, model, step)
    return index, model


def apply(index: DocumentAnnotations, model: list[Annotation], step: tuple[str, Annotation]) -> None:
    """One step of ``replay``, on the index and on a plain list that models it."""
    action, item = step
    if action == "add":
        index.add(item)
        model.append(item)
    else:
        index.discard(item)
        model.remove(item)


def ids(annotations) -> list[int]:
    return [a.id for a in annotations]


def in_order(a: Annotation) -> tuple[int, int, int]:
    return a.start, a.end, a.id


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(-5, TEXT + 5), st.integers(0, 20))
def test_overlapping_matches_a_scan(history, start: int, length: int) -> None:
    index, model = replay(*history)
    end = start + length
    expected = sorted((a for a in model if a.start < end and a.end > start), key=in_order)
    assert ids(index.overlapping(start, end)) == ids(expected)
    assert len(index) == len(model)
    assert ids(index.items) == ids(sorted(model, key=in_order))


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(-2, TEXT + 2))
def test_at_is_innermost_first(history, offset: int) -> None:
    index, model = replay(*history)
    covering = [a for a in model if a.start <= offset < a.end]
    assert ids(index.at(offset)) == ids(sorted(covering, key=lambda a: (a.end - a.start, a.id)))


@settings(max_examples=300, deadline=None)
@given(histories(), spans)
def test_exactly_finds_the_same_bounds(history, span: tuple[int, int]) -> None:
    index, model = replay(*history)
    same = [a for a in model if (a.start, a.end) == span]
    found = index.exactly(*span)
    assert (found.id if found else None) == (min(ids(same)) if same else None)
    for item in model:  # every present passage is found by its own bounds
        assert index.exactly(item.start, item.end) is not None


def characters(intervals) -> set[int]:
    return {offset for start, end in intervals for offset in range(start, end)}


@settings(max_examples=300, deadline=None)
@given(histories())
def test_each_theme_merged_matches_a_scan_after_every_change(history) -> None:
    """A coding query reads a theme's runs from here, cached: each add or discard must
    drop the cache of the themes it touches, and only the runs it changes may change."""
    built, steps = history
    index, model = DocumentAnnotations(built), list(built)

    def check() -> None:
        for theme in THEMES:
            coded = sorted((a for a in model if theme in a.themes), key=in_order)
            merged = index.merged(theme)
            if not coded:
                assert merged is None and index.column(theme) is None
                continue
            assert characters(merged) == characters((a.start, a.end) for a in coded)
            assert all(end < next_start for (_, end), (next_start, _) in zip(merged, merged[1:]))  # maximal
            starts, reach = index.column(theme)
            assert starts == [a.start for a in coded]
            assert reach == [max(a.end for a in coded[:count]) for count in range(1, len(coded) + 1)]

    check()
    for step in steps:
        apply(index, model, step)
        check()


def test_discarding_an_absent_annotation_changes_nothing() -> None:
    index = DocumentAnnotations([annotation(1, 0, 5), annotation(2, 3, 9)])
    index.discard(annotation(7, 0, 5))  # same bounds, another id
    index.discard(annotation(8, 40, 50))
    assert ids(index.items) == [1, 2]


def test_an_empty_index_answers_nothing() -> None:
    index = DocumentAnnotations([])
    assert len(index) == 0
    assert index.overlapping(0, 100) == [] and index.at(0) == [] and index.exactly(0, 1) is None


def test_a_long_passage_is_found_far_from_its_start() -> None:
    """The scan reaches back by the longest passage, so one starting long before is found."""
    index = DocumentAnnotations([annotation(1, 0, 1000), *(annotation(i, i * 10, i * 10 + 2) for i in range(2, 60))])
    assert 1 in ids(index.at(999)) and ids(index.overlapping(995, 999)) == [1]


@settings(max_examples=300, deadline=None)
@given(histories(), st.integers(-5, TEXT + 5), st.integers(1, 20))
def test_themes_over_a_range_match_a_scan(history, start: int, length: int) -> None:
    index, model = replay(*history)
    end = start + length
    assert index.themes_over(start, end) == {t for a in model if a.start < end and a.end > start for t in a.themes}
