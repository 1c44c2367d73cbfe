"""zerocity.actions.transport against hand calculations.

Factors written here (region CN-JS, year 2024, on-road GPC II.1):

* gasoline: NCV 43.070 GJ/t (GB/T 2589-2020 Appendix A), 18.90 tC/TJ and 98 % oxidation (NDRC 2013
  guideline, Appendix 2); uncontrolled motor gasoline CH4 33 and N2O 3.2 kg/TJ (IPCC 2006 Vol. 2
  Table 3.2.2);
* diesel: NCV 42.652 GJ/t, 20.20 tC/TJ, 98 %; CH4 3.9 and N2O 3.9 kg/TJ (IPCC 2006 Table 3.2.2);
* AR5 GWP: CH4 28, N2O 265; grid electricity 0.5827 t CO2/MWh (MEE & NBS 2025 No. 47, Jiangsu 2023);
* densities: gasoline 0.7475 kg/L, diesel 0.830 kg/L (midpoints of GB 17930 / GB 19147-2013 ranges).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zerocity.actions import transport as trn
from zerocity.actions.buildings import ActionInputError
from zerocity.errors import InvalidRecordsError

DATA = Path(__file__).resolve().parents[1] / "data" / "actions"
REGION, YEAR = "CN-JS", 2024
GASOLINE_TJ_PER_KG = 43.070e-6
DIESEL_TJ_PER_KG = 42.652e-6
EF_GASOLINE = GASOLINE_TJ_PER_KG * (18.90 * 0.98 * 44 / 12 + 33e-3 * 28 + 3.2e-3 * 265)  # t CO2e/kg
EF_DIESEL = DIESEL_TJ_PER_KG * (20.20 * 0.98 * 44 / 12 + 3.9e-3 * 28 + 3.9e-3 * 265)
EF_EL = 0.5827e-3  # t/kWh
CAR_KG = 1000 * 12_000 * 7.5 / 100 * 0.7475  # 672,750 kg gasoline
BUS_KG = 50 * 60_000 * 30 / 100 * 0.830  # 747,000 kg diesel
EV_KWH = 200 * 12_000 * 15 / 100  # 360,000 kWh
REL = 1e-5


def test_stock_method_by_hand():
    res = trn.stock_emissions(pd.read_csv(DATA / "stock.csv"), region=REGION, year=YEAR)
    t = res.table
    assert t.loc[0, "fuel_amount"] == pytest.approx(CAR_KG)
    assert t.loc[0, "tco2e"] == pytest.approx(CAR_KG * EF_GASOLINE, rel=REL)  # 2,019.2 t
    assert t.loc[1, "tco2e"] == pytest.approx(EV_KWH * EF_EL, rel=REL)  # 209.772 t
    assert t.loc[2, "tco2e"] == pytest.approx(BUS_KG * EF_DIESEL, rel=REL)  # 2,349.1 t
    assert res.total_tco2e == pytest.approx(CAR_KG * EF_GASOLINE + EV_KWH * EF_EL + BUS_KG * EF_DIESEL, rel=REL)
    by_type = res.by("vehicle_type").set_index("vehicle_type")
    assert by_type.loc["car", "vehicle_km"] == pytest.approx(1200 * 12_000)
    assert "CN-GBT2589-2020-A-gasoline-NCV" in t.loc[0, "factor_ids"]


def test_density_column_overrides_default():
    stock = pd.read_csv(DATA / "stock.csv").head(1).assign(density_kg_per_l=0.75)
    res = trn.stock_emissions(stock, region=REGION, year=YEAR)
    assert res.table.loc[0, "fuel_amount"] == pytest.approx(900_000 * 0.75)


def test_bad_stock_rows_and_columns():
    with pytest.raises(InvalidRecordsError) as info:
        trn.stock_emissions(pd.read_csv(DATA / "stock_bad.csv"), region=REGION, year=YEAR, source="stock_bad.csv")
    got = {(i.row, i.column) for i in info.value.issues}
    assert got == {(1, "fuel"), (2, "consumption_unit"), (3, "count")}


def test_lpg_in_litres_needs_a_density():
    stock = pd.DataFrame(
        {
            "vehicle_type": ["taxi"],
            "fuel": ["lpg"],
            "count": [1],
            "km_per_year": [1],
            "consumption": [10],
            "consumption_unit": ["L/100km"],
        }
    )
    with pytest.raises(InvalidRecordsError) as info:
        trn.read_stock(stock)
    assert info.value.issues[0].column == "density_kg_per_l"


def test_trip_method_given_and_derived_factors():
    res = trn.trip_emissions(pd.read_csv(DATA / "trips.csv"), region=REGION, year=YEAR)
    t = res.table.set_index("mode")
    assert t.loc["metro", "tco2e"] == pytest.approx(1e8 * 30 / 1e6)  # 3,000 t
    g_bus = 30 / 100 * 0.830 * EF_DIESEL * 1e6 / 20  # g CO2e per pkm
    assert t.loc["bus", "gco2e_per_pkm"] == pytest.approx(g_bus, rel=REL)  # about 39.1 g/pkm
    assert t.loc["bus", "tco2e"] == pytest.approx(5e7 * g_bus / 1e6, rel=REL)
    assert t.loc["metro", "factor_source"] == "user"


def test_trip_row_without_factor_or_vehicle():
    trips = pd.DataFrame({"mode": ["walk?"], "pkm": [10.0]})
    with pytest.raises(InvalidRecordsError) as info:
        trn.read_trips(trips)
    assert (1, "gco2e_per_pkm") in {(i.row, i.column) for i in info.value.issues}


def test_ev_transition_by_hand():
    sc = trn.load_ev_scenario(DATA / "ev.yaml")
    res = trn.ev_transition(pd.read_csv(DATA / "stock.csv"), sc, region=REGION, year=YEAR)
    t = res.table.set_index("year")
    fossil = CAR_KG * EF_GASOLINE + BUS_KG * EF_DIESEL
    potential_kwh = 1000 * 12_000 * 15 / 100 + 50 * 60_000 * 100 / 100  # cars 1.8 GWh, buses 3.0 GWh
    # 2025: half the fossil km electrified, grid 0.5 t/MWh
    assert t.loc[2025, "fossil_tco2e"] == pytest.approx(0.5 * fossil, rel=REL)
    assert t.loc[2025, "ev_energy_mwh"] == pytest.approx((0.5 * potential_kwh + EV_KWH) / 1000)
    assert t.loc[2025, "electric_tco2e"] == pytest.approx((0.5 * potential_kwh + EV_KWH) / 1000 * 0.5)
    assert t.loc[2025, "baseline_tco2e"] == pytest.approx(fossil + EV_KWH / 1000 * 0.5, rel=REL)
    # 2030: all electric, grid 0.3 t/MWh
    assert t.loc[2030, "total_tco2e"] == pytest.approx((potential_kwh + EV_KWH) / 1000 * 0.3)
    assert t.loc[2030, "avoided_tco2e"] == pytest.approx(fossil + EV_KWH / 1000 * 0.3 - 1548.0, rel=REL)
    # charging profile of the last year: 5,160 MWh over 365 days, shipped shape
    assert res.charging["mwh"].sum() == pytest.approx(5160 / 365)
    assert res.charging_source == "ASSUMED"


def test_ev_grid_path_from_library_and_errors():
    sc = trn.EvScenario(years=[2023, 2024], ev_share=[0.0, 0.0], ev_kwh_per_100km={"*": 15})
    res = trn.ev_transition(pd.read_csv(DATA / "stock.csv"), sc, region=REGION, year=YEAR)
    assert list(res.table["grid_factor_t_per_mwh"]) == pytest.approx([0.5827, 0.5827])
    assert "CN-MEENBS-2025-47-2023-CN-JS-CO2" in res.grid_source
    with pytest.raises(ActionInputError, match="ev_share"):
        trn.load_ev_scenario(DATA / "ev_bad.yaml")
    only_cars = trn.EvScenario(years=[2025], ev_share=[0.5], ev_kwh_per_100km={"car": 15})
    with pytest.raises(ActionInputError, match="'bus'"):
        trn.ev_transition(pd.read_csv(DATA / "stock.csv"), only_cars, region=REGION, year=YEAR)


def test_charging_profile_scales_shape():
    flat = trn.charging_profile(8760.0, np.ones(24))
    assert flat["mw"].tolist() == pytest.approx([1.0] * 24)  # 8,760 MWh/a flat = 1 MW
    shipped = trn.charging_profile(365.0)
    w, source = trn.charging_shape()
    assert source == "ASSUMED"
    assert shipped["mwh"].tolist() == pytest.approx(list(w))  # 1 MWh/day spread by the weights
    assert int(shipped["mw"].idxmax()) in (19, 20)  # evening peak of the shipped shape
    with pytest.raises(ActionInputError):
        trn.charging_profile(1.0, np.ones(23))
