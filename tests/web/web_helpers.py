"""Helpers of the dashboard tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi.testclient import TestClient

from zerocity.demo.tenant import DemoTenant
from zerocity.service import Settings


@dataclass
class DemoWorld:
    """A service with the dashboard mounted and Demo City loaded."""

    app: object
    settings: Settings
    demo: DemoTenant

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=True)

    def login(self, client: TestClient, who: str) -> TestClient:
        """Log ``client`` in as ``demo_<who>`` through the form (CSRF token from the login page)."""
        page = client.get("/login")
        token = csrf_of(page.text)
        username = f"{self.demo.slug}_{who}"
        response = client.post(
            "/login",
            data={"username": username, "password": self.demo.logins[username][1], "csrf": token, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)
