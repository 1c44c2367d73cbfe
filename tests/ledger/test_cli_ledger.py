"""``zerocity ledger ...`` and ``zerocity mrv ...`` on the command line (typer's CliRunner).

Each test has its own data directory (SQLite database) and platform key file in ``tmp_path``
(``ZEROCITY_DATA_DIR``, ``ZEROCITY_LEDGER_KEY``; ``ZEROCITY_DATABASE_URL`` unset). Exit codes:
0 for success, 2 for bad input (files, keys, options, refused entries), 1 for a ledger or proof
that fails verification.

Expected numbers in the MRV diff are worked by hand as in ``tests/test_cli.py``: 1 TJ of
residential natural gas is (56,100 + 5 x 28 + 0.1 x 265) kg/TJ = 56.2665 tCO2e (IPCC 2006 Vol. 2
Tables 1.4 and 2.5, AR5 GWPs).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from zerocity.cli import app
from zerocity.ledger.signing import generate_private_key, load_public_key, public_key_text
from zerocity.ledger.verify import check_proof

runner = CliRunner()

REPO = Path(__file__).resolve().parents[2]
IPPU = REPO / "examples" / "ippu" / "ippu.csv"
ENTITY = "91320000ACME00001X"
REL = 1e-9
GAS_TCO2E_PER_TJ = (56_100 + 5 * 28 + 0.1 * 265) / 1000


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ZEROCITY_LEDGER_KEY", str(tmp_path / "keys" / "platform.pem"))
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    return tmp_path


def zc(*args: str | Path, code: int = 0) -> Any:
    """Run ``zerocity ARGS``; check the exit code; a crash (traceback) is never an answer."""
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == code, (args, res.exit_code, res.stdout[-1500:], res.stderr[-1500:])
    return res


def zc_json(*args: str | Path, code: int = 0) -> Any:
    return json.loads(zc(*args, "--json", code=code).stdout)


def _records(path: Path, gas_tj: float) -> Path:
    path.write_text(
        "record_id,year,gpc_ref,activity,amount,unit,ef_co2,ef_unit\n"
        f"gas,2024,I.1.1,natural_gas,{gas_tj},TJ,,\n"
        "power,2024,I.1.2,electricity_grid,100,MWh,0.5,t/MWh\n",
        encoding="utf-8",
    )
    return path


def _actors(tmp: Path) -> dict[str, Path]:
    """Register acme (reporter of ENTITY), audit (verifier); their private keys' files."""
    keys = {"acme": tmp / "acme.pem", "audit": tmp / "audit.pem"}
    zc("ledger", "actor-add", "acme", "--role", "reporter", "--entity", ENTITY, "--new-key", keys["acme"])
    zc("ledger", "actor-add", "audit", "--role", "verifier", "--new-key", keys["audit"])
    return keys


def _db(tmp: Path) -> Path:
    return tmp / "data" / "zerocity.sqlite"


# ------------------------------------------------------------------------------ ledger
def test_init_creates_the_platform_key_once(env: Path) -> None:
    doc = zc_json("ledger", "init")
    key_file = env / "keys" / "platform.pem"
    assert doc["key_file"] == str(key_file)
    assert doc["entries"] == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert doc["public_key"].startswith("ed25519:")
    assert zc_json("ledger", "init") == doc  # the same key the second time
    assert zc("ledger", "pubkey").stdout.strip() == doc["public_key"]
    assert "keep it secret" in zc("ledger", "init").stdout


def test_actor_add_and_actors(env: Path) -> None:
    doc = zc_json("ledger", "actor-add", "acme", "--role", "reporter", "--entity", ENTITY, "--new-key", env / "a.pem")
    assert (doc["actor"], doc["role"], doc["entity"], doc["entry"]) == ("acme", "reporter", ENTITY, 0)
    assert stat.S_IMODE((env / "a.pem").stat().st_mode) == 0o600
    other = public_key_text(generate_private_key())
    doc = zc_json("ledger", "actor-add", "audit", "--role", "verifier", "--pubkey", other)
    assert (doc["entry"], doc["public_key"]) == (1, other)
    actors = {a["actor"]: a for a in zc_json("ledger", "actors")}
    assert set(actors) == {"acme", "audit"}
    assert (actors["acme"]["role"], actors["acme"]["entity"], actors["acme"]["index"]) == ("reporter", ENTITY, 0)
    assert actors["audit"]["public_key"] == other
    assert "audit" in zc("ledger", "actors").stdout


