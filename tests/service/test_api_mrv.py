"""MRV and the ledger over HTTP: submission, decisions and their refusals, proofs, chain health."""

from __future__ import annotations

import hashlib
import json

import pytest
from service_helpers import ENTITY, PASSWORD, World
from sqlalchemy import select, update

from zerocity.store.db import session_scope
from zerocity.store.models import LedgerEntry

RECORDS = f"activity,amount,unit,year,gpc_ref,region,entity\nelectricity_grid,1000,kWh,2022,I.1.2,CN,{ENTITY}\n"
CITY_RECORDS = "activity,amount,unit,year,gpc_ref,region\nelectricity_grid,2000,kWh,2022,I.1.2,CN\n"
REPORT = f"report:alpha:{ENTITY}:2024"


def _import(w: World, who: str, records: str) -> int:
    made = w.client.post(
        "/api/v1/inventories",
        files={"file": ("r.csv", records, "text/csv")},
        data={"name": f"inventory of {who}"},
        headers=w.headers(who),
    )
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _submit(w: World, who: str, inventory: int, period: str = "2024", **extra):
    body = {"inventory_id": inventory, "period": period, **extra}
    return w.client.post("/api/v1/mrv/reports", json=body, headers=w.headers(who))


def _decide(w: World, who: str, report: str, verified: bool, reasons: list[str] | None = None):
    body = {"verified": verified, "reasons": reasons or []}
    return w.client.post(f"/api/v1/mrv/reports/{report}/decision", json=body, headers=w.headers(who))


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _leaves(w: World) -> list[bytes]:
    with session_scope(w.registry.engine("alpha")) as session:
        return [bytes(e) for e in session.scalars(select(LedgerEntry.entry).order_by(LedgerEntry.idx))]


@pytest.fixture
def submitted(world: World) -> World:
    """The reporter's entity report, version 1, awaiting a decision (ledger entries 0-2)."""
    inventory = _import(world, "alpha_reporter", RECORDS)
    response = _submit(world, "alpha_reporter", inventory, note="first")
    assert response.status_code == 201, response.text
    # entry 0: the reporter's key registration, 1: the records file, 2: the signed submission.
    assert response.json() == {"report": REPORT, "entry": 2, "data_entry": 1, "version": 1, "state": "reported"}
    return world


def test_submission_is_readable_with_its_totals(submitted: World) -> None:
    w = submitted
    status = w.client.get(f"/api/v1/mrv/reports/{REPORT}", headers=w.headers("alpha_analyst")).json()
    assert status["state"] == "reported" and status["entity"] == ENTITY
    assert status["reporter"] == "user:alpha_reporter"
    # 1,000 kWh x 0.5366 kg CO2/kWh (MEE & NBS 2022 national grid factor) = 0.5366 t
    assert status["versions"][0]["totals"]["basic_tco2e"] == pytest.approx(0.5366)
    history = w.client.get(f"/api/v1/mrv/reports/{REPORT}/history", headers=w.headers("alpha_reporter")).json()
    assert [e["type"] for e in history] == ["mrv.data.submitted", "mrv.report.submitted"]
    listed = w.client.get("/api/v1/mrv/reports", params={"state": "reported"}, headers=w.headers("alpha_admin"))
    assert [r["report"] for r in listed.json()["items"]] == [REPORT]
    assert (
        w.client.get("/api/v1/mrv/reports", params={"state": "verified"}, headers=w.headers("alpha_admin")).json()[
            "total"
        ]
        == 0
    )
    # A pending version cannot be replaced.
    again = _submit(w, "alpha_reporter", 1)
    assert again.status_code == 409 and "awaits a decision" in again.json()["error"]["message"]


