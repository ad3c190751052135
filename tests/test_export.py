"""Exports: what other tools read, safe in spreadsheets, never touching the database."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import ProgressBar

from tui.cli import main
from tui.core import Workspace
from tui.core.exporters import ExportError, Selection, theme_for, write_export
from tui.core.progress import Progress
from tui.ui.widgets.job_progress import JobProgress


@pytest.fixture
def coded(corpus_dir: Path, database: Path) -> Path:
    """Three annotations in document 000, one with two themes, one quote that looks like a
    formula, one memo that does."""
    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    document = workspace.documents[0]
    text = document.text
    start = text.index("Greetings")
    workspace.toggle_theme(document, start, start + 9, workspace.themes[0])
    workspace.toggle_theme(document, start, start + 9, workspace.themes[2])
    dash = text.index("- one of DHS")
    workspace.toggle_theme(document, dash, dash + 12, workspace.themes[1])  # "- one of DHS" starts with -
    promise = text.index("Her promise")
    annotation = workspace.toggle_theme(document, promise, promise + 11, workspace.themes[1]).annotation
    workspace.set_note(document, annotation, "=HYPERLINK(\"http://evil\")")
    workspace.close()
    return database


def export(database: Path, fmt: str, tmp_path: Path, *extra: str) -> Path:
    output = tmp_path / f"out.{fmt}"
    assert main(["export", "--db", str(database), "--format", fmt, "-o", str(output), *extra]) == 0
    return output


def test_csv_is_one_row_per_theme_with_a_bom_and_no_formulas(coded: Path, tmp_path: Path) -> None:
    raw = export(coded, "csv", tmp_path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [(r["quote"], r["theme"]) for r in rows] == [
        ("Greetings", "Human smuggling"), ("Greetings", "Migrant safety"),
        ("Her promise", "Arms trafficking"), ("'- one of DHS", "Arms trafficking")]
    assert rows[2]["memo"] == "'=HYPERLINK(\"http://evil\")"
    assert rows[0]["document_title"] == "Strengthening DHS Partnerships to Secure Our Borders"
    assert rows[0]["themes"] == "Human smuggling; Migrant safety"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def test_jsonl_carries_every_stored_field(coded: Path, tmp_path: Path, corpus_dir: Path) -> None:
    codebook, *lines = export(coded, "jsonl", tmp_path).read_text(encoding="utf-8").splitlines()
    assert json.loads(codebook)["type"] == "codebook"  # the first line (see test_codebook_import.py)
    records = [json.loads(line) for line in lines]
    assert len(records) == 3
    stored = {"document", "start", "end", "quote", "prefix", "suffix", "themes", "note", "author",
              "created", "modified", "orphaned"}
    assert all(stored <= set(r) for r in records)
    text = (corpus_dir / "000_2e8d550788efb0f9.txt").read_text(encoding="utf-8")
    assert all(text[r["start"] : r["end"]] == r["quote"] for r in records)
    assert records[0]["theme_names"] == ["Human smuggling", "Migrant safety"]


def test_w3c_collection_has_the_models_required_fields(coded: Path, tmp_path: Path, corpus_dir: Path) -> None:
    collection = json.loads(export(coded, "w3c", tmp_path).read_text(encoding="utf-8"))
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 3
    items = collection["first"]["items"]
    assert collection["first"]["type"] == "AnnotationPage" and len(items) == 3
    text = (corpus_dir / "000_2e8d550788efb0f9.txt").read_text(encoding="utf-8")
    for item in items:
        assert item["type"] == "Annotation" and item["id"].startswith("urn:margin:annotation:")
        assert item["target"]["source"].startswith("file://")
        quote, position = item["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        assert text[position["start"] : position["end"]] == quote["exact"]
        assert text[: position["start"]].endswith(quote["prefix"])
        assert {body["purpose"] for body in item["body"]} <= {"tagging", "commenting"}
    purposes = [[b["purpose"] for b in item["body"]] for item in items]
    assert ["tagging", "tagging"] in purposes and ["tagging", "commenting"] in purposes


def test_markdown_report_groups_by_theme(coded: Path, tmp_path: Path) -> None:
    report = export(coded, "md", tmp_path).read_text(encoding="utf-8")
    assert report.index("## Human smuggling") < report.index("## Arms trafficking")
    assert "*2 passages in 1 document*" in report
    assert "> Her promise" in report and '**Memo:** =HYPERLINK("http://evil")' in report


def test_filters_force_and_the_database_is_never_changed(coded: Path, tmp_path: Path, corpus_dir: Path,
                                                        capsys) -> None:
    changed = corpus_dir / "000_2e8d550788efb0f9.txt"
    changed.write_text("A new first line.\n" + changed.read_text(encoding="utf-8"), encoding="utf-8")
    before = coded.read_bytes()
    output = export(coded, "jsonl", tmp_path, "--theme", "arms trafficking")
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()[1:]]
    assert len(records) == 2
    text = changed.read_text(encoding="utf-8")
    assert all(text[r["start"] : r["end"]] == r["quote"] for r in records)  # re-anchored in the export
    assert coded.read_bytes() == before and not coded.with_name("annotations.json.journal").stat().st_size

    assert main(["export", "--db", str(coded), "--format", "jsonl", "-o", str(output)]) == 2
    assert "exists already (add --force" in capsys.readouterr().err
    assert main(["export", "--db", str(coded), "--format", "jsonl", "-o", str(output), "--force"]) == 0
    assert main(["export", "--db", str(coded), "--format", "csv", "--theme", "Nope"]) == 2
    assert "no theme named 'Nope'" in capsys.readouterr().err
    assert main(["export", "--db", str(tmp_path / "missing.json"), "--format", "csv"]) == 2
    assert "no such database" in capsys.readouterr().err


def test_theme_is_found_by_a_unique_start_of_its_name(coded: Path, tmp_path: Path, capsys) -> None:
    records = export(coded, "jsonl", tmp_path, "--theme", "ARMS").read_text(encoding="utf-8").splitlines()[1:]
    assert [json.loads(line)["theme_names"] for line in records] == [["Arms trafficking"]] * 2
    workspace = Workspace.open_database(coded, for_writing=True)
    workspace.create_theme("Migrant")
    workspace.create_theme("Migration routes")
    workspace.close()
    output = export(coded, "jsonl", tmp_path, "--theme", "migrant", "--force")  # exact beats a prefix
    assert output.read_text(encoding="utf-8").count("\n") == 1  # the codebook alone
    assert main(["export", "--db", str(coded), "--format", "csv", "--theme", "Migra"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(coded) in error
    assert "theme 'Migra' could be 'Migrant safety', 'Migrant', 'Migration routes'" in error
    assert main(["export", "--db", str(coded), "--format", "csv", "--theme", "guns"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "no theme named 'guns' (the themes are 'Human smuggling', 'Arms trafficking', 'Migrant safety', " in error
    assert error.endswith("'Emergency and health preparedness' and 2 more)\n")  # 14 themes: 12 are named


names = st.text(alphabet=st.sampled_from("aAbB é"), min_size=1, max_size=6).map(lambda n: " ".join(n.split()))


@settings(max_examples=25, deadline=None)
@given(st.lists(names.filter(bool), min_size=1, max_size=5, unique_by=str.casefold), st.data())
def test_every_unambiguous_start_of_a_name_finds_its_theme(theme_names: list[str], data) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workspace = Workspace.open_database(Path(folder) / "annotations.json", for_writing=True)
        themes = [workspace.create_theme(name) for name in theme_names]
        theme = data.draw(st.sampled_from(themes))
        assert theme_for(workspace, theme.name.swapcase()) == theme
        prefix = theme.name[: data.draw(st.integers(1, len(theme.name)))].rstrip()
        exact = [t for t in themes if t.name.casefold() == prefix.casefold()]
        starting = [t for t in themes if t.name.casefold().startswith(prefix.casefold())]
        if exact or starting == [theme]:
            assert theme_for(workspace, prefix) == (exact or starting)[0]
        else:
            with pytest.raises(ExportError, match="could be"):
                theme_for(workspace, prefix)
        workspace.close()


async def test_e_exports_from_the_reader_and_asks_before_replacing(corpus_dir: Path, database: Path) -> None:
    from test_reader import SIZE, make_app, search

    app = make_app(corpus_dir, database)
    output = database.with_name("annotations-export.md")
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "Greetings")
        await pilot.press("p", "1", "escape")
        await pilot.press("e", "m", "enter")  # Markdown, to the default file
        await app.workers.wait_for_complete()
        assert "Greetings from the Department" in output.read_text(encoding="utf-8")
        output.write_text("older")
        await pilot.press("e", "m", "enter")
        assert output.read_text() == "older"  # not replaced before the answer
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "## Human smuggling" in output.read_text(encoding="utf-8")
        job = app.screen.query_one(JobProgress)
        assert job.query_one(ProgressBar).percentage == 1 and not job.has_class("-active")


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "md", "w3c", "qdpx"])
def test_exports_report_progress_up_to_the_whole(fmt: str, corpus_dir: Path, database: Path, tmp_path: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    for number in range(250):
        document = workspace.documents[number % 5]
        workspace.toggle_theme(document, number * 7, number * 7 + 5, workspace.themes[number % 3])
    annotations = Selection().annotations(workspace)
    reports: list[tuple[int, int]] = []
    write_export(workspace, fmt, tmp_path / f"out.{fmt}", annotations, Progress(lambda *r: reports.append(r)))
    assert reports[-1][0] == reports[-1][1] > 0  # the bar reaches its end
    assert len(reports) <= 101  # the UI thread is not flooded
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
    workspace.close()


SCHEMAS = Path(__file__).resolve().parent / "schemas" / "refi-qda"


def test_qdpx_is_a_valid_refi_qda_project(coded: Path, tmp_path: Path, corpus_dir: Path) -> None:
    import zipfile

    import xmlschema

    with zipfile.ZipFile(export(coded, "qdpx", tmp_path)) as bundle:
        project = bundle.read("project.qde")
        xmlschema.XMLSchema(SCHEMAS / "Project-mrt2019.xsd").validate(io.BytesIO(project))
        texts = {name: bundle.read(name).decode("utf-8") for name in bundle.namelist() if name.startswith("sources/")}
    assert len(texts) == 5  # every document of the corpus, coded or not, as UTF-8 text
    tree = xmlschema.XMLSchema(SCHEMAS / "Project-mrt2019.xsd").to_dict(io.BytesIO(project))
    sources = {s["@guid"]: s for s in tree["Sources"]["TextSource"]}
    coded_source = next(s for s in sources.values() if s.get("PlainTextSelection"))
    text = texts[f"sources/{coded_source['@guid']}.txt"]
    selections = coded_source["PlainTextSelection"]
    assert [text[s["@startPosition"] : s["@endPosition"]] for s in selections] == [
        "Greetings", "Her promise", "- one of DHS"]
    code_guids = {c["@guid"]: c["@name"] for c in tree["CodeBook"]["Codes"]["Code"]}
    assert [code_guids[c["CodeRef"]["@targetGUID"]] for c in selections[0]["Coding"]] == [
        "Human smuggling", "Migrant safety"]
    (note,) = tree["Notes"]["Note"]
    assert note["PlainTextContent"] == '=HYPERLINK("http://evil")'
    assert selections[1]["NoteRef"][0]["@targetGUID"] == note["@guid"]
    assert [u["@name"] for u in tree["Users"]["User"]] == ["tester"]


def test_qdc_is_a_valid_codebook_with_groups_nested(coded: Path, tmp_path: Path) -> None:
    import xmlschema

    workspace = Workspace.open([coded.parent.parent / "seeds"], database=coded)
    workspace.set_parent(workspace.themes[1], workspace.create_theme("Contraband"))
    workspace.close()
    schema = xmlschema.XMLSchema(SCHEMAS / "Codebook.xsd")
    codebook = export(coded, "qdc", tmp_path).read_bytes()
    schema.validate(io.BytesIO(codebook))
    codes = schema.to_dict(io.BytesIO(codebook))["Codes"]["Code"]
    group = next(c for c in codes if c["@name"] == "Contraband")
    assert [child["@name"] for child in group["Code"]] == ["Arms trafficking"]
    assert len(codes) == 12  # 13 themes, one of them nested


def test_an_export_gets_the_permissions_any_new_file_gets(coded: Path, tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        output = export(coded, "csv", tmp_path)
        assert output.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
        output.chmod(0o640)
        assert main(["export", "--db", str(coded), "--format", "csv", "-o", str(output), "--force"]) == 0
        assert output.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions
    finally:
        os.umask(umask)


FORMULA_THEMES = ["=SUM(A1)", "+1", "@x", "-2"]


def test_theme_names_that_look_like_formulas_are_neutralised_in_csv(coded: Path, tmp_path: Path) -> None:
    workspace = Workspace.open([coded.parent.parent / "seeds"], database=coded)
    document = workspace.documents[1]
    for theme in map(workspace.create_theme, FORMULA_THEMES):
        workspace.toggle_theme(document, 0, 10, theme)
    workspace.toggle_theme(document, 20, 30, workspace.store.theme_named("-2"))
    workspace.close()
    rows = list(csv.DictReader(io.StringIO(export(coded, "csv", tmp_path).read_text(encoding="utf-8-sig"))))
    formula_rows = [row for row in rows if row["document_path"].endswith(document.path.name)]
    assert [row["theme"] for row in formula_rows] == ["'=SUM(A1)", "'+1", "'@x", "'-2", "'-2"]
    assert [row["themes"] for row in formula_rows] == ["'=SUM(A1); +1; @x; -2"] * 4 + ["'-2"]


NOTES = "Título: Frontera\n\nLa patrulla llegó al puente.\nSegunda línea del informe.\n\nFin del informe.\n"


@pytest.fixture
def small(tmp_path: Path) -> tuple[Workspace, list]:
    """One document, three passages: one under a described theme, one over two lines with a
    memo under a theme grouped in it, one orphaned by an edit; and a theme nothing has."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.txt").write_text(NOTES, encoding="utf-8")
    database = tmp_path / "db" / "annotations.json"
    workspace = Workspace.open([docs], database=database, author="ana")
    workspace.create_theme("Unused")
    guards = workspace.update_theme(workspace.create_theme("Guards"), description="Who guards the border.")
    places = workspace.create_theme("Places")
    workspace.set_parent(places, guards)
    document = workspace.documents[0]

    def tag(quote: str, theme):
        start = NOTES.index(quote)
        return workspace.toggle_theme(document, start, start + len(quote), workspace.theme(theme.id)).annotation

    tag("patrulla", guards)
    workspace.set_note(document, tag("puente.\nSegunda", places), "Ver anexo")
    tag("Fin del", guards)
    workspace.close()
    (docs / "notes.txt").write_text(NOTES.replace("Fin del informe.", "Otra cosa muy distinta."), encoding="utf-8")
    workspace = Workspace.open_database(database)
    annotations = Selection().annotations(workspace)
    assert [(a.quote, a.orphaned) for a in annotations] == [
        ("patrulla", False), ("puente.\nSegunda", False), ("Fin del", True)]
    return workspace, annotations


