"""Reading the CSV and XLSX tables users name on the command line or in configuration files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zerocity.errors import ZerocityError

__all__ = ["EXCEL_SUFFIXES", "TableFileError", "read_table"]


class TableFileError(ZerocityError, ValueError):
    """A table file that cannot be read (missing, not CSV/XLSX, bad sheet)."""

    code = "file"


EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def read_table(path: Path, sheet: str | None = None, *, as_text: bool = False) -> pd.DataFrame:
    """Read a CSV or XLSX table named on the command line (``as_text``: every cell as a string).

    Raises
    ------
    TableFileError
        Naming the file and why it cannot be read.
    """
    text = {"dtype": str, "keep_default_na": False} if as_text else {}
    try:
        if path.suffix.lower() in EXCEL_SUFFIXES:
            return pd.read_excel(path, sheet_name=sheet or 0, **text)
        return pd.read_csv(path, **text)
    except (OSError, ValueError) as exc:
        raise TableFileError(f"{path}: cannot read table: {exc}") from exc
