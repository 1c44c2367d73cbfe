"""Webhooks: configurable receivers of warnings, fed through a transactional outbox.

A warning and its pending deliveries are written in the same transaction
(:func:`enqueue_deliveries`), so a delivery cannot be lost when the process dies; the sender
(:func:`deliver_pending`) posts each pending delivery with httpx and records the outcome in its
own transaction. Delivery is at least once: a receiver de-duplicates by the
``X-Zerocity-Delivery`` header (or the warning ``id`` in the body).

Each request carries the JSON body and ``X-Zerocity-Signature: sha256=<hex>``, the
HMAC-SHA256 of the raw body bytes keyed with the webhook's secret (the scheme GitHub uses for
its webhooks); receivers recompute it and compare in constant time (:func:`verify_signature`).

Retries (zerocity's own choice): after a failed attempt ``n`` (1-based) the next one waits
``BACKOFF_BASE_S * 2**(n-1)`` seconds, capped at ``BACKOFF_CAP_S``; after ``MAX_ATTEMPTS``
failures the delivery is marked ``failed`` and kept for inspection.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
import socket
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from zerocity.monitor.registry import MonitorError
from zerocity.store.db import as_utc, session_scope
from zerocity.store.models import MonitorWarning, Webhook, WebhookDelivery

__all__ = [
    "ALLOW_PRIVATE_ENV",
    "BACKOFF_BASE_S",
    "BACKOFF_CAP_S",
    "MAX_ATTEMPTS",
    "SIGNATURE_HEADER",
    "DeliveryStatus",
    "add_webhook",
    "deliver_pending",
    "enqueue_deliveries",
    "list_webhooks",
    "sign",
    "verify_signature",
    "webhook_target_problem",
]

logger = logging.getLogger(__name__)

#: Header carrying ``sha256=<hex HMAC-SHA256 of the body>``.
SIGNATURE_HEADER = "X-Zerocity-Signature"
#: Header carrying the delivery id (stable across retries).
DELIVERY_HEADER = "X-Zerocity-Delivery"
#: First retry delay [s] (zerocity's own choice).
BACKOFF_BASE_S = 5.0
#: Longest retry delay [s] (zerocity's own choice).
BACKOFF_CAP_S = 3600.0
#: Attempts before a delivery is marked failed (zerocity's own choice: about 6 hours in all).
MAX_ATTEMPTS = 12
#: Request timeout [s] (zerocity's own choice).
TIMEOUT_S = 10.0


class DeliveryStatus(StrEnum):
    """State of an outbox row."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def sign(secret: str, body: bytes) -> str:
    """The signature header value of a body.

    Parameters
    ----------
    secret : str
        The webhook's secret.
    body : bytes
        The raw request body.

    Returns
    -------
    str
        ``"sha256=" + hex(HMAC-SHA256(secret, body))``.
    """
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """Whether ``header`` is the valid signature of ``body`` (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), header)


#: Environment variable that lets webhooks reach private, loopback and link-local addresses
#: (``1``): off by default, so a tenant cannot make the platform call its internal services.
ALLOW_PRIVATE_ENV = "ZEROCITY_WEBHOOK_ALLOW_PRIVATE"


def webhook_target_problem(url: str, *, resolve: bool) -> str | None:
    """Why the platform must not POST to ``url``, or None when it may.

    The URL must be http(s) with a host. Unless ``ZEROCITY_WEBHOOK_ALLOW_PRIVATE=1``, its host must
    not be a loopback, private, link-local or otherwise non-global address: checked on IP literals
    always and, with ``resolve``, on every address the host name resolves to (at delivery time,
    so a name changed later to point inside is caught too). Redirects are never followed.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # e.g. "http://[::1" or a port out of range
        return f"webhook URL {url!r} is malformed: {exc}"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"webhook URL must be http:// or https:// with a host, got {url!r}"
    if os.environ.get(ALLOW_PRIVATE_ENV) == "1":
        return None
    host = parts.hostname
    addresses: list[str] = []
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if host.lower() == "localhost" or host.lower().endswith(".localhost"):
            return f"webhook host {host!r} is local"
        if resolve:
            try:
                infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80))
            except OSError as exc:
                return f"webhook host {host!r} does not resolve: {exc}"
            addresses = sorted({str(info[4][0]) for info in infos})
    for address in addresses:
        if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
            return (
                f"webhook host {host!r} is a non-public address ({address}); set {ALLOW_PRIVATE_ENV}=1 to allow "
                "private targets"
            )
    return None


