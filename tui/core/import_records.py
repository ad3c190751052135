"""What an imported file may say, as typed records validated whole before anything is written.

A JSON-lines export line is a ``JsonlRecord`` and a W3C Web Annotation a ``W3CAnnotation``:
msgspec ``Struct``s converted with ``strict=True``, so ``"start": "12"`` or ``true`` is not an
integer and ``"theme_names": "abc"`` is not a list. The JSON Schema that other tools can
check their files against (``schemas/margin-annotation.schema.json``, shipped in the package)
is generated from ``JsonlRecord`` by ``jsonl_schema()``; a test keeps the two equal.

Rules a schema cannot say are checked after conversion (``check_span``, ``check_date``):
``start <= end``, and dates that exist on the calendar.

Dates: ``datetime.fromisoformat`` accepts nearly any ISO 8601 form in Python 3.11 (``20260301``,
week dates, ``T10`` alone), which other tools could then not read back. Margin accepts the
RFC 3339 profile its exports write: ``YYYY-MM-DD``, optionally followed by ``THH:MM``,
optional seconds with up to six decimals, and ``Z`` or ``±HH:MM``.

Messages name the field as the file spells it and the value found, for one line on stderr:
``"start" must be an integer, got "12"``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

import msgspec
from msgspec import Meta, Struct

SCHEMA_ID = "https://github.com/margin-reader/margin/schemas/margin-annotation.schema.json"

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$"
_NAME_PATTERN = r"\S"
MAX_NAME = 500  # characters of a theme name

Offset = Annotated[int, Meta(ge=0, description="a code-point index into the document's decoded text")]
Date = Annotated[str, Meta(pattern=_DATE_PATTERN,
                           description="ISO 8601 (RFC 3339 profile), e.g. 2026-03-01T10:00:00Z")]
ThemeName = Annotated[str, Meta(min_length=1, max_length=MAX_NAME, pattern=_NAME_PATTERN,
                                description="a theme name: not empty, not only spaces")]
ThemePath = Annotated[list[ThemeName], Meta(min_length=1,
                                            description="a theme's ancestors' names and its own, top first")]
NonEmpty = Annotated[str, Meta(min_length=1)]
T = TypeVar("T")


class JsonlRecord(Struct):
    """One line of ``margin export --format jsonl``: an annotation and where it was.

    Beyond this schema: ``start`` must not exceed ``end``, dates must exist on the calendar,
    and ``theme_paths`` (when given) lists ``theme_names``'s themes in order, each ending in
    its name and, when the file has a codebook, naming one of its themes. Without
    ``theme_paths`` a name must be one theme of the codebook, not two under different parents.
    Fields not listed here (``id``, ``document``, ``themes``, ``orphaned``,
    ``document_title``) are ignored on import; the passage is placed by ``quote``, ``prefix``
    and ``suffix``, the offsets being hints.
    """

    document_path: Annotated[str, Meta(min_length=1,
                                       description="the document, relative to the database's folder")]
    start: Offset
    end: Offset
    quote: NonEmpty
    prefix: str = ""
    suffix: str = ""
    theme_names: list[ThemeName] = []
    theme_paths: Annotated[list[ThemePath], Meta(
        description="each theme of theme_names, in that order, as its ancestors' names and its "
                    "own, top first; it picks the theme when two share a name under different "
                    "parents")] | None = None
    note: str = ""
    author: str = ""
    created: Date | None = None
    modified: Date | None = None
    document_file: str = ""


Color = Annotated[str, Meta(pattern=r"^#[0-9A-Fa-f]{6}$", description="#rrggbb")]


class CodebookTheme(Struct):
    """One theme of a JSON-lines export's codebook, in codebook order."""

    name: ThemeName
    description: str = ""
    color: Color | None = None
    key: Annotated[int, Meta(ge=1, le=9, description="its digit; Margin gives 1..9 to the first nine themes "
                                                   "in order, so this is informative")] | None = None
    parent: Annotated[ThemeName | None, Meta(description="the name of the theme it is grouped under")] = None
    path: Annotated[list[ThemeName] | None, Meta(
        description="its ancestors' names, top first ([] at the top level); when given, it places the theme "
                    "and parent is its last name")] = None


class JsonlCodebook(Struct):
    """The first line of ``margin export --format jsonl``: the whole codebook, used themes or
    not, so that an import into a fresh database rebuilds it exactly. Beyond this schema:
    every theme has a ``path`` or none does. With paths, a theme is unique where it sits (its
    path and name, ignoring case and runs of spaces: two themes may share a name under
    different parents), a path is the path and name of another theme of the codebook, and a
    ``parent``, if given, is the path's last name. Without, names are unique, a ``parent``
    names another theme of the codebook, and no theme is grouped under itself, however
    indirectly. Exports before
    this line existed have annotation lines only; they import as before."""

    type: Literal["codebook"]
    themes: list[CodebookTheme]


class W3CSelector(Struct):
    """A ``TextQuoteSelector`` (``exact``, ``prefix``, ``suffix``) or ``TextPositionSelector``
    (``start``, ``end``); other selector types are listed as not usable."""

    type: str = ""
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: Offset | None = None
    end: Offset | None = None


OneOrMore = str | list[str]  # a JSON-LD value given once or as an array


class W3CBody(Struct):
    """A ``TextualBody``: a tag (``purpose`` or the annotation's ``motivation`` ``tagging``) or
    a memo (any other purpose). A body without ``value`` (an external resource, a
    ``SpecificResource``) is listed as not usable."""

    type: OneOrMore = ""
    purpose: OneOrMore = ""
    value: str | None = None


