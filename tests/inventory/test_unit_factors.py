"""unit_emissions: one unit of an activity, as the inventory computes it."""

from __future__ import annotations

import pytest

from zerocity.errors import InvalidRecordsError
from zerocity.inventory.unit_factors import unit_emissions


def test_unit_emissions_match_published_factors():
    coal, grid = unit_emissions(
        [("I.3.1", "raw_coal", "t"), ("I.3.2", "electricity_grid", "MWh")], region="CN-JS", year=2024
    )
    # NCV 20.908 GJ/t (GB/T 2589-2020), 26.18 tC/TJ and 93 % oxidation (NDRC 2013 steel guideline, App. 2).
    co2 = next(t for g, t, _ in coal.gases if g == "CO2")
    assert co2 == pytest.approx(20.908e-3 * 26.18 * 0.93 * 44 / 12, rel=1e-4)
    assert coal.tco2e > co2  # CH4 and N2O add to it
    # Jiangsu 2023 provincial grid factor, MEE & NBS announcement 2025 No. 47: 0.5827 t CO2/MWh.
    assert grid.tco2e == pytest.approx(0.5827)
    assert "CN-MEENBS" in grid.factor_ids


def test_unit_emissions_errors_point_at_the_item():
    with pytest.raises(InvalidRecordsError) as info:
        unit_emissions([("I.3.1", "raw_coal", "t"), ("I.3.1", "unobtainium", "t")], region="CN", year=2024)
    assert {i.row for i in info.value.issues} == {2}
