"""Rooftop PV: yield with pvlib's PVWatts chain, self-consumption, revenue, economics, avoided CO2.

Yield of one kWp (DC) in step t, evaluated at the middle of the step (hourly averages):

1. solar position and air mass (``Location.get_solarposition``, Kasten-Young 1989);
2. weather: pvlib's Ineichen clear sky with Linke turbidity (pvlib's monthly climatology,
   ``lookup_linke_turbidity``, or a value), optionally scaled by a clear-sky index ``k`` per
   month with the Erbs decomposition of the scaled GHI into DNI and DHI; or an EPW / TMY3 file;
3. plane-of-array irradiance (``get_total_irradiance``; Perez 1990 by default, as PVWatts, or
   Hay-Davies or isotropic);
4. effective irradiance ``E = POA_direct IAM(aoi) + POA_diffuse`` (``iam.physical``);
5. cell temperature, SAPM (``temperature.sapm_cell``; open rack for BAPV, insulated back for BIPV);
6. DC: ``P_dc = E/1000 (1 + gamma (T_cell - 25)) (1 - L/100)`` [kW/kWp] (``pvwatts_dc``, PVWatts
   losses ``L``);
7. AC: ``inverter.pvwatts`` with the inverter's DC limit ``1 / (DC:AC ratio x eta_nom)``.

Those are the steps of ``pvlib.modelchain.ModelChain.with_pvwatts`` (checked in the tests).
A roof of area ``A`` [m2] with usable fraction ``u`` holds ``kWp = A u rho / 1000`` where
``rho = P_stc / A_module`` [W/m2] is the module's power density.

Economics of a year-1 energy ``E_1`` [kWh], revenue ``R_1``, O&M ``M`` [yuan/yr], capex ``C``,
degradation ``d``, life ``N``, discount rate ``r``:

- self-consumption ``s_t = min(pv_t, load_t)``, export ``x_t = pv_t - s_t``, import ``load_t - s_t``;
- ``R_1 = sum_t s_t p_t + f sum_t x_t`` (``p_t`` retail time-of-use price, ``f`` feed-in price);
- ``CF_y = R_1 (1-d)^(y-1) - M``; ``NPV = -C + sum_{y=1..N} CF_y (1+r)^-y``;
  simple payback ``C / CF_1``;
- ``LCOE = (C + sum_y M (1+r)^-y) / sum_y E_1 (1-d)^(y-1) (1+r)^-y`` [yuan/kWh];
- avoided CO2 ``= E_1 x EF`` with ``EF`` the grid factor the inventory engine resolves for
  ``electricity_grid`` in the region and year (its factor id is reported).

References
----------
Holmgren, W.F., Hansen, C.W., Mikofski, M.A. (2018). pvlib python: a python package for modeling
solar energy systems. JOSS 3(29), 884, doi:10.21105/joss.00884.
Dobos, A.P. (2014). PVWatts Version 5 Manual. NREL/TP-6A20-62641, doi:10.2172/1158421.
Perez, R., Ineichen, P., Seals, R., Michalsky, J., Stewart, R. (1990). Modeling daylight
availability and irradiance components from direct and global irradiance. Solar Energy 44(5),
271-289.
Ineichen, P., Perez, R. (2002). A new airmass independent formulation for the Linke turbidity
coefficient. Solar Energy 73(3), 151-157.
Erbs, D.G., Klein, S.A., Duffie, J.A. (1982). Estimation of the diffuse radiation fraction for
hourly, daily and monthly-average global radiation. Solar Energy 28(4), 293-302.
King, D.L., Boyson, W.E., Kratochvil, J.A. (2004). Photovoltaic Array Performance Model.
SAND2004-3535, Sandia National Laboratories.
Short, W., Packey, D.J., Holt, T. (1995). A Manual for the Economic Evaluation of Energy Efficiency
and Renewable Energy Technologies. NREL/TP-462-5173 (NPV, simple payback, levelized cost).
IEA/NEA (2020). Projected Costs of Generating Electricity 2020, LCOE methodology (same formula).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from zerocity.energy.storage import HOURS_PER_YEAR, Tariff, load_tariff
from zerocity.errors import ZerocityError
from zerocity.jsonio import jsonable

__all__ = [
    "DEMO_SITE",
    "EARTH_AUTHALIC_RADIUS_M",
    "TYPICAL_YEAR",
    "CityPotential",
    "EnergyBalance",
    "GridFactor",
    "Inverter",
    "Module",
    "Mounting",
    "PvDesign",
    "PvError",
    "PvEstimate",
    "PvFinance",
    "Roof",
    "Site",
    "Transposition",
    "Weather",
    "ac_per_kwp",
    "city_potential",
    "clear_sky_weather",
    "energy_balance",
    "estimate",
    "grid_factor",
    "kwp_of",
    "lcoe",
    "load_inverters",
    "load_modules",
    "npv",
    "polygon_area_m2",
    "pv_defaults",
    "read_weather",
    "simple_payback",
    "write_epw",
]

log = logging.getLogger(__name__)

EARTH_AUTHALIC_RADIUS_M = 6_371_007.2
"""Radius of the sphere with the WGS84 ellipsoid's area [m] (polygon areas)."""


class PvError(ZerocityError, ValueError):
    """PV inputs that cannot be used (roof, module, weather file, load series)."""

    code = "pv"


class Mounting(StrEnum):
    """How modules sit on the roof: building-applied (racked) or building-integrated."""

    BAPV = "bapv"
    BIPV = "bipv"


class Transposition(StrEnum):
    """Sky diffuse model of the plane-of-array irradiance (``pvlib.irradiance``)."""

    HAYDAVIES = "haydavies"
    PEREZ = "perez"
    ISOTROPIC = "isotropic"


# --------------------------------------------------------------------------------------------
# Shipped choices and defaults
# --------------------------------------------------------------------------------------------


def _data_text(name: str) -> str:
    return resources.files("zerocity.energy").joinpath(f"data/{name}").read_text(encoding="utf-8")


@functools.cache
def pv_defaults() -> dict[str, Any]:
    """The shipped defaults with their sources (``data/pv_defaults.yaml``)."""
    return dict(yaml.safe_load(_data_text("pv_defaults.yaml")))


@dataclass(frozen=True)
class Module:
    """A PV module choice.

    Attributes
    ----------
    id : str
        zerocity id (``mono_c_si_410``).
    name : str
        Name in the source library (CEC).
    technology : str
    stc_w : float
        Power at standard test conditions [W].
    area_m2 : float
        Module area [m2].
    gamma_pdc : float
        Temperature coefficient of power [1/K] (CEC ``gamma_r`` / 100).
    bipv : bool
        Listed as building-integrated.
    source : str
    """

    id: str
    name: str
    technology: str
    stc_w: float
    area_m2: float
    gamma_pdc: float
    bipv: bool
    source: str

    @property
    def power_density_w_m2(self) -> float:
        """``stc_w / area_m2`` [W/m2]."""
        return self.stc_w / self.area_m2


