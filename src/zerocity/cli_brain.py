"""``zerocity brain``: driver analysis on the command line (LMDI decomposition, Kaya identity, peak prediction)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from zerocity.brain.lmdi import DEFAULT_RTOL, LmdiResult, Mode, decompose, kaya
from zerocity.brain.peak import PeakModel, PeakResult, PeakSettings, predict_peak
from zerocity.clikit import out, print_json, run
from zerocity.errors import ZerocityError
from zerocity.tables import read_table

__all__ = ["brain_app"]

brain_app = typer.Typer(
    help="Driver analysis: LMDI index decomposition, Kaya identity, carbon-peak prediction.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ModeOption = Annotated[Mode, typer.Option("--mode", help="Additive (differences) or multiplicative (ratios).")]
ChainOption = Annotated[bool, typer.Option("--chain", help="Chain period by period instead of first vs last.")]
PeriodOption = Annotated[str, typer.Option("--period", help="Period column.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")]


class _FileError(ZerocityError, ValueError):
    code = "file"


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _fmt(v: float) -> str:
    return f"{v:,.4f}" if abs(v) < 1e3 else f"{v:,.0f}"


def _show(result: LmdiResult, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    unit = "index" if result.mode is Mode.MULTIPLICATIVE else "change"
    how = "chained" if result.chained else "first vs last"
    title = f"LMDI-I {result.mode.value} ({how}), {result.start} -> {result.end}"
    frame = result.by_sector() if result.sectors else result.effects.to_frame().T
    table = Table(title=f"{title}: effect ({unit}) per factor")
    for c in frame.columns:
        table.add_column(str(c), justify="left" if c in result.sectors else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(_fmt(v) if isinstance(v, float) else str(v) for v in row))
    if result.sectors:
        table.add_row(*(["all"] * len(result.sectors)), *(_fmt(v) for v in result.effects))
    out.print(table)
    water = Table(title="Waterfall")
    for c in ("step", "effect", "level"):
        water.add_column(c, justify="left" if c == "step" else "right")
    for step, effect, level in result.waterfall().itertuples(index=False):
        water.add_row(str(step), _fmt(effect), _fmt(level))
    out.print(water)


@brain_app.command("lmdi")
def lmdi(
    file: Annotated[Path, typer.Argument(help="Long table (CSV or XLSX): one row per period and sector.")],
    value: Annotated[str, typer.Option("--value", help="Aggregate column (product of the factors).")],
    factors: Annotated[str, typer.Option("--factors", help="Factor columns, comma-separated.")],
    sectors: Annotated[str | None, typer.Option("--sectors", help="Sector columns, coarsest first.")] = None,
    period: PeriodOption = "year",
    mode: ModeOption = Mode.ADDITIVE,
    chain: ChainOption = False,
    rtol: Annotated[float, typer.Option("--rtol", help="Tolerance of the factor-product check.")] = DEFAULT_RTOL,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """LMDI-I decomposition of VALUE = product of FACTORS, summed over SECTORS."""

    def go() -> None:
        frame = read_table(file, sheet)
        result = decompose(
            frame,
            value=value,
            factors=_split(factors),
            period=period,
            sectors=_split(sectors),
            mode=mode,
            chain=chain,
            rtol=rtol,
            source=str(file),
        )
        _show(result, as_json)

    run(go)


@brain_app.command("kaya")
def kaya_cmd(
    file: Annotated[Path | None, typer.Argument(help="CSV or XLSX, one row per period.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the Demo City (territorial emissions).")] = False,
    population: Annotated[str, typer.Option("--population", help="Population column.")] = "population",
    gdp: Annotated[str, typer.Option("--gdp", help="GDP column.")] = "gdp",
    energy: Annotated[str, typer.Option("--energy", help="Energy column.")] = "energy",
    emissions: Annotated[str, typer.Option("--emissions", help="Emissions column.")] = "emissions",
    period: PeriodOption = "year",
    mode: ModeOption = Mode.ADDITIVE,
    chain: ChainOption = False,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Kaya decomposition: population, affluence (GDP/P), energy intensity (E/GDP), carbon intensity (C/E)."""

    def go() -> None:
        if demo:
            frame, source = demo_kaya_frame(), "Demo City"
            cols = {"population": "population", "gdp": "gdp", "energy": "energy", "emissions": "emissions"}
        elif file is not None:
            frame, source = read_table(file, sheet), str(file)
            cols = {"population": population, "gdp": gdp, "energy": energy, "emissions": emissions}
        else:
            raise _FileError("give a FILE or --demo")
        _show(kaya(frame, period=period, mode=mode, chain=chain, source=source, **cols), as_json)

    run(go)


