"""W3C Web Annotation both ways (issue #13): exports pass the W3C test suite's MUST assertions,
and imports read every form the Data Model allows for text annotation."""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import Workspace

W3C_SCHEMAS = Path(__file__).resolve().parent / "schemas" / "w3c-web-annotation"
MUSTS = {"annotation": "annotations/annotationMusts.test", "collection": "collections/collectionMusts.test",
         "page": "collections/pages/pageMusts.test"}


# -- the W3C test suite's assertions ---------------------------------------------------------------

def w3c_validators() -> dict[str, list]:
    """For each of annotation, collection and page: a validator per assertion its ``.test``
    lists, ``$ref``s resolved by file name from the copied schemas (no network), with the
    ``uri`` and ``date-time`` formats checked (jsonschema checks them only with optional
    packages; these checkers are the RFC 3986 scheme rule and RFC 3339)."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    resources = []
    for path in W3C_SCHEMAS.rglob("*.json"):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"], Resource.from_contents(contents, default_specification=DRAFT4)))
    registry = Registry().with_resources(resources)
    formats = jsonschema.FormatChecker([])

    @formats.checks("uri")
    def is_uri(value: object) -> bool:
        return not isinstance(value, str) or re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]*", value) is not None

    @formats.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value, re.IGNORECASE):
            return False
        return bool(datetime.fromisoformat(value.upper().replace("Z", "+00:00")))

    validators: dict[str, list] = {}
    for kind, test in MUSTS.items():
        assertions = json.loads((W3C_SCHEMAS / test).read_text(encoding="utf-8"))["assertions"]
        validators[kind] = []
        for assertion in assertions:
            schema = json.loads((W3C_SCHEMAS / assertion).read_text(encoding="utf-8"))
            assert schema["expectedResult"] == "valid" and schema["assertionType"] == "must"
            validators[kind].append(jsonschema.Draft4Validator(schema, registry=registry, format_checker=formats))
    return validators


def failed_musts(collection: dict) -> list[str]:
    """Every assertion an export fails, as ``kind: assertion file: message``.

    The collection gets the collection assertions; the page ones too, as ``pageMusts.test``
    asks for "a single Annotation Page or an Annotation Collection with an embedded Page";
    the embedded page, on its own, the page assertions; each annotation the annotation ones.
    No ``partOf`` on the embedded page: the suite's page assertions read one as an embedded
    description of the collection (an object), although the model allows an IRI.
    The suite checks an annotation (and a page) as a document of its own, so each is given the
    collection's ``@context``, which in JSON-LD it inherits from the document it is embedded in."""
    validators = w3c_validators()
    context = {"@context": collection.get("@context")}
    subjects = [("collection", collection), ("page", collection), ("page", {**context, **collection["first"]})]
    subjects += [("annotation", {**context, **item}) for item in collection["first"]["items"]]
    return [f"{kind}: {validator.schema['id']}: {validator.schema['errorMessage']}"
            for kind, subject in subjects for validator in validators[kind] if not validator.is_valid(subject)]


@pytest.fixture
def coded(corpus_dir: Path, database: Path) -> Path:
    """Three passages of one document: one with two themes, one with a memo."""
    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    document = workspace.documents[0]
    text = document.text
    start = text.index("Greetings")
    workspace.toggle_theme(document, start, start + 9, workspace.themes[0])
    workspace.toggle_theme(document, start, start + 9, workspace.themes[2])
    promise = text.index("Her promise")
    annotation = workspace.toggle_theme(document, promise, promise + 11, workspace.themes[1]).annotation
    workspace.set_note(document, annotation, "Check the date.")
    dash = text.index("- one of DHS")
    workspace.toggle_theme(document, dash, dash + 12, workspace.themes[1])
    workspace.close()
    return database


def w3c_export(database: Path, output: Path, *extra: str) -> dict:
    assert main(["export", "--db", str(database), "--format", "w3c", "-o", str(output), *extra]) == 0
    return json.loads(output.read_text(encoding="utf-8"))


def test_the_export_passes_every_must_of_the_w3c_test_suite(coded: Path, tmp_path: Path) -> None:
    collection = w3c_export(coded, tmp_path / "out.jsonld")
    assert len(collection["first"]["items"]) == 3
    assert failed_musts(collection) == []
    assert sum(len(v) for v in w3c_validators().values()) == 10 + 15 + 54  # every assertion listed is run


