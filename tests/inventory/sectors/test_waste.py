"""Waste methods (GPC III) against hand-worked IPCC 2006 Vol. 5 examples, through the public engine.

Every expected value is written out here from the Guidelines' equation with the default
parameters as literals (table and equation named beside each), never taken from the code.
The tolerance is float round-off only: the code and the test evaluate the same closed forms.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from zerocity.errors import InvalidRecordsError
from zerocity.factors import default_library
from zerocity.inventory import compute_inventory, read_records
from zerocity.inventory.sectors import waste

REL = 1e-9  # same formula, different arithmetic order

WET_TEMPERATE = "boreal_temperate_wet"
# IPCC 2006 Vol. 5 Ch. 3 defaults: DOCf 0.5, F 0.5; Table 3.1 MCF managed anaerobic 1.0.
DOCF, F, MCF_MANAGED = 0.5, 0.5, 1.0
# Table 2.4 DOC (wet weight) and Table 3.3 k, boreal/temperate wet (MAP/PET > 1).
DOC_FOOD, K_FOOD = 0.15, 0.185
DOC_PAPER, K_PAPER = 0.40, 0.06
DOC_GARDEN, K_GARDEN = 0.20, 0.10
DOC_WOOD, K_WOOD = 0.43, 0.03


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Records as read from a CSV: every cell text, empty for missing."""
    df = pd.DataFrame(rows)
    return df.astype(object).where(df.notna(), "").astype(str)


def tonnes(result, gas: str, year: int | None = None, *, biogenic: bool = False) -> float:
    e = result.emissions
    mask = (e["gas"].astype(str) == gas) & (e["biogenic"].to_numpy(dtype=bool) == biogenic)
    if year is not None:
        mask &= e["year"].to_numpy() == year
    return float(e.loc[mask, "tonnes"].sum())


def issues(rows: list[dict[str, object]], **kwargs: object) -> list[tuple[int, str]]:
    with pytest.raises(InvalidRecordsError) as info:
        compute_inventory(frame(rows), source="waste.csv", **kwargs)
    text = str(info.value)
    for issue in info.value.issues:
        assert f"row {issue.row}, column '{issue.column}'" in text or len(info.value.issues) > 20
    return [(i.row, i.column) for i in info.value.issues]


def recursive_ch4(deposits: dict[int, float], doc: float, k: float, years: range, mcf: float = MCF_MANAGED) -> dict:
    """CH4 generated [t] by year, iterating IPCC 2006 Vol. 5 Eq. 3.2, 3.4, 3.5, 3.6 literally.

    DDOCm_d(T) = W(T) DOC DOCf MCF; decomposed(T) = DDOCma(T-1) (1 - e^-k);
    DDOCma(T) = DDOCm_d(T) + DDOCma(T-1) e^-k; CH4(T) = decomposed(T) F 16/12.
    """
    accumulated = 0.0
    out = {}
    for year in years:
        decomposed = accumulated * (1 - math.exp(-k))
        accumulated = deposits.get(year, 0.0) * doc * DOCF * mcf + accumulated * math.exp(-k)
        out[year] = decomposed * F * 16 / 12
    return out


def fod_row(year: int, activity: str, amount: float, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "year": year,
        "gpc_ref": "III.1.1",
        "activity": activity,
        "amount": amount,
        "unit": "t",
        "method": "fod",
        "climate_zone": WET_TEMPERATE,
        "swds_type": "managed_anaerobic",
        "site": "north",
    }
    row.update(extra)
    return row


# ---------------------------------------------------------------------------- fod
FOOD = {2010: 1000.0, 2011: 1200.0, 2012: 900.0, 2013: 1500.0, 2014: 1100.0, 2015: 1300.0}
PAPER = {2010: 400.0, 2011: 300.0, 2012: 500.0, 2013: 450.0, 2014: 350.0, 2015: 600.0}
HISTORY_YEARS = range(2010, 2021)


