"""Demo City's carbon accounts: carbon codes spread over five grades; inclusion events with faults refused."""

from __future__ import annotations

import pytest

from zerocity.demo import DemoCity, build_demo_city
from zerocity.demo.accounts import demo_accounts


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return build_demo_city()


def test_demo_accounts(city: DemoCity) -> None:
    acc = demo_accounts(city)
    grades = acc["grades"]
    assert all(grades[k] > 0 for k in ("1", "2", "3", "4", "5"))
    assert max(("1", "2", "3", "4", "5"), key=lambda k: grades[k]) == "3"
    # Closed plants have no 2024 output and are not graded.
    closed = int(city.enterprises["closed_year"].notna().sum())
    assert grades["not graded"] == closed
    assert all(r["ratio"] <= 0.5 and r["grade"] == 1 for r in acc["best"])  # default threshold 0.5
    assert all(r["ratio"] > 2.0 and r["grade"] == 5 for r in acc["worst"])  # default threshold 2.0
    h = acc["households"]
    # The generator re-sends 0.5 % of events and gives 0.2 % of trips 200 km/h: both are refused.
    assert h["refused_by_reason"]["duplicate_event_id"] == pytest.approx(0.005 * h["events"], rel=0.1)
    assert h["refused_by_reason"]["implausible_speed"] > 0
    assert h["accepted"] + sum(h["refused_by_reason"].values()) == h["events"]
    assert h["points"] == pytest.approx(h["credited_kg"], rel=0.01)  # 1 point per kg (default policy)


def test_behaviour_events_are_deterministic(city: DemoCity) -> None:
    again = build_demo_city()
    assert again.behaviour_events.equals(city.behaviour_events)
