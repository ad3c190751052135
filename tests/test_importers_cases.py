"""``margin import``, case by case (issue #12, item 10): what an import reports, what lands in
the database and beside it (``imported/`` and its catalog), and the one line a malformed file
gets, for each promise of ``tui/core/importers.py`` that the flow tests leave loose."""

from __future__ import annotations

import os
import json
import zipfile
from pathlib import Path

import pytest

from tui.core import Workspace
from tui.core import importers
from tui.core.importers import ImportFileError, ImportReport, file_stem, import_file, write_text, write_titles

NS = "urn:QDA-XML:project:1.0"
TEXT = "The cartel men came at night.\nNobody stayed behind.\n"


@pytest.fixture
def target(tmp_path: Path) -> Workspace:
    """An empty database in ``tmp/db``, open for writing."""
    workspace = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    yield workspace
    workspace.close()


def qdpx(path: Path, sources: dict[str, str], selections: str = "", codes: str = "") -> Path:
    """A project as QualCoder writes one: a source per name (``s-N.txt`` in ``sources/``),
    ``selections`` in the first, the codebook ``codes`` (``Violence`` by default)."""
    codes = codes or '<Code guid="c-0" name="Violence" isCodable="true"/>'
    elements = "".join(
        f'<TextSource guid="s-{n}" name="{name}" plainTextPath="internal://s-{n}.txt">'
        f'{selections if n == 0 else ""}</TextSource>' for n, name in enumerate(sources))
    project = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p" origin="QualCoder 3.5">'
               f'<Users><User guid="u-1" name="Rosa"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
               f"<Sources>{elements}</Sources></Project>")
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", project)
        for n, text in enumerate(sources.values()):
            bundle.writestr(f"sources/s-{n}.txt", text)
    return path


def coding(start: int, end: int, code: str = "c-0", guid: str = "p-1") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" creatingUser="u-1">'
            f'<Coding guid="k-{guid}"><CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def imported(workspace: Workspace) -> list[tuple[str, str, list[str]]]:
    """Each annotation: its document's file name, its quote, its themes' names."""
    return sorted((workspace.store.file_of(a.document).name, a.quote, [workspace.theme(t).name for t in a.themes])
                  for a in workspace.store.annotations.values())


# -- what the report says -----------------------------------------------------------------------

def test_the_report_counts_each_outcome_in_one_line() -> None:
    assert ImportReport().message == "imported 0 annotations"
    assert ImportReport(imported=1).message == "imported 1 annotation"
    report = ImportReport(imported=3, moved=2, merged=1, unplaced=["a", "b"], unusable=["x", "x", "y"])
    assert report.message == ("imported 3 annotations, 2 placed by their quote, 1 coded already (themes merged), "
                              "2 could not be placed, 3 parts of the file not usable")
    assert report.unusable_counted == ["2 × x", "y"]
    assert ImportReport(unusable=["x"]).message == "imported 0 annotations, 1 part of the file not usable"


def test_a_codebooks_report_is_about_its_themes() -> None:
    report = ImportReport(codebook_only=True, themes_added=[f"t{n}" for n in range(9)], themes_known=2)
    assert report.message == "added 9 themes (t0, t1, t2, t3, t4, t5, t6, t7, …), 2 in the codebook already"
    eight = ImportReport(codebook_only=True, themes_added=[f"t{n}" for n in range(8)])
    assert eight.message == "added 8 themes (t0, t1, t2, t3, t4, t5, t6, t7), 0 in the codebook already"
    assert ImportReport(codebook_only=True, themes_known=-1).message == "added 0 themes, 0 in the codebook already"
    assert ImportReport(codebook_only=True, codebook="codebook: said").message == "codebook: said"


# -- the files a project brings ---------------------------------------------------------------

@pytest.mark.parametrize(("name", "stem"), [
    ("Interview 3.2", "Interview 3.2"),
    ("Interview 3.2.docx", "Interview 3.2"),
    ("Notes.PDF", "Notes"),
    ("report.txt.md", "report.txt"),
    (".txt", "txt"),  # a name that is all extension keeps it
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    ("  ..spaced   out . ", "spaced out"),
    ("bell\x07", "bell_"),
    ("", "source"),
    ("...", "source"),
    ("x" * 130, "x" * 120),
    ("....." + "x" * 130, "x" * 120),  # the dots go before the name is cut
    ("XRay Xylophone", "XRay Xylophone"),
    ("é" * 110, "é" * 100),  # 200 bytes of UTF-8
    ("a" + "é" * 110, "a" + "é" * 99),  # never half a character
])
def test_a_source_name_becomes_a_safe_whole_file_name(name: str, stem: str) -> None:
    assert file_stem(name) == stem


