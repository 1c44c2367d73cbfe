"""Emission footprints: total intensities, final-demand footprints, emissions embodied in trade, perspectives.

With direct intensities ``f = F / x`` and total intensities ``m = f L`` (Miller & Blair 2009,
Ch. 10; emissions per unit of final demand along the whole domestic supply chain):

* footprint of final-demand category ``k`` by product: ``m_i y_ik`` (rows: the product bought);
  by emitting sector: ``f_j (L y_k)_j`` (rows: where the emissions occur); both sum to ``m y_k``;
* emissions embodied in exports (and outflow) ``EEE = m e``; in imports (and inflow) ``EEI = m M``
  under the **domestic technology assumption** (imports are taken to be produced with the region's
  own technology and intensities; the standard single-region assumption when no table of the
  trading partners is available; Peters 2008 §2-3 discusses it and its bias);
* balance of emissions embodied in trade ``BEET = EEE - EEI`` (Peters 2008): positive
  when the region is a net exporter of embodied emissions.

Since ``x = L (y_local + e - M)`` for a balanced table, ``f x = m y_local + m e - m M``, i.e.
(Peters 2008):

    production  =  F 1 + F_hh                     (territorial)
    consumption =  m y_local + F_hh  =  production - EEE + EEI
    life-cycle  =  production + EEI   =  consumption + EEE

``F_hh`` are the direct emissions of final demand (household fuel use), which belong to the
region's production and consumption alike. The accounting identity
``production + EEI - EEE = consumption`` is exact for a balanced table.

The **life-cycle** perspective is the "full life cycle accounting perspective" of UN-Habitat's
*Future Cities Advisory Outlook 2023* (citing the Shenzhen study): the direct emissions inside the
city boundary plus the emissions outside the boundary that are embodied upstream in what the city
takes in. zerocity defines it as territorial emissions plus the emissions embodied in all imports
and inflows, for intermediate and final use (DTA). Downstream use, disposal and recycling of
products are outside an input-output model and not included.

References
----------
Miller, R.E., Blair, P.D. (2009). Input-Output Analysis, 2nd ed., Ch. 10 (environmental extensions).
Peters, G.P. (2008). From production-based to consumption-based national emission inventories.
Ecological Economics 65, 13-23. doi:10.1016/j.ecolecon.2007.10.014
UN-Habitat (2023). Future Cities Advisory Outlook 2023, "accounting perspectives" (a)-(d).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import pandas as pd

from zerocity.brain.io.table import IOTable, IOTableError

if TYPE_CHECKING:
    from zerocity.inventory.result import InventoryResult

__all__ = [
    "DTA_NOTE",
    "PERSPECTIVE_DEFINITIONS",
    "DirectEmissions",
    "Footprint",
    "Perspective",
    "direct_emissions_from_inventory",
    "emissions_by_perspective",
    "footprint",
    "map_gpc_emissions",
]

log = logging.getLogger(__name__)

#: Row label of the direct emissions of final demand in ``by_sector`` tables.
FINAL_DIRECT_LABEL = "final demand (direct)"


class Perspective(StrEnum):
    """Accounting perspective of a city's emissions."""

    PRODUCTION = "production"
    CONSUMPTION = "consumption"
    LIFECYCLE = "lifecycle"


#: What each perspective counts (printed with every result).
PERSPECTIVE_DEFINITIONS = {
    Perspective.PRODUCTION: (
        "production (territorial): direct emissions of production inside the boundary, F, plus direct "
        "emissions of final demand (household fuel use)"
    ),
    Perspective.CONSUMPTION: (
        "consumption-based: emissions embodied in local final demand along the supply chain, m y_local, plus "
        "direct emissions of final demand; = production - embodied in exports + embodied in imports (Peters 2008)"
    ),
    Perspective.LIFECYCLE: (
        "life-cycle (UN-Habitat FCAO 2023, full life-cycle accounting): direct emissions inside the boundary plus "
        "upstream emissions outside it embodied in all imports and inflows, for intermediate and final use; "
        "= production + embodied in imports = consumption + embodied in exports; downstream use and disposal "
        "are not in an input-output model"
    ),
}

#: The import assumption, printed with every result that uses embodied imports.
DTA_NOTE = (
    "domestic technology assumption: imports and inflows carry the region's own total intensities m "
    "(a single-region table has no technology of the trading partners)"
)


