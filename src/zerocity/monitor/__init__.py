"""Real-time meter monitoring: registry, ingest (HTTP batches, MQTT), rollups, warnings, webhooks.

Layers: pure helpers (:mod:`.emissions` factor cache, unit conversion, rollup arithmetic);
:class:`Ingestor` and :class:`MqttWorker` hold configuration; orchestration functions
(:func:`evaluate_warnings`, :func:`deliver_pending`, :func:`rollup`, :func:`live_view`) take one
tenant engine. Tenancy (one database per tenant) is the service layer's job.

Imports are lazy (PEP 562): the MQTT worker starts without loading the warning checks and
their accounts dependencies.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zerocity.monitor.alerts import (
        Severity,
        WarningKind,
        evaluate_warnings,
        list_warnings,
        missing_data,
        quota_warnings,
        set_quota,
        spikes,
    )
    from zerocity.monitor.emissions import FactorCache, ResolvedFactor
    from zerocity.monitor.ingest import Ingestor, IngestResult, read_readings_csv, readings_frame, store_rows
    from zerocity.monitor.mqtt import MqttWorker, parse_message
    from zerocity.monitor.registry import (
        MeterInfo,
        MonitorError,
        import_meters,
        load_meters,
        read_meters,
        validate_meters,
    )
    from zerocity.monitor.rollups import GroupBy, Level, live_view, rollup
    from zerocity.monitor.webhooks import (
        DeliveryStatus,
        add_webhook,
        deliver_pending,
        list_webhooks,
        sign,
        verify_signature,
    )

_MODULES: dict[str, str] = {
    "DeliveryStatus": "zerocity.monitor.webhooks",
    "FactorCache": "zerocity.monitor.emissions",
    "GroupBy": "zerocity.monitor.rollups",
    "IngestResult": "zerocity.monitor.ingest",
    "ingest_records": "zerocity.monitor.ingest",
    "Ingestor": "zerocity.monitor.ingest",
    "Level": "zerocity.monitor.rollups",
    "MeterInfo": "zerocity.monitor.registry",
    "MonitorError": "zerocity.monitor.registry",
    "MqttWorker": "zerocity.monitor.mqtt",
    "ResolvedFactor": "zerocity.monitor.emissions",
    "Severity": "zerocity.monitor.alerts",
    "WarningKind": "zerocity.monitor.alerts",
    "add_webhook": "zerocity.monitor.webhooks",
    "deliver_pending": "zerocity.monitor.webhooks",
    "evaluate_warnings": "zerocity.monitor.alerts",
    "import_meters": "zerocity.monitor.registry",
    "list_warnings": "zerocity.monitor.alerts",
    "list_webhooks": "zerocity.monitor.webhooks",
    "live_view": "zerocity.monitor.rollups",
    "load_meters": "zerocity.monitor.registry",
    "missing_data": "zerocity.monitor.alerts",
    "parse_message": "zerocity.monitor.mqtt",
    "quota_warnings": "zerocity.monitor.alerts",
    "read_meters": "zerocity.monitor.registry",
    "read_readings_csv": "zerocity.monitor.ingest",
    "readings_frame": "zerocity.monitor.ingest",
    "rollup": "zerocity.monitor.rollups",
    "set_quota": "zerocity.monitor.alerts",
    "sign": "zerocity.monitor.webhooks",
    "spikes": "zerocity.monitor.alerts",
    "store_rows": "zerocity.monitor.ingest",
    "validate_meters": "zerocity.monitor.registry",
    "verify_signature": "zerocity.monitor.webhooks",
}

__all__ = [
    "DeliveryStatus",
    "FactorCache",
    "GroupBy",
    "IngestResult",
    "Ingestor",
    "Level",
    "MeterInfo",
    "MonitorError",
    "MqttWorker",
    "ResolvedFactor",
    "Severity",
    "WarningKind",
    "add_webhook",
    "deliver_pending",
    "evaluate_warnings",
    "import_meters",
    "ingest_records",
    "list_warnings",
    "list_webhooks",
    "live_view",
    "load_meters",
    "missing_data",
    "parse_message",
    "quota_warnings",
    "read_meters",
    "read_readings_csv",
    "readings_frame",
    "rollup",
    "set_quota",
    "sign",
    "spikes",
    "store_rows",
    "validate_meters",
    "verify_signature",
]


def __getattr__(name: str) -> Any:
    """Import the public names on first use."""
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
