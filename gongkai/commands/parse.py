"""`gongkai parse` (not implemented yet)."""

import click


@click.command(name="parse")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai parse: not implemented yet")
