"""``zerocity storage``: battery sizing and dispatch against a time-of-use tariff (linopy + HiGHS)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from zerocity.clikit import out, print_json, progress, run
from zerocity.energy.storage import Battery, StorageResult, load_profile, load_tariff, size_storage
from zerocity.errors import InvalidRecordsError, RecordIssue, ZerocityError
from zerocity.tables import read_table

__all__ = ["storage_app"]

storage_app = typer.Typer(
    help="Battery storage: peak shaving and valley filling under time-of-use prices and demand charges.",
    no_args_is_help=True,
)

#: Annual load of the demo site [kWh/yr]: an industrial user of the Demo City. ASSUMED.
DEMO_ANNUAL_KWH = 4_000_000.0


class _FileError(ZerocityError, ValueError):
    code = "file"


def _read_series(
    path: Path, time_column: str, load_column: str, pv_column: str | None
) -> tuple[pd.Series, pd.Series | None]:
    frame = read_table(path)
    wanted = [c for c in (time_column, load_column, pv_column) if c]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise _FileError(f"{path}: missing column(s) {missing}; columns: {list(frame.columns)}")
    issues: list[RecordIssue] = []
    times = pd.to_datetime(frame[time_column], errors="coerce")
    for i in np.flatnonzero(times.isna().to_numpy()):
        issues.append(
            RecordIssue(int(i) + 1, time_column, "expected a date-time (local time)", str(frame[time_column].iloc[i]))
        )
    series = {}
    for col in (load_column, pv_column):
        if not col:
            continue
        values = pd.to_numeric(frame[col], errors="coerce")
        for i in np.flatnonzero((values.isna() | (values < 0)).to_numpy()):
            issues.append(RecordIssue(int(i) + 1, col, "expected a non-negative number [kW]", str(frame[col].iloc[i])))
        series[col] = values
    if issues:
        raise InvalidRecordsError(str(path), sorted(issues, key=lambda x: (x.row, x.column)))
    index = pd.DatetimeIndex(times)
    load = pd.Series(series[load_column].to_numpy(float), index=index, name="load_kw")
    pv = None if not pv_column else pd.Series(series[pv_column].to_numpy(float), index=index, name="pv_kw")
    return load, pv


def _fmt(v: float | None, digits: int = 0) -> str:
    return "-" if v is None else f"{v:,.{digits}f}"


def _show(result: StorageResult, source: str) -> None:
    s = result.summary()
    head = Table(
        title=f"Battery sizing, {source} ({result.horizon_hours:,.0f} h, tariff {result.tariff.id})", show_header=False
    )
    head.add_column("", justify="left")
    head.add_column("", justify="right")
    rows = [
        ("energy capacity, kWh", _fmt(result.energy_kwh, 1)),
        ("power, kW", _fmt(result.power_kw, 1)),
        ("duration, h", _fmt(s["duration_h"], 2)),
        ("bill without storage", _fmt(result.bill_without.total)),
        (
            "  energy / demand / export credit",
            f"{_fmt(result.bill_without.energy)} / {_fmt(result.bill_without.demand)} / "
            f"{_fmt(result.bill_without.export_credit)}",
        ),
        ("bill with storage", _fmt(result.bill_with.total)),
        (
            "  energy / demand / export credit",
            f"{_fmt(result.bill_with.energy)} / {_fmt(result.bill_with.demand)} / "
            f"{_fmt(result.bill_with.export_credit)}",
        ),
        ("bill savings", _fmt(result.bill_savings)),
        ("degradation cost", _fmt(result.degradation_cost)),
        ("annual net savings (after degradation, O&M)", _fmt(result.annual_net_savings)),
        ("capex", _fmt(result.capex)),
        ("simple payback, years", _fmt(result.simple_payback_years, 1)),
        ("equivalent full cycles per year", _fmt(result.equivalent_cycles_per_year, 0)),
        ("throughput, kWh discharged", _fmt(s["throughput_kwh"])),
    ]
    for k, v in rows:
        head.add_row(k, v)
    out.print(head)
    peaks = Table(title="Monthly maximum import, kW")
    for c in ("month", "without", "with", "shaved"):
        peaks.add_column(c, justify="left" if c == "month" else "right")
    for month, before in result.bill_without.monthly_peak_kw.items():
        after = result.bill_with.monthly_peak_kw.get(month, 0.0)
        peaks.add_row(month, _fmt(before, 1), _fmt(after, 1), _fmt(before - after, 1))
    out.print(peaks)
    worst = max(result.violations().values())
    out.print(f"largest constraint violation of the solution: {worst:.2e}", highlight=False)
    if result.tariff.assumed:
        out.print(
            f"note: tariff fields {', '.join(result.tariff.assumed)} are example values (see the tariff file)",
            highlight=False,
        )


@storage_app.command("size")
def size_cmd(
    load_file: Annotated[
        Path | None, typer.Argument(help="CSV/XLSX with a time column and the load [kW] (and PV [kW]).")
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="A Demo City industrial user (4 GWh/yr, shipped shape).")
    ] = False,
    time_column: Annotated[str, typer.Option("--time-column", help="Time column (local time).")] = "time",
    load_column: Annotated[str, typer.Option("--load-column", help="Load column [kW].")] = "load_kw",
    pv_column: Annotated[str | None, typer.Option("--pv-column", help="PV output column [kW].")] = None,
    days: Annotated[int | None, typer.Option("--days", help="Optimise only the first DAYS days.")] = None,
    tariff_file: Annotated[
        Path | None, typer.Option("--tariff", help="Tariff YAML (default: Jiangsu example).")
    ] = None,
    energy_kwh: Annotated[float | None, typer.Option("--energy-kwh", help="Fixed energy capacity [kWh].")] = None,
    power_kw: Annotated[float | None, typer.Option("--power-kw", help="Fixed power [kW].")] = None,
    max_energy_kwh: Annotated[float | None, typer.Option("--max-energy-kwh", help="Upper bound [kWh].")] = None,
    max_power_kw: Annotated[float | None, typer.Option("--max-power-kw", help="Upper bound [kW].")] = None,
    capex_kwh: Annotated[float | None, typer.Option("--capex-kwh", help="Energy capex [yuan/kWh].")] = None,
    capex_kw: Annotated[float | None, typer.Option("--capex-kw", help="Power capex [yuan/kW].")] = None,
    efficiency: Annotated[float | None, typer.Option("--efficiency", help="One-way efficiency (both ways).")] = None,
    degradation: Annotated[
        float | None, typer.Option("--degradation-cost", help="Cost per kWh discharged [yuan/kWh].")
    ] = None,
    discount_rate: Annotated[float | None, typer.Option("--discount-rate", help="[1/yr]")] = None,
    lifetime: Annotated[float | None, typer.Option("--lifetime", help="Battery life [yr].")] = None,
    no_export: Annotated[bool, typer.Option("--no-export", help="PV surplus is not paid.")] = False,
    dispatch_file: Annotated[Path | None, typer.Option("--dispatch", help="Write the dispatch to this CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Optimal battery size and dispatch: minimise energy + demand charges + degradation + capex."""

    def go() -> None:
        if demo:
            index = pd.date_range("2023-01-01", "2024-01-01", freq="h", inclusive="left")
            load, pv, source = load_profile("industrial", DEMO_ANNUAL_KWH, index), None, "Demo City industrial user"
        elif load_file is not None:
            load, pv = _read_series(load_file, time_column, load_column, pv_column)
            source = str(load_file)
        else:
            raise _FileError("give a load file or --demo")
        if days is not None:
            if days < 1:
                raise _FileError("--days must be at least 1")
            end = load.index[0] + pd.Timedelta(days=days)
            load = load[load.index < end]
            pv = None if pv is None else pv[pv.index < end]
        tariff = load_tariff(tariff_file)
        base = Battery()
        overrides = {
            "capex_per_kwh": capex_kwh,
            "capex_per_kw": capex_kw,
            "charge_efficiency": efficiency,
            "discharge_efficiency": efficiency,
            "degradation_per_kwh": degradation,
            "discount_rate": discount_rate,
            "lifetime_years": lifetime,
            "energy_kwh": energy_kwh,
            "power_kw": power_kw,
            "max_energy_kwh": max_energy_kwh,
            "max_power_kw": max_power_kw,
        }
        fields = {**base.__dict__, **{k: v for k, v in overrides.items() if v is not None}}
        fields["allow_export"] = not no_export
        battery = Battery(**fields)
        with progress(1) as step:
            step(f"solving {len(load):,} steps with HiGHS")
            result = size_storage(load, tariff, pv_kw=pv, battery=battery)
        if dispatch_file is not None:
            result.dispatch.to_csv(dispatch_file, index_label="time")
        if as_json:
            doc = result.to_dict()
            doc["source"] = source
            print_json(doc)
            return
        _show(result, source)

    run(go)
