"""Data-centre actions: energy and emissions from IT load and PUE, PUE target checks, improvement paths.

``E_IT = P_IT x h / 1000`` [MWh/a] for an average IT load ``P_IT`` [kW] over ``h`` hours;
``E = PUE x E_IT`` is the facility energy, ``E - E_IT`` the overhead, split into cooling and power
losses/other (measured loads, or an ASSUMED cooling share of the overhead when only the PUE is
known). Green power (contracted renewable electricity, green certificates) covers a share ``g``
of the facility energy; the rest is grid electricity at the library's grid factor:
``t CO2e = (1 - g) E x EF_grid``. Targets (MIIT 2021, NDRC et al. 2021 and 2024) are data with
their sources (``data/datacentre.yaml``); a user target may be added.

References
----------
.. [1] ISO/IEC 30134-2:2016, Key performance indicators - Power usage effectiveness (PUE):
   ``PUE = total facility energy / IT equipment energy``.
.. [2] MIIT (2021), 《新型数据中心发展三年行动计划（2021-2023年）》.
.. [3] NDRC, CAC, MIIT, NEA (2021), 《贯彻落实碳达峰碳中和目标要求
   推动数据中心和5G等新型基础设施绿色高质量发展实施方案》.
.. [4] NDRC, MIIT, NEA, NDA (2024), 《数据中心绿色低碳发展专项行动计划》.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zerocity.actions.buildings import ActionInputError, ClimateZone
from zerocity.factors.library import FactorLibrary
from zerocity.inventory.unit_factors import unit_emissions

__all__ = [
    "DataCentre",
    "DataCentreResult",
    "PueTarget",
    "ScenarioPath",
    "Size",
    "TargetCheck",
    "assess",
    "check_pue",
    "default_cooling_share",
    "improvement_scenario",
    "load_scenario",
    "load_targets",
]

#: GPC reference of a data centre's grid electricity (commercial and institutional, scope 2).
GPC_GRID = "I.2.2"


class Size(StrEnum):
    """Data-centre size classes of the Chinese policies (by standard racks)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    VERY_LARGE = "very_large"


class PueTarget(BaseModel):
    """A PUE target and where it applies."""

    model_config = ConfigDict(extra="forbid")

    id: str
    limit: float = Field(ge=1.0)
    description: str = ""
    applies_to: dict[str, Any] = Field(default_factory=dict)
    source: str

    def applies(self, dc: DataCentre) -> bool:
        """Whether the target applies to a data centre (every given condition must hold)."""
        cond = self.applies_to
        if "new" in cond and bool(cond["new"]) != dc.new:
            return False
        if "size" in cond and (dc.size is None or str(dc.size) not in cond["size"]):
            return False
        return not ("zone" in cond and (dc.zone is None or str(dc.zone) not in cond["zone"]))


def _data() -> dict[str, Any]:
    text = resources.files("zerocity.actions").joinpath("data/datacentre.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def load_targets() -> tuple[PueTarget, ...]:
    """The shipped PUE targets (``data/datacentre.yaml``)."""
    return tuple(PueTarget.model_validate(t) for t in _data()["targets"])


def default_cooling_share() -> tuple[float, str]:
    """ASSUMED cooling share of the non-IT energy and its note."""
    d = _data()["cooling_share_of_overhead"]
    return float(d["value"]), " ".join(str(d["source"]).split())


class DataCentre(BaseModel):
    """A data centre.

    Give ``pue``, or the overhead loads ``cooling_kw`` and ``power_loss_kw`` (optionally
    ``other_kw``) from which ``PUE = (P_IT + P_cool + P_loss + P_other) / P_IT``.
    """

    model_config = ConfigDict(extra="forbid")

    name: str = "data centre"
    it_load_kw: float = Field(gt=0, description="average IT load [kW]")
    hours: float = Field(default=8760.0, gt=0, le=8784, description="operating hours [h/a]")
    pue: float | None = Field(default=None, ge=1.0)
    cooling_kw: float | None = Field(default=None, ge=0)
    power_loss_kw: float | None = Field(default=None, ge=0)
    other_kw: float = Field(default=0.0, ge=0)
    cooling_share: float | None = Field(default=None, ge=0, le=1, description="of the overhead, when only PUE is given")
    green_share: float = Field(default=0.0, ge=0, le=1, description="share of facility energy from green power")
    new: bool = False
    size: Size | None = None
    zone: ClimateZone | None = None
    region: str = "CN"
    year: int = 2024

    @model_validator(mode="after")
    def _pue_or_loads(self) -> DataCentre:
        loads = self.cooling_kw is not None or self.power_loss_kw is not None
        if self.pue is None and not loads:
            raise ValueError("give pue, or cooling_kw and power_loss_kw")
        if self.pue is not None and loads:
            raise ValueError("give pue or the overhead loads (cooling_kw, power_loss_kw), not both")
        if loads and (self.cooling_kw is None or self.power_loss_kw is None):
            raise ValueError("give both cooling_kw and power_loss_kw")
        return self

    def loads_kw(self) -> tuple[float, float, float]:
        """Cooling, power-loss and other loads [kW] (only when they were given instead of a PUE)."""
        if self.cooling_kw is None or self.power_loss_kw is None:
            raise ActionInputError(f"{self.name}: no overhead loads given (a PUE was)")
        return self.cooling_kw, self.power_loss_kw, self.other_kw

    @property
    def effective_pue(self) -> float:
        """PUE given or computed from the loads [unitless]."""
        if self.pue is not None:
            return self.pue
        return (self.it_load_kw + sum(self.loads_kw())) / self.it_load_kw


@dataclass(frozen=True)
class TargetCheck:
    """Result of one target against a PUE."""

    id: str
    limit: float
    applies: bool
    meets: bool
    margin: float
    description: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "id": self.id,
            "limit": self.limit,
            "applies": self.applies,
            "meets": self.meets,
            "margin": self.margin,
            "description": self.description,
            "source": self.source,
        }


