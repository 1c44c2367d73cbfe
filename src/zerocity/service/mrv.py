"""MRV and the ledger over HTTP: the same domain calls as ``zerocity mrv`` and ``zerocity ledger``.

Each tenant database holds its own ledger (:class:`zerocity.ledger.log.Ledger`); tree heads are
signed with the platform key, the same file as the CLI's (``$ZEROCITY_LEDGER_KEY``, else
``<data_dir>/ledger/platform_ed25519.pem``).

The MRV workflow needs every submission and decision signed by a registered actor key. A user
of the API does not hold an Ed25519 key, so the service keeps one per caller (server-custodied,
``<data_dir>/ledger/actors/<tenant>/<user or key>.pem``, mode 0600) and registers it on the
ledger on first use under the caller's audit name (``user:<name>``, ``apikey:<id>``) with the
MRV role of the caller's service role: enterprise reporter -> ``reporter`` (its entity),
verifier -> ``verifier`` (its entity), city administrator -> ``city_admin``. The workflow rules
themselves stay in :mod:`zerocity.ledger.mrv`; this module checks the caller's row scope first
so that refusals are 403/404/409 with a reason rather than a generic 400.
"""

from __future__ import annotations

import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from zerocity.ledger.log import Ledger
from zerocity.ledger.mrv import (
    ReportState,
    decide_report,
    register_actor,
    report_history,
    report_id,
    report_status,
    submit_data,
    submit_report,
)
from zerocity.ledger.mrv import Role as MrvRole
from zerocity.ledger.signing import (
    KEY_DIRNAME,
    KEY_FILENAME,
    LEDGER_KEY_ENV,
    key_id,
    load_or_create_key_file,
    load_public_key,
    public_key_text,
)
from zerocity.ledger.verify import check_proof, snapshot_from_db, verify_snapshot
from zerocity.service import inventories
from zerocity.service.deps import RowScope
from zerocity.service.errors import ApiError
from zerocity.service.permissions import Role
from zerocity.service.principal import Principal
from zerocity.service.settings import Settings
from zerocity.store import load_inventory

__all__ = [
    "actor_key",
    "check_submitted_proof",
    "decide",
    "entry_proof",
    "ledger_consistency",
    "ledger_head",
    "ledger_health",
    "list_reports",
    "platform_key",
    "read_report",
    "report_events",
    "submit_data_file",
    "submit_inventory_report",
]

logger = logging.getLogger(__name__)

#: MRV role of each service role that takes part in the workflow.
_MRV_ROLES: dict[Role, MrvRole] = {
    Role.ENTERPRISE_REPORTER: MrvRole.REPORTER,
    Role.VERIFIER: MrvRole.VERIFIER,
    Role.CITY_ADMIN: MrvRole.CITY_ADMIN,
}
_PERIOD = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]|H[12]))?$")
_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]")


def platform_key(settings: Settings) -> Ed25519PrivateKey:
    """The platform signing key of the ledger (created on first use, mode 0600).

    ``$ZEROCITY_LEDGER_KEY`` when set, else ``<data_dir>/ledger/platform_ed25519.pem`` of the
    service settings (the CLI's default location when both use the default data directory).
    """
    configured = os.environ.get(LEDGER_KEY_ENV)
    path = Path(configured).expanduser() if configured else settings.data_dir / KEY_DIRNAME / KEY_FILENAME
    return load_or_create_key_file(path)


def _ledger(engine: Engine, settings: Settings) -> Ledger:
    return Ledger(engine, platform_key=platform_key(settings))


def actor_key(settings: Settings, principal: Principal) -> Ed25519PrivateKey:
    """The caller's server-custodied MRV signing key (created on first use, mode 0600)."""
    name = f"{principal.kind.value}-{principal.id}.pem"
    return load_or_create_key_file(settings.data_dir / KEY_DIRNAME / "actors" / str(principal.tenant) / name)


@dataclass(frozen=True)
class _Signer:
    actor: str
    key: Ed25519PrivateKey


