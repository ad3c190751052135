"""Re-anchoring: random edits around and inside annotated passages."""

from __future__ import annotations

import pytest
from conftest import SEEDS
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tui.core.anchoring import (
    Placement,
    context_agreement,
    map_offset,
    nearest_occurrence,
    occurrences,
    place,
)

WORDS = st.sampled_from(
    "border patrol cartel firearm migrant shelter bridge customs tunnel agency report "
    "Mexico Texas cooperation smuggling crossing officers weapons rescue dialogue".split()
)
SENTENCE = st.lists(WORDS, min_size=4, max_size=14).map(lambda words: " ".join(words).capitalize() + ".")
TEXT = st.lists(SENTENCE, min_size=8, max_size=40).map(" ".join)
INSERTION = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


def context(text: str, start: int, end: int) -> tuple[str, str, str]:
    return text[start:end], text[max(0, start - 32) : start], text[end : end + 32]


@st.composite
def annotated_texts(draw):
    text = draw(TEXT)
    start = draw(st.integers(0, len(text) - 2))
    end = draw(st.integers(start + 1, min(len(text), start + 300)))
    return text, start, end


@st.composite
def edits(draw, length: int):
    """Replace ``text[at:at+removed]`` with an insertion."""
    at = draw(st.integers(0, length))
    removed = draw(st.integers(0, min(80, length - at)))
    return at, removed, draw(INSERTION)


# Exact cases: each pins one rule of placement the properties below leave open.
def test_how_each_passage_is_placed() -> None:
    text = "one two three two one"
    assert place(text, "three", "one two ", " two one", 8) == Placement(8, 13, "unchanged")
    assert place("zero " + text, "three", "one two ", " two one", 8) == Placement(13, 18, "exact")
    assert place(text.replace("three", "thr3e"), "three", "one two ", " two one", 8) == Placement(8, 13, "fuzzy")
    assert place(text, "", "", "", 0) is None  # nothing to look for


def test_every_occurrence_is_found_overlapping_ones_too() -> None:
    assert list(occurrences("aaaa", "aa")) == [0, 1, 2]
    assert list(occurrences("abc", "d")) == []


@pytest.mark.parametrize(
    ("text", "prefix", "suffix", "agreement"),
    [
        (" xx abc yy", "xx ", " yy", 6),  # both sides whole
        (" xx abc yy", "Qx ", " yQ", 4),  # each side agrees from the passage outwards, to a difference
        (" xx abc yy", "zzzzzzzzx ", " y", 4),  # a prefix longer than the text before: what there is
        (" xx abc yy", "", "", 0),
        ("abc yy", "xx ", " ", 1),  # nothing before the text's start
        ("xabc yy", "x", " y", 3),  # a prefix that reaches the text's start
    ],
)
def test_context_agreement_counts_matching_characters_outwards(text, prefix, suffix, agreement) -> None:
    start = text.index("abc")
    assert context_agreement(text, start, start + 3, prefix, suffix) == agreement


def test_of_equally_good_occurrences_the_nearest_wins_either_way() -> None:
    text = "cat . cat . cat . cat"
    assert nearest_occurrence(text, "cat", "", "", 13) == 12
    assert nearest_occurrence(text, "cat", "", "", 7) == 6
    assert nearest_occurrence(text, "cat", "", "", 100) == 18
    assert nearest_occurrence(text, "dog", "", "", 0) is None
    # The remembered suffix decides, however far the old offset.
    assert nearest_occurrence("x 2cat 1,ycat 2", "cat", "", " 2", 0) == 10


