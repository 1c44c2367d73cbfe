"""Uncertainty of inventory totals: IPCC Approach 1 (error propagation) and Approach 2 (Monte Carlo).

References
----------
IPCC (2006), 2006 IPCC Guidelines, Vol. 1 Ch. 3 *Uncertainties*: Eq. 3.1 (product of
quantities, ``U = sqrt(U_A^2 + U_EF^2)``), Eq. 3.2 (sum of quantities,
``U_total = sqrt(sum (U_i x_i)^2) / |sum x_i|``), section 3.2.3.1 on correlated inputs (inputs that
share a factor are summed before propagation), section 3.2.3.2 (Approach 2, Monte Carlo).

Conventions: uncertainties are 95% half-widths as a fraction of the value; an activity's error
is shared by the gases of its record; a factor's error is shared by every record that uses the
same factor combination (fully correlated). In Monte Carlo, each uncertain input is multiplied by
``max(0, N(1, (U / 1.96)^2))``; asymmetric factor ranges use the mean of their two sides.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["approach1", "monte_carlo"]


def _inputs(
    emissions: pd.DataFrame, records: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Row values, record index, factor-group index, and the uncertainties of records and groups."""
    x = emissions["tco2e"].to_numpy(dtype=float)
    rec = emissions["pos"].to_numpy()
    ids = emissions["factor_ids"].astype(str)
    group_key = emissions["gas"].astype(str) + "|" + ids
    # A factor given in a record ("row") is that record's own: not shared with other records.
    own = ids.str.startswith("row").to_numpy()
    group_key = group_key.where(~own, group_key + "|" + emissions["pos"].astype(str))
    grp, uniques = pd.factorize(group_key)
    ua = np.nan_to_num(records["activity_uncertainty_pct"].to_numpy(dtype=float) / 100.0)
    uf_rows = np.nan_to_num(emissions["rel_uncertainty"].to_numpy(dtype=float))
    uf = np.zeros(len(uniques))
    np.maximum.at(uf, grp, uf_rows)
    return x, rec, grp, ua, uf, uniques.to_numpy()


def approach1(emissions: pd.DataFrame, records: pd.DataFrame) -> dict[str, Any]:
    """IPCC Approach 1 on the counted emission rows.

    Parameters
    ----------
    emissions : pandas.DataFrame
        Counted rows (``tco2e``, ``pos``, ``gas``, ``factor_ids``, ``rel_uncertainty``).
    records : pandas.DataFrame
        Prepared records (``activity_uncertainty_pct``).

    Returns
    -------
    dict
        ``method``, ``total_tco2e``, ``uncertainty_pct`` (95% half-width), ``lower_tco2e``,
        ``upper_tco2e``, ``records_without_uncertainty`` (rows with neither activity nor factor
        uncertainty).
    """
    x, rec, grp, ua, uf, _ = _inputs(emissions, records)
    total = float(x.sum())
    per_record = np.bincount(rec, weights=x, minlength=len(records))
    per_group = np.bincount(grp, weights=x, minlength=len(uf))
    variance = float(np.sum((ua * per_record) ** 2) + np.sum((uf * per_group) ** 2))
    half = variance**0.5
    missing = int(np.count_nonzero((ua[rec] == 0) & (uf[grp] == 0)))
    return {
        "method": "approach1",
        "total_tco2e": total,
        "uncertainty_pct": 100.0 * half / abs(total) if total else 0.0,
        "lower_tco2e": total - half,
        "upper_tco2e": total + half,
        "emission_rows_without_uncertainty": missing,
    }


def monte_carlo(
    emissions: pd.DataFrame,
    records: pd.DataFrame,
    *,
    runs: int = 1000,
    seed: int = 12345,
    chunk_cells: int = 20_000_000,
) -> dict[str, Any]:
    """IPCC Approach 2: Monte Carlo simulation of the total, vectorised over runs.

    Parameters
    ----------
    runs : int
        Number of simulations.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same result.
    chunk_cells : int
        Upper bound of runs x rows evaluated at once (memory).

    Returns
    -------
    dict
        ``method``, ``runs``, ``seed``, ``total_tco2e`` (the central estimate), ``mean_tco2e``,
        ``lower_tco2e`` and ``upper_tco2e`` (2.5th and 97.5th percentiles), ``uncertainty_pct``
        (half the interval width over the central estimate).
    """
    if runs < 2:
        raise ValueError("runs must be at least 2")
    x, rec, grp, ua, uf, _ = _inputs(emissions, records)
    rng = np.random.default_rng(seed)
    totals = np.empty(runs)
    # Only uncertain inputs are sampled; the rest stay at 1.
    rec_u = np.flatnonzero(ua > 0)
    grp_u = np.flatnonzero(uf > 0)
    rec_slot = np.full(len(ua), -1)
    rec_slot[rec_u] = np.arange(len(rec_u))
    grp_slot = np.full(len(uf), -1)
    grp_slot[grp_u] = np.arange(len(grp_u))
    rs, gs = rec_slot[rec], grp_slot[grp]
    step = max(1, chunk_cells // max(1, len(x)))
    done = 0
    while done < runs:
        c = min(step, runs - done)
        a = np.maximum(0.0, 1.0 + rng.standard_normal((c, len(rec_u))) * (ua[rec_u] / 1.96))
        f = np.maximum(0.0, 1.0 + rng.standard_normal((c, len(grp_u))) * (uf[grp_u] / 1.96))
        a_full = np.where(rs >= 0, a[:, np.maximum(rs, 0)] if len(rec_u) else 1.0, 1.0)
        f_full = np.where(gs >= 0, f[:, np.maximum(gs, 0)] if len(grp_u) else 1.0, 1.0)
        totals[done : done + c] = (a_full * f_full) @ x
        done += c
    total = float(x.sum())
    lo, hi = np.percentile(totals, [2.5, 97.5])
    return {
        "method": "montecarlo",
        "runs": runs,
        "seed": seed,
        "total_tco2e": total,
        "mean_tco2e": float(totals.mean()),
        "lower_tco2e": float(lo),
        "upper_tco2e": float(hi),
        "uncertainty_pct": 100.0 * (hi - lo) / 2.0 / abs(total) if total else 0.0,
    }
