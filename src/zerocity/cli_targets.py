"""``zerocity targets``: allocate a city emission target to districts, sectors or enterprises."""

from __future__ import annotations

import functools
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich import box
from rich.table import Table

from zerocity.brain.targets import (
    Allocation,
    Principle,
    TargetConfig,
    TargetError,
    allocate,
    load_config,
    read_units,
)
from zerocity.clikit import eprint, out, print_json, progress, run

__all__ = [
    "DEMO_DISTRICT_CONFIG",
    "DEMO_ENTERPRISE_CONFIG",
    "demo_allocation",
    "demo_district_units",
    "demo_enterprise_units",
    "targets_app",
]

targets_app = typer.Typer(
    help="Target decomposition: share a city cap among districts, sectors or enterprises by principles.",
    no_args_is_help=True,
)


class DemoUnits(StrEnum):
    """Units of the Demo City example."""

    DISTRICTS = "districts"
    ENTERPRISES = "enterprises"


class QuotaYears(StrEnum):
    """Years written by ``--quotas``."""

    TARGET = "target"
    TRAJECTORY = "trajectory"


# ------------------------------------------------------------------------------------ Demo City
#: Abatement potential [share of base emissions] and marginal cost of its last tonne [yuan/t CO2e]
#: by GPC sector. **Assumed** illustrative round figures for the Demo City, not sourced.
DEMO_ABATEMENT_BY_SECTOR: dict[str, tuple[float, float]] = {
    "I.1": (0.15, 350.0),  # residential buildings
    "I.2": (0.20, 250.0),  # commercial and institutional buildings
    "I.3": (0.25, 200.0),  # manufacturing and construction
    "I.4": (0.10, 300.0),  # energy industries
    "I.5": (0.10, 150.0),  # agriculture, forestry, fishing (energy)
    "I.6": (0.10, 300.0),  # non-specified
    "II": (0.15, 500.0),  # transport
    "III": (0.30, 100.0),  # waste
}

#: Same for Demo City enterprises by group (heavy, light, high-tech); **assumed**, not sourced.
DEMO_ABATEMENT_BY_GROUP: dict[str, tuple[float, float]] = {
    "heavy": (0.20, 180.0),
    "light": (0.12, 300.0),
    "hightech": (0.10, 350.0),
}

DEMO_DISTRICT_CONFIG: dict[str, Any] = {
    "version": 1,
    "name": "Demo City districts, carbon intensity -18 % 2020-2025",
    "description": (
        "The 14th Five-Year Plan's national CO2-intensity target (-18 % from 2020 to 2025) applied to Demo City "
        "and shared among its ten districts; GDP growth 5.5 %/yr is a planning assumption (constant prices)."
    ),
    "units": {"path": "demo_districts.csv"},
    "columns": {
        "id": "district",
        "label": "name",
        "population": "population",
        "gdp": "gdp_10k_yuan",
        "emissions_base": "emissions_2020",
        "history": ["emissions_2018", "emissions_2019", "emissions_2020"],
        "abatement_potential": "abatement_potential_t",
        "abatement_cost": "abatement_cost_yuan_per_t",
    },
    "target": {"kind": "intensity", "base_year": 2020, "year": 2025, "reduction_pct": 18, "gdp_growth_pct": 5.5},
    "principles": {
        "equity": {"weight": 0.05},
        "capacity": {"weight": 0.10, "exponent": 1.0},
        "efficiency": {"weight": 0.10, "exponent": 1.0},
        "abatement": {"weight": 0.25},
        "grandfathering": {"weight": 0.50},
    },
    # No district cuts more than 5 % below 2020; none grows more than 15 % (at 5.5 %/yr GDP growth that is
    # an intensity reduction of at least 12 % everywhere).
    "bounds": {"floor_share_of_base": 0.95, "ceiling_share_of_base": 1.15},
    "trajectory": {"method": "linear", "first_year": 2021},
    "decimals": 0,
}

