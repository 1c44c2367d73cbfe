"""``zerocity demo-serve``: load Demo City into a tenant and serve the API and the dashboard.

What ``make demo`` ends with: the service on http://127.0.0.1:8000 with Demo City loaded and one
login per role printed (new random passwords on every start; only their hashes are stored).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from zerocity.clikit import out, run

__all__ = ["build_demo_app", "demo_serve_command"]

#: Data directory of the demo service (under the git-ignored ``out/``).
DEFAULT_DEMO_DIR = Path("out/demo-service")


def build_demo_app(data_dir: Path, *, seed: int = 20241, city: Any = None, warm: bool = True) -> tuple[Any, Any]:
    """The service app with the dashboard and Demo City loaded (caches warmed).

    Parameters
    ----------
    data_dir : pathlib.Path
        Folder of the platform SQLite database, tenant databases, keys and the city profile.
    seed : int
        Demo City seed.
    city : DemoCity, optional
        Demo City already built with ``seed``.
    warm : bool
        Compute the city data and the Brain page's results now (first pages then open at once).

    Returns
    -------
    tuple
        The FastAPI app and the :class:`~zerocity.demo.tenant.DemoTenant` (with the logins).
    """
    from zerocity import web
    from zerocity.demo.tenant import load_demo_tenant
    from zerocity.service import Settings, create_app
    from zerocity.web import actions, brain, mrvdata, pv, views
    from zerocity.web.profile import load_profile, load_roofs
    from zerocity.web.resultcache import cache_folder

    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{(data_dir / 'platform.sqlite').resolve().as_posix()}", data_dir=data_dir
    )
    app = create_app(settings)
    web.mount(app, settings)
    registry = app.state.registry
    demo = load_demo_tenant(settings, seed=seed, registry=registry, city=city)
    profile = load_profile(settings, demo.slug)
    if warm and profile is not None:  # warm the caches: the first page then renders from memory
        engine = registry.engine(demo.slug)
        versions = mrvdata.entity_versions(engine, verified_only=True)
        data = views.city_data(demo.slug, engine, profile, versions=versions, cache_key=str(settings.data_dir))
        views.cached_view(("brain-numbers", data.cache_id), lambda: brain.brain_numbers(data))
        folder = cache_folder(settings.data_dir, demo.slug)  # kept on disk: a restart reads them back
        actions.action_numbers(profile, folder=folder)
        roofs = load_roofs(settings, demo.slug)
        if roofs is not None:
            pv.pv_numbers(profile, roofs, folder=folder)
    return app, demo


def demo_serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    data_dir: Annotated[Path, typer.Option(help="Data directory of the demo service.")] = DEFAULT_DEMO_DIR,
    seed: Annotated[int, typer.Option(help="Demo City seed.")] = 20241,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the dashboard and the API with Demo City loaded; print a login for each role."""
    import uvicorn

    app, demo = run(lambda: build_demo_app(data_dir, seed=seed))
    table = Table(title=f"Demo City logins (tenant {demo.slug!r}; passwords are new on every start)")
    for column in ("role", "username", "password"):
        table.add_column(column)
    for username, (role, password) in demo.logins.items():
        table.add_row(role.value, username, password)
    out.print(table)
    out.print(
        f"Dashboard: http://{host}:{port}/  API: http://{host}:{port}/api/v1/docs  (Ctrl+C to stop)", highlight=False
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level)
