"""The ``zerocity`` command line: a thin shell over the domain modules.

Domain errors become messages on stderr and a non-zero exit status here, in one place
(:func:`_run`): status 2 for invalid input, 1 for anything else the user can fix.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from zerocity import __version__
from zerocity.cli_actions import actions_app
from zerocity.cli_brain import brain_app
from zerocity.cli_energy import energy_app
from zerocity.cli_enterprise import enterprise_app
from zerocity.cli_household import household_app
from zerocity.cli_io import io_app
from zerocity.cli_ledger import ledger_app, mrv_app
from zerocity.cli_macc import macc_app
from zerocity.cli_monitor import monitor_app
from zerocity.cli_pv import pv_app
from zerocity.cli_reports import report_app
from zerocity.cli_scenario import scenario_app
from zerocity.cli_service import serve_command, service_app
from zerocity.cli_sinks import sinks_app
from zerocity.cli_storage import storage_app
from zerocity.cli_targets import targets_app
from zerocity.cli_web import demo_serve_command
from zerocity.clikit import default_region, eprint, err, out, print_json, progress, run
from zerocity.errors import ZerocityError

T = TypeVar("T")

app = typer.Typer(
    name="zerocity",
    help="zerocity: carbon data, strategy and action tools for cities on the way to net zero.",
    no_args_is_help=True,
    add_completion=False,
)
factors_app = typer.Typer(
    help="The factor library: list, show, explain resolution, import your own sets.", no_args_is_help=True
)
inventory_app = typer.Typer(help="Compute, validate, compare and store GHG inventories.", no_args_is_help=True)
db_app = typer.Typer(
    help="The database (SQLite by default, PostgreSQL with ZEROCITY_DATABASE_URL).", no_args_is_help=True
)
app.add_typer(factors_app, name="factors")
app.add_typer(inventory_app, name="inventory")
app.add_typer(db_app, name="db")
app.add_typer(ledger_app, name="ledger")
app.add_typer(mrv_app, name="mrv")
accounts_app = typer.Typer(
    help="Carbon accounts: enterprises (carbon code, quotas, allowances) and households.", no_args_is_help=True
)
accounts_app.add_typer(enterprise_app, name="enterprise")
accounts_app.add_typer(household_app, name="household")
app.add_typer(accounts_app, name="accounts")
app.add_typer(brain_app, name="brain")
app.add_typer(scenario_app, name="scenario")
app.add_typer(targets_app, name="targets")
app.add_typer(macc_app, name="macc")
app.add_typer(io_app, name="io")
app.add_typer(energy_app, name="energy")
app.add_typer(pv_app, name="pv")
app.add_typer(storage_app, name="storage")
app.add_typer(actions_app, name="actions")
app.add_typer(sinks_app, name="sinks")
app.add_typer(service_app, name="service")
app.add_typer(report_app, name="report")
app.add_typer(monitor_app, name="monitor")
app.command("serve")(serve_command)
app.command("demo-serve")(demo_serve_command)

#: Above this many records the XLSX workbook has no Records sheet.
XLSX_RECORD_LIMIT = 100_000

log = logging.getLogger("zerocity")
_default_region = default_region
_print_json = print_json
_eprint = eprint
_progress = progress
_run = run


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@app.command()
def version() -> None:
    """Print the zerocity version."""
    out.print(__version__)


# ---------------------------------------------------------------------------- convert
@app.command()
def convert(
    value: Annotated[float, typer.Argument(help="Quantity to convert.")],
    source: Annotated[str, typer.Argument(metavar="FROM", help="Unit of VALUE, e.g. t, m3, kWh, '1e4 t'.")],
    target: Annotated[str, typer.Argument(metavar="TO", help="Target unit, e.g. tce, GJ, TJ, toe.")],
    activity: Annotated[str | None, typer.Option(help="Fuel id for mass/volume <-> energy (e.g. raw_coal).")] = None,
    region: Annotated[str, typer.Option(help="Region for the fuel's calorific value.")] = "",
    year: Annotated[int, typer.Option(help="Year for the fuel's calorific value.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Convert a quantity between units; with --activity, between fuel mass/volume and energy."""
    from zerocity.factors import default_library
    from zerocity.factors.convert import convert_quantity

    conv = _run(
        lambda: convert_quantity(
            value,
            source,
            target,
            activity=activity,
            library=default_library() if activity else None,
            region=region or _default_region(),
            year=year or dt.date.today().year,
        )
    )
    if as_json:
        _print_json(conv.as_dict())
        return
    out.print(f"{conv.result:.6g} {target}")
    if conv.factor is not None:
        f = conv.factor
        out.print(f"  via {f.factor_id}: {f.value:g} {f.unit.text} ({f.source})", highlight=False)


