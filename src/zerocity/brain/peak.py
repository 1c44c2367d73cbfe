"""Carbon-peak prediction: when a city's emissions peak, how high, and how likely by a target year.

Three model families are fitted to the yearly history of emissions ``E_t`` [t CO2e] and of its
drivers, compared by rolling-origin backtests, and run forward in a Monte Carlo over driver paths and
model uncertainty.

STIRPAT (``stirpat``)
    The stochastic IPAT model (Dietz & Rosa 1994, 1997; York, Rosa & Dietz 2003) in log-linear form,
    with an environmental-Kuznets term in affluence (Grossman & Krueger 1995):

        ln E_t = a + Σ_k b_k ln X_{k,t} + c (ln A_t − m)² + Σ_j s_j S_{j,t} + ε_t,

    ``X_k`` the magnitude drivers (population [persons], GDP per person ``A`` [currency per person],
    energy intensity [energy per unit of GDP]; ``b_k`` are elasticities [unitless]), ``S_j`` the share
    drivers as fractions (industry share of GDP, urbanisation, non-fossil share of energy; ``s_j`` are
    semi-elasticities [per unit share]), ``m`` the mean of ``ln A`` over the fit. With ``c < 0`` the
    affluence elasticity ``b_A + 2c (ln A − m)`` falls as income grows and turns negative at the
    turning point ``A* = exp(m − b_A / (2c))``: this is what lets the model produce a peak.
    Estimated by ridge regression (Hoerl & Kennard 1970) on standardised regressors; the penalty
    ``α`` is chosen by the exact leave-one-out error of the ridge smoother,
    ``mean((e_i / (1 − h_ii))²)`` with ``h_ii`` the diagonal of the hat matrix (Hastie, Tibshirani &
    Friedman 2009, §7.10), over ``α ∈ [1e-6, 1e3]``. Residuals are modelled as AR(1),
    ``ε_t = ρ ε_{t−1} + η_t``: the forecast starts from the last residual and lets it decay by ``ρ^h``.
    Parameter draws are Gaussian with the ridge covariance
    ``σ² (Z'Z + αI)⁻¹ Z'Z (Z'Z + αI)⁻¹``, inflated by ``(1 + ρ)/(1 − ρ)`` for autocorrelated residuals
    (the effective-sample-size correction for AR(1) data, e.g. Wilks 2011).

ETS (``ets``)
    Exponential smoothing with additive errors and an additive damped trend, ETS(A,Ad,N), on
    ``y_t = ln E_t`` (Gardner & McKenzie 1985; Hyndman et al. 2008), fitted by statsmodels:
    ``y_t = ℓ_{t−1} + φ b_{t−1} + e_t``, ``ℓ_t = ℓ_{t−1} + φ b_{t−1} + α e_t``,
    ``b_t = φ b_{t−1} + β e_t``. Paths come from statsmodels' ``simulate`` with the errors supplied,
    so that the trend part of each path is known (see *Peak* below). A damped trend cannot turn a
    rising series down by itself: ETS says "already peaked" when the current trend is negative,
    otherwise it reports a plateau or continued growth. Its parameters are not resampled.

Gaussian process on growth rates (``gp``, the machine-learning model)
    ``Δ ln E_t = f(Δx_t, ln A_t) + u_t`` with ``Δx_t`` the yearly changes of the transformed
    drivers and ``ln A_t`` the income level when GDP per person is a driver (the growth form of the
    Kuznets term: the income elasticity depends on income), all standardised (a feature that did not
    vary in the training years, by less than 0.001, is left out); ``f ~ GP(0, k)`` with
    ``k = σ_l² (σ_0² + x·x') + σ_r² exp(−|x − x'|² / 2ℓ²)``, ``u_t`` white noise; hyper-parameters
    by maximum marginal likelihood (Rasmussen & Williams 2006, ch. 2 and 5).
    Why this model and not trees: with 8 to 30 yearly observations a flexible learner must be
    strongly regularised, and forecasts need driver values outside the historical range.
    Tree ensembles (random forest, gradient boosting) predict a constant outside the range of the
    training data, which on levels manufactures a plateau (a spurious "peak"), and on growth rates
    can never predict a decline that was never observed. The linear kernel extrapolates like a
    growth-rate (Kaya-type) regression, the RBF kernel adds non-linearity where there are data, and
    the GP gives the uncertainty of ``f`` that the Monte Carlo needs. A run draws one standard-normal
    ``z`` and uses ``mean + z · sd_f`` in all its years (function uncertainty), plus ``u_t``.

Driver paths
    Drivers are transformed (log of magnitudes, fractions of shares). By default each is
    extrapolated from its last value with its recent trend, damped (Gardner & McKenzie 1985):
    ``x_{T+h} = x_T + ĝ Σ_{j=1..h} φ^j``, ``ĝ`` the least-squares slope over the last
    ``trend_years`` years (default 8), ``φ = damping`` (default 0.95: the yearly change falls to
    ``0.95^h`` of today's; the total future change is at most ``ĝ φ/(1 − φ) = 19 ĝ``). Shares are
    kept within [0, 1]. A scenario table replaces the central path of the drivers it gives. Each
    Monte Carlo run shifts the yearly changes of all drivers by ``δ_r`` (also damped), drawn with
    the covariance of the drivers' historical yearly changes over the same years (times
    ``driver_spread``): the uncertainty of a long-run growth rate is taken as the year-to-year
    variability of that rate. All models see the same driver draws (common random numbers).

Backtest (Tashman 2000)
    Rolling origin with re-estimation: from each of the last ``backtest_origins`` years ``o`` before
    the final year the model is re-fitted on the years up to ``o`` and forecasts the next
    ``backtest_horizon`` years (fewer near the end); driver paths are projected ex ante from the same
    training years, so the errors include the error of projecting the drivers. Errors are pooled over
    origins and lead times: ``MAPE = 100/N Σ |E − Ê| / E`` [%], ``RMSE = sqrt(1/N Σ (E − Ê)²)``
    [t CO2e] (Hyndman & Athanasopoulos 2021, §5.8). The model with the lowest MAPE is chosen.

Peak
    A run's path is the observed history followed by its forecast. The peak year of a run is the
    argmax of that path; if the maximum is in the last forecast year the run does not peak by the
    horizon (it is still rising) and counts in ``p_no_peak``, never as a peak in the last year. The
    argmax is taken on the run's *trend path*, i.e. without the year-to-year shocks (STIRPAT: the AR(1)
    innovations, ETS: the level shocks ``α e_t``, GP: ``u_t``); the shocks widen the fan of
    ``paths`` but do not move the peak, because noise on a plateau always has a maximum somewhere,
    which is not a peak. ``peak_year`` is the median run (the lower median, an actual run's year)
    counting "no peak" as later than any year, so it is None when more than half of the runs do not
    peak; intervals are the 5 % and 95 % quantiles in the same order. ``p_peak_before`` is the share of
    runs that peak in or before ``before`` (the 2030 target reads "peak before 2030").

References
----------
Dietz, T., Rosa, E.A. (1994). Rethinking the environmental impacts of population, affluence and
technology. Human Ecology Review 1, 277-300.
Dietz, T., Rosa, E.A. (1997). Effects of population and affluence on CO2 emissions. PNAS 94(1),
175-179. doi:10.1073/pnas.94.1.175
York, R., Rosa, E.A., Dietz, T. (2003). STIRPAT, IPAT and ImPACT: analytic tools for unpacking the
driving forces of environmental impacts. Ecological Economics 46(3), 351-365.
doi:10.1016/S0921-8009(03)00188-5
Grossman, G.M., Krueger, A.B. (1995). Economic growth and the environment. Quarterly Journal of
Economics 110(2), 353-377. doi:10.2307/2118443
Hoerl, A.E., Kennard, R.W. (1970). Ridge regression: biased estimation for nonorthogonal problems.
Technometrics 12(1), 55-67. doi:10.1080/00401706.1970.10488634
Hastie, T., Tibshirani, R., Friedman, J. (2009). The Elements of Statistical Learning, 2nd ed.
Springer.
Wilks, D.S. (2011). Statistical Methods in the Atmospheric Sciences, 3rd ed. Academic Press.
Gardner, E.S., McKenzie, E. (1985). Forecasting trends in time series. Management Science 31(10),
1237-1246. doi:10.1287/mnsc.31.10.1237
Hyndman, R.J., Koehler, A.B., Ord, J.K., Snyder, R.D. (2008). Forecasting with Exponential
Smoothing: the State Space Approach. Springer.
Rasmussen, C.E., Williams, C.K.I. (2006). Gaussian Processes for Machine Learning. MIT Press.
Tashman, L.J. (2000). Out-of-sample tests of forecasting accuracy: an analysis and review.
International Journal of Forecasting 16(4), 437-450. doi:10.1016/S0169-2070(00)00065-0
Hyndman, R.J., Athanasopoulos, G. (2021). Forecasting: Principles and Practice, 3rd ed. OTexts.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.jsonio import jsonable

__all__ = [
    "MIN_YEARS",
    "Backtest",
    "Driver",
    "PeakError",
    "PeakModel",
    "PeakResult",
    "PeakSettings",
    "PeakStatus",
    "PeakSummary",
    "StirpatFit",
    "backtest",
    "fit_stirpat",
    "mape",
    "predict_peak",
    "rmse",
]

log = logging.getLogger(__name__)

#: Fewest years of history accepted [years].
MIN_YEARS = 8
#: Fewest years a model is fitted on in a backtest [years].
MIN_TRAIN = 6
#: Quantiles of the reported intervals and fan (a central 90 % interval).
LOW, HIGH = 0.05, 0.95
#: Ridge penalties searched by leave-one-out [unitless, on standardised regressors].
RIDGE_ALPHAS = np.logspace(-6, 3, 37)
#: Cap on the AR(1) coefficient of STIRPAT residuals [unitless].
RHO_MAX = 0.9
#: GP features varying less than this in the training years are left out; floor of their scale
#: [change of log or of share per year; ln A for the income level].
GROWTH_SCALE_FLOOR = 1e-3
#: Points per GP prediction call (bounds memory: the call holds an array of n_train x chunk floats).
GP_CHUNK = 50_000


class PeakError(ZerocityError, ValueError):
    """A peak prediction that cannot be set up (missing column, too few years, bad settings, ...)."""

    code = "peak"


class Driver(StrEnum):
    """Driver columns the models use, in this order (the value is the column name).

    ``population`` [persons], ``gdp_per_capita`` [currency per person; or given as ``gdp`` with
    ``population``], ``energy_intensity`` [energy per unit of GDP] enter in logs; ``industry_share``
    (secondary industry in GDP), ``urbanisation`` and ``non_fossil_share`` (of primary energy) enter
    as fractions [0-1] (a column whose maximum is above 1 is read as percent).
    """

    POPULATION = "population"
    GDP_PER_CAPITA = "gdp_per_capita"
    INDUSTRY_SHARE = "industry_share"
    ENERGY_INTENSITY = "energy_intensity"
    URBANISATION = "urbanisation"
    NON_FOSSIL_SHARE = "non_fossil_share"


#: Drivers entered as fractions, not in logs.
SHARES = frozenset({Driver.INDUSTRY_SHARE, Driver.URBANISATION, Driver.NON_FOSSIL_SHARE})


class PeakModel(StrEnum):
    """Forecasting models (see the module docstring); ``auto`` picks the lowest backtest MAPE."""

    AUTO = "auto"
    STIRPAT = "stirpat"
    ETS = "ets"
    GP = "gp"


class PeakStatus(StrEnum):
    """Where the median run peaks."""

    PEAKED = "peaked"  # the maximum is in the observed history
    PEAKS = "peaks"  # the maximum is in the forecast, before the horizon
    NOT_BY_HORIZON = "not_by_horizon"  # still rising at the horizon


@dataclass(frozen=True)
class PeakSettings:
    """Tuning of :func:`predict_peak` (defaults documented in the module docstring).

    Attributes
    ----------
    damping : float
        ``φ`` of the damped driver trends, ``0 < φ <= 1`` [unitless per year]; 1 = no damping.
    trend_years : int
        Years of history the driver trends and their variability are taken from [years], >= 3.
    driver_spread : float
        Multiplier of the historical variability of driver changes in the Monte Carlo [unitless];
        0 = drivers exactly on their central path.
    backtest_horizon : int
        Lead times forecast from each backtest origin [years].
    backtest_origins : int
        Number of backtest origins (the last years before the final one).
    ridge_alpha : float, optional
        STIRPAT ridge penalty on standardised regressors; None = chosen by leave-one-out.
    """

    damping: float = 0.95
    trend_years: int = 8
    driver_spread: float = 1.0
    backtest_horizon: int = 3
    backtest_origins: int = 5
    ridge_alpha: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.damping <= 1:
            raise PeakError(f"damping must be in (0, 1], got {self.damping}")
        if self.trend_years < 3:
            raise PeakError(f"trend_years must be >= 3, got {self.trend_years}")
        if self.driver_spread < 0:
            raise PeakError(f"driver_spread must be >= 0, got {self.driver_spread}")
        if self.backtest_horizon < 1 or self.backtest_origins < 1:
            raise PeakError("backtest_horizon and backtest_origins must be >= 1")
        if self.ridge_alpha is not None and self.ridge_alpha < 0:
            raise PeakError(f"ridge_alpha must be >= 0, got {self.ridge_alpha}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of the settings."""
        return {
            "damping": self.damping,
            "trend_years": self.trend_years,
            "driver_spread": self.driver_spread,
            "backtest_horizon": self.backtest_horizon,
            "backtest_origins": self.backtest_origins,
            "ridge_alpha": self.ridge_alpha,
        }


