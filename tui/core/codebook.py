"""Themes (codes) and where a new database gets its first codebook from.

A corpus folder may carry a ``codebook.json`` (``{"themes": [{"name": ..., "description":
..., "color": ...}]}``); a new database starts with those themes, in that order, the first nine
on keys 1..9. Without one, the codebook starts empty and grows from the theme picker.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import limits

CODEBOOK_NAME = "codebook.json"
KEYED_THEMES = 9

# Distinct, mid-lightness colours that read well as a background under light text and as
# chips on dark or light themes. New themes take the first colour no theme uses yet.
PALETTE = (
    "#e45756",  # red
    "#4c78a8",  # blue
    "#54a24b",  # green
    "#f58518",  # orange
    "#b279a2",  # purple
    "#72b7b2",  # teal
    "#eeca3b",  # yellow
    "#ff9da6",  # pink
    "#9d755d",  # brown
    "#bab0ac",  # grey
    "#8cd17d",  # light green
    "#79706e",  # dark grey
    "#d37295",  # rose
    "#a0cbe8",  # light blue
    "#ffbe7d",  # peach
    "#499894",  # dark teal
)


class CodebookError(Exception):
    """A codebook file cannot be read; the message names the file."""


@dataclass(frozen=True)
class ThemeSpec:
    """A theme as a codebook file describes it, before it has an id in a database."""

    name: str
    description: str = ""
    color: str | None = None
    parent: str | None = None  # the name of the theme it is grouped under (an imported codebook)
    path: tuple[str, ...] | None = None  # its ancestors' names, top first (() at the top): placed exactly
    guid: str = ""  # the GUID another tool gave it (REFI-QDA), kept so a round trip keeps it

    @property
    def key(self) -> tuple[str, ...]:
        """Where it sits, as ``Store.import_themes`` matches it: folded names from the top."""
        return (*map(folded, self.path or ()), folded(self.name))


@dataclass(frozen=True)
class Theme:
    """A theme stored in the database. ``key`` is its digit (1..9) or None; ``parent`` is the
    id of the theme it is grouped under, or None at the top level."""

    id: int
    name: str
    color: str
    key: int | None = None
    description: str = ""
    parent: int | None = None
    guid: str = ""  # its REFI-QDA GUID: made when it is created, kept from an imported project

    @property
    def label(self) -> str:
        return f"{self.key} {self.name}" if self.key else self.name


def read_codebook(folder: Path) -> list[ThemeSpec]:
    """The starting themes a corpus folder suggests, or none."""
    path = folder / CODEBOOK_NAME
    if not path.is_file():
        return []
    try:
        raw = json.loads(limits.read_file(path).decode("utf-8"))  # capped: never a FIFO, never huge
        return [
            ThemeSpec(
                name=str(item["name"]),
                description=str(item.get("description", "")),
                color=item.get("color"),
            )
            for item in raw["themes"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CodebookError(f"{path}: not a valid codebook ({error})") from None


GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def new_guid(kept: str | None = None) -> str:
    """``kept`` as a canonical GUID if it is one (``{…}`` braces and case do not count), else a
    new random one: every theme, document and annotation has its own, unlike any other
    project's, and keeps it across exports."""
    if kept and GUID.fullmatch(kept.strip("{}")):
        return kept.strip("{}").lower()
    return str(uuid.uuid4())


def folded(name: str) -> str:
    """A theme name as names are compared: case and runs of spaces do not count."""
    return " ".join(name.split()).casefold()


def next_color(used: set[str]) -> str:
    """The first palette colour not in ``used``; once all are used, cycle by count."""
    for color in PALETTE:
        if color not in used:
            return color
    return PALETTE[len(used) % len(PALETTE)]
