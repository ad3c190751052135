"""The statistics screen (S): charts of what was coded, from the keyboard."""

from __future__ import annotations

from pathlib import Path

from test_reader import SIZE, make_app, tag_three_paragraphs
from textual.widgets import TabbedContent

from tui.ui.screens.statistics import StatisticsScreen
from tui.ui.widgets.charts import BarChart, HeatMap


def drawn(widget) -> str:
    """What the chart shows, as plain text."""
    return widget.render().plain


async def test_charts_show_the_counts_and_tabs_switch_with_arrows(corpus_dir: Path, database: Path) -> None:
    app = make_app(corpus_dir, database)
    async with app.run_test(size=SIZE) as pilot:
        await tag_three_paragraphs(pilot)  # theme 1 twice, theme 2 once, in the first document
        await pilot.press("S")
        screen = app.screen
        assert isinstance(screen, StatisticsScreen)
        assert "Statistics: 3 annotations, 12 themes, 5 documents" in str(screen.query_one("#statistics-title").render())
        themes = drawn(screen.query_one("#chart-themes", BarChart))
        assert "Human smuggling (2)" in themes and "Arms trafficking (1)" in themes
        assert themes.index("Human smuggling") < themes.index("Arms trafficking")  # codebook order, top-down

        await pilot.press("right")
        assert screen.query_one(TabbedContent).active == "tab-documents"
        documents = drawn(screen.query_one("#chart-documents", BarChart))
        assert "(3)" in documents and documents.count("(0)") == 4

        await pilot.press("right", "right")
        assert screen.query_one(TabbedContent).active == "tab-cooccurrence"
        heat = drawn(screen.query_one("#chart-cooccurrence", HeatMap))
        assert "1 Human smuggling" in heat and "2" in heat
        await pilot.press("left")
        assert "Columns: 1 Strengthening DHS Partnersh…" in str(screen.query_one("#legend-matrix").render())

        await pilot.press("escape")
        assert not isinstance(app.screen, StatisticsScreen)
