"""Request and response bodies (pydantic): Create / Public schemas per resource, and the page envelope."""

from __future__ import annotations

import functools
import urllib.parse
import zoneinfo
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from zerocity.service.permissions import Role

__all__ = [
    "AccountsPage",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyPublic",
    "AuditPublic",
    "BalanceIn",
    "BalanceRow",
    "BuildingsIn",
    "ChargingIn",
    "ConsentIn",
    "DataCentreIn",
    "EnergyIn",
    "ErrorBody",
    "HouseholdEventIn",
    "HouseholdEventsIn",
    "IngestCount",
    "IngestResult",
    "InventoryPublic",
    "JobAccepted",
    "KayaIn",
    "LanduseIn",
    "LedgerHead",
    "LedgerHealth",
    "LmdiIn",
    "LoadStep",
    "MaccIn",
    "MaccOptimiseIn",
    "Me",
    "MeterIn",
    "MeterPublic",
    "MetersIn",
    "MrvDataSubmitted",
    "MrvDecision",
    "MrvDecisionRequest",
    "MrvReportListed",
    "MrvReportSubmit",
    "MrvSubmitted",
    "Page",
    "PeakIn",
    "ProofCheck",
    "ProofCheckRequest",
    "PublishedInventory",
    "PvIn",
    "QuotaIn",
    "QuotaProjectionRequest",
    "QuotaSet",
    "ReadingIn",
    "RedemptionIn",
    "RefreshRequest",
    "RegistryPage",
    "RegistryPublic",
    "RetrofitIn",
    "RoofIn",
    "ScenarioRunIn",
    "StorageIn",
    "TargetsIn",
    "TenantCreate",
    "TenantPublic",
    "TimeZone",
    "TokenPair",
    "TransportTableIn",
    "TreesIn",
    "TypologyIn",
    "UsageIn",
    "UserCreate",
    "UserPublic",
    "UserUpdate",
    "WebhookIn",
    "WebhookUpdate",
    "WedgesIn",
    "error_responses",
]

T = TypeVar("T")


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _known_zone(value: str) -> str:
    if value not in _time_zones():
        raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai or UTC)")
    return value


def _parsable_url(value: str) -> str:
    try:
        parts = urllib.parse.urlsplit(value)
        _ = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {exc}") from None
    if not parts.hostname:
        raise ValueError("the URL has no host")
    return value


#: An IANA time zone name (``Asia/Shanghai``, ``UTC``).
TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_known_zone)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Page(BaseModel, Generic[T]):
    """One page of a list: the items, the number of matching items, and the window."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorDetail(BaseModel):
    """The error of an error response."""

    code: str
    message: str
    details: list[Any]


class ErrorBody(BaseModel):
    """Body of every 4xx/5xx response."""

    error: ErrorDetail


class TokenPair(BaseModel):
    """Tokens of a login or refresh."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Access token lifetime [s].")
    refresh_token: str


class RefreshRequest(_Input):
    """A refresh token to rotate or revoke."""

    refresh_token: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    """The caller."""

    kind: str
    id: int
    name: str
    role: Role
    tenant: str | None
    entity_id: str | None
    household_id: str | None


class TenantCreate(_Input):
    """A new tenant (city)."""

    slug: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Identifier in URLs and database names.")
    name: str = Field(min_length=1, max_length=200)


class TenantPublic(BaseModel):
    """A tenant."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    created_at: datetime


class UserCreate(_Input):
    """A new user; platform administrators give ``tenant`` (city administrators create in their own)."""

    username: str = Field(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,99}$")
    password: str = Field(min_length=10, max_length=200)
    role: Role
    tenant: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=200)
    household_id: str | None = Field(default=None, max_length=200)


class UserUpdate(_Input):
    """Changes to a user."""

    disabled: bool


class UserPublic(BaseModel):
    """A user (never the password hash)."""

    id: int
    username: str
    role: Role
    tenant: str | None
    entity_id: str | None
    household_id: str | None
    disabled: bool
    created_at: datetime


class ApiKeyCreate(_Input):
    """A new API key of a tenant."""

    name: str = Field(min_length=1, max_length=100)
    role: Role
    tenant: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=200)
    household_id: str | None = Field(default=None, max_length=200)


class ApiKeyPublic(BaseModel):
    """An API key as listed (the key itself is never shown again)."""

    id: int
    name: str
    prefix: str
    role: Role
    tenant: str
    entity_id: str | None
    household_id: str | None
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyPublic):
    """A new API key, with the key text shown this once."""

    key: str


class AuditPublic(BaseModel):
    """One audit log row."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    tenant: str | None
    actor: str
    role: str | None
    action: str
    target: str
    outcome: str
    status_code: int | None
    client: str | None
    details: dict[str, Any]


class InventoryPublic(BaseModel):
    """A stored inventory, as listed."""

    id: int
    name: str
    created_at: datetime
    gwp: str | None
    region: str | None
    level: str | None
    total_tco2e: float | None = Field(description="Total at the inventory's level [t CO2e].")
    record_count: int
    entity_id: str | None
    created_by: str | None
    published_at: datetime | None


class PublishedInventory(BaseModel):
    """Published totals of an inventory (no records, no entities)."""

    id: int
    name: str
    published_at: datetime
    gwp: str | None
    level: str | None
    years: list[int]
    total_tco2e: float | None = Field(description="[t CO2e]")
    basic_tco2e: float | None = Field(description="[t CO2e]")
    basic_plus_tco2e: float | None = Field(description="[t CO2e]")
    by_sector: dict[str, float] = Field(description="[t CO2e] by GPC sector")
    by_scope: dict[str, float] = Field(description="[t CO2e] by scope")


