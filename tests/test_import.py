"""Import: exports read back give the same annotations; what cannot be placed is listed."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace
from tui.core.exporters import export
from tui.core.importers import import_file


def essence(workspace: Workspace) -> set:
    """What must survive a round trip, independent of ids."""
    return {
        (workspace.store.documents[a.document].path.split("/")[-1], a.start, a.end, a.quote,
         tuple(sorted(workspace.theme(t).name for t in a.themes)), a.note, a.author, a.created)
        for a in workspace.store.annotations.values()
    }


SPANS = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 2500), st.integers(1, 200),
              st.sets(st.integers(0, 11), min_size=1, max_size=3), st.sampled_from(["", "a memo", "=1+1\nline"])),
    min_size=1, max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spans=SPANS, fmt=st.sampled_from(["jsonl", "w3c", "qdpx"]))
def test_export_then_import_gives_back_the_same_annotations(tmp_path_factory, spans, fmt) -> None:
    root = tmp_path_factory.mktemp("roundtrip")
    shutil.copytree(SEEDS, root / "seeds")
    source = Workspace.open([root / "seeds"], database=root / "a" / "annotations.json", author="ana")
    for number, start, length, themes, note in spans:
        document = source.documents[number]
        start = min(start, len(document.text) - 2)
        end = min(len(document.text), start + length)
        for theme in sorted(themes):
            source.toggle_theme(document, start, end, source.themes[theme])
        annotation = source.annotations(document).exactly(start, end)
        if annotation is not None and note:
            source.set_note(document, annotation, note)
    expected = essence(source)
    output, _ = export(source, fmt, root / f"out.{ {'w3c': 'jsonld'}.get(fmt, fmt) }")
    source.close()

    target = Workspace.open([root / "seeds"], database=root / "b" / "annotations.json", author="bob")
    report = import_file(target, output)
    assert report.unplaced == [] and report.moved == 0
    assert essence(target) == expected
    again = import_file(target, output)  # importing twice adds nothing
    assert again.imported == 0 and essence(target) == expected
    target.close()


def test_import_places_by_quote_and_reports_what_it_cannot(corpus_dir: Path, database: Path, tmp_path: Path,
                                                         capsys) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    document = workspace.documents[2]
    for needle in ("OASISS promotes", "Officials from both"):
        start = document.text.index(needle)
        workspace.toggle_theme(document, start, start + 40, workspace.themes[0])
    export(workspace, "jsonl", tmp_path / "out.jsonl")
    workspace.close()
    # Annotation lines alone, without theme_paths, as exports before the codebook line were:
    # they still import.
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    for old in records:
        del old["theme_paths"]
    records[0]["start"] += 7  # another tool counted differently
    records[0]["end"] += 7
    records[1]["quote"] = "A sentence that is in no document at all, anywhere."
    records[0]["theme_names"] = ["A theme from elsewhere"]
    (tmp_path / "edited.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

    fresh = tmp_path / "fresh" / "annotations.json"
    assert main(["import", str(tmp_path / "edited.jsonl"), "--db", str(fresh)]) == 1
    out = capsys.readouterr().out
    assert "imported 1 annotation, 1 placed by their quote, 1 could not be placed" in out
    assert "not placed: “A sentence that is in no document at all" in out
    imported = Workspace.open_database(fresh)
    (annotation,) = imported.store.annotations.values()
    assert annotation.quote.startswith("OASISS promotes")
    assert [t.name for t in imported.themes] == ["A theme from elsewhere"]
    assert main(["import", str(tmp_path / "missing.jsonl"), "--db", str(fresh)]) == 2


def test_a_database_elsewhere_finds_the_documents_by_their_absolute_path(corpus_dir: Path, database: Path,
                                                                         tmp_path: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    document = workspace.documents[1]
    workspace.toggle_theme(document, 10, 60, workspace.themes[3])
    export(workspace, "jsonl", tmp_path / "out.jsonl")
    workspace.close()
    elsewhere = Workspace.open_database(tmp_path / "far" / "deep" / "annotations.json", for_writing=True)
    report = import_file(elsewhere, tmp_path / "out.jsonl")
    assert (report.imported, report.unplaced) == (1, [])
    (annotation,) = elsewhere.store.annotations.values()
    assert annotation.quote == document.text[10:60]
    elsewhere.close()


FOREIGN_PROJECT = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Fieldwork" origin="QualCoder 3.6">
  <Users><User guid="u-1" name="Rosa"/></Users>
  <CodeBook><Codes>
    <Code guid="c-1" name="Violence" isCodable="true" color="#AA3355">
      <Description>Any mention of violence</Description>
      <Code guid="c-2" name="Armed groups" isCodable="true" color="#3355AA">
        <Code guid="c-3" name="Cartels" isCodable="true"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="s-1" name="interview-03" plainTextPath="internal://s-1.txt">
      <PlainTextSelection guid="p-1" startPosition="4" endPosition="19" creatingUser="u-1"
          creationDateTime="2026-03-01T10:00:00Z">
        <Description>Said twice</Description>
        <Coding guid="k-1" creatingUser="u-1"><CodeRef targetGUID="c-3"/></Coding>
        <NoteRef targetGUID="n-1"/>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="s-2" name="lost notes" plainTextPath="internal://s-2.txt">
      <PlainTextSelection guid="p-2" startPosition="0" endPosition="5" creatingUser="u-1">
        <Coding guid="k-2" creatingUser="u-1"><CodeRef targetGUID="c-1"/></Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes><Note guid="n-1" name="memo"><PlainTextContent>Check the date.</PlainTextContent></Note></Notes>
</Project>
"""


