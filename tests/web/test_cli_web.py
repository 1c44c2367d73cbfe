"""``zerocity demo-serve``'s app: Demo City loaded once, new passwords on every start."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from web_helpers import csrf_of

from zerocity.cli_web import build_demo_app
from zerocity.service.permissions import Role


def _login(client: TestClient, username: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf": token}, follow_redirects=False
    )
    return response.status_code


def test_demo_app_prints_one_login_per_role_and_renews_them(tmp_path, demo_city) -> None:
    app, demo = build_demo_app(tmp_path / "demo", city=demo_city, warm=False)
    roles = {role for role, _ in demo.logins.values()}
    assert roles == {
        Role.CITY_ADMIN,
        Role.ANALYST,
        Role.ENTERPRISE_REPORTER,
        Role.VERIFIER,
        Role.HOUSEHOLD,
        Role.PUBLIC,
    }
    old = demo.logins["demo_admin"][1]
    with TestClient(app) as client:
        assert _login(client, "demo_admin", old) == 303
        ledger = client.get("/ledger").text  # the demo's MRV history is on the tenant's ledger
        assert int(re.search(r'data-testid="ledger-size">(\d+)<', ledger).group(1)) > 0
    app2, demo2 = build_demo_app(tmp_path / "demo", city=demo_city, warm=False)  # a restart: data kept, passwords new
    new = demo2.logins["demo_admin"][1]
    assert new != old and demo2.inventory_id == demo.inventory_id
    with TestClient(app2) as client:
        assert _login(client, "demo_admin", old) == 401
        assert _login(client, "demo_admin", new) == 303
