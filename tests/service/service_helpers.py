"""Helpers of the service tests: a world of two tenants and one user per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from zerocity.service import Settings, create_app
from zerocity.service.accounts import create_api_key, create_tenant, create_user
from zerocity.service.permissions import Role
from zerocity.service.tenancy import TenantRegistry
from zerocity.store.db import session_scope

PASSWORD = "correct horse battery"
SECRET = "s" * 48
ENTITY = "91320100MA1XXXXX9R"  # valid GB 32100-2015 check characters
OTHER_ENTITY = "91320100MA1YYYYY2C"


@dataclass
class World:
    """Two tenants (alpha, beta), a platform admin, one user per role in alpha, a city admin in beta."""

    client: TestClient
    registry: TenantRegistry
    settings: Settings
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    tenant_ids: dict[str, int] = field(default_factory=dict)
    keys: dict[str, tuple[int, str]] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        if who == "anonymous":
            return {}
        if who.startswith("key:"):
            return {"X-API-Key": self.keys[who[4:]][1]}
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def login(self, username: str, password: str = PASSWORD) -> dict:
        response = self.client.post("/api/v1/auth/token", data={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return response.json()


#: username -> (role, tenant, entity_id, household_id)
USERS = {
    "root": (Role.PLATFORM_ADMIN, None, None, None),
    "alpha_admin": (Role.CITY_ADMIN, "alpha", None, None),
    "alpha_analyst": (Role.ANALYST, "alpha", None, None),
    "alpha_reporter": (Role.ENTERPRISE_REPORTER, "alpha", ENTITY, None),
    "alpha_verifier": (Role.VERIFIER, "alpha", OTHER_ENTITY, None),
    "alpha_household": (Role.HOUSEHOLD, "alpha", None, "H-0001"),
    "alpha_public": (Role.PUBLIC, "alpha", None, None),
    "beta_admin": (Role.CITY_ADMIN, "beta", None, None),
    "beta_analyst": (Role.ANALYST, "beta", None, None),
}


def build_world(settings: Settings) -> World:
    app = create_app(settings)
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()  # run the lifespan (migrations)
    registry: TenantRegistry = app.state.registry
    world = World(client=client, registry=registry, settings=settings)
    with session_scope(registry.platform_engine()) as session:
        for slug in ("alpha", "beta"):
            world.tenant_ids[slug] = create_tenant(session, slug=slug, name=slug.title(), registry=registry).id
        for username, (role, tenant, entity, household) in USERS.items():
            user = create_user(
                session,
                tenant_id=world.tenant_ids[tenant] if tenant else None,
                username=username,
                password=PASSWORD,
                role=role,
                entity_id=entity,
                household_id=household,
            )
            world.users[username] = user.id
        for slug in ("alpha", "beta"):
            key, token = create_api_key(
                session, tenant_id=world.tenant_ids[slug], name=f"meter-{slug}", role=Role.ANALYST, created_by="test"
            )
            world.keys[slug] = (key.id, token)
    for username in USERS:
        world.tokens[username] = world.login(username)["access_token"]
    return world


def sqlite_settings(folder: Path, **overrides) -> Settings:
    return Settings(
        database_url=f"sqlite:///{(folder / 'platform.sqlite').as_posix()}",
        data_dir=folder,
        jwt_secret=SECRET,
        **overrides,
    )
