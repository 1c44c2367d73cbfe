"""The dashboard in Debian's Chromium (Playwright): every page in both languages, tablet width, keyboard.

Each page must load with no console error, no failed request and no request leaving this server
(every script, style and font is local), draw all its charts, and show the same numbers as the
``zerocity demo`` summary (:func:`zerocity.demo.inventory.demo_inventory`) formatted for the page's
language. Screenshots go to ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from zerocity.i18n import format_number

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("ZEROCITY_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
UPDATED = re.compile(r"^[1-9]\d*$")  # the live page counts the events it applied


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (set ZEROCITY_CHROMIUM)", pytrace=False)
    with playwright_sync.sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"], headless=True
        )
        yield launched
        launched.close()


class Watched:
    """A page with its console errors, page errors and off-server requests recorded."""

    def __init__(self, context, base: str) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.failed: list[str] = []
        own = urlsplit(base).netloc

        def route(r) -> None:
            if urlsplit(r.request.url).netloc != own and not r.request.url.startswith(("data:", "blob:")):
                self.foreign.append(r.request.url)
                r.abort()
            else:
                r.continue_()

        context.route("**/*", route)
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # a request cut short by the next navigation (net::ERR_ABORTED) is not a failure of the page
        self.page.on(
            "requestfailed",
            lambda r: None if "ERR_ABORTED" in (r.failure or "") else self.failed.append(f"{r.failure} {r.url}"),
        )
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def goto(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        count = self.page.locator("[data-figure]").count()
        if count:  # locator waits run outside the page, so the page's CSP (no eval) is not in the way
            playwright_sync.expect(self.page.locator('[data-drawn="true"]')).to_have_count(count, timeout=20_000)

    def clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.foreign, self.foreign
        assert not self.failed, self.failed


def _login(watched: Watched, base: str, world, who: str) -> None:
    page = watched.page
    page.goto(f"{base}/login")
    username = f"{world.demo.slug}_{who}"
    page.fill("#username", username)
    page.fill("#password", world.demo.logins[username][1])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/")


def _switch(watched: Watched, lang: str) -> None:
    page = watched.page
    page.select_option("#lang-select", lang)
    with page.expect_navigation():
        page.click("form[action='/lang'] button[type=submit]")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_loads_with_real_numbers(
    chromium_browser, live_url, demo_world, demo_city, demo_reference, lang
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context, live_url)
    _login(watched, live_url, demo_world, "admin")
    _switch(watched, lang)
    page = watched.page
    html_lang = "zh-CN" if lang == "zh" else "en"
    code = demo_city.districts["features"][0]["properties"]["code"]
    pages = {
        "overview": "/",
        "districts": "/districts",
        "districts-grade": "/districts?measure=grade",
        "districts-net": "/districts?measure=net",
        "district": f"/districts/{code}",
        "overview-2015": "/?year=2015",
        "enterprises": "/enterprises",
        "enterprise": f"/enterprises/{demo_world.demo.entity_id}",
        "mrv": "/mrv",
        "ledger": "/ledger?check=1",
        "live": "/live",
        "verify": "/verify",
        "brain": "/brain",
        "actions": "/actions",
    }
    variants = {"overview-2015", "districts-grade", "districts-net"}  # other views of a page: English only
    for name, path in pages.items():
        if lang != "en" and name in variants:
            continue
        watched.goto(live_url + path)
        assert page.locator("html").get_attribute("lang") == html_lang
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}.png"), full_page=True)
        if name.startswith("overview"):
            year = 2015 if name.endswith("2015") else 2024
            ref = demo_reference[year]
            assert page.get_by_test_id("total").inner_text() == format_number(ref["total_tco2e"], lang)
            assert page.get_by_test_id("per-capita").inner_text() == format_number(
                ref["total_tco2e"] / ref["population"], lang
            )
            assert page.locator("#fig-sankey").count() == 1
        if name == "districts":
            assert page.locator("#district-table tbody tr").count() == 10
        if name == "enterprises":
            assert page.locator("#enterprise-table tbody tr").count() == 50  # first page of 400
        if name == "enterprise":
            assert float(page.get_by_test_id("account-total").get_attribute("data-value")) > 0
        if name == "ledger":
            assert page.get_by_test_id("health").get_attribute("data-ok") == "true"
        if name == "live":
            playwright_sync.expect(page.locator("#live")).to_have_attribute("data-updates", UPDATED)
            assert float(page.locator("[data-live=tco2e]").get_attribute("data-value")) > 0
    watched.clean()
    context.close()


def test_tablet_width_keyboard_and_district_link(chromium_browser, live_url, demo_world) -> None:
    context = chromium_browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True)
    watched = Watched(context, live_url)
    _login(watched, live_url, demo_world, "analyst")
    page = watched.page
    watched.goto(f"{live_url}/districts")
    page.screenshot(path=str(SCREENSHOTS / "districts-tablet.png"), full_page=True)
    # nothing wider than the screen: no horizontal scrolling of the page
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    # the first Tab reaches the skip link, which moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # a district's link opens its page
    first = page.locator("#district-table tbody tr a").first
    name = first.inner_text()
    first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text().startswith(name)
    watched.clean()
    context.close()


def test_live_page_updates_without_reload(chromium_browser, live_url, demo_world, demo_city, flow_tenant) -> None:
    """New readings stored while the page is open appear on it through the event stream."""
    import time

    import pandas as pd

    from zerocity.demo.tenant import METER_INTERVAL_S, demo_meters
    from zerocity.monitor.ingest import ingest_records

    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context, live_url)
    page = watched.page
    username = f"{flow_tenant.slug}_analyst"
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", flow_tenant.logins[username][1])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_url}/")
    watched.goto(f"{live_url}/live?interval=1")
    playwright_sync.expect(page.locator("#live")).to_have_attribute("data-updates", UPDATED)
    live = page.locator("[data-live=readings]")
    before = int(float(live.get_attribute("data-value")))
    emissions_before = float(page.locator("[data-live=tco2e]").get_attribute("data-value"))
    meters = demo_meters(demo_city)["meter_id"].tolist()
    current = int(time.time()) // METER_INTERVAL_S * METER_INTERVAL_S  # the interval not yet read
    batch = pd.DataFrame({"meter_id": meters, "ts": current, "value": 1000.0, "unit": "kWh"})
    stored = ingest_records(demo_world.app.state.registry.engine(flow_tenant.slug), batch, source="test").stored
    assert stored == len(meters)
    playwright_sync.expect(live).to_have_attribute("data-value", str(before + stored), timeout=20_000)
    assert float(page.locator("[data-live=tco2e]").get_attribute("data-value")) > emissions_before
    page.screenshot(path=str(SCREENSHOTS / "live-updated.png"), full_page=True)
    watched.clean()
    context.close()


def test_flow_submit_fix_verify_and_see_the_city_total_change(
    chromium_browser, live_url, demo_world, flow_tenant
) -> None:
    """Reporter: upload with an error, see it, fix it, see the account change; verifier: verify; city total changes.

    Hand rule: every record of the entity is a fuel or electricity row with a fixed factor, so halving
    every amount halves its account (scope 1 + 2 [tCO2e]); the entity's rows are all BASIC, so once
    verified the city's BASIC total falls by exactly that half.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slug, entity = flow_tenant.slug, flow_tenant.entity_id
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context, live_url)
    page = watched.page

    def login(who: str) -> None:
        username = f"{slug}_{who}"
        page.goto(f"{live_url}/login")
        page.fill("#username", username)
        page.fill("#password", flow_tenant.logins[username][1])
        page.click("form[action='/login'] button[type=submit]")
        page.wait_for_url(f"{live_url}/")

    login("reporter")
    page.get_by_role("link", name="Enterprises").click()
    page.wait_for_url(f"{live_url}/enterprises/{entity}")
    before = float(page.get_by_test_id("account-total").get_attribute("data-value"))
    page.get_by_role("link", name="Submit this year's data").click()
    page.wait_for_url(f"{live_url}/enterprises/{entity}/submit?year=2024")
    csv = context.request.get(f"{live_url}/enterprises/{entity}/records.csv?year=2024").text()
    lines = csv.strip().splitlines()
    header = lines[0].split(",")
    unit, amount = header.index("unit"), header.index("amount")
    rows = [line.split(",") for line in lines[1:]]
    broken = [list(r) for r in rows]
    broken[0][unit] = "furlongs"
    page.set_input_files(
        "#file",
        files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": _csv(header, broken)}],
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state("load")
    report = page.locator("#validation-report")
    assert report.is_visible()
    assert "furlongs" in report.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "flow-1-validation-report.png"), full_page=True)
    fixed = [list(r) for r in rows]
    for r in fixed:
        r[amount] = repr(float(r[amount]) / 2)
    page.set_input_files("#file", files=[{"name": "mine.csv", "mimeType": "text/csv", "buffer": _csv(header, fixed)}])
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url(f"{live_url}/enterprises/{entity}?year=2024&done=submitted")
    after = float(page.get_by_test_id("account-total").get_attribute("data-value"))
    assert after == pytest.approx(before / 2, rel=1e-9)
    assert page.get_by_test_id("data-state").inner_text() == "reported, awaiting verification"
    page.screenshot(path=str(SCREENSHOTS / "flow-2-account-updated.png"), full_page=True)
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url(f"{live_url}/login")

    login("verifier")
    city_before = float(page.get_by_test_id("total").get_attribute("data-value"))
    page.get_by_role("link", name="MRV reports").click()
    row = page.locator(f"tr[data-report='report:{slug}:{entity}:2024']")
    row.locator("input[name=reason]").fill("meter readings checked")
    row.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_url}/mrv?done=verified")
    assert (
        page.locator(f"tr[data-report='report:{slug}:{entity}:2024'] td[data-state]").get_attribute("data-state")
        == "verified"
    )
    page.screenshot(path=str(SCREENSHOTS / "flow-3-verified.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="City overview").click()
    city_after = float(page.get_by_test_id("total").get_attribute("data-value"))
    assert city_after == pytest.approx(city_before - before / 2, rel=1e-9)
    page.screenshot(path=str(SCREENSHOTS / "flow-4-city-total.png"), full_page=True)
    # the validation report is answered with 422 on purpose (Chromium logs that status); nothing else
    expected = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    assert watched.errors.count(expected) == 1
    watched.errors.remove(expected)
    watched.failed = [f for f in watched.failed if not f.startswith("422 ")]
    watched.clean()
    context.close()


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join([",".join(header), *(",".join(r) for r in rows)]) + "\n").encode("utf-8")


def test_household_page_in_both_languages(chromium_browser, live_url, demo_world, flow_tenant) -> None:
    context = chromium_browser.new_context(viewport={"width": 768, "height": 1024})
    watched = Watched(context, live_url)
    page = watched.page
    username = f"{flow_tenant.slug}_household"
    page.goto(f"{live_url}/login")
    page.fill("#username", username)
    page.fill("#password", flow_tenant.logins[username][1])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{live_url}/")
    for lang in ("en", "zh"):
        _switch(watched, lang)
        watched.goto(f"{live_url}/household")
        assert float(page.get_by_test_id("footprint").get_attribute("data-value")) > 0
        assert page.locator("#behaviour-table tbody tr").count() > 0
        page.screenshot(path=str(SCREENSHOTS / f"household-{lang}.png"), full_page=True)
    watched.clean()
    context.close()
