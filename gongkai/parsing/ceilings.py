"""Plausible values: the per-indicator ceilings of ``dbt_project/seeds/indicator_ceilings.csv``.

The seed is the one documented list (indicator_code, ceiling, basis) that both the parser and the
gate read. A value is implausible when it is above its ceiling, negative (only the ``*_change``
indicators, 本年增/减, may be), or a fraction in a unit that counts things; the parser never emits
such a value but reports it as a reason.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from gongkai.parsing.crosswalk import INDICATORS_CSV, SEEDS_DIR

CEILINGS_CSV = SEEDS_DIR / "indicator_ceilings.csv"
FRACTIONAL_UNITS = frozenset({"万元", "元"})  # units whose values may have decimals


@lru_cache(maxsize=2)
def load(path: Path = CEILINGS_CSV) -> dict[str, float]:
    """indicator code → ceiling."""
    with path.open(encoding="utf-8", newline="") as f:
        return {rec["indicator_code"]: float(rec["ceiling"]) for rec in csv.DictReader(f)}


def ceiling_of(indicator: str | None) -> float:
    """The ceiling of ``indicator`` (the highest of all for a cell without an indicator code)."""
    ceilings = load()
    return ceilings.get(indicator, max(ceilings.values())) if indicator else max(ceilings.values())


@lru_cache(maxsize=1)
def lowest_ceiling() -> int:
    """The smallest ceiling: a whole, non-negative value up to it is plausible for any indicator."""
    return int(min(load().values()))


@lru_cache(maxsize=2)
def _units(path: Path = INDICATORS_CSV) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {rec["indicator"]: rec["unit"] for rec in csv.DictReader(f)}


def problem(indicator: str | None, value: float | int) -> str | None:
    """Why ``value`` cannot be a value of ``indicator``, or None when it is plausible."""
    if indicator is None:
        return "too large" if value > max(load().values()) or value < -max(load().values()) else None
    ceiling = load().get(indicator)
    if ceiling is not None and abs(value) > ceiling:
        return f"above the ceiling {ceiling:.0f} of {indicator}"
    if value < 0 and not indicator.endswith("_change"):
        return f"negative, and {indicator} counts things"
    if value != int(value) and _units().get(indicator) not in FRACTIONAL_UNITS:
        return f"not a whole number, and {indicator} counts things"
    return None