def _signer(ledger: Ledger, settings: Settings, principal: Principal) -> _Signer:
    """The caller as a registered MRV actor: registers its key (again) when missing or changed."""
    role = _MRV_ROLES.get(principal.role)
    if role is None:
        raise ApiError(403, "forbidden", f"role {principal.role.value!r} takes no part in the MRV workflow")
    entity = principal.entity_id or "" if role is not MrvRole.CITY_ADMIN else ""
    if role is MrvRole.REPORTER and not entity:
        raise ApiError(403, "no_entity", "this enterprise reporter has no entity; an administrator must set one")
    key = actor_key(settings, principal)
    registered = ledger.actor_keys().get(key_id(key.public_key()))
    wanted = {"actor": principal.actor, "role": role.value, "entity": entity}
    if registered is None or any(registered.get(k) != v for k, v in wanted.items()):
        index = register_actor(
            ledger,
            principal.actor,
            role,
            public_key_text(key.public_key()),
            entity=entity,
            tenant=str(principal.tenant),
        )
        logger.info("registered MRV actor %s (%s) as ledger entry %d", principal.actor, role.value, index)
    return _Signer(principal.actor, key)


def _check_period(period: str) -> str:
    if not _PERIOD.match(period):
        raise ApiError(422, "invalid_request", f"period {period!r}: expected YYYY, YYYY-MM, YYYY-Qn or YYYY-Hn")
    return period


def _entity_of_submission(principal: Principal, entity: str | None) -> str:
    """The entity a caller submits for: a reporter its own; a city administrator the city ("")."""
    if principal.role is Role.ENTERPRISE_REPORTER:
        own = principal.entity_id or ""
        if entity not in (None, "", own):
            raise ApiError(403, "forbidden", f"you report for entity {own!r}, not {entity!r}")
        return own
    if entity not in (None, ""):
        raise ApiError(
            403, "forbidden", "a city administrator submits the city's own report; entities report themselves"
        )
    return ""


def submit_inventory_report(
    session: Session,
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    scope: RowScope,
    inventory_id: int,
    period: str,
    entity: str | None,
    note: str,
) -> dict[str, Any]:
    """Submit (or correct) a report from a stored inventory: result and records go on the ledger.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Tenant session (reads the inventory).
    engine : sqlalchemy.engine.Engine
        Tenant engine (the ledger appends in its own locked transaction).
    settings : Settings
        Service settings (key locations).
    principal : Principal
        The caller (enterprise reporter or city administrator).
    scope : RowScope
        The caller's row limits: a reporter may only submit its own entity's inventories.
    inventory_id : int
        A stored inventory visible to the caller.
    period : str
        Reporting period (``YYYY``, ``YYYY-MM``, ``YYYY-Qn``, ``YYYY-Hn``).
    entity : str or None
        Entity (USCC) reported for; defaults to the reporter's own, the city for a city administrator.
    note : str
        Note to the verifier.

    Returns
    -------
    dict
        ``report``, ``entry`` (index of the submission entry), ``data_entry``, ``version``, ``state``.
    """
    period = _check_period(period)
    who = _entity_of_submission(principal, entity)
    inventories.inventory_row(session, scope=scope, inventory_id=inventory_id)  # visibility: 404 otherwise
    stored = load_inventory(session, inventory_id)
    buffer = io.StringIO()
    stored.records.to_csv(buffer, index=False)
    ledger = _ledger(engine, settings)
    rid = report_id(who, period, str(principal.tenant))
    if report_status(ledger, rid)["state"] == ReportState.REPORTED:
        raise ApiError(409, "conflict", f"{rid} awaits a decision; it cannot be replaced before")
    signer = _signer(ledger, settings, principal)
    index = submit_report(
        ledger,
        signer.actor,
        signer.key,
        entity=who,
        period=period,
        result=stored.result,
        data=(f"inventory-{inventory_id}-records.csv", buffer.getvalue().encode("utf-8")),
        note=note,
        tenant=str(principal.tenant),
    )
    status = report_status(ledger, rid)
    return {
        "report": rid,
        "entry": index,
        "data_entry": index - 1,
        "version": status["version"],
        "state": status["state"],
    }


