"""benchmarks/run.py's command line: a name that matches nothing lists the benchmarks (it
used to crash on ``max()`` of nothing), and the table sets each figure beside its target and
baseline. No benchmark is run here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("margin_benchmarks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        del sys.modules[spec.name]


def test_a_name_matching_no_benchmark_lists_them_and_runs_nothing(bench, monkeypatch, capsys):
    def ran(folder):
        raise AssertionError("no benchmark should run")

    monkeypatch.setattr(bench, "BENCHMARKS", {name: ran for name in bench.BENCHMARKS})
    monkeypatch.setattr(bench, "RESULTS", Path("/nonexistent/results.json"))  # never written
    assert bench.main(["nosuch"]) == 2
    err = capsys.readouterr().err
    assert "no benchmark matches 'nosuch'" in err
    for name in bench.BENCHMARKS:
        assert f"  {name}\n" in err
    assert bench.main(["store", "nosuch"]) == 2  # one unknown word among known ones: same


def test_words_select_benchmarks_by_part_of_their_name(bench):
    assert bench.selected([]) == [name for name in bench.BENCHMARKS if name != "million"]  # slow: opt-in
    assert bench.selected(["million"]) == ["million"]
    assert bench.selected(["store"]) == ["store-open", "store-tag", "store-checkpoint"]
    assert bench.selected(["paint", "csv"]) == ["first-paint", "export-csv"]


def test_the_table_sets_each_figure_beside_its_target_and_baseline(bench):
    rows = bench.table([
        bench.Result("store: open < 1.5 s", "0.56 s", "0.98 s (TinyDB)", 0.5714, True),
        bench.Result("export: csv < 2 s", "2.51 s", "1.31 s (csv.writer)", 1.916, False),
        bench.Result("tag < 20 ms", "0.26 ms", "1529 ms (TinyDB insert)", 0.00017, True),
    ])
    assert [cell.strip() for cell in rows[0].strip("|").split("|")] == ["target", "measured", "baseline",
                                                                        "ratio", "pass"]
    assert set(rows[1]) <= set("|-:")
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]
    assert cells == [
        ["store: open < 1.5 s", "0.56 s", "0.98 s (TinyDB)", "0.57", "pass"],
        ["export: csv < 2 s", "2.51 s", "1.31 s (csv.writer)", "1.92", "**FAIL**"],
        ["tag < 20 ms", "0.26 ms", "1529 ms (TinyDB insert)", "0.0002", "pass"],
    ]
    assert len({len(row) for row in rows}) == 1  # aligned columns
