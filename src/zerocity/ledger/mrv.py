"""Monitoring, reporting and verification on the ledger: actors, reports, decisions.

A *report* is an entity's (or the city's) inventory for a period, identified by
``report:<tenant>:<entity or city>:<period>``. Its life is a sequence of signed ledger entries::

    actor.registered          (city admin or platform)  who may report or verify, with a key
    mrv.data.submitted        (reporter)  activity data file as evidence     -> state "monitored"
    mrv.report.submitted      (reporter)  the inventory result as evidence   -> "reported", version v
    mrv.report.verified       (verifier)  refs the submission               -> "verified"
    mrv.report.rejected       (verifier)  refs the submission, reasons      -> "rejected"

A correction is a new submission (version v + 1) that refers to the one it supersedes; a
verified version is never changed, so it stays provable, and the difference between versions is
:func:`zerocity.inventory.diff.diff_inventories` of the two stored results. Rules enforced here
(before anything is appended): a reporter submits only for its own entity; a verifier decides
only a report in state ``reported`` and never one it (or its entity) submitted; every entry of
the workflow is signed with the actor's registered key.

The state is not stored anywhere but in the ledger: :func:`report_status` replays the entries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from zerocity.jsonio import jsonable
from zerocity.ledger.canonical import canonical_json
from zerocity.ledger.log import Entry, EntryDraft, Ledger, LedgerError, sign_entry
from zerocity.ledger.signing import key_id, public_key_text

__all__ = [
    "ReportState",
    "Role",
    "decide_report",
    "register_actor",
    "report_history",
    "report_id",
    "report_status",
    "submit_data",
    "submit_report",
]


class Role(StrEnum):
    """What an actor may do in the MRV workflow."""

    REPORTER = "reporter"
    VERIFIER = "verifier"
    CITY_ADMIN = "city_admin"


class ReportState(StrEnum):
    """State of a report version."""

    MONITORED = "monitored"
    REPORTED = "reported"
    VERIFIED = "verified"
    REJECTED = "rejected"


CITY = "city"


def report_id(entity: str, period: str, tenant: str = "default") -> str:
    """The subject of a report's entries."""
    return f"report:{tenant}:{entity or CITY}:{period}"


@dataclass(frozen=True)
class _Actor:
    name: str
    role: Role
    entity: str
    key_id: str


def _registered(ledger: Ledger, actor: str, key: Ed25519PrivateKey, session: Session | None = None) -> _Actor:
    """The registration of ``actor`` whose key is ``key``."""
    kid = key_id(key.public_key())
    reg = ledger.actor_keys(session).get(kid)
    if reg is None or reg["actor"] != actor:
        raise LedgerError(f"actor {actor!r} has no registered key {kid} (zerocity ledger actor add)")
    return _Actor(actor, Role(str(reg["role"])), str(reg.get("entity") or ""), kid)


def register_actor(
    ledger: Ledger,
    actor: str,
    role: Role | str,
    public_key: str,
    *,
    entity: str = "",
    registered_by: str = "platform",
    tenant: str = "default",
) -> int:
    """Register an actor's public key and role (an ``actor.registered`` entry, platform-appended).

    Returns
    -------
    int
        Index of the entry.
    """
    from zerocity.ledger.signing import load_public_key

    try:
        role = Role(str(role))
    except ValueError:
        raise LedgerError(f"unknown role {role!r}; expected {', '.join(r.value for r in Role)}") from None
    if role is Role.REPORTER and not entity:
        raise LedgerError("a reporter is registered for an entity (--entity USCC)")
    try:
        pub = load_public_key(public_key)
    except ValueError as exc:
        raise LedgerError(f"public key of {actor!r}: {exc}") from exc
    payload = {
        "actor": actor,
        "role": role.value,
        "entity": entity,
        "public_key": public_key_text(pub),
        "key_id": key_id(pub),
    }
    (index,), _ = ledger.append(
        [EntryDraft("actor.registered", registered_by, payload, subject=f"actor:{actor}", tenant=tenant)]
    )
    return index


def _data_entry(
    ledger: Ledger, s: Session, actor: str, entity: str, period: str, name: str, content: bytes, tenant: str
) -> dict[str, Any]:
    sha = ledger.add_evidence(content, name=name, media_type=_media_type(name), session=s)
    rid = report_id(entity, period, tenant)
    return EntryDraft(
        "mrv.data.submitted",
        actor,
        {"report": rid, "entity": entity, "period": period, "file": name},
        subject=rid,
        evidence=(sha,),
        tenant=tenant,
    ).body()


