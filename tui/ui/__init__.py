"""Margin's Textual layer: the app, its screens and widgets, on top of ``tui.core``."""
