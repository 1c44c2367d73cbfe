"""Enterprise accounts of the caller's tenant: registry, graded accounts, quotas, allowances, export.

Mirrors ``zerocity accounts enterprise show|grade|quota|export|allowance``; see
:mod:`zerocity.service.enterprise`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.accounts.enterprise import ElectricityConvention
from zerocity.reports import MEDIA_TYPES, ReportFormat
from zerocity.service import enterprise as service
from zerocity.service.deps import Page, get_settings, row_scope, tenant_engine, tenant_session
from zerocity.service.inventories import ExportFormat
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import (
    REPORT_MEDIA,
    ReportFormatQuery,
    ReportLangQuery,
    audit_success,
    download,
    file_responses,
)
from zerocity.service.schemas import (
    AccountsPage,
    AllowanceBalances,
    AllowanceIssueIn,
    AllowanceMoved,
    AllowanceSurrenderIn,
    AllowanceTransferIn,
    QuotaProjectionRequest,
    RegistryPage,
    RegistryPublic,
    error_responses,
)
from zerocity.service.settings import Settings

router = APIRouter(prefix="/accounts/enterprise", tags=["enterprise accounts"])
_ERRORS = error_responses(400, 401, 403, 404, 413, 422)
_MOVE_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422)

Year = Annotated[int | None, Query(ge=1900, le=2200, description="Account year (default: latest in the records).")]
Electricity = Annotated[
    ElectricityConvention,
    Query(description="Electricity to tce: calorific (0.1229 kgce/kWh) or equivalent (give kgce_per_kwh)."),
]
KgcePerKwh = Annotated[
    float | None, Query(gt=0, le=1, description="Power-supply coal consumption [kgce/kWh] for equivalent.")
]


@router.put("/registry", response_model=RegistryPublic, responses=_ERRORS, summary="Set the entity registry")
def put_registry(
    request: Request,
    file: Annotated[UploadFile, File(description="Entity registry, CSV or XLSX (uscc, name, industry_code, ...).")],
    inventory_id: Annotated[int, Form(ge=1, le=2**31 - 1, description="Inventory whose entity records give accounts.")],
    principal: Principal = Depends(require(Permission.ENTERPRISE_REGISTRY_MANAGE)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Validate and store the registry (every bad cell in one 422); it replaces the one in use."""
    doc = service.upload_registry(
        session,
        content=file.file.read(),
        filename=file.filename or "registry.csv",
        inventory_id=inventory_id,
        created_by=principal.actor,
    )
    session.commit()
    audit_success(request, principal, "enterprise.registry", f"registry:{doc['id']}", details={"rows": doc["rows"]})
    return doc