def test_markdown_report_exactly(small) -> None:
    from tui.core.exporters import to_markdown

    workspace, annotations = small
    assert to_markdown(workspace, annotations, Progress()).decode("utf-8") == "\n".join([
        "# Coded passages", "",
        "Database: `annotations.json` · 3 annotations", "",
        "## Guards", "",  # "Unused" tags nothing: no section, and the others still follow
        "*2 passages in 1 document*", "",
        "Who guards the border.", "",
        "> patrulla", ">", "> — Título: Frontera, characters 21–29", "",
        "> Fin del", ">", "> — Título: Frontera, characters 75–82 (orphaned)", "",
        "### Places", "",  # grouped under Guards: one level down
        "*1 passage in 1 document*", "",
        "> puente.", "> Segunda", ">", "> — Título: Frontera, characters 39–54", "",
        "**Memo:** Ver anexo", "",
        "## Documents of the corpus", "",
        "- Título: Frontera (`notes.txt`): 3 passages", "",
    ])


def test_csv_rows_exactly(small) -> None:
    from tui.core.exporters import to_csv

    workspace, annotations = small
    out = io.BytesIO()
    to_csv(workspace, annotations, Progress(), out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"), newline="")))
    assert rows[0] == ["annotation", "document_title", "document_path", "start", "end", "quote", "theme",
                       "themes", "memo", "author", "created", "modified", "orphaned"]
    first, second, third = annotations
    assert rows[1:] == [
        [str(first.id), "Título: Frontera", "../docs/notes.txt", "21", "29", "patrulla", "Guards", "Guards", "",
         "ana", first.created, first.modified, "False"],
        [str(second.id), "Título: Frontera", "../docs/notes.txt", "39", "54", "puente.\nSegunda", "Places",
         "Places", "Ver anexo", "ana", second.created, second.modified, "False"],
        [str(third.id), "Título: Frontera", "../docs/notes.txt", "75", "82", "Fin del", "Guards", "Guards", "",
         "ana", third.created, third.modified, "True"],
    ]
    assert first.created  # a real timestamp, not a blank the comparison would let through


def test_jsonl_records_exactly(small) -> None:
    from tui.core.exporters import to_jsonl

    workspace, annotations = small
    out = io.BytesIO()
    to_jsonl(workspace, annotations, Progress(), out)
    raw = out.getvalue()
    assert "Título".encode() in raw  # UTF-8 as is, not \u escapes
    codebook, *records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert codebook == {"type": "codebook", "themes": [  # the whole tree, unused themes too, before any record
        {"name": "Unused", "description": "", "color": "#56b4e9", "key": 1, "parent": None, "path": []},
        {"name": "Guards", "description": "Who guards the border.", "color": "#e69f00", "key": 2,
         "parent": None, "path": []},
        {"name": "Places", "description": "", "color": "#009e73", "key": 3, "parent": "Guards",
         "path": ["Guards"]},
    ]}
    assert len(records) == 3
    second = annotations[1]
    assert second.guid  # stored when the passage was made: random, so read back rather than written here
    assert records[1] == {
        "id": second.id, "document": second.document, "start": 39, "end": 54, "quote": "puente.\nSegunda",
        "prefix": " Frontera\n\nLa patrulla llegó al ", "suffix": " línea del informe.\n\nOtra cosa m",
        "themes": list(second.themes), "note": "Ver anexo", "author": "ana", "created": second.created,
        "modified": second.modified, "orphaned": False, "guid": second.guid, "theme_names": ["Places"],
        "theme_paths": [["Guards", "Places"]],
        "document_title": "Título: Frontera", "document_path": "../docs/notes.txt",
        "document_file": str(workspace.database_path.parent.parent / "docs" / "notes.txt"),
        "attributes": {},  # no attributes.csv beside the documents
    }
    assert [r["guid"] for r in records] == [a.guid for a in annotations]
    assert [r["orphaned"] for r in records] == [False, False, True]


def test_w3c_items_exactly(small) -> None:
    from tui.core.exporters import to_w3c

    workspace, annotations = small
    raw = to_w3c(workspace, annotations, Progress()).decode("utf-8")
    assert "Título" in raw and '\n  "@context"' in raw  # readable: UTF-8 as is, indented
    collection = json.loads(raw)
    second = annotations[1]
    # A name-based UUID (v5) of the database file's IRI: the same collection at every export.
    collection_id = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, workspace.database_path.absolute().as_uri())}"
    assert {key: value for key, value in collection.items() if key != "first"} == {
        "@context": "http://www.w3.org/ns/anno.jsonld", "id": collection_id,
        "type": "AnnotationCollection", "label": "Margin annotations from annotations.json", "total": 3}
    page = collection["first"]
    assert {key: value for key, value in page.items() if key != "items"} == {
        "id": f"{collection_id}#page-1", "type": "AnnotationPage", "startIndex": 0}
    assert len(page["items"]) == 3
    assert page["items"][1] == {
        "id": f"urn:margin:annotation:{second.id}",
        "type": "Annotation",
        "motivation": "tagging",
        "created": second.created,
        "modified": second.modified,
        "creator": {"type": "Person", "name": "ana"},
        "generator": {"id": "https://github.com/margin-reader/margin", "type": "Software", "name": "Margin"},
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "Places"},
            {"type": "TextualBody", "purpose": "commenting", "value": "Ver anexo", "format": "text/plain"},
        ],
        "target": {
            "source": (workspace.database_path.parent.parent / "docs" / "notes.txt").as_uri(),
            "selector": [
                {"type": "TextQuoteSelector", "exact": "puente.\nSegunda",
                 "prefix": " Frontera\n\nLa patrulla llegó al ", "suffix": " línea del informe.\n\nOtra cosa m"},
                {"type": "TextPositionSelector", "start": 39, "end": 54},
            ],
        },
    }


