"""The ledger on the project database: entries, append batches, signed tree heads, evidence.

An **entry** is a JSON object (RFC 8785 canonical form is the leaf)::

    {"v": 1, "type": "mrv.report.submitted", "actor": "acme-reporter", "tenant": "demo",
     "time": "2026-11-25T21:00:00.000Z", "subject": "report:9132...:2024",
     "payload": {...} | "payload_sha256": "<hex>", "evidence": ["<sha256>", ...], "refs": [12, 40],
     "signature": {"key_id": "<hex>", "value": "<base64>"}}

``signature`` (optional) is the actor's Ed25519 signature over the canonical JSON of the entry
without ``signature``; the actor's key must have been registered by an earlier entry
(``actor.registered``), and a signature that does not verify is refused. ``refs`` are indices
of earlier entries (what a correction corrects, what a decision decides).

**Append** (:meth:`Ledger.append`): a batch of entries becomes leaves ``n .. n+m-1`` in one
database transaction, together with the hashes of every perfect subtree the batch completes
and the platform's signed tree head for size ``n+m`` (RFC 6962 section 3.5 TreeHeadSignature,
Ed25519). Either the whole batch is there or none of it: a crash mid-append leaves the log at
its last complete batch. Two appenders racing for the same indices collide on the primary key;
the loser retries on the new tail. There is no update or delete path.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from zerocity.errors import ZerocityError
from zerocity.ledger import merkle
from zerocity.ledger.canonical import bytes_sha256, canonical_json
from zerocity.ledger.signing import key_id, load_public_key, public_key_text, sign, tree_head_message, verify_signature
from zerocity.store.db import session_scope, write_transaction
from zerocity.store.models import EvidenceFile, LedgerEntry, LedgerNode, LedgerTreeHead

__all__ = [
    "ENTRY_VERSION",
    "Entry",
    "EntryDraft",
    "Ledger",
    "LedgerError",
    "TreeHead",
    "sign_entry",
]

log = logging.getLogger(__name__)

#: Version of the entry format (``v``).
ENTRY_VERSION = 1
#: Entry fields: required ones and all of them.
_REQUIRED = ("v", "type", "actor", "tenant", "time")
#: Widths of the columns that copy entry fields (models.LedgerEntry).
_WIDTHS = {"type": 64, "tenant": 64, "actor": 200, "subject": 200}
_FIELDS = frozenset({*_REQUIRED, "subject", "payload", "payload_sha256", "evidence", "refs", "signature"})
_RETRIES = 5
#: PostgreSQL advisory lock key of the ledger's append transaction ("ZCLEDGER" as a 64-bit int).
LEDGER_LOCK_ID = int.from_bytes(b"ZCLEDGER", "big") - (1 << 63)
_ENTRIES: Table = LedgerEntry.__table__  # type: ignore[assignment]
_NODES: Table = LedgerNode.__table__  # type: ignore[assignment]
_TIME = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z")


class LedgerError(ZerocityError, ValueError):
    """An entry the ledger refuses, or a ledger that cannot be used."""

    code = "ledger"


@dataclass(frozen=True)
class EntryDraft:
    """What a caller wants recorded; :meth:`Ledger.append` turns it into an entry.

    Attributes
    ----------
    type : str
        Event type, dotted (``inventory.computed``, ``mrv.report.verified``...).
    actor : str
        Who did it (a registered actor, or ``platform``).
    payload : dict, optional
        The event data (canonical JSON); or only its hash in ``payload_sha256`` when the data
        lives elsewhere (an evidence file, a stored inventory).
    subject : str
        What the entry is about (a report id...), for look-ups.
    evidence : tuple of str
        SHA-256 of evidence files (stored first with :meth:`Ledger.add_evidence`).
    refs : tuple of int
        Indices of earlier entries this one refers to.
    tenant : str
        The city the entry belongs to.
    """

    type: str
    actor: str
    payload: Mapping[str, Any] | None = None
    payload_sha256: str | None = None
    subject: str = ""
    evidence: tuple[str, ...] = ()
    refs: tuple[int, ...] = ()
    tenant: str = "default"

    def body(self, moment: datetime | None = None) -> dict[str, Any]:
        """The entry object without signature, stamped with ``moment`` (default now, UTC)."""
        when = (moment or datetime.now(UTC)).astimezone(UTC)
        out: dict[str, Any] = {
            "v": ENTRY_VERSION,
            "type": self.type,
            "actor": self.actor,
            "tenant": self.tenant,
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        }
        if self.subject:
            out["subject"] = self.subject
        if self.payload is not None:
            out["payload"] = dict(self.payload)
        if self.payload_sha256 is not None:
            out["payload_sha256"] = self.payload_sha256
        if self.evidence:
            out["evidence"] = list(self.evidence)
        if self.refs:
            out["refs"] = [int(r) for r in self.refs]
        return out


def sign_entry(body: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The entry with the actor's signature over the canonical JSON of ``body``."""
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    value = sign(key, canonical_json(unsigned))
    return {**unsigned, "signature": {"key_id": key_id(key.public_key()), "value": base64.b64encode(value).decode()}}


