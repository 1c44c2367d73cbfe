"""LMDI-I decomposition: a hand-worked example, properties, zeros, bad input, Demo City Kaya, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from zerocity.brain import KAYA_FACTORS, LmdiError, Mode, decompose, kaya, logmean
from zerocity.cli_brain import brain_app, demo_kaya_frame
from zerocity.errors import InvalidRecordsError

#: Closure of sums/products is exact up to floating-point rounding of a handful of terms.
CLOSE = 1e-12


def _example() -> pd.DataFrame:
    """Two sectors, three factors (activity Q, structure S, intensity I); E_i = Q * S_i * I_i.

    year 0: Q=100, A: S=0.6 I=2 -> 120, B: S=0.4 I=5 -> 200; V^0 = 320
    year 1: Q=150, A: S=0.7 I=1.5 -> 157.5, B: S=0.3 I=4 -> 180; V^T = 337.5
    """
    frame = pd.DataFrame(
        {
            "year": [0, 0, 1, 1],
            "sector": ["A", "B", "A", "B"],
            "Q": [100.0, 100.0, 150.0, 150.0],
            "S": [0.6, 0.4, 0.7, 0.3],
            "I": [2.0, 5.0, 1.5, 4.0],
        }
    )
    return frame.assign(E=frame.Q * frame.S * frame.I)


def _hand_worked() -> dict[str, float]:
    """Ang (2015) LMDI-I formulas written out for the example, independent of the module."""
    la = (157.5 - 120) / math.log(157.5 / 120)  # L(V_A^T, V_A^0) = 137.901...
    lb = (180 - 200) / math.log(180 / 200)  # L(V_B^T, V_B^0) = 189.824...
    return {
        "Q": (la + lb) * math.log(150 / 100),
        "S": la * math.log(0.7 / 0.6) + lb * math.log(0.3 / 0.4),
        "I": la * math.log(1.5 / 2) + lb * math.log(4 / 5),
    }


def test_logmean() -> None:
    np.testing.assert_allclose(logmean([2.0, 3.0, 0.0], [1.0, 3.0, 1.0]), [1 / math.log(2), 3.0, 0.0])
    assert float(logmean(5.0, 2.0)) == pytest.approx(float(logmean(2.0, 5.0)))


def test_hand_worked_additive() -> None:
    result = decompose(_example(), value="E", factors=["Q", "S", "I"], sectors=["sector"])
    expected = _hand_worked()
    # Pinned values (computed by hand with the formulas above): 132.8813, -33.3515, -82.0298.
    assert expected["Q"] == pytest.approx(132.8813299981824, rel=1e-12)
    for k, v in expected.items():
        assert result.effects[k] == pytest.approx(v, rel=CLOSE)
    assert result.effects["total"] == pytest.approx(337.5 - 320, rel=CLOSE)
    assert result.total_change == pytest.approx(17.5)


def test_hand_worked_multiplicative() -> None:
    result = decompose(_example(), value="E", factors=["Q", "S", "I"], sectors=["sector"], mode="multiplicative")
    big_l = (337.5 - 320) / math.log(337.5 / 320)  # L(V^T, V^0)
    for k, v in _hand_worked().items():
        assert result.effects[k] == pytest.approx(math.exp(v / big_l), rel=CLOSE)
    assert result.effects[["Q", "S", "I"]].prod() == pytest.approx(337.5 / 320, rel=CLOSE)
    assert result.effects["Q"] == pytest.approx(1.4982492378733419, rel=1e-12)


def test_per_sector_effects_sum_to_sector_change() -> None:
    result = decompose(_example(), value="E", factors=["Q", "S", "I"], sectors=["sector"])
    by = result.by_sector().set_index("sector")
    assert by.loc["A", "total"] == pytest.approx(157.5 - 120, rel=CLOSE)
    assert by.loc["B", "total"] == pytest.approx(180 - 200, rel=CLOSE)
    assert by[["Q", "S", "I"]].sum().to_numpy() == pytest.approx(result.effects[["Q", "S", "I"]].to_numpy())


def _random_panel(seed: int = 7, years: int = 6, sectors: int = 3, subsectors: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.MultiIndex.from_product(
        [range(2010, 2010 + years), [f"S{i}" for i in range(sectors)], [f"s{j}" for j in range(subsectors)]],
        names=["year", "sector", "subsector"],
    )
    frame = index.to_frame(index=False)
    for f in ("a", "b", "c", "d"):
        frame[f] = rng.uniform(0.5, 3.0, len(frame))
    frame["v"] = frame[["a", "b", "c", "d"]].prod(axis=1)
    return frame


@pytest.mark.parametrize("chain", [False, True])
def test_additive_closes_exactly(chain: bool) -> None:
    panel = _random_panel()
    result = decompose(panel, value="v", factors="abcd", sectors=["sector", "subsector"], chain=chain)
    v = panel.groupby("year")["v"].sum()
    assert result.effects["total"] == pytest.approx(v.iloc[-1] - v.iloc[0], rel=CLOSE)
    assert result.effects[list("abcd")].sum() == pytest.approx(v.iloc[-1] - v.iloc[0], rel=CLOSE)


@pytest.mark.parametrize("chain", [False, True])
def test_multiplicative_closes_exactly(chain: bool) -> None:
    panel = _random_panel()
    result = decompose(panel, value="v", factors="abcd", sectors=["sector", "subsector"], mode=Mode.MULTIPLICATIVE,
                       chain=chain)  # fmt: skip
    v = panel.groupby("year")["v"].sum()
    assert result.effects[list("abcd")].prod() == pytest.approx(v.iloc[-1] / v.iloc[0], rel=CLOSE)
    if chain:
        assert result.steps[list("abcd")].prod().to_numpy() == pytest.approx(result.effects[list("abcd")].to_numpy())


def test_chained_is_sum_of_steps_and_signs_agree() -> None:
    # Monotone single-aggregate series: every factor moves one way every year.
    years = np.arange(2010, 2016)
    frame = pd.DataFrame(
        {"year": years, "p": 1.02 ** (years - 2010), "q": 0.95 ** (years - 2010), "r": 1.0 + 0 * years}
    )
    frame["v"] = frame.p * frame.q * frame.r
    chained = decompose(frame, value="v", factors=["p", "q", "r"], chain=True)
    direct = decompose(frame, value="v", factors=["p", "q", "r"])
    assert len(chained.steps) == 5
    assert chained.steps[["p", "q", "r"]].sum().to_numpy() == pytest.approx(chained.effects[["p", "q", "r"]].to_numpy())
    assert np.sign(chained.effects[["p", "q"]]).tolist() == np.sign(direct.effects[["p", "q"]]).tolist() == [1, -1]
    assert chained.effects["r"] == 0.0


def test_hierarchical_two_level_consistent() -> None:
    panel = _random_panel()
    result = decompose(panel, value="v", factors="abcd", sectors=["sector", "subsector"])
    leaf = result.by_sector()
    top = result.by_sector(1).set_index("sector")
    agg = leaf.groupby("sector")[list("abcd")].sum()
    np.testing.assert_allclose(top[list("abcd")].to_numpy(), agg.to_numpy(), rtol=CLOSE)
    # Sector totals are the sector changes; the flat decomposition over leaves gives the same effects.
    first, last = panel.year.min(), panel.year.max()
    change = panel[panel.year == last].groupby("sector").v.sum() - panel[panel.year == first].groupby("sector").v.sum()
    np.testing.assert_allclose(top["total"].to_numpy(), change.to_numpy(), rtol=1e-10)
    flat = decompose(panel.assign(leaf=panel.sector + "/" + panel.subsector), value="v", factors="abcd",
                     sectors=["leaf"])  # fmt: skip
    np.testing.assert_allclose(flat.effects.to_numpy(), result.effects.to_numpy(), rtol=CLOSE)
    assert set(result.to_dict()["by_sector"]) == {"sector", "sector+subsector"}


def _appearing(start_share: float) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "year": [0, 0, 1, 1],
            "sector": ["A", "B", "A", "B"],
            "Q": [100.0, 100.0, 120.0, 120.0],
            "S": [1.0, start_share, 0.8, 0.2],
            "I": [2.0, 5.0, 2.0, 5.0],
        }
    )
    return frame.assign(E=frame.Q * frame.S * frame.I)


def test_zero_sector_appearing_uses_analytical_limit() -> None:
    result = decompose(_appearing(0.0), value="E", factors=["Q", "S", "I"], sectors=["sector"])
    b = result.by_sector().set_index("sector").loc["B"]
    # Ang & Liu (2007): the whole new value 120*0.2*5 = 120 is a structure (S) effect; Q and I give 0.
    assert b["S"] == pytest.approx(120.0) and b["Q"] == 0.0 and b["I"] == 0.0
    assert result.effects["total"] == pytest.approx((192 + 120) - 200, rel=CLOSE)
    assert np.isfinite(result.effects.to_numpy()).all()


def test_zero_small_value_strategy_converges_to_limit() -> None:
    limit = decompose(_appearing(0.0), value="E", factors=["Q", "S", "I"], sectors=["sector"]).effects
    errors = [
        abs(decompose(_appearing(0.0), value="E", factors=["Q", "S", "I"], sectors=["sector"], epsilon=eps).effects["S"]
            - limit["S"])
        for eps in (1e-10, 1e-20, 1e-100)
    ]  # fmt: skip
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-2 * abs(limit["S"])


def test_zero_sector_disappearing_and_missing_row() -> None:
    frame = _appearing(0.0)
    reverse = frame.assign(year=1 - frame.year)  # B disappears from year 0 to year 1
    result = decompose(reverse, value="E", factors=["Q", "S", "I"], sectors=["sector"])
    b = result.by_sector().set_index("sector").loc["B"]
    assert b["S"] == pytest.approx(-120.0) and b["total"] == pytest.approx(-120.0)
    # A missing row counts as all factors zero: the value is shared equally by the factors.
    missing = frame[~((frame.year == 0) & (frame.sector == "B"))]
    m = decompose(missing, value="E", factors=["Q", "S", "I"], sectors=["sector"]).by_sector().set_index("sector")
    assert m.loc["B", ["Q", "S", "I"]].tolist() == pytest.approx([40.0, 40.0, 40.0])
    # A sector zero in both periods contributes nothing.
    both = pd.concat([frame, pd.DataFrame({"year": [0, 1], "sector": ["C", "C"], "Q": [100.0, 120.0],
                                           "S": [0.0, 0.0], "I": [1.0, 1.0], "E": [0.0, 0.0]})])  # fmt: skip
    c = decompose(both, value="E", factors=["Q", "S", "I"], sectors=["sector"]).by_sector().set_index("sector")
    assert c.loc["C", "total"] == 0.0


def test_product_mismatch_names_every_row() -> None:
    frame = _example()
    frame.loc[1, "E"] = 201.0  # 100*0.4*5 = 200
    frame.loc[3, "E"] = 180.0 * (1 + 1e-9)  # within rtol: accepted
    frame.loc[2, "E"] = 0.0
    with pytest.raises(InvalidRecordsError) as info:
        decompose(frame, value="E", factors=["Q", "S", "I"], sectors=["sector"])
    issues = info.value.issues
    assert [(i.row, i.column) for i in issues] == [(2, "E"), (3, "E")]
    assert "product of Q*S*I = 200" in issues[0].message
    decompose(frame.assign(E=frame.E.where(frame.index != 1, 200.0).where(frame.index != 2, 157.5)), value="E",
              factors=["Q", "S", "I"], sectors=["sector"])  # fmt: skip


def test_bad_cells_and_keys() -> None:
    frame = _example().astype({"Q": object})
    frame.loc[0, "Q"] = "n/a"
    frame.loc[3, "I"] = -4.0
    frame = pd.concat([frame, frame.iloc[[2]]], ignore_index=True)
    with pytest.raises(InvalidRecordsError) as info:
        decompose(frame, value="E", factors=["Q", "S", "I"], sectors=["sector"])
    found = {(i.row, i.column, i.message.split(":")[0].split(" ")[0]) for i in info.value.issues}
    assert (1, "Q", "not") in found and (4, "I", "negative") in found and (5, "year", "duplicate") in found


def test_setup_errors() -> None:
    with pytest.raises(LmdiError, match="missing column"):
        decompose(_example(), value="E", factors=["Q", "X"], sectors=["sector"])
    with pytest.raises(LmdiError, match="two periods"):
        decompose(_example().query("year == 0"), value="E", factors=["Q", "S", "I"], sectors=["sector"])


def test_waterfall_and_to_dict() -> None:
    result = decompose(_example(), value="E", factors=["Q", "S", "I"], sectors=["sector"])
    water = result.waterfall()
    assert water.step.tolist() == ["start", "Q", "S", "I", "end"]
    assert water.level.iloc[-2] == pytest.approx(337.5, rel=CLOSE)
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["mode"] == "additive" and doc["start_value"] == pytest.approx(320.0)
    assert doc["effects"]["total"] == pytest.approx(17.5)


def test_demo_city_kaya_2010_2024() -> None:
    frame = demo_kaya_frame()
    assert (frame.year.min(), frame.year.max()) == (2010, 2024)
    change = frame.emissions.iloc[-1] - frame.emissions.iloc[0]
    for chain in (False, True):
        result = kaya(frame, chain=chain)
        assert result.effects[list(KAYA_FACTORS)].sum() == pytest.approx(change, rel=1e-10)
        # GDP per person grew and energy per GDP fell in the Demo City calibration.
        assert result.effects["affluence"] > 0 > result.effects["energy_intensity"]
    multi = kaya(frame, mode="multiplicative")
    ratio = frame.emissions.iloc[-1] / frame.emissions.iloc[0]
    assert multi.effects[list(KAYA_FACTORS)].prod() == pytest.approx(ratio, rel=1e-10)


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(brain_app, name="brain")
    return app


def test_cli_lmdi_json_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "panel.csv"
    _example().to_csv(path, index=False)
    runner = CliRunner()
    res = runner.invoke(_cli(), ["brain", "lmdi", str(path), "--value", "E", "--factors", "Q,S,I", "--sectors",
                                 "sector", "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["effects"]["Q"] == pytest.approx(_hand_worked()["Q"])
    res = runner.invoke(_cli(), ["brain", "lmdi", str(path), "--value", "E", "--factors", "Q,S", "--sectors", "sector"])
    assert res.exit_code == 2
    assert "row 1, column 'E'" in res.stderr
    xlsx = tmp_path / "panel.xlsx"
    _example().to_excel(xlsx, index=False)
    res = runner.invoke(_cli(), ["brain", "lmdi", str(xlsx), "--value", "E", "--factors", "Q,S,I", "--sectors",
                                 "sector", "--mode", "multiplicative", "--chain"])  # fmt: skip
    assert res.exit_code == 0 and "Waterfall" in res.stdout


def test_cli_kaya_demo() -> None:
    res = CliRunner().invoke(_cli(), ["brain", "kaya", "--demo", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["factors"] == list(KAYA_FACTORS) and (doc["start"], doc["end"]) == (2010, 2024)