def test_a_written_source_never_replaces_a_file_and_reuses_one_with_its_text(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "imported"
    assert write_text(folder, "a.docx", "one\n") == (folder / "a.txt", True)
    assert (folder / "a.txt").read_bytes() == b"one\n"
    assert write_text(folder, "a", "two") == (folder / "a (2).txt", True)
    assert write_text(folder, "a", "one\n") == (folder / "a.txt", False)
    assert write_text(folder, "a", "two") == (folder / "a (2).txt", False)
    assert write_text(folder, "a", "three") == (folder / "a (3).txt", True)


def test_a_thousand_sources_of_one_name_is_too_many(tmp_path: Path) -> None:
    folder = tmp_path / "imported"
    folder.mkdir()
    for number in range(1, 1000):
        (folder / (f"a ({number}).txt" if number > 1 else "a.txt")).write_text("other")
    with pytest.raises(FileExistsError, match=r"imported: too many files named a$"):
        write_text(folder, "a", "text")
    assert len(list(folder.iterdir())) == 999


def test_titles_join_the_catalog_without_overwriting_one_a_user_gave(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    assert write_titles(tmp_path, {"a.txt": "Interview A"}) is None
    assert json.loads(catalog.read_text(encoding="utf-8")) == {"a.txt": {"title": "Interview A"}}
    catalog.write_text(json.dumps({"a.txt": {"title": "Mine"}, "b.txt": {"year": 2019}, "c.txt": "odd"}),
                       encoding="utf-8")
    before = catalog.read_bytes()
    assert write_titles(tmp_path, {"a.txt": "Theirs", "b.txt": "Río", "c.txt": "C", "d.txt": "D"}) == before
    assert json.loads(catalog.read_text(encoding="utf-8")) == {
        "a.txt": {"title": "Mine"}, "b.txt": {"year": 2019, "title": "Río"}, "c.txt": "odd", "d.txt": {"title": "D"}}
    assert "Río" in catalog.read_text(encoding="utf-8")  # written as text, not \u escapes
    assert catalog.read_text(encoding="utf-8").startswith('{\n  "a.txt"')


def test_a_catalog_margin_cannot_read_is_left_alone(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.json"
    for content in (b"{broken", b"[1, 2]", b"[" * 100_000):
        catalog.write_bytes(content)
        assert write_titles(tmp_path, {"a.txt": "A"}) == content
        assert catalog.read_bytes() == content
    catalog.write_text(json.dumps({"a.txt": {"title": "Mine"}}), encoding="utf-8")
    stat = catalog.stat()
    write_titles(tmp_path, {"a.txt": "Theirs"})  # nothing changes: the file is not rewritten
    assert catalog.stat().st_mtime_ns == stat.st_mtime_ns and catalog.stat().st_ino == stat.st_ino


# -- reading the file ---------------------------------------------------------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An import file's folder, holding the document it codes (``a.txt``)."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def record(**fields) -> dict:
    return {"document_path": "a.txt", "start": 4, "end": 14, "quote": "cartel men", "theme_names": ["Violence"],
            **fields}


def jsonl(path: Path, *lines: dict | str, bom: bool = False) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def refusal(workspace: Workspace, path: Path) -> str:
    with pytest.raises(ImportFileError) as raised:
        import_file(workspace, path)
    assert not workspace.store.annotations and not workspace.themes
    return str(raised.value)


def test_a_file_that_is_missing_a_folder_or_of_an_unknown_kind_is_named(target: Workspace, folder: Path) -> None:
    assert refusal(target, folder / "gone.jsonl") == f"{folder / 'gone.jsonl'}: no such file"
    (folder / "dir.jsonl").mkdir()
    assert refusal(target, folder / "dir.jsonl") == f"{folder / 'dir.jsonl'}: not a regular file"
    assert refusal(target, folder / "a.txt") == (
        f"{folder / 'a.txt'}: unknown kind of file (Margin imports .jsonl, .json, .jsonld, .qdpx, .qdc and "
        "codebook .csv files)")


def test_a_suffix_in_capitals_is_read_by_its_reader(target: Workspace, folder: Path) -> None:
    report = import_file(target, jsonl(folder / "export.JSONL", record()))
    assert report.imported == 1 and imported(target) == [("a.txt", "cartel men", ["Violence"])]


def test_a_file_at_the_size_cap_is_read_and_one_byte_more_is_refused(target: Workspace, folder: Path,
                                                                   monkeypatch) -> None:
    path = jsonl(folder / "export.jsonl", record())
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", path.stat().st_size)
    assert import_file(target, path).imported == 1
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", path.stat().st_size - 1)
    with pytest.raises(ImportFileError, match=r"export\.jsonl: larger than 0 MB, the most Margin imports$"):
        import_file(target, path)


def test_an_unreadable_file_says_why(target: Workspace, folder: Path, monkeypatch) -> None:
    path = jsonl(folder / "export.jsonl", record())

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    assert refusal(target, path) == f"{path}: cannot read (Permission denied)"


def test_json_lines_skip_blank_lines_and_a_bom_and_name_the_line_that_is_wrong(target: Workspace,
                                                                               folder: Path) -> None:
    path = jsonl(folder / "export.jsonl", "", record(), "   ", record(start=30, end=34, quote="came"), bom=True)
    assert import_file(target, path).message == "imported 2 annotations, 1 placed by their quote"
    jsonl(path, record(), "", record(end=2))
    assert refusal_message(target, path) == f'{path}: line 3: "end" (2) is before "start" (4)'
    jsonl(path, record(), "{", record())
    assert refusal_message(target, path).startswith(f"{path}: line 2: not valid JSON (")
    jsonl(path, record(created="1 March"))
    assert refusal_message(target, path) == (
        f'{path}: line 1: "created" must be an ISO 8601 date (2026-03-01T10:00:00Z), got "1 March"')
    jsonl(path, record(modified="2026-02-30"))
    assert refusal_message(target, path) == f'{path}: line 1: "modified" is not a date that exists, got "2026-02-30"'
    jsonl(path, record(theme_names=["ok", "a\u0007b"]))
    assert refusal_message(target, path) == (
        f'{path}: line 1: "theme_names[1]": the theme name "a\\u0007b" holds a control character (U+0007)')
    jsonl(path, record(quote=[[[[[[[[[[1]]]]]]]]]]))
    assert refusal_message(target, path).startswith(f'{path}: line 1: "quote" must be')
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert refusal_message(target, path) == (
        f"{path}: line 1: not usable JSON (arrays or objects nested too deeply)")


def refusal_message(workspace: Workspace, path: Path) -> str:
    """The one line an import of ``path`` fails with; the database keeps what it had."""
    before = imported(workspace)
    with pytest.raises(ImportFileError) as raised:
        import_file(workspace, path)
    assert imported(workspace) == before
    return str(raised.value)


def codebook_line(*themes: dict) -> dict:
    return {"type": "codebook", "themes": list(themes)}


def test_a_json_lines_codebook_comes_once_with_groups_it_defines(target: Workspace, folder: Path) -> None:
    path = folder / "export.jsonl"
    jsonl(path, codebook_line({"name": "A"}), record(), codebook_line({"name": "B"}))
    assert refusal(target, path) == f"{path}: line 3: a second codebook (the first is on line 1)"
    jsonl(path, "", codebook_line({"name": "A"}), codebook_line({"name": "B"}))
    assert refusal(target, path) == f"{path}: line 3: a second codebook (the first is on line 2)"
    jsonl(path, codebook_line({"name": "A", "parent": "Z"}))
    assert refusal(target, path) == f"{path}: line 1: themes[0]: its group 'Z' is not a theme of the codebook"
    jsonl(path, codebook_line({"name": "A"}, {"name": "b\u009b", "parent": "A"}))
    assert refusal(target, path) == (
        f'{path}: line 1: "themes[1].name": the theme name "b\\u009b" holds a control character (U+009B)')
    jsonl(path, codebook_line({"name": "A", "parent": "b\u0001"}))
    assert refusal(target, path).startswith(f'{path}: line 1: "themes[0].parent": the theme name')
    jsonl(path, codebook_line({"name": "Child", "parent": "Group", "color": "#112233", "description": "d"},
                              {"name": "Group"}), record(theme_names=["Child"]))
    report = import_file(target, path)
    assert report.codebook == "codebook: 2 themes added, 0 changed, 0 already there"
    assert [(t.name, target.theme(t.parent).name if t.parent else None, t.color, t.description)
            for t in target.themes] == [("Group", None, target.themes[0].color, ""),
                                        ("Child", "Group", "#112233", "d")]
    assert imported(target) == [("a.txt", "cartel men", ["Child"])]


def test_themes_grouped_in_a_circle_or_named_twice_are_named(target: Workspace, folder: Path) -> None:
    path = folder / "export.jsonl"
    jsonl(path, codebook_line({"name": "A", "parent": "C"}, {"name": "B", "parent": "A"},
                              {"name": "C", "parent": "B"}, {"name": "D"}))
    assert refusal(target, path) == f"{path}: line 1: themes[0]: themes grouped in a circle ('A' → 'C' → 'B' → 'A')"
    jsonl(path, codebook_line({"name": "D"}, {"name": "A", "parent": "B"}, {"name": "B", "parent": "A"}))
    assert refusal(target, path) == f"{path}: line 1: themes[1]: themes grouped in a circle ('A' → 'B' → 'A')"
    jsonl(path, codebook_line({"name": "A", "parent": "B"}, {"name": "B", "parent": "C"}, {"name": "C", "parent": "B"}))
    assert refusal(target, path) == f"{path}: line 1: themes[0]: themes grouped in a circle ('A' → 'B' → 'C' → 'B')"
    jsonl(path, codebook_line({"name": "Hope"}, {"name": "x"}, {"name": "  HOPE "}))
    assert refusal(target, path) == f"{path}: line 1: themes[2]: '  HOPE ' is there twice (also themes[0])"


def test_a_theme_listed_before_its_group_comes_right_after_it_with_its_own_children(target: Workspace,
                                                                                      folder: Path) -> None:
    path = jsonl(folder / "export.jsonl", codebook_line(
        {"name": "Grandchild", "parent": "Child"}, {"name": "Child", "parent": "Top"}, {"name": "Other"},
        {"name": "Second child", "parent": "Top"}, {"name": "Top"}))
    import_file(target, path)
    assert [t.name for t in target.themes] == ["Other", "Top", "Child", "Grandchild", "Second child"]


# -- W3C Web Annotation ------------------------------------------------------------------------

def annotation(**fields) -> dict:
    return {"type": "Annotation", "motivation": "tagging", "body": {"type": "TextualBody", "value": "Violence"},
            "target": {"source": "a.txt", "selector": {"type": "TextQuoteSelector", "exact": "cartel men",
                                                       "prefix": "The ", "suffix": " came"}}, **fields}


def w3c(path: Path, content) -> Path:
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def test_bodies_are_tags_by_purpose_or_motivation_and_memos_otherwise(target: Workspace, folder: Path) -> None:
    body = [{"type": "TextualBody", "purpose": ["describing", "tagging"], "value": "Cartels"},
            {"type": "TextualBody", "purpose": "commenting", "value": "First memo"},
            {"type": "TextualBody", "value": ""},
            {"type": ["TextualBody"], "value": "Second memo"}]
    path = w3c(folder / "a.jsonld", [annotation(motivation="commenting", body=body, bodyValue="Third memo"),
                                     annotation(motivation=["bookmarking", "tagging"])])
    assert import_file(target, path).message == ("imported 1 annotation, 2 placed by their quote, 1 coded already "
                                                  "(themes merged)")  # a quote alone: placed where it is
    (coded,) = target.store.annotations.values()
    assert coded.note == "First memo\n\nSecond memo\n\nThird memo"
    assert sorted(target.theme(t).name for t in coded.themes) == ["Cartels", "Violence"]


def test_a_body_without_text_or_a_blank_tag_or_a_bad_date_is_handled(target: Workspace, folder: Path) -> None:
    path = folder / "a.json"
    w3c(path, annotation(body=[{"type": ["SpecificResource", "Choice"]}, {}, {"value": "Violence"}]))
    report = import_file(target, path)
    assert report.unusable == ["a body without text (SpecificResource, Choice)", "a body without text (no type)"]
    w3c(path, [annotation(body={"value": "  ", "purpose": "tagging"})])
    assert refusal_message(target, path) == f"{path}: [0]: body: a tagging body needs a theme name"
    w3c(path, [annotation(body=[{"value": "x"}, {"value": "a\u001bb"}])])
    assert refusal_message(target, path).startswith(f'{path}: [0]: body[1]: the theme name "a\\u001bb"')
    w3c(path, [annotation(created="2026-02-30")])
    assert refusal_message(target, path) == f'{path}: [0]: "created" is not a date that exists, got "2026-02-30"'
    w3c(path, [annotation(modified="2026-02-31")])
    assert refusal_message(target, path) == f'{path}: [0]: "modified" is not a date that exists, got "2026-02-31"'
    w3c(path, annotation(body={"type": "TextualBody", "purpose": "tagging"}))
    assert refusal_message(target, path) == f'{path}: body[0]: a TextualBody needs a "value"'


def test_creators_are_named_by_name_nickname_id_or_iri(target: Workspace, folder: Path) -> None:
    creators = [{"name": ["Rosa", "R."]}, {"nickname": "rp"}, {"id": "https://x.org/p/9"}, "mailto:a@b.c",
                {"name": ""}]
    path = w3c(folder / "a.json", annotation(creator=creators, created="2026-03-01", modified="2026-03-02T10:00Z"))
    import_file(target, path)
    (coded,) = target.store.annotations.values()
    assert (coded.author, coded.created, coded.modified) == (
        "Rosa, R., rp, https://x.org/p/9, mailto:a@b.c", "2026-03-01", "2026-03-02T10:00Z")


def test_targets_that_select_no_text_are_listed_and_the_others_imported(target: Workspace, folder: Path) -> None:
    document = (folder / "a.txt").as_uri()
    targets = [
        "a.txt",
        {"source": "a.txt", "type": "Video"},
        {"source": "a.txt", "format": ["text/plain", "audio/mpeg"]},
        {"source": "a.txt", "selector": [{"type": "FragmentSelector"}, {"type": "CssSelector"}, {}]},
        {"source": "a.txt"},
        {"source": "a.txt", "selector": {"type": "TextPositionSelector", "start": 4, "end": 4}},
        {"selector": {"type": "TextQuoteSelector", "exact": "came"}},
        {"source": document.replace("a.txt", "%61.txt"), "selector": {"type": "TextQuoteSelector", "exact": "night"}},
        {"source": "a.txt", "selector": {"type": "TextPositionSelector", "start": 30, "end": 36}},
        {"source": "a.txt", "selector": {"type": "TextQuoteSelector", "exact": " "}},
    ]
    report = import_file(target, w3c(folder / "a.json", annotation(target=targets)))
    assert report.unusable == [
        "a target that is a whole resource (an address, no selector)",
        "a target that is not text (Video)",
        "a target that is not text (text/plain, audio/mpeg)",
        "a target with no text selector (CssSelector, FragmentSelector, no type)",
        "a target with no text selector (no selector)",
        "a target with no text selector (no selector)",
        "a target with no source document",
    ]
    assert [quote for _, quote, _ in imported(target)] == [" ", "Nobody", "night"]


def test_a_position_selector_beside_a_quote_is_a_hint_and_a_bad_one_is_named(target: Workspace,
                                                                            folder: Path) -> None:
    selectors = [{"type": "TextQuoteSelector", "exact": "came"}, {"type": "TextPositionSelector", "start": 15,
                                                                 "end": 19}]
    report = import_file(target, w3c(folder / "a.json", annotation(target={"source": "a.txt", "selector": selectors})))
    assert report.message == "imported 1 annotation"
    path = folder / "b.json"
    selectors[1] = {"type": "TextPositionSelector", "start": 9, "end": 3}
    w3c(path, annotation(target={"source": "a.txt", "selector": selectors}))
    assert refusal_message(target, path) == f'{path}: TextPositionSelector: "end" (3) is before "start" (9)'
    w3c(path, annotation(target={"source": "a.txt", "selector": {"type": "TextQuoteSelector", "exact": ""}}))
    assert refusal_message(target, path) == f'{path}: target: a TextQuoteSelector needs an "exact" quote'
    w3c(path, annotation(target={"source": "a.txt", "selector": {"type": "TextPositionSelector", "end": 3}}))
    assert refusal_message(target, path) == f'{path}: target: a TextPositionSelector needs "start" and "end"'


def test_every_way_of_holding_annotations_is_read(target: Workspace, folder: Path) -> None:
    one = annotation(target={"source": "a.txt", "selector": [{"type": "TextQuoteSelector", "exact": "cartel men"},
                                                             {"type": "TextPositionSelector", "start": 4, "end": 14}]})
    forms = {
        "page with pages after it": {"type": "AnnotationPage", "items": [one],
                                     "next": {"items": [one, "https://x.org/a/2"], "next": "https://x.org/p/3"}},
        "collection": {"type": ["AnnotationCollection"], "first": {"items": [one]}},
        "collection without a type": {"first": {"type": "AnnotationPage", "items": [one]}},
        "empty collection": {"type": "AnnotationCollection"},
        "page without a type": {"items": []},
        "collection given by address": {"type": "AnnotationCollection", "first": "https://x.org/p/1"},
        "annotation with items": {**one, "items": [], "type": ["Annotation"]},
        "annotation with first": {**one, "first": 3},
        "list with an address": [one, "https://x.org/a/2"],
        "empty page": {"type": "AnnotationPage"},
        "long address": {"type": "AnnotationPage", "items": [], "next": "https://x.org/" + "p" * 100},
    }
    expected = {
        "page with pages after it": (["an annotation given only by its address: annotations are never fetched",
                                      "a page given only by its address (https://x.org/p/3): pages are never fetched"],
                                     "imported 1 annotation, 1 coded already (themes merged), 2 parts of the file "
                                     "not usable"),
        "collection": ([], "imported 1 annotation"),
        "collection without a type": ([], "imported 1 annotation"),
        "empty collection": ([], "imported 0 annotations"),
        "page without a type": ([], "imported 0 annotations"),
        "collection given by address": (["a page given only by its address (https://x.org/p/1): pages are never "
                                         "fetched"], "imported 0 annotations, 1 part of the file not usable"),
        "annotation with items": ([], "imported 1 annotation"),
        "annotation with first": ([], "imported 1 annotation"),
        "list with an address": (["an annotation given only by its address: annotations are never fetched"],
                                 "imported 1 annotation, 1 part of the file not usable"),
        "empty page": ([], "imported 0 annotations"),
        "long address": ([f"a page given only by its address (https://x.org/{'p' * 66}): pages are never fetched"],
                         "imported 0 annotations, 1 part of the file not usable"),
    }
    for name, content in forms.items():
        fresh = Workspace.open_database(folder / name / "annotations.json", for_writing=True)
        try:
            report = import_file(fresh, w3c(folder / f"{name}.json", content))
            assert (report.unusable, report.message) == expected[name], name
        finally:
            fresh.close()


def test_a_page_that_is_not_one_is_named_where_it_is(target: Workspace, folder: Path) -> None:
    path = folder / "a.json"
    w3c(path, {"type": "AnnotationPage", "items": [], "next": {"items": [], "next": 5}})
    assert refusal_message(target, path) == f'{path}: "next.next" must be an AnnotationPage or its address, got 5'
    w3c(path, {"type": "AnnotationPage", "items": {"a": 1}})
    assert refusal_message(target, path) == f'{path}: "items" must be a list, got {{"a": 1}}'
    w3c(path, {"type": "AnnotationPage", "items": [], "next": {"items": "x"}})
    assert refusal_message(target, path) == f'{path}: "next.items" must be a list, got "x"'
    w3c(path, {"type": "AnnotationCollection", "first": {"items": [annotation(), {"target": 5}]}})
    assert refusal_message(target, path).startswith(f'{path}: "first.items[1].target" must be')
    path.write_text("[" * 100_000, encoding="utf-8")
    assert refusal_message(target, path) == f"{path}: not usable JSON (arrays or objects nested too deeply)"
    path.write_text("{", encoding="utf-8")
    assert refusal_message(target, path).startswith(f"{path}: not valid JSON (")


# -- a project's sources ------------------------------------------------------------------------

def test_a_projects_sources_are_written_registered_and_titled_coded_or_not(target: Workspace, tmp_path: Path) -> None:
    path = qdpx(tmp_path / "p.qdpx", {"Rosa.docx": TEXT, "  Uncoded\tnotes ": "Nothing coded here.\n"},
                coding(4, 14))
    report = import_file(target, path)
    folder = tmp_path / "db" / "imported"
    assert report.written == [folder / "Rosa.txt", folder / "Uncoded notes.txt"]
    assert report.notes == ["positions read as code points over the text with CRLF (the same in every unit: no CR "
                            "or emoji in the text)", "codebook: added 1 theme (Violence), 0 in the codebook already"]
    assert json.loads((folder / "catalog.json").read_text(encoding="utf-8")) == {
        "Rosa.txt": {"title": "Rosa.docx"}, "Uncoded notes.txt": {"title": "Uncoded notes"}}
    assert sorted((target.store.file_of(d).name, record.title) for d, record in target.store.documents.items()) == [
        ("Rosa.txt", "Rosa.docx"), ("Uncoded notes.txt", "Uncoded notes")]
    assert imported(target) == [("Rosa.txt", "cartel men", ["Violence"])]
    again = import_file(target, path)  # the same texts: the files written before, not written twice
    assert (again.written, again.merged, again.imported) == (report.written, 1, 0)
    assert again.notes[-1] == "codebook: added 0 themes, 1 in the codebook already"
    assert sorted(p.name for p in folder.iterdir()) == ["Rosa.txt", "Uncoded notes.txt", "catalog.json"]


def test_a_source_is_matched_to_an_open_document_by_text_then_by_title_stem_or_name(tmp_path: Path,
                                                                                    folder: Path) -> None:
    (folder / "b.md").write_text("The cartel men came.\n", encoding="utf-8")
    (folder / "catalog.json").write_text(json.dumps({"b.md": {"title": "Second"}}), encoding="utf-8")
    other = "The cartel men, in another version.\n"
    cases = [("b", TEXT, "a.txt"), ("Second", other, "b.md"), ("b", other, "b.md"), ("b.md", other, "b.md"),
             ("a.txt", other, "a.txt")]
    for number, (name, text, expected) in enumerate(cases):
        workspace = Workspace.open([folder], database=tmp_path / str(number) / "annotations.json", author="tester")
        try:
            report = import_file(workspace, qdpx(tmp_path / f"{number}.qdpx", {name: text}, coding(4, 14)))
            assert (report.written, imported(workspace)) == ([], [(expected, "cartel men", ["Violence"])]), name
        finally:
            workspace.close()


def test_a_source_that_cannot_be_a_document_is_listed_and_nothing_is_left(target: Workspace, tmp_path: Path) -> None:
    path = qdpx(tmp_path / "p.qdpx", {"binary": "a\x00b"}, coding(0, 1))
    report = import_file(target, path)
    assert report.unplaced == ["a passage of binary: its text cannot be a document (binary file, not a text "
                               "document)"]
    assert report.written == [] and not (tmp_path / "db" / "imported").exists()


def test_a_source_that_cannot_be_written_says_why(target: Workspace, tmp_path: Path) -> None:
    (tmp_path / "db" / "imported").write_text("a file where the folder goes")
    report = import_file(target, qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT}, coding(4, 14)))
    assert report.unplaced == ["a passage of Rosa: cannot write its text beside the database (File exists)"]
    assert report.imported == 0 and not target.store.annotations


def test_passages_beyond_the_text_or_without_a_theme_are_listed(target: Workspace, tmp_path: Path) -> None:
    selections = coding(4, 14) + coding(4, 900, guid="p-2") + (
        '<PlainTextSelection guid="p-3" startPosition="15" endPosition="19"/>')
    report = import_file(target, qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT}, selections))
    assert report.unplaced == ["a passage of Rosa: its position 4-900 is beyond the end of the text",
                               "“came” (" + str(tmp_path / "db" / "imported" / "Rosa.txt") + "): no theme to code it with"]
    assert report.message == "imported 1 annotation, 2 could not be placed"


