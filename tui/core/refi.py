"""REFI-QDA exchange: a ``.qdpx`` project and a ``.qdc`` codebook, which ATLAS.ti, NVivo,
MAXQDA and QualCoder import.

A ``.qdpx`` is a zip of ``project.qde`` (QDA-XML, schema ``Project-mrt2019.xsd``) and
``sources/<guid>.txt``, each document's decoded text as UTF-8; ``PlainTextSelection``
positions count code points from 0, end exclusive, exactly Margin's offsets. Memos become
notes referenced from their selection. GUIDs are derived from Margin's ids (uuid5), so the
same database exports the same GUIDs every time.

Reading a project back (``read_project``) takes its codes (nesting folded to Margin's one
level), users, text sources and their coded selections with memos, and checks all of it
(positions, dates, code references) before the importer writes anything. The XML is parsed
with the standard library's expat, which refuses entity-expansion bombs; archive members are
expanded within caps (a zip bomb stops at the cap).
"""

from __future__ import annotations

import io
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .codebook import Theme, ThemeSpec
from .import_records import RecordError, check_date
from .progress import Progress
from .store import Annotation
from .text import normalise_newlines, one_line
from .workspace import Workspace

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("6f1d3c2e-8a5b-4f7e-9c1d-2b3a4c5d6e7f")
NAME_CHARS = 60


def guid(kind: str, key: object) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, f"margin:{kind}:{key}"))


def code_elements(parent: ET.Element, ns: str, themes: list[Theme]) -> None:
    """``Code`` elements, each group's children nested inside their parent."""
    ids = {theme.id for theme in themes}
    for top in [t for t in themes if t.parent is None or t.parent not in ids]:
        code = code_element(parent, ns, top)
        for child in [t for t in themes if t.parent == top.id]:
            code_element(code, ns, child)


def code_element(parent: ET.Element, ns: str, theme: Theme) -> ET.Element:
    code = ET.SubElement(parent, f"{{{ns}}}Code", guid=guid("theme", theme.id), name=theme.name,
                         isCodable="true", color=theme.color)
    if theme.description:
        ET.SubElement(code, f"{{{ns}}}Description").text = theme.description
    return code


