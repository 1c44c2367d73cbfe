r"""Behind-the-meter battery storage: tariffs, bills, and sizing and dispatch by linear programming.

A battery of energy ``E`` [kWh] and power ``P`` [kW] (chosen by the optimiser, or given) serves a
site with load ``L_t`` and optional PV ``S_t`` [kW, mean power of step t of length ``dt`` h] on a
time-of-use tariff with a monthly demand charge. The linear program (linopy, solved by HiGHS):

.. math::

    \min\; \sum_t p_t g_t \Delta t - f \sum_t x_t \Delta t + \sum_m D\, w_m \hat g_m
           + c_{deg} \sum_t d_t \Delta t + \frac{T}{8760}\,(\mathrm{CRF} + o)(c_E E + c_P P)

subject to, for every step t (month m(t)):

- grid balance ``g_t - x_t = L_t - S_t + c_t - d_t`` with import ``g_t >= 0`` and PV export or
  spill ``0 <= x_t <= S_t`` (the battery does not export);
- state of charge ``s_t = s_{t-1} + eta_c c_t dt - d_t dt / eta_d``, cyclic (``s_{-1} = s_{T-1}``);
- ``soc_min E <= s_t <= soc_max E``, ``0 <= c_t, d_t <= P``;
- monthly peak ``g_t <= \hat g_m``.

``p_t`` is the energy price of step t [yuan/kWh], ``D`` the demand charge [yuan/kW per month]
(``w_m`` the share of month m the series covers),
``c_deg`` the degradation cost of discharged energy [yuan/kWh], ``c_E``, ``c_P`` the capital costs
[yuan/kWh, yuan/kW], ``o`` the fixed O&M [fraction of capex per year], ``T`` the horizon [h], and
``CRF = r (1+r)^n / ((1+r)^n - 1)`` the capital recovery factor (discount rate ``r``, life ``n`` y).
With ``eta_c = eta_d = 1`` and two prices, a cycle of ``E`` saves ``E (p_high - p_low)`` a day.

Exports earn ``f_t = min(f, p_t)`` in the program (``f``: feed-in price; 0 when export is not
allowed). A meter nets import and export within a step, so the true cost ``p_t max(n, 0) - f
max(-n, 0)`` of the net import ``n`` is convex only when ``f <= p_t``; capping the credit keeps
the program a convex LP with no gain from importing and exporting in the same step. It
undervalues PV exports only in steps where the feed-in price exceeds the energy price (valley
hours with a PV surplus). The reported dispatch nets import and export per step (they can
coincide only in such tie steps) and the bills credit exports at ``f``.

The demand charge of a month is pro-rated by the share of the month the series covers (1 for a
full month), so that a horizon shorter than a year weighs peaks and annualised capex alike (a
full month's charge against three days of capex would oversize the battery). The savings are the
bill without storage (``g = max(L - S, 0)``) minus the bill with it; the simple payback is the
capex over the annual savings net of degradation and O&M.

References
----------
Short, W., Packey, D.J., Holt, T. (1995). A Manual for the Economic Evaluation of Energy
Efficiency and Renewable Energy Technologies. NREL/TP-462-5173, eq. 4-2 (capital recovery factor).
Jiangsu DRC (2025). 苏发改价格发〔2025〕426号: time-of-use periods and ratios of the shipped tariff
(``data/tariffs/cn_js_ci_2025.yaml``; its price levels are an example, see the file).
Hofmann, F. et al. (2023). linopy: Linear optimization with n-dimensional labeled variables.
JOSS 8(84), 4823, doi:10.21105/joss.04823. Huangfu, Q., Hall, J.A.J. (2018). Parallelizing the dual
revised simplex method. Math. Prog. Comp. 10, 119-142 (HiGHS).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zerocity.errors import ZerocityError
from zerocity.finance import crf
from zerocity.jsonio import jsonable
from zerocity.stdio import native_stdout_to_stderr

__all__ = [
    "HOURS_PER_YEAR",
    "Battery",
    "Bill",
    "Season",
    "StorageError",
    "StorageResult",
    "Tariff",
    "TariffError",
    "bill",
    "capital_recovery_factor",
    "load_profile",
    "load_profile_names",
    "load_tariff",
    "size_storage",
]

log = logging.getLogger(__name__)

HOURS_PER_YEAR = 8760.0
"""Hours of a (non-leap) year, the unit of annualisation [h]."""

#: Tolerance of the feasibility check of a solution [kW or kWh]: HiGHS' primal feasibility
#: tolerance is 1e-7 relative to the scaled problem; a few 1e-6 absolute on kW-scale data.
FEASIBILITY_ATOL = 1e-5

_DEFAULT_TARIFF = "data/tariffs/cn_js_ci_2025.yaml"


class TariffError(ZerocityError, ValueError):
    """A tariff file or tariff definition that does not follow the schema (file and field named)."""

    code = "tariff"


class StorageError(ZerocityError, ValueError):
    """Storage inputs that cannot be used (bad series, sizes) or a model that did not solve."""

    code = "storage"


# --------------------------------------------------------------------------------------------
# Tariffs
# --------------------------------------------------------------------------------------------


class Season(BaseModel):
    """Months sharing one assignment of hours to price periods.

    Attributes
    ----------
    name : str
    months : list of int
        Calendar months 1-12.
    periods : dict of str to list of [start, end)
        Hour intervals of each period [h, local time]; an interval may not cross midnight (write
        22:00-02:00 as ``[22, 24], [0, 2]``). Together they cover 0-24 exactly once.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    months: list[int]
    periods: dict[str, list[tuple[int, int]]]

    @field_validator("months")
    @classmethod
    def _months(cls, months: list[int]) -> list[int]:
        bad = [m for m in months if not 1 <= m <= 12]
        if bad:
            raise ValueError(f"months must be 1-12, got {bad}")
        return months

    @model_validator(mode="after")
    def _cover_day(self) -> Season:
        count = np.zeros(24, dtype=int)
        for name, intervals in self.periods.items():
            for start, end in intervals:
                if not 0 <= start < end <= 24:
                    raise ValueError(f"period {name!r}: interval [{start}, {end}] must satisfy 0 <= start < end <= 24")
                count[start:end] += 1
        if (count != 1).any():
            hours = [h for h in range(24) if count[h] != 1]
            raise ValueError(f"season {self.name!r}: hours {hours} are covered {count[hours].tolist()} times, not once")
        return self