def test_a_failed_write_takes_back_the_files_the_catalog_and_the_folder(target: Workspace, tmp_path: Path,
                                                                       monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workspace, "import_passage", broken)
    with pytest.raises(OSError):
        import_file(target, qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT}, coding(4, 14)))
    assert not (tmp_path / "db" / "imported").exists()
    folder = tmp_path / "db" / "imported"
    folder.mkdir()
    (folder / "catalog.json").write_text('{"x.txt": {"title": "X"}}', encoding="utf-8")
    (folder / "Rosa.txt").write_text(TEXT, encoding="utf-8")  # there already: kept
    with pytest.raises(OSError):
        import_file(target, qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT, "New": "New text.\n"}, coding(4, 14)))
    assert sorted(p.name for p in folder.iterdir()) == ["Rosa.txt", "catalog.json"]
    assert (folder / "catalog.json").read_text(encoding="utf-8") == '{"x.txt": {"title": "X"}}'
    assert not target.store.annotations and not target.themes


# -- merging a codebook ---------------------------------------------------------------------------

def csv_codebook(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_codebook_changes_colour_description_and_group_and_says_which(target: Workspace, tmp_path: Path) -> None:
    target.update_theme(target.create_theme("Violence"), color="#112233", description="old")
    target.create_theme("Group")
    target.create_theme("Same")
    path = csv_codebook(tmp_path / "c.csv", "name,colour,description,parent\nviolence,#AABBCC,new,Group\n"
                                            "Same,,,\nNew,,,Group\n")
    report = import_file(target, path)
    assert report.message == "codebook: 1 theme added, 1 changed (colour, description, group), 1 already there"
    violence = target.store.theme_named("Violence")
    assert (violence.color, violence.description, target.theme(violence.parent).name) == ("#AABBCC", "new", "Group")
    path = csv_codebook(tmp_path / "c.csv", "name,colour,description\nVIOLENCE,#aabbcc,new\nSame,,\n")
    assert import_file(target, path).message == "codebook: 0 themes added, 0 changed, 2 already there"
    path = csv_codebook(tmp_path / "c.csv", "name,description\nSame,words\n")
    assert import_file(target, path).message == "codebook: 0 themes added, 1 changed (description), 0 already there"


def test_a_group_neither_in_the_file_nor_the_database_is_named(target: Workspace, folder: Path) -> None:
    target.create_theme("Known")
    path = csv_codebook(folder / "c.csv", "name,parent\nA,Known\n")
    assert import_file(target, path).codebook == "codebook: 1 theme added, 0 changed, 0 already there"
    path = csv_codebook(folder / "c.csv", "name,parent\nB,known\nC,Nowhere\n")
    with pytest.raises(ImportFileError, match=r"c\.csv: theme 'C': its group 'Nowhere' is neither in the file nor "
                                              r"in the database$"):
        import_file(target, path)
    assert [t.name for t in target.themes] == ["Known", "A"]


def test_csv_columns_are_found_by_name_in_any_case_and_order(target: Workspace, tmp_path: Path) -> None:
    text = ("Notes, Parent ,COLOR,NAME,Description\nignored,,#a1b2c3,  Top   theme ,\n\n,,,,\n"
            "x,top theme,,'=cmd,'=not a formula? it is: kept\n'+1,,,'+plus,'x\n")
    report = import_file(target, csv_codebook(tmp_path / "c.csv", text))
    assert report.message == "codebook: 3 themes added, 0 changed, 0 already there"
    assert [(t.name, t.color if t.name == "Top theme" else "", t.description,
             target.theme(t.parent).name if t.parent else None) for t in target.themes] == [
        ("Top theme", "#a1b2c3", "", None), ("=cmd", "", "=not a formula? it is: kept", "Top theme"),
        ("+plus", "", "'x", None)]


def test_a_bad_csv_row_is_named_by_its_line(target: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    cases = {
        "name\nA\n\n\nB\u0007\n": "row 5: the name: the theme name \"B\\u0007\" holds a control character (U+0007)",
        "name,parent\nA,\"x\ny\u0001\"\n": "row 3: the parent: the theme name",
        "name,colour\nA,#12345\n": 'row 2: colour must be #rrggbb, got "#12345"',
        "name,colour\nA,#1234567\n": 'row 2: colour must be #rrggbb, got "#1234567"',
        "name\n" + "x" * 500 + "\nB\nb\n": "row 4: 'b' is there twice (also row 3)",
        "Name,NAME\nA,B\n": "row 1: two columns for 'name'",
    }
    for text, message in cases.items():
        assert refusal(target, csv_codebook(path, text)).startswith(f"{path}: {message}"), text
    assert refusal(target, csv_codebook(path, "\ufeffname\n" + "x" * 501 + "\n")) == (
        f"{path}: row 2: the name is longer than 500 characters")


# -- where documents are found -------------------------------------------------------------------

def test_a_document_is_found_beside_the_database_or_the_file_or_by_its_other_path(tmp_path: Path,
                                                                                 folder: Path) -> None:
    beside = tmp_path / "db"
    beside.mkdir()
    (beside / "b.txt").write_text("Only beside the database: cartel men.\n", encoding="utf-8")
    workspace = Workspace.open_database(beside / "annotations.json", for_writing=True)
    try:
        lines = [record(document_path="b.txt", start=27, end=37),
                 record(document_path="gone/a.txt", document_file=str(folder / "a.txt")),
                 record(document_path=str(folder / "a.txt"), start=15, end=19, quote="came"),
                 record(document_path="gone/c.txt", document_file=str(tmp_path / "elsewhere.txt")),
                 record(document_path="../secret.txt", document_file=str(tmp_path / "nowhere.txt"))]
        (tmp_path / "elsewhere.txt").write_text("cartel men\n", encoding="utf-8")
        (tmp_path / "secret.txt").write_text("cartel men\n", encoding="utf-8")
        report = import_file(workspace, jsonl(folder / "e.jsonl", *lines))
        assert imported(workspace) == [("a.txt", "came", ["Violence"]), ("a.txt", "cartel men", ["Violence"]),
                                       ("b.txt", "cartel men", ["Violence"])]
        assert report.unplaced == [
            f"“cartel men” (gone/c.txt): document not found",
            f"“cartel men” (../secret.txt): {importers.OUTSIDE}",
        ]
    finally:
        workspace.close()


def test_a_source_outside_the_archive_is_read_only_inside_the_project_and_within_the_cap(
        target: Workspace, tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    (folder / "texts").mkdir()
    (folder / "texts" / "a b.txt").write_bytes(b"\xef\xbb\xbfThe cartel men\r\ncame.")
    (folder / "latin.txt").write_bytes("río".encode("latin-1"))
    (folder / "big.txt").write_text("x" * 25, encoding="utf-8")  # one byte over the cap set below
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (folder / "locked.txt").write_text("locked", encoding="utf-8")
    (folder / "locked.txt").chmod(0)
    sources = "".join(
        f'<TextSource guid="s-{n}" name="{name}" plainTextPath="{where}">'
        + (coding(4, 14, guid=f"p-{n}") if n == 0 else "") + "</TextSource>"
        for n, (name, where) in enumerate([("ab", "relative://texts/a%20b.txt"), ("latin", "relative://latin.txt"),
                                           ("big", f"absolute://{folder}/big.txt"),
                                           ("secret", "relative://../secret.txt"),
                                           ("locked", "relative://locked.txt"),
                                           ("gone", "relative://gone.txt")]))
    path = folder / "p.qdpx"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", f'<Project xmlns="{NS}" origin="x"><CodeBook><Codes><Code guid="c-0" '
                                       f'name="Violence"/></Codes></CodeBook><Sources>{sources}</Sources></Project>')
    readable = os.access(folder / "locked.txt", os.R_OK)  # root reads anything
    parsed = importers.parse(path)
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 24)  # a b.txt's size: read
    confinement = importers.Confinement(target, path, [])
    for source in parsed.sources:
        importers.source_text(confinement, source)
    got = {s.name: (s.stored, s.text, s.problem) for s in parsed.sources}
    assert got["ab"] == ("The cartel men\r\ncame.", "The cartel men\ncame.", "")
    assert got["latin"] == (None, None, "relative://latin.txt is not UTF-8 text")
    assert got["big"] == (None, None, f"absolute://{folder}/big.txt: larger than 0 MB")
    assert got["secret"] == (None, None, f"relative://../secret.txt: {importers.OUTSIDE}")
    assert got["gone"] == (None, None, "relative://gone.txt: document not found")
    if not readable:
        assert got["locked"] == (None, None, "relative://locked.txt: Permission denied")
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 2000)
    report = import_file(target, path)
    assert imported(target) == [("ab.txt", "cartel men", ["Violence"])]
    assert [p.name for p in report.written] == ["ab.txt", "big.txt", *(["locked.txt"] if readable else [])]


