"""Inventory engine: records -> emissions by gas, scope, GPC sector, entity, district and year."""

from zerocity.inventory.engine import UncertaintyMethod, compute_inventory
from zerocity.inventory.gpc import Level, Notation, gpc_table
from zerocity.inventory.records import Method, prepare_records, read_records
from zerocity.inventory.result import InventoryResult

__all__ = [
    "InventoryResult",
    "Level",
    "Method",
    "Notation",
    "UncertaintyMethod",
    "compute_inventory",
    "gpc_table",
    "prepare_records",
    "read_records",
]
