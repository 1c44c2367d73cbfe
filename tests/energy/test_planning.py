"""Energy system planning: hand-worked LPs, PyPSA agreement, Pareto fronts, errors, CLI."""

from __future__ import annotations

import itertools
import json
import logging

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zerocity.cli import app
from zerocity.energy.planning import build_model, optimise, pareto_front
from zerocity.energy.solver import OptimisationError
from zerocity.energy.system import EnergySystemError, crf, load_system

# With discount rate 0 and a 1-year life, CRF = 1: capex is the annual cost per MW.
ANNUAL = {"lifetime": 1, "fom": 0.0}


def system(technologies: dict, profiles: dict, demand: dict | None = None, carriers=("electricity",), **kw):
    data = {
        "name": "test",
        "discount_rate": 0.0,
        "carriers": list(carriers),
        "demand": demand if demand is not None else {"electricity": {"profile": "load"}},
        "technologies": technologies,
        **kw,
    }
    return load_system(data=data, profiles=pd.DataFrame(profiles))


GRID = {"kind": "source", "carrier": "electricity", "price": "price", "carbon": 0.5}


def test_crf_by_hand():
    # r (1+r)^n / ((1+r)^n - 1): 6 %, 20 years -> 0.0871846; r = 0 -> 1/n.
    assert crf(0.06, 20) == pytest.approx(0.06 * 1.06**20 / (1.06**20 - 1))
    assert crf(0.06, 20) == pytest.approx(0.0871846, rel=1e-6)
    assert crf(0.0, 4) == 0.25


def test_pv_built_when_cheaper_than_peak_energy():
    s = system(
        {
            "grid": GRID,
            "pv": {"kind": "generator", "carrier": "electricity", "availability": "cf", "capex": 200, **ANNUAL},
        },
        {"load": [10.0, 10.0], "price": [100.0, 300.0], "cf": [0.0, 1.0]},
    )
    plan = optimise(s)
    # PV at 200/MW-yr replaces energy at 300/MWh in hour 2: P = 10, cost 200*10 + 100*10.
    caps = plan.capacities.set_index("technology")
    assert caps.at["pv", "new"] == pytest.approx(10.0)
    assert plan.objectives["cost"] == pytest.approx(3000.0)
    assert plan.objectives["co2"] == pytest.approx(0.5 * 10)
    # Self-sufficiency: 10 of 20 MWh made locally.
    assert plan.self_sufficiency == pytest.approx(0.5)


def test_battery_arbitrage_and_cyclic_state():
    s = system(
        {
            "grid": GRID,
            "battery": {"kind": "storage", "carrier": "electricity", "capex": 0.0, "capex_energy": 50.0, **ANNUAL},
        },
        {"load": [10.0, 10.0], "price": [100.0, 300.0]},
    )
    plan = optimise(s)
    # Charge 10 MWh at 100, discharge at 300 (efficiency 1): 2000 energy + 50 x 10 MWh = 2500.
    assert plan.objectives["cost"] == pytest.approx(2500.0)
    caps = plan.capacities.set_index("technology")
    assert caps.at["battery", "energy_mwh"] == pytest.approx(10.0)
    # With losses the spread must pay for them: eta 0.5 each way -> 1 MWh out costs 4 MWh in at 100.
    lossy = system(
        {
            "grid": GRID,
            "battery": {
                "kind": "storage",
                "carrier": "electricity",
                "capex_energy": 50.0,
                "efficiency_charge": 0.5,
                "efficiency_discharge": 0.5,
                **ANNUAL,
            },
        },
        {"load": [10.0, 10.0], "price": [100.0, 300.0]},
    )
    assert optimise(lossy).objectives["cost"] == pytest.approx(4000.0)