@dataclass(frozen=True)
class Entry:
    """A stored entry: its index, its leaf bytes and the parsed object."""

    index: int
    leaf: bytes
    data: dict[str, Any]

    @property
    def type(self) -> str:
        """Event type."""
        return str(self.data["type"])

    @property
    def actor(self) -> str:
        """Who did it."""
        return str(self.data["actor"])

    @property
    def subject(self) -> str:
        """What it is about ('' when nothing in particular)."""
        return str(self.data.get("subject", ""))

    @property
    def payload(self) -> dict[str, Any]:
        """The event data ({} when the entry holds only its hash)."""
        return dict(self.data.get("payload") or {})

    @property
    def refs(self) -> list[int]:
        """Indices of the earlier entries it refers to."""
        return [int(r) for r in self.data.get("refs", [])]


@dataclass(frozen=True)
class TreeHead:
    """A signed tree head (RFC 6962 section 3.5) of the ledger."""

    size: int
    root: bytes
    timestamp_ms: int
    signature: bytes
    key_id: str

    def message(self) -> bytes:
        """The bytes the platform signed."""
        return tree_head_message(self.size, self.root, self.timestamp_ms)

    def verify(self, public_key: Ed25519PublicKey) -> bool:
        """Whether the signature is the platform key's over (size, root, timestamp)."""
        return verify_signature(public_key, self.message(), self.signature)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (hex root, base64 signature)."""
        return {
            "size": self.size,
            "root": self.root.hex(),
            "timestamp_ms": self.timestamp_ms,
            "signature": base64.b64encode(self.signature).decode(),
            "key_id": self.key_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TreeHead:
        """Read the form of :meth:`to_dict`; malformed input raises :class:`LedgerError`."""
        try:
            return cls(
                size=int(data["size"]),
                root=bytes.fromhex(str(data["root"])),
                timestamp_ms=int(data["timestamp_ms"]),
                signature=base64.b64decode(str(data["signature"]), validate=True),
                key_id=str(data["key_id"]),
            )
        except (KeyError, ValueError, TypeError, binascii.Error) as exc:
            raise LedgerError(f"malformed tree head {dict(data)!r}: {exc}") from exc


class _DatabaseSource:
    """Perfect-subtree hashes from the database (``merkle.SubtreeSource``), fetched per proof."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.cache: dict[tuple[int, int], bytes] = {}

    def prefetch(self, keys: Iterable[tuple[int, int]]) -> None:
        """Fetch the hashes of ``(level, index)`` nodes in (at most) two queries."""
        wanted = [k for k in set(keys) if k not in self.cache]
        leaves = sorted(int(i) for level, i in wanted if level == 0)
        by_level: dict[int, list[int]] = {}
        for level, index in wanted:
            if level > 0:
                by_level.setdefault(int(level), []).append(int(index))
        # Plain SQL with the integers inlined (they are ints we computed, never user text): a
        # proof needs ~40 nodes and statement building through the ORM would cost more than
        # the look-ups. One (level = l AND index IN ...) term per level keeps every term a
        # primary-key look-up.
        if leaves:
            sql = f"SELECT idx, leaf_hash FROM ledger_entries WHERE idx IN ({', '.join(map(str, leaves))})"
            for idx, digest in self.session.execute(text(sql)):
                self.cache[(0, int(idx))] = bytes(digest)
        if by_level:
            terms = " OR ".join(
                f'(level = {lv} AND "index" IN ({", ".join(map(str, sorted(ix)))}))' for lv, ix in by_level.items()
            )
            for level, index, digest in self.session.execute(
                text(f'SELECT level, "index", hash FROM ledger_nodes WHERE {terms}')
            ):
                self.cache[(int(level), int(index))] = bytes(digest)

    def perfect(self, level: int, index: int) -> bytes:
        key = (level, index)
        if key not in self.cache:
            self.prefetch([key])
        try:
            return self.cache[key]
        except KeyError:
            raise LedgerError(f"the ledger has no node at level {level}, index {index}") from None


