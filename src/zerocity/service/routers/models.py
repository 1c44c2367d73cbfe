"""Models for city administrators and analysts: brain, targets, scenarios (long runs are jobs).

Mirrors ``zerocity brain lmdi|kaya|typology|peak``, ``zerocity targets allocate`` and
``zerocity scenario run|wedges``; see :mod:`zerocity.service.models`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from zerocity.service import actions, energy, macc, pv, sinks
from zerocity.service import models as service
from zerocity.service.jobs import JobRunner
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.jobs import job_runner
from zerocity.service.schemas import (
    BalanceIn,
    BuildingsIn,
    ChargingIn,
    DataCentreIn,
    EnergyIn,
    JobAccepted,
    KayaIn,
    LanduseIn,
    LmdiIn,
    MaccIn,
    MaccOptimiseIn,
    PeakIn,
    PvIn,
    RetrofitIn,
    ScenarioRunIn,
    StorageIn,
    TargetsIn,
    TransportTableIn,
    TreesIn,
    TypologyIn,
    WedgesIn,
    error_responses,
)

router = APIRouter(prefix="/models", tags=["models"])
_ERRORS = error_responses(400, 401, 403, 413, 422)


@router.post("/brain/lmdi", responses=_ERRORS, summary="LMDI-I decomposition")
async def lmdi(body: LmdiIn, principal: Principal = Depends(require(Permission.MODEL_RUN))) -> dict[str, Any]:  # noqa: B008
    """Effects of each factor on the change of VALUE, per sector and in total, with the waterfall.

    Effects are in the unit of VALUE (additive) or ratios (multiplicative).
    """
    return await run_in_threadpool(service.lmdi_run, body.model_dump())


@router.post("/brain/kaya", responses=_ERRORS, summary="Kaya decomposition")
async def kaya(body: KayaIn, principal: Principal = Depends(require(Permission.MODEL_RUN))) -> dict[str, Any]:  # noqa: B008
    """Population, affluence (GDP/P), energy intensity (E/GDP) and carbon intensity (C/E) effects."""
    return await run_in_threadpool(service.kaya_run, body.model_dump())


@router.post("/brain/typology", responses=_ERRORS, summary="City or district typology")
async def typology(
    body: TypologyIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Rule class with its reason, cluster of standardised indicators, and strategy templates."""
    return await run_in_threadpool(service.typology_run, body.model_dump())


