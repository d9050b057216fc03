"""`gongkai validate`: run the Great Expectations gate and print a one-screen summary."""

from __future__ import annotations

import click


def _cut(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters (an ellipsis says where it was cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.command(name="validate")
@click.option(
    "--yoy-factor", type=float, default=None, help="Year-over-year change that raises a warning (default 10)."
)
@click.option("--no-docs", is_flag=True, help="Skip rendering Data Docs.")
@click.option(
    "--full",
    is_flag=True,
    help="Validate every row (default: the documents changed since the last gate that passed, same verdict).",
)
def command(yoy_factor: float | None, no_docs: bool, full: bool) -> None:
    """Validate staging and the warehouse; exit 1 when a blocking expectation fails."""
    from gongkai.config import Settings
    from gongkai.validate import run_validation

    result = run_validation(Settings.from_env(), yoy_factor=yoy_factor, data_docs=not no_docs, full=full)
    verdict = "PASSED" if result.success else "FAILED"
    click.echo(
        f"validation {result.run_id}: {verdict} — {result.expectations} expectations, "
        f"{result.blocking_failed} blocking failed, {result.warnings} warnings, {result.elapsed_s:.1f} s"
    )
    if result.scope:
        click.echo(f"  scope: {result.scope['mode']} — {result.scope['reason']}")
    if result.error:
        click.echo(f"  error: {result.error}", err=True)
    flagged = [r for r in result.summary if r["blocking_failed"] or r["warnings"] or r["error"]]
    click.echo(f"  {len(result.summary) - len(flagged)} suites passed; {len(flagged)} with failures or warnings:")
    if flagged:
        click.echo(f"  {'suite':<30} {'rows':>10} {'blocking':>9} {'warnings':>9}")
    for row in flagged:
        click.echo(f"  {row['suite']:<30} {row['rows']:>10} {row['blocking_failed']:>9} {row['warnings']:>9}")
    for failure in result.failures[:8]:
        click.echo(
            f"  {failure['severity'].upper():<8} {failure['suite']}: {failure['rule']}"
            f" ({failure['unexpected_count']} unexpected)"[:160]
        )
        for sample in failure["sample"][:2]:
            click.echo(f"             e.g. {_cut(sample, 240)}")
    if result.quarantined:
        click.echo(f"  quarantined documents (left out of the publish): {len(result.quarantined)}")
        for doc in result.quarantined[:3]:
            click.echo(f"    {doc['document_id']}: {doc['reasons']}"[:160])
    if len(result.failures) > 8:
        click.echo(f"  … {len(result.failures) - 8} more in {result.results_path}")
    click.echo(f"  results: {result.results_path}")
    if result.data_docs_path:
        click.echo(f"  data docs: {result.data_docs_path}")
    if result.damaged:  # (its line is the error above)
        from gongkai.database import DatabaseDamaged

        raise SystemExit(DatabaseDamaged.exit_code)
    if not result.success:
        raise SystemExit(1)
