"""Fixtures of the BI tests: a demo-like served warehouse (the whole job against the replica) and a
Superset, installed from its own lock, that imported the dashboards-as-code bundle against it."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator

import pytest
from superset_env import ADMIN, SUPERSET_DIR, Superset, ensure_venv, free_port

from gongkai.config import Settings


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The job run once against the portal replica (scrape → parse → build → gate → publish)."""
    from gongkai.pipeline import run_pipeline
    from replica.server import start_replica

    server = start_replica(0)
    try:
        settings = dataclasses.replace(
            Settings.at(tmp_path_factory.mktemp("bi") / "gongkai"), portal_base_url=server.base_url
        )
        result = run_pipeline(settings)
    finally:
        server.stop()
    assert result.published, result.steps
    return settings


@pytest.fixture(scope="session")
def superset(served: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Superset]:
    """Superset from deploy/superset/requirements.lock with the bundle imported (as the compose
    bootstrap does), serving on a free port."""
    venv, seconds = ensure_venv()
    print(f"superset venv {venv}: " + (f"installed in {seconds} s" if seconds else "reused"))
    home = tmp_path_factory.mktemp("superset")
    app = Superset(venv=venv, home=home, url=f"http://127.0.0.1:{free_port()}")
    template = venv / "metadata-template.db"  # Superset's own DB, migrated, with the admin: minutes to make
    if not template.exists():
        for step in (
            ("db", "upgrade"),
            ("fab", "create-admin", "--username", ADMIN[0], "--password", ADMIN[1], "--firstname", "gongkai",
             "--lastname", "test", "--email", "admin@localhost"),
            ("init",),
        ):
            done = app.cli(*step)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        shutil.copyfile(home / "superset.db", template)
    else:
        shutil.copyfile(template, home / "superset.db")
    uri = f"duckdb:///{served.serving_db}?access_mode=read_only"
    done = app.python(str(SUPERSET_DIR / "import_bundle.py"), "--uri", uri, "--username", ADMIN[0])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    app.start(home / "server.log")
    try:
        yield app
    finally:
        app.stop()
