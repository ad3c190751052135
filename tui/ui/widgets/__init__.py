"""Reusable widgets: the reading view, the pane around it, the document list."""
