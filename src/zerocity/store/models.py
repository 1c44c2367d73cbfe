"""ORM models of the zerocity database.

The schema is owned by the Alembic migrations in :mod:`zerocity.store.migrations`; these
models must describe exactly what the migrations create (a test compares the two). Bulk data
(input rows, emission rows, factor rows) is written with Core ``INSERT`` executemany through
the tables of these models, never one ORM object per row.

Tables
------
``inventories``
    One computed inventory: identity, headline numbers, run parameters, the result summary
    (the JSON contract minus ``records``) and the SHA-256 of the input records.
``inventory_inputs``
    The input records, one JSON object per data row (``row`` is 1-based).
``inventory_emissions``
    The per-record results in long form: one row per record and gas, with the tonnes of the
    gas and its share of the record's tCO2e. Two pseudo-gases keep records lossless:
    :data:`GAS_CO2E` (a record whose result gives no gas breakdown) and :data:`GAS_BIOGENIC`
    (biogenic CO2, reported outside the totals, so its ``tco2e`` is 0).
``factor_sets``
    One loaded user factor set (name and version unique together).
``factor_set_rows``
    The factor records of a set, one JSON object per row.
``ledger_entries``, ``ledger_nodes``, ``ledger_tree_heads``, ``evidence_files``
    The MRV ledger (:mod:`zerocity.ledger`): entries (the leaves, canonical JSON), the hashes of
    completed perfect subtrees, the signed tree heads and the content-addressed evidence files.
    Append-only by design: the code has no update or delete path for them.
``households``, ``household_consents``, ``household_events``
    Household carbon inclusion (:mod:`zerocity.accounts.privacy`): pseudonymous households
    (HMAC-SHA-256 of the external id, which is never stored), their consents per data source
    and their ingested, scored events. Deleting a household removes all three.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

__all__ = [
    "GAS_BIOGENIC",
    "GAS_CO2E",
    "JSON_DOCUMENT",
    "JSON_TYPE",
    "NAMING_CONVENTION",
    "ApiKey",
    "AuditEntry",
    "Base",
    "EnterpriseRegistry",
    "EvidenceFile",
    "FactorSet",
    "FactorSetRow",
    "Household",
    "HouseholdConsent",
    "HouseholdEvent",
    "Inventory",
    "InventoryAccess",
    "InventoryEmission",
    "InventoryInput",
    "LedgerEntry",
    "LedgerNode",
    "LedgerTreeHead",
    "LoginFailure",
    "Meter",
    "MeterReading",
    "MeterRollupHour",
    "MonitorQuota",
    "MonitorWarning",
    "RefreshToken",
    "ServiceJob",
    "Tenant",
    "User",
    "Webhook",
    "WebhookDelivery",
]

#: Constraint names follow this convention so migrations and models agree on every name.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Row data: JSON, JSONB on PostgreSQL (queryable; key order is not kept, the column lists
#: stored beside it restore it). Python None is SQL NULL, not JSON null.
JSON_TYPE: TypeEngine[Any] = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
#: Documents read back as written, key order included (``json``, not ``jsonb``, on PostgreSQL):
#: summaries, parameters, column lists.
JSON_DOCUMENT: TypeEngine[Any] = JSON(none_as_null=True)

#: Pseudo-gas of an emission row carrying a record's tCO2e when it has no gas breakdown.
GAS_CO2E = "CO2e"
#: Pseudo-gas of an emission row carrying a record's biogenic CO2 (tonnes; tco2e is 0).
GAS_BIOGENIC = "CO2_biogenic"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every zerocity table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: DateTime(timezone=True),
        float: Double(),
        dict[str, Any]: JSON_DOCUMENT,
        list[Any]: JSON_DOCUMENT,
    }


class Inventory(Base):
    """One stored inventory run."""

    __tablename__ = "inventories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    gwp: Mapped[str | None] = mapped_column(String(32))
    region: Mapped[str | None] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(32))
    total_tco2e: Mapped[float | None]
    record_count: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]]
    input_sha256: Mapped[str] = mapped_column(String(64))
    #: Column names and dtypes of the input frame, in order: ``[{"name", "dtype"}, ...]``.
    input_columns: Mapped[list[Any]]
    #: The result (JSON contract) without ``records``.
    summary: Mapped[dict[str, Any]]


class InventoryInput(Base):
    """One input record of an inventory."""

    __tablename__ = "inventory_inputs"

    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"), primary_key=True)
    row: Mapped[int] = mapped_column(Integer, primary_key=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)


class InventoryEmission(Base):
    """One gas of one result record of an inventory."""

    __tablename__ = "inventory_emissions"
    __table_args__ = (Index("ix_inventory_emissions_inventory_id_gpc_ref", "inventory_id", "gpc_ref"),)

    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"), primary_key=True)
    #: 1-based position of the record in the result's ``records`` list.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    gas: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: 1-based input row the record was computed from.
    row: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    gpc_ref: Mapped[str | None] = mapped_column(String(32))
    activity: Mapped[str | None] = mapped_column(String(200))
    tonnes: Mapped[float | None]
    tco2e: Mapped[float]
    factor_ids: Mapped[list[Any] | None] = mapped_column(JSON_TYPE)
    #: Record keys outside the contract, and the exact record total when the gas shares miss
    #: it by an ulp (first gas row of a record only), else NULL.
    extra: Mapped[dict[str, Any] | None]


class FactorSet(Base):
    """One stored user factor set."""

    __tablename__ = "factor_sets"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    source_path: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(default=_utcnow)
    row_count: Mapped[int] = mapped_column(Integer)
    #: Column names and dtypes of the frame, in order: ``[{"name", "dtype"}, ...]``.
    columns: Mapped[list[Any]]


class FactorSetRow(Base):
    """One factor record of a stored factor set."""

    __tablename__ = "factor_set_rows"
    __table_args__ = (Index("ix_factor_set_rows_factor_set_id_factor_id", "factor_set_id", "factor_id"),)

    factor_set_id: Mapped[int] = mapped_column(ForeignKey("factor_sets.id", ondelete="CASCADE"), primary_key=True)
    #: 1-based position of the row in the frame.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    factor_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)


class LedgerEntry(Base):
    """One leaf of the MRV ledger."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_entry_type", "entry_type"),
        Index("ix_ledger_entries_subject", "subject"),
    )

    #: 0-based leaf index.
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: The leaf: the entry as RFC 8785 canonical JSON (UTF-8).
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256(0x00 || entry).
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Size of the tree head that published this entry (its append batch).
    batch_size: Mapped[int] = mapped_column(BigInteger)
    # Copies of entry fields for queries; verification checks they match the entry.
    entry_type: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(200))
    tenant: Mapped[str] = mapped_column(String(64))
    #: What the entry is about (a report id, an inventory id...), or ''.
    subject: Mapped[str] = mapped_column(String(200))


