"""The "Who is coding?" screen of ``margin --ask-coder`` (``margin serve --team``).

``AskingApp`` is the Margin app that starts on this question instead of the reader: the
answer opens that coder's own database (``tui/team.py`` says where), and only then is the
reader made, on that workspace. It is one app from question to quitting because a browser
tab is one app: under textual-serve, an app that ends closes the tab's session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from ..core import CodebookError, CorpusError, StoreError, Workspace
from ..core.sharing import coder_name
from .app import MarginApp
from .screens.reader import ReaderScreen


class CoderPrompt(Screen[None]):
    """Asks for the coder's name; Enter opens their database (or says what is wrong)."""

    DEFAULT_CSS = """
    CoderPrompt {
        align: center middle;
    }
    CoderPrompt .prompt {
        width: 72;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    CoderPrompt #coder-problem {
        color: $error;
    }
    """

    def __init__(self, known: list[str], project_database: Path) -> None:
        super().__init__()
        self.known = known
        self.project_database = project_database

    def compose(self) -> ComposeResult:
        about = Text()
        about.append("Who is coding?\n", style="bold")
        about.append("Your codes go to your own database, ")
        about.append(f"{self.project_database.parent.name}/coders/NAME.json", style="italic")
        about.append(", where nobody else's are shown.")
        if self.known:
            about.append("\nCoders so far: " + ", ".join(self.known))
        with Vertical(classes="prompt"):
            yield Static(about, id="coder-about")
            yield Input(placeholder="your name: letters, digits, . _ -", id="coder-name")
            yield Static("", id="coder-problem")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self.app.start_coding(event.value.strip())
        self.query_one("#coder-problem", Static).update(Text(problem or ""))


class AskingApp(MarginApp):
    """Margin that asks who is coding before it opens anything for writing."""

    def __init__(self, open_workspace: Callable[[str], Workspace], known: list[str], project_database: Path,
                 panes: int = 2, show_others: bool = False) -> None:
        App.__init__(self)  # MarginApp's needs a workspace; it comes with the answer
        self.open_workspace = open_workspace
        self.show_others = show_others
        self.prompt = CoderPrompt(known, project_database)
        self.panes = panes
        self.workspace: Workspace | None = None
        self.unsaved_report: str | None = None
        self.reader: ReaderScreen | None = None
        self.reading_state = None  # a served tab keeps no reading position between sessions

    def get_default_screen(self) -> Screen:
        return Screen()  # under the question, then under the reader (a default screen stays put)

    def on_mount(self) -> None:
        self.push_screen(self.prompt)

    def start_coding(self, name: str) -> str | None:
        """Open ``name``'s database and show the reader on it; or say why not (one line)."""
        try:
            workspace = self.open_workspace(coder_name(name))
        except ValueError as error:
            return str(error)
        except (CorpusError, StoreError, CodebookError) as error:
            return str(error)
        self.workspace = workspace
        self.reader = ReaderScreen(workspace, panes=self.panes, show_others=self.show_others)
        self.switch_screen(self.reader)  # in place of the question
        return None

    def _checkpoint_when_idle(self) -> None:
        if self.workspace is not None:
            super()._checkpoint_when_idle()

    def on_unmount(self, event: events.Unmount) -> None:
        """Runs before MarginApp's handler (Textual calls each class's, subclass first), which
        closes the workspace: with no coder chosen there is none to close."""
        if self.workspace is None:
            event.prevent_default()