@dataclass(frozen=True)
class Inverter:
    """An inverter choice: nominal efficiency for ``pvlib.inverter.pvwatts``.

    Attributes
    ----------
    id, name, source : str
    eta_nom : float
        Efficiency at rated power [unitless] (CEC ``Paco / Pdco``, or the PVWatts 0.96).
    """

    id: str
    name: str
    eta_nom: float
    source: str


@functools.cache
def load_modules() -> dict[str, Module]:
    """Shipped module choices (``data/modules.csv``), by id."""
    with resources.files("zerocity.energy").joinpath("data/modules.csv").open(encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype={"bipv": str})
    return {
        r.id: Module(
            id=r.id,
            name=r.cec_name,
            technology=r.technology,
            stc_w=float(r.stc_w),
            area_m2=float(r.area_m2),
            gamma_pdc=float(r.gamma_r_pct_per_k) / 100.0,
            bipv=str(r.bipv).lower() == "true",
            source=r.source,
        )
        for r in frame.itertuples(index=False)
    }


@functools.cache
def load_inverters() -> dict[str, Inverter]:
    """Shipped inverter choices (``data/inverters.csv``), by id."""
    with resources.files("zerocity.energy").joinpath("data/inverters.csv").open(encoding="utf-8") as fh:
        frame = pd.read_csv(fh)
    out = {}
    for r in frame.itertuples(index=False):
        eta = float(r.paco_w) / float(r.pdco_w) if pd.notna(r.paco_w) else float(r.eta_nom)
        out[r.id] = Inverter(
            id=r.id, name=str(r.cec_name) if pd.notna(r.cec_name) else r.id, eta_nom=eta, source=r.source
        )
    return out


def _choice(table: dict[str, Any], key: str, what: str) -> Any:
    try:
        return table[key]
    except KeyError:
        raise PvError(f"unknown {what} {key!r}; expected one of {sorted(table)}") from None


@dataclass(frozen=True)
class PvDesign:
    """System design shared by the roofs of a run.

    Attributes
    ----------
    mounting : Mounting
    module : Module
    inverter : Inverter
    dc_ac_ratio : float
        Array DC rating over inverter AC rating [unitless].
    losses_pct : float
        PVWatts system losses [%].
    transposition : Transposition
    albedo : float
        Ground reflectance [unitless].
    temperature_model : str
        Key of ``pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS['sapm']``.
    """

    mounting: Mounting
    module: Module
    inverter: Inverter
    dc_ac_ratio: float
    losses_pct: float
    transposition: Transposition
    albedo: float
    temperature_model: str

    @classmethod
    def default(
        cls,
        mounting: Mounting | str = Mounting.BAPV,
        *,
        module: str | None = None,
        inverter: str | None = None,
        dc_ac_ratio: float | None = None,
        losses_pct: float | None = None,
        transposition: Transposition | str = Transposition.PEREZ,
    ) -> PvDesign:
        """The shipped design of a mounting (``data/pv_defaults.yaml``), with overrides."""
        mount = Mounting(mounting)
        d = pv_defaults()["design"]
        design = cls(
            mounting=mount,
            module=_choice(load_modules(), module or d["module"][mount.value], "module"),
            inverter=_choice(load_inverters(), inverter or d["inverter"], "inverter"),
            dc_ac_ratio=float(dc_ac_ratio if dc_ac_ratio is not None else d["dc_ac_ratio"]),
            losses_pct=float(losses_pct if losses_pct is not None else d["losses_pct"]),
            transposition=Transposition(transposition),
            albedo=float(d["albedo"]),
            temperature_model=str(d["temperature_model"][mount.value]),
        )
        if design.dc_ac_ratio <= 0 or not 0 <= design.losses_pct < 100:
            raise PvError(f"need dc_ac_ratio > 0 and 0 <= losses_pct < 100, got {dc_ac_ratio}, {losses_pct}")
        return design

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description."""
        return jsonable(
            {
                "mounting": self.mounting.value,
                "module": {
                    "id": self.module.id,
                    "name": self.module.name,
                    "stc_w": self.module.stc_w,
                    "area_m2": self.module.area_m2,
                    "power_density_w_m2": self.module.power_density_w_m2,
                    "gamma_pdc": self.module.gamma_pdc,
                },
                "inverter": {"id": self.inverter.id, "name": self.inverter.name, "eta_nom": self.inverter.eta_nom},
                "dc_ac_ratio": self.dc_ac_ratio,
                "losses_pct": self.losses_pct,
                "transposition": self.transposition.value,
                "albedo": self.albedo,
                "temperature_model": self.temperature_model,
            }
        )


# --------------------------------------------------------------------------------------------
# Sites, roofs, polygons
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where the roofs are.

    Attributes
    ----------
    latitude, longitude : float
        [deg] (EPSG:4326).
    altitude : float, optional
        [m]; None looks it up in pvlib's shipped altitude map.
    tz : str
        Time zone of the time stamps (local time, which tariffs refer to).
    name : str
    """

    latitude: float
    longitude: float
    altitude: float | None = None
    tz: str = "Asia/Shanghai"
    name: str = ""

    def __post_init__(self) -> None:
        if not (-90 <= self.latitude <= 90 and -180 <= self.longitude <= 180):
            raise PvError(f"site: latitude {self.latitude} / longitude {self.longitude} out of range")

    def location(self) -> Any:
        """The ``pvlib.location.Location``."""
        from pvlib.location import Location

        return Location(self.latitude, self.longitude, tz=self.tz, altitude=self.altitude, name=self.name or None)


DEMO_SITE = Site(latitude=31.81, longitude=119.47, name="Demo City centre")
"""Centre of the Demo City's district grid (:mod:`zerocity.demo.geography`)."""


