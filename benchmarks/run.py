"""Margin's speed and memory targets, each measured beside a baseline in the same run.

    python benchmarks/run.py            # every benchmark
    python benchmarks/run.py store      # only those whose name contains "store" (the others
                                        # keep their rows in results.json)
    python benchmarks/run.py nosuch     # a word that matches no benchmark: the list of them

Data is generated here from a fixed seed (nothing is downloaded). Each figure is a median
over repeats, measured in a fresh child process where start-up or memory matters. The table
(target, measured, baseline, ratio, pass) is printed as Markdown and written to
``benchmarks/results.json``.
These are not unit tests: a slow machine should not fail the suite.
"""

from __future__ import annotations

import json
import os
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
from functools import partial
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


def compared(target: str, limit: float, measured: dict, baseline: dict, key: str, baseline_is: str) -> Result:
    """A row for one timing (in ms) of two child runs: Margin's and its baseline's."""
    return Result(target, f"{measured[key]:.1f} ms", f"{baseline[key]:.1f} ms ({baseline_is})",
                  measured[key] / baseline[key], measured[key] < limit)


def median_ms(action: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


# Users' interpreters cache bytecode; where the environment forbids it, children would time
# the compiling of Margin's modules at every start rather than Margin.
CHILD_ENVIRONMENT = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run_child(code: str, *arguments: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    return timed_child(code, *arguments)[1]


def timed_child(code: str, *arguments: str) -> tuple[float, dict]:
    """``run_child``, with the whole process's wall time in seconds (start-up included)."""
    began = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *arguments],
        capture_output=True, text=True, cwd=ROOT, check=False, env=CHILD_ENVIRONMENT,
    )
    seconds = time.perf_counter() - began
    if completed.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{completed.stderr}")
    return seconds, json.loads(completed.stdout.strip().splitlines()[-1])


# -- a database with 100,000 annotations -----------------------------------------------------


WORDS = (
    "border security cooperation agency officials migrants smuggling networks weapons cartel "
    "customs bridge crossing enforcement program bilateral meeting report community shelter "
    "trafficking investigation task force patrol region federal state local partners trade "
    "travel commerce violence safety health dialogue intelligence information sharing"
).split()


def generate_prose(rng: random.Random, size: int) -> str:
    """Paragraphs of plausible sentences, about ``size`` characters, the same for a seed."""
    paragraphs, length = [], 0
    while length < size:
        sentences = []
        for _ in range(rng.randrange(2, 7)):
            words = rng.choices(WORDS, k=rng.randrange(6, 24))
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def build_big_database(folder: Path) -> tuple[Path, Path]:
    """A corpus of the seed documents plus generated ones (200 in all, ~4 MB) and a Margin
    database holding ``ANNOTATIONS`` annotations over it: 500 per document, as months of
    coding by a team would leave it."""
    from tui.core import Workspace

    rng = random.Random(SEED)
    corpus = folder / "seeds"
    shutil.copytree(SEEDS, corpus)
    for number in range(5, 200):
        (corpus / f"{number:03d}_generated.txt").write_text(generate_prose(rng, 20_000), encoding="utf-8")
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
            "orphaned": False,
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


def working_copy(folder: Path, name: str) -> Path:
    """A private copy of the generated database, so each benchmark starts from the same file."""
    working = folder / name / "annotations.json"
    working.parent.mkdir()
    shutil.copy(folder / "annotations" / "annotations.json", working)
    return working


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

    workspace = Workspace.open([folder / "seeds"], database=working_copy(folder, "tag"), author="bench")
    document, theme = workspace.documents[2], workspace.themes[5]
    spans = iter(range(100, 100 + 4000, 7))

    def tag() -> None:
        start = next(spans)
        workspace.toggle_theme(document, start, start + 50, theme)

    tag()  # the first change of a session also writes the backup; time the steady state
    measured = median_ms(tag, 51)
    workspace.close()

    stock = working_copy(folder, "stock")
    table = TinyDB(stock).table("annotations")
    record = dict(json.loads(stock.read_text(encoding="utf-8"))["annotations"]["1"])
    baseline = median_ms(lambda: table.insert(dict(record)), 5)
    return [Result("store: tag to durable at 100k annotations < 20 ms", f"{measured:.2f} ms",
                   f"{baseline:.0f} ms (TinyDB JSONStorage insert)", measured / baseline, measured < 20)]


APP_TAG_CHILD = """
    import asyncio, json, statistics, sys, time
    from pathlib import Path
    from tui.core import Workspace
    from tui.ui.app import MarginApp
    from tui.ui.screens.reader import ReaderScreen

    durable, handled, began = [], [], [0.0]
    toggle, tag = Workspace.toggle_theme, ReaderScreen.action_tag

    def timed_tag(screen, key):  # the digit key's action, as Textual dispatches it
        began[0] = time.perf_counter()
        tag(screen, key)
        handled.append((time.perf_counter() - began[0]) * 1000)

    def timed_toggle(*arguments):  # returns once the change is fsynced in the journal
        result = toggle(*arguments)
        durable.append((time.perf_counter() - began[0]) * 1000)
        return result

    ReaderScreen.action_tag, Workspace.toggle_theme = timed_tag, timed_toggle

    async def main():
        workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]), author="bench")
        app = MarginApp(workspace)
        async with app.run_test(size=(140, 40)) as pilot:
            for _ in range(21):
                await pilot.press("right", "right", "v", "l", "l", "l", "6", "escape")
        print(json.dumps({"durable": statistics.median(durable[1:]), "handled": statistics.median(handled[1:])}))

    asyncio.run(main())
"""


