"""The Demo City: a deterministic, plausible Jiangsu prefecture-level city, 2010-2024.

:func:`build_demo_city` draws every table from one seed. The city-level series (population,
GDP, energy, electricity, heat, land) follow the calibration figures of
:mod:`zerocity.demo.calibration`; the inventory input records are these city totals spread
top-down over sectors, fuels, districts and (for industry) enterprises, so the records add up
exactly to the city's energy balance and nothing is counted twice. ``docs/demo-city.md``
describes every formula, distribution and source.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.demo import calibration as cal
from zerocity.demo.behaviour import behaviour_events
from zerocity.demo.geography import district_polygons, feature_collection, ring_area_km2
from zerocity.demo.microdata import (
    INDUSTRIES,
    sample_buildings,
    sample_enterprises,
    sample_households,
)
from zerocity.demo.sectors import SECTOR_COLUMNS, sector_records
from zerocity.units import Q_

__all__ = [
    "DEFAULT_SEED",
    "RECORD_COLUMNS",
    "DemoCity",
    "build_demo_city",
    "tce_per_unit",
]

logger = logging.getLogger(__name__)

DEFAULT_SEED = 20241
"""Seed of the published Demo City."""

RECORD_COLUMNS: tuple[str, ...] = (
    "record_id", "entity", "district", "year", "gpc_ref", "activity", "amount", "unit",
    "method", "region", "quality", "activity_uncertainty_pct",
)  # fmt: skip
"""Columns of :attr:`DemoCity.records`, in order."""

REGION = "CN-JS"

# Unit of each activity in the energy balance (and in the records, except industrial gas).
BALANCE_UNITS: dict[str, str] = {
    "raw_coal": "t", "coke": "t", "fuel_oil": "t", "gasoline": "t", "kerosene": "t",
    "diesel": "t", "lpg": "t", "natural_gas": "m3", "electricity_grid": "MWh",
    "heat_purchased": "GJ",
}  # fmt: skip

# (gpc_ref, activity) -> (quality, activity uncertainty [% , 95 % half-width]). Illustrative
# values chosen for the demo, not taken from a source.
QUALITY: dict[tuple[str, str], tuple[str, float]] = {
    ("I.4.4", "raw_coal"): ("measured", 3.0),
    ("I.4.1", "raw_coal"): ("measured", 3.0),
    ("I.4.1", "fuel_oil"): ("measured", 5.0),
    ("I.1.1", "natural_gas"): ("calculated", 5.0),
    ("I.1.1", "lpg"): ("estimated", 25.0),
    ("I.1.1", "raw_coal"): ("estimated", 30.0),
    ("I.1.2", "electricity_grid"): ("measured", 3.0),
    ("I.1.2", "heat_purchased"): ("measured", 5.0),
    ("I.2.1", "natural_gas"): ("calculated", 5.0),
    ("I.2.1", "lpg"): ("estimated", 20.0),
    ("I.2.1", "diesel"): ("estimated", 25.0),
    ("I.2.1", "raw_coal"): ("estimated", 30.0),
    ("I.2.2", "electricity_grid"): ("measured", 3.0),
    ("I.2.2", "heat_purchased"): ("measured", 5.0),
    ("I.5.1", "diesel"): ("estimated", 25.0),
    ("I.5.1", "raw_coal"): ("estimated", 30.0),
    ("I.5.2", "electricity_grid"): ("measured", 3.0),
    ("II.1.1", "gasoline"): ("calculated", 10.0),
    ("II.1.1", "diesel"): ("calculated", 10.0),
    ("II.1.1", "lpg"): ("calculated", 10.0),
    ("II.1.1", "natural_gas"): ("calculated", 8.0),
    ("II.1.2", "electricity_grid"): ("estimated", 20.0),
    ("II.2.2", "electricity_grid"): ("measured", 5.0),
    ("II.4.3", "kerosene"): ("calculated", 5.0),
    ("II.5.1", "diesel"): ("estimated", 30.0),
}
ENTERPRISE_QUALITY: dict[str, tuple[str, float]] = {
    "electricity_grid": ("measured", 2.0),
    "heat_purchased": ("measured", 3.0),
}
ENTERPRISE_FUEL_QUALITY = ("measured", 5.0)

STATISTICS_UNITS: dict[str, str] = {
    "year": "calendar year",
    "population": "persons (resident population)",
    "gdp_primary": "10^4 yuan, current prices",
    "gdp_secondary": "10^4 yuan, current prices",
    "gdp_tertiary": "10^4 yuan, current prices",
    "gdp": "10^4 yuan, current prices",
    "energy_total_tce": "tce (GB/T 2589 standard coal equivalent)",
    "electricity_use_mwh": "MWh (whole-society electricity use)",
    "electricity_generation_mwh": "MWh (supplied to the grid by the city's coal CHP plant)",
    "heat_use_gj": "GJ (heat and steam supplied by the CHP plant)",
    "forest_area_ha": "ha (tree-covered land)",
    "green_space_ha": "ha (green space of the built-up area)",
    "cropland_ha": "ha (cultivated land)",
}


def tce_per_unit(activity: str) -> float:
    """Standard-coal equivalent of one unit of ``activity`` in its balance unit [tce/unit].

    Fuels use the GB/T 2589 reference coefficients of :data:`calibration.TCE_PER_UNIT`;
    electricity (per MWh) and heat (per GJ) are converted by calorific value through the
    project's unit registry (1 tce = 29.3076 GJ).

    Parameters
    ----------
    activity : str
        An activity id of :data:`BALANCE_UNITS`.

    Returns
    -------
    float
        tce per t, m3, MWh or GJ.
    """
    if activity in cal.TCE_PER_UNIT:
        return cal.TCE_PER_UNIT[activity]
    return float(Q_(1.0, BALANCE_UNITS[activity]).to("tce").magnitude)


@dataclass(frozen=True, eq=False)
class DemoCity:
    """The Demo City's tables (built by :func:`build_demo_city`).

    Attributes
    ----------
    name, name_zh : str
        ``"Demo City"`` / ``"示范市"``.
    region : str
        ISO 3166-2 code of the province, ``"CN-JS"`` (Jiangsu).
    years : tuple of int
        2010 ... 2024.
    seed : int
        Seed the tables were drawn with.
    statistics : pandas.DataFrame
        One row per year; columns and units in :attr:`statistics_units`.
    statistics_units : dict of str to str
        Unit of every column of :attr:`statistics`.
    records : pandas.DataFrame
        Inventory input rows (columns :data:`RECORD_COLUMNS`).
    districts : dict
        GeoJSON FeatureCollection of the 10 districts (EPSG:4326).
    enterprises : pandas.DataFrame
        Industrial enterprises (USCC, names, GB/T 4754-2017 class, district, 2024 size, and
        ``energy_2024_tce``, the sum of their 2024 records [tce]).
    buildings : pandas.DataFrame
        Sample of public buildings, 2024.
    households : pandas.DataFrame
        Sample of households, 2024.
    behaviour_events : pandas.DataFrame
        Carbon-inclusion behaviour events of the participating households, 2024 (trips, monthly
        electricity against 2022-2023, PV, EV charging, and a few faulty events).
    land : pandas.DataFrame
        Forest, green space and cropland [ha] by district and year.
    energy_balance : pandas.DataFrame
        City totals by (year, gpc_ref, activity) in balance units [t, m3, MWh, GJ]; the records
        spread exactly these totals.
    column_units : dict of str to dict
        Units of the columns of every table, by table name.
    """

    name: str
    name_zh: str
    region: str
    years: tuple[int, ...]
    seed: int
    statistics: pd.DataFrame
    statistics_units: dict[str, str]
    records: pd.DataFrame
    districts: dict[str, Any]
    enterprises: pd.DataFrame
    buildings: pd.DataFrame
    households: pd.DataFrame
    land: pd.DataFrame
    energy_balance: pd.DataFrame
    column_units: dict[str, dict[str, str]]
    behaviour_events: pd.DataFrame

    def write(self, directory: Path) -> list[Path]:
        """Write every table to ``directory`` (created if missing).

        Parameters
        ----------
        directory : pathlib.Path
            Output folder.

        Returns
        -------
        list of pathlib.Path
            ``statistics.csv``, ``records.csv``, ``districts.geojson``, ``enterprises.csv``,
            ``buildings.csv``, ``households.csv``, ``land.csv``, ``energy_balance.csv``,
            ``behaviour_events.csv`` and ``units.json``, in that order.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths: list[Path] = []
        tables = {
            "statistics": self.statistics,
            "records": self.records,
            "districts": None,
            "enterprises": self.enterprises,
            "buildings": self.buildings,
            "households": self.households,
            "land": self.land,
            "energy_balance": self.energy_balance,
            "behaviour_events": self.behaviour_events,
        }
        for name, frame in tables.items():
            if frame is None:
                path = directory / "districts.geojson"
                path.write_text(json.dumps(self.districts, ensure_ascii=False), encoding="utf-8")
            else:
                path = directory / f"{name}.csv"
                frame.to_csv(path, index=False, encoding="utf-8")
            paths.append(path)
        units = directory / "units.json"
        units.write_text(json.dumps(self.column_units, ensure_ascii=False, indent=2), encoding="utf-8")
        paths.append(units)
        logger.info("wrote the Demo City (seed %d) to %s", self.seed, directory)
        return paths


