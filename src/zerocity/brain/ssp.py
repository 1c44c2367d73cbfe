r"""Shared Socioeconomic Pathways (SSP1-SSP5) as growth paths of population and GDP.

The scenario engine uses these paths as drivers: a key assumption (population, GDP) follows the
published SSP trajectory of its region, expressed as annual compound growth rates.

Shipped data (``zerocity/brain/data/ssp.csv``; provenance in ``ssp_sources.md`` beside it)
------------------------------------------------------------------------------------------
* ``CN`` ``gdp``: IIASA SSP Database, model "IIASA GDP" (Crespo Cuaresma 2017), variable GDP|PPP
  [billion US$2005 PPP/yr], SSP1-SSP5, 2010-2100 every 5 years.
* ``CN`` ``population``: Wittgenstein Centre Data Explorer v2.0 (WIC 2018; Lutz et al. 2018)
  [thousand persons], SSP1-SSP3, 2010-2100 every 5 years.

Not shipped because no citable copy could be found offline: SSP4 and SSP5 population for China
(WIC 2018 has no SSP4/SSP5; the SSP Database ``IIASA-WiC POP`` series was not retrievable) and
any provincial series (Jiangsu, ``CN-JS``). A request for ``CN-JS`` falls back to ``CN``; a request
for a pathway that has no data raises :class:`SspNoDataError` naming what is available.

The two series come from different vintages (GDP from the 2013 SSP Database, population from the
2018 Wittgenstein Centre update), so GDP per capita formed from them is not an SSP quantity.

Growth rates
------------
Between consecutive data years :math:`t_k < t_{k+1}` every calendar year
:math:`t \in (t_k, t_{k+1}]` gets the same annual compound rate

.. math:: r_t = (v_{k+1} / v_k)^{1 / (t_{k+1} - t_k)} - 1,

so that :math:`v_t = v_{t-1} (1 + r_t)` applied from any data year reproduces the published ratio
to every later data year exactly (up to floating point).

References
----------
O'Neill, B.C. et al. (2017). The roads ahead: Narratives for shared socioeconomic pathways
describing world futures in the 21st century. Global Environmental Change 42, 169-180.
Crespo Cuaresma, J. (2017). Income projections for climate change research: A framework based on
human capital dynamics. Global Environmental Change 42, 226-236. doi:10.1016/j.gloenvcha.2015.02.012
KC, S., Lutz, W. (2017). The human core of the shared socioeconomic pathways: Population scenarios
by age, sex and level of education for all countries to 2100. Global Environmental Change 42,
181-192. doi:10.1016/j.gloenvcha.2014.06.004
Lutz, W., Goujon, A., KC, S., Stonawski, M., Stilianakis, N. (eds.) (2018). Demographic and human
capital scenarios for the 21st century: 2018 assessment for 201 countries. Publications Office of
the European Union, Luxembourg. Data: Wittgenstein Centre Data Explorer, version 2.0 (2018).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable
from enum import StrEnum
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError

__all__ = [
    "COLUMNS",
    "REGIONS",
    "SSP_NARRATIVES",
    "Ssp",
    "SspError",
    "SspNoDataError",
    "SspVariable",
    "load_ssp_table",
    "ssp_growth_rates",
    "ssp_path",
    "ssp_table",
]

log = logging.getLogger(__name__)


class Ssp(StrEnum):
    """The five Shared Socioeconomic Pathways (O'Neill et al. 2017)."""

    SSP1 = "SSP1"
    SSP2 = "SSP2"
    SSP3 = "SSP3"
    SSP4 = "SSP4"
    SSP5 = "SSP5"


class SspVariable(StrEnum):
    """Driver variables of the SSP table."""

    POPULATION = "population"
    GDP = "gdp"


#: Known regions and the region each falls back to when it has no data (``None``: no fallback).
REGIONS: dict[str, str | None] = {"CN": None, "CN-JS": "CN"}

#: Columns of the SSP table, in file order.
COLUMNS = ("region", "ssp", "variable", "unit", "year", "value", "model", "scenario", "source")

#: One line per pathway, paraphrasing the narratives of O'Neill et al. (2017), Global Environmental
#: Change 42, 169-180.
SSP_NARRATIVES: dict[str, str] = {
    Ssp.SSP1: (
        "Sustainability (taking the green road): development turns toward inclusive, resource-light "
        "growth with strong investment in education and health, falling inequality and low population "
        "growth; low challenges to both mitigation and adaptation."
    ),
    Ssp.SSP2: (
        "Middle of the road: social, economic and technological trends stay close to historical "
        "patterns, with uneven progress across countries and slow movement toward sustainability goals; "
        "moderate challenges to mitigation and adaptation."
    ),
    Ssp.SSP3: (
        "Regional rivalry (a rocky road): nationalism and security concerns fragment the world, trade "
        "and investment in education and technology fall, economies grow slowly and poorer countries' "
        "populations grow fast; high challenges to mitigation and adaptation."
    ),
    Ssp.SSP4: (
        "Inequality (a road divided): a well-educated, high-productivity elite pulls away from a large "
        "poorly educated majority, within and between countries; low challenges to mitigation, high "
        "challenges to adaptation."
    ),
    Ssp.SSP5: (
        "Fossil-fuelled development (taking the highway): rapid, technology-optimistic growth built on "
        "abundant fossil energy, with high investment in human capital and integrated markets; high "
        "challenges to mitigation, low challenges to adaptation."
    ),
}

_VARIABLE_ALIASES = {
    "population": SspVariable.POPULATION,
    "pop": SspVariable.POPULATION,
    "gdp": SspVariable.GDP,
    "gdp_ppp": SspVariable.GDP,
    "gdp|ppp": SspVariable.GDP,
}


class SspError(ZerocityError, ValueError):
    """An unknown SSP, variable or region, or years outside the data (the message names what is known)."""

    code = "ssp"


class SspNoDataError(SspError):
    """A known SSP, variable and region for which the table (and the fallback region) has no data."""

    code = "ssp_no_data"


def _data_file() -> Path:
    return Path(str(resources.files("zerocity.brain").joinpath("data/ssp.csv")))


def load_ssp_table(path: str | Path) -> pd.DataFrame:
    """Read and validate an SSP table (the shipped one, or a city's own in the same format).

    Parameters
    ----------
    path : str or pathlib.Path
        CSV with the columns :data:`COLUMNS`, one row per region, SSP, variable and year.

    Returns
    -------
    pandas.DataFrame
        The table with ``year`` as int and ``value`` as float [unit of the row], sorted by region,
        variable, SSP and year.

    Raises
    ------
    SspError
        Missing columns.
    InvalidRecordsError
        Every bad row: unknown SSP, variable or region, a year that is not an integer, a value that
        is not a positive finite number, an empty unit or source, years not strictly increasing
        within a region/SSP/variable block, or two units within one region/variable.
    """
    source = str(path)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise SspError(f"{source}: missing column(s) {missing}; expected {list(COLUMNS)}")
    issues: list[RecordIssue] = []
    years: list[int | None] = []
    values: list[float] = []
    for i, row in enumerate(raw.itertuples(index=False), start=1):
        if row.ssp not in {s.value for s in Ssp}:
            issues.append(RecordIssue(i, "ssp", f"unknown SSP; known: {[s.value for s in Ssp]}", row.ssp))
        if row.variable not in {v.value for v in SspVariable}:
            known = [v.value for v in SspVariable]
            issues.append(RecordIssue(i, "variable", f"unknown variable; known: {known}", row.variable))
        if row.region not in REGIONS:
            issues.append(RecordIssue(i, "region", f"unknown region; known: {list(REGIONS)}", row.region))
        for col in ("unit", "source"):
            if not str(getattr(row, col)).strip():
                issues.append(RecordIssue(i, col, "empty; every row carries its unit and source"))
        try:
            years.append(int(row.year))
        except ValueError:
            years.append(None)
            issues.append(RecordIssue(i, "year", "not an integer year", row.year))
        try:
            v = float(row.value)
        except ValueError:
            v = math.nan
        values.append(v)
        if not (math.isfinite(v) and v > 0):
            issues.append(RecordIssue(i, "value", "not a positive finite number", row.value))
    table = raw.assign(year=years, value=values)
    last: dict[tuple[str, str, str], tuple[int, int]] = {}
    for i, (key, year) in enumerate(zip(zip(raw.region, raw.ssp, raw.variable, strict=True), years, strict=True), 1):
        if year is None:
            continue
        if key in last and year <= last[key][0]:
            msg = f"years of {'/'.join(key)} must increase strictly (row {last[key][1]} has {last[key][0]})"
            issues.append(RecordIssue(i, "year", msg, str(year)))
        last[key] = (year, i)
    for (region, variable), units in raw.groupby(["region", "variable"])["unit"]:
        if units.nunique() > 1:
            first = int(units.index[units != units.iloc[0]][0]) + 1
            msg = f"{region}/{variable} has several units: {sorted(units.unique())}"
            issues.append(RecordIssue(first, "unit", msg, str(units.loc[first - 1])))
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda it: (it.row, it.column)))
    table["year"] = table["year"].astype(int)
    return table.sort_values(["region", "variable", "ssp", "year"], kind="stable").reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    return load_ssp_table(_data_file())


