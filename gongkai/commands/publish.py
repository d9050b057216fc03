"""`gongkai publish` (not implemented yet)."""

import click


@click.command(name="publish")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai publish: not implemented yet")
