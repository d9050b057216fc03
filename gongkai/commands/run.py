"""`gongkai run`: the whole job in-process (no Airflow), optionally against the local replica."""

from __future__ import annotations

import dataclasses
import json

import click


@click.command(name="run")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First publication date (inclusive).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last publication date (exclusive).")
@click.option("--portal", help="Only this portal (name in scrapers/portals.yaml).")
@click.option("--no-scrape", is_flag=True, help="Rebuild from staging without touching the network.")
@click.option("--replica", "use_replica", is_flag=True, help="Start the local portal replica and scrape it.")
def command(since, until, portal, no_scrape, use_replica) -> None:
    """Scrape → parse → dbt build → validate → publish, printing each step's result as JSON."""
    from gongkai.config import Settings
    from gongkai.pipeline import run_pipeline

    settings = Settings.from_env()
    server = None
    if use_replica:
        from replica.server import start_replica

        server = start_replica()
        settings = dataclasses.replace(settings, portal_base_url=server.base_url, request_interval=0.0)
    try:
        result = run_pipeline(
            settings,
            since=since.date() if since else None,
            until=until.date() if until else None,
            portal=portal,
            scrape=not no_scrape,
        )
    finally:
        if server is not None:
            server.stop()
    click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2, default=str))
    if not result.published:
        raise SystemExit(1)
