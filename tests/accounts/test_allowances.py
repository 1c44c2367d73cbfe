"""Quotas and allowances (:mod:`zerocity.accounts.allowances`).

* Quotas: consumption, linear and seasonal projections and crossing dates, worked by hand on
  synthetic monthly and 15-minute data (2024 is a leap year: 366 days).
* Allowances on the ledger: issue/transfer/surrender entries, balances replayed, never negative,
  two concurrent transfers of the same units (own engines, threads): exactly one lands.
"""

from __future__ import annotations

import hashlib
import threading
from decimal import Decimal

import pandas as pd
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from zerocity.accounts.allowances import (
    AllowanceError,
    allowance_balances,
    issue_allowances,
    project_quotas,
    surrender_allowances,
    transfer_allowances,
)
from zerocity.errors import InvalidRecordsError
from zerocity.ledger.log import Ledger

PLATFORM = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"zerocity-accounts-platform").digest())
JAN1 = pd.Timestamp("2024-01-01")


def _monthly(entity: str, months: list[str], amounts: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"entity": entity, "time": months, "amount": amounts})


# ------------------------------------------------------------------------------------------ quotas
def test_linear_projection_and_crossing_dates_by_hand() -> None:
    usage = _monthly("A", ["2024-01", "2024-02", "2024-03"], [10.0, 10.0, 10.0])
    q = project_quotas(pd.DataFrame({"entity": ["A"], "quota": [100.0]}), usage).iloc[0]
    # Consumed 30 by 1 April = day 91 of 366: P = 30 * 366 / 91 = 120.66; rate 30/91 per day.
    assert q["consumed"] == 30.0
    assert q["method"] == "linear"
    assert q["as_of"] == pd.Timestamp("2024-04-01")
    assert q["projected"] == pytest.approx(30 * 366 / 91)
    # 80 %: day 91 + 50 / (30/91) = 242.67 -> 30 August; 100 %: 91 + 70 * 91 / 30 = 303.33 -> 30 October.
    assert q["crosses_80"] == JAN1 + pd.Timedelta(days=242)
    assert q["crosses_100"] == JAN1 + pd.Timedelta(days=303)
    assert q["status"] == "projected 100%"


def test_seasonal_projection_uses_last_years_profile() -> None:
    months_23 = [f"2023-{m:02d}" for m in range(1, 13)]
    last = _monthly("A", months_23, [5.0] * 6 + [15.0] * 6)  # 120 in 2023, 15 of it by end of March
    now = _monthly("A", ["2024-01", "2024-02", "2024-03"], [6.0, 6.0, 6.0])
    q = project_quotas(pd.DataFrame({"entity": ["A"], "quota": [200.0]}), pd.concat([last, now])).iloc[0]
    # Share of 2023 use before 1 April = 15 / 120 = 0.125: P = 18 / 0.125 = 144 (linear would say 72.4).
    assert q["method"] == "seasonal"
    assert q["projected"] == pytest.approx(144.0)
    assert q["status"] == "ok"
    assert pd.isna(q["crosses_80"])
    # Quota 150: 80 % = 120 is crossed when 18 + 126 * (cum_2023 - 15) / 105 >= 120, i.e. cum_2023 >= 100:
    # 2023 reaches 90 at end of October and 100 two thirds into November (day 304 + 20 = 324).
    q2 = project_quotas(pd.DataFrame({"entity": ["A"], "quota": [150.0]}), pd.concat([last, now])).iloc[0]
    assert q2["status"] == "projected 80%"
    assert abs((q2["crosses_80"] - (JAN1 + pd.Timedelta(days=324))).days) <= 1


def test_threshold_already_reached_is_dated_from_the_data() -> None:
    usage = _monthly("A", ["2024-01", "2024-02"], [60.0, 30.0])
    q = project_quotas(pd.DataFrame({"entity": ["A"], "quota": [100.0]}), usage).iloc[0]
    # 80 % = 80 reached with February's reading (cumulative 90), which ends on 1 March.
    assert q["crosses_80"] == pd.Timestamp("2024-03-01")
    assert q["status"] == "projected 100%"  # 90 in 60 days of 366: P = 549
    q = project_quotas(pd.DataFrame({"entity": ["A"], "quota": [80.0]}), usage).iloc[0]
    assert q["status"] == "reached 100%"
    assert q["crosses_100"] == pd.Timestamp("2024-03-01")


