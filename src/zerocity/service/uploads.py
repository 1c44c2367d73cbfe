"""Uploaded files of model requests: read with the CLI's readers, errors naming field and file.

Each upload is written to a temporary folder under its own (sanitised) name and read there, so
every message names the uploaded file, never a server path; a bad cell gives 422 with the form
field, file, row and column. Jobs keep their uploads in a folder of their own
(:func:`job_folder`) until they end.
"""

from __future__ import annotations

import contextlib
import logging
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from zerocity.brain.io import IOTableError
from zerocity.errors import InvalidRecordsError, ZerocityError
from zerocity.service.errors import ApiError

__all__ = [
    "JSON_SUFFIXES",
    "TABLE_SUFFIXES",
    "Upload",
    "invalid",
    "job_folder",
    "read_upload",
    "records_error",
    "remove_folder",
    "removed_on_error",
    "table_error",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Suffixes of uploaded tables (the CLI's CSV/XLSX readers).
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm")
#: Suffix of an uploaded inventory (``zerocity inventory compute --json``).
JSON_SUFFIXES = (".json",)


@dataclass(frozen=True)
class Upload:
    """An uploaded file.

    Attributes
    ----------
    field : str
        Form field it came in (named in errors).
    filename : str
        Name the client gave (only its last part, sanitised, is used).
    content : bytes
        The file.
    """

    field: str
    filename: str
    content: bytes

    @property
    def name(self) -> str:
        """The file name without folders, reduced to ``[A-Za-z0-9_.-]`` (at most 100 characters)."""
        base = Path(self.filename or self.field).name
        return re.sub(r"[^A-Za-z0-9_.-]", "_", base)[:100].lstrip(".") or self.field


def invalid(field: str | Sequence[str], message: str, **extra: Any) -> ApiError:
    """A 422 error naming the request field (``["body", field, ...]``) with ``message``."""
    where = [field] if isinstance(field, str) else list(field)
    return ApiError(422, "invalid_request", message, [{"location": ["body", *where], "message": message, **extra}])


def records_error(upload: Upload, exc: InvalidRecordsError) -> ApiError:
    """A 422 error with one detail per bad cell of ``upload`` (field, file, row, column, message, value)."""
    details = [
        {
            "location": ["body", upload.field],
            "file": upload.name,
            "row": i.row,
            "column": i.column,
            "message": i.message,
            "value": i.value,
        }
        for i in exc.issues
    ]
    return ApiError(422, "invalid_request", InvalidRecordsError(upload.name, exc.issues).report(limit=5), details)


def table_error(field: str, exc: IOTableError, folder: str | None = None) -> ApiError:
    """A 422 error with one detail per problem of an unusable table (``folder`` removed from the text)."""

    def clean(text: str) -> str:
        return text if folder is None else text.replace(folder + "/", "").replace(folder, "")

    details = [{"location": ["body", field], "message": clean(p)} for p in exc.problems]
    return ApiError(422, "invalid_request", clean(str(exc)), details)


def read_upload(upload: Upload, suffixes: Sequence[str], reader: Callable[[Path], T]) -> T:
    """Write ``upload`` to a temporary folder under its own name and read it with ``reader``.

    Raises
    ------
    ApiError
        422 naming the field and file: a suffix not in ``suffixes``, invalid rows (every row and
        column), an unusable table, or a file the reader cannot read at all.
    """
    name = upload.name
    if Path(name).suffix.lower() not in suffixes:
        raise invalid(upload.field, f"{name}: expected a {' or '.join(suffixes)} file")
    with tempfile.TemporaryDirectory(prefix="zerocity-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(upload.content)
        try:
            return reader(path)
        except ApiError:
            raise
        except InvalidRecordsError as exc:
            raise records_error(upload, exc) from None
        except IOTableError as exc:
            raise table_error(upload.field, exc, folder) from None
        except ZerocityError as exc:
            text = str(exc).replace(str(path), name).replace(folder, "")
            raise invalid(upload.field, text) from None
        except Exception as exc:  # untrusted upload: any reader failure (BadZipFile, KeyError...) is the file's
            logger.info("upload %s (%s) not readable: %s", name, upload.field, exc)
            raise invalid(upload.field, f"{name}: cannot read: {type(exc).__name__}: {exc}") from None


def job_folder(data_dir: Path, tenant: str) -> Path:
    """A new folder for a job's uploaded files: ``<data dir>/uploads/<tenant>/<random id>`` (mode 0700).

    The job removes it when it ends (:func:`remove_folder`).
    """
    folder = Path(data_dir) / "uploads" / tenant / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    return folder


def remove_folder(folder: str | Path | None) -> None:
    """Remove a job's upload folder (nothing when there is none)."""
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def removed_on_error(folder: Path | None) -> Iterator[None]:
    """Remove ``folder`` when the block raises (a request refused before its job was queued)."""
    try:
        yield
    except BaseException:
        remove_folder(folder)
        raise
