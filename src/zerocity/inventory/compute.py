"""The inventory engine: prepared records -> emissions per record and gas.

Columnar by design: coefficients are resolved once per distinct key (activity, unit, GPC
reference, region, year) and applied to whole columns with numpy; no Python loop runs per
record. Key-level failures (no factor, no NCV, a unit of the wrong dimension) become one issue
per affected row, reported together with the validation issues: nothing is computed when any
row is invalid.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from zerocity.errors import FactorNotFoundError, InvalidRecordsError, RecordIssue, UnitError
from zerocity.factors.gwp import GwpSet, gwp
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.keys import key_codes
from zerocity.inventory.methods import (
    CO2_PER_C,
    Coefficient,
    MissingNcvError,
    carbon_coefficient,
    emission_coefficient,
    explicit_coefficient,
)
from zerocity.inventory.records import EXPLICIT_EF, Method
from zerocity.inventory.sectors import METHODS, MethodContext
from zerocity.units import parse_unit

__all__ = ["COMBUSTION_GASES", "Emissions", "co2e", "compute_emissions", "inventory_years", "key_codes"]

log = logging.getLogger(__name__)

#: Gases the emission-factor method computes for every record.
COMBUSTION_GASES = ("CO2", "CH4", "N2O")
FACTOR_KEY = ["activity", "unit", "gpc_ref", "region", "year", "factor_id"]
_COMBUSTION_CATEGORIES = {"fossil_solid", "fossil_liquid", "fossil_gas", "biomass", "waste"}


@dataclass
class Emissions:
    """Emissions in long form: one row per (record, gas).

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``pos`` (0-based record position), ``gas``, ``tonnes`` [t gas], ``biogenic``
        (bool: biogenic CO2, a memo item), ``factor_ids`` (``;``-joined), ``rel_uncertainty``
        (factor 95% half-width, fraction, NaN when unknown).
    factor_ids : set of str
        Every library record used.
    warnings : list of str
    """

    table: pd.DataFrame
    factor_ids: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _per_key(
    keys: pd.DataFrame,
    fn: Callable[[dict[str, object]], Coefficient | None],
    gas: str,
    *,
    on_error: Callable[[int, str, str, str], None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Coefficient | None]]:
    """Evaluate ``fn`` per key: coefficient, factor ids and uncertainty arrays (NaN = no factor)."""
    n = len(keys)
    coef = np.full(n, np.nan)
    ids = np.empty(n, dtype=object)
    unc = np.full(n, np.nan)
    out: list[Coefficient | None] = []
    for i, key in enumerate(keys.to_dict("records")):
        try:
            c = fn(key)
        except (FactorNotFoundError, UnitError) as exc:
            column = "unit" if isinstance(exc, (UnitError, MissingNcvError)) else "activity"
            on_error(i, column, f"{gas}: {exc}", gas)
            c = None
        out.append(c)
        if c is not None:
            coef[i] = c.tonnes_per_unit
            ids[i] = ";".join(c.factor_ids)
            unc[i] = np.nan if c.rel_uncertainty is None else c.rel_uncertainty
    return coef, ids, unc, out


def factor_tonnes(
    amount: np.ndarray,
    codes: np.ndarray,
    coef: np.ndarray,
    *,
    explicit_rows: np.ndarray | None = None,
    explicit_factor: np.ndarray | None = None,
    explicit_coef: np.ndarray | None = None,
) -> np.ndarray:
    """Tonnes of one gas for every record: the arithmetic of the emission-factor method.

    ``tonnes[i] = amount[i] x coef[codes[i]]``, and for the rows that give their own factor
    ``tonnes[i] = amount[i] x explicit_factor[i] x explicit_coef[i]``.

    Parameters
    ----------
    amount : numpy.ndarray
        Activity amounts [unit of each record].
    codes : numpy.ndarray
        Key code of each record (index into ``coef``).
    coef : numpy.ndarray
        Coefficient per key [t gas per unit of the key's unit]; NaN where no factor applies.
    explicit_rows : numpy.ndarray, optional
        Positions of the records that give their own factor.
    explicit_factor : numpy.ndarray, optional
        Their factors [ef_unit], aligned with ``explicit_rows``.
    explicit_coef : numpy.ndarray, optional
        Unit coefficient of each of them [t per (ef_unit x unit)], aligned with ``explicit_rows``.

    Returns
    -------
    numpy.ndarray
        [t gas]; NaN where the key has no factor and the row none of its own.
    """
    tonnes = np.take(coef, codes)
    tonnes *= amount
    if explicit_rows is not None and len(explicit_rows):
        assert explicit_factor is not None and explicit_coef is not None
        tonnes[explicit_rows] = amount[explicit_rows] * explicit_factor * explicit_coef
    return tonnes


def _library_coefficient(library: FactorLibrary, gas: str, key: dict[str, object]) -> Coefficient | None:
    """:func:`emission_coefficient` for one key row of the factor path (memoised on the library)."""
    args = (
        str(key["activity"]),
        str(key["unit"]),
        gas,
        str(key["gpc_ref"]),
        str(key["region"]),
        int(str(key["year"])),
        str(key["factor_id"]),
    )

    def compute() -> Coefficient | None:
        return emission_coefficient(
            library,
            activity=args[0],
            unit=args[1],
            gas=args[2],
            gpc_ref=args[3],
            region=args[4],
            year=args[5],
            factor_id=args[6],
        )

    return library.memo(("emission_coefficient", *args), compute)


def inventory_years(records: pd.DataFrame) -> tuple[int, ...]:
    """The years an inventory reports when the caller names none.

    The years of the rows that are emissions of their own year; history rows (e.g. waste
    disposal since the first year with data, :attr:`SectorMethod.history`) add none. When every
    row is history, every year from the first to the last row's year.
    """
    if records.empty:
        return ()
    years = records["year"].to_numpy(dtype=np.int64)
    history = records["method"].isin([m.name for m in METHODS.values() if m.history]).to_numpy()
    if (~history).any():
        return tuple(int(y) for y in np.unique(years[~history]))
    return tuple(range(int(years.min()), int(years.max()) + 1))


def compute_emissions(
    records: pd.DataFrame,
    library: FactorLibrary,
    *,
    source: str = "<records>",
    years: tuple[int, ...] | None = None,
) -> Emissions:
    """Emissions of every gas of every record.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`zerocity.inventory.records.prepare_records`.
    library : FactorLibrary
    source : str
        File name for messages.
    years : tuple of int, optional
        Inventory years: emissions of other years are left out. Default
        :func:`inventory_years`.

    Returns
    -------
    Emissions

    Raises
    ------
    InvalidRecordsError
        When a factor cannot be found or applied for some rows (every such row is listed).
    """
    issues: list[RecordIssue] = []
    parts: list[pd.DataFrame] = []
    used: set[str] = set()
    warnings: list[str] = []
    data = records["notation"] == ""
    amount = records["amount"].to_numpy(dtype=float)
    is_biogenic = records["activity"].isin(library.biogenic_activities).to_numpy()

    def collect(c_list: list[Coefficient | None]) -> None:
        for c in c_list:
            if c is not None:
                used.update(c.factor_ids)
                warnings.extend(c.warnings)

    # --- emission-factor method -------------------------------------------------------
    fmask = (data & (records["method"] == Method.FACTOR.value)).to_numpy()
    if fmask.any():
        sub = records.loc[fmask]
        pos = np.flatnonzero(fmask)
        codes, keys = key_codes(sub, FACTOR_KEY)
        key_errors: dict[int, list[tuple[str, str, str]]] = {}

        def on_error(i: int, column: str, message: str, gas: str) -> None:
            key_errors.setdefault(i, []).append((column, message, gas))

        found_any = np.zeros(len(keys), dtype=bool)
        gas_results = {}
        for gas in COMBUSTION_GASES:
            ef_col = EXPLICIT_EF[gas]
            explicit = sub[ef_col].notna().to_numpy()
            coef, ids, unc, clist = _per_key(
                keys,
                functools.partial(_library_coefficient, library, gas),
                gas,
                on_error=on_error,
            )
            collect(clist)
            found_any |= ~np.isnan(coef)
            gas_results[gas] = (explicit, coef, ids, unc)
        explicit_any = sub[list(EXPLICIT_EF.values())].notna().any(axis=1).to_numpy()
        # Explicit (row) factors: a unit coefficient per key of the rows that carry them.
        ecodes = np.zeros(len(sub), dtype=np.int64)
        ecoef = np.zeros(1)
        explicit_ids = np.array(["row"], dtype=object)
        if explicit_any.any():
            exp_rows = np.flatnonzero(explicit_any)
            exp_sub = sub.iloc[exp_rows]
            sub_codes, ekeys = key_codes(exp_sub, ["activity", "unit", "ef_unit", "region", "year"])
            ecodes[exp_rows] = sub_codes
            exp_row_numbers = exp_sub["row"].to_numpy()

            def on_explicit_error(i: int, column: str, message: str, _gas: str) -> None:
                issues.extend(RecordIssue(int(r), "ef_unit", message) for r in exp_row_numbers[sub_codes == i])

            ecoef, eids, _eunc, eclist = _per_key(
                ekeys,
                lambda k: explicit_coefficient(
                    library,
                    activity=str(k["activity"]),
                    unit=str(k["unit"]),
                    ef_unit=str(k["ef_unit"]),
                    region=str(k["region"]),
                    year=int(str(k["year"])),
                ),
                "explicit factor",
                on_error=on_explicit_error,
            )
            collect(eclist)
            # "row" marks a factor given in the record itself; NCV ids follow it.
            explicit_ids = np.array(["row" + (";" + x if isinstance(x, str) and x else "") for x in eids], dtype=object)
        # A key with no factor for any gas is an error unless every row of it has explicit factors.
        for i in (int(x) for x in np.flatnonzero(~found_any)):
            rows_i = (codes == i) & ~explicit_any
            if not rows_i.any() or i in key_errors:
                continue
            k = keys.iloc[i]
            res = library.resolve(
                "ef",
                str(k["activity"]),
                gas="CO2",
                gpc_ref=str(k["gpc_ref"]),
                region=str(k["region"]),
                year=int(k["year"]),
            )
            key_errors[i] = [("activity", library.not_found_message(res), "")]
        row_numbers = sub["row"].to_numpy()
        for i, errs in key_errors.items():
            in_key = codes == i
            for column, message, gas in errs:
                # A row that gives its own factor for this gas does not need the library's.
                affected = in_key & ~sub[EXPLICIT_EF[gas]].notna().to_numpy() if gas in EXPLICIT_EF else in_key
                issues.extend(RecordIssue(int(r), column, message) for r in row_numbers[affected])
        if not issues:
            famount = amount[pos] if len(pos) != len(amount) else amount
            fbio = is_biogenic[pos] if len(pos) != len(amount) else is_biogenic
            for gas in COMBUSTION_GASES:
                explicit, coef, ids, unc = gas_results[gas]
                exp_rows = np.flatnonzero(explicit)
                tonnes = factor_tonnes(
                    famount,
                    codes,
                    coef,
                    explicit_rows=exp_rows,
                    explicit_factor=sub[EXPLICIT_EF[gas]].to_numpy(dtype=float)[exp_rows],
                    explicit_coef=ecoef[ecodes[exp_rows]],
                )
                # Factor ids as categorical codes: one label per key, no string per row.
                labels = np.concatenate([ids, explicit_ids]) if explicit.any() else ids
                id_codes = codes.copy()
                runc = unc[codes]
                if explicit.any():
                    id_codes = np.where(explicit, len(ids) + ecodes, id_codes)
                    runc = np.where(explicit, sub["ef_uncertainty_pct"].to_numpy(dtype=float) / 100.0, runc)
                keep = ~np.isnan(tonnes)
                if not keep.any():
                    continue
                all_kept = bool(keep.all())
                labels = np.array([x if isinstance(x, str) else "" for x in labels], dtype=object)
                uniq_labels, label_codes = np.unique(labels, return_inverse=True)
                parts.append(
                    pd.DataFrame(
                        {
                            "pos": pos if all_kept else pos[keep],
                            "gas": pd.Categorical.from_codes(
                                np.zeros(int(keep.sum()), dtype=np.int8), categories=[gas]
                            ),
                            "tonnes": tonnes if all_kept else tonnes[keep],
                            "biogenic": (fbio if all_kept else fbio[keep]) & (gas == "CO2"),
                            "factor_ids": pd.Categorical.from_codes(
                                label_codes[id_codes if all_kept else id_codes[keep]], categories=uniq_labels
                            ),
                            "rel_uncertainty": runc if all_kept else runc[keep],
                        },
                        copy=False,
                    )
                )
            # Tell the user when a combustion fuel had no CH4/N2O factor in its sector.
            for gas in ("CH4", "N2O"):
                explicit, coef, _ids, _unc = gas_results[gas]
                for j in np.flatnonzero(np.isnan(coef) & found_any):
                    k = keys.iloc[j]
                    act = library.activities.get(str(k["activity"]))
                    if act is not None and act.category in _COMBUSTION_CATEGORIES and not explicit[codes == j].all():
                        warnings.append(
                            f"no {gas} factor for {k['activity']} in {k['gpc_ref']} ({k['region']}); "
                            f"{gas} of those records is not estimated"
                        )

    # --- mass balance -----------------------------------------------------------------
    mmask = (data & (records["method"] == Method.MASS_BALANCE.value)).to_numpy()
    if mmask.any():
        sub = records.loc[mmask]
        pos = np.flatnonzero(mmask)
        codes, keys = key_codes(sub, ["activity", "unit", "carbon_unit", "gpc_ref", "region", "year"])

        def mb_error(i: int, column: str, message: str, _gas: str) -> None:
            issues.extend(RecordIssue(int(r), column, message) for r in sub["row"].to_numpy()[codes == i])

        coef, ids, unc, clist = _per_key(
            keys,
            lambda k: carbon_coefficient(
                library,
                activity=str(k["activity"]),
                unit=str(k["unit"]),
                carbon_unit=str(k["carbon_unit"]),
                gpc_ref=str(k["gpc_ref"]),
                region=str(k["region"]),
                year=int(str(k["year"])),
            ),
            "carbon",
            on_error=mb_error,
        )
        collect(clist)
        if not issues:
            cc = sub["carbon_content"].to_numpy(dtype=float)
            given = sub["carbon_unit"].to_numpy() != ""
            carbon = amount[pos] * coef[codes] * np.where(given, cc, 1.0)
            sign = np.where(sub["flow"].to_numpy() == "output", -1.0, 1.0)
            parts.append(
                pd.DataFrame(
                    {
                        "pos": pos,
                        "gas": "CO2",
                        "tonnes": sign * carbon * CO2_PER_C,
                        "biogenic": is_biogenic[pos],
                        "factor_ids": np.where(given, "row", ids[codes]),
                        "rel_uncertainty": np.where(given, np.nan, unc[codes]),
                    }
                )
            )

    # --- measured emissions -----------------------------------------------------------
    smask = (data & (records["method"] == Method.MEASURED.value)).to_numpy()
    if smask.any():
        sub = records.loc[smask]
        pos = np.flatnonzero(smask)
        units = sub["unit"].astype(str).to_numpy()
        to_t = np.ones(len(sub))
        for u in np.unique(units):
            to_t[units == u] = parse_unit(str(u)).to(parse_unit("t"))
        gases = sub["gas"].to_numpy()
        for g in np.unique(gases):
            try:
                gwp(str(g), GwpSet.AR5)
            except KeyError:
                issues.extend(
                    RecordIssue(
                        int(r), "gas", "unknown gas (expected CO2, CH4, N2O, SF6, NF3 or an HFC/PFC name)", str(g)
                    )
                    for r in sub["row"].to_numpy()[gases == g]
                )
        parts.append(
            pd.DataFrame(
                {
                    "pos": pos,
                    "gas": gases,
                    "tonnes": amount[pos] * to_t,
                    "biogenic": is_biogenic[pos] & (gases == "CO2"),
                    "factor_ids": "measured",
                    "rel_uncertainty": np.nan,
                }
            )
        )

    # --- sector methods (waste, IPPU, agriculture) ------------------------------------
    report_years = tuple(years) if years else inventory_years(records)
    for name in sorted(set(records["method"].astype(str).unique()) & set(METHODS)):
        mmask_s = (data & (records["method"] == name)).to_numpy()
        if not mmask_s.any():
            continue
        sub = records.loc[mmask_s].reset_index(drop=True).assign(pos=np.flatnonzero(mmask_s))
        ctx = MethodContext(library=library, years=report_years)
        METHODS[name].compute(sub, ctx)
        issues.extend(ctx.issues)
        used.update(ctx.factor_ids)
        warnings.extend(ctx.warnings)
        if not ctx.issues:
            parts.extend(ctx.parts)

    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        raise InvalidRecordsError(source, issues)
    record_years = records["year"].to_numpy(dtype=np.int64)
    for i, part in enumerate(parts):
        if "year" not in part.columns:
            parts[i] = part.assign(year=record_years[part["pos"].to_numpy(dtype=np.int64)])
    table = (
        _concat_categorical(parts)
        if parts
        else pd.DataFrame(
            {
                "pos": pd.Series(dtype="int64"),
                "gas": pd.Series(dtype=object),
                "tonnes": pd.Series(dtype=float),
                "biogenic": pd.Series(dtype=bool),
                "factor_ids": pd.Series(dtype=object),
                "rel_uncertainty": pd.Series(dtype=float),
                "year": pd.Series(dtype="int64"),
            }
        )
    )
    if len(table) and report_years:
        table = table[np.isin(table["year"].to_numpy(), np.array(report_years))].reset_index(drop=True)
    used.discard("")
    used.discard("row")
    return Emissions(table=table, factor_ids=used, warnings=sorted(set(warnings)))


def _concat_categorical(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate emission parts column by column, keeping ``gas`` and ``factor_ids`` categorical."""
    columns: dict[str, object] = {
        name: np.concatenate([p[name].to_numpy() for p in parts]) for name in ("pos", "tonnes", "biogenic", "year")
    }
    columns["rel_uncertainty"] = np.concatenate([p["rel_uncertainty"].to_numpy(dtype=float) for p in parts])
    for name in ("gas", "factor_ids"):
        # Categories as text of one dtype (pandas infers str or object depending on the source).
        cats = [pd.Categorical(p[name]) for p in parts]
        columns[name] = union_categoricals([c.set_categories(c.categories.astype(str)) for c in cats])
    order = ["pos", "gas", "tonnes", "biogenic", "factor_ids", "rel_uncertainty", "year"]
    return pd.DataFrame({name: columns[name] for name in order})


def co2e(table: pd.DataFrame, fossil: np.ndarray, gwp_set: GwpSet | str) -> np.ndarray:
    """CO2-equivalent of each row of an emissions table [t CO2e].

    Biogenic CO2 counts zero (it is a memo item). Under AR6, CH4 uses the fossil or non-fossil
    value by the origin of the activity (``fossil``: bool per row).
    """
    gas = table["gas"].astype("category")
    names = [str(g) for g in gas.cat.categories]
    codes = gas.cat.codes.to_numpy()
    # GWP per gas category; CH4 gets its own slot for the non-fossil value (AR6).
    per_code = np.array([gwp(g, gwp_set, fossil=True) if g == "CH4" else gwp(g, gwp_set) for g in names])
    factor = per_code[codes]
    if "CH4" in names:
        non_fossil_ch4 = (codes == names.index("CH4")) & ~fossil
        factor[non_fossil_ch4] = gwp("CH4", gwp_set, fossil=False)
    factor[table["biogenic"].to_numpy(dtype=bool)] = 0.0
    return table["tonnes"].to_numpy(dtype=float) * factor
