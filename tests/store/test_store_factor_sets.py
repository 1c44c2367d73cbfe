"""Factor sets in the store: round trip, duplicates, versions, listing, deletion."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from zerocity.errors import ZerocityError
from zerocity.store import (
    AlreadyExistsError,
    NotFoundError,
    StoreError,
    delete_factor_set,
    list_factor_sets,
    load_factor_set,
    save_factor_set,
    session_scope,
)
from zerocity.store.factor_sets import version_key
from zerocity.store.models import FactorSetRow


def make_factor_frame(n: int = 6) -> pd.DataFrame:
    """A factor set with the columns of factors/data/README.md, gaps included."""
    gases = ["CO2", "CH4", "N2O"]
    return pd.DataFrame(
        {
            "factor_id": [f"CITY-natural_gas-{gases[i % 3]}-{i}" for i in range(n)],
            "parameter": "ef",
            "activity": "natural_gas",
            "gas": [gases[i % 3] for i in range(n)],
            "value": np.linspace(1.0, 56100.0, n),
            "unit": "kg/TJ",
            "region": "CN-GD",
            "valid_from": [2020.0 if i % 2 else np.nan for i in range(n)],
            "valid_to": np.nan,
            "sector": ["I.1;I.5" if i == 0 else None for i in range(n)],
            "tier": np.array([1, 2] * (n // 2) + [1] * (n % 2), dtype="int64"),
            "uncertainty_lower_pct": [5.0] * n,
            "uncertainty_upper_pct": [np.nan] * n,
            "source_publisher": "Guangdong DRC",
            "source_document": "Provincial guideline 2023",
            "source_table": "T3",
            "source_year": 2023,
            "licence": None,
            "deprecated": [False] * n,
            "notes": ["城市燃气" if i == 1 else None for i in range(n)],
        }
    )


def test_factor_set_round_trip(db_engine) -> None:
    frame = make_factor_frame()
    with session_scope(db_engine) as session:
        set_id = save_factor_set(session, name="gd-2023", version="1.0", frame=frame, source_path="/data/gd.csv")
    with session_scope(db_engine) as session:
        loaded = load_factor_set(session, "gd-2023", "1.0")
        rows = session.scalars(select(FactorSetRow).order_by(FactorSetRow.seq)).all()
    pd.testing.assert_frame_equal(loaded, frame)
    assert loaded.attrs["factor_set"]["id"] == set_id
    assert loaded.attrs["factor_set"]["source_path"] == "/data/gd.csv"
    assert len(loaded.attrs["factor_set"]["sha256"]) == 64
    assert [r.factor_id for r in rows] == list(frame["factor_id"])
    assert rows[0].payload["valid_from"] is None  # NaN stored as JSON null
    assert rows[0].payload["licence"] is None
    assert rows[1].payload["valid_from"] == 2020.0


def test_duplicate_name_and_version_refused(db_engine) -> None:
    frame = make_factor_frame()
    with session_scope(db_engine) as session:
        first = save_factor_set(session, name="gd", version="1", frame=frame, source_path="a.csv")
    with session_scope(db_engine) as session:
        with pytest.raises(AlreadyExistsError) as info:
            save_factor_set(session, name="gd", version="1", frame=frame.head(2), source_path="b.csv")
        error = info.value
        assert isinstance(error, StoreError) and isinstance(error, ZerocityError)
        assert error.code == "already_exists"
        assert "'gd'" in str(error) and "'1'" in str(error) and f"id {first}" in str(error)
        # the session is still usable after the refusal
        save_factor_set(session, name="gd", version="2", frame=frame.head(2), source_path="b.csv")
    with session_scope(db_engine) as session:
        assert [(s.version, s.row_count, s.source_path) for s in list_factor_sets(session)] == [
            ("1", 6, "a.csv"),
            ("2", 2, "b.csv"),
        ]


def test_latest_version_when_none_given(db_engine) -> None:
    with session_scope(db_engine) as session:
        for version, n in [("1.9", 2), ("1.10", 4), ("1.2", 6)]:
            save_factor_set(
                session, name="grid", version=version, frame=make_factor_frame(n), source_path=f"{version}.csv"
            )
        save_factor_set(session, name="other", version="9", frame=make_factor_frame(1), source_path="o.csv")
    with session_scope(db_engine) as session:
        latest = load_factor_set(session, "grid")
        assert latest.attrs["factor_set"]["version"] == "1.10"
        assert len(latest) == 4
        assert len(load_factor_set(session, "grid", "1.2")) == 6
        listed = [(s.name, s.version) for s in list_factor_sets(session)]
    assert listed == [("grid", "1.2"), ("grid", "1.9"), ("grid", "1.10"), ("other", "9")]
    assert sorted(["2", "10", "1.0rc1", "1.0"], key=version_key) == ["1.0", "1.0rc1", "2", "10"]


def test_not_found_errors_name_what_was_looked_for(db_engine) -> None:
    with session_scope(db_engine) as session:
        save_factor_set(session, name="gd", version="1", frame=make_factor_frame(), source_path="a.csv")
    with session_scope(db_engine) as session:
        with pytest.raises(NotFoundError, match="factor set 'nope' not found") as info:
            load_factor_set(session, "nope")
        assert info.value.code == "not_found"
        with pytest.raises(NotFoundError, match=r"'gd' version '7' not found \(stored versions: '1'\)"):
            load_factor_set(session, "gd", "7")
        with pytest.raises(NotFoundError, match="'gd' version '2'"):
            delete_factor_set(session, "gd", "2")


def test_delete_factor_set_removes_its_rows(db_engine) -> None:
    with session_scope(db_engine) as session:
        save_factor_set(session, name="gd", version="1", frame=make_factor_frame(4), source_path="a.csv")
        kept = save_factor_set(session, name="gd", version="2", frame=make_factor_frame(3), source_path="b.csv")
    with session_scope(db_engine) as session:
        delete_factor_set(session, "gd", "1")
    with session_scope(db_engine) as session:
        assert [s.id for s in list_factor_sets(session)] == [kept]
        assert session.scalar(select(func.count()).select_from(FactorSetRow)) == 3
        assert load_factor_set(session, "gd").attrs["factor_set"]["version"] == "2"


def test_invalid_factor_sets_refused(db_engine) -> None:
    frame = make_factor_frame()
    with session_scope(db_engine) as session:
        with pytest.raises(StoreError, match="no 'factor_id' column"):
            save_factor_set(session, name="x", version="1", frame=frame.drop(columns="factor_id"), source_path="f")
        gaps = frame.copy()
        gaps.loc[[1, 3], "factor_id"] = None
        with pytest.raises(StoreError, match=r"factor_id missing in 2 row\(s\) \(rows 2, 4\)"):
            save_factor_set(session, name="x", version="1", frame=gaps, source_path="f")
        with pytest.raises(StoreError, match="non-empty version"):
            save_factor_set(session, name="x", version="", frame=frame, source_path="f")
    with session_scope(db_engine) as session:
        assert list_factor_sets(session) == []


def test_empty_factor_set(db_engine) -> None:
    frame = make_factor_frame().iloc[0:0]
    with session_scope(db_engine) as session:
        save_factor_set(session, name="empty", version="0", frame=frame, source_path="e.csv")
    with session_scope(db_engine) as session:
        loaded = load_factor_set(session, "empty")
    assert list(loaded.columns) == list(frame.columns)
    assert len(loaded) == 0
