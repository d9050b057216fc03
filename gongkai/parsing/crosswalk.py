"""The indicator crosswalk: template cell → canonical indicator, read from the dbt seed.

``dbt_project/seeds/indicator_crosswalk.csv`` is the only copy of the mapping: dbt loads it as a
seed and the parser reads it here, once per process.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gongkai.reference import SEEDS_DIR

CROSSWALK_CSV = SEEDS_DIR / "indicator_crosswalk.csv"
INDICATORS_CSV = SEEDS_DIR / "indicators.csv"
GENERATIONS_CSV = SEEDS_DIR / "generations.csv"


@dataclass(frozen=True, slots=True)
class Mapping:
    indicator: str
    applicant: str | None
    unit: str
    comparability: str


@lru_cache(maxsize=4)
def load(path: Path = CROSSWALK_CSV) -> dict[tuple[str, str, str, str], Mapping]:
    """(generation, table_id, row_label, column_label) → Mapping; column_label '' for none."""
    out: dict[tuple[str, str, str, str], Mapping] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            key = (rec["generation"], rec["table_id"], rec["row_label"], rec["column_label"] or "")
            out[key] = Mapping(rec["indicator"], rec["applicant"] or None, rec["unit"], rec["comparability"])
    return out


def lookup(generation: str, table: str, row: str, column: str | None) -> Mapping | None:
    return load().get((generation, table, row, column or ""))


@lru_cache(maxsize=1)
def indicator_codes(path: Path = INDICATORS_CSV) -> frozenset[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return frozenset(rec["indicator"] for rec in csv.DictReader(f))


@lru_cache(maxsize=1)
def _regimes(path: Path = GENERATIONS_CSV) -> tuple[tuple[str, int, int | None], ...]:
    with path.open(encoding="utf-8", newline="") as f:
        return tuple(
            (rec["generation"], int(rec["first_year"]), int(rec["last_year"]) if rec["last_year"] else None)
            for rec in csv.DictReader(f)
        )


def generation_for_year(year: int) -> str | None:
    """The template regime in force for reports on ``year`` (``generations.csv``), or None."""
    for generation, first, last in _regimes():
        if first <= year and (last is None or year <= last):
            return generation
    return None
