"""The ``margin`` command: open documents in the reader, or look after a database.

    margin [PATH ...] [--db FILE]        read and code documents
    margin db check [--db FILE]          report on a database
    margin db restore [BACKUP] [--db FILE]   put a backup back (the current file is kept)
    margin export --format FMT [--db FILE] [-o OUT] [--theme T] [--document D] [--force]
    margin import FILE [--db FILE] [--sources DIR]   read annotations back (jsonl, W3C, qdpx, qdc)
    margin stats [--format md|csv|json] [--db FILE] [-o OUT]   counts, tables, co-occurrence
    margin serve [PATH ...] [--host H] [--port P] [--team] [margin options]   Margin in a browser
    margin agree [DB ...] [--json] [--theme T] [--disagreements]   agreement between coders
    margin merge --into DB [CODER_DB ...]   merge coders' databases into one
    margin compare A B [--db PROJECT]   compare two coders side by side and adjudicate
    margin query EXPR [--db FILE] [--format text|jsonl|csv]   passages an expression over themes holds

Bad input (a missing path, an empty folder, an undecodable file, a broken database) ends with
one line on stderr naming the file and the problem, and exit status 2 — never a traceback.

Names, quotes and messages come from files, so everything printed goes through ``say`` (and
``fail``), which escapes control characters and bidi overrides: a file cannot drive the
terminal. Data asked for with ``-o -`` goes out as the bytes a file would hold (``to_stdout``).
A reader that stops early (``| head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, NoReturn, TypeVar

from . import __version__
from .core import CodebookError, CorpusError, StoreError, Workspace
from .core.text import counted, terminal_safe
from .core.project import DATABASE_FOLDER, DATABASE_NAME, Project, find_project

EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a command ended by SIGPIPE
STDOUT = "-"
DEFAULT_DATABASE_HELP = ("the database (default: the project of the current folder, else the shipped "
                         "corpus's)")


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


def project_here() -> Project | None:
    """The project of the current folder (None outside any, or if that folder was deleted)."""
    try:
        return find_project(Path.cwd())
    except FileNotFoundError:
        return None


def database_here(given: Path | None) -> Path:
    """The database a subcommand works on: ``--db``, else the project the current folder is
    in (see ``core/project.py``), else the shipped corpus's. Unless given, the command says
    on stderr which one it uses and why, since the folder it is run from decides."""
    if given is not None:
        return given
    project = project_here()
    if project is not None:
        say(f"margin: using {project.database} (the project of this folder)", err=True)
        return project.database
    database = shipped_corpus()[1]
    say(f"margin: using {database} (the shipped corpus's: no project in this folder or above)", err=True)
    return database


class Parser(argparse.ArgumentParser):
    """argparse, whose error line quotes the arguments given (a file name a shell glob
    expanded, say) made terminal-safe like everything else printed."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, terminal_safe(f"{self.prog}: error: {message}") + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="margin",
        description=(
            "Read documents side by side and code passages with themes. "
            "With no PATH, opens the corpus shipped with Margin."
        ),
        epilog=(
            "Without --db, the database is annotations/annotations.json beside the corpus "
            "folder (for ~/study/docs/ that is ~/study/annotations/annotations.json). "
            "With no PATH, Margin opens the project of the current folder (a folder, here or "
            "above, holding annotations/annotations.json) with the documents it knows, and "
            "the shipped corpus only outside any project. "
            "See also: margin db --help, margin export --help, margin import --help, "
            "margin stats --help, margin query --help. (A folder named like a subcommand: write ./db, ./stats...)"
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="documents, or folders of documents (.txt, .md, .html, .docx, .pdf, .vtt, .srt)",
    )
    parser.add_argument("--db", type=Path, metavar="FILE", help="the annotation database (TinyDB JSON)")
    parser.add_argument("--panes", type=int, choices=range(1, 5), metavar="N",
                        help="panes side by side at start, 1 to 4 (default: as many as when Margin last "
                             "closed on this corpus, else 2)")
    parser.add_argument("--author", help="coder name stored on annotations (default: $MARGIN_AUTHOR or login name)")
    parser.add_argument("--ask-coder", action="store_true",
                        help="ask who is coding first, then code into annotations/coders/NAME.json "
                             "(what each tab of margin serve --team does)")
    parser.add_argument("--coder", default=os.environ.get("MARGIN_CODER") or None, metavar="NAME",
                        help="code into annotations/coders/NAME.json beside the project's database, "
                             "following its codebook (default: $MARGIN_CODER); see margin agree, "
                             "margin merge")
    parser.add_argument("--show-others", action="store_true",
                        help="also show the other coders' coding (annotations/coders/*.json), read-only and "
                             "underlined; without it a coder sees only their own (blind coding). Ctrl+O "
                             "shows or hides it while reading")
    parser.add_argument("--version", action="version", version=f"margin {__version__}")
    return parser


