"""The rooftop PV page: the Demo City roofs' potential by district and the one-roof estimator.

Hand rules (``zerocity.energy.pv`` module docstring): a roof holds ``kWp = area x usable share x
rho / 1000`` with ``rho = P_stc / A_module`` [W/m2] of the design's module; avoided CO2 = energy x
grid factor; simple payback = capex / (first-year revenue - O&M). Published and shipped inputs:

* modules (the defaults of ``pv_defaults.yaml``; SAM CEC module library 2019-03-05 as
  ``energy/data/modules.csv`` ships it): BAPV ``mono_c_si_410`` (JKM410M-72HL) P_stc 409.887 W on
  1.96 m2; BIPV ``bipv_mono_c_si_305`` (SRP-305-6MB-BB) 305.235 W on 1.57 m2;
* grid factor of Jiangsu 0.5827 t CO2/MWh (MEE & NBS, 公告2025年第47号, Table 3, 2023 provincial
  average, the nearest year to the Demo City's 2024);
* BAPV capex 3.0 yuan/Wp, O&M 0.04 yuan/Wp/yr, feed-in 0.391 yuan/kWh (``pv_defaults.yaml``).
"""

from __future__ import annotations

import re

import pytest

from zerocity.demo.roofs import demo_roofs

RHO_W_M2 = 409.887 / 1.96
RHO_BIPV_W_M2 = 305.235 / 1.57
GRID_T_PER_MWH = 0.5827
CAPEX_YUAN_PER_WP, OM_YUAN_PER_WP, FEED_IN = 3.0, 0.04, 0.391
#: Relative tolerance of sums over 35,000 roofs printed with full float precision.
REL = 1e-9


def _value(html: str, testid: str) -> float:
    return float(re.search(rf'data-testid="{testid}" data-value="([^"]+)"', html).group(1))


def _districts(html: str) -> dict[str, list[float]]:
    body = re.search(r'<table id="pv-district-table">.*?</table>', html, re.S).group(0)
    return {
        code: [float(v) for v in re.findall(r'data-value="([^"]+)"', row)]
        for code, row in re.findall(r'<tr data-district="([^"]+)">(.*?)</tr>', body, re.S)
    }


def test_district_potential_of_the_demo_roofs(demo_world, demo_city) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    page = client.get("/actions/pv")
    assert page.status_code == 200
    roofs = demo_roofs(demo_city)
    rho = roofs["mounting"].map({"bapv": RHO_W_M2, "bipv": RHO_BIPV_W_M2})
    roofs = roofs.assign(kwp=roofs["area_m2"] * roofs["usable_fraction"] * rho / 1000)
    rows = _districts(page.text)
    assert set(rows) == set(roofs["district"])
    for code, (count, kwp, mwh, tco2) in rows.items():
        mine = roofs[roofs["district"] == code]
        assert count == len(mine)
        assert kwp == pytest.approx(float(mine["kwp"].sum()), rel=REL)
        assert tco2 == pytest.approx(mwh * GRID_T_PER_MWH, rel=REL)
        # 1,300 kWh/m2 a year on the horizontal, a performance ratio of 0.75-0.85 and a tilt gain of
        # 1.0-1.1 give 975-1,215 kWh per kWp: the range a southern Jiangsu roof yields
        assert 975 <= mwh * 1000 / kwp <= 1215
    assert _value(page.text, "pv-roofs") == len(roofs)
    assert _value(page.text, "pv-kwp") == pytest.approx(float(roofs["kwp"].sum()), rel=REL)
    assert _value(page.text, "pv-tco2") == pytest.approx(_value(page.text, "pv-mwh") * GRID_T_PER_MWH, rel=REL)
    assert 'id="fig-pv-map"' in page.text and "/static/pv.js" in page.text


def test_estimator_of_one_roof(demo_world) -> None:
    """100 m2, 60 % usable, south at 25 deg, all exported: kWp, capex, revenue, payback, CO2 by hand."""
    client = demo_world.login(demo_world.client(), "analyst")
    query = {"lat": "31.75", "lon": "119.40", "area": "100", "usable": "0.6", "tilt": "25", "azimuth": "180"}
    page = client.get("/actions/pv", params=query)
    assert page.status_code == 200
    kwp = 100 * 0.6 * RHO_W_M2 / 1000
    assert _value(page.text, "est-kwp") == pytest.approx(kwp, rel=1e-12)
    kwh = _value(page.text, "est-kwh")
    assert 975 <= kwh / kwp <= 1215
    capex = CAPEX_YUAN_PER_WP * kwp * 1000
    assert _value(page.text, "est-capex") == pytest.approx(capex, rel=1e-12)
    revenue = kwh * FEED_IN  # no consumption: every kWh sold at the feed-in price
    assert _value(page.text, "est-revenue") == pytest.approx(revenue, rel=1e-9)
    om = OM_YUAN_PER_WP * kwp * 1000
    assert _value(page.text, "est-payback") == pytest.approx(capex / (revenue - om), rel=1e-9)
    assert _value(page.text, "est-tco2") == pytest.approx(kwh / 1000 * GRID_T_PER_MWH, rel=1e-9)


def test_on_site_consumption_is_worth_more_than_export(demo_world) -> None:
    """With a commercial load the self-consumed part earns the retail price (above the 0.391 feed-in)."""
    client = demo_world.login(demo_world.client(), "analyst")
    base = {"lat": "31.75", "lon": "119.40", "area": "100", "usable": "0.6"}
    sold = _value(client.get("/actions/pv", params=base).text, "est-revenue")
    used = client.get("/actions/pv", params={**base, "load": "200000", "profile": "commercial"}).text
    assert 0 < _value(used, "est-self") <= _value(used, "est-kwh")
    assert _value(used, "est-revenue") > sold


def test_estimator_errors_in_chinese(demo_world) -> None:
    from web_helpers import csrf_of

    client = demo_world.login(demo_world.client(), "analyst")
    client.post("/lang", data={"lang": "zh", "csrf": csrf_of(client.get("/login").text), "next": "/"})
    page = client.get("/actions/pv", params={"lat": "abc", "lon": "200", "mounting": "roof"})
    assert page.status_code == 422
    assert '<li data-field="lat">纬度 [°]：应为数字，收到“abc”。</li>' in page.text
    assert '<li data-field="lon">经度 [°]：应在 -180 至 180 之间，收到“200”。</li>' in page.text
    assert '<li data-field="mounting">安装方式：“roof”不是可选项。</li>' in page.text
    assert 'id="pv-result"' not in page.text


def test_a_city_without_roofs_still_has_the_estimator(demo_world, flow_tenant) -> None:
    from web_helpers import csrf_of

    from zerocity.web.profile import roofs_path

    roofs_path(demo_world.settings, flow_tenant.slug).unlink(missing_ok=True)
    client = demo_world.client()
    page = client.get("/login")
    username = f"{flow_tenant.slug}_analyst"
    client.post(
        "/login",
        data={"username": username, "password": flow_tenant.logins[username][1], "csrf": csrf_of(page.text)},
    )
    page = client.get("/actions/pv", params={"lat": "31.8", "lon": "119.5"})
    assert page.status_code == 200
    assert 'id="pv-no-roofs"' in page.text and 'id="pv-district-table"' not in page.text
    assert _value(page.text, "est-kwh") > 0
