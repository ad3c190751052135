"""Building HTML, Word and PDF documents for tests, without binary fixtures in the repo."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from pathlib import Path


def write_docx(path: Path, heading: str, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    """A Word document with a heading, body paragraphs and optionally a table, in that order."""
    import docx

    document = docx.Document()
    document.add_heading(heading, 1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    document.save(path)
    return path


def pdf_bytes(pages: list[list[str]], stream_filter: str | None = None) -> bytes:
    """A minimal valid PDF: each page shows its lines in Helvetica, one text line per string.
    ``stream_filter`` (``/FooDecode``) declares the content streams compressed with that filter
    (they are not: a reader must fail on the filter, not on the data)."""
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # the page tree, written once the pages are numbered
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    kids = []
    for lines in pages:
        operators = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            operators.append(f"({escaped}) Tj T*")
        operators.append("ET")
        stream = "\n".join(operators)
        declared = f" /Filter {stream_filter}" if stream_filter else ""
        objects.append(f"<< /Length {len(stream.encode('latin-1'))}{declared} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    table_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{table_at}\n%%EOF\n".encode()
    return bytes(out)


def encrypted_pdf(lines: list[str], algorithm: str, user_password: str = "") -> bytes:
    """A one-page PDF encrypted by pypdf (``RC4-128``, ``AES-128``, ``AES-256``...). With an
    empty user password any viewer opens it; the owner password only guards editing."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([lines]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with_member(path: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """A valid Word document whose member ``name`` is replaced by (or added with) the bytes
    of ``chunks``, deflated as they come: a zip bomb is built without holding it in memory."""
    original = write_docx(path.with_suffix(".orig.docx"), "Title", ["Body."])
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item))
        with target.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:
                member.write(chunk)
    original.unlink()
    return path
