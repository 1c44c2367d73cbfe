"""Energy models over HTTP as jobs: battery sizing and energy-system planning.

The same calls as ``zerocity storage size`` and ``zerocity energy optimise``. Both solve linear
programmes with HiGHS that take seconds to minutes, so they are job kinds of
:mod:`zerocity.service.jobs`.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from zerocity.energy.storage import Battery, load_profile, load_tariff, size_storage
from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.jsonio import jsonable
from zerocity.service.jobs import job_kind

__all__ = ["ENERGY_JOB", "STORAGE_JOB", "energy_job", "storage_job"]

logger = logging.getLogger(__name__)

#: Job kinds.
STORAGE_JOB = "energy.storage"
ENERGY_JOB = "energy.optimise"
#: Annual load of the Demo City industrial user [kWh] (the CLI's ``storage size --demo``).
DEMO_ANNUAL_KWH = 4_000_000.0

#: Request fields -> :class:`~zerocity.energy.storage.Battery` fields.
_BATTERY_FIELDS = {
    "capex_kwh": "capex_per_kwh",
    "capex_kw": "capex_per_kw",
    "degradation_cost": "degradation_per_kwh",
    "discount_rate": "discount_rate",
    "lifetime": "lifetime_years",
    "energy_kwh": "energy_kwh",
    "power_kw": "power_kw",
    "max_energy_kwh": "max_energy_kwh",
    "max_power_kw": "max_power_kw",
}


def _load_series(rows: list[dict[str, Any]]) -> tuple[pd.Series, pd.Series | None]:
    frame = pd.DataFrame(rows)
    times = pd.to_datetime(frame["time"], errors="coerce", format="ISO8601")
    issues = [
        RecordIssue(int(i) + 1, "time", "expected a date-time (local time)", str(frame["time"].iloc[i]))
        for i in range(len(frame))
        if pd.isna(times.iloc[i])
    ]
    if issues:
        raise InvalidRecordsError("load", issues)
    index = pd.DatetimeIndex(times)
    load = pd.Series(frame["load_kw"].to_numpy(float), index=index, name="load_kw")
    has_pv = "pv_kw" in frame and frame["pv_kw"].notna().any()
    pv = pd.Series(frame["pv_kw"].fillna(0.0).to_numpy(float), index=index, name="pv_kw") if has_pv else None
    return load, pv


@job_kind(STORAGE_JOB)
def storage_job(params: dict[str, Any]) -> dict[str, Any]:
    """Optimal battery size and dispatch against a time-of-use tariff (``zerocity storage size --json``)."""
    if params["demo"]:
        index = pd.date_range("2023-01-01", "2024-01-01", freq="h", inclusive="left")
        load, pv, source = load_profile("industrial", DEMO_ANNUAL_KWH, index), None, "Demo City industrial user"
    else:
        load, pv = _load_series(params["load"])
        source = "load"
    if params.get("days"):
        end = load.index[0] + pd.Timedelta(days=int(params["days"]))
        load = load[load.index < end]
        pv = None if pv is None else pv[pv.index < end]
    if params.get("tariff_yaml"):
        with tempfile.TemporaryDirectory(prefix="zerocity-tariff-") as folder:
            path = Path(folder) / "tariff.yaml"
            path.write_text(params["tariff_yaml"], encoding="utf-8")
            tariff = load_tariff(path)
    else:
        tariff = load_tariff()
    fields = dict(Battery().__dict__)
    for name, field in _BATTERY_FIELDS.items():
        if params.get(name) is not None:
            fields[field] = params[name]
    if params.get("efficiency") is not None:
        fields["charge_efficiency"] = fields["discharge_efficiency"] = params["efficiency"]
    fields["allow_export"] = not params["no_export"]
    result = size_storage(load, tariff, pv_kw=pv, battery=Battery(**fields))
    doc: dict[str, Any] = jsonable(result.to_dict(dispatch=bool(params.get("dispatch"))))
    doc["source"] = source
    return doc


@job_kind(ENERGY_JOB)
def energy_job(params: dict[str, Any]) -> dict[str, Any]:
    """Capacities and hourly dispatch for one objective, a weighted sum, or a Pareto front."""
    from zerocity.energy.planning import build_model, optimise, pareto_front
    from zerocity.energy.system import load_system

    if params["demo"] is not None:
        from zerocity.demo.energy_system import demo_system

        energy = load_system(data=demo_system(representative=params["demo"] == "days"))
    else:
        profiles = None if params.get("profiles") is None else pd.DataFrame(params["profiles"])
        energy = load_system(data=params["system"], profiles=profiles)
    if params["pareto"]:
        plans, model = pareto_front(energy, int(params["pareto"]))
        doc: dict[str, Any] = {
            "system": energy.spec.name,
            "snapshots": len(energy.snapshots),
            "build_seconds": model.build_seconds,
            "pareto": [p.to_dict() for p in plans],
        }
    else:
        model = build_model(energy)
        plan = optimise(
            energy,
            objective=params["objective"],
            weights=params.get("weights"),
            co2_cap=params.get("co2_cap"),
            model=model,
        )
        doc = {
            "system": energy.spec.name,
            "snapshots": len(energy.snapshots),
            "build_seconds": model.build_seconds,
            "plan": plan.to_dict(),
        }
    result: dict[str, Any] = jsonable(doc)
    return result
