"""Placing an annotation again in a document whose text has changed since it was coded.

An annotation remembers its offsets, its quote and up to 32 characters either side. When
the text changes, each is placed by the first of these that works:

1. ``unchanged``: the quote is still at the old offsets;
2. ``exact``: the quote occurs elsewhere: the occurrence whose surroundings agree most with
   the remembered prefix and suffix, and of those the nearest to the old offset;
3. ``fuzzy``: rapidfuzz aligns prefix + quote + suffix with the text, first within a few
   kilobytes of the old offset, then anywhere; a Levenshtein alignment of that window maps
   the quote's two ends; the new passage must still score ``CUTOFF`` against the old quote;
4. else the annotation is an orphan (``None``), which the store keeps and the user places.

A quote that survives an edit unchanged is therefore always placed on that exact text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rapidfuzz.distance import Levenshtein

CUTOFF = 75.0  # rapidfuzz scores, 0..100; unrelated passages scored 56-61 in trials
NEARBY = 5_000  # characters searched either side of the old offset before the whole text


@dataclass(frozen=True)
class Placement:
    start: int
    end: int
    how: str  # "unchanged", "exact" or "fuzzy"


def place(text: str, quote: str, prefix: str, suffix: str, old_start: int,
          fuzzy: bool = True) -> Placement | None:
    """Where the passage ``quote`` (once at ``old_start``) is in ``text`` now, or None.
    ``fuzzy=False`` accepts exact occurrences only: the alignment's cost grows with the
    quote's length times the text's, which an import bounds for quotes a stranger wrote."""
    if not quote:
        return None
    if text.startswith(quote, old_start):
        return Placement(old_start, old_start + len(quote), "unchanged")
    occurrence = nearest_occurrence(text, quote, prefix, suffix, old_start)
    if occurrence is not None:
        return Placement(occurrence, occurrence + len(quote), "exact")
    if not fuzzy:
        return None
    span = fuzzy_span(text, quote, prefix, suffix, old_start)
    return Placement(*span, "fuzzy") if span else None


def occurrences(text: str, quote: str) -> Iterator[int]:
    found = text.find(quote)
    while found != -1:
        yield found
        found = text.find(quote, found + 1)


def context_agreement(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of the remembered prefix and suffix still surround a passage."""
    before = text[max(0, start - len(prefix)) : start][::-1]
    after = text[end : end + len(suffix)]
    return len(os.path.commonprefix([before, prefix[::-1]])) + len(os.path.commonprefix([after, suffix]))


def nearest_occurrence(text: str, quote: str, prefix: str, suffix: str, old_start: int) -> int | None:
    """The occurrence whose surroundings agree most with the remembered context; of equals,
    the nearest to where the passage was."""
    return min(
        occurrences(text, quote),
        key=lambda start: (
            -context_agreement(text, start, start + len(quote), prefix, suffix),
            abs(start - old_start),
        ),
        default=None,
    )


def fuzzy_span(text: str, quote: str, prefix: str, suffix: str, old_start: int) -> tuple[int, int] | None:
    # rapidfuzz is imported when an edited document first needs it, not at every start-up.
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Levenshtein

    needle = prefix + quote + suffix
    near = (max(0, old_start - len(prefix) - NEARBY), old_start + len(quote) + len(suffix) + NEARBY)
    searches = [near] if near[0] == 0 and near[1] >= len(text) else [near, (0, len(text))]
    for low, high in searches:
        window = aligned_window(text, needle, low, min(high, len(text)))
        if window is None:
            continue
        opcodes = Levenshtein.opcodes(needle, text[window[0] : window[1]])
        start = window[0] + map_offset(opcodes, len(prefix), at_start=True)
        end = window[0] + map_offset(opcodes, len(prefix) + len(quote), at_start=False)
        if fuzz.ratio(quote, text[start:end]) >= CUTOFF:  # an empty or inverted span scores 0
            return start, end
    return None


def aligned_window(text: str, needle: str, low: int, high: int) -> tuple[int, int] | None:
    from rapidfuzz import fuzz

    """The stretch of ``text[low:high]`` that best matches ``needle``, with some slack, since
    the alignment has the needle's length while the edited passage may be longer."""
    if high - low <= len(needle):
        return low, high
    alignment = fuzz.partial_ratio_alignment(needle, text[low:high], score_cutoff=CUTOFF)
    if alignment is None:
        return None
    slack = len(needle) // 10 + 16
    return max(low, low + alignment.dest_start - slack), min(high, low + alignment.dest_end + slack)


def map_offset(opcodes: Levenshtein.Opcodes, offset: int, at_start: bool) -> int:
    """Where a boundary of the needle lands in the aligned window.

    A start boundary is the character at ``offset``; an end boundary is just after the
    character before it. Text inserted right at a boundary is left outside the passage.
    """
    for op in opcodes:  # an insertion (src_start == src_end) is never inside: skipped
        inside = op.src_start <= offset < op.src_end if at_start else op.src_start < offset <= op.src_end
        if inside:
            if op.tag == "delete":
                return op.dest_start
            return op.dest_start + offset - op.src_start  # equal and replace blocks keep their length
    return opcodes.dest_len if at_start else 0
