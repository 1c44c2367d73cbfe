"""Transport actions: vehicle-stock and trip emissions, EV transition scenarios, charging demand.

* :func:`stock_emissions` - ``vehicles x km/a x consumption/100 km`` gives fuel per row; litres of
  gasoline and diesel become kilograms with the fuel density (the factor library works in mass for
  them); emissions are the fuel pushed through the inventory engine at GPC II.1.1 (on-road, fuel
  combustion) or II.1.2 (grid electricity) for the region and year.
* :func:`trip_emissions` - passenger-km by mode x g CO2e/pkm, given or derived from a vehicle's
  consumption and occupancy.
* :func:`ev_transition` - a path of the share of fossil vehicle-km electrified, with the grid
  factor path (given, or the library's factor of each year), gives emissions per year against the
  same years without electrification.
* :func:`charging_profile` - a 24-hour charging shape scaled to the EV fleet's annual energy.

References
----------
.. [1] WRI, C40, ICLEI (2014), Global Protocol for Community-Scale GHG Emission Inventories (GPC),
   chapter 7 (transportation): fuel sales / vehicle-kilometre approaches.
.. [2] GB 17930 车用汽油 and GB 19147-2013 车用柴油: fuel density ranges (see ``data/vehicles.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zerocity.actions.buildings import ActionInputError, number_column, text_column
from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.unit_factors import unit_emissions

__all__ = [
    "EvResult",
    "EvScenario",
    "Fuel",
    "FuelSpec",
    "StockResult",
    "TripResult",
    "charging_profile",
    "charging_shape",
    "ev_transition",
    "load_ev_scenario",
    "load_fuels",
    "read_stock",
    "read_trips",
    "stock_emissions",
    "trip_emissions",
]

GPC_FUEL = "II.1.1"
GPC_GRID = "II.1.2"


class Fuel(StrEnum):
    """Vehicle fuels."""

    GASOLINE = "gasoline"
    DIESEL = "diesel"
    NATURAL_GAS = "natural_gas"
    LPG = "lpg"
    ELECTRICITY = "electricity"


@dataclass(frozen=True)
class FuelSpec:
    """A fuel's factor-library activity, the unit the library works in, and its density."""

    fuel: Fuel
    activity: str
    library_unit: str
    density_kg_per_l: float | None
    density_source: str

    @property
    def gpc_ref(self) -> str:
        """GPC reference of the fuel's emissions in on-road transport."""
        return GPC_GRID if self.fuel is Fuel.ELECTRICITY else GPC_FUEL


