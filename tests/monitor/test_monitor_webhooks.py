"""Webhooks: delivered to a local HTTP server with a valid signature, retried after a failure."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from zerocity.monitor import DeliveryStatus, Ingestor, add_webhook, deliver_pending, evaluate_warnings, readings_frame
from zerocity.monitor.registry import MonitorError
from zerocity.monitor.webhooks import ALLOW_PRIVATE_ENV, BACKOFF_BASE_S, verify_signature, webhook_target_problem
from zerocity.store.db import session_scope
from zerocity.store.models import WebhookDelivery

SECRET = "test-secret-0123"


class _Receiver:
    """A local HTTP server answering 500 to the first ``fail`` requests, 204 afterwards."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.requests: list[tuple[dict[str, str], bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = 500 if receiver.fail > 0 else 204
                receiver.fail -= 1
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, code))
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver(fail=1)
    yield r
    r.close()


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local test receivers listen on 127.0.0.1, which webhooks may not reach by default."""
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")


def test_delivered_with_valid_signature_after_a_retry(monitor_db, receiver, allow_private) -> None:
    Ingestor(monitor_db).ingest(readings_frame([{"meter_id": "e1", "ts": "2025-03-01T12:00:00Z", "value": 1.0}]))
    with session_scope(monitor_db) as session:
        add_webhook(session, url=receiver.url, secret=SECRET, kinds=["missing_data"])
    now = datetime.now(UTC) + timedelta(days=1)
    warnings = evaluate_warnings(monitor_db, now=now)
    assert len(warnings) == 4

    first = deliver_pending(monitor_db, now=now)
    assert first == {"delivered": 3, "retry": 1, "failed": 0}  # the server fails the first request only
    # Not due again until the backoff has passed.
    assert deliver_pending(monitor_db, now=now + timedelta(seconds=BACKOFF_BASE_S - 1)) == {
        "delivered": 0,
        "retry": 0,
        "failed": 0,
    }
    second = deliver_pending(monitor_db, now=now + timedelta(seconds=BACKOFF_BASE_S))
    assert second == {"delivered": 1, "retry": 0, "failed": 0}

    assert [code for _, _, code in receiver.requests] == [500, 204, 204, 204, 204]
    failed_headers, failed_body, _ = receiver.requests[0]
    retry_headers, retry_body, _ = receiver.requests[-1]
    assert retry_body == failed_body  # the same document is retried
    assert retry_headers["x-zerocity-delivery"] == failed_headers["x-zerocity-delivery"]
    for headers, body, _ in receiver.requests:
        # HMAC-SHA256 of the raw body with the shared secret, computed here independently.
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["x-zerocity-signature"] == expected
        assert verify_signature(SECRET, body, headers["x-zerocity-signature"])
        assert headers["content-type"] == "application/json"
    documents = [json.loads(body) for _, body, code in receiver.requests if code == 204]
    assert sorted(d["meter_id"] for d in documents) == ["e1", "e2", "e3", "h1"]
    assert all(d["kind"] == "missing_data" and d["explanation"] for d in documents)
    with session_scope(monitor_db) as session:
        rows = session.scalars(select(WebhookDelivery)).all()
        assert {r.status for r in rows} == {DeliveryStatus.DELIVERED.value}
        assert sorted(r.attempts for r in rows) == [1, 1, 1, 2]


def test_tampered_body_fails_verification() -> None:
    body = b'{"id":1}'
    header = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, body, header)
    assert not verify_signature(SECRET, b'{"id":2}', header)
    assert not verify_signature("other", body, header)


def test_unreachable_receiver_is_retried_then_marked_failed(monitor_db, allow_private) -> None:
    from zerocity.monitor import webhooks

    Ingestor(monitor_db).ingest(readings_frame([{"meter_id": "e1", "ts": "2025-03-01T12:00:00Z", "value": 1.0}]))
    with session_scope(monitor_db) as session:
        add_webhook(session, url="http://127.0.0.1:9/closed", secret=SECRET)  # port 9 (discard): refused
    now = datetime.now(UTC) + timedelta(days=1)
    evaluate_warnings(monitor_db, now=now)
    moment = now
    for _ in range(webhooks.MAX_ATTEMPTS - 1):
        assert deliver_pending(monitor_db, now=moment)["retry"] == 4
        moment += timedelta(seconds=webhooks.BACKOFF_CAP_S)
    assert deliver_pending(monitor_db, now=moment) == {"delivered": 0, "retry": 0, "failed": 4}
    with session_scope(monitor_db) as session:
        rows = session.scalars(select(WebhookDelivery)).all()
        assert {(r.status, r.attempts) for r in rows} == {("failed", webhooks.MAX_ATTEMPTS)}
        assert all(r.last_error for r in rows)


def test_private_targets_are_refused_by_default(monitor_db, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    with session_scope(monitor_db) as session:
        for url in (
            "http://127.0.0.1:8080/h",
            "http://localhost/h",
            "https://10.1.2.3/h",
            "http://[::1]/h",
            "http://169.254.169.254/latest",
            "ftp://hooks.example.org/h",
        ):
            with pytest.raises(MonitorError):
                add_webhook(session, url=url)
        add_webhook(session, url="https://hooks.example.org/zerocity", secret=SECRET)
    # a public-looking name that resolves inside is caught at delivery time
    monkeypatch.setattr("socket.getaddrinfo", lambda host, port, *a, **k: [(2, 1, 6, "", ("10.0.0.5", port))])
    assert "non-public address (10.0.0.5)" in (
        webhook_target_problem("https://hooks.example.org/x", resolve=True) or ""
    )
    monkeypatch.setattr("socket.getaddrinfo", lambda host, port, *a, **k: [(2, 1, 6, "", ("93.184.216.34", port))])
    assert webhook_target_problem("https://hooks.example.org/x", resolve=True) is None