def check_pue(dc: DataCentre, targets: tuple[PueTarget, ...] | list[PueTarget] | None = None) -> list[TargetCheck]:
    """Check a data centre's PUE against targets: it meets one when ``PUE <= limit``.

    The policies say "PUE 降低到 1.3 以下"; in Chinese legal usage "以下" includes the number itself
    (Civil Code of the PRC, Article 1259), so a PUE equal to the limit meets it.
    ``margin = limit - PUE`` (>= 0 = met). Every target is listed; ``applies`` says
    whether the data centre is in its scope (new build, size, climate zone).
    """
    pue = dc.effective_pue
    out = []
    for t in load_targets() if targets is None else targets:
        out.append(
            TargetCheck(
                t.id, t.limit, t.applies(dc), pue <= t.limit, t.limit - pue, t.description, " ".join(t.source.split())
            )
        )
    return out


@dataclass
class DataCentreResult:
    """Energy, emissions and target checks of a data centre (energies in MWh/a, emissions in t CO2e/a)."""

    dc: DataCentre
    pue: float
    it_mwh: float
    facility_mwh: float
    cooling_mwh: float
    power_loss_mwh: float
    other_mwh: float
    green_mwh: float
    grid_mwh: float
    grid_factor_t_per_mwh: float
    factor_ids: str
    tco2e: float
    checks: list[TargetCheck]
    split_source: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "name": self.dc.name,
            "inputs": self.dc.model_dump(mode="json"),
            "pue": self.pue,
            "energy_mwh": {
                "it": self.it_mwh,
                "facility": self.facility_mwh,
                "cooling": self.cooling_mwh,
                "power_losses": self.power_loss_mwh,
                "other": self.other_mwh,
                "green": self.green_mwh,
                "grid": self.grid_mwh,
            },
            "overhead_split_source": self.split_source,
            "grid_factor_t_per_mwh": self.grid_factor_t_per_mwh,
            "factor_ids": self.factor_ids,
            "tco2e": self.tco2e,
            "targets": [c.to_dict() for c in self.checks],
        }


def _grid_factor(region: str, year: int, library: FactorLibrary | None) -> tuple[float, str]:
    u = unit_emissions(
        [(GPC_GRID, "electricity_grid", "MWh")], region=region, year=year, library=library, source="data centre grid"
    )[0]
    return u.tco2e, u.factor_ids


def assess(
    dc: DataCentre,
    *,
    library: FactorLibrary | None = None,
    targets: tuple[PueTarget, ...] | list[PueTarget] | None = None,
    grid_factor_t_per_mwh: float | None = None,
) -> DataCentreResult:
    """Energy, emissions and PUE checks of a data centre.

    Parameters
    ----------
    dc : DataCentre
    grid_factor_t_per_mwh : float, optional
        Overrides the library's grid factor for ``dc.region`` and ``dc.year`` [t CO2e/MWh].
    """
    pue = dc.effective_pue
    it = dc.it_load_kw * dc.hours / 1000.0
    facility = pue * it
    overhead = facility - it
    if dc.pue is None:
        cooling, losses, other = (kw * dc.hours / 1000.0 for kw in dc.loads_kw())
        split = "measured loads"
    else:
        share, note = (dc.cooling_share, "given") if dc.cooling_share is not None else default_cooling_share()
        cooling = overhead * share
        losses = overhead - cooling
        other = 0.0
        split = f"cooling share {share:g} of the overhead ({note})"
    if grid_factor_t_per_mwh is None:
        ef, ids = _grid_factor(dc.region, dc.year, library)
    else:
        ef, ids = float(grid_factor_t_per_mwh), "user"
    green = facility * dc.green_share
    grid = facility - green
    return DataCentreResult(
        dc, pue, it, facility, cooling, losses, other, green, grid, ef, ids, grid * ef, check_pue(dc, targets), split
    )


