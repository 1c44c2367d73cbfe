"""Households over HTTP: own data only, consent-gated ingestion, points, k-anonymous aggregates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from service_helpers import World

from zerocity.accounts.privacy import record_consent
from zerocity.service.households import pseudonym_key
from zerocity.store.db import session_scope

# Metro methodology (accounts/methodologies/metro.yaml): baseline 121.2 g/pkm (private car) minus
# project 17.3 g/pkm = 103.9 g/pkm; a 10 km ride saves 1.039 kg CO2e; 1 point per kg, floored to
# 2 decimals -> 1.03 points.
RIDE_KG = 1.039
RIDE_POINTS = 1.03


def _consent(w: World, households: list[str], source: str = "transport_card") -> None:
    """Consents given on 1 January 2025 (before the events), recorded as the CLI does."""
    with session_scope(w.registry.engine("alpha")) as session:
        for household in households:
            record_consent(session, household, source, granted_at="2025-01-01", key=pseudonym_key(w.settings))


def _ride(household: str, n: int, day: int = 3) -> dict:
    return {
        "event_id": f"{household}-{n}",
        "household_id": household,
        "behaviour": "metro",
        "timestamp": f"2025-03-{day:02d}T08:{n:02d}:00",
        "distance_km": 10,
        "duration_min": 20,
    }


def test_ingestion_is_consent_gated_and_scored(world: World) -> None:
    _consent(world, ["H-0001"])
    events = [_ride("H-0001", 1), _ride("H-0002", 1)]  # H-0002 gave no consent
    response = world.client.post(
        "/api/v1/households/events", json={"events": events}, headers=world.headers("alpha_admin")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["stored"], body["refused"]) == (1, 1)
    first, second = body["events"]
    assert first["status"] == "accepted" and first["awarded_kg"] == pytest.approx(RIDE_KG)
    assert first["points"] == pytest.approx(RIDE_POINTS)
    assert second["stored"] is False and second["reason"] == "no_consent"
    assert "household" not in first  # the pseudonym is not sent back
    # The same event again is not stored twice.
    again = world.client.post(
        "/api/v1/households/events", json={"events": events[:1]}, headers=world.headers("alpha_admin")
    ).json()
    assert again["events"][0]["reason"] == "already_ingested"
    points = world.client.get("/api/v1/households/me/points", headers=world.headers("alpha_household")).json()
    assert points["earned"] == pytest.approx(RIDE_POINTS)


def test_csv_ingestion_and_validation(world: World) -> None:
    _consent(world, ["H-0001"])
    csv = (
        "event_id,household_id,behaviour,timestamp,distance_km,duration_min\n"
        "c1,H-0001,metro,2025-03-04T08:00:00,10,20\n"
    )
    ok = world.client.post(
        "/api/v1/households/events/csv",
        files={"file": ("events.csv", csv, "text/csv")},
        headers=world.headers("alpha_admin"),
    )
    assert ok.status_code == 200 and ok.json()["stored"] == 1
    bad = csv.replace("metro", "teleport")
    refused = world.client.post(
        "/api/v1/households/events/csv",
        files={"file": ("events.csv", bad, "text/csv")},
        headers=world.headers("alpha_admin"),
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["column"] == "behaviour"
    negative = world.client.post(
        "/api/v1/households/events",
        json={"events": [{**_ride("H-0001", 9), "distance_km": -1}]},
        headers=world.headers("alpha_admin"),
    )
    assert negative.status_code == 422 and "distance_km" in negative.json()["error"]["message"]


def test_household_sends_and_sees_its_own_data_only(world: World) -> None:
    _consent(world, ["H-0001", "H-0002"])
    h = world.headers("alpha_household")  # household H-0001
    foreign = world.client.post("/api/v1/households/events", json={"events": [_ride("H-0002", 1)]}, headers=h)
    assert foreign.status_code == 422
    assert foreign.json()["error"]["details"][0] == {
        "row": 1,
        "column": "household_id",
        "message": "must be your own household",
        "value": "H-0002",
    }
    assert world.client.post("/api/v1/households/events", json={"events": [_ride("H-0001", 1)]}, headers=h).is_success
    world.client.post(
        "/api/v1/households/events", json={"events": [_ride("H-0002", 2)]}, headers=world.headers("alpha_admin")
    )
    mine = world.client.get("/api/v1/households/me", headers=h).json()
    assert [e["event_id"] for e in mine["events"]] == ["H-0001-1"]
    assert [c["source"] for c in mine["consents"]] == ["transport_card"]
    # Consents through the API.
    granted = world.client.post("/api/v1/households/me/consents", json={"source": "app"}, headers=h)
    assert granted.status_code == 201
    assert world.client.delete("/api/v1/households/me/consents/app", headers=h).json()["revoked"] == 1
    assert world.client.delete("/api/v1/households/me/consents/app", headers=h).status_code == 404
    assert world.client.post("/api/v1/households/me/consents", json={"source": "fax"}, headers=h).status_code == 422
    # Deletion needs confirmation, then removes the household's rows only.
    assert world.client.delete("/api/v1/households/me", headers=h).status_code == 422
    counts = world.client.delete("/api/v1/households/me", params={"confirm": True}, headers=h).json()
    assert counts == {"household_events": 1, "household_consents": 2, "households": 1}
    assert world.client.get("/api/v1/households/me", headers=h).json()["exists"] is False
    # Staff never get a household's rows: the aggregate endpoint is the only view.
    assert world.client.get("/api/v1/households/me", headers=world.headers("alpha_admin")).status_code == 403


def test_redemption_refused_when_short_is_recorded(world: World) -> None:
    _consent(world, ["H-0001"])
    h = world.headers("alpha_household")
    # Points expire 12 months after their event: a ride of yesterday still counts.
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%dT08:00:00")
    ride = {**_ride("H-0001", 1), "timestamp": yesterday}
    assert world.client.post("/api/v1/households/events", json={"events": [ride]}, headers=h).json()["stored"] == 1
    refused = world.client.post("/api/v1/households/me/redemptions", json={"item": "bus_ride"}, headers=h)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_balance"
    detail = refused.json()["error"]["details"][0]
    assert detail["status"] == "refused" and detail["balance"] == pytest.approx(RIDE_POINTS)
    head = world.client.get("/api/v1/ledger/head", headers=world.headers("alpha_admin")).json()
    entry = world.client.get(
        f"/api/v1/ledger/entries/{head['size'] - 1}/proof", headers=world.headers("alpha_admin")
    ).json()["entry"]
    assert "household.redemption.refused" in entry and "H-0001" not in entry
    unknown = world.client.post("/api/v1/households/me/redemptions", json={"item": "yacht"}, headers=h)
    assert unknown.status_code == 422 and "bus_ride" in unknown.json()["error"]["message"]
    catalogue = world.client.get("/api/v1/households/catalogue", headers=h).json()
    assert {"item": "bus_ride", "name": "Bus ride voucher / 公交乘车券", "points": 100.0} in catalogue


def test_staff_see_k_anonymous_aggregates_only(world: World) -> None:
    households = [f"H-{i:04d}" for i in range(1, 11)]
    _consent(world, households)
    events = [_ride(h, 1) for h in households]
    events.append({**_ride("H-0001", 2), "timestamp": "2025-04-01T08:00:00"})  # April: one household
    world.client.post("/api/v1/households/events", json={"events": events}, headers=world.headers("alpha_admin"))
    rows = world.client.get(
        "/api/v1/households/aggregates", params={"by": ["behaviour", "month"]}, headers=world.headers("alpha_analyst")
    ).json()
    march, april = rows
    # March: 10 households x 1.039 kg = 10.39 kg; mean 1.039 kg per household.
    assert march["month"] == "2025-03" and march["households"] == 10 and not march["suppressed"]
    assert march["reduction_kg_sum"] == pytest.approx(10 * RIDE_KG)
    assert march["reduction_kg_mean"] == pytest.approx(RIDE_KG)
    assert march["points_sum"] == pytest.approx(10 * RIDE_POINTS)
    # April: one household, below k = 10: nothing shown.
    assert april["suppressed"] is True and april["households"] is None and april["reduction_kg_sum"] is None
    low_k = world.client.get("/api/v1/households/aggregates", params={"k": 2}, headers=world.headers("alpha_admin"))
    assert low_k.status_code == 422
