"""Themes (codes) and where a new database gets its first codebook from.

A corpus folder may carry a ``codebook.json`` (``{"themes": [{"name": ..., "description":
..., "color": ...}]}``); a new database starts with those themes, in that order, the first nine
on keys 1..9. Without one, the codebook starts empty and grows from the theme picker.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import limits

CODEBOOK_NAME = "codebook.json"
KEYED_THEMES = 9
PATH_SEPARATOR = " › "

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
    digit: int | None = None  # its digit key in the file (a JSON-lines codebook), taken by a fresh codebook

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
    """A theme name (or an attribute's value) as Margin compares them: case and runs of
    spaces do not count."""
    return " ".join(name.split()).casefold()


def themes_meant(themes: list[Theme], name: str) -> list[Theme]:
    """The themes a typed ``name`` may mean (``--theme``, a query): the first with that whole
    name, else every theme whose name starts with it, so that a long name need not be typed
    in full. One theme is an answer; more are an ambiguous prefix; none, no such theme."""
    wanted = folded(name)
    exact = [theme for theme in themes if folded(theme.name) == wanted]
    return exact[:1] or [theme for theme in themes if wanted and theme.name.casefold().startswith(wanted)]


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


class ThemeTree:
    """How the themes of a codebook nest: each theme's ancestors, descendants and path, and
    counts rolled up from a subtree. Built once per question from the themes in codebook
    order; a cycle in a damaged file stops where it closes instead of looping."""

    def __init__(self, themes: Iterable[Theme]) -> None:
        self.themes = list(themes)
        self.by_id = {theme.id: theme for theme in self.themes}
        self.children: dict[int | None, list[Theme]] = {}
        for theme in self.themes:
            parent = theme.parent if theme.parent in self.by_id else None  # a lost parent: at the top
            self.children.setdefault(parent, []).append(theme)

    def ancestors(self, theme: Theme) -> list[Theme]:
        """The themes ``theme`` sits under, top first."""
        found: list[Theme] = []
        seen = {theme.id}
        while theme.parent is not None and theme.parent in self.by_id and theme.parent not in seen:
            theme = self.by_id[theme.parent]
            seen.add(theme.id)
            found.append(theme)
        return found[::-1]

    def depth(self, theme: Theme) -> int:
        """0 at the top level, 1 under a top-level theme, and so on."""
        return len(self.ancestors(theme))

    def path(self, theme: Theme) -> str:
        """``Security › Arms › Firearms``: the theme named with its ancestors."""
        return PATH_SEPARATOR.join(t.name for t in [*self.ancestors(theme), theme])

    def descendants(self, theme: Theme) -> set[int]:
        """The theme's id and those of every theme nested under it, at any depth."""
        found, stack = {theme.id}, [theme.id]
        while stack:
            for child in self.children.get(stack.pop(), ()):
                if child.id not in found:
                    found.add(child.id)
                    stack.append(child.id)
        return found

    def siblings(self, theme: Theme) -> list[Theme]:
        """The themes under the same parent as ``theme`` (itself included), in order."""
        parent = theme.parent if theme.parent in self.by_id else None
        return self.children.get(parent, [])

    def placement_problem(self, theme: Theme, parent: Theme | None) -> str | None:
        """Why ``theme`` cannot go under ``parent`` (it would sit inside itself), or None."""
        if parent is None:
            return None
        if parent.id == theme.id:
            return f"{theme.name} cannot go under itself"
        if parent.id in self.descendants(theme):
            return f"{parent.name} is inside {theme.name}: putting {theme.name} under it would make a loop"
        return None

    def rolled_up(self, codings: Iterable[tuple[int, Iterable[int]]]) -> dict[int, tuple[int, int]]:
        """Per theme id: how many of ``codings`` (a document id and theme ids each, one per
        annotation) carry the theme or one nested under it, in how many documents. An
        annotation coded with a parent and its child counts once for the parent."""
        lineage = {theme.id: {theme.id, *(t.id for t in self.ancestors(theme))} for theme in self.themes}
        annotations: dict[int, int] = {}
        documents: dict[int, set[int]] = {}
        for document, theme_ids in codings:
            reached: set[int] = set()
            for theme_id in theme_ids:
                reached |= lineage.get(theme_id, set())
            for theme_id in reached:
                annotations[theme_id] = annotations.get(theme_id, 0) + 1
                documents.setdefault(theme_id, set()).add(document)
        return {theme.id: (annotations.get(theme.id, 0), len(documents.get(theme.id, ()))) for theme in self.themes}
