"""Domain exceptions.

Every error a user can cause is one of these; each carries enough context (file, row, column,
factor id, error code) to say what was expected. The CLI turns them into messages in one place
(:mod:`zerocity.cli`); later shells (API) do the same in theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = [
    "FactorNotFoundError",
    "FactorSetError",
    "InvalidRecordsError",
    "RecordIssue",
    "UnitError",
    "ZerocityError",
]


class ZerocityError(Exception):
    """Base class of every error zerocity raises on purpose."""

    code: str = "error"


class UnitError(ZerocityError, ValueError):
    """A unit string that cannot be read, or a conversion between incompatible dimensions."""

    code = "unit"


class FactorNotFoundError(ZerocityError, LookupError):
    """No factor in the library matches a request; the message names the key looked for."""

    code = "factor_not_found"


class FactorSetError(ZerocityError, ValueError):
    """A factor set file that does not follow the schema (file, row, column in the message).

    Parameters
    ----------
    message : str
    issues : sequence of RecordIssue, optional
        The bad cells, when the problem is in the rows (every one, not only those in the message).
    """

    code = "factor_set"

    def __init__(self, message: str, issues: Sequence[RecordIssue] = ()) -> None:
        super().__init__(message)
        self.issues: tuple[RecordIssue, ...] = tuple(issues)


@dataclass(frozen=True)
class RecordIssue:
    """One problem with one input row.

    Attributes
    ----------
    row : int
        1-based data row (the header is row 0), as a spreadsheet user counts data rows.
    column : str
        Column the problem is in.
    message : str
        What is wrong and what was expected.
    value : str
        The offending value as text (may be empty).
    """

    row: int
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        shown = f" (value {self.value!r})" if self.value != "" else ""
        return f"row {self.row}, column {self.column!r}: {self.message}{shown}"


@dataclass
class InvalidRecordsError(ZerocityError, ValueError):
    """Input records that failed validation; nothing was computed or stored.

    Attributes
    ----------
    source : str
        File (or other source) the records came from.
    issues : list of RecordIssue
        Every problem found, sorted by row then column.
    """

    source: str
    issues: list[RecordIssue] = field(default_factory=list)
    code = "invalid_records"

    def __post_init__(self) -> None:
        super().__init__(self.report(limit=20))

    def report(self, limit: int | None = None) -> str:
        """The error report: one line per issue, ``limit`` lines at most."""
        shown = self.issues if limit is None else self.issues[:limit]
        lines = [f"{self.source}: {len(self.issues)} invalid value(s); nothing was computed"]
        lines += [f"  {self.source}: {issue}" for issue in shown]
        if limit is not None and len(self.issues) > limit:
            lines.append(f"  ... and {len(self.issues) - limit} more")
        return "\n".join(lines)
