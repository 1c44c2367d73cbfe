"""Factor sets of a tenant: import an upload, list shipped and stored sets, build the library with one.

The functions call what ``zerocity factors import|sets`` calls: :func:`zerocity.factors.read_factor_file`,
:meth:`~zerocity.factors.FactorLibrary.with_user_set` (the validation: schema, units, activity
vocabulary, unique ids) and :mod:`zerocity.store.factor_sets`. A stored set lives in the tenant
database of the caller, so another tenant can neither see nor use it. Like the CLI, an import is
recorded on the tenant's ledger (``factorset.loaded``) in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from zerocity.errors import FactorSetError
from zerocity.factors import FactorLibrary, default_library, read_factor_file
from zerocity.ledger.log import EntryDraft, Ledger
from zerocity.service.errors import ApiError
from zerocity.service.settings import Settings
from zerocity.service.uploads import TABLE_SUFFIXES, Upload, invalid, read_upload
from zerocity.store.db import as_utc
from zerocity.store.errors import NotFoundError
from zerocity.store.factor_sets import list_factor_sets, load_factor_set, save_factor_set
from zerocity.store.models import FactorSet

__all__ = [
    "FACTOR_SET_SUFFIXES",
    "StoredSetLibrary",
    "activity_rows",
    "factor_set_rows",
    "import_factor_set",
    "requested_set_library",
    "stored_set_library",
]

logger = logging.getLogger(__name__)

#: Suffixes of an uploaded factor set (the CLI also reads Parquet; uploads are limited to tables).
FACTOR_SET_SUFFIXES = TABLE_SUFFIXES


@dataclass(frozen=True)
class StoredSetLibrary:
    """The shipped library plus one stored factor set, and which set it is.

    Attributes
    ----------
    library : FactorLibrary
        Shipped datasets and the stored set (which wins over shipped factors, see
        :mod:`zerocity.factors.library`).
    info : dict
        ``id``, ``name``, ``version`` and ``sha256`` of the stored set.
    """

    library: FactorLibrary
    info: dict[str, Any]


def _details(upload: Upload, exc: FactorSetError, frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One detail per problem of a refused factor set: field, file, row (1-based data row), column, message."""
    base = {"location": ["body", upload.field], "file": upload.name}
    details: list[dict[str, Any]] = [
        {**base, "row": i.row, "column": i.column, "message": i.message, "value": i.value} for i in exc.issues
    ]
    if details or frame is None:
        return details or [{**base, "message": str(exc)}]
    # Checks of the whole library (activity vocabulary, ids unique across sets): name the rows too.
    lib = default_library()
    shipped_ids = {r.factor_id for r in lib.records()}
    for number, (factor_id, activity) in enumerate(
        zip(frame.get("factor_id", pd.Series(dtype=str)), frame.get("activity", pd.Series(dtype=str)), strict=False),
        start=1,
    ):
        if str(activity).strip() not in lib.activities:
            message = "unknown activity id; GET /factors/activities lists the vocabulary"
            details.append({**base, "row": number, "column": "activity", "message": message, "value": str(activity)})
        if str(factor_id).strip() in shipped_ids:
            message = "factor_id already used by a shipped dataset; factor ids must be unique across sets"
            details.append({**base, "row": number, "column": "factor_id", "message": message, "value": str(factor_id)})
    return details or [{**base, "message": str(exc)}]


def _refused(upload: Upload, exc: FactorSetError, frame: pd.DataFrame | None, folder_text: str = "") -> ApiError:
    message = str(exc).replace(folder_text, upload.name) if folder_text else str(exc)
    if not message.startswith(upload.name):
        message = f"{upload.name}: {message}"
    return ApiError(422, "invalid_request", message, _details(upload, exc, frame))


