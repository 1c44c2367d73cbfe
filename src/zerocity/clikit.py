"""Shared plumbing of the command-line modules: consoles, JSON output, progress, error handling.

Domain errors become messages on stderr and a non-zero exit status in one place (:func:`run`):
status 2 for invalid input, 1 for anything else the user can fix.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from zerocity.errors import InvalidRecordsError, ZerocityError
from zerocity.jsonio import dumps

__all__ = ["default_region", "eprint", "err", "out", "print_json", "progress", "run"]

T = TypeVar("T")

# Tables are read in terminals and in logs (make demo, CI): 120 columns when there is no terminal.
out = Console(width=shutil.get_terminal_size((120, 24)).columns)
err = Console(stderr=True)


def default_region() -> str:
    """Region of rows without one: ``ZEROCITY_REGION`` or ``CN``."""
    return os.environ.get("ZEROCITY_REGION", "CN")


def print_json(data: Any) -> None:
    """Write ``data`` to stdout as JSON (the one encoding of :mod:`zerocity.jsonio`)."""
    sys.stdout.write(dumps(data))
    sys.stdout.write("\n")


def eprint(text: str) -> None:
    """Write a message to stderr unwrapped (reports are read by people and by scripts)."""
    sys.stderr.write(text + "\n")


@contextlib.contextmanager
def progress(total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr for multi-step work; silent when stderr is not a terminal."""
    if not err.is_terminal:
        yield lambda _description: None
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err, transient=True
    ) as bar:
        task = bar.add_task("starting", total=total)
        first = True

        def step(description: str) -> None:
            nonlocal first
            if not first:
                bar.advance(task)
            first = False
            bar.update(task, description=description)

        yield step


def run(fn: Callable[[], T]) -> T:
    """Call ``fn``; turn domain errors into a message and an exit status (the one place)."""
    try:
        return fn()
    except InvalidRecordsError as exc:
        eprint(exc.report(limit=200))
        raise typer.Exit(2) from None
    except ZerocityError as exc:
        eprint(f"error [{exc.code}]: {exc}")
        raise typer.Exit(2 if isinstance(exc, ValueError) else 1) from None
