"""Database location, engine settings, sessions and value conversion."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from zerocity.store import database_url, get_engine, session_scope, upgrade
from zerocity.store import db as db_module
from zerocity.store.db import frame_columns, frame_to_rows, json_dumps, rows_to_frame, to_jsonable
from zerocity.store.errors import StoreError
from zerocity.store.models import FactorSet


def test_database_url_from_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ZEROCITY_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path))
    assert database_url() == "postgresql+psycopg://u@h/db"


def test_database_url_in_data_dir(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    target = tmp_path / "nested" / "data"
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(target))
    url = database_url()
    assert url == f"sqlite:///{(target / 'zerocity.sqlite').resolve().as_posix()}"
    assert target.is_dir()


def test_database_url_default_user_data_dir(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ZEROCITY_DATA_DIR", raising=False)
    calls = []

    def fake_user_data_dir(app: str) -> str:
        calls.append(app)
        return str(tmp_path / "platform")

    monkeypatch.setattr(db_module, "user_data_dir", fake_user_data_dir)
    url = database_url()
    assert calls == ["zerocity"]
    assert url.endswith("/platform/zerocity.sqlite")
    assert Path(tmp_path / "platform").is_dir()


def test_default_engine_uses_database_url(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path))
    engine = get_engine()
    try:
        upgrade(engine)
    finally:
        engine.dispose()
    assert (tmp_path / "zerocity.sqlite").is_file()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path) -> None:
    engine = get_engine(f"sqlite:///{(tmp_path / 'z.sqlite').as_posix()}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def _factor_set(name: str) -> FactorSet:
    return FactorSet(name=name, version="1", sha256="0" * 64, source_path="f.csv", row_count=0, columns=[])


def test_session_scope_commits_on_success(db_engine) -> None:
    with session_scope(db_engine) as session:
        session.add(_factor_set("kept"))
    with session_scope(db_engine) as session:
        stored = session.scalars(select(FactorSet)).one()
        assert stored.name == "kept"


def test_session_scope_rolls_back_on_any_exception(db_engine) -> None:
    class Interrupted(BaseException):
        pass

    for error in (ValueError("boom"), Interrupted()):
        with pytest.raises(type(error)), session_scope(db_engine) as session:
            session.add(_factor_set("lost"))
            session.flush()
            raise error
    with session_scope(db_engine) as session:
        assert session.scalar(select(func.count()).select_from(FactorSet)) == 0


def test_json_dumps_refuses_nan() -> None:
    with pytest.raises(ValueError):
        json_dumps({"x": float("nan")})
    assert json_dumps({"城市": 1.5}) == '{"城市":1.5}'


def test_to_jsonable() -> None:
    value = {
        "nan": float("nan"),
        "inf": np.float64("inf"),
        "na": pd.NA,
        "nat": pd.NaT,
        "int": np.int64(3),
        "bool": np.bool_(True),
        "float": np.float32(0.5),
        "array": np.array([1, 2]),
        "tuple": (1, None),
        "when": pd.Timestamp("2024-05-01T12:00:00Z"),
        1: "key",
    }
    converted = to_jsonable(value)
    assert converted == {
        "nan": None,
        "inf": None,
        "na": None,
        "nat": None,
        "int": 3,
        "bool": True,
        "float": 0.5,
        "array": [1, 2],
        "tuple": [1, None],
        "when": "2024-05-01T12:00:00+00:00",
        "1": "key",
    }
    assert type(converted["int"]) is int and type(converted["bool"]) is bool
    json.dumps(converted, allow_nan=False)


def test_frame_rows_round_trip_keeps_dtypes() -> None:
    frame = pd.DataFrame(
        {
            "i": np.array([1, 2, 3], dtype="int64"),
            "f": [1.5, np.nan, np.inf],
            "s": ["a", None, "c"],
            "b": [True, False, True],
            "n": pd.array([1, None, 3], dtype="Int64"),
            "t": pd.to_datetime(["2024-01-01", None, "2024-01-03"], utc=True),
        }
    )
    rows = frame_to_rows(frame)
    assert rows[1] == {"i": 2, "f": None, "s": None, "b": False, "n": None, "t": None}
    assert rows[2]["f"] is None  # infinity is not JSON either
    back = rows_to_frame(rows, frame_columns(frame))
    expected = frame.assign(f=[1.5, np.nan, np.nan])
    pd.testing.assert_frame_equal(back, expected)
    assert math.isnan(back["f"][1])


def test_duplicate_column_names_refused() -> None:
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(StoreError, match="duplicate column names"):
        frame_columns(frame)
