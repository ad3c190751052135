"""Transcripts: .vtt (webvtt-py), .srt (srt) and plain ``Speaker: text`` turns, read as
documents whose turns keep speaker and time; speaker in queries, matrices and citations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.core import CorpusError, Workspace, quotation
from tui.core.corpus import load_document, open_corpus
from tui.core.matrix import compute
from tui.core.query import evaluate
from tui.core.transcripts import find_turns, format_time, parse_time

VTT = """WEBVTT

NOTE cues overlap, go back in time, have no hours, and one is empty

intro
00:00:01.000 --> 00:00:04.000
<v Ana>Welcome to the
border crossing.</v>

00:03.500 --> 00:05.000
<v Ben>Thanks, Ana.

00:00:02.000 --> 00:00:02.000
Ana: Zero-length but valid.

01:02:03.456 --> 01:02:04.000 align:start
<v.loud Ben>Late cue with settings.

00:00:10.000 --> 00:00:11.000

"""

SRT = """1
00:00:05,000 --> 00:00:07,000
Ana: Second in time,
first in the file.

3
00:00:01,000 --> 00:00:09,000
Ben: Long, overlapping cue.

2
00:00:02,500 --> 00:00:02,500
No speaker here.
"""

PLAIN = """Interview 4, field notes

[00:00:05] Ana: How did you cross?
Ben: At night.
It took hours.

[1:02.5] Ana: And after?
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_vtt_cues_become_turns_with_speaker_and_time(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "talk.vtt", VTT))
    assert document.text == ("[00:00:01.000] Ana: Welcome to the border crossing.\n\n"
                             "[00:00:03.500] Ben: Thanks, Ana.\n\n"
                             "[00:00:02.000] Ana: Zero-length but valid.\n\n"
                             "[01:02:03.456] Ben: Late cue with settings.\n")
    turns = document.turns
    assert [(t.speaker, t.time) for t in turns] == [("Ana", 1.0), ("Ben", 3.5), ("Ana", 2.0), ("Ben", 3723.456)]
    assert [document.text[t.start:t.end] for t in turns][1] == "[00:00:03.500] Ben: Thanks, Ana."
    assert document.encoding == "vtt/utf-8"


def test_srt_keeps_file_order_and_odd_times(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "talk.srt", SRT))
    assert [(t.speaker, t.time) for t in document.turns] == [("Ana", 5.0), ("Ben", 1.0), ("", 2.5)]
    assert "[00:00:05.000] Ana: Second in time, first in the file." in document.text


def test_plain_transcripts_are_recognised_in_place(tmp_path: Path) -> None:
    document = load_document(write(tmp_path, "notes.txt", PLAIN))
    assert document.text == PLAIN  # the text is not changed, only its turns found
    assert [(t.speaker, t.time, PLAIN[t.start:t.end]) for t in document.turns] == [
        ("Ana", 5.0, "[00:00:05] Ana: How did you cross?"),
        ("Ben", None, "Ben: At night.\nIt took hours."),
        ("Ana", 62.5, "[1:02.5] Ana: And after?")]
    prose = load_document(write(tmp_path, "prose.txt", "Note: one line.\nA long paragraph of prose.\n" * 3
                                + "More prose without speakers.\n" * 5))
    assert prose.turns == []  # a few "Word:" lines do not make a transcript


def test_turn_pattern_ignores_times_and_urls() -> None:
    assert find_turns("At 10:30 we left.\nhttp://x.org: no\n") == []
    assert parse_time("00:01:02,500") == 62.5 and format_time(3723.456) == "01:02:03.456"


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("broken.vtt", "not a vtt file\n", "not a readable WebVTT file"),
    ("empty.vtt", "WEBVTT\n", "not a readable WebVTT file (ValueError: no cues with text)"),
    ("broken.srt", "1\nnot a time\nhello\n", "not a readable SubRip (.srt) file"),
])
def test_broken_subtitles_are_one_line_errors(tmp_path: Path, name: str, content: str, problem: str) -> None:
    with pytest.raises(CorpusError) as error:
        load_document(write(tmp_path, name, content))
    assert problem in str(error.value) and "\n" not in str(error.value)
    write(tmp_path, "fine.txt", "A readable document.\n")
    assert [d.path.name for d in open_corpus([tmp_path]).documents] == ["fine.txt"]  # skipped in a folder


@pytest.fixture
def coded(tmp_path: Path) -> Workspace:
    folder = tmp_path / "corpus"
    write(folder, "talk.vtt", VTT)
    write(folder, "notes.txt", PLAIN)
    workspace = Workspace.open([folder], database=tmp_path / "annotations" / "annotations.json", author="t")
    fear = workspace.create_theme("Crossing")
    notes, talk = workspace.documents
    for document, quote in ((talk, "border crossing"), (talk, "Late cue"), (notes, "How did you cross?"),
                            (notes, "At night")):
        start = document.text.index(quote)
        workspace.toggle_theme(document, start, start + len(quote), fear)
    yield workspace
    workspace.close()


def test_speaker_filters_queries_and_makes_matrix_rows(coded: Workspace) -> None:
    found = {d.path.name: [d.text[s:e] for s, e in spans] for d, spans in evaluate(coded, '"Crossing" AND speaker=ben').items()}
    assert found == {"notes.txt": ["At night"], "talk.vtt": ["Late cue"]}
    matrix = compute(coded, "speaker")
    assert matrix.values == ["Ana", "Ben"] and matrix.cells == [[2], [2]]


def test_a_copied_citation_carries_the_time(coded: Workspace) -> None:
    talk = coded.documents[1]
    start = talk.text.index("Late cue")
    assert "Ben at 01:02:03.456 (characters" in quotation(talk, start, start + 8)
    notes = coded.documents[0]
    start = notes.text.index("At night")
    assert ", Ben (characters" in quotation(notes, start, start + 8)
