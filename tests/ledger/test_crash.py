"""Crash safety of appending: a process killed with SIGKILL leaves whole, acknowledged batches.

A worker process (``_append_worker.py``) appends 50 batches of 200 entries to an SQLite ledger and
prints each tree size on stdout only after :meth:`~zerocity.ledger.log.Ledger.append` has returned.
The test kills it with SIGKILL at a random moment (fixed seed): after a random number of
acknowledged batches plus a random fraction of the time a batch takes, i.e. anywhere inside the
next append (building, inserting, committing). Then the database must verify, and hold exactly
the acknowledged batches, or those plus the one batch whose commit finished before its
acknowledgement was printed; never a part of a batch. Appending must work again afterwards.

Several runs go at once (one database each) to keep the test short. A second test starts two
workers on one database together: every batch of both must land, whole, and the log verify.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from zerocity.ledger.log import EntryDraft, Ledger
from zerocity.ledger.signing import load_or_create_key_file
from zerocity.ledger.verify import snapshot_from_db, verify_snapshot
from zerocity.store.db import get_engine, upgrade

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")

WORKER = Path(__file__).with_name("_append_worker.py")
SEED = 20261125
RUNS = 6
BATCHES = 50
BATCH_SIZE = 200
#: Seconds a run may take before the test gives up on it.
TIMEOUT_S = 60


@dataclass
class Run:
    """One worker killed at a random moment: what it acknowledged and how it ended."""

    database: Path
    kill_after: int
    delay_fraction: float
    acks: list[int] = field(default_factory=list)
    returncode: int | None = None
    stderr: str = ""


def _env(tmp_path: Path) -> dict[str, str]:
    key_file = tmp_path / "keys" / "platform.pem"
    load_or_create_key_file(key_file)  # created once, before the workers start
    env = {**os.environ, "ZEROCITY_DATA_DIR": str(tmp_path / "data"), "ZEROCITY_LEDGER_KEY": str(key_file)}
    env.pop("ZEROCITY_DATABASE_URL", None)
    return env


def _kill_at_random(run: Run, env: dict[str, str]) -> None:
    """Start a worker, wait for ``kill_after`` acknowledgements and a fraction of a batch, SIGKILL it."""
    url = f"sqlite:///{run.database.as_posix()}"
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), url, str(BATCHES), str(BATCH_SIZE)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        started = time.monotonic()
        while len(run.acks) < run.kill_after:
            run.acks.append(int(proc.stdout.readline()))
        per_batch = (time.monotonic() - started) / run.kill_after if run.kill_after else 0.05
        time.sleep(run.delay_fraction * per_batch)
        proc.send_signal(signal.SIGKILL)
        rest, run.stderr = proc.communicate(timeout=TIMEOUT_S)
        run.acks += [int(line) for line in rest.split()]  # printed before the kill: acknowledged too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    run.returncode = proc.returncode


def test_killed_appender_leaves_exactly_the_acknowledged_batches(tmp_path: Path) -> None:
    env = _env(tmp_path)
    platform = load_or_create_key_file(env["ZEROCITY_LEDGER_KEY"])
    rng = random.Random(SEED)
    runs = [
        Run(tmp_path / f"run{i}.sqlite", kill_after=rng.randint(0, BATCHES - 10), delay_fraction=rng.uniform(0, 1.2))
        for i in range(RUNS)
    ]
    runs[0].kill_after = 0  # one run dies inside its very first append
    errors: list[BaseException] = []

    def target(run: Run) -> None:
        try:
            _kill_at_random(run, env)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(run,)) for run in runs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT_S)
    assert not errors, errors

    for run in runs:
        assert run.returncode == -signal.SIGKILL, f"{run.database.name} was not killed: {run.stderr[-2000:]}"
        assert run.acks == [BATCH_SIZE * (k + 1) for k in range(len(run.acks))]
        acknowledged = run.acks[-1] if run.acks else 0
        engine = get_engine(f"sqlite:///{run.database.as_posix()}")  # "restart": a new process would do this
        try:
            ledger = Ledger(engine, platform_key=platform)
            size = ledger.size()
            assert size in (acknowledged, acknowledged + BATCH_SIZE), (run, size)
            assert [h.size for h in ledger.heads()] == list(range(BATCH_SIZE, size + 1, BATCH_SIZE))
            report = verify_snapshot(snapshot_from_db(engine, platform.public_key()))
            assert report.ok, (run.database.name, [str(p) for p in report.problems[:5]])
            # The log goes on where it stopped.
            indices, _ = ledger.append([EntryDraft("test.after_crash", "platform", {"k": k}) for k in range(3)])
            assert indices == [size, size + 1, size + 2]
            assert verify_snapshot(snapshot_from_db(engine, platform.public_key())).ok
        finally:
            engine.dispose()


def test_two_appending_processes_land_every_batch_whole(tmp_path: Path) -> None:
    """Two worker processes on one SQLite file, started together: every batch of both lands, whole."""
    env = _env(tmp_path)
    platform = load_or_create_key_file(env["ZEROCITY_LEDGER_KEY"])
    database = tmp_path / "shared.sqlite"
    url = f"sqlite:///{database.as_posix()}"
    engine = get_engine(url)
    upgrade(engine)  # before the workers: two migrations racing on a new file is another matter
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, "15", "40", label, "wait"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for label in ("a", "b")
    ]
    try:
        for p in procs:  # both open, then both go
            assert p.stdout is not None and p.stdout.readline().strip() == "ready"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = [p.communicate(timeout=TIMEOUT_S) for p in procs]
        for p, (_, err) in zip(procs, outputs, strict=True):
            assert p.returncode == 0, err[-2000:]
        acked = {int(line) for out, _ in outputs for line in out.split()}
        ledger = Ledger(engine, platform_key=platform)
        entries = ledger.entries()
        heads = [h.size for h in ledger.heads()]
        assert acked == set(heads)
        assert len(heads) == 30
        assert len(entries) == 30 * 40
        for start, end in zip([0, *heads], heads, strict=False):
            assert len({(e.actor, e.payload["batch"]) for e in entries[start:end]}) == 1  # one worker's one batch
        assert verify_snapshot(snapshot_from_db(engine, platform.public_key())).ok
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
        engine.dispose()
