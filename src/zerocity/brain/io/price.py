"""The Leontief price model and the cost push of a carbon price.

Prices (Miller & Blair 2009, §2.6): with value-added coefficients ``v_j = VA_j / x_j``
and base-year prices normalised to 1, each sector's unit price covers its inputs and value added,
``p_j = sum_i a_ij p_i + v_j``, so

    p' = v' (I - A)^-1 = v' L        (p = 1 in the base year)

A carbon price ``tau`` [yuan per t CO2e] on the direct emissions of sector ``j`` adds
``tau f_j`` to its unit cost (``f_j`` direct intensity converted to money per money of output);
with full pass-through, fixed technology and no substitution the price changes are the cost push
of Miller & Blair §2.6 applied to value added:

    dp' = (tau f)' L                   (imports priced like domestic products: ``pass-through``)
    dp' = (tau f)' (I - A^d)^-1        (imports at unchanged prices: ``fixed``, the default)

``fixed`` is the right choice for a city or province whose carbon price does not reach the
producers of its imports: only the domestic coefficients ``A^d = diag(1 - mu) A`` pass cost on
(:mod:`zerocity.brain.io.table`). The base-year identity then reads
``p' = (v' + 1' A^m) (I - A^d)^-1 = 1`` with ``A^m = A - A^d``.

CPI-like index of household category ``k`` (Laspeyres, base-year basket ``y_k``):
``dCPI_k = sum_i y_ik s_i dp_i / sum_i y_ik`` with ``s_i = 1 - mu_i`` (``fixed``: the imported part
of the basket keeps its price) or ``s_i = 1`` (``pass-through``), plus the carbon cost of the
category's own direct fuel use, ``tau F_hh,k / sum_i y_ik``, when households are covered.

References
----------
Miller, R.E., Blair, P.D. (2009). Input-Output Analysis, 2nd ed., §2.6 (the price model).
Leontief, W. (1951). The Structure of American Economy 1919-1939, 2nd ed., Oxford University Press
(the price model as the dual of the quantity model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from zerocity.brain.io.table import IOTable, IOTableError

__all__ = ["ImportPricing", "PriceResult", "carbon_price_impact", "carbon_price_per_unit", "leontief_prices"]


class ImportPricing(StrEnum):
    """How import prices respond to the region's carbon price."""

    FIXED = "fixed"
    PASS_THROUGH = "pass-through"


def carbon_price_per_unit(table: IOTable, carbon_price: float) -> float:
    """A carbon price in the table's units [money_unit / emission_unit] from [yuan / t CO2e]."""
    return float(carbon_price) * table.emission_scale / table.money_scale


def leontief_prices(
    table: IOTable,
    value_added_coefficients: Any = None,
    import_pricing: ImportPricing | str = ImportPricing.PASS_THROUGH,
) -> pd.Series:
    """Unit prices ``p' = v' L`` of the Leontief price model [unitless, base year = 1].

    Parameters
    ----------
    table : IOTable
    value_added_coefficients : array_like, optional
        ``v`` [money of value added per money of output]; default the table's (prices are then 1).
    import_pricing : ImportPricing
        ``pass-through``: ``p' = v' L``; ``fixed``: imported inputs at price 1,
        ``p' = (v' + 1' A^m) L^d``.

    Returns
    -------
    pandas.Series
        Price index by sector [unitless].

    References
    ----------
    Miller & Blair (2009), §2.6.
    """
    v = table.value_added_coefficients if value_added_coefficients is None else np.asarray(value_added_coefficients)
    if v.shape != (table.n,):
        raise IOTableError(table.label, [f"value-added coefficients: length {v.shape}, expected {table.n}"])
    if ImportPricing(import_pricing) is ImportPricing.PASS_THROUGH:
        p = table.solve_row(v)
    else:
        a_m = table._a - table._a_domestic
        p = table.solve_domestic_row(v + a_m.sum(axis=0))
    return pd.Series(p, index=list(table.sectors), name="price")


