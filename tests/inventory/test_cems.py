"""CEMS readings -> CO2 mass: hand-calculated cases, validation, and the hand-off to the inventory engine.

Hand arithmetic uses the constants written out in the tests:
standard conditions 273.15 K and 101.325 kPa; molar volume of an ideal gas V_m = R x T / p
= 8.31446261815324 J/(mol K) x 273.15 K / 101.325 kPa = 22.41396954 L/mol, with the exact SI
value R = N_A x k = 6.02214076e23 /mol x 1.380649e-23 J/K; CO2 density
= 44.0095 g/mol / 22.41396954 L/mol = 1.963485 kg/Nm3 (ideal gas).
"""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zerocity.errors import InvalidRecordsError, UnitError
from zerocity.inventory import compute_inventory, read_records
from zerocity.inventory.cems import (
    CO2_DENSITY,
    DEFAULT_STACK,
    MOLAR_VOLUME_STD,
    CemsResult,
    co2_mass_rate,
    dry_concentration,
    integrate_cems,
    standard_dry_flow,
)

R = 6.02214076e23 * 1.380649e-23  # J/(mol K), exact since the 2019 SI = 8.31446261815324
V_M = R * 273.15 / 101.325  # L/mol (J/mol / kPa = L/mol) = 22.41396954...
RHO_CO2 = 44.0095 / V_M  # kg/Nm3 (g/mol / L/mol = g/L = kg/m3) = 1.963485...


def by_hand(flow: float, t_c: float, p_kpa: float, x_pct: float, co2_pct: float) -> float:
    """CO2 mass rate [kg/h] written out: Q x 273.15/(273.15+t) x p/101.325 x (1-X/100) x C/100 x rho."""
    q_sd = flow * (273.15 / (273.15 + t_c)) * (p_kpa / 101.325) * (1 - x_pct / 100)
    return co2_pct / 100 * q_sd * RHO_CO2