def bench_app_tag(folder: Path) -> list[Result]:
    """The same tag through the real app: a digit key pressed in a pane. Durable is when the
    journal's fsync returned; handled adds the on-screen updates the key asks for."""
    corpus = folder / "seeds"
    measured = run_child(APP_TAG_CHILD, str(corpus), str(working_copy(folder, "app-tag")))
    small = folder / "app-tag-empty" / "annotations.json"  # the same app and keys, no annotations
    baseline = run_child(APP_TAG_CHILD, str(corpus), str(small))
    return [
        compared("app: digit key to durable at 100k annotations < 20 ms", 20, measured, baseline, "durable",
                 "same keys, empty database"),
        compared("app: digit key handled at 100k annotations < 20 ms", 20, measured, baseline, "handled",
                 "same keys, empty database"),
    ]


def bench_store_checkpoint(folder: Path) -> list[Result]:
    """Folding the journal into the TinyDB file: runs after a quiet second, on the UI thread."""
    from tui.core import Workspace

    working = working_copy(folder, "checkpoint")
    workspace = Workspace.open([folder / "seeds"], database=working, author="bench")
    document, theme = workspace.documents[1], workspace.themes[3]
    offsets = iter(range(50, 5000, 3))

    def change_and_checkpoint() -> None:
        start = next(offsets)
        workspace.toggle_theme(document, start, start + 10, theme)
        workspace.store.checkpoint()

    measured = median_ms(change_and_checkpoint, 7)
    workspace.close()
    data = json.loads(working.read_text(encoding="utf-8"))
    baseline = median_ms(lambda: working.with_suffix(".stdlib").write_text(json.dumps(data)), 3)
    return [Result("store: idle checkpoint at 100k annotations < 250 ms", f"{measured:.0f} ms",
                   f"{baseline:.0f} ms (json.dumps + write)", measured / baseline, measured < 250)]


def bench_browser_filter(folder: Path) -> list[Result]:
    """A keystroke in the annotation browser's filter: the core's filter and sort."""
    from tui.core import Workspace

    workspace = Workspace.open([folder / "seeds"], database=working_copy(folder, "browse"), author="bench")
    workspace.find_annotations("")  # the searchable text is built once, when the browser opens
    queries = iter(["b", "bo", "bor", "bord", "borde", "border", "border s", "border sa", "theme:arms"] * 3)
    measured = median_ms(lambda: workspace.find_annotations(next(queries)), 27)

    names = {theme.id: theme.name for theme in workspace.themes}

    def naive(query: str) -> list:  # lower-casing every field on every keystroke
        words = query.casefold().split()
        return [a for a in workspace.store.annotations.values()
                if all(word in " ".join([a.quote, a.note, a.author, *(names.get(t, "") for t in a.themes)]).casefold()
                       for word in words)]

    queries = iter(["b", "bo", "bor", "bord", "borde", "border", "border s", "border sa", "arms"] * 3)
    baseline = median_ms(lambda: naive(next(queries)), 9)
    workspace.close()
    return [Result("browser: filter 100k annotations per keystroke < 50 ms", f"{measured:.0f} ms",
                   f"{baseline:.0f} ms (lower-casing every field per keystroke)", measured / baseline,
                   measured < 50)]


# -- first paint, big documents, many documents ----------------------------------------------

# The child exits on the first frame Textual writes to the terminal, in every mode, so the
# floor (a one-Static app), Margin and the TextArea baseline are timed the same way. Margin's
# first paint is its first frame showing the documents' text: a big file is read off the UI
# thread behind a "Reading…" notice, and that notice does not count.
FIRST_PAINT_CHILD = PEAK_MEMORY + """
    import json, sys, time
    began = time.perf_counter()
    from textual.app import App
    write_frame = App._display

    def shows_text(app):
        if mode != "margin":
            return True
        from tui.ui.widgets.document_view import DocumentView
        views = list(app.screen.query(DocumentView))
        return bool(views) and all(view.document.loaded for view in views)

    def display(app, screen, renderable):
        write_frame(app, screen, renderable)
        if not getattr(app, "painted", False) and shows_text(app):
            app.painted = (time.perf_counter() - began) * 1000
            app.exit()

    App._display = display
    run = App.run
    App.run = lambda app, **options: run(app, headless=True, size=(140, 40), **options)
    mode, arguments = sys.argv[1], sys.argv[2:]
    if mode == "floor":
        from textual.widgets import Static

        class Floor(App):
            def compose(self):
                yield Static("Hello")

        app = Floor()
        app.run()
    elif mode == "textarea":
        from pathlib import Path
        from textual.widgets import TextArea

        class Plain(App):
            def compose(self):
                yield TextArea(Path(arguments[0]).read_text(encoding="utf-8"), soft_wrap=True, read_only=True)

        app = Plain()
        app.run()
    else:
        from tui.cli import main
        from tui.ui.app import MarginApp
        apps = []
        init = MarginApp.__init__
        MarginApp.__init__ = lambda app, *a, **k: (apps.append(app), init(app, *a, **k))[1]
        main(arguments)
        app = apps[0]
    print(json.dumps({"painted_ms": app.painted, "peak_mb": peak_mb()}))
"""

PAINT_REPEATS = 5


