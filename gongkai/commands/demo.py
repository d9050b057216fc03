"""`gongkai demo`: Quickstart command 1's job (see gongkai/demo.py)."""

from __future__ import annotations

import click


@click.command(name="demo")
def command() -> None:
    """Run one gongkai_daily Airflow run against the local portal replica and print what was built."""
    from gongkai.config import Settings
    from gongkai.demo import render, run_demo

    summary = run_demo(Settings.from_env())
    click.echo(render(summary))
    if not summary.validation.get("success", False):
        raise SystemExit(1)
