"""Measured CO2 from continuous emission monitoring systems (CEMS).

A CEMS records, for each stack, a time series of flue-gas readings: the actual (wet, stack
conditions) volume flow, the flue-gas temperature, absolute pressure and moisture, and the CO2
concentration. This module turns such a series into the CO2 mass emitted over the period, to be
reported as ``method=measured`` inventory rows (:meth:`CemsResult.to_records`).

Formulas
--------
1. Dry flow at standard conditions (273.15 K, 101.325 kPa)::

       Q_sd = Q x (T_std / (T_std + t)) x (p / p_std) x (1 - X_sw / 100)

   ``Q`` actual wet flow [m3/h], ``t`` flue-gas temperature [degC], ``p`` absolute flue-gas
   pressure [kPa] (barometric plus static pressure, ``Ba + Ps``), ``X_sw`` moisture [% vol].
2. Wet-basis concentration to dry basis: ``C_dry = C_wet / (1 - X_sw / 100)``.
3. CO2 mass rate [kg/h]:

   * from a volume fraction: ``E = C_CO2 [% vol, dry] / 100 x Q_sd [Nm3/h] x rho_CO2``;
   * from a mass concentration: ``E = C [mg/Nm3, dry] x Q_sd [Nm3/h] x 1e-6 kg/mg``.

4. Mass over the period: ``M = sum_i E_i x dt_i`` [kg], ``dt_i`` the time a reading represents.

CO2 density
-----------
``rho_CO2 = M_CO2 / V_m`` with ``M_CO2 = 44.0095 g/mol`` and ``V_m = R x 273.15 K / 101.325 kPa
= 22.413 969 54 L/mol``, the molar volume of an ideal gas (CODATA 2018; ``R`` is exact in the SI
since 2019), so ``rho_CO2 = 1.9635 kg/Nm3``. This is the *ideal-gas* density. The real-gas density
of pure CO2 at 0 degC and 101.325 kPa, 1.977 kg/m3 (compressibility about 0.993), is sometimes
used instead, about 0.7 % higher. The ideal value is used here because (a) CO2 in flue gas is a
component at 5-15 % partial pressure, where it behaves almost ideally, and the standard flow
``Q_sd`` itself is an ideal-gas conversion; (b) CEMS analysers and HJ 75-2017 convert volume to
mass concentrations with ``M / 22.4`` (ideal molar volume), so ``co2_pct`` and ``co2_mg_m3``
inputs stay consistent with each other.

Integration and substitution
----------------------------
Each reading represents the time up to the next reading of the same stack; the last reading of a
stack represents ``interval`` when given, or else the median interval of that stack. A gap in the
data therefore holds the reading before it over the whole gap (a warning is logged when an
interval exceeds three times the stack's median).

Readings flagged invalid (``valid`` = 0/false) or with any missing value are *substituted as a
whole*: their CO2 mass rate is the mean mass rate of the valid, complete readings of the same
stack; the time they represent is kept. This is a deliberately simple rule, not the HJ 75-2017
substitution scheme (which depends on the length of the outage and the parameter) nor the EU MRR
Annex VIII section 5 rule (mean plus twice the standard deviation of the concentration, which is
conservative); the number of substituted readings is reported per stack.

References
----------
* HJ 75-2017 *Specifications for continuous emissions monitoring of SO2, NOx, and particulate
  matter in the flue gas emitted from stationary sources* (Ministry of Ecology and Environment of
  China, 2017): standard-condition dry flow
  ``Q_sn = Q_s x 273/(273 + t_s) x (B_a + P_s)/101325 x (1 - X_sw)`` (formula 31), hourly emission
  ``G_h = C_h x Q_sn,h x 10^-6`` (formula 33, kg/h with C in mg/m3) and wet-to-dry conversion
  ``C_dry = C_wet / (1 - X_sw)`` (formula 19), with ``X_sw`` as a fraction. Formula forms and
  numbers as transcribed in open implementations of the standard (e.g. ``hj212/calc/air_helper.lua``
  of github.com/srdgame/lua-HJ212); check against the published text. HJ 75 rounds 273.15 K to
  273 K; this module uses 273.15 K (the difference is below 0.06 % for flue-gas temperatures).
* Commission Implementing Regulation (EU) 2018/2066 (MRR), Annex VIII section 3, Equation 1
  (as in Regulation (EU) No 601/2012, Annex VIII section 3):
  ``GHG_total [t] = sum over operating hours of GHG conc_hourly [g/Nm3] x flue gas flow [Nm3 for
  each hour] x 10^-6 t/g``; section 5, substitution of missing concentration data (mean plus
  twice the standard deviation). Nm3 are at 273.15 K and 101.325 kPa.
* CODATA 2018 recommended values: molar volume of an ideal gas at 273.15 K and 101.325 kPa,
  22.413 969 54 L/mol.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pint

from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.units import Q_, parse_unit, ureg

__all__ = [
    "CO2_DENSITY",
    "CO2_MOLAR_MASS",
    "DEFAULT_STACK",
    "MOLAR_VOLUME_STD",
    "STANDARD_PRESSURE",
    "STANDARD_TEMPERATURE",
    "Basis",
    "CemsResult",
    "StackResult",
    "co2_mass_rate",
    "dry_concentration",
    "integrate_cems",
    "standard_dry_flow",
]

log = logging.getLogger(__name__)

#: Standard temperature of normal cubic metres (HJ 75-2017 rounds it to 273 K).
STANDARD_TEMPERATURE: pint.Quantity = Q_(273.15, "K")
#: Standard pressure of normal cubic metres.
STANDARD_PRESSURE: pint.Quantity = Q_(101.325, "kPa")
#: Molar mass of CO2 (IUPAC standard atomic weights: 12.011 + 2 x 15.9994 ≈ 44.0095 g/mol).
CO2_MOLAR_MASS: pint.Quantity = Q_(44.0095, "g/mol")
#: Molar volume of an ideal gas at standard conditions, R T / p = 22.413 969 54 L/mol (CODATA 2018).
MOLAR_VOLUME_STD: pint.Quantity = (ureg.molar_gas_constant * STANDARD_TEMPERATURE / STANDARD_PRESSURE).to("L/mol")
#: Ideal-gas density of CO2 at standard conditions, M / V_m ≈ 1.9635 kg/Nm3 (see module notes).
CO2_DENSITY: pint.Quantity = (CO2_MOLAR_MASS / MOLAR_VOLUME_STD).to("kg/Nm3")

#: Stack id of readings when the input has no ``stack`` column.
DEFAULT_STACK = "default"

REQUIRED_COLUMNS = ["timestamp", "flow_m3_h", "temperature_c", "pressure_kpa", "moisture_pct"]
CONCENTRATION_COLUMNS = ["co2_pct", "co2_mg_m3"]

# Text that means "no value" in CEMS exports.
_MISSING_TEXT = {"", "nan", "na", "n/a", "null", "none", "-", "--"}
_TRUE_TEXT = {"1", "true", "t", "yes", "y"}
_FALSE_TEXT = {"0", "false", "f", "no", "n"}

_MG_PER_NM3_PURE_CO2 = float(CO2_DENSITY.to("mg/Nm3").magnitude)

# Plausibility ranges (inclusive) of each measured column, with the message of a value outside.
_RANGES: dict[str, tuple[float, float, str]] = {
    "flow_m3_h": (0.0, np.inf, "expected a non-negative flue-gas flow [m3/h]"),
    "temperature_c": (-50.0, 1000.0, "expected a flue-gas temperature between -50 and 1000 degC"),
    "pressure_kpa": (50.0, 200.0, "expected an absolute flue-gas pressure between 50 and 200 kPa"),
    "moisture_pct": (0.0, 100.0, "expected a moisture content between 0 and 100 % vol"),
    "co2_pct": (0.0, 100.0, "expected a CO2 concentration between 0 and 100 % vol"),
    "co2_mg_m3": (
        0.0,
        _MG_PER_NM3_PURE_CO2,
        f"expected a CO2 concentration between 0 and {_MG_PER_NM3_PURE_CO2:.0f} mg/Nm3 (pure CO2)",
    ),
}


class Basis(StrEnum):
    """Whether a concentration refers to dry or wet flue gas."""

    DRY = "dry"
    WET = "wet"


def _array(values: npt.ArrayLike) -> np.ndarray:
    return np.asarray(values, dtype=float)


def standard_dry_flow(
    flow_m3_h: npt.ArrayLike,
    temperature_c: npt.ArrayLike,
    pressure_kpa: npt.ArrayLike,
    moisture_pct: npt.ArrayLike,
) -> np.ndarray:
    """Dry flue-gas flow at standard conditions (273.15 K, 101.325 kPa).

    ``Q_sd = Q x (273.15 / (273.15 + t)) x (p / 101.325) x (1 - X_sw / 100)``.

    Parameters
    ----------
    flow_m3_h : array_like
        Actual (wet, stack conditions) flue-gas flow [m3/h].
    temperature_c : array_like
        Flue-gas temperature [degC].
    pressure_kpa : array_like
        Absolute flue-gas pressure, barometric plus static [kPa].
    moisture_pct : array_like
        Water vapour content of the flue gas [% vol].

    Returns
    -------
    numpy.ndarray
        Dry flow at standard conditions [Nm3/h], broadcast over the inputs.

    References
    ----------
    HJ 75-2017 formula 31 (``Q_sn = Q_s x 273/(273 + t_s) x (B_a + P_s)/101325 x (1 - X_sw)``);
    see the module references.
    """
    flow = Q_(_array(flow_m3_h), "m**3/h")
    temperature = Q_(_array(temperature_c), ureg.degC).to("K")
    pressure = Q_(_array(pressure_kpa), "kPa")
    dry_fraction = 1.0 - Q_(_array(moisture_pct), "percent").to("dimensionless")
    q_sd = flow * (STANDARD_TEMPERATURE / temperature) * (pressure / STANDARD_PRESSURE) * dry_fraction
    return np.asarray(q_sd.to("Nm3/h").magnitude, dtype=float)


def dry_concentration(concentration: npt.ArrayLike, moisture_pct: npt.ArrayLike) -> np.ndarray:
    """Convert a wet-basis concentration to dry basis: ``C_dry = C_wet / (1 - X_sw / 100)``.

    Parameters
    ----------
    concentration : array_like
        Concentration in wet flue gas [% vol or mg/Nm3; the result is in the same unit].
    moisture_pct : array_like
        Water vapour content of the flue gas [% vol], below 100.

    Returns
    -------
    numpy.ndarray
        Concentration in dry flue gas [same unit as ``concentration``].

    References
    ----------
    HJ 75-2017 formula 19 (``C_dry = C_wet / (1 - X_sw)``).
    """
    dry_fraction = 1.0 - Q_(_array(moisture_pct), "percent").to("dimensionless").magnitude
    return np.asarray(_array(concentration) / dry_fraction, dtype=float)


def co2_mass_rate(
    dry_flow_nm3_h: npt.ArrayLike,
    *,
    co2_pct: npt.ArrayLike | None = None,
    co2_mg_m3: npt.ArrayLike | None = None,
    basis: Basis | str = Basis.DRY,
    moisture_pct: npt.ArrayLike | None = None,
) -> np.ndarray:
    """CO2 mass rate from the standard dry flow and the CO2 concentration.

    ``E = C_CO2 / 100 x Q_sd x rho_CO2`` for a volume fraction, ``E = C x Q_sd x 1e-6`` for a mass
    concentration; ``rho_CO2`` is :data:`CO2_DENSITY` (ideal gas, 1.9635 kg/Nm3).

    Parameters
    ----------
    dry_flow_nm3_h : array_like
        Dry flue-gas flow at standard conditions [Nm3/h] (:func:`standard_dry_flow`).
    co2_pct : array_like, optional
        CO2 volume fraction [% vol]. Give exactly one of ``co2_pct`` and ``co2_mg_m3``.
    co2_mg_m3 : array_like, optional
        CO2 mass concentration at standard conditions [mg/Nm3].
    basis : Basis or str
        ``"dry"`` (default) when the concentration refers to dry flue gas, ``"wet"`` when it
        refers to wet flue gas; wet concentrations are converted with :func:`dry_concentration`.
    moisture_pct : array_like, optional
        Water vapour content [% vol]; required when ``basis="wet"``.

    Returns
    -------
    numpy.ndarray
        CO2 mass rate [kg/h].

    Raises
    ------
    ValueError
        When neither or both concentrations are given, or a wet basis has no moisture.

    References
    ----------
    EU MRR 2018/2066 Annex VIII section 3 Equation 1 (concentration [g/Nm3] x flow [Nm3]);
    HJ 75-2017 formula 33 (``G_h = C_h x Q_sn x 10^-6`` [kg/h]).
    """
    if co2_pct is not None and co2_mg_m3 is None:
        value, unit = _array(co2_pct), "percent"
    elif co2_mg_m3 is not None and co2_pct is None:
        value, unit = _array(co2_mg_m3), "mg/Nm3"
    else:
        raise ValueError("give exactly one of co2_pct [% vol] and co2_mg_m3 [mg/Nm3]")
    basis = Basis(str(basis).lower())
    if basis is Basis.WET:
        if moisture_pct is None:
            raise ValueError("a wet-basis concentration needs moisture_pct to convert it to dry basis")
        value = dry_concentration(value, moisture_pct)
    flow = Q_(_array(dry_flow_nm3_h), "Nm3/h")
    concentration = Q_(value, unit)
    # A volume fraction becomes a mass concentration through the CO2 density.
    rate = concentration * flow * (CO2_DENSITY if unit == "percent" else 1.0)
    return np.asarray(rate.to("kg/h").magnitude, dtype=float)


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True)
class StackResult:
    """CO2 measured at one stack over the period of its readings.

    Attributes
    ----------
    stack : str
        Stack id.
    co2_t : float
        CO2 emitted [t].
    hours : float
        Time covered by the readings [h].
    readings : int
        Number of readings, substituted ones included.
    substituted : int
        Readings flagged invalid or incomplete, replaced by the stack's mean mass rate.
    start : pandas.Timestamp
        Timestamp of the first reading.
    end : pandas.Timestamp
        End of the period covered: last timestamp plus the time its reading represents.
    """

    stack: str
    co2_t: float
    hours: float
    readings: int
    substituted: int
    start: pd.Timestamp
    end: pd.Timestamp

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (timestamps as ISO 8601 text)."""
        return {
            "stack": self.stack,
            "co2_t": float(self.co2_t),
            "hours": float(self.hours),
            "readings": int(self.readings),
            "substituted": int(self.substituted),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@dataclass(frozen=True)
class CemsResult:
    """CO2 measured by CEMS, per stack.

    Attributes
    ----------
    stacks : tuple of StackResult
        In order of first appearance in the input.
    source : str
        Where the readings came from.
    basis : Basis
        Basis of the input concentrations.
    """

    stacks: tuple[StackResult, ...]
    source: str = "<cems>"
    basis: Basis = Basis.DRY

    @property
    def total_co2_t(self) -> float:
        """CO2 of all stacks [t]."""
        return float(sum(s.co2_t for s in self.stacks))

    def stack(self, stack_id: str) -> StackResult:
        """The result of one stack.

        Raises
        ------
        KeyError
            When no stack has this id; the message lists the ids.
        """
        for s in self.stacks:
            if s.stack == stack_id:
                return s
        raise KeyError(f"no stack {stack_id!r} (stacks: {', '.join(s.stack for s in self.stacks)})")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict: ``source``, ``basis``, ``total_co2_t``, ``readings``, ``substituted``, ``stacks``."""
        return {
            "source": self.source,
            "basis": str(self.basis),
            "total_co2_t": self.total_co2_t,
            "readings": int(sum(s.readings for s in self.stacks)),
            "substituted": int(sum(s.substituted for s in self.stacks)),
            "stacks": [s.as_dict() for s in self.stacks],
        }

    def to_records(self, year: int, gpc_ref: str, entity: str | None = None) -> pd.DataFrame:
        """Inventory input rows, one per stack, for :func:`zerocity.inventory.compute_inventory`.

        Parameters
        ----------
        year : int
            Inventory year of the rows.
        gpc_ref : str
            GPC reference number of the source, e.g. ``I.4.1`` (energy industries).
        entity : str, optional
            Reporting entity (e.g. unified social credit code); the column is added when given.

        Returns
        -------
        pandas.DataFrame
            Columns ``year``, ``gpc_ref``, ``method`` (``measured``), ``gas`` (``CO2``), ``amount``
            [t], ``unit`` (``t``), ``activity`` (empty), ``quality`` (``measured``), ``notes``, and
            ``entity`` when given.
        """
        for s in self.stacks:
            last = s.end - pd.Timedelta(1, "ns")
            if s.start.year != year or last.year != year:
                log.warning(
                    "stack %s readings run from %s to %s, outside the inventory year %d",
                    s.stack,
                    s.start.isoformat(),
                    s.end.isoformat(),
                    year,
                )
        frame = pd.DataFrame(
            {
                "year": [int(year)] * len(self.stacks),
                "gpc_ref": [gpc_ref] * len(self.stacks),
                "method": "measured",
                "gas": "CO2",
                "amount": [float(s.co2_t) for s in self.stacks],
                "unit": "t",
                "activity": "",
                "quality": "measured",
                "notes": [
                    f"CEMS stack {s.stack}: {s.readings} readings ({s.substituted} substituted), "
                    f"{s.start.isoformat()} to {s.end.isoformat()}, {s.hours:g} h; source {self.source}"
                    for s in self.stacks
                ],
            }
        )
        if entity is not None:
            frame.insert(0, "entity", entity)
        return frame


# ----------------------------------------------------------------------------- reading input
def _text(series: pd.Series) -> pd.Series:
    """Column as stripped text with missing values as ''."""
    if pd.api.types.is_string_dtype(series) and not isinstance(series.dtype, np.dtype):
        return series.fillna("").str.strip()
    return series.astype(object).where(series.notna(), "").astype(str).str.strip()


def _numbers(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a numeric column: values (NaN where missing), bad mask (not a finite number), shown values."""
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isinf(values)
        return np.where(bad, np.nan, values), bad, values
    text = _text(raw)
    missing = text.str.lower().isin(_MISSING_TEXT).to_numpy()
    parsed = pd.to_numeric(text.where(~missing, ""), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~missing & ~np.isfinite(parsed)
    return np.where(bad, np.nan, parsed), bad, text.to_numpy()


def _valid_flags(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse the ``valid`` flag: True where valid or unflagged; bad mask where not 0/1/true/false."""
    if pd.api.types.is_bool_dtype(raw):
        return raw.fillna(True).to_numpy(dtype=bool), np.zeros(len(raw), dtype=bool)
    if pd.api.types.is_numeric_dtype(raw):
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        return values != 0, ~(np.isnan(values) | (values == 0) | (values == 1))
    text = _text(raw).str.lower()
    number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    true = text.isin(_TRUE_TEXT).to_numpy() | (number == 1) | (text == "").to_numpy()
    false = text.isin(_FALSE_TEXT).to_numpy() | (number == 0)
    return ~false, ~(true | false)


def _timestamps(raw: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray, str | None]:
    """Parse timestamps (ISO 8601): values (NaT where empty/bad), empty mask, bad mask, global problem."""
    if pd.api.types.is_datetime64_any_dtype(raw):
        empty = raw.isna().to_numpy()
        return raw.reset_index(drop=True), empty, np.zeros(len(raw), dtype=bool), None
    text = _text(raw).reset_index(drop=True)
    empty = text.str.lower().isin(_MISSING_TEXT).to_numpy()
    try:
        parsed = pd.to_datetime(text.where(~empty, None), errors="coerce", format="ISO8601")
    except (ValueError, TypeError) as exc:
        nat = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        return nat, empty, np.zeros(len(raw), dtype=bool), f"cannot read the timestamps together ({exc})"
    bad = ~empty & parsed.isna().to_numpy()
    return parsed, empty, bad, None


def _interval_hours(interval: str | None) -> float | None:
    """Hours of an interval such as ``"1h"``, ``"15min"`` or ``"30 s"`` (via the unit registry)."""
    if interval is None:
        return None
    return float(parse_unit(interval).to(parse_unit("h")))


# ----------------------------------------------------------------------------- integration
def integrate_cems(
    frame: pd.DataFrame,
    *,
    source: str = "<cems>",
    interval: str | None = None,
    basis: Basis | str = Basis.DRY,
) -> CemsResult:
    """Integrate CEMS readings into the CO2 mass emitted per stack.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per reading, as text (from :func:`zerocity.inventory.read_records`) or typed:

        * ``timestamp`` -- ISO 8601 date-time of the reading (``2024-01-01 00:00``); strictly
          increasing within a stack;
        * ``flow_m3_h`` -- actual (wet, stack conditions) flue-gas flow [m3/h];
        * ``temperature_c`` -- flue-gas temperature [degC];
        * ``pressure_kpa`` -- absolute flue-gas pressure [kPa];
        * ``moisture_pct`` -- flue-gas moisture [% vol];
        * ``co2_pct`` [% vol] *or* ``co2_mg_m3`` [mg/Nm3] -- CO2 concentration (dry basis unless
          ``basis="wet"``);
        * ``valid`` (optional) -- 1/0, true/false, yes/no; empty means valid;
        * ``stack`` (optional) -- stack id; without the column every reading belongs to
          :data:`DEFAULT_STACK`.
    source : str
        File name for messages.
    interval : str, optional
        Time the last reading of each stack represents, e.g. ``"1h"`` or ``"15min"``; by default
        the median interval of the stack.
    basis : Basis or str
        ``"dry"`` (default) or ``"wet"``: the basis of the concentration column.

    Returns
    -------
    CemsResult

    Raises
    ------
    InvalidRecordsError
        Listing every problem (1-based data row and column): missing columns, non-numeric values,
        values outside plausible ranges, empty, unreadable or non-increasing timestamps, unknown
        ``valid`` flags, a stack without any valid reading or with one reading and no
        ``interval``. Nothing is computed then. Rows flagged invalid are not range-checked: their
        values are not used.
    UnitError
        When ``interval`` is not a positive time such as ``"1h"``.

    Notes
    -----
    Mass rate per reading: :func:`co2_mass_rate` of :func:`standard_dry_flow`; mass over the
    period: ``sum_i E_i x dt_i``. Readings flagged invalid or with a missing value take the mean
    mass rate of the stack's valid readings (see the module notes).

    References
    ----------
    EU MRR 2018/2066 Annex VIII section 3 Equation 1; HJ 75-2017 formulas 19, 31 and 33.
    """
    basis = Basis(str(basis).lower())
    interval_h = _interval_hours(interval)
    n = len(frame)
    issues: list[RecordIssue] = []
    columns = list(frame.columns)

    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    present_conc = [c for c in CONCENTRATION_COLUMNS if c in columns]
    listed = ", ".join(str(c) for c in columns)
    for col in missing:
        issues.append(RecordIssue(0, col, f"required column missing (columns are {listed})"))
    if not present_conc:
        issues.append(RecordIssue(0, "co2_pct", f"a concentration column co2_pct or co2_mg_m3 is required ({listed})"))
    elif len(present_conc) > 1:
        issues.append(RecordIssue(0, "co2_mg_m3", "give either co2_pct or co2_mg_m3, not both"))
    if not issues and n == 0:
        issues.append(RecordIssue(0, "timestamp", "no readings"))
    if issues:
        raise InvalidRecordsError(source, issues)
    conc_col = present_conc[0]
    data = frame.reset_index(drop=True)
    rows = np.arange(1, n + 1)

    def flag(mask: np.ndarray, column: str, message: str, values: np.ndarray) -> None:
        m = np.asarray(mask, dtype=bool)
        if m.any():
            issues.extend(RecordIssue(int(r), column, message, str(v)) for r, v in zip(rows[m], values[m], strict=True))

    # stack ids and validity flags
    if "stack" in columns:
        stack = _text(data["stack"])
        flag((stack == "").to_numpy(), "stack", "required value is empty (stack id)", stack.to_numpy())
    else:
        stack = pd.Series(DEFAULT_STACK, index=data.index)
    codes, stack_ids = pd.factorize(stack, sort=False)
    if "valid" in columns:
        flagged_valid, bad_flag = _valid_flags(data["valid"])
        flag(bad_flag, "valid", "expected 1/0, true/false or yes/no", data["valid"].to_numpy())
        flagged_valid = flagged_valid & ~bad_flag
    else:
        flagged_valid = np.ones(n, dtype=bool)

    # measured values: rows flagged invalid are substituted, so only flagged-valid rows are checked
    values: dict[str, np.ndarray] = {}
    texts: dict[str, np.ndarray] = {}
    complete = np.ones(n, dtype=bool)
    for col in [*REQUIRED_COLUMNS[1:], conc_col]:
        vals, bad, text = _numbers(data[col])
        flag(bad & flagged_valid, col, "expected a number", text)
        low, high, message = _RANGES[col]
        flag(flagged_valid & ((vals < low) | (vals > high)), col, message, text)
        values[col], texts[col] = vals, text
        complete &= ~np.isnan(vals)
    if basis is Basis.WET:
        flag(
            flagged_valid & (values["moisture_pct"] == 100.0),
            "moisture_pct",
            "a wet-basis concentration needs a moisture content below 100 % vol",
            texts["moisture_pct"],
        )

    # timestamps
    ts, empty_ts, bad_ts, problem = _timestamps(data["timestamp"])
    ts_shown = data["timestamp"].to_numpy()
    if problem:
        issues.append(RecordIssue(0, "timestamp", f"{problem}: write every timestamp with the same UTC offset or none"))
    flag(empty_ts, "timestamp", "required value is empty", ts_shown)
    flag(bad_ts, "timestamp", "expected an ISO 8601 date-time such as 2024-01-01 00:00", ts_shown)
    previous = ts.groupby(codes).cummax().groupby(codes).ffill().groupby(codes).shift(1)
    order_bad = (ts.notna() & previous.notna() & (ts <= previous)).to_numpy()
    flag(
        order_bad, "timestamp", "not after the previous reading of the same stack (expected increasing time)", ts_shown
    )

    # per-stack conditions
    usable = flagged_valid & complete
    per_stack = pd.DataFrame({"code": codes, "usable": usable, "row": rows}).groupby("code", sort=True)
    usable_count = per_stack["usable"].sum().to_numpy()
    count = per_stack["row"].size().to_numpy()
    first_row = per_stack["row"].min().to_numpy()
    named = np.asarray([str(s) != "" for s in stack_ids], dtype=bool)
    for k in np.flatnonzero((usable_count == 0) & named):
        issues.append(
            RecordIssue(
                int(first_row[k]),
                "valid",
                f"stack {stack_ids[k]!s} has no valid, complete reading to substitute invalid ones with",
            )
        )
    if interval_h is None:
        for k in np.flatnonzero((count == 1) & named):
            issues.append(
                RecordIssue(
                    int(first_row[k]),
                    "timestamp",
                    f"stack {stack_ids[k]!s} has a single reading: pass interval (e.g. '1h') for its duration",
                )
            )

    if issues:
        issues.sort(key=lambda i: (i.row, i.column))
        raise InvalidRecordsError(source, issues)

    # mass rate of each usable reading; others take their stack's mean
    rate = np.full(n, np.nan)
    u = usable
    rate[u] = co2_mass_rate(
        standard_dry_flow(
            values["flow_m3_h"][u], values["temperature_c"][u], values["pressure_kpa"][u], values["moisture_pct"][u]
        ),
        co2_pct=values["co2_pct"][u] if conc_col == "co2_pct" else None,
        co2_mg_m3=values["co2_mg_m3"][u] if conc_col == "co2_mg_m3" else None,
        basis=basis,
        moisture_pct=values["moisture_pct"][u],
    )
    stack_mean = pd.Series(rate).groupby(codes).transform("mean").to_numpy()
    rate = np.where(usable, rate, stack_mean)

    # duration each reading represents
    seconds = (-ts.groupby(codes).diff(-1)).dt.total_seconds().to_numpy()
    hours = Q_(seconds, "s").to("h").magnitude
    median_h = pd.Series(hours).groupby(codes).transform("median").to_numpy()
    last = np.isnan(hours)
    hours = np.where(last, interval_h if interval_h is not None else median_h, hours)
    long_gap = ~last & (hours > 3.0 * median_h)
    for k in np.unique(codes[long_gap]):
        log.warning(
            "%s: stack %s has %d interval(s) longer than 3x its median interval (%.4g h); "
            "the reading before each gap stands for the whole gap",
            source,
            stack_ids[k],
            int((long_gap & (codes == k)).sum()),
            float(median_h[codes == k][0]),
        )

    mass_t = Q_(rate * hours, "kg").to("t").magnitude
    end = ts + pd.to_timedelta(Q_(hours, "h").to("s").magnitude, unit="s")
    table = pd.DataFrame(
        {
            "code": codes,
            "co2_t": mass_t,
            "hours": hours,
            "substituted": ~usable,
            "start": ts,
            "end": end,
        }
    )
    agg = table.groupby("code", sort=True).agg(
        co2_t=("co2_t", "sum"),
        hours=("hours", "sum"),
        readings=("hours", "size"),
        substituted=("substituted", "sum"),
        start=("start", "min"),
        end=("end", "max"),
    )
    stacks = tuple(
        StackResult(
            stack=str(stack_ids[k]),
            co2_t=float(r.co2_t),
            hours=float(r.hours),
            readings=int(r.readings),
            substituted=int(r.substituted),
            start=pd.Timestamp(r.start),
            end=pd.Timestamp(r.end),
        )
        for k, r in zip(agg.index, agg.itertuples(index=False), strict=True)
    )
    result = CemsResult(stacks=stacks, source=source, basis=basis)
    log.info(
        "%s: %d CEMS readings of %d stack(s), %d substituted: %.3f t CO2",
        source,
        n,
        len(stacks),
        int((~usable).sum()),
        result.total_co2_t,
    )
    return result
