"""Inventories in the store: round trip, listing, deletion, atomicity, bulk speed."""

from __future__ import annotations

import logging
import math
import time
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, text

from zerocity.errors import ZerocityError
from zerocity.store import (
    NotFoundError,
    StoreError,
    delete_inventory,
    list_inventories,
    load_inventory,
    save_inventory,
    session_scope,
)
from zerocity.store import inventories as inventories_module
from zerocity.store.db import to_jsonable
from zerocity.store.inventories import split_tco2e
from zerocity.store.models import Inventory, InventoryEmission, InventoryInput

logger = logging.getLogger(__name__)

GWP_AR5 = {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0}


def make_records(n: int) -> pd.DataFrame:
    """Input records with missing values of every kind and numpy dtypes."""
    index = np.arange(n)
    amount = index * 1.5 + 10.0
    amount[index % 7 == 3] = np.nan
    return pd.DataFrame(
        {
            "record_id": [f"R{k:06d}" for k in index],
            "entity": np.where(index % 3 == 0, "Plant A", None),
            "district": np.where(index % 2 == 0, "Tianhe", "Yuexiu"),
            "year": np.full(n, 2024, dtype="int64"),
            "gpc_ref": np.where(index % 2 == 0, "I.1.1", "II.1.1"),
            "activity": np.where(index % 2 == 0, "natural_gas", "diesel"),
            "amount": amount,
            "unit": np.where(index % 2 == 0, "m3", "t"),
            "method": None,
            "region": "CN",
            "ef_co2": np.where(index % 5 == 0, 2.1, np.nan),
            "flag": index % 4 == 0,
        }
    )


def make_result(records: pd.DataFrame) -> dict[str, Any]:
    """A result in the engine's JSON contract form for the records (numpy types included)."""
    out: list[dict[str, Any]] = []
    for row, item in enumerate(records.itertuples(index=False), start=1):
        amount = 0.0 if math.isnan(item.amount) else item.amount
        gases = {"CO2": amount * 2e-3, "CH4": amount * 1e-7, "N2O": amount * 1e-8}
        out.append(
            {
                "record_id": item.record_id,
                "row": row,
                "year": np.int64(item.year),
                "gpc_ref": item.gpc_ref,
                "activity": item.activity,
                # input attributes the engine copies onto its records (outside the contract)
                "notation": None,
                "entity": item.entity,
                "district": item.district,
                "method": "activity_x_factor",
                "amount": None if math.isnan(item.amount) else item.amount,
                "unit": item.unit,
                "tco2e": math.fsum(t * GWP_AR5[g] for g, t in gases.items()),
                "gases": gases,
                "biogenic_co2_t": 0.0,
                "factor_ids": [f"IPCC2006-{item.activity}-{g}" for g in gases],
            }
        )
    total = math.fsum(r["tco2e"] for r in out)
    return {
        "gwp": "AR5",
        "region": "CN",
        "level": "BASIC",
        "total_tco2e": total,
        "basic_tco2e": total,
        "basic_plus_tco2e": total,
        "territorial_tco2e": total,
        "biogenic_co2_t": 0.0,
        "by_gas": {g: math.fsum(r["gases"][g] for r in out) for g in GWP_AR5},
        "by_scope": {"1": total},
        "by_sector": {"I": total},
        "by_gpc_ref": {"I.1.1": total, "I.1.2": 0.0, "I.1.10": 0.0, "II.1.1": 0.0},
        "by_year": {"2024": np.float64(total)},
        "by_entity": {},
        "by_district": {},
        "datasets": {"ipcc2006": "1.0"},
        "factors": [
            {
                "factor_id": "IPCC2006-natural_gas-CO2",
                "dataset": "ipcc2006",
                "value": 56100.0,
                "unit": "kg/TJ",
                "source": "IPCC 2006 V2 T1.4",
            }
        ],
        "records": out,
    }


