"""The disagreement queue of ``margin compare`` (tui/core/adjudication.py), without the UI:
its order, moving round it, each kind of decision as it lands in the consensus database on
disk, deciding again, memos, undo, and decisions surviving a restart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.cli import main
from tui.core import StoreError, Workspace
from tui.core.adjudication import Choice, accepted_passages, open_adjudication
from tui.core.agreement import TeamDocument, build_coding, disagreements, union


def project(corpus_dir: Path) -> Path:
    return corpus_dir.parent / "annotations" / "annotations.json"


def code(corpus_dir: Path, coder: str, passages: list[tuple[int, int, int, str]]) -> Path:
    """Code ``(document, start, end, theme)`` passages as ``coder``; returns their database."""
    workspace = Workspace.open([corpus_dir], database=project(corpus_dir), coder=coder)
    for document, start, end, name in passages:
        theme = workspace.store.theme_named(name) or workspace.create_theme(name)
        workspace.toggle_theme(workspace.documents[document], start, end, theme)
    workspace.close()
    return workspace.database_path


@pytest.fixture
def coders(corpus_dir: Path) -> tuple[Path, Path]:
    """Four disagreements (and one agreement) between ana and ben; the consensus is empty."""
    workspace = Workspace.open([corpus_dir], database=project(corpus_dir))
    first, second = workspace.themes[0].name, workspace.themes[1].name
    workspace.close()
    ana = code(corpus_dir, "ana", [(0, 0, 40, first), (0, 100, 150, first), (0, 200, 260, first),
                                   (1, 5, 25, "Tunnels")])
    ben = code(corpus_dir, "ben", [(0, 0, 40, first), (0, 100, 150, first), (0, 100, 150, second),
                                   (0, 220, 280, first), (2, 0, 30, second)])
    return ana, ben


def opened(corpus_dir: Path, coders: tuple[Path, Path]):
    consensus = Workspace.open_database(project(corpus_dir), for_writing=True)
    return open_adjudication(consensus, *coders)


def consensus_on_disk(corpus_dir: Path) -> tuple[list[tuple], list[dict]]:
    """The consensus file as a new Margin reads it: (document title, start, end, theme names,
    author) per annotation, and the decision records."""
    workspace = Workspace.open_database(project(corpus_dir))
    store = workspace.store
    annotations = sorted(
        (workspace.document_title(a.document), a.start, a.end,
         tuple(store.theme(t).name for t in a.themes), a.author)
        for a in store.annotations.values())
    decisions = [{"theme": d.theme, "start": d.start, "end": d.end, "coders": d.coders, "accepted": d.accepted,
                  "note": d.note} for d in store.decisions.values()]
    workspace.close()
    return annotations, decisions


def test_the_queue_lists_the_disagreements_in_corpus_order(corpus_dir: Path, coders) -> None:
    queue = opened(corpus_dir, coders)
    found = [(Path(p.document).name[:3], p.theme, p.start, p.end) for p in queue.passages]
    themes = [t.name for t in queue.coders[1].themes]
    first, second = themes[0], themes[1]
    assert found == [("000", second, 100, 150), ("000", first, 200, 280), ("001", "Tunnels", 5, 25),
                     ("002", second, 0, 30)]
    assert queue.names == ("ana", "ben")
    assert queue.progress == "0 of 4 disagreements resolved"
    assert queue.current.passage.start == 100
    assert queue.go(1).passage.start == 200
    assert queue.go(-2).passage.theme == second and queue.current.passage.start == 0  # round to the last
    assert queue.go(1).passage.start == 100  # and round to the first again


def test_each_kind_of_decision_lands_in_the_consensus_on_disk(corpus_dir: Path, coders) -> None:
    queue = opened(corpus_dir, coders)
    first = queue.passages[1].theme
    queue.go(1)  # ana 200–260, ben 220–280
    assert queue.decide(Choice.A).accepted == ["ana"]
    annotations, decisions = consensus_on_disk(corpus_dir)
    assert [a[1:] for a in annotations] == [(200, 260, (first,), "ana")]
    assert decisions == [{"theme": first, "start": 200, "end": 280, "coders": "ana, ben", "accepted": "ana",
                          "note": ""}]

    queue.decide(Choice.B)  # deciding again replaces, never adds
    annotations, decisions = consensus_on_disk(corpus_dir)
    assert [a[1:] for a in annotations] == [(220, 280, (first,), "ben")]
    assert [d["accepted"] for d in decisions] == ["ben"]

    queue.decide(Choice.BOTH)
    assert [a[1:] for a in consensus_on_disk(corpus_dir)[0]] == [(200, 260, (first,), "ana"),
                                                                 (220, 280, (first,), "ben")]
    queue.decide(Choice.NEITHER)
    annotations, decisions = consensus_on_disk(corpus_dir)
    assert annotations == [] and [d["accepted"] for d in decisions] == [""]
    assert queue.progress == "1 of 4 disagreements resolved"


def test_a_theme_the_consensus_lacks_is_created_with_the_coders_colour(corpus_dir: Path, coders) -> None:
    queue = opened(corpus_dir, coders)
    queue.go(2)  # ana's Tunnels, which only she has
    colour = queue.coders[0].store.theme_named("Tunnels").color
    queue.decide(Choice.A)
    workspace = Workspace.open_database(project(corpus_dir))
    assert workspace.store.theme_named("Tunnels").color == colour
    assert [(a.start, a.end, a.quote) for a in workspace.store.annotations.values()] == [
        (5, 25, workspace.documents[0].text[5:25])]


def test_decisions_and_memos_survive_a_restart(corpus_dir: Path, coders) -> None:
    queue = opened(corpus_dir, coders)
    queue.decide(Choice.B)
    queue.write_memo("ben saw the second theme; so do I")
    queue.go(3)
    queue.decide(Choice.NEITHER)
    queue.consensus.close()

    again = opened(corpus_dir, coders)
    assert again.progress == "2 of 4 disagreements resolved"
    assert again.current.accepted == ["ben"]
    assert again.current.decision.note == "ben saw the second theme; so do I"
    assert again.go(-1).decision.accepted == "" and again.current.accepted == []
    assert again.go(-1).decision is None  # Tunnels: not decided
    data = json.loads(project(corpus_dir).read_text())
    assert sorted(record["accepted"] for record in data["decisions"].values()) == ["", "ben"]


def test_a_memo_needs_a_decision_first(corpus_dir: Path, coders) -> None:
    queue = opened(corpus_dir, coders)
    with pytest.raises(ValueError, match="decide"):
        queue.write_memo("too soon")
    queue.consensus.close()
    assert not project(corpus_dir).exists()  # nothing was written


def test_undo_takes_the_last_decision_back(corpus_dir: Path, coders) -> None:
    queue = opened(corpus_dir, coders)
    queue.go(1)
    queue.decide(Choice.A)
    queue.decide(Choice.B)
    assert queue.undo() is not None
    assert queue.current.accepted == ["ana"]
    assert [a[4] for a in consensus_on_disk(corpus_dir)[0]] == ["ana"]
    queue.undo()
    assert queue.current.decision is None and queue.progress == "0 of 4 disagreements resolved"
    assert consensus_on_disk(corpus_dir)[1] == []


def test_a_merged_consensus_is_not_taken_as_settled_and_a_decision_replaces_it(corpus_dir: Path, coders) -> None:
    from tui.core.merging import merge

    merge(project(corpus_dir), list(coders))
    queue = opened(corpus_dir, coders)
    assert queue.resolved == 0
    queue.go(1)
    first = queue.current.passage.theme
    queue.decide(Choice.A)
    inside = [a for a in consensus_on_disk(corpus_dir)[0] if 200 <= a[1] and a[2] <= 280 and first in a[3]]
    assert [a[1:] for a in inside] == [(200, 260, (first,), "ana")]


def test_comparing_a_coder_with_itself_or_the_consensus_is_refused(corpus_dir: Path, coders) -> None:
    consensus = Workspace.open_database(project(corpus_dir), for_writing=True)
    with pytest.raises(StoreError, match="two different"):
        open_adjudication(consensus, coders[0], coders[0])
    with pytest.raises(StoreError, match="consensus"):
        open_adjudication(consensus, coders[0], project(corpus_dir))


SPANS = st.lists(st.tuples(st.integers(0, 59), st.integers(1, 20)).map(lambda s: (s[0], min(60, s[0] + s[1]))),
                 max_size=5)


@given(ana=SPANS, ben=SPANS)
def test_the_consensus_gets_exactly_the_accepted_coders_coding_inside_each_run(ana, ben) -> None:
    coding = build_coding(["ana", "ben"], {"d": TeamDocument("d", "D", 60)}, [{"T": {"d": ana}}, {"T": {"d": ben}}])
    for passage in disagreements(coding):
        for coders in [(), ("ana",), ("ben",), ("ana", "ben")]:
            taken = accepted_passages(passage, coders)
            assert all(passage.start <= start < end <= passage.end for start, end, _ in taken)
            wanted = union(span for name in coders for span in passage.coverage[name])
            assert union((start, end) for start, end, _ in taken) == wanted
            for start, end, credited in taken:  # each passage credits every coder who coded exactly it
                assert credited == ", ".join(n for n in coders if (start, end) in passage.coverage[n])


def test_margin_compare_refuses_bad_input_in_one_line(corpus_dir: Path, coders, capsys) -> None:
    database = str(project(corpus_dir))
    assert main(["compare", "ana", "zoe", "--db", database]) == 2
    assert capsys.readouterr().err.strip().endswith("coders/zoe.json: no such coder database")
    assert main(["compare", "ana", "../ben", "--db", database]) == 2  # a path: no such file
    assert "no such coder database" in capsys.readouterr().err
    assert main(["compare", "ana", "b@d", "--db", database]) == 2
    assert "coder name" in capsys.readouterr().err
    holder = Workspace.open_database(project(corpus_dir), for_writing=True)  # another Margin writes it
    try:
        assert main(["compare", "ana", "ben", "--db", database]) == 2
        error = capsys.readouterr().err
        assert "cannot adjudicate into it" in error and error.count("\n") == 1
    finally:
        holder.close()
    assert not project(corpus_dir).exists()  # nothing written


def test_two_coders_who_coded_nothing_have_nothing_to_compare(corpus_dir: Path) -> None:
    empty = (code(corpus_dir, "ana", []), code(corpus_dir, "ben", []))
    for path in empty:  # a coder database that was opened but never coded in
        path.write_text(json.dumps({"meta": {"1": {"application": "margin", "schema_version": 2}}}))
    consensus = Workspace.open_database(project(corpus_dir), for_writing=True)
    with pytest.raises(StoreError, match="nothing to compare"):
        open_adjudication(consensus, *empty)


def test_a_consensus_that_adjudication_creates_starts_with_the_projects_codebook(
        corpus_dir: Path, coders: tuple[Path, Path]) -> None:
    """Coders follow the corpus's codebook until the consensus exists; once ``margin compare``
    creates it, it is the project's codebook, so it must hold every shared theme: one made
    with only the themes a decision needed would mark all the others "proposed" for the
    coders from their next opening on."""
    from tui.core.adjudication import open_consensus
    from tui.core.codebook import read_codebook
    from tui.core.sharing import is_proposed

    assert not project(corpus_dir).exists()
    consensus = open_consensus(project(corpus_dir))
    adjudication = open_adjudication(consensus, *coders)
    adjudication.decide(Choice.A)
    consensus.close()
    shipped = [spec.name for spec in read_codebook(corpus_dir)]
    reopened = Workspace.open_database(project(corpus_dir))
    assert [theme.name for theme in reopened.themes][:len(shipped)] == shipped
    reopened.close()
    ana = Workspace.open([corpus_dir], database=project(corpus_dir), coder="ana")
    assert [theme.name for theme in ana.themes if is_proposed(ana.store, theme.id)] == ["Tunnels"]
    ana.close()
