"""Import: exports read back give the same annotations; what cannot be placed is listed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import SEEDS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace
from tui.core.exporters import export
from tui.core.importers import import_file


def essence(workspace: Workspace) -> set:
    """What must survive a round trip, independent of ids."""
    return {
        (workspace.store.documents[a.document].path.split("/")[-1], a.start, a.end, a.quote,
         tuple(sorted(workspace.theme(t).name for t in a.themes)), a.note, a.author, a.created)
        for a in workspace.store.annotations.values()
    }


SPANS = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 2500), st.integers(1, 200),
              st.sets(st.integers(0, 11), min_size=1, max_size=3), st.sampled_from(["", "a memo", "=1+1\nline"])),
    min_size=1, max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spans=SPANS, fmt=st.sampled_from(["jsonl", "w3c"]))
def test_export_then_import_gives_back_the_same_annotations(tmp_path_factory, spans, fmt) -> None:
    root = tmp_path_factory.mktemp("roundtrip")
    shutil.copytree(SEEDS, root / "seeds")
    source = Workspace.open([root / "seeds"], database=root / "a" / "annotations.json", author="ana")
    for number, start, length, themes, note in spans:
        document = source.documents[number]
        start = min(start, len(document.text) - 2)
        end = min(len(document.text), start + length)
        for theme in sorted(themes):
            source.toggle_theme(document, start, end, source.themes[theme])
        annotation = source.annotations(document).exactly(start, end)
        if annotation is not None and note:
            source.set_note(document, annotation, note)
    expected = essence(source)
    output, _ = export(source, fmt, root / f"out.{'jsonl' if fmt == 'jsonl' else 'jsonld'}")
    source.close()

    target = Workspace.open([root / "seeds"], database=root / "b" / "annotations.json", author="bob")
    report = import_file(target, output)
    assert report.unplaced == [] and report.moved == 0
    assert essence(target) == expected
    again = import_file(target, output)  # importing twice adds nothing
    assert again.imported == 0 and essence(target) == expected
    target.close()


def test_import_places_by_quote_and_reports_what_it_cannot(corpus_dir: Path, database: Path, tmp_path: Path,
                                                         capsys) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    document = workspace.documents[2]
    for needle in ("OASISS promotes", "Officials from both"):
        start = document.text.index(needle)
        workspace.toggle_theme(document, start, start + 40, workspace.themes[0])
    export(workspace, "jsonl", tmp_path / "out.jsonl")
    workspace.close()
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    records[0]["start"] += 7  # another tool counted differently
    records[0]["end"] += 7
    records[1]["quote"] = "A sentence that is in no document at all, anywhere."
    records[0]["theme_names"] = ["A theme from elsewhere"]
    (tmp_path / "edited.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

    fresh = tmp_path / "fresh" / "annotations.json"
    assert main(["import", str(tmp_path / "edited.jsonl"), "--db", str(fresh)]) == 1
    out = capsys.readouterr().out
    assert "imported 1 annotation, 1 placed by their quote, 1 could not be placed" in out
    assert "not placed: “A sentence that is in no document at all" in out
    imported = Workspace.open_database(fresh)
    (annotation,) = imported.store.annotations.values()
    assert annotation.quote.startswith("OASISS promotes")
    assert [t.name for t in imported.themes] == ["A theme from elsewhere"]
    assert main(["import", str(tmp_path / "missing.jsonl"), "--db", str(fresh)]) == 2


def test_a_database_elsewhere_finds_the_documents_by_their_absolute_path(corpus_dir: Path, database: Path,
                                                                         tmp_path: Path) -> None:
    workspace = Workspace.open([corpus_dir], database=database, author="ana")
    document = workspace.documents[1]
    workspace.toggle_theme(document, 10, 60, workspace.themes[3])
    export(workspace, "jsonl", tmp_path / "out.jsonl")
    workspace.close()
    elsewhere = Workspace.open_database(tmp_path / "far" / "deep" / "annotations.json", for_writing=True)
    report = import_file(elsewhere, tmp_path / "out.jsonl")
    assert (report.imported, report.unplaced) == (1, [])
    (annotation,) = elsewhere.store.annotations.values()
    assert annotation.quote == document.text[10:60]
    elsewhere.close()
