"""The authenticated caller of a request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zerocity.service.permissions import Role

__all__ = ["ANONYMOUS", "Principal", "PrincipalKind"]


class PrincipalKind(StrEnum):
    """How the caller authenticated."""

    USER = "user"
    API_KEY = "apikey"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class Principal:
    """Who is calling, with the attributes every authorisation decision uses.

    Attributes
    ----------
    kind : PrincipalKind
        User (bearer token), API key, or anonymous.
    id : int
        User or API key id (0 for anonymous).
    name : str
        Username, key name, or ``anonymous``.
    role : Role
        Role of the user or key.
    tenant : str or None
        Tenant slug; None for platform administrators and anonymous callers.
    tenant_id : int or None
        Id of the tenant in the platform database.
    entity_id : str or None
        Own entity of an enterprise reporter or verifier.
    household_id : str or None
        Own household of a household user.
    """

    kind: PrincipalKind
    id: int
    name: str
    role: Role
    tenant: str | None
    tenant_id: int | None
    entity_id: str | None = None
    household_id: str | None = None

    @property
    def actor(self) -> str:
        """Audit log actor: ``user:<name>``, ``apikey:<id>`` or ``anonymous``."""
        if self.kind is PrincipalKind.ANONYMOUS:
            return "anonymous"
        if self.kind is PrincipalKind.API_KEY:
            return f"apikey:{self.id}"
        return f"user:{self.name}"


ANONYMOUS = Principal(PrincipalKind.ANONYMOUS, 0, "anonymous", Role.PUBLIC, None, None)