def to_qdc(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """The codebook alone (``annotations`` are not part of it; it is quick, so no progress)."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin="Margin")
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    code_elements(codes, CODEBOOK_NS, workspace.themes)
    return xml_bytes(root, CODEBOOK_NS)


def to_qdpx(workspace: Workspace, annotations: list[Annotation], progress: Progress) -> bytes:
    """The project: users, codebook, sources with their coded selections, and memos."""
    q = f"{{{PROJECT_NS}}}"
    root = ET.Element(f"{q}Project", name=workspace.database_path.stem, origin="Margin")
    authors = sorted({a.author or "unknown" for a in annotations})
    users = ET.SubElement(root, f"{q}Users")
    for author in authors or ["unknown"]:
        ET.SubElement(users, f"{q}User", guid=guid("user", author), name=author)
    code_elements(ET.SubElement(ET.SubElement(root, f"{q}CodeBook"), f"{q}Codes"), PROJECT_NS, workspace.themes)

    coded_in: dict[int, list[Annotation]] = {}
    for annotation in annotations:
        if not annotation.orphaned:
            coded_in.setdefault(annotation.document, []).append(annotation)
    ids = {document.key: workspace.store.document_id(document.path) for document in workspace.documents}
    progress.expect(sum(len(coded_in.get(document_id, ())) for document_id in ids.values()))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        sources = ET.SubElement(root, f"{q}Sources")
        notes: list[Annotation] = []
        for document in workspace.documents:
            document_id = ids[document.key]
            coded = coded_in.get(document_id, [])
            source_guid = guid("document", document.path.name if document_id is None else document_id)
            source = ET.SubElement(sources, f"{q}TextSource", guid=source_guid, name=document.title,
                                   plainTextPath=f"internal://{source_guid}.txt")
            bundle.writestr(f"sources/{source_guid}.txt", document.text.encode("utf-8"))
            for annotation in progress.track(coded):
                selection_element(source, annotation)
                if annotation.note:
                    notes.append(annotation)
        if notes:
            notes_element = ET.SubElement(root, f"{q}Notes")
            for annotation in notes:
                note = ET.SubElement(notes_element, f"{q}Note", guid=guid("memo", annotation.id),
                                     name=f"Memo: {one_line(annotation.quote, NAME_CHARS)}",
                                     creatingUser=guid("user", annotation.author or "unknown"),
                                     creationDateTime=annotation.modified)
                ET.SubElement(note, f"{q}PlainTextContent").text = annotation.note
        bundle.writestr("project.qde", xml_bytes(root, PROJECT_NS))
    return archive.getvalue()


def selection_element(source: ET.Element, annotation: Annotation) -> None:
    q = f"{{{PROJECT_NS}}}"
    user = guid("user", annotation.author or "unknown")
    selection = ET.SubElement(
        source, f"{q}PlainTextSelection", guid=guid("annotation", annotation.id), name=one_line(annotation.quote, NAME_CHARS),
        startPosition=str(annotation.start), endPosition=str(annotation.end), creatingUser=user,
        creationDateTime=annotation.created, modifiedDateTime=annotation.modified,
    )
    for theme_id in annotation.themes:
        coding = ET.SubElement(selection, f"{q}Coding", guid=guid("coding", f"{annotation.id}:{theme_id}"),
                               creatingUser=user, creationDateTime=annotation.created)
        ET.SubElement(coding, f"{q}CodeRef", targetGUID=guid("theme", theme_id))
    if annotation.note:
        ET.SubElement(selection, f"{q}NoteRef", targetGUID=guid("memo", annotation.id))


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
    start: int
    end: int
    codes: list[str]  # code names
    note: str
    author: str
    created: str | None
    modified: str | None


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


@dataclass
class Project:
    """``codes`` in document order, parents first; a code's ``parent`` is its top-level
    ancestor's name, since Margin groups themes one level deep."""

    codes: list[ThemeSpec]
    sources: list[ProjectSource]


_COLOR = re.compile("#[0-9A-Fa-f]{6}")
_POSITION = re.compile("[0-9]{1,15}")


class _Archive:
    """The zip, read member by member within the caps: a member's declared size can lie, so
    at most the cap plus one byte is ever expanded (a zip bomb stops there)."""

    def __init__(self, bundle: zipfile.ZipFile) -> None:
        self.bundle = bundle
        self.expanded = 0

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


def read_project(data: bytes, folder: Path) -> Project:
    """Parse and check a whole ``.qdpx`` archive; raise ``ProjectError`` at the first element
    that is wrong. Sources are read from the archive (``internal://``); a ``relative://`` (to
    ``folder``) or ``absolute://`` source is only located here, never read."""
    q = f"{{{PROJECT_NS}}}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            archive = _Archive(bundle)
            root = ET.fromstring(archive.read("project.qde"))
            if root.tag != f"{q}Project":
                raise ProjectError(f"project.qde holds {root.tag}, not a REFI-QDA Project")
            users = {user.get("guid"): user.get("name", "") for user in root.iter(f"{q}User")}
            notes = {note.get("guid"): note.findtext(f"{q}PlainTextContent", "") for note in root.iter(f"{q}Note")}
            codes, names = [], {}
            codes_element = root.find(f"{q}CodeBook/{q}Codes")
            for top in codes_element if codes_element is not None else []:
                for code in top.iter(f"{q}Code"):
                    name = code.get("name", "")
                    if not name.strip():
                        raise ProjectError(f"project.qde: {_element(code)}: a code needs a name")
                    names[code.get("guid")] = name
                    color = code.get("color")
                    codes.append(ThemeSpec(
                        name=name, color=color if color and _COLOR.fullmatch(color) else None,
                        description=code.findtext(f"{q}Description", ""),
                        parent=None if code is top else top.get("name"),
                    ))
            sources = [
                _source(element, archive, folder, users, notes, names)
                for element in root.iterfind(f"{q}Sources/{q}TextSource")
            ]
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as error:  # corrupt, odd, encrypted
        raise ProjectError(f"not a REFI-QDA project archive ({error})") from None
    except KeyError as error:  # project.qde itself is missing
        raise ProjectError(f"not a REFI-QDA project archive ({error})") from None
    except ET.ParseError as error:
        raise ProjectError(f"project.qde is not well-formed XML ({error})") from None
    return Project(codes, sources)


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
            names: dict) -> ProjectSource:
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
            start=start, end=end, codes=codes, note="\n\n".join(part for part in memo if part),
            author=users.get(selection.get("creatingUser"), ""),
            created=_attribute_date(selection, "creationDateTime"),
            modified=_attribute_date(selection, "modifiedDateTime"),
        ))
    location = element.get("plainTextPath", "")
    scheme, _, rest = location.partition("://")
    source = ProjectSource(name, None, "", selections, location=location)
    if scheme == "internal":
        try:
            source.text, source.problem = decoded(archive.read(f"sources/{rest}"), location)
        except KeyError:
            source.problem = f"{location} is missing from the archive"
    elif scheme in ("relative", "absolute"):
        source.outside = folder / unquote(rest) if scheme == "relative" else Path(unquote(rest))
    else:
        source.problem = "no plain text in the project (only rich text, which Margin does not read)"
    return source


def decoded(data: bytes, location: str) -> tuple[str | None, str]:
    """A source's plain text (UTF-8, as the standard says), or None and why not."""
    try:
        return normalise_newlines(data.decode("utf-8-sig")), ""
    except UnicodeDecodeError:
        return None, f"{location} is not UTF-8 text"
