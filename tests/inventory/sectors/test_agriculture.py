"""Agriculture methods (GPC V.1, V.3) against hand-worked IPCC 2006 Volume 4 examples.

Every expected number is written out in the test from the IPCC equation with the published
default as a literal; nothing is compared with an earlier output of the code.

Published values used (IPCC 2006 Guidelines, Vol. 4)
---------------------------------------------------
Ch. 10 Table 10.10 (enteric, kg CH4/head/yr): sheep 8 developed / 5 developing, goats 5,
swine 1.5 / 1.0, buffalo 55. Table 10.11 (enteric, cattle): Asia dairy 68, other cattle 47.
Table 10.15 (manure CH4, kg CH4/head/yr, developed cool/temperate/warm | developing):
sheep 0.19/0.28/0.37 | 0.10/0.16/0.21; goats 0.13/0.20/0.26 | 0.11/0.17/0.22;
horses 1.56/2.34/3.13 | 1.09/1.64/2.19.
Table 10.19 (Nrate, kg N/(1000 kg mass)/day, Asia): dairy cattle 0.47, other cattle 0.34.
Annex 10A Tables 10A-4/10A-5 (TAM, Asia): dairy cattle 350 kg, other cattle 319 kg.
Table 10.21 (EF3, kg N2O-N/kg N): solid storage 0.005, dry lot 0.02.
Table 10.22 (Frac_GasMS): dairy cow solid storage 30%, other cattle dry lot 30%.
Ch. 11 Table 11.1: EF1 0.01, EF1FR 0.003, EF3PRP,CPP 0.02, EF3PRP,SO 0.01.
Table 11.3: EF4 0.01, EF5 0.0075, Frac_GASF 0.10, Frac_GASM 0.20, Frac_LEACH-(H) 0.30.
Eq. 11.12: limestone 0.12, dolomite 0.13 t C/t; Eq. 11.13: urea 0.20 t C/t.
Ch. 5 Table 5.11: EF_c 1.30 kg CH4/ha/d. Table 5.12 (SF_w): continuously flooded 1,
irrigated (aggregated) 0.78, upland 0. Table 5.13 (SF_p): non flooded pre-season <180 d 1,
aggregated 1.22. Table 5.14 (CFOA): straw <30 d before cultivation 1, farm yard manure 0.14.
GWP: AR6 WG1 Table 7.15, CH4 non-fossil 27.0, fossil 29.8.
1 mu = 10000/15 m2 (GB 3100-1993), so 1500 mu = 100 ha.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from zerocity.errors import InvalidRecordsError
from zerocity.inventory import compute_inventory, read_records

# Hand calculations are a few multiplications of decimal constants: 1e-9 relative absorbs only
# floating point rounding, far below a wrong factor or unit (>= 1e-3 relative).
REL = 1e-9
N2O_N = 44 / 28
CO2_C = 44 / 12
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "agriculture" / "agriculture.csv"

LIVESTOCK = {"year": 2020, "gpc_ref": "V.1", "unit": "head"}
LAND = {"year": 2020, "gpc_ref": "V.3"}


def totals(rows: list[dict[str, object]], region: str = "CN", **kwargs: object) -> pd.DataFrame:
    """Per-record tonnes of each gas (and tco2e)."""
    result = compute_inventory(pd.DataFrame(rows), region=region, **kwargs)
    out = result.record_totals()
    for gas in ("CO2", "CH4", "N2O"):
        if gas not in out.columns:
            out[gas] = 0.0
    return out


def issues(rows: list[dict[str, object]], region: str = "CN") -> list[tuple[int, str, str]]:
    """(row, column, message) of every issue; the computation must refuse the whole input."""
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(pd.DataFrame(rows), region=region, source="records.csv")
    return [(i.row, i.column, i.message) for i in info.value.issues]


def columns_of(found: list[tuple[int, str, str]]) -> set[tuple[int, str]]:
    return {(r, c) for r, c, _ in found}


# ---------------------------------------------------------------------------- enteric
def test_enteric_asia_cattle_table_10_11() -> None:
    out = totals(
        [
            {**LIVESTOCK, "method": "enteric", "activity": "dairy_cattle", "amount": 1000},
            {**LIVESTOCK, "method": "enteric", "activity": "other_cattle", "amount": 500},
        ]
    )
    # Eq. 10.19: CH4 = N x EF / 10^6 Gg = N x EF / 1000 t
    assert out.loc[0, "CH4"] == pytest.approx(1000 * 68 / 1000, rel=REL)
    assert out.loc[1, "CH4"] == pytest.approx(500 * 47 / 1000, rel=REL)


def test_enteric_uses_the_asia_record_and_names_it() -> None:
    result = compute_inventory(
        pd.DataFrame([{**LIVESTOCK, "method": "enteric", "activity": "dairy_cattle", "amount": 1}]), region="CN-JS"
    )
    assert "IPCC2006-V4-T10.11-dairy_cattle-asia" in result.factor_ids


def test_enteric_developing_default_in_asia_and_developed_column() -> None:
    out = totals(
        [
            {**LIVESTOCK, "method": "enteric", "activity": "sheep", "amount": 2000},
            {**LIVESTOCK, "method": "enteric", "activity": "sheep", "amount": 2000, "development_status": "developed"},
            {**LIVESTOCK, "method": "enteric", "activity": "swine", "amount": 2000},
            {**LIVESTOCK, "method": "enteric", "activity": "buffalo", "amount": 2000},
        ]
    )
    assert out.loc[0, "CH4"] == pytest.approx(2000 * 5 / 1000, rel=REL)  # Table 10.10 developing
    assert out.loc[1, "CH4"] == pytest.approx(2000 * 8 / 1000, rel=REL)  # Table 10.10 developed
    assert out.loc[2, "CH4"] == pytest.approx(2000 * 1.0 / 1000, rel=REL)
    assert out.loc[3, "CH4"] == pytest.approx(2000 * 55 / 1000, rel=REL)
    world = totals([{**LIVESTOCK, "method": "enteric", "activity": "goats", "amount": 2000}], region="GLOBAL")
    assert world.loc[0, "CH4"] == pytest.approx(2000 * 5 / 1000, rel=REL)  # same in both columns


def test_enteric_days_alive_eq_10_1() -> None:
    out = totals([{**LIVESTOCK, "method": "enteric", "activity": "market_swine", "amount": 3650, "days_alive": 146}])
    # Eq. 10.1: AAP = days_alive x NAPA / 365 = 146 x 3650 / 365 = 1460 head; swine 1.0 (developing)
    assert out.loc[0, "CH4"] == pytest.approx(146 * 3650 / 365 * 1.0 / 1000, rel=REL)


def test_enteric_override_and_wan_head() -> None:
    out = totals(
        [
            {
                **LIVESTOCK,
                "method": "enteric",
                "activity": "dairy_cattle",
                "amount": 2,
                "unit": "wan_head",
                "enteric_ef": 90,
            }
        ]
    )
    assert out.loc[0, "CH4"] == pytest.approx(2e4 * 90 / 1000, rel=REL)


def test_livestock_ch4_is_non_fossil_under_ar6() -> None:
    out = totals([{**LIVESTOCK, "method": "enteric", "activity": "dairy_cattle", "amount": 1000}], gwp="AR6")
    assert out.loc[0, "tco2e"] == pytest.approx(1000 * 68 / 1000 * 27.0, rel=REL)


def test_enteric_without_a_default_names_row_and_column() -> None:
    found = issues(
        [
            {**LIVESTOCK, "method": "enteric", "activity": "goats", "amount": 1},
            {**LIVESTOCK, "method": "enteric", "activity": "sheep", "amount": 1},  # GLOBAL: developed or developing?
        ],
        region="GLOBAL",
    )
    assert columns_of(found) == {(2, "activity")}
    assert "enteric_ef" in found[0][2]


# ---------------------------------------------------------------------------- manure CH4
def test_manure_ch4_table_10_15_classes_and_temperatures() -> None:
    out = totals(
        [
            {
                **LIVESTOCK,
                "method": "manure_ch4",
                "activity": "sheep",
                "amount": 500,
                "climate_temperature": "temperate",
            },
            {**LIVESTOCK, "method": "manure_ch4", "activity": "horses", "amount": 10, "climate_temperature": "27"},
            {**LIVESTOCK, "method": "manure_ch4", "activity": "goats", "amount": 100, "climate_temperature": "14.4"},
            {**LIVESTOCK, "method": "manure_ch4", "activity": "goats", "amount": 100, "climate_temperature": "14.6"},
        ]
    )
    world = totals(
        [
            {
                **LIVESTOCK,
                "method": "manure_ch4",
                "activity": "sheep",
                "amount": 500,
                "climate_temperature": "Cool",
                "development_status": "developed",
            }
        ],
        region="GLOBAL",
    )
    assert out.loc[0, "CH4"] == pytest.approx(500 * 0.16 / 1000, rel=REL)  # developing, temperate
    assert out.loc[1, "CH4"] == pytest.approx(10 * 2.19 / 1000, rel=REL)  # 27 degC: warm (> 25)
    assert out.loc[2, "CH4"] == pytest.approx(100 * 0.11 / 1000, rel=REL)  # 14.4 -> 14: cool
    assert out.loc[3, "CH4"] == pytest.approx(100 * 0.17 / 1000, rel=REL)  # 14.6 -> 15: temperate
    assert world.loc[0, "CH4"] == pytest.approx(500 * 0.19 / 1000, rel=REL)  # developed, cool


def test_manure_ch4_cattle_with_own_factor() -> None:
    out = totals(
        [{**LIVESTOCK, "method": "manure_ch4", "activity": "dairy_cattle", "amount": 1000, "manure_ch4_ef": 16}]
    )
    assert out.loc[0, "CH4"] == pytest.approx(1000 * 16 / 1000, rel=REL)


def test_manure_ch4_cattle_without_factor_asks_for_it() -> None:
    # Table 10.14 is shipped for Asia only (IPCC-ASIA), so outside Asia (GLOBAL) a cattle row
    # without manure_ch4_ef still has no default.
    found = issues(
        [
            {
                **LIVESTOCK,
                "method": "manure_ch4",
                "activity": "sheep",
                "amount": 1,
                "climate_temperature": "warm",
                "development_status": "developing",
            },
            {**LIVESTOCK, "method": "manure_ch4", "activity": "dairy_cattle", "amount": 1, "climate_temperature": "18"},
        ],
        region="GLOBAL",
    )
    assert columns_of(found) == {(2, "activity")}
    assert "(t18)" in found[0][2] and "manure_ch4_ef" in found[0][2]


def test_manure_ch4_bad_or_missing_climate() -> None:
    found = issues(
        [
            {**LIVESTOCK, "method": "manure_ch4", "activity": "sheep", "amount": 1, "climate_temperature": "warm"},
            {**LIVESTOCK, "method": "manure_ch4", "activity": "sheep", "amount": 1, "climate_temperature": "hot"},
            {**LIVESTOCK, "method": "manure_ch4", "activity": "sheep", "amount": 1},
        ]
    )
    assert columns_of(found) == {(2, "climate_temperature"), (3, "climate_temperature")}


# ---------------------------------------------------------------------------- manure N2O
def test_manure_n2o_direct_and_volatilisation_dairy_asia() -> None:
    out = totals(
        [
            {
                **LIVESTOCK,
                "method": "manure_n2o",
                "activity": "dairy_cattle",
                "amount": 100,
                "manure_system": "solid_storage",
                "system_fraction": 0.6,
            }
        ]
    )
    nex = 0.47 * 350 / 1000 * 365  # Eq. 10.30, kg N/head/yr
    n_managed = 100 * nex * 0.6  # kg N/yr in solid storage
    direct = n_managed * 0.005 * N2O_N  # Eq. 10.25
    volatilisation = n_managed * 0.30 * 0.01 * N2O_N  # Eq. 10.26-10.27
    assert out.loc[0, "N2O"] == pytest.approx((direct + volatilisation) / 1000, rel=REL)


def test_manure_n2o_direct_only_indirect_only_and_v3() -> None:
    base = {
        **LIVESTOCK,
        "method": "manure_n2o",
        "activity": "other_cattle",
        "amount": 200,
        "manure_system": "dry_lot",
        "system_fraction": 1.0,
    }
    out = totals(
        [
            {**base, "indirect_n2o": "no"},
            {**base, "indirect_n2o": "only", "gpc_ref": "V.3"},
        ]
    )
    n_managed = 200 * (0.34 * 319 / 1000 * 365) * 1.0
    assert out.loc[0, "N2O"] == pytest.approx(n_managed * 0.02 * N2O_N / 1000, rel=REL)
    assert out.loc[1, "N2O"] == pytest.approx(n_managed * 0.30 * 0.01 * N2O_N / 1000, rel=REL)
    found = issues([{**base, "indirect_n2o": "no"}, {**base, "gpc_ref": "V.3"}])
    assert columns_of(found) == {(2, "indirect_n2o")}


def test_manure_n2o_overrides_and_leaching() -> None:
    out = totals(
        [
            {
                **LIVESTOCK,
                "method": "manure_n2o",
                "activity": "sheep",
                "amount": 1000,
                "manure_system": "solid_storage",
                "system_fraction": 0.5,
                "manure_nex": 12,
                "manure_ef3": 0.004,
                "frac_gas_ms": 0.15,
                "frac_leach_ms": 0.05,
            }
        ]
    )
    n_managed = 1000 * 12 * 0.5
    expected = n_managed * 0.004 + n_managed * 0.15 * 0.01 + n_managed * 0.05 * 0.0075  # Eq. 10.25-10.29
    assert out.loc[0, "N2O"] == pytest.approx(expected * N2O_N / 1000, rel=REL)


def test_manure_n2o_tam_override_with_table_nrate() -> None:
    out = totals(
        [
            {
                **LIVESTOCK,
                "method": "manure_n2o",
                "activity": "dairy_cattle",
                "amount": 10,
                "manure_system": "dry_lot",
                "system_fraction": 1,
                "typical_animal_mass": 600,
                "indirect_n2o": "no",
            }
        ]
    )
    assert out.loc[0, "N2O"] == pytest.approx(10 * (0.47 * 600 / 1000 * 365) * 0.02 * N2O_N / 1000, rel=REL)


def test_manure_n2o_without_frac_gas_default_warns_and_keeps_direct() -> None:
    rows = [
        {
            **LIVESTOCK,
            "method": "manure_n2o",
            "activity": "dairy_cattle",
            "amount": 100,
            "manure_system": "deep_bedding_no_mixing",  # Table 10.22 has no dairy-cow deep bedding
            "system_fraction": 1,
        }
    ]
    result = compute_inventory(pd.DataFrame(rows), region="CN")
    n_managed = 100 * 0.47 * 350 / 1000 * 365
    assert result.record_totals().loc[0, "N2O"] == pytest.approx(n_managed * 0.01 * N2O_N / 1000, rel=REL)
    assert any("Frac_GasMS" in w and "row(s) 1" in w for w in result.warnings)


def test_manure_n2o_pasture_and_missing_nex_are_errors() -> None:
    ok = {**LIVESTOCK, "method": "manure_n2o", "activity": "dairy_cattle", "amount": 1, "system_fraction": 1}
    found = issues(
        [
            {**ok, "manure_system": "solid_storage"},
            {**ok, "manure_system": "pasture_range_paddock"},
            {**ok, "activity": "goats", "manure_system": "solid_storage"},  # no Asia Nrate/TAM shipped
        ]
    )
    assert columns_of(found) == {(2, "manure_system"), (3, "activity")}
    assert any("soil_n2o" in m for r, _, m in found if r == 2)


# ---------------------------------------------------------------------------- managed soils
def test_soil_n2o_synthetic_direct_volatilisation_leaching() -> None:
    out = totals([{**LAND, "method": "soil_n2o", "activity": "synthetic_fertiliser_n", "amount": 10, "unit": "t"}])
    f_sn = 10_000  # kg N
    direct = f_sn * 0.01  # Eq. 11.1
    volatilisation = f_sn * 0.10 * 0.01  # Eq. 11.9
    leaching = f_sn * 0.30 * 0.0075  # Eq. 11.10
    assert out.loc[0, "N2O"] == pytest.approx((direct + volatilisation + leaching) * N2O_N / 1000, rel=REL)


def test_soil_n2o_flooded_rice_residue_and_grazing() -> None:
    out = totals(
        [
            {
                **LAND,
                "method": "soil_n2o",
                "activity": "synthetic_fertiliser_n",
                "amount": 1000,
                "unit": "kg",
                "flooded_rice": "yes",
            },
            {**LAND, "method": "soil_n2o", "activity": "crop_residue_n", "amount": 1000, "unit": "kg"},
            {**LAND, "method": "soil_n2o", "activity": "urine_dung_n_cattle_pig_poultry", "amount": 1000, "unit": "kg"},
            {**LAND, "method": "soil_n2o", "activity": "urine_dung_n_sheep_other", "amount": 1000, "unit": "kg"},
            {**LAND, "method": "soil_n2o", "activity": "manure_n_applied", "amount": 1000, "unit": "kg"},
        ]
    )
    leach = 1000 * 0.30 * 0.0075
    assert out.loc[0, "N2O"] == pytest.approx((1000 * 0.003 + 1000 * 0.10 * 0.01 + leach) * N2O_N / 1000, rel=REL)
    assert out.loc[1, "N2O"] == pytest.approx((1000 * 0.01 + leach) * N2O_N / 1000, rel=REL)  # no Eq. 11.9 term
    assert out.loc[2, "N2O"] == pytest.approx((1000 * 0.02 + 1000 * 0.20 * 0.01 + leach) * N2O_N / 1000, rel=REL)
    assert out.loc[3, "N2O"] == pytest.approx((1000 * 0.01 + 1000 * 0.20 * 0.01 + leach) * N2O_N / 1000, rel=REL)
    assert out.loc[4, "N2O"] == pytest.approx((1000 * 0.01 + 1000 * 0.20 * 0.01 + leach) * N2O_N / 1000, rel=REL)


def test_soil_n2o_dry_region_and_direct_only() -> None:
    out = totals(
        [
            {
                **LAND,
                "method": "soil_n2o",
                "activity": "synthetic_fertiliser_n",
                "amount": 1,
                "unit": "t",
                "soil_frac_leach": 0,
            },
            {
                **LAND,
                "method": "soil_n2o",
                "activity": "synthetic_fertiliser_n",
                "amount": 1,
                "unit": "t",
                "indirect_n2o": "no",
            },
        ]
    )
    assert out.loc[0, "N2O"] == pytest.approx((1000 * 0.01 + 1000 * 0.10 * 0.01) * N2O_N / 1000, rel=REL)
    assert out.loc[1, "N2O"] == pytest.approx(1000 * 0.01 * N2O_N / 1000, rel=REL)


def test_soil_n2o_inconsistent_columns() -> None:
    soil = {**LAND, "method": "soil_n2o", "amount": 1, "unit": "t"}
    found = issues(
        [
            {**soil, "activity": "synthetic_fertiliser_n"},
            {**soil, "activity": "urine_dung_n_sheep_other", "flooded_rice": "yes"},
            {**soil, "activity": "crop_residue_n", "soil_frac_gas": 0.1},
        ]
    )
    assert columns_of(found) == {(2, "flooded_rice"), (3, "soil_frac_gas")}


# ---------------------------------------------------------------------------- urea, liming
def test_urea_and_liming() -> None:
    out = totals(
        [
            {**LAND, "method": "urea", "activity": "urea_fertiliser", "amount": 100, "unit": "t"},
            {**LAND, "method": "liming", "activity": "agricultural_limestone", "amount": 50, "unit": "t"},
            {**LAND, "method": "liming", "activity": "agricultural_dolomite", "amount": 50_000, "unit": "kg"},
            {
                **LAND,
                "method": "liming",
                "activity": "agricultural_limestone",
                "amount": 50,
                "unit": "t",
                "lime_ef": 0.1,
            },
        ]
    )
    assert out.loc[0, "CO2"] == pytest.approx(100 * 0.20 * CO2_C, rel=REL)  # Eq. 11.13
    assert out.loc[1, "CO2"] == pytest.approx(50 * 0.12 * CO2_C, rel=REL)  # Eq. 11.12
    assert out.loc[2, "CO2"] == pytest.approx(50 * 0.13 * CO2_C, rel=REL)
    assert out.loc[3, "CO2"] == pytest.approx(50 * 0.1 * CO2_C, rel=REL)
    assert out["CH4"].sum() == 0 and out["N2O"].sum() == 0


def test_liming_refuses_the_ippu_carbonate() -> None:
    found = issues(
        [
            {**LAND, "method": "liming", "activity": "agricultural_dolomite", "amount": 1, "unit": "t"},
            {**LAND, "method": "liming", "activity": "dolomite", "amount": 1, "unit": "t"},
        ]
    )
    assert columns_of(found) == {(2, "activity")}


# ---------------------------------------------------------------------------- rice
RICE = {**LAND, "method": "rice", "activity": "paddy_rice"}


def test_rice_eq_5_1_to_5_3_in_mu() -> None:
    out = totals(
        [
            {
                **RICE,
                "amount": 1500,
                "unit": "mu",
                "cultivation_days": 120,
                "rice_water_regime": "continuously_flooded",
                "rice_preseason_water": "not_flooded_under_180d",
                "roa_straw_short": 2,
                "roa_farmyard_manure": 5,
            }
        ]
    )
    sf_o = (1 + 2 * 1.0 + 5 * 0.14) ** 0.59  # Eq. 5.3
    ef = 1.30 * 1.0 * 1.0 * sf_o  # Eq. 5.2, kg CH4/ha/d
    assert out.loc[0, "CH4"] == pytest.approx(ef * 120 * 100 / 1000, rel=REL)  # Eq. 5.1, 1500 mu = 100 ha


def test_rice_aggregated_cases_overrides_and_upland() -> None:
    out = totals(
        [
            {**RICE, "amount": 10, "unit": "ha", "cultivation_days": 100, "rice_water_regime": "irrigated"},
            {
                **RICE,
                "amount": 10,
                "unit": "ha",
                "cultivation_days": 100,
                "rice_water_regime": "irrigated",
                "rice_ef_c": 1.5,
                "rice_sf_o": 2,
                "rice_sf_s": 0.9,
                "roa_compost": 10,  # ignored: the row gives SF_o
            },
            {**RICE, "amount": 10, "unit": "ha", "cultivation_days": 100, "rice_water_regime": "upland"},
        ]
    )
    assert out.loc[0, "CH4"] == pytest.approx(1.30 * 0.78 * 1.22 * 100 * 10 / 1000, rel=REL)
    assert out.loc[1, "CH4"] == pytest.approx(1.5 * 0.78 * 1.22 * 2 * 0.9 * 100 * 10 / 1000, rel=REL)
    assert out.loc[2, "CH4"] == 0


# ---------------------------------------------------------------------------- bad inputs
GOOD_ENTERIC = {**LIVESTOCK, "method": "enteric", "activity": "dairy_cattle", "amount": 10}
GOOD_RICE = {**RICE, "amount": 1, "unit": "ha", "cultivation_days": 100, "rice_water_regime": "single_aeration"}
GOOD_MANURE = {
    **LIVESTOCK,
    "method": "manure_n2o",
    "activity": "dairy_cattle",
    "amount": 1,
    "manure_system": "solid_storage",
    "system_fraction": 1,
}


@pytest.mark.parametrize(
    ("good", "bad", "column"),
    [
        pytest.param(GOOD_MANURE, {"manure_system": "swamp"}, "manure_system", id="unknown-manure-system"),
        pytest.param(GOOD_RICE, {"rice_water_regime": "muddy"}, "rice_water_regime", id="unknown-water-regime"),
        pytest.param(GOOD_ENTERIC, {"development_status": "rich"}, "development_status", id="unknown-development"),
        pytest.param(GOOD_ENTERIC, {"amount": -5}, "amount", id="negative-amount"),
        pytest.param(GOOD_ENTERIC, {"unit": "t"}, "unit", id="animals-in-tonnes"),
        pytest.param(GOOD_RICE, {"unit": "t"}, "unit", id="rice-area-in-tonnes"),
        pytest.param(GOOD_ENTERIC, {"gpc_ref": "V.3"}, "gpc_ref", id="enteric-under-v3"),
        pytest.param(GOOD_RICE, {"gpc_ref": "V.1"}, "gpc_ref", id="rice-under-v1"),
        pytest.param(GOOD_ENTERIC, {"activity": "paddy_rice"}, "activity", id="rice-is-not-livestock"),
        pytest.param(GOOD_RICE, {"cultivation_days": None}, "cultivation_days", id="missing-cultivation-days"),
        pytest.param(GOOD_MANURE, {"manure_system": None}, "manure_system", id="missing-manure-system"),
        pytest.param(GOOD_MANURE, {"system_fraction": 1.5}, "system_fraction", id="fraction-above-one"),
        pytest.param(GOOD_ENTERIC, {"days_alive": 400}, "days_alive", id="days-alive-above-365"),
    ],
)
def test_bad_input_names_row_and_column(good: dict[str, object], bad: dict[str, object], column: str) -> None:
    found = issues([dict(good), {**good, **bad}, dict(good)])
    assert (2, column) in columns_of(found)
    assert {r for r, _, _ in found} == {2}


def test_missing_required_column_entirely() -> None:
    rows = [{k: v for k, v in GOOD_RICE.items() if k != "cultivation_days"}] * 2
    found = issues(rows)
    assert columns_of(found) == {(1, "cultivation_days"), (2, "cultivation_days")}
    assert all("required by method rice" in m for _, _, m in found)


# ---------------------------------------------------------------------------- example file
def test_example_file_computes_for_china() -> None:
    result = compute_inventory(read_records(EXAMPLE), region="CN", source=str(EXAMPLE))
    totals_ = result.record_totals()
    assert (totals_["tco2e"] > 0).all()
    assert set(result.records["method"].astype(str)) == {
        "enteric",
        "manure_ch4",
        "manure_n2o",
        "soil_n2o",
        "urea",
        "liming",
        "rice",
    }


# ---------------------------------------------------------------------------- Table 10.14 (Asia)
# IPCC 2006 Vol. 4 Ch. 10 Table 10.14, row "Asia" (kg CH4/head/yr), columns <=10, 11, ..., 27, >=28 degC,
# as transcribed in OpenAMEE/datasets business/agriculture/livestock/manure/ch4/cattleandswine:
# dairy cattle 9 10 10 11 12 13 14 15 16 17 18 20 21 23 24 26 28 31 31; other cattle 1 at every
# temperature; buffalo 1 (10-14), 2 (15-28); swine 2 (10-14), 3 (15-18), 4 (19-21), 5 (22-24),
# 6 (25-26), 7 (27-28). Asia has one "Swine" row; zerocity applies it to market and breeding swine.
def test_manure_ch4_table_10_14_china_without_own_factor() -> None:
    rows = [
        {
            **LIVESTOCK,
            "method": "manure_ch4",
            "activity": "market_swine",
            "amount": 450000,
            "climate_temperature": "17",
        },
        {**LIVESTOCK, "method": "manure_ch4", "activity": "dairy_cattle", "amount": 12000, "climate_temperature": "17"},
        {**LIVESTOCK, "method": "manure_ch4", "activity": "other_cattle", "amount": 30000, "climate_temperature": "17"},
        {**LIVESTOCK, "method": "manure_ch4", "activity": "buffalo", "amount": 5000, "climate_temperature": "17"},
    ]
    out = totals(rows)
    # Eq. 10.22: CH4 = N x EF(T) / 1000 t, Table 10.14 Asia column 17 degC
    assert out.loc[0, "CH4"] == pytest.approx(450000 * 3 / 1000, rel=REL)  # swine 3
    assert out.loc[1, "CH4"] == pytest.approx(12000 * 15 / 1000, rel=REL)  # dairy cattle 15
    assert out.loc[2, "CH4"] == pytest.approx(30000 * 1 / 1000, rel=REL)  # other cattle 1
    assert out.loc[3, "CH4"] == pytest.approx(5000 * 2 / 1000, rel=REL)  # buffalo 2
    result = compute_inventory(pd.DataFrame(rows), region="CN")
    assert {
        "IPCC2006-V4-T10.14-market_swine-asia-t17",
        "IPCC2006-V4-T10.14-dairy_cattle-asia-t17",
    } <= set(result.factor_ids)


def test_manure_ch4_table_10_14_temperature_columns() -> None:
    # The temperature is rounded to the nearest whole degree (halves up) and held to the table's
    # end columns: 9 -> <=10, 28.4 -> 28 (>=28), 17.5 -> 18, 40 -> >=28.
    out = totals(
        [
            {**LIVESTOCK, "method": "manure_ch4", "activity": "dairy_cattle", "amount": 1000, "climate_temperature": t}
            for t in ("9", "28.4", "17.5", "40")
        ]
        + [
            {**LIVESTOCK, "method": "manure_ch4", "activity": "market_swine", "amount": 1000, "climate_temperature": t}
            for t in ("9", "28.4")
        ]
    )
    assert out.loc[0, "CH4"] == pytest.approx(1000 * 9 / 1000, rel=REL)  # dairy, <=10 degC
    assert out.loc[1, "CH4"] == pytest.approx(1000 * 31 / 1000, rel=REL)  # dairy, >=28 degC
    assert out.loc[2, "CH4"] == pytest.approx(1000 * 16 / 1000, rel=REL)  # dairy, 18 degC
    assert out.loc[3, "CH4"] == pytest.approx(1000 * 31 / 1000, rel=REL)  # dairy, >=28 degC
    assert out.loc[4, "CH4"] == pytest.approx(1000 * 2 / 1000, rel=REL)  # swine, <=10 degC
    assert out.loc[5, "CH4"] == pytest.approx(1000 * 7 / 1000, rel=REL)  # swine, >=28 degC


def test_manure_ch4_own_factor_still_wins_over_table_10_14() -> None:
    out = totals(
        [
            {
                **LIVESTOCK,
                "method": "manure_ch4",
                "activity": "dairy_cattle",
                "amount": 1000,
                "climate_temperature": "17",
                "manure_ch4_ef": 12.5,
            }
        ]
    )
    assert out.loc[0, "CH4"] == pytest.approx(1000 * 12.5 / 1000, rel=REL)  # not Table 10.14's 15