def test_a_quote_only_a_position_gives_is_read_from_the_document(target: Workspace, folder: Path) -> None:
    selector = {"type": "TextPositionSelector", "start": 4, "end": 14}
    beyond = {"type": "TextPositionSelector", "start": 4, "end": len(TEXT) + 1}
    whole = {"type": "TextPositionSelector", "start": 0, "end": len(TEXT)}
    targets = [{"source": "a.txt", "selector": s} for s in (selector, beyond, whole)] + [
        {"source": "gone.txt", "selector": selector}]
    report = import_file(target, w3c(folder / "a.json", annotation(target=targets)))
    assert report.unplaced == [f"characters 4–{len(TEXT) + 1} (a.txt): the position is beyond the end of the document",
                               "characters 4–14 (gone.txt): document not found"]
    (first, second) = sorted(target.store.annotations.values(), key=lambda a: len(a.quote))
    assert (first.quote, first.prefix, first.suffix) == ("cartel men", "The ", TEXT[14:14 + importers.CONTEXT_CHARS])
    assert second.quote == TEXT


def test_a_long_quote_must_match_exactly_and_a_short_one_may_be_near(target: Workspace, folder: Path,
                                                                     monkeypatch) -> None:
    monkeypatch.setattr(importers, "MAX_FUZZY_QUOTE", 10)
    lines = [record(), record(end=19, quote="cartel men came"), record(quote="cartel men came at nite")]
    report = import_file(target, jsonl(folder / "e.jsonl", *lines))
    assert report.unplaced == ["“cartel men came at nite” (a.txt): quote not found in the document (a quote over 10 "
                               "characters must match exactly)"]
    assert report.message == "imported 2 annotations, 1 could not be placed"


