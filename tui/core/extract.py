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
from collections.abc import Callable
from pathlib import Path
from zipfile import BadZipFile

from .text import UndecodableText, decode_document, normalise_newlines

PARAGRAPH_BREAK = "\n\n"


def _plain(data: bytes) -> tuple[str, str]:
    return decode_document(data)


def _html(data: bytes) -> tuple[str, str]:
    """Visible text of an HTML page: no tags, scripts or styles; blocks become paragraphs."""
    import html_text

    markup, encoding = decode_document(data)
    try:
        text = html_text.extract_text(markup, guess_layout=True)
    except ValueError as error:  # lxml refuses some documents, e.g. an empty one
        raise UndecodableText(f"not readable HTML ({error})") from None
    return normalise_newlines(text), f"html/{encoding}"


def _docx(data: bytes) -> tuple[str, str]:
    """Body text of a Word document: its paragraphs, and table rows as ``cell | cell`` lines."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError, XMLSyntaxError) as error:
        raise UndecodableText(f"not a readable Word document ({type(error).__name__})") from None
    blocks: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = (" | ".join(cell.text.strip() for cell in row.cells) for row in block.rows)
            blocks.append("\n".join(rows))
        else:
            blocks.append(block.text.strip())
    return normalise_newlines(PARAGRAPH_BREAK.join(block for block in blocks if block)), "docx"


def _pdf(data: bytes) -> tuple[str, str]:
    """Text layer of a PDF, one paragraph per page. A scanned PDF without text is an error."""
    import pypdf
    from pypdf.errors import PdfReadError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UndecodableText("encrypted PDF; save an unencrypted copy to read it")
        pages = [page.extract_text().strip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise UndecodableText(f"not a readable PDF ({error})") from None
    text = PARAGRAPH_BREAK.join(page for page in pages if page)
    if not text:
        raise UndecodableText("PDF has no text layer (a scan? run OCR on it first)")
    return normalise_newlines(text), "pdf"


_EXTRACTORS: dict[str, Callable[[bytes], tuple[str, str]]] = {
    ".txt": _plain,
    ".md": _plain,
    ".html": _html,
    ".htm": _html,
    ".docx": _docx,
    ".pdf": _pdf,
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
    """
    return _EXTRACTORS.get(path.suffix.lower(), _plain)(data)