def special_records() -> list[dict[str, Any]]:
    """Result records exercising every storage path."""
    return [
        {  # no gas breakdown: stored as a CO2e row
            "record_id": None,
            "row": 1,
            "year": 2023,
            "gpc_ref": "III.1.1",
            "activity": "landfill",
            "tco2e": 12.5,
            "gases": {},
            "biogenic_co2_t": 0.0,
            "factor_ids": [],
        },
        {  # biogenic CO2, a missing gas value, an SF6 row, keys outside the contract
            "record_id": "X",
            "row": 2,
            "year": 2023,
            "gpc_ref": "I.2.1",
            "activity": "biomass",
            "tco2e": 0.1 + 0.2 + 23500 * 1e-6,
            "gases": {"CO2": 0.1, "CH4": float("nan"), "N2O": 0.2 / 265, "SF6": 1e-6},
            "biogenic_co2_t": 7.25,
            "factor_ids": ["F1"],
            "scope": "1",
            "notes": {"why": np.float64(1.5)},
        },
        {  # removals: negative tonnes
            "record_id": "Y",
            "row": 3,
            "year": 2023,
            "gpc_ref": "V.1",
            "activity": "forest",
            "tco2e": -3.0 + 0.3,
            "gases": {"CO2": -3.0, "N2O": 0.3 / 265},
            "biogenic_co2_t": 0.0,
            "factor_ids": ["F2", "F3"],
        },
    ]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_round_trip(db_engine) -> None:
    records = make_records(50)
    result = make_result(records)
    result["records"][:3] = special_records()
    params = {"gwp": "AR5", "factor_sets": ["ipcc2006"], "ratio": np.float64(0.5), "x": np.nan}

    with session_scope(db_engine) as session:
        inventory_id = save_inventory(session, name="Guangzhou 2024", records=records, result=result, params=params)
    with session_scope(db_engine) as session:
        stored = load_inventory(session, inventory_id)

    assert stored.id == inventory_id
    assert stored.name == "Guangzhou 2024"
    assert stored.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 600
    assert stored.params == {"gwp": "AR5", "factor_sets": ["ipcc2006"], "ratio": 0.5, "x": None}
    pd.testing.assert_frame_equal(stored.records, records)

    expected = to_jsonable(result)
    assert stored.summary == {k: v for k, v in expected.items() if k != "records"}
    assert "records" not in stored.summary
    assert stored.result["records"] == expected["records"]
    assert stored.result == expected
    # summary key order too (reports list sectors as the engine ordered them, on every backend)
    assert list(stored.result) == list(expected)
    assert list(stored.result["by_gpc_ref"]) == list(expected["by_gpc_ref"])
    assert list(stored.params) == list(params)
    assert len(stored.input_sha256) == 64


def test_missing_values_stored_as_json_null(db_engine) -> None:
    records = make_records(10)
    with session_scope(db_engine) as session:
        inventory_id = save_inventory(session, name="n", records=records, result=make_result(records), params={})
    with db_engine.connect() as connection:
        stored = connection.execute(
            select(InventoryInput.record).where(InventoryInput.inventory_id == inventory_id, InventoryInput.row == 4)
        ).scalar_one()
        raw = connection.execute(
            text("SELECT CAST(record AS TEXT) FROM inventory_inputs WHERE inventory_id = :i AND row = 4"),
            {"i": inventory_id},
        ).scalar_one()
    assert stored["amount"] is None  # NaN in the frame
    assert stored["entity"] == "Plant A"
    assert stored["method"] is None
    assert stored["ef_co2"] is None
    assert stored["year"] == 2024 and type(stored["year"]) is int
    assert "NaN" not in raw and "null" in raw


def test_emission_rows_share_tco2e_by_gwp(db_engine) -> None:
    records = make_records(20)
    result = make_result(records)
    result["records"][:3] = special_records()
    with session_scope(db_engine) as session:
        inventory_id = save_inventory(session, name="g", records=records, result=result, params={})
        by_gpc = dict(
            session.execute(
                select(InventoryEmission.gpc_ref, func.sum(InventoryEmission.tco2e))
                .where(InventoryEmission.inventory_id == inventory_id)
                .group_by(InventoryEmission.gpc_ref)
            ).all()
        )
        rows = session.execute(
            select(InventoryEmission).where(InventoryEmission.inventory_id == inventory_id, InventoryEmission.seq == 10)
        ).scalars()
        per_gas = {row.gas: row for row in rows}
        pseudo = session.execute(
            select(InventoryEmission.seq, InventoryEmission.gas, InventoryEmission.tco2e)
            .where(
                InventoryEmission.inventory_id == inventory_id,
                InventoryEmission.gas.in_(["CO2e", "CO2_biogenic"]),
            )
            .order_by(InventoryEmission.seq)
        ).all()

    expected: dict[str, float] = {}
    for record in result["records"]:
        expected[record["gpc_ref"]] = expected.get(record["gpc_ref"], 0.0) + record["tco2e"]
    assert by_gpc.keys() == expected.keys()
    for gpc_ref, total in expected.items():
        assert by_gpc[gpc_ref] == pytest.approx(total, rel=1e-12, abs=1e-12)
    record = result["records"][9]
    assert set(per_gas) == {"CO2", "CH4", "N2O"}
    for gas, row in per_gas.items():
        assert row.tonnes == record["gases"][gas]
        assert row.tco2e == pytest.approx(record["gases"][gas] * GWP_AR5[gas], rel=1e-9)
        assert row.factor_ids == record["factor_ids"]
    assert [tuple(p) for p in pseudo] == [(1, "CO2e", 12.5), (2, "CO2_biogenic", 0.0)]


