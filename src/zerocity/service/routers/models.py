"""Models for city administrators and analysts: every model command of the CLI (long runs are jobs).

Mirrors ``zerocity brain ...``, ``targets allocate``, ``scenario run|wedges``, ``io ...``,
``macc ...``, ``energy optimise``, ``storage size``, ``pv estimate|city``, ``sinks ...`` and
``actions ...``; the area modules (:mod:`zerocity.service.models`, ``io``, ``macc``, ``energy``,
``pv``, ``sinks``, ``actions``) call the CLI's library functions. Tables the CLI reads from files
(input-output tables, roof tables, rasters) are uploaded as multipart files.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from zerocity.brain.io import DEFAULT_DELTA, CapObjective, CapStructure, ImportPricing, LQMethod, Perspective
from zerocity.service import actions, energy, macc, pv, sinks
from zerocity.service import io as io_models
from zerocity.service import models as service
from zerocity.service.deps import get_settings
from zerocity.service.errors import ApiError
from zerocity.service.jobs import JobRunner
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import REPORT_MEDIA, download, file_responses
from zerocity.service.routers.jobs import job_runner
from zerocity.service.schemas import (
    BalanceIn,
    BuildingsIn,
    ChargingIn,
    DataCentreIn,
    DataCentreScenarioIn,
    EnergyIn,
    EvIn,
    JobAccepted,
    KayaIn,
    LanduseIn,
    LifecycleIn,
    LmdiIn,
    MaccIn,
    MaccOptimiseIn,
    MaccScenarioIn,
    PeakIn,
    PvIn,
    RetrofitIn,
    ScenarioReportIn,
    ScenarioRunIn,
    StorageIn,
    TargetsIn,
    TransportTableIn,
    TreesIn,
    TypologyIn,
    WedgesIn,
    error_responses,
)
from zerocity.service.settings import Settings
from zerocity.service.uploads import Upload, job_folder, removed_on_error

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


@router.post(
    "/scenario/report",
    responses=file_responses(_ERRORS, *REPORT_MEDIA),
    summary="Scenario report",
)
async def scenario_report(
    body: ScenarioReportIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> Response:
    """As ``zerocity report scenario``: pathways and peaks per scenario, wedges between two, assumptions."""
    content, media, filename = await run_in_threadpool(service.scenario_report, body.model_dump())
    return download(content, media, filename)


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


# ---------------------------------------------------------------------------- uploads
async def _upload(field: str, file: UploadFile | None) -> Upload | None:
    """An uploaded file of a form field (``None`` when the field was not sent)."""
    if file is None:
        return None
    return Upload(field=field, filename=file.filename or field, content=await file.read())


def _folder(settings: Settings, principal: Principal, *uploads: Upload | None) -> Any:
    """A job folder for the uploads of a request (``None`` when nothing was uploaded)."""
    if not any(u is not None for u in uploads):
        return None
    return job_folder(settings.data_dir, str(principal.tenant))


async def table_source(
    table: Annotated[
        UploadFile | None, File(description="IO table in the NBS layout, CSV or XLSX (Chinese or English headers).")
    ] = None,
    demo: Annotated[bool, Form(description="Use the shipped generated demo table (Jiangsu-like, 2020).")] = False,
    sheet: Annotated[
        str | None, Form(min_length=1, max_length=100, description="XLSX sheet (default: the first).")
    ] = None,
    money_unit: Annotated[
        str | None, Form(min_length=1, max_length=32, description="Money unit of the cells (default: the file's).")
    ] = None,
) -> io_models.TableSource:
    """The input-output table of a request (form fields)."""
    return io_models.TableSource(table=await _upload("table", table), demo=demo, sheet=sheet, money_unit=money_unit)


async def emission_inputs(
    emissions: Annotated[
        UploadFile | None,
        File(description="Direct emissions CSV/XLSX: sector,tco2e (IO sectors) or gpc_ref,tco2e (with mapping)."),
    ] = None,
    mapping: Annotated[UploadFile | None, File(description="GPC-to-IO mapping CSV/XLSX: gpc,sector,share.")] = None,
    inventory: Annotated[
        UploadFile | None, File(description="JSON of `zerocity inventory compute --json` (needs mapping).")
    ] = None,
) -> io_models.EmissionInputs:
    """Direct emissions replacing the table's emissions row (form fields)."""
    return io_models.EmissionInputs(
        emissions=await _upload("emissions", emissions),
        mapping=await _upload("mapping", mapping),
        inventory=await _upload("inventory", inventory),
    )


Source = Annotated[io_models.TableSource, Depends(table_source)]
Emissions = Annotated[io_models.EmissionInputs, Depends(emission_inputs)]


# ---------------------------------------------------------------------------- input-output
@router.post("/io/check", responses=_ERRORS, summary="Check an input-output table")
async def io_check(source: Source, principal: Principal = Depends(require(Permission.MODEL_RUN))) -> dict[str, Any]:  # noqa: B008
    """Read a table (multipart upload or ``demo``), check its balances and subtotals, and give its totals.

    Totals in the table's money unit, emissions in its emission unit. A bad cell gives 422 naming
    the file, the spreadsheet row and column.
    """
    return await run_in_threadpool(io_models.check_run, source)


