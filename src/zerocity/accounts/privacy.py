"""Household privacy: pseudonyms, consent per data source, ingestion, export, deletion, aggregates.

A household is stored under a **pseudonym**, HMAC-SHA-256 of its external id with a
per-deployment secret key (RFC 2104; the external id itself is never stored):

    pseudonym = HMAC-SHA-256(key, UTF-8(external_id))                    [64 hex digits]

The key is 32 random bytes in ``<data dir>/households/pseudonym.key`` (created 0600 on first
use, like the ledger signing key), or the file named by ``$ZEROCITY_HOUSEHOLD_KEY``. Without the
key a pseudonym cannot be linked back to a person; with a new key every pseudonym changes.

An event is stored only when its household had an active consent for a data source of its
behaviour (:data:`BEHAVIOUR_SOURCES`) at the event time: granted at or before it and not revoked
at or before it. Refused events are reported with a reason and not stored. Export gives a
household all its data (GDPR art. 15 and 20; PIPL art. 45); deletion removes its rows (GDPR
art. 17; PIPL art. 47): the ledger keeps only digests (:func:`zerocity.accounts.points.record_awards`),
so nothing personal remains.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from zerocity.accounts.household import (
    HouseholdInputError,
    Methodology,
    k_anonymous_aggregate,
    load_methodologies,
    score_events,
    validate_events,
)
from zerocity.accounts.points import (
    Catalogue,
    PointsPolicy,
    load_catalogue,
    process_redemptions,
    record_awards,
)
from zerocity.errors import InvalidRecordsError, ZerocityError
from zerocity.store.db import as_utc, to_jsonable
from zerocity.store.models import Household, HouseholdConsent, HouseholdEvent

if TYPE_CHECKING:
    from zerocity.ledger.log import Ledger

__all__ = [
    "BEHAVIOUR_SOURCES",
    "HOUSEHOLD_KEY_ENV",
    "ConsentError",
    "DataSource",
    "HouseholdKeyError",
    "IngestReason",
    "default_catalogue",
    "delete_household",
    "export_household",
    "household_balance",
    "household_key",
    "household_key_path",
    "household_ref",
    "ingest_events",
    "pseudonym",
    "public_aggregates",
    "record_consent",
    "redeem",
    "revoke_consent",
]

log = logging.getLogger(__name__)

#: Environment variable naming the file of the pseudonymisation key.
HOUSEHOLD_KEY_ENV = "ZEROCITY_HOUSEHOLD_KEY"
KEY_DIRNAME = "households"
KEY_FILENAME = "pseudonym.key"
KEY_BYTES = 32


class DataSource(enum.StrEnum):
    """Where household data comes from; consent is given per source."""

    TRANSPORT_CARD = "transport_card"
    ELECTRICITY_METER = "electricity_meter"
    PV_METER = "pv_meter"
    EV_CHARGER = "ev_charger"
    APP = "app"


class IngestReason(enum.StrEnum):
    """Why an event was not stored (scoring reasons come from :class:`~zerocity.accounts.household.Reason`)."""

    NO_CONSENT = "no_consent"
    ALREADY_INGESTED = "already_ingested"
    NO_SOURCE = "no_data_source"
    DUPLICATE_IN_BATCH = "duplicate_in_batch"


#: Data sources that may carry each behaviour, in order of preference.
BEHAVIOUR_SOURCES: Mapping[str, tuple[DataSource, ...]] = {
    "bus": (DataSource.TRANSPORT_CARD, DataSource.APP),
    "metro": (DataSource.TRANSPORT_CARD, DataSource.APP),
    "shared_bicycle": (DataSource.TRANSPORT_CARD, DataSource.APP),
    "walking": (DataSource.TRANSPORT_CARD, DataSource.APP),
    "electricity_saving": (DataSource.ELECTRICITY_METER,),
    "rooftop_pv": (DataSource.PV_METER,),
    "ev_offpeak": (DataSource.EV_CHARGER,),
    "e_receipt": (DataSource.APP,),
}


class ConsentError(ZerocityError, ValueError):
    """A consent that cannot be recorded or revoked (unknown source, nothing to revoke)."""

    code = "consent"


class HouseholdKeyError(ZerocityError):
    """The pseudonymisation key file is unreadable, malformed or readable by others."""

    code = "household_key"


# ------------------------------------------------------------------------------ pseudonyms
def household_key_path() -> Path:
    """``$ZEROCITY_HOUSEHOLD_KEY`` when set, else ``households/pseudonym.key`` in the data directory."""
    configured = os.environ.get(HOUSEHOLD_KEY_ENV)
    if configured:
        return Path(configured).expanduser()
    from zerocity.store.db import data_dir

    return data_dir() / KEY_DIRNAME / KEY_FILENAME


def household_key(path: Path | str | None = None) -> bytes:
    """The deployment's pseudonymisation key, created (32 random bytes, mode 0600) on first use.

    Raises
    ------
    HouseholdKeyError
        When the file is accessible by group or others, or is not 32 bytes.
    """
    key_path = Path(path) if path is not None else household_key_path()
    if not key_path.exists():
        key_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            log.info("household key %s was created by another process; using it", key_path)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            log.info("created household pseudonymisation key %s", key_path)
    if os.name == "posix" and key_path.stat().st_mode & 0o077:
        raise HouseholdKeyError(f"{key_path}: the household key is accessible by group or others; chmod 600 it")
    key = key_path.read_bytes()
    if len(key) != KEY_BYTES:
        raise HouseholdKeyError(f"{key_path}: a household key is {KEY_BYTES} bytes, not {len(key)}")
    return key


def pseudonym(external_id: str, key: bytes | None = None) -> str:
    """HMAC-SHA-256 of the external household id [64 hex digits] (key: :func:`household_key`)."""
    text = str(external_id).strip()
    if not text:
        raise HouseholdInputError("a household id must not be empty")
    return hmac.new(key if key is not None else household_key(), text.encode("utf-8"), hashlib.sha256).hexdigest()


def household_ref(pseud: str, key: bytes | None = None) -> str:
    """Keyed digest of a pseudonym, the only household reference the ledger keeps [64 hex digits].

    ``ref = HMAC-SHA-256(key, "zerocity.household.ref" 0x1F pseudonym)``: linking it to a pseudonym,
    let alone a person, needs the deployment key.
    """
    text = f"zerocity.household.ref\x1f{pseud}".encode()
    return hmac.new(key if key is not None else household_key(), text, hashlib.sha256).hexdigest()


def _ensure_household(session: Session, pseud: str) -> None:
    if session.get(Household, pseud) is None:
        session.add(Household(pseudonym=pseud))
        session.flush()


def _source(source: str) -> DataSource:
    try:
        return DataSource(source)
    except ValueError:
        raise ConsentError(
            f"unknown data source {source!r}; expected one of {', '.join(s.value for s in DataSource)}"
        ) from None


def _moment(value: datetime | str | None) -> datetime:
    """An aware UTC datetime (naive input is taken as UTC)."""
    if value is None:
        return datetime.now(UTC)
    try:
        ts = pd.Timestamp(value)
    except ValueError:
        raise ConsentError(f"not a date-time: {value!r}") from None
    if pd.isna(ts):
        raise ConsentError(f"not a date-time: {value!r}")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.to_pydatetime()


# ------------------------------------------------------------------------------ consent
def record_consent(
    session: Session,
    external_id: str,
    source: str,
    *,
    granted_at: datetime | str | None = None,
    method: str = "app",
    key: bytes | None = None,
) -> int:
    """Record a consent of a household to a data source; returns the consent's id.

    ``granted_at`` defaults to now; a naive time is UTC.
    """
    src = _source(source)
    pseud = pseudonym(external_id, key)
    _ensure_household(session, pseud)
    row = HouseholdConsent(household=pseud, source=src.value, granted_at=_moment(granted_at), method=method)
    session.add(row)
    session.flush()
    return int(row.id)


def revoke_consent(
    session: Session,
    external_id: str,
    source: str,
    *,
    revoked_at: datetime | str | None = None,
    key: bytes | None = None,
) -> int:
    """Revoke the household's active consents to a data source; returns how many were revoked.

    Raises
    ------
    ConsentError
        When the household has no active consent to that source.
    """
    src = _source(source)
    pseud = pseudonym(external_id, key)
    result = session.execute(
        update(HouseholdConsent)
        .where(
            HouseholdConsent.household == pseud,
            HouseholdConsent.source == src.value,
            HouseholdConsent.revoked_at.is_(None),
        )
        .values(revoked_at=_moment(revoked_at))
    )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count == 0:
        raise ConsentError(f"the household has no active consent to {src.value}")
    return count


# ------------------------------------------------------------------------------ ingestion
@dataclass(frozen=True)
class _Gate:
    source: np.ndarray  # admitting source per row, '' when refused
    reason: np.ndarray  # '' when admitted


def _consent_gate(session: Session, pseuds: pd.Series, behaviour: pd.Series, when: pd.Series) -> _Gate:
    """Per row: the first source of the behaviour with a consent active at ``when`` (UTC)."""
    n = len(pseuds)
    rows = session.execute(
        select(
            HouseholdConsent.household,
            HouseholdConsent.source,
            HouseholdConsent.granted_at,
            HouseholdConsent.revoked_at,
        ).where(HouseholdConsent.household.in_(sorted(set(pseuds))))
    ).all()
    consents = pd.DataFrame(rows, columns=["household", "source", "granted_at", "revoked_at"])
    chosen = np.full(n, "", dtype=object)
    reason = np.full(n, IngestReason.NO_CONSENT.value, dtype=object)
    if consents.empty:
        return _Gate(chosen, reason)
    consents["granted_at"] = pd.to_datetime([as_utc(t) for t in consents["granted_at"]], utc=True)
    consents["revoked_at"] = pd.to_datetime(
        [None if t is None or pd.isna(t) else as_utc(t) for t in consents["revoked_at"]], utc=True
    )
    events = pd.DataFrame({"row": np.arange(n), "household": pseuds.to_numpy(), "when": when.to_numpy()})
    events["source"] = behaviour.map(lambda b: [s.value for s in BEHAVIOUR_SOURCES.get(b, ())]).to_numpy()
    events = events.explode("source").dropna(subset=["source"])
    events["rank"] = events.groupby("row").cumcount()
    joined = events.merge(consents, on=["household", "source"], how="inner")
    active = (joined["granted_at"] <= joined["when"]) & (
        joined["revoked_at"].isna() | (joined["when"] < joined["revoked_at"])
    )
    first = joined[active].sort_values(["row", "rank"]).drop_duplicates("row")
    idx = first["row"].to_numpy(dtype=int)
    chosen[idx] = first["source"].to_numpy()
    reason[idx] = ""
    return _Gate(chosen, reason)


def ingest_events(
    session: Session,
    events: pd.DataFrame,
    *,
    methodologies: Mapping[str, Methodology] | None = None,
    policy: PointsPolicy | None = None,
    timezone: str = "UTC",
    key: bytes | None = None,
    source: str = "events",
    ledger: Ledger | None = None,
    tenant: str = "default",
) -> pd.DataFrame:
    """Pseudonymise, consent-gate, score and store household events.

    Caps count across ingests: the awards already stored for the same household, behaviour and
    (local) day or month are passed to :func:`~zerocity.accounts.household.score_events` as
    ``prior_awarded``. With a ``ledger``, every award and scoring refusal of the stored events is
    appended (digests only, :func:`~zerocity.accounts.points.record_awards` with the pseudonymisation
    key) in the caller's transaction; events refused for want of consent, or already ingested, are
    not processed further and not recorded.

    Parameters
    ----------
    events : DataFrame
        Behaviour events (columns of :data:`zerocity.accounts.household.EVENT_COLUMNS`).
    timezone : str
        Time zone of the events' local wall-clock timestamps, to compare them with consents.
    key : bytes, optional
        Pseudonymisation key; default :func:`household_key`.
    ledger : Ledger, optional
        Where to record the awards and refusals (same database as ``session``).
    tenant : str
        The ledger tenant (city) of the entries.

    Returns
    -------
    DataFrame
        One row per input row, in order: ``row`` (1-based), ``event_id``, ``household``
        (pseudonym), ``behaviour``, ``source`` (the consented data source, '' when refused),
        ``stored``, ``status`` (``accepted``/``refused``), ``reason`` (a reason of
        :class:`IngestReason`, or the scoring reason), ``detail`` (for a repeat of an event id of
        the same household within the batch, ``duplicate event_id in batch, row N`` naming the
        first row; else ''), ``awarded_kg`` [kg CO2e], ``points``.

    A household's event id is stored once (the first row wins): a later row of the batch with the
    same household and event id is refused (``duplicate_in_batch``) and the rest of the batch is
    stored, as an event already stored by an earlier ingest is refused (``already_ingested``).

    Raises
    ------
    InvalidRecordsError
        With every bad cell; nothing is stored then.
    """
    policy = policy or PointsPolicy()
    methods = dict(methodologies) if methodologies is not None else load_methodologies()
    issues = validate_events(events, methods)
    if issues:
        raise InvalidRecordsError(source, issues)
    frame = events.reset_index(drop=True).copy()
    secret = key if key is not None else household_key()
    cache: dict[str, str] = {}
    externals = frame["household_id"].astype(str).str.strip()
    frame["household_id"] = [cache.get(h) or cache.setdefault(h, pseudonym(h, secret)) for h in externals]
    frame["event_id"] = frame["event_id"].astype(str).str.strip()
    behaviour = frame["behaviour"].astype(str).str.strip()
    local = pd.to_datetime(frame["timestamp"], format="ISO8601")
    if getattr(local.dt, "tz", None) is not None:
        local = local.dt.tz_localize(None)
    when = local.dt.tz_localize(timezone, ambiguous="NaT", nonexistent="shift_forward").dt.tz_convert("UTC")
    gate = _consent_gate(session, frame["household_id"], behaviour, when)
    reason = gate.reason.copy()
    stored_keys = set(
        session.execute(
            select(HouseholdEvent.household, HouseholdEvent.event_id).where(
                HouseholdEvent.household.in_(sorted(set(frame["household_id"])))
            )
        ).all()
    )
    already = np.array(
        [(h, e) in stored_keys for h, e in zip(frame["household_id"], frame["event_id"], strict=True)], dtype=bool
    )
    reason[(reason == "") & already] = IngestReason.ALREADY_INGESTED.value
    # A household's event id is stored once: a repeat within the batch is refused, naming the first row.
    first_row = _first_rows(frame["household_id"], frame["event_id"])
    repeat = first_row != np.arange(1, len(frame) + 1)
    reason[repeat] = IngestReason.DUPLICATE_IN_BATCH.value
    detail = np.where(repeat, [f"duplicate event_id in batch, row {r}" for r in first_row], "")
    admitted = reason == ""
    result = pd.DataFrame(
        {
            "row": np.arange(1, len(frame) + 1),
            "event_id": frame["event_id"],
            "household": frame["household_id"],
            "behaviour": behaviour,
            "source": np.where(admitted, gate.source, ""),
            "stored": admitted,
            "status": "refused",
            "reason": reason,
            "detail": detail,
            "awarded_kg": 0.0,
            "points": 0.0,
        }
    )
    if not admitted.any():
        log.info("ingested 0 of %d household events", len(frame))
        return result
    kept = frame[admitted].reset_index(drop=True)
    prior = _stored_awards(session, kept["household_id"], kept["behaviour"], when[admitted], timezone)
    scored = score_events(kept, methods, source=source, prior_awarded=prior)
    scale = 10.0**policy.decimals
    accepted = (scored["status"] == "accepted").to_numpy()
    pts = np.where(
        accepted, np.floor(scored["awarded_kg"].to_numpy() * policy.points_per_kg * scale + 1e-9) / scale, 0.0
    )
    payloads = [to_jsonable(r) for r in kept.astype(object).where(kept.notna(), None).to_dict(orient="records")]
    src = gate.source[admitted]
    when_kept = when[admitted].reset_index(drop=True)
    now = datetime.now(UTC)
    rows = [
        {
            "household": scored["household_id"].iat[i],
            "event_id": scored["event_id"].iat[i],
            "behaviour": str(kept["behaviour"].iat[i]).strip(),
            "source": str(src[i]),
            "occurred_at": when_kept.iat[i].to_pydatetime(),
            "payload": payloads[i],
            "methodology": str(scored["methodology"].iat[i]),
            "status": str(scored["status"].iat[i]),
            "reason": str(scored["reason"].iat[i]),
            "reduction_kg": float(scored["reduction_kg"].iat[i]),
            "awarded_kg": float(scored["awarded_kg"].iat[i]),
            "points": float(pts[i]),
            "ingested_at": now,
        }
        for i in range(len(kept))
    ]
    for pseud in sorted(set(kept["household_id"])):
        _ensure_household(session, pseud)
    session.execute(insert(HouseholdEvent), rows)
    session.flush()
    if ledger is not None:
        record_awards(ledger, scored, policy=policy, tenant=tenant, key=secret, session=session)
    idx = np.flatnonzero(admitted)
    result.loc[idx, "status"] = scored["status"].to_numpy()
    result.loc[idx, "reason"] = scored["reason"].astype(str).to_numpy()
    result.loc[idx, "awarded_kg"] = scored["awarded_kg"].to_numpy()
    result.loc[idx, "points"] = pts
    log.info("ingested %d of %d household events", len(kept), len(frame))
    return result


def _first_rows(households: pd.Series, event_ids: pd.Series) -> np.ndarray:
    """Per row, the 1-based row of the first occurrence of its (household, event id) in the batch."""
    keys = pd.DataFrame({"h": households.to_numpy(), "e": event_ids.to_numpy()})
    position = pd.Series(np.arange(1, len(keys) + 1))
    return position.groupby([keys["h"], keys["e"]], sort=False).transform("first").to_numpy(dtype=int)


def _stored_awards(
    session: Session, households: pd.Series, behaviours: pd.Series, when: pd.Series, timezone: str
) -> pd.DataFrame:
    """Accepted stored awards of the batch's households and behaviours in the batch's months, per local day.

    One query (household, behaviour, occurred_at, awarded_kg), bounded by the months of the batch
    widened by a day for time zones; summed per local day, which keeps the monthly sums exact.
    """
    local = when.dt.tz_convert(timezone).dt.tz_localize(None)
    first = local.min().to_period("M").start_time
    last = local.max().to_period("M").end_time
    lo = (first - pd.Timedelta(days=1)).tz_localize("UTC").to_pydatetime()
    hi = (last + pd.Timedelta(days=1)).tz_localize("UTC").to_pydatetime()
    rows = session.execute(
        select(
            HouseholdEvent.household,
            HouseholdEvent.behaviour,
            HouseholdEvent.occurred_at,
            HouseholdEvent.awarded_kg,
        ).where(
            HouseholdEvent.household.in_(sorted(set(households))),
            HouseholdEvent.behaviour.in_(sorted(set(behaviours.astype(str).str.strip()))),
            HouseholdEvent.status == "accepted",
            HouseholdEvent.occurred_at >= lo,
            HouseholdEvent.occurred_at <= hi,
        )
    ).all()
    columns = ["household_id", "behaviour", "timestamp", "awarded_kg"]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows, columns=columns)
    stamps = pd.to_datetime([as_utc(t) for t in frame["timestamp"]], utc=True)
    frame["timestamp"] = stamps.tz_convert(timezone).tz_localize(None).floor("D")
    return frame.groupby(["household_id", "behaviour", "timestamp"], as_index=False)["awarded_kg"].sum()


# ------------------------------------------------------------------------------ points balance, redemption
REDEEMED = "household.points.redeemed"
DELETED = "household.deleted"


def default_catalogue() -> Catalogue:
    """The shipped example catalogue (``accounts/data/catalogue.yaml``); a city replaces it."""
    text = resources.files("zerocity.accounts").joinpath("data", "catalogue.yaml").read_text(encoding="utf-8")
    import yaml

    return load_catalogue(yaml.safe_load(text))


def _naive_utc(moment: datetime | str | None) -> pd.Timestamp:
    return pd.Timestamp(_moment(moment)).tz_convert("UTC").tz_localize(None)


def _ledger_redemptions(session: Session, ledger: Ledger, ref: str) -> pd.DataFrame:
    """Redemptions recorded for a household reference, after its last deletion (UTC, naive)."""
    entries = ledger.entries(subject=ref, session=session)
    deleted = max((e.index for e in entries if e.type == DELETED), default=-1)
    rows = [
        (f"ledger-{e.index}", ref, pd.Timestamp(e.data["time"]).tz_convert("UTC").tz_localize(None), e.payload["item"])
        for e in entries
        if e.type == REDEEMED and e.index > deleted
    ]
    frame = pd.DataFrame(rows, columns=["redemption_id", "household_id", "timestamp", "item"])
    frame["points"] = [float(e.payload["points"]) for e in entries if e.type == REDEEMED and e.index > deleted]
    return frame


def _stored_points(session: Session, pseud: str, ref: str, policy: PointsPolicy) -> pd.DataFrame:
    """Awards of a household from its stored accepted events (UTC, naive), in time order."""
    rows = session.execute(
        select(HouseholdEvent.event_id, HouseholdEvent.occurred_at, HouseholdEvent.points)
        .where(HouseholdEvent.household == pseud, HouseholdEvent.status == "accepted")
        .order_by(HouseholdEvent.occurred_at, HouseholdEvent.event_id)
    ).all()
    ts = pd.Series(
        pd.to_datetime([as_utc(t) for t in (r[1] for r in rows)], utc=True).tz_localize(None), dtype="datetime64[ns]"
    )
    return pd.DataFrame(
        {
            "household_id": ref,
            "event_id": [r[0] for r in rows],
            "timestamp": ts,
            "points": [float(r[2]) for r in rows],
            "expires": ts + pd.DateOffset(months=policy.expiry_months),
        }
    )


def household_balance(
    session: Session,
    external_id: str,
    *,
    ledger: Ledger,
    catalogue: Catalogue | None = None,
    policy: PointsPolicy | None = None,
    as_of: datetime | str | None = None,
    key: bytes | None = None,
) -> dict[str, float]:
    """Points of a household at ``as_of`` (default now): ``earned``, ``redeemed``, ``expired``, ``balance``.

    Earned points are the stored accepted events' points, each expiring ``expiry_months`` after
    its event; redemptions are the ledger's ``household.points.redeemed`` entries of the household's
    reference (:func:`household_ref`), spent FIFO (:func:`~zerocity.accounts.points.process_redemptions`).
    """
    result, _ = _replay(session, external_id, None, ledger, catalogue, policy, as_of, key)
    return result


def _replay(
    session: Session,
    external_id: str,
    item: str | None,
    ledger: Ledger,
    catalogue: Catalogue | None,
    policy: PointsPolicy | None,
    as_of: datetime | str | None,
    key: bytes | None,
) -> tuple[dict[str, float], pd.DataFrame]:
    secret = key if key is not None else household_key()
    pol = policy or PointsPolicy()
    pseud = pseudonym(external_id, secret)
    ref = household_ref(pseud, secret)
    when = _naive_utc(as_of)
    awards = _stored_points(session, pseud, ref, pol)
    past = _ledger_redemptions(session, ledger, ref)
    # Past redemptions are replayed at their recorded cost, whatever today's catalogue says.
    items = {
        str(rid): (str(it), float(p))
        for rid, it, p in zip(past["redemption_id"], past["item"], past["points"], strict=True)
    }
    red = past.assign(item=past["redemption_id"])[["redemption_id", "household_id", "timestamp", "item"]]
    if item is not None:
        cat = catalogue or default_catalogue()
        items["new"] = (item, cat.cost(item))
        red = pd.concat(
            [red, pd.DataFrame([{"redemption_id": "new", "household_id": ref, "timestamp": when, "item": "new"}])],
            ignore_index=True,
        )
    results, balances = process_redemptions(awards, red, Catalogue(items), as_of=when)
    row = balances[balances["household_id"] == ref]
    out = {
        c: (round(float(row[c].iat[0]), 6) if len(row) else 0.0) for c in ("earned", "redeemed", "expired", "balance")
    }
    return out, results


def redeem(
    session: Session,
    external_id: str,
    item: str,
    *,
    ledger: Ledger,
    catalogue: Catalogue | None = None,
    policy: PointsPolicy | None = None,
    as_of: datetime | str | None = None,
    key: bytes | None = None,
    tenant: str = "default",
) -> dict[str, Any]:
    """Redeem a catalogue item against the household's balance and record it in the ledger.

    The redemption (or its refusal) is a ledger entry (:func:`~zerocity.accounts.points.record_awards`)
    with the item, the points and a digest, its subject the household's reference; nothing else is
    stored. Returns ``item``, ``points``, ``status`` (``redeemed``/``refused``), ``reason``
    (``ok``/``insufficient_balance``), ``balance`` (after) and ``ledger_index``.

    Raises
    ------
    PointsError
        For an item that is not in the catalogue (nothing is recorded then).
    """
    secret = key if key is not None else household_key()
    pseud = pseudonym(external_id, secret)
    ref = household_ref(pseud, secret)
    balance, results = _replay(session, external_id, item, ledger, catalogue, policy, as_of, secret)
    new = results[results["redemption_id"] == "new"].iloc[0]
    stamp = _naive_utc(as_of)
    redemption = pd.DataFrame(
        [
            {
                "redemption_id": f"{ref}:{stamp.isoformat()}:{item}",
                "household_id": ref,
                "item": item,
                "points": float(new["points"]),
                "status": str(new["status"]),
                "reason": str(new["reason"]),
                "subject": ref,
            }
        ]
    )
    indices = record_awards(
        ledger,
        pd.DataFrame(
            columns=["household_id", "event_id", "methodology", "reduction_kg", "awarded_kg", "status", "reason"]
        ),
        redemptions=redemption,
        policy=policy or PointsPolicy(),
        tenant=tenant,
        key=secret,
        session=session,
    )
    log.info("redemption of %s: %s (%s)", item, new["status"], new["reason"])
    return {
        "item": item,
        "points": float(new["points"]),
        "status": str(new["status"]),
        "reason": str(new["reason"]),
        "balance": balance["balance"],
        "ledger_index": indices[0],
    }


# ------------------------------------------------------------------------------ rights
def export_household(session: Session, external_id: str, *, key: bytes | None = None) -> dict[str, Any]:
    """All stored data of a household: its pseudonym, consents, events (with scores) and points.

    A household with no data gets empty lists (``exists`` False).
    """
    pseud = pseudonym(external_id, key)
    household = session.get(Household, pseud)
    consents = session.scalars(
        select(HouseholdConsent).where(HouseholdConsent.household == pseud).order_by(HouseholdConsent.id)
    ).all()
    events = session.scalars(
        select(HouseholdEvent)
        .where(HouseholdEvent.household == pseud)
        .order_by(HouseholdEvent.occurred_at, HouseholdEvent.event_id)
    ).all()
    return {
        "household": pseud,
        "exists": household is not None,
        "created_at": None if household is None else as_utc(household.created_at).isoformat(),
        "consents": [
            {
                "source": c.source,
                "granted_at": as_utc(c.granted_at).isoformat(),
                "revoked_at": None if c.revoked_at is None else as_utc(c.revoked_at).isoformat(),
                "method": c.method,
            }
            for c in consents
        ],
        "events": [
            {
                "event_id": e.event_id,
                "behaviour": e.behaviour,
                "source": e.source,
                "occurred_at": as_utc(e.occurred_at).isoformat(),
                "payload": e.payload,
                "methodology": e.methodology,
                "status": e.status,
                "reason": e.reason,
                "reduction_kg": e.reduction_kg,
                "awarded_kg": e.awarded_kg,
                "points": e.points,
                "ingested_at": as_utc(e.ingested_at).isoformat(),
            }
            for e in events
        ],
        "points": {
            "earned": round(sum(e.points for e in events), 6),
            "awards": [
                {"event_id": e.event_id, "points": e.points, "occurred_at": as_utc(e.occurred_at).isoformat()}
                for e in events
                if e.status == "accepted"
            ],
        },
    }


def delete_household(
    session: Session,
    external_id: str,
    *,
    key: bytes | None = None,
    ledger: Ledger | None = None,
    tenant: str = "default",
) -> dict[str, int]:
    """Delete every row of a household; returns the counts removed per table.

    The ledger keeps only digests of household, event and reduction, so nothing personal remains.
    With a ``ledger``, a ``household.deleted`` entry records the deletion in the same transaction,
    carrying only the household's reference (:func:`household_ref`, as payload ``digest`` and
    subject); redemptions recorded before it no longer count toward a balance.
    """
    secret = key if key is not None else household_key()
    pseud = pseudonym(external_id, secret)
    statements = {
        "household_events": delete(HouseholdEvent).where(HouseholdEvent.household == pseud),
        "household_consents": delete(HouseholdConsent).where(HouseholdConsent.household == pseud),
        "households": delete(Household).where(Household.pseudonym == pseud),
    }
    counts = {}
    for name, statement in statements.items():
        counts[name] = int(getattr(session.execute(statement), "rowcount", 0) or 0)
    session.flush()
    if ledger is not None:
        from zerocity.ledger.log import EntryDraft

        ref = household_ref(pseud, secret)
        ledger.append([EntryDraft(DELETED, "platform", {"digest": ref}, subject=ref, tenant=tenant)], session=session)
    session.expunge_all()
    log.info("deleted household data: %s", counts)
    return counts


def public_aggregates(
    session: Session,
    *,
    by: Sequence[str] | str = ("behaviour", "month"),
    values: Sequence[str] | str = ("reduction_kg", "awarded_kg", "points"),
    k: int = 10,
) -> pd.DataFrame:
    """Accepted events aggregated per group, suppressed below ``k`` households.

    Groups may be by ``behaviour``, ``source``, ``methodology`` and ``month`` (YYYY-MM, UTC);
    see :func:`zerocity.accounts.household.k_anonymous_aggregate` for the columns.
    """
    rows = session.execute(
        select(
            HouseholdEvent.household,
            HouseholdEvent.behaviour,
            HouseholdEvent.source,
            HouseholdEvent.methodology,
            HouseholdEvent.occurred_at,
            HouseholdEvent.reduction_kg,
            HouseholdEvent.awarded_kg,
            HouseholdEvent.points,
        ).where(HouseholdEvent.status == "accepted")
    ).all()
    frame = pd.DataFrame(
        rows,
        columns=[
            "household_id",
            "behaviour",
            "source",
            "methodology",
            "occurred_at",
            "reduction_kg",
            "awarded_kg",
            "points",
        ],
    )
    frame["month"] = [as_utc(t).strftime("%Y-%m") for t in frame["occurred_at"]]
    keys = [by] if isinstance(by, str) else list(by)
    cols = [values] if isinstance(values, str) else list(values)
    unknown = [c for c in keys + cols if c not in frame or c in ("household_id", "occurred_at")]
    if unknown:
        raise HouseholdInputError(f"cannot aggregate by or over {', '.join(unknown)}")
    return k_anonymous_aggregate(frame, keys, cols, k=k)
