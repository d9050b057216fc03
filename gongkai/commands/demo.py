"""`gongkai demo` (not implemented yet)."""

import click


@click.command(name="demo")
def command() -> None:
    """Not implemented yet."""
    raise click.ClickException("gongkai demo: not implemented yet")
