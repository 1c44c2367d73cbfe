"""The project's one pint unit registry.

Every quantity in zerocity is converted through this registry; there are no hand-written
conversion tables anywhere else. Beyond pint's defaults it defines:

* ``tce`` / ``kgce`` -- tonne / kilogram of standard coal equivalent, 29.3076 GJ / 29.3076 MJ
  (7,000 kcal_IT per kg). Reference: GB/T 2589-2020 *General rules for calculation of the
  comprehensive energy consumption*, clause 3.5 (SAMR/SAC, 2020).
* ``toe`` / ``ktoe`` / ``Mtoe`` -- tonne of oil equivalent, 41.868 GJ (10 Gcal_IT). Reference:
  IEA/OECD/Eurostat *Energy Statistics Manual* (2005), Annex 3.
* ``Nm3`` -- normal cubic metre (gas volume at 0 degC and 101.325 kPa). Dimensionally a volume;
  the reference state is part of the factor it is used with.
* ``tCO2e``, ``kgCO2e``, ``gCO2e``, ``ktCO2e``, ``MtCO2e`` -- mass of CO2-equivalent. They are
  plain masses: the gas a mass refers to travels beside it as a column, not inside the unit.
* ``tC`` / ``kgC`` -- mass of carbon (carbon contents such as t C per TJ).
* ``wan_t``, ``wan_m3``, ``wan_Nm3``, ``wan_kWh``, ``yi_m3``, ``yi_kWh``, ``wan_tce`` -- the
  10^4 (万) and 10^8 (亿) multiples of Chinese statistical yearbooks.

Unit strings may carry a numeric scale, as Chinese statistics do (``1e4 t`` for 10^4 tonnes,
``1e8 m3``, ``10^4 kWh``): :func:`parse_unit` returns the scale folded into a :class:`pint.Unit`
conversion.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pint

from zerocity.errors import UnitError

__all__ = [
    "Q_",
    "ParsedUnit",
    "conversion_factor",
    "dimension_name",
    "parse_unit",
    "ureg",
]

_DEFINITIONS = """
# Standard coal equivalent, GB/T 2589-2020 clause 3.5: 1 kgce = 29 307.6 kJ.
kilogram_coal_equivalent = 29307.6 * kilojoule = kgce
tonne_coal_equivalent = 1000 * kilogram_coal_equivalent = tce
kilotonne_coal_equivalent = 1000 * tonne_coal_equivalent = ktce
megatonne_coal_equivalent = 1e6 * tonne_coal_equivalent = Mtce
# Oil equivalent: pint defines toe = 1e10 cal_IT = 41.868 GJ (IEA Energy Statistics Manual,
# 2005, Annex 3); multiples are added here.
kilotonne_oil_equivalent = 1000 * toe = ktoe
megatonne_oil_equivalent = 1e6 * toe = Mtoe
kilogram_oil_equivalent = 0.001 * toe = kgoe
# Normal cubic metre (0 degC, 101.325 kPa); a volume, the reference state lives in the factor.
normal_cubic_meter = meter ** 3 = Nm3 = Nm^3 = Nm³
# CO2-equivalent and carbon masses are plain masses.
gram_co2e = gram = gCO2e
kilogram_co2e = kilogram = kgCO2e
tonne_co2e = tonne = tCO2e
kilotonne_co2e = 1000 * tonne = ktCO2e
megatonne_co2e = 1e6 * tonne = MtCO2e
kilogram_carbon = kilogram = kgC
tonne_carbon = tonne = tC
# Chinese statistical multiples: wan = 10^4, yi = 10^8 (e.g. 10^4 t, 10^4 Nm3, 10^8 kWh).
wan_tonne = 1e4 * tonne = wan_t
wan_cubic_meter = 1e4 * meter ** 3 = wan_m3
wan_normal_cubic_meter = 1e4 * normal_cubic_meter = wan_Nm3
yi_cubic_meter = 1e8 * meter ** 3 = yi_m3
wan_kilowatt_hour = 1e4 * kilowatt_hour = wan_kWh
yi_kilowatt_hour = 1e8 * kilowatt_hour = yi_kWh
wan_tonne_coal_equivalent = 1e4 * tonne_coal_equivalent = wan_tce
# Counts for the IPCC methods that work per animal or per person (livestock populations,
# wastewater). Own base dimensions, so kg/head never converts to kg/person by mistake.
animal_head = [livestock] = head = animal
wan_head = 1e4 * head
population_person = [population] = person = capita = inhabitant
wan_person = 1e4 * person
# Money, for intensities per unit of GDP (t per 10^4 yuan): one currency, no exchange rates.
yuan = [currency] = CNY = RMB
wan_yuan = 1e4 * yuan
yi_yuan = 1e8 * yuan
household = [households]
# Chinese land area: 1 mu = 10000/15 m2 (GB 3100-1993, Table 6 note).
mu = 10000 / 15 * meter ** 2
wan_mu = 1e4 * mu
"""

ureg: pint.UnitRegistry = pint.UnitRegistry(
    autoconvert_offset_to_baseunit=True,
    on_redefinition="raise",
)
for _line in _DEFINITIONS.strip().splitlines():
    if _line and not _line.lstrip().startswith("#"):
        ureg.define(_line)
ureg.formatter.default_format = "~P"
Q_ = ureg.Quantity

# Named dimensions that inventory rows and factors may be expressed in.
_DIMENSIONS = {
    ureg.kg.dimensionality: "mass",
    ureg.m.dimensionality**3: "volume",
    ureg.J.dimensionality: "energy",
    ureg.dimensionless.dimensionality: "dimensionless",
    ureg.m.dimensionality: "distance",
    (ureg.J / ureg.kg).dimensionality: "energy/mass",
    (ureg.J / ureg.m**3).dimensionality: "energy/volume",
    (ureg.kg / ureg.m**3).dimensionality: "mass/volume",
    (ureg.kg / ureg.J).dimensionality: "mass/energy",
    ureg.m.dimensionality**2: "area",
    ureg.head.dimensionality: "animals",
    ureg.person.dimensionality: "persons",
    ureg.yuan.dimensionality: "money",
    ureg.household.dimensionality: "households",
    (ureg.kg / ureg.head).dimensionality: "mass/animals",
    (ureg.kg / ureg.person).dimensionality: "mass/persons",
    (ureg.kg / ureg.m**2).dimensionality: "mass/area",
    (ureg.kg / ureg.kg).dimensionality: "dimensionless",
    (1 / ureg.year).dimensionality: "1/time",
    (ureg.kg / ureg.m**2 / ureg.day).dimensionality: "mass/area/time",
    (ureg.kg / ureg.person / ureg.year).dimensionality: "mass/persons/time",
    (ureg.kg / ureg.head / ureg.year).dimensionality: "mass/animals/time",
    (ureg.kg / ureg.m**3).dimensionality: "mass/volume",
}

# Spellings users write that pint does not read as meant (``m3``) or at all (``tonnes``).
_ALIASES = {
    "m3": "m**3",
    "m³": "m**3",
    "m2": "m**2",
    "km2": "km**2",
    "tonne": "t",
    "kt": "kilotonne",  # pint reads "kt" as the knot; in inventories it is always 10^3 t
    "tonnes": "t",
    "litre": "L",
    "liter": "L",
    "litres": "L",
}
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9³]*")

_SCALE = re.compile(r"^\s*(?P<scale>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+|\^[+-]?[0-9]+)?)\s*\*?\s*(?P<unit>.+)$")


@dataclass(frozen=True)
class ParsedUnit:
    """A unit string read by :func:`parse_unit`.

    Attributes
    ----------
    text : str
        The string as the user wrote it.
    scale : float
        Numeric multiplier written before the unit (``1e4 t`` has scale 1e4) [unitless].
    unit : pint.Unit
        The unit without the scale.
    """

    text: str
    scale: float
    unit: pint.Unit

    @property
    def dimension(self) -> str:
        """Named dimension (``mass``, ``volume``, ``energy`` ...) or pint's dimensionality."""
        return dimension_name(self.unit)

    def to(self, other: ParsedUnit) -> float:
        """Factor that converts a magnitude in this unit to ``other`` [unitless]."""
        return self.scale * conversion_factor(self.unit, other.unit) / other.scale


