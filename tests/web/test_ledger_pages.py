"""Ledger, verify-a-proof and live monitoring pages in-process."""

from __future__ import annotations

import json
import re

from web_helpers import csrf_of

from zerocity.demo.tenant import METER_INTERVAL_S, demo_meters


def test_ledger_health_and_a_proof_that_checks_and_one_that_does_not(demo_world) -> None:
    client = demo_world.login(demo_world.client(), "verifier")
    page = client.get("/ledger?check=1")
    assert page.status_code == 200
    assert 'data-testid="health" data-ok="true"' in page.text
    size = int(re.search(r'data-testid="ledger-size">([\d,]+)<', page.text).group(1).replace(",", ""))
    assert size > 0
    proof = client.get(f"/ledger/proof?index={size - 1}")
    assert proof.status_code == 200 and proof.headers["content-type"].startswith("application/json")
    token = csrf_of(page.text)
    good = client.post("/verify", data={"proof": proof.text, "csrf": token})
    assert 'data-testid="proof-result" data-ok="true"' in good.text
    doc = json.loads(proof.text)
    entry = doc["entry"]
    if isinstance(entry, str):  # canonical JSON text: change its first digit
        i = next(k for k, ch in enumerate(entry) if ch.isdigit())
        doc["entry"] = entry[:i] + str((int(entry[i]) + 1) % 10) + entry[i + 1 :]
    else:
        doc["entry"] = {**entry, "tampered": True}
    bad = client.post("/verify", data={"proof": json.dumps(doc), "csrf": token})
    assert 'data-testid="proof-result" data-ok="false"' in bad.text
    junk = client.post("/verify", data={"proof": "[1, 2", "csrf": token})
    assert junk.status_code == 422 and "Not a proof" in junk.text


def test_anyone_may_verify_but_only_ledger_roles_read_it(demo_world) -> None:
    anonymous = demo_world.client()
    assert anonymous.get("/verify").status_code == 200
    household = demo_world.login(demo_world.client(), "household")
    assert household.get("/ledger").status_code == 403
    reporter = demo_world.login(demo_world.client(), "reporter")
    page = reporter.get("/ledger")
    assert page.status_code == 200 and "Recompute every hash" not in page.text  # no ledger.health
    assert reporter.get("/ledger/proof?index=0").status_code == 404  # not an entry of its entity


def test_live_page_and_stream_show_todays_readings(demo_world, demo_city) -> None:
    client = demo_world.login(demo_world.client(), "analyst")
    page = client.get("/live")
    assert page.status_code == 200
    readings = int(re.search(r'data-live="readings" data-value="(\d+)"', page.text).group(1))
    # every demo meter reads once per interval: a multiple of the number of meters
    meters = len(demo_meters(demo_city))
    assert readings % meters == 0 and readings <= meters * 86400 // METER_INTERVAL_S
    with client.stream("GET", "/live/stream?interval=1") as stream:
        lines = []
        for line in stream.iter_lines():
            lines.append(line)
            if line.startswith("data:"):
                break
    event = json.loads(lines[-1][len("data:") :])
    assert lines[-2] == "event: live"
    assert event["readings"] >= readings and event["tco2e"] > 0
    household = demo_world.login(demo_world.client(), "household")
    assert household.get("/live").status_code == 403
    assert household.get("/live/stream").status_code == 403