def _vehicles_yaml() -> dict[str, Any]:
    text = resources.files("zerocity.actions").joinpath("data/vehicles.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def load_fuels() -> dict[Fuel, FuelSpec]:
    """The shipped fuel table (``data/vehicles.yaml``)."""
    data = _vehicles_yaml()["fuels"]
    return {
        Fuel(k): FuelSpec(
            Fuel(k),
            v["activity"],
            v["library_unit"],
            v.get("density_kg_per_l"),
            " ".join(str(v.get("density_source", "")).split()),
        )
        for k, v in data.items()
    }


def charging_shape() -> tuple[np.ndarray, str]:
    """The shipped 24-hour charging shape (weights summing to 1) and its source (ASSUMED)."""
    shape = _vehicles_yaml()["charging_shape"]
    w = np.asarray(shape["weights"], dtype=float)
    return w / w.sum(), str(shape["source"])


# consumption unit -> (fuel unit it measures, fuels it fits)
_CONSUMPTION_UNITS: dict[str, tuple[str, set[Fuel]]] = {
    "L/100km": ("L", {Fuel.GASOLINE, Fuel.DIESEL, Fuel.LPG}),
    "kg/100km": ("kg", {Fuel.GASOLINE, Fuel.DIESEL, Fuel.LPG, Fuel.NATURAL_GAS}),
    "m3/100km": ("m3", {Fuel.NATURAL_GAS}),
    "kWh/100km": ("kWh", {Fuel.ELECTRICITY}),
}


def _fuel_per_consumption_unit(fuel: Fuel, unit: str, density: float | None) -> float | None:
    """Library units of fuel per unit of the consumption's numerator (None when it cannot convert)."""
    spec = load_fuels()[fuel]
    measured = _CONSUMPTION_UNITS[unit][0]
    if measured == spec.library_unit:
        return 1.0
    if measured == "L" and spec.library_unit == "kg":
        d = density if density is not None else spec.density_kg_per_l
        return None if d is None else float(d)
    return None


def _read_consumption(
    frame: pd.DataFrame, issues: list[RecordIssue], fuels: list[Fuel | None], *, prefix: str = ""
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Consumption per 100 km, its unit and the conversion to library units, per row."""
    cons = number_column(frame, f"{prefix}consumption", issues, positive=True)
    units = text_column(frame, f"{prefix}consumption_unit", issues)
    density = number_column(frame, "density_kg_per_l", issues, optional=True, positive=True)
    conv = np.full(len(frame), np.nan)
    for i, (fuel, unit) in enumerate(zip(fuels, units, strict=True)):
        if fuel is None or not unit:
            continue
        if unit not in _CONSUMPTION_UNITS:
            issues.append(
                RecordIssue(
                    i + 1, f"{prefix}consumption_unit", f"expected one of {', '.join(_CONSUMPTION_UNITS)}", unit
                )
            )
            continue
        if fuel not in _CONSUMPTION_UNITS[unit][1]:
            issues.append(RecordIssue(i + 1, f"{prefix}consumption_unit", f"{unit} does not measure {fuel}", unit))
            continue
        d = None if np.isnan(density[i]) else float(density[i])
        c = _fuel_per_consumption_unit(fuel, unit, d)
        if c is None:
            issues.append(
                RecordIssue(i + 1, "density_kg_per_l", f"{fuel} in {unit} needs a density (no default for {fuel})", "")
            )
            continue
        conv[i] = c
    return cons, list(units), conv


def _fuels(
    frame: pd.DataFrame, issues: list[RecordIssue], column: str = "fuel", *, required: bool = True
) -> list[Fuel | None]:
    out: list[Fuel | None] = []
    for i, f in enumerate(text_column(frame, column, issues, required=required)):
        try:
            out.append(Fuel(f.lower()) if f else None)
        except ValueError:
            issues.append(RecordIssue(i + 1, column, f"unknown fuel; expected one of {', '.join(Fuel)}", f))
            out.append(None)
    return out


def read_stock(frame: pd.DataFrame, *, source: str = "<stock>") -> pd.DataFrame:
    """Validate a vehicle-stock table.

    Columns: ``vehicle_type``, ``fuel`` (:class:`Fuel`), ``count`` [vehicles], ``km_per_year``
    [km/(vehicle a)], ``consumption`` [per 100 km], ``consumption_unit`` (``L/100km``,
    ``kg/100km``, ``m3/100km``, ``kWh/100km``); optional ``density_kg_per_l`` [kg/L] (overrides
    the shipped density of gasoline and diesel).

    Returns
    -------
    pandas.DataFrame
        The columns above plus ``library_per_unit`` (library units of fuel per unit of the
        consumption's numerator, e.g. kg per L).

    Raises
    ------
    InvalidRecordsError
        Every bad cell (row, column), including a consumption unit that does not fit the fuel.
    """
    issues: list[RecordIssue] = []
    vtype = text_column(frame, "vehicle_type", issues)
    fuels = _fuels(frame, issues)
    count = number_column(frame, "count", issues)
    km = number_column(frame, "km_per_year", issues)
    cons, units, conv = _read_consumption(frame, issues, fuels)
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    return pd.DataFrame(
        {
            "vehicle_type": vtype.to_numpy(),
            "fuel": [str(f) for f in fuels],
            "count": count,
            "km_per_year": km,
            "consumption": cons,
            "consumption_unit": units,
            "library_per_unit": conv,
        }
    )


def _per_unit(fuels: set[Fuel], *, region: str, year: int, library: FactorLibrary | None) -> dict[Fuel, Any]:
    specs = load_fuels()
    order = sorted(fuels)
    units = unit_emissions(
        [(specs[f].gpc_ref, specs[f].activity, specs[f].library_unit) for f in order],
        region=region,
        year=year,
        library=library,
        source="vehicle fuels",
    )
    return dict(zip(order, units, strict=True))


@dataclass
class StockResult:
    """Emissions of a vehicle stock.

    Attributes
    ----------
    table : pandas.DataFrame
        Per row: ``vehicle_km`` [km/a], ``fuel_amount`` and ``fuel_unit`` (library unit per year),
        ``tco2e_per_unit``, ``tco2e`` [t CO2e/a], ``factor_ids``.
    """

    table: pd.DataFrame
    region: str
    year: int

    def by(self, column: str) -> pd.DataFrame:
        """Totals by ``fuel`` or ``vehicle_type``."""
        return self.table.groupby(column, sort=True)[["count", "vehicle_km", "tco2e"]].sum().reset_index()

    @property
    def total_tco2e(self) -> float:
        """All rows [t CO2e/a]."""
        return float(self.table["tco2e"].sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "region": self.region,
            "year": self.year,
            "total_tco2e": self.total_tco2e,
            "by_fuel": self.by("fuel").to_dict("records"),
            "by_vehicle_type": self.by("vehicle_type").to_dict("records"),
            "rows": self.table.to_dict("records"),
        }


def stock_emissions(
    stock: pd.DataFrame,
    *,
    region: str = "CN",
    year: int = 2024,
    library: FactorLibrary | None = None,
    source: str = "<stock>",
) -> StockResult:
    """Annual emissions of a vehicle stock.

    ``F = N x d x c / 100 x k`` [library unit/a] with ``N`` vehicles, ``d`` km/(vehicle a), ``c``
    consumption per 100 km and ``k`` the conversion to the library's unit (density for L -> kg);
    ``E = F x EF`` with ``EF`` one library unit's t CO2e (CO2, CH4, N2O, AR5 GWP).
    """
    s = read_stock(stock, source=source)
    factors = _per_unit({Fuel(f) for f in s["fuel"]}, region=region, year=year, library=library)
    specs = load_fuels()
    table = s.copy()
    table["vehicle_km"] = table["count"] * table["km_per_year"]
    table["fuel_amount"] = table["vehicle_km"] * table["consumption"] / 100.0 * table["library_per_unit"]
    table["fuel_unit"] = [specs[Fuel(f)].library_unit for f in table["fuel"]]
    table["tco2e_per_unit"] = [factors[Fuel(f)].tco2e for f in table["fuel"]]
    table["tco2e"] = table["fuel_amount"] * table["tco2e_per_unit"]
    table["factor_ids"] = [factors[Fuel(f)].factor_ids for f in table["fuel"]]
    return StockResult(table, region, year)


# --------------------------------------------------------------------------- trips
def read_trips(frame: pd.DataFrame, *, source: str = "<trips>") -> pd.DataFrame:
    """Validate a trips table.

    Columns: ``mode``, ``pkm`` [passenger-km/a] and either ``gco2e_per_pkm`` [g CO2e/pkm] or
    ``fuel`` + ``consumption`` + ``consumption_unit`` + ``occupancy`` [passengers per vehicle].

    Raises
    ------
    InvalidRecordsError
        Every bad cell; a row with neither a factor nor a vehicle description.
    """
    issues: list[RecordIssue] = []
    mode = text_column(frame, "mode", issues)
    pkm = number_column(frame, "pkm", issues)
    given = number_column(frame, "gco2e_per_pkm", issues, optional=True)
    fuels = _fuels(frame, issues, required=False)
    derive = np.isnan(given)
    sub = frame.iloc[np.flatnonzero(derive)].reset_index(drop=True) if "consumption" in frame.columns else None
    cons = np.full(len(frame), np.nan)
    units = [""] * len(frame)
    conv = np.full(len(frame), np.nan)
    occ = number_column(frame, "occupancy", issues, optional=True, positive=True)
    rows = np.flatnonzero(derive)
    for i in rows:
        if fuels[i] is None:
            issues.append(
                RecordIssue(
                    int(i) + 1,
                    "gco2e_per_pkm",
                    "give gco2e_per_pkm, or fuel, consumption, consumption_unit and occupancy",
                )
            )
        elif np.isnan(occ[i]):
            issues.append(
                RecordIssue(int(i) + 1, "occupancy", "needed to derive g CO2e/pkm from the vehicle's consumption")
            )
    if sub is not None and len(rows):
        sub_issues: list[RecordIssue] = []
        c, u, k = _read_consumption(sub, sub_issues, [fuels[i] for i in rows])
        issues += [
            RecordIssue(int(rows[x.row - 1]) + 1 if x.row > 0 else 0, x.column, x.message, x.value) for x in sub_issues
        ]
        cons[rows], conv[rows] = c, k
        for j, i in enumerate(rows):
            units[i] = u[j]
    elif len(rows):
        issues.append(RecordIssue(0, "consumption", "required column missing (rows without gco2e_per_pkm)"))
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    return pd.DataFrame(
        {
            "mode": mode.to_numpy(),
            "pkm": pkm,
            "gco2e_per_pkm": given,
            "fuel": ["" if f is None else str(f) for f in fuels],
            "consumption": cons,
            "consumption_unit": units,
            "library_per_unit": conv,
            "occupancy": occ,
        }
    )


@dataclass
class TripResult:
    """Emissions by mode from passenger-km: ``mode``, ``pkm``, ``gco2e_per_pkm``, ``factor_source``, ``tco2e``."""

    table: pd.DataFrame
    region: str
    year: int

    @property
    def total_tco2e(self) -> float:
        """All modes [t CO2e/a]."""
        return float(self.table["tco2e"].sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "region": self.region,
            "year": self.year,
            "total_tco2e": self.total_tco2e,
            "modes": self.table.to_dict("records"),
        }


def trip_emissions(
    trips: pd.DataFrame,
    *,
    region: str = "CN",
    year: int = 2024,
    library: FactorLibrary | None = None,
    source: str = "<trips>",
) -> TripResult:
    """Emissions of passenger travel: ``E = pkm x g/pkm / 1e6`` [t CO2e/a].

    A derived factor is ``g/pkm = c/100 x k x EF x 1e6 / occupancy`` (consumption ``c`` per 100 km,
    ``k`` to library units, ``EF`` t CO2e per library unit).
    """
    t = read_trips(trips, source=source)
    derive = np.isnan(t["gco2e_per_pkm"].to_numpy())
    fuels = {Fuel(f) for f, d in zip(t["fuel"], derive, strict=True) if d}
    factors = _per_unit(fuels, region=region, year=year, library=library) if fuels else {}
    g = t["gco2e_per_pkm"].to_numpy(dtype=float).copy()
    src = ["user"] * len(t)
    for i in np.flatnonzero(derive):
        u = factors[Fuel(t["fuel"].iloc[i])]
        per_vkm = t["consumption"].iloc[i] / 100.0 * t["library_per_unit"].iloc[i] * u.tco2e * 1e6
        g[i] = per_vkm / t["occupancy"].iloc[i]
        src[i] = f"derived: {u.factor_ids}"
    table = t[["mode", "pkm"]].copy()
    table["gco2e_per_pkm"] = g
    table["factor_source"] = src
    table["tco2e"] = table["pkm"] * g / 1e6
    return TripResult(table, region, year)


# --------------------------------------------------------------------------- EV transition
class EvScenario(BaseModel):
    """An EV transition path (``ev.yaml``).

    ``ev_share[k]`` is the share of the vehicle-km of each fossil-fuelled stock row that is driven
    electrically in ``years[k]``; ``grid_factor_t_per_mwh[k]`` the grid factor that year (default:
    the library's factor of each year for the region, the nearest year beyond its coverage);
    ``ev_kwh_per_100km`` the EV consumption by vehicle type (``"*"`` for any type).
    """

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    years: list[int] = Field(min_length=1)
    ev_share: list[float]
    grid_factor_t_per_mwh: list[float] | None = None
    ev_kwh_per_100km: dict[str, float]

    @model_validator(mode="after")
    def _lengths(self) -> EvScenario:
        if len(self.ev_share) != len(self.years):
            raise ValueError(f"ev_share has {len(self.ev_share)} values for {len(self.years)} years")
        if any(not 0 <= s <= 1 for s in self.ev_share):
            raise ValueError("ev_share values must lie in [0, 1]")
        if self.grid_factor_t_per_mwh is not None:
            if len(self.grid_factor_t_per_mwh) != len(self.years):
                raise ValueError(
                    f"grid_factor_t_per_mwh has {len(self.grid_factor_t_per_mwh)} values for {len(self.years)} years"
                )
            if any(g < 0 for g in self.grid_factor_t_per_mwh):
                raise ValueError("grid_factor_t_per_mwh values must be >= 0")
        if sorted(set(self.years)) != self.years:
            raise ValueError("years must be increasing and distinct")
        if any(v <= 0 for v in self.ev_kwh_per_100km.values()):
            raise ValueError("ev_kwh_per_100km values must be > 0")
        return self


def load_ev_scenario(path: Path) -> EvScenario:
    """Read an EV scenario YAML.

    Raises
    ------
    ActionInputError
        Unreadable file, or a field breaking the schema (named in the message).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return EvScenario.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ActionInputError(f"{path}: cannot read YAML: {exc}") from exc
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()]
        raise ActionInputError(f"{path}: " + "; ".join(parts)) from None


@dataclass
class EvResult:
    """An EV transition per year.

    Attributes
    ----------
    table : pandas.DataFrame
        ``year``, ``ev_share``, ``grid_factor_t_per_mwh``, ``fossil_tco2e``, ``electric_tco2e``,
        ``total_tco2e``, ``baseline_tco2e`` (no electrification, same grid), ``avoided_tco2e``,
        ``ev_energy_mwh`` (all electric driving, existing EVs included) [per year].
    charging : pandas.DataFrame
        Charging profile of the last year's EV energy (:func:`charging_profile`).
    """

    table: pd.DataFrame
    charging: pd.DataFrame
    grid_source: str
    charging_source: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "grid_factor_source": self.grid_source,
            "charging_shape_source": self.charging_source,
            "years": self.table.to_dict("records"),
            "charging_profile_last_year": self.charging.to_dict("records"),
            "notes": self.notes,
        }


def ev_transition(
    stock: pd.DataFrame,
    scenario: EvScenario,
    *,
    region: str = "CN",
    year: int = 2024,
    library: FactorLibrary | None = None,
    shape: np.ndarray | None = None,
    source: str = "<stock>",
) -> EvResult:
    """Emissions per year of a stock as its vehicle-km are electrified.

    For year ``y`` with share ``s_y`` and grid factor ``g_y`` [t/MWh]:
    ``E_y = sum_fossil (1 - s_y) E_r + g_y (sum_fossil s_y d_r e_r / 100 + K) / 1000`` where ``E_r``
    is the row's fossil emissions (base ``year`` factors), ``d_r`` its vehicle-km, ``e_r`` the EV
    consumption of its vehicle type [kWh/100 km] and ``K`` the kWh of rows already electric. The
    baseline is ``s_y = 0`` with the same ``g_y``.

    Raises
    ------
    ActionInputError
        A fossil vehicle type without an EV consumption in the scenario.
    """
    base = stock_emissions(stock, region=region, year=year, library=library, source=source).table
    fossil = (base["fuel"] != str(Fuel.ELECTRICITY)).to_numpy()
    ev_kwh = []
    for vt, f in zip(base["vehicle_type"], fossil, strict=True):
        if not f:
            ev_kwh.append(np.nan)
            continue
        e = scenario.ev_kwh_per_100km.get(vt, scenario.ev_kwh_per_100km.get("*"))
        if e is None:
            raise ActionInputError(f"EV scenario: no ev_kwh_per_100km for vehicle type {vt!r} (nor a '*' default)")
        ev_kwh.append(e)
    ev = np.array(ev_kwh, dtype=float)
    vkm = base["vehicle_km"].to_numpy()
    fossil_t = float(base.loc[fossil, "tco2e"].sum())
    potential_kwh = float(np.nansum(np.where(fossil, vkm * ev / 100.0, 0.0)))
    existing_kwh = float(base.loc[~fossil, "fuel_amount"].sum())
    notes = []
    if scenario.grid_factor_t_per_mwh is not None:
        grid = [float(g) for g in scenario.grid_factor_t_per_mwh]
        grid_source = "scenario file"
    else:
        items = [(GPC_GRID, "electricity_grid", "MWh")]
        grid, ids = [], set()
        for y in scenario.years:
            u = unit_emissions(items, region=region, year=y, library=library, source="grid factor path")[0]
            grid.append(u.tco2e)
            ids.add(u.factor_ids)
        grid_source = "factor library: " + "; ".join(sorted(ids))
        if len(ids) < len(scenario.years):
            notes.append(
                "the library holds the grid factor constant where it has no value for a year (nearest year used)"
            )
    share = np.asarray(scenario.ev_share, dtype=float)
    g = np.asarray(grid, dtype=float)
    ev_mwh = (share * potential_kwh + existing_kwh) / 1000.0
    table = pd.DataFrame(
        {
            "year": scenario.years,
            "ev_share": share,
            "grid_factor_t_per_mwh": g,
            "fossil_tco2e": (1.0 - share) * fossil_t,
            "electric_tco2e": ev_mwh * g,
        }
    )
    table["total_tco2e"] = table["fossil_tco2e"] + table["electric_tco2e"]
    table["baseline_tco2e"] = fossil_t + existing_kwh / 1000.0 * g
    table["avoided_tco2e"] = table["baseline_tco2e"] - table["total_tco2e"]
    table["ev_energy_mwh"] = ev_mwh
    w, shape_source = (shape, "user") if shape is not None else charging_shape()
    charging = charging_profile(float(ev_mwh[-1]), w)
    return EvResult(table, charging, grid_source, shape_source, notes)


def charging_profile(annual_mwh: float, shape: np.ndarray | None = None, *, days: float = 365.0) -> pd.DataFrame:
    """Average-day charging demand: ``P_h = (W / days) w_h / sum(w)``.

    Parameters
    ----------
    annual_mwh : float
        EV charging energy [MWh/a].
    shape : numpy.ndarray, optional
        24 non-negative weights (hour 0 = 00:00-01:00); default the shipped (ASSUMED) shape.
    days : float
        Days the energy spreads over [d].

    Returns
    -------
    pandas.DataFrame
        ``hour``, ``share`` [unitless], ``mwh`` (energy in that hour of an average day) and
        ``mw`` (average power in that hour, numerically equal to ``mwh`` over one hour).

    Raises
    ------
    ActionInputError
        A shape that is not 24 non-negative numbers with a positive sum, or a negative energy.
    """
    w = charging_shape()[0] if shape is None else np.asarray(shape, dtype=float)
    if w.shape != (24,) or np.any(~np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ActionInputError("charging shape: expected 24 non-negative numbers with a positive sum")
    if annual_mwh < 0 or days <= 0:
        raise ActionInputError(f"charging profile: energy must be >= 0 and days > 0 (got {annual_mwh}, {days})")
    share = w / w.sum()
    mwh = annual_mwh / days * share
    return pd.DataFrame({"hour": np.arange(24), "share": share, "mwh": mwh, "mw": mwh})
