"""Coding queries: expressions over themes, evaluated on the characters of each document.

Grammar (keywords in any case; a hand-written recursive-descent parser, tested in
``tests/test_query.py``)::

    query    := or EOF
    or       := and ("OR" and)*
    and      := not ("AND" not)*
    not      := near ("NOT" near)*
    near     := operand ("NEAR/" NUMBER operand)*
    operand  := THEME | FILTER | "(" or ")"
    THEME    := "name in double quotes"        (\\" for a quote inside)
    FILTER   := doc:VALUE | ATTRIBUTE=VALUE     (VALUE a word or "words in quotes")

NEAR binds tightest, then NOT, then AND, then OR: ``"A" OR "B" AND "C"`` is
``"A" OR ("B" AND "C")``. Each operator is left-associative.

Meaning. A theme stands for the characters coded with it or with any theme nested under it
(at any depth), in every open document; orphaned annotations do not count. Then

- ``"A" AND "B"``: characters coded with both; ``"A" OR "B"``: with either;
- ``"A" NOT "B"``: coded with A and not with B;
- ``"A" NEAR/n "B"``: the passages (maximal runs) of A that overlap, touch or lie within n
  words of a passage of B, *and* the passages of B within n words of one of A, whole. It is
  symmetric, as NVivo's "near" is; ``("A" NEAR/n "B") AND "A"`` keeps the A side alone.
  "Within n words" means at most n words (runs of letters and digits) in the text between
  the two passages, so ``NEAR/0`` is passages separated by spaces and punctuation only;
- ``doc:report``: every character of the documents whose file name or title contains
  "report" (any case);
- ``country=MX``: every character of the documents whose attribute ``country`` (from
  ``attributes.csv``) is ``MX`` (any case, exact); for a transcript, ``speaker=Ana`` is the
  turns Ana speaks.

A theme name matches a theme's whole name in any case (runs of spaces count as one), else the
one theme whose name starts with it (as ``margin export --theme`` does); an unknown or
ambiguous name is an error naming the column where it is.

The result is, per document, the maximal runs of characters the expression holds; each comes
with its text and the themes coded on any part of it.
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, compress
from operator import attrgetter, gt
from weakref import WeakKeyDictionary

from . import intervals as iv
from .codebook import Theme, ThemeTree
from .corpus import Document
from .intervals import Intervals
from .workspace import Workspace


class QueryError(ValueError):
    """A query that cannot run; the message is one line, with the column of the problem."""


# -- syntax ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThemeRef:
    name: str
    column: int


@dataclass(frozen=True)
class Filter:
    key: str  # "doc" for doc:VALUE, else an attribute name as written
    value: str
    column: int


@dataclass(frozen=True)
class Operation:
    operator: str  # AND, OR, NOT, NEAR
    left: Node
    right: Node
    words: int = 0  # NEAR/n


Node = ThemeRef | Filter | Operation


@dataclass(frozen=True)
class Token:
    kind: str  # THEME, FILTER, AND, OR, NOT, NEAR, (, ), WORD, END
    text: str
    column: int  # 1-based, where the token starts
    value: str = ""
    key: str = ""
    words: int = 0


_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\s()\"=:]+")
_VALUE = re.compile(r"[^\s()\"]+")
_NEAR = re.compile(r"near/(\d+)$", re.IGNORECASE)
_KEYWORDS = {"and": "AND", "or": "OR", "not": "NOT"}


def _quoted(source: str, position: int) -> tuple[str, int]:
    """The string starting at the quote at ``position`` and where it ends."""
    chars: list[str] = []
    index = position + 1
    while index < len(source):
        char = source[index]
        if char == "\\" and index + 1 < len(source):
            chars.append(source[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(chars), index + 1
        chars.append(char)
        index += 1
    raise QueryError(f"a quote opened at column {position + 1} is never closed")


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    index = 0
    while True:
        space = _SPACE.match(source, index)
        if space:
            index = space.end()
        if index >= len(source):
            tokens.append(Token("END", "", index + 1))
            return tokens
        column, char = index + 1, source[index]
        if char in "()":
            tokens.append(Token(char, char, column))
            index += 1
        elif char == '"':
            name, index = _quoted(source, index)
            tokens.append(Token("THEME", source[column - 1:index], column, value=name))
        else:
            word = _WORD.match(source, index)
            if word is None:  # a lone = or :
                raise QueryError(f"expected a theme name in quotes at column {column}")
            index = word.end()
            if index < len(source) and source[index] in ":=":
                key, separator = word.group(), source[index]
                if (separator == ":") != (key.casefold() == "doc"):
                    raise QueryError(f"unknown filter {key + separator!r} at column {column} "
                                     "(filters are doc:TEXT and ATTRIBUTE=VALUE)")
                index += 1
                if index < len(source) and source[index] == '"':
                    value, index = _quoted(source, index)
                else:
                    match = _VALUE.match(source, index)
                    if match is None:
                        raise QueryError(f"expected a value after {key + separator!r} at column {index + 1}")
                    value, index = match.group(), match.end()
                tokens.append(Token("FILTER", source[column - 1:index], column, value=value, key=key))
                continue
            text = word.group()
            near = _NEAR.match(text)
            if near:
                tokens.append(Token("NEAR", text, column, words=int(near.group(1))))
            elif text.casefold() == "near" or text.casefold().startswith("near/"):
                raise QueryError(f"expected NEAR/n (n a number of words) at column {column}")
            else:
                tokens.append(Token(_KEYWORDS.get(text.casefold(), "WORD"), text, column))


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = tokenize(source)
        self.position = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.position]

    def take(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> Node:
        node = self.or_()
        if self.current.kind != "END":
            if self.current.kind == ")":
                raise QueryError(f"a closing parenthesis with none open at column {self.current.column}")
            raise QueryError(f"expected AND, OR, NOT or NEAR/n at column {self.current.column}")
        return node

    def binary(self, operator: str, operand: Callable[[], Node]) -> Node:
        node = operand()
        while self.current.kind == operator:
            token = self.take()
            node = Operation(operator, node, operand(), token.words)
        return node

    def or_(self) -> Node:
        return self.binary("OR", self.and_)

    def and_(self) -> Node:
        return self.binary("AND", self.not_)

    def not_(self) -> Node:
        return self.binary("NOT", self.near)

    def near(self) -> Node:
        return self.binary("NEAR", self.operand)

    def operand(self) -> Node:
        token = self.take()
        if token.kind == "THEME":
            return ThemeRef(token.value, token.column)
        if token.kind == "FILTER":
            return Filter(token.key, token.value, token.column)
        if token.kind == "(":
            node = self.or_()
            if self.current.kind != ")":
                raise QueryError(f"expected a closing parenthesis at column {self.current.column} "
                                 f"(for the one at column {token.column})")
            self.take()
            return node
        if token.kind == "END":
            raise QueryError(f"expected a theme name in quotes at column {token.column} (the query ends there)")
        raise QueryError(f"expected a theme name in quotes at column {token.column}")


def parse(source: str) -> Node:
    """The syntax tree of a query; ``QueryError`` names the column of a problem."""
    if not source.strip():
        raise QueryError("an empty query (try \"Theme A\" AND \"Theme B\")")
    return _Parser(source).parse()


# -- meaning ---------------------------------------------------------------------------------

def find_theme(themes: list[Theme], name: str, column: int) -> Theme:
    """A theme by its whole name in any case, else by the one name it starts."""
    wanted = " ".join(name.split()).casefold()
    exact = [theme for theme in themes if " ".join(theme.name.split()).casefold() == wanted]
    if exact:
        return exact[0]
    candidates = [theme for theme in themes if wanted and theme.name.casefold().startswith(wanted)]
    if len(candidates) == 1:
        return candidates[0]
    shown = ", ".join(repr(theme.name) for theme in (candidates or themes)[:12])
    if candidates:
        raise QueryError(f"theme {name!r} at column {column} could be {shown}")
    known = f"the themes are {shown}" if themes else "there are no themes"
    raise QueryError(f"no theme named {name!r} at column {column} ({known})")


def normalised(value: str) -> str:
    return " ".join(value.split()).casefold()


@dataclass(frozen=True)
class Passage:
    """One result: a maximal run of characters of a document."""

    document: Document
    start: int
    end: int
    theme_names: list[str]

    @property
    def quote(self) -> str:
        return self.document.text[self.start:self.end]


Sets = dict[int, Intervals]  # document position -> its characters (never empty)


_START, _END, _THEMES = attrgetter("start"), attrgetter("end"), attrgetter("themes")



class DocumentCoding:
    """One document's coded characters by theme, with what they were computed from (its
    annotations, which are values: any change replaces one), so that it is reused until
    they change.

    Past the one pass that sorts passages by theme, the work is done by C loops (``map``,
    ``compress``, ``accumulate``) over columns of the annotations' own int objects: merging in
    Python, and the garbage collections that new tuples set off, cost more than the pass.
    """

    def __init__(self, items: list) -> None:
        self.items = list(items)
        # Per theme, the starts and ends of its passages in document order: one pass, and
        # lists of the annotations' own int objects (no tuple is made per passage).
        self._raw: dict[int, tuple[list[int], list[int]]] = {}
        raw = self._raw
        for start, end, theme_ids in zip(map(_START, items), map(_END, items), map(_THEMES, items), strict=True):
            for theme_id in theme_ids:
                found = raw.get(theme_id)
                if found is None:
                    raw[theme_id] = ([start], [end])
                else:
                    found[0].append(start)
                    found[1].append(end)
        self.present = raw.keys()
        self._columns: dict[int, tuple[list[int], list[int]]] = {}
        self._merged: dict[int, Intervals] = {}

    def column(self, theme_id: int) -> tuple[list[int], list[int]] | None:
        """The theme's passages here as their starts (sorted) and the furthest end reached by
        each prefix of them (None: not coded here). A run ``[s, e)`` meets the theme when
        the passages starting before ``e`` reach past ``s``."""
        column = self._columns.get(theme_id)
        if column is None:
            raw = self._raw.get(theme_id)
            if raw is None:
                return None
            column = self._columns[theme_id] = (raw[0], list(accumulate(raw[1], max)))
        return column

    def merged(self, theme_id: int) -> Intervals | None:
        """The theme's characters here as maximal intervals (None: not coded here): a run
        ends where the next passage starts beyond the reach of those before it."""
        merged = self._merged.get(theme_id)
        if merged is None:
            column = self.column(theme_id)
            if column is None:
                return None
            starts, reach = column
            count = len(starts)
            firsts = [0, *compress(range(1, count), map(gt, starts[1:], reach))]
            lasts = [first - 1 for first in firsts[1:]] + [count - 1]
            merged = self._merged[theme_id] = list(zip(map(starts.__getitem__, firsts),
                                                       map(reach.__getitem__, lasts), strict=True))
        return merged


class CodingIndex:
    """Every open document's coded characters by theme. A document's part is computed again
    only when its annotations changed: a tag costs the next query one document, not the
    100,000 annotations of the corpus."""

    def __init__(self, workspace: Workspace, previous: CodingIndex | None) -> None:
        self.documents = list(workspace.documents)
        known = previous.by_key if previous is not None else {}
        self.by_key: dict[str, DocumentCoding] = {}
        self.parts: list[DocumentCoding] = []
        for document in self.documents:
            items = workspace.annotations(document).items  # sorted, re-anchored, no orphans
            part = known.get(document.key)
            if part is None or part.items != items:  # in C, by identity first
                part = DocumentCoding(items)
            self.by_key[document.key] = part
            self.parts.append(part)
        self.key = index_key(workspace)
        self.coded_themes = set().union(*(part.present for part in self.parts))

    def merged(self, theme_id: int, index: int) -> Intervals | None:
        """One theme's characters in one document, as maximal intervals (None: not coded)."""
        return self.parts[index].merged(theme_id)

    def theme(self, theme_id: int) -> Sets:
        """One theme's characters per document."""
        return {index: part.merged(theme_id) for index, part in enumerate(self.parts) if theme_id in part.present}

    def bounds(self, theme_id: int, index: int) -> tuple[list[int], list[int]] | None:
        """A theme's passages in one document: starts, and the reach of each prefix."""
        return self.parts[index].column(theme_id)

    def themes(self, theme_ids: set[int]) -> Sets:
        """The characters coded with any of the themes."""
        result: Sets = {}
        for theme_id in theme_ids:
            for index, spans in self.theme(theme_id).items():
                result[index] = iv.union(result[index], spans) if index in result else spans
        return result


