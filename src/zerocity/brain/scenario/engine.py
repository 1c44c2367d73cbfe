r"""Running a scenario model: demand, supply, emissions, for one run or a Monte Carlo ensemble.

For every demand leaf and year (LEAP's demand analysis):

.. math::

    A_{b,t} = A_{p,t} \, s_{b,t} \quad\text{(or its own path)}, \qquad
    Q_{b,f,t} = A_{b,t} \, I_{b,f,t} \quad\text{or}\quad
    Q_{b,f,t} = A_{b,t} \, EI_{b,t} \, \sigma_{b,f,t} / c_f

with activity :math:`A`, share of the parent :math:`s`, fuel intensity :math:`I` [fuel unit per
activity unit], energy intensity :math:`EI` [energy unit per activity unit], fuel share
:math:`\sigma` and energy content :math:`c_f` [energy unit per fuel unit]. Emissions are
:math:`Q_{b,f,t} \, EF_{r,f,g}` for each gas :math:`g`, with the factor of the branch's GPC
reference :math:`r` resolved from the factor library exactly as the inventory resolves it (a
unit record of each fuel and reference goes through :func:`zerocity.inventory.engine.compute_inventory`),
so a model calibrated on the inventory's activity data reproduces its base year.

Purchased carriers (electricity, heat) are scope 2: consumption times a factor path
:math:`F_{c,t}` whose base value is the library's grid factor unless the model gives one. The
supply module dispatches local processes against the carrier requirement
:math:`R_{c,t} = D_{c,t} / (1 - \lambda_{c,t})` (losses :math:`\lambda`): by share of it, by an
absolute output, or at capacity (:math:`P \cdot 8760\,h \cdot` availability, also a cap on the
others); fuel input is output over efficiency, co-products (CHP heat) follow from the fuel input;
fuel burnt locally is scope 1 at the process's reference (I.4.4 by default, outside BASIC as GPC
requires); the rest of the requirement is imported.

Arrays are ``(S, T)`` (samples by years), so the whole Monte Carlo ensemble is one pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pint import DimensionalityError

from zerocity.brain.scenario.model import CompiledModel, Leaf, ModelIssue, Override, ScenarioModelError
from zerocity.brain.scenario.series import Draws, Expression
from zerocity.errors import FactorNotFoundError, InvalidRecordsError, UnitError
from zerocity.factors.convert import convert_quantity
from zerocity.factors.gwp import gwp
from zerocity.factors.library import FactorLibrary, default_library
from zerocity.inventory.gpc import Level, gpc_table, in_level
from zerocity.inventory.unit_factors import unit_emissions
from zerocity.units import Q_, parse_unit

__all__ = ["Coefficients", "Ensemble", "Run", "evaluate", "resolve_coefficients"]

log = logging.getLogger(__name__)

LEVELS = (Level.BASIC, Level.BASIC_PLUS, Level.TERRITORIAL)
HOURS_PER_YEAR = 8760.0

Chain = list[tuple[str | None, Override, Expression, int]]


# --------------------------------------------------------------------------- coefficients
@dataclass(frozen=True)
class Coefficients:
    """What the factor library says about the model's fuels (resolved once per model).

    Attributes
    ----------
    emissions : dict
        ``(gpc_ref, fuel) -> [(gas, t gas per fuel unit, biogenic)]``.
    energy : dict
        ``fuel -> model energy unit per fuel unit``.
    carrier_factor : dict
        ``carrier -> t CO2e per carrier unit`` of the library (the grid factor's default).
    factor_ids : dict
        ``(gpc_ref, fuel) -> factor ids`` used (provenance).
    """

    emissions: dict[tuple[str, str], list[tuple[str, float, bool]]]
    energy: dict[str, float]
    carrier_factor: dict[str, float]
    factor_ids: dict[tuple[str, str], str]


def _pairs(model: CompiledModel) -> set[tuple[str, str]]:
    """Every (GPC reference, fuel) whose factor the model needs."""
    fuels = model.spec.fuels
    pairs = set()
    for leaf in model.leaves:
        for fuel in leaf.fuels:
            spec = fuels[fuel]
            if spec.zero_emission:
                continue
            pairs.add((leaf.gpc_carrier if spec.carrier else leaf.gpc_fuel, fuel))
    for p in model.processes:
        if not fuels[p.fuel].zero_emission:
            pairs.add((p.gpc, p.fuel))
    for carrier in model.spec.supply:
        ref = next((leaf.gpc_carrier for leaf in model.leaves if carrier in leaf.fuels), "I.1.2")
        pairs.add((ref, carrier))
    return pairs


def resolve_coefficients(model: CompiledModel, library: FactorLibrary | None = None) -> Coefficients:
    """Resolve emission factors and energy contents of the model's fuels from the factor library.

    One unit record (amount 1 in the fuel's unit) per (reference, fuel) goes through the
    inventory engine for the base year and region, so factor choice, GWP and units are the
    inventory's own.

    Raises
    ------
    ScenarioModelError
        A fuel the library cannot resolve (line of the fuel in the model).
    """
    lib = library or default_library()
    spec = model.spec
    pairs = sorted(_pairs(model))
    issues: list[ModelIssue] = []
    emissions: dict[tuple[str, str], list[tuple[str, float, bool]]] = {}
    factor_ids: dict[tuple[str, str], str] = {}
    try:
        units = unit_emissions(
            [(ref, spec.fuels[fuel].library_activity(fuel), spec.fuels[fuel].unit) for ref, fuel in pairs],
            region=spec.region,
            year=spec.base_year,
            gwp=spec.gwp,
            library=lib,
            source=model.source,
        )
    except InvalidRecordsError as exc:
        for i in exc.issues:
            ref, fuel = pairs[i.row - 1]
            line = model.lines.get(("fuels", fuel))
            issues.append(ModelIssue(line, f"fuels.{fuel}", f"at {ref}: {i.message}"))
        raise ScenarioModelError(model.source, issues) from None
    for pair, unit in zip(pairs, units, strict=True):
        emissions[pair] = unit.gases
        factor_ids[pair] = unit.factor_ids
    energy: dict[str, float] = {}
    for name, fuel_spec in spec.fuels.items():
        try:
            energy[name] = convert_quantity(
                1.0,
                fuel_spec.unit,
                spec.energy_unit,
                activity=None if fuel_spec.zero_emission else fuel_spec.library_activity(name),
                library=lib,
                region=spec.region,
                year=spec.base_year,
            ).result
        except (UnitError, FactorNotFoundError) as exc:
            issues.append(ModelIssue(model.lines.get(("fuels", name)), f"fuels.{name}", str(exc)))
    carrier_factor: dict[str, float] = {}
    for ref, fuel in pairs:
        if fuel in spec.supply and fuel not in carrier_factor:
            carrier_factor[fuel] = sum(t * gwp(g, spec.gwp) for g, t, bio in emissions[(ref, fuel)] if not bio)
    if issues:
        raise ScenarioModelError(model.source, issues)
    return Coefficients(emissions, energy, carrier_factor, factor_ids)


# --------------------------------------------------------------------------- results
@dataclass
class Run:
    """One deterministic run of a scenario: tidy flows per year.

    Attributes
    ----------
    scenario : str
    years : numpy.ndarray
    energy : pandas.DataFrame
        One row per (branch, fuel) flow: ``branch``, ``sector``, ``gpc_ref``, ``fuel``,
        ``carrier`` (bool), ``unit`` (the fuel's), then one column per year of the quantity
        in the fuel's unit; ``energy`` columns hold the same in the model's energy unit.
    emissions : pandas.DataFrame
        One row per (branch, reference, fuel, gas): ``branch``, ``sector``, ``gpc_ref``,
        ``scope``, ``level``, ``fuel``, ``gas``, ``biogenic``, ``kind`` (``demand``,
        ``supply``), then ``tonnes`` and ``tco2e`` per year as a 2-D array in :attr:`arrays`.
    """

    scenario: str
    model: CompiledModel
    years: np.ndarray
    energy_rows: list[dict[str, Any]] = field(default_factory=list)
    emission_rows: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variables: dict[str, np.ndarray] = field(default_factory=dict)

    def variable(self, path: str) -> pd.Series:
        """A model variable's path in this run (``assumptions.gdp``, ``demand.industry.activity`` ...)."""
        if path not in self.variables and f"{path}#share" in self.variables:
            path = f"{path}#share"
        if path not in self.variables:
            known = ", ".join(sorted(self.variables))
            raise KeyError(f"{path!r} was not evaluated in this run; evaluated: {known}")
        return pd.Series(self.variables[path][0], index=pd.Index(self.years, name="year"), name=path)

    # ---------------------------------------------------------------- tables
    def energy(self) -> pd.DataFrame:
        """Final and transformation energy, long: one row per flow and year [model energy unit]."""
        return _long(self.energy_rows, self.years, ("quantity", "energy"))

    def emissions(self) -> pd.DataFrame:
        """Emissions, long: one row per flow and year, ``tonnes`` of gas and ``tco2e``."""
        return _long(self.emission_rows, self.years, ("tonnes", "tco2e"))

    def total(self, level: Level | str | None = None) -> np.ndarray:
        """Total per year of a reporting level [t CO2e] (biogenic CO2 excluded)."""
        lvl = Level(str(level or self.model.spec.report_level))
        acc = np.zeros(len(self.years))
        for row in self.emission_rows:
            if row["counts"][lvl]:
                acc += row["tco2e"][0]
        return acc

    def peak(self, level: Level | str | None = None) -> dict[str, Any]:
        """Peak year and level of a total; ``peaked`` is False when the maximum is the last year."""
        return peak_of(self.years, self.total(level))


def peak_of(years: np.ndarray, total: np.ndarray) -> dict[str, Any]:
    """Year and value of the maximum of a path; a maximum in the last year is no peak."""
    i = int(np.argmax(total))
    peaked = i < len(years) - 1
    return {
        "peak_year": int(years[i]) if peaked else None,
        "peak_tco2e": float(total[i]) if peaked else None,
        "max_year": int(years[i]),
        "max_tco2e": float(total[i]),
        "peaked_by_horizon": peaked,
    }


def _long(rows: list[dict[str, Any]], years: np.ndarray, values: tuple[str, ...]) -> pd.DataFrame:
    """Rows with ``(1, T)`` arrays -> a long frame with one row per year."""
    if not rows:
        return pd.DataFrame()
    keys = [k for k in rows[0] if k not in values and k != "counts"]
    n = len(years)
    data: dict[str, Any] = {k: np.repeat([r[k] for r in rows], n) for k in keys}
    data["year"] = np.tile(years, len(rows))
    for v in values:
        data[v] = np.concatenate([r[v][0] for r in rows])
    return pd.DataFrame(data)


@dataclass
class Ensemble:
    """A Monte Carlo ensemble: totals per level as ``(S, T)`` arrays."""

    scenario: str
    years: np.ndarray
    totals: dict[Level, np.ndarray]
    runs: int
    seed: int

    def quantiles(self, level: Level | str, q: tuple[float, ...] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Per year quantiles of a total [t CO2e]."""
        arr = self.totals[Level(str(level))]
        return pd.DataFrame(np.quantile(arr, q, axis=0).T, index=self.years, columns=[f"p{round(x * 100)}" for x in q])

    def peak_distribution(self, level: Level | str) -> dict[str, Any]:
        """Peak year per sample: median, 90% interval, share of samples not peaking by the horizon."""
        arr = self.totals[Level(str(level))]
        idx = np.argmax(arr, axis=1)
        peaked = idx < arr.shape[1] - 1
        years = self.years[idx]
        out: dict[str, Any] = {"p_no_peak": float(1 - peaked.mean())}
        if peaked.mean() >= 0.5:
            # Samples without a peak count as "after the horizon": they sort last.
            ranked = np.where(peaked, years, self.years[-1] + 1)
            lo, med, hi = np.quantile(ranked, [0.05, 0.5, 0.95], method="inverted_cdf")
            out["peak_year"] = int(med)
            out["peak_year_interval"] = [int(lo), int(hi) if hi <= self.years[-1] else None]
        else:
            out["peak_year"] = None
            out["peak_year_interval"] = None
        peak_values = arr[np.arange(arr.shape[0]), idx]
        out["peak_tco2e"] = float(np.median(peak_values[peaked])) if peaked.any() else None
        out["p_peak_by"] = {int(y): float((peaked & (years <= y)).mean()) for y in (2025, 2030, 2035, 2040)}
        return out


# --------------------------------------------------------------------------- evaluation
class _Evaluator:
    """Evaluates variables of one scenario (memoised), then demand, supply and emissions."""

    def __init__(self, model: CompiledModel, chain: Chain, draws: Draws, coef: Coefficients) -> None:
        self.model = model
        self.spec = model.spec
        self.draws = draws
        self.coef = coef
        self.years = np.arange(self.spec.base_year, self.spec.end_year + 1)
        self.overrides: dict[str, list[tuple[Expression, int]]] = {}
        for _, o, expr, start in chain:
            self.overrides.setdefault(o.variable, []).append((expr, start))
        self.memo: dict[str, np.ndarray] = {}
        self.active: set[str] = set()
        self.warnings: list[str] = []
        self.unit_scale_cache: dict[tuple[str, str], float] = {}

    # ---------------------------------------------------------------- variables
    def series(self, path: str) -> np.ndarray:
        """Path of a variable over the model years, ``(S, T)``, with the scenario's overrides."""
        got = self.memo.get(path)
        if got is not None:
            return got
        if path in self.active:
            raise ScenarioModelError(
                self.model.source, [ModelIssue(None, path, "variables depend on each other in a cycle")]
            )
        self.active.add(path)
        out = self._definition(path)
        for expr, start in self.overrides.get(path, ()):
            i = start - self.spec.base_year
            prev = out[:, i - 1 : i]
            driver = self.series(f"assumptions.{expr.driver}")[:, i - 1 :] if expr.driver else None
            if expr.kind == "share":
                expr = Expression("value", number=expr.number)
            new = expr.evaluate(prev, self.years[i:], start, self.draws, parent=out[:, i:], driver_path=driver)
            out = np.concatenate([out[:, :i], new], axis=1)
        self.active.discard(path)
        self.memo[path] = out
        return out

    def _definition(self, path: str) -> np.ndarray:
        """The variable's own path (base value, then its expression) before overrides."""
        var = self.model.variables.get(path)
        size, n = self.draws.size, len(self.years)
        if var is None or var.base is None or var.base.number is None:
            base: np.ndarray | float = self._default_base(path)
        else:
            base = self.draws.value(var.base.number)
        first = np.broadcast_to(np.asarray(base, dtype=float), (size, 1))
        expr = None if var is None else var.path_expr
        if expr is None:
            return np.repeat(first, n, axis=1)
        driver = self.series(f"assumptions.{expr.driver}") if expr.driver else None
        rest = expr.evaluate(first, self.years[1:], self.spec.base_year + 1, self.draws, driver_path=driver)
        return np.concatenate([first, rest], axis=1)

    def _default_base(self, path: str) -> np.ndarray | float:
        parts = path.split(".")
        if parts[0] == "supply" and parts[-1] == "factor":
            factor = self.coef.carrier_factor.get(parts[1])
            if factor is None:
                raise ScenarioModelError(
                    self.model.source, [ModelIssue(None, path, "no factor in the library: give a value")]
                )
            return factor
        var = self.model.variables.get(path)
        if var is not None and var.path_expr is not None and var.path_expr.driver is not None:
            # A driver without a value of its own: the variable is the driver (to its elasticity).
            return self.series(f"assumptions.{var.path_expr.driver}")[:, :1]
        return 0.0

    def share(self, path: str, siblings: list[str]) -> np.ndarray:
        """A share variable; ``remainder`` is one minus the other shares (floored at zero)."""
        var = self.model.variables[path]
        if var.path_expr is not None and var.path_expr.kind == "share":
            if var.path_expr.remainder:
                others = [s for s in siblings if s != path]
                rest = 1.0 - sum(
                    (self.share(s, siblings) for s in others), np.zeros((self.draws.size, len(self.years)))
                )
                if (rest < -1e-9).any():
                    self.warnings.append(f"{path}: the other shares exceed 1; remainder set to 0")
                rest = np.maximum(rest, 0.0)
                self.memo[f"{path}#share"] = rest
                return rest
            got = self.memo.get(f"{path}#share")
            if got is None:
                assert var.path_expr.number is not None
                const = Expression("value", number=var.path_expr.number)
                got = const.evaluate(0.0, self.years, self.spec.base_year, self.draws)
                for expr, start in self.overrides.get(path, ()):
                    i = start - self.spec.base_year
                    e = Expression("value", number=expr.number) if expr.kind == "share" else expr
                    new = e.evaluate(got[:, i - 1 : i], self.years[i:], start, self.draws, parent=got[:, i:])
                    got = np.concatenate([got[:, :i], new], axis=1)
                self.memo[f"{path}#share"] = got
            return got
        return self.series(path)

    def activity(self, branch: str) -> np.ndarray:
        """Activity of a branch: its own path, or its parent's activity times its share."""
        key = f"demand.{branch}.activity"
        got = self.memo.get(key)
        if got is not None:
            return got
        var = self.model.variables.get(key)
        if var is None:
            parent = branch.rsplit(".", 1)[0] if "." in branch else None
            if parent is None:
                raise ScenarioModelError(self.model.source, [ModelIssue(None, key, "no activity")])
            return self.activity(parent)
        if var.path_expr is not None and var.path_expr.kind == "share":
            parent = branch.rsplit(".", 1)[0]
            siblings = [f"{c}.activity" for c in self.model.groups[f"demand.{parent}"]]
            siblings = [s for s in siblings if s in self.model.variables and _is_share(self.model.variables[s])]
            level = self.activity(parent) * self.share(key, siblings)
            self.memo[key] = level
            return level
        return self.series(key)

    def activity_unit(self, branch: str) -> str | None:
        var = self.model.variables.get(f"demand.{branch}.activity")
        if var is not None and var.unit:
            return var.unit
        if var is not None and var.path_expr is not None and var.path_expr.kind == "driver":
            drv = self.model.variables.get(f"assumptions.{var.path_expr.driver}")
            if drv is not None and drv.unit:
                return drv.unit
        if "." in branch:
            return self.activity_unit(branch.rsplit(".", 1)[0])
        return None

    def unit_scale(self, path: str, numerator: str, denominator: str | None) -> float:
        """Factor from a variable's declared unit to ``numerator / denominator`` (1 if none declared).

        Units are parsed separately, so scaled units (``1e4 yuan``) work on either side.
        """
        var = self.model.variables.get(path)
        if var is None or not var.unit or denominator is None:
            return 1.0
        key = (var.unit, f"{numerator}|{denominator}")
        if key not in self.unit_scale_cache:
            try:
                have, num, den = parse_unit(var.unit), parse_unit(numerator), parse_unit(denominator)
                magnitude = Q_(have.scale, have.unit).to(num.unit / den.unit).magnitude
                self.unit_scale_cache[key] = float(magnitude) * den.scale / num.scale
            except (UnitError, DimensionalityError) as exc:
                raise ScenarioModelError(
                    self.model.source,
                    [ModelIssue(var.line, f"{path}.unit", f"expected a unit like {numerator}/{denominator}: {exc}")],
                ) from None
        return self.unit_scale_cache[key]


def _is_share(var: Any) -> bool:
    return var.path_expr is not None and var.path_expr.kind == "share"


class _Sink:
    """Collects flows: tidy rows for a single run, or totals per level for an ensemble."""

    def __init__(self, size: int, n_years: int, tidy: bool, gwp_set: str) -> None:
        self.tidy = tidy
        self.gwp_set = gwp_set
        self.energy_rows: list[dict[str, Any]] = []
        self.emission_rows: list[dict[str, Any]] = []
        self.totals = {lvl: np.zeros((size, n_years)) for lvl in LEVELS}
        table = gpc_table()
        self.scope = table["scope"].to_dict()
        level = table["level"]
        self.counts = {
            lvl: dict(zip(table.index, in_level(level, table["scope"], lvl).to_numpy(), strict=True)) for lvl in LEVELS
        }

    def energy(
        self,
        branch: str,
        sector: str,
        ref: str,
        fuel: str,
        carrier: bool,
        unit: str,
        qty: np.ndarray,
        conv: float,
        kind: str,
    ) -> None:
        if self.tidy:
            self.energy_rows.append(
                {
                    "branch": branch,
                    "sector": sector,
                    "gpc_ref": ref,
                    "fuel": fuel,
                    "carrier": carrier,
                    "kind": kind,
                    "unit": unit,
                    "quantity": qty,
                    "energy": qty * conv,
                }
            )

    def emit(
        self, branch: str, sector: str, ref: str, fuel: str, gas: str, biogenic: bool, tonnes: np.ndarray, kind: str
    ) -> None:
        tco2e = tonnes * gwp(gas, self.gwp_set)
        counts = {lvl: bool(self.counts[lvl][ref]) and not biogenic for lvl in LEVELS}
        for lvl in LEVELS:
            if counts[lvl]:
                self.totals[lvl] += tco2e
        if self.tidy:
            self.emission_rows.append(
                {
                    "branch": branch,
                    "sector": sector,
                    "gpc_ref": ref,
                    "scope": int(self.scope[ref]),
                    "level": str(gpc_table().at[ref, "level"]),
                    "fuel": fuel,
                    "gas": gas,
                    "biogenic": biogenic,
                    "kind": kind,
                    "tonnes": tonnes,
                    "tco2e": tco2e,
                    "counts": counts,
                }
            )


def evaluate(
    model: CompiledModel,
    chain: Chain,
    *,
    coefficients: Coefficients,
    draws: Draws | None = None,
    name: str = "",
) -> Run | Ensemble:
    """Evaluate a model under a chain of overrides.

    Parameters
    ----------
    model : CompiledModel
    chain : list
        Overrides in the order they apply (root scenario first), as in ``model.scenarios``.
    coefficients : Coefficients
        From :func:`resolve_coefficients`.
    draws : Draws, optional
        Samples of the uncertain numbers; default a deterministic run (central values).
    name : str
        Scenario name for the result.

    Returns
    -------
    Run or Ensemble
        A :class:`Run` with tidy flows when ``draws.size == 1``; an :class:`Ensemble` of totals
        otherwise.
    """
    draws = draws or Draws()
    ev = _Evaluator(model, chain, draws, coefficients)
    tidy = draws.size == 1
    sink = _Sink(draws.size, len(ev.years), tidy, model.spec.gwp)
    spec = model.spec
    carrier_demand: dict[str, np.ndarray] = {c: np.zeros((draws.size, len(ev.years))) for c in spec.supply}
    for name_ in spec.assumptions:  # reported in every run, used or not
        ev.series(f"assumptions.{name_}")
    for leaf in model.leaves:
        _leaf(ev, sink, leaf, carrier_demand)
    _supply(ev, sink, carrier_demand)
    if tidy:
        return Run(name, model, ev.years, sink.energy_rows, sink.emission_rows, ev.warnings, ev.memo)
    return Ensemble(name, ev.years, sink.totals, draws.size, 0)


def _leaf(ev: _Evaluator, sink: _Sink, leaf: Leaf, carrier_demand: dict[str, np.ndarray]) -> None:
    spec = ev.spec
    base = f"demand.{leaf.path}"
    act = ev.activity(leaf.path)
    act_unit = ev.activity_unit(leaf.path)
    if leaf.mode == "emissions":
        for gas in leaf.gases:
            path = f"{base}.emissions.{gas}"
            scale = ev.unit_scale(path, "t", act_unit)
            sink.emit(leaf.path, leaf.sector, leaf.gpc_fuel, "", gas, False, act * ev.series(path) * scale, "demand")
        return
    if leaf.mode == "shares":
        ei_path = f"{base}.energy_intensity"
        scale = ev.unit_scale(ei_path, spec.energy_unit, act_unit)
        energy = act * ev.series(ei_path) * scale
        siblings = [f"{base}.shares.{f}" for f in leaf.fuels]
    for fuel in leaf.fuels:
        fs = spec.fuels[fuel]
        if leaf.mode == "intensity":
            path = f"{base}.intensity.{fuel}"
            scale = ev.unit_scale(path, fs.unit, act_unit)
            qty = act * ev.series(path) * scale
        else:
            qty = energy * ev.share(f"{base}.shares.{fuel}", siblings) / ev.coef.energy[fuel]
        ref = leaf.gpc_carrier if fs.carrier else leaf.gpc_fuel
        sink.energy(leaf.path, leaf.sector, ref, fuel, fs.carrier, fs.unit, qty, ev.coef.energy[fuel], "final")
        if fs.carrier and fuel in carrier_demand:
            carrier_demand[fuel] += qty
            supply = spec.supply[fuel]
            if supply.scope2 == "consumption":
                _carrier_emissions(ev, sink, leaf.path, leaf.sector, ref, fuel, qty)
        elif not fs.zero_emission:
            for gas, t, bio in ev.coef.emissions[(ref, fuel)]:
                sink.emit(leaf.path, leaf.sector, ref, fuel, gas, bio, qty * t, "demand")


def _carrier_emissions(
    ev: _Evaluator, sink: _Sink, branch: str, sector: str, ref: str, carrier: str, qty: np.ndarray
) -> None:
    """Scope 2: quantity x factor path, gases split as in the library factor."""
    factor = ev.series(f"supply.{carrier}.factor")
    lib = ev.coef.carrier_factor.get(carrier)
    gases = [(g, t, b) for g, t, b in ev.coef.emissions.get((_carrier_ref(ev, carrier), carrier), []) if not b]
    if not lib or not gases:
        sink.emit(branch, sector, ref, carrier, "CO2", False, qty * factor, "demand")
        return
    for gas, t, _ in gases:
        # Each gas keeps its share of the library factor's CO2e as the path moves.
        share = t * gwp(gas, ev.spec.gwp) / lib
        sink.emit(branch, sector, ref, carrier, gas, False, qty * factor * share / gwp(gas, ev.spec.gwp), "demand")


def _carrier_ref(ev: _Evaluator, carrier: str) -> str:
    return next((ref for ref, fuel in ev.coef.emissions if fuel == carrier), "I.1.2")


def _supply(ev: _Evaluator, sink: _Sink, demand: dict[str, np.ndarray]) -> None:
    spec = ev.spec
    size, n = ev.draws.size, len(ev.years)
    local: dict[str, np.ndarray] = {c: np.zeros((size, n)) for c in spec.supply}
    requirement: dict[str, np.ndarray] = {}
    for carrier in spec.supply:
        losses = ev.series(f"supply.{carrier}.losses")
        requirement[carrier] = demand[carrier] / np.maximum(1.0 - losses, 1e-9)
        unit = spec.fuels[carrier].unit
        mwh_to_unit = parse_unit("MWh").to(parse_unit(unit))
        for p in (p for p in ev.model.processes if p.carrier == carrier):
            where = f"supply.{carrier}.processes.{p.name}"
            if p.dispatch == "share":
                out = ev.series(f"{where}.share") * requirement[carrier]
            elif p.dispatch == "output":
                out = ev.series(f"{where}.output").copy()
            else:
                out = np.full((size, n), np.inf)
            if p.has_capacity:
                cap = ev.series(f"{where}.capacity") * HOURS_PER_YEAR * ev.series(f"{where}.availability") * mwh_to_unit
                out = np.minimum(out, cap)
            conv_c = ev.coef.energy[carrier]
            fuel_energy = out * conv_c / ev.series(f"{where}.efficiency.{carrier}")
            fuel_qty = fuel_energy / ev.coef.energy[p.fuel]
            local[carrier] += out
            sink.energy(
                where,
                p.gpc.split(".")[0],
                p.gpc,
                p.fuel,
                False,
                spec.fuels[p.fuel].unit,
                fuel_qty,
                ev.coef.energy[p.fuel],
                "transformation_input",
            )
            sink.energy(where, p.gpc.split(".")[0], p.gpc, carrier, True, unit, out, conv_c, "transformation_output")
            for co in p.outputs[1:]:
                co_out = fuel_energy * ev.series(f"{where}.efficiency.{co}") / ev.coef.energy[co]
                if co in local:
                    local[co] += co_out
                sink.energy(
                    where,
                    p.gpc.split(".")[0],
                    p.gpc,
                    co,
                    True,
                    spec.fuels[co].unit,
                    co_out,
                    ev.coef.energy[co],
                    "transformation_output",
                )
            if not spec.fuels[p.fuel].zero_emission:
                for gas, t, bio in ev.coef.emissions[(p.gpc, p.fuel)]:
                    sink.emit(where, p.gpc.split(".")[0], p.gpc, p.fuel, gas, bio, fuel_qty * t, "supply")
    for carrier, supply in spec.supply.items():
        imports = requirement[carrier] - local[carrier]
        if (imports < -1e-6 * np.maximum(requirement[carrier], 1)).any():
            ev.warnings.append(f"supply.{carrier}: local output exceeds the requirement in some years (exported)")
        net = np.maximum(imports, 0.0)
        unit = spec.fuels[carrier].unit
        sink.energy(f"supply.{carrier}.imports", "I", "", carrier, True, unit, net, ev.coef.energy[carrier], "imports")
        if supply.scope2 == "net_imports":
            _carrier_emissions(ev, sink, f"supply.{carrier}.imports", "I", _carrier_ref(ev, carrier), carrier, net)
