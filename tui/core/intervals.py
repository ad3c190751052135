"""Sets of characters as sorted lists of maximal intervals, and the set algebra on them.

A set of characters of one document is a list of half-open ``(start, end)`` intervals, sorted,
with no two overlapping or touching: ``[(0, 5), (5, 9)]`` is written ``[(0, 9)]``. In that
canonical form two equal sets are equal lists, and every operation is a linear merge of two
sorted lists (no per-character loop), so a query over 100,000 annotations stays fast.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from itertools import islice

Interval = tuple[int, int]
Intervals = list[Interval]

WORD = re.compile(r"\w+")


def normalise(intervals: Iterable[Interval]) -> Intervals:
    """The canonical form: sorted, empty intervals dropped, overlapping or touching ones merged."""
    merged: Intervals = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
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
    while i < len(first) and j < len(second):
        start = max(first[i][0], second[j][0])
        end = min(first[i][1], second[j][1])
        if start < end:
            result.append((start, end))
        if first[i][1] < second[j][1]:
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
            start = max(start, second[k][1])
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
