"""Reference inventories worked out by hand from published tables.

Every expected number is computed in the test from the constants below, each cited; nothing is
compared with an earlier output of the code.

Published values used
---------------------
IPCC 2006 Guidelines, Vol. 2 (Energy):
* Ch. 1 Table 1.2 (net calorific values, TJ/Gg = GJ/t): natural gas 48.0, other bituminous
  coal 25.8, gas/diesel oil 43.0, wood/wood waste 15.6.
* Ch. 1 Table 1.4 (CO2, kg/TJ): natural gas 56 100 (95% range 54 300-58 300, i.e. -3.2%/+3.9%),
  other bituminous coal 94 600, wood/wood waste 112 000 (biogenic: memo item, Vol. 2 Ch. 2
  section 2.3.3.4).
* Ch. 2 Table 2.2 (energy industries, kg/TJ): natural gas CH4 1, N2O 0.1.
* Ch. 2 Table 2.3 (manufacturing industries and construction, kg/TJ): coal CH4 10, N2O 1.5.
* Ch. 2 Table 2.5 (residential, kg/TJ): natural gas CH4 5, N2O 0.1; wood CH4 300, N2O 4.
* Ch. 3 Table 3.2.1 (road transport CO2, kg/TJ): diesel 74 100; Table 3.2.2 (road transport,
  kg/TJ): diesel CH4 3.9, N2O 3.9.
IPCC 2006 Vol. 1 Ch. 3: Eq. 3.1 (uncertainty of a product), Eq. 3.2 (uncertainty of a sum).
IPCC 2006 Vol. 3 Ch. 4 carbon balance: CO2 = (sum C_in - sum C_out) x 44/12.
GWP-100: AR4 WG1 Table 2.14 (CH4 25, N2O 298); AR5 WG1 Table 8.A.1 (CH4 28, N2O 265);
AR6 WG1 Table 7.15 (CH4 fossil 29.8, non-fossil 27.0, N2O 273).
GPC v1.1 (WRI/C40/ICLEI 2014) Table 4.1/4.3: reference numbers, scopes and BASIC/BASIC+.
China MEE (2023) notice 环办气候函〔2023〕43号: national grid average factor 2022, 0.5703 t CO2/MWh.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from zerocity.factors import default_library
from zerocity.inventory import compute_inventory

# Hand calculations are a few multiplications of decimal constants: 1e-9 relative absorbs only
# floating point rounding, far below any wrong factor or unit (>= 1e-3 relative).
REL = 1e-9

# --- GWP-100 --------------------------------------------------------------------------
AR4_CH4, AR4_N2O = 25.0, 298.0
AR5_CH4, AR5_N2O = 28.0, 265.0
AR6_CH4_FOSSIL, AR6_CH4_NON_FOSSIL, AR6_N2O = 29.8, 27.0, 273.0

# --- IPCC 2006 Vol. 2 ---------------------------------------------------------------------
KG_PER_T = 1000.0
NCV_NATURAL_GAS = 48.0  # TJ/Gg, Table 1.2
NCV_OTHER_BITUMINOUS = 25.8  # TJ/Gg, Table 1.2
NCV_DIESEL = 43.0  # TJ/Gg, Table 1.2
NCV_WOOD = 15.6  # TJ/Gg, Table 1.2
EF_CO2_NATURAL_GAS = 56100.0  # kg/TJ, Table 1.4
EF_CO2_OTHER_BITUMINOUS = 94600.0  # kg/TJ, Table 1.4
EF_CO2_WOOD = 112000.0  # kg/TJ, Table 1.4
EF_CO2_DIESEL_ROAD = 74100.0  # kg/TJ, Table 3.2.1
EF_NG_ENERGY_IND_CH4, EF_NG_ENERGY_IND_N2O = 1.0, 0.1  # kg/TJ, Table 2.2
EF_COAL_MANUF_CH4, EF_COAL_MANUF_N2O = 10.0, 1.5  # kg/TJ, Table 2.3
EF_NG_RESID_CH4, EF_NG_RESID_N2O = 5.0, 0.1  # kg/TJ, Table 2.5
EF_WOOD_RESID_CH4, EF_WOOD_RESID_N2O = 300.0, 4.0  # kg/TJ, Table 2.5
EF_DIESEL_ROAD_CH4, EF_DIESEL_ROAD_N2O = 3.9, 3.9  # kg/TJ, Table 3.2.2
U_CO2_NATURAL_GAS = (3.2 + 3.9) / 2 / 100  # Table 1.4 range, mean of the two sides

CO2_PER_C = 44.0 / 12.0


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    """Records as a CSV reader would give them: every cell text, blanks empty."""
    df = pd.DataFrame(list(rows))
    return df.astype(object).where(df.notna(), "").astype(str)


def compute(*rows: dict[str, object], **kwargs: object):
    kwargs.setdefault("gwp", "AR5")
    return compute_inventory(frame(*rows), **kwargs)


def fuel(activity: str, amount: float, unit: str, gpc_ref: str, **extra: object) -> dict[str, object]:
    return {"year": 2020, "gpc_ref": gpc_ref, "activity": activity, "amount": amount, "unit": unit, **extra}


# ------------------------------------------------------------------ emission-factor method


def test_natural_gas_1_tj_residential_ar5() -> None:
    co2 = 1.0 * EF_CO2_NATURAL_GAS / KG_PER_T  # 56.1 t
    ch4 = 1.0 * EF_NG_RESID_CH4 / KG_PER_T  # 0.005 t
    n2o = 1.0 * EF_NG_RESID_N2O / KG_PER_T  # 0.0001 t
    expected = co2 + ch4 * AR5_CH4 + n2o * AR5_N2O
    assert expected == pytest.approx(56.2665, rel=REL)

    result = compute(fuel("natural_gas", 1, "TJ", "I.1.1"))
    out = result.to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"] == pytest.approx({"CO2": co2, "CH4": ch4, "N2O": n2o}, rel=REL)
    assert out["by_scope"] == pytest.approx({"1": expected}, rel=REL)
    assert out["by_gpc_ref"]["I.1.1"]["tco2e"] == pytest.approx(expected, rel=REL)
    assert out["records"][0]["tco2e"] == pytest.approx(expected, rel=REL)
    assert out["biogenic_co2_t"] == 0.0
    # Provenance: the residential (Table 2.5) CH4/N2O records, not the industrial ones.
    ids = {f["factor_id"]: f for f in out["factors"]}
    ch4_rec = next(f for f in ids.values() if f["gas"] == "CH4")
    assert ch4_rec["value"] == pytest.approx(EF_NG_RESID_CH4, rel=REL)
    assert "2.5" in ch4_rec["source"]


def test_natural_gas_given_in_tonnes_uses_ncv() -> None:
    tonnes = 1000.0  # = 1 Gg
    energy_tj = tonnes / 1000.0 * NCV_NATURAL_GAS  # 48 TJ
    co2 = energy_tj * EF_CO2_NATURAL_GAS / KG_PER_T
    ch4 = energy_tj * EF_NG_RESID_CH4 / KG_PER_T
    n2o = energy_tj * EF_NG_RESID_N2O / KG_PER_T
    expected = co2 + ch4 * AR5_CH4 + n2o * AR5_N2O
    assert expected == pytest.approx(48 * 56.2665, rel=REL)

    out = compute(fuel("natural_gas", tonnes, "t", "I.1.1")).to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"]["CO2"] == pytest.approx(co2, rel=REL)
    assert any(f["parameter"] == "ncv" and f["value"] == pytest.approx(NCV_NATURAL_GAS) for f in out["factors"])


def test_coal_in_manufacturing() -> None:
    tonnes = 1000.0
    energy_tj = tonnes / 1000.0 * NCV_OTHER_BITUMINOUS  # 25.8 TJ
    co2 = energy_tj * EF_CO2_OTHER_BITUMINOUS / KG_PER_T  # 2440.68 t
    ch4 = energy_tj * EF_COAL_MANUF_CH4 / KG_PER_T  # 0.258 t
    n2o = energy_tj * EF_COAL_MANUF_N2O / KG_PER_T  # 0.0387 t
    expected = co2 + ch4 * AR5_CH4 + n2o * AR5_N2O
    assert expected == pytest.approx(2458.1595, rel=REL)

    out = compute(fuel("other_bituminous_coal", tonnes, "t", "I.3.1")).to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"] == pytest.approx({"CO2": co2, "CH4": ch4, "N2O": n2o}, rel=REL)
    assert out["by_subsector"] == pytest.approx({"I.3": expected}, rel=REL)


def test_diesel_on_road() -> None:
    tonnes = 1000.0
    energy_tj = tonnes / 1000.0 * NCV_DIESEL  # 43 TJ
    co2 = energy_tj * EF_CO2_DIESEL_ROAD / KG_PER_T  # 3186.3 t
    ch4 = energy_tj * EF_DIESEL_ROAD_CH4 / KG_PER_T  # 0.1677 t
    n2o = energy_tj * EF_DIESEL_ROAD_N2O / KG_PER_T  # 0.1677 t
    expected = co2 + ch4 * AR5_CH4 + n2o * AR5_N2O
    assert expected == pytest.approx(3235.4361, rel=REL)

    out = compute(fuel("gas_diesel_oil", tonnes, "t", "II.1.1")).to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"] == pytest.approx({"CO2": co2, "CH4": ch4, "N2O": n2o}, rel=REL)
    assert out["by_sector"] == pytest.approx({"II": expected}, rel=REL)
    # The road-transport tables (3.2.x) apply, not the stationary ones (Table 2.x: CH4 3/10).
    sources = " ".join(f["source"] for f in out["factors"] if f["parameter"] == "ef")
    assert "3.2.2" in sources


def test_wood_co2_is_biogenic_memo_and_ch4_n2o_count() -> None:
    co2_bio = 1.0 * EF_CO2_WOOD / KG_PER_T  # 112 t, memo
    ch4 = 1.0 * EF_WOOD_RESID_CH4 / KG_PER_T  # 0.3 t
    n2o = 1.0 * EF_WOOD_RESID_N2O / KG_PER_T  # 0.004 t
    expected = ch4 * AR5_CH4 + n2o * AR5_N2O  # 8.4 + 1.06
    assert expected == pytest.approx(9.46, rel=REL)

    out = compute(fuel("wood_wood_waste", 1, "TJ", "I.1.1")).to_dict()
    assert out["biogenic_co2_t"] == pytest.approx(co2_bio, rel=REL)
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["territorial_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"].get("CO2", 0.0) == 0.0
    assert out["by_gas"]["CH4"] == pytest.approx(ch4, rel=REL)
    assert out["by_gas"]["N2O"] == pytest.approx(n2o, rel=REL)
    rec = out["records"][0]
    assert rec["biogenic_co2_t"] == pytest.approx(co2_bio, rel=REL)
    assert rec["tco2e"] == pytest.approx(expected, rel=REL)


def test_wood_in_tonnes() -> None:
    tonnes = 100.0
    energy_tj = tonnes / 1000.0 * NCV_WOOD  # 1.56 TJ
    expected = energy_tj * (EF_WOOD_RESID_CH4 * AR5_CH4 + EF_WOOD_RESID_N2O * AR5_N2O) / KG_PER_T
    out = compute(fuel("wood_wood_waste", tonnes, "t", "I.1.1")).to_dict()
    assert out["biogenic_co2_t"] == pytest.approx(energy_tj * EF_CO2_WOOD / KG_PER_T, rel=REL)
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)


# ------------------------------------------------------------------ explicit row factors


def test_explicit_co2_factor_wins_and_library_fills_other_gases() -> None:
    ef_co2 = 50000.0  # kg/TJ, a city's own measured value
    expected = 1.0 * ef_co2 / KG_PER_T + (EF_NG_RESID_CH4 * AR5_CH4 + EF_NG_RESID_N2O * AR5_N2O) / KG_PER_T
    out = compute(fuel("natural_gas", 1, "TJ", "I.1.1", ef_co2=ef_co2, ef_unit="kg/TJ")).to_dict()
    assert out["by_gas"]["CO2"] == pytest.approx(50.0, rel=REL)
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)


def test_explicit_factors_for_all_gases_win() -> None:
    ef = {"ef_co2": 50000.0, "ef_ch4": 2.0, "ef_n2o": 0.5}  # kg/TJ
    expected = (ef["ef_co2"] + ef["ef_ch4"] * AR5_CH4 + ef["ef_n2o"] * AR5_N2O) / KG_PER_T * 3.0
    out = compute(fuel("natural_gas", 3, "TJ", "I.1.1", ef_unit="kg/TJ", **ef)).to_dict()
    assert out["by_gas"] == pytest.approx({"CO2": 150.0, "CH4": 0.006, "N2O": 0.0015}, rel=REL)
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)


def test_explicit_factors_per_volume_win_over_library() -> None:
    volume_m3 = 10000.0
    ef = {"ef_co2": 2.0, "ef_ch4": 0.001, "ef_n2o": 0.0001}  # kg/m3
    co2, ch4, n2o = (volume_m3 * ef[k] / KG_PER_T for k in ("ef_co2", "ef_ch4", "ef_n2o"))
    expected = co2 + ch4 * AR5_CH4 + n2o * AR5_N2O  # 20 + 0.28 + 0.265
    assert expected == pytest.approx(20.545, rel=REL)
    out = compute(fuel("natural_gas", volume_m3, "m3", "I.1.1", ef_unit="kg/m3", **ef)).to_dict()
    assert out["by_gas"] == pytest.approx({"CO2": co2, "CH4": ch4, "N2O": n2o}, rel=REL)
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)


def test_scope2_electricity_with_explicit_factor() -> None:
    mwh = 1000.0
    ef = 0.5703  # t CO2/MWh, MEE 2023 notice, national grid average 2022
    expected = mwh * ef  # 570.3 t
    out = compute(fuel("electricity_grid", mwh, "MWh", "I.1.2", ef_co2=ef, ef_unit="t/MWh")).to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_scope"] == pytest.approx({"2": expected}, rel=REL)
    assert out["by_gas"] == pytest.approx({"CO2": expected}, rel=REL)
    # Scope 2 is outside the territorial (scope 1) total.
    assert out["territorial_tco2e"] == 0.0
    # Same electricity in kWh: 1 MWh = 1000 kWh.
    out_kwh = compute(fuel("electricity_grid", mwh * 1000, "kWh", "I.1.2", ef_co2=ef, ef_unit="t/MWh")).to_dict()
    assert out_kwh["total_tco2e"] == pytest.approx(expected, rel=REL)


# ------------------------------------------------------------------ measured and mass balance


def test_measured_rows() -> None:
    out = compute(
        {"year": 2020, "gpc_ref": "III.1.1", "method": "measured", "gas": "CH4", "amount": 2, "unit": "t"},
        {"year": 2020, "gpc_ref": "I.3.1", "method": "measured", "amount": 500, "unit": "kg"},  # gas CO2
    ).to_dict()
    expected = 2.0 * AR5_CH4 + 500.0 / KG_PER_T  # 56 + 0.5
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"] == pytest.approx({"CH4": 2.0, "CO2": 0.5}, rel=REL)
    assert out["by_sector"] == pytest.approx({"III": 56.0, "I": 0.5}, rel=REL)


def test_measured_row_alongside_energy_rows() -> None:
    gas = (EF_CO2_NATURAL_GAS + EF_NG_RESID_CH4 * AR5_CH4 + EF_NG_RESID_N2O * AR5_N2O) / KG_PER_T
    out = compute(
        fuel("natural_gas", 1, "TJ", "I.1.1"),
        {"year": 2020, "gpc_ref": "III.1.1", "method": "measured", "gas": "CH4", "amount": 2, "unit": "t"},
    ).to_dict(include_records=False)
    assert out["total_tco2e"] == pytest.approx(gas + 2.0 * AR5_CH4, rel=REL)


@pytest.mark.parametrize(("carbon_unit", "scale"), [("t/t", 1.0), ("percent", 100.0)])
def test_mass_balance(carbon_unit: str, scale: float) -> None:
    # Inputs 100 t at 0.8 t C/t, output 20 t at 0.5 t C/t: (80 - 10) t C x 44/12.
    carbon_in = 100.0 * 0.8
    carbon_out = 20.0 * 0.5
    expected = (carbon_in - carbon_out) * CO2_PER_C
    assert expected == pytest.approx(70.0 * 44.0 / 12.0, rel=REL)
    rows = [
        {
            "year": 2020,
            "gpc_ref": "IV.1",
            "method": "mass_balance",
            "activity": "coking_coal",
            "amount": 100,
            "unit": "t",
            "carbon_content": 0.8 * scale,
            "carbon_unit": carbon_unit,
        },
        {
            "year": 2020,
            "gpc_ref": "IV.1",
            "method": "mass_balance",
            "activity": "coke_oven_coke",
            "amount": 20,
            "unit": "t",
            "carbon_content": 0.5 * scale,
            "carbon_unit": carbon_unit,
            "flow": "output",
        },
    ]
    out = compute(*rows, level="BASIC+").to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)
    assert out["by_gas"] == pytest.approx({"CO2": expected}, rel=REL)
    # IV.1 (industrial processes) is BASIC+ only.
    assert out["basic_tco2e"] == 0.0


# ------------------------------------------------------------------ GPC levels

# Each source with its own hand value [t CO2e, AR5] and the totals it belongs to
# (GPC Table 4.3; TERRITORIAL = every scope 1 source, GPC section 3.4).
# 1000 t = 1 Gg of natural gas = 48 TJ, burnt in energy industries (Table 2.2 CH4/N2O).
_I44_TJ = 1000.0 / 1000.0 * NCV_NATURAL_GAS
_I44 = _I44_TJ * (EF_CO2_NATURAL_GAS + EF_NG_ENERGY_IND_CH4 * AR5_CH4 + EF_NG_ENERGY_IND_N2O * AR5_N2O) / KG_PER_T
_LEVEL_CASES = [
    # Energy generation supplied to the grid: scope 1, outside BASIC and BASIC+.
    pytest.param(fuel("natural_gas", 1000, "t", "I.4.4"), _I44, (False, False, True), id="I.4.4-grid-supply"),
    # Waste generated in the city, disposed of outside it: scope 3, in BASIC.
    pytest.param(
        {"year": 2020, "gpc_ref": "III.1.2", "method": "measured", "gas": "CH4", "amount": 1, "unit": "t"},
        1.0 * AR5_CH4,
        (True, True, False),
        id="III.1.2-scope3-basic",
    ),
    # Transmission and distribution losses (scope 3): BASIC+ only; here as a measured value.
    pytest.param(
        {"year": 2020, "gpc_ref": "I.1.3", "method": "measured", "gas": "CO2", "amount": 50, "unit": "t"},
        50.0,
        (False, True, False),
        id="I.1.3-td-losses",
    ),
    # Industrial processes: scope 1, BASIC+ only.
    pytest.param(
        {"year": 2020, "gpc_ref": "IV.1", "method": "measured", "gas": "CO2", "amount": 10, "unit": "t"},
        10.0,
        (False, True, True),
        id="IV.1-ippu",
    ),
    # T&D losses again, computed from electricity with an explicit factor: 100 MWh x 0.5 t/MWh.
    pytest.param(
        fuel("electricity_grid", 100, "MWh", "I.1.3", ef_co2=0.5, ef_unit="t/MWh"),
        50.0,
        (False, True, False),
        id="I.1.3-electricity",
    ),
]


@pytest.mark.parametrize(("row", "value", "member"), _LEVEL_CASES)
def test_gpc_level_membership(row: dict[str, object], value: float, member: tuple[bool, bool, bool]) -> None:
    in_basic, in_basic_plus, in_territorial = member
    out = compute(row).to_dict(include_records=False)
    assert out["basic_tco2e"] == pytest.approx(value if in_basic else 0.0, rel=REL)
    assert out["basic_plus_tco2e"] == pytest.approx(value if in_basic_plus else 0.0, rel=REL)
    assert out["territorial_tco2e"] == pytest.approx(value if in_territorial else 0.0, rel=REL)
    # The source is still reported under its reference number whatever the level.
    ref = str(row["gpc_ref"])
    assert out["by_gpc_ref"][ref]["tco2e"] == pytest.approx(value, rel=REL)


def test_gpc_levels_together() -> None:
    rows = [case.values[0] for case in _LEVEL_CASES[:4]]
    i44, iii12, i13, iv1 = (case.values[1] for case in _LEVEL_CASES[:4])
    for level, expected in [
        ("BASIC", iii12),
        ("BASIC+", iii12 + i13 + iv1),
        ("TERRITORIAL", i44 + iv1),
    ]:
        out = compute(*rows, level=level).to_dict(include_records=False)
        assert out["level"] == level
        assert out["total_tco2e"] == pytest.approx(expected, rel=REL), level


# ------------------------------------------------------------------ AR6 methane origin


def test_ar6_fossil_and_non_fossil_methane() -> None:
    gas = (EF_CO2_NATURAL_GAS + EF_NG_RESID_CH4 * AR6_CH4_FOSSIL + EF_NG_RESID_N2O * AR6_N2O) / KG_PER_T
    wood = (EF_WOOD_RESID_CH4 * AR6_CH4_NON_FOSSIL + EF_WOOD_RESID_N2O * AR6_N2O) / KG_PER_T
    assert gas == pytest.approx(56.2763, rel=REL)
    assert wood == pytest.approx(9.192, rel=REL)
    result = compute(fuel("natural_gas", 1, "TJ", "I.1.1"), fuel("wood_wood_waste", 1, "TJ", "I.1.1"), gwp="AR6")
    out = result.to_dict()
    assert out["gwp"] == "AR6"
    assert out["total_tco2e"] == pytest.approx(gas + wood, rel=REL)
    per_record = [r["tco2e"] for r in out["records"]]
    assert per_record == pytest.approx([gas, wood], rel=REL)


def test_ar4_gwp() -> None:
    expected = (EF_CO2_NATURAL_GAS + EF_NG_RESID_CH4 * AR4_CH4 + EF_NG_RESID_N2O * AR4_N2O) / KG_PER_T
    assert expected == pytest.approx(56.2548, rel=REL)
    out = compute(fuel("natural_gas", 1, "TJ", "I.1.1"), gwp="AR4").to_dict()
    assert out["total_tco2e"] == pytest.approx(expected, rel=REL)


# ------------------------------------------------------------------ uncertainty


# Tiny case for IPCC Vol.1 Eq. 3.1/3.2: two records with one gas each and independent factors,
# from a user factor set with stated 95 % ranges (grid electricity 0.5 t/MWh +-10 %, purchased
# heat 0.11 t/GJ +-20 %).
def _tiny_library():
    def row(fid: str, activity: str, value: float, unit: str, pct: float) -> dict[str, str]:
        return {
            "factor_id": fid,
            "parameter": "ef",
            "activity": activity,
            "gas": "CO2",
            "value": str(value),
            "unit": unit,
            "region": "GLOBAL",
            "uncertainty_lower_pct": str(pct),
            "uncertainty_upper_pct": str(pct),
            "source_publisher": "Test utility",
            "source_document": "Synthetic factors",
            "source_table": "T1",
            "source_year": "2023",
        }

    rows = [
        row("TEST-UNC-ELEC", "electricity_grid", 0.5, "t/MWh", 10.0),
        row("TEST-UNC-HEAT", "heat_purchased", 0.11, "t/GJ", 20.0),
    ]
    return default_library().with_user_set(pd.DataFrame(rows), name="uncertainty_test", version="1")


_TINY = (
    fuel("electricity_grid", 1000, "MWh", "I.1.2", activity_uncertainty_pct=5),
    fuel("heat_purchased", 1000, "GJ", "I.2.2"),
)


def _tiny_case_by_hand() -> tuple[float, float]:
    e1 = 1000.0 * 0.5  # 500 t CO2
    u1 = math.sqrt(5.0**2 + 10.0**2)  # Eq. 3.1: activity 5 %, factor 10 % -> 11.18 %
    e2 = 1000.0 * 0.11  # 110 t CO2
    u2 = math.sqrt(0.0**2 + 20.0**2)  # Eq. 3.1: no activity range, factor 20 %
    total = e1 + e2
    half = math.sqrt((u1 / 100 * e1) ** 2 + (u2 / 100 * e2) ** 2)  # Eq. 3.2 numerator
    return total, half


def test_approach1_tiny_case_eq_3_1_and_3_2() -> None:
    total, half = _tiny_case_by_hand()
    # sqrt(55.9017^2 + 22^2) = sqrt(3125 + 484) = 60.0750; / 610 = 9.8484 % (printed to 4 decimals)
    assert 100 * half / total == pytest.approx(9.8484, rel=1e-4)
    unc = compute(*_TINY, library=_tiny_library(), uncertainty="approach1").uncertainty
    assert unc["method"] == "approach1"
    assert unc["total_tco2e"] == pytest.approx(total, rel=REL)
    assert unc["uncertainty_pct"] == pytest.approx(100 * half / total, rel=REL)
    assert unc["lower_tco2e"] == pytest.approx(total - half, rel=REL)
    assert unc["upper_tco2e"] == pytest.approx(total + half, rel=REL)
    assert unc["emission_rows_without_uncertainty"] == 0


def test_approach1_explicit_factor_uncertainty() -> None:
    # One record, explicit factor: Eq. 3.1 with activity 5 % and ef_uncertainty_pct 10 %.
    row = fuel(
        "electricity_grid",
        1000,
        "MWh",
        "I.1.2",
        ef_co2=0.5,
        ef_unit="t/MWh",
        activity_uncertainty_pct=5,
        ef_uncertainty_pct=10,
    )
    unc = compute(row, uncertainty="approach1").uncertainty
    assert unc["uncertainty_pct"] == pytest.approx(math.sqrt(5.0**2 + 10.0**2), rel=REL)
    assert unc["upper_tco2e"] - unc["lower_tco2e"] == pytest.approx(2 * 500 * math.sqrt(0.05**2 + 0.10**2), rel=REL)


def test_approach1_shared_library_factor_is_correlated() -> None:
    # Docstring convention (Vol.1 section 3.2.3.1): records using the same factor share its error,
    # so their emissions are summed before propagation; each record's activity error is shared
    # by its gases. Three natural-gas records on the Table 1.4 CO2 factor (+-3.55 %); Table 2.5 and
    # 2.3 CH4/N2O factors carry no range. The third record has no activity range, so its CH4 and
    # N2O rows have no uncertainty at all.
    rows = [
        fuel("natural_gas", 10, "TJ", "I.1.1", activity_uncertainty_pct=5),
        fuel("natural_gas", 20, "TJ", "I.1.1", activity_uncertainty_pct=10),
        fuel("natural_gas", 2, "TJ", "I.3.1"),
    ]
    per_tj_resid = (EF_CO2_NATURAL_GAS + EF_NG_RESID_CH4 * AR5_CH4 + EF_NG_RESID_N2O * AR5_N2O) / KG_PER_T
    ng_manuf_ch4, ng_manuf_n2o = 1.0, 0.1  # kg/TJ, Table 2.3 natural gas
    per_tj_manuf = (EF_CO2_NATURAL_GAS + ng_manuf_ch4 * AR5_CH4 + ng_manuf_n2o * AR5_N2O) / KG_PER_T
    r1, r2, r3 = 10 * per_tj_resid, 20 * per_tj_resid, 2 * per_tj_manuf
    co2_shared = 32 * EF_CO2_NATURAL_GAS / KG_PER_T  # 1795.2 t on one factor
    variance = (0.05 * r1) ** 2 + (0.10 * r2) ** 2 + (U_CO2_NATURAL_GAS * co2_shared) ** 2
    total = r1 + r2 + r3
    unc = compute(*rows, uncertainty="approach1").uncertainty
    assert unc["total_tco2e"] == pytest.approx(total, rel=REL)
    assert unc["uncertainty_pct"] == pytest.approx(100 * math.sqrt(variance) / total, rel=REL)
    assert unc["emission_rows_without_uncertainty"] == 2


def test_approach1_explicit_factors_of_different_records_are_independent() -> None:
    rows = [
        fuel("electricity_grid", 1000, "MWh", "I.1.2", ef_co2=0.5, ef_unit="t/MWh", ef_uncertainty_pct=10),
        # Purchased heat with its own factor and no stated uncertainty.
        fuel("heat_purchased", 1000, "GJ", "I.1.2", ef_co2=0.11, ef_unit="t/GJ"),
    ]
    total = 1000 * 0.5 + 1000 * 0.11  # 610 t
    half = 0.10 * 500.0  # only the electricity factor is uncertain
    unc = compute(*rows, uncertainty="approach1").uncertainty
    assert unc["total_tco2e"] == pytest.approx(total, rel=REL)
    assert unc["uncertainty_pct"] == pytest.approx(100 * half / total, rel=REL)


def test_monte_carlo_is_reproducible_with_a_seed() -> None:
    lib = _tiny_library()
    first = compute(*_TINY, library=lib, uncertainty="montecarlo", runs=2000, seed=7).uncertainty
    again = compute(*_TINY, library=lib, uncertainty="montecarlo", runs=2000, seed=7).uncertainty
    other = compute(*_TINY, library=lib, uncertainty="montecarlo", runs=2000, seed=8).uncertainty
    assert first == again
    assert first["seed"] == 7 and first["runs"] == 2000
    assert other["lower_tco2e"] != first["lower_tco2e"]


def test_monte_carlo_interval_close_to_approach1_for_normal_inputs() -> None:
    # Inputs are normal with small relative errors (5-20 %), so the simulated 95 % interval
    # approaches the analytic one; 10 % covers the sampling error of the 2.5/97.5 percentiles
    # with 50 000 runs (~1 %) and the slight skew of a product of two normals.
    total, half = _tiny_case_by_hand()
    lib = _tiny_library()
    mc = compute(*_TINY, library=lib, uncertainty="montecarlo", runs=50_000, seed=2024).uncertainty
    assert mc["method"] == "montecarlo"
    assert mc["total_tco2e"] == pytest.approx(total, rel=REL)
    assert mc["mean_tco2e"] == pytest.approx(total, rel=0.01)
    mc_half = (mc["upper_tco2e"] - mc["lower_tco2e"]) / 2
    assert mc_half == pytest.approx(half, rel=0.10)
    assert mc["uncertainty_pct"] == pytest.approx(100 * half / total, rel=0.10)
    a1 = compute(*_TINY, library=lib, uncertainty="approach1").uncertainty
    assert mc["lower_tco2e"] == pytest.approx(a1["lower_tco2e"], rel=0.10)
    assert mc["upper_tco2e"] == pytest.approx(a1["upper_tco2e"], rel=0.10)


@pytest.mark.parametrize(
    ("gpc_ref", "activity", "ch4_kg_per_tj", "n2o_kg_per_tj"),
    [
        # IPCC 2006 Vol. 2 Ch. 3: Table 3.4.1 railways (diesel), Table 3.5.3 ocean-going ships,
        # Table 3.6.5 aviation (all fuels), Table 3.3.1 off-road machinery (diesel).
        ("II.2.1", "gas_diesel_oil", 4.15, 28.6),
        ("II.3.1", "residual_fuel_oil", 7.0, 2.0),
        ("II.4.1", "jet_kerosene", 0.5, 2.0),
        ("II.5.1", "gas_diesel_oil", 4.15, 28.6),
    ],
)
def test_non_road_transport_ch4_n2o(gpc_ref: str, activity: str, ch4_kg_per_tj: float, n2o_kg_per_tj: float) -> None:
    frame = pd.DataFrame([{"year": 2022, "gpc_ref": gpc_ref, "activity": activity, "amount": 10.0, "unit": "TJ"}])
    doc = compute_inventory(frame, region="GLOBAL", gwp="AR5").to_dict()
    assert doc["by_gas"]["CH4"] == pytest.approx(10 * ch4_kg_per_tj / 1000, rel=1e-9)
    assert doc["by_gas"]["N2O"] == pytest.approx(10 * n2o_kg_per_tj / 1000, rel=1e-9)
    assert doc["warnings"] == []