def readings(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Readings as text, as read_records gives them from a CSV."""
    frame = pd.DataFrame(rows)
    return frame.astype(object).where(frame.notna(), "").astype(str)


BASE = {"flow_m3_h": 100_000, "temperature_c": 150, "pressure_kpa": 100, "moisture_pct": 10, "co2_pct": 12}


# ----------------------------------------------------------------------------- constants and formulas
def test_constants() -> None:
    # R x 273.15 K / 101.325 kPa = 8.31446261815324 x 273.15 / 101325 m3/mol = 22.41396954 L/mol (CODATA 2018)
    assert MOLAR_VOLUME_STD.to("L/mol").magnitude == pytest.approx(22.41396954, rel=1e-9)
    # 44.0095 / 22.41396954 = 1.963485 kg/Nm3
    assert CO2_DENSITY.to("kg/Nm3").magnitude == pytest.approx(1.963485, rel=1e-6)
    assert CO2_DENSITY.to("kg/Nm3").magnitude == pytest.approx(RHO_CO2, rel=1e-12)


def test_standard_dry_flow_by_hand() -> None:
    # 100000 x 273.15/423.15 = 64551.577; x 100/101.325 = 63707.454; x (1 - 0.10) = 57336.708
    expected = 100_000 * (273.15 / (273.15 + 150)) * (100 / 101.325) * (1 - 10 / 100)
    assert expected == pytest.approx(57_336.708, rel=1e-7)
    got = standard_dry_flow(100_000, 150, 100, 10)
    assert float(got) == pytest.approx(expected, rel=1e-12)
    # vectorised: arrays broadcast
    arr = standard_dry_flow([100_000, 50_000], [150, 150], 100, 10)
    assert arr == pytest.approx([expected, expected / 2], rel=1e-12)


def test_co2_mass_rate_needs_exactly_one_concentration() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        co2_mass_rate(1000.0)
    with pytest.raises(ValueError, match="exactly one"):
        co2_mass_rate(1000.0, co2_pct=1.0, co2_mg_m3=1.0)
    with pytest.raises(ValueError, match="moisture"):
        co2_mass_rate(1000.0, co2_pct=1.0, basis="wet")


# ----------------------------------------------------------------------------- integration
def test_single_reading_one_hour_by_hand() -> None:
    frame = readings([{"timestamp": "2024-01-01 00:00", **BASE}])
    result = integrate_cems(frame, interval="1h")
    # Q_sd = 100000 x (273.15 / 423.15) x (100 / 101.325) x (1 - 10/100) = 57336.708 Nm3/h
    # CO2 volume = 0.12 x 57336.708 = 6880.405 Nm3/h
    # CO2 mass   = 6880.405 Nm3/h x 1.963485 kg/Nm3 x 1 h = 13509.57 kg = 13.50957 t
    q_sd = 100_000 * (273.15 / 423.15) * (100 / 101.325) * (1 - 0.10)
    expected_t = 0.12 * q_sd * (44.0095 / V_M) * 1.0 / 1000
    assert expected_t == pytest.approx(13.50957, rel=1e-6)
    assert result.total_co2_t == pytest.approx(expected_t, rel=1e-12)
    (stack,) = result.stacks
    assert stack.stack == DEFAULT_STACK
    assert stack.hours == 1.0
    assert stack.readings == 1
    assert stack.substituted == 0
    assert stack.start == pd.Timestamp("2024-01-01 00:00")
    assert stack.end == pd.Timestamp("2024-01-01 01:00")


def test_two_stacks_interleaved() -> None:
    a = {"stack": "A", **BASE}
    b = {"stack": "B", "flow_m3_h": 50_000, "temperature_c": 100, "pressure_kpa": 101.325, "moisture_pct": 5}
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", **a},
            {"timestamp": "2024-01-01 00:00", **b, "co2_pct": 10},
            {"timestamp": "2024-01-01 01:00", **a, "flow_m3_h": 80_000},
            {"timestamp": "2024-01-01 00:30", **b, "co2_pct": 8},
            {"timestamp": "2024-01-01 02:00", **a},
        ]
    )
    result = integrate_cems(frame)
    # Stack A, hourly: 13509.57 kg/h, then 0.8 x 13509.57, then 13509.57 (last reading: median 1 h)
    r_a = by_hand(100_000, 150, 100, 10, 12)
    a_t = (r_a * 1 + 0.8 * r_a * 1 + r_a * 1) / 1000
    # Stack B, half-hourly: Q_sd = 50000 x 273.15/373.15 x 1 x 0.95 = 36600.56 x 0.95 = 34770.53 Nm3/h
    q_b = 50_000 * (273.15 / 373.15) * (101.325 / 101.325) * 0.95
    assert q_b == pytest.approx(34_770.53, rel=1e-6)
    b_t = (0.10 * q_b * RHO_CO2 * 0.5 + 0.08 * q_b * RHO_CO2 * 0.5) / 1000
    assert [s.stack for s in result.stacks] == ["A", "B"]
    assert result.stack("A").co2_t == pytest.approx(a_t, rel=1e-12)
    assert result.stack("B").co2_t == pytest.approx(b_t, rel=1e-12)
    assert result.total_co2_t == pytest.approx(a_t + b_t, rel=1e-12)
    assert result.stack("A").hours == pytest.approx(3.0)
    assert result.stack("B").hours == pytest.approx(1.0)
    assert result.stack("A").end == pd.Timestamp("2024-01-01 03:00")
    assert result.stack("B").end == pd.Timestamp("2024-01-01 01:00")
    with pytest.raises(KeyError, match="A, B"):
        result.stack("C")


def test_fifteen_minute_data() -> None:
    flows = [100_000, 110_000, 90_000, 100_000]
    frame = readings(
        [{"timestamp": f"2024-03-01 10:{15 * i:02d}:00", **BASE, "flow_m3_h": f} for i, f in enumerate(flows)]
    )
    result = integrate_cems(frame)
    # each reading stands for 0.25 h (the last one for the median interval, 0.25 h)
    r = by_hand(1.0, 150, 100, 10, 12)  # kg/h per m3/h of actual flow
    expected_t = sum(r * f * 0.25 for f in flows) / 1000  # = r x 400000 x 0.25 / 1000
    assert result.total_co2_t == pytest.approx(expected_t, rel=1e-12)
    assert result.stacks[0].hours == pytest.approx(1.0)
    # the same data with interval="15min" for the last reading, and "1h" changing only the last one
    assert integrate_cems(frame, interval="15min").total_co2_t == pytest.approx(expected_t, rel=1e-12)
    longer = integrate_cems(frame, interval="1h").total_co2_t
    assert longer == pytest.approx(expected_t + r * 100_000 * 0.75 / 1000, rel=1e-12)


def test_substitution_of_invalid_and_incomplete_readings() -> None:
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", **BASE, "valid": "1"},
            # calibration: flagged invalid, values are not used (not even checked)
            {"timestamp": "2024-01-01 01:00", **BASE, "flow_m3_h": "calib", "temperature_c": -999, "valid": "0"},
            {"timestamp": "2024-01-01 02:00", **BASE, "flow_m3_h": 80_000, "valid": "true"},
            # missing moisture: incomplete, substituted as well
            {"timestamp": "2024-01-01 03:00", **BASE, "moisture_pct": "", "valid": ""},
        ]
    )
    result = integrate_cems(frame)
    r = by_hand(100_000, 150, 100, 10, 12)
    mean_valid = (r + 0.8 * r) / 2  # mean mass rate of the valid, complete readings of the stack
    expected_t = (r + mean_valid + 0.8 * r + mean_valid) * 1.0 / 1000
    (stack,) = result.stacks
    assert stack.substituted == 2
    assert stack.readings == 4
    assert stack.co2_t == pytest.approx(expected_t, rel=1e-12)
    assert result.as_dict()["substituted"] == 2


def test_typed_frame_with_boolean_and_numeric_flags() -> None:
    typed = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=3, freq="h"),
            "flow_m3_h": [100_000.0, np.nan, 80_000.0],
            "temperature_c": 150.0,
            "pressure_kpa": 100.0,
            "moisture_pct": 10.0,
            "co2_pct": 12.0,
            "valid": [True, True, False],
        }
    )
    r = by_hand(100_000, 150, 100, 10, 12)
    result = integrate_cems(typed)
    # row 2 (missing flow) and row 3 (flagged) take the mean of row 1 alone
    assert result.stacks[0].substituted == 2
    assert result.total_co2_t == pytest.approx(3 * r / 1000, rel=1e-12)
    numeric_flags = typed.assign(valid=[1, 0, 2])
    with pytest.raises(InvalidRecordsError) as info:
        integrate_cems(numeric_flags)
    assert [(i.row, i.column) for i in info.value.issues] == [(3, "valid")]


def test_substitution_is_per_stack() -> None:
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", "stack": "A", **BASE},
            {"timestamp": "2024-01-01 00:00", "stack": "B", **BASE, "flow_m3_h": 10_000},
            {"timestamp": "2024-01-01 01:00", "stack": "B", **BASE, "valid": "false"},
        ]
    )
    result = integrate_cems(frame, interval="1h")
    r = by_hand(1.0, 150, 100, 10, 12)
    # B's invalid reading takes B's own mean (10000 m3/h), not A's
    assert result.stack("B").co2_t == pytest.approx(2 * r * 10_000 / 1000, rel=1e-12)
    assert result.stack("B").substituted == 1
    assert result.stack("A").substituted == 0


def test_mg_m3_input_equals_percent_input() -> None:
    # 12 % vol dry = 0.12 x 1.963485 kg/Nm3 = 0.2356182 kg/Nm3 = 235618.2 mg/Nm3
    mg = 0.12 * (44.0095 / V_M) * 1e6
    assert mg == pytest.approx(235_618.2, rel=1e-6)
    pct = readings([{"timestamp": "2024-01-01 00:00", **BASE}])
    mass = readings(
        [{"timestamp": "2024-01-01 00:00", **{k: v for k, v in BASE.items() if k != "co2_pct"}, "co2_mg_m3": mg}]
    )
    assert integrate_cems(mass, interval="1h").total_co2_t == pytest.approx(
        integrate_cems(pct, interval="1h").total_co2_t, rel=1e-12
    )
    # the function level: C [mg/Nm3] x Q_sd x 1e-6 kg/mg
    assert float(co2_mass_rate(1000.0, co2_mg_m3=mg)) == pytest.approx(mg * 1000.0 * 1e-6, rel=1e-12)


def test_wet_basis_concentration() -> None:
    # 12 % in dry gas is 12 x (1 - 10/100) = 10.8 % in wet gas with 10 % moisture
    assert float(dry_concentration(10.8, 10)) == pytest.approx(12.0, rel=1e-12)
    dry = readings([{"timestamp": "2024-01-01 00:00", **BASE}])
    wet = readings([{"timestamp": "2024-01-01 00:00", **BASE, "co2_pct": 10.8}])
    dry_t = integrate_cems(dry, interval="1h").total_co2_t
    wet_t = integrate_cems(wet, interval="1h", basis="wet")
    assert wet_t.total_co2_t == pytest.approx(dry_t, rel=1e-12)
    assert wet_t.as_dict()["basis"] == "wet"
    # read as dry, the same number gives 10.8/12 of the mass
    assert integrate_cems(wet, interval="1h").total_co2_t == pytest.approx(dry_t * 10.8 / 12, rel=1e-12)
    # equivalently: wet concentration x wet standard flow = dry concentration x dry standard flow
    q_wet_std = 100_000 * (273.15 / 423.15) * (100 / 101.325)
    assert 0.108 * q_wet_std * RHO_CO2 / 1000 == pytest.approx(dry_t, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    flow=st.floats(min_value=1e3, max_value=1e6),
    co2=st.floats(min_value=0.5, max_value=20.0),
    k=st.floats(min_value=0.1, max_value=10.0),
    m=st.floats(min_value=0.1, max_value=4.0),
)
def test_mass_is_linear_in_flow_and_concentration(flow: float, co2: float, k: float, m: float) -> None:
    def frame(f: float, c: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "timestamp": pd.date_range("2024-01-01", periods=3, freq="h"),
                "flow_m3_h": [f, 0.5 * f, f],
                "temperature_c": [150.0, 140.0, 160.0],
                "pressure_kpa": [100.0, 99.0, 101.0],
                "moisture_pct": [10.0, 12.0, 8.0],
                "co2_pct": [c, c, 0.5 * c],
            }
        )

    base = integrate_cems(frame(flow, co2)).total_co2_t
    assert integrate_cems(frame(k * flow, co2)).total_co2_t == pytest.approx(k * base, rel=1e-9)
    assert integrate_cems(frame(flow, m * co2)).total_co2_t == pytest.approx(m * base, rel=1e-9)
    assert integrate_cems(frame(k * flow, m * co2)).total_co2_t == pytest.approx(k * m * base, rel=1e-9)


def test_long_gap_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    times = ["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00", "2024-01-01 12:00", "2024-01-01 13:00"]
    frame = readings([{"timestamp": t, **BASE} for t in times])
    with caplog.at_level(logging.WARNING, logger="zerocity.inventory.cems"):
        result = integrate_cems(frame)
    assert result.stacks[0].hours == pytest.approx(14.0)
    assert "longer than 3x" in caplog.text


# ----------------------------------------------------------------------------- validation
def test_every_problem_reported_with_row_and_column() -> None:
    good = {"stack": "S1", **BASE}
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", **good},  # row 1
            {"timestamp": "2024-01-01 01:00", **good, "flow_m3_h": "abc"},  # row 2
            {"timestamp": "2024-01-01 02:00", **good, "flow_m3_h": -5, "temperature_c": 1200},  # row 3
            {"timestamp": "2024-01-01 03:00", **good, "pressure_kpa": 30, "moisture_pct": 120},  # row 4
            {"timestamp": "yesterday", **good, "co2_pct": 150},  # row 5
            {"timestamp": "2024-01-01 02:30", **good},  # row 6: before row 4
            {"timestamp": "2024-01-01 05:00", **good, "valid": "maybe"},  # row 7
            {"timestamp": "2024-01-01 06:00", **good, "flow_m3_h": "calib", "temperature_c": -999, "valid": 0},
            {"timestamp": "2024-01-01 07:00", **good, "temperature_c": -60, "co2_pct": -1},  # row 9
        ]
    )
    with pytest.raises(InvalidRecordsError) as info:
        integrate_cems(frame, source="cems.csv")
    err = info.value
    assert err.source == "cems.csv"
    assert "nothing was computed" in str(err)
    found = [(i.row, i.column) for i in err.issues]
    assert found == [
        (2, "flow_m3_h"),
        (3, "flow_m3_h"),
        (3, "temperature_c"),
        (4, "moisture_pct"),
        (4, "pressure_kpa"),
        (5, "co2_pct"),
        (5, "timestamp"),
        (6, "timestamp"),
        (7, "valid"),
        (9, "co2_pct"),
        (9, "temperature_c"),
    ]
    by_cell = {(i.row, i.column): i for i in err.issues}
    assert by_cell[(2, "flow_m3_h")].value == "abc"
    assert "expected a number" in by_cell[(2, "flow_m3_h")].message
    assert "non-negative" in by_cell[(3, "flow_m3_h")].message
    assert "-50 and 1000" in by_cell[(3, "temperature_c")].message
    assert "50 and 200 kPa" in by_cell[(4, "pressure_kpa")].message
    assert "0 and 100" in by_cell[(4, "moisture_pct")].message
    assert "0 and 100" in by_cell[(5, "co2_pct")].message
    assert "ISO 8601" in by_cell[(5, "timestamp")].message
    assert "previous reading" in by_cell[(6, "timestamp")].message
    assert by_cell[(7, "valid")].value == "maybe"


@pytest.mark.parametrize(
    ("drop", "add", "expected"),
    [
        pytest.param(["flow_m3_h"], {}, [(0, "flow_m3_h")], id="missing-flow"),
        pytest.param(["co2_pct"], {}, [(0, "co2_pct")], id="missing-concentration"),
        pytest.param([], {"co2_mg_m3": 1000}, [(0, "co2_mg_m3")], id="both-concentrations"),
        pytest.param(["timestamp", "moisture_pct"], {}, [(0, "timestamp"), (0, "moisture_pct")], id="two-missing"),
    ],
)
def test_column_problems(drop: list[str], add: dict[str, object], expected: list[tuple[int, str]]) -> None:
    frame = readings([{"timestamp": "2024-01-01 00:00", **BASE, **add}]).drop(columns=drop)
    with pytest.raises(InvalidRecordsError) as info:
        integrate_cems(frame, interval="1h", source="cems.csv")
    assert [(i.row, i.column) for i in info.value.issues] == expected


def test_mg_m3_above_pure_co2_and_wet_moisture_100() -> None:
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", **{k: v for k, v in BASE.items() if k != "co2_pct"}, "co2_mg_m3": 3e6},
            {
                "timestamp": "2024-01-01 01:00",
                **{k: v for k, v in BASE.items() if k != "co2_pct"},
                "co2_mg_m3": 1e5,
                "moisture_pct": 100,
            },
        ]
    )
    with pytest.raises(InvalidRecordsError) as info:
        integrate_cems(frame, basis="wet")
    assert [(i.row, i.column) for i in info.value.issues] == [(1, "co2_mg_m3"), (2, "moisture_pct")]
    assert "pure CO2" in info.value.issues[0].message


def test_stack_conditions() -> None:
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", "stack": "A", **BASE, "valid": 0},
            {"timestamp": "2024-01-01 01:00", "stack": "A", **BASE, "valid": 0},
            {"timestamp": "2024-01-01 00:00", "stack": "B", **BASE},
            {"timestamp": "2024-01-01 00:00", "stack": "", **BASE},
        ]
    )
    with pytest.raises(InvalidRecordsError) as info:
        integrate_cems(frame)
    issues = {(i.row, i.column): i.message for i in info.value.issues}
    assert set(issues) == {(1, "valid"), (3, "timestamp"), (4, "stack")}
    assert "no valid" in issues[(1, "valid")]
    assert "single reading" in issues[(3, "timestamp")]


def test_bad_interval_is_a_unit_error() -> None:
    frame = readings([{"timestamp": "2024-01-01 00:00", **BASE}])
    with pytest.raises(UnitError):
        integrate_cems(frame, interval="15 kg")
    with pytest.raises(UnitError):
        integrate_cems(frame, interval="fortnightly-ish")


def test_mixed_time_zones_are_reported() -> None:
    frame = readings(
        [
            {"timestamp": "2024-01-01T00:00+08:00", **BASE},
            {"timestamp": "2024-01-01T01:00", **BASE},
        ]
    )
    with pytest.raises(InvalidRecordsError) as info:
        integrate_cems(frame)
    assert (0, "timestamp") in [(i.row, i.column) for i in info.value.issues]


# ----------------------------------------------------------------------------- reading and hand-off
def test_csv_via_read_records(tmp_path) -> None:
    path = tmp_path / "cems.csv"
    path.write_text(
        "Zeit,Q,T,p,X,CO2,ok\n2024-01-01 00:00,100000,150,100,10,12,1\n2024-01-01 01:00,100000,150,100,10,12,0\n",
        encoding="utf-8",
    )
    mapping = {
        "Zeit": "timestamp",
        "Q": "flow_m3_h",
        "T": "temperature_c",
        "p": "pressure_kpa",
        "X": "moisture_pct",
        "CO2": "co2_pct",
        "ok": "valid",
    }
    result = integrate_cems(read_records(path, mapping=mapping), source=str(path))
    r = by_hand(100_000, 150, 100, 10, 12)
    assert result.total_co2_t == pytest.approx(2 * r / 1000, rel=1e-12)
    assert result.as_dict()["source"] == str(path)


def test_as_dict_is_json_ready() -> None:
    frame = readings([{"timestamp": "2024-01-01 00:00", **BASE}])
    data = json.loads(json.dumps(integrate_cems(frame, interval="1h").as_dict()))
    assert data["stacks"][0]["start"] == "2024-01-01T00:00:00"
    assert data["stacks"][0]["end"] == "2024-01-01T01:00:00"
    assert data["total_co2_t"] == pytest.approx(13.50957, rel=1e-6)


def _two_stack_result() -> CemsResult:
    frame = readings(
        [
            {"timestamp": "2024-01-01 00:00", "stack": "A", **BASE},
            {"timestamp": "2024-01-01 00:00", "stack": "B", **BASE, "flow_m3_h": 40_000},
            {"timestamp": "2024-01-01 01:00", "stack": "A", **BASE, "co2_pct": 10},
            {"timestamp": "2024-01-01 01:00", "stack": "B", **BASE, "flow_m3_h": 40_000},
        ]
    )
    return integrate_cems(frame, source="plant.csv")


def test_to_records_through_compute_inventory() -> None:
    result = _two_stack_result()
    records = result.to_records(2024, "I.4.1", entity="91320000MA1XXXXX0X")
    assert list(records["method"]) == ["measured", "measured"]
    assert list(records["gas"]) == ["CO2", "CO2"]
    assert list(records["unit"]) == ["t", "t"]
    assert list(records["activity"]) == ["", ""]
    assert list(records["entity"]) == ["91320000MA1XXXXX0X"] * 2
    inventory = compute_inventory(records, region="GLOBAL")
    emissions = inventory.emissions.sort_values("row")
    assert emissions["tonnes"].to_numpy() == pytest.approx([s.co2_t for s in result.stacks], rel=1e-12)
    assert inventory.total_tco2e == pytest.approx(result.total_co2_t, rel=1e-12)
    # and by hand: A = (r12 + r10) x 1 h, B = 2 x 0.4 x r12 x 1 h
    r12 = by_hand(100_000, 150, 100, 10, 12)
    expected = (r12 + r12 * 10 / 12 + 2 * 0.4 * r12) / 1000
    assert inventory.total_tco2e == pytest.approx(expected, rel=1e-12)


def test_to_records_without_entity_and_year_warning(caplog: pytest.LogCaptureFixture) -> None:
    result = _two_stack_result()
    with caplog.at_level(logging.WARNING, logger="zerocity.inventory.cems"):
        records = result.to_records(2023, "I.3.1")
    assert "entity" not in records.columns
    assert "outside the inventory year 2023" in caplog.text
    assert np.isclose(compute_inventory(records).total_tco2e, result.total_co2_t)