def ssp_table() -> pd.DataFrame:
    """The shipped SSP table, validated on first load (see :func:`load_ssp_table`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``value`` in the row's ``unit`` (GDP [billion US$2005 PPP/yr],
        population [thousand persons]). A copy: changing it does not change later calls.
    """
    return _shipped().copy()


def _ssp(ssp: str | Ssp) -> Ssp:
    try:
        return Ssp(str(ssp).strip().upper())
    except ValueError:
        raise SspError(f"unknown SSP {ssp!r}; known: {[s.value for s in Ssp]}") from None


def _variable(variable: str | SspVariable) -> SspVariable:
    key = str(variable).strip().lower()
    if key not in _VARIABLE_ALIASES:
        raise SspError(f"unknown SSP variable {variable!r}; known: {[v.value for v in SspVariable]}")
    return _VARIABLE_ALIASES[key]


def _region(region: str) -> str:
    key = str(region).strip().upper()
    if key not in REGIONS:
        raise SspError(f"unknown region {region!r}; known: {list(REGIONS)}")
    return key


def _block(table: pd.DataFrame, region: str, ssp: Ssp, variable: SspVariable) -> pd.DataFrame:
    sel = table[(table["region"] == region) & (table["ssp"] == ssp.value) & (table["variable"] == variable.value)]
    return sel.sort_values("year")


