"""LMDI-I index decomposition analysis: additive and multiplicative, single-level or hierarchical.

The aggregate is ``V = sum_i V_i`` with ``V_i = prod_k x_{k,i}`` over sectors ``i`` and factors ``k``.
The change from period 0 to period T is split into one effect per factor (Ang 2004; Ang 2015):

additive
    ``dV_k = sum_i L(V_i^T, V_i^0) ln(x_{k,i}^T / x_{k,i}^0)`` with ``sum_k dV_k = V^T - V^0``,
multiplicative
    ``D_k = exp(sum_i [L(V_i^T, V_i^0) / L(V^T, V^0)] ln(x_{k,i}^T / x_{k,i}^0))`` with ``prod_k D_k = V^T / V^0``,

where ``L(a, b) = (a - b) / (ln a - ln b)``, ``L(a, a) = a`` is the logarithmic mean. Hence
``ln D_k = dV_k / L(V^T, V^0)``: both modes share one term table (``_terms``), kept internally as
additive contributions (additive) or log contributions (multiplicative), both of which sum over
sectors, factors and chained periods.

Zero values (Ang & Liu 2007): by default the analytical limits of the small-value strategy
(``x -> delta``, ``delta -> 0``) are used: a sector with ``V_i^0 = 0 < V_i^T`` (appearing) gives its
whole ``V_i^T`` to the factors that are zero in period 0, shared equally; a disappearing sector gives
``-V_i^0`` to the factors that are zero in period T; a sector zero in both periods gives nothing.
With ``epsilon`` set, zeros are replaced by ``epsilon`` (Ang & Liu recommend 1e-10 ... 1e-20) instead;
totals then close on the replaced values, i.e. within ``O(epsilon)``.

References
----------
Ang, B.W. (2004). Decomposition analysis for policymaking in energy: which is the preferred method?
Energy Policy 32, 1131-1139. doi:10.1016/S0301-4215(03)00076-4
Ang, B.W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy 33,
867-871. doi:10.1016/j.enpol.2003.10.010
Ang, B.W., Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index decomposition
approach. Energy Policy 35, 238-246. doi:10.1016/j.enpol.2005.11.001
Ang, B.W. (2015). LMDI decomposition approach: a guide for implementation. Energy Policy 86, 233-238.
doi:10.1016/j.enpol.2015.07.007
Kaya, Y. (1990). Impact of carbon dioxide emission control on GNP growth. IPCC Energy and Industry
Subgroup, Paris.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.jsonio import jsonable

__all__ = [
    "KAYA_FACTORS",
    "LmdiError",
    "LmdiResult",
    "Mode",
    "decompose",
    "kaya",
    "kaya_table",
    "logmean",
]

log = logging.getLogger(__name__)

#: Factors of the Kaya identity ``C = P * (G/P) * (E/G) * (C/E)``, in that order.
KAYA_FACTORS = ("population", "affluence", "energy_intensity", "carbon_intensity")

#: Default relative tolerance of the check ``prod_k x_k == V`` on every input row [unitless].
DEFAULT_RTOL = 1e-6


class Mode(StrEnum):
    """Form of the decomposition."""

    ADDITIVE = "additive"
    MULTIPLICATIVE = "multiplicative"


class LmdiError(ZerocityError, ValueError):
    """A decomposition that cannot be set up (missing columns, fewer than two periods, ...)."""

    code = "lmdi"


def logmean(a: Any, b: Any) -> np.ndarray:
    """Logarithmic mean ``L(a, b) = (a - b) / (ln a - ln b)``, ``L(a, a) = a``, ``L(a, 0) = 0``.

    Parameters
    ----------
    a, b : array_like
        Non-negative values [any unit, the same for both].

    Returns
    -------
    numpy.ndarray
        Elementwise logarithmic mean [unit of ``a``].

    References
    ----------
    Ang (2004), Energy Policy 32, 1131-1139, eq. (5).
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (a - b) / (np.log(a) - np.log(b))
    out = np.where(a == b, a, out)
    return np.where((a <= 0) | (b <= 0), 0.0, out)


