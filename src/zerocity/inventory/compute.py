"""The inventory engine: prepared records -> emissions per record and gas.

Columnar by design: coefficients are resolved once per distinct key (activity, unit, GPC
reference, region, year) and applied to whole columns with numpy; no Python loop runs per
record. Key-level failures (no factor, no NCV, a unit of the wrong dimension) become one issue
per affected row, reported together with the validation issues: nothing is computed when any
row is invalid.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zerocity.errors import FactorNotFoundError, InvalidRecordsError, RecordIssue, UnitError
from zerocity.factors.gwp import GwpSet, gwp
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.methods import (
    CO2_PER_C,
    Coefficient,
    carbon_coefficient,
    emission_coefficient,
    explicit_coefficient,
)
from zerocity.inventory.records import EXPLICIT_EF, Method
from zerocity.units import parse_unit

__all__ = ["COMBUSTION_GASES", "Emissions", "compute_emissions", "co2e"]

log = logging.getLogger(__name__)

#: Gases the emission-factor method computes for every record.
COMBUSTION_GASES = ("CO2", "CH4", "N2O")
_FACTOR_KEY = ["activity", "unit", "gpc_ref", "region", "year", "factor_id"]
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


def _key_codes(df: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer code of each row's key, and the distinct keys (one row per code)."""
    codes = df.groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(df))).groupby(codes).first().to_numpy()
    keys = df.iloc[first][columns].reset_index(drop=True)
    return codes, keys


