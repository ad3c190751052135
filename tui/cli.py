"""The ``margin`` command: open documents in the reader.

Bad input (a missing path, an empty folder, an undecodable file, a broken database) ends with
one line on stderr naming the file and the problem, and exit status 2 — never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .core import CodebookError, CorpusError, StoreError, Workspace
from .core.workspace import DATABASE_FOLDER, DATABASE_NAME

EXIT_USAGE = 2


def shipped_corpus() -> tuple[Path, Path]:
    """The seed corpus and its default database.

    In a source checkout that is ``seeds/`` and ``annotations/annotations.json`` at the top of
    the repository. An installed package carries the seeds inside itself, where nothing
    should be written, so its database goes to the user's data folder instead.
    """
    package = Path(__file__).resolve().parent
    checkout = package.parent
    if (checkout / "seeds").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout / "seeds", checkout / DATABASE_FOLDER / DATABASE_NAME
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return package / "seeds", data_home / "margin" / DATABASE_NAME


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="margin",
        description=(
            "Read documents side by side and code passages with themes. "
            "With no PATH, opens the corpus shipped with Margin."
        ),
        epilog=(
            "Without --db, the database is annotations/annotations.json beside the corpus "
            "folder (for ~/study/docs/ that is ~/study/annotations/annotations.json)."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="documents, or folders of .txt/.md documents",
    )
    parser.add_argument("--db", type=Path, metavar="FILE", help="the annotation database (TinyDB JSON)")
    parser.add_argument("--panes", type=int, default=2, choices=range(1, 5), metavar="N",
                        help="panes side by side at start, 1 to 4 (default 2)")
    parser.add_argument("--author", help="coder name stored on annotations (default: $MARGIN_AUTHOR or login name)")
    parser.add_argument("--version", action="version", version=f"margin {__version__}")
    return parser


def fail(message: str) -> int:
    print(f"margin: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    paths, database = arguments.paths, arguments.db
    if not paths:
        seeds, shipped_database = shipped_corpus()
        paths, database = [seeds], database or shipped_database
    try:
        workspace = Workspace.open(paths, database=database, author=arguments.author)
    except (CorpusError, StoreError, CodebookError) as error:
        return fail(str(error))

    from .ui.app import MarginApp  # Textual loads only once there is something to show

    app = MarginApp(workspace, panes=arguments.panes)
    app.run()
    if app.unsaved_report:
        return fail(app.unsaved_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
