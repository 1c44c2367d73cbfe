"""``zerocity accounts household``: household carbon inclusion (碳普惠) on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from zerocity.clikit import out, print_json, run
from zerocity.errors import ZerocityError

__all__ = ["household_app"]

household_app = typer.Typer(
    help="Household carbon inclusion: methodologies, event scoring, points, footprints.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
FileArg = Annotated[Path, typer.Argument(help="CSV file.", exists=False)]


class _FileError(ZerocityError, ValueError):
    code = "file"


def _read(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise _FileError(f"{path}: cannot read CSV: {exc}") from exc


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    data = frame.copy()
    for c in data.columns:
        if pd.api.types.is_datetime64_any_dtype(data[c]):
            data[c] = data[c].dt.strftime("%Y-%m-%dT%H:%M:%S")
        elif isinstance(data[c].dtype, pd.CategoricalDtype):
            data[c] = data[c].astype(str)
    data = data.astype(object).where(pd.notna(data), None)
    return [dict(r) for r in data.to_dict(orient="records")]


def _table(frame: pd.DataFrame, columns: list[str], title: str) -> Table:
    table = Table(title=title)
    for c in columns:
        table.add_column(c)
    for row in frame[columns].itertuples(index=False):
        table.add_row(*(f"{v:.4f}" if isinstance(v, float) else str(v) for v in row))
    return table


@household_app.command("methodologies")
def methodologies(as_json: JsonOption = False) -> None:
    """List the shipped methodologies with their factors and caps."""

    def go() -> None:
        from zerocity.accounts.household import load_methodologies

        methods = load_methodologies()
        if as_json:
            print_json(
                [{**m.model_dump(mode="json"), "reduction_kg_per_unit": m.reduction_factor()} for m in methods.values()]
            )
            return
        table = Table(title="Household methodologies")
        for c in ("id", "version", "name", "unit", "baseline", "project", "kg/unit", "daily kg", "monthly kg"):
            table.add_column(c)
        for m in methods.values():
            table.add_row(
                m.id,
                m.version,
                f"{m.name.en} / {m.name.zh}",
                m.activity_unit,
                m.baseline.label(),
                m.project.label(),
                f"{m.reduction_factor():.4f}",
                f"{m.caps.daily_kg:g}",
                f"{m.caps.monthly_kg:g}",
            )
        out.print(table)

    run(go)


@household_app.command("events")
def events(
    file: FileArg,
    as_json: JsonOption = False,
    out_csv: Annotated[Path | None, typer.Option("--out", help="Write the scored events to this CSV.")] = None,
) -> None:
    """Score behaviour events: accepted and refused, with reasons."""

    def go() -> None:
        from zerocity.accounts.household import score_events

        scored = score_events(_read(file), source=str(file))
        if out_csv is not None:
            scored.to_csv(out_csv, index=False)
        if as_json:
            print_json(_records(scored))
            return
        cols = ["event_id", "behaviour", "methodology", "activity", "reduction_kg", "awarded_kg", "status", "reason"]
        out.print(_table(scored, cols, f"{file.name}: {int((scored.status == 'accepted').sum())} accepted"))

    run(go)


@household_app.command("points")
def points(
    file: FileArg,
    as_json: JsonOption = False,
    points_per_kg: Annotated[float, typer.Option(help="Points per kg CO2e.")] = 1.0,
    expiry_months: Annotated[int, typer.Option(help="Months until points expire.")] = 12,
    as_of: Annotated[str | None, typer.Option(help="Balance date (default: the last event).")] = None,
) -> None:
    """Score events and show each household's points balance."""

    def go() -> None:
        from zerocity.accounts.household import HouseholdInputError, score_events
        from zerocity.accounts.points import PointsPolicy, award_points, balances_fast

        scored = score_events(_read(file), source=str(file))
        awards = award_points(scored, PointsPolicy(points_per_kg, expiry_months))
        try:
            when = pd.Timestamp(as_of) if as_of else scored["timestamp"].max()
        except ValueError:
            raise HouseholdInputError(f"--as-of {as_of!r}: expected a date such as 2025-03-31") from None
        bal = balances_fast(awards, as_of=when).rename("balance").reset_index()
        if as_json:
            print_json({"as_of": str(when), "balances": _records(bal)})
            return
        out.print(_table(bal, ["household_id", "balance"], f"Points at {when}"))

    run(go)


