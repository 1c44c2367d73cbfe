"""The Demo City generator: determinism, schema, calibration and internal consistency."""

from __future__ import annotations

import csv
import itertools
import json
import math
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zerocity.demo import RECORD_COLUMNS, DemoCity, build_demo_city
from zerocity.demo.generator import BALANCE_UNITS, tce_per_unit
from zerocity.demo.geography import ring_area_km2
from zerocity.demo.sectors import SECTOR_COLUMNS
from zerocity.identifiers import is_valid_uscc
from zerocity.units import parse_unit

ALLOWED_ACTIVITIES = {
    "raw_coal", "coke", "fuel_oil", "gasoline", "kerosene", "diesel", "lpg", "natural_gas",
    "electricity_grid", "heat_purchased",
}  # fmt: skip
FUELS = ALLOWED_ACTIVITIES - {"electricity_grid", "heat_purchased"}


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return build_demo_city()


def _package_csv(package: str, name: str) -> list[dict[str, str]]:
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _energy(city: DemoCity) -> pd.DataFrame:
    """The energy records (emission-factor method); waste, IPPU and AFOLU rows are tested apart."""
    return city.records[city.records["method"] == "factor"]


def _to_balance_units(records: pd.DataFrame) -> pd.Series:
    """Record amounts converted to the energy balance unit of their activity."""
    factors = {
        (unit, act): parse_unit(unit).to(parse_unit(BALANCE_UNITS[act]))
        for unit, act in records[["unit", "activity"]].drop_duplicates().itertuples(index=False)
    }
    keys = list(zip(records["unit"], records["activity"], strict=True))
    return records["amount"] * np.array([factors[k] for k in keys])


# --- determinism and speed -------------------------------------------------------------------


def test_same_seed_gives_identical_tables(city: DemoCity) -> None:
    again = build_demo_city()
    for name in ("statistics", "records", "enterprises", "buildings", "households", "land", "energy_balance"):
        pd.testing.assert_frame_equal(getattr(city, name), getattr(again, name))
    assert city.districts == again.districts


def test_other_seed_gives_other_tables(city: DemoCity) -> None:
    other = build_demo_city(seed=7)
    assert other.seed == 7
    assert not city.statistics["energy_total_tce"].equals(other.statistics["energy_total_tce"])
    assert set(city.enterprises["uscc"]).isdisjoint(other.enterprises["uscc"])
    assert city.districts != other.districts
    assert not city.households["electricity_kwh"].equals(other.households["electricity_kwh"])


def test_build_is_fast() -> None:
    started = time.perf_counter()
    build_demo_city(seed=3)
    assert time.perf_counter() - started < 5.0


def test_identity(city: DemoCity) -> None:
    assert (city.name, city.name_zh, city.region) == ("Demo City", "示范市", "CN-JS")
    assert city.years == tuple(range(2010, 2025))
    assert city.statistics["year"].tolist() == list(city.years)


# --- records ---------------------------------------------------------------------------------


def test_record_schema(city: DemoCity) -> None:
    assert tuple(city.records.columns) == RECORD_COLUMNS + SECTOR_COLUMNS
    assert city.records["record_id"].is_unique
    records = _energy(city)
    assert records["record_id"].is_unique
    assert records["amount"].dtype == float
    assert np.isfinite(records["amount"]).all()
    assert (records["amount"] > 0).all()
    assert set(records["activity"]) <= ALLOWED_ACTIVITIES
    assert set(records["method"]) == {"factor"}
    assert set(records["region"]) == {"CN-JS"}
    assert set(records["quality"]) <= {"measured", "calculated", "estimated"}
    assert (records["activity_uncertainty_pct"] > 0).all()
    assert set(records["year"]) == set(city.years)
    codes = {f["properties"]["code"] for f in city.districts["features"]}
    assert set(records["district"]) <= codes


def test_record_vocabularies_exist_in_package_data(city: DemoCity) -> None:
    activities = {row["activity"] for row in _package_csv("zerocity.factors", "activities.csv")}
    gpc = {row["gpc_ref"] for row in _package_csv("zerocity.inventory", "gpc.csv")}
    assert set(_energy(city)["activity"]) <= activities
    assert set(_energy(city)["gpc_ref"]) <= gpc


