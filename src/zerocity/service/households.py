"""Households of a tenant: a household's own data, consents, events, points; staff aggregates.

The same domain calls as ``zerocity accounts household ...`` (:mod:`zerocity.accounts.privacy`,
:mod:`zerocity.accounts.household`). A household user is identified by its external household
id (``household_id`` of the user or API key); every function here takes that id from the
caller, never from the request, so a household reaches its own data only. City staff see
k-anonymous aggregates, never a household (also of the footprints of a household table they
upload).

The service stores no household consumption: a footprint is computed from the figures of the
request (``zerocity accounts household footprint`` reads them from a file) and not kept.

The pseudonymisation key is the CLI's: ``$ZEROCITY_HOUSEHOLD_KEY``, else
``<data_dir>/households/pseudonym.key`` of the service settings.
"""

from __future__ import annotations

import io
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.accounts.household import (
    EVENT_COLUMNS,
    FOOTPRINT_DEFAULTS,
    HouseholdInputError,
    household_footprint,
    k_anonymous_aggregate,
    load_methodologies,
)
from zerocity.accounts.privacy import (
    HOUSEHOLD_KEY_ENV,
    KEY_DIRNAME,
    KEY_FILENAME,
    ConsentError,
    default_catalogue,
    delete_household,
    export_household,
    household_balance,
    household_key,
    ingest_events,
    public_aggregates,
    record_consent,
    redeem,
    revoke_consent,
)
from zerocity.errors import FactorNotFoundError, InvalidRecordsError, RecordIssue
from zerocity.jsonio import jsonable
from zerocity.ledger.log import Ledger
from zerocity.service.errors import ApiError
from zerocity.service.mrv import platform_key
from zerocity.service.principal import Principal
from zerocity.service.settings import Settings
from zerocity.tables import TableFileError, read_table

__all__ = [
    "aggregates",
    "balance",
    "catalogue_items",
    "delete_own",
    "export_own",
    "footprint_aggregates",
    "grant",
    "ingest",
    "methodology_list",
    "own_footprint",
    "own_household",
    "pseudonym_key",
    "redeem_item",
    "revoke",
]

logger = logging.getLogger(__name__)


def pseudonym_key(settings: Settings) -> bytes:
    """The deployment's household pseudonymisation key (created 0600 on first use)."""
    configured = os.environ.get(HOUSEHOLD_KEY_ENV)
    path = Path(configured).expanduser() if configured else settings.data_dir / KEY_DIRNAME / KEY_FILENAME
    return household_key(path)


def own_household(principal: Principal) -> str:
    """The caller's own external household id (403 when the user or key has none)."""
    if not principal.household_id:
        raise ApiError(403, "no_household", "this household user has no household id; an administrator must set one")
    return principal.household_id


def _ledger(engine: Engine, settings: Settings) -> Ledger:
    return Ledger(engine, platform_key=platform_key(settings))


def export_own(session: Session, settings: Settings, *, principal: Principal) -> dict[str, Any]:
    """All stored data of the caller's household (consents, events with scores, points)."""
    doc: dict[str, Any] = jsonable(export_household(session, own_household(principal), key=pseudonym_key(settings)))
    return doc


def delete_own(session: Session, engine: Engine, settings: Settings, *, principal: Principal) -> dict[str, int]:
    """Delete every stored row of the caller's household; the ledger records the deletion (digest only)."""
    return delete_household(
        session,
        own_household(principal),
        key=pseudonym_key(settings),
        ledger=_ledger(engine, settings),
        tenant=str(principal.tenant),
    )


def grant(session: Session, settings: Settings, *, principal: Principal, source: str, method: str) -> dict[str, Any]:
    """Record the caller's consent to a data source (now)."""
    consent_id = record_consent(session, own_household(principal), source, method=method, key=pseudonym_key(settings))
    return {"consent_id": consent_id, "source": source, "granted": True}


def revoke(session: Session, settings: Settings, *, principal: Principal, source: str) -> dict[str, Any]:
    """Revoke the caller's active consents to a data source (404 when there is none)."""
    try:
        count = revoke_consent(session, own_household(principal), source, key=pseudonym_key(settings))
    except ConsentError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return {"source": source, "revoked": count}


