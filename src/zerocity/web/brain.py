"""The Brain page's view model: Kaya LMDI, peak forecast, scenario pathways, wedges and MACC.

Inputs are the tenant's own data: the territorial totals of its city inventory by year, the
profile's statistics (population, GDP, secondary industry, energy) and its scenario model. The
calls are those of ``zerocity brain kaya|peak`` and ``zerocity scenario run|wedges``.

They take seconds, so their results (:class:`BrainNumbers`, plain data) are computed once per
version of those inputs (:func:`brain_digest`: the inventory's records and parameters, the verified
enterprise versions, the statistics, the scenario model) and kept in memory and on disk
(:mod:`zerocity.web.resultcache`); :func:`brain_view` labels them in a language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from zerocity.brain.lmdi import kaya
from zerocity.brain.peak import PeakResult, predict_peak
from zerocity.brain.scenario import compile_model, run_scenarios, wedges
from zerocity.i18n import N_
from zerocity.inventory.gpc import Level
from zerocity.web import figures
from zerocity.web.mrvdata import Version
from zerocity.web.profile import CityProfile
from zerocity.web.resultcache import cache_folder, cached_result, input_digest
from zerocity.web.views import CityData

__all__ = [
    "PEAK_BEFORE",
    "PEAK_RUNS",
    "BrainNumbers",
    "brain_digest",
    "brain_numbers",
    "brain_view",
    "cached_brain_numbers",
    "kaya_frame",
    "peak_frame",
]

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
    """The language-free results behind the Brain page: plain data, computed once per input version.

    Attributes
    ----------
    kaya : pandas.DataFrame or None
        Additive Kaya LMDI waterfall (``step``, ``effect``, ``level`` [t CO2e]) of the first and last year.
    kaya_years : list of int or None
        Those two years.
    peak : dict or None
        Peak forecast: ``peak_year``, ``interval`` (5-95 %), ``p_before`` (peak by :data:`PEAK_BEFORE`),
        ``p_no_peak``, ``model``, ``runs``, ``shares`` (``[year, share of runs]``), ``history``
        (``year``, ``tco2e``) and ``paths`` (``year``, ``p5``, ``p50``, ``p95`` [t CO2e]).
    scenarios : dict or None
        ``totals`` (``year`` and one column per scenario [t CO2e]), ``peaks`` (per scenario:
        ``scenario``, ``peak_year``, ``peak_tco2e``, ``max_tco2e``), ``end_year``.
    wedges : dict or None
        ``table`` (``year`` and one column per measure: reduction [t CO2e]), ``start``, ``end``
        (the two scenarios compared), ``costs`` (per measure: currency, cumulative abatement,
        levelised cost per t).
    """

    kaya: pd.DataFrame | None
    kaya_years: list[int] | None
    peak: dict[str, Any] | None
    scenarios: dict[str, Any] | None
    wedges: dict[str, Any] | None

    def to_data(self) -> dict[str, Any]:
        """Plain data for :mod:`zerocity.web.resultcache`."""
        return {
            "kaya": self.kaya,
            "kaya_years": self.kaya_years,
            "peak": self.peak,
            "scenarios": self.scenarios,
            "wedges": self.wedges,
        }

    @classmethod
    def from_data(cls, doc: dict[str, Any]) -> BrainNumbers:
        """The inverse of :meth:`to_data`."""
        return cls(doc["kaya"], doc["kaya_years"], doc["peak"], doc["scenarios"], doc["wedges"])


def _peak_data(peak: PeakResult) -> dict[str, Any]:
    summary = peak.summary
    return {
        "peak_year": summary.peak_year,
        "interval": list(summary.peak_year_interval),
        "p_before": float(summary.p_peak_before),
        "p_no_peak": float(summary.p_no_peak),
        "model": str(peak.chosen_model),
        "runs": int(peak.runs),
        "shares": [[int(y), float(v)] for y, v in summary.peak_year_shares],
        "history": peak.history[["year", "tco2e"]].reset_index(drop=True),
        "paths": peak.paths[["year", "p5", "p50", "p95"]].reset_index(drop=True),
    }


def _compute(data: CityData) -> BrainNumbers:
    """Kaya waterfall, peak forecast, scenario runs and wedges of the city data (several seconds)."""
    water = years = None
    frame = kaya_frame(data)
    if frame is not None and len(frame) >= 2:
        first, last = int(frame["year"].min()), int(frame["year"].max())
        water = kaya(frame[frame["year"].isin([first, last])], period="year", source="city inventory").waterfall()
        water = water[["step", "effect", "level"]].reset_index(drop=True)
        years = [first, last]
    history = peak_frame(data)
    peak = None
    if history is not None:
        result = predict_peak(
            history,
            emissions="emissions",
            until=PEAK_UNTIL,
            runs=PEAK_RUNS,
            before=PEAK_BEFORE,
            seed=0,
            source="city inventory",
        )
        peak = _peak_data(result)
    scenarios = table = None
    if data.profile.scenario_model:
        compiled = compile_model(data.profile.scenario_model, source="city scenario model")
        results = run_scenarios(compiled)
        names = list(compiled.scenarios)
        found = wedges(compiled, names[0], names[-1])
        level = Level(compiled.spec.report_level)
        scenarios = {
            "totals": results.totals().reset_index(),
            "peaks": [
                {
                    "scenario": name,
                    "peak_year": p["peak_year"],
                    "peak_tco2e": p["peak_tco2e"],
                    "max_tco2e": p["max_tco2e"],
                }
                for name, p in results.peaks(level).items()
            ],
            "end_year": int(compiled.spec.end_year),
        }
        table = {
            "table": found.table.reset_index(),
            "start": str(found.start),
            "end": str(found.end),
            "costs": {str(k): dict(v) for k, v in found.costs.items()},
        }
    return BrainNumbers(water, years, peak, scenarios, table)


def brain_digest(profile: CityProfile, inventory: Mapping[str, Any], versions: Sequence[Version]) -> str:
    """Digest of everything the Brain page's numbers depend on (:func:`~zerocity.web.resultcache.input_digest`).

    Parameters
    ----------
    profile : CityProfile
        Its statistics and scenario model.
    inventory : mapping
        Identity of the stored city inventory (:func:`zerocity.web.views.inventory_version`).
    versions : sequence of Version
        Verified enterprise versions included in the city data.
    """
    return input_digest(
        "brain",
        {
            "inventory": dict(inventory),
            "versions": sorted(list(v.key) for v in versions),
            "statistics": profile.statistics.to_dict("records"),
            "scenario_model": profile.scenario_model,
            "peak": [PEAK_RUNS, PEAK_BEFORE, PEAK_UNTIL],
        },
    )


def cached_brain_numbers(digest: str, data: Callable[[], CityData], *, folder: Path | None) -> BrainNumbers:
    """The numbers of a :func:`brain_digest`: from memory or ``folder`` when computed before, else computed.

    ``data`` is called only when the numbers must be computed (it may take seconds itself).
    """
    doc = cached_result("brain", digest, lambda: _compute(data()).to_data(), folder=folder)
    return BrainNumbers.from_data(doc)


def brain_numbers(data: CityData, *, folder: Path | None = None) -> BrainNumbers:
    """Kaya waterfall, peak forecast, scenario runs and wedges of the city data, computed once per input version.

    Parameters
    ----------
    data : CityData
        The tenant's city data.
    folder : pathlib.Path, optional
        Where results are kept on disk; by default the tenant's folder under the data's
        ``data_dir`` (:func:`zerocity.web.resultcache.cache_folder`), memory only without one.
    """
    if folder is None and data.data_dir:
        folder = cache_folder(data.data_dir, data.slug)
    digest = brain_digest(data.profile, data.inventory, data.versions)
    return cached_brain_numbers(digest, lambda: data, folder=folder)


def brain_view(numbers: BrainNumbers, t: Translate) -> dict[str, Any]:
    """Everything the Brain page shows, labelled in one language.

    Returns
    -------
    dict
        ``kaya`` (start/end years, waterfall rows) or None; ``peak`` (median peak year, 5-95 %
        interval, probability of peaking by :data:`PEAK_BEFORE`, of no peak by the horizon) or
        None; ``scenarios`` (peak per scenario) or None; ``macc`` rows or None; ``figures``.
    """
    n = numbers
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
        view["peak"] = {
            "peak_year": peak["peak_year"],
            "interval": peak["interval"],
            "p_before": peak["p_before"],
            "p_no_peak": peak["p_no_peak"],
            "model": peak["model"],
            "runs": peak["runs"],
        }
        fan, past = peak["paths"], peak["history"]
        history = pd.DataFrame({"scenario": t("web_history"), "year": past["year"], "value": past["tco2e"]})
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
            [(int(y), float(v)) for y, v in peak["shares"]],
            title=t("web_chart_peak_years", runs=peak["runs"]),
            x_title=t("web_peak_year"),
            y_title=t("web_share_of_runs"),
        )
    if n.scenarios is not None and n.wedges is not None:
        totals = n.scenarios["totals"]
        paths = totals.melt(id_vars="year", var_name="scenario", value_name="value")
        figs["pathways"] = figures.pathway_lines(paths, title=t("web_chart_pathways"), y_title="tCO2e")
        view["scenarios"] = n.scenarios["peaks"]
        view["scenario_end"] = n.scenarios["end_year"]
        table = n.wedges["table"]
        reductions = table.set_index("year").clip(lower=0).reset_index()
        tidy = reductions.melt(id_vars="year", var_name="measure", value_name="reduction")
        figs["wedges"] = figures.wedges(
            tidy, title=t("web_chart_wedges", start=n.wedges["start"], end=n.wedges["end"]), y_title="tCO2e"
        )
        years = len(table)
        macc = [
            {
                "measure": name,
                "abatement": float(c["cumulative_abatement_tco2e"]) / years,
                "cost": float(c["levelised_cost_per_tco2e"]),
                "currency": c["currency"],
            }
            for name, c in n.wedges["costs"].items()
            if c.get("levelised_cost_per_tco2e") is not None and c["cumulative_abatement_tco2e"] > 0
        ]
        if macc:
            view["macc"] = macc
            figs["macc"] = figures.macc_curve(
                pd.DataFrame(macc), title=t("web_chart_macc"), x_title=t("web_macc_x"), y_title=t("web_macc_y")
            )
    return view
