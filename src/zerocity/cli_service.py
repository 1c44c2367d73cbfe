"""``zerocity serve`` and ``zerocity service ...``: run the HTTP API, manage tenants, users and API keys.

Passwords are never taken on the command line: they come from a hidden prompt, from standard
input when it is not a terminal, or from ``--password-file``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zerocity.clikit import out, print_json, run

__all__ = ["serve_command", "service_app"]

service_app = typer.Typer(help="The HTTP service: tenants (cities), users and API keys.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants (cities) of this deployment.", no_args_is_help=True)
user_app = typer.Typer(help="Users who log in to the API.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for meters and machines.", no_args_is_help=True)
service_app.add_typer(tenant_app, name="tenant")
service_app.add_typer(user_app, name="user")
service_app.add_typer(apikey_app, name="apikey")

ROLE_HELP = "platform_admin, city_admin, analyst, enterprise_reporter, verifier, household or public."


def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the HTTP API (OpenAPI at /api/v1/docs); migrations run at start.

    The platform database is ``ZEROCITY_DATABASE_URL`` (SQLite in the data directory by default).
    """
    import uvicorn

    from zerocity.service import create_app

    if workers > 1:
        uvicorn.run(
            "zerocity.service.app:create_app", factory=True, host=host, port=port, workers=workers, log_level=log_level
        )
        return
    app = run(create_app)
    uvicorn.run(app, host=host, port=port, log_level=log_level)


@service_app.command("upgrade")
def service_upgrade() -> None:
    """Migrate the platform database and every tenant database to the latest revision."""

    def work() -> list[str]:
        return list(_registry().upgrade_all())

    slugs = run(work)
    out.print(f"platform database and {len(slugs)} tenant database(s) at head", highlight=False)


def _registry() -> Any:
    from zerocity.service.tenancy import registry_for

    return registry_for()


def _read_password(password_file: Path | None) -> str:
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@tenant_app.command("create")
def tenant_create(
    slug: Annotated[str, typer.Argument(help="Tenant id: lower-case letters, digits, '_' (2-40).")],
    name: Annotated[str, typer.Option(help="City name.")],
) -> None:
    """Register a city and create its database."""
    from zerocity.service.accounts import create_tenant
    from zerocity.service.audit import record_audit
    from zerocity.store.db import session_scope

    def work() -> int:
        registry = _registry()
        with session_scope(registry.platform_engine()) as session:
            tenant = create_tenant(session, slug=slug, name=name, registry=registry)
            record_audit(session, principal=None, actor="cli", action="tenant.create", target=f"tenant:{slug}")
            return int(tenant.id)

    tenant_id = run(work)
    out.print(f"created tenant {slug!r} (id {tenant_id})", highlight=False)