_INDEXES: WeakKeyDictionary[Workspace, CodingIndex] = WeakKeyDictionary()


def index_key(workspace: Workspace) -> tuple[int, int, int]:
    documents = workspace.documents
    return workspace.store.revision, id(documents), len(documents)


def coding_index(workspace: Workspace) -> CodingIndex:
    """The workspace's index, brought up to date: checked only when the store changed."""
    index = _INDEXES.get(workspace)
    if index is None or index.key != index_key(workspace):
        index = _INDEXES[workspace] = CodingIndex(workspace, index)
    return index


@dataclass
class Evaluation:
    """A parsed query against a workspace's coding index: each theme named is resolved (to
    itself and its descendants) before anything is computed."""

    workspace: Workspace
    tree: Node
    documents: list[Document] = field(default_factory=list)
    coded: dict[int, Sets] = field(default_factory=dict)  # id(ThemeRef node) -> sets

    def __post_init__(self) -> None:
        themes = self.workspace.themes
        tree = ThemeTree(themes)
        resolved = {id(node): tree.descendants(find_theme(themes, node.name, node.column))
                    for node in _theme_nodes(self.tree)}  # every name checked before any work
        index = coding_index(self.workspace)
        self.documents = index.documents
        self.coded = {key: index.themes(ids) for key, ids in resolved.items()}

    def sets(self, node: Node) -> Sets:
        if isinstance(node, ThemeRef):
            return self.coded[id(node)]
        if isinstance(node, Filter):
            return self.filtered(node)
        left, right = self.sets(node.left), self.sets(node.right)
        if node.operator == "OR":
            return {index: iv.union(left.get(index, []), right.get(index, []))
                    for index in sorted(left.keys() | right.keys())}
        if node.operator == "AND":
            pairs = ((index, iv.intersection(left[index], right[index])) for index in sorted(left.keys() & right.keys()))
        elif node.operator == "NOT":
            pairs = ((index, iv.difference(spans, right.get(index, []))) for index, spans in left.items())
        else:
            pairs = ((index, iv.near(left[index], right[index], self.nearness(index, node.words)))
                     for index in sorted(left.keys() & right.keys()))
        return {index: spans for index, spans in pairs if spans}

    def nearness(self, index: int, words: int) -> Callable[[int, int], bool]:
        text = self.documents[index].text
        return lambda start, end: iv.words_within(text, start, end, words)

    def filtered(self, node: Filter) -> Sets:
        from .attributes import attribute_regions

        wanted = normalised(node.value)
        result: Sets = {}
        if node.key.casefold() == "doc":
            for index, document in enumerate(self.documents):
                if wanted in document.path.name.casefold() or wanted in normalised(document.title):
                    result[index] = [(0, len(document.text))] if document.text else []
            return {index: spans for index, spans in result.items() if spans}
        known = False
        for index, document in enumerate(self.documents):
            has_key, spans = attribute_regions(document, node.key, wanted)
            known |= has_key
            if spans:
                result[index] = spans
        if not known:
            raise QueryError(f"no document has an attribute {node.key!r} (column {node.column})")
        return result


