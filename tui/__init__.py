"""Margin: a keyboard-driven terminal reader and annotator for qualitative coding.

``tui.core`` is the UI-free core; ``tui.ui`` is the Textual application on top of it;
``tui.cli`` is the ``margin`` command.
"""

__version__ = "0.1.0"
