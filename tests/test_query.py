"""Coding queries: the parser, results against hand computations, set laws (hypothesis)
against a character-by-character model, and ``margin query``."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace
from tui.core import intervals as iv
from tui.core.query import QueryError, evaluate, parse, run

ALPHA = "Guns went south. Money went north.\n\nShelters were full. Nothing here at all.\n"
BETA = "Smugglers used tunnels. Guns too.\n"


def span(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


@pytest.fixture
def coded(tmp_path: Path) -> Workspace:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "alpha.txt").write_text(ALPHA, encoding="utf-8")
    (folder / "beta.txt").write_text(BETA, encoding="utf-8")
    (folder / "attributes.csv").write_text("file,country\nalpha.txt,MX\nbeta.txt,US\n", encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "annotations" / "annotations.json", author="t")
    arms, money, shelter, trade = (workspace.create_theme(n) for n in ("Arms", "Money", "Shelter", "Trade"))
    workspace.set_parent(arms, trade)  # Trade is a group holding Arms
    alpha, beta = workspace.documents
    workspace.toggle_theme(alpha, *span(ALPHA, "Guns went south. Money"), arms)
    workspace.toggle_theme(alpha, *span(ALPHA, "Money went north."), money)
    workspace.toggle_theme(alpha, *span(ALPHA, "Shelters were full."), shelter)
    workspace.toggle_theme(beta, *span(BETA, "Guns too."), arms)
    workspace.toggle_theme(beta, *span(BETA, "Smugglers"), money)
    yield workspace
    workspace.close()


def spans(workspace: Workspace, expression: str) -> dict[str, list[tuple[int, int]]]:
    return {document.path.name: found for document, found in evaluate(workspace, expression).items()}


def test_and_or_not_by_hand(coded: Workspace) -> None:
    guns = span(ALPHA, "Guns went south. Money")
    money = span(ALPHA, "Money went north.")
    assert spans(coded, '"Arms" AND "Money"') == {"alpha.txt": [(money[0], guns[1])]}
    assert spans(coded, '"arms" or "MONEY"') == {"alpha.txt": [(guns[0], money[1])],
                                                "beta.txt": [span(BETA, "Smugglers"), span(BETA, "Guns too.")]}
    assert spans(coded, '"Arms" NOT "Money"') == {"alpha.txt": [(guns[0], money[0])],
                                                 "beta.txt": [span(BETA, "Guns too.")]}
    assert spans(coded, '"Shelter" AND "Arms"') == {}


def test_a_group_includes_its_children(coded: Workspace) -> None:
    assert spans(coded, '"Trade"') == spans(coded, '"Arms"')


def test_near_by_hand(coded: Workspace) -> None:
    # Alpha: Arms ends at "Money", Shelter starts after "north.\n\n": 3 words between (went north).
    found = spans(coded, '"Arms" NEAR/2 "Shelter"')
    assert found == {"alpha.txt": [span(ALPHA, "Guns went south. Money"), span(ALPHA, "Shelters were full.")]}
    assert spans(coded, '"Arms" NEAR/1 "Shelter"') == {}
    # Beta: "Smugglers" and "Guns too." are two words apart (used tunnels).
    assert spans(coded, '"Money" NEAR/1 "Arms"').get("beta.txt") is None
    assert spans(coded, '"Money" NEAR/2 "Arms"')["beta.txt"] == [span(BETA, "Smugglers"), span(BETA, "Guns too.")]


def test_filters_on_documents_and_attributes(coded: Workspace) -> None:
    assert spans(coded, '"Arms" AND doc:beta') == {"beta.txt": [span(BETA, "Guns too.")]}
    assert spans(coded, '"Arms" AND country=mx') == {"alpha.txt": [span(ALPHA, "Guns went south. Money")]}
    assert spans(coded, 'country="US"') == {"beta.txt": [(0, len(BETA))]}
    assert spans(coded, '("Arms" OR "Money") NOT country=MX') == {
        "beta.txt": [span(BETA, "Smugglers"), span(BETA, "Guns too.")]}


def test_results_carry_quotes_and_the_themes_on_them(coded: Workspace) -> None:
    passages = run(coded, '"Arms" AND "Money"')
    assert [(p.quote, p.theme_names) for p in passages] == [("Money", ["Money", "Arms"])]  # codebook order
    assert run(coded, '"Shelter"')[0].theme_names == ["Shelter"]


def test_theme_names_match_in_any_case_or_by_a_unique_prefix(coded: Workspace) -> None:
    assert spans(coded, '"shel"') == spans(coded, '"Shelter"')
    with pytest.raises(QueryError, match=r"no theme named 'Nope' at column 11 \(the themes are 'Money'"):
        evaluate(coded, '"Arms" OR "Nope"')
    coded.create_theme("Shelving")
    with pytest.raises(QueryError, match="theme 'shel' at column 1 could be 'Shelter', 'Shelving'"):
        evaluate(coded, '"shel"')


def test_unknown_attribute_is_an_error(coded: Workspace) -> None:
    with pytest.raises(QueryError, match="no document has an attribute 'region'"):
        evaluate(coded, '"Arms" AND region=north')


@pytest.mark.parametrize(("source", "message"), [
    ('"A" AND', "expected a theme name in quotes at column 8"),
    ('"A" AND B', "expected a theme name in quotes at column 9"),
    ('"A" "B"', "expected AND, OR, NOT or NEAR/n at column 5"),
    ('("A" OR "B"', "expected a closing parenthesis at column 12"),
    ('"A")', "a closing parenthesis with none open at column 4"),
    ('"A" NEAR "B"', "expected NEAR/n (n a number of words) at column 5"),
    ('"A" AND "B', "a quote opened at column 9 is never closed"),
    ('"A" AND title:x', "unknown filter 'title:' at column 9"),
    ("", "an empty query"),
])
def test_parser_errors_name_the_column(source: str, message: str) -> None:
    with pytest.raises(QueryError) as error:
        parse(source)
    assert message in str(error.value)


def test_precedence_near_not_and_or() -> None:
    tree = parse('"A" OR "B" AND "C" NOT "D" NEAR/3 "E"')
    assert tree.operator == "OR" and tree.right.operator == "AND"
    assert tree.right.right.operator == "NOT" and tree.right.right.right.operator == "NEAR"
    assert tree.right.right.right.words == 3
    assert parse('("A" OR "B") AND "C"').operator == "AND"
    assert parse('"Say \\"hi\\""').name == 'Say "hi"'


# -- set laws, against a character-by-character model -----------------------------------------

def as_set(spans_: list[tuple[int, int]]) -> set[int]:
    return {offset for start, end in spans_ for offset in range(start, end)}


def runs(characters: set[int]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for offset in sorted(characters):
        if result and result[-1][1] == offset:
            result[-1] = (result[-1][0], offset + 1)
        else:
            result.append((offset, offset + 1))
    return result


interval_lists = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 12)), max_size=8).map(
    lambda pairs: iv.normalise((start, start + width) for start, width in pairs))


@given(interval_lists, interval_lists)
def test_interval_algebra_matches_sets_of_characters(first, second) -> None:
    assert iv.union(first, second) == runs(as_set(first) | as_set(second))
    assert iv.intersection(first, second) == runs(as_set(first) & as_set(second))
    assert iv.difference(first, second) == runs(as_set(first) - as_set(second))


TEXT = "a bb c. dd e ff, g hh ii j kk l mm n oo p qq r ss t uu v ww x yy z " * 2


@given(interval_lists, interval_lists, st.integers(0, 4))
def test_near_matches_a_brute_force_count_of_words(first, second, words) -> None:
    def gap_words(left: tuple[int, int], right: tuple[int, int]) -> int:
        low, high = sorted([left, right])
        return 0 if high[0] <= low[1] else len(re.findall(r"\w+", TEXT[low[1]:high[0]]))

    def close(a, others) -> bool:
        return any(gap_words(a, b) <= words for b in others)

    expected = iv.normalise([a for a in first if close(a, second)] + [b for b in second if close(b, first)])
    found = iv.near(first, second, lambda start, end: iv.words_within(TEXT, start, end, words))
    assert found == expected


THEMES = ["T1", "T2", "T3", "T4"]


@pytest.fixture(scope="module")
def random_coding(tmp_path_factory) -> Workspace:
    """Three documents coded at random (seeded) with four themes, T4 grouped under T1."""
    folder = tmp_path_factory.mktemp("random") / "corpus"
    folder.mkdir()
    rng = random.Random(16)
    words = "the border trade of arms and money went north while shelters filled".split()
    for number in range(3):
        text = " ".join(rng.choice(words) for _ in range(80)) + "\n"
        (folder / f"doc{number}.txt").write_text(text, encoding="utf-8")
    (folder / "attributes.csv").write_text("file,kind\ndoc0.txt,a\ndoc1.txt,b\n", encoding="utf-8")
    workspace = Workspace.open([folder], database=folder.parent / "db.json", author="t")
    themes = [workspace.create_theme(name) for name in THEMES]
    workspace.set_parent(themes[3], themes[0])
    passages = []
    for document in workspace.documents:
        for _ in range(25):
            start = rng.randrange(len(document.text) - 1)
            passages.append((document, start, min(len(document.text), start + rng.randint(1, 40)),
                             rng.choice(themes)))
    for document, start, end, theme in passages:
        if workspace.annotations(document).exactly(start, end) is None:
            workspace.toggle_theme(document, start, end, theme)
    yield workspace
    workspace.close()


def model(workspace: Workspace, expression: str) -> dict[str, set[int]]:
    """The query computed on sets of character offsets, from a Python expression."""
    result = {}
    for document in workspace.documents:
        chars = {}
        for name in THEMES:
            ids = {t.id for t in workspace.themes if t.name == name or (
                t.parent and workspace.theme(t.parent).name == name)}
            chars[name] = {offset for a in workspace.annotations(document).items if ids & set(a.themes)
                           for offset in range(a.start, a.end)}
        kind = "a" if document.path.name == "doc0.txt" else "b" if document.path.name == "doc1.txt" else None
        chars["kind_a"] = set(range(len(document.text))) if kind == "a" else set()
        result[document.path.name] = eval(expression, {}, chars)  # noqa: S307 - our own test strings
    return {name: found for name, found in result.items() if found}


operands = st.sampled_from([('"T1"', "T1"), ('"T2"', "T2"), ('"T3"', "T3"), ('"t4"', "T4"), ("kind=A", "kind_a")])
expressions = st.recursive(operands, lambda inner: st.tuples(inner, st.sampled_from(
    [("AND", "&"), ("OR", "|"), ("NOT", "-")]), inner).map(
    lambda t: (f"({t[0][0]} {t[1][0]} {t[2][0]})", f"({t[0][1]} {t[1][1]} {t[2][1]})")), max_leaves=5)


@settings(max_examples=60, deadline=None)
@given(expressions, expressions)
def test_query_set_laws(random_coding: Workspace, first, second) -> None:
    a, b = first[0], second[0]
    found_a = {name: as_set(s) for name, s in spans(random_coding, a).items()}
    both = {name: as_set(s) for name, s in spans(random_coding, f"{a} AND {b}").items()}
    only = {name: as_set(s) for name, s in spans(random_coding, f"{a} NOT {b}").items()}
    assert all(chars <= found_a[name] for name, chars in both.items())  # A AND B ⊆ A
    rebuilt = {name: both.get(name, set()) | only.get(name, set()) for name in both.keys() | only.keys()}
    assert rebuilt == found_a  # (A NOT B) ∪ (A AND B) = A
    assert found_a == model(random_coding, first[1])  # and A is what the sets of characters say


# -- the command ------------------------------------------------------------------------------

def test_margin_query_jsonl(coded: Workspace, capsys) -> None:
    coded.store.checkpoint()
    status = main(["query", '"Arms" AND "Money"', "--db", str(coded.database_path), "--format", "jsonl"])
    out, err = capsys.readouterr()
    assert status == 0
    record = json.loads(out)
    assert record == {"document_path": "../corpus/alpha.txt", "document_title": "Guns went south. Money went north.",
                      "start": ALPHA.index("Money"), "end": ALPHA.index("Money") + 5, "quote": "Money",
                      "theme_names": ["Money", "Arms"]}
    assert "1 passage in 1 document" in err


def test_margin_query_text_and_csv(coded: Workspace, capsys) -> None:
    coded.store.checkpoint()
    assert main(["query", '"Shelter"', "--db", str(coded.database_path)]) == 0
    out = capsys.readouterr().out
    assert "alpha.txt" in out and "Shelters were full." in out and "[Shelter]" in out
    assert main(["query", '"Arms"', "--db", str(coded.database_path), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].lstrip("\ufeff") == "document_path,document_title,start,end,quote,theme_names"
    assert len(lines) == 3


def test_margin_query_errors_are_one_line_exit_2(coded: Workspace, capsys) -> None:
    coded.store.checkpoint()
    assert main(["query", '"Arms" AND Money', "--db", str(coded.database_path)]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == \
        "margin: query: expected a theme name in quotes at column 12"
    assert main(["query", '"Nope"', "--db", str(coded.database_path)]) == 2
    assert "no theme named 'Nope' at column 1" in capsys.readouterr().err


def test_code_from_query(coded: Workspace, tmp_path: Path, capsys) -> None:
    database = coded.database_path
    coded.close()
    assert main(["query", '"Arms" AND "Money"', "--db", str(database), "--code-as", "Arms+Money"]) == 0
    assert "tagged 1 with Arms+Money" in capsys.readouterr().err
    reopened = Workspace.open_database(database)
    assert spans(reopened, '"Arms+Money"') == {"alpha.txt": [span(ALPHA, "Money")]}


def test_margin_query_to_a_file(coded: Workspace, tmp_path: Path, capsys) -> None:
    coded.store.checkpoint()
    output = tmp_path / "found.jsonl"
    arguments = ["query", '"Shelter"', "--db", str(coded.database_path), "--format", "jsonl", "-o", str(output)]
    assert main(arguments) == 0
    assert json.loads(output.read_text(encoding="utf-8"))["quote"] == "Shelters were full."
    assert "wrote 1 passage in 1 document to" in capsys.readouterr().err
    assert main(arguments) == 2  # never replaced without --force
    assert "exists already" in capsys.readouterr().err
