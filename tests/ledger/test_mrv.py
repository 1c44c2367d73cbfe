"""The MRV workflow on the ledger (:mod:`zerocity.ledger.mrv`), on SQLite and PostgreSQL.

Actors: ``acme`` reports for entity :data:`ENTITY`; ``audit-co`` verifies (no entity);
``audit-acme`` is a verifier belonging to :data:`ENTITY`; ``city-admin`` administers the city;
``dual`` reports for entity ``E2`` with one key and verifies with another.

Life of a report: data submitted -> ``monitored``; report submitted -> ``reported`` v1; verified or
rejected by a verifier; a new submission is v2 referring to v1, which stays as it was and stays
provable. A check of the state and the entry it allows are one transaction: of two submissions
(or decisions) that race, one is refused.

The expected inventory change between two versions is worked by hand from IPCC 2006 Vol. 2
Table 1.4 (natural gas CO2 56,100 kg/TJ) and Table 2.5 (residential natural gas CH4 5 kg/TJ, N2O
0.1 kg/TJ) with AR5 GWPs (CH4 28, N2O 265; IPCC AR5 WG1 Table 8.A.1), as in ``tests/test_cli.py``.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, func, select

from zerocity.inventory import compute_inventory
from zerocity.inventory.diff import diff_inventories
from zerocity.jsonio import jsonable
from zerocity.ledger import mrv
from zerocity.ledger.canonical import canonical_json
from zerocity.ledger.log import Ledger, LedgerError
from zerocity.ledger.mrv import (
    ReportState,
    Role,
    decide_report,
    register_actor,
    report_history,
    report_id,
    report_status,
    submit_data,
    submit_report,
    version_result,
)
from zerocity.ledger.signing import key_id, public_key_text
from zerocity.ledger.verify import check_proof, snapshot_from_db, verify_snapshot
from zerocity.store.db import session_scope
from zerocity.store.models import EvidenceFile

ENTITY = "91320000ACME00001X"
PERIOD = "2024"
REL = 1e-9  # sums of exact decimal inputs
#: 1 TJ of natural gas in tCO2e: (56,100 + 5 x 28 + 0.1 x 265) kg/TJ / 1000.
GAS_TCO2E_PER_TJ = (56_100 + 5 * 28 + 0.1 * 265) / 1000


def _key(seed: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(f"zerocity-mrv-{seed}".encode()).digest())


KEYS = {name: _key(name) for name in ("platform", "acme", "audit-co", "audit-acme", "city-admin", "dual-r", "dual-v")}


@dataclass
class World:
    ledger: Ledger
    engine: Engine

    @property
    def size(self) -> int:
        return self.ledger.size()

    def evidence_count(self) -> int:
        with session_scope(self.engine) as s:
            return int(s.scalar(select(func.count()).select_from(EvidenceFile)) or 0)

    def verify(self) -> None:
        report = verify_snapshot(snapshot_from_db(self.engine, KEYS["platform"].public_key()))
        assert report.ok, [str(p) for p in report.problems[:5]]


@pytest.fixture
def world(db_engine: Engine) -> World:
    ledger = Ledger(db_engine, platform_key=KEYS["platform"])
    pub = {name: public_key_text(key) for name, key in KEYS.items()}
    register_actor(ledger, "acme", Role.REPORTER, pub["acme"], entity=ENTITY)
    register_actor(ledger, "audit-co", Role.VERIFIER, pub["audit-co"])
    register_actor(ledger, "audit-acme", "verifier", pub["audit-acme"], entity=ENTITY)
    register_actor(ledger, "city-admin", Role.CITY_ADMIN, pub["city-admin"], registered_by="platform")
    register_actor(ledger, "dual", Role.REPORTER, pub["dual-r"], entity="E2")
    register_actor(ledger, "dual", Role.VERIFIER, pub["dual-v"])
    return World(ledger, db_engine)


def _records(gas_tj: float) -> pd.DataFrame:
    """Residential natural gas (I.1.1) and grid electricity with its own factor (I.1.2)."""
    return pd.DataFrame(
        {
            "record_id": ["gas", "power"],
            "year": ["2024", "2024"],
            "gpc_ref": ["I.1.1", "I.1.2"],
            "activity": ["natural_gas", "electricity_grid"],
            "amount": [str(gas_tj), "100"],
            "unit": ["TJ", "MWh"],
            "ef_co2": ["", "0.5"],
            "ef_unit": ["", "t/MWh"],
        }
    )


@functools.cache
def _computed(gas_tj: float) -> dict[str, Any]:
    return compute_inventory(_records(gas_tj), region="GLOBAL").to_dict()


def _inventory(gas_tj: float) -> dict[str, Any]:
    """The inventory result of :func:`_records` (computed once per amount; a fresh copy each call)."""
    return copy.deepcopy(_computed(gas_tj))


def _submit(world: World, result: dict[str, Any] | None = None, **kw: Any) -> int:
    args: dict[str, Any] = {"actor": "acme", "key": KEYS["acme"], "entity": ENTITY, "period": PERIOD}
    return submit_report(world.ledger, result=result or _inventory(2), **(args | kw))


def _decide(world: World, verified: bool = True, actor: str = "audit-co", **kw: Any) -> int:
    key = KEYS[{"dual": "dual-v"}.get(actor, actor)]
    return decide_report(world.ledger, actor, key, RID, verified=verified, **kw)


RID = report_id(ENTITY, PERIOD)


# ------------------------------------------------------------------------------ the workflow
def test_report_id_names_tenant_entity_and_period() -> None:
    assert report_id(ENTITY, "2024") == f"report:default:{ENTITY}:2024"
    assert report_id("", "2024", "demo") == "report:demo:city:2024"


def test_monitored_reported_verified(world: World) -> None:
    assert report_status(world.ledger, RID)["state"] is None
    data = submit_data(
        world.ledger,
        "acme",
        KEYS["acme"],
        entity=ENTITY,
        period=PERIOD,
        content=b"meter,kWh\nA,100\n",
        name="meters.csv",
    )
    status = report_status(world.ledger, RID)
    assert (status["state"], status["version"], status["entity"]) == (ReportState.MONITORED, None, ENTITY)
    assert world.ledger.evidence(world.ledger.entry(data).data["evidence"][0]).media_type == "text/csv"

    submitted = _submit(world)
    status = report_status(world.ledger, RID)
    assert status["state"] == ReportState.REPORTED == "reported"
    assert (status["version"], status["submission_index"], status["reporter"]) == (1, submitted, "acme")
    assert world.ledger.entry(submitted).refs == []  # v1 refers to nothing

    decided = _decide(world, note="checked against meter readings")
    status = report_status(world.ledger, RID)
    assert status["state"] == ReportState.VERIFIED
    assert status["verified_versions"] == [1]
    assert status["decision"]["index"] == decided
    assert status["decision"]["actor"] == "audit-co"
    assert world.ledger.entry(decided).refs == [submitted]

    history = report_history(world.ledger, RID)
    assert [(h["index"], h["type"], h["actor"]) for h in history] == [
        (data, "mrv.data.submitted", "acme"),
        (submitted, "mrv.report.submitted", "acme"),
        (decided, "mrv.report.verified", "audit-co"),
    ]
    # Every workflow entry is signed with its actor's registered key, and the log verifies.
    for index, actor in ((data, "acme"), (submitted, "acme"), (decided, "audit-co")):
        assert world.ledger.entry(index).data["signature"]["key_id"] == key_id(KEYS[actor].public_key())
    world.verify()


def test_submission_stores_result_and_evidence(world: World) -> None:
    result = _inventory(2)
    index = _submit(world, result, evidence=[("audit.pdf", b"%PDF-1.4 letter")], note="first")
    entry = world.ledger.entry(index)
    payload = entry.payload
    assert payload["version"] == 1
    assert payload["note"] == "first"
    assert payload["totals"]["basic_tco2e"] == pytest.approx(result["basic_tco2e"], rel=REL)
    assert payload["result_sha256"] == hashlib.sha256(canonical_json(jsonable(result))).hexdigest()
    assert entry.data["evidence"][0] == payload["result_sha256"]
    pdf = world.ledger.evidence(entry.data["evidence"][1])
    assert (pdf.name, pdf.media_type, bytes(pdf.content)) == ("audit.pdf", "application/pdf", b"%PDF-1.4 letter")


# ------------------------------------------------------------------------------ who may do what
def test_a_reporter_cannot_verify(world: World) -> None:
    _submit(world)
    before = world.size
    with pytest.raises(LedgerError, match="only a verifier decides"):
        decide_report(world.ledger, "acme", KEYS["acme"], RID, verified=True)
    with pytest.raises(LedgerError, match="only a verifier decides"):
        decide_report(world.ledger, "city-admin", KEYS["city-admin"], RID, verified=True)
    assert world.size == before
    assert report_status(world.ledger, RID)["state"] == ReportState.REPORTED


def test_a_verifier_cannot_decide_a_report_of_its_own_entity(world: World) -> None:
    _submit(world)
    before = world.size
    for verified in (True, False):
        with pytest.raises(LedgerError, match="another verifier must decide"):
            _decide(world, verified, actor="audit-acme", reasons=["x"])
    assert world.size == before


def test_a_verifier_cannot_decide_a_report_it_submitted(world: World) -> None:
    rid = report_id("E2", PERIOD)
    submit_report(world.ledger, "dual", KEYS["dual-r"], entity="E2", period=PERIOD, result=_inventory(1))
    before = world.size
    with pytest.raises(LedgerError, match="another verifier must decide"):
        decide_report(world.ledger, "dual", KEYS["dual-v"], rid, verified=True)
    assert world.size == before
    decide_report(world.ledger, "audit-acme", KEYS["audit-acme"], rid, verified=True)  # another entity's: fine
    assert report_status(world.ledger, rid)["state"] == ReportState.VERIFIED


def test_a_rejection_needs_reasons(world: World) -> None:
    _submit(world)
    before = world.size
    for reasons in ([], ["", "   "]):
        with pytest.raises(LedgerError, match="at least one reason"):
            _decide(world, verified=False, reasons=reasons)
    assert world.size == before
    index = _decide(world, verified=False, reasons=["  meter A is missing  ", ""])
    assert world.ledger.entry(index).payload["reasons"] == ["meter A is missing"]
    assert world.ledger.entry(index).type == "mrv.report.rejected"
    assert report_status(world.ledger, RID)["state"] == ReportState.REJECTED


def test_only_a_reported_version_is_decided(world: World) -> None:
    with pytest.raises(LedgerError, match="unknown"):
        _decide(world)
    submit_data(world.ledger, "acme", KEYS["acme"], entity=ENTITY, period=PERIOD, content=b"x", name="x.csv")
    with pytest.raises(LedgerError, match="monitored"):
        _decide(world)
    _submit(world)
    _decide(world)
    with pytest.raises(LedgerError, match="verified"):
        _decide(world, verified=False, reasons=["too late"])


def test_reporters_submit_only_for_their_entity(world: World) -> None:
    before = world.size
    with pytest.raises(LedgerError, match="reports for entity"):
        _submit(world, entity="OTHER")
    with pytest.raises(LedgerError, match="reports for entity"):
        submit_data(world.ledger, "acme", KEYS["acme"], entity="OTHER", period=PERIOD, content=b"x", name="x.csv")
    with pytest.raises(LedgerError, match="verifiers do not submit"):
        submit_report(world.ledger, "audit-co", KEYS["audit-co"], entity=ENTITY, period=PERIOD, result=_inventory(2))
    with pytest.raises(LedgerError, match="city admin submits the city's own report"):
        submit_report(
            world.ledger, "city-admin", KEYS["city-admin"], entity=ENTITY, period=PERIOD, result=_inventory(2)
        )
    assert world.size == before
    index = submit_report(
        world.ledger, "city-admin", KEYS["city-admin"], entity="", period=PERIOD, result=_inventory(2)
    )
    assert world.ledger.entry(index).subject == "report:default:city:2024"


def test_keys_must_be_registered_for_the_actor(world: World) -> None:
    before = world.size
    with pytest.raises(LedgerError, match="has no registered key"):
        _submit(world, key=_key("stranger"))
    with pytest.raises(LedgerError, match="has no registered key"):
        _submit(world, key=KEYS["audit-co"])  # audit-co's key is not acme's
    with pytest.raises(LedgerError, match="has no registered key"):
        _submit(world, actor="audit-co")  # acme's key is not audit-co's
    assert world.size == before


def test_registering_a_reporter_needs_an_entity(db_engine: Engine) -> None:
    ledger = Ledger(db_engine, platform_key=KEYS["platform"])
    with pytest.raises(LedgerError, match="reporter is registered for an entity"):
        register_actor(ledger, "acme", Role.REPORTER, public_key_text(KEYS["acme"]))
    assert ledger.size() == 0
    index = register_actor(ledger, "acme", "reporter", public_key_text(KEYS["acme"]), entity=ENTITY)
    registered = ledger.actors()["acme"]
    assert registered["index"] == index
    assert (registered["role"], registered["entity"]) == ("reporter", ENTITY)
    assert registered["key_id"] == key_id(KEYS["acme"].public_key())


# ------------------------------------------------------------------------------ versions
def test_submitting_while_a_version_is_pending_is_refused(world: World) -> None:
    _submit(world)
    before = (world.size, world.evidence_count())
    with pytest.raises(LedgerError, match="awaits a decision"):
        _submit(world, _inventory(3))
    assert (world.size, world.evidence_count()) == before
    assert report_status(world.ledger, RID)["version"] == 1


def test_corrections_are_new_versions_and_verified_ones_stay_provable(world: World) -> None:
    v1 = _submit(world, _inventory(2))
    v1_decision = _decide(world)
    head_then = world.ledger.latest_head()
    assert head_then is not None

    v2 = _submit(world, _inventory(3), note="correction: meter B was missed")
    entry = world.ledger.entry(v2)
    assert entry.payload["version"] == 2
    assert entry.refs == [v1]
    status = report_status(world.ledger, RID)
    assert (status["state"], status["version"], status["verified_versions"]) == ("reported", 2, [1])
    assert [(v["version"], v["state"]) for v in status["versions"]] == [(1, "verified"), (2, "reported")]

    _decide(world, verified=False, reasons=["gas meter reading unsigned"])
    v3 = _submit(world, _inventory(3))
    assert world.ledger.entry(v3).refs == [v2]
    _decide(world)
    status = report_status(world.ledger, RID)
    assert [(v["version"], v["state"]) for v in status["versions"]] == [
        (1, "verified"),
        (2, "rejected"),
        (3, "verified"),
    ]
    assert status["verified_versions"] == [1, 3]
    assert status["versions"][0]["decision"]["index"] == v1_decision

    # v1 and its verification are unchanged and provable in the newest tree head and in the one of then.
    public = KEYS["platform"].public_key()
    for index in (v1, v1_decision):
        for size in (None, head_then.size):
            proof = world.ledger.inclusion_proof(index, size)
            assert check_proof(proof, public)[0]
            assert json.loads(proof["entry"]) == world.ledger.entry(index).data
    world.verify()


def test_version_results_and_their_difference(world: World) -> None:
    old, new = _inventory(2), _inventory(3)
    _submit(world, old)
    _decide(world)
    _submit(world, new)
    stored_old = version_result(world.ledger, RID, 1)
    stored_new = version_result(world.ledger, RID, 2)
    assert stored_old == json.loads(canonical_json(jsonable(old)))
    assert stored_new["total_tco2e"] == pytest.approx(new["total_tco2e"], rel=REL)
    # Hand calculation: 2 TJ and 3 TJ of residential natural gas plus 100 MWh x 0.5 t/MWh.
    assert stored_old["total_tco2e"] == pytest.approx(2 * GAS_TCO2E_PER_TJ + 50.0, rel=REL)
    assert stored_new["total_tco2e"] == pytest.approx(3 * GAS_TCO2E_PER_TJ + 50.0, rel=REL)

    diff = diff_inventories(stored_old, stored_new)
    assert diff["change_tco2e"] == pytest.approx(GAS_TCO2E_PER_TJ, rel=REL)  # 56.2665 tCO2e
    assert diff["by_cause"]["activity"] == pytest.approx(GAS_TCO2E_PER_TJ, rel=REL)
    assert sum(abs(v) for k, v in diff["by_cause"].items() if k != "activity") == 0
    [record] = diff["records"]
    assert (record["record_id"], record["cause"]) == ("gas", "activity")
    assert record["fields"] == {"amount": (2, 3)}  # canonical JSON writes 2.0 as 2
    with pytest.raises(LedgerError, match="has no version 3"):
        version_result(world.ledger, RID, 3)


def test_the_same_result_twice_is_stored_once(world: World) -> None:
    result = _inventory(2)
    _submit(world, result)
    _decide(world, verified=False, reasons=["missing signature page"])
    count = world.evidence_count()
    v2 = _submit(world, result, evidence=[("signature.pdf", b"%PDF signed")])
    assert world.evidence_count() == count + 1  # only the new PDF
    assert version_result(world.ledger, RID, 1) == version_result(world.ledger, RID, 2)
    assert len(world.ledger.entry(v2).data["evidence"]) == 2


def test_reports_belong_to_their_tenant(world: World) -> None:
    rid = report_id(ENTITY, PERIOD, "demo")
    assert rid == f"report:demo:{ENTITY}:2024"
    submitted = _submit(world, tenant="demo")
    decided = decide_report(world.ledger, "audit-co", KEYS["audit-co"], rid, verified=True)
    assert [world.ledger.entry(i).data["tenant"] for i in (submitted, decided)] == ["demo", "demo"]
    assert report_status(world.ledger, rid)["state"] == ReportState.VERIFIED
    assert report_status(world.ledger, RID)["state"] is None  # the default tenant's report is another
    world.verify()


# ------------------------------------------------------------------------------ races
def _race(monkeypatch: pytest.MonkeyPatch, a: Callable[[], int], b: Callable[[], int]) -> list[int | LedgerError]:
    """Run ``b`` and ``a`` in two threads such that ``b`` reads the report's state before ``a`` appends.

    The interleaving is fixed, not left to chance: when ``b`` reads the state outside a write
    transaction (:func:`report_status` without ``session``), it waits there until ``a`` is done, and
    then goes on with what it read. An implementation that reads the state inside its locked append
    transaction is serialised anyway and is not held up.
    """
    original = mrv.report_status
    b_read, a_done = threading.Event(), threading.Event()

    def racing_status(ledger: Ledger, report: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        status = original(ledger, report, *args, **kwargs)
        outside = not args and kwargs.get("session") is None
        if outside and threading.current_thread().name == "b" and not b_read.is_set():
            b_read.set()
            a_done.wait(10)
        return status

    monkeypatch.setattr(mrv, "report_status", racing_status)
    outcome: dict[str, int | LedgerError] = {}

    def run(name: str, fn: Callable[[], int]) -> None:
        if name == "a":
            b_read.wait(10)
        try:
            outcome[name] = fn()
        except LedgerError as exc:
            outcome[name] = exc
        finally:
            (a_done if name == "a" else b_read).set()

    threads = [threading.Thread(target=run, args=(n, fn), name=n) for n, fn in (("b", b), ("a", a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    monkeypatch.setattr(mrv, "report_status", original)
    return [outcome["a"], outcome["b"]]


@pytest.mark.parametrize("what", ["submit", "decide"])
def test_racing_submissions_or_decisions_cannot_both_land(
    world: World, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """The state check and the append are one transaction: of two racing calls, one is refused."""
    if what == "submit":
        outcome = _race(monkeypatch, lambda: _submit(world, _inventory(2)), lambda: _submit(world, _inventory(3)))
    else:
        _submit(world)
        outcome = _race(
            monkeypatch,
            lambda: _decide(world),
            lambda: decide_report(world.ledger, "dual", KEYS["dual-v"], RID, verified=False, reasons=["no"]),
        )
    assert sorted(type(o).__name__ for o in outcome) == ["LedgerError", "int"], outcome
    status = report_status(world.ledger, RID)
    assert [v["version"] for v in status["versions"]] == [1]
    assert len(report_history(world.ledger, RID)) == (1 if what == "submit" else 2)
    world.verify()
