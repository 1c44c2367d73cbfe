"""The tenant's ledger: signed tree head, inclusion and consistency proofs, proof check, health.

Mirrors ``zerocity ledger pubkey|prove|check-proof|verify``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.engine import Engine

from zerocity.service import mrv as service
from zerocity.service.deps import get_settings, row_scope, tenant_engine
from zerocity.service.permissions import Permission, require
from zerocity.service.principal import Principal
from zerocity.service.schemas import LedgerHead, LedgerHealth, ProofCheck, ProofCheckRequest, error_responses
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
