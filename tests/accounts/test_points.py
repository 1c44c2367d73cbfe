"""Points: conversion, FIFO expiry, redemptions, ledger records without personal payload, CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from zerocity.accounts.household import household_digest, score_events
from zerocity.accounts.points import (
    PointsError,
    PointsPolicy,
    award_points,
    balances_fast,
    load_catalogue,
    process_redemptions,
    record_awards,
)
from zerocity.cli_household import household_app
from zerocity.ledger.log import Ledger
from zerocity.ledger.signing import generate_private_key


def _awards(rows):
    """Awards frame from (household, time, points) with 12-month expiry."""
    frame = pd.DataFrame(rows, columns=["household_id", "timestamp", "points"])
    frame["event_id"] = [f"e{i}" for i in range(len(frame))]
    frame["timestamp"] = pd.to_datetime(frame["timestamp"])
    frame["expires"] = frame["timestamp"] + pd.DateOffset(months=12)
    return frame


CATALOGUE = load_catalogue({"bus_ticket": {"name": "Bus ticket", "points": 5}, "tree": {"points": 20}})


def test_conversion_rounds_down():
    scored = pd.DataFrame(
        {"household_id": ["h1", "h1"], "event_id": ["a", "b"], "timestamp": ["2025-01-01", "2025-01-02"],
         "awarded_kg": [0.909, 2.0], "status": ["accepted", "refused"]}
    )  # fmt: skip
    out = award_points(scored, PointsPolicy(points_per_kg=10))
    assert list(out["points"]) == [9.09]
    assert out.loc[0, "expires"] == pd.Timestamp("2026-01-01")


def test_redemption_fifo_and_expiry():
    awards = _awards([("h1", "2024-01-10", 10), ("h1", "2024-06-01", 10)])
    red = pd.DataFrame(
        {"redemption_id": ["r1", "r2", "r3"], "household_id": ["h1"] * 3,
         "timestamp": ["2024-12-01", "2025-02-01", "2025-02-02"], "item": ["bus_ticket", "bus_ticket", "tree"]}
    )  # fmt: skip
    results, bal = process_redemptions(awards, red, CATALOGUE, as_of="2025-03-01")
    # r1 spends 5 of the January lot (FIFO); that lot's other 5 expire on 2025-01-10;
    # r2 spends 5 of the June lot; r3 needs 20 with 5 left: refused.
    assert list(results["status"]) == ["redeemed", "redeemed", "refused"]
    assert results.loc[2, "reason"] == "insufficient_balance"
    row = bal.set_index("household_id").loc["h1"]
    assert (row["earned"], row["redeemed"], row["expired"], row["balance"]) == (20, 10, 5, 5)


def test_redemption_beyond_balance_refused_and_unknown_item():
    awards = _awards([("h1", "2025-01-01", 4.99)])
    red = pd.DataFrame(
        {"redemption_id": ["r1", "r2"], "household_id": ["h1", "h1"], "timestamp": ["2025-01-02"] * 2,
         "item": ["bus_ticket", "yacht"]}
    )  # fmt: skip
    results, bal = process_redemptions(awards, red, CATALOGUE, as_of="2025-01-03")
    assert list(results["reason"]) == ["insufficient_balance", "unknown_item"]
    assert bal.loc[0, "balance"] == pytest.approx(4.99)


def test_points_expire_after_twelve_months():
    awards = _awards([("h1", "2024-03-01", 3), ("h1", "2024-09-01", 4)])
    assert balances_fast(awards, as_of="2025-02-28").loc["h1"] == 7
    assert balances_fast(awards, as_of="2025-03-01").loc["h1"] == 4  # first lot expired on its anniversary


def test_bad_catalogue():
    with pytest.raises(PointsError, match="item 'x', field points"):
        load_catalogue({"x": {"points": 0}})


def test_record_awards_keeps_hashes_not_personal_payload(sqlite_engine):
    ledger = Ledger(sqlite_engine, platform_key=generate_private_key())
    events = pd.DataFrame(
        [
            {"event_id": "secret-e1", "household_id": "secret-h1", "behaviour": "bus",
             "timestamp": "2025-03-01 08:00", "distance_km": 10, "duration_min": 30},
            {"event_id": "secret-e2", "household_id": "secret-h1", "behaviour": "walking",
             "timestamp": "2025-03-01 09:00", "distance_km": 10, "duration_min": 30},
        ]
    )  # fmt: skip
    scored = score_events(events)
    indices = record_awards(ledger, scored, batch_size=1)
    assert indices == [0, 1]
    assert len(ledger.heads()) == 2  # one signed tree head per batch
    entries = ledger.entries(type_prefix="household.")
    assert [e.type for e in entries] == ["household.points.awarded", "household.event.refused"]
    for e in entries:
        assert b"secret" not in e.leaf
    assert entries[0].payload["digest"] == household_digest("secret-h1", "secret-e1", scored.loc[0, "reduction_kg"])
    assert entries[0].payload["points"] == 0.9 and entries[1].payload["reason"] == "implausible_speed"


def test_cli_commands(tmp_path):
    runner = CliRunner()
    events = tmp_path / "events.csv"
    events.write_text(
        "event_id,household_id,behaviour,timestamp,quantity,unit,distance_km,duration_min\n"
        "e1,h1,bus,2025-03-01 08:00,,,10,30\n"
        "e1,h1,bus,2025-03-01 09:00,,,10,30\n"
        "e3,h2,rooftop_pv,2025-03-01 12:00,20,kWh,,\n",
        encoding="utf-8",
    )
    res = runner.invoke(household_app, ["events", str(events), "--json", "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [d["reason"] for d in data] == ["accepted", "duplicate_event_id", "accepted"]
    assert (tmp_path / "o.csv").exists()
    res = runner.invoke(household_app, ["points", str(events), "--json"])
    assert res.exit_code == 0, res.output
    assert {b["household_id"]: b["balance"] for b in json.loads(res.stdout)["balances"]} == {"h1": 0.9, "h2": 10.73}
    res = runner.invoke(household_app, ["methodologies", "--json"])
    assert res.exit_code == 0 and len(json.loads(res.stdout)) >= 8
    foot = tmp_path / "foot.csv"
    foot.write_text("household_id,month,electricity_kwh\nh1,2025-01,100\n", encoding="utf-8")
    res = runner.invoke(household_app, ["footprint", str(foot), "--json", "--city-average", "100"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)[0]["total_kg"] == pytest.approx(53.66)
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,household_id,behaviour,timestamp\ne1,h1,teleport,2025-01-01\n", encoding="utf-8")
    res = runner.invoke(household_app, ["events", str(bad)])
    assert res.exit_code == 2 and "row 1, column 'behaviour'" in res.output
    assert runner.invoke(household_app, ["methodologies"]).exit_code == 0
    assert runner.invoke(household_app, ["events", str(events)]).exit_code == 0
