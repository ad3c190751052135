"""Import trusts no file (issue #12): a malformed file changes nothing, documents are read only
from inside the project, and sizes are capped."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_import import FOREIGN_PROJECT, write_project

from tui.cli import main
from tui.core import Workspace, refi
from tui.core import importers as importers_module
from tui.core.exporters import export
from tui.core.import_records import jsonl_schema
from tui.core.importers import ImportFileError, import_file

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "tui" / "core" / "schemas" / "margin-annotation.schema.json"


def test_the_published_json_schema_is_the_one_the_importer_checks_with() -> None:
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == jsonl_schema(), (
        "regenerate it: python -c 'import json; from tui.core.import_records import jsonl_schema; "
        "print(json.dumps(jsonl_schema(), indent=2, ensure_ascii=False))' > " + str(SCHEMA_FILE))
    record = published["$defs"]["JsonlRecord"]
    assert {"document_path", "start", "end", "quote"} <= set(record["required"])
    assert record["properties"]["start"] == {**record["properties"]["start"], "type": "integer", "minimum": 0}


# -- a database to import into, and files exported from another one ---------------------------

def snapshot(database: Path) -> dict[str, bytes | None]:
    """Every file of the database that an import could change, and the imported/ folder."""
    folder = database.parent
    files = {path.name: path.read_bytes() for path in folder.iterdir()
             if path.is_file() and not path.name.endswith((".lock", ".owner")) and ".backup-" not in path.name}
    imported = folder / "imported"
    files["imported/"] = b"\n".join(sorted(p.name.encode() for p in imported.iterdir())) if imported.exists() else None
    return files


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    """``jsonl``, ``w3c`` and ``qdpx`` exports of a database coding every seed document, and
    ``target``: a database that knows one document and has one annotation, so a valid project
    import would write the others to imported/."""
    root = tmp_path_factory.mktemp("exports")
    shutil.copytree(SEEDS, root / "seeds")
    source = Workspace.open([root / "seeds"], database=root / "source" / "annotations.json", author="ana")
    for number, document in enumerate(source.documents):
        for offset in (10, 200, 400):
            source.toggle_theme(document, offset, offset + 30, source.themes[number % 3])
    paths = {fmt: export(source, fmt, root / f"out.{ {'w3c': 'jsonld'}.get(fmt, fmt) }")[0]
             for fmt in ("jsonl", "w3c", "qdpx")}
    first = source.documents[0].path
    source.close()
    target = Workspace.open([first], database=root / "target" / "annotations.json", author="bob")
    target.toggle_theme(target.documents[0], 5, 25, target.themes[0])
    target.close()
    return {**paths, "target": root / "target" / "annotations.json"}


def fresh_target(exports: dict[str, Path]) -> Path:
    """A copy of the target database beside it, where its document's relative path holds."""
    folder = Path(tempfile.mkdtemp(dir=exports["target"].parent.parent))
    shutil.copytree(exports["target"].parent, folder, dirs_exist_ok=True)
    return folder / "annotations.json"


def import_into(database: Path, path: Path) -> importers_module.ImportReport:
    workspace = Workspace.open_database(database, for_writing=True)
    try:
        return import_file(workspace, path)
    finally:
        workspace.close()


def test_the_unbroken_exports_do_import(exports: dict[str, Path], tmp_path: Path) -> None:
    """The control for the property tests below: the same files, unbroken, change the database."""
    for fmt in ("jsonl", "w3c", "qdpx"):
        database = fresh_target(exports)
        before = snapshot(database)
        report = import_into(database, exports[fmt])
        assert report.imported + report.merged == 15 and snapshot(database) != before
    assert snapshot(database)["imported/"] is not None  # the project brought its other documents


# -- malformed files: exit 2, one line, nothing written ----------------------------------------

