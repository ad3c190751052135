"""Keyboard (and mouse) flows through the real app, asserting what the user sees and what is saved."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SEEDS
from rich.cells import cell_len
from textual import events
from textual.widgets import TextArea
from tinydb import TinyDB

from tui.core import Workspace, quotation
from tui.ui.app import MarginApp
from tui.ui.screens.help import HelpScreen, key_map
from tui.ui.screens.memo import MemoEditor
from tui.ui.screens.prompt import ChoicePrompt
from tui.ui.screens.reader import ReaderScreen
from tui.ui.screens.theme_picker import ThemePicker
from tui.ui.widgets.document_pane import DocumentPane
from tui.ui.widgets.document_view import GUTTER_WIDTH, DocumentView

SIZE = (140, 40)


def with_seed_codebook(folder: Path) -> None:
    shutil.copy(SEEDS / "codebook.json", folder / "codebook.json")


def make_app(corpus: Path | list[Path], database: Path, panes: int = 2) -> MarginApp:
    paths = corpus if isinstance(corpus, list) else [corpus]
    return MarginApp(Workspace.open(paths, database=database, author="tester"), panes=panes)


def view_of(app: MarginApp, pane: int = 0) -> DocumentView:
    return app.screen.query(DocumentPane)[pane].view


def status_of(app: MarginApp, pane: int = 0) -> str:
    return str(app.screen.query(DocumentPane)[pane].query_one(".pane-status").content)


def cell_style(view: DocumentView, offset: int):
    """The style of the screen cell showing the character at ``offset`` (scrolled into view;
    the cursor must be elsewhere, or this reads the cursor's style)."""
    assert view.cursor != offset
    rows = view.layout_rows
    row, x = rows.column_of(offset)
    if not view.scroll_offset.y <= row < view.scroll_offset.y + view.scrollable_content_region.height:
        view.scroll_to(y=row, animate=False)
    strip = view.render_line(row - view.scroll_offset.y)
    position = 0
    for segment in strip:
        width = cell_len(segment.text)
        if position <= GUTTER_WIDTH + x < position + width:
            return segment.style
        position += width
    raise AssertionError(f"offset {offset} is not on screen")


def option_texts(option_list) -> list[str]:
    """What an ``OptionList`` shows, one string per option."""
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


def document_row(app: MarginApp, index: int) -> str:
    """What the document list shows for the ``index``-th document: title, then its count."""
    return app.screen.query_one("#documents").render_line(index).text.strip()


def visible_text(view: DocumentView) -> str:
    return "\n".join(view.render_line(y).text for y in range(view.scrollable_content_region.height))


async def type_text(pilot, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def tag_three_paragraphs(pilot) -> None:
    """In the first document: two paragraphs on theme 1, one on theme 2."""
    for needle, key in [("Greetings", "1"), ("Her promise", "2"), ("During the President", "1")]:
        await search(pilot, needle)
        await pilot.press("p", key, "escape")


async def search(pilot, query: str) -> None:
    await pilot.press("slash")
    await type_text(pilot, query)
    await pilot.press("enter")


async def test_search_then_n_and_N(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        text = view.document.text
        await search(pilot, "napolitano")  # lower case: case-insensitive
        first = text.index("Napolitano")
        assert view.cursor == first
        assert "match 1/" in status_of(app)
        await pilot.press("n")
        assert view.cursor == text.index("Napolitano", first + 1)
        await pilot.press("N")
        assert view.cursor == first
        assert view.has_focus  # the search field closed and gave focus back


async def test_search_with_capitals_is_case_sensitive(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Border Patrol")
        assert view.document.text[view.cursor:].startswith("Border Patrol")
        assert all(view.document.text[m.start:m.end] == "Border Patrol" for m in view.matches)


async def test_select_sentence_tag_highlight_and_restart(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        text = view.document.text
        plain = cell_style(view, text.index("Her promise")).bgcolor
        await search(pilot, "pledged")
        await pilot.press("s", "1", "escape")
        sentence = ("When Secretary Janet Napolitano took the reigns at Homeland Security, she pledged "
                    "to improve and strengthen DHS' collaboration with the Department's many partners.")
        (annotation,) = app.workspace.annotations(view.document).items
        assert annotation.quote == sentence
        tagged = cell_style(view, text.index("reigns")).bgcolor  # away from the search match
        assert tagged is not None and tagged != plain
        assert "Human smuggling" in status_of(app)
        assert "1 annotation" in status_of(app)
    saved = TinyDB(database).table("annotations").all()
    assert [record["quote"] for record in saved] == [sentence]

    restarted = make_app(corpus_dir, database)
    async with restarted.run_test(size=SIZE) as pilot:
        view = view_of(restarted)
        assert cell_style(view, view.document.text.index("reigns")).bgcolor == tagged


async def test_same_document_in_two_panes_is_highlighted_in_both(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "o", "home", "enter")  # second pane shows the first document too
        left, right = view_of(app, 0), view_of(app, 1)
        assert right.document is left.document and right.has_focus
        await search(pilot, "Greetings")
        await pilot.press("p", "2", "escape")
        offset = left.document.text.index("Department")
        assert cell_style(left, offset).bgcolor == cell_style(right, offset).bgcolor is not None
        assert "Arms trafficking" in status_of(app, 1)


async def test_digit_again_removes_the_theme(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Greetings")
        await pilot.press("1")  # no selection: the paragraph under the cursor
        (annotation,) = app.workspace.annotations(view.document).items
        assert annotation.quote == "Greetings from the Department of Homeland Security -"
        await pilot.press("3")
        assert len(app.workspace.annotations(view.document).items[0].themes) == 2
        await pilot.press("1", "3")
        assert len(app.workspace.annotations(view.document)) == 0
    assert TinyDB(database).table("annotations").all() == []


async def test_tagging_ends_the_selection_and_the_next_digit_edits_that_passage(
    corpus_dir: Path, database: Path
) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "pledged")
        await pilot.press("s", "1")
        assert view.selection is None and "selected" not in status_of(app)
        (tagged,) = app.workspace.annotations(view.document).items
        await pilot.press("h", "3")  # the cursor moved: no selection grew, the same passage gains 3
        (annotation,) = app.workspace.annotations(view.document).items
        assert (annotation.start, annotation.end) == (tagged.start, tagged.end)
        names = [app.workspace.theme(t).name for t in annotation.themes]
        assert names == ["Human smuggling", "Migrant safety"]
        await pilot.press("1")
        (annotation,) = app.workspace.annotations(view.document).items
        assert [app.workspace.theme(t).name for t in annotation.themes] == ["Migrant safety"]
        await search(pilot, "Her promise")  # outside any annotation: a digit codes the paragraph
        await pilot.press("2")
        assert len(app.workspace.annotations(view.document)) == 2
    saved = TinyDB(database).table("annotations").all()
    assert sorted(len(record["themes"]) for record in saved) == [1, 1]


async def test_character_selection_with_v_and_motion(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Greetings")
        await pilot.press("v", "w", "w", "h", "h")
        assert view.document.text[view.selection.start : view.selection.end] == "Greetings from"
        assert "14 selected" in status_of(app)
        await pilot.press("2")
        assert app.workspace.annotations(view.document).items[0].quote == "Greetings from"
        await pilot.press("escape")
        assert view.selection is None


async def test_vim_motions(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        index = view.document.index
        await pilot.press("right_curly_bracket")
        assert view.cursor == index.paragraphs[1][0]
        await pilot.press("right_curly_bracket", "left_curly_bracket")
        assert view.cursor == index.paragraphs[1][0]
        await pilot.press("G")
        assert view.cursor == len(view.document.text)
        await pilot.press("g")
        assert view.cursor == 0
        await pilot.press("j", "j", "k")
        assert index.line_of(view.cursor) == 1
        await pilot.press("ctrl+d")
        assert view.scroll_offset.y > 0
        half_page = view.scroll_offset.y
        await pilot.press("ctrl+u")
        assert view.scroll_offset.y < half_page
        await search(pilot, "reigns")
        rows = view.layout_rows
        row = rows.row_of(view.cursor)
        await pilot.press("0")
        assert view.cursor == rows.row_start(row)
        await pilot.press("dollar_sign")
        assert view.cursor == rows.last_offset_in_row(row)


async def test_theme_picker_filters_and_creates(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Greetings")
        await pilot.press("t")
        assert isinstance(app.screen, ThemePicker)
        await type_text(pilot, "arms")
        await pilot.press("enter")
        assert isinstance(app.screen, ReaderScreen)
        (annotation,) = app.workspace.annotations(view.document).items
        assert [app.workspace.theme(t).name for t in annotation.themes] == ["Arms trafficking"]
        await pilot.press("t")
        await type_text(pilot, "Public health")
        await pilot.press("enter")
        names = [app.workspace.theme(t).name for t in app.workspace.annotations(view.document).items[0].themes]
        assert names == ["Arms trafficking", "Public health"]
    themes = {record["name"]: record for record in TinyDB(database).table("themes").all()}
    assert themes["Public health"]["color"].startswith("#")


async def test_copy_with_citation_falls_back_to_the_terminal(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    messages: list[str] = []
    notify = app.notify
    app.notify = lambda message, **options: (messages.append(str(message)), notify(message, **options))[1]
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "pledged")
        await pilot.press("s", "y")
        selection = view.selection
        assert app.clipboard == quotation(view.document, selection.start, selection.end)
        assert "— Strengthening DHS Partnerships to Secure Our Borders" in app.clipboard
        assert any("OSC 52" in message for message in messages)


async def test_x_removes_the_annotation_under_the_cursor(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Greetings")
        await pilot.press("4", "x")
        assert len(app.workspace.annotations(view.document)) == 0
        await pilot.press("x")  # nothing left: a warning, not a crash
    assert TinyDB(database).table("annotations").all() == []


async def test_panes_cycle_add_and_close(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        assert len(app.screen.query(DocumentPane)) == 2
        await pilot.press("tab")
        assert view_of(app, 1).has_focus
        await pilot.press("tab")
        assert view_of(app, 0).has_focus
        await pilot.press("shift+tab")
        assert view_of(app, 1).has_focus
        await pilot.press("plus", "plus", "plus")
        assert len(app.screen.query(DocumentPane)) == 4
        titles = {pane.document.key for pane in app.screen.query(DocumentPane)}
        assert len(titles) == 4  # a new pane shows a document not yet on screen
        for _ in range(5):
            await pilot.press("minus")
        assert len(app.screen.query(DocumentPane)) == 1


async def test_document_list_opens_into_the_focused_pane(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o", "end", "enter")
        pane = app.screen.query(DocumentPane)[0]
        assert pane.document is app.workspace.documents[-1]
        assert "US-Mexico Security Relations" in str(pane.query_one(".pane-title").content)
        assert pane.view.has_focus


async def test_help_lists_every_key(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        described = {description for _, rows in key_map(app.screen.sections) for _, description, _ in rows}
        screens = [bindings for _, bindings in MarginApp.screen_sections()]
        for bindings in (DocumentView.BINDINGS, DocumentPane.BINDINGS, ReaderScreen.BINDINGS, MarginApp.BINDINGS,
                         *screens):
            for binding in bindings:
                assert (binding.tooltip or binding.description) in described
        assert "Merge into" in described and "Tag hits" in described
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)


async def click_at(pilot, view: DocumentView, offset: int, times: int = 1) -> None:
    """Click (twice: a double click) on the screen cell of the character at ``offset``."""
    row, x = view.layout_rows.column_of(offset)
    await pilot.click(view, offset=(GUTTER_WIDTH + x, row - view.scroll_offset.y), times=times)


def selected_text(view: DocumentView) -> str:
    return view.document.text[view.selection.start : view.selection.end]


async def test_click_focuses_the_pane_and_moves_the_cursor_double_and_triple_click_select(
    corpus_dir: Path, database: Path
) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        right = view_of(app, 1)
        text = right.document.text
        assert view_of(app, 0).has_focus
        await click_at(pilot, right, text.index("Brownsville") + 3)
        assert right.has_focus and right.cursor == text.index("Brownsville") + 3
        assert right.selection is None
        await click_at(pilot, right, text.index("Brownsville") + 3, times=2)  # no crash: a word
        assert selected_text(right) == "Brownsville"
        await click_at(pilot, right, text.index("Brownsville") + 3, times=3)
        assert selected_text(right) == text[text.index("BROWNSVILLE") : text.index("United States.") + 14]
        await pilot.press("1")  # a mouse selection is tagged like any other
        assert app.workspace.annotations(right.document).items[0].quote.startswith("BROWNSVILLE, Texas")


async def test_drag_selects_characters_and_the_wheel_scrolls(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await pilot.mouse_down(view, offset=(GUTTER_WIDTH + 0, 0))
        await pilot.hover(view, offset=(GUTTER_WIDTH + 7, 0))
        await pilot.mouse_up(view, offset=(GUTTER_WIDTH + 7, 0))
        assert selected_text(view) == "Set Text"
        assert "8 selected" in status_of(app)
        # Pilot has no wheel method in Textual 8: post the wheel events the way it posts clicks.
        await pilot._post_mouse_events([events.MouseScrollDown] * 3, view, offset=(20, 5))
        assert view.scroll_offset.y > 0


async def test_clicking_a_document_in_the_list_opens_it_in_the_current_pane(
    corpus_dir: Path, database: Path
) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")  # the second pane is the current one
        await pilot.click("#documents", offset=(3, 1 + 4))  # inside the border: the fifth row
        pane = app.screen.query(DocumentPane)[1]
        assert pane.document is app.workspace.documents[4]
        assert pane.view.has_focus
        assert app.screen.query(DocumentPane)[0].document is app.workspace.documents[0]  # the other stays


async def test_untrusted_text_is_shown_literally(tmp_path: Path, database: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("[bold]x[/bold] [link=app.quit]y[/] [@click=app.quit]z[/]\n\x1b[31mred\x1b[0m [/oops]\n")
    with_seed_codebook(tmp_path)
    app = make_app([hostile], database, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        shown = visible_text(view)
        assert "[bold]x[/bold] [link=app.quit]y[/] [@click=app.quit]z[/]" in shown
        assert "\x1b" not in shown and "␛[31mred␛[0m [/oops]" in shown
        title = str(app.screen.query_one(DocumentPane).query_one(".pane-title").content)
        assert title.startswith("[bold]x[/bold]")
        await pilot.press("p", "1")  # tagging it renders notifications and the list: no MarkupError
        assert app.is_running
        assert len(app.workspace.annotations(view.document)) == 1


async def test_tabs_wide_characters_and_combining_marks_keep_highlights_aligned(tmp_path: Path, database: Path) -> None:
    document = tmp_path / "mixed.txt"
    document.write_text("国境\tcafe\u0301 🌵 smuggling routes\n", encoding="utf-8")
    with_seed_codebook(tmp_path)
    app = make_app([document], database, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "smuggling")
        await pilot.press("v", "w", "h", "h", "1")  # from "s" to the word's last letter
        await pilot.press("escape", "g")
        text = view.document.text
        (annotation,) = app.workspace.annotations(view.document).items
        assert annotation.quote == "smuggling"
        strip = view.render_line(0)
        highlighted = "".join(
            segment.text for segment in strip if segment.style and segment.style.bgcolor
            and segment.style.bgcolor == cell_style(view, text.index("smuggling")).bgcolor
        )
        assert highlighted == "smuggling"


async def test_resize_rewraps_and_keeps_the_selection(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "pledged")
        await pilot.press("s")
        before = view.selection
        wide_rows = view.layout_rows.row_count
        await pilot.resize_terminal(70, 30)
        await pilot.pause()
        assert view.layout_rows.row_count > wide_rows
        assert view.selection == before
        assert cell_style(view, before.start + 1).reverse  # still drawn as selected


async def test_command_palette_offers_every_key(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert {"Sentence", "Paragraph", "Search", "Theme", "Copy", "Documents", "Help", "Tag with theme 3"} <= set(titles)
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Paragraph")
        await command.callback()
        await pilot.pause()
        assert view_of(app).selection is not None  # ran on the focused pane's view


async def test_search_wraps_around_and_highlights_a_match_split_across_rows(tmp_path: Path, database: Path) -> None:
    document = tmp_path / "long.txt"
    document.write_text("cooperation-" * 40 + "\n")  # no spaces: rows are cut mid-word
    app = make_app([document], database, panes=1)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        text = view.document.text
        await search(pilot, "cooperation")
        starts = [span.start for span in view.matches]
        assert len(starts) == 40 and view.cursor == starts[0]
        await pilot.press("G", "n")  # past the last match: wraps to the first
        assert view.cursor == starts[0]
        await pilot.press("N")  # before the first: wraps to the last
        assert view.cursor == starts[-1]
        assert "match 40/40" in status_of(app)
        await pilot.press("g")
        rows = view.layout_rows
        split = next(s for s in view.matches if rows.row_of(s.start) != rows.row_of(s.end - 1))
        for offset in (split.start, split.end - 1):  # both halves carry the match style
            assert cell_style(view, offset).bold, text[split.start : split.end]


async def test_nested_passages_show_the_inner_colour_and_underline_only_the_overlap(
    corpus_dir: Path, database: Path
) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        text = view.document.text
        await search(pilot, "Her promise")
        await pilot.press("p", "1", "escape")  # the paragraph: Human smuggling
        await search(pilot, "back-to-back")
        await pilot.press("v", *["l"] * 11, "2", "escape", "g")  # inside it: Arms trafficking
        outer = cell_style(view, text.index("Her promise") + 1)
        inner = cell_style(view, text.index("back-to-back") + 2)
        assert outer.bgcolor != inner.bgcolor and outer.bgcolor is not None
        assert not outer.underline and inner.underline
        assert document_row(app, 0).endswith(" 2")


async def test_memo_is_written_marked_in_the_gutter_and_saved(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Greetings")
        await pilot.press("1", "m")
        await type_text(pilot, "Opening pleasantry")
        await pilot.press("enter")
        await type_text(pilot, "not substantive")
        await pilot.press("ctrl+s")
        (annotation,) = app.workspace.annotations(view.document).items
        assert annotation.note == "Opening pleasantry\nnot substantive"
        row, _ = view.layout_rows.column_of(annotation.start)
        assert "✎" in view.render_line(row - view.scroll_offset.y).text[:GUTTER_WIDTH]
        await pilot.press("m", "escape")  # cancelling leaves it alone
        assert app.workspace.annotations(view.document).items[0].note == annotation.note
    assert TinyDB(database).table("annotations").all()[0]["note"] == "Opening pleasantry\nnot substantive"


def footer_keys(app: MarginApp) -> set[str]:
    """The key descriptions the footer of the active screen shows."""
    return {key.description for key in app.screen.query("FooterKey")}


async def test_a_changed_memo_is_never_lost_to_escape(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "Greetings")
        await pilot.press("1", "m")
        assert isinstance(app.screen, MemoEditor)
        await pilot.pause()
        assert {"Save", "Close"} <= footer_keys(app) and "Theme" not in footer_keys(app)
        await type_text(pilot, "draft")
        await pilot.press("escape")
        assert isinstance(app.screen, ChoicePrompt)  # changed: Escape asks
        await pilot.press("escape")  # ... and Escape in the question keeps editing
        assert isinstance(app.screen, MemoEditor)
        await type_text(pilot, " two")
        assert app.screen.query_one(TextArea).text == "draft two"
        await pilot.press("escape", "d")  # discard
        assert isinstance(app.screen, ReaderScreen)
        assert app.workspace.annotations(view.document).items[0].note == ""
        await pilot.press("m")
        await type_text(pilot, "kept")
        await pilot.press("escape", "s")  # save from the question
        assert isinstance(app.screen, ReaderScreen)
        assert app.workspace.annotations(view.document).items[0].note == "kept"
        await pilot.press("m")
        await type_text(pilot, " and clicked")
        await pilot.press("escape")
        answers = app.screen.query(".answer")
        await pilot.click(next(a for a in answers if a.name == "s"))  # the answers take clicks too
        assert app.workspace.annotations(view.document).items[0].note == "kept and clicked"
        await pilot.press("m", "escape")  # unchanged: Escape just closes
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("m")
        await type_text(pilot, "!")
        await pilot.press("ctrl+q")  # quitting asks too, and waits for the answer
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("ctrl+q", "d")
        assert isinstance(app.screen, ReaderScreen) and app.is_running
        await pilot.press("ctrl+q")  # with no memo open, Ctrl+Q quits
        assert app.return_code == 0
    assert TinyDB(database).table("annotations").all()[0]["note"] == "kept and clicked"


async def test_u_undoes_and_ctrl_r_redoes_on_screen_and_on_disk(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        text = view.document.text
        await search(pilot, "Her promise")
        await pilot.press("p", "1", "escape", "g")
        tagged = cell_style(view, text.index("Her promise") + 2).bgcolor
        await pilot.press("u")
        assert cell_style(view, text.index("Her promise") + 2).bgcolor != tagged
        assert document_row(app, 0).endswith(" 0")
        await pilot.press("ctrl+r")
        assert cell_style(view, text.index("Her promise") + 2).bgcolor == tagged
        await pilot.press("u")
    assert TinyDB(database).table("annotations").all() == []


async def test_t_on_an_annotation_edits_its_themes(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = view_of(app)
        await search(pilot, "back-to-back")
        await pilot.press("v", *["l"] * 11, "1", "escape", "h", "h")  # a short passage, cursor inside it
        await pilot.press("t")
        await type_text(pilot, "Migrant")
        await pilot.press("enter")
        (annotation,) = app.workspace.annotations(view.document).items
        assert annotation.quote == "back-to-back"
        assert {app.workspace.theme(t).name for t in annotation.themes} == {"Human smuggling", "Migrant safety"}


async def test_a_lazy_corpus_is_read_in_the_background_and_bad_files_reported(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(40):
        (folder / f"{number:02d}.txt").write_text(f"Report {number}\n\nText.\n", encoding="utf-8")
    (folder / "39.txt").write_bytes(b"\x00binary")
    workspace = Workspace.open([folder], database=tmp_path / "db.json", author="t", lazy=True)
    first, *others = workspace.documents
    assert first.loaded and not any(document.loaded for document in others)  # the first, to show it
    app = MarginApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Report 0" in str(app.screen.query(".pane-title").first().render())  # title once read
        assert "Report 0" in visible_text(view_of(app))
        assert all(document.loaded for document in workspace.documents)
        assert len(workspace.documents) == 39
        assert any("39.txt" in str(n.message) for n in app._notifications)
        assert document_row(app, 0).split() == ["Report", "0", "0"]  # title, then count
        assert app.screen.query_one("#documents").border_subtitle == ""
