"""Household carbon inclusion (碳普惠): methodologies, columnar event scoring, footprints, k-anonymity.

A **methodology** is a versioned YAML file (``accounts/methodologies/<id>.yaml``) validated by
:class:`Methodology`: the behaviour, its activity unit, a baseline and a project emission factor
(a number with its unit and sources, or a factor of zerocity's library), eligibility and
plausibility rules and daily/monthly caps. The reduction of one event is

    ER = A x (EF_baseline - EF_project)                                        [kg CO2e]

(DB11/T 3043-2024 formulas (1)-(2): ER = BE - PE with BE = sum EF_i x BD_i). ``A`` is the
distance [pkm] of a ``travel`` behaviour, the metered quantity of a ``metered`` one, and for a
``saving`` one the saving against the mean use of the same month of the two previous years,
``A = mean(prior_1, prior_2) - quantity``, eligible only when ``A / mean >= min_saving_ratio``
(Korea Carbon (Neutral) Point rule, 5%).

:func:`score_events` works on whole columns of a DataFrame of events: validation (every bad
cell with its row and column), anti-fraud checks with a reason code per refused event, and caps
applied in time order with grouped cumulative sums. Timestamps are local wall-clock times (the
off-peak window of a methodology is read on them).
"""

from __future__ import annotations

import enum
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zerocity.errors import InvalidRecordsError, RecordIssue, UnitError, ZerocityError
from zerocity.factors.library import FactorLibrary, default_library
from zerocity.units import parse_unit

__all__ = [
    "EVENT_COLUMNS",
    "FOOTPRINT_DEFAULTS",
    "Kind",
    "Methodology",
    "MethodologyError",
    "Reason",
    "household_digest",
    "household_footprint",
    "k_anonymous_aggregate",
    "load_methodologies",
    "load_methodology",
    "score_events",
    "validate_events",
]

log = logging.getLogger(__name__)

#: Columns of a behaviour-event frame (``quantity``/``unit`` for metered and saving behaviours,
#: ``distance_km``/``duration_min`` for travel, ``prior_1``/``prior_2`` for savings).
EVENT_COLUMNS = (
    "event_id",
    "household_id",
    "behaviour",
    "timestamp",
    "quantity",
    "unit",
    "distance_km",
    "duration_min",
    "prior_1",
    "prior_2",
)
_REQUIRED = ("event_id", "household_id", "behaviour", "timestamp")


class HouseholdInputError(ZerocityError, ValueError):
    """An argument of a household computation out of its range (the message says which)."""

    code = "household"


class MethodologyError(ZerocityError, ValueError):
    """A methodology file that does not follow the schema (the message names the file and field)."""

    code = "methodology"


class Kind(enum.StrEnum):
    """How the activity of an event is measured."""

    TRAVEL = "travel"  # distance_km [pkm] of one passenger
    METERED = "metered"  # quantity [activity unit]
    SAVING = "saving"  # mean(prior_1, prior_2) - quantity [activity unit]


class Reason(enum.StrEnum):
    """Why an event earned nothing (``accepted`` when it earned something)."""

    ACCEPTED = "accepted"
    DUPLICATE_ID = "duplicate_event_id"
    REPLAY = "replay"
    IMPLAUSIBLE_SPEED = "implausible_speed"
    IMPLAUSIBLE_DISTANCE = "implausible_distance"
    IMPLAUSIBLE_QUANTITY = "implausible_quantity"
    OUTSIDE_HOURS = "ineligible_hours"
    BELOW_THRESHOLD = "ineligible_below_threshold"
    NO_REDUCTION = "no_reduction"
    DAILY_CAP = "daily_cap"
    MONTHLY_CAP = "monthly_cap"


# ------------------------------------------------------------------------------ schema
class Source(BaseModel):
    """Where a number comes from: publisher, document, table or page, year (and a URL)."""

    model_config = ConfigDict(extra="forbid")
    publisher: str = Field(min_length=1)
    document: str = Field(min_length=1)
    table: str = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    url: str = ""


