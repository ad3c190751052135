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
# The bidi controls too (the Arabic letter mark, the LTR/RTL marks, embeddings, overrides
# and isolates): a terminal that applies them would show a title, a name or a passage in
# another order than its characters (``gnp.exe`` spelled backwards), so each is a visible U+FFFD.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_CONTROL_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code not in (9, 10)}
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
_CONTROL_PICTURES.update({ord(control): "\ufffd" for control in BIDI_CONTROLS})
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")


def displayable(text: str) -> str:
    """Replace control characters and bidi controls with visible, single-character
    stand-ins (one cell wide: ``layout.char_width`` counts them so)."""
    if _CONTROL_RE.search(text) is None:
        return text
    return text.translate(_CONTROL_PICTURES)


# What ``terminal_safe`` escapes: every control character but tab (newline too: a line is one
# line), and the invisible format characters that reorder or hide text: bidi embeddings,
# overrides, isolates and marks, zero-width spaces, the soft hyphen, tag characters,
# line and paragraph separators. The joiners (U+200C, U+200D) are kept, as Persian, Indic
# scripts and emoji need them, and so are the visible prepended marks (U+0600..U+0605...).
# Lone surrogates (an undecodable byte of a file name) cannot even be encoded for output.
_TERMINAL_UNSAFE_RE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u2028-\u202e"
    "\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    code = ord(character)
    if code > 0xFFFF:  # a UTF-16 surrogate pair, as JSON spells it
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` fit to print on a terminal: escape sequences (an OSC 52 clipboard write, a
    colour, a cursor move), bidi overrides and invisible characters from a file are written
    out as ``\\u001b``, ``\\u202e``, ``\\n``, so a name or a quote can neither drive the
    terminal nor pass for other text.

    The escapes are JSON's: JSON printed through this function stays valid and means the
    same. Unlike ``displayable`` (the reader's one-for-one stand-ins, which keep offsets),
    nothing here is lost: the escape names the character.
    """
    return _TERMINAL_UNSAFE_RE.sub(_escape, text)


_WORD_RE = re.compile(r"\w+|[^\w\s]+")
_BLANK_LINE_RE = re.compile(r"[ \t\f\v]*$")

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
        # Paragraph start -> its sentence ends: segmenting is done once per paragraph, and
        # every later ``s`` in it is a bisect.
        self._sentence_ends: dict[int, list[int]] = {}

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
        """The sentence holding ``offset``, bounded by its paragraph, without outer spaces.

        The spaces after a sentence belong to the next one, so ``s`` on them selects what
        follows, and a full stop stays with its own sentence.
        """
        paragraph = self.paragraph_at(offset)
        if paragraph is None:
            return None
        ends = self._sentence_ends.get(paragraph[0])
        if ends is None:
            ends = self._sentence_ends[paragraph[0]] = sentence_ends(self.text, *paragraph)
        index = min(bisect.bisect_right(ends, offset), len(ends) - 1)
        return strip_span(self.text, ends[index - 1] if index else paragraph[0], ends[index])

    def word_at(self, offset: int) -> tuple[int, int] | None:
        """The word (or punctuation run) holding ``offset``, as a double click selects it;
        None on a space."""
        line = self.line_of(offset)
        for match in _WORD_RE.finditer(self.text, self.line_starts[line], self.line_end(line)):
            if match.start() <= offset < match.end():
                return match.span()
            if match.start() > offset:
                break
        return None

    def next_word_start(self, offset: int) -> int:
        """Like vim's ``w``: the start of the next word or punctuation run."""
        match = _WORD_RE.search(self.text, offset)
        if match is not None and match.start() <= offset:
            match = _WORD_RE.search(self.text, match.end())
        return match.start() if match is not None else len(self.text)

    def previous_word_start(self, offset: int) -> int:
        """Like vim's ``b``: the start of the word before ``offset`` (or of the one it is in).

        Regular expressions only search forward, so a window before ``offset`` is searched,
        and doubled while it holds no whole word: linear in the length of the word, where a
        window growing by a fixed step made one 1 MB word (a minified file) take seconds."""
        window_start, window = offset, 256
        while window_start > 0:
            window_start, window = max(0, offset - window), window * 2
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


def sentence_ends(text: str, start: int, end: int) -> list[int]:
    """Where each sentence of ``text[start:end]`` ends (trailing spaces excluded), in order;
    the last is ``end``.

    syntok decides where sentences start: after a full stop that follows a number, a
    closing quote or a bracket, but not after "Dr.", "U.S.", "a.m." or "e.g." that go on
    with the sentence. Only its token offsets are used, never its token text (which can
    differ, a word hyphenated across a line break being joined), so every end is an exact
    offset into ``text``.
    """
    from syntok import segmenter  # imported on the first ``s``: it costs ~70 ms to load

    starts = [start + sentence[0].offset for paragraph in segmenter.analyze(text[start:end])
              for sentence in paragraph if sentence]
    ends: list[int] = []
    for boundary in starts[1:]:
        ends.append(strip_span(text, ends[-1] if ends else start, boundary)[1])
    ends.append(end)
    return ends


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
