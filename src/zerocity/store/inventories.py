"""Store, list, load and delete computed inventories.

An inventory is saved as one ``inventories`` row (headline numbers, parameters, the result
summary), its input records (``inventory_inputs``, one JSON object per row) and its per-record
results in long form (``inventory_emissions``, one row per record and gas). Saving is one
transaction (a savepoint inside the caller's): a failure leaves nothing behind.

Per-gas CO2e
------------
The result contract gives each record's total ``tco2e`` and its gases in tonnes, not the CO2e
of each gas. The ``tco2e`` of an emission row is the record's total shared among its gases in
proportion to tonnes x GWP (the inventory's GWP set, from ``globalwarmingpotentials``), so the
rows of a record always add up to the record's total (exactly, under ``math.fsum``), whatever
GWP variants the engine used. Sums of ``tco2e`` by sector, year or gas are therefore
consistent with the result. (When gases of mixed signs leave the sum an ulp off, the exact
total is kept in the ``extra`` column so that loading gives back the very same number.)
The ``year`` column is the input row's year: rows of history methods (landfill decay) emit in
later years, given per year in ``extra.emission_years``; the stored summary's ``by_year`` is the
per-year authority.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, Text, cast, delete, select
from sqlalchemy.orm import Session

from zerocity.store.db import (
    as_utc,
    bulk_insert,
    fetch_rows,
    frame_columns,
    frame_to_rows,
    json_dumps,
    rows_to_frame,
    to_jsonable,
)
from zerocity.store.errors import NotFoundError, StoreError
from zerocity.store.models import (
    GAS_BIOGENIC,
    GAS_CO2E,
    Inventory,
    InventoryEmission,
    InventoryInput,
)

__all__ = [
    "InventorySummary",
    "StoredInventory",
    "delete_inventory",
    "list_inventories",
    "load_inventory",
    "save_inventory",
    "split_tco2e",
]

logger = logging.getLogger(__name__)

#: Keys of a result record held in dedicated ``inventory_emissions`` columns.
_RECORD_KEYS = frozenset(
    {
        "record_id",
        "row",
        "year",
        "gpc_ref",
        "activity",
        "tco2e",
        "gases",
        "biogenic_co2_t",
        "factor_ids",
    }
)
#: Types :func:`to_jsonable` leaves as they are (floats are not: NaN must become None).
_PLAIN_JSON = frozenset({str, int, bool, type(None)})
_INPUTS: Table = InventoryInput.__table__  # type: ignore[assignment]
_EMISSIONS: Table = InventoryEmission.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class InventorySummary:
    """One stored inventory as listed, without its records.

    Attributes
    ----------
    id : int
        Inventory id.
    name : str
        Name given when saved.
    created_at : datetime.datetime
        When it was saved (UTC, timezone-aware).
    gwp, region, level : str or None
        GWP set, region and GPC reporting level of the result.
    total_tco2e : float or None
        Result total.
    record_count : int
        Number of input records.
    input_sha256 : str
        SHA-256 of the input records (equal inputs give equal digests).
    """

    id: int
    name: str
    created_at: datetime
    gwp: str | None
    region: str | None
    level: str | None
    total_tco2e: float | None
    record_count: int
    input_sha256: str


@dataclass
class StoredInventory:
    """One stored inventory, loaded in full.

    Attributes
    ----------
    id : int
        Inventory id.
    name : str
        Name given when saved.
    created_at : datetime.datetime
        When it was saved (UTC, timezone-aware).
    params : dict
        Run parameters given when saved.
    summary : dict
        The result without ``records``.
    records : pandas.DataFrame
        The input records, columns and dtypes as saved (missing values as NaN/None, a fresh
        index).
    result : dict
        The result in the JSON contract form, ``records`` list included.
    input_sha256 : str
        SHA-256 of the input records.
    """

    id: int
    name: str
    created_at: datetime
    params: dict[str, Any]
    summary: dict[str, Any]
    records: pd.DataFrame
    result: dict[str, Any]
    input_sha256: str = ""


def _optional_text(value: Any) -> str | None:
    if type(value) is str:
        return value
    value = to_jsonable(value)
    return None if value is None else str(value)


@lru_cache(maxsize=16)
def _gwp_table(gwp: str) -> Mapping[str, float]:
    """GWP100 values of a GWP set (``AR5`` or ``AR5GWP100`` style), empty if unknown."""
    import globalwarmingpotentials

    key = gwp if gwp in globalwarmingpotentials.data else f"{gwp.upper()}GWP100"
    if key not in globalwarmingpotentials.data:
        logger.warning("GWP set %r unknown; per-gas tCO2e shared by mass", gwp)
        return {}
    values = {
        str(gas): float(value)
        for gas, value in globalwarmingpotentials.data[key].items()
        if value is not None and math.isfinite(float(value))
    }
    values["CO2"] = 1.0
    for gas in ("CH4_fossil", "CH4_non_fossil"):  # zerocity's split CH4 names
        values.setdefault(gas, values["CH4"])
    return values


def split_tco2e(total: float, gases: Mapping[str, float], gwp: str | None) -> dict[str, float]:
    """Share a record's tCO2e among its gases.

    Parameters
    ----------
    total : float
        The record's tCO2e.
    gases : mapping of str to float
        Tonnes of each gas (at least one).
    gwp : str or None
        GWP set of the inventory (``AR5``...); unknown sets or gases share by mass.

    Returns
    -------
    dict of str to float
        tCO2e of each gas, in proportion to tonnes x GWP when all weights have one sign, else
        tonnes x GWP with the difference to ``total`` on the largest. ``math.fsum`` of the
        values equals ``total`` exactly when all gases have one sign; with mixed signs
        (removals) it may be an ulp off.
    """
    if not gases:
        raise ValueError("split_tco2e needs at least one gas")
    names = list(gases)
    table = _gwp_table(gwp) if gwp else {}
    try:
        weights = [gases[gas] * table[gas] for gas in names]
    except KeyError:
        weights = [float(gases[gas]) for gas in names]
    weight_sum = math.fsum(weights)
    if weight_sum != 0 and (min(weights) >= 0 or max(weights) <= 0):
        shares = [total * weight / weight_sum for weight in weights]
    else:
        shares = weights
    # The largest share takes what the others leave. The others are first rounded to a grid
    # coarser than the total's last digit (16 ulps of the largest magnitude, ~1e-15 relative),
    # which makes their sum and the remainder exact, so math.fsum of the shares is the total.
    magnitudes = [abs(share) for share in shares]
    balancing = magnitudes.index(max(magnitudes))
    scale = max(abs(total), magnitudes[balancing])
    if scale == 0 or not math.isfinite(scale):
        return {gas: (total if i == balancing else 0.0) for i, gas in enumerate(names)}
    quantum = math.ulp(scale) * 16
    others = [round(share / quantum) * quantum for i, share in enumerate(shares) if i != balancing]
    value = total - math.fsum(others)
    for _ in range(4):  # only mixed signs can leave the sum an ulp off; nudge the remainder
        reached = math.fsum([*others, value])
        if reached == total:
            break
        value = math.nextafter(value, math.inf if reached < total else -math.inf)
    others.insert(balancing, value)
    return dict(zip(names, others, strict=True))


def _float(value: Any) -> float | None:
    """A finite float, or None for missing values and infinities."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        converted = to_jsonable(value)
        return None if converted is None else float(converted)
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    if type(value) is int:
        return value
    if isinstance(value, np.integer):
        return int(value)
    converted = to_jsonable(value)
    return None if converted is None else int(converted)


