"""REFI-QDA exchange: a ``.qdpx`` project and a ``.qdc`` codebook, which ATLAS.ti, NVivo,
MAXQDA and QualCoder import.

Writing. A ``.qdpx`` is a zip of ``project.qde`` (QDA-XML, schema ``Project-mrt2019.xsd``) and
``sources/<guid>.txt``, each document's decoded text as UTF-8 with LF line ends.
``PlainTextSelection`` positions count code points from 0, end exclusive (the standard's
characters; Margin's offsets); ``qdpx-utf16`` counts UTF-16 code units for a tool that needs
them. Every document is written, coded or not; codes nest at any depth; a memo is both the
selection's ``Description`` (QualCoder reads that) and a ``Note`` it refers to (NVivo,
ATLAS.ti); each coder is a ``User``; documents' attributes are ``Variables`` and ``Cases``
(``case_elements``). GUIDs are the records' own (``Guids``); text is made XML-safe (``xml_safe``) and
dates ``xs:dateTime`` (``xs_datetime``), so the file is always well-formed and valid.

Reading (``read_project``, ``read_qdc``) takes the codes with their place at any depth
(``ThemeSpec.path``) and GUIDs, users, text sources (from ``sources/`` in any case; the one
``*.qde`` whatever its name) and their coded selections with memos, and checks all of it
(positions, dates, code and variable references) before the importer writes anything.
Positions are converted from the unit the project counts in (``detect_unit``, ``Positions``).
Cases and variables are read as values per case and per source (``Project.cases``,
``ProjectSource.attributes``), which the importer makes attributes. What Margin cannot keep
yet (sets, PDF and media selections, project notes) is counted (``Project.not_kept``). The
XML is parsed with the standard library's expat, which refuses entity-expansion bombs;
archive members are expanded within caps (a zip bomb stops there).
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
import zlib
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote

from .attributes import attribute_names
from .codebook import Theme, ThemeSpec
from .import_records import RecordError, check_date, check_name
from .merging import coders_of
from .progress import Progress
from .store import Annotation
from .text import normalise_newlines, one_line
from .workspace import Workspace

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("6f1d3c2e-8a5b-4f7e-9c1d-2b3a4c5d6e7f")
NAME_CHARS = 60


class Guids:
    """The GUIDs of an export: each theme's, document's and annotation's own (``guid`` in its
    record: random when it was made, or the GUID of the project it was imported from), so the
    same object keeps its GUID across exports and no two projects share one. A record from an
    older database that has none gets one derived from the database's own identity (its
    ``guid``, else its creation time and file) and its id: stable across exports, without
    writing to a database an export only reads. Codings, notes and users derive theirs."""

    def __init__(self, workspace: Workspace) -> None:
        self.store = workspace.store
        data = self.store.db.storage.read() or {}
        meta = next(iter(data.get("meta", {}).values()), {})
        identity = meta.get("guid") or f"{meta.get('created', '')}:{workspace.database_path}"
        self.namespace = uuid.uuid5(GUID_NAMESPACE, f"margin:{identity}")

    def derived(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}"))

    def theme(self, theme: Theme) -> str:
        return theme.guid or self.derived("theme", theme.id)

    def theme_id(self, theme_id: int) -> str:
        theme = self.store.theme(theme_id)
        return self.theme(theme) if theme is not None else self.derived("theme", theme_id)

    def document(self, document_id: int | None, path: Path) -> str:
        stored = self.store.documents.get(document_id) if document_id is not None else None
        if stored is not None and stored.guid:
            return stored.guid
        return self.derived("document", document_id if document_id is not None else path.name)

    def annotation(self, annotation: Annotation) -> str:
        return annotation.guid or self.derived("annotation", annotation.id)

    def user(self, author: str) -> str:
        return self.derived("user", author)

    @staticmethod
    def of(owner: str, kind: str) -> str:
        """A GUID that belongs to another (a coding to its selection and code, a memo to its
        selection): the same each time, unlike any other."""
        return str(uuid.uuid5(uuid.UUID(owner), kind))


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 can hold: a control character (other than tab and line ends), a lone
    surrogate or U+FFFE/U+FFFF (from a PDF, a paste, an imported name) becomes U+FFFD, so
    the file is always well-formed."""
    return _NOT_XML.sub("\ufffd", text)


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_NO_SECONDS = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})?")


