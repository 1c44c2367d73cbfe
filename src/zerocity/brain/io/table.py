"""The input-output table: labelled flows, balance checks, coefficients and the Leontief solves.

A single-region, competitive-import table (the layout of China's national and provincial tables,
NBS 2017/2018/2020) in the notation of Miller & Blair (2009), Ch. 2:

* ``Z`` intermediate use [money], ``z_ij`` is what sector ``j`` buys from sector ``i`` (domestic
  and imported products together: competitive imports);
* ``Y`` final demand by category [money]: household consumption (rural, urban), government
  consumption, gross fixed capital formation, inventory change, exports, and for a province the
  outflow to other provinces; a statistical ``other`` column where the table has one;
* ``M`` imports by product [money, positive], and for a province the inflow from other provinces;
* ``VA`` value-added rows [money]: compensation of employees, net taxes on production,
  depreciation of fixed assets, operating surplus;
* ``x`` total output [money]; ``F`` direct emissions by sector and, optionally, direct emissions
  of final-demand categories (household fuel use) [emission unit].

Balance (both within tolerance; the sectors that do not balance are named):

    rows:     Z 1 + Y 1 - M 1 = x         columns:  1' Z + 1' VA = x

Coefficients: ``A = Z diag(x)^-1``, the Leontief inverse ``L = (I - A)^-1`` (Miller & Blair 2009,
§2.2). ``L`` is never formed for the models: ``I - A`` is LU-factorised once and every
``L b`` (and ``b' L``) is a pair of triangular solves.

Domestic coefficients (for the price and cap models, where imports do not move with city prices and
imports follow domestic use): the import share of domestic use of product ``i`` is
``mu_i = M_i / (sum_j z_ij + sum_{k local} y_ik)``, and ``A^d = diag(1 - mu) A``, the standard
proportionality assumption for splitting a competitive table (Miller & Blair 2009, Ch. 2
and Ch. 4; the same share applies to every user of the product). With it
``x = A^d x + y^d``, ``y^d = diag(1 - mu) y_local + exports`` holds exactly for a balanced table.

References
----------
Miller, R.E., Blair, P.D. (2009). *Input-Output Analysis: Foundations and Extensions*, 2nd ed.
Cambridge University Press. doi:10.1017/CBO9780511626982
National Bureau of Statistics of China (2020). *China Input-Output Tables 2017* (中国投入产出表
2017), table layout of the competitive-import tables.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import linalg

from zerocity.errors import UnitError, ZerocityError
from zerocity.units import parse_unit

__all__ = [
    "DEFAULT_ATOL",
    "DEFAULT_RTOL",
    "EXPORT_COLUMNS",
    "FINAL_DEMAND_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "IMPORT_COLUMNS",
    "VALUE_ADDED_ROWS",
    "IOTable",
    "IOTableError",
]

log = logging.getLogger(__name__)

#: Canonical final-demand columns, in the NBS order. Any other name is a local category.
FINAL_DEMAND_COLUMNS = (
    "rural_household",
    "urban_household",
    "household",
    "government",
    "gfcf",
    "inventory_change",
    "exports",
    "outflow",
    "other",
)
#: Final-demand columns that leave the region: exports abroad, outflow to other provinces/regions.
EXPORT_COLUMNS = ("exports", "outflow")
#: Columns of ``M``: imports from abroad, inflow from other provinces/regions (positive values).
IMPORT_COLUMNS = ("imports", "inflow")
#: Household consumption columns (the basket of the CPI-like price index).
HOUSEHOLD_COLUMNS = ("rural_household", "urban_household", "household")
#: Canonical value-added rows, in the NBS order.
VALUE_ADDED_ROWS = ("compensation", "net_taxes", "depreciation", "operating_surplus")

#: Default relative tolerance of the balance checks, relative to each sector's output [unitless].
#: Published tables are rounded to whole 10^4 yuan per cell; 1e-5 of a sector's output covers that.
DEFAULT_RTOL = 1e-5
#: Default absolute tolerance, relative to the largest output of the table [unitless].
DEFAULT_ATOL = 1e-9


class IOTableError(ZerocityError, ValueError):
    """An input-output table that cannot be used; the message names the sectors and what is wrong.

    Attributes
    ----------
    source : str
        Table (file or name) the problem is in.
    problems : list of str
        One line per problem, each naming the sector (row or column) concerned.
    """

    code = "io_table"

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        shown = self.problems[:50]
        more = f"\n  ... and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{source}: " + "\n  ".join(["input-output table is not usable:", *shown]) + more)


def _frame(data: Any, index: Sequence[str], columns: Sequence[str] | None, what: str, source: str) -> pd.DataFrame:
    """A float frame with exactly ``index`` (and ``columns`` when given); labels are checked."""
    if isinstance(data, pd.DataFrame):
        frame = data.copy()
        frame.index = frame.index.map(str)
        frame.columns = frame.columns.map(str)
        missing = [s for s in index if s not in frame.index]
        extra = [s for s in frame.index if s not in set(index)]
        if missing or extra:
            raise IOTableError(source, [f"{what}: rows {missing} missing, rows {extra} not sectors of the table"])
        frame = frame.loc[list(index)]
        if columns is not None:
            miss_c = [c for c in columns if c not in frame.columns]
            extra_c = [c for c in frame.columns if c not in set(columns)]
            if miss_c or extra_c:
                raise IOTableError(source, [f"{what}: columns {miss_c} missing, columns {extra_c} unexpected"])
            frame = frame[list(columns)]
    else:
        arr = np.asarray(data, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if columns is None:
            raise IOTableError(source, [f"{what}: column labels are required for an array"])
        if arr.shape != (len(index), len(columns)):
            raise IOTableError(source, [f"{what}: shape {arr.shape}, expected {(len(index), len(columns))}"])
        frame = pd.DataFrame(arr, index=list(index), columns=list(columns))
    try:
        return frame.astype(float)
    except (TypeError, ValueError) as exc:
        raise IOTableError(source, [f"{what}: values must be numbers ({exc})"]) from exc


def _series(data: Any, index: Sequence[str], what: str, source: str) -> pd.Series:
    if isinstance(data, pd.Series):
        s = data.copy()
        s.index = s.index.map(str)
        missing = [k for k in index if k not in s.index]
        extra = [k for k in s.index if k not in set(index)]
        if missing or extra:
            raise IOTableError(source, [f"{what}: labels {missing} missing, labels {extra} unexpected"])
        return s.loc[list(index)].astype(float)
    if isinstance(data, Mapping):
        return _series(pd.Series(dict(data), dtype=float), index, what, source)
    arr = np.asarray(data, dtype=float).ravel()
    if arr.shape != (len(index),):
        raise IOTableError(source, [f"{what}: length {arr.size}, expected {len(index)}"])
    return pd.Series(arr, index=list(index))


@dataclass(frozen=True, eq=False)
class IOTable:
    """An environmentally extended single-region input-output table (competitive imports).

    Build one with :meth:`from_arrays` (arrays or labelled frames) or read one with
    :func:`zerocity.brain.io.read_io_table`.

    Attributes
    ----------
    sectors : tuple of str
        Sector labels, in table order (rows of ``Z`` and columns of ``Z``).
    intermediate : pandas.DataFrame
        ``Z``, sectors x sectors [money_unit]; ``z_ij`` is sold by ``i`` to ``j``.
    final_demand : pandas.DataFrame
        ``Y``, sectors x final-demand categories [money_unit]. Categories named in
        :data:`EXPORT_COLUMNS` leave the region; all others are local final demand.
    imports : pandas.DataFrame
        ``M``, sectors x import columns (:data:`IMPORT_COLUMNS`) [money_unit], positive numbers
        that are subtracted in the row balance. May have no columns.
    value_added : pandas.DataFrame
        Value-added rows x sectors [money_unit].
    output : pandas.Series
        ``x``, total output by sector [money_unit].
    emissions : pandas.Series or None
        ``F``, direct emissions of each sector's production [emission_unit].
    final_emissions : pandas.Series or None
        Direct emissions of final-demand categories (household fuel combustion) [emission_unit];
        indexed by category.
    money_unit, emission_unit : str
        Units as the project's unit registry reads them (``wan_yuan`` = 10^4 yuan, ``yi_yuan``,
        ``yuan``; ``tCO2e``, ``wan_t``, ``MtCO2e``).
    name, source : str
        Display name; file or publisher the table came from.
    notes : tuple of str
        What was assumed or adjusted when the table was read or built.
    """

    sectors: tuple[str, ...]
    intermediate: pd.DataFrame
    final_demand: pd.DataFrame
    imports: pd.DataFrame
    value_added: pd.DataFrame
    output: pd.Series
    emissions: pd.Series | None = None
    final_emissions: pd.Series | None = None
    money_unit: str = "wan_yuan"
    emission_unit: str = "tCO2e"
    name: str = "input-output table"
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        sectors: Sequence[str],
        intermediate: Any,
        final_demand: Any,
        *,
        final_demand_columns: Sequence[str] | None = None,
        imports: Any = None,
        import_columns: Sequence[str] | None = None,
        value_added: Any = None,
        value_added_rows: Sequence[str] | None = None,
        output: Any = None,
        emissions: Any = None,
        final_emissions: Mapping[str, float] | pd.Series | None = None,
        money_unit: str = "wan_yuan",
        emission_unit: str = "tCO2e",
        name: str = "input-output table",
        source: str = "",
        notes: Sequence[str] = (),
    ) -> IOTable:
        """Build a table from arrays or labelled frames; missing parts are derived from the balance.

        Parameters
        ----------
        sectors : sequence of str
            Sector labels (unique).
        intermediate : array_like or DataFrame
            ``Z`` [money_unit], n x n.
        final_demand : array_like or DataFrame
            ``Y`` [money_unit], n x K (a vector is one category, ``final_demand_columns`` names them).
        imports : array_like or DataFrame, optional
            ``M`` [money_unit], positive, n x (1 or 2); columns ``imports`` (and ``inflow``).
        value_added : array_like or DataFrame, optional
            Value-added rows x sectors [money_unit]. Default: one row ``value_added`` = ``x - 1'Z``.
        output : array_like, optional
            ``x`` [money_unit]. Default: the row balance ``Z 1 + Y 1 - M 1``.
        emissions : array_like or Series, optional
            Direct emissions by sector [emission_unit].
        final_emissions : mapping or Series, optional
            Direct emissions of final-demand categories [emission_unit].

        Returns
        -------
        IOTable

        Raises
        ------
        IOTableError
            Labels or shapes that do not fit, non-numeric or non-finite values.
        """
        src = source or name
        labels = tuple(str(s) for s in sectors)
        dupes = sorted({s for s in labels if labels.count(s) > 1})
        if dupes:
            raise IOTableError(src, [f"duplicate sector labels {dupes}"])
        z = _frame(intermediate, labels, labels, "intermediate use Z", src)
        if isinstance(final_demand, pd.DataFrame):
            y = _frame(final_demand, labels, final_demand_columns, "final demand Y", src)
        else:
            arr = np.asarray(final_demand, dtype=float)
            k = 1 if arr.ndim == 1 else arr.shape[1]
            default = ["final_demand"] if k == 1 else [f"final_demand_{i + 1}" for i in range(k)]
            cols = list(final_demand_columns or default)
            y = _frame(arr, labels, cols, "final demand Y", src)
        if imports is None:
            m = pd.DataFrame(index=list(labels), columns=pd.Index([], dtype=str), dtype=float)
        elif isinstance(imports, pd.DataFrame):
            m = _frame(imports, labels, import_columns, "imports M", src)
        else:
            arr = np.asarray(imports, dtype=float)
            cols = list(import_columns or (["imports"] if arr.ndim == 1 else IMPORT_COLUMNS[: arr.shape[1]]))
            m = _frame(arr, labels, cols, "imports M", src)
        if output is None:
            x = pd.Series(z.sum(axis=1) + y.sum(axis=1) - m.sum(axis=1), index=list(labels))
        else:
            x = _series(output, labels, "total output x", src)
        if value_added is None:
            va = pd.DataFrame([x.to_numpy() - z.sum(axis=0).to_numpy()], index=["value_added"], columns=list(labels))
        elif isinstance(value_added, pd.DataFrame):
            va = _frame(value_added.T, labels, value_added_rows, "value added", src).T
        else:
            arr = np.atleast_2d(np.asarray(value_added, dtype=float))
            if value_added_rows:
                rows = list(value_added_rows)
            else:
                rows = ["value_added"] if arr.shape[0] == 1 else [f"va{i + 1}" for i in range(arr.shape[0])]
            if arr.shape != (len(rows), len(labels)):
                raise IOTableError(src, [f"value added: shape {arr.shape}, expected {(len(rows), len(labels))}"])
            va = pd.DataFrame(arr, index=rows, columns=list(labels))
        f = None if emissions is None else _series(emissions, labels, "direct emissions", src)
        fy = None
        if final_emissions is not None:
            fe = pd.Series(final_emissions, dtype=float) if isinstance(final_emissions, Mapping) else final_emissions
            unknown = [str(k) for k in fe.index if str(k) not in y.columns]
            if unknown:
                raise IOTableError(src, [f"direct emissions of final demand: categories {unknown} not in Y"])
            fy = fe.astype(float)
            fy.index = fy.index.map(str)
        return cls(
            sectors=labels,
            intermediate=z,
            final_demand=y,
            imports=m,
            value_added=va,
            output=x,
            emissions=f,
            final_emissions=fy,
            money_unit=money_unit,
            emission_unit=emission_unit,
            name=name,
            source=source,
            notes=tuple(notes),
        )

    def __post_init__(self) -> None:
        src = self.source or self.name
        problems = []
        for what, frame in (
            ("intermediate use Z", self.intermediate),
            ("final demand Y", self.final_demand),
            ("imports M", self.imports),
            ("value added", self.value_added),
        ):
            bad = ~np.isfinite(frame.to_numpy(dtype=float))
            if bad.any():
                cells = [f"({frame.index[i]}, {frame.columns[j]})" for i, j in zip(*np.nonzero(bad), strict=True)]
                problems.append(f"{what}: missing or infinite values at {', '.join(cells[:10])}")
        if not np.isfinite(self.output.to_numpy(dtype=float)).all():
            problems.append("total output x: missing or infinite values")
        unknown_m = [c for c in self.imports.columns if c not in IMPORT_COLUMNS]
        if unknown_m:
            problems.append(f"imports M: columns {unknown_m}, expected some of {list(IMPORT_COLUMNS)}")
        if problems:
            raise IOTableError(src, problems)
        for unit, dim in ((self.money_unit, "money"), (self.emission_unit, "mass")):
            _scale(unit, dim, src)

    # ------------------------------------------------------------------ basic views
    @property
    def n(self) -> int:
        """Number of sectors."""
        return len(self.sectors)

    @property
    def label(self) -> str:
        """Name for messages: the source when there is one, else the name."""
        return self.source or self.name

    @functools.cached_property
    def x(self) -> np.ndarray:
        """Total output ``x`` [money_unit]."""
        return self.output.to_numpy(dtype=float)

    @property
    def export_columns(self) -> list[str]:
        """Final-demand categories that leave the region (:data:`EXPORT_COLUMNS` present in ``Y``)."""
        return [c for c in self.final_demand.columns if c in EXPORT_COLUMNS]

    @property
    def local_columns(self) -> list[str]:
        """Local final-demand categories: every column of ``Y`` that is not an export."""
        return [c for c in self.final_demand.columns if c not in EXPORT_COLUMNS]

    @property
    def household_columns(self) -> list[str]:
        """Household consumption categories present in ``Y``."""
        return [c for c in self.final_demand.columns if c in HOUSEHOLD_COLUMNS]

    @functools.cached_property
    def local_final_demand(self) -> np.ndarray:
        """Local final demand ``y_local`` = sum of the local categories [money_unit]."""
        return self.final_demand[self.local_columns].to_numpy(dtype=float).sum(axis=1)

    @functools.cached_property
    def exports_total(self) -> np.ndarray:
        """Exports and outflow by product [money_unit]."""
        return self.final_demand[self.export_columns].to_numpy(dtype=float).sum(axis=1)

    @functools.cached_property
    def imports_total(self) -> np.ndarray:
        """Imports and inflow by product [money_unit]."""
        return self.imports.to_numpy(dtype=float).sum(axis=1)

    @functools.cached_property
    def net_final_demand(self) -> np.ndarray:
        """``y = Y 1 - M 1``, final demand net of imports [money_unit]; ``x = A x + y``."""
        return self.final_demand.to_numpy(dtype=float).sum(axis=1) - self.imports_total

    @functools.cached_property
    def total_value_added(self) -> np.ndarray:
        """Value added by sector (sum of the value-added rows) [money_unit]."""
        return self.value_added.to_numpy(dtype=float).sum(axis=0)

    @property
    def money_scale(self) -> float:
        """Yuan per money unit [yuan / money_unit]."""
        return _scale(self.money_unit, "money", self.label)

    @property
    def emission_scale(self) -> float:
        """Tonnes per emission unit [t / emission_unit]."""
        return _scale(self.emission_unit, "mass", self.label)

    # ------------------------------------------------------------------ validation
    def balance(self) -> pd.DataFrame:
        """Row and column balance residuals by sector [money_unit].

        Returns
        -------
        pandas.DataFrame
            Indexed by sector: ``output``, ``row_residual = Z 1 + Y 1 - M 1 - x`` and
            ``column_residual = 1'Z + 1'VA - x``.
        """
        z = self.intermediate.to_numpy(dtype=float)
        row = z.sum(axis=1) + self.final_demand.to_numpy(dtype=float).sum(axis=1) - self.imports_total - self.x
        col = z.sum(axis=0) + self.total_value_added - self.x
        return pd.DataFrame(
            {"output": self.x, "row_residual": row, "column_residual": col}, index=pd.Index(self.sectors, name="sector")
        )

    def problems(self, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> list[str]:
        """Every reason the table cannot be used, one line per sector and check (empty when valid).

        Parameters
        ----------
        rtol : float
            Relative tolerance of the balances, relative to each sector's output [unitless].
        atol : float
            Absolute tolerance, relative to the largest output in the table [unitless].

        Returns
        -------
        list of str
            Checks: row balance, column balance, negative output, negative intermediate use,
            zero output with non-zero inputs or emissions, intermediate inputs that reach the
            output (no value added: the Hawkins-Simon condition fails, Miller & Blair 2009 §2.3.3).
        """
        out: list[str] = []
        b = self.balance()
        scale = float(np.abs(self.x).max()) if self.n else 0.0
        tol = rtol * np.abs(self.x) + atol * scale
        for (sector, r), t in zip(b.iterrows(), tol, strict=True):
            if abs(r["row_residual"]) > t:
                out.append(
                    f"sector {sector!r}: rows do not balance: intermediate use + final demand - imports "
                    f"= {r['output'] + r['row_residual']:.6g}, total output {r['output']:.6g} "
                    f"(difference {r['row_residual']:+.6g} {self.money_unit})"
                )
            if abs(r["column_residual"]) > t:
                out.append(
                    f"sector {sector!r}: column does not balance: intermediate inputs + value added "
                    f"= {r['output'] + r['column_residual']:.6g}, total output {r['output']:.6g} "
                    f"(difference {r['column_residual']:+.6g} {self.money_unit})"
                )
        z = self.intermediate.to_numpy(dtype=float)
        for j, s in enumerate(self.sectors):
            if self.x[j] < 0:
                out.append(f"sector {s!r}: negative total output {self.x[j]:.6g}")
            elif self.x[j] == 0 and (z[:, j].any() or (self.emissions is not None and self.emissions.iloc[j] != 0)):
                out.append(f"sector {s!r}: zero total output but non-zero inputs or emissions")
            elif self.x[j] > 0 and z[:, j].sum() >= self.x[j] * (1 - 1e-12):
                out.append(
                    f"sector {s!r}: intermediate inputs {z[:, j].sum():.6g} reach its output {self.x[j]:.6g} "
                    "(no value added; the Leontief inverse would not be productive)"
                )
        neg = np.argwhere(z < 0)
        for i, j in neg[:20]:
            out.append(f"intermediate use ({self.sectors[i]!r} -> {self.sectors[j]!r}) is negative: {z[i, j]:.6g}")
        if self.imports.to_numpy(dtype=float).min(initial=0.0) < 0:
            bad = [s for s, v in zip(self.sectors, self.imports.to_numpy().min(axis=1), strict=True) if v < 0]
            out.append(f"imports must be positive numbers (subtracted in the balance): negative for {bad}")
        if self.emissions is not None:
            bad = [s for s, v in self.emissions.items() if v < 0]
            if bad:
                out.append(f"direct emissions are negative for sectors {bad}")
        return out

    def validate(self, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> IOTable:
        """Check the table (:meth:`problems`) and return it.

        Raises
        ------
        IOTableError
            Naming every sector that does not balance and every other problem.
        """
        found = self.problems(rtol=rtol, atol=atol)
        if found:
            raise IOTableError(self.label, found)
        return self

    # ------------------------------------------------------------------ coefficients
    @functools.cached_property
    def _a(self) -> np.ndarray:
        z = self.intermediate.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = np.where(self.x[None, :] > 0, z / self.x[None, :], 0.0)
        return a

    @property
    def technical_coefficients(self) -> pd.DataFrame:
        """``A = Z diag(x)^-1`` [unitless; money of input per money of output] (Miller & Blair 2009, §2.2)."""
        return pd.DataFrame(self._a, index=list(self.sectors), columns=list(self.sectors))

    @functools.cached_property
    def _lu(self) -> tuple[np.ndarray, np.ndarray]:
        return _factorise(np.eye(self.n) - self._a, self.sectors, self.label)

    def solve(self, b: Any) -> np.ndarray:
        """``L b = (I - A)^-1 b`` by LU solves (``b`` a vector or an n x k matrix) [unit of b]."""
        return np.asarray(linalg.lu_solve(self._lu, np.asarray(b, dtype=float), check_finite=False))

    def solve_row(self, b: Any) -> np.ndarray:
        """``b' L`` (row vector, or the rows of a k x n matrix) by transposed LU solves [unit of b]."""
        arr = np.asarray(b, dtype=float)
        return np.asarray(linalg.lu_solve(self._lu, arr.T, trans=1, check_finite=False)).T

    @property
    def leontief_inverse(self) -> pd.DataFrame:
        """``L = (I - A)^-1`` [unitless] (Miller & Blair 2009, §2.2), formed explicitly for reporting."""
        return pd.DataFrame(self.solve(np.eye(self.n)), index=list(self.sectors), columns=list(self.sectors))

    @functools.cached_property
    def import_shares(self) -> np.ndarray:
        """``mu_i = M_i / (sum_j z_ij + y_local_i)``: import share of the domestic use of product ``i`` [unitless].

        Raises
        ------
        IOTableError
            When imports exceed domestic use (re-exports); the sectors are named.
        """
        use = self.intermediate.to_numpy(dtype=float).sum(axis=1) + self.local_final_demand
        m = self.imports_total
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = np.where(use > 0, m / use, 0.0)
        bad = [s for s, v, mm, u in zip(self.sectors, mu, m, use, strict=True) if v > 1 + 1e-12 or (mm > 0 and u <= 0)]
        if bad:
            raise IOTableError(
                self.label,
                [
                    f"sector {s!r}: imports exceed domestic use (re-exports?); domestic coefficients undefined"
                    for s in bad
                ],
            )
        return np.clip(mu, 0.0, 1.0)

    @functools.cached_property
    def _a_domestic(self) -> np.ndarray:
        return (1.0 - self.import_shares)[:, None] * self._a

    @property
    def domestic_coefficients(self) -> pd.DataFrame:
        """``A^d = diag(1 - mu) A``: inputs bought from the region's own producers [unitless]."""
        return pd.DataFrame(self._a_domestic, index=list(self.sectors), columns=list(self.sectors))

    @functools.cached_property
    def _lu_domestic(self) -> tuple[np.ndarray, np.ndarray]:
        return _factorise(np.eye(self.n) - self._a_domestic, self.sectors, self.label)

    def solve_domestic(self, b: Any) -> np.ndarray:
        """``L^d b = (I - A^d)^-1 b`` by LU solves [unit of b]."""
        return np.asarray(linalg.lu_solve(self._lu_domestic, np.asarray(b, dtype=float), check_finite=False))

    def solve_domestic_row(self, b: Any) -> np.ndarray:
        """``b' L^d`` by transposed LU solves [unit of b]."""
        arr = np.asarray(b, dtype=float)
        return np.asarray(linalg.lu_solve(self._lu_domestic, arr.T, trans=1, check_finite=False)).T

    def domestic_final_demand(self) -> pd.DataFrame:
        """``Y^d``: local categories times ``1 - mu``, export categories unchanged [money_unit]."""
        y = self.final_demand.copy()
        keep = 1.0 - self.import_shares
        for c in self.local_columns:
            y[c] = y[c].to_numpy(dtype=float) * keep
        return y

    @functools.cached_property
    def value_added_coefficients(self) -> np.ndarray:
        """``v_j = VA_j / x_j`` [unitless] (0 for a sector without output)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.x > 0, self.total_value_added / self.x, 0.0)

    # ------------------------------------------------------------------ emissions
    def direct_emissions(self, emissions: Any = None) -> np.ndarray:
        """Direct emissions by sector ``F`` [emission_unit]: ``emissions`` when given, else the table's.

        Raises
        ------
        IOTableError
            When neither is available.
        """
        if emissions is not None:
            return _series(emissions, self.sectors, "direct emissions", self.label).to_numpy(dtype=float)
        if self.emissions is None:
            raise IOTableError(
                self.label,
                ["no direct emissions by sector: add an emissions row to the table or give an emissions file"],
            )
        return self.emissions.to_numpy(dtype=float)

    def direct_intensity(self, emissions: Any = None) -> np.ndarray:
        """``f = F / x`` [emission_unit / money_unit] (0 for a sector without output)."""
        f = self.direct_emissions(emissions)
        bad = [s for s, xx, ff in zip(self.sectors, self.x, f, strict=True) if xx <= 0 and ff != 0]
        if bad:
            raise IOTableError(self.label, [f"sector {s!r}: emissions but no output" for s in bad])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.x > 0, f / self.x, 0.0)

    def total_intensity(self, emissions: Any = None) -> np.ndarray:
        """``m = f L`` [emission_unit / money_unit] by one transposed LU solve (Miller & Blair 2009, Ch. 10)."""
        return self.solve_row(self.direct_intensity(emissions))

    def final_direct(self, final_emissions: Mapping[str, float] | pd.Series | None = None) -> pd.Series:
        """Direct emissions of final-demand categories [emission_unit], zero for categories without."""
        src = final_emissions if final_emissions is not None else self.final_emissions
        out = pd.Series(0.0, index=list(self.final_demand.columns))
        if src is not None:
            s = pd.Series(src, dtype=float)
            unknown = [str(k) for k in s.index if str(k) not in out.index]
            if unknown:
                raise IOTableError(self.label, [f"direct emissions of final demand: categories {unknown} not in Y"])
            out.loc[[str(k) for k in s.index]] = s.to_numpy(dtype=float)
        return out

    # ------------------------------------------------------------------ derived tables
    def with_emissions(
        self, emissions: Any = None, final_emissions: Mapping[str, float] | pd.Series | None = None
    ) -> IOTable:
        """A copy with other direct emissions (by sector, and of final demand when given)."""
        f = None if emissions is None else _series(emissions, self.sectors, "direct emissions", self.label)
        fy = self.final_emissions
        if final_emissions is not None:
            fy = self.final_direct(final_emissions)
            fy = fy[fy != 0]
        return IOTable(
            sectors=self.sectors,
            intermediate=self.intermediate,
            final_demand=self.final_demand,
            imports=self.imports,
            value_added=self.value_added,
            output=self.output,
            emissions=f if f is not None else self.emissions,
            final_emissions=fy,
            money_unit=self.money_unit,
            emission_unit=self.emission_unit,
            name=self.name,
            source=self.source,
            notes=self.notes,
        )

    def summary(self) -> dict[str, Any]:
        """Totals for display: sectors, output, value added, final demand by category, emissions."""
        fe = self.final_direct()
        return {
            "name": self.name,
            "source": self.source,
            "sectors": len(self.sectors),
            "money_unit": self.money_unit,
            "emission_unit": self.emission_unit,
            "total_output": float(self.x.sum()),
            "value_added": float(self.total_value_added.sum()),
            "final_demand": {c: float(v) for c, v in self.final_demand.sum(axis=0).items()},
            "imports": {c: float(v) for c, v in self.imports.sum(axis=0).items()},
            "direct_emissions": None if self.emissions is None else float(self.emissions.sum()),
            "final_direct_emissions": float(fe.sum()),
            "notes": list(self.notes),
        }


def _factorise(matrix: np.ndarray, sectors: Sequence[str], source: str) -> tuple[np.ndarray, np.ndarray]:
    """LU factors of ``I - A``; a singular matrix names the sectors at the zero pivots."""
    if matrix.size == 0:
        raise IOTableError(source, ["the table has no sectors"])
    lu, piv = linalg.lu_factor(matrix, check_finite=False)
    diag = np.abs(np.diag(lu))
    tiny = np.nonzero(diag <= 1e-13 * max(1.0, float(diag.max())))[0]
    if tiny.size:
        names = [sectors[int(i)] for i in tiny]
        raise IOTableError(source, [f"I - A is singular (no Leontief inverse); check sectors {names}"])
    return lu, piv


@functools.lru_cache(maxsize=64)
def _scale(unit: str, dimension: str, source: str) -> float:
    """Size of ``unit`` in yuan (money) or tonnes (mass)."""
    base = "yuan" if dimension == "money" else "t"
    try:
        return parse_unit(unit).to(parse_unit(base))
    except UnitError as exc:
        raise IOTableError(source, [f"{dimension} unit {unit!r}: {exc}"]) from exc
