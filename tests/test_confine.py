"""Issue #12: a database's documents are read only inside its project (``core/confine.py``)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import Workspace
from tui.core.confine import project_root
from tui.core.project import Project

SECRET = "-----BEGIN OPENSSH PRIVATE KEY----- sekrit"


@pytest.fixture
def poisoned(workspace: Workspace, database: Path, tmp_path: Path) -> Path:
    """A project database hand-edited so its first coded document is ``/…/secret/id_rsa.txt``,
    outside the project (``tmp_path``), as a database merged before merge refused it would be."""
    document = workspace.documents[0]
    theme = workspace.themes[0]
    workspace.toggle_theme(document, 0, 20, theme)
    workspace.toggle_theme(workspace.documents[1], 0, 20, theme)
    workspace.close()
    secret = tmp_path.parent / f"{tmp_path.name}-secret" / "id_rsa.txt"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}\n" * 10, encoding="utf-8")
    data = json.loads(database.read_text(encoding="utf-8"))
    first = next(key for key, record in data["documents"].items() if record["path"].endswith(document.path.name))
    data["documents"][first]["path"] = f"../../{secret.parent.name}/id_rsa.txt"
    database.write_text(json.dumps(data), encoding="utf-8")
    return secret


def test_project_roots() -> None:
    assert project_root(Path("/s/annotations/annotations.json")) == Path("/s")
    assert project_root(Path("/s/annotations/coders/ana.json")) == Path("/s")
    assert project_root(Path("/s/consensus/db.json")) == Path("/s")
    assert project_root(Path("/tmp/db.json")) == Path("/tmp")  # never the whole filesystem


def test_a_document_outside_the_project_is_not_read_by_export(poisoned: Path, database: Path,
                                                              tmp_path: Path, capsys) -> None:
    workspace = Workspace.open_database(database)
    assert [d.path.name for d in workspace.documents] != [] and "id_rsa.txt" not in {
        d.path.name for d in workspace.documents}
    assert f"{poisoned}: outside the project: not read" in workspace.corpus.skipped
    out = tmp_path / "out.qdpx"
    main(["export", "--db", str(database), "--format", "qdpx", "-o", str(out)])
    assert "outside the project: not read" in capsys.readouterr().err
    with zipfile.ZipFile(out) as archive:
        assert not any(b"sekrit" in archive.read(name) for name in archive.namelist())


def test_a_document_outside_the_project_is_read_when_its_folder_is_named(poisoned: Path, database: Path) -> None:
    workspace = Workspace.open_database(database, named=[poisoned.parent])
    assert "id_rsa.txt" in {d.path.name for d in workspace.documents}


def test_db_check_lists_documents_outside_the_project(poisoned: Path, database: Path, capsys) -> None:
    assert main(["db", "check", "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert "id_rsa.txt: outside the project: not read (1 annotation kept)" in out
    assert "no problems found" not in out


def test_the_reader_does_not_open_a_folder_outside_the_project(poisoned: Path, database: Path) -> None:
    workspace = Workspace.open_project(Project(database.parent.parent))
    assert all(d.path.parent != poisoned.parent for d in workspace.documents)
    assert f"{poisoned}: outside the project: not read" in workspace.corpus.warnings
    workspace.close()


def test_an_installed_margins_database_reads_the_shipped_seeds(tmp_path: Path, monkeypatch) -> None:
    """An installed Margin keeps its database in ~/.local/share/margin/, the seeds in the
    package: its own corpus, read though the user named no folder."""
    from tui.cli import shipped_corpus

    seeds, _ = shipped_corpus()
    database = tmp_path / "share" / "margin" / "annotations.json"
    workspace = Workspace.open([seeds], database=database)
    workspace.toggle_theme(workspace.documents[0], 0, 10, workspace.themes[0])
    workspace.close()
    reopened = Workspace.open_database(database)
    assert not reopened.corpus.skipped and len(reopened.documents) == 1


def test_a_coded_link_leading_out_of_the_project_is_not_exported(tmp_path: Path, capsys) -> None:
    """``ln -s /etc/passwd docs/passwd.txt; margin docs/passwd.txt`` opens it (the user named
    it) and may code it; an export later reads the project only, so the link's target stays out."""
    secret = tmp_path.parent / f"{tmp_path.name}-etc" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    link = tmp_path / "docs" / "passwd.txt"
    link.parent.mkdir()
    link.symlink_to(secret)
    database = tmp_path / "annotations" / "annotations.json"
    workspace = Workspace.open([link], database=database)
    workspace.toggle_theme(workspace.documents[0], 0, 5, workspace.create_theme("Keys"))
    workspace.close()
    out = tmp_path / "out.qdpx"
    main(["export", "--db", str(database), "--format", "qdpx", "-o", str(out)])
    assert f"{link}: outside the project: not read" in capsys.readouterr().err
    with zipfile.ZipFile(out) as archive:
        assert not any(b"sekrit" in archive.read(name) for name in archive.namelist())