def test_fod_matches_recursive_series_for_two_waste_types() -> None:
    rows = [fod_row(y, "msw_food", w) for y, w in FOOD.items()] + [fod_row(y, "msw_paper", w) for y, w in PAPER.items()]
    years = list(range(2011, 2021))
    result = compute_inventory(frame(rows), region="CN", years=years)
    food = recursive_ch4(FOOD, DOC_FOOD, K_FOOD, HISTORY_YEARS)
    paper = recursive_ch4(PAPER, DOC_PAPER, K_PAPER, HISTORY_YEARS)
    for year in years:
        # Eq. 3.1 with R = 0 and OX = 0 (Table 3.2, managed site without oxidising cover).
        assert tonnes(result, "CH4", year) == pytest.approx(food[year] + paper[year], rel=REL), year
    # Deposits start to decay the year after disposal: nothing in the first year.
    first = compute_inventory(frame(rows), region="CN", years=[2010])
    assert tonnes(first, "CH4") == 0.0
    # Landfill CH4 of food and paper is non-fossil (biogenic activities).
    assert set(result.emissions["gas"].astype(str)) == {"CH4"}


def test_fod_recovery_and_oxidising_cover() -> None:
    cover = {"swds_oxidising_cover": "yes"}
    rows = [fod_row(y, "msw_food", w, **cover) for y, w in FOOD.items()]
    rows += [fod_row(y, "msw_paper", w, **cover) for y, w in PAPER.items()]
    rows += [
        fod_row(2016, "msw_food", 0, ch4_recovered=20, **cover),
        fod_row(2018, "msw_food", 0, ch4_recovered=5, **cover),
    ]
    result = compute_inventory(frame(rows), region="CN", years=[2016, 2017, 2018])
    food = recursive_ch4(FOOD, DOC_FOOD, K_FOOD, HISTORY_YEARS)
    paper = recursive_ch4(PAPER, DOC_PAPER, K_PAPER, HISTORY_YEARS)
    ox = 0.1  # Table 3.2: managed site covered with CH4-oxidising material
    recovered = {2016: 20.0, 2017: 0.0, 2018: 5.0}
    for year, r in recovered.items():
        # Eq. 3.1: CH4 emitted = (sum CH4 generated - R) (1 - OX)
        expected = (food[year] + paper[year] - r) * (1 - ox)
        assert tonnes(result, "CH4", year) == pytest.approx(expected, rel=REL), year


def test_fod_recovery_is_per_site() -> None:
    rows = [fod_row(y, "msw_food", w) for y, w in FOOD.items()]
    rows += [fod_row(y, "msw_food", w, site="south", swds_type="unmanaged_deep") for y, w in FOOD.items()]
    rows.append(fod_row(2016, "msw_food", 0, ch4_recovered=10))
    result = compute_inventory(frame(rows), region="CN", years=[2016])
    north = recursive_ch4(FOOD, DOC_FOOD, K_FOOD, HISTORY_YEARS)[2016]
    south = recursive_ch4(FOOD, DOC_FOOD, K_FOOD, HISTORY_YEARS, mcf=0.8)[2016]  # Table 3.1 unmanaged deep
    assert tonnes(result, "CH4") == pytest.approx(north - 10 + south, rel=REL)


def test_fod_recovery_above_generation_is_reported() -> None:
    rows = [fod_row(y, "msw_food", w) for y, w in FOOD.items()]
    rows.append(fod_row(2016, "msw_food", 0, ch4_recovered=1e6))
    assert (7, "ch4_recovered") in issues(rows, region="CN", years=[2016])