def test_a_short_row_leaves_the_missing_cells_empty_and_a_quoted_line_end_is_kept(target: Workspace,
                                                                                   tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b'name,description,colour,parent\r\nShort\r\nLong,"line one\r\nline two",#aabbcc,Short\r\n')
    assert import_file(target, path).message == "codebook: 2 themes added, 0 changed, 0 already there"
    short, long = target.themes
    assert (short.name, short.description, short.parent) == ("Short", "", None)
    assert (long.description, long.color, long.parent) == ("line one\r\nline two", "#aabbcc", short.id)


def test_a_csv_without_a_header_or_a_name_column_says_what_one_holds(target: Workspace, tmp_path: Path) -> None:
    path = csv_codebook(tmp_path / "c.csv", "")
    assert refusal(target, path) == (f"{path}: empty: a codebook CSV starts with a header (name, description, "
                                     "colour, parent)")
    csv_codebook(path, "title\nA\n")
    assert refusal(target, path) == (f'{path}: row 1: no "name" column (a codebook CSV has the columns name, '
                                     "description, colour, parent)")


def test_a_document_open_in_the_corpus_is_the_one_coded_with_its_catalog_title(tmp_path: Path,
                                                                             folder: Path) -> None:
    (folder / "catalog.json").write_text(json.dumps({"a.txt": {"title": "Interview A"}}), encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author="tester")
    try:
        import_file(workspace, jsonl(folder / "e.jsonl", record()))
        (document,) = workspace.store.documents.values()
        assert document.title == "Interview A"
        assert [a.quote for a in workspace.annotations(workspace.documents[0]).items] == ["cartel men"]
    finally:
        workspace.close()


