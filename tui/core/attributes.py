"""Document attributes (cases): ``attributes.csv`` beside the documents of a folder.

The first row names the columns: the first is the document's file name, each other one an
attribute (``file,country,year``). Each further row gives one document's values. A document
with no row has no attributes; an empty cell is no value. The file is read with the corpus,
capped like every file Margin reads. A malformed file (not UTF-8, a row with more cells than
the header, a file name twice, no header) is one warning naming the file and the row, and the
corpus opens without attributes from it.

Attributes are shown in the document list, filter queries (``country=MX``), make the rows of
``margin stats --by``, and are columns of the CSV and JSON-lines exports. A transcript's turns
carry one more, span-level attribute: ``speaker``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from . import limits
from .codebook import folded

ATTRIBUTES_NAME = "attributes.csv"
ATTRIBUTES_BYTES = 20 * limits.MB
SPEAKER = "speaker"


class AttributesError(ValueError):
    """``attributes.csv`` cannot be used; one line naming the file and the row."""


@dataclass
class AttributeTable:
    """A folder's attributes: the column names in order, and each file's values."""

    names: list[str] = field(default_factory=list)
    rows: dict[str, dict[str, str]] = field(default_factory=dict)

    def of(self, file_name: str) -> dict[str, str]:
        return self.rows.get(file_name, {})


def parse_attributes(data: bytes, source: Path) -> AttributeTable:
    """The table of an ``attributes.csv``'s bytes; ``AttributesError`` names the row."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AttributesError(f"{source}: not UTF-8 (byte {error.start}); save it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header or len(header) < 2 or not header[0].strip():
            raise AttributesError(f"{source}: row 1 must name the file column and at least one attribute")
        names = [name.strip() for name in header[1:]]
        seen: set[str] = set()
        for name in names:
            if not name or name.casefold() in seen:
                raise AttributesError(f"{source}: row 1: attribute name {name!r} is empty or repeated")
            seen.add(name.casefold())
        table = AttributeTable(names)
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise AttributesError(f"{source}: row {number} has {len(row)} cells, the header {len(header)}")
            file_name = row[0].strip()
            if not file_name:
                raise AttributesError(f"{source}: row {number} has no file name")
            if file_name in table.rows:
                raise AttributesError(f"{source}: row {number}: {file_name!r} appears twice")
            table.rows[file_name] = {name: value.strip() for name, value in zip(names, row[1:], strict=False)
                                     if value.strip()}
    except csv.Error as error:
        raise AttributesError(f"{source}: row {reader.line_num}: not valid CSV ({error})") from None
    return table


def read_attributes(folder: Path) -> tuple[AttributeTable, str | None]:
    """The folder's attributes and a warning: an absent file is an empty table, a broken one
    an empty table and the one-line reason."""
    path = folder / ATTRIBUTES_NAME
    if not path.is_file():
        return AttributeTable(), None
    try:
        return parse_attributes(limits.read_file(path, ATTRIBUTES_BYTES), path), None
    except OSError as error:
        return AttributeTable(), f"{path}: cannot read ({error.strerror or error})"
    except (limits.LimitExceeded, AttributesError) as error:
        message = str(error)
        return AttributeTable(), message if message.startswith(str(path)) else f"{path}: {message}"


def write_attributes(folder: Path, table: AttributeTable) -> Path:
    """Write the table back as ``attributes.csv`` atomically (the old file stays whole if
    writing fails), rows in file-name order."""
    from .storage import atomic_write

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", *table.names])
    for file_name in sorted(table.rows):
        values = table.rows[file_name]
        writer.writerow([file_name, *(values.get(name, "") for name in table.names)])
    path = folder / ATTRIBUTES_NAME
    atomic_write(path, buffer.getvalue().encode("utf-8"))
    return path


def merged_table(table: AttributeTable, given: dict[str, dict[str, str]]) -> tuple[AttributeTable, int]:
    """``table`` with ``given`` values (file name → attribute → value) added, a name matching
    a column in any case going in that column, new ones after the others; and how many values
    were new or different. ``table`` itself is left as it is."""
    merged = AttributeTable(list(table.names), {name: dict(row) for name, row in table.rows.items()})
    columns = {name.casefold(): name for name in merged.names}
    changed = 0
    for file_name, values in given.items():
        row = merged.rows.setdefault(file_name, {})
        for name, value in values.items():
            column = columns.setdefault(name.casefold(), name)
            if column not in merged.names:
                merged.names.append(column)
            if row.get(column) != value:
                row[column] = value
                changed += 1
    return merged, changed


def set_attribute(document, name: str, value: str) -> Path:
    """Give one document an attribute value (an empty value removes it) and write the
    folder's ``attributes.csv`` back, keeping every other row as it is on disk."""
    folder = document.path.parent
    table, problem = read_attributes(folder)
    if problem:
        raise AttributesError(problem)
    name = name.strip()
    if not name:
        raise AttributesError("an attribute needs a name")
    existing = next((known for known in table.names if known.casefold() == name.casefold()), None)
    if existing is None:
        table.names.append(name)
        existing = name
    values = dict(table.rows.get(document.path.name, {}))
    if value.strip():
        values[existing] = value.strip()
    else:
        values.pop(existing, None)
    table.rows[document.path.name] = values
    path = write_attributes(folder, table)
    document.attributes = values
    return path


def attribute_regions(document, key: str, wanted: str) -> tuple[bool, list[tuple[int, int]]]:
    """Whether the document has attribute ``key`` at all, and the characters where it has the
    value ``wanted`` (normalised: casefolded, single spaces): the whole document for a
    document attribute, the turns of that speaker for ``speaker`` in a transcript."""
    key = key.casefold()
    for name, value in document.attributes.items():
        if name.casefold() == key:
            matches = folded(value) == wanted
            return True, [(0, len(document.text))] if matches and document.text else []
    if key == SPEAKER:
        turns = document.turns
        if turns:
            return True, [(turn.start, turn.end) for turn in turns
                          if folded(turn.speaker) == wanted]
    return False, []


def attribute_names(documents) -> list[str]:
    """Every document attribute name in the corpus, in first-seen order (case kept)."""
    names: dict[str, str] = {}
    for document in documents:
        for name in document.attributes:
            names.setdefault(name.casefold(), name)
    return list(names.values())


def attributes_by_document_id(workspace) -> dict[int, dict[str, str]]:
    """Each stored document's attributes (those of the open documents), by its id."""
    found = {}
    for document in workspace.documents:
        if document.attributes:
            document_id = workspace.store.document_id(document.path)
            if document_id is not None:
                found[document_id] = document.attributes
    return found


def attribute_columns(workspace, taken: list[str]) -> tuple[list[str], dict[int, list[str]]]:
    """For a CSV export: a column name per attribute (``attribute:NAME`` where NAME is a
    column already) and each stored document's cells, formula-safe."""
    from .exporters import spreadsheet_safe

    names = attribute_names(workspace.documents)
    if not names:
        return [], {}
    used = {column.casefold() for column in taken}
    header = [f"attribute:{name}" if name.casefold() in used else name for name in names]
    cells = {}
    for document_id, attributes in attributes_by_document_id(workspace).items():
        folded = {key.casefold(): value for key, value in attributes.items()}
        cells[document_id] = [spreadsheet_safe(folded.get(name.casefold(), "")) for name in names]
    return header, cells