def test_fod_mixed_msw_composition_decays_by_component() -> None:
    shares = {"share_food": 0.5, "share_paper": 0.2, "share_garden": 0.1, "share_wood": 0.05, "share_plastics": 0.1}
    msw = {2012: 2000.0, 2013: 2500.0, 2014: 3000.0}
    rows = [fod_row(y, "msw", w, **shares) for y, w in msw.items()]
    result = compute_inventory(frame(rows), region="CN", years=[2015, 2016])
    span = range(2012, 2017)
    parts = [
        recursive_ch4({y: w * 0.5 for y, w in msw.items()}, DOC_FOOD, K_FOOD, span),
        recursive_ch4({y: w * 0.2 for y, w in msw.items()}, DOC_PAPER, K_PAPER, span),
        recursive_ch4({y: w * 0.1 for y, w in msw.items()}, DOC_GARDEN, K_GARDEN, span),
        recursive_ch4({y: w * 0.05 for y, w in msw.items()}, DOC_WOOD, K_WOOD, span),
    ]  # plastics and the 5 % rest (inert) have no DOC (Table 2.4)
    for year in (2015, 2016):
        assert tonnes(result, "CH4", year) == pytest.approx(sum(p[year] for p in parts), rel=REL)


def test_fod_overrides_and_bulk_waste() -> None:
    # Bulk MSW: DOC from the row (fod_doc 0.16), k of Table 3.3 'bulk waste' (temperate wet 0.09).
    bulk = {2012: 1000.0, 2013: 1000.0}
    rows = [fod_row(y, "msw", w, fod_doc=0.16) for y, w in bulk.items()]
    result = compute_inventory(frame(rows), region="CN", years=[2014])
    expected = recursive_ch4(bulk, 0.16, 0.09, range(2012, 2015))[2014]
    assert tonnes(result, "CH4") == pytest.approx(expected, rel=REL)
    assert "row" in set(";".join(result.emissions["factor_ids"].astype(str)).split(";"))

    # Row values replace the library's: k, MCF, DOCf, F, OX; and a half-life instead of k.
    own = {"fod_k": 0.2, "fod_mcf": 0.7, "fod_docf": 0.6, "fod_f": 0.55, "fod_ox": 0.05}
    rows = [fod_row(2012, "msw_food", 1000, **own)]
    result = compute_inventory(frame(rows), region="CN", years=[2015])
    d = 1000 * 0.15 * 0.6 * 0.7
    expected = d * (math.exp(-0.2 * 2) - math.exp(-0.2 * 3)) * 0.55 * 16 / 12 * (1 - 0.05)
    assert tonnes(result, "CH4") == pytest.approx(expected, rel=REL)

    rows = [fod_row(2012, "msw_food", 1000, fod_half_life=4)]
    result = compute_inventory(frame(rows), region="CN", years=[2014])
    k = math.log(2) / 4
    expected = 1000 * 0.15 * 0.5 * 1.0 * (math.exp(-k) - math.exp(-2 * k)) * 0.5 * 16 / 12
    assert tonnes(result, "CH4") == pytest.approx(expected, rel=REL)


def test_fod_uncategorised_site_and_tropical_zone() -> None:
    rows = [fod_row(2018, "sewage_sludge", 500, swds_type="", climate_zone="tropical_moist_wet")]
    result = compute_inventory(frame(rows), region="CN", years=[2019])
    # Ch. 2 sewage sludge DOC 0.05; Table 3.1 uncategorised MCF 0.6; Table 3.3 food/sewage sludge,
    # tropical moist and wet, k 0.40.
    expected = 500 * 0.05 * 0.5 * 0.6 * (1 - math.exp(-0.40)) * 0.5 * 16 / 12
    assert tonnes(result, "CH4") == pytest.approx(expected, rel=REL)


def test_fod_without_default_names_the_column_to_fill() -> None:
    # Bulk MSW has no shipped DOC; nappies no Table 3.3 k.
    found = issues([fod_row(2012, "msw", 1000), fod_row(2012, "msw_nappies", 100)], region="CN", years=[2014])
    assert (1, "fod_doc") in found
    assert (2, "fod_k") in found


# ---------------------------------------------------------------------------- biological
def bio_row(activity: str, amount: float, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "year": 2020,
        "gpc_ref": "III.2.1",
        "activity": activity,
        "amount": amount,
        "unit": "t",
        "method": "biological",
    }
    row.update(extra)
    return row


