"""Checking the ledger: everything recomputed from the entries, on the database or on an export.

:func:`verify_snapshot` recomputes every leaf hash from the entry bytes and the whole tree from
the leaves, and checks, in this order of reporting:

* each entry: valid canonical JSON (RFC 8785) of a well-formed entry; the stored leaf hash and
  the copied columns (type, actor, tenant, subject, batch) agree with it; its actor signature (if
  any) verifies with a key registered by an earlier entry; its evidence files exist and its
  references point backwards;
* each evidence file: its content hashes to its name;
* each stored perfect-subtree node equals the recomputed one;
* each signed tree head: the platform's Ed25519 signature over (size, root, timestamp) verifies
  and the root equals the recomputed root of the first ``size`` entries; the newest head covers
  every entry; sizes and timestamps increase.

The first problem by entry index is what ``zerocity ledger verify`` reports first. An export
(:func:`export_ledger`) holds the entries, tree heads, public key and evidence files, and
:func:`load_export` reads it back for the same check with no database.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.engine import Engine

from zerocity.ledger import merkle
from zerocity.ledger.canonical import bytes_sha256, canonical_json
from zerocity.ledger.log import TreeHead, entry_problem, registration_problem
from zerocity.ledger.signing import key_id, load_public_key, public_key_text, verify_signature
from zerocity.store.db import session_scope
from zerocity.store.models import EvidenceFile, LedgerEntry, LedgerNode, LedgerTreeHead

__all__ = [
    "LedgerSnapshot",
    "Problem",
    "StoredEntry",
    "VerifyReport",
    "check_proof",
    "export_ledger",
    "load_export",
    "snapshot_from_db",
    "verify_snapshot",
]

EXPORT_FORMAT = "zerocity-ledger-export/1"


@dataclass(frozen=True)
class StoredEntry:
    """An entry row as stored: the leaf and what the database keeps beside it."""

    index: int
    leaf: bytes
    leaf_hash: bytes | None = None
    batch_size: int | None = None
    columns: Mapping[str, str] | None = None


@dataclass
class LedgerSnapshot:
    """Everything verification reads, from the database or from an export."""

    entries: list[StoredEntry]
    heads: list[TreeHead]
    public_key: Ed25519PublicKey
    evidence: dict[str, bytes] = field(default_factory=dict)
    nodes: dict[tuple[int, int], bytes] | None = None
    evidence_sizes: dict[str, int] | None = None


@dataclass(frozen=True)
class Problem:
    """One thing that does not check out.

    Attributes
    ----------
    kind : str
        ``entry``, ``evidence``, ``node`` or ``tree_head``.
    where : int or str
        Entry index, evidence hash, ``level/index`` of a node, or tree head size.
    reason : str
    """

    kind: str
    where: int | str
    reason: str

    def __str__(self) -> str:
        label = {"entry": "entry", "evidence": "evidence file", "node": "node", "tree_head": "tree head of size"}
        return f"{label.get(self.kind, self.kind)} {self.where}: {self.reason}"


@dataclass
class VerifyReport:
    """Outcome of a verification."""

    size: int
    heads: int
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        """No problem found."""
        return not self.problems

    @property
    def first_bad_entry(self) -> int | None:
        """Lowest entry index named by a problem (tree heads name the first entry they cover)."""
        indices = [p.where for p in self.problems if p.kind == "entry" and isinstance(p.where, int)]
        return min(indices) if indices else None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``zerocity ledger verify --json``)."""
        return {
            "ok": self.ok,
            "entries": self.size,
            "tree_heads": self.heads,
            "first_bad_entry": self.first_bad_entry,
            "problems": [{"kind": p.kind, "where": p.where, "reason": p.reason} for p in self.problems],
        }