def test_each_changed_theme_adds_what_changed_to_the_report(target: Workspace, tmp_path: Path) -> None:
    target.create_theme("A")
    target.create_theme("B")
    path = csv_codebook(tmp_path / "c.csv", "name,colour,description\nA,#010203,\nB,,Words\n")
    assert import_file(target, path).message == "codebook: 0 themes added, 2 changed (colour, description), 0 already there"
    path = csv_codebook(tmp_path / "c.csv", "name\nC\n")
    import_file(target, path)
    assert target.store.theme_named("C").description == ""


def test_a_source_without_a_name_is_written_as_source_without_a_title(target: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "p.qdpx"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", f'<Project xmlns="{NS}"><Sources><TextSource guid="s-1" '
                                       'plainTextPath="internal://s-1.txt"/></Sources></Project>')
        bundle.writestr("sources/s-1.txt", TEXT)
    report = import_file(target, path)
    assert report.written == [tmp_path / "db" / "imported" / "source.txt"]
    assert not (tmp_path / "db" / "imported" / "catalog.json").exists()
    assert (report.notes, report.message) == ([], "imported 0 annotations")  # no unit to tell, no codebook


def test_a_qdc_is_a_codebook_and_a_project_of_codes_alone_is_a_project(target: Workspace, tmp_path: Path) -> None:
    qdc = tmp_path / "c.qdc"
    qdc.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="c-0" name="A"><Code guid="c-1" '
                   'name="B"/></Code></Codes></CodeBook>', encoding="utf-8")
    first, again = import_file(target, qdc).message, import_file(target, qdc).message
    assert "annotation" not in first and "2 themes" in first  # a codebook's report is about its themes
    assert "annotation" not in again and "0 themes" in again
    assert [(t.name, target.theme(t.parent).name if t.parent else None) for t in target.themes] == [
        ("A", None), ("B", "A")]
    qdc.write_text("<CodeBook", encoding="utf-8")
    assert refusal_message(target, qdc).startswith(f"{qdc}: not well-formed XML (")
    report = import_file(target, qdpx(tmp_path / "p.qdpx", {}))
    assert (report.message, report.notes) == ("imported 0 annotations",
                                              ["codebook: added 1 theme (Violence), 0 in the codebook already"])


