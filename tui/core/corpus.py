"""Loading a corpus: which files are documents, how they decode, what they are called.

A corpus is built from paths given on the command line: a file is one document, a folder is
every document in it (``.txt``, ``.md``, ``.html``, ``.docx``, ``.pdf``; not recursive, sorted
by name). A folder may hold a
``catalog.json`` giving each file a title, date and source organisation for display.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import limits
from .confine import within
from .extract import extract_text, is_document, is_plain_text
from .text import TextIndex, UndecodableText, title_from_text

CATALOG_NAME = "catalog.json"
QUICK_BYTES = 1_000_000


class CorpusError(Exception):
    """A corpus cannot be opened; the message is one line naming the path and the problem."""


@dataclass(frozen=True)
class CatalogEntry:
    """What a catalog says about one document."""

    title: str | None = None
    date: str | None = None
    source: str | None = None


class Document:
    """One document. Offsets everywhere in Margin index into ``text``.

    The file is read on first use of ``text``; ``read`` does it at once and raises
    ``CorpusError`` if it cannot. Read lazily, an unreadable file has empty text and says
    why in ``problem``, so nothing (re-anchoring above all) mistakes it for an emptied file.
    """

    def __init__(self, path: Path, entry: CatalogEntry | None = None) -> None:
        self.path = path
        self.entry = entry or CatalogEntry()
        self.problem: str | None = None
        self._text: str | None = None
        self._encoding = ""
        self.attributes: dict[str, str] = {}  # from the folder's attributes.csv (attributes.py)

    def read(self) -> Document:
        """Read and decode the file now; raise ``CorpusError`` with a one-line reason."""
        try:
            data = limits.read_file(self.path)
            self._text, self._encoding = extract_text(self.path, data)
        except FileNotFoundError:
            raise CorpusError(f"{self.path}: no such file") from None
        except IsADirectoryError:
            raise CorpusError(f"{self.path}: is a folder, not a document") from None
        except OSError as error:
            raise CorpusError(f"{self.path}: cannot read ({error.strerror or error})") from None
        except (limits.LimitExceeded, UndecodableText) as error:
            raise CorpusError(f"{self.path}: {error}") from None
        return self

    @property
    def loaded(self) -> bool:
        return self._text is not None

    @property
    def quick_to_read(self) -> bool:
        """Plain text under a megabyte reads in a few milliseconds: faster than a loading
        notice could be seen. Anything else is worth reading off the UI thread."""
        try:
            return is_plain_text(self.path) and self.path.stat().st_size < QUICK_BYTES
        except OSError:
            return True  # reading will say what is wrong, at once

    @property
    def text(self) -> str:
        if self._text is None:
            try:
                self.read()
            except CorpusError as error:
                self.problem, self._text = str(error), ""
        return self._text

    @property
    def encoding(self) -> str:
        self.text  # noqa: B018 - reads the file if it has not been read
        return self._encoding

    @property
    def title(self) -> str:
        """The catalog's title, else the first meaningful line; the file's name until the
        file is read (a lazily opened corpus lists its documents before reading them)."""
        if self.entry.title:
            return self.entry.title
        if self._text is None:
            return self.path.name
        if self.problem:
            return f"{self.path.name} (unreadable)"
        return self._title

    @cached_property
    def _title(self) -> str:
        return title_from_text(self.text, fallback=self.path.stem)

    @property
    def date(self) -> str | None:
        return self.entry.date

    @property
    def source(self) -> str | None:
        return self.entry.source

    @cached_property
    def sha256(self) -> str:
        """Hash of the decoded text (UTF-8), used to notice that a document changed."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def index(self) -> TextIndex:
        """Lines and paragraphs, built on first use so opening many documents stays cheap."""
        return TextIndex(self.text)

    @cached_property
    def turns(self) -> list:
        """A transcript's speaker turns (``transcripts.py``); empty for other documents."""
        from .transcripts import turns_of

        return turns_of(self.path, self.text)

    @property
    def key(self) -> str:
        """Stable identity of the document within a session: its resolved path."""
        return str(self.path)

    @property
    def citation(self) -> str:
        """Title with source and date, as a reader would cite it."""
        details = ", ".join(part for part in (self.source, self.date) if part)
        return f"{self.title} ({details})" if details else self.title


def load_document(path: Path, entry: CatalogEntry | None = None) -> Document:
    """Read and decode one file; raise ``CorpusError`` with a one-line reason."""
    return Document(path, entry).read()


def read_catalog(folder: Path) -> dict[str, CatalogEntry]:
    """The folder's catalog by file name; an absent catalog is empty, a broken one an error."""
    catalog_path = folder / CATALOG_NAME
    if not catalog_path.is_file():
        return {}
    try:
        raw = json.loads(limits.read_file(catalog_path).decode("utf-8"))  # capped: never a FIFO, never huge
        return {
            name: CatalogEntry(
                title=fields.get("title"), date=fields.get("date"), source=fields.get("source")
            )
            for name, fields in raw.items()
        }
    except (OSError, ValueError, AttributeError) as error:
        raise CorpusError(f"{catalog_path}: not a valid catalog ({error})") from None
    except RecursionError:  # JSON nested deeper than the decoder goes
        raise CorpusError(f"{catalog_path}: not a valid catalog (nested too deeply)") from None


