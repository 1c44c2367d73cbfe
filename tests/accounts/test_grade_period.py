"""Regression (issue 10, bug d): one grading function on loaded tables, used by the CLI and the API."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zerocity.accounts.enterprise import AccountsError, grade_period, validate_registry
from zerocity.cli_enterprise import graded_accounts

A, B = "91320100MA1XXXXX9R", "91320100MA1YYYYY2C"  # valid GB 32100-2015 check characters
RECORDS = (
    "activity,amount,unit,year,gpc_ref,region,entity\n"
    f"electricity_grid,1000000,kWh,2022,I.3.2,CN,{A}\n"
    f"electricity_grid,3000000,kWh,2022,I.3.2,CN,{B}\n"
    "electricity_grid,5000000,kWh,2022,I.3.2,CN,\n"  # the city's own use: no entity, not an account
)
REGISTRY = (
    "uscc,name,industry_code,district,land_area_mu,output_value_10k_yuan,employees\n"
    f"{A},Alpha Steel,C3011,320102,10,1000,100\n"
    f"{B},Beta Cement,C3011,320102,30,1000,200\n"
)


def _tables(tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, Path, Path]:
    records, registry = tmp_path / "records.csv", tmp_path / "registry.csv"
    records.write_text(RECORDS, encoding="utf-8")
    registry.write_text(REGISTRY, encoding="utf-8")
    reg = validate_registry(pd.read_csv(registry, dtype=str, keep_default_na=False))
    return reg, pd.read_csv(records), registry, records


def test_grades_by_hand(tmp_path: Path) -> None:
    reg, rec, _, _ = _tables(tmp_path)
    year, graded = grade_period(reg, rec)
    assert year == 2022
    rows = graded.set_index("uscc")
    # 1,000,000 kWh x 0.5366 kg/kWh (MEE & NBS 2022 national grid factor) = 536.6 t; 3x = 1609.8 t.
    assert rows.loc[A, "scope2_tco2e"] == pytest.approx(536.6, rel=1e-6)
    assert rows.loc[B, "scope2_tco2e"] == pytest.approx(1609.8, rel=1e-6)
    # 1,000,000 kWh x 0.1229 kgce/kWh (GB/T 2589-2020 calorific) = 122.9 tce.
    assert rows.loc[A, "energy_tce"] == pytest.approx(122.9, rel=1e-6)
    # Peer average (536.6 + 1609.8) / 2000 = 1.0732; ratios 0.5 -> grade 1, 1.5 -> grade 4.
    assert rows.loc[A, "ratio"] == pytest.approx(0.5, rel=1e-6) and rows.loc[B, "ratio"] == pytest.approx(1.5, rel=1e-6)
    assert (rows.loc[A, "grade"], rows.loc[B, "grade"]) == (1, 4)
    # Equivalent convention: 1,000,000 kWh x 0.300 kgce/kWh = 300 tce.
    _, equivalent = grade_period(reg, rec, electricity="equivalent", equivalent_kgce_per_kwh=0.3)
    assert equivalent.set_index("uscc").loc[A, "energy_tce"] == pytest.approx(300.0, rel=1e-6)


def test_the_cli_loads_the_files_and_grades_with_it(tmp_path: Path) -> None:
    reg, rec, registry, records = _tables(tmp_path)
    from_files = graded_accounts(registry, records, None, "calorific", None, None)
    _, from_tables = grade_period(reg, rec)
    pd.testing.assert_frame_equal(from_files.reset_index(drop=True), from_tables.reset_index(drop=True))


def test_refusals_name_the_problem(tmp_path: Path) -> None:
    reg, rec, _, _ = _tables(tmp_path)
    with pytest.raises(AccountsError, match="no record of an entity in 1999"):
        grade_period(reg, rec, year=1999, source="records.csv")
    with pytest.raises(AccountsError, match="no record has an entity"):
        grade_period(reg, rec.assign(entity=""), source="records.csv")
    with pytest.raises(AccountsError, match="column"):
        grade_period(reg, rec.drop(columns="entity"))
    with pytest.raises(AccountsError, match="kgce/kWh"):
        grade_period(reg, rec, electricity="equivalent")
    with pytest.raises(AccountsError, match="calorific or equivalent"):
        grade_period(reg, rec, electricity="thermal")