class Tariff(BaseModel):
    """A time-of-use energy tariff with a monthly demand charge and a feed-in price.

    The energy price of hour h in period k is ``floating_price * multipliers[k] + fixed_adders``
    [yuan/kWh]: the floating part is the purchase price that time-of-use ratios apply to, the
    fixed part the charges that do not float (network, funds).

    Attributes
    ----------
    id, version, name, region, currency, source : str
        Identity and provenance (publisher, document, year).
    seasons : list of Season
        Together they cover the 12 months once.
    multipliers : dict of str to float
        Ratio of each period's floating price to the flat price [unitless].
    floating_price : float
        Flat-period purchase price [currency/kWh].
    fixed_adders : float
        Non-floating energy charges [currency/kWh].
    demand_charge : float
        Charge on the monthly maximum import [currency per kW and month].
    feed_in_price : float
        Price paid for exported energy [currency/kWh].
    assumed : list of str
        Fields whose values are assumptions or examples, not published numbers.
    notes : str
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    name: str = ""
    region: str = ""
    currency: str = "CNY"
    source: str = ""
    seasons: list[Season]
    multipliers: dict[str, float]
    floating_price: float = Field(ge=0)
    fixed_adders: float = 0.0
    demand_charge: float = Field(default=0.0, ge=0)
    feed_in_price: float = Field(default=0.0, ge=0)
    assumed: list[str] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _check(self) -> Tariff:
        months = [m for s in self.seasons for m in s.months]
        if sorted(months) != list(range(1, 13)):
            raise ValueError(f"seasons must cover months 1-12 once each, got {sorted(months)}")
        names = {p for s in self.seasons for p in s.periods}
        missing = sorted(names - set(self.multipliers))
        if missing:
            raise ValueError(f"periods {missing} have no multiplier")
        return self

    @classmethod
    def flat(cls, price: float, *, demand_charge: float = 0.0, feed_in_price: float = 0.0) -> Tariff:
        """One price for every hour [currency/kWh], with an optional demand charge and feed-in price."""
        season = Season(name="all", months=list(range(1, 13)), periods={"flat": [(0, 24)]})
        return cls(
            id="flat",
            version="1",
            seasons=[season],
            multipliers={"flat": 1.0},
            floating_price=price,
            demand_charge=demand_charge,
            feed_in_price=feed_in_price,
        )

    def period_table(self) -> np.ndarray:
        """Period name of every (month, hour): array of shape (12, 24), month 1 in row 0."""
        table = np.empty((12, 24), dtype=object)
        for season in self.seasons:
            for name, intervals in season.periods.items():
                for start, end in intervals:
                    for m in season.months:
                        table[m - 1, start:end] = name
        return table

    def periods(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Period name of every time stamp (local month and hour of ``index``)."""
        table = self.period_table()
        return table[np.asarray(index.month) - 1, np.asarray(index.hour)]

    def energy_prices(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Energy price of every time stamp [currency/kWh]."""
        table = self.period_table()
        mult = np.vectorize(self.multipliers.__getitem__, otypes=[float])(table)
        prices = self.floating_price * mult + self.fixed_adders
        return prices[np.asarray(index.month) - 1, np.asarray(index.hour)]

    def describe(self) -> dict[str, Any]:
        """Identity, price of each period and the assumed fields (for results)."""
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "currency": self.currency,
            "period_prices": {k: self.floating_price * v + self.fixed_adders for k, v in self.multipliers.items()},
            "demand_charge": self.demand_charge,
            "feed_in_price": self.feed_in_price,
            "assumed": list(self.assumed),
            "source": self.source,
        }


def _validation_message(source: str, exc: ValidationError) -> str:
    parts = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "<top>"
        parts.append(f"{source}: field {loc}: {e['msg']}")
    return "; ".join(parts)


def load_tariff(path: Path | str | None = None) -> Tariff:
    """Read a tariff YAML file (default: the shipped Jiangsu two-part example).

    Raises
    ------
    TariffError
        Unreadable file, or a field that does not follow :class:`Tariff` (file and field named).
    """
    if path is None:
        text = resources.files("zerocity.energy").joinpath(_DEFAULT_TARIFF).read_text(encoding="utf-8")
        source = f"zerocity/energy/{_DEFAULT_TARIFF}"
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise TariffError(f"{source}: cannot read tariff: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TariffError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise TariffError(f"{source}: expected a mapping of tariff fields")
    try:
        return Tariff.model_validate(data)
    except ValidationError as exc:
        raise TariffError(_validation_message(source, exc)) from None


# --------------------------------------------------------------------------------------------
# Load profiles
# --------------------------------------------------------------------------------------------


@cache
def _profiles() -> tuple[pd.DataFrame, pd.DataFrame]:
    root = resources.files("zerocity.energy").joinpath("data")
    with root.joinpath("load_profiles.csv").open(encoding="utf-8") as fh:
        daily = pd.read_csv(fh)
    with root.joinpath("load_months.csv").open(encoding="utf-8") as fh:
        months = pd.read_csv(fh)
    return daily, months


def load_profile_names() -> list[str]:
    """Names of the shipped load profiles (``data/load_profiles.csv``)."""
    return sorted(_profiles()[0]["profile"].unique())


def load_profile(profile: str, annual_kwh: float, index: pd.DatetimeIndex) -> pd.Series:
    """An hourly load from a shipped profile shape, scaled to ``annual_kwh`` per year.

    Parameters
    ----------
    profile : str
        ``industrial``, ``commercial`` or ``residential`` (see :func:`load_profile_names`).
    annual_kwh : float
        Energy of a full year [kWh/yr]; the series holds ``annual_kwh * hours / 8760`` in total.
    index : pandas.DatetimeIndex
        Hourly time stamps (start of each hour, local time).

    Returns
    -------
    pandas.Series
        Mean power of each hour [kW] (= kWh in the hour), named ``load_kw``.

    Notes
    -----
    Shape = daily weight (weekday or weekend, by local hour) x monthly factor; the shapes are
    ASSUMED (``data/README.md``), not measured.
    """
    daily, months = _profiles()
    d = daily[daily["profile"] == profile]
    if d.empty:
        raise StorageError(f"unknown load profile {profile!r}; expected one of {load_profile_names()}")
    if annual_kwh < 0 or not np.isfinite(annual_kwh):
        raise StorageError(f"annual_kwh must be a non-negative number, got {annual_kwh}")
    weekday = d.set_index("hour")["weekday"].reindex(range(24)).to_numpy(float)
    weekend = d.set_index("hour")["weekend"].reindex(range(24)).to_numpy(float)
    month = months[months["profile"] == profile].set_index("month")["factor"].reindex(range(1, 13))
    hours = np.asarray(index.hour)
    is_weekend = np.asarray(index.day_of_week) >= 5
    shape = np.where(is_weekend, weekend[hours], weekday[hours]) * month.to_numpy(float)[np.asarray(index.month) - 1]
    scale = annual_kwh * (len(index) / HOURS_PER_YEAR) / shape.sum()
    return pd.Series(shape * scale, index=index, name="load_kw")


# --------------------------------------------------------------------------------------------
# Bills
# --------------------------------------------------------------------------------------------


def _step_hours(index: pd.DatetimeIndex, what: str) -> float:
    if not isinstance(index, pd.DatetimeIndex):
        raise StorageError(f"{what}: needs a DatetimeIndex (time stamps of each step)")
    if len(index) < 1:
        raise StorageError(f"{what}: is empty")
    if len(index) == 1:
        return 1.0
    steps = np.diff(index.asi8)
    if (steps != steps[0]).any() or steps[0] <= 0:
        raise StorageError(f"{what}: time stamps must be increasing with one regular step")
    return float(pd.Timedelta(int(steps[0]), unit=index.unit).total_seconds() / 3600.0)


def _month_keys(index: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(index.year) * 100 + np.asarray(index.month)


def _month_coverage(index: pd.DatetimeIndex, step_hours: float) -> pd.Series:
    """Share of each calendar month (key ``YYYYMM``) that the series covers [unitless]."""
    keys = _month_keys(index)
    covered = pd.Series(step_hours, index=keys).groupby(level=0).sum()
    days = pd.Series(pd.DatetimeIndex(index).days_in_month, index=keys).groupby(level=0).first()
    return covered / (days * 24.0)


@dataclass(frozen=True)
class Bill:
    """An electricity bill over a horizon.

    Attributes
    ----------
    energy : float
        Sum of energy price x imported energy [currency].
    demand : float
        Sum over months of demand charge x monthly maximum import x share of the month covered
        [currency].
    export_credit : float
        Feed-in price x exported energy [currency].
    imported_kwh, exported_kwh : float
        Energy bought and sold [kWh].
    monthly_peak_kw : dict of str to float
        Maximum import of each month (``YYYY-MM``) [kW].
    """

    energy: float
    demand: float
    export_credit: float
    imported_kwh: float
    exported_kwh: float
    monthly_peak_kw: dict[str, float]

    @property
    def total(self) -> float:
        """``energy + demand - export_credit`` [currency]."""
        return self.energy + self.demand - self.export_credit

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields plus ``total``."""
        return jsonable(
            {
                "energy": self.energy,
                "demand": self.demand,
                "export_credit": self.export_credit,
                "total": self.total,
                "imported_kwh": self.imported_kwh,
                "exported_kwh": self.exported_kwh,
                "monthly_peak_kw": self.monthly_peak_kw,
            }
        )


def bill(
    grid_import_kw: pd.Series,
    tariff: Tariff,
    *,
    grid_export_kw: pd.Series | None = None,
    export_paid: bool = True,
) -> Bill:
    """The bill of an import (and export) series under a tariff.

    Parameters
    ----------
    grid_import_kw : pandas.Series
        Mean import power of each step [kW], DatetimeIndex with a regular step.
    tariff : Tariff
    grid_export_kw : pandas.Series, optional
        Mean export power [kW], same index.
    export_paid : bool
        Credit exports at ``tariff.feed_in_price`` (False: exports earn nothing).

    Returns
    -------
    Bill
        ``energy = sum_t p_t g_t dt``, ``demand = D sum_m w_m max_{t in m} g_t`` (``w_m``: share
        of month m covered by the series),
        ``export_credit = f sum_t x_t dt``.
    """
    index = grid_import_kw.index
    dt = _step_hours(index, "grid import")
    g = grid_import_kw.to_numpy(float)
    x = np.zeros_like(g) if grid_export_kw is None else grid_export_kw.to_numpy(float)
    prices = tariff.energy_prices(index)
    keys = _month_keys(index)
    peaks = pd.Series(g).groupby(keys).max()
    coverage = _month_coverage(index, dt)
    return Bill(
        energy=float((prices * g).sum() * dt),
        demand=float(tariff.demand_charge * (peaks * coverage).sum()),
        export_credit=float(tariff.feed_in_price * x.sum() * dt) if export_paid else 0.0,
        imported_kwh=float(g.sum() * dt),
        exported_kwh=float(x.sum() * dt),
        monthly_peak_kw={f"{k // 100:04d}-{k % 100:02d}": float(v) for k, v in peaks.items()},
    )


# --------------------------------------------------------------------------------------------
# Battery sizing and dispatch
# --------------------------------------------------------------------------------------------


def capital_recovery_factor(rate: float, years: float) -> float:
    """Capital recovery factor ``r (1+r)^n / ((1+r)^n - 1)`` (``1/n`` when ``r = 0``) [1/yr].

    References
    ----------
    Short, Packey & Holt (1995), NREL/TP-462-5173, eq. 4-2.
    """
    if years <= 0:
        raise StorageError(f"lifetime must be positive, got {years}")
    return float(crf(rate, years))


@cache
def _defaults() -> dict[str, Any]:
    text = resources.files("zerocity.energy").joinpath("data/storage_defaults.yaml").read_text(encoding="utf-8")
    return dict(yaml.safe_load(text)["battery"])


@dataclass(frozen=True)
class Battery:
    """Battery technology, costs and sizing limits.

    Attributes
    ----------
    capex_per_kwh : float
        Capital cost of energy capacity [currency/kWh].
    capex_per_kw : float
        Capital cost of power capacity [currency/kW].
    om_fraction : float
        Fixed O&M [fraction of capex per year].
    lifetime_years : float
        Economic life [yr].
    discount_rate : float
        [1/yr]
    charge_efficiency, discharge_efficiency : float
        One-way efficiencies [unitless].
    soc_min, soc_max : float
        State-of-charge window [fraction of E].
    degradation_per_kwh : float
        Cost of discharged energy [currency/kWh].
    energy_kwh, power_kw : float, optional
        Fixed sizes; None lets the optimiser choose.
    max_energy_kwh, max_power_kw : float, optional
        Upper bounds of chosen sizes.
    allow_export : bool
        PV surplus is paid the feed-in price (else spilled for nothing).

    Defaults are those of ``data/storage_defaults.yaml`` (mostly ASSUMED, see the file).
    """

    capex_per_kwh: float = field(default_factory=lambda: float(_defaults()["capex_yuan_per_kwh"]))
    capex_per_kw: float = field(default_factory=lambda: float(_defaults()["capex_yuan_per_kw"]))
    om_fraction: float = field(default_factory=lambda: float(_defaults()["om_fraction_per_year"]))
    lifetime_years: float = field(default_factory=lambda: float(_defaults()["lifetime_years"]))
    discount_rate: float = field(default_factory=lambda: float(_defaults()["discount_rate"]))
    charge_efficiency: float = field(default_factory=lambda: float(_defaults()["charge_efficiency"]))
    discharge_efficiency: float = field(default_factory=lambda: float(_defaults()["discharge_efficiency"]))
    soc_min: float = field(default_factory=lambda: float(_defaults()["soc_min"]))
    soc_max: float = field(default_factory=lambda: float(_defaults()["soc_max"]))
    degradation_per_kwh: float = field(default_factory=lambda: float(_defaults()["degradation_yuan_per_kwh"]))
    energy_kwh: float | None = None
    power_kw: float | None = None
    max_energy_kwh: float | None = None
    max_power_kw: float | None = None
    allow_export: bool = True

    def __post_init__(self) -> None:
        problems = []
        for name in ("charge_efficiency", "discharge_efficiency"):
            v = getattr(self, name)
            if not 0 < v <= 1:
                problems.append(f"{name} must be in (0, 1], got {v}")
        if not 0 <= self.soc_min < self.soc_max <= 1:
            problems.append(f"need 0 <= soc_min < soc_max <= 1, got {self.soc_min}, {self.soc_max}")
        for name in ("capex_per_kwh", "capex_per_kw", "om_fraction", "degradation_per_kwh", "discount_rate"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("energy_kwh", "power_kw", "max_energy_kwh", "max_power_kw"):
            v = getattr(self, name)
            if v is not None and (v < 0 or not np.isfinite(v)):
                problems.append(f"{name} must be a non-negative number, got {v}")
        if self.lifetime_years <= 0:
            problems.append(f"lifetime_years must be positive, got {self.lifetime_years}")
        if problems:
            raise StorageError("battery: " + "; ".join(problems))

    @property
    def crf(self) -> float:
        """Capital recovery factor of the battery [1/yr]."""
        return capital_recovery_factor(self.discount_rate, self.lifetime_years)

    def with_sizes(self, energy_kwh: float | None, power_kw: float | None) -> Battery:
        """A copy with fixed sizes."""
        return replace(self, energy_kwh=energy_kwh, power_kw=power_kw)


@dataclass(frozen=True)
class StorageResult:
    """Optimal battery and its dispatch.

    Attributes
    ----------
    energy_kwh, power_kw : float
        Sizes (chosen or given).
    battery : Battery
    tariff : Tariff
    horizon_hours : float
        Length of the optimised series [h].
    bill_without, bill_with : Bill
        Bills of the horizon without and with the battery.
    degradation_cost : float
        ``c_deg x discharged energy`` over the horizon [currency].
    capex : float
        ``c_E E + c_P P`` [currency].
    dispatch : pandas.DataFrame
        Per step: ``load_kw``, ``pv_kw``, ``price``, ``charge_kw``, ``discharge_kw``,
        ``soc_kwh``, ``grid_import_kw``, ``grid_export_kw``.
    objective : float
        Optimal objective value [currency over the horizon].
    status : str
        Solver termination condition.
    """

    energy_kwh: float
    power_kw: float
    battery: Battery
    tariff: Tariff
    horizon_hours: float
    bill_without: Bill
    bill_with: Bill
    degradation_cost: float
    capex: float
    dispatch: pd.DataFrame
    objective: float
    status: str

    @property
    def annual_factor(self) -> float:
        """``8760 / horizon_hours``: scales horizon sums to a year [unitless]."""
        return HOURS_PER_YEAR / self.horizon_hours

    @property
    def bill_savings(self) -> float:
        """``bill_without - bill_with`` over the horizon [currency]."""
        return self.bill_without.total - self.bill_with.total

    @property
    def annual_bill_savings(self) -> float:
        """Bill savings of a year [currency/yr]."""
        return self.bill_savings * self.annual_factor

    @property
    def annual_net_savings(self) -> float:
        """Annual bill savings minus degradation and fixed O&M [currency/yr]."""
        return (
            self.annual_bill_savings
            - self.degradation_cost * self.annual_factor
            - self.battery.om_fraction * self.capex
        )

    @property
    def simple_payback_years(self) -> float | None:
        """``capex / annual_net_savings`` [yr]; None when nothing is built or nothing is saved."""
        if self.capex <= 0 or self.annual_net_savings <= 0:
            return None
        return self.capex / self.annual_net_savings

    @property
    def equivalent_cycles_per_year(self) -> float:
        """Discharged energy over the usable energy, per year [cycles/yr]."""
        usable = self.energy_kwh * (self.battery.soc_max - self.battery.soc_min)
        if usable <= 0:
            return 0.0
        dt = _step_hours(self.dispatch.index, "dispatch")
        return float(self.dispatch["discharge_kw"].sum() * dt / usable * self.annual_factor)

    def violations(self) -> dict[str, float]:
        """Largest violation of every constraint family on the reported solution [kW or kWh].

        Recomputed from :attr:`dispatch` and the sizes, independently of the solver; all should
        be below :data:`FEASIBILITY_ATOL`.
        """
        d = self.dispatch
        b = self.battery
        dt = _step_hours(d.index, "dispatch")
        c, dis, s = d["charge_kw"].to_numpy(), d["discharge_kw"].to_numpy(), d["soc_kwh"].to_numpy()
        g, x = d["grid_import_kw"].to_numpy(), d["grid_export_kw"].to_numpy()
        load, pv = d["load_kw"].to_numpy(), d["pv_kw"].to_numpy()
        expected_soc = np.roll(s, 1) + b.charge_efficiency * c * dt - dis * dt / b.discharge_efficiency
        neg = np.minimum(np.concatenate([c, dis, s, g, x]), 0.0)
        return {
            "grid_balance": float(np.abs(g - x - (load - pv + c - dis)).max()),
            "soc_balance": float(np.abs(s - expected_soc).max()),
            "soc_bounds": float(
                max((b.soc_min * self.energy_kwh - s).max(), (s - b.soc_max * self.energy_kwh).max(), 0)
            ),
            "power_limits": float(max((c - self.power_kw).max(), (dis - self.power_kw).max(), 0.0)),
            "export_limit": float(max((x - pv).max(), 0.0)),
            "non_negative": float(-neg.min()),
        }

    def summary(self) -> dict[str, Any]:
        """Sizes, bills, savings and payback (no time series)."""
        return jsonable(
            {
                "energy_kwh": self.energy_kwh,
                "power_kw": self.power_kw,
                "duration_h": self.energy_kwh / self.power_kw if self.power_kw > 0 else None,
                "horizon_hours": self.horizon_hours,
                "bill_without": self.bill_without.to_dict(),
                "bill_with": self.bill_with.to_dict(),
                "bill_savings": self.bill_savings,
                "degradation_cost": self.degradation_cost,
                "annual_bill_savings": self.annual_bill_savings,
                "annual_net_savings": self.annual_net_savings,
                "capex": self.capex,
                "annualised_capex": self.capex * (self.battery.crf + self.battery.om_fraction),
                "simple_payback_years": self.simple_payback_years,
                "equivalent_cycles_per_year": self.equivalent_cycles_per_year,
                "throughput_kwh": float(
                    self.dispatch["discharge_kw"].sum() * _step_hours(self.dispatch.index, "dispatch")
                ),
                "objective": self.objective,
                "status": self.status,
            }
        )

    def to_dict(self, *, dispatch: bool = False) -> dict[str, Any]:
        """JSON contract: summary, battery and tariff; the dispatch series when asked."""
        doc = self.summary()
        doc["battery"] = jsonable(self.battery.__dict__)
        doc["tariff"] = jsonable(self.tariff.describe())
        doc["violations"] = self.violations()
        if dispatch:
            frame = self.dispatch.reset_index(names="time")
            frame["time"] = frame["time"].astype(str)
            doc["dispatch"] = jsonable(frame.to_dict(orient="list"))
        return doc


def _series(values: pd.Series, index: pd.DatetimeIndex, what: str) -> np.ndarray:
    if not values.index.equals(index):
        raise StorageError(f"{what}: index differs from the load's index")
    arr = values.to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        raise StorageError(
            f"{what}: {bad.size} value(s) are negative or missing, first at {index[bad[0]]} ({arr[bad[0]]})"
        )
    return arr


def size_storage(
    load_kw: pd.Series,
    tariff: Tariff,
    *,
    pv_kw: pd.Series | None = None,
    battery: Battery | None = None,
    solver_options: Mapping[str, Any] | None = None,
) -> StorageResult:
    """Choose the battery size and dispatch that minimise the annualised cost of electricity.

    Parameters
    ----------
    load_kw : pandas.Series
        Site load, mean power of each step [kW]; DatetimeIndex with a regular step (local time,
        which the tariff periods refer to).
    tariff : Tariff
        Energy prices by period, demand charge, feed-in price.
    pv_kw : pandas.Series, optional
        On-site PV, mean power of each step [kW], same index.
    battery : Battery, optional
        Technology, costs, limits and optional fixed sizes (default: ``Battery()``).
    solver_options : mapping, optional
        HiGHS options over the defaults (``solver="ipm"``, ``run_crossover="on"``), e.g.
        ``{"solver": "simplex"}``.

    Returns
    -------
    StorageResult
        Sizes, bills without and with storage, dispatch; see the module docstring for the model.

    Raises
    ------
    StorageError
        Bad series, or a solver outcome other than optimal.
    """
    import linopy
    import xarray as xr

    b = battery or Battery()
    index = load_kw.index
    dt = _step_hours(index, "load")
    index = pd.DatetimeIndex(index)
    load = _series(load_kw, index, "load")
    pv = np.zeros_like(load) if pv_kw is None else _series(pv_kw, index, "pv")
    n = len(index)
    horizon = n * dt
    prices = tariff.energy_prices(index)
    feed_in = tariff.feed_in_price if b.allow_export else 0.0
    keys = _month_keys(index)
    months = np.unique(keys)
    coverage = _month_coverage(index, dt).reindex(months).to_numpy()

    m = linopy.Model()
    t_coord = pd.RangeIndex(n, name="time")
    charge = m.add_variables(lower=0, coords=[t_coord], name="charge")
    discharge = m.add_variables(lower=0, coords=[t_coord], name="discharge")
    soc = m.add_variables(lower=0, coords=[t_coord], name="soc")
    grid = m.add_variables(lower=0, coords=[t_coord], name="grid_import")
    export = m.add_variables(lower=0, upper=xr.DataArray(pv, coords=[t_coord]), coords=[t_coord], name="export")
    e_lo, e_hi = (b.energy_kwh, b.energy_kwh) if b.energy_kwh is not None else (0.0, b.max_energy_kwh)
    p_lo, p_hi = (b.power_kw, b.power_kw) if b.power_kw is not None else (0.0, b.max_power_kw)
    energy = m.add_variables(lower=e_lo, upper=np.inf if e_hi is None else e_hi, name="energy")
    power = m.add_variables(lower=p_lo, upper=np.inf if p_hi is None else p_hi, name="power")
    m_coord = pd.Index(months, name="month")
    peak = m.add_variables(lower=0, coords=[m_coord], name="peak")

    net = xr.DataArray(load - pv, coords=[t_coord])
    m.add_constraints(grid - export - charge + discharge == net, name="grid_balance")
    m.add_constraints(
        soc - soc.roll(time=1) - (b.charge_efficiency * dt) * charge + (dt / b.discharge_efficiency) * discharge == 0,
        name="soc_balance",
    )
    m.add_constraints(soc - b.soc_max * energy <= 0, name="soc_max")
    m.add_constraints(soc - b.soc_min * energy >= 0, name="soc_min")
    m.add_constraints(charge - power <= 0, name="charge_limit")
    m.add_constraints(discharge - power <= 0, name="discharge_limit")
    for key in months:
        rows = np.flatnonzero(keys == key)
        m.add_constraints(grid.isel(time=rows) - peak.sel(month=key) <= 0, name=f"peak_{key}")

    price_da = xr.DataArray(prices * dt, coords=[t_coord])
    credit_da = xr.DataArray(np.minimum(feed_in, prices) * dt, coords=[t_coord])
    annualised = (horizon / HOURS_PER_YEAR) * (b.crf + b.om_fraction)
    objective = (
        (price_da * grid).sum()
        - (credit_da * export).sum()
        + (xr.DataArray(tariff.demand_charge * coverage, coords=[m_coord]) * peak).sum()
        + (b.degradation_per_kwh * dt) * discharge.sum()
        + (annualised * b.capex_per_kwh) * energy
        + (annualised * b.capex_per_kw) * power
    )
    m.add_objective(objective)
    # Interior point with crossover (a vertex solution, as simplex would give): on the 8760-hour
    # Demo City case it solves in about a third of the dual simplex time (benchmarks/bench_pv.py).
    options: dict[str, Any] = {"output_flag": False, "solver": "ipm", "run_crossover": "on", **(solver_options or {})}
    with native_stdout_to_stderr():
        status, condition = m.solve(solver_name="highs", io_api="direct", progress=False, **options)
    if status != "ok" or condition != "optimal":
        raise StorageError(f"storage model not solved: status {status}, condition {condition}")

    def sol(var: Any) -> np.ndarray:
        return np.asarray(var.solution.values, dtype=float) + 0.0  # no negative zeros

    # Import and export of one step can coincide only where the capped credit equals the price
    # (a tie, no cost difference); net them as the meter does. Every constraint still holds.
    net_import = sol(grid) - sol(export)
    e_opt = float(energy.solution.item())
    p_opt = float(power.solution.item())
    dispatch = pd.DataFrame(
        {
            "load_kw": load,
            "pv_kw": pv,
            "price": prices,
            "charge_kw": sol(charge),
            "discharge_kw": sol(discharge),
            "soc_kwh": sol(soc),
            "grid_import_kw": np.maximum(net_import, 0.0),
            "grid_export_kw": np.maximum(-net_import, 0.0),
        },
        index=index,
    )
    without_import = pd.Series(np.maximum(load - pv, 0.0), index=index)
    without_export = pd.Series(np.maximum(pv - load, 0.0), index=index)
    result = StorageResult(
        energy_kwh=e_opt,
        power_kw=p_opt,
        battery=b,
        tariff=tariff,
        horizon_hours=horizon,
        bill_without=bill(without_import, tariff, grid_export_kw=without_export, export_paid=b.allow_export),
        bill_with=bill(
            dispatch["grid_import_kw"], tariff, grid_export_kw=dispatch["grid_export_kw"], export_paid=b.allow_export
        ),
        degradation_cost=float(b.degradation_per_kwh * dispatch["discharge_kw"].sum() * dt),
        capex=b.capex_per_kwh * e_opt + b.capex_per_kw * p_opt,
        dispatch=dispatch,
        objective=float(m.objective.value if m.objective.value is not None else np.nan),
        status=condition,
    )
    log.info(
        "storage sized: E %.1f kWh, P %.1f kW, savings %.0f over %.0f h", e_opt, p_opt, result.bill_savings, horizon
    )
    return result
