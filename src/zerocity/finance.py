"""Discounting shared by every cost figure of the platform (measures, PV, storage, retrofits, plans).

References
----------
Short, W., Packey, D.J., Holt, T. (1995). *A Manual for the Economic Evaluation of Energy
Efficiency and Renewable Energy Technologies*. NREL/TP-462-5173, eq. (4-3) (capital recovery
factor) and section 4 (present value).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["crf"]


def crf(rate: Any, lifetime: Any) -> Any:
    """Capital recovery factor ``CRF(r, n) = r (1+r)^n / ((1+r)^n - 1)``, ``1/n`` at ``r = 0``.

    Parameters
    ----------
    rate : float or array_like
        Discount rate ``r`` [1/yr], > -1.
    lifetime : float or array_like
        Number of yearly instalments ``n`` [yr], > 0.

    Returns
    -------
    float or numpy.ndarray
        Yearly end-of-year payment that repays 1 unit of capital over ``n`` years [1/yr].
    """
    r = np.asarray(rate, dtype=float)
    n = np.asarray(lifetime, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        growth = (1.0 + r) ** n
        value = np.where(r == 0, 1.0 / n, r * growth / (growth - 1.0))
    return float(value) if value.ndim == 0 else value