def test_split_tco2e_sums_exactly() -> None:
    rng = np.random.default_rng(1)
    for sign in (1.0, -1.0):
        for _ in range(500):
            gases = {"CO2": float(rng.uniform(0, 50)), "CH4": float(rng.uniform(0, 1))}
            gases["N2O"] = float(rng.uniform(0, 0.1))
            gases = {gas: sign * tonnes for gas, tonnes in gases.items()}
            weighted = math.fsum(t * GWP_AR5[g] for g, t in gases.items())
            total = weighted * float(rng.uniform(0.9, 1.1))
            shares = split_tco2e(total, gases, "AR5")
            assert math.fsum(shares.values()) == total
            assert shares["CH4"] == pytest.approx(gases["CH4"] * 28 * total / weighted)
    for _ in range(500):  # removals and emissions in one record: within an ulp
        gases = {"CO2": float(rng.uniform(-50, 0)), "CH4": float(rng.uniform(0, 1))}
        total = math.fsum(t * GWP_AR5[g] for g, t in gases.items())
        shares = split_tco2e(total, gases, "AR5")
        assert math.fsum(shares.values()) == pytest.approx(total, rel=1e-15, abs=1e-300)
        assert shares["CH4"] == pytest.approx(gases["CH4"] * 28)
    assert split_tco2e(3.0, {"XYZ": 1.0, "CO2": 2.0}, "AR5") == {"XYZ": 1.0, "CO2": 2.0}
    assert split_tco2e(5.0, {"CO2": 0.0}, None) == {"CO2": 5.0}


def test_list_and_delete_cascades(db_engine) -> None:
    records = make_records(30)
    result = make_result(records)
    with session_scope(db_engine) as session:
        first = save_inventory(session, name="a", records=records, result=result, params={})
        second = save_inventory(
            session,
            name="b",
            records=records.head(5),
            result=make_result(records.head(5)),
            params={"p": 1},
        )
    with session_scope(db_engine) as session:
        listed = list_inventories(session)
    assert [(i.id, i.name, i.record_count) for i in listed] == [(first, "a", 30), (second, "b", 5)]
    assert listed[0].gwp == "AR5" and listed[0].region == "CN" and listed[0].level == "BASIC"
    assert listed[0].total_tco2e == pytest.approx(result["total_tco2e"])
    assert listed[0].created_at.tzinfo is not None
    assert listed[0].input_sha256 != listed[1].input_sha256

    with session_scope(db_engine) as session:
        delete_inventory(session, first)
    with session_scope(db_engine) as session:
        assert [i.id for i in list_inventories(session)] == [second]
        remaining_inputs = session.scalars(select(InventoryInput.inventory_id).distinct()).all()
        remaining_emissions = session.scalars(select(InventoryEmission.inventory_id).distinct()).all()
        assert remaining_inputs == [second]
        assert remaining_emissions == [second]
        assert count(session, InventoryInput) == 5
        assert count(session, InventoryEmission) == 15


def test_same_input_same_digest(db_engine) -> None:
    records = make_records(8)
    with session_scope(db_engine) as session:
        a = save_inventory(session, name="a", records=records, result={}, params={})
        b = save_inventory(session, name="b", records=records.copy(), result={}, params={})
        stored = load_inventory(session, b)
    with session_scope(db_engine) as session:
        digests = {i.id: i.input_sha256 for i in list_inventories(session)}
    assert digests[a] == digests[b]
    assert stored.result == {"records": []}


def test_not_found_errors_name_the_id(db_engine) -> None:
    with session_scope(db_engine) as session:
        with pytest.raises(NotFoundError, match="inventory 4242 not found") as info:
            load_inventory(session, 4242)
        assert isinstance(info.value, StoreError) and isinstance(info.value, ZerocityError)
        assert info.value.code == "not_found"
        with pytest.raises(NotFoundError, match="4243"):
            delete_inventory(session, 4243)


