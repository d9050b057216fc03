"""`gongkai publish`: gate, then publish the serving warehouse and its Parquet files as one snapshot;
or switch back to a kept snapshot (``--rollback``)."""

from __future__ import annotations

import click


@click.command(name="publish")
@click.option(
    "--allow-shrink",
    metavar="REASON",
    default=None,
    help="Publish although tables shrink or reports / agency-years of the served copy disappear; "
    "the reason is recorded in the publish manifest.",
)
@click.option(
    "--rollback",
    "rollback_to",
    metavar="[ID]",
    is_flag=False,
    flag_value="previous",
    default=None,
    help="Make a kept snapshot current again (default: the one before the current one).",
)
@click.option("--list", "list_snapshots", is_flag=True, help="List the kept snapshots and exit.")
def command(allow_shrink: str | None, rollback_to: str | None, list_snapshots: bool) -> None:
    """Run the gate; when it passes, publish serving/warehouse.duckdb and serving/parquet/ (exit 1 otherwise)."""
    from gongkai.config import Settings
    from gongkai.publish import current_snapshot, publish, rollback, snapshots

    settings = Settings.from_env()
    if list_snapshots:
        current = current_snapshot(settings)
        for snapshot in snapshots(settings):
            click.echo(f"{'*' if snapshot == current else ' '} {snapshot}")
        return
    if rollback_to is not None:
        result = rollback(settings, None if rollback_to == "previous" else rollback_to)
        click.echo(f"rollback: {'ok' if result.published else 'NOT DONE'} — {result.reason}")
        if not result.published:
            raise SystemExit(1)
        return
    if allow_shrink is not None and not allow_shrink.strip():  # (an empty reason too)
        raise click.UsageError("--allow-shrink needs a reason")
    result = publish(settings, allow_shrink=(allow_shrink or "").strip())
    click.echo(
        f"publish: {'ok' if result.published else 'NOT PUBLISHED'} — {result.reason} ({result.elapsed_s:.1f} s)"
    )
    click.echo(f"  validation run: {result.validation_run_id}{' (gate re-run)' if result.revalidated else ''}")
    for blocking in result.blocking[:8]:
        click.echo(f"  blocking: {blocking}")
    for lost in result.shrink[:10]:
        click.echo(f"  volume: {lost}")
    for document in result.quarantined[:10]:
        click.echo(f"  quarantined: {document}")
    if result.published:
        click.echo(
            f"  serving db: {result.serving_db}  (duckdb:///{result.serving_db}?access_mode=read_only)"
        )
        click.echo(f"  parquet:    {result.parquet_dir}/*.parquet")
        click.echo(f"  snapshot:   {result.snapshot_dir}")
        for name, rows in result.tables.items():
            if name.startswith("main."):
                click.echo(f"    {name:<40} {rows:>10} rows")
        for name, target in result.targets.items():
            if target.get("ok"):
                click.echo(f"  {name}: {target['url']} schema {target['schema']} ({target['rows']} rows)")
            else:
                click.echo(f"  {name}: FAILED ({target['url']}): {target['error']}", err=True)
        if any(not t.get("ok") for t in result.targets.values()):
            raise SystemExit(1)
    else:
        raise SystemExit(1)
