"""Target decomposition: hand-worked principles, entropy weights, bounds, exact sums, properties, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import typer
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zerocity.accounts.allowances import _quota_frame, allowance_balances, project_quotas
from zerocity.brain.targets import (
    Bound,
    InfeasibleBoundsError,
    TargetConfigError,
    TargetError,
    abatement_shares,
    allocate,
    bounded_proportional,
    capacity_shares,
    efficiency_shares,
    entropy_weights,
    equity_shares,
    grandfathering_shares,
    largest_remainder,
    least_cost_reductions,
    load_config,
    parse_config,
    trajectory_paths,
)
from zerocity.cli_targets import (
    DEMO_DISTRICT_CONFIG,
    DEMO_ENTERPRISE_CONFIG,
    demo_district_units,
    demo_enterprise_units,
    targets_app,
)
from zerocity.errors import InvalidRecordsError

DATA = Path(__file__).parents[1] / "data" / "targets"

#: Shares and allocations are sums and ratios of a handful of floats: agreement to 1e-12 relative.
EXACT = 1e-12
#: The issue's bar for "the parts sum to the whole": relative 1e-9 on the float sum.
SUM_RTOL = 1e-9

# ------------------------------------------------------------------------------------ 3-unit example
# A: P=100, GDP=1000, E=300, history (280, 320); B: 200, 1000, 200, (220, 180); C: 700, 2000, 500, (500, 500)
# abatement potential A = (60, 20, 100) t at marginal cost c = (100, 200, 50) yuan/t.
P = [100.0, 200.0, 700.0]
G = [1000.0, 1000.0, 2000.0]
E = [300.0, 200.0, 500.0]


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["A", "B", "C"],
            "population": P,
            "gdp": G,
            "emissions_base": E,
            "h1": [280.0, 220.0, 500.0],
            "h2": [320.0, 180.0, 500.0],
            "pot": [60.0, 20.0, 100.0],
            "cost": [100.0, 200.0, 50.0],
        }
    )


def _config(**over: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "target": {"kind": "reduction", "base_year": 2020, "year": 2030, "reduction_pct": 20},
        "columns": {"history": ["h1", "h2"], "abatement_potential": "pot", "abatement_cost": "cost"},
        "principles": {p: 0.2 for p in ("equity", "capacity", "efficiency", "abatement", "grandfathering")},
        "decimals": 2,
    }
    cfg.update(over)
    return cfg


# Hand-worked shares of the example (formulas of the module docstring, evaluated by hand).
EQUITY = [100 / 1000, 200 / 1000, 700 / 1000]
# capacity, α = 1: g = (10, 5, 20/7), ḡ = 4000/1000 = 4; E / (g/ḡ) = (120, 160, 700); sum 980
CAPACITY = [120 / 980, 160 / 980, 700 / 980]
# efficiency, β = 1: ∝ GDP
EFFICIENCY = [0.25, 0.25, 0.5]
# abatement: cap 800, R = 200; A/c = (0.6, 0.1, 2.0), λ = 200 / 2.7; r = λ A/c; s = (E - r) / 800
LAMBDA = 200 / 2.7
ABATEMENT = [(300 - LAMBDA * 0.6) / 800, (200 - LAMBDA * 0.1) / 800, (500 - LAMBDA * 2.0) / 800]
# grandfathering: mean history (300, 200, 500) / 1000
GRANDFATHERING = [0.3, 0.2, 0.5]


def test_equity_hand_worked() -> None:
    np.testing.assert_allclose(equity_shares(P), EQUITY, rtol=EXACT)


def test_capacity_hand_worked() -> None:
    np.testing.assert_allclose(capacity_shares(E, G, P), CAPACITY, rtol=EXACT)
    # α = 2: E / (g/ḡ)^2 = (300/6.25, 200/1.5625, 500/(5/7)^2) = (48, 128, 980); sum 1156
    np.testing.assert_allclose(capacity_shares(E, G, P, exponent=2), [48 / 1156, 128 / 1156, 980 / 1156], rtol=EXACT)
    # α = 0 is grandfathering on base emissions
    np.testing.assert_allclose(capacity_shares(E, G, P, exponent=0), [0.3, 0.2, 0.5], rtol=EXACT)


def test_efficiency_hand_worked() -> None:
    np.testing.assert_allclose(efficiency_shares(E, G), EFFICIENCY, rtol=EXACT)
    # β = 0.5: sqrt(E · GDP) = (sqrt(3e5), sqrt(2e5), 1000)
    w = [math.sqrt(3e5), math.sqrt(2e5), 1000.0]
    np.testing.assert_allclose(efficiency_shares(E, G, exponent=0.5), [v / sum(w) for v in w], rtol=EXACT)


def test_abatement_hand_worked() -> None:
    shares, lam = abatement_shares(E, 800.0, potential=[60, 20, 100], cost=[100, 200, 50])
    assert lam == pytest.approx(LAMBDA, rel=EXACT)
    np.testing.assert_allclose(shares, ABATEMENT, rtol=EXACT)
    # Nothing to abate: shares of the reference emissions.
    shares, lam = abatement_shares(E, 1200.0, potential=[60, 20, 100], cost=[100, 200, 50])
    np.testing.assert_allclose(shares, [0.3, 0.2, 0.5], rtol=EXACT)
    assert lam == 0.0


def test_least_cost_caps_a_unit_at_its_emissions() -> None:
    # E = (10, 100), A = (10, 10), c = (1, 10): A/c = (10, 1). R = 20 unconstrained would give unit 1
    # 20 * 10/11 = 18.2 > 10, so it abates all 10 t and unit 2 the other 10 t; then λ = r_2 · c_2 / A_2 = 10.
    r, lam = least_cost_reductions([10.0, 100.0], 20.0, potential=[10.0, 10.0], cost=[1.0, 10.0])
    np.testing.assert_allclose(r, [10.0, 10.0], rtol=EXACT)
    assert lam == pytest.approx(10.0, rel=EXACT)
    with pytest.raises(TargetError, match="abatement costs must be > 0"):
        least_cost_reductions([10.0], 1.0, cost=[0.0])


def test_grandfathering_hand_worked() -> None:
    np.testing.assert_allclose(grandfathering_shares([[280, 320], [220, 180], [500, 500]]), GRANDFATHERING, rtol=EXACT)


def test_combination_hand_worked() -> None:
    """Equal weights; floors 70 % and ceilings 100 % of base; cap 800 t at 0.01 t."""
    result = allocate(_units(), _config(bounds={"floor_share_of_base": 0.7, "ceiling_share_of_base": 1.0}))
    share = [(EQUITY[i] + CAPACITY[i] + EFFICIENCY[i] + ABATEMENT[i] + GRANDFATHERING[i]) / 5 for i in range(3)]
    t = result.table
    np.testing.assert_allclose(t["share"], share, rtol=EXACT)
    for name, expected in [("equity", EQUITY), ("capacity", CAPACITY), ("grandfathering", GRANDFATHERING)]:
        np.testing.assert_allclose(t[f"share_{name}"], expected, rtol=EXACT)
    # share · 800 = (174.70, 168.64, 456.66): A is below its floor 210 and is lifted to it; the other
    # 590 t are shared by B and C in proportion to their shares (both stay inside their bounds).
    b = 590 * share[1] / (share[1] + share[2])
    c = 590 * share[2] / (share[1] + share[2])
    np.testing.assert_allclose(t["allocation_unrounded"], [210.0, b, c], rtol=EXACT)
    assert b == pytest.approx(159.1214, abs=1e-4) and c == pytest.approx(430.8786, abs=1e-4)
    # Rounded to 0.01 t: floors 210, 159.12, 430.87 sum to 799.99; C has the larger remainder (.86).
    assert t["allocation"].tolist() == [210.0, 159.12, 430.88]
    assert result.steps.tolist() == [21000, 15912, 43088] and result.steps.sum() == 80000
    assert t["bound"].tolist() == [Bound.FLOOR.value, Bound.NONE.value, Bound.NONE.value]
    assert result.level == pytest.approx(590 / (share[1] + share[2]) / 800, rel=EXACT)
    assert result.marginal_abatement_cost == pytest.approx(LAMBDA, rel=EXACT)
    # Least-cost cost: Σ c r² / (2A) with r = λ A/c: Σ λ² A / (2c)
    assert result.abatement_cost_yuan == pytest.approx(
        sum(LAMBDA**2 * a / (2 * cc) for a, cc in [(60, 100), (20, 200), (100, 50)])
    )
    # Reductions against base.
    np.testing.assert_allclose(t["reduction_t"], [90.0, 40.88, 69.12], rtol=EXACT)


def test_explain_names_every_part() -> None:
    result = allocate(_units(), _config(bounds={"floor_share_of_base": 0.7, "ceiling_share_of_base": 1.0}))
    doc = result.explain("B")
    assert doc["indicators"]["population"] == 200.0 and doc["indicators"]["gdp_per_capita"] == 5.0
    parts = {p["principle"]: p for p in doc["principles"]}
    assert parts["equity"]["share"] == pytest.approx(0.2) and parts["equity"]["weight"] == pytest.approx(0.2)
    assert sum(p["contribution"] for p in doc["principles"]) == pytest.approx(doc["share"], rel=EXACT)
    assert doc["allocation_tco2e"] == 159.12 and doc["bound"] == "none"
    assert doc["proportional_tco2e"] == pytest.approx(159.1214, abs=1e-4)
    with pytest.raises(TargetError, match="no unit 'Z'"):
        result.explain("Z")


# ------------------------------------------------------------------------------------ entropy
def test_entropy_weights_sum_normalisation_by_hand() -> None:
    m = [[1 / 3, 0.5, 0.2], [1 / 3, 0.5, 0.3], [1 / 3, 0.0, 0.5]]
    ln3 = math.log(3)
    e2 = -(2 * 0.5 * math.log(0.5)) / ln3  # 0 ln 0 = 0
    e3 = -(0.2 * math.log(0.2) + 0.3 * math.log(0.3) + 0.5 * math.log(0.5)) / ln3
    d = [0.0, 1 - e2, 1 - e3]
    res = entropy_weights(m, "sum")
    np.testing.assert_allclose(res.entropy, [1.0, e2, e3], rtol=EXACT)
    np.testing.assert_allclose(res.weights, [v / sum(d) for v in d], rtol=EXACT, atol=1e-15)
    assert res.weights[1] == pytest.approx(0.85465, abs=1e-5)


def test_entropy_weights_minmax_by_hand() -> None:
    # col 1 (1, 2, 3) -> (0, .5, 1) -> p (0, 1/3, 2/3); col 2 (1, 5, 2) -> (0, 1, .25) -> p (0, .8, .2)
    ln3 = math.log(3)
    e1 = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / ln3
    e2 = -(0.8 * math.log(0.8) + 0.2 * math.log(0.2)) / ln3
    d1, d2 = 1 - e1, 1 - e2
    res = entropy_weights([[1, 1], [2, 5], [3, 2]])
    np.testing.assert_allclose(res.weights, [d1 / (d1 + d2), d2 / (d1 + d2)], rtol=EXACT)
    assert res.weights[0] == pytest.approx(0.435815, abs=1e-6)
    # Constant columns carry no information; all constant -> equal weights; one unit -> equal weights.
    np.testing.assert_allclose(entropy_weights([[1, 1], [1, 2]]).weights, [0.0, 1.0])
    np.testing.assert_allclose(entropy_weights([[1, 1], [1, 1]]).weights, [0.5, 0.5])
    np.testing.assert_allclose(entropy_weights([[3, 4]]).weights, [0.5, 0.5])


def test_entropy_weighting_in_allocate() -> None:
    cfg = _config(weights="entropy", principles={"equity": None, "grandfathering": {}})
    result = allocate(_units(), cfg)
    expected = entropy_weights(np.column_stack([EQUITY, GRANDFATHERING]))
    np.testing.assert_allclose(list(result.weights.values()), expected.weights, rtol=EXACT)
    assert result.to_dict()["entropy"]["equity"]["weight"] == pytest.approx(expected.weights[0])
    assert result.steps.sum() == 80000


# ------------------------------------------------------------------------------------ bounds, rounding
def test_bounded_proportional_by_hand() -> None:
    np.testing.assert_allclose(bounded_proportional([0.5, 0.3, 0.2], 100, upper=[40, np.inf, np.inf]), [40, 36, 24])
    np.testing.assert_allclose(bounded_proportional([0.5, 0.3, 0.2], 100, lower=[0, 0, 30]), [43.75, 26.25, 30])
    np.testing.assert_allclose(bounded_proportional([0.0, 1.0], 10, lower=[2, 0]), [2, 8])


def test_infeasible_bounds_say_by_how_much() -> None:
    with pytest.raises(InfeasibleBoundsError, match="above the cap 100 by 10") as exc:
        bounded_proportional([1, 1], 100, lower=[50, 60])
    assert exc.value.gap == pytest.approx(10)
    with pytest.raises(InfeasibleBoundsError, match="below the cap 100 by 10"):
        bounded_proportional([1, 1], 100, upper=[50, 40])
    # In allocate: floors 90 % of base with a 20 % reduction: floors 900 t > cap 800 t by 100 t.
    with pytest.raises(
        InfeasibleBoundsError, match=r"floors sum to 900\.00 t CO2e, above the cap 800\.00 t CO2e by 100\.00 t"
    ):
        allocate(_units(), _config(bounds={"floor_share_of_base": 0.9}))
    with pytest.raises(
        InfeasibleBoundsError, match=r"ceilings sum to 700\.00 t CO2e, below the cap 800\.00 t CO2e by 100\.00"
    ):
        allocate(_units(), _config(bounds={"ceiling_share_of_base": 0.7}))


def test_largest_remainder_by_hand() -> None:
    assert largest_remainder([1.5, 2.5, 3.0], 7).tolist() == [2, 2, 3]  # tie: the first unit
    assert largest_remainder([1.5, 2.5, 3.0], 7, upper=[1, 3, 3]).tolist() == [1, 3, 3]
    assert largest_remainder([0.2, 0.3, 0.5], 1).tolist() == [0, 0, 1]
    assert largest_remainder([2.0, 2.0], 3, lower=[2, 0]).tolist() == [
        2,
        1,
    ]  # too much: take from the room above floors


def test_cap_rounds_to_the_grid_and_parts_sum_exactly() -> None:
    cfg = _config(target={"kind": "cap", "base_year": 2020, "year": 2030, "cap_tco2e": 777.7777777}, decimals=3)
    result = allocate(_units(), cfg)
    assert result.target.cap == 777.778 and result.target.cap_unrounded == 777.7777777
    assert int(result.steps.sum()) == 777778
    assert any("rounded" in n for n in result.notes)
    with pytest.raises(TargetError, match="rounds to zero"):
        allocate(
            _units(), _config(target={"kind": "cap", "base_year": 2020, "year": 2030, "cap_tco2e": 0.4}, decimals=0)
        )


def test_floor_and_ceiling_columns() -> None:
    # A's floor 250 and B's ceiling 140 bind (A would get 182.6 and B 148.3 without them); C takes the rest.
    units = _units().assign(floor=[250.0, None, None], ceiling=[None, 140.0, None])
    result = allocate(units, _config(columns={**_config()["columns"], "floor": "floor", "ceiling": "ceiling"}))
    t = result.table
    assert t.loc[0, "allocation"] == 250.0 and t.loc[0, "bound"] == "floor"
    assert t.loc[1, "allocation"] == 140.0 and t.loc[1, "bound"] == "ceiling"
    assert t.loc[2, "allocation"] == 410.0
    bad = _units().assign(floor=[250.0, 10.0, None], ceiling=[200.0, None, None])
    with pytest.raises(InvalidRecordsError) as exc:
        allocate(bad, _config(columns={**_config()["columns"], "floor": "floor", "ceiling": "ceiling"}))
    assert "row 1" in str(exc.value) and "above the ceiling" in str(exc.value)


# ------------------------------------------------------------------------------------ targets
def test_intensity_target_by_hand() -> None:
    # E_b = 1000 t, G_b = 4000; -18 % intensity with 5 %/yr GDP growth 2020-2025:
    # cap = 0.82 · (1000 / 4000) · 4000 · 1.05^5 = 1046.5509 t
    cfg = _config(
        target={"kind": "intensity", "base_year": 2020, "year": 2025, "reduction_pct": 18, "gdp_growth_pct": 5}
    )
    result = allocate(_units(), cfg)
    cap = 0.82 * 0.25 * 4000 * 1.05**5
    assert result.target.cap_unrounded == pytest.approx(cap, rel=EXACT)
    assert result.target.cap == round(cap, 2) == 1046.55
    assert result.target.base_intensity == 0.25
    assert result.target.target_intensity == pytest.approx(1046.55 / (4000 * 1.05**5), rel=EXACT)
    # Abatement is measured from frozen intensity: reference = E · 1.05^5.
    np.testing.assert_allclose(result.table["abatement_reference"], np.array(E) * 1.05**5, rtol=EXACT)
    # Per-unit intensity change at the city growth: 1 - x / (E · 1.05^5)
    t = result.table
    np.testing.assert_allclose(
        t["intensity_reduction_pct"], 100 * (1 - t["allocation"] / (t["emissions_base"] * 1.05**5))
    )
    cfg["target"] = {"kind": "intensity", "base_year": 2020, "year": 2025, "reduction_pct": 18, "gdp_target": 5000}
    assert allocate(_units(), cfg).target.cap_unrounded == pytest.approx(0.82 * 0.25 * 5000, rel=EXACT)


# ------------------------------------------------------------------------------------ trajectories, quotas
def test_trajectory_by_hand() -> None:
    years, lin = trajectory_paths([100.0, 50.0], [80.0, 60.0], 2020, 2025)
    assert years.tolist() == [2020, 2021, 2022, 2023, 2024, 2025]
    np.testing.assert_allclose(lin[1], [96.0, 52.0])
    _, geo = trajectory_paths([100.0, 0.0], [80.0, 60.0], 2020, 2025, "constant_rate")
    assert geo[1, 0] == pytest.approx(100 * 0.8 ** (1 / 5), rel=EXACT)
    assert geo[1, 1] == pytest.approx(12.0)  # from zero: linear


def test_trajectory_rows_sum_exactly_and_end_at_the_allocation() -> None:
    cfg = _config(trajectory={"method": "constant_rate", "first_year": 2022}, decimals=1)
    result = allocate(_units(), cfg)
    steps = result.trajectory_steps
    assert steps is not None and steps.shape == (11, 3)
    assert steps[-1].tolist() == result.steps.tolist()
    assert steps[0].tolist() == [3000, 2000, 5000]  # base emissions at 0.1 t
    traj = result.trajectory
    assert traj["year"].min() == 2022 and len(traj) == 9 * 3
    totals = result.trajectory_totals()
    assert totals["allowed_tco2e"].iloc[-1] == pytest.approx(800.0, rel=EXACT)
    assert (np.diff(totals["allowed_tco2e"]) < 0).all()


def test_quotas_pass_the_accounts_validation() -> None:
    result = allocate(_units(), _config(trajectory={"method": "linear"}))
    q = result.quotas(exact=True)
    assert q["quota"].tolist() == [f"{v:.2f}" for v in result.table["allocation"]]
    checked = _quota_frame(q, "quotas")
    assert checked["kind"].tolist() == ["carbon"] * 3 and checked["quota"].sum() == pytest.approx(800.0)
    usage = pd.DataFrame({"entity": ["A", "A"], "time": ["2030-01", "2030-02"], "amount": [20.0, 25.0]})
    proj = project_quotas(q, usage, year=2030)
    assert proj.set_index("entity").loc["A", "consumed"] == 45.0
    several = result.quotas([2025, 2030])
    assert sorted(set(several["year"])) == [2025, 2030] and len(several) == 6
    with pytest.raises(TargetError, match="no allocation for year 2040"):
        result.quotas([2040])


# ------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target": {"kind": "reduction", "base_year": 2020, "year": 2030, "cap_tco2e": 5}}, "target.reduction_pct"),
        ({"target": {"kind": "cap", "base_year": 2030, "year": 2030, "cap_tco2e": 5}}, "must be after the base year"),
        ({"principles": {"equity": {}}}, "a weight is required"),
        ({"principles": {"equity": 0.5}, "weights": "entropy"}, "remove it"),
        ({"principles": {"equity": {"weight": 1, "exponent": 2}}}, "has no exponent"),
        ({"principles": {"efficiency": {"weight": 1, "exponent": 2}}}, "exponent <= 1"),
        ({"principles": {"fairness": 1}}, "principles.fairness"),
        ({"principles": {}}, "at least 1 item"),
        ({"bounds": {"floor_share_of_base": 1.2, "ceiling_share_of_base": 1.0}}, "above ceiling_share_of_base"),
        ({"extra_key": 1}, "Extra inputs are not permitted"),
        ({"decimals": 7}, "less than or equal to 6"),
    ],
)
def test_config_errors(change: dict[str, Any], message: str) -> None:
    with pytest.raises(TargetConfigError, match=message):
        allocate(_units(), _config(**change))


def test_config_errors_carry_yaml_lines(tmp_path: Path) -> None:
    text = (
        "target:\n  kind: cap\n  base_year: 2020\n  year: 2030\n  cap_tco2e: 10\nprinciples:\n  equity: {wieght: 1}\n"
    )
    with pytest.raises(TargetConfigError) as exc:
        load_config(tmp_path / "x.yaml", text=text)
    assert "line 7" in str(exc.value) and "wieght" in str(exc.value)
    with pytest.raises(TargetConfigError, match="not valid YAML"):
        load_config(tmp_path / "x.yaml", text="target: [")
    with pytest.raises(TargetConfigError, match="cannot read file"):
        load_config(tmp_path / "missing.yaml")


def test_abatement_needs_its_columns() -> None:
    cfg = _config(columns={"history": ["h1", "h2"]})
    with pytest.raises(TargetConfigError, match=r"abatement_potential and/or columns\.abatement_cost"):
        allocate(_units(), cfg)


def test_table_errors_name_rows_and_columns() -> None:
    bad = _units().astype({"gdp": object})
    bad.loc[0, "population"] = -5
    bad.loc[1, "id"] = "A"
    bad.loc[2, "gdp"] = "lots"
    bad.loc[1, "pot"] = 500.0  # above base 200
    with pytest.raises(InvalidRecordsError) as exc:
        allocate(bad, _config())
    text = exc.value.report()
    assert "row 1, column 'population': must be a finite number >= 0" in text
    assert "row 2, column 'id': duplicate unit id" in text
    assert "row 3, column 'gdp': not a number (value 'lots')" in text
    assert "row 2, column 'pot': abatement potential above the base emissions" in text
    with pytest.raises(InvalidRecordsError, match=r"required column is missing \(needed by principle equity"):
        allocate(_units().drop(columns="population"), _config(principles={"equity": 1}))
    zero_gdp = _units().assign(gdp=[0.0, 1000.0, 2000.0])
    with pytest.raises(InvalidRecordsError, match="capacity' needs gdp > 0"):
        allocate(zero_gdp, _config())


# ------------------------------------------------------------------------------------ properties
def _iterative(shares: np.ndarray, total: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Independent reference: iterative capped proportional redistribution, one unit at a time."""
    n = len(shares)
    fixed: dict[int, float] = {i: lo[i] for i in range(n) if shares[i] == 0}
    while True:
        free = [i for i in range(n) if i not in fixed]
        rest = total - sum(fixed.values())
        ssum = sum(shares[i] for i in free)
        x = {i: rest * shares[i] / ssum for i in free}
        over = {i: x[i] - hi[i] for i in free if x[i] > hi[i]}
        under = {i: lo[i] - x[i] for i in free if x[i] < lo[i]}
        if not over and not under:
            return np.array([fixed.get(i, x.get(i, 0.0)) for i in range(n)])
        # Fix the side with the larger total violation (fixing both at once can overshoot).
        if sum(over.values()) >= sum(under.values()):
            fixed.update({i: hi[i] for i in over})
        else:
            fixed.update({i: lo[i] for i in under})


