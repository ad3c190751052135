"""Turning a document file into the text Margin reads, codes and exports.

Plain text and Markdown are decoded as they are. HTML, Word (``.docx``) and PDF files are
reduced to their readable text by well-kept libraries (html-text, python-docx, pypdf), with
paragraphs separated by a blank line so paragraph selection works as in any text file. The
extracted text is what every offset refers to, and what exports carry as the source.

Extraction is deterministic for a given file and library version. Should a library upgrade
change the text it extracts, the document's hash changes and Margin re-anchors its
annotations by their quotes, as for any edited document.

The libraries are imported on first use: a corpus of plain text never pays for them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path

from . import limits
from .text import UndecodableText, decode_document, normalise_newlines, one_line

PARAGRAPH_BREAK = "\n\n"
REASON_CHARS = 160  # a library's error message, kept to what fits in one line of a message

# pypdf logs what it repairs in a broken file ("incorrect startxref pointer") as warnings,
# which Python prints on stderr when nothing is configured: over the TUI, or as extra lines
# beside the CLI's one-line error. Whether the file was readable is reported by us.
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pypdf").propagate = False


def _plain(data: bytes) -> tuple[str, str]:
    return decode_document(data)


def _html(data: bytes) -> tuple[str, str]:
    """Visible text of an HTML page: no tags, scripts or styles; blocks become paragraphs."""
    import html_text

    if len(data) > limits.HTML_BYTES:
        raise UndecodableText(limits.too_large("HTML page", len(data), limits.HTML_BYTES))
    markup, encoding = decode_document(data)
    text = html_text.extract_text(markup, guess_layout=True)
    return normalise_newlines(text), f"html/{encoding}"


def _docx(data: bytes) -> tuple[str, str]:
    """Body text of a Word document: its paragraphs, and table rows as ``cell | cell`` lines.
    A ``.docx`` is a zip archive: its expansion is checked before python-docx inflates it."""
    from zipfile import ZipFile

    import docx
    from docx.table import Table

    with ZipFile(io.BytesIO(data)) as archive:
        limits.check_archive(archive)
    document = docx.Document(io.BytesIO(data))
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = (" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
            blocks.append("\n".join(rows))
        else:
            blocks.append(block.text.strip())
    return normalise_newlines(PARAGRAPH_BREAK.join(block for block in blocks if block)), "docx"


def _pdf(data: bytes) -> tuple[str, str]:
    """Text layer of a PDF, one paragraph per page. A scanned PDF without text is an error.

    A PDF encrypted with an empty user password opens, as in every viewer (that is how
    "copy protection" is done); one that needs a password is refused with a way out.
    """
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise UndecodableText("password-protected PDF; save an unencrypted copy to read it")
    pages: list[str] = []
    length = 0
    for page in reader.pages:
        pages.append(page.extract_text().strip())
        length += len(pages[-1])
        if length > limits.TEXT_CHARS:  # stop at once: the pages left could be as long
            raise UndecodableText(_too_long(length))
    text = PARAGRAPH_BREAK.join(page for page in pages if page)
    if not text:
        raise UndecodableText("PDF has no text layer (a scan? run OCR on it first)")
    return normalise_newlines(text), "pdf"


def _vtt(data: bytes) -> tuple[str, str]:
    from .transcripts import read_vtt

    return read_vtt(data)


def _srt(data: bytes) -> tuple[str, str]:
    from .transcripts import read_srt

    return read_srt(data)


def _too_long(length: int) -> str:
    return f"text too long ({length:,} characters; Margin reads up to {limits.TEXT_CHARS:,})"


_EXTRACTORS: dict[str, Callable[[bytes], tuple[str, str]]] = {
    ".txt": _plain,
    ".md": _plain,
    ".html": _html,
    ".htm": _html,
    ".docx": _docx,
    ".pdf": _pdf,
    ".vtt": _vtt,  # transcripts: a cue per turn, with speaker and time (transcripts.py)
    ".srt": _srt,
}

# What an unexpected failure of each reader means to the user.
_FAILURES: dict[Callable[[bytes], tuple[str, str]], str] = {
    _plain: "not readable text",
    _html: "not readable HTML",
    _docx: "not a readable Word document",
    _pdf: "not a readable PDF",
    _vtt: "not a readable WebVTT file",
    _srt: "not a readable SubRip (.srt) file",
}

DOCUMENT_SUFFIXES = tuple(_EXTRACTORS)


def is_document(path: Path) -> bool:
    """Whether Margin can open this file as a document, judging by its suffix."""
    return path.suffix.lower() in _EXTRACTORS


def is_plain_text(path: Path) -> bool:
    """Whether the file is read as it is, with no extraction (text, Markdown, unknown kinds)."""
    return _EXTRACTORS.get(path.suffix.lower(), _plain) is _plain


def extract_text(path: Path, data: bytes) -> tuple[str, str]:
    """The readable text of a file's bytes and a label of how it was read (the encoding).

    Raises ``UndecodableText`` (or its ``BinaryContent`` subclass) with a reason fit for a
    one-line error. Files with an unknown suffix are read as plain text.

    This is the one boundary between Margin and the third-party readers: pypdf, python-docx
    and lxml raise whatever they raise on a hostile file (``NotImplementedError`` for an
    unsupported PDF filter, ``KeyError`` for a missing part, ``RecursionError`` for nested
    objects, ``MemoryError``...), and any of it is this one file's problem, never the app's.
    """
    extractor = _EXTRACTORS.get(path.suffix.lower(), _plain)
    try:
        text, encoding = extractor(data)
    except UndecodableText:
        raise
    except limits.LimitExceeded as error:
        raise UndecodableText(str(error)) from None
    except Exception as error:  # noqa: BLE001 - see above: any failure of a reader is the file's
        detail = one_line(f"{type(error).__name__}: {error}".rstrip(": "), REASON_CHARS)
        raise UndecodableText(f"{_FAILURES[extractor]} ({detail})") from None
    if len(text) > limits.TEXT_CHARS:
        raise UndecodableText(_too_long(len(text)))
    return text, encoding