class LedgerNode(Base):
    """Hash of a completed perfect subtree of level >= 1 (level 0 is the leaf hash)."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerTreeHead(Base):
    """A signed tree head: (size, root, timestamp) signed by the platform key (Ed25519)."""

    __tablename__ = "ledger_tree_heads"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    key_id: Mapped[str] = mapped_column(String(64))


class EvidenceFile(Base):
    """A file entries refer to, stored once by the SHA-256 of its content."""

    __tablename__ = "evidence_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    stored_at: Mapped[datetime] = mapped_column(default=_utcnow)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Household(Base):
    """A pseudonymous household: HMAC-SHA-256 of its external id (the external id is never stored)."""

    __tablename__ = "households"

    pseudonym: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


class HouseholdConsent(Base):
    """One consent of a household to the use of one data source, from grant to revocation."""

    __tablename__ = "household_consents"
    __table_args__ = (Index("ix_household_consents_household_source", "household", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household: Mapped[str] = mapped_column(ForeignKey("households.pseudonym", ondelete="CASCADE"))
    #: Data source (``transport_card``, ``electricity_meter``, ``pv_meter``, ``ev_charger``, ``app``).
    source: Mapped[str] = mapped_column(String(32))
    granted_at: Mapped[datetime]
    #: NULL while the consent is active.
    revoked_at: Mapped[datetime | None]
    #: How the consent was given (``app``, ``paper``, ``web``...).
    method: Mapped[str] = mapped_column(String(64))


class HouseholdEvent(Base):
    """One ingested behaviour event of a household, with its score."""

    __tablename__ = "household_events"

    household: Mapped[str] = mapped_column(ForeignKey("households.pseudonym", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    behaviour: Mapped[str] = mapped_column(String(64))
    #: The data source whose consent admitted the event.
    source: Mapped[str] = mapped_column(String(32))
    #: Time of the behaviour (UTC; the payload keeps the local wall-clock time).
    occurred_at: Mapped[datetime]
    #: The event row as ingested, ``household_id`` replaced by the pseudonym.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    methodology: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(64))
    reduction_kg: Mapped[float]
    awarded_kg: Mapped[float]
    points: Mapped[float]
    ingested_at: Mapped[datetime] = mapped_column(default=_utcnow)


# ------------------------------------------------------------------ monitor (migration 0004) begin
# Real-time meter monitoring (:mod:`zerocity.monitor`). Owned by the monitor package.


class Meter(Base):
    """A registered meter: which entity, district and sector it measures, and what carrier."""

    __tablename__ = "meters"
    __table_args__ = (Index("ix_meters_entity", "entity"),)

    meter_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    entity: Mapped[str] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(100))
    sector: Mapped[str | None] = mapped_column(String(100))
    #: GPC reference the readings are reported under (e.g. ``I.1.2``).
    gpc_ref: Mapped[str] = mapped_column(String(32))
    #: Activity id of the factor library (``electricity_grid``, ``natural_gas``...).
    carrier: Mapped[str] = mapped_column(String(64))
    #: Unit readings are sent in when they carry none.
    unit: Mapped[str] = mapped_column(String(32))
    #: Unit of ``meter_readings.quantity`` (the activity's default unit).
    quantity_unit: Mapped[str] = mapped_column(String(32))
    #: Reporting interval [s].
    interval_s: Mapped[int] = mapped_column(Integer)
    #: Factor region (e.g. ``CN``).
    region: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


class MeterReading(Base):
    """One reading; ``(meter_id, ts)`` is the key, so a repeated reading is ignored."""

    __tablename__ = "meter_readings"
    __table_args__ = (Index("ix_meter_readings_ts", "ts"),)

    meter_id: Mapped[str] = mapped_column(ForeignKey("meters.meter_id", ondelete="CASCADE"), primary_key=True)
    #: Start of the interval [s since 1970-01-01 UTC].
    ts: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: Value as received [``unit``].
    value: Mapped[float]
    unit: Mapped[str] = mapped_column(String(32))
    #: Value converted to the meter's ``quantity_unit``.
    quantity: Mapped[float]
    #: Emissions of the reading [t CO2e].
    tco2e: Mapped[float]
    #: When the reading was stored [s since 1970-01-01 UTC].
    received_at: Mapped[float]


class MeterRollupHour(Base):
    """Sums of readings per UTC hour, per grouping of the meter registry (migration 0007).

    Maintained in the ingest transaction from the readings actually inserted, and rebuilt when a
    meter's grouping changes, so it always equals the aggregate of ``meter_readings``. ``grp``
    is ``''`` for meters without a district or sector (keys cannot be NULL).
    """

    __tablename__ = "meter_rollups_hour"

    #: Registry column grouped by: ``entity``, ``district`` or ``sector`` (per meter: from the readings).
    grouping: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: Start of the UTC hour [s since 1970-01-01 UTC].
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    grp: Mapped[str] = mapped_column(String(200), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(64), primary_key=True)
    quantity_unit: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Sum of the readings' quantities [``quantity_unit``].
    quantity: Mapped[float]
    #: Sum of the readings' emissions [t CO2e].
    tco2e: Mapped[float]
    #: Number of readings summed.
    readings: Mapped[int] = mapped_column(BigInteger)


class MonitorQuota(Base):
    """An annual quota of an entity (``kind`` ``carbon`` [t CO2e])."""

    __tablename__ = "monitor_quotas"

    entity: Mapped[str] = mapped_column(String(200), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    quota: Mapped[float]


class MonitorWarning(Base):
    """A warning raised by the monitor, with its plain-language explanation."""

    __tablename__ = "monitor_warnings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    meter_id: Mapped[str | None] = mapped_column(String(100))
    entity: Mapped[str | None] = mapped_column(String(200))
    observed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    explanation: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]
    #: Identity of the condition; the same condition is warned about once.
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    acknowledged_at: Mapped[datetime | None]


class Webhook(Base):
    """A webhook warnings are delivered to (JSON body signed with HMAC-SHA256 of ``secret``)."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    #: Warning kinds delivered; NULL for all.
    kinds: Mapped[list[Any] | None]
    active: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