def first_paint(mode: str, *arguments: str) -> tuple[float, float, float]:
    """Median whole-process seconds to the first frame, the floor's median measured in turn
    with it (the machine's load then slows both alike), and the median peak memory in MB."""
    timed_child(FIRST_PAINT_CHILD, mode, *arguments)  # warm the page cache and bytecode
    runs, floors = [], []
    for _ in range(PAINT_REPEATS):
        floors.append(timed_child(FIRST_PAINT_CHILD, "floor")[0])
        runs.append(timed_child(FIRST_PAINT_CHILD, mode, *arguments))
    return (statistics.median(s for s, _ in runs), statistics.median(floors),
            statistics.median(r["peak_mb"] for _, r in runs))


def paint_result(target: str, limit: float, seconds: float, floor: float) -> Result:
    ratio = seconds / floor
    return Result(f"{target} <= {limit}x floor", f"{seconds:.2f} s", f"{floor:.2f} s (one-Static Textual app)",
                  ratio, ratio <= limit)


def big_document(folder: Path) -> Path:
    """A 10 MB document of generated prose with paragraphs, alone in its folder."""
    path = folder / "big" / "report.txt"
    if not path.exists():
        path.parent.mkdir()
        path.write_text(generate_prose(random.Random(SEED), 10_000_000), encoding="utf-8")
    return path


def bench_first_paint(folder: Path) -> list[Result]:
    timed_child(FIRST_PAINT_CHILD, "floor")  # warm Textual's bytecode
    seeds, seeds_floor, _ = first_paint("margin", str(SEEDS), "--db",
                                        str(folder / "paint-seeds" / "annotations.json"))
    big = big_document(folder)
    size_mb = big.stat().st_size / 1e6
    margin_big, big_floor, margin_peak = first_paint("margin", str(big.parent), "--db",
                                                     str(folder / "paint-big" / "db.json"))
    textarea_big, _, _ = first_paint("textarea", str(big))
    many = folder / "many"
    many.mkdir()
    rng = random.Random(SEED + 1)
    for number in range(1000):
        (many / f"{number:04d}.txt").write_text(generate_prose(rng, 50_000), encoding="utf-8")
    margin_many, many_floor, _ = first_paint("margin", str(many), "--db",
                                             str(folder / "paint-many" / "db.json"))
    return [
        paint_result("first paint: seed corpus", 1.2, seeds, seeds_floor),
        paint_result(f"first paint: one {size_mb:.0f} MB document", 1.5, margin_big, big_floor),
        Result("first paint: 10 MB document, >= 4x faster than TextArea", f"{margin_big:.2f} s",
               f"{textarea_big:.2f} s (soft-wrapped read-only TextArea)", margin_big / textarea_big,
               textarea_big / margin_big >= 4),
        Result("memory: 10 MB document < 10x the file", f"{margin_peak:.0f} MB",
               f"{size_mb:.0f} MB (the file)", margin_peak / size_mb, margin_peak < 10 * size_mb),
        paint_result("first paint: 1,000 documents of 50 KB", 1.5, margin_many, many_floor),
    ]


# Keys timed in the 10 MB document: from the action to the visible rows drawn again.
KEYSTROKE_CHILD = """
    import asyncio, json, statistics, sys, time
    from pathlib import Path
    from textual.geometry import Region
    from tui.core import Workspace
    from tui.ui.app import MarginApp
    from tui.ui.widgets.document_view import DocumentView

    KEYS = ["move_row(1)", "move_row(1)", "move_char(1)", "half_page(1)", "page(1)", "toggle_selection",
            "move_row(1)", "move_char(1)", "word(1)", "paragraph(1)", "move_row(-1)", "page(-1)",
            "clear_selection", "half_page(-1)", "document_end", "document_start"]
    resizes = []
    on_resize, render_lines = DocumentView.on_resize, DocumentView.render_lines

    def timed_on_resize(view, event):  # a resize: from its event to the view drawn at the new width
        view.resize_began = time.perf_counter()
        on_resize(view, event)

    def timed_render_lines(view, crop):
        strips = render_lines(view, crop)
        if getattr(view, "resize_began", None) is not None:
            resizes.append((time.perf_counter() - view.resize_began) * 1000)
            view.resize_began = None
        return strips

    DocumentView.on_resize, DocumentView.render_lines = timed_on_resize, timed_render_lines

    async def main():
        workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]), author="bench")
        app = MarginApp(workspace, panes=1)
        keys = []
        async with app.run_test(size=(140, 40)) as pilot:
            view = app.screen.query_one(DocumentView)
            view.move_to(len(view.document.text) // 2)  # the middle: nothing near it wrapped yet
            await pilot.pause()
            for _ in range(5):
                for action in KEYS:
                    region = view.scrollable_content_region
                    began = time.perf_counter()
                    await view.run_action(action)
                    render_lines(view, Region(0, 0, region.width, region.height))
                    for y in range(region.height):  # every visible row drawn again
                        view.render_line(y)
                    keys.append((time.perf_counter() - began) * 1000)
            resizes.clear()
            for width in (100, 140, 90, 120, 80, 140):
                await pilot.resize_terminal(width, 40)
                await pilot.pause()
        print(json.dumps({"key_ms": statistics.median(keys), "key_worst_ms": max(keys),
                          "resize_ms": statistics.median(resizes)}))

    asyncio.run(main())
"""


def bench_keystrokes(folder: Path) -> list[Result]:
    big = big_document(folder)
    measured = run_child(KEYSTROKE_CHILD, str(big.parent), str(folder / "keys-big" / "db.json"))
    small = run_child(KEYSTROKE_CHILD, str(SEEDS / "000_2e8d550788efb0f9.txt"),
                      str(folder / "keys-small" / "db.json"))
    return [
        compared("keys in a 10 MB document: to repaint < 16 ms", 16, measured, small, "key_ms",
                 "same keys, a 5 KB seed document"),
        compared("resize with a 10 MB document < 100 ms", 100, measured, small, "resize_ms",
                 "same widths, a 5 KB seed document"),
    ]


