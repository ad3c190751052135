"""Searching every document of the corpus, for the search screen and keyword auto-coding."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .corpus import Document

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Hit:
    document: Document
    start: int
    end: int

    def context(self, width: int = 40) -> tuple[str, str, str]:
        """Up to ``width`` characters either side of the match, on one line (runs of
        whitespace, line breaks included, become one space; none is dropped at the seams)."""
        text = self.document.text
        parts = (text[max(0, self.start - width) : self.start], text[self.start : self.end],
                 text[self.end : self.end + width])
        return tuple(_WHITESPACE.sub(" ", part) for part in parts)  # type: ignore[return-value]


def compile_query(query: str, regex: bool, case_sensitive: bool) -> re.Pattern[str]:
    """The pattern for a search; raises ``ValueError`` with the reason for a bad expression."""
    try:
        return re.compile(query if regex else re.escape(query), 0 if case_sensitive else re.IGNORECASE)
    except re.error as error:
        raise ValueError(f"not a valid regular expression: {error}") from None


def search_corpus(documents: list[Document], pattern: re.Pattern[str]) -> list[Hit]:
    """Every non-empty match in every document, in corpus order."""
    return [
        Hit(document, match.start(), match.end())
        for document in documents
        for match in pattern.finditer(document.text)
        if match.end() > match.start()
    ]
