"""Carbon sinks over HTTP: land use, urban trees (a job), vegetation from rasters (a job), net balance.

The same calls as ``zerocity sinks landuse|trees|vegetation|balance``. Vegetation (CASA) reads
GeoTIFF rasters in windows from disk, as the CLI does: uploaded rasters (``ndvi_YYYYMM.tif``,
``tmean_``/``prec_``/``srad_YYYYMM.tif``) and a district GeoJSON are checked (names, complete
years, readable files) before the job is queued and wait for it in its folder
(:func:`zerocity.service.uploads.job_folder`), removed when the job ends; ``demo`` generates the Demo
City sample rasters in the job.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from zerocity.jsonio import jsonable
from zerocity.service.jobs import job_kind
from zerocity.service.uploads import Upload, invalid, remove_folder, removed_on_error
from zerocity.sinks.balance import net_balance
from zerocity.sinks.landuse import LandFactors, demo_landuse, landuse_emissions, read_areas, read_changes
from zerocity.sinks.trees import tree_carbon, validate_trees
from zerocity.sinks.vegetation import RasterCrsError, RasterInputError, discover_series, run_casa

__all__ = [
    "TREES_JOB",
    "VEGETATION_JOB",
    "balance_run",
    "check_trees",
    "landuse_run",
    "prepare_vegetation",
    "trees_job",
    "vegetation_job",
]

logger = logging.getLogger(__name__)

#: Job kind of the urban-tree Monte Carlo.
TREES_JOB = "sinks.trees"
#: Job kind of CASA on rasters.
VEGETATION_JOB = "sinks.vegetation"
#: Names of the monthly rasters (those :func:`zerocity.sinks.vegetation.discover_series` finds).
RASTER_NAME = re.compile(r"^(ndvi|tmean|prec|srad)_(\d{4})(0[1-9]|1[0-2])\.tiff?$", re.IGNORECASE)
#: Years of generated Demo City rasters (the CLI's default).
DEMO_YEARS = (2023, 2024)


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


def _clean(text: str, folder: Path | None) -> str:
    """A message without the server folder of the uploads."""
    return text if folder is None else text.replace(f"{folder}/", "").replace(str(folder), "uploads")


def _check_rasters(rasters: list[Upload], folder: Path, years: list[int] | None) -> None:
    """Write the rasters to ``ndvi/`` and ``climate/`` of ``folder`` and check that they can be run."""
    import rasterio

    ndvi_dir, clim_dir = folder / "ndvi", folder / "climate"
    ndvi_dir.mkdir()
    clim_dir.mkdir()
    seen: set[str] = set()
    for upload in rasters:
        name = upload.name
        match = RASTER_NAME.match(name)
        if match is None:
            raise invalid("rasters", f"{name}: expected a name such as ndvi_202401.tif, tmean_/prec_/srad_YYYYMM.tif")
        key = name.lower().removesuffix(".tiff").removesuffix(".tif")
        if key in seen:
            raise invalid("rasters", f"{name}: the same raster twice")
        seen.add(key)
        path = (ndvi_dir if match.group(1).lower() == "ndvi" else clim_dir) / name
        path.write_bytes(upload.content)
        try:
            with rasterio.open(path):
                pass
        except Exception as exc:  # untrusted upload: whatever GDAL says about it
            raise invalid("rasters", f"{name}: not a readable GeoTIFF: {exc}") from None
    try:
        series = discover_series(ndvi_dir, clim_dir)
    except RasterInputError as exc:
        raise invalid("rasters", _clean(str(exc), folder)) from None
    unknown = [y for y in years or [] if y not in series]
    if unknown:
        raise invalid("years", f"no complete rasters for year(s) {unknown}; complete years: {sorted(series)}")


def prepare_vegetation(
    params: dict[str, Any], *, rasters: list[Upload], districts: Upload | None, folder: Path | None
) -> dict[str, Any]:
    """Check the inputs of a CASA run and keep its uploads in ``folder``; returns the job's parameters.

    Parameters
    ----------
    params : dict
        ``demo`` (generate the Demo City sample rasters) and ``years`` (list of int, or None: all
        complete years; with ``demo``, the years generated, default 2023 and 2024).
    rasters : list of Upload
        ``ndvi_YYYYMM.tif`` [unitless], ``tmean_YYYYMM.tif`` [degC], ``prec_YYYYMM.tif`` [mm
        month-1] and ``srad_YYYYMM.tif`` [MJ m-2 month-1], 12 months of each for every year.
    districts : Upload, optional
        District polygons (GeoJSON FeatureCollection, EPSG:4326 unless it names a CRS).
    folder : Path, optional
        The job's upload folder (needed with uploads); removed here when the inputs are refused.

    Raises
    ------
    ApiError
        422 naming the field and file of the problem.
    """
    with removed_on_error(folder):
        if params["demo"] == bool(rasters):
            raise invalid("rasters", "give the monthly rasters or demo=true, not both")
        if (rasters or districts is not None) and folder is None:
            raise ValueError("uploads need the job's folder")  # a programming error of the caller
        out = {"demo": params["demo"], "years": params.get("years"), "folder": None if folder is None else str(folder)}
        if districts is not None and folder is not None:
            try:
                doc = json.loads(districts.content.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise invalid("districts", f"{districts.name}: not GeoJSON: {exc}") from None
            features = doc.get("features") if isinstance(doc, dict) else None
            if not isinstance(features, list):
                raise invalid("districts", f"{districts.name}: expected a GeoJSON FeatureCollection")
            for i, feature in enumerate(features, start=1):
                if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
                    raise invalid("districts", f"{districts.name}: feature {i} has no geometry object")
            (folder / "districts.geojson").write_bytes(districts.content)
            out["districts_file"] = "districts.geojson"
        if rasters and folder is not None:
            _check_rasters(rasters, folder, params.get("years"))
        return out


@job_kind(VEGETATION_JOB)
def vegetation_job(params: dict[str, Any]) -> dict[str, Any]:
    """CASA NPP, NEP and CO2 removals per district and year (``zerocity sinks vegetation --json``).

    Rows: pixels, area [ha], mean NPP [g C m-2 yr-1], NPP, Rh and NEP [t C yr-1], CO2 removal
    NEP x 44/12 [t CO2 yr-1] (positive = sink).
    """
    folder = Path(params["folder"]) if params.get("folder") else None
    years = params.get("years")
    try:
        if folder is not None and not folder.is_dir():
            raise RasterInputError("the uploaded files of this job are gone; submit it again")
        districts = None if folder is None or not params.get("districts_file") else folder / params["districts_file"]
        with tempfile.TemporaryDirectory(prefix="zerocity-casa-") as tmp:
            if params["demo"]:
                from zerocity.demo.rasters import write_demo_rasters

                paths = write_demo_rasters(Path(tmp), years=tuple(years) if years else DEMO_YEARS)
                ndvi_dir, clim_dir = paths["ndvi"], paths["climate"]
                districts = districts or paths["districts"]
            elif folder is not None:
                ndvi_dir, clim_dir = folder / "ndvi", folder / "climate"
            else:
                raise RasterInputError("a vegetation run needs rasters or the Demo City")
            try:
                result = run_casa(ndvi_dir, clim_dir, districts, years=years)
            except (RasterInputError, RasterCrsError) as exc:
                raise type(exc)(_clean(_clean(str(exc), folder), Path(tmp))) from None
    finally:
        remove_folder(folder)
    doc: dict[str, Any] = jsonable(result.to_dict())
    return doc