class MrvReportSubmit(_Input):
    """A report submission: a stored inventory of the caller, for a period."""

    inventory_id: int = Field(ge=1, le=2**31 - 1, description="A stored inventory (POST /inventories).")
    period: str = Field(
        pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$", description="YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn."
    )
    entity: str | None = Field(
        default=None, max_length=200, description="Entity (USCC); default: the reporter's own, the city for admins."
    )
    note: str = Field(default="", max_length=2000, description="Note to the verifier.")


class MrvSubmitted(BaseModel):
    """A submitted report version."""

    report: str
    entry: int = Field(description="Ledger index of the submission entry.")
    data_entry: int | None = Field(description="Ledger index of the activity-data entry.")
    version: int
    state: str


class MrvDataSubmitted(BaseModel):
    """A recorded activity-data file."""

    report: str
    entry: int
    sha256: str
    state: str


class MrvDecisionRequest(_Input):
    """Verify or reject the pending version of a report."""

    verified: bool
    reasons: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=50, description="Why (a rejection needs at least one)."
    )
    note: str = Field(default="", max_length=2000)


class MrvDecision(BaseModel):
    """A decision entry and the report's state after it."""

    report: str
    entry: int
    version: int
    state: str


class MrvReportListed(BaseModel):
    """A report as listed."""

    report: str
    entity: str
    period: str
    state: str | None
    version: int | None
    reporter: str | None
    last_entry: int


class LedgerHead(BaseModel):
    """The newest signed tree head and the key that checks it."""

    size: int
    tree_head: dict[str, Any] | None
    public_key: str
    key_id: str


class ProofCheckRequest(_Input):
    """An inclusion proof (``GET /ledger/entries/{index}/proof``) to check."""

    proof: dict[str, Any]
    public_key: str | None = Field(
        default=None, max_length=2000, description="Key you trust (ed25519:BASE64 or PEM); default: this platform's."
    )


class ProofCheck(BaseModel):
    """Outcome of a proof check."""

    ok: bool
    reason: str
    key_id: str


class LedgerHealth(BaseModel):
    """Verification of the whole chain."""

    ok: bool
    entries: int
    tree_heads: int
    first_bad_entry: int | None
    problems: list[dict[str, Any]]


class RegistryPublic(BaseModel):
    """The enterprise registry in use."""

    id: int
    filename: str
    rows: int = Field(description="Registered entities.")
    inventory_id: int = Field(description="Inventory the accounts are computed from.")
    created_at: datetime
    created_by: str


class RegistryPage(Page[dict[str, Any]]):
    """Entities of the registry in use (one page)."""

    registry: RegistryPublic


class AccountsPage(Page[dict[str, Any]]):
    """Graded accounts of one year (one page)."""

    year: int


_ENTITY = Field(min_length=1, max_length=200, description="Entity (USCC).")


class QuotaIn(_Input):
    """A quota of an entity."""

    entity: str = _ENTITY
    quota: float = Field(gt=0, le=1e12, description="Quota [tce or t CO2e].")
    kind: Literal["energy", "carbon"] | None = None
    year: int | None = Field(default=None, ge=1900, le=2200)


class UsageIn(_Input):
    """Use of an entity in a month (``YYYY-MM``) or in a 15-minute interval (its start time)."""

    entity: str = _ENTITY
    time: str = Field(min_length=7, max_length=40, description="YYYY-MM or an ISO 8601 start time.")
    amount: float = Field(ge=0, le=1e12, description="[same unit as the quota]")


class QuotaProjectionRequest(_Input):
    """Quotas and usage to project (as ``zerocity accounts enterprise quota``)."""

    quotas: list[QuotaIn] = Field(min_length=1, max_length=10_000)
    usage: list[UsageIn] = Field(max_length=500_000)
    year: int | None = Field(default=None, ge=1900, le=2200, description="Quota year (default: latest of usage).")
    thresholds: list[Annotated[float, Field(gt=0, le=10)]] = Field(
        default_factory=lambda: [0.8, 1.0], min_length=1, max_length=10, description="Shares of the quota to warn at."
    )
    warnings_only: bool = Field(default=False, description="Only quotas whose status is not ok.")


class ConsentIn(_Input):
    """The caller's consent to a data source."""

    source: Literal["transport_card", "electricity_meter", "pv_meter", "ev_charger", "app"]
    method: str = Field(default="app", min_length=1, max_length=50, description="How it was given.")


class RedemptionIn(_Input):
    """A catalogue item to redeem."""

    item: str = Field(min_length=1, max_length=100)


class HouseholdEventIn(_Input):
    """One behaviour event (columns of ``zerocity accounts household ingest``)."""

    event_id: str = Field(min_length=1, max_length=200)
    household_id: str = Field(min_length=1, max_length=200, description="External household id.")
    behaviour: str = Field(min_length=1, max_length=50)
    timestamp: str = Field(min_length=10, max_length=40, description="Local time, ISO 8601.")
    quantity: float | None = Field(default=None, ge=0, le=1e9)
    unit: str | None = Field(default=None, max_length=20)
    distance_km: float | None = Field(default=None, ge=0, le=1e5)
    duration_min: float | None = Field(default=None, ge=0, le=1e5)
    prior_1: float | None = Field(default=None, ge=0, le=1e9)
    prior_2: float | None = Field(default=None, ge=0, le=1e9)


