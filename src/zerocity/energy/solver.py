"""Solving linopy models with HiGHS: quiet stdout, clear errors.

HiGHS prints a banner on the process's standard output from C code, which would corrupt the
JSON a command prints; :func:`solve` sends file descriptor 1 to standard error for the solve.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from zerocity.errors import ZerocityError

__all__ = ["OptimisationError", "solve"]

log = logging.getLogger(__name__)


class OptimisationError(ZerocityError, ValueError):
    """A model the solver could not solve to optimality (infeasible, unbounded, time limit)."""

    code = "optimisation"


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Redirect the process's fd 1 to fd 2 (C-level prints included) inside the block."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):  # no real stdout (embedded interpreters): nothing to protect
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def solve(model: Any, *, what: str = "model", time_limit: float | None = None) -> float:
    """Solve a linopy model with HiGHS; return the solve time [s].

    Raises
    ------
    OptimisationError
        When the termination condition is not optimal; the message says which and suggests why.
    """
    options: dict[str, Any] = {"output_flag": False}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    start = time.perf_counter()
    with _stdout_to_stderr():
        status, condition = model.solve(solver_name="highs", **options)
    elapsed = time.perf_counter() - start
    if status != "ok" or condition != "optimal":
        hint = {
            "infeasible": "constraints cannot all hold: check capacity limits, targets and demand",
            "infeasible_or_unbounded": "check that every cost is positive and capacities are bounded",
            "unbounded": "a variable can grow without limit: add a capacity limit or a cost",
            "time_limit": "the time limit was reached: shorten the horizon or use representative days",
        }.get(str(condition), "")
        raise OptimisationError(f"{what}: solver status {status}, {condition}" + (f" ({hint})" if hint else ""))
    log.info("%s solved in %.2f s: objective %.6g", what, elapsed, model.objective.value)
    return elapsed
