"""The layers keep their places: the UI goes through ``Workspace``, never past it into the
store, and the core never imports Textual. Checked by reading the source, not running it."""

from __future__ import annotations

import ast
from pathlib import Path

import tui

PACKAGE = Path(tui.__file__).parent


def sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def test_the_ui_never_reaches_into_the_store() -> None:
    """``workspace.store`` (or any ``.store``) in the UI couples screens to the database's
    internals; ``Workspace`` has a method or a property named for what the UI wants."""
    found = []
    for path in sources(PACKAGE / "ui"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "store":
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not found, "the UI reaches past Workspace into its store at " + ", ".join(found)


def test_the_core_never_imports_textual() -> None:
    found = []
    for path in sources(PACKAGE / "core"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(name.split(".")[0] in {"textual", "rich"} for name in names):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not found, "the core imports Textual (or Rich) at " + ", ".join(found)
