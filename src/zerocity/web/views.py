"""City data of a tenant for the dashboard, cached, and the district view models.

:func:`city_data` recomputes the tenant's city inventory from its stored records once per process
(keyed by tenant and inventory id) and derives the net balance from the profile's sink rows;
view models built from it are cached per tenant, inventory, year and language
(:func:`cached_view`), so a page renders from memory after its first visit.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from zerocity.accounts.enterprise import load_carbon_code_config
from zerocity.factors.library import FactorLibrary, default_library
from zerocity.i18n import N_
from zerocity.inventory.engine import compute_inventory
from zerocity.inventory.gpc import gpc_table
from zerocity.inventory.result import InventoryResult
from zerocity.service.inventories import inventory_library
from zerocity.sinks.balance import BalanceResult, inventory_by_district, net_balance
from zerocity.store.db import session_scope
from zerocity.store.inventories import load_inventory
from zerocity.store.models import Inventory, InventoryAccess
from zerocity.web import figures
from zerocity.web.mrvdata import Version, apply_versions
from zerocity.web.overview import SCOPE_IDS, district_table
from zerocity.web.profile import CityProfile

__all__ = [
    "MAP_MEASURES",
    "CityData",
    "cached_view",
    "carrier_names",
    "city_data",
    "district_grades",
    "district_map",
    "district_page",
    "inventory_version",
    "is_published",
    "sector_names",
    "subsector_names",
]

logger = logging.getLogger(__name__)

Translate = Callable[..., str]

#: Measures of the district map: query value -> message id of its title.
MAP_MEASURES: dict[str, str] = {
    "emissions": N_("web_map_emissions"),
    "intensity": N_("web_map_intensity"),
    "grade": N_("web_map_grade"),
    "net": N_("web_map_net"),
}
#: Label of each grade (message ids).
GRADE_IDS = {
    1: N_("web_grade_1"),
    2: N_("web_grade_2"),
    3: N_("web_grade_3"),
    4: N_("web_grade_4"),
    5: N_("web_grade_5"),
}
#: Net-balance classes of :mod:`zerocity.sinks.balance` -> message ids.
CLASS_IDS = {
    "negative carbon": N_("web_class_negative"),
    "zero carbon": N_("web_class_zero"),
    "near-zero carbon": N_("web_class_near_zero"),
    "net emitter": N_("web_class_emitter"),
}


@dataclass(frozen=True)
class CityData:
    """A tenant's city inventory recomputed from storage, with its profile and net balance.

    Attributes
    ----------
    slug : str
        Tenant.
    profile : CityProfile
        Statistics, districts, target and sinks.
    result : InventoryResult
        The inventory (every year it covers).
    level : str
        Level of the inventory's totals (``BASIC``...).
    balance : BalanceResult or None
        Net balance (BASIC+ emissions less the profile's sinks); None without sinks.
    versions : tuple of Version
        Verified enterprise versions included.
    inventory : dict
        Identity of the stored inventory's content (:func:`inventory_version`).
    data_dir : str
        The deployment's data directory (the ``cache_key`` of :func:`city_data`), where slow
        results derived from this data are kept; empty: nowhere on disk.
    """

    slug: str
    profile: CityProfile
    result: InventoryResult
    level: str
    balance: BalanceResult | None
    versions: tuple[Version, ...] = ()
    inventory: dict[str, Any] = field(default_factory=dict)
    data_dir: str = ""

    @property
    def cache_id(self) -> tuple[Hashable, ...]:
        """Identity of the numbers: tenant, inventory and the verified versions included."""
        return (self.slug, int(self.profile.inventory_id), tuple(sorted(v.key for v in self.versions)))

    @property
    def years(self) -> list[int]:
        """Years with emissions and statistics, ascending."""
        have = set(int(y) for y in self.profile.statistics["year"])
        return [int(y) for y in self.result.years if int(y) in have]


_LOCK = threading.Lock()
_DATA: dict[Hashable, CityData] = {}
_VIEWS: dict[Hashable, Any] = {}
#: Most view models kept (a zerocity choice: 8 pages x 15 years x 2 languages of one city).
_MAX_VIEWS = 256


def is_published(engine: Engine, inventory_id: int) -> bool:
    """Whether an inventory's totals are published (visible to every role)."""
    with session_scope(engine) as session:
        at = session.scalar(select(InventoryAccess.published_at).where(InventoryAccess.inventory_id == inventory_id))
    return at is not None


def inventory_version(engine: Engine, inventory_id: int) -> dict[str, Any]:
    """What identifies a stored inventory's numbers: its id, the SHA-256 of its records and its run parameters.

    Raises
    ------
    KeyError
        No inventory has this id.
    """
    with session_scope(engine) as session:
        row = session.execute(
            select(Inventory.input_sha256, Inventory.params).where(Inventory.id == int(inventory_id))
        ).first()
    if row is None:
        raise KeyError(inventory_id)
    return {"id": int(inventory_id), "sha256": str(row[0]), "params": dict(row[1] or {})}


@dataclass(frozen=True)
class StoredRecords:
    """A stored inventory's input records and run parameters (loaded once per process)."""

    name: str
    records: pd.DataFrame
    gwp: str
    region: str
    level: str
    version: dict[str, Any] = field(default_factory=dict)
    #: The factor library the inventory was computed with (the shipped one, or with its factor set).
    library: FactorLibrary = field(default_factory=default_library)


_STORED: dict[tuple[str, int, str], StoredRecords] = {}


def stored_records(slug: str, engine: Engine, inventory_id: int, *, cache_key: str = "") -> StoredRecords:
    """The records and parameters of a stored inventory, cached (stored inventories never change)."""
    key = (slug, int(inventory_id), cache_key)
    with _LOCK:
        found = _STORED.get(key)
    if found is not None:
        return found
    with session_scope(engine) as session:
        stored = load_inventory(session, inventory_id)
        params = stored.params or {}
        library = inventory_library(session, params)
    value = StoredRecords(
        name=stored.name,
        records=stored.records,
        gwp=str(params.get("gwp") or "AR5"),
        region=str(params.get("region") or "CN"),
        level=str(params.get("level") or "BASIC"),
        version={"id": int(inventory_id), "sha256": str(stored.input_sha256), "params": dict(params)},
        library=library,
    )
    with _LOCK:
        _STORED[key] = value
    return value


def city_data(
    slug: str, engine: Engine, profile: CityProfile, *, versions: Sequence[Version] = (), cache_key: str = ""
) -> CityData:
    """The tenant's city data, computed on first use and cached per (tenant, inventory, versions).

    Parameters
    ----------
    slug : str
        Tenant slug.
    engine : sqlalchemy.Engine
        The tenant database.
    profile : CityProfile
        The tenant's profile (names the inventory).
    versions : sequence of Version
        Verified enterprise versions replacing the inventory's rows of their entity and year
        (:func:`zerocity.web.mrvdata.entity_versions` with ``verified_only=True``).
    cache_key : str
        Distinguishes deployments sharing a process (the data directory).
    """
    key = (slug, int(profile.inventory_id), cache_key, tuple(sorted(v.key for v in versions)))
    with _LOCK:
        found = _DATA.get(key)
    if found is not None:
        return found
    stored = stored_records(slug, engine, profile.inventory_id, cache_key=cache_key)
    records = apply_versions(stored.records, list(versions))
    result = compute_inventory(
        records,
        library=stored.library,
        gwp=stored.gwp,
        region=stored.region or profile.region,
        level=stored.level,
        source=stored.name,
    )
    balance = None
    if profile.sinks:
        emissions = inventory_by_district(result, "BASIC+")
        known = set(profile.population_shares())
        sinks = {name: frame[frame["district"].astype(str).isin(known)] for name, frame in profile.sinks.items()}
        balance = net_balance(emissions, sinks, level="BASIC+")
    data = CityData(
        slug=slug,
        profile=profile,
        result=result,
        level=stored.level,
        balance=balance,
        versions=tuple(versions),
        inventory=stored.version,
        data_dir=cache_key,
    )
    with _LOCK:
        _DATA[key] = data
    logger.info(
        "dashboard data of %r ready (inventory %d, %d verified versions)", slug, profile.inventory_id, len(versions)
    )
    return data


def cached_view(key: Hashable, build: Callable[[], Any]) -> Any:
    """A view model from the cache, built on first use (the oldest entries go beyond the limit)."""
    with _LOCK:
        if key in _VIEWS:
            return _VIEWS[key]
    value = build()
    with _LOCK:
        _VIEWS[key] = value
        while len(_VIEWS) > _MAX_VIEWS:
            _VIEWS.pop(next(iter(_VIEWS)))
    return value


@functools.cache
def sector_names(lang: str) -> dict[str, str]:
    """GPC sector code -> name in ``lang``."""
    gpc = gpc_table().drop_duplicates("sector")
    return dict(zip(gpc["sector"].astype(str), gpc[f"sector_name_{lang}"].astype(str), strict=True))


@functools.cache
def subsector_names(lang: str) -> dict[str, str]:
    """GPC subsector code -> name in ``lang``."""
    gpc = gpc_table().drop_duplicates("subsector")
    return dict(zip(gpc["subsector"].astype(str), gpc[f"subsector_name_{lang}"].astype(str), strict=True))


@functools.cache
def carrier_names(lang: str) -> dict[str, str]:
    """Activity code -> name in ``lang`` (the factor library's vocabulary)."""
    from importlib import resources

    with resources.files("zerocity.factors").joinpath("data", "activities.csv").open("rb") as fh:
        table = pd.read_csv(fh, dtype=str)
    column = "name_zh" if lang == "zh" else "name_en"
    return dict(zip(table["activity"], table[column].fillna(table["activity"]), strict=True))


def district_grades(per_capita: pd.Series, city_per_capita: float) -> pd.Series:
    """Five-colour grade of each district: its per-capita emissions against the city's.

    ``ratio = district tCO2e per person / city tCO2e per person`` [unitless] is graded with the
    carbon-code thresholds (:mod:`zerocity.accounts.data` ``carbon_code.yaml``: grade = 1 + number of
    bounds the ratio exceeds; a ratio equal to a bound takes the better grade). Applying the
    enterprise thresholds to districts is zerocity's own choice, not a published rule.

    Parameters
    ----------
    per_capita : pandas.Series
        tCO2e per person of each district.
    city_per_capita : float
        tCO2e per person of the city.

    Returns
    -------
    pandas.Series
        Grades 1-5 (int), same index.
    """
    bounds = np.asarray(load_carbon_code_config().thresholds, dtype=float)
    ratio = per_capita.to_numpy(dtype=float) / city_per_capita
    grades = 1 + (ratio[:, None] > bounds[None, :]).sum(axis=1)
    return pd.Series(grades.astype(int), index=per_capita.index)


def _district_frame(data: CityData, year: int, lang: str) -> pd.DataFrame:
    """One row per district: emissions, population, per capita, grade, net balance, class."""
    stats = data.profile.statistics.set_index("year")
    population = float(stats.at[year, "population"])
    table = district_table(data.result, year, data.profile.population_shares(), population, data.level)
    total = float(data.result.counted(data.level).query("year == @year")["tco2e"].sum())
    table["grade"] = district_grades(table["tco2e_per_capita"], total / population).to_numpy()
    names = data.profile.district_names(lang)
    table["name"] = table["district"].map(lambda c: names.get(c, c))
    table["net_tco2e"] = np.nan
    table["removals_tco2e"] = np.nan
    table["class"] = ""
    if data.balance is not None:
        rows = data.balance.table[data.balance.table["year"] == year].set_index("district")
        table["net_tco2e"] = table["district"].map(rows["net_tco2e"]).astype(float)
        table["removals_tco2e"] = table["district"].map(rows["removals_tco2e"]).astype(float)
        table["class"] = table["district"].map(rows["class"]).fillna("").astype(str)
    return table


def district_map(data: CityData, year: int, measure: str, lang: str, t: Translate) -> dict[str, Any]:
    """The district map page: the table of districts and the map of one measure.

    Parameters
    ----------
    data : CityData
    year : int
    measure : {"emissions", "intensity", "grade", "net"}
        Emissions [t CO2e], per capita [t CO2e per person], grade (1-5), net balance [t CO2e].
    lang : str
    t : callable
        Translation of message ids.

    Returns
    -------
    dict
        ``year``, ``measure``, ``rows`` (records: district, name, tco2e, population,
        tco2e_per_capita, grade, grade_name, net_tco2e, class, class_name) and ``figure``.
    """
    if measure not in MAP_MEASURES:
        raise ValueError(f"unknown map measure {measure!r}; expected one of {', '.join(MAP_MEASURES)}")
    table = _district_frame(data, year, lang)
    table["grade_name"] = table["grade"].map(lambda g: t(GRADE_IDS[int(g)]))
    table["class_name"] = table["class"].map(lambda c: t(CLASS_IDS[c]) if c in CLASS_IDS else "")
    title = t(MAP_MEASURES[measure])
    geo = data.profile.districts
    if measure == "grade":
        colours = {
            str(d): figures.GRADE_COLOURS[int(g)] for d, g in zip(table["district"], table["grade"], strict=True)
        }
        values = table[["district", "name"]].assign(value=table["grade"].astype(float))
        fig = figures.district_shapes(geo, values, title=title, value_title="", colours=colours, hover_format=".0f")
    else:
        column = {"emissions": "tco2e", "intensity": "tco2e_per_capita", "net": "net_tco2e"}[measure]
        unit = "tCO2e" if measure != "intensity" else t("web_unit_per_capita")
        fig = figures.district_shapes(
            geo,
            table[["district", "name"]].assign(value=table[column]),
            title=title,
            value_title=unit,
            hover_format=",.2f" if measure == "intensity" else ",.0f",
        )
    return {"year": year, "measure": measure, "rows": table.to_dict("records"), "figure": fig}


def district_page(data: CityData, code: str, year: int, lang: str, t: Translate) -> dict[str, Any]:
    """One district: its row of the map table, emissions by sector and scope, and its trend.

    Raises
    ------
    KeyError
        No district has this code.
    """
    table = _district_frame(data, year, lang).set_index("district")
    if code not in table.index:
        raise KeyError(code)
    row = {"district": code, **table.loc[code].to_dict()}
    row["grade_name"] = t(GRADE_IDS[int(row["grade"])])
    row["class_name"] = t(CLASS_IDS[row["class"]]) if row["class"] in CLASS_IDS else ""
    counted = data.result.counted(data.level)
    mine = counted[counted["district"].astype(str).to_numpy() == code]
    this_year = mine[mine["year"].to_numpy() == year]
    names = sector_names(lang)
    by = (
        this_year.groupby([this_year["sector"].astype(str), this_year["scope"].astype(int)], observed=True)["tco2e"]
        .sum()
        .rename("tco2e")
        .reset_index()
    )
    by["sector_name"] = by["sector"].map(lambda s: names.get(s, s))
    by["scope_name"] = by["scope"].map(lambda s: t(SCOPE_IDS[int(s)]))
    trend = mine.groupby(mine["year"].astype(int))["tco2e"].sum().rename("value").reset_index()
    figs = {
        "sectors": figures.stacked_bars(
            by, "sector_name", "scope_name", "tco2e", title=t("web_chart_sectors"), y_title="tCO2e"
        ),
        "trend": figures.trend_against_target(
            trend,
            None,
            title=t("web_chart_district_trend"),
            y_title="tCO2e",
            actual_name=t("web_inventory"),
            target_name=t("web_target_path"),
        ),
    }
    return {
        "year": year,
        "row": row,
        "by_sector_scope": by.to_dict("records"),
        "trend": trend.to_dict("records"),
        "figures": figs,
    }


def clear_cache() -> None:
    """Forget every cached city, view and result kept in memory (tests, or after new data was stored)."""
    from zerocity.web.resultcache import clear_memory

    with _LOCK:
        _DATA.clear()
        _VIEWS.clear()
        _STORED.clear()
    clear_memory()
