"""Routes of the enterprise and MRV pages: list, enterprise page, self-service submission, decisions.

* ``/enterprises`` (``enterprise.read``; a reporter is sent to its own entity): carbon code list
  with search and filters.
* ``/enterprises/{uscc}``: account, grade and its reason, quota gauge, warnings, history,
  verification status; ``/enterprises/{uscc}/records.csv``: the entity's records of a year.
* ``/enterprises/{uscc}/submit`` (a reporter, its own entity; ``mrv.submit`` and
  ``inventory.import``): upload records, see the validation report, submit the report to MRV.
* ``/mrv`` (``mrv.read``): report states; verifiers (``mrv.decide``) verify or reject.

Submissions and decisions call the API's service functions (:mod:`zerocity.service.inventories`,
:mod:`zerocity.service.mrv`), so the rules (own entity, no self-verification, one pending version)
are the API's.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.engine import Engine

from zerocity.accounts.enterprise import AccountsError
from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.i18n import N_
from zerocity.inventory.records import read_records
from zerocity.ledger.log import Ledger
from zerocity.ledger.mrv import ReportState, report_id, report_status
from zerocity.reports import ReportError
from zerocity.service import mrv as service_mrv
from zerocity.service.deps import RowScope, row_scope
from zerocity.service.errors import ApiError
from zerocity.service.inventories import UPLOAD_SUFFIXES, import_inventory
from zerocity.service.permissions import Permission, allowed
from zerocity.service.principal import Principal
from zerocity.store.db import session_scope
from zerocity.web import auth, enterprises, mrvdata, views
from zerocity.web.issues import api_error_text, shown_issues
from zerocity.web.pages import Page, city_of, message, page_of, pick_year, render, to_login
from zerocity.web.reports import REPORT_FORMATS, attachment, enterprise_report_file

__all__ = ["router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Notices shown after a redirect (``?done=``): value -> message id.
DONE_IDS = {
    "submitted": N_("web_done_submitted"),
    "verified": N_("web_done_verified"),
    "rejected": N_("web_done_rejected"),
}


@dataclass(frozen=True)
class Ctx:
    """A request of a logged-in tenant user holding the page's permission."""

    page: Page
    data: views.CityData
    user: Principal
    tenant: str
    engine: Engine

    @property
    def cache_key(self) -> str:
        """The deployment's cache key (data directory)."""
        return str(self.page.settings.data_dir)


def _guard(request: Request, permission: Permission) -> Ctx | Response:
    """The context when the user is logged in and holds ``permission``; else the answer to send."""
    page = page_of(request)
    user = page.user
    if user is None:
        return to_login(request)
    if not allowed(user.role, permission):
        return message(page, "web_forbidden", 403)
    data = city_of(page)
    if isinstance(data, HTMLResponse):
        return data
    if user.tenant is None:
        return message(page, "web_no_tenant", 403)
    return Ctx(page, data, user, user.tenant, page.registry.engine(user.tenant))


def _registry(c: Ctx) -> enterprises.Registry | None:
    return enterprises.current_registry(c.tenant, c.engine, cache_key=c.cache_key)


def _entity(request: Request, uscc: str) -> tuple[Ctx, str, str | None, enterprises.Registry] | Response:
    """Context, entity code, the caller's own entity and the registry of an enterprise page.

    An enterprise reporter asking for another entity gets 404 (as if it did not exist); so does a
    tenant without an enterprise registry.
    """
    guarded = _guard(request, Permission.ENTERPRISE_READ)
    if isinstance(guarded, Response):
        return guarded
    code = uscc.strip().upper()
    own = row_scope(guarded.user).entity_id
    if own is not None and code != own:
        return message(guarded.page, "web_not_found", 404)
    registry = _registry(guarded)
    if registry is None:
        return message(guarded.page, "web_no_registry", 404)
    return guarded, code, own, registry


