"""Tampering with the stored ledger: every stored field of every ledger table, changed in the database.

A sample log of 30 entries in 12 append batches (actor registrations, signed MRV entries with
evidence files, platform batches of several entries, two tenants) is built on each backend. Each
case changes one stored value with a raw SQL ``UPDATE`` (one bit of a hash or signature, one byte
of an entry at several positions, one character of a copied column, a number), runs
:func:`~zerocity.ledger.verify.verify_snapshot` on :func:`~zerocity.ledger.verify.snapshot_from_db`,
then writes the original value back; a sample of the cases also runs ``zerocity ledger verify
--json`` on the tampered database. Every case must fail verification and name what was changed:

* an entry row (entry bytes, leaf hash, batch size, type, actor, tenant, subject): the report's
  ``first_bad_entry`` is that entry's index;
* a node hash: a ``node`` problem at ``level/index`` that names the entries below it;
* a tree head (root, timestamp, signature, key id, size): a ``tree_head`` problem at its size;
* an evidence file's content or size: an ``evidence`` problem at its SHA-256 (its name, media type
  and storage time are descriptive and covered by nothing; pinned as such).

An entry rewritten *consistently* (its bytes, its leaf hash and every node above it) contradicts
only the signed tree heads: verification names the first entry of the first batch whose signed
root differs.

Deleting rows: an entry in the middle or at the start, a tree head (middle or newest), a node and an
evidence file are detected. Deleting the newest batch *consistently* (its entries, the nodes it
completed and its tree head) is not: the truncated log is a valid log of its own. That known
limitation of any self-contained log (RFC 6962 sections 5.3 and 5.4: monitors and auditors keep the
tree heads they have seen) is pinned by :func:`test_consistent_truncation_is_not_detected_without_a_saved_head`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from zerocity.cli import app
from zerocity.ledger import merkle
from zerocity.ledger.canonical import canonical_json
from zerocity.ledger.log import EntryDraft, Ledger, LedgerError, sign_entry
from zerocity.ledger.mrv import Role, decide_report, register_actor, report_id, submit_data, submit_report
from zerocity.ledger.signing import key_id, private_key_to_pem, public_key_text
from zerocity.ledger.verify import VerifyReport, check_proof, snapshot_from_db, verify_snapshot

runner = CliRunner()

ENTITY = "91320000ACME00001X"
#: Number of entries of the sample log and the sizes of its signed tree heads (one per batch).
SAMPLE_SIZE = 30
SAMPLE_HEADS = [1, 3, 4, 5, 6, 14, 18, 19, 20, 21, 22, 30]
#: The entry and the tree head whose tampered fields also go through ``zerocity ledger verify --json``
#: (a signed entry inside a batch of four; the head of a batch of eight).
CLI_ENTRY = 17
CLI_HEAD = 14


def _key(seed: str) -> Ed25519PrivateKey:
    """A deterministic Ed25519 key (the private key is 32 bytes of SHA-256 of the seed)."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"zerocity-tamper-{seed}".encode()).digest())


def _registration(actor: str, role: Role, key: Ed25519PrivateKey, entity: str = "") -> dict[str, Any]:
    pub = key.public_key()
    payload = {"actor": actor, "role": role.value, "entity": entity, "public_key": public_key_text(pub)}
    payload["key_id"] = key_id(pub)
    return EntryDraft("actor.registered", "platform", payload, subject=f"actor:{actor}").body()


def _result(total: float) -> dict[str, Any]:
    """A small inventory result (only what submit_report reads, plus one record)."""
    return {
        "gwp": "AR5",
        "total_tco2e": total,
        "basic_tco2e": total,
        "basic_plus_tco2e": total,
        "territorial_tco2e": total,
        "datasets": {"ipcc2006": "1"},
        "records": [{"record_id": "gas", "tco2e": total}],
    }


