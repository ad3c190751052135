"""Decoding and text structure: the offsets everything else depends on."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.core.text import (
    BinaryContent,
    TextIndex,
    UndecodableText,
    counted,
    decode_document,
    displayable,
    one_line,
    strip_span,
    terminal_safe,
    title_from_text,
)


def test_utf8_is_decoded_as_is() -> None:
    assert decode_document("Gómez-Mont — 国境 🌵".encode()) == ("Gómez-Mont — 国境 🌵", "utf-8")


def test_bom_is_dropped_and_recorded() -> None:
    text, encoding = decode_document(codecs.BOM_UTF8 + b"Hello")
    assert (text, encoding) == ("Hello", "utf-8-sig")


def test_utf16_with_bom() -> None:
    assert decode_document("Frontera\nSur".encode("utf-16"))[0] == "Frontera\nSur"


def test_crlf_and_cr_become_lf() -> None:
    assert decode_document(b"one\r\ntwo\rthree\n")[0] == "one\ntwo\nthree\n"


def test_legacy_encoding_is_detected() -> None:
    data = ("La cooperación bilateral entre México y los Estados Unidos es esencial para la "
            "seguridad fronteriza y la protección de los migrantes.").encode("cp1252")
    text, encoding = decode_document(data)
    assert "cooperación" in text and "México" in text
    assert encoding != "utf-8"


def test_binary_is_refused() -> None:
    # The message is what the user reads when a corpus holds such a file.
    with pytest.raises(BinaryContent, match="^binary file, not a text document$"):
        decode_document(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_undecodable_error_is_a_value_error() -> None:
    assert issubclass(BinaryContent, UndecodableText)


def test_control_characters_become_visible_one_for_one() -> None:
    raw = "a\x1b[31mred\x07\x9b\tb\n"
    shown = displayable(raw)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert len(shown) == len(raw)
    assert shown.endswith("\tb\n")


def test_terminal_safe_escapes_what_drives_or_spoofs_a_terminal() -> None:
    hostile = ("red\x1b[31m clip\x1b]52;c;ZXZpbA==\x07 csi\x9b2J del\x7f "
               "\u202eevil\u2066x\u2069 \u200e\u061c\u200b")
    shown = terminal_safe(hostile)
    assert shown == ("red\\u001b[31m clip\\u001b]52;c;ZXZpbA==\\u0007 csi\\u009b2J del\\u007f "
                     "\\u202eevil\\u2066x\\u2069 \\u200e\\u061c\\u200b")
    assert terminal_safe("one\ntwo\rthree") == "one\\ntwo\\rthree"  # a line stays one line
    assert terminal_safe("tag\U000e0041") == "tag\\udb40\\udc41"
    assert terminal_safe("byte\udcff") == "byte\\udcff"  # printable, where the raw surrogate is not
    kept = "Gómez 国境 tab\there می\u200cخواهم 👩\u200d💻 \u0600"
    assert terminal_safe(kept) == kept


def test_terminal_safe_escapes_every_format_character_but_joiners_and_visible_marks() -> None:
    import unicodedata

    visible_marks = {0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2,
                     0x110BD, 0x110CD}
    for code in range(0x110000):
        character = chr(code)
        category = unicodedata.category(character)
        if category in {"Cc", "Cf", "Zl", "Zp", "Cs"} and character != "\t" and code not in visible_marks | {
                0x200C, 0x200D}:
            assert terminal_safe(character).startswith("\\"), hex(code)


@given(st.text())
def test_json_printed_through_terminal_safe_means_the_same(value: str) -> None:
    import json

    rendered = json.dumps({"name": value, "list": [value, "x"]}, ensure_ascii=False)  # one line
    assert json.loads(terminal_safe(rendered)) == {"name": value, "list": [value, "x"]}


def test_paragraphs_are_runs_of_non_blank_lines() -> None:
    text = "Title\n\nFirst line\nsecond line\n   \nLast"
    index = TextIndex(text)
    assert [text[s:e] for s, e in index.paragraphs] == ["Title", "First line\nsecond line", "Last"]
    assert index.paragraph_at(text.index("second")) == index.paragraphs[1]
    assert index.paragraph_at(text.index("   ")) is None


def test_paragraph_navigation() -> None:
    text = "One\n\nTwo two\n\nThree"
    index = TextIndex(text)
    assert index.next_paragraph_start(0) == text.index("Two")
    assert index.next_paragraph_start(text.index("Three")) == len(text)
    assert index.previous_paragraph_start(text.index("two")) == text.index("Two")
    assert index.previous_paragraph_start(text.index("Two")) == 0


def test_sentences_respect_abbreviations_and_initials() -> None:
    text = ("The U.S. Border Patrol met Dr. Ruiz on Sept. 14 in El Paso. Officials agreed! "
            "“Work continues,” he said.")
    index = TextIndex(text)
    first = index.sentence_at(text.index("Ruiz"))
    assert text[slice(*first)] == "The U.S. Border Patrol met Dr. Ruiz on Sept. 14 in El Paso."
    assert text[slice(*index.sentence_at(text.index("agreed")))] == "Officials agreed!"
    assert text[slice(*index.sentence_at(text.index("said")))] == "“Work continues,” he said."


def test_the_space_after_a_full_stop_belongs_to_the_next_sentence() -> None:
    text = "Guns went south.  Money went north. Shelters were full."
    index = TextIndex(text)
    period = text.index(".")
    assert text[slice(*index.sentence_at(period))] == "Guns went south."
    for space in (period + 1, period + 2):
        assert text[slice(*index.sentence_at(space))] == "Money went north."
    last = text.index(" Shelters")
    assert text[slice(*index.sentence_at(last))] == "Shelters were full."


SENTENCE_CASES = [
    ("Police seized 312 rifles in 2019. Migrants were stranded.",
     ["Police seized 312 rifles in 2019.", "Migrants were stranded."]),
    ('He said "stop." Then he left.', ['He said "stop."', "Then he left."]),
    ("He said “stop”. Then he left.", ["He said “stop”.", "Then he left."]),
    ("(see annex.) The next part.", ["(see annex.)", "The next part."]),
    ("It was late (see annex). The next part.", ["It was late (see annex).", "The next part."]),
    ("Dr. Smith met U.S. officials at 9 a.m. on Monday. They agreed.",
     ["Dr. Smith met U.S. officials at 9 a.m. on Monday.", "They agreed."]),
    ("e.g. this. And that.", ["e.g. this.", "And that."]),
    ("Section 3.2 says so. Next.", ["Section 3.2 says so.", "Next."]),
    ("Wait... What? Really?! Yes.", ["Wait...", "What?", "Really?!", "Yes."]),
    ("1. Guns went south. 2. Money went north.", ["1. Guns went south.", "2. Money went north."]),
    ("We met at 9 a.m. The talks ran late.", ["We met at 9 a.m.", "The talks ran late."]),
    ("The exam-\nple ends here. Next one.", ["The exam-\nple ends here.", "Next one."]),
]


@pytest.mark.parametrize(("text", "sentences"), SENTENCE_CASES, ids=[case[0][:24] for case in SENTENCE_CASES])
def test_sentences_end_where_they_are_written(text: str, sentences: list[str]) -> None:
    index = TextIndex(text)
    found = []
    for offset in range(len(text)):
        sentence = text[slice(*index.sentence_at(offset))]
        if not found or found[-1] != sentence:
            found.append(sentence)
    assert found == sentences


def test_sentences_of_a_long_paragraph_are_found_in_a_few_milliseconds() -> None:
    import time

    paragraph = " ".join(sentence for text, _ in SENTENCE_CASES for sentence in [text.replace("\n", " ")]) * 20
    index = TextIndex(paragraph)
    index.sentence_at(0)  # loads the segmenter and splits the paragraph once
    started = time.perf_counter()
    for offset in range(0, len(paragraph), 97):
        index.sentence_at(offset)
    assert (time.perf_counter() - started) / len(range(0, len(paragraph), 97)) < 0.002


WORDS = ["Smith", "went", "south", "Dr.", "U.S.", "a.m.", "e.g.", "2019.", "3.2", '"stop."', "“stop”.", "(annex.)",
         "(annex).", "...", "…", "?!", "!", "?", ".", "—", "x", "Él", "国境", ",", "1.", "'", '"']


@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from([" ", "  ", "\n", "", "\t"])), min_size=1,
                max_size=40))
def test_sentences_tile_their_paragraph(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + space for word, space in parts).strip()
    index = TextIndex(text)
    spans = []
    for offset in range(len(text) + 1):
        start, end = index.sentence_at(offset)
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == text[start:end].strip()
        assert start <= offset < end or text[offset:start].isspace() or offset == end == len(text)
        if not spans or spans[-1] != (start, end):
            spans.append((start, end))
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end <= start and not text[end:start].strip()  # never overlapping, only spaces between
    assert spans[0][0] == 0 and spans[-1][1] == len(text)


def test_sentence_in_the_seed_corpus(workspace) -> None:
    document = workspace.documents[2]
    offset = document.text.index("OASISS promotes")
    start, end = document.index.sentence_at(offset)
    assert document.text[start:end].startswith("Both countries recognized")
    assert document.text[start:end].endswith("human smuggling and trafficking.")


def test_word_motion() -> None:
    text = "alpha, beta  gamma"
    index = TextIndex(text)
    assert index.next_word_start(0) == text.index(",")
    assert index.next_word_start(text.index(",")) == text.index("beta")
    assert index.previous_word_start(text.index("gamma")) == text.index("beta")
    assert index.previous_word_start(text.index("eta")) == text.index("beta")
    assert index.previous_word_start(0) == 0


def test_word_at_is_what_a_double_click_selects() -> None:
    text = "alpha, beta  gamma\nnext"
    index = TextIndex(text)
    assert index.word_at(text.index("eta")) == (text.index("beta"), text.index("beta") + 4)
    assert index.word_at(text.index(",")) == (5, 6)  # punctuation on its own
    assert index.word_at(text.index("  ")) is None
    assert index.word_at(len(text) - 1) == (text.index("next"), len(text))


def test_strip_span_and_titles() -> None:
    assert strip_span("  quote \n", 0, 9) == (2, 7)
    assert title_from_text("\n\n  Set\x1b Text  \n", "x") == "Set␛ Text"
    assert title_from_text("\n\n", "fallback") == "fallback"


lines = st.lists(st.sampled_from(["", "  ", "word", "two words", "x. Y!", "\t", "é 国"]), max_size=20)


@given(lines)
def test_paragraph_spans_cover_exactly_the_non_blank_lines(parts: list[str]) -> None:
    text = "\n".join(parts)
    index = TextIndex(text)
    covered = {index.line_of(o) for s, e in index.paragraphs for o in range(s, e)}
    non_blank = {n for n, part in enumerate(parts) if part.strip()}
    assert covered == non_blank
    for start, end in index.paragraphs:
        assert text[start:end] == text[start:end].strip("\n")


@given(st.text(alphabet=st.sampled_from("ab .,!\n\té"), max_size=80), st.data())
def test_word_motion_always_progresses(text: str, data) -> None:
    index = TextIndex(text)
    offset = data.draw(st.integers(0, len(text)))
    assert offset < index.next_word_start(offset) or offset == len(text)
    assert index.previous_word_start(offset) <= max(0, offset - 1) or offset == 0


def test_bytes_that_fit_no_encoding_are_refused() -> None:
    noise = bytes(range(128, 256)) * 4
    with pytest.raises(UndecodableText, match="^not UTF-8 and no text encoding fits$"):
        decode_document(noise)


def test_counts_read_as_english(workspace) -> None:
    from tui.core.maintenance import DatabaseReport
    from tui.core.workspace import ReanchorReport

    assert [counted(n, "annotation") for n in (0, 1, 2)] == ["0 annotations", "1 annotation", "2 annotations"]
    document = workspace.documents[0]
    assert ReanchorReport(document, unchanged=1, moved=0, orphaned=0).message.endswith(
        "changed; 1 annotation still in place")
    assert ReanchorReport(document, unchanged=0, moved=1, orphaned=0).message.startswith("1 annotation moved")
    assert "  1 problem:" in DatabaseReport(Path("db.json"), problems=["broken"]).lines()


def test_every_offset_belongs_to_its_paragraph_or_to_none() -> None:
    """Offset by offset: a paragraph holds its first character, not the newline after it
    (that is a blank line's or the next line's), and the text's end belongs to the last."""
    text = "\n\nab\n\ncd"
    index = TextIndex(text)
    first, last = (2, 4), (6, 8)
    expected = [None, None, first, first, None, None, last, last, last]
    assert [index.paragraph_at(offset) for offset in range(len(text) + 1)] == expected
    # Before the first paragraph there is nothing to go back to but the text's start.
    assert [index.previous_paragraph_start(offset) for offset in (0, 1, 3, 5, 7)] == [0, 0, 2, 2, 6]