def xs_datetime(value: str | None) -> str | None:
    """A date as ``xs:dateTime`` (a time is required, seconds too): an imported
    ``2026-03-01`` or ``2026-03-01T10:00Z`` is written ``2026-03-01T00:00:00Z`` and
    ``2026-03-01T10:00:00Z``; none is left out."""
    if not value:
        return None
    if _DATE_ONLY.fullmatch(value):
        return f"{value}T00:00:00Z"
    if match := _NO_SECONDS.fullmatch(value):
        return f"{match.group(1)}:00{match.group(2) or ''}"
    return value


def attributes(**values: str | None) -> dict[str, str]:
    """XML attributes, made XML-safe, those without a value left out."""
    return {name: xml_safe(value) for name, value in values.items() if value is not None}


def code_elements(parent: ET.Element, ns: str, themes: list[Theme], guids: Guids) -> None:
    """``Code`` elements, each theme's children nested inside it, at any depth."""
    ids = {theme.id for theme in themes}
    children: dict[int, list[Theme]] = {}
    for theme in themes:
        if theme.parent in ids:
            children.setdefault(theme.parent, []).append(theme)
    tops = [t for t in themes if t.parent is None or t.parent not in ids]
    stack = [(parent, top) for top in reversed(tops)]
    done: set[int] = set()
    while stack:
        element, theme = stack.pop()
        if theme.id in done:
            continue
        done.add(theme.id)
        code = code_element(element, ns, theme, guids)
        stack += [(code, child) for child in reversed(children.get(theme.id, []))]


_NOT_IN_A_NAME = re.compile("[\x7f-\x9f]")


def code_element(parent: ET.Element, ns: str, theme: Theme, guids: Guids) -> ET.Element:
    """A ``Code``; a control character XML allows (DEL, C1) in a name from an older database
    becomes U+FFFD too, as the others do, since an import refuses names holding one."""
    name = _NOT_IN_A_NAME.sub("\ufffd", theme.name)
    code = ET.SubElement(parent, f"{{{ns}}}Code", attributes(guid=guids.theme(theme), name=name,
                                                            isCodable="true", color=theme.color))
    if theme.description:
        ET.SubElement(code, f"{{{ns}}}Description").text = xml_safe(theme.description)
    return code


