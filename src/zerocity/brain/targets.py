"""Target decomposition: allocate a city's emission cap to districts, sectors or enterprises.

A city target for a year (an absolute cap, a reduction against a base year, or a reduction of CO2
intensity) becomes a cap ``C`` [t CO2e]; the cap is shared among ``n`` units (districts, sectors,
enterprises) by allocation principles, each of which gives every unit a share ``s_{k,i}``
(``sum_i s_{k,i} = 1``):

equity (per capita)
    ``s_i ∝ P_i`` (population).
capacity (ability to pay)
    ``s_i ∝ E_i · (g_i / ḡ)^-α``, ``g = GDP / P``, ``ḡ = ΣGDP / ΣP``: a unit richer than the city
    average keeps less per tonne of base emissions ``E_i`` and so takes a larger reduction.
efficiency (emission intensity)
    ``s_i ∝ E_i · (q_i / q̄)^-β = q̄^β · E_i^(1-β) · GDP_i^β``, ``q = E / GDP``, ``0 <= β <= 1``:
    a cleaner unit keeps more; ``β = 1`` is output-based benchmarking (every unit gets the same
    allowed intensity), ``β = 0`` is grandfathering on base emissions.
abatement (least cost)
    the city reduction ``R = ΣF - C`` is split where it is cheapest; ``F_i`` are reference
    emissions: ``E_i`` for cap and reduction targets, ``E_i · G_T / G_b`` (frozen intensity at the
    city's GDP growth) for intensity targets. With a linear marginal abatement cost curve
    ``MAC_i(r) = c_i · r / A_i`` (``A_i`` the potential [t], ``c_i`` the marginal cost of its last
    tonne [yuan/t]) the least-cost split equalises marginal costs: ``r_i = min(λ · A_i / c_i, F_i)``
    with ``Σ r_i = R``; ``s_i = (F_i - r_i) / C``. ``λ`` is the city's marginal abatement cost
    [yuan/t]. When ``C >= ΣF`` (nothing to abate) ``s_i ∝ F_i``.
grandfathering (historical emissions)
    ``s_i ∝ H_i``, the mean of the unit's historical emissions (or ``E_i``).

The combined share is ``S_i = Σ_k w_k s_{k,i}`` with weights given by the planner or computed by
the entropy-weight method (:func:`entropy_weights`). Floors ``L_i`` and ceilings ``U_i`` per unit
are met exactly by capped proportional allocation (water-filling, :func:`bounded_proportional`):
``x_i = clip(t · S_i, L_i, U_i)`` with the level ``t`` that makes ``Σ x_i = C``; units not at a
bound keep the proportions of their shares. Finally the allocations are rounded to
``10^-decimals`` t by the largest-remainder method (:func:`largest_remainder`) on an integer grid,
so the parts sum to the (grid-rounded) cap exactly, in integers.

References
----------
Yi, W.-J., Zou, L.-L., Guo, J., Wang, K., Wei, Y.-M. (2011). How can China reach its CO2 intensity
reduction targets by 2020? A regional allocation based on equity and development. Energy Policy 39,
2407-2415.
Zhou, P., Wang, M. (2016). Carbon dioxide emissions allocation: A review. Ecological Economics 125,
47-59. doi:10.1016/j.ecolecon.2016.03.001
Shannon, C.E. (1948). A mathematical theory of communication. Bell System Technical Journal 27,
379-423 (entropy); Zeleny, M. (1982). Multiple Criteria Decision Making. McGraw-Hill (entropy
weights of attributes).
Balinski, M.L., Young, H.P. (2001). Fair Representation, 2nd ed. Brookings (largest-remainder
(Hamilton) apportionment).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.jsonio import jsonable
from zerocity.yamllines import YamlSyntaxError, compose_with_lines, line_of

__all__ = [
    "Allocation",
    "Bound",
    "BoundsSpec",
    "ColumnsSpec",
    "EntropyNormalisation",
    "EntropyWeights",
    "InfeasibleBoundsError",
    "Principle",
    "PrincipleSpec",
    "TargetConfig",
    "TargetConfigError",
    "TargetError",
    "TargetKind",
    "TargetSpec",
    "TargetSummary",
    "TrajectoryMethod",
    "TrajectorySpec",
    "UnitsSpec",
    "Weighting",
    "abatement_shares",
    "allocate",
    "bounded_proportional",
    "capacity_shares",
    "efficiency_shares",
    "entropy_weights",
    "equity_shares",
    "grandfathering_shares",
    "largest_remainder",
    "least_cost_reductions",
    "load_config",
    "parse_config",
    "read_units",
    "resolve_cap",
    "trajectory_paths",
]

log = logging.getLogger(__name__)

#: Smallest normal float64; smaller (subnormal) shares are treated as zero by the water-filling.
_TINY = float(np.finfo(float).tiny)

#: Largest number of resolution steps a cap may have: integers are exact in float64 below 2^53.
MAX_GRID_STEPS = 2**53


# ------------------------------------------------------------------------------------ enums, errors
class Principle(StrEnum):
    """Allocation principles (Zhou & Wang 2016, section 2: equity, capacity, efficiency, status quo)."""

    EQUITY = "equity"
    CAPACITY = "capacity"
    EFFICIENCY = "efficiency"
    ABATEMENT = "abatement"
    GRANDFATHERING = "grandfathering"


class TargetKind(StrEnum):
    """How the city target is stated."""

    CAP = "cap"  # absolute cap for the target year [t CO2e]
    REDUCTION = "reduction"  # reduction of absolute emissions vs the base year [%]
    INTENSITY = "intensity"  # reduction of emissions per unit of GDP vs the base year [%]


class Weighting(StrEnum):
    """Where the principle weights come from."""

    GIVEN = "given"
    ENTROPY = "entropy"


class EntropyNormalisation(StrEnum):
    """Normalisation of the indicator columns before the entropy step."""

    MINMAX = "minmax"  # (x - min) / (max - min), the usual first step of the method
    SUM = "sum"  # x itself (the shares are already ratio-scale and positive)


class TrajectoryMethod(StrEnum):
    """Path of each unit from its base-year emissions to its allocation."""

    LINEAR = "linear"
    CONSTANT_RATE = "constant_rate"


class Bound(StrEnum):
    """Which bound decided a unit's allocation."""

    NONE = "none"
    FLOOR = "floor"
    CEILING = "ceiling"
    FIXED = "fixed"  # floor == ceiling


class TargetError(ZerocityError, ValueError):
    """A target that cannot be allocated (a principle without data, a cap that rounds to zero, ...)."""

    code = "targets"


class InfeasibleBoundsError(TargetError):
    """Floors above the cap or ceilings below it; the message says by how much.

    Attributes
    ----------
    cap : float
        The cap [t CO2e].
    floors, ceilings : float
        Sums of the floors and ceilings of all units [t CO2e] (ceilings may be ``inf``).
    gap : float
        How far the bounds miss the cap [t CO2e]: the excess of the floors or the shortfall of
        the ceilings.
    """

    code = "targets_infeasible"

    def __init__(self, message: str, *, cap: float, floors: float, ceilings: float, gap: float) -> None:
        super().__init__(message)
        self.cap, self.floors, self.ceilings, self.gap = cap, floors, ceilings, gap


