"""One document's annotations as an interval index: which passages overlap a range, cover
a character, or have exactly these bounds; and, for coding queries, each theme's passages.

The reader asks it for every row it draws, so the queries are a bisect and a short scan.
A passage overlapping ``[start, end)`` starts before ``end`` and no earlier than
``start - longest``, so a bisect over the starts bounds the scan.
"""

from __future__ import annotations

import bisect
import gc
import itertools
from itertools import accumulate, compress, repeat
from operator import attrgetter, gt

from .store import Annotation

sort_key = attrgetter("start", "end", "id")  # document order; C-fast for 100,000 annotations


class DocumentAnnotations:
    """One document's annotations, sorted by (start, end, id), answering overlap queries fast."""

    def __init__(self, annotations: list[Annotation]) -> None:
        gc.disable()  # sorting allocates a key per item; collections would dominate
        try:
            self.items = sorted(annotations, key=sort_key)
            # Each theme's annotations, in the same order, split in the pass that opening
            # makes anyway: the first coding query then starts from them rather than from
            # every annotation of the corpus (#16: under 200 ms at 100,000 annotations).
            self._by_theme: dict[int, list[Annotation]] = {}
            by_theme = self._by_theme
            for annotation in self.items:
                for theme_id in annotation.themes:
                    found = by_theme.get(theme_id)
                    if found is None:
                        by_theme[theme_id] = [annotation]
                    else:
                        found.append(annotation)
        finally:
            gc.enable()
        self._starts = [a.start for a in self.items]
        # Ends and themes alongside the starts: which themes overlap a query's result is
        # then read by C loops (``themes_over``), not an annotation at a time.
        self._ends = [a.end for a in self.items]
        self._themes = [a.themes for a in self.items]
        self._longest = max((a.end - a.start for a in self.items), default=0)
        self._columns: dict[int, tuple[list[int], list[int]]] = {}  # per theme, until it changes
        self._merged: dict[int, list[tuple[int, int]]] = {}  # likewise

    def add(self, annotation: Annotation) -> None:
        """Insert in order: a tag costs a bisect and a list insert, not a re-sort."""
        index = bisect.bisect_left(self.items, sort_key(annotation), key=sort_key)
        self.items.insert(index, annotation)
        self._starts.insert(index, annotation.start)
        self._ends.insert(index, annotation.end)
        self._themes.insert(index, annotation.themes)
        self._longest = max(self._longest, annotation.end - annotation.start)
        for theme_id in annotation.themes:
            bisect.insort(self._by_theme.setdefault(theme_id, []), annotation, key=sort_key)
            self._columns.pop(theme_id, None)
            self._merged.pop(theme_id, None)

    def discard(self, annotation: Annotation) -> None:
        """Remove it (found by its bounds and id); ``_longest`` may now overestimate, which
        only widens scans a little."""
        index = bisect.bisect_left(self.items, sort_key(annotation), key=sort_key)
        if index < len(self.items) and self.items[index].id == annotation.id:
            del self.items[index]
            del self._starts[index]
            del self._ends[index]
            del self._themes[index]
            for theme_id in annotation.themes:
                coded = self._by_theme[theme_id]
                del coded[bisect.bisect_left(coded, sort_key(annotation), key=sort_key)]
                if not coded:
                    del self._by_theme[theme_id]
                self._columns.pop(theme_id, None)
                self._merged.pop(theme_id, None)

    def __len__(self) -> int:
        return len(self.items)

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Annotations sharing at least one character with ``[start, end)``, in document order."""
        low = bisect.bisect_left(self._starts, start - self._longest)
        high = bisect.bisect_left(self._starts, end)
        return [a for a in self.items[low:high] if a.end > start]

    def themes_over(self, start: int, end: int) -> set[int]:
        """The ids of the themes of the annotations sharing a character with ``[start, end)``."""
        low = bisect.bisect_left(self._starts, start - self._longest)
        high = bisect.bisect_left(self._starts, end, low)
        return set().union(*compress(self._themes[low:high], map(gt, self._ends[low:high], repeat(start))))

    def at(self, offset: int) -> list[Annotation]:
        """Annotations covering the character at ``offset``, innermost (shortest) first."""
        return sorted(self.overlapping(offset, offset + 1), key=lambda a: (a.end - a.start, a.id))

    def exactly(self, start: int, end: int, author: str | None = None) -> Annotation | None:
        """The annotation of exactly ``[start, end)`` (the lowest id if several), or None;
        with ``author``, only one that coder (or those coders) made: another coder's coding
        of the same passage is another annotation (``merging.py``)."""
        index = bisect.bisect_left(self._starts, start)
        for annotation in itertools.islice(self.items, index, None):  # no copy: an import asks per passage
            if annotation.start != start:
                break
            if annotation.end == end and (author is None or annotation.author == author):
                return annotation
        return None

    def column(self, theme_id: int) -> tuple[list[int], list[int]] | None:
        """The theme's passages here as their starts (sorted) and the furthest end reached by
        each prefix of them (None: not coded here). A run ``[s, e)`` meets the theme when
        the passages starting before ``e`` reach past ``s``. Kept until the theme's
        passages here change."""
        column = self._columns.get(theme_id)
        if column is None:
            coded = self._by_theme.get(theme_id)
            if coded is None:
                return None
            column = self._columns[theme_id] = ([a.start for a in coded], list(accumulate((a.end for a in coded), max)))
        return column

    def merged(self, theme_id: int) -> list[tuple[int, int]] | None:
        """The theme's characters here as maximal intervals (None: not coded here): a run
        ends where the next passage starts beyond the reach of those before it. The work is
        done by C loops (``map``, ``compress``) over the column."""
        merged = self._merged.get(theme_id)
        if merged is None:
            column = self.column(theme_id)
            if column is None:
                return None
            starts, reach = column
            count = len(starts)
            firsts = [0, *compress(range(1, count), map(gt, starts[1:], reach))]
            lasts = [first - 1 for first in firsts[1:]] + [count - 1]
            merged = self._merged[theme_id] = list(zip(map(starts.__getitem__, firsts),
                                                       map(reach.__getitem__, lasts), strict=True))
        return merged
