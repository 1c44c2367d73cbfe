"""Alembic migrations: schema created, models in agreement, downgrade and re-upgrade."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from zerocity.store.db import alembic_config, current_revision, downgrade, head_revision, upgrade
from zerocity.store.models import Base

TABLES = {
    "inventories",
    "inventory_inputs",
    "inventory_emissions",
    "factor_sets",
    "factor_set_rows",
    "ledger_entries",
    "ledger_nodes",
    "ledger_tree_heads",
    "evidence_files",
    "households",
    "household_consents",
    "household_events",
    # 0004 monitor
    "meters",
    "meter_readings",
    "monitor_quotas",
    "monitor_warnings",
    "webhooks",
    "webhook_deliveries",
    # 0005 service (platform tables; inventory_access in tenant databases)
    "tenants",
    "users",
    "api_keys",
    "refresh_tokens",
    "audit_log",
    "login_failures",
    "inventory_access",
    # 0006 enterprise registries and service jobs
    "enterprise_registries",
    "service_jobs",
    # 0007 hourly meter rollups
    "meter_rollups_hour",
}


def test_migration_creates_all_tables(db_engine) -> None:
    inspector = inspect(db_engine)
    assert set(inspector.get_table_names()) == TABLES | {"alembic_version"}
    columns = {c["name"] for c in inspector.get_columns("inventories")}
    assert {
        "id",
        "name",
        "created_at",
        "gwp",
        "region",
        "level",
        "total_tco2e",
        "params",
        "input_sha256",
        "summary",
    } <= columns
    emission_columns = {c["name"] for c in inspector.get_columns("inventory_emissions")}
    assert {
        "inventory_id",
        "row",
        "record_id",
        "year",
        "gpc_ref",
        "activity",
        "gas",
        "tonnes",
        "tco2e",
        "factor_ids",
    } <= emission_columns
    for child, parent in [
        ("inventory_inputs", "inventories"),
        ("inventory_emissions", "inventories"),
        ("factor_set_rows", "factor_sets"),
    ]:
        (foreign_key,) = inspector.get_foreign_keys(child)
        assert foreign_key["referred_table"] == parent
        assert foreign_key["options"].get("ondelete", "").upper() == "CASCADE"
    indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes("inventory_emissions")}
    assert indexes["ix_inventory_emissions_inventory_id_gpc_ref"] == ["inventory_id", "gpc_ref"]
    unique = inspector.get_unique_constraints("factor_sets")
    assert [sorted(u["column_names"]) for u in unique] == [["name", "version"]]


def test_database_is_at_head(db_engine) -> None:
    assert head_revision() == "0007"
    assert current_revision(db_engine) == head_revision()
    upgrade(db_engine)  # idempotent
    assert current_revision(db_engine) == head_revision()


def test_models_match_migrations(db_engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        command.check(alembic_config(connection))  # what `alembic check` runs


def test_downgrade_to_base_and_upgrade_again(db_engine) -> None:
    downgrade(db_engine, "base")
    assert set(inspect(db_engine).get_table_names()) <= {"alembic_version"}
    assert current_revision(db_engine) is None
    upgrade(db_engine)
    assert set(inspect(db_engine).get_table_names()) == TABLES | {"alembic_version"}
