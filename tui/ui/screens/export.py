"""Exporting from the reader (``e``): a format, then a file (the default beside the database;
replacing one is asked first), then the file is written off the UI thread while a progress
bar follows it. ``margin export`` does the same headless."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from textual.screen import Screen

from ...core import Annotation, Workspace
from ...core.exporters import ExportError, Selection, check_output, default_output, write_export
from ...core.progress import Progress
from ...core.text import counted
from ..widgets.job_progress import JobProgress
from .prompt import ChoicePrompt, TextPrompt

FORMAT_KEYS = {"c": "csv", "j": "jsonl", "m": "md", "w": "w3c", "q": "qdpx", "k": "qdc"}
FORMAT_LABELS = {
    "c": "CSV for spreadsheets",
    "j": "JSON lines",
    "m": "a Markdown report by theme",
    "w": "W3C Web Annotation (JSON-LD)",
    "q": "a REFI-QDA project (ATLAS.ti, NVivo, MAXQDA, QualCoder)",
    "k": "the codebook alone (REFI-QDA .qdc)",
}


class ExportFlow:
    """The prompts of one export, then its worker; the screen hosts both."""

    def __init__(self, screen: Screen, workspace: Workspace, bar: JobProgress) -> None:
        self.screen = screen
        self.workspace = workspace
        self.bar = bar

    def start(self) -> None:
        count = counted(self.workspace.annotation_total, "annotation")
        self.screen.app.push_screen(ChoicePrompt(f"Export {count} as", FORMAT_LABELS), self._chose_format)

    def _chose_format(self, key: str | None) -> None:
        if key is None:
            return
        fmt = FORMAT_KEYS[key]
        default = default_output(self.workspace, fmt)
        self.screen.app.push_screen(TextPrompt(f"Export {FORMAT_LABELS[key]} to:", str(default)),
                                    lambda path: path and self._confirm(fmt, Path(path.strip())))

    def _confirm(self, fmt: str, output: Path, force: bool = False) -> None:
        try:
            output = check_output(self.workspace, fmt, output, force)
        except ExportError as error:
            if "exists already" not in str(error):
                self.screen.notify(str(error), title="Not exported", severity="error", markup=False)
                return
            self.screen.app.push_screen(ChoicePrompt(f"{output} exists. Replace it?", {"y": "yes, replace it"}),
                                        lambda key: key and self._confirm(fmt, output, force=True))
            return
        annotations = Selection().annotations(self.workspace)
        self.bar.start(f"Exporting {counted(len(annotations), 'annotation')} to {output}", len(annotations))
        self.screen.run_worker(partial(self._write, fmt, output, annotations), thread=True, exclusive=True,
                               group="export")

    def _write(self, fmt: str, output: Path, annotations: list[Annotation]) -> None:
        """Serialise and write (in the worker's thread); the progress bar follows the annotations."""
        app = self.screen.app
        progress = Progress(lambda done, total: app.call_from_thread(self.bar.advance, done, total))
        try:
            write_export(self.workspace, fmt, output, annotations, progress)
        except ExportError as error:
            app.call_from_thread(self.screen.notify, str(error), title="Not exported", severity="error",
                                 markup=False)
            return
        finally:
            app.call_from_thread(self.bar.finish)
        app.call_from_thread(self.screen.notify, f"Exported {counted(len(annotations), 'annotation')} to {output}",
                             markup=False, timeout=8)
