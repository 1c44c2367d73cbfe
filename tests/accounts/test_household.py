"""Household carbon inclusion: methodologies (hand-worked), anti-fraud, caps, footprint, k-anonymity.

Hand-worked numbers use the shipped factors: car baseline 121.2 g/pkm, bus 30.3, metro 17.3,
grid CN 2022 0.5366 kg/kWh (MEE & NBS 2024 No. 33), EV baseline 1.2116 kg/kWh.
"""

from __future__ import annotations

import pandas as pd
import pytest

from zerocity.accounts.household import (
    MethodologyError,
    Reason,
    household_footprint,
    k_anonymous_aggregate,
    load_methodologies,
    load_methodology,
    score_events,
)
from zerocity.errors import InvalidRecordsError

TOL = 1e-9  # float arithmetic only
GRID = 0.5366


@pytest.fixture(scope="module")
def methods():
    return load_methodologies()


def _ev(**kw):
    base = {"event_id": "e1", "household_id": "h1", "timestamp": "2025-03-01 08:00"}
    return {**base, **kw}


def _score(rows, methods):
    return score_events(pd.DataFrame(rows), methods)


@pytest.mark.parametrize(
    ("row", "expected_kg"),
    [
        (_ev(behaviour="bus", distance_km=10, duration_min=30), 10 * (0.1212 - 0.0303)),  # 0.909
        (_ev(behaviour="metro", distance_km=10, duration_min=15), 10 * (0.1212 - 0.0173)),  # 1.039
        (_ev(behaviour="shared_bicycle", distance_km=5, duration_min=20), 5 * 0.1212),  # 0.606
        (_ev(behaviour="walking", distance_km=2, duration_min=30), 2 * 0.1212),  # 0.2424
        # mean(200, 220) = 210 kWh; used 190: 20 kWh saved (9.5%) x 0.5366 = 10.732 kg
        (_ev(behaviour="electricity_saving", quantity=190, unit="kWh", prior_1=200, prior_2=220), 20 * GRID),
        (_ev(behaviour="rooftop_pv", quantity=20, unit="kWh"), 20 * GRID),  # 10.732
        (_ev(behaviour="ev_offpeak", quantity=30, unit="kWh", timestamp="2025-03-01 23:30"), 30 * (1.2116 - GRID)),
        (_ev(behaviour="e_receipt", quantity=1, unit="receipt"), 0.00061),
    ],
)
def test_every_methodology_hand_worked(methods, row, expected_kg):
    out = _score([row], methods)
    assert out.loc[0, "status"] == "accepted"
    assert out.loc[0, "reduction_kg"] == pytest.approx(expected_kg, abs=TOL)
    assert out.loc[0, "awarded_kg"] == pytest.approx(expected_kg, abs=TOL)


def test_shipped_methodologies_have_sources_and_versions(methods):
    assert {"bus", "metro", "shared_bicycle", "walking", "electricity_saving", "rooftop_pv", "ev_offpeak"} <= set(
        methods
    )
    for m in methods.values():
        assert m.baseline.sources and m.project.sources and m.version
        assert m.key == f"{m.id}@{m.version}"


def test_duplicate_event_id_refused(methods):
    row = _ev(behaviour="bus", distance_km=10, duration_min=30)
    out = _score([row, {**row, "timestamp": "2025-03-01 18:00"}], methods)
    assert list(out["reason"]) == [Reason.ACCEPTED, Reason.DUPLICATE_ID]


def test_replay_same_household_behaviour_time_quantity_refused(methods):
    row = _ev(behaviour="bus", distance_km=10, duration_min=30)
    out = _score([row, {**row, "event_id": "e2"}, {**row, "event_id": "e3", "distance_km": 11}], methods)
    assert list(out["reason"]) == [Reason.ACCEPTED, Reason.REPLAY, Reason.ACCEPTED]


def test_implausible_speed_and_distance(methods):
    rows = [
        _ev(event_id="a", behaviour="walking", distance_km=5, duration_min=30),  # 10 km/h > 8
        _ev(event_id="b", behaviour="walking", distance_km=4, duration_min=30),  # 8 km/h: the limit, allowed
        _ev(event_id="c", behaviour="bus", distance_km=81, duration_min=120, timestamp="2025-03-02 08:00"),
    ]
    out = _score(rows, methods)
    assert list(out["reason"]) == [Reason.IMPLAUSIBLE_SPEED, Reason.ACCEPTED, Reason.IMPLAUSIBLE_DISTANCE]


