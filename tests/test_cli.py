"""The ``margin`` command: one clear line and exit status 2 for bad input, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tui import __version__
from tui.cli import main, shipped_corpus
from tui.core import Workspace
from tui.core.codebook import ThemeSpec


def run_margin(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *arguments], check=False, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda tmp: tmp / "missing.txt", "missing.txt: no such file or folder"),
        (lambda tmp: tmp, "no documents (.txt, .md, .html, .docx, .pdf, .vtt, .srt) in this folder"),
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


# -- a safe command line: what came from a file cannot drive the terminal ---------------------

COLOUR = "\x1b[31m"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"  # OSC 52: "put 'evil' on the clipboard"
OVERRIDE = "\u202e"  # right-to-left override: "txt.exe" shows as "exe.txt"
RAW = ("\x1b", "\x07", "\u202e")


def assert_inert(output: str) -> None:
    """Nothing that drives or spoofs a terminal; the escaped forms instead."""
    assert not any(character in output for character in RAW), output
    assert "\\u001b" in output or "\\u202e" in output, output


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A database whose document's file name, catalog title and text, and whose theme names
    and author, carry a colour, an OSC 52 clipboard write and a right-to-left override."""
    folder = tmp_path / "docs"
    folder.mkdir()
    name = f"red{COLOUR}{OVERRIDE}txt.txt"
    (folder / name).write_text(f"Title\n\nThe {COLOUR}cartel{OVERRIDE} moved guns south.\n", encoding="utf-8")
    (folder / "catalog.json").write_text(json.dumps({name: {"title": f"Catalog {CLIPBOARD}title{OVERRIDE}"}}),
                                         encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author=f"ana{COLOUR}")
    document = workspace.documents[0]
    start = document.text.index("The ")
    for theme_name in (f"Guns{COLOUR}{OVERRIDE}", f"Clip{CLIPBOARD}"):
        workspace.toggle_theme(document, start, len(document.text) - 1, workspace.create_theme(theme_name))
    workspace.close()
    return workspace.database_path