positive = st.floats(1.0, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def problems(draw: Any) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, 25))
    s = np.array(draw(st.lists(st.floats(0.0, 1.0, allow_subnormal=False), min_size=n, max_size=n)))
    assume(s.sum() > 1e-3)
    lo = np.array(draw(st.lists(st.floats(0.0, 50.0), min_size=n, max_size=n)))
    hi = lo + np.array(draw(st.lists(st.floats(0.0, 100.0), min_size=n, max_size=n)))
    total = draw(st.floats(float(lo.sum()), float(hi.sum())))
    assume(float(hi[s > 0].sum() + lo[s == 0].sum()) >= total)
    return s, total, lo, hi


@given(problems())
@settings(max_examples=150, deadline=None)
def test_waterfill_matches_iterative_redistribution(problem: tuple[np.ndarray, float, np.ndarray, np.ndarray]) -> None:
    s, total, lo, hi = problem
    x = bounded_proportional(s, total, lo, hi)
    assert x.sum() == pytest.approx(total, rel=1e-12, abs=1e-9)
    assert (x >= lo - 1e-9).all() and (x <= hi + 1e-9).all()
    np.testing.assert_allclose(x, _iterative(s, total, lo, hi), rtol=1e-9, atol=1e-7)


@st.composite
def cities(draw: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    n = draw(st.integers(1, 20))
    col = lambda lo=1.0, hi=1e6: np.array(draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n)))  # noqa: E731
    e = col()
    units = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "population": col(),
            "gdp": col(),
            "emissions_base": e,
            "h1": col(),
            "pot": e * col(0.0, 1.0),
            "cost": col(1.0, 1000.0),
        }
    )
    weights = draw(st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5))
    assume(sum(weights) > 0.05)
    bounds: dict[str, float] = {}
    if draw(st.booleans()):
        bounds["floor_share_of_base"] = draw(st.floats(0.0, 0.95))
    if draw(st.booleans()):
        bounds["ceiling_share_of_base"] = draw(st.floats(1.0, 3.0))
    cfg = {
        "target": {"kind": "reduction", "base_year": 2020, "year": 2030, "reduction_pct": draw(st.floats(0, 60))},
        "columns": {"history": ["h1"], "abatement_potential": "pot", "abatement_cost": "cost"},
        "principles": dict(
            zip(["equity", "capacity", "efficiency", "abatement", "grandfathering"], weights, strict=True)
        ),
        "bounds": bounds,
        "decimals": draw(st.integers(0, 6)),
        "trajectory": {"method": draw(st.sampled_from(["linear", "constant_rate"]))},
    }
    return units, cfg


