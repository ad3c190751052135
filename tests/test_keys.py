"""The user's own keys: ``[keys]`` in ``$XDG_CONFIG_HOME/margin/config.toml``, by binding id."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.core import Workspace
from tui.core.config import MAX_CONFIG_BYTES, config_path, read_key_config
from tui.ui.app import MarginApp
from tui.ui.keymap import binding_places, load_keymap
from tui.ui.screens.help import HelpScreen, key_map
from tui.ui.widgets.document_pane import DocumentPane

SIZE = (140, 40)
KNOWN = {"view.sentence", "view.paragraph", "reader.undo", "reader.statistics"}


def write_config(config_dir: Path, text: str | bytes) -> Path:
    path = config_dir / "margin" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_the_config_file_is_in_xdg_config_home(private_config_dir: Path) -> None:
    assert config_path() == private_config_dir / "margin" / "config.toml"


def test_a_missing_config_is_no_keys_and_no_warning(private_config_dir: Path) -> None:
    config = read_key_config(config_path(), KNOWN)
    assert config.keys == {} and config.warnings == []


def test_valid_keys_quoted_or_dotted_one_or_several(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, '[keys]\nview.sentence = "ctrl+e"\n"reader.undo" = "u, ctrl+z"\n')
    config = read_key_config(path, KNOWN)
    assert config.keys == {"view.sentence": "ctrl+e", "reader.undo": "u,ctrl+z"}
    assert config.warnings == []


def test_an_unknown_id_is_named_with_its_line_and_the_rest_applies(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, '[keys]\nview.sentence = "ctrl+e"\nview.sentense = "ctrl+y"\n')
    config = read_key_config(path, KNOWN)
    assert config.keys == {"view.sentence": "ctrl+e"}
    [warning] = config.warnings
    assert "config.toml line 3" in warning and "view.sentense" in warning and "\n" not in warning


def test_a_value_that_is_not_text_is_ignored_with_a_warning(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, '[keys]\nreader.undo = 5\nview.paragraph = ["p"]\n')
    config = read_key_config(path, KNOWN)
    assert config.keys == {}
    assert len(config.warnings) == 2
    assert "line 2" in config.warnings[0] and "reader.undo" in config.warnings[0] and "quotes" in config.warnings[0]
    assert "line 3" in config.warnings[1] and "view.paragraph" in config.warnings[1]


def test_bad_toml_is_one_warning_with_the_line_and_default_keys(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, '[keys]\nview.sentence = "ctrl+e"\nreader.undo = ctrl+z\n')
    config = read_key_config(path, KNOWN)
    assert config.keys == {}
    [warning] = config.warnings
    assert "config.toml" in warning and "not valid TOML" in warning and "line 3" in warning


def test_an_oversized_or_binary_file_is_not_read(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, "[keys]\n" + "#" * MAX_CONFIG_BYTES + "\n")
    config = read_key_config(path, KNOWN)
    assert config.keys == {} and "not read" in config.warnings[0]
    write_config(private_config_dir, b"[keys]\n\xff\xfe\n")
    config = read_key_config(path, KNOWN)
    assert config.keys == {} and "UTF-8" in config.warnings[0]


def test_a_fifo_or_a_folder_is_not_waited_on(private_config_dir: Path) -> None:
    path = private_config_dir / "margin" / "config.toml"
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    config = read_key_config(path, KNOWN)
    assert config.keys == {} and "not a regular file" in config.warnings[0]
    path.unlink()
    path.mkdir()
    config = read_key_config(path, KNOWN)
    assert config.keys == {} and "config.toml" in config.warnings[0]  # "cannot be read (Is a directory)"


def test_unknown_sections_and_keys_textual_never_sends_are_reported(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, '[key]\nreader.undo = "z"\n[keys]\nreader.undo = "ctrl+nope"\n')
    config = load_keymap(path, MarginApp.BINDINGS)
    assert config.keys == {}
    assert len(config.warnings) == 2
    assert "line 1" in config.warnings[0] and "'key'" in config.warnings[0]
    assert "line 4" in config.warnings[1] and "'ctrl+nope' is not a key" in config.warnings[1]


def test_a_key_another_binding_has_in_the_same_place_keeps_the_default(private_config_dir: Path) -> None:
    path = write_config(private_config_dir, '[keys]\nview.sentence = "S"\nreader.undo = "ctrl+z"\nview.up = "ctrl+q"\n')
    config = load_keymap(path, MarginApp.BINDINGS)
    assert config.keys == {"reader.undo": "ctrl+z"}
    assert len(config.warnings) == 2
    assert "view.sentence" in config.warnings[0] and "reader.statistics" in config.warnings[0]
    assert "the reader" in config.warnings[0] and "config.toml" in config.warnings[0]
    assert "view.up" in config.warnings[1] and "built-in" in config.warnings[1]


def test_swapping_two_keys_is_no_conflict_and_other_places_may_reuse_a_key(private_config_dir: Path) -> None:
    path = write_config(private_config_dir,
                        '[keys]\nview.sentence = "p"\nview.paragraph = "s"\nbrowser.sort = "S"\n"?" = "x"\n')
    config = load_keymap(path, MarginApp.BINDINGS)
    assert config.keys == {"view.sentence": "p", "view.paragraph": "s", "browser.sort": "S"}
    assert len(config.warnings) == 1 and "[keys] ?: no key binding" in config.warnings[0]


def test_every_binding_id_can_be_configured_and_is_in_help() -> None:
    """The places the config checks and the help's sections cover every binding in tui.ui."""
    from test_ui_contracts import margin_classes

    every = {binding.id for cls in margin_classes() for binding in vars(cls).get("BINDINGS", [])}
    placed = {binding.id for _, bindings, _ in binding_places(MarginApp.BINDINGS) for binding in bindings}
    sections = MarginApp.key_sections(MarginApp) + MarginApp.screen_sections()  # type: ignore[arg-type]
    helped = {binding.id for _, bindings in sections for binding in bindings}
    assert placed == every
    assert helped == every


