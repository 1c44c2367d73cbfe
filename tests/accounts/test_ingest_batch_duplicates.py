"""Regression (issue 10, bug b): an event id repeated within one batch is refused, not an IntegrityError."""

from __future__ import annotations

from sqlalchemy import select

from zerocity.accounts.privacy import IngestReason, ingest_events, record_consent
from zerocity.store.db import session_scope
from zerocity.store.models import HouseholdEvent

KEY = b"k" * 32


def _ride(event_id: str, household: str, minute: int) -> dict:
    return {
        "event_id": event_id,
        "household_id": household,
        "behaviour": "metro",
        "timestamp": f"2025-03-03 08:{minute:02d}",
        "distance_km": "10",
        "duration_min": "20",
    }


def test_repeat_in_batch_is_refused_and_the_rest_stored(db_engine) -> None:
    import pandas as pd

    with session_scope(db_engine) as session:
        for household in ("H1", "H2"):
            record_consent(session, household, "transport_card", granted_at="2025-01-01", key=KEY)
    batch = pd.DataFrame(
        [
            _ride("e1", "H1", 0),  # row 1
            _ride("e2", "H1", 10),  # row 2
            _ride("e1", "H1", 20),  # row 3: repeats row 1 (another time, same id)
            _ride("e1", "H2", 30),  # row 4: the same id of another household is another event
            _ride("e2", "H1", 40),  # row 5: repeats row 2
        ]
    )
    with session_scope(db_engine) as session:
        result = ingest_events(session, batch, key=KEY, source="batch.csv")
    assert list(result["stored"]) == [True, True, False, True, False]
    assert list(result["reason"])[2] == IngestReason.DUPLICATE_IN_BATCH.value == "duplicate_in_batch"
    assert list(result["detail"]) == [
        "",
        "",
        "duplicate event_id in batch, row 1",
        "",
        "duplicate event_id in batch, row 2",
    ]
    assert list(result["status"])[2] == "refused" and list(result["points"])[2] == 0.0
    with session_scope(db_engine) as session:
        stored = session.execute(select(HouseholdEvent.event_id)).scalars().all()
    assert sorted(stored) == ["e1", "e1", "e2"]  # H1's e1 and e2, H2's e1
