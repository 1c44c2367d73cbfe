"""``zerocity service ...`` commands and ``serve_command``; the JWT key file."""

from __future__ import annotations

import stat

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from zerocity.cli_service import serve_command, service_app
from zerocity.service import Settings
from zerocity.service.settings import load_jwt_secret

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ZEROCITY_JWT_SECRET", raising=False)
    return tmp_path


def test_tenant_user_and_key_commands(env, tmp_path) -> None:
    assert runner.invoke(service_app, ["tenant", "create", "springfield", "--name", "Springfield"]).exit_code == 0
    listed = runner.invoke(service_app, ["tenant", "list", "--json"])
    assert '"slug": "springfield"' in listed.stdout
    assert (env / "tenants" / "springfield.sqlite").exists()
    bad = runner.invoke(service_app, ["tenant", "create", "Bad Slug", "--name", "x"])
    assert bad.exit_code == 2 and "invalid tenant slug" in bad.stderr

    secret_file = tmp_path / "pw.txt"
    secret_file.write_text("a long password\n", encoding="utf-8")
    made = runner.invoke(
        service_app,
        [
            "user",
            "create",
            "mayor",
            "--role",
            "city_admin",
            "--tenant",
            "springfield",
            "--password-file",
            str(secret_file),
        ],
    )
    assert made.exit_code == 0, made.stderr
    assert "a long password" not in made.stdout + made.stderr  # never echoed
    from_stdin = runner.invoke(
        service_app, ["user", "create", "root", "--role", "platform_admin"], input="another long password\n"
    )
    assert from_stdin.exit_code == 0, from_stdin.stderr
    users = runner.invoke(service_app, ["user", "list", "--json"])
    assert '"username": "mayor"' in users.stdout and "argon2" not in users.stdout

    upgraded = runner.invoke(service_app, ["upgrade"])
    assert upgraded.exit_code == 0 and "1 tenant database(s) at head" in upgraded.stdout

    key = runner.invoke(service_app, ["apikey", "create", "--tenant", "springfield", "--name", "meter-1"])
    assert key.exit_code == 0
    token = key.stdout.strip()
    assert token.startswith("zck_")

    # The same databases serve the API: the user logs in and the key authenticates.
    from zerocity.service import create_app

    with TestClient(create_app(Settings())) as client:
        login = client.post("/api/v1/auth/token", data={"username": "mayor", "password": "a long password"})
        assert login.status_code == 200
        me = client.get("/api/v1/auth/me", headers={"X-API-Key": token}).json()
        assert me["tenant"] == "springfield" and me["role"] == "analyst"


def test_jwt_key_file_created_private_and_reused(tmp_path) -> None:
    first = load_jwt_secret(tmp_path)
    path = tmp_path / "jwt.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(bytes.fromhex(first)) == 32
    assert load_jwt_secret(tmp_path) == first


def test_short_secret_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Settings(jwt_secret="short")


def test_serve_command_runs_uvicorn_on_the_app(env, monkeypatch) -> None:
    seen = {}

    def fake_run(app, **kwargs):
        seen["app"], seen["kwargs"] = app, kwargs

    monkeypatch.setattr("uvicorn.run", fake_run)
    serve_command(host="0.0.0.0", port=8123)
    assert seen["kwargs"]["host"] == "0.0.0.0" and seen["kwargs"]["port"] == 8123
    assert seen["app"].openapi()["info"]["title"] == "zerocity"