# --------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class _History:
    """Validated history, sorted by year: ``x`` holds the transformed drivers (log or fraction)."""

    years: np.ndarray
    ln_e: np.ndarray
    x: np.ndarray
    drivers: tuple[Driver, ...]
    notes: tuple[str, ...]

    @property
    def bounded(self) -> np.ndarray:
        return np.array([d in SHARES for d in self.drivers], dtype=bool)


def _numeric(data: pd.DataFrame, col: str, rows: np.ndarray, issues: list[RecordIssue], *, positive: bool) -> pd.Series:
    raw = data[col]
    num = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = (num.isna() | ~np.isfinite(num)).to_numpy()
    for r, v in zip(rows[bad], raw[bad], strict=True):
        issues.append(RecordIssue(int(r), col, "not a (finite) number", "" if pd.isna(v) else str(v)))
    num = num.where(~bad)
    if positive:
        bad = (num <= 0).to_numpy()
        for r, v in zip(rows[bad], num[bad], strict=True):
            issues.append(RecordIssue(int(r), col, "must be > 0 (it enters in logs)", repr(float(v))))
    return num


def _share(
    data: pd.DataFrame, col: str, rows: np.ndarray, issues: list[RecordIssue], notes: list[str], what: str
) -> pd.Series:
    num = _numeric(data, col, rows, issues, positive=False)
    top = num.max(skipna=True)
    if pd.notna(top) and 1 < top <= 100:
        notes.append(f"{what}: {col} read as percent (maximum {top:g} > 1)")
        num = num / 100.0
    bad = ((num < 0) | (num > 1)).to_numpy()
    for r, v in zip(rows[bad], data[col][bad], strict=True):
        issues.append(RecordIssue(int(r), col, "a share must be within 0..1 (or 0..100 %)", str(v)))
    return num


