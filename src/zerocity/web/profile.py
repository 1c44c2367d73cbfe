"""A city's profile: what the dashboard needs beside the stored inventory.

The inventory gives emissions; the pages also need population and GDP (intensities), the
districts' GeoJSON (the map), the target path and the sink estimates (net balance). They are
kept per tenant in one JSON file, ``<data_dir>/web/<slug>/profile.json``, written by whoever
loads the city's data (:func:`zerocity.demo.tenant.load_demo_tenant` for Demo City).

The city's roofs (the rooftop PV potential of the Actions page) are a table of their own,
``<data_dir>/web/<slug>/roofs.csv`` (:func:`save_roofs`, :func:`load_roofs`): tens of thousands
of rows that only that page reads.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from zerocity.errors import ZerocityError
from zerocity.service.settings import Settings
from zerocity.service.tenancy import validate_slug

__all__ = [
    "PROFILE_VERSION",
    "ROOF_TABLE_COLUMNS",
    "CityProfile",
    "ProfileError",
    "RoofTable",
    "load_profile",
    "load_roofs",
    "profile_path",
    "roofs_path",
    "save_profile",
    "save_roofs",
]

logger = logging.getLogger(__name__)

#: Version of the profile file layout.
PROFILE_VERSION = 1


class ProfileError(ZerocityError, ValueError):
    """A profile file that cannot be read (wrong version, missing fields)."""

    code = "profile"


@dataclass
class CityProfile:
    """Data of a city the dashboard shows beside its inventory.

    Attributes
    ----------
    name, name_zh : str
        Name of the city in English and Chinese.
    region : str
        ISO 3166-2 region of the city.
    inventory_id : int
        The stored city inventory the pages show.
    statistics : pandas.DataFrame
        ``year``, ``population`` [persons], ``gdp`` [10^4 yuan]; optionally ``gdp_secondary``
        [10^4 yuan] and ``energy_total_tce`` [tce] (the Kaya decomposition and the peak forecast).
    districts : dict
        GeoJSON FeatureCollection; properties ``code``, ``name_en``, ``name_zh``, ``population_share``.
    target : pandas.DataFrame
        Target path, ``year`` and ``value`` [t CO2e].
    sinks : dict of str to pandas.DataFrame
        Sink estimates counted in the net balance, ``year``, ``district``, ``tco2e`` (negative:
        removal) [t CO2e].
    utc_offset_h : float
        Offset of the city's local time from UTC [h] (the live view's day).
    scenario_model : dict or None
        The city's scenario model (the YAML schema of :mod:`zerocity.brain.scenario.model`).
    household_usage : dict
        Household id -> annual use of the household users' homes (columns of
        :data:`zerocity.accounts.household.FOOTPRINT_DEFAULTS`, e.g. ``electricity_kwh`` [kWh]).
    household_average_kg : float or None
        The city's average household footprint of the same columns [kg CO2e per year].
    energy_system : dict or None
        An energy system to plan (the schema of :func:`zerocity.energy.system.load_system`).
    buildings : pandas.DataFrame or None
        Public buildings to benchmark (columns of :func:`zerocity.actions.buildings.read_buildings`).
    annual_ghi_kwh_m2 : float or None
        Annual global horizontal irradiation of the city [kWh/m2/yr], which scales the clear-sky
        year of the PV pages; None: the shipped assumed value
        (``zerocity.energy.pv.pv_defaults()['weather']['demo_annual_ghi_kwh_m2']``).
    """

    name: str
    name_zh: str
    region: str
    inventory_id: int
    statistics: pd.DataFrame
    districts: dict[str, Any]
    target: pd.DataFrame
    sinks: dict[str, pd.DataFrame] = field(default_factory=dict)
    utc_offset_h: float = 0.0
    scenario_model: dict[str, Any] | None = None
    household_usage: dict[str, dict[str, float]] = field(default_factory=dict)
    household_average_kg: float | None = None
    energy_system: dict[str, Any] | None = None
    buildings: pd.DataFrame | None = None
    annual_ghi_kwh_m2: float | None = None

    def display_name(self, lang: str) -> str:
        """The city's name in a language (``zh``: Chinese)."""
        return self.name_zh if lang == "zh" and self.name_zh else self.name

    def district_names(self, lang: str) -> dict[str, str]:
        """District code -> name in a language."""
        key = "name_zh" if lang == "zh" else "name_en"
        return {
            str(f["properties"]["code"]): str(f["properties"].get(key) or f["properties"]["code"])
            for f in self.districts.get("features", [])
        }

    def population_shares(self) -> dict[str, float]:
        """District code -> share of the city's population [unitless]."""
        return {
            str(f["properties"]["code"]): float(f["properties"].get("population_share") or 0.0)
            for f in self.districts.get("features", [])
        }


