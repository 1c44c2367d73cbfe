"""The Brain page's view model: Kaya LMDI, peak forecast, scenario pathways, wedges and MACC.

Inputs are the tenant's own data: the territorial totals of its city inventory by year, the
profile's statistics (population, GDP, secondary industry, energy) and its scenario model. The
calls are those of ``zerocity brain kaya|peak`` and ``zerocity scenario run|wedges``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from zerocity.brain.lmdi import kaya
from zerocity.brain.peak import PeakResult, predict_peak
from zerocity.brain.scenario import compile_model, run_scenarios, wedges
from zerocity.brain.scenario.model import CompiledModel
from zerocity.brain.scenario.pathways import ScenarioResults, WedgeTable
from zerocity.i18n import N_
from zerocity.inventory.gpc import Level
from zerocity.web import figures
from zerocity.web.views import CityData

__all__ = ["PEAK_BEFORE", "PEAK_RUNS", "BrainNumbers", "brain_numbers", "brain_view", "kaya_frame", "peak_frame"]

logger = logging.getLogger(__name__)

Translate = Callable[..., str]

#: Monte Carlo runs of the page's peak forecast (zerocity's choice: a stable median in ~5 s).
PEAK_RUNS = 300
#: Year of the "peak by" probability [year] (China's 2030 peak goal; see zerocity.demo.tenant).
PEAK_BEFORE = 2030
#: Horizon of the peak forecast [year].
PEAK_UNTIL = 2060
#: Kaya factors -> message ids.
FACTOR_IDS = {
    "population": N_("web_factor_population"),
    "affluence": N_("web_factor_affluence"),
    "energy_intensity": N_("web_factor_energy_intensity"),
    "carbon_intensity": N_("web_factor_carbon_intensity"),
}


def _territorial(data: CityData) -> pd.DataFrame:
    """Territorial emissions by year [t CO2e] of the city inventory."""
    by_year = data.result.by_year()
    return pd.DataFrame(
        {"year": [int(y) for y in by_year], "emissions": [float(d["territorial_tco2e"]) for d in by_year.values()]}
    )


def kaya_frame(data: CityData) -> pd.DataFrame | None:
    """``year, population, gdp, energy, emissions`` (as ``zerocity brain kaya --demo``), or None without energy."""
    stats = data.profile.statistics
    if "energy_total_tce" not in stats.columns:
        return None
    frame = stats[["year", "population", "gdp", "energy_total_tce"]].rename(columns={"energy_total_tce": "energy"})
    return frame.merge(_territorial(data), on="year", validate="one_to_one")


def peak_frame(data: CityData) -> pd.DataFrame | None:
    """The peak forecast's history (as ``zerocity brain peak --demo``), or None without the statistics."""
    base = kaya_frame(data)
    stats = data.profile.statistics
    if base is None or "gdp_secondary" not in stats.columns:
        return None
    merged = base.merge(stats[["year", "gdp_secondary"]], on="year", validate="one_to_one")
    return pd.DataFrame(
        {
            "year": merged["year"],
            "population": merged["population"],
            "gdp": merged["gdp"],
            "industry_share": merged["gdp_secondary"] / merged["gdp"],
            "energy_intensity": merged["energy"] / merged["gdp"],
            "emissions": merged["emissions"],
        }
    )


@dataclass(frozen=True)
class BrainNumbers:
    """The language-free results behind the Brain page (computed once per city data)."""

    kaya: pd.DataFrame | None
    kaya_years: tuple[int, int] | None
    peak: PeakResult | None
    compiled: CompiledModel | None
    results: ScenarioResults | None
    wedges: WedgeTable | None


def brain_numbers(data: CityData) -> BrainNumbers:
    """Kaya waterfall, peak forecast, scenario runs and wedges of the city data (several seconds)."""
    water = years = None
    frame = kaya_frame(data)
    if frame is not None and len(frame) >= 2:
        first, last = int(frame["year"].min()), int(frame["year"].max())
        water = kaya(frame[frame["year"].isin([first, last])], period="year", source="city inventory").waterfall()
        years = (first, last)
    history = peak_frame(data)
    peak = None
    if history is not None:
        peak = predict_peak(
            history,
            emissions="emissions",
            until=PEAK_UNTIL,
            runs=PEAK_RUNS,
            before=PEAK_BEFORE,
            seed=0,
            source="city inventory",
        )
    compiled = results = table = None
    if data.profile.scenario_model:
        compiled = compile_model(data.profile.scenario_model, source="city scenario model")
        results = run_scenarios(compiled)
        names = list(compiled.scenarios)
        table = wedges(compiled, names[0], names[-1])
    return BrainNumbers(water, years, peak, compiled, results, table)