def test_record_units_parse_with_the_right_dimension(city: DemoCity) -> None:
    pairs = _energy(city)[["activity", "unit"]].drop_duplicates()
    for activity, unit in pairs.itertuples(index=False):
        parsed = parse_unit(unit)
        if activity == "natural_gas":
            assert unit in {"m3", "wan_m3"}
            assert parsed.dimension == "volume"
        elif activity in FUELS:
            assert parsed.dimension == "mass"
        else:
            assert parsed.dimension == "energy"
    assert set(_energy(city).loc[_energy(city)["activity"] == "electricity_grid", "unit"]) == {"MWh"}
    assert set(_energy(city).loc[_energy(city)["activity"] == "heat_purchased", "unit"]) == {"GJ"}


def test_expected_sources_are_present(city: DemoCity) -> None:
    cells = set(_energy(city)[["gpc_ref", "activity"]].itertuples(index=False, name=None))
    for cell in [
        ("I.4.4", "raw_coal"), ("I.4.1", "raw_coal"), ("II.1.1", "gasoline"),
        ("II.1.1", "diesel"), ("II.1.1", "lpg"), ("II.1.1", "natural_gas"),
        ("II.2.2", "electricity_grid"), ("II.4.3", "kerosene"), ("II.5.1", "diesel"),
        ("I.1.1", "natural_gas"), ("I.1.1", "lpg"), ("I.1.1", "raw_coal"),
        ("I.1.2", "electricity_grid"), ("I.1.2", "heat_purchased"), ("I.2.1", "natural_gas"),
        ("I.2.2", "electricity_grid"), ("I.3.1", "coke"), ("I.3.1", "raw_coal"),
        ("I.3.2", "electricity_grid"), ("I.3.2", "heat_purchased"), ("I.5.1", "diesel"),
        ("I.5.2", "electricity_grid"),
    ]:  # fmt: skip
        assert cell in cells, cell


def test_industry_is_at_enterprise_level_only(city: DemoCity) -> None:
    records = _energy(city)
    industry = records["gpc_ref"].isin(["I.3.1", "I.3.2"])
    assert (records.loc[industry, "entity"] != "").all()
    assert (records.loc[~industry, "entity"] == "").all()
    assert set(records.loc[industry, "entity"]) <= set(city.enterprises["uscc"])


def test_residential_coal_falls(city: DemoCity) -> None:
    coal = city.energy_balance.query("gpc_ref == 'I.1.1' and activity == 'raw_coal'")
    amounts = coal.set_index("year")["amount"]
    assert amounts[2024] < 0.2 * amounts[2010]


# --- consistency: records = energy balance = statistics --------------------------------------


def test_records_add_up_to_the_energy_balance(city: DemoCity) -> None:
    records = _energy(city).assign(balance_amount=_to_balance_units(_energy(city)))
    sums = records.groupby(["year", "gpc_ref", "activity"])["balance_amount"].sum()
    balance = city.energy_balance.set_index(["year", "gpc_ref", "activity"])["amount"]
    sums = sums.reindex(balance.index)
    np.testing.assert_allclose(sums.to_numpy(), balance.to_numpy(), rtol=1e-9)


def test_records_add_up_to_the_statistics(city: DemoCity) -> None:
    records = _energy(city).assign(balance_amount=_to_balance_units(_energy(city)))
    by_fuel = records.groupby(["year", "activity"])["balance_amount"].sum().unstack()
    stats = city.statistics.set_index("year")
    np.testing.assert_allclose(by_fuel["electricity_grid"], stats["electricity_use_mwh"], rtol=1e-9)
    np.testing.assert_allclose(by_fuel["heat_purchased"], stats["heat_use_gj"], rtol=1e-9)
    fuels_tce = sum(by_fuel[a] * tce_per_unit(a) for a in FUELS)
    net_import = stats["electricity_use_mwh"] - stats["electricity_generation_mwh"]
    total = fuels_tce + net_import * tce_per_unit("electricity_grid")
    np.testing.assert_allclose(total, stats["energy_total_tce"], rtol=1e-9)


def test_power_plant_coal_matches_generation(city: DemoCity) -> None:
    balance = city.energy_balance
    coal = balance[balance["gpc_ref"].isin(["I.4.4", "I.4.1"]) & (balance["activity"] == "raw_coal")]
    coal_tce = coal.groupby("year")["amount"].sum() * tce_per_unit("raw_coal")
    stats = city.statistics.set_index("year")
    # Electricity at 0.29-0.32 kgce/kWh plus heat at ~40 kgce/GJ.
    implied = (coal_tce - stats["heat_use_gj"] * 0.0401) / stats["electricity_generation_mwh"]
    assert implied.between(0.28, 0.33).all()


