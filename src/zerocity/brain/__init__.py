"""Zerocity brain: why emissions changed and where they are heading.

- :mod:`zerocity.brain.lmdi` -- LMDI-I index decomposition and the Kaya identity.
- :mod:`zerocity.brain.peak` -- carbon-peak prediction (STIRPAT, ETS, Gaussian process; backtests, Monte Carlo).
- :mod:`zerocity.brain.scenario` -- LEAP-style scenario engine (pathways, measures, wedges, exports).
- :mod:`zerocity.brain.ssp` -- SSP1-5 population and GDP growth paths.
"""

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