def test_fifteen_minute_readings_and_custom_thresholds() -> None:
    times = pd.date_range("2024-01-01", periods=10 * 96, freq="15min")
    usage = pd.DataFrame({"entity": "B", "time": times.astype(str), "amount": 0.01})
    q = project_quotas(pd.DataFrame({"entity": ["B"], "quota": [1000.0]}), usage, thresholds=[0.5]).iloc[0]
    # 960 readings of 0.01 = 9.6 by 11 January 00:00 (10 days of 366): P = 9.6 * 36.6 = 351.36.
    assert q["consumed"] == pytest.approx(9.6)
    assert q["projected"] == pytest.approx(351.36)
    assert "crosses_50" in q.index and q["status"] == "ok"


def test_entities_without_usage_and_bad_rows() -> None:
    usage = _monthly("A", ["2024-01"], [1.0])
    q = project_quotas(pd.DataFrame({"entity": ["A", "Z"], "quota": [10.0, 10.0]}), usage)
    assert q.loc[1, "method"] == "no data" and q.loc[1, "consumed"] == 0.0
    with pytest.raises(InvalidRecordsError) as info:
        project_quotas(pd.DataFrame({"entity": ["A"], "quota": [1.0]}), _monthly("A", ["2024-13x", "2024-01"], [1, -1]))
    assert {(i.row, i.column) for i in info.value.issues} == {(1, "time"), (2, "amount")}


# ------------------------------------------------------------------------------------- allowances
def _ledger(engine: Engine) -> Ledger:
    return Ledger(engine, platform_key=PLATFORM)


def test_movements_are_entries_and_balances_replay(db_engine: Engine) -> None:
    ledger = _ledger(db_engine)
    issue_allowances(ledger, actor="city_admin", pool="CEA-2024", to="A", amount=100)
    issue_allowances(ledger, actor="platform", pool="CEA-2024", to="B", amount="50.5")
    transfer_allowances(ledger, actor="A", pool="CEA-2024", source="A", to="B", amount=30)
    surrender_allowances(ledger, actor="B", pool="CEA-2024", source="B", amount="80.5", period="2024")
    bal = allowance_balances(ledger, "CEA-2024")
    assert bal == {"A": Decimal(70), "B": Decimal(0), "surrendered": Decimal("80.5")}
    types = [e.type for e in ledger.entries(type_prefix="allowance.")]
    assert types == ["allowance.issued", "allowance.issued", "allowance.transferred", "allowance.surrendered"]
    assert allowance_balances(ledger, "other-pool") == {}


def test_a_movement_that_would_go_negative_is_refused_and_appends_nothing(db_engine: Engine) -> None:
    ledger = _ledger(db_engine)
    issue_allowances(ledger, actor="city_admin", pool="P", to="A", amount=10)
    size = ledger.size()
    with pytest.raises(AllowanceError, match="balance is 10"):
        transfer_allowances(ledger, actor="A", pool="P", source="A", to="B", amount="10.000001")
    with pytest.raises(AllowanceError, match="balance is 0"):
        surrender_allowances(ledger, actor="B", pool="P", source="B", amount=1, period="2024")
    with pytest.raises(AllowanceError, match="only the platform"):
        issue_allowances(ledger, actor="A", pool="P", to="A", amount=1)
    with pytest.raises(AllowanceError, match="positive"):
        transfer_allowances(ledger, actor="A", pool="P", source="A", to="B", amount=-1)
    with pytest.raises(AllowanceError, match="pseudo-account"):
        transfer_allowances(ledger, actor="x", pool="P", source="surrendered", to="B", amount=1)
    assert ledger.size() == size


def test_concurrent_transfers_cannot_spend_the_same_units(db_engine: Engine) -> None:
    issue_allowances(_ledger(db_engine), actor="city_admin", pool="P", to="A", amount=100)
    url = db_engine.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(target: str) -> None:
        from zerocity.store.db import get_engine

        own = get_engine(url)
        try:
            barrier.wait()
            transfer_allowances(_ledger(own), actor="A", pool="P", source="A", to=target, amount=60)
            outcomes.append("ok")
        except AllowanceError:
            outcomes.append("refused")
        finally:
            own.dispose()

    threads = [threading.Thread(target=work, args=(t,)) for t in ("B", "C")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "refused"]
    bal = allowance_balances(_ledger(db_engine), "P")
    assert bal["A"] == Decimal(40)
    assert min(bal.values()) >= 0