class WebhookDelivery(Base):
    """The outbox: one delivery of one warning to one webhook, retried until delivered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "warning_id"),
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    warning_id: Mapped[int] = mapped_column(ForeignKey("monitor_warnings.id", ondelete="CASCADE"))
    #: The exact JSON text sent (the signature covers these bytes, UTF-8).
    body: Mapped[str] = mapped_column(Text)
    #: ``pending``, ``delivered`` or ``failed`` (gave up).
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


# ------------------------------------------------------------------ monitor (migration 0004) end


# ------------------------------------------------------------------ service (migration 0005) begin
# The HTTP service (:mod:`zerocity.service`). Owned by the service package. The platform tables
# (tenants ... login_failures) are used in the platform database only; ``inventory_access`` in
# the tenant databases only. Every database gets the whole schema (one migration chain).


class Tenant(Base):
    """A city hosted by the deployment; its data live in their own database (or schema)."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Identifier in URLs, file names and schema names (``[a-z][a-z0-9_]{1,39}``).
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


class User(Base):
    """A person who logs in; ``tenant_id`` is NULL for platform administrators only."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    #: Argon2id hash in PHC string format (argon2-cffi).
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    #: Enterprise (unified social credit code) of an enterprise reporter or verifier.
    entity_id: Mapped[str | None] = mapped_column(String(200))
    #: Household of a household user.
    household_id: Mapped[str | None] = mapped_column(String(200))
    disabled: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)


class ApiKey(Base):
    """A machine credential (meter, gateway, script) of one tenant, stored as its SHA-256."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: First characters of the key, shown in listings to tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str | None] = mapped_column(String(200))
    household_id: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RefreshToken(Base):
    """A refresh token (SHA-256 stored), single use: rotated on every refresh."""

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=_utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what to which object, when, in which tenant, and how it ended."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=_utcnow)
    #: Tenant slug (NULL for platform-level actions).
    tenant: Mapped[str | None] = mapped_column(String(40))
    #: ``user:<username>``, ``apikey:<id>`` or ``anonymous``.
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(200))
    #: ``success``, ``failure`` or ``denied``.
    outcome: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer)
    client: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]]


