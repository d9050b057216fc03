"""`gongkai parse PATH`: parse one report text file (``-`` for stdin) and print its JSON."""

from __future__ import annotations

import click


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


@click.command(name="parse")
@click.argument("path", type=click.File("rb"))
@click.option("--indent", type=int, default=None, help="Pretty-print with this indent.")
def command(path, indent: int | None) -> None:
    """Parse the report text at PATH ('-' reads stdin) and print one JSON object (the parse contract)."""
    import json

    from gongkai.parsing import parse_text

    result = parse_text(_decode(path.read()))
    click.echo(json.dumps(result, ensure_ascii=False, indent=indent))
