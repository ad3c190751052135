"""The one "Not saved" notice: a change the database refused, said the same way everywhere."""

from __future__ import annotations

from textual.dom import DOMNode

NOT_SAVED_TIMEOUT = 15  # seconds: long enough to read a path and a reason


def notify_not_saved(node: DOMNode, error: object, title: str = "Not saved") -> None:
    """Tell the user a change was not saved (``error``: a ``StoreError`` or its message).
    The message names files and themes, so it is never read as markup."""
    node.notify(str(error), title=title, severity="error", markup=False, timeout=NOT_SAVED_TIMEOUT)