@dataclass(frozen=True)
class PriceResult:
    """Price effects of a carbon price.

    Attributes
    ----------
    carbon_price : float
        [yuan / t CO2e].
    carbon_price_table_units : float
        [money_unit / emission_unit].
    import_pricing : ImportPricing
    cost_push : pandas.Series
        ``tau f_j`` by sector [money per money of output, unitless].
    price_change : pandas.Series
        ``dp_j`` relative price change by sector [unitless; 0.01 = +1 %].
    cpi : dict of str to float
        CPI-like index change of each household category and of all households [unitless].
    cpi_direct : dict of str to float
        Part of ``cpi`` from the carbon cost of households' own fuel use [unitless].
    carbon_cost : float
        ``tau (F 1 + F_hh)`` over the covered emitters [money_unit].
    covered : tuple of str
        Sectors and final-demand categories that pay the carbon price.
    """

    carbon_price: float
    carbon_price_table_units: float
    import_pricing: ImportPricing
    cost_push: pd.Series
    price_change: pd.Series
    cpi: dict[str, float]
    cpi_direct: dict[str, float]
    carbon_cost: float
    covered: tuple[str, ...]
    money_unit: str
    emission_unit: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON contract of ``zerocity io price --json``."""
        return {
            "carbon_price_yuan_per_tco2e": self.carbon_price,
            "carbon_price_table_units": self.carbon_price_table_units,
            "table_units": f"{self.money_unit}/{self.emission_unit}",
            "import_pricing": self.import_pricing.value,
            "price_change": {str(k): float(v) for k, v in self.price_change.items()},
            "cost_push": {str(k): float(v) for k, v in self.cost_push.items()},
            "cpi": self.cpi,
            "cpi_direct": self.cpi_direct,
            "carbon_cost": self.carbon_cost,
            "money_unit": self.money_unit,
            "covered": list(self.covered),
            "model": "Leontief price model, full pass-through, fixed technology (Miller & Blair 2009 §2.6)",
            "notes": list(self.notes),
        }


def carbon_price_impact(
    table: IOTable,
    carbon_price: float,
    *,
    import_pricing: ImportPricing | str = ImportPricing.FIXED,
    covered: Sequence[str] | None = None,
    emissions: Any = None,
    final_emissions: Any = None,
) -> PriceResult:
    """Price changes by sector and the CPI-like impact of a carbon price (cost push through ``L``).

    Parameters
    ----------
    table : IOTable
    carbon_price : float
        ``tau`` [yuan / t CO2e].
    import_pricing : ImportPricing
        ``fixed`` (default): imports keep their prices, cost passes through ``A^d``;
        ``pass-through``: through ``A``.
    covered : sequence of str, optional
        Sectors (and final-demand categories, for household fuel use) that pay; default all.
    emissions, final_emissions : optional
        Direct emissions overriding the table's [emission_unit].

    Returns
    -------
    PriceResult

    References
    ----------
    Miller & Blair (2009), §2.6; see the module docstring for the formulas.
    """
    pricing = ImportPricing(import_pricing)
    tau = carbon_price_per_unit(table, carbon_price)
    f_abs = table.direct_emissions(emissions)
    f = table.direct_intensity(f_abs)
    fy = table.final_direct(final_emissions)
    names = set(table.sectors) | set(table.final_demand.columns)
    cov = list(table.sectors) + list(table.final_demand.columns) if covered is None else [str(c) for c in covered]
    unknown = [c for c in cov if c not in names]
    if unknown:
        raise IOTableError(table.label, [f"covered: {unknown} are neither sectors nor final-demand categories"])
    mask = np.array([s in cov for s in table.sectors], dtype=bool)
    push = tau * f * mask
    dp = table.solve_row(push) if pricing is ImportPricing.PASS_THROUGH else table.solve_domestic_row(push)
    share = np.ones(table.n) if pricing is ImportPricing.PASS_THROUGH else 1.0 - table.import_shares
    cpi: dict[str, float] = {}
    cpi_direct: dict[str, float] = {}
    hh = table.household_columns
    tot_spend = 0.0
    tot_indirect = 0.0
    tot_direct = 0.0
    for c in hh:
        y = table.final_demand[c].to_numpy(dtype=float)
        spend = float(y.sum())
        if spend <= 0:
            continue
        indirect = float((y * share * dp).sum())
        direct = tau * float(fy[c]) if c in cov else 0.0
        cpi[c] = (indirect + direct) / spend
        cpi_direct[c] = direct / spend
        tot_spend += spend
        tot_indirect += indirect
        tot_direct += direct
    if tot_spend > 0:
        cpi["households"] = (tot_indirect + tot_direct) / tot_spend
        cpi_direct["households"] = tot_direct / tot_spend
    fy_cov = sum(float(fy[c]) for c in fy.index if c in cov)
    cost = tau * (float((f_abs * mask).sum()) + fy_cov)
    notes = (
        "full pass-through of the carbon cost, fixed technology, no substitution or demand response",
        "imports keep their prices (domestic coefficients A^d)"
        if pricing is ImportPricing.FIXED
        else "imports priced like domestic products (total coefficients A)",
    )
    return PriceResult(
        carbon_price=float(carbon_price),
        carbon_price_table_units=tau,
        import_pricing=pricing,
        cost_push=pd.Series(push, index=list(table.sectors), name="cost_push"),
        price_change=pd.Series(dp, index=list(table.sectors), name="price_change"),
        cpi=cpi,
        cpi_direct=cpi_direct,
        carbon_cost=cost,
        covered=tuple(cov),
        money_unit=table.money_unit,
        emission_unit=table.emission_unit,
        notes=notes,
    )