def test_biological_treatment_table_4_1() -> None:
    rows = [
        bio_row("composting", 1000),  # wet weight by default
        bio_row("composting", 200, waste_basis="dry"),
        bio_row("anaerobic_digestion", 500, ch4_recovered=0.2),
    ]
    result = compute_inventory(frame(rows), region="CN")
    # Eq. 4.1: CH4 = sum(M_i EF_i) 10^-3 - R with M in Gg, EF in g/kg -> here M in kg, t out.
    # Table 4.1: composting CH4 4 g/kg wet, 10 g/kg dry; anaerobic digestion 1 g/kg wet.
    ch4 = 1000e3 * 4 * 1e-6 + 200e3 * 10 * 1e-6 + (500e3 * 1 * 1e-6 - 0.2)
    # Eq. 4.2, Table 4.1: composting N2O 0.3 g/kg wet, 0.6 g/kg dry; digestion negligible.
    n2o = 1000e3 * 0.3 * 1e-6 + 200e3 * 0.6 * 1e-6
    assert tonnes(result, "CH4") == pytest.approx(ch4, rel=REL)
    assert tonnes(result, "N2O") == pytest.approx(n2o, rel=REL)


def test_biological_overrides_and_excess_recovery() -> None:
    result = compute_inventory(frame([bio_row("composting", 100, bio_ch4_ef=2.5, bio_n2o_ef=0.1)]), region="CN")
    assert tonnes(result, "CH4") == pytest.approx(100e3 * 2.5 * 1e-6, rel=REL)
    assert tonnes(result, "N2O") == pytest.approx(100e3 * 0.1 * 1e-6, rel=REL)
    assert (1, "ch4_recovered") in issues([bio_row("composting", 1, ch4_recovered=1)], region="CN")


# ---------------------------------------------------------------------------- incineration
def incin_row(activity: str, amount: float, technology: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "year": 2020,
        "gpc_ref": "III.3.1",
        "activity": activity,
        "amount": amount,
        "unit": "t",
        "method": "incineration",
        "incineration_technology": technology,
    }
    row.update(extra)
    return row


MIX = {"share_food": 0.5, "share_paper": 0.2, "share_plastics": 0.1, "share_textiles": 0.1}
# Table 2.4 (dm, CF of dry matter, FCF of carbon) per component; the 10 % rest is 'other, inert'.
COMPONENTS = {
    "food": (0.5, 0.40, 0.38, 0.0),
    "paper": (0.2, 0.90, 0.46, 0.01),
    "plastics": (0.1, 1.00, 0.75, 1.0),
    "textiles": (0.1, 0.80, 0.50, 0.20),
    "other_inert": (0.1, 0.90, 0.03, 1.0),
}


def test_incineration_mixed_msw_continuous_stoker() -> None:
    result = compute_inventory(frame([incin_row("msw", 1000, "continuous_stoker", **MIX)]), region="CN")
    of = 1.0  # Table 5.2, incineration
    # Eq. 5.2: CO2 = MSW * sum_j (WF_j dm_j CF_j FCF_j OF_j) * 44/12
    fossil = 1000 * sum(wf * dm * cf * fcf for wf, dm, cf, fcf in COMPONENTS.values()) * of * 44 / 12
    biogenic = 1000 * sum(wf * dm * cf * (1 - fcf) for wf, dm, cf, fcf in COMPONENTS.values()) * of * 44 / 12
    assert tonnes(result, "CO2") == pytest.approx(fossil, rel=REL)
    assert tonnes(result, "CO2", biogenic=True) == pytest.approx(biogenic, rel=REL)
    assert result.biogenic_co2_t == pytest.approx(biogenic, rel=REL)
    # Table 5.3: continuous stoker 0.2 kg CH4/Gg; Table 5.6: 50 g N2O/t wet.
    assert tonnes(result, "CH4") == pytest.approx(1000 * 0.2 * 1e-6, rel=REL)
    assert tonnes(result, "N2O") == pytest.approx(1000 * 50 * 1e-6, rel=REL)