def build_db_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="margin db", description="Look after an annotation database.")
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
                            help=DEFAULT_DATABASE_HELP)
    return parser


# Each subcommand imports what it needs when it runs: plain `margin` starts the reader sooner.


def run_db(argv: list[str]) -> int:
    from .core.backups import resolve_backup, restore_backup
    from .core.maintenance import check_database

    arguments = build_db_parser().parse_args(argv)
    database = Path(os.path.abspath(database_here(arguments.db)))
    if arguments.action == "check":
        report = check_database(database)
        say(*report.lines())
        if not report.usable:
            return EXIT_USAGE
        return EXIT_PROBLEMS if report.problems else 0
    try:
        backup = resolve_backup(database, arguments.backup)
        kept = restore_backup(database, backup)
    except StoreError as error:
        return fail(str(error))
    say(f"restored {database} from {backup}")
    if kept:
        say(f"the file it replaced is kept as {kept}")
    return 0


def build_export_parser() -> argparse.ArgumentParser:
    from .core.exporters import FORMATS

    parser = Parser(
        prog="margin export",
        description="Write the annotations of a database to a file other tools open. The database "
        "is only read (a running Margin may keep writing it); documents that changed are re-anchored "
        "in the export.",
    )
    parser.add_argument("--format", required=True, choices=list(FORMATS), metavar="FMT",
                        help="csv (spreadsheets), jsonl (one JSON object per annotation), md (a report "
                             "grouped by theme), w3c (W3C Web Annotation JSON-LD), qdpx (a REFI-QDA project "
                             "for ATLAS.ti, NVivo, MAXQDA, QualCoder; positions in code points), qdpx-utf16 "
                             "(the same, positions in UTF-16 code units), qdc (the codebook alone)")
    parser.add_argument("--db", type=Path, metavar="FILE", help=DEFAULT_DATABASE_HELP)
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="where to write (default: beside the database, e.g. annotations-export.csv); "
                             "- for standard output")
    parser.add_argument("--theme", metavar="T", help="only annotations with this theme: its name or the start of "
                        "one name, in any case, with every theme nested under it")
    parser.add_argument("--document", metavar="D", help="only annotations of documents whose path or title contains D")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    return parser


def run_export(argv: list[str]) -> int:
    from .core.exporters import BINARY_FORMATS, ExportError, Selection, export, export_to

    arguments = build_export_parser().parse_args(argv)
    database = database_here(arguments.db)
    selection = Selection(arguments.theme, arguments.document)
    try:
        workspace = Workspace.open_database(database, whole_corpus=True)  # uncoded documents too
        if arguments.output == STDOUT:
            if arguments.format in BINARY_FORMATS and standard_output().isatty():
                return fail(f"a {arguments.format} export is binary and standard output is a terminal "
                            "(redirect it to a file or a pipe, or use -o FILE)")
            count = to_stdout(lambda out: export_to(workspace, arguments.format, out, selection))
            output = "standard output"
        else:
            output, count = export(workspace, arguments.format, arguments.output and Path(arguments.output),
                                   selection, force=arguments.force)
    except (StoreError, ExportError) as error:
        return fail(str(error))
    for reason in workspace.corpus.skipped:
        say(f"margin: warning: {reason} (its annotations are exported as stored)", err=True)
    for reason in workspace.corpus.warnings:
        say(f"margin: warning: {reason}", err=True)
    say(f"exported {counted(count, 'annotation')} to {output}", err=arguments.output == STDOUT)
    return 0


