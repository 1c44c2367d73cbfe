"""Passwords, tokens, refresh rotation, API keys, rate limiting and the audit rows they leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from service_helpers import PASSWORD, SECRET, World
from sqlalchemy import select

from zerocity.service.security import hash_password, issue_access_token, verify_password
from zerocity.store.db import session_scope
from zerocity.store.models import ApiKey, AuditEntry, RefreshToken, User


def test_password_stored_as_argon2id_and_verified(world: World) -> None:
    with session_scope(world.registry.platform_engine()) as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "alpha_admin"))
    assert stored.startswith("$argon2id$")  # PHC string of Argon2id
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password(None, PASSWORD)
    assert hash_password(PASSWORD) != hash_password(PASSWORD)  # salted


def test_production_argon2_parameters(fast_password_hashing) -> None:
    # argon2-cffi's defaults (RFC 9106 low-memory profile): 64 MiB, 3 passes, 4 lanes
    produced = fast_password_hashing.hash(PASSWORD)
    assert produced.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(produced, PASSWORD)


def test_login_wrong_password_is_401_with_error_body(world: World) -> None:
    response = world.client.post("/api/v1/auth/token", data={"username": "alpha_admin", "password": "wrong password"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "login_failed"
    unknown = world.client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong password"})
    assert unknown.status_code == 401
    assert unknown.json()["error"]["message"] == response.json()["error"]["message"]  # no user enumeration


def test_access_token_claims_and_lifetime(world: World) -> None:
    before = datetime.now(UTC)
    tokens = world.login("alpha_analyst")
    claims = jwt.decode(tokens["access_token"], SECRET, algorithms=["HS256"])
    assert claims["type"] == "access" and claims["tid"] == "alpha"
    assert claims["sub"] == str(world.users["alpha_analyst"])
    # 15 minutes = 900 s (the default), within the second the token was issued
    assert tokens["expires_in"] == 900
    assert abs(claims["exp"] - (int(before.timestamp()) + 900)) <= 2


def test_expired_and_forged_tokens_rejected(world: World) -> None:
    me = "/api/v1/auth/me"
    user_id = world.users["alpha_admin"]
    expired, _ = issue_access_token(user_id=user_id, tenant="alpha", key=SECRET, lifetime=timedelta(seconds=-1))
    forged, _ = issue_access_token(user_id=user_id, tenant="alpha", key="f" * 48, lifetime=timedelta(minutes=5))
    none_alg = jwt.encode(
        {"sub": str(user_id), "tid": "alpha", "type": "access", "iat": 0, "exp": 4102444800}, key="", algorithm="none"
    )
    other_tenant, _ = issue_access_token(user_id=user_id, tenant="beta", key=SECRET, lifetime=timedelta(minutes=5))
    for token, why in [
        (expired, "expired"),
        (forged, "signature"),
        (none_alg, "invalid"),
        (other_tenant, "tenant"),
        ("garbage", "invalid"),
    ]:
        response = world.client.get(me, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, why
        assert response.json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    good, _ = issue_access_token(user_id=user_id, tenant="alpha", key=SECRET, lifetime=timedelta(minutes=5))
    assert world.client.get(me, headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_refresh_rotation_and_reuse_detection(world: World) -> None:
    first = world.login("alpha_analyst")["refresh_token"]
    rotated = world.client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert rotated.status_code == 200
    second = rotated.json()["refresh_token"]
    assert second != first
    access = rotated.json()["access_token"]
    assert world.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"}).status_code == 200
    # The spent token is refused, and its replay revokes the whole family (the successor too).
    replay = world.client.post("/api/v1/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "invalid_refresh_token"
    assert world.client.post("/api/v1/auth/refresh", json={"refresh_token": second}).status_code == 401
    with session_scope(world.registry.platform_engine()) as session:
        rows = session.scalars(select(RefreshToken).where(RefreshToken.user_id == world.users["alpha_analyst"]))
        hashes = [r.token_sha256 for r in rows]
    assert first not in hashes and second not in hashes  # only SHA-256 stored
    assert all(len(h) == 64 for h in hashes)


def test_refresh_token_lifetime_and_expiry(world: World) -> None:
    token = world.login("alpha_analyst")["refresh_token"]
    with session_scope(world.registry.platform_engine()) as session:
        row = session.scalars(select(RefreshToken).order_by(RefreshToken.id.desc())).first()
        lifetime = row.expires_at - row.issued_at
        assert abs(lifetime - timedelta(days=14)) < timedelta(seconds=5)
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    response = world.client.post("/api/v1/auth/refresh", json={"refresh_token": token})
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]


def test_logout_revokes_refresh_token(world: World) -> None:
    tokens = world.login("alpha_analyst")
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert (
        world.client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers)
    ).status_code == 204
    assert world.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_disabled_user_is_locked_out(world: World) -> None:
    tokens = world.login("alpha_analyst")
    admin = world.headers("alpha_admin")
    user_id = world.users["alpha_analyst"]
    assert world.client.patch(f"/api/v1/users/{user_id}", json={"disabled": True}, headers=admin).status_code == 200
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert world.client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert world.client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    login = world.client.post("/api/v1/auth/token", data={"username": "alpha_analyst", "password": PASSWORD})
    assert login.status_code == 401


def test_api_key_shown_once_stored_hashed_and_revocable(world: World) -> None:
    admin = world.headers("alpha_admin")
    made = world.client.post("/api/v1/api-keys", json={"name": "meter-7", "role": "analyst"}, headers=admin)
    assert made.status_code == 201
    key, key_id = made.json()["key"], made.json()["id"]
    assert key.startswith("zck_")
    with session_scope(world.registry.platform_engine()) as session:
        row = session.get(ApiKey, key_id)
        assert row.key_sha256 != key and len(row.key_sha256) == 64
        assert row.last_used_at is None
    listed = world.client.get("/api/v1/api-keys", headers=admin).json()["items"]
    assert all("key" not in item for item in listed)
    me = world.client.get("/api/v1/auth/me", headers={"X-API-Key": key})
    assert me.status_code == 200 and me.json() == {
        "kind": "apikey",
        "id": key_id,
        "name": "meter-7",
        "role": "analyst",
        "tenant": "alpha",
        "entity_id": None,
        "household_id": None,
    }
    with session_scope(world.registry.platform_engine()) as session:
        assert session.get(ApiKey, key_id).last_used_at is not None
    assert world.client.delete(f"/api/v1/api-keys/{key_id}", headers=admin).status_code == 200
    assert world.client.get("/api/v1/auth/me", headers={"X-API-Key": key}).status_code == 401
    assert world.client.get("/api/v1/auth/me", headers={"X-API-Key": "zck_unknown"}).status_code == 401


def test_login_rate_limit(world: World) -> None:
    """5 failures per username and client within 15 minutes (zerocity's choice), then 429."""
    form = {"username": "alpha_admin", "password": "wrong password"}
    statuses = [world.client.post("/api/v1/auth/token", data=form).status_code for _ in range(5)]
    assert statuses == [401] * 5
    limited = world.client.post("/api/v1/auth/token", data=form)
    assert limited.status_code == 429
    retry = int(limited.headers["Retry-After"])
    assert 0 < retry <= 15 * 60 + 1
    assert limited.json()["error"]["code"] == "rate_limited"
    # Even the right password is refused while locked; another username from the client is not.
    right = world.client.post("/api/v1/auth/token", data={"username": "alpha_admin", "password": PASSWORD})
    assert right.status_code == 429
    other = world.client.post("/api/v1/auth/token", data={"username": "alpha_analyst", "password": PASSWORD})
    assert other.status_code == 200


def test_audit_rows_for_logins_and_writes(world: World) -> None:
    world.client.post("/api/v1/auth/token", data={"username": "alpha_admin", "password": "wrong password"})
    admin = world.headers("alpha_admin")
    made = world.client.post(
        "/api/v1/users",
        json={"username": "new_analyst", "password": "a long password", "role": "analyst"},
        headers=admin,
    )
    assert made.status_code == 201
    denied = world.client.post("/api/v1/tenants", json={"slug": "gamma", "name": "G"}, headers=admin)
    assert denied.status_code == 403
    with session_scope(world.registry.platform_engine()) as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    by_action = [(r.actor, r.action, r.outcome, r.tenant) for r in rows]
    assert ("user:alpha_admin", "auth.login", "success", "alpha") in by_action
    assert ("user:alpha_admin", "auth.login", "failure", None) in by_action
    assert ("user:alpha_admin", "user.create", "success", "alpha") in by_action
    assert ("user:alpha_admin", "POST /api/v1/tenants", "denied", "alpha") in by_action
    created = next(r for r in rows if r.action == "user.create")
    assert created.target == f"user:{made.json()['id']}" and created.client == "testclient"
    assert created.details["username"] == "new_analyst"
    # The city administrator reads its own tenant's rows through the API, newest first.
    page = world.client.get("/api/v1/audit", params={"action": "user.create"}, headers=admin).json()
    assert page["total"] == 1 and page["items"][0]["target"] == created.target
