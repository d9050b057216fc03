"""`gongkai demo`: Quickstart command 1's job (see gongkai/demo.py)."""

from __future__ import annotations

import click


@click.command(name="demo")
@click.option(
    "--site",
    type=click.Choice(["district", "seeds"]),
    default="district",
    show_default=True,
    help="district: the district replica, reports published since 2025-01-01; seeds: the five seed "
    "reports over the whole history.",
)
def command(site: str) -> None:
    """Run one gongkai_daily Airflow run against the local portal replica and print what was built."""
    from gongkai.config import Settings
    from gongkai.demo import render, run_demo

    summary = run_demo(Settings.from_env(), site=site)
    click.echo(render(summary))
    if not summary.validation.get("success", False):
        raise SystemExit(1)
