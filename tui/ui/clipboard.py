"""Copying text out of Margin without ever crashing for lack of a clipboard.

``pyperclip`` reaches the local system clipboard where a backend exists (xclip, xsel,
wl-clipboard, pbcopy, Windows). OSC 52 asks the terminal itself to copy, which also works
over SSH. Margin sends both and tells the user which one it could vouch for.

In a browser tab (``margin serve``) the terminal is the page's xterm.js, whose clipboard
add-on turns OSC 52 into a write to the browser's clipboard. The system clipboard there is
the server's, someone else's desk perhaps, so pyperclip is left alone.
"""

from __future__ import annotations

from textual.app import App


def copy_text(app: App, text: str) -> str:
    """Copy ``text``; return a one-line message saying how."""
    app.copy_to_clipboard(text)  # OSC 52; also recorded in app.clipboard
    if app.is_web:
        return "Copied to the browser's clipboard."
    import pyperclip  # ctypes and the platform's clipboard tools: on the first copy, not at start-up

    try:
        pyperclip.copy(text)
    except (pyperclip.PyperclipException, OSError):
        return "No system clipboard here: copied through the terminal (OSC 52), if it allows."
    return "Copied to the clipboard."
