"""`gongkai parse-staged`: parse staged raw texts into parse_results / parsed_cells / parse_checks."""

from __future__ import annotations

import click


@click.command(name="parse-staged")
@click.option("--reparse", is_flag=True, help="Parse every raw text again, not only unparsed ones.")
@click.option("--document-id", "document_ids", multiple=True, help="Only these documents (repeatable).")
def command(reparse: bool, document_ids: tuple[str, ...]) -> None:
    """Parse the staging database's raw texts and print a JSON summary."""
    import dataclasses
    import json

    from gongkai.config import Settings
    from gongkai.parsing.step import parse_staged

    summary = parse_staged(Settings.from_env(), reparse=reparse, document_ids=list(document_ids) or None)
    click.echo(json.dumps(dataclasses.asdict(summary)))
