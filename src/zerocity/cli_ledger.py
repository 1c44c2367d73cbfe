"""``zerocity ledger`` and ``zerocity mrv``: the MRV data chain on the command line."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from zerocity.clikit import eprint, err, out, print_json, run
from zerocity.errors import ZerocityError

__all__ = ["ledger_app", "mrv_app", "open_ledger"]

ledger_app = typer.Typer(
    help="The MRV ledger: signed, append-only Merkle-tree log (RFC 6962 style); verify, prove, export.",
    no_args_is_help=True,
)
mrv_app = typer.Typer(
    help="Monitoring, reporting, verification: submit, verify, reject, status, history.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ActorOption = Annotated[str, typer.Option("--actor", help="Your registered actor name.")]
KeyOption = Annotated[Path, typer.Option("--key", help="Your Ed25519 private key (PEM) registered for the actor.")]


class _FileError(ZerocityError, ValueError):
    code = "file"


def open_ledger(need_key: bool = True) -> Any:
    """The ledger of the configured database, with the platform key (created on first use)."""
    from zerocity import store
    from zerocity.ledger.log import Ledger
    from zerocity.ledger.signing import load_or_create_key_file, platform_key_path

    engine = store.get_engine()
    store.upgrade(engine)
    key = load_or_create_key_file(platform_key_path()) if need_key else None
    return Ledger(engine, platform_key=key)


def _platform_public_key() -> Any:
    """The platform public key, from its key file; verification never creates a key."""
    from zerocity.ledger.signing import load_or_create_key_file, platform_key_path

    path = platform_key_path()
    if not path.exists():
        raise _FileError(f"no platform key at {path}; pass the public key you trust with --pubkey")
    return load_or_create_key_file(path).public_key()


def _read_key(path: Path) -> Any:
    from zerocity.ledger.signing import load_private_key

    try:
        return load_private_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise _FileError(f"{path}: not an Ed25519 private key in PEM form ({exc})") from exc


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _FileError(f"{path}: not a JSON document ({exc})") from exc
    if not isinstance(data, dict):
        raise _FileError(f"{path}: expected a JSON object")
    return data


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _FileError(f"{path}: cannot read ({exc})") from exc


# ------------------------------------------------------------------------------ ledger
@ledger_app.command("init")
def ledger_init(as_json: JsonOption = False) -> None:
    """Create the platform signing key (once) and the ledger tables; print the public key."""
    from zerocity.ledger.signing import key_id, platform_key_path, public_key_text

    ledger = run(open_ledger)
    pub = ledger.public_key()
    doc = {
        "public_key": public_key_text(pub),
        "key_id": key_id(pub),
        "key_file": str(platform_key_path()),
        "entries": ledger.size(),
    }
    if as_json:
        print_json(doc)
        return
    out.print(f"platform public key: {doc['public_key']}\nkey id: {doc['key_id']}", highlight=False)
    out.print(
        f"private key file: {doc['key_file']} (keep it secret; back it up)\nentries: {doc['entries']}", highlight=False
    )


@ledger_app.command("pubkey")
def ledger_pubkey() -> None:
    """Print the platform public key (give it to auditors: proofs check with it alone)."""
    out.print(run(open_ledger).public_key_text(), highlight=False)


@ledger_app.command("actor-add")
def ledger_actor_add(
    name: Annotated[str, typer.Argument(help="Actor name (a person, an enterprise's reporting account, a verifier).")],
    role: Annotated[str, typer.Option(help="reporter, verifier or city_admin.")],
    entity: Annotated[str, typer.Option(help="The entity a reporter reports for (USCC).")] = "",
    pubkey: Annotated[str | None, typer.Option(help="The actor's public key (ed25519:BASE64 or PEM text).")] = None,
    new_key: Annotated[
        Path | None, typer.Option("--new-key", help="Generate a key pair; write the private key here (mode 0600).")
    ] = None,
    tenant: Annotated[str, typer.Option(help="City (tenant).")] = "default",
    as_json: JsonOption = False,
) -> None:
    """Register an actor's role and public key (a ledger entry)."""
    from zerocity.ledger.mrv import register_actor
    from zerocity.ledger.signing import generate_private_key, private_key_to_pem, public_key_text

    if (pubkey is None) == (new_key is None):
        eprint("error: give exactly one of --pubkey or --new-key")
        raise typer.Exit(2)
    private = None
    if new_key is not None:
        if new_key.exists():
            eprint(f"error: {new_key} exists; refusing to overwrite a key")
            raise typer.Exit(2)
        private = generate_private_key()
        pubkey = public_key_text(private.public_key())
    assert pubkey is not None
    ledger = run(open_ledger)
    index = run(lambda: register_actor(ledger, name, role, pubkey, entity=entity, tenant=tenant))
    if new_key is not None and private is not None:  # written once the registration stands
        new_key.parent.mkdir(parents=True, exist_ok=True)
        new_key.touch(mode=0o600)
        new_key.write_bytes(private_key_to_pem(private))
    doc = {"actor": name, "role": role, "entity": entity, "public_key": pubkey, "entry": index}
    if new_key is not None:
        doc["private_key_file"] = str(new_key)
    if as_json:
        print_json(doc)
    else:
        out.print(f"registered {name} ({role}) as entry {index}; public key {pubkey}", highlight=False)