def run_stats(argv: list[str]) -> int:
    from .core import stats
    from .core.exporters import ExportError, check_target, write_file

    parser = Parser(
        prog="margin stats",
        description="Counts per theme and per document, a theme × document table and theme "
        "co-occurrence (paragraphs coded with both themes), as tables. The database is only read.",
    )
    parser.add_argument("--format", choices=[*stats.RENDERERS, "text"], default="md",
                        help="md (Markdown tables, the default), csv (one tidy table to pivot), json; "
                             "with --by also text (an aligned table)")
    parser.add_argument("--by", metavar="ATTRIBUTE",
                        help="a matrix instead: a row per value of ATTRIBUTE (a column of attributes.csv, or "
                             "speaker in transcripts), a column per theme (with the themes grouped under it)")
    parser.add_argument("--count", choices=["passages", "documents", "characters"], default="passages",
                        help="what a --by cell counts (default: passages)")
    parser.add_argument("--db", type=Path, metavar="FILE", help=DEFAULT_DATABASE_HELP)
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write to OUT instead of printing (-: standard output, as a file would hold it)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    arguments = parser.parse_args(argv)
    try:
        workspace = Workspace.open_database(database_here(arguments.db))
        to_file = arguments.output not in (None, STDOUT)
        output = to_file and check_target(workspace, Path(arguments.output), arguments.force)
        if arguments.by:
            from .core import matrix

            rendered = matrix.RENDERERS[arguments.format](matrix.compute(workspace, arguments.by, arguments.count))
        else:
            rendered = stats.RENDERERS[arguments.format.replace("text", "md")](stats.compute(workspace))
        payload = rendered.encode(stats.encoding(arguments.format))
        if output:
            write_file(output, payload)
        elif arguments.output == STDOUT:
            to_stdout(lambda out: out.write(payload))
    except (StoreError, ExportError) as error:
        return fail(str(error))
    except ValueError as error:  # query.QueryError: an attribute no document has
        return fail(f"stats: {error}")
    for reason in workspace.corpus.skipped:
        say(f"margin: warning: {reason} (its annotations are counted as stored)", err=True)
    for reason in workspace.corpus.warnings:
        say(f"margin: warning: {reason}", err=True)
    if output:
        say(f"wrote statistics to {output}")
    elif arguments.output is None:
        standard_output()
        say(*rendered.removesuffix("\n").split("\n"))
    return 0


def run_query(argv: list[str]) -> int:
    from .core import query

    parser = Parser(
        prog="margin query",
        description='Find the passages an expression over themes holds: "A" AND "B", "A" OR "B", '
        '"A" NOT "B", "A" NEAR/n "B", parentheses, doc:TEXT and ATTRIBUTE=VALUE filters. A theme '
        "includes the themes grouped under it. The database is only read (unless --code-as).",
    )
    parser.add_argument("expression", metavar="EXPR", help='the query, e.g. \'"Arms" AND country=MX\'')
    parser.add_argument("--db", type=Path, metavar="FILE", help=DEFAULT_DATABASE_HELP)
    parser.add_argument("--format", choices=list(query.RENDERERS), default="text",
                        help="text (the default), jsonl (one JSON object per passage), csv")
    parser.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of printing")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.add_argument("--code-as", metavar="THEME",
                        help="also tag every passage found with THEME (created if missing), as one undo step")
    arguments = parser.parse_args(argv)
    from .core.exporters import ExportError, check_target, write_file

    try:
        workspace = Workspace.open_database(database_here(arguments.db), for_writing=bool(arguments.code_as))
        try:
            output = arguments.output and check_target(workspace, Path(arguments.output), arguments.force)
            passages = query.run(workspace, arguments.expression)
            rendered = query.RENDERERS[arguments.format](workspace, passages)
            if output:
                write_file(output, rendered.encode(stats_encoding(arguments.format)))
            coded = arguments.code_as and query.code_from_query(workspace, passages, arguments.code_as)
        finally:
            if arguments.code_as:
                workspace.close()
    except query.QueryError as error:
        return fail(f"query: {error}")
    except (StoreError, ExportError, ValueError) as error:
        return fail(str(error))
    for reason in [*workspace.corpus.skipped, *workspace.corpus.warnings]:
        say(f"margin: warning: {reason}", err=True)
    if output:
        say(f"wrote {query.describe(passages)} to {output}", err=True)
    elif arguments.format == "text":
        standard_output()
        say(*rendered.removesuffix("\n").split("\n"))
    else:
        to_stdout(lambda out: out.write(rendered.encode(stats_encoding(arguments.format))))
    if not output:
        say(query.describe(passages), err=True)
    if coded:
        say(f"tagged {coded[1]} with {coded[0].name} in {workspace.database_path}", err=True)
    return 0


