"""``zerocity sinks vegetation``: CASA NPP, NEP and CO2 removals per district and year from rasters."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zerocity.clikit import out, print_json, progress, run
from zerocity.sinks.vegetation import (
    DEFAULT_WINDOW,
    CasaResult,
    RasterInputError,
    discover_series,
    run_casa,
    window_grid,
)

__all__ = ["vegetation_command"]


def _years(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(t) for t in text.replace(" ", "").split(",") if t]
    except ValueError:
        raise RasterInputError(f"--years: expected comma-separated years such as 2023,2024, got {text!r}") from None


def _steps(ndvi_dir: Path, clim_dir: Path, wanted: list[int] | None) -> int:
    """Number of (year, window) steps of the run, for the progress bar."""
    import rasterio

    series = discover_series(ndvi_dir, clim_dir)
    first = series[min(series)]["ndvi"][0]
    with rasterio.open(first) as src:
        per_year = len(window_grid(src, DEFAULT_WINDOW))
    return per_year * len(wanted or series)


def _show(result: CasaResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    table = Table(title=f"CASA vegetation carbon ({result.crs}, pixel {result.pixel_area_m2:g} m2)")
    heads = ("year", "district", "name", "area ha", "NPP gC/m2", "NPP tC", "Rh tC", "NEP tC", "CO2 t")
    for h in heads:
        table.add_column(h, justify="left" if h in ("district", "name") else "right")
    for r in result.table.itertuples(index=False):
        if r.pixels == 0:
            continue
        table.add_row(
            str(r.year),
            r.district or "all",
            r.name,
            f"{r.area_ha:,.1f}",
            f"{r.npp_gc_m2:,.1f}",
            f"{r.npp_tc:,.1f}",
            f"{r.rh_tc:,.1f}",
            f"{r.nep_tc:,.1f}",
            f"{r.co2_t:,.1f}",
        )
    out.print(table)


def vegetation_command(
    demo: Annotated[bool, typer.Option("--demo", help="Generate and use the Demo City sample rasters.")] = False,
    ndvi: Annotated[Path | None, typer.Option("--ndvi", help="Directory of ndvi_YYYYMM.tif.")] = None,
    climate: Annotated[
        Path | None, typer.Option("--climate", help="Directory of tmean_/prec_/srad_YYYYMM.tif.")
    ] = None,
    districts: Annotated[
        Path | None, typer.Option("--districts", help="District GeoJSON (EPSG:4326 unless it names a CRS).")
    ] = None,
    years: Annotated[str | None, typer.Option("--years", help="Years, comma-separated (default: all).")] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="With --demo: keep the generated rasters in this directory.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """CASA vegetation productivity: NPP, NEP and CO2 removals per district and year."""

    def go() -> None:
        wanted = _years(years)
        if demo == (ndvi is not None or climate is not None):
            raise RasterInputError("give either --demo or both --ndvi DIR and --climate DIR")
        geo: Path | None
        with tempfile.TemporaryDirectory(prefix="zerocity-casa-") as tmp:
            if demo:
                from zerocity.demo.rasters import write_demo_rasters

                paths = write_demo_rasters(out_dir or Path(tmp), years=tuple(wanted) if wanted else (2023, 2024))
                ndvi_dir, clim_dir = paths["ndvi"], paths["climate"]
                geo = districts or paths["districts"]
            else:
                if ndvi is None or climate is None:
                    raise RasterInputError("--ndvi and --climate are both required without --demo")
                ndvi_dir, clim_dir, geo = ndvi, climate, districts
            with progress(_steps(ndvi_dir, clim_dir, wanted)) as step:
                result = run_casa(ndvi_dir, clim_dir, geo, years=wanted, progress=step)
        _show(result, as_json)

    run(go)