@dataclass(frozen=True)
class _Macro:
    """City-level series, one value per year."""

    population: np.ndarray
    gdp_parts: np.ndarray  # (n_years, 3) [10^4 yuan]
    energy_total: np.ndarray  # [tce]
    electricity: np.ndarray  # [MWh]
    generation: np.ndarray  # [MWh]
    heat: np.ndarray  # [GJ]
    plant_coal_tce: np.ndarray  # [tce]
    final_fuel_tce: np.ndarray  # [tce]
    real_index: np.ndarray  # real GDP, 2010 = 1


def _noise(rng: np.random.Generator, sigma: float, shape: int | tuple[int, ...]) -> np.ndarray:
    """Multiplicative lognormal noise with median 1 and log-sd ``sigma``."""
    return rng.lognormal(0.0, sigma, size=shape)


def _macro(rng: np.random.Generator, years: tuple[int, ...]) -> _Macro:
    """Draw the city-level series around the calibration trajectories."""
    n = len(years)
    population = cal.CITY_SCALE * cal.interpolate_anchors(cal.POPULATION_ANCHORS, years, log=True)
    population = np.rint(population * _noise(rng, 0.003, n))

    totals = {y: sum(parts) for y, parts in cal.GDP_ANCHORS_100M.items()}
    totals.update(cal.GDP_TOTAL_ANCHORS_100M)
    gdp_total = cal.interpolate_anchors(totals, years, log=True) * _noise(rng, 0.006, n)
    share_anchors = {y: np.array(p) / sum(p) for y, p in cal.GDP_ANCHORS_100M.items()}
    share_anchors[2024] = np.array([0.017, 0.475, 0.508])  # ASSUMED 2024 structure
    shares = np.column_stack(
        [cal.interpolate_anchors({y: s[k] for y, s in share_anchors.items()}, years) for k in range(3)]
    )
    shares *= _noise(rng, 0.01, shares.shape)
    shares /= shares.sum(axis=1, keepdims=True)
    gdp_parts = np.round(shares * (gdp_total * cal.CITY_SCALE * 1e4)[:, None], 1)

    growth = np.array([cal.REAL_GDP_GROWTH_PCT[y] for y in years])
    real_index = np.concatenate([[1.0], np.cumprod(1.0 + growth[1:] / 100.0)])

    gdp_2010 = gdp_parts[0].sum()
    energy = (
        cal.ENERGY_INTENSITY_2010
        * gdp_2010
        * real_index
        * cal.rate_index(cal.ENERGY_INTENSITY_CHANGE_PCT, years)
        * _noise(rng, 0.01, n)
    )
    i2015 = years.index(2015)
    elec_index = real_index * cal.rate_index(cal.ELECTRICITY_INTENSITY_CHANGE_PCT, years)
    electricity = (cal.CITY_SCALE * cal.ELECTRICITY_2015_MWH * elec_index / elec_index[i2015]) * _noise(rng, 0.008, n)
    heat = (
        cal.CITY_SCALE
        * cal.HEAT_2010_GJ
        * (1.0 + cal.HEAT_GROWTH_PCT / 100.0) ** (np.array(years) - years[0])
        * _noise(rng, 0.02, n)
    )
    hours = cal.interpolate_anchors(cal.PLANT_HOURS, years) * _noise(rng, 0.02, n)
    generation = cal.PLANT_CAPACITY_MW * hours
    coal_rate = cal.interpolate_anchors(cal.PLANT_COAL_RATE_KGCE_PER_KWH, years)
    # MWh x kgce/kWh = tce; GJ x kgce/GJ / 1000 = tce.
    plant_coal_tce = generation * coal_rate + heat * cal.PLANT_HEAT_RATE_KGCE_PER_GJ / 1000.0
    net_import_tce = (electricity - generation) * tce_per_unit("electricity_grid")
    final_fuel_tce = energy - plant_coal_tce - net_import_tce
    if np.any(final_fuel_tce <= 0) or np.any(electricity <= generation):
        raise RuntimeError("calibration gives a non-positive final fuel use; check calibration")
    return _Macro(
        population=population,
        gdp_parts=gdp_parts,
        energy_total=energy,
        electricity=electricity,
        generation=generation,
        heat=heat,
        plant_coal_tce=plant_coal_tce,
        final_fuel_tce=final_fuel_tce,
        real_index=real_index,
    )