def _terms(x0: np.ndarray, xt: np.ndarray, epsilon: float | None) -> np.ndarray:
    """Additive LMDI-I terms ``L(V_i^T, V_i^0) ln(x_{k,i}^T / x_{k,i}^0)``, shape (sectors, factors)."""
    if epsilon is not None:
        x0 = np.where(x0 == 0, epsilon, x0)
        xt = np.where(xt == 0, epsilon, xt)
    v0 = x0.prod(axis=1)
    vt = xt.prod(axis=1)
    both = (v0 > 0) & (vt > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(both[:, None], logmean(vt, v0)[:, None] * np.log(xt / x0), 0.0)
    # Analytical limits of the small-value strategy (Ang & Liu 2007).
    z0, zt = x0 == 0, xt == 0
    appear = ((v0 == 0) & (vt > 0))[:, None] & z0
    vanish = ((v0 > 0) & (vt == 0))[:, None] & zt
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = terms + np.where(appear, (vt / z0.sum(axis=1))[:, None], 0.0)
        terms = terms - np.where(vanish, (v0 / zt.sum(axis=1))[:, None], 0.0)
    return terms


@dataclass(frozen=True)
class LmdiResult:
    """Result of an LMDI-I decomposition.

    Attributes
    ----------
    mode : Mode
    factors : tuple of str
    sectors : tuple of str
        Sector columns, coarsest first (empty for a single aggregate).
    start, end : hashable
        First and last period.
    chained : bool
        True when the effects are chained period by period (sums, or products, of yearly effects).
    start_value, end_value : float
        ``V^0`` and ``V^T`` as the product of the factors [unit of the value column].
    contributions : pandas.DataFrame
        One row per sector (sector columns, then one column per factor): additive effects
        [unit of value] or log contributions ``ln D_{k,i}`` [unitless]; both sum over sectors.
    steps : pandas.DataFrame
        One row per period step: ``period_start``, ``period_end``, ``start_value``, ``end_value``,
        one column per factor (effect of that step, in the form of :attr:`mode`) and ``total``.
    """

    mode: Mode
    factors: tuple[str, ...]
    sectors: tuple[str, ...]
    start: Hashable
    end: Hashable
    chained: bool
    start_value: float
    end_value: float
    contributions: pd.DataFrame
    steps: pd.DataFrame

    def _present(self, frame: pd.DataFrame) -> pd.DataFrame:
        cols = list(self.factors)
        out = frame.copy()
        if self.mode is Mode.MULTIPLICATIVE:
            out[cols] = np.exp(out[cols].to_numpy())
            out["total"] = out[cols].prod(axis=1)
        else:
            out["total"] = out[cols].sum(axis=1)
        return out

    @property
    def total_change(self) -> float:
        """``V^T - V^0`` (additive) or ``V^T / V^0`` (multiplicative)."""
        if self.mode is Mode.MULTIPLICATIVE:
            return self.end_value / self.start_value
        return self.end_value - self.start_value

    @property
    def effects(self) -> pd.Series:
        """Effect of each factor over all sectors, and ``total`` [unit of value, or unitless index]."""
        summed = self.contributions[list(self.factors)].sum(axis=0).to_frame().T
        return self._present(summed).iloc[0].rename("effect")

    def by_sector(self, level: int | None = None) -> pd.DataFrame:
        """Effects per sector, at the first ``level`` sector columns (all when None), plus ``total``."""
        keys = list(self.sectors if level is None else self.sectors[:level])
        if not keys:
            return self.effects.to_frame().T.reset_index(drop=True)
        grouped = self.contributions.groupby(keys, sort=True, observed=True)[list(self.factors)].sum()
        return self._present(grouped.reset_index())

    def waterfall(self) -> pd.DataFrame:
        """Start value, each factor's effect, end value; ``level`` is the running value.

        In multiplicative mode ``effect`` is the index ``D_k`` and ``level`` the running product.
        """
        eff = self.effects[list(self.factors)].to_numpy(dtype=float)
        if self.mode is Mode.MULTIPLICATIVE:
            levels = self.start_value * np.cumprod(eff)
        else:
            levels = self.start_value + np.cumsum(eff)
        return pd.DataFrame(
            {
                "step": ["start", *self.factors, "end"],
                "effect": [self.start_value, *eff, self.end_value],
                "level": [self.start_value, *levels, self.end_value],
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: effects, per-sector effects at every level, steps and waterfall."""
        levels = {
            "+".join(self.sectors[:n]): self.by_sector(n).to_dict(orient="records")
            for n in range(1, len(self.sectors) + 1)
        }
        steps = self.steps.copy()
        return jsonable(
            {
                "method": "LMDI-I",
                "mode": self.mode.value,
                "chained": self.chained,
                "factors": list(self.factors),
                "sectors": list(self.sectors),
                "start": self.start,
                "end": self.end,
                "start_value": self.start_value,
                "end_value": self.end_value,
                "total_change": self.total_change,
                "effects": self.effects.to_dict(),
                "by_sector": levels,
                "steps": steps.to_dict(orient="records"),
                "waterfall": self.waterfall().to_dict(orient="records"),
            }
        )


def _blank(column: pd.Series) -> pd.Series:
    """Missing cells and cells of blank text (an empty CSV or spreadsheet cell)."""
    return column.isna() | column.map(lambda v: isinstance(v, str) and not v.strip())


def _to_number(column: pd.Series) -> pd.Series:
    """Cells as floats, NaN where a cell is not a number (text, a list, a bool...)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.astype(float)

    def one(v: object) -> float:
        if isinstance(v, bool) or v is None:
            return np.nan
        try:
            return float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return np.nan

    return column.map(one).astype(float)


def _validate(
    frame: pd.DataFrame, value: str, factors: Sequence[str], keys: list[str], rtol: float, source: str
) -> pd.DataFrame:
    missing = [c for c in [*keys, *factors, value] if c not in frame.columns]
    if missing:
        raise LmdiError(f"{source}: missing column(s) {missing}; columns are {list(frame.columns)}")
    if not factors:
        raise LmdiError(f"{source}: at least one factor column is needed")
    data = frame.reset_index(drop=True)
    rows = pd.Series(np.arange(1, len(data) + 1), index=data.index)
    issues: list[RecordIssue] = []
    numeric = {}
    for col in [*factors, value]:
        raw = data[col]
        blank = _blank(raw)
        num = _to_number(raw.where(~blank))
        for r in rows[blank]:
            issues.append(RecordIssue(int(r), col, "empty cell: a number >= 0 is needed", ""))
        for r, v in zip(rows[num.isna() & ~blank], raw[num.isna() & ~blank], strict=True):
            issues.append(RecordIssue(int(r), col, "not a number", str(v)))
        for r, v in zip(rows[num < 0], num[num < 0], strict=True):
            issues.append(RecordIssue(int(r), col, "negative: LMDI needs values >= 0", repr(float(v))))
        numeric[col] = num
    key_values = {}
    for col in keys:
        blank = _blank(data[col])
        for r in rows[blank]:
            issues.append(RecordIssue(int(r), col, "missing key (empty cell)"))
        column = data[col]
        texts = column.map(lambda v: isinstance(v, str))
        if texts[~blank].any() and not texts[~blank].all():
            # Keys given partly as numbers, partly as text (a JSON table) must still sort: a period
            # that reads as a number is taken as one (else it is named); sector labels become text.
            if col != keys[0]:
                column = column.where(blank, column.astype(str))
            else:
                as_number = _to_number(column.where(~blank))
                odd = as_number.isna() & ~blank
                for r, v in zip(rows[odd], column[odd], strict=True):
                    issues.append(RecordIssue(int(r), col, "not a period like the others (a number)", str(v)))
                column = as_number
        key_values[col] = column
    out = pd.DataFrame(numeric).assign(**key_values)
    product = out[list(factors)].prod(axis=1, skipna=False)
    ok = np.isclose(product, out[value], rtol=rtol, atol=0.0) | product.isna() | out[value].isna()
    for r, p, v in zip(rows[~ok], product[~ok], out[value][~ok], strict=True):
        msg = f"product of {'*'.join(factors)} = {p:.10g} differs from the value by more than rtol={rtol:g}"
        issues.append(RecordIssue(int(r), value, msg, repr(float(v))))
    dup = data.duplicated(subset=keys, keep="first") if keys else pd.Series(False, index=data.index)
    for r in rows[dup]:
        issues.append(RecordIssue(int(r), keys[0], f"duplicate key {keys}"))
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    return out


def decompose(
    frame: pd.DataFrame,
    *,
    value: str,
    factors: Sequence[str],
    period: str = "year",
    sectors: Sequence[str] = (),
    mode: Mode | str = Mode.ADDITIVE,
    chain: bool = False,
    rtol: float = DEFAULT_RTOL,
    epsilon: float | None = None,
    source: str = "table",
) -> LmdiResult:
    """LMDI-I decomposition of a long table (one row per period and sector).

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``period``, the ``sectors`` columns, one column per factor and ``value``.
    value : str
        Aggregate column ``V_i = prod_k x_{k,i}`` [any unit].
    factors : sequence of str
        Factor columns [their own units; their product has the unit of ``value``].
    period : str
        Period column (sortable: years, dates).
    sectors : sequence of str
        Sector columns, coarsest first (``["sector", "subsector"]`` for a two-level hierarchy).
        A sector missing in a period counts as all factors zero (see zero handling in the module).
    mode : Mode
        Additive (``dV_k``) or multiplicative (``D_k``).
    chain : bool
        Chain period by period (sum of yearly additive effects, product of multiplicative ones)
        instead of comparing the first and last period directly.
    rtol : float
        Relative tolerance of the row check ``prod_k x_{k,i} == V_i`` [unitless].
    epsilon : float, optional
        Replace zeros by this small value (Ang & Liu 2007) instead of using the analytical limits.
    source : str
        Name of the input in error messages.

    Returns
    -------
    LmdiResult

    Raises
    ------
    InvalidRecordsError
        Non-numeric or negative cells, missing keys, duplicate rows, rows whose factor product is
        not the value (every such row, with row number and column).
    LmdiError
        Missing columns, fewer than two periods, a non-positive total in multiplicative mode.

    References
    ----------
    Ang (2015), Energy Policy 86, 233-238 (LMDI-I additive and multiplicative formulae);
    Ang & Liu (2007), Energy Policy 35, 238-246 (zero values).
    """
    mode = Mode(mode)
    factors = list(factors)
    sector_cols = list(sectors)
    keys = [period, *sector_cols]
    data = _validate(frame, value, factors, keys, rtol, source)
    periods = sorted(data[period].unique())
    if len(periods) < 2:
        raise LmdiError(f"{source}: need at least two periods in column {period!r}, found {periods}")
    # One wide cube: rows = sectors (union over periods, missing -> 0), columns = (factor, period).
    if sector_cols:
        cube = data.pivot_table(index=sector_cols, columns=period, values=factors, aggfunc="first", observed=True)
    else:
        cube = data.set_index(period)[factors].T.stack().to_frame().T
    cube = cube.reindex(columns=pd.MultiIndex.from_product([factors, periods]), fill_value=0.0).fillna(0.0)
    pairs = list(itertools.pairwise(periods)) if chain else [(periods[0], periods[-1])]
    arrays = {p: np.stack([cube[(f, p)].to_numpy(dtype=float) for f in factors], axis=1) for p in periods}
    contrib = np.zeros((len(cube), len(factors)))
    step_rows = []
    for p0, pt in pairs:
        terms = _terms(arrays[p0], arrays[pt], epsilon)
        v0 = float(arrays[p0].prod(axis=1).sum())
        vt = float(arrays[pt].prod(axis=1).sum())
        if mode is Mode.MULTIPLICATIVE:
            if v0 <= 0 or vt <= 0:
                raise LmdiError(f"{source}: multiplicative LMDI needs positive totals; {p0}: {v0}, {pt}: {vt}")
            terms = terms / float(logmean(vt, v0))
        contrib += terms
        eff = terms.sum(axis=0)
        shown = np.exp(eff) if mode is Mode.MULTIPLICATIVE else eff
        total = float(shown.prod() if mode is Mode.MULTIPLICATIVE else shown.sum())
        step_rows.append({"period_start": p0, "period_end": pt, "start_value": v0, "end_value": vt,
                          **dict(zip(factors, shown.tolist(), strict=True)), "total": total})  # fmt: skip
    index = cube.index.to_frame(index=False) if sector_cols else pd.DataFrame(index=range(1))
    contributions = pd.concat([index, pd.DataFrame(contrib, columns=factors)], axis=1)
    log.info("LMDI %s over %d step(s), %d sector(s), %d factor(s)", mode.value, len(pairs), len(cube), len(factors))
    return LmdiResult(
        mode=mode,
        factors=tuple(factors),
        sectors=tuple(sector_cols),
        start=periods[0],
        end=periods[-1],
        chained=chain,
        start_value=float(step_rows[0]["start_value"]),
        end_value=float(step_rows[-1]["end_value"]),
        contributions=contributions,
        steps=pd.DataFrame(step_rows),
    )


def kaya_table(
    frame: pd.DataFrame,
    *,
    period: str = "year",
    population: str = "population",
    gdp: str = "gdp",
    energy: str = "energy",
    emissions: str = "emissions",
) -> pd.DataFrame:
    """The Kaya factors of a table of population, GDP, energy and emissions.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per period.
    period, population, gdp, energy, emissions : str
        Column names: persons, GDP [e.g. 10^4 yuan], energy [e.g. tce], emissions [e.g. t CO2e].

    Returns
    -------
    pandas.DataFrame
        ``period``, ``population`` [persons], ``affluence`` = G/P [GDP unit per person],
        ``energy_intensity`` = E/G [energy unit per GDP unit], ``carbon_intensity`` = C/E
        [emission unit per energy unit] and ``emissions`` = their product.
    """
    cols = [period, population, gdp, energy, emissions]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise LmdiError(f"Kaya: missing column(s) {missing}; columns are {list(frame.columns)}")
    num = frame[cols[1:]].apply(pd.to_numeric, errors="coerce").astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame(
            {
                period: frame[period].to_numpy(),
                "population": num[population].to_numpy(),
                "affluence": (num[gdp] / num[population]).to_numpy(),
                "energy_intensity": (num[energy] / num[gdp]).to_numpy(),
                "carbon_intensity": (num[emissions] / num[energy]).to_numpy(),
                "emissions": num[emissions].to_numpy(),
            }
        )
    return out


def kaya(
    frame: pd.DataFrame,
    *,
    period: str = "year",
    population: str = "population",
    gdp: str = "gdp",
    energy: str = "energy",
    emissions: str = "emissions",
    mode: Mode | str = Mode.ADDITIVE,
    chain: bool = False,
    source: str = "table",
) -> LmdiResult:
    """Kaya decomposition ``C = P (G/P) (E/G) (C/E)`` of emissions by LMDI-I.

    Effects of population, affluence (GDP per person), energy intensity of GDP and carbon
    intensity of energy; see :func:`kaya_table` for the columns and :func:`decompose` for the rest.

    References
    ----------
    Kaya (1990); Ang (2015), Energy Policy 86, 233-238.
    """
    table = kaya_table(frame, period=period, population=population, gdp=gdp, energy=energy, emissions=emissions)
    return decompose(
        table, value="emissions", factors=KAYA_FACTORS, period=period, mode=mode, chain=chain, source=source
    )
