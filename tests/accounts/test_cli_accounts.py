"""``zerocity accounts enterprise ...`` and ``zerocity accounts household ...`` end to end (typer's CliRunner).

Each test has its own data directory (SQLite database) and platform key file in ``tmp_path``
(``ZEROCITY_DATA_DIR``, ``ZEROCITY_LEDGER_KEY``; ``ZEROCITY_DATABASE_URL`` and ``ZEROCITY_REGION``
unset). Exit codes: 0 for success, 2 for bad input.

Expected numbers are worked independently of the code under test:

* the tiny registry (3 entities) has only grid electricity with a row factor of 0.5 t CO2/MWh
  (scope 2), so ``scope2 = 0.5 x MWh``; energy [tce] = MWh x 1000 kWh/MWh x 0.1229 kgce/kWh / 1000
  (GB/T 2589-2020 Appendix A, calorific value); the industry intensity is output-weighted,
  ``sum(scope 1 + 2) / sum(output)``, and the grades use the documented default thresholds of
  ``accounts/data/carbon_code.yaml`` (ratio bounds 0.5, 0.8, 1.2, 2.0, a bound takes the better grade);
* quotas: a linear projection ``P = C / f`` with ``f`` the elapsed share of 2024 (366 days) and the
  crossing day ``t + (h Q - C) / (C / t)``; a seasonal one ``P = C / s`` with ``s`` last year's share
  of use to the same date;
* households: metro 121.2 - 17.3 = 103.9 g/pkm (daily cap 4 kg), grid CN 2022 0.5366 kg/kWh
  (MEE & NBS 2024 No. 33), footprint defaults gas 2.162 kg/m3, water 0.168 kg/m3, car 0.1817 kg/km,
  metro 0.0173 kg/pkm, food 0.5 and goods 0.3 kg/CNY.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from zerocity.cli import app
from zerocity.identifiers import make_uscc

runner = CliRunner()

REPO = Path(__file__).resolve().parents[2]
REL = 1e-9  # float arithmetic on exact decimal inputs
EF_T_PER_MWH = 0.5
KGCE_PER_KWH = 0.1229  # GB/T 2589-2020 Appendix A, electricity (calorific value)
THRESHOLDS = (0.5, 0.8, 1.2, 2.0)  # accounts/data/carbon_code.yaml
COLOURS = {1: "dark_green", 2: "green", 3: "yellow", 4: "orange", 5: "red"}
GRID_KG_PER_KWH = 0.5366
METRO_KG_PER_PKM = 0.1212 - 0.0173


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ZEROCITY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ZEROCITY_LEDGER_KEY", str(tmp_path / "keys" / "platform.pem"))
    monkeypatch.delenv("ZEROCITY_DATABASE_URL", raising=False)
    monkeypatch.delenv("ZEROCITY_REGION", raising=False)
    return tmp_path


def zc(*args: str | Path, code: int = 0) -> Any:
    """Run ``zerocity ARGS``; check the exit code; a crash (traceback) is never an answer."""
    res = runner.invoke(app, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code == code, (args, res.exit_code, res.stdout[-1500:], res.stderr[-1500:])
    return res


def zc_json(*args: str | Path, code: int = 0) -> Any:
    return json.loads(zc(*args, "--json", code=code).stdout)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ tiny registry
CODES = [make_uscc("9", "1", "320400", f"{10000000 + i:08d}") for i in range(3)]
A, B, G = CODES
# uscc: name, industry, output [10^4 yuan], employees, land [mu], MWh 2024, MWh 2023 (None: no records)
ENTITIES: dict[str, tuple[str, str, float, int, float, float, float | None]] = {
    A: ("Alpha", "C3011", 1000.0, 100, 15.0, 20.0, 40.0),
    B: ("Beta", "C3011", 2000.0, 50, 30.0, 200.0, 200.0),
    G: ("Gamma", "C3012", 500.0, 20, 10.0, 180.0, None),
}


def _grade(ratio: float, bounds: tuple[float, ...] = THRESHOLDS) -> int:
    return 1 + sum(ratio > b for b in bounds)


def _expected(peers: dict[str, list[str]] | None = None, bounds: tuple[float, ...] = THRESHOLDS) -> dict[str, Any]:
    """Hand-worked 2024 accounts; ``peers`` maps each entity to its peer group (default: all three)."""
    peers = peers or {u: CODES for u in CODES}
    s2 = {u: EF_T_PER_MWH * e[5] for u, e in ENTITIES.items()}
    out: dict[str, Any] = {}
    for u, (name, industry, output, employees, land, mwh, mwh_prev) in ENTITIES.items():
        group = peers[u]
        avg = sum(s2[p] for p in group) / sum(ENTITIES[p][2] for p in group)
        intensity = s2[u] / output
        ratio = intensity / avg
        below = sum(s2[p] / ENTITIES[p][2] <= intensity for p in group)
        change = None if mwh_prev is None else (mwh / mwh_prev - 1.0) * 100.0
        trend = "new" if change is None else "improving" if change < -2 else "worsening" if change > 2 else "stable"
        out[u] = {
            "name": name,
            "industry_code": industry,
            "year": 2024,
            "scope1_tco2e": 0.0,
            "scope2_tco2e": s2[u],
            "scope3_tco2e": 0.0,
            "total_tco2e": s2[u],
            "energy_tce": mwh * 1000 * KGCE_PER_KWH / 1000,
            "output_value_10k_yuan": output,
            "employees": employees,
            "land_area_mu": land,
            "intensity_tco2e_per_10k_yuan": intensity,
            "energy_tce_per_10k_yuan": mwh * KGCE_PER_KWH / output,
            "tco2e_per_mu": s2[u] / land,
            "tco2e_per_employee": s2[u] / employees,
            "peers": len(group),
            "industry_intensity": avg,
            "ratio": ratio,
            "percentile": 100.0 * below / len(group),
            "grade": _grade(ratio, bounds),
            "intensity_change_pct": change,
            "trend": trend,
        }
    return out


def _check(row: dict[str, Any], want: dict[str, Any]) -> None:
    for key, value in want.items():
        if isinstance(value, float):
            assert row[key] == pytest.approx(value, rel=REL, abs=1e-12), key
        else:
            assert row[key] == value, key


@pytest.fixture
def firms(env: Path) -> tuple[Path, Path]:
    """Registry and inventory records of the three entities (2023 and 2024)."""
    reg = ["uscc,name,industry_code,district,land_area_mu,output_value_10k_yuan,employees"]
    rec = ["record_id,entity,year,gpc_ref,activity,amount,unit,ef_co2,ef_unit"]
    for u, (name, industry, output, employees, land, mwh, mwh_prev) in ENTITIES.items():
        reg.append(f"{u},{name},{industry},320401,{land},{output},{employees}")
        rec.append(f"{name}-24,{u},2024,I.3.2,electricity_grid,{mwh},MWh,{EF_T_PER_MWH},t/MWh")
        if mwh_prev is not None:
            rec.append(f"{name}-23,{u},2023,I.3.2,electricity_grid,{mwh_prev},MWh,{EF_T_PER_MWH},t/MWh")
    return _write(env / "registry.csv", "\n".join(reg) + "\n"), _write(env / "records.csv", "\n".join(rec) + "\n")


def test_default_thresholds_are_the_documented_ones() -> None:
    doc = yaml.safe_load((REPO / "src/zerocity/accounts/data/carbon_code.yaml").read_text(encoding="utf-8"))
    assert tuple(doc["thresholds"]) == THRESHOLDS
    assert doc["min_peers"] == 5
    assert {g["grade"]: g["colour"] for g in doc["grades"]} == COLOURS


# ------------------------------------------------------------------------------ grade, show
def test_grade_json_matches_hand_worked_accounts(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    rows = {r["uscc"]: r for r in zc_json("accounts", "enterprise", "grade", "--registry", reg, "--records", rec)}
    assert list(rows) == CODES
    want = _expected()
    for u in CODES:
        _check(rows[u], want[u])
        # 3 peers in C3011/C3012 < min_peers 5, also in division C30: compared within section C.
        assert (rows[u]["class_level"], rows[u]["peer_group"]) == ("section", "C")
        assert rows[u]["colour"] == COLOURS[want[u]["grade"]]
        assert rows[u]["explanation"].startswith(f"grade {want[u]['grade']} ({COLOURS[want[u]['grade']]})")
    # Alpha 0.175x, Beta 0.875x, Gamma 3.15x the output-weighted average 200/3500 tCO2e/10^4 yuan.
    assert [rows[u]["grade"] for u in CODES] == [1, 3, 5]
    assert rows[A]["industry_intensity"] == pytest.approx(200 / 3500, rel=REL)
    assert [rows[u]["trend"] for u in CODES] == ["improving", "stable", "new"]
    assert rows[G]["intensity_change_pct"] is None


def test_grade_table_and_csv(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    out_csv = reg.parent / "graded.csv"
    res = zc("accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--out", out_csv)
    assert "carbon code grades" in res.stdout
    assert f"wrote 3 rows to {out_csv}" in res.stderr
    lines = out_csv.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and "grade" in lines[0].split(",")


def test_grade_with_a_config_file(firms: tuple[Path, Path]) -> None:
    """min_peers 2: Alpha and Beta compared within class C3011, Gamma within division C30."""
    reg, rec = firms
    bounds = (0.2, 0.3, 1.4, 3.5)
    cfg = {
        "version": 1,
        "thresholds": list(bounds),
        "grades": [{"grade": g, "colour": c} for g, c in COLOURS.items()],
        "min_peers": 2,
    }
    path = _write(reg.parent / "code.yaml", yaml.safe_dump(cfg))
    rows = {
        r["uscc"]: r
        for r in zc_json("accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--config", path)
    }
    want = _expected({A: [A, B], B: [A, B], G: CODES}, bounds)
    for u in CODES:
        _check(rows[u], want[u])
    assert [(rows[u]["class_level"], rows[u]["peer_group"]) for u in CODES] == [
        ("class", "C3011"),
        ("class", "C3011"),
        ("division", "C30"),
    ]
    # Alpha 0.01 / (110/3000) = 0.27x -> 2; Beta 1.36x -> 3; Gamma 3.15x -> 4 (5 with the defaults).
    assert [rows[u]["grade"] for u in CODES] == [2, 3, 4]


def test_grade_bad_config_exits_2(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    path = _write(reg.parent / "bad.yaml", "thresholds: [1, 0.5]\n")
    res = zc("accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--config", path, code=2)
    assert str(path) in res.stderr and "thresholds" in res.stderr


def test_grade_equivalent_electricity(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    args = ["accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--electricity", "equivalent"]
    res = zc(*args, code=2)  # the equivalent value needs the year's coefficient
    assert "kgce" in res.stderr
    rows = {r["uscc"]: r for r in zc_json(*args, "--kgce-per-kwh", "0.3")}
    for u, e in ENTITIES.items():
        assert rows[u]["energy_tce"] == pytest.approx(e[5] * 0.3, rel=REL)  # MWh x 1000 x 0.3 kgce/kWh / 1000


def test_grade_unknown_electricity_convention_exits_2(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    zc("accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--electricity", "foo", code=2)


def test_grade_of_an_earlier_year(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    args = ("accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--year", "2023")
    rows = {r["uscc"]: r for r in zc_json(*args)}
    assert {r["year"] for r in rows.values()} == {2023}
    assert rows[A]["scope2_tco2e"] == pytest.approx(20.0, rel=REL)  # 40 MWh x 0.5
    assert rows[B]["scope2_tco2e"] == pytest.approx(100.0, rel=REL)
    assert {r["trend"] for r in rows.values()} == {"new"}  # no 2022 records


def test_entity_without_records_in_the_year_is_not_graded(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    args = ("accounts", "enterprise", "grade", "--registry", reg, "--records", rec, "--year", "2023")
    gamma = {r["uscc"]: r for r in zc_json(*args)}[G]  # Gamma has no 2023 records at all
    assert gamma["grade"] is None
    assert gamma["explanation"].startswith("not graded")


def test_show_json_is_the_entity_row_of_grade(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    doc = zc_json("accounts", "enterprise", "show", B.lower(), "--registry", reg, "--records", rec)
    _check(doc, _expected()[B])
    assert doc["uscc"] == B
    rows = {r["uscc"]: r for r in zc_json("accounts", "enterprise", "grade", "--registry", reg, "--records", rec)}
    assert doc == rows[B]
    text = zc("accounts", "enterprise", "show", A, "--registry", reg, "--records", rec).stdout
    assert f"Alpha ({A}), 2024" in text and "dark_green" in text


def test_show_unknown_entity_exits_2(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    other = make_uscc("9", "1", "320400", "99999999")
    res = zc("accounts", "enterprise", "show", other, "--registry", reg, "--records", rec, code=2)
    assert other in res.stderr and str(reg) in res.stderr
    assert res.stdout == ""


def test_bad_uscc_in_the_registry_exits_2_naming_file_row_column(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    wrong = B[:17] + ("0" if B[17] != "0" else "1")  # wrong check character
    bad = _write(reg.parent / "bad_registry.csv", reg.read_text(encoding="utf-8").replace(B, wrong))
    for cmd in (("grade",), ("show", A), ("export", "--no-ledger")):
        res = zc("accounts", "enterprise", *cmd, "--registry", bad, "--records", rec, code=2)
        assert f"{bad}: row 2, column 'uscc'" in res.stderr, cmd
        assert "check character" in res.stderr and wrong in res.stderr
        assert res.stdout == ""


def test_registry_reports_every_bad_cell(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    bad = _write(
        reg.parent / "bad2.csv",
        f"uscc,name,industry_code,output_value_10k_yuan,employees,land_area_mu\n{A},Alpha,X99,abc,1.5,\n",
    )
    res = zc("accounts", "enterprise", "grade", "--registry", bad, "--records", rec, code=2)
    for column in ("industry_code", "output_value_10k_yuan", "employees", "land_area_mu"):
        assert f"{bad}: row 1, column {column!r}" in res.stderr


def test_missing_registry_or_records_file_exits_2(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    missing = reg.parent / "nope.csv"
    for args in (("--registry", missing, "--records", rec), ("--registry", reg, "--records", missing)):
        res = zc("accounts", "enterprise", "grade", *args, code=2)
        assert str(missing) in res.stderr


# ------------------------------------------------------------------------------ export
def _actor_keys(env: Path) -> dict[str, Path]:
    keys = {"alpha": env / "alpha.pem", "beta": env / "beta.pem", "audit": env / "audit.pem"}
    zc("ledger", "actor-add", "alpha", "--role", "reporter", "--entity", A, "--new-key", keys["alpha"])
    zc("ledger", "actor-add", "beta", "--role", "reporter", "--entity", B, "--new-key", keys["beta"])
    zc("ledger", "actor-add", "audit", "--role", "verifier", "--new-key", keys["audit"])
    return keys


def test_export_reads_the_mrv_status_from_the_ledger(env: Path, firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    keys = _actor_keys(env)
    mrv = _write(
        env / "mrv.csv",
        "record_id,year,gpc_ref,activity,amount,unit,ef_co2,ef_unit\npower,2024,I.3.2,electricity_grid,20,MWh,0.5,t/MWh\n",
    )
    for who, u in (("alpha", A), ("beta", B)):
        zc("mrv", "submit", "--actor", who, "--key", keys[who], "--period", "2024", "--entity", u, "--records", mrv)
    zc("mrv", "verify", f"report:default:{A}:2024", "--actor", "audit", "--key", keys["audit"])

    rows = json.loads(zc("accounts", "enterprise", "export", "--registry", reg, "--records", rec).stdout)
    assert [r["uscc"] for r in rows] == CODES
    assert list(rows[0]) == [
        "uscc",
        "name",
        "industry_code",
        "year",
        "grade",
        "colour",
        "intensity_tco2e_per_10k_yuan",
        "industry_intensity",
        "ratio",
        "percentile",
        "intensity_change_pct",
        "trend",
        "verified_status",
        "report_id",
    ]
    want = _expected()
    for r in rows:
        u = r["uscc"]
        assert r["report_id"] == f"report:default:{u}:2024"
        _check(r, {k: want[u][k] for k in ("grade", "trend", "intensity_tco2e_per_10k_yuan", "ratio", "percentile")})
    assert [r["verified_status"] for r in rows] == ["verified", "reported", "none"]

    # Another tenant has no reports; without the ledger the status is unknown.
    other = json.loads(
        zc("accounts", "enterprise", "export", "--registry", reg, "--records", rec, "--tenant", "x").stdout
    )
    assert [(r["report_id"], r["verified_status"]) for r in other] == [(f"report:x:{u}:2024", "none") for u in CODES]
    args = ("accounts", "enterprise", "export", "--registry", reg, "--records", rec, "--no-ledger")
    assert {r["verified_status"] for r in json.loads(zc(*args).stdout)} == {"unknown"}


def test_export_to_csv_and_json_files(firms: tuple[Path, Path]) -> None:
    reg, rec = firms
    args = ("accounts", "enterprise", "export", "--registry", reg, "--records", rec, "--no-ledger")
    csv_path, json_path = reg.parent / "bank.csv", reg.parent / "bank.json"
    res = zc(*args, "--out", csv_path)
    assert res.stdout == "" and f"wrote 3 rows to {csv_path}" in res.stderr
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("uscc,name,industry_code,year,grade") and len(lines) == 4
    zc(*args, "--out", json_path)
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert [(r["uscc"], r["grade"]) for r in doc] == [(A, 1), (B, 3), (G, 5)]


# ------------------------------------------------------------------------------ quota
def _day(offset: float) -> str:
    return str(date(2024, 1, 1) + timedelta(days=math.floor(offset)))


@pytest.fixture
def quota_files(env: Path) -> tuple[Path, Path]:
    quotas = _write(
        env / "quotas.csv", "entity,quota,kind\nE1,1000,energy\nE2,1000,carbon\nE3,500,energy\nS1,2000,energy\n"
    )
    usage = ["entity,time,amount"]
    usage += [f"E1,2024-{m:02d},100" for m in (1, 2, 3)]
    usage += ["E2,2024-01,900"]
    usage += [f"S1,2023-{m:02d},100" for m in range(1, 13)] + [f"S1,2024-{m:02d},100" for m in (1, 2, 3)]
    return quotas, _write(env / "usage.csv", "\n".join(usage) + "\n")


def test_quota_json_linear_and_seasonal_projections(quota_files: tuple[Path, Path]) -> None:
    quotas, usage = quota_files
    rows = {r["entity"]: r for r in zc_json("accounts", "enterprise", "quota", "--quotas", quotas, "--usage", usage)}
    assert list(rows) == ["E1", "E2", "E3", "S1"]
    keys = {"entity", "kind", "year", "quota", "consumed", "as_of", "elapsed_share", "method", "projected"}
    assert keys | {"projected_share", "crosses_80", "crosses_100", "status"} <= set(rows["E1"])

    # E1: 300 by 1 April (t = 31 + 29 + 31 = 91 days of 366): P = 300 / (91/366) = 1206.59.
    e1 = rows["E1"]
    t, c = 91, 300.0
    assert (e1["year"], e1["kind"], e1["method"]) == (2024, "energy", "linear")
    assert e1["consumed"] == pytest.approx(c, rel=REL)
    assert e1["as_of"].startswith("2024-04-01")
    assert e1["elapsed_share"] == pytest.approx(t / 366, rel=REL)
    assert e1["projected"] == pytest.approx(c * 366 / t, rel=REL)
    assert e1["projected_share"] == pytest.approx(c * 366 / t / 1000, rel=REL)
    # Crossings on the run-rate path: day t + (hQ - C) / (C / t): 242.7 -> 30 Aug, 303.3 -> 30 Oct.
    assert e1["crosses_80"][:10] == _day(t + (800 - c) / (c / t)) == "2024-08-30"
    assert e1["crosses_100"][:10] == _day(t + (1000 - c) / (c / t)) == "2024-10-30"
    assert e1["status"] == "projected 100%"

    # E2: 900 in January: 80 % reached by the data (end of the January reading), 100 % projected.
    e2 = rows["E2"]
    assert e2["kind"] == "carbon"
    assert e2["projected"] == pytest.approx(900 * 366 / 31, rel=REL)
    assert e2["crosses_80"][:10] == "2024-02-01"
    assert e2["crosses_100"][:10] == _day(31 + 100 / (900 / 31)) == "2024-02-04"
    assert e2["status"] == "projected 100%"

    # E3: no usage at all.
    e3 = rows["E3"]
    assert (e3["method"], e3["consumed"], e3["projected"], e3["as_of"], e3["status"]) == (
        "no data",
        0.0,
        None,
        None,
        "ok",
    )

    # S1: a full 2023 of 100 a month, so seasonal: s = 300/1200 by 1 April, P = 300 / 0.25 = 1200.
    s1 = rows["S1"]
    assert s1["method"] == "seasonal"
    assert s1["projected"] == pytest.approx(1200.0, rel=1e-9)
    assert s1["projected_share"] == pytest.approx(0.6, rel=1e-9)
    assert (s1["crosses_80"], s1["crosses_100"], s1["status"]) == (None, None, "ok")


def test_quota_warn_year_and_table(quota_files: tuple[Path, Path]) -> None:
    quotas, usage = quota_files
    args = ("accounts", "enterprise", "quota", "--quotas", quotas, "--usage", usage)
    rows = {r["entity"]: r for r in zc_json(*args, "--warn", "0.25")}
    assert "crosses_25" in rows["E1"] and "crosses_80" not in rows["E1"]
    assert rows["E1"]["status"] == "reached 25%"  # 300 >= 250
    assert rows["E1"]["crosses_25"][:10] == "2024-04-01"  # the March reading ends on 1 April
    last = {r["entity"]: r for r in zc_json(*args, "--year", "2023")}
    assert last["S1"]["year"] == 2023
    assert last["S1"]["consumed"] == pytest.approx(1200.0, rel=REL)
    assert last["S1"]["elapsed_share"] == pytest.approx(1.0, rel=REL)
    assert last["S1"]["method"] == "linear"  # no 2022 data
    assert last["E1"]["method"] == "no data"
    table = zc(*args).stdout
    assert "quotas" in table and "seasonal" in table and "projected 100%" in table


def test_quota_bad_usage_exits_2_with_row_and_column(quota_files: tuple[Path, Path]) -> None:
    quotas, _ = quota_files
    bad = _write(quotas.parent / "bad_usage.csv", "entity,time,amount\nE1,2024-13,5\nE1,2024-01,-1\n")
    res = zc("accounts", "enterprise", "quota", "--quotas", quotas, "--usage", bad, code=2)
    assert "row 1, column 'time'" in res.stderr
    assert "row 2, column 'amount'" in res.stderr


def test_quota_bad_usage_names_the_file(quota_files: tuple[Path, Path]) -> None:
    quotas, _ = quota_files
    bad = _write(quotas.parent / "bad_usage.csv", "entity,time,amount\nE1,2024-13,5\n")
    res = zc("accounts", "enterprise", "quota", "--quotas", quotas, "--usage", bad, code=2)
    assert f"{bad}: row 1, column 'time'" in res.stderr


@pytest.mark.parametrize(
    ("text", "column", "row"),
    [
        ("entity,quota\nE1,lots\n", "quota", 1),  # not a number
        ("who,quota\nE1,10\n", "entity", 0),  # required column missing
        ("entity,quota,kind\nE1,10,water\n", "kind", 1),  # not energy/carbon
        (None, "", 0),  # no such file
    ],
)
def test_malformed_quota_file_exits_2_naming_file_row_column(
    quota_files: tuple[Path, Path], text: str | None, column: str, row: int
) -> None:
    _, usage = quota_files
    path = usage.parent / "bad_quotas.csv"
    if text is not None:
        _write(path, text)
    res = zc("accounts", "enterprise", "quota", "--quotas", path, "--usage", usage, code=2)
    assert str(path) in res.stderr
    if column:
        assert f"row {row}, column {column!r}" in res.stderr


def test_quota_blank_kind_defaults_to_energy(quota_files: tuple[Path, Path]) -> None:
    _, usage = quota_files
    quotas = _write(usage.parent / "q.csv", "entity,quota,kind\nE1,1000,carbon\nE2,1000,\n")
    rows = zc_json("accounts", "enterprise", "quota", "--quotas", quotas, "--usage", usage)
    assert [r["kind"] for r in rows] == ["carbon", "energy"]


# ------------------------------------------------------------------------------ allowances
def _log_count(pool: str = "CEA-2024") -> int:
    return len(zc_json("ledger", "log", "--subject", f"allowance:default:{pool}", "--limit", "1000"))


def test_allowances_issue_transfer_surrender_balance(env: Path) -> None:
    base = ("accounts", "enterprise", "allowance")
    pool = ("--pool", "CEA-2024")
    assert json.loads(zc(*base, "issue", "--to", A, *pool, "--amount", "100").stdout) == {"entry": 0}
    doc = json.loads(zc(*base, "transfer", "--from", A, "--to", B, *pool, "--amount", "40", "--actor", A).stdout)
    assert doc == {"entry": 1}
    args = ("surrender", "--from", A, *pool, "--amount", "10", "--period", "2024", "--actor", A)
    assert json.loads(zc(*base, *args).stdout) == {"entry": 2}
    assert zc_json(*base, "balance", *pool) == {A: "50", B: "40", "surrendered": "10"}
    table = zc(*base, "balance", *pool).stdout
    assert "allowances CEA-2024" in table and A in table

    entries = zc_json("ledger", "log")
    assert [(e["index"], e["type"], e["actor"]) for e in entries] == [
        (0, "allowance.issued", "platform"),
        (1, "allowance.transferred", A),
        (2, "allowance.surrendered", A),
    ]
    assert {e["subject"] for e in entries} == {"allowance:default:CEA-2024"}
    assert entries[1]["payload"] == {"pool": "CEA-2024", "amount": "40", "from": A, "to": B}
    assert entries[2]["payload"]["period"] == "2024"

    # Refusals exit 2, say why, and append nothing.
    refused = [
        ("transfer", "--from", B, "--to", A, *pool, "--amount", "40.000001", "--actor", B),  # balance 40
        ("surrender", "--from", A, *pool, "--amount", "50.5", "--period", "2024", "--actor", A),  # balance 50
        ("transfer", "--from", A, "--to", A, *pool, "--amount", "1", "--actor", A),  # same account
        ("transfer", "--from", "surrendered", "--to", A, *pool, "--amount", "1", "--actor", A),
        ("issue", "--to", A, *pool, "--amount", "5", "--actor", A),  # only platform / city_admin issue
        ("issue", "--to", A, *pool, "--amount", "1.0000001"),  # more than 6 decimals
        ("issue", "--to", A, *pool, "--amount", "0"),
        ("issue", "--to", A, *pool, "--amount", "lots"),
    ]
    for args in refused:
        res = zc(*base, *args, code=2)
        assert "error [allowance]" in res.stderr, args
    assert "the balance is 40" in zc(*base, *refused[0], code=2).stderr
    assert _log_count() == 3
    assert len(zc_json("ledger", "log")) == 3
    assert zc_json(*base, "balance", *pool) == {A: "50", B: "40", "surrendered": "10"}

    # Pools and tenants are separate; a city admin may issue; decimals stay exact.
    zc(*base, "issue", "--to", A, "--pool", "CEA-2025", "--amount", "0.1", "--actor", "city_admin")
    zc(*base, "issue", "--to", A, "--pool", "CEA-2025", "--amount", "0.2")
    assert zc_json(*base, "balance", "--pool", "CEA-2025") == {A: "0.3"}
    assert zc_json(*base, "balance", *pool, "--tenant", "other") == {}
    assert zc_json(*base, "balance", *pool) == {A: "50", B: "40", "surrendered": "10"}


def test_allowance_transfer_over_balance_appends_nothing(env: Path) -> None:
    base = ("accounts", "enterprise", "allowance")
    zc(*base, "issue", "--to", A, "--pool", "P", "--amount", "100")
    before = len(zc_json("ledger", "log"))
    res = zc(*base, "transfer", "--from", A, "--to", B, "--pool", "P", "--amount", "100.5", "--actor", A, code=2)
    assert "refused" in res.stderr and res.stdout == ""
    assert len(zc_json("ledger", "log")) == before == 1
    assert zc_json(*base, "balance", "--pool", "P") == {A: "100"}


# ------------------------------------------------------------------------------ household
EVENTS = """event_id,household_id,behaviour,timestamp,quantity,unit,distance_km,duration_min,prior_1,prior_2
e1,h1,metro,2024-05-01 08:00,,,10,20,,
e2,h1,metro,2024-05-01 18:00,,,30,40,,
e3,h1,metro,2024-05-01 20:00,,,5,10,,
e1,h1,metro,2024-05-02 08:00,,,10,20,,
e5,h2,metro,2024-05-02 08:00,,,50,10,,
e6,h2,metro,2024-05-02 09:00,,,150,120,,
e7,h2,electricity_saving,2024-05-31 23:00,180,kWh,,,200,200
e8,h2,electricity_saving,2024-04-30 23:00,195,kWh,,,200,200
"""


def test_household_methodologies(env: Path) -> None:
    methods = {m["id"]: m for m in zc_json("accounts", "household", "methodologies")}
    assert set(methods) == {p.stem for p in (REPO / "src/zerocity/accounts/methodologies").glob("*.yaml")}
    for m in methods.values():
        assert {"id", "version", "name", "kind", "activity_unit", "baseline", "project", "caps"} <= set(m)
        assert m["reduction_kg_per_unit"] > 0
    assert methods["metro"]["reduction_kg_per_unit"] == pytest.approx(METRO_KG_PER_PKM, rel=REL)
    assert methods["metro"]["caps"] == {"daily_kg": 4.0, "monthly_kg": 80.0}
    assert methods["electricity_saving"]["reduction_kg_per_unit"] == pytest.approx(GRID_KG_PER_KWH, rel=REL)
    assert methods["electricity_saving"]["kind"] == "saving"
    table = zc("accounts", "household", "methodologies").stdout
    assert "Household methodologies" in table and "metro" in table


def test_household_events_json_and_csv(env: Path) -> None:
    path = _write(env / "events.csv", EVENTS)
    out_csv = env / "scored.csv"
    rows = zc_json("accounts", "household", "events", path, "--out", out_csv)
    got = [(r["event_id"], r["status"], r["reason"]) for r in rows]
    assert got == [
        ("e1", "accepted", "accepted"),
        ("e2", "accepted", "accepted"),
        ("e3", "refused", "daily_cap"),  # 1.039 + 2.961 = the 4 kg daily cap
        ("e1", "refused", "duplicate_event_id"),
        ("e5", "refused", "implausible_speed"),  # 50 km in 10 min = 300 km/h > 100
        ("e6", "refused", "implausible_distance"),  # 150 km > 100
        ("e7", "accepted", "accepted"),
        ("e8", "refused", "ineligible_below_threshold"),  # saving 5/200 = 2.5 % < 5 %
    ]
    assert rows[0]["methodology"] == "metro@1.0" and rows[6]["methodology"] == "electricity_saving@1.0"
    assert rows[0]["timestamp"] == "2024-05-01T08:00:00"
    assert rows[0]["reduction_kg"] == pytest.approx(10 * METRO_KG_PER_PKM, rel=REL)
    assert rows[0]["awarded_kg"] == pytest.approx(10 * METRO_KG_PER_PKM, rel=REL)
    assert rows[1]["reduction_kg"] == pytest.approx(30 * METRO_KG_PER_PKM, rel=REL)
    assert rows[1]["awarded_kg"] == pytest.approx(4.0 - 10 * METRO_KG_PER_PKM, rel=REL)  # capped
    assert rows[2]["awarded_kg"] == 0.0
    # e7: saving = (200 + 200) / 2 - 180 = 20 kWh x 0.5366 kg/kWh.
    assert rows[6]["activity"] == pytest.approx(20.0, rel=REL)
    assert rows[6]["awarded_kg"] == pytest.approx(20 * GRID_KG_PER_KWH, rel=REL)
    lines = out_csv.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 9 and lines[0].endswith("reduction_kg,awarded_kg,status,reason")
    assert "3 accepted" in zc("accounts", "household", "events", path).stdout


def test_household_points(env: Path) -> None:
    path = _write(env / "events.csv", EVENTS)
    doc = zc_json("accounts", "household", "points", path)
    assert doc["as_of"] == "2024-05-31 23:00:00"  # the last event
    # Points round down to 2 decimals per award: h1 1.03 + 2.96, h2 floor(10.732 * 100) / 100.
    assert {b["household_id"]: b["balance"] for b in doc["balances"]} == pytest.approx(
        {"h1": 1.03 + 2.96, "h2": 10.73}, rel=REL
    )
    # 10 points per kg; points expire one month after their award: h1's (1 May) are gone on 15 June.
    args = ("--points-per-kg", "10", "--expiry-months", "1", "--as-of", "2024-06-15")
    doc = zc_json("accounts", "household", "points", path, *args)
    assert doc["as_of"] == "2024-06-15 00:00:00"
    assert {b["household_id"]: b["balance"] for b in doc["balances"]} == pytest.approx({"h2": 107.32}, rel=REL)
    assert "Points at" in zc("accounts", "household", "points", path).stdout


def test_household_footprint(env: Path) -> None:
    path = _write(
        env / "fp.csv",
        "household_id,month,electricity_kwh,gas_m3,water_m3,car_km,metro_km,food_cny,goods_cny\n"
        "h1,2024-05,100,10,5,100,50,1000,100\n"
        "h2,2024-05,200,,,,,,\n",
    )
    rows = zc_json("accounts", "household", "footprint", path, "--city-average", "500")
    h1, h2 = rows
    assert (h1["household_id"], h1["month"]) == ("h1", "2024-05")
    housing = 100 * GRID_KG_PER_KWH + 10 * 2.162 + 5 * 0.168
    transport = 100 * 0.1817 + 50 * 0.0173
    food = 1000 * 0.5 + 100 * 0.3
    assert h1["housing_kg"] == pytest.approx(housing, rel=REL)
    assert h1["transport_kg"] == pytest.approx(transport, rel=REL)
    assert h1["food_consumption_kg"] == pytest.approx(food, rel=REL)
    assert h1["total_kg"] == pytest.approx(housing + transport + food, rel=REL)
    assert h1["vs_city_pct"] == pytest.approx(100 * ((housing + transport + food) / 500 - 1), rel=REL)
    assert (h2["housing_kg"], h2["transport_kg"], h2["total_kg"]) == pytest.approx((200 * GRID_KG_PER_KWH, 0, 107.32))
    plain = zc_json("accounts", "household", "footprint", path)
    assert "vs_city_pct" not in plain[0]
    assert "household footprint" in zc("accounts", "household", "footprint", path).stdout


def test_household_bad_events_exit_2_naming_file_row_column(env: Path) -> None:
    bad = _write(
        env / "bad_events.csv",
        "event_id,household_id,behaviour,timestamp,distance_km,duration_min\n"
        "e1,h1,teleport,2024-05-01 08:00,10,20\n"
        "e2,h1,metro,yesterday,x,20\n",
    )
    for cmd in ("events", "points"):
        res = zc("accounts", "household", cmd, bad, code=2)
        assert f"{bad}: row 1, column 'behaviour'" in res.stderr
        assert f"{bad}: row 2, column 'timestamp'" in res.stderr
        assert f"{bad}: row 2, column 'distance_km'" in res.stderr
        assert res.stdout == ""
    missing = env / "missing.csv"
    for cmd in ("events", "points", "footprint"):
        assert str(missing) in zc("accounts", "household", cmd, missing, code=2).stderr


def test_household_bad_footprint_names_the_file(env: Path) -> None:
    bad = _write(env / "bad_fp.csv", "household_id,month,gas_m3\nh1,2024-05,ten\n")
    res = zc("accounts", "household", "footprint", bad, code=2)  # exit 2 holds; the name does not
    assert f"{bad}: row 1, column 'gas_m3'" in res.stderr


def test_household_footprint_bad_city_average_exits_2(env: Path) -> None:
    path = _write(env / "fp.csv", "household_id,month,gas_m3\nh1,2024-05,10\n")
    assert "city average" in zc("accounts", "household", "footprint", path, "--city-average", "0", code=2).stderr


def test_household_points_bad_as_of_exits_2(env: Path) -> None:
    path = _write(env / "events.csv", EVENTS)
    zc("accounts", "household", "points", path, "--as-of", "not-a-date", code=2)


# ------------------------------------------------------------------------------ Demo City
@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from zerocity.demo import build_demo_city

    directory = tmp_path_factory.mktemp("demo_city")
    build_demo_city().write(directory)
    return directory


@pytest.fixture(scope="module")
def demo_grades(demo_dir: Path) -> list[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("ZEROCITY_REGION", raising=False)
        args = ("--registry", demo_dir / "enterprises.csv", "--records", demo_dir / "records.csv")
        return zc_json("accounts", "enterprise", "grade", *args)


def test_demo_city_grades_spread_over_the_five_grades(demo_grades: list[dict[str, Any]], demo_dir: Path) -> None:
    import pandas as pd

    assert len(demo_grades) == 400
    assert {r["year"] for r in demo_grades} == {2024}
    counts: dict[int | None, int] = {}
    for r in demo_grades:
        counts[r["grade"]] = counts.get(r["grade"], 0) + 1
    assert {g for g in counts if g is not None} == {1, 2, 3, 4, 5}
    assert max((g for g in counts if g is not None), key=lambda g: counts[g]) == 3  # the middle grade is commonest
    # Only entities without output (closed plants) are not graded.
    ent = pd.read_csv(demo_dir / "enterprises.csv", dtype={"uscc": str})
    closed = set(ent.loc[ent["output_value_10k_yuan"] == 0, "uscc"])
    assert {r["uscc"] for r in demo_grades if r["grade"] is None} == closed
    for r in demo_grades:
        if r["grade"] is not None:
            assert r["grade"] == _grade(r["ratio"])
            assert r["colour"] == COLOURS[r["grade"]]
            assert 0 < r["percentile"] <= 100


def test_demo_city_show_and_export(env: Path, demo_dir: Path, demo_grades: list[dict[str, Any]]) -> None:
    args = ("--registry", demo_dir / "enterprises.csv", "--records", demo_dir / "records.csv")
    first = demo_grades[0]
    assert zc_json("accounts", "enterprise", "show", first["uscc"], *args) == first
    rows = json.loads(zc("accounts", "enterprise", "export", *args, "--no-ledger").stdout)
    assert [(r["uscc"], r["grade"]) for r in rows] == [(g["uscc"], g["grade"]) for g in demo_grades]
