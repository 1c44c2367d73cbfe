"""City and district typology: service, industrial, mixed or agricultural, with reasons and strategies.

Two views of the same indicators, reported side by side:

* **Rules** (``data/typology.yaml``): thresholds on the GDP structure, stated against China's
  national structure; a unit takes the class of the first rule it meets, and the reason quotes the
  values and thresholds. Transparent and stable across samples.
* **Clustering**: indicators standardised to z-scores (mean 0, standard deviation 1 over the
  units), then k-means (Lloyd's algorithm with k-means++ starts, scikit-learn; ``n_init`` restarts,
  fixed seed) or Ward's hierarchical clustering (scipy). Each cluster is named by applying the
  rules to its mean indicators; a unit's distance to its cluster centre (in z units) says how
  typical it is. Clusters find groups the thresholds do not (e.g. high-carbon industrial versus
  light manufacturing) and depend on the sample.

Indicators (columns of the input table; shares as fractions or percent):

=========================== ====================================================================
``primary_share``            primary industry share of GDP
``secondary_share``          secondary industry share of GDP
``tertiary_share``           tertiary industry share of GDP
``tco2e_per_10k_yuan``       carbon intensity [t CO2e per 10^4 yuan]
``tco2e_per_capita``         emissions per person [t CO2e]
``industry_emission_share``  share of emissions from industry (I.3 and IV)
=========================== ====================================================================

A table may instead give ``gdp_primary``, ``gdp_secondary``, ``gdp_tertiary``, ``population``,
``emissions`` and ``industry_emissions``; the indicators are derived from them.

References
----------
MacQueen, J. (1967). Some methods for classification and analysis of multivariate observations.
Proc. 5th Berkeley Symposium 1:281-297. Arthur, D., Vassilvitskii, S. (2007). k-means++: the
advantages of careful seeding. Proc. SODA 2007, 1027-1035. Ward, J.H. (1963). Hierarchical
grouping to optimize an objective function. JASA 58(301):236-244.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError

__all__ = [
    "INDICATORS",
    "ClusterMethod",
    "TypologyError",
    "TypologyResult",
    "TypologyRules",
    "classify",
    "demo_districts",
    "derive_indicators",
    "load_rules",
]

log = logging.getLogger(__name__)

INDICATORS = (
    "primary_share",
    "secondary_share",
    "tertiary_share",
    "tco2e_per_10k_yuan",
    "tco2e_per_capita",
    "industry_emission_share",
)
SHARES = ("primary_share", "secondary_share", "tertiary_share", "industry_emission_share")
CLASSES = ("service", "industrial", "mixed", "agricultural")


class TypologyError(ZerocityError, ValueError):
    """Bad typology input or rules (the message names the file and what was expected)."""

    code = "typology"


class ClusterMethod(StrEnum):
    """Clustering algorithm."""

    KMEANS = "kmeans"
    WARD = "ward"


class _Bound(BaseModel):
    model_config = ConfigDict(extra="forbid")
    min: float | None = None
    max: float | None = None


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    class_: str
    when: dict[str, _Bound]
    why: str

    def __init__(self, **data: Any) -> None:
        if "class" in data:
            data["class_"] = data.pop("class")
        super().__init__(**data)


class _Strategy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str
    zh: str
    measures: list[str] = []
    track: list[str] = []


class TypologyRules(BaseModel):
    """The rules file: reference structure, ordered rules, strategy templates per class."""

    model_config = ConfigDict(extra="forbid")
    reference: dict[str, Any]
    rules: list[_Rule]
    strategies: dict[str, _Strategy]


def load_rules(path: Path | None = None) -> TypologyRules:
    """Read and validate a rules file (default: the shipped ``data/typology.yaml``)."""
    source = str(path) if path else "zerocity/brain/data/typology.yaml"
    try:
        if path is None:
            text = resources.files("zerocity.brain").joinpath("data/typology.yaml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
        rules = TypologyRules.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise TypologyError(f"{source}: cannot read rules: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise TypologyError(f"{source}: invalid rules: {problems}") from None
    for rule in rules.rules:
        unknown = set(rule.when) - set(INDICATORS)
        if unknown:
            raise TypologyError(f"{source}: rule {rule.class_!r} uses unknown indicators {sorted(unknown)}")
        if rule.class_ not in rules.strategies:
            raise TypologyError(f"{source}: class {rule.class_!r} has no strategy template")
    if not rules.rules or rules.rules[-1].when:
        raise TypologyError(f"{source}: the last rule must have an empty 'when' (the class of everything else)")
    return rules


@functools.cache
def _default_rules() -> TypologyRules:
    return load_rules()


def derive_indicators(frame: pd.DataFrame, *, source: str = "<table>") -> pd.DataFrame:
    """Indicators from a table that gives them, or from GDP by sector, population and emissions.

    Shares given in percent (any value above 1) are divided by 100. Every missing or invalid
    cell is reported at once (:class:`~zerocity.errors.InvalidRecordsError`).
    """
    out = pd.DataFrame(index=frame.index)
    issues: list[RecordIssue] = []
    raw = {c: pd.to_numeric(frame[c], errors="coerce") for c in frame.columns if c not in ("id",)}

    def bad(column: str, mask: pd.Series, message: str) -> None:
        for pos in np.flatnonzero(mask.to_numpy()):
            issues.append(RecordIssue(int(pos) + 1, column, message, str(frame[column].iloc[pos])))

    gdp_cols = ("gdp_primary", "gdp_secondary", "gdp_tertiary")
    if all(c in frame for c in gdp_cols) and not all(c in frame for c in SHARES[:3]):
        for c in gdp_cols:
            bad(c, raw[c].isna() | (raw[c] < 0), "expected a number >= 0 [10^4 yuan]")
        gdp = raw["gdp_primary"] + raw["gdp_secondary"] + raw["gdp_tertiary"]
        bad("gdp_secondary", gdp <= 0, "GDP by sector sums to zero")
        for c, share in zip(gdp_cols, SHARES[:3], strict=True):
            out[share] = raw[c] / gdp
        if "population" in frame and "emissions" in frame:
            bad("population", raw["population"].isna() | (raw["population"] <= 0), "expected a number > 0")
            bad("emissions", raw["emissions"].isna() | (raw["emissions"] < 0), "expected a number >= 0 [t CO2e]")
            out["tco2e_per_10k_yuan"] = raw["emissions"] / gdp
            out["tco2e_per_capita"] = raw["emissions"] / raw["population"]
        if "industry_emissions" in frame and "emissions" in frame:
            out["industry_emission_share"] = raw["industry_emissions"] / raw["emissions"].where(raw["emissions"] > 0)
    for c in INDICATORS:
        if c in frame:
            values = raw[c]
            if c in SHARES and (values > 1).any():
                values = values / 100.0
            bad(c, values.isna() | (values < 0), "expected a number >= 0")
            if c in SHARES:
                bad(c, values > 1, "a share must be at most 1 (or 100 %)")
            out[c] = values
    for c in SHARES[:3]:
        if c not in out:
            issues.append(RecordIssue(0, c, "required: give the shares or gdp_primary, gdp_secondary, gdp_tertiary"))
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    return out


@dataclass
class TypologyResult:
    """Classes of each unit by rule and by cluster, with reasons and strategy templates."""

    table: pd.DataFrame
    indicators: list[str]
    method: ClusterMethod
    k: int
    seed: int
    centres: pd.DataFrame
    rules: TypologyRules
    notes: list[str] = field(default_factory=list)

    def agreement(self) -> float:
        """Share of units whose cluster name equals their rule class."""
        return float((self.table["rule_class"] == self.table["cluster_class"]).mean())

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """JSON-ready view; strategy text in ``lang`` (``en`` or ``zh``)."""
        units = []
        for row in self.table.reset_index().to_dict(orient="records"):
            strategy = self.rules.strategies[row["rule_class"]]
            units.append(
                {
                    "id": str(row["id"]),
                    "rule_class": row["rule_class"],
                    "reason": row["reason"],
                    "rule": next(r.why for r in self.rules.rules if r.class_ == row["rule_class"]),
                    "cluster": int(row["cluster"]),
                    "cluster_class": row["cluster_class"],
                    "cluster_label": row["cluster_label"],
                    "distance": float(row["distance"]),
                    "indicators": {c: _float(row[c]) for c in self.indicators},
                    "strategy": strategy.zh if lang == "zh" else strategy.en,
                    "measures": strategy.measures,
                    "track": strategy.track,
                }
            )
        return {
            "method": str(self.method),
            "k": self.k,
            "seed": self.seed,
            "indicators": self.indicators,
            "reference": self.rules.reference,
            "agreement": self.agreement(),
            "counts": self.table["rule_class"].value_counts().to_dict(),
            "clusters": [
                {
                    "cluster": int(i),
                    "class": str(c),
                    "label": str(row["label"]),
                    **{k: _float(v) for k, v in row.items() if k not in ("class", "label")},
                }
                for (i, row), c in zip(self.centres.iterrows(), self.centres["class"], strict=True)
            ],
            "units": units,
            "notes": self.notes,
        }


def _float(v: Any) -> float | None:
    return None if pd.isna(v) else float(v)


def _cluster_labels(centres: pd.DataFrame) -> list[str]:
    """Cluster names: the class, qualified by carbon intensity when several clusters share it."""
    labels = list(centres["class"])
    if "tco2e_per_10k_yuan" not in centres:
        return [f"{c} ({i})" if labels.count(c) > 1 else c for i, c in enumerate(labels)]
    for cls in set(labels):
        members = [i for i, c in enumerate(labels) if c == cls]
        if len(members) < 2:
            continue
        ranked = sorted(members, key=lambda i: centres["tco2e_per_10k_yuan"].iloc[i])
        for rank, i in enumerate(ranked):
            qualifier = "lowest" if rank == 0 else "highest" if rank == len(ranked) - 1 else f"rank {rank + 1}"
            labels[i] = f"{cls}, {qualifier} carbon intensity"
    return labels


def _rule_class(ind: pd.DataFrame, rules: TypologyRules) -> tuple[np.ndarray, np.ndarray]:
    """First matching rule per row (vectorised) and its reason text."""
    n = len(ind)
    chosen = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    for rule in rules.rules:
        match = np.ones(n, dtype=bool)
        parts = []
        for col, bound in rule.when.items():
            v = ind[col].to_numpy(dtype=float)
            if bound.min is not None:
                match &= v >= bound.min
                parts.append((col, ">=", bound.min))
            if bound.max is not None:
                match &= v < bound.max
                parts.append((col, "<", bound.max))
        take = match & (chosen == "")
        for i in np.flatnonzero(take):
            chosen[i] = rule.class_
            if parts:
                reason[i] = "; ".join(f"{c} {ind[c].iloc[i]:.1%} {op} {b:.0%}" for c, op, b in parts)
            else:
                top = max(SHARES[:3], key=lambda c: ind[c].iloc[i])
                reason[i] = (
                    f"primary {ind['primary_share'].iloc[i]:.1%}, secondary "
                    f"{ind['secondary_share'].iloc[i]:.1%}, tertiary {ind['tertiary_share'].iloc[i]:.1%} "
                    f"(largest: {top.split('_')[0]})"
                )
    return chosen, reason


def classify(
    frame: pd.DataFrame,
    *,
    id_column: str = "id",
    k: int = 4,
    method: ClusterMethod | str = ClusterMethod.KMEANS,
    seed: int = 0,
    rules: TypologyRules | None = None,
    source: str = "<table>",
) -> TypologyResult:
    """Classify units by the rules and by clustering of standardised indicators.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per unit: ``id_column`` and indicators (or the columns they derive from).
    k : int
        Number of clusters (at most the number of units).
    method : ClusterMethod
        ``kmeans`` (25 restarts, ``seed``) or ``ward``.
    seed : int
        Random seed of k-means: the same seed gives the same clusters.
    rules : TypologyRules, optional
        Default: the shipped rules.

    Raises
    ------
    InvalidRecordsError, TypologyError
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from sklearn.cluster import KMeans

    rules = rules or _default_rules()
    method = ClusterMethod(str(method))
    if id_column not in frame:
        raise TypologyError(f"{source}: no id column {id_column!r}; columns: {', '.join(map(str, frame.columns))}")
    ids = frame[id_column].astype(str)
    if ids.duplicated().any():
        raise TypologyError(f"{source}: duplicate ids: {', '.join(sorted(set(ids[ids.duplicated()])))}")
    ind = derive_indicators(frame.drop(columns=[id_column]), source=source)
    ind.index = pd.Index(ids, name="id")
    used = [c for c in INDICATORS if c in ind and ind[c].notna().all()]
    notes = [f"indicator {c} left out: missing for some units" for c in INDICATORS if c in ind and c not in used]
    n = len(ind)
    if not 1 <= k <= n:
        raise TypologyError(f"{source}: k must be between 1 and the number of units ({n}), got {k}")
    x = ind[used].to_numpy(dtype=float)
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    if method is ClusterMethod.KMEANS:
        km = KMeans(n_clusters=k, n_init=25, random_state=seed).fit(z)
        labels = km.labels_
    else:
        labels = fcluster(linkage(z, method="ward"), t=k, criterion="maxclust") - 1 if n > 1 else np.zeros(1, int)
    # Number clusters by first appearance so labels do not depend on the algorithm's internal order.
    _, first = np.unique(labels, return_index=True)
    order = {old: new for new, old in enumerate(labels[np.sort(first)])}
    labels = np.array([order[v] for v in labels])
    centres_z = np.stack([z[labels == c].mean(axis=0) for c in range(labels.max() + 1)])
    distance = np.linalg.norm(z - centres_z[labels], axis=1)
    centres = ind[used].groupby(labels).mean()
    centres.index.name = "cluster"
    centre_class, _ = _rule_class(centres, rules)
    centres["class"] = centre_class
    centres["label"] = _cluster_labels(centres)
    chosen, reason = _rule_class(ind, rules)
    table = ind[used].copy()
    table["rule_class"] = chosen
    table["reason"] = reason
    table["cluster"] = labels
    table["cluster_class"] = centre_class[labels]
    table["cluster_label"] = centres["label"].to_numpy()[labels]
    table["distance"] = distance
    log.info("typology of %d units: %s", n, table["rule_class"].value_counts().to_dict())
    return TypologyResult(table, used, method, k, seed, centres, rules, notes)