def _shares(rng: np.random.Generator, table: Mapping[Any, Sequence[float]], years: tuple[int, ...]) -> np.ndarray:
    """Anchor-year share table -> noisy shares per year, rows summing to 1."""
    shares = cal.interpolate_share_table(table, years) * _noise(rng, 0.03, (len(years), len(table)))
    return shares / shares.sum(axis=1, keepdims=True)


def _energy_balance(rng: np.random.Generator, macro: _Macro, years: tuple[int, ...]) -> pd.DataFrame:
    """City totals by (year, gpc_ref, activity) in balance units."""
    blocks: list[pd.DataFrame] = []

    def add(gpc_ref: str, activity: str, amount: np.ndarray) -> None:
        blocks.append(
            pd.DataFrame(
                {
                    "year": np.array(years),
                    "gpc_ref": gpc_ref,
                    "activity": activity,
                    "unit": BALANCE_UNITS[activity],
                    "amount": amount,
                }
            )
        )

    plant_coal_t = macro.plant_coal_tce / tce_per_unit("raw_coal")
    add("I.4.4", "raw_coal", plant_coal_t * (1.0 - cal.PLANT_OWN_USE_SHARE))
    add("I.4.1", "raw_coal", plant_coal_t * cal.PLANT_OWN_USE_SHARE)
    fuel_shares = _shares(rng, cal.FINAL_FUEL_SHARES, years)
    for k, (gpc_ref, activity) in enumerate(cal.FINAL_FUEL_SHARES):
        tce = macro.final_fuel_tce * fuel_shares[:, k]
        add(gpc_ref, activity, tce / tce_per_unit(activity))
    elec_shares = _shares(rng, cal.ELECTRICITY_SHARES, years)
    for k, gpc_ref in enumerate(cal.ELECTRICITY_SHARES):
        add(gpc_ref, "electricity_grid", macro.electricity * elec_shares[:, k])
    heat_shares = _shares(rng, cal.HEAT_SHARES, years)
    for k, gpc_ref in enumerate(cal.HEAT_SHARES):
        add(gpc_ref, "heat_purchased", macro.heat * heat_shares[:, k])
    balance = pd.concat(blocks, ignore_index=True)
    balance = balance[balance["amount"] > 0]  # e.g. no electric vehicles in 2010
    return balance.sort_values(["year", "gpc_ref", "activity"], ignore_index=True)


