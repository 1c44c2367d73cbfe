r"""Marginal abatement cost curves (MACC) and the choice of a portfolio of abatement measures.

A measure abates ``a_t`` t CO2e in each of its operating years (a constant, or a per-year table),
costs ``capex`` yuan once (in its start year) and ``opex`` yuan/yr while it runs, and saves
``savings`` yuan/yr of energy costs. Its cost per tonne is computed in one of two forms
(:class:`CostMethod`):

levelised (default; the scenario engine's definition, :mod:`zerocity.brain.scenario.pathways`)
    ``LCA = sum_t F_t (1+r)^-(t-t0) / sum_t a_t (1+r)^-(t-t0)`` with ``F_t`` the net cost of year
    ``t`` (capex in its year, plus opex minus savings in every operating year), ``r`` the discount
    rate and ``t0`` the base year. Costs and abatement are both discounted, as in levelised costs
    (Short, Packey & Holt 1995, section 4.3; McKinsey & Company 2009).
annualised
    ``AC = (capex CRF(r, n) + opex - savings) / a`` with the capital recovery factor
    ``CRF(r, n) = r (1+r)^n / ((1+r)^n - 1)`` (``1/n`` when ``r = 0``) over the lifetime ``n`` and
    ``a`` the mean annual abatement of the operating years (Short, Packey & Holt 1995, eq. 4-3).

The two differ by timing only. The annualised form repays the capex in ``n`` end-of-year
instalments (an ordinary annuity, present value ``capex``); the levelised form, like the scenario
engine, counts each year's flows at one point, so the first operating year is discounted like the
capex itself. For a constant measure (constant ``a``, opex and savings over ``n`` years from the
capex year) the discount sums give, exactly,

    ``LCA = (capex CRF(r, n) / (1+r) + opex - savings) / a = AC - capex CRF(r, n) r / ((1+r) a)``.

With a per-year abatement table they differ further, since the annualised form averages the
abatement without discounting it. The MACC bars and the optimiser's costs use one method at a time
(its name is in every result).

**The curve.** Measures are sorted by cost per tonne (negative costs first, ties by id); bar ``k``
spans ``x0 = sum_{j<k} w_j`` to ``x1 = x0 + w_k`` with height the cost per tonne and width ``w`` the
abatement on the chosen :class:`AbatementBasis` (in one year [t CO2e/yr], or cumulative over a
period [t CO2e]; default: cumulative over the whole horizon). Measures without a positive
discounted abatement (no cost per tonne) or with no abatement on the basis are listed, not drawn.
A MACC adds up measures as if they were independent and compatible; exclusive alternatives and
prerequisites are the optimiser's business (Kesicki & Ekins 2012), and so is the choice among
negative-cost measures, which the cost per tonne ranks badly (Taylor 2012).

**The portfolio** (:func:`optimise`). Binary ``x_m`` (1 = adopt; with ``partial=True`` continuous
in [0, 1], abatement and costs scaling with ``x``), with exclusive groups ``sum_{m in g} x_m <= 1``
and prerequisites ``x_a <= x_b`` (a needs b). Either

* **target**: minimise ``sum_m c_m x_m`` subject to ``sum_m w_m x_m >= T``; ``c`` is the present
  value of net costs ``sum_t F_t (1+r)^-(t-t0)`` [yuan] (levelised method) or the annualised cost
  ``capex CRF + opex - savings`` [yuan/yr] (annualised method); measures of negative cost that fit
  the groups are adopted even beyond the target, since they lower the cost; or
* **budget**: maximise ``sum_m w_m x_m`` subject to ``sum_m b_m x_m <= B``, ``b`` the capex
  [yuan, undiscounted] (default) or the present value of net costs [yuan]; among the selections of
  maximum abatement the cheapest (by ``c``) is returned (a second solve).

Solved by ``scipy.optimize.milp`` (HiGHS; Huangfu & Hall 2018). An unreachable target raises
:class:`InfeasibleError` with the maximum achievable abatement.

References
----------
Short, W., Packey, D.J., Holt, T. (1995). *A Manual for the Economic Evaluation of Energy
Efficiency and Renewable Energy Technologies*. NREL/TP-462-5173, National Renewable Energy
Laboratory, Golden, CO (capital recovery factor, levelised costs).
McKinsey & Company (2009). *Pathways to a Low-Carbon Economy: Version 2 of the Global Greenhouse
Gas Abatement Cost Curve* (methodology of the cost curve).
Kesicki, F., Ekins, P. (2012). Marginal abatement cost curves: a call for caution. *Climate
Policy* 12(2), 219-236. doi:10.1080/14693062.2011.582347
Taylor, S. (2012). The ranking of negative-cost emissions reduction measures. *Energy Policy* 48,
430-438.
Ibrahim, N., Kennedy, C. (2016). A methodology for constructing marginal abatement cost curves
for climate action in cities. *Energies* 9(4), 227. doi:10.3390/en9040227
Huangfu, Q., Hall, J.A.J. (2018). Parallelizing the dual revised simplex method. *Mathematical
Programming Computation* 10, 119-142 (HiGHS).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.finance import crf
from zerocity.jsonio import finite, jsonable
from zerocity.stdio import native_stdout_to_stderr

if TYPE_CHECKING:
    from zerocity.brain.scenario.model import CompiledModel
    from zerocity.factors.library import FactorLibrary

__all__ = [
    "DEFAULT_BASE_YEAR",
    "DEFAULT_DISCOUNT_RATE",
    "DEFAULT_MIP_GAP",
    "AbatementBasis",
    "BudgetBasis",
    "CostMethod",
    "Effect",
    "Goal",
    "InfeasibleError",
    "MaccCurve",
    "MaccError",
    "Measure",
    "MeasureSpec",
    "Portfolio",
    "PortfolioResult",
    "annualised_cost",
    "build_macc",
    "crf",
    "greedy",
    "levelised_cost",
    "max_abatement",
    "measures_from_records",
    "optimise",
    "portfolio_from_scenario",
    "present_value",
    "read_measures",
]

log = logging.getLogger(__name__)

#: Discount rate when neither the file nor the caller gives one [1/yr]: the scenario engine's
#: default (``ScenarioModel.discount_rate``), a convention of zerocity, not a sourced figure.
DEFAULT_DISCOUNT_RATE = 0.06
#: Base year (and start year) when no measure has a start year: a label only, since costs per
#: tonne and abatements do not depend on the calendar year when every measure starts in it.
DEFAULT_BASE_YEAR = 2025
#: Relative MIP gap at which HiGHS stops (HiGHS's own default is 1e-4) [unitless].
DEFAULT_MIP_GAP = 1e-6

_ID = r"^[A-Za-z0-9_.\-]+$"


# --------------------------------------------------------------------------- enums, errors
class CostMethod(StrEnum):
    """Cost per tonne: discounted costs over discounted abatement, or annualised cost over annual abatement."""

    LEVELISED = "levelised"
    ANNUALISED = "annualised"


class Goal(StrEnum):
    """Portfolio objective."""

    TARGET = "target"  # cheapest selection reaching a target abatement
    BUDGET = "budget"  # most abatement within a budget


class BudgetBasis(StrEnum):
    """What a budget limits: total capex (undiscounted) or the present value of net costs."""

    CAPEX = "capex"
    PV_COST = "pv_cost"


class Effect(StrEnum):
    """Abatement of a scenario measure: alone on the starting scenario, or its wedge in sequence."""

    STANDALONE = "standalone"
    WEDGE = "wedge"


class MaccError(ZerocityError, ValueError):
    """A MACC or portfolio problem that cannot be set up (options, links between measures, files)."""

    code = "macc"


class InfeasibleError(MaccError):
    """No selection satisfies the target (or budget); the message gives the best achievable value.

    Attributes
    ----------
    goal : Goal
    requested : float
        The target [t CO2e or t CO2e/yr] or budget [yuan].
    achievable : float or None
        Maximum achievable abatement (target) or minimum cost of any selection (budget).
    """

    code = "macc_infeasible"

    def __init__(self, message: str, *, goal: Goal, requested: float, achievable: float | None) -> None:
        super().__init__(message)
        self.goal = goal
        self.requested = requested
        self.achievable = achievable


# --------------------------------------------------------------------------- finance
def present_value(flows: Any, years: Any, *, rate: Any, base_year: int) -> Any:
    """Present value ``sum_t F_t (1+r)^-(t-t0)`` [unit of the flows].

    Parameters
    ----------
    flows : array_like
        Flows per year, last axis = years [e.g. yuan, or t CO2e].
    years : array_like
        Calendar years of the last axis.
    rate : float or array_like
        Discount rate [1/yr]; an array gives one rate per row of ``flows``.
    base_year : int
        ``t0``, the year discounted to.
    """
    f = np.asarray(flows, dtype=float)
    r = np.asarray(rate, dtype=float)
    t = np.asarray(years, dtype=float) - base_year
    disc = (1.0 + r[..., None]) ** -t if r.ndim else (1.0 + r) ** -t
    value = (f * disc).sum(axis=-1)
    return float(value) if np.ndim(value) == 0 else value


def levelised_cost(flows: Any, abatement: Any, years: Any, *, rate: Any, base_year: int) -> Any:
    r"""Levelised cost of abatement: discounted net costs over discounted abatement.

    :math:`LCA = \sum_t F_t (1+r)^{-(t-t_0)} / \sum_t a_t (1+r)^{-(t-t_0)}`, the definition of the
    scenario engine (``zerocity.brain.scenario.pathways._measure_cost``).

    Parameters
    ----------
    flows : array_like
        Net cost per year: capex in its year, opex minus savings in operating years [yuan].
    abatement : array_like
        Abatement per year [t CO2e], same shape as ``flows``.
    years : array_like
        Calendar years of the last axis.
    rate : float or array_like
        Discount rate [1/yr].
    base_year : int
        ``t0``.

    Returns
    -------
    float or numpy.ndarray
        [yuan per t CO2e]; NaN where the discounted abatement is not positive.

    References
    ----------
    Short, Packey & Holt (1995), section 4.3 (levelised costs); McKinsey & Company (2009).
    """
    cost = np.asarray(present_value(flows, years, rate=rate, base_year=base_year), dtype=float)
    abated = np.asarray(present_value(abatement, years, rate=rate, base_year=base_year), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(abated > 0, cost / abated, np.nan)
    return float(value) if value.ndim == 0 else value


def annualised_cost(capex: Any, opex: Any, savings: Any, *, rate: Any, lifetime: Any) -> Any:
    """Equivalent annual net cost ``capex CRF(r, n) + opex - savings`` [yuan/yr].

    Divide by the annual abatement [t CO2e/yr] for the annualised cost per tonne.

    Parameters
    ----------
    capex : float or array_like
        Investment [yuan].
    opex : float or array_like
        Operating cost [yuan/yr].
    savings : float or array_like
        Energy cost savings [yuan/yr].
    rate : float or array_like
        Discount rate [1/yr].
    lifetime : int or array_like
        Lifetime [yr].

    References
    ----------
    Short, Packey & Holt (1995), eq. (4-3); McKinsey & Company (2009).
    """
    value = np.asarray(capex, dtype=float) * crf(rate, lifetime) + np.asarray(opex, dtype=float) - savings
    return float(value) if np.ndim(value) == 0 else value


# --------------------------------------------------------------------------- measures
class MeasureSpec(BaseModel):
    """One measure as written in a measures file (YAML item or table row).

    ``abatement`` is a constant [t CO2e/yr] over the operating years, or a table ``{year: value}``
    whose values hold from their year until the next listed year (zero before the first), as the
    scenario engine's ``values:`` steps do. Operating years: ``start_year`` (default: the first
    year of the table, else the base year) to ``start_year + lifetime - 1``.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    id: str = Field(pattern=_ID)
    name: str | None = None
    abatement: float | dict[int, float]
    capex: float = Field(default=0.0, ge=0)
    opex: float = Field(default=0.0, ge=0)
    savings: float = Field(default=0.0, ge=0)
    lifetime: int = Field(ge=1, le=200)
    start_year: int | None = Field(default=None, ge=1900, le=2300)
    group: str | None = None
    prerequisites: list[str] = []
    discount_rate: float | None = Field(default=None, gt=-1, lt=1)
    description: str | None = None

    @field_validator("abatement")
    @classmethod
    def _abatement(cls, v: float | dict[int, float]) -> float | dict[int, float]:
        values = list(v.values()) if isinstance(v, dict) else [v]
        if isinstance(v, dict) and not v:
            raise ValueError("a per-year abatement table needs at least one year")
        if any(not math.isfinite(x) or x < 0 for x in values):
            raise ValueError("abatement must be finite and >= 0 [t CO2e/yr]")
        return v


