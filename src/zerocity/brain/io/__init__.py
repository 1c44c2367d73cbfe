"""Environmentally extended input-output analysis (issue 7 §3).

- :mod:`~zerocity.brain.io.table` -- :class:`IOTable`: labelled flows, balance checks naming the
  sectors, ``A``, the Leontief solves (LU, no explicit inverse), domestic coefficients.
- :mod:`~zerocity.brain.io.footprint` -- total intensities ``m = f L``, footprints by final-demand
  category, emissions embodied in trade and their balance (DTA), the production, consumption and
  life-cycle perspectives, GPC inventory -> IO sectors.
- :mod:`~zerocity.brain.io.price` -- the Leontief price model and the cost push of a carbon price.
- :mod:`~zerocity.brain.io.cap` -- the GDP/output loss of an emission cap (LP, HiGHS).
- :mod:`~zerocity.brain.io.regional` -- SLQ/FLQ downscaling of a provincial table to a city.
- :mod:`~zerocity.brain.io.nbs` -- reading and writing the NBS table layout (XLSX/CSV, zh/en).
- :mod:`~zerocity.brain.io.inputs` -- the CSV inputs (emissions, mappings, employment).
- :mod:`~zerocity.brain.io.demo` -- the generated demo tables.

See docs/io_model.md for the formulas and their sources.
"""

from zerocity.brain.io.cap import CapError, CapObjective, CapResult, CapStructure, emission_cap
from zerocity.brain.io.demo import (
    DEMO_SECTORS,
    demo_employment,
    demo_gpc_mapping,
    demo_province_table,
    load_demo_employment,
    load_demo_mapping,
    load_demo_table,
)
from zerocity.brain.io.footprint import (
    DTA_NOTE,
    PERSPECTIVE_DEFINITIONS,
    DirectEmissions,
    Footprint,
    Perspective,
    direct_emissions_from_inventory,
    emissions_by_perspective,
    footprint,
    map_gpc_emissions,
)
from zerocity.brain.io.inputs import read_emissions, read_employment, read_gpc_mapping, read_inventory_json
from zerocity.brain.io.nbs import io_table_frame, parse_io_grid, read_io_table, write_io_table
from zerocity.brain.io.price import (
    ImportPricing,
    PriceResult,
    carbon_price_impact,
    carbon_price_per_unit,
    leontief_prices,
)
from zerocity.brain.io.regional import (
    DEFAULT_DELTA,
    Downscaled,
    LQMethod,
    downscale,
    flq,
    lambda_star,
    regional_coefficients,
    simple_location_quotients,
)
from zerocity.brain.io.table import (
    EXPORT_COLUMNS,
    FINAL_DEMAND_COLUMNS,
    HOUSEHOLD_COLUMNS,
    IMPORT_COLUMNS,
    VALUE_ADDED_ROWS,
    IOTable,
    IOTableError,
)

__all__ = [
    "DEFAULT_DELTA",
    "DEMO_SECTORS",
    "DTA_NOTE",
    "EXPORT_COLUMNS",
    "FINAL_DEMAND_COLUMNS",
    "HOUSEHOLD_COLUMNS",
    "IMPORT_COLUMNS",
    "PERSPECTIVE_DEFINITIONS",
    "VALUE_ADDED_ROWS",
    "CapError",
    "CapObjective",
    "CapResult",
    "CapStructure",
    "DirectEmissions",
    "Downscaled",
    "Footprint",
    "IOTable",
    "IOTableError",
    "ImportPricing",
    "LQMethod",
    "Perspective",
    "PriceResult",
    "carbon_price_impact",
    "carbon_price_per_unit",
    "demo_employment",
    "demo_gpc_mapping",
    "demo_province_table",
    "direct_emissions_from_inventory",
    "downscale",
    "emission_cap",
    "emissions_by_perspective",
    "flq",
    "footprint",
    "io_table_frame",
    "lambda_star",
    "leontief_prices",
    "load_demo_employment",
    "load_demo_mapping",
    "load_demo_table",
    "map_gpc_emissions",
    "parse_io_grid",
    "read_emissions",
    "read_employment",
    "read_gpc_mapping",
    "read_inventory_json",
    "read_io_table",
    "regional_coefficients",
    "simple_location_quotients",
    "write_io_table",
]