def to_qdc(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """The codebook alone (``annotations`` are not part of it; it is quick, so no progress)."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin="Margin")
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    code_elements(codes, CODEBOOK_NS, workspace.themes, Guids(workspace))
    return xml_bytes(root, CODEBOOK_NS)


def to_qdpx(workspace: Workspace, annotations: list[Annotation], progress: Progress,
            utf16: bool = False) -> bytes:
    """The project: users, codebook, every document (coded or not) with its coded selections,
    and memos (in each selection's ``Description``, which QualCoder reads, and as a ``Note``
    it refers to, which NVivo and ATLAS.ti read). Positions count code points, as the
    standard's characters; ``utf16`` counts UTF-16 code units instead, for a tool that reads
    them so (the sources are written with LF line ends, so CRs never count)."""
    q = f"{{{PROJECT_NS}}}"
    guids = Guids(workspace)
    root = ET.Element(f"{q}Project", attributes(name=workspace.database_path.stem, origin="Margin"))
    authors = sorted({coder for a in annotations for coder in coders(a)})
    users = ET.SubElement(root, f"{q}Users")
    for author in authors or ["unknown"]:
        ET.SubElement(users, f"{q}User", attributes(guid=guids.user(author), name=author))
    codes = ET.SubElement(ET.SubElement(root, f"{q}CodeBook"), f"{q}Codes")
    code_elements(codes, PROJECT_NS, workspace.themes, guids)
    ids = {document.key: workspace.store.document_id(document.path) for document in workspace.documents}
    case_elements(root, workspace, guids, ids)

    coded_in: dict[int, list[Annotation]] = {}
    for annotation in annotations:
        if not annotation.orphaned:
            coded_in.setdefault(annotation.document, []).append(annotation)
    progress.expect(sum(len(coded_in.get(document_id, ())) for document_id in ids.values()))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        sources = ET.SubElement(root, f"{q}Sources") if workspace.documents else None  # never empty (XSD)
        notes: list[Annotation] = []
        for document in workspace.documents:
            document_id = ids[document.key]
            coded = sorted(coded_in.get(document_id, []), key=lambda a: (a.start, a.end, a.id))
            source_guid = guids.document(document_id, document.path)
            source = ET.SubElement(sources, f"{q}TextSource", attributes(
                guid=source_guid, name=document.title, plainTextPath=f"internal://{source_guid}.txt"))
            bundle.writestr(member(f"sources/{source_guid}.txt"), document.text.encode("utf-8"))
            count = Utf16Counter(document.text) if utf16 else None
            for annotation in progress.track(coded):
                selection_element(source, annotation, guids, count)
                if annotation.note:
                    notes.append(annotation)
        if notes:
            notes_element = ET.SubElement(root, f"{q}Notes")
            for annotation in notes:
                note = ET.SubElement(notes_element, f"{q}Note", attributes(
                    guid=Guids.of(guids.annotation(annotation), "memo"),
                    name=f"Memo: {one_line(annotation.quote, NAME_CHARS)}",
                    creatingUser=guids.user(coders(annotation)[0]),
                    creationDateTime=xs_datetime(annotation.modified or annotation.created)))
                ET.SubElement(note, f"{q}PlainTextContent").text = xml_safe(annotation.note)
        bundle.writestr(member("project.qde"), xml_bytes(root, PROJECT_NS))
    return archive.getvalue()


_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_date(value: str) -> bool:
    try:
        return bool(_DATE.fullmatch(value)) and bool(date.fromisoformat(value))
    except ValueError:
        return False


VARIABLE_TYPES = (  # the narrowest REFI-QDA type every value of an attribute fits, and its element
    ("Boolean", "BooleanValue", lambda value: value in ("true", "false")),
    ("Integer", "IntegerValue", _INTEGER.fullmatch),
    ("Float", "FloatValue", _DECIMAL.fullmatch),
    ("Date", "DateValue", _is_date),
)


def variable_type(values: list[str]) -> tuple[str, str]:
    """The ``typeOfVariable`` and value element for an attribute's values, written as they
    are (``007`` is Text, not 7; ``True`` is Text: a round trip changes no value)."""
    for kind, element, fits in VARIABLE_TYPES:
        if values and all(fits(value) for value in values):
            return kind, element
    return "Text", "TextValue"


def case_elements(root: ET.Element, workspace: Workspace, guids: Guids, ids: dict[str, int | None]) -> None:
    """The documents' attributes (``attributes.csv``) as ``Variables`` (one per attribute)
    and ``Cases`` (one per document with any, named after its file, its values and a
    ``SourceRef`` to its source), as NVivo holds a case per interview."""
    q = f"{{{PROJECT_NS}}}"
    names = attribute_names(workspace.documents)
    if not names:
        return
    values = [{key.casefold(): value for key, value in document.attributes.items()}
              for document in workspace.documents]
    types = {name: variable_type([v[name.casefold()] for v in values if name.casefold() in v])
             for name in names}
    variables = ET.SubElement(root, f"{q}Variables")
    variable_guids = {}
    for name in names:
        variable_guids[name] = guids.derived("variable", name.casefold())
        ET.SubElement(variables, f"{q}Variable", attributes(guid=variable_guids[name], name=name,
                                                          typeOfVariable=types[name][0]))
    cases = ET.SubElement(root, f"{q}Cases")
    for document, folded_values in zip(workspace.documents, values, strict=True):
        if not folded_values:
            continue
        source_guid = guids.document(ids[document.key], document.path)
        case = ET.SubElement(cases, f"{q}Case", attributes(guid=Guids.of(source_guid, "case"),
                                                          name=document.path.name))
        for name in names:
            if name.casefold() in folded_values:
                value = ET.SubElement(case, f"{q}VariableValue")
                ET.SubElement(value, f"{q}VariableRef", targetGUID=variable_guids[name])
                ET.SubElement(value, f"{q}{types[name][1]}").text = xml_safe(folded_values[name.casefold()])
        ET.SubElement(case, f"{q}SourceRef", targetGUID=source_guid)


def member(name: str) -> zipfile.ZipInfo:
    """An archive member dated 1980-01-01 (the zip epoch), not the moment it was written, so the
    same database exports the same bytes (two exports a second apart used to differ)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def to_qdpx_utf16(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """``to_qdpx`` with positions in UTF-16 code units (``--format qdpx-utf16``)."""
    return to_qdpx(workspace, annotations, progress, utf16=True)


class Utf16Counter:
    """Code point offsets of one text as UTF-16 code unit offsets."""

    def __init__(self, text: str) -> None:
        self.astral = [index for index, char in enumerate(text) if ord(char) > 0xFFFF]

    def __call__(self, offset: int) -> int:
        return offset + bisect_right(self.astral, offset - 1)


def coders(annotation: Annotation) -> list[str]:
    """Who coded an annotation, each a ``User``: the coders a merged annotation credits
    (``"ana, ben"``, ``merging.coders_of``), else ``unknown``."""
    return coders_of(annotation.author) or ["unknown"]


def selection_element(source: ET.Element, annotation: Annotation, guids: Guids,
                      count: Utf16Counter | None = None) -> None:
    """A ``PlainTextSelection`` created by its first coder, with a ``Coding`` per theme and
    coder (each ``creatingUser``), so every coder a merged annotation credits is there and
    the import credits them again."""
    q = f"{{{PROJECT_NS}}}"
    credited = coders(annotation)
    user = guids.user(credited[0])
    own = guids.annotation(annotation)
    start, end = annotation.start, annotation.end
    if count is not None:
        start, end = count(start), count(end)
    created = xs_datetime(annotation.created)
    selection = ET.SubElement(source, f"{q}PlainTextSelection", attributes(
        guid=own, name=one_line(annotation.quote, NAME_CHARS), startPosition=str(start), endPosition=str(end),
        creatingUser=user, creationDateTime=created, modifyingUser=user if annotation.modified else None,
        modifiedDateTime=xs_datetime(annotation.modified)))
    if annotation.note:
        ET.SubElement(selection, f"{q}Description").text = xml_safe(annotation.note)
    for theme_id in annotation.themes:
        theme_guid = guids.theme_id(theme_id)
        for number, coder in enumerate(credited):
            kind = f"coding:{theme_guid}" + (f":{coder}" if number else "")
            coding = ET.SubElement(selection, f"{q}Coding", attributes(
                guid=Guids.of(own, kind), creatingUser=guids.user(coder), creationDateTime=created))
            ET.SubElement(coding, f"{q}CodeRef", targetGUID=theme_guid)
    if annotation.note:
        ET.SubElement(selection, f"{q}NoteRef", targetGUID=Guids.of(own, "memo"))


def xml_bytes(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# -- reading a project back ------------------------------------------------------------------

class ProjectError(Exception):
    """The file is not a REFI-QDA project Margin can read; the message says why and where."""


MAX_MEMBER_BYTES = 256 * 2**20  # one file inside the archive, expanded
MAX_EXPANDED_BYTES = 1024 * 2**20  # everything read from the archive, expanded


@dataclass
class ProjectSelection:
    """A coded selection; ``start``/``end`` are as the project wrote them until
    ``read_project`` converts them to code points over the source's text (``problem`` says
    why that could not be done: a position beyond the end of the text)."""

    start: int
    end: int
    codes: list[str]  # code names
    note: str
    author: str
    created: str | None
    modified: str | None
    problem: str = ""
    code_keys: list[tuple[str, ...]] = field(default_factory=list)  # each code's ThemeSpec.key: where it sits
    guid: str = ""


@dataclass
class ProjectSource:
    """A text source: its name, its plain text (None when not read), selections, and the file
    outside the archive that holds its text (``relative://``/``absolute://``), which the
    importer reads only if that file is inside the project (``importers.Confinement``)."""

    name: str
    text: str | None
    problem: str
    selections: list[ProjectSelection]
    outside: Path | None = None
    location: str = ""
    stored: str | None = None  # the text as the archive holds it (BOM gone, CRs kept): what positions count
    guid: str = ""
    attributes: dict[str, str] = field(default_factory=dict)  # its own VariableValues: variable name → value


@dataclass
class ProjectCase:
    """A REFI-QDA ``Case``: its name, its variables' values (name → value) and the GUIDs of
    the sources it holds (NVivo: usually one; a case may hold several, or none)."""

    name: str
    values: dict[str, str]
    sources: list[str]


@dataclass
class Project:
    """``codes`` depth first, parents first, each with its ``path`` (ancestors' names)."""

    codes: list[ThemeSpec]
    sources: list[ProjectSource]
    origin: str = ""
    unit: Unit | None = None  # how the project counted positions (None: no selection to tell by)
    unit_reason: str = ""
    not_kept: dict[str, int] = field(default_factory=dict)  # what Margin cannot keep yet, counted
    cases: list[ProjectCase] = field(default_factory=list)  # made attributes: importers.write_case_attributes

    @property
    def unit_message(self) -> str:
        return f"positions read as {self.unit.label} ({self.unit_reason})" if self.unit else ""

    @property
    def not_kept_message(self) -> str:
        return "not kept (Margin cannot hold them yet): " + ", ".join(
            f"{count} {what}" for what, count in self.not_kept.items()) if self.not_kept else ""


_COLOR = re.compile("#[0-9A-Fa-f]{6}")
MAX_CODE_DEPTH = 64  # codes within codes: every code keeps its ancestors' names, so depth costs depth²
_POSITION = re.compile("[0-9]{1,15}")


class _Archive:
    """The zip, read member by member within the caps: a member's declared size can lie, so
    at most the cap plus one byte is ever expanded (a zip bomb stops there)."""

    def __init__(self, bundle: zipfile.ZipFile) -> None:
        self.bundle = bundle
        self.expanded = 0
        self.qde = "project.qde"
        self.folded: dict[str, str] = {}
        for name in bundle.namelist():  # the first of names that differ only in case
            self.folded.setdefault(name.casefold(), name)

    def source(self, name: str) -> bytes:
        """``sources/<name>``, the folder in any case (NVivo and older QualCoder write
        ``Sources/``); KeyError if absent."""
        member = f"sources/{name}"
        if member not in self.bundle.NameToInfo:
            member = self.folded.get(member.casefold(), member)
        return self.read(member)

    def read(self, name: str) -> bytes:
        with self.bundle.open(name) as member:
            data = member.read(MAX_MEMBER_BYTES + 1)
        if len(data) > MAX_MEMBER_BYTES:
            raise ProjectError(f"{name} expands to more than {MAX_MEMBER_BYTES // 2**20} MB, "
                               "the most Margin reads from one archive member")
        self.expanded += len(data)
        if self.expanded > MAX_EXPANDED_BYTES:
            raise ProjectError(f"the archive expands to more than {MAX_EXPANDED_BYTES // 2**20} MB, "
                               "the most Margin reads from one project")
        return data


# -- position units -------------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """How a tool counts ``startPosition``/``endPosition``: in code points (QualCoder, Margin,
    Taguette: Python) or UTF-16 code units (NVivo, ATLAS.ti, MAXQDA: .NET/Qt strings, where an
    emoji counts 2), over the text as stored with its CRs (``crlf``; CRLF counts 2) or with
    line ends made LF (CRLF counts 1). A byte-order mark never counts."""

    utf16: bool
    crlf: bool

    @property
    def label(self) -> str:
        what = "UTF-16 code units" if self.utf16 else "code points"
        return f"{what} over the text with {'CRLF' if self.crlf else 'LF'}"


CODE_POINTS = Unit(utf16=False, crlf=False)
UNITS = (Unit(False, True), Unit(True, True), Unit(False, False), Unit(True, False))
UTF16_TOOLS = ("nvivo", "atlas", "maxqda")  # .NET and Qt tools: positions in UTF-16 code units
_SPECIAL = re.compile("[\r\U00010000-\U0010FFFF]")


class Positions:
    """Positions in ``unit`` over ``stored`` (a source's text as stored, BOM gone) as code
    points over Margin's text of it (``normalise_newlines``). Only the characters whose
    widths differ (CR, characters beyond the BMP) are recorded, so a long text with few of
    them costs little; a position is converted by bisection."""

    def __init__(self, stored: str, unit: Unit) -> None:
        self.starts: list[int] = []
        self.widths: list[tuple[int, int, int]] = []  # (margin position, unit width, margin width)
        units = margin = last = 0
        for match in _SPECIAL.finditer(stored):
            index = match.start()
            units += index - last
            margin += index - last
            if stored[index] == "\r":
                pair = stored.startswith("\n", index + 1)
                unit_width, margin_width = (1 if unit.crlf or not pair else 0), (0 if pair else 1)
            else:
                unit_width, margin_width = (2 if unit.utf16 else 1), 1
            self.starts.append(units)
            self.widths.append((margin, unit_width, margin_width))
            units += unit_width
            margin += margin_width
            last = index + 1
        self.length = units + len(stored) - last

    def __call__(self, position: int) -> int | None:
        """The code point offset, or None beyond the end. A position inside a character (half
        of a surrogate pair) falls to that character's start."""
        if position > self.length:
            return None
        k = bisect_right(self.starts, position) - 1
        if k < 0:
            return position
        margin, unit_width, margin_width = self.widths[k]
        at = self.starts[k]
        if position < at + unit_width:
            return margin
        return margin + margin_width + position - at - unit_width


def to_codepoints(text_as_stored: str, position: int, unit: Unit) -> int | None:
    """One position counted in ``unit`` over ``text_as_stored`` as a code point offset into
    Margin's text of it (CRLF made LF); None if it is beyond the end."""
    return Positions(text_as_stored.removeprefix("\ufeff"), unit)(position)


def _on_boundary(text: str, offset: int) -> bool:
    return (offset <= 0 or offset >= len(text) or not text[offset - 1].isalnum()
            or not text[offset].isalnum())


def detect_unit(sources: list[ProjectSource], origin: str) -> tuple[Unit | None, str]:
    """The reading of the project's positions that lands most selection ends on word
    boundaries (a reading that puts any beyond its text is out), ties going to the unit the
    ``origin`` tool writes (UTF-16 for NVivo, ATLAS.ti, MAXQDA), then to code points over the
    stored text. Only sources whose readings differ (a CR or an emoji) are telling."""
    named = any(tool in origin.casefold() for tool in UTF16_TOOLS)
    preferred = [unit for unit in UNITS if unit.utf16] if named else []
    order = [*preferred, *[unit for unit in UNITS if unit not in preferred]]
    telling = [s for s in sources if s.stored is not None and s.selections and _SPECIAL.search(s.stored)]
    selections = sum(len(s.selections) for s in sources if s.stored is not None)
    if not selections:
        return None, ""
    if not telling:
        unit = order[0]
        same = "the same in every unit: no CR or emoji in the text"
        return unit, f'from origin "{origin}"' if preferred else same
    scores = {}
    for unit in order:
        score = 0
        for source in telling:
            positions, text = Positions(source.stored, unit), source.text or ""
            for selection in source.selections:
                start, end = positions(selection.start), positions(selection.end)
                if start is None or end is None:
                    score = -1
                    break
                score += _on_boundary(text, start) + _on_boundary(text, end)
            if score < 0:
                break
        scores[unit] = score
    best = max(order, key=lambda unit: (scores[unit], -order.index(unit)))
    ends = 2 * sum(len(s.selections) for s in telling)
    how = f"{scores[best]} of {ends} selection ends on word boundaries"
    return best, (f'from origin "{origin}", {how}' if best in preferred else how)


def convert_positions(project: Project) -> None:
    """Every selection's positions in code points over its source's text, in the unit
    ``detect_unit`` finds; a position beyond the text makes the selection's ``problem``."""
    project.unit, project.unit_reason = detect_unit(project.sources, project.origin)
    for source in project.sources:
        if source.stored is None or not source.selections:
            continue
        positions = Positions(source.stored, project.unit or CODE_POINTS)
        for selection in source.selections:
            start, end = positions(selection.start), positions(selection.end)
            if start is None or end is None:
                selection.problem = (f"its position {selection.start}-{selection.end} is beyond the end of "
                                     "the text")
                selection.start = selection.end = 0
            else:
                selection.start, selection.end = start, end


# -- reading a project ----------------------------------------------------------------------

NOT_KEPT = {  # what a project may hold that Margin cannot keep yet, by element
    "PDFSource": "PDF sources", "PictureSource": "picture sources", "AudioSource": "audio sources",
    "VideoSource": "video sources", "PDFSelection": "PDF selections",
    "PictureSelection": "picture selections",
    "AudioSelection": "audio selections", "VideoSelection": "video selections",
    "TranscriptSelection": "transcript selections", "Set": "sets", "Graph": "graphs", "Link": "links",
}


def project_member(names: list[str]) -> str:
    """The project file in the archive: ``project.qde``, else its only ``*.qde`` (ATLAS.ti
    names it after the project)."""
    if "project.qde" in names:
        return "project.qde"
    found = [name for name in names if name.casefold().endswith(".qde") and not name.endswith("/")]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ProjectError("not a REFI-QDA project archive (no .qde project file in it)")
    raise ProjectError(f"the archive holds {len(found)} .qde project files ({', '.join(found[:3])}); "
                       "Margin reads one")


def read_project(data: bytes, folder: Path) -> Project:
    """Parse and check a whole ``.qdpx`` archive; raise ``ProjectError`` at the first element
    that is wrong. Sources are read from the archive (``internal://``, in ``sources/`` in any
    case: NVivo writes ``Sources/``); a ``relative://`` (to ``folder``) or ``absolute://``
    source is only located here, never read. Positions are converted to code points
    (``convert_positions``) for the sources read here; ``importers`` converts the others
    once it has read them."""
    q = f"{{{PROJECT_NS}}}"
    archive = None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            archive = _Archive(bundle)
            qde = project_member(bundle.namelist())
            archive.qde = qde
            root = ET.fromstring(archive.read(qde))
            if root.tag != f"{q}Project":
                raise ProjectError(f"{qde} holds {root.tag}, not a REFI-QDA Project")
            users = {user.get("guid"): user.get("name", "") for user in root.iter(f"{q}User")}
            notes = {note.get("guid"): note.findtext(f"{q}PlainTextContent", "") for note in root.iter(f"{q}Note")}
            codes_element = root.find(f"{q}CodeBook/{q}Codes")
            codes, names = read_codes(codes_element, q, "project.qde")
            variables = read_variables(root, q)
            sources = [
                _source(element, archive, folder, users, notes, names, variables)
                for element in root.iterfind(f"{q}Sources/{q}TextSource")
            ]
            project = Project(codes, sources, origin=root.get("origin", ""), cases=[
                ProjectCase(case.get("name", ""), variable_values(case, variables, q),
                            [ref.get("targetGUID", "") for ref in case.iterfind(f"{q}SourceRef")])
                for case in root.iterfind(f"{q}Cases/{q}Case")])
            referenced = {ref.get("targetGUID") for ref in root.iter(f"{q}NoteRef")}
            unreferenced = sum(1 for guid_ in notes if guid_ not in referenced)
            counts = {what: sum(1 for _ in root.iter(f"{q}{tag}")) for tag, what in NOT_KEPT.items()}
            if unreferenced:
                counts["project notes (memos on no selection)"] = unreferenced
            project.not_kept = {what: count for what, count in counts.items() if count}
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as error:  # corrupt, odd, encrypted
        raise ProjectError(f"not a REFI-QDA project archive ({error})") from None
    except ET.ParseError as error:
        raise ProjectError(f"{archive.qde} is not well-formed XML ({error})") from None
    except ProjectError as error:  # the helpers name the usual file; say which it was
        message = str(error)
        if archive is not None and archive.qde != "project.qde" and message.startswith("project.qde:"):
            raise ProjectError(archive.qde + message.removeprefix("project.qde")) from None
        raise
    return project


def read_codes(codes_element: ET.Element | None, q: str, where: str
               ) -> tuple[list[ThemeSpec], dict[str, ThemeSpec]]:
    """The codebook depth first, each code with its ancestors' names (``path``: its place at
    any depth) and its parent's, and the codes by GUID."""
    codes: list[ThemeSpec] = []
    by_guid: dict[str, ThemeSpec] = {}

    tops = codes_element.findall(f"{q}Code") if codes_element is not None else []
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [(code, ()) for code in reversed(tops)]
    while stack:  # depth first, parents before children, without recursion (a file may nest deep)
        code, path = stack.pop()
        if len(path) >= MAX_CODE_DEPTH:
            raise ProjectError(f"{where}: {_element(code)}: codes nested more than {MAX_CODE_DEPTH} deep")
        name = code.get("name", "")
        if not name.strip():
            raise ProjectError(f"{where}: {_element(code)}: a code needs a name")
        try:
            check_name(name)
        except RecordError as error:
            raise ProjectError(f"{where}: {_element(code)}: {error}") from None
        name = " ".join(name.split())
        color = code.get("color")
        spec = ThemeSpec(name=name, color=color if color and _COLOR.fullmatch(color) else None,
                         description=code.findtext(f"{q}Description", ""),
                         parent=path[-1] if path else None, path=path, guid=code.get("guid") or "")
        by_guid[code.get("guid")] = spec
        codes.append(spec)
        stack += [(child, (*path, name)) for child in reversed(code.findall(f"{q}Code"))]
    return codes, by_guid


def read_variables(root: ET.Element, q: str) -> dict[str, str]:
    """The project's variables' names by GUID (an attribute each, whatever its type: a CSV
    cell is text)."""
    variables = {}
    for variable in root.iterfind(f"{q}Variables/{q}Variable"):
        name = " ".join(variable.get("name", "").split())
        if not name:
            raise ProjectError(f"project.qde: {_element(variable)}: a variable needs a name")
        try:
            check_name(name)
        except RecordError as error:
            raise ProjectError(f"project.qde: {_element(variable)}: {error}") from None
        variables[variable.get("guid", "")] = name
    return variables


def variable_values(owner: ET.Element, variables: dict[str, str], q: str) -> dict[str, str]:
    """A case's (or a source's) ``VariableValue``s: variable name → the value as text, empty
    ones left out (no value); a reference to a variable the project lacks is malformed."""
    values: dict[str, str] = {}
    for element in owner.iterfind(f"{q}VariableValue"):
        ref = element.find(f"{q}VariableRef")
        target = ref.get("targetGUID") if ref is not None else None
        if target not in variables:
            raise ProjectError(f"project.qde: {_element(owner)}: a VariableValue refers to a variable the project "
                               f"does not define ({target})")
        value = next(((child.text or "") for child in element if child is not ref), "")
        value = value.strip()
        if value:
            values.setdefault(variables[target], value)
    return values


def read_qdc(data: bytes) -> list[ThemeSpec]:
    """A ``.qdc`` codebook's codes, depth first, checked whole (``ProjectError`` names the
    element). MAXQDA, NVivo, ATLAS.ti and Taguette write ``CodeBook`` in the codebook
    namespace; one in the project namespace is read too."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ProjectError(f"not well-formed XML ({error})") from None
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if root.tag.rpartition("}")[2] != "CodeBook" or namespace not in (CODEBOOK_NS, PROJECT_NS):
        raise ProjectError(f"holds {root.tag}, not a REFI-QDA CodeBook")
    q = f"{{{namespace}}}"
    codes, _ = read_codes(root.find(f"{q}Codes"), q, "CodeBook")
    return codes


def _element(element: ET.Element) -> str:
    """How a message names an element: its tag and GUID, as another tool's user can find it."""
    tag = element.tag.rpartition("}")[2]
    return f'{tag} "{element.get("guid")}"' if element.get("guid") else tag


def _attribute_date(element: ET.Element, attribute: str) -> str | None:
    value = element.get(attribute)
    try:
        check_date(value, attribute)
    except RecordError as error:
        raise ProjectError(f"project.qde: {_element(element)}: {error}") from None
    return value


def _position(element: ET.Element, attribute: str) -> int:
    value = element.get(attribute, "")
    if not _POSITION.fullmatch(value):
        raise ProjectError(f'project.qde: {_element(element)}: {attribute} must be a non-negative integer, '
                           f'got "{value[:40]}"')
    return int(value)


def _source(element: ET.Element, archive: _Archive, folder: Path, users: dict, notes: dict,
            names: dict, variables: dict[str, str]) -> ProjectSource:
    q = f"{{{PROJECT_NS}}}"
    name = element.get("name", "")
    selections = []
    for selection in element.iterfind(f"{q}PlainTextSelection"):
        start, end = _position(selection, "startPosition"), _position(selection, "endPosition")
        if start > end:
            raise ProjectError(f"project.qde: {_element(selection)}: endPosition ({end}) is before "
                               f"startPosition ({start})")
        codes = []
        for ref in selection.iterfind(f"{q}Coding/{q}CodeRef"):
            if ref.get("targetGUID") not in names:
                raise ProjectError(f"project.qde: {_element(selection)}: CodeRef to a code the project does "
                                   f"not define ({ref.get('targetGUID')})")
            codes.append(names[ref.get("targetGUID")])
        memo = [notes.get(ref.get("targetGUID"), "") for ref in selection.iterfind(f"{q}NoteRef")]
        memo.insert(0, selection.findtext(f"{q}Description", ""))
        selections.append(ProjectSelection(
            start=start, end=end, codes=[code.name for code in codes], code_keys=[code.key for code in codes],
            guid=selection.get("guid") or "",
            note="\n\n".join(dict.fromkeys(part for part in memo if part)),  # Margin writes both: once
            author=", ".join(dict.fromkeys(name for name in (
                users.get(element.get("creatingUser"), "") for element in
                (selection, *selection.iterfind(f"{q}Coding"))) if name)),  # every coder credited
            created=_attribute_date(selection, "creationDateTime"),
            modified=_attribute_date(selection, "modifiedDateTime"),
        ))
    location = element.get("plainTextPath", "")
    scheme, _, rest = location.partition("://")
    source = ProjectSource(name, None, "", selections, location=location, guid=element.get("guid") or "",
                           attributes=variable_values(element, variables, q))
    if scheme == "internal":
        try:
            source.stored, source.problem = decoded_as_stored(archive.source(unquote(rest)), location)
            source.text = None if source.stored is None else normalise_newlines(source.stored)
        except KeyError:
            source.problem = f"{location} is missing from the archive"
    elif scheme in ("relative", "absolute"):
        source.outside = folder / unquote(rest) if scheme == "relative" else Path(unquote(rest))
    else:
        source.problem = "no plain text in the project (only rich text, which Margin does not read)"
    return source


def decoded_as_stored(data: bytes, location: str) -> tuple[str | None, str]:
    """A source's plain text as stored (UTF-8, as the standard says; the BOM gone, CRs
    kept), or None and why not."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return None, f"{location} is not UTF-8 text"


def decoded(data: bytes, location: str) -> tuple[str | None, str]:
    """A source's plain text as Margin reads it (line ends made LF), or None and why not."""
    stored, problem = decoded_as_stored(data, location)
    return (None if stored is None else normalise_newlines(stored)), problem