JSONL_CASES = [
    ({"start": "12"}, '"start" must be an integer, got "12"'),
    ({"start": True}, '"start" must be an integer, got true'),
    ({"end": -3}, '"end" must be an integer >= 0, got -3'),
    ({"start": 50, "end": 40}, '"end" (40) is before "start" (50)'),
    ({"theme_names": "abc"}, '"theme_names" must be a list, got "abc"'),
    ({"theme_names": [{"name": "x"}]}, '"theme_names[0]" must be a string, got {"name": "x"}'),
    ({"theme_names": ["ok", "  "]}, '"theme_names[1]" must not be blank, got "  "'),
    ({"note": ["a", "list"]}, '"note" must be a string, got ["a", "list"]'),
    ({"author": {"name": "x"}}, '"author" must be a string, got {"name": "x"}'),
    ({"created": 12}, '"created" must be a string or null, got 12'),
    ({"modified": "yesterday"}, '"modified" must be an ISO 8601 date (2026-03-01T10:00:00Z), got "yesterday"'),
    ({"created": "2026-02-30T10:00:00Z"}, '"created" is not a date that exists, got "2026-02-30T10:00:00Z"'),
    ({"quote": ""}, '"quote" must not be empty'),
    ({"document_path": None}, '"document_path" must be a string, got null'),
]


