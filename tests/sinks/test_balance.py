"""Net balance: hand-worked districts, classes at their thresholds, trend, alternatives, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from zerocity.sinks.balance import CITY, BalanceError, Thresholds, classify_balance, net_balance


def test_balance_by_hand():
    emissions = pd.DataFrame(
        {
            "year": [2023, 2023, 2024, 2024, 2024],
            "district": ["a", "b", "a", "b", ""],
            "tco2e": [100.0, 50.0, 90.0, 40.0, 10.0],
        }
    )
    land = pd.DataFrame(
        {"year": [2023, 2023, 2024, 2024], "district": ["a", "b", "a", "b"], "tco2e": [-20.0, -60.0, -30.0, -38.0]}
    )
    trees = pd.DataFrame({"year": [2024, 2024], "district": ["a", "b"], "tco2e": [-5.0, 4.0]})  # b: a loss
    casa = pd.DataFrame({"year": [2024], "district": ["a"], "tco2e": [-999.0]})
    res = net_balance(emissions, {"landuse": land, "trees": trees}, alternatives={"casa": casa})
    t = res.table.set_index(["district", "year"])
    # a 2024: gross 90, removals 30 + 5, net 55, offset 35/90.
    assert t.loc[("a", 2024), "net_tco2e"] == pytest.approx(55.0)
    assert t.loc[("a", 2024), "offset_share"] == pytest.approx(35 / 90)
    assert t.loc[("a", 2024), "class"] == "net emitter"
    # b 2023: gross 50, removals 60 -> net -10, negative carbon.
    assert t.loc[("b", 2023), "class"] == "negative carbon"
    # b 2024: gross 40 + sink emission 4 = 44 sources, removals 38: offset 0.8636 -> near-zero (>= 0.70).
    assert t.loc[("b", 2024), "offset_share"] == pytest.approx(38 / 44)
    assert t.loc[("b", 2024), "class"] == "near-zero carbon"
    assert t.loc[(CITY, 2024), "gross_tco2e"] == pytest.approx(10.0)
    city = res.city.set_index("year")
    assert city.loc[2024, "gross_tco2e"] == pytest.approx(140.0)
    assert city.loc[2024, "removals_tco2e"] == pytest.approx(73.0)
    assert city.loc[2024, "net_tco2e"] == pytest.approx(140 + 4 - 73)
    trend = res.trend.set_index("district")["removals_slope"]
    assert trend["a"] == pytest.approx(35 - 20)  # two years: the slope is the difference
    # Alternatives are reported, not counted.
    assert res.alternatives["removals_tco2e"].tolist() == [999.0]
    assert "casa" not in res.sources


def test_classes_at_their_thresholds():
    net = np.array([-1.0, 0.0, 5.0, 30.0, 31.0])
    share = np.array([1.01, 1.0, 0.95, 0.70, 0.69])
    assert classify_balance(net, share).tolist() == [
        "negative carbon",
        "zero carbon",
        "zero carbon",
        "near-zero carbon",
        "net emitter",
    ]
    assert classify_balance(net, share, Thresholds(zero=0.99, near_zero=0.9)).tolist()[2] == "near-zero carbon"
    with pytest.raises(BalanceError):
        Thresholds(zero=0.5, near_zero=0.8)


def test_bad_inputs_are_named():
    with pytest.raises(BalanceError, match="emissions: missing columns"):
        net_balance(pd.DataFrame({"year": [2024]}), {})
    with pytest.raises(BalanceError, match="sinks trees: year and tco2e must be numbers"):
        net_balance(
            pd.DataFrame({"year": [2024], "district": ["a"], "tco2e": [1.0]}),
            {"trees": pd.DataFrame({"year": [2024], "district": ["a"], "tco2e": ["x"]})},
        )


def test_cli_balance_files_and_demo(tmp_path):
    import json

    from typer.testing import CliRunner

    from zerocity.cli import app

    pd.DataFrame({"year": [2024, 2024], "district": ["a", "b"], "tco2e": [100.0, 10.0]}).to_csv(
        tmp_path / "em.csv", index=False
    )
    pd.DataFrame({"year": [2024, 2024], "district": ["a", "b"], "tco2e": [-20.0, -12.0]}).to_csv(
        tmp_path / "forest.csv", index=False
    )
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["sinks", "balance", "--emissions", str(tmp_path / "em.csv"), "--sink", str(tmp_path / "forest.csv"), "--json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    by = {r["district"]: r for r in doc["districts"]}
    assert by["a"]["net_tco2e"] == pytest.approx(80.0)
    assert by["b"]["class"] == "negative carbon"
    assert doc["sinks_counted"] == ["forest"]
    result = runner.invoke(app, ["sinks", "balance", "--demo", "--json"])
    assert result.exit_code == 0, result.output
    demo = json.loads(result.stdout)
    city = {r["year"]: r for r in demo["city"]}
    # Gross emissions of the city equal Demo City's BASIC+ inventory in 2024 (82.05 Mt, docs/demo-city.md).
    assert city[2024]["gross_tco2e"] == pytest.approx(82.05e6, rel=1e-3)
    assert city[2024]["removals_tco2e"] > 0
    assert len({r["district"] for r in demo["districts"]}) == 11  # 10 districts and the city-wide rows
    result = runner.invoke(app, ["sinks", "balance"])
    assert result.exit_code == 2