class HouseholdEventsIn(_Input):
    """A batch of behaviour events."""

    events: list[HouseholdEventIn] = Field(min_length=1, max_length=100_000)
    timezone: TimeZone = "UTC"


class IngestResult(BaseModel):
    """Outcome of an ingestion: one row per event (stored or refused, with the reason)."""

    stored: int
    refused: int
    events: list[dict[str, Any]]


class MeterIn(_Input):
    """A meter of the registry (``zerocity monitor meters import`` columns)."""

    meter_id: str = Field(min_length=1, max_length=100)
    entity: str = Field(min_length=1, max_length=200, description="Entity (USCC) the meter belongs to.")
    district: str | None = Field(default=None, max_length=100)
    sector: str | None = Field(default=None, max_length=100)
    gpc_ref: str = Field(min_length=1, max_length=32, description="GPC reference of its emissions.")
    carrier: str = Field(min_length=1, max_length=64, description="Activity id of the factor library.")
    unit: str = Field(min_length=1, max_length=32, description="Default unit of its readings.")
    interval_s: int = Field(ge=1, le=31 * 86400, description="Reporting interval [s].")
    region: str | None = Field(default=None, max_length=32, description="Factor region (default: the batch's).")


class MeterPublic(BaseModel):
    """A registered meter."""

    meter_id: str
    entity: str
    district: str | None
    sector: str | None
    gpc_ref: str
    carrier: str
    unit: str
    quantity_unit: str = Field(description="Unit of stored quantities (the carrier's default unit).")
    interval_s: int
    region: str
    created_at: datetime


class MetersIn(_Input):
    """Meters to add or update."""

    meters: list[MeterIn] = Field(min_length=1, max_length=100_000)
    region: str = Field(default="CN", min_length=2, max_length=32, description="Region of meters without one.")


class ReadingIn(BaseModel):
    """One meter reading."""

    model_config = ConfigDict(extra="forbid")

    meter_id: str = Field(min_length=1, max_length=100)
    ts: Annotated[int, Field(ge=0, le=2**62)] | Annotated[str, Field(min_length=10, max_length=40)] = Field(
        description="ISO 8601 (UTC without offset) or seconds since 1970-01-01 UTC."
    )
    value: float = Field(allow_inf_nan=False, ge=-1e15, le=1e15, description="Reading [unit].")
    unit: str | None = Field(default=None, max_length=32, description="Unit (default: the meter's).")


class IngestCount(BaseModel):
    """Outcome of a readings batch."""

    received: int
    stored: int
    duplicates: int


class QuotaSet(_Input):
    """An entity's annual quota for the monitoring warnings."""

    entity: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1990, le=2100)
    quota: float = Field(gt=0, le=1e12, description="[t CO2e for carbon, tce for energy]")
    kind: Literal["carbon", "energy"] = "carbon"


class WebhookIn(_Input):
    """A webhook for monitoring warnings."""

    url: Annotated[str, AfterValidator(_parsable_url)] = Field(
        min_length=8, max_length=2000, pattern=r"^https?://[^\s]+$"
    )
    secret: str | None = Field(default=None, min_length=16, max_length=200, description="Default: random.")
    kinds: list[Literal["missing_data", "spike", "quota"]] | None = Field(default=None, max_length=3)


class WebhookUpdate(_Input):
    """Pause or resume a webhook."""

    active: bool


#: A cell of a table sent as JSON rows.
Cell = str | float | int | None
#: Column name of such a table.
_COLUMN = Field(min_length=1, max_length=100)
#: Most rows of a table in a request (zerocity's choice; larger tables: use the CLI).
MAX_TABLE_ROWS = 100_000


class _TableInput(_Input):
    """A table as JSON rows ``[{"column": value, ...}]`` (the CLI's CSV/XLSX), or the Demo City."""

    rows: list[dict[Annotated[str, Field(min_length=1, max_length=100)], Cell]] | None = Field(
        default=None, max_length=MAX_TABLE_ROWS, description="The table, one object per row."
    )
    demo: bool = Field(default=False, description="Use the Demo City's table instead of rows.")

    @model_validator(mode="after")
    def _one_source(self) -> _TableInput:
        if self.demo == (self.rows is not None):
            raise ValueError("give exactly one of rows or demo=true")
        if self.rows is not None and not self.rows:
            raise ValueError("rows must not be empty")
        return self


class LmdiIn(_Input):
    """LMDI-I decomposition of VALUE = product of FACTORS, summed over SECTORS (``zerocity brain lmdi``)."""

    rows: list[dict[Annotated[str, Field(min_length=1, max_length=100)], Cell]] = Field(
        min_length=2, max_length=MAX_TABLE_ROWS, description="Long table: one row per period and sector."
    )
    value: str = _COLUMN
    factors: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=1, max_length=20)
    sectors: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list, max_length=5)
    period: str = Field(default="year", min_length=1, max_length=100)
    mode: Literal["additive", "multiplicative"] = "additive"
    chain: bool = Field(default=False, description="Chain period by period instead of first vs last.")
    rtol: float = Field(default=1e-6, gt=0, le=0.5, description="Tolerance of the factor-product check.")


