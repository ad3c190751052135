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

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import intervals as iv
from .codebook import Theme, ThemeTree, folded, themes_meant
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
    candidates = themes_meant(themes, name)
    if len(candidates) == 1:
        return candidates[0]
    shown = ", ".join(repr(theme.name) for theme in (candidates or themes)[:12])
    if candidates:
        raise QueryError(f"theme {name!r} at column {column} could be {shown}")
    known = f"the themes are {shown}" if themes else "there are no themes"
    raise QueryError(f"no theme named {name!r} at column {column} ({known})")


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


class CodingIndex:
    """Every open document's coded characters by theme, as the workspace's per-document
    indexes hold them (``DocumentAnnotations``: split by theme when opened, each theme's
    runs merged when a query first names it and kept until its passages there change), so
    the first query after opening and the first after a tag cost about what any other does."""

    def __init__(self, workspace: Workspace) -> None:
        self.documents = list(workspace.documents)
        self.parts = [workspace.annotations(document) for document in self.documents]  # re-anchored, no orphans

    def theme(self, theme_id: int) -> Sets:
        """One theme's characters per document."""
        return {index: merged for index, part in enumerate(self.parts)
                for merged in [part.merged(theme_id)] if merged is not None}

    def themes(self, theme_ids: set[int]) -> Sets:
        """The characters coded with any of the themes."""
        result: Sets = {}
        for theme_id in theme_ids:
            for index, spans in self.theme(theme_id).items():
                result[index] = iv.union(result[index], spans) if index in result else spans
        return result


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
        index = CodingIndex(self.workspace)
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

        wanted = folded(node.value)
        result: Sets = {}
        if node.key.casefold() == "doc":
            for index, document in enumerate(self.documents):
                if wanted in document.path.name.casefold() or wanted in folded(document.title):
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
    with iv.no_collection():  # a query makes tens of thousands of tuples
        return passages(workspace, evaluate(workspace, source))


def passages(workspace: Workspace, found: dict[Document, Intervals]) -> list[Passage]:
    """A passage per interval found, with the themes coded on any part of it, in codebook
    order (read from the annotations overlapping it)."""
    names = {theme.id: theme.name for theme in workspace.themes}
    rank = {theme.id: number for number, theme in enumerate(workspace.themes)}  # codebook order
    result: list[Passage] = []
    for document, spans in found.items():
        part = workspace.annotations(document)
        for start, end in spans:
            present = sorted(part.themes_over(start, end) & rank.keys(), key=rank.__getitem__)
            result.append(Passage(document, start, end, list(map(names.__getitem__, present))))
    return result


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


