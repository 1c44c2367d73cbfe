"""Vegetation productivity from remote sensing: the CASA light-use-efficiency model, NEP and CO2.

Per pixel and month (Potter et al. 1993; Field et al. 1995)::

    NPP = APAR x eps                         [g C m-2 month-1]
    APAR = SOL x FPAR x 0.5                  [MJ m-2 month-1]  (PAR is half of global radiation)
    eps = T_eps1 x T_eps2 x W_eps x eps_max  [g C MJ-1]

FPAR is the mean of an NDVI-linear and an SR-linear estimate (Zhu et al. 2007). The water stress
``W_eps = 0.5 + 0.5 EET / PET`` uses Thornthwaite (1948) PET and a one-layer bucket for EET (see
:func:`water_balance`). Annual NPP is the sum of the 12 months. NEP = NPP - Rh with soil
heterotrophic respiration after Pei et al. (2009); the CO2 removal is NEP x 44/12.

Rasters are processed in windows (bounded memory); nodata propagates as NaN; every input must share
the CRS of the NDVI rasters (otherwise :class:`RasterCrsError`); climate rasters on another grid
of the same CRS are resampled bilinearly to the NDVI grid on the fly (``WarpedVRT``). District
polygons are reprojected to the raster CRS for the zonal sums. Pixel areas come from the raster
transform, so a *projected* CRS is required (geographic rasters are refused; reproject them first).

References
----------
Potter C. S. et al. (1993). Terrestrial ecosystem production: a process model based on global
satellite and surface data. Global Biogeochemical Cycles 7(4): 811-841. doi:10.1029/93GB02725.
Field C. B., Randerson J. T., Malmstrom C. M. (1995). Global net primary production: combining
ecology and remote sensing. Remote Sensing of Environment 51: 74-88.
Zhu Wenquan, Pan Yaozhong, Zhang Jinshui (2007). Estimation of net primary productivity of
Chinese terrestrial vegetation based on remote sensing. Journal of Plant Ecology (Chinese
Version) 31(3): 413-424.
Zhu Wenquan, Pan Yaozhong, He Hao, Yu Deyong, Hu Haibo (2006). Simulation of maximum light use
efficiency for some typical vegetation types in China. Chinese Science Bulletin 51(4): 457-463.
Thornthwaite C. W. (1948). An approach toward a rational classification of climate. Geographical
Review 38(1): 55-94.
Allen R. G. et al. (1998). FAO Irrigation and Drainage Paper 56, eqs. 24, 25, 34 (daylength).
Pei Zhiyuan, Ouyang Hua, Zhou Caiping, Xu Xingliang (2009). Carbon balance in an alpine steppe in
the Qinghai-Tibet Plateau. Journal of Integrative Plant Biology 51(5): 521-526.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.errors import ZerocityError

__all__ = [
    "CO2_PER_C",
    "EPSILON_MAX_POTTER",
    "EPSILON_MAX_ZHU_2006",
    "CasaParameters",
    "CasaResult",
    "RasterCrsError",
    "RasterInputError",
    "casa_npp",
    "casa_window",
    "daylength_hours",
    "discover_series",
    "fpar_from_ndvi",
    "inventory_rows",
    "landsat_c2_reflectance",
    "ndvi",
    "pixel_area_m2",
    "run_casa",
    "sentinel2_l2a_reflectance",
    "soil_heterotrophic_respiration",
    "temperature_stress",
    "thornthwaite_pet",
    "water_balance",
    "water_stress",
    "window_grid",
    "write_ndvi_geotiff",
]

logger = logging.getLogger(__name__)

CO2_PER_C = 44.0 / 12.0
"""Mass ratio CO2 / C [unitless] (molar masses 44.01 / 12.011, rounded as in IPCC 2006)."""

EPSILON_MAX_POTTER = 0.389
"""Global maximum light use efficiency [g C MJ-1 APAR] (Potter et al. 1993)."""

EPSILON_MAX_ZHU_2006: Mapping[str, float] = {
    "evergreen_needleleaf_forest": 0.389,
    "deciduous_needleleaf_forest": 0.485,
    "evergreen_broadleaf_forest": 0.985,
    "deciduous_broadleaf_forest": 0.692,
    "mixed_forest": 0.475,
    "shrubland": 0.429,
    "grassland": 0.542,
    "cropland": 0.542,
}
"""Maximum light use efficiency by vegetation type [g C MJ-1] simulated for China (Zhu et al. 2006)."""

FPAR_MIN = 0.001
"""Lower FPAR bound [unitless] (Zhu et al. 2007; independent of vegetation type)."""
FPAR_MAX = 0.95
"""Upper FPAR bound [unitless] (Zhu et al. 2007; independent of vegetation type)."""

DEFAULT_WINDOW = 512
"""Side of the processing windows [pixels] when a raster has no internal tiling."""


class RasterInputError(ZerocityError, ValueError):
    """A raster, directory or polygon file that cannot be used (the message names the file)."""

    code = "raster_input"


class RasterCrsError(ZerocityError, ValueError):
    """Inputs in different coordinate reference systems, or a geographic CRS where a projected one is needed."""

    code = "raster_crs"


@dataclass(frozen=True)
class CasaParameters:
    """Parameters of one CASA run.

    Attributes
    ----------
    epsilon_max : float
        Maximum light use efficiency [g C MJ-1]; default Potter et al. (1993).
    ndvi_min, ndvi_max : float
        NDVI of bare soil and of full cover [unitless], the 5 % / 95 % percentiles in Zhu et al.
        (2007). ``ndvi_min = 0.023`` is Zhu et al.'s value for all types; ``ndvi_max = 0.75`` is
        ASSUMED (a temperate broadleaf forest 95 % percentile); set it from the data for real runs.
    fpar_min, fpar_max : float
        FPAR bounds [unitless] (Zhu et al. 2007).
    soil_water_capacity_mm : float
        Plant-available water of the bucket [mm]; 150 mm ASSUMED (a loam over ~1 m of roots).
    rh_a, rh_b, rh_c : float
        Coefficients of :func:`soil_heterotrophic_respiration` (Pei et al. 2009).
    ndvi_vegetated : float
        A pixel whose highest monthly NDVI of the year is below this is not vegetated (built-up,
        water, bare): NPP and Rh are 0 there [unitless]; 0.2 ASSUMED.
    """

    epsilon_max: float = EPSILON_MAX_POTTER
    ndvi_min: float = 0.023
    ndvi_max: float = 0.75
    fpar_min: float = FPAR_MIN
    fpar_max: float = FPAR_MAX
    soil_water_capacity_mm: float = 150.0
    rh_a: float = 0.22
    rh_b: float = 0.0912
    rh_c: float = 0.3145
    ndvi_vegetated: float = 0.2

    def __post_init__(self) -> None:
        if not -1.0 < self.ndvi_min < self.ndvi_max < 1.0:
            raise RasterInputError(f"need -1 < ndvi_min < ndvi_max < 1, got {self.ndvi_min}, {self.ndvi_max}")
        if not 0.0 <= self.fpar_min < self.fpar_max <= 1.0:
            raise RasterInputError(f"need 0 <= fpar_min < fpar_max <= 1, got {self.fpar_min}, {self.fpar_max}")
        if self.epsilon_max <= 0 or self.soil_water_capacity_mm < 0:
            raise RasterInputError("epsilon_max must be > 0 and soil_water_capacity_mm >= 0")


# ---------------------------------------------------------------------------------------------
# Pure per-pixel functions (numpy arrays or scalars; NaN propagates)


def _f(x: Any) -> np.ndarray:
    """``x`` as a float array: float32 stays float32 (rasters, half the memory), anything else float64."""
    a = np.asarray(x)
    return a if a.dtype == np.float32 else a.astype(np.float64)


def ndvi(red: Any, nir: Any) -> np.ndarray:
    """Normalised difference vegetation index ``(NIR - red) / (NIR + red)`` [unitless].

    Parameters
    ----------
    red, nir : array-like
        Surface reflectance [unitless]; NaN for nodata.

    Returns
    -------
    numpy.ndarray
        NDVI; NaN where an input is NaN or ``NIR + red <= 0``.
    """
    r = np.asarray(red, dtype=np.float32)
    n = np.asarray(nir, dtype=np.float32)
    total = n + r
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total > 0, (n - r) / total, np.nan)
    return np.asarray(out, dtype=np.float32)


def landsat_c2_reflectance(dn: Any, nodata: int = 0) -> np.ndarray:
    """Landsat Collection 2 Level-2 surface reflectance from SR_B* digital numbers.

    ``rho = DN x 0.0000275 - 0.2`` (USGS, Landsat 8-9 Collection 2 Level 2 Science Product Guide,
    LSDS-1619, section on scale factors; the same for Landsat 4-7 SR bands). ``nodata`` (fill 0)
    becomes NaN.
    """
    d = np.asarray(dn)
    out = d.astype(np.float32) * np.float32(2.75e-5) - np.float32(0.2)
    return np.where(d == nodata, np.float32(np.nan), out).astype(np.float32)


def sentinel2_l2a_reflectance(dn: Any, boa_add_offset: int = -1000, nodata: int = 0) -> np.ndarray:
    """Sentinel-2 L2A bottom-of-atmosphere reflectance from digital numbers.

    ``rho = (DN + BOA_ADD_OFFSET) / 10000`` (ESA, Sentinel-2 L2A Product Specification; the
    offset is -1000 from processing baseline 04.00, 25 January 2022, and 0 before). ``nodata``
    (0) becomes NaN.
    """
    d = np.asarray(dn)
    out = (d.astype(np.float32) + np.float32(boa_add_offset)) / np.float32(10000.0)
    return np.where(d == nodata, np.float32(np.nan), out).astype(np.float32)


def fpar_from_ndvi(ndvi_values: Any, params: CasaParameters | None = None) -> np.ndarray:
    """FPAR as the mean of the NDVI-linear and the SR-linear estimates [unitless].

    ``FPAR_NDVI = (NDVI - NDVI_min) / (NDVI_max - NDVI_min) x (FPAR_max - FPAR_min) + FPAR_min``;
    ``FPAR_SR`` likewise with ``SR = (1 + NDVI) / (1 - NDVI)`` and SR_min/SR_max from
    NDVI_min/NDVI_max; ``FPAR = (FPAR_NDVI + FPAR_SR) / 2``, clipped to [FPAR_min, FPAR_max]
    (Zhu et al. 2007, eqs. 3-5; Potter et al. 1993 used the SR form).
    """
    p = params or CasaParameters()
    v = np.clip(_f(ndvi_values), p.ndvi_min, p.ndvi_max)
    span = p.fpar_max - p.fpar_min
    f_ndvi = (v - p.ndvi_min) / (p.ndvi_max - p.ndvi_min) * span + p.fpar_min
    sr = (1.0 + v) / (1.0 - v)
    sr_min = (1.0 + p.ndvi_min) / (1.0 - p.ndvi_min)
    sr_max = (1.0 + p.ndvi_max) / (1.0 - p.ndvi_max)
    f_sr = (sr - sr_min) / (sr_max - sr_min) * span + p.fpar_min
    return np.clip(0.5 * (f_ndvi + f_sr), p.fpar_min, p.fpar_max)


def temperature_stress(temp_c: Any, t_opt_c: Any) -> tuple[np.ndarray, np.ndarray]:
    """Temperature stress scalars ``(T_eps1, T_eps2)`` [unitless] of CASA.

    ``T_eps1 = 0.8 + 0.02 T_opt - 0.0005 T_opt^2`` (0 when the month's T <= -10 degC);
    ``T_eps2 = 1.1814 / (1 + exp(0.2 (T_opt - 10 - T))) / (1 + exp(0.3 (-T_opt - 10 + T)))``
    (Potter et al. 1993 eqs. 7-8; Field et al. 1995). ``T_opt`` is the mean temperature of the
    month of maximum NDVI [degC]; ``temp_c`` the month's mean temperature [degC].
    """
    t = _f(temp_c)
    topt = _f(t_opt_c)
    te1 = 0.8 + 0.02 * topt - 0.0005 * topt**2
    te1 = np.where(t <= -10.0, 0.0, te1 + 0.0 * t)
    te2 = 1.1814 / (1.0 + np.exp(0.2 * (topt - 10.0 - t))) / (1.0 + np.exp(0.3 * (-topt - 10.0 + t)))
    return te1, te2


def daylength_hours(latitude_deg: float, day_of_year: Any) -> np.ndarray:
    """Astronomical daylength [h] (FAO-56 eqs. 24, 25, 34): ``N = 24/pi x acos(-tan(phi) tan(delta))``."""
    phi = np.radians(latitude_deg)
    delta = 0.409 * np.sin(2.0 * np.pi * np.asarray(day_of_year, dtype=float) / 365.0 - 1.39)
    ws = np.arccos(np.clip(-np.tan(phi) * np.tan(delta), -1.0, 1.0))
    return np.asarray(24.0 / np.pi * ws)


_MID_MONTH_DAY = np.array([15, 46, 74, 105, 135, 166, 196, 227, 258, 288, 319, 349])
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def thornthwaite_pet(temp_c: Any, latitude_deg: float) -> np.ndarray:
    """Monthly potential evapotranspiration [mm month-1] (Thornthwaite 1948).

    Parameters
    ----------
    temp_c : array-like, shape (12, ...)
        Monthly mean air temperature [degC], January first.
    latitude_deg : float
        Latitude for the daylength correction [deg].

    Notes
    -----
    Heat index ``I = sum((T/5)^1.514)`` over months with T > 0; ``a = 6.75e-7 I^3 - 7.71e-5 I^2
    + 1.792e-2 I + 0.49239``; ``PET = 16 (L/12) (N/30) (10 T / I)^a`` for 0 < T < 26.5 degC,
    ``(L/12)(N/30)(-415.85 + 32.24 T - 0.43 T^2)`` above 26.5 degC (Willmott et al. 1985), 0 for
    T <= 0; L the mid-month daylength [h], N the days of the month.
    """
    t = _f(temp_c)
    if t.shape[0] != 12:
        raise RasterInputError(f"thornthwaite_pet needs 12 months on axis 0, got {t.shape[0]}")
    tpos = np.maximum(t, 0.0)
    heat = np.sum((tpos / 5.0) ** 1.514, axis=0)
    a = 6.75e-7 * heat**3 - 7.71e-5 * heat**2 + 1.792e-2 * heat + 0.49239
    corr = (daylength_hours(latitude_deg, _MID_MONTH_DAY) / 12.0) * (_DAYS_IN_MONTH / 30.0)
    corr = corr.reshape((12,) + (1,) * (t.ndim - 1)).astype(t.dtype)
    safe_heat = np.where(heat == 0, np.inf, heat)  # all months <= 0 degC: PET 0; NaN stays NaN
    base = 16.0 * (10.0 * tpos / safe_heat) ** a
    hot = t >= 26.5
    if hot.any():
        base = np.where(hot, -415.85 + 32.24 * t - 0.43 * t * t, base)
    # NaN temperatures stay NaN through tpos; T <= 0 gives 0 ** a = 0.
    return np.asarray(base * corr)


def water_balance(precip_mm: Any, pet_mm: Any, capacity_mm: float) -> np.ndarray:
    """Monthly actual evapotranspiration EET [mm month-1] from a one-layer bucket.

    Month by month: ``EET = min(PET, P + W)``, then ``W = min(capacity, W + P - EET)``; the bucket
    starts full in January. A linear simplification of the Thornthwaite & Mather (1955) water
    balance used by CASA's soil moisture submodel (Potter et al. 1993), ASSUMED adequate for
    humid climates where the bucket rarely empties.
    """
    p = _f(precip_mm)
    pet = _f(pet_mm)
    w = np.full(p.shape[1:], capacity_mm, dtype=p.dtype)
    eet = np.empty_like(p)
    for m in range(p.shape[0]):
        eet[m] = np.minimum(pet[m], p[m] + w)
        w = np.minimum(capacity_mm, w + p[m] - eet[m])
    return eet


def water_stress(eet_mm: Any, pet_mm: Any) -> np.ndarray:
    """Water stress scalar ``W_eps = 0.5 + 0.5 EET / PET`` [unitless]; 1 where PET = 0 (Potter et al. 1993)."""
    eet = _f(eet_mm)
    pet = _f(pet_mm)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pet > 0, np.clip(eet / np.where(pet > 0, pet, 1.0), 0.0, 1.0), 1.0)
    return np.where(np.isnan(eet) | np.isnan(pet), np.nan, 0.5 + 0.5 * ratio)


def soil_heterotrophic_respiration(temp_c: Any, precip_mm: Any, params: CasaParameters | None = None) -> np.ndarray:
    """Monthly soil heterotrophic respiration [g C m-2 month-1] (Pei et al. 2009).

    ``Rh = 0.22 x (exp(0.0912 T) + ln(0.3145 R + 1)) x 30 x 46.5 %`` with T the monthly mean air
    temperature [degC] and R the monthly precipitation [mm]; the bracket is a daily soil CO2 flux,
    x 30 days, x 0.465 its heterotrophic share as the model is used in CASA-NEP studies.
    """
    p = params or CasaParameters()
    t = _f(temp_c)
    r = np.maximum(_f(precip_mm), 0.0)
    return p.rh_a * (np.exp(p.rh_b * t) + np.log(p.rh_c * r + 1.0)) * 30.0 * 0.465


def casa_npp(
    ndvi_m: Any,
    temp_m: Any,
    precip_m: Any,
    sol_m: Any,
    latitude_deg: float,
    params: CasaParameters | None = None,
    epsilon_max: Any = None,
) -> np.ndarray:
    """Monthly CASA NPP [g C m-2 month-1] for 12 months of inputs.

    Parameters
    ----------
    ndvi_m, temp_m, precip_m, sol_m : array-like, shape (12, ...)
        NDVI [unitless], mean air temperature [degC], precipitation [mm month-1] and global solar
        radiation [MJ m-2 month-1], January first; NaN for nodata.
    latitude_deg : float
        Latitude of the pixels [deg] (daylength of the PET).
    params : CasaParameters, optional
    epsilon_max : array-like, optional
        Per-pixel maximum light use efficiency [g C MJ-1] (e.g. from a land cover map and
        :data:`EPSILON_MAX_ZHU_2006`); default ``params.epsilon_max``.

    Returns
    -------
    numpy.ndarray, shape (12, ...)
        ``SOL x FPAR x 0.5 x T_eps1 x T_eps2 x W_eps x eps_max``; NaN where any input is NaN.
    """
    p = params or CasaParameters()
    nd = _f(ndvi_m)
    t = _f(temp_m)
    if nd.shape[0] != 12 or nd.shape != t.shape:
        raise RasterInputError(f"casa_npp needs matching (12, ...) arrays, got {nd.shape} and {t.shape}")
    fpar = fpar_from_ndvi(nd, p)
    # T_opt: temperature of the month of maximum NDVI (argmax ignoring NaN; all-NaN -> NaN later).
    filled = np.where(np.isnan(nd), -np.inf, nd)
    k = np.argmax(filled, axis=0)
    t_opt = np.take_along_axis(t, k[None, ...], axis=0)[0]
    te1, te2 = temperature_stress(t, t_opt)
    pet = thornthwaite_pet(t, latitude_deg)
    eet = water_balance(precip_m, pet, p.soil_water_capacity_mm)
    we = water_stress(eet, pet)
    eps_max = p.epsilon_max if epsilon_max is None else _f(epsilon_max)
    apar = _f(sol_m) * fpar * 0.5
    return apar * te1 * te2 * we * eps_max


def casa_window(
    ndvi_m: np.ndarray,
    temp_m: np.ndarray,
    precip_m: np.ndarray,
    sol_m: np.ndarray,
    latitude_deg: float,
    params: CasaParameters | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Annual NPP and Rh [g C m-2 yr-1] of one window: sums of the 12 monthly values.

    A pixel is nodata (NaN) in the result when any of its 48 inputs is NaN; a valid pixel whose
    highest NDVI is below ``params.ndvi_vegetated`` gets NPP = Rh = 0 (no vegetation, no soil).
    """
    p = params or CasaParameters()
    npp = casa_npp(ndvi_m, temp_m, precip_m, sol_m, latitude_deg, p).sum(axis=0)
    rh = soil_heterotrophic_respiration(temp_m, precip_m, p).sum(axis=0)
    bad = np.isnan(npp) | np.isnan(rh)
    bare = np.asarray(ndvi_m).max(axis=0) < p.ndvi_vegetated
    npp = np.where(bare, 0.0, npp)
    rh = np.where(bare, 0.0, rh)
    return np.where(bad, np.nan, npp), np.where(bad, np.nan, rh)


# ---------------------------------------------------------------------------------------------
# Rasters


VARIABLES = ("ndvi", "tmean", "prec", "srad")
"""File prefixes: ``ndvi_YYYYMM.tif`` (NDVI dir), ``tmean_``/``prec_``/``srad_YYYYMM.tif`` (climate dir)."""
_NAME = re.compile(r"^(ndvi|tmean|prec|srad)_(\d{4})(\d{2})\.tiff?$", re.IGNORECASE)


def discover_series(ndvi_dir: Path, climate_dir: Path) -> dict[int, dict[str, list[Path]]]:
    """Find the complete years of monthly rasters.

    Naming pattern: ``ndvi_YYYYMM.tif`` in ``ndvi_dir``; ``tmean_YYYYMM.tif`` [degC],
    ``prec_YYYYMM.tif`` [mm month-1] and ``srad_YYYYMM.tif`` [MJ m-2 month-1] in ``climate_dir``.

    Returns
    -------
    dict
        ``{year: {variable: [12 paths, January first]}}`` for every year with all 48 files.

    Raises
    ------
    RasterInputError
        A missing directory, or no complete year (the message lists what is missing).
    """
    found: dict[int, dict[str, dict[int, Path]]] = {}
    for directory in (Path(ndvi_dir), Path(climate_dir)):
        if not directory.is_dir():
            raise RasterInputError(f"{directory}: not a directory")
        for path in sorted(directory.iterdir()):
            m = _NAME.match(path.name)
            if m and 1 <= int(m.group(3)) <= 12:
                found.setdefault(int(m.group(2)), {}).setdefault(m.group(1).lower(), {})[int(m.group(3))] = path
    series: dict[int, dict[str, list[Path]]] = {}
    missing: list[str] = []
    for year, by_var in sorted(found.items()):
        gaps = [f"{v}_{year}{mm:02d}" for v in VARIABLES for mm in range(1, 13) if mm not in by_var.get(v, {})]
        if gaps:
            missing.append(f"{year}: missing {', '.join(gaps[:6])}{' ...' if len(gaps) > 6 else ''}")
            continue
        series[year] = {v: [by_var[v][mm] for mm in range(1, 13)] for v in VARIABLES}
    if not series:
        detail = "; ".join(missing) or "no file matches ndvi_/tmean_/prec_/srad_YYYYMM.tif"
        raise RasterInputError(f"{ndvi_dir}, {climate_dir}: no complete year of rasters ({detail})")
    for note in missing:
        logger.warning("skipping incomplete year %s", note)
    return series


def pixel_area_m2(transform: Any, crs: Any) -> float:
    """Area of one pixel [m2] from the affine transform; refuses a geographic CRS.

    Raises
    ------
    RasterCrsError
        ``crs`` is geographic (degrees): reproject the rasters to a projected CRS (e.g. UTM).
    """
    if crs is None or crs.is_geographic:
        raise RasterCrsError(f"rasters in {crs}: a projected CRS (metres) is required for pixel areas")
    factor = crs.linear_units_factor[1] if crs.linear_units_factor else 1.0
    return float(abs(transform.a * transform.e - transform.b * transform.d)) * factor**2


def write_ndvi_geotiff(
    red_path: Path, nir_path: Path, out_path: Path, sensor: str = "landsat", boa_add_offset: int = -1000
) -> Path:
    """Write an NDVI GeoTIFF (float32, nodata NaN) from red and NIR band files, window by window.

    Parameters
    ----------
    red_path, nir_path : pathlib.Path
        Landsat C2 L2 ``SR_B4``/``SR_B5`` (Landsat 8-9) or Sentinel-2 L2A ``B04``/``B08`` GeoTIFFs.
    out_path : pathlib.Path
        Output file (e.g. ``ndvi_202407.tif``).
    sensor : {"landsat", "sentinel2"}
        Selects :func:`landsat_c2_reflectance` or :func:`sentinel2_l2a_reflectance`.
    boa_add_offset : int
        Sentinel-2 ``BOA_ADD_OFFSET`` (-1000 from baseline 04.00; 0 for older products).
    """
    import rasterio

    if sensor not in ("landsat", "sentinel2"):
        raise RasterInputError(f"sensor must be 'landsat' or 'sentinel2', got {sensor!r}")
    with _open(red_path) as red, _open(nir_path) as nir:
        if red.crs != nir.crs or red.transform != nir.transform or red.shape != nir.shape:
            raise RasterCrsError(f"{red_path} and {nir_path}: bands on different grids ({red.crs} vs {nir.crs})")
        profile = red.profile.copy()
        profile.update(driver="GTiff", dtype="float32", count=1, nodata=float("nan"), compress="deflate")
        with rasterio.open(out_path, "w", **profile) as dst:
            for _, win in red.block_windows(1):
                r, n = red.read(1, window=win), nir.read(1, window=win)
                if sensor == "landsat":
                    rho_r, rho_n = landsat_c2_reflectance(r), landsat_c2_reflectance(n)
                else:
                    rho_r = sentinel2_l2a_reflectance(r, boa_add_offset)
                    rho_n = sentinel2_l2a_reflectance(n, boa_add_offset)
                dst.write(ndvi(rho_r, rho_n), 1, window=win)
    return Path(out_path)


def _open(path: Path) -> Any:
    import rasterio

    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise RasterInputError(f"{path}: cannot open raster: {exc}") from exc


def _read_masked(src: Any, window: Any) -> np.ndarray:
    """Band 1 of ``src`` in ``window`` as float32 with nodata as NaN."""
    a = src.read(1, window=window, masked=True).astype(np.float32)
    return np.ma.filled(a, np.nan)


@dataclass
class _District:
    code: str
    name: str
    geometry: Any


def _districts(geojson: Mapping[str, Any] | Path | None, raster_crs: Any) -> list[_District]:
    """District polygons reprojected from their CRS (GeoJSON: EPSG:4326, RFC 7946) to ``raster_crs``."""
    import json

    import shapely
    from pyproj import Transformer
    from shapely.geometry import shape

    if geojson is None:
        return []
    if isinstance(geojson, Path | str):
        try:
            data = json.loads(Path(geojson).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RasterInputError(f"{geojson}: cannot read GeoJSON: {exc}") from exc
    else:
        data = dict(geojson)
    src_crs = (data.get("crs") or {}).get("properties", {}).get("name", "EPSG:4326")
    tr = Transformer.from_crs(src_crs, raster_crs.to_wkt(), always_xy=True)
    out = []
    for i, feat in enumerate(data.get("features", [])):
        props = feat.get("properties") or {}
        code = str(props.get("code", props.get("id", i)))
        geom = shapely.transform(shape(feat["geometry"]), tr.transform, interleaved=False)
        out.append(_District(code, str(props.get("name_en", props.get("name", code))), geom))
    return out


@dataclass(frozen=True)
class CasaResult:
    """Per-district, per-year totals of a CASA run.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns ``year, district, name, pixels, area_ha, npp_gc_m2, npp_tc, rh_tc, nep_tc,
        co2_t``: valid pixels, their area [ha], mean NPP [g C m-2 yr-1], totals of NPP, Rh and
        NEP [t C yr-1] and the CO2 removal NEP x 44/12 [t CO2 yr-1] (positive = sink).
        ``district`` is ``""`` for the whole raster when no districts were given.
    crs : str
        CRS of the rasters.
    pixel_area_m2 : float
    params : CasaParameters
    """

    table: pd.DataFrame
    crs: str
    pixel_area_m2: float
    params: CasaParameters = field(default_factory=CasaParameters)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "crs": self.crs,
            "pixel_area_m2": self.pixel_area_m2,
            "epsilon_max": self.params.epsilon_max,
            "rows": self.table.to_dict(orient="records"),
        }


@contextlib.contextmanager
def _year_sources(paths: Mapping[str, list[Path]]) -> Iterator[dict[str, list[Any]]]:
    """Open the 48 rasters of a year, checking CRS and aligning climate grids to the NDVI grid."""
    from rasterio.enums import Resampling
    from rasterio.vrt import WarpedVRT

    with contextlib.ExitStack() as stack:
        ref = stack.enter_context(_open(paths["ndvi"][0]))
        opened: dict[str, list[Any]] = {}
        for var in VARIABLES:
            opened[var] = []
            for path in paths[var]:
                src = ref if path == paths["ndvi"][0] else stack.enter_context(_open(path))
                if src.crs != ref.crs:
                    raise RasterCrsError(f"{path}: CRS {src.crs} differs from {paths['ndvi'][0]} ({ref.crs})")
                if src.transform != ref.transform or src.shape != ref.shape:
                    if var == "ndvi":
                        raise RasterInputError(f"{path}: NDVI grid differs from {paths['ndvi'][0]}")
                    src = stack.enter_context(
                        WarpedVRT(
                            src,
                            crs=ref.crs,
                            transform=ref.transform,
                            width=ref.width,
                            height=ref.height,
                            resampling=Resampling.bilinear,
                        )
                    )
                opened[var].append(src)
        yield opened


def window_grid(src: Any, size: int = DEFAULT_WINDOW) -> list[Any]:
    """Processing windows of an open raster: its internal tiles if it has them, else ``size`` squares."""
    from rasterio.windows import Window

    bh, bw = src.block_shapes[0]
    if bh >= 64 and bw >= 64 and bh * bw <= 4 * size * size and bw < src.width:
        return [w for _, w in src.block_windows(1)]
    return [
        Window(c, r, min(size, src.width - c), min(size, src.height - r))
        for r in range(0, src.height, size)
        for c in range(0, src.width, size)
    ]


def run_casa(
    ndvi_dir: Path,
    climate_dir: Path,
    districts: Mapping[str, Any] | Path | None = None,
    years: Sequence[int] | None = None,
    params: CasaParameters | None = None,
    window: int = DEFAULT_WINDOW,
    progress: Callable[[str], None] | None = None,
) -> CasaResult:
    """Run CASA over monthly rasters, window by window, and sum NPP, Rh, NEP and CO2 by district.

    Parameters
    ----------
    ndvi_dir, climate_dir : pathlib.Path
        Directories following the naming pattern of :func:`discover_series`.
    districts : dict or pathlib.Path, optional
        GeoJSON FeatureCollection (EPSG:4326 unless it names another CRS) with ``code`` /
        ``name_en`` properties; reprojected to the raster CRS. A pixel belongs to the district
        containing its centre. Without districts, one row per year covers the whole raster.
    years : sequence of int, optional
        Years to run (default: every complete year found).
    params : CasaParameters, optional
    window : int
        Window side [pixels] for untiled rasters.
    progress : callable, optional
        Called with a description before each (year, window) step.

    Returns
    -------
    CasaResult

    Raises
    ------
    RasterCrsError
        Inputs in different CRSs, or a geographic CRS.
    RasterInputError
        Missing files, a year not found, unreadable GeoJSON.
    """
    from pyproj import Transformer
    from rasterio.features import rasterize
    from rasterio.windows import transform as window_transform

    p = params or CasaParameters()
    series = discover_series(ndvi_dir, climate_dir)
    chosen = sorted(series) if years is None else list(years)
    unknown = [y for y in chosen if y not in series]
    if unknown:
        raise RasterInputError(f"{ndvi_dir}: no complete rasters for year(s) {unknown}; found {sorted(series)}")
    rows: list[dict[str, Any]] = []
    crs_text, area = "", 0.0
    for year in chosen:
        with _year_sources(series[year]) as src:
            ref = src["ndvi"][0]
            area = pixel_area_m2(ref.transform, ref.crs)
            crs_text = ref.crs.to_string()
            polys = _districts(districts, ref.crs)
            n_zone = max(len(polys), 1)
            cx, cy = ref.xy(ref.height / 2, ref.width / 2)
            _, lat = Transformer.from_crs(ref.crs.to_wkt(), "EPSG:4326", always_xy=True).transform(cx, cy)
            sums = np.zeros((4, n_zone))  # pixels, npp, rh, nep [g C m-2 summed over pixels]
            wins = window_grid(ref, window)
            for i, win in enumerate(wins):
                if progress is not None:
                    progress(f"CASA {year}: window {i + 1}/{len(wins)}")
                stacks = [np.stack([_read_masked(s, win) for s in src[v]]) for v in VARIABLES]
                nd_w, t_w, p_w, s_w = stacks
                npp, rh = casa_window(nd_w, t_w, p_w, s_w, latitude_deg=float(lat), params=p)
                if polys:
                    zone = rasterize(
                        [(d.geometry, k + 1) for k, d in enumerate(polys)],
                        out_shape=(int(win.height), int(win.width)),
                        transform=window_transform(win, ref.transform),
                        fill=0,
                        dtype="int32",
                    )
                else:
                    zone = np.ones(npp.shape, dtype=np.int32)
                ok = ~np.isnan(npp) & (zone > 0)
                z = zone[ok] - 1
                sums[0] += np.bincount(z, minlength=n_zone)
                sums[1] += np.bincount(z, weights=npp[ok], minlength=n_zone)
                sums[2] += np.bincount(z, weights=rh[ok], minlength=n_zone)
                sums[3] += np.bincount(z, weights=(npp - rh)[ok], minlength=n_zone)
            g_to_t = area / 1e6  # g C m-2 x m2 per pixel -> g; / 1e6 -> t
            labels = [(d.code, d.name) for d in polys] or [("", "")]
            for k, (code, name) in enumerate(labels):
                pixels = int(sums[0, k])
                rows.append(
                    {
                        "year": year,
                        "district": code,
                        "name": name,
                        "pixels": pixels,
                        "area_ha": pixels * area / 1e4,
                        "npp_gc_m2": sums[1, k] / pixels if pixels else float("nan"),
                        "npp_tc": sums[1, k] * g_to_t,
                        "rh_tc": sums[2, k] * g_to_t,
                        "nep_tc": sums[3, k] * g_to_t,
                        "co2_t": sums[3, k] * g_to_t * CO2_PER_C,
                    }
                )
            logger.info("CASA %d: %d windows, %d valid pixels", year, len(wins), int(sums[0].sum()))
    return CasaResult(pd.DataFrame(rows), crs_text, area, p)


def inventory_rows(result: CasaResult) -> pd.DataFrame:
    """Tidy rows for the inventory / net balance: CO2 removals by vegetation (GPC V.2, land).

    Returns
    -------
    pandas.DataFrame
        Columns ``year, district, gpc_ref, gas, tonnes, tco2e, source``; ``tonnes`` is
        ``-NEP x 44/12`` [t CO2] (negative = removal, positive = net emission).
    """
    t = result.table
    tonnes = -t["co2_t"].astype(float)
    return pd.DataFrame(
        {
            "year": t["year"].astype("int64"),
            "district": t["district"].astype(str),
            "gpc_ref": "V.2",
            "gas": "CO2",
            "tonnes": tonnes,
            "tco2e": tonnes,
            "source": "CASA NEP (Potter et al. 1993; Zhu et al. 2007; Rh Pei et al. 2009)",
        }
    )
