"""Shared fixtures: a private copy of the shipped corpus for every test, never the repo's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from tui.core import Workspace

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """``tmp/seeds`` holding the shipped documents, catalog and codebook."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "annotations" / "annotations.json"


@pytest.fixture
def workspace(corpus_dir: Path, database: Path) -> Workspace:
    return Workspace.open([corpus_dir], database=database, author="tester")


@pytest.fixture(autouse=True)
def private_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where Margin remembers the reading position: never the real home's state directory."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture(autouse=True)
def private_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where Margin reads config.toml (the user's keys): never the real home's config directory."""
    config = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    return config


@pytest.fixture(autouse=True)
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Tests never touch a real clipboard: pyperclip behaves as on a machine without one."""
    import pyperclip

    def unavailable(text: str) -> None:
        raise pyperclip.PyperclipException("no clipboard backend (test)")

    monkeypatch.setattr(pyperclip, "copy", unavailable)
    return []


# Tests that drive the app through Textual's Pilot are coroutines: marked ``pilot`` so a quick
# run of the core alone (mutation testing, tools/mutation.py) can leave them out with
# ``-m "not pilot"``.
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pilot: drives the Textual app (async, slow)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    import inspect

    for item in items:
        if inspect.iscoroutinefunction(getattr(item, "function", None)):
            item.add_marker(pytest.mark.pilot)


# Mutation testing runs each test once per mutant: there, a failing example is reported as it
# is found (no shrinking), runs are reproducible (derandomised) and nothing is written to
# .hypothesis/. Selected with ``--hypothesis-profile=mutation``.
settings.register_profile(
    "mutation", phases=[Phase.explicit, Phase.reuse, Phase.generate], derandomize=True, database=None
)