@pytest.mark.parametrize(("needle", "count"), [("NOTES.TXT", 3), ("frontera", 3), ("docs/", 3), ("Guards", 0)])
def test_a_document_is_chosen_by_path_or_title_in_any_case(small, needle: str, count: int) -> None:
    from tui.core.exporters import ExportError

    workspace, _ = small
    if count:
        assert len(Selection(document=needle).annotations(workspace)) == count
    else:
        with pytest.raises(ExportError, match=f"^no document matching '{needle}' in "):
            Selection(document=needle).annotations(workspace)


def test_where_an_export_may_go(small, tmp_path: Path) -> None:
    from tui.core.exporters import ExportError, check_output, default_output, export, write_file

    workspace, _ = small
    database = workspace.database_path
    assert default_output(workspace, "w3c") == database.with_name("annotations-export.jsonld")
    with pytest.raises(ExportError, match=r"^unknown format 'xls' \(choose from csv, jsonl, md, w3c, qdpx, qdpx-utf16, qdc\)$"):
        check_output(workspace, "xls", None, force=False)
    with pytest.raises(ExportError, match="that is the database or one of its files$"):
        check_output(workspace, "csv", database, force=True)
    output, count = export(workspace, "csv", tmp_path / "out.csv")
    assert count == 3 and output.read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(ExportError, match="exists already"):  # not replaced unless asked
        export(workspace, "csv", output)
    with pytest.raises(ExportError, match=r"/out.csv/more.csv: cannot write \([A-Z][a-z ]+\)$"):
        write_export(workspace, "csv", output / "more.csv", [])
    assert write_file(tmp_path / "stats.txt", b"payload").read_bytes() == b"payload"
    # The OS's words for the cause (a file where a folder should be), not a Python repr.
    with pytest.raises(ExportError, match=r"/stats.txt/more.txt: cannot write \([A-Z][a-z ]+\)$"):
        write_file(tmp_path / "stats.txt" / "more.txt", b"payload")


