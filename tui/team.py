"""``margin --ask-coder``: ask who is coding, then open that coder's own database.

This is what ``margin serve --team`` runs in each browser tab, and it works in a terminal
too. The documents are those ``margin`` would open with the same arguments; the database is
``coders/NAME.json`` beside the one it would open (``core/sharing.py``), and the coder's name
is the author of their annotations unless ``--author`` says otherwise.
"""

from __future__ import annotations

import argparse

from .cli import fail
from .core import CodebookError, CorpusError, StoreError, Workspace
from .core.sharing import coder_databases
from .serve import check_corpus


def asking_app(arguments: argparse.Namespace):
    """The app that asks who is coding, for ``margin`` with these arguments (``--ask-coder``);
    raises like ``margin`` would for the documents or the project's database."""
    paths, project_database = check_corpus(arguments)

    def open_workspace(name: str) -> Workspace:
        """``name`` is a safe coder name (``coder_name``); raises like ``Workspace.open``."""
        return Workspace.open(paths, database=project_database, author=arguments.author, lazy=True, coder=name)

    from .ui.ask_coder import AskingApp

    known = [database.stem for database in coder_databases(project_database)]
    return AskingApp(open_workspace, known, project_database, panes=arguments.panes,
                      show_others=arguments.show_others)


def run_asking(arguments: argparse.Namespace) -> int:
    try:
        app = asking_app(arguments)
    except (CorpusError, StoreError, CodebookError) as error:
        return fail(str(error))
    app.run()
    if app.unsaved_report:
        return fail(app.unsaved_report)
    return 0
