"""Sector actions over HTTP: buildings, transport, data centres (``zerocity actions ...``).

Tables arrive as JSON rows; each function calls the same domain function as the CLI command.
The YAML specifications of ``buildings lifecycle``, ``transport ev`` and ``datacentre scenario``
arrive as YAML text or as the same document in JSON, validated by the domain's pydantic schema
(:class:`~zerocity.actions.buildings.LifecycleInput`, :class:`~zerocity.actions.transport.EvScenario`,
:class:`~zerocity.actions.datacentre.ScenarioPath`); a problem gives 422 with the field and, for
YAML text, its line.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from zerocity.actions import buildings as bld
from zerocity.actions import datacentre as dcm
from zerocity.actions import transport as trn
from zerocity.errors import InvalidRecordsError
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError
from zerocity.yamllines import YamlSyntaxError, compose_with_lines, line_of

__all__ = [
    "benchmark_run",
    "charging_run",
    "datacentre_run",
    "datacentre_scenario_run",
    "ev_run",
    "lifecycle_run",
    "retrofit_run",
    "stock_run",
    "trips_run",
]

M = TypeVar("M", bound=BaseModel)

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


def _where(detail: dict[str, Any], field: str) -> str:
    """``path.in.document (line n)`` of one validation detail."""
    path = ".".join(detail["location"][2:]) or field
    return path + (f" (line {detail['line']})" if detail.get("line") else "")


def _specification(params: dict[str, Any], field: str, schema: type[M]) -> tuple[M, str]:
    """The document of ``<field>_yaml`` (YAML text) or ``<field>`` (JSON) validated by ``schema``.

    Returns the model and the request field it came from.

    Raises
    ------
    ApiError
        422: YAML that does not parse (its line), or fields breaking the schema (each with its
        location and, for YAML text, its line).
    """
    text = params.get(f"{field}_yaml")
    lines: dict[tuple[str, ...], int] = {}
    if text is not None:
        where = f"{field}_yaml"
        try:
            data, lines = compose_with_lines(text)
        except YamlSyntaxError as exc:
            syntax = {"location": ["body", where], "line": exc.line, "message": str(exc)}
            raise ApiError(422, "invalid_request", f"{where}: {exc}", [syntax]) from None
    else:
        where, data = field, params[field]
    try:
        return schema.model_validate(data if data is not None else {}), where
    except ValidationError as exc:
        details: list[dict[str, Any]] = []
        for e in exc.errors(include_url=False):
            path = tuple(str(p) for p in e["loc"])
            detail: dict[str, Any] = {"location": ["body", where, *path], "message": e["msg"]}
            if lines:
                detail["line"] = line_of(lines, path)
            details.append(detail)
        shown = "; ".join(_where(d, where) + f": {d['message']}" for d in details[:5])
        raise ApiError(422, "invalid_request", f"{where}: {shown}", details) from None


def _catalogue(rows: list[dict[str, Any]] | None, field: str, loader: Callable[[Path], pd.DataFrame]) -> Any:
    """A replacement factor table sent as JSON rows, read by the CLI's loader (``None``: the shipped one)."""
    if rows is None:
        return None
    with tempfile.TemporaryDirectory(prefix="zerocity-catalogue-") as folder:
        path = Path(folder) / f"{field}.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        try:
            return loader(path)
        except InvalidRecordsError as exc:  # name the request field, not the temporary file
            raise InvalidRecordsError(field, exc.issues) from None


def lifecycle_run(params: dict[str, Any]) -> dict[str, Any]:
    """Life-cycle carbon by stage, GB/T 51366-2019 (``zerocity actions buildings lifecycle --json``).

    Stages materials, transport, construction, operation and demolition [t CO2e], per m2
    [kg CO2e/m2] and shares; ``materials_catalogue`` and ``transport_factors`` rows replace the
    shipped Appendix D and E tables.

    Raises
    ------
    ApiError
        422: a specification breaking the schema, materials given as a file path (only the CLI
        reads files), or an item the catalogues cannot price (its position and material).
    """
    spec, where = _specification(params, "lifecycle", bld.LifecycleInput)
    if isinstance(spec.materials, str):
        message = "materials: give the items (a list); a materials file is read only by the command line"
        detail = {"location": ["body", where, "materials"], "message": message}
        raise ApiError(422, "invalid_request", message, [detail])
    materials = _catalogue(params.get("materials_catalogue"), "materials_catalogue", bld.load_materials)
    modes = _catalogue(params.get("transport_factors"), "transport_factors", bld.load_transport_modes)
    try:
        result = bld.lifecycle(spec, materials_catalogue=materials, transport_modes=modes)
    except bld.ActionInputError as exc:
        detail = {"location": ["body", where, "materials"], "message": str(exc)}
        raise ApiError(422, "invalid_request", str(exc), [detail]) from None
    return _doc(result)


def ev_run(params: dict[str, Any]) -> dict[str, Any]:
    """Emissions per year along an EV-share and grid-factor path (``zerocity actions transport ev --json``).

    Fossil, electric and total emissions [t CO2e/a], EV energy [MWh/a], the baseline and the
    avoided emissions per scenario year, and the charging profile of the last year [MW].
    """
    scenario, where = _specification(params, "scenario", trn.EvScenario)
    weights = params.get("shape")
    try:
        result = trn.ev_transition(
            pd.DataFrame(params["rows"]),
            scenario,
            region=params["region"],
            year=params["year"],
            shape=None if weights is None else np.asarray(weights, dtype=float),
            source="rows",
        )
    except bld.ActionInputError as exc:
        location = ["body", "shape"] if str(exc).startswith("charging") else ["body", where, "ev_kwh_per_100km"]
        raise ApiError(422, "invalid_request", str(exc), [{"location": location, "message": str(exc)}]) from None
    return _doc(result)


def datacentre_scenario_run(params: dict[str, Any]) -> dict[str, Any]:
    """Energy and emissions per year along a PUE and green-share path (``zerocity actions datacentre scenario``).

    Per year: PUE, green share, IT, facility and grid energy [MWh/a], grid factor [t CO2e/MWh],
    emissions, baseline and avoided emissions [t CO2e/a], and whether the applicable PUE targets
    (shipped, plus ``targets``) are met.
    """
    path, _ = _specification(params, "scenario", dcm.ScenarioPath)
    targets = list(dcm.load_targets())
    for i, limit in enumerate(params.get("targets") or []):
        targets.append(dcm.PueTarget(id=f"user_{i + 1}", limit=limit, description="user target", source="user"))
    table = dcm.improvement_scenario(path, targets=targets)
    doc: dict[str, Any] = jsonable({"name": path.datacentre.name, "years": table.to_dict("records")})
    return doc
