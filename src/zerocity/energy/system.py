"""Energy system description (YAML): carriers, hourly profiles, demands and technologies.

A system is a set of carriers (buses) balanced every snapshot, fixed demands on them, and
technologies whose capacities the optimiser chooses (PyPSA's components, reduced to what a city,
district or park plans):

================== ===========================================================================
``source``          supply from outside the boundary (grid electricity, pipeline gas): price and
                    carbon intensity per snapshot, optional import limit, optional export price
``generator``       variable renewable (rooftop PV, wind): output ≤ capacity × availability_t
``converter``       one input carrier, one or more outputs with efficiencies (heat pump COP, gas
                    boiler, CHP, electric boiler); capacity on the input [MW]
``storage``         energy [MWh] and power [MW] capacities, charge and discharge efficiencies,
                    standing loss, cyclic state of charge (battery, thermal store)
``flexible_demand`` energy needed per day that may be taken in any hour, up to an available power
                    (smart EV charging)
``shift``           demand response: up to a share of the demand of each hour moved within the
                    day at a cost per MWh moved
================== ===========================================================================

Snapshots last ``timestep_hours`` (1 by default) and have a weight each: how many hours of the
year a snapshot stands for (1 for a full year of hours; 31 for an hour of a representative day of
a 31-day month). A profile file may give ``weight`` and ``day`` columns: with ``day``, snapshots
are representative days (contiguous, equal length) and storage cycles within each day. Money is
in yuan; energy in MWh; power in MW; carbon in t CO2e. Capital costs are annualised with the
capital recovery factor CRF = r (1+r)^n / ((1+r)^n - 1) (discount rate r, lifetime n).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zerocity.errors import ZerocityError
from zerocity.finance import crf

__all__ = [
    "EnergySystem",
    "EnergySystemError",
    "SystemSpec",
    "crf",
    "load_system",
]


class EnergySystemError(ZerocityError, ValueError):
    """An energy system file that does not follow the schema (file, field, what was expected)."""

    code = "energy_system"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Series = float | str  # a number, or the name of a profile


class _Tech(_Strict):
    capex: float = 0.0  # [yuan per MW] (storage: per MW of power)
    lifetime: float = 20.0  # [yr]
    fom: float = 0.0  # fixed O&M [share of capex per yr]
    existing: float = 0.0  # capacity already there [MW], not paid again
    max_capacity: float | None = None  # [MW]
    min_capacity: float = 0.0
    description: str | None = None
    source: str | None = None


class SourceSpec(_Strict):
    """Supply from outside the boundary."""

    kind: Literal["source"]
    carrier: str
    price: Series = 0.0  # [yuan/MWh]
    carbon: Series = 0.0  # [t CO2e/MWh]
    primary_energy: float = 1.0  # primary energy factor [MWh primary / MWh]
    max_power: float | None = None  # [MW]
    export_price: Series | None = None  # [yuan/MWh]; None: no export
    counts_as_import: bool = True  # for self-sufficiency
    description: str | None = None
    source: str | None = None


class GeneratorSpec(_Tech):
    """Variable renewable generator."""

    kind: Literal["generator"]
    carrier: str
    availability: Series  # [MW/MW installed] per snapshot
    variable_cost: float = 0.0  # [yuan/MWh]


class ConverterSpec(_Tech):
    """Input carrier -> outputs with efficiencies; capacity on the input [MW]."""

    kind: Literal["converter"]
    input: str
    outputs: dict[str, Series]  # efficiency per output (COP for heat pumps), may be a profile
    variable_cost: float = 0.0  # [yuan per MWh of input]


class StorageSpec(_Tech):
    """Storage of a carrier; ``capex`` per MW of power, ``capex_energy`` per MWh."""

    kind: Literal["storage"]
    carrier: str
    capex_energy: float = 0.0
    max_hours: float | None = None  # fixed energy/power ratio (PyPSA StorageUnit); None: both free
    efficiency_charge: float = 1.0
    efficiency_discharge: float = 1.0
    standing_loss: float = 0.0  # [share of stored energy per hour]
    cycle_cost: float = 0.0  # degradation [yuan per MWh discharged]


class FlexibleDemandSpec(_Strict):
    """Energy needed per day, taken in any hour up to the available power (smart charging)."""

    kind: Literal["flexible_demand"]
    carrier: str
    daily_energy: float  # [MWh/day]
    max_power: Series  # [MW] per snapshot
    description: str | None = None
    source: str | None = None


class ShiftSpec(_Strict):
    """Demand response: up to ``share`` of each hour's demand moved within the same day."""

    kind: Literal["shift"]
    carrier: str
    share: float = Field(ge=0, le=1)
    cost: float = 0.0  # [yuan per MWh moved]
    description: str | None = None
    source: str | None = None


TechSpec = Annotated[
    SourceSpec | GeneratorSpec | ConverterSpec | StorageSpec | FlexibleDemandSpec | ShiftSpec,
    Field(discriminator="kind"),
]


class DemandSpec(_Strict):
    """A fixed demand: a profile [MWh per snapshot] times a scale."""

    profile: Series
    scale: float = 1.0


class ProfilesSpec(_Strict):
    """Where the hourly profiles come from: a CSV (one column per profile, optional ``weight``)."""

    file: str | None = None
    generate: Literal["demo", "demo_days"] | None = None


