"""The target allocation page: the cap of the stated target, shared exactly, by the chosen principles."""

from __future__ import annotations

import math
import re

import pytest


def _rows(html: str) -> dict[str, list[float]]:
    """District code -> the data-value cells of its row (base, latest, allocation)."""
    body = re.search(r'<table id="allocation-table">.*?</table>', html, re.S).group(0)
    return {
        code: [float(v) for v in re.findall(r'data-value="([^"]+)"', row)]
        for code, row in re.findall(r'<tr data-district="([^"]+)">(.*?)</tr>', body, re.S)
    }


def _value(html: str, testid: str) -> float:
    return float(re.search(rf'data-testid="{testid}" data-value="([^"]+)"', html).group(1))


def test_default_is_the_14th_five_year_plan_intensity_target(demo_world) -> None:
    """-18 % CO2 per GDP from 2020 to 2025 at 5.5 %/yr GDP growth: cap = 0.82 x 1.055^5 x base emissions.

    Hand rule (TargetSpec docstring): C = (1 - r) (E_b / G_b) G_T with G_T = G_b (1 + g)^5, so C / E_b =
    0.82 x 1.055^5 = 1.0717...; rounded to whole tonnes; the allocations (whole tonnes) add up to it
    exactly; every district within its bounds, 95 % to 115 % of its 2020 emissions.
    """
    client = demo_world.login(demo_world.client(), "analyst")
    page = client.get("/brain/targets")
    assert page.status_code == 200
    rows = _rows(page.text)
    assert len(rows) == 10  # the ten Demo City districts
    base = sum(r[0] for r in rows.values())
    assert _value(page.text, "base") == pytest.approx(base, rel=1e-12)
    cap = _value(page.text, "cap")
    assert cap == round(0.82 * 1.055**5 * base)
    allocations = [r[2] for r in rows.values()]
    assert all(a == int(a) for a in allocations) and sum(allocations) == cap
    for b, _, a in rows.values():
        assert 0.95 * b - 1 <= a <= 1.15 * b + 1
    assert 'id="fig-allocation"' in page.text


def test_equity_alone_shares_the_cap_by_population(demo_world, demo_city) -> None:
    """Equity only, -10 % absolute from 2024, no bounds: allocation_i = cap x population share_i (within 1 t).

    The shares are the Demo City GeoJSON's ``population_share`` properties (the generator's table).
    """
    client = demo_world.login(demo_world.client(), "analyst")
    params = {"kind": "reduction", "base_year": "2024", "year": "2030", "reduction": "10", "w_equity": "1"}
    page = client.get("/brain/targets", params=params)
    assert page.status_code == 200, page.text[:2000]
    rows = _rows(page.text)
    base = sum(r[0] for r in rows.values())
    cap = _value(page.text, "cap")
    assert cap == round(0.9 * base)
    shares = {f["properties"]["code"]: f["properties"]["population_share"] for f in demo_city.districts["features"]}
    total = sum(shares.values())
    for code, (_, _, allocation) in rows.items():
        assert abs(allocation - cap * shares[code] / total) <= 1.0


def test_infeasible_floors_are_explained_with_their_numbers(demo_world) -> None:
    """Floors of 100 % of the base year cannot meet a 10 % cut; the message gives the sums, in both languages.

    Hand rule (``zerocity.brain.targets``): floors are rounded up to whole tonnes per district, the cap
    to the nearest tonne; the gap is their difference.
    """
    client = demo_world.login(demo_world.client(), "analyst")
    params = {"kind": "reduction", "base_year": "2024", "year": "2030", "reduction": "10", "w_grandfathering": "1"}
    bases = [r[0] for r in _rows(client.get("/brain/targets", params=params).text).values()]
    floors = sum(math.ceil(b) for b in bases)
    cap = round(0.9 * sum(bases))
    page = client.get("/brain/targets", params={**params, "floor": "100"})
    assert page.status_code == 422
    assert f"The floors add up to {floors:,} tCO2e, {floors - cap:,} tCO2e above the cap of {cap:,} tCO2e" in page.text
    _switch(client, "zh")
    zh = client.get("/brain/targets", params={**params, "floor": "100"})
    assert zh.status_code == 422
    assert f"各区县下限合计 {floors:,} tCO2e，比上限 {cap:,} tCO2e 高出 {floors - cap:,} tCO2e" in zh.text


def test_form_errors_are_translated_and_name_the_field(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    _switch(client, "zh")
    page = client.get("/brain/targets", params={"kind": "cap", "cap": "abc", "w_equity": "2", "year": "2000"})
    assert page.status_code == 422
    assert '<li data-field="cap">排放上限 [tCO2e]（总量上限目标）：应为数字，收到“abc”。</li>' in page.text
    assert '<li data-field="w_equity">公平（人均）：应在 0 至 1 之间，收到“2”。</li>' in page.text
    assert 'data-field="year"' in page.text  # before the base year
    assert 'id="allocation-table"' not in page.text


def test_only_planning_staff_open_the_allocation(demo_world) -> None:
    for who in ("reporter", "verifier", "household"):
        client = demo_world.login(demo_world.client(), who)
        assert client.get("/brain/targets").status_code == 403, who


def _switch(client, lang: str) -> None:
    from web_helpers import csrf_of

    token = csrf_of(client.get("/login").text)
    client.post("/lang", data={"lang": lang, "csrf": token, "next": "/"}, follow_redirects=False)
