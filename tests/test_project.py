"""Projects found like git finds a repository: commands run without --db use the project of
the current folder, and the shipped corpus only outside any project."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tui import cli
from tui.cli import main
from tui.core import CorpusError, Workspace
from tui.core.project import Project, find_project


@pytest.fixture
def project(workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``tmp/`` holding ``seeds/`` and ``annotations/annotations.json`` with one passage coded;
    the current folder is ``tmp/sub/deeper``, and the shipped corpus is out of reach (a
    command that falls back to it fails the test instead of touching the repository's)."""
    document = workspace.documents[0]
    start = document.text.index("Greetings")
    workspace.toggle_theme(document, start, start + 9, workspace.themes[0])
    workspace.close()
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    monkeypatch.setattr(cli, "shipped_corpus", lambda: pytest.fail("fell back to the shipped corpus"))
    return tmp_path


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A current folder in no project, and a shipped corpus of our own: its database is the
    returned path (never the repository's annotations/)."""
    shipped = tmp_path_factory.mktemp("installed")
    shutil.copytree(corpus_dir, shipped / "seeds")
    database = shipped / "data" / "annotations.json"
    monkeypatch.setattr(cli, "shipped_corpus", lambda: (shipped / "seeds", database))
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    return database


def using_line(error: str) -> str:
    return error.splitlines()[0]


def test_the_project_is_found_from_any_folder_inside_it(project: Path) -> None:
    assert find_project(project / "sub" / "deeper") == Project(project)
    assert find_project(project) == Project(project)
    inner = project / "sub" / "annotations"
    inner.mkdir()
    (inner / "annotations.json").write_text("{}")
    assert find_project(project / "sub" / "deeper") == Project(project / "sub")  # the nearest wins
    (inner / "annotations.json").unlink()
    assert find_project(project / "sub") == Project(project)  # an annotations/ folder alone is no project


def test_a_team_whose_coders_alone_have_coded_is_a_project(tmp_path: Path, monkeypatch, capsys) -> None:
    """Coders code into annotations/coders/NAME.json before any consensus exists: ``margin
    agree`` and ``margin compare`` run from the corpus folder must find those, not fall back
    to the shipped corpus's."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "annotations" / "coders").mkdir(parents=True)
    assert find_project(tmp_path / "docs") == Project(tmp_path)
    monkeypatch.chdir(tmp_path / "docs")
    monkeypatch.setattr(cli, "shipped_corpus", lambda: pytest.fail("fell back to the shipped corpus"))
    assert main(["agree"]) == 2
    error = capsys.readouterr().err
    assert f"using {tmp_path / 'annotations' / 'annotations.json'} (the project of this folder)" in error
    assert "0 in the project's coders/ folder" in error


def test_nothing_is_found_outside_a_project(outside: Path) -> None:
    assert find_project(Path.cwd()) is None


def test_a_project_opens_the_folders_of_the_documents_it_knows(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    for folder in ("docs", "more", "empty"):
        (tmp_path / folder).mkdir()
    (tmp_path / "docs" / "a.txt").write_text("A document.")
    (tmp_path / "more" / "b.md").write_text("Another.")
    (tmp_path / "empty" / "notes.bin").write_bytes(b"\x00")
    project = Project(tmp_path)
    elsewhere = tmp_path / "far" / "c.txt"
    assert project.document_folders([tmp_path / "more" / "b.md", elsewhere]) == [tmp_path / "more"]
    assert project.document_folders([]) == [tmp_path / "docs", tmp_path / "more"]  # nothing coded yet
    shutil.rmtree(tmp_path / "docs")
    shutil.rmtree(tmp_path / "more")
    with pytest.raises(CorpusError, match="annotations.json: no documents found for this project"):
        project.document_folders([elsewhere])


def test_export_without_db_reads_the_project(project: Path, capsys) -> None:
    assert main(["export", "--format", "csv"]) == 0
    out, error = capsys.readouterr()
    database = project / "annotations" / "annotations.json"
    assert using_line(error) == f"margin: using {database} (the project of this folder)"
    assert out == f"exported 1 annotation to {database.with_name('annotations-export.csv')}\n"
    assert main(["export", "--format", "csv", "--theme", "human", "-o", "-"]) == 0
    assert "Greetings" in capsys.readouterr().out


def test_stats_and_db_check_without_db_report_on_the_project(project: Path, capsys) -> None:
    database = project / "annotations" / "annotations.json"
    assert main(["stats", "--format", "json"]) == 0
    out, error = capsys.readouterr()
    assert using_line(error) == f"margin: using {database} (the project of this folder)"
    assert json.loads(out)["annotations"] == 1
    assert main(["db", "check"]) == 0
    out, error = capsys.readouterr()
    assert out.splitlines()[0] == str(database) and "1 annotation" in out
    assert using_line(error) == f"margin: using {database} (the project of this folder)"
    assert main(["db", "restore"]) == 2  # no backup yet: the project's database is named
    assert f"{database}" in capsys.readouterr().err.splitlines()[-1]


def test_import_without_db_writes_to_the_project(project: Path, capsys) -> None:
    document = project / "seeds" / "000_2e8d550788efb0f9.txt"
    quote = "Department of Homeland Security"
    start = document.read_text(encoding="utf-8").index(quote)
    source = project / "sub" / "in.jsonl"
    source.write_text(json.dumps({"quote": quote, "start": start, "end": start + len(quote),
                                  "theme_names": ["Arms trafficking"], "document_path": str(document),
                                  "document_file": str(document)}), encoding="utf-8")
    assert main(["import", "../in.jsonl"]) == 0
    out, error = capsys.readouterr()
    database = project / "annotations" / "annotations.json"
    assert using_line(error) == f"margin: using {database} (the project of this folder)"
    assert out.startswith(f"{database}: imported 1 annotation")
    assert len(Workspace.open_database(database).store.annotations) == 2


class FakeApp:
    """Stands in for the reader: records the workspace ``margin`` opened."""

    opened: list[Workspace] = []
    unsaved_report = ""

    def __init__(self, workspace: Workspace, panes: int | None, reading_state: object = None,
                 show_others: bool = False) -> None:
        self.opened.append(workspace)

    def run(self) -> None:
        self.opened[-1].close()


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch) -> list[Workspace]:
    import tui.ui.app

    monkeypatch.setattr(tui.ui.app, "MarginApp", FakeApp)
    FakeApp.opened = []
    return FakeApp.opened


def test_margin_without_a_path_opens_the_project(project: Path, reader: list[Workspace]) -> None:
    assert main([]) == 0
    (workspace,) = reader
    assert workspace.database_path == project / "annotations" / "annotations.json"
    assert workspace.corpus.folders == [project / "seeds"]
    assert len(workspace.documents) == 5


def test_outside_a_project_everything_falls_back_to_the_shipped_corpus(outside: Path, reader: list[Workspace],
                                                                       capsys) -> None:
    assert main([]) == 0
    (workspace,) = reader
    assert workspace.database_path == outside and workspace.corpus.folders == [outside.parent.parent / "seeds"]
    assert main(["stats"]) == 2  # nothing coded yet: no database
    error = capsys.readouterr().err
    assert using_line(error) == f"margin: using {outside} (the shipped corpus's: no project in this folder or above)"
    assert error.splitlines()[1] == f"margin: {outside}: no such database"


def test_a_path_given_keeps_its_own_database(project: Path, corpus_dir: Path, tmp_path_factory,
                                             reader: list[Workspace]) -> None:
    elsewhere = tmp_path_factory.mktemp("study")
    shutil.copytree(corpus_dir, elsewhere / "docs")
    assert main([str(elsewhere / "docs")]) == 0
    assert reader[0].database_path == elsewhere / "annotations" / "annotations.json"