def test_reporter_submits_for_its_own_entity_only(submitted: World) -> None:
    w = submitted
    other = _submit(w, "alpha_reporter", 1, period="2025", entity="91320100MA1ZZZZZZ3")
    assert other.status_code == 403 and ENTITY in other.json()["error"]["message"]
    city_inventory = _import(w, "alpha_admin", CITY_RECORDS)
    assert _submit(w, "alpha_reporter", city_inventory, period="2025").status_code == 404  # not its inventory
    # The city administrator submits the city's own report, not an entity's.
    assert _submit(w, "alpha_admin", city_inventory, period="2024", entity=ENTITY).status_code == 403
    city = _submit(w, "alpha_admin", city_inventory, period="2024")
    assert city.status_code == 201 and city.json()["report"] == "report:alpha:city:2024"
    # The reporter lists and reads its own entity's reports only.
    mine = w.client.get("/api/v1/mrv/reports", headers=w.headers("alpha_reporter")).json()
    assert [r["report"] for r in mine["items"]] == [REPORT]
    hidden = w.client.get("/api/v1/mrv/reports/report:alpha:city:2024", headers=w.headers("alpha_reporter"))
    assert hidden.status_code == 404
    everything = w.client.get("/api/v1/mrv/reports", headers=w.headers("alpha_verifier")).json()
    assert everything["total"] == 2


def test_decisions_and_their_refusals(submitted: World) -> None:
    w = submitted
    # A verifier of the report's own entity is refused with the reason.
    made = w.client.post(
        "/api/v1/users",
        json={"username": "own_verifier", "password": PASSWORD, "role": "verifier", "entity_id": ENTITY},
        headers=w.headers("alpha_admin"),
    )
    assert made.status_code == 201, made.text
    w.tokens["own_verifier"] = w.login("own_verifier")["access_token"]
    refused = _decide(w, "own_verifier", REPORT, True)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "own_entity" and ENTITY in refused.json()["error"]["message"]
    # City administrators do not decide (the CLI rule: only verifiers).
    assert _decide(w, "alpha_admin", REPORT, True).status_code == 403
    # A rejection needs a reason.
    no_reason = _decide(w, "alpha_verifier", REPORT, False)
    assert no_reason.status_code == 422
    verified = _decide(w, "alpha_verifier", REPORT, True)
    assert verified.status_code == 200, verified.text
    # entry 3: the verifier's key registration, 4: the decision.
    assert verified.json() == {"report": REPORT, "entry": 4, "version": 1, "state": "verified"}
    assert _decide(w, "alpha_verifier", REPORT, True).status_code == 409  # nothing pending
    # A correction is version 2; rejected with reasons; version 1 stays verified.
    assert _submit(w, "alpha_reporter", 1).json()["version"] == 2
    rejected = _decide(w, "alpha_verifier", REPORT, False, ["meter data missing for March"])
    assert rejected.json()["state"] == "rejected"
    status = w.client.get(f"/api/v1/mrv/reports/{REPORT}", headers=w.headers("alpha_verifier")).json()
    assert [v["state"] for v in status["versions"]] == ["verified", "rejected"]
    assert status["verified_versions"] == [1]
    assert status["decision"]["reasons"] == ["meter data missing for March"]


