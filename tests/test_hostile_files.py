"""No file can harm a project: odd, broken, encrypted, huge or endless files fail alone,
each with one line naming it and the problem, and never hang or crash Margin."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from documents import docx_with_member, encrypted_pdf, pdf_bytes, write_docx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace, limits
from tui.core.corpus import CorpusError, load_document, open_corpus
from tui.core.extract import extract_text
from tui.core.text import UndecodableText

MB = 1024 * 1024


def refusal(path: Path) -> str:
    """The one-line reason a file is refused, without the path that starts it."""
    with pytest.raises(CorpusError) as raised:
        load_document(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and "\n" not in message and len(message) < len(str(path)) + 300
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize("algorithm", ["RC4-40", "RC4-128", "AES-128", "AES-256"])
def test_a_pdf_with_an_empty_user_password_opens_as_in_any_viewer(tmp_path: Path, algorithm: str) -> None:
    path = tmp_path / "protected.pdf"
    path.write_bytes(encrypted_pdf(["Copying is not allowed."], algorithm))
    assert load_document(path).text == "Copying is not allowed."


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_a_password_locked_pdf_says_so(tmp_path: Path, algorithm: str) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypted_pdf(["Secret."], algorithm, user_password="hunter2"))
    assert refusal(path) == "password-protected PDF; save an unencrypted copy to read it"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("filter.pdf", pdf_bytes([["Text."]], stream_filter="/FooDecode"),
         "not a readable PDF (NotImplementedError: Unsupported filter /FooDecode)"),
        ("jbig2.pdf", pdf_bytes([["Text."]], stream_filter="/JBIG2Decode"), "not a readable PDF ("),
        ("truncated.pdf", pdf_bytes([["Text."]])[:150], "not a readable PDF ("),
        ("garbage.pdf", b"hello, I am not a PDF at all\n" * 20, "not a readable PDF ("),
        ("empty.pdf", b"", "not a readable PDF ("),
        ("garbage.docx", b"hello, I am not a zip at all", "not a readable Word document (BadZipFile"),
        ("garbage.html", b"\x00\x01\x02", "binary file"),
    ],
)
def test_a_broken_file_is_its_own_one_line_problem(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert refusal(path).startswith(reason)


def test_a_docx_whose_document_part_is_not_xml(tmp_path: Path) -> None:
    path = docx_with_member(tmp_path / "bad.docx", "word/document.xml", [b"<w:document>not <closed"])
    assert refusal(path).startswith("not a readable Word document (XMLSyntaxError")


def test_a_docx_zip_bomb_is_refused_before_it_inflates(tmp_path: Path) -> None:
    """300 MB of zeros deflate to 300 KB: refused by its declared size, without inflating it."""
    path = docx_with_member(tmp_path / "bomb.docx", "word/media/zeros.bin", (bytes(MB) for _ in range(300)))
    assert path.stat().st_size < 2 * MB
    started = time.perf_counter()
    assert refusal(path) == "archive member word/media/zeros.bin too large (300 MB; Margin reads up to 256 MB)"
    assert time.perf_counter() - started < 2


def test_a_docx_member_inflating_hundreds_of_times_is_a_bomb(tmp_path: Path) -> None:
    path = docx_with_member(tmp_path / "ratio.docx", "word/media/zeros.bin", [bytes(3 * MB)])
    assert "inflates" in refusal(path) and "a zip bomb?" in refusal(path)


def test_a_docx_expanding_beyond_the_total_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "ARCHIVE_TOTAL_BYTES", 2 * MB)
    path = docx_with_member(tmp_path / "big.docx", "word/media/noise.bin", [os.urandom(3 * MB)])
    assert refusal(path).startswith("archive's content too large (")


@pytest.mark.parametrize(("cap", "reason"), [("DOCUMENT_BYTES", "file too large"), ("HTML_BYTES", "HTML page too large")])
def test_a_file_over_its_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cap: str, reason: str) -> None:
    monkeypatch.setattr(limits, cap, 1000)
    path = tmp_path / "page.html"
    path.write_text("<p>" + "word " * 400 + "</p>", encoding="utf-8")
    assert refusal(path).startswith(f"{reason} (2007 bytes; Margin reads up to 1000 bytes)")


def test_a_pdf_whose_text_exceeds_the_cap_stops_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "TEXT_CHARS", 50)
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf_bytes([["A page of some thirty characters."]] * 5))
    assert refusal(path) == "text too long (66 characters; Margin reads up to 50)"  # two pages of five


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_and_a_device_in_a_folder_are_listed_unreadable_and_nothing_hangs(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A good document.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    corpus = open_corpus([tmp_path])  # would block forever on the FIFO, or fill memory from /dev/zero
    assert [document.path.name for document in corpus.documents] == ["a.txt"]
    assert corpus.skipped == [
        f"{tmp_path / 'pipe.txt'}: is a FIFO (named pipe), not a file",
        f"{tmp_path / 'zero.txt'}: a link to a file outside the folder (name it to open it: margin /dev/zero)",
    ]  # a link out of the folder is not even opened (#12); named, it is, and refused as a device
    assert [document.path.name for document in corpus.unreadable] == ["pipe.txt", "zero.txt"]
    with pytest.raises(CorpusError, match="zero.txt: is a character device"):
        open_corpus([tmp_path / "zero.txt"])


def test_a_folder_opens_around_every_bad_file(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Readable.\n", encoding="utf-8")
    (tmp_path / "locked.pdf").write_bytes(encrypted_pdf(["Secret."], "AES-256", user_password="pw"))
    (tmp_path / "filter.pdf").write_bytes(pdf_bytes([["Text."]], stream_filter="/FooDecode"))
    (tmp_path / "open.pdf").write_bytes(encrypted_pdf(["Open to all."], "AES-128"))
    workspace = Workspace.open([tmp_path], database=tmp_path / "db.json", author="t", lazy=True)
    for document in workspace.documents:
        document.text  # noqa: B018 - as the reader's background reading does
    workspace.corpus.drop_unreadable()
    assert workspace.corpus.skipped == [
        f"{tmp_path / 'filter.pdf'}: not a readable PDF (NotImplementedError: Unsupported filter /FooDecode)",
        f"{tmp_path / 'locked.pdf'}: password-protected PDF; save an unencrypted copy to read it",
    ]
    assert [document.path.name for document in workspace.documents] == ["good.txt", "open.pdf"]
    assert [document.path.name for document in workspace.corpus.unreadable] == ["filter.pdf", "locked.pdf"]
    workspace.close()


def test_margin_on_a_bad_pdf_prints_one_line_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = tmp_path / "filter.pdf"
    path.write_bytes(pdf_bytes([["Text."]], stream_filter="/FooDecode"))
    assert main([str(path), "--db", str(tmp_path / "db.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "filter.pdf: not a readable PDF" in err


def test_margin_on_a_folder_of_only_bad_files_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "locked.pdf").write_bytes(encrypted_pdf(["Secret."], "AES-256", user_password="pw"))
    (tmp_path / "garbage.pdf").write_bytes(b"not a pdf")
    assert main([str(tmp_path), "--db", str(tmp_path / "db.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith("margin: no readable documents (") and "locked.pdf: password-protected" in err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from([".pdf", ".docx", ".html", ".txt"]), data=st.binary(max_size=400),
       prefix=st.sampled_from([b"", b"%PDF-1.4\n", b"PK\x03\x04", b"<html>"]))
def test_any_bytes_either_read_or_are_one_line_undecodable(suffix: str, data: bytes, prefix: bytes) -> None:
    """Whatever the bytes, extraction returns text or raises UndecodableText on one line."""
    try:
        text, _ = extract_text(Path("any" + suffix), prefix + data)
    except UndecodableText as error:
        assert "\n" not in str(error) and len(str(error)) < 300
    else:
        assert isinstance(text, str)


def test_broken_zip_members_are_the_files_problem(tmp_path: Path) -> None:
    """A member whose data does not match its CRC: zipfile raises BadZipFile mid-read."""
    path = write_docx(tmp_path / "crc.docx", "Title", ["Body text that will be corrupted."])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("word/document.xml")
    start = member.header_offset + 30 + len(member.filename) + len(member.extra)
    data[start + 10] ^= 0xFF
    path.write_bytes(bytes(data))
    assert refusal(path).startswith("not a readable Word document (")


async def test_the_reader_opens_a_folder_with_bad_pdfs_and_lists_them_with_their_reasons(tmp_path: Path) -> None:
    from tui.ui.app import MarginApp
    from tui.ui.widgets.document_view import DocumentView

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("A readable report.\n", encoding="utf-8")
    (folder / "filter.pdf").write_bytes(pdf_bytes([["Text."]], stream_filter="/FooDecode"))
    (folder / "locked.pdf").write_bytes(encrypted_pdf(["Secret."], "AES-256", user_password="pw"))
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.txt")  # read in the background too: must not block it
    workspace = Workspace.open([folder], database=tmp_path / "db.json", author="t", lazy=True)
    app = MarginApp(workspace)  # two panes: the second shows filter.pdf, read in the background
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        document_list = app.screen.query_one("#documents")
        rows = [document_list.render_line(y).text.strip() for y in range(3)]
        assert rows[0].startswith("A readable report.")
        assert rows[1].startswith("filter.pdf: not a")  # cut to the list's width
        assert rows[2].startswith("locked.pdf: passw")
        assert [document.path.name for document in workspace.documents] == ["a.txt"]
        messages = [str(notification.message) for notification in app._notifications]
        assert any("filter.pdf: not a readable PDF (NotImplementedError" in message for message in messages)
        assert any("locked.pdf: password-protected PDF" in message for message in messages)
        assert len(workspace.unreadable) == 2 + hasattr(os, "mkfifo")

        document_list.focus()
        document_list.move_to(next(i for i, d in enumerate(document_list.items) if d.path.name == "locked.pdf"))
        await pilot.press("enter")  # open it in the current pane
        await pilot.pause()
        view = app.screen.query(DocumentView).first()
        assert view.document.path.name == "locked.pdf"
        notice = " ".join(view.render_line(y).text.strip() for y in range(6))
        assert "password-protected PDF; save an unencrypted copy to read it" in notice  # wrapped, whole
        view.focus()
        await pilot.press("j", "v", "l", "1", "slash", "x", "enter")  # keys on a document with no text
        await pilot.pause()
        assert len(workspace.store.annotations) == 0
        await pilot.press("escape", "q")
    assert app.return_code == 0 and app._exception is None  # quit as usual, nothing raised


@given(text=st.text(alphabet="ab .,\n漢\t", max_size=1200), data=st.data())
def test_previous_word_start_is_the_last_word_starting_before_the_offset(text: str, data: st.DataObject) -> None:
    """Against the plain definition: windows of any size find the same word as the whole text."""
    from tui.core.text import _WORD_RE, TextIndex

    offset = data.draw(st.integers(0, len(text)))
    expected = max((m.start() for m in _WORD_RE.finditer(text) if m.start() < offset), default=0)
    assert TextIndex(text).previous_word_start(offset) == expected


@pytest.mark.parametrize("unit", ["x", "漢", "-", " "])
def test_nothing_is_quadratic_in_a_lines_length(unit: str) -> None:
    """A 2-million-character line (a minified page, a PDF without line breaks) costs
    milliseconds: indexing, titles, sentence and word movement. Quadratic work took seconds."""
    from tui.core.text import TextIndex, title_from_text

    text = "Start " + unit * 2_000_000 + " end."
    started = time.perf_counter()
    index = TextIndex(text)
    title_from_text(text, fallback="f")
    middle = len(text) // 2
    index.sentence_at(middle)
    index.previous_word_start(middle)
    index.previous_word_start(len(text))
    index.next_word_start(middle)
    assert time.perf_counter() - started < 1.5
