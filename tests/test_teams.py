"""Coding as a team: a database per coder, the project's codebook, .gitignore, merge, the CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tui.cli import main
from tui.core import StoreError, Workspace
from tui.core.merging import coders_of, merge
from tui.core.sharing import IGNORED, coder_name, follow_codebook, is_proposed


def project(corpus_dir: Path) -> Path:
    return corpus_dir.parent / "annotations" / "annotations.json"


def coder_workspace(corpus_dir: Path, name: str) -> Workspace:
    return Workspace.open([corpus_dir], database=project(corpus_dir), coder=name)


def tag(workspace: Workspace, document: int, start: int, end: int, *themes: str, note: str = "") -> None:
    doc = workspace.documents[document]
    for name in themes:
        theme = workspace.store.theme_named(name) or workspace.create_theme(name)
        workspace.toggle_theme(doc, start, end, theme)
    if note:
        workspace.set_note(doc, workspace.annotations(doc).exactly(start, end), note)


# -- a database per coder ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "../evil", "a/b", ".hidden", "-x", "ana.json", "a b", "x" * 65, "é"])
def test_coder_names_must_be_safe_file_names(name: str) -> None:
    with pytest.raises(ValueError, match="coder name"):
        coder_name(name)


def test_a_coder_codes_into_coders_name_json_as_author(corpus_dir: Path) -> None:
    workspace = coder_workspace(corpus_dir, "ana")
    tag(workspace, 0, 0, 10, workspace.themes[0].name)
    workspace.close()
    assert workspace.database_path == project(corpus_dir).parent / "coders" / "ana.json"
    assert [a.author for a in workspace.store.annotations.values()] == ["ana"]
    assert not project(corpus_dir).exists()  # the project's database is only read


def test_a_bad_coder_name_is_one_line_and_exit_2(corpus_dir: Path, capsys) -> None:
    assert main([str(corpus_dir), "--coder", "../../etc/passwd"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "coder name" in error


def test_a_coder_follows_the_project_codebook_and_proposes_new_themes(corpus_dir: Path) -> None:
    lead = Workspace.open([corpus_dir], database=project(corpus_dir))
    extra = lead.create_theme("Corruption")
    lead.update_theme(extra, color="#123456")
    lead.set_parent(extra, lead.themes[0])
    lead.close()

    ana = coder_workspace(corpus_dir, "ana")
    mine = ana.store.theme_named("Corruption")
    assert mine is not None and mine.color == "#123456"
    assert ana.store.theme(mine.parent).name == lead.themes[0].name
    assert [t.name for t in ana.themes] == [t.name for t in lead.store.themes]
    assert [t.key for t in ana.themes] == [t.key for t in lead.store.themes]
    ana.create_theme("Tunnels")
    ana.close()

    ana = coder_workspace(corpus_dir, "ana")
    tunnels = ana.store.theme_named("Tunnels")
    assert is_proposed(ana.store, tunnels.id)
    assert not is_proposed(ana.store, ana.store.theme_named("Corruption").id)
    ana.close()

    lead = Workspace.open([corpus_dir], database=project(corpus_dir))
    lead.create_theme("Tunnels")
    lead.close()
    ana = coder_workspace(corpus_dir, "ana")
    assert not is_proposed(ana.store, ana.store.theme_named("Tunnels").id)
    assert follow_codebook(ana.store, project(corpus_dir)) == (0, 0)  # nothing more to do
    ana.close()


def test_a_coder_follows_the_project_tree_at_any_depth_and_its_moves(corpus_dir: Path) -> None:
    """The lead nests a theme three levels deep, then moves it: each coder's database takes
    the same places on its next opening, the digits staying with their themes."""
    lead = Workspace.open([corpus_dir], database=project(corpus_dir))
    top, middle, leaf = lead.themes[0], lead.themes[1], lead.themes[2]
    lead.set_parent(middle, top)
    lead.set_parent(leaf, lead.theme(middle.id))
    lead.close()

    ana = coder_workspace(corpus_dir, "ana")
    assert ana.store.theme_path(ana.store.theme_named(leaf.name)) == f"{top.name} › {middle.name} › {leaf.name}"
    assert [(t.name, t.key) for t in ana.themes] == [(t.name, t.key) for t in lead.store.themes]
    ana.close()

    lead = Workspace.open([corpus_dir], database=project(corpus_dir))
    lead.set_parent(lead.theme(leaf.id), None)
    lead.close()
    ana = coder_workspace(corpus_dir, "ana")
    assert ana.store.theme_named(leaf.name).parent is None
    assert ana.store.theme_path(ana.store.theme_named(middle.name)) == f"{top.name} › {middle.name}"
    assert [t.name for t in ana.themes] == [t.name for t in lead.store.themes]
    ana.close()


def test_the_proposed_marker_survives_a_restart_and_checks(corpus_dir: Path, capsys) -> None:
    ana = coder_workspace(corpus_dir, "ana")
    ana.create_theme("Tunnels")
    ana.close()
    ana = coder_workspace(corpus_dir, "ana")
    ana.close()
    data = json.loads(ana.database_path.read_text(encoding="utf-8"))
    assert [r["name"] for r in data["themes"].values() if r.get("proposed")] == ["Tunnels"]
    assert main(["db", "check", "--db", str(ana.database_path)]) == 0


# -- .gitignore -------------------------------------------------------------------------------


def test_margin_writes_a_gitignore_in_annotations_once(corpus_dir: Path) -> None:
    workspace = coder_workspace(corpus_dir, "ana")
    tag(workspace, 0, 0, 10, workspace.themes[0].name)
    ignore = project(corpus_dir).parent / ".gitignore"
    assert ignore.read_text(encoding="utf-8").splitlines()[1:] == list(IGNORED)
    assert not (ignore.parent / "coders" / ".gitignore").exists()
    workspace.close()
    ignore.write_text("mine\n", encoding="utf-8")
    Workspace.open([corpus_dir], database=project(corpus_dir)).close()
    assert ignore.read_text(encoding="utf-8") == "mine\n"  # never over the user's own


def test_no_gitignore_beside_a_database_outside_an_annotations_folder(corpus_dir: Path,
                                                                      tmp_path: Path) -> None:
    Workspace.open([corpus_dir], database=tmp_path / "notes" / "db.json").close()
    assert not (tmp_path / "notes" / ".gitignore").exists()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_ignores_session_files_and_keeps_databases(corpus_dir: Path, tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    ana = coder_workspace(corpus_dir, "ana")
    tag(ana, 0, 0, 10, ana.themes[0].name)  # while open: lock, owner, journal
    folder = project(corpus_dir).parent
    for extra in ("coders/ana.json.backup-1", "annotations.json.schema-1", "coders/.ana.json.x1.tmp",
                  "annotations.json.before-restore-20261130T1000"):
        (folder / extra).write_text("x", encoding="utf-8")
    listed = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    ana.close()
    shared = sorted(line[3:] for line in listed.splitlines() if line[3:].startswith("annotations/"))
    assert shared == ["annotations/.gitignore", "annotations/coders/ana.json"]


# -- merge ------------------------------------------------------------------------------------


def coded_project(corpus_dir: Path) -> tuple[Path, Path, Path]:
    ana = coder_workspace(corpus_dir, "ana")
    first, second = ana.themes[0].name, ana.themes[1].name
    tag(ana, 0, 0, 40, first, note="clear case")  # both: identical
    tag(ana, 0, 100, 150, first)  # both, but ben adds a theme
    tag(ana, 1, 5, 25, "Tunnels")  # ana's proposed theme
    ana.close()
    ben = coder_workspace(corpus_dir, "ben")
    tag(ben, 0, 0, 40, first, note="agreed")
    tag(ben, 0, 100, 150, first, second)
    tag(ben, 2, 0, 30, second)
    ben.close()
    return project(corpus_dir), ana.database_path, ben.database_path


def test_merge_credits_identical_passages_and_drops_nothing(corpus_dir: Path) -> None:
    into, ana, ben = coded_project(corpus_dir)
    report = merge(into, [ana, ben])
    assert (report.annotations, report.new, report.credited, report.already) == (6, 5, 1, 0)
    first, second = (theme.name for theme in Workspace.open_database(ana).themes[:2])
    assert report.themes_created == ["Tunnels"]  # a new project database starts with the corpus's codebook
    merged = Workspace.open_database(into)
    rows = sorted((a.start, a.end, tuple(sorted(merged.theme(t).name for t in a.themes)), a.author, a.note)
                  for a in merged.store.annotations.values())
    assert rows == sorted([
        (0, 30, (second,), "ben", ""),
        (0, 40, (first,), "ana, ben", "clear case\n\nben: agreed"),
        (5, 25, ("Tunnels",), "ana", ""),
        (100, 150, (first,), "ana", ""),
        (100, 150, tuple(sorted((first, second))), "ben", ""),
    ])
    assert report.message.startswith(
        "merged 6 annotations from 2 databases: 5 new, 1 credited to more coders")


def test_merging_twice_adds_nothing(corpus_dir: Path) -> None:
    into, ana, ben = coded_project(corpus_dir)
    merge(into, [ana, ben])
    before = into.read_bytes()
    again = merge(into, [ana, ben])
    assert (again.new, again.credited, again.already, again.themes_created) == (0, 0, 6, [])
    assert json.loads(into.read_bytes()) == json.loads(before)


def test_merge_into_a_database_elsewhere_recomputes_paths(corpus_dir: Path, tmp_path: Path) -> None:
    _, ana, ben = coded_project(corpus_dir)
    into = tmp_path / "elsewhere" / "consensus.json"  # its project: tmp_path (confine.project_root)
    report = merge(into, [ana, ben])
    merged = Workspace.open_database(into)
    assert not merged.corpus.skipped  # every document found through its new relative path
    assert {d.path for d in merged.store.documents.values()} == {
        f"../seeds/{d.path.name}" for d in Workspace.open([corpus_dir]).documents[:3]}
    assert report.themes_created[0] == Workspace.open_database(ana).themes[0].name
    for annotation in merged.store.annotations.values():
        document = merged.document_of(annotation)
        assert document.text[annotation.start:annotation.end] == annotation.quote


def test_merge_keeps_passages_of_missing_files_and_orphans(corpus_dir: Path, tmp_path: Path) -> None:
    _, ana, ben = coded_project(corpus_dir)
    Workspace.open([corpus_dir]).documents[2].path.unlink()  # ben's third passage loses its file
    into = tmp_path / "consensus" / "db.json"
    merge(into, [ana, ben])
    merged = Workspace.open_database(into)
    lost = [a for a in merged.store.annotations.values() if a.start == 0 and a.end == 30]
    assert len(lost) == 1 and lost[0].quote and lost[0].author == "ben"
    assert merge(into, [ana, ben]).new == 0


def poisoned(coder_db: Path, document_key: str, path: str) -> None:
    """Hand-edit a database so one document is recorded at ``path``, as a hostile teammate could."""
    data = json.loads(coder_db.read_text(encoding="utf-8"))
    data["documents"][document_key]["path"] = path
    coder_db.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("how", ["absolute", "relative", "symlink"])
def test_merge_never_registers_a_document_outside_the_project(corpus_dir: Path, tmp_path: Path,
                                                              capsys, how: str) -> None:
    """Issue #12: a teammate's coders/evil.json recording ``/tmp/x/secret/id_rsa`` (or
    ``../../../secret/id_rsa``, or a symlink in the project leading there) gets none of it
    into the project's database nor a later export; merge lists what it refused, exit 1."""
    into, ana, _ = coded_project(corpus_dir)
    outside = tmp_path.parent / f"{tmp_path.name}-secret"
    outside.mkdir()
    secret = outside / "id_rsa.txt"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY----- sekrit\n" * 20, encoding="utf-8")
    evil = ana.parent / "evil.json"
    shutil.copy(ana, evil)
    first = sorted(json.loads(evil.read_text())["documents"])[0]
    if how == "absolute":
        poisoned(evil, first, str(secret))
    elif how == "relative":
        poisoned(evil, first, f"../../../{outside.name}/id_rsa.txt")
    else:
        (corpus_dir / "link.txt").symlink_to(secret)
        poisoned(evil, first, "../../seeds/link.txt")
    assert main(["merge", "--into", str(into), str(evil)]) == 1
    out = capsys.readouterr().out
    assert "2 annotations of documents outside the project not merged" in out
    assert ("link.txt" if how == "symlink" else "id_rsa.txt") in out
    database = into.read_text(encoding="utf-8")
    assert "sekrit" not in database and "id_rsa" not in database and "link.txt" not in database
    export = tmp_path / "out.qdpx"
    main(["export", "--db", str(into), "--format", "qdpx", "-o", str(export)])
    import zipfile

    with zipfile.ZipFile(export) as archive:
        assert not any(b"sekrit" in archive.read(name) for name in archive.namelist())
    merged = Workspace.open_database(into)
    assert len(merged.store.annotations) == 1  # evil's passage in its other document merged


