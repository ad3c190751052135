"""Document attributes (cases): attributes.csv read with the corpus, validated, written back,
exported, and used as query filters."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import Workspace, limits
from tui.core.attributes import AttributeTable, parse_attributes, read_attributes, set_attribute, write_attributes
from tui.core.corpus import open_corpus


def corpus(tmp_path: Path, attributes: str | bytes | None) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("Guns went south.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Money went north.\n", encoding="utf-8")
    if attributes is not None:
        data = attributes if isinstance(attributes, bytes) else attributes.encode("utf-8")
        (folder / "attributes.csv").write_bytes(data)
    return folder


def test_attributes_are_read_with_the_corpus(tmp_path: Path) -> None:
    folder = corpus(tmp_path, "\ufefffile,country,year\na.txt,MX,2019\nb.txt,US,\n")
    opened = open_corpus([folder])
    assert [d.attributes for d in opened.documents] == [{"country": "MX", "year": "2019"}, {"country": "US"}]
    assert opened.warnings == []
    assert [d.path.name for d in opened.documents] == ["a.txt", "b.txt"]  # the CSV is no document


def test_a_document_named_alone_gets_its_attributes(tmp_path: Path) -> None:
    folder = corpus(tmp_path, "file,country\nb.txt,US\n")
    assert open_corpus([folder / "b.txt"]).documents[0].attributes == {"country": "US"}


@pytest.mark.parametrize(("content", "problem"), [
    ("file,country\na.txt,MX,extra\n", "row 2 has 3 cells, the header 2"),
    ("file,country\na.txt,MX\na.txt,US\n", "row 3: 'a.txt' appears twice"),
    ("file\na.txt\n", "row 1 must name the file column and at least one attribute"),
    ("file,country,Country\n", "row 1: attribute name 'Country' is empty or repeated"),
    ("file,country\n,MX\n", "row 2 has no file name"),
    ('file,country\na.txt,"MX\n', "not valid CSV"),
    (b"file,country\na.txt,M\xe9xico\n", "not UTF-8"),
])
def test_a_malformed_file_is_one_warning_and_the_corpus_opens(tmp_path: Path, content, problem) -> None:
    folder = corpus(tmp_path, content)
    opened = open_corpus([folder])
    assert len(opened.documents) == 2 and all(d.attributes == {} for d in opened.documents)
    assert len(opened.warnings) == 1
    assert opened.warnings[0].startswith(str(folder / "attributes.csv") + ": ")
    assert problem in opened.warnings[0]
    assert "\n" not in opened.warnings[0]


def test_a_huge_file_is_refused_by_the_cap(tmp_path: Path, monkeypatch) -> None:
    folder = corpus(tmp_path, "file,country\na.txt,MX\n" + "x.txt,y\n" * 100)
    monkeypatch.setattr("tui.core.attributes.ATTRIBUTES_BYTES", 64)
    table, problem = read_attributes(folder)
    assert table.rows == {} and "file too large" in problem


def test_writing_back_is_atomic_and_keeps_other_rows(tmp_path: Path) -> None:
    folder = corpus(tmp_path, "file,country\na.txt,MX\nother.txt,CA\n")
    document = open_corpus([folder]).documents[1]
    set_attribute(document, "Year", "2020")
    set_attribute(document, "country", "US")
    assert document.attributes == {"Year": "2020", "country": "US"}
    table = parse_attributes((folder / "attributes.csv").read_bytes(), folder / "attributes.csv")
    assert table.names == ["country", "Year"]
    assert table.rows == {"a.txt": {"country": "MX"}, "b.txt": {"country": "US", "Year": "2020"},
                          "other.txt": {"country": "CA"}}
    set_attribute(document, "year", "")  # an empty value removes it
    assert open_corpus([folder]).documents[1].attributes == {"country": "US"}
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_write_attributes_round_trips(tmp_path: Path) -> None:
    table = AttributeTable(["site", "=formula"], {"a.txt": {"site": "North, East", "=formula": "x"}})
    write_attributes(tmp_path, table)
    assert read_attributes(tmp_path)[0] == table


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    folder = corpus(tmp_path, "file,country,quote\na.txt,MX,=1+1\n")
    database = tmp_path / "annotations" / "annotations.json"
    workspace = Workspace.open([folder], database=database, author="t")
    theme = workspace.create_theme("Arms")
    for document in workspace.documents:
        workspace.toggle_theme(document, 0, 4, theme)
    workspace.close()
    return database


def test_csv_and_jsonl_exports_carry_attributes(coded: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.csv"
    assert main(["export", "--db", str(coded), "--format", "csv", "-o", str(output)]) == 0
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert [(r["document_path"], r["country"], r["attribute:quote"]) for r in rows] == [
        ("../corpus/a.txt", "MX", "'=1+1"), ("../corpus/b.txt", "", "")]
    output = tmp_path / "out.jsonl"
    assert main(["export", "--db", str(coded), "--format", "jsonl", "-o", str(output)]) == 0
    lines = output.read_text(encoding="utf-8").splitlines()[1:]  # after the codebook line
    records = [json.loads(line) for line in lines]
    assert [r["attributes"] for r in records] == [{"country": "MX", "quote": "=1+1"}, {}]


def test_attributes_filter_queries(coded: Path, capsys) -> None:
    assert main(["query", '"Arms" AND country=mx', "--db", str(coded), "--format", "jsonl"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["document_path"] for line in out] == ["../corpus/a.txt"]
    assert main(["query", '"Arms" NOT country=MX', "--db", str(coded), "--format", "jsonl"]) == 0
    assert [json.loads(line)["quote"] for line in capsys.readouterr().out.splitlines()] == ["Mone"]


def test_a_malformed_file_is_a_warning_of_the_command(coded: Path, capsys) -> None:
    (coded.parent.parent / "corpus" / "attributes.csv").write_text("file,country\na.txt,MX,3\n", encoding="utf-8")
    assert main(["query", '"Arms"', "--db", str(coded)]) == 0
    err = capsys.readouterr().err
    assert "attributes.csv: row 2 has 3 cells, the header 2" in err


def test_limits_module_is_the_cap_source() -> None:
    from tui.core.attributes import ATTRIBUTES_BYTES

    assert ATTRIBUTES_BYTES <= limits.DOCUMENT_BYTES
