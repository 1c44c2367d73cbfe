"""The Actions page: a Pareto front that is one, the chosen plan, buildings worst first."""

from __future__ import annotations

import re

from zerocity.web.actions import PARETO_POINTS


def _column(html: str, table: str, index: int) -> list[float]:
    body = re.search(rf'<table id="{table}">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]
    values = []
    for row in rows:
        cells = re.findall(r'data-value="([^"]+)"', row)
        values.append(float(cells[index]))
    return values


def test_actions_page(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    page = client.get("/actions")
    assert page.status_code == 200
    cost, co2 = _column(page.text, "front-table", 0), _column(page.text, "front-table", 1)
    assert len(cost) == PARETO_POINTS
    # a Pareto front from cheapest to cleanest: cost never falls and CO2 never rises along it
    assert cost == sorted(cost) and co2 == sorted(co2, reverse=True)
    assert cost[0] < cost[-1] and co2[0] > co2[-1]
    assert page.text.count('aria-current="true" class="chosen"') == 1  # the middle plan by default
    first = client.get("/actions?plan=0").text
    assert re.search(r'<tr aria-current="true" class="chosen">\s*<td><a href="/actions\?plan=0">', first)
    intensity = _column(page.text, "building-table", 0)
    assert intensity == sorted(intensity, reverse=True)  # worst first


def test_only_planning_staff_open_actions(demo_world) -> None:
    for who in ("reporter", "household"):
        client = demo_world.login(demo_world.client(), who)
        assert client.get("/actions").status_code == 403, who
