"""The content of a report, independent of its format: sections of tables, key figures, text and charts.

A report builder (:mod:`zerocity.reports.inventory`, ``enterprise``, ``scenario``) turns a result
into a :class:`Report` whose text is already translated; the renderers
(:mod:`zerocity.reports.pdf`, :mod:`zerocity.reports.xlsx`) lay the same content out as a PDF
(HTML + WeasyPrint) or a workbook (openpyxl). Numbers stay numbers until a renderer formats them,
so a workbook holds the values themselves and a PDF the locale's rendering of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from zerocity.errors import ZerocityError

__all__ = [
    "Block",
    "Chart",
    "ChartKind",
    "Column",
    "ColumnKind",
    "KeyValues",
    "Paragraph",
    "Report",
    "ReportError",
    "ReportFormat",
    "Section",
    "Table",
]


class ReportError(ZerocityError, ValueError):
    """A report that cannot be made from the inputs given (unknown format, missing entity...)."""

    code = "report"


class ReportFormat(StrEnum):
    """Output formats of a report."""

    PDF = "pdf"
    XLSX = "xlsx"

    @classmethod
    def parse(cls, value: str) -> ReportFormat:
        """The format of a name (case-insensitive).

        Raises
        ------
        ReportError
            For a format other than ``pdf`` or ``xlsx``.
        """
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise ReportError(
                f"unknown report format {value!r}; expected one of {', '.join(f.value for f in cls)}"
            ) from None


class ColumnKind(StrEnum):
    """How the values of a table column are shown."""

    TEXT = "text"
    CODE = "code"  # text kept on one line (identifiers, units)
    NUMBER = "number"
    INTEGER = "integer"
    PERCENT = "percent"


class ChartKind(StrEnum):
    """Charts a report can hold."""

    BAR = "bar"  # horizontal bars, one per category
    LINE = "line"  # one line per series over numeric x values (years)
    STACKED_AREA = "stacked_area"  # series stacked over numeric x values (wedges)


@dataclass(frozen=True)
class Column:
    """A table column: heading and kind of values."""

    label: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True)
class Table:
    """A table.

    Attributes
    ----------
    columns : list of Column
    rows : list of list
        Cell values: ``str``, numbers or None (blank).
    styles : list of str, optional
        Per row: ``""``, ``"total"`` (bold) or ``"muted"`` (greyed: not reported).
    caption : str
        Heading shown above the table.
    notes : list of str
        Lines shown below it.
    """

    columns: list[Column]
    rows: list[list[Any]]
    styles: list[str] | None = None
    caption: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"table {self.caption!r}: row {i} has {len(row)} cells, expected {width}")
        if self.styles is not None and len(self.styles) != len(self.rows):
            raise ValueError(f"table {self.caption!r}: {len(self.styles)} styles for {len(self.rows)} rows")

    def style(self, i: int) -> str:
        """Style of row ``i``."""
        return self.styles[i] if self.styles is not None else ""


@dataclass(frozen=True)
class KeyValues:
    """Labelled values (a cover, key figures). A value is text or a number; ``kind`` says how to show numbers."""

    rows: list[tuple[str, Any]]
    kind: ColumnKind = ColumnKind.NUMBER
    caption: str = ""


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``note`` for small print."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart and its data.

    Attributes
    ----------
    kind : ChartKind
    title : str
        Title, with the unit of the values in brackets.
    categories : list
        Bar labels (``BAR``) or x values, e.g. years (``LINE``, ``STACKED_AREA``).
    series : dict of str to list of float
        Name -> one value per category, in the unit of the title (already scaled).
    """

    kind: ChartKind
    title: str
    categories: list[Any]
    series: dict[str, list[float]]

    def __post_init__(self) -> None:
        for name, values in self.series.items():
            if len(values) != len(self.categories):
                n = len(self.categories)
                raise ValueError(f"chart {self.title!r}: series {name!r} has {len(values)} values for {n} categories")


Block = Table | KeyValues | Paragraph | Chart

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Section:
    """A titled part of a report: one heading in the PDF, one sheet in the workbook.

    Attributes
    ----------
    key : str
        Sheet name in the workbook (stable across languages so programs can read it; at most 31
        characters, none of the characters ``[]:*?/`` and no backslash).
    title : str
        Heading (translated).
    blocks : list of Block
    wide : bool
        Lay the section out on landscape pages in the PDF (tables of many columns).
    """

    key: str
    title: str
    blocks: list[Block]
    wide: bool = False

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > 31 or _SHEET_BAD.search(self.key):
            raise ValueError(f"section key {self.key!r} is not a valid sheet name")


@dataclass(frozen=True)
class Report:
    """A whole report.

    Attributes
    ----------
    lang : str
        Language of its text (``en``, ``zh``).
    title : str
    subtitle : str
        E.g. the city or enterprise and the period.
    cover : KeyValues
        What the report is about (shown on the first page and the ``Cover`` sheet).
    sections : list of Section
    footer : str
        Running footer of every PDF page (generator, date).
    """

    lang: str
    title: str
    subtitle: str
    cover: KeyValues
    sections: list[Section]
    footer: str

    def __post_init__(self) -> None:
        keys = [s.key for s in self.sections]
        if len(set(keys)) != len(keys) or "Cover" in keys:
            raise ValueError(f"section keys must be unique and not 'Cover': {keys}")

    def section(self, key: str) -> Section:
        """The section with a key.

        Raises
        ------
        KeyError
            When there is none.
        """
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)