def add_webhook(
    session: Session, *, url: str, secret: str | None = None, kinds: Iterable[str] | None = None
) -> Webhook:
    """Register a webhook.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        Session of the tenant database.
    url : str
        ``http://`` or ``https://`` URL the warnings are POSTed to.
    secret : str, optional
        Signing secret; 32 random bytes (hex) when omitted.
    kinds : iterable of str, optional
        Warning kinds to deliver; all when omitted.

    Returns
    -------
    Webhook
        The new row (its ``secret`` is shown once to the caller).

    Raises
    ------
    MonitorError
        A URL that is not http(s), or that names a non-public address
        (:func:`webhook_target_problem`).
    """
    problem = webhook_target_problem(url, resolve=False)
    if problem is not None:
        raise MonitorError(problem)
    hook = Webhook(url=url, secret=secret or secrets.token_hex(32), kinds=sorted(kinds) if kinds else None, active=True)
    session.add(hook)
    session.flush()
    return hook


def list_webhooks(session: Session) -> list[Webhook]:
    """Every webhook of the database, oldest first."""
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def warning_body(warning: MonitorWarning) -> dict[str, Any]:
    """The JSON document of a warning (webhook body, CLI and API output)."""
    return {
        "id": warning.id,
        "kind": warning.kind,
        "severity": warning.severity,
        "meter_id": warning.meter_id,
        "entity": warning.entity,
        "observed_at": as_utc(warning.observed_at).isoformat() if warning.observed_at else None,
        "created_at": as_utc(warning.created_at).isoformat(),
        "explanation": warning.explanation,
        "details": warning.details,
    }


def enqueue_deliveries(session: Session, warnings: list[MonitorWarning], *, now: datetime | None = None) -> int:
    """Add a pending delivery of each warning to each active webhook that wants its kind.

    Runs in the caller's transaction (the one that stores the warnings).

    Returns
    -------
    int
        Deliveries queued.
    """
    moment = now or datetime.now(UTC)
    hooks = [h for h in list_webhooks(session) if h.active]
    count = 0
    for warning in warnings:
        body = json.dumps(warning_body(warning), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        for hook in hooks:
            if hook.kinds and warning.kind not in hook.kinds:
                continue
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id,
                    warning_id=warning.id,
                    body=body,
                    status=DeliveryStatus.PENDING.value,
                    attempts=0,
                    next_attempt_at=moment,
                )
            )
            count += 1
    session.flush()
    return count


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(attempts - 1, 0)))


def deliver_pending(
    engine: Engine, *, now: datetime | None = None, client: httpx.Client | None = None, limit: int = 100
) -> dict[str, int]:
    """Send the deliveries that are due; record each outcome in its own transaction.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        Tenant database.
    now : datetime.datetime, optional
        Current time (the clock when omitted); deliveries with ``next_attempt_at <= now`` are due.
    client : httpx.Client, optional
        HTTP client (a new one with a ``TIMEOUT_S`` timeout when omitted).
    limit : int, default 100
        Most deliveries sent per call.

    Returns
    -------
    dict
        ``{"delivered": n, "retry": n, "failed": n}``.
    """
    moment = now or datetime.now(UTC)
    with session_scope(engine) as session:
        due = session.execute(
            select(WebhookDelivery.id, Webhook.url, Webhook.secret, WebhookDelivery.body, WebhookDelivery.attempts)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING.value, WebhookDelivery.next_attempt_at <= moment)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        ).all()
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_S)
    try:
        for delivery_id, url, secret, body, attempts in due:
            raw = body.encode("utf-8")
            headers = {
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(secret, raw),
                DELIVERY_HEADER: str(delivery_id),
            }
            status_code = None
            error = webhook_target_problem(url, resolve=True)
            if error is None:
                try:
                    response = http.post(url, content=raw, headers=headers, follow_redirects=False)
                    status_code = response.status_code
                    if not response.is_success:
                        error = f"HTTP {response.status_code}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
            with session_scope(engine) as session:
                row = session.get(WebhookDelivery, delivery_id)
                if row is None:  # deleted meanwhile (webhook removed)
                    continue
                row.attempts = attempts + 1
                row.last_status_code = status_code
                row.last_error = error
                if error is None:
                    row.status = DeliveryStatus.DELIVERED.value
                    row.delivered_at = moment
                    counts["delivered"] += 1
                elif row.attempts >= MAX_ATTEMPTS:
                    row.status = DeliveryStatus.FAILED.value
                    counts["failed"] += 1
                    logger.error("webhook delivery %s to %s failed for good: %s", delivery_id, url, error)
                else:
                    row.next_attempt_at = moment + _backoff(row.attempts)
                    counts["retry"] += 1
                    logger.warning(
                        "webhook delivery %s to %s failed (%s); retry at %s",
                        delivery_id,
                        url,
                        error,
                        row.next_attempt_at,
                    )
    finally:
        if own:
            http.close()
    return counts