def _per_key(
    keys: pd.DataFrame,
    fn: Callable[[dict[str, object]], Coefficient | None],
    gas: str,
    *,
    on_error: Callable[[int, str, str], None],
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
            column = "unit" if isinstance(exc, UnitError) else "activity"
            on_error(i, column, f"{gas}: {exc}")
            c = None
        out.append(c)
        if c is not None:
            coef[i] = c.tonnes_per_unit
            ids[i] = ";".join(c.factor_ids)
            unc[i] = np.nan if c.rel_uncertainty is None else c.rel_uncertainty
    return coef, ids, unc, out


def compute_emissions(records: pd.DataFrame, library: FactorLibrary, *, source: str = "<records>") -> Emissions:
    """Emissions of every gas of every record.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`zerocity.inventory.records.prepare_records`.
    library : FactorLibrary
    source : str
        File name for messages.

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
    biogenic_act = {a for a, act in library.activities.items() if act.biogenic}
    data = records["notation"] == ""
    amount = records["amount"].to_numpy(dtype=float)
    is_biogenic = records["activity"].isin(biogenic_act).to_numpy()

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
        codes, keys = _key_codes(sub, _FACTOR_KEY)
        key_errors: dict[int, list[tuple[str, str]]] = {}

        def on_error(i: int, column: str, message: str, _e: dict[int, list[tuple[str, str]]] = key_errors) -> None:
            _e.setdefault(i, []).append((column, message))

        found_any = np.zeros(len(keys), dtype=bool)
        gas_results = {}
        for gas in COMBUSTION_GASES:
            ef_col = EXPLICIT_EF[gas]
            explicit = sub[ef_col].notna().to_numpy()
            coef, ids, unc, clist = _per_key(
                keys,
                lambda k, g=gas: emission_coefficient(
                    library,
                    activity=str(k["activity"]),
                    unit=str(k["unit"]),
                    gas=g,
                    gpc_ref=str(k["gpc_ref"]),
                    region=str(k["region"]),
                    year=int(k["year"]),  # type: ignore[call-overload]
                    factor_id=str(k["factor_id"]),
                ),
                gas,
                on_error=on_error,
            )
            collect(clist)
            found_any |= ~np.isnan(coef)
            gas_results[gas] = (explicit, coef, ids, unc)
        if any(sub[c].notna().any() for c in EXPLICIT_EF.values()):
            ecodes, ekeys = _key_codes(sub, ["activity", "unit", "ef_unit", "region", "year"])
            ecoef, eids, eunc, eclist = _per_key(
                ekeys,
                lambda k: explicit_coefficient(
                    library,
                    activity=str(k["activity"]),
                    unit=str(k["unit"]),
                    ef_unit=str(k["ef_unit"]) or "t/t",
                    region=str(k["region"]),
                    year=int(k["year"]),  # type: ignore[call-overload]
                ),
                "explicit factor",
                on_error=lambda i, col, msg: issues.extend(
                    RecordIssue(int(r), "ef_unit", msg)
                    for r in sub["row"].to_numpy()[(ecodes == i) & sub[list(EXPLICIT_EF.values())].notna().any(axis=1).to_numpy()]
                ),
            )
            collect(eclist)
            # "row" marks a factor given in the record itself; NCV ids follow it.
            explicit_ids = np.array(["row" + (";" + x if x else "") for x in eids.astype(str)], dtype=object)
        explicit_any = sub[list(EXPLICIT_EF.values())].notna().any(axis=1).to_numpy()
        # A key with no factor for any gas is an error unless every row of it has explicit factors.
        missing_keys = np.flatnonzero(~found_any)
        for i in missing_keys:
            rows_i = (codes == i) & ~explicit_any
            if not rows_i.any() or i in key_errors:
                continue
            k = keys.iloc[i]
            res = library.resolve("ef", str(k["activity"]), gas="CO2", gpc_ref=str(k["gpc_ref"]),
                                  region=str(k["region"]), year=int(k["year"]))
            key_errors[i] = [("activity", library.not_found_message(res))]
        for i, errs in key_errors.items():
            rows_i = sub["row"].to_numpy()[codes == i]
            for column, message in errs:
                issues.extend(RecordIssue(int(r), column, message) for r in rows_i)
        if not issues:
            for gas in COMBUSTION_GASES:
                explicit, coef, ids, unc = gas_results[gas]
                ef_vals = sub[EXPLICIT_EF[gas]].to_numpy(dtype=float)
                tonnes = np.where(explicit, 0.0, coef[codes] * amount[pos])
                fids = ids[codes]
                runc = unc[codes]
                if explicit.any():
                    k_exp = ecoef[ecodes]
                    tonnes = np.where(explicit, amount[pos] * ef_vals * k_exp, tonnes)
                    fids = np.where(explicit, explicit_ids[ecodes], fids)
                    ef_unc = sub["ef_uncertainty_pct"].to_numpy(dtype=float) / 100.0
                    runc = np.where(explicit, ef_unc, runc)
                keep = ~np.isnan(tonnes)
                if not keep.any():
                    continue
                parts.append(
                    pd.DataFrame(
                        {
                            "pos": pos[keep],
                            "gas": gas,
                            "tonnes": tonnes[keep],
                            "biogenic": is_biogenic[pos[keep]] & (gas == "CO2"),
                            "factor_ids": fids[keep],
                            "rel_uncertainty": runc[keep],
                        }
                    )
                )
            # Tell the user when a combustion fuel had no CH4/N2O factor in its sector.
            for gas in ("CH4", "N2O"):
                explicit, coef, _ids, _unc = gas_results[gas]
                for i in np.flatnonzero(np.isnan(coef) & found_any):
                    k = keys.iloc[i]
                    act = library.activities.get(str(k["activity"]))
                    if act is not None and act.category in _COMBUSTION_CATEGORIES and not explicit[codes == i].all():
                        warnings.append(
                            f"no {gas} factor for {k['activity']} in {k['gpc_ref']} ({k['region']}); "
                            f"{gas} of those records is not estimated"
                        )

    # --- mass balance -----------------------------------------------------------------
    mmask = (data & (records["method"] == Method.MASS_BALANCE.value)).to_numpy()
    if mmask.any():
        sub = records.loc[mmask]
        pos = np.flatnonzero(mmask)
        codes, keys = _key_codes(sub, ["activity", "unit", "carbon_unit", "gpc_ref", "region", "year"])

        def mb_error(i: int, column: str, message: str) -> None:
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
                year=int(k["year"]),  # type: ignore[call-overload]
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
        to_t = sub["unit"].map(lambda u: parse_unit(u).to(parse_unit("t"))).to_numpy(dtype=float)
        gases = sub["gas"].to_numpy()
        for g in np.unique(gases):
            try:
                gwp(str(g), GwpSet.AR5)
            except KeyError:
                issues.extend(
                    RecordIssue(int(r), "gas", "unknown gas (expected CO2, CH4, N2O, SF6, NF3 or an HFC/PFC name)", str(g))
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

    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        raise InvalidRecordsError(source, issues)
    table = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(
            {"pos": pd.Series(dtype="int64"), "gas": pd.Series(dtype=object), "tonnes": pd.Series(dtype=float),
             "biogenic": pd.Series(dtype=bool), "factor_ids": pd.Series(dtype=object),
             "rel_uncertainty": pd.Series(dtype=float)}
        )
    )
    used.discard("")
    return Emissions(table=table, factor_ids=used, warnings=sorted(set(warnings)))


def co2e(table: pd.DataFrame, fossil: np.ndarray, gwp_set: GwpSet | str) -> np.ndarray:
    """CO2-equivalent of each row of an emissions table [t CO2e].

    Biogenic CO2 counts zero (it is a memo item). Under AR6, CH4 uses the fossil or non-fossil
    value by the origin of the activity (``fossil``: bool per row).
    """
    gases = table["gas"].to_numpy()
    factor = np.zeros(len(table))
    for g in pd.unique(gases):
        m = gases == g
        if g == "CH4":
            factor[m] = np.where(fossil[m], gwp("CH4", gwp_set, fossil=True), gwp("CH4", gwp_set, fossil=False))
        else:
            factor[m] = gwp(str(g), gwp_set)
    factor[table["biogenic"].to_numpy(dtype=bool)] = 0.0
    return table["tonnes"].to_numpy(dtype=float) * factor
