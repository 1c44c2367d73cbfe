"""MQTT ingest worker: QoS 1, persistent session, acknowledgement only after the commit.

Topic layout ``<root>/<meter_id>``; the payload is one JSON reading ``{"ts": ..., "value": ...,
"unit": ...}`` (``unit`` optional) or a JSON list of them. The worker subscribes to
``<root>/#`` and:

* connects with MQTT v5, a fixed client id, ``clean_start=False`` and a session that does not
  expire, so the broker keeps every message the worker has not acknowledged, across crashes;
* receives with ``manual_ack=True``: paho sends no PUBACK by itself;
* buffers messages and commits them in batches (every ``batch_size`` messages or
  ``flush_interval_s`` seconds) through :class:`zerocity.monitor.ingest.Ingestor`, then sends
  the PUBACKs of the batch, in the order received.

A crash after the commit and before the PUBACKs makes the broker redeliver messages already
stored; the ``(meter_id, ts)`` key ignores them, so nothing is counted twice. A crash before the
commit loses nothing the broker considers delivered. Messages that cannot be parsed, and readings
that fail validation (unknown meter, bad value), are logged and acknowledged: redelivering them
would not make them valid.

Broker limits: the worker announces a Receive Maximum (``receive_maximum``, default 1000) so
the broker keeps up to that many unacknowledged messages in flight, and commits every
``batch_size`` (default 500) messages, so the broker sends the next batch while one commits.
While the worker is away, Mosquitto holds at most ``max_queued_messages`` messages for it
(default 1000, and the messages that were in flight count against it) and drops the rest
("Outgoing messages are being dropped" in its log): raise it (e.g. ``max_queued_messages
1000000``) on a production broker, where a worker restart at 10,000 messages/s takes longer
than the default allows.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
import pandas as pd
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from zerocity.monitor.ingest import READING_COLUMNS, Ingestor
from zerocity.monitor.registry import MonitorError

__all__ = ["MqttWorker", "parse_message", "topic_prefix"]

logger = logging.getLogger(__name__)

#: Session Expiry Interval meaning "never expires" (MQTT v5, 3.1.2.11.2).
SESSION_NEVER_EXPIRES = 0xFFFFFFFF


def topic_prefix(topic_root: str) -> str:
    """The prefix of meter topics for a root given as ``zerocity`` or ``zerocity/#``."""
    root = topic_root.rstrip("#").rstrip("/")
    if not root or "+" in root or "#" in root:
        raise MonitorError(f"topic root must be a plain topic such as 'zerocity/#', got {topic_root!r}")
    return root + "/"


def parse_message(prefix: str, topic: str, payload: bytes | bytearray) -> list[dict[str, Any]]:
    """The readings of one message.

    Parameters
    ----------
    prefix : str
        Topic prefix (:func:`topic_prefix`).
    topic : str
        Topic of the message, ``<prefix><meter_id>``.
    payload : bytes
        UTF-8 JSON: an object or a list of objects with ``ts``, ``value`` and optional ``unit``.

    Returns
    -------
    list of dict
        Readings with ``meter_id`` taken from the topic.

    Raises
    ------
    MonitorError
        Topic outside the prefix, payload not JSON, or not an object or a list of objects.
    """
    if not topic.startswith(prefix) or len(topic) == len(prefix):
        raise MonitorError(f"topic {topic!r} is not <root>/<meter_id> under {prefix!r}")
    meter_id = topic[len(prefix) :]
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MonitorError(f"topic {topic!r}: payload is not JSON: {exc}") from exc
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(item, dict) for item in items):
        raise MonitorError(f"topic {topic!r}: payload must be a JSON object or a list of objects")
    return [{"meter_id": meter_id, "ts": i.get("ts"), "value": i.get("value"), "unit": i.get("unit")} for i in items]


@dataclass
class _Pending:
    mid: int
    qos: int
    generation: int
    readings: list[dict[str, Any]]
    received: float