class KayaIn(_TableInput):
    """Kaya decomposition (``zerocity brain kaya``): population, affluence, energy and carbon intensity."""

    population: str = Field(default="population", min_length=1, max_length=100)
    gdp: str = Field(default="gdp", min_length=1, max_length=100)
    energy: str = Field(default="energy", min_length=1, max_length=100)
    emissions: str = Field(default="emissions", min_length=1, max_length=100)
    period: str = Field(default="year", min_length=1, max_length=100)
    mode: Literal["additive", "multiplicative"] = "additive"
    chain: bool = False


class TypologyIn(_TableInput):
    """City or district typology (``zerocity brain typology``)."""

    id_column: str = Field(default="id", min_length=1, max_length=100)
    k: int = Field(default=4, ge=1, le=50, description="Number of clusters (at most the number of units).")
    method: Literal["kmeans", "ward"] = "kmeans"
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    lang: Literal["en", "zh"] = "en"


class PeakIn(_TableInput):
    """Carbon-peak prediction (``zerocity brain peak``); runs as a job."""

    until: int = Field(default=2060, ge=2000, le=2100, description="Last forecast year.")
    runs: int = Field(default=1000, ge=10, le=20_000, description="Monte Carlo runs.")
    before: int = Field(default=2030, ge=2000, le=2100, description="Year of the peak-by probability.")
    emissions: str = Field(default="emissions", min_length=1, max_length=100, description="[t CO2e] column.")
    drivers: list[dict[Annotated[str, Field(min_length=1, max_length=100)], Cell]] | None = Field(
        default=None, max_length=1000, description="Scenario table: year and driver columns to the horizon."
    )
    model: Literal["auto", "stirpat", "ets", "gp"] = "auto"
    damping: float = Field(default=0.95, gt=0, le=1, description="Damping of driver trends per year.")
    driver_spread: float = Field(default=1.0, ge=0, le=10, description="Scale of driver uncertainty.")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class TargetsIn(_Input):
    """Target allocation (``zerocity targets allocate``): a configuration and its unit table, or a demo."""

    config: dict[str, Any] | None = Field(
        default=None, description="The target configuration (the YAML file's content; ``units`` not needed)."
    )
    rows: list[dict[Annotated[str, Field(min_length=1, max_length=100)], Cell]] | None = Field(
        default=None, min_length=1, max_length=MAX_TABLE_ROWS, description="Unit table, one object per unit."
    )
    demo: Literal["districts", "enterprises"] | None = Field(default=None, description="A Demo City example.")
    explain: str | None = Field(default=None, min_length=1, max_length=200, description="Explain this unit.")

    @model_validator(mode="after")
    def _one_source(self) -> TargetsIn:
        own = self.config is not None and self.rows is not None
        demo_only = self.demo is not None and self.config is None and self.rows is None
        if not (demo_only or (own and self.demo is None)):
            raise ValueError("give config and rows, or demo (not both)")
        return self


class _ModelSource(_Input):
    """A scenario model: its YAML text, or the Demo City model."""

    model_yaml: str | None = Field(default=None, min_length=1, max_length=1_000_000, description="Model (YAML).")
    demo: bool = Field(default=False, description="Use the Demo City model.")

    @model_validator(mode="after")
    def _one_model(self) -> _ModelSource:
        if self.demo == (self.model_yaml is not None):
            raise ValueError("give exactly one of model_yaml or demo=true")
        return self


class ScenarioRunIn(_ModelSource):
    """Scenario pathways (``zerocity scenario run``); runs as a job."""

    scenarios: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=50, description="Scenarios to run (default: all)."
    )
    runs: int = Field(default=0, ge=0, le=10_000, description="Monte Carlo samples (0: none).")
    seed: int = Field(default=12345, ge=0, le=2**31 - 1)


class WedgesIn(_ModelSource):
    """Emission wedges between two scenarios (``zerocity scenario wedges``)."""

    start: str = Field(default="BAU", min_length=1, max_length=100, description="Starting scenario.")
    end: str = Field(default="policy", min_length=1, max_length=100, description="A scenario inheriting from start.")
    level: Literal["BASIC", "BASIC+", "TERRITORIAL"] | None = None


class ScenarioReportIn(_ModelSource):
    """The scenario report (``zerocity report scenario``)."""

    scenarios: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=50, description="Scenarios to report (default: all)."
    )
    start: str | None = Field(default=None, min_length=1, max_length=100, description="Wedges: starting scenario.")
    end: str | None = Field(
        default=None, min_length=1, max_length=100, description="Wedges: a scenario inheriting from start."
    )
    format: Literal["pdf", "xlsx"] = "pdf"
    lang: Literal["en", "zh"] = "en"

    @model_validator(mode="after")
    def _end_with_start(self) -> ScenarioReportIn:
        if self.start is not None and self.end is None:
            raise ValueError("start needs end (a scenario inheriting from it)")
        return self


class LoadStep(_Input):
    """One step of a site's load (mean power over the step)."""

    time: str = Field(min_length=10, max_length=40, description="Local time, ISO 8601 (the tariff's clock).")
    load_kw: float = Field(ge=0, le=1e7, description="[kW]")
    pv_kw: float | None = Field(default=None, ge=0, le=1e7, description="On-site PV [kW].")