@router.get("/registry", response_model=RegistryPage, responses=_ERRORS, summary="Entities of the registry")
def get_registry(
    page: Page,
    principal: Principal = Depends(require(Permission.ENTERPRISE_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """The registry in use and its entities (an enterprise reporter: its own row only)."""
    doc, items, total = service.registry_rows(session, scope=row_scope(principal), limit=page.limit, offset=page.offset)
    return {"registry": doc, "items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/accounts", response_model=AccountsPage, responses=_ERRORS, summary="Graded accounts (carbon code)")
def list_accounts(
    page: Page,
    year: Year = None,
    electricity: Electricity = ElectricityConvention.CALORIFIC,
    kgce_per_kwh: KgcePerKwh = None,
    grade: Annotated[int | None, Query(ge=1, le=5, description="Only entities of this grade.")] = None,
    principal: Principal = Depends(require(Permission.ENTERPRISE_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """Every entity's account of the year, graded (a reporter: its own row only).

    Scopes [t CO2e], energy [tce], intensities, grade 1-5, percentile among its industry peers,
    trend and explanation.
    """
    y, rows = service.graded_accounts(
        session, scope=row_scope(principal), year=year, electricity=electricity, kgce_per_kwh=kgce_per_kwh
    )
    if grade is not None:
        rows = [r for r in rows if r.get("grade") == grade]
    items = rows[page.offset : page.offset + page.limit]
    return {"year": y, "items": items, "total": len(rows), "limit": page.limit, "offset": page.offset}


@router.get("/accounts/{uscc}", responses=_ERRORS, summary="One entity's account and carbon code")
def get_account(
    uscc: Annotated[str, Path(min_length=18, max_length=18, pattern="^[0-9A-Za-z]{18}$", description="USCC.")],
    year: Year = None,
    electricity: Electricity = ElectricityConvention.CALORIFIC,
    kgce_per_kwh: KgcePerKwh = None,
    principal: Principal = Depends(require(Permission.ENTERPRISE_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> dict[str, Any]:
    """As ``zerocity accounts enterprise show`` (a reporter: its own entity only, else 404)."""
    return service.account_of(
        session, scope=row_scope(principal), uscc=uscc, year=year, electricity=electricity, kgce_per_kwh=kgce_per_kwh
    )


@router.get(
    "/accounts/{uscc}/report",
    responses=file_responses(_ERRORS, *REPORT_MEDIA),
    summary="One entity's account report",
)
def account_report(
    uscc: Annotated[str, Path(min_length=18, max_length=18, pattern="^[0-9A-Za-z]{18}$", description="USCC.")],
    year: Year = None,
    electricity: Electricity = ElectricityConvention.CALORIFIC,
    kgce_per_kwh: KgcePerKwh = None,
    format: ReportFormatQuery = "pdf",
    lang: ReportLangQuery = "en",
    principal: Principal = Depends(require(Permission.ENTERPRISE_READ)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> Response:
    """As ``zerocity report enterprise``: scopes, energy, intensities, carbon code grade and reason."""
    exported = service.account_report(
        session,
        scope=row_scope(principal),
        uscc=uscc,
        year=year,
        electricity=electricity,
        kgce_per_kwh=kgce_per_kwh,
        fmt=format,
        lang=lang,
    )
    return download(exported.content, exported.media_type, exported.filename)


@router.post("/quotas/projection", responses=_ERRORS, summary="Quota projection and warnings")
def quota_projection(
    body: QuotaProjectionRequest,
    principal: Principal = Depends(require(Permission.ENTERPRISE_READ)),  # noqa: B008
) -> list[dict[str, Any]]:
    """Consumption to date, projected year-end use (seasonal or linear) and warning status per quota.

    ``warnings_only`` keeps the quotas whose status is not ``ok`` (reached or projected to reach a
    threshold). An enterprise reporter sends its own entity's rows only (403 naming the row).
    """
    return service.project(
        scope=row_scope(principal),
        quotas=[q.model_dump() for q in body.quotas],
        usage=[u.model_dump() for u in body.usage],
        year=body.year,
        thresholds=body.thresholds,
        warnings_only=body.warnings_only,
    )


@router.get(
    "/export",
    responses=file_responses(_ERRORS, "text/csv", "application/json", MEDIA_TYPES[ReportFormat.XLSX]),
    summary="Bank and green-finance export",
)
def finance_export(
    year: Year = None,
    format: Annotated[ExportFormat, Query(description="csv, xlsx or json.")] = ExportFormat.CSV,
    principal: Principal = Depends(require(Permission.ENTERPRISE_EXPORT)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> Response:
    """Per entity: grade, intensity [t CO2e per 10^4 yuan], trend and MRV verification status.

    As ``zerocity accounts enterprise export`` (calorific electricity, the shipped grading rule),
    with the status of each entity's report of the year on the tenant's ledger.
    """
    exported = service.finance_export(session, engine, principal=principal, year=year, fmt=format)
    return download(exported.content, exported.media_type, exported.filename)


@router.post(
    "/allowances/issue",
    status_code=201,
    response_model=AllowanceMoved,
    responses=_MOVE_ERRORS,
    summary="Issue allowances",
)
def allowance_issue(
    request: Request,
    body: AllowanceIssueIn,
    principal: Principal = Depends(require(Permission.ALLOWANCE_ISSUE)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Issue units of a pool to an account: an ``allowance.issued`` ledger entry (the city only)."""
    done = service.issue(
        engine,
        settings,
        principal=principal,
        pool=body.pool,
        to=body.to,
        amount=body.amount,
        period=body.period,
        note=body.note,
    )
    audit_success(request, principal, "allowance.issue", f"ledger:{done['entry']}", status_code=201)
    return done


@router.post(
    "/allowances/transfer",
    status_code=201,
    response_model=AllowanceMoved,
    responses=_MOVE_ERRORS,
    summary="Transfer allowances",
)
def allowance_transfer(
    request: Request,
    body: AllowanceTransferIn,
    principal: Principal = Depends(require(Permission.ALLOWANCE_MOVE)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Move units between accounts; 409 when the sender holds fewer (a balance never goes negative).

    An enterprise reporter sends from its own entity's account only (403 otherwise).
    """
    done = service.transfer(
        engine,
        settings,
        principal=principal,
        scope=row_scope(principal),
        pool=body.pool,
        source=body.source,
        to=body.to,
        amount=body.amount,
        note=body.note,
    )
    audit_success(request, principal, "allowance.transfer", f"ledger:{done['entry']}", status_code=201)
    return done


@router.post(
    "/allowances/surrender",
    status_code=201,
    response_model=AllowanceMoved,
    responses=_MOVE_ERRORS,
    summary="Surrender allowances",
)
def allowance_surrender(
    request: Request,
    body: AllowanceSurrenderIn,
    principal: Principal = Depends(require(Permission.ALLOWANCE_MOVE)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Surrender units for compliance in a period; 409 when the account holds fewer.

    An enterprise reporter surrenders its own entity's units only (403 otherwise).
    """
    done = service.surrender(
        engine,
        settings,
        principal=principal,
        scope=row_scope(principal),
        pool=body.pool,
        source=body.source,
        amount=body.amount,
        period=body.period,
        note=body.note,
    )
    audit_success(request, principal, "allowance.surrender", f"ledger:{done['entry']}", status_code=201)
    return done


@router.get("/allowances/balance", response_model=AllowanceBalances, responses=_ERRORS, summary="Allowance balances")
def allowance_balance(
    pool: Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")],
    account: Annotated[
        str | None, Query(min_length=1, max_length=64, description="One account (default: every account).")
    ] = None,
    principal: Principal = Depends(require(Permission.ENTERPRISE_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """Balances of a pool replayed from the ledger [t CO2e or tce] (a reporter: its own account only).

    ``surrendered`` is the pseudo-account holding surrendered units. A pool without entries, or
    an account without movements in it, is 404.
    """
    return service.allowance_balances_of(
        engine, principal=principal, scope=row_scope(principal), pool=pool, account=account
    )