@pytest.mark.parametrize(("damage", "failing"), [
    (lambda c: c.pop("id"), "collection: 5.1-collectionIdValidated.json"),
    (lambda c: c["first"].pop("id"), "page: 5.2-pageIdValidated.json"),
    (lambda c: c.update(id="not an iri"), "collection: 5.1-collectionIdValidated.json"),
    (lambda c: c["first"]["items"][0].pop("id"), "annotation: 3.1-annotationIdValidated.json"),
    (lambda c: c["first"]["items"][1].update(created="yesterday"), "annotation: 3.3.1-annotationCreatedValidated"),
    (lambda c: c["first"]["items"][1].update(bodyValue="x"), "annotation: 3.2.5-notBodyBodyValue.json"),
    (lambda c: c["first"]["items"][2]["target"].pop("source"), "annotation: 3.2-targetObjectsRecognized.json"),
])
def test_the_suite_catches_an_export_that_breaks_a_must(coded: Path, tmp_path: Path, damage, failing: str) -> None:
    """The control: the validation above can fail."""
    collection = w3c_export(coded, tmp_path / "out.jsonld")
    damaged = copy.deepcopy(collection)
    damage(damaged)
    assert any(message.startswith(failing) for message in failed_musts(damaged))


def test_every_annotation_has_id_type_motivation_created_and_a_creator_agent(coded: Path, tmp_path: Path) -> None:
    collection = w3c_export(coded, tmp_path / "out.jsonld")
    page = collection["first"]
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", collection["id"])
    assert page["id"] == collection["id"] + "#page-1"
    for item in page["items"]:
        assert item["id"].startswith("urn:margin:annotation:") and item["type"] == "Annotation"
        assert item["motivation"] == "tagging"
        assert datetime.fromisoformat(item["created"])
        assert item["creator"] == {"type": "Person", "name": "tester"}
        assert item["generator"]["type"] == "Software" and item["generator"]["name"] == "Margin"
    again = w3c_export(coded, tmp_path / "again.jsonld", "--theme", "arms")
    assert again["id"] == collection["id"]  # stable: the same database names the same collection
    elsewhere = coded.parent.parent / "other" / coded.name
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(coded.read_bytes())
    assert w3c_export(elsewhere, tmp_path / "other.jsonld")["id"] != collection["id"]


# -- import: every form the model allows -----------------------------------------------------------

import shutil  # noqa: E402
import tempfile  # noqa: E402

from conftest import SEEDS  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tui.core.importers import ImportFileError, import_file  # noqa: E402


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[dict, set]:
    """A W3C export of five passages (two themes on one, memos on two) and what must come back."""
    root = tmp_path_factory.mktemp("w3c")
    shutil.copytree(SEEDS, root / "seeds")
    workspace = Workspace.open([root / "seeds"], database=root / "a" / "annotations.json", author="ana")
    for number, (document, offset) in enumerate([(0, 100), (0, 900), (1, 40), (2, 300), (3, 5)]):
        doc = workspace.documents[document]
        workspace.toggle_theme(doc, offset, offset + 25 + number, workspace.themes[number])
        if number in (1, 3):
            workspace.toggle_theme(doc, offset, offset + 25 + number, workspace.themes[7])
            annotation = workspace.annotations(doc).exactly(offset, offset + 25 + number)
            workspace.set_note(doc, annotation, f"memo {number}")
    expected = essence(workspace)
    from tui.core.exporters import export

    output, _ = export(workspace, "w3c", root / "out.jsonld")
    workspace.close()
    return json.loads(output.read_text(encoding="utf-8")), expected


def essence(workspace: Workspace) -> set:
    return {(workspace.store.documents[a.document].path.split("/")[-1], a.start, a.end, a.quote,
             tuple(sorted(workspace.theme(t).name for t in a.themes)), a.note, a.author, a.created)
            for a in workspace.store.annotations.values()}


def reshaped(item: dict, draw) -> dict:
    """The same annotation in another form the model allows."""
    item = copy.deepcopy(item)
    tags = [b for b in item["body"] if b["purpose"] == "tagging"]
    memos = [b for b in item["body"] if b["purpose"] == "commenting"]
    if draw(st.booleans()):  # tags by the annotation's motivation, not each body's purpose
        item["motivation"] = "tagging"
        tags = [{k: v for k, v in b.items() if k != "purpose"} for b in tags]
        if draw(st.booleans()):
            tags = [{k: v for k, v in b.items() if k != "type"} for b in tags]  # value alone: a TextualBody
    bodies = tags + memos
    item["body"] = bodies[0] if len(bodies) == 1 and draw(st.booleans()) else bodies
    name = item["creator"]["name"]
    item["creator"] = draw(st.sampled_from([name, {"type": "Person", "name": name}, [{"name": name}], [name],
                                            {"type": "Person", "nickname": name}]))
    quote, position = item["target"]["selector"]
    item["target"]["selector"] = draw(st.sampled_from([
        [quote, position], [position, quote], quote, [quote],
        [{"type": "FragmentSelector", "value": "char=0,5"}, quote, position]]))
    if draw(st.booleans()):
        item["target"]["type"] = "SpecificResource"
    return item


