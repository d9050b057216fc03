"""Suites kept as code, one module per table family: ``staging`` (documents, texts, parse results,
cells, checks), ``marts`` (dimensions, facts, marts), ``reconcile`` (counts across the layers) and
``warnings`` (the reports' own arithmetic, prose vs table, year-over-year jumps).

Severity: an expectation built with :func:`blocking` (GX severity ``critical``) stops publishing;
one built with :func:`warning` (GX severity ``warning``) is recorded and shown, never blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from great_expectations.expectations.expectation import Expectation

from expectations.frames import Frame

# Units of indicators that count things (items, requests, people): their values are never negative.
COUNT_UNITS = ("件", "条", "人", "人次", "次", "个", "项", "宗", "篇", "份", "场", "期", "count")
GENERATIONS = ("G1", "G2", "G3")
APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
FIRST_REPORT_YEAR = 2008  # the 2008 regulation's first reporting year


@dataclass(frozen=True)
class GateParams:
    """Run-time parameters of the suites."""

    current_year: int = field(default_factory=lambda: date.today().year)
    yoy_factor: float = 10.0  # a value more than this many times (or less than 1/this) last year's warns
    applicants: tuple[str, ...] = APPLICANTS
    count_units: tuple[str, ...] = COUNT_UNITS


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


def all_suites(params: GateParams) -> list[Suite]:
    """Every suite of the gate, staging first, in the order they run."""
    from expectations.suites import marts, reconcile, staging, warnings

    return [
        *staging.suites(params),
        *marts.suites(params),
        *reconcile.suites(params),
        *warnings.suites(params),
    ]
