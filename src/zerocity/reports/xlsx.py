"""Workbook rendering of a :class:`~zerocity.reports.document.Report` with openpyxl.

Sheets: ``Cover`` (title, subtitle, the cover's key values), then one sheet per section, named
by the section's key (the same in every language, so programs can find them). Blocks are written
top to bottom: a caption row in bold, then the table with a bold header; numbers are numbers
(with a number format), never text. A chart writes its data as a table and an openpyxl chart
(bar, line or stacked area) next to it that reads those cells.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import AreaChart, BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from zerocity.reports.document import Chart, ChartKind, ColumnKind, KeyValues, Paragraph, Report, Table

__all__ = ["write_xlsx"]

log = logging.getLogger(__name__)

_NUMBER = "#,##0.0##"
_INTEGER = "#,##0"
_PERCENT = "0.0"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_MUTED = Font(color="9AA5B1")
_HEADER_FILL = PatternFill("solid", fgColor="F0F4F8")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _width(value: Any) -> int:
    """Display width of a cell's text (East Asian wide characters count twice)."""
    text = f"{value:,.1f}" if isinstance(value, float) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _format(kind: ColumnKind) -> str | None:
    return {ColumnKind.NUMBER: _NUMBER, ColumnKind.INTEGER: _INTEGER, ColumnKind.PERCENT: _PERCENT}.get(kind)


class _Sheet:
    """Writes blocks down one worksheet and keeps column widths."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        self.widths: dict[int, int] = {}

    def put(
        self, row: int, col: int, value: Any, *, number_format: str | None = None, font: Font | None = None
    ) -> None:
        if isinstance(value, str) and value.startswith("="):
            cell = self.ws.cell(row=row, column=col)
            cell.value = value
            cell.data_type = "s"  # text, never a formula
        else:
            cell = self.ws.cell(row=row, column=col, value=value)
        if number_format and isinstance(value, int | float) and not isinstance(value, bool):
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        if value is not None:
            self.widths[col] = max(self.widths.get(col, 0), min(_width(value), 60))

    def caption(self, text: str) -> None:
        if text:
            self.put(self.row, 1, text, font=_BOLD)
            self.row += 1

    def table(self, block: Table) -> tuple[int, int]:
        """Write a table; returns the rows of its header and of its last line."""
        self.caption(block.caption)
        header = self.row
        for j, col in enumerate(block.columns, start=1):
            self.put(header, j, col.label, font=_BOLD)
            self.ws.cell(row=header, column=j).fill = _HEADER_FILL
        for i, values in enumerate(block.rows):
            r = header + 1 + i
            style = block.style(i)
            font = _BOLD if style in {"total", "group"} else _MUTED if style == "muted" else None
            for j, (v, col) in enumerate(zip(values, block.columns, strict=True), start=1):
                self.put(r, j, v, number_format=_format(col.kind), font=font)
        last = header + len(block.rows)
        self.row = last + 1
        for note in block.notes:
            self.put(self.row, 1, note)
            self.row += 1
        self.row += 1
        return header, last

    def key_values(self, block: KeyValues) -> None:
        self.caption(block.caption)
        for label, value in block.rows:
            self.put(self.row, 1, label)
            self.put(self.row, 2, value, number_format=_format(block.kind), font=_BOLD)
            self.row += 1
        self.row += 1

    def paragraph(self, block: Paragraph) -> None:
        self.put(self.row, 1, block.text, font=_MUTED if block.note else None)
        self.ws.cell(row=self.row, column=1).alignment = Alignment(wrap_text=False)
        self.widths[1] = self.widths.get(1, 0)  # long text overflows to the right, it sets no width
        self.row += 2

    def chart(self, block: Chart) -> None:
        from zerocity.reports.document import Column

        names = list(block.series)
        first_kind = ColumnKind.INTEGER if block.kind is not ChartKind.BAR else ColumnKind.TEXT
        table = Table(
            columns=[Column("", first_kind), *(Column(n, ColumnKind.NUMBER) for n in names)],
            rows=[[c, *(block.series[n][i] for n in names)] for i, c in enumerate(block.categories)],
            caption=block.title,
        )
        header, last = self.table(table)
        if last <= header:
            return
        chart: BarChart | LineChart | AreaChart
        if block.kind is ChartKind.BAR:
            chart = BarChart()
            chart.type = "bar"
            chart.legend = None
        elif block.kind is ChartKind.LINE:
            chart = LineChart()
        else:
            chart = AreaChart()
            chart.grouping = "stacked"
        chart.title = block.title
        chart.height, chart.width = 7.5, 16.0
        data = Reference(self.ws, min_col=2, max_col=1 + len(names), min_row=header, max_row=last)
        cats = Reference(self.ws, min_col=1, min_row=header + 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        anchor = f"{get_column_letter(len(names) + 3)}{header}"
        self.ws.add_chart(chart, anchor)
        # Keep the next block below the chart (about 15 rows of default height).
        self.row = max(self.row, header + 16)

    def finish(self) -> None:
        for col, w in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = max(8, min(w + 2, 62))
        self.ws.sheet_view.showGridLines = False


def write_xlsx(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write a report as an Excel workbook.

    Parameters
    ----------
    report : Report
    path : path-like
        Target ``.xlsx`` file (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    out = Path(path)
    wb = Workbook()
    cover = _Sheet(wb.active)
    cover.ws.title = "Cover"
    cover.put(1, 1, report.title, font=_TITLE)
    cover.put(2, 1, report.subtitle)
    cover.row = 4
    cover.key_values(report.cover)
    cover.put(cover.row, 1, report.footer, font=_MUTED)
    cover.widths[1] = max(cover.widths.get(1, 0), 30)
    cover.finish()
    for section in report.sections:
        sheet = _Sheet(wb.create_sheet(section.key))
        sheet.put(1, 1, section.title, font=_TITLE)
        sheet.row = 3
        for block in section.blocks:
            if isinstance(block, Table):
                sheet.table(block)
            elif isinstance(block, KeyValues):
                sheet.key_values(block)
            elif isinstance(block, Paragraph):
                sheet.paragraph(block)
            elif isinstance(block, Chart):
                sheet.chart(block)
        sheet.finish()
        sheet.ws.freeze_panes = "A2"
    wb.save(out)
    log.info("wrote XLSX report %r to %s", report.title, out)
    return out
