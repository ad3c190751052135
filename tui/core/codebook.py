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

# A qualitative palette that colour-blind readers can tell apart and that reads both as a
# softened background under text and as a chip on dark or light terminals: the Okabe–Ito
# colours first (black, unusable as a highlight, becomes grey), then Paul Tol's "muted" set
# and his "pear" for more. The most distinct come first, since most codebooks are short.
SWATCHES = (
    ("sky blue", "#56b4e9"),
    ("orange", "#e69f00"),
    ("bluish green", "#009e73"),
    ("reddish purple", "#cc79a7"),
    ("blue", "#0072b2"),
    ("vermilion", "#d55e00"),
    ("yellow", "#f0e442"),
    ("grey", "#999999"),
    ("rose", "#cc6677"),
    ("sand", "#ddcc77"),
    ("teal", "#44aa99"),
    ("cyan", "#88ccee"),
    ("olive", "#999933"),
    ("purple", "#aa4499"),
    ("green", "#117733"),
    ("pear", "#bbcc33"),
)
PALETTE = tuple(color for _, color in SWATCHES)
_HEX_COLOR = re.compile(r"#[0-9a-f]{6}")


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
    from .import_records import check_name  # msgspec's record types: only when there is a codebook

    try:
        raw = json.loads(limits.read_file(path).decode("utf-8"))  # capped: never a FIFO, never huge
        for index, item in enumerate(raw["themes"]):
            check_name(str(item["name"]), f"themes[{index}]: ")
        return [
            ThemeSpec(
                name=str(item["name"]),
                description=str(item.get("description", "")),
                color=parse_color(color) if isinstance(color := item.get("color"), str) else None,  # else the palette's
            )
            for item in raw["themes"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CodebookError(f"{path}: not a valid codebook ({error})") from None
    except RecursionError:  # JSON nested deeper than the decoder goes
        raise CodebookError(f"{path}: not a valid codebook (nested too deeply)") from None


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
    """The first palette colour no theme uses (ignoring case), so that every theme has its own
    colour while one is free; once all are taken, cycle by count."""
    taken = {color.casefold() for color in used}
    for color in PALETTE:
        if color not in taken:
            return color
    return PALETTE[len(used) % len(PALETTE)]


def parse_color(text: str) -> str | None:
    """``#rrggbb`` (any case, surrounding spaces allowed) in the lower case the palette uses,
    or None if ``text`` is not such a colour."""
    color = text.strip().casefold()
    return color if _HEX_COLOR.fullmatch(color) else None