def verify_snapshot(snapshot: LedgerSnapshot) -> VerifyReport:
    """Recompute and check everything (see the module docstring)."""
    problems: list[Problem] = []
    entries = sorted(snapshot.entries, key=lambda e: e.index)
    n = len(entries)
    for pos, e in enumerate(entries):
        if e.index != pos:
            problems.append(Problem("entry", pos, f"missing: indices jump from {pos - 1} to {e.index}"))
            break
    head_sizes = sorted(h.size for h in snapshot.heads)
    keys: dict[str, Mapping[str, Any]] = {}
    leaf_hashes: list[bytes] = []
    for e in entries:
        digest = merkle.leaf_hash(e.leaf)
        leaf_hashes.append(digest)
        for reason in _entry_reasons(e, digest, keys, snapshot.evidence, head_sizes):
            problems.append(Problem("entry", e.index, reason))
    for sha, content in sorted(snapshot.evidence.items()):
        if bytes_sha256(content) != sha:
            problems.append(Problem("evidence", sha, "content does not hash to the file's name (altered)"))
        if snapshot.evidence_sizes is not None and snapshot.evidence_sizes.get(sha) != len(content):
            problems.append(
                Problem("evidence", sha, f"stored size {snapshot.evidence_sizes.get(sha)} is not the content's")
            )
    tree = merkle.MemoryTree(leaf_hashes)
    if snapshot.nodes is not None:
        for (level, index), stored in sorted(snapshot.nodes.items()):
            if ((index + 1) << level) > n:
                problems.append(Problem("node", f"{level}/{index}", "covers entries the ledger does not have"))
            elif tree.perfect(level, index) != stored:
                first = index << level
                problems.append(
                    Problem(
                        "node",
                        f"{level}/{index}",
                        f"hash differs from the entries {first}-{((index + 1) << level) - 1}",
                    )
                )
        expected = {(lv, ix) for lv, ix in _all_perfect_nodes(n)}
        missing = sorted(expected - set(snapshot.nodes))
        for level, index in missing[:10]:
            problems.append(Problem("node", f"{level}/{index}", "missing"))
    named = {int(p.where) for p in problems if p.kind == "entry" and isinstance(p.where, int)}
    problems.extend(_head_problems(snapshot, tree, n, named))
    problems.sort(key=_problem_order)
    return VerifyReport(size=n, heads=len(snapshot.heads), problems=problems)


