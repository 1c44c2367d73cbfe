"""Model runs over HTTP: the same domain calls as ``zerocity brain ...`` (and the job kinds).

Quick models (LMDI, Kaya, typology) answer in the request; long ones (the peak Monte Carlo) are
job kinds of :mod:`zerocity.service.jobs` and run in the background. Tables arrive as JSON rows
(``[{"column": value}]``), the CLI's CSV/XLSX files.
"""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from zerocity.brain.lmdi import decompose, kaya
from zerocity.brain.peak import PeakSettings, predict_peak
from zerocity.brain.scenario.model import ScenarioModelError
from zerocity.brain.targets import TargetConfigError, allocate
from zerocity.brain.typology import classify, demo_districts
from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.jsonio import jsonable
from zerocity.service.errors import ApiError
from zerocity.service.jobs import job_kind

__all__ = [
    "kaya_run",
    "lmdi_run",
    "peak_job",
    "scenario_job",
    "targets_run",
    "typology_run",
    "wedges_run",
]

logger = logging.getLogger(__name__)

#: Job kind of the peak prediction.
PEAK_JOB = "brain.peak"
#: Job kind of scenario runs.
SCENARIO_JOB = "scenario.run"


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _demo_kaya() -> pd.DataFrame:
    from zerocity.cli_brain import demo_kaya_frame

    return demo_kaya_frame()


def _demo_peak() -> pd.DataFrame:
    from zerocity.cli_brain import demo_peak_frame

    return demo_peak_frame()


