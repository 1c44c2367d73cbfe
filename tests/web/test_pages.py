"""Dashboard pages in-process: cookie login, CSRF, language, role access, and the numbers shown.

Numbers are checked against :func:`zerocity.demo.inventory.demo_inventory` (the ``zerocity demo``
summary: the Demo City records computed directly, not the stored and reloaded inventory the pages
use) and against hand arithmetic on the statistics (per capita = total / population).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from web_helpers import csrf_of

from zerocity.demo.tenant import NEUTRAL_YEAR, PEAK_YEAR, demo_target_path
from zerocity.i18n import format_number
from zerocity.web.auth import CSRF_COOKIE, SESSION_COOKIE, safe_next
from zerocity.web.views import district_grades


def _value(html: str, testid: str) -> float:
    found = re.search(rf'data-testid="{testid}" data-value="([^"]+)"', html)
    assert found, f"{testid} not on the page"
    return float(found.group(1))


def test_pages_need_a_login_and_keep_the_target(demo_world) -> None:
    client = demo_world.client()
    response = client.get("/districts?year=2020", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdistricts%3Fyear%3D2020"


def test_login_sets_strict_httponly_cookie_and_refuses_bad_password(demo_world) -> None:
    client = demo_world.client()
    page = client.get("/login")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    token = csrf_of(page.text)
    bad = client.post("/login", data={"username": "demo_admin", "password": "wrong password!", "csrf": token})
    assert bad.status_code == 401 and "Incorrect username or password." in bad.text
    username = "demo_admin"
    ok = client.post(
        "/login",
        data={"username": username, "password": demo_world.demo.logins[username][1], "csrf": token, "next": "/"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    cookie = next(v for k, v in ok.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_post_without_the_csrf_token_or_from_another_origin_is_refused(demo_world) -> None:
    client = demo_world.client()
    token = csrf_of(client.get("/login").text)
    username = "demo_admin"
    password = demo_world.demo.logins[username][1]
    missing = client.post("/login", data={"username": username, "password": password, "csrf": ""})
    assert missing.status_code == 403
    wrong = client.post("/login", data={"username": username, "password": password, "csrf": token[::-1]})
    assert wrong.status_code == 403
    foreign = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert client.cookies.get(SESSION_COOKIE) is None
    assert client.cookies.get(CSRF_COOKIE) == token


def test_safe_next_stays_on_this_site() -> None:
    assert safe_next("/districts?year=2020") == "/districts?year=2020"
    for bad in ("https://evil.example/", "//evil.example", "/\\evil", "javascript:alert(1)", ""):
        assert safe_next(bad) == "/"


def test_language_switch_is_kept_in_a_cookie(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    english = client.get("/")
    assert 'lang="en"' in english.text and "City overview" in english.text
    response = client.post("/lang", data={"lang": "zh", "csrf": csrf_of(english.text), "next": "/districts"})
    assert response.status_code == 200 and str(response.url).endswith("/districts")
    assert 'lang="zh-CN"' in response.text and "区县地图" in response.text
    assert 'lang="zh-CN"' in client.get("/").text  # persisted


def test_overview_numbers_equal_the_demo_summary(demo_world, demo_reference) -> None:
    years = demo_reference
    client = demo_world.login(demo_world.client(), "admin")
    for year in (2024, 2015):
        html = client.get(f"/?year={year}").text
        ref = years[year]
        assert _value(html, "total") == pytest.approx(ref["total_tco2e"], rel=1e-9)
        # hand arithmetic on the statistics: per capita = total / population, per GDP = total / GDP
        assert _value(html, "per-capita") == pytest.approx(ref["total_tco2e"] / ref["population"], rel=1e-9)
        assert _value(html, "per-gdp") == pytest.approx(ref["total_tco2e"] / ref["gdp"], rel=1e-9)
        assert format_number(ref["total_tco2e"], "en") in html


def test_district_table_sums_to_the_district_attributed_emissions(demo_world, demo_city, demo_reference) -> None:
    city, years = demo_city, demo_reference
    client = demo_world.login(demo_world.client(), "analyst")
    html = client.get("/districts?year=2024").text
    values = [float(v) for v in re.findall(r'<td class="r" data-value="([^"]+)">', html)]
    assert len(values) == len(city.districts["features"]) == 10
    # every district's row is at most the city total, and they do not exceed it together
    assert 0 < sum(values) <= years[2024]["total_tco2e"] * (1 + 1e-9)
    code = city.districts["features"][0]["properties"]["code"]
    page = client.get(f"/districts/{code}?year=2024")
    assert page.status_code == 200
    assert _value(page.text, "district-total") == pytest.approx(values[0], rel=1e-9)
    assert client.get("/districts/999999").status_code == 404


def test_roles_see_what_their_rights_allow(demo_world) -> None:
    # The city inventory is published by the demo loader: every tenant role sees the overview.
    for who in ("admin", "analyst", "reporter", "verifier", "household", "public"):
        client = demo_world.login(demo_world.client(), who)
        assert client.get("/").status_code == 200, who


def test_district_grade_rule_by_hand() -> None:
    # city 10 t/person; ratios 0.5 (on the first bound: better grade), 0.8, 1.0, 1.2, 2.5
    grades = district_grades(pd.Series([5.0, 8.0, 10.0, 12.0, 25.0]), 10.0)
    assert grades.tolist() == [1, 2, 3, 3, 5]
    assert district_grades(pd.Series([5.01, 20.01]), 10.0).tolist() == [2, 5]


def test_demo_target_path_by_hand() -> None:
    path = demo_target_path(2024, 100.0).set_index("year")["value"]
    assert path[2024] == path[PEAK_YEAR] == 100.0
    assert path[NEUTRAL_YEAR] == pytest.approx(10.0)
    assert path[2045] == pytest.approx(100.0 - 90.0 * 15 / 30)
