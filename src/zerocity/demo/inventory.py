"""Demo City's inventory, year by year (what ``make demo`` and ``zerocity demo`` print)."""

from __future__ import annotations

from typing import Any

from zerocity.factors.gwp import GwpSet
from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.gpc import Level

__all__ = ["demo_inventory"]


def demo_inventory(
    city: Any, *, gwp: GwpSet | str = GwpSet.AR5, level: Level | str = Level.BASIC
) -> list[dict[str, Any]]:
    """Compute the inventory of every year of a Demo City.

    Parameters
    ----------
    city : DemoCity
        From :func:`zerocity.demo.build_demo_city`.
    gwp : GwpSet
    level : Level
        Level of ``total_tco2e``.

    Returns
    -------
    list of dict
        Per year: ``year``, ``total_tco2e``, ``basic_tco2e``, ``basic_plus_tco2e``,
        ``territorial_tco2e``, ``population`` [persons], ``gdp`` [10^4 yuan, current prices],
        ``tco2e_per_capita`` [t/person], ``tco2e_per_10k_yuan`` [t per 10^4 yuan],
        ``by_sector`` and ``by_scope`` [t CO2e, at ``level``], ``by_sector_basic_plus`` [t CO2e,
        BASIC+: includes IPPU (IV) and AFOLU (V)].
    """
    result = compute_inventory(city.records, gwp=gwp, region=city.region, level=level, source="Demo City records")
    per_year = result.by_year()
    plus = result.counted(Level.BASIC_PLUS)
    plus_by_sector = plus.groupby(["year", "sector"], observed=True)["tco2e"].sum()
    stats = city.statistics.set_index("year")
    out = []
    for year, doc in per_year.items():
        y = int(year)
        population = float(stats.at[y, "population"])
        gdp = float(stats.at[y, "gdp"])
        out.append(
            {
                "year": y,
                "total_tco2e": doc["total_tco2e"],
                "basic_tco2e": doc["basic_tco2e"],
                "basic_plus_tco2e": doc["basic_plus_tco2e"],
                "territorial_tco2e": doc["territorial_tco2e"],
                "population": population,
                "gdp": gdp,
                "tco2e_per_capita": doc["total_tco2e"] / population,
                "tco2e_per_10k_yuan": doc["total_tco2e"] / gdp,
                "by_sector": doc["by_sector"],
                "by_scope": doc["by_scope"],
                "by_sector_basic_plus": {
                    str(sector): float(v) for (yr, sector), v in plus_by_sector.items() if int(yr) == y
                },
            }
        )
    return out