@given(cities())
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_sum_is_exact_and_bounds_hold(city: tuple[pd.DataFrame, dict[str, Any]]) -> None:
    """Sum exact, bounds held, rounding within a step, proportions kept, errors only when they must be."""
    units, cfg = city
    e = units["emissions_base"].to_numpy()
    cap = (1 - cfg["target"]["reduction_pct"] / 100) * e.sum()
    b = cfg["bounds"]
    try:
        result = allocate(units, cfg)
    except InfeasibleBoundsError:
        # Raised only when the bounds (rounded inwards to the grid) really miss the cap.
        scale = 10.0 ** cfg["decimals"]
        floors = np.ceil(np.round(b.get("floor_share_of_base", 0) * e * scale, 6)).sum() / scale
        ceilings = np.floor(np.round(b.get("ceiling_share_of_base", np.inf) * e * scale, 6)).sum() / scale
        cap_r = round(cap * scale) / scale
        assert floors > cap_r or ceilings < cap_r
        return
    except TargetError as exc:
        # A cap that rounds to zero at 0 decimals, or a reduction the abatement potentials cannot reach.
        assert "rounds to zero" in str(exc) or "the units with abatement potential emit" in str(exc)
        return
    except InvalidRecordsError as exc:  # a unit too small for the resolution between its bounds
        assert "no multiple of" in str(exc)
        return
    t = result.table
    scale = 10 ** cfg["decimals"]
    assert int(result.steps.sum()) == round(cap * scale)
    assert abs(t["allocation"].sum() - result.target.cap) <= SUM_RTOL * result.target.cap
    assert abs(result.target.cap - cap) <= 0.5 / scale + 1e-9 * cap
    assert (t["allocation"] >= t["floor"] * (1 - 1e-12) - 1e-12).all()
    assert (t["allocation"] <= t["ceiling"].fillna(np.inf) * (1 + 1e-12)).all()
    assert (np.abs(t["allocation"] - t["allocation_unrounded"]) < 1 / scale + 1e-9 * cap).all()
    # Units not at a bound keep the proportions of their shares.
    free = (t["bound"] == "none") & (t["share"] > 0)
    if free.sum() > 1:
        ratio = t.loc[free, "allocation_unrounded"] / t.loc[free, "share"]
        np.testing.assert_allclose(ratio, ratio.iloc[0], rtol=1e-9)
    # The last trajectory year is the allocation; a linear path's yearly totals are the city's linear
    # path E + (C - E) f, to the step (each year is rounded to its own total by largest remainder).
    traj = result.trajectory_steps
    assert traj is not None and (traj[-1] == result.steps).all()
    if cfg["trajectory"]["method"] == "linear":
        f = np.arange(11) / 10
        expected = scale * (e.sum() + (result.target.cap - e.sum()) * f)
        assert (np.abs(traj.sum(axis=1) - expected) <= 1 + 1e-9 * expected).all()


