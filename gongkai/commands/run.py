"""`gongkai run` (not implemented yet)."""

import click


@click.command(name="run")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai run: not implemented yet")
