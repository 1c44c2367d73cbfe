"""Properties of the inventory engine, checked with hypothesis.

* Unit invariance: the same activity written in different units (t, kg, 1e4 t, wan_t; TJ, GJ,
  MWh, tce) gives the same emissions.
* Additivity: the inventory of A + B is the inventory of A plus the inventory of B.
* GWP swap: changing the GWP set changes only CO2e; tonnes of each gas stay identical and the
  CO2e follows the published GWPs (AR4 WG1 Table 2.14, AR5 WG1 Table 8.A.1, AR6 WG1 Table 7.15).
* Homogeneity: scaling every amount by k scales every total by k.

Emissions are linear in amounts, so the only differences allowed are floating point rounding of
a handful of products and sums: REL = 1e-9 (relative), ABS = 1e-9 t for gases that are absent
on one side (a sum of zero terms).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zerocity.inventory import compute_inventory

REL = 1e-9
ABS = 1e-9

# Each compute_inventory call takes ~0.15-0.3 s, so examples are kept few (one compute per
# example in the unit tests, two or three in the others) to keep the file under ~30 s; deadline
# off because timing varies on a loaded machine; no example database written to the checkout.
_COMMON = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
FAST = settings(max_examples=10, **_COMMON)
SLOW = settings(max_examples=6, **_COMMON)

# GWP-100 (published values, see module docstring).
GWP = {
    "AR4": {"CH4_fossil": 25.0, "CH4_bio": 25.0, "N2O": 298.0},
    "AR5": {"CH4_fossil": 28.0, "CH4_bio": 28.0, "N2O": 265.0},
    "AR6": {"CH4_fossil": 29.8, "CH4_bio": 27.0, "N2O": 273.0},
}
BIOGENIC = {"wood_wood_waste"}

# (activity, GPC reference, unit, extra columns): every template computes with shipped data.
TEMPLATES = [
    ("natural_gas", "I.1.1", "TJ", {}),
    ("natural_gas", "I.2.1", "t", {}),
    ("other_bituminous_coal", "I.3.1", "t", {}),
    ("gas_diesel_oil", "II.1.1", "t", {}),
    ("motor_gasoline", "II.1.1", "GJ", {}),
    ("wood_wood_waste", "I.1.1", "t", {}),
    ("lpg", "I.2.1", "t", {}),
    # MEE 2023 national grid average 2022: 0.5703 t CO2/MWh, given in the row.
    ("electricity_grid", "I.1.2", "MWh", {"ef_co2": "0.5703", "ef_unit": "t/MWh"}),
]
MASS_ACTIVITIES = [
    ("natural_gas", "I.1.1"),
    ("other_bituminous_coal", "I.3.1"),
    ("gas_diesel_oil", "II.1.1"),
    ("wood_wood_waste", "I.1.1"),
]
ENERGY_ACTIVITIES = [("natural_gas", "I.1.1"), ("gas_diesel_oil", "II.1.1"), ("other_bituminous_coal", "I.3.1")]

amounts = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


def row(activity: str, gpc_ref: str, amount: float, unit: str, **extra: str) -> dict[str, str]:
    return {
        "year": "2020",
        "gpc_ref": gpc_ref,
        "activity": activity,
        "amount": repr(float(amount)),
        "unit": unit,
        "ef_co2": "",
        "ef_unit": "",
        **extra,
    }


records_strategy = st.lists(
    st.tuples(st.sampled_from(TEMPLATES), amounts).map(lambda t: row(t[0][0], t[0][1], t[1], t[0][2], **t[0][3])),
    min_size=1,
    max_size=4,
)


def run(rows: list[dict[str, str]], gwp: str = "AR5", *, records: bool = False) -> dict:
    return compute_inventory(pd.DataFrame(rows), gwp=gwp).to_dict(include_records=records)


def assert_gases_close(actual: dict[str, float], expected: dict[str, float]) -> None:
    for gas in set(actual) | set(expected):
        assert actual.get(gas, 0.0) == pytest.approx(expected.get(gas, 0.0), rel=REL, abs=ABS), gas


def assert_same_record(a: dict, b: dict) -> None:
    assert a["tco2e"] == pytest.approx(b["tco2e"], rel=REL, abs=ABS)
    assert a["biogenic_co2_t"] == pytest.approx(b["biogenic_co2_t"], rel=REL, abs=ABS)
    assert_gases_close(a["gases"], b["gases"])


# ------------------------------------------------------------------ unit invariance


@FAST
@given(activity=st.sampled_from(MASS_ACTIVITIES), tonnes=amounts)
def test_mass_units_give_same_emissions(activity: tuple[str, str], tonnes: float) -> None:
    act, ref = activity
    rows = [
        row(act, ref, tonnes, "t"),
        row(act, ref, tonnes * 1000.0, "kg"),  # 1 t = 1000 kg
        row(act, ref, tonnes / 1e4, "1e4 t"),  # 10^4 t (Chinese yearbooks)
        row(act, ref, tonnes / 1e4, "wan_t"),  # 万吨
    ]
    records = run(rows, records=True)["records"]
    assert records[0]["tco2e"] > 0
    for other in records[1:]:
        assert_same_record(other, records[0])


@FAST
@given(activity=st.sampled_from(ENERGY_ACTIVITIES), tj=amounts)
def test_energy_units_give_same_emissions(activity: tuple[str, str], tj: float) -> None:
    act, ref = activity
    rows = [
        row(act, ref, tj, "TJ"),
        row(act, ref, tj * 1000.0, "GJ"),  # 1 TJ = 1000 GJ
        row(act, ref, tj * 1e6 / 3600.0, "MWh"),  # 1 TJ = 1e6 MJ, 1 MWh = 3600 MJ
        row(act, ref, tj * 1000.0 / 29.3076, "tce"),  # 1 tce = 29.3076 GJ (GB/T 2589-2020)
    ]
    records = run(rows, records=True)["records"]
    assert records[0]["tco2e"] > 0
    for other in records[1:]:
        assert_same_record(other, records[0])


# ------------------------------------------------------------------ additivity


@SLOW
@given(a=records_strategy, b=records_strategy)
def test_inventory_is_additive_over_records(a: list[dict[str, str]], b: list[dict[str, str]]) -> None:
    ra, rb, rab = run(a), run(b), run(a + b)
    assert rab["total_tco2e"] == pytest.approx(ra["total_tco2e"] + rb["total_tco2e"], rel=REL, abs=ABS)
    assert rab["biogenic_co2_t"] == pytest.approx(ra["biogenic_co2_t"] + rb["biogenic_co2_t"], rel=REL, abs=ABS)
    gases = set(ra["by_gas"]) | set(rb["by_gas"]) | set(rab["by_gas"])
    expected = {g: ra["by_gas"].get(g, 0.0) + rb["by_gas"].get(g, 0.0) for g in gases}
    assert_gases_close(rab["by_gas"], expected)
    for key in ("by_scope", "by_sector"):
        both = set(ra[key]) | set(rb[key]) | set(rab[key])
        for k in both:
            expected_k = ra[key].get(k, 0.0) + rb[key].get(k, 0.0)
            assert rab[key].get(k, 0.0) == pytest.approx(expected_k, rel=REL, abs=ABS), (key, k)


# ------------------------------------------------------------------ GWP swap


@SLOW
@given(records=records_strategy)
def test_gwp_set_changes_only_co2e(records: list[dict[str, str]]) -> None:
    # AR5 is the default every other test runs with; AR4 and AR6 are swapped in here.
    results = {s: run(records, gwp=s, records=True) for s in ("AR4", "AR6")}
    base = results["AR4"]
    for s, out in results.items():
        assert out["gwp"] == s
        # Tonnes of each gas do not depend on the GWP set.
        assert_gases_close(out["by_gas"], base["by_gas"])
        assert out["biogenic_co2_t"] == pytest.approx(base["biogenic_co2_t"], rel=REL, abs=ABS)
        # CO2e by hand from the tonnes of each record and the published GWPs.
        expected = 0.0
        for rec in out["records"]:
            gases = rec["gases"]
            ch4_gwp = GWP[s]["CH4_bio"] if rec["activity"] in BIOGENIC else GWP[s]["CH4_fossil"]
            expected += (
                (0.0 if rec["activity"] in BIOGENIC else gases.get("CO2", 0.0))
                + gases.get("CH4", 0.0) * ch4_gwp
                + gases.get("N2O", 0.0) * GWP[s]["N2O"]
            )
        assert out["total_tco2e"] == pytest.approx(expected, rel=REL, abs=ABS), s


# ------------------------------------------------------------------ homogeneity


@SLOW
@given(records=records_strategy, k=st.floats(min_value=1e-3, max_value=1e3, allow_nan=False))
def test_scaling_amounts_scales_totals(records: list[dict[str, str]], k: float) -> None:
    scaled = [{**r, "amount": repr(float(r["amount"]) * k)} for r in records]
    base, out = run(records), run(scaled)
    assert out["total_tco2e"] == pytest.approx(k * base["total_tco2e"], rel=REL, abs=ABS)
    assert out["biogenic_co2_t"] == pytest.approx(k * base["biogenic_co2_t"], rel=REL, abs=ABS)
    assert_gases_close(out["by_gas"], {g: k * v for g, v in base["by_gas"].items()})
