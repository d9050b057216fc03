"""The ``gongkai`` command line. Each sub-command lives in ``gongkai/commands/<name>.py`` and
only parses options and prints; the work is done by plain functions the DAGs and tests call too."""

from __future__ import annotations

import importlib

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
}


class _LazyGroup(click.Group):
    """Imports a sub-command's module only when it is used (Airflow, dbt and GX import slowly)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return importlib.import_module(f"gongkai.commands.{module}").command


@click.group(cls=_LazyGroup)
def main() -> None:
    """gongkai: a warehouse of government information-disclosure annual reports."""


if __name__ == "__main__":
    main()
