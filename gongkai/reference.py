"""Reference data every layer shares, read once from the dbt seeds (their only copy): the
applicant types, the template generations and the first report year. The parser, the gate and
the DAGs import these names; dbt loads the same files as seeds.

Bottom layer: imports only ``gongkai.config``. ``SEEDS_DIR`` honours ``GONGKAI_DBT_PROJECT_DIR``."""

from __future__ import annotations

import csv
from pathlib import Path

from gongkai.config import Settings

SEEDS_DIR: Path = Settings.from_env().seeds_dir


def seed_rows(name: str, seeds_dir: Path = SEEDS_DIR) -> list[dict[str, str]]:
    """The rows of seed ``<name>.csv`` as dicts (strings; empty cells are ``""``)."""
    with (seeds_dir / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# applicant types in report order (the last is the total): applicant_types.csv
APPLICANTS: tuple[str, ...] = tuple(
    r["applicant"] for r in sorted(seed_rows("applicant_types"), key=lambda r: int(r["sort_order"]))
)
# template generations, oldest first: generations.csv
GENERATIONS: tuple[str, ...] = tuple(
    r["generation"] for r in sorted(seed_rows("generations"), key=lambda r: int(r["first_year"]))
)
# the first reporting year of the 2008 regulation (the oldest generation's first year)
FIRST_REPORT_YEAR: int = min(int(r["first_year"]) for r in seed_rows("generations"))