@ledger_app.command("actors")
def ledger_actors(as_json: JsonOption = False) -> None:
    """List registered actors."""
    actors = run(lambda: open_ledger(need_key=False).actors())
    if as_json:
        print_json(list(actors.values()))
        return
    table = Table("actor", "role", "entity", "key id", "entry")
    for a in actors.values():
        table.add_row(a["actor"], a["role"], a.get("entity") or "", a["key_id"][:16], str(a["index"]))
    out.print(table)


@ledger_app.command("log")
def ledger_log(
    type_prefix: Annotated[str | None, typer.Option("--type", help="Entry type or prefix (mrv., inventory.).")] = None,
    subject: Annotated[str | None, typer.Option(help="Only entries about this subject (a report id).")] = None,
    limit: Annotated[int, typer.Option(help="Newest N entries.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """List ledger entries."""
    entries = run(lambda: open_ledger(need_key=False).entries(type_prefix=type_prefix, subject=subject))[-limit:]
    if as_json:
        print_json([{"index": e.index, **e.data} for e in entries])
        return
    table = Table("#", "time", "type", "actor", "subject", "signed")
    for e in entries:
        table.add_row(
            str(e.index), e.data["time"], e.type, e.actor, escape(e.subject), "yes" if "signature" in e.data else ""
        )
    out.print(table)


@ledger_app.command("evidence-add")
def ledger_evidence_add(
    file: Annotated[Path, typer.Argument(help="A file to store by its SHA-256.")],
    as_json: JsonOption = False,
) -> None:
    """Store an evidence file (content-addressed; the same file twice is stored once)."""
    content = run(lambda: _read_bytes(file))
    sha = run(lambda: open_ledger(need_key=False).add_evidence(content, name=file.name))
    if as_json:
        print_json({"sha256": sha, "size": len(content), "name": file.name})
    else:
        out.print(sha, highlight=False)


@ledger_app.command("verify")
def ledger_verify(
    export: Annotated[Path | None, typer.Option(help="Verify an export directory instead of the database.")] = None,
    pubkey: Annotated[
        str | None, typer.Option(help="The platform public key you trust (default: this platform's; the export's).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute every hash and the tree; check every signature and tree head; report the first bad entry."""
    from zerocity.ledger.signing import load_public_key
    from zerocity.ledger.verify import load_export, snapshot_from_db, verify_snapshot

    def work() -> Any:
        try:
            key = load_public_key(pubkey) if pubkey else None
        except ValueError as exc:
            raise _FileError(f"--pubkey: {exc}") from exc
        if export is not None:
            try:
                snapshot = load_export(export, key)
            except ValueError as exc:
                raise _FileError(str(exc)) from exc
        else:
            ledger = open_ledger(need_key=False)
            snapshot = snapshot_from_db(ledger.engine, key or _platform_public_key())
        return verify_snapshot(snapshot)

    report = run(work)
    if as_json:
        print_json(report.to_dict())
    elif report.ok:
        out.print(
            f"ledger OK: {report.size} entries, {report.heads} signed tree heads, every hash and signature checks",
            highlight=False,
        )
    else:
        first = report.first_bad_entry
        eprint(
            f"ledger FAILS verification: {len(report.problems)} problem(s)"
            + (f"; first bad entry {first}" if first is not None else "")
        )
        for p in report.problems[:50]:
            eprint(f"  {p}")
    if not report.ok:
        raise typer.Exit(1)


@ledger_app.command("prove")
def ledger_prove(
    index: Annotated[int, typer.Argument(help="Entry index.")],
    size: Annotated[int | None, typer.Option(help="Tree head size (default: the newest).")] = None,
    output: Annotated[Path | None, typer.Option("--out", help="Write the proof here (default: stdout).")] = None,
) -> None:
    """Print a standalone inclusion proof of an entry (check it with `ledger check-proof`)."""
    proof = run(lambda: open_ledger(need_key=False).inclusion_proof(index, size))
    text = json.dumps(proof, indent=1, ensure_ascii=False)
    if output is None:
        out.print(text, highlight=False, markup=False, soft_wrap=True)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        err.print(f"wrote the inclusion proof of entry {index} to {output}", highlight=False)


@ledger_app.command("check-proof")
def ledger_check_proof(
    proof: Annotated[Path, typer.Argument(help="A proof file from `ledger prove`.")],
    pubkey: Annotated[str, typer.Option(help="The platform public key you trust (ed25519:BASE64 or PEM).")],
    as_json: JsonOption = False,
) -> None:
    """Verify an inclusion proof with only the platform public key (no database needed)."""
    from zerocity.ledger.signing import load_public_key
    from zerocity.ledger.verify import check_proof

    def work() -> tuple[bool, str]:
        try:
            key = load_public_key(pubkey)
        except ValueError as exc:
            raise _FileError(f"--pubkey: {exc}") from exc
        return check_proof(_read_json(proof), key)

    ok, reason = run(work)
    if as_json:
        print_json({"ok": ok, "reason": reason})
    else:
        (out.print if ok else eprint)(("proof OK: " if ok else "proof FAILS: ") + reason)
    if not ok:
        raise typer.Exit(1)


@ledger_app.command("export")
def ledger_export(
    directory: Annotated[Path, typer.Argument(help="Directory to write (entries, tree heads, public key, evidence).")],
    as_json: JsonOption = False,
) -> None:
    """Write the whole ledger for an outside auditor (`ledger verify --export DIR` checks it)."""
    from zerocity.ledger.verify import export_ledger

    ledger = run(open_ledger)
    doc = run(lambda: export_ledger(ledger.engine, ledger.public_key(), directory))
    if as_json:
        print_json(doc)
    else:
        out.print(
            f"exported {doc['entries']} entries, {doc['tree_heads']} tree heads, {doc['evidence']} evidence files "
            f"to {directory}",
            highlight=False,
        )


# ------------------------------------------------------------------------------ mrv
@mrv_app.command("submit")
def mrv_submit(
    actor: ActorOption,
    key: KeyOption,
    period: Annotated[str, typer.Option(help="Reporting period, e.g. 2024.")],
    entity: Annotated[str, typer.Option(help="Entity (USCC); empty for the city's own report.")] = "",
    result: Annotated[Path | None, typer.Option(help="An inventory result (inventory compute --json).")] = None,
    records: Annotated[Path | None, typer.Option(help="Activity data to compute the inventory from.")] = None,
    region: Annotated[str, typer.Option(help="Region of rows without one (with --records).")] = "CN",
    evidence: Annotated[list[Path] | None, typer.Option("--evidence", help="Supporting file (repeatable).")] = None,
    note: Annotated[str, typer.Option(help="Note to the verifier.")] = "",
    tenant: Annotated[str, typer.Option(help="City (tenant).")] = "default",
    as_json: JsonOption = False,
) -> None:
    """Submit (or correct) a report, signed with your key: its inventory and evidence go on the ledger."""
    from zerocity.ledger.mrv import report_id, report_status, submit_report

    if (result is None) == (records is None):
        eprint("error: give exactly one of --result or --records")
        raise typer.Exit(2)
    private = run(lambda: _read_key(key))
    ledger = run(open_ledger)

    def work() -> dict[str, Any]:
        data = None
        if records is not None:
            from zerocity.inventory import compute_inventory, read_records

            frame = read_records(records)
            doc = compute_inventory(frame, region=region, source=str(records)).to_dict()
            data = (records.name, _read_bytes(records))
        else:
            assert result is not None
            doc = _read_json(result)
        files = [(p.name, _read_bytes(p)) for p in evidence or []]
        # The data file, the result and the evidence go on the ledger in one batch (or not at all).
        index = submit_report(
            ledger,
            actor,
            private,
            entity=entity,
            period=period,
            result=doc,
            evidence=files,
            data=data,
            note=note,
            tenant=tenant,
        )
        status = report_status(ledger, report_id(entity, period, tenant))
        return {
            "report": status["report"],
            "entry": index,
            "data_entry": index - 1 if data is not None else None,
            "version": status["version"],
            "state": status["state"],
        }

    doc = run(work)
    if as_json:
        print_json(doc)
    else:
        out.print(f"{doc['report']}: version {doc['version']} {doc['state']} (entry {doc['entry']})", highlight=False)


def _decide(
    report: str, actor: str, key: Path, *, verified: bool, reasons: list[str], note: str, as_json: bool
) -> None:
    from zerocity.ledger.mrv import decide_report, report_status

    private = run(lambda: _read_key(key))
    ledger = run(open_ledger)
    index = run(lambda: decide_report(ledger, actor, private, report, verified=verified, reasons=reasons, note=note))
    status = report_status(ledger, report)
    doc = {"report": report, "entry": index, "version": status["version"], "state": status["state"]}
    if as_json:
        print_json(doc)
    else:
        out.print(f"{report}: version {doc['version']} {doc['state']} (entry {index})", highlight=False)


@mrv_app.command("verify")
def mrv_verify(
    report: Annotated[str, typer.Argument(help="Report id (see `mrv status`).")],
    actor: ActorOption,
    key: KeyOption,
    note: Annotated[str, typer.Option(help="Verification note.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Verify the pending version of a report (verifiers only; never your own entity's)."""
    _decide(report, actor, key, verified=True, reasons=[], note=note, as_json=as_json)


@mrv_app.command("reject")
def mrv_reject(
    report: Annotated[str, typer.Argument(help="Report id.")],
    actor: ActorOption,
    key: KeyOption,
    reason: Annotated[list[str], typer.Option("--reason", help="Why (repeatable; at least one).")],
    note: Annotated[str, typer.Option(help="Note.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Reject the pending version of a report, with reasons."""
    _decide(report, actor, key, verified=False, reasons=reason, note=note, as_json=as_json)


@mrv_app.command("status")
def mrv_status(
    report: Annotated[str, typer.Argument(help="Report id, e.g. report:default:9132...:2024.")],
    as_json: JsonOption = False,
) -> None:
    """State of a report and of each of its versions."""
    from zerocity.ledger.mrv import report_status

    status = run(lambda: report_status(open_ledger(need_key=False), report))
    if as_json:
        print_json(status)
        return
    if status["state"] is None:
        eprint(f"error: no ledger entry is about {report}")
        raise typer.Exit(1)
    out.print(
        f"{report}: {status['state']} (version {status['version']}, entity {status['entity'] or 'city'})",
        highlight=False,
    )
    table = Table("version", "entry", "reporter", "state", "decided by", "BASIC tCO2e")
    for v in status["versions"]:
        d = v["decision"] or {}
        table.add_row(
            str(v["version"]), str(v["index"]), v["reporter"], v["state"], d.get("actor", ""),
            f"{(v['totals'] or {}).get('basic_tco2e') or 0:,.1f}",
        )  # fmt: skip
    out.print(table)


@mrv_app.command("history")
def mrv_history(
    report: Annotated[str, typer.Argument(help="Report id.")],
    diff: Annotated[bool, typer.Option("--diff", help="Also show what changed between consecutive versions.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Every entry of a report; with --diff, the inventory diff between its versions."""
    from zerocity.inventory.diff import diff_inventories
    from zerocity.ledger.mrv import report_history, report_status, version_result

    ledger = run(lambda: open_ledger(need_key=False))
    events = run(lambda: report_history(ledger, report))
    diffs: list[dict[str, Any]] = []
    if diff:
        versions = [v["version"] for v in report_status(ledger, report)["versions"]]
        for old, new in itertools.pairwise(versions):

            def compare(o: int = old, n: int = new) -> dict[str, Any]:
                return diff_inventories(version_result(ledger, report, o), version_result(ledger, report, n))

            diffs.append({"from": old, "to": new, **run(compare)})
    if as_json:
        print_json({"report": report, "events": events, "diffs": diffs})
        return
    table = Table("#", "time", "type", "actor", "detail")
    for e in events:
        p = e["payload"]
        detail = {k: p[k] for k in ("version", "reasons", "note", "file") if p.get(k)}
        table.add_row(
            str(e["index"]), e["time"], e["type"], e["actor"], escape(json.dumps(detail, ensure_ascii=False))[:80]
        )
    out.print(table)
    for d in diffs:
        out.print(
            f"version {d['from']} -> {d['to']}: {d['old_total_tco2e']:,.1f} -> {d['new_total_tco2e']:,.1f} tCO2e "
            f"({d['change_tco2e']:+,.1f}); by cause "
            + json.dumps({k: round(v, 3) for k, v in d["by_cause"].items() if v}),
            highlight=False,
        )