def _theme_nodes(node: Node) -> list[ThemeRef]:
    if isinstance(node, ThemeRef):
        return [node]
    if isinstance(node, Operation):
        return _theme_nodes(node.left) + _theme_nodes(node.right)
    return []


def evaluate(workspace: Workspace, source: str) -> dict[Document, Intervals]:
    """The characters a query holds, per document (in corpus order), as maximal intervals."""
    evaluation = Evaluation(workspace, parse(source))
    return {evaluation.documents[index]: spans for index, spans in sorted(evaluation.sets(evaluation.tree).items())}


def run(workspace: Workspace, source: str) -> list[Passage]:
    """The passages a query finds, document by document, each with the themes coded on any
    part of it (in codebook order). Documents changed since they were coded are re-anchored
    first (in memory only if the database is read-only)."""
    found = evaluate(workspace, source)
    index = coding_index(workspace)
    themes = [theme for theme in workspace.themes if theme.id in index.coded_themes]
    position = {document.key: number for number, document in enumerate(index.documents)}
    passages: list[Passage] = []
    for document, spans in found.items():
        number = position[document.key]
        coded = [(theme.name, ends) for theme in themes
                 for ends in [index.bounds(theme.id, number)] if ends is not None]
        for start, end in spans:
            names = []
            for name, (starts_, reach) in coded:
                before = bisect.bisect_left(starts_, end)  # the theme's passages starting before our end
                if before and reach[before - 1] > start:
                    names.append(name)
            passages.append(Passage(document, start, end, names))
    return passages


