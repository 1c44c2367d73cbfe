"""Roles and permissions: one declarative table, checked by one dependency (:func:`require`).

Row-level limits (an enterprise reporter's own entity, a household's own data) are applied by
:func:`zerocity.service.deps.row_scope`, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from fastapi import Depends

if TYPE_CHECKING:
    from zerocity.service.deps import Principal

__all__ = ["PERMISSIONS", "TENANT_ROLES", "Permission", "Role", "allowed", "require"]


class Role(StrEnum):
    """Roles of users and API keys."""

    PLATFORM_ADMIN = "platform_admin"
    CITY_ADMIN = "city_admin"
    ANALYST = "analyst"
    ENTERPRISE_REPORTER = "enterprise_reporter"
    VERIFIER = "verifier"
    HOUSEHOLD = "household"
    PUBLIC = "public"


#: Roles that belong to a tenant (every role but the platform administrator).
TENANT_ROLES: frozenset[Role] = frozenset(Role) - {Role.PLATFORM_ADMIN}


class Permission(StrEnum):
    """Things a caller may do."""

    ME = "me"
    TENANT_MANAGE = "tenant.manage"
    USER_MANAGE = "user.manage"
    APIKEY_MANAGE = "apikey.manage"
    AUDIT_READ = "audit.read"
    FACTOR_READ = "factor.read"
    INVENTORY_IMPORT = "inventory.import"
    INVENTORY_READ = "inventory.read"
    INVENTORY_PUBLISH = "inventory.publish"
    PUBLISHED_READ = "published.read"
    MRV_SUBMIT = "mrv.submit"
    MRV_READ = "mrv.read"
    MRV_DECIDE = "mrv.decide"
    LEDGER_READ = "ledger.read"
    LEDGER_HEALTH = "ledger.health"
    ENTERPRISE_REGISTRY_MANAGE = "enterprise.registry.manage"
    ENTERPRISE_READ = "enterprise.read"
    HOUSEHOLD_SELF = "household.self"
    HOUSEHOLD_INGEST = "household.ingest"
    HOUSEHOLD_AGGREGATE = "household.aggregate"
    HOUSEHOLD_CATALOGUE = "household.catalogue"
    METER_MANAGE = "meter.manage"
    METER_READ = "meter.read"
    READING_POST = "reading.post"
    MONITOR_CITY = "monitor.city"
    MONITOR_MANAGE = "monitor.manage"
    MODEL_RUN = "model.run"
    ALLOWANCE_ISSUE = "allowance.issue"
    ALLOWANCE_MOVE = "allowance.move"
    ENTERPRISE_EXPORT = "enterprise.export"
    LEDGER_EXPORT = "ledger.export"
    FACTOR_IMPORT = "factor.import"


_ALL = frozenset(Role)
_STAFF = frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER, Role.VERIFIER, Role.HOUSEHOLD})

#: Permission -> roles allowed. Platform administrators manage tenants, users and keys but do
#: not read city data (they have no tenant). Enterprise reporters see their own entity's
#: inventories only; verifiers read the whole tenant (to verify) but import nothing.
PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.ME: _ALL,
    Permission.TENANT_MANAGE: frozenset({Role.PLATFORM_ADMIN}),
    Permission.USER_MANAGE: frozenset({Role.PLATFORM_ADMIN, Role.CITY_ADMIN}),
    Permission.APIKEY_MANAGE: frozenset({Role.PLATFORM_ADMIN, Role.CITY_ADMIN}),
    Permission.AUDIT_READ: frozenset({Role.PLATFORM_ADMIN, Role.CITY_ADMIN}),
    Permission.FACTOR_READ: _STAFF | {Role.PLATFORM_ADMIN},
    Permission.INVENTORY_IMPORT: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER}),
    Permission.INVENTORY_READ: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER, Role.VERIFIER}),
    Permission.INVENTORY_PUBLISH: frozenset({Role.CITY_ADMIN}),
    Permission.PUBLISHED_READ: _ALL,
    # MRV: reporters submit for their own entity, the city administrator the city's own report;
    # only verifiers decide (the CLI's rule), never a report of their own entity (checked per report).
    Permission.MRV_SUBMIT: frozenset({Role.CITY_ADMIN, Role.ENTERPRISE_REPORTER}),
    Permission.MRV_READ: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER, Role.VERIFIER}),
    Permission.MRV_DECIDE: frozenset({Role.VERIFIER}),
    # The tree head and proofs (a reporter: of its own entity's entries); the full-chain check.
    Permission.LEDGER_READ: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER, Role.VERIFIER}),
    Permission.LEDGER_HEALTH: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.VERIFIER}),
    # Enterprise accounts: the city administrator sets the registry; a reporter reads (and projects
    # quotas of) its own entity only.
    Permission.ENTERPRISE_REGISTRY_MANAGE: frozenset({Role.CITY_ADMIN}),
    Permission.ENTERPRISE_READ: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER}),
    # Households: a household reaches its own data only; events come from the city's data
    # sources (the city administrator or its keys) or from the household itself (own rows);
    # city staff see k-anonymous aggregates only.
    Permission.HOUSEHOLD_SELF: frozenset({Role.HOUSEHOLD}),
    Permission.HOUSEHOLD_INGEST: frozenset({Role.CITY_ADMIN, Role.HOUSEHOLD}),
    Permission.HOUSEHOLD_AGGREGATE: frozenset({Role.CITY_ADMIN, Role.ANALYST}),
    Permission.HOUSEHOLD_CATALOGUE: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.HOUSEHOLD}),
    # Monitoring: the city administrator registers meters, sets quotas and webhooks; meters post
    # readings with API keys (an enterprise reporter's key: its own entity's meters only); a
    # reporter reads its own meters, rollups and warnings; the city-wide live view is staff only.
    Permission.METER_MANAGE: frozenset({Role.CITY_ADMIN}),
    Permission.METER_READ: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER}),
    Permission.READING_POST: frozenset({Role.CITY_ADMIN, Role.ANALYST, Role.ENTERPRISE_REPORTER}),
    Permission.MONITOR_CITY: frozenset({Role.CITY_ADMIN, Role.ANALYST}),
    Permission.MONITOR_MANAGE: frozenset({Role.CITY_ADMIN}),
    # Models (brain, scenarios, targets, energy, actions, sinks) and their jobs: city staff who plan.
    Permission.MODEL_RUN: frozenset({Role.CITY_ADMIN, Role.ANALYST}),
    # Allowances on the ledger: only the city issues; units move from an account by its holder (a
    # reporter: its own entity's account) or the city administrator. The finance export is every
    # entity's accounts, so it goes to those who read every account (not verifiers, who read reports).
    Permission.ALLOWANCE_ISSUE: frozenset({Role.CITY_ADMIN}),
    Permission.ALLOWANCE_MOVE: frozenset({Role.CITY_ADMIN, Role.ENTERPRISE_REPORTER}),
    Permission.ENTERPRISE_EXPORT: frozenset({Role.CITY_ADMIN, Role.ANALYST}),
    # The whole ledger with its evidence files, for an outside audit: the city and its verifiers.
    Permission.LEDGER_EXPORT: frozenset({Role.CITY_ADMIN, Role.VERIFIER}),
    # A tenant's own factor sets (stored in its database, used with factor_set=...): city staff who compute.
    Permission.FACTOR_IMPORT: frozenset({Role.CITY_ADMIN, Role.ANALYST}),
}


def allowed(role: Role, permission: Permission) -> bool:
    """Whether a role holds a permission (the table :data:`PERMISSIONS`)."""
    return role in PERMISSIONS[permission]


def require(permission: Permission) -> Callable[..., Principal]:
    """A FastAPI dependency: the authenticated principal, if its role holds ``permission``.

    Unauthenticated callers get 401, authenticated callers without the permission 403.
    """
    from zerocity.service.deps import current_principal
    from zerocity.service.errors import ApiError

    def dependency(principal: Principal = Depends(current_principal)) -> Principal:  # noqa: B008
        if not allowed(principal.role, permission):
            raise ApiError(403, "forbidden", f"role {principal.role.value!r} may not {permission.value}")
        return principal

    dependency.__name__ = f"require_{permission.value.replace('.', '_')}"
    return dependency
