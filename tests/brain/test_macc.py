"""MACC and portfolio choice: hand-calculated costs, curve geometry, MILP against brute force, scenario input, CLI."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zerocity.brain.macc import (
    AbatementBasis,
    BudgetBasis,
    CostMethod,
    Effect,
    InfeasibleError,
    MaccError,
    build_macc,
    crf,
    greedy,
    levelised_cost,
    max_abatement,
    measures_from_records,
    optimise,
    portfolio_from_scenario,
    read_measures,
)
from zerocity.cli_macc import macc_app
from zerocity.errors import InvalidRecordsError

DATA = Path(__file__).parents[1] / "data" / "macc"
# Costs are sums of a few products of round numbers: agreement to 1e-9 relative is exact up to
# floating-point rounding; the MILP is solved to a relative gap of 1e-6, hence 1e-6 on its costs.
RTOL = 1e-9
MILP_RTOL = 1e-6


def _one(**fields):
    """A one-measure portfolio."""
    return measures_from_records([{"id": "m", **fields}], base_year=fields.get("start_year"))


# --------------------------------------------------------------------------- finance by hand
def test_crf_by_hand():
    # r (1+r)^n / ((1+r)^n - 1): 0.1 * 1.21 / 0.21; standard interest tables give 0.13587 at 6 %, 10 yr.
    assert crf(0.1, 2) == pytest.approx(0.1 * 1.21 / 0.21, rel=RTOL)
    assert crf(0.06, 10) == pytest.approx(0.13587, abs=5e-6)
    assert crf(0.0, 4) == 0.25
    np.testing.assert_allclose(crf(np.array([0.0, 0.1]), np.array([4, 2])), [0.25, 0.121 / 0.21], rtol=RTOL)


def test_levelised_and_annualised_cost_by_hand():
    # capex 1000 in 2026, opex 10 and savings 60 a year, 2 years, 5 t/yr, r = 10 %.
    p = _one(abatement=5, capex=1000, opex=10, savings=60, lifetime=2, start_year=2026, discount_rate=0.1)
    row = p.costs().loc["m"]
    crf_10_2 = 0.1 * 1.1**2 / (1.1**2 - 1)  # 0.576190...
    assert row["annualised_cost"] == pytest.approx(1000 * crf_10_2 + 10 - 60, rel=RTOL)
    assert row["annualised_cost_per_t"] == pytest.approx((1000 * crf_10_2 - 50) / 5, rel=RTOL)  # 105.238
    # Levelised: flows 1000 - 50 in 2026 and -50 in 2027, abatement 5 and 5, discounted to 2026.
    pv_cost = 950 - 50 / 1.1
    pv_abated = 5 + 5 / 1.1
    assert row["pv_cost"] == pytest.approx(pv_cost, rel=RTOL)
    assert row["levelised_cost"] == pytest.approx(pv_cost / pv_abated, rel=RTOL)  # 94.762
    assert row["levelised_cost"] == pytest.approx(94.76190476190476, rel=RTOL)
    # The documented difference: one year of interest on the annualised capex.
    diff = 1000 * crf_10_2 * 0.1 / 1.1 / 5
    assert row["annualised_cost_per_t"] - row["levelised_cost"] == pytest.approx(diff, rel=1e-9)
    # Discounting to an earlier base year changes the present values, not the levelised cost.
    early = measures_from_records(
        [{"id": "m", "abatement": 5, "capex": 1000, "opex": 10, "savings": 60, "lifetime": 2,
          "start_year": 2026, "discount_rate": 0.1}], base_year=2024,
    ).costs().loc["m"]  # fmt: skip
    assert early["pv_cost"] == pytest.approx(pv_cost / 1.1**2, rel=RTOL)
    assert early["levelised_cost"] == pytest.approx(row["levelised_cost"], rel=RTOL)
    # The pure function agrees, and is undefined without abatement.
    years = np.array([2026, 2027])
    assert levelised_cost([950, -50], [5, 5], years, rate=0.1, base_year=2026) == pytest.approx(pv_cost / pv_abated)
    assert math.isnan(levelised_cost([950, -50], [0, 0], years, rate=0.1, base_year=2026))


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.001, 0.2),
    lifetime=st.integers(1, 40),
    capex=st.floats(0, 1e9),
    opex=st.floats(0, 1e7),
    savings=st.floats(0, 1e7),
    abatement=st.floats(1, 1e6),
)
def test_levelised_equals_annualised_less_one_year_of_interest(rate, lifetime, capex, opex, savings, abatement):
    # Constant measure: LCA = (capex CRF / (1+r) + opex - savings) / a, i.e. AC - capex CRF r / ((1+r) a).
    p = _one(abatement=abatement, capex=capex, opex=opex, savings=savings, lifetime=lifetime, start_year=2030,
             discount_rate=rate)  # fmt: skip
    row = p.costs().loc["m"]
    f = rate * (1 + rate) ** lifetime / ((1 + rate) ** lifetime - 1)
    expected_lca = (capex * f / (1 + rate) + opex - savings) / abatement
    scale = (capex * f + opex + savings) / abatement + 1.0
    assert row["levelised_cost"] == pytest.approx(expected_lca, abs=1e-9 * scale)
    assert row["annualised_cost_per_t"] - row["levelised_cost"] == pytest.approx(
        capex * f * rate / ((1 + rate) * abatement), abs=1e-9 * scale
    )


def test_per_year_abatement_table_steps_and_levelised_cost_by_hand():
    p = read_measures(DATA / "measures.yaml")
    pv = p.measures[p.ids.index("pv")]
    # {2027: 2000, 2029: 5000}: 2000 t/yr in 2027-2028, then 5000 t/yr to the end of 25 years (2051).
    assert pv.start_year == 2027 and pv.end_year == 2051
    np.testing.assert_array_equal(pv.abatement, [2000, 2000] + [5000] * 23)
    v = 1 / 1.06  # discount factor per year, base year 2026
    pv_cost = 4e7 * v + sum((4e5 - 3e6) * v**k for k in range(1, 26))
    pv_abated = sum((2000 if k <= 2 else 5000) * v**k for k in range(1, 26))
    row = p.costs().loc["pv"]
    assert row["levelised_cost"] == pytest.approx(pv_cost / pv_abated, rel=RTOL)
    # The annualised form uses the mean abatement of the operating years: (2*2000 + 23*5000) / 25.
    f = 0.06 * 1.06**25 / (1.06**25 - 1)
    assert row["annualised_cost_per_t"] == pytest.approx((4e7 * f + 4e5 - 3e6) / (119000 / 25), rel=RTOL)


# --------------------------------------------------------------------------- the curve
def _curve_records():
    # r = 0, one year: cost per tonne = (capex + opex - savings) / abatement.
    return [
        {"id": "a", "abatement": 100, "capex": 1000, "lifetime": 1},  # 10 /t
        {"id": "b", "abatement": 50, "savings": 500, "lifetime": 1},  # -10 /t
        {"id": "c", "abatement": 200, "capex": 6000, "lifetime": 1},  # 30 /t
        {"id": "d", "abatement": 0, "capex": 100, "lifetime": 1},  # no cost per tonne
        {"id": "e", "abatement": 10, "capex": 100, "lifetime": 1},  # 10 /t, ties with a (id order)
    ]


@pytest.mark.parametrize("method", list(CostMethod))
def test_macc_order_and_cumulative_widths_by_hand(method):
    p = measures_from_records(_curve_records(), discount_rate=0.0, base_year=2030)
    curve = build_macc(p, cost_method=method)
    t = curve.table
    assert list(t["id"]) == ["b", "a", "e", "c", "d"]
    assert list(t["rank"][:4]) == [1, 2, 3, 4] and pd.isna(t["rank"].iloc[4])
    np.testing.assert_allclose(t["cost_per_t"][:4], [-10, 10, 10, 30], rtol=RTOL)
    bars = curve.bars()
    assert [(b["id"], b["x0"], b["x1"], b["height"]) for b in bars] == [
        ("b", 0, 50, pytest.approx(-10)),
        ("a", 50, 150, pytest.approx(10)),
        ("e", 150, 160, pytest.approx(10)),
        ("c", 160, 360, pytest.approx(30)),
    ]
    assert curve.total_abatement == 360
    assert not t["drawn"].iloc[4] and "no cost per tonne" in t["reason"].iloc[4]
    data = curve.to_dict()
    assert data["cost_method"] == method.value and data["basis"]["kind"] == "cumulative"
    assert [b["id"] for b in data["bars"]] == ["b", "a", "e", "c"]


def test_macc_widths_on_a_year_basis():
    records = [
        {"id": "early", "abatement": 100, "capex": 1000, "lifetime": 2, "start_year": 2030},
        {"id": "late", "abatement": 40, "capex": 100, "lifetime": 1, "start_year": 2031},
    ]
    p = measures_from_records(records, discount_rate=0.0)
    cumulative = build_macc(p).table.set_index("id")
    assert cumulative.loc["early", "abatement"] == 200 and cumulative.loc["late", "abatement"] == 40
    in_2030 = build_macc(p, basis=AbatementBasis(year=2030)).table
    assert list(in_2030["id"]) == ["early", "late"]
    assert in_2030["x1"].tolist() == [100, 100] and in_2030["reason"].iloc[1] == "no abatement on the basis"
    assert build_macc(p, basis=AbatementBasis.parse(period="2031:2031")).bars()[0]["id"] == "late"
    with pytest.raises(MaccError, match="outside the measures' horizon 2030-2031"):
        build_macc(p, basis=AbatementBasis(year=2040))


# --------------------------------------------------------------------------- MILP vs brute force
def _closure(i, prereqs):
    out: set[int] = set()
    for j in prereqs[i]:
        out |= {j} | _closure(j, prereqs)
    return out


def _instance(seed: int):
    """Random measures (n <= 12) with exclusive groups and prerequisite chains, and hand-computed vectors."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(7, 13))
    groups = [None if g == 0 else f"g{g}" for g in rng.integers(0, 4, n)]
    prereqs: list[list[int]] = [[] for _ in range(n)]
    for i in range(1, n):
        for _ in range(2):
            if rng.random() < 0.3:
                j = int(rng.integers(0, i))
                members = {i} | _closure(i, prereqs) | {j} | _closure(j, prereqs)
                gs = [groups[k] for k in members if groups[k] is not None]
                if len(gs) == len(set(gs)) and j not in prereqs[i]:
                    prereqs[i].append(j)
    a = rng.integers(1, 50, n).astype(float)
    capex = rng.integers(0, 100, n) * 1000.0
    opex = rng.integers(0, 10, n) * 100.0
    savings = rng.integers(0, 40, n) * 100.0
    life = rng.integers(1, 6, n)
    r = 0.05
    records = [
        {"id": f"m{i}", "abatement": a[i], "capex": capex[i], "opex": opex[i], "savings": savings[i],
         "lifetime": int(life[i]), "group": groups[i], "prerequisites": [f"m{j}" for j in prereqs[i]]}
        for i in range(n)
    ]  # fmt: skip
    portfolio = measures_from_records(records, base_year=2030, discount_rate=r)
    due = np.array([sum(1.05**-k for k in range(L)) for L in life])  # flows in years 0..L-1
    f = r * 1.05**life / (1.05**life - 1)
    hand = {
        "pv": capex + (opex - savings) * due,
        "annual": capex * f + opex - savings,
        "capex": capex,
        "cumulative": a * life,
        "in_2031": np.where(life >= 2, a, 0.0),
    }
    return portfolio, groups, prereqs, hand