@household_app.command("footprint")
def footprint(
    file: FileArg,
    as_json: JsonOption = False,
    region: Annotated[str, typer.Option(help="Region of the grid and heat factors.")] = "CN",
    year: Annotated[int, typer.Option(help="Year of the grid and heat factors.")] = 2022,
    city_average: Annotated[float | None, typer.Option(help="City-average monthly footprint [kg CO2e].")] = None,
) -> None:
    """Monthly household footprint by category, compared with a city average."""

    def go() -> None:
        from zerocity.accounts.household import household_footprint

        result = household_footprint(
            _read(file), region=region, year=year, city_average_kg=city_average, source=str(file)
        )
        if as_json:
            print_json(_records(result))
            return
        cols = ["household_id", "month", "housing_kg", "transport_kg", "food_consumption_kg", "total_kg"]
        cols += ["vs_city_pct"] if "vs_city_pct" in result else []
        out.print(_table(result, cols, f"{file.name}: household footprint [kg CO2e]"))

    run(go)


# ------------------------------------------------------------------------------ privacy (issue 5)
consent_app = typer.Typer(help="Consents of households to data sources.", no_args_is_help=True)
household_app.add_typer(consent_app, name="consent")

HouseholdArg = Annotated[str, typer.Argument(help="External household id (stored only as a keyed pseudonym).")]
SourceArg = Annotated[
    str, typer.Argument(help="Data source: transport_card, electricity_meter, pv_meter, ev_charger, app.")
]
AtOption = Annotated[str | None, typer.Option("--at", help="When (ISO 8601; naive is UTC). Default: now.")]


class _ConfirmError(ZerocityError, ValueError):
    code = "confirm"


def _store_session() -> Any:
    from zerocity import store

    engine = store.get_engine()
    store.upgrade(engine)
    return store.session_scope(engine)


@consent_app.command("grant")
def consent_grant(
    household: HouseholdArg,
    source: SourceArg,
    at: AtOption = None,
    method: Annotated[str, typer.Option(help="How the consent was given (app, paper, web...).")] = "app",
    as_json: JsonOption = False,
) -> None:
    """Record a household's consent to a data source."""

    def go() -> None:
        from zerocity.accounts.privacy import pseudonym, record_consent

        with _store_session() as session:
            consent_id = record_consent(session, household, source, granted_at=at, method=method)
        result: dict[str, Any] = {
            "consent_id": consent_id,
            "household": pseudonym(household),
            "source": source,
            "granted": True,
        }
        if as_json:
            print_json(result)
            return
        out.print(f"consent {consent_id}: {source} granted for household {result['household'][:12]}…")

    run(go)


@consent_app.command("revoke")
def consent_revoke(
    household: HouseholdArg, source: SourceArg, at: AtOption = None, as_json: JsonOption = False
) -> None:
    """Revoke a household's active consents to a data source."""

    def go() -> None:
        from zerocity.accounts.privacy import pseudonym, revoke_consent

        with _store_session() as session:
            count = revoke_consent(session, household, source, revoked_at=at)
        result: dict[str, Any] = {"household": pseudonym(household), "source": source, "revoked": count}
        if as_json:
            print_json(result)
            return
        out.print(f"{count} consent(s) to {source} revoked for household {result['household'][:12]}…")

    run(go)


NoLedgerOption = Annotated[
    bool, typer.Option("--no-ledger", help="Do not record in the platform ledger (default: record digests).")
]


def _platform_ledger(no_ledger: bool) -> Any:
    """The platform ledger (same database as the store), or None with ``--no-ledger``."""
    if no_ledger:
        return None
    from zerocity.cli_ledger import open_ledger

    return open_ledger()