def demo_kaya_frame() -> pd.DataFrame:
    """Demo City per year: ``year``, ``population``, ``gdp`` [10^4 yuan], ``energy`` [tce], ``emissions``.

    ``emissions`` is the territorial inventory [t CO2e] of :func:`zerocity.demo.inventory.demo_inventory`.
    """
    from zerocity.demo import build_demo_city
    from zerocity.demo.inventory import demo_inventory

    city = build_demo_city()
    inventory = pd.DataFrame(demo_inventory(city))[["year", "territorial_tco2e"]]
    stats = city.statistics[["year", "population", "gdp", "energy_total_tce"]]
    merged = stats.merge(inventory, on="year", validate="one_to_one")
    return merged.rename(columns={"energy_total_tce": "energy", "territorial_tco2e": "emissions"})


def demo_peak_frame() -> pd.DataFrame:
    """Demo City history for ``brain peak --demo``, one row per year.

    Columns: ``year``, ``population`` [persons], ``gdp`` [10^4 yuan], ``industry_share`` (secondary
    industry in GDP) [fraction], ``energy_intensity`` [tce per 10^4 yuan] and ``emissions``, the
    territorial inventory [t CO2e] (from :func:`demo_kaya_frame`).
    """
    from zerocity.demo import build_demo_city

    base = demo_kaya_frame()
    stats = build_demo_city().statistics[["year", "gdp_secondary"]]
    merged = base.merge(stats, on="year", validate="one_to_one")
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


def _year_text(year: int | None, horizon: int) -> str:
    return f"after {horizon}" if year is None else str(year)


def _pct(p: float) -> str:
    return f"{100 * p:.0f} %"


