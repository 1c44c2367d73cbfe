"""The registry of sector methods: name -> :class:`SectorMethod`, and their shared columns."""

from __future__ import annotations

from typing import Any

from zerocity.inventory.sectors.base import MethodColumn, SectorMethod

__all__ = ["CORE_METHODS", "METHODS", "method_catalogue", "method_columns", "register"]

#: Calculation methods of the core engine (the ``method`` column), with the IPCC equation they
#: follow and the GPC sectors they serve.
CORE_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "factor": ("Emission factor x activity (IPCC 2006 Vol. 2 Eq. 2.1)", ("I", "II", "III", "IV", "V")),
    "mass_balance": ("Carbon mass balance of inputs and outputs (IPCC 2006 Vol. 3 Ch. 4)", ("I", "IV")),
    "measured": ("Measured emissions (CEMS, plant reports)", ("I", "II", "III", "IV", "V")),
}

#: Every registered method by the name its rows give in ``method``.
METHODS: dict[str, SectorMethod] = {}


def register(method: SectorMethod) -> SectorMethod:
    """Add a method; a column shared with another method must have the same kind.

    Raises
    ------
    ValueError
        When the name is taken or a column is declared twice with different kinds.
    """
    if method.name in METHODS or method.name in CORE_METHODS:
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


def method_catalogue() -> list[dict[str, Any]]:
    """Every method a record's ``method`` column may name, core methods first, then sector methods by name.

    Returns
    -------
    list of dict
        ``method``, ``title``, ``gpc_refs``, ``columns`` (name, kind, required, choices,
        description), ``history``, ``reference``; sector methods also give
        ``activity_categories`` and ``amount_dimensions``.
    """
    docs: list[dict[str, Any]] = [
        {"method": key, "title": title, "gpc_refs": list(refs), "columns": [], "history": False, "reference": ""}
        for key, (title, refs) in CORE_METHODS.items()
    ]
    for method in sorted(METHODS.values(), key=lambda m: m.name):
        docs.append(
            {
                "method": method.name,
                "title": method.title,
                "gpc_refs": list(method.gpc_refs),
                "activity_categories": list(method.activity_categories),
                "amount_dimensions": list(method.amount_dimensions),
                "history": method.history,
                "reference": method.reference,
                "columns": [
                    {
                        "name": c.name,
                        "kind": c.kind,
                        "required": c.required,
                        "choices": list(c.choices) or None,
                        "description": c.description,
                    }
                    for c in method.columns
                ],
            }
        )
    return docs