@pytest.mark.parametrize(
    ("text", "at", "sentence"),
    [
        # A paragraph's unfinished last sentence stops at the paragraph, not at the next one's end.
        ("First one. Second half\n\nThird one. Fourth.", "half", "Second half"),
        # Just past a full stop is the next sentence.
        ("First one. Second one.", " Second", "Second one."),
        ("Hello. World is round.", "Hello", "Hello."),  # a word at the very start of the text
        ("Go. Now run.", "Go", "Go."),  # a two-letter word is not an abbreviation
        ("Agent J. Smith arrived. Then he left.", "Agent", "Agent J. Smith arrived."),  # an initial
        ("See cbp.org. Then call.", "See", "See cbp.org. Then call."),  # a dotted name never ends one
    ],
)
def test_sentence_boundaries(text: str, at: str, sentence: str) -> None:
    start, end = TextIndex(text).sentence_at(text.index(at))
    assert text[start:end] == sentence


def test_word_motion_back_across_long_runs() -> None:
    """``b`` looks back in windows of a few hundred characters: a word or a run of spaces
    longer than a window must not stop it inside the word or return the wrong start."""
    long_word = "x" * 300
    assert TextIndex(long_word).previous_word_start(300) == 0
    assert TextIndex("  ab").previous_word_start(4) == 2
    text = "a b" + " " * 254 + "next"
    assert TextIndex(text).previous_word_start(text.index("next")) == 2


