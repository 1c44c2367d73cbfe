"""zerocity.actions.datacentre against hand calculations.

Grid factor for CN-JS 2024: 0.5827 t CO2/MWh (MEE & NBS announcement 2025 No. 47, Jiangsu 2023,
the library's nearest year). PUE targets: MIIT 2021 three-year action plan (new large and above
below 1.3 by end-2023; 1.25 in severe-cold and cold regions; 1.35 by end-2021), NDRC et al. 2021
(1.3) and 2024 (national average 1.5).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from zerocity.actions import datacentre as dcm
from zerocity.actions.buildings import ActionInputError

DATA = Path(__file__).resolve().parents[1] / "data" / "actions"


def test_energy_split_green_share_and_emissions_by_hand():
    dc = dcm.DataCentre(it_load_kw=1000, pue=1.4, green_share=0.25, region="CN-JS", year=2024)
    r = dcm.assess(dc)
    assert r.it_mwh == pytest.approx(8760.0)  # 1 MW x 8,760 h
    assert r.facility_mwh == pytest.approx(12_264.0)  # x 1.4
    assert r.cooling_mwh == pytest.approx(0.7 * 3504.0)  # ASSUMED cooling share 0.7 of the overhead
    assert r.power_loss_mwh == pytest.approx(0.3 * 3504.0)
    assert r.grid_mwh == pytest.approx(0.75 * 12_264.0)  # 9,198 MWh
    assert r.tco2e == pytest.approx(9198.0 * 0.5827)  # 5,359.7 t
    assert "CN-MEENBS" in r.factor_ids
    given = dcm.assess(dc, grid_factor_t_per_mwh=0.5)
    assert given.tco2e == pytest.approx(4599.0)


def test_pue_from_measured_loads():
    dc = dcm.DataCentre(it_load_kw=1000, cooling_kw=300, power_loss_kw=80, other_kw=20, region="CN-JS")
    r = dcm.assess(dc, grid_factor_t_per_mwh=0.5)
    assert r.pue == pytest.approx(1.4)  # (1000 + 300 + 80 + 20) / 1000
    assert r.cooling_mwh == pytest.approx(300 * 8.76)
    assert r.power_loss_mwh == pytest.approx(80 * 8.76)
    assert r.other_mwh == pytest.approx(20 * 8.76)
    assert r.split_source == "measured loads"


def test_pue_targets_scope_and_boundary():
    checks = {
        c.id: c for c in dcm.check_pue(dcm.DataCentre(it_load_kw=1000, pue=1.4, new=True, size="large", zone="cold"))
    }
    assert checks["miit_2021_new_large_2023"].applies and not checks["miit_2021_new_large_2023"].meets
    assert checks["miit_2021_new_large_2023"].margin == pytest.approx(-0.1)
    assert checks["miit_2021_new_large_cold_2023"].applies  # cold region
    assert checks["ndrc_2024_national_average_2025"].meets  # 1.4 <= 1.5
    existing = {c.id: c for c in dcm.check_pue(dcm.DataCentre(it_load_kw=1000, pue=1.4, size="large"))}
    assert not existing["miit_2021_new_large_2023"].applies
    warm = {
        c.id: c
        for c in dcm.check_pue(
            dcm.DataCentre(it_load_kw=1000, pue=1.3, new=True, size="very_large", zone="hot_summer_warm_winter")
        )
    }
    assert not warm["miit_2021_new_large_cold_2023"].applies
    assert warm["miit_2021_new_large_2023"].meets  # "1.3以下" includes 1.3


def test_bad_inputs():
    with pytest.raises(ValidationError, match="not both"):
        dcm.DataCentre(it_load_kw=1000, pue=1.4, cooling_kw=300, power_loss_kw=80)
    with pytest.raises(ValidationError):
        dcm.DataCentre(it_load_kw=0, pue=1.4)
    with pytest.raises(ValidationError):
        dcm.DataCentre(it_load_kw=100, pue=0.9)


def test_improvement_scenario_by_hand():
    path = dcm.load_scenario(DATA / "dc_scenario.yaml")
    t = dcm.improvement_scenario(path).set_index("year")
    assert t.loc[2024, "tco2e"] == pytest.approx(8760 * 1.5 * 0.6)  # 7,884 t
    assert t.loc[2026, "grid_mwh"] == pytest.approx(8760 * 1.3 * 0.5)  # 5,694 MWh
    assert t.loc[2026, "tco2e"] == pytest.approx(5694 * 0.5)  # 2,847 t
    assert t.loc[2026, "baseline_tco2e"] == pytest.approx(8760 * 1.5 * 0.5)  # first-year PUE, 2026 grid
    assert t.loc[2026, "avoided_tco2e"] == pytest.approx(6570 - 2847)
    assert not t.loc[2024, "meets_applicable_targets"] and t.loc[2026, "meets_applicable_targets"]


def test_scenario_file_errors_name_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("datacentre: {it_load_kw: 10, pue: 1.2}\nyears: [2024, 2025]\npue: [1.2]\ngreen_share: [0, 0]\n")
    with pytest.raises(ActionInputError, match="pue has 1 values for 2 years"):
        dcm.load_scenario(bad)
