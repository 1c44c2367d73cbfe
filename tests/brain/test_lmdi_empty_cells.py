"""Regression (issue 10, bug c): empty cells give the module's validation error with row and column."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from zerocity.brain import decompose
from zerocity.errors import InvalidRecordsError


def _issues(frame: pd.DataFrame) -> list[tuple[int, str, str]]:
    with pytest.raises(InvalidRecordsError) as caught:
        decompose(frame, value="V", factors=["A", "B"], sectors=["sector"], source="table.csv")
    assert "table.csv" in str(caught.value)
    return [(i.row, i.column, i.message) for i in caught.value.issues]


def _rows(**changes: list) -> pd.DataFrame:
    base = {"year": [2020, 2021], "sector": ["x", "x"], "A": [1.0, 2.0], "B": [2.0, 2.0], "V": [2.0, 4.0]}
    return pd.DataFrame({**base, **changes})


def test_empty_period_among_numbers() -> None:
    # A JSON table: the period of row 2 is "" among integers (sorting the periods raised TypeError).
    assert _issues(_rows(year=[2020, ""])) == [(2, "year", "missing key (empty cell)")]


def test_empty_sector_and_factor_cells_of_a_text_table() -> None:
    text = "year,sector,A,B,V\n2020,x,1,2,2\n2021,,2,2,4\n2021,y,,2,4\n"
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)  # empty cells stay ""
    assert _issues(frame) == [
        (2, "sector", "missing key (empty cell)"),
        (3, "A", "empty cell: a number >= 0 is needed"),
    ]


def test_a_period_of_text_among_numbers_is_named() -> None:
    assert _issues(_rows(year=[2020, "y2021"])) == [(2, "year", "not a period like the others (a number)")]


def test_number_text_among_numbers_is_read() -> None:
    # Hand check: V goes 2 -> 4 by A alone (B constant): additive effect of A = V^T - V^0 = 2.
    result = decompose(_rows(year=[2020, "2021"]), value="V", factors=["A", "B"], sectors=["sector"])
    assert result.effects["A"] == pytest.approx(2.0, abs=1e-12) and result.effects["B"] == pytest.approx(0.0)
