"""Sector actions over HTTP: buildings, transport, data centres (``zerocity actions ...``).

Tables arrive as JSON rows; each function calls the same domain function as the CLI command.
Not served here: ``buildings lifecycle``, ``transport ev`` and ``datacentre scenario`` (their
inputs are YAML specifications read from files by the domain loaders; see the service's report).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from zerocity.actions import buildings as bld
from zerocity.actions import datacentre as dcm
from zerocity.actions import transport as trn
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError

__all__ = ["benchmark_run", "charging_run", "datacentre_run", "retrofit_run", "stock_run", "trips_run"]

logger = logging.getLogger(__name__)


def _buildings(params: dict[str, Any]) -> tuple[pd.DataFrame, str, str | None]:
    if params["demo"]:
        return bld.demo_buildings(params.get("building_class") or "B"), "Demo City", "CN-JS"
    frame = pd.DataFrame(params["rows"])
    if params.get("building_class") and "building_class" not in frame.columns:
        frame = frame.assign(building_class=params["building_class"])
    return frame, "rows", None


def _doc(result: Any) -> dict[str, Any]:
    doc: dict[str, Any] = jsonable(result.to_dict())
    return doc


def benchmark_run(params: dict[str, Any]) -> dict[str, Any]:
    """Energy intensity against GB/T 51161 constraint and guide values, ranked (``buildings benchmark``)."""
    frame, source, demo_region = _buildings(params)
    result = bld.benchmark(
        frame,
        region=params.get("region") or demo_region or "CN",
        year=params["year"],
        gas_kwh_per_m3=params.get("gas_kwh_per_m3"),
        source=source,
    )
    return _doc(result)


def retrofit_run(params: dict[str, Any]) -> dict[str, Any]:
    """Ranked retrofit plan per building (``buildings retrofit``), shipped (ASSUMED) measure catalogue."""
    frame, source, demo_region = _buildings(params)
    wanted = params.get("buildings")
    if wanted:
        if "building_id" not in frame.columns:
            raise ApiError(
                422,
                "invalid_request",
                "the buildings table has no building_id column",
                [{"location": ["body", "rows"]}],
            )
        unknown = sorted(set(wanted) - set(frame["building_id"].astype(str)))
        if unknown:
            raise ApiError(
                422,
                "invalid_request",
                f"unknown building id(s) {', '.join(unknown)}",
                [{"location": ["body", "buildings"]}],
            )
        frame = frame[frame["building_id"].astype(str).isin(wanted)].reset_index(drop=True)
    result = bld.retrofit_plan(
        frame,
        catalogue=bld.load_measures(None),
        region=params.get("region") or demo_region or "CN",
        year=params["year"],
        discount_rate=params.get("discount_rate"),
        max_net_cost_per_tco2e=params.get("max_cost"),
        source=source,
    )
    return _doc(result)


def stock_run(params: dict[str, Any]) -> dict[str, Any]:
    """Emissions of a vehicle stock: vehicles x km x consumption x factors (``transport stock``)."""
    result = trn.stock_emissions(
        pd.DataFrame(params["rows"]), region=params["region"], year=params["year"], source="rows"
    )
    return _doc(result)


def trips_run(params: dict[str, Any]) -> dict[str, Any]:
    """Emissions of passenger travel by mode (``transport trips``)."""
    result = trn.trip_emissions(
        pd.DataFrame(params["rows"]), region=params["region"], year=params["year"], source="rows"
    )
    return _doc(result)


def charging_run(params: dict[str, Any]) -> dict[str, Any]:
    """Average-day 24-hour EV charging demand [MW] for an annual energy (``transport charging``)."""
    weights = params.get("shape")
    shape = None if weights is None else np.asarray(weights, dtype=float)
    profile = trn.charging_profile(params["annual_mwh"], shape)
    source = "user" if shape is not None else trn.charging_shape()[1]
    doc: dict[str, Any] = jsonable(
        {"annual_mwh": params["annual_mwh"], "shape_source": source, "hours": profile.to_dict("records")}
    )
    return doc


def datacentre_run(params: dict[str, Any]) -> dict[str, Any]:
    """Energy, emissions and PUE target checks of a data centre (``datacentre assess``)."""
    spec = dict(params["datacentre"])
    spec.setdefault("region", "CN")
    try:
        centre = dcm.DataCentre(**spec)
    except ValidationError as exc:
        details = [
            {"location": ["body", "datacentre", *(str(p) for p in e["loc"])], "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        where = "; ".join(f"{'.'.join(d['location'])}: {d['message']}" for d in details[:5])
        raise ApiError(422, "invalid_request", f"invalid request: {where}", details) from None
    targets = list(dcm.load_targets())
    for i, limit in enumerate(params.get("targets") or []):
        targets.append(dcm.PueTarget(id=f"user_{i + 1}", limit=limit, description="user target", source="user"))
    result = dcm.assess(centre, targets=targets, grid_factor_t_per_mwh=params.get("grid_factor"))
    return _doc(result)