def test_a_selection_coded_twice_with_one_code_has_it_once_and_twin_sources_one_file(target: Workspace,
                                                                                   tmp_path: Path) -> None:
    twice = coding(4, 14).replace("</PlainTextSelection>", '<Coding guid="k-2"><CodeRef targetGUID="c-0"/></Coding>'
                                                          "</PlainTextSelection>")
    path = qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT}, twice)
    import_file(target, path)
    (annotation,) = target.store.annotations.values()
    assert [target.theme(t).name for t in annotation.themes] == ["Violence"]
    twins = tmp_path / "twins.qdpx"  # the same source again, under another GUID
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(twins, "w") as bundle:
        project = source.read("project.qde").decode("utf-8")
        element = project[project.index("<TextSource"):project.index("</Sources>")]
        bundle.writestr("project.qde", project.replace("</Sources>", element.replace('guid="s-0"', 'guid="s-9"')
                                                       .replace("s-0.txt", "s-9.txt") + "</Sources>"))
        bundle.writestr("sources/s-0.txt", TEXT)
        bundle.writestr("sources/s-9.txt", TEXT)
    report = import_file(target, twins)
    assert report.written == [tmp_path / "db" / "imported" / "Rosa.txt"]
    assert report.message == "imported 0 annotations, 2 coded already (themes merged)"


def test_a_quotes_prefix_or_suffix_chooses_between_its_occurrences(target: Workspace, folder: Path) -> None:
    (folder / "twice.txt").write_text("Men came first. Then men came again. Then men came last.\n", encoding="utf-8")
    selectors = [{"type": "TextQuoteSelector", "exact": "men came", "prefix": "again. Then "},
                 {"type": "TextQuoteSelector", "exact": "men came", "suffix": " last"}]
    targets = [{"source": "twice.txt", "selector": selector} for selector in selectors]
    report = import_file(target, w3c(folder / "a.json", annotation(target=targets)))
    assert [a.start for a in target.store.annotations.values()] == [42]  # without them: 21, the first
    assert report.message == "imported 1 annotation, 2 placed by their quote, 1 coded already (themes merged)"


def test_every_kind_of_media_target_is_listed_as_not_text(target: Workspace, folder: Path) -> None:
    quote = {"type": "TextQuoteSelector", "exact": "cartel men"}
    targets = [{"source": "a.txt", "type": kind, "selector": quote} for kind in ("Image", "Sound", "Audio")] + [
        {"source": "a.txt", "format": kind, "selector": quote} for kind in ("image/png", "video/mp4")] + [
        {"source": "a.txt", "type": "Text", "format": "text/plain", "selector": quote}]
    report = import_file(target, w3c(folder / "a.json", annotation(target=targets)))
    assert report.unusable == ["a target that is not text (Image)", "a target that is not text (Sound)",
                               "a target that is not text (Audio)", "a target that is not text (image/png)",
                               "a target that is not text (video/mp4)"]
    assert imported(target) == [("a.txt", "cartel men", ["Violence"])]


def test_folders_of_the_databases_documents_are_allowed_only_inside_its_project(tmp_path: Path) -> None:
    study, outside, other = tmp_path / "study", tmp_path / "outside", tmp_path / "other"
    for folder in (study / "texts", outside, other):
        folder.mkdir(parents=True)
        for name in ("a.txt", "b.txt"):
            (folder / name).write_text(TEXT, encoding="utf-8")
    workspace = Workspace.open_database(study / "annotations" / "annotations.json", for_writing=True)
    try:  # each import file beside its document: the first passages are read from there
        import_file(workspace, jsonl(study / "texts" / "first.jsonl", record()))
        import_file(workspace, jsonl(outside / "first.jsonl", record()))
        report = import_file(workspace, jsonl(other / "second.jsonl", record(document_path="../texts/b.txt"),
                                              record(document_path=str(outside / "b.txt"))))
        assert report.unplaced == [f"“cartel men” ({outside / 'b.txt'}): {importers.OUTSIDE}"]
        assert imported(workspace) == [("a.txt", "cartel men", ["Violence"])] * 2 + [
            ("b.txt", "cartel men", ["Violence"])]
    finally:
        workspace.close()


def test_an_empty_source_is_written_empty(target: Workspace, tmp_path: Path) -> None:
    report = import_file(target, qdpx(tmp_path / "p.qdpx", {"Empty": ""}))
    assert [(path.name, path.read_bytes()) for path in report.written] == [("Empty.txt", b"")]


# -- what lands in the database, field by field ----------------------------------------------------

def test_dates_memo_author_and_guid_land_with_the_passage(target: Workspace, folder: Path, tmp_path: Path) -> None:
    import_file(target, jsonl(folder / "e.jsonl", record(created="2026-03-01", modified="2026-03-02T10:00Z",
                                                         note="memo", author="Rosa")))
    (annotation,) = target.store.annotations.values()
    assert (annotation.created, annotation.modified, annotation.note, annotation.author) == (
        "2026-03-01", "2026-03-02T10:00Z", "memo", "Rosa")
    assert target.undo() == "import e.jsonl"
    guid, source_guid = "0b0e2f9e-5c1a-4d2b-8e3f-000000000001", "0b0e2f9e-5c1a-4d2b-8e3f-000000000002"
    selection = coding(4, 14, guid=guid).replace('creatingUser="u-1"',
                                                 'creatingUser="u-1" modifiedDateTime="2026-03-04"')
    path = qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT}, selection)
    with zipfile.ZipFile(path) as bundle:
        project = bundle.read("project.qde").decode("utf-8").replace('guid="s-0"', f'guid="{source_guid}"')
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", project)
        bundle.writestr("sources/s-0.txt", TEXT)
    import_file(target, path)
    (annotation,) = target.store.annotations.values()
    assert (annotation.guid, annotation.modified) == (guid, "2026-03-04")
    (document,) = target.store.documents.values()
    assert (document.guid, document.encoding, len(document.sha256)) == (source_guid, "utf-8", 64)


