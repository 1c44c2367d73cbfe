"""Benchmark: city-scale rooftop PV over all Demo City roofs, and a one-year hourly battery sizing.

PV (issue 8): every Demo City roof (public, industrial, residential; ~35,000) through the pvlib
PVWatts chain. The vectorised run groups roofs by orientation class (tilt, azimuth, mounting,
module) so pvlib runs once per class; the baseline runs pvlib once per roof for a SUBSET of roofs
and is extrapolated. Both give the same energy on the subset (checked).

Storage: one year of hourly steps (8760) for a Demo City industrial user (4 GWh/yr) on the
Jiangsu time-of-use example tariff with a demand charge; the battery's energy and power are
chosen by the LP. Timed with HiGHS interior point + crossover (zerocity's setting) and, as the
baseline, HiGHS dual simplex (its default); both optima are checked equal.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from zerocity.demo import build_demo_city
from zerocity.demo.roofs import demo_roofs, demo_weather
from zerocity.energy.pv import PvDesign, Roof, ac_per_kwp, city_potential, grid_factor, kwp_of
from zerocity.energy.storage import load_profile, load_tariff, size_storage

SUBSET = int(os.environ.get("ZEROCITY_BENCH_PV_SUBSET", "200"))
SIMPLEX = os.environ.get("ZEROCITY_BENCH_STORAGE_SIMPLEX", "1") == "1"


def bench_city() -> None:
    t0 = time.perf_counter()
    city = build_demo_city()
    roofs = demo_roofs(city)
    t_roofs = time.perf_counter() - t0
    t0 = time.perf_counter()
    weather = demo_weather()
    _ = weather.solar  # solar position, shared by every class and roof
    t_weather = time.perf_counter() - t0
    grid = grid_factor("CN-JS", 2024)
    t0 = time.perf_counter()
    result = city_potential(roofs, weather, grid=grid)
    t_city = time.perf_counter() - t0
    totals = result.totals()

    subset = roofs.sample(SUBSET, random_state=0)
    designs = {}
    t0 = time.perf_counter()
    loop_kwh = []
    for row in subset.itertuples(index=False):
        design = designs.setdefault(row.mounting, PvDesign.default(row.mounting))
        kwp = float(kwp_of(row.area_m2, row.usable_fraction, design.module))
        Roof(id=row.roof_id, area_m2=row.area_m2, tilt=row.tilt, azimuth=row.azimuth)  # validation as estimate does
        loop_kwh.append(kwp * float(ac_per_kwp(weather, row.tilt, row.azimuth, design).sum()))
    t_loop = time.perf_counter() - t0
    vec = result.roofs.set_index("roof_id").loc[subset["roof_id"], "kwh"].to_numpy()
    np.testing.assert_allclose(vec, loop_kwh, rtol=1e-9)
    per_roof = t_loop / SUBSET
    print(f"city PV: {int(totals['roofs']):,} Demo City roofs, {result.classes} orientation classes")
    print(f"  building roofs {t_roofs:.2f} s (incl. the Demo City); weather year + solar position {t_weather:.2f} s")
    print(
        f"  vectorised by class: {t_city:.2f} s for all roofs; {totals['kwp'] / 1e3:,.0f} MWp, "
        f"{totals['mwh_per_year'] / 1e3:,.0f} GWh/yr, {totals['tco2_per_year'] / 1e3:,.0f} kt CO2/yr"
    )
    print(
        f"  per-roof pvlib loop: {t_loop:.2f} s for {SUBSET} roofs ({per_roof * 1e3:.1f} ms/roof; "
        f"{per_roof * len(roofs):,.0f} s extrapolated to all); speed-up x{per_roof * len(roofs) / t_city:,.0f}"
    )


def bench_storage() -> None:
    index = pd.date_range("2023-01-01", "2024-01-01", freq="h", inclusive="left")
    load = load_profile("industrial", 4_000_000.0, index)
    tariff = load_tariff()
    t0 = time.perf_counter()
    ipm = size_storage(load, tariff)
    t_ipm = time.perf_counter() - t0
    worst = max(ipm.violations().values())
    print(f"storage sizing: {len(index):,} hourly steps, 12 monthly peaks, energy and power chosen")
    print(
        f"  HiGHS interior point + crossover: {t_ipm:.2f} s (model build and solve); E {ipm.energy_kwh:,.1f} kWh, "
        f"P {ipm.power_kw:,.1f} kW, savings {ipm.annual_bill_savings:,.0f} yuan/yr, "
        f"payback {ipm.simple_payback_years or float('nan'):.1f} yr, largest violation {worst:.1e}"
    )
    if SIMPLEX:
        t0 = time.perf_counter()
        simplex = size_storage(load, tariff, solver_options={"solver": "simplex"})
        t_simplex = time.perf_counter() - t0
        assert abs(simplex.objective - ipm.objective) <= 1e-6 * abs(ipm.objective)
        print(f"  HiGHS dual simplex (baseline): {t_simplex:.2f} s; same optimum; ratio x{t_simplex / t_ipm:.1f}")


def main() -> None:
    bench_city()
    bench_storage()


if __name__ == "__main__":
    main()
