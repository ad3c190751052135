"""Screens: the reader, the theme picker, the help."""
