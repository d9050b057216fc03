"""`gongkai scrape` (not implemented yet)."""

import click


@click.command(name="scrape")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai scrape: not implemented yet")