def test_help_merges_the_digit_row_until_one_digit_moves() -> None:
    from tui.ui.screens.reader import ReaderScreen

    [(_, rows)] = key_map([("Coding", ReaderScreen.BINDINGS[:9])])
    assert [(keys, binding_id) for keys, _, binding_id in rows] == [("1–9", "reader.tag-theme-1…9")]
    [(_, rows)] = key_map([("Coding", ReaderScreen.BINDINGS[:9])], {"reader.tag-theme-3": "ctrl+y"})
    assert [(keys, binding_id) for keys, _, binding_id in rows] == [
        ("1–2", "reader.tag-theme-1…2"), ("Ctrl+y", "reader.tag-theme-3"), ("4–9", "reader.tag-theme-4…9")]


def make_app(corpus_dir: Path, database: Path) -> MarginApp:
    return MarginApp(Workspace.open([corpus_dir], database=database, author="tester"), panes=1)


async def test_a_remapped_key_runs_its_binding_and_help_shows_it(
    corpus_dir: Path, database: Path, private_config_dir: Path
) -> None:
    write_config(private_config_dir, '[keys]\nview.sentence = "ctrl+e"\n')
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query(DocumentPane)[0].view
        await pilot.press("s")  # no longer the sentence key
        assert view.selection is None
        await pilot.press("ctrl+e")
        assert view.selection is not None and view.selection.end > view.selection.start
        assert not app._notifications
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = [row for _, rows in key_map(app.screen.sections, app.screen.keymap) for row in rows]
        assert ("Ctrl+e", "Sentence", "view.sentence") in rows
        assert ("s", "Sentence", "view.sentence") not in rows
        assert app.screen.config == str(Path("config") / "margin" / "config.toml") or app.screen.config.endswith(
            str(Path("margin") / "config.toml"))
        config_line = str(app.screen.query_one("#help-config").render())
        assert "config.toml" in config_line and "[keys]" in config_line


async def test_a_bad_config_notifies_and_margin_opens_with_default_keys(
    corpus_dir: Path, database: Path, private_config_dir: Path
) -> None:
    write_config(private_config_dir, '[keys]\nview.sentence = ctrl+e\n')
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [str(notification.message) for notification in app._notifications]
        assert len(messages) == 1 and "not valid TOML" in messages[0] and "config.toml" in messages[0]
        view = app.screen.query(DocumentPane)[0].view
        await pilot.press("s")
        assert view.selection is not None


@pytest.mark.parametrize("key", ["ctrl+e", "#", "Alt+S", "pagedown"])
def test_the_keys_a_config_may_name(key: str, private_config_dir: Path) -> None:
    path = write_config(private_config_dir, f'[keys]\nview.sentence = "{key}"\n')
    config = load_keymap(path, MarginApp.BINDINGS)
    expected = {"#": "number_sign", "Alt+S": "alt+S"}.get(key, key)
    if key == "pagedown":  # the reader's page down already has it
        assert config.keys == {} and "view.page-down" in config.warnings[0]
    else:
        assert config.keys == {"view.sentence": expected} and config.warnings == []


def test_textual_applies_a_swap_of_two_keys() -> None:
    """What ``set_keymap`` does with a swap: each key runs the other's action, none is lost."""
    from textual.binding import BindingsMap

    from tui.ui.widgets.document_view import DocumentView

    bindings = BindingsMap(DocumentView.BINDINGS)
    result = bindings.apply_keymap({"view.sentence": "p", "view.paragraph": "s"})
    assert not result.clashed_bindings
    assert [binding.action for binding in bindings.key_to_bindings["p"]] == ["select_sentence"]
    assert [binding.action for binding in bindings.key_to_bindings["s"]] == ["select_paragraph"]
    assert [binding.action for binding in bindings.key_to_bindings["v"]] == ["toggle_selection"]
