"""``zerocity monitor``: meter registry, ingest (CSV batches, MQTT worker), rollups, warnings."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import Engine

from zerocity.clikit import default_region, out, print_json, run
from zerocity.errors import ZerocityError

__all__ = ["monitor_app"]

monitor_app = typer.Typer(
    help="Real-time meter monitoring: meters, ingest, MQTT worker, rollups, live view, warnings, webhooks.",
    no_args_is_help=True,
)
meters_app = typer.Typer(help="The meter registry.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhooks that receive warnings.", no_args_is_help=True)
quota_app = typer.Typer(help="Carbon quotas of entities.", no_args_is_help=True)
monitor_app.add_typer(meters_app, name="meters")
monitor_app.add_typer(webhooks_app, name="webhooks")
monitor_app.add_typer(quota_app, name="quota")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
UrlOption = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: ZEROCITY_DATABASE_URL or local SQLite).")
]
OffsetOption = Annotated[float, typer.Option("--utc-offset", help="Local time offset for days and months [h].")]


class _TimeError(ZerocityError, ValueError):
    code = "time"


def _engine(url: str | None) -> Engine:
    from zerocity.store.db import get_engine, upgrade

    engine = get_engine(url)
    upgrade(engine)
    return engine


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM; the previous handlers come back afterwards."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _when(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _TimeError(f"not an ISO 8601 date or time: {text!r}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@meters_app.command("import")
def meters_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV: meter_id, entity, district, sector, gpc_ref, carrier, unit, interval_s, region."),
    ],
    region: Annotated[str | None, typer.Option(help="Region of rows without one.")] = None,
    database_url: UrlOption = None,
) -> None:
    """Add or update meters from a CSV file."""
    from zerocity.monitor import import_meters, read_meters, validate_meters
    from zerocity.store.db import session_scope

    def go() -> None:
        meters = validate_meters(
            read_meters(path), region=region or default_region(), source=str(path), factor_year=datetime.now(UTC).year
        )
        with session_scope(_engine(database_url)) as session:
            count = import_meters(session, meters)
        out.print(f"{count} meter(s) imported")

    run(go)


@monitor_app.command("ingest")
def ingest(
    path: Annotated[Path, typer.Argument(help="CSV: meter_id, ts (ISO 8601 or epoch seconds), value, unit.")],
    database_url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store a batch of readings (all or nothing; repeated readings are ignored)."""
    from zerocity.monitor import Ingestor, read_readings_csv

    def go() -> None:
        result = Ingestor(_engine(database_url)).ingest(read_readings_csv(path), source=str(path))
        doc = {"received": result.received, "stored": result.stored, "duplicates": result.duplicates}
        if as_json:
            print_json(doc)
        else:
            out.print(f"{result.received} reading(s): {result.stored} stored, {result.duplicates} already present")

    run(go)


@monitor_app.command("mqtt-worker")
def mqtt_worker(
    topic_root: Annotated[str, typer.Option("--topic-root", help="Root of <root>/<meter_id> topics.")] = "zerocity/#",
    host: Annotated[str, typer.Option(help="Broker host.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Broker port.")] = 1883,
    client_id: Annotated[str, typer.Option("--client-id", help="Fixed id of the persistent session.")] = (
        "zerocity-monitor"
    ),
    batch_size: Annotated[int, typer.Option("--batch-size", help="Messages per commit at most.")] = 500,
    receive_maximum: Annotated[
        int, typer.Option("--receive-maximum", help="Unacknowledged messages the broker may send ahead.")
    ] = 1000,
    shared_group: Annotated[
        str | None,
        typer.Option(
            "--shared-group",
            help="Share the subscription with other workers of this group ($share/<group>/...); "
            "give each worker its own --client-id.",
        ),
    ] = None,
    database_url: UrlOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each connection and batch.")] = False,
) -> None:
    """Subscribe to meter topics and store readings (acknowledged after the commit); stop with Ctrl-C."""
    from zerocity.monitor import MqttWorker

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )

    def go() -> None:
        worker = MqttWorker(
            _engine(database_url),
            host=host,
            port=port,
            topic_root=topic_root,
            client_id=client_id,
            batch_size=batch_size,
            receive_maximum=receive_maximum,
            shared_group=shared_group,
        )
        with _stop_on_signals() as stop:
            worker.run(stop)
        out.print(f"stopped; {worker.stored} reading(s) stored")

    run(go)


