"""The ``gongkai`` command line. Each sub-command lives in ``gongkai/commands/<name>.py`` and
only parses options and prints; the work is done by plain functions the DAGs and tests call too.

User errors (:class:`gongkai.errors.UserError`, a database another process holds) are one line on
stderr and a non-zero exit; commands that write the data home hold its writer lock."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import PackageNotFoundError, version

import click

# name -> module under gongkai.commands exposing a click command called ``command``
COMMANDS = {
    "scrape": "scrape",
    "parse": "parse",
    "parse-staged": "parse_staged",
    "build": "build",
    "validate": "validate",
    "publish": "publish",
    "run": "run",
    "replica": "replica",
    "demo": "demo",
    "airflow": "airflow",
    "portal": "portal",
}
# commands that write staging, the warehouse or the serving copy: one at a time per data home
WRITERS = frozenset({"scrape", "parse-staged", "build", "validate", "publish", "run", "demo"})


class _LazyGroup(click.Group):
    """Imports a sub-command's module only when it is used (Airflow, dbt and GX import slowly)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        command = importlib.import_module(f"gongkai.commands.{module}").command
        if name in WRITERS and not getattr(command, "_holds_home_lock", False):
            command.invoke = _with_home_lock(name, command.invoke)  # type: ignore[method-assign]
            command._holds_home_lock = True  # type: ignore[attr-defined]
        return command


def _with_home_lock(name: str, invoke):
    """Run a writing command under its data home's writer lock (after its options parsed, so
    ``--help`` and bad options never wait for or touch the lock)."""

    def locked(ctx: click.Context) -> object:
        from gongkai.config import Settings
        from gongkai.home_lock import home_lock

        with home_lock(Settings.from_env().home, name):
            return invoke(ctx)

    return locked


def _version() -> str:
    try:
        return version("gongkai")
    except PackageNotFoundError:
        return "unknown"


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "-V", "--version", prog_name="gongkai")
def _group() -> None:
    """gongkai: a warehouse of government information-disclosure annual reports."""


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the group; turn user errors into one line on stderr and an exit code."""
    from gongkai.errors import UserError

    try:
        _group.main(args=argv, prog_name="gongkai", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("gongkai: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        click.echo(f"gongkai: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:  # noqa: BLE001 - only the kinds below are user-facing
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if type(exc).__name__ == "IOException" and "lock" in message.lower():
            click.echo(f"gongkai: error: a database is in use by another process: {message}", err=True)
            sys.exit(3)
        damaged = _damaged(exc)
        if damaged is not None:  # a file that opened but failed a later read
            click.echo(f"gongkai: error: {damaged}", err=True)
            sys.exit(damaged.exit_code)
        if isinstance(exc, OSError) and exc.filename and not isinstance(exc, ConnectionError):
            # a path of the settings that cannot be used (GONGKAI_HOME under /proc, a file as a folder…)
            why = "a file is there, not a folder" if isinstance(exc, FileExistsError) else exc.strerror or exc
            click.echo(f"gongkai: error: cannot use {exc.filename}: {why}", err=True)
            sys.exit(2)
        if type(exc).__name__ == "IOException":  # DuckDB's: a database path that is a folder, unreadable…
            click.echo(f"gongkai: error: {message}", err=True)
            sys.exit(2)
        raise
    # standalone_mode=False returns the exit code of SystemExit raised inside commands
    sys.exit(0)


def _damaged(exc: Exception):
    """The data home's damaged file ``exc`` names (``gongkai.database.DatabaseDamaged``), or None."""
    from gongkai.config import Settings
    from gongkai.database import as_damaged

    try:
        settings = Settings.from_env()
    except Exception:  # noqa: BLE001 - settings that do not load: report the error as it is
        return None
    files = {"staging": settings.staging_db, "warehouse": settings.warehouse_db, "serving": settings.serving_db}
    return as_damaged(exc, files)


if __name__ == "__main__":
    main()