# Coding stripes beside a 10 MB document coded densely (a passage every 500 characters, in
# eight themes): from a scroll to the stripes laid out again and every stripe row drawn, beside
# the text view drawing its own rows at the same places.
STRIPES_CHILD = """
    import asyncio, json, random, statistics, sys, time
    from pathlib import Path
    from textual.geometry import Region
    from tui.core import Workspace
    from tui.ui.app import MarginApp
    from tui.ui.widgets.document_pane import DocumentPane

    async def main():
        workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]), author="bench")
        document = workspace.documents[0]
        text, rng = document.text, random.Random(7)
        themes = [workspace.create_theme(f"Theme {number}") for number in range(8)]
        passages = [[] for _ in themes]
        for number, start in enumerate(range(0, len(text) - 3000, 500)):
            begin = start + rng.randint(0, 400)
            passages[number % len(themes)].append((document, begin, begin + rng.randint(20, 2500)))
        for theme, coded in zip(themes, passages):
            workspace.tag_passages(coded, theme)
        app = MarginApp(workspace, panes=1)
        stripes_ms, view_ms, shown = [], [], []
        async with app.run_test(size=(140, 40)) as pilot:
            pane = app.screen.query_one(DocumentPane)
            view, stripes = pane.view, pane.stripes
            assert stripes.display, "stripes hidden at 140 columns with one pane"
            for fraction in (0.1, 0.3, 0.5, 0.7, 0.9, 0.99):
                view.move_to(int(len(text) * fraction))
                view.scroll_to_cursor(center=True)
                await pilot.pause()
                shown.append(len(stripes.passages()))
                region = view.scrollable_content_region
                for _ in range(20):
                    began = time.perf_counter()
                    stripes.follow(view)
                    for y in range(stripes.size.height):
                        stripes.render_line(y)
                    stripes_ms.append((time.perf_counter() - began) * 1000)
                    began = time.perf_counter()
                    view.render_lines(Region(0, 0, region.width, region.height))
                    for y in range(region.height):
                        view.render_line(y)
                    view_ms.append((time.perf_counter() - began) * 1000)
        print(json.dumps({"stripes_ms": statistics.median(stripes_ms), "view_ms": statistics.median(view_ms),
                          "passages_shown": statistics.median(shown)}))

    asyncio.run(main())
"""


def bench_stripes(folder: Path) -> list[Result]:
    big = big_document(folder)
    measured = run_child(STRIPES_CHILD, str(big.parent), str(folder / "stripes" / "db.json"))
    return [Result("stripes: relayout and draw beside a densely coded 10 MB document < 16 ms",
                   f"{measured['stripes_ms']:.1f} ms",
                   f"{measured['view_ms']:.1f} ms (the text view drawing the same rows)",
                   measured["stripes_ms"] / measured["view_ms"], measured["stripes_ms"] < 16)]


# The baselines build the rows Margin writes from the raw file (json.load, no Margin: no
# validation, no typed records, no formula protection) and hand them to the standard
# library's writer (or msgspec's encoder), so the ratio is what Margin adds to the writing.
EXPORT_BASELINE_CHILD = """
    import csv, json, sys
    from pathlib import Path
    fmt, database, output = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    data = json.load(open(database, encoding="utf-8"))
    names = {int(key): theme["name"] for key, theme in data["themes"].items()}
    parents = {int(key): theme.get("parent") for key, theme in data["themes"].items()}
    def lineage(theme):
        return [*lineage(parents[theme]), names[theme]] if parents.get(theme) is not None else [names[theme]]
    paths = {theme: lineage(theme) for theme in names}
    documents = {int(key): (document["title"], document["path"], str((database.parent / document["path"]).resolve()))
                 for key, document in data["documents"].items()}
    annotations = data["annotations"].items()
    if fmt == "csv":
        def rows():
            for key, record in annotations:
                title, path, _ = documents[record["document"]]
                themes = [names[theme] for theme in record["themes"]]
                for name in themes:
                    yield [key, title, path, record["start"], record["end"], record["quote"], name,
                           "; ".join(themes), record["note"], record["author"], record["created"],
                           record["modified"], record["orphaned"]]
        with open(output, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows())
    else:
        import msgspec
        encode = msgspec.json.Encoder().encode
        def line(key, record):
            title, path, file = documents[record["document"]]
            return {"id": int(key), **record, "theme_names": [names[theme] for theme in record["themes"]],
                    "theme_paths": [paths[theme] for theme in record["themes"]],
                    "document_title": title, "document_path": path, "document_file": file, "attributes": {}}
        if fmt == "jsonl":
            with open(output, "wb") as out:
                out.write(encode({"type": "codebook", "themes": list(data["themes"].values())}) + b"\\n")
                out.writelines(encode(line(key, record)) + b"\\n" for key, record in annotations)
        else:  # the W3C collection of the same items: one JSON document, indented
            generator = {"id": "https://github.com/margin-reader/margin", "type": "Software", "name": "Margin"}
            def item(key, record):
                body = [{"type": "TextualBody", "purpose": "tagging", "value": names[theme]} for theme in record["themes"]]
                if record["note"]:
                    body.append({"type": "TextualBody", "purpose": "commenting", "value": record["note"],
                                 "format": "text/plain"})
                return {"id": f"urn:margin:annotation:{key}", "type": "Annotation", "motivation": "tagging",
                        "created": record["created"], "modified": record["modified"],
                        "creator": {"type": "Person", "name": record["author"]}, "generator": generator,
                        "body": body, "target": {"source": Path(documents[record["document"]][2]).as_uri(), "selector": [
                            {"type": "TextQuoteSelector", "exact": record["quote"], "prefix": record["prefix"],
                             "suffix": record["suffix"]},
                            {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]}]}}
            items = [item(key, record) for key, record in annotations]
            collection = {"type": "AnnotationCollection", "total": len(items), "first": {"items": items}}
            open(output, "wb").write(msgspec.json.format(encode(collection), indent=2))
    print(json.dumps({}))
"""

