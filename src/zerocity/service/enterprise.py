"""Enterprise accounts of a tenant: registry, graded accounts, quotas, allowances, finance export.

The same domain calls as ``zerocity accounts enterprise show|grade|quota|export|allowance``
(:mod:`zerocity.accounts.enterprise`, :mod:`zerocity.accounts.allowances`). A city administrator
uploads the entity registry together with the stored inventory whose records (with an
``entity`` column) the accounts come from; the newest upload is the one in use. Accounts are
always computed and graded over every registered entity (the carbon code compares an entity
with its industry peers); an enterprise reporter then gets its own entity's row only.

Allowances are the CLI's ledger entries (``allowance.issued|transferred|surrendered``, unsigned,
subject ``allowance:<tenant>:<pool>``), appended to the tenant's ledger with the caller's audit
name as actor. Only the city issues (the domain rule); units move from an account by its holder
(the domain's own tests move units with the sender as actor): an enterprise reporter transfers
and surrenders from its own entity's account only, a city administrator from any account.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.accounts.allowances import (
    SURRENDERED,
    AllowanceError,
    InsufficientAllowanceError,
    allowance_balances,
    issue_allowances,
    project_quotas,
    surrender_allowances,
    transfer_allowances,
)
from zerocity.accounts.enterprise import (
    AccountsError,
    ElectricityConvention,
    export_for_finance,
    grade_period,
    read_registry,
)
from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.jsonio import dumps, jsonable
from zerocity.ledger.log import Ledger
from zerocity.service.deps import RowScope
from zerocity.service.errors import ApiError
from zerocity.service.inventories import ExportedFile, ExportFormat, inventory_library
from zerocity.service.mrv import platform_key
from zerocity.service.principal import Principal
from zerocity.service.settings import Settings
from zerocity.store import load_inventory
from zerocity.store.db import as_utc
from zerocity.store.models import EnterpriseRegistry

__all__ = [
    "account_of",
    "allowance_balances_of",
    "finance_export",
    "graded_accounts",
    "issue",
    "project",
    "registry_rows",
    "surrender",
    "transfer",
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

    As ``zerocity accounts enterprise grade``: the stored registry and the records of the accounts
    inventory go to :func:`zerocity.accounts.enterprise.grade_period` with the inventory's GWP
    and region.

    Returns
    -------
    year : int
        The account year (default: the latest year of the records).
    rows : list of dict
        :data:`zerocity.accounts.enterprise.ACCOUNT_COLUMNS` plus the grade columns of
        :func:`zerocity.accounts.enterprise.grade_accounts`; a reporter's own entity only.
    """
    y, graded = _graded_frame(session, year=year, electricity=electricity, kgce_per_kwh=kgce_per_kwh)
    if scope.entity_id is not None:
        graded = graded[graded["uscc"] == scope.entity_id]
    return y, _records(graded)


def _graded_frame(
    session: Session, *, year: int | None, electricity: ElectricityConvention, kgce_per_kwh: float | None
) -> tuple[int, pd.DataFrame]:
    """The graded accounts of every registered entity (422 naming the problem of the accounts data)."""
    row, registry = _current(session)
    stored = load_inventory(session, row.inventory_id)
    params = stored.params or {}
    try:
        return grade_period(
            registry,
            stored.records,
            year=year,
            electricity=electricity,
            equivalent_kgce_per_kwh=kgce_per_kwh,
            region=str(params.get("region") or "CN"),
            gwp=str(params.get("gwp") or "AR5"),
            library=inventory_library(session, params),
            source=f"inventory {row.inventory_id}",
        )
    except AccountsError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None


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


