"""Enterprise accounts of a tenant: registry, period accounts with carbon code grades, quota projection.

The same domain calls as ``zerocity accounts enterprise show|grade|quota``
(:mod:`zerocity.accounts.enterprise`, :mod:`zerocity.accounts.allowances`). A city administrator
uploads the entity registry together with the stored inventory whose records (with an
``entity`` column) the accounts come from; the newest upload is the one in use. Accounts are
always computed and graded over every registered entity (the carbon code compares an entity
with its industry peers); an enterprise reporter then gets its own entity's row only.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from zerocity.accounts.allowances import project_quotas
from zerocity.accounts.enterprise import (
    ElectricityConvention,
    compute_accounts,
    grade_accounts,
    load_carbon_code_config,
    read_registry,
)
from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.factors import default_library
from zerocity.inventory import compute_inventory
from zerocity.jsonio import jsonable
from zerocity.service.deps import RowScope
from zerocity.service.errors import ApiError
from zerocity.store import load_inventory
from zerocity.store.db import as_utc
from zerocity.store.models import EnterpriseRegistry

__all__ = [
    "account_of",
    "graded_accounts",
    "project",
    "registry_rows",
    "upload_registry",
]

logger = logging.getLogger(__name__)

_SUFFIXES = (".csv", ".xlsx")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON rows of a frame (NaN/NaT -> None, timestamps as ISO text)."""
    data = frame.copy()
    for column in data.columns:
        if pd.api.types.is_datetime64_any_dtype(data[column]):
            data[column] = data[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    data = data.astype(object).where(pd.notna(data), None)
    rows: list[dict[str, Any]] = jsonable(data.to_dict(orient="records"))
    return rows


def _read(content: bytes, filename: str) -> pd.DataFrame:
    suffix = Path(filename).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ApiError(422, "invalid_request", f"{filename}: a registry is a .csv or .xlsx file")
    with tempfile.TemporaryDirectory(prefix="zerocity-registry-") as folder:
        path = Path(folder) / f"registry{suffix}"
        path.write_bytes(content)
        try:
            frame = read_registry(path)
        except InvalidRecordsError as exc:  # name the upload, not the temporary file
            raise InvalidRecordsError(filename, exc.issues) from None
    return frame


def upload_registry(
    session: Session, *, content: bytes, filename: str, inventory_id: int, created_by: str
) -> dict[str, Any]:
    """Validate and store an entity registry with the inventory its accounts come from.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Tenant session; the caller commits.
    content : bytes
        CSV or XLSX registry (columns of :data:`zerocity.accounts.enterprise.REGISTRY_COLUMNS`).
    filename : str
        Upload name (its suffix picks the reader).
    inventory_id : int
        A stored inventory whose records carry an ``entity`` column.
    created_by : str
        Actor text.

    Returns
    -------
    dict
        ``id``, ``filename``, ``rows``, ``inventory_id``, ``created_at``, ``created_by``.

    Raises
    ------
    InvalidRecordsError
        Bad registry cells (every one, with row and column); nothing is stored.
    """
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(filename or "registry.csv").name)[:100] or "registry.csv"
    frame = _read(content, name)
    stored = load_inventory(session, inventory_id)
    if "entity" not in stored.records.columns:
        raise InvalidRecordsError(
            f"inventory {inventory_id}", [RecordIssue(1, "entity", "the accounts inventory needs an entity column")]
        )
    row = EnterpriseRegistry(
        created_by=created_by[:200], filename=name, content=content, row_count=len(frame), inventory_id=inventory_id
    )
    session.add(row)
    session.flush()
    logger.info("stored enterprise registry %d (%d entities) on inventory %d", row.id, len(frame), inventory_id)
    return _registry_doc(row)


def _registry_doc(row: EnterpriseRegistry) -> dict[str, Any]:
    return {
        "id": row.id,
        "filename": row.filename,
        "rows": row.row_count,
        "inventory_id": row.inventory_id,
        "created_at": as_utc(row.created_at),
        "created_by": row.created_by,
    }


def _current(session: Session) -> tuple[EnterpriseRegistry, pd.DataFrame]:
    row = session.scalars(select(EnterpriseRegistry).order_by(EnterpriseRegistry.id.desc()).limit(1)).first()
    if row is None:
        raise ApiError(
            404, "no_registry", "no enterprise registry has been uploaded (PUT /accounts/enterprise/registry)"
        )
    return row, _read(bytes(row.content), row.filename)


def registry_rows(
    session: Session, *, scope: RowScope, limit: int, offset: int
) -> tuple[dict[str, Any], list[dict[str, Any]], int]:
    """The registry in use and its entities (an enterprise reporter: its own row only)."""
    row, frame = _current(session)
    if scope.entity_id is not None:
        frame = frame[frame["uscc"] == scope.entity_id]
    return _registry_doc(row), _records(frame.iloc[offset : offset + limit]), len(frame)


