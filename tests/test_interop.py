"""Exports that carry everything and imports that keep it: the coders (#15 item 6), every
document of the corpus (#13 item 2), attributes as REFI-QDA Cases and Variables (#16 item 1).
Each is checked on the file written and again after importing it into a fresh database."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from test_refi_projects import read_export
from test_teams import coded_project
from test_w3c import failed_musts
from tui.cli import main
from tui.core import Workspace
from tui.core.merging import merge


def export(database: Path, fmt: str, output: Path) -> Path:
    assert main(["export", "--db", str(database), "--format", fmt, "-o", str(output)]) == 0
    return output


def coded_passages(database: Path) -> set[tuple]:
    """Every annotation as what a reader sees: quote, where, themes, coders, memo."""
    workspace = Workspace.open_database(database)
    try:
        return {(a.quote, a.start, a.end, tuple(sorted(workspace.theme(t).name for t in a.themes)), a.author,
                 a.note) for a in workspace.store.annotations.values()}
    finally:
        workspace.close()


# -- the coders -------------------------------------------------------------------------------

@pytest.fixture
def merged(corpus_dir: Path) -> Path:
    """A consensus database merged from ana's and ben's: one passage credited to both."""
    into, ana, ben = coded_project(corpus_dir)
    merge(into, [ana, ben])
    return into


def test_csv_and_jsonl_name_the_coders_of_each_passage(merged: Path, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export(merged, "csv", tmp_path / "out.csv").read_text("utf-8-sig"))))
    assert sorted({(row["start"], row["author"]) for row in rows}) == [
        ("0", "ana, ben"), ("0", "ben"), ("100", "ana"), ("100", "ben"), ("5", "ana")]
    lines = export(merged, "jsonl", tmp_path / "out.jsonl").read_text("utf-8").splitlines()[1:]
    assert sorted(json.loads(line)["author"] for line in lines) == ["ana", "ana", "ana, ben", "ben", "ben"]


def test_w3c_names_each_coder_as_a_creator_agent(merged: Path, tmp_path: Path) -> None:
    collection = json.loads(export(merged, "w3c", tmp_path / "out.jsonld").read_text("utf-8"))
    creators = sorted(json.dumps(item["creator"]) for item in collection["first"]["items"])
    assert creators.count(json.dumps([{"type": "Person", "name": "ana"}, {"type": "Person", "name": "ben"}])) == 1
    assert creators.count(json.dumps({"type": "Person", "name": "ana"})) == 2
    assert failed_musts(collection) == []


def test_qdpx_has_a_user_per_coder_and_a_coding_by_each(merged: Path, tmp_path: Path) -> None:
    tree, _ = read_export(export(merged, "qdpx", tmp_path / "out.qdpx").read_bytes())
    users = {user["@guid"]: user["@name"] for user in tree["Users"]["User"]}
    assert sorted(users.values()) == ["ana", "ben"]
    selections = [s for source in tree["Sources"]["TextSource"] for s in source.get("PlainTextSelection", [])]
    by_coders = sorted((users[s["@creatingUser"]], sorted(users[c["@creatingUser"]] for c in s["Coding"]))
                       for s in selections)
    assert by_coders == [("ana", ["ana"]), ("ana", ["ana"]), ("ana", ["ana", "ben"]), ("ben", ["ben"]),
                         ("ben", ["ben", "ben"])]
    again, _ = read_export(export(merged, "qdpx", tmp_path / "again.qdpx").read_bytes())
    assert again["Users"] == tree["Users"]  # the same GUIDs every time


@pytest.mark.parametrize("fmt, suffix", [("jsonl", ".jsonl"), ("w3c", ".jsonld"), ("qdpx", ".qdpx")])
def test_an_import_credits_the_same_coders(merged: Path, corpus_dir: Path, tmp_path: Path, fmt: str,
                                           suffix: str) -> None:
    exported = export(merged, fmt, tmp_path / f"out{suffix}")
    fresh = tmp_path / "fresh" / "annotations" / "annotations.json"
    assert main(["import", str(exported), "--db", str(fresh), "--sources", str(corpus_dir)]) == 0
    assert coded_passages(fresh) == coded_passages(merged)
    assert ("ana, ben" in {passage[4] for passage in coded_passages(fresh)})


# -- every document of the corpus ------------------------------------------------------------

@pytest.fixture
def one_coded(corpus_dir: Path, database: Path) -> Path:
    """The seed corpus (five documents) with only the first one coded: the database knows one."""
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    document = workspace.documents[0]
    workspace.toggle_theme(document, 0, 40, workspace.themes[0])
    workspace.close()
    return database


def test_export_db_writes_every_document_of_the_corpus_coded_or_not(one_coded: Path, corpus_dir: Path,
                                                                     tmp_path: Path) -> None:
    tree, texts = read_export(export(one_coded, "qdpx", tmp_path / "out.qdpx").read_bytes())
    sources = tree["Sources"]["TextSource"]
    files = sorted(path.name for path in corpus_dir.glob("*.txt"))
    assert len(sources) == len(files) == 5
    assert sorted(texts.values()) == sorted(path.read_text(encoding="utf-8") for path in corpus_dir.glob("*.txt"))
    assert sum(len(source.get("PlainTextSelection", [])) for source in sources) == 1
    fresh = tmp_path / "fresh" / "annotations" / "annotations.json"
    assert main(["import", str(tmp_path / "out.qdpx"), "--db", str(fresh)]) == 0
    workspace = Workspace.open_database(fresh)
    assert len(workspace.store.documents) == 5 and len(workspace.store.annotations) == 1
    workspace.close()


def test_the_markdown_report_lists_the_documents_not_coded(one_coded: Path, tmp_path: Path) -> None:
    report = export(one_coded, "md", tmp_path / "out.md").read_text(encoding="utf-8")
    section = report.partition("## Documents of the corpus\n\n")[2].splitlines()
    assert len(section) == 5 and section[0].endswith("`000_2e8d550788efb0f9.txt`): 1 passage")
    assert all(line.endswith("): not coded") for line in section[1:])


def test_a_project_database_that_knows_no_document_exports_the_corpus_beside_it(corpus_dir: Path,
                                                                                 database: Path,
                                                                                 tmp_path: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    workspace.create_theme("Borders")  # the database exists, knowing no document
    workspace.close()
    tree, _ = read_export(export(database, "qdpx", tmp_path / "out.qdpx").read_bytes())
    assert len(tree["Sources"]["TextSource"]) == 5


def test_an_unreadable_uncoded_document_is_a_warning_not_a_failure(one_coded: Path, corpus_dir: Path,
                                                                   tmp_path: Path, capsys) -> None:
    (corpus_dir / "broken.txt").write_bytes(b"\x00\x01binary")
    tree, _ = read_export(export(one_coded, "qdpx", tmp_path / "out.qdpx").read_bytes())
    assert len(tree["Sources"]["TextSource"]) == 5
    err = capsys.readouterr().err
    assert f"margin: warning: {corpus_dir / 'broken.txt'}: " in err and "(not coded: left out)" in err
