"""Per-key coefficients of the three calculation methods.

A *key* is a distinct combination of (activity, unit, GPC reference, region, year): records that
share it share their coefficient, so these functions run once per key (hundreds of times), and
the engine multiplies whole columns by the result (:mod:`zerocity.inventory.compute`).

Formulas (sources in docs/methodology.md):

* emission-factor method, IPCC 2006 Vol. 2 Ch. 2 Eq. 2.1:
  ``E_gas = A x EF_gas`` with ``A`` converted to the factor's denominator through the NCV when
  the factor is per unit of energy and the activity is a mass or volume: ``A_energy = A x NCV``;
* CO2 factor from carbon content (China guidelines; IPCC 2006 Vol. 2 Ch. 1 section 1.4.2.1):
  ``EF_CO2 = CC x OF x 44/12`` (carbon per unit energy, oxidation fraction);
* mass balance, IPCC 2006 Vol. 3 Ch. 4 Eq. 4.9-style carbon balance:
  ``E_CO2 = (sum_in A_i x C_i - sum_out A_j x C_j) x 44/12``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pint

from zerocity.errors import FactorNotFoundError, UnitError
from zerocity.factors.library import FactorLibrary, Resolution
from zerocity.factors.model import FactorRecord, Parameter
from zerocity.units import Q_, ParsedUnit, parse_unit, ureg

__all__ = [
    "CO2_PER_C",
    "Coefficient",
    "carbon_coefficient",
    "emission_coefficient",
    "explicit_coefficient",
    "to_activity_denominator",
]

#: Mass ratio of CO2 to carbon used by IPCC 2006 (Vol. 2 Ch. 1 Eq. 1.1 note: 44/12).
CO2_PER_C = 44.0 / 12.0

_TONNE = ureg.Unit("t")


class MissingNcvError(FactorNotFoundError):
    """The record's unit needs a calorific value the library does not have (a unit problem)."""

    code = "missing_ncv"


@dataclass(frozen=True)
class Coefficient:
    """Tonnes of gas per unit of activity for one key.

    Attributes
    ----------
    tonnes_per_unit : float
        [t gas per unit of the record's ``unit``].
    factor_ids : tuple of str
        Every library record used (EF, NCV, carbon content, oxidation).
    rel_uncertainty : float or None
        Combined relative 95% half-width of the factors (root sum of squares) [unitless].
    warnings : tuple of str
        E.g. a factor used outside its validity years.
    """

    tonnes_per_unit: float
    factor_ids: tuple[str, ...]
    rel_uncertainty: float | None
    warnings: tuple[str, ...] = ()


def _combine(*uncertainties: float | None) -> float | None:
    known = [u for u in uncertainties if u is not None]
    if not known:
        return None
    return float(sum(u * u for u in known) ** 0.5)


def _quantity(rec: FactorRecord) -> pint.Quantity:
    return Q_(rec.value * rec.unit.scale, rec.unit.unit)


def to_activity_denominator(
    factor: pint.Quantity,
    unit: ParsedUnit,
    *,
    library: FactorLibrary,
    activity: str,
    region: str,
    year: int,
    target: pint.Unit = _TONNE,
) -> tuple[float, list[Resolution]]:
    """Magnitude of ``factor x (1 unit)`` in ``target``, through the NCV when needed.

    Tries ``factor x A``; if its dimension is not ``target``'s, multiplies by the activity's NCV
    (activity in mass or volume, factor per energy) or divides by it (activity in energy, factor
    per mass or volume).

    Returns
    -------
    value : float
        [target per unit of activity].
    ncv : list of Resolution
        The NCV resolution used (empty when none was needed).

    Raises
    ------
    UnitError
        When no chain of the factor, the activity unit and an NCV gives the target dimension.
    MissingNcvError
        When an NCV is needed and the library has none for the activity and region (a unit problem
        of the record, reported in its ``unit`` column).
    """
    fmag, funit = float(factor.magnitude), factor.units
    k = _product_to(funit, unit.unit, None, False, target)
    if k is not None:
        return fmag * unit.scale * k, []
    act_dim = unit.dimension
    if act_dim in {"mass", "volume"}:
        wanted = {f"energy/{act_dim}"}
        res = library.resolve(Parameter.NCV, activity, region=region, year=year, dimensions=wanted)
        if res.winner is not None:
            k = _product_to(funit, unit.unit, res.winner.unit.unit, False, target)
            if k is not None:
                return fmag * unit.scale * res.winner.value * res.winner.unit.scale * k, [res]
    elif act_dim == "energy":
        for denom in ("mass", "volume"):
            res = library.resolve(Parameter.NCV, activity, region=region, year=year, dimensions={f"energy/{denom}"})
            if res.winner is None:
                continue
            k = _product_to(funit, unit.unit, res.winner.unit.unit, True, target)
            if k is not None:
                return fmag * unit.scale / (res.winner.value * res.winner.unit.scale) * k, [res]
    factor_text = f"{factor.units:~P}"
    needs_ncv = act_dim in {"mass", "volume", "energy"}
    if needs_ncv:
        raise MissingNcvError(
            f"unit {unit.text!r} ({act_dim}) does not fit a factor in {factor_text} without a net "
            f"calorific value of {activity!r} per {'energy' if act_dim == 'energy' else act_dim} "
            f"for region {region!r}, year {year}; give the amount in the factor's unit or add an NCV "
            "to your factor set"
        )
    raise UnitError(f"unit {unit.text!r} ({act_dim}) cannot be combined with a factor in {factor_text}")