def submit_data_file(
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    period: str,
    entity: str | None,
    filename: str,
    content: bytes,
) -> dict[str, Any]:
    """Record an activity-data file for a report (monitoring): evidence plus a signed entry.

    Returns
    -------
    dict
        ``report``, ``entry``, ``sha256`` of the stored file, ``state``.
    """
    period = _check_period(period)
    who = _entity_of_submission(principal, entity)
    if not content:
        raise ApiError(422, "invalid_request", "the data file is empty")
    name = _FILE_NAME.sub("_", Path(filename or "data").name)[:100] or "data"
    ledger = _ledger(engine, settings)
    signer = _signer(ledger, settings, principal)
    index = submit_data(
        ledger,
        signer.actor,
        signer.key,
        entity=who,
        period=period,
        content=content,
        name=name,
        tenant=str(principal.tenant),
    )
    entry = ledger.entry(index)
    rid = report_id(who, period, str(principal.tenant))
    return {
        "report": rid,
        "entry": index,
        "sha256": entry.data["evidence"][0],
        "state": report_status(ledger, rid)["state"],
    }


def _visible_status(ledger: Ledger, principal: Principal, scope: RowScope, report: str) -> dict[str, Any]:
    """A report's replayed status, or 404 when it is not the caller's tenant's or not in its scope."""
    parts = report.split(":")
    if len(parts) != 4 or parts[0] != "report" or parts[1] != principal.tenant:
        raise ApiError(404, "not_found", f"report {report!r} not found")
    status = report_status(ledger, report)
    if status["state"] is None:
        raise ApiError(404, "not_found", f"report {report!r} not found")
    if scope.entity_id is not None and status["entity"] != scope.entity_id:
        raise ApiError(404, "not_found", f"report {report!r} not found")
    return status


def read_report(engine: Engine, *, principal: Principal, scope: RowScope, report: str) -> dict[str, Any]:
    """State of a report and of each version (replayed from the ledger)."""
    return _visible_status(Ledger(engine), principal, scope, report)


def report_events(engine: Engine, *, principal: Principal, scope: RowScope, report: str) -> list[dict[str, Any]]:
    """Every ledger entry of a report, oldest first."""
    ledger = Ledger(engine)
    _visible_status(ledger, principal, scope, report)
    return report_history(ledger, report)


