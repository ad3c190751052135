"""The codebook screen through the keyboard: rename and merge keep every annotation."""

from __future__ import annotations

from pathlib import Path

from test_reader import SIZE, make_app, option_texts, tag_three_paragraphs, type_text
from tinydb import TinyDB

from tui.ui.screens.codebook import CodebookScreen


def listed(app) -> list[str]:
    return option_texts(app.screen.query_one("#codebook-themes"))


async def test_rename_reorder_merge_and_delete_from_the_keyboard(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)
        await pilot.press("c")
        assert isinstance(app.screen, CodebookScreen)
        assert "2 annotations in 1 document" in listed(app)[0]

        await pilot.press("r", *["backspace"] * 20)
        await type_text(pilot, "People smuggling")
        await pilot.press("enter")
        assert listed(app)[0].startswith("▌ 1  People smuggling")

        await pilot.press("J")  # move down: it now answers to key 2
        assert "2  People smuggling" in listed(app)[1]
        await pilot.press("M")  # merge into Arms trafficking
        await type_text(pilot, "Arms")
        await pilot.press("enter")
        assert not any("People smuggling" in line for line in listed(app))
        assert "3 annotations in 1 document" in next(line for line in listed(app) if "Arms trafficking" in line)

        await pilot.press("escape", "u")  # back to reading, undo the merge
        assert len(app.workspace.store.annotations) == 3
        assert app.workspace.theme_for_key(2).name == "People smuggling"
    themes = {t["name"] for t in TinyDB(database).table("themes").all()}
    assert "People smuggling" in themes
    assert len(TinyDB(database).table("annotations").all()) == 3
