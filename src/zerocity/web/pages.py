"""Routes of the dashboard: login, language, city overview, district map and district pages.

Every page renders a Jinja2 template of ``zerocity/web/templates`` with the language's message
catalogue (:func:`zerocity.i18n.install_jinja`). Access follows the API's permission table: city
pages show the tenant's city inventory to roles that may read inventories without a row limit
(city administrator, analyst, verifier) and, once it is published, to every role of the tenant.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.engine import Engine

from zerocity.i18n import LANGUAGES, N_, install_jinja, translator
from zerocity.reports import ReportError
from zerocity.service.accounts import LoginFailedError, LoginRateLimitedError, audited_login
from zerocity.service.deps import client_address, row_scope
from zerocity.service.permissions import Permission, Role, allowed
from zerocity.service.principal import Principal
from zerocity.service.settings import Settings
from zerocity.service.tenancy import TenantRegistry
from zerocity.store.db import session_scope
from zerocity.store.models import Tenant
from zerocity.web import auth, mrvdata, views
from zerocity.web.overview import city_overview
from zerocity.web.profile import CityProfile, load_profile
from zerocity.web.reports import REPORT_FORMATS, attachment, inventory_report_file
from zerocity.web.resultcache import cache_folder

__all__ = ["ROLE_IDS", "CityAccess", "city_access", "router"]

logger = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

#: Label of each role (message ids).
ROLE_IDS = {
    Role.PLATFORM_ADMIN: N_("web_role_platform_admin"),
    Role.CITY_ADMIN: N_("web_role_city_admin"),
    Role.ANALYST: N_("web_role_analyst"),
    Role.ENTERPRISE_REPORTER: N_("web_role_enterprise_reporter"),
    Role.VERIFIER: N_("web_role_verifier"),
    Role.HOUSEHOLD: N_("web_role_household"),
    Role.PUBLIC: N_("web_role_public"),
}

#: Content-Security-Policy of every page: scripts, styles, fonts and data from this server only
#: (plotly sets inline styles on its SVG, hence ``style-src 'unsafe-inline'``).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("zerocity.web", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    install_jinja(env)
    env.filters["figure_json"] = _figure_json
    return env


def _figure_json(figure: Any) -> str:
    """A plotly figure as JSON safe inside ``<script type="application/json">``."""
    return str(figure.to_json()).replace("</", "<\\/")


@dataclass
class Page:
    """What every handler needs: the request, settings, registry, language and user."""

    request: Request
    settings: Settings
    registry: TenantRegistry
    lang: str
    user: Principal | None
    tenant_name: str = ""

    @property
    def t(self) -> Callable[..., str]:
        """Translation in the page's language."""
        return translator(self.lang)


def page_of(request: Request) -> Page:
    settings: Settings = request.app.state.settings
    registry: TenantRegistry = request.app.state.registry
    with session_scope(registry.platform_engine()) as session:
        user = auth.web_principal(request, session, settings)
        name = ""
        if user is not None and user.tenant is not None:
            name = session.scalar(select(Tenant.name).where(Tenant.slug == user.tenant)) or user.tenant
    return Page(request, settings, registry, auth.language(request), user, name)


def nav_for(page: Page) -> list[dict[str, str]]:
    """Navigation entries the user's role may open (the API's permission table, read only)."""
    user = page.user
    if user is None or user.tenant is None:
        return []
    items = [
        {"href": "/", "label": N_("web_nav_overview")},
        {"href": "/districts", "label": N_("web_nav_districts")},
    ]
    if allowed(user.role, Permission.ENTERPRISE_READ):
        own = row_scope(user).entity_id
        items.append({"href": f"/enterprises/{own}" if own else "/enterprises", "label": N_("web_nav_enterprises")})
    if allowed(user.role, Permission.MRV_READ):
        items.append({"href": "/mrv", "label": N_("web_nav_mrv")})
    if allowed(user.role, Permission.LEDGER_READ):
        items.append({"href": "/ledger", "label": N_("web_nav_ledger")})
    if allowed(user.role, Permission.MONITOR_CITY):
        items.append({"href": "/live", "label": N_("web_nav_live")})
    if allowed(user.role, Permission.MODEL_RUN):
        items.append({"href": "/brain", "label": N_("web_nav_brain")})
        items.append({"href": "/actions", "label": N_("web_nav_actions")})
    if allowed(user.role, Permission.HOUSEHOLD_SELF):
        items.append({"href": "/household", "label": N_("web_nav_household")})
    return items


