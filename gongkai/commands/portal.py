"""`gongkai portal probe URL|FILE`: which list mechanism a real column or directory page uses, its
ids, and a registry entry to paste into scrapers/portals.yaml (see scrapers/probe.py)."""

from __future__ import annotations

import click


@click.group(name="portal")
def command() -> None:
    """Onboard a real portal: probe its column and directory pages."""


@command.command(name="probe")
@click.argument("source")
@click.option("--url", default=None, help="For a saved FILE: the address it was saved from (column id, host).")
@click.option("--key", "portal_key", default=None, help="Registry key of the portal (default: from the host).")
def probe(source: str, url: str | None, portal_key: str | None) -> None:
    """Probe SOURCE (an http(s) URL, fetched politely, or a page saved from a browser)."""
    from scrapers.probe import ProbeError, probe_file, probe_url

    try:
        if source.startswith(("http://", "https://")):
            result = probe_url(source)
        else:
            result = probe_file(source, url)
    except ProbeError as exc:
        raise click.ClickException(str(exc)) from None
    echo = click.echo
    echo(f"source     {result.source}")
    echo(f"page       {result.kind}" + (f" ({result.title})" if result.title else ""))
    if result.kind == "column":
        echo(f"mechanism  {result.mechanism}")
        echo(f"column id  {result.column_id or '? (give --url)'}")
        for key, value in result.ids.items():
            echo(f"  {key:<10} {value}")
        if result.total is not None:
            echo(f"list size  {result.total} ({'pages' if result.mechanism == 'xxgk' else 'records'})")
        if result.items:
            reports = result.report_items
            echo(f"first page {len(result.items)} items, {len(reports)} look like annual reports")
            for item in (reports or result.items)[:5]:
                echo(f"  {item.published}  {item.title}  {item.url}")
        elif result.mechanism == "jpaas" and not source.startswith(("http://", "https://")):
            echo("first page not in a saved jpaas page (unitbuild.js loads it): probe the URL to verify the ids")
    else:
        echo(f"units      {len(result.columns)} linked (column id, or xxgk-<area code> for an xxgk unit)")
        for col in result.columns:
            echo(f"  {col['id']:<12} {col['title']}  {col['url']}")
    for warning in result.warnings:
        echo(f"warning    {warning}")
    echo("")
    echo(result.registry_yaml(portal_key), nl=False)
