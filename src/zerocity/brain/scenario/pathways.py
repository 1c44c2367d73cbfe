"""Scenario runs, Monte Carlo ensembles, wedges and exports (tidy CSV, IAMC).

An action's impact is a difference of runs (as in Kausal Paths): :func:`wedges` starts from one
scenario and applies what a descendant scenario adds, group by group (its own overrides first,
then each measure in the order listed), running the model after each step. The wedge of a group
is the emission reduction of that step, so the wedges add up exactly to the difference between
the two scenarios; an interaction between measures falls to the later one, and each measure's
stand-alone effect (alone on top of the starting scenario) is reported beside it.

IAMC format: one row per model, scenario, region, variable and unit, one column per year, as
the Integrated Assessment Modeling Consortium's templates and ``pyam.IamDataFrame`` use
(Huppmann et al. 2021, "pyam: Analysis and visualisation of integrated assessment and
macro-energy scenarios", Open Research Europe 1:74).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zerocity.brain.scenario.engine import Coefficients, Ensemble, Run, evaluate, resolve_coefficients
from zerocity.brain.scenario.model import CompiledModel, ModelIssue, ScenarioModelError
from zerocity.brain.scenario.series import Draws
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.gpc import Level, in_level
from zerocity.units import parse_unit

__all__ = [
    "ScenarioResults",
    "WedgeTable",
    "iamc_frame",
    "monte_carlo",
    "run_scenarios",
    "tidy_frame",
    "wedges",
]

log = logging.getLogger(__name__)

SECTOR_NAMES = {"I": "Stationary Energy", "II": "Transportation", "III": "Waste", "IV": "IPPU", "V": "AFOLU"}


def _chain(model: CompiledModel, scenario: str) -> list[Any]:
    """Overrides of a scenario and its ancestors, root first."""
    if scenario not in model.scenarios:
        raise ScenarioModelError(
            model.source,
            [ModelIssue(None, "scenarios", f"unknown scenario {scenario!r}; known: {', '.join(model.scenarios)}")],
        )
    chain: list[Any] = []
    for name in model.lineage(scenario):
        chain.extend(model.scenarios[name])
    return chain


@dataclass
class ScenarioResults:
    """Deterministic runs of some scenarios of one model."""

    model: CompiledModel
    runs: dict[str, Run]
    coefficients: Coefficients

    @property
    def level(self) -> Level:
        """The model's report level (headline totals and peaks)."""
        return Level(self.model.spec.report_level)

    def totals(self, level: Level | str | None = None) -> pd.DataFrame:
        """Total per year (rows) and scenario (columns) [t CO2e]."""
        lvl = level or self.level
        years = next(iter(self.runs.values())).years
        return pd.DataFrame({n: r.total(lvl) for n, r in self.runs.items()}, index=pd.Index(years, name="year"))

    def peaks(self, level: Level | str | None = None) -> dict[str, dict[str, Any]]:
        """Peak year and level per scenario."""
        return {n: r.peak(level or self.level) for n, r in self.runs.items()}

    def summary(self) -> dict[str, Any]:
        """JSON-ready: per scenario the peak, totals by level per year, by sector, energy by fuel."""
        spec = self.model.spec
        out: dict[str, Any] = {
            "model": spec.name,
            "region": spec.region,
            "base_year": spec.base_year,
            "end_year": spec.end_year,
            "gwp": spec.gwp,
            "report_level": spec.report_level,
            "energy_unit": spec.energy_unit,
            "scenarios": {},
        }
        for name, run in self.runs.items():
            em = run.emissions()
            counted = em[_counts(em, self.level)]
            by_sector = counted.pivot_table(index="year", columns="sector", values="tco2e", aggfunc="sum", fill_value=0)
            by_gas = counted.pivot_table(index="year", columns="gas", values="tonnes", aggfunc="sum", fill_value=0)
            by_scope = counted.pivot_table(index="year", columns="scope", values="tco2e", aggfunc="sum", fill_value=0)
            energy = run.energy()
            final = energy[energy["kind"] == "final"]
            by_fuel = final.pivot_table(index="year", columns="fuel", values="energy", aggfunc="sum", fill_value=0)
            by_energy_sector = final.pivot_table(
                index="year", columns="sector", values="energy", aggfunc="sum", fill_value=0
            )
            out["scenarios"][name] = {
                "lineage": self.model.lineage(name),
                "assumptions": {a: _series(run.years, run.variables[f"assumptions.{a}"][0]) for a in spec.assumptions},
                "peak": run.peak(self.level),
                "totals": {str(lvl): _series(run.years, run.total(lvl)) for lvl in Level},
                "by_sector_tco2e": {str(c): _series(by_sector.index, by_sector[c]) for c in by_sector.columns},
                "by_scope_tco2e": {str(c): _series(by_scope.index, by_scope[c]) for c in by_scope.columns},
                "by_gas_tonnes": {str(c): _series(by_gas.index, by_gas[c]) for c in by_gas.columns},
                "final_energy_by_fuel": {str(c): _series(by_fuel.index, by_fuel[c]) for c in by_fuel.columns},
                "final_energy_by_sector": {
                    str(c): _series(by_energy_sector.index, by_energy_sector[c]) for c in by_energy_sector.columns
                },
                "warnings": run.warnings,
            }
        return out


