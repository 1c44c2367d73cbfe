"""Property tests over the OpenAPI schema (schemathesis): no 5xx, and every 4xx carries the error body.

Each operation gets a few generated requests (bounded so the module stays well under a minute).
The operations are driven with hypothesis directly (``APIOperation.as_strategy``).
"""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, given, settings
from service_helpers import World

from zerocity.service.jobs import JOB_KINDS

EXAMPLES_PER_OPERATION = 8


def _checker(operation, headers: dict[str, str], failures: list[str]) -> Callable[[], None]:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case) -> None:
        response = case.call(headers=headers)
        label = f"{case.method} {case.formatted_path}"
        if response.status_code >= 500:
            failures.append(f"{label}: {response.status_code} {response.text[:300]}")
        elif response.status_code >= 400:
            body = response.json()
            if set(body) != {"error"} or not body["error"]["message"]:
                failures.append(f"{label}: {response.status_code} without the error body: {response.text[:300]}")

    return check


def test_no_server_errors(shared_world: World, monkeypatch) -> None:
    # Jobs accepted here (202) would run real solvers for minutes (a year-long energy LP); the
    # HTTP layer is what this test checks, so each job kind is swapped for an instant one. The job
    # kinds themselves are exercised in test_models.py.
    for kind in list(JOB_KINDS):
        monkeypatch.setitem(JOB_KINDS, kind, lambda params: {"params_seen": sorted(params)})
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", shared_world.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 120
    failures: list[str] = []
    for operation in operations:
        who = "root" if "/tenants" in operation.path else "alpha_admin"
        if "/public/" in operation.path:
            who = "anonymous"
        _checker(operation, shared_world.headers(who), failures)()
    assert failures == [], "\n".join(failures[:20])
