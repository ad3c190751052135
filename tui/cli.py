"""The ``margin`` command: open documents in the reader, or look after a database.

    margin [PATH ...] [--db FILE]        read and code documents
    margin db check [--db FILE]          report on a database
    margin db restore [BACKUP] [--db FILE]   put a backup back (the current file is kept)
    margin export --format FMT [--db FILE] [-o OUT] [--theme T] [--document D] [--force]
    margin import FILE [--db FILE]        read annotations back (jsonl, W3C json/jsonld, qdpx)
    margin stats [--format md|csv|json] [--db FILE] [-o OUT]   counts, tables, co-occurrence

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
from .core.text import counted
from .core.workspace import DATABASE_FOLDER, DATABASE_NAME

EXIT_PROBLEMS = 1
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
            "folder (for ~/study/docs/ that is ~/study/annotations/annotations.json). "
            "See also: margin db --help, margin export --help, margin import --help, "
            "margin stats --help. (A folder named like a subcommand: write ./db, ./stats...)"
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="documents, or folders of documents (.txt, .md, .html, .docx, .pdf)",
    )
    parser.add_argument("--db", type=Path, metavar="FILE", help="the annotation database (TinyDB JSON)")
    parser.add_argument("--panes", type=int, choices=range(1, 5), metavar="N",
                        help="panes side by side at start, 1 to 4 (default: as many as when Margin last "
                             "closed on this corpus, else 2)")
    parser.add_argument("--author", help="coder name stored on annotations (default: $MARGIN_AUTHOR or login name)")
    parser.add_argument("--version", action="version", version=f"margin {__version__}")
    return parser


def build_db_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="margin db", description="Look after an annotation database.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check", help="report on a database: counts, backups, lock, changed documents, problems",
        description="Report on a database without changing it. Exit status 0: no problems; "
        "1: problems found; 2: the database cannot be opened.",
    )
    restore = actions.add_parser(
        "restore", help="put a backup in place of the database (the current file is kept)",
        description="Replace the database with one of its backups. The current file (and any "
        "journal) is kept beside it as annotations.json.before-restore-<time>.",
    )
    restore.add_argument("backup", nargs="?", default="1", metavar="BACKUP",
                         help="1, 2 or 3 (newest first; default 1), or the path of a backup file")
    for action in (check, restore):
        action.add_argument("--db", type=Path, metavar="FILE",
                            help="the database (default: the shipped corpus's database)")
    return parser


# Each subcommand imports what it needs when it runs: plain `margin` starts the reader sooner.


def run_db(argv: list[str]) -> int:
    from .core.maintenance import check_database, resolve_backup, restore_backup

    arguments = build_db_parser().parse_args(argv)
    database = Path(os.path.abspath(arguments.db or shipped_corpus()[1]))
    if arguments.action == "check":
        report = check_database(database)
        print("\n".join(report.lines()))
        if not report.usable:
            return EXIT_USAGE
        return EXIT_PROBLEMS if report.problems else 0
    try:
        backup = resolve_backup(database, arguments.backup)
        kept = restore_backup(database, backup)
    except StoreError as error:
        return fail(str(error))
    print(f"restored {database} from {backup}")
    if kept:
        print(f"the file it replaced is kept as {kept}")
    return 0


def build_export_parser() -> argparse.ArgumentParser:
    from .core.exporters import FORMATS

    parser = argparse.ArgumentParser(
        prog="margin export",
        description="Write the annotations of a database to a file other tools open. The database "
        "is only read (a running Margin may keep writing it); documents that changed are re-anchored "
        "in the export.",
    )
    parser.add_argument("--format", required=True, choices=list(FORMATS), metavar="FMT",
                        help="csv (spreadsheets), jsonl (one JSON object per annotation), md (a report "
                             "grouped by theme), w3c (W3C Web Annotation JSON-LD), qdpx (a REFI-QDA project "
                             "for ATLAS.ti, NVivo, MAXQDA, QualCoder), qdc (the codebook alone)")
    parser.add_argument("--db", type=Path, metavar="FILE", help="the database (default: the shipped corpus's)")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT",
                        help="where to write (default: beside the database, e.g. annotations-export.csv)")
    parser.add_argument("--theme", metavar="T", help="only annotations with this theme (a group includes its children)")
    parser.add_argument("--document", metavar="D", help="only annotations of documents whose path or title contains D")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    return parser


def run_export(argv: list[str]) -> int:
    from .core.exporters import ExportError, Selection, export

    arguments = build_export_parser().parse_args(argv)
    database = arguments.db or shipped_corpus()[1]
    try:
        workspace = Workspace.open_database(database)
        output, count = export(workspace, arguments.format, arguments.output,
                               Selection(arguments.theme, arguments.document), force=arguments.force)
    except (StoreError, ExportError) as error:
        return fail(str(error))
    for reason in workspace.corpus.skipped:
        print(f"margin: warning: {reason} (its annotations are exported as stored)", file=sys.stderr)
    print(f"exported {counted(count, 'annotation')} to {output}")
    return 0


def run_stats(argv: list[str]) -> int:
    from .core import stats
    from .core.exporters import ExportError, check_target, write_file

    parser = argparse.ArgumentParser(
        prog="margin stats",
        description="Counts per theme and per document, a theme × document table and theme "
        "co-occurrence (paragraphs coded with both themes), as tables. The database is only read.",
    )
    parser.add_argument("--format", choices=list(stats.RENDERERS), default="md",
                        help="md (Markdown tables, the default), csv (one tidy table to pivot), json")
    parser.add_argument("--db", type=Path, metavar="FILE", help="the database (default: the shipped corpus's)")
    parser.add_argument("-o", "--output", type=Path, metavar="OUT", help="write to OUT instead of printing")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    arguments = parser.parse_args(argv)
    try:
        workspace = Workspace.open_database(arguments.db or shipped_corpus()[1])
        output = arguments.output and check_target(workspace, arguments.output, arguments.force)
        rendered = stats.RENDERERS[arguments.format](stats.compute(workspace))
        if output:
            write_file(output, rendered.encode(stats.encoding(arguments.format)))
    except (StoreError, ExportError) as error:
        return fail(str(error))
    for reason in workspace.corpus.skipped:
        print(f"margin: warning: {reason} (its annotations are counted as stored)", file=sys.stderr)
    if output:
        print(f"wrote statistics to {output}")
    else:
        sys.stdout.write(rendered)
    return 0


def run_import(argv: list[str]) -> int:
    from .core.importers import ImportFileError, import_file

    parser = argparse.ArgumentParser(
        prog="margin import",
        description="Add the annotations of a Margin JSON-lines export, a W3C Web Annotation file or a "
        "REFI-QDA project to a database. Each passage is found again by its quote; what cannot be placed "
        "is listed. A project's documents that the database does not know are written to an 'imported' "
        "folder beside it.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="a .jsonl, .json, .jsonld or .qdpx file")
    parser.add_argument("--db", type=Path, metavar="FILE", help="the database (default: the shipped corpus's)")
    arguments = parser.parse_args(argv)
    try:
        workspace = Workspace.open_database(arguments.db or shipped_corpus()[1], for_writing=True)
        try:
            report = import_file(workspace, arguments.file)
        finally:
            workspace.close()
    except (StoreError, ImportFileError) as error:
        return fail(str(error))
    print(f"{workspace.database_path}: {report.message}")
    if report.written:
        folder = report.written[0].parent
        print(f"wrote {counted(len(report.written), 'document')} of the project to {folder} "
              f"(read them with: margin {folder} --db {workspace.database_path})")
    for problem in report.unplaced:
        print(f"  not placed: {problem}")
    return EXIT_PROBLEMS if report.unplaced else 0


def fail(message: str) -> int:
    print(f"margin: {message}", file=sys.stderr)
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["db"]:
        return run_db(argv[1:])
    if argv[:1] == ["export"]:
        return run_export(argv[1:])
    if argv[:1] == ["stats"]:
        return run_stats(argv[1:])
    if argv[:1] == ["import"]:
        return run_import(argv[1:])
    arguments = build_parser().parse_args(argv)
    paths, database = arguments.paths, arguments.db
    if not paths:
        seeds, shipped_database = shipped_corpus()
        paths, database = [seeds], database or shipped_database
    try:
        workspace = Workspace.open(paths, database=database, author=arguments.author, lazy=True)
    except (CorpusError, StoreError, CodebookError) as error:
        return fail(str(error))

    from .core.session_state import state_path
    from .ui.app import MarginApp  # Textual loads only once there is something to show

    reading_state = state_path(workspace.corpus.folders, workspace.database_path)
    app = MarginApp(workspace, panes=arguments.panes, reading_state=reading_state)
    app.run()
    if app.unsaved_report:
        return fail(app.unsaved_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