def test_merge_refuses_to_merge_a_database_into_itself(corpus_dir: Path) -> None:
    _, ana, _ = coded_project(corpus_dir)
    with pytest.raises(StoreError, match="into itself"):
        merge(ana, [ana])


def test_merge_is_one_undo_step(corpus_dir: Path) -> None:
    from tui.core.merging import Merger, MergeReport

    _, ana, ben = coded_project(corpus_dir)
    target = Workspace.open([corpus_dir], database=project(corpus_dir))
    with target.undoable("merge"):
        merger = Merger(target)
        for path, name in ((ana, "ana"), (ben, "ben")):
            merger.merge(Workspace.open_database(path), name, MergeReport())
    assert len(target.store.annotations) == 5 and len(target.history.done) == 1
    target.undo()
    assert len(target.store.annotations) == 0
    target.close()


def test_coders_of_an_author_field() -> None:
    assert coders_of("ana, ben") == ["ana", "ben"] and coders_of("") == []


# -- the command line -------------------------------------------------------------------------


def test_margin_agree_reads_the_coders_folder_and_prints_json(corpus_dir: Path, capsys) -> None:
    into, _, _ = coded_project(corpus_dir)
    assert main(["agree", "--db", str(into), "--json", "--disagreements"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["coders"] == ["ana", "ben"]
    themes = {item["theme"]: item for item in payload["themes"]}
    assert themes["Tunnels"]["coders"] == ["ana"]
    assert all(0 <= item["percent_agreement"] <= 100 for item in payload["themes"])
    assert payload["overall"]["cohen_kappa"] is not None
    assert {(d["theme"], d["start"], d["end"]) for d in payload["disagreements"]} >= {("Tunnels", 5, 25)}


def test_margin_agree_markdown_and_theme(corpus_dir: Path, capsys) -> None:
    into, ana, ben = coded_project(corpus_dir)
    assert main(["agree", str(ana), str(ben), "--theme", "tunnels", "--disagreements"]) == 0
    out = capsys.readouterr().out
    assert "| Tunnels | ana |" in out and "## Disagreements (1)" in out
    assert main(["agree", str(ana), str(ben), "--theme", "nothing"]) == 2
    assert "no theme named 'nothing'" in capsys.readouterr().err
    assert main(["agree", str(ana)]) == 2
    assert "at least two coder databases" in capsys.readouterr().err


def test_margin_merge_reports_what_it_did(corpus_dir: Path, capsys) -> None:
    into, _, _ = coded_project(corpus_dir)
    assert main(["merge", "--into", str(into)]) == 0
    out = capsys.readouterr().out
    assert "merged 6 annotations from 2 databases: 5 new, 1 credited to more coders, 0 already there" in out
    assert main(["merge", "--into", str(into)]) == 0
    assert "0 new, 0 credited to more coders, 6 already there, 0 themes created" in capsys.readouterr().out


def test_agree_and_merge_print_names_from_files_inert(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    colour, override = "\x1b[31m", "\u202e"
    (corpus_dir / "catalog.json").write_text(
        json.dumps({Workspace.open([corpus_dir]).documents[0].path.name:
                    {"title": f"T{colour}itle{override}"}}),
        encoding="utf-8")
    for name, end in (("ana", 40), ("ben", 60)):
        workspace = coder_workspace(corpus_dir, name)
        tag(workspace, 0, 0, end, f"Guns{colour}{override}")
        workspace.close()
    assert main(["agree", "--db", str(project(corpus_dir)), "--disagreements"]) == 0
    assert main(["merge", "--into", str(project(corpus_dir))]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and override not in out
    assert "Guns\\u001b[31m\\u202e" in out and "T\\u001b[31mitle\\u202e" in out
    assert main(["agree", "--db", str(project(corpus_dir)), "--json", "--disagreements"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert {item["theme"] for item in payload["themes"]} >= {f"Guns{colour}{override}"}
    assert payload["disagreements"][0]["title"] == f"T{colour}itle{override}"


def test_a_broken_project_database_is_one_line_and_exit_2(corpus_dir: Path, capsys) -> None:
    project(corpus_dir).parent.mkdir()
    project(corpus_dir).write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError):
        coder_workspace(corpus_dir, "ana")
    assert main([str(corpus_dir), "--coder", "ana"]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "annotations.json" in error


def test_merge_into_a_database_another_margin_writes_is_refused(corpus_dir: Path) -> None:
    into, ana, ben = coded_project(corpus_dir)
    writer = Workspace.open([corpus_dir], database=into)
    try:
        with pytest.raises(StoreError, match="cannot merge into it, another Margin is writing it"):
            merge(into, [ana, ben])
    finally:
        writer.close()