def brain_view(data: CityData, t: Translate, numbers: BrainNumbers | None = None) -> dict[str, Any]:
    """Everything the Brain page shows, labelled in one language.

    Returns
    -------
    dict
        ``kaya`` (start/end years, waterfall rows) or None; ``peak`` (median peak year, 5-95 %
        interval, probability of peaking by :data:`PEAK_BEFORE`, of no peak by the horizon) or
        None; ``scenarios`` (peak per scenario) or None; ``macc`` rows or None; ``figures``.
    """
    n = numbers or brain_numbers(data)
    figs: dict[str, Any] = {}
    view: dict[str, Any] = {"kaya": None, "peak": None, "scenarios": None, "macc": None, "figures": figs}
    if n.kaya is not None and n.kaya_years is not None:
        water = n.kaya
        first, last = n.kaya_years
        effects = water[~water["step"].isin(["start", "end"])].rename(columns={"step": "factor"})
        start = float(water.loc[water["step"] == "start", "effect"].iloc[0])
        end = float(water.loc[water["step"] == "end", "effect"].iloc[0])
        labelled = effects.assign(factor=effects["factor"].map(lambda f: t(FACTOR_IDS[f]) if f in FACTOR_IDS else f))
        figs["lmdi"] = figures.lmdi_waterfall(
            labelled,
            start,
            end,
            title=t("web_chart_lmdi", start=first, end=last),
            start_label=str(first),
            end_label=str(last),
        )
        view["kaya"] = {
            "start_year": first,
            "end_year": last,
            "start": start,
            "end": end,
            "rows": labelled.to_dict("records"),
        }
    if n.peak is not None:
        peak = n.peak
        summary = peak.summary
        view["peak"] = {
            "peak_year": summary.peak_year,
            "interval": summary.peak_year_interval,
            "p_before": summary.p_peak_before,
            "p_no_peak": summary.p_no_peak,
            "model": str(peak.chosen_model),
            "runs": peak.runs,
        }
        fan = peak.paths
        history = pd.DataFrame(
            {"scenario": t("web_history"), "year": peak.history["year"], "value": peak.history["tco2e"]}
        )
        forecast = pd.DataFrame(
            {
                "scenario": t("web_forecast"),
                "year": fan["year"],
                "value": fan["p50"],
                "low": fan["p5"],
                "high": fan["p95"],
            }
        )
        lines = pd.concat([history, forecast], ignore_index=True)
        figs["peak"] = figures.pathway_lines(lines, title=t("web_chart_peak"), y_title="tCO2e")
        figs["peak_years"] = figures.peak_histogram(
            summary.peak_year_shares,
            title=t("web_chart_peak_years", runs=peak.runs),
            x_title=t("web_peak_year"),
            y_title=t("web_share_of_runs"),
        )
    if n.compiled is not None and n.results is not None and n.wedges is not None:
        compiled, table = n.compiled, n.wedges
        totals = n.results.totals()
        paths = totals.reset_index().melt(id_vars="year", var_name="scenario", value_name="value")
        figs["pathways"] = figures.pathway_lines(paths, title=t("web_chart_pathways"), y_title="tCO2e")
        view["scenarios"] = [
            {"scenario": name, "peak_year": p["peak_year"], "peak_tco2e": p["peak_tco2e"], "max_tco2e": p["max_tco2e"]}
            for name, p in n.results.peaks(Level(compiled.spec.report_level)).items()
        ]
        view["scenario_end"] = int(compiled.spec.end_year)
        tidy = table.table.clip(lower=0).reset_index().melt(id_vars="year", var_name="measure", value_name="reduction")
        figs["wedges"] = figures.wedges(
            tidy, title=t("web_chart_wedges", start=table.start, end=table.end), y_title="tCO2e"
        )
        years = len(table.table.index)
        macc = [
            {
                "measure": name,
                "abatement": float(c["cumulative_abatement_tco2e"]) / years,
                "cost": float(c["levelised_cost_per_tco2e"]),
                "currency": c["currency"],
            }
            for name, c in table.costs.items()
            if c.get("levelised_cost_per_tco2e") is not None and c["cumulative_abatement_tco2e"] > 0
        ]
        if macc:
            view["macc"] = macc
            figs["macc"] = figures.macc_curve(
                pd.DataFrame(macc), title=t("web_chart_macc"), x_title=t("web_macc_x"), y_title=t("web_macc_y")
            )
    return view
