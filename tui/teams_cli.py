"""``margin agree`` and ``margin merge``: the command-line side of coding as a team.

    margin agree [DB ...] [--db PROJECT] [--json] [--theme T] [--disagreements]
    margin merge --into DB [CODER_DB ...]
    margin compare A B [--db PROJECT]

Without databases named, both take every coder database of the project
(``annotations/coders/*.json`` beside ``--db``, or beside ``--into`` for a merge). Printing
goes through ``cli.say``/``cli.fail`` like every other subcommand.
"""

from __future__ import annotations

import os
from pathlib import Path

from .cli import EXIT_PROBLEMS, Parser, database_here, fail, say
from .core import StoreError
from .core.text import counted


def _coders_of_project(project: Path) -> list[Path]:
    from .core.sharing import coder_databases

    return coder_databases(Path(os.path.abspath(project)))


def run_agree(argv: list[str]) -> int:
    from .core import agreement

    parser = Parser(
        prog="margin agree",
        description="Inter-coder agreement between coders' databases, per theme and overall, with the "
        "character as the unit (every character of every document is coded or not with a theme by each "
        "coder, as QualCoder counts): percent agreement, Cohen's kappa (two coders), Fleiss' kappa (three "
        "or more), Krippendorff's alpha (nominal) and Gwet's AC1. The databases are only read.",
    )
    parser.add_argument("databases", nargs="*", type=Path, metavar="DB",
                        help="coder databases (default: every database in annotations/coders/ beside --db)")
    parser.add_argument("--db", type=Path, metavar="PROJECT",
                        help="the project's database, whose coders/ folder is compared "
                             "(default: the project of the current folder, else the shipped corpus's)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown tables")
    parser.add_argument("--theme", metavar="T", help="only this theme")
    parser.add_argument("--only-coded-documents", action="store_true",
                        help="count a coder's answers as missing in documents they coded nothing in (when "
                             "coders split the corpus); by default every coder rates every document")
    parser.add_argument("--disagreements", action="store_true",
                        help="also list the passages the coders disagree on (overlapping passages matched)")
    arguments = parser.parse_args(argv)
    databases = arguments.databases or _coders_of_project(database_here(arguments.db))
    if len(databases) < 2:
        where = "named" if arguments.databases else "in the project's coders/ folder"
        return fail(f"agreement needs at least two coder databases ({len(databases)} {where})")
    try:
        coding = agreement.load(databases, only_coded=arguments.only_coded_documents)
        report = agreement.compare(coding, arguments.theme)
    except StoreError as error:
        return fail(str(error))
    except KeyError:
        return fail(f"no theme named {arguments.theme!r} in the coders' codebooks")
    found = agreement.disagreements(coding, arguments.theme) if arguments.disagreements else None
    for warning in coding.warnings:
        say(f"margin: warning: {warning}", err=True)
    render = agreement.to_json if arguments.json else agreement.to_markdown
    say(*render(report, found, coding).removesuffix("\n").split("\n"))
    return 0


def run_merge(argv: list[str]) -> int:
    from .core.merging import merge

    parser = Parser(
        prog="margin merge",
        description="Merge coders' databases into one: each annotation keeps its coder (author); identical "
        "passages with identical themes become one annotation crediting every coder who made them; nothing "
        "is dropped, and merging again adds nothing. One undo step.",
    )
    parser.add_argument("databases", nargs="*", type=Path, metavar="CODER_DB",
                        help="the databases to merge (default: every database in coders/ beside --into)")
    parser.add_argument("--into", type=Path, required=True, metavar="DB",
                        help="the database to merge into (created if needed), "
                             "e.g. annotations/annotations.json")
    arguments = parser.parse_args(argv)
    databases = arguments.databases or _coders_of_project(arguments.into)
    if not databases:
        folder = Path(arguments.into).parent / "coders"
        return fail(f"nothing to merge: no databases named and none in {folder}")
    try:
        report = merge(arguments.into, databases)
    except StoreError as error:
        return fail(str(error))
    say(f"{os.path.abspath(arguments.into)}: {report.message}")
    if report.themes_created:
        say(f"  {counted(len(report.themes_created), 'theme')} created: " + ", ".join(report.themes_created))
    say(*(f"  warning: {warning}" for warning in report.warnings))
    return EXIT_PROBLEMS if report.warnings else 0


def coder_path(given: str, project: Path) -> Path:
    """A coder's database from ``margin compare``'s argument: a path to a file (anything
    with a slash or ending in .json), else a coder's name (``coders/NAME.json``)."""
    from .core.sharing import check_coder, coder_database

    if "/" in given or given.endswith(".json") or os.sep in given:
        return Path(given)
    return coder_database(project, check_coder(given))


def run_compare(argv: list[str]) -> int:
    from .core.adjudication import open_adjudication, open_consensus

    parser = Parser(
        prog="margin compare",
        description="Compare two coders side by side and adjudicate: one document twice, coder A's coding "
        "on the left and B's on the right, their disagreements marked; n / N go to the next / previous "
        "disagreement; a, b, + and x accept A, B, both or neither into the project's (consensus) "
        "database at once, m writes the decision's memo, u undoes. The coders' databases are only read.",
    )
    parser.add_argument("first", metavar="A", help="a coder's name (annotations/coders/A.json) or database")
    parser.add_argument("second", metavar="B", help="the other coder's name or database")
    parser.add_argument("--db", type=Path, metavar="PROJECT",
                        help="the consensus database, beside whose coders/ folder the names are looked up "
                             "(default: the project of the current folder, else the shipped corpus's)")
    arguments = parser.parse_args(argv)
    project = Path(os.path.abspath(database_here(arguments.db)))
    try:
        first, second = (coder_path(given, project) for given in (arguments.first, arguments.second))
        for path in (first, second):
            if not path.is_file():
                raise StoreError(f"{path}: no such coder database")
        consensus = open_consensus(project)
        try:
            adjudication = open_adjudication(consensus, first, second)
        except BaseException:
            consensus.close()
            raise
    except StoreError as error:
        return fail(str(error))

    from .ui.compare_app import CompareApp

    app = CompareApp(adjudication)
    app.run()
    if app.unsaved_report:
        return fail(app.unsaved_report)
    return 0
