"""MQTT ingest: payload forms, junk skipped without stalling, and the SIGKILL crash test.

Crash test: a worker subprocess (``python -m zerocity.cli_monitor mqtt-worker``) ingests into a
database while a publisher thread sends ``READINGS`` QoS-1 readings with unique ``(meter, ts)``
(single objects and lists). The worker is killed with SIGKILL three times at random moments
and restarted each time. Afterwards every reading is stored exactly once: the count and the sum
of values equal the published ones, and the rollup total equals the hand sum of emissions
(``value [kWh] / 1000 x 0.5306 t CO2/MWh``, factor ``CN-MEENBS-2025-47-2023-CN-CO2`` of
``factors/data/cn_mee_grid/factors.csv``).

A default Mosquitto keeps at most 1000 messages for an offline session, the ones in flight
included, and drops the rest. The worker here announces a Receive Maximum of 400 and the
publisher sends about 100 messages/s (lists of 1 to 8 readings), so each restart (a few
seconds on a loaded CI machine) stays well inside that budget; a production broker is
configured with a far larger ``max_queued_messages`` (see :mod:`zerocity.monitor.mqtt`).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import paho.mqtt.client as mqtt
import pandas as pd
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import Engine, func, select

from zerocity.monitor import MonitorError, MqttWorker, parse_message, rollup
from zerocity.store.db import session_scope
from zerocity.store.models import MeterReading

pytestmark = [pytest.mark.mqtt, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

GRID = 0.5306  # t CO2e per MWh
READINGS = 3000
METERS = 20
KILLS = 3
#: Seconds the publisher spreads the readings over.
PUBLISH_S = 8.0
TIMEOUT_S = 40.0


def _client(client_id: str) -> mqtt.Client:
    return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)


def _drop_session(host: str, port: int, client_id: str) -> None:
    """Remove a persistent session from the broker (clean start, expiry 0)."""
    client = _client(client_id)
    client.connect(host, port, clean_start=True)
    client.loop_start()
    time.sleep(0.2)
    client.disconnect()
    client.loop_stop()


def _create_session(host: str, port: int, client_id: str, topic: str) -> None:
    """Create the worker's persistent session with its subscription, so nothing published is lost."""
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    client = _client(client_id)
    done = threading.Event()
    client.on_subscribe = lambda *args: done.set()
    client.connect(host, port, clean_start=False, properties=props)
    client.loop_start()
    client.subscribe(topic, qos=1)
    assert done.wait(5), "broker did not confirm the subscription"
    client.disconnect()
    client.loop_stop()


def _meters(register) -> None:
    register([[f"m{i:02d}", f"E{i % 4}", "", "", "I.3.2", "electricity_grid", "kWh", "900", ""] for i in range(METERS)])


def _count_sum(engine: Engine) -> tuple[int, float]:
    with session_scope(engine) as session:
        n, total = session.execute(select(func.count(), func.sum(MeterReading.value))).one()
    return int(n), float(total or 0.0)


def test_parse_message_forms() -> None:
    assert parse_message("z/", "z/m1", b'{"ts": 1, "value": 2}') == [
        {"meter_id": "m1", "ts": 1, "value": 2, "unit": None}
    ]
    assert len(parse_message("z/", "z/m1", b'[{"ts": 1, "value": 2}, {"ts": 2, "value": 3, "unit": "MWh"}]')) == 2
    for topic, payload in [("y/m1", b"{}"), ("z/m1", b"not json"), ("z/m1", b"[1, 2]"), ("z/", b"{}")]:
        with pytest.raises(MonitorError):
            parse_message("z/", topic, payload)


