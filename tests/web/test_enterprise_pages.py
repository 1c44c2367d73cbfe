"""Enterprise and MRV pages in-process: who sees what, the validation report, refusals."""

from __future__ import annotations

import io
import re

import pandas as pd
from web_helpers import csrf_of


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-uscc="([^"]+)">', html)


def test_a_reporter_sees_only_its_own_enterprise(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "reporter")
    own = demo_world.demo.entity_id
    listing = client.get("/enterprises", follow_redirects=False)
    assert listing.status_code == 303 and listing.headers["location"] == f"/enterprises/{own}"
    assert client.get(f"/enterprises/{own}").status_code == 200
    other = demo_world.demo.verifier_entity_id
    assert client.get(f"/enterprises/{other}").status_code == 404
    assert client.get(f"/enterprises/{other}/records.csv").status_code == 404


def test_staff_search_and_filter_the_list(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    everyone = client.get("/enterprises?page=1").text
    assert "400 enterprises match." in everyone  # the Demo City registry has 400 entities
    own = demo_world.demo.entity_id
    found = client.get(f"/enterprises?q={own.lower()}").text
    assert _rows(found) == [own]
    red = client.get("/enterprises?grade=5").text
    assert all('grade grade-5"' in row for row in re.findall(r"<tr data-uscc=.*?</tr>", red, re.S))


def test_roles_without_enterprise_rights_are_refused(demo_world) -> None:
    for who in ("household", "public", "verifier"):
        client = demo_world.login(demo_world.client(), who)
        assert client.get("/enterprises").status_code == 403, who
    household = demo_world.login(demo_world.client(), "household")
    assert household.get("/mrv").status_code == 403


def test_validation_report_lists_rows_of_another_entity_and_stores_nothing(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "reporter")
    own = demo_world.demo.entity_id
    csv = client.get(f"/enterprises/{own}/records.csv?year=2024").content
    frame = pd.read_csv(io.BytesIO(csv), dtype=str)
    frame.loc[1, "entity"] = demo_world.demo.verifier_entity_id
    form = client.get(f"/enterprises/{own}/submit?year=2024")
    response = client.post(
        f"/enterprises/{own}/submit",
        data={"year": "2024", "csrf": csrf_of(form.text)},
        files={"file": ("mine.csv", frame.to_csv(index=False).encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert re.search(r'<td class="r">2</td><td><code>entity</code></td>', response.text)  # data row 2, column entity
    assert "Nothing was stored or submitted." in response.text
    assert "report:demo:" not in client.get("/mrv").text  # no report was submitted


def test_submit_needs_the_csrf_token_and_the_reporter_role(demo_world) -> None:
    reporter = demo_world.login(demo_world.client(), "reporter")
    own = demo_world.demo.entity_id
    files = {"file": ("mine.csv", b"year,entity\n2024,x\n", "text/csv")}
    assert reporter.post(f"/enterprises/{own}/submit", data={"year": "2024"}, files=files).status_code == 403
    admin = demo_world.login(demo_world.client(), "admin")
    token = csrf_of(admin.get("/").text)
    refused = admin.post(f"/enterprises/{own}/submit", data={"year": "2024", "csrf": token}, files=files)
    assert refused.status_code == 403  # a city administrator does not submit an enterprise's data
    reporter_token = csrf_of(reporter.get("/").text)
    decide = reporter.post(
        "/mrv/decide", data={"report": f"report:demo:{own}:2024", "decision": "verify", "csrf": reporter_token}
    )
    assert decide.status_code == 403  # only verifiers decide
