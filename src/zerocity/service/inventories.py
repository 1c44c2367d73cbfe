"""Inventories of a tenant: import an upload (validate, compute, store), list, summarise, export, publish.

The functions take a session on the tenant database (from :mod:`zerocity.service.deps`) and the
caller's :class:`~zerocity.service.deps.RowScope`; they call the same domain functions as the
CLI (``read_records``, ``compute_inventory``, ``store.save_inventory``, ``export.write_*``).
An inventory outside the caller's scope is reported as not found.
"""

from __future__ import annotations

import logging
import math
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zerocity.errors import InvalidRecordsError, RecordIssue, UnitError, ZerocityError
from zerocity.factors import FactorLibrary, default_library
from zerocity.inventory import compute_inventory, read_records
from zerocity.inventory.records import RecordFileError
from zerocity.inventory.result import InventoryResult
from zerocity.jsonio import dumps, jsonable
from zerocity.service.deps import RowScope
from zerocity.service.errors import ApiError
from zerocity.service.factors import requested_set_library, stored_set_library
from zerocity.service.uploads import Upload, invalid, read_upload
from zerocity.store import load_inventory, save_inventory
from zerocity.store.db import as_utc
from zerocity.store.errors import NotFoundError, StoreError
from zerocity.store.models import Inventory, InventoryAccess

__all__ = [
    "ExportFormat",
    "ExportedFile",
    "cems_inventory",
    "diff_inventory",
    "export_inventory",
    "import_inventory",
    "inventory_library",
    "inventory_row",
    "inventory_summary",
    "list_inventories",
    "list_published",
    "method_catalogue",
    "publish_inventory",
    "validate_inventory",
]

logger = logging.getLogger(__name__)

#: Upload suffixes accepted.
UPLOAD_SUFFIXES = (".csv", ".xlsx")
#: Relative difference between a stored total and its recomputation above which an export is
#: refused (the factor library changed since the inventory was stored); zerocity's choice.
RECOMPUTE_TOLERANCE = 1e-9


class ExportFormat(StrEnum):
    """Export formats of a stored inventory."""

    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class UploadError(ZerocityError, ValueError):
    """An uploaded file of the wrong kind."""

    code = "upload"


class StaleInventoryError(StoreError):
    """A stored inventory whose recomputation no longer gives the stored total."""

    code = "stale_inventory"


@dataclass(frozen=True)
class ExportedFile:
    """An export: bytes, media type and a download name."""

    content: bytes
    media_type: str
    filename: str


def _safe_name(filename: str) -> str:
    name = Path(filename or "upload").name
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:100] or "upload"


def _entity_issues(raw: pd.DataFrame, entity_id: str) -> list[RecordIssue]:
    if "entity" not in raw.columns:
        return [RecordIssue(1, "entity", f"the column 'entity' is required and must be {entity_id!r}")]
    values = raw["entity"].astype(str).str.strip()
    return [
        RecordIssue(int(i) + 1, "entity", f"must be your entity {entity_id!r}", str(value))
        for i, value in enumerate(values)
        if value != entity_id
    ]


