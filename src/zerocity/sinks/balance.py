"""Net balance of sources and sinks per district and city, with carbon classes and the sink trend.

For each district d and year t:

    gross_{d,t}    = emissions of the inventory at the chosen level [t CO2e] (>= 0)
    removals_{d,t} = - sum of negative sink flows (CO2 taken up) [t CO2e] (>= 0)
    sink_emissions = sum of positive flows of the sink models (land converted, losses) [t CO2e]
    net_{d,t}      = gross + sink_emissions - removals
    offset share   = removals / (gross + sink_emissions)

Sink estimates that measure the same carbon must not be added twice: land-use gain-loss (IPCC)
and CASA net ecosystem production from satellite data both measure vegetation uptake, and urban
trees sit inside settlements' land. :func:`net_balance` therefore takes the sink tables that count
(by default land use outside settlements plus urban trees) and reports others as *alternative
estimates* beside the balance, never in it.

Classes (zerocity's own thresholds, stated here and changeable): **negative carbon** when
net < 0; **zero carbon** when the offset share is at least 95 %; **near-zero carbon** when it is
at least 70 %; otherwise **net emitter**. The sink trend is the least-squares slope of removals
over the years [t CO2e/yr per year].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zerocity.errors import ZerocityError

__all__ = [
    "CITY",
    "BalanceError",
    "BalanceResult",
    "Thresholds",
    "classify_balance",
    "inventory_by_district",
    "net_balance",
]

CITY = "city"  # district label of rows without a district (city-wide sources and sinks)
SINK_COLUMNS = ("year", "district", "tco2e")


class BalanceError(ZerocityError, ValueError):
    """Inputs of the net balance that do not fit (missing columns, years or districts)."""

    code = "balance"


@dataclass(frozen=True)
class Thresholds:
    """Offset shares of the carbon classes (net < 0 is always *negative carbon*)."""

    zero: float = 0.95
    near_zero: float = 0.70

    def __post_init__(self) -> None:
        if not 0 < self.near_zero <= self.zero <= 1:
            raise BalanceError(f"thresholds must satisfy 0 < near_zero <= zero <= 1, got {self}")


def classify_balance(net: np.ndarray, offset_share: np.ndarray, thresholds: Thresholds | None = None) -> np.ndarray:
    """Carbon class of each (net, offset share) pair (vectorised)."""
    th = thresholds or Thresholds()
    net = np.asarray(net, dtype=float)
    share = np.asarray(offset_share, dtype=float)
    return np.select(
        [net < 0, share >= th.zero, share >= th.near_zero],
        ["negative carbon", "zero carbon", "near-zero carbon"],
        default="net emitter",
    )


@dataclass
class BalanceResult:
    """Per district and year: gross, removals, sink emissions, net, offset share, class."""

    table: pd.DataFrame  # district, year, gross_tco2e, removals_tco2e, sink_emissions_tco2e, net_tco2e, ...
    city: pd.DataFrame  # year -> the same for the whole city
    trend: pd.DataFrame  # district -> removals slope [t CO2e/yr per yr]
    alternatives: pd.DataFrame  # district, year, source, removals (estimates reported, not counted)
    thresholds: Thresholds
    level: str
    sources: list[str]
    notes: list[str] = field(default_factory=list)

    def latest(self) -> pd.DataFrame:
        """The rows of the last year."""
        last = int(self.table["year"].max())
        return self.table[self.table["year"] == last]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "level": self.level,
            "sinks_counted": self.sources,
            "thresholds": {"zero": self.thresholds.zero, "near_zero": self.thresholds.near_zero},
            "districts": self.table.to_dict(orient="records"),
            "city": self.city.to_dict(orient="records"),
            "sink_trend_tco2e_per_year": self.trend.to_dict(orient="records"),
            "alternative_estimates": self.alternatives.to_dict(orient="records"),
            "notes": self.notes,
        }


def _check(frame: pd.DataFrame, what: str, columns: Sequence[str]) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame]
    if missing:
        raise BalanceError(f"{what}: missing columns {missing}; expected {list(columns)}")
    out = frame.copy()
    out["district"] = out["district"].fillna("").astype(str).replace({"": CITY, "nan": CITY})
    out["year"] = pd.to_numeric(out["year"], errors="coerce")
    out["tco2e"] = pd.to_numeric(out["tco2e"], errors="coerce")
    bad = out["year"].isna() | out["tco2e"].isna()
    if bad.any():
        rows = ", ".join(str(int(i) + 1) for i in np.flatnonzero(bad.to_numpy())[:10])
        raise BalanceError(f"{what}: year and tco2e must be numbers (rows {rows})")
    out["year"] = out["year"].astype(int)
    return out


def net_balance(
    emissions: pd.DataFrame,
    sinks: dict[str, pd.DataFrame],
    *,
    alternatives: dict[str, pd.DataFrame] | None = None,
    thresholds: Thresholds | None = None,
    level: str = "BASIC+",
) -> BalanceResult:
    """Net balance per district and year.

    Parameters
    ----------
    emissions : pandas.DataFrame
        ``year``, ``district`` (empty: city-wide), ``tco2e`` (gross emissions, any number of rows).
    sinks : dict of name -> pandas.DataFrame
        Sink tables that count: ``year``, ``district``, ``tco2e`` (negative = removal).
    alternatives : dict, optional
        Other estimates of sinks already counted (e.g. CASA NEP): reported per district and year.
    thresholds : Thresholds, optional
    level : str
        Label of the inventory level of ``emissions`` (for the report).
    """
    th = thresholds or Thresholds()
    em = _check(emissions, "emissions", SINK_COLUMNS)
    gross = em.groupby(["district", "year"])["tco2e"].sum().rename("gross_tco2e")
    flows = pd.concat(
        [_check(frame, f"sinks {name}", SINK_COLUMNS)[list(SINK_COLUMNS)] for name, frame in sinks.items()]
        or [pd.DataFrame({"year": pd.Series(dtype=int), "district": pd.Series(dtype=str), "tco2e": 0.0})],
        ignore_index=True,
    )
    keys = [flows["district"], flows["year"]]
    removals = (-flows["tco2e"].where(flows["tco2e"] < 0, 0.0)).groupby(keys).sum().rename("removals_tco2e")
    sink_em = flows["tco2e"].where(flows["tco2e"] > 0, 0.0).groupby(keys).sum().rename("sink_emissions_tco2e")
    parts = [gross, removals, sink_em]
    table = pd.concat(parts, axis=1).fillna(0.0)
    table.index = table.index.set_names(["district", "year"])
    years = set(em["year"])
    table = table[table.index.get_level_values("year").isin(years)].reset_index()

    def finish(t: pd.DataFrame) -> pd.DataFrame:
        t = t.copy()
        sources = t["gross_tco2e"] + t["sink_emissions_tco2e"]
        t["net_tco2e"] = sources - t["removals_tco2e"]
        t["offset_share"] = np.where(sources > 0, t["removals_tco2e"] / sources.where(sources > 0, 1.0), np.inf)
        t["class"] = classify_balance(t["net_tco2e"].to_numpy(), t["offset_share"].to_numpy(), th)
        return t

    table = finish(table).sort_values(["district", "year"]).reset_index(drop=True)
    cols = ["gross_tco2e", "removals_tco2e", "sink_emissions_tco2e"]
    city = finish(table.groupby("year")[cols].sum().reset_index())

    def slope(g: pd.DataFrame) -> float:
        if g["year"].nunique() < 2:
            return float("nan")
        return float(np.polyfit(g["year"].to_numpy(float), g["removals_tco2e"].to_numpy(float), 1)[0])

    trend = pd.DataFrame(
        [{"district": d, "removals_slope": slope(g)} for d, g in table.groupby("district")]
        + [{"district": "all", "removals_slope": slope(city)}]
    )
    alt_rows = []
    for name, frame in (alternatives or {}).items():
        s = _check(frame, f"alternative {name}", SINK_COLUMNS)
        agg = (-s["tco2e"].where(s["tco2e"] < 0, 0.0)).groupby([s["district"], s["year"]]).sum()
        alt_rows += [
            {"district": d, "year": int(y), "source": name, "removals_tco2e": float(v)} for (d, y), v in agg.items()
        ]
    notes = []
    if (table["district"] == CITY).any():
        notes.append(f"'{CITY}': sources and sinks without a district (counted in the city total)")
    return BalanceResult(
        table=table,
        city=city,
        trend=trend,
        alternatives=pd.DataFrame(alt_rows, columns=["district", "year", "source", "removals_tco2e"]),
        thresholds=th,
        level=level,
        sources=list(sinks),
        notes=notes,
    )


def inventory_by_district(result: Any, level: str = "BASIC+") -> pd.DataFrame:
    """Gross emissions of an :class:`~zerocity.inventory.result.InventoryResult` by district and year."""
    counted = result.counted(level)
    frame = pd.DataFrame(
        {
            "year": counted["year"].astype(int).to_numpy(),
            "district": counted["district"].astype(str).replace({"nan": ""}).to_numpy(),
            "tco2e": counted["tco2e"].to_numpy(dtype=float),
        }
    )
    return frame.groupby(["year", "district"], as_index=False)["tco2e"].sum()