@dataclass
class Corpus:
    """The documents Margin has open, in display order, plus files it skipped and why.

    ``unreadable`` holds the documents of a folder found unreadable (their ``problem`` says
    why): out of ``documents``, so that searches, statistics and exports never count an empty
    text, but still there for the reader to list with their reason.
    """

    documents: list[Document]
    folders: list[Path]
    skipped: list[str] = field(default_factory=list)
    unreadable: list[Document] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a malformed attributes.csv

    def by_key(self, key: str) -> Document | None:
        return next((doc for doc in self.documents if doc.key == key), None)

    def drop_unreadable(self) -> list[str]:
        """Take documents found unreadable out of the corpus; return why, as ``skipped`` has it."""
        unreadable = [document for document in self.documents if document.problem]
        if unreadable:
            self.documents = [document for document in self.documents if not document.problem]
            self.unreadable += unreadable
            self.skipped += [document.problem for document in unreadable]
        return [document.problem for document in unreadable]

    def read_first(self) -> None:
        """Read documents in order until one is readable, dropping those that are not; raise
        ``CorpusError`` if none is. A lazily opened corpus thus has something to show, and a
        folder of nothing readable is one error at once, not an empty reader."""
        for document in self.documents:
            if document.text or not document.problem:
                break
        self.drop_unreadable()
        if not self.documents:
            raise CorpusError(f"no readable documents ({'; '.join(self.skipped)})")

    @property
    def home(self) -> Path:
        """The folder the corpus lives in (the first folder named, or the first file's folder)."""
        return self.folders[0]


def open_corpus(paths: list[Path], lazy: bool = False) -> Corpus:
    """Resolve command-line paths into a corpus.

    A path that is missing, or a folder with no documents, is an error. A named file that
    cannot be read is an error too; inside a folder, unreadable files (undecodable, binary,
    broken, locked, too large, not regular files) move to ``unreadable`` with a warning in
    ``skipped``, so one stray file does not block a whole corpus. So does a folder's symlink
    leading outside the folder (``ln -s /etc/passwd docs/passwd.txt``): it is never read,
    and the reason says how to open it by naming it (a file named is read wherever it is).

    ``lazy`` reads only the files named; a folder's documents are listed, and read when
    needed (the reader reads them in the background, those it shows first).
    """
    documents: list[Document] = []
    folders: list[Path] = []
    seen: set[Path] = set()
    warnings: list[str] = []
    for given in paths:
        path = Path(os.path.abspath(given))
        if not path.exists():
            raise CorpusError(f"{given}: no such file or folder")
        if path.is_dir():
            folders.append(path)
            catalog = read_catalog(path)
            attributes = _attributes(path, warnings)
            # Not only regular files: a FIFO or device named like a document is listed, so
            # that reading it says why it is refused (reading never blocks on one).
            candidates = sorted(
                child for child in path.iterdir()
                if is_document(child) and not child.is_dir()
            )
            if not candidates:
                raise CorpusError(f"{given}: no documents (.txt, .md, .html, .docx, .pdf, .vtt, .srt) in this folder")
            real_folder = Path(os.path.realpath(path))
            for child in candidates:
                if child in seen:
                    continue
                seen.add(child)
                document = Document(child, catalog.get(child.name))
                document.attributes = dict(attributes.of(child.name))
                if child.is_symlink() and not within(Path(os.path.realpath(child)), real_folder):
                    document.problem, document._text = leads_out(child), ""  # never read (#12)
                elif not lazy:
                    document.text  # noqa: B018 - reads it; an unreadable one is dropped below
                documents.append(document)
        else:
            if path in seen:
                continue
            folders.append(path.parent)
            catalog = read_catalog(path.parent)
            documents.append(load_document(path, catalog.get(path.name)))
            documents[-1].attributes = dict(_attributes(path.parent, warnings).of(path.name))
            seen.add(path)
    corpus = Corpus(documents=documents, folders=folders, warnings=list(dict.fromkeys(warnings)))
    corpus.drop_unreadable()
    if not corpus.documents:
        reasons = "; ".join(corpus.skipped) if corpus.skipped else "nothing to open"
        raise CorpusError(f"no readable documents ({reasons})")
    return corpus


def leads_out(link: Path) -> str:
    """Why a folder's symlink to a file elsewhere is not opened with the folder: a folder is
    read, not whatever its links lead to; the user may still name the file itself."""
    return (f"{link}: a link to a file outside the folder "
            f"(name it to open it: margin {os.path.realpath(link)})")


def _attributes(folder: Path, warnings: list[str]):
    """The folder's ``attributes.csv`` table; a malformed one adds a warning and is empty."""
    from .attributes import read_attributes

    table, problem = read_attributes(folder)
    if problem:
        warnings.append(problem)
    return table