def test_tce_per_unit_of_electricity_and_heat() -> None:
    assert tce_per_unit("electricity_grid") == pytest.approx(3.6 / 29.3076)
    assert tce_per_unit("heat_purchased") == pytest.approx(1 / 29.3076)
    assert tce_per_unit("raw_coal") == pytest.approx(0.7143)


# --- calibration -----------------------------------------------------------------------------


def test_population_is_about_five_million(city: DemoCity) -> None:
    population = city.statistics["population"]
    assert population.between(4.0e6, 5.6e6).all()
    assert 4.7e6 < population.iloc[-1] < 5.4e6
    assert population.iloc[-1] > population.iloc[0]


def test_gdp_mix(city: DemoCity) -> None:
    stats = city.statistics
    parts = stats[["gdp_primary", "gdp_secondary", "gdp_tertiary"]]
    np.testing.assert_allclose(parts.sum(axis=1), stats["gdp"], rtol=1e-12)
    shares = parts.div(stats["gdp"], axis=0)
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-12)
    first, last = shares.iloc[0], shares.iloc[-1]
    assert 0.02 < first["gdp_primary"] < 0.05 and last["gdp_primary"] < first["gdp_primary"]
    assert first["gdp_secondary"] > 0.5 and last["gdp_secondary"] < 0.5
    assert last["gdp_tertiary"] > first["gdp_tertiary"]
    # Current-price GDP [10^4 yuan]: about 2.9e7 in 2010 and about 1e8 in 2024.
    assert 2.5e7 < stats["gdp"].iloc[0] < 3.3e7
    assert 0.85e8 < stats["gdp"].iloc[-1] < 1.15e8


def test_energy_intensity_falls_and_per_capita_levels(city: DemoCity) -> None:
    stats = city.statistics.set_index("year")
    intensity = stats["energy_total_tce"] / stats["gdp"]
    assert 0.5 < intensity[2010] < 0.7
    assert intensity[2024] < 0.5 * intensity[2010]
    assert (intensity.diff().dropna() < 0.01).all()
    per_capita = stats["energy_total_tce"] / stats["population"]
    assert per_capita.between(3.5, 6.0).all()
    electricity_kwh = stats["electricity_use_mwh"] * 1000 / stats["population"]
    # Changzhou 2015: 40.8 billion kWh for 4.70 million people = 8,680 kWh per person.
    assert electricity_kwh[2015] == pytest.approx(8680, rel=0.06)
    assert electricity_kwh[2024] > electricity_kwh[2010]


def test_fuel_mix_coal_falls_gas_rises(city: DemoCity) -> None:
    balance = city.energy_balance
    fuels = balance[balance["activity"].isin(FUELS)].copy()
    fuels["tce"] = fuels["amount"] * fuels["activity"].map(tce_per_unit)
    mix = fuels.groupby(["year", "activity"])["tce"].sum().unstack()
    share = mix.div(city.statistics.set_index("year")["energy_total_tce"], axis=0)
    coal = share["raw_coal"] + share["coke"]
    assert coal[2010] > 0.5
    assert coal[2024] < coal[2010] - 0.1
    assert share["natural_gas"][2024] > 2 * share["natural_gas"][2010]


# Rough CO2 factors [t CO2 per t or m3]: our approximations of IPCC 2006 default emission
# factors x typical Chinese calorific values (not sourced). Only for this plausibility check;
# the inventory engine has its own factor library.
_ROUGH_CO2 = {
    "raw_coal": 1.98, "coke": 3.04, "fuel_oil": 3.24, "gasoline": 2.93, "kerosene": 3.02,
    "diesel": 3.10, "lpg": 3.10, "natural_gas": 0.00216,
}  # fmt: skip


def test_per_capita_co2_peaks_and_falls(city: DemoCity) -> None:
    balance = city.energy_balance
    # Territorial scope 1 (incl. the power plant, excl. out-of-boundary aviation).
    scope1 = balance[(balance["activity"].isin(FUELS)) & (balance["gpc_ref"] != "II.4.3")]
    co2 = (scope1["amount"] * scope1["activity"].map(_ROUGH_CO2)).groupby(scope1["year"]).sum()
    per_capita = co2 / city.statistics.set_index("year")["population"]
    assert per_capita.between(7.5, 11.5).all()
    peak_year = int(per_capita.idxmax())
    assert 2012 <= peak_year <= 2020
    assert per_capita[2024] < per_capita.max() - 0.5