def _drivers_of(
    data: pd.DataFrame, rows: np.ndarray, issues: list[RecordIssue], notes: list[str], what: str
) -> dict[Driver, pd.Series]:
    """Driver values of a table (raw units; shares as fractions), keyed by driver."""
    present = {c for c in data.columns if not data[c].isna().all()}
    for c in data.columns:
        if c in {d.value for d in Driver} | {"gdp"} and c not in present:
            notes.append(f"{what}: column {c!r} is empty and is not used")
    out: dict[Driver, pd.Series] = {}
    for d in Driver:
        if d.value in present:
            if d in SHARES:
                out[d] = _share(data, d.value, rows, issues, notes, what)
            else:
                out[d] = _numeric(data, d.value, rows, issues, positive=True)
    if Driver.GDP_PER_CAPITA not in out and "gdp" in present:
        if Driver.POPULATION in out:
            gdp = _numeric(data, "gdp", rows, issues, positive=True)
            out[Driver.GDP_PER_CAPITA] = gdp / out[Driver.POPULATION]
            notes.append(f"{what}: gdp_per_capita = gdp / population")
        else:
            notes.append(f"{what}: column 'gdp' is not used (gdp_per_capita needs population)")
    return dict(sorted(out.items(), key=lambda kv: list(Driver).index(kv[0])))


def _transform(values: dict[Driver, pd.Series], n: int) -> np.ndarray:
    """Model scale of the drivers (n, K): log of magnitudes, fractions of shares."""
    cols = [v.to_numpy(dtype=float) if d in SHARES else np.log(v.to_numpy(dtype=float)) for d, v in values.items()]
    return np.column_stack(cols) if cols else np.empty((n, 0))


def _years(data: pd.DataFrame, rows: np.ndarray, issues: list[RecordIssue]) -> pd.Series:
    raw = data["year"]
    year = pd.to_numeric(raw, errors="coerce").astype(float)
    bad = (year.isna() | (year != np.round(year))).to_numpy()
    for r, v in zip(rows[bad], raw[bad], strict=True):
        issues.append(RecordIssue(int(r), "year", "not a whole year", "" if pd.isna(v) else str(v)))
    dup = year.duplicated(keep="first").to_numpy() & ~year.isna().to_numpy()
    for r, v in zip(rows[dup], year[dup], strict=True):
        issues.append(RecordIssue(int(r), "year", "duplicate year", f"{v:g}"))
    return year


def _read_history(frame: pd.DataFrame, emissions: str, source: str) -> _History:
    for col in ("year", emissions):
        if col not in frame.columns:
            raise PeakError(f"{source}: no column {col!r}; columns are {list(frame.columns)}")
    data = frame.reset_index(drop=True)
    rows = np.arange(1, len(data) + 1)
    issues: list[RecordIssue] = []
    notes: list[str] = []
    year = _years(data, rows, issues)
    e = _numeric(data, emissions, rows, issues, positive=True)
    values = _drivers_of(data.drop(columns=[emissions]), rows, issues, notes, "history")
    ok = year.notna() & ~year.duplicated(keep="first")
    order = year[ok].sort_values()
    for prev, (idx, y) in zip(order.to_numpy()[:-1], list(order.items())[1:], strict=True):
        if y - prev > 1:
            issues.append(
                RecordIssue(int(rows[idx]), "year", f"years must be consecutive: {prev:g} is followed by {y:g}")
            )
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    if len(data) < MIN_YEARS:
        raise PeakError(f"{source}: {len(data)} year(s) of history in column 'year'; at least {MIN_YEARS} are needed")
    idx = order.index
    x = _transform({d: v.loc[idx] for d, v in values.items()}, len(idx))
    return _History(
        years=order.to_numpy(dtype=int),
        ln_e=np.log(e.loc[idx].to_numpy(dtype=float)),
        x=x,
        drivers=tuple(values),
        notes=tuple(notes),
    )


def _read_scenario(
    table: pd.DataFrame, hist: _History, future: np.ndarray, source: str
) -> tuple[np.ndarray, list[str]]:
    """Central driver paths (H, K) from a scenario table; NaN columns for drivers it does not give."""
    if "year" not in table.columns:
        raise PeakError(f"{source}: no column 'year'; columns are {list(table.columns)}")
    data = table.reset_index(drop=True)
    rows = np.arange(1, len(data) + 1)
    issues: list[RecordIssue] = []
    notes: list[str] = []
    year = _years(data, rows, issues)
    given = _drivers_of(data, rows, issues, notes, "drivers")
    if "gdp" in data.columns and Driver.GDP_PER_CAPITA in hist.drivers and Driver.GDP_PER_CAPITA not in given:
        raise PeakError(f"{source}: column 'gdp' needs 'population' in the same table (or give gdp_per_capita)")
    if issues:
        raise InvalidRecordsError(source, sorted(issues, key=lambda i: (i.row, i.column)))
    used = [d for d in given if d in hist.drivers]
    ignored = [d.value for d in given if d not in hist.drivers]
    if ignored:
        notes.append(f"drivers: {ignored} not in the history, not used")
    central = np.full((len(future), len(hist.drivers)), np.nan)
    if not used:
        notes.append("drivers: the scenario table gives none of the drivers used; trends are used")
        return central, notes
    pos = pd.Series(np.arange(len(year)), index=year.to_numpy())
    missing = [int(y) for y in future if y not in pos.index]
    if missing:
        raise PeakError(
            f"{source}: years {missing} missing in column 'year' (the scenario must cover every year to the horizon)"
        )
    sel = pos.loc[future].to_numpy()
    x = _transform({d: given[d].iloc[sel] for d in used}, len(sel))
    for j, d in enumerate(used):
        central[:, hist.drivers.index(d)] = x[:, j]
    return central, notes


# --------------------------------------------------------------------------------------------------
# Driver paths