def balance(session: Session, engine: Engine, settings: Settings, *, principal: Principal) -> dict[str, float]:
    """Points of the caller's household now: ``earned``, ``redeemed``, ``expired``, ``balance``."""
    return household_balance(session, own_household(principal), ledger=Ledger(engine), key=pseudonym_key(settings))


def redeem_item(
    session: Session, engine: Engine, settings: Settings, *, principal: Principal, item: str
) -> dict[str, Any]:
    """Redeem a catalogue item against the caller's balance (recorded in the ledger, refused or not).

    A refusal (balance too small) is committed to the ledger, then reported as 409 with the result.
    """
    catalogue = default_catalogue()
    if item not in catalogue.items:
        raise ApiError(
            422,
            "invalid_request",
            f"item {item!r} is not in the catalogue; items: {', '.join(sorted(catalogue.items))}",
            [{"location": ["body", "item"]}],
        )
    result = redeem(
        session,
        own_household(principal),
        item,
        ledger=_ledger(engine, settings),
        catalogue=catalogue,
        key=pseudonym_key(settings),
        tenant=str(principal.tenant),
    )
    if result["status"] != "redeemed":
        session.commit()  # the refusal stays recorded
        raise ApiError(
            409,
            "insufficient_balance",
            f"cannot redeem {item}: {result['reason']} (balance {result['balance']:g})",
            [jsonable(result)],
        )
    return result


def catalogue_items() -> list[dict[str, Any]]:
    """The redemption catalogue: ``item``, ``name``, ``points``."""
    return [{"item": k, "name": v[0], "points": v[1]} for k, v in sorted(default_catalogue().items.items())]


def _frame(events: list[dict[str, Any]] | None, csv: bytes | None) -> pd.DataFrame:
    if csv is not None:
        try:
            return pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(422, "invalid_request", f"events CSV: cannot read: {exc}") from None
    frame = pd.DataFrame(events or [], columns=list(EVENT_COLUMNS))
    return frame.astype(object).where(frame.notna(), "").astype(str)


def ingest(
    session: Session,
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    events: list[dict[str, Any]] | None = None,
    csv: bytes | None = None,
    timezone: str = "UTC",
    own_only: bool,
) -> dict[str, Any]:
    """Pseudonymise, consent-check, score and store events; awards and refusals go to the ledger.

    With ``own_only`` (a household caller) every row must be of the caller's household: rows of
    another household are refused (422 with the rows) and nothing is stored.
    """
    frame = _frame(events, csv)
    if frame.empty:
        raise ApiError(422, "invalid_request", "no events")
    if own_only:
        own = own_household(principal)
        ids = frame["household_id"].astype(str).str.strip() if "household_id" in frame else pd.Series([""] * len(frame))
        issues = [
            RecordIssue(i + 1, "household_id", "must be your own household", str(v))
            for i, v in enumerate(ids)
            if v != own
        ]
        if issues:
            raise InvalidRecordsError("events", issues)
    try:
        result = ingest_events(
            session,
            frame,
            timezone=timezone,
            key=pseudonym_key(settings),
            source="events",
            ledger=_ledger(engine, settings),
            tenant=str(principal.tenant),
        )
    except HouseholdInputError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    result = result.drop(columns=["household"])  # the pseudonym is not shown to the sender
    stored = int(result["stored"].sum())
    rows = jsonable(result.astype(object).where(result.notna(), None).to_dict(orient="records"))
    return {"stored": stored, "refused": len(result) - stored, "events": rows}


def aggregates(session: Session, *, by: list[str], k: int) -> list[dict[str, Any]]:
    """Accepted events per group, suppressed below ``k`` households (k-anonymity)."""
    frame = public_aggregates(session, by=by, k=k)
    rows: list[dict[str, Any]] = jsonable(frame.astype(object).where(frame.notna(), None).to_dict(orient="records"))
    return rows


# ------------------------------------------------------------------------------ methodologies, footprints
#: Consumption columns of a footprint (``zerocity accounts household footprint``), with their units.
FOOTPRINT_COLUMNS: tuple[str, ...] = tuple(f.column for f in FOOTPRINT_DEFAULTS)
_FOOTPRINT_VALUES = ("housing_kg", "transport_kg", "food_consumption_kg", "total_kg")


