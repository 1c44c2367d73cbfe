"""The tenant's ledger: tree head, proofs, proof check, health, evidence files, log, actors, export.

Mirrors ``zerocity ledger pubkey|prove|check-proof|verify|evidence-add|log|actors|export``
(:mod:`zerocity.service.mrv`, :mod:`zerocity.service.ledger`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile
from sqlalchemy.engine import Engine

from zerocity.service import ledger as files
from zerocity.service import mrv as service
from zerocity.service.deps import Page, get_settings, row_scope, tenant_engine
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.routers.common import audit_success, download, file_responses
from zerocity.service.schemas import (
    EvidenceStored,
    LedgerEntriesPage,
    LedgerHead,
    LedgerHealth,
    ProofCheck,
    ProofCheckRequest,
    error_responses,
)
from zerocity.service.settings import Settings

router = APIRouter(prefix="/ledger", tags=["ledger"])
_ERRORS = error_responses(400, 401, 403, 404, 422)

TreeSize = Annotated[int | None, Query(ge=1, le=2**62, description="Tree head size (default: the newest).")]


@router.get("/head", response_model=LedgerHead, responses=_ERRORS, summary="Newest signed tree head")
def head(
    principal: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """The newest signed tree head of the tenant's ledger and the platform public key."""
    return service.ledger_head(engine, settings)


@router.get("/entries/{index}/proof", responses=_ERRORS, summary="Inclusion proof of an entry")
def inclusion_proof(
    index: Annotated[int, Path(ge=0, le=2**62, description="Entry index.")],
    size: TreeSize = None,
    principal: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """A standalone proof (entry, signed tree head, audit path); check it with ``POST /ledger/proofs/check``.

    An enterprise reporter gets proofs of its own entity's entries only.
    """
    return service.entry_proof(engine, scope=row_scope(principal), index=index, size=size)


@router.get("/consistency", responses=_ERRORS, summary="Consistency proof between tree heads")
def consistency_proof(
    old_size: Annotated[int, Query(ge=1, le=2**62, description="Size of the older tree head.")],
    new_size: TreeSize = None,
    principal: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """RFC 6962 consistency proof: the older tree is a prefix of the newer."""
    return service.ledger_consistency(engine, old_size=old_size, new_size=new_size)


@router.post("/proofs/check", response_model=ProofCheck, responses=_ERRORS, summary="Check an inclusion proof")
def check_proof(
    body: ProofCheckRequest,
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Anyone (no authentication) may check a proof; it needs only the public key, no database."""
    return service.check_submitted_proof(body.proof, body.public_key, settings)


@router.get("/health", response_model=LedgerHealth, responses=_ERRORS, summary="Verify the whole chain")
def health(
    principal: Principal = Depends(require(Permission.LEDGER_HEALTH)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> dict[str, Any]:
    """Recompute every hash and the tree, check every signature and tree head; list problems."""
    return service.ledger_health(engine, settings)


@router.post(
    "/evidence", status_code=201, response_model=EvidenceStored, responses=_ERRORS, summary="Store an evidence file"
)
def add_evidence(
    request: Request,
    file: Annotated[UploadFile, File(description="Any file (data, a meter export, a PDF); stored once by its hash.")],
    principal: Principal = Depends(require(Permission.MRV_SUBMIT)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """Store a file by the SHA-256 of its content (``zerocity ledger evidence-add``); the same file twice once.

    Entries refer to evidence by that hash. No entry is written: the store is content-addressed.
    """
    doc = files.store_evidence(engine, content=file.file.read(), filename=file.filename or "evidence")
    audit_success(
        request,
        principal,
        "ledger.evidence",
        f"evidence:{doc['sha256']}",
        status_code=201,
        details={"size": doc["size"]},
    )
    return doc


@router.get(
    "/evidence/{digest}",
    responses=file_responses(_ERRORS, "application/octet-stream"),
    summary="Download an evidence file",
)
def get_evidence(
    digest: Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the file (64 lowercase hex).")],
    principal: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> Response:
    """The stored file (an enterprise reporter: only a file an entry of its entity refers to)."""
    found = files.evidence_file(engine, scope=row_scope(principal), digest=digest)
    return download(found.content, found.media_type, found.filename)


@router.get("/entries", response_model=LedgerEntriesPage, responses=_ERRORS, summary="The entry log")
def entries(
    page: Page,
    type: Annotated[
        str | None, Query(min_length=1, max_length=64, description="Entry type or prefix (mrv., allowance.).")
    ] = None,
    subject: Annotated[str | None, Query(min_length=1, max_length=200, description="Only entries about this.")] = None,
    principal: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> dict[str, Any]:
    """Entries oldest first, each ``index`` and the entry object (``zerocity ledger log``).

    An enterprise reporter gets the entries about its own entity only.
    """
    items, total = files.entries_page(
        engine, scope=row_scope(principal), type_prefix=type, subject=subject, limit=page.limit, offset=page.offset
    )
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/actors", responses=_ERRORS, summary="Registered actors")
def actors(
    principal: Principal = Depends(require(Permission.LEDGER_READ)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
) -> list[dict[str, Any]]:
    """Actors with their role, entity and public key (``zerocity ledger actors``).

    An enterprise reporter sees the city's actors and its own entity's reporters only.
    """
    return files.actor_list(engine, scope=row_scope(principal))


@router.get(
    "/export",
    responses=file_responses(_ERRORS, "application/zip"),
    summary="Export the whole ledger (ZIP)",
)
def export(
    principal: Principal = Depends(require(Permission.LEDGER_EXPORT)),  # noqa: B008
    engine: Engine = Depends(tenant_engine),  # noqa: B008
    settings: Settings = Depends(get_settings),  # noqa: B008
) -> Response:
    """What ``zerocity ledger export`` writes, zipped: entries, tree heads, public key, evidence files.

    Unpacked, ``zerocity ledger verify --export DIR`` checks it with no database.
    """
    exported = files.export_zip(engine, settings, tenant=str(principal.tenant))
    return download(exported.content, exported.media_type, exported.filename)
