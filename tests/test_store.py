"""The database: created on the first change, plain TinyDB, every change on disk at once."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tinydb import TinyDB

from tui.core import StoreError, TagOutcome, Workspace
from tui.core.store import SCHEMA_VERSION, Annotation, Store


def tag_paragraph(workspace: Workspace, doc_number: int, needle: str, key: int):
    document = workspace.documents[doc_number]
    start, end = document.index.paragraph_at(document.text.index(needle))
    return document, workspace.toggle_theme(document, start, end, workspace.theme_for_key(key))


def test_default_codebook_order(workspace: Workspace) -> None:
    names = [theme.name for theme in workspace.themes]
    assert names[:3] == ["Human smuggling", "Arms trafficking", "Migrant safety"]
    assert [theme.key for theme in workspace.themes[:9]] == list(range(1, 10))
    assert workspace.themes[9].key is None
    assert len({theme.color for theme in workspace.themes}) == len(workspace.themes)


def test_database_is_created_on_the_first_change_only(workspace: Workspace, database: Path) -> None:
    assert not database.exists()
    tag_paragraph(workspace, 2, "OASISS promotes", 1)
    assert database.exists()


def test_saved_record_follows_the_documented_schema(workspace: Workspace, database: Path) -> None:
    document, _ = tag_paragraph(workspace, 2, "OASISS promotes", 1)
    workspace.close()
    db = TinyDB(database)  # plain TinyDB reads it
    (record,) = db.table("annotations").all()
    assert document.text[record["start"] : record["end"]] == record["quote"]
    assert record["prefix"] == document.text[max(0, record["start"] - 32) : record["start"]]
    assert record["suffix"] == document.text[record["end"] : record["end"] + 32]
    assert set(record) >= {"document", "start", "end", "quote", "prefix", "suffix", "themes",
                           "note", "author", "created", "modified"}
    assert record["author"] == "tester"
    stored_document = db.table("documents").get(doc_id=record["document"])
    assert stored_document["sha256"] == document.sha256
    assert stored_document["path"] == "../seeds/002_81fda8538c83a8a5.txt"
    theme = db.table("themes").get(doc_id=record["themes"][0])
    assert (theme["name"], theme["key"]) == ("Human smuggling", 1)
    assert db.table("meta").all()[0]["schema_version"] == SCHEMA_VERSION


def test_toggle_adds_then_removes_and_deletes_the_empty_annotation(workspace: Workspace, database: Path) -> None:
    _, first = tag_paragraph(workspace, 2, "OASISS promotes", 1)
    _, second = tag_paragraph(workspace, 2, "OASISS promotes", 3)
    assert (first.outcome, second.outcome) == (TagOutcome.ADDED, TagOutcome.ADDED)
    assert len(second.annotation.themes) == 2
    _, removed = tag_paragraph(workspace, 2, "OASISS promotes", 1)
    assert removed.outcome is TagOutcome.REMOVED and removed.annotation.themes == (workspace.theme_for_key(3).id,)
    tag_paragraph(workspace, 2, "OASISS promotes", 3)
    workspace.close()
    assert TinyDB(database).table("annotations").all() == []


def test_annotations_survive_reopening(corpus_dir: Path, database: Path, workspace: Workspace) -> None:
    document, _ = tag_paragraph(workspace, 0, "Greetings from", 2)
    workspace.close()
    reopened = Workspace.open([corpus_dir], database=database)
    same = next(d for d in reopened.documents if d.path == document.path)
    (annotation,) = reopened.annotations(same).items
    assert annotation.quote.startswith("Greetings from the Department")
    assert [t.name for t in reopened.themes_at(same, annotation.start)] == ["Arms trafficking"]


def test_overlapping_annotations_are_all_found(workspace: Workspace) -> None:
    document = workspace.documents[4]
    start = document.text.index("New humanitarian")
    workspace.toggle_theme(document, start, start + 200, workspace.theme_for_key(3))
    workspace.toggle_theme(document, start + 50, start + 400, workspace.theme_for_key(1))
    themes = [t.name for t in workspace.themes_at(document, start + 100)]
    assert themes == ["Migrant safety", "Human smuggling"]  # innermost first
    assert len(workspace.annotations(document).overlapping(start + 190, start + 210)) == 2


def test_created_theme_gets_a_colour_and_persists(corpus_dir: Path, database: Path, workspace: Workspace) -> None:
    theme = workspace.create_theme("  Corruption  ")
    assert theme.name == "Corruption" and theme.key is None and theme.color
    with pytest.raises(ValueError, match="exists already"):
        workspace.create_theme("corruption")
    workspace.close()
    assert "Corruption" in [t.name for t in Workspace.open([corpus_dir], database=database).themes]


def test_corrupt_database_is_refused_and_left_untouched(corpus_dir: Path, database: Path) -> None:
    database.parent.mkdir(parents=True)
    database.write_bytes(b'{"annotations": {"1": {"start": 1')
    with pytest.raises(StoreError, match=r"annotations\.json: the database is corrupt"):
        Workspace.open([corpus_dir], database=database)
    assert database.read_bytes() == b'{"annotations": {"1": {"start": 1'


def test_foreign_tinydb_file_is_refused(corpus_dir: Path, database: Path) -> None:
    database.parent.mkdir(parents=True)
    database.write_text(json.dumps({"_default": {"1": {"x": 1}}}))
    with pytest.raises(StoreError, match="not a Margin database"):
        Workspace.open([corpus_dir], database=database)


def test_newer_schema_is_refused(corpus_dir: Path, database: Path) -> None:
    database.parent.mkdir(parents=True)
    database.write_text(json.dumps({"meta": {"1": {"application": "margin", "schema_version": 99}}}))
    with pytest.raises(StoreError, match="newer Margin"):
        Workspace.open([corpus_dir], database=database)


def test_unwritable_folder_raises_a_clear_error(corpus_dir: Path, tmp_path: Path, monkeypatch) -> None:
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tui.core.storage.tempfile.mkstemp", read_only)  # root ignores chmod
    workspace = Workspace.open([corpus_dir], database=tmp_path / "db.json")
    with pytest.raises(StoreError, match=r"db\.json: cannot save \(Permission denied\)"):
        tag_paragraph(workspace, 0, "Greetings from", 1)


def test_full_disk_keeps_the_change_pending_and_retries(
    corpus_dir: Path, workspace: Workspace, database: Path, monkeypatch
) -> None:
    tag_paragraph(workspace, 0, "Greetings from", 1)
    workspace.store.checkpoint()
    before = database.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tui.core.journal.os.fsync", disk_full)
    monkeypatch.setattr("tui.core.store.os.fsync", disk_full)
    tag_paragraph(workspace, 1, "BROWNSVILLE", 2)  # shown at once, and pending
    assert len(workspace.store.annotations) == 2
    assert "2 changes not saved yet (No space left on device)" in workspace.store.save_error
    workspace.store.checkpoint()  # still failing: keeps everything pending
    assert database.read_bytes() == before
    assert not [p for p in database.parent.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()  # space freed
    workspace.close()
    reopened = Workspace.open([corpus_dir], database=database)
    assert len(reopened.store.annotations) == 2


def test_default_database_sits_beside_the_corpus_folder(corpus_dir: Path) -> None:
    workspace = Workspace.open([corpus_dir])
    assert workspace.database_path == corpus_dir.parent / "annotations" / "annotations.json"


def test_writes_change_the_stored_table_in_place(workspace: Workspace) -> None:
    """The TinyDB hook behind fast tags (see ``InPlaceTable``) still applies: an insert must
    not replace the table with a copy, and the stored record must use TinyDB's string ids."""
    _, first = tag_paragraph(workspace, 2, "OASISS promotes", 1)
    raw_table = workspace.store.db.storage.read()["annotations"]
    _, second = tag_paragraph(workspace, 3, "Senior representatives", 2)
    assert workspace.store.db.storage.read()["annotations"] is raw_table
    assert sorted(raw_table) == [str(first.annotation.id), str(second.annotation.id)]
    tag_paragraph(workspace, 2, "OASISS promotes", 1)  # untag: the record goes
    assert list(raw_table) == [str(second.annotation.id)]


