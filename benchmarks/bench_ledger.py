"""Benchmark: MRV ledger appends (durable, batched) and proof generation at 1,000,000 entries.

Targets (issue 4): at least 10,000 durable appends per second on SQLite with batching, and
inclusion proofs under 5 ms at 1,000,000 entries.

What is timed:

* ``append``: ENTRIES entries of about 300 bytes (an MRV-like payload) appended in batches of
  BATCH, each batch one transaction (entries, completed subtree nodes and a signed tree head;
  SQLite in WAL mode with ``synchronous=FULL``, so a committed batch survives power loss); on
  SQLite always, on PostgreSQL when ZEROCITY_TEST_POSTGRES_URL (or ZEROCITY_BENCH_POSTGRES_URL)
  is set (fewer entries there: PG_ENTRIES);
* ``prove``: inclusion proofs of random entries in the newest tree head from the database
  (``Ledger.inclusion_proof``: node look-ups plus the entry), mean and worst of PROOFS;
* ``consistency``: consistency proofs between random earlier tree heads and the newest;
* ``verify``: ``zerocity ledger verify`` of the whole log (recompute every hash and signature).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from zerocity import store
from zerocity.ledger.log import EntryDraft, Ledger
from zerocity.ledger.signing import generate_private_key
from zerocity.ledger.verify import check_proof, snapshot_from_db, verify_snapshot

ENTRIES = int(os.environ.get("ZEROCITY_BENCH_LEDGER_ENTRIES", "1000000"))
PG_ENTRIES = int(os.environ.get("ZEROCITY_BENCH_LEDGER_PG_ENTRIES", "100000"))
BATCH = int(os.environ.get("ZEROCITY_BENCH_LEDGER_BATCH", "5000"))
PROOFS = 200


def drafts(start: int, n: int) -> list[EntryDraft]:
    return [
        EntryDraft(
            "meter.reading",
            "meter-gateway",
            {
                "meter": f"M{(start + i) % 5000:05d}",
                "kwh": round(((start + i) * 7919) % 100000 / 7.0, 3),
                "seq": start + i,
            },
            subject=f"meter:M{(start + i) % 5000:05d}",
        )
        for i in range(n)
    ]


def fill(ledger: Ledger, total: int) -> float:
    """Append ``total`` entries in batches; return entries per second (drafting excluded)."""
    spent = 0.0
    done = 0
    while done < total:
        n = min(BATCH, total - done)
        batch = drafts(done, n)
        started = time.perf_counter()
        ledger.append(batch)
        spent += time.perf_counter() - started
        done += n
    return total / spent


def prove(ledger: Ledger, size: int) -> tuple[float, float]:
    rng = random.Random(7)
    key = ledger.public_key()
    times = []
    for _ in range(PROOFS):
        index = rng.randrange(size)
        started = time.perf_counter()
        proof = ledger.inclusion_proof(index)
        times.append(time.perf_counter() - started)
        ok, reason = check_proof(proof, key)
        assert ok, reason
    return statistics.mean(times) * 1000, max(times) * 1000


def consistency(ledger: Ledger) -> float:
    heads = [h.size for h in ledger.heads()]
    if len(heads) < 2:
        return float("nan")
    rng = random.Random(11)
    times = []
    for _ in range(50):
        old = rng.choice(heads[:-1])
        started = time.perf_counter()
        ledger.consistency_proof(old)
        times.append(time.perf_counter() - started)
    return statistics.mean(times) * 1000


def run(url: str, total: int, label: str) -> None:
    engine = store.get_engine(url)
    store.upgrade(engine)
    ledger = Ledger(engine, platform_key=generate_private_key())
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            mode = conn.execute(text("PRAGMA synchronous")).scalar()
        durability = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(int(mode or 0), str(mode))
    else:
        durability = "commit (WAL fsync)"
    rate = fill(ledger, total)
    mean_ms, worst_ms = prove(ledger, total)
    cons_ms = consistency(ledger)
    print(f"{label}: {total:,} entries in batches of {BATCH:,} (synchronous={durability})")
    print(f"  append          {rate:12,.0f} entries/s   (target >= 10,000 on SQLite)")
    print(f"  inclusion proof {mean_ms:12.2f} ms mean, {worst_ms:.2f} ms worst of {PROOFS} (target < 5 ms)")
    print(f"  consistency     {cons_ms:12.2f} ms mean")
    if engine.dialect.name == "sqlite":
        started = time.perf_counter()
        report = verify_snapshot(snapshot_from_db(engine, ledger.public_key()))
        print(f"  verify all      {time.perf_counter() - started:12.1f} s   ok={report.ok}")
    engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'ledger.sqlite'}", ENTRIES, "SQLite")
    pg = os.environ.get("ZEROCITY_BENCH_POSTGRES_URL") or os.environ.get("ZEROCITY_TEST_POSTGRES_URL")
    if pg:
        engine = store.get_engine(pg)
        with engine.begin() as conn:  # a scratch schema, dropped afterwards
            conn.execute(text("DROP SCHEMA IF EXISTS bench_ledger CASCADE; CREATE SCHEMA bench_ledger"))
        engine.dispose()
        sep = "&" if "?" in pg else "?"
        try:
            run(f"{pg}{sep}options=-csearch_path%3Dbench_ledger", PG_ENTRIES, "PostgreSQL")
        finally:
            engine = store.get_engine(pg)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS bench_ledger CASCADE"))
            engine.dispose()
    else:
        print("PostgreSQL: skipped (set ZEROCITY_BENCH_POSTGRES_URL or ZEROCITY_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    main()
