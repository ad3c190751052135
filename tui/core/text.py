"""Decoding document bytes and finding structure (lines, paragraphs, sentences, words) in text.

Every offset in Margin is a Python ``str`` index into the *decoded text* of a document, so
``text[start:end]`` is always the quote. The decoded text is the file's bytes decoded, with a
byte-order mark dropped and line ends normalised to ``\\n`` (as Python's universal newlines do):
a file re-saved with CRLF line ends keeps its annotations.
"""

from __future__ import annotations

import bisect
import codecs
import re
from functools import cached_property

# Bytes that never occur in text files; one of them in the first block means "binary".
_BINARY_SNIFF_BYTES = 8192
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableText(ValueError):
    """The bytes are not text Margin can decode with confidence."""


class BinaryContent(UndecodableText):
    """The bytes look like a binary file (images, archives, executables...)."""


def decode_document(data: bytes) -> tuple[str, str]:
    """Decode a document's bytes, returning ``(text, encoding)``.

    UTF-8 first (the overwhelmingly common case), then a byte-order mark, then
    charset-normalizer's best guess for legacy encodings (Windows-1252, Latin-1, Shift-JIS...).
    Raises ``BinaryContent`` or ``UndecodableText`` rather than guessing wildly.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return normalise_newlines(data.decode(encoding)), encoding
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise BinaryContent("binary file, not a text document")
    try:
        return normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    # Imported here: only legacy-encoded files pay for the detector.
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableText("not UTF-8 and no text encoding fits")
    return normalise_newlines(str(best)), best.encoding


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF, the way Python reads text files."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


# C0 controls (but tab and newline), DEL and C1 controls: shown as visible stand-ins so an
# escape sequence in a document can never reach the terminal. One character maps to one
# character, so offsets into the original text stay valid for the displayed text.
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code not in (9, 10)}
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def displayable(text: str) -> str:
    """Replace control characters with visible, single-character stand-ins."""
    if _CONTROL_RE.search(text) is None:
        return text
    return text.translate(_CONTROL_PICTURES)


_WORD_RE = re.compile(r"\w+|[^\w\s]+")
_BLANK_LINE_RE = re.compile(r"[ \t\f\v]*$")
# A sentence ends at . ! ? (possibly repeated), then closing quotes or brackets, then space and
# something that can start a sentence. Abbreviations and initials ("U.S. Border Patrol",
# "Dr. Smith") are filtered out afterwards in ``TextIndex.sentence_at``.
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]*[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st no vs etc inc jr sr prof gen gov sen rep lt col sgt capt "
    "jan feb mar apr jun jul aug sep sept oct nov dec dept approx fig e.g i.e".split()
)


class TextIndex:
    """Line starts and paragraph spans of a text, built once, queried by offset.

    A paragraph is a maximal run of non-blank lines; its span excludes the final newline.
    Line starts are found at once (the reader needs them to draw); paragraphs when first
    asked for (selection and movement by paragraph, statistics).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        position = find("\n")
        while position != -1:
            starts.append(position + 1)
            position = find("\n", position + 1)
        self.line_starts = starts

    @cached_property
    def paragraphs(self) -> list[tuple[int, int]]:
        text = self.text
        paragraphs: list[tuple[int, int]] = []
        paragraph_start: int | None = None
        for number, start in enumerate(self.line_starts):
            end = self.line_end(number)
            if _BLANK_LINE_RE.match(text, start, end):
                if paragraph_start is not None:
                    paragraphs.append((paragraph_start, self.line_end(number - 1)))
                    paragraph_start = None
            elif paragraph_start is None:
                paragraph_start = start
        if paragraph_start is not None:
            paragraphs.append((paragraph_start, len(text)))
        return paragraphs

    @cached_property
    def _paragraph_starts(self) -> list[int]:
        return [start for start, _ in self.paragraphs]

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_end(self, number: int) -> int:
        """Offset just past the last character of line ``number`` (before its newline)."""
        if number + 1 < len(self.line_starts):
            return self.line_starts[number + 1] - 1
        return len(self.text)

    def line_of(self, offset: int) -> int:
        """The 0-based line number holding ``offset``."""
        return bisect.bisect_right(self.line_starts, offset) - 1

    def paragraph_at(self, offset: int) -> tuple[int, int] | None:
        """The paragraph holding ``offset``, or None on a blank line."""
        index = bisect.bisect_right(self._paragraph_starts, offset) - 1
        if index >= 0:
            start, end = self.paragraphs[index]
            if start <= offset < end or offset == end == len(self.text):
                return start, end
        return None

    def next_paragraph_start(self, offset: int) -> int:
        """Start of the first paragraph after the one at ``offset`` (or the end of text)."""
        index = bisect.bisect_right(self._paragraph_starts, offset)
        if index < len(self.paragraphs):
            return self.paragraphs[index][0]
        return len(self.text)

    def previous_paragraph_start(self, offset: int) -> int:
        """Start of the paragraph at ``offset`` if the cursor is inside it, else of the one before."""
        index = bisect.bisect_left(self._paragraph_starts, offset) - 1
        if index >= 0:
            return self.paragraphs[index][0]
        return 0

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        """The sentence holding ``offset``, bounded by its paragraph, without outer spaces."""
        paragraph = self.paragraph_at(offset)
        if paragraph is None:
            return None
        start, end = paragraph
        sentence_start = start
        for match in _SENTENCE_END_RE.finditer(self.text, start, end):
            if self._is_abbreviation(match.start()):
                continue
            if match.end() > offset:
                return strip_span(self.text, sentence_start, match.end())
            sentence_start = match.end()
        return strip_span(self.text, sentence_start, end)

    def _is_abbreviation(self, period: int) -> bool:
        """Whether the full stop at ``period`` closes an initial or a known abbreviation."""
        if self.text[period] != ".":
            return False
        word_start = period
        while word_start > 0 and (self.text[word_start - 1].isalpha() or self.text[word_start - 1] == "."):
            word_start -= 1
        word = self.text[word_start:period].lower()
        return len(word.replace(".", "")) <= 1 or word in _ABBREVIATIONS or "." in word

    def next_word_start(self, offset: int) -> int:
        """Like vim's ``w``: the start of the next word or punctuation run."""
        match = _WORD_RE.search(self.text, offset)
        if match is not None and match.start() <= offset:
            match = _WORD_RE.search(self.text, match.end())
        return match.start() if match is not None else len(self.text)

    def previous_word_start(self, offset: int) -> int:
        """Like vim's ``b``: the start of the word before ``offset`` (or of the one it is in)."""
        window_start = offset
        while window_start > 0:
            window_start = max(0, window_start - 256)
            starts = [m.start() for m in _WORD_RE.finditer(self.text, window_start, offset)]
            # The first match may be cut by the window; only trust it at the text's start.
            if len(starts) > 1 or (starts and window_start == 0):
                return starts[-1]
        return 0


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


_LINE_RE = re.compile(r"[^\n]+")


def title_from_text(text: str, fallback: str, limit: int = 80) -> str:
    """A display title for a document with no catalog entry: its first meaningful line.
    Lines are found one at a time: the title is near the top, and the text may be long."""
    for match in _LINE_RE.finditer(text):
        line = match.group()[: limit * 4]  # enough for the title, however long the line
        candidate = " ".join(displayable(line).split())
        if len(candidate) >= 3 and any(ch.isalpha() for ch in candidate):
            if len(candidate) > limit:
                candidate = candidate[: limit - 1].rstrip() + "…"
            return candidate
    return fallback


def one_line(text: str, limit: int) -> str:
    """``text`` with its runs of whitespace made single spaces, cut to ``limit`` characters
    with an ellipsis (a name, a label, a heading)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def counted(count: int, noun: str) -> str:
    """``1 annotation``, ``3 annotations``: counts in messages read as English."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
