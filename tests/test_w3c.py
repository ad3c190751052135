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
