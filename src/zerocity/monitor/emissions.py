"""Emission factors of meter readings, resolved once per distinct key and cached.

A reading's emissions are ``quantity [quantity_unit] x factor [t CO2e per quantity_unit]``. The
factor of a key ``(gpc_ref, carrier, quantity_unit, region, year)`` comes from the factor
library through :func:`zerocity.inventory.unit_factors.unit_emissions` (the same resolution an
inventory uses: region fallbacks, nearest valid year, GWP AR5) and is computed once per key per
process, so ingest does no per-reading factor work.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from dataclasses import dataclass

from zerocity.errors import InvalidRecordsError
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.unit_factors import unit_emissions

__all__ = ["FactorCache", "FactorKey", "ResolvedFactor"]

logger = logging.getLogger(__name__)

#: ``(gpc_ref, carrier, quantity_unit, region, year)``.
FactorKey = tuple[str, str, str, str, int]


@dataclass(frozen=True)
class ResolvedFactor:
    """The emissions of one unit of a carrier.

    Attributes
    ----------
    tco2e_per_unit : float
        Emissions of one ``quantity_unit`` [t CO2e per quantity_unit] (fossil; biogenic CO2
        excluded, as in inventories).
    factor_ids : str
        Ids of the library rows used, ``;``-separated (the audit trail).
    """

    tco2e_per_unit: float
    factor_ids: str


class FactorCache:
    """Factors by key, resolved in bulk on first use (thread-safe).

    Parameters
    ----------
    library : FactorLibrary, optional
        Factor library; the default library when omitted.
    """

    def __init__(self, library: FactorLibrary | None = None) -> None:
        self._library = library
        self._factors: dict[FactorKey, ResolvedFactor] = {}
        self._failures: dict[FactorKey, str] = {}
        self._lock = threading.Lock()

    def resolve(self, keys: set[FactorKey]) -> tuple[dict[FactorKey, ResolvedFactor], dict[FactorKey, str]]:
        """Factors of ``keys``, resolving the unknown ones (one library call per region and year).

        Parameters
        ----------
        keys : set of FactorKey
            Keys wanted.

        Returns
        -------
        factors : dict of FactorKey to ResolvedFactor
            The keys the library serves.
        failures : dict of FactorKey to str
            The keys it cannot serve, with the library's reason (also cached).
        """
        with self._lock:
            missing = keys - self._factors.keys() - self._failures.keys()
            grouped: dict[tuple[str, int], list[FactorKey]] = defaultdict(list)
            for key in sorted(missing):
                grouped[(key[3], key[4])].append(key)
            for (region, year), group in grouped.items():
                try:
                    self._compute(group, region, year)
                except InvalidRecordsError:
                    for key in group:  # find the keys that fail, one by one
                        try:
                            self._compute([key], region, year)
                        except InvalidRecordsError as exc:
                            reason = "; ".join(i.message for i in exc.issues) or str(exc)
                            self._failures[key] = reason
                            logger.error("no emission factor for %s: %s", key, reason)
            found = {key: self._factors[key] for key in keys if key in self._factors}
            return found, {key: self._failures[key] for key in keys if key in self._failures}

    def _compute(self, group: list[FactorKey], region: str, year: int) -> None:
        items = [(gpc_ref, carrier, unit) for gpc_ref, carrier, unit, _, _ in group]
        results = unit_emissions(
            items, region=region, year=year, library=self._library, source=f"<meter factors {region} {year}>"
        )
        for key, result in zip(group, results, strict=True):
            self._factors[key] = ResolvedFactor(result.tco2e, result.factor_ids)
            logger.debug("factor %s = %s t CO2e per unit (%s)", key, result.tco2e, result.factor_ids)
