"""Append worker of the crash test (``test_crash.py``): appends batches and acknowledges each one.

Usage::

    python _append_worker.py DATABASE_URL BATCHES BATCH_SIZE [LABEL [wait]]

Appends ``BATCHES`` batches of ``BATCH_SIZE`` platform entries to the ledger of
``DATABASE_URL`` with the platform key of ``$ZEROCITY_LEDGER_KEY``. After each
:meth:`~zerocity.ledger.log.Ledger.append` has *returned* (the batch is committed), it writes the
new tree size on a line of stdout and flushes: a size on stdout is an acknowledged batch. A line
``ready`` is written once the database is open, before the first append; with ``wait``, the
worker then waits for a line on stdin before it starts (to start several workers together).
"""

from __future__ import annotations

import sys

from zerocity.ledger.log import EntryDraft, Ledger
from zerocity.ledger.signing import load_or_create_key_file, platform_key_path
from zerocity.store.db import get_engine, upgrade


def main(argv: list[str]) -> int:
    """Append the batches; print each acknowledged tree size."""
    url, batches, batch_size = argv[0], int(argv[1]), int(argv[2])
    label = argv[3] if len(argv) > 3 else "crash"
    engine = get_engine(url)
    upgrade(engine)
    ledger = Ledger(engine, platform_key=load_or_create_key_file(platform_key_path()))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if len(argv) > 4 and argv[4] == "wait":
        sys.stdin.readline()
    for b in range(batches):
        drafts = [
            EntryDraft("test.crash", label, {"batch": b, "k": k, "pad": "x" * 40}, subject=f"batch:{b}")
            for k in range(batch_size)
        ]
        _, head = ledger.append(drafts)
        sys.stdout.write(f"{head.size}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
