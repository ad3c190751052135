"""HTML, Word and PDF documents open as their readable text, the same text every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from documents import pdf_bytes, write_docx

from tui.core import Workspace
from tui.core.corpus import CorpusError, load_document, open_corpus
from tui.core.extract import extract_text

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Joint statement</title>
<style>p { color: red }</style><script>alert("not text")</script></head>
<body><h1>Border [bold]security[/bold]</h1>
<p>Officials met in <b>El Paso</b> &amp; Ciudad Juárez.</p>
<p>They discussed arms
trafficking.</p>
<ul><li>first point</li><li>second point</li></ul></body></html>
"""


def test_html_is_read_as_its_visible_text_in_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "statement.html"
    path.write_text(PAGE, encoding="utf-8")
    document = load_document(path)
    assert document.text == (
        "Joint statement\n\nBorder [bold]security[/bold]\n\n"
        "Officials met in El Paso & Ciudad Juárez.\n\nThey discussed arms trafficking.\n\n"
        "first point\nsecond point"
    )
    assert "alert" not in document.text and "color" not in document.text
    assert document.encoding == "html/utf-8"
    paragraph = document.index.paragraph_at(document.text.index("They"))
    assert document.text[paragraph[0]:paragraph[1]] == "They discussed arms trafficking."


def test_docx_paragraphs_and_tables_become_paragraphs(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "memo.docx", "Border report",
        ["Smuggling rose along the Rio Grande.", "Shelters asked for help."],
        table=[["Theme", "Count"], ["Arms", "12"]],
    )
    document = load_document(path)
    assert document.text == (
        "Border report\n\nSmuggling rose along the Rio Grande.\n\nShelters asked for help.\n\n"
        "Theme | Count\nArms | 12"
    )
    assert document.title == "Border report"


def test_pdf_pages_are_paragraphs_of_their_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf_bytes([["Border report", "Firearms crossed (south)."], ["Second page."]]))
    document = load_document(path)
    assert document.text == "Border report\nFirearms crossed (south).\n\nSecond page."
    assert document.encoding == "pdf"


def test_extraction_is_stable_from_run_to_run(tmp_path: Path) -> None:
    files = {
        "a.html": PAGE.encode(),
        "b.pdf": pdf_bytes([["One line."], ["Two lines", "here."]]),
    }
    write_docx(tmp_path / "c.docx", "Title", ["Body."])
    files["c.docx"] = (tmp_path / "c.docx").read_bytes()
    for name, data in files.items():
        first = extract_text(Path(name), data)
        assert all(extract_text(Path(name), data) == first for _ in range(3))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable Word document"),
        ("broken.pdf", b"%PDF-1.4 and then nothing", "not a readable PDF"),
        ("scan.pdf", pdf_bytes([[]]), "PDF has no text layer"),
    ],
)
def test_unreadable_documents_are_one_line_errors_naming_the_file(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CorpusError) as raised:
        load_document(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {reason}") and "\n" not in message


def test_a_folder_opens_every_kind_and_skips_the_broken_one(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Plain text.\n", encoding="utf-8")
    (tmp_path / "b.html").write_text(PAGE, encoding="utf-8")
    write_docx(tmp_path / "c.docx", "Word", ["Body."])
    (tmp_path / "d.pdf").write_bytes(pdf_bytes([["PDF text."]]))
    (tmp_path / "e.pdf").write_bytes(b"%PDF-1.4 broken")
    (tmp_path / "f.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    corpus = open_corpus([tmp_path])
    assert [document.path.name for document in corpus.documents] == ["a.txt", "b.html", "c.docx", "d.pdf"]
    assert len(corpus.skipped) == 1 and "e.pdf: not a readable PDF" in corpus.skipped[0]


def test_offsets_into_extracted_text_survive_reopening(tmp_path: Path) -> None:
    """Coding a Word document and opening it again finds the passage where it was."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_docx(folder / "memo.docx", "Memo", ["Arms trafficking is the first concern."])
    database = tmp_path / "annotations.json"
    workspace = Workspace.open([folder], database=database, author="tester")
    document = workspace.corpus.documents[0]
    start = document.text.index("Arms trafficking")
    theme = workspace.create_theme("Arms trafficking")
    workspace.tag_passages([(document, start, start + len("Arms trafficking"))], theme)
    workspace.close()
    reopened = Workspace.open([folder], database=database, author="tester")
    [annotation] = reopened.annotations(reopened.corpus.documents[0]).items
    assert (annotation.start, annotation.end, annotation.quote) == (start, start + 16, "Arms trafficking")
    reopened.close()