def test_incineration_open_burning() -> None:
    result = compute_inventory(frame([incin_row("msw", 100, "open_burning", **MIX)]), region="CN")
    of = 0.58  # Table 5.2, open burning
    fossil = 100 * sum(wf * dm * cf * fcf for wf, dm, cf, fcf in COMPONENTS.values()) * of * 44 / 12
    assert tonnes(result, "CO2") == pytest.approx(fossil, rel=REL)
    # Section 5.4.2: 6500 g CH4/t MSW; Table 5.6: 150 g N2O/t dry weight (dry mass = W sum WF_j dm_j).
    assert tonnes(result, "CH4") == pytest.approx(100 * 6500 * 1e-6, rel=REL)
    dry = 100 * sum(wf * dm for wf, dm, _, _ in COMPONENTS.values())
    assert tonnes(result, "N2O") == pytest.approx(dry * 150 * 1e-6, rel=REL)


def test_incineration_industrial_waste_with_row_values() -> None:
    row = incin_row("industrial_waste", 200, "batch_stoker", incin_dm=0.9, incin_ch4_ef=60)
    result = compute_inventory(frame([row]), region="CN")
    # Table 5.2 industrial waste: CF 50 % of dry weight, FCF 90 %, OF 100 %; Table 5.6: 100 g N2O/t wet.
    assert tonnes(result, "CO2") == pytest.approx(200 * 0.9 * 0.5 * 0.9 * 1.0 * 44 / 12, rel=REL)
    assert tonnes(result, "CO2", biogenic=True) == pytest.approx(200 * 0.9 * 0.5 * 0.1 * 44 / 12, rel=REL)
    assert tonnes(result, "CH4") == pytest.approx(200 * 60 * 1e-6, rel=REL)
    assert tonnes(result, "N2O") == pytest.approx(200 * 100 * 1e-6, rel=REL)
    # Without dm and CH4 factor: both columns are named.
    found = issues([incin_row("industrial_waste", 200, "batch_stoker")], region="CN")
    assert (1, "incin_dm") in found
    assert (1, "incin_ch4_ef") in found


def test_incineration_single_component_row_and_overrides() -> None:
    row = incin_row("msw_plastics", 10, "semi_continuous_fluidised_bed", incin_of=0.95, incin_n2o_ef=40)
    result = compute_inventory(frame([row]), region="CN")
    # Table 2.4 plastics: dm 100 %, CF 75 %, FCF 100 %; Table 5.3 semi-continuous fluidised bed 188 kg CH4/Gg.
    assert tonnes(result, "CO2") == pytest.approx(10 * 1.0 * 0.75 * 1.0 * 0.95 * 44 / 12, rel=REL)
    assert tonnes(result, "CO2", biogenic=True) == 0.0
    assert tonnes(result, "CH4") == pytest.approx(10 * 188 * 1e-6, rel=REL)
    assert tonnes(result, "N2O") == pytest.approx(10 * 40 * 1e-6, rel=REL)


# ---------------------------------------------------------------------------- domestic wastewater
def ww_row(pathway: str, fraction: float, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "year": 2020,
        "gpc_ref": "III.4.1",
        "activity": "domestic_wastewater",
        "amount": 2_000_000,
        "unit": "person",
        "method": "wastewater_domestic",
        "wastewater_pathway": pathway,
        "pathway_fraction": fraction,
        "protein_per_capita": 30,
    }
    row.update(extra)
    return row


