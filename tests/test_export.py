"""Exports: what other tools read, safe in spreadsheets, never touching the database."""

from __future__ import annotations

import csv
import io
import json
import tempfile
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
    assert len(texts) == 1  # each document the database knows, as UTF-8 text
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