def test_a_code_is_found_where_it_sits_when_two_share_a_name(target: Workspace, tmp_path: Path) -> None:
    codes = ('<Code guid="c-a" name="A"><Code guid="c-1" name="Other"/></Code>'
             '<Code guid="c-b" name="B"><Code guid="c-2" name="Other"/></Code>')
    import_file(target, qdpx(tmp_path / "p.qdpx", {"Rosa": TEXT}, coding(4, 14, code="c-2"), codes))
    (annotation,) = target.store.annotations.values()
    (theme,) = annotation.themes
    assert target.theme(target.theme(theme).parent).name == "B"


def test_every_sources_problem_is_listed(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "p.qdpx"
    sources = "".join(f'<TextSource guid="s-{n}" name="{name}" plainTextPath="internal://{name}">'
                      f'{coding(4, 14, guid=f"p-{n}")}{coding(4, 999, guid=f"q-{n}")}</TextSource>'
                      for n, name in enumerate(["gone.txt", "a.txt", "here.txt"]))
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("project.qde", f'<Project xmlns="{NS}"><CodeBook><Codes><Code guid="c-0" name="V"/>'
                                       f"</Codes></CodeBook><Sources>{sources}</Sources></Project>")
        bundle.writestr("sources/here.txt", "The cartel men, elsewhere.\n")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author="tester")
    try:  # a.txt is missing from the archive: never matched to the open a.txt by its name
        report = import_file(workspace, path)
        assert report.unplaced == [
            "a passage of gone.txt: internal://gone.txt is missing from the archive",
            "a passage of gone.txt: internal://gone.txt is missing from the archive",
            "a passage of a.txt: internal://a.txt is missing from the archive",
            "a passage of a.txt: internal://a.txt is missing from the archive",
            "a passage of here.txt: its position 4-999 is beyond the end of the text"]
        assert imported(workspace) == [("here.txt", "cartel men", ["V"])]
    finally:
        workspace.close()


def test_the_other_path_is_tried_only_when_the_first_fails(target: Workspace, folder: Path) -> None:
    (folder / "b.txt").write_text(TEXT, encoding="utf-8")
    import_file(target, jsonl(folder / "e.jsonl", record(document_file=str(folder / "b.txt")),
                              record(document_path="gone.txt", document_file="b.txt", start=15, end=19, quote="came")))
    assert imported(target) == [("a.txt", "cartel men", ["Violence"]), ("b.txt", "came", ["Violence"])]


def test_what_cannot_be_placed_is_said_with_the_quote_cut_short(target: Workspace, folder: Path) -> None:
    long_quote = "word " * 20
    lines = [record(quote="zzz"), record(quote=long_quote), record(quote="The cartel man came at night", end=29)]
    report = import_file(target, jsonl(folder / "e.jsonl", *lines))
    assert report.unplaced == ["“zzz” (a.txt): quote not found in the document",
                               f"“{long_quote[:40]}” (a.txt): quote not found in the document"]
    assert [quote for _, quote, _ in imported(target)] == ["The cartel men came at night"]  # one letter off


def test_a_quote_exactly_as_long_as_the_fuzzy_limit_may_still_be_near(target: Workspace, folder: Path,
                                                                        monkeypatch) -> None:
    quote = "The cartel man came at night"
    monkeypatch.setattr(importers, "MAX_FUZZY_QUOTE", len(quote))
    report = import_file(target, jsonl(folder / "e.jsonl", record(quote=quote, start=0, end=len(quote))))
    assert (report.unplaced, report.imported) == ([], 1)


def test_a_source_that_is_not_a_text_document_iri_keeps_its_address(target: Workspace, folder: Path) -> None:
    quote = {"type": "TextQuoteSelector", "exact": "cartel men"}
    report = import_file(target, w3c(folder / "a.json", annotation(
        target={"source": "http://example.org/a%20b.txt", "selector": quote},
        body=["http://example.org/tags/1", {"value": "Violence"}])))
    assert report.unusable == ["a body that is a link to another resource, not text"]
    assert report.unplaced == ["“cartel men” (http://example.org/a%20b.txt): document not found"]


def test_a_link_body_before_a_tag_leaves_the_tag(target: Workspace, folder: Path) -> None:
    report = import_file(target, w3c(folder / "a.json", annotation(body=["http://example.org/tags/1",
                                                                         {"value": "Violence"}])))
    assert (report.imported, imported(target)) == (1, [("a.txt", "cartel men", ["Violence"])])


def test_the_size_caps_are_said_in_megabytes(target: Workspace, folder: Path, monkeypatch) -> None:
    path = folder / "e.jsonl"
    path.write_bytes(b"\n" * (2**20 + 1))
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 2**20)
    assert refusal(target, path) == f"{path}: larger than 1 MB, the most Margin imports"
    source = importers.ProjectSource("big", None, "", [], outside=path, location="relative://e.jsonl")
    importers.source_text(importers.Confinement(target, path, []), source)
    assert source.problem == "relative://e.jsonl: larger than 1 MB"


def test_a_source_that_cannot_be_opened_says_why(target: Workspace, folder: Path, monkeypatch) -> None:
    original = Path.open

    def denied(self, *args, **kwargs):
        if self.name == "a.txt":
            raise PermissionError(13, "Permission denied")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    source = importers.ProjectSource("a", None, "", [], outside=folder / "a.txt", location="relative://a.txt")
    importers.source_text(importers.Confinement(target, folder / "e.jsonl", []), source)
    assert (source.problem, source.text) == ("relative://a.txt: Permission denied", None)


def test_a_failed_import_keeps_a_catalog_and_a_folder_that_were_there(target: Workspace, folder: Path,
                                                                      tmp_path: Path, monkeypatch) -> None:
    imported_folder = tmp_path / "db" / "imported"
    imported_folder.mkdir()

    def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(Workspace, "import_passage", broken)
    with pytest.raises(RuntimeError, match="the disk went away"):
        import_file(target, jsonl(folder / "e.jsonl", record()))
    assert imported_folder.is_dir()
    (imported_folder / "catalog.json").write_text('{"x.txt": {"title": "X"}}', encoding="utf-8")
    with pytest.raises(RuntimeError, match="the disk went away"):
        import_file(target, jsonl(folder / "e.jsonl", record()))
    assert (imported_folder / "catalog.json").read_text(encoding="utf-8") == '{"x.txt": {"title": "X"}}'
    imported_folder.joinpath("catalog.json").unlink()
    imported_folder.rmdir()
    with pytest.raises(RuntimeError, match="the disk went away"):  # no folder made, none to remove
        import_file(target, jsonl(folder / "e.jsonl", record()))
    assert not imported_folder.exists()