def test_worker_stores_readings_and_skips_junk(monitor_db, register, mqtt_broker) -> None:
    host, port = mqtt_broker
    root, client_id = f"zctest-{uuid.uuid4().hex[:8]}", f"zctest-w-{uuid.uuid4().hex[:8]}"
    _meters(register)
    _create_session(host, port, client_id, f"{root}/#")
    publisher = _client(f"zctest-p-{uuid.uuid4().hex[:8]}")
    publisher.connect(host, port)
    publisher.loop_start()
    try:
        infos = [
            publisher.publish(f"{root}/m00", b"not json", qos=1),
            publisher.publish(f"{root}/unknown", json.dumps({"ts": 0, "value": 1}), qos=1),
            publisher.publish(f"{root}/m00", json.dumps({"ts": "2025-01-01T00:00:00Z", "value": 500}), qos=1),
            publisher.publish(
                f"{root}/m01",
                json.dumps([{"ts": 1735689600, "value": 1, "unit": "MWh"}, {"ts": 1735690500, "value": 250}]),
                qos=1,
            ),
            publisher.publish(f"{root}/m00", json.dumps({"ts": "2025-01-01T00:00:00Z", "value": 500}), qos=1),
        ]
        for info in infos:
            info.wait_for_publish(5)
        worker = MqttWorker(monitor_db, host=host, port=port, topic_root=f"{root}/#", client_id=client_id)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        deadline = time.monotonic() + 15
        while _count_sum(monitor_db)[0] < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        thread.join(10)
        assert not thread.is_alive()
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        _drop_session(host, port, client_id)
    # 500 kWh + 1 MWh (as 1000 kWh-equivalent quantity) + 250 kWh; the repeated reading counted once.
    n, total = _count_sum(monitor_db)
    assert (n, total) == (3, 500.0 + 1.0 + 250.0)
    with session_scope(monitor_db) as session:
        quantity = session.scalar(select(func.sum(MeterReading.quantity)))
    assert quantity == pytest.approx(0.5 + 1.0 + 0.25, rel=1e-12)  # [MWh]


def _messages(readings: list[tuple[str, int, float]], rng: random.Random) -> list[tuple[str, list[dict[str, float]]]]:
    """The readings cut into messages of 1 to 5 readings of one meter, in random order."""
    by_meter: dict[str, list[tuple[str, int, float]]] = {}
    for reading in readings:
        by_meter.setdefault(reading[0], []).append(reading)
    messages = []
    for meter, rows in by_meter.items():
        i = 0
        while i < len(rows):
            size = rng.choice([1, 2, 3, 5, 8])
            messages.append((meter, [{"ts": ts, "value": value} for _, ts, value in rows[i : i + size]]))
            i += size
    rng.shuffle(messages)
    return messages


class _Publisher(threading.Thread):
    """Publishes the messages at a steady pace, then waits for every broker PUBACK."""

    def __init__(self, host: str, port: int, root: str, messages: list[tuple[str, list[dict[str, float]]]]) -> None:
        super().__init__(daemon=True)
        self.host, self.port, self.root, self.messages = host, port, root, messages
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            client = _client(f"zctest-p-{uuid.uuid4().hex[:8]}")
            client.max_queued_messages_set(0)
            client.connect(self.host, self.port)
            client.loop_start()
            infos = []
            start = time.monotonic()
            for i, (meter, payload) in enumerate(self.messages):
                body = json.dumps(payload[0] if len(payload) == 1 else payload)
                infos.append(client.publish(f"{self.root}/{meter}", body, qos=1))
                lag = start + PUBLISH_S * (i + 1) / len(self.messages) - time.monotonic()
                if lag > 0:
                    time.sleep(lag)
            for info in infos:
                info.wait_for_publish(20)
                if not info.is_published():
                    raise RuntimeError(f"message {info.mid} not acknowledged by the broker")
            client.disconnect()
            client.loop_stop()
        except BaseException as exc:  # reported by the test thread
            self.error = exc