def import_factor_set(
    session: Session,
    settings: Settings,
    *,
    upload: Upload,
    name: str,
    version: str,
    tenant: str,
    loaded_by: str,
) -> dict[str, Any]:
    """Validate an uploaded factor set and store it in the tenant database (``zerocity factors import``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Tenant database session; the caller commits.
    settings : Settings
        Service settings (the ledger's platform key).
    upload : Upload
        The factor set: CSV or XLSX with the columns of ``zerocity/factors/data/README.md``.
    name, version : str
        Identity of the set; a name and version already stored is refused (409).
    tenant : str
        Tenant slug (recorded on the ledger entry).
    loaded_by : str
        Actor text of the caller (recorded on the ledger entry).

    Returns
    -------
    dict
        The stored set as :func:`factor_set_rows` lists it.

    Raises
    ------
    ApiError
        422 naming the form field, file, row and column of every problem (schema, values, units,
        unknown activities, ids already used by shipped datasets), or a name taken by a shipped
        dataset.
    AlreadyExistsError
        The name and version are already stored (409).
    """
    from zerocity.service.mrv import platform_key  # mrv imports the inventories, which import this module

    shipped = {s.id for s in default_library().sets}
    if name in shipped:
        raise invalid("name", f"{name!r} is the id of a shipped dataset; choose another name for your set")

    def read(path: Any) -> pd.DataFrame:
        frame: pd.DataFrame | None = None
        try:
            frame = read_factor_file(path)
            if frame.empty:
                raise invalid(upload.field, f"{upload.name}: the factor set has no rows")
            default_library().with_user_set(frame, name=name, version=version, source=upload.name)
        except FactorSetError as exc:
            raise _refused(upload, exc, frame, str(path)) from None
        return frame

    frame = read_upload(upload, FACTOR_SET_SUFFIXES, read)
    set_id = save_factor_set(session, name=name, version=version, frame=frame, source_path=upload.name)
    stored = session.get(FactorSet, set_id)
    ledger = Ledger(session.get_bind(), platform_key=platform_key(settings))  # type: ignore[arg-type]
    draft = EntryDraft(
        "factorset.loaded",
        "platform",
        {
            "factor_set_id": set_id,
            "name": name,
            "version": version,
            "file": upload.name,
            "file_sha256": hashlib.sha256(upload.content).hexdigest(),
            "rows": len(frame),
            "loaded_by": loaded_by,
        },
        subject=f"factorset:{name}:{version}",
        tenant=tenant,
    )
    (index,), _ = ledger.append([draft], session=session)
    logger.info(
        "stored factor set %r version %r (%d rows) for %s, ledger entry %d", name, version, len(frame), tenant, index
    )
    return {
        "id": name,
        "set_id": set_id,
        "name": name,
        "version": version,
        "records": len(frame),
        "stored": True,
        "sha256": stored.sha256 if stored is not None else None,
        "source": upload.name,
        "loaded_at": as_utc(stored.loaded_at) if stored is not None else None,
        "ledger_entry": index,
    }


def factor_set_rows(session: Session | None) -> list[dict[str, Any]]:
    """Shipped datasets, then the stored sets of the tenant (``zerocity factors sets --json``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session or None
        Tenant database session; None for a caller without a tenant (shipped datasets only).

    Returns
    -------
    list of dict
        ``id``, ``name``, ``version``, ``records`` [factors], ``stored``; stored sets also give
        ``set_id``, ``sha256``, ``source`` (the file name) and ``loaded_at`` (UTC).
    """
    rows: list[dict[str, Any]] = [
        {"id": s.id, "name": s.name, "version": s.version, "records": s.records, "stored": False}
        for s in default_library().sets
    ]
    if session is None:
        return rows
    rows += [
        {
            "id": s.name,
            "set_id": s.id,
            "name": s.name,
            "version": s.version,
            "records": s.row_count,
            "stored": True,
            "sha256": s.sha256,
            "source": s.source_path,
            "loaded_at": s.loaded_at,
        }
        for s in list_factor_sets(session)
    ]
    return rows


def activity_rows() -> list[dict[str, Any]]:
    """The activity vocabulary (``zerocity factors activities --json``): id, names, category, unit, proxy."""
    return [vars(a).copy() for a in default_library().activities.values()]


def stored_set_library(session: Session, name: str, version: str | None = None) -> StoredSetLibrary:
    """The shipped library with a stored factor set of the tenant (as ``--factor-set NAME``).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Tenant database session.
    name : str
        Name of the stored set.
    version : str, optional
        Its version; the latest stored when omitted.

    Raises
    ------
    NotFoundError
        No such set in this tenant (404; the message lists the stored versions of the name).
    FactorSetError
        The stored set no longer fits the shipped library (an activity or id changed since).
    """
    frame = load_factor_set(session, name, version)
    info = dict(frame.attrs["factor_set"])
    library = default_library().with_user_set(
        frame,
        name=info["name"],
        version=info["version"],
        source=f"stored factor set {info['name']} version {info['version']}",
    )
    return StoredSetLibrary(library, {k: info[k] for k in ("id", "name", "version", "sha256")})


def requested_set_library(session: Session, name: str, version: str | None, *, where: str = "body") -> StoredSetLibrary:
    """:func:`stored_set_library` for a request field: a set the tenant does not hold is a 422 naming ``factor_set``.

    Parameters
    ----------
    where : str
        ``body`` (a form field) or ``query`` (a query parameter), for the error's location.
    """
    try:
        return stored_set_library(session, name, version)
    except NotFoundError as exc:
        message = f"factor_set: {exc}; GET /factors/sets lists your tenant's sets"
        raise ApiError(
            422, "invalid_request", message, [{"location": [where, "factor_set"], "message": str(exc)}]
        ) from None