PROJECT = """<?xml version='1.0' encoding='utf-8'?>
<Project xmlns="urn:QDA-XML:project:1.0" name="annotations" origin="Margin">
  <Users>
    <User guid="{user}" name="ana" />
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="{unused}" name="Unused" isCodable="true" color="#56b4e9" />
      <Code guid="{guards}" name="Guards" isCodable="true" color="#e69f00">
        <Description>Who guards the border.</Description>
        <Code guid="{places}" name="Places" isCodable="true" color="#009e73" />
      </Code>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="{document}" name="Título: Frontera" \
plainTextPath="internal://{document}.txt">
      <PlainTextSelection guid="{a1}" name="patrulla" startPosition="21" \
endPosition="29" creatingUser="{user}" creationDateTime="{c1}" modifyingUser="{user}" modifiedDateTime="{m1}">
        <Coding guid="{coding1}" creatingUser="{user}" \
creationDateTime="{c1}">
          <CodeRef targetGUID="{guards}" />
        </Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="{a2}" name="puente. Segunda" startPosition="39" \
endPosition="54" creatingUser="{user}" creationDateTime="{c2}" modifyingUser="{user}" modifiedDateTime="{m2}">
        <Description>Ver anexo</Description>
        <Coding guid="{coding2}" creatingUser="{user}" \
creationDateTime="{c2}">
          <CodeRef targetGUID="{places}" />
        </Coding>
        <NoteRef targetGUID="{note}" />
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{note}" name="Memo: puente. Segunda" \
creatingUser="{user}" creationDateTime="{m2}">
      <PlainTextContent>Ver anexo</PlainTextContent>
    </Note>
  </Notes>
</Project>"""


