"""View models of the city pages: the numbers a page shows, computed from domain results.

A view model is a plain dict of numbers and tables plus the plotly figures built from exactly those
numbers (:mod:`zerocity.web.figures`). Text goes through a translation function ``t`` (the message
catalogue of the page's language); numbers are never translated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from zerocity.i18n import N_
from zerocity.inventory.gpc import Level
from zerocity.inventory.result import InventoryResult
from zerocity.sinks.balance import BalanceResult
from zerocity.web import figures

__all__ = ["city_overview", "district_table", "energy_flows"]

Translate = Callable[[str], str]

#: Message id of each scope's label.
SCOPE_IDS = {1: N_("scope_1"), 2: N_("scope_2"), 3: N_("scope_3")}


def _identity(msgid: str) -> str:
    return msgid


def energy_flows(result: InventoryResult, year: int, level: Level | str = Level.BASIC) -> pd.DataFrame:
    """Emissions of stationary and transport energy by carrier (activity), sector and scope [t CO2e].

    Rows of sectors I (stationary energy) and II (transport) counted in ``level`` in ``year``;
    columns ``carrier, sector, scope, tco2e``. These are the links of the overview's Sankey.
    """
    e = result.counted(level)
    e = e[(e["year"].to_numpy() == year) & e["sector"].astype(str).isin(["I", "II"]).to_numpy()]
    frame = pd.DataFrame(
        {
            "carrier": e["activity"].astype(str).to_numpy(),
            "sector": e["subsector"].astype(str).to_numpy(),
            "scope": e["scope"].astype(int).to_numpy(),
            "tco2e": e["tco2e"].to_numpy(dtype=float),
        }
    )
    return frame.groupby(["carrier", "sector", "scope"], as_index=False)["tco2e"].sum()


def district_table(
    result: InventoryResult,
    year: int,
    population_share: Mapping[str, float],
    population: float,
    level: Level | str = Level.BASIC,
) -> pd.DataFrame:
    """Emissions per district in ``year``: ``district, tco2e, population, tco2e_per_capita``.

    ``population_share`` maps a district code to its share of the city's ``population``.
    """
    e = result.counted(level)
    e = e[e["year"].to_numpy() == year]
    by = e.groupby(e["district"].astype(str), observed=True)["tco2e"].sum()
    rows = []
    for code, share in population_share.items():
        people = population * float(share)
        t = float(by.get(code, 0.0))
        rows.append(
            {
                "district": code,
                "tco2e": t,
                "population": people,
                "tco2e_per_capita": t / people if people > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["district", "tco2e", "population", "tco2e_per_capita"])


def city_overview(
    result: InventoryResult,
    statistics: pd.DataFrame,
    year: int,
    *,
    level: Level | str = Level.BASIC,
    target: pd.DataFrame | None = None,
    balance: BalanceResult | None = None,
    t: Translate = _identity,
    sector_names: Mapping[str, str] | None = None,
    subsector_names: Mapping[str, str] | None = None,
    carrier_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The city overview page: total, per capita, per GDP, trend against the target, breakdowns.

    Parameters
    ----------
    result : InventoryResult
        The city's inventory (every year it covers gives a point of the trend).
    statistics : pandas.DataFrame
        ``year``, ``population`` [persons], ``gdp`` [10^4 yuan].
    year : int
        The year shown.
    target : pandas.DataFrame, optional
        Target path, ``year`` and ``value`` [t CO2e].
    balance : BalanceResult, optional
        Net balance of sources and sinks (:mod:`zerocity.sinks.balance`).
    t : callable
        Translation of message ids.
    sector_names : mapping, optional
        Display names of GPC sector codes.
    subsector_names, carrier_names : mapping, optional
        Display names of GPC subsector codes and of activities (the Sankey's nodes).

    Returns
    -------
    dict
        ``year``, ``level``, ``total_tco2e``, ``population``, ``gdp_10k_yuan``, ``tco2e_per_capita``,
        ``tco2e_per_10k_yuan``, ``trend`` (records), ``by_sector_scope`` (records), ``balance``
        (city row of the year, or None) and ``figures`` (name -> plotly figure; pages embed
        ``figure.to_json()``).
    """
    stats = statistics.set_index("year")
    if year not in stats.index:
        raise ValueError(f"no statistics for {year} (population and GDP are needed for the intensities)")
    counted = result.counted(level)
    years = counted["year"].to_numpy()
    if not (years == year).any():
        raise ValueError(f"the inventory has no emissions in {year}")
    total = float(counted["tco2e"].to_numpy()[years == year].sum())
    population = float(stats.at[year, "population"])
    gdp = float(stats.at[year, "gdp"])
    trend = counted.groupby(counted["year"].astype(int))["tco2e"].sum().rename("value").reset_index()
    this_year = counted[years == year]
    names = dict(sector_names or {})
    by_sector_scope = (
        this_year.groupby([this_year["sector"].astype(str), this_year["scope"].astype(int)], observed=True)["tco2e"]
        .sum()
        .rename("tco2e")
        .reset_index()
    )
    by_sector_scope["sector_name"] = by_sector_scope["sector"].map(lambda s: names.get(s, s))
    by_sector_scope["scope_name"] = by_sector_scope["scope"].map(lambda s: t(SCOPE_IDS[int(s)]))
    figs = {
        "trend": figures.trend_against_target(
            trend,
            target,
            title=t("web_chart_trend"),
            y_title="tCO2e",
            actual_name=t("web_inventory"),
            target_name=t("web_target_path"),
        ),
        "sectors": figures.stacked_bars(
            by_sector_scope, "sector_name", "scope_name", "tco2e", title=t("web_chart_sectors"), y_title="tCO2e"
        ),
        "sankey": figures.energy_sankey(
            energy_flows(result, year, level),
            title=t("web_chart_sankey"),
            carrier_labels=carrier_names or {},
            sector_labels=subsector_names or {},
            scope_labels={s: t(SCOPE_IDS[s]) for s in (1, 2, 3)},
        ),
    }
    city_balance = None
    if balance is not None:
        rows = balance.city[balance.city["year"] == year]
        city_balance = rows.iloc[0].to_dict() if len(rows) else None
    return {
        "year": year,
        "level": str(level),
        "total_tco2e": total,
        "population": population,
        "gdp_10k_yuan": gdp,
        "tco2e_per_capita": total / population,
        "tco2e_per_10k_yuan": total / gdp,
        "trend": trend.to_dict("records"),
        "by_sector_scope": by_sector_scope.to_dict("records"),
        "balance": city_balance,
        "figures": figs,
    }
