"""`gongkai run`: the whole job in-process (no Airflow), optionally against the local replica."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys

import click


@click.command(name="run")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First publication date (inclusive).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last publication date (exclusive).")
@click.option("--portal", help="Only this portal (name in scrapers/portals.yaml).")
@click.option("--no-scrape", is_flag=True, help="Rebuild from staging without touching the network.")
@click.option("--replica", "use_replica", is_flag=True, help="Start the local portal replica and scrape it.")
@click.option("--force", is_flag=True, help="Build and publish even when the serving copy is current.")
def command(since, until, portal, no_scrape, use_replica, force) -> None:
    """Scrape → parse → dbt build → validate → publish, printing each step's result as JSON.

    The warehouse steps are skipped when nothing changed since the last publish (as in the DAGs)."""
    from gongkai.config import Settings
    from gongkai.errors import UserError
    from gongkai.pipeline import run_pipeline

    if since and until and since >= until:
        raise UserError(f"--since {since:%Y-%m-%d} is not before --until {until:%Y-%m-%d} (until is exclusive)")

    settings = Settings.from_env()
    server = None
    if use_replica:
        from replica.server import start_replica

        server = start_replica()
        settings = dataclasses.replace(settings, portal_base_url=server.base_url, request_interval=0.0)
    try:
        # stdout carries only the JSON result; what the steps print (dbt's log) goes to stderr
        with contextlib.redirect_stdout(sys.stderr):
            result = run_pipeline(
                settings,
                since=since.date() if since else None,
                until=until.date() if until else None,
                portal=portal,
                scrape=not no_scrape,
                force=force,
            )
    finally:
        if server is not None:
            server.stop()
    click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2, default=str))
    if not result.ok:
        raise SystemExit(1)
