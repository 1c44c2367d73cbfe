"""Keeping standard output clean while native solvers run.

HiGHS prints a banner and, in some versions, debug lines (ERGO-Code/HiGHS issue 2783) with C
``printf`` on file descriptor 1, whatever its output options; a command printing JSON on stdout
would be corrupted. :func:`native_stdout_to_stderr` points descriptor 1 at descriptor 2 for the
duration of a solve.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator

__all__ = ["native_stdout_to_stderr"]


@contextlib.contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """Send what native code writes to stdout (fd 1) to stderr (fd 2) inside the block.

    Process-wide while it lasts: nothing else should write to stdout from another thread.
    Without a real descriptor 1 (embedded interpreters, some test runners) it does nothing.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        with contextlib.suppress(OSError, AttributeError, TypeError):
            ctypes.CDLL(None).fflush(None)  # C stdio buffers still hold what the solver printed
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