def test_implausible_quantity(methods):
    out = _score([_ev(behaviour="rooftop_pv", quantity=100.5, unit="kWh")], methods)
    assert out.loc[0, "reason"] == Reason.IMPLAUSIBLE_QUANTITY


def test_electricity_saving_threshold_is_five_percent(methods):
    rows = [
        _ev(event_id="a", behaviour="electricity_saving", quantity=190, unit="kWh", prior_1=200, prior_2=200),
        _ev(event_id="b", household_id="h2", behaviour="electricity_saving", quantity=191, prior_1=200, prior_2=200),
    ]
    out = _score(rows, methods)
    assert out.loc[0, "reason"] == Reason.ACCEPTED and out.loc[0, "awarded_kg"] == pytest.approx(10 * GRID)
    assert out.loc[1, "reason"] == Reason.BELOW_THRESHOLD and out.loc[1, "awarded_kg"] == 0


def test_ev_off_peak_window_is_half_open(methods):
    rows = [
        _ev(event_id=f"e{h}", behaviour="ev_offpeak", quantity=10, unit="kWh", timestamp=f"2025-03-0{i + 1} {h}")
        for i, h in enumerate(["22:59", "23:00", "06:59", "07:00"])
    ]
    out = _score(rows, methods)
    assert list(out["reason"]) == [Reason.OUTSIDE_HOURS, Reason.ACCEPTED, Reason.ACCEPTED, Reason.OUTSIDE_HOURS]


_SRC = "sources: [{publisher: t, document: t, table: t, year: 2025}]"
_UNIT = f"""
id: unit_trip
version: "1.0"
name: {{en: Test trip, zh: 测试}}
kind: travel
activity_unit: pkm
baseline: {{value: 1000, unit: g, per: pkm, derivation: test, {_SRC}}}
project: {{value: 0, unit: g, per: pkm, derivation: test, {_SRC}}}
caps: {{daily_kg: 3, monthly_kg: 5}}
"""


def test_caps_at_the_boundaries_in_time_order():
    m = {"unit_trip": load_methodology("unit_trip.yaml", _UNIT)}  # 1 kg per km; 3 kg a day, 5 a month
    times = ["2025-03-01 09:00", "2025-03-01 08:00", "2025-03-01 10:00", "2025-03-02 08:00", "2025-03-02 09:00",
             "2025-03-03 08:00", "2025-04-01 08:00"]  # fmt: skip
    dist = [2, 1, 1, 1, 1.5, 1, 1]
    rows = [_ev(event_id=f"e{i}", behaviour="unit_trip", timestamp=t, distance_km=d, duration_min=60)
            for i, (t, d) in enumerate(zip(times, dist, strict=True))]  # fmt: skip
    out = score_events(pd.DataFrame(rows), m)
    # day 1 in time order: 1 (08:00), 2 (09:00) -> exactly 3 = cap; 10:00 earns nothing
    # day 2: 1, then 1.5 of which only 1 fits the month (3 + 1 + 1 = 5); day 3: month full; April: new month
    assert list(out["awarded_kg"]) == pytest.approx([2, 1, 0, 1, 1, 0, 1])
    assert list(out["reason"]) == [Reason.ACCEPTED] * 2 + [Reason.DAILY_CAP] + [Reason.ACCEPTED] * 2 + [
        Reason.MONTHLY_CAP,
        Reason.ACCEPTED,
    ]
    assert out.loc[4, "reduction_kg"] == pytest.approx(1.5)  # capped, not refused


def test_caps_are_per_household_and_behaviour():
    m = {"unit_trip": load_methodology("unit_trip.yaml", _UNIT)}
    rows = [_ev(event_id="a", behaviour="unit_trip", distance_km=3, duration_min=60),
            _ev(event_id="b", household_id="h2", behaviour="unit_trip", distance_km=3, duration_min=60)]  # fmt: skip
    assert list(score_events(pd.DataFrame(rows), m)["awarded_kg"]) == pytest.approx([3, 3])


