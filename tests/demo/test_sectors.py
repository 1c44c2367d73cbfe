"""Demo City's waste, industrial process and agriculture rows, and the inventory they give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zerocity.demo import DemoCity, build_demo_city
from zerocity.demo.inventory import demo_inventory
from zerocity.demo.sectors import LANDFILL_FIRST_YEAR
from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.result import InventoryResult


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return build_demo_city()


@pytest.fixture(scope="module")
def result(city: DemoCity) -> InventoryResult:
    return compute_inventory(city.records, region=city.region, source="demo")


def _sector(city: DemoCity) -> pd.DataFrame:
    return city.records[city.records["method"] != "factor"]


def test_every_gpc_sector_has_rows_of_its_ipcc_methods(city: DemoCity) -> None:
    methods = set(_sector(city)["method"])
    assert {"fod", "incineration", "biological", "wastewater_domestic", "wastewater_industrial"} <= methods
    assert {"cement", "iron_steel", "lubricant", "refrigerant"} <= methods
    assert {"enteric", "manure_ch4", "manure_n2o", "soil_n2o", "urea", "rice"} <= methods


def test_landfill_history_starts_before_the_inventory(city: DemoCity, result: InventoryResult) -> None:
    fod = city.records[city.records["method"] == "fod"]
    assert fod["year"].min() == LANDFILL_FIRST_YEAR
    assert fod["year"].max() == 2024
    # History rows add no inventory year: the inventory covers 2010-2024 only.
    assert result.years == tuple(range(2010, 2025))
    landfill = result.emissions[result.emissions["gpc_ref"] == "III.1.1"]
    assert set(landfill["year"]) == set(range(2010, 2025))
    # A deposit of 2005 still emits in 2024 (first order decay), under its own row.
    row_2005 = int(np.flatnonzero((city.records["method"] == "fod").to_numpy() & (city.records["year"] == 2005))[0])
    assert landfill.loc[(landfill["pos"] == row_2005) & (landfill["year"] == 2024), "tonnes"].sum() > 0


def test_basic_plus_adds_ippu_and_afolu(city: DemoCity, result: InventoryResult) -> None:
    years = demo_inventory(city)
    e = result.emissions
    # BASIC+ also adds scope 3 of energy and transport (here aviation fuel of trips out of the city).
    energy_scope3 = e[(e["level"] == "BASIC+") & e["sector"].isin(["I", "II"])].groupby("year")["tco2e"].sum()
    for y in years:
        plus = y["by_sector_basic_plus"]
        assert set(plus) == {"I", "II", "III", "IV", "V"}
        assert "IV" not in y["by_sector"] and "V" not in y["by_sector"]
        assert plus["IV"] > 0 and plus["V"] > 0
        assert y["basic_plus_tco2e"] == pytest.approx(
            y["basic_tco2e"] + plus["IV"] + plus["V"] + energy_scope3.get(y["year"], 0.0), rel=1e-9
        )
        assert y["by_sector"]["III"] == pytest.approx(plus["III"], rel=1e-12)


def test_waste_and_agriculture_are_plausible(city: DemoCity, result: InventoryResult) -> None:
    e = result.emissions
    y2024 = e[e["year"] == 2024]
    population = float(city.statistics.set_index("year").at[2024, "population"])
    waste_t_per_cap = y2024.loc[y2024["sector"] == "III", "tco2e"].sum() / population
    # City waste inventories report roughly 0.1-0.5 tCO2e per person.
    assert 0.1 < waste_t_per_cap < 0.5
    # Rice: IPCC baseline 1.30 kg CH4/ha/day x 130 days, scaled by single aeration (0.60) and straw
    # incorporated < 30 days before cultivation at 3 t/ha ((1 + 3 x 1.0)^0.59) -> kg CH4/ha/season.
    expected = 1.30 * 130 * 0.60 * (1 + 3 * 1.0) ** 0.59
    rice_rows = city.records[(city.records["method"] == "rice") & (city.records["year"] == 2024)]
    rice_ch4 = y2024.loc[(y2024["activity"] == "paddy_rice") & (y2024["gas"] == "CH4"), "tonnes"].sum()
    assert rice_ch4 * 1000 / rice_rows["amount"].sum() == pytest.approx(expected, rel=1e-9)


def test_plant_rows_belong_to_enterprises_of_their_industry(city: DemoCity) -> None:
    industry = city.enterprises.set_index("uscc")["industry_code"]
    plants = city.records[city.records["method"].isin(["cement", "iron_steel", "wastewater_industrial"])]
    codes = plants.groupby("method")["entity"].agg(lambda s: {industry.get(u, "") for u in s})
    assert codes["cement"] == {"C3011"}
    assert codes["iron_steel"] == {"C3120"}
    assert codes["wastewater_industrial"] == {"C2221"}
