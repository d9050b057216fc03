"""`gongkai replica` (not implemented yet)."""

import click


@click.command(name="replica")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai replica: not implemented yet")