def test_actor_add_bad_input_exits_2(env: Path) -> None:
    pub = public_key_text(generate_private_key())
    zc("ledger", "actor-add", "x", "--role", "verifier", code=2)  # neither --pubkey nor --new-key
    zc("ledger", "actor-add", "x", "--role", "verifier", "--pubkey", pub, "--new-key", env / "x.pem", code=2)
    (env / "exists.pem").write_text("keep me")
    zc("ledger", "actor-add", "x", "--role", "verifier", "--new-key", env / "exists.pem", code=2)
    assert (env / "exists.pem").read_text() == "keep me"
    res = zc("ledger", "actor-add", "x", "--role", "reporter", "--pubkey", pub, code=2)  # a reporter needs --entity
    assert "entity" in res.stderr
    assert zc_json("ledger", "actors") == []


@pytest.mark.parametrize("bad", [("--role", "auditor"), ("--pubkey", "ed25519:not-a-key")])
def test_actor_add_unknown_role_or_bad_public_key_exits_2(env: Path, bad: tuple[str, str]) -> None:
    """Bad input, exit 2."""
    args = {"--role": "verifier", "--pubkey": public_key_text(generate_private_key())} | dict([bad])
    res = zc("ledger", "actor-add", "x", *[x for kv in args.items() for x in kv], code=2)
    assert bad[1] in res.stderr


def test_verify_with_a_malformed_public_key_exits_2(env: Path) -> None:
    """Bad input, exit 2."""
    zc("ledger", "init")
    zc("ledger", "verify", "--pubkey", "ed25519:not-a-key", code=2)


def test_log_lists_entries_with_filters(env: Path) -> None:
    _actors(env)
    zc("mrv", "submit", "--actor", "acme", "--key", env / "acme.pem", "--period", "2024", "--entity", ENTITY,
       "--records", _records(env / "r.csv", 2))  # fmt: skip
    entries = zc_json("ledger", "log")
    assert [(e["index"], e["type"]) for e in entries] == [
        (0, "actor.registered"),
        (1, "actor.registered"),
        (2, "mrv.data.submitted"),
        (3, "mrv.report.submitted"),
    ]
    assert [e["index"] for e in zc_json("ledger", "log", "--type", "mrv.")] == [2, 3]
    assert [e["index"] for e in zc_json("ledger", "log", "--subject", "actor:acme")] == [0]
    assert [e["index"] for e in zc_json("ledger", "log", "--limit", "1")] == [3]
    table = zc("ledger", "log").stdout
    assert "mrv.report.submitted" in table and "yes" in table  # signed


def test_evidence_add_stores_a_file_once(env: Path) -> None:
    f = env / "photo.jpg"
    f.write_bytes(b"\xff\xd8 meter photo")
    first = zc_json("ledger", "evidence-add", f)
    assert first == {"sha256": hashlib.sha256(f.read_bytes()).hexdigest(), "size": 14, "name": "photo.jpg"}
    assert zc("ledger", "evidence-add", f).stdout.strip() == first["sha256"]
    with sqlite3.connect(_db(env)) as c:
        assert c.execute("SELECT count(*) FROM evidence_files").fetchone() == (1,)
    zc("ledger", "evidence-add", env / "missing.jpg", code=2)