class StorageIn(_Input):
    """Battery sizing (``zerocity storage size``); runs as a job. Unset battery fields keep the shipped defaults."""

    load: list[LoadStep] | None = Field(default=None, min_length=24, max_length=366 * 24 * 4)
    demo: bool = Field(default=False, description="The Demo City industrial user (4 GWh/yr, a year of hours).")
    days: int | None = Field(default=None, ge=1, le=366, description="Optimise only the first days.")
    tariff_yaml: str | None = Field(default=None, max_length=100_000, description="Tariff (YAML); default: shipped.")
    energy_kwh: float | None = Field(default=None, ge=0, le=1e7, description="Fixed energy capacity [kWh].")
    power_kw: float | None = Field(default=None, ge=0, le=1e7, description="Fixed power [kW].")
    max_energy_kwh: float | None = Field(default=None, ge=0, le=1e7, description="[kWh]")
    max_power_kw: float | None = Field(default=None, ge=0, le=1e7, description="[kW]")
    capex_kwh: float | None = Field(default=None, ge=0, le=1e5, description="Energy capex [yuan/kWh].")
    capex_kw: float | None = Field(default=None, ge=0, le=1e5, description="Power capex [yuan/kW].")
    efficiency: float | None = Field(default=None, gt=0, le=1, description="One-way efficiency.")
    degradation_cost: float | None = Field(default=None, ge=0, le=100, description="[yuan/kWh discharged]")
    discount_rate: float | None = Field(default=None, ge=0, le=1, description="[1/yr]")
    lifetime: float | None = Field(default=None, gt=0, le=50, description="[yr]")
    no_export: bool = Field(default=False, description="PV surplus is not paid.")
    dispatch: bool = Field(default=False, description="Include the dispatch series in the result.")

    @model_validator(mode="after")
    def _one_source(self) -> StorageIn:
        if self.demo == (self.load is not None):
            raise ValueError("give exactly one of load or demo=true")
        return self


class EnergyIn(_Input):
    """Energy-system planning (``zerocity energy optimise``); runs as a job."""

    system: dict[str, Any] | None = Field(default=None, description="Energy system (the YAML file's content).")
    profiles: list[dict[Annotated[str, Field(min_length=1, max_length=100)], Cell]] | None = Field(
        default=None, max_length=8784 * 4, description="Profiles table (one row per snapshot)."
    )
    demo: Literal["year", "days"] | None = Field(
        default=None, description="Demo City's industrial park: a year of hours, or 12 representative days."
    )
    objective: Literal["cost", "co2", "primary", "imports"] = "cost"
    pareto: int = Field(default=0, ge=0, le=20, description="Cost/CO2 Pareto front with N points (0: none).")
    weights: dict[Literal["cost", "co2", "primary", "imports"], Annotated[float, Field(ge=0, le=1e6)]] | None = None
    co2_cap: float | None = Field(default=None, gt=0, le=1e12, description="Upper bound on CO2 [t/yr].")

    @model_validator(mode="after")
    def _one_source(self) -> EnergyIn:
        if (self.demo is None) == (self.system is None):
            raise ValueError("give exactly one of system or demo")
        return self


_Rows = list[dict[Annotated[str, Field(min_length=1, max_length=100)], Cell]]


class LanduseIn(_TableInput):
    """Land emissions and removals (``zerocity sinks landuse``): areas, changes and factor overrides."""

    changes: _Rows | None = Field(default=None, max_length=MAX_TABLE_ROWS, description="Land-use change matrix.")
    factors: _Rows | None = Field(default=None, max_length=10_000, description="Factor rows overriding the defaults.")
    zone: str | None = Field(default=None, min_length=1, max_length=64, description="Climate zone of rows without one.")
    year: int | None = Field(default=None, ge=1900, le=2200, description="Only this year.")
    transition_years: int = Field(default=20, ge=1, le=100, description="Years converted land stays converted.")
    soil: bool = Field(default=False, description="Also mineral soil carbon of conversions and organic soils.")
    soil_type: Literal["hac", "lac", "sandy", "spodic", "volcanic", "wetland"] | None = None
    soil_years: int = Field(default=20, ge=1, le=100, description="Years a soil change is spread over (D).")
    skip_missing_soil: bool = Field(default=False, description="Soil estimates without factors are NE, not errors.")


class TreesIn(_TableInput):
    """Urban tree carbon (``zerocity sinks trees``); runs as a job."""

    runs: int = Field(default=500, ge=0, le=10_000, description="Monte Carlo draws (0: central only).")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    year: int = Field(default=2024, ge=1900, le=2200, description="Year of the net-balance rows.")
    stress_e: float | None = Field(default=None, ge=-1, le=1, description="Site stress E (Chave et al. 2014).")


class BalanceRow(_Input):
    """Emissions (or a sink, negative = removal) of a district in a year."""

    year: int = Field(ge=1900, le=2200)
    district: str = Field(min_length=1, max_length=100)
    tco2e: float = Field(ge=-1e12, le=1e12, description="[t CO2e]")


class BalanceIn(_Input):
    """Net balance (``zerocity sinks balance``): gross emissions and sink tables, or the Demo City."""

    emissions: list[BalanceRow] | None = Field(default=None, min_length=1, max_length=MAX_TABLE_ROWS)
    sinks: dict[Annotated[str, Field(min_length=1, max_length=100)], list[BalanceRow]] | None = Field(
        default=None, max_length=20, description="Named sink tables (negative = removal)."
    )
    alternatives: dict[Annotated[str, Field(min_length=1, max_length=100)], list[BalanceRow]] | None = Field(
        default=None, max_length=20, description="Other estimates of the same sinks, reported only."
    )
    demo: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> BalanceIn:
        if self.demo == (self.emissions is not None):
            raise ValueError("give exactly one of emissions (with sinks) or demo=true")
        return self