class MqttWorker:
    """Subscribes to meter topics and stores readings before acknowledging them.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Tenant database (migrated).
    host, port : str, int
        Broker address.
    topic_root : str
        Root of the meter topics (``zerocity/#``).
    client_id : str
        Fixed client id of the persistent session (one per tenant database).
    batch_size : int
        Messages per commit at most.
    flush_interval_s : float
        Longest time a received message waits for its commit [s].
    receive_maximum : int
        Unacknowledged messages the broker may send ahead (MQTT v5 Receive Maximum).
    shared_group : str, optional
        Subscribe as a member of this MQTT v5 shared subscription (``$share/<group>/<root>/#``):
        several workers, each with its own ``client_id``, then split the messages between them
        (scale-out across processes; the database key keeps redeliveries idempotent).
    """

    def __init__(
        self,
        engine: Engine,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        topic_root: str = "zerocity/#",
        client_id: str = "zerocity-monitor",
        batch_size: int = 500,
        flush_interval_s: float = 0.05,
        receive_maximum: int = 1000,
        shared_group: str | None = None,
    ) -> None:
        if not 0 < batch_size <= receive_maximum <= 65535:
            raise MonitorError(
                f"need 0 < batch_size ({batch_size}) <= receive_maximum ({receive_maximum}) <= 65535: the broker "
                "sends no more than receive_maximum unacknowledged messages, so a larger batch would never fill"
            )
        self.ingestor = Ingestor(engine)
        self.host, self.port = host, port
        self.prefix = topic_prefix(topic_root)
        if shared_group is not None and (not shared_group or any(c in shared_group for c in "/+#")):
            raise MonitorError(f"shared group must be a plain name without '/', '+' or '#', got {shared_group!r}")
        self.subscription = f"$share/{shared_group}/{self.prefix}#" if shared_group else self.prefix + "#"
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.stored = 0
        self._pending: list[_Pending] = []
        self._cond = threading.Condition()
        self._generation = 0
        self._connected = threading.Event()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self._properties = Properties(PacketTypes.CONNECT)
        self._properties.SessionExpiryInterval = SESSION_NEVER_EXPIRES
        self._properties.ReceiveMaximum = receive_maximum

    # paho callbacks (network thread) ---------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            logger.error("MQTT connection refused: %s", reason)
            return
        client.subscribe(self.subscription, qos=1)
        self._connected.set()
        logger.info("connected to %s:%s, subscribed to %s", self.host, self.port, self.subscription)

    def _on_disconnect(self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        with self._cond:
            # Message ids of the old connection must not be acknowledged on the new one: the
            # broker redelivers those messages, and the database ignores the repeats.
            self._generation += 1
        self._connected.clear()
        logger.warning("disconnected from the broker: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            readings = parse_message(self.prefix, message.topic, message.payload)
        except MonitorError as exc:
            logger.warning("message skipped: %s", exc)
            readings = []
        with self._cond:
            self._pending.append(_Pending(message.mid, message.qos, self._generation, readings, time.monotonic()))
            if len(self._pending) >= self.batch_size:
                self._cond.notify()

    # main loop --------------------------------------------------------------------------------
    def run(self, stop: threading.Event | None = None, on_batch: Callable[[int], None] | None = None) -> None:
        """Connect and ingest until ``stop`` is set (then flush, acknowledge and disconnect).

        Parameters
        ----------
        stop : threading.Event, optional
            Set it to end the worker; runs forever when omitted.
        on_batch : callable, optional
            Called with the number of readings newly stored after each commit.
        """
        stop = stop or threading.Event()
        year = time.gmtime().tm_year
        self.ingestor.warm((year - 1, year))
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=self._properties)
        self.client.loop_start()
        try:
            while not stop.is_set():
                batch = self._next_batch(stop)
                if batch:
                    self._commit(batch, stop, on_batch)
            final = self._take()
            if final:
                self._commit(final, stop, on_batch)
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def _take(self) -> list[_Pending]:
        with self._cond:
            batch, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size :]
            return batch

    def _next_batch(self, stop: threading.Event) -> list[_Pending]:
        with self._cond:
            while not stop.is_set():
                if len(self._pending) >= self.batch_size:
                    break
                if self._pending:
                    wait = self._pending[0].received + self.flush_interval_s - time.monotonic()
                    if wait <= 0:
                        break
                else:
                    wait = 0.2
                self._cond.wait(wait)
            batch, self._pending = self._pending[: self.batch_size], self._pending[self.batch_size :]
            return batch

    def _commit(self, batch: list[_Pending], stop: threading.Event, on_batch: Callable[[int], None] | None) -> None:
        records = [reading for item in batch for reading in item.readings]
        frame = None
        if records:
            frame = pd.DataFrame({c: [r.get(c) for r in records] for c in READING_COLUMNS})
        delay = 0.5
        stored = 0
        while frame is not None:
            try:
                stored = self.ingestor.ingest(frame, skip_invalid=True, source="mqtt").stored
                break
            except SQLAlchemyError as exc:  # database down or locked: keep the batch, do not ack
                logger.error("commit failed, retrying in %.1f s: %s", delay, exc)
                if stop.wait(delay):
                    return
                delay = min(delay * 2, 10.0)
        self.stored += stored
        with self._cond:
            generation = self._generation
        for item in batch:
            if item.generation == generation and item.qos > 0:
                self.client.ack(item.mid, item.qos)
        if on_batch is not None:
            on_batch(stored)
        logger.debug("batch of %d message(s): %d reading(s) stored", len(batch), stored)
