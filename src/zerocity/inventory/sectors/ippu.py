"""Industrial processes and product use (GPC IV; IPCC 2006 Vol. 3).

Every function here is a Tier 1 method of the 2006 IPCC Guidelines, Volume 3, with its default
parameters in the factor library (dataset ``ipcc2006_ippu``); a row may give its own value of a
parameter in the matching column.
"""

from __future__ import annotations

import pandas as pd

from zerocity.inventory.sectors.base import MethodColumn, MethodContext, SectorMethod
from zerocity.inventory.sectors.registry import register

__all__ = ["carbonate_use"]

CALCINATION_FRACTION = MethodColumn(
    "calcination_fraction",
    "number",
    "fraction of the carbonate calcined [0-1]; default 1 (IPCC 2006 Vol. 3 Ch. 2, Eq. 2.14 note)",
    maximum=1.0,
)
CARBONATE_EF = MethodColumn(
    "carbonate_ef",
    "number",
    "CO2 per mass of carbonate [t CO2/t]; default IPCC 2006 Vol. 3 Table 2.1",
)


def carbonate_use(rows: pd.DataFrame, ctx: MethodContext) -> None:
    """Process CO2 of carbonates consumed (IPCC 2006 Vol. 3 Ch. 2 Eq. 2.14, Tier 1).

    ``CO2 = M x EF x F`` with ``M`` the mass of carbonate consumed [t], ``EF`` the carbonate's
    emission factor [t CO2/t carbonate] (Table 2.1, stoichiometric) and ``F`` the fraction
    calcined (1 when unknown).
    """
    mass_t = ctx.amount_in(rows, "t")
    ef = ctx.parameter(rows, "carbonate_ef", unit="t/t", override="carbonate_ef")
    fraction = rows["calcination_fraction"].fillna(1.0).to_numpy(dtype=float)
    ctx.emit(rows, "CO2", mass_t * ef.values * fraction, ef)


register(
    SectorMethod(
        name="carbonate",
        title="Other process uses of carbonates (CO2)",
        gpc_refs=("IV.1",),
        activity_categories=("carbonate",),
        amount_dimensions=("mass",),
        columns=(CARBONATE_EF, CALCINATION_FRACTION),
        compute=carbonate_use,
        reference="IPCC 2006 Vol. 3 Ch. 2, Eq. 2.14 and Table 2.1",
    )
)
