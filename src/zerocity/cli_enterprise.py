"""``zerocity accounts enterprise``: registry, accounts, carbon code, quotas, allowances, export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from zerocity.clikit import default_region, eprint, out, print_json, run

__all__ = ["enterprise_app"]

enterprise_app = typer.Typer(
    help="Enterprise accounts: carbon code (碳效码) grades, quotas, allowances, bank export.", no_args_is_help=True
)
allowance_app = typer.Typer(help="Allowances on the MRV ledger: issue, transfer, surrender, balance.")
enterprise_app.add_typer(allowance_app, name="allowance")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
RegistryOption = Annotated[Path, typer.Option("--registry", help="Entity registry (CSV or XLSX).")]
RecordsOption = Annotated[Path, typer.Option("--records", help="Inventory records of the entities (CSV/XLSX).")]
YearOption = Annotated[int | None, typer.Option("--year", help="Account year (default: latest in the records).")]
ElectricityOption = Annotated[
    str, typer.Option("--electricity", help="Electricity to tce: calorific (0.1229 kgce/kWh) or equivalent.")
]
EquivalentOption = Annotated[
    float | None, typer.Option("--kgce-per-kwh", help="Power-supply coal consumption for --electricity equivalent.")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Carbon-code thresholds (YAML).")]


def graded_accounts(
    registry: Path, records: Path, year: int | None, electricity: str, kgce: float | None, config: Path | None
) -> pd.DataFrame:
    """Accounts of ``year`` graded against the city's peers, with the trend against ``year - 1``.

    Reads the files and calls :func:`zerocity.accounts.enterprise.grade_period` (the API calls it
    with the tables it stores).
    """
    from zerocity.accounts.enterprise import grade_period, load_carbon_code_config, read_registry
    from zerocity.inventory import read_records

    _, graded = grade_period(
        read_registry(registry),
        read_records(records),
        year=year,
        electricity=electricity,
        equivalent_kgce_per_kwh=kgce,
        region=default_region(),
        config=load_carbon_code_config(config),
        source=str(records),
    )
    return graded


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


@enterprise_app.command()
def show(
    uscc: Annotated[str, typer.Argument(help="Unified social credit code.")],
    registry: RegistryOption,
    records: RecordsOption,
    year: YearOption = None,
    electricity: ElectricityOption = "calorific",
    kgce_per_kwh: EquivalentOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """One entity's account and carbon code."""

    def go() -> None:
        from zerocity.accounts.enterprise import AccountsError

        g = graded_accounts(registry, records, year, electricity, kgce_per_kwh, config)
        row = g[g["uscc"] == uscc.strip().upper()]
        if row.empty:
            raise AccountsError(f"{uscc!r} is not in the registry {registry}")
        data = _records(row)[0]
        if as_json:
            print_json(data)
            return
        table = Table(title=f"{data['name']} ({data['uscc']}), {data['year']}")
        table.add_column("field")
        table.add_column("value", justify="right")
        for key, value in data.items():
            table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
        out.print(table)

    run(go)


