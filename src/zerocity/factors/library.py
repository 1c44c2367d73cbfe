"""The factor library: shipped and user factor sets, resolution and its explanation.

Resolution rule (documented in docs/methodology.md, "Factor resolution"): among the
non-deprecated records of the wanted parameter, activity and gas whose region lies on the
request's region chain and whose sector applies to the GPC reference, the winner is the first by

1. distance in years from the validity window (0 inside it: a valid factor always wins);
2. a user's own set before shipped sets (the most recently loaded user set first);
3. region specificity: subdivision, then grid region, then country, then GLOBAL;
4. sector specificity: a factor for the record's GPC sector before a generic one;
5. the latest ``valid_from``; then the higher tier; then the factor id (for determinism).

When no record exists for the activity itself, the activity's IPCC proxy (``activity_proxies.csv``,
e.g. China's statistical ``raw_coal`` -> ``other_bituminous_coal`` for CH4 and N2O) is tried
with the same rule.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TypeVar

import pandas as pd
import yaml

from zerocity.errors import FactorNotFoundError, FactorSetError
from zerocity.factors.model import FactorRecord, Parameter, records_from_frame

__all__ = [
    "Activity",
    "Candidate",
    "FactorLibrary",
    "FactorSetInfo",
    "Resolution",
    "default_library",
    "read_factor_file",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
_ISO_COUNTRY = re.compile(r"[A-Z]{2}")
_ISO_SUBDIVISION = re.compile(r"([A-Z]{2})-[A-Z0-9]{1,3}")


@dataclass(frozen=True)
class Activity:
    """An activity of the vocabulary (``activities.csv``)."""

    activity: str
    name_en: str
    name_zh: str
    category: str
    biogenic: bool
    default_unit: str
    proxy: str | None


@dataclass(frozen=True)
class FactorSetInfo:
    """Identity of a loaded factor set."""

    id: str
    name: str
    version: str
    user: bool
    records: int
    source: str


@dataclass(frozen=True)
class Candidate:
    """A record considered by resolution, with why it ranks where it does."""

    record: FactorRecord
    rank_key: tuple[object, ...]
    eligible: bool
    reason: str
    via_proxy: str | None = None


@dataclass(frozen=True)
class Resolution:
    """Outcome of a resolution: the winner (if any) and every candidate in rank order."""

    parameter: str
    activity: str
    gas: str
    gpc_ref: str | None
    region: str
    year: int
    winner: FactorRecord | None
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    qualifier: str = ""


def read_factor_file(path: Path) -> pd.DataFrame:
    """Read a factor set from CSV, XLSX or Parquet as text columns."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False)
        if suffix in {".xlsx", ".xlsm"}:
            return pd.read_excel(path, dtype=str).fillna("")
        if suffix == ".parquet":
            return pd.read_parquet(path).astype(str)
    except (OSError, ValueError) as exc:
        raise FactorSetError(f"{path}: cannot read factor set: {exc}") from exc
    raise FactorSetError(f"{path}: unsupported factor set format {suffix!r}; expected .csv, .xlsx or .parquet")


