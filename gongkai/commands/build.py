"""`gongkai build` (not implemented yet)."""

import click


@click.command(name="build")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai build: not implemented yet")
