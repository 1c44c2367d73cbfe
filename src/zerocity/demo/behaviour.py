"""Demo City's household behaviour events for carbon inclusion (碳普惠), 2024.

A share of the sampled households take part: trips by bus, metro, shared bicycle and on foot,
monthly electricity readings against the same months of 2022 and 2023, rooftop PV generation
and night-time EV charging, plus a small share of the faults an inclusion platform sees
(re-sent events, impossible speeds). Every rate below is an ASSUMPTION for a plausible Jiangsu
city (docs/demo-city.md); the reductions come from the shipped methodologies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zerocity.accounts.household import EVENT_COLUMNS

__all__ = ["behaviour_events"]

#: Mode -> (trips per participating household per month, mean distance [km], speed [km/h]). ASSUMED.
TRAVEL = {
    "bus": (8.0, 6.0, 16.0),
    "metro": (6.0, 11.0, 32.0),
    "shared_bicycle": (5.0, 2.5, 11.0),
    "walking": (6.0, 1.3, 4.6),
}
PARTICIPATION = 0.25  # share of households on the inclusion platform, ASSUMED


def behaviour_events(rng: np.random.Generator, households: pd.DataFrame, year: int = 2024) -> pd.DataFrame:
    """Behaviour events of the participating households for one year.

    Parameters
    ----------
    rng : numpy.random.Generator
    households : pandas.DataFrame
        ``household_id``, ``electricity_kwh`` [kWh/yr] (the Demo City sample).
    year : int

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`zerocity.accounts.household.EVENT_COLUMNS`, one row per event.
    """
    part = households[rng.random(len(households)) < PARTICIPATION].reset_index(drop=True)
    n_hh = len(part)
    ids = part["household_id"].to_numpy()
    frames = []
    for mode, (per_month, mean_km, speed) in TRAVEL.items():
        counts = rng.poisson(per_month * 12, size=n_hh)
        hh = np.repeat(ids, counts)
        n = len(hh)
        minutes = rng.integers(0, 365 * 24 * 60, size=n)
        start = np.datetime64(f"{year}-01-01T00:00") + minutes.astype("timedelta64[m]")
        km = np.round(rng.gamma(2.0, mean_km / 2.0, size=n) + 0.1, 2)
        duration = np.round(km / (speed * rng.lognormal(0.0, 0.15, size=n)) * 60.0 + 0.5, 1)
        frames.append(
            pd.DataFrame(
                {"household_id": hh, "behaviour": mode, "timestamp": start, "distance_km": km, "duration_min": duration}
            )
        )
    # Monthly electricity against the same months of the two previous years (the 5 % rule).
    monthly = part["electricity_kwh"].to_numpy() / 12.0
    season = 1.0 + 0.25 * np.cos(2 * np.pi * (np.arange(12) - 7) / 12)  # summer and winter peaks
    trend = rng.normal(-0.03, 0.06, size=n_hh)  # some save, some do not
    months = np.arange(1, 13)
    prior = monthly[:, None] * season[None, :] * rng.lognormal(0.0, 0.05, size=(n_hh, 12))
    now = prior * (1 + trend[:, None]) * rng.lognormal(0.0, 0.04, size=(n_hh, 12))
    frames.append(
        pd.DataFrame(
            {
                "household_id": np.repeat(ids, 12),
                "behaviour": "electricity_saving",
                "timestamp": pd.to_datetime(
                    [f"{year}-{m:02d}-28" for m in np.tile(months, n_hh)], format="%Y-%m-%d"
                ).to_numpy(),
                "quantity": np.round(now.ravel(), 1),
                "unit": "kWh",
                "prior_1": np.round((prior * rng.lognormal(0.0, 0.03, size=(n_hh, 12))).ravel(), 1),
                "prior_2": np.round((prior * rng.lognormal(0.0, 0.03, size=(n_hh, 12))).ravel(), 1),
            }
        )
    )
    # Rooftop PV (4 % of participants, ~3 kWp, daily meter readings; ~1,100 kWh/kWp/yr) and
    # night-time EV charging (10 %): ASSUMED.
    pv = ids[rng.random(n_hh) < 0.04]
    days = np.arange(365)
    pv_season = 1.0 + 0.3 * np.cos(2 * np.pi * (days - 172) / 365)  # more in summer
    pv_kwh = 3.0 * 1100.0 / 365.0 * pv_season[None, :] * rng.lognormal(0.0, 0.35, size=(len(pv), 365))
    frames.append(
        pd.DataFrame(
            {
                "household_id": np.repeat(pv, 365),
                "behaviour": "rooftop_pv",
                "timestamp": np.datetime64(f"{year}-01-01T20:00") + np.tile(days, len(pv)).astype("timedelta64[D]"),
                "quantity": np.round(pv_kwh.ravel(), 2),
                "unit": "kWh",
            }
        )
    )
    ev = ids[rng.random(n_hh) < 0.10]
    sessions = rng.poisson(8 * 12, size=len(ev))
    ev_hh = np.repeat(ev, sessions)
    day = rng.integers(0, 365, size=len(ev_hh)).astype("timedelta64[D]")
    hour = rng.choice([0, 1, 2, 3, 4, 5, 23, 19], size=len(ev_hh), p=[0.2, 0.2, 0.15, 0.1, 0.05, 0.05, 0.15, 0.1])
    frames.append(
        pd.DataFrame(
            {
                "household_id": ev_hh,
                "behaviour": "ev_offpeak",
                "timestamp": np.datetime64(f"{year}-01-01T00:00") + day + hour.astype("timedelta64[h]"),
                "quantity": np.round(rng.uniform(8.0, 40.0, size=len(ev_hh)), 1),
                "unit": "kWh",
            }
        )
    )
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(["timestamp", "household_id"], kind="stable", ignore_index=True)
    events.insert(0, "event_id", [f"DC-EV{i:07d}" for i in range(1, len(events) + 1)])
    # Faults: 0.5 % of events sent twice, 0.2 % of trips with an impossible speed.
    resent = events.sample(frac=0.005, random_state=int(rng.integers(0, 2**31)))
    fast = events[events["distance_km"].notna()].sample(frac=0.002, random_state=int(rng.integers(0, 2**31))).copy()
    fast["duration_min"] = np.maximum(fast["distance_km"] / 200.0 * 60.0, 0.1).round(2)  # 200 km/h
    fast["event_id"] = fast["event_id"] + "-B"
    fast["timestamp"] = fast["timestamp"] + np.timedelta64(3, "m")
    out = pd.concat([events, resent, fast], ignore_index=True)
    return out.reindex(columns=list(EVENT_COLUMNS))
