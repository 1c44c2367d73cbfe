"""Benchmark: Monte Carlo over a 50-branch, 40-year scenario model, vectorised against a per-sample loop.

Target (issue 6): 10,000 samples of the model's uncertain assumptions in under 10 s on one core.
The model: 5 sectors x 10 leaf branches, each with an activity driven by an uncertain assumption
(elasticity and growth uncertain) and 3 fuels with uncertain intensity trends; a grid factor with
an uncertain 2060 value; a policy scenario with measures. The baseline evaluates the same model
one sample at a time (the same draws, ``Draws.subset``) for a SUBSET of samples; the ratio
compares samples per second. Both results are checked equal on the subset.
"""

from __future__ import annotations

import os
import time

import numpy as np

from zerocity.brain.scenario import compile_model, resolve_coefficients
from zerocity.brain.scenario.engine import evaluate
from zerocity.brain.scenario.pathways import _chain
from zerocity.brain.scenario.series import Draws
from zerocity.inventory.gpc import Level

RUNS = int(os.environ.get("ZEROCITY_BENCH_SCENARIO_RUNS", "10000"))
SUBSET = int(os.environ.get("ZEROCITY_BENCH_SCENARIO_SUBSET", "200"))
SECTORS = {"I.1": "residential", "I.2": "commercial", "I.3": "industry", "I.5": "agriculture", "II.1": "road"}


def model_50_branches() -> dict:
    """A 40-year model (2021-2060) with 50 leaf branches and ~360 uncertain numbers."""
    assumptions = {
        "population": {
            "unit": "person",
            "value": 5e6,
            "growth": {2022: {"normal": [0.004, 0.002]}, 2035: {"normal": [-0.002, 0.002]}},
        },
        "gdp": {
            "unit": "wan_yuan",
            "value": 1e8,
            "growth": {2022: {"normal": [0.05, 0.01]}, 2035: {"normal": [0.03, 0.01]}},
        },
    }
    fuels = {
        "raw_coal": {"unit": "t"},
        "natural_gas": {"unit": "m3"},
        "diesel": {"unit": "t"},
        "electricity": {"unit": "MWh", "activity": "electricity_grid", "carrier": True},
    }
    demand: dict = {}
    for s_i, (ref, sector) in enumerate(SECTORS.items()):
        branches = {}
        for b in range(10):
            driver = "population" if s_i in (0, 4) else "gdp"
            branches[f"b{b}"] = {
                "activity": {"value": 1e5 * (1 + b), "driver": driver, "elasticity": {"triangular": [0.6, 0.9, 1.1]}},
                "intensity": {
                    fuel: {"value": 0.01 * (1 + b % 3), "growth": {"normal": [-0.02, 0.01]}}
                    for fuel in (
                        ("diesel", "electricity") if ref == "II.1" else ("raw_coal", "natural_gas", "electricity")
                    )
                },
            }
        demand[sector] = {"gpc": ref, "branches": branches}
    measures = {
        f"efficiency_{sector}": {
            "overrides": [
                {
                    "variable": f"demand.{sector}.b{b}.intensity.electricity",
                    "from": 2026,
                    "scale": {2035: {"uniform": [0.7, 0.9]}},
                }
                for b in range(10)
            ]
        }
        for sector in SECTORS.values()
    }
    return {
        "name": "Benchmark city",
        "region": "CN-JS",
        "base_year": 2021,
        "end_year": 2060,
        "assumptions": assumptions,
        "fuels": fuels,
        "demand": demand,
        "supply": {"electricity": {"factor": {"interp": {2060: {"uniform": [0.05, 0.3]}}}}},
        "measures": measures,
        "scenarios": {"BAU": {}, "policy": {"parent": "BAU", "measures": list(measures)}},
    }


def main() -> None:
    model = compile_model(model_50_branches(), source="benchmark model")
    leaves = len(model.leaves)
    t0 = time.perf_counter()
    coef = resolve_coefficients(model)
    t_coef = time.perf_counter() - t0
    chain = _chain(model, "policy")
    t0 = time.perf_counter()
    draws = Draws.sample(model.numbers(), RUNS, seed=1)
    t_draw = time.perf_counter() - t0
    t0 = time.perf_counter()
    ens = evaluate(model, chain, coefficients=coef, draws=draws)
    t_vec = time.perf_counter() - t0
    t0 = time.perf_counter()
    loop = np.stack(
        [evaluate(model, chain, coefficients=coef, draws=draws.subset(i)).total(Level.BASIC) for i in range(SUBSET)]
    )
    t_loop = time.perf_counter() - t0
    np.testing.assert_allclose(ens.totals[Level.BASIC][:SUBSET], loop, rtol=1e-10)
    peak = ens.peak_distribution(Level.BASIC)
    vec_rate = RUNS / t_vec
    loop_rate = SUBSET / t_loop
    print(
        f"scenario Monte Carlo: {leaves} leaf branches, {len(ens.years)} years, {len(draws.values)} uncertain numbers, "
        f"{RUNS:,} samples"
    )
    print(f"  factor resolution (once per model): {t_coef:.2f} s; drawing samples: {t_draw:.2f} s")
    print(f"  vectorised: {t_vec:.2f} s for {RUNS:,} samples ({vec_rate:,.0f} samples/s); target < 10 s")
    print(
        f"  per-sample loop: {t_loop:.2f} s for {SUBSET} samples ({loop_rate:,.0f} samples/s; "
        f"{RUNS / loop_rate:,.0f} s extrapolated to {RUNS:,}); speed-up x{vec_rate / loop_rate:,.0f}"
    )
    print(
        f"  peak year median {peak['peak_year']}, 90% interval {peak['peak_year_interval']}, "
        f"P(no peak) {peak['p_no_peak']:.3f}"
    )


if __name__ == "__main__":
    main()
