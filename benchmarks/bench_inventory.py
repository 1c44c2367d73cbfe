"""Benchmark: the inventory engine's emission-factor path on 1,000,000 records.

Targets (issue 2): at least 1,000,000 records per second on one core for the emission-factor
path, and at least 50 times a straightforward per-record Python loop doing the same arithmetic,
measured in the same run.

What is timed:
* ``arithmetic, columnar``: what the engine runs per record -- key coding of every record
  (:func:`zerocity.inventory.compute.key_codes`) and :func:`~zerocity.inventory.compute.factor_tonnes`
  for CO2, CH4 and N2O, library and explicit (row) factors. Factor resolution happens once per
  distinct key (a few hundred) and is given to both sides untimed.
* ``per-record loop``: the same arithmetic as a plain Python loop over the records, with the same
  resolved coefficients (a dict keyed by the record's key). Both results are compared.
* Both are timed REPEATS times and the best run is kept.
* ``compute_emissions`` cold (a fresh library: every key resolved) and warm, validation, and
  end to end (validation + engine + GWP + aggregation) are printed for information.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from zerocity.factors import default_library
from zerocity.inventory.compute import COMBUSTION_GASES, FACTOR_KEY, compute_emissions, factor_tonnes, key_codes
from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.methods import emission_coefficient, explicit_coefficient
from zerocity.inventory.records import prepare_records

N = int(os.environ.get("ZEROCITY_BENCH_RECORDS", "1000000"))
REPEATS = 3

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


def resolved_coefficients(records: pd.DataFrame, library) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Distinct factor keys and each gas's coefficient per key (resolution, untimed, shared by both)."""
    _, keys = key_codes(records, FACTOR_KEY)
    coef = {gas: np.full(len(keys), np.nan) for gas in COMBUSTION_GASES}
    for i, k in enumerate(keys.itertuples(index=False)):
        for gas in COMBUSTION_GASES:
            c = emission_coefficient(
                library,
                activity=k.activity,
                unit=k.unit,
                gas=gas,
                gpc_ref=k.gpc_ref,
                region=k.region,
                year=int(k.year),
                factor_id=k.factor_id,
            )
            if c is not None:
                coef[gas][i] = c.tonnes_per_unit
    return keys, coef


