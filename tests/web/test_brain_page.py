"""The Brain page: Kaya LMDI against the demo summary and the additive identity, peak, scenarios."""

from __future__ import annotations

import re

import pytest


def _values(html: str, table: str) -> list[float]:
    body = re.search(rf'<table id="{table}">.*?</table>', html, re.S).group(0)
    return [float(v) for v in re.findall(r'data-value="([^"]+)"', body)]


def test_brain_page_numbers(demo_world, demo_reference) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    page = client.get("/brain")
    assert page.status_code == 200
    start, *effects, end = _values(page.text, "kaya-table")
    # the decomposition starts and ends at the territorial totals of the first and last year
    assert start == pytest.approx(demo_reference[2010]["territorial_tco2e"], rel=1e-9)
    assert end == pytest.approx(demo_reference[2024]["territorial_tco2e"], rel=1e-9)
    # additive LMDI-I is exact: the four effects add up to the change
    assert len(effects) == 4 and sum(effects) == pytest.approx(end - start, rel=1e-9)
    p_before = float(re.search(r'data-testid="p-before" data-value="([^"]+)"', page.text).group(1))
    assert 0.0 <= p_before <= 1.0
    scenarios = re.findall(r"<tr><td>(BAU|policy|enhanced)</td>", page.text)
    assert scenarios == ["BAU", "policy", "enhanced"]  # the Demo City model's scenarios
    assert 'id="fig-macc"' in page.text and 'id="fig-wedges"' in page.text
    assert 'id="fig-peak-years"' in page.text  # the peak-year distribution of the Monte Carlo runs


def test_only_planning_staff_open_the_brain(demo_world) -> None:
    for who in ("reporter", "verifier", "household", "public"):
        client = demo_world.login(demo_world.client(), who)
        assert client.get("/brain").status_code == 403, who