class SystemSpec(_Strict):
    """The whole energy system file."""

    name: str
    region: str = "CN"
    year: int = 2024
    discount_rate: float = 0.06
    timestep_hours: float = 1.0
    carriers: list[str]
    profiles: ProfilesSpec = ProfilesSpec()
    demand: dict[str, DemandSpec]
    technologies: dict[str, TechSpec]
    description: str | None = None

    @model_validator(mode="after")
    def _references(self) -> SystemSpec:
        known = set(self.carriers)
        problems = [f"demand.{c}: unknown carrier" for c in self.demand if c not in known]
        for name, t in self.technologies.items():
            carriers = (
                [t.input, *t.outputs]
                if isinstance(t, ConverterSpec)
                else [t.carrier]  # every other kind has one carrier
            )
            problems += [f"technologies.{name}: unknown carrier {c!r}" for c in carriers if c not in known]
        if problems:
            raise ValueError("; ".join(problems) + f" (carriers: {', '.join(self.carriers)})")
        return self


@dataclass
class EnergySystem:
    """A validated system with its profiles resolved to arrays over the snapshots."""

    spec: SystemSpec
    source: str
    snapshots: pd.Index
    weights: np.ndarray  # hours each snapshot stands for
    profiles: pd.DataFrame
    days: np.ndarray  # day number of each snapshot (daily constraints, storage cycles)
    representative: bool = False  # representative days: storage cycles within each day

    def series(self, value: Series, what: str) -> np.ndarray:
        """A number or a named profile as an array over the snapshots."""
        if isinstance(value, str):
            if value not in self.profiles:
                known = ", ".join(self.profiles.columns) or "none"
                raise EnergySystemError(f"{self.source}: {what}: unknown profile {value!r}; profiles: {known}")
            return self.profiles[value].to_numpy(dtype=float)
        return np.full(len(self.snapshots), float(value))

    @property
    def hours(self) -> float:
        """Hours the snapshots stand for in all (8760 for a year)."""
        return float(self.weights.sum())


def load_system(
    path: Path | str | None = None, *, data: Mapping[str, Any] | None = None, profiles: pd.DataFrame | None = None
) -> EnergySystem:
    """Read and validate an energy system (a YAML file, or ``data`` already parsed).

    Profiles come from ``profiles`` (a frame), the file's ``profiles.file`` (CSV beside the YAML),
    or ``profiles.generate: demo`` (Demo City's generated profiles).

    Raises
    ------
    EnergySystemError
        Every schema problem with its field path; unknown profiles; bad profile values.
    """
    source = str(path) if path is not None else "<system>"
    if data is None:
        if path is None:
            raise EnergySystemError("give a system file or data")
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise EnergySystemError(f"{source}: cannot read: {exc}") from None
    try:
        spec = SystemSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if not str(p).endswith('Spec'))}: {e['msg']}" for e in exc.errors()
        )
        raise EnergySystemError(f"{source}: invalid energy system: {problems}") from None
    if profiles is None:
        if spec.profiles.file:
            base = Path(path).parent if path is not None else Path.cwd()
            try:
                profiles = pd.read_csv(base / spec.profiles.file)
            except (OSError, ValueError) as exc:
                raise EnergySystemError(f"{source}: profiles.file: cannot read {spec.profiles.file}: {exc}") from None
        elif spec.profiles.generate is not None:
            from zerocity.demo.energy_system import demo_profiles

            profiles = demo_profiles(spec.year, representative=spec.profiles.generate == "demo_days")
        else:
            profiles = pd.DataFrame(index=pd.RangeIndex(1))
    profiles = profiles.reset_index(drop=True)
    bad = [c for c in profiles.columns if not np.isfinite(pd.to_numeric(profiles[c], errors="coerce")).all()]
    if bad:
        raise EnergySystemError(f"{source}: profiles {', '.join(map(str, bad))} have empty or non-numeric values")
    weights = profiles.pop("weight").to_numpy(dtype=float) if "weight" in profiles else None
    day = profiles.pop("day").to_numpy() if "day" in profiles else None
    n = len(profiles)
    if weights is None:
        weights = np.full(n, spec.timestep_hours)
    if (weights <= 0).any():
        raise EnergySystemError(f"{source}: profile weights must be positive")
    if day is None:
        # Consecutive snapshots: day number from the hours elapsed.
        elapsed = np.concatenate([[0.0], np.cumsum(np.full(n, spec.timestep_hours))[:-1]])
        days = (elapsed // 24).astype(int)
        representative = False
    else:
        _, days = np.unique(day, return_inverse=True)
        lengths = np.bincount(days)
        if len(set(lengths)) != 1 or (np.diff(days) < 0).any():
            raise EnergySystemError(f"{source}: representative days must be contiguous and of equal length")
        representative = True
    snapshots = pd.RangeIndex(n, name="snapshot")
    system = EnergySystem(spec, source, snapshots, weights, profiles.astype(float), days, representative)
    for name, d in spec.demand.items():
        system.series(d.profile, f"demand.{name}")
    for name, t in spec.technologies.items():
        for field_name in ("price", "carbon", "export_price", "availability", "max_power"):
            value = getattr(t, field_name, None)
            if isinstance(value, str):
                system.series(value, f"technologies.{name}.{field_name}")
        if isinstance(t, ConverterSpec):
            for out, eff in t.outputs.items():
                system.series(eff, f"technologies.{name}.outputs.{out}")
        if isinstance(t, StorageSpec) and not (0 < t.efficiency_charge <= 1 and 0 < t.efficiency_discharge <= 1):
            raise EnergySystemError(f"{source}: technologies.{name}: efficiencies must be in (0, 1]")
    return system
