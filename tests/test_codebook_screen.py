"""The codebook screen through the keyboard: rename and merge keep every annotation."""

from __future__ import annotations

from pathlib import Path

from tinydb import TinyDB

from test_reader import SIZE, make_app, search, type_text
from tui.ui.screens.codebook import CodebookScreen


def listed(app) -> list[str]:
    options = app.screen.query_one("#codebook-themes")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_rename_reorder_merge_and_delete_from_the_keyboard(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        for needle, key in [("Greetings", "1"), ("Her promise", "2"), ("During the President", "1")]:
            await search(pilot, needle)
            await pilot.press("p", key, "escape")
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