def submit_data(
    ledger: Ledger,
    actor: str,
    key: Ed25519PrivateKey,
    *,
    entity: str,
    period: str,
    content: bytes,
    name: str,
    tenant: str = "default",
) -> int:
    """Record an activity-data file (monitoring) for a report: evidence plus a signed entry."""
    with ledger.transaction() as s:
        who = _registered(ledger, actor, key, s)
        _check_reporter(who, entity)
        body = _data_entry(ledger, s, actor, entity, period, name, content, tenant)
        (index,), _ = ledger.append([sign_entry(body, key)], session=s)
    return index


def submit_report(
    ledger: Ledger,
    actor: str,
    key: Ed25519PrivateKey,
    *,
    entity: str,
    period: str,
    result: dict[str, Any],
    evidence: Sequence[tuple[str, bytes]] = (),
    data: tuple[str, bytes] | None = None,
    note: str = "",
    tenant: str = "default",
) -> int:
    """Submit (or correct) a report: its inventory result is stored as evidence and signed.

    A new submission while an earlier version exists is version ``v + 1`` and refers to it;
    the earlier version, verified or not, stays in the ledger unchanged. ``data`` (file name,
    content) records the activity data the result was computed from in the same batch. The
    state check and the append happen in one locked transaction: two racing submissions cannot
    both become the same version.

    Returns
    -------
    int
        Index of the ``mrv.report.submitted`` entry.
    """
    rid = report_id(entity, period, tenant)
    with ledger.transaction() as s:
        who = _registered(ledger, actor, key, s)
        _check_reporter(who, entity)
        status = report_status(ledger, rid, session=s)
        if status["state"] == ReportState.REPORTED:
            raise LedgerError(f"{rid} version {status['version']} awaits a decision; it cannot be replaced before")
        bodies = []
        if data is not None:
            bodies.append(sign_entry(_data_entry(ledger, s, actor, entity, period, data[0], data[1], tenant), key))
        result_bytes = canonical_json(jsonable(result))
        shas = [ledger.add_evidence(result_bytes, name=f"{rid}.result.json", media_type="application/json", session=s)]
        shas += [
            ledger.add_evidence(content, name=name, media_type=_media_type(name), session=s)
            for name, content in evidence
        ]
        previous = status.get("submission_index")
        payload = {
            "report": rid,
            "entity": entity,
            "period": period,
            "version": int(status["version"] or 0) + 1,
            "result_sha256": shas[0],
            "totals": {k: result.get(k) for k in ("basic_tco2e", "basic_plus_tco2e", "territorial_tco2e", "gwp")},
            "datasets": result.get("datasets", {}),
            "note": note,
        }
        bodies.append(
            sign_entry(
                EntryDraft(
                    "mrv.report.submitted",
                    actor,
                    jsonable(payload),
                    subject=rid,
                    evidence=tuple(dict.fromkeys(shas)),
                    refs=(previous,) if previous is not None else (),
                    tenant=tenant,
                ).body(),
                key,
            )
        )
        indices, _ = ledger.append(bodies, session=s)
    return indices[-1]


def decide_report(
    ledger: Ledger,
    actor: str,
    key: Ed25519PrivateKey,
    report: str,
    *,
    verified: bool,
    reasons: Sequence[str] = (),
    note: str = "",
) -> int:
    """Verify or reject the pending version of a report (a signed decision entry)."""
    with ledger.transaction() as s:
        return _decide(ledger, s, actor, key, report, verified=verified, reasons=reasons, note=note)


def _decide(
    ledger: Ledger,
    s: Session,
    actor: str,
    key: Ed25519PrivateKey,
    report: str,
    *,
    verified: bool,
    reasons: Sequence[str],
    note: str,
) -> int:
    who = _registered(ledger, actor, key, s)
    if who.role is not Role.VERIFIER:
        raise LedgerError(f"{actor!r} is a {who.role.value}; only a verifier decides reports")
    status = report_status(ledger, report, session=s)
    if status["state"] != ReportState.REPORTED:
        raise LedgerError(f"{report} is {status['state'] or 'unknown'}; only a reported version can be decided")
    if status["reporter"] == actor or (who.entity and who.entity == status["entity"]):
        raise LedgerError(f"{actor!r} submitted (or belongs to the entity of) {report}; another verifier must decide")
    clean = [r.strip() for r in reasons if r.strip()]
    if not verified and not clean:
        raise LedgerError("a rejection needs at least one reason (--reason)")
    tenant = report.split(":")[1] if report.count(":") >= 3 else "default"
    payload: dict[str, Any] = {"report": report, "version": status["version"], "note": note}
    if not verified:
        payload["reasons"] = clean
    body = EntryDraft(
        "mrv.report.verified" if verified else "mrv.report.rejected",
        actor,
        payload,
        subject=report,
        refs=(int(status["submission_index"]),),
        tenant=tenant,
    ).body()
    (index,), _ = ledger.append([sign_entry(body, key)], session=s)
    return index


