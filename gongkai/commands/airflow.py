"""`gongkai airflow` (not implemented yet)."""

import click


@click.command(name="airflow")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai airflow: not implemented yet")
