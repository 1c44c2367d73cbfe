"""Load Demo City into a tenant of the service: what ``make demo`` serves on the dashboard.

:func:`load_demo_tenant` creates (or reuses) a tenant and fills it through the same service
functions as the API: the 2010-2024 inventory (all records, published), the enterprise registry,
the city profile the dashboard reads beside the inventory (statistics, district GeoJSON, target
path, sink estimates; :mod:`zerocity.web.profile`), a carbon quota of the reporter's enterprise,
electricity meters of the largest users with 24 h of synthetic readings, and one user per role with a random password
that is returned once (the caller prints it; only its Argon2id hash is stored).
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select

from zerocity.actions.buildings import demo_buildings
from zerocity.demo.energy_system import demo_system
from zerocity.demo.generator import DEFAULT_SEED, DemoCity, build_demo_city
from zerocity.demo.roofs import demo_roofs
from zerocity.demo.scenario import demo_scenario_model
from zerocity.service.accounts import create_tenant, create_user
from zerocity.service.deps import RowScope
from zerocity.service.enterprise import upload_registry
from zerocity.service.inventories import import_inventory, publish_inventory
from zerocity.service.permissions import Role
from zerocity.service.principal import Principal, PrincipalKind
from zerocity.service.security import hash_password
from zerocity.service.settings import Settings
from zerocity.service.tenancy import TenantRegistry
from zerocity.store.db import session_scope
from zerocity.store.models import Tenant, User
from zerocity.web.profile import CityProfile, load_profile, save_profile, save_roofs

__all__ = [
    "DEMO_SLUG",
    "DemoTenant",
    "demo_meters",
    "demo_readings",
    "demo_target_path",
    "load_demo_meters",
    "load_demo_tenant",
]

logger = logging.getLogger(__name__)

#: Slug of the Demo City tenant.
DEMO_SLUG = "demo"
#: Year the demo target path holds emissions at (peak) [year]; the 2030 peak is China's stated goal
#: (References: "China's Achievements, New Goals and New Measures for Nationally Determined
#: Contributions", 28 October 2021, section II: peak CO2 emissions before 2030, carbon neutrality
#: before 2060).
PEAK_YEAR = 2030
#: Year of the end of the demo target path [year] (the neutrality year of the same document).
NEUTRAL_YEAR = 2060
#: The demo reporter's carbon quota of the last year as a share of its emissions the year before
#: [unitless]: 0.95 (a 5 % cut) is zerocity's demo choice, not a rule of any scheme.
QUOTA_SHARE = 0.95
#: Share of the peak left in :data:`NEUTRAL_YEAR` [unitless]: 0.1 is zerocity's demo choice (the
#: residual a city's sinks and removals must offset), not a figure of any plan.
RESIDUAL_SHARE = 0.1


@dataclass
class DemoTenant:
    """What :func:`load_demo_tenant` set up.

    Attributes
    ----------
    slug : str
        Tenant slug.
    inventory_id : int
        Stored (and published) city inventory.
    logins : dict of str to tuple
        Username -> (role, password); passwords are new on every call and shown only here.
    entity_id : str
        Entity (USCC) of the enterprise reporter.
    verifier_entity_id : str
        Entity of the verifier (another enterprise: verifiers may not decide on their own).
    household_id : str
        Household of the household user.
    """

    slug: str
    inventory_id: int
    logins: dict[str, tuple[Role, str]] = field(default_factory=dict)
    entity_id: str = ""
    verifier_entity_id: str = ""
    household_id: str = ""


def demo_target_path(base_year: int, base_value: float) -> pd.DataFrame:
    """The demo target path: no growth after ``base_year`` up to the peak, then linear to the residual.

    Parameters
    ----------
    base_year : int
        Last inventory year [year].
    base_value : float
        Emissions of ``base_year`` [t CO2e].

    Returns
    -------
    pandas.DataFrame
        ``year`` and ``value`` [t CO2e]: ``base_value`` from ``base_year`` to :data:`PEAK_YEAR`, then a
        straight line to ``RESIDUAL_SHARE * base_value`` in :data:`NEUTRAL_YEAR` (zerocity's demo
        assumption built on the dates of China's 2021 NDC; see the module constants).
    """
    years = list(range(base_year, NEUTRAL_YEAR + 1))
    values = []
    for y in years:
        if y <= PEAK_YEAR:
            values.append(base_value)
        else:
            frac = (y - PEAK_YEAR) / (NEUTRAL_YEAR - PEAK_YEAR)
            values.append(base_value * (1.0 - frac * (1.0 - RESIDUAL_SHARE)))
    return pd.DataFrame({"year": years, "value": values})


@functools.lru_cache(maxsize=4)
def _scenario_model_text(seed: int) -> str:
    """The Demo City scenario model of a seed as JSON (built once per process: it builds the city)."""
    return json.dumps(demo_scenario_model(seed))


@functools.lru_cache(maxsize=1)
def _buildings() -> pd.DataFrame:
    """The Demo City's public buildings as a benchmark table (built once per process)."""
    return demo_buildings("B")


_SINKS: dict[tuple[int, tuple[int, ...]], dict[str, pd.DataFrame]] = {}


def _cached_sinks(city: DemoCity, seed: int) -> dict[str, pd.DataFrame]:
    """:func:`_sinks` of a seed's city, computed once per process (copies are returned)."""
    key = (seed, tuple(city.years))
    if key not in _SINKS:
        _SINKS[key] = _sinks(city, list(city.years), seed)
    return {name: frame.copy() for name, frame in _SINKS[key].items()}


def _sinks(city: DemoCity, years: list[int], seed: int) -> dict[str, pd.DataFrame]:
    """Land-use and urban-tree rows of the net balance (``year, district, tco2e``).

    The same sinks as ``zerocity sinks balance --demo`` [t CO2e; negative: removal].
    """
    from zerocity.demo.trees import demo_trees
    from zerocity.sinks.landuse import demo_landuse
    from zerocity.sinks.trees import tree_carbon, validate_trees

    land = demo_landuse(city).inventory_rows()
    trees = tree_carbon(validate_trees(demo_trees(city), source="Demo City trees"), runs=200, seed=seed)
    tree_rows = pd.concat([trees.balance(y) for y in years], ignore_index=True)
    out = {}
    for name, frame in (("landuse", land), ("trees", tree_rows)):
        grouped = frame.groupby(["year", "district"], as_index=False)["tco2e"].sum()
        out[name] = grouped[["year", "district", "tco2e"]]
    return out


#: Enterprises given an electricity meter in the demo (the largest energy users) [count]; zerocity's choice.
METERED_ENTERPRISES = 8
#: Reading interval of the demo meters [s] (15 minutes, a common smart-meter interval).
METER_INTERVAL_S = 900
#: Offset of the Demo City's local time from UTC [h] (China Standard Time, UTC+8).
UTC_OFFSET_H = 8.0
#: Load shape of the demo meters: multiplier of the mean load in the local hours 08-19 and outside
#: them [unitless]; 1.2 / 0.8 (mean 1.0) is zerocity's demo choice, not a measured profile.
DAY_FACTOR, NIGHT_FACTOR = 1.2, 0.8


def demo_meters(city: DemoCity, count: int = METERED_ENTERPRISES) -> pd.DataFrame:
    """Electricity meters (kWh every 15 min) of the ``count`` enterprises using most electricity in the last year.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`zerocity.monitor.registry.METER_COLUMNS`, plus ``annual_mwh`` (the
        enterprise's electricity of the last year [MWh], from its records).
    """
    last = max(city.years)
    r = city.records
    electricity = r[(r["year"] == last) & (r["activity"] == "electricity_grid") & (r["entity"].fillna("") != "")]
    if not (electricity["unit"] == "MWh").all():
        raise ValueError("Demo City electricity records are expected in MWh")
    by_entity = electricity.groupby("entity")["amount"].sum().sort_values(ascending=False).head(count)
    district = city.enterprises.set_index("uscc")["district"].astype(str)
    return pd.DataFrame(
        {
            "meter_id": [f"E-{uscc[-8:]}" for uscc in by_entity.index],
            "entity": list(by_entity.index),
            "district": [district.get(uscc, "") for uscc in by_entity.index],
            "sector": "industry",
            "gpc_ref": "I.3.2",
            "carrier": "electricity_grid",
            "unit": "kWh",
            "interval_s": str(METER_INTERVAL_S),
            "region": city.region,
            "annual_mwh": by_entity.to_numpy(dtype=float),
        }
    )


def demo_readings(meters: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    """Synthetic readings of the demo meters from ``start`` to ``end`` (UTC), one per interval.

    Each reading is the interval's share of the meter's annual electricity [kWh]:
    ``annual_mwh * 1000 * interval / (365 * 86400)`` times :data:`DAY_FACTOR` in the local hours
    08-19 (UTC+8) and :data:`NIGHT_FACTOR` otherwise.

    Returns
    -------
    pandas.DataFrame
        ``meter_id``, ``ts`` [s since 1970 UTC, interval start], ``value`` [kWh], ``unit``.
    """
    step = METER_INTERVAL_S
    first = int(start.timestamp()) // step * step
    stamps = list(range(first, int(end.timestamp()) - step + 1, step))
    rows = []
    for m in meters.itertuples():
        mean_kwh = float(m.annual_mwh) * 1000 * step / (365 * 86400)
        for ts in stamps:
            hour = int((ts / 3600 + UTC_OFFSET_H) % 24)
            factor = DAY_FACTOR if 8 <= hour < 20 else NIGHT_FACTOR
            rows.append((m.meter_id, ts, mean_kwh * factor, "kWh"))
    return pd.DataFrame(rows, columns=["meter_id", "ts", "value", "unit"])


def load_demo_meters(engine: Any, city: DemoCity, *, now: datetime | None = None) -> int:
    """Register the demo meters and store their readings of the last 24 h; returns the readings stored."""
    from zerocity.monitor.ingest import ingest_records
    from zerocity.monitor.registry import METER_COLUMNS, import_meters, validate_meters

    meters = demo_meters(city)
    with session_scope(engine) as session:
        import_meters(session, validate_meters(meters[list(METER_COLUMNS)], region=city.region, source="demo meters"))
    end = now or datetime.now(UTC)
    readings = demo_readings(meters, end - timedelta(hours=24), end)
    result = ingest_records(engine, readings, source="demo meters")
    return int(result.stored)


#: Local time zone of the Demo City's behaviour event timestamps.
EVENT_TIMEZONE = "Asia/Shanghai"


def _demo_household(settings: Settings, registry: TenantRegistry, slug: str, city: DemoCity, household: str) -> None:
    """Consents of the demo household to every data source and its events (moved to end today).

    The events are those of the Demo City's behaviour table for that household, sent by the city
    administrator (the city's data sources), scored and awarded through the same service call as
    ``POST /accounts/household/events``.
    """
    from zerocity.accounts.privacy import DataSource, record_consent
    from zerocity.service.households import ingest, pseudonym_key

    events = city.behaviour_events[city.behaviour_events["household_id"].astype(str) == household].copy()
    # Move the table's year forward by whole days so its last event is today: a demo choice, so that
    # the points are not past their expiry when the dashboard is shown.
    stamps = pd.to_datetime(events["timestamp"])
    today = pd.Timestamp(datetime.now(UTC).date())
    shift = pd.Timedelta(days=max(0, (today - stamps.max().normalize()).days))
    events["timestamp"] = (stamps + shift).dt.strftime("%Y-%m-%d %H:%M:%S")
    first = stamps.min() + shift
    granted = datetime(int(first.year), 1, 1, tzinfo=UTC) - timedelta(days=1)
    engine = registry.engine(slug)
    with session_scope(registry.platform_engine()) as session:
        admin = _principal(session, f"{slug}_admin", slug)
    with session_scope(engine) as session:
        key = pseudonym_key(settings)
        for source in DataSource:
            record_consent(session, household, source.value, granted_at=granted, method="demo", key=key)
    # Repeated event ids (the table's deliberate duplicates) go in a second batch, where they are
    # refused as already ingested: one batch holding both copies fails on the table's unique key.
    repeated = events["event_id"].duplicated(keep="first")
    for batch in (events[~repeated], events[repeated]):
        if batch.empty:
            continue
        with session_scope(engine) as session:
            ingest(
                session,
                engine,
                settings,
                principal=admin,
                csv=batch.to_csv(index=False).encode("utf-8"),
                timezone=EVENT_TIMEZONE,
                own_only=False,
            )


def _household_usage(city: DemoCity, household: str) -> tuple[dict[str, dict[str, float]], float | None]:
    """The demo household's annual electricity and gas, and the sample's average footprint [kg CO2e/yr]."""
    from zerocity.accounts.household import household_footprint

    table = city.households
    columns = ["electricity_kwh", "gas_m3"]
    year = int(table["year"].max())
    sample = table[["household_id", *columns]].assign(month="year")
    footprint = household_footprint(sample, region=city.region, year=year, source="Demo City households")
    average = float(footprint["total_kg"].mean())
    mine = table[table["household_id"].astype(str) == household]
    usage = {household: {c: float(mine[c].iloc[0]) for c in columns}} if len(mine) else {}
    return usage, average


def _ranked_entities(city: DemoCity) -> list[str]:
    """Enterprises active in the last year, largest energy use first."""
    last = max(city.years)
    active = city.enterprises[city.enterprises["closed_year"].isna() | (city.enterprises["closed_year"] > last)]
    return active.sort_values("energy_2024_tce", ascending=False)["uscc"].astype(str).tolist()


def _principal(session: Any, username: str, slug: str) -> Principal:
    user = session.scalar(select(User).where(User.username == username))
    return Principal(
        kind=PrincipalKind.USER,
        id=user.id,
        name=user.username,
        role=Role(user.role),
        tenant=slug,
        tenant_id=user.tenant_id,
        entity_id=user.entity_id,
        household_id=user.household_id,
    )


def _demo_reports(
    settings: Settings, registry: TenantRegistry, slug: str, city: DemoCity, inventory_id: int, others: list[str]
) -> None:
    """MRV history of the demo: the city's last-year report and two enterprises' reports.

    The city administrator submits the city inventory and the verifier verifies it; the reporters
    of ``others[0]`` and ``others[1]`` submit their records of the last year exactly as in the city
    inventory (so no total changes); the first is verified, the second awaits a decision.
    """
    from zerocity.service.mrv import decide, submit_inventory_report

    engine = registry.engine(slug)
    last = str(max(city.years))
    with session_scope(registry.platform_engine()) as session:
        admin = _principal(session, f"{slug}_admin", slug)
        verifier = _principal(session, f"{slug}_verifier", slug)
        reporters = [_principal(session, f"{slug}_reporter_{i + 2}", slug) for i in range(len(others))]
    with session_scope(engine) as session:
        city_report = submit_inventory_report(
            session,
            engine,
            settings,
            principal=admin,
            scope=RowScope(None, None),
            inventory_id=inventory_id,
            period=last,
            entity=None,
            note="Demo City inventory",
        )
    decide(engine, settings, principal=verifier, report=city_report["report"], verified=True, reasons=[], note="demo")
    records = city.records
    for i, (uscc, reporter) in enumerate(zip(others, reporters, strict=True)):
        mine = records[(records["entity"].fillna("") == uscc) & (records["year"] == int(last))]
        scope = RowScope(entity_id=uscc, household_id=None)
        with session_scope(engine) as session:
            own_id = import_inventory(
                session,
                content=mine.to_csv(index=False).encode("utf-8"),
                filename=f"{uscc}-{last}.csv",
                name=f"{uscc} {last}",
                gwp="AR5",
                region=city.region,
                level="BASIC",
                scope=scope,
                created_by=reporter.actor,
            )
        with session_scope(engine) as session:
            report = submit_inventory_report(
                session,
                engine,
                settings,
                principal=reporter,
                scope=scope,
                inventory_id=own_id,
                period=last,
                entity=None,
                note="annual data",
            )
        if i == 0:
            decide(engine, settings, principal=verifier, report=report["report"], verified=True, reasons=[], note="")


def _set_password(session: Any, tenant_id: int, username: str, role: Role, **attrs: str | None) -> str:
    password = secrets.token_urlsafe(12)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        create_user(session, tenant_id=tenant_id, username=username, password=password, role=role, **attrs)
    else:
        user.password_hash = hash_password(password)
        user.disabled = False
    return password


def load_demo_tenant(
    settings: Settings,
    *,
    slug: str = DEMO_SLUG,
    seed: int = DEFAULT_SEED,
    registry: TenantRegistry | None = None,
    city: DemoCity | None = None,
) -> DemoTenant:
    """Create (or reuse) the Demo City tenant with its data and one user per role.

    Parameters
    ----------
    settings : Settings
        Deployment (platform database, data directory).
    slug : str
        Tenant slug; its users are ``<slug>_admin``, ``<slug>_analyst``, ``<slug>_reporter``,
        ``<slug>_verifier``, ``<slug>_household`` and ``<slug>_public``.
    seed : int
        Demo City seed.
    registry : TenantRegistry, optional
        The running app's registry (a new one otherwise).
    city : DemoCity, optional
        An already built Demo City of ``seed``.

    Returns
    -------
    DemoTenant
        Slug, inventory id and the logins. When the tenant exists with its profile, only the
        passwords are renewed (the data is not loaded twice).
    """
    registry = registry or TenantRegistry(settings)
    city = city or build_demo_city(seed=seed)
    ranked = _ranked_entities(city)
    entity, verifier_entity, others = ranked[0], ranked[1], ranked[2:4]
    household = str(city.behaviour_events["household_id"].astype(str).iloc[0])
    with session_scope(registry.platform_engine()) as session:
        tenant = session.scalar(select(Tenant).where(Tenant.slug == slug))
        if tenant is None:
            tenant = create_tenant(session, slug=slug, name=city.name, registry=registry)
        tenant_id = tenant.id
        people: dict[str, tuple[Role, dict[str, str | None]]] = {
            f"{slug}_admin": (Role.CITY_ADMIN, {}),
            f"{slug}_analyst": (Role.ANALYST, {}),
            f"{slug}_reporter": (Role.ENTERPRISE_REPORTER, {"entity_id": entity}),
            f"{slug}_verifier": (Role.VERIFIER, {"entity_id": verifier_entity}),
            f"{slug}_household": (Role.HOUSEHOLD, {"household_id": household}),
            f"{slug}_public": (Role.PUBLIC, {}),
            **{f"{slug}_reporter_{i + 2}": (Role.ENTERPRISE_REPORTER, {"entity_id": u}) for i, u in enumerate(others)},
        }
        logins = {
            name: (role, _set_password(session, tenant_id, name, role, **attrs))
            for name, (role, attrs) in people.items()
        }
    existing = load_profile(settings, slug)
    if existing is not None:
        logger.info("tenant %r already holds Demo City; passwords renewed", slug)
        return DemoTenant(slug, existing.inventory_id, logins, entity, verifier_entity, household)
    engine = registry.engine(slug)
    scope = RowScope(entity_id=None, household_id=None)
    csv = city.records.to_csv(index=False).encode("utf-8")
    with session_scope(engine) as session:
        inventory_id = import_inventory(
            session,
            content=csv,
            filename="demo-city-records.csv",
            name=f"{city.name} {min(city.years)}-{max(city.years)}",
            gwp="AR5",
            region=city.region,
            level="BASIC",
            scope=scope,
            created_by="demo",
        )
        publish_inventory(session, scope=scope, inventory_id=inventory_id, created_by="demo")
        registry_csv = city.enterprises.rename(columns={"name_en": "name"}).to_csv(index=False).encode("utf-8")
        upload_registry(
            session, content=registry_csv, filename="demo-enterprises.csv", inventory_id=inventory_id, created_by="demo"
        )
    from zerocity.inventory.engine import compute_inventory
    from zerocity.monitor.alerts import set_quota

    last = max(city.years)
    result = compute_inventory(city.records, region=city.region, years=[last - 1, last], source="Demo City records")
    counted = result.counted("BASIC")
    last_total = float(counted.loc[counted["year"] == last, "tco2e"].sum())
    own_previous = counted[(counted["year"] == last - 1) & (counted["entity"].astype(str) == entity)]
    with session_scope(engine) as session:
        set_quota(session, entity=entity, year=last, quota=QUOTA_SHARE * float(own_previous["tco2e"].sum()))
    load_demo_meters(engine, city)
    _demo_reports(settings, registry, slug, city, inventory_id, others)
    _demo_household(settings, registry, slug, city, household)
    usage, average = _household_usage(city, household)
    profile = CityProfile(
        name=city.name,
        name_zh=city.name_zh,
        region=city.region,
        inventory_id=inventory_id,
        statistics=city.statistics[["year", "population", "gdp", "gdp_secondary", "energy_total_tce"]].copy(),
        districts=city.districts,
        target=demo_target_path(max(city.years), last_total),
        sinks=_cached_sinks(city, seed),
        utc_offset_h=UTC_OFFSET_H,
        scenario_model=json.loads(_scenario_model_text(seed)),
        household_usage=usage,
        household_average_kg=average,
        energy_system=demo_system(representative=True),
        buildings=_buildings().copy(),
    )
    save_profile(settings, slug, profile)
    save_roofs(settings, slug, demo_roofs(city))
    logger.info("loaded Demo City into tenant %r (inventory %d)", slug, inventory_id)
    return DemoTenant(slug, inventory_id, logins, entity, verifier_entity, household)