def report_history(ledger: Ledger, report: str) -> list[dict[str, Any]]:
    """Every entry of a report, oldest first, as ``{index, type, actor, time, payload}``."""
    return [
        {
            "index": e.index,
            "type": e.type,
            "actor": e.actor,
            "time": e.data["time"],
            "payload": e.payload,
            "refs": e.refs,
        }
        for e in ledger.entries(subject=report)
    ]


def report_status(ledger: Ledger, report: str, *, session: Session | None = None) -> dict[str, Any]:
    """Replay a report's entries: current state, version and who did what.

    Returns
    -------
    dict
        ``report``, ``state`` (None when the report has no entry), ``version`` (latest
        submission), ``submission_index``, ``reporter``, ``entity``, ``decision`` (the decision
        entry of the latest version, if any), ``versions`` (per version: index, state, result
        hash, totals) and ``verified_versions``.
    """
    entries = ledger.entries(subject=report, session=session)
    return _replay(report, entries)


def _replay(report: str, entries: list[Entry]) -> dict[str, Any]:
    state: ReportState | None = None
    versions: list[dict[str, Any]] = []
    by_index: dict[int, dict[str, Any]] = {}
    entity = ""
    for e in entries:
        p = e.payload
        if e.type == "mrv.data.submitted":
            entity = str(p.get("entity", entity))
            if state is None:
                state = ReportState.MONITORED
        elif e.type == "mrv.report.submitted":
            entity = str(p.get("entity", entity))
            v = {
                "version": int(p["version"]),
                "index": e.index,
                "reporter": e.actor,
                "time": e.data["time"],
                "state": ReportState.REPORTED.value,
                "result_sha256": p.get("result_sha256"),
                "totals": p.get("totals"),
                "decision": None,
            }
            versions.append(v)
            by_index[e.index] = v
            state = ReportState.REPORTED
        elif e.type in {"mrv.report.verified", "mrv.report.rejected"}:
            target = by_index.get(e.refs[0]) if e.refs else None
            if target is None:
                continue
            target["state"] = ReportState.VERIFIED.value if e.type.endswith("verified") else ReportState.REJECTED.value
            target["decision"] = {"index": e.index, "actor": e.actor, "time": e.data["time"], **p}
            if target is versions[-1]:
                state = ReportState(target["state"])
    latest = versions[-1] if versions else None
    return {
        "report": report,
        "state": None if state is None else state.value,
        "entity": entity,
        "version": latest["version"] if latest else None,
        "submission_index": latest["index"] if latest else None,
        "reporter": latest["reporter"] if latest else None,
        "decision": latest["decision"] if latest else None,
        "versions": versions,
        "verified_versions": [v["version"] for v in versions if v["state"] == ReportState.VERIFIED.value],
    }


def version_result(ledger: Ledger, report: str, version: int) -> dict[str, Any]:
    """The inventory result a version was submitted with (from the evidence store)."""
    status = report_status(ledger, report)
    for v in status["versions"]:
        if v["version"] == version:
            return dict(json.loads(bytes(ledger.evidence(str(v["result_sha256"])).content)))
    raise LedgerError(f"{report} has no version {version}")


def _check_reporter(who: _Actor, entity: str) -> None:
    if who.role is Role.REPORTER and who.entity != entity:
        raise LedgerError(f"{who.name!r} reports for entity {who.entity!r}, not {entity!r}")
    if who.role is Role.VERIFIER:
        raise LedgerError(f"{who.name!r} is a verifier; verifiers do not submit reports")
    if who.role is Role.CITY_ADMIN and entity not in {"", CITY}:
        raise LedgerError("a city admin submits the city's own report (no --entity); entities report themselves")


def _media_type(name: str) -> str:
    lower = name.lower()
    for suffix, media in (
        (".csv", "text/csv"),
        (".json", "application/json"),
        (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (".pdf", "application/pdf"),
        (".png", "image/png"),
        (".jpg", "image/jpeg"),
    ):
        if lower.endswith(suffix):
            return media
    return "application/octet-stream"
