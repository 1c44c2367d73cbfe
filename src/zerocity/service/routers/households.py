"""Households: own data, consents, points, event ingestion, footprints; k-anonymous aggregates for staff.

A household reaches its own data only (export, delete, consents, points, redemptions, its
footprint); city staff get aggregates of at least ``k`` households, never one household.

Mirrors ``zerocity accounts household ...``; see :mod:`zerocity.service.households`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.service import households as service
from zerocity.service.deps import get_settings, tenant_engine, tenant_session
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Permission, Role, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success
from zerocity.service.schemas import ConsentIn, HouseholdEventsIn, IngestResult, RedemptionIn, TimeZone, error_responses
from zerocity.service.settings import Settings

router = APIRouter(prefix="/households", tags=["households"])
_ERRORS = error_responses(400, 401, 403, 404, 409, 413, 422)

Source = Annotated[
    Literal["transport_card", "electricity_meter", "pv_meter", "ev_charger", "app"], Path(description="Data source.")
]
Timezone = Annotated[TimeZone, Form(description="IANA time zone of the event timestamps.")]


@router.get("/me", responses=_ERRORS, summary="Export my household's data")
def export_me(
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """All stored data of the caller's household: consents, events with scores, points.

    The right of access and portability (GDPR art. 15 and 20; PIPL art. 45).
    """
    return service.export_own(session, settings, principal=principal)


@router.delete("/me", responses=_ERRORS, summary="Delete my household's data")
def delete_me(
    request: Request,
    confirm: Annotated[bool, Query(description="Must be true: the deletion cannot be undone.")] = False,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, int]:
    """Delete every stored row of the caller's household (GDPR art. 17, PIPL art. 47).

    The ledger keeps only digests and records the deletion.
    """
    if not confirm:
        raise ApiError(422, "invalid_request", "deleting a household's data cannot be undone: add confirm=true")
    counts = service.delete_own(session, engine, settings, principal=principal)
    audit_success(request, principal, "household.delete", "household:me", details=counts)
    return counts


@router.post("/me/consents", status_code=201, responses=_ERRORS, summary="Grant a consent")
def grant_consent(
    body: ConsentIn,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Consent (from now) to events of a data source being stored."""
    return service.grant(session, settings, principal=principal, source=body.source, method=body.method)