# ---------------------------------------------------------------------------- factors
def _library(factor_files: list[Path] | None = None, factor_sets: list[str] | None = None) -> Any:
    from zerocity.factors import default_library, read_factor_file

    lib = default_library()
    for name in factor_sets or []:
        from zerocity import store

        engine = store.get_engine()
        store.upgrade(engine)
        with store.session_scope(engine) as session:
            frame = store.load_factor_set(session, name)
        lib = lib.with_user_set(frame, name=name, source=f"stored set {name}")
    for path in factor_files or []:
        lib = lib.with_user_set(read_factor_file(path), name=path.stem, source=str(path))
    return lib


@factors_app.command("list")
def factors_list(
    activity: Annotated[str | None, typer.Option(help="Only this activity id.")] = None,
    gas: Annotated[str | None, typer.Option(help="Only this gas (CO2, CH4, N2O...).")] = None,
    region: Annotated[str | None, typer.Option(help="Only this region code (exact).")] = None,
    source: Annotated[str | None, typer.Option(help="Text to find in the source or dataset id.")] = None,
    parameter: Annotated[
        str | None,
        typer.Option(
            help="ef, ncv, carbon_content, oxidation, coal_coefficient, or a sector-method parameter (fod_k...)."
        ),
    ] = None,
    factors: Annotated[list[Path] | None, typer.Option("--factors", help="Also load this factor set file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List factors, filtered."""
    lib = _run(lambda: _library(factors))
    rows = [r.as_dict() for r in lib.records()]
    rows = [
        r
        for r in rows
        if (activity is None or r["activity"] == activity)
        and (gas is None or (r["gas"] or "").upper() == gas.upper())
        and (region is None or r["region"] == region)
        and (parameter is None or r["parameter"] == parameter)
        and (source is None or source.lower() in (str(r["source"]) + " " + str(r["dataset"])).lower())
    ]
    if as_json:
        _print_json(rows)
        return
    table = Table("factor_id", "parameter", "gas", "qualifier", "value", "unit", "region", "years", "sector")
    for r in rows:
        years = f"{r['valid_from'] or ''}-{r['valid_to'] or ''}" if r["valid_from"] or r["valid_to"] else ""
        table.add_row(
            r["factor_id"],
            r["parameter"],
            r["gas"] or "",
            r["qualifier"] or "",
            f"{r['value']:g}",
            r["unit"],
            r["region"],
            years,
            r["sector"] or "",
        )
    out.print(table)
    out.print(f"{len(rows)} factor(s)")


@factors_app.command("show")
def factors_show(
    factor_id: Annotated[str, typer.Argument(help="Factor id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show one factor with its source."""
    lib = _run(lambda: _library())
    rec = _run(lambda: lib.get(factor_id))
    data = rec.as_dict()
    if as_json:
        _print_json(data)
        return
    for k, v in data.items():
        out.print(f"{k:>24}: {'' if v is None else v}", highlight=False)


@factors_app.command("activities")
def factors_activities(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the activity ids of the vocabulary."""
    lib = _run(lambda: _library())
    rows = [vars(a) for a in lib.activities.values()]
    if as_json:
        _print_json(rows)
        return
    table = Table("activity", "name", "名称", "category", "biogenic", "unit", "IPCC proxy")
    for a in rows:
        table.add_row(
            a["activity"],
            a["name_en"],
            a["name_zh"],
            a["category"],
            str(a["biogenic"]).lower(),
            a["default_unit"],
            a["proxy"] or "",
        )
    out.print(table)


@factors_app.command("explain")
def factors_explain(
    activity: Annotated[str, typer.Option(help="Activity id.")],
    gas: Annotated[str, typer.Option(help="Gas of an emission factor (empty for ncv etc.).")] = "CO2",
    parameter: Annotated[
        str,
        typer.Option(
            help="ef, ncv, carbon_content, oxidation, coal_coefficient, or a sector-method parameter (fod_k...)."
        ),
    ] = "ef",
    gpc_ref: Annotated[str | None, typer.Option(help="GPC reference number, e.g. I.1.1.")] = None,
    region: Annotated[str, typer.Option(help="Region code, e.g. CN-JS.")] = "",
    year: Annotated[int, typer.Option(help="Inventory year.")] = 0,
    qualifier: Annotated[
        str, typer.Option(help="Condition of a sector-method parameter (climate zone, technology...).")
    ] = "",
    factors: Annotated[list[Path] | None, typer.Option("--factors", help="Also load this factor set file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show every candidate factor for a request and why one won."""
    lib = _run(lambda: _library(factors))
    reg = region or _default_region()
    res = _run(
        lambda: lib.resolve(
            parameter,
            activity,
            gas=gas if parameter == "ef" else "",
            gpc_ref=gpc_ref,
            region=reg,
            year=year or dt.date.today().year,
            qualifier=qualifier,
        )
    )
    data = {
        "request": {
            "parameter": parameter,
            "activity": activity,
            "qualifier": qualifier or None,
            "gas": res.gas,
            "gpc_ref": gpc_ref,
            "region": reg,
            "region_chain": lib.region_chain(reg),
            "year": res.year,
        },
        "winner": None if res.winner is None else res.winner.factor_id,
        "warnings": res.warnings,
        "candidates": [
            {
                "rank": i + 1,
                "factor_id": c.record.factor_id,
                "eligible": c.eligible,
                "reason": c.reason,
                "value": c.record.value,
                "unit": c.record.unit.text,
                "region": c.record.region,
                "dataset": c.record.dataset,
            }
            for i, c in enumerate(res.candidates)
        ],
    }
    if as_json:
        _print_json(data)
    else:
        out.print(
            f"Request: {parameter} {res.gas} for {activity}{f' ({qualifier})' if qualifier else ''}, "
            f"GPC {gpc_ref or '-'}, region chain "
            f"{' > '.join(lib.region_chain(reg))}, year {res.year}",
            highlight=False,
        )
        table = Table("#", "factor_id", "value", "unit", "eligible", "why")
        for c in data["candidates"]:
            table.add_row(
                str(c["rank"]),
                c["factor_id"],
                f"{c['value']:g}",
                c["unit"],
                "yes" if c["eligible"] else "no",
                c["reason"],
            )
        out.print(table)
        out.print(f"Winner: {data['winner'] or 'none'}", highlight=False)
        for w in res.warnings:
            out.print(f"warning: {w}", highlight=False)
    if res.winner is None:
        if not as_json:
            _eprint(lib.not_found_message(res))
        raise typer.Exit(1)


@factors_app.command("import")
def factors_import(
    path: Annotated[Path, typer.Argument(help="Factor set file (CSV, XLSX or Parquet, library columns).")],
    name: Annotated[str, typer.Option(help="Name of the set.")],
    version: Annotated[str, typer.Option(help="Version of the set.")] = "1",
) -> None:
    """Validate a factor set and store it in the database (use it with --factor-set NAME)."""
    from zerocity import store
    from zerocity.factors import default_library, read_factor_file
    from zerocity.ledger.canonical import file_sha256
    from zerocity.ledger.events import record_event

    def work() -> int:
        frame = read_factor_file(path)
        default_library().with_user_set(frame, name=name, version=version, source=str(path))  # validates
        engine = store.get_engine()
        store.upgrade(engine)
        with store.session_scope(engine) as session:
            set_id = store.save_factor_set(session, name=name, version=version, frame=frame, source_path=str(path))
            record_event(
                session,
                engine,
                "factorset.loaded",
                {
                    "factor_set_id": set_id,
                    "name": name,
                    "version": version,
                    "file": path.name,
                    "file_sha256": file_sha256(path),
                    "rows": len(frame),
                },
                subject=f"factorset:{name}:{version}",
            )
            return set_id

    set_id = _run(work)
    out.print(f"stored factor set {name} version {version} (id {set_id})", highlight=False)


@factors_app.command("sets")
def factors_sets(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List shipped datasets and stored user factor sets."""
    from zerocity import store
    from zerocity.factors import default_library

    lib = default_library()
    shipped = [
        {"id": s.id, "name": s.name, "version": s.version, "records": s.records, "stored": False} for s in lib.sets
    ]

    def stored() -> list[dict[str, Any]]:
        engine = store.get_engine()
        store.upgrade(engine)
        with store.session_scope(engine) as session:
            return [
                {"id": s.name, "name": s.name, "version": s.version, "records": s.row_count, "stored": True}
                for s in store.list_factor_sets(session)
            ]

    rows = shipped + _run(stored)
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "name", "version", "records", "stored")
    for r in rows:
        table.add_row(r["id"], r["name"], str(r["version"]), str(r["records"]), "yes" if r["stored"] else "shipped")
    out.print(table)


# ---------------------------------------------------------------------------- inventory
def _parse_map(items: list[str] | None, mapping_file: Path | None) -> dict[str, str]:
    from zerocity.inventory.records import read_mapping

    mapping: dict[str, str] = {}
    if mapping_file is not None:
        mapping.update(_run(lambda: read_mapping(mapping_file)))
    for item in items or []:
        if "=" not in item:
            _eprint(f"error: --map expects OLD=NEW, got {item!r}")
            raise typer.Exit(2)
        old, new = item.split("=", 1)
        mapping[old.strip()] = new.strip()
    return mapping


def _year_span(years: tuple[int, ...]) -> str:
    """``2024``, ``2010-2024`` or ``2010, 2015, 2020`` for a title."""
    if not years:
        return "no year"
    if len(years) == 1:
        return str(years[0])
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(str(y) for y in years)


def _summary_table(doc: dict[str, Any], title: str) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column("tCO2e", justify="right")
    table.add_row("BASIC", f"{doc['basic_tco2e']:,.1f}")
    table.add_row("BASIC+", f"{doc['basic_plus_tco2e']:,.1f}")
    table.add_row("Territorial (scope 1)", f"{doc['territorial_tco2e']:,.1f}")
    table.add_row("Biogenic CO2 (memo, t)", f"{doc['biogenic_co2_t']:,.1f}")
    for scope, v in doc["by_scope"].items():
        table.add_row(f"  scope {scope} ({doc['level']})", f"{v:,.1f}")
    for sector, v in doc["by_sector"].items():
        table.add_row(f"  sector {sector} ({doc['level']})", f"{v:,.1f}")
    return table


@inventory_app.command("compute")
def inventory_compute(
    file: Annotated[Path, typer.Argument(help="Records: CSV, XLSX or Parquet.")],
    gwp: Annotated[str, typer.Option(help="GWP set: AR4, AR5 or AR6.")] = "AR5",
    region: Annotated[str, typer.Option(help="Region of rows without one (CN, CN-JS, GLOBAL).")] = "",
    level: Annotated[str, typer.Option(help="Level of the total: BASIC, BASIC+ or TERRITORIAL.")] = "BASIC",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write per-record results to this CSV.")] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Write the GPC reporting workbook.")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML summary.")] = None,
    uncertainty: Annotated[str | None, typer.Option(help="approach1 or montecarlo.")] = None,
    runs: Annotated[int, typer.Option(help="Monte Carlo runs.")] = 1000,
    seed: Annotated[int, typer.Option(help="Monte Carlo seed.")] = 12345,
    map_: Annotated[list[str] | None, typer.Option("--map", help="Rename a column: OLD=NEW (repeatable).")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping file (CSV source,target or YAML).")] = None,
    factors: Annotated[list[Path] | None, typer.Option("--factors", help="Your factor set file (repeatable).")] = None,
    factor_set: Annotated[list[str] | None, typer.Option("--factor-set", help="A stored factor set name.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate only; compute nothing.")] = False,
    save: Annotated[str | None, typer.Option(help="Store the inventory under this name.")] = None,
    lang: Annotated[str, typer.Option(help="Language of XLSX/HTML: en or zh.")] = "en",
    year: Annotated[
        list[int] | None,
        typer.Option(
            "--year",
            help="Inventory year (repeatable). Default: the years of the rows; waste disposal history rows add none.",
        ),
    ] = None,
) -> None:
    """Compute a GPC inventory from a records file."""
    from zerocity.inventory import read_records

    cols = _parse_map(map_, mapping)
    with _progress(total=6) as step:
        step("loading factors")
        lib = _run(lambda: _library(factors, factor_set))
        step(f"reading {file.name}")
        raw = _run(lambda: read_records(file, mapping=cols))
        report = _compute_and_report(
            file,
            raw,
            lib,
            step,
            cols=cols,
            region=region,
            gwp=gwp,
            level=level,
            as_json=as_json,
            csv=csv,
            xlsx=xlsx,
            html=html,
            uncertainty=uncertainty,
            runs=runs,
            seed=seed,
            dry_run=dry_run,
            save=save,
            lang=lang,
            years=year,
        )
    report()


def _compute_and_report(
    file: Path,
    raw: Any,
    lib: Any,
    step: Callable[[str], None],
    *,
    cols: dict[str, str],
    region: str,
    gwp: str,
    level: str,
    as_json: bool,
    csv: Path | None,
    xlsx: Path | None,
    html: Path | None,
    uncertainty: str | None,
    runs: int,
    seed: int,
    dry_run: bool,
    save: str | None,
    lang: str,
    years: list[int] | None = None,
) -> Callable[[], None]:
    """The body of ``inventory compute`` after reading: validate, compute, export, store.

    Returns the function that prints the outcome, called once the progress bar is gone.
    """
    from zerocity.inventory import compute_inventory

    reg = region or _default_region()
    step("validating" if dry_run else "validating and computing")
    if dry_run:
        from zerocity.inventory.engine import validate_records

        # Factor resolution errors are part of validation: run the kernel, keep nothing.
        prepared, _ = _run(lambda: validate_records(raw, library=lib, region=reg, source=str(file)))
        msg = {"valid": True, "rows": len(prepared), "file": str(file)}

        def report_dry_run() -> None:
            if as_json:
                _print_json(msg)
            else:
                out.print(f"{file}: {len(prepared)} rows valid; nothing computed (dry run)", highlight=False)

        return report_dry_run
    result = _run(
        lambda: compute_inventory(
            raw,
            library=lib,
            gwp=gwp,
            region=reg,
            level=level,
            uncertainty=uncertainty,
            runs=runs,
            seed=seed,
            source=str(file),
            years=years,
        )
    )
    params = {
        "file": str(file),
        "gwp": result.gwp.value,
        "region": reg,
        "level": result.level.value,
        "uncertainty": uncertainty,
        "runs": runs,
        "seed": seed,
        "mapping": cols,
        "years": list(result.years),
    }
    if csv or xlsx or html:
        from zerocity.inventory import export

        step("writing exports")
        if csv:
            export.write_csv(result, csv)
        if xlsx:
            # A sheet of a million rows helps nobody and takes minutes; the CSV has them.
            with_records = len(result.records) <= XLSX_RECORD_LIMIT
            if not with_records:
                _eprint(
                    f"{xlsx}: {len(result.records):,} records; the Records sheet is left out above "
                    f"{XLSX_RECORD_LIMIT:,} (use --csv for per-record results)"
                )
            export.write_xlsx(result, xlsx, lang=lang, include_records=with_records)
        if html:
            export.write_html(result, html, lang=lang)
    step("summarising")
    doc = result.to_dict(include_records=as_json or bool(save))
    if save:
        step("storing")
        from zerocity import store
        from zerocity.jsonio import jsonable
        from zerocity.ledger.canonical import canonical_hash
        from zerocity.ledger.events import record_event

        def persist() -> int:
            engine = store.get_engine()
            store.upgrade(engine)
            with store.session_scope(engine) as session:
                inventory_id = store.save_inventory(session, name=save, records=raw, result=doc, params=params)
                record_event(
                    session,
                    engine,
                    "inventory.computed",
                    {
                        "inventory_id": inventory_id,
                        "name": save,
                        "file": file.name,
                        "record_count": doc["record_count"],
                        "gwp": doc["gwp"],
                        "basic_tco2e": doc["basic_tco2e"],
                        "basic_plus_tco2e": doc["basic_plus_tco2e"],
                        "territorial_tco2e": doc["territorial_tco2e"],
                        "datasets": doc["datasets"],
                        "result_sha256": canonical_hash(jsonable({k: v for k, v in doc.items() if k != "records"})),
                    },
                    subject=f"inventory:{inventory_id}",
                )
                return inventory_id

        inv_id = _run(persist)
        doc["inventory_id"] = inv_id
        err.print(f"stored inventory {save!r} as id {inv_id}", highlight=False)

    def report() -> None:
        if as_json:
            _print_json(doc)
            return
        span = _year_span(result.years)
        out.print(
            _summary_table(doc, f"{file.name}: {len(result.records)} records, {span}, {doc['gwp']}, {doc['level']}")
        )
        if result.uncertainty:
            u = result.uncertainty
            out.print(
                f"95% interval ({u['method']}): {u['lower_tco2e']:,.1f} - {u['upper_tco2e']:,.1f} tCO2e "
                f"(+/- {u['uncertainty_pct']:.1f}%)"
            )
        for w in result.warnings:
            _eprint(f"warning: {w}")

    return report


@inventory_app.command("validate")
def inventory_validate(
    file: Annotated[Path, typer.Argument(help="Records: CSV, XLSX or Parquet.")],
    region: Annotated[str, typer.Option(help="Region of rows without one.")] = "",
    map_: Annotated[list[str] | None, typer.Option("--map", help="Rename a column: OLD=NEW.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping file.")] = None,
    factors: Annotated[list[Path] | None, typer.Option("--factors", help="Your factor set file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Validate a records file (same as compute --dry-run)."""
    inventory_compute(
        file,
        region=region,
        map_=map_,
        mapping=mapping,
        factors=factors,
        dry_run=True,
        as_json=as_json,
        gwp="AR5",
        level="BASIC",
        csv=None,
        xlsx=None,
        html=None,
        uncertainty=None,
        runs=1000,
        seed=1,
        factor_set=None,
        save=None,
        lang="en",
        year=None,
    )


@inventory_app.command("methods")
def inventory_methods(
    name: Annotated[str | None, typer.Argument(help="A method name: show its input columns.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the calculation methods a record's `method` column may name, with their input columns."""
    from rich.markup import escape

    from zerocity.inventory.sectors import method_catalogue

    docs = method_catalogue()
    if name is not None:
        docs = [d for d in docs if d["method"] == name]
        if not docs:
            _eprint(f"error: unknown method {name!r}; `zerocity inventory methods` lists them")
            raise typer.Exit(2)
    if as_json:
        _print_json(docs)
        return
    if name is None:
        table = Table("method", "GPC", "what", "source")
        for d in docs:
            table.add_row(d["method"], ", ".join(d["gpc_refs"]), escape(d["title"]), escape(d["reference"]))
        out.print(table)
        return
    d = docs[0]
    out.print(f"{d['method']}: {d['title']}\nGPC {', '.join(d['gpc_refs'])}; {d['reference']}", highlight=False)
    if d.get("activity_categories"):
        out.print(
            f"activity of category {', '.join(d['activity_categories'])}; amount in "
            f"{' or '.join(d['amount_dimensions'])}"
            + ("; rows are a history (e.g. yearly deposits)" if d["history"] else ""),
            highlight=False,
        )
    table = Table("column", "kind", "required", "meaning")
    for c in d["columns"]:
        choices = f" ({', '.join(c['choices'])})" if c["choices"] else ""
        table.add_row(c["name"], c["kind"], "yes" if c["required"] else "", escape(c["description"] + choices))
    out.print(table)


@inventory_app.command("diff")
def inventory_diff(
    old: Annotated[Path, typer.Argument(help="Earlier result (compute --json output).")],
    new: Annotated[Path, typer.Argument(help="Later result.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what changed between two inventory results and why (activity, factor, GWP)."""
    from zerocity.inventory.diff import diff_inventories

    def load(p: Path) -> dict[str, Any]:
        try:
            return dict(json.loads(p.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise _UserFileError(f"{p}: not a zerocity result JSON ({exc})") from exc

    d = diff_inventories(_run(lambda: load(old)), _run(lambda: load(new)))
    if as_json:
        _print_json(d)
        return
    out.print(
        f"total: {d['old_total_tco2e']:,.1f} -> {d['new_total_tco2e']:,.1f} tCO2e ({d['change_tco2e']:+,.1f})",
        highlight=False,
    )
    for cause, v in d["by_cause"].items():
        if v:
            out.print(f"  {cause:>9}: {v:+,.1f} tCO2e", highlight=False)
    if d["gwp"]["old"] != d["gwp"]["new"]:
        out.print(f"  GWP set: {d['gwp']['old']} -> {d['gwp']['new']}")
    for fid in d["factors_changed"]:
        out.print(f"  factor changed: {fid}", highlight=False)
    table = Table("record_id", "cause", "change tCO2e", "detail")
    for r in d["records"][:50]:
        detail = {k: v for k, v in r.items() if k not in {"record_id", "cause", "change_tco2e"}}
        table.add_row(
            r["record_id"],
            r["cause"],
            f"{r['change_tco2e']:+,.3f}",
            json.dumps(detail, ensure_ascii=False, default=str)[:100],
        )
    out.print(table)
    if len(d["records"]) > 50:
        out.print(f"... and {len(d['records']) - 50} more records (use --json)")


@inventory_app.command("cems")
def inventory_cems(
    file: Annotated[Path, typer.Argument(help="CEMS readings: CSV, XLSX or Parquet.")],
    interval: Annotated[str | None, typer.Option(help="Duration of each reading, e.g. 1h or 15min.")] = None,
    basis: Annotated[str, typer.Option(help="Concentration basis: dry or wet.")] = "dry",
    year: Annotated[int | None, typer.Option(help="With --records: inventory year of the rows.")] = None,
    gpc_ref: Annotated[str, typer.Option(help="With --records: GPC reference of the rows.")] = "I.3.1",
    entity: Annotated[str | None, typer.Option(help="With --records: entity (USCC) of the rows.")] = None,
    records: Annotated[Path | None, typer.Option("--records", help="Write inventory input rows (measured).")] = None,
    map_: Annotated[list[str] | None, typer.Option("--map", help="Rename a column: OLD=NEW.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Integrate continuous emission monitoring readings into CO2 mass per stack."""
    from zerocity.inventory.cems import integrate_cems
    from zerocity.inventory.records import read_records

    cols = _parse_map(map_, None)
    frame = _run(lambda: read_records(file, mapping=cols))
    result = _run(lambda: integrate_cems(frame, source=str(file), interval=interval, basis=basis))
    if records is not None:
        rows = result.to_records(year or int(result.stacks[0].start.year), gpc_ref, entity)
        rows.to_csv(records, index=False)
        _eprint(f"wrote {len(rows)} measured record(s) to {records}")
    if as_json:
        _print_json(result.as_dict())
        return
    table = Table("stack", "t CO2", "hours", "readings", "substituted", "start", "end")
    for st in result.stacks:
        table.add_row(
            st.stack,
            f"{st.co2_t:,.3f}",
            f"{st.hours:,.2f}",
            str(st.readings),
            str(st.substituted),
            str(st.start),
            str(st.end),
        )
    out.print(table)
    out.print(f"total: {result.total_co2_t:,.3f} t CO2")


class _UserFileError(ZerocityError, ValueError):
    code = "file"


@inventory_app.command("list")
def inventory_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List stored inventories."""
    from zerocity import store

    def work() -> list[dict[str, Any]]:
        engine = store.get_engine()
        store.upgrade(engine)
        with store.session_scope(engine) as session:
            return [
                {
                    "id": s.id,
                    "name": s.name,
                    "created_at": s.created_at.isoformat(),
                    "gwp": s.gwp,
                    "level": s.level,
                    "total_tco2e": s.total_tco2e,
                }
                for s in store.list_inventories(session)
            ]

    rows = _run(work)
    if as_json:
        _print_json(rows)
        return
    table = Table("id", "name", "created", "gwp", "level", "total tCO2e")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["created_at"], r["gwp"], r["level"], f"{r['total_tco2e']:,.1f}")
    out.print(table)


@inventory_app.command("show")
def inventory_show(
    inventory_id: Annotated[int, typer.Argument(help="Stored inventory id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored result as JSON.")] = False,
) -> None:
    """Show a stored inventory."""
    from zerocity import store

    def work() -> dict[str, Any]:
        engine = store.get_engine()
        store.upgrade(engine)
        with store.session_scope(engine) as session:
            return dict(store.load_inventory(session, inventory_id).result)

    doc = _run(work)
    if as_json:
        _print_json(doc)
        return
    out.print(_summary_table(doc, f"inventory {inventory_id}"))


# ---------------------------------------------------------------------------- db
@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (Alembic) up to the latest."""
    from zerocity import store

    def work() -> tuple[str, list[str]]:
        from zerocity.service.tenancy import registry_for

        engine = store.get_engine()
        store.upgrade(engine)
        # Tenant databases (one per city served by the API) are migrated with the platform one.
        tenants = registry_for().upgrade_all()
        return str(engine.url.render_as_string(hide_password=True)), tenants

    url, tenants = _run(work)
    out.print(f"database at head: {url}; tenant databases migrated: {len(tenants)}", highlight=False)


# ---------------------------------------------------------------------------- demo
@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print per-year results as JSON.")] = False,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Also write the Demo City files here.")] = None,
    seed: Annotated[int, typer.Option(help="Generator seed.")] = 20241,
    gwp: Annotated[str, typer.Option(help="GWP set.")] = "AR5",
) -> None:
    """Build Demo City, compute its inventory for every year and print a summary."""
    from zerocity.demo import build_demo_city
    from zerocity.demo.inventory import demo_inventory

    def work() -> tuple[Any, list[dict[str, Any]]]:
        city = build_demo_city(seed=seed)
        return city, demo_inventory(city, gwp=gwp)

    city, years = _run(work)
    if out_dir is not None:
        paths = city.write(out_dir)
        err.print(f"wrote {len(paths)} Demo City files to {out_dir}", highlight=False)
    if as_json:
        _print_json(years)
        return
    table = Table(title=f"{city.name} ({city.region}): GHG inventory, BASIC, {gwp}")
    columns = (
        "year",
        "Mt",
        "t/cap",
        "t/1e4¥",
        "S1",
        "S2",
        "S3",
        "I",
        "II",
        "III",
        "IV",
        "V",
        "B+ Mt",
        "terr.",
        "pop. M",
    )
    for col in columns:
        table.add_column(col, justify="right")
    for y in years:
        s = y["by_scope"]
        plus = y["by_sector_basic_plus"]
        table.add_row(
            str(y["year"]),
            f"{y['total_tco2e'] / 1e6:,.2f}",
            f"{y['tco2e_per_capita']:.2f}",
            f"{y['tco2e_per_10k_yuan']:.3f}",
            *(f"{s.get(k, 0) / 1e6:,.2f}" for k in ("1", "2", "3")),
            *(f"{plus.get(k, 0) / 1e6:,.2f}" for k in ("I", "II", "III", "IV", "V")),
            f"{y['basic_plus_tco2e'] / 1e6:,.2f}",
            f"{y['territorial_tco2e'] / 1e6:,.2f}",
            f"{y['population'] / 1e6:,.2f}",
        )
    out.print(table)
    out.print(
        "Mt = BASIC total, MtCO2e; t/cap = tCO2e per person; t/1e4¥ = tCO2e per 10^4 yuan of GDP (current "
        "prices); S1-S3 = scopes (BASIC); I-V = GPC sectors (BASIC+): stationary energy, transport, waste, "
        "industrial processes and product use, agriculture (MtCO2e); B+ = BASIC+ total; terr. = territorial "
        "(all scope 1, incl. power supplied to the grid). Synthetic data calibrated on published statistics: "
        "docs/demo-city.md.",
        highlight=False,
    )
    from zerocity.demo.accounts import demo_accounts

    acc = _run(lambda: demo_accounts(city))
    g = acc["grades"]
    out.print(
        f"\nCarbon code {acc['year']} (intensity against industry peers, grade 1 best): "
        + ", ".join(f"grade {k}: {g[k]}" for k in ("1", "2", "3", "4", "5"))
        + f"; closed, not graded: {g['not graded']}",
        highlight=False,
    )
    for label, rows in (("lowest", acc["best"]), ("highest", acc["worst"])):
        out.print(
            f"  {label} intensity ratio: "
            + "; ".join(f"{r['name']} ({r['industry']}) {r['ratio']:.2f} -> {r['grade']}" for r in rows),
            highlight=False,
        )
    h = acc["households"]
    refused = ", ".join(f"{k} {v}" for k, v in h["refused_by_reason"].items())
    out.print(
        f"Household carbon inclusion {acc['year']}: {h['participants']} households, {h['events']:,} events, "
        f"{h['accepted']:,} accepted, {h['credited_kg'] / 1000:,.1f} tCO2e credited, {h['points']:,.0f} points; "
        f"refused: {refused}",
        highlight=False,
    )
    from zerocity.cli_sinks import demo_balance

    balance = _run(lambda: demo_balance(seed))
    latest = balance.latest()
    names = {f["properties"]["code"]: f["properties"]["name_en"] for f in city.districts["features"]}
    out.print(
        f"\nNet balance {int(latest['year'].iloc[0])} by district (BASIC+ emissions less land-use and urban-tree "
        "removals, Mt CO2e; zerocity sinks balance --demo): "
        + "; ".join(
            f"{names.get(r['district'], r['district'])} {r['gross_tco2e'] / 1e6:,.2f} - "
            f"{r['removals_tco2e'] / 1e6:,.3f} = {r['net_tco2e'] / 1e6:,.2f} ({r['class']})"
            for r in latest.to_dict(orient="records")
        ),
        highlight=False,
    )
    from zerocity.demo.energy_system import demo_system
    from zerocity.energy.planning import pareto_front
    from zerocity.energy.system import load_system

    front, _ = _run(lambda: pareto_front(load_system(data=demo_system(representative=True)), 4))
    out.print(
        "\nEnergy plan of the Gaoxin industrial park, cost against CO2 (12 representative days; "
        "zerocity energy optimise --demo-days --pareto 4): "
        + "; ".join(
            f"{p.objectives['cost'] / 1e6:,.1f} M yuan/yr for {p.objectives['co2'] / 1e3:,.1f} kt CO2" for p in front
        ),
        highlight=False,
    )
    from zerocity.brain.scenario import compile_model, run_scenarios
    from zerocity.demo.scenario import demo_scenario_model

    pathways = _run(lambda: run_scenarios(compile_model(demo_scenario_model(seed), source="Demo City model")))
    peaks = pathways.peaks()
    totals = pathways.totals()
    out.print(
        f"\nScenario pathways {totals.index[0]}-{totals.index[-1]} ({pathways.level}, Mt CO2e; "
        "zerocity scenario run --demo): "
        + "; ".join(
            f"{name} peaks {p['peak_year']} at {p['peak_tco2e'] / 1e6:,.1f}" if p["peak_year"] else f"{name}: no peak"
            for name, p in peaks.items()
        )
        + "; 2060: "
        + ", ".join(f"{name} {totals[name].iloc[-1] / 1e6:,.1f}" for name in totals.columns),
        highlight=False,
    )


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
