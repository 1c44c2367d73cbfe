"""Reports for people: the city inventory (GPC layout), enterprise accounts and scenario pathways.

Each report is built as format-free content (:mod:`zerocity.reports.document`) in English or
Simplified Chinese through the message catalogue (:mod:`zerocity.i18n`), then written as PDF
(WeasyPrint, :mod:`zerocity.reports.pdf`) or XLSX (openpyxl, :mod:`zerocity.reports.xlsx`).

>>> report = build_inventory_report(result, lang="zh", city="示范市")   # doctest: +SKIP
>>> write_report(report, "inventory.pdf", "pdf")                        # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from zerocity.reports.document import Report, ReportError, ReportFormat
from zerocity.reports.enterprise import build_enterprise_report
from zerocity.reports.inventory import build_inventory_report
from zerocity.reports.scenario import build_scenario_report

__all__ = [
    "Report",
    "ReportError",
    "ReportFormat",
    "build_enterprise_report",
    "build_inventory_report",
    "build_scenario_report",
    "report_bytes",
    "write_report",
]

#: Media type of each report format (HTTP downloads).
MEDIA_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def write_report(report: Report, path: str | os.PathLike[str], fmt: ReportFormat | str) -> Path:
    """Write a report as PDF or XLSX.

    Parameters
    ----------
    report : Report
    path : path-like
        Target file (its folder must exist).
    fmt : {"pdf", "xlsx"}

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ReportError
        For an unknown format.
    """
    kind = fmt if isinstance(fmt, ReportFormat) else ReportFormat.parse(fmt)
    if kind is ReportFormat.PDF:
        from zerocity.reports.pdf import write_pdf

        return write_pdf(report, path)
    from zerocity.reports.xlsx import write_xlsx

    return write_xlsx(report, path)


def report_bytes(report: Report, fmt: ReportFormat | str) -> tuple[bytes, str, str]:
    """A report as file content, for a download.

    Parameters
    ----------
    report : Report
    fmt : {"pdf", "xlsx"}

    Returns
    -------
    content : bytes
    media_type : str
    suffix : str
        ``pdf`` or ``xlsx``.

    Raises
    ------
    ReportError
        For an unknown format.
    """
    kind = fmt if isinstance(fmt, ReportFormat) else ReportFormat.parse(fmt)
    with tempfile.TemporaryDirectory(prefix="zerocity-report-") as folder:
        path = write_report(report, Path(folder) / f"report.{kind.value}", kind)
        return path.read_bytes(), MEDIA_TYPES[kind], kind.value