@enterprise_app.command()
def grade(
    registry: RegistryOption,
    records: RecordsOption,
    year: YearOption = None,
    electricity: ElectricityOption = "calorific",
    kgce_per_kwh: EquivalentOption = None,
    config: ConfigOption = None,
    out_csv: Annotated[Path | None, typer.Option("--out", help="Write the graded table to CSV.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Carbon code of every entity: grade, ratio, percentile, trend, explanation."""

    def go() -> None:
        g = graded_accounts(registry, records, year, electricity, kgce_per_kwh, config)
        if out_csv is not None:
            g.to_csv(out_csv, index=False, encoding="utf-8")
            eprint(f"wrote {len(g)} rows to {out_csv}")
        if as_json:
            print_json(_records(g))
            return
        counts = g["grade"].value_counts(dropna=False).sort_index()
        table = Table(title="carbon code grades")
        table.add_column("grade")
        table.add_column("entities", justify="right")
        for grade_value, n in counts.items():
            table.add_row("not graded" if pd.isna(grade_value) else str(grade_value), str(int(n)))
        out.print(table)

    run(go)


@enterprise_app.command()
def quota(
    quotas: Annotated[Path, typer.Option("--quotas", help="CSV: entity, quota, optional kind and year.")],
    usage: Annotated[Path, typer.Option("--usage", help="CSV: entity, time (YYYY-MM or timestamp), amount.")],
    year: YearOption = None,
    warn: Annotated[str, typer.Option("--warn", help="Warning shares of the quota, comma-separated.")] = "0.8,1.0",
    as_json: JsonOption = False,
) -> None:
    """Consumption to date, projected year-end use and warnings per quota."""

    def go() -> None:
        from zerocity.accounts.allowances import project_quotas
        from zerocity.accounts.enterprise import AccountsError

        def read(path: Path, dtype: dict[str, Any]) -> pd.DataFrame:
            try:
                return pd.read_csv(path, dtype=dtype)
            except (OSError, ValueError) as exc:
                raise AccountsError(f"{path}: cannot read ({exc})") from exc

        try:
            shares = [float(x) for x in warn.split(",") if x.strip()]
        except ValueError:
            raise AccountsError(f"--warn {warn!r}: expected shares such as 0.8,1.0") from None
        q = project_quotas(
            read(quotas, {"entity": str}),
            read(usage, {"entity": str, "time": str}),
            year=year,
            thresholds=shares,
            source=str(quotas),
            usage_source=str(usage),
        )
        if as_json:
            print_json(_records(q))
            return
        table = Table(title="quotas")
        for col in ("entity", "quota", "consumed", "projected", "method", "status"):
            table.add_column(col)
        for row in q.itertuples(index=False):
            table.add_row(
                str(row.entity),
                f"{row.quota:.4g}",
                f"{row.consumed:.4g}",
                f"{row.projected:.4g}",
                row.method,
                row.status,
            )
        out.print(table)

    run(go)


@enterprise_app.command()
def export(
    registry: RegistryOption,
    records: RecordsOption,
    year: YearOption = None,
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant of the MRV reports.")] = "default",
    with_ledger: Annotated[bool, typer.Option("--ledger/--no-ledger", help="Read MRV status from the ledger.")] = True,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write CSV (.csv) or JSON (.json).")] = None,
) -> None:
    """Per-entity table for banks and green finance (grade, intensity, trend, verified status)."""

    def go() -> None:
        from zerocity.accounts.enterprise import export_for_finance
        from zerocity.cli_ledger import open_ledger

        g = graded_accounts(registry, records, year, "calorific", None, None)
        ex = export_for_finance(g, ledger=open_ledger(need_key=False) if with_ledger else None, tenant=tenant)
        if out_file is not None and out_file.suffix.lower() == ".csv":
            ex.to_csv(out_file, index=False, encoding="utf-8")
            eprint(f"wrote {len(ex)} rows to {out_file}")
        elif out_file is not None:
            from zerocity.jsonio import dumps

            out_file.write_text(dumps(_records(ex)), encoding="utf-8")
            eprint(f"wrote {len(ex)} rows to {out_file}")
        else:
            print_json(_records(ex))

    run(go)


PoolOption = Annotated[str, typer.Option("--pool", help="Allowance pool, e.g. CEA-2024.")]
ActorOption = Annotated[str, typer.Option("--actor", help="Who moves the units.")]
AmountOption = Annotated[str, typer.Option("--amount", help="Units [t CO2e or tce], up to 6 decimals.")]
TenantOption = Annotated[str, typer.Option("--tenant", help="Tenant (city).")]


@allowance_app.command("issue")
def allowance_issue(
    to: Annotated[str, typer.Option("--to", help="Receiving account (USCC).")],
    pool: PoolOption,
    amount: AmountOption,
    actor: ActorOption = "platform",
    tenant: TenantOption = "default",
) -> None:
    """Issue allowances (platform or city_admin)."""
    from zerocity.accounts.allowances import issue_allowances
    from zerocity.cli_ledger import open_ledger

    index = run(lambda: issue_allowances(open_ledger(), actor=actor, pool=pool, to=to, amount=amount, tenant=tenant))
    print_json({"entry": index})


@allowance_app.command("transfer")
def allowance_transfer(
    source: Annotated[str, typer.Option("--from", help="Sending account.")],
    to: Annotated[str, typer.Option("--to", help="Receiving account.")],
    pool: PoolOption,
    amount: AmountOption,
    actor: ActorOption,
    tenant: TenantOption = "default",
) -> None:
    """Transfer allowances; refused when the sender's balance is too small."""
    from zerocity.accounts.allowances import transfer_allowances
    from zerocity.cli_ledger import open_ledger

    index = run(
        lambda: transfer_allowances(
            open_ledger(), actor=actor, pool=pool, source=source, to=to, amount=amount, tenant=tenant
        )
    )
    print_json({"entry": index})


@allowance_app.command("surrender")
def allowance_surrender(
    source: Annotated[str, typer.Option("--from", help="Surrendering account.")],
    pool: PoolOption,
    amount: AmountOption,
    period: Annotated[str, typer.Option("--period", help="Compliance period.")],
    actor: ActorOption,
    tenant: TenantOption = "default",
) -> None:
    """Surrender allowances for compliance."""
    from zerocity.accounts.allowances import surrender_allowances
    from zerocity.cli_ledger import open_ledger

    index = run(
        lambda: surrender_allowances(
            open_ledger(), actor=actor, pool=pool, source=source, amount=amount, period=period, tenant=tenant
        )
    )
    print_json({"entry": index})


@allowance_app.command("balance")
def allowance_balance(pool: PoolOption, tenant: TenantOption = "default", as_json: JsonOption = False) -> None:
    """Balances of a pool, replayed from the ledger."""
    from zerocity.accounts.allowances import allowance_balances
    from zerocity.cli_ledger import open_ledger

    bal = run(lambda: allowance_balances(open_ledger(need_key=False), pool, tenant=tenant))
    if as_json:
        print_json({k: str(v) for k, v in bal.items()})
        return
    table = Table(title=f"allowances {pool}")
    table.add_column("account")
    table.add_column("balance", justify="right")
    for account, value in sorted(bal.items()):
        table.add_row(account, str(value))
    out.print(table)
