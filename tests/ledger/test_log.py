"""The ledger on the database (:mod:`zerocity.ledger.log`): appending, refusing, proving.

Every test runs on SQLite and, with ``ZEROCITY_TEST_POSTGRES_URL``, on PostgreSQL (``db_engine``).

* Appending: indices, signed tree heads (RFC 6962 section 3.5, Ed25519), the stored nodes equal an
  in-memory tree's, entries read back byte for byte.
* Refusals: a malformed entry, unknown evidence, a reference forward, a signature by an unregistered
  key, a signature that does not verify, a key registered for another actor, an unusable actor
  registration, a field longer than its column: a :class:`LedgerError` and nothing appended, also
  when the bad entry comes after good ones in its batch. Whatever append accepts verifies.
* Proofs on a log of 300 entries appended in random batch sizes (fixed seed): every inclusion
  proof of every entry in every signed tree head checks with
  :func:`~zerocity.ledger.verify.check_proof` and equals the in-memory tree's audit path; every
  consistency proof between two tree heads checks with :func:`~zerocity.ledger.merkle.verify_consistency`;
  flipping any single bit of a proof hash, of the signed head (root, signature, timestamp) or of the
  entry makes the check fail (RFC 9162 sections 2.1.3.2 and 2.1.4.2).
* Transactions: a batch is all or nothing; an append in the caller's transaction rolls back with
  it; tree head timestamps never decrease, even when the wall clock steps back.
* Concurrency: two threads appending at once (each its own engine) never corrupt the log, and
  every batch of both lands.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func, select

from zerocity.ledger import merkle
from zerocity.ledger.canonical import bytes_sha256, canonical_json
from zerocity.ledger.log import EntryDraft, Ledger, LedgerError, TreeHead, sign_entry
from zerocity.ledger.mrv import Role, register_actor
from zerocity.ledger.signing import key_id, public_key_text, tree_head_message, verify_signature
from zerocity.ledger.verify import check_proof, snapshot_from_db, verify_snapshot
from zerocity.store.db import session_scope
from zerocity.store.models import EvidenceFile, LedgerEntry, LedgerNode, LedgerTreeHead

#: Seed of the random batch sizes of the proof log.
SEED = 6962
PROOF_LOG_SIZE = 300


def _key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"zerocity-log-{seed}".encode()).digest())


PLATFORM = _key("platform")
ACME = _key("acme")
OTHER = _key("other")


def _counts(engine: Engine) -> tuple[int, ...]:
    """(entries, nodes, tree heads) stored."""
    with session_scope(engine) as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(t)) or 0) for t in (LedgerEntry, LedgerNode, LedgerTreeHead)
        )


def _verify(engine: Engine) -> None:
    report = verify_snapshot(snapshot_from_db(engine, PLATFORM.public_key()))
    assert report.ok, [str(p) for p in report.problems[:5]]


def _notes(n: int, start: int = 0, actor: str = "platform") -> list[EntryDraft]:
    return [EntryDraft("test.note", actor, {"n": start + k}, subject=f"note:{start + k}") for k in range(n)]


# ------------------------------------------------------------------------------ appending
def test_append_assigns_indices_and_publishes_a_signed_tree_head(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    assert ledger.size() == 0
    assert ledger.latest_head() is None
    indices, head = ledger.append(_notes(3))
    assert indices == [0, 1, 2]
    assert head.size == 3
    assert head.key_id == key_id(PLATFORM.public_key())
    assert head.verify(PLATFORM.public_key())
    assert not head.verify(OTHER.public_key())
    # RFC 6962 section 3.5 TreeHeadSignature over (timestamp, size, root).
    assert verify_signature(PLATFORM.public_key(), tree_head_message(3, head.root, head.timestamp_ms), head.signature)
    leaves = [e.leaf for e in ledger.entries()]
    assert head.root == merkle.root_hash(leaves)
    indices, head2 = ledger.append(_notes(5, start=3))
    assert indices == [3, 4, 5, 6, 7]
    assert ledger.size() == 8
    assert [h.size for h in ledger.heads()] == [3, 8]
    assert ledger.latest_head() == head2
    assert ledger.head(3) == head
    assert head2.timestamp_ms >= head.timestamp_ms
    _verify(db_engine)


def test_entries_read_back_byte_for_byte_as_canonical_json(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    body = EntryDraft("test.note", "platform", {"b": 1, "a": "\u6c34 \u00e9", "x": 1.5}, subject="s", tenant="t").body()
    (index,), _ = ledger.append([body])
    entry = ledger.entry(index)
    assert entry.leaf == canonical_json(body)
    assert entry.data == body
    assert (entry.type, entry.actor, entry.subject, entry.payload, entry.refs) == (
        "test.note",
        "platform",
        "s",
        {"b": 1, "a": "\u6c34 \u00e9", "x": 1.5},
        [],
    )
    assert list(body) != sorted(body)  # the stored form is sorted (RFC 8785), not the dict's order
    assert entry.leaf.startswith(b'{"actor":"platform"')


def test_stored_nodes_are_the_in_memory_tree_nodes(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    for n in (1, 2, 5, 8, 1, 13):  # crosses 2, 4, 8, 16, 32
        ledger.append(_notes(n))
    tree = merkle.MemoryTree(merkle.leaf_hash(e.leaf) for e in ledger.entries())
    snapshot = snapshot_from_db(db_engine, PLATFORM.public_key())
    assert snapshot.nodes is not None
    assert len(snapshot.nodes) == 15 + 7 + 3 + 1  # 30 leaves
    for (level, index), digest in snapshot.nodes.items():
        assert tree.perfect(level, index) == digest
    for head in ledger.heads():
        assert tree.root(head.size) == head.root


def test_entries_filter_by_type_prefix_and_subject(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    ledger.append([EntryDraft("mrv.a", "platform", {}, subject="r1"), EntryDraft("mrv.b", "platform", {})])
    ledger.append([EntryDraft("inventory.computed", "platform", {}, subject="r1")])
    assert [e.index for e in ledger.entries(type_prefix="mrv.")] == [0, 1]
    assert [e.index for e in ledger.entries(subject="r1")] == [0, 2]
    assert [e.index for e in ledger.entries(type_prefix="mrv.", subject="r1")] == [0]


def test_reading_what_is_not_there_raises(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    ledger.append(_notes(2))
    with pytest.raises(LedgerError, match="no ledger entry 2"):
        ledger.entry(2)
    with pytest.raises(LedgerError, match="no signed tree head of size 1"):
        ledger.head(1)
    with pytest.raises(LedgerError, match="entry 2 is not in the tree head of size 2"):
        ledger.inclusion_proof(2)
    with pytest.raises(LedgerError):
        ledger.inclusion_proof(-1)
    with pytest.raises(LedgerError, match="no evidence file"):
        ledger.evidence("0" * 64)


def test_append_needs_the_platform_key_and_entries(db_engine: Engine) -> None:
    with pytest.raises(LedgerError, match="platform key"):
        Ledger(db_engine).append(_notes(1))
    with pytest.raises(LedgerError, match="at least one entry"):
        Ledger(db_engine, platform_key=PLATFORM).append([])
    assert _counts(db_engine) == (0, 0, 0)


def test_tree_head_json_round_trip_and_malformed_input() -> None:
    head = TreeHead(size=5, root=bytes(range(32)), timestamp_ms=1_700_000_000_000, signature=bytes(64), key_id="ab")
    assert TreeHead.from_dict(head.to_dict()) == head
    for broken in ({}, {**head.to_dict(), "root": "zz"}, {**head.to_dict(), "signature": "%%%"}):
        with pytest.raises(LedgerError, match="malformed tree head"):
            TreeHead.from_dict(broken)


# ------------------------------------------------------------------------------ evidence
def test_evidence_is_stored_once_per_content(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    content = b"meter,kWh\nA,100\n"
    first = ledger.add_evidence(content, name="meters.csv", media_type="text/csv")
    second = ledger.add_evidence(content, name="copy-of-meters.csv")
    assert first == second == hashlib.sha256(content).hexdigest() == bytes_sha256(content)
    other = ledger.add_evidence(content + b"B,5\n", name="meters.csv")
    assert other != first
    with session_scope(db_engine) as s:
        assert s.scalar(select(func.count()).select_from(EvidenceFile)) == 2
    stored = ledger.evidence(first)
    assert (bytes(stored.content), stored.size, stored.name, stored.media_type) == (
        content,
        len(content),
        "meters.csv",  # the first name stays
        "text/csv",
    )


# ------------------------------------------------------------------------------ refusals
def _base(engine: Engine) -> tuple[Ledger, str]:
    """A ledger with actor ``acme`` (key ACME) registered and one evidence file stored."""
    ledger = Ledger(engine, platform_key=PLATFORM)
    register_actor(ledger, "acme", Role.REPORTER, public_key_text(ACME), entity="E1")
    register_actor(ledger, "other", Role.VERIFIER, public_key_text(OTHER))
    sha = ledger.add_evidence(b"evidence", name="e.txt")
    ledger.append(_notes(2))
    return ledger, sha


def _signed(draft: EntryDraft, key: Ed25519PrivateKey = ACME) -> dict[str, Any]:
    return sign_entry(draft.body(), key)


def _draft(**kw: Any) -> EntryDraft:
    return EntryDraft(**{"type": "mrv.data.submitted", "actor": "acme", "payload": {"file": "x.csv"}, **kw})


def _tampered_signature() -> dict[str, Any]:
    entry = _signed(_draft())
    entry["payload"] = {"file": "y.csv"}  # changed after signing
    return entry


def _with(**fields: Any) -> Callable[[int], dict[str, Any]]:
    """An entry maker: a good draft's body with ``fields`` set (None: removed)."""

    def make(index: int) -> dict[str, Any]:
        body = _draft().body()
        for name, value in fields.items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return body

    return make


