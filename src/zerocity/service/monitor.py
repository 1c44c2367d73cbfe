"""Meter monitoring of a tenant over HTTP: meters, reading batches, rollups, live view, warnings, webhooks.

The same domain calls as ``zerocity monitor ...`` (:mod:`zerocity.monitor`). Meters post their
readings with an API key: an enterprise reporter's key may only post readings of its own
entity's meters, checked here before anything is stored (one registry lookup per batch, on the
distinct meter ids only). A batch is parsed into columns and stored with one bulk insert
(:func:`zerocity.monitor.ingest.ingest_records`).
"""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.jsonio import jsonable
from zerocity.monitor.alerts import evaluate_warnings, list_warnings, set_quota
from zerocity.monitor.ingest import READING_COLUMNS, ingest_records
from zerocity.monitor.registry import METER_COLUMNS, import_meters, validate_meters
from zerocity.monitor.rollups import GroupBy, Level, live_view, rollup
from zerocity.monitor.webhooks import add_webhook, list_webhooks
from zerocity.service.cache import dashboard_cache
from zerocity.service.deps import RowScope
from zerocity.service.errors import ApiError
from zerocity.store.db import as_utc
from zerocity.store.models import Meter, Webhook, WebhookDelivery

__all__ = [
    "check_meter_owner",
    "create_webhook",
    "evaluate",
    "ingest_csv",
    "ingest_readings",
    "live",
    "meters_page",
    "register_meters",
    "remove_webhook",
    "rollup_page",
    "set_entity_quota",
    "update_webhook",
    "warnings_page",
    "webhooks",
]

logger = logging.getLogger(__name__)

#: Meters named in an ownership refusal at most.
_NAMED = 20


def register_meters(session: Session, *, rows: list[dict[str, Any]], region: str, source: str) -> int:
    """Validate and add or update meters (every problem in one 422; nothing written then).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Tenant session; the caller commits.
    rows : list of dict
        Meter rows (:data:`zerocity.monitor.registry.METER_COLUMNS`).
    region : str
        Factor region of rows without one.
    source : str
        Name of the input in messages.

    Returns
    -------
    int
        Meters written.
    """
    frame = pd.DataFrame(rows, columns=list(METER_COLUMNS)).astype(object)
    frame = frame.where(frame.notna(), "").astype(str)
    meters = validate_meters(frame, region=region, source=source, factor_year=datetime.now(UTC).year)
    count = import_meters(session, meters)
    dashboard_cache.clear()  # groups (entity, district, sector) may have changed
    return count


def meters_csv_rows(content: bytes) -> list[dict[str, Any]]:
    """Rows of a meter registry CSV (all cells text)."""
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, "invalid_request", f"meters CSV: cannot read: {exc}") from None
    rows: list[dict[str, Any]] = frame.to_dict(orient="records")
    return rows


