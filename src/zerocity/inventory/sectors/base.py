"""What a sector method is, and the tools every method uses.

A *sector method* computes the emissions of input rows whose ``method`` column names it (``fod``,
``enteric``, ``cement`` ...). It declares

* the GPC references it serves (``III.1`` for solid waste disposal) and the activity categories
  its rows may name (``solid_waste``);
* the dimension of its rows' ``amount`` (mass of waste, number of animals, area of paddy...);
* its own input columns (:class:`MethodColumn`), typed and checked by the record validation for
  its rows only, so that every bad cell is reported with its row and column like any other;
* a ``compute`` function that reads the validated rows and emits emissions through a
  :class:`MethodContext`.

Parameters come from the factor library (``MethodContext.parameter``): one resolution per
distinct (activity, qualifier, region, year, GPC reference), values converted to the unit the
formula needs, the factor ids kept for provenance, and a row's own value (an override column)
winning over the library's default. Everything is columnar: a method works on whole columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from zerocity.errors import RecordIssue, UnitError
from zerocity.factors.library import FactorLibrary, Resolution
from zerocity.inventory.keys import key_codes
from zerocity.units import conversion_factor, parse_unit

__all__ = [
    "MethodColumn",
    "MethodContext",
    "ParameterValues",
    "SectorMethod",
    "parameter_where",
]


@dataclass(frozen=True)
class MethodColumn:
    """An input column of a sector method.

    Attributes
    ----------
    name : str
        Column heading (shared by every method that uses it, with one meaning).
    kind : ``"number"`` or ``"text"``
    description : str
        What the column holds, with its unit for numbers (documentation and ``--help``).
    required : bool
        A row of the method must fill it.
    choices : tuple of str
        Admissible values of a text column (lower-cased on input); empty = free text.
    minimum, maximum : float, optional
        Bounds of a number (inclusive).
    """

    name: str
    kind: Literal["number", "text"]
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = 0.0
    maximum: float | None = None


@dataclass(frozen=True)
class SectorMethod:
    """A calculation method for sectors beyond fuel combustion.

    Attributes
    ----------
    name : str
        Value of the ``method`` column that selects it.
    title : str
        One line for listings.
    gpc_refs : tuple of str
        GPC reference prefixes its rows may carry (``("III.1",)``).
    activity_categories : tuple of str
        Categories (``activities.csv``) of the activities its rows may name.
    amount_dimensions : tuple of str
        Admissible dimensions of ``amount`` (``("mass",)``, ``("animals",)``, ``("area",)``).
    columns : tuple of MethodColumn
        Its own input columns.
    compute : callable
        ``compute(rows, ctx)``: rows are the method's validated rows (columns of the record table,
        its own columns, ``pos`` and ``row``); it emits through ``ctx``.
    reference : str
        Source of the formula (volume, chapter, equation).
    history : bool
        Rows are a history (e.g. yearly waste disposal since the first year with data) from
        which the method computes the emissions of the inventory years; they are not emissions
        of their own year.
    """

    name: str
    title: str
    gpc_refs: tuple[str, ...]
    activity_categories: tuple[str, ...]
    amount_dimensions: tuple[str, ...]
    columns: tuple[MethodColumn, ...]
    compute: Callable[[pd.DataFrame, MethodContext], None]
    reference: str
    history: bool = False


@dataclass
class ParameterValues:
    """A parameter for every row: value, provenance and uncertainty.

    Attributes
    ----------
    values : numpy.ndarray
        In the unit the method asked for; NaN where none was found (an issue was raised).
    factor_ids : numpy.ndarray of str
        Library record id, or ``row`` when the row gave its own value.
    rel_uncertainty : numpy.ndarray
        95% half-width as a fraction; NaN when unknown or given by the row.
    """

    values: np.ndarray
    factor_ids: np.ndarray
    rel_uncertainty: np.ndarray


@dataclass
class MethodContext:
    """What a method needs besides its rows, and where it puts its output.

    Attributes
    ----------
    library : FactorLibrary
    years : tuple of int
        Inventory years: the years a history method computes emissions for.
    """

    library: FactorLibrary
    years: tuple[int, ...]
    issues: list[RecordIssue] = field(default_factory=list)
    factor_ids: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    parts: list[pd.DataFrame] = field(default_factory=list)

    # ------------------------------------------------------------------ errors
    def flag(self, rows: pd.DataFrame, mask: np.ndarray | pd.Series, column: str, message: str) -> None:
        """Report ``message`` for every row of ``rows`` where ``mask`` is true."""
        m = np.asarray(mask, dtype=bool)
        if not m.any():
            return
        values = rows[column].to_numpy(dtype=object)[m] if column in rows.columns else [""] * int(m.sum())
        for r, v in zip(rows["row"].to_numpy()[m], values, strict=True):
            shown = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            self.issues.append(RecordIssue(int(r), column, message, shown))

    # ------------------------------------------------------------------ inputs
    def amount_in(self, rows: pd.DataFrame, unit: str) -> np.ndarray:
        """Each row's ``amount`` converted to ``unit`` (one conversion per distinct unit string)."""
        out = rows["amount"].to_numpy(dtype=float).copy()
        units = rows["unit"].astype(str).to_numpy()
        target = parse_unit(unit)
        for text in np.unique(units):
            mask = units == text
            try:
                out[mask] *= parse_unit(str(text)).to(target)
            except UnitError as exc:
                self.flag(rows, mask, "unit", f"expected a unit convertible to {unit}: {exc}")
                out[mask] = np.nan
        return out

    def parameter(
        self,
        rows: pd.DataFrame,
        name: str,
        *,
        unit: str,
        activity: str | np.ndarray | None = None,
        qualifier: str | np.ndarray = "",
        gas: str = "",
        override: str | None = None,
        error_column: str = "activity",
        where: np.ndarray | None = None,
    ) -> ParameterValues:
        """A library parameter for every row, in ``unit``.

        Parameters
        ----------
        rows : pandas.DataFrame
            The method's rows.
        name : str
            Parameter name (``parameters.csv`` of a dataset, or ``ef``).
        unit : str
            Unit the formula needs the value in (``1``, ``1/yr``, ``kg/head``...).
        activity : str or array, optional
            Activity id of each row (default: the rows' ``activity``).
        qualifier : str or array
            Condition of each row (climate zone, technology...).
        gas : str
            For emission factors.
        override : str, optional
            Column of ``rows`` whose filled cells replace the library value (given in ``unit``).
        error_column : str
            Column named in the issue raised for rows without a value.
        where : numpy.ndarray of bool, optional
            Only these rows need the parameter (e.g. the CKD factor of clinker rows): the others
            get NaN and no id, and raise no issue.
        """
        n = len(rows)
        values = np.full(n, np.nan)
        ids = np.full(n, "", dtype=object)
        unc = np.full(n, np.nan)
        given = np.zeros(n, dtype=bool)
        if override is not None and override in rows.columns:
            own = rows[override].to_numpy(dtype=float)
            given = ~np.isnan(own)
            values[given] = own[given]
            ids[given] = "row"
        need = np.flatnonzero(~given if where is None else ~given & np.asarray(where, dtype=bool))
        if where is not None:
            values[~np.asarray(where, dtype=bool)] = np.nan
            ids[~np.asarray(where, dtype=bool)] = ""
        if not len(need):
            return ParameterValues(values, ids, unc)

        def column(value: str | np.ndarray | None, default: str) -> pd.Series:
            # Categorical record columns are keyed by their codes; arrays are factorised once.
            if value is None:
                return rows[default].iloc[need].reset_index(drop=True)
            if isinstance(value, str):
                return pd.Series(pd.Categorical.from_codes(np.zeros(len(need), dtype=np.int8), categories=[value]))
            return pd.Series(pd.Categorical(np.asarray(value, dtype=object)[need].astype(str)))

        key = pd.DataFrame(
            {
                "activity": column(activity, "activity"),
                "qualifier": column(qualifier if isinstance(qualifier, str) else np.asarray(qualifier), ""),
                "region": column(None, "region"),
                "year": rows["year"].to_numpy(dtype=np.int64)[need],
                "gpc_ref": column(None, "gpc_ref"),
            }
        )
        codes, distinct = key_codes(key, list(key.columns))
        target = parse_unit(unit)
        kval = np.full(len(distinct), np.nan)
        kid = np.full(len(distinct), "", dtype=object)
        kunc = np.full(len(distinct), np.nan)
        for i, (a, q, region, year, ref) in enumerate(distinct.itertuples(index=False, name=None)):
            res = self._resolve(name, str(a), str(q), gas, str(region), int(year), str(ref))
            rec = res.winner
            if rec is None:
                in_key = need[codes == i]
                self.flag(
                    rows.iloc[in_key],
                    np.ones(len(in_key), dtype=bool),
                    error_column,
                    self.library.not_found_message(res)
                    + (f"; give the value in column {override!r}" if override else ""),
                )
                continue
            try:
                k = conversion_factor(rec.unit.unit, target.unit) * rec.unit.scale / target.scale
            except UnitError as exc:
                raise UnitError(f"factor {rec.factor_id}: {exc}") from exc
            kval[i] = rec.value * k
            kid[i] = rec.factor_id
            kunc[i] = np.nan if rec.relative_uncertainty is None else rec.relative_uncertainty
            self.factor_ids.add(rec.factor_id)
            self.warnings.extend(res.warnings)
        values[need] = kval[codes]
        ids[need] = kid[codes]
        unc[need] = kunc[codes]
        return ParameterValues(values, ids, unc)

    def _resolve(
        self, name: str, activity: str, qualifier: str, gas: str, region: str, year: int, ref: str
    ) -> Resolution:
        """Library resolution of one parameter key, memoised on the (immutable) library."""

        def compute() -> Resolution:
            return self.library.resolve(
                name, activity, gas=gas, gpc_ref=ref, region=region, year=year, qualifier=qualifier
            )

        return self.library.memo(("method_parameter", name, activity, qualifier, gas, region, year, ref), compute)

    # ------------------------------------------------------------------ output
    def emit(
        self,
        rows: pd.DataFrame,
        gas: str,
        tonnes: np.ndarray,
        *parameters: ParameterValues | tuple[np.ndarray, np.ndarray],
        biogenic: bool | np.ndarray = False,
        year: np.ndarray | None = None,
        positions: np.ndarray | None = None,
    ) -> None:
        """Add emissions of one gas for ``rows`` [t gas].

        Parameters
        ----------
        rows : pandas.DataFrame
            The rows the emissions belong to (their ``pos`` links them to the record).
        gas : str
        tonnes : numpy.ndarray
            One value per row (or per ``positions`` entry) [t].
        *parameters : ParameterValues
            The parameters the tonnes were computed with: their ids make ``factor_ids`` and their
            uncertainties combine (root sum of squares) into ``rel_uncertainty``.
        biogenic : bool or array
            Biogenic CO2, a memo item outside the totals.
        year : numpy.ndarray, optional
            Emission year of each value when it is not the row's year (history methods).
        positions : numpy.ndarray, optional
            Index into ``rows`` of each value, when there is not exactly one value per row.
        """
        idx = np.arange(len(rows)) if positions is None else np.asarray(positions)
        tonnes = np.asarray(tonnes, dtype=float)
        # Factor ids: each parameter's ids are factorised once per row of ``rows``; the combination
        # of codes is folded into one integer, and only distinct combinations are joined as text.
        combo = np.zeros(len(rows), dtype=np.int64)
        sq = np.zeros(len(rows))
        known = np.zeros(len(rows), dtype=bool)
        for p in parameters:
            pid, punc = (p.factor_ids, p.rel_uncertainty) if isinstance(p, ParameterValues) else p
            codes, uniques = pd.factorize(np.asarray(pid, dtype=object))
            # Re-densify after each fold so the integer never overflows.
            combo = pd.factorize(combo * (len(uniques) + 1) + (codes + 1))[0].astype(np.int64)
            punc = np.asarray(punc, dtype=float)
            ok = ~np.isnan(punc)
            sq += np.where(ok, punc * punc, 0.0)
            known |= ok
        distinct, first, inverse = np.unique(combo, return_index=True, return_inverse=True)
        labels = np.empty(len(distinct), dtype=object)
        for k, row in enumerate(first):
            names: set[str] = set()
            for p in parameters:
                pid = p.factor_ids if isinstance(p, ParameterValues) else p[0]
                names.update(x for x in str(pid[row] or "").split(";") if x)
            labels[k] = ";".join(sorted(names))
        cats = pd.Index(pd.unique(labels).astype(str))
        factor_ids = pd.Categorical.from_codes(cats.get_indexer(labels)[inverse[idx]], categories=cats)
        rel = np.where(known, np.sqrt(sq), np.nan)[idx]
        part = pd.DataFrame(
            {
                "pos": rows["pos"].to_numpy()[idx],
                "gas": gas,
                "tonnes": tonnes,
                "biogenic": np.broadcast_to(np.asarray(biogenic, dtype=bool), len(idx)) & (gas == "CO2"),
                "factor_ids": factor_ids,
                "rel_uncertainty": rel,
                "year": (rows["year"].to_numpy()[idx] if year is None else np.asarray(year)).astype(np.int64),
            }
        )
        self.parts.append(part)


def parameter_where(
    ctx: MethodContext, rows: pd.DataFrame, mask: np.ndarray, name: str, **kwargs: Any
) -> ParameterValues:
    """``ctx.parameter(rows, name, where=mask, **kwargs)``: a parameter only some rows need."""
    return ctx.parameter(rows, name, where=mask, **kwargs)