def stats_encoding(fmt: str) -> str:
    """CSV goes out with a byte-order mark so a spreadsheet reads it as UTF-8."""
    return "utf-8-sig" if fmt == "csv" else "utf-8"


def run_import(argv: list[str]) -> int:
    from .core.importers import ImportFileError, import_file, parse

    parser = Parser(
        prog="margin import",
        description="Add the annotations of a Margin JSON-lines export, a W3C Web Annotation file or a "
        "REFI-QDA project to a database, all or nothing: a malformed file changes nothing. Each passage "
        "is found again by its quote; what cannot be placed is listed. A project's documents that the "
        "database does not know are written to an 'imported' folder beside it. A codebook CSV (name, "
        "description, colour, parent) adds its themes and updates those there already.",
    )
    parser.add_argument("file", type=Path, metavar="FILE",
                        help="a .jsonl, .json, .jsonld, .qdpx or .qdc file, or a codebook .csv "
                             "(name, description, colour, parent)")
    parser.add_argument("--db", type=Path, metavar="FILE", help=DEFAULT_DATABASE_HELP)
    parser.add_argument("--sources", type=Path, metavar="DIR", action="append", default=[],
                        help="also read documents from DIR (repeatable). Without it, documents are read only "
                             "from the archive, the database's document folders and FILE's folder")
    arguments = parser.parse_args(argv)
    try:
        parsed = parse(arguments.file)  # a malformed file is refused before a database is opened or made
        # the corpus's uncoded documents too: a project's source with their text is one of them
        workspace = Workspace.open_database(database_here(arguments.db), for_writing=True, whole_corpus=True)
        try:
            report = import_file(workspace, arguments.file, arguments.sources, parsed)
        finally:
            workspace.close()
    except (StoreError, ImportFileError) as error:
        return fail(str(error))
    say(f"{workspace.database_path}: {report.message}")
    if report.codebook and not report.codebook_only:
        say(f"{workspace.database_path}: {report.codebook}")
    say(*report.notes)
    if report.written:
        folder = report.written[0].parent
        say(f"wrote {counted(len(report.written), 'document')} of the project to {folder} "
            f"(read them with: margin {folder} --db {workspace.database_path})")
    say(*(f"  not placed: {problem}" for problem in report.unplaced))
    say(*(f"  not usable: {problem}" for problem in report.unusable_counted))
    return EXIT_PROBLEMS if report.unplaced or report.unusable else 0


class OutputFailed(Exception):
    """Standard output cannot take what the command writes: it is closed (``>&-``) or the
    file behind it is full (``> /dev/full``). A closed pipe is ``BrokenPipeError`` instead."""


def standard_output() -> io.TextIOWrapper:
    """``sys.stdout``, or ``OutputFailed`` if the command was started with it closed."""
    if sys.stdout is None:
        raise OutputFailed("standard output is closed")
    return sys.stdout


def output_failed(error: OSError) -> OutputFailed:
    return OutputFailed(f"cannot write to standard output ({error.strerror or error})")