def demo_districts(seed: int = 20241) -> pd.DataFrame:
    """Demo City's 10 districts in 2024: GDP by sector, population, emissions (derived, see docs).

    GDP by sector is the city's spread over districts: primary by cropland, secondary by the
    output of the district's registered enterprises, tertiary by population (services follow
    residents); emissions are the 2024 BASIC+ inventory of the records that carry the district.
    """
    from zerocity.demo import build_demo_city
    from zerocity.inventory.engine import compute_inventory

    city = build_demo_city(seed=seed)
    stats = city.statistics.set_index("year").loc[2024]
    props = pd.DataFrame([f["properties"] for f in city.districts["features"]]).set_index("code")
    land = city.land[city.land["year"] == 2024].set_index("district")["cropland_ha"]
    output = city.enterprises.groupby("district")["output_value_10k_yuan"].sum()
    frame = pd.DataFrame(index=props.index)
    frame["name"] = props["name_en"]
    frame["population"] = props["population_share"] * float(stats["population"])
    frame["gdp_primary"] = float(stats["gdp_primary"]) * land.reindex(frame.index).fillna(0) / land.sum()
    frame["gdp_secondary"] = float(stats["gdp_secondary"]) * output.reindex(frame.index).fillna(0) / output.sum()
    frame["gdp_tertiary"] = float(stats["gdp_tertiary"]) * props["population_share"] / props["population_share"].sum()
    result = compute_inventory(city.records, region=city.region, years=[2024], source="Demo City records")
    counted = result.counted("BASIC+")
    counted = counted[counted["district"].astype(str) != ""]
    emissions = counted.groupby(counted["district"].astype(str))["tco2e"].sum()
    industry = counted[counted["gpc_ref"].astype(str).str.match(r"^(I\.3|IV)")]
    frame["emissions"] = emissions.reindex(frame.index).fillna(0.0)
    frame["industry_emissions"] = (
        industry.groupby(industry["district"].astype(str))["tco2e"].sum().reindex(frame.index).fillna(0.0)
    )
    return frame.reset_index().rename(columns={"code": "id"})