# ------------------------------------------------------------------------------ verify, prove
def test_verify_prove_and_check_proof(env: Path) -> None:
    pub = zc_json("ledger", "init")["public_key"]
    _actors(env)
    for n in range(3):
        zc("ledger", "evidence-add", _records(env / f"r{n}.csv", n))
    zc("mrv", "submit", "--actor", "acme", "--key", env / "acme.pem", "--period", "2024", "--entity", ENTITY,
       "--records", env / "r1.csv")  # fmt: skip
    # Two registrations, then the data file and the report in one batch: 3 signed tree heads.
    assert "ledger OK: 4 entries, 3 signed tree heads" in zc("ledger", "verify").stdout
    assert zc_json("ledger", "verify") == {
        "ok": True,
        "entries": 4,
        "tree_heads": 3,
        "first_bad_entry": None,
        "problems": [],
    }
    assert zc_json("ledger", "verify", "--pubkey", pub)["ok"]

    proof_file = env / "proof.json"
    res = zc("ledger", "prove", "3", "--out", proof_file)
    assert "wrote the inclusion proof of entry 3" in res.stderr
    proof = json.loads(proof_file.read_text())
    assert (proof["index"], proof["tree_head"]["size"]) == (3, 4)
    assert check_proof(proof, load_public_key(pub))[0]
    assert json.loads(zc("ledger", "prove", "3").stdout) == proof  # stdout: the same proof
    assert json.loads(zc("ledger", "prove", "0", "--size", "1").stdout)["tree_head"]["size"] == 1

    assert "proof OK: entry 3 is included" in zc("ledger", "check-proof", proof_file, "--pubkey", pub).stdout
    assert zc_json("ledger", "check-proof", proof_file, "--pubkey", pub)["ok"]
    # A wrong key, an altered proof: verification fails, exit 1.
    stranger = public_key_text(generate_private_key())
    res = zc("ledger", "check-proof", proof_file, "--pubkey", stranger, code=1)
    assert "proof FAILS" in res.stderr and "signature does not verify" in res.stderr
    assert not zc_json("ledger", "check-proof", proof_file, "--pubkey", stranger, code=1)["ok"]
    proof["entry"] = proof["entry"].replace('"period":"2024"', '"period":"2023"')
    altered = env / "altered.json"
    altered.write_text(json.dumps(proof))
    assert "is not included" in zc("ledger", "check-proof", altered, "--pubkey", pub, code=1).stderr
    # Bad input: exit 2.
    zc("ledger", "check-proof", proof_file, "--pubkey", "ed25519:###", code=2)
    (env / "not.json").write_text("{")
    zc("ledger", "check-proof", env / "not.json", "--pubkey", pub, code=2)
    zc("ledger", "check-proof", env / "none.json", "--pubkey", pub, code=2)
    zc("ledger", "prove", "4", code=2)
    zc("ledger", "prove", "3", "--size", "2", code=2)  # not in that tree head
    zc("ledger", "prove", "0", "--size", "9", code=2)  # no tree head of size 9


def test_verify_finds_a_changed_database_and_names_the_entry(env: Path) -> None:
    _actors(env)
    zc("mrv", "submit", "--actor", "acme", "--key", env / "acme.pem", "--period", "2024", "--entity", ENTITY,
       "--records", _records(env / "r.csv", 2))  # fmt: skip
    with sqlite3.connect(_db(env)) as c:
        (entry,) = c.execute("SELECT entry FROM ledger_entries WHERE idx = 2").fetchone()
        c.execute("UPDATE ledger_entries SET entry = ? WHERE idx = 2", (entry.replace(b"r.csv", b"s.csv"),))
    res = zc("ledger", "verify", code=1)
    assert "ledger FAILS verification" in res.stderr
    assert "first bad entry 2" in res.stderr
    assert "entry 2: stored leaf hash differs" in res.stderr
    doc = zc_json("ledger", "verify", code=1)
    assert (doc["ok"], doc["first_bad_entry"]) == (False, 2)