class LibraryRef(BaseModel):
    """A factor taken from zerocity's factor library (``ef`` of ``gas`` for ``activity``)."""

    model_config = ConfigDict(extra="forbid")
    activity: str
    region: str = "CN"
    year: int
    gas: str = "CO2"


class Factor(BaseModel):
    """An emission factor per activity unit: ``value`` ``unit`` per ``per``, or a library factor."""

    model_config = ConfigDict(extra="forbid")
    value: float | None = Field(default=None, ge=0)
    unit: str = ""
    library: LibraryRef | None = None
    per: str = Field(min_length=1)
    derivation: str = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_of(self) -> Factor:
        if (self.value is None) == (self.library is None):
            raise ValueError("give either value (with unit) or library, not both or neither")
        if self.value is not None:
            try:
                unit = parse_unit(self.unit)
            except UnitError as exc:
                raise ValueError(f"unit: {exc}") from exc
            if unit.dimension != "mass":
                raise ValueError(f"unit {self.unit!r} must be a mass (g, kg, t) per {self.per}")
        return self

    def kg_per_unit(self, library: FactorLibrary | None = None) -> float:
        """The factor [kg CO2e per ``per``], resolving a library factor when needed."""
        if self.value is not None:
            return self.value * parse_unit(self.unit).to(parse_unit("kg"))
        assert self.library is not None
        lib = library or default_library()
        ref = self.library
        res = lib.require("ef", ref.activity, region=ref.region, year=ref.year, gas=ref.gas)
        rec = res.winner
        assert rec is not None
        return float(rec.value * rec.unit.to(parse_unit(f"kg/{self.per}")))

    def label(self) -> str:
        """Short text for tables: the value or the library key."""
        if self.value is not None:
            return f"{self.value:g} {self.unit}/{self.per}"
        assert self.library is not None
        return f"library {self.library.activity} {self.library.region} {self.library.year}"


class Rules(BaseModel):
    """Eligibility and plausibility rules (all optional)."""

    model_config = ConfigDict(extra="forbid")
    max_speed_kmh: float | None = Field(default=None, gt=0)
    max_distance_km: float | None = Field(default=None, gt=0)
    max_quantity: float | None = Field(default=None, gt=0)
    min_saving_ratio: float | None = Field(default=None, ge=0, lt=1)
    hours: tuple[int, int] | None = None  # [start, end) local hours, may wrap midnight

    @model_validator(mode="after")
    def _hours(self) -> Rules:
        if self.hours is not None and not all(0 <= h <= 23 for h in self.hours):
            raise ValueError("hours must be two integers 0-23: [start, end)")
        return self


class Caps(BaseModel):
    """Most a household may earn per behaviour [kg CO2e]."""

    model_config = ConfigDict(extra="forbid")
    daily_kg: float = Field(gt=0)
    monthly_kg: float = Field(gt=0)


class Names(BaseModel):
    """English and Chinese names."""

    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)


class Methodology(BaseModel):
    """One behaviour of household carbon inclusion, as read from its YAML file.

    References
    ----------
    DB11/T 3043-2024 碳普惠项目减排量核算技术规范 低碳出行, Beijing AMR, 2024, section 6 (ER = BE - PE).
    Korea Ministry of Environment, Carbon Neutral Point (energy): 5% saving against the same month
    of the previous two years.
    """

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str = Field(pattern=r"^\d+\.\d+$")
    name: Names
    kind: Kind
    activity_unit: str = Field(min_length=1)
    baseline: Factor
    project: Factor
    rules: Rules = Rules()
    caps: Caps

    @model_validator(mode="after")
    def _units(self) -> Methodology:
        for which in ("baseline", "project"):
            per = getattr(self, which).per
            if per != self.activity_unit:
                raise ValueError(f"{which}.per {per!r} differs from activity_unit {self.activity_unit!r}")
        if self.kind is Kind.TRAVEL and self.activity_unit != "pkm":
            raise ValueError("a travel methodology counts passenger-km: activity_unit must be 'pkm'")
        if self.kind is Kind.SAVING and self.rules.min_saving_ratio is None:
            raise ValueError("a saving methodology needs rules.min_saving_ratio")
        return self

    @property
    def key(self) -> str:
        """``id@version``, recorded with every award."""
        return f"{self.id}@{self.version}"

    def reduction_factor(self, library: FactorLibrary | None = None) -> float:
        """EF_baseline - EF_project [kg CO2e per activity unit]."""
        return self.baseline.kg_per_unit(library) - self.project.kg_per_unit(library)


