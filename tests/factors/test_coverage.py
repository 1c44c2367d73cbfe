"""Every activity id the carbon-data-base issue names has a usable CO2 factor where it applies.

Fuels of the IPCC list must compute under GLOBAL (IPCC 2006 Vol. 2 Tables 1.2/1.4) and CN; China's
statistical fuels, grid electricity and purchased heat must compute under CN (GB/T 2589-2020,
NDRC guidelines, MEE/NBS factors).
"""

from __future__ import annotations

import pandas as pd
import pytest

from zerocity.inventory import compute_inventory

IPCC_FUELS = [
    "natural_gas",
    "motor_gasoline",
    "gas_diesel_oil",
    "residual_fuel_oil",
    "lpg",
    "jet_kerosene",
    "anthracite",
    "coking_coal",
    "other_bituminous_coal",
    "sub_bituminous_coal",
    "lignite",
    "wood_wood_waste",
    "charcoal",
]
CN_FUELS = ["raw_coal", "coke", "crude_oil", "fuel_oil", "gasoline", "kerosene", "diesel"]


def _co2(activity: str, amount: float, unit: str, gpc_ref: str, region: str) -> dict:
    frame = pd.DataFrame([{"year": 2022, "gpc_ref": gpc_ref, "activity": activity, "amount": amount, "unit": unit}])
    return compute_inventory(frame, region=region).to_dict()


@pytest.mark.parametrize("region", ["GLOBAL", "CN"])
@pytest.mark.parametrize("activity", IPCC_FUELS)
def test_ipcc_fuels_compute(activity: str, region: str) -> None:
    doc = _co2(activity, 100.0, "t", "I.3.1", region)
    co2 = doc["by_gas"].get("CO2", 0.0) + doc["biogenic_co2_t"]
    # Any fuel emits between 1 and 4 t CO2 per t burnt (carbon fractions 0.3-0.9 x 44/12).
    assert 100.0 < co2 < 400.0


@pytest.mark.parametrize("activity", CN_FUELS)
def test_china_statistical_fuels_compute(activity: str) -> None:
    doc = _co2(activity, 100.0, "t", "I.3.1", "CN")
    assert 100.0 < doc["by_gas"]["CO2"] < 400.0
    assert doc["by_gas"]["CH4"] > 0  # through the IPCC proxy of the fuel


def test_grid_electricity_and_heat_compute_in_china() -> None:
    # MEE & NBS announcement 2024 No. 33: national average 2022 = 0.5366 tCO2/MWh.
    doc = _co2("electricity_grid", 1000.0, "MWh", "I.1.2", "CN")
    assert doc["by_gas"]["CO2"] == pytest.approx(536.6, rel=1e-9)
    # NDRC public-building guideline: purchased heat 0.11 tCO2/GJ.
    doc = _co2("heat_purchased", 1000.0, "GJ", "I.2.2", "CN")
    assert doc["by_gas"]["CO2"] == pytest.approx(110.0, rel=1e-9)
