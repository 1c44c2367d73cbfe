"""Sector methods beyond fuel combustion: waste (GPC III), IPPU (IV) and agriculture (V).

Each module registers its methods (:class:`~zerocity.inventory.sectors.base.SectorMethod`) on
import; a record selects one with its ``method`` column. See :mod:`.base` for the contract.
"""

# Method modules (each registers its methods on import).
from zerocity.inventory.sectors import agriculture, ippu, waste  # noqa: F401
from zerocity.inventory.sectors.base import MethodColumn, MethodContext, ParameterValues, SectorMethod
from zerocity.inventory.sectors.registry import CORE_METHODS, METHODS, method_catalogue, method_columns, register

__all__ = [
    "CORE_METHODS",
    "METHODS",
    "MethodColumn",
    "MethodContext",
    "ParameterValues",
    "SectorMethod",
    "method_catalogue",
    "method_columns",
    "register",
]
