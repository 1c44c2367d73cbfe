"""Factor library: emission factors, calorific values and conversion coefficients with provenance.

Layers: :mod:`zerocity.factors.model` (records and schema), :mod:`zerocity.factors.library`
(loading and resolution), :mod:`zerocity.factors.gwp` (GWP sets),
:mod:`zerocity.factors.convert` (unit and fuel-specific conversions).
"""

from zerocity.factors.gwp import GwpSet, gwp, gwp_table
from zerocity.factors.library import (
    Activity,
    Candidate,
    FactorLibrary,
    FactorSetInfo,
    Resolution,
    default_library,
    read_factor_file,
)
from zerocity.factors.model import FactorRecord, Parameter

__all__ = [
    "Activity",
    "Candidate",
    "FactorLibrary",
    "FactorRecord",
    "FactorSetInfo",
    "GwpSet",
    "Parameter",
    "Resolution",
    "default_library",
    "gwp",
    "gwp_table",
    "read_factor_file",
]