def _feasible_subsets(n, groups, prereqs):
    masks = ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(float)
    ok = np.ones(len(masks), dtype=bool)
    for g in {g for g in groups if g is not None}:
        ok &= masks[:, [i for i in range(n) if groups[i] == g]].sum(axis=1) <= 1
    for i, ps in enumerate(prereqs):
        for j in ps:
            ok &= masks[:, i] <= masks[:, j]
    return masks, ok


def _variant(seed):
    method = [CostMethod.LEVELISED, CostMethod.ANNUALISED][seed % 2]
    basis_name = ["cumulative", "in_2031"][(seed // 2) % 2]
    budget_basis = [BudgetBasis.CAPEX, BudgetBasis.PV_COST][(seed // 4) % 2]
    basis = AbatementBasis() if basis_name == "cumulative" else AbatementBasis(year=2031)
    return method, basis_name, basis, budget_basis


@pytest.mark.parametrize("seed", range(12))
def test_cheapest_to_target_equals_brute_force(seed):
    portfolio, groups, prereqs, hand = _instance(seed)
    method, basis_name, basis, _ = _variant(seed)
    n = len(groups)
    w = hand[basis_name]
    c = hand["pv"] if method is CostMethod.LEVELISED else hand["annual"]
    masks, ok = _feasible_subsets(n, groups, prereqs)
    target = float(np.floor(0.6 * (masks[ok] @ w).max()))
    feasible = ok & (masks @ w >= target)
    best = (masks[feasible] @ c).min()
    result = optimise(portfolio, target=target, basis=basis, cost_method=method)
    assert result.status == "optimal" and result.mip_gap is not None and result.mip_gap <= MILP_RTOL
    assert result.cost == pytest.approx(best, rel=MILP_RTOL, abs=1e-6)
    x = np.array([result.adoption[f"m{i}"] for i in range(n)])
    assert feasible[int((x * 2 ** np.arange(n)).sum())]  # the chosen set is one of the feasible subsets
    assert result.abatement == pytest.approx(float(x @ w)) and result.abatement >= target
    # Greedy (the MACC read left to right) is feasible when it reaches the target, and never cheaper.
    g = greedy(portfolio, target=target, basis=basis, cost_method=method)
    xg = np.array([g.adoption[f"m{i}"] for i in range(n)])
    assert ok[int((xg * 2 ** np.arange(n)).sum())]
    if g.status == "heuristic":
        assert g.cost >= best - 1e-6
    # Partial adoption (LP relaxation) is never dearer than the best whole selection.
    lp = optimise(portfolio, target=target, basis=basis, cost_method=method, partial=True)
    assert lp.method == "lp" and lp.cost <= best + 1e-6


@pytest.mark.parametrize("seed", range(12))
def test_most_abatement_within_budget_equals_brute_force(seed):
    portfolio, groups, prereqs, hand = _instance(seed)
    method, basis_name, basis, budget_basis = _variant(seed)
    n = len(groups)
    w = hand[basis_name]
    c = hand["pv"] if method is CostMethod.LEVELISED else hand["annual"]
    spend = hand["capex"] if budget_basis is BudgetBasis.CAPEX else hand["pv"]
    budget = float(0.4 * np.abs(spend).sum())
    masks, ok = _feasible_subsets(n, groups, prereqs)
    feasible = ok & (masks @ spend <= budget + 1e-9)
    most = (masks[feasible] @ w).max()
    cheapest_of_most = (masks[feasible & (masks @ w >= most - 1e-9)] @ c).min()
    result = optimise(portfolio, budget=budget, basis=basis, cost_method=method, budget_basis=budget_basis)
    assert result.status == "optimal"
    assert result.abatement == pytest.approx(most, rel=MILP_RTOL)
    assert result.cost == pytest.approx(cheapest_of_most, rel=MILP_RTOL, abs=1e-6)
    x = np.array([result.adoption[f"m{i}"] for i in range(n)])
    assert feasible[int((x * 2 ** np.arange(n)).sum())]
    g = greedy(portfolio, budget=budget, basis=basis, cost_method=method, budget_basis=budget_basis)
    xg = np.array([g.adoption[f"m{i}"] for i in range(n)])
    assert feasible[int((xg * 2 ** np.arange(n)).sum())] and g.abatement <= most + 1e-9


def test_partial_adoption_by_hand():
    records = [
        {"id": "cheap", "abatement": 10, "capex": 100, "lifetime": 1},
        {"id": "dear", "abatement": 10, "capex": 300, "lifetime": 1},
    ]
    p = measures_from_records(records, discount_rate=0.0)
    whole = optimise(p, target=15)
    assert whole.selected == ["cheap", "dear"] and whole.cost == pytest.approx(400)
    part = optimise(p, target=15, partial=True)  # all of the cheap one, half of the dear one
    assert part.adoption == pytest.approx({"cheap": 1.0, "dear": 0.5})
    assert part.cost == pytest.approx(250) and part.abatement == pytest.approx(15)


def test_negative_cost_measures_are_adopted_beyond_the_target():
    records = [
        {"id": "saver", "abatement": 5, "savings": 100, "lifetime": 1},
        {"id": "big", "abatement": 20, "capex": 400, "lifetime": 1},
    ]
    p = measures_from_records(records, discount_rate=0.0)
    result = optimise(p, target=20)
    assert result.selected == ["saver", "big"] and result.cost == pytest.approx(300)


# --------------------------------------------------------------------------- infeasibility, errors
def _grouped():
    # A and B exclusive; C needs A; D free. Best: B + D = 23 (A + C + D = 18).
    return measures_from_records(
        [
            {"id": "A", "abatement": 10, "capex": 10, "lifetime": 1, "group": "g"},
            {"id": "B", "abatement": 20, "capex": 50, "lifetime": 1, "group": "g"},
            {"id": "C", "abatement": 5, "capex": 1, "lifetime": 1, "prerequisites": ["A"]},
            {"id": "D", "abatement": 3, "capex": 1, "lifetime": 1},
        ],
        discount_rate=0.0,
        source="grouped",
    )


def test_infeasible_target_reports_the_maximum_achievable():
    p = _grouped()
    assert max_abatement(p) == (23.0, ["B", "D"])
    with pytest.raises(InfeasibleError, match=r"the most the measures can abate.* is 23 t CO2e") as info:
        optimise(p, target=24)
    assert info.value.achievable == pytest.approx(23) and info.value.code == "macc_infeasible"
    # Partial adoption does not loosen the groups: still 23.
    with pytest.raises(InfeasibleError, match="is 23 t CO2e"):
        optimise(p, target=24, partial=True)
    assert optimise(p, target=23).selected == ["B", "D"]
    with pytest.raises(InfeasibleError, match="least any selection spends is 0"):
        optimise(p, budget=-1)
    with pytest.raises(MaccError, match="either a target abatement or a budget"):
        optimise(p, target=1, budget=1)


def test_link_errors_name_measure_and_field():
    records = [
        {"id": "a", "abatement": 1, "lifetime": 1, "prerequisites": ["nope"]},
        {"id": "b", "abatement": 1, "lifetime": 1},
    ]
    with pytest.raises(InvalidRecordsError) as info:
        measures_from_records(records, source="links")
    assert "row 1, column 'prerequisites': unknown measure id (value 'nope')" in str(info.value)
    cycle = [
        {"id": "x", "abatement": 1, "lifetime": 1, "prerequisites": ["y"]},
        {"id": "y", "abatement": 1, "lifetime": 1, "prerequisites": ["x"]},
    ]
    with pytest.raises(InvalidRecordsError, match="prerequisite cycle"):
        measures_from_records(cycle)
    conflict = [
        {"id": "p", "abatement": 1, "lifetime": 1, "group": "g", "prerequisites": ["q"]},
        {"id": "q", "abatement": 1, "lifetime": 1, "group": "g"},
    ]
    with pytest.raises(InvalidRecordsError, match="can never be adopted: it needs p, q, exclusive in group 'g'"):
        measures_from_records(conflict)
    with pytest.raises(InvalidRecordsError, match="duplicate id"):
        measures_from_records([records[1], records[1]])


def test_bad_measures_table_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,abatement,capex,lifetime\nok,10,5,ten\nneg,10,-5,3\n,5,1,1\n", encoding="utf-8")
    with pytest.raises(InvalidRecordsError) as info:
        read_measures(path)
    text = info.value.report()
    assert f"{path}: row 1, column 'lifetime'" in text and "'ten'" in text
    assert "row 2, column 'capex': Input should be greater than or equal to 0" in text
    assert "row 3, column 'id': Field required" in text
    path.write_text("id,abatement,lifetime,cost\nok,10,3,1\n", encoding="utf-8")
    with pytest.raises(InvalidRecordsError, match="row 0, column 'cost': unknown column"):
        read_measures(path)
    path.write_text("id,abatement,abatement_2030,lifetime\nok,10,5,3\n", encoding="utf-8")
    with pytest.raises(InvalidRecordsError, match="either abatement or abatement_<year>"):
        read_measures(path)
    with pytest.raises(MaccError, match="unknown format"):
        read_measures(tmp_path / "x.txt")


# --------------------------------------------------------------------------- files
def test_csv_xlsx_and_yaml_files_agree(tmp_path):
    csv = read_measures(DATA / "measures.csv")
    assert csv.ids == ["led", "retrofit", "pv", "heat_pump", "gas_boiler", "chargers", "ebus"]
    assert csv.base_year == 2026  # the earliest start year
    ebus = csv.measures[-1]
    assert ebus.prerequisites == ("chargers",) and csv.measures[3].group == "heating"
    xlsx = tmp_path / "measures.xlsx"
    pd.read_csv(DATA / "measures.csv").to_excel(xlsx, index=False)
    cols = ["pv_cost", "levelised_cost", "annualised_cost", "cumulative_abatement"]
    pd.testing.assert_frame_equal(read_measures(xlsx).costs()[cols], csv.costs()[cols])
    yml = read_measures(DATA / "measures.yaml").costs()
    same = [i for i in csv.ids if i != "pv"]  # the YAML's pv has a per-year table
    pd.testing.assert_frame_equal(yml.loc[same, cols], csv.costs().loc[same, cols])
    # LED: 2e6 capex, 5e5/yr savings, 10 yr, 1000 t/yr at 6 %: a negative cost, first on the curve.
    v = 1 / 1.06
    led = (2e6 - 5e5 * sum(v**k for k in range(10))) / (1000 * sum(v**k for k in range(10)))
    assert csv.costs().loc["led", "levelised_cost"] == pytest.approx(led, rel=RTOL)
    assert build_macc(csv).bars()[0]["id"] == "led"


# --------------------------------------------------------------------------- from a scenario model
@pytest.fixture(scope="module")
def scenario():
    from zerocity.brain.scenario import load_model, run_scenarios, wedges

    model = load_model(DATA / "small_scenario.yaml")
    runs = run_scenarios(model, ["BAU", "coal_only", "grid_only"]).runs
    return {
        "model": model,
        "alone": {
            "less_coal": runs["BAU"].total() - runs["coal_only"].total(),
            "cleaner_grid": runs["BAU"].total() - runs["grid_only"].total(),
        },
        "standalone": portfolio_from_scenario(model, "BAU", "policy"),
        "wedge": portfolio_from_scenario(model, "BAU", "policy", effect=Effect.WEDGE),
        "wedges": wedges(model, "BAU", "policy"),
    }


def test_from_scenario_standalone_abatement_and_costs_by_hand(scenario):
    p = scenario["standalone"]
    assert p.ids == ["less_coal", "cleaner_grid"] and p.base_year == 2024
    assert "standalone effect" in p.notes[0] and "BAU -> policy" in p.notes[0]
    years = np.arange(2024, 2031)
    disc = 1.06 ** -(years - 2024.0)
    coal = scenario["alone"]["less_coal"]  # BAU minus the scenario with this measure alone
    grid = scenario["alone"]["cleaner_grid"]
    np.testing.assert_allclose(coal[:2], 0, atol=1e-9)
    np.testing.assert_allclose(p.abatement[0], coal, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(p.abatement[1], grid, rtol=1e-12, atol=1e-9)
    costs = p.costs()
    # less_coal: capex 1e6 in 2026 (its first override year), opex 1000/yr from 2026.
    cost = 1e6 * disc[2] + 1000 * disc[2:].sum()
    assert costs.loc["less_coal", "levelised_cost"] == pytest.approx(cost / (coal * disc).sum(), rel=RTOL)
    # cleaner_grid: capex 2e6 in capex_year 2026, opex -5000/yr (a saving) from 2027.
    cost = 2e6 * disc[2] - 5000 * disc[3:].sum()
    assert costs.loc["cleaner_grid", "savings"] == 5000 and costs.loc["cleaner_grid", "opex"] == 0
    assert costs.loc["cleaner_grid", "levelised_cost"] == pytest.approx(cost / (grid * disc).sum(), rel=RTOL)


def test_from_scenario_wedge_effect_reproduces_the_scenario_engine_cost(scenario):
    p = scenario["wedge"]
    table = scenario["wedges"]
    np.testing.assert_allclose(p.abatement.sum(axis=0), table.start_total - table.end_total, rtol=1e-12, atol=1e-9)
    costs = p.costs()
    for name in ("less_coal", "cleaner_grid"):
        engine = table.costs[name]["levelised_cost_per_tco2e"]
        assert costs.loc[name, "levelised_cost"] == pytest.approx(engine, rel=RTOL)
    # The measures interact: the coal switch adds electricity, which the cleaner grid (applied second)
    # then cleans, so the grid's wedge exceeds its standalone effect and standalone effects do not add up.
    alone = scenario["standalone"].abatement
    assert p.abatement[1].sum() > alone[1].sum() * (1 + 1e-3)
    np.testing.assert_allclose(p.abatement[0], alone[0], rtol=1e-12)  # the first wedge is its standalone effect
    assert alone.sum() < (table.start_total - table.end_total).sum()


# --------------------------------------------------------------------------- CLI
def _cli():
    app = typer.Typer()
    app.add_typer(macc_app, name="macc")
    return app


def test_cli_build_json_bars():
    result = CliRunner().invoke(_cli(), ["macc", "build", str(DATA / "measures.csv"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    bars = data["bars"]
    assert [b["id"] for b in bars] == ["led", "pv", "retrofit", "ebus", "heat_pump", "gas_boiler"]
    heights = [b["height"] for b in bars]
    assert heights == sorted(heights) and heights[0] < 0
    assert all(b["x1"] - b["x0"] == pytest.approx(b["width"]) for b in bars)
    assert all(a["x1"] == pytest.approx(b["x0"]) for a, b in itertools.pairwise(bars))
    assert bars[0]["x0"] == 0 and bars[0]["width"] == 10 * 1000  # 1000 t/yr for 10 years
    assert data["basis"] == {"kind": "cumulative", "period": [2026, 2051], "unit": "t CO2e",
                             "label": "cumulative abatement 2026-2051"}  # fmt: skip
    table = CliRunner().invoke(_cli(), ["macc", "build", str(DATA / "measures.csv"), "--year", "2030"])
    assert table.exit_code == 0 and "│ led " in table.stdout and "nan" not in table.stdout


def test_cli_optimise_json_and_infeasible():
    runner = CliRunner()
    args = ["macc", "optimise", str(DATA / "measures.yaml"), "--year", "2030"]
    # In 2030: led 1000, retrofit 3000, pv 5000, ebus 4000 (needs chargers), heat pumps 8000 or gas 6000.
    result = runner.invoke(_cli(), [*args, "--target", "12000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["status"] == "optimal" and data["method"] == "milp" and data["mip_gap"] <= 1e-6
    assert data["abatement"] >= 12000 and data["basis"]["kind"] == "year"
    if "ebus" in data["selected"]:
        assert "chargers" in data["selected"]
    assert not {"heat_pump", "gas_boiler"} <= set(data["selected"])
    budget = runner.invoke(_cli(), [*args, "--budget", "1.0e8", "--json"])
    assert budget.exit_code == 0, budget.output
    assert json.loads(budget.stdout)["capex"] <= 1.0e8
    text = runner.invoke(_cli(), [*args, "--target", "12000"])
    assert text.exit_code == 0 and "Adopted measures" in text.stdout
    bad = runner.invoke(_cli(), [*args, "--target", "30000"])
    assert bad.exit_code == 2
    # Most in 2030: 1000 + 3000 + 5000 + 4000 + 8000 (heat pumps, the larger of the pair).
    assert "error [macc_infeasible]" in bad.stderr and "is 21,000 t CO2e/yr" in bad.stderr
    neither = runner.invoke(_cli(), ["macc", "optimise", str(DATA / "measures.csv")])
    assert neither.exit_code == 2 and "either a target abatement or a budget" in neither.stderr


def test_cli_from_scenario(scenario):
    runner = CliRunner()
    model = str(DATA / "small_scenario.yaml")
    result = runner.invoke(_cli(), ["macc", "build", "--from-scenario", model, "--to", "policy", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    costs = scenario["standalone"].costs()
    assert {b["id"]: b["height"] for b in data["bars"]} == pytest.approx(costs["levelised_cost"].to_dict())
    assert "standalone effect" in data["portfolio"]["notes"][0]
    both = runner.invoke(_cli(), ["macc", "build", str(DATA / "measures.csv"), "--from-scenario", model])
    assert both.exit_code == 2 and "not both" in both.stderr
