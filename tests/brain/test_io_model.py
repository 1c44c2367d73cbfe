"""Environmentally extended input-output model: hand-worked examples, identities, price model, LP, LQ, loader, CLI.

Every expected number below is worked out by hand in the test (closed-form 2x2 inverses,
fractions), or is a published figure (Miller & Blair 2009, §2.3.1, Table 2.3 and the inverse printed there), never the
module's own earlier output.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from zerocity.brain.io import (
    CapError,
    CapStructure,
    ImportPricing,
    IOTable,
    IOTableError,
    LQMethod,
    Perspective,
    carbon_price_impact,
    demo_employment,
    demo_province_table,
    direct_emissions_from_inventory,
    downscale,
    emission_cap,
    emissions_by_perspective,
    flq,
    footprint,
    io_table_frame,
    lambda_star,
    leontief_prices,
    load_demo_employment,
    load_demo_mapping,
    load_demo_table,
    parse_io_grid,
    read_io_table,
    regional_coefficients,
    simple_location_quotients,
    write_io_table,
)
from zerocity.brain.io.nbs import read_grid
from zerocity.cli_io import io_app
from zerocity.errors import InvalidRecordsError

DATA = Path(__file__).resolve().parents[1] / "data" / "io"
#: Identities hold to rounding of a few dozen floating-point operations on numbers ~1e3.
EXACT = 1e-10


# ---------------------------------------------------------------------- fixtures
def miller_blair() -> IOTable:
    """Miller & Blair (2009) §2.3.1, Table 2.3: two sectors, Z = [[150, 500], [200, 100]], f = [350, 1700].

    Direct emissions F = [100, 50] t are ours (the book's example has none).
    """
    return IOTable.from_arrays(
        ["s1", "s2"],
        [[150.0, 500.0], [200.0, 100.0]],
        [350.0, 1700.0],
        final_demand_columns=["household"],
        value_added=[[650.0, 1400.0]],
        value_added_rows=["value_added"],
        output=[1000.0, 2000.0],
        emissions=[100.0, 50.0],
        money_unit="yuan",
        name="Miller & Blair Table 2.3",
    )


def open_economy() -> IOTable:
    """Two sectors with trade, worked by hand.

        a: Z row [20, 30], household 40, exports 20, imports 10 -> x_a = 100
        b: Z row [10, 40], household 120, exports 40, imports 10 -> x_b = 200
        value added [70, 130]; F = [50, 20] t; households' own fuel use 5 t
    A = [[0.2, 0.15], [0.1, 0.2]], det(I - A) = 0.625, L = [[1.28, 0.24], [0.16, 1.28]].
    """
    return IOTable.from_arrays(
        ["a", "b"],
        [[20.0, 30.0], [10.0, 40.0]],
        [[40.0, 20.0], [120.0, 40.0]],
        final_demand_columns=["household", "exports"],
        imports=[10.0, 10.0],
        value_added=[[70.0, 130.0]],
        output=[100.0, 200.0],
        emissions=[50.0, 20.0],
        final_emissions={"household": 5.0},
        money_unit="wan_yuan",
        emission_unit="tCO2e",
        name="open economy",
    ).validate()


# ---------------------------------------------------------------------- Leontief model
def test_miller_blair_coefficients_and_inverse() -> None:
    t = miller_blair().validate()
    np.testing.assert_allclose(t.technical_coefficients.to_numpy(), [[0.15, 0.25], [0.2, 0.05]], rtol=EXACT)
    # By hand: det(I - A) = 0.85 * 0.95 - 0.25 * 0.2 = 0.7575; L = [[0.95, 0.25], [0.2, 0.85]] / 0.7575.
    det = 0.85 * 0.95 - 0.25 * 0.2
    expected = np.array([[0.95, 0.25], [0.2, 0.85]]) / det
    np.testing.assert_allclose(t.leontief_inverse.to_numpy(), expected, rtol=EXACT)
    # Published (Miller & Blair 2009, §2.3.1), four decimals.
    np.testing.assert_allclose(t.leontief_inverse.to_numpy(), [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)
    # New final demand f = [600, 1500] gives x = [1247.52, 1841.58] (Miller & Blair §2.3.1).
    np.testing.assert_allclose(t.solve([600.0, 1500.0]), [1247.52, 1841.58], atol=0.005)


def test_identity_output_equals_ax_plus_y() -> None:
    for t in (miller_blair(), open_economy(), demo_province_table()):
        x = t.x
        np.testing.assert_allclose(t._a @ x + t.net_final_demand, x, rtol=EXACT)
        np.testing.assert_allclose(t.solve(t.net_final_demand), x, rtol=EXACT)


def test_domestic_coefficients_reproduce_output() -> None:
    t = open_economy()
    # mu = M / (Z 1 + y_local): a 10 / 90, b 10 / 170.
    np.testing.assert_allclose(t.import_shares, [1 / 9, 1 / 17], rtol=EXACT)
    yd = t.domestic_final_demand().to_numpy().sum(axis=1)
    np.testing.assert_allclose(t.solve_domestic(yd), t.x, rtol=EXACT)


def test_miller_blair_footprint() -> None:
    fp = footprint(miller_blair())
    # m = f L with f = [0.1, 0.025]: m1 = (0.1 * 0.95 + 0.025 * 0.2) / 0.7575, m2 = (0.1 * 0.25 + 0.025 * 0.85) / 0.7575
    det = 0.7575
    m = [(0.1 * 0.95 + 0.025 * 0.2) / det, (0.1 * 0.25 + 0.025 * 0.85) / det]
    np.testing.assert_allclose(fp.total_intensity.to_numpy(), m, rtol=EXACT)
    assert m[0] == pytest.approx(0.132013201, rel=1e-8)
    # A closed economy: the footprint of final demand is all direct emissions.
    assert fp.consumption == pytest.approx(150.0, rel=EXACT)
    assert fp.production == pytest.approx(150.0, rel=EXACT)
    assert fp.lifecycle == pytest.approx(150.0, rel=EXACT)


def test_open_economy_footprints_by_hand() -> None:
    fp = footprint(open_economy())
    np.testing.assert_allclose(fp.direct_intensity.to_numpy(), [0.5, 0.1], rtol=EXACT)
    # m = [0.5 * 1.28 + 0.1 * 0.16, 0.5 * 0.24 + 0.1 * 1.28] = [0.656, 0.248]
    np.testing.assert_allclose(fp.total_intensity.to_numpy(), [0.656, 0.248], rtol=EXACT)
    # household: 0.656 * 40 + 0.248 * 120 = 56.0; exports: 0.656 * 20 + 0.248 * 40 = 23.04
    np.testing.assert_allclose(fp.by_category.sum(axis=0).to_numpy(), [56.0, 23.04], rtol=EXACT)
    # where emitted: f o (L y_hh) = [0.5, 0.1] o [80, 160] = [40, 16]
    np.testing.assert_allclose(fp.by_category_source["household"].to_numpy(), [40.0, 16.0], rtol=EXACT)
    assert fp.embodied_in_exports == pytest.approx(23.04, rel=EXACT)
    assert fp.embodied_in_imports == pytest.approx(0.656 * 10 + 0.248 * 10, rel=EXACT)  # 9.04
    assert fp.balance_of_trade == pytest.approx(14.0, rel=EXACT)
    assert fp.production == pytest.approx(75.0, rel=EXACT)  # 50 + 20 + households 5
    assert fp.consumption == pytest.approx(61.0, rel=EXACT)  # 56 + 5
    assert fp.lifecycle == pytest.approx(84.04, rel=EXACT)  # 75 + 9.04
    assert fp.by_final_demand()["household"] == pytest.approx(61.0, rel=EXACT)
    life = fp.by_sector(Perspective.LIFECYCLE)
    assert life["a"] == pytest.approx(50 + 6.56, rel=EXACT)
    assert life.sum() == pytest.approx(fp.lifecycle, rel=EXACT)


@pytest.mark.parametrize("make", [miller_blair, open_economy, demo_province_table])
def test_accounting_identity(make) -> None:
    """production - embodied in exports + embodied in imports = consumption (Peters 2008), DTA."""
    fp = footprint(make())
    scale = fp.production
    assert abs(fp.identity_residual) <= EXACT * scale
    assert fp.lifecycle == pytest.approx(fp.consumption + fp.embodied_in_exports, rel=EXACT)
    # footprints of all final demand (exports included) minus imports = direct emissions of sectors
    total = fp.by_category.to_numpy().sum() - fp.embodied_in_imports
    assert total == pytest.approx(fp.direct.sum(), rel=EXACT)
    for p in Perspective:
        assert fp.by_sector(p).sum() == pytest.approx(fp.total(p), rel=EXACT)
    # producer-side and product-side footprints carry the same totals per category
    np.testing.assert_allclose(fp.by_category_source.sum(axis=0), fp.by_category.sum(axis=0), rtol=1e-9)


def test_footprint_to_dict_names_the_perspective() -> None:
    d = footprint(open_economy()).to_dict(Perspective.LIFECYCLE)
    assert d["perspective"] == "lifecycle"
    assert "life-cycle" in d["definition"]
    assert "domestic technology assumption" in d["import_assumption"]
    assert d["total"] == pytest.approx(84.04)
    json.dumps(d)


# ---------------------------------------------------------------------- price model
def test_price_model_base_prices_are_one() -> None:
    for t in (miller_blair(), open_economy()):
        np.testing.assert_allclose(leontief_prices(t).to_numpy(), 1.0, rtol=EXACT)
    t = open_economy()
    np.testing.assert_allclose(leontief_prices(t, import_pricing="fixed").to_numpy(), 1.0, rtol=EXACT)
    # Miller & Blair §2.6: raising v_1 by 0.1 raises p by 0.1 * (row 1 of L) = [0.128, 0.024]
    p = leontief_prices(t, value_added_coefficients=[0.8, 0.65])
    np.testing.assert_allclose(p.to_numpy(), [1.128, 1.024], rtol=EXACT)


def test_carbon_price_pass_through_by_hand() -> None:
    t = open_economy()
    # 200 yuan/t in 10^4 yuan per t: tau = 0.02; cost push tau f = [0.01, 0.002]
    r = carbon_price_impact(t, 200.0, import_pricing=ImportPricing.PASS_THROUGH)
    assert r.carbon_price_table_units == pytest.approx(0.02, rel=EXACT)
    np.testing.assert_allclose(r.cost_push.to_numpy(), [0.01, 0.002], rtol=EXACT)
    # dp = c L = [0.01 * 1.28 + 0.002 * 0.16, 0.01 * 0.24 + 0.002 * 1.28] = [0.01312, 0.00496] (= tau m)
    np.testing.assert_allclose(r.price_change.to_numpy(), [0.01312, 0.00496], rtol=EXACT)
    # CPI: (40 * 0.01312 + 120 * 0.00496) / 160 = 0.007, plus own fuel 0.02 * 5 / 160 = 0.000625
    assert r.cpi["household"] == pytest.approx(0.007 + 0.000625, rel=EXACT)
    assert r.cpi_direct["household"] == pytest.approx(0.000625, rel=EXACT)
    assert r.carbon_cost == pytest.approx(0.02 * 75, rel=EXACT)


def test_carbon_price_fixed_imports_by_hand() -> None:
    t = open_economy()
    r = carbon_price_impact(t, 200.0, import_pricing="fixed", covered=["a", "b"])
    # A^d = diag(8/9, 16/17) A: I - A^d = [[37/45, -2/15], [-8/85, 69/85]], det = 167/255
    # dp_1 = (255/167) (0.01 * 69/85 + 0.002 * 8/85), dp_2 = (255/167) (0.01 * 2/15 + 0.002 * 37/45)
    k = 255 / 167
    dp1 = k * (0.01 * 69 / 85 + 0.002 * 8 / 85)
    dp2 = k * (0.01 * 2 / 15 + 0.002 * 37 / 45)
    assert dp1 == pytest.approx(2.118 / 167, rel=1e-12)
    np.testing.assert_allclose(r.price_change.to_numpy(), [dp1, dp2], rtol=1e-12)
    # imported parts of the basket keep their prices; households not covered: no own-fuel term
    cpi = (40 * (8 / 9) * dp1 + 120 * (16 / 17) * dp2) / 160
    assert r.cpi["household"] == pytest.approx(cpi, rel=1e-12)
    assert r.cpi_direct["household"] == 0.0


def test_carbon_price_zero_changes_nothing() -> None:
    r = carbon_price_impact(demo_province_table(), 0.0)
    assert np.abs(r.price_change.to_numpy()).max() == 0.0


# ---------------------------------------------------------------------- cap LP
def _greedy(t: IOTable, cap: float) -> tuple[float, dict[str, float]]:
    """Fractional-knapsack optimum of the category programme, from explicit inverses (independent of the LP)."""
    ad = np.diag(1 - np.array([1 / 9, 1 / 17])) @ np.array([[0.2, 0.15], [0.1, 0.2]])
    ld = np.linalg.inv(np.eye(2) - ad)
    v = np.array([0.7, 0.65])
    f = np.array([0.5, 0.1])
    yd = {"household": np.array([40 * 8 / 9, 120 * 16 / 17]), "exports": np.array([20.0, 40.0])}
    h = {"household": 5.0, "exports": 0.0}
    gdp = {k: float(v @ ld @ y) for k, y in yd.items()}
    em = {k: float(f @ ld @ y) + h[k] for k, y in yd.items()}
    cut = sum(em.values()) - cap
    theta = dict.fromkeys(yd, 1.0)
    for k in sorted(yd, key=lambda k: gdp[k] / em[k]):
        take = min(cut, em[k])
        theta[k] = 1 - take / em[k]
        cut -= take
        if cut <= 0:
            break
    loss = sum(gdp[k] * (1 - theta[k]) for k in yd)
    return loss, theta


def test_cap_lp_matches_greedy_rule() -> None:
    t = open_economy()
    r = emission_cap(t, 50.0, structure="category")
    assert r.base_emissions == pytest.approx(75.0, rel=1e-9)
    assert r.emissions == pytest.approx(50.0, rel=1e-7)  # binding
    loss, theta = _greedy(t, 50.0)
    assert r.gdp_loss == pytest.approx(loss, rel=1e-7)
    for k, v in theta.items():
        assert r.scale[k] == pytest.approx(v, abs=1e-7)
    np.testing.assert_allclose(r.output_base.to_numpy(), [100.0, 200.0], rtol=1e-12)


def test_cap_marginal_cost_is_the_gdp_emission_ratio_of_the_cut_group() -> None:
    t = open_economy()
    r = emission_cap(t, 70.0, structure="category")
    ad = np.diag(1 - np.array([1 / 9, 1 / 17])) @ np.array([[0.2, 0.15], [0.1, 0.2]])
    ld = np.linalg.inv(np.eye(2) - ad)
    cut = [k for k, v in r.scale.items() if 0 < v < 1]
    assert len(cut) == 1
    y = {"household": np.array([40 * 8 / 9, 120 * 16 / 17]), "exports": np.array([20.0, 40.0])}[cut[0]]
    h = 5.0 if cut[0] == "household" else 0.0
    ratio = float([0.7, 0.65] @ ld @ y) / (float([0.5, 0.1] @ ld @ y) + h)  # 10^4 yuan per t
    assert r.marginal_cost == pytest.approx(ratio * 1e4, rel=1e-6)  # yuan per t


def test_cap_uniform_closed_form_and_monotone() -> None:
    t = open_economy()
    r = emission_cap(t, 60.0, structure=CapStructure.UNIFORM)
    # all final demand and households' own fuel use scale alike: theta = cap / E0 = 60 / 75
    assert r.scale["all"] == pytest.approx(0.8, rel=1e-9)
    assert r.gdp_loss == pytest.approx(0.2 * 200.0, rel=1e-9)
    losses = [emission_cap(t, c, structure="sector").gdp_loss for c in (74.0, 60.0, 45.0, 30.0)]
    assert all(b > a for a, b in itertools.pairwise(losses))
    assert emission_cap(t, 80.0).gdp_loss == pytest.approx(0.0, abs=1e-9)
    assert not emission_cap(t, 80.0).binding


def test_cap_infeasible_names_the_minimum() -> None:
    t = open_economy()
    with pytest.raises(CapError, match="cannot be met"):
        emission_cap(t, 1.0, structure="category", min_scale=0.5)
    with pytest.raises(CapError, match="non-negative"):
        emission_cap(t, -1.0)


def test_cap_on_demo_table_meets_cap() -> None:
    t = demo_province_table()
    cap = 0.8 * footprint(t).production
    for s in CapStructure:
        r = emission_cap(t, cap, structure=s)
        assert r.emissions == pytest.approx(cap, rel=1e-6)
        assert r.gdp_loss > 0


# ---------------------------------------------------------------------- location quotients
EMP_PROVINCE = np.array([100.0, 200.0, 700.0])
EMP_CITY = np.array([20.0, 10.0, 70.0])


def test_slq_and_flq_by_hand() -> None:
    # SLQ = (20/100)/(100/1000) = 2, (10/100)/(200/1000) = 0.5, (70/100)/(700/1000) = 1
    np.testing.assert_allclose(simple_location_quotients(EMP_CITY, EMP_PROVINCE), [2.0, 0.5, 1.0], rtol=EXACT)
    lam = math.log2(1 + 100 / 1000) ** 0.3
    assert lambda_star(EMP_CITY, EMP_PROVINCE, 0.3) == pytest.approx(lam, rel=EXACT)
    q = flq(EMP_CITY, EMP_PROVINCE, 0.3)
    expected = lam * np.array([[2.0, 4.0, 2.0], [0.25, 0.5, 0.5], [0.5, 2.0, 1.0]])
    np.testing.assert_allclose(q, expected, rtol=EXACT)
    a = np.full((3, 3), 0.1)
    ar = regional_coefficients(a, q)
    np.testing.assert_allclose(ar, 0.1 * np.minimum(expected, 1.0), rtol=EXACT)
    np.testing.assert_allclose(regional_coefficients(a, [2.0, 0.5, 1.0])[1], [0.05, 0.05, 0.05], rtol=EXACT)


def _three_sector() -> IOTable:
    return IOTable.from_arrays(
        ["p", "q", "r"],
        [[10.0, 40.0, 5.0], [15.0, 200.0, 60.0], [5.0, 60.0, 50.0]],
        [[35.0, 20.0], [155.0, 140.0], [165.0, 40.0]],
        final_demand_columns=["household", "exports"],
        imports=[[10.0], [70.0], [20.0]],
        value_added=[[70.0, 200.0, 185.0]],
        output=[100.0, 500.0, 300.0],
        emissions=[10.0, 50.0, 6.0],
        name="three",
    ).validate()


def test_downscale_slq_by_hand() -> None:
    t = _three_sector()
    emp = pd.DataFrame({"city": EMP_CITY, "province": EMP_PROVINCE}, index=["p", "q", "r"])
    d = downscale(t, emp, method=LQMethod.SLQ)
    c = d.table.validate(rtol=1e-12)
    # x^r = x E^r / E^n = [100 * 0.2, 500 * 0.05, 300 * 0.1] = [20, 25, 30]
    np.testing.assert_allclose(c.x, [20.0, 25.0, 30.0], rtol=EXACT)
    # same technology: z_qq^r = a_qq x_q^r = 0.4 * 25 = 10
    assert c.intermediate.loc["q", "q"] == pytest.approx(10.0, rel=EXACT)
    # sector q (SLQ 0.5) supplies half of the city's use of q; y_q^r = 0.1 * 155 = 15.5
    use_q = 15 / 100 * 20 + 200 / 500 * 25 + 60 / 300 * 30  # 3 + 10 + 6 = 19
    assert c.imports.loc["q", "inflow"] == pytest.approx(0.5 * use_q + 0.5 * 15.5, rel=EXACT)
    assert c.final_demand.loc["q", "outflow"] == pytest.approx(25 - 0.5 * use_q - 0.5 * 15.5, rel=EXACT)
    # sector p (SLQ 2 -> 1) supplies all its city use: no inflow
    assert c.imports.loc["p", "inflow"] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(c.emissions.to_numpy(), [10 * 0.2, 50 * 0.05, 6 * 0.1], rtol=EXACT)
    assert d.shares["household"] == pytest.approx(0.1)


def test_downscale_flq_balances_and_buys_more_from_outside() -> None:
    t = demo_province_table()
    emp = demo_employment()
    slq = downscale(t, emp, method="slq", name="city").table.validate(rtol=1e-9)
    fl = downscale(t, emp, method="flq", delta=0.3, name="city").table.validate(rtol=1e-9)
    # FLQ's lambda* < 1 scales the quotients down: the city buys more from outside than under SLQ
    assert fl.imports["inflow"].sum() > slq.imports["inflow"].sum()
    fp = footprint(fl)
    assert abs(fp.identity_residual) <= 1e-9 * fp.production


def test_downscale_rejects_bad_employment() -> None:
    t = _three_sector()
    emp = pd.DataFrame({"city": [20.0, 300.0, 70.0], "province": EMP_PROVINCE}, index=["p", "q", "r"])
    with pytest.raises(IOTableError, match=r"'q'.*exceeds"):
        downscale(t, emp)


# ---------------------------------------------------------------------- validation
def test_unbalanced_table_names_the_sectors() -> None:
    with pytest.raises(IOTableError) as exc:
        IOTable.from_arrays(
            ["steel", "power"],
            [[10.0, 5.0], [5.0, 10.0]],
            [[85.0], [80.0]],
            final_demand_columns=["household"],
            value_added=[[85.0, 85.0]],
            output=[100.0, 100.0],
        ).validate()
    msg = str(exc.value)
    assert "'power'" in msg and "rows do not balance" in msg
    assert "'steel'" not in msg
    with pytest.raises(IOTableError, match=r"'s2'.*no value added"):
        IOTable.from_arrays(
            ["s1", "s2"],
            [[0.0, 60.0], [0.0, 50.0]],
            [[40.0], [-40.0]],
            output=[100.0, 10.0],
            value_added=[[100.0, -100.0]],
        ).validate()


def test_bad_labels_and_units() -> None:
    with pytest.raises(IOTableError, match="duplicate"):
        IOTable.from_arrays(["a", "a"], np.zeros((2, 2)), [1.0, 1.0])
    with pytest.raises(IOTableError, match="money unit"):
        IOTable.from_arrays(["a"], [[0.0]], [1.0], money_unit="kg")
    with pytest.raises(IOTableError, match="no direct emissions"):
        footprint(IOTable.from_arrays(["a"], [[0.0]], [1.0]))


# ---------------------------------------------------------------------- inventory -> IO sectors
def test_inventory_mapping() -> None:
    t = open_economy()
    mapping = pd.DataFrame(
        {
            "gpc": ["I.3", "I.4", "I.1", "II", "II"],
            "sector": ["a", "b", "household", "b", "household"],
            "share": [1.0, 1.0, 1.0, 0.6, 0.4],
        }
    )
    inv = {"I.3.1": 30.0, "I.3.2": 999.0, "I.4.1": 10.0, "I.1.1": 3.0, "II.1.1": 10.0}
    d = direct_emissions_from_inventory(inv, mapping, t)
    # I.3.2 is scope 2 (grid electricity): left to the model's supply chains
    assert "I.3.2" in d.skipped
    np.testing.assert_allclose(d.by_sector.to_numpy(), [30.0, 10.0 + 6.0], rtol=EXACT)
    assert d.final["household"] == pytest.approx(3.0 + 4.0)
    json_like = {"by_gpc_ref": {k: {"tco2e": v, "scope": 1} for k, v in inv.items()}}
    d2 = direct_emissions_from_inventory(json_like, mapping, t)
    np.testing.assert_allclose(d2.by_sector.to_numpy(), d.by_sector.to_numpy())
    with pytest.raises(IOTableError, match=r"III.1.1.*no mapping"):
        direct_emissions_from_inventory({"III.1.1": 1.0}, mapping, t)
    bad = mapping.assign(share=[1.0, 1.0, 1.0, 0.6, 0.3])
    with pytest.raises(IOTableError, match=r"'II'.*sum to 0.9"):
        direct_emissions_from_inventory(inv, bad, t)


def test_perspective_from_a_computed_inventory() -> None:
    from zerocity.inventory import compute_inventory

    records = pd.DataFrame(
        {
            "year": ["2024"] * 3,
            "gpc_ref": ["I.3.1", "I.1.1", "I.3.2"],
            "activity": ["natural_gas", "natural_gas", "electricity_grid"],
            "amount": ["10", "2", "1000"],
            "unit": ["TJ", "TJ", "MWh"],
        }
    )
    inv = compute_inventory(records, region="CN")
    by_ref = inv.by_gpc_ref()
    mapping = pd.DataFrame({"gpc": ["I.3", "I.1"], "sector": ["a", "household"], "share": [1.0, 1.0]})
    t = open_economy()
    out = emissions_by_perspective(t, "production", inventory=inv, mapping=mapping)
    assert out["perspective"] == "production"
    # production = scope 1 of I.3.1 (to sector a) + I.1.1 (households' own fuel); I.3.2 is scope 2
    assert out["total"] == pytest.approx(by_ref["I.3.1"]["tco2e"] + by_ref["I.1.1"]["tco2e"], rel=EXACT)
    assert "I.3.2" in out["skipped"]
    cons = emissions_by_perspective(t, Perspective.CONSUMPTION, inventory=inv, mapping=mapping)
    # only sector a emits: consumption = f_a (L y_hh)_a + household fuel = (E_a / 100) * 80 + E_hh
    e_a, e_hh = by_ref["I.3.1"]["tco2e"], by_ref["I.1.1"]["tco2e"]
    assert cons["total"] == pytest.approx(e_a / 100 * 80 + e_hh, rel=1e-10)


# ---------------------------------------------------------------------- loader (NBS layout)
def test_nbs_provincial_xlsx() -> None:
    t = read_io_table(DATA / "nbs_provincial_sample.xlsx")
    assert t.sectors == ("农业", "工业", "服务业")
    np.testing.assert_array_equal(t.intermediate.to_numpy(), [[10, 40, 5], [15, 200, 60], [5, 60, 50]])
    assert list(t.final_demand.columns) == [
        "rural_household",
        "urban_household",
        "government",
        "gfcf",
        "inventory_change",
        "exports",
        "outflow",
        "other",
    ]
    np.testing.assert_array_equal(t.final_demand.loc["工业"].to_numpy(), [10, 40, 0, 100, 5, 80, 60, 0])
    np.testing.assert_array_equal(t.imports.to_numpy(), [[4, 6], [40, 30], [5, 17]])
    assert t.final_demand.loc["服务业", "other"] == 2
    np.testing.assert_array_equal(t.value_added.loc["net_taxes"].to_numpy(), [0, 40, 25])
    np.testing.assert_array_equal(t.x, [100, 500, 300])
    np.testing.assert_array_equal(t.emissions.to_numpy(), [1.5, 20, 3])
    assert t.final_emissions.to_dict() == {"rural_household": 0.5, "urban_household": 1.2}
    assert t.money_unit == "wan_yuan"
    assert t.emission_unit == "wan_t"
    assert t.emission_scale == 1e4


def test_nbs_national_csv_english() -> None:
    t = read_io_table(DATA / "nbs_national_sample_en.csv")
    assert t.sectors == ("Agriculture", "Industry", "Services")
    assert list(t.final_demand.columns) == ["household", "government", "gfcf", "inventory_change", "exports", "other"]
    np.testing.assert_array_equal(t.imports["imports"].to_numpy(), [10, 70, 22])
    assert t.money_unit == "yi_yuan"
    assert t.emissions is None


def test_nbs_layout_errors_name_row_and_column(tmp_path) -> None:
    grid = read_grid(DATA / "nbs_provincial_sample.xlsx")
    bad = grid.copy()
    bad.iat[4, 3] = 210  # industry buys 210 from industry, the subtotal still says 275
    with pytest.raises(InvalidRecordsError) as exc:
        parse_io_grid(bad, source="sample")
    report = exc.value.report()
    assert "row 5, column 'F'" in report and "total intermediate use" in report
    bad = grid.copy()
    bad.iat[3, 6] = "ten"
    with pytest.raises(InvalidRecordsError, match=r"row 4, column 'G'.*expected a number"):
        parse_io_grid(bad, source="sample")
    bad = grid.copy()
    bad.iat[2, 11] = "Gold purchases"
    with pytest.raises(InvalidRecordsError, match="unknown column header"):
        parse_io_grid(bad, source="sample")
    t = parse_io_grid(bad, source="sample", header_map={"Gold purchases": "gfcf"})
    assert "gfcf" in t.final_demand.columns
    # a table that does not balance: industry's total output and input both raised by 10
    bad = grid.copy()
    bad.iat[4, 20] = 510
    bad.iat[12, 3] = 510
    with pytest.raises(IOTableError, match="'工业'"):
        parse_io_grid(bad, source="sample")


def test_write_and_read_round_trip(tmp_path) -> None:
    t = read_io_table(DATA / "nbs_provincial_sample.xlsx")
    for lang, suffix in (("zh", ".csv"), ("en", ".xlsx")):
        path = write_io_table(t, tmp_path / f"t{suffix}", language=lang)
        back = read_io_table(path)
        pd.testing.assert_frame_equal(back.intermediate, t.intermediate)
        pd.testing.assert_frame_equal(back.final_demand, t.final_demand)
        pd.testing.assert_frame_equal(back.imports, t.imports)
        pd.testing.assert_series_equal(back.emissions, t.emissions)
        assert back.money_unit == t.money_unit and back.emission_unit == t.emission_unit
    assert io_table_frame(t, "en").iat[1, 0] == "Sector"


# ---------------------------------------------------------------------- shipped demo data
def test_shipped_demo_equals_generator() -> None:
    shipped = load_demo_table()
    generated = demo_province_table()
    pd.testing.assert_frame_equal(shipped.intermediate, generated.intermediate)
    pd.testing.assert_frame_equal(shipped.final_demand, generated.final_demand)
    pd.testing.assert_frame_equal(shipped.imports, generated.imports)
    pd.testing.assert_frame_equal(shipped.value_added, generated.value_added)
    pd.testing.assert_series_equal(shipped.emissions, generated.emissions, check_names=False)
    pd.testing.assert_frame_equal(
        load_demo_employment(), demo_employment().loc[list(shipped.sectors)], check_names=False
    )
    # published anchors: Jiangsu 2020 GDP 102,719 亿元 = 1.02719e9 10^4 yuan (rounding of 12 sectors)
    assert shipped.total_value_added.sum() == pytest.approx(1.02719e9, rel=1e-6)
    assert set(load_demo_mapping()["sector"]) <= set(shipped.sectors) | set(shipped.final_demand.columns)
    shipped.validate(rtol=0.0, atol=0.0)  # balances exactly


# ---------------------------------------------------------------------- CLI
@pytest.fixture
def cli():
    app = typer.Typer()
    app.add_typer(io_app, name="io")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["io", *args])


def test_cli_footprint_says_which_perspective(cli, tmp_path) -> None:
    res = cli("footprint", str(DATA / "nbs_provincial_sample.xlsx"), "--perspective", "production")
    assert res.exit_code == 0, res.output
    assert "Perspective: production" in res.output
    emis = tmp_path / "e.csv"
    emis.write_text("sector,tco2e\nAgriculture,500000\nIndustry,2000000\nServices,300000\nhousehold,100000\n")
    res = cli("footprint", str(DATA / "nbs_national_sample_en.csv"), "--emissions", str(emis), "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["perspective"] == "consumption"
    assert data["perspectives"]["production"] == pytest.approx(2_900_000.0)
    assert abs(data["identity"]["residual"]) < 1e-6


def test_cli_footprint_from_gpc_emissions(cli, tmp_path) -> None:
    emis = tmp_path / "gpc.csv"
    emis.write_text("gpc_ref,tco2e\nI.3.1,1000\nI.4.1,500\nI.1.1,50\nI.3.2,400\n")
    mapping = tmp_path / "map.csv"
    mapping.write_text("gpc,sector,share\nI.3,Industry,1\nI.4,Industry,1\nI.1,household,1\n")
    res = cli(
        "footprint",
        str(DATA / "nbs_national_sample_en.csv"),
        "--emissions",
        str(emis),
        "--mapping",
        str(mapping),
        "--perspective",
        "lifecycle",
        "--json",
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["perspective"] == "lifecycle"
    assert data["perspectives"]["production"] == pytest.approx(1550.0)  # I.3.2 (scope 2) skipped
    assert any("I.3.2" in n for n in data["notes"])


def test_cli_price_cap_downscale(cli, tmp_path) -> None:
    res = cli("price", "--demo", "--carbon-price", "100", "--json")
    assert res.exit_code == 0, res.output
    price = json.loads(res.stdout)
    assert price["price_change"]["Electricity and heat"] > price["price_change"]["Services"] > 0
    res = cli("cap", "--demo", "--cap", "600000000", "--json")
    assert res.exit_code == 0, res.output
    cap = json.loads(res.stdout)
    assert cap["emissions"] == pytest.approx(6e8, rel=1e-6) and cap["gdp_loss"] > 0
    out = tmp_path / "city.xlsx"
    res = cli("downscale", "--demo", "--method", "slq", "--output", str(out), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["method"] == "slq"
    res = cli("footprint", str(out))
    assert res.exit_code == 0, res.output
    assert "Perspective: consumption" in res.output


def test_cli_errors(cli, tmp_path) -> None:
    res = cli("footprint", str(DATA / "nbs_national_sample_en.csv"))
    assert res.exit_code == 2 and "no emissions row" in res.output
    res = cli("cap", "--demo", "--cap", "1", "--min-scale", "0.5")
    assert res.exit_code == 2 and "cannot be met" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    res = cli("check", str(bad))
    assert res.exit_code == 2 and "总产出" in res.output
    res = cli("check", "--demo")
    assert res.exit_code == 0 and "balanced" in res.output
