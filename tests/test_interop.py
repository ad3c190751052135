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
from hypothesis import given, settings
from hypothesis import strategies as st

from test_refi_projects import read_export, with_real_guids
from test_teams import coded_project
from test_w3c import failed_musts
from tui.cli import main
from tui.core import Workspace
from tui.core.importers import import_file
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


# -- attributes as Cases and Variables -----------------------------------------------------------

INTERVIEWS = {"s-1": ("Interview Rosa", "Q: Where?\r\nA: By the río, at night.\r\n"),
              "s-2": ("Interview Luis", "Q: When?\r\nA: In 2019, we left.\r\n"),
              "s-3": ("Interview Ana", "Q: Who?\r\nA: My brother and me.\r\n")}


def nvivo_cases_project(cases: str = "") -> str:
    """A project as NVivo 14 writes one with cases: Variables typed, a Case per interview (its
    VariableValues, then a SourceRef), one case holding two interviews (a household), one
    holding none (a pilot), one holding a PDF Margin does not read."""
    sources = "".join(
        f'<TextSource guid="{guid}" name="{name}" plainTextPath="internal://{guid}.txt" creatingUser="u-1">'
        + (f'<PlainTextSelection guid="p-{guid}" startPosition="14" endPosition="20" creatingUser="u-1">'
           '<Coding guid="k-{guid}" creatingUser="u-1"><CodeRef targetGUID="c-1"/></Coding></PlainTextSelection>'
           if guid == "s-1" else "") + "</TextSource>"
        for guid, (name, _) in INTERVIEWS.items())

    def value(variable: str, element: str, text: str) -> str:
        return f'<VariableValue><VariableRef targetGUID="{variable}"/><{element}>{text}</{element}></VariableValue>'

    cases = cases or (
        f'<Case guid="case-1" name="Rosa">{value("v-1", "TextValue", "Female")}{value("v-2", "IntegerValue", "34")}'
        f'{value("v-3", "DateValue", "2019-10-03")}<SourceRef targetGUID="s-1"/></Case>'
        f'<Case guid="case-2" name="Luis">{value("v-1", "TextValue", "Male")}{value("v-4", "BooleanValue", "true")}'
        '<SourceRef targetGUID="s-2"/></Case>'
        f'<Case guid="case-3" name="Household 7">{value("v-5", "TextValue", "North")}'
        '<SourceRef targetGUID="s-2"/><SourceRef targetGUID="s-3"/></Case>'
        f'<Case guid="case-4" name="Pilot">{value("v-1", "TextValue", "Male")}</Case>'
        f'<Case guid="case-5" name="Scan">{value("v-1", "TextValue", "Female")}<SourceRef targetGUID="s-9"/></Case>')
    return with_real_guids(f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Households" origin="NVivo 14.23.1 (Windows)">
  <Users><User guid="u-1" name="Rosa M"/></Users>
  <CodeBook><Codes><Code guid="c-1" name="Places" isCodable="true" color="#AA3355"/></Codes></CodeBook>
  <Variables>
    <Variable guid="v-1" name="Gender" typeOfVariable="Text"/>
    <Variable guid="v-2" name="Age" typeOfVariable="Integer"/>
    <Variable guid="v-3" name="Interviewed" typeOfVariable="Date"/>
    <Variable guid="v-4" name="Urban" typeOfVariable="Boolean"/>
    <Variable guid="v-5" name="Region" typeOfVariable="Text"><Description>Where the household lives</Description></Variable>
  </Variables>
  <Cases>{cases}</Cases>
  <Sources>{sources}<PDFSource guid="s-9" name="scan.pdf" path="internal://s-9.pdf"/></Sources>
</Project>
""")


def build_nvivo(path: Path, qde: str) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", qde)
        for guid, (_, text) in INTERVIEWS.items():
            bundle.writestr(f"Sources/{guid}.txt", text.encode("utf-8"))
    return path


def attributes_csv(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "attributes.csv").read_text(encoding="utf-8"))))


EXPECTED_ATTRIBUTES = [
    {"file": "Interview Ana.txt", "Gender": "", "Age": "", "Interviewed": "", "Urban": "", "Region": "North",
     "case": "Household 7"},
    {"file": "Interview Luis.txt", "Gender": "Male", "Age": "", "Interviewed": "", "Urban": "true",
     "Region": "North", "case": "Household 7"},
    {"file": "Interview Rosa.txt", "Gender": "Female", "Age": "34", "Interviewed": "2019-10-03", "Urban": "",
     "Region": "", "case": ""},
]


def test_nvivo_cases_and_variables_become_attributes_and_what_is_not_kept_is_said(tmp_path: Path,
                                                                                 capsys) -> None:
    archive = build_nvivo(tmp_path / "households.qdpx", nvivo_cases_project())
    database = tmp_path / "study" / "annotations" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    out = capsys.readouterr().out
    imported = database.parent / "imported"
    assert attributes_csv(imported) == EXPECTED_ATTRIBUTES
    assert (f"attributes of 3 documents from the project's cases and variables: 9 values written to "
            f"{imported / 'attributes.csv'}") in out
    assert "not kept: 1 cases holding no source, 1 cases of sources not imported" in out
    assert "cases" not in out.partition("not kept (Margin cannot hold them yet): ")[2].split("\n")[0]
    assert "1 PDF sources" in out
    workspace = Workspace.open_database(database)  # read with the corpus, as any attributes.csv
    assert {d.path.name: d.attributes.get("Gender") for d in workspace.documents} == {
        "Interview Rosa.txt": "Female", "Interview Luis.txt": "Male", "Interview Ana.txt": None}
    workspace.close()
    before = (imported / "attributes.csv").read_bytes()
    assert main(["import", str(archive), "--db", str(database)]) == 0  # again: nothing changes
    assert "attributes of 3 documents from the project's cases and variables: all there already" in (
        capsys.readouterr().out)
    assert (imported / "attributes.csv").read_bytes() == before


def test_cases_and_variables_round_trip_through_a_margin_export(tmp_path: Path) -> None:
    archive = build_nvivo(tmp_path / "households.qdpx", nvivo_cases_project())
    database = tmp_path / "study" / "annotations" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    tree, _ = read_export(export(database, "qdpx", tmp_path / "out.qdpx").read_bytes())
    types = {v["@name"]: v["@typeOfVariable"] for v in tree["Variables"]["Variable"]}
    assert types == {"Gender": "Text", "Age": "Integer", "Interviewed": "Date", "Urban": "Boolean",
                     "Region": "Text", "case": "Text"}
    sources = {s["@guid"]: s["@name"] for s in tree["Sources"]["TextSource"]}
    cases = {case["@name"]: [sources[ref["@targetGUID"]] for ref in case["SourceRef"]]
             for case in tree["Cases"]["Case"]}
    assert cases == {"Interview Ana.txt": ["Interview Ana"], "Interview Luis.txt": ["Interview Luis"],
                     "Interview Rosa.txt": ["Interview Rosa"]}
    fresh = tmp_path / "again" / "annotations" / "annotations.json"
    assert main(["import", str(tmp_path / "out.qdpx"), "--db", str(fresh)]) == 0
    assert attributes_csv(fresh.parent / "imported") == EXPECTED_ATTRIBUTES
    assert {p[:4] for p in coded_passages(fresh)} == {p[:4] for p in coded_passages(database)}


def test_attributes_of_a_corpus_go_out_as_cases_and_come_back_beside_the_documents(one_coded: Path,
                                                                                    corpus_dir: Path,
                                                                                    tmp_path: Path) -> None:
    """An import that finds the project's sources in the corpus writes their attributes into
    the corpus's attributes.csv, merged with what it has."""
    (corpus_dir / "attributes.csv").write_text("file,country,pages\n000_2e8d550788efb0f9.txt,MX,12\n"
                                               "001_fbca61ee7d44385f.txt,US,3.5\n", encoding="utf-8")
    exported = export(one_coded, "qdpx", tmp_path / "out.qdpx")
    tree, _ = read_export(exported.read_bytes())
    assert {v["@name"]: v["@typeOfVariable"] for v in tree["Variables"]["Variable"]} == {
        "country": "Text", "pages": "Float"}
    values = {case["@name"]: [(value.get("TextValue"), value.get("FloatValue")) for value in case["VariableValue"]]
              for case in tree["Cases"]["Case"]}
    assert values == {"000_2e8d550788efb0f9.txt": [("MX", None), (None, 12)],
                      "001_fbca61ee7d44385f.txt": [("US", None), (None, 3.5)]}
    (corpus_dir / "attributes.csv").write_text("file,year\n002_81fda8538c83a8a5.txt,2021\n", encoding="utf-8")
    assert main(["import", str(exported), "--db", str(one_coded)]) == 0
    assert attributes_csv(corpus_dir) == [
        {"file": "000_2e8d550788efb0f9.txt", "year": "", "country": "MX", "pages": "12"},
        {"file": "001_fbca61ee7d44385f.txt", "year": "", "country": "US", "pages": "3.5"},
        {"file": "002_81fda8538c83a8a5.txt", "year": "2021", "country": "", "pages": ""}]


def test_a_broken_attributes_csv_stops_the_import_before_anything_is_written(tmp_path: Path, capsys) -> None:
    archive = build_nvivo(tmp_path / "households.qdpx", nvivo_cases_project())
    database = tmp_path / "study" / "annotations" / "annotations.json"
    imported = database.parent / "imported"
    imported.mkdir(parents=True)
    (imported / "attributes.csv").write_text("file\n", encoding="utf-8")
    assert main(["import", str(archive), "--db", str(database)]) == 2
    err = capsys.readouterr().err
    assert err == (f"margin: {archive}: its cases' attributes cannot be added: {imported / 'attributes.csv'}: row 1 "
                   "must name the file column and at least one attribute\n")
    assert sorted(p.name for p in imported.iterdir()) == ["attributes.csv"] and not database.exists()


def test_a_failing_import_takes_its_attributes_back(tmp_path: Path, monkeypatch) -> None:
    from tui.core.workspace import Workspace as Real

    archive = build_nvivo(tmp_path / "households.qdpx", nvivo_cases_project())
    database = tmp_path / "study" / "annotations" / "annotations.json"
    imported = database.parent / "imported"
    imported.mkdir(parents=True)
    (imported / "attributes.csv").write_text("file,Gender\nold.txt,Male\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise RuntimeError("the disk failed")

    monkeypatch.setattr(Real, "import_passage", broken)
    workspace = Real.open_database(database, for_writing=True, whole_corpus=True)
    with pytest.raises(RuntimeError):
        import_file(workspace, archive)
    workspace.close()
    assert (imported / "attributes.csv").read_text(encoding="utf-8") == "file,Gender\nold.txt,Male\n"
    assert sorted(p.name for p in imported.iterdir()) == ["attributes.csv"]


def test_a_value_for_a_variable_the_project_lacks_is_one_line(tmp_path: Path, capsys) -> None:
    bad = ('<Case guid="case-1" name="Rosa"><VariableValue><VariableRef targetGUID="v-9"/><TextValue>x</TextValue>'
           '</VariableValue><SourceRef targetGUID="s-1"/></Case>')
    archive = build_nvivo(tmp_path / "bad.qdpx", nvivo_cases_project(bad))
    database = tmp_path / "study" / "annotations" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"margin: {archive}: project.qde: Case ") and "refers to a variable the project" in err
    assert err.count("\n") == 1 and not database.exists()


VALUES = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=12),
    st.integers(-10**30, 10**30).map(str), st.booleans().map(lambda b: str(b).lower()),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.dates().map(str),
).filter(lambda value: value == value.strip() and value != "")