class FactorLibrary:
    """Factor records indexed for resolution.

    Parameters
    ----------
    records : iterable of FactorRecord
    sets : list of FactorSetInfo
    activities : dict of str to Activity
    region_parents : dict of str to str
        Parent of each region code (``CN-JS`` -> ``CN-GRID-EC`` -> ``CN`` -> ``GLOBAL``).
    """

    def __init__(
        self,
        records: Iterable[FactorRecord],
        *,
        sets: list[FactorSetInfo],
        activities: dict[str, Activity],
        region_parents: dict[str, str],
    ) -> None:
        self.sets = list(sets)
        self.activities = activities
        self.region_parents = region_parents
        self._by_id: dict[str, FactorRecord] = {}
        self._index: dict[tuple[str, str, str, str], list[FactorRecord]] = defaultdict(list)
        self._user_order: dict[str, int] = {}
        # Results of pure functions of this (immutable) library, e.g. per-key coefficients.
        self._memo: dict[tuple[object, ...], object] = {}
        for rec in records:
            self._add(rec)

    def _add(self, rec: FactorRecord) -> None:
        if rec.factor_id in self._by_id:
            raise FactorSetError(
                f"factor id {rec.factor_id!r} of set {rec.dataset!r} is already defined by set "
                f"{self._by_id[rec.factor_id].dataset!r}; factor ids must be unique across sets"
            )
        self._by_id[rec.factor_id] = rec
        self._index[(str(rec.parameter), rec.activity, rec.gas, rec.qualifier)].append(rec)

    # ------------------------------------------------------------------ loading
    def with_user_set(self, frame: pd.DataFrame, *, name: str, version: str = "1", source: str = "") -> FactorLibrary:
        """A new library that also holds a user's factor set (which wins over shipped ones).

        Raises
        ------
        FactorSetError
            When the table breaks the schema, names unknown activities, or reuses a factor id.
        """
        records = records_from_frame(frame, dataset=name, version=version, user=True, source=source or name)
        unknown = sorted({r.activity for r in records} - set(self.activities))
        if unknown:
            raise FactorSetError(
                f"{source or name}: unknown activity id(s) {', '.join(unknown)}; see `zerocity factors "
                "activities` for the vocabulary"
            )
        lib = FactorLibrary(
            list(self._by_id.values()),
            sets=[*self.sets, FactorSetInfo(name, name, version, True, len(records), source or name)],
            activities=self.activities,
            region_parents=self.region_parents,
        )
        lib._user_order = {**self._user_order, name: len(self._user_order) + 1}
        for rec in records:
            lib._add(rec)
        return lib

    def memo(self, key: tuple[object, ...], compute: Callable[[], T]) -> T:
        """Value of ``compute()`` remembered under ``key`` for the life of this library.

        For pure functions of the library (factor resolution, per-key coefficients): a library
        never changes after it is built (``with_user_set`` returns a new one), so the cache can
        never be stale.
        """
        try:
            return self._memo[key]  # type: ignore[return-value]
        except KeyError:
            value = compute()
            self._memo[key] = value
            return value

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, factor_id: str) -> FactorRecord:
        """The record with this id.

        Raises
        ------
        FactorNotFoundError
        """
        try:
            return self._by_id[factor_id]
        except KeyError:
            raise FactorNotFoundError(f"no factor with id {factor_id!r} in the library") from None

    def records(self) -> list[FactorRecord]:
        """Every record, in load order."""
        return list(self._by_id.values())

    def frame(self) -> pd.DataFrame:
        """Every record as a table (one row per record)."""
        return pd.DataFrame([r.as_dict() for r in self._by_id.values()])

    def dataset_versions(self) -> dict[str, str]:
        """Loaded sets and their versions."""
        return {s.id: s.version for s in self.sets}

    def region_chain(self, region: str) -> list[str]:
        """The region and its ancestors, most specific first, ending with ``GLOBAL``."""
        chain = []
        current: str | None = region
        while current and current not in chain:
            chain.append(current)
            if current == "GLOBAL":
                break
            parent = self.region_parents.get(current)
            if parent is None:
                parent = current.rsplit("-", 1)[0] if "-" in current else "GLOBAL"
            current = parent
        if not chain or chain[-1] != "GLOBAL":  # an empty region is the global default
            chain.append("GLOBAL")
        return chain

    def region_problem(self, region: str) -> str | None:
        """Why a region code is not usable, or None when it is.

        Usable: ``GLOBAL``; a code of ``regions.csv``; an ISO 3166-1 alpha-2 country; an ISO 3166-2
        style subdivision of a country whose subdivisions ``regions.csv`` does not list (so
        ``CN-XX`` is refused, ``DE-BY`` accepted).
        """
        known = set(self.region_parents) | set(self.region_parents.values()) | {"GLOBAL"}
        if region in known:
            return None
        if _ISO_COUNTRY.fullmatch(region):
            return None
        match = _ISO_SUBDIVISION.fullmatch(region)
        if match is None:
            return "expected GLOBAL, a country code (CN) or a subdivision code (CN-JS)"
        country = match.group(1)
        if any(code.startswith(country + "-") for code in self.region_parents):
            listed = sorted(c for c in self.region_parents if c.startswith(country + "-") and "GRID" not in c)
            return f"unknown subdivision of {country}; expected one of {', '.join(listed)}"
        return None

    @functools.cached_property
    def biogenic_activities(self) -> frozenset[str]:
        """Activities whose CO2 is biogenic (reported as a memo item) and whose CH4 is non-fossil."""
        return frozenset(a for a, act in self.activities.items() if act.biogenic)

    def resolve(
        self,
        parameter: Parameter | str,
        activity: str,
        *,
        gas: str = "",
        gpc_ref: str | None = None,
        region: str = "GLOBAL",
        year: int,
        dimensions: set[str] | None = None,
        qualifier: str = "",
    ) -> Resolution:
        """Choose the factor for a request; see the module docstring for the rule.

        Parameters
        ----------
        parameter : Parameter or str
        activity : str
        gas : str
            For emission factors.
        gpc_ref : str, optional
            GPC reference number of the record (``I.1.1``).
        region : str
            Region code of the record.
        year : int
            Inventory year.
        dimensions : set of str, optional
            Admissible dimensions of the factor's unit (e.g. ``{"mass/energy", "mass/volume"}``);
            candidates of other dimensions are listed as ineligible.
        qualifier : str
            Condition of a sector-method parameter (climate zone, technology...). Records with
            this qualifier are preferred; records without a qualifier apply when none has it.

        Returns
        -------
        Resolution
            ``winner`` is None when nothing applies; callers decide whether that is an error.
        """
        param = str(parameter)
        chain = self.region_chain(region)
        depth = {code: i for i, code in enumerate(chain)}
        candidates: list[Candidate] = []
        qualifiers = [qualifier, ""] if qualifier else [""]
        for act, proxy in self._activity_and_proxy(activity):
            for qual in qualifiers:
                for rec in self._index.get((param, act, gas, qual), []):
                    candidates.append(self._rank(rec, depth, gpc_ref, year, dimensions, proxy))
                if any(c.eligible for c in candidates):
                    break
            if any(c.eligible for c in candidates):
                break
        candidates.sort(key=lambda c: (not c.eligible, c.rank_key))
        winner = candidates[0].record if candidates and candidates[0].eligible else None
        warnings = []
        if winner is not None and not winner.covers_year(year):
            warnings.append(
                f"{winner.factor_id} applies to {winner.valid_from}-{winner.valid_to}; used for {year} "
                "as the nearest year available"
            )
        return Resolution(param, activity, gas, gpc_ref, region, year, winner, candidates, warnings, qualifier)

    def require(self, *args: object, **kwargs: object) -> Resolution:
        """Like :meth:`resolve` but raise when no factor applies."""
        res = self.resolve(*args, **kwargs)  # type: ignore[arg-type]
        if res.winner is None:
            raise FactorNotFoundError(self.not_found_message(res))
        return res

    def not_found_message(self, res: Resolution) -> str:
        """Why a resolution found nothing, naming the key and the sets searched."""
        what = f"{res.parameter}{' ' + res.gas if res.gas else ''}"
        seen = f"; {len(res.candidates)} record(s) considered, none applicable" if res.candidates else ""
        condition = f" ({res.qualifier})" if res.qualifier else ""
        return (
            f"no {what} factor for activity {res.activity!r}{condition}, region {res.region!r} "
            f"(searched {' > '.join(self.region_chain(res.region))}), year {res.year}, "
            f"GPC ref {res.gpc_ref or '-'} in sets {', '.join(self.dataset_versions())}{seen}"
        )

    def _activity_and_proxy(self, activity: str) -> list[tuple[str, str | None]]:
        out: list[tuple[str, str | None]] = [(activity, None)]
        act = self.activities.get(activity)
        if act and act.proxy:
            out.append((act.proxy, act.proxy))
        return out

    def _rank(
        self,
        rec: FactorRecord,
        depth: dict[str, int],
        gpc_ref: str | None,
        year: int,
        dimensions: set[str] | None,
        proxy: str | None,
    ) -> Candidate:
        sector = rec.sector_match(gpc_ref)
        reasons = []
        eligible = True
        if rec.deprecated:
            eligible, reasons = False, ["deprecated"]
        elif rec.region not in depth:
            eligible, reasons = False, [f"region {rec.region} is not on the chain"]
        elif sector is None:
            eligible, reasons = False, [f"specific to {';'.join(rec.sectors)}, not {gpc_ref or 'this record'}"]
        elif dimensions is not None and rec.unit.dimension not in dimensions:
            eligible, reasons = False, [f"unit {rec.unit.text} ({rec.unit.dimension}) does not fit the activity unit"]
        distance = rec.year_distance(year)
        user_rank = -self._user_order.get(rec.dataset, 0) if rec.user else 0
        key = (
            distance,
            0 if rec.user else 1,
            user_rank,
            depth.get(rec.region, 99),
            -(sector or 0),
            -(rec.valid_from or 0),
            -(rec.tier or 0),
            rec.factor_id,
        )
        if eligible:
            reasons.append("valid for the year" if distance == 0 else f"{distance} year(s) outside its validity")
            reasons.append("user set" if rec.user else "shipped set")
            reasons.append(f"region {rec.region} (level {depth[rec.region] + 1} of the chain)")
            reasons.append(f"sector-specific ({';'.join(rec.sectors)})" if sector else "generic sector")
            if proxy:
                reasons.append(f"via IPCC proxy activity {proxy}")
        return Candidate(rec, key, eligible, "; ".join(reasons), proxy)


