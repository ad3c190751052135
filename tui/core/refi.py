"""REFI-QDA exchange: a ``.qdpx`` project and a ``.qdc`` codebook, which ATLAS.ti, NVivo,
MAXQDA and QualCoder import.

A ``.qdpx`` is a zip of ``project.qde`` (QDA-XML, schema ``Project-mrt2019.xsd``) and
``sources/<guid>.txt``, each document's decoded text as UTF-8; ``PlainTextSelection``
positions count code points from 0, end exclusive, exactly Margin's offsets. Memos become
notes referenced from their selection. GUIDs are derived from Margin's ids (uuid5), so the
same database exports the same GUIDs every time.
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile

from .codebook import Theme
from .store import Annotation
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


def to_qdc(workspace: Workspace, annotations: list[Annotation]) -> bytes:
    """The codebook alone (``annotations`` are not part of it)."""
    root = ET.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin="Margin")
    codes = ET.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")
    code_elements(codes, CODEBOOK_NS, workspace.themes)
    return xml_bytes(root, CODEBOOK_NS)


def to_qdpx(workspace: Workspace, annotations: list[Annotation]) -> bytes:
    """The project: users, codebook, sources with their coded selections, and memos."""
    q = f"{{{PROJECT_NS}}}"
    root = ET.Element(f"{q}Project", name=workspace.database_path.stem, origin="Margin")
    authors = sorted({a.author or "unknown" for a in annotations})
    users = ET.SubElement(root, f"{q}Users")
    for author in authors or ["unknown"]:
        ET.SubElement(users, f"{q}User", guid=guid("user", author), name=author)
    code_elements(ET.SubElement(ET.SubElement(root, f"{q}CodeBook"), f"{q}Codes"), PROJECT_NS, workspace.themes)

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        sources = ET.SubElement(root, f"{q}Sources")
        notes: list[Annotation] = []
        for document in workspace.documents:
            document_id = workspace.store.document_id(document.path)
            coded = [a for a in annotations if a.document == document_id and not a.orphaned]
            source_guid = guid("document", document.path.name if document_id is None else document_id)
            source = ET.SubElement(sources, f"{q}TextSource", guid=source_guid, name=document.title,
                                   plainTextPath=f"internal://{source_guid}.txt")
            bundle.writestr(f"sources/{source_guid}.txt", document.text.encode("utf-8"))
            for annotation in coded:
                selection_element(source, annotation)
                if annotation.note:
                    notes.append(annotation)
        if notes:
            notes_element = ET.SubElement(root, f"{q}Notes")
            for annotation in notes:
                note = ET.SubElement(notes_element, f"{q}Note", guid=guid("memo", annotation.id),
                                     name=f"Memo: {short(annotation.quote)}",
                                     creatingUser=guid("user", annotation.author or "unknown"),
                                     creationDateTime=annotation.modified)
                ET.SubElement(note, f"{q}PlainTextContent").text = annotation.note
        bundle.writestr("project.qde", xml_bytes(root, PROJECT_NS))
    return archive.getvalue()


def selection_element(source: ET.Element, annotation: Annotation) -> None:
    q = f"{{{PROJECT_NS}}}"
    user = guid("user", annotation.author or "unknown")
    selection = ET.SubElement(
        source, f"{q}PlainTextSelection", guid=guid("annotation", annotation.id), name=short(annotation.quote),
        startPosition=str(annotation.start), endPosition=str(annotation.end), creatingUser=user,
        creationDateTime=annotation.created, modifiedDateTime=annotation.modified,
    )
    for theme_id in annotation.themes:
        coding = ET.SubElement(selection, f"{q}Coding", guid=guid("coding", f"{annotation.id}:{theme_id}"),
                               creatingUser=user, creationDateTime=annotation.created)
        ET.SubElement(coding, f"{q}CodeRef", targetGUID=guid("theme", theme_id))
    if annotation.note:
        ET.SubElement(selection, f"{q}NoteRef", targetGUID=guid("memo", annotation.id))


def short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= NAME_CHARS else flat[: NAME_CHARS - 1] + "…"


def xml_bytes(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