def _one(units: pd.DataFrame, principle: str, bounds: dict[str, float], **cols: Any) -> np.ndarray:
    cfg = {
        "target": {"kind": "reduction", "base_year": 2020, "year": 2030, "reduction_pct": 20},
        "columns": {"history": ["h1"], "abatement_potential": "pot", "abatement_cost": "cost", **cols},
        "principles": {principle: 1.0},
        "bounds": bounds,
        "decimals": 6,
    }
    return allocate(units, cfg).table["allocation_unrounded"].to_numpy()


MONOTONE = [
    # (principle, column raised, +1 = allocation of that unit never falls, -1 = never rises)
    ("equity", "population", +1),
    ("capacity", "gdp", -1),  # higher GDP per capita at the same emissions -> no larger allocation
    ("efficiency", "gdp", +1),  # lower intensity at the same emissions -> no smaller allocation
    ("grandfathering", "h1", +1),
    ("abatement", "cost", +1),  # dearer abatement -> no larger reduction
    ("abatement", "pot", -1),  # more potential -> no smaller reduction
]


@pytest.mark.parametrize(("principle", "column", "sign"), MONOTONE)
@given(data=st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_monotone_in_each_principle(principle: str, column: str, sign: int, data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 12))
    floats = lambda lo, hi: np.array(data.draw(st.lists(st.floats(lo, hi), min_size=n, max_size=n)))  # noqa: E731
    e = floats(10.0, 1e5)
    units = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "population": floats(1.0, 1e5),
            "gdp": floats(1.0, 1e5),
            "emissions_base": e,
            "h1": floats(1.0, 1e5),
            "pot": e * floats(0.05, 0.5),
            "cost": floats(1.0, 1000.0),
        }
    )
    bounds = data.draw(st.sampled_from([{}, {"floor_share_of_base": 0.7, "ceiling_share_of_base": 1.1}]))
    i = data.draw(st.integers(0, n - 1))
    factor = data.draw(st.floats(1.01, 3.0))
    raised = units.copy()
    raised.loc[i, column] = (
        min(units.loc[i, column] * factor, e[i]) if column == "pot" else units.loc[i, column] * factor
    )
    try:
        before = _one(units, principle, bounds)
        after = _one(raised, principle, bounds)
    except InfeasibleBoundsError:
        return
    tol = 1e-9 * max(abs(before[i]), 1.0)
    if sign > 0:
        assert after[i] >= before[i] - tol
    else:
        assert after[i] <= before[i] + tol


