"""Transcripts: speaker turns, with their times, as spans of a document's text.

A plain-text transcript is a text whose paragraphs (or lines) are ``Speaker: text`` turns,
optionally after a time: ``[00:01:02] Ana: text`` or ``[1:02.5] Ana: text``. A ``.txt`` file
is taken for one when most of its non-blank lines start a turn and at least two turns are
found; its text is not changed, only the turns are recognised in it.

Subtitle files (``.vtt`` through webvtt-py, ``.srt`` through srt) are read as documents whose
text is one turn per cue, written the same way: ``[00:00:01.500] Ana: text``. The speaker is
a WebVTT voice (``<v Ana>``), else a leading ``Ana:`` in the cue, else none.

A turn runs from the start of its line to the start of the next turn (or the end of the
text), so text continuing on the lines below belongs to it. The speaker is an attribute for
queries (``speaker=Ana``) and matrices (``margin stats --by speaker``), and a copied
citation carries the turn's time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SUBTITLE_SUFFIXES = (".vtt", ".srt")
MIN_TURNS = 2
TURN_SHARE = 0.6  # of non-blank lines that must start a turn for a .txt to be a transcript

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
TURN = re.compile(
    rf"^[ \t]*(?:[\[(](?P<time>{_TIME})[\])][ \t]*)?"
    r"(?P<speaker>[^\W\d_][\w .'’-]{0,40}?)[ \t]*:[ \t]+(?=\S)",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Turn:
    """One speaker's turn: characters ``[start, end)`` of the text, and when it was said
    (seconds from the start of the recording, None when the transcript gives no time)."""

    start: int
    end: int
    speaker: str
    time: float | None = None

    @property
    def timestamp(self) -> str:
        return format_time(self.time) if self.time is not None else ""


def parse_time(text: str) -> float:
    """Seconds of ``1:02``, ``00:01:02.5`` or ``00:01:02,500``."""
    parts = text.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def format_time(seconds: float) -> str:
    """``00:01:02.500``: hours, minutes, seconds and milliseconds."""
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis / 1000:06.3f}"


def find_turns(text: str) -> list[Turn]:
    """Every ``Speaker: text`` turn in ``text``, each running to the next."""
    matches = list(TURN.finditer(text))
    turns = []
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        start = match.start()
        while end > start and text[end - 1] in "\n\r\t ":  # the blank lines after a turn are not part of it
            end -= 1
        time = match.group("time")
        turns.append(Turn(start, end, match.group("speaker").strip(), parse_time(time) if time else None))
    return turns


def looks_like_transcript(text: str, turns: list[Turn]) -> bool:
    if len(turns) < MIN_TURNS:
        return False
    lines = sum(1 for line in text.splitlines() if line.strip())
    return len(turns) >= TURN_SHARE * lines


CUE = re.compile(rf"^\[(?P<time>{_TIME})\][ \t]+(?:(?P<speaker>[^\W\d_][\w .'’-]{{0,40}}?)[ \t]*:[ \t]+(?=\S))?",
                 re.MULTILINE)


def find_cues(text: str) -> list[Turn]:
    """The turns of a subtitle file's text as ``subtitle_text`` writes it: every cue is a
    turn with its time, its speaker when it has one (else an empty name)."""
    matches = list(CUE.finditer(text))
    turns = []
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(text)
        while end > match.start() and text[end - 1] in "\n\r\t ":
            end -= 1
        turns.append(Turn(match.start(), end, (match.group("speaker") or "").strip(), parse_time(match.group("time"))))
    return turns


def turns_of(path: Path, text: str) -> list[Turn]:
    """The turns of a document: always for subtitles, for text files that look like a
    transcript, none for other kinds (HTML, Word, PDF)."""
    suffix = path.suffix.lower()
    if not text:
        return []
    if suffix in SUBTITLE_SUFFIXES:
        return find_cues(text)
    if suffix not in (".txt", ".md"):
        return []
    turns = find_turns(text)
    return turns if looks_like_transcript(text, turns) else []


# -- reading subtitle files -------------------------------------------------------------------

def subtitle_text(cues: list[tuple[float, str, str]]) -> str:
    """A transcript's text from ``(seconds, speaker, words)`` cues, in file order: one
    paragraph per cue, ``[00:00:01.500] Ana: words``, a cue's lines joined by spaces."""
    paragraphs = []
    for seconds, speaker, words in cues:
        words = " ".join(words.split())
        if not words:
            continue
        speaker = " ".join(speaker.split())
        paragraphs.append(f"[{format_time(seconds)}] {speaker + ': ' if speaker else ''}{words}")
    if not paragraphs:
        raise ValueError("no cues with text")
    return "\n\n".join(paragraphs) + "\n"


def read_vtt(data: bytes) -> tuple[str, str]:
    """A WebVTT file (webvtt-py): voices (``<v Ana>``) become speakers, tags are dropped."""
    import io

    import webvtt

    from .text import decode_document

    markup, encoding = decode_document(data)
    captions = webvtt.from_buffer(io.StringIO(markup)).captions
    return subtitle_text([(parse_time(c.start), c.voice or "", c.text) for c in captions]), f"vtt/{encoding}"


def read_srt(data: bytes) -> tuple[str, str]:
    """A SubRip file (srt), cues kept in file order (times may go back or overlap)."""
    import srt

    from .text import decode_document

    markup, encoding = decode_document(data)
    cues = [(cue.start.total_seconds(), "", cue.content) for cue in srt.parse(markup)]
    return subtitle_text(cues), f"srt/{encoding}"


def turn_at(turns: list[Turn], offset: int) -> Turn | None:
    """The turn holding ``offset``, if any."""
    import bisect

    index = bisect.bisect_right([turn.start for turn in turns], offset) - 1
    if index >= 0 and turns[index].start <= offset < max(turns[index].end, turns[index].start + 1):
        return turns[index]
    return None