def polygon_area_m2(ring: Sequence[Sequence[float]] | np.ndarray, *, lonlat: bool = True) -> float:
    """Area of a simple polygon [m2].

    Parameters
    ----------
    ring : array-like of (x, y)
        Vertices, closed or open. ``lonlat=True``: longitude, latitude [deg] (EPSG:4326);
        otherwise projected coordinates [m].
    lonlat : bool

    Returns
    -------
    float
        Shoelace area; lon/lat rings are first projected with the spherical Lambert azimuthal
        equal-area projection centred on the ring (radius :data:`EARTH_AUTHALIC_RADIUS_M`),
        which keeps areas (the sphere-for-ellipsoid error is a few tenths of a percent).

    References
    ----------
    Snyder, J.P. (1987). Map Projections - A Working Manual. USGS Professional Paper 1395,
    eq. (24-2), (22-4), (22-5) (Lambert azimuthal equal-area, sphere).
    """
    pts = np.asarray(ring, dtype=float)
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 3:
        raise PvError("polygon: need at least three (x, y) vertices")
    if lonlat:
        lam = np.radians(pts[:, 0])
        phi = np.radians(pts[:, 1])
        lam0, phi1 = lam.mean(), phi.mean()
        cos_c = np.sin(phi1) * np.sin(phi) + np.cos(phi1) * np.cos(phi) * np.cos(lam - lam0)
        k = np.sqrt(2.0 / (1.0 + cos_c))
        x = EARTH_AUTHALIC_RADIUS_M * k * np.cos(phi) * np.sin(lam - lam0)
        y = EARTH_AUTHALIC_RADIUS_M * k * (np.cos(phi1) * np.sin(phi) - np.sin(phi1) * np.cos(phi) * np.cos(lam - lam0))
    else:
        x, y = pts[:, 0] - pts[:, 0].mean(), pts[:, 1] - pts[:, 1].mean()
    return float(abs(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


@dataclass(frozen=True)
class Roof:
    """A roof (or roof face).

    Attributes
    ----------
    id : str
    area_m2 : float
        Gross roof area [m2].
    tilt : float
        Module tilt from horizontal [deg].
    azimuth : float
        Module azimuth, clockwise from north [deg] (180 = south).
    usable_fraction : float
        Share of the area that holds modules [unitless] (setbacks, equipment, shading, rows).
    """

    id: str
    area_m2: float
    tilt: float = 25.0
    azimuth: float = 180.0
    usable_fraction: float = 0.6

    def __post_init__(self) -> None:
        problems = []
        if not (self.area_m2 >= 0 and np.isfinite(self.area_m2)):
            problems.append(f"area_m2 must be >= 0, got {self.area_m2}")
        if not 0 <= self.tilt <= 90:
            problems.append(f"tilt must be 0-90 deg, got {self.tilt}")
        if not 0 <= self.azimuth <= 360:
            problems.append(f"azimuth must be 0-360 deg, got {self.azimuth}")
        if not 0 <= self.usable_fraction <= 1:
            problems.append(f"usable_fraction must be 0-1, got {self.usable_fraction}")
        if problems:
            raise PvError(f"roof {self.id!r}: " + "; ".join(problems))

    @classmethod
    def from_polygon(cls, id: str, ring: Sequence[Sequence[float]], *, lonlat: bool = True, **kwargs: float) -> Roof:
        """A roof whose area is that of a polygon (:func:`polygon_area_m2`)."""
        return cls(id=id, area_m2=polygon_area_m2(ring, lonlat=lonlat), **kwargs)


def kwp_of(area_m2: Any, usable_fraction: Any, module: Module) -> Any:
    """Array rating ``area x usable x power density / 1000`` [kWp] (scalars or arrays)."""
    return (
        np.asarray(area_m2, dtype=float) * np.asarray(usable_fraction, dtype=float) * module.power_density_w_m2 / 1000.0
    )


# --------------------------------------------------------------------------------------------
# Weather
# --------------------------------------------------------------------------------------------

WEATHER_COLUMNS = ("ghi", "dni", "dhi", "temp_air", "wind_speed")
"""Columns of :attr:`Weather.data`: irradiance [W/m2], air temperature [degC], wind speed [m/s]."""


@dataclass(frozen=True, eq=False)
class Weather:
    """Hourly (or regular-step) weather at a site.

    Attributes
    ----------
    data : pandas.DataFrame
        :data:`WEATHER_COLUMNS`, indexed by the START of each step (tz-aware local time); values
        are step means.
    site : Site
    source : str
        Where it came from (``clear sky ...``, a file name).
    """

    data: pd.DataFrame
    site: Site
    source: str

    @property
    def step_hours(self) -> float:
        """Length of a step [h]."""
        idx = self.data.index
        if len(idx) < 2:
            return 1.0
        return float((idx[1] - idx[0]).total_seconds() / 3600.0)

    @functools.cached_property
    def mid_times(self) -> pd.DatetimeIndex:
        """Middle of every step: where the sun's position is evaluated."""
        return pd.DatetimeIndex(self.data.index + pd.Timedelta(hours=self.step_hours / 2))

    @functools.cached_property
    def solar(self) -> pd.DataFrame:
        """Solar position, relative air mass and extraterrestrial DNI at :attr:`mid_times`."""
        from pvlib import irradiance

        loc = self.site.location()
        pos = loc.get_solarposition(self.mid_times, temperature=self.data["temp_air"].to_numpy())
        air = loc.get_airmass(solar_position=pos, model="kastenyoung1989")
        out = pos[["apparent_zenith", "zenith", "azimuth"]].copy()
        out["airmass_relative"] = air["airmass_relative"]
        out["dni_extra"] = irradiance.get_extra_radiation(self.mid_times)
        return out

    @property
    def annual_ghi_kwh_m2(self) -> float:
        """Global horizontal irradiation, scaled to a year [kWh/m2/yr]."""
        hours = len(self.data) * self.step_hours
        return float(self.data["ghi"].sum() * self.step_hours / 1000.0 * HOURS_PER_YEAR / hours)


def _monthly(value: float | Sequence[float], index: pd.DatetimeIndex, what: str) -> np.ndarray:
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    if arr.size == 1:
        return np.full(len(index), float(arr[0]))
    if arr.size != 12:
        raise PvError(f"{what}: give one value or 12 monthly values, got {arr.size}")
    return arr[np.asarray(index.month) - 1]


def clear_sky_weather(
    site: Site,
    *,
    year: int = 2023,
    turbidity: float | Sequence[float] | None = None,
    clear_sky_index: float | Sequence[float] | None = None,
    annual_ghi_kwh_m2: float | None = None,
    temp_air: float | Sequence[float] | None = None,
    wind_speed: float | None = None,
) -> Weather:
    """An hourly year of clear-sky (or scaled clear-sky) weather.

    Parameters
    ----------
    site : Site
    year : int
        Calendar year of the time stamps (local time).
    turbidity : float or 12 floats, optional
        Linke turbidity [unitless]; default: pvlib's monthly climatology at the site
        (``pvlib.clearsky.lookup_linke_turbidity``, the SoDa maps shipped with pvlib).
    clear_sky_index : float or 12 floats, optional
        Ratio all-sky / clear-sky GHI [unitless]; the scaled GHI is split into DNI and DHI with
        the Erbs model. None keeps the clear sky (an upper bound of the yield).
    annual_ghi_kwh_m2 : float, optional
        Instead of ``clear_sky_index``: the one index that gives this annual GHI [kWh/m2/yr].
    temp_air : float or 12 floats, optional
        Air temperature [degC]; default ``pv_defaults()['weather']['temp_air_c']`` (ASSUMED).
    wind_speed : float, optional
        [m/s]; default ``pv_defaults()['weather']['wind_speed_m_s']`` (ASSUMED).

    Returns
    -------
    Weather
        Values at the middle of each hour, indexed by the hour's start.
    """
    from pvlib import clearsky, irradiance

    defaults = pv_defaults()["weather"]
    index = pd.date_range(f"{year}-01-01", f"{year + 1}-01-01", freq="h", tz=site.tz, inclusive="left")
    mid = pd.DatetimeIndex(index + pd.Timedelta(minutes=30))
    loc = site.location()
    if turbidity is None:
        linke = clearsky.lookup_linke_turbidity(mid, site.latitude, site.longitude)
        turbidity_text = "pvlib Linke turbidity climatology"
    else:
        linke = pd.Series(_monthly(turbidity, mid, "turbidity"), index=mid)
        turbidity_text = f"Linke turbidity {turbidity}"
    cs = loc.get_clearsky(mid, model="ineichen", linke_turbidity=linke)
    ghi, dni, dhi = cs["ghi"].to_numpy(), cs["dni"].to_numpy(), cs["dhi"].to_numpy()
    text = f"clear sky (Ineichen, {turbidity_text}), {site.name or f'{site.latitude}, {site.longitude}'}, {year}"
    if annual_ghi_kwh_m2 is not None:
        if clear_sky_index is not None:
            raise PvError("give clear_sky_index or annual_ghi_kwh_m2, not both")
        clear_sky_annual = float(np.nansum(ghi)) / 1000.0 * HOURS_PER_YEAR / len(index)
        if not 0 < annual_ghi_kwh_m2 <= 1.5 * clear_sky_annual:
            raise PvError(f"annual_ghi_kwh_m2 must be in (0, {1.5 * clear_sky_annual:.0f}], got {annual_ghi_kwh_m2}")
        clear_sky_index = round(annual_ghi_kwh_m2 / clear_sky_annual, 6)
    if clear_sky_index is not None:
        k = _monthly(clear_sky_index, mid, "clear_sky_index")
        if (k < 0).any() or (k > 1.5).any():
            raise PvError(f"clear_sky_index must be within 0-1.5, got {clear_sky_index}")
        ghi = ghi * k
        pos = loc.get_solarposition(mid)
        split = irradiance.erbs(pd.Series(ghi, index=mid), pos["zenith"], mid)
        dni, dhi = split["dni"].to_numpy(), split["dhi"].to_numpy()
        text += f", scaled by clear-sky index {clear_sky_index} (Erbs split)"
    frame = pd.DataFrame(
        {
            "ghi": ghi,
            "dni": dni,
            "dhi": dhi,
            "temp_air": _monthly(defaults["temp_air_c"] if temp_air is None else temp_air, mid, "temp_air"),
            "wind_speed": float(defaults["wind_speed_m_s"] if wind_speed is None else wind_speed),
        },
        index=index,
    )
    return Weather(frame.fillna(0.0), site, text)


TYPICAL_YEAR = 2023
"""Calendar year given to typical-year weather whose months come from different years (non-leap)."""


def _read_weather_file(p: Path, year: int | None) -> tuple[pd.DataFrame, tuple[Any, Any, Any, Any, str]]:
    from pvlib import iotools

    try:
        if p.suffix.lower() == ".epw":
            data, meta = iotools.read_epw(str(p), coerce_year=year)
            name = str(meta.get("city", ""))
        else:
            data, meta = iotools.read_tmy3(str(p), coerce_year=year, map_variables=True)
            data.index = data.index - pd.Timedelta(hours=1)
            name = str(meta.get("Name", "")).strip('"')
        return data, (meta["latitude"], meta["longitude"], meta["altitude"], meta["TZ"], name)
    except (OSError, ValueError, KeyError, IndexError) as exc:
        raise PvError(f"{p}: cannot read weather file (EPW or TMY3 expected): {exc}") from exc


def read_weather(path: Path | str, *, year: int | None = None) -> Weather:
    """Read an EPW or a TMY3 file (pvlib readers) into start-labelled hourly weather.

    Parameters
    ----------
    path : path
        ``.epw`` (EnergyPlus weather) or ``.csv`` (NSRDB TMY3).
    year : int, optional
        Force one calendar year. Default: the file's years, or :data:`TYPICAL_YEAR` when the
        file mixes years (typical-year files take each month from another year).

    Notes
    -----
    pvlib labels EPW rows by the start of the hour and TMY3 rows by its end; TMY3 is shifted
    back one hour so that both index the start of the step. Time zones are whole hours.
    """
    p = Path(path)
    data, (lat, lon, alt, tz, name) = _read_weather_file(p, year)
    if year is None and not data.index.is_monotonic_increasing:
        data, _ = _read_weather_file(p, TYPICAL_YEAR)
    missing = [c for c in WEATHER_COLUMNS if c not in data.columns]
    if missing:
        raise PvError(f"{p}: weather file lacks {missing}")
    frame = data[list(WEATHER_COLUMNS)].astype(float)
    bad = frame[(frame[["ghi", "dni", "dhi"]] < 0).any(axis=1) | frame.isna().any(axis=1)]
    if len(bad):
        raise PvError(f"{p}: {len(bad)} row(s) with missing or negative values, first at {bad.index[0]}")
    hours = round(float(tz))
    site = Site(latitude=float(lat), longitude=float(lon), altitude=float(alt), tz=f"Etc/GMT{-hours:+d}", name=name)
    frame.index = frame.index.tz_convert(site.tz)
    return Weather(frame, site, p.name)


_EPW_MISSING = {
    "etr": 9999,
    "etrn": 9999,
    "ghi_infrared": 9999,
    "global_hor_illum": 999999,
    "direct_normal_illum": 999999,
    "diffuse_horizontal_illum": 999999,
    "zenith_luminance": 9999,
    "wind_direction": 999,
    "total_sky_cover": 99,
    "opaque_sky_cover": 99,
    "visibility": 9999,
    "ceiling_height": 99999,
    "present_weather_observation": 9,
    "present_weather_codes": 999999999,
    "precipitable_water": 999,
    "aerosol_optical_depth": 0.999,
    "snow_depth": 999,
    "days_since_last_snowfall": 99,
    "albedo": 999,
    "liquid_precipitation_depth": 999,
    "liquid_precipitation_quantity": 99,
}
"""EnergyPlus missing-value codes of the EPW fields zerocity does not produce."""


def write_epw(weather: Weather, path: Path | str, *, comment: str = "") -> Path:
    """Write hourly weather as an EnergyPlus EPW file (readable by :func:`read_weather`).

    Irradiances are rounded to whole W/m2 (Wh/m2 per hour), as EPW stores them; dew point,
    humidity and pressure are written as the standard ISA values, other fields as EPW missing
    codes. Rows must be whole hours of a single year.

    References
    ----------
    U.S. DOE, EnergyPlus Auxiliary Programs, "Weather Converter Program", EnergyPlus Weather File
    (EPW) Data Dictionary.
    """
    d = weather.data
    if weather.step_hours != 1.0:
        raise PvError("write_epw: needs hourly weather")
    s = weather.site
    altitude = float(s.location().altitude)
    offset = d.index[0].utcoffset()
    tz_hours = 0.0 if offset is None else offset.total_seconds() / 3600.0
    first, last = d.index[0], d.index[-1]
    header = [
        f"LOCATION,{s.name or 'site'},-,-,zerocity,000000,{s.latitude:.4f},{s.longitude:.4f},{tz_hours:.1f},"
        f"{altitude:.1f}",
        "DESIGN CONDITIONS,0",
        "TYPICAL/EXTREME PERIODS,0",
        "GROUND TEMPERATURES,0",
        "HOLIDAYS/DAYLIGHT SAVINGS,No,0,0,0",
        f"COMMENTS 1,{comment.replace(',', ';')}",
        f"COMMENTS 2,{weather.source.replace(',', ';')}",
        f"DATA PERIODS,1,1,Data,{first.day_name()},{first.month}/{first.day},{last.month}/{last.day}",
    ]
    lines = []
    for ts, row in d.iterrows():
        fields: list[Any] = [
            ts.year,
            ts.month,
            ts.day,
            ts.hour + 1,
            60,
            "?9?9?9?9E0?9?9?9?9?9?9?9?9?9?9?9?9?9?9?9*9*9?9?9?9",
            f"{row.temp_air:.1f}",
            f"{row.temp_air - 5:.1f}",
            70,
            101325,
            _EPW_MISSING["etr"],
            _EPW_MISSING["etrn"],
            _EPW_MISSING["ghi_infrared"],
            round(row.ghi),
            round(row.dni),
            round(row.dhi),
            _EPW_MISSING["global_hor_illum"],
            _EPW_MISSING["direct_normal_illum"],
            _EPW_MISSING["diffuse_horizontal_illum"],
            _EPW_MISSING["zenith_luminance"],
            _EPW_MISSING["wind_direction"],
            f"{row.wind_speed:.1f}",
        ]
        fields += [_EPW_MISSING[k] for k in list(_EPW_MISSING)[8:]]
        lines.append(",".join(str(f) for f in fields))
    out = Path(path)
    out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    return out


# --------------------------------------------------------------------------------------------
# The PVWatts chain
# --------------------------------------------------------------------------------------------


def ac_per_kwp(weather: Weather, tilt: float, azimuth: float, design: PvDesign) -> pd.Series:
    """AC output of one kWp (DC) of the design at the given orientation [kW per kWp, step mean].

    The chain of ``ModelChain.with_pvwatts`` (module docstring); the inverter DC limit is
    ``1 / (dc_ac_ratio x eta_nom)`` kW per kWp, i.e. an AC rating of ``1 / dc_ac_ratio``.
    """
    from pvlib import iam, inverter, irradiance, pvsystem, temperature

    sol = weather.solar
    w = weather.data
    poa = irradiance.get_total_irradiance(
        tilt,
        azimuth,
        sol["apparent_zenith"],
        sol["azimuth"],
        w["dni"].to_numpy(),
        w["ghi"].to_numpy(),
        w["dhi"].to_numpy(),
        dni_extra=sol["dni_extra"],
        airmass=sol["airmass_relative"],
        albedo=design.albedo,
        model=design.transposition.value,
    )
    aoi = irradiance.aoi(tilt, azimuth, sol["apparent_zenith"], sol["azimuth"])
    effective = poa["poa_direct"] * iam.physical(aoi) + poa["poa_diffuse"]
    params = temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][design.temperature_model]
    t_cell = temperature.sapm_cell(poa["poa_global"], w["temp_air"].to_numpy(), w["wind_speed"].to_numpy(), **params)
    dc = pvsystem.pvwatts_dc(effective, t_cell, 1.0, design.module.gamma_pdc) * (1.0 - design.losses_pct / 100.0)
    ac = inverter.pvwatts(dc, 1.0 / (design.dc_ac_ratio * design.inverter.eta_nom), eta_inv_nom=design.inverter.eta_nom)
    values = np.clip(np.nan_to_num(np.asarray(ac, dtype=float)), 0.0, None)
    return pd.Series(values, index=w.index, name="ac_kw_per_kwp")


# --------------------------------------------------------------------------------------------
# Energy balance and economics (pure functions)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnergyBalance:
    """PV against a load, per step and in total.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``pv_kw``, ``load_kw``, ``self_kw``, ``export_kw``, ``import_kw`` [kW, step means].
    step_hours : float
    """

    frame: pd.DataFrame
    step_hours: float

    def total(self, column: str) -> float:
        """Energy of a column over the series [kWh]."""
        return float(self.frame[column].sum() * self.step_hours)

    def to_dict(self) -> dict[str, Any]:
        """Totals [kWh] and ratios."""
        pv, load, own = self.total("pv_kw"), self.total("load_kw"), self.total("self_kw")
        return jsonable(
            {
                "pv_kwh": pv,
                "load_kwh": load,
                "self_consumed_kwh": own,
                "exported_kwh": self.total("export_kw"),
                "imported_kwh": self.total("import_kw"),
                "self_consumption_ratio": own / pv if pv > 0 else None,
                "self_sufficiency_ratio": own / load if load > 0 else None,
            }
        )


def energy_balance(pv_kw: pd.Series, load_kw: pd.Series | None, step_hours: float = 1.0) -> EnergyBalance:
    """Self-consumption ``min(pv, load)``, export ``pv - self``, import ``load - self`` per step.

    With no load, everything is exported. ``pv = self + export`` and ``load = self + import``
    hold in every step.
    """
    pv = pv_kw.to_numpy(dtype=float)
    load = np.zeros_like(pv) if load_kw is None else np.asarray(load_kw, dtype=float)
    if load.shape != pv.shape:
        raise PvError(f"load has {load.size} steps, PV has {pv.size}; give one value per weather step")
    if (~np.isfinite(load) | (load < 0)).any():
        raise PvError("load: values must be non-negative numbers")
    own = np.minimum(pv, load)
    frame = pd.DataFrame(
        {"pv_kw": pv, "load_kw": load, "self_kw": own, "export_kw": pv - own, "import_kw": load - own},
        index=pv_kw.index,
    )
    return EnergyBalance(frame, step_hours)


def _discount(rate: float, years: int) -> np.ndarray:
    return (1.0 + rate) ** -np.arange(1, years + 1, dtype=float)


def npv(capex: float, cash_flows: Sequence[float] | np.ndarray, rate: float) -> float:
    """``-capex + sum_y CF_y (1+r)^-y`` for years y = 1..N [currency]."""
    cf = np.asarray(cash_flows, dtype=float)
    return float(-capex + (cf * _discount(rate, len(cf))).sum())


def lcoe(capex: float, om_per_year: float, energy_year1: float, degradation: float, years: int, rate: float) -> float:
    """Levelised cost ``(C + sum_y M v^y) / sum_y E_1 (1-d)^(y-1) v^y``, ``v = 1/(1+r)`` [currency/kWh]."""
    v = _discount(rate, years)
    energy = energy_year1 * (1.0 - degradation) ** np.arange(years, dtype=float)
    denom = float((energy * v).sum())
    if denom <= 0:
        return float("nan")
    return float((capex + om_per_year * v.sum()) / denom)


def simple_payback(capex: float, first_year_net: float) -> float | None:
    """``capex / first-year net cash flow`` [yr]; None when the flow is not positive."""
    if first_year_net <= 0:
        return None
    return capex / first_year_net


@dataclass(frozen=True)
class PvFinance:
    """Cost and finance assumptions (defaults: ``data/pv_defaults.yaml``).

    Attributes
    ----------
    capex_per_wp : float, optional
        Installed cost [yuan/Wp]; None takes the shipped value of the mounting.
    om_per_wp_year : float
        [yuan/Wp/yr]
    degradation : float
        Output loss per year [1/yr].
    lifetime_years : int
    discount_rate : float
        [1/yr]
    feed_in_price : float, optional
        [yuan/kWh]; None takes the tariff's.
    """

    capex_per_wp: float | None = None
    om_per_wp_year: float = field(default_factory=lambda: float(pv_defaults()["finance"]["om_yuan_per_wp_year"]))
    degradation: float = field(default_factory=lambda: float(pv_defaults()["finance"]["degradation_per_year"]))
    lifetime_years: int = field(default_factory=lambda: int(pv_defaults()["finance"]["lifetime_years"]))
    discount_rate: float = field(default_factory=lambda: float(pv_defaults()["finance"]["discount_rate"]))
    feed_in_price: float | None = None

    def capex_for(self, mounting: Mounting) -> float:
        """Installed cost of the mounting [yuan/Wp]."""
        if self.capex_per_wp is not None:
            return self.capex_per_wp
        return float(pv_defaults()["finance"]["capex_yuan_per_wp"][mounting.value])


# --------------------------------------------------------------------------------------------
# Grid factor
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridFactor:
    """Grid electricity emission factor as the inventory engine resolves it.

    Attributes
    ----------
    t_per_mwh : float
        CO2e per MWh of grid electricity [t/MWh] (= kg/kWh).
    factor_ids : str
        Ids of the factors used (``;``-separated).
    region : str
    year : int
    warnings : tuple of str
    """

    t_per_mwh: float
    factor_ids: str
    region: str
    year: int
    warnings: tuple[str, ...] = ()


def grid_factor(region: str = "CN-JS", year: int = 2024, *, library: Any = None, gpc_ref: str = "I.2.2") -> GridFactor:
    """Resolve ``electricity_grid`` through the inventory engine (one record of 1 MWh).

    Parameters
    ----------
    region : str
        Region code (``CN-JS``), searched up the library's region chain.
    year : int
        Inventory year; the nearest factor year is used when none covers it (see ``warnings``).
    library : FactorLibrary, optional
        Default: the shipped library.
    gpc_ref : str
        GPC reference of the record (commercial buildings' grid electricity by default; power
        plants' own use, ``I.4.2``, resolves ETS factors instead).
    """
    from zerocity.inventory.engine import compute_inventory

    rows = pd.DataFrame(
        {
            "record_id": ["pv-grid-factor"],
            "year": [year],
            "gpc_ref": [gpc_ref],
            "activity": ["electricity_grid"],
            "amount": [1.0],
            "unit": ["MWh"],
            "region": [region],
        }
    )
    result = compute_inventory(rows, library=library, region=region, source="pv grid factor")
    e = result.emissions
    ids = ";".join(sorted({i for s in e["factor_ids"].astype(str) for i in s.split(";") if i}))
    warnings = tuple(str(w) for w in getattr(result, "warnings", []) or [])
    return GridFactor(float(e["tco2e"].sum()), ids, region, year, warnings)


# --------------------------------------------------------------------------------------------
# One project
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PvEstimate:
    """Yield, balance, revenue, economics and avoided CO2 of a set of roofs.

    Attributes
    ----------
    roofs : pandas.DataFrame
        ``roof_id``, ``area_m2``, ``usable_fraction``, ``tilt``, ``azimuth``, ``kwp``, ``kwh``.
    design : PvDesign
    weather_source : str
    balance : EnergyBalance
    annual_kwh : float
        Year-1 AC energy, scaled to a year [kWh/yr].
    revenue_year1 : float
        Value of self-consumption at the retail price plus exports at the feed-in price [yuan/yr].
    self_consumption_value, export_value : float
        The two parts of the revenue [yuan/yr].
    capex, om_per_year : float
        [yuan], [yuan/yr]
    npv, lcoe : float
        [yuan], [yuan/kWh]
    payback_years : float or None
    finance : PvFinance
    feed_in_price : float
    grid : GridFactor
    tariff_id : str
    """

    roofs: pd.DataFrame
    design: PvDesign
    weather_source: str
    balance: EnergyBalance
    annual_kwh: float
    revenue_year1: float
    self_consumption_value: float
    export_value: float
    capex: float
    om_per_year: float
    npv: float
    lcoe: float
    payback_years: float | None
    finance: PvFinance
    feed_in_price: float
    grid: GridFactor
    tariff_id: str

    @property
    def kwp(self) -> float:
        """Total array rating [kWp]."""
        return float(self.roofs["kwp"].sum())

    @property
    def specific_yield(self) -> float:
        """Annual AC energy per kWp [kWh/kWp/yr]."""
        return self.annual_kwh / self.kwp if self.kwp > 0 else float("nan")

    @property
    def avoided_tco2(self) -> float:
        """Year-1 energy x grid factor [t CO2e/yr]."""
        return self.annual_kwh / 1000.0 * self.grid.t_per_mwh

    def monthly_kwh(self) -> pd.Series:
        """AC energy by calendar month [kWh]."""
        pv = self.balance.frame["pv_kw"] * self.balance.step_hours
        return pv.groupby(pv.index.month).sum()

    def to_dict(self, *, hourly: bool = False) -> dict[str, Any]:
        """JSON contract (add ``hourly=True`` for the hourly balance)."""
        doc: dict[str, Any] = {
            "kwp": self.kwp,
            "annual_kwh": self.annual_kwh,
            "specific_yield_kwh_per_kwp": self.specific_yield,
            "monthly_kwh": {int(k): float(v) for k, v in self.monthly_kwh().items()},
            "balance": self.balance.to_dict(),
            "revenue_year1": self.revenue_year1,
            "self_consumption_value": self.self_consumption_value,
            "export_value": self.export_value,
            "feed_in_price": self.feed_in_price,
            "tariff": self.tariff_id,
            "capex": self.capex,
            "capex_per_wp": self.finance.capex_for(self.design.mounting),
            "om_per_year": self.om_per_year,
            "npv": self.npv,
            "lcoe": self.lcoe,
            "simple_payback_years": self.payback_years,
            "finance": self.finance.__dict__,
            "avoided_tco2_per_year": self.avoided_tco2,
            "grid_factor": {
                "t_per_mwh": self.grid.t_per_mwh,
                "factor_ids": self.grid.factor_ids,
                "region": self.grid.region,
                "year": self.grid.year,
                "warnings": list(self.grid.warnings),
            },
            "design": self.design.to_dict(),
            "weather": self.weather_source,
            "roofs": self.roofs.to_dict(orient="records"),
        }
        if hourly:
            frame = self.balance.frame.reset_index(names="time")
            frame["time"] = frame["time"].astype(str)
            doc["hourly"] = frame.to_dict(orient="list")
        return jsonable(doc)


def estimate(
    roofs: Sequence[Roof],
    weather: Weather,
    *,
    design: PvDesign | None = None,
    load_kw: pd.Series | np.ndarray | None = None,
    tariff: Tariff | None = None,
    finance: PvFinance | None = None,
    grid: GridFactor | None = None,
) -> PvEstimate:
    """Estimate rooftop PV on ``roofs`` (one inverter design, one weather year).

    Parameters
    ----------
    roofs : sequence of Roof
    weather : Weather
    design : PvDesign, optional
        Default ``PvDesign.default()`` (BAPV).
    load_kw : pandas.Series or array, optional
        Site load, one value per weather step [kW]; None: all PV is exported.
    tariff : Tariff, optional
        Retail prices (self-consumption value) and feed-in price; default the shipped Jiangsu
        example (:func:`zerocity.energy.storage.load_tariff`).
    finance : PvFinance, optional
    grid : GridFactor, optional
        Default ``grid_factor()`` (CN-JS, 2024).

    Returns
    -------
    PvEstimate
    """
    if not roofs:
        raise PvError("no roofs given")
    design = design or PvDesign.default()
    tariff = tariff or load_tariff()
    finance = finance or PvFinance()
    grid = grid or grid_factor()
    dt = weather.step_hours
    kwp = np.array([float(kwp_of(r.area_m2, r.usable_fraction, design.module)) for r in roofs])
    per_kwp: dict[tuple[float, float], pd.Series] = {}
    total = pd.Series(0.0, index=weather.data.index)
    kwh = np.zeros(len(roofs))
    for i, r in enumerate(roofs):
        key = (r.tilt, r.azimuth)
        if key not in per_kwp:
            per_kwp[key] = ac_per_kwp(weather, r.tilt, r.azimuth, design)
        total = total + per_kwp[key] * kwp[i]
        kwh[i] = float(per_kwp[key].sum() * dt * kwp[i])
    balance = energy_balance(total.rename("pv_kw"), None if load_kw is None else np.asarray(load_kw, dtype=float), dt)
    year_scale = HOURS_PER_YEAR / (len(total) * dt)
    prices = tariff.energy_prices(pd.DatetimeIndex(weather.data.index))
    feed_in = tariff.feed_in_price if finance.feed_in_price is None else finance.feed_in_price
    f = balance.frame
    own_value = float((f["self_kw"].to_numpy() * prices).sum() * dt * year_scale)
    export_value = float(f["export_kw"].sum() * dt * feed_in * year_scale)
    annual_kwh = balance.total("pv_kw") * year_scale
    capex = finance.capex_for(design.mounting) * kwp.sum() * 1000.0
    om = finance.om_per_wp_year * kwp.sum() * 1000.0
    revenue = own_value + export_value
    years = int(finance.lifetime_years)
    flows = revenue * (1.0 - finance.degradation) ** np.arange(years) - om
    table = pd.DataFrame(
        {
            "roof_id": [r.id for r in roofs],
            "area_m2": [r.area_m2 for r in roofs],
            "usable_fraction": [r.usable_fraction for r in roofs],
            "tilt": [r.tilt for r in roofs],
            "azimuth": [r.azimuth for r in roofs],
            "kwp": kwp,
            "kwh": kwh * year_scale,
        }
    )
    return PvEstimate(
        roofs=table,
        design=design,
        weather_source=weather.source,
        balance=balance,
        annual_kwh=annual_kwh,
        revenue_year1=revenue,
        self_consumption_value=own_value,
        export_value=export_value,
        capex=capex,
        om_per_year=om,
        npv=npv(capex, flows, finance.discount_rate),
        lcoe=lcoe(capex, om, annual_kwh, finance.degradation, years, finance.discount_rate),
        payback_years=simple_payback(capex, float(flows[0])),
        finance=finance,
        feed_in_price=feed_in,
        grid=grid,
        tariff_id=tariff.id,
    )


# --------------------------------------------------------------------------------------------
# City scale
# --------------------------------------------------------------------------------------------

ROOF_COLUMNS = ("roof_id", "district", "area_m2", "usable_fraction", "tilt", "azimuth", "mounting")
"""Required columns of a roof table for :func:`city_potential` (``module`` is optional)."""


@dataclass(frozen=True)
class CityPotential:
    """Rooftop PV potential of many roofs.

    Attributes
    ----------
    roofs : pandas.DataFrame
        The input roofs plus ``module``, ``kwp``, ``kwh_per_kwp``, ``kwh``, ``tco2``.
    classes : int
        Distinct (tilt, azimuth, mounting, module) classes, i.e. pvlib runs.
    grid : GridFactor
    weather_source : str
    seconds : float
        Wall time of the run [s].
    """

    roofs: pd.DataFrame
    classes: int
    grid: GridFactor
    weather_source: str
    seconds: float

    def by(self, column: str = "district") -> pd.DataFrame:
        """Roofs, kWp, MWh/yr and avoided t CO2e/yr by ``column``."""
        g = self.roofs.groupby(column, sort=True, observed=True)
        out = pd.DataFrame(
            {
                "roofs": g.size(),
                "kwp": g["kwp"].sum(),
                "mwh_per_year": g["kwh"].sum() / 1000.0,
                "tco2_per_year": g["tco2"].sum(),
            }
        )
        out["specific_yield"] = out["mwh_per_year"] * 1000.0 / out["kwp"]
        return out.reset_index()

    def totals(self) -> dict[str, float]:
        """City totals: roofs, kWp, MWh/yr, t CO2e/yr, mean specific yield [kWh/kWp]."""
        kwp = float(self.roofs["kwp"].sum())
        kwh = float(self.roofs["kwh"].sum())
        return {
            "roofs": len(self.roofs),
            "kwp": kwp,
            "mwh_per_year": kwh / 1000.0,
            "tco2_per_year": float(self.roofs["tco2"].sum()),
            "specific_yield": kwh / kwp if kwp > 0 else float("nan"),
        }

    def to_dict(self, by: str = "district") -> dict[str, Any]:
        """JSON contract: totals, breakdown, grid factor, run facts."""
        return jsonable(
            {
                "totals": self.totals(),
                "by": by,
                "breakdown": self.by(by).to_dict(orient="records"),
                "by_kind": self.by("kind").to_dict(orient="records") if "kind" in self.roofs else None,
                "grid_factor": {
                    "t_per_mwh": self.grid.t_per_mwh,
                    "factor_ids": self.grid.factor_ids,
                    "region": self.grid.region,
                    "year": self.grid.year,
                    "warnings": list(self.grid.warnings),
                },
                "classes": self.classes,
                "weather": self.weather_source,
                "seconds": self.seconds,
            }
        )


def city_potential(
    roofs: pd.DataFrame,
    weather: Weather,
    *,
    grid: GridFactor | None = None,
    designs: dict[Mounting, PvDesign] | None = None,
    progress: Callable[[str], None] | None = None,
) -> CityPotential:
    """Yield and avoided CO2 of every roof, one pvlib run per orientation class.

    Roofs sharing (tilt, azimuth, mounting, module) share the AC output per kWp, so pvlib runs
    once per class and each roof's energy is ``kWp x kWh/kWp`` of its class (vectorised).

    Parameters
    ----------
    roofs : pandas.DataFrame
        :data:`ROOF_COLUMNS`, optionally ``module`` (a module id; default: the mounting's).
    weather : Weather
    grid : GridFactor, optional
    designs : dict of Mounting to PvDesign, optional
        Default ``PvDesign.default(mounting)`` for each mounting present.
    progress : callable, optional
        Called with a description before each class.
    """
    started = time.perf_counter()
    missing = [c for c in ROOF_COLUMNS if c not in roofs.columns]
    if missing:
        raise PvError(f"roof table lacks columns {missing}; expected {list(ROOF_COLUMNS)}")
    frame = roofs.copy()
    try:
        frame["mounting"] = [Mounting(str(m).lower()).value for m in frame["mounting"]]
    except ValueError as exc:
        raise PvError(f"roof table, column 'mounting': {exc}; expected bapv or bipv") from None
    for col in ("area_m2", "usable_fraction", "tilt", "azimuth"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    bad = frame[
        frame[["area_m2", "usable_fraction", "tilt", "azimuth"]].isna().any(axis=1)
        | (frame["area_m2"] < 0)
        | ~frame["usable_fraction"].between(0, 1)
        | ~frame["tilt"].between(0, 90)
        | ~frame["azimuth"].between(0, 360)
    ]
    if len(bad):
        first = bad.iloc[0]
        raise PvError(
            f"roof table: {len(bad)} row(s) with area < 0, usable fraction outside 0-1, tilt outside 0-90 or "
            f"azimuth outside 0-360; first roof {first['roof_id']!r}"
        )
    grid = grid or grid_factor()
    designs = dict(designs or {})
    for mount in {Mounting(m) for m in frame["mounting"].unique()}:
        designs.setdefault(mount, PvDesign.default(mount))
    if "module" not in frame.columns:
        frame["module"] = ""
    frame["module"] = [
        str(mod) if isinstance(mod, str) and mod else designs[Mounting(m)].module.id
        for mod, m in zip(frame["module"], frame["mounting"], strict=True)
    ]
    modules = load_modules()
    density = frame["module"].map(lambda k: _choice(modules, k, "module").power_density_w_m2)
    frame["kwp"] = frame["area_m2"] * frame["usable_fraction"] * density / 1000.0
    keys = ["tilt", "azimuth", "mounting", "module"]
    classes = frame[keys].drop_duplicates().reset_index(drop=True)
    dt = weather.step_hours
    year_scale = HOURS_PER_YEAR / (len(weather.data) * dt)
    yields = np.empty(len(classes))
    for i, row in enumerate(classes.itertuples(index=False)):
        if progress is not None:
            progress(f"class {i + 1}/{len(classes)}: tilt {row.tilt:g}, azimuth {row.azimuth:g}, {row.mounting}")
        base = designs[Mounting(row.mounting)]
        design = base if base.module.id == row.module else _with_module(base, modules[row.module])
        yields[i] = float(ac_per_kwp(weather, row.tilt, row.azimuth, design).sum() * dt * year_scale)
    classes["kwh_per_kwp"] = yields
    frame = frame.merge(classes, on=keys, how="left", validate="many_to_one")
    frame["kwh"] = frame["kwp"] * frame["kwh_per_kwp"]
    frame["tco2"] = frame["kwh"] / 1000.0 * grid.t_per_mwh
    seconds = time.perf_counter() - started
    log.info("city PV: %d roofs, %d classes in %.2f s", len(frame), len(classes), seconds)
    return CityPotential(frame, len(classes), grid, weather.source, seconds)


def _with_module(design: PvDesign, module: Module) -> PvDesign:
    from dataclasses import replace

    return replace(design, module=module)