def stored_guids(workspace: Workspace, annotations: list) -> dict[str, str]:
    """The GUIDs an export of ``small`` writes. Themes, documents and passages keep the random
    (version 4) GUID stored when they were made; users, codings and memos derive theirs
    (version 5): a user from the database's own stored GUID, a coding from its passage and
    code, a memo from its passage."""
    unused, guards, places = (theme.guid for theme in workspace.themes)
    (document,) = (stored.guid for stored in workspace.store.documents.values())
    first, second, _ = (annotation.guid for annotation in annotations)
    stored = [unused, guards, places, document, first, second]
    assert all(uuid.UUID(value).version == 4 for value in stored) and len(set(stored)) == 6
    meta = next(iter(workspace.store.db.storage.read()["meta"].values()))
    assert uuid.UUID(meta["guid"]).version == 4
    database = uuid.uuid5(uuid.UUID("6f1d3c2e-8a5b-4f7e-9c1d-2b3a4c5d6e7f"), f"margin:{meta['guid']}")
    return {
        "unused": unused, "guards": guards, "places": places, "document": document, "a1": first, "a2": second,
        "user": str(uuid.uuid5(database, "user:ana")),
        "unknown": str(uuid.uuid5(database, "user:unknown")),
        "coding1": str(uuid.uuid5(uuid.UUID(first), f"coding:{guards}")),
        "coding2": str(uuid.uuid5(uuid.UUID(second), f"coding:{places}")),
        "note": str(uuid.uuid5(uuid.UUID(second), "memo")),
    }