def version_1_database(path: Path) -> bytes:
    """A database as Margin 0.1 (schema 1) wrote it: themes without ``parent``."""
    data = {
        "meta": {"1": {"application": "margin", "schema_version": 1, "created": "2026-11-01T10:00:00+00:00"}},
        "themes": {
            "1": {"name": "Smuggling", "color": "#e45756", "key": 1, "description": "", "order": 0},
            "2": {"name": "Arms", "color": "#4c78a8", "key": 2, "description": "guns", "order": 1},
        },
        "documents": {"1": {"path": "../seeds/001_fbca61ee7d44385f.txt", "sha256": "0" * 64,
                            "title": "One", "encoding": "utf-8"}},
        "annotations": {"1": {"document": 1, "start": 0, "end": 5, "quote": "abcde", "prefix": "",
                              "suffix": "", "themes": [2], "note": "kept", "author": "ana",
                              "created": "2026-11-01T10:00:00+00:00", "modified": "2026-11-01T10:00:00+00:00"}},
    }
    payload = json.dumps(data).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return payload


def test_schema_1_is_migrated_with_a_copy_of_the_old_file_kept(database: Path) -> None:
    original = version_1_database(database)

    store = Store.open(database)
    assert [(t.name, t.parent) for t in store.themes] == [("Smuggling", None), ("Arms", None)]
    store.close()
    assert database.with_name("annotations.json.schema-1").read_bytes() == original
    db = TinyDB(database)
    assert db.table("meta").all()[0]["schema_version"] == SCHEMA_VERSION == 2
    assert all("parent" in theme for theme in db.table("themes").all())
    (annotation,) = db.table("annotations").all()
    assert (annotation["note"], annotation["themes"]) == ("kept", [2])  # nothing else changed