@functools.lru_cache(maxsize=8192)
def _product_to(
    factor: pint.Unit, activity: pint.Unit, ncv: pint.Unit | None, divide: bool, target: pint.Unit
) -> float | None:
    """Magnitude of ``1 factor x 1 activity (x or / 1 ncv)`` in ``target``; None if not that dimension.

    Cached: the unit algebra runs once per combination of units, not once per key.
    """
    q = Q_(1.0, factor) * Q_(1.0, activity)
    if ncv is not None:
        q = q / Q_(1.0, ncv) if divide else q * Q_(1.0, ncv)
    if q.dimensionality != target.dimensionality:
        return None
    return float(q.to(target).magnitude)


def _resolution_ids(resolutions: list[Resolution]) -> tuple[str, ...]:
    return tuple(r.winner.factor_id for r in resolutions if r.winner is not None)


def _resolution_warnings(resolutions: list[Resolution]) -> tuple[str, ...]:
    return tuple(w for r in resolutions for w in r.warnings)


def emission_coefficient(
    library: FactorLibrary,
    *,
    activity: str,
    unit: str,
    gas: str,
    gpc_ref: str,
    region: str,
    year: int,
    factor_id: str = "",
) -> Coefficient | None:
    """Library coefficient of one gas for one key, or None when the library has no factor.

    For CO2 a factor derived from a carbon content (``EF = CC x OF x 44/12``) is used instead of
    a direct emission factor when its carbon-content record ranks higher (a more specific region,
    a user set, a valid year): this is how China's guideline parameters apply.

    Raises
    ------
    FactorNotFoundError, UnitError
        When a factor exists but cannot be applied to the unit (no NCV, wrong dimension).
    """
    parsed = parse_unit(unit)
    if factor_id:
        forced = library.get(factor_id)
        if forced.parameter == Parameter.EF and forced.gas == gas:
            value, ncv = to_activity_denominator(
                _quantity(forced), parsed, library=library, activity=activity, region=region, year=year
            )
            ids = (forced.factor_id, *_resolution_ids(ncv))
            unc = _combine(forced.relative_uncertainty, *(r.winner.relative_uncertainty for r in ncv if r.winner))
            return Coefficient(value, ids, unc, _resolution_warnings(ncv))
    ef = library.resolve(Parameter.EF, activity, gas=gas, gpc_ref=gpc_ref, region=region, year=year)
    if gas == "CO2":
        cc = library.resolve(
            Parameter.CARBON_CONTENT, activity, gpc_ref=gpc_ref, region=region, year=year, dimensions={"mass/energy"}
        )
        if cc.winner is not None and (ef.winner is None or _ranks_before(cc, ef)):
            return _carbon_content_coefficient(library, cc, parsed, activity, gpc_ref, region, year)
    if ef.winner is None:
        return None
    value, ncv = to_activity_denominator(
        _quantity(ef.winner), parsed, library=library, activity=activity, region=region, year=year
    )
    unc = _combine(ef.winner.relative_uncertainty, *(r.winner.relative_uncertainty for r in ncv if r.winner))
    return Coefficient(
        value, (ef.winner.factor_id, *_resolution_ids(ncv)), unc, (*ef.warnings, *_resolution_warnings(ncv))
    )


