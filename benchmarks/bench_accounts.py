"""Benchmark: scoring 1,000,000 household carbon-inclusion events (columnar) against a Python loop.

Target (issue 5): at least 200,000 events per second on one core for validation, reductions,
anti-fraud checks, caps and points (``score_events`` + ``award_points``). The baseline is a
per-event Python loop doing the same rules on a SUBSET; the ratio compares events per second.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

from zerocity.accounts.household import load_methodologies, score_events
from zerocity.accounts.points import PointsPolicy, award_points, balances_fast

N = int(os.environ.get("ZEROCITY_BENCH_ACCOUNTS_EVENTS", "1000000"))
SUBSET = int(os.environ.get("ZEROCITY_BENCH_ACCOUNTS_SUBSET", "50000"))
HOUSEHOLDS = 50_000


def make_events(n: int, seed: int = 7) -> pd.DataFrame:
    """Synthetic events: 4 travel modes, PV, EV and e-receipts, with ~1% duplicates and replays."""
    rng = np.random.default_rng(seed)
    behaviours = np.array(["bus", "metro", "shared_bicycle", "walking", "rooftop_pv", "ev_offpeak", "e_receipt"])
    b = behaviours[rng.choice(len(behaviours), n, p=[0.3, 0.3, 0.15, 0.15, 0.04, 0.03, 0.03])]
    start = np.datetime64("2025-01-01T00:00")
    ts = start + rng.integers(0, 90 * 24 * 60, n).astype("timedelta64[m]")
    travel = np.isin(b, behaviours[:4])
    distance = np.where(travel, np.round(rng.gamma(2.0, 3.0, n), 2), np.nan)
    duration = np.where(travel, np.round(distance / rng.uniform(4, 40, n) * 60 + 1, 1), np.nan)
    quantity = np.where(b == "e_receipt", 1.0, np.where(travel, np.nan, np.round(rng.uniform(1, 40, n), 2)))
    unit = np.where(b == "e_receipt", "receipt", np.where(travel, "", "kWh"))
    ids = np.char.add("e", np.arange(n).astype(str))
    dup = rng.random(n) < 0.005
    ids[dup] = ids[np.maximum(np.flatnonzero(dup) - 1, 0)]
    frame = pd.DataFrame(
        {
            "event_id": ids,
            "household_id": np.char.add("h", rng.integers(0, HOUSEHOLDS, n).astype(str)),
            "behaviour": b,
            "timestamp": ts,
            "quantity": quantity,
            "unit": unit,
            "distance_km": distance,
            "duration_min": duration,
        }
    )
    return frame


def loop_baseline(frame: pd.DataFrame) -> int:
    """Per-event Python loop of the same rules (dicts of running totals); returns accepted count."""
    methods = load_methodologies()
    factor = {k: m.reduction_factor() for k, m in methods.items()}
    seen: set[str] = set()
    replays: set[tuple[object, ...]] = set()
    day: dict[tuple[object, ...], float] = {}
    month: dict[tuple[object, ...], float] = {}
    accepted = 0
    rows = frame.sort_values(["household_id", "behaviour", "timestamp"], kind="stable").to_dict("records")
    for r in rows:
        m = methods[r["behaviour"]]
        t = pd.Timestamp(r["timestamp"])
        if r["event_id"] in seen:
            continue
        seen.add(r["event_id"])
        travel = m.kind.value == "travel"
        key = (r["household_id"], r["behaviour"], t, r["distance_km"] if travel else r["quantity"])
        if key in replays:
            continue
        replays.add(key)
        activity = r["distance_km"] if travel else r["quantity"]
        if travel and m.rules.max_speed_kmh and activity / (r["duration_min"] / 60) > m.rules.max_speed_kmh:
            continue
        if m.rules.max_quantity and not travel and activity > m.rules.max_quantity:
            continue
        if m.rules.hours:
            s, e = m.rules.hours
            h = t.hour
            if not ((s <= h < e) if s <= e else (h >= s or h < e)):
                continue
        red = activity * factor[r["behaviour"]]
        dk = (r["household_id"], r["behaviour"], t.date())
        mk = (r["household_id"], r["behaviour"], t.year, t.month)
        d = min(red, max(m.caps.daily_kg - day.get(dk, 0.0), 0.0))
        day[dk] = day.get(dk, 0.0) + red
        got = min(d, max(m.caps.monthly_kg - month.get(mk, 0.0), 0.0))
        month[mk] = month.get(mk, 0.0) + d
        accepted += got > 0
    return accepted


def main() -> dict[str, float]:
    """Run the benchmark and print events/second and the ratio to the loop."""
    frame = make_events(N)
    methods = load_methodologies()
    score_events(frame.head(1000), methods)  # warm the factor resolution
    t0 = time.perf_counter()
    scored = score_events(frame, methods)
    awards = award_points(scored, PointsPolicy())
    balances = balances_fast(awards, as_of="2025-04-01")
    elapsed = time.perf_counter() - t0
    rate = N / elapsed
    subset = frame.head(SUBSET)
    t1 = time.perf_counter()
    loop_baseline(subset)
    loop_rate = len(subset) / (time.perf_counter() - t1)
    counts = scored["reason"].value_counts().to_dict()
    print(f"household events: {N:,} scored in {elapsed:.2f} s = {rate:,.0f} events/s (target >= 200,000)")
    print(
        f"per-event Python loop on {len(subset):,}: {loop_rate:,.0f} events/s; columnar/loop = {rate / loop_rate:.1f}x"
    )
    print(f"households with points: {len(balances):,}; reasons: {counts}")
    return {"events_per_s": rate, "loop_events_per_s": loop_rate, "ratio": rate / loop_rate}


if __name__ == "__main__":
    main()
