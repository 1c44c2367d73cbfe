"""Routes of the Brain and Actions pages (``model.run``: city administrator and analyst) and the household page.

* ``/brain``: Kaya LMDI, peak forecast, scenario pathways, wedges, MACC; ``/brain/targets``: the
  city's target shared among its districts (``zerocity targets allocate``).
* ``/actions``: the energy plan's Pareto front and the building ranking; ``/actions/pv``: the
  roofs' PV potential by district on a map and a one-roof estimator (``zerocity pv``).
* ``/household`` (``household.self``): a household user's own footprint, events and points;
  catalogue items are redeemed through :func:`zerocity.service.households.redeem_item`.

The slow numbers (forecasts, Pareto front, PV potential) come from :mod:`zerocity.web.resultcache`:
computed once per version of the tenant's inputs and kept on disk under the data directory.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zerocity.brain.targets import InfeasibleBoundsError, TargetError
from zerocity.energy.pv import PvError
from zerocity.errors import InvalidRecordsError
from zerocity.i18n import format_number
from zerocity.service import households as service_households
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, allowed
from zerocity.store.db import session_scope
from zerocity.web import actions, auth, brain, enterprises, households, pv, targets, views
from zerocity.web.issues import api_error_text, form_messages, shown_issues
from zerocity.web.pages import Page, city_access, message, page_of, render, to_login
from zerocity.web.profile import CityProfile, load_profile, load_roofs
from zerocity.web.reports import REPORT_FORMATS, attachment, scenario_report_file
from zerocity.web.resultcache import cache_folder

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _planner(request: Request) -> Page | Response:
    """The page of a city administrator or analyst (``model.run``), or the response refusing it."""
    page = page_of(request)
    if page.user is None:
        return to_login(request)
    if page.user.tenant is None or not allowed(page.user.role, Permission.MODEL_RUN):
        return message(page, "web_forbidden", 403)
    return page


def _profile(page: Page) -> CityProfile | Response:
    """The tenant's profile, or the page saying it has none."""
    tenant = _tenant(page)
    profile = load_profile(page.settings, tenant) if tenant else None
    if profile is None:
        return message(page, "web_no_city_data", 404)
    return profile


@router.get("/brain", response_class=HTMLResponse)
def brain_page(request: Request) -> Response:
    """Kaya LMDI waterfall, peak forecast, scenario pathways, wedges and the MACC."""
    page = _planner(request)
    if isinstance(page, Response):
        return page
    access = city_access(page)
    if isinstance(access, HTMLResponse):
        return access
    digest = brain.brain_digest(access.profile, access.inventory(), access.versions)
    numbers = brain.cached_brain_numbers(digest, access.data, folder=access.folder)
    view = views.cached_view(("brain", digest, page.lang), lambda: brain.brain_view(numbers, page.t))
    return render(page, "brain.html.j2", profile=access.profile, view=view, before=brain.PEAK_BEFORE)


@router.get("/brain/report.{fmt}")
def scenario_report_download(request: Request, fmt: str) -> Response:
    """The scenario report of the city's model (PDF or XLSX, in the page's language), as the Brain page's rights.

    Pathways and peaks of every scenario, wedges from ``BAU`` to ``policy`` when the model has both
    (:func:`zerocity.web.reports.scenario_report_file`); built on request (seconds).
    """
    page = _planner(request)
    if isinstance(page, Response):
        return page
    kind = REPORT_FORMATS.get(fmt)
    if kind is None:
        return message(page, "web_not_found", 404)
    access = city_access(page)
    if isinstance(access, HTMLResponse):
        return access
    if not access.profile.scenario_model:
        return message(page, "web_no_scenario_model", 404)
    try:
        file = scenario_report_file(access.slug, access.profile, page.lang, kind)
    except ApiError as exc:
        text, detail = api_error_text(exc.code, exc.message, exc.details, page.lang, page.t)
        return render(page, "message.html.j2", status=exc.status, message=text, detail=detail)
    return attachment(file)


@router.get("/brain/targets", response_class=HTMLResponse)
def targets_page(request: Request) -> Response:
    """The city's target shared among its districts by the principles chosen in the form."""
    page = _planner(request)
    if isinstance(page, Response):
        return page
    access = city_access(page)
    if isinstance(access, HTMLResponse):
        return access
    t = page.t
    emissions = targets.district_emissions(access.inventory(), access.versions, access.data, folder=access.folder)
    have = set(int(y) for y in access.profile.statistics["year"])
    years = sorted(int(y) for y in set(emissions["year"]) if int(y) in have)
    if not years:
        return message(page, "web_no_city_data", 404)
    form, issues = targets.parse_form(dict(request.query_params), years)
    context: dict[str, object] = {
        "form": form,
        "years": years,
        "principles": targets.PRINCIPLE_IDS,
        "kinds": targets.KIND_IDS,
        "form_errors": form_messages(issues, page.lang, t),
        "view": None,
        "error": None,
        "error_issues": None,
        "gdp_note": "",
    }
    status = 422 if issues else 200
    if not issues:
        registry = enterprises.current_registry(access.slug, access.engine, cache_key=str(access.data_dir))
        units, how = targets.district_units(
            emissions, access.profile, form.base_year, None if registry is None else registry.frame
        )
        context["gdp_note"] = targets.GDP_NOTE_IDS[how]
        try:
            allocation = targets.allocate_districts(units, form)
        except InfeasibleBoundsError as exc:
            side = "web_target_floors_too_high" if exc.floors > exc.cap else "web_target_ceilings_too_low"
            context["error"] = (
                t(
                    side,
                    cap=_n(exc.cap, page),
                    floors=_n(exc.floors, page),
                    ceilings=_n(exc.ceilings, page),
                    gap=_n(exc.gap, page),
                ),
                "",
            )
            status = 422
        except InvalidRecordsError as exc:
            context["error"] = (t("web_target_units_invalid"), "")
            context["error_issues"] = shown_issues(exc.issues, t)
            status = 422
        except TargetError as exc:
            context["error"] = (t("web_target_failed"), str(exc))
            status = 422
        else:
            last = years[-1]
            now = emissions[emissions["year"] == last].groupby("district")["tco2e"].sum()
            context["view"] = targets.targets_view(
                allocation,
                {str(k): float(v) for k, v in now.items()},
                last,
                access.profile.district_names(page.lang),
                t,
            )
    return render(page, "targets.html.j2", status=status, profile=access.profile, **context)