def graded_accounts(
    session: Session,
    *,
    scope: RowScope,
    year: int | None,
    electricity: ElectricityConvention,
    kgce_per_kwh: float | None,
) -> tuple[int, list[dict[str, Any]]]:
    """Accounts of ``year`` of every registered entity, graded against its peers, with the trend.

    As ``zerocity accounts enterprise grade``: the records of ``year`` and ``year - 1`` of the
    accounts inventory are computed with the inventory's GWP and region; the previous year's
    accounts give the trend when the records (and a year-specific registry) have that year.

    Returns
    -------
    year : int
        The account year (default: the latest year of the records).
    rows : list of dict
        :data:`zerocity.accounts.enterprise.ACCOUNT_COLUMNS` plus the grade columns of
        :func:`zerocity.accounts.enterprise.grade_accounts`; a reporter's own entity only.
    """
    if electricity is ElectricityConvention.EQUIVALENT and kgce_per_kwh is None:
        raise ApiError(422, "invalid_request", "kgce_per_kwh is required with electricity=equivalent")
    row, registry = _current(session)
    stored = load_inventory(session, row.inventory_id)
    records = stored.records
    records = records[records["entity"].fillna("").astype(str) != ""]
    if records.empty:
        raise ApiError(422, "invalid_request", f"inventory {row.inventory_id} has no records with an entity")
    years = pd.to_numeric(records["year"]).astype(int)
    y = int(year if year is not None else years.max())
    records = records[years.isin([y - 1, y])]
    if not (years == y).any():
        raise ApiError(404, "not_found", f"the accounts inventory has no records of {y}")
    params = stored.params or {}
    region = str(params.get("region") or "CN")
    inventory = compute_inventory(
        records, library=default_library(), gwp=str(params.get("gwp") or "AR5"), region=region, source="accounts"
    )
    options: dict[str, Any] = {
        "records": records,
        "electricity": electricity,
        "equivalent_kgce_per_kwh": kgce_per_kwh,
        "region": region,
    }
    accounts = compute_accounts(registry, emissions=inventory.emissions, year=y, **options)
    has_previous = "year" not in registry or bool((registry["year"] == y - 1).any())
    previous = (
        compute_accounts(registry, emissions=inventory.emissions, year=y - 1, **options)
        if bool((pd.to_numeric(records["year"]).astype(int) == y - 1).any()) and has_previous
        else None
    )
    graded = grade_accounts(accounts, config=load_carbon_code_config(), previous=previous)
    if scope.entity_id is not None:
        graded = graded[graded["uscc"] == scope.entity_id]
    return y, _records(graded)


def account_of(
    session: Session,
    *,
    scope: RowScope,
    uscc: str,
    year: int | None,
    electricity: ElectricityConvention,
    kgce_per_kwh: float | None,
) -> dict[str, Any]:
    """One entity's graded account (404 when not registered or outside the caller's scope)."""
    code = uscc.strip().upper()
    if scope.entity_id is not None and code != scope.entity_id:
        raise ApiError(404, "not_found", f"entity {uscc!r} not found")
    _, rows = graded_accounts(session, scope=scope, year=year, electricity=electricity, kgce_per_kwh=kgce_per_kwh)
    for row in rows:
        if row["uscc"] == code:
            return row
    raise ApiError(404, "not_found", f"entity {uscc!r} is not in the registry")


def project(
    *,
    scope: RowScope,
    quotas: list[dict[str, Any]],
    usage: list[dict[str, Any]],
    year: int | None,
    thresholds: list[float],
    warnings_only: bool,
) -> list[dict[str, Any]]:
    """Consumption to date, projected year-end use and warnings per quota (``accounts enterprise quota``).

    An enterprise reporter may only send its own entity's quotas and usage (403 naming the row).
    """
    if scope.entity_id is not None:
        for label, rows in (("quotas", quotas), ("usage", usage)):
            for i, item in enumerate(rows):
                if item["entity"] != scope.entity_id:
                    raise ApiError(
                        403,
                        "forbidden",
                        f"{label}[{i}]: entity {item['entity']!r} is not your entity {scope.entity_id!r}",
                        [{"location": ["body", label, str(i), "entity"]}],
                    )
    if year is None and not usage and all(q.get("year") is None for q in quotas):
        raise ApiError(422, "invalid_request", "give the quota year (year, or quotas[].year) or some usage")
    quota_years = [int(q["year"]) for q in quotas if q.get("year") is not None]
    usage_years = {int(u["time"][:4]) for u in usage if str(u["time"])[:4].isdigit()}
    wanted = year if year is not None else (max(quota_years) if quota_years else max(usage_years, default=None))
    if wanted is not None and wanted not in usage_years:
        # project_quotas fails on a year without usage (reported to its owner); refuse it clearly.
        raise ApiError(
            422, "invalid_request", f"no usage in the quota year {wanted}", [{"location": ["body", "usage"]}]
        )
    quota_frame = pd.DataFrame(quotas).dropna(axis=1, how="all")
    usage_frame = pd.DataFrame(usage, columns=["entity", "time", "amount"])
    projected = project_quotas(
        quota_frame, usage_frame, year=year, thresholds=thresholds, source="quotas", usage_source="usage"
    )
    if warnings_only:
        projected = projected[projected["status"] != "ok"]
    return _records(projected)