@router.post(
    "/brain/peak", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Carbon-peak prediction"
)
async def peak(
    body: PeakIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """STIRPAT, ETS and a Gaussian process, backtested, with a Monte Carlo: a job (poll ``GET /jobs/{id}``)."""
    return await run_in_threadpool(
        runner.submit,
        str(principal.tenant),
        kind=service.PEAK_JOB,
        params=body.model_dump(),
        created_by=principal.actor,
    )


@router.post("/targets/allocate", responses=_ERRORS, summary="Allocate a city target")
async def targets_allocate(
    body: TargetsIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Share a city cap [t CO2e] among units by weighted principles within floors and ceilings.

    The allocation per unit, the weights, the target and the trajectory; ``explain`` adds how one
    unit's part came about.
    """
    return await run_in_threadpool(service.targets_run, body.model_dump())


@router.post("/scenario/run", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Run scenarios")
async def scenario_run(
    body: ScenarioRunIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """Pathways to the end year, peaks and (with ``runs``) Monte Carlo quantiles: a job.

    The model is validated before the job is queued (422 with the line and field of each problem).
    """
    params = body.model_dump()
    await run_in_threadpool(service.check_model, params)
    return await run_in_threadpool(
        runner.submit, str(principal.tenant), kind=service.SCENARIO_JOB, params=params, created_by=principal.actor
    )


@router.post("/scenario/wedges", responses=_ERRORS, summary="Emission wedges between scenarios")
async def scenario_wedges(
    body: WedgesIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """What each measure of ``end`` avoids relative to ``start`` [t CO2e], per year and cumulative."""
    return await run_in_threadpool(service.wedges_run, body.model_dump())


@router.post(
    "/energy/storage", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Size a battery"
)
async def storage_size(
    body: StorageIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """Battery energy [kWh], power [kW] and dispatch at least annualised cost: a job.

    The cost is energy and demand charges, degradation and capex under a time-of-use tariff.
    """
    return await run_in_threadpool(
        runner.submit,
        str(principal.tenant),
        kind=energy.STORAGE_JOB,
        params=body.model_dump(),
        created_by=principal.actor,
    )


@router.post(
    "/energy/optimise", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Plan an energy system"
)
async def energy_optimise(
    body: EnergyIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """Capacities and hourly dispatch of an energy system (HiGHS): a job.

    One objective (cost, CO2, primary energy or imports), a weighted sum, or a Pareto front.
    """
    return await run_in_threadpool(
        runner.submit,
        str(principal.tenant),
        kind=energy.ENERGY_JOB,
        params=body.model_dump(),
        created_by=principal.actor,
    )


@router.post("/sinks/landuse", responses=_ERRORS, summary="Land emissions and removals")
async def sinks_landuse(
    body: LanduseIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """IPCC 2006 Vol. 4 gain-loss, stock-difference and conversions, optionally soil carbon [t CO2e]."""
    return await run_in_threadpool(sinks.landuse_run, body.model_dump())


@router.post("/sinks/trees", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Urban trees")
async def sinks_trees(
    body: TreesIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """Biomass by allometry, CO2 stock and annual sequestration with 95 % intervals: a job.

    The inventory is validated before the job is queued (422 with every bad cell).
    """
    await run_in_threadpool(sinks.check_trees, body.model_dump())
    return await run_in_threadpool(
        runner.submit, str(principal.tenant), kind=sinks.TREES_JOB, params=body.model_dump(), created_by=principal.actor
    )


@router.post("/sinks/balance", responses=_ERRORS, summary="Net balance")
async def sinks_balance(
    body: BalanceIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Gross emissions, removals and net [t CO2e] per district and city, carbon class, sink trend."""
    return await run_in_threadpool(sinks.balance_run, body.model_dump())


@router.post("/actions/buildings/benchmark", responses=_ERRORS, summary="Benchmark buildings")
async def buildings_benchmark(
    body: BuildingsIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Energy intensity [kWh/m2] against GB/T 51161 constraint and guide values, ranked, with kg CO2e/m2."""
    return await run_in_threadpool(actions.benchmark_run, body.model_dump())


@router.post("/actions/buildings/retrofit", responses=_ERRORS, summary="Retrofit plans")
async def buildings_retrofit(
    body: RetrofitIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Ranked measures per building: t CO2e/a avoided, capex, net cost per tonne, payback."""
    return await run_in_threadpool(actions.retrofit_run, body.model_dump())


@router.post("/actions/transport/stock", responses=_ERRORS, summary="Vehicle stock emissions")
async def transport_stock(
    body: TransportTableIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Vehicles x km x consumption x factors [t CO2e/a] per vehicle type and fuel."""
    return await run_in_threadpool(actions.stock_run, body.model_dump())


@router.post("/actions/transport/trips", responses=_ERRORS, summary="Passenger travel emissions")
async def transport_trips(
    body: TransportTableIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Passenger-km x g CO2e/pkm by mode."""
    return await run_in_threadpool(actions.trips_run, body.model_dump())


@router.post("/actions/transport/charging", responses=_ERRORS, summary="EV charging demand")
async def transport_charging(
    body: ChargingIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Average-day 24-hour charging demand [MW] for an annual EV energy [MWh/a]."""
    return await run_in_threadpool(actions.charging_run, body.model_dump())


@router.post("/actions/datacentre/assess", responses=_ERRORS, summary="Assess a data centre")
async def datacentre_assess(
    body: DataCentreIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Energy [MWh/a], emissions [t CO2e/a] and PUE target checks."""
    return await run_in_threadpool(actions.datacentre_run, body.model_dump())


@router.post("/energy/pv", responses=_ERRORS, summary="Estimate rooftop PV")
async def pv_estimate(
    body: PvIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Yield [kWh/a] (pvlib), self-consumption, revenue, NPV, LCOE, payback and avoided CO2 [t/a]."""
    return await run_in_threadpool(pv.estimate_run, body.model_dump())


@router.post("/macc/build", responses=_ERRORS, summary="Build a MACC")
async def macc_build(
    body: MaccIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Measures by cost per tonne [currency/t CO2e], bar widths = abatement [t CO2e or t CO2e/yr]."""
    return await run_in_threadpool(macc.build_run, body.model_dump())


@router.post(
    "/macc/optimise", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Optimise a portfolio"
)
async def macc_optimise(
    body: MaccOptimiseIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """Cheapest measures reaching ``target``, or most abatement within ``budget`` (MILP): a job.

    The measures are validated before the job is queued (422 with every bad field).
    """
    params = body.model_dump()
    await run_in_threadpool(macc.check_measures, params)
    return await run_in_threadpool(
        runner.submit, str(principal.tenant), kind=macc.MACC_JOB, params=params, created_by=principal.actor
    )