def test_export_verifies_and_fails_after_changing_a_file(env: Path) -> None:
    pub = zc_json("ledger", "init")["public_key"]
    _actors(env)
    zc("mrv", "submit", "--actor", "acme", "--key", env / "acme.pem", "--period", "2024", "--entity", ENTITY,
       "--records", _records(env / "r.csv", 2))  # fmt: skip
    out = env / "export"
    doc = zc_json("ledger", "export", out)
    assert (doc["entries"], doc["tree_heads"], doc["evidence"]) == (4, 3, 2)  # evidence: data file and result
    assert "exported 4 entries" in zc("ledger", "export", env / "export2").stdout
    assert zc_json("ledger", "verify", "--export", out)["ok"]
    assert zc_json("ledger", "verify", "--export", out, "--pubkey", pub)["ok"]
    stranger = public_key_text(generate_private_key())
    assert not zc_json("ledger", "verify", "--export", out, "--pubkey", stranger, code=1)["ok"]

    lines = (out / "entries.jsonl").read_text(encoding="utf-8").splitlines()
    original = list(lines)
    lines[2] = lines[2].replace("r.csv", "s.csv")
    (out / "entries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    doc = zc_json("ledger", "verify", "--export", out, code=1)
    assert doc["first_bad_entry"] == 2
    (out / "entries.jsonl").write_text("\n".join(original) + "\n", encoding="utf-8")
    assert zc_json("ledger", "verify", "--export", out)["ok"]

    [evidence] = [p for p in (out / "evidence").iterdir() if p.read_bytes().startswith(b"record_id")]
    evidence.write_bytes(evidence.read_bytes().replace(b"100", b"101"))
    doc = zc_json("ledger", "verify", "--export", out, code=1)
    assert [(p["kind"], p["where"]) for p in doc["problems"]] == [("evidence", evidence.name)]
    evidence.unlink()
    assert zc_json("ledger", "verify", "--export", out, code=1)["first_bad_entry"] == 2  # its entry lost it

    meta = json.loads((env / "export2" / "ledger.json").read_text())
    meta["tree_heads"][1]["timestamp_ms"] += 1
    (env / "export2" / "ledger.json").write_text(json.dumps(meta))
    doc = zc_json("ledger", "verify", "--export", env / "export2", code=1)
    assert [(p["kind"], p["where"]) for p in doc["problems"]] == [("tree_head", 2)]

    zc("ledger", "verify", "--export", env / "nowhere", code=2)


# ------------------------------------------------------------------------------ mrv
def _submit(env: Path, *extra: str | Path, code: int = 0) -> Any:
    args = ["mrv", "submit", "--actor", "acme", "--key", env / "acme.pem", "--period", "2024", "--entity", ENTITY]
    return zc_json(*args, *extra, code=code) if code == 0 else zc(*args, *extra, code=code)


def test_mrv_workflow_on_the_command_line(env: Path) -> None:
    keys = _actors(env)
    rid = f"report:default:{ENTITY}:2024"
    doc = _submit(env, "--records", _records(env / "v1.csv", 2), "--region", "GLOBAL", "--evidence", IPPU)
    assert doc == {"report": rid, "entry": 3, "data_entry": 2, "version": 1, "state": "reported"}
    status = zc_json("mrv", "status", rid)
    assert (status["state"], status["version"], status["reporter"]) == ("reported", 1, "acme")
    assert "reported (version 1" in zc("mrv", "status", rid).stdout

    # A reporter cannot verify; a rejection needs a reason (typer: missing option).
    assert "only a verifier" in zc("mrv", "verify", rid, "--actor", "acme", "--key", keys["acme"], code=2).stderr
    zc("mrv", "reject", rid, "--actor", "audit", "--key", keys["audit"], code=2)
    doc = zc_json("mrv", "reject", rid, "--actor", "audit", "--key", keys["audit"], "--reason", "gas meter unsigned")
    assert doc == {"report": rid, "entry": 4, "version": 1, "state": "rejected"}

    doc = _submit(env, "--records", _records(env / "v2.csv", 3), "--region", "GLOBAL", "--note", "meter B")
    assert (doc["version"], doc["state"], doc["entry"]) == (2, "reported", 6)
    assert "verified (entry 7)" in zc("mrv", "verify", rid, "--actor", "audit", "--key", keys["audit"]).stdout

    history = zc_json("mrv", "history", rid, "--diff")
    assert [e["type"] for e in history["events"]] == [
        "mrv.data.submitted",
        "mrv.report.submitted",
        "mrv.report.rejected",
        "mrv.data.submitted",
        "mrv.report.submitted",
        "mrv.report.verified",
    ]
    assert history["events"][4]["refs"] == [3]
    [diff] = history["diffs"]
    assert (diff["from"], diff["to"]) == (1, 2)
    assert diff["change_tco2e"] == pytest.approx(GAS_TCO2E_PER_TJ, rel=REL)
    assert diff["by_cause"]["activity"] == pytest.approx(GAS_TCO2E_PER_TJ, rel=REL)
    assert diff["old_total_tco2e"] == pytest.approx(2 * GAS_TCO2E_PER_TJ + 50, rel=REL)
    text = zc("mrv", "history", rid, "--diff").stdout
    assert "version 1 -> 2" in text and "+56.3" in text
    assert zc_json("ledger", "verify")["ok"]


def test_mrv_submit_the_ippu_example_and_a_result_file(env: Path) -> None:
    keys = _actors(env)
    zc("ledger", "actor-add", "city", "--role", "city_admin", "--new-key", env / "city.pem")
    doc = _submit(env, "--records", IPPU)
    assert (doc["version"], doc["state"]) == (1, "reported")
    with sqlite3.connect(_db(env)) as c:
        (content,) = c.execute(
            "SELECT content FROM evidence_files WHERE name = 'ippu.csv'"
        ).fetchone()  # the activity data file is the evidence of the data entry
    assert bytes(content) == IPPU.read_bytes()
    zc("mrv", "verify", doc["report"], "--actor", "audit", "--key", keys["audit"])
    status = zc_json("mrv", "status", doc["report"])
    assert status["state"] == "verified"
    assert status["versions"][0]["totals"]["basic_plus_tco2e"] > 0  # IPPU counts in BASIC+ (GPC)

    # The city's own report from a result file (inventory compute --json).
    result = env / "result.json"
    result.write_text(zc("inventory", "compute", _records(env / "city.csv", 1), "--json", "--region", "GLOBAL").stdout)
    doc = zc_json("mrv", "submit", "--actor", "city", "--key", env / "city.pem", "--period", "2024", "--result", result)
    assert (doc["report"], doc["data_entry"], doc["version"]) == ("report:default:city:2024", None, 1)


def test_mrv_bad_input_exits_2(env: Path) -> None:
    keys = _actors(env)
    rid = f"report:default:{ENTITY}:2024"
    _submit(env, code=2)  # neither --records nor --result
    _submit(env, "--records", IPPU, "--result", env / "x.json", code=2)
    (env / "not-a-key.pem").write_text("hello")
    zc("mrv", "submit", "--actor", "acme", "--key", env / "not-a-key.pem", "--period", "2024", "--entity", ENTITY,
       "--records", IPPU, code=2)  # fmt: skip
    zc("mrv", "submit", "--actor", "acme", "--key", keys["audit"], "--period", "2024", "--entity", ENTITY,
       "--records", IPPU, code=2)  # fmt: skip
    (env / "bad.csv").write_text("record_id,year,gpc_ref,activity,amount,unit\nx,2024,I.1.1,natural_gas,-1,TJ\n")
    _submit(env, "--records", env / "bad.csv", code=2)
    (env / "list.json").write_text("[1, 2]")
    _submit(env, "--result", env / "list.json", code=2)
    zc("mrv", "verify", rid, "--actor", "audit", "--key", keys["audit"], code=2)  # nothing to verify
    assert zc_json("ledger", "log") == zc_json("ledger", "log", "--type", "actor.")  # nothing else appended
    assert "no ledger entry is about" in zc("mrv", "status", rid, code=1).stderr
    assert zc_json("mrv", "status", rid)["state"] is None


def test_a_refused_submission_appends_nothing(env: Path) -> None:
    """The data file and the report go in one batch: refused together."""
    _actors(env)
    _submit(env, "--records", _records(env / "v1.csv", 2))
    before = zc_json("ledger", "log")
    assert "awaits a decision" in _submit(env, "--records", _records(env / "v2.csv", 3), code=2).stderr
    assert zc_json("ledger", "log") == before


# ------------------------------------------------------------------------------ platform events
def test_inventory_save_and_factor_import_append_platform_events(env: Path) -> None:
    factors = env / "city.csv"
    factors.write_text(
        "factor_id,parameter,activity,gas,value,unit,region,sector,source_publisher,source_document,"
        "source_table,source_year\n"
        "CITY-NG-CH4,ef,natural_gas,CH4,10,kg/TJ,GLOBAL,I.1,City,Boiler tests,Table 1,2023\n",
        encoding="utf-8",
    )
    zc("factors", "import", factors, "--name", "city", "--version", "2023")
    assert zc("factors", "import", factors, "--name", "city", "--version", "2023", code=1).exit_code != 0
    doc = zc_json("inventory", "compute", _records(env / "r.csv", 2), "--region", "GLOBAL", "--save", "run 1")

    entries = zc_json("ledger", "log")
    assert [(e["index"], e["type"], e["actor"]) for e in entries] == [
        (0, "factorset.loaded", "platform"),
        (1, "inventory.computed", "platform"),
    ]  # the refused second import appended nothing
    loaded, computed = (e["payload"] for e in entries)
    assert (loaded["name"], loaded["version"], loaded["rows"], loaded["file"]) == ("city", "2023", 1, "city.csv")
    assert loaded["file_sha256"] == hashlib.sha256(factors.read_bytes()).hexdigest()
    assert entries[0]["subject"] == "factorset:city:2023"
    assert computed["inventory_id"] == doc["inventory_id"]
    assert entries[1]["subject"] == f"inventory:{doc['inventory_id']}"
    assert (computed["name"], computed["file"], computed["record_count"]) == ("run 1", "r.csv", 2)
    assert computed["basic_tco2e"] == pytest.approx(doc["basic_tco2e"], rel=REL)
    assert zc_json("ledger", "verify")["ok"]
    assert os.environ["ZEROCITY_LEDGER_KEY"] == str(env / "keys" / "platform.pem")
    assert (env / "keys" / "platform.pem").exists()  # created on first use by the event
