"""Land-use emissions and removals (GPC sector V.2 "Land"): IPCC 2006 Vol. 4 biomass carbon, Tier 1.

Carbon stock change of living biomass on the six IPCC land categories (forest land, cropland,
grassland, wetlands, settlements, other land), by two methods, plus land-use conversions:

gain-loss (Vol. 4 Ch. 2 Eq. 2.7, 2.9, 2.10)
    ``dC_B = dC_G - dC_L`` with ``dC_G = sum A * G_TOTAL * CF`` and ``G_TOTAL = G_W * (1 + R)``,
    or directly ``A * carbon_growth`` when a class has a carbon accumulation rate (Table 5.1).
    Losses ``dC_L`` [t C yr-1] are an input (``losses_tc``), computed with :func:`loss_wood_removals`,
    :func:`loss_fuelwood` and :func:`loss_disturbance` (Eq. 2.12-2.14, 2.11).
stock-difference (Eq. 2.8)
    ``dC = (C_t2 - C_t1) / (t2 - t1)`` with ``C = A * stock density`` from two inventories.
conversion (Eq. 2.16, Tier 1)
    ``dC_CONVERSION = A_converted * (C_after - C_before)`` in the year of conversion: the biomass of the
    previous class is lost at once; a class that grows (positive carbon growth rate: forest, perennial
    crops) starts from zero and gains through its growth rate afterwards, a class without growth
    (annual crops, grassland, settlements, other land) reaches its default stock in the conversion year
    (Table 5.9, Table 6.4 are "stocks after one year").

Converted land stays in "land converted to X" for ``transition_years`` (IPCC default 20) and is then
"X remaining X"; the growth of a class in a year is split between the two by area.
Emissions are ``CO2 = -dC * 44/12`` [t CO2]: positive = emission, negative = removal; GPC reference
V.2 (Land), scope 1, gas CO2 (``tco2e`` = ``tonnes``, GWP of CO2 = 1).

mineral soil carbon (Eq. 2.25, Tier 1), when ``soil=True``
    ``SOC = SOC_REF * F_LU * F_MG * F_I * A`` and ``dC_Mineral = (SOC_0 - SOC_(0-T)) / D``: land converted
    from class a to class b changes its soil stock by ``A * SOC_REF * (F_b - F_a)`` spread evenly over
    ``D`` years (default 20) from the conversion year. Land remaining in its class keeps its stock
    (Tier 1, management unchanged).
crown cover (settlements, Ch. 8 Sect. 8.2.1.1, Tier 2 crown cover area method)
    ``dC_G = CC * CRW``: tree crown cover [ha] times a growth rate per hectare of crown cover
    [t C (ha crown cover)-1 yr-1]; for rows with ``crown_cover_ha``. No CRW is shipped: it comes from
    the city or a national study through the factors (parameter ``crown_growth``).
organic soils (Eq. 2.26)
    ``L_Organic = A_drained * EF`` [t C yr-1] for the drained organic-soil area of a class.

Not covered: dead organic matter (Tier 1 assumes no change for land remaining in a category; no
DOM defaults are shipped for conversions), non-CO2 gases from biomass burning (V.3),
wetlands-specific methods of Ch. 7 (peat extraction, flooded land): wetlands take user factors.

References
----------
IPCC (2006). 2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 4 Agriculture,
Forestry and Other Land Use. Ch. 2 (generic methods, Eq. 2.7-2.16, 2.25, 2.26; Table 2.3 SOC_REF),
Ch. 4 (forest land, Tables 4.3, 4.4), Ch. 5 (cropland, Tables 5.1, 5.5, 5.6, 5.9), Ch. 6 (grassland, Table 6.4),
Ch. 8 (settlements), Ch. 9 (other land). IGES, Hayama.
WRI, C40, ICLEI (2014). Global Protocol for Community-Scale Greenhouse Gas Emission Inventories
(GPC), Ch. 10 (AFOLU), sub-sector V.2 Land.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.errors import FactorNotFoundError, InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.jsonio import jsonable

__all__ = [
    "C_TO_CO2",
    "DEFAULT_SOIL_YEARS",
    "DEFAULT_TRANSITION_YEARS",
    "DEMO_FOREST_AGB_GROWTH",
    "DEMO_SOIL_TYPE",
    "DEMO_ZONE",
    "GPC_REF",
    "ROW_COLUMNS",
    "SCOPE",
    "SOIL_TYPES",
    "UNITS",
    "Factor",
    "LandCategory",
    "LandFactors",
    "LandUseError",
    "LandUseResult",
    "Method",
    "Parameter",
    "carbon_growth_rate",
    "category_of",
    "co2_from_carbon",
    "conversion_change",
    "demo_inputs",
    "demo_landuse",
    "gain_loss",
    "landuse_emissions",
    "loss_disturbance",
    "loss_fuelwood",
    "loss_wood_removals",
    "mineral_soil_change",
    "organic_soil_loss",
    "read_areas",
    "read_changes",
    "soil_carbon_stock",
    "stock_difference",
]

log = logging.getLogger(__name__)

#: Mass ratio of CO2 to C [t CO2 / t C] (IPCC 2006 Vol. 4 Ch. 2, "44/12").
C_TO_CO2 = 44.0 / 12.0
#: Years converted land stays "land converted to X" (IPCC 2006 Vol. 4 Ch. 3 Sect. 3.3.1 default).
DEFAULT_TRANSITION_YEARS = 20
#: GPC reference of land emissions and removals (src/zerocity/inventory/data/gpc.csv: V.2 Land).
GPC_REF = "V.2"
#: GPC scope of in-boundary land emissions and removals.
SCOPE = 1
#: Wildcard of the factor table (any land class / any zone).
ANY = "*"

_DEFAULTS = "data/landuse/ipcc_defaults.csv"


class LandUseError(ZerocityError, ValueError):
    """Land-use input that cannot be used (unknown file format, bad years, ...)."""

    code = "landuse"


class LandCategory(StrEnum):
    """IPCC land-use categories (IPCC 2006 Vol. 4 Ch. 3 Sect. 3.2)."""

    FOREST_LAND = "forest_land"
    CROPLAND = "cropland"
    GRASSLAND = "grassland"
    WETLANDS = "wetlands"
    SETTLEMENTS = "settlements"
    OTHER_LAND = "other_land"


class Parameter(StrEnum):
    """Parameters of the factor table, each with one unit (:data:`UNITS`)."""

    CARBON_FRACTION = "carbon_fraction"
    ROOT_SHOOT = "root_shoot"
    AGB_GROWTH = "agb_growth"
    CARBON_GROWTH = "carbon_growth"
    CARBON_STOCK = "carbon_stock"
    BIOMASS_STOCK = "biomass_stock"
    AGB_STOCK = "agb_stock"
    F_LU = "f_lu"
    F_MG = "f_mg"
    F_I = "f_i"
    ORGANIC_SOIL_EF = "organic_soil_ef"
    CROWN_GROWTH = "crown_growth"
    SOC_REF_HAC = "soc_ref_hac"
    SOC_REF_LAC = "soc_ref_lac"
    SOC_REF_SANDY = "soc_ref_sandy"
    SOC_REF_SPODIC = "soc_ref_spodic"
    SOC_REF_VOLCANIC = "soc_ref_volcanic"
    SOC_REF_WETLAND = "soc_ref_wetland"


#: IPCC mineral soil types of Table 2.3 (Vol. 4 Ch. 2): high- and low-activity clay, sandy, spodic,
#: volcanic, wetland soils; the ``soil_type`` column of a conversion takes one of these.
SOIL_TYPES = ("hac", "lac", "sandy", "spodic", "volcanic", "wetland")
#: Default time dependence of soil stock change factors D [yr] (IPCC 2006 Vol. 4 Ch. 2 Eq. 2.25).
DEFAULT_SOIL_YEARS = 20


#: Unit of every parameter, as written in the factor CSV.
UNITS: dict[Parameter, str] = {
    Parameter.CARBON_FRACTION: "t C / t d.m.",
    Parameter.ROOT_SHOOT: "unitless",
    Parameter.AGB_GROWTH: "t d.m. / ha / yr",
    Parameter.CARBON_GROWTH: "t C / ha / yr",
    Parameter.CARBON_STOCK: "t C / ha",
    Parameter.BIOMASS_STOCK: "t d.m. / ha",
    Parameter.AGB_STOCK: "t d.m. / ha",
    Parameter.F_LU: "unitless",
    Parameter.F_MG: "unitless",
    Parameter.F_I: "unitless",
    Parameter.ORGANIC_SOIL_EF: "t C / ha / yr",
    Parameter.CROWN_GROWTH: "t C / ha crown cover / yr",
    **{Parameter(f"soc_ref_{t}"): "t C / ha" for t in SOIL_TYPES},
}


class Method(StrEnum):
    """Method of a result row (the ``source`` column of the inventory rows)."""

    GAIN_LOSS = "ipcc2006-v4-gain-loss"
    STOCK_DIFFERENCE = "ipcc2006-v4-stock-difference"
    CONVERSION = "ipcc2006-v4-conversion"
    MINERAL_SOIL = "ipcc2006-v4-mineral-soil"
    ORGANIC_SOIL = "ipcc2006-v4-organic-soil"
    CROWN_COVER = "ipcc2006-v4-crown-cover"


# --------------------------------------------------------------------------------------------------
# Pure calculation functions (scalars or arrays)
# --------------------------------------------------------------------------------------------------


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _ret(x: np.ndarray) -> Any:
    return float(x) if x.ndim == 0 else x


def carbon_growth_rate(agb_growth: Any, root_shoot: Any, carbon_fraction: Any = 0.47) -> Any:
    """Biomass carbon gain per hectare from above-ground growth.

    ``G_TOTAL * CF = G_W * (1 + R) * CF`` (IPCC 2006 Vol. 4 Eq. 2.10 and the product in Eq. 2.9).

    Parameters
    ----------
    agb_growth : float or array
        Above-ground biomass growth ``G_W`` [t d.m. ha-1 yr-1] (Vol. 4 Tables 4.9, 4.10).
    root_shoot : float or array
        Ratio of below- to above-ground biomass ``R`` [unitless] (Vol. 4 Table 4.4).
    carbon_fraction : float or array
        Carbon fraction of dry matter ``CF`` [t C (t d.m.)-1], default 0.47 (Vol. 4 Table 4.3).

    Returns
    -------
    float or array
        Carbon gain [t C ha-1 yr-1].
    """
    return _ret(_arr(agb_growth) * (1.0 + _arr(root_shoot)) * _arr(carbon_fraction))


def gain_loss(area_ha: Any, carbon_growth: Any, losses_tc: Any = 0.0) -> Any:
    """Annual change of biomass carbon by the gain-loss method.

    ``dC_B = A * carbon_growth - L`` (IPCC 2006 Vol. 4 Eq. 2.7 with gains from Eq. 2.9).

    Parameters
    ----------
    area_ha : float or array
        Area of the land class [ha].
    carbon_growth : float or array
        Biomass carbon gain per area [t C ha-1 yr-1] (:func:`carbon_growth_rate` or Table 5.1).
    losses_tc : float or array
        Annual carbon loss ``dC_L`` [t C yr-1] (Eq. 2.11: wood removals + fuelwood + disturbance).

    Returns
    -------
    float or array
        Carbon stock change [t C yr-1]; positive = carbon gained (a removal of CO2).
    """
    return _ret(_arr(area_ha) * _arr(carbon_growth) - _arr(losses_tc))


def stock_difference(stock_t1_tc: Any, stock_t2_tc: Any, t1: float, t2: float) -> Any:
    """Annual change of carbon by the stock-difference method.

    ``dC = (C_t2 - C_t1) / (t2 - t1)`` (IPCC 2006 Vol. 4 Eq. 2.8).

    Parameters
    ----------
    stock_t1_tc, stock_t2_tc : float or array
        Carbon stocks at the two inventory times [t C] (area [ha] times stock density [t C ha-1]).
    t1, t2 : float
        Inventory years [yr]; ``t2 > t1``.

    Returns
    -------
    float or array
        Carbon stock change [t C yr-1].
    """
    if not t2 > t1:
        raise LandUseError(f"stock difference needs t2 > t1, got t1={t1}, t2={t2}")
    return _ret((_arr(stock_t2_tc) - _arr(stock_t1_tc)) / (t2 - t1))


def conversion_change(area_ha: Any, stock_before_tc: Any, stock_after_tc: Any) -> Any:
    """Carbon stock change in the year of a land-use conversion (Tier 1).

    ``dC_CONVERSION = A * (C_after - C_before)`` (IPCC 2006 Vol. 4 Eq. 2.16, with stocks already
    expressed in carbon, i.e. ``B * CF``).

    Parameters
    ----------
    area_ha : float or array
        Area converted in the year [ha].
    stock_before_tc, stock_after_tc : float or array
        Biomass carbon stock per area of the class before and just after conversion [t C ha-1].

    Returns
    -------
    float or array
        Carbon stock change [t C]; negative = carbon lost.
    """
    return _ret(_arr(area_ha) * (_arr(stock_after_tc) - _arr(stock_before_tc)))


def loss_wood_removals(volume_m3: Any, bcef_r: Any, root_shoot: Any, carbon_fraction: Any = 0.47) -> Any:
    """Carbon loss from wood removals ``L = H * BCEF_R * (1 + R) * CF`` (IPCC 2006 Vol. 4 Eq. 2.12).

    Parameters
    ----------
    volume_m3 : float or array
        Roundwood removals ``H`` [m3 yr-1].
    bcef_r : float or array
        Biomass conversion and expansion factor for removals [t d.m. m-3] (Vol. 4 Table 4.5).
    root_shoot : float or array
        ``R`` [unitless].
    carbon_fraction : float or array
        ``CF`` [t C (t d.m.)-1].

    Returns
    -------
    float or array
        Carbon loss [t C yr-1].
    """
    return _ret(_arr(volume_m3) * _arr(bcef_r) * (1.0 + _arr(root_shoot)) * _arr(carbon_fraction))


def loss_fuelwood(
    trees_m3: Any, parts_m3: Any, bcef_r: Any, root_shoot: Any, wood_density: Any, carbon_fraction: Any = 0.47
) -> Any:
    """Carbon loss from fuelwood ``L = [FG_trees * BCEF_R * (1 + R) + FG_part * D] * CF`` (Eq. 2.13).

    Parameters
    ----------
    trees_m3 : float or array
        Fuelwood removed as whole trees ``FG_trees`` [m3 yr-1].
    parts_m3 : float or array
        Fuelwood removed as tree parts ``FG_part`` [m3 yr-1].
    bcef_r : float or array
        [t d.m. m-3].
    root_shoot : float or array
        ``R`` [unitless].
    wood_density : float or array
        Basic wood density ``D`` [t d.m. m-3] (Vol. 4 Table 4.14).
    carbon_fraction : float or array
        ``CF`` [t C (t d.m.)-1].

    Returns
    -------
    float or array
        Carbon loss [t C yr-1].
    """
    dm = _arr(trees_m3) * _arr(bcef_r) * (1.0 + _arr(root_shoot)) + _arr(parts_m3) * _arr(wood_density)
    return _ret(dm * _arr(carbon_fraction))


def loss_disturbance(
    area_ha: Any, agb_stock: Any, root_shoot: Any, fraction_lost: Any, carbon_fraction: Any = 0.47
) -> Any:
    """Carbon loss from disturbances ``L = A * B_W * (1 + R) * CF * fd`` (IPCC 2006 Vol. 4 Eq. 2.14).

    Parameters
    ----------
    area_ha : float or array
        Area affected ``A_disturbance`` [ha yr-1].
    agb_stock : float or array
        Above-ground biomass of the affected area ``B_W`` [t d.m. ha-1].
    root_shoot : float or array
        ``R`` [unitless].
    fraction_lost : float or array
        Fraction of biomass lost ``fd`` [unitless, 0..1].
    carbon_fraction : float or array
        ``CF`` [t C (t d.m.)-1].

    Returns
    -------
    float or array
        Carbon loss [t C yr-1].
    """
    return _ret(
        _arr(area_ha) * _arr(agb_stock) * (1.0 + _arr(root_shoot)) * _arr(carbon_fraction) * _arr(fraction_lost)
    )


def soil_carbon_stock(area_ha: Any, soc_ref: Any, f_lu: Any = 1.0, f_mg: Any = 1.0, f_i: Any = 1.0) -> Any:
    """Mineral soil organic carbon stock, 0-30 cm (IPCC 2006 Vol. 4 Ch. 2 Eq. 2.25, inner sum).

    ``SOC = SOC_REF * F_LU * F_MG * F_I * A``.

    Parameters
    ----------
    area_ha : float or array
        Area of the stratum [ha].
    soc_ref : float or array
        Reference stock under native vegetation [t C ha-1] (Table 2.3).
    f_lu, f_mg, f_i : float or array
        Stock change factors for land use, management and input [-] (Tables 5.5, 6.2).

    Returns
    -------
    float or array
        Soil organic carbon [t C].
    """
    return _ret(_arr(area_ha) * _arr(soc_ref) * _arr(f_lu) * _arr(f_mg) * _arr(f_i))


def mineral_soil_change(stock_now_tc: Any, stock_before_tc: Any, years: float = DEFAULT_SOIL_YEARS) -> Any:
    """Annual change of mineral soil carbon (IPCC 2006 Vol. 4 Ch. 2 Eq. 2.25).

    ``dC_Mineral = (SOC_0 - SOC_(0-T)) / D`` with ``D`` the time dependence of the stock change
    factors (default 20 yr).

    Parameters
    ----------
    stock_now_tc, stock_before_tc : float or array
        Stocks at the end and start of the period [t C].
    years : float
        D [yr], > 0.

    Returns
    -------
    float or array
        Carbon stock change [t C yr-1] (positive = gain).
    """
    if years <= 0:
        raise LandUseError(f"the soil transition period D must be > 0 years, got {years}")
    return _ret((_arr(stock_now_tc) - _arr(stock_before_tc)) / years)


def organic_soil_loss(area_ha: Any, emission_factor: Any) -> Any:
    """Annual carbon loss from drained organic soils (IPCC 2006 Vol. 4 Ch. 2 Eq. 2.26).

    ``L_Organic = A * EF``.

    Parameters
    ----------
    area_ha : float or array
        Drained organic soil area [ha].
    emission_factor : float or array
        Emission factor [t C ha-1 yr-1] (cropland: Table 5.6).

    Returns
    -------
    float or array
        Carbon loss [t C yr-1] (>= 0; the stock change is its negative).
    """
    return _ret(_arr(area_ha) * _arr(emission_factor))


def co2_from_carbon(delta_c: Any) -> Any:
    """CO2 flux from a carbon stock change: ``CO2 = -dC * 44/12`` [t CO2] (positive = emission)."""
    return _ret(-_arr(delta_c) * C_TO_CO2)


# --------------------------------------------------------------------------------------------------
# Factors
# --------------------------------------------------------------------------------------------------


def category_of(land_class: str) -> LandCategory:
    """IPCC category of a land class: the part before ``:`` (``"cropland:perennial"`` -> cropland)."""
    return LandCategory(land_class.split(":", 1)[0])


@dataclass(frozen=True)
class Factor:
    """One factor value with its key and source.

    Attributes
    ----------
    land_class, zone, parameter : str
        Key the value was found under (may be a wildcard ``*``).
    value : float
        Value in ``unit``.
    unit : str
        Unit (:data:`UNITS`).
    source : str
        Publisher, document and table.
    """

    land_class: str
    zone: str
    parameter: Parameter
    value: float
    unit: str
    source: str


_FACTOR_COLUMNS = ("land_class", "zone", "parameter", "value", "unit", "source")


class LandFactors:
    """A table of land-use factors keyed by land class, climate zone and parameter.

    Lookups fall back from the class to its category (``cropland:perennial`` -> ``cropland``) and to
    ``*``, and from the zone to ``*``, in the order (class, zone), (class, *), (category, zone),
    (category, *), (*, zone), (*, *). A failed lookup raises :class:`FactorNotFoundError` naming the
    set and every key tried.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``land_class, zone, parameter, value, unit, source`` (``note`` optional).
    name : str
        Name of the set in messages (file name).
    """

    def __init__(self, table: pd.DataFrame, name: str) -> None:
        self.name = name
        self.table = _validate_factors(table, name)
        self._index: dict[tuple[str, str, str], Factor] = {}
        for r in self.table.itertuples(index=False):
            key = (str(r.land_class), str(r.zone), str(r.parameter))
            self._index[key] = Factor(key[0], key[1], Parameter(key[2]), float(r.value), str(r.unit), str(r.source))

    @classmethod
    def defaults(cls) -> LandFactors:
        """The shipped IPCC 2006 defaults (``sinks/data/landuse/ipcc_defaults.csv``)."""
        with resources.files("zerocity.sinks").joinpath(_DEFAULTS).open(encoding="utf-8") as fh:
            table = pd.read_csv(fh, dtype=str, keep_default_na=False)
        return cls(table, "ipcc_defaults.csv")

    @classmethod
    def from_csv(cls, path: str | Path, base: LandFactors | None = None) -> LandFactors:
        """Factors from a CSV with the columns of the shipped file; its rows override ``base``."""
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        except (OSError, ValueError) as exc:
            raise LandUseError(f"{path}: cannot read factor table: {exc}") from exc
        user = cls(table, str(path))
        return base.merged(user) if base is not None else user

    def merged(self, other: LandFactors) -> LandFactors:
        """A new set: this set's rows with ``other``'s rows replacing those with the same key."""
        keys = ["land_class", "zone", "parameter"]
        table = pd.concat([self.table, other.table], ignore_index=True).drop_duplicates(keys, keep="last")
        return LandFactors(table.reset_index(drop=True), f"{self.name}+{other.name}")

    def _chain(self, land_class: str, zone: str) -> list[tuple[str, str]]:
        classes = [land_class]
        parent = land_class.split(":", 1)[0]
        if parent != land_class:
            classes.append(parent)
        classes.append(ANY)
        keys: list[tuple[str, str]] = []
        for c in classes:
            for z in (zone, ANY):
                if (c, z) not in keys:
                    keys.append((c, z))
        return keys

    def find(self, land_class: str, zone: str, parameter: Parameter) -> Factor | None:
        """The factor for a key with the fallbacks, or None."""
        for c, z in self._chain(land_class, zone):
            hit = self._index.get((c, z, parameter.value))
            if hit is not None:
                return hit
        return None

    def get(self, land_class: str, zone: str, parameter: Parameter) -> Factor:
        """The factor for a key with the fallbacks; :class:`FactorNotFoundError` if none."""
        hit = self.find(land_class, zone, parameter)
        if hit is None:
            tried = ", ".join(f"({c}, {z})" for c, z in self._chain(land_class, zone))
            raise FactorNotFoundError(
                f"factor set {self.name}: no {parameter.value} [{UNITS[parameter]}] for land class "
                f"{land_class!r} in zone {zone!r} (tried {tried}); supply it with --factors"
            )
        return hit

    def growth_rate(self, land_class: str, zone: str) -> tuple[float, str]:
        """Biomass carbon gain [t C ha-1 yr-1] and its sources.

        ``carbon_growth`` if given, else ``agb_growth * (1 + root_shoot) * carbon_fraction``
        (:func:`carbon_growth_rate`).
        """
        direct = self.find(land_class, zone, Parameter.CARBON_GROWTH)
        if direct is not None:
            return direct.value, direct.source
        try:
            gw = self.get(land_class, zone, Parameter.AGB_GROWTH)
        except FactorNotFoundError:
            raise FactorNotFoundError(
                f"factor set {self.name}: no carbon_growth [t C / ha / yr] nor agb_growth [t d.m. / ha / yr] "
                f"for land class {land_class!r} in zone {zone!r}; supply one with --factors"
            ) from None
        r = self.get(land_class, zone, Parameter.ROOT_SHOOT)
        cf = self.get(land_class, zone, Parameter.CARBON_FRACTION)
        value = float(carbon_growth_rate(gw.value, r.value, cf.value))
        return value, _join_sources((gw, r, cf))

    def carbon_stock(self, land_class: str, zone: str) -> tuple[float, str]:
        """Biomass carbon stock [t C ha-1] and its sources.

        ``carbon_stock`` if given, else ``biomass_stock * CF``, else ``agb_stock * (1 + R) * CF``.
        """
        direct = self.find(land_class, zone, Parameter.CARBON_STOCK)
        if direct is not None:
            return direct.value, direct.source
        total = self.find(land_class, zone, Parameter.BIOMASS_STOCK)
        if total is not None:
            cf = self.get(land_class, zone, Parameter.CARBON_FRACTION)
            return total.value * cf.value, _join_sources((total, cf))
        agb = self.find(land_class, zone, Parameter.AGB_STOCK)
        if agb is None:
            raise FactorNotFoundError(
                f"factor set {self.name}: no carbon_stock [t C / ha], biomass_stock or agb_stock "
                f"[t d.m. / ha] for land class {land_class!r} in zone {zone!r}; supply one with --factors"
            )
        r = self.get(land_class, zone, Parameter.ROOT_SHOOT)
        cf = self.get(land_class, zone, Parameter.CARBON_FRACTION)
        return agb.value * (1.0 + r.value) * cf.value, _join_sources((agb, r, cf))

    def soil_factor(self, land_class: str, zone: str) -> tuple[float, str]:
        """Combined stock change factor ``F_LU * F_MG * F_I`` [-] of a class and its sources (Eq. 2.25)."""
        parts = [self.get(land_class, zone, p) for p in (Parameter.F_LU, Parameter.F_MG, Parameter.F_I)]
        return parts[0].value * parts[1].value * parts[2].value, _join_sources(parts)

    def soc_ref(self, zone: str, soil_type: str) -> tuple[float, str]:
        """Reference soil organic carbon stock [t C ha-1, 0-30 cm] of a zone and soil type (Table 2.3)."""
        if soil_type not in SOIL_TYPES:
            raise LandUseError(f"unknown soil type {soil_type!r}; expected one of {', '.join(SOIL_TYPES)}")
        hit = self.get(ANY, zone, Parameter(f"soc_ref_{soil_type}"))
        return hit.value, hit.source

    def stock_after_conversion(self, land_class: str, zone: str) -> tuple[float, str]:
        """Biomass carbon [t C ha-1] just after land is converted to ``land_class`` (Tier 1).

        Zero for a class that grows (positive growth rate: it accumulates through its growth rate),
        its default stock otherwise (Vol. 4 Table 5.9, Table 6.4: stocks present after one year).
        """
        rate, source = self.growth_rate(land_class, zone)
        if rate > 0:
            return 0.0, f"Tier 1: growing class starts from zero biomass ({source})"
        return self.carbon_stock(land_class, zone)


def _join_sources(factors: Iterable[Factor]) -> str:
    seen: list[str] = []
    for f in factors:
        if f.source not in seen:
            seen.append(f.source)
    return "; ".join(seen)


def _validate_factors(table: pd.DataFrame, name: str) -> pd.DataFrame:
    missing = [c for c in _FACTOR_COLUMNS if c not in table.columns]
    if missing:
        raise InvalidRecordsError(
            name, [RecordIssue(0, c, f"missing column (expected {', '.join(_FACTOR_COLUMNS)})") for c in missing]
        )
    issues: list[RecordIssue] = []
    keep: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for i, rec in enumerate(table.to_dict("records"), start=1):
        cls = str(rec["land_class"]).strip()
        zone = str(rec["zone"]).strip()
        par = str(rec["parameter"]).strip()
        unit = str(rec["unit"]).strip()
        source = str(rec["source"]).strip()
        ok = True
        if cls != ANY:
            try:
                category_of(cls)
            except ValueError:
                issues.append(RecordIssue(i, "land_class", f"expected * or one of {_categories()}[:subtype]", cls))
                ok = False
        if not zone:
            issues.append(RecordIssue(i, "zone", "expected a climate zone or *", zone))
            ok = False
        try:
            parameter = Parameter(par)
        except ValueError:
            issues.append(RecordIssue(i, "parameter", f"expected one of {', '.join(p.value for p in Parameter)}", par))
            continue
        if unit != UNITS[parameter]:
            issues.append(RecordIssue(i, "unit", f"{par} is in {UNITS[parameter]!r}", unit))
            ok = False
        value = _number(rec["value"])
        if value is None or value < 0:
            issues.append(RecordIssue(i, "value", "expected a finite number >= 0", str(rec["value"])))
            ok = False
        if parameter is Parameter.CARBON_FRACTION and value is not None and value > 1:
            issues.append(RecordIssue(i, "value", "a carbon fraction is at most 1", str(rec["value"])))
            ok = False
        if not source:
            issues.append(RecordIssue(i, "source", "every factor needs its source (publisher, document, table)"))
            ok = False
        key = (cls, zone, par)
        if key in seen:
            issues.append(RecordIssue(i, "parameter", f"duplicate of row {seen[key]} (same class, zone, parameter)"))
            ok = False
        seen[key] = i
        if ok:
            keep.append(
                {"land_class": cls, "zone": zone, "parameter": par, "value": value, "unit": unit, "source": source}
            )
    if issues:
        raise InvalidRecordsError(name, sorted(issues, key=lambda x: (x.row, x.column)))
    return pd.DataFrame(keep, columns=list(_FACTOR_COLUMNS))


def _categories() -> str:
    return ", ".join(c.value for c in LandCategory)


def _number(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _year(value: Any) -> int | None:
    v = _number(value)
    if v is None or v != int(v):
        return None
    return int(v)


# --------------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------------


def _text(rec: dict[str, Any], column: str) -> str:
    v = rec.get(column, "")
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _require(frame: pd.DataFrame, columns: Sequence[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidRecordsError(source, [RecordIssue(0, c, "missing column") for c in missing])


def _check_class(rec: dict[str, Any], column: str, row: int, issues: list[RecordIssue]) -> str:
    cls = _text(rec, column)
    try:
        category_of(cls)
    except ValueError:
        issues.append(RecordIssue(row, column, f"expected one of {_categories()}, optionally ':subtype'", cls))
    return cls


def _zone(rec: dict[str, Any], zone: str | None, row: int, issues: list[RecordIssue]) -> str:
    z = _text(rec, "zone") or (zone or "")
    if not z:
        issues.append(RecordIssue(row, "zone", "expected a climate zone (column zone or the zone option)"))
    return z


def read_areas(frame: pd.DataFrame, source: str = "areas", zone: str | None = None) -> pd.DataFrame:
    """Validate a land-area table.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per year, district and land class: ``year``, ``land_class`` (``forest_land``,
        ``cropland:annual``, ...), ``area_ha`` [ha]; optional ``district``, ``zone`` (climate zone,
        e.g. ``warm_temperate_moist``), ``losses_tc`` [t C yr-1] (gain-loss losses, Eq. 2.11) and
        ``stock_tc_per_ha`` [t C ha-1] (measured stock density: the row then uses the stock-difference
        method between consecutive inventory years), ``organic_ha`` [ha] (drained organic soil within
        the class area; its loss is computed when soil carbon is on), ``crown_cover_ha`` [ha] (tree crown
        cover within the area: the gain is crown cover x ``crown_growth``, the crown cover area method).
    source : str
        File name for messages.
    zone : str, optional
        Zone of rows without one.

    Returns
    -------
    pandas.DataFrame
        Columns ``year, district, land_class, zone, area_ha, losses_tc, stock_tc_per_ha`` (NaN when
        no stock density), ``organic_ha`` and ``crown_cover_ha`` (0 when not given).

    Raises
    ------
    InvalidRecordsError
        With row and column of every bad value; nothing is computed.
    """
    _require(frame, ("year", "land_class", "area_ha"), source)
    issues: list[RecordIssue] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[int, str, str, str], int] = {}
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        year = _year(rec.get("year"))
        if year is None:
            issues.append(RecordIssue(i, "year", "expected a whole year", _text(rec, "year")))
        cls = _check_class(rec, "land_class", i, issues)
        z = _zone(rec, zone, i, issues)
        area = _number(rec.get("area_ha"))
        if area is None or area < 0:
            issues.append(RecordIssue(i, "area_ha", "expected a finite area >= 0 [ha]", _text(rec, "area_ha")))
        losses = _number(rec.get("losses_tc")) if _text(rec, "losses_tc") else 0.0
        if losses is None or losses < 0:
            issues.append(RecordIssue(i, "losses_tc", "expected a carbon loss >= 0 [t C/yr]", _text(rec, "losses_tc")))
        stock = _number(rec.get("stock_tc_per_ha")) if _text(rec, "stock_tc_per_ha") else math.nan
        if stock is None or stock < 0:
            issues.append(
                RecordIssue(
                    i, "stock_tc_per_ha", "expected a stock density >= 0 [t C/ha]", _text(rec, "stock_tc_per_ha")
                )
            )
        elif not math.isnan(stock) and losses:
            issues.append(
                RecordIssue(i, "losses_tc", "the stock-difference method already includes losses; leave it empty")
            )
        organic = _number(rec.get("organic_ha")) if _text(rec, "organic_ha") else 0.0
        if organic is None or organic < 0 or (area is not None and 0 <= area < organic):
            issues.append(
                RecordIssue(
                    i,
                    "organic_ha",
                    "expected a drained organic-soil area >= 0 and <= area_ha [ha]",
                    _text(rec, "organic_ha"),
                )
            )
        crown = _number(rec.get("crown_cover_ha")) if _text(rec, "crown_cover_ha") else 0.0
        if crown is None or crown < 0 or (area is not None and 0 <= area < crown):
            issues.append(
                RecordIssue(
                    i,
                    "crown_cover_ha",
                    "expected a crown cover area >= 0 and <= area_ha [ha]",
                    _text(rec, "crown_cover_ha"),
                )
            )
        elif crown and not math.isnan(stock if stock is not None else math.nan):
            issues.append(RecordIssue(i, "crown_cover_ha", "a row uses crown cover or a stock density, not both"))
        district = _text(rec, "district")
        if year is not None:
            key = (year, district, cls, z)
            if key in seen:
                issues.append(RecordIssue(i, "land_class", f"duplicate of row {seen[key]} (same year, district, zone)"))
            seen[key] = i
        rows.append(
            {
                "year": year,
                "district": district,
                "land_class": cls,
                "zone": z,
                "area_ha": area,
                "losses_tc": losses,
                "stock_tc_per_ha": stock,
                "organic_ha": organic,
                "crown_cover_ha": crown,
            }
        )
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    out = pd.DataFrame(
        rows,
        columns=[
            "year",
            "district",
            "land_class",
            "zone",
            "area_ha",
            "losses_tc",
            "stock_tc_per_ha",
            "organic_ha",
            "crown_cover_ha",
        ],
    )
    return out.astype(
        {
            "year": int,
            "area_ha": float,
            "losses_tc": float,
            "stock_tc_per_ha": float,
            "organic_ha": float,
            "crown_cover_ha": float,
        }
    )


def read_changes(
    frame: pd.DataFrame, source: str = "changes", zone: str | None = None, soil_type: str | None = None
) -> pd.DataFrame:
    """Validate a land-use change matrix and spread it over conversion years.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per conversion: ``from_class``, ``to_class``, ``area_ha`` [ha] and either ``year``
        (year of conversion) or ``year_from`` and ``year_to`` (two surveys: the area is spread evenly
        over the conversion years ``year_from + 1 .. year_to``); optional ``district``, ``zone``,
        ``soil_type`` (one of :data:`SOIL_TYPES`, for soil carbon).
    source : str
        File name for messages.
    zone : str, optional
        Zone of rows without one.
    soil_type : str, optional
        Soil type of rows without one.

    Returns
    -------
    pandas.DataFrame
        One row per conversion year: ``year, district, zone, from_class, to_class, area_ha, soil_type``
        (``""`` when not given).
    """
    _require(frame, ("from_class", "to_class", "area_ha"), source)
    has_year = "year" in frame.columns
    has_span = "year_from" in frame.columns and "year_to" in frame.columns
    if not has_year and not has_span:
        raise InvalidRecordsError(source, [RecordIssue(0, "year", "missing column (or year_from and year_to)")])
    issues: list[RecordIssue] = []
    rows: list[dict[str, Any]] = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        src = _check_class(rec, "from_class", i, issues)
        dst = _check_class(rec, "to_class", i, issues)
        if src and src == dst:
            issues.append(RecordIssue(i, "to_class", "a conversion needs two different classes", dst))
        z = _zone(rec, zone, i, issues)
        area = _number(rec.get("area_ha"))
        if area is None or area < 0:
            issues.append(RecordIssue(i, "area_ha", "expected a finite area >= 0 [ha]", _text(rec, "area_ha")))
            area = 0.0
        soil = (_text(rec, "soil_type") or (soil_type or "")).lower()
        if soil and soil not in SOIL_TYPES:
            issues.append(RecordIssue(i, "soil_type", f"expected one of {', '.join(SOIL_TYPES)}", soil))
        district = _text(rec, "district")
        if has_year and _text(rec, "year"):
            year = _year(rec.get("year"))
            if year is None:
                issues.append(RecordIssue(i, "year", "expected a whole year", _text(rec, "year")))
                continue
            years = [year]
        elif has_span:
            y0, y1 = _year(rec.get("year_from")), _year(rec.get("year_to"))
            if y0 is None or y1 is None or y1 <= y0:
                issues.append(
                    RecordIssue(
                        i,
                        "year_to",
                        "expected whole years with year_to > year_from",
                        f"{_text(rec, 'year_from')}-{_text(rec, 'year_to')}",
                    )
                )
                continue
            years = list(range(y0 + 1, y1 + 1))
        else:
            issues.append(RecordIssue(i, "year", "expected a year (or year_from and year_to)"))
            continue
        for y in years:
            rows.append(
                {
                    "year": y,
                    "district": district,
                    "zone": z,
                    "from_class": src,
                    "to_class": dst,
                    "area_ha": area / len(years),
                    "soil_type": soil,
                }
            )
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda x: (x.row, x.column)))
    out = pd.DataFrame(rows, columns=["year", "district", "zone", "from_class", "to_class", "area_ha", "soil_type"])
    return out.astype({"year": int, "area_ha": float})


# --------------------------------------------------------------------------------------------------
# Calculation over tables
# --------------------------------------------------------------------------------------------------

ROW_COLUMNS = [
    "year",
    "district",
    "land_category",
    "land_class",
    "subcategory",
    "from_class",
    "pool",
    "area_ha",
    "delta_c_t",
    "gpc_ref",
    "scope",
    "gas",
    "tonnes",
    "tco2e",
    "source",
    "factor_source",
]


@dataclass
class LandUseResult:
    """Emissions and removals of land, one row per year, district, land class, subcategory and method.

    Attributes
    ----------
    rows : pandas.DataFrame
        Columns :data:`ROW_COLUMNS`: ``subcategory`` is ``remaining`` ("forest land remaining forest
        land") or ``converted`` ("land converted to forest land"); ``from_class`` is set on conversion
        rows; ``pool`` is ``biomass`` or ``soil``; ``delta_c_t`` carbon stock change [t C] (positive = gain);
        ``tonnes`` = ``tco2e`` [t CO2] (positive = emission, negative = removal); ``source`` the method.
    transition_years : int
        Years converted land stays in the converted subcategory.
    not_estimated : list of dict
        Soil estimates left out for want of factors (``missing_soil="skip"``): pool, year, district,
        classes, area and the reason; reported as notation key NE.
    """

    rows: pd.DataFrame
    transition_years: int = DEFAULT_TRANSITION_YEARS
    not_estimated: list[dict[str, Any]] = field(default_factory=list)

    def inventory_rows(self) -> pd.DataFrame:
        """Rows for the inventory / net balance: year, district, gpc_ref, scope, gas, tonnes, tco2e, source."""
        cols = ["year", "district", "gpc_ref", "scope", "gas", "tonnes", "tco2e", "source"]
        return self.rows.groupby([*cols[:5], "source"], as_index=False)[["tonnes", "tco2e"]].sum()[cols]

    def inventory_records(self, region: str = "") -> pd.DataFrame:
        """The results as inventory input records (``zerocity inventory compute`` reads them).

        One ``measured`` CO2 row per year, district, land class, subcategory and method at GPC
        V.2 (scope 1, BASIC+), amount in t CO2, negative for removals (the inventory accepts
        negative amounts only there). Inventories then report gross emissions, removals and net.
        """
        r = self.rows
        frame = pd.DataFrame(
            {
                "record_id": [
                    f"landuse-{y}-{d or 'city'}-{c}-{sub}-{i}"
                    for i, (y, d, c, sub) in enumerate(
                        zip(r["year"], r["district"].astype(str), r["land_class"], r["subcategory"], strict=True)
                    )
                ],
                "year": r["year"].astype(int),
                "district": r["district"].astype(str),
                "gpc_ref": r["gpc_ref"],
                "activity": "",
                "method": "measured",
                "gas": "CO2",
                "amount": r["tonnes"].astype(float),
                "unit": "t",
                "quality": "calculated",
            }
        )
        if region:
            frame["region"] = region
        return frame[frame["amount"] != 0].reset_index(drop=True)

    def totals(self, by: Sequence[str] = ("year",)) -> pd.DataFrame:
        """Gross emissions, removals and net [t CO2e] by ``by`` (rows classed by their sign).

        A row with positive ``tco2e`` counts as emission, a negative one as removal (both at the level
        of year, district, land class, subcategory and method).
        """
        frame = self.rows.assign(
            gross_emissions=self.rows["tco2e"].clip(lower=0.0), removals=self.rows["tco2e"].clip(upper=0.0)
        )
        out = frame.groupby(list(by), as_index=False)[["gross_emissions", "removals"]].sum()
        out["net"] = out["gross_emissions"] + out["removals"]
        return out

    def by_category(self, year: int | None = None) -> pd.DataFrame:
        """Area [ha] and net tCO2e by land category and subcategory (optionally one year)."""
        frame = self.rows if year is None else self.rows[self.rows["year"] == year]
        # Conversion rows carry the area converted that year, already inside the class area.
        # Soil rows are pools of an area already counted with its biomass.
        counted = (frame["source"] != Method.CONVERSION.value) & (frame["pool"] == "biomass")
        frame = frame.assign(area_ha=frame["area_ha"].where(counted, 0.0))
        return frame.groupby(["year", "land_category", "subcategory"], as_index=False)[["area_ha", "tco2e"]].sum()

    def to_dict(self, year: int | None = None) -> dict[str, Any]:
        """JSON-ready summary: totals by year, by category, and the rows (one year if given)."""
        rows = self.rows if year is None else self.rows[self.rows["year"] == year]
        totals = self.totals()
        if year is not None:
            totals = totals[totals["year"] == year]
        return jsonable(
            {
                "gpc_ref": GPC_REF,
                "scope": SCOPE,
                "transition_years": self.transition_years,
                "totals": totals.to_dict("records"),
                "by_category": self.by_category(year).to_dict("records"),
                "by_pool": rows.groupby(["year", "pool"], as_index=False)["tco2e"].sum().to_dict("records"),
                "not_estimated": [n for n in self.not_estimated if year is None or n["year"] == year],
                "rows": rows.to_dict("records"),
            }
        )


def _row(**kw: Any) -> dict[str, Any]:
    dc = float(kw["delta_c_t"])
    co2 = float(co2_from_carbon(dc)) + 0.0  # +0.0 turns -0.0 into 0.0
    return {
        "pool": "biomass",
        "gpc_ref": GPC_REF,
        "scope": SCOPE,
        "gas": "CO2",
        "tonnes": co2,
        "tco2e": co2,
        "land_category": category_of(kw["land_class"]).value,
        "from_class": "",
        **kw,
    }


def landuse_emissions(
    areas: pd.DataFrame,
    changes: pd.DataFrame | None = None,
    factors: LandFactors | None = None,
    *,
    transition_years: int = DEFAULT_TRANSITION_YEARS,
    soil: bool = False,
    soil_years: int = DEFAULT_SOIL_YEARS,
    missing_soil: str = "error",
) -> LandUseResult:
    """Land emissions and removals from land areas and a land-use change matrix.

    Parameters
    ----------
    areas : pandas.DataFrame
        Validated areas (:func:`read_areas`): the area of every class in every year (the area a year
        grows on, including land converted that year or earlier).
    changes : pandas.DataFrame, optional
        Validated conversions (:func:`read_changes`), one row per conversion year.
    factors : LandFactors, optional
        Factor set; the shipped IPCC defaults if omitted.
    transition_years : int
        Years converted land is reported as converted [yr] (IPCC default 20).
    soil : bool
        Also estimate mineral soil carbon of conversions (Eq. 2.25; every conversion needs a
        ``soil_type``) and the loss of drained organic soils (``organic_ha`` of the areas, Eq. 2.26).
    soil_years : int
        D, the years over which a conversion's soil stock change is spread [yr] (IPCC default 20).
    missing_soil : {"error", "skip"}
        What a soil estimate without factors does: raise, or be left out and listed in
        :attr:`LandUseResult.not_estimated` (reported "NE").

    Returns
    -------
    LandUseResult
        The rows (see :class:`LandUseResult`).

    Raises
    ------
    FactorNotFoundError
        A class/zone without the factor its method needs (the message names the key).
    """
    if transition_years < 1:
        raise LandUseError(f"transition_years must be >= 1, got {transition_years}")
    if soil_years < 1:
        raise LandUseError(f"soil_years must be >= 1, got {soil_years}")
    if missing_soil not in {"error", "skip"}:
        raise LandUseError(f"missing_soil must be 'error' or 'skip', got {missing_soil!r}")
    factors = factors or LandFactors.defaults()
    changes = (
        changes
        if changes is not None
        else read_changes(pd.DataFrame(columns=["from_class", "to_class", "area_ha", "year"]))
    )
    rows: list[dict[str, Any]] = []

    # Conversions: immediate change in the conversion year (Eq. 2.16).
    for c in changes.itertuples(index=False):
        before, src_b = factors.carbon_stock(c.from_class, c.zone)
        after, src_a = factors.stock_after_conversion(c.to_class, c.zone)
        dc = float(conversion_change(c.area_ha, before, after))
        rows.append(
            _row(
                year=int(c.year),
                district=c.district,
                land_class=c.to_class,
                subcategory="converted",
                from_class=c.from_class,
                area_ha=float(c.area_ha),
                delta_c_t=dc,
                source=Method.CONVERSION.value,
                factor_source=f"before: {src_b} | after: {src_a}",
            )
        )

    # Area converted to each class within the transition period.
    conv = changes.groupby(["district", "zone", "to_class", "year"])["area_ha"].sum()

    def converted_area(district: str, zone: str, cls: str, year: int) -> float:
        if conv.empty:
            return 0.0
        try:
            s = conv.loc[(district, zone, cls)]
        except KeyError:
            return 0.0
        idx = s.index.to_numpy()
        return float(s[(idx > year - transition_years) & (idx <= year)].sum())

    gl = areas[areas["stock_tc_per_ha"].isna()]
    for a in gl.itertuples(index=False):
        method = Method.GAIN_LOSS.value
        if a.crown_cover_ha > 0:
            crw = factors.get(a.land_class, a.zone, Parameter.CROWN_GROWTH)
            # Spread the crown-cover gain over the class area so the remaining/converted split holds.
            rate = crw.value * float(a.crown_cover_ha) / float(a.area_ha)
            src = f"crown cover {a.crown_cover_ha:g} ha x {crw.value:g} t C/ha crown/yr ({crw.source})"
            method = Method.CROWN_COVER.value
        else:
            rate, src = factors.growth_rate(a.land_class, a.zone)
        conv_area = min(converted_area(a.district, a.zone, a.land_class, int(a.year)), float(a.area_ha))
        remaining = float(a.area_ha) - conv_area
        base = {
            "year": int(a.year),
            "district": a.district,
            "land_class": a.land_class,
            "source": method,
            "factor_source": src,
        }
        rows.append(
            _row(
                **base,
                subcategory="remaining",
                area_ha=remaining,
                delta_c_t=float(gain_loss(remaining, rate, a.losses_tc)),
            )
        )
        if conv_area > 0:
            rows.append(
                _row(**base, subcategory="converted", area_ha=conv_area, delta_c_t=float(gain_loss(conv_area, rate)))
            )

    sd = areas[areas["stock_tc_per_ha"].notna()]
    for (district, zone, cls), g in sd.groupby(["district", "zone", "land_class"], sort=True):
        g = g.sort_values("year")
        years = g["year"].to_numpy()
        stocks = (g["area_ha"] * g["stock_tc_per_ha"]).to_numpy()
        if len(years) < 2:
            log.warning("stock difference for %s/%s/%s needs two inventory years; skipped", district, zone, cls)
            continue
        for k in range(1, len(years)):
            t1, t2 = int(years[k - 1]), int(years[k])
            dc = float(stock_difference(stocks[k - 1], stocks[k], t1, t2))
            for y in range(t1 + 1, t2 + 1):
                rows.append(
                    _row(
                        year=y,
                        district=str(district),
                        land_class=str(cls),
                        subcategory="remaining",
                        area_ha=float(g["area_ha"].iloc[k]),
                        delta_c_t=dc,
                        source=Method.STOCK_DIFFERENCE.value,
                        factor_source=f"measured stock density, inventories {t1} and {t2}",
                    )
                )

    not_estimated: list[dict[str, Any]] = []
    if soil:
        rows.extend(_soil_rows(areas, changes, factors, soil_years, missing_soil, not_estimated))

    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    frame = frame.sort_values(["year", "district", "land_category", "land_class", "subcategory", "source", "pool"])
    return LandUseResult(frame.reset_index(drop=True), transition_years, not_estimated)


def _soil_rows(
    areas: pd.DataFrame,
    changes: pd.DataFrame,
    factors: LandFactors,
    soil_years: int,
    missing_soil: str,
    not_estimated: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Mineral soil rows of conversion cohorts (Eq. 2.25) and organic soil rows (Eq. 2.26)."""
    years = [int(areas["year"].max())] if len(areas) else []
    if len(changes):
        years.append(int(changes["year"].max()))
    last_year = max(years) if years else 0

    def skip_or_raise(exc: Exception, **what: Any) -> None:
        if missing_soil == "error":
            raise exc
        not_estimated.append({**what, "reason": str(exc)})

    cohorts: list[dict[str, Any]] = []
    for c in changes.itertuples(index=False):
        if not c.soil_type:
            raise LandUseError(
                f"soil carbon needs the soil type of every conversion: conversion {c.from_class} -> {c.to_class} "
                f"in {c.year} ({c.district or 'city'}) has none (column soil_type or the soil type option; "
                f"one of {', '.join(SOIL_TYPES)})"
            )
        try:
            soc, src_ref = factors.soc_ref(c.zone, c.soil_type)
            f_before, src_b = factors.soil_factor(c.from_class, c.zone)
            f_after, src_a = factors.soil_factor(c.to_class, c.zone)
        except FactorNotFoundError as exc:
            skip_or_raise(
                exc,
                pool="mineral soil",
                year=int(c.year),
                district=c.district,
                from_class=c.from_class,
                land_class=c.to_class,
                area_ha=float(c.area_ha),
            )
            continue
        annual = float(
            mineral_soil_change(
                soil_carbon_stock(c.area_ha, soc, f_after), soil_carbon_stock(c.area_ha, soc, f_before), soil_years
            )
        )
        source = f"SOC_REF {soc:g} t C/ha ({src_ref}); F before {f_before:g} ({src_b}); F after {f_after:g} ({src_a})"
        for y in range(int(c.year), min(int(c.year) + soil_years - 1, last_year) + 1):
            cohorts.append(
                {
                    "year": y,
                    "district": c.district,
                    "land_class": c.to_class,
                    "from_class": c.from_class,
                    "area_ha": float(c.area_ha),
                    "delta_c_t": annual,
                    "factor_source": source,
                }
            )
    out: list[dict[str, Any]] = []
    if cohorts:
        keys = ["year", "district", "land_class", "from_class"]
        grouped = (
            pd.DataFrame(cohorts)
            .groupby(keys, as_index=False, sort=True)
            .agg(area_ha=("area_ha", "sum"), delta_c_t=("delta_c_t", "sum"), factor_source=("factor_source", "first"))
        )
        for r in grouped.to_dict("records"):
            out.append(
                _row(
                    **{k: r[k] for k in keys},
                    subcategory="converted",
                    pool="soil",
                    area_ha=float(r["area_ha"]),
                    delta_c_t=float(r["delta_c_t"]),
                    source=Method.MINERAL_SOIL.value,
                    factor_source=r["factor_source"],
                )
            )
    for a in areas[areas["organic_ha"] > 0].itertuples(index=False):
        try:
            ef = factors.get(a.land_class, a.zone, Parameter.ORGANIC_SOIL_EF)
        except FactorNotFoundError as exc:
            skip_or_raise(
                exc,
                pool="organic soil",
                year=int(a.year),
                district=a.district,
                from_class="",
                land_class=a.land_class,
                area_ha=float(a.organic_ha),
            )
            continue
        out.append(
            _row(
                year=int(a.year),
                district=a.district,
                land_class=a.land_class,
                subcategory="remaining",
                pool="soil",
                area_ha=float(a.organic_ha),
                delta_c_t=-float(organic_soil_loss(a.organic_ha, ef.value)),
                source=Method.ORGANIC_SOIL.value,
                factor_source=ef.source,
            )
        )
    return out


# --------------------------------------------------------------------------------------------------
# Demo City
# --------------------------------------------------------------------------------------------------

#: Climate zone of the Demo City (Jiangsu: warm temperate moist, IPCC 2006 Vol. 4 Ch. 3 Fig. 3A.5.1).
DEMO_ZONE = "warm_temperate_moist"
#: ASSUMED above-ground net growth of Demo City forest [t d.m. ha-1 yr-1]: NOT an IPCC default (the
#: IPCC 2006 / 2019 Table 4.9 values could not be transcribed and checked here); replace it with the
#: Table 4.9/4.10 value or national forest-inventory data through the factors.
DEMO_FOREST_AGB_GROWTH = 4.0
#: ASSUMED soil type of the Demo City (high-activity clay mineral soils, Table 2.3 column "HAC"): not
#: from a soil map; replace it with the city's soil survey through the ``soil_type`` column.
DEMO_SOIL_TYPE = "hac"
DEMO_CLASSES = {
    "forest_ha": "forest_land",
    "green_space_ha": "settlements:green_space",
    "cropland_ha": "cropland:annual",
}


def _demo_factors() -> LandFactors:
    extra = pd.DataFrame(
        [
            {
                "land_class": "forest_land",
                "zone": DEMO_ZONE,
                "parameter": Parameter.AGB_GROWTH.value,
                "value": str(DEMO_FOREST_AGB_GROWTH),
                "unit": UNITS[Parameter.AGB_GROWTH],
                "source": "ASSUMED for the Demo City (not an IPCC default)",
            }
        ]
    )
    return LandFactors.defaults().merged(LandFactors(extra, "demo"))


def demo_inputs(city: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Areas and inferred conversions of the Demo City from ``city.land``.

    Classes: forest -> ``forest_land``, green space -> ``settlements:green_space``, cropland ->
    ``cropland:annual``, all in :data:`DEMO_ZONE`. Conversions are inferred per district from the
    year-on-year area differences (the data hold net areas only): growth of forest and green space is
    taken from the cropland lost that year, in proportion to the two gains, and from ``other_land``
    for the rest; cropland lost beyond those gains becomes built-up ``settlements``; forest or green
    space lost becomes ``settlements``; cropland gained comes from ``other_land``.
    """
    land = city.land.sort_values(["district", "year"])
    areas_rows: list[dict[str, Any]] = []
    change_rows: list[dict[str, Any]] = []
    for district, g in land.groupby("district", sort=True):
        d = str(district)
        prev: dict[str, float] | None = None
        for r in g.to_dict("records"):
            year = int(r["year"])
            now = {col: float(r[col]) for col in DEMO_CLASSES}
            for col, cls in DEMO_CLASSES.items():
                areas_rows.append(
                    {"year": year, "district": d, "land_class": cls, "zone": DEMO_ZONE, "area_ha": now[col]}
                )
            if prev is not None:
                delta = {col: now[col] - prev[col] for col in DEMO_CLASSES}
                change_rows.extend(_infer_changes(year, d, delta))
            prev = now
    areas = read_areas(pd.DataFrame(areas_rows), "demo city land")
    changes = pd.DataFrame(change_rows, columns=["year", "district", "zone", "from_class", "to_class", "area_ha"])
    return areas, read_changes(changes, "demo city land changes")


def _infer_changes(year: int, district: str, delta: dict[str, float]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(src: str, dst: str, area: float) -> None:
        if area > 0:
            out.append(
                {
                    "year": year,
                    "district": district,
                    "zone": DEMO_ZONE,
                    "from_class": src,
                    "to_class": dst,
                    "area_ha": area,
                }
            )

    gains = {DEMO_CLASSES[c]: max(delta[c], 0.0) for c in ("forest_ha", "green_space_ha")}
    total_gain = sum(gains.values())
    crop_loss = max(-delta["cropland_ha"], 0.0)
    from_crop = min(crop_loss, total_gain)
    for cls, gain in gains.items():
        share = from_crop * gain / total_gain if total_gain > 0 else 0.0
        add("cropland:annual", cls, share)
        add("other_land", cls, gain - share)
    add("cropland:annual", "settlements", crop_loss - from_crop)
    add("forest_land", "settlements", max(-delta["forest_ha"], 0.0))
    add("settlements:green_space", "settlements", max(-delta["green_space_ha"], 0.0))
    add("other_land", "cropland:annual", max(delta["cropland_ha"], 0.0))
    return out


def demo_landuse(city: Any, factors: LandFactors | None = None, *, soil: bool = False) -> LandUseResult:
    """Land emissions and removals of the Demo City (:func:`demo_inputs`).

    Factors: the shipped IPCC defaults plus :data:`DEMO_FOREST_AGB_GROWTH` (ASSUMED); ``factors``
    rows override both. With ``soil``, conversions get mineral soil carbon on the ASSUMED soil type
    :data:`DEMO_SOIL_TYPE`; conversions whose classes have no shipped stock change factor
    (settlements, other land) are listed as not estimated.
    """
    base = _demo_factors()
    if factors is not None:
        base = base.merged(factors)
    areas, changes = demo_inputs(city)
    if soil:
        changes = changes.assign(soil_type=DEMO_SOIL_TYPE)
    return landuse_emissions(areas, changes, base, soil=soil, missing_soil="skip")
