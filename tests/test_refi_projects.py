"""REFI-QDA projects as NVivo, ATLAS.ti, MAXQDA and QualCoder write them (issue #13): their
sources folder, their project file's name, the unit they count positions in, and what they hold
that Margin cannot keep yet. The archives are built here, the way each tool writes them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.cli import main
from tui.core import Workspace
from tui.core.exporters import export
from tui.core.importers import import_file
from tui.core.refi import UNITS, Positions, Unit, to_codepoints
from tui.core.text import normalise_newlines

# What the interviews say, stored as the tools store them: CRLF line ends (Windows), an emoji
# (two UTF-16 code units), accents (one each), a byte-order mark before the text.
TEXT = ("Interview 3.2 — Rosa\r\n\r\nQ: When did it start? 🙂\r\nA: The cartel men came at night, "
        "in 2019.\r\nThey took the boats 🚤🚤 from the río.\r\n\r\nQ: And then?\r\nA: We left. Nobody "
        "stayed behind.\r\n")
PASSAGES = ["cartel men came at night", "took the boats", "río", "We left", "Nobody stayed behind",
            "When did it start"]


def unit_position(stored: str, index: int, unit: Unit) -> int:
    """How ``unit`` counts the stored text up to ``index``: what a tool writes."""
    before = stored[:index]
    if not unit.crlf:
        before = before.replace("\r\n", "\n")
    return len(before.encode("utf-16-le")) // 2 if unit.utf16 else len(before)


def project_xml(origin: str, unit: Unit, source_name: str = "Interview 3.2.docx", extra: str = "",
                sources_extra: str = "") -> str:
    selections = []
    for number, passage in enumerate(PASSAGES):
        index = TEXT.index(passage)
        start, end = unit_position(TEXT, index, unit), unit_position(TEXT, index + len(passage), unit)
        codes = '<Coding guid="k-{n}"><CodeRef targetGUID="c-{c}"/></Coding>'.format(n=number, c=number % 3)
        if number == 0:  # a selection coded twice, with a description and a note
            codes += ('<Coding guid="k-x"><CodeRef targetGUID="c-2"/></Coding><NoteRef targetGUID="n-1"/>')
        selections.append(
            f'<PlainTextSelection guid="p-{number}" name="{passage}" startPosition="{start}" endPosition="{end}" '
            f'creatingUser="u-1" creationDateTime="2026-03-0{number + 1}T10:00:00Z">'
            + ("<Description>Said twice</Description>" if number == 0 else "") + codes + "</PlainTextSelection>")
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Fieldwork" origin="{origin}">
  <Users><User guid="u-1" name="Rosa"/></Users>
  <CodeBook><Codes>
    <Code guid="c-0" name="Violence" isCodable="true" color="#AA3355">
      <Code guid="c-1" name="Armed groups" isCodable="true" color="#3355AA">
        <Code guid="c-2" name="Cartels" isCodable="true"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="s-1" name="{source_name}" plainTextPath="internal://s-1.txt">{"".join(selections)}</TextSource>
    {sources_extra}
  </Sources>
  <Notes><Note guid="n-1" name="memo"><PlainTextContent>Check the date.</PlainTextContent></Note>{extra}</Notes>
</Project>
"""


