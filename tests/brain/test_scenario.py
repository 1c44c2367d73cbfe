"""Scenario engine: hand-calculated models, override semantics, schema errors, wedges, exports."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from zerocity.brain.scenario import (
    ScenarioModelError,
    compile_model,
    iamc_frame,
    load_model,
    monte_carlo,
    run_scenarios,
    tidy_frame,
    wedges,
)
from zerocity.brain.scenario.engine import evaluate, resolve_coefficients
from zerocity.brain.scenario.pathways import _chain
from zerocity.brain.scenario.series import Draws
from zerocity.cli import app
from zerocity.inventory.gpc import Level

# China's provincial guideline factor for raw (other bituminous) coal, as the library resolves it
# for Jiangsu: NCV 20.908 GJ/t (GB/T 2589-2020 Appendix A), carbon content 26.18 tC/TJ and
# oxidation 93 % (NDRC 2013 iron and steel guideline, Appendix 2).
COAL_CO2_T_PER_T = 20.908e-3 * 26.18 * 0.93 * 44 / 12

SMALL = """\
name: Small town
region: CN-JS
base_year: 2024
end_year: 2030
assumptions:
  population: {unit: person, value: 1000, growth: 0.1}
fuels:
  raw_coal: {unit: t}
  electricity: {unit: MWh, activity: electricity_grid, carrier: true}
demand:
  homes:
    gpc: I.1
    activity: {driver: population}
    intensity:
      raw_coal: {unit: t/person, value: 0.5}
      electricity: {unit: kWh/person, value: 2000}
supply:
  electricity:
    factor: {value: 0.5, interp: {2030: 0.2}}
scenarios:
  BAU: {}
  policy:
    parent: BAU
    measures: [less_coal]
  deeper:
    parent: policy
    overrides:
      - {variable: supply.electricity.factor, from: 2028, values: {2028: 0.1}}
measures:
  less_coal:
    overrides:
      - {variable: demand.homes.intensity.raw_coal, from: 2026, scale: {2030: 0.5}}
    cost: {capex: 1000000, opex_per_year: 1000}