def explicit_inputs(records: pd.DataFrame, library) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with their own CO2 factor, the factor and its unit coefficient (resolution untimed)."""
    rows = np.flatnonzero(records["ef_co2"].notna().to_numpy())
    sub = records.iloc[rows]
    k = {
        key: explicit_coefficient(
            library, activity=key[0], unit=key[1], ef_unit=key[2], region=key[3], year=key[4]
        ).tonnes_per_unit
        for key in set(zip(sub["activity"], sub["unit"], sub["ef_unit"], sub["region"], sub["year"], strict=True))
    }
    coef = np.array(
        [k[key] for key in zip(sub["activity"], sub["unit"], sub["ef_unit"], sub["region"], sub["year"], strict=True)]
    )
    return rows, sub["ef_co2"].to_numpy(dtype=float), coef


def time_kernel(records: pd.DataFrame, coef: dict[str, np.ndarray], explicit: tuple) -> tuple[float, dict]:
    """Columnar arithmetic: key coding of every record, then tonnes of each gas (timed)."""
    amount = records["amount"].to_numpy(dtype=float)
    rows, ef, ecoef = explicit
    t0 = time.perf_counter()
    codes, _ = key_codes(records, FACTOR_KEY)
    out = {}
    for gas in COMBUSTION_GASES:
        if gas == "CO2":
            out[gas] = factor_tonnes(
                amount, codes, coef[gas], explicit_rows=rows, explicit_factor=ef, explicit_coef=ecoef
            )
        else:
            out[gas] = factor_tonnes(amount, codes, coef[gas])
    return time.perf_counter() - t0, out


def time_loop(records: pd.DataFrame, keys: pd.DataFrame, coef: dict[str, np.ndarray], explicit: tuple) -> tuple:
    """The same arithmetic as a straightforward per-record Python loop (timed).

    Inputs are prepared outside the timing, as for the kernel: the records as Python values, the
    coefficients per key in a dict (the loop's equivalent of key coding is the dict lookup).
    """
    table = {tuple(k): {g: coef[g][i] for g in COMBUSTION_GASES} for i, k in enumerate(keys.itertuples(index=False))}
    rows, ef, ecoef = explicit
    own = dict(zip(rows.tolist(), zip(ef.tolist(), ecoef.tolist(), strict=True), strict=True))
    cols = [records[c].astype(object).tolist() for c in FACTOR_KEY]
    amounts = records["amount"].tolist()
    t0 = time.perf_counter()
    out = []
    for i, key in enumerate(zip(*cols, strict=True)):
        per_gas = table[key]
        amount = amounts[i]
        gases = {}
        for gas, k in per_gas.items():
            if gas == "CO2" and i in own:
                factor, unit_coef = own[i]
                gases[gas] = amount * factor * unit_coef
            elif k == k:  # not NaN: the key has a factor for this gas
                gases[gas] = amount * k
        out.append(gases)
    return time.perf_counter() - t0, out


def main() -> dict[str, float]:
    lib = default_library()
    raw = make_records(N)
    t0 = time.perf_counter()
    prepared = prepare_records(raw, library=lib, default_region="CN")
    t_validate = time.perf_counter() - t0

    keys, coef = resolved_coefficients(prepared, lib)
    explicit = explicit_inputs(prepared, lib)
    # Best of REPEATS for both sides (the usual way to time on a machine with other load).
    t_kernel, kernel_out = min((time_kernel(prepared, coef, explicit) for _ in range(REPEATS)), key=lambda r: r[0])
    t_loop, loop_out = min((time_loop(prepared, keys, coef, explicit) for _ in range(REPEATS)), key=lambda r: r[0])
    # Both must compute the same numbers.
    probe = np.random.default_rng(1).integers(0, N, 1000)
    for i in probe:
        for gas, value in loop_out[i].items():
            assert abs(kernel_out[gas][i] - value) <= 1e-9 * abs(value), (i, gas)

    fresh = default_library.__wrapped__()  # a library with empty caches: resolution included
    t0 = time.perf_counter()
    em = compute_emissions(prepared, fresh)
    t_engine_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    compute_emissions(prepared, fresh)
    t_engine_warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = compute_inventory(raw, library=lib, region="CN")
    total = res.total()
    t_e2e = time.perf_counter() - t0

    figures = {
        "records": float(N),
        "kernel_s": t_kernel,
        "kernel_records_per_s": N / t_kernel,
        "loop_s": t_loop,
        "speedup_vs_loop": t_loop / t_kernel,
        "engine_cold_s": t_engine_cold,
        "engine_warm_s": t_engine_warm,
        "validate_s": t_validate,
        "end_to_end_s": t_e2e,
    }
    print(f"inventory engine, {N:,} records ({len(em.table):,} gas rows, total {total / 1e6:,.1f} MtCO2e)")
    print(
        f"  emission-factor arithmetic, columnar: {t_kernel:7.3f} s  {N / t_kernel:13,.0f} records/s"
        "  (target >= 1,000,000)"
    )
    print(f"  same arithmetic, per-record loop:     {t_loop:7.3f} s  {N / t_loop:13,.0f} records/s")
    print(f"  speed-up:                             {t_loop / t_kernel:7.1f} x                          (target >= 50)")
    print(
        f"  compute_emissions, cold library:      {t_engine_cold:7.3f} s  {N / t_engine_cold:13,.0f} records/s  "
        "(resolution of every key + arithmetic + emission table)"
    )
    print(f"  compute_emissions, warm library:      {t_engine_warm:7.3f} s  {N / t_engine_warm:13,.0f} records/s")
    print(f"  validation (prepare_records):         {t_validate:7.3f} s  {N / t_validate:13,.0f} records/s")
    print(f"  end to end (validate+compute+GWP+totals): {t_e2e:7.3f} s  {N / t_e2e:9,.0f} records/s")
    return figures


if __name__ == "__main__":
    main()