@dataclass(frozen=True)
class ConfigIssue:
    """One problem of a target configuration: where (line, dotted field) and what was expected."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, " if self.line else ""
        return f"{where}field {self.field or '<root>'}: {self.message}"


class TargetConfigError(TargetError):
    """A target configuration that does not follow the schema; lists every problem with its line."""

    code = "targets_config"

    def __init__(self, source: str, issues: list[ConfigIssue]) -> None:
        self.source = source
        self.issues = issues
        lines = "\n".join(f"  {source}: {issue}" for issue in issues)
        super().__init__(f"{source}: {len(issues)} problem(s) in the target configuration\n{lines}")


# ------------------------------------------------------------------------------------ config schema
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitsSpec(_Strict):
    """Where the unit table is: ``path`` (CSV or XLSX, relative to the configuration file) and ``sheet``."""

    path: str
    sheet: str | None = None


class ColumnsSpec(_Strict):
    """Columns of the unit table; a column is only required when a principle or the target needs it.

    Attributes
    ----------
    id : str
        Unit identifier (district code, USCC of an enterprise, sector name); unique.
    label : str, optional
        A name shown next to the id.
    population : str
        Population [persons] (or employees for enterprises): equity, capacity.
    gdp : str
        GDP or value added [any money unit, the same for every unit and for the target's GDP]:
        capacity, efficiency, intensity targets.
    emissions_base : str
        Emissions of the base year [t CO2e]; always required.
    history : list of str
        Historical emissions, one column per year [t CO2e]; grandfathering uses their mean.
    abatement_potential : str, optional
        Reduction achievable by the target year [t CO2e].
    abatement_cost : str, optional
        Marginal abatement cost of the last tonne of that potential [yuan / t CO2e], > 0.
    floor, ceiling : str, optional
        Per-unit bounds of the allocation [t CO2e]; blank cells mean no bound from the column.
    """

    id: str = "id"
    label: str | None = None
    population: str = "population"
    gdp: str = "gdp"
    emissions_base: str = "emissions_base"
    history: tuple[str, ...] = ()
    abatement_potential: str | None = None
    abatement_cost: str | None = None
    floor: str | None = None
    ceiling: str | None = None


class TargetSpec(_Strict):
    """The city target.

    ``cap``: ``C = cap_tco2e``. ``reduction``: ``C = (1 - r/100) · E_b``. ``intensity``:
    ``C = (1 - r/100) · (E_b / G_b) · G_T`` with ``G_T = gdp_target`` or
    ``G_b · (1 + gdp_growth_pct/100)^(year - base_year)``. ``E_b`` and ``G_b`` default to the sums
    of the units' base emissions and GDP.
    """

    kind: TargetKind
    year: int
    base_year: int
    cap_tco2e: float | None = Field(default=None, gt=0)
    reduction_pct: float | None = Field(default=None, ge=0, lt=100)
    gdp_target: float | None = Field(default=None, gt=0)
    gdp_growth_pct: float | None = Field(default=None, gt=-100)
    base_emissions_tco2e: float | None = Field(default=None, gt=0)
    base_gdp: float | None = Field(default=None, gt=0)


class PrincipleSpec(_Strict):
    """Weight of a principle (absent with ``weights: entropy``) and its exponent (capacity: α, efficiency: β)."""

    weight: float | None = Field(default=None, ge=0)
    exponent: float | None = None


class BoundsSpec(_Strict):
    """Floors and ceilings for every unit: shares of its base emissions and absolute values [t CO2e].

    The effective floor is the largest of the floors given (and 0); the effective ceiling the
    smallest of the ceilings given, including the ``floor``/``ceiling`` columns of the table.
    """

    floor_share_of_base: float | None = Field(default=None, ge=0)
    ceiling_share_of_base: float | None = Field(default=None, ge=0)
    floor_tco2e: float | None = Field(default=None, ge=0)
    ceiling_tco2e: float | None = Field(default=None, ge=0)


class TrajectorySpec(_Strict):
    """Year-by-year path from the base year to the target year; ``first_year`` trims the output."""

    method: TrajectoryMethod = TrajectoryMethod.LINEAR
    first_year: int | None = None


class TargetConfig(_Strict):
    """A target allocation: the target, the unit table's columns, principles, weights, bounds, output."""

    version: Literal[1] = 1
    name: str = ""
    description: str = ""
    units: UnitsSpec | None = None
    columns: ColumnsSpec = ColumnsSpec()
    target: TargetSpec
    principles: dict[Principle, PrincipleSpec] = Field(min_length=1)
    weights: Weighting = Weighting.GIVEN
    entropy_normalisation: EntropyNormalisation = EntropyNormalisation.MINMAX
    bounds: BoundsSpec = BoundsSpec()
    trajectory: TrajectorySpec | None = None
    decimals: int = Field(default=0, ge=0, le=6)

    @field_validator("principles", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        """``equity: 0.3`` means ``equity: {weight: 0.3}``; ``equity:`` (empty) means ``{}``."""
        if not isinstance(value, Mapping):
            return value
        out: dict[Any, Any] = {}
        for key, spec in value.items():
            if spec is None:
                out[key] = {}
            elif isinstance(spec, int | float) and not isinstance(spec, bool):
                out[key] = {"weight": spec}
            else:
                out[key] = spec
        return out


#: Exponent ranges per principle (inclusive) and their defaults.
_EXPONENTS: dict[Principle, tuple[float, float, float]] = {
    Principle.CAPACITY: (0.0, 3.0, 1.0),
    Principle.EFFICIENCY: (0.0, 1.0, 1.0),
}

_TARGET_FIELDS: dict[TargetKind, tuple[set[str], set[str]]] = {
    # kind -> (required, allowed beyond kind/year/base_year and the base overrides)
    TargetKind.CAP: ({"cap_tco2e"}, {"cap_tco2e"}),
    TargetKind.REDUCTION: ({"reduction_pct"}, {"reduction_pct"}),
    TargetKind.INTENSITY: ({"reduction_pct"}, {"reduction_pct", "gdp_target", "gdp_growth_pct"}),
}


def _config_issues(cfg: TargetConfig) -> list[tuple[tuple[str, ...], str]]:
    """Cross-field rules pydantic does not check, as (path, message)."""
    issues: list[tuple[tuple[str, ...], str]] = []
    t = cfg.target
    required, allowed = _TARGET_FIELDS[t.kind]
    for name in ("cap_tco2e", "reduction_pct", "gdp_target", "gdp_growth_pct"):
        value = getattr(t, name)
        if name in required and value is None:
            issues.append((("target", name), f"required for a target of kind {t.kind.value!r}"))
        elif name not in allowed and value is not None:
            issues.append((("target", name), f"not used by a target of kind {t.kind.value!r}; remove it"))
    if t.kind is TargetKind.INTENSITY and (t.gdp_target is None) == (t.gdp_growth_pct is None):
        issues.append((("target",), "an intensity target needs exactly one of gdp_target and gdp_growth_pct"))
    if t.base_year >= t.year:
        issues.append((("target", "year"), f"the target year {t.year} must be after the base year {t.base_year}"))
    if cfg.trajectory is not None and cfg.trajectory.first_year is not None:
        fy = cfg.trajectory.first_year
        if not t.base_year <= fy <= t.year:
            issues.append((("trajectory", "first_year"), f"{fy} is not within {t.base_year}..{t.year}"))
    for p, spec in cfg.principles.items():
        if spec.exponent is not None:
            if p not in _EXPONENTS:
                issues.append((("principles", p.value, "exponent"), f"principle {p.value!r} has no exponent"))
            else:
                lo, hi, _ = _EXPONENTS[p]
                if not lo <= spec.exponent <= hi:
                    issues.append((("principles", p.value, "exponent"), f"expected {lo:g} <= exponent <= {hi:g}"))
        if cfg.weights is Weighting.GIVEN and spec.weight is None:
            issues.append((("principles", p.value, "weight"), "a weight is required (or set weights: entropy)"))
        if cfg.weights is Weighting.ENTROPY and spec.weight is not None:
            issues.append((("principles", p.value, "weight"), "weights come from the entropy method; remove it"))
    if cfg.weights is Weighting.GIVEN:
        total = sum(s.weight or 0.0 for s in cfg.principles.values())
        if total <= 0 and not any(s.weight is None for s in cfg.principles.values()):
            issues.append((("principles",), "the weights sum to zero"))
    if Principle.ABATEMENT in cfg.principles and not (cfg.columns.abatement_potential or cfg.columns.abatement_cost):
        issues.append(
            (("columns",), "principle 'abatement' needs columns.abatement_potential and/or columns.abatement_cost")
        )
    b = cfg.bounds
    for lo_name, hi_name in (("floor_share_of_base", "ceiling_share_of_base"), ("floor_tco2e", "ceiling_tco2e")):
        lo_v, hi_v = getattr(b, lo_name), getattr(b, hi_name)
        if lo_v is not None and hi_v is not None and lo_v > hi_v:
            issues.append((("bounds", lo_name), f"{lo_v:g} is above {hi_name} {hi_v:g}"))
    return issues


_line = line_of


def parse_config(
    raw: Any, *, source: str = "<config>", lines: Mapping[tuple[str, ...], int] | None = None
) -> TargetConfig:
    """Validate a target configuration given as a mapping (as read from YAML).

    Raises
    ------
    TargetConfigError
        With every problem found (line when known, dotted field, message).
    """
    lines = dict(lines or {})
    if isinstance(raw, TargetConfig):
        cfg = raw
    elif not isinstance(raw, Mapping):
        raise TargetConfigError(source, [ConfigIssue(1, "", "expected a mapping at the top of the file")])
    else:
        try:
            cfg = TargetConfig.model_validate(dict(raw))
        except ValidationError as exc:
            issues: dict[str, ConfigIssue] = {}
            for e in exc.errors():
                loc = tuple(str(p) for p in e["loc"] if not str(p).startswith("function-"))
                issues.setdefault(".".join(loc), ConfigIssue(_line(lines, loc), ".".join(loc), e["msg"]))
            raise TargetConfigError(source, list(issues.values())) from None
    problems = _config_issues(cfg)
    if problems:
        raise TargetConfigError(source, [ConfigIssue(_line(lines, p), ".".join(p), m) for p, m in problems])
    return cfg


def load_config(path: Path | str, *, text: str | None = None) -> TargetConfig:
    """Read and validate a target configuration file (YAML).

    Raises
    ------
    TargetConfigError
        When the file cannot be read, is not YAML, or breaks the schema (every problem, with lines).
    """
    source = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise TargetConfigError(source, [ConfigIssue(None, "", f"cannot read file: {exc}")]) from None
    try:
        raw, lines = compose_with_lines(text)
    except YamlSyntaxError as exc:
        raise TargetConfigError(source, [ConfigIssue(exc.line, "", str(exc))]) from None
    return parse_config(raw, source=source, lines=lines)


def read_units(config: TargetConfig, *, base_dir: Path | str = ".") -> tuple[pd.DataFrame, str]:
    """Read the unit table named by ``config.units`` (path relative to ``base_dir``).

    Returns
    -------
    (pandas.DataFrame, str)
        The table (id and label columns as text) and its path, for messages.
    """
    if config.units is None:
        raise TargetConfigError("<config>", [ConfigIssue(None, "units", "no unit table given (units.path)")])
    path = Path(base_dir) / config.units.path
    text_cols = {c: str for c in (config.columns.id, config.columns.label) if c}
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            frame = pd.read_excel(path, sheet_name=config.units.sheet or 0, dtype=text_cols)
        else:
            frame = pd.read_csv(path, dtype=text_cols, keep_default_na=True)
    except (OSError, ValueError) as exc:
        raise TargetError(f"{path}: cannot read the unit table: {exc}") from exc
    return frame, str(path)


# ------------------------------------------------------------------------------------ kernels
def _as_array(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise TargetError(f"{name}: expected a one-dimensional array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise TargetError(f"{name}: values must be finite and >= 0")
    return arr


def _normalise(weights: np.ndarray, principle: str, what: str) -> np.ndarray:
    total = float(weights.sum())
    if not math.isfinite(total) or total <= 0:
        raise TargetError(f"principle {principle!r}: {what} sum to zero; no unit can receive a share")
    return weights / total


def equity_shares(population: Any) -> np.ndarray:
    """Equal emissions per capita: ``s_i = P_i / Σ P``.

    Parameters
    ----------
    population : array_like
        Population of each unit [persons] (or employees), >= 0.

    Returns
    -------
    numpy.ndarray
        Shares [unitless], summing to 1.

    References
    ----------
    Zhou & Wang (2016), Ecological Economics 125, 47-59, Table 2 (egalitarian / per-capita principle).
    """
    return _normalise(_as_array(population, "population"), "equity", "the populations")


def capacity_shares(emissions: Any, gdp: Any, population: Any, exponent: float = 1.0) -> np.ndarray:
    """Ability to pay: ``s_i ∝ E_i · (g_i / ḡ)^-α`` with ``g = GDP / P`` and ``ḡ = ΣGDP / ΣP``.

    A unit with twice the city's GDP per capita keeps ``2^-α`` times as much per tonne of base
    emissions as an average one (before normalisation), i.e. it takes the larger reduction.

    Parameters
    ----------
    emissions : array_like
        Base-year emissions ``E`` [t CO2e].
    gdp : array_like
        GDP [money unit]; must be > 0 where ``E > 0``.
    population : array_like
        Population [persons]; a unit with ``P = 0`` and ``GDP > 0`` has infinite ``g`` and gets 0.
    exponent : float
        ``α >= 0`` [unitless]; 0 gives grandfathering on base emissions.

    Returns
    -------
    numpy.ndarray
        Shares [unitless], summing to 1.

    References
    ----------
    Yi et al. (2011), Energy Policy 39, 2407-2415, section 2 (per-capita GDP as the capacity
    indicator: richer provinces take larger intensity reductions); Zhou & Wang (2016), Table 2
    (ability to pay).
    """
    e = _as_array(emissions, "emissions")
    g = _as_array(gdp, "gdp")
    p = _as_array(population, "population")
    if exponent < 0:
        raise TargetError(f"capacity exponent must be >= 0, got {exponent}")
    if np.any((e > 0) & (g <= 0)):
        raise TargetError("principle 'capacity': every unit with emissions needs gdp > 0")
    if p.sum() <= 0 or g.sum() <= 0:
        raise TargetError("principle 'capacity': total population and total gdp must be > 0")
    mean = g.sum() / p.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(p > 0, g / np.where(p > 0, p, 1.0) / mean, np.inf)
        factor = np.where(e > 0, rel ** (-exponent), 0.0)
    return _normalise(e * factor, "capacity", "emissions adjusted by GDP per capita")


def efficiency_shares(emissions: Any, gdp: Any, exponent: float = 1.0) -> np.ndarray:
    """Intensity benchmarking: ``s_i ∝ E_i · (q_i / q̄)^-β = q̄^β · E_i^(1-β) · GDP_i^β``, ``q = E / GDP``.

    With ``β = 1`` every unit is allowed the same intensity (shares ∝ GDP, output-based
    benchmarking); ``β = 0`` is grandfathering on base emissions; in between a unit cleaner than
    the city keeps more per tonne of its base emissions.

    Parameters
    ----------
    emissions : array_like
        Base-year emissions ``E`` [t CO2e].
    gdp : array_like
        GDP or value added [money unit].
    exponent : float
        ``0 <= β <= 1`` [unitless].

    Returns
    -------
    numpy.ndarray
        Shares [unitless], summing to 1 (``0^0 = 1``).

    References
    ----------
    Zhou & Wang (2016), Table 2 (efficiency: emissions per unit of output); Yi et al. (2011),
    section 2 (intensity as the reduction-potential indicator).
    """
    e = _as_array(emissions, "emissions")
    g = _as_array(gdp, "gdp")
    if not 0 <= exponent <= 1:
        raise TargetError(f"efficiency exponent must be within [0, 1], got {exponent}")
    return _normalise(e ** (1.0 - exponent) * g**exponent, "efficiency", "emissions^(1-β) · gdp^β")


def grandfathering_shares(history: Any) -> np.ndarray:
    """Status quo: ``s_i ∝ H_i``, the mean of the unit's historical emissions.

    Parameters
    ----------
    history : array_like
        Shape ``(n,)`` or ``(n, years)``: historical emissions [t CO2e]; rows are averaged.

    Returns
    -------
    numpy.ndarray
        Shares [unitless], summing to 1.

    References
    ----------
    Zhou & Wang (2016), Table 2 (sovereignty / grandfathering principle).
    """
    h = np.asarray(history, dtype=float)
    if h.ndim == 2:
        h = h.mean(axis=1) if h.shape[1] else np.zeros(h.shape[0])
    return _normalise(_as_array(h, "history"), "grandfathering", "the historical emissions")


def _waterfill(shares: np.ndarray, total: float, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, float]:
    """``x = clip(t · shares, lower, upper)`` with ``Σ x = total``; returns ``(x, t)``.

    ``F(t) = Σ clip(t s_i, L_i, U_i)`` is piecewise linear and non-decreasing with breakpoints
    ``L_i / s_i`` and ``U_i / s_i``. A binary search over the sorted breakpoints (each step one
    vectorised evaluation of ``F``, about ``log2(2n)`` steps) finds the segment that contains
    ``total``; on it the units strictly between their bounds are known and ``t`` is solved exactly:
    ``t = (total - Σ floors - Σ ceilings) / Σ s_active``. Evaluating ``F`` term by term (rather than
    by differences of prefix sums) keeps very small shares exact.
    """
    n = shares.size
    pos = shares >= _TINY  # subnormal shares (< 2.2e-308) count as zero: their ratios are not representable
    need = total - float(lower[~pos].sum())
    sp, lp, up = shares[pos], lower[pos], upper[pos]
    if sp.size == 0:
        if abs(need) > 1e-9 * max(abs(total), 1.0):
            raise TargetError("every unit has a zero share; only the floors can be allocated")
        return lower.astype(float).copy(), 0.0
    if float(up.sum()) < need - 1e-12 * max(abs(need), 1.0):  # the callers checked Σ bounds exactly
        raise TargetError(
            f"the units with a positive share can take at most {float(up.sum()):.6g} (their ceilings) but "
            f"{need:.6g} is left after the floors of the units with a zero share; raise the ceilings"
        )
    with np.errstate(divide="ignore", over="ignore"):
        a = lp / sp
        b = up / sp
    x = lower.astype(float).copy()
    if np.any(~np.isfinite(a) | (~np.isfinite(b) & np.isfinite(up))):
        # Shares so unequal that a breakpoint is beyond float range: redistribute iteratively instead.
        x[pos], level = _redistribute(sp, need, lp, up)
        return x, level
    breaks = np.unique(np.concatenate([a, b[np.isfinite(b)]]))

    def f(t: float) -> float:
        with np.errstate(over="ignore"):  # t · s beyond float range is above any ceiling anyway
            return float(np.clip(t * sp, lp, up).sum())

    lo_k, hi_k = 0, breaks.size  # smallest k with F(breaks[k]) >= need (breaks.size when none)
    while lo_k < hi_k:
        mid = (lo_k + hi_k) // 2
        if f(float(breaks[mid])) >= need:
            hi_k = mid
        else:
            lo_k = mid + 1
    k = lo_k
    if k == 0 or (k < breaks.size and f(float(breaks[k])) == need):
        level = float(breaks[min(k, breaks.size - 1)])  # k == 0: need is the sum of the floors
        x[pos] = np.clip(level * sp, lp, up)
    else:
        t0 = float(breaks[k - 1])
        active = (a <= t0) & (b > t0)
        rest = need - float(lp[a > t0].sum()) - float(up[b <= t0].sum())
        slope = float(sp[active].sum())
        xp = np.where(b <= t0, up, lp)
        if slope > 0:
            # x = rest · s / Σ s on the active units (ratios of shares, never the level itself).
            xp[active] = np.clip(rest * (sp[active] / slope), lp[active], up[active])
            level = rest / slope
        else:
            level = t0  # every unit is at a bound; what is left is floating-point noise
        x[pos] = xp
    log.debug("water-filling: %d units, level %.6g", n, level)
    return x, level


def _redistribute(s: np.ndarray, need: float, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, float]:
    """Iterative capped proportional redistribution (scale-free fallback of :func:`_waterfill`).

    Share ``need`` in proportion to ``s`` among the free units; if some exceed their ceiling or
    fall below their floor, fix the side with the larger total violation at its bounds (fixing both
    at once can overshoot) and repeat. Each round is vectorised; at most ``n`` rounds.
    """
    x = np.zeros_like(s)
    fixed = np.zeros(s.size, dtype=bool)
    level = math.inf
    for _ in range(s.size + 1):
        free = ~fixed
        rest = need - float(x[fixed].sum())
        ssum = float(s[free].sum())
        y = rest * (s[free] / ssum)
        over = y - hi[free]
        under = lo[free] - y
        if not (over > 0).any() and not (under > 0).any():
            x[free] = y
            with np.errstate(over="ignore"):
                level = rest / ssum
            break
        idx = np.flatnonzero(free)
        if over[over > 0].sum() >= under[under > 0].sum():
            x[idx[over > 0]] = hi[idx[over > 0]]
            fixed[idx[over > 0]] = True
        else:
            x[idx[under > 0]] = lo[idx[under > 0]]
            fixed[idx[under > 0]] = True
        if fixed.all():
            break
    return x, level


def _check_feasible(total: float, lower: np.ndarray, upper: np.ndarray, unit: str = "") -> None:
    lo, hi = float(lower.sum()), float(upper.sum())
    u = f" {unit}" if unit else ""
    if np.any(lower > upper):
        bad = np.flatnonzero(lower > upper)
        raise TargetError(f"{bad.size} unit(s) have a floor above their ceiling (first at position {bad[0]})")
    if lo > total:
        raise InfeasibleBoundsError(
            f"infeasible bounds: the floors sum to {lo:,.6g}{u}, above the cap {total:,.6g}{u} by "
            f"{lo - total:,.6g}{u}; lower the floors",
            cap=total,
            floors=lo,
            ceilings=hi,
            gap=lo - total,
        )
    if hi < total:
        raise InfeasibleBoundsError(
            f"infeasible bounds: the ceilings sum to {hi:,.6g}{u}, below the cap {total:,.6g}{u} by "
            f"{total - hi:,.6g}{u}; raise the ceilings",
            cap=total,
            floors=lo,
            ceilings=hi,
            gap=total - hi,
        )


def bounded_proportional(shares: Any, total: float, lower: Any = None, upper: Any = None) -> np.ndarray:
    """Capped proportional allocation (water-filling): ``x_i = clip(t · s_i, L_i, U_i)``, ``Σ x = total``.

    This is the fixed point of iterative capped proportional redistribution (cap the units over
    their ceiling, lift those under their floor, share the rest in proportion to ``s`` again) and
    the unique minimiser of ``Σ x_i² / s_i`` under the sum and the bounds (its KKT conditions give
    exactly the clip form). Units with ``s_i = 0`` (or subnormal, below 2.2e-308) get their floor.

    Parameters
    ----------
    shares : array_like
        Non-negative weights [unitless].
    total : float
        Amount to allocate [any unit].
    lower, upper : array_like, optional
        Bounds per unit [unit of ``total``]; default 0 and ``inf``.

    Returns
    -------
    numpy.ndarray
        Allocation [unit of ``total``]; ``Σ x = total`` up to floating-point rounding.

    Raises
    ------
    InfeasibleBoundsError
        When ``Σ lower > total`` or ``Σ upper < total`` (the message gives the gap).
    """
    s = _as_array(shares, "shares")
    lo = np.zeros_like(s) if lower is None else np.asarray(lower, dtype=float)
    hi = np.full_like(s, np.inf) if upper is None else np.asarray(upper, dtype=float)
    _check_feasible(float(total), lo, hi)
    return _waterfill(s, float(total), lo, hi)[0]


def largest_remainder(values: Any, total: int, lower: Any = None, upper: Any = None) -> np.ndarray:
    """Round to integers that sum to ``total`` exactly (largest-remainder / Hamilton method), within bounds.

    Every value is rounded down, then the ``total - Σ floor`` units with the largest fractional
    parts (ties: the first unit) get one more; with bounds, only units below their (integer)
    upper bound are candidates. Each result differs from its value by less than 1 when the values
    already sum to ``total``.

    Parameters
    ----------
    values : array_like
        Non-negative amounts in resolution steps [steps].
    total : int
        The exact integer sum wanted [steps].
    lower, upper : array_like, optional
        Integer bounds [steps] that the values respect.

    Returns
    -------
    numpy.ndarray of int64

    References
    ----------
    Balinski & Young (2001), Fair Representation (Hamilton's method).
    """
    v = np.asarray(values, dtype=float)
    lo = np.zeros(v.shape, dtype=np.int64) if lower is None else np.asarray(lower, dtype=np.int64)
    hi_f = np.full(v.shape, np.inf) if upper is None else np.asarray(upper, dtype=float)
    down = np.floor(v)
    base = np.clip(down, lo, hi_f).astype(np.int64)
    frac = v - down
    k = int(total) - int(base.sum())
    for _ in range(v.size + 2):  # one pass unless the values were far from summing to total
        if k == 0:
            return base
        if k > 0:
            cand = np.flatnonzero(base < hi_f)
            order = cand[np.argsort(-frac[cand], kind="stable")]
            step = 1
        else:
            cand = np.flatnonzero(base > lo)
            order = cand[np.argsort(frac[cand], kind="stable")]
            step = -1
        if order.size == 0:
            break
        take = order[: min(abs(k), order.size)]
        base[take] += step
        frac[take] -= step
        k -= step * take.size
    raise TargetError(f"cannot round to a total of {total}: the bounds leave {k:+d} step(s) unplaced")


def least_cost_reductions(
    emissions: Any, reduction: float, potential: Any = None, cost: Any = None
) -> tuple[np.ndarray, float]:
    """Least-cost split of a reduction under linear marginal abatement cost curves.

    ``MAC_i(r) = c_i · r / A_i``: the marginal cost of unit ``i`` reaches ``c_i`` when it has
    abated its potential ``A_i``. Equal marginal costs ``λ`` give ``r_i = min(λ · A_i / c_i, E_i)``
    with ``Σ r_i = reduction`` (water-filling with ceilings ``E_i``).

    Parameters
    ----------
    emissions : array_like
        Base emissions ``E`` [t CO2e] (no unit abates more than it emits).
    reduction : float
        City reduction ``R`` [t CO2e], ``0 <= R <= ΣE``.
    potential : array_like, optional
        ``A`` [t CO2e]; default ``E``.
    cost : array_like, optional
        ``c`` [yuan/t CO2e], > 0; default 1 (then ``λ`` is unitless and ``r ∝ A``).

    Returns
    -------
    (numpy.ndarray, float)
        Reductions ``r`` [t CO2e] and the marginal cost ``λ`` [yuan/t CO2e].

    References
    ----------
    Zhou & Wang (2016), section 3.2 (optimisation approaches: minimum total abatement cost); the
    equal-marginal-cost condition of a cost-effective allocation is standard (Montgomery, W.D.
    (1972), Markets in licenses and efficient pollution control programs, J. Econ. Theory 5, 395-418).
    """
    e = _as_array(emissions, "emissions")
    a = e if potential is None else _as_array(potential, "abatement potential")
    c = np.ones_like(e) if cost is None else _as_array(cost, "abatement cost")
    if np.any(c <= 0):
        raise TargetError("abatement costs must be > 0 (the linear MAC model has no negative-cost segment)")
    if reduction <= 0:
        return np.zeros_like(e), 0.0
    w = np.divide(a, c)
    able = float(e[w >= _TINY].sum())  # subnormal weights count as no potential (as in the water-filling)
    if able < reduction:
        raise TargetError(
            f"principle 'abatement': the units with abatement potential emit {able:,.6g} t CO2e, less than "
            f"the reduction {reduction:,.6g} t CO2e the cap requires"
        )
    r, level = _waterfill(w, float(reduction), np.zeros_like(e), e)
    return r, level


def abatement_shares(emissions: Any, cap: float, potential: Any = None, cost: Any = None) -> tuple[np.ndarray, float]:
    """Least-cost shares ``s_i = (E_i - r_i) / C`` of a cap ``C`` (:func:`least_cost_reductions`).

    ``emissions`` are the reference emissions the reduction is measured from [t CO2e] (base-year
    emissions, or frozen-intensity emissions for an intensity target). When ``C >= ΣE`` there is
    nothing to abate and the shares are ``E_i / ΣE``.

    Returns
    -------
    (numpy.ndarray, float)
        Shares [unitless] summing to 1, and the marginal abatement cost ``λ`` [yuan/t CO2e].
    """
    e = _as_array(emissions, "emissions")
    if cap <= 0:
        raise TargetError(f"the cap must be > 0, got {cap}")
    reduction = float(e.sum()) - cap
    if reduction <= 0:
        return _normalise(e, "abatement", "the base emissions"), 0.0
    r, lam = least_cost_reductions(e, reduction, potential, cost)
    return np.clip(e - r, 0.0, None) / cap, lam


@dataclass(frozen=True)
class EntropyWeights:
    """Result of the entropy-weight method.

    Attributes
    ----------
    weights : numpy.ndarray
        ``w_j = d_j / Σ d`` [unitless].
    entropy : numpy.ndarray
        ``e_j = -1/ln(n) Σ_i p_ij ln p_ij`` [unitless, 0..1].
    divergence : numpy.ndarray
        ``d_j = 1 - e_j`` [unitless].
    """

    weights: np.ndarray
    entropy: np.ndarray
    divergence: np.ndarray


def entropy_weights(matrix: Any, normalise: EntropyNormalisation | str = EntropyNormalisation.MINMAX) -> EntropyWeights:
    """Entropy-weight method: indicators that differ more between units get more weight.

    ``x'_ij = (x_ij - min_i x_ij) / (max_i x_ij - min_i x_ij)`` (``minmax``) or ``x'_ij = x_ij``
    (``sum``); ``p_ij = x'_ij / Σ_i x'_ij``; ``e_j = -1/ln(n) Σ_i p_ij ln p_ij`` (``0 ln 0 = 0``);
    ``d_j = 1 - e_j``; ``w_j = d_j / Σ_j d_j``. A constant column has ``e_j = 1`` and weight 0;
    when every column is constant (or ``n = 1``) the weights are equal.

    Parameters
    ----------
    matrix : array_like
        ``(n units, m indicators)``, non-negative.
    normalise : EntropyNormalisation

    Returns
    -------
    EntropyWeights

    References
    ----------
    Shannon (1948); Zeleny (1982) (entropy weights of attributes); the same steps as Zou, Z., Yun, Y.,
    Sun, J. (2006), Entropy method for determination of weight of evaluating indicators in fuzzy
    synthetic evaluation for water quality assessment, J. Environ. Sci. 18(5), 1020-1023.
    """
    x = np.asarray(matrix, dtype=float)
    if x.ndim != 2 or x.shape[1] == 0:
        raise TargetError(f"entropy weights need an (n, m) matrix, got shape {x.shape}")
    n, m = x.shape
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise TargetError("entropy weights need finite, non-negative indicators")
    if n < 2:
        equal = np.full(m, 1.0 / m)
        return EntropyWeights(equal, np.ones(m), np.zeros(m))
    if EntropyNormalisation(normalise) is EntropyNormalisation.MINMAX:
        span = x.max(axis=0) - x.min(axis=0)
        x = np.where(span > 0, (x - x.min(axis=0)) / np.where(span > 0, span, 1.0), 1.0)
    col = x.sum(axis=0)
    p = np.where(col > 0, x / np.where(col > 0, col, 1.0), 1.0 / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = np.clip(-plogp.sum(axis=0) / math.log(n), 0.0, 1.0)
    d = 1.0 - e
    w = d / d.sum() if d.sum() > 0 else np.full(m, 1.0 / m)
    return EntropyWeights(w, e, d)


def trajectory_paths(
    start: Any, end: Any, base_year: int, year: int, method: TrajectoryMethod | str = TrajectoryMethod.LINEAR
) -> tuple[np.ndarray, np.ndarray]:
    """Year-by-year values of every unit from ``start`` (base year) to ``end`` (target year).

    ``linear``: ``x(y) = S + (E - S) · f``; ``constant_rate``: ``x(y) = S · (E / S)^f``, with
    ``f = (y - base_year) / (year - base_year)``; a unit with ``S = 0`` or ``E = 0`` follows the
    linear path (no constant rate reaches or leaves zero).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The years, and the values, shape ``(years, units)`` [unit of ``start``].
    """
    s = np.asarray(start, dtype=float)
    e = np.asarray(end, dtype=float)
    years = np.arange(base_year, year + 1)
    f = ((years - base_year) / (year - base_year))[:, None]
    linear = s + (e - s) * f
    if TrajectoryMethod(method) is TrajectoryMethod.LINEAR:
        return years, linear
    ok = (s > 0) & (e > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = s * np.power(np.where(ok, e / np.where(ok, s, 1.0), 1.0), f)
    return years, np.where(ok, geometric, linear)


# ------------------------------------------------------------------------------------ target
@dataclass(frozen=True)
class TargetSummary:
    """The city target resolved to a cap.

    Attributes
    ----------
    kind : TargetKind
    year, base_year : int
    cap : float
        The cap the parts sum to exactly: ``cap_unrounded`` rounded to ``10^-decimals`` [t CO2e].
    cap_unrounded : float
        The cap as stated or computed from the target [t CO2e].
    base_emissions : float
        ``E_b`` [t CO2e].
    reduction_vs_base_pct : float
        ``100 · (1 - cap / E_b)`` [%]; negative when the cap allows growth.
    reduction_pct : float, optional
        The target's reduction (absolute or intensity) [%].
    base_gdp, target_gdp : float, optional
        ``G_b`` and ``G_T`` of an intensity target [money unit].
    base_intensity, target_intensity : float, optional
        ``E_b / G_b`` and ``cap / G_T`` [t CO2e per money unit].
    """

    kind: TargetKind
    year: int
    base_year: int
    cap: float
    cap_unrounded: float
    base_emissions: float
    reduction_vs_base_pct: float
    reduction_pct: float | None = None
    base_gdp: float | None = None
    target_gdp: float | None = None
    base_intensity: float | None = None
    target_intensity: float | None = None


def resolve_cap(target: TargetSpec, base_emissions: float, base_gdp: float | None = None) -> TargetSummary:
    """The cap of a target [t CO2e] (before rounding to the resolution).

    Parameters
    ----------
    target : TargetSpec
    base_emissions : float
        ``E_b`` [t CO2e] (the target's ``base_emissions_tco2e`` wins when given).
    base_gdp : float, optional
        ``G_b`` [money unit], needed for intensity targets (``base_gdp`` of the target wins).
    """
    eb = target.base_emissions_tco2e or base_emissions
    if eb <= 0:
        raise TargetError(f"base emissions must be > 0, got {eb}")
    r = target.reduction_pct
    gb = gt = None
    if target.kind is TargetKind.CAP:
        cap = float(target.cap_tco2e or 0.0)
    elif target.kind is TargetKind.REDUCTION:
        cap = (1.0 - float(r or 0.0) / 100.0) * eb
    else:
        gb = target.base_gdp or base_gdp
        if gb is None or gb <= 0:
            raise TargetError("an intensity target needs the base-year GDP (a gdp column or target.base_gdp)")
        years = target.year - target.base_year
        gt = target.gdp_target or gb * (1.0 + float(target.gdp_growth_pct or 0.0) / 100.0) ** years
        cap = (1.0 - float(r or 0.0) / 100.0) * (eb / gb) * gt
    return TargetSummary(
        kind=target.kind,
        year=target.year,
        base_year=target.base_year,
        cap=cap,
        cap_unrounded=cap,
        base_emissions=eb,
        reduction_vs_base_pct=100.0 * (1.0 - cap / eb),
        reduction_pct=r,
        base_gdp=gb,
        target_gdp=gt,
        base_intensity=None if gb is None else eb / gb,
        target_intensity=None if gt is None else cap / gt,
    )


# ------------------------------------------------------------------------------------ unit table
@dataclass(frozen=True)
class _Units:
    ids: np.ndarray
    labels: np.ndarray | None
    e: np.ndarray
    p: np.ndarray | None
    g: np.ndarray | None
    hist: np.ndarray | None  # (n, years)
    a: np.ndarray | None
    c: np.ndarray | None
    floor: np.ndarray  # NaN = none
    ceiling: np.ndarray


def _needed(cfg: TargetConfig) -> dict[str, str]:
    """Role -> why it is needed."""
    ps = set(cfg.principles)
    need = {"emissions_base": "always (base-year emissions)"}
    if ps & {Principle.EQUITY, Principle.CAPACITY}:
        need["population"] = "principle " + " and ".join(p.value for p in sorted(ps) if p in _USES["population"])
    if ps & {Principle.CAPACITY, Principle.EFFICIENCY} or (
        cfg.target.kind is TargetKind.INTENSITY and cfg.target.base_gdp is None
    ):
        why = [p.value for p in sorted(ps) if p in _USES["gdp"]]
        if cfg.target.kind is TargetKind.INTENSITY and cfg.target.base_gdp is None:
            why.append("the intensity target")
        need["gdp"] = " and ".join(why)
    return need


_USES = {
    "population": {Principle.EQUITY, Principle.CAPACITY},
    "gdp": {Principle.CAPACITY, Principle.EFFICIENCY},
}


def _validate_units(frame: pd.DataFrame, cfg: TargetConfig, source: str) -> _Units:
    """Check the unit table: columns, ids, numbers; every problem reported at once."""
    cols = cfg.columns
    data = frame.reset_index(drop=True)
    need = _needed(cfg)
    numeric: dict[str, str] = {role: getattr(cols, role) for role in need}
    for role in ("abatement_potential", "abatement_cost", "floor", "ceiling"):
        if getattr(cols, role):
            numeric[role] = getattr(cols, role)
    hist_cols = list(cols.history)
    issues: list[RecordIssue] = []
    wanted = [cols.id, *([cols.label] if cols.label else []), *numeric.values(), *hist_cols]
    missing = [c for c in dict.fromkeys(wanted) if c not in data.columns]
    if missing:
        why = {getattr(cols, r): need.get(r, f"columns.{r}") for r in numeric} | {c: "history" for c in hist_cols}
        why[cols.id] = "the unit id"
        for c in missing:
            issues.append(RecordIssue(0, c, f"required column is missing (needed by {why.get(c, 'the config')})"))
        issues.append(RecordIssue(0, "<columns>", f"the table has columns {list(data.columns)}"))
        raise InvalidRecordsError(source, issues)
    if data.empty:
        raise InvalidRecordsError(source, [RecordIssue(0, cols.id, "the table has no units")])
    rows = np.arange(1, len(data) + 1)
    ids = data[cols.id]
    blank = ids.isna().to_numpy() | (ids.astype(str).str.strip() == "").to_numpy()
    issues += [RecordIssue(int(r), cols.id, "required value is empty") for r in rows[blank]]
    id_text = ids.astype(str).str.strip()
    dup = id_text.duplicated(keep="first").to_numpy() & ~blank
    issues += [
        RecordIssue(int(r), cols.id, "duplicate unit id", str(v)) for r, v in zip(rows[dup], id_text[dup], strict=True)
    ]
    values: dict[str, np.ndarray] = {}
    optional_blank = {"floor", "ceiling"}
    for role, col in [*numeric.items(), *((f"history:{c}", c) for c in hist_cols)]:
        raw = data[col]
        num = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        missing_cell = np.isnan(num)
        if role in optional_blank:
            text_bad = missing_cell & raw.notna().to_numpy() & (raw.astype(str).str.strip() != "").to_numpy()
            issues += [
                RecordIssue(int(r), col, "not a number", str(v))
                for r, v in zip(rows[text_bad], raw[text_bad], strict=True)
            ]
        else:
            issues += [
                RecordIssue(int(r), col, "not a number", "" if pd.isna(v) else str(v))
                for r, v in zip(rows[missing_cell], raw[missing_cell], strict=True)
            ]
        bad = ~missing_cell & (~np.isfinite(num) | (num < 0))
        issues += [
            RecordIssue(int(r), col, "must be a finite number >= 0", repr(float(v)))
            for r, v in zip(rows[bad], num[bad], strict=True)
        ]
        values[role] = num
    if "abatement_cost" in values:
        zero = values["abatement_cost"] == 0
        issues += [
            RecordIssue(int(r), cols.abatement_cost or "", "abatement cost must be > 0", "0") for r in rows[zero]
        ]
    e = values["emissions_base"]
    if "abatement_potential" in values:
        over = values["abatement_potential"] > e * (1 + 1e-12)
        issues += [
            RecordIssue(
                int(r),
                cols.abatement_potential or "",
                f"abatement potential above the base emissions {b:g}",
                repr(float(v)),
            )
            for r, v, b in zip(rows[over], values["abatement_potential"][over], e[over], strict=True)
        ]
    if Principle.CAPACITY in cfg.principles and "gdp" in values:
        bad_g = (e > 0) & (values["gdp"] <= 0)
        issues += [
            RecordIssue(int(r), cols.gdp, "principle 'capacity' needs gdp > 0 for a unit with emissions", "0")
            for r in rows[bad_g]
        ]
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    hist = np.column_stack([values[f"history:{c}"] for c in hist_cols]) if hist_cols else None
    n = len(data)
    return _Units(
        ids=id_text.to_numpy(dtype=object),
        labels=data[cols.label].astype(str).to_numpy(dtype=object) if cols.label else None,
        e=e,
        p=values.get("population"),
        g=values.get("gdp"),
        hist=hist,
        a=values.get("abatement_potential"),
        c=values.get("abatement_cost"),
        floor=values.get("floor", np.full(n, np.nan)),
        ceiling=values.get("ceiling", np.full(n, np.nan)),
    )


# ------------------------------------------------------------------------------------ result
@dataclass(frozen=True)
class Allocation:
    """An allocated target, with everything needed to explain every unit's part.

    Attributes
    ----------
    name : str
    source : str
        Where the units came from.
    target : TargetSummary
    principles : tuple of Principle
    weighting : Weighting
    weights : dict
        Principle -> weight used (normalised to sum 1) [unitless].
    weights_given : dict
        Principle -> weight as given (empty for entropy weights).
    entropy : EntropyWeights, optional
        Entropy, divergence and weights when ``weighting`` is entropy.
    exponents : dict
        Exponent used per principle that has one.
    decimals : int
        Allocations are multiples of ``10^-decimals`` t CO2e.
    table : pandas.DataFrame
        One row per unit: ``unit``, ``label``, indicators (``population``, ``gdp``,
        ``emissions_base``, ``history_mean``, ``gdp_per_capita``, ``intensity``,
        ``abatement_potential``, ``abatement_cost`` when used), ``share_<principle>`` per principle,
        ``share`` (combined), ``unconstrained`` (``share · cap``), ``floor``, ``ceiling``,
        ``abatement_reference`` and ``abatement_reduction`` (``F_i``, ``r_i`` of the abatement
        principle) [t CO2e], ``allocation_unrounded``, ``allocation`` [t CO2e], ``allocation_share``,
        ``reduction_t``, ``reduction_pct`` (vs base), ``intensity_reduction_pct`` (intensity
        targets, at the city GDP growth), ``bound``.
    steps : numpy.ndarray of int64
        Allocations in resolution steps (``allocation = steps · 10^-decimals``); sum = cap steps.
    level : float
        The water level ``t`` relative to the cap [unitless]: units not at a bound get
        ``level · share · cap``; 1 when no bound binds.
    marginal_abatement_cost : float, optional
        ``λ`` of the abatement principle [yuan/t CO2e] (unitless when no cost column).
    abatement_cost_yuan : float, optional
        ``Σ c_i r_i² / (2 A_i)`` of the least-cost split [yuan] (with a cost column).
    trajectory_method : TrajectoryMethod, optional
    years : numpy.ndarray
        Trajectory years (empty without a trajectory).
    trajectory_steps : numpy.ndarray, optional
        ``(years, units)`` allowed emissions in resolution steps; each row sums exactly to its
        year's total.
    first_year : int, optional
        First trajectory year reported.
    notes : list of str
    """

    name: str
    source: str
    target: TargetSummary
    principles: tuple[Principle, ...]
    weighting: Weighting
    weights: dict[Principle, float]
    weights_given: dict[Principle, float]
    entropy: EntropyWeights | None
    exponents: dict[Principle, float]
    bounds: BoundsSpec
    decimals: int
    table: pd.DataFrame
    steps: np.ndarray
    level: float = 1.0
    marginal_abatement_cost: float | None = None
    abatement_cost_yuan: float | None = None
    trajectory_method: TrajectoryMethod | None = None
    years: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    trajectory_steps: np.ndarray | None = None
    first_year: int | None = None
    notes: tuple[str, ...] = ()

    # ------------------------------------------------------------------ derived
    @property
    def resolution(self) -> float:
        """Size of one step [t CO2e]."""
        return 10.0**-self.decimals

    @property
    def totals(self) -> dict[str, Any]:
        """Units, cap, sum of the allocations, base emissions, units at a floor or a ceiling."""
        t = self.table
        bound = t["bound"]
        return {
            "units": len(t),
            "cap_tco2e": self.target.cap,
            "allocated_tco2e": float(self.steps.sum()) * self.resolution,
            "allocated_steps": int(self.steps.sum()),
            "emissions_base_tco2e": float(t["emissions_base"].sum()),
            "reduction_tco2e": float(t["emissions_base"].sum()) - self.target.cap,
            "at_floor": int((bound == Bound.FLOOR.value).sum()),
            "at_ceiling": int((bound == Bound.CEILING.value).sum()),
            "fixed": int((bound == Bound.FIXED.value).sum()),
        }

    def _text(self, steps: np.ndarray) -> pd.Series:
        """Exact decimal text of amounts given in steps (no float formatting in between)."""
        d = self.decimals
        if d == 0:
            return pd.Series(steps.astype(np.int64)).astype(str)
        scale = 10**d
        whole = pd.Series(steps // scale).astype(str)
        frac = pd.Series(steps % scale).astype(str).str.zfill(d)
        return whole + "." + frac

    @property
    def trajectory(self) -> pd.DataFrame:
        """Long table ``unit``, ``year``, ``allowed_tco2e`` from ``first_year`` (empty without a trajectory)."""
        if self.trajectory_steps is None:
            return pd.DataFrame({"unit": [], "year": [], "allowed_tco2e": []})
        keep = self.years >= (self.first_year or self.years[0])
        steps = self.trajectory_steps[keep]
        years = self.years[keep]
        n = self.steps.size
        return pd.DataFrame(
            {
                "unit": np.tile(self.table["unit"].to_numpy(), years.size),
                "year": np.repeat(years, n),
                "allowed_tco2e": steps.ravel() * self.resolution,
            }
        )

    def trajectory_totals(self) -> pd.DataFrame:
        """``year``, ``allowed_tco2e`` (sum over units, exact in steps) for every trajectory year."""
        if self.trajectory_steps is None:
            return pd.DataFrame({"year": [], "allowed_tco2e": []})
        return pd.DataFrame({"year": self.years, "allowed_tco2e": self.trajectory_steps.sum(axis=1) * self.resolution})

    def quotas(self, years: Sequence[int] | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Enterprise quotas in the accounts' format: ``entity``, ``quota`` [t CO2e], ``kind``, ``year``.

        Parameters
        ----------
        years : sequence of int, optional
            Trajectory years to write (default: the target year only).
        exact : bool
            Quotas as exact decimal text (for files) instead of floats.

        Returns
        -------
        pandas.DataFrame
            Units with a zero allocation are left out (the accounts accept only quotas > 0).
        """
        wanted = [self.target.year] if years is None else [int(y) for y in years]
        frames = []
        for y in wanted:
            if y == self.target.year:
                steps = self.steps
            elif self.trajectory_steps is not None and y in set(self.years.tolist()):
                steps = self.trajectory_steps[int(np.flatnonzero(self.years == y)[0])]
            else:
                raise TargetError(f"no allocation for year {y}: the trajectory covers {self._year_span()}")
            keep = steps > 0
            quota: pd.Series = self._text(steps[keep]) if exact else pd.Series(steps[keep] * self.resolution)
            frames.append(
                pd.DataFrame(
                    {
                        "entity": self.table["unit"].to_numpy()[keep],
                        "quota": quota.to_numpy(),
                        "kind": "carbon",
                        "year": y,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)

    def _year_span(self) -> str:
        if self.years.size == 0:
            return f"only {self.target.year} (no trajectory configured)"
        return f"{self.years[0]}..{self.years[-1]}"

    def allocation_text(self) -> pd.Series:
        """Allocations as exact decimal text, one per unit (what the ledger receives)."""
        return self._text(self.steps)

    def explain(self, unit: str) -> dict[str, Any]:
        """How one unit's allocation came about: indicators, shares, weights, bounds, result."""
        t = self.table
        match = np.flatnonzero(t["unit"].to_numpy() == str(unit))
        if match.size == 0:
            raise TargetError(f"no unit {unit!r} in {self.source}")
        row = t.iloc[int(match[0])]
        indicators = [c for c in _INDICATOR_COLUMNS if c in t.columns]
        parts = []
        for p in self.principles:
            s = float(row[f"share_{p.value}"])
            w = self.weights[p]
            parts.append({"principle": p.value, "share": s, "weight": w, "contribution": w * s})
        cap = self.target.cap
        return jsonable(
            {
                "unit": row["unit"],
                "label": row.get("label"),
                "indicators": {c: row[c] for c in indicators},
                "principles": parts,
                "share": row["share"],
                "cap_tco2e": cap,
                "unconstrained_tco2e": row["unconstrained"],
                "level": self.level,
                "proportional_tco2e": self.level * float(row["unconstrained"]),
                "floor_tco2e": row["floor"],
                "ceiling_tco2e": row["ceiling"],
                "bound": row["bound"],
                "allocation_tco2e": row["allocation"],
                "allocation_share": row["allocation_share"],
                "reduction_tco2e": row["reduction_t"],
                "reduction_pct": row["reduction_pct"],
                "formula": (
                    "share = Σ_k weight_k · share_k; allocation = clip(level · share · cap, floor, ceiling), the level "
                    "set so that the allocations sum to the cap (units at a bound free or take up the difference), "
                    f"rounded to {self.resolution:g} t by largest remainder"
                ),
            }
        )

    def to_dict(self, *, units: bool = True) -> dict[str, Any]:
        """JSON-ready result: target, weights, principles, bounds, totals, units, trajectory totals, notes."""
        t = self.target
        doc: dict[str, Any] = {
            "name": self.name,
            "source": self.source,
            "target": {
                "kind": t.kind.value,
                "year": t.year,
                "base_year": t.base_year,
                "cap_tco2e": t.cap,
                "cap_unrounded_tco2e": t.cap_unrounded,
                "base_emissions_tco2e": t.base_emissions,
                "reduction_vs_base_pct": t.reduction_vs_base_pct,
                "reduction_pct": t.reduction_pct,
                "base_gdp": t.base_gdp,
                "target_gdp": t.target_gdp,
                "base_intensity": t.base_intensity,
                "target_intensity": t.target_intensity,
            },
            "decimals": self.decimals,
            "weighting": self.weighting.value,
            "weights": {p.value: w for p, w in self.weights.items()},
            "weights_given": {p.value: w for p, w in self.weights_given.items()},
            "principles": {p.value: _FORMULAS[p] for p in self.principles},
            "exponents": {p.value: v for p, v in self.exponents.items()},
            "bounds": self.bounds.model_dump(),
            "totals": self.totals,
            "level": self.level,
            "marginal_abatement_cost": self.marginal_abatement_cost,
            "abatement_cost_yuan": self.abatement_cost_yuan,
            "notes": list(self.notes),
        }
        if self.entropy is not None:
            doc["entropy"] = {
                p.value: {"entropy": float(e), "divergence": float(d), "weight": float(w)}
                for p, e, d, w in zip(
                    self.principles, self.entropy.entropy, self.entropy.divergence, self.entropy.weights, strict=True
                )
            }
        if self.trajectory_steps is not None:
            doc["trajectory"] = {
                "method": None if self.trajectory_method is None else self.trajectory_method.value,
                "first_year": self.first_year,
                "totals": self.trajectory_totals().to_dict(orient="records"),
            }
        if units:
            doc["units"] = self.table.to_dict(orient="records")
        return jsonable(doc)


_INDICATOR_COLUMNS = (
    "population",
    "gdp",
    "emissions_base",
    "history_mean",
    "gdp_per_capita",
    "intensity",
    "abatement_potential",
    "abatement_cost",
)

_FORMULAS: dict[Principle, str] = {
    Principle.EQUITY: "s_i = P_i / ΣP",
    Principle.CAPACITY: "s_i ∝ E_i · (g_i / ḡ)^-α, g = GDP/P, ḡ = ΣGDP/ΣP",
    Principle.EFFICIENCY: "s_i ∝ E_i · (q_i / q̄)^-β, q = E/GDP (β = 1: s_i ∝ GDP_i)",
    Principle.ABATEMENT: "s_i = (F_i - r_i) / C, r_i = min(λ A_i / c_i, F_i), Σ r = ΣF - C, F = reference emissions",
    Principle.GRANDFATHERING: "s_i = H_i / ΣH, H = mean historical emissions",
}


# ------------------------------------------------------------------------------------ allocate
def _grid_bounds(u: _Units, bounds: BoundsSpec, scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Effective floors and ceilings [t CO2e] and the same on the integer grid [steps]."""
    n = u.e.size
    floors = [np.zeros(n)]
    ceilings = [np.full(n, np.inf)]
    if bounds.floor_share_of_base is not None:
        floors.append(bounds.floor_share_of_base * u.e)
    if bounds.ceiling_share_of_base is not None:
        ceilings.append(bounds.ceiling_share_of_base * u.e)
    if bounds.floor_tco2e is not None:
        floors.append(np.full(n, bounds.floor_tco2e))
    if bounds.ceiling_tco2e is not None:
        ceilings.append(np.full(n, bounds.ceiling_tco2e))
    floors.append(np.nan_to_num(u.floor, nan=0.0))
    ceilings.append(np.where(np.isnan(u.ceiling), np.inf, u.ceiling))
    lo = np.max(np.vstack(floors), axis=0)
    hi = np.min(np.vstack(ceilings), axis=0)
    # Round inwards to the grid; round(.., 6) first so that 12.3 * 10 = 123.00000000000001 stays 123.
    with np.errstate(invalid="ignore"):
        lo_steps = np.ceil(np.round(lo * scale, 6))
        hi_steps = np.where(np.isfinite(hi), np.floor(np.round(hi * scale, 6)), np.inf)
    return lo, hi, lo_steps, hi_steps


def allocate(units: pd.DataFrame, config: TargetConfig | Mapping[str, Any], *, source: str = "units") -> Allocation:
    """Allocate a city target to units by weighted principles, within floors and ceilings.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit with the columns named in ``config.columns`` (see :class:`ColumnsSpec`).
    config : TargetConfig or mapping
        The target, principles, weights, bounds, trajectory and rounding (validated here).
    source : str
        Name of the unit table in messages.

    Returns
    -------
    Allocation

    Raises
    ------
    TargetConfigError
        A configuration that breaks the schema.
    InvalidRecordsError
        Missing columns, empty or duplicate ids, non-numeric or negative cells, a floor above a
        ceiling (every problem, with row and column).
    InfeasibleBoundsError
        Floors above the cap or ceilings below it (with the gap).
    TargetError
        A principle without the data it needs, a cap that rounds to zero.
    """
    cfg = parse_config(config)
    u = _validate_units(units, cfg, source)
    n = u.e.size
    notes: list[str] = []
    e_tot = float(u.e.sum())
    g_tot = None if u.g is None else float(u.g.sum())
    summary = resolve_cap(cfg.target, e_tot, g_tot)
    if cfg.target.base_emissions_tco2e is not None:
        notes.append(
            f"base emissions {summary.base_emissions:,.6g} t from the configuration; the units emit {e_tot:,.6g} t"
        )
    d = cfg.decimals
    scale = 10.0**d
    cap_steps_f = round(summary.cap_unrounded * scale)
    if cap_steps_f <= 0:
        raise TargetError(f"the cap {summary.cap_unrounded:g} t CO2e rounds to zero at {d} decimal(s)")
    if cap_steps_f >= MAX_GRID_STEPS:
        raise TargetError(f"the cap {summary.cap_unrounded:g} t CO2e has too many steps at {d} decimals; use fewer")
    cap_steps = int(cap_steps_f)
    cap = cap_steps / scale
    summary = replace(
        summary,
        cap=cap,
        reduction_vs_base_pct=100.0 * (1 - cap / summary.base_emissions),
        target_intensity=None if summary.target_gdp is None else cap / summary.target_gdp,
    )
    if cap != summary.cap_unrounded:
        notes.append(f"cap {summary.cap_unrounded:,.10g} t rounded to {cap:,.{d}f} t (resolution {10.0**-d:g} t)")

    # Principle shares (n, m).
    principles = tuple(cfg.principles)
    exponents: dict[Principle, float] = {}
    history = u.hist if u.hist is not None else u.e[:, None]
    lam = cost_yuan = None
    abatement: tuple[np.ndarray, np.ndarray] | None = None
    growth = 1.0
    if summary.base_gdp and summary.target_gdp:
        growth = summary.target_gdp / summary.base_gdp
    columns: list[np.ndarray] = []
    for p in principles:
        spec = cfg.principles[p]
        if p in _EXPONENTS:
            exponents[p] = _EXPONENTS[p][2] if spec.exponent is None else float(spec.exponent)
        if p is Principle.EQUITY:
            columns.append(equity_shares(u.p))
        elif p is Principle.CAPACITY:
            columns.append(capacity_shares(u.e, u.g, u.p, exponents[p]))
        elif p is Principle.EFFICIENCY:
            columns.append(efficiency_shares(u.e, u.g, exponents[p]))
        elif p is Principle.GRANDFATHERING:
            columns.append(grandfathering_shares(history))
        else:
            # Intensity targets: the reduction is measured from frozen intensity at the city's GDP growth.
            reference = u.e * growth
            s, lam = abatement_shares(reference, cap, u.a, u.c)
            columns.append(s)
            abatement = (reference, reference - s * cap)
            if u.c is not None and lam > 0:
                a = reference if u.a is None else u.a
                r = np.clip(abatement[1], 0.0, None)
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    cost_yuan = float(np.where(a > 0, u.c * r**2 / (2 * np.where(a > 0, a, 1.0)), 0.0).sum())
    shares = np.column_stack(columns)

    # Weights.
    entropy = None
    given = {p: float(cfg.principles[p].weight or 0.0) for p in principles} if cfg.weights is Weighting.GIVEN else {}
    if cfg.weights is Weighting.ENTROPY:
        entropy = entropy_weights(shares, cfg.entropy_normalisation)
        w = entropy.weights
    else:
        w = np.array([given[p] for p in principles])
        if abs(w.sum() - 1.0) > 1e-9:
            notes.append(f"weights sum to {w.sum():.6g}; normalised to 1")
        w = w / w.sum()
    combined = shares @ w

    # Bounds, water-filling, exact rounding.
    lo, hi, lo_steps, hi_steps = _grid_bounds(u, cfg.bounds, scale)
    crossed = lo_steps > hi_steps
    if np.any(crossed):
        res = 10.0**-d
        issues = [
            RecordIssue(
                int(i) + 1,
                cfg.columns.floor or "bounds",
                f"floor {lo[i]:g} t is above the ceiling {hi[i]:g} t"
                if lo[i] > hi[i]
                else f"no multiple of {res:g} t lies between the floor {lo[i]:g} t and the ceiling {hi[i]:g} t; "
                "use more decimals",
            )
            for i in np.flatnonzero(crossed)
        ]
        raise InvalidRecordsError(source, issues)
    try:
        _check_feasible(float(cap_steps), lo_steps, hi_steps, unit="steps")
    except InfeasibleBoundsError as exc:
        lo_t, hi_t = float(lo_steps.sum()) / scale, float(hi_steps.sum()) / scale
        gap = exc.gap / scale
        side = (
            f"the floors sum to {lo_t:,.{d}f} t CO2e, above the cap {cap:,.{d}f} t CO2e by {gap:,.{d}f} t; "
            "lower the floors (bounds.floor_share_of_base, bounds.floor_tco2e, the floor column)"
            if exc.floors > cap_steps
            else f"the ceilings sum to {hi_t:,.{d}f} t CO2e, below the cap {cap:,.{d}f} t CO2e by {gap:,.{d}f} t; "
            "raise the ceilings (bounds.ceiling_share_of_base, bounds.ceiling_tco2e, the ceiling column)"
        )
        raise InfeasibleBoundsError(
            f"infeasible bounds: {side}", cap=cap, floors=lo_t, ceilings=hi_t, gap=gap
        ) from None
    x_steps, level = _waterfill(combined, float(cap_steps), lo_steps, hi_steps)
    steps = largest_remainder(x_steps, cap_steps, lo_steps.astype(np.int64), hi_steps)
    raw = level * combined
    tol = 1e-9 * np.maximum(1.0, np.abs(raw))
    bound = np.full(n, Bound.NONE.value, dtype=object)
    bound[raw < lo_steps - tol] = Bound.FLOOR.value
    bound[raw > hi_steps + tol] = Bound.CEILING.value
    bound[lo_steps == hi_steps] = Bound.FIXED.value

    table = _table(u, principles, shares, combined, cap, lo, hi, x_steps / scale, steps / scale, bound, summary)
    if abatement is not None:
        table.insert(table.columns.get_loc("share"), "abatement_reference", abatement[0])
        table.insert(table.columns.get_loc("share"), "abatement_reduction", abatement[1])
    years = np.zeros(0, dtype=int)
    traj_steps = None
    method = first = None
    if cfg.trajectory is not None:
        method = cfg.trajectory.method
        first = cfg.trajectory.first_year
        years, paths = trajectory_paths(u.e, x_steps / scale, cfg.target.base_year, cfg.target.year, method)
        traj_steps = np.empty(paths.shape, dtype=np.int64)
        for k in range(years.size - 1):  # one rounding per year (tens of years), each over all units at once
            row = paths[k] * scale
            traj_steps[k] = largest_remainder(row, round(float(row.sum())))
        traj_steps[-1] = steps
        if method is TrajectoryMethod.CONSTANT_RATE:
            flat = int(np.count_nonzero((u.e <= 0) | (steps <= 0)))
            if flat:
                notes.append(f"{flat} unit(s) with zero base emissions or allocation follow a linear path")
    log.info("allocated %.6g t CO2e to %d units (%s weights)", cap, n, cfg.weights.value)
    return Allocation(
        name=cfg.name,
        source=source,
        target=summary,
        principles=principles,
        weighting=cfg.weights,
        weights=dict(zip(principles, (float(v) for v in w), strict=True)),
        weights_given=given,
        entropy=entropy,
        exponents=exponents,
        bounds=cfg.bounds,
        decimals=d,
        table=table,
        steps=steps,
        level=level / cap_steps,
        marginal_abatement_cost=lam,
        abatement_cost_yuan=cost_yuan,
        trajectory_method=method,
        years=years,
        trajectory_steps=traj_steps,
        first_year=first,
        notes=tuple(notes),
    )


def _table(
    u: _Units,
    principles: tuple[Principle, ...],
    shares: np.ndarray,
    combined: np.ndarray,
    cap: float,
    lo: np.ndarray,
    hi: np.ndarray,
    unrounded: np.ndarray,
    allocation: np.ndarray,
    bound: np.ndarray,
    summary: TargetSummary,
) -> pd.DataFrame:
    """The per-unit table of :class:`Allocation` (all columns at once, no per-unit work)."""
    cols: dict[str, Any] = {"unit": u.ids}
    if u.labels is not None:
        cols["label"] = u.labels
    if u.p is not None:
        cols["population"] = u.p
    if u.g is not None:
        cols["gdp"] = u.g
    cols["emissions_base"] = u.e
    if u.hist is not None:
        cols["history_mean"] = u.hist.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if u.p is not None and u.g is not None:
            cols["gdp_per_capita"] = np.where(u.p > 0, u.g / u.p, np.nan)
        if u.g is not None:
            cols["intensity"] = np.where(u.g > 0, u.e / u.g, np.nan)
        if u.a is not None:
            cols["abatement_potential"] = u.a
        if u.c is not None:
            cols["abatement_cost"] = u.c
        for j, p in enumerate(principles):
            cols[f"share_{p.value}"] = shares[:, j]
        cols["share"] = combined
        cols["unconstrained"] = combined * cap
        cols["floor"] = lo
        cols["ceiling"] = np.where(np.isfinite(hi), hi, np.nan)
        cols["allocation_unrounded"] = unrounded
        cols["allocation"] = allocation
        cols["allocation_share"] = allocation / cap
        cols["reduction_t"] = u.e - allocation
        cols["reduction_pct"] = np.where(u.e > 0, 100.0 * (u.e - allocation) / u.e, np.nan)
        if summary.kind is TargetKind.INTENSITY and summary.base_gdp and summary.target_gdp:
            growth = summary.target_gdp / summary.base_gdp
            cols["intensity_reduction_pct"] = np.where(u.e > 0, 100.0 * (1.0 - allocation / (u.e * growth)), np.nan)
    cols["bound"] = bound
    return pd.DataFrame(cols)