def _graded(c: Ctx, registry: enterprises.Registry, year: int) -> pd.DataFrame | Response:
    """The graded accounts of ``year``, or the page saying why they cannot be computed."""
    versions = mrvdata.entity_versions(c.engine, verified_only=False)
    try:
        return enterprises.graded_accounts(c.tenant, c.engine, registry, year, versions, cache_key=c.cache_key)
    except AccountsError as exc:
        return render(
            c.page, "message.html.j2", status=422, message=c.page.t("web_accounts_failed", year=year), detail=str(exc)
        )


@router.get("/enterprises", response_class=HTMLResponse)
def enterprise_list_page(
    request: Request,
    year: int | None = None,
    q: str = "",
    grade: str = "",
    district: str = "",
    page: int = 1,
) -> Response:
    """Enterprises with their carbon code: search by name or code, filter by grade and district."""
    guarded = _guard(request, Permission.ENTERPRISE_READ)
    if isinstance(guarded, Response):
        return guarded
    c = guarded
    p, data = c.page, c.data
    own = row_scope(c.user).entity_id
    if own is not None:
        return RedirectResponse(f"/enterprises/{own}", status_code=303)
    registry = _registry(c)
    if registry is None:
        return message(p, "web_no_registry", 404)
    y = pick_year(data, year)
    chosen_grade = int(grade) if grade.isdigit() and 1 <= int(grade) <= 5 else None
    graded = _graded(c, registry, y)
    if isinstance(graded, Response):
        return graded
    view = enterprises.enterprise_list(
        graded, registry, p.lang, q=q[:100], grade=chosen_grade, district=district[:20], page=page
    )
    names = data.profile.district_names(p.lang)
    return render(
        p,
        "enterprises.html.j2",
        profile=data.profile,
        view=view,
        year=y,
        years=data.years,
        q=q[:100],
        grade=chosen_grade,
        district=district[:20],
        district_names=names,
        grade_ids=views.GRADE_IDS,
    )


@router.get("/enterprises/{uscc}", response_class=HTMLResponse)
def enterprise_page(request: Request, uscc: str, year: int | None = None, done: str = "") -> Response:
    """One enterprise: account, carbon code, quota, warnings, history and verification status."""
    found = _entity(request, uscc)
    if isinstance(found, Response):
        return found
    c, code, own, registry = found
    p, data = c.page, c.data
    y = pick_year(data, year)
    engine = c.engine
    reports = mrvdata.report_states(engine)
    graded = _graded(c, registry, y)
    if isinstance(graded, Response):
        return graded
    try:
        view = enterprises.account_page(data, engine, graded, registry, code, y, reports, p.lang, p.t)
    except KeyError:
        return message(p, "web_not_found", 404)
    can_submit = (
        allowed(c.user.role, Permission.MRV_SUBMIT)
        and allowed(c.user.role, Permission.INVENTORY_IMPORT)
        and own == code
    )
    return render(
        p,
        "enterprise.html.j2",
        profile=data.profile,
        view=view,
        years=data.years,
        can_submit=can_submit,
        notice=p.t(DONE_IDS[done]) if done in DONE_IDS else "",
        district_names=data.profile.district_names(p.lang),
    )


@router.get("/enterprises/{uscc}/records.csv")
def enterprise_records(request: Request, uscc: str, year: int | None = None) -> Response:
    """The entity's records of a year (with its latest submitted version), as CSV."""
    found = _entity(request, uscc)
    if isinstance(found, Response):
        return found
    c, code, _own, registry = found
    p, data = c.page, c.data
    y = pick_year(data, year)
    engine = c.engine
    stored = views.stored_records(c.tenant, engine, registry.inventory_id, cache_key=str(p.settings.data_dir))
    versions = [v for v in mrvdata.entity_versions(engine, verified_only=False) if v.entity == code and v.year == y]
    records = mrvdata.apply_versions(stored.records, versions) if versions else stored.records
    body = enterprises.entity_records_csv(records, code, y)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{code}-{y}-records.csv"'},
    )