def test_qdpx_project_exactly(small) -> None:
    """Every element and attribute another QDA tool reads; GUIDs are the ones stored in the
    database (the same at every export of it), and an orphan is left out."""
    import zipfile

    from tui.core.refi import to_qdpx

    workspace, annotations = small
    first, second, _ = annotations
    guids = stored_guids(workspace, annotations)
    with zipfile.ZipFile(io.BytesIO(to_qdpx(workspace, annotations, Progress()))) as bundle:
        source = f"sources/{guids['document']}.txt"
        assert bundle.namelist() == [source, "project.qde"]
        # Dated at the zip epoch: the same database exports the same bytes.
        assert [member.date_time for member in bundle.infolist()] == [(1980, 1, 1, 0, 0, 0)] * 2
        assert bundle.read(source).decode("utf-8") == NOTES.replace("Fin del informe.", "Otra cosa muy distinta.")
        assert bundle.read("project.qde").decode("utf-8") == PROJECT.format(
            c1=first.created, m1=first.modified, c2=second.created, m2=second.modified, **guids)


def test_qdpx_without_passages_still_names_a_user(small) -> None:
    import zipfile

    from tui.core.refi import to_qdpx

    workspace, annotations = small
    guids = stored_guids(workspace, annotations)
    with zipfile.ZipFile(io.BytesIO(to_qdpx(workspace, [], Progress()))) as bundle:
        project = bundle.read("project.qde").decode("utf-8")
    assert f'<User guid="{guids["unknown"]}" name="unknown" />' in project
    # Every document is a source, coded or not.
    assert (f'<TextSource guid="{guids["document"]}" name="Título: Frontera" '
            f'plainTextPath="internal://{guids["document"]}.txt" />') in project
    assert "<Notes>" not in project and "<PlainTextSelection" not in project