def ssp_path(
    ssp: str | Ssp,
    variable: str | SspVariable,
    region: str = "CN",
    *,
    table: pd.DataFrame | None = None,
) -> pd.Series:
    """The published path of one variable under one SSP, at the data years.

    Parameters
    ----------
    ssp : str or Ssp
        ``"SSP1"`` ... ``"SSP5"`` (case-insensitive).
    variable : str or SspVariable
        ``"population"`` or ``"gdp"`` (aliases ``"pop"``, ``"gdp_ppp"``, ``"GDP|PPP"``).
    region : str
        A key of :data:`REGIONS`. A region without data for this SSP and variable falls back to its
        parent (``CN-JS`` -> ``CN``); the fallback is logged and recorded in ``attrs``.
    table : pandas.DataFrame, optional
        A table from :func:`load_ssp_table`; the shipped table by default.

    Returns
    -------
    pandas.Series
        Values [``attrs["unit"]``] indexed by ``year``. ``attrs`` holds ``ssp``, ``variable``,
        ``region`` (where the data come from), ``requested_region``, ``fallback`` (bool), ``unit``,
        ``model``, ``scenario`` and ``source``.

    Raises
    ------
    SspError
        Unknown SSP, variable or region.
    SspNoDataError
        No data for the SSP and variable in the region or its fallback; the message lists the SSPs
        that do have data.
    """
    s, var, requested = _ssp(ssp), _variable(variable), _region(region)
    data = ssp_table() if table is None else table
    region_used: str | None = requested
    block = _block(data, requested, s, var)
    while block.empty and region_used is not None:
        region_used = REGIONS.get(region_used)
        if region_used is not None:
            block = _block(data, region_used, s, var)
    if block.empty or region_used is None:
        have = sorted(data.loc[(data["region"] == requested) & (data["variable"] == var.value), "ssp"].unique())
        parent = REGIONS[requested]
        if parent is not None:
            have_parent = data.loc[(data["region"] == parent) & (data["variable"] == var.value), "ssp"]
            have = sorted(set(have) | set(have_parent.unique()))
        raise SspNoDataError(
            f"no {var.value} data for {s.value} in region {requested}"
            + (f" or its fallback {parent}" if parent else "")
            + f"; SSPs with {var.value} data: {have or 'none'}"
        )
    if region_used != requested:
        log.warning("SSP %s %s: no data for region %s, using %s", s.value, var.value, requested, region_used)
    out = pd.Series(
        block["value"].to_numpy(dtype=float),
        index=pd.Index(block["year"].to_numpy(dtype=int), name="year"),
        name=f"{s.value} {var.value} {region_used}",
    )
    first = block.iloc[0]
    out.attrs.update(
        {
            "ssp": s.value,
            "variable": var.value,
            "region": region_used,
            "requested_region": requested,
            "fallback": region_used != requested,
            "unit": str(first["unit"]),
            "model": str(first["model"]),
            "scenario": str(first["scenario"]),
            "source": str(first["source"]),
        }
    )
    return out


