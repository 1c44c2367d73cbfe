"""Emissions of one unit of an activity, exactly as the inventory computes them.

Models outside the inventory (scenario pathways, energy planning, actions) need "t CO2e per MWh
of grid electricity" or "t CO2 per t of coal burnt in industry". Rather than re-implement factor
choice, calorific values, oxidation and GWP, they push one record of amount 1 per (GPC reference,
activity, unit) through :func:`zerocity.inventory.engine.compute_inventory` and read the result:
the same resolution rule, the same factor ids, the same units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from zerocity.factors.gwp import GwpSet
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.engine import compute_inventory

__all__ = ["UnitEmissions", "unit_emissions"]


@dataclass(frozen=True)
class UnitEmissions:
    """Emissions of amount 1 of an activity at a GPC reference.

    Attributes
    ----------
    gases : list of (gas, tonnes, biogenic)
        Tonnes of each gas per unit of the activity.
    tco2e : float
        CO2-equivalent per unit, biogenic CO2 excluded [t CO2e per unit].
    factor_ids : str
        Library factors used, ``;``-separated.
    """

    gpc_ref: str
    activity: str
    unit: str
    gases: list[tuple[str, float, bool]] = field(default_factory=list)
    tco2e: float = 0.0
    factor_ids: str = ""


def unit_emissions(
    items: Sequence[tuple[str, str, str]],
    *,
    region: str,
    year: int,
    gwp: GwpSet | str = GwpSet.AR5,
    library: FactorLibrary | None = None,
    source: str = "<unit records>",
) -> list[UnitEmissions]:
    """Emissions of one unit of each ``(gpc_ref, activity, unit)``, in the order given.

    Raises
    ------
    InvalidRecordsError
        When an item cannot be computed; ``row`` is the 1-based position in ``items``.
    """
    if not items:
        return []
    rows = pd.DataFrame(
        {
            "record_id": [f"{ref}|{act}|{unit}" for ref, act, unit in items],
            "year": int(year),
            "gpc_ref": [ref for ref, _, _ in items],
            "activity": [act for _, act, _ in items],
            "amount": 1.0,
            "unit": [unit for _, _, unit in items],
            "region": region,
        }
    )
    result = compute_inventory(rows, library=library, gwp=gwp, region=region, source=source)
    out = [UnitEmissions(ref, act, unit) for ref, act, unit in items]
    gases: list[list[tuple[str, float, bool]]] = [[] for _ in items]
    ids: list[list[str]] = [[] for _ in items]
    co2e = [0.0] * len(items)
    e = result.emissions
    for pos, gas, tonnes, bio, fid, t_co2e in zip(
        e["pos"].to_numpy(),
        e["gas"],
        e["tonnes"].to_numpy(),
        e["biogenic"],
        e["factor_ids"],
        e["tco2e"].to_numpy(),
        strict=True,
    ):
        i = int(pos)
        gases[i].append((str(gas), float(tonnes), bool(bio)))
        if fid:
            ids[i].append(str(fid))
        if not bio:
            co2e[i] += float(t_co2e)
    return [
        UnitEmissions(u.gpc_ref, u.activity, u.unit, gases[i], co2e[i], ";".join(ids[i])) for i, u in enumerate(out)
    ]