@pytest.mark.parametrize(("change", "message"), JSONL_CASES)
def test_a_malformed_json_lines_record_is_one_line_and_changes_nothing(
        exports: dict[str, Path], tmp_path: Path, capsys, change: dict, message: str) -> None:
    lines = exports["jsonl"].read_text(encoding="utf-8").splitlines()
    lines[2] = json.dumps({**json.loads(lines[2]), **change})
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines), encoding="utf-8")
    database = fresh_target(exports)
    before = snapshot(database)
    assert main(["import", str(bad), "--db", str(database)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"margin: {bad}: line 3: {message}\n" and captured.out == ""
    assert snapshot(database) == before


def test_a_malformed_file_for_a_project_without_a_database_leaves_no_trace(tmp_path: Path, capsys) -> None:
    """The file is checked before a database is opened: no annotations/ folder, lock, owner
    or .gitignore appears for a refused import into a project that had none."""
    shutil.copytree(SEEDS, tmp_path / "docs", ignore=shutil.ignore_patterns("codebook.json"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"start": "12"}\n', encoding="utf-8")
    assert main(["import", str(bad), "--db", str(tmp_path / "annotations" / "annotations.json")]) == 2
    assert capsys.readouterr().err == f'margin: {bad}: line 1: "start" must be an integer, got "12"\n'
    assert sorted(child.name for child in tmp_path.iterdir()) == ["bad.jsonl", "docs"]


def test_a_line_that_is_not_json_or_not_an_object_is_named(exports: dict[str, Path], tmp_path: Path) -> None:
    database = fresh_target(exports)
    bad = tmp_path / "bad.jsonl"
    for line, message in [("{not json", "line 2: not valid JSON"), ("[1, 2]", "line 2: must be an object, got [1, 2]"),
                          ('{"start": 1}', 'line 2: "document_path" is missing')]:
        bad.write_text(exports["jsonl"].read_text(encoding="utf-8").splitlines()[0] + "\n" + line, encoding="utf-8")
        with pytest.raises(ImportFileError, match="^" + re.escape(f"{bad}: {message}")):
            import_into(database, bad)


BAD_VALUES = st.one_of(st.text(max_size=5), st.booleans(), st.none(), st.floats(allow_nan=False),
                       st.integers(max_value=-1), st.lists(st.integers(), max_size=2),
                       st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
BAD_DATES = st.one_of(st.integers(), st.lists(st.text(max_size=2), max_size=2),
                      st.sampled_from(["", "2026", "yesterday", "2026-13-01", "2026-02-30T10:00:00Z", "20260301",
                                       "2026-03-01T25:00", "2026-03-01 10:00"]))
JSONL_BREAKAGES = st.one_of(
    st.tuples(st.sampled_from(["start", "end"]), BAD_VALUES.filter(lambda v: not (type(v) is int and v >= 0))),
    st.tuples(st.sampled_from(["quote", "document_path"]), BAD_VALUES.filter(lambda v: not (isinstance(v, str) and v))),
    st.tuples(st.sampled_from(["note", "author", "prefix", "suffix", "document_file"]),
              BAD_VALUES.filter(lambda v: not isinstance(v, str))),
    st.tuples(st.just("theme_names"), st.one_of(
        st.text(min_size=1, max_size=5), st.lists(st.one_of(st.integers(), st.none(), st.just(" "), st.just("")),
                                                  min_size=1, max_size=3))),
    st.tuples(st.sampled_from(["created", "modified"]), BAD_DATES),
    st.tuples(st.just("end"), st.just("before start")),
    st.tuples(st.just("missing"), st.sampled_from(["document_path", "start", "end", "quote"])),
)
W3C_BREAKAGES = st.one_of(
    st.tuples(st.sampled_from(["target", "body", "creator"]), st.one_of(st.integers(), st.booleans())),
    st.tuples(st.sampled_from(["selector", "source"]), st.one_of(st.integers(), st.none())),
    st.tuples(st.sampled_from(["start", "end", "tag"]), BAD_VALUES.filter(
        lambda v: not (isinstance(v, str) and v.strip()) and not (type(v) is int and v >= 0))),
    st.tuples(st.just("exact"), BAD_VALUES.filter(lambda v: not (isinstance(v, str) and v))),  # " " is a quote
    st.tuples(st.sampled_from(["created", "modified"]), BAD_DATES),
)
QDPX_BREAKAGES = st.one_of(
    st.tuples(st.sampled_from(["startPosition", "endPosition"]), st.sampled_from(["", "-1", "1.5", "x", "１"])),
    st.tuples(st.sampled_from(["creationDateTime", "modifiedDateTime"]),
              st.sampled_from(["", "yesterday", "2026-02-30T10:00:00Z", "2026"])),
    st.tuples(st.just("code name"), st.sampled_from(["", "   "])),
    st.tuples(st.just("CodeRef"), st.text(min_size=1, max_size=8)),
    st.tuples(st.just("end before start"), st.just(None)),
)


def broken_jsonl(path: Path, line: int, breakage: tuple) -> bytes:
    line += 1  # the first line is the codebook
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[line])
    key, value = breakage
    if key == "missing":
        del record[value]
    elif value == "before start":
        record["end"] = record["start"] - 1
    else:
        record[key] = value
    lines[line] = json.dumps(record)
    return "\n".join(lines).encode("utf-8")


def broken_w3c(path: Path, index: int, breakage: tuple) -> bytes:
    collection = json.loads(path.read_text(encoding="utf-8"))
    item = collection["first"]["items"][index]
    key, value = breakage
    quote, position = item["target"]["selector"]
    if key in ("target", "body", "creator", "created", "modified"):
        item[key] = value
    elif key in ("selector", "source"):
        item["target"][key] = value
    elif key == "exact":
        quote["exact"] = value
    elif key in ("start", "end"):
        position[key] = value
    else:  # a tag whose name is not a name
        item["body"][0]["value"] = value
    return json.dumps(collection).encode("utf-8")


def broken_qdpx(path: Path, index: int, breakage: tuple) -> bytes:
    with zipfile.ZipFile(path) as bundle:
        members = {name: bundle.read(name) for name in bundle.namelist()}
    qde = members["project.qde"].decode("utf-8")
    key, value = breakage
    if key == "code name":
        qde = re.sub(r'(<Code [^>]*name=")[^"]*"', lambda m: m.group(1) + value + '"', qde, count=1)
    else:
        selections = list(re.finditer(r"<PlainTextSelection [^>]*>", qde))
        element = selections[index % len(selections)]
        tag = element.group(0)
        if key == "CodeRef":
            rest = qde[element.end():]
            qde = qde[:element.end()] + re.sub(r'targetGUID="[^"]*"', f'targetGUID="nope-{value}"'.replace("\\", ""),
                                               rest, count=1)
        elif key == "end before start":
            start = int(re.search(r'startPosition="(\d+)"', tag).group(1))
            qde = qde.replace(tag, re.sub(r'endPosition="\d+"', f'endPosition="{max(start - 1, 0)}"',
                                          tag.replace(f'startPosition="{start}"', f'startPosition="{start + 1}"')))
        else:
            qde = qde.replace(tag, re.sub(f'{key}="[^"]*"', f'{key}="{value}"', tag))
    members["project.qde"] = qde.encode("utf-8")
    out = path.with_name("broken.qdpx")
    with zipfile.ZipFile(out, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return out.read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), fmt=st.sampled_from(["jsonl", "w3c", "qdpx"]), index=st.integers(0, 14))
def test_no_malformed_record_in_any_format_changes_the_database(exports: dict[str, Path], tmp_path: Path,
                                                               data, fmt: str, index: int) -> None:
    breakers = {"jsonl": (broken_jsonl, JSONL_BREAKAGES), "w3c": (broken_w3c, W3C_BREAKAGES),
                "qdpx": (broken_qdpx, QDPX_BREAKAGES)}
    breaker, breakages = breakers[fmt]
    payload = breaker(exports[fmt], index, data.draw(breakages))
    bad = tmp_path / f"bad{exports[fmt].suffix}"
    bad.write_bytes(payload)
    database = fresh_target(exports)
    before = snapshot(database)
    workspace = Workspace.open_database(database, for_writing=True)
    themes = list(workspace.themes)
    with pytest.raises(ImportFileError) as raised:
        import_file(workspace, bad)
    assert workspace.themes == themes and not workspace.store.dirty and not workspace.history.done
    workspace.close()
    message = str(raised.value)
    assert message.startswith(f"{bad}: ") and "\n" not in message
    assert snapshot(database) == before
    shutil.rmtree(database.parent)


# -- a failure while writing takes everything back ---------------------------------------------

@pytest.mark.parametrize("fmt", ["jsonl", "qdpx"])
def test_a_failure_midway_through_placing_leaves_the_database_and_files_as_before(
        exports: dict[str, Path], tmp_path: Path, monkeypatch, fmt: str) -> None:
    database = fresh_target(exports)
    before = snapshot(database)
    workspace = Workspace.open_database(database, for_writing=True)
    themes, annotations = list(workspace.themes), dict(workspace.store.annotations)
    calls = []
    real = Workspace.import_passage

    def failing(self, *arguments):
        calls.append(arguments)
        if len(calls) == 3:
            raise OSError("disk on fire")
        return real(self, *arguments)

    monkeypatch.setattr(Workspace, "import_passage", failing)
    with pytest.raises(OSError, match="disk on fire"):
        import_file(workspace, exports[fmt])
    assert workspace.themes == themes and workspace.store.annotations == annotations
    assert not workspace.store.unsaved and not workspace.history.done
    assert [a.quote for a in workspace.annotations(workspace.documents[0]).items] == [
        a.quote for a in annotations.values()]
    workspace.close()
    assert snapshot(database) == before  # the file, no journal entries, no imported/ files
    assert len(calls) == 3


# -- confinement ---------------------------------------------------------------------------------

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    """``tmp/project/{seeds, annotations/annotations.json}``, one passage coded, and a secret
    in ``tmp/secret/id_rsa``, outside the project."""
    (tmp_path / "secret").mkdir()
    secret = tmp_path / "secret" / "id_rsa"
    secret.write_text(SECRET, encoding="utf-8")
    shutil.copytree(SEEDS, tmp_path / "project" / "seeds")
    database = tmp_path / "project" / "annotations" / "annotations.json"
    workspace = Workspace.open([tmp_path / "project" / "seeds"], database=database, author="ana")
    workspace.toggle_theme(workspace.documents[0], 5, 25, workspace.themes[0])
    workspace.close()
    return {"secret": secret, "database": database, "folder": tmp_path / "project"}


def jsonl_naming(path: Path, document: str) -> Path:
    record = {"document_path": document, "start": 0, "end": 30, "quote": SECRET[:30], "theme_names": ["Stolen"]}
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


def assert_secret_kept_out(database: Path, out: str) -> None:
    assert "outside the project (use --sources DIR to allow)" in out and "imported 0 annotations" in out
    workspace = Workspace.open_database(database)
    assert all("PRIVATE KEY" not in a.quote for a in workspace.store.annotations.values())
    assert [t.name for t in workspace.themes if t.name == "Stolen"] == []
    workspace.close()
    imported = database.parent / "imported"
    assert not imported.exists() or all("PRIVATE KEY" not in p.read_text() for p in imported.iterdir())


@pytest.mark.parametrize("how", ["absolute", "climbing", "symlink"])
def test_a_json_lines_path_out_of_the_project_is_refused(project: dict[str, Path], capsys, how: str) -> None:
    folder = project["folder"]
    if how == "symlink":
        (folder / "seeds" / "notes.txt").symlink_to(project["secret"])
    document = {"absolute": str(project["secret"]), "climbing": "../../secret/id_rsa",
                "symlink": "../seeds/notes.txt"}[how]
    source = jsonl_naming(folder / "incoming.jsonl", document)
    assert main(["import", str(source), "--db", str(project["database"])]) == 1
    assert_secret_kept_out(project["database"], capsys.readouterr().out)


def test_a_w3c_file_iri_out_of_the_project_is_refused(project: dict[str, Path], capsys) -> None:
    annotation = {"type": "Annotation", "body": [{"type": "TextualBody", "purpose": "tagging", "value": "Stolen"}],
                  "target": {"source": project["secret"].as_uri(),
                             "selector": [{"type": "TextQuoteSelector", "exact": SECRET[:30]}]}}
    source = project["folder"] / "incoming.jsonld"
    source.write_text(json.dumps(annotation), encoding="utf-8")
    assert main(["import", str(source), "--db", str(project["database"])]) == 1
    assert_secret_kept_out(project["database"], capsys.readouterr().out)


@pytest.mark.parametrize("location", ["absolute://{secret}", "relative://../secret/id_rsa", "relative://../../.."])
def test_a_project_source_out_of_the_project_is_refused_unless_allowed(project: dict[str, Path], capsys,
                                                                        location: str) -> None:
    qde = FOREIGN_PROJECT.replace('plainTextPath="internal://s-1.txt"',
                                  f'plainTextPath="{location.format(secret=project["secret"])}"').replace(
        'startPosition="4" endPosition="19"', 'startPosition="0" endPosition="30"')
    archive = write_project(project["folder"] / "fieldwork.qdpx", qde, {})
    assert main(["import", str(archive), "--db", str(project["database"])]) == 1
    out = capsys.readouterr().out
    assert f"not placed: a passage of interview-03: {location.format(secret=project['secret'])}: outside the project" in out
    assert_secret_kept_out(project["database"], out)
    if location.startswith("absolute"):  # the user means it
        assert main(["import", str(archive), "--db", str(project["database"]),
                     "--sources", str(project["secret"].parent)]) == 1  # lost notes is still missing
        assert "imported 1 annotation" in capsys.readouterr().out


def test_documents_inside_the_project_are_still_found(project: dict[str, Path]) -> None:
    """Relative to the database, and through a symlink that stays inside."""
    folder = project["folder"]
    first = sorted((folder / "seeds").glob("*.txt"))[0]
    (folder / "seeds" / "alias.txt").symlink_to(first)
    text = first.read_text(encoding="utf-8")
    record = {"start": 0, "end": 40, "quote": text[:40], "theme_names": ["Kept"]}
    lines = [json.dumps({**record, "document_path": path}) for path in ("../seeds/alias.txt", f"../seeds/{first.name}")]
    (folder / "incoming.jsonl").write_text("\n".join(lines), encoding="utf-8")
    assert main(["import", str(folder / "incoming.jsonl"), "--db", str(project["database"])]) == 0


# -- caps -----------------------------------------------------------------------------------------

def test_a_zip_bomb_stops_at_the_cap(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(refi, "MAX_MEMBER_BYTES", 2**20)
    bomb = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("project.qde", FOREIGN_PROJECT)
        bundle.writestr("sources/s-1.txt", b"\0" * (8 * 2**20))
    assert bomb.stat().st_size < 100_000
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(bomb), "--db", str(database)]) == 2
    assert capsys.readouterr().err == (f"margin: {bomb}: sources/s-1.txt expands to more than 1 MB, "
                                       "the most Margin reads from one archive member\n")
    assert not database.exists() and not (tmp_path / "db" / "imported").exists()

    monkeypatch.setattr(refi, "MAX_MEMBER_BYTES", 10 * 2**20)
    monkeypatch.setattr(refi, "MAX_EXPANDED_BYTES", 2**20)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("project.qde", FOREIGN_PROJECT)
        bundle.writestr("sources/s-1.txt", b"a" * (2**20))
    assert main(["import", str(bomb), "--db", str(database)]) == 2
    assert "the archive expands to more than 1 MB" in capsys.readouterr().err


def test_an_import_file_over_the_size_cap_is_refused_before_it_is_read(exports: dict[str, Path], tmp_path: Path,
                                                                       monkeypatch) -> None:
    monkeypatch.setattr(importers_module, "MAX_IMPORT_BYTES", 2**20)
    big = tmp_path / "big.jsonl"
    big.write_bytes(exports["jsonl"].read_bytes() + b"\n" * (2**20))
    with pytest.raises(ImportFileError, match=re.escape(f"{big}: larger than 1 MB, the most Margin imports")):
        import_into(fresh_target(exports), big)


def test_a_big_nested_codebook_imports_in_order_with_its_groups(tmp_path: Path) -> None:
    codes = "".join(
        f'<Code guid="t{top}" name="Top {top}" isCodable="true">'
        + "".join(f'<Code guid="c{top}-{child}" name="Child {top}.{child}" isCodable="true">'
                  f'<Code guid="d{top}-{child}" name="Deep {top}.{child}" isCodable="true"/></Code>'
                  for child in range(4))
        + "</Code>" for top in range(60))
    qde = FOREIGN_PROJECT.split("<CodeBook>")[0] + f"<CodeBook><Codes>{codes}</Codes></CodeBook></Project>"
    archive = write_project(tmp_path / "codebook.qdpx", qde, {})
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    workspace = Workspace.open_database(database)
    themes = workspace.themes
    assert len(themes) == 60 * 9
    assert [t.name for t in themes[:10]] == ["Top 0", "Child 0.0", "Deep 0.0", "Child 0.1", "Deep 0.1", "Child 0.2",
                                             "Deep 0.2", "Child 0.3", "Deep 0.3", "Top 1"]
    top = themes[0]
    assert [t.parent for t in themes[1:9:2]] == [top.id] * 4 and themes[9].parent is None
    assert [t.parent for t in themes[2:9:2]] == [t.id for t in themes[1:9:2]]  # the deep ones stay deep
    assert [t.key for t in themes[:10]] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None]
    workspace.close()