#: Columns of ``inventory_emissions`` in the order :func:`_emission_rows` fills them.
_EMISSION_COLUMNS = (
    "inventory_id",
    "seq",
    "gas",
    "row",
    "record_id",
    "year",
    "gpc_ref",
    "activity",
    "tonnes",
    "tco2e",
    "factor_ids",
    "extra",
)


def _emission_rows(inventory_id: int, records: Sequence[Mapping[str, Any]], gwp: str | None) -> list[tuple[Any, ...]]:
    """Long-form emission rows (one per record and gas, :data:`_EMISSION_COLUMNS`).

    JSON columns are returned serialised (text), ready for :func:`bulk_insert`.
    """
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    factor_texts: dict[tuple[Any, ...], str] = {}  # records share factor lists: dump each once
    for seq, record in enumerate(records, start=1):
        total = _float(record.get("tco2e"))
        if total is None:
            raise StoreError(f"result record {seq} (input row {record.get('row')}) has no tco2e value")
        row_number = _int(record.get("row"))
        if row_number is None:
            raise StoreError(f"result record {seq} has no input row number")
        gases = {str(gas): _float(tonnes) for gas, tonnes in (record.get("gases") or {}).items()}
        extra = {
            str(key): value if type(value) in _PLAIN_JSON else to_jsonable(value)
            for key, value in record.items()
            if key not in _RECORD_KEYS
        }
        if gases:
            masses = {gas: 0.0 if tonnes is None else tonnes for gas, tonnes in gases.items()}
            shares = split_tco2e(total, masses, gwp)
            parts = [(gas, gases[gas], shares[gas]) for gas in gases]
            if math.fsum(shares.values()) != total:  # mixed signs, an ulp off: keep it exact
                extra["tco2e"] = total
        else:
            parts = [(GAS_CO2E, None, total)]
        biogenic = _float(record.get("biogenic_co2_t"))
        if biogenic:
            parts.append((GAS_BIOGENIC, biogenic, 0.0))
        factor_ids = record.get("factor_ids")
        common = (
            row_number,
            _optional_text(record.get("record_id")),
            _int(record.get("year")),
            _optional_text(record.get("gpc_ref")),
            _optional_text(record.get("activity")),
        )
        if factor_ids is None:
            factor_json = None
        else:
            key = tuple(factor_ids)
            factor_json = factor_texts.get(key)
            if factor_json is None:
                factor_json = factor_texts[key] = json_dumps(to_jsonable(list(key)))
        extra_json = json_dumps(extra) if extra else None
        for gas, tonnes, tco2e in parts:
            append((inventory_id, seq, gas, *common, tonnes, tco2e, factor_json, extra_json))
            extra_json = None
    return rows