def _district_weights(rng: np.random.Generator, areas_km2: np.ndarray) -> dict[str, np.ndarray]:
    """Relative weights of the districts for each spreading key (rows sum to 1)."""
    table = np.array([d[3:] for d in cal.DISTRICTS], dtype=float)
    pop = table[:, 0] * _noise(rng, 0.03, len(table))
    pop /= pop.sum()
    urban, industry, crop, forest = table[:, 1], table[:, 2], table[:, 3], table[:, 4]
    codes = [d[0] for d in cal.DISTRICTS]

    def one_hot(code: str) -> np.ndarray:
        return np.array([1.0 if c == code else 0.0 for c in codes])

    rail = np.array([cal.RAIL_DISTRICT_WEIGHTS.get(c, 0.0) for c in codes])
    raw = {
        "population": pop,
        "urban_gas": pop * urban**2,
        "rural_lpg": pop * np.clip(1.2 - urban, 0.05, None),
        "rural_coal": pop * (1.0 - urban) ** 2,
        "residential_power": pop * (0.8 + 0.4 * urban),
        "urban_heat": pop * urban**3,
        "commerce": pop * urban**1.5,
        "commerce_coal": pop * (1.0 - urban),
        "agriculture": crop * areas_km2,
        "passenger": pop * (0.6 + 0.6 * urban),
        "freight": 0.5 * pop + 0.5 * industry,
        "taxi": pop * urban,
        "offroad": 0.5 * industry + 0.5 * areas_km2 / areas_km2.sum(),
        "rail": rail,
        "plant": one_hot(cal.POWER_PLANT_DISTRICT),
        "airport": one_hot(cal.AIRPORT_DISTRICT),
        "industry": industry,
        "cropland": crop * areas_km2,
        "forest": forest * areas_km2,
        "green": pop * urban,
    }
    return {key: w / w.sum() for key, w in raw.items()}


