"""Storage of inventories and factor sets in SQLite or PostgreSQL.

SQLAlchemy 2 models (:mod:`zerocity.store.models`) and Alembic migrations
(:mod:`zerocity.store.migrations`, run with :func:`upgrade`) define the schema; the service
functions take a session (see :func:`session_scope`) and keyword arguments.

Examples
--------
>>> from zerocity.store import get_engine, upgrade, session_scope, list_inventories
>>> engine = get_engine("sqlite://")
>>> upgrade(engine)
>>> with session_scope(engine) as session:
...     list_inventories(session)
[]
"""

from zerocity.store.db import (
    alembic_config,
    current_revision,
    database_url,
    downgrade,
    get_engine,
    head_revision,
    session_scope,
    upgrade,
)
from zerocity.store.errors import AlreadyExistsError, NotFoundError, StoreError
from zerocity.store.factor_sets import (
    FactorSetSummary,
    delete_factor_set,
    list_factor_sets,
    load_factor_set,
    save_factor_set,
)
from zerocity.store.inventories import (
    InventorySummary,
    StoredInventory,
    delete_inventory,
    list_inventories,
    load_inventory,
    save_inventory,
)

__all__ = [
    "AlreadyExistsError",
    "FactorSetSummary",
    "InventorySummary",
    "NotFoundError",
    "StoreError",
    "StoredInventory",
    "alembic_config",
    "current_revision",
    "database_url",
    "delete_factor_set",
    "delete_inventory",
    "downgrade",
    "get_engine",
    "head_revision",
    "list_factor_sets",
    "list_inventories",
    "load_factor_set",
    "load_inventory",
    "save_factor_set",
    "save_inventory",
    "session_scope",
    "upgrade",
]