def test_find_document_never_loads_a_path_outside(project: dict[str, Path]) -> None:
    workspace = Workspace.open_database(project["database"], for_writing=True)
    confinement = importers_module.Confinement(workspace, project["folder"] / "x.jsonl", [])
    found = importers_module.find_document(workspace, confinement, project["folder"] / "x.jsonl",
                                           os.fspath(project["secret"]))
    assert found == "outside the project (use --sources DIR to allow)"
    workspace.close()


def test_a_hidden_folder_under_the_import_file_is_refused(tmp_path: Path, capsys) -> None:
    """Importing a file saved in the home folder does not open ``~/.ssh`` to it."""
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa").write_text(SECRET, encoding="utf-8")
    source = jsonl_naming(tmp_path / "incoming.jsonl", ".ssh/id_rsa")
    database = tmp_path / "study" / "annotations.json"
    assert main(["import", str(source), "--db", str(database)]) == 1
    assert "not placed: “-----BEGIN OPENSSH PRIVATE KEY” (.ssh/id_rsa): outside the project" in capsys.readouterr().out
    assert main(["import", str(source), "--db", str(database), "--sources", str(tmp_path / ".ssh")]) == 0


def test_a_malformed_w3c_annotation_or_project_element_is_named(exports: dict[str, Path], tmp_path: Path,
                                                               capsys) -> None:
    collection = json.loads(exports["w3c"].read_text(encoding="utf-8"))
    collection["first"]["items"][1]["target"]["selector"][1]["start"] = "3"
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(collection), encoding="utf-8")
    database = fresh_target(exports)
    assert main(["import", str(bad), "--db", str(database)]) == 2
    assert capsys.readouterr().err == (f'margin: {bad}: "first.items[1].target.selector[1].start" must be an '
                                       'integer or null, got "3"\n')
    project = write_project(tmp_path / "bad.qdpx", FOREIGN_PROJECT.replace('startPosition="4"', 'startPosition="x"'),
                            {"s-1.txt": "The cartel men came at night.\n"})
    assert main(["import", str(project), "--db", str(database)]) == 2
    assert capsys.readouterr().err == (f'margin: {project}: project.qde: PlainTextSelection "p-1": startPosition '
                                       'must be a non-negative integer, got "x"\n')
    assert not (database.parent / "imported").exists()