@tenant_app.command("list")
def tenant_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List tenants."""
    from zerocity.service.accounts import list_tenants
    from zerocity.store.db import session_scope

    def work() -> list[dict[str, Any]]:
        with session_scope(_registry().platform_engine()) as session:
            rows, _ = list_tenants(session, limit=100_000, offset=0)
            return [{"id": t.id, "slug": t.slug, "name": t.name, "created_at": t.created_at.isoformat()} for t in rows]

    rows = run(work)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "slug", "name", "created")
    for r in rows:
        table.add_row(str(r["id"]), r["slug"], r["name"], r["created_at"])
    out.print(table)


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Login name (unique in the deployment).")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)],
    tenant: Annotated[str | None, typer.Option(help="Tenant slug (every role but platform_admin).")] = None,
    entity_id: Annotated[str | None, typer.Option(help="Own entity of an enterprise reporter or verifier.")] = None,
    household_id: Annotated[str | None, typer.Option(help="Own household of a household user.")] = None,
    password_file: Annotated[
        Path | None, typer.Option(help="Read the password from the first line of this file.")
    ] = None,
) -> None:
    """Create a user; the password is prompted for (hidden) or read from stdin or --password-file."""
    from zerocity.service.accounts import create_user, get_tenant
    from zerocity.service.audit import record_audit
    from zerocity.service.permissions import Role
    from zerocity.store.db import session_scope

    password = _read_password(password_file)

    def work() -> int:
        parsed = Role(role) if role in {r.value for r in Role} else None
        if parsed is None:
            from zerocity.service.accounts import AccountError

            raise AccountError(f"unknown role {role!r}; expected {ROLE_HELP}")
        with session_scope(_registry().platform_engine()) as session:
            tenant_id = get_tenant(session, tenant).id if tenant else None
            user = create_user(
                session,
                tenant_id=tenant_id,
                username=username,
                password=password,
                role=parsed,
                entity_id=entity_id,
                household_id=household_id,
            )
            record_audit(
                session,
                principal=None,
                actor="cli",
                tenant=tenant,
                action="user.create",
                target=f"user:{user.id}",
                details={"username": username, "role": parsed.value},
            )
            return int(user.id)

    user_id = run(work)
    out.print(f"created user {username!r} (id {user_id})", highlight=False)


@user_app.command("list")
def user_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List users (never their password hashes)."""
    from zerocity.service.accounts import get_tenant, list_users
    from zerocity.store.db import session_scope
    from zerocity.store.models import Tenant

    def work() -> list[dict[str, Any]]:
        with session_scope(_registry().platform_engine()) as session:
            scope = get_tenant(session, tenant).id if tenant else None
            rows, _ = list_users(session, scope_tenant_id=scope, limit=100_000, offset=0)
            slugs = {t.id: t.slug for t in session.query(Tenant)}
            return [
                {
                    "id": u.id,
                    "username": u.username,
                    "role": u.role,
                    "tenant": slugs.get(u.tenant_id) if u.tenant_id is not None else None,
                    "entity_id": u.entity_id,
                    "household_id": u.household_id,
                    "disabled": u.disabled,
                }
                for u in rows
            ]

    rows = run(work)
    if as_json:
        print_json(rows)
        return
    table = Table("id", "username", "role", "tenant", "entity", "household", "disabled")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["username"],
            r["role"],
            r["tenant"] or "",
            r["entity_id"] or "",
            r["household_id"] or "",
            "yes" if r["disabled"] else "",
        )
    out.print(table)


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug.")],
    name: Annotated[str, typer.Option(help="What the key is for (meter id, gateway...).")],
    role: Annotated[str, typer.Option(help=ROLE_HELP)] = "analyst",
    entity_id: Annotated[str | None, typer.Option(help="Own entity (enterprise reporter, verifier).")] = None,
    household_id: Annotated[str | None, typer.Option(help="Own household (household).")] = None,
) -> None:
    """Create an API key and print it once (only its SHA-256 is stored)."""
    from zerocity.service.accounts import AccountError, create_api_key, get_tenant
    from zerocity.service.audit import record_audit
    from zerocity.service.permissions import Role
    from zerocity.store.db import session_scope

    def work() -> tuple[int, str]:
        if role not in {r.value for r in Role}:
            raise AccountError(f"unknown role {role!r}; expected {ROLE_HELP}")
        with session_scope(_registry().platform_engine()) as session:
            found = get_tenant(session, tenant)
            key, token = create_api_key(
                session,
                tenant_id=found.id,
                name=name,
                role=Role(role),
                created_by="cli",
                entity_id=entity_id,
                household_id=household_id,
            )
            record_audit(
                session,
                principal=None,
                actor="cli",
                tenant=tenant,
                action="apikey.create",
                target=f"apikey:{key.id}",
                details={"name": name, "role": role},
            )
            return int(key.id), token

    key_id, token = run(work)
    sys.stderr.write(f"created API key {key_id} for {tenant!r}; it is shown once, store it now:\n")
    sys.stdout.write(token + "\n")
