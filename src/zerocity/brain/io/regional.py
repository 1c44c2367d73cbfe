"""Downscaling a provincial (or national) table to a city with location quotients.

Location quotients compare a sector's share of employment in the city (``r``) with its share in
the province (``n``) (Miller & Blair 2009, §8.3; Flegg & Webber 1997):

    SLQ_i   = (E_i^r / E^r) / (E_i^n / E^n)                      simple location quotient
    CILQ_ij = SLQ_i / SLQ_j                                      cross-industry quotient
    lambda* = [log2(1 + E^r / E^n)]^delta,   0 <= delta < 1      regional size
    FLQ_ij  = CILQ_ij lambda*  (i != j),   FLQ_ii = SLQ_i lambda*  Flegg's location quotient

and the city's input coefficients for purchases from city producers are

    a_ij^r = a_ij^n min(LQ_ij, 1)

(``LQ_ij = SLQ_i`` for the SLQ method). A quotient below 1 means the city cannot supply all its own
needs of product ``i``; the rest, ``a_ij^n - a_ij^r``, is bought from outside the city. Flegg &
Webber (1997) found ``delta`` around 0.3 for Scottish data; FLQ corrects SLQ's tendency to
understate a small region's imports.

The city table zerocity builds (competitive-import layout, so every footprint, price and cap model
runs on it):

* output ``x_i^r = x_i^n E_i^r / E_i^n`` (equal labour productivity in city and province);
* ``Z^r = A^n diag(x^r)``: the same technology as the province;
* local final demand ``Y_k^r = s_k Y_k^n`` for each local category ``k``, ``s_k`` the city's share
  (default: its employment share ``E^r / E^n``; households can take the population share);
* purchases from city producers: ``A^r x^r`` for intermediate use, ``min(SLQ_i, 1) y_i^r`` for final
  demand; the rest of domestic use is the city's inflow
  ``inflow_i = ((A^n - A^r) x^r)_i + (1 - min(SLQ_i, 1)) y_i^r``;
* outflow ``x_i^r - (A^r x^r)_i - min(SLQ_i, 1) y_i^r``; where that is negative (the quotients
  ask more of the city than it produces) it is added to the inflow instead, so the table balances
  exactly: ``Z^r 1 + Y^r 1 + outflow - inflow = x^r``;
* value added and direct emissions per unit of output as in the province.

City trade is not split between abroad and other provinces: all of it is ``outflow``/``inflow``.

References
----------
Miller, R.E., Blair, P.D. (2009). Input-Output Analysis, 2nd ed., Ch. 8 (nonsurvey and partial-survey
methods: location quotients, §8.3).
Flegg, A.T., Webber, C.D., Elliott, M.V. (1995). On the appropriate use of location quotients in
generating regional input-output tables. Regional Studies 29, 547-561. doi:10.1080/00343409512331349173
Flegg, A.T., Webber, C.D. (1997). On the appropriate use of location quotients in generating
regional input-output tables: reply. Regional Studies 31, 795-805. doi:10.1080/713693401
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from zerocity.brain.io.table import HOUSEHOLD_COLUMNS, IOTable, IOTableError

__all__ = [
    "DEFAULT_DELTA",
    "Downscaled",
    "LQMethod",
    "downscale",
    "flq",
    "lambda_star",
    "regional_coefficients",
    "simple_location_quotients",
]

#: FLQ exponent; Flegg & Webber (1997) report delta ~ 0.3 as a good general value [unitless].
DEFAULT_DELTA = 0.3


class LQMethod(StrEnum):
    """Location-quotient method."""

    SLQ = "slq"
    FLQ = "flq"


def _arrays(regional: Any, national: Any) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(regional, dtype=float)
    n = np.asarray(national, dtype=float)
    if r.shape != n.shape or r.ndim != 1:
        raise ValueError(f"employment vectors must have one shape, got {r.shape} and {n.shape}")
    return r, n


def simple_location_quotients(regional: Any, national: Any) -> np.ndarray:
    """``SLQ_i = (E_i^r / E^r) / (E_i^n / E^n)`` [unitless] (Miller & Blair 2009, §8.3).

    Parameters
    ----------
    regional, national : array_like
        Employment (or another size measure) by sector in the city and the province [persons].

    Returns
    -------
    numpy.ndarray
        0 for a sector without provincial employment.
    """
    r, n = _arrays(regional, national)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, (r / r.sum()) / (n / n.sum()), 0.0)


def lambda_star(regional: Any, national: Any, delta: float = DEFAULT_DELTA) -> float:
    """``lambda* = [log2(1 + E^r / E^n)]^delta`` [unitless] (Flegg & Webber 1997)."""
    if not 0.0 <= delta < 1.0:
        raise ValueError(f"delta must be within [0, 1), got {delta}")
    r, n = _arrays(regional, national)
    return float(np.log2(1.0 + r.sum() / n.sum()) ** delta)


def flq(regional: Any, national: Any, delta: float = DEFAULT_DELTA) -> np.ndarray:
    """``FLQ_ij = lambda* SLQ_i / SLQ_j`` for ``i != j`` and ``lambda* SLQ_i`` on the diagonal [unitless].

    Columns of a sector without city employment are set to 1 (no coefficient to regionalise).
    """
    slq = simple_location_quotients(regional, national)
    lam = lambda_star(regional, national, delta)
    with np.errstate(divide="ignore", invalid="ignore"):
        cilq = np.where(slq[None, :] > 0, slq[:, None] / slq[None, :], 1.0)
    np.fill_diagonal(cilq, slq)
    return cilq * lam


def regional_coefficients(a: Any, lq: Any) -> np.ndarray:
    """``a_ij^r = a_ij^n min(LQ_ij, 1)``; ``lq`` a vector (row-wise, SLQ) or an n x n matrix (FLQ)."""
    a_n = np.asarray(a, dtype=float)
    q = np.asarray(lq, dtype=float)
    q = q[:, None] if q.ndim == 1 else q
    return a_n * np.minimum(q, 1.0)


@dataclass(frozen=True)
class Downscaled:
    """A city table estimated from a provincial one.

    Attributes
    ----------
    table : IOTable
        The city table (competitive layout, trade as outflow/inflow).
    method : LQMethod
    delta, lambda_star : float or None
        FLQ parameters (None for SLQ).
    slq : pandas.Series
        Simple location quotients by sector.
    quotients : pandas.DataFrame
        The quotients applied to ``A`` (``SLQ_i`` broadcast along rows, or ``FLQ_ij``).
    regional_coefficients : pandas.DataFrame
        ``A^r`` [unitless].
    employment : pandas.DataFrame
        ``city`` and ``province`` employment by sector [persons].
    shares : dict of str to float
        The city's share ``s_k`` applied to each local final-demand category.
    """

    table: IOTable
    method: LQMethod
    delta: float | None
    lambda_star: float | None
    slq: pd.Series
    quotients: pd.DataFrame
    regional_coefficients: pd.DataFrame
    employment: pd.DataFrame
    shares: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """JSON contract of ``zerocity io downscale --json``."""
        t = self.table
        fp_out = t.final_demand.get("outflow", pd.Series(0.0, index=list(t.sectors)))
        fp_in = t.imports.get("inflow", pd.Series(0.0, index=list(t.sectors)))
        return {
            "method": self.method.value,
            "delta": self.delta,
            "lambda_star": self.lambda_star,
            "employment_share": float(self.employment["city"].sum() / self.employment["province"].sum()),
            "final_demand_shares": self.shares,
            "sectors": {
                s: {
                    "slq": float(self.slq[s]),
                    "output": float(t.output[s]),
                    "outflow": float(fp_out[s]),
                    "inflow": float(fp_in[s]),
                    "self_sufficiency": float(min(self.slq[s], 1.0)),
                }
                for s in t.sectors
            },
            "total_output": float(t.x.sum()),
            "value_added": float(t.total_value_added.sum()),
            "money_unit": t.money_unit,
            "notes": list(t.notes),
        }


def downscale(
    table: IOTable,
    employment: pd.DataFrame,
    *,
    method: LQMethod | str = LQMethod.FLQ,
    delta: float = DEFAULT_DELTA,
    final_demand_shares: Mapping[str, float] | None = None,
    household_share: float | None = None,
    name: str = "city",
) -> Downscaled:
    """Estimate a city table from a provincial table and employment by sector (see module docstring).

    Parameters
    ----------
    table : IOTable
        Provincial (or national) table.
    employment : pandas.DataFrame
        Indexed by the table's sectors, columns ``city`` and ``province`` [persons].
    method : LQMethod
        ``slq`` or ``flq`` (default).
    delta : float
        FLQ exponent (ignored for SLQ) [unitless].
    final_demand_shares : mapping, optional
        City share of each local final-demand category [unitless]; default the employment share.
    household_share : float, optional
        City share of the household categories (e.g. its population share) [unitless].
    name : str
        Name of the city table.

    Returns
    -------
    Downscaled

    Raises
    ------
    IOTableError
        Employment rows that do not match the sectors, negative values, city above province.
    """
    m = LQMethod(method)
    problems = []
    missing = [s for s in table.sectors if s not in employment.index]
    extra = [str(s) for s in employment.index if s not in set(table.sectors)]
    if missing or extra:
        problems.append(f"employment: sectors {missing} missing, {extra} not in the table")
    for col in ("city", "province"):
        if col not in employment.columns:
            problems.append(f"employment: column {col!r} missing")
    if problems:
        raise IOTableError(table.label, problems)
    emp = employment.loc[list(table.sectors), ["city", "province"]].astype(float)
    for s, (c, p) in emp.iterrows():
        if c < 0 or p < 0:
            problems.append(f"employment of sector {s!r} is negative")
        elif c > p:
            problems.append(f"sector {s!r}: city employment {c:g} exceeds provincial employment {p:g}")
        elif p == 0 and c > 0:
            problems.append(f"sector {s!r}: city employment without provincial employment")
    if emp["city"].sum() <= 0:
        problems.append("city employment is zero in every sector")
    if problems:
        raise IOTableError(table.label, problems)
    r = emp["city"].to_numpy()
    n = emp["province"].to_numpy()
    slq = simple_location_quotients(r, n)
    if m is LQMethod.SLQ:
        q = np.repeat(slq[:, None], table.n, axis=1)
        used_delta: float | None = None
        lam: float | None = None
    else:
        q = flq(r, n, delta)
        used_delta = float(delta)
        lam = lambda_star(r, n, delta)
    a_n = table._a
    a_r = regional_coefficients(a_n, q)
    with np.errstate(divide="ignore", invalid="ignore"):
        xr = np.where(n > 0, table.x * r / n, 0.0)
    share_emp = float(r.sum() / n.sum())
    shares: dict[str, float] = {}
    y_r = pd.DataFrame(index=list(table.sectors))
    for c in table.local_columns:
        s_k = share_emp
        if household_share is not None and c in HOUSEHOLD_COLUMNS:
            s_k = float(household_share)
        if final_demand_shares and c in final_demand_shares:
            s_k = float(final_demand_shares[c])
        shares[c] = s_k
        y_r[c] = table.final_demand[c].to_numpy(dtype=float) * s_k
    y_loc = y_r.to_numpy(dtype=float).sum(axis=1)
    z_r = a_n * xr[None, :]
    self_supply = np.minimum(slq, 1.0)
    from_city = a_r @ xr + self_supply * y_loc
    inflow = (a_n - a_r) @ xr + (1.0 - self_supply) * y_loc
    outflow = xr - from_city
    short = outflow < 0
    inflow = inflow + np.where(short, -outflow, 0.0)
    outflow = np.where(short, 0.0, outflow)
    y_r["outflow"] = outflow
    with np.errstate(divide="ignore", invalid="ignore"):
        va_coef = np.where(table.x[None, :] > 0, table.value_added.to_numpy(dtype=float) / table.x[None, :], 0.0)
    va_r = pd.DataFrame(va_coef * xr[None, :], index=table.value_added.index, columns=list(table.sectors))
    f_r = None
    if table.emissions is not None:
        f_r = table.direct_intensity() * xr
    fy_r = None
    if table.final_emissions is not None:
        fy_r = {c: float(v) * shares.get(c, share_emp) for c, v in table.final_emissions.items() if c in shares}
    notes = (
        f"downscaled from {table.name!r} with {m.value.upper()}"
        + ("" if used_delta is None else f" (delta = {used_delta:g})")
        + f"; city output from employment shares (equal labour productivity); local final demand scaled by {shares}",
        "city trade is all outflow/inflow (abroad and other regions together)",
    )
    city = IOTable.from_arrays(
        table.sectors,
        pd.DataFrame(z_r, index=list(table.sectors), columns=list(table.sectors)),
        y_r,
        imports=pd.DataFrame({"inflow": inflow}, index=list(table.sectors)),
        value_added=va_r,
        output=pd.Series(xr, index=list(table.sectors)),
        emissions=f_r,
        final_emissions=fy_r,
        money_unit=table.money_unit,
        emission_unit=table.emission_unit,
        name=name,
        source=f"{name} (downscaled from {table.name})",
        notes=notes,
    )
    return Downscaled(
        table=city,
        method=m,
        delta=used_delta,
        lambda_star=lam,
        slq=pd.Series(slq, index=list(table.sectors), name="slq"),
        quotients=pd.DataFrame(q, index=list(table.sectors), columns=list(table.sectors)),
        regional_coefficients=pd.DataFrame(a_r, index=list(table.sectors), columns=list(table.sectors)),
        employment=emp,
        shares=shares,
    )
