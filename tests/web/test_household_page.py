"""The household page: own data only, points arithmetic, redemption."""

from __future__ import annotations

import re

import pytest
from web_helpers import csrf_of


def _value(html: str, testid: str) -> float:
    return float(re.search(rf'data-testid="{testid}" data-value="([^"]+)"', html).group(1))


def _login(world, tenant, who: str):
    client = world.client()
    token = csrf_of(client.get("/login").text)
    username = f"{tenant.slug}_{who}"
    response = client.post(
        "/login",
        data={"username": username, "password": tenant.logins[username][1], "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    return client


def test_household_points_and_redemption(demo_world, flow_tenant) -> None:
    client = _login(demo_world, flow_tenant, "household")
    page = client.get("/household")
    assert page.status_code == 200
    assert flow_tenant.household_id in page.text
    balance = _value(page.text, "balance")
    points = [float(v) for v in re.findall(r'<td class="r" data-value="([^"]+)">', page.text)]
    # nothing redeemed or expired yet: the balance is the sum of the points per behaviour
    assert balance == pytest.approx(sum(points), abs=0.01)
    assert _value(page.text, "footprint") > 0
    items = re.findall(
        r'<td>([^<]+)</td><td class="r">([\d,.]+)</td><td>\s*<form[^>]*>.*?name="item" value="([^"]+)"', page.text, re.S
    )
    name, cost, item = min(items, key=lambda r: float(r[1].replace(",", "")))
    assert name
    done = client.post("/household/redeem", data={"item": item, "csrf": csrf_of(page.text)}, follow_redirects=False)
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert _value(after, "balance") == pytest.approx(balance - float(cost.replace(",", "")), abs=0.01)


def test_only_households_open_the_household_page(demo_world) -> None:
    for who in ("admin", "analyst", "reporter", "public"):
        client = demo_world.login(demo_world.client(), who)
        assert client.get("/household").status_code == 403, who