# (gpc_ref, activity) -> district weight key, for everything not at enterprise level.
_SPREAD_KEY: dict[tuple[str, str], str] = {
    ("I.4.4", "raw_coal"): "plant",
    ("I.4.1", "raw_coal"): "plant",
    ("I.4.1", "fuel_oil"): "plant",
    ("I.1.1", "natural_gas"): "urban_gas",
    ("I.1.1", "lpg"): "rural_lpg",
    ("I.1.1", "raw_coal"): "rural_coal",
    ("I.1.2", "electricity_grid"): "residential_power",
    ("I.1.2", "heat_purchased"): "urban_heat",
    ("I.2.1", "natural_gas"): "commerce",
    ("I.2.1", "lpg"): "commerce",
    ("I.2.1", "diesel"): "commerce",
    ("I.2.1", "raw_coal"): "commerce_coal",
    ("I.2.2", "electricity_grid"): "commerce",
    ("I.2.2", "heat_purchased"): "commerce",
    ("I.5.1", "diesel"): "agriculture",
    ("I.5.1", "raw_coal"): "agriculture",
    ("I.5.2", "electricity_grid"): "agriculture",
    ("II.1.1", "gasoline"): "passenger",
    ("II.1.1", "diesel"): "freight",
    ("II.1.1", "lpg"): "taxi",
    ("II.1.1", "natural_gas"): "taxi",
    ("II.1.2", "electricity_grid"): "taxi",
    ("II.2.2", "electricity_grid"): "rail",
    ("II.4.3", "kerosene"): "airport",
    ("II.5.1", "diesel"): "offroad",
}


def _record_block(
    years: np.ndarray,
    districts: np.ndarray,
    entities: np.ndarray,
    gpc_ref: str,
    activity: str,
    amount: np.ndarray,
    unit: str,
    quality: str,
    uncertainty: float,
) -> pd.DataFrame:
    """Records of one (gpc_ref, activity) cell; rows with a zero amount are dropped."""
    keep = amount > 0
    return pd.DataFrame(
        {
            "entity": entities[keep],
            "district": districts[keep],
            "year": years[keep],
            "gpc_ref": gpc_ref,
            "activity": activity,
            "amount": amount[keep],
            "unit": unit,
            "quality": quality,
            "activity_uncertainty_pct": uncertainty,
        }
    )