def render(page: Page, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the common context and the security headers."""
    request = page.request
    profile = context.get("profile")
    city_name = profile.display_name(page.lang) if isinstance(profile, CityProfile) else page.tenant_name
    base = {
        "lang": page.lang,
        "html_lang": LANGUAGES[page.lang].html,
        "languages": LANGUAGES,
        "user": page.user,
        "role_label": page.t(ROLE_IDS[page.user.role]) if page.user else "",
        "csrf": auth.csrf_token(request),
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        "city_name": city_name,
        "nav": nav_for(page),
    }
    html = _environment().get_template(template).render(**base, **context)
    response = HTMLResponse(html, status_code=status)
    _headers(response)
    auth.set_csrf_cookie(response, request)
    return response


def _headers(response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"


def to_login(request: Request) -> RedirectResponse:
    here = str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(here, safe='')}", status_code=303)


def message(page: Page, msgid: str, status: int, **params: Any) -> HTMLResponse:
    return render(page, "message.html.j2", status=status, message=page.t(msgid, **params))


@dataclass(frozen=True)
class CityAccess:
    """The tenant's city as a user may see it, before anything slow is computed.

    Attributes
    ----------
    slug : str
        Tenant.
    profile : CityProfile
    engine : sqlalchemy.Engine
        The tenant database.
    versions : list of Version
        Verified enterprise versions the city numbers include.
    data_dir : pathlib.Path
        The deployment's data directory.
    """

    slug: str
    profile: CityProfile
    engine: Engine
    versions: list[mrvdata.Version]
    data_dir: Path

    @property
    def folder(self) -> Path:
        """Where the tenant's slow results are kept (:func:`zerocity.web.resultcache.cache_folder`)."""
        return cache_folder(self.data_dir, self.slug)

    def inventory(self) -> dict[str, Any]:
        """Identity of the city inventory's content (:func:`zerocity.web.views.inventory_version`)."""
        return views.inventory_version(self.engine, self.profile.inventory_id)

    def data(self) -> views.CityData:
        """The city data (computed on first use, then cached: :func:`zerocity.web.views.city_data`)."""
        return views.city_data(
            self.slug, self.engine, self.profile, versions=self.versions, cache_key=str(self.data_dir)
        )


def city_access(page: Page) -> CityAccess | HTMLResponse:
    """The city the user may see, or the page explaining why there is none (nothing slow is computed)."""
    user = page.user
    if user is None or user.tenant is None:
        return message(page, "web_no_tenant", 403)
    profile = load_profile(page.settings, user.tenant)
    if profile is None:
        return message(page, "web_no_city_data", 404)
    engine = page.registry.engine(user.tenant)
    full = allowed(user.role, Permission.INVENTORY_READ) and row_scope(user).entity_id is None
    if not full and not views.is_published(engine, profile.inventory_id):
        return message(page, "web_forbidden", 403)
    versions = mrvdata.entity_versions(engine, verified_only=True)
    return CityAccess(user.tenant, profile, engine, versions, Path(page.settings.data_dir))


def city_of(page: Page) -> views.CityData | HTMLResponse:
    """The city data the user may see, or the page explaining why there is none."""
    access = city_access(page)
    if isinstance(access, HTMLResponse):
        return access
    return access.data()


def pick_year(data: views.CityData, year: int | None) -> int:
    years = data.years
    return year if year is not None and year in years else years[-1]


# ---------------------------------------------------------------------------- login, logout, language
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    """The login form."""
    page = page_of(request)
    return render(page, "login.html.j2", next=auth.safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials; on success set the session cookie and go to ``next``."""
    page = page_of(request)
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(page, "web_csrf", 403)
    with session_scope(page.registry.platform_engine()) as session:
        try:
            user, tenant = audited_login(
                session,
                username=username,
                password=password,
                client=client_address(request),
                settings=page.settings,
                action="web.login",
                status_code=303,
            )
        except LoginRateLimitedError as exc:
            error = page.t("web_login_rate_limited", seconds=exc.retry_after)
            return render(page, "login.html.j2", status=429, next=auth.safe_next(next), error=error)
        except LoginFailedError:
            return render(
                page, "login.html.j2", status=401, next=auth.safe_next(next), error=page.t("web_login_failed")
            )
        response = RedirectResponse(auth.safe_next(next), status_code=303)
        auth.set_session_cookie(response, request, user, tenant, page.settings)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    """End the session (the cookie is cleared)."""
    page = page_of(request)
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(page, "web_csrf", 403)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/lang")
def set_language(
    request: Request,
    lang: Annotated[str, Form(max_length=8)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the language (kept in a cookie for a year)."""
    page = page_of(request)
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(page, "web_csrf", 403)
    response = RedirectResponse(auth.safe_next(next), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(
            auth.LANG_COOKIE, lang, max_age=auth.LANG_MAX_AGE, path="/", samesite="strict", httponly=True
        )
    return response


# ---------------------------------------------------------------------------- city pages
@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, year: int | None = None) -> Response:
    """City overview: totals, intensities, trend against the target, breakdowns, Sankey, net balance."""
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    data = city_of(page)
    if isinstance(data, HTMLResponse):
        return data
    y = pick_year(data, year)
    lang = page.lang

    def build() -> dict[str, Any]:
        return city_overview(
            data.result,
            data.profile.statistics,
            y,
            level=data.level,
            target=data.profile.target,
            balance=data.balance,
            t=page.t,
            sector_names=views.sector_names(lang),
            subsector_names=views.subsector_names(lang),
            carrier_names=views.carrier_names(lang),
        )

    view = views.cached_view(("overview", data.cache_id, y, lang), build)
    target_row = data.profile.target[data.profile.target["year"] == y]
    return render(
        page,
        "overview.html.j2",
        profile=data.profile,
        view=view,
        years=data.years,
        target_value=float(target_row["value"].iloc[0]) if len(target_row) else None,
        class_name=page.t(views.CLASS_IDS[view["balance"]["class"]])
        if view["balance"] and view["balance"].get("class") in views.CLASS_IDS
        else "",
    )


@router.get("/districts", response_class=HTMLResponse)
def districts_page(request: Request, year: int | None = None, measure: str = "emissions") -> Response:
    """District map: emissions, intensity, grade or net balance; the table of districts."""
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    data = city_of(page)
    if isinstance(data, HTMLResponse):
        return data
    y = pick_year(data, year)
    chosen = measure if measure in views.MAP_MEASURES else "emissions"
    lang = page.lang
    view = views.cached_view(
        ("districts", data.cache_id, y, chosen, lang),
        lambda: views.district_map(data, y, chosen, lang, page.t),
    )
    return render(
        page,
        "districts.html.j2",
        profile=data.profile,
        view=view,
        years=data.years,
        measures=views.MAP_MEASURES,
    )


@router.get("/districts/{code}", response_class=HTMLResponse)
def district_page(request: Request, code: str, year: int | None = None) -> Response:
    """One district: emissions, per capita, grade, net balance, sectors and trend."""
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    data = city_of(page)
    if isinstance(data, HTMLResponse):
        return data
    y = pick_year(data, year)
    lang = page.lang
    try:
        view = views.cached_view(
            ("district", data.cache_id, code, y, lang),
            lambda: views.district_page(data, code, y, lang, page.t),
        )
    except KeyError:
        return message(page, "web_not_found", 404)
    return render(page, "district.html.j2", profile=data.profile, view=view, years=data.years)


# ---------------------------------------------------------------------------- report downloads
@router.get("/reports/inventory.{fmt}")
def inventory_report_download(request: Request, fmt: str, year: int | None = None) -> Response:
    """The city inventory report of the overview's year (PDF or XLSX, in the page's language).

    The same rights as the overview (:func:`city_access`); built on request (about 1-3 s for a PDF).
    """
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    kind = REPORT_FORMATS.get(fmt)
    if kind is None:
        return message(page, "web_not_found", 404)
    access = city_access(page)
    if isinstance(access, HTMLResponse):
        return access
    data = access.data()
    y = pick_year(data, year)
    try:
        file = inventory_report_file(data, access.engine, y, page.lang, kind)
    except ReportError as exc:
        return render(page, "message.html.j2", status=422, message=page.t("web_report_failed"), detail=str(exc))
    return attachment(file)