class BuildingsIn(_TableInput):
    """Buildings (``zerocity actions buildings benchmark``; columns in docs/actions.md), or the Demo City's."""

    building_class: Literal["A", "B"] | None = Field(default=None, description="GB/T 51161 class of rows without one.")
    gas_kwh_per_m3: float | None = Field(default=None, gt=0, le=100, description="Gas conversion [kWh/m3].")
    region: str | None = Field(default=None, min_length=2, max_length=32, description="Region of the factors.")
    year: int = Field(default=2024, ge=1990, le=2100, description="Year of the factors.")


class RetrofitIn(BuildingsIn):
    """Retrofit plans (``zerocity actions buildings retrofit``)."""

    buildings: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, max_length=10_000, description="Only these building ids."
    )
    discount_rate: float | None = Field(default=None, ge=0, le=1, description="Real discount rate.")
    max_cost: float | None = Field(default=None, ge=-1e6, le=1e7, description="Leave out measures above [yuan/t CO2e].")


class TransportTableIn(_Input):
    """A vehicle stock or trips table (``zerocity actions transport stock|trips``)."""

    rows: _Rows = Field(min_length=1, max_length=MAX_TABLE_ROWS)
    region: str = Field(default="CN", min_length=2, max_length=32)
    year: int = Field(default=2024, ge=1990, le=2100)


class ChargingIn(_Input):
    """Average-day EV charging demand (``zerocity actions transport charging``)."""

    annual_mwh: float = Field(gt=0, le=1e9, description="EV charging energy [MWh/a].")
    shape: list[Annotated[float, Field(ge=0, le=1e6)]] | None = Field(
        default=None, min_length=24, max_length=24, description="24 hourly weights, hour 0 first."
    )


class DataCentreIn(_Input):
    """A data centre (fields of ``zerocity.actions.datacentre.DataCentre``) and extra PUE targets."""

    datacentre: dict[str, Any] = Field(description="it_load_kw, pue or cooling_kw, green_share, new, size, zone...")
    targets: list[Annotated[float, Field(ge=1, le=5)]] | None = Field(default=None, max_length=10)
    grid_factor: float | None = Field(default=None, ge=0, le=5, description="Grid factor [t CO2e/MWh].")


class RoofIn(_Input):
    """A roof (or roof face); unset tilt, azimuth and usable fraction take the request's."""

    id: str = Field(min_length=1, max_length=100)
    area_m2: float = Field(gt=0, le=1e7, description="[m2]")
    tilt: float | None = Field(default=None, ge=0, le=90, description="[deg]")
    azimuth: float | None = Field(default=None, ge=0, lt=360, description="180 = south [deg]")
    usable_fraction: float | None = Field(default=None, gt=0, le=1)


class PvIn(_Input):
    """Rooftop PV (``zerocity pv estimate``) on a clear-sky year at the site."""

    roofs: list[RoofIn] | None = Field(default=None, min_length=1, max_length=10_000)
    area: float | None = Field(default=None, gt=0, le=1e7, description="One roof of this area [m2].")
    tilt: float = Field(default=25.0, ge=0, le=90, description="Module tilt [deg].")
    azimuth: float = Field(default=180.0, ge=0, lt=360, description="Module azimuth, 180 = south [deg].")
    usable: float = Field(default=0.6, gt=0, le=1, description="Usable fraction of the roof area.")
    lat: float = Field(default=31.81, ge=-90, le=90, description="Latitude [deg].")
    lon: float = Field(default=119.47, ge=-180, le=180, description="Longitude [deg].")
    tz: TimeZone = "Asia/Shanghai"
    mounting: Literal["bapv", "bipv"] = "bapv"
    module: str | None = Field(default=None, min_length=1, max_length=100, description="Module id (data/modules.csv).")
    inverter: str | None = Field(default=None, min_length=1, max_length=100)
    dc_ac: float | None = Field(default=None, gt=0.5, le=2.0, description="DC/AC ratio.")
    losses: float | None = Field(default=None, ge=0, le=50, description="PVWatts system losses [%].")
    transposition: Literal["haydavies", "perez", "isotropic"] = "perez"
    annual_ghi: float | None = Field(default=None, gt=0, le=3000, description="Scale to this GHI [kWh/m2/yr].")
    clear_sky_index: float | None = Field(default=None, gt=0, le=1, description="All-sky / clear-sky ratio.")
    turbidity: float | None = Field(default=None, gt=0, le=10, description="Linke turbidity.")
    year: int = Field(default=2023, ge=1990, le=2100, description="Weather year of the clear-sky model.")
    load_profile: str | None = Field(default=None, min_length=1, max_length=50, description="Shipped load shape.")
    annual_load_kwh: float | None = Field(default=None, gt=0, le=1e10, description="Annual load [kWh].")
    feed_in: float | None = Field(default=None, ge=0, le=10, description="Feed-in price [yuan/kWh].")
    capex_per_wp: float | None = Field(default=None, gt=0, le=50, description="Installed cost [yuan/Wp].")
    discount_rate: float | None = Field(default=None, ge=0, le=1, description="[1/yr]")
    lifetime: int | None = Field(default=None, ge=1, le=60, description="[yr]")
    region: str = Field(default="CN-JS", min_length=2, max_length=32, description="Region of the grid factor.")
    factor_year: int = Field(default=2024, ge=1990, le=2100, description="Year of the grid factor.")
    compare: bool = Field(default=True, description="Also price the other mounting.")
    hourly: bool = Field(default=False, description="Include the hourly balance.")

    @model_validator(mode="after")
    def _one_source(self) -> PvIn:
        if (self.roofs is None) == (self.area is None):
            raise ValueError("give exactly one of roofs or area")
        return self