#: Refused entries: case -> (maker of the entry given its index, expected message).
REFUSALS: dict[str, tuple[Callable[[int], dict[str, Any]], str]] = {
    "missing type": (_with(type=None), "missing field"),
    "missing time": (_with(time=None), "missing field"),
    "unknown field": (_with(extra=1), "unknown field"),
    "version 2": (_with(v=2), "entry version"),
    "empty actor": (_with(actor=""), "actor must be a non-empty string"),
    "time not ISO": (_with(time="2026-11-25 21:00:00"), "is not YYYY-MM-DDTHH:MM:SS.mmmZ"),
    "payload a list": (_with(payload=[1, 2]), "payload must be an object"),
    "payload and hash": (_with(payload_sha256="a" * 64), "not both"),
    "hash not hex": (lambda index: _draft(payload=None, payload_sha256="A" * 64).body(), "payload_sha256"),
    "evidence hash malformed": (_with(evidence=["abc"]), "not 64 lowercase hex"),
    "refs not integers": (_with(refs=["1"]), "refs must be a list"),
    "refs a boolean": (_with(refs=[True]), "refs must be a list"),
    "signature shape": (_with(signature={"value": "x"}), "signature must be"),
    "unknown evidence": (lambda index: _draft(evidence=("b" * 64,)).body(), "is not stored"),
    "forward reference": (lambda index: _draft(refs=(99,)).body(), "does not precede it"),
    "self reference": (lambda index: _draft(refs=(index,)).body(), "does not precede it"),
    "negative reference": (lambda index: _draft(refs=(-1,)).body(), "does not precede it"),
    "unregistered key": (lambda index: _signed(_draft(), _key("stranger")), "is not registered"),
    "signature does not verify": (lambda index: _tampered_signature(), "signature does not verify"),
    "garbage signature value": (
        lambda index: {**_signed(_draft()), "signature": {"key_id": key_id(ACME.public_key()), "value": "!!"}},
        "signature does not verify",
    ),
    "key of another actor": (lambda index: _signed(_draft(), OTHER), "is not registered for actor 'acme'"),
    "actor claims another's key": (
        lambda index: _signed(_draft(actor="other")),
        "is not registered for actor 'other'",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refused_entry_appends_nothing(db_engine: Engine, case: str) -> None:
    ledger, sha = _base(db_engine)
    make, message = REFUSALS[case]
    before = _counts(db_engine)
    assert before[0] == 4
    good = [_signed(_draft(evidence=(sha,))), *_notes(1)]
    for batch in ([make(4)], [*good, make(4 + len(good))]):  # alone; after good entries
        with pytest.raises(LedgerError, match=message):
            ledger.append(batch)
        assert _counts(db_engine) == before
        assert ledger.latest_head() == ledger.head(4)
    ledger.append(good)  # the ledger still takes good entries
    _verify(db_engine)


def test_refusal_names_the_entry_index(db_engine: Engine) -> None:
    ledger, _ = _base(db_engine)
    with pytest.raises(LedgerError, match=r"entry 6 \(mrv\.data\.submitted\): refers to entry 7"):
        ledger.append([*_notes(2), _draft(refs=(7,)).body()])


def test_an_actor_registered_in_a_batch_signs_later_entries_of_the_batch(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    new = _key("new")
    registration = EntryDraft(
        "actor.registered",
        "platform",
        {"actor": "new", "role": "reporter", "entity": "E9", "public_key": public_key_text(new), "key_id": key_id(new)},
    )
    ledger.append([registration, _signed(_draft(actor="new"), new)])
    _verify(db_engine)
    # ...but not earlier ones.
    late = _key("late")
    with pytest.raises(LedgerError, match="is not registered"):
        ledger.append(
            [
                _signed(_draft(actor="late"), late),
                EntryDraft(
                    "actor.registered",
                    "platform",
                    {"actor": "late", "role": "verifier", "public_key": public_key_text(late), "key_id": key_id(late)},
                ),
            ]
        )
    assert ledger.size() == 2


@pytest.mark.parametrize("payload", [{"actor": "x", "role": "reporter"}, None])
def test_malformed_registration_is_refused_with_ledger_error(db_engine: Engine, payload: Any) -> None:
    """A registration without payload or key id is refused as malformed."""
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    draft = (
        EntryDraft("actor.registered", "platform", payload)
        if payload is not None
        else EntryDraft("actor.registered", "platform", payload_sha256="c" * 64)
    )
    with pytest.raises(LedgerError):
        ledger.append([draft])
    assert _counts(db_engine) == (0, 0, 0)


@pytest.mark.parametrize("fault", ["key_id of another key", "unreadable public key"])
def test_append_refuses_a_registration_that_verification_would_reject(db_engine: Engine, fault: str) -> None:
    """Append refuses what verification would flag forever."""
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    payload = {"actor": "x", "role": "verifier", "entity": "", "public_key": public_key_text(ACME)}
    payload["key_id"] = key_id(OTHER) if fault == "key_id of another key" else key_id(ACME)
    if fault == "unreadable public key":
        payload["public_key"] = "ed25519:not-base64"
    with contextlib.suppress(LedgerError):  # refusing is right; accepting and then failing verification is not
        ledger.append([EntryDraft("actor.registered", "platform", payload)])
    _verify(db_engine)  # whatever append accepts must verify


@pytest.mark.parametrize("field", ["type", "actor", "tenant", "subject"])
def test_overlong_fields_are_refused_alike_on_every_backend(db_engine: Engine, field: str) -> None:
    """Fields copied into columns fit them."""
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    body = EntryDraft("test.note", "platform", {}, subject="s").body()
    body[field] = "x" * 201
    with pytest.raises(LedgerError):
        ledger.append([body])


# ------------------------------------------------------------------------------ transactions
def test_a_batch_is_all_or_nothing(db_engine: Engine) -> None:
    ledger, _ = _base(db_engine)
    before = _counts(db_engine)
    batch = [*_notes(6), _draft(evidence=("d" * 64,)).body(), *_notes(3)]
    with pytest.raises(LedgerError, match="entry 10"):
        ledger.append(batch)
    assert _counts(db_engine) == before
    assert [e.index for e in ledger.entries()] == [0, 1, 2, 3]


def test_append_in_the_callers_transaction_rolls_back_with_it(db_engine: Engine) -> None:
    ledger, _ = _base(db_engine)
    before = _counts(db_engine)

    class AbortError(Exception):
        pass

    with pytest.raises(AbortError), session_scope(db_engine) as s:
        (index,), head = ledger.append(_notes(1), session=s)
        assert index == 4 and head.size == 5
        assert ledger.size(s) == 5  # visible inside the transaction
        raise AbortError
    assert _counts(db_engine) == before
    with session_scope(db_engine) as s:
        ledger.append(_notes(2), session=s)
    assert _counts(db_engine)[0] == 6
    _verify(db_engine)


def test_tree_head_timestamps_never_decrease_when_appends_follow_each_other(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    for _ in range(5):
        ledger.append(_notes(1))
    stamps = [h.timestamp_ms for h in ledger.heads()]
    assert stamps == sorted(stamps)


def test_a_clock_stepping_back_does_not_break_the_log(db_engine: Engine) -> None:
    """Tree head timestamps never decrease, even when the wall clock steps back (NTP)."""
    clock = iter([1_800_000_000.0, 1_799_999_990.0])
    ledger = Ledger(db_engine, platform_key=PLATFORM, _clock=lambda: next(clock))
    ledger.append(_notes(1))
    ledger.append(_notes(1))
    _verify(db_engine)


# ------------------------------------------------------------------------------ proofs
def _proof_log(engine: Engine) -> Ledger:
    """300 entries appended in 8 batches of random sizes 1-64 (seed :data:`SEED`)."""
    ledger = Ledger(engine, platform_key=PLATFORM)
    rng = random.Random(SEED)
    n = 0
    while n < PROOF_LOG_SIZE:
        m = min(rng.randint(1, 64), PROOF_LOG_SIZE - n)
        ledger.append(_notes(m, start=n))
        n += m
    return ledger


@pytest.fixture
def proof_log(db_engine: Engine) -> Ledger:
    """The proof log on each backend (proofs are built from the stored nodes)."""
    return _proof_log(db_engine)


@pytest.fixture
def sqlite_proof_log(sqlite_engine: Engine) -> Ledger:
    """The proof log on SQLite only: for tests of checking, which needs no database."""
    return _proof_log(sqlite_engine)


def test_every_inclusion_proof_of_every_tree_head_checks(proof_log: Ledger, db_engine: Engine) -> None:
    entries = proof_log.entries()
    tree = merkle.MemoryTree(merkle.leaf_hash(e.leaf) for e in entries)
    public = PLATFORM.public_key()
    heads = proof_log.heads()
    assert [h.size for h in heads] == [35, 65, 115, 160, 218, 240, 281, 300]
    checked = 0
    with session_scope(db_engine) as s:
        for head in heads:
            assert head.root == tree.root(head.size)
            for index in range(head.size):
                proof = proof_log.inclusion_proof(index, head.size, session=s)
                ok, reason = check_proof(proof, public)
                assert ok, (index, head.size, reason)
                assert proof["tree_head"] == head.to_dict()
                assert proof["entry"].encode() == entries[index].leaf
                assert proof["inclusion"] == [h.hex() for h in tree.inclusion_proof(index, head.size)]
                checked += 1
    assert checked == sum(h.size for h in heads)
    assert proof_log.inclusion_proof(7) == proof_log.inclusion_proof(7, heads[-1].size)  # default: newest head


def test_every_consistency_proof_between_tree_heads_checks(proof_log: Ledger) -> None:
    heads = proof_log.heads()
    public = PLATFORM.public_key()
    for i, old in enumerate(heads):
        for new in heads[i:]:
            proof = proof_log.consistency_proof(old.size, new.size)
            assert proof["old_tree_head"] == old.to_dict()
            assert proof["new_tree_head"] == new.to_dict()
            path = [bytes.fromhex(h) for h in proof["consistency"]]
            assert TreeHead.from_dict(proof["old_tree_head"]).verify(public)
            assert TreeHead.from_dict(proof["new_tree_head"]).verify(public)
            assert merkle.verify_consistency(old.size, new.size, old.root, new.root, path), (old.size, new.size)
            if old.size < new.size:  # a proof does not hold for other roots
                assert not merkle.verify_consistency(old.size, new.size, new.root, new.root, path)
    with pytest.raises(LedgerError):
        proof_log.consistency_proof(heads[-1].size, heads[0].size)
    assert proof_log.consistency_proof(heads[0].size)["new_tree_head"] == heads[-1].to_dict()


def _bit_flips(data: bytes) -> list[bytes]:
    """``data`` with each of its bits flipped, one at a time."""
    out = []
    for i in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[i // 8] ^= 1 << (i % 8)
        out.append(bytes(flipped))
    return out


def test_any_single_bit_change_of_an_inclusion_proof_fails(sqlite_proof_log: Ledger) -> None:
    proof_log = sqlite_proof_log
    public = PLATFORM.public_key()
    heads = proof_log.heads()
    cases = [(0, heads[-1].size), (PROOF_LOG_SIZE // 2, heads[-1].size), (heads[3].size - 1, heads[3].size)]
    for index, size in cases:
        proof = proof_log.inclusion_proof(index, size)
        assert check_proof(proof, public)[0]
        assert proof["inclusion"]
        variants: list[dict[str, Any]] = []
        for k, h in enumerate(proof["inclusion"]):
            for bad in _bit_flips(bytes.fromhex(h)):
                path = list(proof["inclusion"])
                path[k] = bad.hex()
                variants.append({**proof, "inclusion": path})
        head = proof["tree_head"]
        for bad in _bit_flips(bytes.fromhex(head["root"])):
            variants.append({**proof, "tree_head": {**head, "root": bad.hex()}})
        for bad in _bit_flips(TreeHead.from_dict(head).signature):
            variants.append({**proof, "tree_head": {**head, "signature": base64.b64encode(bad).decode()}})
        for bit in range(64):
            variants.append({**proof, "tree_head": {**head, "timestamp_ms": head["timestamp_ms"] ^ (1 << bit)}})
        for bit in range(16):
            variants.append({**proof, "tree_head": {**head, "size": head["size"] ^ (1 << bit)}})
            variants.append({**proof, "index": index ^ (1 << bit)})
        for bad in _bit_flips(proof["entry"].encode())[::7]:
            variants.append({**proof, "entry": bad.decode("utf-8", errors="replace")})
        variants.append({**proof, "inclusion": proof["inclusion"][:-1]})
        variants.append({**proof, "inclusion": [*proof["inclusion"], proof["inclusion"][0]]})
        passed = [v for v in variants if check_proof(v, public)[0]]
        assert not passed, f"{len(passed)} altered proofs of entry {index} in head {size} still check"


def test_any_single_bit_change_of_a_consistency_proof_fails(sqlite_proof_log: Ledger) -> None:
    proof_log = sqlite_proof_log
    heads = proof_log.heads()
    for old, new in [(heads[0], heads[-1]), (heads[2], heads[5]), (heads[4], heads[-2])]:
        proof = [bytes.fromhex(h) for h in proof_log.consistency_proof(old.size, new.size)["consistency"]]
        assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
        for k, h in enumerate(proof):
            for bad in _bit_flips(h):
                altered = [*proof[:k], bad, *proof[k + 1 :]]
                assert not merkle.verify_consistency(old.size, new.size, old.root, new.root, altered)
        for bad in _bit_flips(old.root):
            assert not merkle.verify_consistency(old.size, new.size, bad, new.root, proof)
        for bad in _bit_flips(new.root):
            assert not merkle.verify_consistency(old.size, new.size, old.root, bad, proof)


def test_check_proof_needs_the_platform_key_and_a_well_formed_proof(sqlite_proof_log: Ledger) -> None:
    proof = sqlite_proof_log.inclusion_proof(5)
    assert check_proof(proof, PLATFORM.public_key())[0]
    ok, reason = check_proof(proof, OTHER.public_key())
    assert not ok and "signature does not verify" in reason
    for broken in ({}, {**proof, "inclusion": ["zz"]}, {**proof, "index": "five"}, {**proof, "tree_head": {}}):
        ok, reason = check_proof(broken, PLATFORM.public_key())
        assert not ok and "malformed" in reason


# ------------------------------------------------------------------------------ concurrency
def _race(engine: Engine, batches: int, size: int) -> tuple[dict[str, list[list[int]]], list[Exception]]:
    """Two threads, each with its own engine, appending ``batches`` batches at once."""
    url = engine.url.render_as_string(hide_password=False)
    landed: dict[str, list[list[int]]] = {"a": [], "b": []}
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        from zerocity.store.db import get_engine

        own = get_engine(url)
        ledger = Ledger(own, platform_key=PLATFORM)
        barrier.wait()
        try:
            for b in range(batches):
                try:
                    indices, _ = ledger.append([EntryDraft("test.race", name, {"b": b, "k": k}) for k in range(size)])
                    landed[name].append(indices)
                except LedgerError as exc:  # gave up after its retries: nothing of the batch is stored
                    errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=work, args=(name,)) for name in landed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return landed, errors


def test_concurrent_appenders_never_corrupt_the_log(db_engine: Engine) -> None:
    landed, errors = _race(db_engine, batches=12, size=10)
    assert all("could not append" in str(e) for e in errors)
    ledger = Ledger(db_engine, platform_key=PLATFORM)
    entries = ledger.entries()
    assert len(entries) == 10 * sum(len(v) for v in landed.values())
    assert landed["a"] and landed["b"]  # both appenders got batches in
    heads = {h.size for h in ledger.heads()}
    for name, batches in landed.items():
        for indices in batches:  # a whole batch, contiguous, published by its own tree head
            assert indices == list(range(indices[0], indices[0] + 10))
            assert {entries[i].actor for i in indices} == {name}
            assert len({entries[i].payload["b"] for i in indices}) == 1
            assert indices[-1] + 1 in heads
    assert len(heads) == len(entries) // 10
    _verify(db_engine)


def test_concurrent_appenders_all_land(db_engine: Engine) -> None:
    """Appends are serialised: no batch is lost to a collision."""
    landed, errors = _race(db_engine, batches=40, size=10)
    assert not errors
    assert len(landed["a"]) == len(landed["b"]) == 40


def test_an_append_in_the_callers_transaction_is_serialised_with_other_appends(db_engine: Engine) -> None:
    url = db_engine.url.render_as_string(hide_password=False)
    read_tail, other_done = threading.Event(), threading.Event()

    def clock() -> float:  # called by _append between reading the tail and writing the batch
        read_tail.set()
        other_done.wait(2)  # a serialised implementation keeps the other appender out meanwhile
        return time.time()

    caller = Ledger(db_engine, platform_key=PLATFORM, _clock=clock)
    outcome: dict[str, Any] = {}

    def in_callers_transaction() -> None:
        try:
            with session_scope(db_engine) as s:
                outcome["caller"] = caller.append(_notes(2, actor="caller"), session=s)[0]
        except Exception as exc:  # what the caller of record_event would see
            outcome["caller"] = exc

    def other() -> None:
        from zerocity.store.db import get_engine

        read_tail.wait(10)
        own = get_engine(url)
        try:
            outcome["other"] = Ledger(own, platform_key=PLATFORM).append(_notes(3, actor="other"))[0]
        finally:
            other_done.set()
            own.dispose()

    threads = [threading.Thread(target=in_callers_transaction), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert isinstance(outcome["caller"], list), repr(outcome["caller"])[:300]
    assert sorted(outcome["caller"] + outcome["other"]) == [0, 1, 2, 3, 4]
    _verify(db_engine)
