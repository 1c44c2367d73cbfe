"""Sample rasters of the Demo City for the CASA vegetation model, generated on demand from a seed.

One 200 x 200 grid of 30 m pixels (6 km x 6 km, Landsat-like) in WGS 84 / UTM zone 50N
(EPSG:32650), centred on the corner shared by the districts 329901, 329902, 329906 and 329907 of
:func:`zerocity.demo.geography.district_polygons` (the grid vertex between the first two cells of
each row). For every month of every year it writes

* ``ndvi/ndvi_YYYYMM.tif``: float32 NDVI at 30 m, nodata NaN (a few "cloud" holes);
* ``climate/tmean_YYYYMM.tif`` [degC], ``prec_YYYYMM.tif`` [mm month-1] and ``srad_YYYYMM.tif``
  [MJ m-2 month-1]: float32 at 600 m (10 x 10 pixels, same CRS and extent), as climate grids are
  coarser than NDVI; :func:`zerocity.sinks.vegetation.run_casa` resamples them bilinearly.

Generation (all ASSUMED, synthetic): a land cover class per pixel (forest, cropland, grass,
built-up, water) drawn from a smoothed random field; the forest share of each district follows its
forest weight in :data:`zerocity.demo.calibration.DISTRICTS` (``share = 0.12 x weight``, capped at
0.6). NDVI follows a seasonal cycle per class: forest ``0.45 + 0.40 s``, cropland with two peaks
(wheat in April, rice in August: ``0.30 + 0.45 max(g(4), g(8))``), grass ``0.30 + 0.35 s``,
built-up ``0.10 + 0.08 s``, water -0.05, where ``s = (1 - cos(2 pi (m - 1) / 12)) / 2`` peaks in
July and ``g(c) = exp(-((m - c) / 1.3)^2)``; plus Gaussian noise (sd 0.02) and a year effect.
Climate: a humid subtropical cycle shaped like southern Jiangsu (annual mean ~16 degC, January
~3 degC, July ~28.5 degC; ~1,100 mm rain peaking in June-July; ~4,500 MJ m-2 yr-1 radiation)
with a west-east gradient and year-to-year noise. These are illustrations, not observations.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CELL_M", "CLIMATE_FACTOR", "EPSG", "SIZE", "demo_districts", "write_demo_rasters"]

logger = logging.getLogger(__name__)

EPSG = 32650
"""WGS 84 / UTM zone 50N."""
SIZE = 200
"""Grid side [pixels]."""
CELL_M = 30.0
"""NDVI pixel size [m] (Landsat)."""
CLIMATE_FACTOR = 20
"""Climate pixel size / NDVI pixel size (600 m)."""

_CLASSES = ("forest", "cropland", "grass", "builtup", "water")
_MONTHS = np.arange(1, 13)


def demo_districts(seed: int | None = None) -> dict[str, Any]:
    """The Demo City district GeoJSON (EPSG:4326), the same as ``build_demo_city(seed).districts``."""
    from zerocity.demo.generator import DEFAULT_SEED, build_demo_city

    return build_demo_city(DEFAULT_SEED if seed is None else seed).districts


def _corner(districts: dict[str, Any]) -> tuple[float, float]:
    """The vertex shared by the diagonal cells 0 and 6 (lon, lat) [deg]."""
    rings = [f["geometry"]["coordinates"][0] for f in districts["features"]]
    common = {tuple(p) for p in rings[0]} & {tuple(p) for p in rings[6]}
    lon, lat = sorted(common)[0]
    return float(lon), float(lat)


def _smooth_field(rng: np.random.Generator, n: int, scale: int) -> np.ndarray:
    """A smooth random field in [0, 1] (bilinear upsampling of a coarse uniform grid)."""
    coarse = rng.uniform(size=(n // scale + 2, n // scale + 2))
    x = np.arange(n) / scale
    i0 = np.floor(x).astype(int)
    f = x - i0
    rows = coarse[i0] * (1 - f)[:, None] + coarse[i0 + 1] * f[:, None]
    field = rows[:, i0] * (1 - f)[None, :] + rows[:, i0 + 1] * f[None, :]
    lo, hi = field.min(), field.max()
    return np.asarray((field - lo) / (hi - lo))


def _land_cover(rng: np.random.Generator, zone: np.ndarray, forest_share: np.ndarray) -> np.ndarray:
    """Class index per pixel: forest where the field is below the district's forest share."""
    u = _smooth_field(rng, zone.shape[0], 25)
    v = _smooth_field(rng, zone.shape[0], 15)
    share = forest_share[zone]
    cls = np.full(zone.shape, 1, dtype=np.int8)  # cropland
    cls[v > 0.55] = 3  # built-up
    cls[(v > 0.35) & (v <= 0.45)] = 2  # grass / green space
    cls[v < 0.06] = 4  # ponds
    cls[u < share] = 0  # forest
    return cls


def _ndvi_month(cls: np.ndarray, month: int, year_effect: float, rng: np.random.Generator) -> np.ndarray:
    s = 0.5 * (1 - np.cos(2 * np.pi * (month - 1) / 12))
    crop = max(np.exp(-(((month - 4) / 1.3) ** 2)), np.exp(-(((month - 8) / 1.3) ** 2)))
    by_class = np.array([0.45 + 0.40 * s, 0.30 + 0.45 * crop, 0.30 + 0.35 * s, 0.10 + 0.08 * s, -0.05])
    out = by_class[cls] + year_effect + rng.normal(0.0, 0.02, cls.shape)
    return np.clip(out, -0.2, 0.92).astype(np.float32)