class MaccIn(_Input):
    """Measures (``zerocity macc build``): fields of ``zerocity.brain.macc.MeasureSpec`` per measure."""

    measures: list[dict[str, Any]] = Field(min_length=1, max_length=10_000, description="One object per measure.")
    cost_method: Literal["levelised", "annualised"] = "levelised"
    year: int | None = Field(default=None, ge=1990, le=2100, description="Abatement in this year [t CO2e/yr].")
    period: str | None = Field(
        default=None, pattern=r"^\s*\d{4}\s*[:-]\s*\d{4}\s*$", description="Cumulative abatement over FIRST:LAST."
    )
    discount_rate: float | None = Field(default=None, ge=0, le=1, description="[1/yr] for measures without one.")
    base_year: int | None = Field(default=None, ge=1990, le=2100, description="Year discounted to.")


class MaccOptimiseIn(MaccIn):
    """Portfolio optimisation (``zerocity macc optimise``); runs as a job."""

    target: float | None = Field(default=None, gt=0, le=1e12, description="Abatement to reach, cheapest set.")
    budget: float | None = Field(default=None, gt=0, le=1e15, description="Budget [currency], most abatement.")
    budget_basis: Literal["capex", "pv_cost"] = "capex"
    partial: bool = Field(default=False, description="Allow adopting a share of a measure (LP).")
    time_limit: float | None = Field(default=None, gt=0, le=3600, description="Solver time limit [s].")
    mip_gap: float = Field(default=1e-6, ge=0, le=1, description="Relative MIP gap to stop at.")

    @model_validator(mode="after")
    def _one_goal(self) -> MaccOptimiseIn:
        if (self.target is None) == (self.budget is None):
            raise ValueError("give exactly one of target or budget")
        return self


class JobAccepted(BaseModel):
    """A job taken: poll ``GET /jobs/{id}``."""

    id: int
    kind: str
    status: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for these statuses."""
    return {status: {"model": ErrorBody} for status in statuses}


# ---------------------------------------------------------------------------- models from YAML specifications
#: A YAML document sent as text (the file's content).
_YAML_TEXT = Field(default=None, min_length=1, max_length=1_000_000, description="The YAML file's text.")


class MaccScenarioIn(_ModelSource):
    """A MACC of the measures of a scenario model (``zerocity macc build --from-scenario MODEL``)."""

    start: str = Field(default="BAU", min_length=1, max_length=100, description="Starting scenario.")
    end: str = Field(min_length=1, max_length=100, description="A scenario inheriting from start.")
    effect: Literal["standalone", "wedge"] = Field(
        default="standalone", description="Abatement of each measure: alone on top of start, or its wedge."
    )
    level: Literal["BASIC", "BASIC+", "TERRITORIAL"] | None = Field(default=None, description="Default: the model's.")
    cost_method: Literal["levelised", "annualised"] = "levelised"
    year: int | None = Field(default=None, ge=1990, le=2100, description="Abatement in this year [t CO2e/yr].")
    period: str | None = Field(
        default=None, pattern=r"^\s*\d{4}\s*[:-]\s*\d{4}\s*$", description="Cumulative abatement over FIRST:LAST."
    )
    discount_rate: float | None = Field(default=None, ge=0, le=1, description="Instead of the model's [1/yr].")


class LifecycleIn(_Input):
    """A building's life-cycle inputs (``zerocity actions buildings lifecycle``): YAML text or the same in JSON."""

    lifecycle_yaml: str | None = _YAML_TEXT
    lifecycle: dict[str, Any] | None = Field(
        default=None, description="floor_area_m2, life_years, region, year, materials (items), operation..."
    )
    materials_catalogue: _Rows | None = Field(
        default=None, min_length=1, max_length=10_000, description="Embodied factors replacing GB/T 51366 Appendix D."
    )
    transport_factors: _Rows | None = Field(
        default=None, min_length=1, max_length=1_000, description="Transport factors replacing GB/T 51366 Appendix E."
    )

    @model_validator(mode="after")
    def _one_source(self) -> LifecycleIn:
        if (self.lifecycle_yaml is None) == (self.lifecycle is None):
            raise ValueError("give exactly one of lifecycle_yaml or lifecycle")
        return self


class EvIn(_Input):
    """EV transition of a vehicle stock (``zerocity actions transport ev``): the scenario as YAML text or JSON."""

    rows: _Rows = Field(min_length=1, max_length=MAX_TABLE_ROWS, description="Vehicle stock of the base year.")
    scenario_yaml: str | None = _YAML_TEXT
    scenario: dict[str, Any] | None = Field(
        default=None, description="years, ev_share, grid_factor_t_per_mwh (optional), ev_kwh_per_100km."
    )
    shape: list[Annotated[float, Field(ge=0, le=1e6)]] | None = Field(
        default=None, min_length=24, max_length=24, description="24 hourly charging weights, hour 0 first."
    )
    region: str = Field(default="CN", min_length=2, max_length=32)
    year: int = Field(default=2024, ge=1990, le=2100, description="Year of the stock's factors.")

    @model_validator(mode="after")
    def _one_source(self) -> EvIn:
        if (self.scenario_yaml is None) == (self.scenario is None):
            raise ValueError("give exactly one of scenario_yaml or scenario")
        return self