@router.get("/enterprises/{uscc}/report.{fmt}")
def enterprise_report(request: Request, uscc: str, fmt: str, year: int | None = None) -> Response:
    """The entity's account report of a year (PDF or XLSX, in the page's language): the page's numbers.

    The same rights as the enterprise page (a reporter: its own entity only, 404 otherwise).
    """
    found = _entity(request, uscc)
    if isinstance(found, Response):
        return found
    c, code, _own, registry = found
    p = c.page
    kind = REPORT_FORMATS.get(fmt)
    if kind is None:
        return message(p, "web_not_found", 404)
    y = pick_year(c.data, year)
    graded = _graded(c, registry, y)
    if isinstance(graded, Response):
        return graded
    if not (graded["uscc"] == code).any():
        return message(p, "web_not_found", 404)
    try:
        file = enterprise_report_file(graded, registry, code, y, p.lang, kind)
    except ReportError as exc:
        return render(p, "message.html.j2", status=422, message=p.t("web_report_failed"), detail=str(exc))
    return attachment(file)


def _may_submit(user: Principal, code: str) -> bool:
    return (
        allowed(user.role, Permission.MRV_SUBMIT)
        and allowed(user.role, Permission.INVENTORY_IMPORT)
        and row_scope(user).entity_id == code
    )