@dataclass(frozen=True)
class Footprint:
    """Footprints of a table under every perspective (see the module docstring for the formulas).

    Attributes
    ----------
    table_name : str
    money_unit, emission_unit : str
    direct : pandas.Series
        ``F`` by sector [emission_unit].
    final_direct : pandas.Series
        Direct emissions of final-demand categories [emission_unit].
    direct_intensity, total_intensity : pandas.Series
        ``f`` and ``m = f L`` by sector [emission_unit / money_unit].
    by_category : pandas.DataFrame
        ``m_i y_ik``: product x final-demand category (exports included) [emission_unit].
    by_category_source : pandas.DataFrame
        ``f_j (L y_k)_j``: emitting sector x category [emission_unit].
    embodied_imports : pandas.DataFrame
        ``m_i M_ic``: product x import column (imports, inflow) [emission_unit], DTA.
    export_columns, local_columns : tuple of str
    """

    table_name: str
    money_unit: str
    emission_unit: str
    direct: pd.Series
    final_direct: pd.Series
    direct_intensity: pd.Series
    total_intensity: pd.Series
    by_category: pd.DataFrame
    by_category_source: pd.DataFrame
    embodied_imports: pd.DataFrame
    export_columns: tuple[str, ...]
    local_columns: tuple[str, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ totals
    @property
    def production(self) -> float:
        """Territorial emissions ``F 1 + F_hh`` [emission_unit]."""
        return float(self.direct.sum() + self.final_direct.sum())

    @property
    def embodied_in_exports(self) -> float:
        """``EEE = m e`` over exports and outflow [emission_unit]."""
        return float(self.by_category[list(self.export_columns)].to_numpy().sum())

    @property
    def embodied_in_imports(self) -> float:
        """``EEI = m M`` over imports and inflow [emission_unit] (DTA)."""
        return float(self.embodied_imports.to_numpy().sum())

    @property
    def balance_of_trade(self) -> float:
        """``BEET = EEE - EEI`` [emission_unit]; positive: net exporter of embodied emissions."""
        return self.embodied_in_exports - self.embodied_in_imports

    @property
    def consumption(self) -> float:
        """``m y_local + F_hh`` [emission_unit]."""
        return float(self.by_category[list(self.local_columns)].to_numpy().sum() + self.final_direct.sum())

    @property
    def lifecycle(self) -> float:
        """``production + EEI`` [emission_unit]."""
        return self.production + self.embodied_in_imports

    @property
    def identity_residual(self) -> float:
        """``production - EEE + EEI - consumption`` [emission_unit]; zero (rounding) for a balanced table."""
        return self.production - self.embodied_in_exports + self.embodied_in_imports - self.consumption

    def total(self, perspective: Perspective | str) -> float:
        """Emissions under ``perspective`` [emission_unit]."""
        p = Perspective(perspective)
        return {
            Perspective.PRODUCTION: self.production,
            Perspective.CONSUMPTION: self.consumption,
            Perspective.LIFECYCLE: self.lifecycle,
        }[p]

    def by_sector(self, perspective: Perspective | str) -> pd.Series:
        """Emissions under ``perspective`` by sector, plus the direct emissions of final demand [emission_unit].

        production: ``F_j`` (where emitted); consumption: ``m_i y_local,i`` (product consumed);
        life-cycle: ``F_i + m_i M_i`` (direct emissions of sector ``i`` plus the upstream emissions
        embodied in imports of product ``i``). The last row is the direct emissions of final demand.
        """
        p = Perspective(perspective)
        if p is Perspective.PRODUCTION:
            s = self.direct.copy()
        elif p is Perspective.CONSUMPTION:
            s = self.by_category[list(self.local_columns)].sum(axis=1)
        else:
            s = self.direct + self.embodied_imports.sum(axis=1)
        s = pd.concat([s, pd.Series({FINAL_DIRECT_LABEL: float(self.final_direct.sum())})])
        return s.rename(p.value)

    def by_final_demand(self) -> pd.Series:
        """Footprint of each final-demand category ``m y_k + F_hh,k`` [emission_unit] (exports included)."""
        s = self.by_category.sum(axis=0) + self.final_direct.reindex(self.by_category.columns, fill_value=0.0)
        return s.rename("footprint")

    def trade(self) -> dict[str, float]:
        """Emissions embodied in each export and import column, their totals and the balance [emission_unit]."""
        out = {f"embodied_in_{c}": float(self.by_category[c].sum()) for c in self.export_columns}
        out |= {f"embodied_in_{c}": float(self.embodied_imports[c].sum()) for c in self.embodied_imports.columns}
        out["embodied_in_exports_total"] = self.embodied_in_exports
        out["embodied_in_imports_total"] = self.embodied_in_imports
        out["balance_of_emissions_embodied_in_trade"] = self.balance_of_trade
        return out

    def to_dict(self, perspective: Perspective | str = Perspective.CONSUMPTION) -> dict[str, Any]:
        """JSON contract of ``zerocity io footprint --json``: the perspective used comes first."""
        p = Perspective(perspective)
        return {
            "perspective": p.value,
            "definition": PERSPECTIVE_DEFINITIONS[p],
            "import_assumption": DTA_NOTE,
            "table": self.table_name,
            "emission_unit": self.emission_unit,
            "money_unit": self.money_unit,
            "total": self.total(p),
            "by_sector": {str(k): float(v) for k, v in self.by_sector(p).items()},
            "perspectives": {q.value: self.total(q) for q in Perspective},
            "trade": self.trade(),
            "identity": {
                "production_minus_exports_plus_imports": self.production
                - self.embodied_in_exports
                + self.embodied_in_imports,
                "consumption": self.consumption,
                "residual": self.identity_residual,
            },
            "by_final_demand": {str(k): float(v) for k, v in self.by_final_demand().items()},
            "intensities": {
                s: {"direct": float(self.direct_intensity[s]), "total": float(self.total_intensity[s])}
                for s in self.direct.index
            },
            "intensity_unit": f"{self.emission_unit}/{self.money_unit}",
            "notes": list(self.notes),
        }


def footprint(
    table: IOTable,
    emissions: Any = None,
    final_emissions: Mapping[str, float] | pd.Series | None = None,
) -> Footprint:
    """Footprints, embodied trade and every perspective of a table.

    Parameters
    ----------
    table : IOTable
        A balanced table (call :meth:`IOTable.validate` first; the identities assume balance).
    emissions : array_like or Series, optional
        Direct emissions by sector ``F`` [emission_unit]; default: the table's.
    final_emissions : mapping or Series, optional
        Direct emissions of final-demand categories [emission_unit]; default: the table's.

    Returns
    -------
    Footprint

    Notes
    -----
    One LU factorisation of ``I - A``; ``m`` is one transposed solve, the producer-side
    footprints one solve with one right-hand side per category (Miller & Blair 2009 Ch. 10;
    Peters 2008).
    """
    sectors = list(table.sectors)
    f_abs = table.direct_emissions(emissions)
    f = table.direct_intensity(f_abs)
    m = table.solve_row(f)
    y = table.final_demand.to_numpy(dtype=float)
    cats = list(table.final_demand.columns)
    by_cat = pd.DataFrame(m[:, None] * y, index=sectors, columns=cats)
    by_src = pd.DataFrame(f[:, None] * table.solve(y), index=sectors, columns=cats) if cats else by_cat.copy()
    mm = table.imports.to_numpy(dtype=float)
    emb_m = pd.DataFrame(m[:, None] * mm, index=sectors, columns=list(table.imports.columns))
    result = Footprint(
        table_name=table.name,
        money_unit=table.money_unit,
        emission_unit=table.emission_unit,
        direct=pd.Series(f_abs, index=sectors, name="direct"),
        final_direct=table.final_direct(final_emissions),
        direct_intensity=pd.Series(f, index=sectors, name="direct_intensity"),
        total_intensity=pd.Series(m, index=sectors, name="total_intensity"),
        by_category=by_cat,
        by_category_source=by_src,
        embodied_imports=emb_m,
        export_columns=tuple(table.export_columns),
        local_columns=tuple(table.local_columns),
        notes=(DTA_NOTE, *table.notes),
    )
    scale = max(abs(result.production), 1.0)
    if abs(result.identity_residual) > 1e-6 * scale:
        log.warning(
            "%s: production - EEE + EEI differs from consumption by %.6g %s: the table does not balance exactly",
            table.label,
            result.identity_residual,
            table.emission_unit,
        )
    return result


# ---------------------------------------------------------------------- inventory -> IO sectors
@dataclass(frozen=True)
class DirectEmissions:
    """Direct emissions mapped from GPC reference numbers to a table's sectors.

    Attributes
    ----------
    by_sector : pandas.Series
        Direct emissions by IO sector [emission_unit of the table].
    final : pandas.Series
        Direct emissions of final-demand categories (household fuel use) [emission_unit].
    allocation : pandas.DataFrame
        One row per (gpc_ref, target): ``gpc_ref``, ``key`` (mapping row used), ``target``,
        ``share``, ``tco2e`` [t CO2e].
    skipped : dict
        GPC references left out and why (scope 2 and 3: already in the model's supply chains).
    """

    by_sector: pd.Series
    final: pd.Series
    allocation: pd.DataFrame
    skipped: dict[str, str]


def _gpc_values(inventory: Any) -> dict[str, float]:
    """``{gpc_ref: tCO2e}`` from an InventoryResult, its JSON (``by_gpc_ref``) or a mapping/Series."""
    if hasattr(inventory, "by_gpc_ref") and callable(inventory.by_gpc_ref):
        inventory = inventory.by_gpc_ref()
    elif isinstance(inventory, Mapping) and "by_gpc_ref" in inventory:
        inventory = inventory["by_gpc_ref"]
    if isinstance(inventory, pd.Series):
        inventory = inventory.to_dict()
    out: dict[str, float] = {}
    for ref, value in dict(inventory).items():
        v = value.get("tco2e") if isinstance(value, Mapping) else value
        out[str(ref)] = float(v) if v is not None else 0.0
    return out


def _match(ref: str, keys: Sequence[str]) -> str | None:
    """The longest mapping key equal to ``ref`` or a prefix of it at a '.' boundary."""
    best = None
    for k in keys:
        if (ref == k or ref.startswith(k + ".")) and (best is None or len(k) > len(best)):
            best = k
    return best


def map_gpc_emissions(
    emissions: Mapping[str, float],
    mapping: pd.DataFrame,
    table: IOTable,
    *,
    scopes: Sequence[int] = (1,),
    source: str = "inventory",
) -> DirectEmissions:
    """Allocate emissions by GPC reference number to the table's sectors and final-demand categories.

    Parameters
    ----------
    emissions : mapping of str to float
        ``{gpc_ref: tCO2e}`` [t CO2e].
    mapping : pandas.DataFrame
        Columns ``gpc`` (a reference number or a prefix: ``I.3``, ``II``, ``IV.2.1``), ``sector``
        (an IO sector of the table, a final-demand category for household direct emissions, or
        ``exclude``) and ``share`` [unitless]; the shares of one ``gpc`` key sum to 1. Each
        reference uses the most specific (longest) key that matches it.
    table : IOTable
    scopes : sequence of int
        GPC scopes kept (default scope 1, the direct emissions inside the boundary; scope 2 and 3
        emissions are supply-chain emissions the model computes itself, and would double count).
    source : str
        Name for messages.

    Returns
    -------
    DirectEmissions
        In the table's emission unit.

    Raises
    ------
    IOTableError
        Unknown targets, shares that do not sum to 1, or references with emissions and no mapping.
    """
    from zerocity.inventory.gpc import gpc_table

    gpc = gpc_table()
    problems = []
    targets = set(table.sectors) | set(table.final_demand.columns) | {"exclude"}
    keys = [str(k) for k in mapping["gpc"].unique()]
    for key, grp in mapping.groupby("gpc", sort=False):
        total = float(grp["share"].sum())
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            problems.append(f"mapping key {key!r}: shares sum to {total:.6g}, expected 1")
        for t in grp["sector"]:
            if t not in targets:
                problems.append(
                    f"mapping key {key!r}: {t!r} is neither a sector nor a final-demand category of {table.name!r}"
                )
    rows = []
    skipped: dict[str, str] = {}
    for ref, value in emissions.items():
        if ref in gpc.index and int(gpc.at[ref, "scope"]) not in scopes:
            skipped[ref] = f"scope {int(gpc.at[ref, 'scope'])} (supply-chain emissions come from the model)"
            continue
        if value == 0:
            continue
        key = _match(ref, keys)
        if key is None:
            problems.append(f"GPC reference {ref!r} ({value:.6g} tCO2e) has no mapping row")
            continue
        for r in mapping[mapping["gpc"] == key].itertuples(index=False):
            rows.append({"gpc_ref": ref, "key": key, "target": r.sector, "share": r.share, "tco2e": value * r.share})
    if problems:
        raise IOTableError(source, problems)
    alloc = pd.DataFrame(rows, columns=["gpc_ref", "key", "target", "share", "tco2e"])
    per_unit = 1.0 / table.emission_scale
    grouped = alloc.groupby("target")["tco2e"].sum() * per_unit if len(alloc) else pd.Series(dtype=float)
    by_sector = pd.Series(0.0, index=list(table.sectors))
    final = pd.Series(0.0, index=list(table.final_demand.columns))
    for target, v in grouped.items():
        if target in by_sector.index:
            by_sector[target] += v
        elif target in final.index:
            final[target] += v
    excluded = alloc.loc[alloc["target"] == "exclude", "gpc_ref"].unique()
    for ref in excluded:
        skipped[str(ref)] = "excluded by the mapping"
    return DirectEmissions(by_sector=by_sector, final=final, allocation=alloc, skipped=skipped)


def direct_emissions_from_inventory(
    inventory: InventoryResult | Mapping[str, Any] | pd.Series,
    mapping: pd.DataFrame,
    table: IOTable,
    *,
    scopes: Sequence[int] = (1,),
    source: str = "inventory",
) -> DirectEmissions:
    """Direct emissions by IO sector from a zerocity inventory result.

    Parameters
    ----------
    inventory : InventoryResult, dict or Series
        A computed inventory, its JSON contract (``zerocity inventory compute --json``, read with
        :func:`json.load`), its ``by_gpc_ref()`` dict, or ``{gpc_ref: tCO2e}`` [t CO2e].
    mapping, table, scopes, source
        As :func:`map_gpc_emissions`.

    Returns
    -------
    DirectEmissions
    """
    return map_gpc_emissions(_gpc_values(inventory), mapping, table, scopes=scopes, source=source)


def emissions_by_perspective(
    table: IOTable,
    perspective: Perspective | str,
    *,
    inventory: InventoryResult | Mapping[str, Any] | pd.Series | None = None,
    mapping: pd.DataFrame | None = None,
    emissions: Any = None,
    final_emissions: Mapping[str, float] | pd.Series | None = None,
    scopes: Sequence[int] = (1,),
) -> dict[str, Any]:
    """A city's emissions under ``perspective``, from its inventory or a direct-emissions vector.

    Parameters
    ----------
    table : IOTable
        The city's (or its region's) table.
    perspective : Perspective
        ``production``, ``consumption`` or ``lifecycle``.
    inventory : InventoryResult, dict or Series, optional
        A zerocity inventory (see :func:`direct_emissions_from_inventory`); needs ``mapping``.
    mapping : pandas.DataFrame, optional
        GPC-to-IO mapping (``gpc``, ``sector``, ``share``).
    emissions, final_emissions : optional
        Direct emissions by IO sector and of final demand [emission_unit]; default the table's.
    scopes : sequence of int
        GPC scopes taken from the inventory (default scope 1).

    Returns
    -------
    dict
        :meth:`Footprint.to_dict` of the perspective (``perspective`` and ``definition`` first),
        plus ``skipped`` (GPC references left out and why) and ``emissions_source``.
    """
    skipped: dict[str, str] = {}
    origin = "direct emissions given" if emissions is not None else "the table's emissions row"
    if inventory is not None:
        if mapping is None:
            raise IOTableError(table.label, ["an inventory needs a mapping of GPC references to IO sectors"])
        direct = direct_emissions_from_inventory(inventory, mapping, table, scopes=scopes)
        emissions, final_emissions, skipped = direct.by_sector, direct.final, direct.skipped
        origin = f"inventory, GPC scopes {list(scopes)}, mapped to IO sectors"
    out = footprint(table, emissions, final_emissions).to_dict(perspective)
    out["skipped"] = skipped
    out["emissions_source"] = origin
    return out