def _normalise(text: str) -> str:
    """Rewrite the spellings of ``_ALIASES`` inside a compound unit string."""
    out = text.strip().replace("^", "**")
    return _TOKEN.sub(lambda m: _ALIASES.get(m.group(0), m.group(0)), out)


@functools.lru_cache(maxsize=4096)
def parse_unit(text: str) -> ParsedUnit:
    """Parse a unit string as a user writes it.

    Parameters
    ----------
    text : str
        For example ``"t"``, ``"m3"``, ``"Nm3"``, ``"kWh"``, ``"TJ"``, ``"kg/TJ"``, ``"t/MWh"``,
        ``"1e4 t"`` (10^4 tonnes), ``"10^8 m3"``.

    Returns
    -------
    ParsedUnit

    Raises
    ------
    UnitError
        When the string is empty or is not a unit pint can read; the message quotes the string.
    """
    if not isinstance(text, str) or not text.strip():
        raise UnitError("empty unit: expected a unit such as 't', 'm3', 'kWh' or 'TJ'")
    raw = text.strip()
    if "//" in raw or raw.endswith(("/", "*")) or raw.startswith(("/", "*")):
        raise UnitError(f"unit {raw!r} is malformed: expected units joined by single '/' or '*' (e.g. 'kg/TJ')")
    scale = 1.0
    match = _SCALE.match(raw)
    body = raw
    if match:
        scale_text = match.group("scale")
        if "^" in scale_text:
            base, exp = scale_text.split("^")
            scale = float(base) ** float(exp)
        else:
            scale = float(scale_text)
        body = match.group("unit")
        if body.lstrip().startswith("/"):  # "1/yr": the 1 is a numerator, not a scale
            body = scale_text + body
            scale = 1.0
    try:
        unit = ureg.parse_units(_normalise(body))
    except (
        pint.errors.UndefinedUnitError,
        pint.errors.DefinitionSyntaxError,
        ValueError,
        AttributeError,
        TypeError,
        SyntaxError,
        AssertionError,
    ) as exc:
        raise UnitError(
            f"unknown unit {raw!r}: expected a unit such as 't', 'kg', 'm3', 'Nm3', 'L', 'kWh', "
            "'MWh', 'GJ', 'TJ', 'tce', 'toe', optionally with a scale ('1e4 t') or a ratio "
            "('kg/TJ')"
        ) from exc
    if scale <= 0:
        raise UnitError(f"unit {raw!r} has a non-positive scale {scale}")
    return ParsedUnit(text=raw, scale=scale, unit=unit)


@functools.lru_cache(maxsize=4096)
def conversion_factor(source: pint.Unit, target: pint.Unit) -> float:
    """Factor ``k`` such that ``x [source] == k * x [target]`` [unitless].

    Raises
    ------
    UnitError
        When the two units have different dimensions; the message names both.
    """
    try:
        return float(ureg.Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError as exc:
        raise UnitError(
            f"cannot convert {source:~P} ({dimension_name(source)}) to {target:~P} ({dimension_name(target)})"
        ) from exc


def dimension_name(unit: pint.Unit | ParsedUnit) -> str:
    """Readable name of a unit's dimension (``mass``, ``volume``, ``energy``...)."""
    if isinstance(unit, ParsedUnit):
        unit = unit.unit
    return _dimension_of(unit)


@functools.lru_cache(maxsize=4096)
def _dimension_of(unit: pint.Unit) -> str:
    return _DIMENSIONS.get(unit.dimensionality, str(unit.dimensionality))
