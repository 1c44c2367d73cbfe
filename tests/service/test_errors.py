"""One error body for every 4xx/5xx; size limit; malformed and invalid payloads; health."""

from __future__ import annotations

from service_helpers import World, build_world, sqlite_settings

from zerocity.service.errors import ApiError


def _is_error_body(body: dict) -> bool:
    return set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}


def test_oversized_body_is_413(tmp_path) -> None:
    limit = 64 * 1024  # the limit is a setting (10 MB by default); a small one keeps the test light
    world = build_world(sqlite_settings(tmp_path, max_body_bytes=limit))
    try:
        h = world.headers("alpha_analyst")
        big = "x" * (limit + 1)
        declared = world.client.post(
            "/api/v1/inventories", files={"file": ("r.csv", big, "text/csv")}, data={"name": "n"}, headers=h
        )
        assert declared.status_code == 413 and _is_error_body(declared.json())
        assert declared.json()["error"]["code"] == "payload_too_large"

        def chunks():
            for _ in range(20):
                yield b"y" * 8192  # 160 KiB without a Content-Length (chunked)

        streamed = world.client.post(
            "/api/v1/users", content=chunks(), headers={**h, "Content-Type": "application/json"}
        )
        assert streamed.status_code == 413 and _is_error_body(streamed.json())
        small = world.client.post(
            "/api/v1/inventories",
            files={"file": ("r.csv", "activity,amount\n", "text/csv")},
            data={"name": "n"},
            headers=h,
        )
        assert small.status_code == 422  # under the limit: reaches validation
    finally:
        world.client.__exit__(None, None, None)


def test_default_limit_is_10_mb(settings) -> None:
    assert settings.max_body_bytes == 10 * 1024 * 1024


def test_malformed_json_is_422_with_error_body(world: World) -> None:
    h = {**world.headers("alpha_admin"), "Content-Type": "application/json"}
    response = world.client.post("/api/v1/users", content=b'{"username": "x", ', headers=h)
    assert response.status_code == 422 and _is_error_body(response.json())
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["details"][0]["type"] == "json_invalid"


def test_invalid_fields_are_422_naming_the_field(world: World) -> None:
    h = world.headers("alpha_admin")
    response = world.client.post(
        "/api/v1/users", json={"username": "ok_name", "password": "short", "role": "emperor", "extra": 1}, headers=h
    )
    assert response.status_code == 422
    locations = {tuple(d["location"]) for d in response.json()["error"]["details"]}
    assert {("body", "password"), ("body", "role"), ("body", "extra")} <= locations


def test_domain_errors_are_4xx(world: World) -> None:
    h = world.headers("alpha_admin")
    duplicate = world.client.post(
        "/api/v1/users", json={"username": "alpha_analyst", "password": "a long password", "role": "analyst"}, headers=h
    )
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "already_exists"
    missing_entity = world.client.post(
        "/api/v1/users",
        json={"username": "rep2", "password": "a long password", "role": "enterprise_reporter"},
        headers=h,
    )
    assert missing_entity.status_code == 400 and "entity_id" in missing_entity.json()["error"]["message"]
    admin = world.client.post(
        "/api/v1/users", json={"username": "boss", "password": "a long password", "role": "platform_admin"}, headers=h
    )
    assert admin.status_code == 403


def test_unknown_route_and_method(world: World) -> None:
    missing = world.client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and _is_error_body(missing.json())
    wrong = world.client.put("/api/v1/health")
    assert wrong.status_code == 405 and _is_error_body(wrong.json())


def test_unexpected_error_is_500_with_error_body_and_no_trace(world: World) -> None:
    app = world.client.app

    @app.get("/api/v1/_boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    response = world.client.get("/api/v1/_boom")
    assert response.status_code == 500 and _is_error_body(response.json())
    assert "secret" not in response.text


def test_api_error_carries_headers() -> None:
    error = ApiError(429, "rate_limited", "slow down", headers={"Retry-After": "5"})
    assert error.headers == {"Retry-After": "5"} and error.details == []


def test_health(world: World) -> None:
    response = world.client.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert response.json()["database"] == "sqlite"
