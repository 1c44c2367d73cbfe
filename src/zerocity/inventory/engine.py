"""Top layer of the inventory engine: records in, :class:`InventoryResult` out."""

from __future__ import annotations

import logging
from enum import StrEnum

import pandas as pd

from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.factors.gwp import GwpSet
from zerocity.factors.library import FactorLibrary, default_library
from zerocity.inventory.compute import Emissions, co2e, compute_emissions, inventory_years
from zerocity.inventory.gpc import Level
from zerocity.inventory.records import prepare_records
from zerocity.inventory.result import InventoryResult, attach_record_columns
from zerocity.inventory.uncertainty import approach1, monte_carlo

__all__ = ["UncertaintyMethod", "compute_inventory", "validate_records"]

log = logging.getLogger(__name__)


class UncertaintyMethod(StrEnum):
    """How to estimate the uncertainty of totals."""

    APPROACH1 = "approach1"
    MONTECARLO = "montecarlo"


def validate_records(
    records: pd.DataFrame,
    *,
    library: FactorLibrary,
    region: str,
    source: str,
    years: tuple[int, ...] | None = None,
) -> tuple[pd.DataFrame, Emissions]:
    """Validate records, factor resolution included; return the prepared records and emissions.

    Cell errors and factor errors are reported together: when some rows fail validation, the
    other rows still go through factor resolution so that its problems join the same report.

    Raises
    ------
    InvalidRecordsError
        With every problem of every row.
    """
    try:
        prepared = prepare_records(records, library=library, default_region=region, source=source)
    except InvalidRecordsError as exc:
        bad = {i.row for i in exc.issues}
        keep = [r for r in range(1, len(records) + 1) if r not in bad]
        if keep and 0 not in bad:
            subset = records.iloc[[r - 1 for r in keep]].reset_index(drop=True)
            try:
                compute_emissions(
                    prepare_records(subset, library=library, default_region=region, source=source),
                    library,
                    source=source,
                    years=years,
                )
            except InvalidRecordsError as more:
                exc.issues.extend(RecordIssue(keep[i.row - 1], i.column, i.message, i.value) for i in more.issues)
                exc.issues.sort(key=lambda i: (i.row, i.column))
        raise InvalidRecordsError(source, exc.issues) from None
    return prepared, compute_emissions(prepared, library, source=source, years=years)


def compute_inventory(
    records: pd.DataFrame,
    *,
    library: FactorLibrary | None = None,
    gwp: GwpSet | str = GwpSet.AR5,
    region: str = "GLOBAL",
    level: Level | str = Level.BASIC,
    uncertainty: UncertaintyMethod | str | None = None,
    runs: int = 1000,
    seed: int = 12345,
    source: str = "<records>",
    years: tuple[int, ...] | list[int] | None = None,
) -> InventoryResult:
    """Validate records and compute their inventory.

    Parameters
    ----------
    records : pandas.DataFrame
        Input records (columns in :mod:`zerocity.inventory.records`).
    library : FactorLibrary, optional
        Defaults to the shipped datasets.
    gwp : GwpSet
        ``AR4``, ``AR5`` (default, as GPC and China's guidelines use) or ``AR6``.
    region : str
        Region of rows without one (``CN``, ``CN-JS``, ``GLOBAL``).
    level : Level
        Level of ``total_tco2e``: ``BASIC``, ``BASIC+`` or ``TERRITORIAL``.
    uncertainty : UncertaintyMethod, optional
        ``approach1`` or ``montecarlo``.
    runs, seed : int
        Monte Carlo settings.
    source : str
        File name for messages.
    years : sequence of int, optional
        Inventory years; emissions of other years are left out. Default: the years of the rows
        (history rows, such as waste disposal since the first year with data, add none).

    Raises
    ------
    InvalidRecordsError
        When any row is invalid; nothing is computed.
    """
    lib = library or default_library()
    gwp_set = GwpSet(str(gwp).upper())
    lvl = Level(str(level).upper())
    chosen = tuple(sorted({int(y) for y in years})) if years else None
    prepared, em = validate_records(records, library=lib, region=region, source=source, years=chosen)
    table = attach_record_columns(em.table, prepared)
    fossil = ~table["activity"].isin(lib.biogenic_activities).to_numpy()
    table["tco2e"] = co2e(table, fossil, gwp_set)
    result = InventoryResult(
        records=prepared,
        emissions=table,
        gwp=gwp_set,
        level=lvl,
        region=region,
        library=lib,
        factor_ids=em.factor_ids,
        warnings=em.warnings,
        years=chosen or inventory_years(prepared),
    )
    if uncertainty:
        method = UncertaintyMethod(str(uncertainty).lower())
        counted = result.counted()
        result.uncertainty = (
            approach1(counted, prepared)
            if method is UncertaintyMethod.APPROACH1
            else monte_carlo(counted, prepared, runs=runs, seed=seed)
        )
    log.info("computed %d records: %.3f tCO2e (%s, %s)", len(prepared), result.total_tco2e, lvl, gwp_set)
    return result