def wrapped(items: list[dict], draw) -> tuple[object, list[list[dict]]]:
    """``items`` as a JSON array, a page (its later pages embedded by ``next``) or a
    collection; or each annotation bare, in a file of its own."""
    form = draw(st.sampled_from(["array", "page", "collection", "bare"]))
    if form == "array":
        return items, []
    if form == "bare":
        return None, [[item] for item in items]
    cut = draw(st.integers(0, len(items)))
    second = {"type": "AnnotationPage", "items": items[cut:]}
    page = {"type": "AnnotationPage", "items": items[:cut], "next": second}
    if form == "page":
        return {"@context": "http://www.w3.org/ns/anno.jsonld", **page}, []
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection",
            "total": len(items), "first": page}, []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_form_of_the_model_imports_the_same_annotations(exported, data) -> None:
    collection, expected = exported
    items = [reshaped(item, data.draw) for item in collection["first"]["items"]]
    document, bare = wrapped(items, data.draw)
    root = Path(collection["first"]["items"][0]["target"]["source"][7:]).parent.parent  # seeds/ is in it
    with tempfile.TemporaryDirectory(dir=root) as folder:
        target = Workspace.open_database(Path(folder) / "annotations.json", for_writing=True)
        files = [document] if document is not None else [item for (item,) in bare]
        for number, content in enumerate(files):
            path = root / f"{Path(folder).name}-{number}.jsonld"  # beside seeds/, so its documents may be read
            path.write_text(json.dumps(content), encoding="utf-8")
            report = import_file(target, path)
            assert report.unplaced == [] and report.unusable == []
        got = essence(target)
        target.close()
    if any(isinstance(item["creator"], dict) and "nickname" in item["creator"] for item in items):
        return  # checked below: the nickname is the author
    assert got == {(*e[:6], "ana", e[7]) for e in expected}


def test_a_position_selector_alone_takes_its_quote_from_the_document(exported, tmp_path: Path) -> None:
    collection, expected = exported
    items = copy.deepcopy(collection["first"]["items"])
    for item in items:
        item["target"]["selector"] = item["target"]["selector"][1]
        item["creator"] = {"type": "Person", "nickname": "ana"}
    path = Path(items[0]["target"]["source"][7:]).parent.parent / "positions.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    target = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    report = import_file(target, path)
    assert (report.imported, report.unplaced, report.unusable) == (5, [], [])
    assert essence(target) == expected
    target.close()


def test_what_cannot_be_used_is_listed_with_counts(exported, capsys) -> None:
    collection, _ = exported
    items = copy.deepcopy(collection["first"]["items"])
    items[0]["target"]["selector"] = {"type": "FragmentSelector", "value": "char=0,5"}
    items[1]["target"] = {"source": "http://example.org/scan.png", "type": "Image"}
    items[2]["body"].append("http://example.org/tags/violence")
    items[2]["body"].append({"type": "SpecificResource", "source": "http://example.org/tags/x"})
    items[3]["target"]["selector"][0]["type"] = "RangeSelector"
    items[3]["target"]["selector"].pop(1)
    items.append("http://example.org/annotations/9")
    folder = Path(items[4]["target"]["source"][7:]).parent.parent
    page = {"type": "AnnotationPage", "items": items, "next": "http://example.org/page2"}
    path = folder / "mixed.jsonld"
    path.write_text(json.dumps({"type": "AnnotationCollection", "first": page}), encoding="utf-8")
    database = folder / "mixed" / "annotations.json"
    assert main(["import", str(path), "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert f"{database}: imported 2 annotations, 7 parts of the file not usable\n" in out
    assert out.endswith(
        "  not usable: an annotation given only by its address: annotations are never fetched\n"
        "  not usable: a page given only by its address (http://example.org/page2): pages are never fetched\n"
        "  not usable: a target with no text selector (FragmentSelector)\n"
        "  not usable: a target that is not text (Image)\n"
        "  not usable: a body that is a link to another resource, not text\n"
        "  not usable: a body without text (SpecificResource)\n"
        "  not usable: a target with no text selector (RangeSelector)\n")


@pytest.mark.parametrize(("content", "message"), [
    (12, "must be an Annotation, an AnnotationPage, an AnnotationCollection or a list of annotations, got 12"),
    ({"type": "AnnotationPage", "items": {"a": 1}}, '"items" must be a list, got {"a": 1}'),
    ({"type": "AnnotationCollection", "first": 3}, '"first" must be an AnnotationPage or its address, got 3'),
    ([{"target": {"source": "a.txt", "selector": {"type": "TextPositionSelector", "start": 3}}}],
     '[0]: target: a TextPositionSelector needs "start" and "end"'),
    ([{"body": {"type": "TextualBody", "purpose": "tagging"}, "target": "a.txt"}],
     '[0]: body[0]: a TextualBody needs a "value"'),
    ({"type": "AnnotationPage", "items": [], "next": {"items": [{"target": {"source": 5}}]}},
     '"next.items[0].target.source" must be a string, got 5'),
    ([{"creator": 7, "target": "a.txt"}], '"[0].creator" must be'),
])
def test_a_malformed_form_is_one_line_naming_the_element(tmp_path: Path, content, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    target = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    with pytest.raises(ImportFileError) as raised:
        import_file(target, path)
    assert str(raised.value).startswith(f"{path}: {message}") and "\n" not in str(raised.value)
    assert not target.store.dirty
    target.close()
