"""Urban tree carbon (zerocity.sinks.trees): allometry by hand, sequestration, Monte Carlo, input, CLI, demo.

Hand calculations use the published coefficients written out here:
Chave et al. 2014 Eq. 4: AGB = 0.0673 (rho D^2 H)^0.976 [kg]; urban factor 0.8 (Nowak 1994);
root:shoot 0.26 (Cairns et al. 1997, as in Nowak & Crane 2002); carbon fraction 0.47 (IPCC 2006 Vol. 4
Table 4.3); diameter growth 0.61 cm/yr, poor condition x0.76 (Nowak et al. 2008); CO2/C = 44/12.
Wood densities: Cinnamomum camphora 0.47 (GWDD), Platanus 0.46 and Salix 0.36 (USDA Wood Handbook
FPL-GTR-190 Table 5-3a, specific gravity at green volume).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from zerocity.cli_sinks_trees import trees_command
from zerocity.errors import InvalidRecordsError
from zerocity.sinks.trees import chave2014_agb, load_params, load_wood_density, tree_carbon, validate_trees

REL = 1e-9  # same arithmetic in another order
HAND = 2e-4  # figures rounded by hand to 4-5 significant digits


def _agb_urban(rho: float, d: float, h: float) -> float:
    return 0.8 * 0.0673 * (rho * d * d * h) ** 0.976


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)  # validate_trees takes typed frames too (NaN = blank)


def test_chave_eq4_by_hand() -> None:
    # camphor tree D=30 cm, H=15 m, rho=0.47: rho D^2 H = 0.47*900*15 = 6345;
    # ln 6345 = 8.75542; *0.976 = 8.54529; exp = 5142.6; *0.0673 = 346.1 kg
    assert chave2014_agb(30.0, 15.0, 0.47) == pytest.approx(346.1, rel=HAND * 2)
    # willow D=40, H=12, rho=0.36: 0.36*1600*12 = 6912; 6912^0.976 = exp(0.976*8.84087) = exp(8.62869) = 5590.0
    # *0.0673 = 376.2 kg
    assert chave2014_agb(40.0, 12.0, 0.36) == pytest.approx(376.2, rel=HAND * 2)


def test_shipped_parameters_are_the_published_ones() -> None:
    p = load_params()
    assert (p.agb.a, p.agb.b, p.agb.rse_ln) == (0.0673, 0.976, 0.357)
    assert (p.urban_factor.value, p.root_shoot.value, p.carbon_fraction.value) == (0.8, 0.26, 0.47)
    assert p.growth.dbh_cm_per_year == 0.61 and p.growth.condition_factor["poor"] == 0.76
    wd = load_wood_density().set_index("taxon")
    assert wd.loc["Platanus", "wood_density_g_cm3"] == 0.46 and wd.loc["Salix", "wood_density_g_cm3"] == 0.36
    assert wd["source"].str.len().min() > 20


def test_stock_of_three_trees_by_hand() -> None:
    trees = validate_trees(
        _frame(
            [
                {"tree_id": "a", "district": "d1", "species": "Cinnamomum camphora", "dbh_cm": 30, "height_m": 15},
                {"tree_id": "b", "district": "d1", "species": "Salix babylonica", "dbh_cm": 40, "height_m": 12},
                {
                    "tree_id": "c",
                    "district": "d2",
                    "species_group": "x",
                    "wood_density": 0.5,
                    "dbh_cm": 20,
                    "height_m": 10,
                    "species": "",
                },
            ]
        )
    )
    r = tree_carbon(trees, runs=0)
    t = r.trees.set_index("tree_id")
    # tree a: AGB = 0.8 * 346.1 = 276.9 kg; BGB = 0.26 * 276.9 = 72.0; C = 0.47 * 348.9 = 164.0 kg; CO2 = 601.2 kg
    assert t.loc["a", "agb_kg"] == pytest.approx(276.9, rel=HAND * 2)
    assert t.loc["a", "bgb_kg"] == pytest.approx(72.0, rel=HAND * 5)
    assert t.loc["a", "carbon_kg"] == pytest.approx(164.0, rel=HAND * 5)
    assert t.loc["a", "co2_kg"] == pytest.approx(601.2, rel=HAND * 5)
    # tree b (willow, genus Salix -> 0.36): AGB = 0.8 * 376.2 = 301.0 kg
    assert t.loc["b", "agb_kg"] == pytest.approx(301.0, rel=HAND * 2)
    assert t.loc["c", "agb_kg"] == pytest.approx(_agb_urban(0.5, 20, 10), rel=REL)
    d1 = r.districts.set_index("district").loc["d1", "stock_tco2"]
    expected = sum(_agb_urban(rho, d, h) for rho, d, h in ((0.47, 30, 15), (0.36, 40, 12))) * 1.26 * 0.47 * 44 / 12
    assert d1 == pytest.approx(expected / 1000.0, rel=REL)


def test_sequestration_by_hand_with_fitted_height() -> None:
    # five plane trees on H = 2 sqrt(D) exactly -> fitted ln H = ln 2 + 0.5 ln D; sixth tree without height.
    rows = [
        {"tree_id": f"p{d}", "district": "d", "species": "Platanus x acerifolia", "dbh_cm": d, "height_m": 2 * d**0.5}
        for d in (16, 25, 36, 49, 64)
    ]
    rows.append({"tree_id": "p81", "district": "d", "species": "Platanus x acerifolia", "dbh_cm": 81, "height_m": ""})
    rows.append(
        {"tree_id": "poor", "district": "d", "species": "Platanus", "dbh_cm": 25, "height_m": 10, "condition": "poor"}
    )
    r = tree_carbon(validate_trees(_frame(rows)), runs=0).trees.set_index("tree_id")
    assert r.loc["p81", "height_m"] == pytest.approx(18.0, rel=1e-9)  # 2 * sqrt(81)
    assert bool(r.loc["p81", "height_modelled"])
    # p25: D 25 -> 25.61, H 10 -> 10 * sqrt(25.61/25) = 10.12126
    h2 = 10 * math.sqrt(25.61 / 25)
    assert h2 == pytest.approx(10.12126, abs=1e-5)
    seq = (_agb_urban(0.46, 25.61, h2) - _agb_urban(0.46, 25, 10)) * 1.26 * 0.47 * 44 / 12
    assert r.loc["p25", "seq_co2_kg_yr"] == pytest.approx(seq, rel=1e-9)
    # by hand: AGB(25,10) = 0.05384 * 2875^0.976 = 0.05384 * 2374.8 = 127.86 kg;
    # AGB' = 0.05384 * (0.46 * 655.87 * 10.1213)^0.976 = 0.05384 * 3053.6^0.976 = 0.05384 * 2518.7 = 135.61 kg;
    # dAGB = 7.75 kg -> 7.75 * 1.26 * 0.47 * 3.6667 = 16.82 kg CO2 per year
    assert r.loc["p25", "seq_co2_kg_yr"] == pytest.approx(16.82, rel=1e-3)
    # poor condition: growth 0.61 * 0.76 = 0.4636 cm/yr
    assert r.loc["poor", "dbh_growth_cm_yr"] == pytest.approx(0.4636, rel=1e-12)


def test_user_growth_rate_and_dead_tree() -> None:
    rows = [
        {"tree_id": "g", "district": "d", "species": "Salix", "dbh_cm": 30, "height_m": 12, "dbh_growth_cm_yr": 1.0},
        {"tree_id": "x", "district": "d", "species": "Salix", "dbh_cm": 30, "height_m": 12, "condition": "dead"},
    ]
    r = tree_carbon(validate_trees(_frame(rows)), runs=0, e=0.0).trees.set_index("tree_id")
    assert r.loc["g", "dbh_growth_cm_yr"] == 1.0
    assert r.loc["x", "seq_co2_kg_yr"] == 0.0


def _many(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return validate_trees(
        _frame(
            [
                {
                    "tree_id": i,
                    "district": "d",
                    "species": "Ginkgo biloba",
                    "dbh_cm": round(float(d), 1),
                    "height_m": 10,
                }
                for i, d in enumerate(rng.uniform(10, 40, n))
            ]
        )
    )


def test_monte_carlo_interval_contains_central_value_and_narrows_with_trees() -> None:
    small, big = tree_carbon(_many(4), runs=400, seed=3).city, tree_carbon(_many(400), runs=400, seed=3).city
    for c in (small, big):
        assert c["stock_tco2_p2_5"] < c["stock_tco2"] < c["stock_tco2_p97_5"]
        assert c["seq_tco2_yr_p2_5"] < c["seq_tco2_yr"] < c["seq_tco2_yr_p97_5"]

    def rel_width(c: dict[str, float]) -> float:
        return (c["stock_tco2_p97_5"] - c["stock_tco2_p2_5"]) / c["stock_tco2"]

    # per-tree model error (sigma 0.357) averages out over trees; shared errors (density, root:shoot, C) remain
    assert rel_width(big) < 0.75 * rel_width(small)


def test_monte_carlo_interval_converges_with_runs() -> None:
    trees = _many(50)
    few = [tree_carbon(trees, runs=40, seed=s).city["stock_tco2_p97_5"] for s in (1, 2, 3, 4)]
    many = [tree_carbon(trees, runs=1500, seed=s).city["stock_tco2_p97_5"] for s in (1, 2, 3, 4)]
    assert np.std(many) < np.std(few)


def test_bad_input_reports_row_and_column() -> None:
    frame = _frame(
        [
            {"tree_id": "a", "district": "d", "species": "Cinnamomum camphora", "dbh_cm": -3, "condition": "good"},
            {"tree_id": "a", "district": "", "species": "Quercus robur", "dbh_cm": "x", "condition": "sick"},
        ]
    )
    with pytest.raises(InvalidRecordsError) as info:
        validate_trees(frame, source="t.csv")
    found = {(i.row, i.column) for i in info.value.issues}
    assert found == {(1, "dbh_cm"), (2, "dbh_cm"), (2, "district"), (2, "tree_id"), (2, "condition"), (2, "species")}
    with pytest.raises(InvalidRecordsError) as info:
        validate_trees(pd.DataFrame({"tree_id": ["a"], "dbh_cm": ["3"]}))
    assert {(i.row, i.column) for i in info.value.issues} == {(0, "district"), (0, "species")}


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("x")(trees_command)
    app.command("y")(lambda: None)
    return app


def test_cli_json_and_balance(tmp_path: Path) -> None:
    path = tmp_path / "trees.csv"
    path.write_text(
        "tree_id,district,species,dbh_cm,height_m\n1,d1,Cinnamomum camphora,30,15\n2,d2,Salix,40,12\n", encoding="utf-8"
    )
    res = CliRunner().invoke(_app(), ["x", str(path), "--runs", "50", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["city"]["stock_tco2"] == pytest.approx(0.6012 + 301.0 * 1.26 * 0.47 * 44 / 12 / 1000, rel=1e-3)
    bal = pd.DataFrame(data["balance"])
    assert set(bal["gpc_ref"]) == {"V.2"} and set(bal["gas"]) == {"CO2"}
    assert (bal["tonnes"] < 0).all() and np.allclose(bal["tonnes"], bal["tco2e"])
    assert bal["tonnes"].sum() == pytest.approx(-data["city"]["seq_tco2_yr"], rel=1e-9)


def test_cli_bad_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("tree_id,district,species,dbh_cm\n1,d1,Cinnamomum camphora,0\n", encoding="utf-8")
    res = CliRunner().invoke(_app(), ["x", str(path)])
    assert res.exit_code == 2
    assert "row 1, column 'dbh_cm'" in res.output


def test_demo_runs() -> None:
    from zerocity.demo import build_demo_city
    from zerocity.demo.trees import DEFAULT_TREES, demo_trees

    city = build_demo_city()
    frame = demo_trees(city)
    assert len(frame) == DEFAULT_TREES
    assert set(frame["district"]) <= set(city.land["district"].astype(str))
    assert frame.equals(demo_trees(city))
    r = tree_carbon(validate_trees(frame), runs=20)
    assert r.city["trees"] == DEFAULT_TREES and r.city["stock_tco2"] > 0 and r.city["seq_tco2_yr"] > 0
    assert len(r.balance(2024)) == city.land["district"].nunique()