def test_qdc_codebook_exactly(small) -> None:
    from tui.core.refi import to_qdc

    workspace, annotations = small
    guids = stored_guids(workspace, annotations)
    assert to_qdc(workspace, annotations, Progress()).decode("utf-8") == """<?xml version='1.0' encoding='utf-8'?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Margin">
  <Codes>
    <Code guid="{unused}" name="Unused" isCodable="true" color="#56b4e9" />
    <Code guid="{guards}" name="Guards" isCodable="true" color="#e69f00">
      <Description>Who guards the border.</Description>
      <Code guid="{places}" name="Places" isCodable="true" color="#009e73" />
    </Code>
  </Codes>
</CodeBook>""".format(**guids)


def test_a_passage_of_a_document_the_database_does_not_know_has_blank_document_fields(small) -> None:
    """A hand-edited database can hold an annotation whose document record is gone: it is
    exported with empty title and path rather than failing the whole export; in W3C, whose
    target must name an IRI, its source is a URN made of the document id."""
    from tui.core.exporters import to_csv, to_jsonl, to_w3c
    from tui.core.store import Annotation

    workspace, _ = small
    stray = Annotation(id=99, document=999, start=0, end=3, quote="abc", prefix="", suffix="", themes=())
    out = io.BytesIO()
    to_csv(workspace, [stray], Progress(), out)
    row = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))[0]
    assert (row["document_title"], row["document_path"], row["theme"]) == ("", "", "")
    out = io.BytesIO()
    to_jsonl(workspace, [stray], Progress(), out)
    codebook, line = out.getvalue().decode("utf-8").splitlines()
    assert json.loads(codebook)["type"] == "codebook"
    record = json.loads(line)
    assert (record["document_title"], record["document_path"], record["document_file"]) == ("", "", "")
    item = json.loads(to_w3c(workspace, [stray], Progress()))["first"]["items"][0]
    assert item["target"]["source"] == "urn:margin:document:999"


