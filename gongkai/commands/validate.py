"""`gongkai validate` (not implemented yet)."""

import click


@click.command(name="validate")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai validate: not implemented yet")