def test_domestic_wastewater_ch4_and_n2o() -> None:
    rows = [
        ww_row("aerobic_overloaded", 0.6, sludge_bod_removed=1000, ch4_recovered=50),
        ww_row("septic_system", 0.3),
        ww_row("latrine_dry_family", 0.1),
    ]
    result = compute_inventory(frame(rows), region="CN")
    p = 2_000_000
    bod = 40  # Table 6.4, Asia/Middle East/Latin America [g/person/day]
    bo = 0.6  # Table 6.2 [kg CH4/kg BOD]
    # Eq. 6.3 TOW = P BOD 0.001 I 365, I = 1.25 collected (sewered plant), 1.00 uncollected.
    tow = {
        "plant": p * bod * 0.001 * 1.25 * 365 * 0.6,
        "septic": p * bod * 0.001 * 1.0 * 365 * 0.3,
        "latrine": p * bod * 0.001 * 1.0 * 365 * 0.1,
    }
    # Eq. 6.1/6.2 with Table 6.3 MCF: overloaded aerobic 0.3, septic 0.5, dry-climate family latrine 0.1.
    ch4_kg = (tow["plant"] - 1000e3) * bo * 0.3 - 50e3 + tow["septic"] * bo * 0.5 + tow["latrine"] * bo * 0.1
    assert tonnes(result, "CH4") == pytest.approx(ch4_kg / 1000, rel=REL)
    # Eq. 6.8/6.7, Table 6.11: F_NPR 0.16, F_NON-CON 1.1 (no garbage disposals), F_IND-COM 1.25,
    # EF 0.005 kg N2O-N/kg N; the fractions sum to 1, so the whole population counts once.
    n_kg = p * 30 * 0.16 * 1.1 * 1.25
    assert tonnes(result, "N2O") == pytest.approx(n_kg * 0.005 * 44 / 28 / 1000, rel=REL)


def test_domestic_wastewater_overrides_and_garbage_disposal() -> None:
    row = ww_row("anaerobic_deep_lagoon", 1.0, ww_bod=50, ww_mcf=0.7, garbage_disposal="yes", sludge_n_removed=10)
    result = compute_inventory(frame([row]), region="CN")
    p = 2_000_000
    # Row BOD 50 g/person/day and MCF 0.7; I 1.25 (lagoon fed by sewers); Bo 0.6.
    assert tonnes(result, "CH4") == pytest.approx(p * 50 * 0.001 * 1.25 * 365 * 0.6 * 0.7 / 1000, rel=REL)
    # F_NON-CON 1.4 with garbage disposals (Table 6.11); N_SLUDGE 10 t N.
    n_kg = p * 30 * 0.16 * 1.4 * 1.25 - 10e3
    assert tonnes(result, "N2O") == pytest.approx(n_kg * 0.005 * 44 / 28 / 1000, rel=REL)


def test_domestic_wastewater_fractions_and_populations_must_agree() -> None:
    found = issues([ww_row("septic_system", 0.5), ww_row("latrine_wet", 0.3)], region="CN")
    assert {(1, "pathway_fraction"), (2, "pathway_fraction")} <= set(found)
    found = issues([ww_row("septic_system", 0.5), ww_row("latrine_wet", 0.5, amount=10)], region="CN")
    assert (2, "amount") in found
    # Two systems (urban, rural) with their own populations are fine.
    rows = [
        ww_row("flowing_sewer", 1.0, wastewater_system="urban"),
        ww_row("septic_system", 1.0, amount=5, wastewater_system="rural"),
    ]
    result = compute_inventory(frame(rows), region="CN")
    assert tonnes(result, "CH4") == pytest.approx(5 * 40 * 0.001 * 1.0 * 365 * 0.6 * 0.5 / 1000, rel=REL)


def test_domestic_wastewater_without_asian_bod_outside_asia() -> None:
    # Table 6.4 defaults are regional: a GLOBAL row must give its BOD.
    assert (1, "ww_bod") in issues([ww_row("septic_system", 1.0)], region="GLOBAL")


# ---------------------------------------------------------------------------- industrial wastewater
def iww_row(activity: str, amount: float, pathway: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "year": 2020,
        "gpc_ref": "III.4.1",
        "activity": activity,
        "amount": amount,
        "unit": "t",
        "method": "wastewater_industrial",
        "wastewater_pathway": pathway,
    }
    row.update(extra)
    return row


