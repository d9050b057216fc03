"""Base types of the suites (parameters, suites, severities), apart from the package so that the
family modules and ``expectations.compact`` import them without importing the package back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from great_expectations.expectations.expectation import Expectation

from expectations.frames import Frame
from expectations.scope import FULL, Scope
from gongkai.reference import APPLICANTS as APPLICANTS
from gongkai.reference import FIRST_REPORT_YEAR as FIRST_REPORT_YEAR
from gongkai.reference import GENERATIONS as GENERATIONS

# Units of indicators that count things (items, requests, people): their values are never negative.
COUNT_UNITS = ("件", "条", "人", "人次", "次", "个", "项", "宗", "篇", "份", "场", "期", "count")


@dataclass(frozen=True)
class GateParams:
    """Run-time parameters of the suites."""

    current_year: int = field(default_factory=lambda: date.today().year)
    yoy_factor: float = 10.0  # a value more than this many times (or less than 1/this) last year's warns
    applicants: tuple[str, ...] = APPLICANTS
    count_units: tuple[str, ...] = COUNT_UNITS
    # the marts' dbt contracts (expectations.contracts.mart_rules); none: no marts suites
    mart_rules: dict[str, Any] = field(default_factory=dict)
    # SQL giving (indicator, ceiling) of count indicators; "" = the default ceiling for every one
    ceilings_sql: str = ""
    # mart_agency_year's indicator columns (compared with mart_indicator_series)
    agency_year_indicators: tuple[str, ...] = ()
    # where the last build's start is recorded: build_state.slice_info | build_state.invocations
    build_started: str = "slice_info"
    # every row, or the rows of the documents changed since the last gate that passed
    scope: Scope = FULL


@dataclass(frozen=True)
class Part:
    """Some of a suite's expectations and the frame they are validated on."""

    label: str  # "" for the suite's main frame; else the GX suite is named "<suite>.<label>"
    frame: Frame
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True)
class Suite:
    """A named GX suite and the frame it validates (plus, for compact table suites, more frames)."""

    name: str
    family: str  # staging | marts | reconcile | warnings
    frame: Frame
    expectations: tuple[Expectation, ...]
    more: tuple[Part, ...] = ()  # further (frame, expectations) validated under the same suite name
    # the tables its outcome depends on (a table suite: its table and the parents of its foreign
    # keys); empty: not known, always validated. A delta gate carries the last outcome of a suite
    # whose tables are unchanged (``expectations.scope``)
    reads: tuple[str, ...] = ()

    def parts(self) -> tuple[Part, ...]:
        return (Part("", self.frame, self.expectations), *self.more)


def blocking(expectation_cls: type[Expectation], rule: str, **kwargs: object) -> Expectation:
    """An expectation whose failure stops publishing (GX severity ``critical``)."""
    return expectation_cls(severity="critical", description=rule, **kwargs)


def warning(expectation_cls: type[Expectation], rule: str, **kwargs: object) -> Expectation:
    """An expectation whose failure is recorded and shown but never blocks (GX severity ``warning``)."""
    return expectation_cls(severity="warning", description=rule, **kwargs)


def sql_list(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)
