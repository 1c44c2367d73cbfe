"""``zerocity report``: inventory, enterprise and scenario reports as PDF or XLSX, in English or Chinese."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from zerocity.clikit import default_region, eprint, run

__all__ = ["report_app"]

report_app = typer.Typer(
    help="Reports for people: city inventory (GPC layout), enterprise account, scenario pathways (PDF or XLSX).",
    no_args_is_help=True,
)

OutOption = Annotated[Path, typer.Option("--out", "-o", help="Report file to write (.pdf or .xlsx).")]
FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="pdf or xlsx (default: from the --out suffix).")
]
LangOption = Annotated[str, typer.Option("--lang", help="Language: en (English) or zh (Simplified Chinese).")]
DemoOption = Annotated[bool, typer.Option("--demo", help="Use the Demo City's data.")]
DateOption = Annotated[
    str | None, typer.Option("--date", help="Date printed on the report, YYYY-MM-DD (default today).")
]


def _options(out: Path, fmt: str | None, lang: str, date: str | None) -> tuple[Any, dt.date | None]:
    """Check format, language and date before any work; the format defaults to the suffix of ``out``."""
    from zerocity.i18n import check_language
    from zerocity.reports import ReportError, ReportFormat

    check_language(lang)
    if fmt is None:
        suffix = out.suffix.lower().lstrip(".")
        if not suffix:
            raise ReportError(f"--out {out}: give --format pdf|xlsx or a .pdf / .xlsx file name")
        fmt = suffix
    kind = ReportFormat.parse(fmt)
    if not out.parent.exists():
        raise ReportError(f"--out {out}: folder {out.parent} does not exist")
    day = None
    if date is not None:
        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            raise ReportError(f"--date {date!r}: expected YYYY-MM-DD") from None
    return kind, day


def _write(report: Any, out: Path, kind: Any) -> None:
    from zerocity.reports import write_report

    write_report(report, out, kind)
    eprint(f"wrote {out}")


@report_app.command("inventory")
def inventory_cmd(
    out: OutOption,
    file: Annotated[Path | None, typer.Argument(help="Records: CSV, XLSX or Parquet. Omit with --demo.")] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Inventory year (default: the latest of the rows).")
    ] = None,
    gwp: Annotated[str, typer.Option("--gwp", help="GWP set: AR4, AR5 or AR6.")] = "AR5",
    region: Annotated[str, typer.Option("--region", help="Region of rows without one (CN, CN-JS, GLOBAL).")] = "",
    level: Annotated[str, typer.Option("--level", help="Level of the total: BASIC, BASIC+ or TERRITORIAL.")] = "BASIC",
    uncertainty: Annotated[str | None, typer.Option("--uncertainty", help="approach1 or montecarlo.")] = None,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo runs.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Monte Carlo seed.")] = 12345,
    factors: Annotated[list[Path] | None, typer.Option("--factors", help="Your factor set file (repeatable).")] = None,
    city: Annotated[str, typer.Option("--city", help="City name printed on the report.")] = "",
    boundary: Annotated[str | None, typer.Option("--boundary", help="Geographic boundary of the inventory.")] = None,
    population: Annotated[float | None, typer.Option("--population", help="Population of the year [persons].")] = None,
    gdp: Annotated[float | None, typer.Option("--gdp", help="GDP of the year [10^4 yuan].")] = None,
    data_version: Annotated[
        str | None, typer.Option("--data-version", help="Version of the input data (default: its fingerprint).")
    ] = None,
    fmt: FormatOption = None,
    lang: LangOption = "en",
    date: DateOption = None,
    demo: DemoOption = False,
) -> None:
    """City inventory report in the GPC layout: totals, GPC table, charts, methodology, factor sources."""

    def go() -> None:
        from zerocity.factors import default_library, read_factor_file
        from zerocity.inventory import compute_inventory, read_records
        from zerocity.reports import ReportError, build_inventory_report

        kind, day = _options(out, fmt, lang, date)
        lib = default_library()
        for path in factors or []:
            lib = lib.with_user_set(read_factor_file(path), name=path.stem, source=str(path))
        pop, money, name, reg = population, gdp, city, region
        if demo:
            from zerocity.demo import build_demo_city

            demo_city = build_demo_city()
            raw, source = demo_city.records, "Demo City records"
            reg = reg or demo_city.region
            name = name or (demo_city.name_zh if lang == "zh" else demo_city.name)
        elif file is None:
            raise ReportError("give a records file or --demo")
        else:
            raw, source = read_records(file), str(file)
        years = sorted({int(y) for y in raw["year"].dropna()}) if "year" in raw else []
        chosen = year if year is not None else (years[-1] if years else None)
        if chosen is None:
            raise ReportError(f"{source}: no year in the records")
        if demo:
            stats = demo_city.statistics.set_index("year")
            if chosen in stats.index:
                pop = pop if pop is not None else float(stats.at[chosen, "population"])
                money = money if money is not None else float(stats.at[chosen, "gdp"])
        result = compute_inventory(
            raw,
            library=lib,
            gwp=gwp,
            region=reg or default_region(),
            level=level,
            uncertainty=uncertainty,
            runs=runs,
            seed=seed,
            source=source,
            years=[chosen],
        )
        report = build_inventory_report(
            result,
            lang=lang,
            city=name,
            boundary=boundary,
            population=pop,
            gdp=money,
            data_version=data_version,
            date=day,
        )
        _write(report, out, kind)

    run(go)


@report_app.command("enterprise")
def enterprise_cmd(
    out: OutOption,
    uscc: Annotated[
        str | None, typer.Argument(help="Unified social credit code (default with --demo: the first graded).")
    ] = None,
    registry: Annotated[Path | None, typer.Option("--registry", help="Entity registry (CSV or XLSX).")] = None,
    records: Annotated[Path | None, typer.Option("--records", help="Inventory records of the entities.")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Account year (default: latest in the records).")] = None,
    electricity: Annotated[
        str, typer.Option("--electricity", help="Electricity to tce: calorific or equivalent.")
    ] = "calorific",
    kgce_per_kwh: Annotated[
        float | None, typer.Option("--kgce-per-kwh", help="Power-supply coal consumption for --electricity equivalent.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Carbon-code thresholds (YAML).")] = None,
    quotas: Annotated[Path | None, typer.Option("--quotas", help="CSV: entity, quota, optional kind and year.")] = None,
    usage: Annotated[Path | None, typer.Option("--usage", help="CSV: entity, time, amount (with --quotas).")] = None,
    fmt: FormatOption = None,
    lang: LangOption = "en",
    date: DateOption = None,
    demo: DemoOption = False,
) -> None:
    """Enterprise account report: scopes, energy, intensities, carbon code grade and reason, quota, warnings."""

    def go() -> None:
        import pandas as pd

        from zerocity.accounts.enterprise import load_carbon_code_config
        from zerocity.cli_enterprise import graded_accounts
        from zerocity.reports import ReportError, build_enterprise_report
        from zerocity.tables import read_table

        kind, day = _options(out, fmt, lang, date)
        if (quotas is None) != (usage is None):
            raise ReportError("give --quotas and --usage together")
        with tempfile.TemporaryDirectory(prefix="zerocity-report-") as tmp:
            if demo:
                # The Demo City's tables go through the same file path as a city's own.
                from zerocity.demo import build_demo_city

                demo_city = build_demo_city()
                reg_path, rec_path = Path(tmp) / "enterprises.csv", Path(tmp) / "records.csv"
                demo_city.enterprises.to_csv(reg_path, index=False, encoding="utf-8")
                demo_city.records.to_csv(rec_path, index=False, encoding="utf-8")
            elif registry is None or records is None:
                raise ReportError("give --registry and --records, or --demo")
            else:
                reg_path, rec_path = registry, records
            graded = graded_accounts(reg_path, rec_path, year, electricity, kgce_per_kwh, config)
            # Names per language (name_en / name_zh) as the file has them; graded_accounts validated it.
            names = read_table(reg_path, as_text=True)
            names.columns = [str(c).strip() for c in names.columns]
        code = uscc
        if code is None:
            if not demo:
                raise ReportError("give the enterprise's unified social credit code")
            code = str(graded.dropna(subset=["grade"]).iloc[0]["uscc"])
        code = code.strip().upper()
        row = names[names["uscc"].astype(str).str.strip().str.upper() == code] if "uscc" in names else names.iloc[:0]
        name = industry = None
        if not row.empty:
            first = row.iloc[0]
            for col in (f"name_{lang}", "name"):
                if col in row.columns and str(first[col]).strip():
                    name = str(first[col])
                    break
            col = "industry_name_zh" if lang == "zh" else "industry_name"
            if col in row.columns and str(first[col]).strip():
                industry = str(first[col]).strip()
        projected = None
        if quotas is not None and usage is not None:
            from zerocity.accounts.allowances import project_quotas

            def read(path: Path, dtype: dict[str, Any]) -> pd.DataFrame:
                try:
                    return pd.read_csv(path, dtype=dtype)
                except (OSError, ValueError) as exc:
                    raise ReportError(f"{path}: cannot read ({exc})") from exc

            projected = project_quotas(
                read(quotas, {"entity": str}),
                read(usage, {"entity": str, "time": str}),
                year=int(graded["year"].iloc[0]) if len(graded) else None,
                source=str(quotas),
                usage_source=str(usage),
            )
        report = build_enterprise_report(
            graded,
            code,
            lang=lang,
            name=name,
            industry_name=industry,
            quotas=projected,
            config=load_carbon_code_config(config),
            date=day,
        )
        _write(report, out, kind)

    run(go)


@report_app.command("scenario")
def scenario_cmd(
    out: OutOption,
    model: Annotated[Path | None, typer.Argument(help="Scenario model (YAML). Omit with --demo.")] = None,
    scenario: Annotated[
        list[str] | None, typer.Option("--scenario", "-s", help="Scenario to report (repeatable; default all).")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Wedges: starting scenario (e.g. BAU).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Wedges: a scenario inheriting from --from.")] = None,
    fmt: FormatOption = None,
    lang: LangOption = "en",
    date: DateOption = None,
    demo: DemoOption = False,
) -> None:
    """Scenario report: pathways and peaks per scenario, wedges between two scenarios, key assumptions."""

    def go() -> None:
        from zerocity.brain.scenario import run_scenarios, wedges
        from zerocity.cli_scenario import load_cli_model
        from zerocity.reports import ReportError, build_scenario_report

        kind, day = _options(out, fmt, lang, date)
        if start is not None and end is None:
            raise ReportError("--from needs --to (a scenario inheriting from it)")
        compiled = load_cli_model(model, demo)
        results = run_scenarios(compiled, scenario or None)
        table = None
        if end is not None:
            if end not in compiled.scenarios:
                raise ReportError(f"--to {end!r}: unknown scenario; known: {', '.join(compiled.scenarios)}")
            origin = start if start is not None else compiled.lineage(end)[0]
            table = wedges(compiled, origin, end, level=results.level)
        report = build_scenario_report(results, wedge=table, lang=lang, date=day)
        _write(report, out, kind)

    run(go)