def _series(index: Any, values: Any) -> dict[str, float]:
    return {str(int(y)): float(v) for y, v in zip(index, np.asarray(values), strict=True)}


def _counts(em: pd.DataFrame, level: Level) -> pd.Series:
    """Rows of a long emissions frame that count in a level (biogenic CO2 never counts)."""
    return in_level(em["level"], em["scope"], level) & ~em["biogenic"].astype(bool)


def run_scenarios(
    model: CompiledModel,
    scenarios: list[str] | None = None,
    *,
    library: FactorLibrary | None = None,
    coefficients: Coefficients | None = None,
) -> ScenarioResults:
    """Run scenarios deterministically (central values of uncertain numbers).

    Parameters
    ----------
    model : CompiledModel
        From :func:`zerocity.brain.scenario.load_model`.
    scenarios : list of str, optional
        Default: every scenario of the model.
    library : FactorLibrary, optional
        Factor library (default: the shipped datasets).
    """
    coef = coefficients or resolve_coefficients(model, library)
    names = scenarios or list(model.scenarios)
    runs: dict[str, Run] = {}
    for name in names:
        result = evaluate(model, _chain(model, name), coefficients=coef, name=name)
        assert isinstance(result, Run)
        runs[name] = result
    return ScenarioResults(model, runs, coef)


def monte_carlo(
    model: CompiledModel,
    scenario: str,
    *,
    runs: int = 1000,
    seed: int = 12345,
    library: FactorLibrary | None = None,
    coefficients: Coefficients | None = None,
) -> Ensemble:
    """Monte Carlo over the model's uncertain numbers: every sample in one vectorised pass.

    Returns
    -------
    Ensemble
        Totals per level as ``(runs, years)`` arrays; quantiles and the peak-year distribution.
    """
    if runs < 2:
        raise ScenarioModelError(model.source, [ModelIssue(None, "runs", "a Monte Carlo needs at least 2 runs")])
    coef = coefficients or resolve_coefficients(model, library)
    draws = Draws.sample(model.numbers(), runs, seed)
    if not draws.values:
        log.warning("%s has no uncertain numbers: every Monte Carlo sample is the same", model.source)
    result = evaluate(model, _chain(model, scenario), coefficients=coef, draws=draws, name=scenario)
    assert isinstance(result, Ensemble)
    result.seed = seed
    return result