@dataclass
class Sample:
    """The sample log: its database, ledger, keys and what refers to each evidence file."""

    engine: Engine
    ledger: Ledger
    platform: Ed25519PrivateKey
    evidence_refs: dict[str, list[int]] = field(default_factory=dict)

    def verify(self) -> VerifyReport:
        return verify_snapshot(snapshot_from_db(self.engine, self.platform.public_key()))


def build_sample(engine: Engine) -> Sample:
    """30 entries in 12 batches (sizes :data:`SAMPLE_HEADS`), signed MRV entries, 7 evidence files."""
    platform, reporter, verifier, admin = (_key(s) for s in ("platform", "acme", "audit", "admin"))
    ledger = Ledger(engine, platform_key=platform)
    register_actor(ledger, "acme", Role.REPORTER, public_key_text(reporter), entity=ENTITY)  # 0
    ledger.append(  # 1-2
        [_registration("audit-co", Role.VERIFIER, verifier), _registration("city-admin", Role.CITY_ADMIN, admin)]
    )
    rid = report_id(ENTITY, "2024")
    submit_data(  # 3
        ledger, "acme", reporter, entity=ENTITY, period="2024", content=b"meter,kWh\nA,100\n", name="meters.csv"
    )
    submit_report(  # 4
        ledger,
        "acme",
        reporter,
        entity=ENTITY,
        period="2024",
        result=_result(100.0),
        evidence=[("audit.pdf", b"%PDF-1.4 audit letter")],
    )
    decide_report(ledger, "audit-co", verifier, rid, verified=True, note="checked")  # 5
    ledger.append(  # 6-13: unsigned platform events, two tenants, payload hashes and back references
        [
            EntryDraft(
                "inventory.computed",
                "platform",
                payload_sha256=hashlib.sha256(f"inventory {i}".encode()).hexdigest(),
                subject=f"inventory:{i}",
                refs=(i,),
                tenant="demo" if i % 2 else "default",
            )
            for i in range(8)
        ]
    )
    rid25 = report_id(ENTITY, "2025")
    photo = ledger.add_evidence(b"\x89PNG meter photo", name="photo.png", media_type="image/png")
    ledger.append(  # 14-17: a signed batch sharing one evidence file
        [
            sign_entry(
                EntryDraft(
                    "mrv.data.submitted",
                    "acme",
                    {"report": rid25, "entity": ENTITY, "period": "2025", "file": f"month-{m}.csv"},
                    subject=rid25,
                    evidence=(photo,),
                ).body(),
                reporter,
            )
            for m in range(4)
        ]
    )
    submit_report(ledger, "acme", reporter, entity=ENTITY, period="2025", result=_result(120.0))  # 18
    decide_report(ledger, "audit-co", verifier, rid25, verified=False, reasons=["meter A missing"])  # 19
    submit_report(ledger, "acme", reporter, entity=ENTITY, period="2025", result=_result(121.5))  # 20
    submit_report(ledger, "city-admin", admin, entity="", period="2024", result=_result(5000.0))  # 21
    ledger.append(  # 22-29
        [
            EntryDraft("platform.note", "platform", {"n": n, "text": f"note {n} \u00e9\u6c34"}, subject=f"note:{n}")
            for n in range(8)
        ]
    )
    sample = Sample(engine, ledger, platform)
    for e in ledger.entries():
        for sha in e.data.get("evidence", []):
            sample.evidence_refs.setdefault(sha, []).append(e.index)
    assert [h.size for h in ledger.heads()] == SAMPLE_HEADS
    assert sample.verify().ok
    return sample


# ------------------------------------------------------------------------------ raw SQL
KEYS = {
    "ledger_entries": ("idx",),
    "ledger_nodes": ("level", "index"),
    "ledger_tree_heads": ("size",),
    "evidence_files": ("sha256",),
}


