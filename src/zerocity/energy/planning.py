r"""Capacity expansion with hourly dispatch as a linear programme (linopy + HiGHS), and Pareto fronts.

Decision variables (all non-negative, MW averaged over a snapshot unless stated): imports and
exports of each source, output of each generator and its new capacity, input of each converter
and its new capacity, charge, discharge and state of charge [MWh] of each storage with new power
and energy capacities, the load of each flexible demand, the moved-in and moved-out demand of
each demand-response resource.

Constraints, for every carrier c and snapshot t (weight :math:`w_t` hours):

.. math::

    \sum_s m_{s,t} - x_{s,t} + \sum_g p_{g,t} + \sum_k \eta_{k,c,t} u_{k,t} - \sum_{k: in=c} u_{k,t}
    + \sum_b (d_{b,t} - q_{b,t}) - \sum_f l_{f,t} - D_{c,t} + o_{c,t} - i_{c,t} = 0

    p_{g,t} \le (P^0_g + P_g)\,a_{g,t},\quad u_{k,t} \le P^0_k + P_k,\quad
    q_{b,t}, d_{b,t} \le P^0_b + P_b,\quad e_{b,t} \le E^0_b + E_b

    e_{b,t} = (1-\lambda_b)^{\Delta} e_{b,t-1} + \Delta(\eta^{ch}_b q_{b,t} - d_{b,t}/\eta^{dis}_b)
    \quad\text{(cyclic over the horizon, or within each representative day)}

    \sum_{t \in day} \Delta l_{f,t} = E^{day}_f,\ l_{f,t} \le L_{f,t};\qquad
    \sum_{t \in day} o_{c,t} = \sum_{t \in day} i_{c,t},\ o_{c,t}, i_{c,t} \le \sigma D_{c,t}

with :math:`\Delta` the snapshot length [h] and :math:`w_t` the hours of the year a snapshot stands
for (costs, emissions and annual energy are weighted by :math:`w_t`).

Objectives (each a linear expression; one is minimised, others may be bounded):

* **cost** [yuan/yr]: new capacity × capex × (CRF + fixed O&M share) + Σ_t w_t (import price ×
  imports − export price × exports + variable costs + degradation × discharge + demand-response
  cost × moved demand);
* **co2** [t CO2e/yr]: Σ_t w_t carbon intensity × imports (local combustion enters through the
  fuel source's intensity: gas imported is gas burnt);
* **primary** [MWh/yr]: Σ_t w_t primary-energy factor × imports (non-renewable primary energy);
* **imports** [MWh/yr]: Σ_t w_t imports of sources that count as imports; self-sufficiency =
  1 − imports / energy demand.

Pareto front (epsilon-constraint, Haimes, Lasdon & Wismer 1971; Mavrotas 2009): minimise cost
with co2 ≤ ε for N values of ε evenly spaced between the co2 of the cost optimum and the minimum
co2. Weighted sums minimise Σ_j w_j f_j / f_j^* with each objective normalised by its value at the
cost optimum.

References: Brown, Hörsch, Schlachtberger (2018), PyPSA: Python for Power System Analysis, J.
Open Research Software 6(1):4 (component model and storage equation); Hofmann (2023), Linopy:
Linear optimization with n-dimensional labeled variables, J. Open Source Software 8(84):4823.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import linopy
import numpy as np
import pandas as pd

from zerocity.energy.solver import OptimisationError, solve
from zerocity.energy.system import (
    ConverterSpec,
    EnergySystem,
    FlexibleDemandSpec,
    GeneratorSpec,
    ShiftSpec,
    SourceSpec,
    StorageSpec,
    crf,
)

__all__ = ["OBJECTIVES", "Plan", "PlanningModel", "build_model", "optimise", "pareto_front"]

log = logging.getLogger(__name__)

OBJECTIVES = ("cost", "co2", "primary", "imports")


@dataclass
class PlanningModel:
    """A built linopy model with its objective expressions and the variables of each technology."""

    system: EnergySystem
    model: linopy.Model
    objectives: dict[str, Any]
    variables: dict[str, dict[str, Any]]
    build_seconds: float
    fixed_cost: float = 0.0  # fixed O&M of existing capacity [yuan/yr], a constant of the cost
    eps: Any = None  # the epsilon constraint on co2, added on demand


@dataclass
class Plan:
    """One solved plan: objectives, capacities, annual flows."""

    objectives: dict[str, float]
    self_sufficiency: float
    capacities: pd.DataFrame  # technology, kind, existing, new, total [MW or MWh]
    flows: pd.DataFrame  # technology, carrier, direction, MWh/yr
    solve_seconds: float
    label: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "label": self.label,
            "objectives": self.objectives,
            "self_sufficiency": self.self_sufficiency,
            "capacities": self.capacities.to_dict(orient="records"),
            "flows": self.flows.to_dict(orient="records"),
            "solve_seconds": self.solve_seconds,
            **self.extras,
        }


def build_model(system: EnergySystem) -> PlanningModel:
    """Build the linear programme of a system (no objective set yet)."""
    t0 = time.perf_counter()
    spec = system.spec
    snap = system.snapshots
    w = pd.Series(system.weights, index=snap)  # hours of the year each snapshot stands for
    dt = spec.timestep_hours  # hours a snapshot lasts
    days = pd.Series(system.days, index=snap, name="day").to_xarray()
    m = linopy.Model()
    balance: dict[str, Any] = {c: 0 for c in spec.carriers}
    cost: Any = 0
    co2: Any = 0
    primary: Any = 0
    imports: Any = 0
    fixed_cost = 0.0
    variables: dict[str, dict[str, Any]] = {}
    r = spec.discount_rate

    def ts(values: np.ndarray) -> pd.Series:
        return pd.Series(values, index=snap)

    def capacity(name: str, t: Any, suffix: str = "", unit_cost: float | None = None) -> tuple[Any, float]:
        """New capacity variable and the annual cost per unit of it."""
        upper = np.inf if t.max_capacity is None else max(t.max_capacity - t.existing, 0.0)
        lower = max(t.min_capacity - t.existing, 0.0)
        var = m.add_variables(lower=lower, upper=upper, name=f"{name}{suffix}_new")
        per = (t.capex if unit_cost is None else unit_cost) * (crf(r, t.lifetime) + t.fom)
        return var, per

    for name, t in spec.technologies.items():
        v: dict[str, Any] = {}
        if isinstance(t, SourceSpec):
            upper = np.inf if t.max_power is None else t.max_power
            imp = m.add_variables(lower=0, upper=upper, coords=[snap], name=f"{name}_import")
            v["import"] = imp
            balance[t.carrier] = balance[t.carrier] + imp
            price = ts(system.series(t.price, f"technologies.{name}.price"))
            carbon = ts(system.series(t.carbon, f"technologies.{name}.carbon"))
            cost = cost + (imp * price * w).sum()
            co2 = co2 + (imp * carbon * w).sum()
            primary = primary + (imp * (t.primary_energy * w)).sum()
            if t.counts_as_import:
                imports = imports + (imp * w).sum()
            if t.export_price is not None:
                exp = m.add_variables(lower=0, upper=upper, coords=[snap], name=f"{name}_export")
                v["export"] = exp
                balance[t.carrier] = balance[t.carrier] - exp
                cost = cost - (exp * ts(system.series(t.export_price, f"{name}.export_price")) * w).sum()
        elif isinstance(t, GeneratorSpec):
            new, per = capacity(name, t)
            p = m.add_variables(lower=0, coords=[snap], name=f"{name}_p")
            avail = ts(system.series(t.availability, f"technologies.{name}.availability"))
            m.add_constraints(p - new * avail <= avail * t.existing, name=f"{name}_avail")
            v.update(new=new, p=p)
            balance[t.carrier] = balance[t.carrier] + p
            cost = cost + per * new + (p * (t.variable_cost * w)).sum()
            fixed_cost += t.existing * t.capex * t.fom
        elif isinstance(t, ConverterSpec):
            new, per = capacity(name, t)
            u = m.add_variables(lower=0, coords=[snap], name=f"{name}_in")
            m.add_constraints(u - new <= t.existing, name=f"{name}_cap")
            v.update(new=new, input=u)
            balance[t.input] = balance[t.input] - u
            for out, eff in t.outputs.items():
                balance[out] = balance[out] + u * ts(system.series(eff, f"technologies.{name}.outputs.{out}"))
            cost = cost + per * new + (u * (t.variable_cost * w)).sum()
            fixed_cost += t.existing * t.capex * t.fom
        elif isinstance(t, StorageSpec):
            new_p, per_p = capacity(name, t, "_power")
            charge = m.add_variables(lower=0, coords=[snap], name=f"{name}_charge")
            discharge = m.add_variables(lower=0, coords=[snap], name=f"{name}_discharge")
            soc = m.add_variables(lower=0, coords=[snap], name=f"{name}_soc")
            m.add_constraints(charge - new_p <= t.existing, name=f"{name}_charge_cap")
            m.add_constraints(discharge - new_p <= t.existing, name=f"{name}_discharge_cap")
            if t.max_hours is not None:
                m.add_constraints(soc - new_p * t.max_hours <= t.existing * t.max_hours, name=f"{name}_soc_cap")
                per_p += t.capex_energy * t.max_hours * (crf(r, t.lifetime) + t.fom)
                v.update(new=new_p)
            else:
                new_e = m.add_variables(lower=0, name=f"{name}_energy_new")
                m.add_constraints(soc - new_e <= 0, name=f"{name}_soc_cap")
                cost = cost + t.capex_energy * (crf(r, t.lifetime) + t.fom) * new_e
                v.update(new=new_p, new_energy=new_e)
            keep = (1.0 - t.standing_loss) ** dt
            flow = charge * (t.efficiency_charge * dt) - discharge * (dt / t.efficiency_discharge)
            if system.representative:
                # Cyclic within each representative day: its first hour follows its last.
                length = int(np.bincount(system.days)[0])
                first = pd.Series(np.arange(len(snap)) % length == 0, index=snap)
                m.add_constraints(soc - soc.roll(snapshot=1) * keep - flow == 0, name=f"{name}_soc", mask=~first)
                m.add_constraints(
                    soc - soc.roll(snapshot=-(length - 1)) * keep - flow == 0, name=f"{name}_soc_cycle", mask=first
                )
            else:
                # Cyclic over the horizon: snapshot 0 follows the last one.
                m.add_constraints(soc - soc.roll(snapshot=1) * keep - flow == 0, name=f"{name}_soc")
            v.update(charge=charge, discharge=discharge, soc=soc)
            balance[t.carrier] = balance[t.carrier] + discharge - charge
            cost = cost + per_p * new_p + (discharge * (t.cycle_cost * w)).sum()
        elif isinstance(t, FlexibleDemandSpec):
            avail = ts(system.series(t.max_power, f"technologies.{name}.max_power"))
            load = m.add_variables(lower=0, upper=avail, coords=[snap], name=f"{name}_load")
            m.add_constraints((load * dt).groupby(days).sum() == t.daily_energy, name=f"{name}_daily")
            v.update(load=load)
            balance[t.carrier] = balance[t.carrier] - load
            v["energy"] = t.daily_energy * system.hours / 24.0
        elif isinstance(t, ShiftSpec):
            demand = _demand(system, t.carrier)
            limit = ts(t.share * demand)
            move_in = m.add_variables(lower=0, upper=limit, coords=[snap], name=f"{name}_in")
            move_out = m.add_variables(lower=0, upper=limit, coords=[snap], name=f"{name}_out")
            m.add_constraints((move_in - move_out).groupby(days).sum() == 0, name=f"{name}_day")
            v.update(move_in=move_in, move_out=move_out)
            balance[t.carrier] = balance[t.carrier] + move_out - move_in
            cost = cost + (move_out * (t.cost * w)).sum()
        variables[name] = v
    for carrier in spec.carriers:
        demand = ts(_demand(system, carrier))
        expr = balance[carrier]
        if isinstance(expr, int):
            if demand.abs().sum() > 0:
                raise OptimisationError(f"{system.source}: carrier {carrier!r} has demand but nothing supplies it")
            continue
        m.add_constraints(expr == demand, name=f"balance_{carrier}")
    objectives = {"cost": cost, "co2": co2, "primary": primary, "imports": imports}
    built = time.perf_counter() - t0
    log.info("built %s: %d variables, %d constraints in %.2f s", spec.name, m.nvars, m.ncons, built)
    return PlanningModel(system, m, objectives, variables, built, fixed_cost)


def _demand(system: EnergySystem, carrier: str) -> np.ndarray:
    d = system.spec.demand.get(carrier)
    if d is None:
        return np.zeros(len(system.snapshots))
    return system.series(d.profile, f"demand.{carrier}") * d.scale


def _value(expr: Any) -> float:
    if isinstance(expr, int | float):
        return float(expr)
    sol = expr.solution
    return float(sol.sum()) if hasattr(sol, "sum") else float(sol)


def _energy_demand(system: EnergySystem, pm: PlanningModel) -> float:
    total = sum(float((_demand(system, c) * system.weights).sum()) for c in system.spec.demand)
    for name, t in system.spec.technologies.items():
        if isinstance(t, FlexibleDemandSpec):
            total += float(pm.variables[name]["energy"])
    return total


def _plan(pm: PlanningModel, seconds: float, label: str) -> Plan:
    system = pm.system
    w = system.weights
    rows = []
    flows = []
    for name, t in system.spec.technologies.items():
        v = pm.variables[name]

        def total(var: Any) -> float:
            return float((var.solution.to_numpy() * w).sum())

        if isinstance(t, SourceSpec):
            flows.append({"technology": name, "carrier": t.carrier, "flow": "import", "mwh": total(v["import"])})
            peak = float(v["import"].solution.max())
            rows.append({"technology": name, "kind": t.kind, "existing": 0.0, "new": 0.0, "peak_mw": peak})
            if "export" in v:
                flows.append({"technology": name, "carrier": t.carrier, "flow": "export", "mwh": total(v["export"])})
        elif isinstance(t, GeneratorSpec | ConverterSpec):
            new = float(v["new"].solution)
            rows.append({"technology": name, "kind": t.kind, "existing": t.existing, "new": new})
            if isinstance(t, GeneratorSpec):
                flows.append({"technology": name, "carrier": t.carrier, "flow": "output", "mwh": total(v["p"])})
            else:
                flows.append({"technology": name, "carrier": t.input, "flow": "input", "mwh": total(v["input"])})
                for out, eff in t.outputs.items():
                    out_mwh = float((v["input"].solution.to_numpy() * system.series(eff, name) * w).sum())
                    flows.append({"technology": name, "carrier": out, "flow": "output", "mwh": out_mwh})
        elif isinstance(t, StorageSpec):
            new = float(v["new"].solution)
            energy = new * t.max_hours if t.max_hours is not None else float(v["new_energy"].solution)
            rows.append({"technology": name, "kind": t.kind, "existing": t.existing, "new": new, "energy_mwh": energy})
            flows.append({"technology": name, "carrier": t.carrier, "flow": "charge", "mwh": total(v["charge"])})
            flows.append({"technology": name, "carrier": t.carrier, "flow": "discharge", "mwh": total(v["discharge"])})
        elif isinstance(t, FlexibleDemandSpec):
            flows.append({"technology": name, "carrier": t.carrier, "flow": "load", "mwh": total(v["load"])})
        elif isinstance(t, ShiftSpec):
            flows.append({"technology": name, "carrier": t.carrier, "flow": "moved", "mwh": total(v["move_out"])})
    objectives = {k: _value(e) for k, e in pm.objectives.items()}
    objectives["cost"] += pm.fixed_cost
    demand = _energy_demand(system, pm)
    self_sufficiency = 1.0 - objectives["imports"] / demand if demand > 0 else float("nan")
    caps = pd.DataFrame(rows)
    if not caps.empty:
        caps["total"] = caps["existing"] + caps["new"]
    return Plan(objectives, self_sufficiency, caps, pd.DataFrame(flows), seconds, label)


def optimise(
    system: EnergySystem,
    *,
    objective: str = "cost",
    weights: dict[str, float] | None = None,
    co2_cap: float | None = None,
    model: PlanningModel | None = None,
) -> Plan:
    """Solve for one objective (or a weighted sum of normalised objectives) and return the plan.

    Parameters
    ----------
    objective : str
        ``cost``, ``co2``, ``primary`` or ``imports`` (the others tie-broken by a 1e-6 share of
        cost so the plan is not needlessly expensive).
    weights : dict, optional
        Weighted sum Σ w_j f_j / f_j(cost optimum) instead of one objective.
    co2_cap : float, optional
        An upper bound on co2 [t CO2e/yr].
    """
    pm = model or build_model(system)
    if objective not in OBJECTIVES:
        raise OptimisationError(f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}")
    if co2_cap is not None:
        _set_cap(pm, co2_cap)
    if weights:
        unknown = set(weights) - set(OBJECTIVES)
        if unknown:
            raise OptimisationError(f"unknown objectives in weights: {sorted(unknown)}")
        base = optimise(system, model=pm)
        terms = [pm.objectives[key] * (weight / (abs(base.objectives[key]) or 1.0)) for key, weight in weights.items()]
        weighted = terms[0]
        for term in terms[1:]:
            weighted = weighted + term
        pm.model.add_objective(weighted, overwrite=True)
        seconds = solve(pm.model, what=f"{system.spec.name} (weighted sum)")
        return _plan(pm, seconds, "weighted " + ",".join(f"{k}={v:g}" for k, v in weights.items()))
    expr = pm.objectives[objective]
    if objective != "cost":
        expr = expr + 1e-6 * pm.objectives["cost"]
    pm.model.add_objective(expr, overwrite=True)
    seconds = solve(pm.model, what=f"{system.spec.name} (min {objective})")
    return _plan(pm, seconds, f"min {objective}")


def _set_cap(pm: PlanningModel, cap: float) -> None:
    if pm.eps is None:
        pm.eps = pm.model.add_constraints(pm.objectives["co2"] <= cap, name="co2_cap")
    else:
        pm.model.constraints["co2_cap"].update(rhs=cap)


def pareto_front(system: EnergySystem, points: int = 5) -> tuple[list[Plan], PlanningModel]:
    """Cost against co2 by the epsilon-constraint method: ``points`` plans from cheapest to cleanest."""
    if points < 2:
        raise OptimisationError("a Pareto front needs at least 2 points")
    pm = build_model(system)
    cheapest = optimise(system, model=pm)
    cleanest = optimise(system, objective="co2", model=pm)
    high, low = cheapest.objectives["co2"], cleanest.objectives["co2"]
    plans = [cheapest]
    plans[0].label = "eps 0"
    for k in range(1, points - 1):
        eps = high - (high - low) * k / (points - 1)
        _set_cap(pm, eps)
        plan = optimise(system, model=pm)
        plan.label = f"eps {k}"
        plans.append(plan)
    cleanest.label = f"eps {points - 1}"
    plans.append(cleanest)
    return plans, pm