def test_validation_reports_every_bad_cell(methods):
    rows = [
        _ev(behaviour="teleport", distance_km=1, duration_min=1),
        _ev(event_id="", behaviour="bus", timestamp="yesterday", distance_km="far", duration_min=10),
        _ev(event_id="e3", behaviour="rooftop_pv", quantity=-1, unit="MWh"),
        _ev(event_id="e4", behaviour="bus", distance_km=3),
    ]
    with pytest.raises(InvalidRecordsError) as info:
        _score(rows, methods)
    got = {(i.row, i.column) for i in info.value.issues}
    assert got == {
        (1, "behaviour"),
        (2, "event_id"),
        (2, "timestamp"),
        (2, "distance_km"),
        (3, "quantity"),
        (3, "unit"),
        (4, "duration_min"),
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ('version: "1.0"', "version: one"),
        ("caps: {daily_kg: 3, monthly_kg: 5}", "caps: {daily_kg: 3}"),
        (
            f"unit: g, per: pkm, derivation: test, {_SRC}}}\nproject",
            "unit: g, per: pkm, derivation: test, sources: []}\nproject",
        ),
        ("value: 1000, unit: g", "value: 1000, unit: furlong"),
        ("kind: travel", "kind: teleport"),
    ],
)
def test_bad_methodology_file_is_refused_naming_file_and_field(change, field):
    text = _UNIT.replace(change, field)
    assert text != _UNIT
    with pytest.raises(MethodologyError) as info:
        load_methodology("bad.yaml", text)
    msg = str(info.value)
    assert msg.startswith("bad.yaml: field ")


def test_bad_methodology_names_the_field():
    with pytest.raises(MethodologyError, match=r"bad\.yaml: field caps\.monthly_kg"):
        load_methodology("bad.yaml", _UNIT.replace("caps: {daily_kg: 3, monthly_kg: 5}", "caps: {daily_kg: 3}"))
    with pytest.raises(MethodologyError, match=r"bad\.yaml: field baseline: .*unit 'furlong'"):
        load_methodology("bad.yaml", _UNIT.replace("value: 1000, unit: g", "value: 1000, unit: furlong"))


def test_footprint_hand_worked_and_city_comparison():
    frame = pd.DataFrame(
        [{"household_id": "h1", "month": "2025-01", "electricity_kwh": 200, "gas_m3": 10, "heat_gj": 1,
          "car_km": 100, "bus_km": 50, "food_cny": 1000, "goods_cny": "", "water_m3": 5}]
    )  # fmt: skip
    out = household_footprint(frame, city_average_kg=1000.0)
    housing = 200 * GRID + 10 * 2.162 + 1 * 110 + 5 * 0.168  # 107.32 + 21.62 + 110 + 0.84 = 239.78
    transport = 100 * 0.1817 + 50 * 0.0303  # 19.685
    food = 1000 * 0.5
    assert out.loc[0, "housing_kg"] == pytest.approx(housing)
    assert out.loc[0, "transport_kg"] == pytest.approx(transport)
    assert out.loc[0, "food_consumption_kg"] == pytest.approx(food)
    total = housing + transport + food
    assert out.loc[0, "vs_city_pct"] == pytest.approx(100 * (total / 1000 - 1))


def test_footprint_reports_bad_cells():
    frame = pd.DataFrame([{"household_id": "h1", "month": "2025-01", "electricity_kwh": "lots"}])
    with pytest.raises(InvalidRecordsError, match="electricity_kwh"):
        household_footprint(frame)


def test_k_anonymity_suppresses_small_groups():
    frame = pd.DataFrame(
        {
            "district": ["A"] * 6 + ["B"] * 4,
            "household_id": [f"h{i}" for i in range(5)] + ["h0"] + [f"x{i}" for i in range(4)],
            "kg": [1.0] * 10,
        }
    )
    out = k_anonymous_aggregate(frame, "district", "kg", k=5).set_index("district")
    assert out.loc["A", "households"] == 5 and out.loc["A", "kg_sum"] == 6.0 and not out.loc["A", "suppressed"]
    assert out.loc["B", "suppressed"] and pd.isna(out.loc["B", "kg_sum"]) and pd.isna(out.loc["B", "households"])
    out4 = k_anonymous_aggregate(frame, "district", "kg", k=4).set_index("district")
    assert not out4.loc["B", "suppressed"]
