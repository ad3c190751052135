"""Sets of characters as sorted lists of maximal intervals, and the set algebra on them.

A set of characters of one document is a list of half-open ``(start, end)`` intervals, sorted,
with no two overlapping or touching: ``[(0, 5), (5, 9)]`` is written ``[(0, 9)]``. In that
canonical form two equal sets are equal lists, and every operation is a linear merge of two
sorted lists (no per-character loop), so a query over 100,000 annotations stays fast.
"""

from __future__ import annotations

import bisect
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice

Interval = tuple[int, int]
Intervals = list[Interval]

WORD = re.compile(r"\w+")


@contextmanager
def no_collection() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens or hundreds of thousands of interval
    tuples are made (a query, an agreement): with a big store alive, its passes cost more
    than the work itself, and these tuples hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def normalise(intervals: Iterable[Interval]) -> Intervals:
    """The canonical form: sorted, empty intervals dropped, overlapping or touching ones merged."""
    return merge_sorted(sorted(intervals))


def merge_sorted(intervals: Iterable[Interval]) -> Intervals:
    """``normalise`` for intervals sorted by start already (a document's annotations are)."""
    merged: Intervals = []
    run_start = run_end = -1
    for start, end in intervals:
        if end <= start:
            continue
        if start <= run_end:
            if end > run_end:
                run_end = end
        else:
            if run_end >= 0:
                merged.append((run_start, run_end))
            run_start, run_end = start, end
    if run_end >= 0:
        merged.append((run_start, run_end))
    return merged


def union(first: Intervals, second: Intervals) -> Intervals:
    if not first:
        return second
    if not second:
        return first
    return normalise(first + second)  # Timsort merges two sorted runs in linear time


def intersection(first: Intervals, second: Intervals) -> Intervals:
    """Characters in both (inputs canonical; so is the result)."""
    result: Intervals = []
    i = j = 0
    count_first, count_second = len(first), len(second)
    while i < count_first and j < count_second:
        first_start, first_end = first[i]
        second_start, second_end = second[j]
        start = first_start if first_start > second_start else second_start
        end = first_end if first_end < second_end else second_end
        if start < end:
            result.append((start, end))
        if first_end < second_end:
            i += 1
        else:
            j += 1
    return result


def difference(first: Intervals, second: Intervals) -> Intervals:
    """Characters of ``first`` not in ``second`` (inputs canonical; so is the result)."""
    result: Intervals = []
    j = 0
    for start, end in first:
        while j < len(second) and second[j][1] <= start:
            j += 1
        k = j
        while k < len(second) and second[k][0] < end:
            if second[k][0] > start:
                result.append((start, second[k][0]))
            if second[k][1] > start:
                start = second[k][1]
            k += 1
        if start < end:
            result.append((start, end))
    return result


def length(intervals: Intervals) -> int:
    return sum(end - start for start, end in intervals)


def words_within(text: str, start: int, end: int, limit: int) -> bool:
    """Whether at most ``limit`` words (runs of letters and digits; a word cut by either
    boundary counts) lie in ``text[start:end]``. Stops counting at ``limit + 1``."""
    if end - start <= limit:  # n characters never hold more than n words
        return True
    return sum(1 for _ in islice(WORD.finditer(text, start, end), limit + 1)) <= limit


def near(first: Intervals, second: Intervals, is_near: Callable[[int, int], bool]) -> Intervals:
    """The intervals of ``first`` with an interval of ``second`` overlapping, touching or
    near them, and the intervals of ``second`` near one of ``first``: whole intervals, as
    one set. ``is_near(gap_start, gap_end)`` judges the gap between two intervals."""
    return union(_near_one_way(first, second, is_near), _near_one_way(second, first, is_near))


def _near_one_way(first: Intervals, second: Intervals, is_near: Callable[[int, int], bool]) -> Intervals:
    if not second:
        return []
    starts = [start for start, _ in second]
    kept: Intervals = []
    for start, end in first:
        index = bisect.bisect_left(starts, end)  # second[index:] start at or after our end
        before = second[index - 1] if index else None
        after = second[index] if index < len(second) else None
        if (before is not None and (before[1] >= start or is_near(before[1], start))) or (
                after is not None and is_near(end, after[0])):
            kept.append((start, end))
    return kept