class MeasureFile(BaseModel):
    """A YAML measures file: settings and a list of measures."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    version: Literal[1] = 1
    name: str | None = None
    source: str | None = None
    currency: str = "CNY"
    base_year: int | None = Field(default=None, ge=1900, le=2300)
    discount_rate: float | None = Field(default=None, gt=-1, lt=1)
    measures: list[Any]


@dataclass(frozen=True, eq=False)
class Measure:
    """A compiled measure: yearly abatement over its operating years and its costs.

    Attributes
    ----------
    id, name : str
    start_year : int
        First operating year.
    lifetime : int
        Operating years [yr]; they run ``start_year .. start_year + lifetime - 1``.
    abatement : numpy.ndarray
        Abatement of each operating year [t CO2e/yr], length ``lifetime``.
    capex : float
        Investment [yuan], spent in ``capex_year`` (default: the start year).
    opex, savings : float
        Operating cost and energy cost savings in every operating year [yuan/yr].
    discount_rate : float
        [1/yr].
    group : str or None
        Exclusive group: at most one measure of a group is adopted.
    prerequisites : tuple of str
        Ids of measures that must be adopted for this one to be.
    """

    id: str
    name: str
    start_year: int
    lifetime: int
    abatement: np.ndarray
    capex: float = 0.0
    opex: float = 0.0
    savings: float = 0.0
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    group: str | None = None
    prerequisites: tuple[str, ...] = ()
    capex_year: int | None = None

    @property
    def end_year(self) -> int:
        """Last operating year."""
        return self.start_year + self.lifetime - 1


def _link_issues(measures: Sequence[Measure]) -> list[tuple[int, str, str, str]]:
    """Problems of ids, groups and prerequisites: (index, field, message, value)."""
    issues: list[tuple[int, str, str, str]] = []
    index: dict[str, int] = {}
    for i, m in enumerate(measures):
        if m.id in index:
            issues.append((i, "id", f"duplicate id (first at measure {index[m.id] + 1})", m.id))
        else:
            index[m.id] = i
    for i, m in enumerate(measures):
        for p in m.prerequisites:
            if p == m.id:
                issues.append((i, "prerequisites", "a measure cannot be its own prerequisite", p))
            elif p not in index:
                issues.append((i, "prerequisites", "unknown measure id", p))
    if issues:
        return issues
    # Transitive closure (the prerequisites of prerequisites), cycles, group conflicts.
    closure: dict[str, set[str]] = {}

    def walk(mid: str, stack: tuple[str, ...]) -> set[str]:
        if mid in closure:
            return closure[mid]
        found: set[str] = set()
        for p in measures[index[mid]].prerequisites:
            if p in stack:
                raise _CycleError((*stack[stack.index(p) :], mid, p))
            found |= {p} | walk(p, (*stack, mid))
        closure[mid] = found
        return found

    for i, m in enumerate(measures):
        try:
            needed = walk(m.id, ())
        except _CycleError as cycle:
            issues.append((i, "prerequisites", f"prerequisite cycle {' -> '.join(cycle.path)}", ",".join(cycle.path)))
            continue
        by_group: dict[str, list[str]] = {}
        for mid in {m.id} | needed:
            group = measures[index[mid]].group
            if group is not None:
                by_group.setdefault(group, []).append(mid)
        for group, members in by_group.items():
            if len(members) > 1:
                issues.append(
                    (
                        i,
                        "prerequisites",
                        f"can never be adopted: it needs {', '.join(sorted(members))}, exclusive in group {group!r}",
                        group,
                    )
                )
    return issues


class _CycleError(Exception):
    def __init__(self, path: tuple[str, ...]) -> None:
        self.path = path


@dataclass(eq=False)
class Portfolio:
    """Measures on a common year axis, with their per-year abatement and net cost flows.

    Attributes
    ----------
    measures : tuple of Measure
    base_year : int
        Year costs and abatement are discounted to.
    currency : str
    source : str
        Where the measures came from (file, or scenario model and scenarios).
    notes : list of str
        What the numbers are (e.g. which scenario effect gave the abatement), and anything left out.
    years : numpy.ndarray
        Horizon: every year from the first capex or operating year (or the base year) to the last.
    abatement : numpy.ndarray
        (measures, years) [t CO2e/yr].
    flows : numpy.ndarray
        (measures, years) net cost: capex in its year plus opex minus savings [yuan].

    Raises
    ------
    MaccError
        Duplicate ids, unknown or cyclic prerequisites, or measures that can never be adopted
        because they need two measures of one exclusive group.
    """

    measures: tuple[Measure, ...]
    base_year: int
    currency: str = "CNY"
    source: str = "<measures>"
    notes: list[str] = field(default_factory=list)
    years: np.ndarray = field(init=False)
    abatement: np.ndarray = field(init=False)
    flows: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.measures = tuple(self.measures)
        if not self.measures:
            raise MaccError(f"{self.source}: no measures")
        issues = _link_issues(self.measures)
        if issues:
            lines = [f"  {self.source}: measure {self.measures[i].id!r}, {f}: {msg} ({v!r})" for i, f, msg, v in issues]
            raise MaccError(f"{self.source}: {len(issues)} problem(s) with measure links\n" + "\n".join(lines))
        first = min([self.base_year, *(m.start_year for m in self.measures)])
        first = min([first, *(m.capex_year for m in self.measures if m.capex_year is not None)])
        last = max([self.base_year, *(m.end_year for m in self.measures)])
        last = max([last, *(m.capex_year for m in self.measures if m.capex_year is not None)])
        self.years = np.arange(first, last + 1)
        n, t = len(self.measures), len(self.years)
        self.abatement = np.zeros((n, t))
        self.flows = np.zeros((n, t))
        for i, m in enumerate(self.measures):
            k = m.start_year - first
            self.abatement[i, k : k + m.lifetime] = m.abatement
            self.flows[i, k : k + m.lifetime] = m.opex - m.savings
            self.flows[i, (m.capex_year if m.capex_year is not None else m.start_year) - first] += m.capex

    @property
    def ids(self) -> list[str]:
        """Measure ids in input order."""
        return [m.id for m in self.measures]

    @property
    def rates(self) -> np.ndarray:
        """Discount rate of each measure [1/yr]."""
        return np.array([m.discount_rate for m in self.measures])

    def costs(self) -> pd.DataFrame:
        """One row per measure (index ``id``): inputs and both cost metrics.

        Columns: ``name``, ``group``, ``prerequisites``, ``start_year``, ``end_year``,
        ``lifetime`` [yr], ``capex`` [yuan], ``opex``, ``savings`` [yuan/yr], ``discount_rate``
        [1/yr], ``pv_cost`` (present value of net costs at the base year) [yuan],
        ``pv_abatement`` [t CO2e], ``cumulative_abatement`` [t CO2e], ``mean_annual_abatement``
        (over the operating years) [t CO2e/yr], ``levelised_cost`` [yuan/t CO2e; NaN without a
        positive discounted abatement], ``crf`` [1/yr], ``annualised_cost`` [yuan/yr],
        ``annualised_cost_per_t`` [yuan/t CO2e; NaN without a positive mean abatement].
        """
        ms = self.measures
        rates = self.rates
        lifetime = np.array([m.lifetime for m in ms], dtype=float)
        capex = np.array([m.capex for m in ms])
        opex = np.array([m.opex for m in ms])
        savings = np.array([m.savings for m in ms])
        pv_cost = present_value(self.flows, self.years, rate=rates, base_year=self.base_year)
        pv_abated = present_value(self.abatement, self.years, rate=rates, base_year=self.base_year)
        mean_abated = np.array([float(np.mean(m.abatement)) for m in ms])
        annual = annualised_cost(capex, opex, savings, rate=rates, lifetime=lifetime)
        with np.errstate(divide="ignore", invalid="ignore"):
            lca = np.where(pv_abated > 0, pv_cost / pv_abated, np.nan)
            per_t = np.where(mean_abated > 0, annual / mean_abated, np.nan)
        return pd.DataFrame(
            {
                "name": [m.name for m in ms],
                "group": [m.group for m in ms],
                "prerequisites": [";".join(m.prerequisites) for m in ms],
                "start_year": [m.start_year for m in ms],
                "end_year": [m.end_year for m in ms],
                "lifetime": lifetime.astype(int),
                "capex": capex,
                "opex": opex,
                "savings": savings,
                "discount_rate": rates,
                "pv_cost": pv_cost,
                "pv_abatement": pv_abated,
                "cumulative_abatement": self.abatement.sum(axis=1),
                "mean_annual_abatement": mean_abated,
                "levelised_cost": lca,
                "crf": crf(rates, lifetime),
                "annualised_cost": annual,
                "annualised_cost_per_t": per_t,
            },
            index=pd.Index(self.ids, name="id"),
        )

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary of where the measures came from."""
        return {
            "source": self.source,
            "measures": len(self.measures),
            "base_year": self.base_year,
            "horizon": [int(self.years[0]), int(self.years[-1])],
            "currency": self.currency,
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- reading
def _step_table(table: Mapping[int, float], start: int, lifetime: int) -> np.ndarray:
    """Values holding from their year until the next listed year; zero before the first."""
    years = np.arange(start, start + lifetime)
    out = np.zeros(lifetime)
    for year in sorted(table):
        out[years >= year] = table[year]
    return out


def measures_from_records(
    records: Sequence[Mapping[str, Any]],
    *,
    source: str = "<measures>",
    base_year: int | None = None,
    discount_rate: float | None = None,
    currency: str = "CNY",
    notes: Sequence[str] = (),
) -> Portfolio:
    """Validate measure records (as in a measures file) and build a :class:`Portfolio`.

    Parameters
    ----------
    records : sequence of mapping
        One mapping per measure with the fields of :class:`MeasureSpec`.
    source : str
        Name of the input in error messages.
    base_year : int, optional
        Year discounted to; default: the earliest start year (or first year of an abatement
        table), else :data:`DEFAULT_BASE_YEAR`. Measures without a start year start in it.
    discount_rate : float, optional
        For measures without their own [1/yr]; default :data:`DEFAULT_DISCOUNT_RATE`.
    currency : str
        Currency of the costs.

    Raises
    ------
    InvalidRecordsError
        Every invalid field, with its measure (row, 1-based) and what was expected.
    MaccError
        Problems with the links between measures.
    """
    specs: list[tuple[int, MeasureSpec]] = []
    issues: list[RecordIssue] = []
    for row, rec in enumerate(records, start=1):
        if not isinstance(rec, Mapping):
            issues.append(RecordIssue(row, "", "expected a mapping of measure fields", str(rec)))
            continue
        try:
            specs.append((row, MeasureSpec.model_validate(dict(rec))))
        except ValidationError as exc:
            for e in exc.errors():
                loc = ".".join(str(p) for p in e["loc"] if not _is_union_tag(p)) or ""
                value = e.get("input")
                shown = "" if isinstance(value, Mapping) else str(value)
                issues.append(RecordIssue(row, loc, e["msg"], shown))
    if issues:
        raise InvalidRecordsError(source, _dedupe(issues))
    starts = [
        s.start_year if s.start_year is not None else min(s.abatement) if isinstance(s.abatement, dict) else None
        for _, s in specs
    ]
    t0 = base_year if base_year is not None else min((s for s in starts if s is not None), default=DEFAULT_BASE_YEAR)
    rate = DEFAULT_DISCOUNT_RATE if discount_rate is None else discount_rate
    measures: list[Measure] = []
    for (row, s), start in zip(specs, starts, strict=True):
        first = start if start is not None else t0
        if isinstance(s.abatement, dict):
            outside = [y for y in s.abatement if not first <= y < first + s.lifetime]
            if outside:
                msg = f"abatement years {sorted(outside)} outside the operating years {first}-{first + s.lifetime - 1}"
                issues.append(RecordIssue(row, "abatement", msg))
                continue
            abated = _step_table(s.abatement, first, s.lifetime)
        else:
            abated = np.full(s.lifetime, float(s.abatement))
        measures.append(
            Measure(
                id=s.id,
                name=s.name or s.id,
                start_year=first,
                lifetime=s.lifetime,
                abatement=abated,
                capex=s.capex,
                opex=s.opex,
                savings=s.savings,
                discount_rate=rate if s.discount_rate is None else s.discount_rate,
                group=s.group or None,
                prerequisites=tuple(s.prerequisites),
            )
        )
    if not issues:
        links = _link_issues(measures)
        issues = [RecordIssue(specs[i][0], f, msg, v) for i, f, msg, v in links]
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    return Portfolio(tuple(measures), base_year=t0, currency=currency, source=source, notes=list(notes))


def _is_union_tag(p: Any) -> bool:
    return isinstance(p, str) and (p in {"float", "int", "str"} or p.startswith("dict["))


def _dedupe(issues: list[RecordIssue]) -> list[RecordIssue]:
    seen: dict[tuple[int, str], RecordIssue] = {}
    for i in issues:
        seen.setdefault((i.row, i.column), i)
    return sorted(seen.values(), key=lambda i: (i.row, i.column))


_TABLE_COLUMNS = (
    "id",
    "name",
    "abatement",
    "capex",
    "opex",
    "savings",
    "lifetime",
    "start_year",
    "group",
    "prerequisites",
    "discount_rate",
    "description",
)
_YEAR_COLUMN = re.compile(r"^abatement_(\d{4})$")


def _table_records(frame: pd.DataFrame, source: str) -> list[dict[str, Any]]:
    """Rows of a measures table as records; ``abatement_<year>`` columns form a per-year table."""
    frame = frame.rename(columns=lambda c: str(c).strip())
    year_cols = {c: int(m.group(1)) for c in frame.columns if (m := _YEAR_COLUMN.match(c))}
    unknown = [c for c in frame.columns if c not in _TABLE_COLUMNS and c not in year_cols]
    issues = [
        RecordIssue(0, c, f"unknown column; expected {', '.join(_TABLE_COLUMNS)} or abatement_<year>") for c in unknown
    ]
    if "id" not in frame.columns:
        issues.append(RecordIssue(0, "id", "missing column"))
    if issues:
        raise InvalidRecordsError(source, issues)
    records = []
    for row, values in enumerate(frame.to_dict(orient="records"), start=1):
        rec: dict[str, Any] = {}
        table: dict[int, Any] = {}
        for key, value in values.items():
            if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
                continue
            if key in year_cols:
                table[year_cols[key]] = value
            elif key == "prerequisites":
                rec[key] = [p for p in re.split(r"[;,\s]+", str(value)) if p]
            elif key in {"id", "name", "group", "description"}:
                rec[key] = _text(value)
            else:
                rec[key] = value
        if table:
            if "abatement" in rec:
                raise InvalidRecordsError(
                    source, [RecordIssue(row, "abatement", "give either abatement or abatement_<year> columns")]
                )
            rec["abatement"] = table
        records.append(rec)
    return records


def _text(value: Any) -> str:
    """Cell text; a whole number read as float (Excel) loses its ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_measures(
    path: Path | str,
    *,
    sheet: str | None = None,
    base_year: int | None = None,
    discount_rate: float | None = None,
) -> Portfolio:
    """Read a measures file: CSV, XLSX (first sheet or ``sheet``) or YAML.

    Tables have one row per measure and the columns ``id``, ``name``, ``abatement`` [t CO2e/yr]
    (or ``abatement_<year>`` columns, a per-year table), ``capex`` [yuan], ``opex``, ``savings``
    [yuan/yr], ``lifetime`` [yr], ``start_year``, ``group``, ``prerequisites`` (ids separated by
    ``;``), ``discount_rate``, ``description``; blank cells take the defaults. YAML has the
    settings ``base_year``, ``discount_rate``, ``currency``, ``name``, ``source`` and a list
    ``measures`` of the same fields (see docs/macc.md).

    Parameters
    ----------
    base_year, discount_rate : optional
        Override the file's settings (a measure's own ``discount_rate`` still wins).

    Raises
    ------
    MaccError
        Unreadable file or unknown format; invalid YAML settings.
    InvalidRecordsError
        Invalid measures, with row (1-based measure number) and field.
    """
    p = Path(path)
    source = str(path)
    suffix = p.suffix.lower()
    try:
        if suffix in {".yaml", ".yml"}:
            raw = yaml.safe_load(p.read_text(encoding="utf-8"))
        elif suffix in {".xlsx", ".xlsm"}:
            frame = pd.read_excel(p, sheet_name=sheet or 0, dtype=object)
        elif suffix == ".csv":
            frame = pd.read_csv(p, dtype=str, keep_default_na=False, skipinitialspace=True)
        else:
            raise MaccError(f"{source}: unknown format {suffix!r}; expected .csv, .xlsx or .yaml")
    except (OSError, ValueError, yaml.YAMLError) as exc:
        if isinstance(exc, MaccError):
            raise
        raise MaccError(f"{source}: cannot read measures: {exc}") from exc
    if suffix in {".yaml", ".yml"}:
        if isinstance(raw, list):
            raw = {"measures": raw}
        if not isinstance(raw, Mapping):
            raise MaccError(f"{source}: expected a mapping with 'measures' (or a list of measures)")
        try:
            spec = MeasureFile.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise MaccError(f"{source}: {problems}") from None
        notes = [f"measures file {spec.name or p.name}" + (f"; source: {spec.source}" if spec.source else "")]
        return measures_from_records(
            spec.measures,
            source=source,
            base_year=base_year if base_year is not None else spec.base_year,
            discount_rate=discount_rate if discount_rate is not None else spec.discount_rate,
            currency=spec.currency,
            notes=notes,
        )
    records = _table_records(frame, source)
    return measures_from_records(
        records, source=source, base_year=base_year, discount_rate=discount_rate, notes=[f"measures file {p.name}"]
    )


def portfolio_from_scenario(
    model: CompiledModel | Path | str,
    start: str,
    end: str,
    *,
    effect: Effect | str = Effect.STANDALONE,
    level: str | None = None,
    discount_rate: float | None = None,
    groups: Mapping[str, str] | None = None,
    prerequisites: Mapping[str, Sequence[str]] | None = None,
    library: FactorLibrary | None = None,
) -> Portfolio:
    """Measures of a scenario model, with abatement from its wedges and costs from the model.

    For each measure applied between scenario ``start`` and its descendant ``end`` (see
    :func:`zerocity.brain.scenario.wedges`), the abatement per year is its **standalone** effect
    (the measure alone on top of ``start``; default) or its **wedge** (its step in the order ``end``
    applies the measures, so that interactions fall to the later one and the wedges add up to
    ``start - end``). Standalone effects of interacting measures overlap: adopting several of
    them counts the overlap more than once (Kesicki & Ekins 2012).

    Costs, timing and discounting are the scenario engine's (``_measure_cost``): operating years
    from the measure's first override year to the model's end year (the lifetime is cut at the
    horizon), capex in ``capex_year`` (default: the first override year), the model's
    ``opex_per_year`` (net of savings: a negative value is taken as savings) in every operating
    year, the model's discount rate and base year. Measures without ``cost`` are left out (noted).

    Parameters
    ----------
    model : CompiledModel or path
        Scenario model (``zerocity.brain.scenario.load_model``).
    start, end : str
        Scenario names; ``end`` must inherit from ``start``.
    effect : Effect
        ``standalone`` or ``wedge``.
    level : str, optional
        GPC level of the totals (default: the model's report level).
    discount_rate : float, optional
        Instead of the model's [1/yr].
    groups : mapping, optional
        Measure id -> exclusive group.
    prerequisites : mapping, optional
        Measure id -> ids it needs.
    library : FactorLibrary, optional
        Factor library of the runs (default: the shipped datasets).
    """
    from zerocity.brain.scenario import load_model, wedges

    compiled = model if not isinstance(model, Path | str) else load_model(model)
    how = Effect(effect)
    table = wedges(compiled, start, end, level=level, library=library)
    series = table.standalone if how is Effect.STANDALONE else table.table
    spec = compiled.spec
    years = np.arange(spec.base_year, spec.end_year + 1)
    rate = spec.discount_rate if discount_rate is None else discount_rate
    groups = dict(groups or {})
    prerequisites = dict(prerequisites or {})
    notes = [
        f"abatement: {how.value} effect of each measure"
        + (
            f" (alone on top of {start})"
            if how is Effect.STANDALONE
            else f" (wedge in the order {end} applies the measures; interactions to the later one)"
        )
        + f", {table.level} totals of scenario model {compiled.source}, {start} -> {end}"
    ]
    measures: list[Measure] = []
    currencies = set()
    for name in table.standalone.columns:
        m = spec.measures[name]
        if m.cost is None:
            notes.append(f"{name}: no cost in the model, left out")
            log.warning("%s: measure %s has no cost; left out of the MACC", compiled.source, name)
            continue
        first = min((s for _, _, s in compiled.overrides_of_measure[name]), default=spec.base_year + 1)
        abated = series[name].to_numpy(dtype=float)
        before = abated[years < first]
        if np.any(np.abs(before) > 1e-9 * max(1.0, float(np.abs(abated).max()))):
            log.warning("%s: %s abates before its first override year %d; ignored", compiled.source, name, first)
        currencies.add(m.cost.currency)
        net = m.cost.opex_per_year
        measures.append(
            Measure(
                id=name,
                name=m.description or name,
                start_year=first,
                lifetime=spec.end_year - first + 1,
                abatement=abated[years >= first],
                capex=m.cost.capex,
                opex=max(net, 0.0),
                savings=max(-net, 0.0),
                discount_rate=rate,
                group=groups.get(name),
                prerequisites=tuple(prerequisites.get(name, ())),
                capex_year=m.cost.capex_year or first,
            )
        )
    if len(currencies) > 1:
        raise MaccError(f"{compiled.source}: measures cost in several currencies {sorted(currencies)}")
    if not measures:
        raise MaccError(f"{compiled.source}: no measure with costs between {start!r} and {end!r}")
    return Portfolio(
        tuple(measures),
        base_year=spec.base_year,
        currency=currencies.pop(),
        source=f"{compiled.source} ({start} -> {end})",
        notes=notes,
    )


# --------------------------------------------------------------------------- abatement basis
@dataclass(frozen=True)
class AbatementBasis:
    """What "abatement" means for the MACC widths and the optimiser: one year, or cumulative.

    Attributes
    ----------
    year : int, optional
        Abatement in this year [t CO2e/yr].
    period : tuple of int, optional
        Cumulative abatement over ``period[0] .. period[1]`` inclusive [t CO2e].

    With neither, the cumulative abatement over the portfolio's whole horizon.
    """

    year: int | None = None
    period: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if self.year is not None and self.period is not None:
            raise MaccError("give a year or a period for the abatement, not both")
        if self.period is not None and self.period[0] > self.period[1]:
            raise MaccError(f"period {self.period[0]}-{self.period[1]}: the first year is after the last")

    @classmethod
    def parse(cls, year: int | None = None, period: str | None = None) -> AbatementBasis:
        """From command-line text: ``period`` as ``2026:2035`` (or ``2026-2035``)."""
        if period is None:
            return cls(year=year)
        m = re.fullmatch(r"\s*(\d{4})\s*[:\-]\s*(\d{4})\s*", period)
        if not m:
            raise MaccError(f"period {period!r}: expected FIRST:LAST, e.g. 2026:2035")
        return cls(year=year, period=(int(m.group(1)), int(m.group(2))))

    def weights(self, years: np.ndarray) -> np.ndarray:
        """1 for the years counted, 0 otherwise; raises when the years fall outside ``years``."""
        lo, hi = int(years[0]), int(years[-1])
        if self.year is not None:
            if not lo <= self.year <= hi:
                raise MaccError(f"year {self.year} is outside the measures' horizon {lo}-{hi}")
            return (years == self.year).astype(float)
        if self.period is not None:
            a, b = self.period
            if b < lo or a > hi:
                raise MaccError(f"period {a}-{b} does not overlap the measures' horizon {lo}-{hi}")
            return ((years >= a) & (years <= b)).astype(float)
        return np.ones(len(years))

    def describe(self, years: np.ndarray) -> dict[str, Any]:
        """Kind, years and unit, e.g. ``{"kind": "year", "year": 2030, "unit": "t CO2e/yr"}``."""
        if self.year is not None:
            return {"kind": "year", "year": self.year, "unit": "t CO2e/yr", "label": f"abatement in {self.year}"}
        a, b = self.period if self.period is not None else (int(years[0]), int(years[-1]))
        return {"kind": "cumulative", "period": [a, b], "unit": "t CO2e", "label": f"cumulative abatement {a}-{b}"}


# --------------------------------------------------------------------------- MACC
@dataclass
class MaccCurve:
    """A marginal abatement cost curve: measures sorted by cost per tonne, bar geometry.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per measure in curve order (drawn bars first, by cost; then measures not drawn):
        ``rank`` (1-based; None when not drawn), ``id``, ``name``, ``group``, ``cost_per_t``
        [currency/t CO2e] (the chosen method), ``levelised_cost``, ``annualised_cost_per_t``,
        ``abatement`` (on the basis), ``x0``, ``x1``, ``cumulative_abatement`` (= ``x1``)
        [basis unit], ``pv_cost`` [currency], ``annualised_cost`` [currency/yr], ``capex``,
        ``drawn`` and ``reason`` (why a measure is not drawn).
    """

    portfolio: Portfolio
    cost_method: CostMethod
    basis: AbatementBasis
    table: pd.DataFrame

    def bars(self) -> list[dict[str, Any]]:
        """Chart data: ``{id, name, group, x0, x1, width, height}`` for each drawn bar, in order."""
        drawn = self.table[self.table["drawn"]]
        return [
            {
                "id": r.id,
                "name": r.name,
                "group": r.group,
                "x0": float(r.x0),
                "x1": float(r.x1),
                "width": float(r.abatement),
                "height": float(r.cost_per_t),
            }
            for r in drawn.itertuples(index=False)
        ]

    @property
    def total_abatement(self) -> float:
        """Right end of the curve [basis unit]."""
        drawn = self.table[self.table["drawn"]]
        return float(drawn["x1"].iloc[-1]) if len(drawn) else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: method, basis, axes, the table and the bars."""
        basis = self.basis.describe(self.portfolio.years)
        cur = self.portfolio.currency
        return jsonable(
            {
                "cost_method": self.cost_method.value,
                "basis": basis,
                "axes": {
                    "x": f"{basis['label']} [{basis['unit']}]",
                    "y": f"{self.cost_method.value} cost [{cur}/t CO2e]",
                },
                "portfolio": self.portfolio.describe(),
                "total_abatement": self.total_abatement,
                "measures": self.table.to_dict(orient="records"),
                "bars": self.bars(),
            }
        )


def _cost_per_t(costs: pd.DataFrame, method: CostMethod) -> np.ndarray:
    column = "levelised_cost" if method is CostMethod.LEVELISED else "annualised_cost_per_t"
    return costs[column].to_numpy(dtype=float)


def build_macc(
    portfolio: Portfolio,
    *,
    cost_method: CostMethod | str = CostMethod.LEVELISED,
    basis: AbatementBasis | None = None,
) -> MaccCurve:
    """The MACC of a portfolio: bars sorted by cost per tonne, widths the abatement on ``basis``.

    Parameters
    ----------
    portfolio : Portfolio
    cost_method : CostMethod
        Bar height: levelised (default) or annualised cost [currency/t CO2e].
    basis : AbatementBasis, optional
        Bar width: abatement in a year or cumulative over a period (default: over the horizon).

    Returns
    -------
    MaccCurve
    """
    method = CostMethod(cost_method)
    basis = basis or AbatementBasis()
    costs = portfolio.costs()
    width = portfolio.abatement @ basis.weights(portfolio.years)
    per_t = _cost_per_t(costs, method)
    frame = pd.DataFrame(
        {
            "id": costs.index,
            "name": costs["name"].to_numpy(),
            "group": costs["group"].to_numpy(),
            "cost_per_t": per_t,
            "levelised_cost": costs["levelised_cost"].to_numpy(),
            "annualised_cost_per_t": costs["annualised_cost_per_t"].to_numpy(),
            "abatement": width,
            "pv_cost": costs["pv_cost"].to_numpy(),
            "annualised_cost": costs["annualised_cost"].to_numpy(),
            "capex": costs["capex"].to_numpy(),
        }
    )
    reason = np.where(np.isnan(per_t), "no cost per tonne (no positive abatement)", "")
    reason = np.where((reason == "") & ~(width > 0), "no abatement on the basis", reason)
    frame["drawn"] = reason == ""
    frame["reason"] = [r or None for r in reason.tolist()]
    frame = frame.sort_values(["drawn", "cost_per_t", "id"], ascending=[False, True, True], kind="mergesort")
    frame = frame.reset_index(drop=True)
    drawn = frame["drawn"].to_numpy()
    widths = np.where(drawn, frame["abatement"].to_numpy(), 0.0)
    x1 = np.cumsum(widths)
    frame["x0"] = x1 - widths
    frame["x1"] = x1
    frame["cumulative_abatement"] = x1
    frame.insert(0, "rank", pd.array([i + 1 if d else None for i, d in enumerate(drawn)], dtype="Int64"))
    log.info("MACC of %d measures (%d drawn), %s cost", len(frame), int(drawn.sum()), method.value)
    return MaccCurve(portfolio, method, basis, frame)


# --------------------------------------------------------------------------- optimisation
@dataclass
class PortfolioResult:
    """A chosen portfolio and how it was found.

    Attributes
    ----------
    goal : Goal
    method : str
        ``milp`` (HiGHS branch and bound), ``lp`` (partial adoption) or ``greedy``.
    status : str
        ``optimal``, ``time_limit`` (best found, see ``mip_gap``), or for greedy ``heuristic`` /
        ``not_reached``.
    message : str
        The solver's message.
    adoption : dict
        Measure id -> adopted share x (0 or 1 unless partial).
    selected : list of str
        Ids with x > 0, in input order.
    requested : float
        Target [basis unit] or budget [currency].
    abatement : float
        Abatement of the selection on the basis [t CO2e/yr or t CO2e].
    cost : float
        Objective cost of the selection: present value of net costs [currency] (levelised
        method) or annualised cost [currency/yr] (annualised method).
    capex, pv_cost, annualised_cost : float
        Totals of the selection [currency, currency, currency/yr].
    objective : float or None
        The solver's objective: the cost (target) or the abatement (budget).
    mip_gap : float or None
        Relative gap between the objective and HiGHS's bound (0 = proven optimal; None for LP
        and greedy).
    dual_bound : float or None
        HiGHS's bound on the objective, in the objective's sign.
    nodes : int or None
        Branch-and-bound nodes.
    seconds : float
        Wall time of the solve(s) [s].
    """

    goal: Goal
    method: str
    status: str
    message: str
    cost_method: CostMethod
    budget_basis: BudgetBasis | None
    basis: dict[str, Any]
    currency: str
    requested: float
    adoption: dict[str, float]
    abatement: float
    cost: float
    capex: float
    pv_cost: float
    annualised_cost: float
    objective: float | None = None
    mip_gap: float | None = None
    dual_bound: float | None = None
    nodes: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def selected(self) -> list[str]:
        """Ids adopted (x > 0), in input order."""
        return [k for k, v in self.adoption.items() if v > 0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return jsonable(
            {
                "goal": self.goal.value,
                "method": self.method,
                "status": self.status,
                "message": self.message,
                "cost_method": self.cost_method.value,
                "cost_definition": _COST_DEFINITION[self.cost_method],
                "budget_basis": self.budget_basis.value if self.budget_basis else None,
                "basis": self.basis,
                "currency": self.currency,
                "target" if self.goal is Goal.TARGET else "budget": self.requested,
                "selected": self.selected,
                "adoption": {k: v for k, v in self.adoption.items() if v > 0},
                "abatement": self.abatement,
                "cost": self.cost,
                "capex": self.capex,
                "pv_cost": self.pv_cost,
                "annualised_cost": self.annualised_cost,
                "objective": self.objective,
                "mip_gap": self.mip_gap,
                "dual_bound": self.dual_bound,
                "nodes": self.nodes,
                "seconds": self.seconds,
                "notes": self.notes,
            }
        )


_COST_DEFINITION = {
    CostMethod.LEVELISED: "present value of net costs at the base year [currency]",
    CostMethod.ANNUALISED: "annualised cost capex*CRF + opex - savings [currency/yr]",
}


@dataclass(frozen=True)
class _Problem:
    """Vectors and structural constraints of a portfolio problem."""

    ids: list[str]
    weight: np.ndarray  # abatement on the basis
    cost: np.ndarray  # objective cost
    spend: np.ndarray  # budget use
    capex: np.ndarray
    pv_cost: np.ndarray
    annual: np.ndarray
    rows: sparse.csr_array | None  # groups (<= 1) and prerequisites (<= 0)
    upper: np.ndarray
    basis: dict[str, Any]


def _problem(
    portfolio: Portfolio, basis: AbatementBasis | None, cost_method: CostMethod, budget_basis: BudgetBasis
) -> _Problem:
    basis = basis or AbatementBasis()
    costs = portfolio.costs()
    index = {m.id: i for i, m in enumerate(portfolio.measures)}
    data: list[float] = []
    ri: list[int] = []
    ci: list[int] = []
    upper: list[float] = []
    groups: dict[str, list[int]] = {}
    for i, m in enumerate(portfolio.measures):
        if m.group is not None:
            groups.setdefault(m.group, []).append(i)
    for members in groups.values():
        if len(members) > 1:
            r = len(upper)
            ri += [r] * len(members)
            ci += members
            data += [1.0] * len(members)
            upper.append(1.0)
    for i, m in enumerate(portfolio.measures):
        for p in m.prerequisites:  # x_i - x_p <= 0
            r = len(upper)
            ri += [r, r]
            ci += [i, index[p]]
            data += [1.0, -1.0]
            upper.append(0.0)
    n = len(portfolio.measures)
    rows = sparse.csr_array((data, (ri, ci)), shape=(len(upper), n)) if upper else None
    pv = costs["pv_cost"].to_numpy(dtype=float)
    annual = costs["annualised_cost"].to_numpy(dtype=float)
    capex = costs["capex"].to_numpy(dtype=float)
    return _Problem(
        ids=portfolio.ids,
        weight=portfolio.abatement @ basis.weights(portfolio.years),
        cost=pv if cost_method is CostMethod.LEVELISED else annual,
        spend=capex if budget_basis is BudgetBasis.CAPEX else pv,
        capex=capex,
        pv_cost=pv,
        annual=annual,
        rows=rows,
        upper=np.asarray(upper),
        basis=basis.describe(portfolio.years),
    )


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray | None
    status: int
    message: str
    fun: float | None
    gap: float | None
    bound: float | None
    nodes: int | None


def _solve(
    prob: _Problem,
    c: np.ndarray,
    extra: list[tuple[np.ndarray, float, float]],
    *,
    partial: bool,
    time_limit: float | None,
    mip_rel_gap: float,
) -> _Solution:
    """``min c x`` over the structure plus ``lb <= a x <= ub`` rows, x binary or in [0, 1]."""
    n = len(prob.ids)
    constraints = []
    if prob.rows is not None:
        constraints.append(LinearConstraint(prob.rows, -np.inf, prob.upper))
    for a, lb, ub in extra:
        constraints.append(LinearConstraint(a.reshape(1, -1), lb, ub))
    options: dict[str, Any] = {"mip_rel_gap": mip_rel_gap}
    if time_limit is not None:
        options["time_limit"] = time_limit
    with native_stdout_to_stderr():
        res = milp(
            c,
            constraints=constraints,
            integrality=np.zeros(n) if partial else np.ones(n),
            bounds=Bounds(0.0, 1.0),
            options=options,
        )
    x = None if res.x is None else np.clip(res.x if partial else np.round(res.x), 0.0, 1.0)
    return _Solution(
        x=x,
        status=int(res.status),
        message=str(res.message),
        fun=None if res.fun is None else float(res.fun),
        gap=None if partial else finite(getattr(res, "mip_gap", None)),
        bound=None if partial else finite(getattr(res, "mip_dual_bound", None)),
        nodes=None if partial else getattr(res, "mip_node_count", None),
    )


def _check_solution(sol: _Solution) -> None:
    if sol.status in (0, 2):
        return
    if sol.status == 1 and sol.x is not None:
        return
    if sol.status == 1:
        raise MaccError(f"the solver stopped before finding a feasible selection: {sol.message}")
    raise MaccError(f"the solver failed (status {sol.status}): {sol.message}")


def max_abatement(
    portfolio: Portfolio, *, basis: AbatementBasis | None = None, partial: bool = False
) -> tuple[float, list[str]]:
    """The most abatement any selection can reach under the groups and prerequisites.

    Returns
    -------
    tuple
        Abatement [basis unit] and the ids of one selection reaching it.
    """
    prob = _problem(portfolio, basis, CostMethod.LEVELISED, BudgetBasis.CAPEX)
    sol = _solve(prob, -prob.weight, [], partial=partial, time_limit=None, mip_rel_gap=DEFAULT_MIP_GAP)
    _check_solution(sol)
    assert sol.x is not None  # the empty selection is always feasible
    return float(prob.weight @ sol.x), [i for i, v in zip(prob.ids, sol.x, strict=True) if v > 0]


def optimise(
    portfolio: Portfolio,
    *,
    target: float | None = None,
    budget: float | None = None,
    basis: AbatementBasis | None = None,
    cost_method: CostMethod | str = CostMethod.LEVELISED,
    budget_basis: BudgetBasis | str = BudgetBasis.CAPEX,
    partial: bool = False,
    time_limit: float | None = None,
    mip_rel_gap: float = DEFAULT_MIP_GAP,
) -> PortfolioResult:
    """Choose measures: the cheapest selection reaching ``target``, or the most abatement within ``budget``.

    Parameters
    ----------
    portfolio : Portfolio
    target : float, optional
        Abatement to reach on ``basis`` [t CO2e/yr in a year, or t CO2e cumulative], >= 0.
    budget : float, optional
        Limit on ``budget_basis`` [currency]. Exactly one of ``target`` and ``budget``.
    basis : AbatementBasis, optional
        Abatement in a year, or cumulative over a period (default: over the whole horizon).
    cost_method : CostMethod
        Cost minimised (target) and tie-break (budget): present value of net costs [currency]
        (levelised) or annualised cost [currency/yr] (annualised).
    budget_basis : BudgetBasis
        ``capex`` (sum of investments, undiscounted; default) or ``pv_cost``.
    partial : bool
        Allow adopting a share of a measure (x in [0, 1], a linear programme).
    time_limit : float, optional
        HiGHS time limit [s]; the best selection found is returned with its gap.
    mip_rel_gap : float
        Relative MIP gap at which HiGHS stops [unitless].

    Returns
    -------
    PortfolioResult

    Raises
    ------
    InfeasibleError
        The target exceeds the maximum achievable abatement (given in the message), or no
        selection fits the budget.
    MaccError
        Neither or both of target and budget; a negative target; a solver failure.
    """
    if (target is None) == (budget is None):
        raise MaccError("give either a target abatement or a budget")
    method = CostMethod(cost_method)
    spend_basis = BudgetBasis(budget_basis)
    prob = _problem(portfolio, basis, method, spend_basis)
    t0 = time.perf_counter()
    notes: list[str] = []
    unit = prob.basis["unit"]
    if target is not None:
        if not math.isfinite(target) or target < 0:
            raise MaccError(f"target must be a finite abatement >= 0 [{unit}], got {target}")
        sol = _solve(prob, prob.cost, [(prob.weight, target, np.inf)], partial=partial, time_limit=time_limit,
                     mip_rel_gap=mip_rel_gap)  # fmt: skip
        _check_solution(sol)
        if sol.status == 2:
            best, _ = max_abatement(portfolio, basis=basis, partial=partial)
            raise InfeasibleError(
                f"{portfolio.source}: target {target:,.6g} {unit} ({prob.basis['label']}) cannot be reached: "
                f"the most the measures can abate, within their exclusive groups and prerequisites"
                f"{' (partial adoption)' if partial else ''}, is {best:,.6g} {unit}",
                goal=Goal.TARGET,
                requested=target,
                achievable=best,
            )
        goal, requested = Goal.TARGET, target
        final = sol
    else:
        assert budget is not None
        if not math.isfinite(budget):
            raise MaccError(f"budget must be finite, got {budget}")
        sol = _solve(prob, -prob.weight, [(prob.spend, -np.inf, budget)], partial=partial, time_limit=time_limit,
                     mip_rel_gap=mip_rel_gap)  # fmt: skip
        _check_solution(sol)
        if sol.status == 2:
            low = _solve(prob, prob.spend, [], partial=partial, time_limit=None, mip_rel_gap=DEFAULT_MIP_GAP)
            cheapest = None if low.x is None else float(prob.spend @ low.x)
            raise InfeasibleError(
                f"{portfolio.source}: no selection fits the budget {budget:,.6g} {portfolio.currency} "
                f"({spend_basis.value}); the least any selection spends is {cheapest:,.6g}",
                goal=Goal.BUDGET,
                requested=budget,
                achievable=cheapest,
            )
        goal, requested = Goal.BUDGET, budget
        final = sol
        assert sol.x is not None
        if sol.status == 0:
            # Among the selections of maximum abatement, the cheapest.
            best = float(prob.weight @ sol.x)
            tol = max(1e-9 * abs(best), 1e-9)
            tie = _solve(prob, prob.cost, [(prob.spend, -np.inf, budget), (prob.weight, best - tol, np.inf)],
                         partial=partial, time_limit=time_limit, mip_rel_gap=mip_rel_gap)  # fmt: skip
            if tie.x is not None and tie.status in (0, 1) and prob.weight @ tie.x >= best - tol:
                final = _Solution(tie.x, sol.status, sol.message, sol.fun, sol.gap, sol.bound, sol.nodes)
                notes.append("cheapest selection among those of maximum abatement (second solve)")
    seconds = time.perf_counter() - t0
    assert final.x is not None
    x = final.x
    status = "optimal" if final.status == 0 else "time_limit"
    log.info("portfolio %s: %s, %d of %d measures, %.3f s", goal.value, status, int((x > 0).sum()), len(x), seconds)
    abated = float(prob.weight @ x)
    return PortfolioResult(
        goal=goal,
        method="lp" if partial else "milp",
        status=status,
        message=final.message,
        cost_method=method,
        budget_basis=spend_basis if goal is Goal.BUDGET else None,
        basis=prob.basis,
        currency=portfolio.currency,
        requested=float(requested),
        adoption={i: float(v) for i, v in zip(prob.ids, x, strict=True)},
        abatement=abated,
        cost=float(prob.cost @ x),
        capex=float(prob.capex @ x),
        pv_cost=float(prob.pv_cost @ x),
        annualised_cost=float(prob.annual @ x),
        objective=float(prob.cost @ x) if goal is Goal.TARGET else abated,
        mip_gap=final.gap,
        dual_bound=None if final.bound is None else (final.bound if goal is Goal.TARGET else -final.bound),
        nodes=final.nodes,
        seconds=seconds,
        notes=notes,
    )


def greedy(
    portfolio: Portfolio,
    *,
    target: float | None = None,
    budget: float | None = None,
    basis: AbatementBasis | None = None,
    cost_method: CostMethod | str = CostMethod.LEVELISED,
    budget_basis: BudgetBasis | str = BudgetBasis.CAPEX,
) -> PortfolioResult:
    """Cost-ordered heuristic (the MACC read left to right), a baseline for :func:`optimise`.

    Repeatedly adopts the cheapest measure (by cost per tonne of ``cost_method``; measures without
    one last) whose group is free and whose prerequisites are adopted: until the target is reached
    (then only measures of negative cost), or every measure that still fits the budget. Feasible
    but not optimal; ``status`` is ``heuristic``, or ``not_reached`` when the target was missed.
    """
    if (target is None) == (budget is None):
        raise MaccError("give either a target abatement or a budget")
    method = CostMethod(cost_method)
    spend_basis = BudgetBasis(budget_basis)
    t0 = time.perf_counter()
    prob = _problem(portfolio, basis, method, spend_basis)
    per_t = _cost_per_t(portfolio.costs(), method)
    order = sorted(range(len(prob.ids)), key=lambda i: (math.isnan(per_t[i]), per_t[i], prob.ids[i]))
    index = {mid: i for i, mid in enumerate(prob.ids)}
    chosen = np.zeros(len(prob.ids))
    groups_taken: set[str] = set()
    abated = spent = 0.0
    progress = True
    while progress:
        progress = False
        for i in order:
            m = portfolio.measures[i]
            if chosen[i] or (m.group is not None and m.group in groups_taken):
                continue
            if any(not chosen[index[p]] for p in m.prerequisites):
                continue
            if target is not None and abated >= target and prob.cost[i] >= 0:
                continue
            if budget is not None and spent + prob.spend[i] > budget:
                continue
            chosen[i] = 1.0
            abated += prob.weight[i]
            spent += prob.spend[i]
            if m.group is not None:
                groups_taken.add(m.group)
            progress = True
            break
    reached = target is None or abated >= target * (1 - 1e-12)
    requested = target if target is not None else budget
    assert requested is not None
    return PortfolioResult(
        goal=Goal.TARGET if target is not None else Goal.BUDGET,
        method="greedy",
        status="heuristic" if reached else "not_reached",
        message="cost-ordered greedy selection",
        cost_method=method,
        budget_basis=spend_basis if budget is not None else None,
        basis=prob.basis,
        currency=portfolio.currency,
        requested=float(requested),
        adoption={i: float(v) for i, v in zip(prob.ids, chosen, strict=True)},
        abatement=float(prob.weight @ chosen),
        cost=float(prob.cost @ chosen),
        capex=float(prob.capex @ chosen),
        pv_cost=float(prob.pv_cost @ chosen),
        annualised_cost=float(prob.annual @ chosen),
        objective=float(prob.cost @ chosen) if target is not None else float(prob.weight @ chosen),
        seconds=time.perf_counter() - t0,
    )