def test_monitoring_data_file(world: World) -> None:
    response = world.client.post(
        "/api/v1/mrv/data",
        files={"file": ("meter-2025.csv", b"meter,kwh\nM1,10\n", "text/csv")},
        data={"period": "2025-Q1"},
        headers=world.headers("alpha_reporter"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "monitored" and body["report"] == f"report:alpha:{ENTITY}:2025-Q1"
    assert body["sha256"] == hashlib.sha256(b"meter,kwh\nM1,10\n").hexdigest()
    bad = world.client.post(
        "/api/v1/mrv/data",
        files={"file": ("x.csv", b"a\n", "text/csv")},
        data={"period": "25"},
        headers=world.headers("alpha_reporter"),
    )
    assert bad.status_code == 422 and "period" in bad.json()["error"]["message"]


def test_head_and_proofs_check_against_a_hand_computed_tree(submitted: World) -> None:
    w = submitted
    head = w.client.get("/api/v1/ledger/head", headers=w.headers("alpha_analyst")).json()
    assert head["size"] == 3 and head["tree_head"]["size"] == 3
    # RFC 6962 by hand: leaf hash H(0x00 || leaf); a 3-leaf tree is H(0x01 || H(0x01 || h0 || h1) || h2).
    h0, h1, h2 = (_h(b"\x00" + leaf) for leaf in _leaves(w))
    assert head["tree_head"]["root"] == _h(b"\x01" + _h(b"\x01" + h0 + h1) + h2).hex()
    proof = w.client.get("/api/v1/ledger/entries/2/proof", headers=w.headers("alpha_reporter")).json()
    assert proof["inclusion"] == [_h(b"\x01" + h0 + h1).hex()]  # the audit path of leaf 2 of 3
    assert json.loads(proof["entry"])["type"] == "mrv.report.submitted"
    # Anyone may check a proof, without credentials.
    checked = w.client.post("/api/v1/ledger/proofs/check", json={"proof": proof})
    assert checked.status_code == 200 and checked.json()["ok"] is True
    tampered = {**proof, "entry": proof["entry"].replace("first", "fir5t")}
    assert w.client.post("/api/v1/ledger/proofs/check", json={"proof": tampered}).json()["ok"] is False
    other_key = "ed25519:" + "A" * 43 + "="
    foreign = w.client.post("/api/v1/ledger/proofs/check", json={"proof": proof, "public_key": other_key})
    assert foreign.json()["ok"] is False and "signature" in foreign.json()["reason"]
    assert w.client.get("/api/v1/ledger/entries/9/proof", headers=w.headers("alpha_admin")).status_code == 404
    # Consistency from the tree of 3 to the tree of 5 after the decision (heads at 1, 3, 4 and 5).
    assert _decide(w, "alpha_verifier", REPORT, True).status_code == 200
    consistency = w.client.get(
        "/api/v1/ledger/consistency", params={"old_size": 3}, headers=w.headers("alpha_verifier")
    ).json()
    assert consistency["old_tree_head"]["size"] == 3 and consistency["new_tree_head"]["size"] == 5
    h3, h4 = (_h(b"\x00" + leaf) for leaf in _leaves(w)[3:])
    # RFC 9162 2.1.4.1 by hand: SUBPROOF(3, D[0:5]) = SUBPROOF(3, D[0:4]) + [h4]
    #   = SUBPROOF(1, D[2:4], false) + [MTH(D[0:2])] + [h4] = [h2, h3, H(h0, h1), h4].
    assert consistency["consistency"] == [h2.hex(), h3.hex(), _h(b"\x01" + h0 + h1).hex(), h4.hex()]
    no_head = w.client.get("/api/v1/ledger/consistency", params={"old_size": 2}, headers=w.headers("alpha_admin"))
    assert no_head.status_code == 404  # no batch ended at size 2
    # A reporter gets proofs of its own entity's entries only: entry 0 registered it for its entity,
    # entry 3 registered the verifier (another entity).
    assert w.client.get("/api/v1/ledger/entries/0/proof", headers=w.headers("alpha_reporter")).status_code == 200
    assert w.client.get("/api/v1/ledger/entries/3/proof", headers=w.headers("alpha_reporter")).status_code == 404
    assert w.client.get("/api/v1/ledger/entries/3/proof", headers=w.headers("alpha_analyst")).status_code == 200


def test_ledger_health_finds_a_tampered_entry(submitted: World) -> None:
    w = submitted
    healthy = w.client.get("/api/v1/ledger/health", headers=w.headers("alpha_verifier")).json()
    assert healthy == {"ok": True, "entries": 3, "tree_heads": 2, "first_bad_entry": None, "problems": []}
    with session_scope(w.registry.engine("alpha")) as session:
        leaf = session.scalar(select(LedgerEntry.entry).where(LedgerEntry.idx == 2))
        session.execute(
            update(LedgerEntry).where(LedgerEntry.idx == 2).values(entry=bytes(leaf).replace(b"first", b"fir5t"))
        )
    broken = w.client.get("/api/v1/ledger/health", headers=w.headers("alpha_admin")).json()
    assert broken["ok"] is False and broken["first_bad_entry"] == 2