def test_stats_prints_names_from_files_escaped_and_json_keeps_them(hostile: Path, capsys) -> None:
    assert main(["stats", "--db", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert "| Guns\\u001b[31m\\u202e | 1 | 1 |" in out
    assert "| Catalog \\u001b]52;c;ZXZpbA==\\u0007title\\u202e | 1 |" in out
    assert main(["stats", "--db", str(hostile), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    names = [theme["name"] for theme in json.loads(out)["themes"]]
    assert names == [f"Guns{COLOUR}{OVERRIDE}", f"Clip{CLIPBOARD}"]


def test_db_check_escapes_document_paths(hostile: Path, capsys) -> None:
    document = next((hostile.parent.parent / "docs").glob("red*"))
    document.write_text("Another text altogether.\n", encoding="utf-8")
    assert main(["db", "check", "--db", str(hostile)]) == 1  # the theme names are problems too
    out = capsys.readouterr().out
    assert_inert(out)
    assert "document ../docs/red\\u001b[31m\\u202etxt.txt: changed since it was coded" in out
    assert 'theme 1 "Guns\\u001b[31m\\u202e": its name holds a control character (U+001B); rename it' in out


def test_import_escapes_the_quotes_it_could_not_place(hostile: Path, tmp_path: Path, capsys) -> None:
    document = next((hostile.parent.parent / "docs").glob("red*"))
    record = {"quote": f"Not in it {CLIPBOARD}{OVERRIDE}", "start": 0, "end": 20, "theme_names": ["Guns"],
              "document_path": str(document), "document_file": str(document)}
    source = tmp_path / f"in{COLOUR}.jsonl"
    source.write_text(json.dumps(record), encoding="utf-8")
    assert main(["import", str(source), "--db", str(hostile)]) == 1
    out = capsys.readouterr().out
    assert_inert(out)
    assert "not placed: “Not in it \\u001b]52;c;ZXZpbA==\\u0007\\u202e” (" in out
    assert "red\\u001b[31m\\u202etxt.txt): quote not found in the document" in out
    assert main(["import", str(tmp_path / f"gone{COLOUR}.jsonl"), "--db", str(hostile)]) == 2
    error = capsys.readouterr().err
    assert_inert(error)
    assert "gone\\u001b[31m.jsonl" in error


def test_export_messages_are_escaped_but_the_file_keeps_its_data(hostile: Path, tmp_path: Path,
                                                                 capsys) -> None:
    output = tmp_path / f"out{COLOUR}.csv"
    assert main(["export", "--db", str(hostile), "--format", "csv", "-o", str(output)]) == 0
    out = capsys.readouterr().out
    assert_inert(out)
    assert out.endswith("out\\u001b[31m.csv\n")
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8-sig"))))
    assert [row["theme"] for row in rows] == [f"Guns{COLOUR}{OVERRIDE}", f"Clip{CLIPBOARD}"]
    assert rows[0]["quote"].startswith(f"The {COLOUR}cartel{OVERRIDE}")  # exports are data: untouched


def test_warnings_and_errors_naming_a_file_are_escaped(hostile: Path, tmp_path: Path, capsys) -> None:
    next((hostile.parent.parent / "docs").glob("red*")).unlink()
    assert main(["stats", "--db", str(hostile), "--format", "csv"]) == 0
    error = capsys.readouterr().err
    assert_inert(error)
    assert error.startswith("margin: warning: ") and "red\\u001b[31m\\u202etxt.txt: no such file" in error
    binary = tmp_path / f"bin{OVERRIDE}.txt"
    binary.write_bytes(b"\x00\x01")
    assert main([str(binary)]) == 2
    error = capsys.readouterr().err
    assert_inert(error)
    assert error.count("\n") == 1 and "bin\\u202e.txt: binary file" in error


# -- standard output: -o -, closed pipes, terminals -------------------------------------------

def command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "tui.cli", *arguments]


@pytest.fixture
def big(hostile: Path) -> Path:
    """The hostile database grown past a pipe's buffer (64 KiB) in every format: 200 themes
    (a 200 × 200 co-occurrence table) on 400 passages, so a reader that stops early really
    closes the pipe on a writer."""
    workspace = Workspace.open_database(hostile, for_writing=True)
    document = workspace.documents[0]
    with workspace.undoable("grow"):
        themes = workspace.store.import_themes([ThemeSpec(f"Theme {number}") for number in range(200)])
        for number in range(400):
            start = number % 20
            workspace.import_passage(document, start, start + 1 + number // 20, [themes[f"theme {number % 200}"]],
                                     "", "ana", None, None)
    workspace.close()
    return hostile


@pytest.mark.parametrize("arguments", [("export", "--format", "jsonl", "-o", "-"), ("stats",)],
                         ids=["export", "stats"])
def test_a_reader_that_stops_early_ends_the_command_quietly(big: Path, arguments: tuple[str, ...]) -> None:
    process = subprocess.Popen(command(*arguments, "--db", str(big)), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    first = process.stdout.readline()  # like `| head -1`
    process.stdout.close()
    error = process.stderr.read()
    status = process.wait(timeout=60)
    assert first.strip() and status == 141  # what a shell reports for SIGPIPE, as `cat big | head` gives
    assert error == b""


@pytest.mark.parametrize("fmt", ["csv", "qdpx"])
def test_dash_output_writes_the_files_bytes_to_stdout(hostile: Path, tmp_path: Path, fmt: str) -> None:
    piped = subprocess.run(command("export", "--db", str(hostile), "--format", fmt, "-o", "-"), cwd=tmp_path,
                           capture_output=True, timeout=60, check=True)
    subprocess.run(command("export", "--db", str(hostile), "--format", fmt, "-o", str(tmp_path / "file")),
                   capture_output=True, timeout=60, check=True)
    assert piped.stdout == (tmp_path / "file").read_bytes()
    assert piped.stderr.decode() == "exported 1 annotation to standard output\n"
    assert not (tmp_path / "-").exists()
    stats_piped = subprocess.run(command("stats", "--db", str(hostile), "--format", "csv", "-o", "-"),
                                 capture_output=True, timeout=60, check=True)
    assert stats_piped.stdout.startswith(b"\xef\xbb\xbfmeasure,") and COLOUR.encode() in stats_piped.stdout


def on_a_terminal(*arguments: str) -> tuple[int, str, str]:
    """Run margin with a pseudo-terminal as its stdout: (status, what the terminal got, stderr)."""
    pty = pytest.importorskip("pty")
    import os

    controller, terminal = pty.openpty()
    process = subprocess.Popen(command(*arguments), stdout=terminal, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal's last writer is gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    error = process.stderr.read().decode()
    return process.wait(timeout=60), b"".join(chunks).decode().replace("\r\n", "\n"), error


def test_dash_output_to_a_terminal_is_escaped_text_and_never_binary(hostile: Path) -> None:
    status, shown, _ = on_a_terminal("export", "--db", str(hostile), "--format", "jsonl", "-o", "-")
    assert status == 0
    assert_inert(shown)
    codebook, record = map(json.loads, shown.splitlines())  # the codebook line, then the annotation
    assert codebook["type"] == "codebook"
    assert record["quote"].startswith(f"The {COLOUR}cartel{OVERRIDE}")  # escaped as JSON: still the same data
    status, shown, error = on_a_terminal("export", "--db", str(hostile), "--format", "qdpx", "-o", "-")
    assert status == 2 and shown == ""
    assert "a qdpx export is binary and standard output is a terminal" in error


@pytest.mark.parametrize("arguments", [[f"--{OVERRIDE}from-a-glob{COLOUR}"], ["stats", f"extra{COLOUR}"],
                                       ["db", "check", f"x{OVERRIDE}"]], ids=["reader", "stats", "db"])
def test_usage_errors_quote_the_arguments_escaped(arguments: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    error = capsys.readouterr().err
    assert exit_.value.code == 2 and error.startswith("usage: margin")
    assert_inert(error)


# -- special files, full or closed standard output ---------------------------------------------

def special_files(tmp_path: Path) -> list[Path]:
    """A FIFO, a character device (when mknod is allowed), a folder."""
    import os
    import stat

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    made = [fifo, tmp_path]
    try:
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
        made.append(tmp_path / "null")
    except (PermissionError, OSError):
        pass
    return made


@pytest.mark.parametrize("arguments", [("export", "--format", "csv"), ("stats",), ("query", '"Clip"')],
                         ids=["export", "stats", "query"])
def test_force_never_replaces_a_device_a_fifo_or_a_folder(hostile: Path, tmp_path: Path, capsys,
                                                           arguments: tuple[str, ...]) -> None:
    for target in special_files(tmp_path):
        kind = target.lstat().st_mode
        assert main([*arguments, "--db", str(hostile), "-o", str(target), "--force"]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and f"{target}: not a regular file; Margin only replaces files" in error
        assert target.lstat().st_mode == kind  # still the FIFO, the device, the folder


def closed_stdout() -> None:  # in the child, before margin starts: like `margin ... >&-`
    import os

    os.close(1)


@pytest.mark.parametrize("arguments", [("export", "--format", "jsonl", "-o", "-"), ("export", "--format", "qdpx",
                                       "-o", "-"), ("stats",), ("stats", "--format", "csv", "-o", "-"),
                                       ("query", '"Clip"'), ("query", '"Clip"', "--format", "jsonl")],
                         ids=["export-jsonl", "export-qdpx", "stats", "stats-dash", "query", "query-jsonl"])
@pytest.mark.parametrize("stdout", ["full", "closed"])
def test_a_full_or_closed_stdout_is_one_line_and_exit_2(big: Path, arguments: tuple[str, ...], stdout: str) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(command(*arguments, "--db", str(big)), stdout=full if stdout == "full" else None,
                                preexec_fn=closed_stdout if stdout == "closed" else None,
                                stderr=subprocess.PIPE, timeout=60)
    error = result.stderr.decode()
    assert result.returncode == 2, error
    assert error.count("\n") == 1 and "Traceback" not in error, error
    expected = "standard output is closed" if stdout == "closed" else "cannot write to standard output (No space"
    assert error.startswith(f"margin: {expected}"), error


@pytest.mark.parametrize(("setup", "expected"), [
    (lambda tmp: Path("/dev/zero"), "/dev/zero: not a regular file"),
    (lambda tmp: tmp, f"not a regular file"),
    (lambda tmp: tmp / "gone.jsonl", "gone.jsonl: no such file"),
    (lambda tmp: (tmp / "notes.txt").write_text("x") and tmp / "notes.txt",
     "notes.txt: unknown kind of file (Margin imports .jsonl, .json, .jsonld, .qdpx, .qdc and codebook .csv files)"),
], ids=["device", "folder", "missing", "unknown-suffix"])
def test_import_names_what_is_wrong_with_the_file(hostile: Path, tmp_path: Path, capsys, setup, expected) -> None:
    before = hostile.read_bytes()
    assert main(["import", str(setup(tmp_path)), "--db", str(hostile)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and expected in error, error
    assert hostile.read_bytes() == before


DEEP = "[" * 200_000 + "]" * 200_000  # deeper than any decoder recurses


@pytest.mark.parametrize(("name", "content"), [
    ("deep.jsonl", '{"document_path": "a.txt", "start": 0, "end": 1, "quote": "x", "note": ' + DEEP + "}\n"),
    ("deep.jsonl", DEEP + "\n"),
    ("deep.json", '{"type": "AnnotationCollection", "first": ' + DEEP + "}"),
    ("deep.jsonld", DEEP),
], ids=["jsonl-field", "jsonl-line", "w3c-json", "w3c-jsonld"])
def test_deeply_nested_json_is_one_line_and_changes_nothing(hostile: Path, tmp_path: Path, capsys, name: str,
                                                            content: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    before = hostile.read_bytes()
    assert main(["import", str(tmp_path / name), "--db", str(hostile)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"{name}: " in error and "nested too deeply" in error, error
    assert hostile.read_bytes() == before


@pytest.mark.parametrize("name", ["catalog.json", "codebook.json"])
def test_a_deeply_nested_catalog_or_codebook_is_malformed_like_any_other(tmp_path: Path, name: str) -> None:
    from tui.core import CodebookError, CorpusError

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Some text.\n", encoding="utf-8")
    (folder / name).write_text(DEEP, encoding="utf-8")
    with pytest.raises((CorpusError, CodebookError), match="nested too deeply"):
        Workspace.open([folder], database=tmp_path / "db" / "annotations.json")


def test_a_corpus_codebook_with_a_control_character_in_a_name_is_malformed(tmp_path: Path) -> None:
    from tui.core import CodebookError

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Some text.\n", encoding="utf-8")
    (folder / "codebook.json").write_text(json.dumps({"themes": [{"name": "Fine"}, {"name": "nul\u0000"}]}),
                                          encoding="utf-8")
    with pytest.raises(CodebookError, match=r"themes\[1\]: the theme name .* holds a control character \(U\+0000\)"):
        Workspace.open([folder], database=tmp_path / "db" / "annotations.json")