def test_industrial_wastewater_table_6_9() -> None:
    rows = [
        iww_row("iww_beer_malt", 50_000, "anaerobic_reactor", pathway_fraction=0.8, ch4_recovered=20),
        iww_row("iww_beer_malt", 50_000, "sea_river_lake_discharge", pathway_fraction=0.2),
        iww_row("iww_pulp_paper", 10_000, "aerobic_overloaded", sludge_cod_removed=100),
    ]
    result = compute_inventory(frame(rows), region="CN")
    bo = 0.25  # kg CH4/kg COD
    # Eq. 6.6 TOW = P W COD with Table 6.9: beer and malt W 6.3 m3/t, COD 2.9 kg/m3;
    # pulp and paper W 162 m3/t, COD 9 kg/m3. Eq. 6.4/6.5 with Table 6.8 MCF: anaerobic reactor 0.8,
    # sea/river/lake discharge 0.1, overloaded aerobic plant 0.3.
    beer = 50_000 * 6.3 * 2.9
    pulp = 10_000 * 162 * 9
    ch4_kg = (beer * 0.8 * bo * 0.8 - 20e3) + beer * 0.2 * bo * 0.1 + (pulp - 100e3) * bo * 0.3
    assert tonnes(result, "CH4") == pytest.approx(ch4_kg / 1000, rel=REL)
    assert set(result.emissions["gas"].astype(str)) == {"CH4"}


def test_industrial_wastewater_without_defaults_needs_row_values() -> None:
    found = issues([iww_row("iww_soap_detergents", 100, "anaerobic_reactor")], region="CN")
    assert {(1, "wwi_w"), (1, "wwi_cod")} <= set(found)
    row = iww_row("iww_soap_detergents", 100, "anaerobic_reactor", wwi_w=3, wwi_cod=1.5, wwi_bo=0.2, ww_mcf=0.9)
    result = compute_inventory(frame([row]), region="CN")
    assert tonnes(result, "CH4") == pytest.approx(100 * 3 * 1.5 * 0.2 * 0.9 / 1000, rel=REL)


# ---------------------------------------------------------------------------- bad input
BAD_CASES = [
    ("unknown-climate-zone", fod_row(2012, "msw_food", 1, climate_zone="arctic"), "climate_zone"),
    ("unknown-swds-type", fod_row(2012, "msw_food", 1, swds_type="landfill"), "swds_type"),
    ("unknown-technology", incin_row("msw_paper", 1, "plasma"), "incineration_technology"),
    ("unknown-pathway", ww_row("river", 1.0), "wastewater_pathway"),
    ("domestic-pathway-for-industry", iww_row("iww_dairy_products", 1, "septic_system"), "wastewater_pathway"),
    ("unknown-basis", bio_row("composting", 1, waste_basis="damp"), "waste_basis"),
    ("negative-amount", fod_row(2012, "msw_food", -5), "amount"),
    ("negative-amount-incineration", incin_row("msw_paper", -1, "batch_stoker"), "amount"),
    ("mass-for-wastewater", ww_row("septic_system", 1.0, unit="t"), "unit"),
    ("persons-for-landfill", fod_row(2012, "msw_food", 5, unit="person"), "unit"),
    ("energy-for-composting", bio_row("composting", 1, unit="TJ"), "unit"),
    ("fod-on-composting-ref", fod_row(2012, "msw_food", 1, gpc_ref="III.2.1"), "gpc_ref"),
    ("wastewater-on-landfill-ref", ww_row("septic_system", 1.0, gpc_ref="III.1.1"), "gpc_ref"),
    ("missing-climate-zone", fod_row(2012, "msw_food", 1, climate_zone=""), "climate_zone"),
    ("missing-technology", incin_row("msw_paper", 1, ""), "incineration_technology"),
    ("missing-protein", ww_row("septic_system", 1.0, protein_per_capita=""), "protein_per_capita"),
    ("missing-pathway", iww_row("iww_dairy_products", 1, ""), "wastewater_pathway"),
    ("wrong-activity-category", fod_row(2012, "composting", 1), "activity"),
    ("process-key-as-activity", fod_row(2012, "swds", 1), "activity"),
    ("shares-on-a-component", fod_row(2012, "msw_food", 1, share_food=0.5), "share_food"),
    ("shares-above-one", incin_row("msw", 1, "batch_stoker", share_food=0.7, share_paper=0.5), "share_food"),
    ("share-above-one", fod_row(2012, "msw", 1, share_paper=1.5), "share_paper"),
    ("shares-and-bulk-doc", fod_row(2012, "msw", 1, share_food=0.5, fod_doc=0.2), "fod_doc"),
    (
        "cover-on-unmanaged-site",
        fod_row(2012, "msw_food", 1, swds_type="unmanaged_shallow", swds_oxidising_cover="yes"),
        "swds_oxidising_cover",
    ),
    ("k-and-half-life", fod_row(2012, "msw_food", 1, fod_k=0.1, fod_half_life=5), "fod_half_life"),
    ("zero-half-life", fod_row(2012, "msw_food", 1, fod_half_life=0), "fod_half_life"),
    ("fraction-above-one", ww_row("septic_system", 1.5), "pathway_fraction"),
    ("sludge-above-tow", ww_row("septic_system", 1.0, sludge_bod_removed=1e9), "sludge_bod_removed"),
    ("negative-recovery", bio_row("composting", 1, ch4_recovered=-1), "ch4_recovered"),
    ("non-numeric-share", fod_row(2012, "msw", 1, share_food="half"), "share_food"),
]