KILLED_IMPORT = """
import os, sys
from pathlib import Path
from tui.core import Workspace, journal
from tui.core.importers import import_file

real = journal.Journal.append

def append_then_die(self, entries):
    if sys.argv[3] == "after":
        real(self, entries)
    os._exit(9)  # as kill -9 would: no cleanup, no checkpoint

journal.Journal.append = append_then_die
workspace = Workspace.open_database(Path(sys.argv[1]), for_writing=True)
import_file(workspace, Path(sys.argv[2]))
"""


@pytest.mark.parametrize("fmt", ["jsonl", "qdpx"])
def test_a_kill_during_an_import_leaves_the_database_before_or_with_the_whole_import(
        exports: dict[str, Path], fmt: str) -> None:
    root = Path(__file__).resolve().parent.parent
    for moment, expected in (("before", 1), ("after", 16)):
        database = fresh_target(exports)
        child = subprocess.run([sys.executable, "-c", KILLED_IMPORT, str(database), str(exports[fmt]), moment],
                               cwd=root, capture_output=True, text=True, timeout=120)
        assert child.returncode == 9, child.stderr
        workspace = Workspace.open_database(database, for_writing=True)
        assert len(workspace.store.annotations) == expected
        if fmt == "qdpx" and moment == "before":  # its documents were written first: the next import reuses them
            written = sorted(p.name for p in (database.parent / "imported").iterdir())
            assert import_file(workspace, exports[fmt]).imported == 15
            assert sorted(p.name for p in (database.parent / "imported").iterdir()) == written
        workspace.close()