def write_demo_rasters(
    directory: Path,
    seed: int | None = None,
    years: tuple[int, ...] = (2023, 2024),
    districts: dict[str, Any] | None = None,
) -> dict[str, Path]:
    """Write the Demo City sample rasters (see the module docstring) to ``directory``.

    Parameters
    ----------
    directory : pathlib.Path
        Output folder; ``ndvi/``, ``climate/`` and ``districts.geojson`` are written in it.
    seed : int, optional
        Seed (default: the Demo City seed); the same seed gives identical rasters.
    years : tuple of int
        Years to write, 12 months each.
    districts : dict, optional
        District GeoJSON (default :func:`demo_districts`).

    Returns
    -------
    dict
        ``{"ndvi": Path, "climate": Path, "districts": Path}``.
    """
    import json

    import rasterio
    import shapely
    from pyproj import Transformer
    from rasterio.features import rasterize
    from rasterio.transform import from_origin
    from shapely.geometry import shape

    from zerocity.demo import calibration as cal
    from zerocity.demo.generator import DEFAULT_SEED

    seed = DEFAULT_SEED if seed is None else seed
    districts = districts if districts is not None else demo_districts(seed)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 9]))
    directory = Path(directory)
    ndvi_dir, clim_dir = directory / "ndvi", directory / "climate"
    ndvi_dir.mkdir(parents=True, exist_ok=True)
    clim_dir.mkdir(parents=True, exist_ok=True)

    to_utm = Transformer.from_crs("EPSG:4326", f"EPSG:{EPSG}", always_xy=True)
    cx, cy = to_utm.transform(*_corner(districts))
    half = SIZE * CELL_M / 2
    transform = from_origin(round(cx - half), round(cy + half), CELL_M, CELL_M)
    geoms = [
        shapely.transform(shape(f["geometry"]), to_utm.transform, interleaved=False) for f in districts["features"]
    ]
    zone = rasterize(
        [(g, k) for k, g in enumerate(geoms)], out_shape=(SIZE, SIZE), transform=transform, fill=0, dtype="int32"
    )
    weights = {d[0]: d[7] for d in cal.DISTRICTS}
    share = np.array([min(0.6, 0.12 * weights.get(f["properties"]["code"], 1.0)) for f in districts["features"]])
    cls = _land_cover(rng, zone, share)

    nc = SIZE // CLIMATE_FACTOR
    c_transform = from_origin(transform.c, transform.f, CELL_M * CLIMATE_FACTOR, CELL_M * CLIMATE_FACTOR)
    gradient = np.linspace(-0.3, 0.3, nc)[None, :] * np.ones((nc, 1))
    common = {"driver": "GTiff", "dtype": "float32", "count": 1, "crs": f"EPSG:{EPSG}", "compress": "deflate"}
    t_mean = 16.0 + 12.7 * -np.cos(2 * np.pi * (_MONTHS - 0.6) / 12)
    rain = 1100.0 * (1 + 0.8 * np.exp(-(((_MONTHS - 6.5) / 1.8) ** 2)))
    rain = rain / rain.sum() * 1100.0
    sol = 4500.0 / 12 * (1 + 0.45 * -np.cos(2 * np.pi * (_MONTHS - 0.5) / 12))
    for year in years:
        y_ndvi = float(rng.normal(0.0, 0.015))
        y_temp, y_rain = float(rng.normal(0.0, 0.5)), float(rng.lognormal(0.0, 0.12))
        for m in _MONTHS:
            stamp = f"{year}{m:02d}"
            nd = _ndvi_month(cls, int(m), y_ndvi, rng)
            holes = _smooth_field(rng, SIZE, 40) > 0.97  # a little cloud mask
            nd[holes] = np.nan
            with rasterio.open(
                ndvi_dir / f"ndvi_{stamp}.tif",
                "w",
                **common,
                width=SIZE,
                height=SIZE,
                transform=transform,
                nodata=float("nan"),
            ) as dst:
                dst.write(nd, 1)
            fields = {
                "tmean": t_mean[m - 1] + y_temp + gradient + rng.normal(0, 0.1, (nc, nc)),
                "prec": rain[m - 1] * y_rain * (1 - 0.1 * gradient) * rng.lognormal(0, 0.05, (nc, nc)),
                "srad": sol[m - 1] * (1 + 0.02 * gradient) * rng.lognormal(0, 0.02, (nc, nc)),
            }
            for var, arr in fields.items():
                with rasterio.open(
                    clim_dir / f"{var}_{stamp}.tif",
                    "w",
                    **common,
                    width=nc,
                    height=nc,
                    transform=c_transform,
                    nodata=-9999.0,
                ) as dst:
                    dst.write(np.asarray(arr, dtype=np.float32), 1)
    geo = directory / "districts.geojson"
    geo.write_text(json.dumps(districts, ensure_ascii=False), encoding="utf-8")
    logger.info("wrote Demo City rasters for %s to %s", years, directory)
    return {"ndvi": ndvi_dir, "climate": clim_dir, "districts": geo}