def _enterprise_weights(
    enterprises: pd.DataFrame, activity: str, years: tuple[int, ...], real_index: np.ndarray
) -> np.ndarray:
    """Share of the industrial total of ``activity`` each enterprise takes, shape (years, n)."""
    profile = {ind.code: ind.profile.get(activity, 0.0) for ind in INDUSTRIES}
    intensity = enterprises["industry_code"].map(profile).to_numpy(dtype=float)
    year_arr = np.array(years)[:, None]
    founded = enterprises["founded_year"].to_numpy()[None, :]
    closed = enterprises["closed_year"].fillna(9999).to_numpy(dtype=int)[None, :]
    active = (year_arr >= founded) & (year_arr < closed)
    size = enterprises["size"].to_numpy()[None, :] * (real_index / real_index[-1])[:, None]
    trend = np.ones_like(size)
    not_heavy = (enterprises["group"] != "heavy").to_numpy()[None, :]
    after = np.maximum(year_arr - 2013, 0)
    if activity in {"raw_coal", "fuel_oil"}:
        trend = np.where(not_heavy, 0.85**after, 0.97**after) * np.ones_like(size)
    elif activity == "natural_gas":
        trend = np.where(not_heavy, 1.08**after, 1.03**after) * np.ones_like(size)
    efficiency = enterprises["energy_efficiency"].to_numpy()[None, :]
    weights = active * size * intensity[None, :] * efficiency * trend
    total = weights.sum(axis=1, keepdims=True)
    if np.any(total <= 0):
        raise RuntimeError(f"no operating enterprise uses {activity} in some year")
    return weights / total


def _records(
    balance: pd.DataFrame,
    weights: dict[str, np.ndarray],
    enterprises: pd.DataFrame,
    codes: list[str],
    years: tuple[int, ...],
    real_index: np.ndarray,
) -> pd.DataFrame:
    """Spread the energy balance over districts and enterprises into inventory records."""
    blocks: list[pd.DataFrame] = []
    n_years, n_districts = len(years), len(codes)
    year_grid = np.repeat(np.array(years), n_districts)
    district_grid = np.tile(np.array(codes), n_years)
    empty_entities = np.full(n_years * n_districts, "", dtype=object)
    wide = (
        balance.pivot(index="year", columns=["gpc_ref", "activity"], values="amount").reindex(list(years)).fillna(0.0)
    )
    for key in wide.columns:
        gpc_ref, activity = str(key[0]), str(key[1])
        totals = wide[key].to_numpy(dtype=float)
        unit = BALANCE_UNITS[activity]
        if gpc_ref in {"I.3.1", "I.3.2"}:
            share = _enterprise_weights(enterprises, activity, years, real_index)
            amount = totals[:, None] * share
            if activity == "natural_gas":
                amount, unit = amount / 1e4, "wan_m3"
            quality, unc = ENTERPRISE_QUALITY.get(activity, ENTERPRISE_FUEL_QUALITY)
            n_ent = len(enterprises)
            blocks.append(
                _record_block(
                    np.repeat(np.array(years), n_ent),
                    np.tile(enterprises["district"].to_numpy(), n_years),
                    np.tile(enterprises["uscc"].to_numpy(), n_years),
                    gpc_ref,
                    activity,
                    amount.ravel(),
                    unit,
                    quality,
                    unc,
                )
            )
            continue
        w = weights[_SPREAD_KEY[(gpc_ref, activity)]]
        amount = (totals[:, None] * w[None, :]).ravel()
        quality, unc = QUALITY[(gpc_ref, activity)]
        blocks.append(
            _record_block(
                year_grid,
                district_grid,
                empty_entities,
                gpc_ref,
                activity,
                amount,
                unit,
                quality,
                unc,
            )
        )
    records = pd.concat(blocks, ignore_index=True)
    records = records.sort_values(["year", "gpc_ref", "activity", "district", "entity"], ignore_index=True)
    records["method"] = "factor"
    records["region"] = REGION
    records["record_id"] = [f"DC-{i:06d}" for i in range(1, len(records) + 1)]
    records["year"] = records["year"].astype("int64")
    records["amount"] = records["amount"].astype(float)
    records["activity_uncertainty_pct"] = records["activity_uncertainty_pct"].astype(float)
    return records.loc[:, list(RECORD_COLUMNS)]