EXPORT_CHILD = """
    import json, sys
    from tui.cli import main
    main(["export", "--format", sys.argv[1], "--db", sys.argv[2], "-o", sys.argv[3], "--force"])
    print(json.dumps({}))
"""

EXPORT_BASELINES = {"csv": "json.load + csv.writer of the same rows, no Margin",
                    "jsonl": "json.load + msgspec lines of the same records, no Margin",
                    "w3c": "json.load + msgspec of the same items, indented, no Margin"}


def bench_export(folder: Path, fmt: str) -> list[Result]:
    """``margin export`` of 100k annotations, whole process, beside the baseline writing the
    same rows (records) from the raw file in the same run, alternately, median of three."""
    database = folder / "annotations" / "annotations.json"
    measured, baseline = [], []
    for _ in range(3):
        measured.append(timed_child(EXPORT_CHILD, fmt, str(database), str(folder / f"out.{fmt}"))[0])
        baseline.append(timed_child(EXPORT_BASELINE_CHILD, fmt, str(database),
                                    str(folder / f"base.{fmt}"))[0])
    seconds, base = statistics.median(measured), statistics.median(baseline)
    return [Result(f"export: {fmt} of 100k annotations <= 1.3x the bare writer", f"{seconds:.2f} s",
                   f"{base:.2f} s ({EXPORT_BASELINES[fmt]})", seconds / base, seconds <= 1.3 * base)]


CODES = 5_000
BASELINE_CODES = 1_000  # the per-code path is quadratic: 5,000 codes take minutes