def build(path: Path, qde: str, qde_name: str = "project.qde", folder: str = "sources",
          text: str = TEXT, bom: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(qde_name, qde)
        bundle.writestr(f"{folder}/s-1.txt", (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def passages(database: Path) -> set[tuple[str, tuple[str, ...]]]:
    workspace = Workspace.open_database(database)
    try:
        return {(a.quote, tuple(sorted(workspace.theme(t).name for t in a.themes)))
                for a in workspace.store.annotations.values()}
    finally:
        workspace.close()


EXPECTED = {(passage, tuple(sorted({("Violence", "Armed groups", "Cartels")[n % 3]}
                                   | ({"Cartels"} if n == 0 else set()))))
            for n, passage in enumerate(PASSAGES)}

VENDORS = {  # how each tool writes a project: origin, unit, project file, sources folder
    "NVivo 14 (Windows)": ("NVivo 14.23.1 (Windows)", Unit(utf16=True, crlf=True), "project.qde", "Sources"),
    "NVivo 12": ("NVivo 12", Unit(utf16=True, crlf=True), "project.qde", "Sources"),
    "ATLAS.ti 23": ("ATLAS.ti 23.2.1", Unit(utf16=True, crlf=True), "My study.qde", "sources"),
    "MAXQDA 2022": ("MAXQDA 2022", Unit(utf16=True, crlf=True), "project.qde", "sources"),
    "QualCoder 3.5": ("QualCoder 3.5", Unit(utf16=False, crlf=True), "project.qde", "Sources"),
    "an unknown tool counting code points over LF text": ("Tool X", Unit(utf16=False, crlf=False), "x.qde",
                                                          "sources"),
}


def test_projects_from_every_major_tool_land_every_coding_on_its_passage(tmp_path: Path, capsys) -> None:
    for vendor, (origin, unit, qde_name, folder) in VENDORS.items():
        archive = build(tmp_path / f"{vendor}.qdpx", project_xml(origin, unit), qde_name, folder)
        database = tmp_path / vendor / "annotations.json"
        assert main(["import", str(archive), "--db", str(database)]) == 0, vendor
        out = capsys.readouterr().out
        assert "imported 6 annotations" in out and "placed by their quote" not in out, (vendor, out)
        assert f"positions read as {unit.label}" in out, (vendor, out)
        if unit.utf16:
            assert f'from origin "{origin}"' in out
        assert passages(database) == EXPECTED, vendor
        written = database.parent / "imported" / "Interview 3.2.txt"
        assert written.read_text(encoding="utf-8") == normalise_newlines(TEXT)


def test_the_origin_is_a_preference_the_text_can_overrule(tmp_path: Path, capsys) -> None:
    """A tool named NVivo that wrote code points anyway: word boundaries decide."""
    archive = build(tmp_path / "odd.qdpx", project_xml("NVivo 14", Unit(False, True)))
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    assert "positions read as code points over the text with CRLF (12 of 12 selection ends" in capsys.readouterr().out
    assert passages(database) == EXPECTED


def test_what_margin_cannot_keep_is_counted_not_dropped(tmp_path: Path, capsys) -> None:
    pdf = ('<PDFSource guid="s-9" name="scan.pdf" path="internal://s-9.pdf">'
           + "".join(f'<PDFSelection guid="r-{n}" page="1" firstX="0" firstY="0" secondX="9" secondY="9">'
                     f'<Coding guid="kp-{n}"><CodeRef targetGUID="c-0"/></Coding></PDFSelection>' for n in range(3))
           + "</PDFSource>")
    qde = project_xml("ATLAS.ti 9", Unit(True, True), sources_extra=pdf,
                      extra='<Note guid="n-2" name="project memo"><PlainTextContent>x</PlainTextContent></Note>')
    qde = qde.replace("</Project>", '<Sets><Set guid="z-1" name="Women"/></Sets></Project>')
    archive = build(tmp_path / "atlas.qdpx", qde, "Border study.qde")
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    out = capsys.readouterr().out
    assert ("not kept (Margin cannot hold them yet): 1 PDF sources, 3 PDF selections, 1 sets, "
            "1 project notes (memos on no selection)") in out
    assert passages(database) == EXPECTED


def test_a_named_qde_is_named_in_errors_and_two_are_refused(tmp_path: Path) -> None:
    broken = project_xml("ATLAS.ti 9", Unit(True, True)).replace('startPosition="', 'startPosition="x', 1)
    archive = build(tmp_path / "a.qdpx", broken, "My study.qde")
    workspace = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    try:
        import pytest

        from tui.core.importers import ImportFileError
        with pytest.raises(ImportFileError, match=re.escape('My study.qde: PlainTextSelection "p-0": startPosition')):
            import_file(workspace, archive)
        with zipfile.ZipFile(archive, "a") as bundle:
            bundle.writestr("other.qde", "<x/>")
        with pytest.raises(ImportFileError, match="holds 2 .qde project files"):
            import_file(workspace, archive)
        assert not workspace.store.annotations
    finally:
        workspace.close()


def test_a_position_beyond_the_text_is_listed(tmp_path: Path, capsys) -> None:
    qde = project_xml("QualCoder 3.5", Unit(False, True)).replace('endPosition="', 'endPosition="9999', 1)
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(build(tmp_path / "p.qdpx", qde)), "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert "imported 5 annotations" in out
    assert re.search(r"not placed: a passage of Interview 3\.2\.docx: its position \d+-9999\d* is beyond", out)


STORED_TEXT = st.lists(st.sampled_from(["a", "b", " ", "é", "\r\n", "\n", "\r", "🙂", "𝄞", "\ufeff"]),
                       max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(STORED_TEXT, st.data())
def test_every_unit_converts_back_to_the_code_point_of_the_same_character(stored: str, data) -> None:
    unit = data.draw(st.sampled_from(UNITS))
    margin = normalise_newlines(stored)
    positions = Positions(stored, unit)
    for index in range(len(stored) + 1):
        if 0 < index < len(stored) and stored[index - 1] == "\r" and stored[index] == "\n":
            continue  # inside a CRLF: not a place a passage starts or ends
        expected = len(normalise_newlines(stored[:index]))
        assert positions(unit_position(stored, index, unit)) == expected
        assert margin[expected:] == normalise_newlines(stored[index:])
    assert positions(positions.length + 1) is None
    assert to_codepoints("\ufeff" + stored, unit_position(stored, len(stored), unit), unit) == len(margin)


def test_sources_keep_their_names_as_titles_and_whole_file_names_and_uncoded_ones_are_kept(tmp_path: Path) -> None:
    names = ["Interview 3.2", "Notes v1.0.final.docx", "../../etc/passwd", ".hidden:*?"]
    sources = "".join(f'<TextSource guid="s-{n + 2}" name="{name}" plainTextPath="internal://s-{n + 2}.txt"/>'
                      for n, name in enumerate(names))
    qde = project_xml("NVivo 14", Unit(True, True), source_name="Rosa 2019.10.03.rtf", sources_extra=sources)
    archive = tmp_path / "names.qdpx"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("project.qde", qde)
        bundle.writestr("Sources/s-1.txt", TEXT.encode("utf-8"))
        for n in range(len(names)):
            bundle.writestr(f"Sources/s-{n + 2}.txt", f"Uncoded text number {n}.\n")
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    folder = database.parent / "imported"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["catalog.json", "Rosa 2019.10.03.txt", "Interview 3.2.txt", "Notes v1.0.final.txt", "_.._etc_passwd.txt",
         "hidden___.txt"])
    workspace = Workspace.open_database(database)
    assert sorted(d.title for d in workspace.documents) == sorted(["Rosa 2019.10.03.rtf", *names])
    assert len(workspace.store.documents) == 5  # the uncoded ones are the database's too
    workspace.close()


CODEBOOK = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="MAXQDA 2022">
  <Codes>
    <Code guid="A1" name="Violence" isCodable="true" color="#FF0000">
      <Description>Any mention of violence</Description>
      <Code guid="A2" name="Armed groups" isCodable="true" color="#00FF00">
        <Code guid="A3" name="Cartels" isCodable="true" color="#0000FF"><Description>Named ones</Description></Code>
        <Code guid="A4" name="Other" isCodable="true" color="#0000AA"/>
      </Code>
    </Code>
    <Code guid="B1" name="Migration" isCodable="false" color="#123456">
      <Code guid="B2" name="Other" isCodable="true" color="#654321"/>
    </Code>
  </Codes>
</CodeBook>
"""


def test_a_qdc_codebook_merges_into_the_codebook_and_says_what_it_added(tmp_path: Path, capsys) -> None:
    database = tmp_path / "db" / "annotations.json"
    workspace = Workspace.open_database(database, for_writing=True)
    workspace.create_theme("violence")
    workspace.close()
    codebook = tmp_path / "shared.qdc"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    assert capsys.readouterr().out == (f"{database}: codebook: 5 themes added, 1 changed (colour, description), "
                                       "0 already there\n")
    assert main(["import", str(codebook), "--db", str(database)]) == 0  # twice adds nothing
    assert capsys.readouterr().out == f"{database}: codebook: 0 themes added, 0 changed, 6 already there\n"
    workspace = Workspace.open_database(database)
    themes = {(t.name, t.parent and workspace.theme(t.parent).name): t for t in workspace.themes}
    assert themes[("Cartels", "Armed groups")].description == "Named ones"
    assert themes[("Cartels", "Armed groups")].color == "#0000FF"
    assert themes[("Other", "Migration")].color == "#654321"
    assert themes[("Armed groups", "violence")].parent == themes[("violence", None)].id
    workspace.close()


def codebook_state(database: Path) -> list[tuple]:
    workspace = Workspace.open_database(database)
    try:
        return [(workspace.store.theme_path(t), t.color.upper(), t.description) for t in workspace.themes]
    finally:
        workspace.close()


def test_a_qdc_merged_again_updates_each_code_where_it_sits_in_the_tree(tmp_path: Path, capsys) -> None:
    """A code is the one of its name under the same parents, at any depth: a new colour or
    description for Violence › Armed groups › Cartels changes that theme, not Migration's; a
    Cartels under Migration is another theme. The same file twice changes nothing."""
    database = tmp_path / "db" / "annotations.json"
    codebook = tmp_path / "shared.qdc"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    capsys.readouterr()
    revised = (CODEBOOK.replace('color="#0000FF"><Description>Named ones', 'color="#ABCDEF"><Description>Named, armed')
               .replace('name="Other" isCodable="true" color="#654321"/>',
                        'name="Other" isCodable="true" color="#111111"/><Code guid="B3" name="Cartels" '
                        'isCodable="true" color="#222222"/>'))
    codebook.write_text(revised, encoding="utf-8")
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    assert capsys.readouterr().out == (f"{database}: codebook: 1 theme added, 2 changed (colour, description), "
                                       "4 already there\n")
    expected = [("Violence", "#FF0000", "Any mention of violence"), ("Violence › Armed groups", "#00FF00", ""),
                ("Violence › Armed groups › Cartels", "#ABCDEF", "Named, armed"),
                ("Violence › Armed groups › Other", "#0000AA", ""), ("Migration", "#123456", ""),
                ("Migration › Other", "#111111", ""), ("Migration › Cartels", "#222222", "")]
    assert codebook_state(database) == expected
    before = database.read_bytes()
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    assert capsys.readouterr().out == f"{database}: codebook: 0 themes added, 0 changed, 7 already there\n"
    assert codebook_state(database) == expected and database.read_bytes() == before


def test_a_broken_qdc_is_one_line_and_changes_nothing(tmp_path: Path, capsys) -> None:
    database = tmp_path / "db" / "annotations.json"
    codebook = tmp_path / "bad.qdc"
    for text, message in [(CODEBOOK.replace('name="Cartels"', 'name=" "'), 'CodeBook: Code "A3": a code needs a name'),
                          (CODEBOOK[:200], "not well-formed XML"),
                          ("<Project/>", "holds Project, not a REFI-QDA CodeBook")]:
        codebook.write_text(text, encoding="utf-8")
        assert main(["import", str(codebook), "--db", str(database)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"margin: {codebook}: {message}") and err.count("\n") == 1
        assert not database.exists()


def code_tree(data: bytes) -> list:
    """A codebook's codes as nested (name, colour, description, children), in order."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(data)
    q = root.tag.partition("}")[0] + "}"

    def codes(element) -> list:
        return [(code.get("name"), code.get("color").upper(), code.findtext(f"{q}Description", ""), codes(code))
                for code in element.findall(f"{q}Code")]

    return codes(root.find(f"{q}Codes") if root.tag.endswith("CodeBook") else root.find(f"{q}CodeBook/{q}Codes"))


def test_a_qdc_export_gives_back_the_codebook_it_imported_exactly(tmp_path: Path) -> None:
    import io

    import xmlschema
    from conftest import SEEDS  # noqa: F401  (the schemas folder sits beside it)

    codebook = tmp_path / "shared.qdc"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    output = tmp_path / "again.qdc"
    assert main(["export", "--db", str(database), "--format", "qdc", "-o", str(output)]) == 0
    schema = xmlschema.XMLSchema(Path(__file__).parent / "schemas" / "refi-qda" / "Codebook.xsd")
    schema.validate(io.BytesIO(output.read_bytes()))
    assert code_tree(output.read_bytes()) == code_tree(CODEBOOK.encode())


def test_the_store_keeps_a_tree_with_one_name_under_two_parents(tmp_path: Path) -> None:
    from tui.core.codebook import ThemeSpec

    workspace = Workspace.open_database(tmp_path / "annotations.json", for_writing=True)
    store = workspace.store
    found = store.import_themes([ThemeSpec("A", path=()), ThemeSpec("B", path=("A",)), ThemeSpec("Other", path=("A", "B")),
                                 ThemeSpec("C", path=()), ThemeSpec("Other", path=("C",))])
    deep, shallow = found[("a", "b", "other")], found[("c", "other")]
    assert deep.id != shallow.id and store.theme_path(deep) == "A › B › Other"
    assert [store.theme_path(t) for t in store.themes] == ["A", "A › B", "A › B › Other", "C", "C › Other"]
    assert store.theme_named("c › other") == shallow and store.theme_named("Other") == deep
    store.renumber(list(reversed(store.themes)))  # children still follow their parents, at any depth
    assert [store.theme_path(t) for t in store.themes] == ["C", "C › Other", "A", "A › B", "A › B › Other"]
    store.update_theme(shallow, name="other")  # unique among its siblings, not in the whole codebook
    import pytest
    with pytest.raises(ValueError, match="exists already"):
        store.create_theme("a")
    with pytest.raises(ValueError, match="comes later or not at all"):
        store.import_themes([ThemeSpec("X", path=("Nowhere",))])
    workspace.close()


SCHEMAS = Path(__file__).resolve().parent / "schemas" / "refi-qda"


def with_real_guids(qde: str) -> str:
    """The fixture's short ids as the GUIDs the tools write (upper case, as NVivo does)."""
    import uuid

    return re.sub(r'(guid|targetGUID|creatingUser)="([^"]+)"',
                  lambda m: f'{m.group(1)}="{str(uuid.uuid5(uuid.NAMESPACE_URL, m.group(2))).upper()}"', qde)


def read_export(data: bytes) -> tuple[dict, dict[str, str]]:
    import io

    import xmlschema

    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        project = bundle.read("project.qde")
        texts = {name: bundle.read(name).decode("utf-8") for name in bundle.namelist() if name != "project.qde"}
    schema = xmlschema.XMLSchema(SCHEMAS / "Project-mrt2019.xsd")
    schema.validate(io.BytesIO(project))
    return schema.to_dict(io.BytesIO(project)), texts


def exported_passages(tree: dict, texts: dict[str, str], utf16: bool = False) -> set:
    """(source name, quote, code paths, memo) of every selection of an exported project."""
    paths: dict[str, str] = {}

    def walk(codes: list, above: str) -> None:
        for code in codes:
            paths[code["@guid"]] = above + code["@name"]
            walk(code.get("Code", []), paths[code["@guid"]] + " › ")

    walk(tree["CodeBook"]["Codes"]["Code"], "")
    found = set()
    for source in tree["Sources"]["TextSource"]:
        text = texts[f"sources/{source['@guid']}.txt"]
        if utf16:
            text = text.encode("utf-16-le")
        for selection in source.get("PlainTextSelection", []):
            start, end = selection["@startPosition"], selection["@endPosition"]
            quote = text[2 * start:2 * end].decode("utf-16-le") if utf16 else text[start:end]
            found.add((source["@name"], quote, tuple(sorted(paths[c["CodeRef"]["@targetGUID"]]
                                                             for c in selection["Coding"])),
                       selection.get("Description", "")))
    return found


ORIGINAL = {("Interview 3.2.docx", passage,
             tuple(sorted({("Violence", "Violence › Armed groups", "Violence › Armed groups › Cartels")[n % 3]}
                          | ({"Violence › Armed groups › Cartels"} if n == 0 else set()))),
             "Said twice\n\nCheck the date." if n == 0 else "")
            for n, passage in enumerate(PASSAGES)}


def test_every_tools_project_exported_again_keeps_sources_codes_codings_and_guids(tmp_path: Path) -> None:
    for vendor, (origin, unit, qde_name, folder) in VENDORS.items():
        qde = with_real_guids(project_xml(origin, unit, sources_extra=(
            '<TextSource guid="s-2" name="Field notes v2.1" plainTextPath="internal://s-2.txt"/>')))
        archive = tmp_path / f"{vendor}.qdpx"
        build(archive, qde, qde_name, folder)
        with zipfile.ZipFile(archive, "a") as bundle:
            bundle.writestr(f"{folder}/s-2.txt", "Nothing coded here yet.\r\n")
        database = tmp_path / vendor / "annotations.json"
        assert main(["import", str(archive), "--db", str(database)]) == 0
        for fmt, utf16 in (("qdpx", False), ("qdpx-utf16", True)):
            output = tmp_path / f"{vendor}-{fmt}.qdpx"
            assert main(["export", "--db", str(database), "--format", fmt, "-o", str(output)]) == 0
            tree, texts = read_export(output.read_bytes())
            assert exported_passages(tree, texts, utf16) == ORIGINAL, (vendor, fmt)
            assert sorted(s["@name"] for s in tree["Sources"]["TextSource"]) == ["Field notes v2.1",
                                                                                 "Interview 3.2.docx"]
            guids = set(re.findall(r'guid="([^"]+)"', qde))
            exported = {s["@guid"].upper() for s in tree["Sources"]["TextSource"]}
            exported |= {sel["@guid"].upper() for s in tree["Sources"]["TextSource"]
                         for sel in s.get("PlainTextSelection", [])}
            assert len(exported) == 8 and exported <= guids, vendor  # the project's own GUIDs, kept
        # and read back into a fresh database, passage by passage
        again = tmp_path / f"{vendor}-again" / "annotations.json"
        assert main(["import", str(tmp_path / f"{vendor}-qdpx.qdpx"), "--db", str(again)]) == 0
        assert passages(again) == EXPECTED


def test_a_margin_export_is_well_formed_dated_and_keeps_every_memo_and_document(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Alpha\x01 beta 🙂 gamma delta.\n", encoding="utf-8")
    (folder / "b.txt").write_text("Never coded.\n", encoding="utf-8")
    database = tmp_path / "db" / "annotations.json"
    workspace = Workspace.open([folder], database=database, author="ana\x07")
    theme = workspace.create_theme("Odd\x01name")
    document = next(d for d in workspace.documents if d.path.name == "a.txt")
    annotation = workspace.toggle_theme(document, 0, 11, theme).annotation
    workspace.set_note(document, annotation, "memo with \x1b[31m escape")
    second = workspace.toggle_theme(document, 15, 20, theme).annotation
    workspace.set_note(document, second, "another memo")
    outputs = []
    for number in (1, 2):  # from the reader, whose corpus holds an uncoded document too
        output, _ = export(workspace, "qdpx", tmp_path / f"out{number}.qdpx")
        outputs.append(output.read_bytes())
    workspace.close()
    tree, texts = read_export(outputs[0])
    assert tree == read_export(outputs[1])[0]  # the same GUIDs every time
    assert sorted(s["@name"] for s in tree["Sources"]["TextSource"]) == ["Alpha␁ beta 🙂 gamma delta.",
                                                                         "Never coded."]
    selections = [sel for s in tree["Sources"]["TextSource"] for sel in s.get("PlainTextSelection", [])]
    assert [sel["Description"] for sel in selections] == ["memo with \ufffd[31m escape", "another memo"]
    assert len(tree["Notes"]["Note"]) == 2
    assert {n["@guid"] for n in tree["Notes"]["Note"]} == {sel["NoteRef"][0]["@targetGUID"] for sel in selections}
    assert tree["CodeBook"]["Codes"]["Code"][0]["@name"] == "Odd\ufffdname"

    other = tmp_path / "other" / "annotations.json"  # an unrelated project: no GUID in common
    workspace = Workspace.open([folder], database=other, author="ana")
    workspace.toggle_theme(workspace.documents[0], 0, 5, workspace.create_theme("Odd name"))
    workspace.close()
    assert main(["export", "--db", str(other), "--format", "qdpx", "-o", str(tmp_path / "other.qdpx")]) == 0
    theirs, _ = read_export((tmp_path / "other.qdpx").read_bytes())
    assert not set(re.findall(r"'@guid': '([^']+)'", str(tree))) & set(re.findall(r"'@guid': '([^']+)'", str(theirs)))


def test_dates_from_an_import_are_written_as_xs_datetime(tmp_path: Path) -> None:
    qde = project_xml("QualCoder 3.5", Unit(False, True)).replace("2026-03-01T10:00:00Z", "2026-03-01").replace(
        "2026-03-02T10:00:00Z", "2026-03-02T10:00+02:00")
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(build(tmp_path / "p.qdpx", qde)), "--db", str(database)]) == 0
    assert main(["export", "--db", str(database), "--format", "qdpx", "-o", str(tmp_path / "o.qdpx")]) == 0
    tree, _ = read_export((tmp_path / "o.qdpx").read_bytes())  # valid against the XSD
    dates = {sel["@name"]: sel["@creationDateTime"] for s in tree["Sources"]["TextSource"]
             for sel in s.get("PlainTextSelection", [])}
    assert dates["cartel men came at night"] == "2026-03-01T00:00:00Z"
    assert dates["took the boats"] == "2026-03-02T10:00:00+02:00"


def test_an_empty_database_exports_a_valid_project(tmp_path: Path) -> None:
    database = tmp_path / "db" / "annotations.json"
    workspace = Workspace.open_database(database, for_writing=True)
    workspace.create_theme("Lonely")
    workspace.close()
    assert main(["export", "--db", str(database), "--format", "qdpx", "-o", str(tmp_path / "o.qdpx")]) == 0
    tree, texts = read_export((tmp_path / "o.qdpx").read_bytes())
    assert "Sources" not in tree and texts == {}


ODD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=40, deadline=None)
@given(text=ODD_TEXT, name=ODD_TEXT, code=ODD_TEXT, start=st.integers(0, 300), length=st.integers(0, 300),
       unit=st.sampled_from(UNITS), origin=st.sampled_from(["NVivo 14", "ATLAS.ti 9", "QualCoder 3.5", "", "x"]))
def test_any_project_imports_or_is_refused_in_one_line_and_exports_valid(text, name, code, start, length, unit,
                                                                         origin) -> None:
    """A stranger's project with any text, names and positions: imported (what cannot be placed
    listed) or refused with one line and nothing written; what was imported exports valid."""
    import tempfile
    from xml.sax.saxutils import quoteattr

    from tui.core.importers import ImportFileError

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        def attribute(value: str) -> str:  # what XML can hold at all
            return quoteattr(re.sub("[^\t\n\r -\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", "", value))

        qde = (project_xml(origin, unit)
               .replace('name="Cartels"', f"name={attribute(code)}")
               .replace('name="Interview 3.2.docx"', f"name={attribute(name)}")
               .replace('startPosition="', f'startPosition="{start}" x="', 1)
               .replace('endPosition="', f'endPosition="{start + length}" y="', 1))
        archive = build(root / "p.qdpx", qde, text=TEXT + text)
        database = root / "db" / "annotations.json"
        workspace = Workspace.open_database(database, for_writing=True)
        try:
            report = import_file(workspace, archive)
        except ImportFileError as error:
            assert "\n" not in str(error) and not workspace.store.annotations
            assert not (root / "db" / "imported").exists()
            return
        finally:
            workspace.close()
        assert report.imported + len(report.unplaced) >= 1
        output = root / "out.qdpx"
        assert main(["export", "--db", str(database), "--format", "qdpx", "-o", str(output)]) == 0
        read_export(output.read_bytes())


async def test_the_theme_picker_shows_an_imported_tree_and_names_the_parents_of_a_match(
        corpus_dir: Path, database: Path, tmp_path: Path) -> None:
    from test_reader import SIZE, make_app, option_texts, search, type_text
    from textual.widgets import OptionList

    codebook = tmp_path / "shared.qdc"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    assert main(["import", str(codebook), "--db", str(database)]) == 0
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await search(pilot, "Greetings")
        await pilot.press("t")
        texts = option_texts(app.screen.query_one(OptionList))
        cartels = next(text for text in texts if text.endswith("Cartels"))
        armed = next(text for text in texts if text.endswith("Armed groups"))
        assert cartels.index("▌") == armed.index("▌") + 2  # one level deeper
        await type_text(pilot, "other")
        texts = option_texts(app.screen.query_one(OptionList))
        assert [text.rpartition("  ")[2] for text in texts if "Other" in text] == [
            "Violence › Armed groups › Other", "Migration › Other"]
        await pilot.press("escape")


def test_two_selections_of_one_passage_keep_both_codes_and_both_memos(tmp_path: Path) -> None:
    """NVivo writes one selection per coding: the same span twice, each with its memo."""
    qde = project_xml("NVivo 14", Unit(True, True))
    first = re.search(r'<PlainTextSelection guid="p-0"[^>]*>', qde).group(0)
    twin = (first.replace('guid="p-0"', 'guid="p-9"') + "<Description>Second coder's memo</Description>"
            '<Coding guid="k-9"><CodeRef targetGUID="c-1"/></Coding></PlainTextSelection>')
    qde = qde.replace("</TextSource>", twin + "</TextSource>", 1)
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(build(tmp_path / "p.qdpx", qde)), "--db", str(database)]) == 0
    workspace = Workspace.open_database(database)
    (annotation,) = [a for a in workspace.store.annotations.values() if a.quote == PASSAGES[0]]
    assert annotation.note == "Said twice\n\nCheck the date.\n\nSecond coder's memo"
    assert sorted(workspace.theme(t).name for t in annotation.themes) == ["Armed groups", "Cartels", "Violence"]
    workspace.close()
    assert main(["import", str(tmp_path / "p.qdpx"), "--db", str(database)]) == 0  # again: nothing new
    workspace = Workspace.open_database(database)
    (again,) = [a for a in workspace.store.annotations.values() if a.quote == PASSAGES[0]]
    assert again.note == annotation.note
    workspace.close()


