"""`gongkai scrape`: discover, fetch and land annual reports (see scrapers/README.md).

Exit codes: 0 every column listed and every report landed or judged (quarantined with a reason);
4 partial (a column failed, or reports failed to download and are tried again next run, or were
given up on); 5 failed (every column failed); 2 a user error (bad date, unknown portal).
"""

from __future__ import annotations

import sys
from datetime import date, datetime

import click

EXIT_PARTIAL = 4
EXIT_FAILED = 5
COUNTS = (
    "found",
    "new",
    "unchanged",
    "revised",
    "failed",
    "quarantined",
    "pending",
    "columns_failed",
    "list_requests",
    "document_requests",
)


def _date(option: str, value: str | None) -> date | None:
    from gongkai.errors import UserError

    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise UserError(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def verdict_line(summary) -> str:
    """One line saying how the scrape went (printed last, on stderr when it did not go well)."""
    first = summary.failures[0]["reason"] if summary.failures else ""
    if summary.outcome == "failed":
        return f"scrape failed: every column failed ({summary.columns_failed} of {summary.columns}); first: {first}"
    if summary.outcome == "partial":
        return (
            f"scrape partial: {summary.columns_failed} of {summary.columns} column(s) failed, "
            f"{summary.pending} report(s) not landed (tried again next run), {len(summary.gave_up)} given up; "
            f"first: {first}"
        )
    return f"scrape ok: {summary.new} new, {summary.revised} revised, {summary.quarantined} quarantined"


@click.command(name="scrape")
@click.option("--portal", default=None, help="Only this portal of scrapers/portals.yaml.")
@click.option("--since", default=None, help="First publication date, YYYY-MM-DD (inclusive).")
@click.option("--until", default=None, help="Last publication date, YYYY-MM-DD (exclusive).")
@click.option("--refresh", is_flag=True, help="Re-check known reports (conditional GET) for revisions.")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def command(portal, since, until, refresh, no_progress) -> None:
    """Scrape the portals (or the replica, with GONGKAI_PORTAL_BASE_URL) into staging.

    Exit code 4: partial failure; 5: every column failed; 2: a user error.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from gongkai.config import Settings
    from gongkai.errors import UserError
    from scrapers.run import list_columns, scrape

    since_d, until_d = _date("--since", since), _date("--until", until)
    if since_d and until_d and since_d >= until_d:
        raise UserError(f"--since {since} is not before --until {until}")
    settings = Settings.from_env()
    try:
        list_columns(settings, portal)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    summary = scrape(
        settings, portal=portal, since=since_d, until=until_d, refresh=refresh, progress=not no_progress
    )
    console = Console()
    table = Table(title=f"scrape {summary.run_id}")
    for name in COUNTS:
        table.add_column(name, justify="right")
    table.add_row(*(str(getattr(summary, n)) for n in COUNTS))
    console.print(table)
    for f in summary.failures:
        console.print(f"[red]failed[/red] {escape(f['url'])}: {escape(f['reason'])}", highlight=False)
    for g in summary.gave_up:
        console.print(f"[red]gave up[/red] {escape(g['url'])}: {escape(g['reason'])}", highlight=False)
    line = verdict_line(summary)
    if summary.outcome == "ok":
        click.echo(line)
        return
    click.echo(f"gongkai: {line}", err=True)
    sys.exit(EXIT_FAILED if summary.outcome == "failed" else EXIT_PARTIAL)