def _precheck(content: bytes, filename: str, code: str, year: int) -> list[RecordIssue]:
    """Rows of another entity or year (before the full validation of :func:`import_inventory`)."""
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return [RecordIssue(0, "", f"expected a .csv or .xlsx file, got {filename!r}")]
    with tempfile.TemporaryDirectory(prefix="zerocity-web-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            raw = read_records(path)
        except ZerocityError as exc:
            return [RecordIssue(0, "", str(exc))]
        except Exception as exc:  # untrusted upload: any reader failure is the file's
            return [RecordIssue(0, "", f"cannot read the file: {type(exc).__name__}")]
    issues = []
    for column, expected in (("entity", code), ("year", str(year))):
        if column not in raw.columns:
            issues.append(RecordIssue(1, column, f"the column {column!r} is required"))
            continue
        values = raw[column].fillna("").astype(str).str.strip()
        if column == "year":
            values = values.str.replace(r"\.0$", "", regex=True)
        for row, value in enumerate(values, start=1):
            if value != expected:
                issues.append(RecordIssue(row, column, f"expected {expected!r} (the reported {column})", value))
    return issues


@router.get("/enterprises/{uscc}/submit", response_class=HTMLResponse)
def submit_form(request: Request, uscc: str, year: int | None = None) -> Response:
    """The self-service submission form of a reporter's own entity."""
    guarded = _guard(request, Permission.MRV_SUBMIT)
    if isinstance(guarded, Response):
        return guarded
    c = guarded
    p, data = c.page, c.data
    code = uscc.strip().upper()
    if not _may_submit(c.user, code):
        return message(p, "web_forbidden", 403)
    y = pick_year(data, year)
    return render(p, "submit.html.j2", profile=data.profile, uscc=code, year=y, years=data.years, issues=None)


@router.post("/enterprises/{uscc}/submit", response_class=HTMLResponse)
def submit(
    request: Request,
    uscc: str,
    year: Annotated[int, Form()],
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Validate the uploaded records; when valid, store them and submit the year's report to MRV."""
    guarded = _guard(request, Permission.MRV_SUBMIT)
    if isinstance(guarded, Response):
        return guarded
    c = guarded
    p, data = c.page, c.data
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(p, "web_csrf", 403)
    code = uscc.strip().upper()
    user = c.user
    if not _may_submit(user, code):
        return message(p, "web_forbidden", 403)
    engine = c.engine
    filename = Path(file.filename or "records.csv").name
    content = file.file.read()

    def report(issues: list[RecordIssue], status: int = 422) -> Response:
        return render(
            p,
            "submit.html.j2",
            status=status,
            profile=data.profile,
            uscc=code,
            year=year,
            years=data.years,
            issues=shown_issues(issues, p.t),
            filename=filename,
        )

    rid = report_id(code, str(year), c.tenant)
    if report_status(Ledger(engine), rid)["state"] == ReportState.REPORTED:
        return message(p, "web_awaits_decision", 409, report=rid)
    issues = _precheck(content, filename, code, year)
    if issues:
        return report(issues)
    scope: RowScope = row_scope(user)
    try:
        with session_scope(engine) as session:
            inventory_id = import_inventory(
                session,
                content=content,
                filename=filename,
                name=f"{code} {year} (web submission)",
                gwp=views.stored_records(
                    c.tenant, engine, data.profile.inventory_id, cache_key=str(p.settings.data_dir)
                ).gwp,
                region=data.profile.region,
                level=data.level,
                scope=scope,
                created_by=user.actor,
            )
    except InvalidRecordsError as exc:
        return report(list(exc.issues))
    except ZerocityError as exc:
        return report([RecordIssue(0, "", str(exc))])
    try:
        with session_scope(engine) as session:
            service_mrv.submit_inventory_report(
                session,
                engine,
                p.settings,
                principal=user,
                scope=scope,
                inventory_id=inventory_id,
                period=str(year),
                entity=None,
                note=note,
            )
    except ApiError as exc:
        text, detail = api_error_text(exc.code, exc.message, exc.details, p.lang, p.t)
        return render(p, "message.html.j2", status=exc.status, message=text, detail=detail)
    logger.info("web submission of %s %d by %s (inventory %d)", code, year, user.actor, inventory_id)
    return RedirectResponse(f"/enterprises/{code}?year={year}&done=submitted", status_code=303)


@router.get("/mrv", response_class=HTMLResponse)
def mrv_page(request: Request, state: str = "", done: str = "") -> Response:
    """Report states (a reporter: its own entity's); verifiers decide pending reports here."""
    guarded = _guard(request, Permission.MRV_READ)
    if isinstance(guarded, Response):
        return guarded
    c = guarded
    p, data = c.page, c.data
    engine = c.engine
    own = row_scope(c.user).entity_id
    reports = [r for r in mrvdata.report_states(engine) if own is None or r["entity"] == own]
    if state in enterprises.STATE_IDS:
        reports = [r for r in reports if r["state"] == state]
    registry = _registry(c)
    for r in reports:
        r["state_name"] = p.t(enterprises.STATE_IDS[str(r["state"])]) if r["state"] in enterprises.STATE_IDS else ""
        base = str(r["entity"]) or p.t("web_city_report")
        r["name"] = registry.name(str(r["entity"]), base, p.lang) if registry else base
        if registry is not None and p.lang != "zh":
            match = registry.frame[registry.frame["uscc"] == r["entity"]]
            r["name"] = str(match["name"].iloc[0]) if len(match) else base
        latest = r["versions"][-1] if r["versions"] else None  # type: ignore[index]
        r["total"] = (latest or {}).get("totals", {}) if latest else {}
    return render(
        p,
        "mrv.html.j2",
        profile=data.profile,
        reports=reports,
        state=state,
        states=enterprises.STATE_IDS,
        can_decide=allowed(c.user.role, Permission.MRV_DECIDE),
        notice=p.t(DONE_IDS[done]) if done in DONE_IDS else "",
    )


@router.post("/mrv/decide", response_class=HTMLResponse)
def mrv_decide(
    request: Request,
    report: Annotated[str, Form(max_length=300)],
    decision: Annotated[str, Form(max_length=10)],
    reason: Annotated[str, Form(max_length=1000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Verify or reject the pending version of a report (the API's rules: not one's own entity or report)."""
    guarded = _guard(request, Permission.MRV_DECIDE)
    if isinstance(guarded, Response):
        return guarded
    c = guarded
    p = c.page
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(p, "web_csrf", 403)
    user = c.user
    if decision not in ("verify", "reject"):
        return message(p, "web_forbidden", 403)
    engine = c.engine
    verified = decision == "verify"
    try:
        service_mrv.decide(
            engine,
            p.settings,
            principal=user,
            report=report,
            verified=verified,
            reasons=[reason] if reason.strip() else [],
            note="" if not verified else reason,
        )
    except ApiError as exc:
        text, detail = api_error_text(exc.code, exc.message, exc.details, p.lang, p.t)
        return render(p, "message.html.j2", status=exc.status, message=text, detail=detail)
    return RedirectResponse(f"/mrv?done={'verified' if verified else 'rejected'}", status_code=303)
