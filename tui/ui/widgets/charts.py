"""Bar charts and heat maps for the statistics screen, drawn by plotext (textual-plotext).

Labels come from documents and codebooks, so they pass through ``displayable`` (no control
characters reach plotext's ANSI output) and are shortened to keep the plot area readable.
"""

from __future__ import annotations

from rich.color import Color
from textual_plotext import PlotextPlot

from ...core.text import displayable, one_line

LABEL_CHARS = 28
# A heat map cell darkens from the colour towards black as its count falls.
FAINT_SHARE = 0.15


def label(text: str) -> str:
    return one_line(displayable(text), LABEL_CHARS)


def rgb(hex_color: str) -> tuple[int, int, int]:
    triplet = Color.parse(hex_color).get_truecolor()
    return triplet.red, triplet.green, triplet.blue


def count_ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 past ``top``, at most six, a step of 1, 2 or 5 times 10ⁿ."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if max(top, 1) <= step * 5:
                return list(range(0, max(top, 1) + step, step))
        magnitude *= 10


class BarChart(PlotextPlot):
    """Horizontal bars, one per label, the first at the top, each in its own colour."""

    def show(self, title: str, labels: list[str], values: list[int], colors: list[str]) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if not values:
            return
        # One series per bar, since plotext colours a series, not a bar. Positions count down
        # from the top, as plotext puts y = 1 at the bottom.
        positions = list(range(len(values), 0, -1))
        for position, value, color in zip(positions, values, colors, strict=True):
            plt.bar([position], [value], orientation="horizontal", width=0.6, color=rgb(color))
        plt.yticks(positions, [f"{label(name)} ({value})" for name, value in zip(labels, values, strict=True)])
        ticks = count_ticks(max(values))
        plt.xticks(ticks)
        plt.xlim(0, ticks[-1])
        self.refresh()


class HeatMap(PlotextPlot):
    """A grid of counts: rows × columns, each cell shaded by its count and showing it.

    Columns are numbered (1, 2, ...): names do not fit under narrow columns, so the screen
    shows a legend. Rows carry their names.
    """

    def show(self, title: str, rows: list[str], columns: int, counts: list[list[int]], color: str) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(title)
        if not rows or not columns:
            return
        top = max(max(row) for row in counts) or 1
        full = rgb(color)
        for y, row in enumerate(counts):
            for x, count in enumerate(row):
                if not count:
                    continue  # empty cells stay background, so the pattern stands out
                share = FAINT_SHARE + (1 - FAINT_SHARE) * count / top
                shade = tuple(round(channel * share) for channel in full)
                plt.rectangle([x - 0.5, x + 0.5], [y - 0.5, y + 0.5], marker="sd", color=shade, fill=True)
                plt.text(str(count), x, y, alignment="center", background=shade, color="white")
        plt.yreverse(True)
        plt.xlim(-0.5, columns - 0.5)
        plt.ylim(-0.5, len(rows) - 0.5)
        plt.xticks(list(range(columns)), [str(number) for number in range(1, columns + 1)])
        plt.yticks(list(range(len(rows))), [label(name) for name in rows])
        self.refresh()