@pytest.mark.parametrize(
    ("source", "window", "starts", "ends"),
    [
        # Text inserted at a boundary stays outside the passage: after a start, before an end.
        ("abcdef", "abXXcdef", [0, 1, 4, 5, 6, 7, 8], [0, 1, 2, 5, 6, 7, 8]),
        # A boundary inside deleted text lands where the deletion was.
        ("abcdef", "abef", [0, 1, 2, 2, 2, 3, 4], [0, 1, 2, 2, 2, 3, 4]),
        ("abcdef", "abXef", [0, 1, 2, 3, 3, 4, 5], [0, 1, 2, 3, 3, 4, 5]),
        ("abcdef", "aXYZWf", [0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4, 5, 6]),
    ],
)
def test_boundaries_map_through_an_alignment(source: str, window: str, starts: list[int], ends: list[int]) -> None:
    from rapidfuzz.distance import Levenshtein

    opcodes = Levenshtein.opcodes(source, window)
    assert [map_offset(opcodes, offset, at_start=True) for offset in range(len(source) + 1)] == starts
    assert [map_offset(opcodes, offset, at_start=False) for offset in range(len(source) + 1)] == ends


SEED_TEXTS = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


def edited_passage(document: str, quote: str) -> tuple[str, str, str, str]:
    """The quote with its remembered context, and the document with one letter of it changed."""
    start = document.index(quote)
    prefix, suffix = document[max(0, start - 32) : start], document[start + len(quote) : start + len(quote) + 32]
    edited = quote[:10] + "#" + quote[11:]
    return quote, prefix, suffix, document.replace(quote, edited)


@pytest.mark.parametrize("moved", ["forward", "backward"])
def test_an_edited_passage_moved_far_away_is_still_found(moved: str) -> None:
    """Beyond the few kilobytes searched first around the old offset, the whole text is."""
    first, *middle, last = SEED_TEXTS  # 19 kB together
    if moved == "forward":  # from the first document, which now comes last
        quote, prefix, suffix, edited = edited_passage(first, "Greetings from the Department of Homeland")
        before, after = "\n\n".join([first, *middle, last]), "\n\n".join([*middle, last, edited])
    else:  # from the last document, which now comes first
        quote = last[-400:-300]
        quote, prefix, suffix, edited = edited_passage(last, quote)
        before, after = "\n\n".join([first, *middle, last]), "\n\n".join([edited, first, *middle])
    old_start = before.index(quote)
    placement = place(after, quote, prefix, suffix, old_start)
    new_start = after.index(quote[:10] + "#")
    assert abs(old_start - new_start) > 10_000
    assert placement == Placement(new_start, new_start + len(quote), "fuzzy")


def test_an_edited_passage_is_found_where_it_was_before_a_better_match_far_away() -> None:
    text = "\n\n".join(SEED_TEXTS)
    quote = text[12_000:12_100]
    start = 12_000
    prefix, suffix = text[start - 32 : start], text[start + 100 : start + 132]
    near = quote[:20] + "##" + quote[22:]  # two letters changed where it was
    far = quote[:20] + "#" + quote[21:]  # one letter, in a copy with its context at the very start
    changed = prefix + far + suffix + "\n\n" + text[: start] + near + text[start + 100 :]
    placement = place(changed, quote, prefix, suffix, start)
    moved_by = len(prefix + far + suffix + "\n\n")
    assert placement == Placement(start + moved_by, start + moved_by + 100, "fuzzy")


def test_text_inserted_at_either_end_of_an_edited_passage_is_left_outside() -> None:
    text = SEED_TEXTS[2]
    quote = "Both countries recognized"
    start = text.index(quote)
    prefix, suffix = text[start - 32 : start], text[start + len(quote) : start + len(quote) + 32]
    edited = "Both countries recogniZed"
    changed = text[:start] + "[NEW]" + edited + "[OLD]" + text[start + len(quote) :]
    assert place(changed, quote, prefix, suffix, start) == Placement(start + 5, start + 5 + len(quote), "fuzzy")


def test_a_passage_exactly_as_similar_as_the_cutoff_is_still_placed() -> None:
    """One letter of four changed scores 75, CUTOFF itself: the limit is inclusive."""
    text = SEED_TEXTS[2]
    start = text.index("They")
    assert text.count("They") == 1
    prefix, suffix = text[start - 32 : start], text[start + 4 : start + 36]
    changed = text[:start] + "Thez" + text[start + 4 :]
    assert place(changed, "They", prefix, suffix, start) == Placement(start, start + 4, "fuzzy")


