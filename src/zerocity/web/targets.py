"""The target allocation page's view model: the city's cap shared among its districts by principles.

The allocation is :func:`zerocity.brain.targets.allocate` (``zerocity targets allocate``) on a
unit table built from the tenant's own data, one row per district of the profile:

- ``emissions_<year>`` [t CO2e]: the city inventory's rows of the district at the inventory's
  level (district-attributed rows only: city-wide rows without a district are not shared), for
  the base year and the two years before it (grandfathering uses their mean);
- ``population`` [persons]: the base year's population times the district's population share;
- ``gdp_10k_yuan`` [10^4 yuan]: the base year's GDP shared by a key (zerocity's choice, stated
  on the page): secondary industry by the district's share of the registered enterprises'
  output value (the enterprise registry), the rest by population share; all by population
  share without a registry or a ``gdp_secondary`` statistic;
- ``abatement_potential_t`` [t CO2e] and ``abatement_cost_yuan_per_t`` [yuan/t CO2e]: the
  **assumed** illustrative potentials and marginal costs by GPC sector of
  :data:`zerocity.cli_targets.DEMO_ABATEMENT_BY_SECTOR` applied to the district's base-year
  emissions by sector (sectors not listed have no potential).

The form sets the target (kind, base year, year, reduction, GDP growth or cap), the principle
weights (or entropy weights) and the bounds (floor and ceiling as shares of the base year).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zerocity.brain.targets import Allocation, Bound, Principle, TargetKind, Weighting, allocate
from zerocity.cli_targets import DEMO_ABATEMENT_BY_SECTOR, DEMO_DISTRICT_CONFIG
from zerocity.i18n import N_
from zerocity.web import figures
from zerocity.web.issues import FormIssue
from zerocity.web.mrvdata import Version
from zerocity.web.profile import CityProfile
from zerocity.web.resultcache import cached_result, input_digest
from zerocity.web.views import CityData

__all__ = [
    "GDP_NOTE_IDS",
    "HISTORY_YEARS",
    "PRINCIPLE_IDS",
    "TargetForm",
    "allocate_districts",
    "default_form",
    "district_emissions",
    "district_units",
    "parse_form",
    "targets_view",
]

Translate = Callable[..., str]

#: Years of history averaged by grandfathering, the base year included (as the CLI's demo: 3).
HISTORY_YEARS = 3
#: Principles -> message ids (the order of the form).
PRINCIPLE_IDS: dict[Principle, str] = {
    Principle.EQUITY: N_("web_principle_equity"),
    Principle.CAPACITY: N_("web_principle_capacity"),
    Principle.EFFICIENCY: N_("web_principle_efficiency"),
    Principle.ABATEMENT: N_("web_principle_abatement"),
    Principle.GRANDFATHERING: N_("web_principle_grandfathering"),
}
#: Target kinds -> message ids.
KIND_IDS: dict[TargetKind, str] = {
    TargetKind.INTENSITY: N_("web_target_intensity"),
    TargetKind.REDUCTION: N_("web_target_reduction"),
    TargetKind.CAP: N_("web_target_cap"),
}
#: Bounds that decided an allocation -> message ids.
BOUND_IDS: dict[str, str] = {
    Bound.FLOOR.value: N_("web_bound_floor"),
    Bound.CEILING.value: N_("web_bound_ceiling"),
    Bound.FIXED.value: N_("web_bound_fixed"),
}
#: How district GDP was keyed (:func:`district_units`) -> message id of the note saying so.
GDP_NOTE_IDS: dict[str, str] = {
    "registry": N_("web_target_gdp_note_registry"),
    "population": N_("web_target_gdp_note_population"),
}
#: Field -> message id of its label (for form messages).
FIELD_IDS: dict[str, str] = {
    "base_year": N_("web_target_base_year"),
    "year": N_("web_target_year"),
    "reduction": N_("web_target_reduction_pct"),
    "growth": N_("web_target_growth_pct"),
    "cap": N_("web_target_cap_t"),
    "floor": N_("web_target_floor_pct"),
    "ceiling": N_("web_target_ceiling_pct"),
    **{f"w_{p.value}": msgid for p, msgid in PRINCIPLE_IDS.items()},
}
#: Bar colours of the allocation chart (zerocity's choice: grey past, blue latest, green allocation).
SERIES_COLOURS = {"base": "#9e9e9e", "current": "#1f5f99", "allocation": "#2e7d32"}
#: Latest target year accepted [year] (China's carbon neutrality year; see zerocity.demo.tenant).
LAST_TARGET_YEAR = 2060


@dataclass(frozen=True)
class TargetForm:
    """The target and how to share it.

    Attributes
    ----------
    kind : TargetKind
    base_year, year : int
        Base and target year.
    reduction_pct : float
        Reduction of emissions (``reduction``) or of emissions per GDP (``intensity``) [%].
    gdp_growth_pct : float
        Yearly GDP growth of an intensity target [%/yr].
    cap_tco2e : float or None
        Cap of a ``cap`` target [t CO2e].
    weighting : Weighting
        Given weights or entropy weights.
    weights : dict of Principle to float
        Weights of the principles (principles with weight 0 are left out).
    floor_pct, ceiling_pct : float or None
        Each district's allocation at least / at most this share of its base-year emissions [%].
    """

    kind: TargetKind
    base_year: int
    year: int
    reduction_pct: float
    gdp_growth_pct: float
    cap_tco2e: float | None
    weighting: Weighting
    weights: dict[Principle, float] = field(default_factory=dict)
    floor_pct: float | None = None
    ceiling_pct: float | None = None


def default_form(years: Sequence[int]) -> TargetForm:
    """The form's first values: the CLI's Demo City example (``DEMO_DISTRICT_CONFIG``).

    That is China's 14th Five-Year Plan CO2-intensity target (-18 % from 2020 to 2025) at 5.5 %/yr
    GDP growth, its weights and bounds; the base year is 2020 when the inventory has it, else the
    latest inventory year, and the target year five years later.
    """
    cfg = DEMO_DISTRICT_CONFIG
    target = cfg["target"]
    base = int(target["base_year"]) if int(target["base_year"]) in years else int(max(years))
    return TargetForm(
        kind=TargetKind(target["kind"]),
        base_year=base,
        year=base + (int(target["year"]) - int(target["base_year"])),
        reduction_pct=float(target["reduction_pct"]),
        gdp_growth_pct=float(target["gdp_growth_pct"]),
        cap_tco2e=None,
        weighting=Weighting.GIVEN,
        weights={Principle(p): float(spec["weight"]) for p, spec in cfg["principles"].items()},
        floor_pct=round(100.0 * float(cfg["bounds"]["floor_share_of_base"]), 6),
        ceiling_pct=round(100.0 * float(cfg["bounds"]["ceiling_share_of_base"]), 6),
    )


def _number(
    params: Mapping[str, str], name: str, issues: list[FormIssue], low: float, high: float
) -> tuple[bool, float | None]:
    """(given, value): ``given`` is False for a missing or empty field; a bad value is reported."""
    text = (params.get(name) or "").strip()
    if text == "":
        return False, None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        issues.append(FormIssue(name, N_("web_form_not_number"), {"field": FIELD_IDS[name], "value": text}))
        return True, None
    if not math.isfinite(value) or not low <= value <= high:
        issues.append(
            FormIssue(name, N_("web_form_range"), {"field": FIELD_IDS[name], "value": text, "low": low, "high": high})
        )
        return True, None
    return True, value


def parse_form(params: Mapping[str, str], years: Sequence[int]) -> tuple[TargetForm, list[FormIssue]]:
    """Read the form's query parameters over the defaults; every problem is returned, none raised.

    Parameters
    ----------
    params : mapping
        Query parameters (``kind``, ``base_year``, ``year``, ``reduction``, ``growth``, ``cap``,
        ``weighting``, ``w_<principle>``, ``floor``, ``ceiling``); missing ones keep the default.
    years : sequence of int
        Years the city data covers (possible base years).
    """
    form = default_form(years)
    if not params:
        return form, []
    issues: list[FormIssue] = []
    kind = form.kind
    if "kind" in params:
        try:
            kind = TargetKind(params["kind"])
        except ValueError:
            issues.append(
                FormIssue("kind", N_("web_form_choice"), {"field": N_("web_target_kind"), "value": params["kind"]})
            )
    weighting = form.weighting
    if "weighting" in params:
        try:
            weighting = Weighting(params["weighting"])
        except ValueError:
            issues.append(
                FormIssue(
                    "weighting", N_("web_form_choice"), {"field": N_("web_weighting"), "value": params["weighting"]}
                )
            )
    first, last = int(min(years)), int(max(years))
    given, base = _number(params, "base_year", issues, first, last)
    base_year = form.base_year if not given or base is None else int(base)
    if given and base is not None and (base != int(base) or int(base) not in years):
        issues.append(FormIssue("base_year", N_("web_form_year_choice"), {"first": first, "last": last}))
    given, target = _number(params, "year", issues, first + 1, LAST_TARGET_YEAR)
    year = form.year if not given or target is None else int(target)
    if year <= base_year:
        issues.append(FormIssue("year", N_("web_form_year_after"), {"base": base_year}))
    _, reduction = _number(params, "reduction", issues, 0.0, 99.0)
    _, growth = _number(params, "growth", issues, -50.0, 50.0)
    given_cap, cap = _number(params, "cap", issues, 0.0, 1e12)
    if kind is TargetKind.CAP and (cap is None or cap <= 0) and not any(i.field == "cap" for i in issues):
        issues.append(FormIssue("cap", N_("web_form_required"), {"field": FIELD_IDS["cap"]}))
    weights: dict[Principle, float] = {}
    for p in PRINCIPLE_IDS:
        name = f"w_{p.value}"
        given_w, w = _number(params, name, issues, 0.0, 1.0)
        value = w if given_w else (0.0 if "kind" in params else form.weights.get(p, 0.0))
        if value:
            weights[p] = float(value)
    if not weights and not any(i.field.startswith("w_") for i in issues):
        issues.append(FormIssue("w_equity", N_("web_form_no_principle"), {}))
    given_floor, floor = _number(params, "floor", issues, 0.0, 1000.0)
    given_ceiling, ceiling = _number(params, "ceiling", issues, 0.0, 1000.0)
    floor_pct = floor if given_floor else (None if "kind" in params else form.floor_pct)
    ceiling_pct = ceiling if given_ceiling else (None if "kind" in params else form.ceiling_pct)
    if floor_pct is not None and ceiling_pct is not None and floor_pct > ceiling_pct:
        issues.append(
            FormIssue("floor", N_("web_form_floor_above_ceiling"), {"floor": floor_pct, "ceiling": ceiling_pct})
        )
    return (
        TargetForm(
            kind=kind,
            base_year=base_year,
            year=year,
            reduction_pct=form.reduction_pct if reduction is None else reduction,
            gdp_growth_pct=form.gdp_growth_pct if growth is None else growth,
            cap_tco2e=cap if given_cap else None,
            weighting=weighting,
            weights=weights,
            floor_pct=floor_pct,
            ceiling_pct=ceiling_pct,
        ),
        issues,
    )


# ---------------------------------------------------------------------------------------- units
def _sector_key(ref: str) -> str:
    """The key of :data:`DEMO_ABATEMENT_BY_SECTOR`: ``I.x`` for stationary energy, else the sector (``II``)."""
    parts = ref.split(".")
    return ".".join(parts[:2]) if parts[0] == "I" else parts[0]


def _district_rows(data: CityData) -> pd.DataFrame:
    counted = data.result.counted(data.level)
    frame = pd.DataFrame(
        {
            "district": counted["district"].astype(str).to_numpy(),
            "year": counted["year"].to_numpy(dtype=int),
            "sector": [_sector_key(str(r)) for r in counted["gpc_ref"].astype(str).to_numpy()],
            "tco2e": counted["tco2e"].to_numpy(dtype=float),
        }
    )
    frame = frame[frame["district"] != ""]
    return frame.groupby(["district", "year", "sector"], as_index=False, sort=True)["tco2e"].sum()


def district_emissions(
    inventory: Mapping[str, Any], versions: Sequence[Version], data: Callable[[], CityData], *, folder: Path | None
) -> pd.DataFrame:
    """Emissions by district, year and sector key [t CO2e] of the city data, computed once per inventory version.

    Parameters
    ----------
    inventory : mapping
        :func:`zerocity.web.views.inventory_version` of the city inventory.
    versions : sequence of Version
        Verified enterprise versions in the city data.
    data : callable
        Gives the city data; called only when the table is not stored yet.
    folder : pathlib.Path, optional
        Where results are kept on disk.

    Returns
    -------
    pandas.DataFrame
        ``district``, ``year``, ``sector`` (``I.1``...``I.6``, ``II``, ``III``...), ``tco2e``.
    """
    digest = input_digest(
        "district-emissions", {"inventory": dict(inventory), "versions": sorted(list(v.key) for v in versions)}
    )
    found: pd.DataFrame = cached_result("district-emissions", digest, lambda: _district_rows(data()), folder=folder)
    return found


def _registry_output(registry: pd.DataFrame | None) -> pd.Series | None:
    """Output value of the registered enterprises by district [10^4 yuan], or None without one."""
    if registry is None or not {"district", "output_value_10k_yuan"} <= set(registry.columns):
        return None
    output = pd.to_numeric(registry["output_value_10k_yuan"], errors="coerce").fillna(0.0)
    by = output.groupby(registry["district"].astype(str)).sum()
    return by if float(by.sum()) > 0 else None


def district_units(
    emissions: pd.DataFrame, profile: CityProfile, base_year: int, registry: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, str]:
    """The districts as allocation units (the module docstring gives every column's derivation).

    Returns
    -------
    tuple
        The unit table (``district``, ``population``, ``gdp_10k_yuan``, ``emissions_<year>``...,
        ``abatement_potential_t``, ``abatement_cost_yuan_per_t``) and the GDP key used
        (``registry`` or ``population``).
    """
    shares = pd.Series(profile.population_shares(), dtype=float)
    codes = shares.index.astype(str)
    pop_share = shares / shares.sum()
    stats = profile.statistics.set_index("year")
    row = stats.loc[base_year]
    population = float(row["population"]) * pop_share
    gdp = float(row["gdp"])
    output = _registry_output(registry)
    secondary = (
        float(row["gdp_secondary"]) if "gdp_secondary" in stats.columns and pd.notna(row.get("gdp_secondary")) else None
    )
    if output is not None and secondary is not None:
        key = output.reindex(codes).fillna(0.0)
        district_gdp = secondary * key / key.sum() + (gdp - secondary) * pop_share
        how = "registry"
    else:
        district_gdp = gdp * pop_share
        how = "population"
    years = [y for y in range(base_year - HISTORY_YEARS + 1, base_year + 1) if y in set(emissions["year"])]
    by_year = emissions.groupby(["district", "year"])["tco2e"].sum().unstack("year").reindex(index=codes)
    base = emissions[emissions["year"] == base_year]
    known = base["sector"].isin(list(DEMO_ABATEMENT_BY_SECTOR))
    share = base["sector"].map(lambda s: DEMO_ABATEMENT_BY_SECTOR.get(s, (0.0, 0.0))[0]).astype(float)
    cost = base["sector"].map(lambda s: DEMO_ABATEMENT_BY_SECTOR.get(s, (0.0, 0.0))[1]).astype(float)
    potential = (base["tco2e"] * share).where(known, 0.0)
    agg = pd.DataFrame({"district": base["district"], "pot": potential, "cw": potential * cost})
    agg = agg.groupby("district").sum().reindex(codes).fillna(0.0)
    city_cost = float(agg["cw"].sum() / agg["pot"].sum()) if float(agg["pot"].sum()) > 0 else 1.0
    unit_cost = np.where(agg["pot"] > 0, agg["cw"] / agg["pot"].where(agg["pot"] > 0, 1.0), city_cost)
    frame = pd.DataFrame(
        {
            "district": list(codes),
            "population": population.to_numpy(),
            "gdp_10k_yuan": district_gdp.reindex(codes).to_numpy(dtype=float),
        }
    )
    for y in years:
        frame[f"emissions_{y}"] = by_year[y].fillna(0.0).to_numpy(dtype=float) if y in by_year.columns else 0.0
    frame["abatement_potential_t"] = agg["pot"].to_numpy(dtype=float)
    frame["abatement_cost_yuan_per_t"] = unit_cost.astype(float)
    return frame, how


def target_config(form: TargetForm, history: Sequence[str]) -> dict[str, Any]:
    """The :class:`zerocity.brain.targets.TargetConfig` of a form over :func:`district_units` columns."""
    target: dict[str, Any] = {"kind": form.kind.value, "base_year": form.base_year, "year": form.year}
    if form.kind is TargetKind.CAP:
        target["cap_tco2e"] = form.cap_tco2e
    else:
        target["reduction_pct"] = form.reduction_pct
    if form.kind is TargetKind.INTENSITY:
        target["gdp_growth_pct"] = form.gdp_growth_pct
    principles: dict[str, Any] = {}
    for p, w in form.weights.items():
        spec: dict[str, Any] = {} if form.weighting is Weighting.ENTROPY else {"weight": w}
        if p in (Principle.CAPACITY, Principle.EFFICIENCY):
            spec["exponent"] = 1.0
        principles[p.value] = spec
    bounds: dict[str, Any] = {}
    if form.floor_pct is not None:
        bounds["floor_share_of_base"] = form.floor_pct / 100.0
    if form.ceiling_pct is not None:
        bounds["ceiling_share_of_base"] = form.ceiling_pct / 100.0
    return {
        "version": 1,
        "name": "districts",
        "columns": {
            "id": "district",
            "population": "population",
            "gdp": "gdp_10k_yuan",
            "emissions_base": f"emissions_{form.base_year}",
            "history": list(history),
            "abatement_potential": "abatement_potential_t",
            "abatement_cost": "abatement_cost_yuan_per_t",
        },
        "target": target,
        "principles": principles,
        "weights": form.weighting.value,
        "bounds": bounds,
        "decimals": 0,
    }


def allocate_districts(units: pd.DataFrame, form: TargetForm) -> Allocation:
    """Allocate the form's target to the district units (``zerocity targets allocate``).

    Raises
    ------
    zerocity.brain.targets.TargetError
        (and its subclasses) when the target cannot be shared, e.g. infeasible bounds.
    zerocity.errors.InvalidRecordsError
        A unit table the principles cannot use (e.g. no emissions in the base year).
    """
    history = [c for c in units.columns if c.startswith("emissions_")]
    return allocate(units, target_config(form, history), source="districts")


# ---------------------------------------------------------------------------------------- view
def targets_view(
    allocation: Allocation,
    current: Mapping[str, float],
    current_year: int,
    names: Mapping[str, str],
    t: Translate,
) -> dict[str, Any]:
    """The allocation table, its summary and the chart, labelled in one language.

    Parameters
    ----------
    allocation : Allocation
    current : mapping
        District -> emissions of ``current_year`` [t CO2e] (the latest inventory year).
    names : mapping
        District code -> name in the page's language.

    Returns
    -------
    dict
        ``summary`` (cap, base emissions, change, weights, marginal abatement cost), ``rows``
        (per district), ``figure``.
    """
    a = allocation
    tab = a.table
    share_cols = [f"share_{p.value}" for p in a.principles]
    rows = []
    for r in tab.to_dict("records"):
        code = str(r["unit"])
        now = float(current.get(code, float("nan")))
        rows.append(
            {
                "district": code,
                "name": names.get(code, code),
                "population": r.get("population"),
                "gdp": r.get("gdp"),
                "base": float(r["emissions_base"]),
                "current": now,
                "allocation": float(r["allocation"]),
                "change_pct": -float(r["reduction_pct"]) if np.isfinite(r["reduction_pct"]) else None,
                "current_gap_pct": 100.0 * (float(r["allocation"]) / now - 1.0) if now > 0 else None,
                "share_pct": 100.0 * float(r["allocation_share"]),
                "bound": t(BOUND_IDS[r["bound"]]) if r["bound"] in BOUND_IDS else "",
                "principle_shares": [100.0 * float(r[c]) for c in share_cols],
            }
        )
    target = a.target
    summary = {
        "kind": t(KIND_IDS[target.kind]),
        "base_year": target.base_year,
        "year": target.year,
        "cap": float(target.cap),
        "base": float(target.base_emissions),
        "change_pct": -float(target.reduction_vs_base_pct),
        "weights": [(t(PRINCIPLE_IDS[p]), 100.0 * w) for p, w in a.weights.items()],
        "weighting": a.weighting.value,
        "mac": a.marginal_abatement_cost,
        "at_floor": int(a.totals["at_floor"]),
        "at_ceiling": int(a.totals["at_ceiling"]),
        "allocated": float(a.totals["allocated_tco2e"]),
        "principles": [t(PRINCIPLE_IDS[p]) for p in a.principles],
        "current_year": current_year,
        "current_total": float(sum(current.get(str(u), 0.0) for u in tab["unit"])),
    }
    chart = pd.DataFrame(
        {
            "name": [r["name"] for r in rows],
            "base": [r["base"] for r in rows],
            "current": [r["current"] for r in rows],
            "allocation": [r["allocation"] for r in rows],
        }
    )
    series = {"base": t("web_target_series_base", year=target.base_year)}
    colours = [SERIES_COLOURS["base"]]
    if current_year != target.base_year:
        series["current"] = t("web_target_series_current", year=current_year)
        colours.append(SERIES_COLOURS["current"])
    series["allocation"] = t("web_target_series_allocation", year=target.year)
    colours.append(SERIES_COLOURS["allocation"])
    figure = figures.grouped_bars(
        chart, "name", series, title=t("web_chart_allocation"), y_title="tCO2e", colours=colours
    )
    return {"summary": summary, "rows": rows, "figure": figure}
