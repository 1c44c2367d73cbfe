"""Household events across ingests and in the ledger: cumulative caps, digest-only entries, deletion, redemption."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from zerocity.accounts.household import Reason, score_events
from zerocity.accounts.points import PointsError, load_catalogue
from zerocity.accounts.privacy import (
    default_catalogue,
    delete_household,
    household_balance,
    household_ref,
    ingest_events,
    pseudonym,
    record_consent,
    redeem,
)
from zerocity.ledger.log import Ledger
from zerocity.ledger.signing import generate_private_key
from zerocity.store.db import session_scope

KEY = b"k" * 32
EXTERNAL = "citizen-110101-ALICE"
BUS_KG = 10.0 * (0.1212 - 0.0303)  # bus.yaml: 10 pkm x (121.2 - 30.3) g/pkm = 0.909 kg
DAILY_KG = 3.0  # bus.yaml caps.daily_kg
MONTHLY_KG = 60.0  # bus.yaml caps.monthly_kg
TOL = 1e-9


def _bus(event_id: str, when: str, household: str = EXTERNAL) -> dict:
    return {
        "event_id": event_id,
        "household_id": household,
        "behaviour": "bus",
        "timestamp": when,
        "distance_km": 10.0,
        "duration_min": 30.0,
    }


def _recent(days: float) -> str:
    """A naive UTC wall-clock time ``days`` ago (points stay unexpired for redemptions)."""
    return (pd.Timestamp.now("UTC") - pd.Timedelta(days=days)).tz_localize(None).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture
def ledger(db_engine) -> Ledger:
    return Ledger(db_engine, platform_key=generate_private_key())


# ------------------------------------------------------------------------------ caps across ingests
def test_score_events_prior_awarded_is_an_offset_of_the_caps() -> None:
    events = pd.DataFrame([_bus("e1", "2025-03-01 08:00"), _bus("e2", "2025-03-02 08:00")])
    plain = score_events(events)
    assert plain["awarded_kg"].tolist() == pytest.approx([BUS_KG, BUS_KG])
    prior = pd.DataFrame(
        [
            {"household_id": EXTERNAL, "behaviour": "bus", "timestamp": "2025-03-01 06:00", "awarded_kg": 2.5},
            {"household_id": EXTERNAL, "behaviour": "bus", "timestamp": "2025-03-01 00:00", "awarded_kg": 57.0},
            {"household_id": "other", "behaviour": "bus", "timestamp": "2025-03-02 00:00", "awarded_kg": 60.0},
            {"household_id": EXTERNAL, "behaviour": "metro", "timestamp": "2025-03-02 00:00", "awarded_kg": 60.0},
        ]
    )
    scored = score_events(events, prior_awarded=prior)
    # day 1: 59.5 already this day > daily cap 3.0 -> nothing; day 2: month has 59.5 -> 0.5 left
    assert scored["awarded_kg"].tolist() == pytest.approx([0.0, MONTHLY_KG - 59.5])
    assert scored["reason"].tolist() == [Reason.DAILY_CAP.value, Reason.ACCEPTED.value]
    empty = pd.DataFrame(columns=["household_id", "behaviour", "timestamp", "awarded_kg"])
    assert score_events(events, prior_awarded=empty)["awarded_kg"].tolist() == pytest.approx([BUS_KG, BUS_KG])


@pytest.mark.parametrize("timezone", ["UTC", "Asia/Shanghai"])
def test_daily_cap_counts_events_stored_by_earlier_ingests(db_engine, timezone) -> None:
    # 07:xx local in Shanghai is the previous day in UTC: the cap day must be the local one.
    first = pd.DataFrame([_bus(f"e{i}", f"2025-03-01 07:{i:02d}") for i in range(1, 4)])
    second = pd.DataFrame(
        [_bus("e4", "2025-03-01 07:30"), _bus("e5", "2025-03-01 07:40"), _bus("e6", "2025-03-02 07:00")]
    )
    with session_scope(db_engine) as s:
        record_consent(s, EXTERNAL, "transport_card", granted_at="2025-01-01", key=KEY)
        one = ingest_events(s, first, key=KEY, timezone=timezone)
    with session_scope(db_engine) as s:
        two = ingest_events(s, second, key=KEY, timezone=timezone)
    assert one["awarded_kg"].tolist() == pytest.approx([BUS_KG] * 3)
    assert two["awarded_kg"].tolist() == pytest.approx([DAILY_KG - 3 * BUS_KG, 0.0, BUS_KG])
    assert two["reason"].tolist() == ["accepted", "daily_cap", "accepted"]
    day_total = one["awarded_kg"].sum() + two["awarded_kg"].iloc[:2].sum()
    assert day_total == pytest.approx(DAILY_KG, abs=TOL)


# ------------------------------------------------------------------------------ ledger
def _all_leaves(ledger: Ledger) -> bytes:
    return b"\n".join(e.leaf for e in ledger.entries())


def test_ingest_and_delete_record_digests_only(db_engine, ledger) -> None:
    events = pd.DataFrame(
        [
            _bus("secret-evt-1", "2025-03-01 08:00"),
            {**_bus("secret-evt-2", "2025-03-01 09:00"), "duration_min": 1.0},  # 600 km/h: refused
            _bus("secret-evt-3", "2025-03-01 10:00", household="no-consent-person"),
        ]
    )
    with session_scope(db_engine) as s:
        record_consent(s, EXTERNAL, "transport_card", granted_at="2025-01-01", key=KEY)
        result = ingest_events(s, events, key=KEY, ledger=ledger)
    assert result["reason"].tolist() == ["accepted", "implausible_speed", "no_consent"]
    entries = ledger.entries(type_prefix="household.")
    assert [e.type for e in entries] == ["household.points.awarded", "household.event.refused"]
    assert entries[0].payload["points"] == pytest.approx(result["points"].iloc[0])
    assert entries[1].payload["reason"] == "implausible_speed"
    with session_scope(db_engine) as s:
        counts = delete_household(s, EXTERNAL, key=KEY, ledger=ledger)
    assert counts["household_events"] == 2
    deleted = ledger.entries(type_prefix="household.deleted")
    ref = household_ref(pseudonym(EXTERNAL, KEY), KEY)
    assert len(deleted) == 1 and deleted[0].payload == {"digest": ref} and deleted[0].subject == ref
    leaves = _all_leaves(ledger)
    for needle in (EXTERNAL, "no-consent-person", "secret-evt", pseudonym(EXTERNAL, KEY), "2025-03-01"):
        assert needle.encode() not in leaves, needle


def test_ledger_rolls_back_with_the_ingest(db_engine, ledger) -> None:
    with session_scope(db_engine) as s:
        record_consent(s, EXTERNAL, "transport_card", granted_at="2025-01-01", key=KEY)
    with pytest.raises(RuntimeError), session_scope(db_engine) as s:
        ingest_events(s, pd.DataFrame([_bus("e1", "2025-03-01 08:00")]), key=KEY, ledger=ledger)
        raise RuntimeError("caller fails after the ingest")
    assert ledger.size() == 0


# ------------------------------------------------------------------------------ redemption
CATALOGUE = load_catalogue({"coffee": {"name": "Coffee", "points": 1.5}, "bike": {"name": "E-bike", "points": 800}})


def test_redeem_spends_the_balance_and_refuses_beyond_it(db_engine, ledger) -> None:
    events = pd.DataFrame([_bus(f"e{i}", _recent(3 + i)) for i in range(3)])  # 3 days, 0.9 point each
    with session_scope(db_engine) as s:
        record_consent(s, EXTERNAL, "transport_card", granted_at=_recent(30), key=KEY)
        ingest_events(s, events, key=KEY, ledger=ledger)
    with session_scope(db_engine) as s:
        assert household_balance(s, EXTERNAL, ledger=ledger, key=KEY)["balance"] == pytest.approx(2.7)
        ok = redeem(s, EXTERNAL, "coffee", ledger=ledger, catalogue=CATALOGUE, key=KEY)
    assert (ok["status"], ok["reason"], ok["points"]) == ("redeemed", "ok", 1.5)
    assert ok["balance"] == pytest.approx(1.2)
    with session_scope(db_engine) as s:
        short = redeem(s, EXTERNAL, "coffee", ledger=ledger, catalogue=CATALOGUE, key=KEY)
        assert (short["status"], short["reason"]) == ("refused", "insufficient_balance")
        assert household_balance(s, EXTERNAL, ledger=ledger, key=KEY)["redeemed"] == pytest.approx(1.5)
        with pytest.raises(PointsError):
            redeem(s, EXTERNAL, "yacht", ledger=ledger, catalogue=CATALOGUE, key=KEY)
    kinds = [e.type for e in ledger.entries(subject=household_ref(pseudonym(EXTERNAL, KEY), KEY))]
    assert kinds == ["household.points.redeemed", "household.redemption.refused"]
    with session_scope(db_engine) as s:
        delete_household(s, EXTERNAL, key=KEY, ledger=ledger)
        assert household_balance(s, EXTERNAL, ledger=ledger, key=KEY) == {
            "earned": 0.0,
            "redeemed": 0.0,
            "expired": 0.0,
            "balance": 0.0,
        }
    assert EXTERNAL.encode() not in _all_leaves(ledger)


def test_default_catalogue_is_shipped() -> None:
    cat = default_catalogue()
    assert cat.cost("bus_ride") == 100 and cat.cost("ebike_month") == 800


# ------------------------------------------------------------------------------ CLI
def test_cli_ingest_redeem_delete_with_the_platform_ledger(tmp_path, monkeypatch) -> None:
    from zerocity.cli_household import household_app
    from zerocity.cli_ledger import open_ledger

    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZEROCITY_DATABASE_URL", f"sqlite:///{(tmp_path / 'z.sqlite').as_posix()}")
    monkeypatch.delenv("ZEROCITY_HOUSEHOLD_KEY", raising=False)
    runner = CliRunner()
    granted = runner.invoke(household_app, ["consent", "grant", EXTERNAL, "transport_card", "--at", _recent(30)])
    assert granted.exit_code == 0, granted.output
    events = tmp_path / "events.csv"
    pd.DataFrame([_bus("e1", _recent(2)), _bus("e2", _recent(3))]).to_csv(events, index=False)
    assert runner.invoke(household_app, ["ingest", str(events), "--json"]).exit_code == 0
    ledger = open_ledger()
    assert [e.type for e in ledger.entries(type_prefix="household.")] == ["household.points.awarded"] * 2
    later = tmp_path / "later.csv"
    pd.DataFrame([_bus("e3", _recent(1))]).to_csv(later, index=False)
    assert runner.invoke(household_app, ["ingest", str(later), "--no-ledger"]).exit_code == 0
    assert len(ledger.entries(type_prefix="household.")) == 2
    catalogue = tmp_path / "catalogue.yaml"
    catalogue.write_text("coffee: {name: Coffee, points: 2}\nbike: {name: E-bike, points: 800}\n", encoding="utf-8")
    ok = runner.invoke(household_app, ["redeem", EXTERNAL, "coffee", "--catalogue", str(catalogue), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["balance"] == pytest.approx(0.7)
    short = runner.invoke(household_app, ["redeem", EXTERNAL, "bike", "--catalogue", str(catalogue), "--json"])
    assert short.exit_code == 2
    assert json.loads(short.stdout)["reason"] == "insufficient_balance"
    shipped = runner.invoke(household_app, ["redeem", EXTERNAL, "bus_ride"])
    assert shipped.exit_code == 2
    deleted = runner.invoke(household_app, ["delete", EXTERNAL, "--yes", "--json"])
    assert deleted.exit_code == 0, deleted.output
    types = [e.type for e in ledger.entries(type_prefix="household.")]
    assert types[-1] == "household.deleted" and types.count("household.points.redeemed") == 1
    leaves = _all_leaves(ledger)
    assert EXTERNAL.encode() not in leaves and b'"e1"' not in leaves
