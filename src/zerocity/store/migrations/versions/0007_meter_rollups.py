"""Monitoring: hourly rollups of meter readings per grouping, kept in the ingest transaction.

Dashboard queries (day by district over a year, the live view) summed ``meter_readings`` on
every request; at millions of readings that took over half a second. ``meter_rollups_hour`` holds
the sums per UTC hour and entity, district or sector, updated from the readings each batch actually inserts, so
late data still updates every level at once. Existing readings are summed into it here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Frozen copy of the groupings of this revision (registry columns).
GROUPINGS = ("entity", "district", "sector")


def upgrade() -> None:
    op.create_table(
        "meter_rollups_hour",
        sa.Column("grouping", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("grp", sa.String(length=200), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("quantity_unit", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("tco2e", sa.Double(), nullable=False),
        sa.Column("readings", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("grouping", "bucket", "grp", "carrier", "quantity_unit", name="pk_meter_rollups_hour"),
    )
    for grouping in GROUPINGS:
        op.execute(
            "INSERT INTO meter_rollups_hour (grouping, bucket, grp, carrier, quantity_unit, quantity, tco2e, readings) "
            f"SELECT '{grouping}', r.ts - r.ts % 3600, COALESCE(m.{grouping}, ''), m.carrier, m.quantity_unit, "
            "SUM(r.quantity), SUM(r.tco2e), COUNT(*) "
            "FROM meter_readings r JOIN meters m ON m.meter_id = r.meter_id "
            f"GROUP BY r.ts - r.ts % 3600, COALESCE(m.{grouping}, ''), m.carrier, m.quantity_unit"
        )


def downgrade() -> None:
    op.drop_table("meter_rollups_hour")
