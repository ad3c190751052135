"""Reading a REFI-QDA project or codebook back, case by case (issue #12, item 10): each test
pins one thing ``refi.read_project``/``read_qdc`` promise (the one ``.qde``, the caps, what a
source's location means, users, memos, dates, positions and the unit they are counted in, the
codebook's tree) so that a change to any of them fails a test. The archives are built here the
way NVivo, ATLAS.ti, MAXQDA and QualCoder write them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tui.core import Workspace, refi
from tui.core.importers import ImportFileError, import_file
from tui.core.refi import (
    CODE_POINTS,
    UNITS,
    Positions,
    ProjectError,
    ProjectSource,
    Unit,
    decoded,
    detect_unit,
    read_project,
    read_qdc,
)

NS = "urn:QDA-XML:project:1.0"
TEXT = "The cartel men came at night.\nNobody stayed behind.\n"


def qde(sources: str = "", codes: str = "", extra: str = "", origin: str = "QualCoder 3.5") -> str:
    """A project file: one user, the codes given (a ``Violence`` code ``c-0`` by default)."""
    codes = codes or '<Code guid="c-0" name="Violence" isCodable="true"/>'
    return (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="{NS}" name="p" origin="{origin}">'
            f'<Users><User guid="u-1" name="Rosa"/></Users><CodeBook><Codes>{codes}</Codes></CodeBook>'
            f"<Sources>{sources}</Sources>{extra}</Project>")


def selection(start: int, end: int, attributes: str = "", inside: str = "", guid: str = "p-1") -> str:
    return (f'<PlainTextSelection guid="{guid}" startPosition="{start}" endPosition="{end}" {attributes}>'
            f'{inside}<Coding guid="k-{guid}"><CodeRef targetGUID="c-0"/></Coding></PlainTextSelection>')


def source(selections: str = "", path: str = "internal://s-1.txt", name: str = "interview") -> str:
    return f'<TextSource guid="s-1" name="{name}" plainTextPath="{path}">{selections}</TextSource>'


def archive(members: dict[str, str | bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, content in members.items():
            bundle.writestr(name, content)
    return data.getvalue()


def project(qde_text: str, text: str | bytes = TEXT, qde_name: str = "project.qde", folder: str = "sources",
            tmp: Path = Path("/nonexistent")) -> refi.Project:
    return read_project(archive({qde_name: qde_text, f"{folder}/s-1.txt": text}), tmp)


def refused(data: bytes) -> str:
    with pytest.raises(ProjectError) as error:
        read_project(data, Path("/nonexistent"))
    return str(error.value)


# -- the project file in the archive ------------------------------------------------------------

def test_project_qde_is_read_even_beside_other_qde_files() -> None:
    read = read_project(archive({"project.qde": qde(source()), "old.qde": "<not a project/>",
                                 "sources/s-1.txt": TEXT}), Path("."))
    assert [s.text for s in read.sources] == [TEXT]


def test_the_only_qde_in_any_case_is_the_project_and_a_folder_named_qde_is_not() -> None:
    read = read_project(archive({"Study.QDE": qde(source()), "backup.qde/": "", "sources/s-1.txt": TEXT}),
                        Path("."))
    assert read.sources[0].text == TEXT


def test_an_archive_with_no_qde_or_several_says_so() -> None:
    assert refused(archive({"sources/s-1.txt": TEXT})) == (
        "not a REFI-QDA project archive (no .qde project file in it)")
    assert refused(archive({"a.qde": "", "b.qde": "", "c.qde": "", "d.qde": ""})) == (
        "the archive holds 4 .qde project files (a.qde, b.qde, c.qde); Margin reads one")


def test_a_qde_that_is_not_a_project_or_not_xml_is_named() -> None:
    codebook = '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>'
    assert refused(archive({"Study.qde": codebook})) == (
        "Study.qde holds {urn:QDA-XML:codebook:1.0}CodeBook, not a REFI-QDA Project")
    assert refused(archive({"Study.qde": "<Project"})).startswith("Study.qde is not well-formed XML (")


def test_an_error_in_a_named_qde_names_that_file_and_one_in_project_qde_names_it() -> None:
    broken = qde(source(selection(5, 2)))
    expected = ': PlainTextSelection "p-1": endPosition (2) is before startPosition (5)'
    assert refused(archive({"My study.qde": broken, "sources/s-1.txt": TEXT})) == "My study.qde" + expected
    assert refused(archive({"project.qde": broken, "sources/s-1.txt": TEXT})) == "project.qde" + expected


def test_an_archive_that_is_not_a_zip_or_is_encrypted_is_one_line() -> None:
    assert refused(b"PK\x03\x04 broken").startswith("not a REFI-QDA project archive (")
    data = bytearray(archive({"project.qde": qde()}))
    data[6] |= 1  # the "encrypted" flag of the member's local header and ...
    central = data.rindex(b"PK\x01\x02")
    data[central + 8] |= 1  # ... of its central directory entry: zipfile wants a password
    assert refused(bytes(data)).startswith("not a REFI-QDA project archive (")


# -- the caps on what an archive expands to -----------------------------------------------------

def test_a_member_at_the_cap_is_read_and_one_byte_more_is_refused(monkeypatch) -> None:
    project_file = qde(source()).encode("utf-8")
    monkeypatch.setattr(refi, "MAX_MEMBER_BYTES", len(project_file))
    monkeypatch.setattr(refi, "MAX_EXPANDED_BYTES", 10 * len(project_file))
    assert project(project_file.decode("utf-8"), "x" * len(project_file)).sources[0].text == "x" * len(project_file)
    assert refused(archive({"project.qde": project_file, "sources/s-1.txt": "x" * (len(project_file) + 1)})) == (
        f"sources/s-1.txt expands to more than 0 MB, the most Margin reads from one archive member")


def test_the_caps_are_said_in_megabytes(monkeypatch) -> None:
    monkeypatch.setattr(refi, "MAX_MEMBER_BYTES", 2**20)
    monkeypatch.setattr(refi, "MAX_EXPANDED_BYTES", 3 * 2**20)
    assert refused(archive({"project.qde": qde(source()), "sources/s-1.txt": bytes(2**20 + 1)})) == (
        "sources/s-1.txt expands to more than 1 MB, the most Margin reads from one archive member")
    sources = "".join(f'<TextSource guid="s-{n}" plainTextPath="internal://s-{n}.txt"/>' for n in range(1, 4))
    members = {"project.qde": qde(sources), **{f"sources/s-{n}.txt": bytes(2**20) for n in range(1, 4)}}
    assert refused(archive(members)) == "the archive expands to more than 3 MB, the most Margin reads from one project"


def test_an_archive_at_the_total_cap_is_read_and_one_byte_more_is_refused(monkeypatch) -> None:
    project_file = qde(source()).encode("utf-8")
    monkeypatch.setattr(refi, "MAX_EXPANDED_BYTES", len(project_file) + 10)
    assert project(project_file.decode("utf-8"), "x" * 10).sources[0].text == "x" * 10
    assert refused(archive({"project.qde": project_file, "sources/s-1.txt": "x" * 11})) == (
        "the archive expands to more than 0 MB, the most Margin reads from one project")


# -- sources: where their text is --------------------------------------------------------------

def test_nvivos_capitalised_sources_folder_and_an_escaped_name_are_found() -> None:
    read = read_project(archive({"project.qde": qde(source(path="internal://s%201.txt")),
                                 "Sources/s 1.txt": TEXT, "SOURCES/s 1.txt": "a later twin"}), Path("."))
    assert (read.sources[0].text, read.sources[0].problem) == (TEXT, "")


def test_a_member_is_found_in_any_case_and_a_source_without_a_name_has_an_empty_one() -> None:
    element = '<TextSource plainTextPath="internal://S-1.TXT"/>'
    read = read_project(archive({"project.qde": qde(element), "Sources/s-1.txt": TEXT}), Path("."))
    assert (read.sources[0].name, read.sources[0].guid, read.sources[0].text, read.sources[0].problem) == (
        "", "", TEXT, "")


def test_a_source_missing_from_the_archive_or_not_utf8_or_rich_text_only_says_why() -> None:
    sources = (source(path="internal://gone.txt", name="gone")
               + '<TextSource guid="s-2" name="latin" plainTextPath="internal://s-2.txt"/>'
               + '<TextSource guid="s-3" name="rich" richTextPath="internal://s-3.docx"/>')
    read = read_project(archive({"project.qde": qde(sources), "sources/s-2.txt": "río".encode("latin-1")}),
                        Path("."))
    assert [(s.name, s.text, s.problem) for s in read.sources] == [
        ("gone", None, "internal://gone.txt is missing from the archive"),
        ("latin", None, "internal://s-2.txt is not UTF-8 text"),
        ("rich", None, "no plain text in the project (only rich text, which Margin does not read)"),
    ]
    assert [(s.guid, s.location) for s in read.sources] == [
        ("s-1", "internal://gone.txt"), ("s-2", "internal://s-2.txt"), ("s-3", "")]


def test_a_source_outside_the_archive_is_located_never_read(tmp_path: Path) -> None:
    sources = (source(path="relative://texts/a%20b.txt", name="relative")
               + '<TextSource guid="s-2" name="absolute" plainTextPath="absolute:///srv/x%20y.txt"/>')
    read = read_project(archive({"project.qde": qde(sources)}), tmp_path)
    assert [(s.outside, s.text, s.problem, s.location) for s in read.sources] == [
        (tmp_path / "texts" / "a b.txt", None, "", "relative://texts/a%20b.txt"),
        (Path("/srv/x y.txt"), None, "", "absolute:///srv/x%20y.txt"),
    ]


def test_the_stored_text_keeps_its_crs_and_the_text_is_margins() -> None:
    read = project(qde(source()), b"\xef\xbb\xbfa\r\nb")
    assert (read.sources[0].stored, read.sources[0].text) == ("a\r\nb", "a\nb")
    assert decoded(b"\xef\xbb\xbfa\r\nb", "x") == ("a\nb", "")
    assert decoded(b"\xff", "internal://x.txt") == (None, "internal://x.txt is not UTF-8 text")


# -- selections: users, memos, dates, positions ---------------------------------------------------

def test_a_selection_brings_its_author_dates_guid_and_both_kinds_of_memo_once() -> None:
    notes = ('<Notes><Note guid="n-1"><PlainTextContent>Check the date.</PlainTextContent></Note>'
             '<Note guid="n-2"><PlainTextContent>Said twice</PlainTextContent></Note></Notes>')
    inside = '<Description>Said twice</Description><NoteRef targetGUID="n-1"/><NoteRef targetGUID="n-2"/>'
    attributes = ('creatingUser="u-1" creationDateTime="2026-03-01T10:00:00Z" '
                  'modifiedDateTime="2026-03-02"')
    read = project(qde(source(selection(4, 10, attributes, inside)), extra=notes))
    (chosen,) = read.sources[0].selections
    assert (chosen.start, chosen.end, chosen.codes, chosen.code_keys, chosen.guid) == (
        4, 10, ["Violence"], [("violence",)], "p-1")
    assert (chosen.note, chosen.author, chosen.created, chosen.modified) == (
        "Said twice\n\nCheck the date.", "Rosa", "2026-03-01T10:00:00Z", "2026-03-02")
    assert read.not_kept == {}


def test_a_selection_with_no_user_memo_or_guid_has_none() -> None:
    read = project(qde(source('<PlainTextSelection startPosition="0" endPosition="3" creatingUser="u-9">'
                              '<Coding><CodeRef targetGUID="c-0"/></Coding><NoteRef targetGUID="n-1"/>'
                              '</PlainTextSelection>'), extra='<Notes><Note guid="n-1"/></Notes>'))
    (chosen,) = read.sources[0].selections
    assert (chosen.note, chosen.author, chosen.created, chosen.modified, chosen.guid) == ("", "", None, None, "")
    assert read.sources[0].selections[0].codes == ["Violence"]
    nameless = project(qde(source(selection(0, 3, 'creatingUser="u-2"'))).replace(
        "</Users>", '<User guid="u-2"/></Users>'))
    assert nameless.sources[0].selections[0].author == ""


def test_an_empty_selection_is_kept_and_a_bad_position_or_date_is_named() -> None:
    assert project(qde(source(selection(3, 3)))).sources[0].selections[0].end == 3
    bad = {
        'startPosition="x3" endPosition="4"':
            'project.qde: PlainTextSelection "p-1": startPosition must be a non-negative integer, got "x3"',
        'startPosition="-3" endPosition="4"':
            'project.qde: PlainTextSelection "p-1": startPosition must be a non-negative integer, got "-3"',
        'startPosition="1234567890123456" endPosition="4"':
            'project.qde: PlainTextSelection "p-1": startPosition must be a non-negative integer, '
            'got "1234567890123456"',
        'startPosition="0"':
            'project.qde: PlainTextSelection "p-1": endPosition must be a non-negative integer, got ""',
        'startPosition="0" endPosition="' + "9" * 50 + '"':
            'project.qde: PlainTextSelection "p-1": endPosition must be a non-negative integer, got "'
            + "9" * 40 + '"',
        'startPosition="0" endPosition="3" creationDateTime="2026-02-30"':
            'project.qde: PlainTextSelection "p-1": "creationDateTime" is not a date that exists, got "2026-02-30"',
        'startPosition="0" endPosition="3" modifiedDateTime="March"':
            'project.qde: PlainTextSelection "p-1": "modifiedDateTime" must be an ISO 8601 date, got "March"',
    }
    for attributes, message in bad.items():
        element = f'<PlainTextSelection guid="p-1" {attributes}/>'
        assert refused(archive({"project.qde": qde(source(element)), "sources/s-1.txt": TEXT})) == message
    far = project(qde(source(f'<PlainTextSelection startPosition="{10**14}" endPosition="{10**14}"/>')))
    assert far.sources[0].selections[0].start == 10**14  # fifteen digits: a number, beyond the text


def test_a_coding_of_a_code_the_project_does_not_define_is_named() -> None:
    text = qde(source(selection(0, 3).replace('targetGUID="c-0"', 'targetGUID="c-404"')))
    assert refused(archive({"project.qde": text, "sources/s-1.txt": TEXT})) == (
        'project.qde: PlainTextSelection "p-1": CodeRef to a code the project does not define (c-404)')


def test_what_cannot_be_kept_is_counted_by_kind_and_notes_on_no_selection_too() -> None:
    extra = ('<Sets><Set guid="z-1"/><Set guid="z-2"/></Sets><Links><Link guid="l-1"/></Links>'
             '<Notes><Note guid="n-1"><PlainTextContent>a</PlainTextContent></Note>'
             '<Note guid="n-2"><PlainTextContent>b</PlainTextContent></Note></Notes>')
    sources = source(selection(0, 3, inside='<NoteRef targetGUID="n-1"/>')) + (
        '<AudioSource guid="a-1"><AudioSelection guid="a-2"/><TranscriptSelection guid="a-3"/></AudioSource>')
    read = project(qde(sources, extra=extra))
    assert read.not_kept == {"audio sources": 1, "audio selections": 1, "transcript selections": 1, "sets": 2,
                             "links": 1, "project notes (memos on no selection)": 1}
    assert read.not_kept_message == ("not kept (Margin cannot hold them yet): 1 audio sources, 1 audio selections, "
                                     "1 transcript selections, 2 sets, 1 links, "
                                     "1 project notes (memos on no selection)")
    assert project(qde(source())).not_kept_message == ""


# -- the codebook ------------------------------------------------------------------------------

def nested(depth: int) -> str:
    return "".join(f'<Code guid="c-{n}" name="level {n}">' for n in range(depth)) + "</Code>" * depth


def test_codes_keep_their_tree_guids_colours_and_descriptions() -> None:
    codes = ('<Code guid="c-0" name="  Violence \t now " color="#AA3355"><Description>Any</Description>'
             '<Code guid="c-1" name="Armed" color="red"><Code guid="c-2" name="Cartels" color="#aa33551"/></Code>'
             '</Code><Code name="Hope" color="#00ff00"/>')
    read = project(qde(codes=codes))
    assert [(c.name, c.parent, c.path, c.color, c.description, c.guid) for c in read.codes] == [
        ("Violence now", None, (), "#AA3355", "Any", "c-0"),
        ("Armed", "Violence now", ("Violence now",), None, "", "c-1"),
        ("Cartels", "Armed", ("Violence now", "Armed"), None, "", "c-2"),
        ("Hope", None, (), "#00ff00", "", ""),
    ]


def test_codes_nest_64_deep_and_no_deeper() -> None:
    assert len(project(qde(codes=nested(refi.MAX_CODE_DEPTH))).codes) == refi.MAX_CODE_DEPTH
    assert refused(archive({"project.qde": qde(codes=nested(refi.MAX_CODE_DEPTH + 1))})) == (
        f'project.qde: Code "c-{refi.MAX_CODE_DEPTH}": codes nested more than {refi.MAX_CODE_DEPTH} deep')


def test_a_code_without_a_name_or_with_a_control_character_is_named() -> None:
    assert refused(archive({"project.qde": qde(codes='<Code guid="c-0" name=" "/>')})) == (
        'project.qde: Code "c-0": a code needs a name')
    assert refused(archive({"project.qde": qde(codes="<Code/>")})) == "project.qde: Code: a code needs a name"
    assert refused(archive({"project.qde": qde(codes='<Code guid="c-0" name="a&#x7f;b"/>')})) == (
        'project.qde: Code "c-0": the theme name "a\\u007fb" holds a control character (U+007F)')


def test_a_qdc_in_either_namespace_is_read_and_anything_else_is_named() -> None:
    for namespace in ("urn:QDA-XML:codebook:1.0", NS):
        data = (f'<CodeBook xmlns="{namespace}"><Codes><Code guid="c-0" name="A">'
                '<Code guid="c-1" name="B"/></Code></Codes></CodeBook>').encode()
        assert [(c.name, c.path) for c in read_qdc(data)] == [("A", ()), ("B", ("A",))]
    assert read_qdc(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>') == []
    with pytest.raises(ProjectError, match="^holds CodeBook, not a REFI-QDA CodeBook$"):
        read_qdc(b"<CodeBook/>")
    with pytest.raises(ProjectError, match="^holds {urn:x}CodeBook, not a REFI-QDA CodeBook$"):
        read_qdc(b'<CodeBook xmlns="urn:x"/>')
    with pytest.raises(ProjectError, match=r"^holds {urn:QDA-XML:codebook:1\.0}Codes, not"):
        read_qdc(b'<Codes xmlns="urn:QDA-XML:codebook:1.0"/>')
    with pytest.raises(ProjectError, match=r"^not well-formed XML \("):
        read_qdc(b"<CodeBook")
    with pytest.raises(ProjectError, match='^CodeBook: Code "c-0": a code needs a name$'):
        read_qdc(b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="c-0"/></Codes></CodeBook>')


# -- positions and the unit they count in --------------------------------------------------------

def with_selections(text: str, *spans: tuple[int, int]) -> ProjectSource:
    stored = text
    selections = [refi.ProjectSelection(start, end, [], "", "", None, None) for start, end in spans]
    return ProjectSource("s", stored.replace("\r\n", "\n"), "", selections, stored=stored)


def test_units_are_labelled_as_the_import_reports_them() -> None:
    assert [unit.label for unit in UNITS] == [
        "code points over the text with CRLF", "UTF-16 code units over the text with CRLF",
        "code points over the text with LF", "UTF-16 code units over the text with LF"]
    assert CODE_POINTS == Unit(utf16=False, crlf=False)


def test_positions_in_each_unit_land_on_the_same_character() -> None:
    stored = "a\r\nb🙂c\rd"  # margin's text: "a\nb🙂c\nd"
    expected = {  # unit: positions of a, \n, b, 🙂, c, \n (a lone CR), d, the end
        Unit(False, True): [0, 1, 3, 4, 5, 6, 7, 8],
        Unit(True, True): [0, 1, 3, 4, 6, 7, 8, 9],
        Unit(False, False): [0, 1, 2, 3, 4, 5, 6, 7],
        Unit(True, False): [0, 1, 2, 3, 5, 6, 7, 8],
    }
    for unit, positions in expected.items():
        convert = Positions(stored, unit)
        assert [convert(p) for p in positions] == list(range(8)), unit
        assert convert(positions[-1] + 1) is None, unit
        assert convert.length == positions[-1], unit
    assert Positions(stored, Unit(True, True))(5) == 3  # inside the emoji: its start
    assert Positions(stored, Unit(False, True))(2) == 1  # between CR and LF: the line end
    # a byte-order mark counts for nothing: position 2 is still the line end after "a"
    assert [refi.to_codepoints("\ufeff" + stored, 2, unit) for unit in UNITS] == [1, 1, 2, 2]


def test_the_unit_is_the_one_that_lands_selection_ends_on_word_boundaries() -> None:
    stored = "🙂🙂 one two three"  # 16 code points, 18 UTF-16 code units
    # "two" is at code points 7-10, UTF-16 units 9-12
    assert detect_unit([with_selections(stored, (9, 12))], "Tool X") == (
        Unit(True, True), "2 of 2 selection ends on word boundaries")
    assert detect_unit([with_selections(stored, (7, 10))], "Tool X") == (
        Unit(False, True), "2 of 2 selection ends on word boundaries")
    assert detect_unit([with_selections(stored, (7, 10))], "NVivo 14") == (
        Unit(False, True), "2 of 2 selection ends on word boundaries")
    # a tie goes to the tool's unit, said so
    assert detect_unit([with_selections(stored, (0, 0))], "ATLAS.ti 23") == (
        Unit(True, True), 'from origin "ATLAS.ti 23", 2 of 2 selection ends on word boundaries')
    assert detect_unit([with_selections(stored, (0, 0))], "maxqda") == (
        Unit(True, True), 'from origin "maxqda", 2 of 2 selection ends on word boundaries')
    # a reading that puts an end beyond the text is out, whatever its other ends score
    assert detect_unit([with_selections(stored, (7, 10), (0, 18))], "Tool X")[0] == Unit(True, True)


def test_a_selection_from_the_start_of_the_text_starts_on_a_word_boundary() -> None:
    assert detect_unit([with_selections("one 🙂 two", (0, 3))], "Tool X") == (
        Unit(False, True), "2 of 2 selection ends on word boundaries")
    assert detect_unit([with_selections("one 🙂 two", (0, 8))], "Tool X") == (
        Unit(False, True), "1 of 2 selection ends on word boundaries")  # 8 is inside "two" in both units
    assert detect_unit([with_selections("one 🙂 two", (1, 3))], "Tool X") == (
        Unit(False, True), "1 of 2 selection ends on word boundaries")  # 1 is inside "one"


def test_a_reading_that_puts_a_position_beyond_the_text_loses_to_one_inside_a_word() -> None:
    # 5 is beyond "🙂🙂ab" in code points (4), and between "a" and "b" in UTF-16 code units (6)
    assert detect_unit([with_selections("🙂🙂ab", (5, 5))], "QualCoder") == (
        Unit(True, True), "0 of 2 selection ends on word boundaries")


def test_every_telling_source_counts_even_after_one_that_scores_nothing() -> None:
    undecided = with_selections("🙂abcdef", (3, 3))  # inside "abcdef" in every unit
    deciding = with_selections("🙂🙂 one two three", (9, 12))  # "two" in UTF-16 code units
    assert detect_unit([undecided, deciding], "Tool X") == (
        Unit(True, True), "2 of 4 selection ends on word boundaries")


def test_a_text_without_cr_or_emoji_tells_nothing_and_no_selection_tells_no_unit() -> None:
    plain = with_selections("one two", (0, 3))
    assert detect_unit([plain], "QualCoder") == (
        Unit(False, True), "the same in every unit: no CR or emoji in the text")
    assert detect_unit([plain], "NVivo 12") == (Unit(True, True), 'from origin "NVivo 12"')
    assert detect_unit([with_selections("a\r\nb")], "NVivo") == (None, "")
    unread = with_selections("a\r\nb", (0, 1))
    unread.stored = None
    assert detect_unit([unread], "NVivo") == (None, "")


def test_read_positions_are_code_points_and_one_beyond_the_text_is_the_selections_problem() -> None:
    stored = "🙂 Nobody\r\nstayed."
    uncoded = '<TextSource guid="s-0" name="first, uncoded" plainTextPath="internal://s-0.txt"/>'
    sources = uncoded + source(selection(3, 9, guid="p-1") + selection(11, 17, guid="p-2")
                               + selection(2, 99, guid="p-3"))
    read = read_project(archive({"project.qde": qde(sources, origin="NVivo 14"), "sources/s-0.txt": "🙂\r\n",
                                 "sources/s-1.txt": stored}), Path("."))
    refi.convert_positions(read)
    assert read.unit == Unit(True, True)
    assert read.unit_message.startswith("positions read as UTF-16 code units over the text with CRLF (from origin")
    got = [(s.start, s.end, s.problem) for s in read.sources[1].selections]
    assert got == [(2, 8, ""), (9, 15, ""), (0, 0, "its position 2-99 is beyond the end of the text")]
    assert read.sources[1].text[2:8] == "Nobody"


def test_an_import_lands_the_passages_and_memos_read_from_the_project(tmp_path: Path) -> None:
    notes = '<Notes><Note guid="n-1"><PlainTextContent>Check.</PlainTextContent></Note></Notes>'
    guid = "0b0e2f9e-5c1a-4d2b-8e3f-000000000001"  # a tool's own: kept, so the next export keeps it
    sources = source(selection(4, 14, 'creatingUser="u-1"', '<NoteRef targetGUID="n-1"/>', guid), name="Rosa.docx")
    path = tmp_path / "p.qdpx"
    path.write_bytes(archive({"project.qde": qde(sources, extra=notes), "sources/s-1.txt": TEXT}))
    workspace = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    try:
        report = import_file(workspace, path)
        (annotation,) = workspace.store.annotations.values()
        assert (annotation.quote, annotation.note, annotation.author, annotation.guid) == (
            "cartel men", "Check.", "Rosa", guid)
        assert report.written == [tmp_path / "db" / "imported" / "Rosa.txt"]
        with pytest.raises(ImportFileError, match=r"p\.qdpx: not a REFI-QDA project archive"):
            path.write_bytes(b"not a zip")
            import_file(workspace, path)
    finally:
        workspace.close()


def test_utf16_positions_count_two_only_for_characters_beyond_the_bmp() -> None:
    count = refi.Utf16Counter("\uffff\U00010000a\U0010ffffb")
    assert [count(offset) for offset in range(6)] == [0, 1, 3, 4, 6, 7]


# -- writing: what the reading side relies on ----------------------------------------------------

def test_dates_are_written_as_xs_datetime_whatever_form_they_were_kept_in() -> None:
    assert [refi.xs_datetime(value) for value in (None, "", "2026-03-01", "2026-03-01T10:00Z", "2026-03-01T10:00",
                                                  "2026-03-01T10:00+02:00", "2026-03-01T10:00:05-03:00")] == [
        None, None, "2026-03-01T00:00:00Z", "2026-03-01T10:00:00Z", "2026-03-01T10:00:00",
        "2026-03-01T10:00:00+02:00", "2026-03-01T10:00:05-03:00"]


def test_a_record_without_a_guid_gets_one_derived_from_its_kind_and_id(tmp_path: Path) -> None:
    import uuid
    from types import SimpleNamespace

    workspace = Workspace.open_database(tmp_path / "db" / "annotations.json", for_writing=True)
    try:
        guids = refi.Guids(workspace)
        theme = workspace.create_theme("Kept")
        assert guids.theme_id(theme.id) == theme.guid  # a theme's own
        assert guids.theme_id(404) == str(uuid.uuid5(guids.namespace, "theme:404"))  # one deleted since
        older = SimpleNamespace(guid="", id=7)
        assert guids.annotation(older) == str(uuid.uuid5(guids.namespace, "annotation:7"))
        assert guids.annotation(SimpleNamespace(guid="own", id=7)) == "own"
    finally:
        workspace.close()


def test_utf16_exports_count_positions_in_code_units(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    from tui.core.exporters import export

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("🙂🙂 cartel men came.\n", encoding="utf-8")
    workspace = Workspace.open([folder], database=tmp_path / "db" / "annotations.json", author="tester")
    try:
        document = workspace.documents[0]
        path = tmp_path / "p.jsonl"
        path.write_text('{"document_path": "corpus/a.txt", "start": 3, "end": 13, "quote": "cartel men", '
                        '"theme_names": ["Violence"], "note": "memo", "created": "2026-03-01"}', encoding="utf-8")
        assert import_file(workspace, path).imported == 1
        positions = {}
        for fmt in ("qdpx", "qdpx-utf16"):
            output, _ = export(workspace, fmt, tmp_path / f"{fmt}.qdpx")
            with zipfile.ZipFile(output) as bundle:
                root = ET.fromstring(bundle.read("project.qde"))
            (chosen,) = root.iter(f"{{{NS}}}PlainTextSelection")
            (note,) = root.iter(f"{{{NS}}}Note")
            assert note.get("creationDateTime") == "2026-03-01T00:00:00Z"  # never modified: when it was made
            positions[fmt] = (chosen.get("startPosition"), chosen.get("endPosition"))
        assert positions == {"qdpx": ("3", "13"), "qdpx-utf16": ("5", "15")}
        assert document.text[3:13] == "cartel men"
    finally:
        workspace.close()


def guids_of(data: dict | None, database: str = "/p/annotations.json") -> refi.Guids:
    """``Guids`` over a database file holding ``data`` (what ``Guids`` reads of a workspace)."""
    from types import SimpleNamespace

    storage = SimpleNamespace(read=lambda: data)
    store = SimpleNamespace(db=SimpleNamespace(storage=storage), documents={}, theme=lambda theme_id: None)
    return refi.Guids(SimpleNamespace(store=store, database_path=Path(database)))


def test_derived_guids_come_from_the_databases_identity_kind_and_id() -> None:
    import uuid

    from tui.core.codebook import Theme

    def namespace(identity: str) -> uuid.UUID:
        return uuid.uuid5(refi.GUID_NAMESPACE, f"margin:{identity}")

    assert guids_of({"meta": {"1": {"guid": "g-1", "created": "2026"}}}).namespace == namespace("g-1")
    assert guids_of({"meta": {"1": {"created": "2026"}}}).namespace == namespace("2026:/p/annotations.json")
    assert guids_of({}).namespace == namespace(":/p/annotations.json")
    assert guids_of(None).namespace == namespace(":/p/annotations.json")
    guids = guids_of({})
    assert guids.theme(Theme(3, "A", "#000000")) == str(uuid.uuid5(guids.namespace, "theme:3"))
    assert guids.theme(Theme(3, "A", "#000000", guid="own")) == "own"
    assert guids.document(5, Path("a.txt")) == str(uuid.uuid5(guids.namespace, "document:5"))
    assert guids.document(None, Path("/x/a.txt")) == str(uuid.uuid5(guids.namespace, "document:a.txt"))


def test_codes_nest_under_their_parents_and_one_whose_parent_is_gone_is_at_the_top() -> None:
    import xml.etree.ElementTree as ET
    from types import SimpleNamespace

    from tui.core.codebook import Theme

    top, child, orphan, grandchild = (Theme(1, "Top", "#000000"), Theme(2, "Child", "#000000", parent=1),
                                      Theme(3, "Orphan", "#000000", parent=99),
                                      Theme(4, "Grandchild", "#000000", parent=2))
    root = ET.Element("Codes")
    refi.code_elements(root, NS, [top, top, child, orphan, grandchild], SimpleNamespace(theme=lambda t: f"g-{t.id}"))

    def tree(element: ET.Element) -> list:
        return [(code.get("name"), tree(code)) for code in element.findall(f"{{{NS}}}Code")]

    assert tree(root) == [("Top", [("Child", [("Grandchild", [])])]), ("Orphan", [])]
