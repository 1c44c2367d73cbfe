"""Zerocity brain: analysis of a city's emission drivers (index decomposition, ...)."""

from zerocity.brain.lmdi import (
    KAYA_FACTORS,
    LmdiError,
    LmdiResult,
    Mode,
    decompose,
    kaya,
    kaya_table,
    logmean,
)

__all__ = ["KAYA_FACTORS", "LmdiError", "LmdiResult", "Mode", "decompose", "kaya", "kaya_table", "logmean"]
