"""Report downloads of the dashboard: the city inventory, an enterprise's account, the scenario report.

Each download is checked against what its page shows and against hand arithmetic: the inventory
report's BASIC total is the overview's total and ``zerocity demo``'s summary of the year
(:func:`zerocity.demo.inventory.demo_inventory`, the records computed directly), its per capita
figure that total divided by the year's population; the account report's total is the enterprise
page's and the sum of its three scopes; the scenario report's peaks are the Brain page's and its
wedges add up to BAU minus policy. Rights are those of the linking page.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from test_browser import SCREENSHOTS, Watched, _login, _switch, chromium_browser, playwright_sync  # noqa: F401

from zerocity.i18n import format_number, translator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Numbers read back from a workbook are the floats written into it; a PDF shows them rounded.
REL = 1e-9


def _client(world, who: str, lang: str):
    client = world.login(world.client(), who)
    client.cookies.set("zc_lang", lang)
    return client


def _pairs(ws) -> dict[str, object]:
    """First column -> second column of a sheet (its key-value blocks)."""
    return {str(row[0]): row[1] for row in ws.iter_rows(values_only=True) if row and row[0] is not None}


def _rows(ws) -> list[tuple]:
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def _value(html: str, testid: str) -> float:
    return float(re.search(rf'data-testid="{testid}" data-value="([^"]+)"', html).group(1))


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    tool = shutil.which("pdftotext") or "/usr/bin/pdftotext"
    if not Path(tool).exists():
        pytest.fail("pdftotext (poppler-utils) is needed by the report tests", pytrace=False)
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()


def _attachment(response, name: str) -> None:
    """``Content-Disposition: attachment`` naming ``name`` (UTF-8, percent-encoded) and an ASCII fallback."""
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    fallback = re.search(r'filename="([^"]+)"', disposition).group(1)
    assert fallback.isascii() and '"' not in fallback and "/" not in fallback


# ---------------------------------------------------------------------------- city inventory
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_inventory_report_holds_the_overview_numbers(demo_world, demo_reference, lang) -> None:
    t = translator(lang)
    client = _client(demo_world, "admin", lang)
    page = client.get("/?year=2024").text
    assert 'href="/reports/inventory.xlsx?year=2024"' in page and 'href="/reports/inventory.pdf?year=2024"' in page
    response = client.get("/reports/inventory.xlsx?year=2024")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    city = "示范市" if lang == "zh" else "Demo_City"
    _attachment(response, f"{city}-2024-inventory-{lang}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary, cover = _pairs(book["Summary"]), _pairs(book["Cover"])
    ref = demo_reference[2024]
    total = summary[f"{t('basic')} [{t('unit_tco2e')}]"]
    assert total == pytest.approx(_value(page, "total"), rel=REL)  # what the overview shows
    assert total == pytest.approx(ref["total_tco2e"], rel=REL)  # zerocity demo's own summary
    # the profile's statistics of 2024: population [persons], GDP [10^4 yuan], and the two divisions
    assert summary[t("population")] == pytest.approx(ref["population"], rel=REL)
    assert summary[t("per_capita")] == pytest.approx(ref["total_tco2e"] / ref["population"], rel=REL)
    assert summary[t("per_gdp")] == pytest.approx(ref["total_tco2e"] / ref["gdp"], rel=REL)
    assert cover[t("cover_city")] == ("示范市" if lang == "zh" else "Demo City")
    assert cover[t("cover_year")] == "2024"


def test_inventory_report_of_another_year_and_a_published_reader(demo_world, demo_reference) -> None:
    # the public role sees the published city overview, so it may download its report too
    client = _client(demo_world, "public", "en")
    response = client.get("/reports/inventory.xlsx?year=2015")
    assert response.status_code == 200
    summary = _pairs(openpyxl.load_workbook(io.BytesIO(response.content))["Summary"])
    assert summary["BASIC [tCO2e]"] == pytest.approx(demo_reference[2015]["total_tco2e"], rel=REL)
    assert "2015-inventory-en.xlsx" in response.headers["content-disposition"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_inventory_report_pdf(demo_world, demo_reference, tmp_path, lang) -> None:
    client = _client(demo_world, "analyst", lang)
    response = client.get("/reports/inventory.pdf?year=2024")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    city = "示范市" if lang == "zh" else "Demo City"
    _attachment(response, f"{city.replace(' ', '_')}-2024-inventory-{lang}.pdf")
    text = _pdf_text(response.content, tmp_path)
    assert city in text
    assert format_number(demo_reference[2024]["total_tco2e"], lang) in text  # 79,662,401 in both languages


def test_downloads_need_a_login_and_a_known_format(demo_world) -> None:
    anonymous = demo_world.client()
    own = demo_world.demo.entity_id
    for url in ("/reports/inventory.pdf", f"/enterprises/{own}/report.pdf", "/brain/report.xlsx"):
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), url
    admin = _client(demo_world, "admin", "en")
    for url in ("/reports/inventory.docx", f"/enterprises/{own}/report.csv", "/brain/report.html"):
        assert admin.get(url).status_code == 404, url


# ---------------------------------------------------------------------------- enterprise account
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_account_report_is_the_enterprise_page_account(demo_world, lang) -> None:
    t = translator(lang)
    own = demo_world.demo.entity_id
    client = _client(demo_world, "reporter", lang)
    page = client.get(f"/enterprises/{own}?year=2024").text
    assert f'href="/enterprises/{own}/report.pdf?year=2024"' in page
    response = client.get(f"/enterprises/{own}/report.xlsx?year=2024")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    _attachment(response, f"{own}-2024-account-{lang}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    account, cover = _pairs(book["Account"]), _pairs(book["Cover"])
    total = account[t("ent_total")]
    assert total == pytest.approx(_value(page, "account-total"), rel=REL)
    scopes = [account[f"{t(f'scope_{s}')} [{t('unit_tco2e')}]"] for s in (1, 2, 3)]
    assert sum(scopes) == pytest.approx(total, rel=REL)  # total = scope 1 + scope 2 + scope 3
    assert cover[t("ent_uscc")] == own
    assert cover[t("ent_period")] == "2024"
    # the registry's name in the page's language (Demo City enterprises have a Chinese name)
    assert str(cover[t("ent_name")]).startswith("示范市" if lang == "zh" else "Demo City")


def test_account_report_pdf_in_chinese(demo_world, tmp_path) -> None:
    own = demo_world.demo.entity_id
    client = _client(demo_world, "reporter", "zh")
    total = _value(client.get(f"/enterprises/{own}").text, "account-total")
    response = client.get(f"/enterprises/{own}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content, tmp_path)
    assert "企业碳账户报告" in text and format_number(total, "zh") in text


def test_account_report_rights_are_the_enterprise_pages(demo_world) -> None:
    own, other = demo_world.demo.entity_id, demo_world.demo.verifier_entity_id
    reporter = _client(demo_world, "reporter", "en")
    for fmt in ("pdf", "xlsx"):  # another entity's report does not exist for a reporter, as its page
        assert reporter.get(f"/enterprises/{other}/report.{fmt}").status_code == 404
    for who in ("household", "public", "verifier"):  # no enterprise.read: refused, as /enterprises
        assert _client(demo_world, who, "en").get(f"/enterprises/{own}/report.xlsx").status_code == 403, who
    analyst = _client(demo_world, "analyst", "en")
    assert analyst.get(f"/enterprises/{other}/report.xlsx").status_code == 200
    assert analyst.get("/enterprises/91000000000000000X/report.xlsx").status_code == 404  # not registered


# ---------------------------------------------------------------------------- scenario report
def _table_after(rows: list[tuple], first: str) -> list[tuple]:
    """Rows below the header row whose first cell is ``first``, up to the first empty row."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == first)
    out = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        out.append(row)
    return out


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_scenario_report_has_the_brain_page_peaks_and_bau_to_policy_wedges(demo_world, lang) -> None:
    t = translator(lang)
    client = _client(demo_world, "analyst", lang)
    page = client.get("/brain").text
    assert 'href="/brain/report.xlsx"' in page
    response = client.get("/brain/report.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    city = "示范市" if lang == "zh" else "Demo_City"
    _attachment(response, f"{city}-scenarios-{lang}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    pathways = _rows(book["Pathways"])
    peaks = {row[0]: row[6] for row in _table_after(pathways, t("scn_scenario")) if row[0] in ("BAU", "policy")}
    assert set(peaks) == {"BAU", "policy"}
    shown = re.search(r'<table id="scenario-table">.*?</table>', page, re.S).group(0)
    for name, value in peaks.items():  # the Brain page's table shows the same peaks, formatted
        assert f"<td>{name}</td>" in shown and format_number(value, lang) in shown, name
    # wedges of BAU -> policy: each year's wedges add up to BAU minus policy (the totals table)
    wedges = _rows(book["Wedges"])
    assert "BAU" in str(wedges[0][0]) and "policy" in str(wedges[0][0])
    at = next(i for i, row in enumerate(wedges) if row[0] == t("scn_group"))
    end = next(i for i, row in enumerate(wedges) if row[0] == t("total"))
    header, measures, total = wedges[at], wedges[at + 1 : end], wedges[end]
    assert len(measures) == 5  # the five measures policy adds to BAU (zerocity.demo.scenario)
    by_year = {int(str(row[0])): row for row in _table_after(pathways, t("year"))}
    columns = {name: i for i, name in enumerate(next(r for r in pathways if r[0] == t("year")))}
    for i, label in enumerate(header[1:5], start=1):
        year = int(re.search(r"\d{4}", str(label)).group(0))
        bau, policy = by_year[year][columns["BAU"]], by_year[year][columns["policy"]]
        assert sum(row[i] for row in measures) == pytest.approx(total[i], rel=1e-9, abs=1e-3), year
        assert total[i] == pytest.approx(bau - policy, rel=1e-9, abs=1e-3), year


def test_scenario_report_pdf_and_its_rights(demo_world) -> None:
    analyst = _client(demo_world, "analyst", "en")
    response = analyst.get("/brain/report.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    for who in ("reporter", "verifier", "household", "public"):  # no model.run: refused, as /brain
        assert _client(demo_world, who, "en").get("/brain/report.pdf").status_code == 403, who


# ---------------------------------------------------------------------------- in the browser
def test_download_link_in_the_browser(chromium_browser, live_url, demo_world, demo_reference, tmp_path) -> None:  # noqa: F811
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    watched = Watched(context, live_url)
    _login(watched, live_url, demo_world, "admin")
    _switch(watched, "zh")
    watched.goto(f"{live_url}/?year=2024")
    page = watched.page
    with page.expect_download() as info:
        page.get_by_test_id("report-xlsx").click()
    download = info.value
    assert download.suggested_filename == "示范市-2024-inventory-zh.xlsx"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    summary = _pairs(openpyxl.load_workbook(target)["Summary"])
    assert summary["BASIC [tCO2e]"] == pytest.approx(demo_reference[2024]["total_tco2e"], rel=REL)
    watched.clean()
    context.close()
