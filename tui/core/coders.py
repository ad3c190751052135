"""Coders' own databases, for ``margin serve --team`` (``margin --ask-coder``).

A coder codes into ``coders/NAME.json`` beside the project's database
(``annotations/coders/NAME.json``), so several coders on one server never share one lock,
and nobody sees another's codes while coding.

The teams branch (issue #15, ``margin --coder NAME``) has the same layout and name rule in
``core/sharing.py``; once both are merged this module should give way to it (see the
report that came with it): ``coder_database`` here and there return the same path.
"""

from __future__ import annotations

import re
from pathlib import Path

CODERS_FOLDER = "coders"
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def coder_name(name: str) -> str:
    """``name`` if it is a safe file name (letters, digits, ``.``, ``_``, ``-``, starting with
    a letter or digit, up to 64 characters, not ending in ``.json``); else ``ValueError``
    with a one-line reason. No ``/``, no ``..``: a name cannot point outside ``coders/``."""
    if not _SAFE_NAME.fullmatch(name) or name.endswith(".json"):
        raise ValueError(f"coder name {name!r}: use letters, digits, '.', '_' or '-' (up to 64, "
                         "starting with a letter or digit, without .json)")
    return name


def coder_database(project_database: Path, name: str) -> Path:
    """Where coder ``name`` codes: ``coders/NAME.json`` beside the project's database."""
    return project_database.parent / CODERS_FOLDER / f"{coder_name(name)}.json"


def known_coders(project_database: Path) -> list[str]:
    """The coders who have a database in this project already, sorted by name."""
    folder = project_database.parent / CODERS_FOLDER
    try:
        return sorted(path.stem for path in folder.glob("*.json")
                      if path.is_file() and _SAFE_NAME.fullmatch(path.stem))
    except OSError:
        return []
