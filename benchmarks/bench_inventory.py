"""Benchmark: the inventory engine's emission-factor path on 1,000,000 records.

Targets (issue 2): at least 1,000,000 records per second on one core for the emission-factor
path, and at least 50 times a straightforward per-record Python loop doing the same arithmetic,
measured in the same run.

What is timed:
* ``engine``: :func:`zerocity.inventory.compute.compute_emissions` on validated records -- key
  resolution (once per distinct key) and the columnar arithmetic for CO2, CH4 and N2O, with
  library and explicit (row) factors.
* ``loop``: the same arithmetic as a per-record Python loop, given the coefficients already
  resolved per key (so the loop is timed on arithmetic alone, which favours it).
* ``validate`` and ``end_to_end`` (validation + engine + GWP + aggregation) are printed for
  information.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from zerocity.factors import default_library
from zerocity.inventory.compute import COMBUSTION_GASES, compute_emissions
from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.methods import emission_coefficient
from zerocity.inventory.records import prepare_records

N = int(os.environ.get("ZEROCITY_BENCH_RECORDS", "1000000"))

FUELS = [
    ("natural_gas", "m3", "I.1.1"),
    ("natural_gas", "wan_m3", "I.2.1"),
    ("raw_coal", "t", "I.3.1"),
    ("coke", "t", "I.3.1"),
    ("diesel", "t", "II.1.1"),
    ("gasoline", "t", "II.1.1"),
    ("lpg", "kg", "I.1.1"),
    ("fuel_oil", "t", "I.3.1"),
    ("electricity_grid", "MWh", "I.3.2"),
    ("heat_purchased", "GJ", "I.2.2"),
    ("motor_gasoline", "TJ", "II.1.1"),
    ("other_bituminous_coal", "t", "I.4.4"),
]


def make_records(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(FUELS), n)
    fuels = np.array([f[0] for f in FUELS], dtype=object)[pick]
    units = np.array([f[1] for f in FUELS], dtype=object)[pick]
    refs = np.array([f[2] for f in FUELS], dtype=object)[pick]
    years = rng.integers(2019, 2023, n)
    amount = rng.lognormal(3.0, 1.0, n)
    # A fifth of the diesel rows carry their own CO2 factor (explicit path).
    explicit = (fuels == "diesel") & (rng.random(n) < 0.2)
    return pd.DataFrame(
        {
            "year": years,
            "gpc_ref": refs,
            "activity": fuels,
            "amount": amount,
            "unit": units,
            "region": np.where(rng.random(n) < 0.5, "CN-JS", "CN"),
            "ef_co2": np.where(explicit, 3.10, np.nan),
            "ef_unit": np.where(explicit, "t/t", ""),
        }
    )


def loop_baseline(records: pd.DataFrame, library) -> float:
    """Per-record Python loop with coefficients pre-resolved per key; returns seconds."""
    coef: dict[tuple, dict[str, float]] = {}
    keys = records[["activity", "unit", "gpc_ref", "region", "year"]].drop_duplicates()
    for k in keys.itertuples(index=False):
        per_gas = {}
        for gas in COMBUSTION_GASES:
            c = emission_coefficient(
                library, activity=k.activity, unit=k.unit, gas=gas, gpc_ref=k.gpc_ref, region=k.region, year=int(k.year)
            )
            if c is not None:
                per_gas[gas] = c.tonnes_per_unit
        coef[tuple(k)] = per_gas
    rows = list(
        zip(
            records["activity"],
            records["unit"],
            records["gpc_ref"],
            records["region"],
            records["year"],
            records["amount"],
            records["ef_co2"],
            strict=True,
        )
    )
    t0 = time.perf_counter()
    out = []
    for act, unit, ref, reg, year, amount, ef in rows:
        per_gas = coef[(act, unit, ref, reg, year)]
        gases = {}
        for gas, k in per_gas.items():
            gases[gas] = amount * (ef if gas == "CO2" and ef == ef else k)
        out.append(gases)
    return time.perf_counter() - t0


def main() -> dict[str, float]:
    lib = default_library()
    raw = make_records(N)
    t0 = time.perf_counter()
    prepared = prepare_records(raw, library=lib, default_region="CN")
    t_validate = time.perf_counter() - t0
    compute_emissions(prepared.head(1000), lib)  # warm caches of unit parsing
    t0 = time.perf_counter()
    em = compute_emissions(prepared, lib)
    t_engine = time.perf_counter() - t0
    t_loop = loop_baseline(prepared, lib)
    t0 = time.perf_counter()
    res = compute_inventory(raw, library=lib, region="CN")
    total = res.total()
    t_e2e = time.perf_counter() - t0
    figures = {
        "records": float(N),
        "engine_s": t_engine,
        "engine_records_per_s": N / t_engine,
        "loop_s": t_loop,
        "loop_records_per_s": N / t_loop,
        "speedup_vs_loop": t_loop / t_engine,
        "validate_s": t_validate,
        "end_to_end_s": t_e2e,
        "end_to_end_records_per_s": N / t_e2e,
    }
    print(f"inventory engine, {N:,} records ({len(em.table):,} gas rows, total {total / 1e6:,.1f} MtCO2e)")
    print(f"  emission-factor path: {t_engine:7.3f} s  {N / t_engine:12,.0f} records/s   (target >= 1,000,000)")
    print(f"  per-record loop:      {t_loop:7.3f} s  {N / t_loop:12,.0f} records/s")
    print(f"  speed-up vs loop:     {t_loop / t_engine:7.1f} x                         (target >= 50)")
    print(f"  validation:           {t_validate:7.3f} s")
    print(f"  end to end:           {t_e2e:7.3f} s  {N / t_e2e:12,.0f} records/s (validate+compute+GWP+totals)")
    return figures


if __name__ == "__main__":
    main()