class LoginFailure(Base):
    """One failed login, kept for the rate limit window."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_username_client_at", "username", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=_utcnow)


class InventoryAccess(Base):
    """Tenant database: who stored an inventory, for which entity, and whether it is published."""

    __tablename__ = "inventory_access"

    inventory_id: Mapped[int] = mapped_column(
        ForeignKey("inventories.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    #: Entity of an enterprise reporter's inventory (NULL for city inventories).
    entity_id: Mapped[str | None] = mapped_column(String(200), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    #: When a city administrator published its totals (NULL: not public).
    published_at: Mapped[datetime | None]


# ------------------------------------------------------------------ service (migration 0005) end


# ------------------------------------------------------------------ service accounts and jobs (migration 0006) begin
class EnterpriseRegistry(Base):
    """Tenant database: an uploaded enterprise registry and its accounts inventory (the newest rules)."""

    __tablename__ = "enterprise_registries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    #: Sanitised upload name; its suffix (.csv or .xlsx) picks the reader.
    filename: Mapped[str] = mapped_column(String(100))
    #: The file as uploaded (validated before it was stored).
    content: Mapped[bytes] = mapped_column(LargeBinary)
    row_count: Mapped[int] = mapped_column(Integer)
    #: The stored inventory (records with an ``entity`` column) the accounts are computed from.
    inventory_id: Mapped[int] = mapped_column(ForeignKey("inventories.id", ondelete="CASCADE"))


class ServiceJob(Base):
    """Tenant database: a model run of the HTTP service executed in the background."""

    __tablename__ = "service_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: Registered job kind (``brain.peak``, ``energy.storage`` ...).
    kind: Mapped[str] = mapped_column(String(64))
    #: ``queued``, ``running``, ``succeeded`` or ``failed``.
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: The validated request body.
    params: Mapped[dict[str, Any]] = mapped_column(JSON_DOCUMENT)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON_DOCUMENT)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200))
    #: ``host:pid`` of the process running it (set when it starts).
    worker: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=_utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


# ------------------------------------------------------------------ service accounts and jobs (migration 0006) end