def _field_path(loc: Iterable[int | str]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def load_methodology(path: Path | str, text: str | None = None) -> Methodology:
    """Read and validate one methodology file.

    Raises
    ------
    MethodologyError
        Naming the file and every field that is wrong.
    """
    name = str(path)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8") if text is None else text)
    except (OSError, yaml.YAMLError) as exc:
        raise MethodologyError(f"{name}: cannot read methodology: {exc}") from exc
    if not isinstance(raw, dict):
        raise MethodologyError(f"{name}: a methodology must be a mapping of fields")
    try:
        return Methodology.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"field {_field_path(e['loc'])}: {e['msg']}" for e in exc.errors())
        raise MethodologyError(f"{name}: {problems}") from None


def load_methodologies(directory: Path | str | None = None) -> dict[str, Methodology]:
    """Every ``*.yaml`` methodology of a directory (default: the shipped ones), by id."""
    out: dict[str, Methodology] = {}
    if directory is None:
        files = [
            (f.name, f.read_text(encoding="utf-8"))
            for f in resources.files("zerocity.accounts").joinpath("methodologies").iterdir()
            if f.name.endswith(".yaml")
        ]
    else:
        files = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.yaml"))]
    for name, text in sorted(files):
        m = load_methodology(name, text)
        if m.id in out:
            raise MethodologyError(f"{name}: methodology id {m.id!r} is defined twice")
        out[m.id] = m
    return out


# ------------------------------------------------------------------------------ validation
def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    col = frame[column]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.astype(float)
    out = pd.to_numeric(col.where(~_blank(col)), errors="coerce")
    return out.astype(float)


def _text(col: pd.Series) -> pd.Series:
    """Stripped text of a column ('' for missing), without a round trip through Python objects."""
    if isinstance(col.dtype, pd.StringDtype):
        return col.fillna("").str.strip()
    return col.astype(object).where(col.notna(), "").astype(str).str.strip()