def import_inventory(
    session: Session,
    *,
    content: bytes,
    filename: str,
    name: str,
    gwp: str,
    region: str,
    level: str,
    scope: RowScope,
    created_by: str,
    factor_set: str | None = None,
    factor_set_version: str | None = None,
) -> int:
    """Read, validate, compute and store an uploaded records file, all or nothing.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Tenant database session; the caller commits.
    content : bytes
        The uploaded CSV or XLSX file.
    filename : str
        Its name (the suffix picks the reader; the name appears in error messages).
    name : str
        Name of the stored inventory.
    gwp, region, level : str
        As ``zerocity inventory compute``: GWP set, region of rows without one, level of the total.
    scope : RowScope
        An enterprise reporter's rows must all carry its entity.
    created_by : str
        Actor text kept with the inventory.
    factor_set, factor_set_version : str, optional
        A stored factor set of the tenant (as ``--factor-set NAME``; the latest version unless
        given); its name, version and SHA-256 go to the stored parameters, so that exports and
        reports recompute with the same factors.

    Returns
    -------
    int
        Id of the stored inventory.

    Raises
    ------
    UploadError
        A file that is not CSV or XLSX.
    RecordFileError
        An unreadable file.
    InvalidRecordsError
        Invalid rows (every problem with row and column); nothing is stored.
    ApiError
        422 naming ``factor_set`` when the tenant holds no such set.
    """
    source = _safe_name(filename)
    suffix = Path(source).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise UploadError(f"{source}: expected a .csv or .xlsx file")
    if not name.strip():
        raise UploadError("an inventory needs a non-empty name")
    with tempfile.TemporaryDirectory(prefix="zerocity-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            raw = read_records(path)
        except ZerocityError:
            raise
        except Exception as exc:  # untrusted upload: any reader failure (BadZipFile, KeyError...) is the file's
            raise RecordFileError(f"{source}: cannot read: {type(exc).__name__}: {exc}") from exc
    if raw.empty:
        raise InvalidRecordsError(source, [RecordIssue(1, "", "the file has no data rows")])
    if scope.entity_id is not None:
        issues = _entity_issues(raw, scope.entity_id)
        if issues:
            raise InvalidRecordsError(source, issues)
    library, set_info = default_library(), None
    if factor_set is not None:
        chosen = requested_set_library(session, factor_set, factor_set_version)
        library, set_info = chosen.library, chosen.info
    result = compute_inventory(raw, library=library, gwp=gwp, region=region, level=level, source=source)
    doc = result.to_dict(include_records=True)
    params: dict[str, Any] = {
        "file": source,
        "gwp": result.gwp.value,
        "region": region,
        "level": result.level.value,
        "years": list(result.years),
    }
    if set_info is not None:
        params["factor_set"] = set_info
    inventory_id = save_inventory(session, name=name.strip(), records=raw, result=doc, params=params)
    session.add(InventoryAccess(inventory_id=inventory_id, entity_id=scope.entity_id, created_by=created_by[:200]))
    session.flush()
    logger.info("imported inventory %d from %s (%d rows)", inventory_id, source, len(raw))
    return inventory_id


def _visible(scope: RowScope) -> Any:
    """WHERE clause of the inventories a scope may see (joined with ``inventory_access``)."""
    if scope.household_id is not None:
        return Inventory.id.is_(None)  # households own no inventories
    if scope.entity_id is not None:
        return InventoryAccess.entity_id == scope.entity_id
    return None


def _row(inventory: Inventory, access: InventoryAccess | None) -> dict[str, Any]:
    return {
        "id": inventory.id,
        "name": inventory.name,
        "created_at": as_utc(inventory.created_at),
        "gwp": inventory.gwp,
        "region": inventory.region,
        "level": inventory.level,
        "total_tco2e": inventory.total_tco2e,
        "record_count": inventory.record_count,
        "entity_id": access.entity_id if access else None,
        "created_by": access.created_by if access else None,
        "published_at": as_utc(access.published_at) if access and access.published_at else None,
    }


def list_inventories(
    session: Session, *, scope: RowScope, q: str | None = None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Inventories the scope may see, by id, one page, and their number."""
    query = select(Inventory, InventoryAccess).outerjoin(InventoryAccess, InventoryAccess.inventory_id == Inventory.id)
    clause = _visible(scope)
    if clause is not None:
        query = query.where(clause)
    if q:
        query = query.where(Inventory.name.contains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(Inventory.id).limit(limit).offset(offset)).all()
    return [_row(inventory, access) for inventory, access in rows], int(total)


def _get(session: Session, scope: RowScope, inventory_id: int) -> tuple[Inventory, InventoryAccess | None]:
    query = (
        select(Inventory, InventoryAccess)
        .outerjoin(InventoryAccess, InventoryAccess.inventory_id == Inventory.id)
        .where(Inventory.id == inventory_id)
    )
    clause = _visible(scope)
    if clause is not None:
        query = query.where(clause)
    found = session.execute(query).first()
    if found is None:
        raise NotFoundError(f"inventory {inventory_id} not found")
    return found[0], found[1]


def inventory_row(session: Session, *, scope: RowScope, inventory_id: int) -> dict[str, Any]:
    """One inventory as listed."""
    return _row(*_get(session, scope, inventory_id))


def inventory_summary(session: Session, *, scope: RowScope, inventory_id: int) -> dict[str, Any]:
    """The stored result without its records: totals [t CO2e] by level, gas, scope, sector, year..."""
    inventory, access = _get(session, scope, inventory_id)
    return {**_row(inventory, access), "summary": dict(inventory.summary), "params": dict(inventory.params)}


def inventory_library(session: Session, params: dict[str, Any]) -> FactorLibrary:
    """The factor library a stored inventory was computed with (its ``params``).

    The shipped library, or with the stored factor set named in ``params["factor_set"]`` (the
    exact name and version, checked against the SHA-256 recorded at import).

    Raises
    ------
    StaleInventoryError
        The set is no longer stored, or its content differs from the one used.
    """
    info = params.get("factor_set")
    if not info:
        return default_library()
    name, version = str(info.get("name")), str(info.get("version"))
    try:
        chosen = stored_set_library(session, name, version)
    except NotFoundError:
        raise StaleInventoryError(
            f"factor set {name!r} version {version!r} used by this inventory is no longer stored; export it as JSON"
        ) from None
    if info.get("sha256") and chosen.info["sha256"] != info["sha256"]:
        raise StaleInventoryError(
            f"factor set {name!r} version {version!r} changed since this inventory used it; export it as JSON"
        )
    return chosen.library


def _recompute(
    session: Session, stored_records: pd.DataFrame, params: dict[str, Any], summary: dict[str, Any]
) -> InventoryResult:
    result = compute_inventory(
        stored_records,
        library=inventory_library(session, params),
        gwp=str(params.get("gwp") or "AR5"),
        region=str(params.get("region") or "GLOBAL"),
        level=str(params.get("level") or "BASIC"),
        years=params.get("years") or None,
        source=str(params.get("file") or "stored inventory"),
    )
    stored = summary.get("total_tco2e")
    if stored is not None and not math.isclose(
        result.total_tco2e, float(stored), rel_tol=RECOMPUTE_TOLERANCE, abs_tol=1e-9
    ):
        raise StaleInventoryError(
            f"stored total {stored} t CO2e differs from its recomputation {result.total_tco2e} t CO2e "
            "(the factor library changed since it was stored); export it as JSON"
        )
    return result


def export_inventory(session: Session, *, scope: RowScope, inventory_id: int, fmt: ExportFormat) -> ExportedFile:
    """Export a stored inventory.

    JSON is the stored result itself. CSV and XLSX are written by :mod:`zerocity.inventory.export`
    from the stored input records recomputed with the stored parameters; the recomputed total
    must equal the stored one (else :class:`StaleInventoryError`).
    """
    _get(session, scope, inventory_id)
    stored = load_inventory(session, inventory_id)
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", stored.name)[:80] or "inventory"
    if fmt is ExportFormat.JSON:
        content = dumps(jsonable({"id": stored.id, "name": stored.name, **stored.result})).encode("utf-8")
        return ExportedFile(content, "application/json", f"{base}.json")
    from zerocity.inventory import export

    result = _recompute(session, stored.records, stored.params, stored.summary)
    with tempfile.TemporaryDirectory(prefix="zerocity-export-") as folder:
        path = Path(folder) / f"export.{fmt.value}"
        if fmt is ExportFormat.CSV:
            export.write_csv(result, path)
            media = "text/csv; charset=utf-8"
        else:
            export.write_xlsx(result, path)
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return ExportedFile(path.read_bytes(), media, f"{base}.{fmt.value}")


def inventory_report(
    session: Session,
    *,
    scope: RowScope,
    inventory_id: int,
    fmt: str,
    lang: str,
    city: str,
    year: int | None = None,
    population: float | None = None,
    gdp: float | None = None,
) -> ExportedFile:
    """The inventory report (GPC layout, :mod:`zerocity.reports`) of one year of a stored inventory.

    The stored records are recomputed with the stored parameters (checked against the stored
    total as for exports) for ``year`` (default: the latest year of the records).

    Raises
    ------
    ApiError
        422 when ``year`` is not a year of the inventory, or population or GDP is not positive.
    """
    from zerocity.reports import ReportError, build_inventory_report, report_bytes

    _get(session, scope, inventory_id)
    stored = load_inventory(session, inventory_id)
    records = stored.records
    raw_years = pd.to_numeric(records["year"], errors="coerce").dropna() if "year" in records else pd.Series([])
    years = sorted({int(y) for y in raw_years})
    chosen = year if year is not None else (years[-1] if years else None)
    if chosen is None or chosen not in years:
        raise ApiError(
            422, "invalid_request", f"year: {year} is not a year of inventory {inventory_id} (its years: {years})"
        )
    _recompute(session, records, stored.params, stored.summary)  # refuses a stale inventory
    params = {**stored.params, "years": [chosen]}
    result = _recompute(session, records, params, {})
    try:
        report = build_inventory_report(result, lang=lang, city=city, population=population, gdp=gdp)
    except ReportError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from exc
    content, media, suffix = report_bytes(report, fmt)
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", stored.name)[:80] or "inventory"
    return ExportedFile(content, media, f"{base}-{chosen}-report-{lang}.{suffix}")


def publish_inventory(session: Session, *, scope: RowScope, inventory_id: int, created_by: str) -> dict[str, Any]:
    """Publish an inventory's totals (visible to the public endpoints)."""
    inventory, access = _get(session, scope, inventory_id)
    if access is None:
        access = InventoryAccess(inventory_id=inventory.id, entity_id=None, created_by=created_by[:200])
        session.add(access)
    if access.published_at is None:
        access.published_at = datetime.now(UTC)
    session.flush()
    return _row(inventory, access)


def list_published(session: Session, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Published inventories with their totals only (no records, no per-entity breakdown)."""
    query = (
        select(Inventory, InventoryAccess)
        .join(InventoryAccess, InventoryAccess.inventory_id == Inventory.id)
        .where(InventoryAccess.published_at.is_not(None))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = []
    for inventory, access in session.execute(query.order_by(Inventory.id).limit(limit).offset(offset)).all():
        summary = dict(inventory.summary)
        items.append(
            {
                "id": inventory.id,
                "name": inventory.name,
                "published_at": as_utc(access.published_at) if access.published_at else None,
                "gwp": inventory.gwp,
                "level": inventory.level,
                "years": sorted(int(year) for year in (summary.get("by_year") or {})),
                "total_tco2e": inventory.total_tco2e,
                "basic_tco2e": summary.get("basic_tco2e"),
                "basic_plus_tco2e": summary.get("basic_plus_tco2e"),
                "by_sector": {str(k): float(v) for k, v in (summary.get("by_sector") or {}).items()},
                "by_scope": {str(k): float(v) for k, v in (summary.get("by_scope") or {}).items()},
            }
        )
    return items, int(total)


# ---------------------------------------------------------------------------- validate, methods, diff, CEMS
def validate_inventory(
    session: Session,
    *,
    upload: Upload,
    gwp: str,
    region: str,
    level: str,
    scope: RowScope,
    factor_set: str | None = None,
    factor_set_version: str | None = None,
) -> dict[str, Any]:
    """Check an uploaded records file as :func:`import_inventory` would, storing nothing.

    ``zerocity inventory validate`` over HTTP: the file is read, an enterprise reporter's rows are
    checked for its entity, and the records are validated and computed with the same library
    (factor resolution problems are validation problems).

    Returns
    -------
    dict
        ``valid``, ``file``, ``rows`` (data rows read), ``problems`` (every problem: ``row``
        1-based data row, ``column``, ``message``, ``value``) and ``summary``, the would-be result
        without records (totals [t CO2e] by level, gas, scope, sector...), None when invalid.

    Raises
    ------
    ApiError
        422 naming the form field and file when the file is not CSV/XLSX or cannot be read, or
        naming ``factor_set`` when the tenant holds no such set.
    """
    raw = read_upload(upload, UPLOAD_SUFFIXES, read_records)
    library = default_library()
    if factor_set is not None:
        library = requested_set_library(session, factor_set, factor_set_version).library
    problems: list[RecordIssue] = []
    if raw.empty:
        problems.append(RecordIssue(1, "", "the file has no data rows"))
    elif scope.entity_id is not None:
        problems.extend(_entity_issues(raw, scope.entity_id))
    summary = None
    if not raw.empty:
        try:
            result = compute_inventory(raw, library=library, gwp=gwp, region=region, level=level, source=upload.name)
            summary = jsonable(result.to_dict(include_records=False))
        except InvalidRecordsError as exc:
            problems.extend(exc.issues)
    problems.sort(key=lambda i: (i.row, i.column))
    valid = not problems
    return {
        "valid": valid,
        "file": upload.name,
        "rows": len(raw),
        "problems": [{"row": i.row, "column": i.column, "message": i.message, "value": i.value} for i in problems],
        "summary": summary if valid else None,
    }


def method_catalogue(name: str | None = None) -> list[dict[str, Any]]:
    """The calculation methods a record's ``method`` column may name (``zerocity inventory methods --json``).

    Parameters
    ----------
    name : str, optional
        Only this method.

    Returns
    -------
    list of dict
        ``method``, ``title``, ``gpc_refs``, ``columns`` (name, kind, required, choices,
        description), ``history``, ``reference``; sector methods also give
        ``activity_categories`` and ``amount_dimensions``.

    Raises
    ------
    ApiError
        404 naming the method when unknown.
    """
    from zerocity.inventory.sectors import method_catalogue as catalogue

    docs = catalogue()
    if name is not None:
        docs = [d for d in docs if d["method"] == name]
        if not docs:
            raise ApiError(404, "not_found", f"unknown method {name!r}; GET /inventories/methods lists them")
    return docs


def diff_inventory(session: Session, *, scope: RowScope, inventory_id: int, other_id: int) -> dict[str, Any]:
    """What changed from inventory ``inventory_id`` to ``other_id``, and why (``zerocity inventory diff --json``).

    Both must be visible to the scope (else 404). The change of each record [t CO2e] is attributed
    to one cause (added, removed, activity, factor, GWP) by :func:`zerocity.inventory.diff.diff_inventories`.
    """
    from zerocity.inventory.diff import diff_inventories

    _get(session, scope, inventory_id)
    _get(session, scope, other_id)
    old = load_inventory(session, inventory_id).result
    new = load_inventory(session, other_id).result
    return dict(jsonable({"old_id": inventory_id, "new_id": other_id, **diff_inventories(old, new)}))


def cems_inventory(
    *,
    upload: Upload,
    interval: str | None,
    basis: str,
    scope: RowScope,
    with_records: bool = False,
    year: int | None = None,
    gpc_ref: str = "I.3.1",
    entity: str | None = None,
) -> dict[str, Any]:
    """Integrate uploaded CEMS readings into CO2 per stack [t] (``zerocity inventory cems --json``).

    Parameters
    ----------
    upload : Upload
        Readings, CSV or XLSX (columns of :func:`zerocity.inventory.cems.integrate_cems`).
    interval : str, optional
        Time the last reading of each stack represents (``1h``, ``15min``).
    basis : str
        ``dry`` or ``wet`` concentrations.
    scope : RowScope
        An enterprise reporter's measured rows carry its own entity only.
    with_records : bool
        Also give the ``measured`` inventory rows (``--records``), one per stack.
    year, gpc_ref, entity
        Of those rows: inventory year (default: the year of the first reading), GPC reference,
        reporting entity (a reporter: its own, the default).

    Raises
    ------
    ApiError
        422 naming the field, file, row and column of every bad reading, or the bad form field.
    """
    from zerocity.inventory.cems import integrate_cems

    if scope.entity_id is not None:
        if entity not in (None, "", scope.entity_id):
            raise invalid("entity", f"must be your entity {scope.entity_id!r}, got {entity!r}")
        entity = scope.entity_id

    def read(path: Path) -> Any:
        frame = read_records(path)
        try:
            return integrate_cems(frame, source=upload.name, interval=interval, basis=basis)
        except UnitError as exc:
            raise invalid("interval", f"interval: {exc}") from None

    result = read_upload(upload, (".csv", ".xlsx", ".xlsm"), read)
    doc: dict[str, Any] = result.as_dict()
    if with_records:
        rows = result.to_records(year or int(result.stacks[0].start.year), gpc_ref, entity or None)
        doc["records"] = jsonable(rows.to_dict("records"))
    logger.info("CEMS %s: %d stacks, %.3f t CO2", upload.name, len(result.stacks), result.total_co2_t)
    return dict(jsonable(doc))