def test_a_source_whose_text_is_not_a_document_is_listed_and_leaves_no_file(tmp_path: Path, capsys) -> None:
    database = tmp_path / "db" / "annotations.json"
    archive = build(tmp_path / "p.qdpx", project_xml("NVivo 14", Unit(True, True)), text=TEXT + "\x00")
    assert main(["import", str(archive), "--db", str(database)]) == 1
    out = capsys.readouterr().out
    assert "not placed: a passage of Interview 3.2.docx: its text cannot be a document (binary file" in out
    assert not (database.parent / "imported").exists()


def test_any_text_exported_to_qdpx_or_qdc_imports_again_with_margins_own_importer(tmp_path: Path, capsys) -> None:
    """A form feed in a document, a control character in a memo, a NUL in a theme name (from a
    database older than the import's checks): the XML is well-formed and Margin reads it back."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Page one.\fPage two\x01 and \x7f more text here.\n", encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author="ana\x00")
    theme = workspace.create_theme("Nul\x00name\x9b")
    document = workspace.documents[0]
    annotation = workspace.toggle_theme(document, 0, 19, theme).annotation
    workspace.set_note(document, annotation, "memo\x01 with \f and \x00")
    workspace.close()
    for fmt in ("qdpx", "qdpx-utf16", "qdc"):
        out = tmp_path / f"out-{fmt}.{fmt.removesuffix('-utf16')}"
        assert main(["export", "--db", str(tmp_path / "db" / "annotations.json"), "--format", fmt,
                     "-o", str(out)]) == 0
        target = tmp_path / f"again-{fmt}" / "annotations.json"
        assert main(["import", str(out), "--db", str(target)]) == 0, capsys.readouterr()
        again = Workspace.open_database(target)
        assert [t.name for t in again.themes][-1] == "Nul\ufffdname\ufffd"
        if fmt != "qdc":
            [imported] = again.annotations_in_order()
            assert imported.quote == "Page one.\fPage two\x01" and imported.note == "memo\ufffd with \ufffd and \ufffd"


@pytest.mark.parametrize("name", ["Interview " * 30, "é" * 300, "🙂" * 300, "名" * 100 + ".docx"],
                         ids=["ascii", "latin", "emoji", "cjk"])
def test_a_source_with_a_long_name_gets_a_short_file_name_and_keeps_its_whole_title(tmp_path: Path, name: str
                                                                                    ) -> None:
    archive = build(tmp_path / "long.qdpx", project_xml("NVivo 14", Unit(True, True), source_name=name))
    database = tmp_path / "db" / "annotations.json"
    assert main(["import", str(archive), "--db", str(database)]) == 0
    assert passages(database) == EXPECTED  # no passage dropped
    [written] = [p for p in (database.parent / "imported").iterdir() if p.suffix == ".txt"]
    assert len(written.stem) <= 120 and len(written.name.encode("utf-8")) <= 210
    assert name.startswith(written.stem.removesuffix(".docx"))  # cut at a character
    workspace = Workspace.open_database(database)
    assert [d.title for d in workspace.documents] == [" ".join(name.split())]
    workspace.close()


def test_codes_nested_deeper_than_any_tool_writes_are_one_line(tmp_path: Path, capsys) -> None:
    """200,000 codes each inside the last would cost depth² (every code keeps its ancestors'
    names): refused at the cap, quickly, naming the code."""
    depth = 200_000
    qdc = tmp_path / "deep.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   + '<Code guid="g" name="a">' * depth + "</Code>" * depth + "</Codes></CodeBook>", encoding="utf-8")
    assert main(["import", str(qdc), "--db", str(tmp_path / "db" / "annotations.json")]) == 2
    error = capsys.readouterr().err
    assert error == f'margin: {qdc}: CodeBook: Code "g": codes nested more than 64 deep\n'
    shallow = tmp_path / "shallow.qdc"
    shallow.write_text('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                       + "".join(f'<Code guid="g{n}" name="level {n}">' for n in range(64)) + "</Code>" * 64
                       + "</Codes></CodeBook>", encoding="utf-8")
    assert main(["import", str(shallow), "--db", str(tmp_path / "db" / "annotations.json")]) == 0