DEMO_ENTERPRISE_CONFIG: dict[str, Any] = {
    "version": 1,
    "name": "Demo City enterprises, -8 % absolute 2024-2027",
    "description": (
        "An industrial cap 8 % below the enterprises' 2024 emissions in 2027, shared by grandfathering, output "
        "benchmarking and least cost; no enterprise cut by more than 15 % or allowed to grow."
    ),
    "units": {"path": "demo_enterprises.csv"},
    "columns": {
        "id": "uscc",
        "label": "name_en",
        "population": "employees",
        "gdp": "output_value_10k_yuan",
        "emissions_base": "emissions_2024",
        "history": ["emissions_2022", "emissions_2023", "emissions_2024"],
        "abatement_potential": "abatement_potential_t",
        "abatement_cost": "abatement_cost_yuan_per_t",
    },
    "target": {"kind": "reduction", "base_year": 2024, "year": 2027, "reduction_pct": 8},
    "principles": {
        "grandfathering": {"weight": 0.6},
        "efficiency": {"weight": 0.1, "exponent": 1.0},
        "abatement": {"weight": 0.3},
    },
    "bounds": {"floor_share_of_base": 0.85, "ceiling_share_of_base": 1.0},
    "trajectory": {"method": "constant_rate", "first_year": 2025},
    "decimals": 0,
}


@functools.cache
def _demo_emissions() -> tuple[Any, pd.DataFrame]:
    """The Demo City and its BASIC emission rows (scopes 1 and 2, no grid-supplied generation); computed once."""
    from zerocity.demo import build_demo_city
    from zerocity.inventory.engine import compute_inventory
    from zerocity.inventory.gpc import Level

    city = build_demo_city()
    result = compute_inventory(city.records, region=city.region, source="Demo City records")
    rows = result.counted(Level.BASIC)
    frame = pd.DataFrame(
        {
            "year": rows["year"].to_numpy(dtype=int),
            "district": rows["district"].astype(str).to_numpy(),
            "entity": rows["entity"].astype(str).to_numpy(),
            "gpc_ref": rows["gpc_ref"].astype(str).to_numpy(),
            "tco2e": rows["tco2e"].to_numpy(dtype=float),
        }
    )
    return city, frame