# -- output ----------------------------------------------------------------------------------

def record(workspace: Workspace, passage: Passage) -> dict:
    return {"document_path": workspace.store.relative_path(passage.document.path),
            "document_title": passage.document.title, "start": passage.start, "end": passage.end,
            "quote": passage.quote, "theme_names": passage.theme_names}


def to_jsonl(workspace: Workspace, passages: list[Passage]) -> str:
    return "".join(json.dumps(record(workspace, p), ensure_ascii=False) + "\n" for p in passages)


def to_csv(workspace: Workspace, passages: list[Passage]) -> str:
    from .exporters import spreadsheet_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["document_path", "document_title", "start", "end", "quote", "theme_names"])
    for passage in passages:
        row = record(workspace, passage)
        writer.writerow([spreadsheet_safe(row["document_path"]), spreadsheet_safe(row["document_title"]),
                         passage.start, passage.end, spreadsheet_safe(passage.quote),
                         spreadsheet_safe("; ".join(passage.theme_names))])
    return buffer.getvalue()


def to_text(workspace: Workspace, passages: list[Passage], width: int = 100) -> str:
    """A passage per paragraph: where it is and its themes, then its text on one line."""
    from .text import one_line

    lines: list[str] = []
    for passage in passages:
        where = f"{passage.document.path.name} {passage.start}–{passage.end}"
        lines += [f"{where}  [{'; '.join(passage.theme_names)}]", "  " + one_line(passage.quote, width), ""]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[Workspace, list[Passage]], str]] = {
    "text": to_text, "jsonl": to_jsonl, "csv": to_csv,
}


def code_from_query(workspace: Workspace, passages: list[Passage], name: str) -> tuple[Theme, int]:
    """Tag every passage with the theme ``name`` (created if missing), as one undo step;
    returns the theme and how many passages gained it."""
    theme = workspace.store.theme_named(name) or workspace.create_theme(name)
    tagged, _ = workspace.tag_passages([(p.document, p.start, p.end) for p in passages], theme)
    return theme, tagged


def describe(passages: list[Passage]) -> str:
    from .text import counted

    documents = len({passage.document.key for passage in passages})
    return f"{counted(len(passages), 'passage')} in {counted(documents, 'document')}"


