"""Demo City roofs for the city-scale PV run (``zerocity pv city --demo``).

Three kinds of roofs, drawn from their own random stream (``SeedSequence(seed, spawn_key=(100,))``,
independent of the eight streams of :func:`zerocity.demo.build_demo_city`), so adding roofs
changes no other Demo City table:

- **public**: one roof per public building of ``city.buildings`` (600). Roof area = floor area /
  storeys, storeys drawn around a typical number per building type (:data:`PUBLIC_STOREYS`,
  ASSUMED); flat roofs with racked modules; 10 % BIPV (ASSUMED).
- **industrial**: one roof per enterprise still open in 2024 (``city.enterprises``). Roof area =
  land area x building coverage, coverage uniform in 0.35-0.55 (ASSUMED; China's industrial land
  rules ask for at least 0.30: 国土资源部《工业项目建设用地控制指标》国土资发〔2008〕24号, 建筑系数);
  low-pitch steel roofs with modules laid flat on them (tilt 5 deg). Heavy-industry roofs (melt
  shops, kilns: heat, dust, weak or crowded roofs) take a lower usable fraction.
- **residential**: apartment blocks, ``households / 60`` of them (60 households per block,
  ASSUMED), spread over districts by population share; footprint lognormal with median 600 m2
  (ASSUMED); flat roofs with racked modules.

Every roof gets a location drawn uniformly inside its district's polygon (``city.districts``,
EPSG:4326), an orientation class (tilt, azimuth) and a usable fraction (:data:`USABLE_FRACTION`,
ASSUMED). A few orientation classes keep the city run to a few dozen pvlib runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from zerocity.demo.generator import DEFAULT_SEED, DemoCity

__all__ = [
    "HOUSEHOLDS_PER_BLOCK",
    "MU_M2",
    "PUBLIC_STOREYS",
    "ROOF_SPAWN_KEY",
    "USABLE_FRACTION",
    "demo_roofs",
    "demo_weather",
    "points_in_polygon",
]

ROOF_SPAWN_KEY = 100
"""Spawn key of the roofs' random stream (children 0-7 are the generator's)."""

MU_M2 = 10_000.0 / 15.0
"""One mu (亩) [m2]."""

#: Typical storeys of public buildings by type. ASSUMED.
PUBLIC_STOREYS: dict[str, float] = {"office": 10.0, "school": 4.0, "hospital": 7.0, "hotel": 12.0, "mall": 4.0}

#: Share of the roof area covered by modules, by roof kind (setbacks, equipment, row spacing of
#: racked arrays, shading). ASSUMED.
USABLE_FRACTION: dict[str, float] = {"public": 0.45, "industrial": 0.5, "heavy_industry": 0.3, "residential": 0.35}

HOUSEHOLDS_PER_BLOCK = 60.0
"""Households per residential block. ASSUMED."""

MEAN_HOUSEHOLD_SIZE = 2.51
"""Persons per household (as in :mod:`zerocity.demo.generator`, 2020 census)."""

_RACKED_TILTS = (np.array([10.0, 20.0, 25.0]), np.array([0.3, 0.4, 0.3]))
_RACKED_AZIMUTHS = (np.array([157.5, 180.0, 202.5]), np.array([0.2, 0.6, 0.2]))
_INDUSTRIAL_AZIMUTHS = (np.array([90.0, 180.0, 270.0]), np.array([0.25, 0.5, 0.25]))


def points_in_polygon(x: np.ndarray, y: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Even-odd ray casting: which points (x, y) lie inside the closed ring (vectorised)."""
    inside = np.zeros(len(x), dtype=bool)
    xs, ys = ring[:, 0], ring[:, 1]
    for i in range(len(ring) - 1):
        x1, y1, x2, y2 = xs[i], ys[i], xs[i + 1], ys[i + 1]
        crosses = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (x < x_at)
    return inside


