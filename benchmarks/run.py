"""Margin's speed and memory targets, each measured beside a baseline in the same run.

    python benchmarks/run.py            # every benchmark
    python benchmarks/run.py store      # only those whose name contains "store"

Data is generated here from a fixed seed (nothing is downloaded). Each figure is a median
over repeats, measured in a fresh child process where start-up or memory matters. The table
(target, measured, baseline, ratio, pass) is printed and written to ``benchmarks/results.json``.
These are not unit tests: a slow machine should not fail the suite.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
RESULTS = HERE / "results.json"
SEED = 20261122
ANNOTATIONS = 100_000


@dataclass
class Result:
    target: str
    measured: str
    baseline: str
    ratio: float
    passed: bool

    def row(self) -> dict:
        row = asdict(self)
        row["pass"] = row.pop("passed")
        return row


def median_ms(action: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def run_child(code: str, *arguments: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *arguments],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# -- a database with 100,000 annotations -----------------------------------------------------


def build_big_database(folder: Path) -> tuple[Path, Path]:
    """Copy the seed corpus and write a Margin database holding ``ANNOTATIONS`` annotations
    spread over its documents, the way months of coding by a team would leave it."""
    from tui.core import Workspace

    corpus = folder / "seeds"
    shutil.copytree(SEEDS, corpus)
    database = folder / "annotations" / "annotations.json"
    workspace = Workspace.open([corpus], database=database, author="bench")
    theme = workspace.themes[0]
    for document in workspace.documents:  # one real tag each registers the documents
        workspace.toggle_theme(document, 0, 10, theme)
    workspace.close()

    data = json.loads(database.read_text(encoding="utf-8"))
    documents = {record["path"]: int(key) for key, record in data["documents"].items()}
    texts = [(documents[Path("..", "seeds", d.path.name).as_posix()], d.text) for d in workspace.documents]
    theme_ids = [int(key) for key in data["themes"]]
    rng = random.Random(SEED)
    annotations = {}
    for number in range(1, ANNOTATIONS + 1):
        document_id, text = rng.choice(texts)
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randrange(20, 400)
        annotations[str(number)] = {
            "document": document_id, "start": start, "end": end, "quote": text[start:end],
            "prefix": text[max(0, start - 32):start], "suffix": text[end:end + 32],
            "themes": rng.sample(theme_ids, rng.randrange(1, 3)),
            "note": "memo " * rng.randrange(0, 8), "author": rng.choice(["ana", "ben", "chloe"]),
            "created": "2026-11-01T10:00:00+00:00", "modified": "2026-11-01T10:00:00+00:00",
        }
    data["annotations"] = annotations
    database.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return corpus, database


# ru_maxrss survives fork and exec on Linux (a child would report this process's peak);
# VmHWM belongs to the child's own address space.
PEAK_MEMORY = """
    def peak_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
"""

OPEN_CHILD = PEAK_MEMORY + """
    import json, sys, time
    from pathlib import Path
    began = time.perf_counter()
    from tui.core import Workspace
    workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]))
    for document in workspace.documents:
        workspace.annotations(document)  # what the first paint needs
    opened = time.perf_counter() - began
    peak = peak_mb()
    print(json.dumps({"seconds": opened, "peak_mb": peak, "count": len(workspace.store.annotations)}))
"""

BASELINE_OPEN_CHILD = PEAK_MEMORY + """
    import json, sys, time
    began = time.perf_counter()
    from tinydb import TinyDB
    count = len(TinyDB(sys.argv[1]).table("annotations").all())
    opened = time.perf_counter() - began
    peak = peak_mb()
    print(json.dumps({"seconds": opened, "peak_mb": peak, "count": count}))
"""


def bench_store_open(folder: Path) -> list[Result]:
    corpus, database = folder / "seeds", folder / "annotations" / "annotations.json"
    runs = [run_child(OPEN_CHILD, str(corpus), str(database)) for _ in range(3)]
    baselines = [run_child(BASELINE_OPEN_CHILD, str(database)) for _ in range(3)]
    assert runs[0]["count"] >= ANNOTATIONS, runs[0]
    seconds = statistics.median(run["seconds"] for run in runs)
    base_seconds = statistics.median(run["seconds"] for run in baselines)
    peak = statistics.median(run["peak_mb"] for run in runs)
    base_peak = statistics.median(run["peak_mb"] for run in baselines)
    return [
        Result("store: open 100k annotations < 1.5 s", f"{seconds:.2f} s",
               f"{base_seconds:.2f} s (TinyDB JSONStorage .all())", seconds / base_seconds, seconds < 1.5),
        Result("store: memory with 100k annotations < 300 MB", f"{peak:.0f} MB",
               f"{base_peak:.0f} MB (TinyDB JSONStorage .all())", peak / base_peak, peak < 300),
    ]


def bench_store_tag(folder: Path) -> list[Result]:
    """Key to durable: the workspace call a digit key makes, journal fsync included."""
    from tinydb import TinyDB

    from tui.core import Workspace

    corpus, database = folder / "seeds", folder / "annotations" / "annotations.json"
    working = folder / "tag" / "annotations.json"
    working.parent.mkdir()
    shutil.copy(database, working)
    workspace = Workspace.open([corpus], database=working, author="bench")
    document, theme = workspace.documents[2], workspace.themes[5]
    spans = iter(range(100, 100 + 4000, 7))

    def tag() -> None:
        start = next(spans)
        workspace.toggle_theme(document, start, start + 50, theme)

    tag()  # the first change of a session also writes the backup; time the steady state
    measured = median_ms(tag, 51)
    workspace.close()

    stock = folder / "stock" / "annotations.json"
    stock.parent.mkdir()
    shutil.copy(database, stock)
    table = TinyDB(stock).table("annotations")
    record = dict(json.loads(database.read_text(encoding="utf-8"))["annotations"]["1"])
    baseline = median_ms(lambda: table.insert(dict(record)), 5)
    return [Result("store: tag to durable at 100k annotations < 20 ms", f"{measured:.2f} ms",
                   f"{baseline:.0f} ms (TinyDB JSONStorage insert)", measured / baseline, measured < 20)]


BENCHMARKS: dict[str, Callable[[Path], list[Result]]] = {
    "store-open": bench_store_open,
    "store-tag": bench_store_tag,
}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    wanted = [name for name in BENCHMARKS if not argv or any(word in name for word in argv)]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as temporary:
        folder = Path(temporary)
        if any(name.startswith("store") for name in wanted):
            print(f"generating a database of {ANNOTATIONS:,} annotations…", file=sys.stderr)
            build_big_database(folder)
        for name in wanted:
            print(f"running {name}…", file=sys.stderr)
            results.extend(BENCHMARKS[name](folder))
    widths = [max(len(getattr(r, column)) for r in results) for column in ("target", "measured", "baseline")]
    for result in results:
        print(f"{result.target:<{widths[0]}}  {result.measured:>{widths[1]}}  "
              f"{result.baseline:<{widths[2]}}  x{result.ratio:<7.3f} {'pass' if result.passed else 'FAIL'}")
    RESULTS.write_text(json.dumps([r.row() for r in results], indent=2) + "\n", encoding="utf-8")
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