def ssp_growth_rates(
    ssp: str | Ssp,
    variable: str | SspVariable,
    region: str = "CN",
    years: Iterable[int] | None = None,
    *,
    table: pd.DataFrame | None = None,
) -> pd.Series:
    """Annual compound growth rate of an SSP path for each calendar year.

    The rate of year :math:`t` takes the value from :math:`t-1` to :math:`t`. Within a data interval
    :math:`(t_k, t_{k+1}]` it is constant, :math:`r = (v_{k+1}/v_k)^{1/(t_{k+1}-t_k)} - 1`, so
    compounding the rates from a data year reproduces the published ratio to every later data year.

    Parameters
    ----------
    ssp, variable, region, table
        As in :func:`ssp_path` (including the ``CN-JS`` -> ``CN`` fallback).
    years : iterable of int, optional
        Calendar years, each within ``(first data year, last data year]``. Default: all of them.

    Returns
    -------
    pandas.Series
        Growth rate [1/yr, fraction: 0.01 is 1 % per year] indexed by ``year``; ``attrs`` as in
        :func:`ssp_path` with ``unit`` ``"1/yr"`` and ``value_unit`` the unit of the path.

    Raises
    ------
    SspError
        Unknown names, or a year outside the data range (the message gives the range).
    SspNoDataError
        As in :func:`ssp_path`.

    References
    ----------
    Compound annual growth rate between two observations, e.g. OECD Glossary of Statistical Terms.
    """
    path = ssp_path(ssp, variable, region, table=table)
    t = path.index.to_numpy(dtype=int)
    v = path.to_numpy(dtype=float)
    if len(t) < 2:
        raise SspError(f"{path.name}: need at least two data years to form growth rates, found {t.tolist()}")
    first, last = int(t[0]), int(t[-1])
    wanted = list(range(first + 1, last + 1)) if years is None else [int(y) for y in years]
    outside = [y for y in wanted if not first < y <= last]
    if outside:
        raise SspError(
            f"{path.name}: growth rates are defined for years {first + 1}-{last} "
            f"(data {first}-{last}); asked for {outside}"
        )
    interval_rates = (v[1:] / v[:-1]) ** (1.0 / np.diff(t)) - 1.0
    # interval k covers (t[k], t[k+1]]: searchsorted(t, y, "left") - 1 gives k for t[k] < y <= t[k+1]
    k = np.searchsorted(t, np.asarray(wanted, dtype=int), side="left") - 1
    out = pd.Series(interval_rates[k], index=pd.Index(wanted, name="year"), name=f"{path.name} growth")
    out.attrs.update(path.attrs)
    out.attrs["value_unit"] = path.attrs["unit"]
    out.attrs["unit"] = "1/yr"
    return out