def test_combined_weights_monotone_in_population() -> None:
    """Raising a unit's population raises its equity share and (via lower GDP per capita) its capacity share."""
    base = allocate(_units(), _config()).table["allocation_unrounded"]
    more = _units()
    more.loc[1, "population"] = 400.0
    after = allocate(more, _config()).table["allocation_unrounded"]
    assert after[1] > base[1]


# ------------------------------------------------------------------------------------ CLI
def _cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(targets_app, name="targets")
    return app


runner = CliRunner()


def _write_example(tmp_path: Path, **over: Any) -> Path:
    _units().to_csv(tmp_path / "units.csv", index=False)
    cfg = _config(units={"path": "units.csv"}, bounds={"floor_share_of_base": 0.7, "ceiling_share_of_base": 1.0})
    cfg.update(over)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    return path


def _invoke(*args: Any, code: int = 0) -> Any:
    res = runner.invoke(_cli(), ["targets", "allocate", *(str(a) for a in args)])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == code, (res.exit_code, res.stdout[-2000:], res.stderr[-2000:])
    return res


def test_cli_json(tmp_path: Path) -> None:
    doc = json.loads(_invoke(_write_example(tmp_path), "--json").stdout)
    assert doc["target"]["cap_tco2e"] == 800.0 and doc["totals"]["allocated_tco2e"] == 800.0
    assert doc["weights"] == {p: pytest.approx(0.2) for p in doc["weights"]}
    assert [u["allocation"] for u in doc["units"]] == [210.0, 159.12, 430.88]
    assert [u["bound"] for u in doc["units"]] == ["floor", "none", "none"]
    assert doc["marginal_abatement_cost"] == pytest.approx(LAMBDA)