def _json_value(value: Any) -> Any:
    """A JSON column value read as text (``CAST(... AS TEXT)``), parsed."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _rebuild_records(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Result records in contract form from raw emission rows ordered by seq.

    Each row is ``(seq, gas, row, record_id, year, gpc_ref, activity, tonnes, tco2e,
    factor_ids, extra)`` with JSON columns unprocessed (see :func:`_json_value`).
    """
    records: list[dict[str, Any]] = []
    current_seq = None
    record: dict[str, Any] = {}
    parts: list[float] = []
    gases: list[tuple[str, Any]] = []
    extras: list[tuple[dict[str, Any], dict[str, Any]]] = []
    factor_lists: dict[Any, list[Any]] = {}  # decode each distinct factor list once

    def _factor_list(stored: Any) -> list[Any]:
        decoded = list(_json_value(stored) or [])
        if isinstance(stored, str | bytes):
            factor_lists[stored] = decoded
        return decoded

    def finish() -> None:
        record["tco2e"] = math.fsum(parts)
        if len(gases) > 1:  # by name, as the engine lists them (not the database collation)
            gases.sort()
        record["gases"] = dict(gases)

    for seq, gas, row, record_id, year, gpc_ref, activity, tonnes, tco2e, factors, extra in rows:
        if seq != current_seq:
            if current_seq is not None:
                finish()
            current_seq = seq
            parts, gases = [], []
            record = {
                "record_id": record_id,
                "row": row,
                "year": year,
                "gpc_ref": gpc_ref,
                "activity": activity,
                "tco2e": 0.0,
                "gases": {},
                "biogenic_co2_t": 0.0,
                "factor_ids": list(factor_lists.get(factors) or _factor_list(factors)),
            }
            records.append(record)
        if gas == GAS_BIOGENIC:
            record["biogenic_co2_t"] = tonnes
        else:
            parts.append(tco2e)
            if gas != GAS_CO2E:
                gases.append((gas, tonnes))
        if extra is not None:
            extras.append((record, _json_value(extra)))
    if current_seq is not None:
        finish()
    for target, values in extras:  # keys outside the contract, or an exact total
        target.update(values)
    return records


def save_inventory(
    session: Session,
    *,
    name: str,
    records: pd.DataFrame,
    result: dict[str, Any],
    params: dict[str, Any],
) -> int:
    """Store an inventory: its input records, result and run parameters.

    Everything is written in one transaction (a savepoint inside the session's): if any part
    fails, nothing of this inventory remains. Rows are inserted in bulk (executemany).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to write with; the caller commits (see :func:`zerocity.store.session_scope`).
    name : str
        Name of the inventory (need not be unique).
    records : pandas.DataFrame
        Input records the result was computed from; missing values are stored as JSON null.
    result : dict
        The inventory engine's result (JSON contract); ``records`` go to
        ``inventory_emissions``, the rest to the summary.
    params : dict
        Parameters of the run (GWP set, region, factor sets used...), stored as JSON.

    Returns
    -------
    int
        Id of the new inventory.

    Raises
    ------
    StoreError
        Empty name, a records argument that is not a DataFrame, or a result record without
        ``tco2e`` or ``row``.
    """
    if not isinstance(name, str) or not name.strip():
        raise StoreError(f"an inventory needs a non-empty name, got {name!r}")
    if not isinstance(records, pd.DataFrame):
        raise StoreError(f"records must be a pandas DataFrame, got {type(records).__name__}")
    if not isinstance(result, Mapping):
        raise StoreError(f"result must be a dict, got {type(result).__name__}")

    columns = frame_columns(records)
    input_json = [json_dumps(row) for row in frame_to_rows(records)]
    digest = hashlib.sha256(json_dumps(columns).encode("utf-8"))
    for text in input_json:
        digest.update(b"\n")
        digest.update(text.encode("utf-8"))
    summary = to_jsonable({key: value for key, value in result.items() if key != "records"})
    result_records = list(result.get("records") or [])
    gwp = _optional_text(result.get("gwp"))

    with session.begin_nested():
        inventory = Inventory(
            name=name,
            gwp=gwp,
            region=_optional_text(result.get("region")),
            level=_optional_text(result.get("level")),
            total_tco2e=_float(result.get("total_tco2e")),
            record_count=len(input_json),
            params=to_jsonable(dict(params or {})),
            input_sha256=digest.hexdigest(),
            input_columns=columns,
            summary=summary,
        )
        session.add(inventory)
        session.flush()
        inventory_id = inventory.id
        bulk_insert(
            session,
            _INPUTS,
            ("inventory_id", "row", "record"),
            [(inventory_id, number, text) for number, text in enumerate(input_json, start=1)],
        )
        bulk_insert(
            session,
            _EMISSIONS,
            _EMISSION_COLUMNS,
            _emission_rows(inventory_id, result_records, gwp),
        )
    logger.info(
        "saved inventory %d %r: %d input records, %d result records",
        inventory_id,
        name,
        len(input_json),
        len(result_records),
    )
    return inventory_id


