"""``zerocity brain``: driver analysis on the command line (LMDI decomposition, Kaya identity)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from zerocity.brain.lmdi import DEFAULT_RTOL, LmdiResult, Mode, decompose, kaya
from zerocity.clikit import out, print_json, run
from zerocity.errors import ZerocityError

__all__ = ["brain_app"]

brain_app = typer.Typer(help="Driver analysis: LMDI index decomposition, Kaya identity.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ModeOption = Annotated[Mode, typer.Option("--mode", help="Additive (differences) or multiplicative (ratios).")]
ChainOption = Annotated[bool, typer.Option("--chain", help="Chain period by period instead of first vs last.")]
PeriodOption = Annotated[str, typer.Option("--period", help="Period column.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: the first).")]


class _FileError(ZerocityError, ValueError):
    code = "file"


def _read(path: Path, sheet: str | None) -> pd.DataFrame:
    try:
        if path.suffix.lower() in {".xlsx", ".xlsm", ".xls"}:
            return pd.read_excel(path, sheet_name=sheet or 0)
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise _FileError(f"{path}: cannot read table: {exc}") from exc


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
        frame = _read(file, sheet)
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
            frame, source = _read(file, sheet), str(file)
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