def _rows(engine: Engine, table: str, column: str) -> list[tuple[tuple[Any, ...], Any]]:
    """(key, value of ``column``) of every row of ``table``, in key order."""
    keys = KEYS[table]
    cols = ", ".join(f'"{c}"' for c in (*keys, column))
    order = ", ".join(f'"{c}"' for c in keys)
    with engine.connect() as c:
        rows = c.execute(text(f'SELECT {cols} FROM "{table}" ORDER BY {order}')).all()
    return [(tuple(r[: len(keys)]), _plain(r[len(keys)])) for r in rows]


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview | bytearray) else value


def _update(engine: Engine, table: str, key: tuple[Any, ...], column: str, value: Any) -> None:
    keys = KEYS[table]
    where = " AND ".join(f'"{c}" = :k{i}' for i, c in enumerate(keys))
    params = {f"k{i}": v for i, v in enumerate(key)} | {"value": value}
    with engine.begin() as c:
        count = c.execute(text(f'UPDATE "{table}" SET "{column}" = :value WHERE {where}'), params).rowcount
    assert count == 1, (table, key, column)


@contextmanager
def tampered(engine: Engine, table: str, key: tuple[Any, ...], column: str, old: Any, new: Any) -> Iterator[None]:
    """The row's ``column`` set to ``new`` inside the block, and back to ``old`` after it."""
    assert new != old
    _update(engine, table, key, column, new)
    moved = tuple(new if c == column else k for c, k in zip(KEYS[table], key, strict=True))
    try:
        yield
    finally:
        _update(engine, table, moved, column, old)


def _delete(engine: Engine, table: str, where: str, **params: Any) -> int:
    with engine.begin() as c:
        return int(c.execute(text(f'DELETE FROM "{table}" WHERE {where}'), params).rowcount)


def _flip(data: bytes, position: int, mask: int = 0x01) -> bytes:
    """``data`` with the bits of ``mask`` flipped in byte ``position``."""
    out = bytearray(data)
    out[position] ^= mask
    return bytes(out)


def _other_text(value: str) -> str:
    """``value`` with its last character changed (one bit), or ``x`` for an empty value."""
    return value[:-1] + chr(ord(value[-1]) ^ 1) if value else "x"


# ------------------------------------------------------------------------------ CLI
@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Sample], None]:
    """Point ``zerocity`` at a sample's database and platform key."""

    def point(sample: Sample) -> None:
        key_file = tmp_path / "keys" / "platform.pem"
        key_file.parent.mkdir(mode=0o700, exist_ok=True)
        key_file.touch(mode=0o600)
        key_file.write_bytes(private_key_to_pem(sample.platform))
        monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("ZEROCITY_LEDGER_KEY", str(key_file))
        monkeypatch.setenv("ZEROCITY_DATABASE_URL", sample.engine.url.render_as_string(hide_password=False))

    return point


def _cli_verify() -> tuple[int, dict[str, Any]]:
    res = runner.invoke(app, ["ledger", "verify", "--json"])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, json.loads(res.stdout)


def _names(doc: dict[str, Any], kind: str, where: Any) -> bool:
    return any(p["kind"] == kind and p["where"] == where for p in doc["problems"])


def _describe(report: VerifyReport) -> str:
    return "; ".join(str(p) for p in report.problems[:4]) or "verifies"