def _statistics(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    missing = [c for c in ("year", "population", "gdp") if c not in frame.columns]
    if missing:
        raise ProfileError(f"profile statistics lack {', '.join(missing)}")
    return frame


def profile_path(settings: Settings, slug: str) -> Path:
    """The profile file of a tenant."""
    return Path(settings.data_dir) / "web" / validate_slug(slug) / "profile.json"


def save_profile(settings: Settings, slug: str, profile: CityProfile) -> Path:
    """Write a tenant's profile (replacing the previous one atomically)."""
    path = profile_path(settings, slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "version": PROFILE_VERSION,
        "name": profile.name,
        "name_zh": profile.name_zh,
        "region": profile.region,
        "inventory_id": int(profile.inventory_id),
        "statistics": profile.statistics.to_dict("records"),
        "districts": profile.districts,
        "target": profile.target.to_dict("records"),
        "sinks": {name: frame.to_dict("records") for name, frame in profile.sinks.items()},
        "utc_offset_h": float(profile.utc_offset_h),
        "scenario_model": profile.scenario_model,
        "household_usage": profile.household_usage,
        "household_average_kg": profile.household_average_kg,
        "energy_system": profile.energy_system,
        "buildings": None if profile.buildings is None else profile.buildings.to_dict("records"),
        "annual_ghi_kwh_m2": profile.annual_ghi_kwh_m2,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    logger.info("wrote the city profile of %r to %s", slug, path)
    return path


def load_profile(settings: Settings, slug: str) -> CityProfile | None:
    """A tenant's profile, or None when it has none.

    Raises
    ------
    ProfileError
        A file of another version or with missing fields.
    """
    path = profile_path(settings, slug)
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("version") != PROFILE_VERSION:
        raise ProfileError(f"{path}: profile version {doc.get('version')!r}, expected {PROFILE_VERSION}")
    try:
        return CityProfile(
            name=str(doc["name"]),
            name_zh=str(doc.get("name_zh") or doc["name"]),
            region=str(doc["region"]),
            inventory_id=int(doc["inventory_id"]),
            statistics=_statistics(doc["statistics"]),
            districts=dict(doc["districts"]),
            target=pd.DataFrame(doc["target"], columns=["year", "value"]),
            sinks={
                name: pd.DataFrame(rows, columns=["year", "district", "tco2e"])
                for name, rows in (doc.get("sinks") or {}).items()
            },
            utc_offset_h=float(doc.get("utc_offset_h") or 0.0),
            scenario_model=doc.get("scenario_model"),
            household_usage={str(k): dict(v) for k, v in (doc.get("household_usage") or {}).items()},
            household_average_kg=doc.get("household_average_kg"),
            energy_system=doc.get("energy_system"),
            buildings=None if doc.get("buildings") is None else pd.DataFrame(doc["buildings"]),
            annual_ghi_kwh_m2=None if doc.get("annual_ghi_kwh_m2") is None else float(doc["annual_ghi_kwh_m2"]),
        )
    except KeyError as exc:
        raise ProfileError(f"{path}: missing field {exc}") from None


#: Columns a roof table must have (those of :func:`zerocity.energy.pv.city_potential`; ``district``
#: is the district code of the profile's GeoJSON). ``kind``, ``lon``, ``lat`` and ``module`` are optional.
ROOF_TABLE_COLUMNS = ("roof_id", "district", "area_m2", "usable_fraction", "tilt", "azimuth", "mounting")


@dataclass(frozen=True)
class RoofTable:
    """A tenant's roofs and the SHA-256 of their file (what identifies the PV results computed from them)."""

    frame: pd.DataFrame
    sha256: str


_ROOFS: dict[tuple[str, int, int], RoofTable] = {}
_ROOFS_LOCK = threading.Lock()


def roofs_path(settings: Settings, slug: str) -> Path:
    """The roof table of a tenant: ``<data dir>/web/<slug>/roofs.csv``."""
    return Path(settings.data_dir) / "web" / validate_slug(slug) / "roofs.csv"


def save_roofs(settings: Settings, slug: str, roofs: pd.DataFrame) -> Path:
    """Write a tenant's roof table (CSV, replacing the previous one atomically).

    Parameters
    ----------
    roofs : pandas.DataFrame
        One row per roof with :data:`ROOF_TABLE_COLUMNS` (as :func:`zerocity.demo.roofs.demo_roofs`
        gives): ``area_m2`` [m2], ``usable_fraction`` [unitless], ``tilt`` and ``azimuth`` [deg],
        ``mounting`` (``bapv``/``bipv``).

    Raises
    ------
    ProfileError
        Missing columns.
    """
    missing = [c for c in ROOF_TABLE_COLUMNS if c not in roofs.columns]
    if missing:
        raise ProfileError(
            f"roof table of {slug!r} lacks column(s) {', '.join(missing)}; expected {ROOF_TABLE_COLUMNS}"
        )
    path = roofs_path(settings, slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    roofs.to_csv(tmp, index=False)
    tmp.replace(path)
    logger.info("wrote %d roofs of %r to %s", len(roofs), slug, path)
    return path


def load_roofs(settings: Settings, slug: str) -> RoofTable | None:
    """A tenant's roof table (read once per version of the file), or None when it has none.

    Raises
    ------
    ProfileError
        A file without the columns of :data:`ROOF_TABLE_COLUMNS`.
    """
    path = roofs_path(settings, slug)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _ROOFS_LOCK:
        found = _ROOFS.get(key)
    if found is not None:
        return found
    body = path.read_bytes()
    frame = pd.read_csv(io.BytesIO(body), dtype={"roof_id": str, "district": str, "source_id": str})
    missing = [c for c in ROOF_TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise ProfileError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(ROOF_TABLE_COLUMNS)}")
    table = RoofTable(frame, hashlib.sha256(body).hexdigest())
    with _ROOFS_LOCK:
        for old in [k for k in _ROOFS if k[0] == key[0]]:
            del _ROOFS[old]
        _ROOFS[key] = table
    return table