def test_converters_flexible_demand_and_shift():
    carriers = ("electricity", "heat", "gas")
    techs = {
        "grid": GRID,
        "gas": {"kind": "source", "carrier": "gas", "price": 90.0, "carbon": 0.2},
        "heat_pump": {"kind": "converter", "input": "electricity", "outputs": {"heat": 3.0}, "capex": 0.0},
        "boiler": {"kind": "converter", "input": "gas", "outputs": {"heat": 0.9}, "capex": 0.0},
    }
    profiles = {"load": [10.0, 10.0], "heat": [30.0, 30.0], "price": [100.0, 300.0]}
    demand = {"electricity": {"profile": "load"}, "heat": {"profile": "heat"}}
    plan = optimise(system(techs, profiles, demand, carriers))
    # Heat: heat pump 100/3 = 33.3 per MWh_th in hour 1, 300/3 = 100 in hour 2; boiler 90/0.9 = 100.
    # Hour 1: heat pump (10 MWh el), hour 2: either (tie at 100). Cost: 1000 + 1000 + 3000 + 3000.
    assert plan.objectives["cost"] == pytest.approx(8000.0)
    flex = {
        "grid": GRID,
        "ev": {"kind": "flexible_demand", "carrier": "electricity", "daily_energy": 10.0, "max_power": 10.0},
        "dr": {"kind": "shift", "carrier": "electricity", "share": 0.5, "cost": 10.0},
    }
    plan = optimise(system(flex, {"load": [10.0, 10.0], "price": [100.0, 300.0]}))
    # EV charges 10 MWh in hour 1; demand response moves 5 MWh from hour 2 to hour 1 (saves 200 - 10).
    # Cost: (10 + 10 + 5) x 100 + 5 x 300 + 5 x 10.
    assert plan.objectives["cost"] == pytest.approx(2500 + 1500 + 50)


def test_existing_capacity_and_limits():
    techs = {
        "grid": {**GRID, "max_power": 4.0},
        "pv": {
            "kind": "generator",
            "carrier": "electricity",
            "availability": "cf",
            "capex": 1000.0,
            "existing": 3.0,
            "max_capacity": 8.0,
            **ANNUAL,
        },
    }
    plan = optimise(system(techs, {"load": [6.0], "price": [100.0], "cf": [1.0]}))
    caps = plan.capacities.set_index("technology")
    # Existing 3 MW covers 3; the grid at 100 covers the rest; no new PV at 1000/MW.
    assert caps.at["pv", "new"] == pytest.approx(0.0)
    assert plan.objectives["cost"] == pytest.approx(300.0)
    with pytest.raises(OptimisationError, match="infeasible"):
        optimise(system(techs, {"load": [20.0], "price": [100.0], "cf": [1.0]}))


def test_agrees_with_pypsa_within_1e6():
    pypsa = pytest.importorskip("pypsa")
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    rng = np.random.default_rng(3)
    hours = 168
    h = np.arange(hours)
    load = 50 + 20 * np.sin(2 * np.pi * (h - 8) / 24) + rng.normal(0, 3, hours)
    price = np.where((h % 24 >= 8) & (h % 24 < 22), 700.0, 300.0) + rng.uniform(0, 50, hours)
    cf = np.clip(np.sin(2 * np.pi * ((h % 24) - 6) / 24), 0, None) * rng.uniform(0.4, 1.0, hours)
    ours = system(
        {
            "grid": {**GRID, "max_power": 1000.0},
            "pv": {"kind": "generator", "carrier": "electricity", "availability": "cf", "capex": 9000.0, **ANNUAL},
            "battery": {
                "kind": "storage",
                "carrier": "electricity",
                "capex": 12000.0,
                "max_hours": 4.0,
                "efficiency_charge": 0.95,
                "efficiency_discharge": 0.95,
                "standing_loss": 0.001,
                **ANNUAL,
            },
        },
        {"load": load, "price": price, "cf": cf},
    )
    plan = optimise(ours)
    n = pypsa.Network()
    n.set_snapshots(pd.RangeIndex(hours))
    n.add("Bus", "el")
    n.add("Load", "load", bus="el", p_set=pd.Series(load, index=n.snapshots))
    n.add("Generator", "grid", bus="el", p_nom=1000.0, marginal_cost=pd.Series(price, index=n.snapshots))
    n.add(
        "Generator",
        "pv",
        bus="el",
        p_nom_extendable=True,
        capital_cost=9000.0,
        p_max_pu=pd.Series(cf, index=n.snapshots),
    )
    n.add(
        "StorageUnit",
        "battery",
        bus="el",
        p_nom_extendable=True,
        max_hours=4.0,
        capital_cost=12000.0,
        efficiency_store=0.95,
        efficiency_dispatch=0.95,
        standing_loss=0.001,
        cyclic_state_of_charge=True,
    )
    status, _ = n.optimize(solver_name="highs", include_objective_constant=False, output_flag=False)
    assert status == "ok"
    assert plan.objectives["cost"] == pytest.approx(float(n.objective), rel=1e-6)
    caps = plan.capacities.set_index("technology")
    assert caps.at["pv", "new"] == pytest.approx(float(n.generators.p_nom_opt["pv"]), rel=1e-4, abs=1e-3)
    assert caps.at["battery", "new"] == pytest.approx(float(n.storage_units.p_nom_opt["battery"]), rel=1e-4, abs=1e-3)