def test_a_long_quote_or_context_costs_no_more_than_its_length(project: dict[str, Path], capsys) -> None:
    """A quote that is nowhere is not aligned against a big document character by character
    (minutes for 20,000 characters), and a long context is not compared at every occurrence."""
    import random
    import time

    rng = random.Random(12)
    words = "border night men came cartel river boat smuggling".split()
    big = project["folder"] / "seeds" / "big.txt"
    big.write_text(" ".join(rng.choice(words) for _ in range(40_000)), encoding="utf-8")
    quote = " ".join(rng.choice(words) for _ in range(3_500))
    records = [{"document_path": "../seeds/big.txt", "start": 0, "end": len(quote), "quote": quote,
                "theme_names": ["Long"]},
               {"document_path": "../seeds/big.txt", "start": 0, "end": 4, "quote": "men ", "prefix": "x" * 2**20,
                "suffix": "y" * 2**20, "theme_names": ["Short"]}]
    source = project["folder"] / "long.jsonl"
    source.write_text("\n".join(json.dumps(record) for record in records), encoding="utf-8")
    began = time.perf_counter()
    assert main(["import", str(source), "--db", str(project["database"])]) == 1
    assert time.perf_counter() - began < 15
    out = capsys.readouterr().out
    assert "imported 1 annotation" in out
    assert "quote not found in the document (a quote over 1,000 characters must match exactly)" in out


