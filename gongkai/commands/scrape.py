"""`gongkai scrape`: discover, fetch and land annual reports (see scrapers/README.md)."""

from __future__ import annotations

from datetime import datetime

import click


def _date(ctx, param, value):
    return datetime.strptime(value, "%Y-%m-%d").date() if value else None


@click.command(name="scrape")
@click.option("--portal", default=None, help="Only this portal of scrapers/portals.yaml.")
@click.option("--since", callback=_date, default=None, help="First publication date, YYYY-MM-DD (inclusive).")
@click.option("--until", callback=_date, default=None, help="Last publication date, YYYY-MM-DD (exclusive).")
@click.option("--refresh", is_flag=True, help="Re-check known reports (conditional GET) for revisions.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def command(portal, since, until, refresh, no_progress) -> None:
    """Scrape the portals (or the replica, with GONGKAI_PORTAL_BASE_URL) into staging."""
    from rich.console import Console
    from rich.table import Table

    from gongkai.config import Settings
    from scrapers.run import scrape

    settings = Settings.from_env()
    summary = scrape(
        settings, portal=portal, since=since, until=until, refresh=refresh, progress=not no_progress
    )
    console = Console()
    table = Table(title=f"scrape {summary.run_id}")
    for name in (
        "found",
        "new",
        "unchanged",
        "revised",
        "failed",
        "quarantined",
        "list_requests",
        "document_requests",
    ):
        table.add_column(name, justify="right")
    table.add_row(
        *(
            str(getattr(summary, n))
            for n in (
                "found",
                "new",
                "unchanged",
                "revised",
                "failed",
                "quarantined",
                "list_requests",
                "document_requests",
            )
        )
    )
    console.print(table)
    for f in summary.failures:
        console.print(f"[red]failed[/red] {f['url']}: {f['reason']}")
