"""Validation reports and service errors in the page's language.

Real invalid records go through the library (``compute_inventory``: the same validation as an
upload); every issue it reports must be recognised and rendered from the catalogue, with the row,
column and value kept. A sentence no rule knows keeps its English after a translated lead.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from web_helpers import csrf_of

from zerocity.errors import InvalidRecordsError, RecordIssue
from zerocity.i18n import translator
from zerocity.inventory.engine import compute_inventory
from zerocity.web.issues import api_error_text, shown_issues

#: One data row per kind of mistake (row n of the file is index n - 1).
BAD = pd.DataFrame(
    {
        "record_id": ["a", "a", "c", "d", "e", "f", "g", "h", "i", "j"],
        "year": ["2024", "", "2024", "2024", "2024", "2024", "3000", "2024", "2024", "2024"],
        "gpc_ref": ["I.1.1", "I.1.1", "X.9", "I.1.1", "I.1.1", "I.1.1", "I.1.1", "I.1.1", "I.1.1", "I.1.1"],
        "activity": ["natural_gas"] * 3 + ["unobtainium"] + ["natural_gas"] * 6,
        "amount": ["1", "2", "3", "4", "-5", "abc", "7", "8", "9", "10"],
        "unit": ["furlong", "m3", "m3", "m3", "m3", "m3", "m3", "m3", "kg//TJ", "m3"],
        "region": ["CN-JS"] * 7 + ["CN-XX", "ZZZZ", "CN-JS"],
        "notation": [""] * 9 + ["XX"],
        "quality": [""] * 9 + ["great"],
    }
)


@pytest.fixture(scope="module")
def bad_issues() -> list[RecordIssue]:
    with pytest.raises(InvalidRecordsError) as caught:
        compute_inventory(BAD, region="CN-JS", source="bad.csv")
    return caught.value.issues


def test_every_issue_of_the_inventory_validation_is_translated(bad_issues) -> None:
    shown = shown_issues(bad_issues, translator("zh"))
    assert len(shown) == len(bad_issues) >= 14
    assert [s.kind for s in shown if s.kind == "other"] == []  # every sentence recognised
    for issue, s in zip(bad_issues, shown, strict=True):
        assert (s.row, s.column, s.value) == (issue.row, issue.column, str(issue.value))
        assert re.search(r"[\u4e00-\u9fff]", s.text), s.text  # Chinese text
        assert issue.message not in s.text  # not the English sentence
    text = {(s.row, s.column): s.text for s in shown}
    assert text[(1, "unit")] == "应为质量、体积或能量单位，而不是长度单位。"  # a furlong is a length
    assert text[(2, "year")] == "此处必须填写。"
    assert text[(2, "record_id")] == "编号重复。"
    assert text[(7, "year")] == "应为 1900 至 2100 之间的年份。"
    assert text[(9, "unit")] == "单位“kg//TJ”格式错误：单位之间用单个 / 或 * 连接（例如 kg/TJ）。"
    assert text[(10, "notation")] == "应为以下之一：NO、NE、IE或C。"
    assert text[(8, "region")].startswith("CN 下未知的行政区；应为以下之一：CN-AH、CN-BJ")


def test_english_pages_say_the_same_in_english(bad_issues) -> None:
    shown = {(s.row, s.column): s.text for s in shown_issues(bad_issues, translator("en"))}
    assert shown[(1, "unit")] == "Expected a unit of mass, volume or energy, not of length."
    assert shown[(10, "quality")] == "Expected one of: measured, calculated or estimated."


def test_an_unknown_sentence_keeps_its_english_after_a_translated_lead() -> None:
    issue = RecordIssue(3, "activity", "no EF factor for activity 'x', region 'CN-JS' (searched CN-JS > CN)", "x")
    (shown,) = shown_issues([issue], translator("zh"))
    assert shown.kind == "other" and shown.text == "问题（英文详情）："
    assert shown.detail == issue.message and shown.value == "x"


def test_service_errors_by_code() -> None:
    zh = translator("zh")
    assert api_error_text("own_report", "you submitted report:x; another verifier must decide", [], "zh", zh) == (
        "该报告由您提交，须由其他核查员决定。",
        "",
    )
    text, detail = api_error_text(
        "conflict", "report:x is verified; only a reported version can be decided", [], "zh", zh
    )
    assert text == "当前状态下无法执行：" and detail.startswith("report:x is verified")
    balance = api_error_text("insufficient_balance", "cannot redeem", [{"balance": 12.5}], "zh", zh)
    assert balance == ("积分不足，无法兑换此项（余额 12.50）。", "")
    assert api_error_text("teapot", "short and stout", [], "en", translator("en")) == (
        "The request could not be carried out:",
        "short and stout",
    )


def test_submission_report_in_chinese(demo_world) -> None:
    """An enterprise reporter on a zh page sees the validation report of its upload in Chinese."""
    client = demo_world.login(demo_world.client(), "reporter")
    client.post("/lang", data={"lang": "zh", "csrf": csrf_of(client.get("/login").text), "next": "/"})
    own = demo_world.demo.entity_id
    frame = pd.read_csv(io.BytesIO(client.get(f"/enterprises/{own}/records.csv?year=2024").content), dtype=str)
    frame.loc[0, "unit"] = "furlongs"
    frame.loc[1, "amount"] = "lots"
    frame.loc[2, "year"] = "2023"
    form = client.get(f"/enterprises/{own}/submit?year=2024")
    sent = {"file": ("mine.csv", frame.to_csv(index=False).encode(), "text/csv")}
    response = client.post(f"/enterprises/{own}/submit", data={"year": "2024", "csrf": csrf_of(form.text)}, files=sent)
    assert response.status_code == 422
    # the web's own check (a row of another year) is reported first, in Chinese, with row and value
    assert re.search(
        r'<td class="r">3</td><td><code>year</code></td>\s*<td>应为 2024，即本报告的年份。</td>', response.text
    )
    frame.loc[2, "year"] = "2024"
    sent = {"file": ("mine.csv", frame.to_csv(index=False).encode(), "text/csv")}
    response = client.post(f"/enterprises/{own}/submit", data={"year": "2024", "csrf": csrf_of(form.text)}, files=sent)
    assert response.status_code == 422
    page = response.text
    assert "应为质量、体积或能量单位，而不是长度单位。" in page and "<code>furlongs</code>" in page
    assert '<td class="r">2</td><td><code>amount</code></td>' in page and "应为数字。" in page
    assert "expected a unit" not in page and "expected a number" not in page  # no English sentence left


def test_a_refused_redemption_in_chinese(demo_world, flow_tenant) -> None:
    """Redeeming the dearest item until the balance is short: the service's 409 reads in Chinese, with the balance.

    Runs on the second tenant (it spends that household's points).
    """
    from zerocity.accounts.privacy import default_catalogue

    client = demo_world.client()
    username = f"{flow_tenant.slug}_household"
    login = client.get("/login")
    password = flow_tenant.logins[username][1]
    client.post("/login", data={"username": username, "password": password, "csrf": csrf_of(login.text)})
    client.post("/lang", data={"lang": "zh", "csrf": csrf_of(client.get("/login").text), "next": "/"})
    items = default_catalogue().items
    dear = max(items, key=lambda k: items[k][1])  # item -> (name, cost in points)
    for _ in range(100):
        page = client.get("/household").text
        answer = client.post("/household/redeem", data={"item": dear, "csrf": csrf_of(page)}, follow_redirects=False)
        if answer.status_code != 303:
            break
    assert answer.status_code == 409
    balance = float(re.search(r'data-testid="balance" data-value="([^"]+)"', page).group(1))
    assert balance < items[dear][1]
    shown = re.search(r"积分不足，无法兑换此项（余额 ([0-9.,]+)）。", answer.text)
    assert shown is not None and float(shown.group(1).replace(",", "")) == pytest.approx(balance, abs=0.01)
    assert "cannot redeem" not in answer.text