def test_a_read_only_opener_migrates_in_memory_only(database: Path) -> None:
    original = version_1_database(database)

    store = Store.open(database, inspect=True)
    assert store.themes[1].parent is None and not store.writable
    assert database.read_bytes() == original
    assert not database.with_name("annotations.json.schema-1").exists()


def test_a_big_store_freezes_what_it_loaded_out_of_the_collectors_walks(
        corpus_dir: Path, database: Path, workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past FREEZE_AT annotations the loaded objects are frozen, so the first query after
    opening does not pay a full collection over them; below it nothing is."""
    import gc

    import tui.core.store

    document = workspace.documents[0]
    workspace.toggle_theme(document, 0, 10, workspace.themes[0])
    workspace.close()
    gc.unfreeze()
    try:
        Store.open(database, inspect=True)
        assert gc.get_freeze_count() == 0  # one annotation: below FREEZE_AT
        monkeypatch.setattr(tui.core.store, "FREEZE_AT", 1)
        store = Store.open(database, inspect=True)
        [annotation] = store.annotations.values()
        assert gc.get_freeze_count() > 0
        assert not any(item is annotation for item in gc.get_objects())  # out of every generation walked
    finally:
        gc.unfreeze()


@given(st.builds(Annotation))
def test_an_annotations_record_is_every_field_but_its_id_in_order(annotation: Annotation) -> None:
    """``to_record`` lists the fields by hand (for speed): a field added to ``Annotation``
    and forgotten there would silently be lost on the next save."""
    expected = {field.name: getattr(annotation, field.name)
                for field in fields(Annotation) if field.name != "id"}
    expected["themes"] = list(annotation.themes)
    if not annotation.guid:
        del expected["guid"]  # older databases have none; an export derives one
    record = annotation.to_record()
    assert record == expected and list(record) == list(expected)
    assert Annotation.from_record(annotation.id, record) == annotation