# ------------------------------------------------------------------------------ entries
def _entry_variants(column: str, old: Any) -> list[Any]:
    """The tampered values tried for one stored field of an entry row."""
    if column == "entry":
        n = len(old)
        positions = sorted({0, n // 3, 2 * n // 3, n - 1})
        return [_flip(old, p) for p in positions] + [_flip(old, n // 2, 0x80)]  # 0x80: the byte stops being valid UTF-8
    if column == "leaf_hash":
        return [_flip(old, 0), _flip(old, 31, 0x80)]
    if column == "batch_size":
        others = [s for s in SAMPLE_HEADS if s != old]
        return [others[-1] if old != SAMPLE_HEADS[-1] else others[0], old + 1000]
    return [_other_text(old)]


@pytest.mark.parametrize("column", ["entry", "leaf_hash", "batch_size", "entry_type", "actor", "tenant", "subject"])
def test_every_entry_field_tampered_is_found_and_named(db_engine: Engine, column: str, cli_env) -> None:
    sample = build_sample(db_engine)
    cli_env(sample)
    rows = _rows(db_engine, "ledger_entries", column)
    assert len(rows) == SAMPLE_SIZE
    missed, cases = [], 0
    for (index,), old in rows:
        for variant, new in enumerate(_entry_variants(column, old)):
            cases += 1
            with tampered(db_engine, "ledger_entries", (index,), column, old, new):
                report = sample.verify()
                if report.ok or report.first_bad_entry != index:
                    missed.append(f"entry {index} {column} {old!r:.40} -> {new!r:.40}: {_describe(report)}")
                if index == CLI_ENTRY and variant == 0:
                    code, doc = _cli_verify()
                    if code != 1 or doc["ok"] or doc["first_bad_entry"] != index:
                        missed.append(f"CLI: entry {index} {column}: exit {code}, {doc}")
    assert not missed, "\n".join(missed)
    assert cases >= SAMPLE_SIZE
    assert sample.verify().ok  # every value was written back


def test_entry_moved_to_another_index_is_found(db_engine: Engine) -> None:
    sample = build_sample(db_engine)
    for index in (0, 12, SAMPLE_SIZE - 1):
        with tampered(db_engine, "ledger_entries", (index,), "idx", index, 1000 + index):
            report = sample.verify()
            assert not report.ok
            assert report.first_bad_entry == index, _describe(report)
    assert sample.verify().ok


# ------------------------------------------------------------------------------ nodes
def test_every_node_hash_tampered_is_found_and_named(db_engine: Engine, cli_env) -> None:
    sample = build_sample(db_engine)
    cli_env(sample)
    rows = _rows(db_engine, "ledger_nodes", "hash")
    # 30 leaves complete 15 + 7 + 3 + 1 perfect subtrees above the leaves.
    assert len(rows) == 26
    missed = []
    for row, ((level, index), old) in enumerate(rows):
        where = f"{level}/{index}"
        first, last = index << level, ((index + 1) << level) - 1
        for variant, new in enumerate((_flip(old, 0), _flip(old, 31, 0x80))):
            with tampered(db_engine, "ledger_nodes", (level, index), "hash", old, new):
                report = sample.verify()
                named = [p for p in report.problems if p.kind == "node" and p.where == where]
                if report.ok or not named or f"entries {first}-{last}" not in named[0].reason:
                    missed.append(f"node {where}: {_describe(report)}")
                if row == variant == 0:
                    code, doc = _cli_verify()
                    if code != 1 or not _names(doc, "node", where):
                        missed.append(f"CLI: node {where}: exit {code}, {doc}")
    assert not missed, "\n".join(missed)
    assert sample.verify().ok


def test_node_moved_or_deleted_is_found(db_engine: Engine) -> None:
    sample = build_sample(db_engine)
    with tampered(db_engine, "ledger_nodes", (1, 3), "index", 3, 15):
        report = sample.verify()
        assert any(p.kind == "node" and p.where == "1/15" for p in report.problems), _describe(report)
        assert any(p.kind == "node" and p.where == "1/3" and p.reason == "missing" for p in report.problems)
    with tampered(db_engine, "ledger_nodes", (1, 8), "level", 1, 3):  # every in-range (level, index) exists
        report = sample.verify()
        assert ("node", "3/8", "covers entries the ledger does not have") in [
            (p.kind, p.where, p.reason) for p in report.problems
        ]
        assert ("node", "1/8", "missing") in [(p.kind, p.where, p.reason) for p in report.problems]
    assert sample.verify().ok
    assert _delete(db_engine, "ledger_nodes", '"level" = 2 AND "index" = 1') == 1
    report = sample.verify()
    assert [(p.kind, p.where, p.reason) for p in report.problems] == [("node", "2/1", "missing")]


# ------------------------------------------------------------------------------ tree heads
def _head_variants(column: str, old: Any) -> list[Any]:
    if column == "root":
        return [_flip(old, 0), _flip(old, 31, 0x80)]
    if column == "signature":
        return [_flip(old, 0), _flip(old, 32, 0x10), _flip(old, 63, 0x80)]
    if column == "timestamp_ms":
        return [old + 1, old - 1]
    if column == "key_id":
        return [_other_text(old)]
    if column == "size":
        return [next(v for v in (old - 1, old + 1, old + 1000) if v > 0 and v not in SAMPLE_HEADS)]
    raise AssertionError(column)


@pytest.mark.parametrize("column", ["root", "timestamp_ms", "signature", "key_id", "size"])
def test_every_tree_head_field_tampered_is_found_and_named(db_engine: Engine, column: str, cli_env) -> None:
    sample = build_sample(db_engine)
    cli_env(sample)
    rows = _rows(db_engine, "ledger_tree_heads", column)
    assert [k for (k,), _ in rows] == SAMPLE_HEADS
    missed = []
    for (size,), old in rows:
        for variant, new in enumerate(_head_variants(column, old)):
            named = new if column == "size" else size
            with tampered(db_engine, "ledger_tree_heads", (size,), column, old, new):
                report = sample.verify()
                if report.ok or not any(p.kind == "tree_head" and p.where == named for p in report.problems):
                    missed.append(f"head {size} {column} {old!r:.30} -> {new!r:.30}: {_describe(report)}")
                if column == "size":  # the entries of its batch no longer have their tree head
                    start = max([s for s in SAMPLE_HEADS if s < size], default=0)
                    if report.first_bad_entry != start:
                        missed.append(f"head {size} -> {new}: first bad entry {report.first_bad_entry}, not {start}")
                if size == CLI_HEAD and variant == 0:
                    code, doc = _cli_verify()
                    if code != 1 or not _names(doc, "tree_head", named):
                        missed.append(f"CLI: head {size} {column}: exit {code}, {doc}")
    assert not missed, "\n".join(missed)
    assert sample.verify().ok


def test_deleting_a_tree_head_in_the_middle_names_its_batch(db_engine: Engine) -> None:
    sample = build_sample(db_engine)
    assert _delete(db_engine, "ledger_tree_heads", '"size" = 14') == 1
    report = sample.verify()
    assert not report.ok
    # Entries 6-13 were published by the head of size 14; the next head (18) is not theirs.
    assert report.first_bad_entry == 6
    assert {p.where for p in report.problems if p.kind == "entry"} == set(range(6, 14))
    assert all("batch size 14" in p.reason for p in report.problems)


def test_deleting_the_newest_tree_head_is_found(db_engine: Engine, cli_env) -> None:
    sample = build_sample(db_engine)
    cli_env(sample)
    assert _delete(db_engine, "ledger_tree_heads", '"size" = 30') == 1
    report = sample.verify()
    assert report.first_bad_entry == 22
    assert any(p.kind == "tree_head" and p.where == 30 and "no signed tree head" in p.reason for p in report.problems)
    code, doc = _cli_verify()
    assert code == 1
    assert doc["first_bad_entry"] == 22


# ------------------------------------------------------------------------------ evidence
def test_every_evidence_file_tampered_is_found_and_named(db_engine: Engine, cli_env) -> None:
    sample = build_sample(db_engine)
    cli_env(sample)
    rows = _rows(db_engine, "evidence_files", "content")
    # meters.csv, audit.pdf, photo.png and 4 results (acme 2024, 2025 v1 and v2, city 2024)
    assert {sha for (sha,), _ in rows} == set(sample.evidence_refs)
    assert len(rows) == 7
    missed = []
    for row, ((sha,), old) in enumerate(rows):
        for variant, new in enumerate((_flip(old, 0), _flip(old, len(old) // 2, 0x80), _flip(old, len(old) - 1))):
            with tampered(db_engine, "evidence_files", (sha,), "content", old, new):
                report = sample.verify()
                problems = [(p.kind, p.where) for p in report.problems]
                if problems != [("evidence", sha)]:
                    missed.append(f"evidence {sha[:12]}: {_describe(report)}")
                if row == variant == 0:
                    code, doc = _cli_verify()
                    if code != 1 or not _names(doc, "evidence", sha):
                        missed.append(f"CLI: evidence {sha[:12]}: exit {code}, {doc}")
    assert not missed, "\n".join(missed)
    assert sample.verify().ok


def test_evidence_renamed_or_deleted_names_the_entries_that_use_it(db_engine: Engine) -> None:
    sample = build_sample(db_engine)
    photo = next(sha for sha, refs in sample.evidence_refs.items() if len(refs) == 4)
    assert sample.evidence_refs[photo] == [14, 15, 16, 17]  # stored once, used by four entries
    renamed = _other_text(photo)
    with tampered(db_engine, "evidence_files", (photo,), "sha256", photo, renamed):
        report = sample.verify()
        assert report.first_bad_entry == 14
        assert {p.where for p in report.problems if p.kind == "entry"} == {14, 15, 16, 17}
        assert ("evidence", renamed) in [(p.kind, p.where) for p in report.problems]
    assert sample.verify().ok
    assert _delete(db_engine, "evidence_files", '"sha256" = :sha', sha=photo) == 1
    report = sample.verify()
    assert report.first_bad_entry == 14
    assert all(f"evidence file {photo} is missing" in p.reason for p in report.problems)


def test_evidence_size_tampered_is_found(db_engine: Engine) -> None:
    """The stored size of an evidence file must be the length of its content."""
    sample = build_sample(db_engine)
    (sha,), old = _rows(db_engine, "evidence_files", "size")[0]
    with tampered(db_engine, "evidence_files", (sha,), "size", old, old + 1):
        report = sample.verify()
        assert any(p.kind == "evidence" and p.where == sha for p in report.problems)


@pytest.mark.parametrize("column", ["name", "media_type", "stored_at"])
def test_evidence_metadata_is_outside_the_hashes(db_engine: Engine, column: str) -> None:
    """Name, media type and storage time of a file are descriptive: no hash or signature covers them.

    The name a submission gave its file is inside the signed entry (``payload.file``); what the
    ledger proves about a file is its content (SHA-256). Pinned so that a change is deliberate.
    """
    sample = build_sample(db_engine)
    (sha,), old = _rows(db_engine, "evidence_files", column)[0]
    new = _other_text(old) if isinstance(old, str) else old + timedelta(seconds=1)  # SQLite: text; PostgreSQL: datetime
    with tampered(db_engine, "evidence_files", (sha,), column, old, new):
        assert sample.verify().ok


# ------------------------------------------------------------------------------ deletions
@pytest.mark.parametrize("index", [0, 1, 13, 14, 28])
def test_deleting_an_entry_names_it(db_engine: Engine, index: int) -> None:
    sample = build_sample(db_engine)
    assert _delete(db_engine, "ledger_entries", '"idx" = :i', i=index) == 1
    report = sample.verify()
    assert not report.ok
    assert report.first_bad_entry == index
    assert f"indices jump from {index - 1} to {index + 1}" in report.problems[0].reason


def test_consistent_truncation_is_not_detected_without_a_saved_head(db_engine: Engine) -> None:
    """Known limitation: deleting the newest batch with its nodes and tree head leaves a valid log.

    Only someone who kept a signed tree head of the longer log (an auditor, a witness, a proof
    given to a reporter) can show the truncation: the database no longer has that head, so no
    consistency proof to it exists, while the saved inclusion proof still checks on its own.
    """
    sample = build_sample(db_engine)
    saved = sample.ledger.latest_head()
    assert saved is not None and saved.size == 30
    receipt = sample.ledger.inclusion_proof(25)
    previous = SAMPLE_HEADS[-2]
    assert _delete(db_engine, "ledger_entries", '"idx" >= :n', n=previous) == 8
    with db_engine.begin() as c:
        removed = 0
        for level, index in c.execute(text('SELECT "level", "index" FROM ledger_nodes')).all():
            if ((index + 1) << level) > previous:
                removed += c.execute(
                    text('DELETE FROM ledger_nodes WHERE "level" = :l AND "index" = :i'), {"l": level, "i": index}
                ).rowcount
    assert removed > 0
    assert _delete(db_engine, "ledger_tree_heads", '"size" = :s', s=saved.size) == 1

    report = sample.verify()
    assert report.ok, _describe(report)  # the limitation: a truncated log is a valid log
    assert report.size == previous
    # What does detect it: the saved head is not in the database any more...
    with pytest.raises(LedgerError, match="no signed tree head of size 30"):
        sample.ledger.consistency_proof(previous, saved.size)
    with pytest.raises(LedgerError, match="no signed tree head of size 30"):
        sample.ledger.inclusion_proof(3, saved.size)
    # ...while the receipt (signed by the platform) proves entry 25 was in the log.
    assert check_proof(receipt, sample.platform.public_key())[0]


# ------------------------------------------------------------------------------ rewrites
def _rewrite_entry_consistently(sample: Sample, index: int) -> None:
    """Change an unsigned entry's payload and rewrite its leaf hash and every node over it."""
    entries = sample.ledger.entries()
    body = dict(entries[index].data)
    assert "signature" not in body  # a signed entry would also fail its signature
    if "payload" in body:
        body["payload"] = {**body["payload"], "text": "rewritten"}
    else:
        body["payload_sha256"] = hashlib.sha256(b"rewritten").hexdigest()
    leaf = canonical_json(body)
    leaves = [e.leaf for e in entries]
    leaves[index] = leaf
    tree = merkle.MemoryTree(merkle.leaf_hash(x) for x in leaves)
    with sample.engine.begin() as c:
        c.execute(
            text("UPDATE ledger_entries SET entry = :e, leaf_hash = :h WHERE idx = :i"),
            {"e": leaf, "h": merkle.leaf_hash(leaf), "i": index},
        )
        for level, node in c.execute(text('SELECT "level", "index" FROM ledger_nodes')).all():
            c.execute(
                text('UPDATE ledger_nodes SET hash = :h WHERE "level" = :l AND "index" = :i'),
                {"h": tree.perfect(level, node), "l": level, "i": node},
            )


@pytest.mark.parametrize("index", [6, 13, 25])
def test_consistent_rewrite_of_an_entry_is_caught_by_the_tree_heads(db_engine: Engine, index: int) -> None:
    """An entry rewritten with its leaf hash and nodes recomputed: only the signed heads catch it.

    No stored value contradicts another any more, so verification cannot tell which entry of the
    batch changed: it names the first entry of the first batch whose signed root differs.
    """
    sample = build_sample(db_engine)
    _rewrite_entry_consistently(sample, index)
    start = max(s for s in [0, *SAMPLE_HEADS] if s <= index)
    first_failing = min(s for s in SAMPLE_HEADS if s > index)
    report = sample.verify()
    assert not report.ok
    failing = [p.where for p in report.problems if p.kind == "tree_head"]
    assert failing == [s for s in SAMPLE_HEADS if s >= first_failing]
    assert all("root differs" in p.reason for p in report.problems if p.kind == "tree_head")
    assert report.first_bad_entry == start
    assert [p.where for p in report.problems if p.kind == "entry"] == [start]  # only the batch is named