@router.post("/io/footprint", responses=_ERRORS, summary="Footprints and embodied trade")
async def io_footprint(
    source: Source,
    emissions: Emissions,
    perspective: Annotated[Perspective, Form(description="Perspective of the headline figure.")] = (
        Perspective.CONSUMPTION
    ),
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Emissions by perspective (production, consumption, life-cycle), by sector and final demand [emission unit].

    Direct emissions: the table's emissions row, or an ``emissions`` file, or an ``inventory``
    JSON with a ``mapping`` to IO sectors.
    """
    return await run_in_threadpool(io_models.footprint_run, source, emissions, perspective=perspective)


@router.post("/io/price", responses=_ERRORS, summary="Price impact of a carbon price")
async def io_price(
    source: Source,
    emissions: Emissions,
    carbon_price: Annotated[float, Form(ge=0, le=1e6, description="Carbon price [yuan per t CO2e].")],
    import_prices: Annotated[
        ImportPricing, Form(description="fixed: imports keep their prices; pass-through: priced like domestic.")
    ] = ImportPricing.FIXED,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Leontief price model: price changes by sector [share] and the CPI-like impact of a carbon price."""
    return await run_in_threadpool(
        io_models.price_run, source, emissions, carbon_price=carbon_price, import_prices=import_prices
    )


@router.post("/io/cap", responses=_ERRORS, summary="GDP loss of an emission cap")
async def io_cap(
    source: Source,
    emissions: Emissions,
    cap: Annotated[float, Form(ge=0, le=1e15, description="Cap on production emissions [emission unit].")],
    structure: Annotated[
        CapStructure, Form(description="Final demand scaled as one, per category, or per sector.")
    ] = CapStructure.CATEGORY,
    objective: Annotated[CapObjective, Form(description="Minimise the GDP or the output loss.")] = CapObjective.GDP,
    min_scale: Annotated[float, Form(ge=0, le=1, description="Lowest scale of any final-demand group.")] = 0.0,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Smallest GDP (or output) loss [money unit] meeting the cap under a fixed final-demand structure (LP)."""
    return await run_in_threadpool(
        io_models.cap_run, source, emissions, cap=cap, structure=structure, objective=objective, min_scale=min_scale
    )


@router.post("/io/downscale", responses=_ERRORS, summary="Downscale a table to a city")
async def io_downscale(
    source: Source,
    city_employment: Annotated[
        UploadFile | None, File(description="CSV/XLSX: sector,city,province employment [persons].")
    ] = None,
    method: Annotated[LQMethod, Form(description="Location quotients: slq or flq.")] = LQMethod.FLQ,
    delta: Annotated[float, Form(ge=0, lt=1, description="FLQ exponent.")] = DEFAULT_DELTA,
    household_share: Annotated[
        float | None, Form(gt=0, le=1, description="City share of household consumption (population share).")
    ] = None,
    name: Annotated[str, Form(min_length=1, max_length=100, description="Name of the city table.")] = "city",
    language: Annotated[Literal["zh", "en"], Form(description="Header language of city_table_csv.")] = "zh",
    include_table: Annotated[bool, Form(description="Add the city table in the NBS layout (CSV text).")] = False,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """A city table from a provincial one with SLQ or FLQ location quotients: output, outflow, inflow by sector."""
    return await run_in_threadpool(
        io_models.downscale_run,
        source,
        employment=await _upload("city_employment", city_employment),
        method=method,
        delta=delta,
        household_share=household_share,
        name=name,
        language=language,
        include_table=include_table,
    )


# ---------------------------------------------------------------------------- MACC from a scenario model
@router.post("/macc/from-scenario", responses=_ERRORS, summary="MACC of a scenario model")
async def macc_from_scenario(
    body: MaccScenarioIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Measures between ``start`` and ``end``, by cost per tonne [currency/t CO2e], bar widths = abatement.

    Abatement from the model's wedges (each measure alone, or its wedge), costs from the model.
    """
    return await run_in_threadpool(macc.from_scenario_run, body.model_dump())


# ---------------------------------------------------------------------------- rooftop PV of a city
@router.post(
    "/energy/pv/city", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="City rooftop PV"
)
async def pv_city(
    roofs: Annotated[
        UploadFile | None,
        File(description="Roof table CSV/XLSX: roof_id, district, area_m2, usable_fraction, tilt, azimuth, mounting."),
    ] = None,
    weather: Annotated[UploadFile | None, File(description="EPW or TMY3 (CSV) weather file.")] = None,
    demo: Annotated[bool, Form(description="All Demo City roofs (public, industrial, residential).")] = False,
    by: Annotated[str, Form(min_length=1, max_length=100, description="Breakdown column.")] = "district",
    annual_ghi: Annotated[
        float | None, Form(gt=0, le=3000, description="Scale the clear sky to this GHI [kWh/m2/yr].")
    ] = None,
    clear_sky_index: Annotated[float | None, Form(gt=0, le=1, description="All-sky / clear-sky ratio.")] = None,
    turbidity: Annotated[float | None, Form(gt=0, le=10, description="Linke turbidity.")] = None,
    year: Annotated[int, Form(ge=1990, le=2100, description="Weather year of the clear-sky model.")] = 2023,
    lat: Annotated[float, Form(ge=-90, le=90, description="Latitude of the clear-sky weather [deg].")] = 31.81,
    lon: Annotated[float, Form(ge=-180, le=180, description="Longitude of the clear-sky weather [deg].")] = 119.47,
    region: Annotated[str, Form(min_length=2, max_length=32, description="Region of the grid factor.")] = "CN-JS",
    factor_year: Annotated[int, Form(ge=1990, le=2100, description="Year of the grid factor.")] = 2024,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """kWp, MWh/yr and avoided t CO2/yr of every roof, by district: a job (poll ``GET /jobs/{id}``).

    The roof table is checked before the job is queued (422 with every bad cell).
    """
    roof_file, weather_file = await _upload("roofs", roofs), await _upload("weather", weather)
    params = {
        "demo": demo,
        "by": by,
        "annual_ghi": annual_ghi,
        "clear_sky_index": clear_sky_index,
        "turbidity": turbidity,
        "year": year,
        "lat": lat,
        "lon": lon,
        "region": region,
        "factor_year": factor_year,
    }
    folder = _folder(settings, principal, roof_file, weather_file)
    params = await run_in_threadpool(pv.prepare_city, params, roofs=roof_file, weather=weather_file, folder=folder)
    with removed_on_error(folder):
        return await run_in_threadpool(
            runner.submit, str(principal.tenant), kind=pv.CITY_JOB, params=params, created_by=principal.actor
        )


# ---------------------------------------------------------------------------- vegetation from rasters
_YEARS = re.compile(r"^\s*\d{4}(\s*,\s*\d{4}){0,9}\s*$")


@router.post(
    "/sinks/vegetation", status_code=202, response_model=JobAccepted, responses=_ERRORS, summary="Vegetation (CASA)"
)
async def sinks_vegetation(
    rasters: Annotated[
        list[UploadFile] | None,
        File(description="Monthly GeoTIFFs: ndvi_YYYYMM.tif, tmean_YYYYMM.tif, prec_YYYYMM.tif, srad_YYYYMM.tif."),
    ] = None,
    districts: Annotated[
        UploadFile | None, File(description="District GeoJSON (EPSG:4326 unless it names a CRS).")
    ] = None,
    demo: Annotated[bool, Form(description="Generate and use the Demo City sample rasters.")] = False,
    years: Annotated[
        str | None, Form(max_length=60, description="Years, comma-separated (default: all complete years).")
    ] = None,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
    runner: JobRunner = Depends(job_runner),  # noqa: B008
) -> dict[str, Any]:
    """CASA NPP, NEP and CO2 removals [t CO2/yr] per district and year: a job (poll ``GET /jobs/{id}``).

    Uploaded rasters are checked (names, complete years, readable) before the job is queued.
    """
    if years is not None and not _YEARS.match(years):
        raise ApiError(
            422,
            "invalid_request",
            f"years: expected up to 10 comma-separated years such as 2023,2024, got {years!r}",
            [{"location": ["body", "years"]}],
        )
    wanted = None if not years else sorted({int(y) for y in years.split(",")})
    uploads = [u for u in [await _upload("rasters", f) for f in rasters or []] if u is not None]
    district_file = await _upload("districts", districts)
    folder = _folder(settings, principal, *uploads, district_file)
    params = await run_in_threadpool(
        sinks.prepare_vegetation,
        {"demo": demo, "years": wanted},
        rasters=uploads,
        districts=district_file,
        folder=folder,
    )
    with removed_on_error(folder):
        return await run_in_threadpool(
            runner.submit, str(principal.tenant), kind=sinks.VEGETATION_JOB, params=params, created_by=principal.actor
        )


# ---------------------------------------------------------------------------- actions from YAML specifications
@router.post("/actions/buildings/lifecycle", responses=_ERRORS, summary="Building life-cycle carbon")
async def buildings_lifecycle(
    body: LifecycleIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Life-cycle carbon by stage (GB/T 51366-2019) [t CO2e], per m2 [kg CO2e/m2] and per m2 and year."""
    return await run_in_threadpool(actions.lifecycle_run, body.model_dump())


@router.post("/actions/transport/ev", responses=_ERRORS, summary="EV transition")
async def transport_ev(
    body: EvIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Emissions per year [t CO2e/a] of a vehicle stock along an EV-share and grid-factor path."""
    return await run_in_threadpool(actions.ev_run, body.model_dump())


@router.post("/actions/datacentre/scenario", responses=_ERRORS, summary="Data-centre improvement path")
async def datacentre_scenario(
    body: DataCentreScenarioIn,
    principal: Principal = Depends(require(Permission.MODEL_RUN)),  # noqa: B008
) -> dict[str, Any]:
    """Energy [MWh/a] and emissions [t CO2e/a] per year along a PUE and green-share path, with target checks."""
    return await run_in_threadpool(actions.datacentre_scenario_run, body.model_dump())
