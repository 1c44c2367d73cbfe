"""Carbon sinks over HTTP: land use, urban trees (a job), and the net balance.

The same calls as ``zerocity sinks landuse|trees|balance``. Vegetation (CASA on rasters) is not
served over HTTP: it reads GeoTIFF rasters in windows from disk; see the service's report.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from zerocity.jsonio import jsonable
from zerocity.service.jobs import job_kind
from zerocity.sinks.balance import net_balance
from zerocity.sinks.landuse import LandFactors, demo_landuse, landuse_emissions, read_areas, read_changes
from zerocity.sinks.trees import tree_carbon, validate_trees

__all__ = ["TREES_JOB", "balance_run", "check_trees", "landuse_run", "trees_job"]

logger = logging.getLogger(__name__)

#: Job kind of the urban-tree Monte Carlo.
TREES_JOB = "sinks.trees"


def _text(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A table of text cells (blank for missing), as the CLI reads files (``read_table(as_text=True)``)."""
    frame = pd.DataFrame(rows).astype(object)
    return frame.where(frame.notna(), "").astype(str)


def landuse_run(params: dict[str, Any]) -> dict[str, Any]:
    """Land emissions and removals (IPCC 2006 Vol. 4; ``zerocity sinks landuse --json``)."""
    user = None if params.get("factors") is None else LandFactors(_text(params["factors"]), "factors")
    if params["demo"]:
        from zerocity.demo import build_demo_city

        result = demo_landuse(build_demo_city(), user, soil=params["soil"])
    else:
        base = LandFactors.defaults()
        factors = base.merged(user) if user is not None else base
        areas = read_areas(_text(params["rows"]), "rows", params.get("zone"))
        changes = (
            None
            if params.get("changes") is None
            else read_changes(_text(params["changes"]), "changes", params.get("zone"), params.get("soil_type"))
        )
        result = landuse_emissions(
            areas,
            changes,
            factors,
            transition_years=params["transition_years"],
            soil=params["soil"],
            soil_years=params["soil_years"],
            missing_soil="skip" if params["skip_missing_soil"] else "error",
        )
    doc: dict[str, Any] = jsonable(result.to_dict(params.get("year")))
    return doc


def check_trees(params: dict[str, Any]) -> None:
    """Validate a tree inventory before its job is queued (422 with every bad cell)."""
    if not params["demo"]:
        validate_trees(_text(params["rows"]), source="rows")


@job_kind(TREES_JOB)
def trees_job(params: dict[str, Any]) -> dict[str, Any]:
    """Urban tree carbon stock and sequestration with Monte Carlo intervals (``zerocity sinks trees``)."""
    if params["demo"]:
        from zerocity.demo import build_demo_city
        from zerocity.demo.trees import demo_trees

        trees = validate_trees(demo_trees(build_demo_city()), source="demo")
    else:
        trees = validate_trees(_text(params["rows"]), source="rows")
    result = tree_carbon(trees, runs=params["runs"], seed=params["seed"], e=params.get("stress_e"))
    doc = result.to_dict()
    doc["balance"] = result.balance(params["year"]).to_dict(orient="records")
    out: dict[str, Any] = jsonable(doc)
    return out


def balance_run(params: dict[str, Any]) -> dict[str, Any]:
    """Net balance per district and city: gross, removals, net, carbon class, sink trend."""
    if params["demo"]:
        from zerocity.cli_sinks import demo_balance

        result = demo_balance()
    else:

        def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
            table = pd.DataFrame(rows, columns=["year", "district", "tco2e"])
            return table.astype({"year": "int64", "district": str, "tco2e": float})

        result = net_balance(
            frame(params["emissions"]),
            {name: frame(rows) for name, rows in (params.get("sinks") or {}).items()},
            alternatives={name: frame(rows) for name, rows in (params.get("alternatives") or {}).items()},
        )
    doc: dict[str, Any] = jsonable(result.to_dict())
    return doc