def _entry_reasons(
    e: StoredEntry,
    digest: bytes,
    keys: dict[str, Mapping[str, Any]],
    evidence: Mapping[str, bytes],
    head_sizes: list[int],
) -> list[str]:
    reasons: list[str] = []
    if e.leaf_hash is not None and e.leaf_hash != digest:
        reasons.append("stored leaf hash differs from SHA-256(0x00 || entry)")
    try:
        body = json.loads(e.leaf.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [*reasons, f"entry is not JSON: {exc}"]
    if not isinstance(body, dict):
        return [*reasons, "entry is not a JSON object"]
    try:
        canonical = canonical_json(body)
    except (TypeError, ValueError) as exc:
        return [*reasons, f"entry cannot be canonicalised: {exc}"]
    if canonical != e.leaf:
        reasons.append("entry bytes are not the RFC 8785 canonical form of its content")
    problem = entry_problem(body)
    if problem:
        return [*reasons, problem]
    if e.columns is not None:
        for name, value in (
            ("entry_type", body["type"]),
            ("actor", body["actor"]),
            ("tenant", body["tenant"]),
            ("subject", body.get("subject", "")),
        ):
            if e.columns.get(name) != value:
                reasons.append(f"stored column {name} {e.columns.get(name)!r} differs from the entry's {value!r}")
    if e.batch_size is not None:
        covering = [s for s in head_sizes if s > e.index]
        if not covering or covering[0] != e.batch_size:
            reasons.append(f"stored batch size {e.batch_size} is not the first tree head covering the entry")
    for sha in body.get("evidence", []):
        if sha not in evidence:
            reasons.append(f"evidence file {sha} is missing")
    for ref in body.get("refs", []):
        if not 0 <= ref < e.index:
            reasons.append(f"refers to entry {ref}, which does not precede it")
    sig = body.get("signature")
    if sig is not None:
        reg = keys.get(str(sig["key_id"]))
        if reg is None or reg["actor"] != body["actor"]:
            reasons.append(f"signing key {sig['key_id']} was not registered for {body['actor']!r} before this entry")
        else:
            unsigned = {k: v for k, v in body.items() if k != "signature"}
            try:
                value = base64.b64decode(str(sig["value"]), validate=True)
            except (binascii.Error, ValueError):
                value = b""
            if not verify_signature(load_public_key(str(reg["public_key"])), canonical_json(unsigned), value):
                reasons.append("the actor's signature does not verify")
    if body["type"] == "actor.registered":
        problem = registration_problem(body.get("payload"))
        if problem:
            reasons.append(problem)
        else:
            keys[str(body["payload"]["key_id"])] = body["payload"]
    return reasons


def _head_problems(snapshot: LedgerSnapshot, tree: merkle.MemoryTree, n: int, named: set[int]) -> list[Problem]:
    problems: list[Problem] = []
    heads = sorted(snapshot.heads, key=lambda h: h.size)
    platform_id = key_id(snapshot.public_key)
    previous: TreeHead | None = None
    located = False
    for head in heads:
        authentic = head.verify(snapshot.public_key)
        if head.key_id != platform_id:
            problems.append(Problem("tree_head", head.size, f"signed by key {head.key_id}, not the platform key"))
        if not authentic:
            problems.append(Problem("tree_head", head.size, "signature does not verify with the platform public key"))
        if head.size > n:
            problems.append(Problem("tree_head", head.size, f"covers {head.size} entries; the ledger has {n}"))
        elif tree.root(head.size) != head.root:
            problems.append(Problem("tree_head", head.size, "root differs from the tree recomputed from the entries"))
            start = previous.size if previous is not None else 0
            if authentic and not located and not any(start <= i < head.size for i in named):
                # The signed head is genuine and the previous one matched, yet no entry of the batch
                # shows a problem of its own: an entry was rewritten consistently (leaf hash and
                # nodes too). Name the batch's first entry.
                problems.append(
                    Problem(
                        "entry",
                        start,
                        f"entries {start}-{head.size - 1} do not match the signed tree head of size {head.size}: "
                        f"one of them was rewritten consistently (the first is named)",
                    )
                )
            located = located or authentic
        if previous is not None and head.timestamp_ms < previous.timestamp_ms:
            problems.append(Problem("tree_head", head.size, "timestamp earlier than the previous tree head's"))
        previous = head
    if n and (not heads or heads[-1].size != n):
        problems.append(Problem("tree_head", n, f"no signed tree head covers all {n} entries"))
    return problems


def _problem_order(p: Problem) -> tuple[int, int, str]:
    rank = {"entry": 0, "evidence": 1, "node": 2, "tree_head": 3}[p.kind]
    where = p.where if isinstance(p.where, int) else 0
    return (rank, where, str(p.where))


def _all_perfect_nodes(n: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    level = 1
    while (1 << level) <= n:
        out.extend((level, i) for i in range(n >> level))
        level += 1
    return out


# ------------------------------------------------------------------------------ sources
def snapshot_from_db(engine: Engine, public_key: Ed25519PublicKey) -> LedgerSnapshot:
    """Read the whole ledger (entries, nodes, heads, evidence) from a database."""
    with session_scope(engine) as s:
        entries = [
            StoredEntry(
                int(r.idx),
                bytes(r.entry),
                bytes(r.leaf_hash),
                int(r.batch_size),
                {"entry_type": r.entry_type, "actor": r.actor, "tenant": r.tenant, "subject": r.subject},
            )
            for r in s.execute(select(LedgerEntry).order_by(LedgerEntry.idx)).scalars()
        ]
        nodes = {
            (int(level), int(index)): bytes(digest)
            for level, index, digest in s.execute(select(LedgerNode.level, LedgerNode.index, LedgerNode.hash))
        }
        heads = [
            TreeHead(int(h.size), bytes(h.root), int(h.timestamp_ms), bytes(h.signature), str(h.key_id))
            for h in s.execute(select(LedgerTreeHead).order_by(LedgerTreeHead.size)).scalars()
        ]
        evidence: dict[str, bytes] = {}
        sizes: dict[str, int] = {}
        for sha, size, content in s.execute(select(EvidenceFile.sha256, EvidenceFile.size, EvidenceFile.content)):
            evidence[str(sha)] = bytes(content)
            sizes[str(sha)] = int(size)
    return LedgerSnapshot(
        entries=entries, heads=heads, public_key=public_key, evidence=evidence, nodes=nodes, evidence_sizes=sizes
    )


def export_ledger(engine: Engine, public_key: Ed25519PublicKey, directory: Path) -> dict[str, Any]:
    """Write the ledger for an outside auditor: entries, tree heads, public key, evidence files.

    Layout: ``ledger.json`` (format, public key, tree heads), ``entries.jsonl`` (one
    ``{"index", "entry"}`` per line, ``entry`` being the canonical JSON text of the leaf) and
    ``evidence/<sha256>``. :func:`load_export` and ``zerocity ledger verify --export`` read it.
    """
    snap = snapshot_from_db(engine, public_key)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "evidence").mkdir(exist_ok=True)
    with (directory / "entries.jsonl").open("w", encoding="utf-8") as fh:
        for e in snap.entries:
            fh.write(json.dumps({"index": e.index, "entry": e.leaf.decode("utf-8")}, ensure_ascii=False) + "\n")
    for sha, content in snap.evidence.items():
        (directory / "evidence" / sha).write_bytes(content)
    meta = {
        "format": EXPORT_FORMAT,
        "public_key": public_key_text(public_key),
        "entries": len(snap.entries),
        "tree_heads": [h.to_dict() for h in snap.heads],
    }
    (directory / "ledger.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return {
        "directory": str(directory),
        "entries": len(snap.entries),
        "tree_heads": len(snap.heads),
        "evidence": len(snap.evidence),
    }


def load_export(directory: Path, public_key: Ed25519PublicKey | None = None) -> LedgerSnapshot:
    """Read an export; ``public_key`` (the one the auditor trusts) overrides the exported one."""
    try:
        meta = json.loads((directory / "ledger.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{directory}: not a zerocity ledger export ({exc})") from exc
    if meta.get("format") != EXPORT_FORMAT:
        raise ValueError(f"{directory}: unknown export format {meta.get('format')!r}")
    entries = []
    with (directory / "entries.jsonl").open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            try:
                row = json.loads(line)
                entries.append(StoredEntry(int(row["index"]), str(row["entry"]).encode("utf-8")))
            except (json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{directory / 'entries.jsonl'} line {line_no}: {exc}") from exc
    evidence_dir = directory / "evidence"
    evidence = {p.name: p.read_bytes() for p in evidence_dir.iterdir()} if evidence_dir.is_dir() else {}
    key = public_key or load_public_key(str(meta["public_key"]))
    heads = [TreeHead.from_dict(h) for h in meta.get("tree_heads", [])]
    return LedgerSnapshot(entries=entries, heads=heads, public_key=key, evidence=evidence, nodes=None)


# ------------------------------------------------------------------------------ proofs
def check_proof(proof: Mapping[str, Any], public_key: Ed25519PublicKey) -> tuple[bool, str]:
    """Check a standalone inclusion proof with only the platform's public key.

    Returns
    -------
    ok : bool
    reason : str
        What was checked, or why it fails.
    """
    try:
        head = TreeHead.from_dict(proof["tree_head"])
        index = int(proof["index"])
        leaf = str(proof["entry"]).encode("utf-8")
        path = [bytes.fromhex(str(h)) for h in proof["inclusion"]]
    except (KeyError, ValueError, TypeError) as exc:
        return False, f"malformed proof: {exc}"
    if not head.verify(public_key):
        return False, "the tree head's signature does not verify with this public key"
    if not merkle.verify_inclusion(merkle.leaf_hash(leaf), index, head.size, path, head.root):
        return False, f"entry {index} is not included in the signed tree head of size {head.size}"
    return True, f"entry {index} is included in the tree head of size {head.size} signed at {head.timestamp_ms} ms"
