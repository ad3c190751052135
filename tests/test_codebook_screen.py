"""The codebook screen through the keyboard: rename and merge keep every annotation."""

from __future__ import annotations

from pathlib import Path

from test_reader import SIZE, make_app, option_texts, search, tag_three_paragraphs, type_text
from tinydb import TinyDB

from tui.core.codebook import PALETTE
from tui.ui.screens.codebook import CodebookScreen
from tui.ui.screens.colour_chooser import ColourChooser
from tui.ui.screens.theme_picker import ThemePicker


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


async def test_recolour_offers_free_colours_by_name_and_takes_a_typed_one(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "k")  # on theme 1, Human smuggling
        assert isinstance(app.screen, ColourChooser)
        assert "Colour for Human smuggling" in str(app.screen.query_one("#colour-title").content)
        swatches = option_texts(app.screen.query_one("#colour-options"))
        assert len(swatches) == len(PALETTE) and "sky blue" in "".join(swatches)
        assert "used by Arms trafficking" in "".join(swatches)
        taken = {theme.color for theme in app.workspace.themes}
        await pilot.press("enter")  # the first free colour
        smuggling = app.workspace.theme_for_key(1)
        assert smuggling.color not in taken
        await pilot.press("k")
        await type_text(pilot, "#12AB34")
        assert option_texts(app.screen.query_one("#colour-options")) == ["████  as typed        #12ab34   free"]
        await pilot.press("enter")
        await pilot.press("escape", "q")
    colours = {t["name"]: t["color"] for t in TinyDB(database).table("themes").all()}
    assert colours["Human smuggling"] == "#12ab34"


async def test_grouping_keeps_digit_keys_and_each_picker_says_what_it_is_for(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c", "down", "down")  # Migrant safety, key 3
        await pilot.press("g")
        assert isinstance(app.screen, ThemePicker)
        assert str(app.screen.query_one("#picker-title").content) == "Move Migrant safety under…"
        await type_text(pilot, "Nothing like it")
        assert option_texts(app.screen.query_one("#picker-options")) == []  # no "create" here
        await pilot.press(*["backspace"] * 15)
        await type_text(pilot, "Human")
        await pilot.press("enter")
        assert "      ▌ 3  Migrant safety" in listed(app)[1]  # under Human smuggling, still on key 3
        assert app.workspace.theme_for_key(2).name == "Arms trafficking"
        await pilot.press("up", "g")  # nothing under Human smuggling can hold it: not offered
        offered = "".join(option_texts(app.screen.query_one("#picker-options")))
        assert "Migrant safety" not in offered and "Human smuggling" not in offered
        await pilot.press("escape", "down", "M")
        assert str(app.screen.query_one("#picker-title").content) == "Merge Migrant safety into…"


async def test_a_theme_moves_two_levels_deep_with_keys_and_counts_roll_up(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)  # two passages on Human smuggling, one on Arms trafficking
        await pilot.press("c", "down", "greater_than_sign")  # Arms trafficking under Human smuggling
        await pilot.press("down", "greater_than_sign")  # Migrant safety under it too, after Arms
        await pilot.press("greater_than_sign")  # and under Arms trafficking: two levels deep
        lines = listed(app)
        assert lines[0].startswith("▾ ▌ 1  Human smuggling   2 annotations in 1 document"
                                   " · with sub-themes 3 annotations in 1 document")
        assert lines[1].startswith("    ▾ ▌ 2  Arms trafficking   1 annotation in 1 document"
                                   " · with sub-themes 1 annotation in 1 document")
        assert lines[2].startswith("          ▌ 3  Migrant safety   0 annotations in 0 documents")
        messages = [str(notification.message) for notification in app._notifications]
        assert "Migrant safety is now Human smuggling › Arms trafficking › Migrant safety" in messages
        await pilot.press("greater_than_sign")  # first under Arms trafficking: nothing above to go under
        assert any("no theme above" in str(n.message) for n in app._notifications)

        await pilot.press("up", "up", "left")  # fold Human smuggling
        assert listed(app)[0].startswith("▸ ▌ 1  Human smuggling")
        assert "Arms trafficking" not in "".join(listed(app))
        await pilot.press("right", "down", "down", "less_than_sign")  # Migrant safety back up a level
        assert app.workspace.store.theme_path(app.workspace.theme_for_key(3)) == "Human smuggling › Migrant safety"
        await pilot.press("G")  # to the top level, right after the subtree it leaves
        assert app.workspace.theme_for_key(3).parent is None
        assert [t.key for t in app.workspace.themes[:4]] == [1, 2, 3, 4]

        await pilot.press("escape", "t")  # the tagging picker names a nested theme with its path
        await type_text(pilot, "arms")
        assert any("Human smuggling › Arms trafficking" in line
                   for line in option_texts(app.screen.query_one("#picker-options")))
        await pilot.press("escape", "escape", "u", "u", "u", "u", "u")  # five moves undone
    assert all(theme["parent"] is None for theme in TinyDB(database).table("themes").all())


async def test_a_three_level_codebook_made_here_keeps_its_depth_through_qdpx_and_qdc(
        corpus_dir: Path, database: Path, tmp_path: Path) -> None:
    from tui.cli import main
    from tui.core import Workspace

    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)
        await search(pilot, "H1N1")
        await pilot.press("s", "3")  # a passage on Migrant safety, to be nested two levels down
        await pilot.press("c", "down", "greater_than_sign", "down", "greater_than_sign", "greater_than_sign")
        await pilot.press("escape", "q")
    paths = {"Arms trafficking": "Human smuggling › Arms trafficking",
             "Migrant safety": "Human smuggling › Arms trafficking › Migrant safety"}
    exported = tmp_path / "out.csv"
    assert main(["export", "--db", str(database), "--format", "csv", "--theme", "human smuggling",
                 "-o", str(exported)]) == 0
    rows = exported.read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 1 + 4 and ",Migrant safety," in rows[-1]  # two levels down, still in the theme
    for fmt in ("qdpx", "qdc"):
        output = tmp_path / f"out.{fmt}"
        assert main(["export", "--db", str(database), "--format", fmt, "-o", str(output)]) == 0
        again = tmp_path / f"again-{fmt}" / "annotations.json"
        assert main(["import", str(output), "--db", str(again)]) == 0
        workspace = Workspace.open_database(again)
        store = workspace.store
        assert {name: store.theme_path(store.theme_named(name)) for name in paths} == paths, fmt
        if fmt == "qdpx":
            migrant = store.theme_named("Migrant safety")
            [nested] = [a for a in workspace.annotations_in_order() if migrant.id in a.themes]
            assert "H1N1" in nested.quote
        workspace.close()