def _blank(col: pd.Series) -> pd.Series:
    """Missing or empty cells."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_datetime64_any_dtype(col):
        return col.isna()
    return _text(col) == ""


def _issues(frame: pd.DataFrame, bad: pd.Series, column: str, message: str) -> list[RecordIssue]:
    rows = np.flatnonzero(bad.to_numpy())
    values = frame[column].to_numpy() if column in frame else np.full(len(frame), "", dtype=object)
    return [RecordIssue(int(r) + 1, column, message, "" if pd.isna(values[r]) else str(values[r])) for r in rows]


@dataclass(frozen=True)
class _Prepared:
    frame: pd.DataFrame
    issues: list[RecordIssue]


def validate_events(frame: pd.DataFrame, methodologies: Mapping[str, Methodology]) -> list[RecordIssue]:
    """Every bad cell of an event frame (row 1 is the first data row), sorted by row then column."""
    return _prepare(frame, methodologies).issues


def _prepare(frame: pd.DataFrame, methodologies: Mapping[str, Methodology]) -> _Prepared:
    issues: list[RecordIssue] = []
    n = len(frame)
    missing = [c for c in _REQUIRED if c not in frame]
    for c in missing:
        issues.append(RecordIssue(0, c, "required column is missing"))
    if missing:
        return _Prepared(frame, issues)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for c in ("event_id", "household_id", "behaviour"):
        text = _text(frame[c].reset_index(drop=True))
        issues += _issues(frame, text == "", c, "required value is empty")
        out[c] = text
    behaviour = out["behaviour"]
    unknown = ~behaviour.isin(list(methodologies)) & (behaviour != "")
    issues += _issues(frame, unknown, "behaviour", f"unknown behaviour; expected one of {', '.join(methodologies)}")
    ts = pd.to_datetime(frame["timestamp"].reset_index(drop=True), errors="coerce", format="ISO8601")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    issues += _issues(frame, ts.isna(), "timestamp", "not a date-time (YYYY-MM-DD HH:MM[:SS])")
    out["timestamp"] = ts
    kinds = behaviour.map({k: m.kind.value for k, m in methodologies.items()}).fillna("")
    units = behaviour.map({k: m.activity_unit for k, m in methodologies.items()}).fillna("")
    for c in ("quantity", "distance_km", "duration_min", "prior_1", "prior_2"):
        raw = frame[c].reset_index(drop=True) if c in frame else None
        values = _numeric(frame.reset_index(drop=True), c)
        if raw is not None:
            if not pd.api.types.is_numeric_dtype(raw):
                issues += _issues(frame, ~_blank(raw) & values.isna(), c, "not a number")
            issues += _issues(frame, values < 0, c, "must not be negative")
        out[c] = values
    need = {
        "distance_km": kinds == Kind.TRAVEL.value,
        "duration_min": kinds == Kind.TRAVEL.value,
        "quantity": kinds.isin([Kind.METERED.value, Kind.SAVING.value]),
        "prior_1": kinds == Kind.SAVING.value,
        "prior_2": kinds == Kind.SAVING.value,
    }
    for c, mask in need.items():
        issues += _issues(frame, mask & out[c].isna() & _given_ok(frame, c), c, "required for this behaviour")
    issues += _issues(
        frame, (kinds == Kind.TRAVEL.value) & (out["duration_min"] == 0), "duration_min", "a trip lasts more than 0 min"
    )
    if "unit" in frame:
        unit = _text(frame["unit"].reset_index(drop=True))
        metered = kinds.isin([Kind.METERED.value, Kind.SAVING.value])
        wrong = metered & (unit != "") & (unit != units)
        issues += _issues(frame, wrong, "unit", "unit differs from the methodology's activity unit")
    issues.sort(key=lambda i: (i.row, i.column))
    return _Prepared(out, issues)


def _given_ok(frame: pd.DataFrame, column: str) -> pd.Series:
    """Rows where the cell is not a malformed number (those are reported once, as 'not a number')."""
    if column not in frame:
        return pd.Series(True, index=pd.RangeIndex(len(frame)))
    return _blank(frame[column].reset_index(drop=True))


# ------------------------------------------------------------------------------ scoring
def score_events(
    frame: pd.DataFrame,
    methodologies: Mapping[str, Methodology] | None = None,
    *,
    library: FactorLibrary | None = None,
    source: str = "events",
    prior_awarded: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Score behaviour events: reductions, anti-fraud, eligibility and caps, all columnar.

    Parameters
    ----------
    frame : DataFrame
        One row per event, columns of :data:`EVENT_COLUMNS` (extra columns are ignored).
    methodologies : dict of str to Methodology, optional
        Default: the shipped ones.
    library : FactorLibrary, optional
        For library factors (grid electricity); default the shipped library.
    source : str
        Name of the input in error messages.
    prior_awarded : DataFrame, optional
        Awards made earlier (e.g. stored by a previous ingest): ``household_id``, ``behaviour``,
        ``timestamp`` (local wall-clock) and ``awarded_kg`` [kg CO2e]. They count toward the daily
        and monthly caps of their household, behaviour, day and month (a starting offset of the
        cumulative sums); they are not scored again. Default: none.

    Returns
    -------
    DataFrame
        The input rows in input order with ``activity`` [activity unit], ``reduction_kg`` (before
        caps) [kg CO2e], ``awarded_kg`` (after caps) [kg CO2e], ``status`` (``accepted`` or
        ``refused``), ``reason`` (:class:`Reason`) and ``methodology`` (``id@version``).

    Raises
    ------
    InvalidRecordsError
        With every bad cell; nothing is scored then.
    """
    methods = dict(methodologies) if methodologies is not None else load_methodologies()
    prep = _prepare(frame, methods)
    if prep.issues:
        raise InvalidRecordsError(source, prep.issues)
    ev = prep.frame
    n = len(ev)
    beh = ev["behaviour"].astype("category")
    codes = beh.cat.codes.to_numpy()
    cats = list(beh.cat.categories)

    def per_behaviour(fn: Any, default: float = np.nan) -> np.ndarray:
        table = np.array([fn(methods[c]) for c in cats] + [default], dtype=float)
        return table[codes]  # code -1 (never: validated) picks the default

    factor = per_behaviour(lambda m: m.reduction_factor(library))
    is_travel = per_behaviour(lambda m: float(m.kind is Kind.TRAVEL), 0.0) == 1.0
    is_saving = per_behaviour(lambda m: float(m.kind is Kind.SAVING), 0.0) == 1.0
    quantity = ev["quantity"].to_numpy()
    distance = ev["distance_km"].to_numpy()
    duration = ev["duration_min"].to_numpy()
    reference = (ev["prior_1"].to_numpy() + ev["prior_2"].to_numpy()) / 2.0
    saving = reference - quantity
    activity = np.where(is_travel, distance, np.where(is_saving, saving, quantity))
    reduction = activity * factor

    reason = np.full(n, "", dtype=object)

    def refuse(mask: np.ndarray, why: Reason) -> None:
        mask = mask & (reason == "")
        reason[mask] = why.value

    refuse(ev["event_id"].duplicated(keep="first").to_numpy(), Reason.DUPLICATE_ID)
    replay_keys = pd.DataFrame(
        {
            "h": ev["household_id"],
            "b": ev["behaviour"],
            "t": ev["timestamp"],
            "q": np.where(is_travel, distance, quantity),
        }
    )
    refuse(replay_keys.duplicated(keep="first").to_numpy() & (reason == ""), Reason.REPLAY)
    max_speed = per_behaviour(lambda m: m.rules.max_speed_kmh or np.inf, np.inf)
    max_dist = per_behaviour(lambda m: m.rules.max_distance_km or np.inf, np.inf)
    max_qty = per_behaviour(lambda m: m.rules.max_quantity or np.inf, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = distance / (duration / 60.0)
    refuse(is_travel & (distance > max_dist), Reason.IMPLAUSIBLE_DISTANCE)
    refuse(is_travel & (speed > max_speed), Reason.IMPLAUSIBLE_SPEED)
    refuse(~is_travel & (quantity > max_qty), Reason.IMPLAUSIBLE_QUANTITY)
    start = per_behaviour(lambda m: m.rules.hours[0] if m.rules.hours else -1, -1)
    end = per_behaviour(lambda m: m.rules.hours[1] if m.rules.hours else -1, -1)
    hour = ev["timestamp"].dt.hour.to_numpy()
    windowed = start >= 0
    inside = np.where(start <= end, (hour >= start) & (hour < end), (hour >= start) | (hour < end))
    refuse(windowed & ~inside, Reason.OUTSIDE_HOURS)
    min_ratio = per_behaviour(lambda m: m.rules.min_saving_ratio or 0.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(reference > 0, saving / reference, -np.inf)
    refuse(is_saving & (ratio < min_ratio - 1e-12), Reason.BELOW_THRESHOLD)
    refuse(~(reduction > 0), Reason.NO_REDUCTION)

    awarded = _apply_caps(ev, np.where(reason == "", reduction, 0.0), per_behaviour, reason, prior_awarded)
    refuse((reason == "") & ~(awarded > 0), Reason.NO_REDUCTION)
    reason[reason == ""] = Reason.ACCEPTED.value
    out = frame.reset_index(drop=True).copy()
    out["timestamp"] = ev["timestamp"]
    out["methodology"] = per_behaviour_text(codes, [methods[c].key for c in cats])
    out["activity"] = activity
    out["reduction_kg"] = reduction
    out["awarded_kg"] = awarded
    out["status"] = np.where(reason == Reason.ACCEPTED.value, "accepted", "refused")
    out["reason"] = reason
    return out


def per_behaviour_text(codes: np.ndarray, values: list[str]) -> pd.Categorical:
    """A categorical column of one (distinct) text per behaviour code (cheap for a million rows)."""
    return pd.Categorical.from_codes(codes, categories=values)


def _apply_caps(
    ev: pd.DataFrame,
    earn: np.ndarray,
    per_behaviour: Any,
    reason: np.ndarray,
    prior: pd.DataFrame | None = None,
) -> np.ndarray:
    """Daily then monthly caps per household and behaviour, in time order (ties: input order).

    ``awarded_i = clip(cap - prior - (cumsum_i - x_i), 0, x_i)``: the first events of the period earn
    in full, the event that crosses the cap earns the rest, later ones nothing; ``prior`` is what the
    household already earned in the period before this batch (0 without ``prior``).
    """
    hh_codes = pd.factorize(ev["household_id"])[0]
    bh_codes = pd.factorize(ev["behaviour"])[0]
    stamp = ev["timestamp"].to_numpy()
    order = np.lexsort((stamp.view("int64"), bh_codes, hh_codes))  # stable: ties keep input order
    ts = stamp[order]
    day = ts.astype("datetime64[D]")
    month = ts.astype("datetime64[M]")
    hh = hh_codes[order]
    bh = bh_codes[order]
    x = earn[order]
    daily = per_behaviour(lambda m: m.caps.daily_kg)[order]
    monthly = per_behaviour(lambda m: m.caps.monthly_kg)[order]
    if prior is not None and len(prior):
        keys = pd.DataFrame(
            {
                "household_id": ev["household_id"].to_numpy()[order],
                "behaviour": ev["behaviour"].to_numpy()[order],
                "day": day,
                "month": month,
            }
        )
        daily = daily - _prior_totals(keys, prior, "day")
        monthly = monthly - _prior_totals(keys, prior, "month")
    after_day = _capped(x, daily, _group_starts(hh, bh, day))
    after_month = _capped(after_day, monthly, _group_starts(hh, bh, month))
    sorted_reason = reason[order]
    earning = (sorted_reason == "") & (x > 0)
    sorted_reason[earning & (after_day <= 0)] = Reason.DAILY_CAP.value
    sorted_reason[earning & (after_day > 0) & (after_month <= 0)] = Reason.MONTHLY_CAP.value
    reason[order] = sorted_reason
    out = np.empty_like(x)
    out[order] = after_month
    return out


def _prior_totals(keys: pd.DataFrame, prior: pd.DataFrame, period: str) -> np.ndarray:
    """Per row of ``keys``: the prior ``awarded_kg`` of its household, behaviour and day or month [kg CO2e]."""
    stamp = pd.to_datetime(prior["timestamp"], format="ISO8601")
    if getattr(stamp.dt, "tz", None) is not None:
        stamp = stamp.dt.tz_localize(None)
    unit = "datetime64[D]" if period == "day" else "datetime64[M]"
    sums = (
        pd.DataFrame(
            {
                "household_id": _text(prior["household_id"]).to_numpy(),
                "behaviour": _text(prior["behaviour"]).to_numpy(),
                period: stamp.to_numpy().astype(unit),
                "prior": prior["awarded_kg"].astype(float).to_numpy(),
            }
        )
        .groupby(["household_id", "behaviour", period], sort=False)["prior"]
        .sum()
        .reset_index()
    )
    joined = keys[["household_id", "behaviour", period]].merge(
        sums, on=["household_id", "behaviour", period], how="left"
    )
    return joined["prior"].fillna(0.0).to_numpy(dtype=float)


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """Boolean: the row starts a new group (keys sorted)."""
    start = np.zeros(len(keys[0]), dtype=bool)
    if len(start):
        start[0] = True
        for k in keys:
            start[1:] |= k[1:] != k[:-1]
    return start


def _capped(x: np.ndarray, cap: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Grouped cumulative cap (groups are runs that begin where ``starts``)."""
    total = np.cumsum(x)
    before_group = np.maximum.accumulate(np.where(starts, total - x, -np.inf))
    running = total - before_group  # cumsum within the group, including the row
    return np.clip(cap - (running - x), 0.0, x)


# ------------------------------------------------------------------------------ footprint
@dataclass(frozen=True)
class FootprintFactor:
    """A default footprint factor [kg CO2e per unit] and where it comes from."""

    column: str
    category: str
    unit: str
    kg_per_unit: float | None  # None: resolved from the factor library
    source: str


#: Default factors of :func:`household_footprint` (electricity and heat come from the library).
FOOTPRINT_DEFAULTS: tuple[FootprintFactor, ...] = (
    FootprintFactor("electricity_kwh", "housing", "kWh", None, "library electricity_grid (MEE & NBS 2024 No. 33)"),
    FootprintFactor(
        "gas_m3",
        "housing",
        "m3",
        2.162,
        "natural gas: NCV 389.31 GJ/10^4 Nm3 x 15.3 tC/TJ x 99% oxidation x 44/12 (NDRC 2015 public-building "
        "accounting guideline, Appendix table of default parameters)",
    ),
    FootprintFactor(
        "water_m3",
        "housing",
        "m3",
        0.168,
        "derived: 0.29 kWh/m3 for supply and treatment (assumption, typical Chinese utilities) x 0.58 kg/kWh",
    ),
    FootprintFactor("heat_gj", "housing", "GJ", None, "library heat_purchased (NDRC 2015 guideline, 0.11 t/GJ)"),
    FootprintFactor("car_km", "transport", "km", 0.1817, "gasoline car 8.0 L/100 km x 2.2718 kg/L (IPCC 2006)"),
    FootprintFactor("bus_km", "transport", "pkm", 0.0303, "bus methodology project factor (bus.yaml)"),
    FootprintFactor("metro_km", "transport", "pkm", 0.0173, "metro methodology project factor (metro.yaml)"),
    FootprintFactor(
        "food_cny",
        "food_consumption",
        "CNY",
        0.5,
        "assumption: 0.5 kg CO2e per CNY of food spending (order of magnitude of Chinese household "
        "input-output studies); replace with a city value",
    ),
    FootprintFactor(
        "goods_cny",
        "food_consumption",
        "CNY",
        0.3,
        "assumption: 0.3 kg CO2e per CNY of other goods and services; replace with a city value",
    ),
)


def household_footprint(
    frame: pd.DataFrame,
    *,
    region: str = "CN",
    year: int = 2022,
    city_average_kg: float | None = None,
    source: str = "footprint",
    library: FactorLibrary | None = None,
) -> pd.DataFrame:
    """Monthly household footprint by category [kg CO2e] and the comparison with the city average.

    Parameters
    ----------
    frame : DataFrame
        ``household_id``, ``month`` and any of the columns of :data:`FOOTPRINT_DEFAULTS`
        (``electricity_kwh`` [kWh], ``gas_m3`` [m3], ``water_m3`` [m3], ``heat_gj`` [GJ],
        ``car_km`` [km], ``bus_km``/``metro_km`` [pkm], ``food_cny``/``goods_cny`` [CNY]).
    region, year : str, int
        Of the library's grid and heat factors.
    city_average_kg : float, optional
        Monthly city-average household footprint [kg CO2e]; adds ``vs_city_pct``.

    Returns
    -------
    DataFrame
        ``household_id``, ``month``, ``housing_kg``, ``transport_kg``, ``food_consumption_kg``,
        ``total_kg`` and (with a city average) ``vs_city_pct`` = 100 x (total / average - 1).
    """
    lib = library or default_library()
    missing = [c for c in ("household_id", "month") if c not in frame]
    if missing:
        raise InvalidRecordsError(source, [RecordIssue(0, c, "required column is missing") for c in missing])
    out = frame[["household_id", "month"]].copy().reset_index(drop=True)
    issues: list[RecordIssue] = []
    for cat in ("housing", "transport", "food_consumption"):
        out[f"{cat}_kg"] = 0.0
    for f in FOOTPRINT_DEFAULTS:
        if f.column not in frame:
            continue
        values = _numeric(frame.reset_index(drop=True), f.column)
        issues += _issues(
            frame, ~_blank(frame[f.column].reset_index(drop=True)) & values.isna(), f.column, "not a number"
        )
        issues += _issues(frame, values < 0, f.column, "must not be negative")
        out[f"{f.category}_kg"] += values.fillna(0.0) * _footprint_factor(f, lib, region, year)
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    out["total_kg"] = out["housing_kg"] + out["transport_kg"] + out["food_consumption_kg"]
    if city_average_kg is not None:
        if city_average_kg <= 0:
            raise HouseholdInputError(f"the city average must be positive, not {city_average_kg}")
        out["vs_city_pct"] = 100.0 * (out["total_kg"] / city_average_kg - 1.0)
    return out


def _footprint_factor(f: FootprintFactor, lib: FactorLibrary, region: str, year: int) -> float:
    if f.kg_per_unit is not None:
        return f.kg_per_unit
    activity = "electricity_grid" if f.column == "electricity_kwh" else "heat_purchased"
    rec = lib.require("ef", activity, region=region, year=year, gas="CO2").winner
    assert rec is not None
    return float(rec.value * rec.unit.to(parse_unit(f"kg/{f.unit}")))


# ------------------------------------------------------------------------------ privacy
def k_anonymous_aggregate(
    frame: pd.DataFrame,
    by: list[str] | str,
    values: list[str] | str,
    *,
    k: int = 10,
    household: str = "household_id",
) -> pd.DataFrame:
    """Sums and means per group, published only for groups of at least ``k`` distinct households.

    Returns
    -------
    DataFrame
        One row per group: ``households``, ``<value>_sum``, ``<value>_mean`` (per household) and
        ``suppressed``; a suppressed group shows no household count and no values (NaN).
    """
    if k < 1:
        raise HouseholdInputError(f"k must be at least 1, not {k}")
    keys = [by] if isinstance(by, str) else list(by)
    cols = [values] if isinstance(values, str) else list(values)
    grouped = frame.groupby(keys, observed=True, sort=True)
    out = grouped[household].nunique().rename("households").to_frame()
    for c in cols:
        out[f"{c}_sum"] = grouped[c].sum()
        out[f"{c}_mean"] = out[f"{c}_sum"] / out["households"]
    small = out["households"] < k
    out["suppressed"] = small
    out.loc[small, [c for c in out.columns if c != "suppressed"]] = np.nan
    return out.reset_index()


def household_digest(household_id: str, event_id: str, reduction_kg: float, key: bytes = b"") -> str:
    """SHA-256 (HMAC with ``key`` when given) of household, event and reduction: what the ledger keeps."""
    text = f"{household_id}\x1f{event_id}\x1f{reduction_kg:.6f}".encode()
    if key:
        import hmac

        return hmac.new(key, text, hashlib.sha256).hexdigest()
    return hashlib.sha256(text).hexdigest()