class W3CCreator(Struct):
    """An Agent (``Person``, ``Software``...); ``name``, else ``nickname``, else its ``id``."""

    name: OneOrMore = ""
    nickname: str = ""
    id: str = ""


class W3CTarget(Struct):
    """A ``SpecificResource``: the document (``source``) and where in it (``selector``)."""

    source: str = ""
    id: str = ""
    type: OneOrMore = ""
    format: OneOrMore = ""
    selector: list[W3CSelector] | W3CSelector = []


class W3CAnnotation(Struct):
    """One annotation in any form the Data Model allows: ``body`` one object, an array or a
    link; ``bodyValue``; ``target`` an object, an IRI or an array; ``creator`` an IRI, an
    Agent or an array of them."""

    target: list[W3CTarget | str] | W3CTarget | str
    body: list[W3CBody | str] | W3CBody | str = []
    bodyValue: str | None = None  # noqa: N815 (the model's spelling)
    motivation: OneOrMore = ""
    creator: list[W3CCreator | str] | W3CCreator | str | None = None
    created: Date | None = None
    modified: Date | None = None


class RecordError(ValueError):
    """A record breaks the format; the message names the field and what is wrong."""


def jsonl_schema() -> dict[str, Any]:
    """The published JSON Schema of a JSON-lines line (draft 2020-12): an annotation record
    or the codebook line."""
    refs, components = msgspec.json.schema_components([JsonlRecord, JsonlCodebook])
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "Margin JSON-lines export line: an annotation, or the codebook (the first line)",
            "anyOf": list(refs), "$defs": components}


def convert(raw: Any, kind: type[T], at: str = "") -> T:
    """``raw`` (decoded JSON) as ``kind``, or ``RecordError`` saying what is wrong where."""
    try:
        return msgspec.convert(raw, kind, strict=True)
    except msgspec.ValidationError as error:
        raise RecordError(describe(str(error), raw, at)) from None


def check_span(start: int, end: int, where: str = "") -> None:
    if start > end:
        raise RecordError(f'{where}"end" ({end}) is before "start" ({start})')


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def check_name(name: str | None, where: str = "") -> None:
    """A theme name (or a group's) without control characters: C0, DEL and C1. Tabs and line
    ends are spaces once the name is stored (runs of spaces become one), so only the others
    are refused: a NUL or an escape would reach exports and screens."""
    if name is None:
        return
    if found := _CONTROL.search(" ".join(name.split())):
        quoted = _CONTROL.sub(lambda control: f"\\u{ord(control.group()):04x}", shown(name))  # DEL, C1 too
        raise RecordError(f"{where}the theme name {quoted} holds a control character "
                          f"(U+{ord(found.group()):04X})")


def check_date(value: str | None, field: str) -> None:
    """A date the pattern allows but the calendar does not (``2026-02-30``) is refused too."""
    if value is None:
        return
    if re.fullmatch(_DATE_PATTERN, value) is None:
        raise RecordError(f'"{field}" must be an ISO 8601 date, got {shown(value)}')
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f'"{field}" is not a date that exists, got {shown(value)}') from None


_TYPES = {"int": "an integer", "str": "a string", "array": "a list", "object": "an object",
          "bool": "true or false", "null": "null", "float": "a number"}
_PATTERNS = {_DATE_PATTERN: "must be an ISO 8601 date (2026-03-01T10:00:00Z)",
             _NAME_PATTERN: "must not be blank"}
_AT = re.compile(r" - at `\$(.*)`$")
_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def describe(message: str, raw: Any, at: str = "") -> str:
    """msgspec's ``Expected `int`, got `str` - at `$.start``` as ``"start" must be an
    integer, got "12"``, the value looked up in ``raw``. ``at`` prefixes the location."""
    match = _AT.search(message)
    path = match.group(1) if match else ""
    body = message[: match.start()] if match else message
    value, found = raw, True
    for name, index in _STEP.findall(path):
        try:
            value = value[name] if name else value[int(index)]
        except (KeyError, IndexError, TypeError):
            found = False
    place = (at + path).lstrip(".")
    subject = f'"{place}" ' if place else ""
    got = f", got {shown(value)}" if found else ""
    if missing := re.fullmatch(r"Object missing required field `(\w+)`", body):
        return f'"{(place + "." if place else "") + missing.group(1)}" is missing'
    if expected := re.fullmatch(r"Expected `([\w |]+)`, got `\w+`", body):
        what = " or ".join(_TYPES.get(kind, kind) for kind in expected.group(1).split(" | "))
        return f"{subject}must be {what}{got}"
    if bound := re.fullmatch(r"Expected `(\w+)` ([<>]=) (\d+)", body):
        kind, operator, limit = bound.groups()
        return f"{subject}must be {_TYPES.get(kind, kind)} {operator} {limit}{got}"
    if re.fullmatch(r"Expected `(str|array)` of length >= 1", body):
        return f"{subject}must not be empty"
    if longest := re.fullmatch(r"Expected `str` of length <= (\d+)", body):
        return f"{subject}is longer than {longest.group(1)} characters"
    if pattern := re.fullmatch(r"Expected `str` matching regex '(.*)'", body):
        meaning = _PATTERNS.get(pattern.group(1).replace("\\\\", "\\"), "has the wrong form")
        return f"{subject}{meaning}{got}"
    return f"{subject}{body[:1].lower()}{body[1:]}"


def shown(value: Any, limit: int = 40) -> str:
    """A value as JSON, cut short: a file's bad value is quoted, never pages of it."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"
