"""Fixtures of the dashboard tests: one Demo City deployment per test session, in-process and live."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_helpers import DemoWorld

from zerocity import web
from zerocity.demo import DemoCity, build_demo_city
from zerocity.demo.inventory import demo_inventory
from zerocity.demo.tenant import DemoTenant, load_demo_tenant
from zerocity.service import Settings, create_app
from zerocity.web import views

SECRET = "w" * 48
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def demo_city() -> DemoCity:
    """Demo City, built once for the whole session (3-4 s each time)."""
    return build_demo_city()


@pytest.fixture(scope="session")
def demo_reference(demo_city) -> dict[int, dict]:
    """``zerocity demo``'s per-year summary (the records computed directly), by year."""
    return {row["year"]: row for row in demo_inventory(demo_city)}


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory, demo_city) -> Iterator[DemoWorld]:
    folder = tmp_path_factory.mktemp("web-demo")
    settings = Settings(
        database_url=f"sqlite:///{(folder / 'platform.sqlite').as_posix()}", data_dir=folder, jwt_secret=SECRET
    )
    app = create_app(settings)
    web.mount(app, settings)
    with TestClient(app):  # lifespan: migrations
        demo = load_demo_tenant(settings, registry=app.state.registry, city=demo_city)
        yield DemoWorld(app=app, settings=settings, demo=demo)
    views.clear_cache()


@pytest.fixture(scope="session")
def flow_tenant(demo_world, demo_city) -> DemoTenant:
    """A second Demo City tenant of the same deployment, for tests that change data (submit, verify)."""
    return load_demo_tenant(
        demo_world.settings, slug="flowcity", registry=demo_world.app.state.registry, city=demo_city
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_url(demo_world) -> Iterator[str]:
    """The Demo City app served by uvicorn on a free local port (for the browser tests)."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(demo_world.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
