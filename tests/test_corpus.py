"""Opening a corpus: which files count, what they are called, and clear errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.core.corpus import CorpusError, open_corpus


def test_seed_corpus_opens_with_catalog_titles(corpus_dir: Path) -> None:
    corpus = open_corpus([corpus_dir])
    assert len(corpus.documents) == 5
    first = corpus.documents[0]
    assert first.title == "Strengthening DHS Partnerships to Secure Our Borders"
    assert first.date == "2009-08-14"
    assert all(doc.path.suffix == ".txt" for doc in corpus.documents)  # catalog/codebook are not documents


def test_seed_documents_match_the_shared_originals(corpus_dir: Path) -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.iterdir():
        assert (corpus_dir / original.name).read_bytes() == original.read_bytes()


def test_document_without_catalog_entry_gets_a_title_from_its_text(tmp_path: Path) -> None:
    (tmp_path / "memo.md").write_text("\n\n# Field notes, week 3\n\nBody.")
    document = open_corpus([tmp_path / "memo.md"]).documents[0]
    assert document.title == "# Field notes, week 3"


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"nope\.txt: no such file or folder"):
        open_corpus([tmp_path / "nope.txt"])


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"no documents \(\.txt"):
        open_corpus([tmp_path])


def test_binary_file_named_directly_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x00\x01\x02PK\x03\x04")
    with pytest.raises(CorpusError, match=r"scan\.txt: binary file"):
        open_corpus([path])


def test_binary_file_in_a_folder_is_skipped_with_a_warning(corpus_dir: Path) -> None:
    (corpus_dir / "zz_image.txt").write_bytes(b"\x89PNG\x00\x00")
    corpus = open_corpus([corpus_dir])
    assert len(corpus.documents) == 5
    assert corpus.skipped == [f"{corpus_dir / 'zz_image.txt'}: binary file, not a text document"]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("secret")

    real_open = os.open

    def denied(file, flags, *args, **kwargs) -> int:
        if Path(file) == path:
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # as root, chmod 0 would not stop us
    with pytest.raises(CorpusError, match=r"locked\.txt: cannot read \(Permission denied\)"):
        open_corpus([path])


def test_crlf_bom_file_offsets_are_into_the_decoded_text(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst line\r\nSecond line\r\n")
    document = open_corpus([path]).documents[0]
    assert document.text == "First line\nSecond line\n"
    assert document.encoding == "utf-8-sig"
    assert document.index.paragraphs == [(0, 22)]


def test_broken_catalog_is_an_error_naming_it(corpus_dir: Path) -> None:
    (corpus_dir / "catalog.json").write_text("{not json")
    with pytest.raises(CorpusError, match=r"catalog\.json: not a valid catalog"):
        open_corpus([corpus_dir])


def test_a_lazy_corpus_lists_documents_and_reads_each_on_first_use(tmp_path: Path) -> None:
    for number in range(30):
        (tmp_path / f"{number:02d}.txt").write_text(f"Document {number}\n\nBody.\n", encoding="utf-8")
    (tmp_path / "01.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")  # broken: found when read
    corpus = open_corpus([tmp_path], lazy=True)
    assert len(corpus.documents) == 30 and not any(d.loaded for d in corpus.documents)
    assert corpus.skipped == []
    assert corpus.documents[5].title == "05.txt"  # its file name until it is read
    assert corpus.documents[5].text.startswith("Document 5")
    assert corpus.documents[5].title == "Document 5"
    assert corpus.documents[1].text == "" and corpus.documents[1].problem
    assert corpus.documents[1].title == "01.txt (unreadable)"
    assert corpus.drop_unreadable() == [corpus.skipped[0]] and len(corpus.documents) == 29


def test_a_lazily_found_unreadable_document_is_dropped_and_its_annotations_kept(tmp_path: Path) -> None:
    from tui.core import Workspace

    folder = tmp_path / "corpus"
    folder.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(f"Text of {name}: smuggling across the border.\n", encoding="utf-8")
    database = tmp_path / "annotations.json"
    workspace = Workspace.open([folder], database=database, author="t")
    theme = workspace.create_theme("Smuggling")
    workspace.tag_passages([(workspace.documents[2], 15, 24)], theme)
    workspace.close()
    (folder / "c.txt").write_bytes(b"\x00\x01binary now")  # broken after it was coded

    lazy = Workspace.open([folder], database=database, author="t", lazy=True)
    broken = lazy.documents[2]
    assert not broken.loaded
    lazy.reanchor_changed_documents()  # as an export does first: reads it, finds it unreadable
    assert len(lazy.annotations(broken)) == 0 and broken.problem and "binary" in broken.problem
    assert lazy.corpus.drop_unreadable() == [broken.problem]
    assert [d.path.name for d in lazy.documents] == ["a.txt", "b.txt"]
    (annotation,) = lazy.store.annotations.values()
    assert not annotation.orphaned and annotation.quote == "smuggling"  # nothing lost
    lazy.close()


# -- a folder's symlinks (issue #12) ----------------------------------------------------------


@pytest.mark.parametrize("lazy", [False, True])
def test_a_folder_link_to_a_file_outside_it_is_listed_not_read(tmp_path: Path, lazy: bool) -> None:
    """``ln -s /etc/passwd docs/passwd.txt; margin docs``: the link is listed as unreadable
    with how to open it, and never read; links inside the folder still open."""
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "passwd.txt"
    secret.write_text("root:x:0:0:sekrit\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("An interview.\n", encoding="utf-8")
    (docs / "passwd.txt").symlink_to(secret)
    (docs / "same.txt").symlink_to(docs / "a.txt")  # a link within the folder: fine
    corpus = open_corpus([docs], lazy=lazy)
    if lazy:
        corpus.read_first()
        for document in corpus.documents:
            document.text  # noqa: B018
        corpus.drop_unreadable()
    assert [d.path.name for d in corpus.documents] == ["a.txt", "same.txt"]
    assert [d.path.name for d in corpus.unreadable] == ["passwd.txt"]
    reason = corpus.unreadable[0].problem
    assert f"a link to a file outside the folder (name it to open it: margin {secret.resolve()})" in reason
    assert all("sekrit" not in d.text for d in corpus.unreadable)


def test_a_link_named_on_the_command_line_is_opened(tmp_path: Path) -> None:
    """The user chose the file: it is read wherever the link leads."""
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("Chosen text.\n", encoding="utf-8")
    link = tmp_path / "docs" / "link.txt"
    link.parent.mkdir()
    link.symlink_to(secret)
    corpus = open_corpus([link])
    assert [d.text for d in corpus.documents] == ["Chosen text.\n"]