def methodology_list() -> list[dict[str, Any]]:
    """The shipped methodologies as ``zerocity accounts household methodologies --json`` prints them.

    Each: the validated YAML (factors with their sources, rules, caps) and
    ``reduction_kg_per_unit`` = EF_baseline - EF_project [kg CO2e per activity unit].
    """
    rows: list[dict[str, Any]] = [
        {**m.model_dump(mode="json"), "reduction_kg_per_unit": m.reduction_factor()}
        for m in load_methodologies().values()
    ]
    return rows


def _footprint(
    frame: pd.DataFrame, *, region: str, year: int, city_average_kg: float | None, source: str
) -> pd.DataFrame:
    try:
        return household_footprint(frame, region=region, year=year, city_average_kg=city_average_kg, source=source)
    except FactorNotFoundError as exc:
        raise ApiError(
            422, "invalid_request", f"region {region!r}, year {year}: {exc}", [{"location": ["query", "region"]}]
        ) from None
    except HouseholdInputError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None


def own_footprint(
    *,
    principal: Principal,
    month: str,
    usage: dict[str, float | None],
    region: str,
    year: int,
    city_average_kg: float | None,
) -> dict[str, Any]:
    """The caller's footprint of one month from the consumption it gives [kg CO2e] (nothing is stored).

    Parameters
    ----------
    usage : dict
        Any of :data:`FOOTPRINT_COLUMNS` (``electricity_kwh`` [kWh], ``gas_m3`` [m3], ``water_m3``
        [m3], ``heat_gj`` [GJ], ``car_km`` [km], ``bus_km``/``metro_km`` [pkm], ``food_cny``/
        ``goods_cny`` [CNY]); None for not given.
    region, year : str, int
        Of the library's grid and heat factors.
    city_average_kg : float, optional
        Monthly city-average household footprint [kg CO2e]; adds ``vs_city_pct``.

    Returns
    -------
    dict
        ``household_id``, ``month``, ``housing_kg``, ``transport_kg``, ``food_consumption_kg``,
        ``total_kg`` (and ``vs_city_pct``), and ``factors``: the column, category, unit and
        source of each factor used.
    """
    given = {k: v for k, v in usage.items() if v is not None}
    frame = pd.DataFrame([{"household_id": own_household(principal), "month": month, **given}])
    fp = _footprint(frame, region=region, year=year, city_average_kg=city_average_kg, source="query")
    doc: dict[str, Any] = jsonable(fp.astype(object).where(fp.notna(), None).to_dict(orient="records"))[0]
    doc["factors"] = [
        {"column": f.column, "category": f.category, "unit": f.unit, "source": f.source}
        for f in FOOTPRINT_DEFAULTS
        if f.column in given
    ]
    return doc


def footprint_aggregates(*, content: bytes, filename: str, region: str, year: int, k: int) -> list[dict[str, Any]]:
    """Footprints of an uploaded household table, published per month only for ``k`` households or more.

    The table is the one of ``zerocity accounts household footprint`` (``household_id``, ``month``
    and consumption columns, CSV or XLSX). Per month: ``households``, and for ``housing_kg``,
    ``transport_kg``, ``food_consumption_kg``, ``total_kg`` the sum and the per-household mean
    [kg CO2e]; a month of fewer than ``k`` households is ``suppressed`` with no figures.
    """
    suffix = Path(filename or "households.csv").suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ApiError(422, "invalid_request", f"{filename}: a household table is a .csv or .xlsx file")
    name = Path(filename).name or "households"
    with tempfile.TemporaryDirectory(prefix="zerocity-footprint-") as folder:
        path = Path(folder) / f"households{suffix}"
        path.write_bytes(content)
        try:
            frame = read_table(path, as_text=True)
        except TableFileError as exc:  # name the upload, not the temporary file
            raise ApiError(422, "invalid_request", str(exc).replace(str(path), name)) from None
    fp = _footprint(frame, region=region, year=year, city_average_kg=None, source=name)
    table = k_anonymous_aggregate(fp, "month", list(_FOOTPRINT_VALUES), k=k)
    rows: list[dict[str, Any]] = jsonable(table.astype(object).where(table.notna(), None).to_dict(orient="records"))
    return rows