def test_representative_days_weighting():
    techs = {
        "grid": GRID,
        "battery": {"kind": "storage", "carrier": "electricity", "capex_energy": 50.0, **ANNUAL},
        "pv": {"kind": "generator", "carrier": "electricity", "availability": "cf", "capex": 5000.0, **ANNUAL},
    }
    day = {"load": [10.0] * 24, "price": [100.0] * 12 + [300.0] * 12, "cf": [0.0] * 6 + [1.0] * 12 + [0.0] * 6}
    one = pd.DataFrame(day).assign(weight=2.0, day=1)
    two = pd.concat([pd.DataFrame(day).assign(day=1), pd.DataFrame(day).assign(day=2)]).assign(weight=1.0)
    a = load_system(
        data={
            "name": "a",
            "discount_rate": 0,
            "carriers": ["electricity"],
            "demand": {"electricity": {"profile": "load"}},
            "technologies": techs,
        },
        profiles=one,
    )
    b = load_system(
        data={
            "name": "b",
            "discount_rate": 0,
            "carriers": ["electricity"],
            "demand": {"electricity": {"profile": "load"}},
            "technologies": techs,
        },
        profiles=two,
    )
    # One day standing for two equals two identical days standing for one each.
    assert optimise(a).objectives["cost"] == pytest.approx(optimise(b).objectives["cost"], rel=1e-9)


def test_pareto_front_is_monotone_and_respects_epsilon():
    from zerocity.demo.energy_system import demo_system

    s = load_system(data=demo_system(representative=True))
    plans, _ = pareto_front(s, 4)
    cost = [p.objectives["cost"] for p in plans]
    co2 = [p.objectives["co2"] for p in plans]
    assert all(b >= a - 1e-3 * abs(a) for a, b in itertools.pairwise(cost))
    assert all(b <= a + 1e-6 * abs(a) for a, b in itertools.pairwise(co2))
    # Intermediate points sit on their epsilon: co2 evenly spaced between the extremes.
    step = (co2[0] - co2[-1]) / 3
    assert co2[1] == pytest.approx(co2[0] - step, rel=1e-4)
    weighted = optimise(s, weights={"cost": 1.0, "co2": 5.0})
    assert weighted.objectives["co2"] <= co2[0] + 1e-6 * co2[0]


def test_schema_errors_name_fields(tmp_path):
    with pytest.raises(EnergySystemError, match=r"technologies.pv: unknown carrier 'power'"):
        system({"pv": {"kind": "generator", "carrier": "power", "availability": 1.0}}, {"load": [1.0]})
    with pytest.raises(EnergySystemError, match="unknown profile 'sun'"):
        system(
            {"grid": GRID, "pv": {"kind": "generator", "carrier": "electricity", "availability": "sun"}},
            {"load": [1.0], "price": [1.0]},
        )
    with pytest.raises(EnergySystemError, match="capexx"):
        system(
            {"grid": GRID, "pv": {"kind": "generator", "carrier": "electricity", "availability": 1.0, "capexx": 1}},
            {"load": [1.0], "price": [1.0]},
        )
    with pytest.raises(OptimisationError, match="nothing supplies it"):
        optimise(system({}, {"load": [1.0]}))


def test_cli_json(tmp_path):
    (tmp_path / "profiles.csv").write_text("load,price,cf\n10,100,0\n10,300,1\n", encoding="utf-8")
    (tmp_path / "system.yaml").write_text(
        """
name: two hours
discount_rate: 0
carriers: [electricity]
profiles: {file: profiles.csv}
demand: {electricity: {profile: load}}
technologies:
  grid: {kind: source, carrier: electricity, price: price, carbon: 0.5}
  pv: {kind: generator, carrier: electricity, availability: cf, capex: 200, lifetime: 1}
""",
        encoding="utf-8",
    )
    runner = CliRunner()
    result = runner.invoke(app, ["energy", "optimise", str(tmp_path / "system.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["plan"]["objectives"]["cost"] == pytest.approx(3000.0)
    result = runner.invoke(app, ["energy", "optimise", str(tmp_path / "system.yaml"), "--pareto", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["pareto"]) == 3
    (tmp_path / "bad.yaml").write_text(
        "name: x\ncarriers: [electricity]\ndemand: {}\ntechnologies: {g: {kind: nope}}\n"
    )
    result = runner.invoke(app, ["energy", "optimise", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2
    assert "technologies.g" in result.stderr


def test_build_model_size_for_a_year():
    from zerocity.demo.energy_system import demo_system

    s = load_system(data=demo_system())
    pm = build_model(s)
    assert len(s.snapshots) == 8760
    assert pm.model.nvars > 8760 * 10