# --------------------------------------------------------------------------- wedges
@dataclass
class WedgeTable:
    """Emission reductions from one scenario to a descendant, by group of overrides.

    Attributes
    ----------
    table : pandas.DataFrame
        Index year; one column per group in the order applied: each measure, and
        ``<scenario> assumptions`` for a scenario's own overrides [t CO2e avoided]; they add up
        to ``from - to``.
    standalone : pandas.DataFrame
        Each measure applied alone on top of the starting scenario [t CO2e avoided].
    costs : dict
        Per measure with costs: cumulative abatement, discounted cost and levelised cost of
        abatement [currency per t CO2e].
    """

    start: str
    end: str
    level: Level
    table: pd.DataFrame
    standalone: pd.DataFrame
    start_total: np.ndarray
    end_total: np.ndarray
    costs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        years = self.table.index
        return {
            "from": self.start,
            "to": self.end,
            "level": str(self.level),
            "from_tco2e": _series(years, self.start_total),
            "to_tco2e": _series(years, self.end_total),
            "wedges_tco2e": {c: _series(years, self.table[c]) for c in self.table.columns},
            "standalone_tco2e": {c: _series(years, self.standalone[c]) for c in self.standalone.columns},
            "cumulative_tco2e": {c: float(self.table[c].sum()) for c in self.table.columns},
            "costs": self.costs,
        }


def wedges(
    model: CompiledModel,
    start: str,
    end: str,
    *,
    level: Level | str | None = None,
    library: FactorLibrary | None = None,
) -> WedgeTable:
    """Wedges between scenario ``start`` and its descendant ``end``.

    Raises
    ------
    ScenarioModelError
        When ``end`` does not inherit from ``start``.
    """
    lvl = Level(str(level or model.spec.report_level))
    lineage = model.lineage(end) if end in model.scenarios else []
    if start not in lineage:
        raise ScenarioModelError(
            model.source,
            [ModelIssue(None, "scenarios", f"{end!r} does not inherit from {start!r}: wedges need a descendant")],
        )
    coef = resolve_coefficients(model, library)
    base_chain = _chain(model, start)
    # Groups in the order the descendant applies them, so the last step is the descendant itself.
    groups: list[tuple[str, list[Any]]] = []
    for name in lineage[lineage.index(start) + 1 :]:
        for item in model.scenarios[name]:
            label = item[0] if item[0] is not None else f"{name} assumptions"
            if groups and groups[-1][0] == label:
                groups[-1][1].append(item)
            else:
                groups.append((label, [item]))

    def total(chain: list[Any]) -> np.ndarray:
        run = evaluate(model, chain, coefficients=coef)
        assert isinstance(run, Run)
        return run.total(lvl)

    start_total = total(base_chain)
    years = np.arange(model.spec.base_year, model.spec.end_year + 1)
    columns: dict[str, np.ndarray] = {}
    alone: dict[str, np.ndarray] = {}
    chain = list(base_chain)
    previous = start_total
    measures = set(model.spec.measures)
    for name, items in groups:
        chain = chain + items
        current = total(chain)
        columns[name] = columns.get(name, 0.0) + (previous - current)
        previous = current
        if name in measures and name not in alone:
            alone[name] = start_total - total(base_chain + [i for label, its in groups if label == name for i in its])
    table = pd.DataFrame(columns, index=pd.Index(years, name="year"))
    standalone = pd.DataFrame(alone, index=pd.Index(years, name="year"))
    costs = {name: _measure_cost(model, name, table[name].to_numpy(), years) for name in alone}
    return WedgeTable(start, end, lvl, table, standalone, start_total, previous, {k: v for k, v in costs.items() if v})


def _measure_cost(model: CompiledModel, name: str, abated: np.ndarray, years: np.ndarray) -> dict[str, Any]:
    r"""Levelised cost of abatement: discounted costs over discounted abatement.

    :math:`LCA = \sum_t C_t (1+r)^{-(t-t_0)} / \sum_t a_t (1+r)^{-(t-t_0)}` with capex in its
    year, opex from the measure's first override year, abatement :math:`a_t` the wedge [t CO2e].
    """
    measure = model.spec.measures[name]
    if measure.cost is None:
        return {}
    cost = measure.cost
    first = min((start for _, _, start in model.overrides_of_measure[name]), default=model.spec.base_year + 1)
    r = model.spec.discount_rate
    disc = (1.0 + r) ** -(years - model.spec.base_year)
    flows = np.where(years >= first, cost.opex_per_year, 0.0)
    capex_year = cost.capex_year or first
    flows = flows + np.where(years == capex_year, cost.capex, 0.0)
    abated_disc = float((abated * disc).sum())
    return {
        "currency": cost.currency,
        "discount_rate": r,
        "cumulative_abatement_tco2e": float(abated.sum()),
        "discounted_cost": float((flows * disc).sum()),
        "levelised_cost_per_tco2e": float((flows * disc).sum()) / abated_disc if abated_disc > 0 else None,
    }