def _get_inventory(session: Session, inventory_id: int) -> Inventory:
    inventory = session.get(Inventory, inventory_id)
    if inventory is None:
        raise NotFoundError(f"inventory {inventory_id} not found")
    return inventory


def load_inventory(session: Session, inventory_id: int) -> StoredInventory:
    """Load a stored inventory with its records and full result.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read with.
    inventory_id : int
        Id returned by :func:`save_inventory`.

    Returns
    -------
    StoredInventory
        The inventory; ``result`` is the summary plus the rebuilt ``records`` list.

    Raises
    ------
    NotFoundError
        No inventory has this id.
    """
    inventory = _get_inventory(session, inventory_id)
    inputs = fetch_rows(
        session,
        select(cast(_INPUTS.c.record, Text)).where(_INPUTS.c.inventory_id == inventory_id).order_by(_INPUTS.c.row),
    )
    records = rows_to_frame([json.loads(text) for (text,) in inputs], list(inventory.input_columns))
    columns = _EMISSIONS.c
    emission_rows = fetch_rows(
        session,
        select(
            columns.seq,
            columns.gas,
            columns.row,
            columns.record_id,
            columns.year,
            columns.gpc_ref,
            columns.activity,
            columns.tonnes,
            columns.tco2e,
            cast(columns.factor_ids, Text),
            cast(columns.extra, Text),
        )
        .where(columns.inventory_id == inventory_id)
        .order_by(columns.seq, columns.gas),
    )
    summary = dict(inventory.summary)
    result = {**summary, "records": _rebuild_records(emission_rows)}
    return StoredInventory(
        id=inventory.id,
        name=inventory.name,
        created_at=as_utc(inventory.created_at),
        params=dict(inventory.params),
        summary=summary,
        records=records,
        result=result,
        input_sha256=inventory.input_sha256,
    )


def list_inventories(session: Session) -> list[InventorySummary]:
    """List the stored inventories, oldest first.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to read with.

    Returns
    -------
    list of InventorySummary
        One entry per inventory, by id.
    """
    rows = session.execute(
        select(
            Inventory.id,
            Inventory.name,
            Inventory.created_at,
            Inventory.gwp,
            Inventory.region,
            Inventory.level,
            Inventory.total_tco2e,
            Inventory.record_count,
            Inventory.input_sha256,
        ).order_by(Inventory.id)
    )
    return [
        InventorySummary(
            id=row.id,
            name=row.name,
            created_at=as_utc(row.created_at),
            gwp=row.gwp,
            region=row.region,
            level=row.level,
            total_tco2e=row.total_tco2e,
            record_count=row.record_count,
            input_sha256=row.input_sha256,
        )
        for row in rows
    ]


def delete_inventory(session: Session, inventory_id: int) -> None:
    """Delete a stored inventory; its inputs and emissions go with it (ON DELETE CASCADE).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session to write with; the caller commits.
    inventory_id : int
        Id of the inventory.

    Raises
    ------
    NotFoundError
        No inventory has this id.
    """
    deleted = session.execute(delete(Inventory).where(Inventory.id == inventory_id))
    if not getattr(deleted, "rowcount", 0):
        raise NotFoundError(f"inventory {inventory_id} not found")
    logger.info("deleted inventory %d", inventory_id)