class DataCentreScenarioIn(_Input):
    """A data centre's improvement path (``zerocity actions datacentre scenario``): YAML text or JSON."""

    scenario_yaml: str | None = _YAML_TEXT
    scenario: dict[str, Any] | None = Field(
        default=None, description="datacentre, years, pue, green_share; it_load_kw, grid_factor_t_per_mwh optional."
    )
    targets: list[Annotated[float, Field(ge=1, le=5)]] | None = Field(
        default=None, max_length=10, description="Extra PUE targets."
    )

    @model_validator(mode="after")
    def _one_source(self) -> DataCentreScenarioIn:
        if (self.scenario_yaml is None) == (self.scenario is None):
            raise ValueError("give exactly one of scenario_yaml or scenario")
        return self


__all__ += ["DataCentreScenarioIn", "EvIn", "LifecycleIn", "MaccScenarioIn", "ScenarioReportIn"]


# ------------------------------------------------------------------------------ allowances, ledger files (H2)
from decimal import Decimal  # noqa: E402  (appended section)

#: A reporting or compliance period (as the MRV workflow writes them).
_PERIOD_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$"
_POOL = Field(
    min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Allowance pool, e.g. CEA-2024."
)
_ACCOUNT = Field(
    min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Account (an entity's USCC)."
)
_AMOUNT = Field(gt=0, le=Decimal(10**12), decimal_places=6, description="Units [t CO2e or tce], up to 6 decimals.")
_NOTE = Field(default="", max_length=500, description="Note recorded in the entry.")


class AllowanceIssueIn(_Input):
    """Allowances to issue (``zerocity accounts enterprise allowance issue``)."""

    pool: str = _POOL
    to: str = _ACCOUNT
    amount: Decimal = _AMOUNT
    period: str = Field(default="", pattern=r"^$|" + _PERIOD_PATTERN, description="Compliance period (optional).")
    note: str = _NOTE


class AllowanceTransferIn(_Input):
    """Allowances to move between two accounts (``... allowance transfer``)."""

    pool: str = _POOL
    source: str = _ACCOUNT
    to: str = _ACCOUNT
    amount: Decimal = _AMOUNT
    note: str = _NOTE


class AllowanceSurrenderIn(_Input):
    """Allowances to surrender for compliance (``... allowance surrender``)."""

    pool: str = _POOL
    source: str = _ACCOUNT
    amount: Decimal = _AMOUNT
    period: str = Field(pattern=_PERIOD_PATTERN, description="Compliance period: YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn.")
    note: str = _NOTE


class AllowanceMoved(BaseModel):
    """The ledger entry of an allowance movement and the balances after it."""

    entry: int
    type: str
    actor: str
    pool: str
    payload: dict[str, Any]
    balances: dict[str, str] = Field(description="Account -> units after the entry (exact decimal text).")


class AllowanceBalance(BaseModel):
    """Units an account holds [t CO2e or tce] (exact decimal text)."""

    account: str
    balance: str


class AllowanceBalances(BaseModel):
    """Balances of a pool, replayed from the ledger."""

    pool: str
    balances: list[AllowanceBalance]


class EvidenceStored(BaseModel):
    """An evidence file stored by the SHA-256 of its content."""

    sha256: str
    size: int = Field(description="[bytes]")
    name: str
    media_type: str


class LedgerEntriesPage(Page[dict[str, Any]]):
    """Ledger entries, oldest first: ``index`` and the entry object."""


__all__ += [
    "AllowanceBalance",
    "AllowanceBalances",
    "AllowanceIssueIn",
    "AllowanceMoved",
    "AllowanceSurrenderIn",
    "AllowanceTransferIn",
    "EvidenceStored",
    "LedgerEntriesPage",
]


# ------------------------------------------------------------------------------ factor sets, inventory tools (H4)
class FactorSetPublic(BaseModel):
    """A factor set: shipped (``stored`` false) or stored by the tenant (``zerocity factors sets``)."""

    id: str = Field(description="Dataset id (a stored set: its name).")
    name: str
    version: str
    records: int = Field(description="Number of factors.")
    stored: bool
    set_id: int | None = Field(default=None, description="Database id of a stored set.")
    sha256: str | None = Field(default=None, description="SHA-256 of a stored set's content.")
    source: str | None = Field(default=None, description="File a stored set was read from.")
    loaded_at: datetime | None = None
    ledger_entry: int | None = Field(default=None, description="Ledger entry of the import (factorset.loaded).")


class FactorActivity(BaseModel):
    """An activity of the vocabulary (``zerocity factors activities``)."""

    activity: str
    name_en: str
    name_zh: str
    category: str
    biogenic: bool
    default_unit: str
    proxy: str | None = Field(description="IPCC activity used when the activity has no factor of its own.")


class RecordProblem(BaseModel):
    """One problem of an input row: 1-based data row (0: the file or its header), column, message, value."""

    row: int
    column: str
    message: str
    value: str


class InventoryValidation(BaseModel):
    """A records file checked as ``POST /inventories`` would, nothing stored (``zerocity inventory validate``)."""

    valid: bool
    file: str
    rows: int = Field(description="Data rows read.")
    problems: list[RecordProblem] = Field(description="Every problem found (empty when valid).")
    summary: dict[str, Any] | None = Field(
        description="The would-be result without records (totals [t CO2e] by level, gas, scope...); null if invalid."
    )


__all__ += ["FactorActivity", "FactorSetPublic", "InventoryValidation", "RecordProblem"]