# ------------------------------------------------------------------------------ the ledger
@dataclass
class Ledger:
    """The MRV ledger of one database.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        A migrated zerocity database.
    platform_key : Ed25519PrivateKey, optional
        Signs tree heads; needed to append, not to read or prove.
    """

    engine: Engine
    platform_key: Ed25519PrivateKey | None = None
    _clock: Any = field(default=time.time, repr=False)

    # ---------------------------------------------------------------- reading
    def size(self, session: Session | None = None) -> int:
        """Number of entries."""
        with self._session(session) as s:
            return int(s.scalar(select(func.count()).select_from(LedgerEntry)) or 0)

    def latest_head(self, session: Session | None = None) -> TreeHead | None:
        """The newest signed tree head, or None for an empty ledger."""
        with self._session(session) as s:
            row = s.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.size.desc()).limit(1)).first()
            return None if row is None else _head(row)

    def head(self, size: int, session: Session | None = None) -> TreeHead:
        """The signed tree head of exactly ``size`` entries.

        Raises
        ------
        LedgerError
            When no batch ended at that size.
        """
        with self._session(session) as s:
            row = s.get(LedgerTreeHead, size)
            if row is None:
                raise LedgerError(f"no signed tree head of size {size}")
            return _head(row)

    def heads(self, session: Session | None = None) -> list[TreeHead]:
        """Every signed tree head, oldest first."""
        with self._session(session) as s:
            return [_head(r) for r in s.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.size))]

    def entry(self, index: int, session: Session | None = None) -> Entry:
        """The entry at ``index``.

        Raises
        ------
        LedgerError
            When there is none.
        """
        with self._session(session) as s:
            row = s.get(LedgerEntry, index)
            if row is None:
                raise LedgerError(f"no ledger entry {index} (the ledger has {self.size(s)} entries)")
            return Entry(int(row.idx), bytes(row.entry), json.loads(bytes(row.entry)))

    def entries(
        self,
        *,
        type_prefix: str | None = None,
        subject: str | None = None,
        session: Session | None = None,
    ) -> list[Entry]:
        """Entries in index order, optionally of a type (prefix) or subject."""
        with self._session(session) as s:
            stmt = select(LedgerEntry.idx, LedgerEntry.entry).order_by(LedgerEntry.idx)
            if type_prefix:
                stmt = stmt.where(LedgerEntry.entry_type.startswith(type_prefix))
            if subject is not None:
                stmt = stmt.where(LedgerEntry.subject == subject)
            return [Entry(int(i), bytes(e), json.loads(bytes(e))) for i, e in s.execute(stmt)]

    def actor_keys(self, session: Session | None = None) -> dict[str, dict[str, Any]]:
        """Registered actors by key id: ``{"actor", "role", "entity", "public_key", "index"}``."""
        out: dict[str, dict[str, Any]] = {}
        for e in self.entries(type_prefix="actor.registered", session=session):
            p = e.payload
            out[str(p["key_id"])] = {**p, "index": e.index}
        return out

    def actors(self, session: Session | None = None) -> dict[str, dict[str, Any]]:
        """Registered actors by name (the latest registration of each)."""
        return {v["actor"]: v for v in self.actor_keys(session).values()}

    # ---------------------------------------------------------------- proofs
    def inclusion_proof(self, index: int, size: int | None = None, session: Session | None = None) -> dict[str, Any]:
        """A standalone inclusion proof of entry ``index`` in the tree head of ``size``.

        The default size is the newest tree head. The proof holds the entry, the signed tree head
        and the audit path; :func:`zerocity.ledger.verify.check_proof` checks it with only the
        platform's public key.
        """
        with self._session(session) as s:
            head = self.latest_head(s) if size is None else self.head(size, s)
            if head is None or index >= head.size or index < 0:
                raise LedgerError(f"entry {index} is not in the tree head of size {head.size if head else 0}")
            source = _DatabaseSource(s)
            source.prefetch(merkle.inclusion_proof_nodes(index, head.size))
            path = merkle.inclusion_proof(index, head.size, source)
            entry = self.entry(index, s)
            return {
                "format": "zerocity-inclusion-proof/1",
                "index": index,
                "entry": entry.leaf.decode("utf-8"),
                "tree_head": head.to_dict(),
                "inclusion": [h.hex() for h in path],
            }

    def consistency_proof(
        self, old_size: int, new_size: int | None = None, session: Session | None = None
    ) -> dict[str, Any]:
        """A consistency proof between two signed tree heads (RFC 6962 section 2.1.2)."""
        with self._session(session) as s:
            new = self.latest_head(s) if new_size is None else self.head(new_size, s)
            old = self.head(old_size, s)
            if new is None or old.size > new.size:
                raise LedgerError(f"no consistency proof from size {old_size} to {new_size}")
            source = _DatabaseSource(s)
            source.prefetch(merkle.consistency_proof_nodes(old.size, new.size))
            path = merkle.consistency_proof(old.size, new.size, source)
            return {
                "format": "zerocity-consistency-proof/1",
                "old_tree_head": old.to_dict(),
                "new_tree_head": new.to_dict(),
                "consistency": [h.hex() for h in path],
            }

    # ---------------------------------------------------------------- writing
    def add_evidence(
        self, content: bytes, *, name: str, media_type: str = "application/octet-stream", session: Session | None = None
    ) -> str:
        """Store a file by the SHA-256 of its content (once) and return that hash."""
        digest = bytes_sha256(content)
        with self._session(session, write=True) as s:
            if s.get(EvidenceFile, digest) is None:
                s.add(
                    EvidenceFile(
                        sha256=digest, size=len(content), name=name[:300], media_type=media_type[:100], content=content
                    )
                )
                s.flush()  # visible to the checks of an append in the same transaction
        return digest

    def evidence(self, digest: str, session: Session | None = None) -> EvidenceFile:
        """A stored evidence file.

        Raises
        ------
        LedgerError
            When no file has that hash.
        """
        with self._session(session) as s:
            row = s.get(EvidenceFile, digest)
            if row is None:
                raise LedgerError(f"no evidence file with SHA-256 {digest}")
            return row

    def append(
        self, entries: Sequence[Mapping[str, Any] | EntryDraft], *, session: Session | None = None
    ) -> tuple[list[int], TreeHead]:
        """Append a batch of entries and publish a signed tree head over it.

        Parameters
        ----------
        entries : sequence of EntryDraft or dict
            Drafts (stamped now, unsigned) or entry objects from :meth:`EntryDraft.body`,
            possibly signed by their actor with :func:`sign_entry`.
        session : sqlalchemy.orm.Session, optional
            Append inside the caller's transaction, so that a state change and its ledger entry
            commit (or roll back) together; no retry then (the caller's transaction fails on a
            collision).

        Returns
        -------
        indices : list of int
        head : TreeHead
            The signed tree head that includes the batch.

        Raises
        ------
        LedgerError
            When an entry is malformed, refers to unknown evidence or entries, or carries a
            signature that does not verify with its actor's registered key. Nothing is appended.
        """
        if self.platform_key is None:
            raise LedgerError("appending needs the platform key (zerocity ledger init)")
        if not entries:
            raise LedgerError("an append batch needs at least one entry")
        bodies = [e.body() if isinstance(e, EntryDraft) else dict(e) for e in entries]
        leaves = [canonical_json(b) for b in bodies]
        if session is not None:
            return self._append(session, bodies, leaves)
        for attempt in range(_RETRIES):
            try:
                with self.transaction() as s:
                    return self._append(s, bodies, leaves)
            except OperationalError as exc:  # SQLite busy beyond its timeout
                if attempt == _RETRIES - 1:
                    raise LedgerError(f"could not append after {_RETRIES} attempts: {exc}") from exc
                log.info("ledger busy (%s); retrying", type(exc).__name__)
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def transaction(self) -> Any:
        """A session holding the ledger's write lock: read state, then append, with no one between.

        Use it to check a precondition against the ledger (a report's state) and append in the
        same transaction (``append(..., session=s)``); appends are serialised through it.
        """
        return write_transaction(self.engine, LEDGER_LOCK_ID)

    def _append(self, s: Session, bodies: list[dict[str, Any]], leaves: list[bytes]) -> tuple[list[int], TreeHead]:
        assert self.platform_key is not None
        _take_append_lock(s)
        size = int(s.scalar(select(func.count()).select_from(LedgerEntry)) or 0)
        keys = self.actor_keys(s)
        for pos, body in enumerate(bodies):
            self._check(s, body, size + pos, size, keys, bodies[:pos])
            if body["type"] == "actor.registered":  # usable by the next entries of the batch
                keys[str(body["payload"]["key_id"])] = {**body["payload"], "index": size + pos}
        source = _DatabaseSource(s)
        source.prefetch(merkle.frontier_nodes(size))
        hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
        runs = merkle.append_nodes(size, hashes, source)
        nodes = [node for run in runs if run.level > 0 for node in run.nodes()]
        for level, index, digest in (node for run in runs for node in run.nodes()):
            source.cache[(level, index)] = digest
        new_size = size + len(leaves)
        root = merkle.subtree_hash(0, new_size, source)
        # Never earlier than the previous head (the wall clock may step back): timestamps increase.
        previous = s.scalar(select(func.max(LedgerTreeHead.timestamp_ms)))
        stamp = max(int(self._clock() * 1000), int(previous or 0))
        head = TreeHead(
            size=new_size,
            root=root,
            timestamp_ms=stamp,
            signature=sign(self.platform_key, tree_head_message(new_size, root, stamp)),
            key_id=key_id(self.platform_key.public_key()),
        )
        s.execute(
            insert(_ENTRIES),  # Core insert: no ORM bookkeeping per row
            [
                {
                    "idx": size + i,
                    "entry": leaf,
                    "leaf_hash": digest,
                    "batch_size": new_size,
                    "entry_type": str(body["type"]),
                    "actor": str(body["actor"]),
                    "tenant": str(body["tenant"]),
                    "subject": str(body.get("subject", "")),
                }
                for i, (body, leaf, digest) in enumerate(zip(bodies, leaves, hashes, strict=True))
            ],
        )
        if nodes:
            s.execute(
                insert(_NODES),
                [{"level": level, "index": index, "hash": digest} for level, index, digest in nodes],
            )
        s.add(
            LedgerTreeHead(
                size=head.size,
                root=head.root,
                timestamp_ms=head.timestamp_ms,
                signature=head.signature,
                key_id=head.key_id,
            )
        )
        s.flush()
        return list(range(size, new_size)), head

    def _check(
        self,
        s: Session,
        body: Mapping[str, Any],
        index: int,
        size: int,
        keys: Mapping[str, Mapping[str, Any]],
        earlier: Sequence[Mapping[str, Any]],
    ) -> None:
        """Refuse a malformed entry, unknown evidence or references, or a bad signature."""
        where = f"entry {index} ({body.get('type', '?')})"
        problem = entry_problem(body)
        if problem:
            raise LedgerError(f"{where}: {problem}")
        for digest in body.get("evidence", []):
            if s.get(EvidenceFile, str(digest)) is None:
                raise LedgerError(f"{where}: evidence {digest} is not stored (add the file first)")
        for ref in body.get("refs", []):
            if not 0 <= int(ref) < index:
                raise LedgerError(f"{where}: refers to entry {ref}, which does not precede it")
        if body["type"] == "actor.registered":
            problem = registration_problem(body.get("payload"))
            if problem:
                raise LedgerError(f"{where}: {problem}")
        sig = body.get("signature")
        if sig is not None:
            reg = keys.get(str(sig.get("key_id")))
            if reg is None or reg["actor"] != body["actor"]:
                raise LedgerError(
                    f"{where}: signing key {sig.get('key_id')} is not registered for actor {body['actor']!r}"
                )
            unsigned = {k: v for k, v in body.items() if k != "signature"}
            try:
                value = base64.b64decode(str(sig.get("value")), validate=True)
            except (binascii.Error, ValueError):
                value = b""
            if not verify_signature(load_public_key(str(reg["public_key"])), canonical_json(unsigned), value):
                raise LedgerError(f"{where}: the actor's signature does not verify; entry refused")

    # ---------------------------------------------------------------- helpers
    def _session(self, session: Session | None, write: bool = False) -> Any:
        if session is not None:
            return _Borrowed(session)
        return session_scope(self.engine)

    def public_key(self) -> Ed25519PublicKey:
        """The platform's public key (tree heads verify with it)."""
        if self.platform_key is None:
            raise LedgerError("no platform key")
        return self.platform_key.public_key()

    def public_key_text(self) -> str:
        """The platform's public key as ``ed25519:BASE64``."""
        return public_key_text(self.public_key())


