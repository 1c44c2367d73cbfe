"""IPPU sector methods (GPC IV; IPCC 2006 Vol. 3) through the public engine.

Each expected value is the IPCC equation written out with the default parameters as literals
(the numbers of the tables cited), never the code's own output. Tolerance: ``REL`` (float
round-off only; every expected value is exact arithmetic on the same literals).
"""

from __future__ import annotations

import pandas as pd
import pytest

from zerocity.errors import InvalidRecordsError
from zerocity.factors import default_library
from zerocity.inventory import InventoryResult, compute_inventory

REL = 1e-9
CO2_PER_C = 44 / 12


def run(*rows: dict[str, object], region: str = "CN", **kwargs: object) -> InventoryResult:
    """Compute records given as dicts (year 2020 unless a row says otherwise)."""
    frame = pd.DataFrame([{"year": 2020, **row} for row in rows])
    return compute_inventory(frame, region=region, **kwargs)


def tonnes(result: InventoryResult, gas: str, row: int | None = None) -> float:
    """Tonnes of one gas, of all rows or of one 1-based row."""
    e = result.emissions
    mask = e["gas"] == gas
    if row is not None:
        mask &= e["row"] == row
    return float(e.loc[mask, "tonnes"].sum())


def issues(*rows: dict[str, object], **kwargs: object) -> list[tuple[int, str, str]]:
    """(row, column, message) of every issue the records raise."""
    with pytest.raises(InvalidRecordsError) as info:
        run(*rows, **kwargs)
    return [(i.row, i.column, i.message) for i in info.value.issues]


def has_issue(found: list[tuple[int, str, str]], row: int, column: str, text: str = "") -> bool:
    return any(r == row and c == column and text in m for r, c, m in found)


# ------------------------------------------------------------------------- cement
CEMENT = {"gpc_ref": "IV.1", "method": "cement", "unit": "t"}


def test_cement_clinker_tier2_default() -> None:
    """Eq. 2.2: CO2 = M_cl x EF_cl x CF_ckd; EF_cl = 0.65 CaO x 0.785 = 0.51, CF_ckd = 1.02."""
    result = run({**CEMENT, "activity": "clinker", "amount": 1000})
    assert tonnes(result, "CO2") == pytest.approx(1000 * 0.51 * 1.02, rel=REL)
    ids = result.emissions["factor_ids"].iloc[0]
    assert "IPCC2006-V3-S2.2.1.2-clinker-ef_cl" in ids and "IPCC2006-V3-S2.2.1.2-clinker-ckd_correction" in ids


