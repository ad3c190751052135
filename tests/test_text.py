"""Decoding and text structure: the offsets everything else depends on."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.core.text import (
    BinaryContent,
    TextIndex,
    UndecodableText,
    decode_document,
    displayable,
    strip_span,
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
    with pytest.raises(BinaryContent):
        decode_document(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_undecodable_error_is_a_value_error() -> None:
    assert issubclass(BinaryContent, UndecodableText)


def test_control_characters_become_visible_one_for_one() -> None:
    raw = "a\x1b[31mred\x07\x9b\tb\n"
    shown = displayable(raw)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert len(shown) == len(raw)
    assert shown.endswith("\tb\n")


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
    with pytest.raises(UndecodableText, match="not UTF-8 and no text encoding fits"):
        decode_document(noise)