def test_invalid_arguments(db_engine) -> None:
    records = make_records(2)
    with session_scope(db_engine) as session:
        with pytest.raises(StoreError, match="non-empty name") as info:
            save_inventory(session, name=" ", records=records, result={}, params={})
        assert info.value.code == "store"
        with pytest.raises(StoreError, match="DataFrame"):
            save_inventory(session, name="x", records=[{}], result={}, params={})  # type: ignore[arg-type]
        bad = make_result(records)
        bad["records"][1]["tco2e"] = float("nan")
        with pytest.raises(StoreError, match="input row 2"):
            save_inventory(session, name="x", records=records, result=bad, params={})
    with session_scope(db_engine) as session:
        assert count(session, Inventory) == 0


def _failing_emissions(monkeypatch) -> None:
    real = inventories_module.bulk_insert

    def fail_on_emissions(session, table, columns, rows):
        if table.name == "inventory_emissions":
            real(session, table, columns, rows[:10])  # part of the rows reach the database
            raise RuntimeError("disk full while inserting emissions")
        real(session, table, columns, rows)

    monkeypatch.setattr(inventories_module, "bulk_insert", fail_on_emissions)


def test_crash_mid_save_leaves_nothing(db_engine, monkeypatch) -> None:
    records = make_records(40)
    _failing_emissions(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"), session_scope(db_engine) as session:
        save_inventory(session, name="x", records=records, result=make_result(records), params={})
    with session_scope(db_engine) as session:
        assert count(session, Inventory) == 0
        assert count(session, InventoryInput) == 0
        assert count(session, InventoryEmission) == 0


def test_failed_save_inside_a_larger_transaction_is_undone(db_engine, monkeypatch) -> None:
    records = make_records(12)
    result = make_result(records)
    with session_scope(db_engine) as session:
        kept = save_inventory(session, name="kept", records=records, result=result, params={})
        _failing_emissions(monkeypatch)
        with pytest.raises(RuntimeError):
            save_inventory(session, name="lost", records=records, result=result, params={})
        monkeypatch.undo()
    with session_scope(db_engine) as session:
        assert [i.name for i in list_inventories(session)] == ["kept"]
        assert count(session, InventoryInput) == 12
        assert load_inventory(session, kept).result == to_jsonable(result)


def test_save_100k_records(db_engine, capsys) -> None:
    n = 100_000
    records = make_records(n)
    result = make_result(records)

    started = time.perf_counter()
    with session_scope(db_engine) as session:
        inventory_id = save_inventory(session, name="big", records=records, result=result, params={})
    saved = time.perf_counter() - started

    started = time.perf_counter()
    with session_scope(db_engine) as session:
        stored = load_inventory(session, inventory_id)
        emission_rows = count(session, InventoryEmission)
    loaded = time.perf_counter() - started

    message = (
        f"{db_engine.dialect.name}: saved {n:,} records ({emission_rows:,} emission rows) "
        f"in {saved:.2f} s, loaded in {loaded:.2f} s"
    )
    logger.info(message)
    with capsys.disabled():
        print(f"\n[timing] {message}")
    assert len(stored.records) == n
    assert len(stored.result["records"]) == n
    assert emission_rows == 3 * n
    assert stored.result["records"][-1]["tco2e"] == result["records"][-1]["tco2e"]


def test_round_trip_of_a_sector_method_inventory(db_engine) -> None:
    """Waste, IPPU and AFOLU rows (method columns, emission years of landfill decay) survive storage."""
    from pathlib import Path

    from zerocity.inventory.engine import compute_inventory
    from zerocity.inventory.records import read_records

    examples = Path(__file__).resolve().parents[2] / "examples"
    records = read_records(examples / "waste" / "waste.csv")
    result = compute_inventory(records, region="CN").to_dict()
    landfill = [r for r in result["records"] if r.get("emission_years")]
    assert landfill, "the example has landfill deposits emitting in later years"
    with session_scope(db_engine) as session:
        inventory_id = save_inventory(session, name="waste", records=records, result=result, params={})
    with session_scope(db_engine) as session:
        stored = load_inventory(session, inventory_id)
    expected = to_jsonable(result)
    assert stored.result == expected
    assert [r.get("emission_years") for r in stored.result["records"]] == [
        r.get("emission_years") for r in expected["records"]
    ]
    pd.testing.assert_frame_equal(stored.records, records)