def _show_peak(result: PeakResult, source: str, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    s = result.summary
    first, last = result.history_years
    h = result.horizon
    title = (
        f"Peak prediction, {source} {first}-{last} -> {h}: {result.chosen_model.value} "
        f"(by {result.chosen_by}), {result.runs} runs, seed {result.seed}"
    )
    head = Table(title=title, show_header=False)
    head.add_column("", justify="left")
    head.add_column("", justify="right")
    lo, hi = s.peak_year_interval
    head.add_row("peak year (median run)", _year_text(s.peak_year, h))
    head.add_row("peak year, 90 % interval", f"{_year_text(lo, h)} .. {_year_text(hi, h)}")
    if s.peak_tco2e is not None:
        l_lo, l_hi = s.peak_tco2e_interval
        head.add_row("peak level, t CO2e (90 %)", f"{s.peak_tco2e:,.0f} ({l_lo:,.0f} .. {l_hi:,.0f})")
    head.add_row(f"P(peak by {result.before})", _pct(s.p_peak_before))
    head.add_row(f"P(still rising in {h})", _pct(s.p_no_peak))
    head.add_row("P(peak already in the history)", _pct(s.p_already_peaked))
    head.add_row("status", s.status.value)
    out.print(head)
    models = Table(title="Models (rolling-origin backtest; peak from each model's own runs)")
    for c in ("model", "MAPE %", "RMSE t CO2e", "peak year", "90 % interval", f"P(by {result.before})", "P(no peak)"):
        models.add_column(c, justify="left" if c == "model" else "right")
    for m, r in result.models.items():
        name = f"{m.value} *" if m is result.chosen_model else m.value
        if r.backtest is None or r.summary is None:
            models.add_row(name, "-", "-", f"skipped: {r.skipped}", "", "", "")
            continue
        ms = r.summary
        interval = f"{_year_text(ms.peak_year_interval[0], h)} .. {_year_text(ms.peak_year_interval[1], h)}"
        models.add_row(name, f"{r.backtest.mape:.2f}", f"{r.backtest.rmse:,.0f}", _year_text(ms.peak_year, h),
                       interval, _pct(ms.p_peak_before), _pct(ms.p_no_peak))  # fmt: skip
    out.print(models)
    fan = Table(title="Emissions, t CO2e (chosen model, 90 % fan)")
    for c in ("year", "p5", "p50", "p95"):
        fan.add_column(c, justify="right")
    shown = result.paths[(result.paths.year % 5 == 0) | (result.paths.year == h) | (result.paths.year == last + 1)]
    for row in shown.itertuples(index=False):
        fan.add_row(str(row.year), f"{row.p5:,.0f}", f"{row.p50:,.0f}", f"{row.p95:,.0f}")
    out.print(fan)
    used = ", ".join(f"{d} ({result.driver_source[d]})" for d in result.drivers_used) or "none (ETS only)"
    out.print(f"drivers: {used}")
    for note in result.notes:
        out.print(f"note: {note}")


@brain_app.command("peak")
def peak_cmd(
    file: Annotated[
        Path | None, typer.Argument(help="CSV or XLSX, one row per year: year, emissions, drivers.")
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the Demo City history.")] = False,
    until: Annotated[int, typer.Option("--until", help="Last forecast year (horizon).")] = 2060,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 1000,
    before: Annotated[int, typer.Option("--before", help="Report the probability of peaking by this year.")] = 2030,
    emissions: Annotated[str, typer.Option("--emissions", help="Emissions column (t CO2e).")] = "emissions",
    drivers: Annotated[
        Path | None, typer.Option("--drivers", help="Scenario table: year and driver columns to the horizon.")
    ] = None,
    model: Annotated[PeakModel, typer.Option("--model", help="Force a model instead of the backtest choice.")] = (
        PeakModel.AUTO
    ),
    damping: Annotated[float, typer.Option("--damping", help="Damping of driver trends per year (1 = none).")] = 0.95,
    driver_spread: Annotated[
        float, typer.Option("--driver-spread", help="Scale of driver uncertainty (0 = drivers exactly as projected).")
    ] = 1.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the Monte Carlo.")] = 0,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Carbon-peak prediction: STIRPAT, ETS and a Gaussian process, backtested, with a Monte Carlo."""

    def go() -> None:
        if demo:
            frame, source = demo_peak_frame(), "Demo City"
        elif file is not None:
            frame, source = read_table(file, sheet), str(file)
        else:
            raise _FileError("give a FILE or --demo")
        scenario = None if drivers is None else read_table(drivers)  # its first sheet
        result = predict_peak(
            frame,
            emissions=emissions,
            until=until,
            runs=runs,
            before=before,
            seed=seed,
            drivers=scenario,
            model=model,
            settings=PeakSettings(damping=damping, driver_spread=driver_spread),
            source=source,
            drivers_source=str(drivers),
        )
        _show_peak(result, source, as_json)

    run(go)


@brain_app.command("typology")
def typology_cmd(
    file: Annotated[Path | None, typer.Argument(help="CSV or XLSX, one row per city or district.")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use Demo City's 10 districts (2024).")] = False,
    id_column: Annotated[str, typer.Option("--id", help="Id column.")] = "id",
    k: Annotated[int, typer.Option("--k", help="Number of clusters.")] = 4,
    method: Annotated[str, typer.Option("--method", help="kmeans or ward.")] = "kmeans",
    seed: Annotated[int, typer.Option("--seed", help="k-means seed.")] = 0,
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules YAML (default: shipped).")] = None,
    lang: Annotated[str, typer.Option("--lang", help="Strategy text: en or zh.")] = "en",
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Classify cities or districts as service, industrial, mixed or agricultural (rules and clusters)."""
    from zerocity.brain.typology import classify, demo_districts, load_rules

    def go() -> None:
        if demo:
            frame, source = demo_districts(), "Demo City districts"
            names = dict(zip(frame["id"].astype(str), frame.pop("name"), strict=True))
        elif file is not None:
            frame, source, names = read_table(file, sheet), str(file), {}
        else:
            raise _FileError("give a FILE or --demo")
        result = classify(
            frame,
            id_column=id_column if not demo else "id",
            k=k,
            method=method,
            seed=seed,
            rules=load_rules(rules) if rules else None,
            source=source,
        )
        doc = result.to_dict(lang=lang)
        if as_json:
            print_json(doc)
            return
        table = Table(title=f"Typology ({source}): rule class and {result.method} cluster (k={result.k})")
        for col in ("id", "name", "class", "why", "cluster", "distance"):
            table.add_column(col, justify="right" if col == "distance" else "left")
        for unit in doc["units"]:
            table.add_row(
                unit["id"],
                names.get(unit["id"], ""),
                unit["rule_class"],
                unit["reason"],
                unit["cluster_label"],
                f"{unit['distance']:.2f}",
            )
        out.print(table)
        out.print(f"rule and cluster agree for {doc['agreement']:.0%} of units", highlight=False)
        for cls in sorted({u["rule_class"] for u in doc["units"]}):
            strategy = next(u for u in doc["units"] if u["rule_class"] == cls)
            out.print(f"[bold]{cls}[/bold]: {strategy['strategy']}")

    run(go)