def say(*lines: str, err: bool = False) -> None:
    """Print each argument as one line on stdout (stderr with ``err``), control characters,
    newlines and bidi overrides escaped: whatever came from a file prints as inert text.
    A message to a closed stream is dropped (data is written through ``standard_output``)."""
    stream = sys.stderr if err else sys.stdout
    try:
        for line in lines:
            print(terminal_safe(line), file=stream)
    except BrokenPipeError:
        raise
    except OSError as error:
        if err:
            return  # nowhere left to complain
        raise output_failed(error) from None


def fail(message: str) -> int:
    say(f"margin: {message}", err=True)
    return EXIT_USAGE


Result = TypeVar("Result")


def to_stdout(write: Callable[[BinaryIO], Result]) -> Result:
    """Run ``write`` on standard output (``-o -``). A pipe or a file gets exactly the bytes a
    file written with ``-o FILE`` would hold; a terminal gets the text with its control
    characters escaped (the caller keeps binary formats away from it)."""
    stdout = standard_output()
    if not stdout.isatty():
        try:
            stdout.flush()
            result = write(stdout.buffer)
            stdout.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise output_failed(error) from None
        return result
    buffer = io.BytesIO()
    result = write(buffer)
    text = buffer.getvalue().decode("utf-8-sig").replace("\r\n", "\n")  # CSV ends its rows with CRLF
    say(*text.removesuffix("\n").split("\n"))
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the command; a reader that closes the pipe early (``margin stats | head -1``) ends
    it quietly with the status a shell gives a command ended by SIGPIPE, not a traceback."""
    try:
        try:
            status = run(sys.argv[1:] if argv is None else argv)
            if sys.stdout is not None:
                sys.stdout.flush()  # a closed pipe shows here, not at exit where it cannot be caught
        except BrokenPipeError:
            raise
        except OSError as error:  # the flush above, on a full disk
            raise output_failed(error) from None
    except BrokenPipeError:
        # Python's recipe: stdout points at /dev/null so the flush at exit cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OutputFailed as error:
        if sys.stdout is not None:  # what is still buffered goes nowhere, not to a traceback at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return fail(str(error))
    return status


def run(argv: list[str]) -> int:
    if argv[:1] == ["db"]:
        return run_db(argv[1:])
    if argv[:1] == ["export"]:
        return run_export(argv[1:])
    if argv[:1] == ["stats"]:
        return run_stats(argv[1:])
    if argv[:1] == ["import"]:
        return run_import(argv[1:])
    if argv[:1] == ["serve"]:  # Margin in browser tabs (tui/serve.py)
        from .serve import run_serve

        return run_serve(argv[1:])
    if argv[:1] in (["agree"], ["merge"], ["compare"]):
        from . import teams_cli

        run_team = {"agree": teams_cli.run_agree, "merge": teams_cli.run_merge, "compare": teams_cli.run_compare}
        return run_team[argv[0]](argv[1:])
    if argv[:1] == ["query"]:
        return run_query(argv[1:])
    arguments = build_parser().parse_args(argv)
    if arguments.ask_coder:  # each tab of margin serve --team (tui/team.py)
        from .team import run_asking

        return run_asking(arguments)
    paths, database = arguments.paths, arguments.db
    project = None if paths or database else project_here()
    if not paths and project is None:
        seeds, shipped_database = shipped_corpus()
        paths, database = [seeds], database or shipped_database
    try:
        if project is not None:
            workspace = Workspace.open_project(project, author=arguments.author, lazy=True, coder=arguments.coder)
        else:
            workspace = Workspace.open(paths, database=database, author=arguments.author, lazy=True,
                                       coder=arguments.coder)
    except (CorpusError, StoreError, CodebookError) as error:
        return fail(str(error))

    from .core.session_state import state_path
    from .ui.app import MarginApp  # Textual loads only once there is something to show

    reading_state = state_path(workspace.corpus.folders, workspace.database_path)
    app = MarginApp(workspace, panes=arguments.panes, reading_state=reading_state,
                    show_others=arguments.show_others)
    app.run()
    if app.unsaved_report:
        return fail(app.unsaved_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
