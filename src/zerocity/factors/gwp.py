"""Global warming potentials (100-year) of IPCC assessment reports.

References
----------
IPCC AR4 WG1 (2007) Ch. 2 Table 2.14; AR5 WG1 (2013) Ch. 8 Table 8.A.1; AR6 WG1 (2021) Ch. 7
Table 7.SM.7 -- all as transcribed by the ``globalwarmingpotentials`` package. AR6 WG1 Ch. 7
Table 7.15 for fossil (29.8) and non-fossil (27.0) methane (``data/gwp/supplement.csv``).
"""

from __future__ import annotations

import functools
from enum import StrEnum
from importlib import resources

import globalwarmingpotentials
import pandas as pd

from zerocity.errors import ZerocityError

__all__ = ["GwpSet", "gwp", "gwp_table"]


class GwpSet(StrEnum):
    """The GWP sets an inventory can be expressed in."""

    AR4 = "AR4"
    AR5 = "AR5"
    AR6 = "AR6"


class UnknownGasError(ZerocityError, KeyError):
    """A gas with no GWP in the chosen set."""

    code = "unknown_gas"


_PACKAGE_KEYS = {GwpSet.AR4: "AR4GWP100", GwpSet.AR5: "AR5GWP100", GwpSet.AR6: "AR6GWP100"}


@functools.cache
def gwp_table(gwp_set: GwpSet | str) -> dict[str, float]:
    """All GWP-100 values of a set, keyed by gas name (``CO2``, ``CH4``, ``N2O``, ``SF6`` ...).

    ``CH4_fossil`` and ``CH4_non_fossil`` are present in every set: under AR6 they are the
    Table 7.15 values; under AR4/AR5, which give one value, both equal ``CH4``.
    """
    key = GwpSet(str(gwp_set).upper())
    table = {"CO2": 1.0}
    table.update({gas: float(v) for gas, v in globalwarmingpotentials.data[_PACKAGE_KEYS[key]].items()})
    table["CH4_fossil"] = table["CH4"]
    table["CH4_non_fossil"] = table["CH4"]
    with resources.files("zerocity.factors").joinpath("data/gwp/supplement.csv").open() as fh:
        supplement = pd.read_csv(fh)
    for row in supplement[supplement["gwp_set"] == key.value].itertuples():
        table[str(row.gas)] = float(row.value)
    return table


def gwp(gas: str, gwp_set: GwpSet | str, *, fossil: bool | None = None) -> float:
    """GWP-100 of one gas [t CO2e per t gas].

    Parameters
    ----------
    gas : str
        Gas name as in the package (``CO2``, ``CH4``, ``N2O``, ``SF6``, ``NF3``, ``HFC134a`` ...).
    gwp_set : GwpSet or str
        ``AR4``, ``AR5`` or ``AR6``.
    fossil : bool, optional
        For CH4 only: ``True`` for fossil origin, ``False`` for biogenic, ``None`` when unknown.

    Raises
    ------
    UnknownGasError
        When the set has no value for the gas.
    """
    table = gwp_table(gwp_set)
    name = gas
    if gas == "CH4" and fossil is not None:
        name = "CH4_fossil" if fossil else "CH4_non_fossil"
    try:
        return table[name]
    except KeyError:
        raise UnknownGasError(f"gas {gas!r} has no GWP in set {gwp_set}") from None