def meters_page(
    session: Session, *, scope: RowScope, entity: str | None, district: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Registered meters (an enterprise reporter: its entity's only), filtered, by meter id."""
    statement = select(Meter)
    if scope.entity_id is not None:
        statement = statement.where(Meter.entity == scope.entity_id)
    if entity is not None:
        statement = statement.where(Meter.entity == entity)
    if district is not None:
        statement = statement.where(Meter.district == district)
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    rows = session.scalars(statement.order_by(Meter.meter_id).limit(limit).offset(offset))
    items = [
        {
            "meter_id": m.meter_id,
            "entity": m.entity,
            "district": m.district,
            "sector": m.sector,
            "gpc_ref": m.gpc_ref,
            "carrier": m.carrier,
            "unit": m.unit,
            "quantity_unit": m.quantity_unit,
            "interval_s": m.interval_s,
            "region": m.region,
            "created_at": as_utc(m.created_at),
        }
        for m in rows
    ]
    return items, total


def check_meter_owner(engine: Engine, *, scope: RowScope, meter_ids: pd.Series) -> None:
    """Refuse (403, naming the meters and their first rows) readings of meters of another entity.

    Unknown meters are left to the ingest validation (422 with the row).
    """
    if scope.entity_id is None:
        return
    ids = meter_ids.astype(str).str.strip()
    distinct = sorted(set(ids))
    owners: dict[str, str] = {}
    with Session(engine) as session:
        for start in range(0, len(distinct), 500):
            chunk = distinct[start : start + 500]
            owners.update(session.execute(select(Meter.meter_id, Meter.entity).where(Meter.meter_id.in_(chunk))).all())
    foreign = [m for m in distinct if m in owners and owners[m] != scope.entity_id]
    if foreign:
        first_row = {m: int(i) + 1 for i, m in reversed(list(enumerate(ids))) if m in set(foreign)}
        details = [{"meter_id": m, "row": first_row[m]} for m in foreign[:_NAMED]]
        raise ApiError(
            403,
            "foreign_meter",
            f"meter(s) {', '.join(foreign[:_NAMED])} belong to another entity than yours ({scope.entity_id})",
            details,
        )


def ingest_readings(engine: Engine, *, scope: RowScope, columns: dict[str, list[Any]], source: str) -> dict[str, int]:
    """Store a batch given as columns (all or nothing, one bulk insert; repeats are ignored).

    Returns
    -------
    dict
        ``received``, ``stored``, ``duplicates``.
    """
    frame = pd.DataFrame({c: columns.get(c, [None] * len(columns["meter_id"])) for c in READING_COLUMNS})
    if frame.empty:
        raise ApiError(422, "invalid_request", "no readings")
    check_meter_owner(engine, scope=scope, meter_ids=frame["meter_id"])
    result = ingest_records(engine, frame, source=source)
    if result.stored:
        dashboard_cache.clear()  # this process answers with the new readings at once
    return {"received": result.received, "stored": result.stored, "duplicates": result.duplicates}


def ingest_csv(engine: Engine, *, scope: RowScope, content: bytes, source: str) -> dict[str, int]:
    """Store a readings CSV (``meter_id``, ``ts``, ``value``, optional ``unit``)."""
    try:
        frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(422, "invalid_request", f"{source}: cannot read readings: {exc}") from None
    missing = [c for c in ("meter_id", "ts", "value") if c not in frame.columns]
    if missing:
        raise ApiError(422, "invalid_request", f"{source}: missing column(s) {', '.join(missing)}")
    if "unit" not in frame:
        frame["unit"] = ""
    columns = {c: frame[c].tolist() for c in READING_COLUMNS}
    return ingest_readings(engine, scope=scope, columns=columns, source=source)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    data = frame.astype(object).where(frame.notna(), None)
    rows: list[dict[str, Any]] = jsonable(data.to_dict(orient="records"))
    return rows


def rollup_page(
    engine: Engine,
    *,
    scope: RowScope,
    level: Level,
    by: GroupBy,
    start: datetime,
    end: datetime,
    utc_offset_h: float,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Sums per period, group and carrier (an enterprise reporter: its own entity or meters only)."""
    if scope.entity_id is not None and by not in (GroupBy.ENTITY, GroupBy.METER):
        raise ApiError(403, "forbidden", "an enterprise reporter rolls up by entity or meter_id (its own) only")
    key = ("rollup", engine.url.render_as_string(hide_password=False), level, by, start, end, utc_offset_h)

    def compute() -> list[dict[str, Any]]:
        frame = rollup(engine, level=level, by=by, start=start, end=end, utc_offset_h=utc_offset_h)
        return _rows(frame.assign(period_start=frame["period_start"].map(lambda t: t.isoformat())))

    # The cache keeps JSON-ready rows: a request only filters and slices a list.
    rows: list[dict[str, Any]] = dashboard_cache.get_or_compute(key, compute)
    if scope.entity_id is not None:
        if by is GroupBy.ENTITY:
            own = {scope.entity_id}
        else:
            with Session(engine) as session:
                own = set(session.scalars(select(Meter.meter_id).where(Meter.entity == scope.entity_id)))
        rows = [r for r in rows if r["group"] in own]
    return rows[offset : offset + limit], len(rows)


def live(engine: Engine, *, utc_offset_h: float) -> dict[str, Any]:
    """The current local day so far (totals, hourly curve, per entity and carrier), cached briefly."""
    key = ("live", engine.url.render_as_string(hide_password=False), utc_offset_h)
    view: dict[str, Any] = dashboard_cache.get_or_compute(
        key, lambda: jsonable(live_view(engine, utc_offset_h=utc_offset_h))
    )
    return view


def warnings_page(
    engine: Engine, *, scope: RowScope, kind: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Stored warnings, newest first (an enterprise reporter: its own entity's only)."""
    rows = list_warnings(engine, limit=100_000, kind=kind)
    if scope.entity_id is not None:
        rows = [r for r in rows if r.get("entity") == scope.entity_id]
    return jsonable(rows[offset : offset + limit]), len(rows)


def evaluate(engine: Engine, *, utc_offset_h: float) -> list[dict[str, Any]]:
    """Run every check now; store and return the new warnings (their webhook deliveries queued)."""
    found: list[dict[str, Any]] = jsonable(evaluate_warnings(engine, utc_offset_h=utc_offset_h))
    return found


def set_entity_quota(session: Session, *, entity: str, year: int, quota: float, kind: str) -> dict[str, Any]:
    """Set an entity's annual quota [t CO2e or tce] for the quota warnings."""
    set_quota(session, entity=entity, year=year, quota=quota, kind=kind)
    return {"entity": entity, "year": year, "quota": quota, "kind": kind}


def _hook(hook: Webhook, *, secret: bool = False) -> dict[str, Any]:
    doc = {
        "id": hook.id,
        "url": hook.url,
        "kinds": hook.kinds,
        "active": hook.active,
        "created_at": as_utc(hook.created_at),
    }
    if secret:
        doc["secret"] = hook.secret
    return doc


def create_webhook(session: Session, *, url: str, secret: str | None, kinds: list[str] | None) -> dict[str, Any]:
    """Register a webhook; its signing secret is returned this once."""
    return _hook(add_webhook(session, url=url, secret=secret, kinds=kinds), secret=True)


def webhooks(session: Session) -> list[dict[str, Any]]:
    """Registered webhooks (never their secrets)."""
    return [_hook(h) for h in list_webhooks(session)]


def _get_hook(session: Session, webhook_id: int) -> Webhook:
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise ApiError(404, "not_found", f"webhook {webhook_id} not found")
    return hook


def update_webhook(session: Session, *, webhook_id: int, active: bool) -> dict[str, Any]:
    """Pause or resume a webhook (``zerocity.monitor.webhooks`` has no update function; the row is set here)."""
    hook = _get_hook(session, webhook_id)
    hook.active = active
    session.flush()
    return _hook(hook)


def remove_webhook(session: Session, *, webhook_id: int) -> None:
    """Delete a webhook and its queued deliveries (``zerocity.monitor.webhooks`` has no remove function)."""
    hook = _get_hook(session, webhook_id)
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    session.delete(hook)
    session.flush()