def list_reports(
    engine: Engine,
    *,
    scope: RowScope,
    state: str | None,
    entity: str | None,
    period: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Reports of the tenant (replayed), filtered, newest activity first; a reporter's own entity only."""
    ledger = Ledger(engine)
    subjects: dict[str, int] = {}
    for e in ledger.entries(type_prefix="mrv."):
        subjects[e.subject] = e.index
    rows = []
    for subject in sorted(subjects, key=lambda s: -subjects[s]):
        status = report_status(ledger, subject)
        if scope.entity_id is not None and status["entity"] != scope.entity_id:
            continue
        if entity is not None and status["entity"] != entity:
            continue
        if state is not None and status["state"] != state:
            continue
        if period is not None and subject.rsplit(":", 1)[-1] != period:
            continue
        rows.append(
            {
                "report": subject,
                "entity": status["entity"],
                "period": subject.rsplit(":", 1)[-1],
                "state": status["state"],
                "version": status["version"],
                "reporter": status["reporter"],
                "last_entry": subjects[subject],
            }
        )
    return rows[offset : offset + limit], len(rows)


def decide(
    engine: Engine,
    settings: Settings,
    *,
    principal: Principal,
    report: str,
    verified: bool,
    reasons: list[str],
    note: str,
) -> dict[str, Any]:
    """Verify or reject the pending version of a report.

    Refusals: a verifier of the report's own entity, or the verifier who submitted it -> 403 with
    the reason; a report not awaiting a decision -> 409; a rejection without a reason -> 422.
    """
    ledger = _ledger(engine, settings)
    status = _visible_status(ledger, principal, RowScope(None, None), report)
    if principal.entity_id and principal.entity_id == status["entity"]:
        raise ApiError(
            403,
            "own_entity",
            f"{report} is a report of your own entity {principal.entity_id!r}; another verifier must decide",
        )
    if status["reporter"] == principal.actor:
        raise ApiError(403, "own_report", f"you submitted {report}; another verifier must decide")
    if status["state"] != ReportState.REPORTED:
        raise ApiError(409, "conflict", f"{report} is {status['state']}; only a reported version can be decided")
    if not verified and not [r for r in reasons if r.strip()]:
        raise ApiError(
            422, "invalid_request", "a rejection needs at least one reason", [{"location": ["body", "reasons"]}]
        )
    signer = _signer(ledger, settings, principal)
    index = decide_report(ledger, signer.actor, signer.key, report, verified=verified, reasons=reasons, note=note)
    after = report_status(ledger, report)
    return {"report": report, "entry": index, "version": after["version"], "state": after["state"]}


def ledger_head(engine: Engine, settings: Settings) -> dict[str, Any]:
    """The newest signed tree head (None for an empty ledger) and the public key that checks it."""
    ledger = Ledger(engine)
    head = ledger.latest_head()
    public = platform_key(settings).public_key()
    return {
        "size": ledger.size(),
        "tree_head": None if head is None else head.to_dict(),
        "public_key": public_key_text(public),
        "key_id": key_id(public),
    }


def entry_proof(engine: Engine, *, scope: RowScope, index: int, size: int | None) -> dict[str, Any]:
    """A standalone inclusion proof of entry ``index`` (a reporter: its own entity's entries only)."""
    ledger = Ledger(engine)
    total = ledger.size()
    if index >= total:
        raise ApiError(404, "not_found", f"no ledger entry {index} (the ledger has {total} entries)")
    if scope.entity_id is not None:
        payload = ledger.entry(index).payload
        if payload.get("entity") != scope.entity_id:
            raise ApiError(404, "not_found", f"no ledger entry {index} of your entity")
    head = ledger.latest_head() if size is None else None
    if size is not None:
        heads = {h.size for h in ledger.heads()}
        if size not in heads:
            raise ApiError(404, "not_found", f"no signed tree head of size {size}")
    elif head is None:  # pragma: no cover - an entry exists, so a head does
        raise ApiError(404, "not_found", "the ledger has no signed tree head")
    if size is not None and index >= size:
        raise ApiError(422, "invalid_request", f"entry {index} is not in the tree head of size {size}")
    return ledger.inclusion_proof(index, size)


def ledger_consistency(engine: Engine, *, old_size: int, new_size: int | None) -> dict[str, Any]:
    """A consistency proof between two signed tree heads (RFC 6962 section 2.1.2)."""
    ledger = Ledger(engine)
    heads = {h.size for h in ledger.heads()}
    for label, value in (("old_size", old_size), ("new_size", new_size)):
        if value is not None and value not in heads:
            raise ApiError(404, "not_found", f"{label}: no signed tree head of size {value}")
    if new_size is not None and old_size > new_size:
        raise ApiError(422, "invalid_request", "old_size must not exceed new_size")
    if not heads:
        raise ApiError(404, "not_found", "the ledger has no signed tree head")
    if new_size is None and old_size > max(heads):  # pragma: no cover - old_size is a head
        raise ApiError(422, "invalid_request", "old_size must not exceed new_size")
    return ledger.consistency_proof(old_size, new_size)


def check_submitted_proof(proof: dict[str, Any], public_key: str | None, settings: Settings) -> dict[str, Any]:
    """Check an inclusion proof with a public key (default: this platform's), as ``ledger check-proof``."""
    if public_key:
        try:
            key = load_public_key(public_key)
        except ValueError as exc:
            raise ApiError(
                422, "invalid_request", f"public_key: {exc}", [{"location": ["body", "public_key"]}]
            ) from None
    else:
        key = platform_key(settings).public_key()
    ok, reason = check_proof(proof, key)
    return {"ok": ok, "reason": reason, "key_id": key_id(key)}


def ledger_health(engine: Engine, settings: Settings) -> dict[str, Any]:
    """Recompute every hash, the tree, every signature and tree head (``zerocity ledger verify``)."""
    report = verify_snapshot(snapshot_from_db(engine, platform_key(settings).public_key()))
    return report.to_dict()