def _read_package_csv(path: str) -> pd.DataFrame:
    with resources.files("zerocity.factors").joinpath(path).open(encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def load_activities() -> dict[str, Activity]:
    """The activity vocabulary: ``factors/data/activities.csv`` and each dataset's ``activities.csv``."""
    root = resources.files("zerocity.factors").joinpath("data")
    extra = [
        f"data/{p.name}/activities.csv"
        for p in sorted(root.iterdir(), key=lambda p: p.name)
        if p.is_dir() and p.joinpath("activities.csv").is_file()
    ]
    df = pd.concat([_read_package_csv(path) for path in ["data/activities.csv", *extra]], ignore_index=True)
    dup = df["activity"][df["activity"].duplicated()]
    if len(dup):
        raise FactorSetError(f"activity id(s) declared twice in the shipped vocabulary: {', '.join(sorted(set(dup)))}")
    proxies = dict(_read_package_csv("data/activity_proxies.csv")[["activity", "ipcc_proxy"]].values)
    out = {}
    for row in df.to_dict("records"):
        out[row["activity"]] = Activity(
            activity=row["activity"],
            name_en=row["name_en"],
            name_zh=row["name_zh"],
            category=row["category"],
            biogenic=row["biogenic"].lower() == "true",
            default_unit=row["default_unit"],
            proxy=proxies.get(row["activity"]) or None,
        )
    return out


def load_region_parents() -> dict[str, str]:
    """Region hierarchy shipped in ``factors/data/regions.csv`` (empty when absent)."""
    base = resources.files("zerocity.factors").joinpath("data/regions.csv")
    if not base.is_file():
        return {}
    df = _read_package_csv("data/regions.csv")
    return {r["region"]: r["parent"] for r in df.to_dict("records") if r["parent"]}


def shipped_datasets() -> list[str]:
    """Ids of the datasets shipped in the package (folders with a ``factors.csv``)."""
    root = resources.files("zerocity.factors").joinpath("data")
    return sorted(p.name for p in root.iterdir() if p.is_dir() and p.joinpath("factors.csv").is_file())


@functools.cache
def default_library() -> FactorLibrary:
    """The library of every shipped dataset (cached; libraries are immutable)."""
    records: list[FactorRecord] = []
    sets = []
    for ds in shipped_datasets():
        meta = yaml.safe_load(
            resources.files("zerocity.factors").joinpath(f"data/{ds}/dataset.yaml").read_text(encoding="utf-8")
        )
        frame = _read_package_csv(f"data/{ds}/factors.csv")
        recs = records_from_frame(
            frame,
            dataset=ds,
            version=str(meta["version"]),
            user=False,
            source=f"zerocity/factors/data/{ds}/factors.csv",
        )
        records.extend(recs)
        sets.append(FactorSetInfo(ds, str(meta["name"]), str(meta["version"]), False, len(recs), ds))
    activities = load_activities()
    unknown = sorted({r.activity for r in records} - set(activities))
    if unknown:
        raise FactorSetError(f"shipped factor sets use unknown activity id(s): {', '.join(unknown)}")
    log.debug("loaded %d factor records from %d shipped sets", len(records), len(sets))
    return FactorLibrary(records, sets=sets, activities=activities, region_parents=load_region_parents())