@router.delete("/me/consents/{source}", responses=_ERRORS, summary="Revoke a consent")
def revoke_consent(
    source: Source,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Revoke (from now) the caller's active consents to a data source; 404 when there is none."""
    return service.revoke(session, settings, principal=principal, source=source)


@router.get("/me/points", responses=_ERRORS, summary="My points")
def my_points(
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, float]:
    """Points now: ``earned``, ``redeemed``, ``expired`` and ``balance`` [points]."""
    return service.balance(session, engine, settings, principal=principal)


@router.post("/me/redemptions", status_code=201, responses=_ERRORS, summary="Redeem points")
def redeem(
    body: RedemptionIn,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Redeem a catalogue item; a balance too small gives 409 (the refusal is recorded in the ledger)."""
    return service.redeem_item(session, engine, settings, principal=principal, item=body.item)


@router.get("/catalogue", responses=_ERRORS, summary="Redemption catalogue")
def catalogue(
    principal: Principal = Depends(require(Permission.HOUSEHOLD_CATALOGUE)),  # noqa: B008
) -> list[dict[str, Any]]:
    """Items that points can be redeemed for, with their cost [points]."""
    return service.catalogue_items()


def _ingest_response(request: Request, principal: Principal, done: dict[str, Any]) -> dict[str, Any]:
    audit_success(
        request,
        principal,
        "household.ingest",
        "household_events",
        details={"stored": done["stored"], "refused": done["refused"]},
    )
    return done


@router.post("/events", response_model=IngestResult, responses=_ERRORS, summary="Ingest events (JSON)")
def ingest_events(
    request: Request,
    body: HouseholdEventsIn,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_INGEST)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Pseudonymise, consent-check, score and store events; refusals come back with a reason.

    A household may only send its own events (422 naming the rows otherwise).
    """
    done = service.ingest(
        session,
        engine,
        settings,
        principal=principal,
        events=[e.model_dump() for e in body.events],
        timezone=body.timezone,
        own_only=principal.role is Role.HOUSEHOLD,
    )
    return _ingest_response(request, principal, done)


@router.post("/events/csv", response_model=IngestResult, responses=_ERRORS, summary="Ingest events (CSV)")
def ingest_events_csv(
    request: Request,
    file: Annotated[UploadFile, File(description="Events CSV (as `zerocity accounts household ingest`).")],
    timezone: Timezone = "UTC",
    principal: Principal = Depends(require(Permission.HOUSEHOLD_INGEST)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """The same as ``POST /households/events`` with a CSV upload."""
    done = service.ingest(
        session,
        engine,
        settings,
        principal=principal,
        csv=file.file.read(),
        timezone=timezone,
        own_only=principal.role is Role.HOUSEHOLD,
    )
    return _ingest_response(request, principal, done)


@router.get("/aggregates", responses=_ERRORS, summary="k-anonymous aggregates")
def aggregates(
    by: Annotated[
        list[Literal["behaviour", "source", "methodology", "month"]],
        Query(description="Group by these (repeatable)."),
    ] = ["behaviour", "month"],  # noqa: B006
    k: Annotated[
        int,
        Query(ge=10, le=10_000, description="Smallest group published [households]; at least 10 (zerocity's choice)."),
    ] = 10,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_AGGREGATE)),  # noqa: B008
    session: Session = Depends(tenant_session),  # noqa: B008
) -> list[dict[str, Any]]:
    """Accepted events per group; groups of fewer than ``k`` households are suppressed.

    Per group: households, sums and per-household means of reduction [kg CO2e], awarded
    [kg CO2e] and points.
    """
    return service.aggregates(session, by=list(dict.fromkeys(by)), k=k)


@router.get("/methodologies", responses=_ERRORS, summary="Carbon-inclusion methodologies")
def methodologies(
    principal: Principal = Depends(require(Permission.HOUSEHOLD_CATALOGUE)),  # noqa: B008
) -> list[dict[str, Any]]:
    """The shipped methodologies (``zerocity accounts household methodologies``).

    Each with its baseline and project factors and their sources, rules, daily and monthly caps
    [kg CO2e] and ``reduction_kg_per_unit`` [kg CO2e per activity unit].
    """
    return service.methodology_list()


Region = Annotated[str, Query(min_length=1, max_length=32, description="Region of the grid and heat factors.")]
FactorYear = Annotated[int, Query(ge=1990, le=2100, description="Year of the grid and heat factors.")]


@router.get("/me/footprint", responses=_ERRORS, summary="My household footprint")
def my_footprint(
    month: Annotated[str, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM.")],
    electricity_kwh: Annotated[float | None, Query(ge=0, le=1e9, description="[kWh]")] = None,
    gas_m3: Annotated[float | None, Query(ge=0, le=1e9, description="Natural gas [m3].")] = None,
    water_m3: Annotated[float | None, Query(ge=0, le=1e9, description="[m3]")] = None,
    heat_gj: Annotated[float | None, Query(ge=0, le=1e9, description="Purchased heat [GJ].")] = None,
    car_km: Annotated[float | None, Query(ge=0, le=1e9, description="[km]")] = None,
    bus_km: Annotated[float | None, Query(ge=0, le=1e9, description="[pkm]")] = None,
    metro_km: Annotated[float | None, Query(ge=0, le=1e9, description="[pkm]")] = None,
    food_cny: Annotated[float | None, Query(ge=0, le=1e9, description="Food spending [CNY].")] = None,
    goods_cny: Annotated[float | None, Query(ge=0, le=1e9, description="Other goods and services [CNY].")] = None,
    region: Region = "CN",
    year: FactorYear = 2022,
    city_average: Annotated[
        float | None, Query(gt=0, le=1e9, description="City-average monthly footprint [kg CO2e].")
    ] = None,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_SELF)),  # noqa: B008
) -> dict[str, Any]:
    """The caller's footprint of one month by category [kg CO2e] from the use it gives; nothing is stored.

    As ``zerocity accounts household footprint`` for one row of the caller's household: housing
    (electricity, gas, water, heat), transport, food and consumption, the total, the comparison
    with a city average, and the source of each factor used.
    """
    usage = {
        "electricity_kwh": electricity_kwh,
        "gas_m3": gas_m3,
        "water_m3": water_m3,
        "heat_gj": heat_gj,
        "car_km": car_km,
        "bus_km": bus_km,
        "metro_km": metro_km,
        "food_cny": food_cny,
        "goods_cny": goods_cny,
    }
    return service.own_footprint(
        principal=principal, month=month, usage=usage, region=region, year=year, city_average_kg=city_average
    )


@router.post("/footprint/aggregates", responses=_ERRORS, summary="k-anonymous footprints of a household table")
def footprint_aggregates(
    file: Annotated[UploadFile, File(description="Household table, CSV or XLSX (household_id, month, use columns).")],
    region: Annotated[
        str, Form(min_length=1, max_length=32, description="Region of the grid and heat factors.")
    ] = "CN",
    year: Annotated[int, Form(ge=1990, le=2100, description="Year of the grid and heat factors.")] = 2022,
    k: Annotated[
        int,
        Form(ge=10, le=10_000, description="Smallest group published [households]; at least 10 (zerocity's choice)."),
    ] = 10,
    principal: Principal = Depends(require(Permission.HOUSEHOLD_AGGREGATE)),  # noqa: B008
) -> list[dict[str, Any]]:
    """Footprints of the table's households per month, published only for months of ``k`` households or more.

    The table of ``zerocity accounts household footprint``; per month: households, sums and
    per-household means of housing, transport, food and consumption and total [kg CO2e]. No
    household's own footprint is returned (as ``/households/aggregates``).
    """
    return service.footprint_aggregates(
        content=file.file.read(), filename=file.filename or "households.csv", region=region, year=year, k=k
    )
