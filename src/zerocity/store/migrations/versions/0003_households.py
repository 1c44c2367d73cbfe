"""Household carbon inclusion: pseudonymous households, consents, ingested events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the types of this revision (models may change later; migrations do not).
JSONB = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("pseudonym", name="pk_households"),
    )
    op.create_table(
        "household_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("granted_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("method", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["household"],
            ["households.pseudonym"],
            name="fk_household_consents_household_households",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_household_consents"),
    )
    op.create_index("ix_household_consents_household_source", "household_consents", ["household", "source"])
    op.create_table(
        "household_events",
        sa.Column("household", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("behaviour", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", TIMESTAMP, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("methodology", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("reduction_kg", sa.Double(), nullable=False),
        sa.Column("awarded_kg", sa.Double(), nullable=False),
        sa.Column("points", sa.Double(), nullable=False),
        sa.Column("ingested_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["household"],
            ["households.pseudonym"],
            name="fk_household_events_household_households",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("household", "event_id", name="pk_household_events"),
    )


def downgrade() -> None:
    op.drop_table("household_events")
    op.drop_index("ix_household_consents_household_source", table_name="household_consents")
    op.drop_table("household_consents")
    op.drop_table("households")
