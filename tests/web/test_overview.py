"""City overview view model against hand-worked numbers.

Records (same hand values as tests/inventory/test_export.py; IPCC 2006 Vol. 2 Tables 1.4 and 2.5, AR5):
1 TJ residential natural gas (I.1.1, scope 1) = 56.1 + 0.005 x 28 + 0.0001 x 265 = 56.2665 tCO2e;
10 MWh grid electricity (I.1.2, scope 2) at an explicit 0.5 t/MWh = 5 tCO2e; 2023: 2 TJ natural gas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zerocity.inventory import compute_inventory
from zerocity.web.overview import city_overview, district_table, energy_flows

GAS_TJ = 56.1 + 0.005 * 28 + 0.0001 * 265


@pytest.fixture(scope="module")
def result():
    records = pd.DataFrame(
        [
            dict(year=2022, gpc_ref="I.1.1", activity="natural_gas", amount=1, unit="TJ", district="A"),
            dict(
                year=2022,
                gpc_ref="I.1.2",
                activity="electricity_grid",
                amount=10,
                unit="MWh",
                ef_co2=0.5,
                ef_unit="t/MWh",
                district="B",
            ),
            dict(year=2023, gpc_ref="I.1.1", activity="natural_gas", amount=2, unit="TJ", district="A"),
        ]
    )
    return compute_inventory(records, gwp="AR5", region="GLOBAL")


def test_overview_numbers(result) -> None:
    stats = pd.DataFrame({"year": [2022, 2023], "population": [1000, 1000], "gdp": [50.0, 60.0]})
    target = pd.DataFrame({"year": [2022, 2030], "value": [60.0, 30.0]})
    view = city_overview(result, stats, 2022, target=target)
    total = GAS_TJ + 5.0
    assert view["total_tco2e"] == pytest.approx(total)
    assert view["tco2e_per_capita"] == pytest.approx(total / 1000)
    assert view["tco2e_per_10k_yuan"] == pytest.approx(total / 50.0)
    assert [(r["year"], r["value"]) for r in view["trend"]] == [
        (2022, pytest.approx(total)),
        (2023, pytest.approx(2 * GAS_TJ)),
    ]
    scopes = {r["scope"]: r["tco2e"] for r in view["by_sector_scope"]}
    assert scopes == {1: pytest.approx(GAS_TJ), 2: pytest.approx(5.0)}
    # the trend figure carries the inventory line and the target path
    trend = view["figures"]["trend"].data
    assert list(trend[1].x) == [2022, 2030]
    with pytest.raises(ValueError, match="2031"):
        city_overview(result, stats, 2031)


def test_sankey_flows_and_districts(result) -> None:
    flows = energy_flows(result, 2022)
    assert flows["tco2e"].sum() == pytest.approx(GAS_TJ + 5.0)
    assert set(zip(flows["carrier"], flows["sector"], flows["scope"], strict=True)) == {
        ("natural_gas", "I.1", 1),
        ("electricity_grid", "I.1", 2),
    }
    d = district_table(result, 2022, {"A": 0.6, "B": 0.4}, 1000).set_index("district")
    assert d.at["A", "tco2e"] == pytest.approx(GAS_TJ)
    assert d.at["B", "tco2e_per_capita"] == pytest.approx(5.0 / 400)
    assert not np.isnan(d["tco2e_per_capita"]).any()