"""


def _model(text: str, tmp_path: Path, name: str = "model.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_model(path)


def _gas(run, gas: str, fuel: str) -> np.ndarray:
    em = run.emissions()
    sel = em[(em["gas"] == gas) & (em["fuel"] == fuel)]
    return sel.groupby("year")["tonnes"].sum().to_numpy()


def test_growth_times_intensity_times_factor_by_hand(tmp_path):
    model = _model(SMALL, tmp_path)
    run = run_scenarios(model, ["BAU"]).runs["BAU"]
    years = np.arange(2024, 2031)
    population = 1000 * 1.1 ** (years - 2024)
    np.testing.assert_allclose(run.variable("assumptions.population"), population, rtol=1e-12)
    # Coal: 0.5 t/person, CO2 by the guideline factor.
    np.testing.assert_allclose(_gas(run, "CO2", "raw_coal"), 0.5 * population * COAL_CO2_T_PER_T, rtol=1e-4)
    # Electricity: 2000 kWh/person = 2 MWh/person, factor 0.5 -> 0.2 linearly over 2025-2030.
    factor = 0.5 + (0.2 - 0.5) * (years - 2024) / 6
    np.testing.assert_allclose(_gas(run, "CO2", "electricity"), 2 * population * factor, rtol=1e-12)
    energy = run.energy()
    coal_tce = energy[(energy["fuel"] == "raw_coal") & (energy["kind"] == "final")]["energy"].to_numpy()
    np.testing.assert_allclose(coal_tce, 0.5 * population * 0.7143, rtol=1e-12)  # GB/T 2589 0.7143 kgce/kg
    scopes = run.emissions().groupby("fuel")["scope"].first().to_dict()
    assert scopes == {"raw_coal": 1, "electricity": 2}


def test_override_semantics_and_inheritance(tmp_path):
    model = _model(SMALL, tmp_path)
    res = run_scenarios(model)
    bau, policy, deeper = (res.runs[n] for n in ("BAU", "policy", "deeper"))
    base = bau.variable("demand.homes.intensity.raw_coal").to_numpy()
    pol = policy.variable("demand.homes.intensity.raw_coal").to_numpy()
    # Before the override's first year the child equals the parent.
    np.testing.assert_array_equal(pol[:2], base[:2])
    # scale ramps from 1 (2025) to 0.5 (2030): 2026 -> 0.9, 2028 -> 0.7.
    np.testing.assert_allclose(pol[2:] / base[2:], [0.9, 0.8, 0.7, 0.6, 0.5], rtol=1e-12)
    # The grandchild inherits the measure and steps its own factor from 2028.
    np.testing.assert_array_equal(deeper.variable("demand.homes.intensity.raw_coal").to_numpy(), pol)
    f_pol = policy.variable("supply.electricity.factor").to_numpy()
    f_deep = deeper.variable("supply.electricity.factor").to_numpy()
    np.testing.assert_array_equal(f_deep[:4], f_pol[:4])
    np.testing.assert_allclose(f_deep[4:], 0.1)
    assert res.model.lineage("deeper") == ["BAU", "policy", "deeper"]


def test_expressions_interp_values_growth_anchors_driver(tmp_path):
    text = """\
    name: Paths
    base_year: 2020
    end_year: 2026
    assumptions:
      a: {value: 100, growth: {2022: 0.1, 2024: -0.5}}
      b: {value: 10, interp: {2022: 20, 2024: 0}}
      c: {value: 1, values: {2023: 5, 2025: 7}}
      d: {value: 50, driver: a, elasticity: 2}
    fuels:
      solar: {unit: MWh, zero_emission: true}
    demand:
      x: {gpc: I.1, activity: {driver: a}, intensity: {solar: 1}}
    """
    run = run_scenarios(_model(text, tmp_path), ["BAU"]).runs["BAU"]
    a = [100, 100, 110, 121, 60.5, 30.25, 15.125]
    np.testing.assert_allclose(run.variable("assumptions.a"), a)
    np.testing.assert_allclose(run.variable("assumptions.b"), [10, 15, 20, 10, 0, 0, 0])
    np.testing.assert_allclose(run.variable("assumptions.c"), [1, 1, 1, 5, 5, 7, 7])
    np.testing.assert_allclose(run.variable("assumptions.d"), 50 * (np.array(a) / 100) ** 2)
    assert run.emissions().empty or run.emissions()["tco2e"].sum() == 0


def test_activity_shares_remainder_and_fuel_shares(tmp_path):
    text = """\
    name: Shares
    base_year: 2024
    end_year: 2026
    assumptions:
      floor: {unit: m**2, value: 1000000}
    fuels:
      electricity: {unit: MWh, activity: electricity_grid, carrier: true}
      heat: {unit: GJ, activity: heat_purchased, carrier: true}
    demand:
      buildings:
        gpc: I.2
        activity: {driver: floor}
        branches:
          offices:
            activity: {share: 0.3}
            energy_intensity: {unit: kgce/m**2, value: 20}
            shares: {electricity: {value: 0.6, interp: {2026: 0.8}}, heat: remainder}
          shops:
            activity: {share: remainder}
            intensity: {electricity: {unit: kWh/m**2, value: 100}}
    supply:
      electricity: {factor: 0.6}
      heat: {factor: 0.1}
    """
    model = _model(text, tmp_path)
    run = run_scenarios(model, ["BAU"]).runs["BAU"]
    np.testing.assert_allclose(run.variable("demand.buildings.offices.activity"), 300000)
    np.testing.assert_allclose(run.variable("demand.buildings.shops.activity"), 700000)
    en = run.energy()
    final = en[en["kind"] == "final"].set_index(["branch", "fuel", "year"])["quantity"]
    offices_tce = 300000 * 20 / 1000
    share_e = np.array([0.6, 0.7, 0.8])
    # 1 tce = 29.3076 GJ (GB/T 2589-2020 cl. 3.5); 1 MWh = 3.6 GJ.
    np.testing.assert_allclose(
        final.loc["buildings.offices", "electricity"].to_numpy(), offices_tce * share_e * 29.3076 / 3.6, rtol=1e-9
    )
    np.testing.assert_allclose(
        final.loc["buildings.offices", "heat"].to_numpy(), offices_tce * (1 - share_e) * 29.3076, rtol=1e-9
    )
    np.testing.assert_allclose(final.loc["buildings.shops", "electricity"].to_numpy(), 700000 * 0.1, rtol=1e-12)
    total_2024 = (offices_tce * 0.6 * 29.3076 / 3.6 + 70000) * 0.6 + offices_tce * 0.4 * 29.3076 * 0.1
    assert run.total()[0] == pytest.approx(total_2024, rel=1e-9)


SUPPLY = """\
name: Supply
region: CN-JS
base_year: 2024
end_year: 2026
fuels:
  raw_coal: {unit: t}
  solar: {unit: MWh, zero_emission: true}
  electricity: {unit: MWh, activity: electricity_grid, carrier: true}
  heat: {unit: GJ, carrier: true, activity: heat_purchased}
