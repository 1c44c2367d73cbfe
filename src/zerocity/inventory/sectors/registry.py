"""The registry of sector methods: name -> :class:`SectorMethod`, and their shared columns."""

from __future__ import annotations

from zerocity.inventory.sectors.base import MethodColumn, SectorMethod

__all__ = ["METHODS", "method_columns", "register"]

#: Every registered method by the name its rows give in ``method``.
METHODS: dict[str, SectorMethod] = {}


def register(method: SectorMethod) -> SectorMethod:
    """Add a method; a column shared with another method must have the same kind.

    Raises
    ------
    ValueError
        When the name is taken or a column is declared twice with different kinds.
    """
    if method.name in METHODS or method.name in {"factor", "mass_balance", "measured"}:
        raise ValueError(f"sector method {method.name!r} is already registered")
    known = method_columns()
    for col in method.columns:
        other = known.get(col.name)
        if other is not None and other.kind != col.kind:
            raise ValueError(f"column {col.name!r} of method {method.name!r} is a {col.kind}; elsewhere a {other.kind}")
    METHODS[method.name] = method
    return method


def method_columns() -> dict[str, MethodColumn]:
    """Every method column by name (the first declaration of a shared column)."""
    out: dict[str, MethodColumn] = {}
    for method in METHODS.values():
        for col in method.columns:
            out.setdefault(col.name, col)
    return out