# --------------------------------------------------------------------------- exports
def tidy_frame(results: ScenarioResults) -> pd.DataFrame:
    """One row per scenario, year and flow: emissions (t of gas, t CO2e) and energy.

    Columns: ``scenario``, ``year``, ``table`` (``emissions`` or ``energy``), ``branch``,
    ``sector``, ``gpc_ref``, ``scope``, ``level``, ``fuel``, ``gas``, ``kind``, ``biogenic``,
    ``unit``, ``value``.
    """
    parts = []
    for name, run in results.runs.items():
        em = run.emissions()
        if not em.empty:
            parts.append(
                em.assign(scenario=name, table="emissions", unit="t", value=em["tonnes"]).drop(columns=["tonnes"])
            )
        en = run.energy()
        if not en.empty:
            parts.append(
                en.assign(scenario=name, table="energy", unit=results.model.spec.energy_unit, value=en["energy"]).drop(
                    columns=["energy", "quantity"]
                )
            )
    cols = ["scenario", "year", "table", "branch", "sector", "gpc_ref", "scope", "level", "fuel", "gas", "kind"]
    cols += ["biogenic", "unit", "value", "tco2e"]
    frame = pd.concat(parts, ignore_index=True)
    return frame.reindex(columns=cols)


IAMC_EMISSIONS_UNIT = "Mt CO2-equiv/yr"


def iamc_frame(results: ScenarioResults) -> pd.DataFrame:
    """The runs in IAMC wide format (``model, scenario, region, variable, unit`` and years).

    Variables: ``Emissions|Kyoto Gases`` and by sector (``|Stationary Energy`` ...) at the
    model's report level [Mt CO2-equiv/yr]; ``Emissions|CO2``, ``|CH4``, ``|N2O`` [Mt gas/yr];
    ``Final Energy`` and by fuel [EJ/yr].
    """
    spec = results.model.spec
    rows: list[dict[Any, Any]] = []
    tce_to_ej = _energy_to_ej(spec.energy_unit)
    for name, run in results.runs.items():
        em = run.emissions()
        counted = em[_counts(em, results.level)]
        years = run.years

        def add(variable: str, unit: str, values: np.ndarray, scenario: str = name, years: Any = years) -> None:
            rows.append(
                {"model": spec.name, "scenario": scenario, "region": spec.region, "variable": variable, "unit": unit}
                | {int(y): float(v) for y, v in zip(years, values, strict=True)}
            )

        add("Emissions|Kyoto Gases", IAMC_EMISSIONS_UNIT, run.total(results.level) / 1e6)
        by_sector = counted.pivot_table(index="year", columns="sector", values="tco2e", aggfunc="sum").reindex(years)
        for sector in by_sector.columns:
            add(
                f"Emissions|Kyoto Gases|{SECTOR_NAMES.get(sector, sector)}",
                IAMC_EMISSIONS_UNIT,
                by_sector[sector].fillna(0).to_numpy() / 1e6,
            )
        by_gas = counted.pivot_table(index="year", columns="gas", values="tonnes", aggfunc="sum").reindex(years)
        for gas in by_gas.columns:
            add(f"Emissions|{gas}", f"Mt {gas}/yr", by_gas[gas].fillna(0).to_numpy() / 1e6)
        en = run.energy()
        final = en[en["kind"] == "final"]
        by_fuel = final.pivot_table(index="year", columns="fuel", values="energy", aggfunc="sum").reindex(years)
        add("Final Energy", "EJ/yr", by_fuel.fillna(0).sum(axis=1).to_numpy() * tce_to_ej)
        for fuel in by_fuel.columns:
            label = spec.fuels[fuel].label or fuel.replace("_", " ").title()
            add(f"Final Energy|{label}", "EJ/yr", by_fuel[fuel].fillna(0).to_numpy() * tce_to_ej)
    return pd.DataFrame(rows)


def _energy_to_ej(unit: str) -> float:
    return parse_unit(unit).to(parse_unit("EJ"))