def _sample_points(rng: np.random.Generator, ring: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    while got < n:
        batch = max(2 * (n - got), 16)
        x = rng.uniform(lo[0], hi[0], batch)
        y = rng.uniform(lo[1], hi[1], batch)
        keep = points_in_polygon(x, y, ring)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _locate(rng: np.random.Generator, districts: dict[str, Any], codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.empty(len(codes))
    lat = np.empty(len(codes))
    for feature in districts["features"]:
        code = feature["properties"]["code"]
        rows = np.flatnonzero(codes == code)
        if rows.size:
            ring = np.asarray(feature["geometry"]["coordinates"][0], dtype=float)
            lon[rows], lat[rows] = _sample_points(rng, ring, rows.size)
    return np.round(lon, 6), np.round(lat, 6)


def _draw(rng: np.random.Generator, choices: tuple[np.ndarray, np.ndarray], n: int) -> np.ndarray:
    values, probs = choices
    return values[rng.choice(len(values), size=n, p=probs)]


def demo_roofs(city: DemoCity | None = None, *, seed: int | None = None) -> pd.DataFrame:
    """All Demo City roofs (public, industrial, residential), deterministic for a seed.

    Parameters
    ----------
    city : DemoCity, optional
        Default ``build_demo_city(seed)``.
    seed : int, optional
        Seed of the roofs' stream; default the city's seed.

    Returns
    -------
    pandas.DataFrame
        ``roof_id``, ``kind``, ``source_id`` (building id or USCC), ``district``, ``lon``,
        ``lat`` [deg], ``area_m2`` [m2], ``usable_fraction`` [unitless], ``tilt``, ``azimuth``
        [deg], ``mounting`` (``bapv`` / ``bipv``).
    """
    if city is None:
        from zerocity.demo.generator import build_demo_city

        city = build_demo_city(DEFAULT_SEED if seed is None else seed)
    rng = np.random.default_rng(
        np.random.SeedSequence(city.seed if seed is None else seed, spawn_key=(ROOF_SPAWN_KEY,))
    )
    parts = [_public(rng, city), _industrial(rng, city), _residential(rng, city)]
    roofs = pd.concat(parts, ignore_index=True)
    roofs["lon"], roofs["lat"] = _locate(rng, city.districts, roofs["district"].to_numpy())
    columns = [
        "roof_id",
        "kind",
        "source_id",
        "district",
        "lon",
        "lat",
        "area_m2",
        "usable_fraction",
        "tilt",
        "azimuth",
        "mounting",
    ]
    return roofs[columns]


def _public(rng: np.random.Generator, city: DemoCity) -> pd.DataFrame:
    b = city.buildings
    n = len(b)
    storeys = np.maximum(1.0, np.round(b["type"].map(PUBLIC_STOREYS).to_numpy(float) * rng.lognormal(0.0, 0.3, n)))
    return pd.DataFrame(
        {
            "roof_id": "R-" + b["building_id"].astype(str),
            "kind": "public",
            "source_id": b["building_id"].astype(str),
            "district": b["district"].astype(str),
            "area_m2": np.round(b["floor_area_m2"].to_numpy(float) / storeys, 1),
            "usable_fraction": USABLE_FRACTION["public"],
            "tilt": _draw(rng, _RACKED_TILTS, n),
            "azimuth": _draw(rng, _RACKED_AZIMUTHS, n),
            "mounting": np.where(rng.random(n) < 0.10, "bipv", "bapv"),
        }
    )


def _industrial(rng: np.random.Generator, city: DemoCity) -> pd.DataFrame:
    e = city.enterprises
    closed = pd.to_numeric(e["closed_year"], errors="coerce")
    e = e[closed.isna() | (closed > 2024)]
    n = len(e)
    coverage = rng.uniform(0.35, 0.55, n)
    return pd.DataFrame(
        {
            "roof_id": "R-" + e["uscc"].astype(str),
            "kind": "industrial",
            "source_id": e["uscc"].astype(str),
            "district": e["district"].astype(str),
            "area_m2": np.round(e["land_area_mu"].to_numpy(float) * MU_M2 * coverage, 1),
            "usable_fraction": np.where(
                e["group"].astype(str).to_numpy() == "heavy",
                USABLE_FRACTION["heavy_industry"],
                USABLE_FRACTION["industrial"],
            ),
            "tilt": 5.0,
            "azimuth": _draw(rng, _INDUSTRIAL_AZIMUTHS, n),
            "mounting": "bapv",
        }
    )


def _residential(rng: np.random.Generator, city: DemoCity) -> pd.DataFrame:
    population = float(city.statistics["population"].iloc[-1])
    blocks = round(population / MEAN_HOUSEHOLD_SIZE / HOUSEHOLDS_PER_BLOCK)
    codes = np.array([f["properties"]["code"] for f in city.districts["features"]])
    shares = np.array([f["properties"]["population_share"] for f in city.districts["features"]], dtype=float)
    district = codes[rng.choice(len(codes), size=blocks, p=shares / shares.sum())]
    return pd.DataFrame(
        {
            "roof_id": [f"R-RB{i:06d}" for i in range(1, blocks + 1)],
            "kind": "residential",
            "source_id": [f"RB{i:06d}" for i in range(1, blocks + 1)],
            "district": district,
            "area_m2": np.round(600.0 * rng.lognormal(0.0, 0.4, blocks), 1),
            "usable_fraction": USABLE_FRACTION["residential"],
            "tilt": _draw(rng, _RACKED_TILTS, blocks),
            "azimuth": _draw(rng, _RACKED_AZIMUTHS, blocks),
            "mounting": "bapv",
        }
    )


def demo_weather(year: int = 2023) -> Any:
    """Weather of the Demo City runs: clear sky at the city centre scaled to the ASSUMED annual GHI.

    ``pv_defaults()['weather']['demo_annual_ghi_kwh_m2']`` (1,300 kWh/m2, ASSUMED; see
    ``zerocity/energy/data/pv_defaults.yaml``) through one clear-sky index for the whole year.
    """
    from zerocity.energy.pv import DEMO_SITE, clear_sky_weather, pv_defaults

    ghi = float(pv_defaults()["weather"]["demo_annual_ghi_kwh_m2"])
    return clear_sky_weather(DEMO_SITE, year=year, annual_ghi_kwh_m2=ghi)