def _take_append_lock(s: Session) -> None:
    """Hold the ledger's write lock before reading the tail, also in a caller's transaction.

    PostgreSQL: the transaction-scoped advisory lock (re-entrant within one transaction).
    SQLite: a write statement that writes nothing, so the transaction holds the database's
    write lock (waiting for another writer) before it reads the size.
    """
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": LEDGER_LOCK_ID})
    else:
        s.execute(text("INSERT INTO ledger_tree_heads SELECT * FROM ledger_tree_heads WHERE 1 = 0"))


class _Borrowed:
    """Context manager that yields a caller's session without committing or closing it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        return None


def _head(row: LedgerTreeHead) -> TreeHead:
    return TreeHead(int(row.size), bytes(row.root), int(row.timestamp_ms), bytes(row.signature), str(row.key_id))


def entry_problem(body: Mapping[str, Any]) -> str | None:
    """Why an entry object is malformed, or None."""
    missing = [k for k in _REQUIRED if k not in body]
    if missing:
        return f"missing field(s) {', '.join(missing)}"
    unknown = sorted(set(body) - _FIELDS)
    if unknown:
        return f"unknown field(s) {', '.join(unknown)}"
    if body["v"] != ENTRY_VERSION:
        return f"entry version {body['v']!r}; expected {ENTRY_VERSION}"
    for name in ("type", "actor", "tenant", "time"):
        if not isinstance(body[name], str) or not body[name]:
            return f"{name} must be a non-empty string"
    for name, width in _WIDTHS.items():
        if len(str(body.get(name, ""))) > width:
            return f"{name} is longer than {width} characters"
    if "payload" in body and not isinstance(body["payload"], dict):
        return "payload must be an object"
    if "payload" in body and "payload_sha256" in body:
        return "give payload or payload_sha256, not both"
    sha = body.get("payload_sha256")
    if sha is not None and not _is_hex(sha, 64):
        return "payload_sha256 must be 64 lowercase hex digits"
    for digest in body.get("evidence", []):
        if not _is_hex(digest, 64):
            return f"evidence hash {digest!r} is not 64 lowercase hex digits"
    refs = body.get("refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, int) and not isinstance(r, bool) for r in refs):
        return "refs must be a list of entry indices"
    sig = body.get("signature")
    if sig is not None and not (isinstance(sig, dict) and set(sig) == {"key_id", "value"}):
        return "signature must be {key_id, value}"
    if not _TIME.fullmatch(str(body["time"])):
        return f"time {body['time']!r} is not YYYY-MM-DDTHH:MM:SS.mmmZ (UTC)"
    return None


def registration_problem(payload: object) -> str | None:
    """Why the payload of an ``actor.registered`` entry is unusable, or None."""
    if not isinstance(payload, dict):
        return "an actor registration needs a payload object"
    missing = [k for k in ("actor", "role", "public_key", "key_id") if not isinstance(payload.get(k), str)]
    if missing:
        return f"actor registration without {', '.join(missing)}"
    try:
        public = load_public_key(str(payload["public_key"]))
    except ValueError as exc:
        return f"registered public key is unreadable: {exc}"
    if key_id(public) != payload["key_id"]:
        return "registered key_id is not the SHA-256 of the registered public key"
    return None


def _is_hex(value: object, length: int) -> bool:
    return isinstance(value, str) and len(value) == length and all(c in "0123456789abcdef" for c in value)


def iter_batches(sizes: Sequence[int]) -> Iterator[tuple[int, int]]:
    """(start, end) of each append batch from the sizes of the tree heads."""
    start = 0
    for end in sizes:
        yield start, end
        start = end
