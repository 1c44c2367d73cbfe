"""Household privacy: pseudonyms, consent gating, export, deletion, k-anonymous aggregates, CLI."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from zerocity.accounts.household import HouseholdInputError
from zerocity.accounts.privacy import (
    ConsentError,
    IngestReason,
    delete_household,
    export_household,
    household_key,
    ingest_events,
    pseudonym,
    public_aggregates,
    record_consent,
    revoke_consent,
)
from zerocity.errors import InvalidRecordsError
from zerocity.store.db import session_scope
from zerocity.store.models import Base, HouseholdEvent

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
EXTERNAL = "citizen-110101-ALICE"


def _bus(event_id: str, household: str = EXTERNAL, when: str = "2025-03-01 08:00") -> dict:
    return {
        "event_id": event_id,
        "household_id": household,
        "behaviour": "bus",
        "timestamp": when,
        "distance_km": 10.0,
        "duration_min": 30.0,
    }


def test_pseudonym_is_stable_keyed_and_hmac() -> None:
    import hashlib
    import hmac

    assert pseudonym(EXTERNAL, KEY) == pseudonym(f"  {EXTERNAL} ", KEY)
    assert pseudonym(EXTERNAL, KEY) == hmac.new(KEY, EXTERNAL.encode(), hashlib.sha256).hexdigest()
    assert pseudonym(EXTERNAL, KEY) != pseudonym(EXTERNAL, OTHER_KEY)
    assert pseudonym(EXTERNAL, KEY) != pseudonym("citizen-2", KEY)
    with pytest.raises(HouseholdInputError):
        pseudonym(" ", KEY)


def test_key_file_created_private_and_reused(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ZEROCITY_HOUSEHOLD_KEY", raising=False)
    key = household_key()
    path = tmp_path / "households" / "pseudonym.key"
    assert len(key) == 32 and path.read_bytes() == key
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert household_key() == key
    assert pseudonym(EXTERNAL) == pseudonym(EXTERNAL, key)
    monkeypatch.setenv("ZEROCITY_HOUSEHOLD_KEY", str(tmp_path / "other.key"))
    assert household_key() != key


def test_group_readable_key_is_refused(tmp_path) -> None:
    from zerocity.accounts.privacy import HouseholdKeyError

    path = tmp_path / "k.key"
    path.write_bytes(KEY)
    path.chmod(0o644)
    with pytest.raises(HouseholdKeyError):
        household_key(path)


def test_consent_gating(db_engine) -> None:
    with session_scope(db_engine) as s:
        record_consent(s, EXTERNAL, "transport_card", granted_at="2025-03-01 09:00", key=KEY)
        revoke_consent(s, EXTERNAL, "transport_card", revoked_at="2025-03-10 00:00", key=KEY)
        record_consent(s, "bob", "app", granted_at="2025-01-01", key=KEY)
        events = pd.DataFrame(
            [
                _bus("e1", when="2025-03-01 08:00"),  # before the grant
                _bus("e2", when="2025-03-05 08:00"),  # consented
                _bus("e3", when="2025-03-12 08:00"),  # after the revocation
                _bus("e4", household="bob"),  # bus via the app: consented
                {
                    **_bus("e5", household="bob"),
                    "behaviour": "electricity_saving",
                    "quantity": 90,
                    "unit": "kWh",
                    "prior_1": 100,
                    "prior_2": 100,
                },  # no electricity_meter consent
                _bus("e6", household="carol"),  # no consent at all
            ]
        )
        result = ingest_events(s, events, key=KEY)
    assert list(result["stored"]) == [False, True, False, True, False, False]
    assert list(result["reason"]) == ["no_consent", "accepted", "no_consent", "accepted", "no_consent", "no_consent"]
    assert list(result["source"]) == ["", "transport_card", "", "app", "", ""]
    assert (result.loc[result.stored, "points"] > 0).all()
    with session_scope(db_engine) as s:
        stored = s.execute(select(HouseholdEvent.event_id).order_by(HouseholdEvent.event_id)).scalars().all()
        assert stored == ["e2", "e4"]
        again = ingest_events(s, events.iloc[[1]], key=KEY)
    assert list(again["reason"]) == [IngestReason.ALREADY_INGESTED.value]


def test_consent_errors(db_engine) -> None:
    with session_scope(db_engine) as s:
        with pytest.raises(ConsentError):
            record_consent(s, EXTERNAL, "fridge", key=KEY)
        with pytest.raises(ConsentError):
            revoke_consent(s, EXTERNAL, "app", key=KEY)


def test_invalid_events_store_nothing(db_engine) -> None:
    with session_scope(db_engine) as s:
        record_consent(s, EXTERNAL, "app", granted_at="2025-01-01", key=KEY)
        with pytest.raises(InvalidRecordsError):
            ingest_events(s, pd.DataFrame([{**_bus("e1"), "timestamp": "yesterday"}]), key=KEY)
        assert s.execute(select(HouseholdEvent)).first() is None


def _scan_text(engine, needle: str) -> list[str]:
    """Every table.column whose text (JSON included, as text) contains ``needle``."""
    hits = []
    with engine.connect() as c:
        for table in Base.metadata.sorted_tables:
            if table.name not in inspect(engine).get_table_names():
                continue
            for row in c.execute(table.select()).mappings():
                for column in table.columns:
                    value = row[column.name]
                    text = json.dumps(value) if isinstance(value, dict | list) else value
                    if isinstance(text, bytes):
                        text = text.decode("utf-8", "replace")
                    if isinstance(text, str) and needle in text:
                        hits.append(f"{table.name}.{column.name}")
    return hits


def _seed(engine) -> None:
    with session_scope(engine) as s:
        record_consent(s, EXTERNAL, "transport_card", granted_at="2025-01-01", key=KEY)
        record_consent(s, "bob", "transport_card", granted_at="2025-01-01", method="paper", key=KEY)
        ingest_events(s, pd.DataFrame([_bus("e1"), _bus("e2", when="2025-03-02 08:00"), _bus("b1", "bob")]), key=KEY)


def test_external_id_never_stored(db_engine) -> None:
    _seed(db_engine)
    assert _scan_text(db_engine, EXTERNAL) == []
    assert _scan_text(db_engine, "bob") == []
    assert "household_events.payload" in _scan_text(db_engine, pseudonym(EXTERNAL, KEY))


def test_export_contains_exactly_the_persons_data(db_engine) -> None:
    _seed(db_engine)
    with session_scope(db_engine) as s:
        data = export_household(s, EXTERNAL, key=KEY)
    assert data["exists"] and data["household"] == pseudonym(EXTERNAL, KEY)
    assert [c["source"] for c in data["consents"]] == ["transport_card"]
    assert [e["event_id"] for e in data["events"]] == ["e1", "e2"]
    assert {e["payload"]["household_id"] for e in data["events"]} == {data["household"]}
    assert [a["event_id"] for a in data["points"]["awards"]] == ["e1", "e2"]
    assert data["points"]["earned"] == pytest.approx(sum(e["points"] for e in data["events"]))
    assert "bob" not in json.dumps(data) and pseudonym("bob", KEY) not in json.dumps(data)


def test_delete_removes_everything_and_leaves_others(db_engine) -> None:
    _seed(db_engine)
    with session_scope(db_engine) as s:
        counts = delete_household(s, EXTERNAL, key=KEY)
    assert counts == {"household_events": 2, "household_consents": 1, "households": 1}
    with session_scope(db_engine) as s:
        again = export_household(s, EXTERNAL, key=KEY)
        assert not again["exists"] and again["consents"] == [] and again["events"] == []
        assert again["points"]["awards"] == []
        assert _scan_text(db_engine, pseudonym(EXTERNAL, KEY)) == []
        assert [e["event_id"] for e in export_household(s, "bob", key=KEY)["events"]] == ["b1"]
        assert delete_household(s, EXTERNAL, key=KEY) == {
            "household_events": 0,
            "household_consents": 0,
            "households": 0,
        }


def test_public_aggregates_suppressed_below_k(db_engine) -> None:
    people = [f"p{i}" for i in range(5)]
    with session_scope(db_engine) as s:
        for p in people:
            record_consent(s, p, "transport_card", granted_at="2025-01-01", key=KEY)
        rows = [_bus(f"{p}-bus", p) for p in people]
        rows += [{**_bus(f"{p}-metro", p), "behaviour": "metro"} for p in people[:2]]
        ingest_events(s, pd.DataFrame(rows), key=KEY)
        agg = public_aggregates(s, by="behaviour", values="awarded_kg", k=3)
        with pytest.raises(HouseholdInputError):
            public_aggregates(s, by="household_id", k=3)
    by = agg.set_index("behaviour")
    assert by.loc["bus", "households"] == 5 and not by.loc["bus", "suppressed"]
    assert by.loc["metro", "suppressed"] and pd.isna(by.loc["metro", "households"])
    assert pd.isna(by.loc["metro", "awarded_kg_sum"])


# ------------------------------------------------------------------------------ CLI
@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ZEROCITY_DATABASE_URL", f"sqlite:///{(tmp_path / 'z.sqlite').as_posix()}")
    monkeypatch.delenv("ZEROCITY_HOUSEHOLD_KEY", raising=False)
    return tmp_path


def test_cli_round_trip(cli_env) -> None:
    from zerocity.cli_household import household_app

    runner = CliRunner()
    ok = runner.invoke(household_app, ["consent", "grant", EXTERNAL, "transport_card", "--at", "2025-01-01", "--json"])
    assert ok.exit_code == 0, ok.output
    events = cli_env / "events.csv"
    pd.DataFrame([_bus("e1"), _bus("e2", household="nobody")]).to_csv(events, index=False)
    ingested = runner.invoke(household_app, ["ingest", str(events), "--json"])
    assert ingested.exit_code == 0, ingested.output
    rows = json.loads(ingested.stdout)["events"]
    assert [r["stored"] for r in rows] == [True, False]
    out_file = cli_env / "export.json"
    exported = runner.invoke(household_app, ["export", EXTERNAL, "--out", str(out_file), "--json"])
    assert exported.exit_code == 0, exported.output
    assert [e["event_id"] for e in json.loads(out_file.read_text())["events"]] == ["e1"]
    refused = runner.invoke(household_app, ["delete", EXTERNAL])
    assert refused.exit_code == 2
    deleted = runner.invoke(household_app, ["delete", EXTERNAL, "--yes", "--json"])
    assert deleted.exit_code == 0, deleted.output
    assert json.loads(deleted.stdout)["household_events"] == 1
    revoke = runner.invoke(household_app, ["consent", "revoke", EXTERNAL, "transport_card"])
    assert revoke.exit_code == 2
    bad = runner.invoke(household_app, ["consent", "grant", EXTERNAL, "fridge"])
    assert bad.exit_code == 2
    missing = runner.invoke(household_app, ["ingest", str(cli_env / "missing.csv")])
    assert missing.exit_code == 2
