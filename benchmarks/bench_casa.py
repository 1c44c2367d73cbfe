"""Benchmark: CASA over a 10,000 x 10,000 raster, 12 months, in windows (bounded memory).

Target (issue 9): under 60 s and under 2 GiB of memory on this machine. The inputs (NDVI,
temperature, precipitation, radiation for 12 months, float32) are produced window by window by an
in-memory generator (a seasonal cycle plus a spatial pattern), the way
:func:`zerocity.sinks.vegetation.run_casa` reads them from GeoTIFF block windows; writing 48
rasters of 10^8 pixels (19 GB) to disk first would measure the disk, not CASA. Windows run on a
thread pool (numpy releases the GIL in its ufuncs). Peak memory: ``ru_maxrss`` of the process.

Baseline, in the same run: the naive whole-array approach (every 12-month input in memory at
once) on a smaller grid (``ZEROCITY_BENCH_CASA_NAIVE``, default 2,000 x 2,000), whose memory grows
with the grid; the windowed result on that grid is checked equal to the naive one.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from zerocity.sinks.vegetation import casa_window

SIZE = int(os.environ.get("ZEROCITY_BENCH_CASA_SIZE", "10000"))
NAIVE = int(os.environ.get("ZEROCITY_BENCH_CASA_NAIVE", "2000"))
WINDOW = int(os.environ.get("ZEROCITY_BENCH_CASA_WINDOW", "512"))
WORKERS = int(os.environ.get("ZEROCITY_BENCH_CASA_WORKERS", str(os.cpu_count() or 1)))
LATITUDE = 31.8  # deg N (Demo City)
TARGET_S = 60.0
TARGET_GIB = 2.0

_M = np.arange(1, 13, dtype=np.float32)[:, None, None]
_SEASON = (0.5 * (1 - np.cos(2 * np.pi * (_M - 1) / 12))).astype(np.float32)
_TEMP = (16.0 - 12.7 * np.cos(2 * np.pi * (_M - 0.6) / 12)).astype(np.float32)
_RAIN = (92.0 * (1 + 0.8 * np.exp(-(((_M - 6.5) / 1.8) ** 2)))).astype(np.float32)
_SOL = (375.0 * (1 - 0.45 * np.cos(2 * np.pi * (_M - 0.5) / 12))).astype(np.float32)


def inputs(row: int, col: int, height: int, width: int) -> tuple[np.ndarray, ...]:
    """The 12-month inputs of one window (deterministic in the pixel position)."""
    y = np.arange(row, row + height, dtype=np.float32)[:, None]
    x = np.arange(col, col + width, dtype=np.float32)[None, :]
    pattern = (0.5 + 0.25 * np.sin(x / 97.0) * np.cos(y / 131.0))[None]  # [0.25, 0.75]
    ndvi = 0.1 + pattern * (0.4 + 0.5 * _SEASON)
    ndvi[:, :, x[0] % 997 < 5] = np.nan  # a few nodata columns
    temp = _TEMP + (y / SIZE - 0.5)[None] * 2.0
    rain = _RAIN * (1 + 0.2 * pattern)
    sol = _SOL * (1 + 0.05 * (x / SIZE))[None]
    return ndvi, np.broadcast_to(temp, ndvi.shape), rain, np.broadcast_to(sol, ndvi.shape)


def _one(window: tuple[int, int, int, int]) -> tuple[float, float, int]:
    npp, rh = casa_window(*inputs(*window), latitude_deg=LATITUDE)
    ok = ~np.isnan(npp)
    return float(npp[ok].sum(dtype=np.float64)), float(rh[ok].sum(dtype=np.float64)), int(ok.sum())


def windowed(size: int, progress: bool = False) -> tuple[float, float, int]:
    """Sums of NPP and Rh [g C m-2 x pixels] and valid pixels over a size x size grid, window by window."""
    wins = [
        (r, c, min(WINDOW, size - r), min(WINDOW, size - c))
        for r in range(0, size, WINDOW)
        for c in range(0, size, WINDOW)
    ]
    total = [0.0, 0.0, 0]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for i, (npp, rh, n) in enumerate(pool.map(_one, wins)):
            total[0] += npp
            total[1] += rh
            total[2] += n
            if progress and (i % 20 == 0 or i == len(wins) - 1):
                sys.stderr.write(f"\r  windows {i + 1}/{len(wins)}")
    if progress:
        sys.stderr.write("\n")
    return total[0], total[1], int(total[2])


def naive(size: int) -> tuple[float, float, int]:
    """The same sums with every input of the whole grid in memory at once."""
    npp, rh = casa_window(*inputs(0, 0, size, size), latitude_deg=LATITUDE)
    ok = ~np.isnan(npp)
    return float(npp[ok].sum(dtype=np.float64)), float(rh[ok].sum(dtype=np.float64)), int(ok.sum())


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # KiB on Linux


def main() -> None:
    """Run the benchmark and print its figures."""
    print(f"CASA, 12 months, {SIZE:,} x {SIZE:,} pixels in {WINDOW} x {WINDOW} windows, {WORKERS} threads")
    start_rss = _peak_gib()
    t0 = time.perf_counter()
    npp, rh, n = windowed(SIZE, progress=True)
    elapsed = time.perf_counter() - t0
    peak = _peak_gib()
    rate = SIZE * SIZE / elapsed / 1e6
    print(f"  windowed: {elapsed:.1f} s ({rate:.2f} Mpixel/s), peak RSS {peak:.2f} GiB (start {start_rss:.2f} GiB)")
    print(f"  valid pixels {n:,}; mean NPP {npp / n:.1f} g C m-2 yr-1, mean Rh {rh / n:.1f} g C m-2 yr-1")
    ok_time, ok_mem = elapsed < TARGET_S, peak < TARGET_GIB
    verdict = (
        f"< {TARGET_S:.0f} s: {'met' if ok_time else 'MISSED'}; < {TARGET_GIB:.0f} GiB: {'met' if ok_mem else 'MISSED'}"
    )
    print(f"  target {verdict}")

    t1 = time.perf_counter()
    small = windowed(NAIVE)
    t_small = time.perf_counter() - t1
    t2 = time.perf_counter()
    whole = naive(NAIVE)
    t_naive = time.perf_counter() - t2
    peak_naive = _peak_gib()
    same = np.isclose(small[0], whole[0], rtol=1e-5) and small[2] == whole[2]
    print(
        f"  baseline {NAIVE:,} x {NAIVE:,}: windowed {t_small:.2f} s, naive whole-array {t_naive:.2f} s; "
        f"peak RSS after naive {peak_naive:.2f} GiB (~{peak_naive * 1024**3 / NAIVE**2:.0f} bytes per pixel: "
        f"{SIZE:,}^2 pixels would need ~{peak_naive * SIZE**2 / NAIVE**2:.0f} GiB); sums equal: {same}"
    )


if __name__ == "__main__":
    main()