assumptions:
  n: {value: 1}
demand:
  city:
    gpc: I.3
    activity: {driver: n}
    intensity: {electricity: {value: 100000, growth: 0.5}, heat: 200000}
supply:
  electricity:
    scope2: SCOPE2
    losses: 0.2
    factor: 0.5
    processes:
      pv: {fuel: solar, efficiency: {electricity: 1}, capacity: 10, availability: 0.2}
      chp: {fuel: raw_coal, efficiency: {electricity: 0.3, heat: 0.5}, share: 0.5}
  heat:
    factor: 0.1
"""


@pytest.mark.parametrize("scope2", ["consumption", "net_imports"])
def test_supply_dispatch_capacity_coproduct_imports(tmp_path, scope2):
    model = _model(SUPPLY.replace("SCOPE2", scope2), tmp_path)
    run = run_scenarios(model, ["BAU"]).runs["BAU"]
    en = run.energy()
    demand = np.array([100000, 150000, 225000.0])
    requirement = demand / 0.8
    pv = np.full(3, 10 * 8760 * 0.2)  # capacity [MW] x hours x availability [MWh]
    chp = 0.5 * requirement
    coal_gj = chp * 3.6 / 0.3
    heat_coproduct = coal_gj * 0.5
    flows = en.set_index(["branch", "kind", "fuel", "year"])["quantity"].sort_index()
    np.testing.assert_allclose(flows.loc["supply.electricity.processes.pv", "transformation_output", "electricity"], pv)
    np.testing.assert_allclose(
        # Fuel energy in the model's unit (tce): raw coal 0.7143 tce/t (GB/T 2589-2020 Appendix A).
        flows.loc["supply.electricity.processes.chp", "transformation_input", "raw_coal"],
        coal_gj / (0.7143 * 29.3076),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        flows.loc["supply.electricity.processes.chp", "transformation_output", "heat"], heat_coproduct, rtol=1e-9
    )
    imports = requirement - pv - chp
    np.testing.assert_allclose(flows.loc["supply.electricity.imports", "imports", "electricity"], imports, rtol=1e-9)
    np.testing.assert_allclose(
        flows.loc["supply.heat.imports", "imports", "heat"], np.maximum(200000 - heat_coproduct, 0), rtol=1e-9
    )
    em = run.emissions()
    elec = em[(em["fuel"] == "electricity")].groupby("year")["tco2e"].sum().to_numpy()
    expected = (demand if scope2 == "consumption" else imports) * 0.5
    np.testing.assert_allclose(elec, expected, rtol=1e-9)
    coal = em[(em["fuel"] == "raw_coal") & (em["gas"] == "CO2")]
    assert set(coal["gpc_ref"]) == {"I.4.4"}
    assert set(coal["level"]) == {"TERRITORIAL"}
    # I.4.4 is outside BASIC: the BASIC total is demand-side scope 2 only (heat: consumption x 0.1).
    np.testing.assert_allclose(run.total("BASIC"), expected + 200000 * 0.1, rtol=1e-9)
    coal_t = coal_gj / (0.7143 * 29.3076)
    np.testing.assert_allclose(coal.sort_values("year")["tonnes"], coal_t * COAL_CO2_T_PER_T, rtol=1e-4)
    assert (run.total("TERRITORIAL") > coal_t * COAL_CO2_T_PER_T).all()


def test_wedges_add_up_and_levelised_cost_by_hand(tmp_path):
    model = _model(SMALL, tmp_path)
    res = run_scenarios(model)
    table = wedges(model, "BAU", "deeper")
    assert list(table.table.columns) == ["less_coal", "deeper assumptions"]
    diff = res.runs["BAU"].total() - res.runs["deeper"].total()
    np.testing.assert_allclose(table.table.sum(axis=1).to_numpy(), diff, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(table.standalone["less_coal"], res.runs["BAU"].total() - res.runs["policy"].total())
    # Levelised cost: capex 1e6 in 2026 and opex 1000/yr from 2026, discounted at 6 % to 2024,
    # over the discounted abatement.
    years = np.arange(2024, 2031)
    disc = 1.06 ** -(years - 2024)
    cost = 1e6 * disc[2] + 1000 * disc[2:].sum()
    abated = table.table["less_coal"].to_numpy()
    assert table.costs["less_coal"]["levelised_cost_per_tco2e"] == pytest.approx(cost / (abated * disc).sum())
    with pytest.raises(ScenarioModelError, match="does not inherit"):
        wedges(model, "policy", "BAU")


def test_monte_carlo_vectorised_equals_per_sample_loop(tmp_path):
    text = SMALL.replace("growth: 0.1}", "growth: {normal: [0.1, 0.02]}}").replace(
        "interp: {2030: 0.2}", "interp: {2030: {uniform: [0.1, 0.3]}}"
    )
    model = _model(text, tmp_path)
    coef = resolve_coefficients(model)
    draws = Draws.sample(model.numbers(), 50, seed=7)
    assert set(draws.values) == {"assumptions.population.growth", "supply.electricity.factor.interp.2030"}
    chain = _chain(model, "policy")
    ens = evaluate(model, chain, coefficients=coef, draws=draws)
    loop = np.stack([evaluate(model, chain, coefficients=coef, draws=draws.subset(i)).total() for i in range(50)])
    np.testing.assert_allclose(ens.totals[Level.BASIC], loop, rtol=1e-12)
    # Population in 2030 is 1000 (1 + g)^6 with g drawn once per sample.
    g = draws.values["assumptions.population.growth"]
    assert g.mean() == pytest.approx(0.1, abs=0.01)
    assert g.std() == pytest.approx(0.02, rel=0.3)
    # The peak distribution counts, per sample, whether the maximum falls before the last year.
    dist = ens.peak_distribution("BASIC")
    last = np.argmax(loop, axis=1) == loop.shape[1] - 1
    assert dist["p_no_peak"] == pytest.approx(last.mean())
    mc = monte_carlo(model, "BAU", runs=200, seed=3)
    assert mc.totals[Level.BASIC].shape == (200, 7)
    assert mc.quantiles("BASIC").shape == (7, 3)


def test_deterministic_run_uses_central_values(tmp_path):
    text = SMALL.replace("growth: 0.1}", "growth: {triangular: [0.0, 0.1, 0.3]}}")
    run = run_scenarios(_model(text, tmp_path), ["BAU"]).runs["BAU"]
    np.testing.assert_allclose(run.variable("assumptions.population").iloc[-1], 1000 * 1.1**6)


def test_peak_reported_not_forced(tmp_path):
    rising = run_scenarios(_model(SMALL, tmp_path), ["BAU"]).runs["BAU"]
    assert rising.peak()["peak_year"] is None and rising.peak()["max_year"] == 2030
    text = SMALL.replace("growth: 0.1}", "growth: {2025: 0.1, 2028: -0.2}}")
    hump = run_scenarios(_model(text, tmp_path, "hump.yaml"), ["BAU"]).runs["BAU"]
    assert hump.peak()["peak_year"] == 2027


# --------------------------------------------------------------------------- schema errors
@pytest.mark.parametrize(
    ("patch", "line", "field", "message"),
    [
        (("  population: {unit: person", "  population: {unitt: person"), 6, "assumptions.population.unitt", "Extra"),
        (
            ("activity: {driver: population}", "activity: {driver: people}"),
            13,
            "demand.homes.activity.driver",
            "unknown driver",
        ),
        (
            ("      raw_coal: {unit: t/person", "      coal: {unit: t/person"),
            15,
            "demand.homes.intensity.coal",
            "unknown fuel",
        ),
        (
            ("variable: demand.homes.intensity.raw_coal", "variable: demand.homes.intensity.oil"),
            32,
            "measures.less_coal.overrides.0.variable",
            "unknown variable",
        ),
        (("parent: policy", "parent: nothing"), 26, "scenarios.deeper.parent", "unknown parent"),
        (
            ("from: 2026, scale: {2030: 0.5}", "from: 2026, scale: {2025: 0.5}"),
            32,
            "measures.less_coal.overrides.0.scale.2025",
            "2026 or later",
        ),
        (("end_year: 2030", "end_year: 2020"), 4, "end_year", "after base_year"),
        (
            ("{unit: kWh/person, value: 2000}", "{unit: kWh/persn, value: 2000}"),
            16,
            "demand.homes.intensity.electricity.unit",
            "unknown unit",
        ),
    ],
)
def test_schema_errors_name_line_and_field(tmp_path, patch, line, field, message):
    text = SMALL.replace(*patch)
    assert text != SMALL
    with pytest.raises(ScenarioModelError) as info:
        _model(text, tmp_path)
    issues = info.value.issues
    match = [i for i in issues if i.field == field]
    assert match, [str(i) for i in issues]
    assert match[0].line == line
    assert message in match[0].message
    assert "model.yaml" in str(info.value)


def test_yaml_syntax_error_has_line(tmp_path):
    with pytest.raises(ScenarioModelError) as info:
        _model("name: x\nbase_year: [2024\n", tmp_path)
    assert info.value.issues[0].line is not None
    assert "YAML" in info.value.issues[0].message


def test_every_problem_reported_at_once(tmp_path):
    text = SMALL.replace("driver: population", "driver: people").replace("      raw_coal: {unit", "      coal: {unit")
    with pytest.raises(ScenarioModelError) as info:
        _model(text, tmp_path)
    assert len(info.value.issues) >= 2


def test_unit_mismatch_is_an_error_with_line(tmp_path):
    text = SMALL.replace("{unit: kWh/person, value: 2000}", "{unit: kg/person, value: 2000}")
    model = _model(text, tmp_path)
    with pytest.raises(ScenarioModelError) as info:
        run_scenarios(model, ["BAU"])
    assert info.value.issues[0].line == 16
    assert "MWh/person" in info.value.issues[0].message


def test_unknown_library_fuel_is_reported_at_its_line(tmp_path):
    text = SMALL.replace("  raw_coal: {unit: t}", "  raw_coal: {unit: t, activity: unobtainium}")
    model = _model(text, tmp_path)
    with pytest.raises(ScenarioModelError) as info:
        run_scenarios(model, ["BAU"])
    assert info.value.issues[0].field == "fuels.raw_coal"
    assert info.value.issues[0].line == 8


# --------------------------------------------------------------------------- exports
def test_tidy_and_iamc_exports_round_trip_through_pyam(tmp_path):
    pyam = pytest.importorskip("pyam")
    model = _model(SMALL, tmp_path)
    res = run_scenarios(model)
    tidy = tidy_frame(res)
    assert {"scenario", "year", "table", "gpc_ref", "scope", "gas", "unit", "value"} <= set(tidy.columns)
    em = tidy[(tidy["table"] == "emissions") & (tidy["scenario"] == "BAU")]
    assert em.groupby("year")["tco2e"].sum().to_numpy() == pytest.approx(res.runs["BAU"].total())
    frame = iamc_frame(res)
    path = tmp_path / "iamc.csv"
    frame.to_csv(path, index=False)
    df = pyam.IamDataFrame(str(path))
    assert set(df.scenario) == {"BAU", "policy", "deeper"}
    assert df.model == ["Small town"]
    kyoto = df.filter(scenario="BAU", variable="Emissions|Kyoto Gases").timeseries()
    np.testing.assert_allclose(kyoto.to_numpy()[0], res.runs["BAU"].total() / 1e6, rtol=1e-12)
    # Sectors and gases aggregate consistently in pyam's own check.
    assert df.check_aggregate("Final Energy") is None
    assert df.check_aggregate("Emissions|Kyoto Gases") is None
    back = df.as_pandas()
    assert set(back["unit"]) >= {"Mt CO2-equiv/yr", "EJ/yr"}


# --------------------------------------------------------------------------- Demo City
@pytest.fixture(scope="module")
def demo():
    from zerocity.demo.scenario import demo_scenario_model

    return compile_model(demo_scenario_model(), source="Demo City model")


def test_demo_base_year_matches_inventory_within_one_percent(demo):
    from zerocity.demo import build_demo_city
    from zerocity.inventory.engine import compute_inventory

    city = build_demo_city()
    inv = compute_inventory(city.records, region=city.region, years=[2024])
    run = run_scenarios(demo, ["BAU"]).runs["BAU"]
    for level in ("BASIC", "BASIC+", "TERRITORIAL"):
        assert run.total(level)[0] == pytest.approx(inv.total(level), rel=0.01), level
    em = run.emissions()
    base = em[(em["year"] == 2024) & ~em["biogenic"]]
    counted = inv.counted("BASIC+")
    for sector in ("I", "II", "III"):
        model_sector = base[(base["sector"] == sector) & (base["level"] != "TERRITORIAL")]["tco2e"].sum()
        inv_sector = counted[counted["sector"] == sector]["tco2e"].sum()
        assert model_sector == pytest.approx(inv_sector, rel=0.01), sector


def test_demo_scenarios_peak_in_order(demo):
    res = run_scenarios(demo)
    peaks = res.peaks()
    assert set(peaks) == {"BAU", "policy", "enhanced"}
    totals = res.totals()
    assert (totals["enhanced"] <= totals["policy"] + 1e-6).all()
    assert (totals["policy"].loc[2030:] < totals["BAU"].loc[2030:]).all()
    assert peaks["policy"]["peak_year"] <= (peaks["BAU"]["peak_year"] or 2061)


def test_demo_model_written_and_read_back(tmp_path):
    from zerocity.demo.scenario import write_demo_model

    path = write_demo_model(tmp_path / "demo.yaml")
    model = load_model(path)
    assert set(model.scenarios) == {"BAU", "policy", "enhanced"}
    assert model.spec.measures["clean_grid"].overrides[0].variable == "supply.electricity.factor"


# --------------------------------------------------------------------------- CLI
def test_cli_run_json_csv_iamc(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(SMALL, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["scenario", "run", str(path), "--json", "--csv", str(tmp_path / "t.csv"), "--iamc", str(tmp_path / "i.csv")],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["scenarios"]["policy"]["peak"]["peak_year"] is not None
    assert doc["scenarios"]["BAU"]["peak"]["peaked_by_horizon"] is False
    assert pd.read_csv(tmp_path / "t.csv")["scenario"].nunique() == 3
    assert "variable" in pd.read_csv(tmp_path / "i.csv").columns
    result = runner.invoke(app, ["scenario", "run", str(path), "-s", "BAU", "--runs", "20", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scenarios"]["BAU"]["monte_carlo"]["runs"] == 20


def test_cli_wedges_and_errors(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(SMALL, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["scenario", "wedges", str(path), "--from", "BAU", "--to", "policy", "--json"])
    assert result.exit_code == 0, result.output
    assert "less_coal" in json.loads(result.stdout)["wedges_tco2e"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("driver: population", "driver: people"), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "run", str(bad)])
    assert result.exit_code == 2
    assert "line 13" in result.stderr and "unknown driver" in result.stderr


def test_draws_are_independent_per_number():
    from zerocity.brain.scenario.series import Number

    # Keys that differ only early on (same length, same tail) must not share a stream.
    a = Number(0.0, "normal", (0.0, 1.0), "demand.residential.b1.intensity.electricity.growth")
    b = Number(0.0, "normal", (0.0, 1.0), "demand.agriculture.b1.intensity.electricity.growth")
    draws = Draws.sample([a, b], 2000, seed=1)
    x, y = draws.values[a.key], draws.values[b.key]
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.1
    # The same seed gives the same draws; adding a number leaves the others' draws unchanged.
    again = Draws.sample([b, a, Number(1.0, "uniform", (0.0, 2.0), "other")], 2000, seed=1)
    np.testing.assert_array_equal(again.values[a.key], x)
