"""The statistics screen (``S``): how much each theme is used, where, and with which others,
as charts. The same figures come as tables from ``margin stats``.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from ...core import Workspace, stats
from ...core.text import counted
from ..widgets.charts import BarChart, HeatMap, label

# Beyond this many documents the charts keep the ones with the most annotations.
MOST_DOCUMENTS = 15
HEAT_COLOR = "#4c78a8"


class StatisticsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Back to reading", id="statistics.close"),
        Binding("right,l", "tab(1)", "Next chart", id="statistics.next"),
        Binding("left,h", "tab(-1)", "Previous chart", id="statistics.previous"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.stats = stats.compute(workspace)

    def compose(self) -> ComposeResult:
        yield Static(self._summary(), id="statistics-title")
        with TabbedContent(id="statistics-tabs"):
            with TabPane("Themes", id="tab-themes"):
                yield BarChart(id="chart-themes")
            with TabPane("Documents", id="tab-documents"):
                yield BarChart(id="chart-documents")
            with TabPane("Theme × document", id="tab-matrix"):
                yield HeatMap(id="chart-matrix")
                yield Static(classes="chart-legend", id="legend-matrix")
            with TabPane("Co-occurrence", id="tab-cooccurrence"):
                yield HeatMap(id="chart-cooccurrence")  # its rows are numbered like its columns
        yield Footer()

    def _summary(self) -> Text:
        return Text(f"Statistics: {counted(self.stats.total, 'annotation')}, {counted(len(self.stats.themes), 'theme')}, "
                f"{counted(len(self.stats.documents), 'document')}. `margin stats` prints them as tables.")

    def on_mount(self) -> None:
        result = self.stats
        themes = [theme.name for theme in result.themes]
        colors = [theme.color for theme in result.themes]
        if result.nested:  # each theme at its depth, counting the themes under it too
            self.query_one("#chart-themes", BarChart).show(
                "Annotations per theme, each with its sub-themes",
                ["› " * result.tree.depth(theme) + theme.name for theme in result.themes],
                [count for count, _ in result.rolled_up], colors)
        else:
            self.query_one("#chart-themes", BarChart).show("Annotations per theme", themes, result.per_theme, colors)
        shown = self._busiest_documents()
        titles = [result.documents[index].title for index in shown]
        self.query_one("#chart-documents", BarChart).show(
            self._documents_title("Annotations per document", len(shown)), titles,
            [result.per_document[index] for index in shown], [HEAT_COLOR] * len(shown))
        self.query_one("#chart-matrix", HeatMap).show(
            self._documents_title("Annotations per theme (rows) in each document (columns)", len(shown)),
            themes, len(shown), [[row[index] for index in shown] for row in result.matrix], HEAT_COLOR)
        self.query_one("#legend-matrix", Static).update(legend(titles))
        self.query_one("#chart-cooccurrence", HeatMap).show(
            f"Co-occurrence: {stats.UNIT}s coded with both themes (the diagonal: with the theme)",
            [f"{number} {name}" for number, name in enumerate(themes, 1)], len(themes), result.cooccurrence,
            HEAT_COLOR)
        self.query_one(TabbedContent).query_one("Tabs").focus()

    def _busiest_documents(self) -> list[int]:
        """Indexes of the documents to chart, in corpus order: all, or the busiest few."""
        counts = self.stats.per_document
        busiest = sorted(range(len(counts)), key=lambda index: -counts[index])[:MOST_DOCUMENTS]
        return sorted(busiest)

    def _documents_title(self, title: str, shown: int) -> str:
        total = len(self.stats.documents)
        return title if shown == total else f"{title}: the {shown} of {total} documents with the most"

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane)]
        tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]


def legend(names: list[str]) -> Text:
    """Which column is which (plain Text: names are never read as markup)."""
    return Text("Columns: " + "  ".join(f"{number} {label(name)}" for number, name in enumerate(names, 1)))