def test_cli_text_files_and_explain(tmp_path: Path) -> None:
    cfg = _write_example(tmp_path, trajectory={"method": "linear", "first_year": 2025})
    q, traj, table = tmp_path / "q.csv", tmp_path / "t.csv", tmp_path / "units_out.xlsx"
    res = _invoke(cfg, "--quotas", q, "--quota-years", "trajectory", "--trajectory", traj, "--out", table)
    assert "Target allocation" in res.stdout and "159.12" in res.stdout and "wrote quotas" in res.stdout
    quotas = pd.read_csv(q, dtype={"quota": str})
    assert sorted(set(quotas["year"])) == list(range(2025, 2031))
    assert quotas[quotas["year"] == 2030]["quota"].tolist() == ["210.00", "159.12", "430.88"]
    _quota_frame(quotas, str(q))
    path = pd.read_csv(traj)
    assert path.groupby("year")["allowed_tco2e"].sum().loc[2030] == pytest.approx(800.0)
    assert len(pd.read_excel(table)) == 3
    doc = json.loads(_invoke(cfg, "--explain", "C", "--json").stdout)
    assert doc["unit"] == "C" and doc["allocation_tco2e"] == 430.88
    assert "combined share" in _invoke(cfg, "--explain", "C").stdout


def test_cli_reads_xlsx_units(tmp_path: Path) -> None:
    _units().to_excel(tmp_path / "units.xlsx", sheet_name="districts", index=False)
    cfg = _write_example(tmp_path, units={"path": "units.xlsx", "sheet": "districts"})
    doc = json.loads(_invoke(cfg, "--json").stdout)
    assert doc["source"].endswith("units.xlsx")
    assert [u["allocation"] for u in doc["units"]] == [210.0, 159.12, 430.88]


