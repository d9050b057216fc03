"""`gongkai replica`: serve the local portal replica until interrupted."""

from __future__ import annotations

import click


@click.command(name="replica")
@click.option(
    "--port", default=8765, show_default=True, type=click.IntRange(0, 65535), help="Port (0 = any free port)."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--site",
    type=click.Choice(["seeds", "district"]),
    default="seeds",
    show_default=True,
    help="seeds: the five real reports in the registry's five columns; district: a Haishu-like "
    "district (≥ 60 units, 2008–2025) and two smaller portals, with real-site shapes.",
)
@click.option(
    "--fault", "faults", multiple=True, help="Fault switch (repeatable): latency, 5xx, 429, reset, ..."
)
@click.option(
    "--synthetic", default=0, show_default=True, help="Synthetic report variants to add (benchmarks)."
)
def command(port: int, host: str, site: str, faults: tuple[str, ...], synthetic: int) -> None:
    """Serve the portal replica (jpage, jpaas, xxgk)."""
    import time

    from replica.faults import FAULTS
    from replica.server import start_replica

    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise click.UsageError(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(FAULTS)}")
    try:
        server = start_replica(port, faults=set(faults), synthetic=synthetic, host=host, site=site)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"replica ({site}) serving at {server.base_url}  (export GONGKAI_PORTAL_BASE_URL={server.base_url})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
