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

    settings = Settings.from_env()
    if document_ids:
        _require_known(settings, document_ids)
    summary = parse_staged(settings, reparse=reparse, document_ids=list(document_ids) or None)
    click.echo(json.dumps(dataclasses.asdict(summary)))


def _require_known(settings, document_ids: tuple[str, ...]) -> None:
    """Unknown ids are a user error, not a silent run over nothing."""
    from gongkai import staging
    from gongkai.errors import UserError

    if not settings.staging_db.exists():
        raise UserError(f"no staging database at {settings.staging_db}: run `gongkai scrape` first")
    with staging.connect(settings.staging_db, read_only=True) as con:
        known = {
            r[0]
            for r in con.execute(
                "SELECT DISTINCT document_id FROM raw_texts WHERE document_id IN (SELECT unnest(?))",
                [list(document_ids)],
            ).fetchall()
        }
    unknown = [d for d in document_ids if d not in known]
    if unknown:
        raise UserError(f"unknown document id(s) in {settings.staging_db}: {', '.join(unknown)}")