def _abatement(base: pd.DataFrame, key: str, table: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Potential [t] and potential-weighted marginal cost [yuan/t] per ``unit`` from base rows with ``key``."""
    share = base[key].map(lambda k: table[k][0]).to_numpy(dtype=float)
    cost = base[key].map(lambda k: table[k][1]).to_numpy(dtype=float)
    pot = base["tco2e"].to_numpy() * share
    agg = pd.DataFrame({"unit": base["unit"].to_numpy(), "pot": pot, "cw": pot * cost}).groupby("unit").sum()
    return pd.DataFrame({"abatement_potential_t": agg["pot"], "abatement_cost_yuan_per_t": agg["cw"] / agg["pot"]})


def demo_district_units(base_year: int = 2020, history_years: int = 3) -> pd.DataFrame:
    """The ten Demo City districts as allocation units.

    Columns: ``district`` (code), ``name``, ``name_zh``, ``population`` [persons],
    ``gdp_10k_yuan`` [10^4 yuan, current prices], ``emissions_<year>`` for the base year and the
    years before it [t CO2e, GPC BASIC: scopes 1 and 2, district-attributed rows only],
    ``abatement_potential_t`` [t CO2e], ``abatement_cost_yuan_per_t`` [yuan/t CO2e].

    Derivation (from the Demo City tables; see docs/targets.md): population = city population ×
    the district's ``population_share``; GDP = primary × cropland share + secondary × share of
    enterprise output value (2024) + tertiary × share of ``population × urban^1.5`` (the demo's
    commerce key); potential and cost from :data:`DEMO_ABATEMENT_BY_SECTOR` (**assumed**) applied
    to the district's base-year emissions by GPC sector. City-wide waste rows without a district
    are not part of the units.
    """
    from zerocity.demo.calibration import DISTRICTS

    city, rows = _demo_emissions()
    rows = rows[rows["district"] != ""]
    years = list(range(base_year - history_years + 1, base_year + 1))
    hist = (
        rows[rows["year"].isin(years)]
        .groupby(["district", "year"])["tco2e"]
        .sum()
        .unstack("year")
        .reindex(columns=years)
    )
    props = pd.DataFrame([f["properties"] for f in city.districts["features"]]).set_index("code")
    stats = city.statistics.set_index("year").loc[base_year]
    codes = props.index.to_numpy()
    population = stats["population"] * props["population_share"] / props["population_share"].sum()
    land = city.land[city.land["year"] == base_year].set_index("district")["cropland_ha"].reindex(codes)
    ent = city.enterprises.groupby("district")["output_value_10k_yuan"].sum().reindex(codes).fillna(0.0)
    urban = pd.Series({d[0]: d[4] for d in DISTRICTS}).reindex(codes)
    commerce = population * urban**1.5
    gdp = (
        stats["gdp_primary"] * land / land.sum()
        + stats["gdp_secondary"] * ent / ent.sum()
        + stats["gdp_tertiary"] * commerce / commerce.sum()
    )
    base = rows[rows["year"] == base_year].assign(
        unit=lambda f: f["district"],
        sector=lambda f: f["gpc_ref"].map(
            lambda r: r.split(".")[0] if not r.startswith("I.") else ".".join(r.split(".")[:2])
        ),
    )
    abate = _abatement(base, "sector", DEMO_ABATEMENT_BY_SECTOR).reindex(codes)
    frame = pd.DataFrame(
        {
            "district": codes,
            "name": props["name_en"].to_numpy(),
            "name_zh": props["name_zh"].to_numpy(),
            "population": np.round(population.to_numpy()).astype(np.int64),
            "gdp_10k_yuan": np.round(gdp.to_numpy(), 1),
        }
    )
    for y in years:
        frame[f"emissions_{y}"] = np.round(hist[y].reindex(codes).to_numpy(), 1)
    frame["abatement_potential_t"] = np.round(abate["abatement_potential_t"].to_numpy(), 1)
    frame["abatement_cost_yuan_per_t"] = np.round(abate["abatement_cost_yuan_per_t"].to_numpy(), 1)
    return frame


def demo_enterprise_units(base_year: int = 2024, history_years: int = 3) -> pd.DataFrame:
    """Demo City enterprises with emissions in the base year, as allocation units.

    Columns: ``uscc``, ``name_en``, ``industry_name``, ``group``, ``district``, ``employees``
    [persons], ``output_value_10k_yuan`` [10^4 yuan, 2024, gross output, not value added],
    ``emissions_<year>`` [t CO2e, BASIC rows with the enterprise as entity],
    ``abatement_potential_t`` and ``abatement_cost_yuan_per_t`` from
    :data:`DEMO_ABATEMENT_BY_GROUP` (**assumed**).
    """
    city, rows = _demo_emissions()
    rows = rows[rows["entity"] != ""]
    years = list(range(base_year - history_years + 1, base_year + 1))
    hist = rows[rows["year"].isin(years)].groupby(["entity", "year"])["tco2e"].sum().unstack("year")
    hist = hist.reindex(columns=years).fillna(0.0)
    ent = city.enterprises.set_index("uscc")
    ids = hist.index[hist[base_year] > 0].intersection(ent.index)
    ent = ent.loc[ids]
    frame = pd.DataFrame(
        {
            "uscc": ids.to_numpy(),
            "name_en": ent["name_en"].to_numpy(),
            "industry_name": ent["industry_name"].to_numpy(),
            "group": ent["group"].to_numpy(),
            "district": ent["district"].to_numpy(),
            "employees": ent["employees"].to_numpy(dtype=np.int64),
            "output_value_10k_yuan": ent["output_value_10k_yuan"].to_numpy(dtype=float),
        }
    )
    for y in years:
        frame[f"emissions_{y}"] = np.round(hist.loc[ids, y].to_numpy(), 1)
    base = frame[f"emissions_{base_year}"].to_numpy()
    share = frame["group"].map(lambda g: DEMO_ABATEMENT_BY_GROUP[g][0]).to_numpy(dtype=float)
    frame["abatement_potential_t"] = np.round(base * share, 1)
    frame["abatement_cost_yuan_per_t"] = frame["group"].map(lambda g: DEMO_ABATEMENT_BY_GROUP[g][1])
    return frame


def demo_allocation(units: DemoUnits | str = DemoUnits.DISTRICTS) -> Allocation:
    """The Demo City example (districts or enterprises), allocated with its built-in configuration."""
    if DemoUnits(units) is DemoUnits.ENTERPRISES:
        return allocate(demo_enterprise_units(), DEMO_ENTERPRISE_CONFIG, source="Demo City enterprises")
    return allocate(demo_district_units(), DEMO_DISTRICT_CONFIG, source="Demo City districts")


# ------------------------------------------------------------------------------------ output
def _num(v: Any, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    return f"{float(v):,.{digits}f}"


_SHORT = {
    Principle.EQUITY: "equity",
    Principle.CAPACITY: "capac.",
    Principle.EFFICIENCY: "effic.",
    Principle.ABATEMENT: "abate.",
    Principle.GRANDFATHERING: "grandf.",
}


def _show(a: Allocation, limit: int) -> None:
    t = a.target
    d = a.decimals
    head = Table(title=f"Target allocation: {a.name or a.source}", show_header=False)
    head.add_column("", justify="left")
    head.add_column("", justify="right")
    head.add_row("target", f"{t.kind.value}, {t.base_year} -> {t.year}")
    if t.reduction_pct is not None:
        head.add_row("stated reduction", f"{t.reduction_pct:g} %")
    head.add_row(f"base emissions {t.base_year}, t CO2e", _num(t.base_emissions))
    head.add_row(f"cap {t.year}, t CO2e", _num(t.cap, d))
    head.add_row("change vs base", f"{-t.reduction_vs_base_pct:+.2f} %")
    if t.base_intensity is not None and t.target_intensity is not None:
        head.add_row("intensity base -> target, t per GDP unit", f"{t.base_intensity:.4g} -> {t.target_intensity:.4g}")
    weights = ", ".join(f"{p.value} {w:.3f}" for p, w in a.weights.items())
    head.add_row(f"weights ({a.weighting.value})", weights)
    if a.marginal_abatement_cost is not None:
        head.add_row("marginal abatement cost (least cost), yuan/t", _num(a.marginal_abatement_cost, 1))
    tot = a.totals
    head.add_row("units (at floor / at ceiling)", f"{tot['units']} ({tot['at_floor']} / {tot['at_ceiling']})")
    head.add_row("sum of allocations, t CO2e", _num(tot["allocated_tco2e"], d))
    out.print(head)
    frame = a.table
    shown = frame.head(limit)
    table = Table(
        title=f"Allocation by unit (t CO2e; shares in %; first {len(shown)} of {len(frame)})",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    share_cols = [f"share_{p.value}" for p in a.principles]
    headers = ["unit", "base", *(_SHORT[p] for p in a.principles), "share", "allocation", "vs base", "bound"]
    for c in headers:
        table.add_column(c, justify="left" if c in {"unit", "bound"} else "right")
    has_label = "label" in frame.columns
    pct = 1 if len(frame) <= 20 else 3  # shares of hundreds of units are small
    for _, row in shown.iterrows():
        table.add_row(
            str(row["label"] if has_label else row["unit"]),
            _num(row["emissions_base"]),
            *(f"{100 * row[c]:.{pct}f}" for c in share_cols),
            f"{100 * row['share']:.{pct}f}",
            _num(row["allocation"], d),
            "-" if not np.isfinite(row["reduction_pct"]) else f"{-row['reduction_pct']:+.1f}%",
            "" if row["bound"] == "none" else str(row["bound"]),
        )
    out.print(table)
    if a.trajectory_steps is not None:
        traj = Table(title=f"Path ({a.trajectory_method.value if a.trajectory_method else ''})")
        traj.add_column("year", justify="right")
        traj.add_column("allowed, t CO2e", justify="right")
        for year, v in a.trajectory_totals().itertuples(index=False):
            traj.add_row(str(year), _num(v, d))
        out.print(traj)
    for note in a.notes:
        out.print(f"note: {note}")


def _show_explain(doc: dict[str, Any]) -> None:
    table = Table(title=f"Unit {doc['unit']}" + (f" {doc['label']}" if doc.get("label") else ""), show_header=False)
    table.add_column("", justify="left")
    table.add_column("", justify="right")
    for k, v in doc["indicators"].items():
        table.add_row(k, _num(v, 4 if v is not None and abs(float(v)) < 100 else 0))
    for p in doc["principles"]:
        table.add_row(
            f"{p['principle']}: share x weight", f"{p['share']:.4%} x {p['weight']:.3f} = {p['contribution']:.4%}"
        )
    table.add_row("combined share", f"{doc['share']:.4%}")
    table.add_row("share x cap, t", _num(doc["unconstrained_tco2e"], 2))
    table.add_row(f"x level {doc['level']:.4f} (bounds of other units), t", _num(doc["proportional_tco2e"], 2))
    table.add_row("floor .. ceiling, t", f"{_num(doc['floor_tco2e'], 2)} .. {_num(doc['ceiling_tco2e'], 2)}")
    table.add_row("bound applied", str(doc["bound"]))
    table.add_row("allocation, t", _num(doc["allocation_tco2e"], 6).rstrip("0").rstrip("."))
    table.add_row("reduction vs base", "-" if doc["reduction_pct"] is None else f"{doc['reduction_pct']:.2f} %")
    out.print(table)
    out.print(doc["formula"])


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    try:
        if path.suffix.lower() == ".xlsx":
            frame.to_excel(path, index=False)
        else:
            frame.to_csv(path, index=False)
    except OSError as exc:
        raise TargetError(f"{path}: cannot write: {exc}") from exc


def _issue(a: Allocation, pool: str, actor: str, tenant: str) -> dict[str, Any]:
    """Issue the target-year allocations as allowances on the MRV ledger (one entry per unit)."""
    from zerocity.accounts.allowances import allowance_balances, issue_allowances
    from zerocity.cli_ledger import open_ledger

    ledger = open_ledger()
    quotas = a.quotas(exact=True)
    held = allowance_balances(ledger, pool, tenant=tenant)
    clash = sorted(set(quotas["entity"]) & set(held))
    if clash:
        raise TargetError(
            f"pool {pool!r} already holds allowances of {len(clash)} of these units (first: {clash[0]}); "
            "nothing was issued (use a new pool, or transfer/surrender in the existing one)"
        )
    entries: list[int] = []
    note = f"zerocity targets allocate: {a.name or a.source}"
    with progress(len(quotas)) as step:
        for entity, amount in zip(quotas["entity"], quotas["quota"], strict=True):
            step(f"issuing {amount} t to {entity}")
            entries.append(
                issue_allowances(
                    ledger,
                    actor=actor,
                    pool=pool,
                    to=str(entity),
                    amount=str(amount),
                    tenant=tenant,
                    period=str(a.target.year),
                    note=note,
                )
            )
    return {
        "pool": pool,
        "tenant": tenant,
        "accounts": len(entries),
        "entries": [entries[0], entries[-1]] if entries else [],
        "amount_tco2e": a.totals["allocated_tco2e"],
    }


def _load(config: Path | None, demo: bool, demo_units: DemoUnits) -> Allocation:
    if demo:
        return demo_allocation(demo_units)
    if config is None:
        raise TargetError("give a CONFIG.yaml or --demo")
    cfg: TargetConfig = load_config(config)
    units, source = read_units(cfg, base_dir=config.parent)
    return allocate(units, cfg, source=source)


@targets_app.command("allocate")
def allocate_cmd(
    config: Annotated[Path | None, typer.Argument(help="Target configuration (YAML).")] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Use the Demo City example instead of a CONFIG.")] = False,
    demo_units: Annotated[
        DemoUnits, typer.Option("--demo-units", help="Units of the Demo City example.")
    ] = DemoUnits.DISTRICTS,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the unit table (CSV or XLSX).")] = None,
    quotas: Annotated[
        Path | None, typer.Option("--quotas", help="Write quotas for the accounts (CSV: entity, quota, kind, year).")
    ] = None,
    quota_years: Annotated[
        QuotaYears, typer.Option("--quota-years", help="Quotas of the target year, or of every trajectory year.")
    ] = QuotaYears.TARGET,
    trajectory: Annotated[
        Path | None, typer.Option("--trajectory", help="Write the year-by-year path (CSV: unit, year, allowed).")
    ] = None,
    explain: Annotated[str | None, typer.Option("--explain", help="Explain the allocation of one unit.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Units shown in the table.")] = 30,
    issue_pool: Annotated[
        str | None,
        typer.Option("--issue-allowances", help="Issue the target-year allocations into this allowance pool."),
    ] = None,
    actor: Annotated[str, typer.Option("--actor", help="Issuer (platform or city_admin).")] = "city_admin",
    tenant: Annotated[str, typer.Option("--tenant", help="Tenant (city) of the allowance pool.")] = "default",
) -> None:
    """Allocate a city target (cap, reduction or intensity) to units by equity, capacity, efficiency, cost, history."""

    def go() -> None:
        a = _load(config, demo, demo_units)
        if explain is not None:
            doc = a.explain(explain)
            if as_json:
                print_json(doc)
            else:
                _show_explain(doc)
            return
        written: dict[str, Any] = {}
        if out_file is not None:
            _write_table(a.table, out_file)
            written["table"] = str(out_file)
        if quotas is not None:
            years = None
            if quota_years is QuotaYears.TRAJECTORY:
                if a.trajectory_steps is None:
                    raise TargetError("--quota-years trajectory needs a trajectory in the configuration")
                years = [int(y) for y in a.years if y >= (a.first_year or a.years[0])]
            q = a.quotas(years, exact=True)
            _write_table(q, quotas)
            written["quotas"] = str(quotas)
            skipped = int((a.steps == 0).sum())
            if skipped:
                eprint(f"note: {skipped} unit(s) with a zero allocation have no quota row (quotas must be > 0)")
        if trajectory is not None:
            if a.trajectory_steps is None:
                raise TargetError("--trajectory needs a trajectory section in the configuration")
            _write_table(a.trajectory, trajectory)
            written["trajectory"] = str(trajectory)
        issued = _issue(a, issue_pool, actor, tenant) if issue_pool else None
        if as_json:
            doc = a.to_dict()
            if written:
                doc["written"] = written
            if issued is not None:
                doc["allowances"] = issued
            print_json(doc)
            return
        _show(a, limit)
        for what, path in written.items():
            out.print(f"wrote {what}: {path}")
        if issued is not None and issued["entries"]:
            out.print(
                f"issued {issued['amount_tco2e']:,.{a.decimals}f} t CO2e to {issued['accounts']} account(s) in pool "
                f"{issued['pool']!r} (ledger entries {issued['entries'][0]}..{issued['entries'][-1]})"
            )

    run(go)