@household_app.command("ingest")
def ingest(
    file: FileArg,
    as_json: JsonOption = False,
    timezone: Annotated[str, typer.Option(help="Time zone of the event timestamps.")] = "UTC",
    no_ledger: NoLedgerOption = False,
) -> None:
    """Pseudonymise, consent-check, score and store household events (awards and refusals go to the ledger)."""

    def go() -> None:
        from zerocity.accounts.privacy import ingest_events

        frame = _read(file)
        ledger = _platform_ledger(no_ledger)
        with _store_session() as session:
            result = ingest_events(session, frame, timezone=timezone, source=str(file), ledger=ledger)
        stored = int(result["stored"].sum())
        if as_json:
            print_json({"stored": stored, "refused": len(result) - stored, "events": _records(result)})
            return
        cols = ["row", "event_id", "behaviour", "source", "stored", "status", "reason", "points"]
        out.print(_table(result, cols, f"{file.name}: {stored} of {len(result)} stored"))

    run(go)


@household_app.command("export")
def export(
    household: HouseholdArg,
    as_json: JsonOption = False,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the export (JSON) to this file.")] = None,
) -> None:
    """Export all stored data of a household (consents, events, points)."""

    def go() -> None:
        from zerocity.accounts.privacy import export_household
        from zerocity.jsonio import dumps

        with _store_session() as session:
            data = export_household(session, household)
        if out_file is not None:
            try:
                out_file.write_text(dumps(data) + "\n", encoding="utf-8")
            except OSError as exc:
                raise _FileError(f"{out_file}: cannot write: {exc}") from exc
        if as_json:
            print_json(data if out_file is None else {"household": data["household"], "out": str(out_file)})
            return
        out.print(
            f"household {data['household'][:12]}…: {len(data['consents'])} consent(s), {len(data['events'])} event(s), "
            f"{data['points']['earned']:g} points" + (f" -> {out_file}" if out_file else "")
        )

    run(go)


@household_app.command("delete")
def delete(
    household: HouseholdArg,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm the deletion.")] = False,
    as_json: JsonOption = False,
    no_ledger: NoLedgerOption = False,
) -> None:
    """Delete all stored data of a household (the ledger keeps only digests and records the deletion)."""

    def go() -> None:
        from zerocity.accounts.privacy import delete_household

        if not yes:
            raise _ConfirmError("deleting a household's data cannot be undone: add --yes")
        ledger = _platform_ledger(no_ledger)
        with _store_session() as session:
            counts = delete_household(session, household, ledger=ledger)
        if as_json:
            print_json(counts)
            return
        out.print(", ".join(f"{n} {table}" for table, n in counts.items()) + " deleted")

    run(go)


@household_app.command("redeem")
def redeem(
    household: HouseholdArg,
    item: Annotated[str, typer.Argument(help="Catalogue item id.")],
    catalogue: Annotated[
        Path | None, typer.Option("--catalogue", help="Catalogue YAML (default: the shipped example catalogue).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Redeem a catalogue item against the household's points (recorded in the platform ledger).

    Exits with status 2 when the balance is short (the refusal is recorded too).
    """

    def go() -> None:
        from zerocity.accounts.points import PointsError, load_catalogue
        from zerocity.accounts.privacy import redeem as redeem_item

        cat = load_catalogue(catalogue) if catalogue is not None else None
        ledger = _platform_ledger(False)
        with _store_session() as session:
            result = redeem_item(session, household, item, ledger=ledger, catalogue=cat)
        if as_json:
            print_json(result)
        else:
            out.print(
                f"{item}: {result['status']} ({result['reason']}), {result['points']:g} points; "
                f"balance {result['balance']:g}; ledger entry {result['ledger_index']}"
            )
        if result["status"] != "redeemed":
            raise PointsError(f"cannot redeem {item}: {result['reason']} (balance {result['balance']:g})")

    run(go)
