"""Real-time monitoring: meter registry, readings, quotas, warnings, webhooks and their outbox.

Readings keep their time as integer seconds since 1970-01-01 UTC (``ts``): exact primary-key
equality for idempotent ingest, the same bucket arithmetic (``ts - ts % 900``) on SQLite and
PostgreSQL, and no driver-specific datetime adaptation on the bulk-insert path. Rollups are
aggregated on query from ``meter_readings`` (no rollup tables), so late data is reflected at once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types of this revision (models may change later; migrations do not).
JSON = sa.JSON()
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meters",
        sa.Column("meter_id", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=100), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("gpc_ref", sa.String(length=32), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity_unit", sa.String(length=32), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("meter_id", name="pk_meters"),
    )
    op.create_index("ix_meters_entity", "meters", ["entity"])
    op.create_table(
        "meter_readings",
        sa.Column("meter_id", sa.String(length=100), nullable=False),
        sa.Column("ts", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("tco2e", sa.Double(), nullable=False),
        sa.Column("received_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meter_id"], ["meters.meter_id"], name="fk_meter_readings_meter_id_meters", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("meter_id", "ts", name="pk_meter_readings"),
    )
    op.create_index("ix_meter_readings_ts", "meter_readings", ["ts"])
    op.create_table(
        "monitor_quotas",
        sa.Column("entity", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("quota", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "year", "kind", name="pk_monitor_quotas"),
    )
    op.create_table(
        "monitor_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("meter_id", sa.String(length=100), nullable=True),
        sa.Column("entity", sa.String(length=200), nullable=True),
        sa.Column("observed_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("details", JSON, nullable=False),
        sa.Column("dedup_key", sa.String(length=300), nullable=False),
        sa.Column("acknowledged_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_monitor_warnings"),
        sa.UniqueConstraint("dedup_key", name="uq_monitor_warnings_dedup_key"),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("kinds", JSON, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhooks"),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("warning_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name="fk_webhook_deliveries_webhook_id_webhooks", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["monitor_warnings.id"],
            name="fk_webhook_deliveries_warning_id_monitor_warnings",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_deliveries"),
        sa.UniqueConstraint("webhook_id", "warning_id", name="uq_webhook_deliveries_webhook_id_warning_id"),
    )
    op.create_index("ix_webhook_deliveries_status_next_attempt_at", "webhook_deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_status_next_attempt_at", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_table("monitor_warnings")
    op.drop_table("monitor_quotas")
    op.drop_index("ix_meter_readings_ts", table_name="meter_readings")
    op.drop_table("meter_readings")
    op.drop_index("ix_meters_entity", table_name="meters")
    op.drop_table("meters")
