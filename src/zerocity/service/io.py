"""Input-output models over HTTP (``zerocity io check|footprint|price|cap|downscale``).

Tables arrive as uploaded files (multipart, :mod:`zerocity.service.uploads`), read by the same
readers as the CLI: the NBS-layout table by :func:`zerocity.brain.io.nbs.read_grid` and
:func:`~zerocity.brain.io.nbs.parse_io_grid` (what ``read_io_table`` composes), the emissions, GPC
mapping, inventory JSON and employment files by :mod:`zerocity.brain.io.inputs`.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from zerocity.brain.io import (
    CapError,
    IOTable,
    IOTableError,
    carbon_price_impact,
    direct_emissions_from_inventory,
    downscale,
    emission_cap,
    footprint,
    load_demo_employment,
    load_demo_table,
    parse_io_grid,
    read_emissions,
    read_employment,
    read_gpc_mapping,
    read_inventory_json,
    write_io_table,
)
from zerocity.brain.io.nbs import read_grid
from zerocity.errors import InvalidRecordsError
from zerocity.jsonio import jsonable
from zerocity.service.uploads import (
    JSON_SUFFIXES,
    TABLE_SUFFIXES,
    Upload,
    invalid,
    read_upload,
    records_error,
    table_error,
)

__all__ = [
    "EmissionInputs",
    "TableSource",
    "cap_run",
    "check_run",
    "downscale_run",
    "footprint_run",
    "price_run",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")


# ---------------------------------------------------------------------------- input-output models
@dataclass(frozen=True)
class TableSource:
    """Where the input-output table comes from: an upload in the NBS layout, or the demo table.

    Attributes
    ----------
    table : Upload, optional
        CSV or XLSX in the NBS layout (Chinese or English headers).
    demo : bool
        The shipped generated demo table (Jiangsu-like, 2020).
    sheet : str, optional
        XLSX sheet (default: the first).
    money_unit : str, optional
        Money unit of the cells (default: from the file, else ``wan_yuan``).
    """

    table: Upload | None = None
    demo: bool = False
    sheet: str | None = None
    money_unit: str | None = None


@dataclass(frozen=True)
class EmissionInputs:
    """Direct emissions replacing the table's emissions row (the CLI's ``--emissions/--mapping/--inventory``).

    Attributes
    ----------
    emissions : Upload, optional
        CSV/XLSX ``sector,tco2e`` (IO sectors) or ``gpc_ref,tco2e`` (with ``mapping``) [t CO2e].
    mapping : Upload, optional
        CSV/XLSX ``gpc,sector,share``: GPC references to IO sectors.
    inventory : Upload, optional
        JSON of ``zerocity inventory compute --json`` (scope 1 by GPC reference; needs ``mapping``).
    """

    emissions: Upload | None = None
    mapping: Upload | None = None
    inventory: Upload | None = None


def _table(source: TableSource) -> IOTable:
    if source.demo and source.table is not None:
        raise invalid("demo", "give a table file or demo=true, not both")
    if source.demo:
        return load_demo_table()
    if source.table is None:
        raise invalid("table", "give a table file (CSV or XLSX in the NBS layout) or demo=true")
    upload = source.table

    def read(path: Path) -> IOTable:
        return parse_io_grid(
            read_grid(path, source.sheet), source=upload.name, money_unit=source.money_unit, name=Path(upload.name).stem
        )

    return read_upload(upload, TABLE_SUFFIXES, read)


def _with_emissions(table: IOTable, inputs: EmissionInputs) -> tuple[IOTable, list[str]]:
    """The table with direct emissions from an upload or an inventory; notes on what was used."""
    if inputs.emissions is not None and inputs.inventory is not None:
        raise invalid("inventory", "give emissions or inventory, not both")
    mapped = None if inputs.mapping is None else read_upload(inputs.mapping, TABLE_SUFFIXES, read_gpc_mapping)
    if inputs.inventory is not None:
        if mapped is None or inputs.mapping is None:
            raise invalid("mapping", "an inventory needs a mapping (GPC references to IO sectors)")
        doc = read_upload(inputs.inventory, JSON_SUFFIXES, read_inventory_json)
        name = inputs.inventory.name
        try:
            direct = direct_emissions_from_inventory(doc, mapped, table, source=name)
        except InvalidRecordsError as exc:
            raise records_error(inputs.mapping, exc) from None
        origin = f"direct emissions from the inventory {name} (scope 1, mapped with {inputs.mapping.name})"
    elif inputs.emissions is not None:
        upload = inputs.emissions
        direct = read_upload(upload, TABLE_SUFFIXES, lambda path: read_emissions(path, table, mapped))
        origin = f"direct emissions from {upload.name}"
    else:
        if table.emissions is None:
            raise invalid("emissions", f"{table.label} has no emissions row: give emissions or an inventory")
        return table, [f"direct emissions from the table's emissions row ({table.label})"]
    notes = [origin] + [f"skipped {ref}: {why}" for ref, why in sorted(direct.skipped.items())]
    return table.with_emissions(direct.by_sector, direct.final), notes


def _doc(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(data)
    return out


def check_run(source: TableSource) -> dict[str, Any]:
    """Read a table, check its balances and subtotals, and give its totals (``zerocity io check --json``).

    Totals are in the table's money unit; emissions in its emission unit.
    """
    return _doc(_table(source).summary())


def footprint_run(source: TableSource, inputs: EmissionInputs, *, perspective: str) -> dict[str, Any]:
    """Emissions under a perspective, footprints and embodied trade (``zerocity io footprint --json``).

    Parameters
    ----------
    source : TableSource
    inputs : EmissionInputs
    perspective : str
        ``production``, ``consumption`` or ``lifecycle``: the headline figure [emission unit].
    """
    table, notes = _with_emissions(_table(source), inputs)
    data = footprint(table).to_dict(perspective)
    data["notes"] = notes + data["notes"]
    return _doc(data)


def price_run(
    source: TableSource, inputs: EmissionInputs, *, carbon_price: float, import_prices: str
) -> dict[str, Any]:
    """Leontief price model of a carbon price (``zerocity io price --json``).

    Parameters
    ----------
    carbon_price : float
        Carbon price [yuan / t CO2e].
    import_prices : str
        ``fixed`` (imports keep their prices) or ``pass-through``.
    """
    table, notes = _with_emissions(_table(source), inputs)
    try:
        result = carbon_price_impact(table, carbon_price, import_pricing=import_prices)
    except IOTableError as exc:
        raise table_error("table", exc) from None
    data = result.to_dict()
    data["notes"] = notes + data["notes"]
    return _doc(data)


def cap_run(
    source: TableSource,
    inputs: EmissionInputs,
    *,
    cap: float,
    structure: str,
    objective: str,
    min_scale: float,
) -> dict[str, Any]:
    """Smallest GDP (or output) loss meeting an emission cap, an LP (``zerocity io cap --json``).

    Parameters
    ----------
    cap : float
        Cap on production-based emissions [emission unit of the table].
    structure : str
        ``uniform``, ``category`` or ``sector``: how final demand may be scaled together.
    objective : str
        ``gdp`` or ``output``: the loss minimised.
    min_scale : float
        Lowest scale of any final-demand group [unitless].

    Raises
    ------
    ApiError
        422 naming ``cap`` when the cap cannot be met (the message gives the attainable minimum).
    """
    table, notes = _with_emissions(_table(source), inputs)
    try:
        result = emission_cap(table, cap, structure=structure, objective=objective, min_scale=min_scale)
    except CapError as exc:
        raise invalid("cap", str(exc)) from None
    data = result.to_dict()
    data["notes"] = notes
    return _doc(data)


def downscale_run(
    source: TableSource,
    *,
    employment: Upload | None,
    method: str,
    delta: float,
    household_share: float | None,
    name: str,
    language: str,
    include_table: bool,
) -> dict[str, Any]:
    """A city table from a provincial one with location quotients (``zerocity io downscale --json``).

    Parameters
    ----------
    employment : Upload, optional
        CSV/XLSX ``sector,city,province`` employment [persons]; with the demo table, the shipped
        Demo City employment when omitted.
    method : str
        ``slq`` or ``flq``.
    delta : float
        FLQ exponent, 0 <= delta < 1 [unitless].
    household_share : float, optional
        City share of household consumption [unitless].
    name : str
        Name of the city table.
    language : str
        Header language of ``city_table_csv``: ``zh`` or ``en``.
    include_table : bool
        Add ``city_table_csv``: the city table in the NBS layout (what the CLI's ``--output`` writes).
    """
    table = _table(source)
    if employment is not None:
        emp = read_upload(employment, TABLE_SUFFIXES, lambda path: read_employment(path, table))
    elif source.demo:
        emp = load_demo_employment()
    else:
        raise invalid("city_employment", "give the city employment file (CSV: sector,city,province)")
    try:
        result = downscale(table, emp, method=method, delta=delta, household_share=household_share, name=name)
    except IOTableError as exc:
        raise table_error("city_employment", exc) from None
    data = result.to_dict()
    data["output_file"] = None
    if include_table:
        with tempfile.TemporaryDirectory(prefix="zerocity-io-") as folder:
            path = write_io_table(result.table, Path(folder) / "city.csv", language=language)
            data["city_table_csv"] = path.read_text(encoding="utf-8-sig")
    return _doc(data)