def _with_sector_records(records: pd.DataFrame, sector: pd.DataFrame) -> pd.DataFrame:
    """The energy records followed by the waste, IPPU and agriculture rows (their own ids)."""
    sector = sector.copy()
    sector["region"] = REGION
    sector["record_id"] = [f"DC-S{i:05d}" for i in range(1, len(sector) + 1)]
    columns = [*RECORD_COLUMNS, *SECTOR_COLUMNS]
    out = pd.concat([records, sector], ignore_index=True).reindex(columns=columns)
    for col in ("entity", "district"):
        out[col] = out[col].fillna("")
    out["year"] = out["year"].astype("int64")
    return out


def _enterprise_energy_2024(records: pd.DataFrame) -> pd.Series:
    """Energy of each enterprise in 2024 [tce], from its records."""
    rows = records[(records["year"] == 2024) & (records["entity"] != "")]
    factor = rows["activity"].map(tce_per_unit) * np.where(rows["unit"] == "wan_m3", 1e4, 1.0)
    return (rows["amount"] * factor).groupby(rows["entity"]).sum()


def _land(
    years: tuple[int, ...], codes: list[str], weights: dict[str, np.ndarray], total_area_ha: float
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Forest, green space and cropland by district and year, and the city totals."""
    cover = cal.interpolate_anchors(cal.TREE_COVER_PCT, years) / 100.0
    forest = cover * cal.LAND_SHARE_OF_AREA * total_area_ha
    green = cal.CITY_SCALE * cal.interpolate_anchors(cal.GREEN_SPACE_HA, years)
    crop = cal.CITY_SCALE * cal.CROPLAND_2020_HA * (1.0 + cal.CROPLAND_CHANGE_PCT / 100.0) ** (np.array(years) - 2020)
    n_years = len(years)
    land = pd.DataFrame(
        {
            "district": np.tile(np.array(codes), n_years),
            "year": np.repeat(np.array(years), len(codes)).astype("int64"),
            "forest_ha": (forest[:, None] * weights["forest"][None, :]).ravel(),
            "green_space_ha": (green[:, None] * weights["green"][None, :]).ravel(),
            "cropland_ha": (crop[:, None] * weights["cropland"][None, :]).ravel(),
        }
    )
    return land, {"forest": forest, "green": green, "crop": crop}


def build_demo_city(seed: int = DEFAULT_SEED) -> DemoCity:
    """Build the Demo City: a plausible Jiangsu prefecture-level city of ~5 million people.

    Parameters
    ----------
    seed : int
        Seed of every random draw; the same seed gives identical tables.

    Returns
    -------
    DemoCity
        The tables, 2010-2024.
    """
    started = time.perf_counter()
    years = cal.YEARS
    # Spawned children depend only on their index: adding a stream leaves the others unchanged.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    rng_macro, rng_balance, rng_geo, rng_weights, rng_ent, rng_bld, rng_hh, rng_events = streams

    rings = district_polygons(rng_geo)
    areas = np.array([ring_area_km2(r) for r in rings])
    codes = [d[0] for d in cal.DISTRICTS]
    weights = _district_weights(rng_weights, areas)
    features = feature_collection(
        rings,
        [
            {
                "code": d[0],
                "name_en": d[1],
                "name_zh": d[2],
                "area_km2": round(float(a), 2),
                "population_share": round(float(s), 6),
            }
            for d, a, s in zip(cal.DISTRICTS, areas, weights["population"], strict=True)
        ],
    )

    macro = _macro(rng_macro, years)
    balance = _energy_balance(rng_balance, macro, years)
    secondary_2024 = macro.gdp_parts[-1, 1]
    # Key enterprises produce 70 % of the industrial output; output = 4.55 x secondary value
    # added (Changzhou 2015: 1,145.43 / 251.62 billion yuan [CZ-2015-III]). 70 % ASSUMED.
    enterprises = sample_enterprises(rng_ent, codes, weights["industry"], 0.70 * 4.55 * secondary_2024)
    records = _records(balance, weights, enterprises, codes, years, macro.real_index)
    energy_2024 = _enterprise_energy_2024(records)
    enterprises["energy_2024_tce"] = enterprises["uscc"].map(energy_2024).fillna(0.0)

    land, land_totals = _land(years, codes, weights, float(areas.sum()) * 100.0)
    records = _with_sector_records(
        records,
        sector_records(
            years,
            macro.population.astype(float),
            np.asarray(land_totals["crop"], dtype=float),
            codes,
            weights["cropland"],
            enterprises,
        ),
    )
    statistics = pd.DataFrame(
        {
            "year": np.array(years, dtype="int64"),
            "population": macro.population.astype("int64"),
            "gdp_primary": macro.gdp_parts[:, 0],
            "gdp_secondary": macro.gdp_parts[:, 1],
            "gdp_tertiary": macro.gdp_parts[:, 2],
            "gdp": macro.gdp_parts.sum(axis=1),
            "energy_total_tce": macro.energy_total,
            "electricity_use_mwh": macro.electricity,
            "electricity_generation_mwh": macro.generation,
            "heat_use_gj": macro.heat,
            "forest_area_ha": land_totals["forest"],
            "green_space_ha": land_totals["green"],
            "cropland_ha": land_totals["crop"],
        }
    )

    res = balance[balance["gpc_ref"] == "I.1.2"]
    res_gas = balance[(balance["gpc_ref"] == "I.1.1") & (balance["activity"] == "natural_gas")]
    households_2024 = macro.population[-1] / 2.51  # census mean household size [CZ-CENSUS-2020]
    res_elec_2024 = res[(res["activity"] == "electricity_grid") & (res["year"] == 2024)]
    households = sample_households(
        rng_hh,
        codes,
        weights["population"],
        float(res_elec_2024["amount"].iloc[0]) * 1000.0 / households_2024,
        float(res_gas.loc[res_gas["year"] == 2024, "amount"].iloc[0]) / households_2024,
    )
    buildings = sample_buildings(rng_bld, codes, weights["commerce"])

    city = DemoCity(
        name="Demo City",
        name_zh="示范市",
        region=REGION,
        years=years,
        seed=seed,
        statistics=statistics,
        statistics_units=dict(STATISTICS_UNITS),
        records=records,
        districts=features,
        enterprises=enterprises.drop(columns=["size", "energy_efficiency"]),
        buildings=buildings,
        households=households,
        land=land,
        energy_balance=balance,
        column_units=_column_units(),
        behaviour_events=behaviour_events(rng_events, households),
    )
    logger.debug(
        "built the Demo City (seed %d): %d records in %.2f s",
        seed,
        len(records),
        time.perf_counter() - started,
    )
    return city


def _column_units() -> dict[str, dict[str, str]]:
    """Units of every table's columns (written to ``units.json``)."""
    units = {
        "statistics": dict(STATISTICS_UNITS),
        "records": {
            "amount": "in the row's unit column",
            "activity_uncertainty_pct": "% (95 % confidence half-width of the amount)",
        },
        "enterprises": {
            "land_area_mu": "mu (1 mu = 666.7 m2)",
            "output_value_10k_yuan": "10^4 yuan, 2024, current prices (0 when closed)",
            "employees": "persons, 2024",
            "energy_2024_tce": "tce, sum of the enterprise's 2024 records",
        },
        "buildings": {
            "floor_area_m2": "m2",
            "electricity_mwh": "MWh per year (2024)",
            "gas_m3": "m3 natural gas per year (2024)",
        },
        "households": {
            "members": "persons",
            "floor_area_m2": "m2",
            "electricity_kwh": "kWh per year (2024)",
            "gas_m3": "m3 natural gas per year (2024)",
        },
        "land": {"forest_ha": "ha", "green_space_ha": "ha", "cropland_ha": "ha"},
        "energy_balance": {"amount": "in the row's unit column (t, m3, MWh or GJ)"},
        "behaviour_events": {
            "quantity": "kWh (electricity read in the month, PV generated in the day, EV charged in the session)",
            "distance_km": "km (one passenger's trip)",
            "duration_min": "min",
            "prior_1": "kWh (same month of 2023)",
            "prior_2": "kWh (same month of 2022)",
        },
    }
    return units
