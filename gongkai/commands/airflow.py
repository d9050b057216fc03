"""`gongkai airflow up|env`: a local Airflow with the gongkai DAGs (and the portal replica) for a
user who wants to click a backfill; `env` prints the variables to use the `airflow` CLI on it."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

_home = click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help="AIRFLOW_HOME (default: <GONGKAI_HOME>/airflow-local)",
)
_port = click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(1, 65535), help="api-server / UI port"
)
_host = click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="address the UI listens on; 0.0.0.0 exposes it to every network this machine is on",
)


def _setup(home: Path | None, port: int, portal_base_url: str | None = None, host: str = "127.0.0.1"):
    import dataclasses

    from gongkai.config import Settings
    from gongkai.orchestration.local import AirflowSetup

    settings = Settings.from_env()
    if portal_base_url:
        settings = dataclasses.replace(settings, portal_base_url=portal_base_url)
    home = (home or settings.home / "airflow-local").resolve()
    return AirflowSetup(home=home, settings=settings, api_port=port, host=host)


@click.group(name="airflow")
def command() -> None:
    """Run the gongkai DAGs in a local Airflow."""


@command.command(name="up")
@_home
@_port
@_host
@click.option(
    "--replica/--no-replica",
    default=True,
    show_default=True,
    help="start the local portal replica and scrape it",
)
@click.option("--replica-port", default=8765, show_default=True, type=click.IntRange(0, 65535))
def up(home: Path | None, port: int, host: str, replica: bool, replica_port: int) -> None:
    """Start api-server, scheduler, dag-processor and triggerer (SQLite metadata, LocalExecutor)
    plus the replica; unpause the DAGs; run until Ctrl-C."""
    import signal
    import time

    from gongkai.orchestration.local import LocalAirflow, prepare_metadata

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # stop cleanly on SIGTERM, and on SIGINT even when started in the background (where it is ignored)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)

    server = None
    if replica:
        from replica.server import start_replica

        server = start_replica(port=replica_port)
        click.echo(f"portal replica: {server.base_url}")
    setup = _setup(home, port, server.base_url if server else None, host=host)
    setup.settings.ensure_dirs()
    click.echo(f"AIRFLOW_HOME: {setup.home}   data: {setup.settings.home}")
    if prepare_metadata(setup):
        click.echo("metadata database migrated, pool gongkai_duckdb (1 slot) created")
    af = LocalAirflow(setup)
    try:
        af.start(("api-server", "scheduler", "dag-processor", "triggerer"))
        af.wait_healthy()
        for dag_id in ("gongkai_daily", "gongkai_publish", "gongkai_reprocess"):
            af.wait_for_dag(dag_id)  # unpaused: a UI backfill on a paused DAG can lock SQLite
        click.echo(
            f"\nAirflow UI: {setup.base_url}   (listening on {host}; login: admin / {setup.admin_password()}"
            f" — kept in {setup.password_file})\n"
            f"Backfill:   open gongkai_daily → Trigger → Backfill, e.g. 2019-01-10 … 2019-01-12\n"
            f'CLI:        eval "$(gongkai airflow env --home {shlex.quote(str(setup.home))} --port {port})"\n'
            f"            airflow backfill create --dag-id gongkai_daily --from-date 2019-01-10 --to-date 2019-01-12\n"
            f"Logs:       {af.log_dir}\nCtrl-C stops everything."
        )
        while True:
            af.check_alive()
            time.sleep(2)
    except KeyboardInterrupt:
        click.echo("stopping…")
    finally:
        af.stop()
        if server is not None:
            server.stop()


@command.command(name="env")
@_home
@_port
def env(home: Path | None, port: int) -> None:
    """Print `export` lines that point the `airflow` CLI at the local Airflow."""
    setup = _setup(home, port)
    for key, value in sorted(setup.env().items()):
        if key.startswith(("AIRFLOW", "GONGKAI_")):
            click.echo(f"export {key}={shlex.quote(value)}")