def nested_codebook(codes: int) -> bytes:
    """A REFI-QDA project of ``codes`` codes, three deep: ten per top-level code."""
    groups = []
    for top in range(codes // 10):
        children = "".join(
            f'<Code guid="c{top}-{n}" name="Code {top}.{n}" isCodable="true" color="#2A6F97">'
            f'<Code guid="d{top}-{n}" name="Detail {top}.{n}" isCodable="true"/></Code>' for n in range(4))
        groups.append(f'<Code guid="t{top}" name="Group {top}" isCodable="true">{children}'
                      f'<Code guid="e{top}" name="Other {top}" isCodable="true"/></Code>')
    return (f'<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="bench"><CodeBook><Codes>'
            f'{"".join(groups)}</Codes></CodeBook></Project>').encode()


def bench_import_codebook(folder: Path) -> list[Result]:
    """``margin import`` of a big nested codebook (parse, check, one journal batch), beside
    the per-code path the importer used before (``create_theme`` + ``set_parent`` per code)."""
    import zipfile

    from tui.core import Workspace
    from tui.core.importers import import_file
    from tui.core.refi import read_project

    def project(codes: int) -> Path:
        path = folder / f"codebook-{codes}.qdpx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr("project.qde", nested_codebook(codes))
        return path

    def imported(codes: int, run: int) -> float:
        workspace = Workspace.open_database(folder / f"import-{codes}-{run}" / "annotations.json", for_writing=True)
        began = time.perf_counter()
        import_file(workspace, project(codes))
        seconds = time.perf_counter() - began
        assert len(workspace.themes) == codes
        workspace.close()
        return seconds

    def per_code(codes: int) -> float:
        workspace = Workspace.open_database(folder / "per-code" / "annotations.json", for_writing=True)
        specs = read_project(project(codes).read_bytes(), folder).codes
        store = workspace.store
        began = time.perf_counter()
        with workspace.undoable("import"):
            for spec in specs:
                theme = store.update_theme(store.create_theme(spec.name), color=spec.color or "#000000")
                group = store.theme_named(spec.parent) if spec.parent else None
                if group is not None and group.parent is None:
                    store.set_parent(theme, group)
        seconds = time.perf_counter() - began
        workspace.close()
        return seconds

    measured = statistics.median(imported(CODES, run) for run in range(3))
    small = statistics.median(imported(BASELINE_CODES, run) for run in range(3))
    baseline = per_code(BASELINE_CODES)
    return [
        Result(f"import: nested codebook of {CODES:,} codes < 1.5 s", f"{measured:.2f} s",
               f"{baseline:.2f} s (per-code create + set_parent, {BASELINE_CODES:,} codes only)",
               measured / baseline, measured < 1.5),
        Result(f"import: {BASELINE_CODES:,} codes, faster than per-code", f"{small:.2f} s",
               f"{baseline:.2f} s (per-code create + set_parent)", small / baseline, small < baseline / 10),
    ]


CODERS = 5

READ_CODERS_CHILD = """
    import json, sys, time
    from pathlib import Path
    from tui.core import Workspace
    began = time.perf_counter()
    count = 0
    for path in sys.argv[1:]:
        count += len(Workspace.open_database(Path(path)).store.annotations)  # one at a time, as agree does
    print(json.dumps({"seconds": time.perf_counter() - began, "count": count}))
"""

AGREE_CHILD = """
    import contextlib, io, json, sys, time
    began = time.perf_counter()
    from tui.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["agree", *sys.argv[1:], "--json"])
    report = json.loads(out.getvalue())
    print(json.dumps({"seconds": time.perf_counter() - began, "status": status,
                      "themes": len(report["themes"])}))
"""


def build_coder_databases(folder: Path) -> list[Path]:
    """``CODERS`` coder databases of ``ANNOTATIONS`` annotations each over the generated corpus:
    the big database's passages, each coder moving a third of the boundaries by up to 40
    characters and recoding a tenth with another theme, as coders who mostly agree would."""
    data = json.loads((folder / "annotations" / "annotations.json").read_text(encoding="utf-8"))
    texts = {int(key): (folder / "annotations" / record["path"]).read_text(encoding="utf-8")
             for key, record in data["documents"].items()}
    theme_ids = [int(key) for key in data["themes"]]
    paths = []
    for number in range(CODERS):
        rng = random.Random(SEED + number)
        annotations = {}
        for key, record in data["annotations"].items():
            text = texts[record["document"]]
            start, end, themes = record["start"], record["end"], record["themes"]
            if rng.random() < 1 / 3:
                start = max(0, start + rng.randrange(-40, 41))
                end = min(len(text), max(start + 1, end + rng.randrange(-40, 41)))
            if rng.random() < 0.1:
                themes = [rng.choice(theme_ids)]
            annotations[key] = {**record, "start": start, "end": end, "quote": text[start:end],
                                "prefix": text[max(0, start - 32):start], "suffix": text[end:end + 32],
                                "themes": themes, "author": f"coder{number + 1}"}
        path = folder / "coders" / f"coder{number + 1}.json"  # ../seeds/ resolves as from annotations/
        path.parent.mkdir(exist_ok=True)
        payload = json.dumps({**data, "annotations": annotations}, ensure_ascii=False)
        path.write_text(payload, encoding="utf-8")
        paths.append(path)
    return paths


def bench_agree(folder: Path) -> list[Result]:
    """``margin agree`` on five coders' databases, beside only opening those databases."""
    paths = [str(path) for path in build_coder_databases(folder)]
    runs = [run_child(AGREE_CHILD, *paths) for _ in range(3)]
    reads = [run_child(READ_CODERS_CHILD, *paths) for _ in range(3)]
    assert runs[0]["status"] == 0 and reads[0]["count"] == CODERS * ANNOTATIONS, (runs[0], reads[0])
    measured = statistics.median(run["seconds"] for run in runs)
    baseline = statistics.median(run["seconds"] for run in reads)
    return [Result(f"agree: {CODERS} coders x 100k annotations <= 2x reading them", f"{measured:.2f} s",
                   f"{baseline:.2f} s (opening the {CODERS} databases)", measured / baseline,
                   measured <= 2 * baseline)]


QUERIES = ['("Human smuggling" OR "Arms trafficking") AND "Migrant safety" NOT "Drug trafficking"',
           '"Human smuggling" NEAR/5 "Arms trafficking"']


def bench_query(folder: Path) -> list[Result]:
    """A coding query over 100k annotations, from the expression to passages with their
    quotes and themes, in a reader whose documents are read and indexed. Warm: a query
    typed after another; after a tag: the first after a change to one document; the first
    one: in a workspace just opened (a fresh one each time, opened and indexed untimed as the
    reader does before its first paint, which ``store-open`` times)."""
    from tui.core import Workspace, query

    database = working_copy(folder, "query")

    def opened() -> Workspace:
        workspace = Workspace.open([folder / "seeds"], database=database, author="bench")
        for document in workspace.documents:
            workspace.annotations(document)
        return workspace

    def first(expression: str) -> float:
        workspace = opened()
        began = time.perf_counter()
        query.run(workspace, expression)
        measured = (time.perf_counter() - began) * 1000
        workspace.close()
        return measured

    firsts = {expression: statistics.median(first(expression) for _ in range(7)) for expression in QUERIES}
    workspace = opened()
    results = []
    for expression in QUERIES:
        wanted = {theme.id for theme in workspace.themes if theme.name in expression}

        def scan() -> list:  # the floor: only finding the annotations of the themes named
            return [a for a in workspace.store.annotations.values() if not a.orphaned and wanted.intersection(a.themes)]

        document, theme = workspace.documents[7], workspace.themes[0]

        def after_tag(expression: str = expression) -> None:
            workspace.toggle_theme(document, 100, 160, theme)  # untimed below: only the query
            began = time.perf_counter()
            query.run(workspace, expression)
            timings.append((time.perf_counter() - began) * 1000)

        baseline = median_ms(scan, 7)
        operator = "NEAR/5" if "NEAR" in expression else "AND/OR/NOT"
        timings: list[float] = []
        median_ms(after_tag, 7)
        for label, measured in (("", median_ms(lambda expression=expression: query.run(workspace, expression), 7)),
                                (", after a tag", statistics.median(timings)),
                                (", the first one", firsts[expression])):
            results.append(Result(f"query: {operator} over 100k annotations{label} < 200 ms", f"{measured:.0f} ms",
                                  f"{baseline:.0f} ms (scanning them for the themes named)", measured / baseline,
                                  measured < 200))
    workspace.close()
    return results


# -- a million annotations (opt-in: ``run.py million``) --------------------------------------

MILLION_DOCUMENTS, MILLION = 10_000, 1_000_000


def build_million(folder: Path) -> tuple[Path, Path]:
    """10,000 documents of ~4 KB and a database of 1,000,000 annotations over them (100 per
    document), written as Margin's file directly: the themes of the 100k database, a
    document record per file (path, SHA-256 of its text), annotations as in that database."""
    import hashlib
    import uuid

    rng = random.Random(SEED + 2)
    corpus, database = folder / "million" / "docs", folder / "million" / "annotations" / "annotations.json"
    corpus.mkdir(parents=True)
    database.parent.mkdir()
    small = json.loads((folder / "annotations" / "annotations.json").read_text(encoding="utf-8"))
    theme_ids = [int(key) for key in small["themes"]]
    documents, texts = {}, []
    for number in range(1, MILLION_DOCUMENTS + 1):
        text = f"Report {number}\n\n" + generate_prose(rng, 4_000)
        name = f"{number:05d}.txt"
        (corpus / name).write_text(text, encoding="utf-8")
        documents[str(number)] = {"path": f"../docs/{name}", "sha256": hashlib.sha256(text.encode()).hexdigest(),
                                  "title": f"Report {number}", "encoding": "utf-8",
                                  "guid": str(uuid.UUID(int=number))}
        texts.append(text)
    annotations = {}
    for number in range(1, MILLION + 1):
        document = (number - 1) % MILLION_DOCUMENTS
        text = texts[document]
        start = rng.randrange(0, len(text) - 400)
        end = start + rng.randrange(20, 400)
        annotations[str(number)] = {
            "document": document + 1, "start": start, "end": end, "quote": text[start:end],
            "prefix": text[max(0, start - 32):start], "suffix": text[end:end + 32],
            "themes": rng.sample(theme_ids, rng.randrange(1, 3)),
            "note": "memo " * rng.randrange(0, 8), "author": rng.choice(["ana", "ben", "chloe"]),
            "created": "2026-11-01T10:00:00+00:00", "modified": "2026-11-01T10:00:00+00:00",
            "orphaned": False,
        }
    payload = {"meta": small["meta"], "themes": small["themes"], "documents": documents,
               "annotations": annotations}
    database.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return corpus, database


# Everything a user waits for, in one process, as a session would: open as ``margin`` does
# (lazily, the first pane's annotations ready), every document read and checked (the reader
# does it in the background), a tag, the idle checkpoint, a browser keystroke, a query, an export.
SCALE_CHILD = PEAK_MEMORY + """
    import json, statistics, sys, time
    from pathlib import Path
    began, cpu_began = time.perf_counter(), time.process_time()
    from tui.core import Workspace, query
    from tui.core.exporters import export
    workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]), author="bench", lazy=True)
    workspace.annotations(workspace.documents[0])
    figures = {"open": time.perf_counter() - began, "open_mb": peak_mb()}
    cpu = {"open": time.process_time() - cpu_began}

    def timed(action, repeats):  # the median wall time; its run's CPU time is kept in cpu
        timings = []
        for _ in range(repeats):
            start, cpu_start = time.perf_counter(), time.process_time()
            action()
            timings.append((time.perf_counter() - start, time.process_time() - cpu_start))
        return statistics.median_low(timings)

    def every_document():
        for document in workspace.documents:
            workspace.annotations(document)

    figures["read_all"], cpu["read_all"] = timed(every_document, 1)
    document, theme = workspace.documents[1], workspace.themes[5]
    spans = iter(range(20, 3000, 7))

    def tag():
        start = next(spans)
        workspace.toggle_theme(document, start, start + 50, theme)

    tag()  # the first change of a session also writes the backup
    figures["tag"], cpu["tag"] = timed(tag, 21)

    def checkpoint():
        tag()
        workspace.store.checkpoint()

    figures["checkpoint"], cpu["checkpoint"] = timed(checkpoint, 3)
    workspace.find_annotations("")  # the browser's searchable text, built when it opens
    keystrokes = iter(["b", "bo", "bor", "bord", "borde", "border", "border s", "border sa", "theme:arms"])
    figures["filter"], cpu["filter"] = timed(lambda: workspace.find_annotations(next(keystrokes)), 9)
    expression = '("Human smuggling" OR "Arms trafficking") AND "Migrant safety" NOT "Drug trafficking"'
    figures["query_first"], cpu["query_first"] = timed(lambda: query.run(workspace, expression), 1)
    figures["query"], cpu["query"] = timed(lambda: query.run(workspace, expression), 5)
    output = Path(sys.argv[3])
    figures["export"], cpu["export"] = timed(lambda: export(workspace, "csv", output, force=True), 1)
    figures["count"] = len(workspace.store.annotations)
    workspace.close()
    figures["peak_mb"] = peak_mb()
    figures["cpu"] = cpu
    print(json.dumps(figures))
"""

# (figure, target, limit, unit): unit "s", "ms" or "MB"; the limits are the 100k targets,
# ten times over where the work is proportional to the data (open, export, memory).
SCALE_FIGURES = [
    ("open", "open as margin does", 15, "s"),
    ("open_mb", "memory after opening", 3000, "MB"),
    ("read_all", "every document read and checked (in the background)", 60, "s"),
    ("tag", "tag to durable", 0.020, "ms"),
    ("checkpoint", "idle checkpoint (UI thread)", 0.250, "ms"),
    ("filter", "browser filter per keystroke", 0.050, "ms"),
    ("query_first", "query, the first one", 2, "ms"),
    ("query", "query AND/OR/NOT", 0.200, "ms"),
    ("export", "export csv (in process, after opening)", 20, "s"),
    ("peak_mb", "peak memory of the session", 3000, "MB"),
]


def bench_million(folder: Path) -> list[Result]:
    """The session of ``SCALE_CHILD`` on 1,000,000 annotations over 10,000 documents, beside
    the same session on the 100k database: the ratio is how the cost grows with 10x the data.
    Each time also shows the process's CPU time, which a loaded machine inflates less than
    the wall time (a shared machine can make the two differ several times over)."""
    print(f"generating {MILLION_DOCUMENTS:,} documents and {MILLION:,} annotations…", file=sys.stderr)
    corpus, database = build_million(folder)
    size = database.stat().st_size / 1e6
    measured = run_child(SCALE_CHILD, str(corpus), str(database), str(folder / "million.csv"))
    baseline = run_child(SCALE_CHILD, str(folder / "seeds"), str(working_copy(folder, "scale")),
                         str(folder / "scale.csv"))
    assert measured["count"] >= MILLION and baseline["count"] >= ANNOTATIONS, (measured, baseline)

    def shown(value: float, unit: str, cpu: float | None = None) -> str:
        if unit == "MB":
            return f"{value:.0f} MB"
        if unit == "ms":
            text = f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
        else:
            text = f"{value:.2f} s"
        return text if cpu is None else f"{text} (CPU {shown(cpu, unit)})"

    results = []
    for key, what, limit, unit in SCALE_FIGURES:
        limit_shown = f"{limit * 1000:g} ms" if unit == "ms" else f"{limit:g} {unit}"
        results.append(Result(f"million ({size:.0f} MB file): {what} < {limit_shown}",
                              shown(measured[key], unit, measured["cpu"].get(key)),
                              f"{shown(baseline[key], unit, baseline['cpu'].get(key))}"
                              " (the same, 100k annotations)",
                              measured[key] / baseline[key], measured[key] < limit))
    return results


BENCHMARKS: dict[str, Callable[[Path], list[Result]]] = {
    "first-paint": bench_first_paint,
    "keystrokes": bench_keystrokes,
    "stripes": bench_stripes,
    "export-csv": partial(bench_export, fmt="csv"),
    "export-jsonl": partial(bench_export, fmt="jsonl"),
    "export-w3c": partial(bench_export, fmt="w3c"),
    "store-open": bench_store_open,
    "store-tag": bench_store_tag,
    "store-checkpoint": bench_store_checkpoint,
    "app-tag": bench_app_tag,
    "browser-filter": bench_browser_filter,
    "import-codebook": bench_import_codebook,
    "agree": bench_agree,
    "query": bench_query,
    "million": bench_million,
}
OPT_IN = {"million"}  # slow (minutes, gigabytes): run only when named


def merged_rows(results: list[Result]) -> list[dict]:
    """The rows of the last full run with this run's rows in their place, so running a few
    benchmarks updates the table rather than replacing it."""
    fresh = {result.target: result.row() for result in results}
    try:
        previous = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = []
    rows = [fresh.pop(row["target"], row) for row in previous]
    return rows + list(fresh.values())


def selected(argv: list[str]) -> list[str]:
    """The benchmarks whose name contains one of the words (all of them without words).
    A word that matches none is a ``ValueError`` naming it: a typo should not quietly run
    fewer benchmarks, or none. Those in ``OPT_IN`` run only when a word names them."""
    unknown = [word for word in argv if not any(word in name for name in BENCHMARKS)]
    if unknown:
        raise ValueError(f"no benchmark matches {', '.join(map(repr, unknown))}")
    return [name for name in BENCHMARKS
            if any(word in name for word in argv) or not argv and name not in OPT_IN]


COLUMNS = ("target", "measured", "baseline", "ratio", "pass")


def table(results: list[Result]) -> list[str]:
    """The results as a Markdown table, columns aligned: each figure between its target and
    its baseline, as in the README (which this table can replace as it is)."""
    rows = [COLUMNS] + [(r.target, r.measured, r.baseline, f"{r.ratio:.2f}" if r.ratio >= 0.01 else f"{r.ratio:.4f}",
                         "pass" if r.passed else "**FAIL**") for r in results]
    widths = [max(len(row[column]) for row in rows) for column in range(len(COLUMNS))]
    right = {1, 3}  # numbers line up on the right

    def line(cells) -> str:
        return "| " + " | ".join(cell.rjust(width) if column in right else cell.ljust(width)
                                 for column, (cell, width) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join("-" * (width + 1) + ":" if column in right else "-" * (width + 2)
                          for column, width in enumerate(widths)) + "|"
    return [line(rows[0]), rule, *map(line, rows[1:])]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    try:
        wanted = selected(argv)
    except ValueError as error:
        print(f"benchmarks/run.py: {error}; the benchmarks are:", file=sys.stderr)
        for name in BENCHMARKS:
            print(f"  {name}", file=sys.stderr)
        return 2
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as temporary:
        folder = Path(temporary)
        big_database_users = ("store", "app", "browser", "export", "agree", "query", "million")
        if any(name.startswith(big_database_users) for name in wanted):
            print(f"generating a database of {ANNOTATIONS:,} annotations…", file=sys.stderr)
            build_big_database(folder)
        for name in wanted:
            print(f"running {name}…", file=sys.stderr)
            results.extend(BENCHMARKS[name](folder))
    print(*table(results), sep="\n")
    RESULTS.write_text(json.dumps(merged_rows(results), indent=2) + "\n", encoding="utf-8")
    return 0 if all(result.passed for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