def test_cement_tier1_by_type_with_clinker_trade() -> None:
    """Eq. 2.1: CO2 = (sum M_ci x C_cli - Im + Ex) x EF_clc; Portland 0.95, masonry 0.64, EF_clc 0.52."""
    result = run(
        {
            **CEMENT,
            "activity": "cement_portland",
            "amount": 2000,
            "cement_clinker_imports": 100,
            "cement_clinker_exports": 50,
        },
        {**CEMENT, "activity": "cement_masonry", "amount": 500},
    )
    assert tonnes(result, "CO2", row=1) == pytest.approx((2000 * 0.95 - 100 + 50) * 0.52, rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(500 * 0.64 * 0.52, rel=REL)


def test_cement_units_of_side_columns_follow_the_row() -> None:
    """Amount and clinker imports in kt: (2 kt x 0.95 - 0.1 kt) x 0.52, in tonnes."""
    result = run({**CEMENT, "activity": "cement_portland", "amount": 2, "unit": "kt", "cement_clinker_imports": 0.1})
    assert tonnes(result, "CO2") == pytest.approx((2000 * 0.95 - 100) * 0.52, rel=REL)


def test_cement_overrides() -> None:
    result = run(
        {**CEMENT, "activity": "clinker", "amount": 1000, "cement_ef_cl": 0.53, "cement_ckd_correction": 1.05},
        {**CEMENT, "activity": "cement_blended", "amount": 1000, "cement_clinker_fraction": 0.7},
        {**CEMENT, "activity": "cement_portland", "amount": 1000, "cement_ef_clc": 0.5},
    )
    assert tonnes(result, "CO2", row=1) == pytest.approx(1000 * 0.53 * 1.05, rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(1000 * 0.7 * 0.52, rel=REL)
    assert tonnes(result, "CO2", row=3) == pytest.approx(1000 * 0.95 * 0.5, rel=REL)
    assert result.emissions.loc[result.emissions["row"] == 1, "factor_ids"].iloc[0] == "row"


def test_cement_blended_needs_its_clinker_fraction() -> None:
    found = issues({**CEMENT, "activity": "cement_blended", "amount": 1000})
    assert has_issue(found, 1, "cement_clinker_fraction", "give the value in column 'cement_clinker_fraction'")


def test_cement_columns_of_the_other_tier_are_reported() -> None:
    found = issues(
        {**CEMENT, "activity": "cement_portland", "amount": 10, "cement_ckd_correction": 1.02},
        {**CEMENT, "activity": "clinker", "amount": 10, "cement_clinker_fraction": 0.9},
    )
    assert has_issue(found, 1, "cement_ckd_correction", "applies to clinker rows")
    assert has_issue(found, 2, "cement_clinker_fraction", "applies to cement rows")


def test_cement_imports_larger_than_clinker_is_an_error() -> None:
    found = issues({**CEMENT, "activity": "cement_masonry", "amount": 100, "cement_clinker_imports": 500})
    assert has_issue(found, 1, "cement_clinker_imports", "exceed")


# ------------------------------------------------------------------------- lime
LIME = {"gpc_ref": "IV.1", "method": "lime", "unit": "t"}


def test_lime_by_type_table_2_4() -> None:
    """Eq. 2.8, Table 2.4: high-calcium 0.75, dolomitic 0.77, hydraulic 0.59 t CO2/t lime."""
    result = run(
        {**LIME, "activity": "lime_high_calcium", "amount": 100},
        {**LIME, "activity": "lime_dolomitic", "amount": 100},
        {**LIME, "activity": "lime_hydraulic", "amount": 100},
    )
    assert tonnes(result, "CO2", row=1) == pytest.approx(100 * 0.75, rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(100 * 0.77, rel=REL)
    assert tonnes(result, "CO2", row=3) == pytest.approx(100 * 0.59, rel=REL)


def test_lime_of_unknown_type_uses_the_tier1_mix() -> None:
    """Tier 1: 85% high-calcium and 15% dolomitic lime: EF = 0.85 x 0.75 + 0.15 x 0.77."""
    result = run({**LIME, "activity": "lime", "amount": 1000})
    assert tonnes(result, "CO2") == pytest.approx(1000 * (0.85 * 0.75 + 0.15 * 0.77), rel=REL)


def test_lime_corrections_and_override() -> None:
    """Tier 2 corrections: x CF_lkd x (1 - x y); an own EF wins, also for lime of unknown type."""
    result = run(
        {
            **LIME,
            "activity": "lime_high_calcium",
            "amount": 100,
            "lime_lkd_correction": 1.02,
            "lime_hydrated_fraction": 0.1,
            "lime_hydrated_water": 0.28,
        },
        {**LIME, "activity": "lime", "amount": 100, "lime_production_ef": 0.86},
    )
    assert tonnes(result, "CO2", row=1) == pytest.approx(100 * 0.75 * 1.02 * (1 - 0.1 * 0.28), rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(100 * 0.86, rel=REL)


def test_lime_hydrated_fraction_needs_water_content() -> None:
    found = issues({**LIME, "activity": "lime_dolomitic", "amount": 1, "lime_hydrated_fraction": 0.2})
    assert has_issue(found, 1, "lime_hydrated_water", "needed with lime_hydrated_fraction")


# ------------------------------------------------------------------------- glass
GLASS = {"gpc_ref": "IV.1", "method": "glass", "activity": "glass", "unit": "t"}


def test_glass_tier1_default_and_overrides() -> None:
    """Eq. 2.10: CO2 = M_g x EF x (1 - CR); EF 0.20, national default CR 0.50."""
    result = run(
        {**GLASS, "amount": 5000},
        {**GLASS, "amount": 5000, "glass_cullet_ratio": 0.2},
        {**GLASS, "amount": 5000, "glass_ef": 0.21, "glass_cullet_ratio": 0},
    )
    assert tonnes(result, "CO2", row=1) == pytest.approx(5000 * 0.20 * (1 - 0.50), rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(5000 * 0.20 * (1 - 0.2), rel=REL)
    assert tonnes(result, "CO2", row=3) == pytest.approx(5000 * 0.21, rel=REL)


# ------------------------------------------------------------------------- ammonia
AMMONIA = {"gpc_ref": "IV.1", "method": "ammonia", "activity": "ammonia", "unit": "t"}


def test_ammonia_natural_gas_reforming() -> None:
    """Eq. 3.1: CO2 = AP x FR x CCF x COF x 44/12; Table 3.1 FR 30.2 GJ/t, NG CCF 15.3 kg C/GJ, COF 1."""
    result = run({**AMMONIA, "amount": 10000, "ammonia_process": "conventional_reforming"})
    expected = 10000 * 30.2 * 15.3 * 1 * CO2_PER_C / 1000
    assert tonnes(result, "CO2") == pytest.approx(expected, rel=REL)
    # Table 3.1 prints 1.694 t CO2/t NH3 for this process.
    assert expected / 10000 == pytest.approx(1.694, abs=5e-4)


def test_ammonia_partial_oxidation_urea_recovery_and_overrides() -> None:
    result = run(
        {
            **AMMONIA,
            "amount": 1000,
            "ammonia_process": "partial_oxidation",
            "ammonia_fuel": "residual_fuel_oil",
            "urea_co2_recovered": 500,
        },
        # A coal-gasification plant with its own fuel requirement (no Table 3.1 default exists).
        {**AMMONIA, "amount": 1000, "ammonia_fuel": "anthracite", "ammonia_fuel_requirement": 42.0},
        {
            **AMMONIA,
            "amount": 1000,
            "ammonia_process": "average_natural_gas",
            "ammonia_carbon_content": 15.0,
            "ammonia_carbon_oxidation": 0.99,
        },
    )
    # FR 36.0 GJ/t (Table 3.1), CCF residual fuel oil 21.1 kg C/GJ (Vol. 2 Table 1.3), minus urea CO2.
    assert tonnes(result, "CO2", row=1) == pytest.approx(1000 * 36.0 * 21.1 * CO2_PER_C / 1000 - 500, rel=REL)
    # CCF anthracite 26.8 kg C/GJ (Vol. 2 Table 1.3).
    assert tonnes(result, "CO2", row=2) == pytest.approx(1000 * 42.0 * 26.8 * CO2_PER_C / 1000, rel=REL)
    # FR 37.5 GJ/t (Table 3.1, European average, natural gas).
    assert tonnes(result, "CO2", row=3) == pytest.approx(1000 * 37.5 * 15.0 * 0.99 * CO2_PER_C / 1000, rel=REL)


def test_ammonia_missing_process_and_fuel() -> None:
    found = issues(
        {**AMMONIA, "amount": 1},
        {**AMMONIA, "amount": 1, "ammonia_process": "partial_oxidation"},
        {**AMMONIA, "amount": 1, "ammonia_process": "conventional_reforming", "urea_co2_recovered": 100},
    )
    assert has_issue(found, 1, "ammonia_process", "required unless ammonia_fuel_requirement")
    assert has_issue(found, 2, "ammonia_fuel", "required for this process")
    assert has_issue(found, 3, "urea_co2_recovered", "exceeds")


# ------------------------------------------------------------------------- iron and steel
STEEL = {"gpc_ref": "IV.1", "method": "iron_steel", "unit": "t"}


def test_iron_steel_table_4_1_and_sinter_ch4() -> None:
    """Table 4.1 t CO2/t: BOF 1.46, EAF 0.08, OHF 1.72, unknown route 1.06, sinter 0.20, coke 0.56,
    pig iron 1.35, DRI 0.70, pellets 0.03; Table 4.2: sinter 0.07 kg CH4/t."""
    cases = [
        ("steel_bof", 1.46),
        ("steel_eaf", 0.08),
        ("steel_ohf", 1.72),
        ("steel", 1.06),
        ("sinter", 0.20),
        ("metallurgical_coke", 0.56),
        ("pig_iron", 1.35),
        ("direct_reduced_iron", 0.70),
        ("iron_pellets", 0.03),
    ]
    result = run(*({**STEEL, "activity": a, "amount": 1000} for a, _ in cases))
    for row, (_activity, ef) in enumerate(cases, start=1):
        assert tonnes(result, "CO2", row=row) == pytest.approx(1000 * ef, rel=REL)
    assert tonnes(result, "CH4", row=5) == pytest.approx(1000 * 0.07 / 1000, rel=REL)
    assert tonnes(result, "CH4") == pytest.approx(1000 * 0.07 / 1000, rel=REL)  # only sinter has a default


def test_iron_steel_overrides_add_ch4_where_given() -> None:
    result = run(
        {**STEEL, "activity": "direct_reduced_iron", "amount": 500, "iron_steel_ch4_ef": 0.5},
        {**STEEL, "activity": "steel_bof", "amount": 500, "iron_steel_co2_ef": 1.3},
    )
    assert tonnes(result, "CH4", row=1) == pytest.approx(500 * 0.5 / 1000, rel=REL)
    assert tonnes(result, "CO2", row=1) == pytest.approx(500 * 0.70, rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(500 * 1.3, rel=REL)


def test_mass_balance_for_a_steel_plant() -> None:
    """The engine's mass_balance method (IPCC 2006 Vol. 3 Ch. 4 Eq. 4.9-style carbon balance)
    for measured carbon flows of an integrated steel plant: CO2 = (sum C_in - sum C_out) x 44/12."""
    mb = {"gpc_ref": "IV.1", "method": "mass_balance", "unit": "t", "carbon_unit": "t/t"}
    result = run(
        {**mb, "activity": "coke_oven_coke", "amount": 400_000, "carbon_content": 0.87, "flow": "input"},
        {**mb, "activity": "dolomite", "amount": 50_000, "carbon_content": 0.13, "flow": "input"},
        {**mb, "activity": "steel_bof", "amount": 1_000_000, "carbon_content": 0.004, "flow": "output"},
        {**mb, "activity": "blast_furnace_gas", "amount": 600_000, "carbon_content": 0.18, "flow": "output"},
    )
    carbon = 400_000 * 0.87 + 50_000 * 0.13 - 1_000_000 * 0.004 - 600_000 * 0.18
    assert tonnes(result, "CO2") == pytest.approx(carbon * CO2_PER_C, rel=REL)
    assert result.total("BASIC+") == pytest.approx(carbon * CO2_PER_C, rel=REL)


# ------------------------------------------------------------------------- lubricants and waxes
LUBE = {"gpc_ref": "IV.2", "method": "lubricant"}


def test_lubricants_and_waxes_in_mass_and_energy() -> None:
    """Eqs. 5.2/5.4: CO2 = LC x CC x ODU x 44/12; NCV 40.2 GJ/t (Vol. 2 Table 1.2), CC 20.0 kg C/GJ
    (Vol. 2 Table 1.3), Tier 1 ODU 0.2."""
    result = run(
        {**LUBE, "activity": "lubricants", "amount": 1000, "unit": "t"},
        {**LUBE, "activity": "paraffin_waxes", "amount": 2, "unit": "TJ"},
        {**LUBE, "activity": "lubricants", "amount": 1000, "unit": "t", "lubricant_odu": 0.05},
    )
    assert tonnes(result, "CO2", row=1) == pytest.approx(1000 * 40.2 * 20.0 * 0.2 * CO2_PER_C / 1000, rel=REL)
    assert tonnes(result, "CO2", row=2) == pytest.approx(2000 * 20.0 * 0.2 * CO2_PER_C / 1000, rel=REL)
    assert tonnes(result, "CO2", row=3) == pytest.approx(1000 * 40.2 * 20.0 * 0.05 * CO2_PER_C / 1000, rel=REL)


def test_lubricant_row_ncv_and_carbon_content() -> None:
    result = run(
        {
            **LUBE,
            "activity": "lubricants",
            "amount": 10,
            "unit": "t",
            "lubricant_ncv": 42.0,
            "lubricant_carbon_content": 19.0,
        }
    )
    assert tonnes(result, "CO2") == pytest.approx(10 * 42.0 * 19.0 * 0.2 * CO2_PER_C / 1000, rel=REL)


# ------------------------------------------------------------------------- refrigeration and AC
FRIDGE = {"gpc_ref": "IV.2", "method": "refrigerant", "unit": "t"}


def test_refrigerant_pure_hfc_all_three_stages() -> None:
    """Eqs. 7.12-7.14 with Table 7.9 midpoints for stationary AC: k (0.2-1%) 0.6%, x (1-10%/yr) 5.5%,
    p (0-80%) 40%, eta (0-80%) 40%: E = M_t k + B x + M_ret p (1 - eta)."""
    result = run(
        {
            **FRIDGE,
            "activity": "stationary_air_conditioning",
            "amount": 20,
            "refrigerant_gas": "R-134a",
            "refrigerant_new_charge": 4,
            "refrigerant_retired_charge": 2,
        }
    )
    expected = 4 * 0.006 + 20 * 0.055 + 2 * 0.40 * (1 - 0.40)
    assert tonnes(result, "HFC134a") == pytest.approx(expected, rel=REL)
    # GWP AR5 of HFC-134a: 1300 (AR5 WG1 Table 8.A.1).
    assert result.emissions["tco2e"].sum() == pytest.approx(expected * 1300, rel=REL)


def test_refrigerant_blend_is_split_into_its_hfcs() -> None:
    """R-407C = HFC-32/125/134a 23/25/52 by mass; mobile AC x (10-20%/yr) midpoint 15%."""
    result = run({**FRIDGE, "activity": "mobile_air_conditioning", "amount": 10, "refrigerant_gas": "R407C"})
    total = 10 * 0.15
    assert tonnes(result, "HFC32") == pytest.approx(total * 0.23, rel=REL)
    assert tonnes(result, "HFC125") == pytest.approx(total * 0.25, rel=REL)
    assert tonnes(result, "HFC134a") == pytest.approx(total * 0.52, rel=REL)


def test_refrigerant_uncertainty_combines_the_stages() -> None:
    """Half of each Table 7.9 range is the factor's 95% half-width; stages add in quadrature
    (Vol. 1 Ch. 3 Eq. 3.2). Mobile AC: x 10-20%/yr -> 15 +/- 5; k 0.2-0.5% -> 0.35 +/- 0.15."""
    result = run(
        {**FRIDGE, "activity": "mobile_air_conditioning", "amount": 10, "refrigerant_gas": "HFC-134a"},
        {
            **FRIDGE,
            "activity": "mobile_air_conditioning",
            "amount": 10,
            "refrigerant_gas": "HFC-134a",
            "refrigerant_new_charge": 100,
        },
    )
    unc = result.emissions.set_index("row")["rel_uncertainty"]
    assert unc[1] == pytest.approx(5 / 15, rel=1e-3)  # the dataset stores 33.33 %
    operating, charging = 10 * 0.15, 100 * 0.0035
    expected = ((operating * 5 / 15) ** 2 + (charging * 0.15 / 0.35) ** 2) ** 0.5 / (operating + charging)
    assert unc[2] == pytest.approx(expected, rel=1e-3)


def test_refrigerant_other_applications_and_overrides() -> None:
    result = run(
        # Chillers: x (2-15%/yr) 8.5%; retired p (80-100%) 90%, eta (0-95%) 47.5%.
        {
            **FRIDGE,
            "activity": "chillers",
            "amount": 5,
            "refrigerant_gas": "HFC-32",
            "refrigerant_retired_charge": 1,
        },
        # Own factors win.
        {
            **FRIDGE,
            "activity": "commercial_refrigeration",
            "amount": 3,
            "unit": "t",
            "refrigerant_gas": "hfc125",
            "refrigerant_operating_loss": 0.1,
            "refrigerant_retired_charge": 1,
            "refrigerant_eol_remaining": 1.0,
            "refrigerant_recovery": 0.9,
        },
    )
    assert tonnes(result, "HFC32", row=1) == pytest.approx(5 * 0.085 + 1 * 0.90 * (1 - 0.475), rel=REL)
    assert tonnes(result, "HFC125", row=2) == pytest.approx(3 * 0.1 + 1 * 1.0 * (1 - 0.9), rel=REL)


def test_refrigerant_unknown_gas_names_row_and_column() -> None:
    found = issues(
        {**FRIDGE, "activity": "chillers", "amount": 1, "refrigerant_gas": "HFC-134a"},
        {**FRIDGE, "activity": "chillers", "amount": 1, "refrigerant_gas": "R-22X"},
    )
    assert found == [(2, "refrigerant_gas", found[0][2])]
    assert "unknown refrigerant" in found[0][2]


# ------------------------------------------------------------------------- SF6 in electrical equipment
SF6 = {"gpc_ref": "IV.2", "method": "sf6_equipment", "activity": "sf6_switchgear_closed", "unit": "kg"}


def test_sf6_with_row_factors() -> None:
    """Ch. 8 Tier 1: E = C_mfg EF_mfg + N_new EF_inst + B EF_use + N_ret p (1 - r), factors of the row."""
    result = run(
        {
            **SF6,
            "amount": 10_000,
            "sf6_manufacturer_consumption": 2_000,
            "sf6_new_equipment_charge": 500,
            "sf6_retired_charge": 300,
            "sf6_manufacturing_ef": 0.08,
            "sf6_installation_ef": 0.01,
            "sf6_use_ef": 0.02,
            "sf6_eol_remaining": 0.95,
            "sf6_eol_recovery": 0.9,
        }
    )
    expected_kg = 2_000 * 0.08 + 500 * 0.01 + 10_000 * 0.02 + 300 * 0.95 * (1 - 0.9)
    assert tonnes(result, "SF6") == pytest.approx(expected_kg / 1000, rel=REL)


def test_sf6_factors_from_a_user_factor_set() -> None:
    source = {
        "region": "CN",
        "source_publisher": "Test utility",
        "source_document": "SF6 leak survey",
        "source_table": "Table 1",
        "source_year": "2021",
    }
    user = pd.DataFrame(
        [
            {**source, "factor_id": "T-SF6-USE", "parameter": "sf6_use_ef", "activity": "sf6_switchgear_closed",
             "value": 0.5, "unit": "percent/yr"},
        ]
    )  # fmt: skip
    lib = default_library().with_user_set(user, name="utility")
    result = run({**SF6, "amount": 4_000}, library=lib)
    assert tonnes(result, "SF6") == pytest.approx(4_000 * 0.005 / 1000, rel=REL)
    assert "T-SF6-USE" in result.factor_ids


def test_sf6_without_factors_names_the_column_to_fill() -> None:
    found = issues({**SF6, "amount": 100}, {**SF6, "amount": 100, "sf6_retired_charge": 5, "sf6_use_ef": 0.01})
    assert has_issue(found, 1, "sf6_use_ef", "give the value in column 'sf6_use_ef'")
    assert has_issue(found, 2, "sf6_eol_remaining")
    assert has_issue(found, 2, "sf6_eol_recovery")
    assert not has_issue(found, 2, "sf6_use_ef")


# ------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("row", "column", "text"),
    [
        pytest.param(
            {**AMMONIA, "amount": 1, "ammonia_process": "steam_cracking"}, "ammonia_process", "expected one of",
            id="unknown-choice",
        ),
        pytest.param({**GLASS, "amount": -5}, "amount", "non-negative", id="negative-amount"),
        pytest.param({**CEMENT, "activity": "clinker", "amount": 5, "unit": "m3"}, "unit", "amount of mass",
                     id="wrong-unit-dimension"),
        pytest.param({**CEMENT, "activity": "clinker", "amount": 5, "gpc_ref": "IV.2"}, "gpc_ref", "IV.1",
                     id="wrong-gpc-ref"),
        pytest.param({**FRIDGE, "activity": "chillers", "amount": 5, "gpc_ref": "I.1.1", "refrigerant_gas": "HFC-32"},
                     "gpc_ref", "IV.2", id="energy-gpc-ref"),
        pytest.param({**CEMENT, "activity": "glass", "amount": 5}, "activity", "category cement",
                     id="activity-of-another-method"),
        pytest.param({**GLASS, "amount": 5, "glass_cullet_ratio": 1.5}, "glass_cullet_ratio", "<= 1",
                     id="fraction-above-one"),
        pytest.param({**FRIDGE, "activity": "chillers", "amount": 5}, "refrigerant_gas", "required by method",
                     id="missing-required-column"),
    ],
)  # fmt: skip
def test_bad_input_names_row_and_column(row: dict[str, object], column: str, text: str) -> None:
    good = {**GLASS, "amount": 1}
    found = issues(good, row, good)
    assert has_issue(found, 2, column, text), found
    assert all(r == 2 for r, _c, _m in found)


# ------------------------------------------------------------------------- shipped data
def test_shipped_ippu_records_are_sourced_and_fossil() -> None:
    lib = default_library()
    records = [r for r in lib.records() if r.dataset == "ipcc2006_ippu"]
    assert len(records) > 80
    for rec in records:
        assert rec.region == "GLOBAL", rec.factor_id
        assert (rec.sectors and rec.sectors[0].startswith("IV")) or rec.parameter == "ncv", rec.factor_id
        assert not lib.activities[rec.activity].biogenic, rec.factor_id


def test_blend_compositions_sum_to_one() -> None:
    lib = default_library()
    sums: dict[str, float] = {}
    for rec in lib.records():
        if rec.parameter == "refrigerant_blend_fraction":
            sums[rec.activity] = sums.get(rec.activity, 0.0) + rec.value
    assert sums and all(v == pytest.approx(1.0) for v in sums.values()), sums
