"""Enterprise accounts (:mod:`zerocity.accounts.enterprise`): registry, accounts, carbon code, export.

Hand-worked numbers are written next to each test; the only external figures are GB/T 2589-2020
Appendix A coefficients (raw coal 0.7143 kgce/kg, electricity 0.1229 kgce/kWh).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zerocity.accounts.enterprise import (
    AccountsError,
    ElectricityConvention,
    compute_accounts,
    emissions_by_scope,
    energy_tce_by_entity,
    export_for_finance,
    grade_accounts,
    load_carbon_code_config,
    read_registry,
    validate_registry,
)
from zerocity.errors import InvalidRecordsError
from zerocity.identifiers import make_uscc

#: Relative tolerance of hand-worked sums (floating-point only).
REL = 1e-9


def _codes(n: int) -> list[str]:
    return [make_uscc("9", "1", "320400", f"{10000000 + i:08d}") for i in range(n)]


def _registry(n: int = 3, **overrides: list[object]) -> pd.DataFrame:
    codes = _codes(n)
    data: dict[str, list[object]] = {
        "uscc": codes,
        "name": [f"Firm {i}" for i in range(n)],
        "industry_code": ["C3011"] * n,
        "district": ["329901"] * n,
        "land_area_mu": [15.0] * n,
        "output_value_10k_yuan": [1000.0] * n,
        "employees": [100] * n,
    }
    data.update(overrides)
    return pd.DataFrame(data)


# ---------------------------------------------------------------------------------------- registry
def test_registry_accepts_a_published_code_and_converts_land() -> None:
    # 91350100M000100Y43: a published code (the GB 32100-2015 example layout) that validates.
    reg = _registry(1, uscc=["91350100M000100Y43"], land_area_mu=[""], land_area_ha=["2"])
    out = validate_registry(reg)
    assert out.loc[0, "uscc"] == "91350100M000100Y43"
    assert out.loc[0, "land_area_mu"] == pytest.approx(30.0)  # 2 ha = 20 000 m2 = 30 mu (1 mu = 10000/15 m2)
    assert out.loc[0, "land_area_ha"] == pytest.approx(2.0)


def test_registry_reports_every_bad_cell_with_row_and_column() -> None:
    good = _codes(3)
    corrupted = good[1][:17] + ("0" if good[1][17] != "0" else "1")  # wrong check character
    reg = _registry(
        3,
        uscc=[good[0], corrupted, "91320400MA1ABCDE0O"],
        industry_code=["C3011", "3011", "C30"],
        output_value_10k_yuan=["1000", "-5", "abc"],
        employees=["10", "2.5", ""],
    )
    with pytest.raises(InvalidRecordsError) as info:
        validate_registry(reg, source="reg.csv")
    found = {(i.row, i.column) for i in info.value.issues}
    assert (2, "uscc") in found and (3, "uscc") in found
    assert (2, "industry_code") in found and (3, "industry_code") not in found  # C30: a division, allowed
    assert {(2, "output_value_10k_yuan"), (3, "output_value_10k_yuan")} <= found
    assert {(2, "employees"), (3, "employees")} <= found
    msg = {(i.row, i.column): i.message for i in info.value.issues}
    assert "check character" in msg[(2, "uscc")]
    assert "O" in msg[(3, "uscc")] and "never used" in msg[(3, "uscc")]
    assert "reg.csv" in info.value.report()


def test_registry_refuses_duplicates_missing_columns_and_disagreeing_land() -> None:
    reg = _registry(2)
    reg.loc[1, "uscc"] = reg.loc[0, "uscc"]
    with pytest.raises(InvalidRecordsError, match="duplicate"):
        validate_registry(reg)
    with pytest.raises(InvalidRecordsError, match="employees"):
        validate_registry(_registry(1).drop(columns="employees"))
    with pytest.raises(InvalidRecordsError, match="disagree"):
        validate_registry(_registry(1, land_area_ha=[5.0]))  # 15 mu = 1 ha, not 5


def test_read_registry_csv_and_xlsx(tmp_path: Path) -> None:
    reg = _registry(2)
    reg.to_csv(tmp_path / "r.csv", index=False)
    reg.to_excel(tmp_path / "r.xlsx", index=False)
    a, b = read_registry(tmp_path / "r.csv"), read_registry(tmp_path / "r.xlsx")
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(AccountsError):
        read_registry(tmp_path / "r.json")


# ---------------------------------------------------------------------------------------- accounts
def _emissions(rows: list[tuple[str, int, float]], year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "entity": [r[0] for r in rows],
            "scope": [r[1] for r in rows],
            "tco2e": [r[2] for r in rows],
            "year": year,
            "biogenic": False,
        }
    )


def test_emissions_by_scope_groups_and_totals() -> None:
    em = _emissions([("A", 1, 10.0), ("A", 1, 5.0), ("A", 2, 3.0), ("B", 3, 1.0), ("", 1, 99.0)])
    em.loc[len(em)] = ["A", 1, 100.0, 2024, True]  # biogenic: memo item, left out
    out = emissions_by_scope(em)
    assert out.loc["A"].tolist() == [15.0, 3.0, 0.0, 18.0]
    assert out.loc["B"].tolist() == [0.0, 0.0, 1.0, 1.0]
    assert "" not in out.index


def test_energy_tce_uses_gbt2589_coefficients_and_both_electricity_conventions() -> None:
    rec = pd.DataFrame(
        {
            "entity": ["A", "A", "A"],
            "year": [2024] * 3,
            "activity": ["raw_coal", "electricity_grid", "limestone"],
            "amount": [100.0, 1000.0, 50.0],
            "unit": ["t", "MWh", "t"],
        }
    )
    energy, skipped = energy_tce_by_entity(rec, year=2024)
    # 100 t x 0.7143 kgce/kg = 71.43 tce; 1 000 000 kWh x 0.1229 kgce/kWh = 122.9 tce
    assert energy["A"] == pytest.approx(71.43 + 122.9, rel=1e-6)
    assert skipped == ["limestone [t]"]
    eq, _ = energy_tce_by_entity(rec, electricity=ElectricityConvention.EQUIVALENT, equivalent_kgce_per_kwh=0.3)
    assert eq["A"] == pytest.approx(71.43 + 300.0, rel=1e-6)
    with pytest.raises(AccountsError, match="equivalent"):
        energy_tce_by_entity(rec, electricity="equivalent")


def test_compute_accounts_intensities_by_hand() -> None:
    reg = validate_registry(_registry(2, output_value_10k_yuan=[1000.0, 0.0], employees=[100, 50]))
    a, b = reg["uscc"]
    em = _emissions([(a, 1, 800.0), (a, 2, 200.0), (a, 3, 50.0), (b, 1, 10.0)])
    acc = compute_accounts(reg, emissions=em, year=2024).set_index("uscc")
    # A: (800 + 200) / 1000 = 1.0 t/10^4 yuan; total 1050 / 15 mu = 70 t/mu; 1050 / 100 = 10.5 t/person
    assert acc.loc[a, "intensity_tco2e_per_10k_yuan"] == pytest.approx(1.0, rel=REL)
    assert acc.loc[a, "tco2e_per_mu"] == pytest.approx(70.0, rel=REL)
    assert acc.loc[a, "tco2e_per_employee"] == pytest.approx(10.5, rel=REL)
    assert np.isnan(acc.loc[b, "intensity_tco2e_per_10k_yuan"])  # no output: no intensity
    assert np.isnan(acc.loc[a, "energy_tce"])  # no records given


# ------------------------------------------------------------------------------------- carbon code
def _accounts(intensity: list[float], output: list[float], codes: list[str]) -> pd.DataFrame:
    n = len(intensity)
    out = np.asarray(output, dtype=float)
    emis = np.asarray(intensity, dtype=float) * out
    return pd.DataFrame(
        {
            "uscc": [f"E{i}" for i in range(n)],
            "industry_code": codes,
            "output_value_10k_yuan": out,
            "scope1_tco2e": emis,
            "scope2_tco2e": 0.0,
            "intensity_tco2e_per_10k_yuan": np.where(out > 0, emis / np.where(out > 0, out, 1), np.nan),
            "year": 2024,
        }
    )


def test_grades_by_hand_against_the_output_weighted_average() -> None:
    # Five peers, output 100 each, intensities 0.4, 0.8, 1.0, 1.2, 2.6: industry average
    # = sum(emissions) / sum(output) = (40 + 80 + 100 + 120 + 260) / 500 = 1.2.
    # Ratios 1/3, 2/3, 5/6, 1.0, 13/6 -> grades 1, 2, 3, 3, 5; percentiles 20, 40, 60, 80, 100.
    acc = _accounts([0.4, 0.8, 1.0, 1.2, 2.6], [100] * 5, ["C3011"] * 5)
    g = grade_accounts(acc)
    assert g["industry_intensity"].tolist() == pytest.approx([1.2] * 5)
    assert g["ratio"].tolist() == pytest.approx([1 / 3, 2 / 3, 5 / 6, 1.0, 13 / 6])
    assert g["grade"].tolist() == [1, 2, 3, 3, 5]
    assert g["colour"].tolist() == ["dark_green", "green", "yellow", "yellow", "red"]
    assert g["percentile"].tolist() == pytest.approx([20, 40, 60, 80, 100])
    assert g["class_level"].unique().tolist() == ["class"]
    assert "0.33x the class C3011 average 1.200 (percentile 20 of 5 peers)" in g.loc[0, "explanation"]


def test_ratio_on_a_threshold_takes_the_better_grade() -> None:
    # Two peers, equal output, intensities 1 and 3: average 2; ratios 0.5 and 1.5 -> grades 1 and 4.
    cfg = load_carbon_code_config().model_copy(update={"min_peers": 2})
    g = grade_accounts(_accounts([1.0, 3.0], [10, 10], ["C3011"] * 2), config=cfg)
    assert g["grade"].tolist() == [1, 4]


def test_small_classes_fall_back_to_the_division_then_the_section() -> None:
    # C3011 has 2 peers (< min_peers 3): division C30 (C3011 + C3021, 4 peers) is used.
    # C1713 has 1 peer, division C17 has 1: section C (all 5) is used.
    codes = ["C3011", "C3011", "C3021", "C3021", "C1713"]
    cfg = load_carbon_code_config().model_copy(update={"min_peers": 3})
    g = grade_accounts(_accounts([1, 1, 1, 1, 1], [1] * 5, codes), config=cfg)
    assert g["class_level"].tolist() == ["division"] * 4 + ["section"]
    assert g["peer_group"].tolist() == ["C30"] * 4 + ["C"]
    assert g["peers"].tolist() == [4, 4, 4, 4, 5]


def test_trend_against_the_previous_period() -> None:
    cfg = load_carbon_code_config().model_copy(update={"min_peers": 1})
    now = _accounts([0.9, 1.0, 1.1, 1.0], [1] * 4, ["C3011"] * 4)
    before = _accounts([1.0, 1.0, 1.0, 1.0], [1] * 4, ["C3011"] * 4).iloc[:3]
    g = grade_accounts(now, config=cfg, previous=before)
    assert g["intensity_change_pct"].iloc[:3].tolist() == pytest.approx([-10.0, 0.0, 10.0])
    assert g["trend"].tolist() == ["improving", "stable", "worsening", "new"]


def test_entities_without_output_are_not_graded() -> None:
    g = grade_accounts(_accounts([1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [1, 1, 1, 1, 1, 0], ["C3011"] * 6))
    assert g["grade"].isna().tolist() == [False] * 5 + [True]
    assert g.loc[5, "explanation"].startswith("not graded")


def test_config_schema_refuses_bad_thresholds(tmp_path: Path) -> None:
    cfg = load_carbon_code_config()
    assert cfg.thresholds == [0.5, 0.8, 1.2, 2.0]
    bad = tmp_path / "c.yaml"
    bad.write_text("version: 1\nthresholds: [1, 0.5, 2, 3]\ngrades: []\n", encoding="utf-8")
    with pytest.raises(AccountsError, match="thresholds"):
        load_carbon_code_config(bad)


def test_export_without_ledger_marks_status_unknown() -> None:
    g = grade_accounts(_accounts([0.4, 0.8, 1.0, 1.2, 2.6], [100] * 5, ["C3011"] * 5))
    ex = export_for_finance(g, tenant="demo")
    assert ex["verified_status"].unique().tolist() == ["unknown"]
    assert ex.loc[0, "report_id"] == "report:demo:E0:2024"


# ---------------------------------------------------------------------------------------- demo city
@pytest.fixture(scope="module")
def demo_grades() -> tuple[pd.DataFrame, pd.DataFrame]:
    from zerocity.demo import build_demo_city
    from zerocity.inventory import compute_inventory

    city = build_demo_city()
    reg = validate_registry(city.enterprises)
    rec = city.records[(city.records["entity"] != "") & city.records["year"].isin([2023, 2024])]
    inv = compute_inventory(rec, region=city.region)
    acc = compute_accounts(reg, emissions=inv.emissions, records=rec, year=2024)
    return acc, city.enterprises


def test_demo_city_registry_validates_and_energy_matches_its_records(
    demo_grades: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    acc, ent = demo_grades
    assert len(acc) == 400
    # The generator's energy_2024_tce uses the calorific value of electricity from the unit registry
    # (3.6 MJ/kWh -> 0.12284 kgce/kWh) and its own heat/gas coefficients; the accounts use the GB/T
    # 2589 printed coefficients. They agree to 3 %.
    got = acc.set_index("uscc")["energy_tce"].sum()
    assert got == pytest.approx(ent["energy_2024_tce"].sum(), rel=0.03)


def test_demo_city_grades_spread_over_all_five_levels(demo_grades: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    acc, _ = demo_grades
    # The Demo City draws each plant's energy efficiency around its industry's profile
    # (lognormal, sigma 0.45), so peers of one class differ and every grade occurs with the
    # shipped thresholds; the middle grade is the most common, as city carbon codes report.
    graded = grade_accounts(acc)
    counts = graded["grade"].value_counts()
    assert set(counts.index) == {1, 2, 3, 4, 5}
    assert counts.idxmax() == 3
    closed = acc["output_value_10k_yuan"] == 0
    assert graded["grade"].isna().tolist() == closed.tolist()