# -- control characters in theme names --------------------------------------------------------

def with_codebook_name(path: Path, name: str) -> bytes:
    lines = path.read_text(encoding="utf-8").splitlines()
    codebook = json.loads(lines[0])
    codebook["themes"][1]["name"] = name
    return "\n".join([json.dumps(codebook), *lines[1:]]).encode("utf-8")


QDC = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
       '<Code guid="11111111-1111-1111-1111-111111111111" name="Fine" isCodable="true"/>'
       '<Code guid="22222222-2222-2222-2222-222222222222" name="a&#x9B;b" isCodable="true"/></Codes></CodeBook>')


@pytest.mark.parametrize(("fmt", "make", "where"), [
    ("jsonl", lambda e: broken_jsonl(e["jsonl"], 1, ("theme_names", ["ok", "a\u0000b"])),
     'line 3: "theme_names[1]": the theme name "a\\u0000b" holds a control character (U+0000)'),
    ("jsonl", lambda e: with_codebook_name(e["jsonl"], "esc\u001b[31m"),
     'line 1: "themes[1].name": the theme name "esc\\u001b[31m" holds a control character (U+001B)'),
    ("jsonld", lambda e: broken_w3c(e["w3c"], 0, ("value", "del\u007f")),
     'body[0]: the theme name "del\\u007f" holds a control character (U+007F)'),
    ("qdpx", lambda e: broken_qdpx(e["qdpx"], 0, ("code name", "c1&#x9B;")),
     ': the theme name "c1\\u009b" holds a control character (U+009B)'),
    ("qdc", lambda e: QDC.encode("utf-8"), 'CodeBook: Code "22222222-2222-2222-2222-222222222222": the theme name'),
    ("csv", lambda e: "name,parent\nFine,\n\"bell\u0007\",Fine\n".encode("utf-8"),
     "row 3: the name: the theme name \"bell\\u0007\" holds a control character (U+0007)"),
], ids=["jsonl", "jsonl-codebook", "w3c", "qdpx", "qdc", "csv"])
def test_a_theme_name_with_a_control_character_is_refused_in_every_format(
        exports: dict[str, Path], tmp_path: Path, fmt: str, make, where: str) -> None:
    bad = tmp_path / f"bad.{fmt}"
    bad.write_bytes(make(exports))
    database = fresh_target(exports)
    before = snapshot(database)
    with pytest.raises(ImportFileError) as raised:
        import_into(database, bad)
    message = str(raised.value)
    assert message.startswith(f"{bad}: ") and "\n" not in message and where in message, message
    assert snapshot(database) == before