def _driver_trend(x: np.ndarray, trend_years: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope of each column over the last ``trend_years`` rows and the centred yearly changes."""
    w = x[-min(trend_years, len(x)) :]
    t = np.arange(len(w), dtype=float) - (len(w) - 1) / 2
    slope = t @ (w - w.mean(axis=0)) / (t @ t)
    d = np.diff(w, axis=0)
    return slope, d - d.mean(axis=0)


def _driver_paths(
    x: np.ndarray,
    horizon: int,
    settings: PeakSettings,
    bounded: np.ndarray,
    *,
    central: np.ndarray | None = None,
    z: np.ndarray | None = None,
) -> np.ndarray:
    """Driver paths (runs, horizon, K): damped trend (or ``central``) shifted by ``δ_r`` per run.

    ``z`` holds standard normals of shape (runs, changes) with ``changes = min(trend_years, n) − 1``;
    without it one central path (1, horizon, K) is returned.
    """
    slope, changes = _driver_trend(x, settings.trend_years)
    cum = np.cumsum(settings.damping ** np.arange(1, horizon + 1))
    base = x[-1] + cum[:, None] * slope[None, :]
    if central is not None:
        base = np.where(np.isnan(central), base, central)
    paths = base[None, :, :]
    if z is not None and settings.driver_spread > 0 and x.shape[1]:
        delta = settings.driver_spread * (z @ changes) / np.sqrt(max(len(changes) - 1, 1))
        paths = paths + cum[None, :, None] * delta[:, None, :]
    if bounded.any():
        paths = paths.copy()
        paths[..., bounded] = np.clip(paths[..., bounded], 0.0, 1.0)
    return paths


# --------------------------------------------------------------------------------------------------
# STIRPAT


@dataclass(frozen=True)
class StirpatFit:
    """A fitted STIRPAT ridge model ``ln E = a + Σ b_k ln X_k + c (ln A − m)² + Σ s_j S_j``.

    Attributes
    ----------
    drivers : tuple of Driver
    terms : tuple of str
        Regressor names: the driver names, and ``gdp_per_capita_sq`` for ``(ln A − m)²``.
    intercept : float
        ``a`` [ln t CO2e].
    coef : numpy.ndarray
        One coefficient per term: elasticities of the log drivers [unitless], ``c`` [unitless],
        semi-elasticities of the shares [per unit share].
    centre : float or None
        ``m``, the mean of ``ln A`` over the fit (None without GDP per capita).
    alpha : float
        Ridge penalty on standardised regressors.
    sigma : float
        Residual standard deviation ``sqrt(RSS / (n − df))`` [ln units], ``df`` = trace of the hat matrix.
    rho : float
        Lag-1 autocorrelation of the residuals, clipped to [0, 0.9].
    r2 : float
        Coefficient of determination of ``ln E``.
    last_resid : float
        Residual of the last fitted year [ln units].
    """

    drivers: tuple[Driver, ...]
    terms: tuple[str, ...]
    intercept: float
    coef: np.ndarray
    centre: float | None
    alpha: float
    sigma: float
    rho: float
    r2: float
    last_resid: float
    x_mean: np.ndarray = field(repr=False)
    x_scale: np.ndarray = field(repr=False)
    y_mean: float = field(repr=False)
    beta_std: np.ndarray = field(repr=False)
    cov_root: np.ndarray = field(repr=False)  # (r, p): beta draws = beta_std + z @ cov_root
    n: int = field(repr=False)

    @property
    def coefficients(self) -> dict[str, float]:
        """Term -> coefficient (see :attr:`coef`)."""
        return dict(zip(self.terms, self.coef.tolist(), strict=True))

    @property
    def ekc_turning_point(self) -> float | None:
        """GDP per person at which the affluence elasticity is zero, ``exp(m − b_A/(2c))``, if ``c < 0``."""
        if self.centre is None:
            return None
        c = self.coefficients["gdp_per_capita_sq"]
        if c >= 0:
            return None
        return float(np.exp(self.centre - self.coefficients[Driver.GDP_PER_CAPITA.value] / (2 * c)))

    def design(self, x: np.ndarray) -> np.ndarray:
        """Regressors (..., terms) of transformed drivers (..., K)."""
        return _design(x, self.drivers, self.centre)

    def predict_ln(self, x: np.ndarray) -> np.ndarray:
        """Fitted ``ln E`` (without residual) of transformed drivers (..., K)."""
        z = (self.design(x) - self.x_mean) / self.x_scale
        return self.y_mean + z @ self.beta_std

    def to_dict(self) -> dict[str, Any]:
        """Coefficients and fit statistics."""
        return jsonable(
            {
                "intercept": self.intercept,
                "coefficients": self.coefficients,
                "centre_ln_gdp_per_capita": self.centre,
                "ekc_turning_point_gdp_per_capita": self.ekc_turning_point,
                "ridge_alpha": self.alpha,
                "sigma_ln": self.sigma,
                "rho": self.rho,
                "r2": self.r2,
            }
        )


def _design(x: np.ndarray, drivers: tuple[Driver, ...], centre: float | None) -> np.ndarray:
    """STIRPAT regressors: the transformed drivers with ``(ln A − m)²`` after ``ln A``."""
    if centre is None:
        return x
    k = drivers.index(Driver.GDP_PER_CAPITA)
    sq = (x[..., k] - centre) ** 2
    return np.concatenate([x[..., : k + 1], sq[..., None], x[..., k + 1 :]], axis=-1)


def _lag1(e: np.ndarray) -> float:
    den = float(e @ e)
    return 0.0 if den <= 0 or len(e) < 3 else float(e[1:] @ e[:-1]) / den


def _fit_stirpat(x: np.ndarray, ln_e: np.ndarray, drivers: tuple[Driver, ...], alpha: float | None) -> StirpatFit:
    if not drivers:
        raise PeakError("STIRPAT needs at least one driver column")
    centre = float(x[:, drivers.index(Driver.GDP_PER_CAPITA)].mean()) if Driver.GDP_PER_CAPITA in drivers else None
    design = _design(x, drivers, centre)
    terms = [d.value for d in drivers]
    if centre is not None:
        terms.insert(drivers.index(Driver.GDP_PER_CAPITA) + 1, "gdp_per_capita_sq")
    n = len(ln_e)
    mean = design.mean(axis=0)
    scale = design.std(axis=0)
    scale = np.where(scale > 1e-12, scale, 1.0)
    z = (design - mean) / scale
    y_mean = float(ln_e.mean())
    yc = ln_e - y_mean
    u, s, vt = np.linalg.svd(z, full_matrices=False)
    uy = u.T @ yc
    s2 = s**2
    live = s2 > 1e-12 * max(float(s2.max(initial=0.0)), 1e-300)  # directions the data identify
    inv_s = np.where(live, 1.0 / np.where(live, s, 1.0), 0.0)

    def shrinkage(a: float) -> np.ndarray:
        """Ridge factors ``s² / (s² + α)`` (the pseudo-inverse's 0/1 when α = 0)."""
        return np.where(live, s2 / (s2 + a), 0.0) if a > 0 else live.astype(float)

    def solve(a: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        shrink = shrinkage(a)
        beta = vt.T @ (shrink * inv_s * uy)
        hat = (u**2) @ shrink + 1.0 / n
        resid = yc - z @ beta
        return beta, resid, hat, float(shrink.sum() + 1)

    if alpha is None:
        scores = []
        for a in RIDGE_ALPHAS:
            _, resid, hat, _ = solve(float(a))
            with np.errstate(divide="ignore", invalid="ignore"):
                loo = np.where(1 - hat > 1e-9, resid / (1 - hat), np.inf)
            scores.append(float(np.mean(loo**2)))
        alpha = float(RIDGE_ALPHAS[int(np.argmin(scores))])
    beta, resid, _, df = solve(alpha)
    sigma = float(np.sqrt(resid @ resid / max(n - df, 1.0)))
    rho = float(np.clip(_lag1(resid), 0.0, RHO_MAX))
    inflate = (1 + rho) / (1 - rho)
    sd = sigma * np.sqrt(inflate) * shrinkage(alpha) * inv_s
    cov_root = sd[:, None] * vt  # Cov(beta_std) = V diag(sd²) V' = σ² (Z'Z+αI)⁻¹ Z'Z (Z'Z+αI)⁻¹ × inflation
    coef = beta / scale
    total = float(yc @ yc)
    return StirpatFit(
        drivers=drivers,
        terms=tuple(terms),
        intercept=float(y_mean - coef @ mean),
        coef=coef,
        centre=centre,
        alpha=float(alpha),
        sigma=sigma,
        rho=rho,
        r2=1.0 - float(resid @ resid) / total if total > 0 else 1.0,
        last_resid=float(resid[-1]),
        x_mean=mean,
        x_scale=scale,
        y_mean=y_mean,
        beta_std=beta,
        cov_root=cov_root,
        n=n,
    )


def fit_stirpat(
    frame: pd.DataFrame, *, emissions: str = "emissions", alpha: float | None = None, source: str = "table"
) -> StirpatFit:
    """Fit the STIRPAT ridge model to a yearly table (see the module docstring for the formula).

    Parameters
    ----------
    frame : pandas.DataFrame
        ``year``, ``emissions`` [t CO2e] and driver columns (:class:`Driver`; ``gdp`` with
        ``population`` gives ``gdp_per_capita``).
    emissions : str
        Emissions column.
    alpha : float, optional
        Ridge penalty on standardised regressors; None chooses it by leave-one-out error.
    source : str
        Name of the input in error messages.

    Returns
    -------
    StirpatFit

    References
    ----------
    York, Rosa & Dietz (2003), Ecological Economics 46(3), 351-365; Hoerl & Kennard (1970).
    """
    hist = _read_history(frame, emissions, source)
    return _fit_stirpat(hist.x, hist.ln_e, hist.drivers, alpha)


def _stirpat_point(fit: StirpatFit, paths: np.ndarray) -> np.ndarray:
    """Point forecast of ``ln E`` (H,) on one driver path (1, H, K)."""
    h = np.arange(1, paths.shape[1] + 1)
    return fit.predict_ln(paths[0]) + fit.rho**h * fit.last_resid


def _stirpat_runs(
    fit: StirpatFit, x_last: np.ndarray, ln_e_last: float, paths: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Trend and full ``ln E`` paths (runs, H): parameter draws, driver paths, AR(1) residuals."""
    runs, horizon = paths.shape[:2]
    beta = fit.beta_std + rng.standard_normal((runs, fit.cov_root.shape[0])) @ fit.cov_root
    ybar = fit.y_mean + fit.sigma * np.sqrt((1 + fit.rho) / (1 - fit.rho) / fit.n) * rng.standard_normal(runs)
    z_future = (fit.design(paths) - fit.x_mean) / fit.x_scale  # (runs, H, p)
    z_last = (fit.design(x_last) - fit.x_mean) / fit.x_scale  # (p,)
    resid_last = ln_e_last - (ybar + beta @ z_last)
    h = np.arange(1, horizon + 1)
    trend = ybar[:, None] + np.einsum("rhp,rp->rh", z_future, beta) + fit.rho ** h[None, :] * resid_last[:, None]
    shocks = rng.standard_normal((runs, horizon)) * fit.sigma * np.sqrt(1 - fit.rho**2)
    noise = np.zeros((runs, horizon))
    prev = np.zeros(runs)
    for j in range(horizon):  # AR(1) over years, vectorised over runs
        prev = fit.rho * prev + shocks[:, j]
        noise[:, j] = prev
    return trend, trend + noise


# --------------------------------------------------------------------------------------------------
# ETS


@dataclass(frozen=True)
class _EtsFit:
    results: Any
    alpha: float
    beta: float
    phi: float
    sigma: float
    level: float
    trend: float

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "form": "ETS(A,Ad,N) on ln E",
                "smoothing_level": self.alpha,
                "smoothing_trend": self.beta,
                "damping_trend": self.phi,
                "sigma_ln": self.sigma,
                "last_level_ln": self.level,
                "last_trend_ln": self.trend,
                "aic": float(self.results.aic),
            }
        )


def _fit_ets(ln_e: np.ndarray) -> _EtsFit:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(ln_e, error="add", trend="add", damped_trend=True, initialization_method="estimated")
        res = model.fit(disp=False)
    level, trend = (float(v) for v in np.asarray(res.states)[-1, :2])
    return _EtsFit(
        results=res,
        alpha=float(res.smoothing_level),
        beta=float(res.smoothing_trend),
        phi=float(res.damping_trend),
        sigma=float(np.sqrt(res.scale)),
        level=level,
        trend=trend,
    )


def _ets_point(fit: _EtsFit, horizon: int) -> np.ndarray:
    return fit.level + np.cumsum(fit.phi ** np.arange(1, horizon + 1)) * fit.trend


def _ets_runs(fit: _EtsFit, horizon: int, runs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Trend and full ``ln E`` paths (runs, H) from statsmodels' ``simulate`` with given errors.

    The trend path integrates the simulated trend state without the level shocks ``α e_t``:
    ``s_h = s_{h−1} + φ b_{h−1}``, ``b_h = φ b_{h−1} + β e_h``, ``s_0 = ℓ_T``.
    """
    errors = rng.standard_normal((horizon, runs)) * fit.sigma
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = fit.results.simulate(horizon, anchor="end", repetitions=runs, random_errors=errors)
    full = np.asarray(sim, dtype=float).reshape(horizon, runs).T
    trend = np.empty((runs, horizon))
    s = np.full(runs, fit.level)
    b = np.full(runs, fit.trend)
    for h in range(horizon):
        s = s + fit.phi * b
        b = fit.phi * b + fit.beta * errors[h]
        trend[:, h] = s
    return trend, full


# --------------------------------------------------------------------------------------------------
# Gaussian process on growth rates


def _gp_features(x: np.ndarray, level: int | None) -> np.ndarray:
    """GP features of consecutive driver rows (..., T, K) -> (..., T − 1, F).

    The yearly changes of the transformed drivers, and the level of ``ln A`` in the later year when
    GDP per person is a driver (the growth form of the Kuznets term: the income elasticity depends
    on the income level).
    """
    dx = np.diff(x, axis=-2)
    if level is None:
        return dx
    return np.concatenate([dx, x[..., 1:, level : level + 1]], axis=-1)


@dataclass(frozen=True)
class _GpFit:
    model: Any
    level: int | None
    keep: np.ndarray
    x_mean: np.ndarray
    x_scale: np.ndarray
    y_mean: float
    y_scale: float
    noise_sd: float

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and sd of ``f`` (growth of ln E per year) along driver rows (..., T, K) -> (..., T − 1)."""
        feats = _gp_features(x, self.level)[..., self.keep]
        flat = ((feats - self.x_mean) / self.x_scale).reshape(-1, feats.shape[-1])
        parts = [self.model.predict(flat[i : i + GP_CHUNK], return_std=True) for i in range(0, len(flat), GP_CHUNK)]
        mean = np.concatenate([p[0] for p in parts]).reshape(feats.shape[:-1])
        sd = np.concatenate([p[1] for p in parts]).reshape(feats.shape[:-1])
        sd_f = np.sqrt(np.maximum(sd**2 - self.model.kernel_.k2.noise_level, 0.0))
        return np.asarray(self.y_mean + self.y_scale * mean), np.asarray(self.y_scale * sd_f)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "form": "GP on yearly growth: d ln E = f(d drivers, ln A) + u",
                "kernel": str(self.model.kernel_),
                "log_marginal_likelihood": float(self.model.log_marginal_likelihood_value_),
                "mean_growth": self.y_mean,
                "noise_sd": self.noise_sd,
            }
        )


def _fit_gp(x: np.ndarray, ln_e: np.ndarray, drivers: tuple[Driver, ...], seed: int) -> _GpFit:
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, DotProduct, WhiteKernel
    from sklearn.gaussian_process.kernels import ConstantKernel as Amp

    if x.shape[1] == 0:
        raise PeakError("the GP model needs at least one driver column")
    level = drivers.index(Driver.GDP_PER_CAPITA) if Driver.GDP_PER_CAPITA in drivers else None
    feats = _gp_features(x, level)
    keep = feats.std(axis=0) >= GROWTH_SCALE_FLOOR
    if not keep.any():  # drivers on exact trends: the mean growth is all there is to learn
        keep[-1] = True
    feats = feats[:, keep]
    dy = np.diff(ln_e)
    x_mean = feats.mean(axis=0)
    x_scale = np.maximum(feats.std(axis=0), GROWTH_SCALE_FLOOR)
    y_mean = float(dy.mean())
    y_scale = float(max(dy.std(), GROWTH_SCALE_FLOOR))
    kernel = (
        Amp(0.5, (1e-4, 1e2)) * DotProduct(sigma_0=1.0, sigma_0_bounds=(1e-3, 1e2))
        + Amp(0.1, (1e-4, 1e2)) * RBF(1.0, (0.1, 100.0))
        + WhiteKernel(0.1, (1e-6, 10.0))
    )
    gp = GaussianProcessRegressor(kernel, alpha=1e-10, n_restarts_optimizer=1, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gp.fit((feats - x_mean) / x_scale, (dy - y_mean) / y_scale)
    noise_sd = y_scale * float(np.sqrt(gp.kernel_.k2.noise_level))
    return _GpFit(gp, level, keep, x_mean, x_scale, y_mean, y_scale, noise_sd)


def _with_last(x_last: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """Driver paths (runs, H, K) preceded by the last year of history: (runs, H + 1, K)."""
    return np.concatenate([np.broadcast_to(x_last, (paths.shape[0], 1, paths.shape[2])), paths], axis=1)


def _gp_point(fit: _GpFit, x_last: np.ndarray, ln_e_last: float, paths: np.ndarray) -> np.ndarray:
    mean, _ = fit.predict(_with_last(x_last, paths))
    return ln_e_last + np.cumsum(mean[0])


def _gp_runs(
    fit: _GpFit, x_last: np.ndarray, ln_e_last: float, paths: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Trend and full ``ln E`` paths (runs, H): one function draw per run, white growth shocks."""
    mean, sd_f = fit.predict(_with_last(x_last, paths))
    runs, horizon = mean.shape
    growth = mean + rng.standard_normal((runs, 1)) * sd_f
    shocks = rng.standard_normal((runs, horizon)) * fit.noise_sd
    trend = ln_e_last + np.cumsum(growth, axis=1)
    return trend, trend + np.cumsum(shocks, axis=1)


# --------------------------------------------------------------------------------------------------
# Backtest


def mape(actual: Any, forecast: Any) -> float:
    """Mean absolute percentage error ``100/N Σ |a − f| / |a|`` [%].

    References
    ----------
    Hyndman & Athanasopoulos (2021), Forecasting: Principles and Practice, 3rd ed., §5.8.
    """
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    return float(100.0 * np.mean(np.abs(a - f) / np.abs(a)))


def rmse(actual: Any, forecast: Any) -> float:
    """Root mean squared error ``sqrt(1/N Σ (a − f)²)`` [unit of the values]."""
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    return float(np.sqrt(np.mean((a - f) ** 2)))


@dataclass(frozen=True)
class Backtest:
    """Rolling-origin backtest of one model.

    Attributes
    ----------
    mape : float
        Pooled over all origins and lead times [%].
    rmse : float
        Pooled [unit of the values, t CO2e].
    errors : pandas.DataFrame
        One row per forecast: ``origin`` (last training year), ``year``, ``lead`` [years],
        ``actual``, ``forecast``.
    """

    mape: float
    rmse: float
    errors: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """MAPE, RMSE, number of forecasts and origins."""
        return jsonable(
            {
                "mape": self.mape,
                "rmse": self.rmse,
                "n_forecasts": len(self.errors),
                "origins": sorted(set(self.errors["origin"].tolist())),
            }
        )


def backtest(
    years: Sequence[int] | np.ndarray,
    actual: Sequence[float] | np.ndarray,
    forecaster: Callable[[int, int], np.ndarray],
    *,
    horizon: int = 3,
    origins: int = 5,
    min_train: int = MIN_TRAIN,
) -> Backtest:
    """Rolling-origin evaluation with re-estimation (Tashman 2000).

    Parameters
    ----------
    years : sequence of int
        Consecutive years of ``actual``.
    actual : sequence of float
        Observed values [t CO2e].
    forecaster : callable
        ``forecaster(n_train, steps)`` fits on the first ``n_train`` values and returns the point
        forecasts of the next ``steps`` values [t CO2e].
    horizon : int
        Largest lead time [years].
    origins : int
        Origins are the last ``origins`` years before the final year (training sizes
        ``n − origins … n − 1``); each forecasts ``min(horizon, n − n_train)`` years.
    min_train : int
        Origins with fewer training years are skipped.

    Returns
    -------
    Backtest

    References
    ----------
    Tashman, L.J. (2000). International Journal of Forecasting 16(4), 437-450.
    """
    y = np.asarray(actual, dtype=float)
    yrs = np.asarray(years)
    n = len(y)
    rows = []
    for n_train in range(max(n - origins, min_train), n):
        steps = min(horizon, n - n_train)
        f = np.asarray(forecaster(n_train, steps), dtype=float)
        for lead in range(1, steps + 1):
            i = n_train + lead - 1
            rows.append((int(yrs[n_train - 1]), int(yrs[i]), lead, float(y[i]), float(f[lead - 1])))
    if not rows:
        raise PeakError(f"no backtest origin with at least {min_train} training years among {n} years")
    errors = pd.DataFrame(rows, columns=["origin", "year", "lead", "actual", "forecast"])
    return Backtest(mape(errors.actual, errors.forecast), rmse(errors.actual, errors.forecast), errors)


# --------------------------------------------------------------------------------------------------
# Peak summaries and the result


def _year(v: float) -> int | None:
    return int(v) if np.isfinite(v) else None


@dataclass(frozen=True)
class PeakSummary:
    """Peak distribution over Monte Carlo runs.

    Attributes
    ----------
    peak_year : int or None
        Median peak year (lower median), "no peak by the horizon" counting as later than any year;
        None when more than half of the runs do not peak by the horizon.
    peak_year_interval : tuple
        5 % and 95 % quantiles of the peak year in the same ordering (None = after the horizon).
    peak_tco2e : float or None
        Median peak level of the runs that peak by the horizon [t CO2e]; None when ``peak_year`` is.
    peak_tco2e_interval : tuple
        5 % and 95 % quantiles of the peak level of the runs that peak [t CO2e].
    p_peak_before : float
        Share of runs that peak in or before ``before``.
    p_no_peak : float
        Share of runs still rising at the horizon (maximum in its last year).
    p_already_peaked : float
        Share of runs whose maximum is in the observed history.
    status : PeakStatus
    point_peak_year : int or None
        Peak of the central (point) forecast; None when it is still rising at the horizon.
    peak_year_shares : tuple of (int, float)
        Share of runs peaking in each year (years with at least one run, ascending); the runs
        still rising at the horizon are ``p_no_peak`` and not in the tuple.
    """

    peak_year: int | None
    peak_year_interval: tuple[int | None, int | None]
    peak_tco2e: float | None
    peak_tco2e_interval: tuple[float | None, float | None]
    p_peak_before: float
    p_no_peak: float
    p_already_peaked: float
    status: PeakStatus
    point_peak_year: int | None
    peak_year_shares: tuple[tuple[int, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return jsonable(
            {
                "peak_year": self.peak_year,
                "peak_year_interval": list(self.peak_year_interval),
                "peak_tco2e": self.peak_tco2e,
                "peak_tco2e_interval": list(self.peak_tco2e_interval),
                "p_peak_before": self.p_peak_before,
                "p_no_peak": self.p_no_peak,
                "p_already_peaked": self.p_already_peaked,
                "status": self.status.value,
                "point_peak_year": self.point_peak_year,
                "peak_year_shares": [[y, share] for y, share in self.peak_year_shares],
            }
        )


def _summarise(
    years: np.ndarray, hist_ln: np.ndarray, trend: np.ndarray, point: np.ndarray, before: int
) -> PeakSummary:
    runs, n = trend.shape[0], len(hist_ln)
    full = np.concatenate([np.broadcast_to(hist_ln, (runs, n)), trend], axis=1)
    last = full.shape[1] - 1
    idx = full.argmax(axis=1)
    no_peak = idx == last
    peak_years = np.where(no_peak, np.inf, years[idx].astype(float))
    med, lo, hi = np.quantile(peak_years, [0.5, LOW, HIGH], method="inverted_cdf")
    peak_year = _year(med)
    levels = np.exp(full[np.arange(runs), idx])[~no_peak]
    level_interval: tuple[float | None, float | None] = (None, None)
    if levels.size:
        level_interval = (float(np.quantile(levels, LOW)), float(np.quantile(levels, HIGH)))
    point_idx = int(np.concatenate([hist_ln, point]).argmax())
    peaked, counts = np.unique(years[idx[~no_peak]], return_counts=True)
    shares = tuple((int(y), float(c) / runs) for y, c in zip(peaked, counts, strict=True))
    if peak_year is None:
        status = PeakStatus.NOT_BY_HORIZON
    elif peak_year <= years[n - 1]:
        status = PeakStatus.PEAKED
    else:
        status = PeakStatus.PEAKS
    return PeakSummary(
        peak_year=peak_year,
        peak_year_interval=(_year(lo), _year(hi)),
        peak_tco2e=float(np.median(levels)) if peak_year is not None and levels.size else None,
        peak_tco2e_interval=level_interval,
        p_peak_before=float(np.mean(~no_peak & (peak_years <= before))),
        p_no_peak=float(np.mean(no_peak)),
        p_already_peaked=float(np.mean(idx < n)),
        status=status,
        point_peak_year=None if point_idx == last else int(years[point_idx]),
        peak_year_shares=shares,
    )


@dataclass(frozen=True)
class ModelReport:
    """One model: backtest errors, fitted parameters and its own peak distribution (or why it was skipped)."""

    model: PeakModel
    backtest: Backtest | None = None
    summary: PeakSummary | None = None
    details: dict[str, Any] = field(default_factory=dict)
    skipped: str | None = None

    @property
    def mape(self) -> float | None:
        """Backtest MAPE [%], None when skipped."""
        return None if self.backtest is None else self.backtest.mape

    def to_dict(self) -> dict[str, Any]:
        """Backtest (``mape``, ``rmse``, ...), peak summary and ``details``; or ``skipped``."""
        if self.skipped is not None or self.backtest is None or self.summary is None:
            return {"skipped": self.skipped or "not run"}
        return jsonable({**self.backtest.to_dict(), **self.summary.to_dict(), "details": self.details})


@dataclass(frozen=True)
class PeakResult:
    """Result of :func:`predict_peak`.

    Attributes
    ----------
    summary : PeakSummary
        Peak distribution of the chosen model (also exposed as properties: ``peak_year``, ...).
    chosen_model : PeakModel
    chosen_by : str
        ``"backtest MAPE"`` or ``"user"``.
    models : dict of PeakModel to ModelReport
    drivers_used : tuple of str
    driver_source : dict of str to str
        ``"trend"`` (damped extrapolation) or ``"scenario"`` per driver.
    history : pandas.DataFrame
        ``year``, ``tco2e`` (observed).
    paths : pandas.DataFrame
        Per forecast year: ``year``, ``p5``, ``p50``, ``p95`` of emissions with year-to-year shocks,
        ``trend_p50`` the median trend path [t CO2e].
    horizon : int
        Last forecast year (``until``).
    before : int
        Year of ``p_peak_before``.
    runs : int
    seed : int
    settings : PeakSettings
    notes : tuple of str
        How the input was read (percent shares, derived GDP per person, ignored columns).
    """

    summary: PeakSummary
    chosen_model: PeakModel
    chosen_by: str
    models: dict[PeakModel, ModelReport]
    drivers_used: tuple[str, ...]
    driver_source: dict[str, str]
    history: pd.DataFrame
    paths: pd.DataFrame
    horizon: int
    before: int
    runs: int
    seed: int
    settings: PeakSettings
    notes: tuple[str, ...] = ()

    @property
    def peak_year(self) -> int | None:
        """Median peak year of the chosen model (None: not by the horizon)."""
        return self.summary.peak_year

    @property
    def peak_tco2e(self) -> float | None:
        """Median peak level [t CO2e]."""
        return self.summary.peak_tco2e

    @property
    def p_peak_before(self) -> float:
        """Probability of peaking in or before :attr:`before`."""
        return self.summary.p_peak_before

    @property
    def p_no_peak(self) -> float:
        """Probability of still rising at the horizon."""
        return self.summary.p_no_peak

    @property
    def status(self) -> PeakStatus:
        """Where the median run peaks."""
        return self.summary.status

    @property
    def history_years(self) -> tuple[int, int]:
        """First and last year of history."""
        return int(self.history.year.iloc[0]), int(self.history.year.iloc[-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready result: the chosen model's peak fields, every model, drivers, settings and paths."""
        return jsonable(
            {
                **self.summary.to_dict(),
                "before": self.before,
                "chosen_model": self.chosen_model.value,
                "chosen_by": self.chosen_by,
                "models": {m.value: r.to_dict() for m, r in self.models.items()},
                "drivers_used": list(self.drivers_used),
                "driver_source": self.driver_source,
                "history_years": list(self.history_years),
                "horizon": self.horizon,
                "runs": self.runs,
                "seed": self.seed,
                "settings": self.settings.to_dict(),
                "notes": list(self.notes),
                "history": self.history.to_dict(orient="records"),
                "paths": self.paths.to_dict(orient="records"),
            }
        )


# --------------------------------------------------------------------------------------------------
# Orchestration


def _in_tco2e(point: Callable[[int, int], np.ndarray]) -> Callable[[int, int], np.ndarray]:
    return lambda n, steps: np.exp(point(n, steps))


def _model_runners(
    hist: _History, settings: PeakSettings, seed: int
) -> dict[PeakModel, Callable[[int, int], np.ndarray]]:
    """Point forecasters ``(n_train, steps) -> ln E`` with ex-ante driver projection."""
    bounded = hist.bounded

    def stirpat(n: int, steps: int) -> np.ndarray:
        fit = _fit_stirpat(hist.x[:n], hist.ln_e[:n], hist.drivers, settings.ridge_alpha)
        return _stirpat_point(fit, _driver_paths(hist.x[:n], steps, settings, bounded))

    def ets(n: int, steps: int) -> np.ndarray:
        return _ets_point(_fit_ets(hist.ln_e[:n]), steps)

    def gp(n: int, steps: int) -> np.ndarray:
        fit = _fit_gp(hist.x[:n], hist.ln_e[:n], hist.drivers, seed)
        return _gp_point(
            fit, hist.x[n - 1], float(hist.ln_e[n - 1]), _driver_paths(hist.x[:n], steps, settings, bounded)
        )

    out: dict[PeakModel, Callable[[int, int], np.ndarray]] = {PeakModel.ETS: ets}
    if hist.drivers:
        out = {PeakModel.STIRPAT: stirpat, PeakModel.ETS: ets, PeakModel.GP: gp}
    return out


def predict_peak(
    frame: pd.DataFrame,
    *,
    emissions: str = "emissions",
    until: int = 2060,
    runs: int = 1000,
    before: int = 2030,
    seed: int | None = 0,
    drivers: pd.DataFrame | None = None,
    model: PeakModel | str = PeakModel.AUTO,
    settings: PeakSettings | None = None,
    source: str = "table",
    drivers_source: str = "drivers",
) -> PeakResult:
    """Predict the year and level of the emission peak, and the probability of peaking by a year.

    Parameters
    ----------
    frame : pandas.DataFrame
        Yearly history: ``year`` (consecutive, unique, at least :data:`MIN_YEARS` rows), emissions
        [t CO2e, > 0] and any subset of the :class:`Driver` columns.
    emissions : str
        Emissions column.
    until : int
        Last forecast year (the horizon); must be after the last year of history.
    runs : int
        Monte Carlo runs.
    before : int
        Year of ``p_peak_before`` (share of runs peaking in or before it).
    seed : int, optional
        Seed of the random draws (None: a fresh one, reported in the result).
    drivers : pandas.DataFrame, optional
        Scenario table: ``year`` covering every year after the history up to ``until`` and driver
        columns; drivers it does not give follow their damped trend.
    model : PeakModel or str
        ``auto`` (lowest backtest MAPE), or force ``stirpat``, ``ets`` or ``gp``.
    settings : PeakSettings, optional
        Damping, trend years, driver spread, backtest design, ridge penalty.
    source, drivers_source : str
        Names of the two inputs in error messages.

    Returns
    -------
    PeakResult

    Raises
    ------
    InvalidRecordsError
        Bad cells (every one, with row and column): non-numeric, non-positive emissions or
        magnitude drivers, shares outside 0..1, duplicate or non-consecutive years.
    PeakError
        Missing columns, too few years, a horizon not after the history, a scenario table that
        does not cover the horizon, a forced model that cannot be fitted, bad settings.

    References
    ----------
    See the module docstring: York, Rosa & Dietz (2003); Gardner & McKenzie (1985); Hyndman et al.
    (2008); Rasmussen & Williams (2006); Tashman (2000).
    """
    settings = settings or PeakSettings()
    model = PeakModel(model)
    if runs < 1:
        raise PeakError(f"runs must be >= 1, got {runs}")
    hist = _read_history(frame, emissions, source)
    last = int(hist.years[-1])
    if until <= last:
        raise PeakError(f"{source}: the horizon {until} must be after the last year of history {last}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**32))  # type: ignore[operator]
    future = np.arange(last + 1, until + 1)
    horizon = len(future)
    notes = list(hist.notes)
    central = None
    if drivers is not None:
        central, more = _read_scenario(drivers, hist, future, drivers_source)
        notes += more
    driver_source = {
        d.value: "scenario" if central is not None and not np.isnan(central[:, j]).all() else "trend"
        for j, d in enumerate(hist.drivers)
    }
    forecasters = _model_runners(hist, settings, seed)
    if model is not PeakModel.AUTO and model not in forecasters:
        raise PeakError(f"{source}: model {model.value!r} needs driver columns ({[d.value for d in Driver]})")

    # Backtests.
    e = np.exp(hist.ln_e)
    reports: dict[PeakModel, ModelReport] = {}
    tests: dict[PeakModel, Backtest] = {}
    for m, point in forecasters.items():
        try:
            tests[m] = backtest(
                hist.years,
                e,
                _in_tco2e(point),
                horizon=settings.backtest_horizon,
                origins=settings.backtest_origins,
            )
        except (np.linalg.LinAlgError, ValueError) as exc:
            if isinstance(exc, ZerocityError):
                raise
            log.warning("%s: model %s skipped: %s", source, m.value, exc)
            reports[m] = ModelReport(m, skipped=f"fit failed: {exc}")
    if PeakModel.STIRPAT not in forecasters:
        reports[PeakModel.STIRPAT] = ModelReport(PeakModel.STIRPAT, skipped="no driver columns")
        reports[PeakModel.GP] = ModelReport(PeakModel.GP, skipped="no driver columns")
    if not tests:
        raise PeakError(f"{source}: no model could be fitted")
    if model is PeakModel.AUTO:
        chosen = min(tests, key=lambda m: (tests[m].mape, list(PeakModel).index(m)))
        chosen_by = "backtest MAPE"
    else:
        if model not in tests:
            raise PeakError(f"{source}: model {model.value!r} could not be fitted: {reports[model].skipped}")
        chosen, chosen_by = model, "user"

    # Monte Carlo: common driver draws, one child generator per model.
    seq = np.random.SeedSequence(seed)
    s_drivers, s_stirpat, s_ets, s_gp = (np.random.default_rng(s) for s in seq.spawn(4))
    changes = min(settings.trend_years, len(hist.years)) - 1
    z = s_drivers.standard_normal((runs, changes))
    bounded = hist.bounded
    paths_x = _driver_paths(hist.x, horizon, settings, bounded, central=central, z=z)
    point_x = _driver_paths(hist.x, horizon, settings, bounded, central=central)
    x_last, ln_last = hist.x[-1], float(hist.ln_e[-1])
    all_years = np.concatenate([hist.years, future])
    simulated: dict[PeakModel, tuple[np.ndarray, np.ndarray]] = {}
    summaries: dict[PeakModel, PeakSummary] = {}
    for m in tests:
        details: dict[str, Any]
        if m is PeakModel.STIRPAT:
            sfit = _fit_stirpat(hist.x, hist.ln_e, hist.drivers, settings.ridge_alpha)
            central_ln = _stirpat_point(sfit, point_x)
            simulated[m] = _stirpat_runs(sfit, x_last, ln_last, paths_x, s_stirpat)
            details = sfit.to_dict()
        elif m is PeakModel.ETS:
            efit = _fit_ets(hist.ln_e)
            central_ln = _ets_point(efit, horizon)
            simulated[m] = _ets_runs(efit, horizon, runs, s_ets)
            details = efit.to_dict()
        else:
            gfit = _fit_gp(hist.x, hist.ln_e, hist.drivers, seed)
            central_ln = _gp_point(gfit, x_last, ln_last, point_x)
            simulated[m] = _gp_runs(gfit, x_last, ln_last, paths_x, s_gp)
            details = gfit.to_dict()
        summaries[m] = _summarise(all_years, hist.ln_e, simulated[m][0], central_ln, before)
        reports[m] = ModelReport(m, backtest=tests[m], summary=summaries[m], details=details)
    trend, full = simulated[chosen]
    q = np.quantile(np.exp(full), [LOW, 0.5, HIGH], axis=0)
    paths = pd.DataFrame(
        {"year": future, "p5": q[0], "p50": q[1], "p95": q[2], "trend_p50": np.median(np.exp(trend), axis=0)}
    )
    ordered = {m: reports[m] for m in PeakModel if m in reports}
    summary = summaries[chosen]
    log.info(
        "%s: peak %s (%s), chosen %s by %s, MAPE %.2f %%, %d runs",
        source, summary.peak_year, summary.status.value, chosen.value, chosen_by, tests[chosen].mape, runs,
    )  # fmt: skip
    return PeakResult(
        summary=summary,
        chosen_model=chosen,
        chosen_by=chosen_by,
        models=ordered,
        drivers_used=tuple(d.value for d in hist.drivers),
        driver_source=driver_source,
        history=pd.DataFrame({"year": hist.years, "tco2e": e}),
        paths=paths,
        horizon=until,
        before=before,
        runs=runs,
        seed=seed,
        settings=settings,
        notes=tuple(notes),
    )
