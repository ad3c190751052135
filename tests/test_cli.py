"""The ``margin`` command: one clear line and exit status 2 for bad input, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui import __version__
from tui.cli import main, shipped_corpus


def run_margin(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *arguments], check=False, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda tmp: tmp / "missing.txt", "missing.txt: no such file or folder"),
        (lambda tmp: tmp, "no documents (.txt, .md, .html, .docx, .pdf) in this folder"),
        (lambda tmp: (tmp / "x.txt").write_bytes(b"\x00\xff\x00") and tmp / "x.txt", "x.txt: binary file"),
    ],
    ids=["missing", "empty-folder", "binary"],
)
def test_bad_paths_exit_2_with_one_line(tmp_path: Path, capsys, setup, expected: str) -> None:
    assert main([str(setup(tmp_path))]) == 2
    error = capsys.readouterr().err
    assert expected in error and error.count("\n") == 1 and error.startswith("margin: ")


def test_corrupt_database_exits_2_and_is_untouched(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    database = tmp_path / "broken.json"
    database.write_text("{half a file")
    assert main([str(corpus_dir), "--db", str(database)]) == 2
    assert "broken.json: the database is corrupt" in capsys.readouterr().err
    assert database.read_text() == "{half a file"


def test_version_and_help() -> None:
    version = run_margin("--version")
    assert version.returncode == 0 and version.stdout.strip() == f"margin {__version__}"
    usage = run_margin("--help")
    assert usage.returncode == 0 and "--db FILE" in usage.stdout and "annotations/annotations.json" in usage.stdout


def test_no_traceback_from_the_real_command(tmp_path: Path) -> None:
    result = run_margin(str(tmp_path / "nope"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip().endswith("nope: no such file or folder")


def test_shipped_corpus_in_a_checkout_uses_the_repo_annotations_folder() -> None:
    seeds, database = shipped_corpus()
    root = Path(__file__).resolve().parent.parent
    assert seeds == root / "seeds"
    assert database == root / "annotations" / "annotations.json"
    assert len(list(seeds.glob("*.txt"))) == 5


def test_undecodable_file_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(128, 256)) * 4)
    assert main([str(path)]) == 2
    assert "noise.txt: not UTF-8 and no text encoding fits" in capsys.readouterr().err
