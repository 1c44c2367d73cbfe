"""Battery storage: tariffs, bills, hand-worked optimal dispatch and sizing, feasibility, CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from zerocity.cli_storage import storage_app
from zerocity.energy.storage import (
    FEASIBILITY_ATOL,
    HOURS_PER_YEAR,
    Battery,
    Season,
    StorageError,
    Tariff,
    TariffError,
    bill,
    capital_recovery_factor,
    load_profile,
    load_tariff,
    size_storage,
)

#: Hand-worked optimal values are vertices of the LP; HiGHS returns them to ~1e-9 relative.
LP_RTOL = 1e-6

DAY = pd.date_range("2024-03-04", periods=24, freq="h")  # a Monday in March (one month)


def two_price(low: float = 0.3, high: float = 1.0, demand_charge: float = 0.0) -> Tariff:
    season = Season(name="all", months=list(range(1, 13)), periods={"low": [(0, 12)], "high": [(12, 24)]})
    return Tariff(
        id="two-price",
        version="1",
        seasons=[season],
        multipliers={"low": low, "high": high},
        floating_price=1.0,
        demand_charge=demand_charge,
    )


def ideal(**kw: float) -> Battery:
    """A lossless battery with no costs; sizes fixed by the caller."""
    base = dict(
        charge_efficiency=1.0,
        discharge_efficiency=1.0,
        soc_min=0.0,
        soc_max=1.0,
        degradation_per_kwh=0.0,
        capex_per_kwh=0.0,
        capex_per_kw=0.0,
        om_fraction=0.0,
    )
    return Battery(**{**base, **kw})


# --- tariffs and bills ----------------------------------------------------------------------


def test_jiangsu_tariff_periods_follow_the_notice():
    """苏发改价格发〔2025〕426号: Jun-Aug and Dec-Feb peak 14-22, flat 6-11, 13-14, 22-24, valley 0-6, 11-13;
    Mar-May and Sep-Nov peak 15-22, flat 6-10, 14-15, 22-02, valley 2-6, 10-14."""
    t = load_tariff()
    table = t.period_table()
    july, april = list(table[6]), list(table[3])
    assert (july.count("peak"), july.count("flat"), july.count("valley")) == (8, 8, 8)
    assert (april.count("peak"), april.count("flat"), april.count("valley")) == (7, 9, 8)
    assert july[14] == july[21] == "peak" and july[22] == "flat" and july[11] == july[12] == "valley"
    assert april[0] == april[1] == "flat" and april[2] == "valley" and april[10] == april[13] == "valley"
    assert april[14] == "flat" and april[15] == "peak"
    for m in (0, 1, 5, 6, 7, 11):
        assert list(table[m]) == july
    # two-part users: peak +80 %, valley -65 % on the floating (purchase) price; adders do not float
    prices = t.energy_prices(pd.DatetimeIndex(["2025-07-01 15:00", "2025-07-01 12:00", "2025-07-01 08:00"]))
    assert prices == pytest.approx([0.40 * 1.8 + 0.20, 0.40 * 0.35 + 0.20, 0.40 + 0.20])
    assert set(t.assumed) == {"floating_price", "fixed_adders", "demand_charge"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"seasons": [{"name": "a", "months": list(range(1, 12)), "periods": {"flat": [[0, 24]]}}]}, "months 1-12"),
        ({"seasons": [{"name": "a", "months": list(range(1, 13)), "periods": {"flat": [[0, 20]]}}]}, "hours"),
        ({"multipliers": {"flat": 1.0}}, "no multiplier"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_tariff_file_names_file_and_field(tmp_path, change, message):
    from importlib import resources

    import yaml

    text = resources.files("zerocity.energy").joinpath("data/tariffs/cn_js_ci_2025.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    doc.update(change)
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TariffError, match=message) as info:
        load_tariff(path)
    assert "t.yaml" in str(info.value)


def test_bill_by_hand():
    g = pd.Series([10.0] * 12 + [20.0] * 12, index=DAY)
    x = pd.Series([0.0] * 23 + [1.0], index=DAY)
    t = two_price(demand_charge=40.0).model_copy(update={"feed_in_price": 0.4})
    b = bill(g, t, grid_export_kw=x)
    assert b.energy == pytest.approx(12 * 10 * 0.3 + 12 * 20 * 1.0)
    assert b.demand == pytest.approx(40 * 20 * 24 / 744)  # one day of March's 744 hours
    assert b.export_credit == pytest.approx(0.4)
    assert b.total == pytest.approx(36 + 240 + 40 * 20 * 24 / 744 - 0.4)
    assert b.monthly_peak_kw == {"2024-03": 20.0}


def test_capital_recovery_factor_by_hand():
    assert capital_recovery_factor(0.06, 10) == pytest.approx(0.06 * 1.06**10 / (1.06**10 - 1))
    assert capital_recovery_factor(0.06, 10) == pytest.approx(0.135868, abs=1e-6)
    assert capital_recovery_factor(0.0, 4) == 0.25


# --- hand-worked optima ---------------------------------------------------------------------


def test_two_prices_lossless_savings_are_capacity_times_spread():
    """Charge 10 kWh in the 0.3 hours, discharge them in the 1.0 hours: saves 10 x 0.7 = 7.0."""
    load = pd.Series(5.0, index=DAY)
    r = size_storage(load, two_price(), battery=ideal(energy_kwh=10.0, power_kw=10.0))
    assert r.bill_savings == pytest.approx(10 * (1.0 - 0.3), rel=LP_RTOL)
    assert r.bill_without.total == pytest.approx(12 * 5 * 0.3 + 12 * 5 * 1.0)
    d = r.dispatch
    assert d["charge_kw"][DAY.hour >= 12].sum() == pytest.approx(0.0, abs=1e-9)
    assert d["discharge_kw"][DAY.hour < 12].sum() == pytest.approx(0.0, abs=1e-9)
    assert d["discharge_kw"].sum() == pytest.approx(10.0, rel=LP_RTOL)
    assert max(r.violations().values()) < FEASIBILITY_ATOL


def test_two_prices_with_losses_by_hand():
    """eta 0.9 each way, SOC 0-10 kWh: buy 10/0.9 kWh at 0.3, deliver 10 x 0.9 kWh worth 1.0 each."""
    load = pd.Series(5.0, index=DAY)
    b = ideal(energy_kwh=10.0, power_kw=100.0, charge_efficiency=0.9, discharge_efficiency=0.9)
    r = size_storage(load, two_price(), battery=b)
    assert r.bill_savings == pytest.approx(10 * 0.9 * 1.0 - 10 / 0.9 * 0.3, rel=LP_RTOL)  # 5.6667


def test_demand_charge_peak_shaving_by_hand():
    """Load 10 kW, 20 kW at 18:00; flat price, D = 40/kW-month, lossless 10 kWh / 10 kW.

    Shaving the peak to P* needs 20 - P* kWh, recharged in the other 23 hours without exceeding
    P*: 23 (P* - 10) = 20 - P*, so P* = 250/24 = 10.4167 kW (energy 9.58 kWh <= 10). Energy cost
    is unchanged (flat price, no losses): savings = 40 x (20 - 250/24) = 383.33 a month, of which
    the day carries 24/744 (March). The optimum does not depend on that weight (only D > 0 does).
    """
    load = pd.Series(10.0, index=DAY)
    load.iloc[18] = 20.0
    t = Tariff.flat(0.5, demand_charge=40.0)
    r = size_storage(load, t, battery=ideal(energy_kwh=10.0, power_kw=10.0))
    assert r.bill_with.monthly_peak_kw["2024-03"] == pytest.approx(250 / 24, rel=LP_RTOL)
    assert r.bill_savings == pytest.approx(40 * (20 - 250 / 24) * 24 / 744, rel=LP_RTOL)
    assert r.bill_with.energy == pytest.approx(r.bill_without.energy, rel=LP_RTOL)


def test_flat_prices_give_no_benefit():
    load = load_profile("commercial", 100_000.0, pd.date_range("2024-05-06", periods=72, freq="h"))
    r = size_storage(load, Tariff.flat(0.7), battery=Battery(energy_kwh=50.0, power_kw=25.0))
    assert r.bill_savings == pytest.approx(0.0, abs=1e-6)
    assert r.dispatch["discharge_kw"].sum() == pytest.approx(0.0, abs=1e-6)
    sized = size_storage(load, Tariff.flat(0.7), battery=Battery())
    assert sized.energy_kwh == pytest.approx(0.0, abs=1e-6) and sized.power_kw == pytest.approx(0.0, abs=1e-6)
    assert sized.simple_payback_years is None


@pytest.mark.parametrize(("capex", "energy"), [(200.0, 60.0), (300.0, 0.0)])
def test_sizing_break_even_by_hand(capex, energy):
    """A kWh of capacity earns 0.7 a day up to the 60 kWh the 12 high hours can absorb (5 kW load).

    Its cost over the 24-hour horizon is capex x CRF x 24/8760 (CRF = 1: one year, r = 0):
    200 -> 0.548 < 0.7, build 60 kWh (and the least power, 60/12 = 5 kW); 300 -> 0.822 > 0.7, none.
    """
    load = pd.Series(5.0, index=DAY)
    b = ideal(capex_per_kwh=capex, capex_per_kw=1.0, lifetime_years=1.0, discount_rate=0.0)
    r = size_storage(load, two_price(), battery=b)
    assert r.energy_kwh == pytest.approx(energy, abs=1e-6)
    assert r.power_kw == pytest.approx(energy / 12, abs=1e-6)
    assert r.bill_savings == pytest.approx(energy * 0.7, abs=1e-6)
    expected_objective = r.bill_without.total - energy * 0.7 + (capex * energy + energy / 12) * 24 / HOURS_PER_YEAR
    assert r.objective == pytest.approx(expected_objective, rel=LP_RTOL)


# --- feasibility of a realistic solution ----------------------------------------------------


@pytest.fixture(scope="module")
def fortnight():
    index = pd.date_range("2025-07-07", periods=14 * 24, freq="h")
    load = load_profile("industrial", 2_000_000.0, index)
    hour = np.asarray(index.hour)
    pv = pd.Series(np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None) * 250.0, index=index)
    return load, pv, size_storage(load, load_tariff(), pv_kw=pv, battery=Battery())


def test_every_constraint_holds_on_the_solution(fortnight):
    _, pv, r = fortnight
    v = r.violations()
    assert set(v) == {"grid_balance", "soc_balance", "soc_bounds", "power_limits", "export_limit", "non_negative"}
    assert max(v.values()) < FEASIBILITY_ATOL
    d = r.dispatch
    assert r.energy_kwh > 0 and r.power_kw > 0  # a 0.58 yuan/kWh spread pays on these costs
    assert np.minimum(d["charge_kw"], d["discharge_kw"]).max() < 1e-6  # never both (losses make it costly)
    assert np.minimum(d["grid_import_kw"], d["grid_export_kw"]).max() < 1e-6  # netted at the meter
    assert (d["grid_export_kw"] <= pv + 1e-9).all()  # the battery does not export


def test_objective_recomputed_from_the_dispatch(fortnight):
    """The reported objective equals its terms recomputed from the dispatch (module docstring)."""
    _, _, r = fortnight
    d, b, t = r.dispatch, r.battery, r.tariff
    months = d.groupby(d.index.month)["grid_import_kw"].max() * (14 * 24) / (31 * 24)  # 14 days of July
    annualised = r.horizon_hours / HOURS_PER_YEAR * (b.crf + b.om_fraction) * r.capex
    expected = (
        (d["price"] * d["grid_import_kw"]).sum()
        - (np.minimum(t.feed_in_price, d["price"]) * d["grid_export_kw"]).sum()
        + t.demand_charge * months.sum()
        + b.degradation_per_kwh * d["discharge_kw"].sum()
        + annualised
    )
    assert r.objective == pytest.approx(expected, rel=1e-7)
    assert r.bill_savings > r.degradation_cost  # the battery pays its own cycling


def test_bad_inputs_are_storage_errors():
    load = pd.Series(5.0, index=DAY)
    with pytest.raises(StorageError, match="negative"):
        size_storage(load.where(load.index.hour != 3, -1.0), two_price())
    with pytest.raises(StorageError, match="soc_min"):
        Battery(soc_min=0.9, soc_max=0.5)
    with pytest.raises(StorageError, match="DatetimeIndex"):
        size_storage(pd.Series([1.0, 2.0]), two_price())
    with pytest.raises(StorageError, match="unknown load profile"):
        load_profile("bakery", 1.0, DAY)


def test_load_profile_scales_to_annual_energy():
    year = pd.date_range("2023-01-01", "2024-01-01", freq="h", inclusive="left")
    s = load_profile("residential", 3650.0, year)
    assert s.sum() == pytest.approx(3650.0)
    assert s[year.hour == 19].mean() > s[year.hour == 3].mean()  # evening peak


# --- CLI ------------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(storage_app, name="storage")
    return app


def test_cli_size_json(tmp_path):
    index = pd.date_range("2025-07-07", periods=48, freq="h")
    load = load_profile("industrial", 1_000_000.0, index)
    path = tmp_path / "load.csv"
    pd.DataFrame({"time": index.astype(str), "load_kw": load.to_numpy()}).to_csv(path, index=False)
    out_csv = tmp_path / "dispatch.csv"
    res = CliRunner().invoke(_app(), ["storage", "size", str(path), "--json", "--dispatch", str(out_csv)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["horizon_hours"] == 48
    assert max(doc["violations"].values()) < FEASIBILITY_ATOL
    assert doc["bill_savings"] == pytest.approx(doc["bill_without"]["total"] - doc["bill_with"]["total"])
    assert doc["tariff"]["assumed"]
    assert len(pd.read_csv(out_csv)) == 48


def test_cli_fixed_size_and_errors(tmp_path):
    res = CliRunner().invoke(
        _app(), ["storage", "size", "--demo", "--days", "3", "--energy-kwh", "200", "--power-kw", "50", "--json"]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["energy_kwh"] == pytest.approx(200.0) and doc["power_kw"] == pytest.approx(50.0)
    bad = tmp_path / "bad.csv"
    bad.write_text("time,load_kw\n2025-01-01 00:00,5\n2025-01-01 01:00,-3\n")
    res = CliRunner().invoke(_app(), ["storage", "size", str(bad)])
    assert res.exit_code == 2 and "row 2, column 'load_kw'" in res.output
    res = CliRunner().invoke(_app(), ["storage", "size", str(bad), "--load-column", "kw"])
    assert res.exit_code == 2 and "missing column" in res.output
