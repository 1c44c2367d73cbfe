"""Benchmark: the sector methods on large inputs, landfill first order decay above all.

First order decay is the heaviest sector method: every deposit row contributes to every later
inventory year. What is timed:

* ``fod kernel``: :func:`zerocity.inventory.sectors.waste.fod_decomposed`, the columnar decay
  arithmetic, on a landfill history of SITES sites x 5 waste types x 35 years (1990-2024) for the
  inventory years 2015-2024;
* ``per-deposit loop``: the IPCC Waste Model's recursion (Eq. 3.4/3.5) run per deposit in plain
  Python on the same deposits; the two totals must agree to 1e-9;
* ``engine``: ``compute_inventory`` on the same rows end to end (validation, parameter
  resolution per distinct key, recovery and oxidation, provenance, aggregation);
* ``all sectors``: the engine on the example files of ``examples/`` repeated to about 100,000
  rows (waste, IPPU and agriculture mixed), for information.

Best of REPEATS runs each. The kernel must stay columnar: the ratio loop / kernel is printed.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pandas as pd

from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.sectors.waste import fod_decomposed

SITES = int(os.environ.get("ZEROCITY_BENCH_FOD_SITES", "2000"))
REPEATS = 3
TYPES = {  # IPCC 2006 Vol. 5 Table 2.4 DOC (wet) and Table 3.3 k, boreal/temperate wet
    "msw_food": (0.15, 0.185),
    "msw_paper": (0.40, 0.06),
    "msw_wood": (0.43, 0.03),
    "msw_garden": (0.20, 0.10),
    "msw_textiles": (0.24, 0.06),
}
INVENTORY_YEARS = list(range(2015, 2025))
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def landfill_history(sites: int, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(1990, 2025)
    s, y, t = np.meshgrid(np.arange(sites), years, np.arange(len(TYPES)), indexing="ij")
    return pd.DataFrame(
        {
            "year": y.ravel(),
            "gpc_ref": "III.1.1",
            "method": "fod",
            "activity": np.array(list(TYPES))[t.ravel()],
            "amount": rng.uniform(100.0, 5000.0, s.size),
            "unit": "t",
            "site": np.char.add("site-", s.ravel().astype(str)),
            "swds_type": "managed_anaerobic",
            "climate_zone": "boreal_temperate_wet",
        }
    )


DOCF, MCF, F = 0.5, 1.0, 0.5  # IPCC 2006 Vol. 5 Ch. 3 defaults; MCF 1.0 for managed anaerobic


def per_deposit_loop(ddocm: list[float], k: list[float], deposit_year: list[int]) -> float:
    """Total CH4 [t] of the inventory years by the recursive model, one deposit at a time."""
    total = 0.0
    first, last = min(INVENTORY_YEARS), max(INVENTORY_YEARS)
    for accumulated, rate, year in zip(ddocm, k, deposit_year, strict=True):
        for t in range(year + 1, last + 1):
            decomposed = accumulated * (1.0 - math.exp(-rate))
            accumulated -= decomposed
            if t >= first:
                total += decomposed * F * 16.0 / 12.0
    return total


def kernel(ddocm: np.ndarray, k: np.ndarray, deposit_year: np.ndarray) -> float:
    _ci, _ti, decomposed = fod_decomposed(ddocm, k, deposit_year, np.array(INVENTORY_YEARS))
    return float(decomposed.sum() * F * 16.0 / 12.0)


def best(fn, repeats: int = REPEATS) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return min(times), value


def main() -> None:
    frame = landfill_history(SITES)
    n = len(frame)
    doc = frame["activity"].map({a: v[0] for a, v in TYPES.items()}).to_numpy(dtype=float)
    k = frame["activity"].map({a: v[1] for a, v in TYPES.items()}).to_numpy(dtype=float)
    ddocm = frame["amount"].to_numpy(dtype=float) * doc * DOCF * MCF
    deposit_year = frame["year"].to_numpy(dtype=np.int64)
    t_kernel, kernel_ch4 = best(lambda: kernel(ddocm, k, deposit_year))
    lists = (ddocm.tolist(), k.tolist(), deposit_year.tolist())
    t_loop, loop_ch4 = best(lambda: per_deposit_loop(*lists), repeats=1)
    assert math.isclose(float(kernel_ch4), float(loop_ch4), rel_tol=1e-9), (kernel_ch4, loop_ch4)  # type: ignore[arg-type]
    t_engine, result = best(lambda: compute_inventory(frame, region="CN", years=INVENTORY_YEARS))
    engine_ch4 = float(result.emissions["tonnes"].sum())  # type: ignore[attr-defined]
    assert math.isclose(engine_ch4, float(loop_ch4), rel_tol=1e-9), (engine_ch4, loop_ch4)  # type: ignore[arg-type]
    print(f"fod: {n:,} deposit rows x {len(INVENTORY_YEARS)} inventory years (CH4 {engine_ch4:,.0f} t, all agree)")
    print(f"  kernel (fod_decomposed)                 {t_kernel:8.3f} s")
    print(f"  per-deposit recursive loop              {t_loop:8.3f} s   ratio loop / kernel {t_loop / t_kernel:6.1f} x")
    print(f"  engine end to end                       {t_engine:8.3f} s   ({n / t_engine:,.0f} rows/s)")

    parts = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(EXAMPLES.glob("*/*.csv"))]
    mixed = pd.concat(parts, ignore_index=True).fillna("")
    if "record_id" in mixed.columns:
        mixed = mixed.drop(columns=["record_id"])
    repeat = max(1, 100_000 // len(mixed))
    # Each copy is another city's entity: wastewater systems and landfill sites stay apart.
    big = pd.concat([mixed.assign(entity=f"copy-{i}") for i in range(repeat)], ignore_index=True)
    t_mixed, _ = best(lambda: compute_inventory(big, region="CN"))
    print(f"all sectors: {len(big):,} rows of the examples/ files (waste, IPPU, agriculture)")
    print(f"  engine {t_mixed:8.3f} s  ({len(big) / t_mixed:,.0f} rows/s)")


if __name__ == "__main__":
    main()
