"""Demo City's sources beyond fuel combustion: waste, industrial processes, agriculture.

Rows for the sector methods of :mod:`zerocity.inventory.sectors` (GPC III, IV, V.1, V.3). The
quantities are *assumptions* of a plausible Jiangsu prefecture-level city, listed with their
reasoning in ``docs/demo-city.md`` ("Waste, industry and agriculture"); the computation of their
emissions uses only the shipped IPCC defaults, except where a row states its own factor (marked
there). Everything is deterministic given the generator's random stream.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zerocity.demo.calibration import interpolate_anchors

__all__ = ["LANDFILL_FIRST_YEAR", "SECTOR_COLUMNS", "sector_records"]

#: First year of the city landfill's disposal history (the first year with data).
LANDFILL_FIRST_YEAR = 2000

#: Method columns the sector rows fill, in order (after the common record columns).
SECTOR_COLUMNS: tuple[str, ...] = (
    "site", "swds_type", "swds_oxidising_cover", "climate_zone", "ch4_recovered",
    "share_food", "share_garden", "share_paper", "share_wood", "share_textiles", "share_plastics",
    "share_rubber_leather", "share_glass", "share_metal", "incineration_technology",
    "wastewater_pathway", "pathway_fraction", "wastewater_system", "protein_per_capita",
    "days_alive", "climate_temperature", "manure_system", "system_fraction",
    "manure_nex", "flooded_rice", "cultivation_days", "rice_water_regime", "rice_preseason_water",
    "roa_straw_short", "refrigerant_gas", "refrigerant_new_charge", "refrigerant_retired_charge",
)  # fmt: skip

# Municipal solid waste composition (wet mass shares; the rest is other inert waste). ASSUMED,
# typical of mixed urban waste in eastern China before source separation.
MSW_SHARES = {
    "share_food": 0.55, "share_garden": 0.03, "share_paper": 0.10, "share_wood": 0.02,
    "share_textiles": 0.03, "share_plastics": 0.12, "share_rubber_leather": 0.01,
    "share_glass": 0.03, "share_metal": 0.01,
}  # fmt: skip


def _largest_active(enterprises: pd.DataFrame, industry: str, first_year: int) -> str:
    """USCC of the largest enterprise of ``industry`` operating since ``first_year`` ('' if none)."""
    pool = enterprises[
        (enterprises["industry_code"] == industry)
        & (enterprises["founded_year"] <= first_year)
        & enterprises["closed_year"].isna()
    ]
    if pool.empty:
        return ""
    return str(pool.sort_values("size", ascending=False)["uscc"].iloc[0])


def sector_records(
    years: tuple[int, ...],
    population: np.ndarray,
    cropland_ha: np.ndarray,
    district_codes: list[str],
    cropland_weights: np.ndarray,
    enterprises: pd.DataFrame,
) -> pd.DataFrame:
    """Inventory rows of Demo City's waste, industrial processes and agriculture.

    Parameters
    ----------
    years : tuple of int
        Inventory years (2010-2024).
    population : numpy.ndarray
        Resident population per year [persons].
    cropland_ha : numpy.ndarray
        Cultivated land per year [ha].
    district_codes : list of str
    cropland_weights : numpy.ndarray
        Share of the cropland in each district (sums to 1).
    enterprises : pandas.DataFrame
        The enterprise registry (``uscc``, ``industry_code``, ``founded_year``, ``closed_year``,
        ``size``), to attach plant rows to their enterprise.

    Returns
    -------
    pandas.DataFrame
        Record columns plus :data:`SECTOR_COLUMNS`; ``method`` names the sector method.
    """
    yrs = np.array(years)
    rows: list[dict[str, object]] = []

    def add(**row: object) -> None:
        rows.append(row)

    # ---------------------------------------------------------------- waste (GPC III)
    # Landfill history from 2000. Population before 2010 backcast at -0.8 %/yr (ASSUMED).
    hist = np.arange(LANDFILL_FIRST_YEAR, yrs[0])
    pop_all = np.concatenate([population[0] * (1 - 0.008) ** (yrs[0] - hist), population])
    all_years = np.concatenate([hist, yrs])
    msw_kg_day = interpolate_anchors({2000: 0.80, 2024: 1.00}, all_years)  # per person, ASSUMED
    msw_t = pop_all * msw_kg_day * 365 / 1000
    incinerated = interpolate_anchors({2009: 0.0, 2010: 0.25, 2020: 0.92, 2024: 0.95}, all_years)
    digested = interpolate_anchors({2018: 0.0, 2019: 0.02, 2024: 0.05}, all_years)  # food waste, of all MSW
    landfilled = np.clip(1.0 - incinerated - digested, 0.0, 1.0)
    for y, total, f_land, f_inc, f_ad in zip(all_years, msw_t, landfilled, incinerated, digested, strict=True):
        y = int(y)
        add(
            year=y, gpc_ref="III.1.1", activity="msw", amount=total * f_land, unit="t", method="fod",
            site="DC landfill", swds_type="managed_anaerobic", swds_oxidising_cover="yes",
            climate_zone="boreal_temperate_wet", ch4_recovered=3000.0 if y >= 2012 else np.nan,
            quality="measured", activity_uncertainty_pct=10.0, **MSW_SHARES,
        )  # fmt: skip
        if y < yrs[0]:
            continue
        if f_inc > 0:
            add(
                year=y, gpc_ref="III.3.1", activity="msw", amount=total * f_inc, unit="t", method="incineration",
                incineration_technology="continuous_stoker", quality="measured", activity_uncertainty_pct=5.0,
                **MSW_SHARES,
            )  # fmt: skip
        if f_ad > 0:
            add(
                year=y, gpc_ref="III.2.1", activity="anaerobic_digestion", amount=total * f_ad, unit="t",
                method="biological", quality="measured", activity_uncertainty_pct=5.0,
            )  # fmt: skip
    # Domestic wastewater: the sewered share to aerobic plants rises; the rest uses septic tanks.
    sewered = interpolate_anchors({2010: 0.80, 2024: 0.96}, yrs)  # ASSUMED
    for y, pop, s in zip(yrs, population, sewered, strict=True):
        for pathway, fraction in (("aerobic_well_managed", s), ("septic_system", 1.0 - s)):
            add(
                year=int(y), gpc_ref="III.4.1", activity="domestic_wastewater", amount=float(pop), unit="person",
                method="wastewater_domestic", wastewater_pathway=pathway, pathway_fraction=fraction,
                wastewater_system="DC residents", protein_per_capita=36.0, quality="estimated",
                activity_uncertainty_pct=2.0,
            )  # fmt: skip
    paper_mill = _largest_active(enterprises, "C2221", int(yrs[0]))
    paper_t = interpolate_anchors({2010: 180_000, 2024: 240_000}, yrs)  # ASSUMED output [t paper]
    for y, out_t in zip(yrs, paper_t, strict=True):
        add(
            year=int(y), gpc_ref="III.4.1", activity="iww_pulp_paper", amount=out_t, unit="t", entity=paper_mill,
            method="wastewater_industrial", wastewater_pathway="aerobic_well_managed", pathway_fraction=1.0,
            wastewater_system="paper mill", quality="measured", activity_uncertainty_pct=5.0,
        )  # fmt: skip

    # ------------------------------------------------ industrial processes (GPC IV)
    cement = _largest_active(enterprises, "C3011", int(yrs[0]))
    steel = _largest_active(enterprises, "C3120", int(yrs[0]))
    clinker_t = interpolate_anchors({2010: 1_300_000, 2016: 1_250_000, 2024: 950_000}, yrs)  # ASSUMED
    eaf_t = interpolate_anchors({2010: 1_200_000, 2024: 2_000_000}, yrs)  # ASSUMED
    lubricant_t = interpolate_anchors({2010: 14_000, 2024: 19_000}, yrs)  # ASSUMED
    cars = population * interpolate_anchors({2010: 0.09, 2024: 0.30}, yrs)  # cars per person, ASSUMED
    mac_t = cars * 0.8 / 1000  # 0.8 kg HFC-134a per car, ASSUMED
    households = population / 2.51
    ac_t = households * interpolate_anchors({2010: 1.3, 2024: 1.9}, yrs) * 1.2 / 1000  # units x 1.2 kg R-410A, ASSUMED
    for i, y in enumerate(yrs):
        y = int(y)
        common = {"year": y, "gpc_ref": "IV.1", "quality": "measured", "activity_uncertainty_pct": 2.0}
        add(**common, activity="clinker", amount=clinker_t[i], unit="t", method="cement", entity=cement)
        add(**common, activity="steel_eaf", amount=eaf_t[i], unit="t", method="iron_steel", entity=steel)
        use = {"year": y, "gpc_ref": "IV.2", "quality": "estimated", "activity_uncertainty_pct": 15.0}
        add(**use, activity="lubricants", amount=lubricant_t[i], unit="t", method="lubricant")
        add(
            **use, activity="mobile_air_conditioning", amount=mac_t[i], unit="t", method="refrigerant",
            refrigerant_gas="HFC-134a", refrigerant_new_charge=0.08 * mac_t[i],
            refrigerant_retired_charge=0.04 * mac_t[i],
        )  # fmt: skip
        add(
            **use, activity="stationary_air_conditioning", amount=ac_t[i], unit="t", method="refrigerant",
            refrigerant_gas="R-410A", refrigerant_new_charge=0.10 * ac_t[i], refrigerant_retired_charge=0.05 * ac_t[i],
        )  # fmt: skip

    # ------------------------------------------------------------ agriculture (GPC V)
    market_pigs = interpolate_anchors(
        {2010: 720_000, 2018: 600_000, 2020: 430_000, 2024: 480_000}, yrs
    )  # slaughtered, ASSUMED
    sows = market_pigs / 12.0  # breeding herd, ASSUMED
    dairy = interpolate_anchors({2010: 9_000, 2024: 7_000}, yrs)
    cattle = interpolate_anchors({2010: 5_000, 2024: 3_500}, yrs)
    goats = interpolate_anchors({2010: 60_000, 2024: 35_000}, yrs)
    paddy_share = 0.45  # of the cultivated land, single-season rice (ASSUMED)
    for i, y in enumerate(yrs):
        y = int(y)
        herd = {"year": y, "gpc_ref": "V.1", "quality": "estimated", "activity_uncertainty_pct": 10.0}
        add(**herd, activity="market_swine", amount=market_pigs[i], unit="head", method="enteric", days_alive=180.0)
        add(**herd, activity="breeding_swine", amount=sows[i], unit="head", method="enteric")
        add(**herd, activity="dairy_cattle", amount=dairy[i], unit="head", method="enteric")
        add(**herd, activity="other_cattle", amount=cattle[i], unit="head", method="enteric")
        add(**herd, activity="goats", amount=goats[i], unit="head", method="enteric")
        # Manure CH4, Tier 1 by mean annual temperature (Changzhou about 16 deg C, ASSUMED):
        # IPCC Tables 10.14 (Asia: swine, cattle) and 10.15 (goats).
        for activity, heads in (("market_swine", market_pigs[i]), ("dairy_cattle", dairy[i]), ("goats", goats[i])):
            add(
                **herd, activity=activity, amount=heads, unit="head", method="manure_ch4",
                days_alive=180.0 if activity == "market_swine" else np.nan, climate_temperature="16",
            )  # fmt: skip
        for system, fraction in (("solid_storage", 0.6), ("liquid_slurry_no_crust", 0.4)):
            add(
                **herd, activity="dairy_cattle", amount=dairy[i], unit="head", method="manure_n2o",
                manure_system=system, system_fraction=fraction,
            )  # fmt: skip
        add(
            **herd, activity="market_swine", amount=market_pigs[i], unit="head", method="manure_n2o",
            days_alive=180.0, manure_system="pit_storage", system_fraction=1.0, manure_nex=9.0,
        )  # fmt: skip
        paddy = cropland_ha[i] * paddy_share * cropland_weights
        soil = {"year": y, "gpc_ref": "V.3", "quality": "estimated", "activity_uncertainty_pct": 15.0}
        for code, area, w in zip(district_codes, paddy, cropland_weights, strict=True):
            if area <= 0:
                continue
            add(
                **soil, district=code, activity="paddy_rice", amount=area, unit="ha", method="rice",
                cultivation_days=130.0, rice_water_regime="single_aeration",
                rice_preseason_water="not_flooded_under_180d", roa_straw_short=3.0,
            )  # fmt: skip
            add(
                **soil, district=code, activity="synthetic_fertiliser_n", amount=(cropland_ha[i] * w - area) * 0.22,
                unit="t", method="soil_n2o",
            )  # fmt: skip
            add(
                **soil, district=code, activity="synthetic_fertiliser_n", amount=area * 0.20, unit="t",
                method="soil_n2o", flooded_rice="yes",
            )  # fmt: skip
            add(
                **soil, district=code, activity="urea_fertiliser", amount=cropland_ha[i] * w * 0.15, unit="t",
                method="urea",
            )  # fmt: skip
    frame = pd.DataFrame(rows)
    for col in ("entity", "district"):
        frame[col] = frame[col].fillna("") if col in frame.columns else ""
    return frame