def account_report(
    session: Session,
    *,
    scope: RowScope,
    uscc: str,
    year: int | None,
    electricity: ElectricityConvention,
    kgce_per_kwh: float | None,
    fmt: str,
    lang: str,
) -> ExportedFile:
    """One entity's account report (:func:`zerocity.reports.build_enterprise_report`), PDF or XLSX.

    As ``zerocity report enterprise``: graded against every registered peer, printed with the
    registry's name in the report's language (``name_zh``/``name_en`` when the registry has them).
    A reporter gets its own entity's only (404 otherwise).
    """
    from zerocity.reports import ReportError, build_enterprise_report, report_bytes

    code = uscc.strip().upper()
    if scope.entity_id is not None and code != scope.entity_id:
        raise ApiError(404, "not_found", f"entity {uscc!r} not found")
    y, graded = _graded_frame(session, year=year, electricity=electricity, kgce_per_kwh=kgce_per_kwh)
    _, registry = _current(session)
    own = registry[registry["uscc"].astype(str).str.strip().str.upper() == code]
    if own.empty or not (graded["uscc"].astype(str).str.upper() == code).any():
        raise ApiError(404, "not_found", f"entity {uscc!r} is not in the registry")
    name = None
    for column in (f"name_{lang}", "name"):
        if column in own.columns and str(own.iloc[0][column] or "").strip():
            name = str(own.iloc[0][column]).strip()
            break
    try:
        report = build_enterprise_report(graded, code, lang=lang, name=name)
    except ReportError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    content, media, suffix = report_bytes(report, fmt)
    return ExportedFile(content, media, f"{code}-{y}-account-{lang}.{suffix}")


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
    quota_frame = pd.DataFrame(quotas).dropna(axis=1, how="all")
    usage_frame = pd.DataFrame(usage, columns=["entity", "time", "amount"])
    projected = project_quotas(
        quota_frame, usage_frame, year=year, thresholds=thresholds, source="quotas", usage_source="usage"
    )
    if warnings_only:
        projected = projected[projected["status"] != "ok"]
    return _records(projected)


