"""`gongkai publish`: gate, then atomically publish the serving warehouse and its Parquet files."""

from __future__ import annotations

import click


@click.command(name="publish")
def command() -> None:
    """Run the gate; when it passes, publish serving/warehouse.duckdb and serving/parquet/ (exit 1 otherwise)."""
    from gongkai.config import Settings
    from gongkai.publish import publish

    settings = Settings.from_env()
    result = publish(settings)
    click.echo(
        f"publish: {'ok' if result.published else 'NOT PUBLISHED'} — {result.reason} ({result.elapsed_s:.1f} s)"
    )
    click.echo(f"  validation run: {result.validation_run_id}")
    if result.published:
        click.echo(
            f"  serving db: {result.serving_db}  (duckdb:///{result.serving_db}?access_mode=read_only)"
        )
        click.echo(f"  parquet:    {result.parquet_dir}/*.parquet")
        for name, rows in result.tables.items():
            if name.startswith("main."):
                click.echo(f"    {name:<40} {rows:>10} rows")
    else:
        raise SystemExit(1)
