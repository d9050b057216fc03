"""`gongkai parse-staged` (not implemented yet)."""

import click


@click.command(name="parse-staged")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai parse-staged: not implemented yet")
