"""Margin's UI-free core: corpus loading, text structure, codebook, the store, the workspace.

Nothing in this package imports Textual; the CLI and the tests use it directly.
"""

from .codebook import CodebookError, Theme
from .corpus import Corpus, CorpusError, Document
from .status import WorkspaceStatus
from .store import Annotation, StoreError
from .workspace import ReanchorReport, TagOutcome, TagResult, Workspace, quotation

__all__ = [
    "Annotation",
    "CodebookError",
    "Corpus",
    "CorpusError",
    "Document",
    "ReanchorReport",
    "StoreError",
    "TagOutcome",
    "TagResult",
    "Theme",
    "Workspace",
    "WorkspaceStatus",
    "quotation",
]
