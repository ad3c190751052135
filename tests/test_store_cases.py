"""The store, case by case: what importing a codebook, re-anchoring, re-attaching and finding
themes by name or path leave in the database and on disk. Beside tests/test_store.py."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from databases import abandon, journal_lines, sound_database, write_database

from tui.core import store as store_module
from tui.core.anchoring import Placement
from tui.core.codebook import PALETTE, ThemeSpec
from tui.core.store import Annotation, Store, StoredDocument, StoreError

GUID = "0f8fad5b-d9cb-469f-a165-70867728950e"
TEXT = "The quick brown fox jumps over the lazy dog. " * 3


def on_disk(database: Path, table: str) -> dict[str, dict]:
    """A table as the file holds it after a checkpoint."""
    return json.loads(database.read_text())[table]


def codebook(store: Store) -> list[tuple[str, str | None, int | None]]:
    """The codebook in order: each theme's path, its parent's name and its digit."""
    return [(store.theme_path(t), store.theme(t.parent).name if t.parent else None, t.key) for t in store.themes]


# -- importing a codebook ----------------------------------------------------------------


def test_imported_themes_are_added_at_the_end_with_their_colour_description_and_guid(database: Path) -> None:
    store = Store.open(database)
    store.create_theme("Kept")
    found = store.import_themes([
        ThemeSpec("  Border   crossings ", description="where people cross", color="#123456", guid="{" + GUID.upper() + "}"),
        ThemeSpec("Family"),
    ])
    store.close()
    themes = on_disk(database, "themes")
    assert [(r["name"], r["order"], r["key"], r["parent"]) for r in themes.values()] == [
        ("Kept", 0, 1, None), ("Border crossings", 1, 2, None), ("Family", 2, 3, None),
    ]
    border, family = themes["2"], themes["3"]
    assert (border["color"], border["description"], border["guid"]) == ("#123456", "where people cross", GUID)
    assert family["color"] == PALETTE[1] and family["description"] == "" and family["guid"] != GUID
    assert found["border crossings"].id == 2 and found["family"].id == 3 and found["kept"].id == 1


def test_an_imported_name_already_in_the_codebook_is_matched_not_added(database: Path) -> None:
    store = Store.open(database)
    kept = store.create_theme("Border crossings", "mine")
    found = store.import_themes([ThemeSpec("border  CROSSINGS", description="theirs", color="#123456")])
    assert found == {"border crossings": kept}
    assert [(t.name, t.description, t.color) for t in store.themes] == [("Border crossings", "mine", kept.color)]
    assert journal_lines(database)[-1]["record"]["name"] == "Border crossings"  # nothing journaled since


def test_an_imported_theme_with_a_parent_name_is_grouped_under_it(database: Path) -> None:
    store = Store.open(database)
    store.create_theme("Violence")
    found = store.import_themes([ThemeSpec("Armed groups", parent="VIOLENCE"), ThemeSpec("Lone", parent="Nowhere")])
    assert found["armed groups"].parent == found["violence"].id
    assert found["lone"].parent is None
    assert codebook(store) == [("Violence", None, 1), ("Violence › Armed groups", "Violence", 2), ("Lone", None, 3)]


def test_a_codebook_placed_by_path_nests_at_any_depth_and_keeps_namesakes_apart(database: Path) -> None:
    store = Store.open(database)
    found = store.import_themes([
        ThemeSpec("Migration", path=()),
        ThemeSpec("Routes", path=("Migration",)),
        ThemeSpec("Sea", path=("Migration", "Routes")),
        ThemeSpec("Other", path=("Migration",)),
        ThemeSpec("Work", path=()),
        ThemeSpec("Other", path=("Work",)),
    ])
    assert codebook(store) == [
        ("Migration", None, 1), ("Migration › Routes", "Migration", 2), ("Migration › Routes › Sea", "Routes", 3),
        ("Migration › Other", "Migration", 4), ("Work", None, 5), ("Work › Other", "Work", 6),
    ]
    assert found[("migration", "other")].id != found[("work", "other")].id
    assert found[("migration", "routes", "sea")].parent == found[("migration", "routes")].id
    assert found["other"] == found[("migration", "other")]  # by name: the first of that name
    store.close()
    reopened = Store.open(database)
    assert codebook(reopened) == codebook(store)


def test_importing_a_path_again_matches_the_themes_where_they_sit(database: Path) -> None:
    store = Store.open(database)
    specs = [ThemeSpec("Migration", path=()), ThemeSpec("Other", path=("Migration",)), ThemeSpec("Other", path=())]
    first = store.import_themes(specs)
    again = store.import_themes([ThemeSpec("other", path=("MIGRATION",)), ThemeSpec("OTHER", path=())])
    assert len(store.themes) == 3
    assert again[("migration", "other")] == first[("migration", "other")]
    assert again[("other",)] == first[("other",)] != first[("migration", "other")]


def test_a_code_placed_under_a_group_not_yet_there_is_refused_by_name(database: Path) -> None:
    store = Store.open(database)
    with pytest.raises(ValueError) as refused:
        store.import_themes([ThemeSpec("Sea", path=("Migration", "Routes")), ThemeSpec("Migration", path=())])
    assert str(refused.value) == "'Sea' is placed under 'Migration › Routes', which comes later or not at all"
    assert store.themes == []


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_imported_theme_needs_a_name(database: Path, name: str) -> None:
    store = Store.open(database)
    with pytest.raises(ValueError, match="^a theme needs a name$"):
        store.import_themes([ThemeSpec(name)])
    with pytest.raises(ValueError, match="^a theme needs a name$"):
        store.import_themes([ThemeSpec(name, path=())])
    assert store.themes == []


def test_imported_themes_take_the_free_digits_until_nine_are_used(database: Path) -> None:
    store = Store.open(database)
    for name in "ABCDEFG":
        store.create_theme(name)
    store.update_theme(store.themes[2], key=None)  # C gives its digit up: 3 is free
    found = store.import_themes([ThemeSpec(name) for name in ("H", "I", "J", "K")])
    assert [(t.name, t.key) for t in store.themes] == [
        ("A", 1), ("B", 2), ("C", 3), ("D", 4), ("E", 5), ("F", 6), ("G", 7), ("H", 8), ("I", 9), ("J", None),
        ("K", None),
    ]
    assert (found["h"].key, found["j"].key) == (8, None)  # the themes as they are now
    assert [t.color for t in store.themes[:len(PALETTE)]] == list(PALETTE[:len(store.themes)])


def test_importing_only_known_themes_rewrites_nothing(database: Path) -> None:
    store = Store.open(database)
    store.import_themes([ThemeSpec("A"), ThemeSpec("B", parent="A")])
    store.update_theme(store.themes[1], key=None)  # the user took B's digit away
    store.checkpoint()
    store.import_themes([ThemeSpec("b"), ThemeSpec("a")])
    assert journal_lines(database) == []
    assert codebook(store) == [("A", None, 1), ("A › B", "A", None)]


# -- finding themes ------------------------------------------------------------------------


def test_a_theme_is_found_by_its_name_in_any_case_or_by_its_path(database: Path) -> None:
    store = Store.open(database)
    store.import_themes([ThemeSpec("Migration", path=()), ThemeSpec("Other", path=("Migration",)),
                         ThemeSpec("Work", path=()), ThemeSpec("Other", path=("Work",))])
    work_other = store.themes[3]
    assert store.theme_named("migration").name == "Migration"
    assert store.theme_named("  MIGRATION ").name == "Migration"
    assert store.theme_named("other").parent == store.themes[0].id  # the first of that name
    assert store.theme_named("work›other") == work_other
    assert store.theme_named(" WORK  ›  Other ") == work_other
    assert store.theme_named("Work › Missing") is None
    assert store.theme_named("Nowhere") is None
    assert store.theme_key(work_other) == ("work", "other")
    assert store.theme_path(work_other) == "Work › Other"


def test_the_path_of_a_theme_in_a_cycle_of_parents_stops_where_it_closes(database: Path) -> None:
    data = sound_database()
    data["themes"]["1"]["parent"] = 2  # Smuggling under Arms under Smuggling: a damaged file
    data["themes"]["3"] = {"name": "Orphaned", "color": "#000000", "key": None, "description": "", "order": 2,
                           "parent": 99}
    data["themes"]["4"] = {"name": "Below", "color": "#000001", "key": None, "description": "", "order": 3,
                           "parent": 1}  # under the cycle, not in it
    write_database(database, data)
    store = Store.open(database)
    smuggling, arms, orphaned, below = (store.theme(n) for n in (1, 2, 3, 4))
    assert store.theme_path(smuggling) == "Arms › Smuggling"
    assert store.theme_path(arms) == "Smuggling › Arms"
    assert store.theme_key(orphaned) == ("orphaned",)
    assert store.theme_path(below) == "Arms › Smuggling › Below"


# -- documents, re-anchoring and re-attaching ------------------------------------------------


@pytest.fixture
def coded(database: Path) -> tuple[Store, int, list]:
    """A store with one document and three annotations on it, checkpointed."""
    store = Store.open(database)
    theme = store.create_theme("Animals")
    document = store.register_document(database.parent / "fox.txt", "a" * 64, "Fox", "utf-8")
    annotations = [store.add_annotation(document, TEXT, start, end, [theme.id], "ana")
                   for start, end in ((4, 9), (16, 19), (40, 43))]
    store.checkpoint()
    return store, document, annotations


def test_a_document_is_recorded_relative_to_the_database_with_its_guid(database: Path) -> None:
    store = Store.open(database)
    first = store.register_document(database.parent.parent / "corpus" / "a.txt", "b" * 64, "A", "latin-1", guid=GUID)
    again = store.register_document(database.parent.parent / "corpus" / "a.txt", "c" * 64, "other", "utf-8")
    second = store.register_document(database.parent / "b.txt", "d" * 64, "B", "utf-8")
    store.close()
    assert first == again != second
    assert on_disk(database, "documents")[str(first)] == {
        "path": "../corpus/a.txt", "sha256": "b" * 64, "title": "A", "encoding": "latin-1", "guid": GUID,
    }
    reopened = Store.open(database)
    assert reopened.file_of(first) == database.parent.parent / "corpus" / "a.txt"
    assert reopened.document_id(database.parent / "b.txt") == second


def test_reanchoring_moves_orphans_and_rehashes_in_one_journal_line(coded, database: Path) -> None:
    store, document, (fox, over, dog) = coded
    text = TEXT  # "quick" is there three times: the user's edit is somewhere else
    store.reanchor(document, text, "e" * 64, {fox.id: Placement(49, 54, "exact"), over.id: None,
                                              dog.id: Placement(dog.start, dog.end, "unchanged")})
    (line,) = journal_lines(database)
    assert [(c["table"], c["id"]) for c in line["batch"]] == [("annotations", fox.id), ("annotations", over.id),
                                                               ("documents", document)]
    moved = store.annotations[fox.id]
    assert (moved.start, moved.end, moved.quote, moved.orphaned) == (49, 54, "quick", False)
    assert (moved.prefix, moved.suffix) == (text[17:49], text[54:86])
    assert store.annotations[over.id] == store.orphans()[0]
    assert (store.orphans()[0].quote, store.orphans()[0].start) == ("fox", 16)
    assert store.annotations[dog.id] == dog
    assert store.documents[document].sha256 == "e" * 64
    store.close()
    assert on_disk(database, "documents")[str(document)]["sha256"] == "e" * 64
    assert on_disk(database, "annotations")[str(over.id)]["orphaned"] is True
    assert sorted(a.id for a in Store.open(database).annotations_of(document)) == [fox.id, over.id, dog.id]


def test_reanchoring_a_document_without_a_guid_adds_none(database: Path) -> None:
    write_database(database, sound_database())
    store = Store.open(database)
    store.reanchor(1, "abcdefghij", "f" * 64, {})
    store.close()
    assert on_disk(database, "documents")["1"] == {"path": "doc.txt", "sha256": "f" * 64, "title": "One",
                                                   "encoding": "utf-8"}


def test_a_read_only_store_reanchors_in_memory_only(coded, database: Path) -> None:
    store, document, (fox, _, _) = coded
    reader = Store.open(database)
    assert not reader.writable
    before = database.read_bytes()
    reader.reanchor(document, TEXT, "e" * 64, {fox.id: None})
    assert reader.annotations[fox.id].orphaned and reader.orphans() == [reader.annotations[fox.id]]
    assert reader.documents[document].sha256 == "e" * 64
    assert database.read_bytes() == before and journal_lines(database) == []
    store.close()


def test_reattaching_places_an_orphan_where_the_user_says(coded, database: Path) -> None:
    store, document, (fox, _, _) = coded
    store.reanchor(document, TEXT, "a" * 64, {fox.id: None})
    other = store.register_document(database.parent / "other.txt", "b" * 64, "Other", "utf-8")
    moved = store.reattach(store.annotations[fox.id], other, "lazy dogs sleep", 0, 4)
    assert (moved.document, moved.start, moved.end, moved.quote, moved.suffix, moved.orphaned) == (
        other, 0, 4, "lazy", " dogs sleep", False)
    assert store.orphans() == [] and store.annotations_of(other) == [moved]
    assert fox.id not in {a.id for a in store.annotations_of(document)}
    store.close()
    assert on_disk(database, "annotations")[str(fox.id)]["document"] == other


# -- the journal kept aside ------------------------------------------------------------------


def bad_journal(database: Path) -> bytes:
    write_database(database, sound_database())
    journal = b'{"seq": 1, "table": "nowhere", "id": 1, "record": null}\n'
    database.with_name("annotations.json.journal").write_bytes(journal)
    return journal


def test_a_journal_with_lines_not_applied_is_kept_aside_and_named(database: Path) -> None:
    journal = bad_journal(database)
    store = Store.open(database)
    (kept,) = database.parent.glob("annotations.json.journal-dropped-*")
    assert kept.read_bytes() == journal
    assert store.journal_problems[-1] == f"the journal as it was is kept as {kept.name}"
    assert len(store.journal_problems) == 2
    assert journal_lines(database) == []


def test_a_journal_that_cannot_be_kept_aside_is_left_as_it_was(database: Path, monkeypatch) -> None:
    journal = bad_journal(database)

    def full_disk(path: Path, payload: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "atomic_write", full_disk)
    with pytest.raises(StoreError) as refused:
        Store.open(database)
    assert str(refused.value) == (
        f"{database.with_name('annotations.json.journal')}: cannot keep a copy of its 1 unusable line(s) "
        "(No space left on device); nothing was changed"
    )
    assert database.with_name("annotations.json.journal").read_bytes() == journal
    assert Store.open(database, inspect=True).journal_problems  # the lock was released, the file left


# -- changing the codebook -------------------------------------------------------------------


@pytest.fixture
def grouped(database: Path) -> Store:
    """A codebook of two groups and a theme on its own: A (A1, A2), B (B1), C."""
    store = Store.open(database)
    store.import_themes([ThemeSpec("A"), ThemeSpec("A1", parent="A"), ThemeSpec("A2", parent="A"), ThemeSpec("B"),
                         ThemeSpec("B1", parent="B"), ThemeSpec("C")])
    return store


def test_moving_a_theme_up_takes_its_group_along_and_renumbers_on_disk(grouped: Store, database: Path) -> None:
    grouped.move_theme(grouped.theme_named("C"), -1)
    assert codebook(grouped) == [("A", None, 1), ("A › A1", "A", 2), ("A › A2", "A", 3), ("C", None, 4),
                                 ("B", None, 5), ("B › B1", "B", 6)]
    grouped.close()
    assert [(r["name"], r["order"], r["key"]) for r in sorted(on_disk(database, "themes").values(),
                                                               key=lambda r: r["order"])] == [
        ("A", 0, 1), ("A1", 1, 2), ("A2", 2, 3), ("C", 3, 4), ("B", 4, 5), ("B1", 5, 6)]


def test_moving_a_theme_within_its_group_leaves_the_rest_in_place(grouped: Store) -> None:
    grouped.move_theme(grouped.theme_named("A2"), -1)
    assert codebook(grouped) == [("A", None, 1), ("A › A2", "A", 2), ("A › A1", "A", 3), ("B", None, 4),
                                 ("B › B1", "B", 5), ("C", None, 6)]


@pytest.mark.parametrize(("name", "delta"), [("A", -1), ("C", 1), ("A1", -1), ("A2", 1), ("B1", 1)])
def test_moving_a_theme_past_either_end_of_its_level_changes_nothing(grouped: Store, database: Path, name: str,
                                                                      delta: int) -> None:
    before = codebook(grouped)
    grouped.checkpoint()
    grouped.move_theme(grouped.theme_named(name), delta)
    assert codebook(grouped) == before
    assert journal_lines(database) == []


def test_the_tenth_theme_and_later_get_no_digit_when_the_codebook_is_reordered(database: Path) -> None:
    store = Store.open(database)
    for number in range(1, 12):
        store.create_theme(f"T{number}")
    store.move_theme(store.theme_named("T11"), -1)
    assert [(t.name, t.key) for t in store.themes][8:] == [("T9", 9), ("T11", None), ("T10", None)]


def test_renaming_a_theme_tidies_the_name_and_allows_its_own_in_another_case(grouped: Store, database: Path) -> None:
    renamed = grouped.update_theme(grouped.theme_named("C"), name="  Coping   strategies ")
    assert renamed.name == "Coping strategies"
    assert grouped.update_theme(renamed, name="coping STRATEGIES").name == "coping STRATEGIES"
    with pytest.raises(ValueError, match="^a theme named 'b' exists already$"):
        grouped.update_theme(renamed, name="b")
    grouped.close()
    assert [r["name"] for r in on_disk(database, "themes").values()][-1] == "coping STRATEGIES"


def test_merging_moves_every_coding_to_the_target_without_doubling_and_keeps_the_others(grouped: Store) -> None:
    a, b, c = (grouped.theme_named(name) for name in "ABC")
    document = grouped.register_document(Path("doc.txt"), "0" * 64, "Doc", "utf-8")
    both = grouped.add_annotation(document, TEXT, 0, 3, [c.id, a.id], "ana")
    twice = grouped.add_annotation(document, TEXT, 4, 9, [a.id, b.id], "ana")
    untouched = grouped.add_annotation(document, TEXT, 10, 15, [c.id], "ana")
    assert grouped.merge_theme(a, b) == 2
    assert grouped.annotations[both.id].themes == (c.id, b.id)
    assert grouped.annotations[twice.id].themes == (b.id,)
    assert grouped.annotations[untouched.id] == untouched
    assert codebook(grouped) == [("B", None, 1), ("B › A1", "B", 2), ("B › A2", "B", 3), ("B › B1", "B", 4),
                                 ("C", None, 5)]


def test_a_theme_cannot_be_merged_into_itself(grouped: Store) -> None:
    a = grouped.theme_named("A")
    with pytest.raises(ValueError, match="^a theme cannot be merged into itself$"):
        grouped.merge_theme(a, a)
    assert len(grouped.themes) == 6


def test_deleting_a_group_counts_its_codings_and_puts_its_themes_at_the_top(grouped: Store, database: Path) -> None:
    a, c = grouped.theme_named("A"), grouped.theme_named("C")
    document = grouped.register_document(Path("doc.txt"), "0" * 64, "Doc", "utf-8")
    for start in (0, 10):
        grouped.add_annotation(document, TEXT, start, start + 3, [a.id, c.id], "ana")
        grouped.add_annotation(document, TEXT, start + 4, start + 6, [a.id], "ana")
    assert grouped.delete_theme(a) == (2, 2)
    assert sorted(an.themes for an in grouped.annotations.values()) == [(c.id,), (c.id,)]
    assert codebook(grouped) == [("A1", None, 1), ("A2", None, 2), ("B", None, 3), ("B › B1", "B", 4),
                                 ("C", None, 5)]
    grouped.close()
    assert {r["name"]: r["parent"] for r in on_disk(database, "themes").values()} == {
        "A1": None, "A2": None, "B": None, "B1": 4, "C": None}


# -- a file replaced while changes wait ------------------------------------------------------


def journal_full(entries) -> None:
    """Stands in for ``Journal.append`` on a full disk."""
    raise OSError(28, "No space left on device")


def saved_then_journal_full(database: Path, monkeypatch) -> Store:
    """A store with one theme saved by a checkpoint, whose journal then refuses every change."""
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    monkeypatch.setattr(store.journal, "append", journal_full)
    return store


def test_changes_waiting_for_the_journal_go_into_the_kept_version_when_the_file_is_replaced(
    database: Path, monkeypatch
) -> None:
    store = saved_then_journal_full(database, monkeypatch)
    store.create_theme("Waiting")
    assert len(store.unsaved) == 1 and store.save_error
    write_database(database.with_name("theirs.json"), sound_database())
    database.with_name("theirs.json").replace(database)
    with pytest.raises(StoreError, match="stopped writing"):
        store.create_theme("Refused")
    (kept,) = database.parent.glob("annotations.json.kept-*")
    assert [t.name for t in Store.open(kept, inspect=True).themes] == ["Saved", "Waiting"]
    assert store.unsaved == [] and store.dirty is False  # nothing left to retry: it is all in the kept file
    with pytest.raises(StoreError) as refused:
        store.close()
    assert "could not be saved" not in str(refused.value) and "is kept as" in str(refused.value)


def test_when_neither_the_version_nor_the_journal_can_be_moved_the_journal_is_named_where_it_is(
    database: Path, monkeypatch
) -> None:
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    store.create_theme("Journaled")
    write_database(database.with_name("theirs.json"), sound_database())
    database.with_name("theirs.json").replace(database)

    def refused(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(store_module, "atomic_write", refused)
    monkeypatch.setattr(store_module.os, "replace", refused)
    with pytest.raises(StoreError) as stopped:
        store.checkpoint()
    assert str(stopped.value).endswith(
        "it could not keep its own version (Permission denied); the changes journaled since the last save are in "
        "annotations.json.journal"
    )
    assert '"Journaled"' in database.with_name("annotations.json.journal").read_text()


def test_when_the_version_cannot_be_kept_and_nothing_was_journaled_only_that_is_said(
    database: Path, monkeypatch
) -> None:
    store = Store.open(database)
    store.create_theme("Saved")
    store.checkpoint()
    write_database(database.with_name("theirs.json"), sound_database())
    database.with_name("theirs.json").replace(database)

    def refused(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(store_module, "atomic_write", refused)
    with pytest.raises(StoreError) as stopped:
        store.create_theme("After")
    assert str(stopped.value).endswith("stopped writing to it; it could not keep its own version (Permission denied)")


# -- codebook changes after a kill -------------------------------------------------------------


def test_codebook_changes_journaled_before_a_kill_are_all_there_after_it(database: Path) -> None:
    """Renaming, recolouring, grouping and reordering change some fields of a theme; the
    journal must hold the whole record, or replay refuses the line and the change is lost."""
    store = Store.open(database)
    for name in ("Work", "Family", "Health"):
        store.create_theme(name)
    store.checkpoint()
    work, family, health = store.themes
    store.update_theme(work, name="Labour", description="paid or not", color="#123456")
    store.set_parent(family, store.theme(health.id))
    store.move_theme(store.theme(health.id), -1)
    expected = codebook(store)
    abandon(store)  # killed before any checkpoint

    reopened = Store.open(database)
    assert reopened.journal_problems == []
    assert codebook(reopened) == expected == [("Health", None, 1), ("Health › Family", "Health", 2),
                                              ("Labour", None, 3)]
    labour = reopened.theme_named("Labour")
    assert (labour.description, labour.color) == ("paid or not", "#123456")


# -- records as they land on disk ------------------------------------------------------------


def test_an_updated_annotation_is_written_whole_with_a_new_modified_date(coded, database: Path, monkeypatch) -> None:
    store, document, (fox, _, _) = coded
    monkeypatch.setattr(store_module, "now", lambda: "2026-12-01T09:00:00+00:00")
    store.update_annotation(fox, note="a memo")
    store.close()
    assert on_disk(database, "annotations")[str(fox.id)] == {
        "document": document, "start": 4, "end": 9, "quote": "quick", "prefix": "The ", "suffix": TEXT[9:41],
        "themes": list(fox.themes), "note": "a memo", "author": "ana", "created": fox.created,
        "modified": "2026-12-01T09:00:00+00:00", "orphaned": False, "guid": fox.guid,
    }
    assert fox.guid and fox.created != "2026-12-01T09:00:00+00:00"


def test_an_annotation_from_before_guids_gets_none_when_it_is_updated(database: Path) -> None:
    write_database(database, sound_database())
    store = Store.open(database)
    store.update_annotation(store.annotations[2], note="memo")
    store.close()
    record = on_disk(database, "annotations")["2"]
    assert "guid" not in record and record["note"] == "memo" and record["themes"] == [1, 2]


def test_themes_without_an_order_keep_their_place_when_one_is_changed(database: Path) -> None:
    data = sound_database()
    del data["themes"]["1"]["order"]  # an older file: sorted as 0, then by id
    data["themes"]["2"]["order"] = 0
    data["themes"]["2"]["parent"] = None
    write_database(database, data)
    store = Store.open(database)
    assert [t.name for t in store.themes] == ["Smuggling", "Arms"]
    store.update_theme(store.theme(2), description="weapons")
    assert [t.name for t in store.themes] == ["Smuggling", "Arms"]
    store.update_theme(store.theme(1), description="goods")
    assert [t.name for t in store.themes] == ["Smuggling", "Arms"]


def test_a_document_added_by_an_action_that_fails_is_forgotten(database: Path) -> None:
    store = Store.open(database)
    path = database.parent / "new.txt"
    with pytest.raises(RuntimeError), store.recording():
        store.register_document(path, "0" * 64, "New", "utf-8")
        raise RuntimeError("the import found a malformed record")
    assert store.documents == {} and store.document_id(path) is None
    again = store.register_document(path, "1" * 64, "New", "utf-8")
    assert store.document_id(path) == again and store.documents[again].sha256 == "1" * 64


def test_undoing_a_document_forgets_it_and_redoing_brings_it_back(database: Path) -> None:
    store = Store.open(database)
    path = database.parent / "new.txt"
    with store.recording() as changes:
        document = store.register_document(path, "0" * 64, "New", "utf-8")
    store.restore(changes, undo=True)
    assert store.documents == {} and store.document_id(path) is None
    store.restore(changes, undo=False)
    assert store.document_id(path) == document and store.documents[document].title == "New"


def test_a_new_annotation_is_written_whole(database: Path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "now", lambda: "2026-12-01T09:00:00+00:00")
    store = Store.open(database)
    theme = store.create_theme("Animals")
    document = store.register_document(database.parent / "fox.txt", "a" * 64, "Fox", "utf-8")
    mine = store.add_annotation(document, TEXT, 0, 3, [theme.id], "ana")
    imported = store.add_annotation(document, TEXT, 40, 43, [theme.id], "bo", note="memo",
                                    created="2020-01-02T03:04:05+00:00", guid=GUID)
    store.close()
    records = on_disk(database, "annotations")
    assert records[str(mine.id)] == {
        "document": document, "start": 0, "end": 3, "quote": "The", "prefix": "", "suffix": TEXT[3:35],
        "themes": [theme.id], "note": "", "author": "ana", "created": "2026-12-01T09:00:00+00:00",
        "modified": "2026-12-01T09:00:00+00:00", "orphaned": False, "guid": mine.guid,
    }
    assert records[str(imported.id)] | {"prefix": "", "suffix": ""} == {
        "document": document, "start": 40, "end": 43, "quote": "dog", "prefix": "", "suffix": "",
        "themes": [theme.id], "note": "memo", "author": "bo", "created": "2020-01-02T03:04:05+00:00",
        "modified": "2020-01-02T03:04:05+00:00", "orphaned": False, "guid": GUID,
    }


def test_every_change_in_memory_moves_the_revision_on(coded) -> None:
    """Views redraw when the revision differs from the one they drew: it never comes back."""
    store, document, (fox, over, dog) = coded
    seen = [store.revision]
    for action in (lambda: store.update_annotation(fox, note="n"), lambda: store.delete_annotation(dog),
                   lambda: store.create_theme("More"), lambda: store.reanchor(document, TEXT, "b" * 64, {over.id: None}),
                   lambda: store.delete_annotation(store.annotations[over.id])):
        action()
        assert store.revision not in seen
        seen.append(store.revision)


def test_a_deleted_orphan_is_no_longer_listed(coded) -> None:
    store, document, (fox, _, _) = coded
    store.reanchor(document, TEXT, "b" * 64, {fox.id: None})
    store.delete_annotation(store.orphans()[0])
    assert store.orphans() == [] and fox.id not in store.annotations


def test_a_theme_named_with_the_path_sign_is_found_by_its_name(database: Path) -> None:
    store = Store.open(database)
    literal = store.create_theme("Push › Pull")
    assert store.theme_named("push › pull") == literal
    assert store.theme_for_key(1) == literal and store.theme_for_key(2) is None


def test_an_orphan_placed_again_is_no_longer_an_orphan(coded) -> None:
    store, document, (fox, _, _) = coded
    store.reanchor(document, TEXT, "b" * 64, {fox.id: None})
    store.reanchor(document, TEXT, "a" * 64, {fox.id: Placement(49, 54, "exact")})
    assert store.orphans() == [] and store.annotations[fox.id].orphaned is False
    assert store.annotations[fox.id].start == 49


def test_undo_and_redo_of_an_action_that_changed_one_record_twice_survive_a_kill(coded, database: Path) -> None:
    store, _, (fox, _, _) = coded
    with store.recording() as changes:
        first = store.update_annotation(fox, note="first")
        store.update_annotation(first, note="second")
    store.restore(changes, undo=True)
    assert store.annotations[fox.id].note == ""
    abandon(store)
    reopened = Store.open(database)
    assert reopened.annotations[fox.id].note == ""
    reopened.restore(changes, undo=False)
    assert reopened.annotations[fox.id].note == "second"
    abandon(reopened)
    assert Store.open(database).annotations[fox.id].note == "second"


def test_a_changed_theme_keeps_its_place_in_an_order_unlike_its_id(database: Path) -> None:
    data = sound_database()
    data["themes"]["1"]["order"], data["themes"]["2"]["order"] = 1, 0
    data["themes"]["2"]["parent"] = None
    write_database(database, data)
    store = Store.open(database)
    assert [t.name for t in store.themes] == ["Arms", "Smuggling"]
    store.update_theme(store.theme(1), description="goods")
    assert [t.name for t in store.themes] == ["Arms", "Smuggling"]


def test_a_theme_whose_parent_is_missing_keeps_its_place_when_the_codebook_is_reordered(database: Path) -> None:
    data = sound_database()
    data["themes"]["1"]["parent"] = 99  # a damaged file: grouped under a theme that is not there
    data["themes"]["2"]["parent"] = None
    write_database(database, data)
    store = Store.open(database)
    store.import_themes([ThemeSpec("New")])
    assert [(t.name, t.key) for t in store.themes] == [("Smuggling", 1), ("Arms", 2), ("New", 3)]


# -- reading records back ----------------------------------------------------------------------


def test_records_are_read_back_with_every_field_or_its_default(database: Path) -> None:
    data = sound_database()
    data["documents"]["2"] = {"path": "bare.txt", "sha256": "1" * 64}
    data["documents"]["1"].update(encoding="latin-1", guid=GUID)
    data["themes"]["1"]["guid"] = GUID
    del data["themes"]["2"]["description"]
    data["annotations"] = {
        "1": {"document": 1, "start": 0, "end": 5, "quote": "abcde"},
        "2": {"document": 1, "start": 5, "end": 8, "quote": "fgh", "prefix": "abcde", "suffix": "ij", "themes": [2, 1],
              "note": "memo", "author": "ana", "created": "2026-11-01T10:00:00+00:00",
              "modified": "2026-11-02T10:00:00+00:00", "orphaned": True, "guid": GUID},
    }
    write_database(database, data)
    store = Store.open(database)
    assert store.documents == {
        1: StoredDocument(1, "doc.txt", "0" * 64, "One", "latin-1", GUID),
        2: StoredDocument(2, "bare.txt", "1" * 64, "", "utf-8", ""),
    }
    assert store.annotations == {
        1: Annotation(1, 1, 0, 5, "abcde", "", "", (), "", "", "", "", False, ""),
        2: Annotation(2, 1, 5, 8, "fgh", "abcde", "ij", (2, 1), "memo", "ana", "2026-11-01T10:00:00+00:00",
                      "2026-11-02T10:00:00+00:00", True, GUID),
    }
    assert store.orphans() == [store.annotations[2]]
    assert [(t.guid, t.description) for t in store.themes] == [(GUID, ""), ("", "")]


def test_a_new_theme_has_no_description_and_a_blank_name_is_refused(database: Path) -> None:
    store = Store.open(database)
    assert store.create_theme("Plain").description == ""
    with pytest.raises(ValueError) as refused:
        store.create_theme("  ")
    assert str(refused.value) == "a theme needs a name"


def test_a_grouped_theme_may_take_the_name_of_a_theme_outside_its_group(grouped: Store) -> None:
    renamed = grouped.update_theme(grouped.theme_named("B1"), name="c")
    assert grouped.theme_path(renamed) == "B › c"
    with pytest.raises(ValueError, match="^a theme named 'a2' exists already"):
        grouped.update_theme(grouped.theme_named("A1"), name="a2")


def test_an_upgrade_that_cannot_keep_the_old_file_changes_nothing_and_says_why(database: Path, monkeypatch) -> None:
    data = sound_database()
    data["meta"]["1"]["schema_version"] = 1
    for theme in data["themes"].values():
        del theme["parent"]
    original = write_database(database, data)

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store_module, "atomic_write", refused)
    with pytest.raises(StoreError) as stopped:
        Store.open(database)
    assert str(stopped.value) == (
        f"{database}: cannot keep a copy before upgrading schema 1 (Permission denied); nothing was changed"
    )
    assert database.read_bytes() == original


def test_closing_with_changes_the_journal_refused_says_how_many(database: Path, monkeypatch) -> None:
    store = saved_then_journal_full(database, monkeypatch)
    store.create_theme("One")
    store.create_theme("Two")
    with pytest.raises(StoreError) as refused:
        store.close()
    assert str(refused.value) == f"{database}: 2 changes could not be saved"


# -- opening and the first change ----------------------------------------------------------------


def test_a_new_database_is_written_on_its_first_change_with_its_meta_record_and_no_backup(database: Path) -> None:
    store = Store.open(database, starting_themes=[ThemeSpec("Start", "from the corpus", "#123456")])
    assert (store.themes[0].color, store.themes[0].description) == ("#123456", "from the corpus")
    assert not database.exists()
    before = time.monotonic()
    store.create_theme("First")
    assert before <= store.last_change <= time.monotonic()
    store.create_theme("Second")
    assert not list(database.parent.glob("annotations.json.backup-*"))  # nothing older to keep
    store.close()
    (meta,) = on_disk(database, "meta").values()
    assert set(meta) == {"application", "schema_version", "created", "guid"}
    assert meta["created"].endswith("+00:00")
    theme = on_disk(database, "themes")["2"]
    assert set(theme) == {"name", "color", "key", "description", "order", "parent", "guid"}
    assert theme["description"] == "" and Store.open(database).theme(2).guid == theme["guid"]


@pytest.mark.parametrize("beside", ["annotations.json.backup-1", "annotations.json.journal"])
def test_an_empty_file_with_a_backup_or_a_journal_beside_it_is_not_a_new_database(database: Path, beside: str) -> None:
    database.parent.mkdir(parents=True)
    database.write_text("  \n")
    write_database(database.with_name(beside), sound_database())
    with pytest.raises(StoreError) as refused:
        Store.open(database)
    assert str(refused.value) == (
        f"{database}: the file is empty but has backups or a journal beside it; if this is unexpected, run "
        "`margin db restore` (left untouched)"
    )
    assert database.read_text() == "  \n"


def test_an_empty_file_alone_is_a_new_database(database: Path) -> None:
    database.parent.mkdir(parents=True)
    database.write_text("")
    store = Store.open(database)
    store.create_theme("First")
    store.close()
    assert [t.name for t in Store.open(database).themes] == ["First"]


def test_a_journal_without_its_database_is_refused_naming_the_journal(database: Path) -> None:
    journal = database.with_name("annotations.json.journal")
    database.parent.mkdir(parents=True)
    journal.write_text('{"seq": 1, "table": "themes", "id": 1, "record": {"name": "A", "color": "#123456"}}\n')
    with pytest.raises(StoreError) as refused:
        Store.open(database)
    assert str(refused.value) == f"{journal}: a journal without its database; restore a backup"


def test_a_second_opener_is_read_only_and_says_who_writes(database: Path) -> None:
    first = Store.open(database)
    second = Store.open(database)
    assert first.writable and not second.writable
    assert second.read_only_reason.startswith("another Margin is writing it")
    first.close()


def test_a_checkpoint_with_nothing_new_leaves_the_file_alone(database: Path) -> None:
    store = Store.open(database)
    store.create_theme("First")
    store.checkpoint()
    status = database.stat()
    store.checkpoint()
    assert (database.stat().st_ino, database.stat().st_mtime_ns) == (status.st_ino, status.st_mtime_ns)


def test_a_save_error_clears_once_the_journal_takes_the_changes(database: Path, monkeypatch) -> None:
    store = Store.open(database)
    store.create_theme("First")
    real = store.journal.append
    monkeypatch.setattr(store.journal, "append", journal_full)
    store.create_theme("Second")
    assert store.save_error == f"{database}: 1 change not saved yet (No space left on device); Margin keeps them and retries"
    monkeypatch.setattr(store.journal, "append", real)
    assert store.retry_unsaved() is True
    assert store.save_error is None and store.unsaved == []