@monitor_app.command("rollup")
def rollup_cmd(
    level: Annotated[str, typer.Option(help="15min, hour, day or month.")] = "hour",
    by: Annotated[str, typer.Option(help="entity, district, sector or meter_id.")] = "entity",
    start: Annotated[str, typer.Option("--from", help="Start (ISO 8601, UTC when no offset).")] = "",
    end: Annotated[str, typer.Option("--to", help="End, exclusive (default now).")] = "",
    utc_offset: OffsetOption = 0.0,
    database_url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Quantities and t CO2e per period, group and carrier."""
    from zerocity.monitor import rollup

    def go() -> None:
        hi = _when(end) if end else datetime.now(UTC)
        lo = _when(start) if start else hi - timedelta(days=1)
        frame = rollup(_engine(database_url), level=level, by=by, start=lo, end=hi, utc_offset_h=utc_offset)
        if as_json:
            rows: list[dict[str, Any]] = [
                {**r, "period_start": r["period_start"].isoformat()} for r in frame.to_dict("records")
            ]
            print_json(rows)
            return
        table = Table(title=f"Rollup by {by} ({level})")
        for c in ("period_start", "group", "carrier", "quantity", "quantity_unit", "tco2e", "readings"):
            table.add_column(c)
        for r in frame.itertuples(index=False):
            table.add_row(
                r.period_start.isoformat(),
                str(r.group),
                r.carrier,
                f"{r.quantity:,.4f}",
                r.quantity_unit,
                f"{r.tco2e:,.4f}",
                str(r.readings),
            )
        out.print(table)

    run(go)


@monitor_app.command("live")
def live(utc_offset: OffsetOption = 0.0, database_url: UrlOption = None, as_json: JsonOption = False) -> None:
    """The current day so far: total, per entity, per carrier."""
    from zerocity.monitor import live_view

    def go() -> None:
        view = live_view(_engine(database_url), utc_offset_h=utc_offset)
        if as_json:
            print_json(view)
            return
        out.print(
            f"{view['day']} (as of {view['as_of']}): {view['tco2e']:,.4f} t CO2e from {view['readings']} readings"
        )
        table = Table(title="Entities")
        for c in ("entity", "tco2e", "readings"):
            table.add_column(c)
        for e in view["entities"]:
            table.add_row(e["entity"], f"{e['tco2e']:,.4f}", str(e["readings"]))
        out.print(table)

    run(go)


@monitor_app.command("warnings")
def warnings_cmd(
    check: Annotated[bool, typer.Option("--check", help="Run the checks first (stores new warnings).")] = False,
    deliver: Annotated[bool, typer.Option("--deliver", help="Then send due webhook deliveries.")] = False,
    utc_offset: OffsetOption = 0.0,
    limit: Annotated[int, typer.Option(help="Warnings shown.")] = 50,
    database_url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """List warnings (newest first), each with its explanation."""
    from zerocity.monitor import deliver_pending, evaluate_warnings, list_warnings

    def go() -> None:
        engine = _engine(database_url)
        if check:
            evaluate_warnings(engine, utc_offset_h=utc_offset)
        if deliver:
            deliver_pending(engine)
        items = list_warnings(engine, limit=limit)
        if as_json:
            print_json(items)
            return
        for w in items:
            out.print(f"[{w['severity']}] #{w['id']} {w['kind']} ({w['created_at']}): {w['explanation']}")
        if not items:
            out.print("no warnings")

    run(go)


@monitor_app.command("checks")
def checks(
    every: Annotated[float, typer.Option(help="Seconds between rounds.")] = 60.0,
    rounds: Annotated[int, typer.Option(help="Stop after this many rounds (0: until Ctrl-C).")] = 0,
    utc_offset: OffsetOption = 0.0,
    database_url: UrlOption = None,
) -> None:
    """Run the warning checks and webhook deliveries periodically (a service loop)."""
    from zerocity.monitor import deliver_pending, evaluate_warnings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    def go() -> None:
        engine = _engine(database_url)
        done = 0
        with _stop_on_signals() as stop:
            while not stop.is_set():
                new = evaluate_warnings(engine, utc_offset_h=utc_offset)
                sent = deliver_pending(engine)
                out.print(f"{datetime.now(UTC).isoformat()}: {len(new)} new warning(s); deliveries {sent}")
                done += 1
                if rounds and done >= rounds:
                    break
                stop.wait(every)

    run(go)


@quota_app.command("set")
def quota_set(
    entity: Annotated[str, typer.Argument(help="Entity.")],
    year: Annotated[int, typer.Argument(help="Year.")],
    quota: Annotated[float, typer.Argument(help="Quota [t CO2e for carbon, tce for energy].")],
    kind: Annotated[str, typer.Option(help="carbon or energy.")] = "carbon",
    database_url: UrlOption = None,
) -> None:
    """Set an entity's carbon or energy quota for a year."""
    from zerocity.monitor import set_quota
    from zerocity.store.db import session_scope

    def go() -> None:
        with session_scope(_engine(database_url)) as session:
            set_quota(session, entity=entity, year=year, quota=quota, kind=kind)
        out.print(f"{kind} quota of {entity} for {year}: {quota:,} {'tce' if kind == 'energy' else 't CO2e'}")

    run(go)


@webhooks_app.command("add")
def webhooks_add(
    url: Annotated[str, typer.Argument(help="http(s) URL the warnings are POSTed to.")],
    secret: Annotated[str | None, typer.Option(help="Signing secret (random when omitted).")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Warning kind to deliver (repeat; all when omitted).")] = None,
    database_url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a webhook; prints its signing secret once."""
    from zerocity.monitor import add_webhook
    from zerocity.store.db import session_scope

    def go() -> None:
        with session_scope(_engine(database_url)) as session:
            hook = add_webhook(session, url=url, secret=secret, kinds=kind)
            doc = {"id": hook.id, "url": hook.url, "secret": hook.secret, "kinds": hook.kinds}
        if as_json:
            print_json(doc)
        else:
            out.print(f"webhook #{doc['id']} -> {doc['url']}; secret (shown once): {doc['secret']}")

    run(go)


@webhooks_app.command("list")
def webhooks_list(database_url: UrlOption = None, as_json: JsonOption = False) -> None:
    """List webhooks (secrets are not shown)."""
    from zerocity.monitor import list_webhooks
    from zerocity.store.db import session_scope

    def go() -> None:
        with session_scope(_engine(database_url)) as session:
            docs = [{"id": h.id, "url": h.url, "kinds": h.kinds, "active": h.active} for h in list_webhooks(session)]
        if as_json:
            print_json(docs)
        else:
            for d in docs:
                out.print(f"#{d['id']} {d['url']} kinds={d['kinds'] or 'all'} active={d['active']}")

    run(go)


@webhooks_app.command("deliver")
def webhooks_deliver(database_url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Send the webhook deliveries that are due (retries follow their backoff)."""
    from zerocity.monitor import deliver_pending

    def go() -> None:
        counts = deliver_pending(_engine(database_url))
        if as_json:
            print_json(counts)
        else:
            out.print(", ".join(f"{v} {k}" for k, v in counts.items()))

    run(go)


if __name__ == "__main__":  # ``python -m zerocity.cli_monitor mqtt-worker ...`` (tests, process managers)
    monitor_app()