# ------------------------------------------------------------------------------ finance export
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def finance_export(
    session: Session, engine: Engine, *, principal: Principal, year: int | None, fmt: ExportFormat
) -> ExportedFile:
    """The per-entity table for banks and green finance (``zerocity accounts enterprise export``).

    The graded accounts of ``year`` (calorific electricity, the shipped grading rule, as the CLI)
    with each entity's MRV status on the tenant's ledger
    (:func:`zerocity.accounts.enterprise.export_for_finance`), as CSV (UTF-8), XLSX or JSON.
    """
    y, graded = _graded_frame(session, year=year, electricity=ElectricityConvention.CALORIFIC, kgce_per_kwh=None)
    table = export_for_finance(graded, ledger=Ledger(engine), tenant=str(principal.tenant))
    name = f"finance-{principal.tenant}-{y}"
    if fmt is ExportFormat.CSV:
        return ExportedFile(table.to_csv(index=False).encode("utf-8"), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt is ExportFormat.XLSX:
        buffer = io.BytesIO()
        table.to_excel(buffer, index=False, sheet_name="finance")
        return ExportedFile(buffer.getvalue(), _XLSX, f"{name}.xlsx")
    return ExportedFile(dumps(_records(table)).encode("utf-8"), "application/json", f"{name}.json")


# ------------------------------------------------------------------------------ allowances
def _ledger(engine: Engine, settings: Settings) -> Ledger:
    return Ledger(engine, platform_key=platform_key(settings))


def _holder(scope: RowScope, source: str) -> str:
    """The sending account: a reporter's own entity only (403 otherwise)."""
    if scope.entity_id is not None and source != scope.entity_id:
        raise ApiError(
            403,
            "forbidden",
            f"you move allowances of your own entity {scope.entity_id!r}, not of {source!r}",
            [{"location": ["body", "source"]}],
        )
    return source


def _moved(engine: Engine, *, principal: Principal, pool: str, index: int, accounts: list[str]) -> dict[str, Any]:
    """The entry appended and the balances after it of the accounts it moved units between."""
    balances = allowance_balances(Ledger(engine), pool, tenant=str(principal.tenant))
    entry = Ledger(engine).entry(index)
    return {
        "entry": index,
        "type": entry.type,
        "actor": entry.actor,
        "pool": pool,
        "payload": entry.payload,
        "balances": {a: _units(balances.get(a, Decimal(0))) for a in accounts},
    }


def _units(value: Decimal) -> str:
    """Exact decimal text of a balance without trailing zeros (``50.0`` -> ``50``, ``19.50`` -> ``19.5``)."""
    return format(value.normalize(), "f")


def _refused(exc: AllowanceError) -> ApiError:
    if isinstance(exc, InsufficientAllowanceError):
        return ApiError(409, "insufficient_allowance", str(exc), [{"location": ["body", "amount"]}])
    return ApiError(422, "invalid_request", str(exc))


def issue(
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    pool: str,
    to: str,
    amount: Decimal,
    period: str,
    note: str,
) -> dict[str, Any]:
    """Issue ``amount`` allowances [t CO2e or tce] of ``pool`` to account ``to`` (the city administrator).

    Returns
    -------
    dict
        ``entry`` (ledger index), ``type``, ``actor``, ``pool``, ``payload`` and ``balances``
        (account -> units after the entry, exact decimal text).
    """
    try:
        index = issue_allowances(
            _ledger(engine, settings),
            actor=principal.actor,
            role=principal.role.value,  # the domain rule: only city_admin (or platform) issues
            pool=pool,
            to=to,
            amount=amount,
            tenant=str(principal.tenant),
            period=period,
            note=note,
        )
    except AllowanceError as exc:
        raise _refused(exc) from None
    return _moved(engine, principal=principal, pool=pool, index=index, accounts=[to])


def transfer(
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    scope: RowScope,
    pool: str,
    source: str,
    to: str,
    amount: Decimal,
    note: str,
) -> dict[str, Any]:
    """Move ``amount`` allowances from ``source`` to ``to``; 409 when ``source`` holds fewer.

    An enterprise reporter sends from its own entity's account only (403 otherwise).
    """
    _holder(scope, source)
    try:
        index = transfer_allowances(
            _ledger(engine, settings),
            actor=principal.actor,
            pool=pool,
            source=source,
            to=to,
            amount=amount,
            tenant=str(principal.tenant),
            note=note,
        )
    except AllowanceError as exc:
        raise _refused(exc) from None
    return _moved(engine, principal=principal, pool=pool, index=index, accounts=[source, to])


def surrender(
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    scope: RowScope,
    pool: str,
    source: str,
    amount: Decimal,
    period: str,
    note: str,
) -> dict[str, Any]:
    """Surrender ``amount`` allowances of ``source`` for compliance in ``period``; 409 when it holds fewer.

    An enterprise reporter surrenders its own entity's units only (403 otherwise).
    """
    _holder(scope, source)
    try:
        index = surrender_allowances(
            _ledger(engine, settings),
            actor=principal.actor,
            pool=pool,
            source=source,
            amount=amount,
            period=period,
            tenant=str(principal.tenant),
            note=note,
        )
    except AllowanceError as exc:
        raise _refused(exc) from None
    return _moved(engine, principal=principal, pool=pool, index=index, accounts=[source, SURRENDERED])


def allowance_balances_of(
    engine: Engine, *, principal: Principal, scope: RowScope, pool: str, account: str | None
) -> dict[str, Any]:
    """Balances of a pool replayed from the tenant's ledger (``zerocity accounts enterprise allowance balance``).

    An enterprise reporter sees its own entity's account only. A pool with no entry in the
    tenant's ledger, or an account without movements in it, is 404.

    Returns
    -------
    dict
        ``pool`` and ``balances``: ``[{"account", "balance"}]`` sorted by account, balances as
        exact decimal text [t CO2e or tce] (the pseudo-account ``surrendered`` holds what was
        surrendered).
    """
    balances = allowance_balances(Ledger(engine), pool, tenant=str(principal.tenant))
    if not balances:
        raise ApiError(404, "not_found", f"no allowance pool {pool!r}")
    if scope.entity_id is not None:
        if account not in (None, scope.entity_id):
            raise ApiError(404, "not_found", f"no account {account!r} of yours in pool {pool!r}")
        account = scope.entity_id
    if account is not None:
        if account not in balances:
            raise ApiError(404, "not_found", f"account {account!r} has no allowances in pool {pool!r}")
        balances = {account: balances[account]}
    return {"pool": pool, "balances": [{"account": a, "balance": _units(v)} for a, v in sorted(balances.items())]}
