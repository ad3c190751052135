"""What the first paint loads: only what the first screen needs. Readers of other formats,
the screens the reader opens, exporters, plotting, fuzzy matching and the clipboard load on
first use (benchmarks/run.py times the first paint against a one-Static Textual app)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

# Loaded by a key or a file format, never by opening the reader on plain-text documents.
DEFERRED = (
    "docx", "pypdf", "html_text", "plotext", "rapidfuzz", "pyperclip", "zipfile", "tomllib",
    "tui.core.exporters", "tui.core.refi", "tui.core.importers", "tui.core.query", "tui.core.stats",
    "tui.ui.screens.browser", "tui.ui.screens.codebook", "tui.ui.screens.corpus_search",
    "tui.ui.screens.help",
    "tui.ui.screens.orphans", "tui.ui.screens.statistics", "tui.ui.screens.theme_picker",
    "tui.ui.screens.theme_view", "tui.ui.screens.export", "tui.ui.widgets.annotation_table",
)

FIRST_PAINT = """
    import asyncio, json, sys
    from pathlib import Path
    from tui.core import Workspace
    from tui.ui.app import MarginApp
    from tui.ui.widgets.document_view import DocumentView

    async def main():
        workspace = Workspace.open([Path(sys.argv[1])], database=Path(sys.argv[2]), lazy=True)
        async with MarginApp(workspace).run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            shown = [view.document.text[:40] for view in pilot.app.screen.query(DocumentView)]
        return shown

    shown = asyncio.run(main())
    print(json.dumps({"shown": shown, "modules": sorted(sys.modules)}))
"""


def test_the_first_paint_loads_nothing_the_first_screen_does_not_show(corpus_dir: Path,
                                                                      tmp_path: Path) -> None:
    import json

    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(FIRST_PAINT), str(corpus_dir),
         str(tmp_path / "annotations.json")],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result["shown"] and all(result["shown"])  # the documents' text was on screen
    loaded = set(result["modules"])
    assert [name for name in DEFERRED if name in loaded] == []