def test_cli_errors(tmp_path: Path) -> None:
    res = _invoke(_write_example(tmp_path, bounds={"floor_share_of_base": 0.9}), code=2)
    assert "error [targets_infeasible]" in res.stderr and "by 100.00 t" in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("target: {kind: cap, base_year: 2020, year: 2030}\nprinciples: {equity: 1}\n", encoding="utf-8")
    assert "target.cap_tco2e: required" in _invoke(bad, code=2).stderr
    assert "give a CONFIG.yaml or --demo" in _invoke(code=2).stderr
    missing = _write_example(tmp_path, units={"path": "nope.csv"})
    assert "cannot read the unit table" in _invoke(missing, code=2).stderr
    no_traj = _write_example(tmp_path)
    assert "needs a trajectory" in _invoke(no_traj, "--trajectory", tmp_path / "t.csv", code=2).stderr


def test_cli_issue_allowances(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ZEROCITY_LEDGER_KEY", str(tmp_path / "keys" / "platform.pem"))
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    cfg = _write_example(tmp_path)
    doc = json.loads(_invoke(cfg, "--issue-allowances", "CEA-2030", "--json").stdout)
    assert doc["allowances"]["accounts"] == 3 and doc["allowances"]["entries"] == [0, 2]
    from zerocity.cli_ledger import open_ledger

    balances = allowance_balances(open_ledger(need_key=False), "CEA-2030")
    assert {k: str(v) for k, v in balances.items()} == {"A": "210.00", "B": "159.12", "C": "430.88"}
    again = _invoke(cfg, "--issue-allowances", "CEA-2030", code=2)
    assert "already holds allowances of 3 of these units" in again.stderr
    assert len(allowance_balances(open_ledger(need_key=False), "CEA-2030")) == 3


# ------------------------------------------------------------------------------------ Demo City
def test_demo_examples_match_the_shipped_files() -> None:
    """tests/data/targets holds the Demo City examples: the same config and the same tables as --demo."""
    assert load_config(DATA / "demo_districts.yaml") == parse_config(DEMO_DISTRICT_CONFIG)
    assert load_config(DATA / "demo_enterprises.yaml") == parse_config(DEMO_ENTERPRISE_CONFIG)
    districts = pd.read_csv(DATA / "demo_districts.csv", dtype={"district": str})
    pd.testing.assert_frame_equal(districts, demo_district_units(), check_dtype=False)
    enterprises = pd.read_csv(DATA / "demo_enterprises.csv", dtype={"uscc": str, "district": str})
    pd.testing.assert_frame_equal(enterprises, demo_enterprise_units(), check_dtype=False)


def test_demo_city_districts() -> None:
    units = demo_district_units()
    assert len(units) == 10 and units["district"].str.fullmatch(r"3299\d\d").all()
    # Population and GDP are the city's, split: they add up to the 2020 statistics (persons, 10^4 yuan).
    from zerocity.demo import build_demo_city

    stats = build_demo_city().statistics.set_index("year").loc[2020]
    assert units["population"].sum() == pytest.approx(stats["population"], abs=10)
    assert units["gdp_10k_yuan"].sum() == pytest.approx(stats["gdp"], abs=1)
    doc = json.loads(_invoke("--demo", "--json").stdout)
    assert doc["target"]["kind"] == "intensity" and len(doc["units"]) == 10
    assert doc["totals"]["allocated_steps"] == round(doc["target"]["cap_unrounded_tco2e"])
    # -18 % intensity at 5.5 %/yr: cap = 0.82 · 1.055^5 · base emissions.
    assert doc["target"]["cap_unrounded_tco2e"] == pytest.approx(0.82 * 1.055**5 * units["emissions_2020"].sum())
    assert "Linjiang" in _invoke("--demo").stdout


def test_demo_enterprises_quotas(tmp_path: Path) -> None:
    q = tmp_path / "q.csv"
    _invoke(DATA / "demo_enterprises.yaml", "--quotas", q, "--json")
    quotas = _quota_frame(pd.read_csv(q, dtype={"entity": str}), str(q))
    assert len(quotas) == 368 and (quotas["year"] == 2027).all()
    base = pd.read_csv(DATA / "demo_enterprises.csv")["emissions_2024"].sum()
    assert quotas["quota"].sum() == round(0.92 * base)
