"""Initial schema: inventories and their inputs and emissions, factor sets and their rows.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the JSON types of this revision (models may change later; migrations do not):
# row data is JSONB on PostgreSQL, documents whose key order matters are plain JSON everywhere.
JSONB = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
JSON = sa.JSON()
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inventories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("gwp", sa.String(length=32), nullable=True),
        sa.Column("region", sa.String(length=32), nullable=True),
        sa.Column("level", sa.String(length=32), nullable=True),
        sa.Column("total_tco2e", sa.Double(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("input_columns", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inventories"),
    )
    op.create_table(
        "inventory_inputs",
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("record", JSONB, nullable=False),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name="fk_inventory_inputs_inventory_id_inventories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inventory_id", "row", name="pk_inventory_inputs"),
    )
    op.create_table(
        "inventory_emissions",
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("gas", sa.String(length=32), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=200), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("gpc_ref", sa.String(length=32), nullable=True),
        sa.Column("activity", sa.String(length=200), nullable=True),
        sa.Column("tonnes", sa.Double(), nullable=True),
        sa.Column("tco2e", sa.Double(), nullable=False),
        sa.Column("factor_ids", JSONB, nullable=True),
        sa.Column("extra", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventories.id"],
            name="fk_inventory_emissions_inventory_id_inventories",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inventory_id", "seq", "gas", name="pk_inventory_emissions"),
    )
    op.create_index(
        "ix_inventory_emissions_inventory_id_gpc_ref",
        "inventory_emissions",
        ["inventory_id", "gpc_ref"],
    )
    op.create_table(
        "factor_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("loaded_at", TIMESTAMP, nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("columns", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_factor_sets"),
        sa.UniqueConstraint("name", "version", name="uq_factor_sets_name_version"),
    )
    op.create_table(
        "factor_set_rows",
        sa.Column("factor_set_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("factor_id", sa.String(length=200), nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.ForeignKeyConstraint(
            ["factor_set_id"],
            ["factor_sets.id"],
            name="fk_factor_set_rows_factor_set_id_factor_sets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("factor_set_id", "seq", name="pk_factor_set_rows"),
    )
    op.create_index(
        "ix_factor_set_rows_factor_set_id_factor_id",
        "factor_set_rows",
        ["factor_set_id", "factor_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_factor_set_rows_factor_set_id_factor_id", table_name="factor_set_rows")
    op.drop_table("factor_set_rows")
    op.drop_table("factor_sets")
    op.drop_index("ix_inventory_emissions_inventory_id_gpc_ref", table_name="inventory_emissions")
    op.drop_table("inventory_emissions")
    op.drop_table("inventory_inputs")
    op.drop_table("inventories")