def write_project(path: Path, qde: str, sources: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", qde)
        for name, text in sources.items():
            bundle.writestr(f"sources/{name}", text)
    return path


def test_a_project_from_another_tool_brings_its_codes_documents_and_memos(tmp_path: Path, capsys) -> None:
    project = write_project(tmp_path / "fieldwork.qdpx", FOREIGN_PROJECT,
                            {"s-1.txt": "The cartel men came at night.\n"})
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(project), "--db", str(database)]) == 1  # one passage has no text
    out = capsys.readouterr().out
    assert f"{database}: imported 1 annotation, 1 could not be placed\n" in out
    assert f"wrote 1 document of the project to {tmp_path / 'db' / 'imported'}" in out
    assert "not placed: a passage of lost notes: internal://s-2.txt is missing from the archive" in out
    written = tmp_path / "db" / "imported" / "interview-03.txt"
    assert written.read_text(encoding="utf-8") == "The cartel men came at night.\n"

    workspace = Workspace.open_database(database)
    themes = {theme.name: theme for theme in workspace.themes}
    assert list(themes) == ["Violence", "Armed groups", "Cartels"]
    assert (themes["Violence"].color, themes["Violence"].description) == ("#AA3355", "Any mention of violence")
    assert themes["Armed groups"].parent == themes["Violence"].id  # nesting kept at any depth
    assert themes["Cartels"].parent == themes["Armed groups"].id
    (annotation,) = workspace.store.annotations.values()
    assert (annotation.quote, annotation.author, annotation.created) == ("cartel men came", "Rosa",
                                                                          "2026-03-01T10:00:00Z")
    assert annotation.note == "Said twice\n\nCheck the date."
    assert [workspace.theme(t).name for t in annotation.themes] == ["Cartels"]
    assert workspace.store.file_of(annotation.document) == written
    workspace.close()

    # Importing again finds the written document by its text and adds nothing.
    assert main(["import", str(project), "--db", str(database)]) == 1
    assert "imported 0 annotations, 1 coded already (themes merged)" in capsys.readouterr().out
    assert sorted(p.name for p in written.parent.iterdir()) == ["catalog.json", "interview-03.txt"]
    assert json.loads((written.parent / "catalog.json").read_text(encoding="utf-8")) == {
        "interview-03.txt": {"title": "interview-03"}}  # the source's name is the document's title


def test_a_project_source_is_matched_to_an_open_document_by_name_and_placed_by_quote(
        workspace: Workspace, tmp_path: Path) -> None:
    document = workspace.documents[0]
    start = document.text.index("Officials") if "Officials" in document.text else 100
    quote = document.text[start:start + 30]
    edited = "A line the other tool added.\n" + document.text  # same document, another version
    qde = FOREIGN_PROJECT.replace('name="interview-03"', f'name="{document.path.stem}"').replace(
        'startPosition="4" endPosition="19"',
        f'startPosition="{start + 29}" endPosition="{start + 59}"')
    project = write_project(tmp_path / "p.qdpx", qde, {"s-1.txt": edited})
    report = import_file(workspace, project)
    assert report.written == [] and report.imported == 1
    (annotation,) = workspace.annotations(document).items
    assert (annotation.start, annotation.quote) == (start, quote)


def test_a_broken_project_is_one_clear_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(b"PK\x03\x04 not a zip")
    assert main(["import", str(bad), "--db", str(tmp_path / "db.json")]) == 2
    assert capsys.readouterr().err.strip() == f"margin: {bad}: not a REFI-QDA project archive (File is not a zip file)"
    write_project(bad, "<Project", {})
    assert main(["import", str(bad), "--db", str(tmp_path / "db.json")]) == 2
    assert "project.qde is not well-formed XML" in capsys.readouterr().err
