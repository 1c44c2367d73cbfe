"""Benchmark: one capacity-expansion solve of Demo City's park over 8760 hours (linopy + HiGHS).

Target (issue 8): 8760 hours, 10 technologies, one solve under 60 s on this machine, with the
model build time printed separately. The park has 9 technologies (PV, wind, battery, heat pump,
gas boiler, CHP, thermal store, EV charging, demand response) and 2 sources (grid, gas). For
scale, the same system on 12 representative days is solved in the same run.
"""

from __future__ import annotations

import time

from zerocity.demo.energy_system import demo_system
from zerocity.energy.planning import build_model, optimise
from zerocity.energy.system import load_system


def main() -> None:
    t0 = time.perf_counter()
    year = load_system(data=demo_system())
    t_profiles = time.perf_counter() - t0
    pm = build_model(year)
    plan = optimise(year, model=pm)
    techs = len(year.spec.technologies)
    print(
        f"energy planning: {len(year.snapshots)} snapshots, {techs} technologies and sources, "
        f"{pm.model.nvars:,} variables, {pm.model.ncons:,} constraints"
    )
    print(f"  profiles generated in {t_profiles:.1f} s; model built in {pm.build_seconds:.1f} s")
    print(f"  solve (HiGHS interior point, no crossover): {plan.solve_seconds:.1f} s; target < 60 s")
    print(
        f"  min cost {plan.objectives['cost'] / 1e6:,.2f} M yuan/yr, CO2 {plan.objectives['co2']:,.0f} t/yr, "
        f"self-sufficiency {plan.self_sufficiency:.1%}"
    )
    days = load_system(data=demo_system(representative=True))
    small = optimise(days)
    gap = small.objectives["cost"] / plan.objectives["cost"] - 1
    print(
        f"  12 representative days: {len(days.snapshots)} snapshots solved in {small.solve_seconds:.2f} s; "
        f"cost {gap:+.1%} against the full year"
    )


if __name__ == "__main__":
    main()