@pytest.mark.parametrize(("bad", "column"), [pytest.param(b, c, id=i) for i, b, c in BAD_CASES])
def test_bad_input_names_row_and_column(bad: dict[str, object], column: str) -> None:
    good = bio_row("composting", 10)
    found = issues([good, bad, good], region="CN", years=[2020])
    assert (2, column) in found
    assert all(row == 2 for row, _ in found)


def test_missing_method_column_entirely() -> None:
    # The whole column absent from the file (not just an empty cell).
    row = fod_row(2012, "msw_food", 1)
    del row["climate_zone"]
    assert issues([row], region="CN", years=[2014]) == [(1, "climate_zone")]


# ---------------------------------------------------------------------------- shipped data
def test_every_choice_has_a_shipped_default() -> None:
    lib = default_library()

    def value(parameter: str, activity: str, qualifier: str, ref: str) -> float:
        res = lib.resolve(parameter, activity, gpc_ref=ref, region="CN", year=2020, qualifier=qualifier)
        assert res.winner is not None, (parameter, activity, qualifier)
        assert res.winner.qualifier == qualifier, (parameter, activity, qualifier)
        return res.winner.value

    for swds_type in waste.SWDS_TYPES:
        assert 0 < value("fod_mcf", "swds", swds_type, "III.1.1") <= 1
    for zone in waste.CLIMATE_ZONES:
        for act in (
            "msw_food",
            "msw_garden",
            "msw_paper",
            "msw_wood",
            "msw_textiles",
            "sewage_sludge",
            "msw",
            "industrial_waste",
        ):
            assert value("fod_k", act, zone, "III.1.1") > 0
    for tech in waste.TECHNOLOGIES:
        assert value("incin_ch4_ef", "msw", tech, "III.3.1") >= 0
        n2o = "incin_n2o_ef_dry" if tech == "open_burning" else "incin_n2o_ef"
        assert value(n2o, "msw", tech, "III.3.1") > 0
    for pathway in waste.DOMESTIC_PATHWAYS:
        assert 0 <= value("ww_mcf", "domestic_wastewater", pathway, "III.4.1") <= 1
    for pathway in waste.INDUSTRIAL_PATHWAYS:
        assert 0 <= value("ww_mcf", "industrial_wastewater", pathway, "III.4.1") <= 1
    for component in waste.SHARE_COLUMNS.values():
        for parameter in ("fod_doc", "incin_dm", "incin_cf"):
            assert 0 <= value(parameter, component, "", "III.1.1" if parameter == "fod_doc" else "III.3.1") <= 1


def test_example_file_computes() -> None:
    path = Path(__file__).resolve().parents[3] / "examples" / "waste" / "waste.csv"
    result = compute_inventory(read_records(path), region="CN", source=path.name)
    assert result.years == (2020,)
    assert set(result.emissions["gpc_ref"].astype(str)) == {"III.1.1", "III.1.2", "III.2.1", "III.3.1", "III.4.1"}
    assert result.total_tco2e > 0