@given(st.text(alphabet=st.sampled_from(" \n\tab"), max_size=12), st.data())
def test_strip_span_trims_exactly_the_outer_whitespace(text: str, data) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    stripped_start, stripped_end = strip_span(text, start, end)
    assert start <= stripped_start <= stripped_end <= end
    assert text[stripped_start:stripped_end] == text[start:end].strip()


@pytest.mark.parametrize(
    ("text", "limit", "title"),
    [
        ("2024\nRio\n", 80, "Rio"),  # a line without letters is not a title; three characters are
        ("Ox\nRio\n", 80, "Rio"),  # two are not
        ("word " * 30, 11, "word word…"),  # cut, then the space before the ellipsis dropped
        ("word " * 30, 12, "word word w…"),
        ("abcdefghij", 10, "abcdefghij"),  # exactly the limit: whole
        ("abcdefghijk", 10, "abcdefghi…"),
        ("x" * 200, 80, "x" * 79 + "…"),
    ],
)
def test_title_from_text(text: str, limit: int, title: str) -> None:
    assert title_from_text(text, "fallback", limit) == title


def test_title_is_eighty_characters_at_most_by_default() -> None:
    assert title_from_text("y" * 200, "fallback") == "y" * 79 + "…"


def test_one_line_and_counted() -> None:
    assert one_line("  Border\n\tpatrol  ", 20) == "Border patrol"
    assert one_line("abcde", 5) == "abcde"
    assert one_line("abcdef", 5) == "abcd…"
    assert [counted(n, "note") for n in (0, 1, 2)] == ["0 notes", "1 note", "2 notes"]


BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidi_controls_become_visible_one_for_one() -> None:
    raw = f"invoice\u202egnp.exe {BIDI} שלום"
    shown = displayable(raw)
    assert len(shown) == len(raw)
    assert not set(BIDI) & set(shown)
    assert shown.startswith("invoice\ufffdgnp.exe ") and shown.endswith(" שלום")
    kept = "Gómez 国境 می\u200cخواهم 👩\u200d💻"  # joiners are not bidi controls
    assert displayable(kept) == kept


def test_every_notice_and_prompt_of_the_reader_shows_bidi_and_controls_as_stand_ins(monkeypatch) -> None:
    from textual.app import App

    from tui.ui.app import MarginApp
    from tui.ui.screens.prompt import TextPrompt
    from tui.ui.screens.theme_picker import ThemePicker

    shown = []
    monkeypatch.setattr(App, "notify", lambda self, message, **options: shown.append((message, options)))
    app = object.__new__(MarginApp)  # only its notify is under test
    app.notify("Tagged 3 passages with evil\u202eeman\x1b[2J", title="th\u2067eme", markup=False)
    assert shown == [("Tagged 3 passages with evil\ufffdeman\u241b[2J", {"title": "th\ufffdeme", "markup": False})]
    import inspect

    for screen in (TextPrompt, ThemePicker):  # their headings quote theme names
        assert "displayable(" in inspect.getsource(screen.compose)
