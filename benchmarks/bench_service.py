"""Load benchmark of the platform service (issue 10): ingest rates and dashboard latency.

Reproducible end to end on one machine, against real processes:

1. ``zerocity serve`` (uvicorn) on a fresh data directory with a tenant, an API key and 1,000
   registered meters;
2. **HTTP batches**: two client threads POST pre-encoded JSON batches of 20,000 new readings to
   ``/api/v1/monitor/readings`` for ``ZEROCITY_BENCH_SECONDS`` (default 20) seconds; the figure
   is readings stored (counted in the database afterwards) per second of wall time;
3. **MQTT**: a private Mosquitto (``max_queued_messages`` raised, as docs/service.md requires for
   production) and ``zerocity monitor mqtt-worker``; a publisher sends one QoS-1 reading per
   message; the figure is messages stored per second from the first publish until the last
   reading is in the database;
4. **Dashboard queries**: ``wrk`` with 50 connections for the same time against the live view,
   a day rollup by district and the inventory list (round robin); the figure is wrk's p99.

Targets: >= 50,000 readings/s (HTTP), >= 10,000 messages/s (MQTT), p99 < 100 ms at 50 users.
Needs ``mosquitto`` and ``wrk`` (Debian packages) on the PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("ZEROCITY_BENCH_SECONDS", "20"))
METERS = 1000
#: Readings per HTTP request: one gateway's quarter-hour of 20,000 meters.
BATCH = 20_000
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
#: Concurrent HTTP clients (gateways) posting batches.
HTTP_CLIENTS = 2
#: Think time of a dashboard user between an answer and the next query [ms] (uniform).
THINK_MS = (500, 1500)
#: MQTT worker processes (members of one shared subscription when more than one).
WORKERS_MQTT = int(os.environ.get("ZEROCITY_BENCH_MQTT_WORKERS", "2"))
#: The queries a dashboard page makes (round robin under wrk).
DASHBOARD_PATHS = [
    "/api/v1/monitor/live",
    f"/api/v1/monitor/rollups?level=day&by=district&start={T0}",
    "/api/v1/inventories",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _zc(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(BIN / "zerocity"), *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"zerocity {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def _wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def _count(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute("SELECT count(*) FROM meter_readings").fetchone()[0])


def _bodies(n: int, offset: int) -> list[bytes]:
    """``n`` JSON batches of ``BATCH`` readings, every (meter, ts) new (15-minute steps)."""
    out = []
    for b in range(n):
        base = offset + b * (BATCH // METERS)
        rows = [
            {"meter_id": f"m{m:04d}", "ts": T0 + 900 * (base + k), "value": 1.0 + (m % 7)}
            for k in range(BATCH // METERS)
            for m in range(METERS)
        ]
        out.append(json.dumps(rows).encode())
    return out


def bench_http(base: str, key: str, db: Path) -> float:
    bodies = _bodies(int(SECONDS * 6) + 8, 0)  # more than the clients can send in SECONDS
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS
    errors: list[str] = []

    def client() -> None:
        # A new connection per batch (no keep-alive), as a gateway posting every few seconds makes:
        # the server workers then share the batches instead of each serving the connections it
        # happened to accept (two kept-alive connections on one of two workers halve the rate).
        headers = {"X-API-Key": key, "Content-Type": "application/json"}
        with httpx.Client(base_url=base, headers=headers, limits=httpx.Limits(max_keepalive_connections=0)) as c:
            while time.monotonic() < stop:
                with lock:
                    if not bodies:
                        return
                    body = bodies.pop()
                r = c.post("/api/v1/monitor/readings", content=body, timeout=60)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:200]}")
                    return

    before = _count(db)
    start = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(HTTP_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    if errors:
        raise RuntimeError(f"HTTP ingest failed: {errors[0]}")
    return (_count(db) - before) / elapsed


class RawPublisher:
    """A minimal MQTT 3.1.1 QoS-1 publisher over a plain socket (the load generator).

    paho's Python client spends about 100 us per message, so on a 2-core machine it, not the
    broker or the worker under test, limited the rate to ~7,000 messages/s. Here the PUBLISH
    packets are encoded before the clock starts and written in large chunks; a reader thread
    counts PUBACKs, and at most ``window`` messages are unacknowledged (packet ids are reused
    only after their PUBACK: ``window`` < 65,535). Nothing is sent at QoS 0.
    """

    def __init__(self, host: str, port: int, *, window: int = 20_000, client_id: str = "bench-publisher") -> None:
        self.window = window
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cid = client_id.encode()
        # CONNECT: protocol "MQTT" level 4, clean session, keep-alive 600 s
        body = b"\x00\x04MQTT\x04\x02" + (600).to_bytes(2, "big") + len(cid).to_bytes(2, "big") + cid
        self.sock.sendall(b"\x10" + self._length(len(body)) + body)
        connack = self._read(4)
        if connack[0] != 0x20 or connack[3] != 0:
            raise RuntimeError(f"MQTT CONNECT refused: {connack!r}")
        self.acked = 0
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read_acks, daemon=True)
        self._reader.start()

    @staticmethod
    def _length(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n % 128, n // 128
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("MQTT broker closed the connection")
            data += chunk
        return data

    def _read_acks(self) -> None:
        pending = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            pending += chunk
            whole = len(pending) // 4  # a PUBACK is 4 bytes: 0x40 0x02 id
            if whole:
                if any(pending[4 * k] != 0x40 for k in range(whole)):
                    raise RuntimeError("unexpected packet from the broker")
                pending = pending[4 * whole :]
                with self._cond:
                    self.acked += whole
                    self._cond.notify_all()

    def publish_all(self, messages: list[tuple[str, bytes]], chunk: int = 2_000) -> None:
        """Publish ``(topic, payload)`` messages at QoS 1 and wait until the broker acknowledged all."""
        packets = []
        for i, (topic, payload) in enumerate(messages):
            t = topic.encode()
            body = len(t).to_bytes(2, "big") + t + (i % 65_535 + 1).to_bytes(2, "big") + payload
            packets.append(b"\x32" + self._length(len(body)) + body)
        base = self.acked
        for lo in range(0, len(packets), chunk):
            with self._cond:
                while lo - (self.acked - base) > self.window - chunk:
                    self._cond.wait(1.0)
            self.sock.sendall(b"".join(packets[lo : lo + chunk]))
        with self._cond:
            while self.acked - base < len(packets):
                if not self._cond.wait(60.0):
                    raise RuntimeError(f"broker acknowledged {self.acked - base} of {len(packets)} messages")

    def close(self) -> None:
        try:
            self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        finally:
            self.sock.close()


def bench_mqtt(env: dict[str, str], db: Path, work: Path) -> float:
    import paho.mqtt.client as mqtt

    port = _free_port()
    conf = work / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 10000000\n"
        "max_inflight_messages 0\npersistence false\n"
    )
    broker_log = (work / "mosquitto.log").open("wb")
    broker = subprocess.Popen(["mosquitto", "-v", "-c", str(conf)], stdout=broker_log, stderr=subprocess.STDOUT)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        time.sleep(0.5)
        shared = WORKERS_MQTT > 1
        workers = [
            subprocess.Popen(
                [
                    str(BIN / "zerocity"),
                    "monitor",
                    "mqtt-worker",
                    "--topic-root",
                    "bench/#",
                    "--port",
                    str(port),
                    "--client-id",
                    f"bench-worker-{k}",
                    *(["--shared-group", "bench"] if shared else []),
                    "--batch-size",
                    os.environ.get("ZEROCITY_BENCH_MQTT_BATCH", "2000"),
                    "--receive-maximum",
                    os.environ.get("ZEROCITY_BENCH_MQTT_RECEIVE", "10000"),
                    "--database-url",
                    f"sqlite:///{db.as_posix()}",
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=(work / f"worker{k}.log").open("wb"),
            )
            for k in range(WORKERS_MQTT)
        ]
        n = int(10_000 * SECONDS)
        probe = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-probe")
        probe.connect("127.0.0.1", port)
        probe.loop_start()
        # Messages published before the worker has subscribed go to no one: probe until one is stored.
        before = _count(db)
        deadline = time.monotonic() + 60
        while _count(db) == before:
            if time.monotonic() > deadline:
                raise RuntimeError("the MQTT worker did not store a probe reading within 60 s")
            probe.publish("bench/m0000", f'{{"ts": {T0 - 900}, "value": 0.0}}', qos=1).wait_for_publish(5)
            time.sleep(0.5)
        probe.loop_stop()
        probe.disconnect()
        time.sleep(1.0)  # every worker of the shared group subscribed
        t_base = T0 + 86400 * 400  # after the HTTP readings
        messages = [
            (f"bench/m{i % METERS:04d}", f'{{"ts": {t_base + 900 * (i // METERS)}, "value": 1.5}}'.encode())
            for i in range(n)
        ]
        publisher = RawPublisher("127.0.0.1", port)
        before = _count(db)
        start = time.monotonic()
        publisher.publish_all(messages)
        published = time.monotonic() - start
        deadline = time.monotonic() + float(os.environ.get("ZEROCITY_BENCH_MQTT_WAIT", "120"))
        # count(*) scans the table: poll every 0.25 s so the bench does not slow the worker down
        while _count(db) - before < n and time.monotonic() < deadline:
            time.sleep(0.25)
        elapsed = time.monotonic() - start
        stored = _count(db) - before
        publisher.close()
        print(
            f"  MQTT: {n:,} messages published (all acknowledged by the broker) in {published:.1f} s; "
            f"{stored:,} stored after {elapsed:.1f} s"
        )
        if stored < n:
            log = (work / "worker0.log").read_text(errors="replace")[-2000:]
            dropped = (work / "mosquitto.log").read_text(errors="replace").count("dropp")
            raise RuntimeError(
                f"MQTT: only {stored:,} of {n:,} messages stored; broker drop lines {dropped}; worker log tail:\n{log}"
            )
        return stored / elapsed
    finally:
        for p in (*workers, broker):
            if p is not None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()


def bench_dashboard(
    base: str, token: str, inventory_paths: list[str], *, think_ms: tuple[int, int] | None = None
) -> dict[str, float]:
    """wrk with 50 connections; with ``think_ms``, each connection waits a uniform random time in
    that range [ms] after each answer (a user reading the page), else it sends at once (saturation).
    """
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian package wrk)")
    paths = [*DASHBOARD_PATHS, *inventory_paths]
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    lua_paths = ", ".join(f'"{p}"' for p in paths)
    script.write_text(
        f"local paths = {{{lua_paths}}}\nlocal i = 0\n"
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        'request = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n'
        + (f"delay = function()\n  return math.random({think_ms[0]}, {think_ms[1]})\nend\n" if think_ms else "")
        + "response = function(status, headers, body)\n  if status ~= 200 then\n"
        '    io.stderr:write("status " .. status .. "\\n")\n  end\nend\n'
    )
    done = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{int(SECONDS)}s", "--latency", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    )
    script.unlink()
    if "status " in done.stderr:
        raise RuntimeError(f"dashboard queries failed: {done.stderr[:300]}")
    out = done.stdout

    def ms(label: str) -> float:
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if not m:
            raise RuntimeError(f"no {label} in wrk output:\n{out}")
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"p50_ms": ms("50%"), "p99_ms": ms("99%"), "requests_per_s": rps}


def bench_rollup_table() -> tuple[float, float, int]:
    """A day rollup by district over a year: from ``meter_rollups_hour`` and from the readings.

    In process, on a fresh SQLite file: 100 meters in 10 districts, one reading per hour for a
    year (876,000 readings). Returns (table ms, readings ms, rows), best of three each.
    """
    from datetime import UTC, datetime

    import pandas as pd

    from zerocity.monitor import Ingestor, import_meters, readings_frame, rollup, validate_meters
    from zerocity.monitor.rollups import GroupBy, _raw_sums
    from zerocity.store.db import get_engine, session_scope, upgrade

    folder = Path(tempfile.mkdtemp(prefix="zc_bench_rollup_"))
    try:
        engine = get_engine(f"sqlite:///{(folder / 'r.sqlite').as_posix()}")
        upgrade(engine)
        columns = ["meter_id", "entity", "district", "sector", "gpc_ref", "carrier", "unit", "interval_s", "region"]
        registry = pd.DataFrame(
            [
                [f"m{m:03d}", f"E{m:03d}", f"D{m % 10}", "industry", "I.3.2", "electricity_grid", "kWh", "3600", "CN"]
                for m in range(100)
            ],
            columns=columns,
        )
        with session_scope(engine) as session:
            import_meters(session, validate_meters(registry))
        ingestor = Ingestor(engine)
        for day in range(0, 365, 30):
            rows = [
                {"meter_id": f"m{m:03d}", "ts": T0 + 3600 * h, "value": 1.0 + m % 7}
                for h in range(24 * day, 24 * min(day + 30, 365))
                for m in range(100)
            ]
            ingestor.ingest(readings_frame(rows))
        start, end = datetime.fromtimestamp(T0, UTC), datetime.fromtimestamp(T0 + 365 * 86400, UTC)
        timings = []
        for _ in range(3):
            t = time.perf_counter()
            frame = rollup(engine, level="day", by="district", start=start, end=end)
            timings.append(time.perf_counter() - t)
        raw = []
        for _ in range(3):
            t = time.perf_counter()
            with session_scope(engine) as session:
                _raw_sums(session, by=GroupBy.DISTRICT, width=86400, offset=0, lo=T0, hi=T0 + 365 * 86400)
            raw.append(time.perf_counter() - t)
        engine.dispose()
        return 1000 * min(timings), 1000 * min(raw), len(frame)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="zc_bench_service_"))
    env = {**os.environ, "ZEROCITY_DATA_DIR": str(work), "ZEROCITY_JWT_SECRET": "b" * 48}
    env.pop("ZEROCITY_DATABASE_URL", None)
    server = None
    try:
        _zc(env, "service", "tenant", "create", "bench", "--name", "Bench City")
        _zc(
            env,
            "service",
            "user",
            "create",
            "admin",
            "--role",
            "city_admin",
            "--tenant",
            "bench",
            stdin="bench-password-1\nbench-password-1\n",
        )
        key = _zc(env, "service", "apikey", "create", "--tenant", "bench", "--name", "gateway", "--role", "city_admin")
        key = re.search(r"(zck_[A-Za-z0-9_\-]+)", key).group(1)  # type: ignore[union-attr]
        db = work / "tenants" / "bench.sqlite"
        meters = work / "meters.csv"
        meters.write_text(
            "meter_id,entity,district,sector,gpc_ref,carrier,unit,interval_s,region\n"
            + "".join(
                f"m{m:04d},E{m % 50:02d},D{m % 10},industry,I.3.2,electricity_grid,kWh,900,CN\n" for m in range(METERS)
            )
        )
        _zc(env, "monitor", "meters", "import", str(meters), "--database-url", f"sqlite:///{db.as_posix()}")
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        workers = os.environ.get("ZEROCITY_BENCH_WORKERS", "2")
        server = subprocess.Popen(
            [str(BIN / "zerocity"), "serve", "--port", str(port), "--workers", workers, "--log-level", "warning"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_http(f"{base}/api/v1/health")
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "admin", "password": "bench-password-1"}
        ).json()["access_token"]

        table_ms, raw_ms, rows = bench_rollup_table()
        print(
            f"Day rollup by district over a year (876,000 readings, {rows} rows): {table_ms:.0f} ms from the "
            f"hourly table, {raw_ms:.0f} ms summed from the readings ({raw_ms / table_ms:.0f}x)"
        )
        rate = bench_http(base, key, db)
        print(
            f"HTTP batches: {rate:,.0f} readings/s stored (target >= 50,000; {BATCH:,} per request, "
            f"{HTTP_CLIENTS} clients, {workers} server workers)"
        )
        mqtt_rate = bench_mqtt(env, db, work)
        print(
            f"MQTT: {mqtt_rate:,.0f} messages/s stored (target >= 10,000; one reading per QoS-1 message, "
            f"{WORKERS_MQTT} worker process(es))"
        )
        for path in DASHBOARD_PATHS:
            t = time.monotonic()
            r = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60)
            print(f"  single GET {path}: {r.status_code} in {1000 * (time.monotonic() - t):.0f} ms")
        users = bench_dashboard(base, token, [], think_ms=THINK_MS)
        print(
            f"Dashboard, 50 users (each waits {THINK_MS[0]}-{THINK_MS[1]} ms after an answer): "
            f"p50 {users['p50_ms']:.1f} ms, p99 {users['p99_ms']:.1f} ms (target < 100 ms), "
            f"{users['requests_per_s']:,.0f} requests/s; {_count(db):,} readings in the database"
        )
        lat = bench_dashboard(base, token, [])
        print(
            f"Dashboard saturation, 50 connections sending back to back: p50 {lat['p50_ms']:.1f} ms, "
            f"p99 {lat['p99_ms']:.1f} ms, {lat['requests_per_s']:,.0f} requests/s (capacity; latency = 50 / rate)"
        )
    finally:
        if server is not None:
            server.send_signal(signal.SIGINT)
            try:
                _, log = server.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                _, log = server.communicate()
            if server.returncode not in (0, -signal.SIGINT) or "Traceback" in (log or b"").decode(errors="replace"):
                print("server log (tail):\n" + (log or b"").decode(errors="replace")[-3000:])
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