def _start_worker(url: str, root: str, client_id: str, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "zerocity.cli_monitor",
        "mqtt-worker",
        "--topic-root",
        f"{root}/#",
        "--client-id",
        client_id,
        "--batch-size",
        "200",
        "--receive-maximum",
        "400",
        "--database-url",
        url,
    ]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _wait_connected(log: Path, connections: int, timeout: float = 20.0) -> None:
    """Wait until the worker log shows ``connections`` broker connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count("connected to ") >= connections:
            return
        time.sleep(0.02)
    raise AssertionError(f"worker did not connect in {timeout} s:\n{log.read_text() if log.exists() else ''}")


def test_sigkill_crash_loses_nothing_and_counts_nothing_twice(monitor_db, register, mqtt_broker, tmp_path) -> None:
    host, port = mqtt_broker
    seed = int(time.time())
    rng = random.Random(seed)
    root, client_id = f"zctest-{uuid.uuid4().hex[:8]}", f"zctest-w-{uuid.uuid4().hex[:8]}"
    _meters(register)
    # Unique (meter, ts); values in whole kWh so the float sums are exact.
    readings = [
        (f"m{i % METERS:02d}", 1735689600 + 900 * (i // METERS), float(1 + (i * 7919) % 100)) for i in range(READINGS)
    ]
    hand_sum = sum(v for _, _, v in readings)
    url = monitor_db.url.render_as_string(hide_password=False)
    log = tmp_path / "worker.log"
    _create_session(host, port, client_id, f"{root}/#")
    worker = _start_worker(url, root, client_id, log)
    publisher = _Publisher(host, port, root, _messages(readings, rng))
    kills = 0
    try:
        publisher.start()
        for connections in range(1, KILLS + 1):
            # Kill at a random moment while the worker is connected and ingesting (a kill during
            # start-up tests nothing and only lengthens the broker's offline queue).
            _wait_connected(log, connections)
            time.sleep(rng.uniform(0.05, 1.5))
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            kills += 1
            worker = _start_worker(url, root, client_id, log)
        publisher.join(30)
        assert publisher.error is None, publisher.error
        assert not publisher.is_alive()
        _wait_connected(log, KILLS + 1)
        deadline = time.monotonic() + TIMEOUT_S
        while _count_sum(monitor_db)[0] < READINGS and time.monotonic() < deadline:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(0.5)  # anything still redelivered must be ignored
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(15) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        _drop_session(host, port, client_id)
    assert kills == KILLS
    n, total = _count_sum(monitor_db)
    with session_scope(monitor_db) as session:
        stored = set(session.execute(select(MeterReading.meter_id, MeterReading.ts)).all())
    missing = [r for r in readings if (r[0], r[1]) not in stored]
    assert (n, total) == (READINGS, hand_sum), (
        f"seed {seed}: {len(missing)} missing, e.g. {missing[:5]}; worker log:\n{log.read_text()[-3000:]}"
    )
    frame = rollup(
        monitor_db,
        level="day",
        by="entity",
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2025, 1, 3, tzinfo=UTC),
    )
    assert int(frame["readings"].sum()) == READINGS
    assert float(frame["quantity"].sum()) == pytest.approx(hand_sum / 1000.0, rel=1e-12)
    assert float(frame["tco2e"].sum()) == pytest.approx(hand_sum / 1000.0 * GRID, rel=1e-12)
    by_entity = frame.groupby("group")["readings"].sum()
    assert by_entity.to_dict() == {f"E{k}": READINGS // 4 for k in range(4)}
    assert isinstance(frame, pd.DataFrame)


def test_shared_subscription_splits_messages_between_workers(monitor_db, register, mqtt_broker) -> None:
    """Two workers of one $share group: every message stored once, each worker took a part."""
    host, port = mqtt_broker
    root, group = f"zctest-{uuid.uuid4().hex[:8]}", f"g{uuid.uuid4().hex[:6]}"
    ids = [f"zctest-s{k}-{uuid.uuid4().hex[:8]}" for k in range(2)]
    _meters(register)
    for client_id in ids:
        _create_session(host, port, client_id, f"$share/{group}/{root}/#")
    n = 400
    publisher = _client(f"zctest-p-{uuid.uuid4().hex[:8]}")
    publisher.connect(host, port)
    publisher.loop_start()
    workers = [
        MqttWorker(monitor_db, host=host, port=port, topic_root=f"{root}/#", client_id=c, shared_group=group)
        for c in ids
    ]
    stop = threading.Event()
    threads = [threading.Thread(target=w.run, args=(stop,), daemon=True) for w in workers]
    try:
        infos = [
            publisher.publish(f"{root}/m{i % METERS:02d}", json.dumps({"ts": 1735689600 + 900 * i, "value": 1}), qos=1)
            for i in range(n)
        ]
        for info in infos:
            info.wait_for_publish(10)
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 30
        while _count_sum(monitor_db)[0] < n and time.monotonic() < deadline:
            time.sleep(0.1)
        stop.set()
        for thread in threads:
            thread.join(10)
    finally:
        publisher.disconnect()
        publisher.loop_stop()
        for client_id in ids:
            _drop_session(host, port, client_id)
    assert _count_sum(monitor_db) == (n, float(n))
    assert sum(w.stored for w in workers) == n  # none stored twice
    assert all(w.stored > 0 for w in workers), [w.stored for w in workers]


@pytest.mark.parametrize("group", ["", "a/b", "x+", "#"])
def test_shared_group_must_be_a_plain_name(monitor_db, group: str) -> None:
    with pytest.raises(MonitorError, match="shared group"):
        MqttWorker(monitor_db, topic_root="z/#", shared_group=group)
