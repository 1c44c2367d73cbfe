"""Regression (issue 10, bug a): a quota year without usage rows is projected, not a crash."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from zerocity.accounts.allowances import project_quotas
from zerocity.errors import InvalidRecordsError

QUOTAS = pd.DataFrame({"entity": ["A", "B"], "quota": [1200.0, 600.0], "year": [2025, 2025]})
NO_USAGE = pd.DataFrame(columns=["entity", "time", "amount"])


def _no_data(row: pd.Series) -> None:
    """Zero use to date, nothing observed, nothing projected (NaN, as for an entity with no rows), ok."""
    assert row["consumed"] == 0.0
    assert pd.isna(row["as_of"]) and math.isnan(row["elapsed_share"])
    assert row["method"] == "no data"
    assert math.isnan(row["projected"]) and math.isnan(row["projected_share"])
    assert pd.isna(row["crosses_80"]) and pd.isna(row["crosses_100"])
    assert row["status"] == "ok"


def test_usage_only_in_an_earlier_year() -> None:
    # A full 2024 (100 a month) but nothing yet in the quota year 2025: it crashed in pandas.
    usage = pd.DataFrame({"entity": ["A"] * 12, "time": [f"2024-{m:02d}" for m in range(1, 13)], "amount": 100.0})
    result = project_quotas(QUOTAS, usage)
    assert list(result["entity"]) == ["A", "B"] and list(result["year"]) == [2025, 2025]
    assert list(result["quota"]) == [1200.0, 600.0]
    for _, row in result.iterrows():
        _no_data(row)


def test_no_usage_at_all_with_the_year_given() -> None:
    result = project_quotas(QUOTAS.drop(columns="year"), NO_USAGE, year=2025, thresholds=[0.5])
    assert list(result["year"]) == [2025, 2025] and "crosses_50" in result
    assert (result["method"] == "no data").all() and (result["consumed"] == 0.0).all()


def test_the_year_from_the_quotas() -> None:
    for _, row in project_quotas(QUOTAS, NO_USAGE).iterrows():
        _no_data(row)


def test_no_year_anywhere_names_the_year() -> None:
    with pytest.raises(InvalidRecordsError) as caught:
        project_quotas(QUOTAS.drop(columns="year"), NO_USAGE, source="quotas.csv")
    (issue,) = caught.value.issues
    assert (issue.row, issue.column) == (0, "year") and "no quota year" in issue.message
    assert "quotas.csv" in str(caught.value)


def test_a_year_with_usage_still_projects() -> None:
    # Unchanged rule, by hand: 100 in each of January-March 2025 (no 2024): C = 300 by 1 April,
    # f = 90/365, linear P = 300 x 365 / 90 = 1216.67 for A; B has no rows (no data).
    usage = pd.DataFrame({"entity": ["A"] * 3, "time": ["2025-01", "2025-02", "2025-03"], "amount": 100.0})
    result = project_quotas(QUOTAS, usage).set_index("entity")
    assert result.loc["A", "method"] == "linear"
    assert result.loc["A", "projected"] == pytest.approx(300 * 365 / 90, rel=1e-9)
    _no_data(result.loc["B"])