def _n(value: float, page: Page) -> str:
    """Whole tonnes in the page's language."""
    return format_number(value, page.lang, decimals=0)


def _tenant(page: Page) -> str:
    """The tenant of a page :func:`_planner` accepted."""
    return str(page.user.tenant) if page.user is not None else ""


@router.get("/actions", response_class=HTMLResponse)
def actions_page(request: Request, plan: int | None = None) -> Response:
    """The energy plan's Pareto front with a chosen plan, and the ranking of public buildings."""
    page = _planner(request)
    if isinstance(page, Response):
        return page
    profile = _profile(page)
    if isinstance(profile, Response):
        return profile
    folder = cache_folder(page.settings.data_dir, _tenant(page))
    numbers = actions.action_numbers(profile, folder=folder)
    view = actions.actions_view(numbers, plan, page.t)
    return render(page, "actions.html.j2", profile=profile, view=view)


@router.get("/actions/pv", response_class=HTMLResponse)
def pv_page(request: Request) -> Response:
    """The roofs' PV potential by district on a map, and the estimator of one roof at a point of the map."""
    page = _planner(request)
    if isinstance(page, Response):
        return page
    profile = _profile(page)
    if isinstance(profile, Response):
        return profile
    tenant = _tenant(page)
    t = page.t
    roofs = load_roofs(page.settings, tenant)
    numbers = (
        None if roofs is None else pv.pv_numbers(profile, roofs, folder=cache_folder(page.settings.data_dir, tenant))
    )
    site = pv.city_site(profile)
    asked, shown, issues = pv.parse_estimate(dict(request.query_params), site)
    result = error = None
    if asked is not None:
        try:
            result = pv.estimate_roof(asked, profile)
        except PvError as exc:
            error = (t("web_pv_failed"), str(exc))
    view = pv.pv_view(numbers, profile, (shown.lat, shown.lon), page.lang, t)
    return render(
        page,
        "pv.html.j2",
        status=422 if issues or error else 200,
        profile=profile,
        view=view,
        form=shown,
        form_errors=form_messages(issues, page.lang, t),
        result=result,
        error=error,
        mountings=pv.MOUNTING_IDS,
        loads=pv.LOAD_IDS,
        ghi=pv.annual_ghi(profile),
    )


@router.get("/household", response_class=HTMLResponse)
def household_page(request: Request, done: str = "") -> Response:
    """A household's own page: footprint, behaviour events, points and the redemption catalogue."""
    page = page_of(request)
    user = page.user
    if user is None:
        return to_login(request)
    if user.tenant is None or not allowed(user.role, Permission.HOUSEHOLD_SELF):
        return message(page, "web_forbidden", 403)
    profile = load_profile(page.settings, user.tenant)
    if profile is None:
        return message(page, "web_no_city_data", 404)
    engine = page.registry.engine(user.tenant)
    with session_scope(engine) as session:
        view = households.household_view(session, engine, page.settings, profile, user, page.t)
    return render(
        page,
        "household.html.j2",
        profile=profile,
        view=view,
        notice=page.t("web_done_redeemed") if done == "redeemed" else "",
    )


@router.post("/household/redeem", response_class=HTMLResponse)
def household_redeem(
    request: Request, item: Annotated[str, Form(max_length=100)], csrf: Annotated[str, Form()] = ""
) -> Response:
    """Redeem a catalogue item against the household's points (the ledger records it)."""
    page = page_of(request)
    user = page.user
    if user is None:
        return to_login(request)
    try:
        auth.check_csrf(request, csrf)
    except auth.CsrfError:
        return message(page, "web_csrf", 403)
    if user.tenant is None or not allowed(user.role, Permission.HOUSEHOLD_SELF):
        return message(page, "web_forbidden", 403)
    engine = page.registry.engine(user.tenant)
    try:
        with session_scope(engine) as session:
            service_households.redeem_item(session, engine, page.settings, principal=user, item=item)
    except ApiError as exc:
        text, detail = api_error_text(exc.code, exc.message, exc.details, page.lang, page.t)
        return render(page, "message.html.j2", status=exc.status, message=text, detail=detail)
    return RedirectResponse("/household?done=redeemed", status_code=303)