def test_qdpx_passages_without_an_author_refer_to_a_user_that_exists(small) -> None:
    """Another tool resolves every creatingUser against Users: an unsigned passage must not
    leave a dangling reference."""
    import dataclasses
    import xml.etree.ElementTree as ET
    import zipfile

    from tui.core.refi import to_qdpx

    workspace, annotations = small
    unsigned = [dataclasses.replace(annotation, author="") for annotation in annotations]
    with zipfile.ZipFile(io.BytesIO(to_qdpx(workspace, unsigned, Progress()))) as bundle:
        root = ET.fromstring(bundle.read("project.qde"))
    users = {user.get("guid"): user.get("name") for user in root.iter("{urn:QDA-XML:project:1.0}User")}
    assert list(users.values()) == ["unknown"]
    referring = {element.get("creatingUser") for element in root.iter() if element.get("creatingUser")}
    assert referring and referring <= users.keys()


def test_qdpx_from_the_reader_holds_every_open_document_once(workspace: Workspace) -> None:
    """Exported from the reader, documents never coded (unknown to the database) are sources
    too, each with its own GUID."""
    import zipfile

    from tui.core.refi import to_qdpx

    document = workspace.documents[0]
    workspace.toggle_theme(document, 0, 9, workspace.themes[0])
    with zipfile.ZipFile(io.BytesIO(to_qdpx(workspace, Selection().annotations(workspace), Progress()))) as bundle:
        sources = [name for name in bundle.namelist() if name.startswith("sources/")]
    assert len(sources) == len(set(sources)) == len(workspace.documents) == 5
