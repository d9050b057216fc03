"""`gongkai replica`: serve the local portal replica until interrupted."""

from __future__ import annotations

import click


@click.command(name="replica")
@click.option("--port", default=8765, show_default=True, help="Port (0 = any free port).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--fault", "faults", multiple=True, help="Fault switch (repeatable): latency, 5xx, 429, reset, ..."
)
@click.option(
    "--synthetic", default=0, show_default=True, help="Synthetic report variants to add (benchmarks)."
)
def command(port: int, host: str, faults: tuple[str, ...], synthetic: int) -> None:
    """Serve the portal replica (jpage, jpaas, xxgk) built from fixtures/reports."""
    import time

    from replica.server import start_replica

    server = start_replica(port, faults=set(faults), synthetic=synthetic, host=host)
    click.echo(f"replica serving at {server.base_url}  (export GONGKAI_PORTAL_BASE_URL={server.base_url})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