def test_a_short_passage_rewritten_in_unchanged_surroundings_is_an_orphan() -> None:
    """Its context still aligns, but what is between no longer resembles the quote."""
    text = SEED_TEXTS[2]
    quote = "Both countries recognized"
    start = text.index(quote)
    prefix, suffix = text[start - 32 : start], text[start + len(quote) : start + len(quote) + 32]
    changed = text.replace(quote, "Neither side would admit")
    assert place(changed, quote, prefix, suffix, start) is None


@settings(max_examples=300, deadline=None)
@given(data=st.data(), annotated=annotated_texts())
def test_a_quote_that_survives_an_edit_is_placed_on_that_exact_text(data, annotated) -> None:
    text, start, end = annotated
    edits_made = data.draw(st.lists(edits(len(text)), min_size=1, max_size=3))
    changed = text
    for at, removed, inserted in edits_made:
        at = min(at, len(changed))
        changed = changed[:at] + inserted + changed[at + removed :]
    quote, prefix, suffix = context(text, start, end)
    placement = place(changed, quote, prefix, suffix, start)
    if quote in changed:
        assert placement is not None and changed[placement.start : placement.end] == quote


@settings(max_examples=300, deadline=None)
@given(data=st.data(), annotated=annotated_texts())
def test_an_edit_elsewhere_moves_a_unique_passage_by_the_edit_length(data, annotated) -> None:
    text, start, end = annotated
    quote, prefix, suffix = context(text, start, end)
    assume(text.count(quote) == 1)
    at, removed, inserted = data.draw(edits(len(text)))
    if at < start:  # before the passage: it shifts
        removed = min(removed, start - at)
        shift = len(inserted) - removed
    else:  # after it: it stays
        at = max(at, end)
        removed = min(removed, len(text) - at)
        shift = 0
    changed = text[:at] + inserted + text[at + removed :]
    assume(changed.count(quote) == 1)
    placement = place(changed, quote, prefix, suffix, start)
    assert (placement.start, placement.end) == (start + shift, end + shift)



@settings(max_examples=200, deadline=None)
@given(data=st.data(), text=st.sampled_from(SEED_TEXTS))
def test_a_small_edit_inside_a_long_passage_keeps_it_anchored_nearby(data, text) -> None:
    """On real prose (the seed documents): generated word salad that repeats itself
    (``border border border…``) makes any fuzzy boundary ambiguous, which says nothing."""
    start = data.draw(st.integers(0, len(text) - 120))
    end = start + data.draw(st.integers(80, 300))
    assume(end <= len(text))
    quote, prefix, suffix = context(text, start, end)
    at = data.draw(st.integers(start + 10, end - 10))
    inserted = data.draw(st.text(alphabet="xyzXYZ", min_size=1, max_size=4))
    changed = text[:at] + inserted + text[at + 2 :]
    assume(quote not in changed)  # else it is an exact match, tested above
    placement = place(changed, quote, prefix, suffix, start)
    assert placement is not None and placement.how == "fuzzy"
    assert abs(placement.start - start) <= 4
    assert abs(placement.end - (end + len(inserted) - 2)) <= 4


def test_a_passage_that_was_rewritten_is_an_orphan() -> None:
    text = "The agencies met in El Paso. " * 3 + "They agreed to share firearm tracing data weekly. " + "End."
    start = text.index("They agreed")
    end = text.index(" End.")
    quote, prefix, suffix = context(text, start, end)
    changed = text.replace(quote, "Talks collapsed without any agreement at all. ")
    assert place(changed, quote, prefix, suffix, start) is None


def test_duplicates_prefer_the_occurrence_with_its_context() -> None:
    text = "alpha: weapons seized. beta: weapons seized. gamma: weapons seized."
    start = text.index("weapons", text.index("beta"))
    quote, prefix, suffix = context(text, start, start + len("weapons seized"))
    changed = "Intro paragraph added at the top. " + text.replace("gamma", "delta")
    placement = place(changed, quote, prefix, suffix, start)
    assert placement.start == changed.index("weapons", changed.index("beta"))