class ScenarioPath(BaseModel):
    """An improvement path (``scenario.yaml``): the data centre and, per year, PUE and green share."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    datacentre: DataCentre
    years: list[int] = Field(min_length=1)
    pue: list[float]
    green_share: list[float]
    it_load_kw: list[float] | None = None
    grid_factor_t_per_mwh: list[float] | None = None

    @model_validator(mode="after")
    def _lengths(self) -> ScenarioPath:
        n = len(self.years)
        for name in ("pue", "green_share", "it_load_kw", "grid_factor_t_per_mwh"):
            v = getattr(self, name)
            if v is not None and len(v) != n:
                raise ValueError(f"{name} has {len(v)} values for {n} years")
        if any(p < 1 for p in self.pue):
            raise ValueError("pue values must be >= 1")
        if any(not 0 <= g <= 1 for g in self.green_share):
            raise ValueError("green_share values must lie in [0, 1]")
        if sorted(set(self.years)) != self.years:
            raise ValueError("years must be increasing and distinct")
        return self


def load_scenario(path: Path) -> ScenarioPath:
    """Read an improvement-path YAML.

    Raises
    ------
    ActionInputError
        Unreadable file or a field that breaks the schema (named in the message).
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return ScenarioPath.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ActionInputError(f"{path}: cannot read YAML: {exc}") from exc
    except ValidationError as exc:
        parts = [f"{'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()]
        raise ActionInputError(f"{path}: " + "; ".join(parts)) from None


def improvement_scenario(
    path: ScenarioPath,
    *,
    library: FactorLibrary | None = None,
    targets: tuple[PueTarget, ...] | list[PueTarget] | None = None,
) -> pd.DataFrame:
    """Energy and emissions per year along a PUE and green-share path.

    Each year is :func:`assess` of the data centre with that year's PUE, green share, IT load (if
    given) and grid factor (given, or the library's factor of that year). ``avoided_tco2e`` is
    against the first year's PUE and green share at the same year's IT load and grid factor.

    Returns
    -------
    pandas.DataFrame
        ``year``, ``pue``, ``green_share``, ``it_mwh``, ``facility_mwh``, ``grid_mwh``,
        ``grid_factor_t_per_mwh``, ``tco2e``, ``baseline_tco2e``, ``avoided_tco2e``,
        ``meets_applicable_targets`` (every applicable target met), ``factor_ids``.
    """
    base = path.datacentre.model_dump()
    base.update({"cooling_kw": None, "power_loss_kw": None, "other_kw": 0.0})
    rows = []
    for k, year in enumerate(path.years):
        it_kw = path.it_load_kw[k] if path.it_load_kw is not None else path.datacentre.it_load_kw
        g = None if path.grid_factor_t_per_mwh is None else path.grid_factor_t_per_mwh[k]
        spec = {**base, "it_load_kw": it_kw, "year": year}
        res = assess(
            DataCentre(**{**spec, "pue": path.pue[k], "green_share": path.green_share[k]}),
            library=library,
            targets=targets,
            grid_factor_t_per_mwh=g,
        )
        ref = assess(
            DataCentre(**{**spec, "pue": path.pue[0], "green_share": path.green_share[0]}),
            library=library,
            targets=targets,
            grid_factor_t_per_mwh=res.grid_factor_t_per_mwh,
        )
        applicable = [c for c in res.checks if c.applies]
        rows.append(
            {
                "year": year,
                "pue": res.pue,
                "green_share": path.green_share[k],
                "it_mwh": res.it_mwh,
                "facility_mwh": res.facility_mwh,
                "grid_mwh": res.grid_mwh,
                "grid_factor_t_per_mwh": res.grid_factor_t_per_mwh,
                "tco2e": res.tco2e,
                "baseline_tco2e": ref.tco2e,
                "avoided_tco2e": ref.tco2e - res.tco2e,
                "meets_applicable_targets": bool(all(c.meets for c in applicable)) if applicable else np.nan,
                "factor_ids": res.factor_ids,
            }
        )
    return pd.DataFrame(rows)