# --- districts -------------------------------------------------------------------------------


def _segments_cross(p1, p2, q1, q2) -> bool:
    def orient(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(q1, q2, p1), orient(q1, q2, p2)
    d3, d4 = orient(p1, p2, q1), orient(p1, p2, q2)
    return d1 * d2 < 0 and d3 * d4 < 0


def test_geojson_has_ten_valid_polygons(city: DemoCity) -> None:
    fc = city.districts
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 10
    json.dumps(fc)  # serialisable
    for feature in fc["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Polygon"
        ring = feature["geometry"]["coordinates"][0]
        assert len(feature["geometry"]["coordinates"]) == 1
        assert len(ring) >= 4 and ring[0] == ring[-1]
        lons, lats = zip(*ring, strict=True)
        assert min(lons) > 118.9 and max(lons) < 120.1
        assert min(lats) > 31.3 and max(lats) < 32.3
        x, y = np.array(lons), np.array(lats)
        signed = 0.5 * np.sum(x[:-1] * y[1:] - x[1:] * y[:-1])
        assert signed > 0  # counter-clockwise exterior ring (RFC 7946)
        edges = list(itertools.pairwise(ring))
        for i, (a, b) in enumerate(edges):
            for j in range(i + 2, len(edges)):
                if i == 0 and j == len(edges) - 1:
                    continue
                assert not _segments_cross(a, b, *edges[j]), "self-intersecting ring"
        props = feature["properties"]
        assert set(props) >= {"code", "name_en", "name_zh", "area_km2", "population_share"}
        assert props["area_km2"] == pytest.approx(ring_area_km2(ring), abs=0.01)
    shares = [f["properties"]["population_share"] for f in fc["features"]]
    assert sum(shares) == pytest.approx(1.0, abs=1e-5)
    assert len({f["properties"]["code"] for f in fc["features"]}) == 10


def test_districts_tile_without_overlap(city: DemoCity) -> None:
    """Edges not shared by two districts form the city boundary; the areas add up to it."""
    directed: list[tuple[tuple[float, float], tuple[float, float]]] = []
    area_sum = 0.0
    for feature in city.districts["features"]:
        ring = [tuple(p) for p in feature["geometry"]["coordinates"][0]]
        directed += list(itertools.pairwise(ring))
        area_sum += ring_area_km2(ring)
    edge_set = set(directed)
    outer = [(a, b) for a, b in directed if (b, a) not in edge_set]
    assert len(outer) < len(directed)
    nxt = dict(outer)
    start = outer[0][0]
    boundary = [start]
    point = nxt[start]
    while point != start:
        boundary.append(point)
        point = nxt[point]
    assert len(boundary) == len(outer)  # one closed outer ring
    assert area_sum == pytest.approx(ring_area_km2(boundary), rel=1e-9)
    assert 3500 < area_sum < 5000  # km2, Changzhou has 4,385 km2


# --- enterprises, buildings, households, land ------------------------------------------------


def test_enterprises(city: DemoCity) -> None:
    ent = city.enterprises
    assert len(ent) >= 300
    assert ent["uscc"].is_unique
    assert all(is_valid_uscc(code) for code in ent["uscc"])
    assert (ent["uscc"].str[2:8] == ent["district"]).all()
    assert ent["industry_code"].str.fullmatch(r"C\d{4}").all()
    assert {"C3011", "C3130", "C2614", "C1713"} <= set(ent["industry_code"])
    assert ent["industry_name"].str.len().gt(0).all()
    operating = ent["closed_year"].isna()
    assert (ent.loc[operating, "output_value_10k_yuan"] > 0).all()
    assert (ent.loc[~operating, "output_value_10k_yuan"] == 0).all()
    assert (ent["land_area_mu"] > 0).all()
    assert (ent.loc[operating, "employees"] > 0).all()


def test_enterprise_energy_matches_industry_records(city: DemoCity) -> None:
    records = _energy(city)
    rows = records[(records["year"] == 2024) & records["gpc_ref"].isin(["I.3.1", "I.3.2"])]
    tce = _to_balance_units(rows) * rows["activity"].map(tce_per_unit)
    by_entity = tce.groupby(rows["entity"]).sum()
    energy = city.enterprises.set_index("uscc")["energy_2024_tce"]
    np.testing.assert_allclose(by_entity.reindex(energy.index).fillna(0.0), energy.to_numpy(), rtol=1e-9)
    assert energy.sum() == pytest.approx(tce.sum(), rel=1e-9)


def test_enterprise_records_respect_life_span(city: DemoCity) -> None:
    ent = city.enterprises.set_index("uscc")
    rows = _energy(city)[_energy(city)["entity"] != ""]
    founded = rows["entity"].map(ent["founded_year"])
    closed = rows["entity"].map(ent["closed_year"]).fillna(9999).astype(int)
    assert (rows["year"] >= founded).all()
    assert (rows["year"] < closed).all()


def test_buildings(city: DemoCity) -> None:
    b = city.buildings
    assert len(b) >= 300
    assert set(b["type"]) == {"office", "school", "hospital", "hotel", "mall"}
    assert b["building_id"].is_unique
    assert (b["floor_area_m2"] > 0).all() and (b["electricity_mwh"] > 0).all()
    assert (b["gas_m3"] >= 0).all()
    balance = city.energy_balance.query("year == 2024").set_index(["gpc_ref", "activity"])
    assert b["electricity_mwh"].sum() < balance.loc[("I.2.2", "electricity_grid"), "amount"]
    assert b["gas_m3"].sum() < balance.loc[("I.2.1", "natural_gas"), "amount"]


def test_households(city: DemoCity) -> None:
    h = city.households
    assert len(h) == 2000
    assert h["household_id"].is_unique
    assert h["members"].between(1, 6).all()
    assert h["members"].mean() == pytest.approx(2.51, abs=0.15)
    households = city.statistics["population"].iloc[-1] / 2.51
    balance = city.energy_balance.query("year == 2024").set_index(["gpc_ref", "activity"])
    city_kwh = balance.loc[("I.1.2", "electricity_grid"), "amount"] * 1000
    assert h["electricity_kwh"].mean() * households == pytest.approx(city_kwh, rel=1e-6)
    city_gas = balance.loc[("I.1.1", "natural_gas"), "amount"]
    assert h["gas_m3"].mean() * households == pytest.approx(city_gas, rel=1e-6)
    assert 1500 < h["electricity_kwh"].mean() < 6000


def test_land(city: DemoCity) -> None:
    land = city.land
    assert len(land) == 10 * len(city.years)
    sums = land.groupby("year")[["forest_ha", "green_space_ha", "cropland_ha"]].sum()
    stats = city.statistics.set_index("year")
    np.testing.assert_allclose(sums["forest_ha"], stats["forest_area_ha"], rtol=1e-9)
    np.testing.assert_allclose(sums["green_space_ha"], stats["green_space_ha"], rtol=1e-9)
    np.testing.assert_allclose(sums["cropland_ha"], stats["cropland_ha"], rtol=1e-9)
    area_ha = {f["properties"]["code"]: f["properties"]["area_km2"] * 100 for f in city.districts["features"]}
    used = land[["forest_ha", "green_space_ha", "cropland_ha"]].sum(axis=1)
    assert (used < 0.95 * land["district"].map(area_ha)).all()
    assert stats["forest_area_ha"].is_monotonic_increasing
    assert stats["green_space_ha"].is_monotonic_increasing


def test_units_cover_statistics(city: DemoCity) -> None:
    assert set(city.statistics.columns) == set(city.statistics_units)
    assert "10^4 yuan" in city.statistics_units["gdp"]


# --- writing ---------------------------------------------------------------------------------


def test_write(city: DemoCity, tmp_path: Path) -> None:
    paths = city.write(tmp_path / "out")
    names = [p.name for p in paths]
    for expected in [
        "statistics.csv",
        "records.csv",
        "districts.geojson",
        "enterprises.csv",
        "buildings.csv",
        "households.csv",
        "land.csv",
    ]:
        assert expected in names
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    records = pd.read_csv(tmp_path / "out" / "records.csv", keep_default_na=False, dtype={"district": str})
    assert list(records.columns) == [*RECORD_COLUMNS, *SECTOR_COLUMNS]
    assert len(records) == len(city.records)
    assert math.isclose(records["amount"].sum(), city.records["amount"].sum(), rel_tol=1e-12)
    geo = json.loads((tmp_path / "out" / "districts.geojson").read_text(encoding="utf-8"))
    assert geo == city.districts
    ent = pd.read_csv(tmp_path / "out" / "enterprises.csv", dtype={"district": str})
    assert ent["uscc"].tolist() == city.enterprises["uscc"].tolist()