def _complete(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Every row has a value in each of ``columns`` (422 with row and column otherwise)."""
    issues = [
        RecordIssue(i, column, "a value is required", "")
        for i, row in enumerate(rows, start=1)
        for column in columns
        if row.get(column) is None or row.get(column) == ""
    ]
    if issues:
        raise InvalidRecordsError("rows", issues)


def lmdi_run(params: dict[str, Any]) -> dict[str, Any]:
    """LMDI-I decomposition (``zerocity brain lmdi --json``); params of :class:`~zerocity.service.schemas.LmdiIn`."""
    _complete(params["rows"], [params["period"], params["value"], *params["factors"], *params["sectors"]])
    result = decompose(
        _frame(params["rows"]),
        value=params["value"],
        factors=params["factors"],
        period=params["period"],
        sectors=params["sectors"],
        mode=params["mode"],
        chain=params["chain"],
        rtol=params["rtol"],
        source="rows",
    )
    doc: dict[str, Any] = jsonable(result.to_dict())
    return doc


def kaya_run(params: dict[str, Any]) -> dict[str, Any]:
    """Kaya decomposition (``zerocity brain kaya --json``)."""
    if params["demo"]:
        frame, source = _demo_kaya(), "Demo City"
        columns = {"population": "population", "gdp": "gdp", "energy": "energy", "emissions": "emissions"}
    else:
        columns = {c: params[c] for c in ("population", "gdp", "energy", "emissions")}
        _complete(params["rows"], [params["period"], *columns.values()])
        frame, source = _frame(params["rows"]), "rows"
    result = kaya(frame, period=params["period"], mode=params["mode"], chain=params["chain"], source=source, **columns)
    doc: dict[str, Any] = jsonable(result.to_dict())
    return doc


def typology_run(params: dict[str, Any]) -> dict[str, Any]:
    """Typology of cities or districts (``zerocity brain typology --json``)."""
    if params["demo"]:
        frame, source, id_column = demo_districts(), "Demo City districts", "id"
        frame = frame.drop(columns=["name"])
    else:
        _complete(params["rows"], [params["id_column"]])
        frame, source, id_column = _frame(params["rows"]), "rows", params["id_column"]
    result = classify(
        frame, id_column=id_column, k=params["k"], method=params["method"], seed=params["seed"], source=source
    )
    doc: dict[str, Any] = jsonable(result.to_dict(lang=params["lang"]))
    return doc


@job_kind(PEAK_JOB)
def peak_job(params: dict[str, Any]) -> dict[str, Any]:
    """Carbon-peak prediction with its Monte Carlo (``zerocity brain peak --json``), run as a job."""
    frame, source = (_demo_peak(), "Demo City") if params["demo"] else (_frame(params["rows"]), "rows")
    drivers = None if params.get("drivers") is None else _frame(params["drivers"])
    result = predict_peak(
        frame,
        emissions=params["emissions"],
        until=params["until"],
        runs=params["runs"],
        before=params["before"],
        seed=params["seed"],
        drivers=drivers,
        model=params["model"],
        settings=PeakSettings(damping=params["damping"], driver_spread=params["driver_spread"]),
        source=source,
        drivers_source="drivers",
    )
    doc: dict[str, Any] = jsonable(result.to_dict())
    return doc


def targets_run(params: dict[str, Any]) -> dict[str, Any]:
    """Allocate a target to units (``zerocity targets allocate --json``), optionally explaining one unit.

    A configuration that breaks the schema gives 422 with one detail per field.
    """
    if params["demo"] is not None:
        from zerocity.cli_targets import demo_allocation

        allocation = demo_allocation(params["demo"])
    else:
        try:
            allocation = allocate(_frame(params["rows"]), params["config"], source="rows")
        except TargetConfigError as exc:
            details = [{"location": ["body", "config", *i.field.split(".")], "message": i.message} for i in exc.issues]
            raise ApiError(422, "invalid_request", str(exc), details) from None
    doc: dict[str, Any] = jsonable(allocation.to_dict())
    if params.get("explain"):
        doc["explain"] = jsonable(allocation.explain(params["explain"]))
    return doc


def _compiled(params: dict[str, Any]) -> Any:
    from zerocity.brain.scenario import compile_model, load_model

    if params["demo"]:
        from zerocity.demo.scenario import demo_scenario_model

        return compile_model(demo_scenario_model(), source="Demo City model")
    return load_model("model.yaml", text=params["model_yaml"])


def _model_error(exc: ScenarioModelError) -> ApiError:
    details = [
        {"location": ["body", "model_yaml"], "line": i.line, "field": i.field, "message": i.message} for i in exc.issues
    ]
    return ApiError(422, "invalid_request", str(exc), details)


def compiled_model(params: dict[str, Any]) -> Any:
    """The compiled scenario model of a request (``model_yaml`` or ``demo``).

    Raises
    ------
    ApiError
        422 with the line and field of every problem of the model.
    """
    try:
        return _compiled(params)
    except ScenarioModelError as exc:
        raise _model_error(exc) from None


def scenario_report(params: dict[str, Any]) -> tuple[bytes, str, str]:
    """The scenario report (``zerocity report scenario``): pathways and peaks, wedges, assumptions.

    Returns
    -------
    content, media_type, filename
    """
    from zerocity.brain.scenario import run_scenarios, wedges
    from zerocity.reports import build_scenario_report, report_bytes

    compiled = compiled_model(params)
    for field in ("start", "end"):
        if params.get(field) is not None and params[field] not in compiled.scenarios:
            raise ApiError(
                422,
                "invalid_request",
                f"{field}: unknown scenario {params[field]!r}; the model has {', '.join(compiled.scenarios)}",
            )
    unknown = [x for x in params.get("scenarios") or [] if x not in compiled.scenarios]
    if unknown:
        raise ApiError(
            422, "invalid_request", f"scenarios: unknown {unknown}; the model has {', '.join(compiled.scenarios)}"
        )
    results = run_scenarios(compiled, params.get("scenarios") or None)
    table = None
    if params.get("end") is not None:
        origin = params.get("start") or compiled.lineage(params["end"])[0]
        table = wedges(compiled, origin, params["end"], level=results.level)
    report = build_scenario_report(results, wedge=table, lang=params["lang"])
    content, media, suffix = report_bytes(report, params["format"])
    return content, media, f"scenario-report-{params['lang']}.{suffix}"


def wedges_run(params: dict[str, Any]) -> dict[str, Any]:
    """Emission wedges of the measures of ``end`` relative to ``start`` (``zerocity scenario wedges --json``)."""
    from zerocity.brain.scenario import wedges

    try:
        compiled = _compiled(params)
    except ScenarioModelError as exc:
        raise _model_error(exc) from None
    doc: dict[str, Any] = jsonable(wedges(compiled, params["start"], params["end"], level=params["level"]).to_dict())
    return doc


def check_model(params: dict[str, Any]) -> None:
    """Validate a scenario model before its job is queued (422 with line and field of every problem)."""
    if params["demo"] and not params.get("scenarios"):
        return
    try:
        compiled = _compiled(params)
    except ScenarioModelError as exc:
        raise _model_error(exc) from None
    unknown = [s for s in params.get("scenarios") or [] if s not in compiled.scenarios]
    if unknown:
        raise ApiError(
            422,
            "invalid_request",
            f"unknown scenario(s) {', '.join(unknown)}; the model has {', '.join(compiled.scenarios)}",
            [{"location": ["body", "scenarios"]}],
        )


@job_kind(SCENARIO_JOB)
def scenario_job(params: dict[str, Any]) -> dict[str, Any]:
    """Scenario pathways, peaks and (with runs) Monte Carlo quantiles (``zerocity scenario run --json``)."""
    from zerocity.brain.scenario import monte_carlo, run_scenarios

    compiled = _compiled(params)
    names = params.get("scenarios") or list(compiled.scenarios)
    results = run_scenarios(compiled, names)
    summary: dict[str, Any] = results.summary()
    level = results.level
    runs, seed = int(params["runs"]), int(params["seed"])
    if runs:
        for name in names:
            ensemble = monte_carlo(compiled, name, runs=runs, seed=seed, coefficients=results.coefficients)
            q = ensemble.quantiles(level)
            summary["scenarios"][name]["monte_carlo"] = {
                "runs": ensemble.runs,
                "seed": seed,
                "peak": ensemble.peak_distribution(level),
                "total_quantiles_tco2e": {col: {str(int(y)): float(v) for y, v in q[col].items()} for col in q.columns},
            }
    doc: dict[str, Any] = jsonable(summary)
    return doc