def _ranks_before(a: Resolution, b: Resolution) -> bool:
    """Whether the winner of ``a`` outranks the winner of ``b`` (year fit, user set, region)."""
    ka = next(c.rank_key for c in a.candidates if c.record is a.winner)
    kb = next(c.rank_key for c in b.candidates if c.record is b.winner)
    return ka[:4] < kb[:4]


def _carbon_content_coefficient(
    library: FactorLibrary,
    cc: Resolution,
    parsed: ParsedUnit,
    activity: str,
    gpc_ref: str,
    region: str,
    year: int,
) -> Coefficient:
    assert cc.winner is not None
    ox = library.resolve(Parameter.OXIDATION, activity, gpc_ref=gpc_ref, region=region, year=year)
    oxidation = float(_quantity(ox.winner).to("dimensionless").magnitude) if ox.winner else 1.0
    factor = _quantity(cc.winner) * oxidation * CO2_PER_C
    value, ncv = to_activity_denominator(factor, parsed, library=library, activity=activity, region=region, year=year)
    used = [cc, *([ox] if ox.winner else []), *ncv]
    warnings = list(_resolution_warnings(used))
    if ox.winner is None:
        warnings.append(f"no oxidation factor for {activity!r} in {region}; complete oxidation assumed")
    unc = _combine(*(r.winner.relative_uncertainty for r in used if r.winner))
    return Coefficient(value, _resolution_ids(used), unc, tuple(warnings))


def explicit_coefficient(
    library: FactorLibrary, *, activity: str, unit: str, ef_unit: str, region: str, year: int
) -> Coefficient:
    """Coefficient ``k`` for explicit row factors: ``tonnes = amount x ef x k``.

    Raises
    ------
    FactorNotFoundError, UnitError
        As :func:`to_activity_denominator`.
    """
    ef = parse_unit(ef_unit)
    value, ncv = to_activity_denominator(
        Q_(ef.scale, ef.unit), parse_unit(unit), library=library, activity=activity, region=region, year=year
    )
    unc = _combine(*(r.winner.relative_uncertainty for r in ncv if r.winner))
    return Coefficient(value, _resolution_ids(ncv), unc, _resolution_warnings(ncv))


def carbon_coefficient(
    library: FactorLibrary,
    *,
    activity: str,
    unit: str,
    carbon_unit: str,
    gpc_ref: str,
    region: str,
    year: int,
) -> Coefficient:
    """Tonnes of carbon per unit of a mass-balance flow.

    With ``carbon_unit`` (the row gives ``carbon_content``), the result multiplies that column:
    ``tC = amount x carbon_content x k``. Without it, the library's carbon content of the
    activity is used and ``tC = amount x k``.

    Raises
    ------
    FactorNotFoundError, UnitError
    """
    parsed = parse_unit(unit)
    if carbon_unit:
        cu = parse_unit(carbon_unit)
        if cu.dimension == "dimensionless" and parsed.dimension != "mass":
            raise UnitError(
                f"a carbon content given as a fraction ({carbon_unit!r}) needs the flow as a mass, "
                f"not {parsed.text!r} ({parsed.dimension})"
            )
        value, ncv = to_activity_denominator(
            Q_(cu.scale, cu.unit), parsed, library=library, activity=activity, region=region, year=year
        )
        return Coefficient(value, _resolution_ids(ncv), None, _resolution_warnings(ncv))
    cc = library.resolve(Parameter.CARBON_CONTENT, activity, gpc_ref=gpc_ref, region=region, year=year)
    if cc.winner is None:
        raise FactorNotFoundError(library.not_found_message(cc) + "; give carbon_content and carbon_unit in the row")
    value, ncv = to_activity_denominator(
        _quantity(cc.winner), parsed, library=library, activity=activity, region=region, year=year
    )
    used = [cc, *ncv]
    unc = _combine(*(r.winner.relative_uncertainty for r in used if r.winner))
    return Coefficient(value, _resolution_ids(used), unc, _resolution_warnings(used))
