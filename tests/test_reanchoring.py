"""When a document changes on disk, its annotations follow their text, or become orphans
that are kept, listed, re-attached or dismissed — never silently lost."""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB

from tui.core import Workspace


def tag(workspace: Workspace, document, needle: str, length: int, key: int):
    start = document.text.index(needle)
    return workspace.toggle_theme(document, start, start + length, workspace.theme_for_key(key)).annotation


def coded(corpus_dir: Path, database: Path):
    """Three passages of document 002 tagged; returns the file and their quotes."""
    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    document = workspace.documents[2]
    quotes = [
        tag(workspace, document, "OASISS promotes", 120, 1).quote,
        tag(workspace, document, "The OASISS program initiated", 60, 2).quote,
        tag(workspace, document, "Officials from both", 40, 3).quote,
    ]
    workspace.close()
    return document.path, quotes


def test_edited_document_moves_what_it_can_and_orphans_the_rest(corpus_dir: Path, database: Path) -> None:
    path, (kept, edited, rewritten) = coded(corpus_dir, database)
    text = path.read_text(encoding="utf-8")
    text = "A new opening paragraph, added by the author.\n\n" + text
    text = text.replace(edited, edited.replace("program", "programme"))
    text = text.replace(rewritten, "Nothing like the old sentence remains here.")
    path.write_text(text, encoding="utf-8")

    workspace = Workspace.open([path.parent], database=database, author="tester")
    document = workspace.documents[2]
    placed = workspace.annotations(document).items
    (report,) = workspace.take_reports()
    assert report.message == f"2 annotations moved, 1 orphaned in {path.name}"
    assert [document.text[a.start : a.end] for a in placed] == [a.quote for a in placed]
    assert placed[0].quote == kept and "programme" in placed[1].quote
    (orphan,) = workspace.orphans()
    assert orphan.quote == rewritten  # kept as it was, to show the user
    workspace.close()

    db = TinyDB(database)
    stored = {record["quote"]: record for record in db.table("annotations").all()}
    assert stored[rewritten]["orphaned"] is True and stored[kept]["orphaned"] is False
    assert db.table("documents").all()[0]["sha256"] == document.sha256
    assert db.table("documents").all()[0]["path"].endswith(path.name)

    again = Workspace.open([path.parent], database=database)
    again.annotations(again.documents[2])
    assert again.take_reports() == [] and len(again.orphans()) == 1


def test_an_orphan_is_reattached_or_dismissed_by_the_user(corpus_dir: Path, database: Path) -> None:
    path, (_, _, rewritten) = coded(corpus_dir, database)
    path.write_text(path.read_text(encoding="utf-8").replace(rewritten, "Gone entirely, rewritten."), encoding="utf-8")
    workspace = Workspace.open([path.parent], database=database, author="tester")
    document = workspace.documents[2]
    workspace.annotations(document)
    (orphan,) = workspace.orphans()

    start = document.text.index("Gone entirely")
    reattached = workspace.reattach(orphan, document, start, start + 13)
    assert (reattached.quote, reattached.orphaned, reattached.themes) == ("Gone entirely", False, orphan.themes)
    assert workspace.annotations(document).exactly(start, start + 13) == reattached
    assert workspace.orphans() == []

    other = workspace.store.annotations[orphan.id]
    workspace.dismiss(other)
    workspace.close()
    quotes = [record["quote"] for record in TinyDB(database).table("annotations").all()]
    assert "Gone entirely" not in quotes and len(quotes) == 2


def test_a_read_only_reader_follows_the_text_without_writing(corpus_dir: Path, database: Path) -> None:
    path, _ = coded(corpus_dir, database)
    path.write_text("Preface.\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    before = database.read_bytes()
    writer = Workspace.open([path.parent], database=database)  # holds the lock
    reader = Workspace.open([path.parent], database=database)
    assert not reader.store.writable
    document = reader.documents[2]
    placed = reader.annotations(document).items
    assert [document.text[a.start : a.end] for a in placed] == [a.quote for a in placed]
    writer.close()
    reader.close()
    assert database.read_bytes() == before


# -- in the reader ---------------------------------------------------------------------------

async def test_reader_reports_the_change_and_reattaches_an_orphan(corpus_dir: Path, database: Path) -> None:
    from test_reader import SIZE, make_app, option_texts, search, view_of

    workspace = Workspace.open([corpus_dir], database=database, author="tester")
    document = workspace.documents[0]
    tag(workspace, document, "Her promise is on full display", 30, 1)
    tag(workspace, document, "The two leaders discussed", 40, 2)
    workspace.close()
    document.path.write_text(
        document.text.replace("Her promise is on full display", "Her pledge shows").replace("\n\n", "\n\n\n", 1),
        encoding="utf-8",
    )

    app = make_app(corpus_dir, database)
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **options: (messages.append(str(message)), notify(message, **options))[1]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert f"1 annotation moved, 1 orphaned in {document.path.name}" in messages[0]
        assert "1 ORPHAN: PRESS O" in str(app.screen.query_one("#database-bar").content)

        await search(pilot, "Her pledge")
        await pilot.press("v", *["l"] * 15, "O")
        assert "Her pledge shows" in str(app.screen.query_one("#orphans-heading").content)
        assert "Her promise is on full display" in option_texts(app.screen.query_one("#orphans-list"))[0]
        await pilot.press("enter")
        await pilot.pause()
        view = view_of(app)
        (reattached,) = [a for a in app.workspace.annotations(view.document).items if a.quote.startswith("Her")]
        assert reattached.quote == "Her pledge shows"
        assert "PRESS O" not in str(app.screen.query_one("#database-bar").content)
    saved = {record["quote"]: record for record in TinyDB(database).table("annotations").all()}
    assert saved["Her pledge shows"]["orphaned"] is False


async def test_an_orphan_can_be_dismissed_from_the_list(corpus_dir: Path, database: Path) -> None:
    from test_reader import SIZE, make_app, option_texts

    path, (_, _, rewritten) = coded(corpus_dir, database)
    path.write_text(path.read_text(encoding="utf-8").replace(rewritten, "All new."), encoding="utf-8")
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        app.workspace.annotations(app.workspace.documents[2])  # as opening it in a pane would
        await pilot.press("O", "d")
        assert "No orphans" in option_texts(app.screen.query_one("#orphans-list"))[0]
        await pilot.press("escape")
        assert "PRESS O" not in str(app.screen.query_one("#database-bar").content)
    assert rewritten not in [record["quote"] for record in TinyDB(database).table("annotations").all()]
