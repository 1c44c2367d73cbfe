"""Conversions of quantities, including fuel-specific ones through the factor library.

A conversion between units of one dimension goes through the pint registry alone. A conversion
between a physical quantity of fuel (mass, volume) and energy needs the fuel's calorific value:
for standard-coal targets (``tce``, ``kgce``) the standard-coal coefficient of GB/T 2589-2020
Appendix A is preferred, since that is how Chinese energy statistics convert; otherwise the net
calorific value. Both come from the factor library with the usual resolution rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from zerocity.errors import FactorNotFoundError, UnitError
from zerocity.factors.library import FactorLibrary
from zerocity.factors.model import FactorRecord, Parameter
from zerocity.units import Q_, parse_unit, ureg

__all__ = ["Conversion", "convert_quantity"]


@dataclass(frozen=True)
class Conversion:
    """Result of :func:`convert_quantity`."""

    value: float
    source_unit: str
    target_unit: str
    result: float
    factor: FactorRecord | None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready view."""
        return {
            "value": self.value,
            "from": self.source_unit,
            "to": self.target_unit,
            "result": self.result,
            "factor": None if self.factor is None else self.factor.as_dict(),
        }


def _is_coal_equivalent(unit_text: str) -> bool:
    """Whether a unit is a multiple of standard coal (tce, kgce, wan_tce ...), by its definition."""
    unit = parse_unit(unit_text).unit
    return any("coal_equivalent" in ureg.get_name(name) for name in unit._units)


def convert_quantity(
    value: float,
    source: str,
    target: str,
    *,
    activity: str | None = None,
    library: FactorLibrary | None = None,
    region: str = "CN",
    year: int = 2024,
) -> Conversion:
    """Convert ``value`` from unit ``source`` to unit ``target``.

    Parameters
    ----------
    value : float
        Quantity in ``source`` [source].
    source, target : str
        Unit strings (see :func:`zerocity.units.parse_unit`).
    activity : str, optional
        Fuel whose calorific value or standard-coal coefficient bridges mass/volume and energy.
    library : FactorLibrary, optional
        Needed with ``activity``.
    region, year
        Resolution context of the calorific value.

    Returns
    -------
    Conversion
        ``result`` in ``target`` [target], and the factor used, if any.

    Raises
    ------
    UnitError
        Units of different dimensions without an activity, or unknown units.
    FactorNotFoundError
        No calorific value for the activity.
    """
    src, dst = parse_unit(source), parse_unit(target)
    if src.dimension == dst.dimension or src.unit.dimensionality == dst.unit.dimensionality:
        return Conversion(value, source, target, value * src.to(dst), None)
    if activity is None or library is None:
        raise UnitError(
            f"cannot convert {source!r} ({src.dimension}) to {target!r} ({dst.dimension}) without a fuel: "
            "pass --activity to use its calorific value"
        )
    params = (
        [Parameter.COAL_COEFFICIENT, Parameter.NCV]
        if _is_coal_equivalent(target)
        else [
            Parameter.NCV,
            Parameter.COAL_COEFFICIENT,
        ]
    )
    physical = src if src.dimension in {"mass", "volume"} else dst
    dims = {f"energy/{physical.dimension}"}
    for param in params:
        res = library.resolve(param, activity, region=region, year=year, dimensions=dims)
        if res.winner is None:
            continue
        rec = res.winner
        per = Q_(rec.value * rec.unit.scale, rec.unit.unit)
        qty = Q_(value * src.scale, src.unit)
        out = qty * per if src is physical else qty / per
        try:
            result = float(out.to(dst.unit).magnitude) / dst.scale
        except Exception as exc:  # pint.DimensionalityError
            raise UnitError(f"cannot convert {source!r} to {target!r} with {rec.factor_id} ({rec.unit.text})") from exc
        return Conversion(value, source, target, result, rec)
    raise FactorNotFoundError(
        f"no calorific value or standard-coal coefficient of {activity!r} per {physical.dimension} for region "
        f"{region!r} (searched {' > '.join(library.region_chain(region))}), year {year}"
    )