@settings(max_examples=15, deadline=None)
@given(values=st.lists(VALUES, min_size=2, max_size=2))
def test_any_attribute_values_go_out_valid_and_come_back_the_same(values: list[str]) -> None:
    """Whatever a cell holds (text, numbers, a date, true), the export is XSD-valid (read_export
    validates) and an import into a fresh database gives every document the same values."""
    import tempfile

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        docs = root / "docs"
        docs.mkdir()
        (docs / "a.txt").write_text("Alpha interview\n\nWe crossed at night.\n", encoding="utf-8")
        (docs / "b.txt").write_text("Beta interview\n\nWe stayed.\n", encoding="utf-8")
        rows = io.StringIO()
        csv.writer(rows).writerows([["file", "value"], ["a.txt", values[0]], ["b.txt", values[1]]])
        (docs / "attributes.csv").write_text(rows.getvalue(), encoding="utf-8")
        database = root / "annotations" / "annotations.json"
        workspace = Workspace.open([docs], database=database, author="ana")
        workspace.toggle_theme(workspace.documents[0], 0, 5, workspace.themes[0] if workspace.themes
                               else workspace.create_theme("Crossing"))
        workspace.close()
        read_export(export(database, "qdpx", root / "out.qdpx").read_bytes())
        fresh = root / "fresh" / "annotations" / "annotations.json"
        assert main(["import", str(root / "out.qdpx"), "--db", str(fresh)]) == 0
        workspace = Workspace.open_database(fresh)
        try:
            assert sorted((d.title, d.attributes.get("value")) for d in workspace.documents) == [
                ("Alpha interview", values[0]), ("Beta interview", values[1])]
        finally:
            workspace.close()
