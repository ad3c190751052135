"""One document's annotations as an interval index: which passages overlap a range, cover
a character, or have exactly these bounds.

The reader asks it for every row it draws, so the queries are a bisect and a short scan.
A passage overlapping ``[start, end)`` starts before ``end`` and no earlier than
``start - longest``, so a bisect over the starts bounds the scan.
"""

from __future__ import annotations

import bisect
import gc
import itertools
from operator import attrgetter

from .store import Annotation

sort_key = attrgetter("start", "end", "id")  # document order; C-fast for 100,000 annotations


class DocumentAnnotations:
    """One document's annotations, sorted by (start, end, id), answering overlap queries fast."""

    def __init__(self, annotations: list[Annotation]) -> None:
        gc.disable()  # sorting allocates a key per item; collections would dominate
        try:
            self.items = sorted(annotations, key=sort_key)
        finally:
            gc.enable()
        self._starts = [a.start for a in self.items]
        self._longest = max((a.end - a.start for a in self.items), default=0)

    def add(self, annotation: Annotation) -> None:
        """Insert in order: a tag costs a bisect and a list insert, not a re-sort."""
        index = bisect.bisect_left(self.items, sort_key(annotation), key=sort_key)
        self.items.insert(index, annotation)
        self._starts.insert(index, annotation.start)
        self._longest = max(self._longest, annotation.end - annotation.start)

    def discard(self, annotation: Annotation) -> None:
        """Remove it (found by its bounds and id); ``_longest`` may now overestimate, which
        only widens scans a little."""
        index = bisect.bisect_left(self.items, sort_key(annotation), key=sort_key)
        if index < len(self.items) and self.items[index].id == annotation.id:
            del self.items[index]
            del self._starts[index]

    def __len__(self) -> int:
        return len(self.items)

    def overlapping(self, start: int, end: int) -> list[Annotation]:
        """Annotations sharing at least one character with ``[start, end)``, in document order."""
        low = bisect.bisect_left(self._starts, start - self._longest)
        high = bisect.bisect_left(self._starts, end)
        return [a for a in self.items[low:high] if a.end > start]

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
