"""`gongkai build [--full-refresh] [--select …] [--docs]`: run dbt on the warehouse."""

from __future__ import annotations

import click


@click.command(name="build")
@click.option(
    "--full-refresh",
    is_flag=True,
    help="Rebuild every model from scratch (otherwise only the reports parsed since the last clean build).",
)
@click.option(
    "--select", "select", default=None, help="dbt node selection, e.g. 'marts' or '+mart_agency_year'."
)
@click.option("--docs", is_flag=True, help="Also run `dbt docs generate` (offline) after a successful build.")
def command(full_refresh: bool, select: str | None, docs: bool) -> None:
    """Build the warehouse from the staging DuckDB with dbt.

    A full refresh when asked or when the dbt code changed since the last clean build; otherwise a
    data-only build of the reports parsed since then (see gongkai.build.dbt_build)."""
    from gongkai.build import dbt_build, dbt_docs_generate
    from gongkai.config import Settings

    settings = Settings.from_env()
    result = dbt_build(settings, full_refresh=full_refresh, select=select)
    if result.set_aside:
        click.echo(
            f"warning: the warehouse was damaged ({result.damage}): set aside as {result.set_aside} "
            "and rebuilt from staging",
            err=True,
        )
    click.echo(
        f"dbt build ({result.mode}): {'ok' if result.success else 'FAILED'} in {result.elapsed_s:.1f} s — "
        f"{result.models} models, {result.seeds} seeds, tests {result.tests_passed} passed, "
        f"{result.tests_warned} warned, {result.tests_failed} failed; warehouse {result.warehouse_db}"
    )
    for failure in result.failures:
        click.echo(f"  {failure['status']}: {failure['node']}: {failure['message']}", err=True)
    if select and result.success and not (result.models or result.seeds or result.tests_passed):
        from gongkai.errors import UserError

        raise UserError(f"--select {select!r} matches no dbt model, seed or test: nothing was built")
    if not result.success:
        raise SystemExit(1)
    if docs:
        generated = dbt_docs_generate(settings)
        click.echo(f"dbt docs: {'ok' if generated.success else 'FAILED'} -> {generated.docs_dir}/static_index.html")
        if not generated.success:
            raise SystemExit(1)
