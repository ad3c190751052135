"""``margin serve``: Margin in a browser tab, one Margin per tab, over textual-serve.

    margin serve [PATH ...] [--host 127.0.0.1] [--port 8000] [--team] [margin options]

Each tab that connects runs its own ``margin`` process, started by textual-serve under
Textual's web driver with exactly the arguments given here (the same corpus, the same
database, the same options), from the folder ``margin serve`` was started in. The
single-writer lock decides who writes: the first tab does, later ones open read-only with
the banner a second Margin always shows. With ``--team`` each tab asks "Who is coding?" first
and then codes into that coder's own database (``margin --ask-coder``, see ``team.py``), so a
team codes on one server without sharing one lock.

The served app has no login: the server listens on the loopback address unless told
otherwise, and says so on stderr when it is not. Arguments are checked here, before serving,
with the reader's own one-line errors (exit status 2); nothing is written into the project
but what the served Margins write themselves.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import socket
import sys
from pathlib import Path

from .cli import Parser, build_parser, fail, project_here, say, shipped_corpus
from .core import CodebookError, CorpusError, StoreError
from .core.project import Project

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
ASK_CODER = "--ask-coder"  # the reader's option that --team serves (tui/team.py)


def build_serve_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="margin serve",
        allow_abbrev=False,  # `--p` and the like belong to margin's own options, passed on
        usage="margin serve [PATH ...] [--host HOST] [--port PORT] [--public-url URL] [--team] "
              "[--db FILE] [--panes N] [--author NAME] [--show-others]",
        description="Serve Margin to web browsers: each tab gets its own Margin on the same documents "
        "and database (the first one writes, later ones are read-only, as with two Margins in "
        "terminals). Any PATH and margin option (margin --help) is passed to every tab's Margin.",
        epilog="The served Margin has no login: anyone who reaches the port reads and codes the "
        "corpus. Keep the default loopback address and reach it from another machine over SSH: "
        "ssh -L 8000:127.0.0.1:8000 server, then open http://127.0.0.1:8000/ there.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}, this machine only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    parser.add_argument("--public-url", metavar="URL",
                        help="the address browsers use, behind a proxy (default: the one each browser asked for)")
    parser.add_argument("--team", action="store_true",
                        help="each tab asks who is coding and opens that coder's own database "
                             "(annotations/coders/NAME.json)")
    return parser


def served_arguments(argv: list[str]) -> tuple[argparse.Namespace, list[str], argparse.Namespace]:
    """Split ``margin serve``'s arguments: its own options, the arguments every tab's Margin
    gets (PATHs and margin options, checked by margin's own parser), and those parsed."""
    serve, passed = build_serve_parser().parse_known_args(argv)
    if passed[:1] and not passed[0].startswith("-") and os.sep not in passed[0]:
        # A PATH first: `margin serve db` serves a folder named db, and the tabs' margin must
        # not take it for its subcommand, so it gets what margin's help says to write: ./db.
        passed[0] = os.path.join(os.curdir, passed[0])
    reader = build_parser()
    reader.prog = "margin serve"
    return serve, passed, reader.parse_args(passed)


def locate_corpus(reader: argparse.Namespace) -> tuple[list[Path], Path | None, Project | None]:
    """What ``margin`` with these arguments opens (as ``cli.run`` decides): the PATHs and
    database given, else the project of the current folder, else the shipped corpus."""
    paths, database = list(reader.paths), reader.db
    project = None if paths or database else project_here()
    if not paths and project is None:
        seeds, shipped_database = shipped_corpus()
        paths, database = [seeds], database or shipped_database
    return paths, database, project


def check_corpus(reader: argparse.Namespace) -> tuple[list[Path], Path]:
    """Raise the error ``margin`` would give at start (no documents, a broken database or
    codebook), reading without taking the lock or writing anything. Returns the documents'
    paths (a project's folders, when it is found as ``margin`` finds it) and the database."""
    from .core.codebook import read_codebook
    from .core.corpus import open_corpus
    from .core.store import Store
    from .core.workspace import default_database_path

    paths, database, project = locate_corpus(reader)
    if project is not None:
        store = Store.open(project.database, inspect=True)
        try:
            paths = project.document_folders(map(store.file_of, store.documents))
        finally:
            store.close()
        database = project.database
    corpus = open_corpus(paths, lazy=True)
    corpus.read_first()
    read_codebook(corpus.home)
    database = Path(os.path.abspath(database or default_database_path(corpus)))
    if database.is_file():
        Store.open(database, inspect=True).close()
    return paths, database


def served_command(passed: list[str], team: bool) -> str:
    """The shell command textual-serve runs for each tab: this Python running Margin's CLI
    with the arguments given, so a served Margin is exactly the command-line Margin."""
    return shlex.join([sys.executable, "-m", "tui.cli", *passed, *([ASK_CODER] if team else [])])


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only ever means this machine."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(address.split("%")[0]).is_loopback
                                   for address in addresses)


def run_serve(argv: list[str]) -> int:
    serve, passed, reader = served_arguments(argv)
    if ASK_CODER in passed:
        return fail(f"{ASK_CODER} is for the tabs margin serve starts: use margin serve --team")
    if not 0 < serve.port < 65536:
        return fail(f"port {serve.port}: use a port from 1 to 65535")
    try:
        _, database = check_corpus(reader)
    except (CorpusError, StoreError, CodebookError) as error:
        return fail(str(error))
    loopback = is_loopback(serve.host)
    if not loopback:
        say(f"margin: warning: listening on {serve.host}, not only this machine: Margin has no login, so "
            "anyone who reaches this port reads and codes the corpus (use an SSH tunnel instead)", err=True)

    from .ui.web_server import MarginServer  # aiohttp and textual-serve load only to serve

    where = serve.public_url or f"http://{serve.host if ':' not in serve.host else f'[{serve.host}]'}:{serve.port}/"
    lines = [f"margin: serving Margin on {where} (Ctrl+C stops it)",
             f"margin: database {database}" + (" (each coder gets annotations/coders/NAME.json beside it)"
                                               if serve.team else "")]
    server = MarginServer(served_command(passed, serve.team), host=serve.host, port=serve.port,
                          public_url=serve.public_url, loopback_only=loopback,
                          announce=lambda: say(*lines))
    try:
        server.serve()
    except OSError as error:
        return fail(f"cannot listen on {serve.host} port {serve.port}: {error.strerror or error}")
    return 0

