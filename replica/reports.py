"""Report texts for the district replica: the three generations' templates filled with values that
satisfy every identity the parser checks (sums, 表三 balance, 总计 column, 表四 totals), rendered in
the seeds' layout (tab-prefixed cells, see :mod:`replica.layout`).

``build_report(agency, year, seed, broken=False)`` is deterministic in its arguments. ``broken``
adds one to a total (requests received), so that report breaks its own arithmetic on purpose.
Values are synthetic and say so nowhere in the text: the district replica is a clearly labelled
replica (``replica/README.md``), and its agencies and figures are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from gongkai.parsing import checks, crosswalk, synthetic
from gongkai.parsing.template import Row

Key = tuple[str, str | None]


@dataclass(frozen=True)
class ReportText:
    text: str
    generation: str
    requests_received: int  # the 总计 of new requests this year (as printed)
    broken: bool


def generation_of(year: int) -> str:
    """The template a report of ``year`` uses: G1 to 2018, G2 2019–2020, G3 from 2021."""
    return "G1" if year <= 2018 else "G2" if year <= 2020 else "G3"


def _sum_into(v: dict[Key, int], total: Key, parts: list[Key]) -> None:
    v[total] = sum(v[p] for p in parts)


def _values(rng: random.Random, generation: str, scale: int) -> dict[Key, int]:
    """Consistent values by (indicator, applicant)."""
    v: dict[Key, int] = {}

    def small(k: int = 1) -> int:
        return rng.choice((0, 0, 1, 2, 3, rng.randint(0, 6 * k)))

    if generation == "G1":
        for _, _total, parts in checks.G1_SUMS:
            for p in parts:
                v.setdefault((p, None), small(scale))
        for name, total, parts in checks.G1_SUMS:
            if name == "g1_replies_by_category":
                continue
            _sum_into(v, (total, None), [(p, None) for p in parts])
        _, total, parts = next(s for s in checks.G1_SUMS if s[0] == "g1_replies_by_category")
        _sum_into(v, (total, None), [(p, None) for p in parts])
        return v
    applicants = [a for a in checks.APPLICANTS if a != "total"]
    results = checks.RESULT_ROWS[generation]
    for a in applicants:
        person = a == "natural_person"
        for r in results:
            v[(r, a)] = (
                small(scale * 4)
                if person and r in ("results_granted", "unavailable_not_held")
                else (small() if person or rng.random() < 0.3 else 0)
            )
        v[("results_total", a)] = sum(v[(r, a)] for r in results)
        v[("carried_over", a)] = rng.choice((0, 0, 0, 1, 2)) if person else 0
        v[("requests_carried_in", a)] = min(rng.choice((0, 0, 1, 2)), v[("results_total", a)])
        v[("requests_received", a)] = (
            v[("results_total", a)] + v[("carried_over", a)] - v[("requests_carried_in", a)]
        )
    for ind in {k[0] for k in v}:
        v[(ind, "total")] = sum(v[(ind, a)] for a in applicants)
    for block in checks.T4_BLOCKS:
        outcomes = [f"{block}_{o}" for o in ("upheld", "corrected", "other", "pending")]
        for o in outcomes:
            v[(o, None)] = rng.choice((0, 0, 0, 1))
        _sum_into(v, (f"{block}_total", None), [(o, None) for o in outcomes])
    return v


def _fill(report: synthetic.SyntheticReport, rng: random.Random, v: dict[Key, int]) -> None:
    """Every printed cell: the consistent value of its indicator, else a free small number."""
    gen = report.generation
    for row in report.rows:
        for col in row.columns:
            m = crosswalk.lookup(gen, row.table, row.label, col)
            key = (m.indicator, m.applicant) if m else None
            if key in v:
                report.values[(row.label, col)] = v[key]
            elif col == "本年增/减":
                report.values[(row.label, col)] = rng.randint(-5, 5)
            else:
                report.values[(row.label, col)] = rng.choice((0, 1, 2, rng.randint(3, 60)))


def build_report(agency: str, year: int, seed: int, *, broken: bool = False, scale: int = 1) -> ReportText:
    """The text of ``agency``'s report for ``year`` (deterministic in the arguments)."""
    rng = random.Random(f"{agency}|{year}|{seed}")
    generation = generation_of(year)
    report = synthetic.generate(random.Random(rng.random()), generation, blank_rate=0.0)
    report.year = year
    report.agency = agency
    report.rows = _Rows(r for r in report.template.rows if _printed(r))
    report.values = {}
    v = _values(rng, generation, scale)
    _fill(report, rng, v)
    received_key = ("requests_received", None if generation == "G1" else "total")
    received = v.get(received_key, 0)
    if broken:  # the printed total no longer matches its parts
        for row in report.rows:
            for col in row.columns:
                m = crosswalk.lookup(generation, row.table, row.label, col)
                if m and (m.indicator, m.applicant) == received_key:
                    report.values[(row.label, col)] += 1
        received += 1
    if generation == "G1":
        report.prose_total = report.values.get(("主动公开政府信息数", "统计数"))
    text = synthetic.render(report, "tab", random.Random(rng.random()))
    return ReportText(text, generation, received, broken)


class _Rows(list):
    """The printed rows, with membership by identity (the renderer asks for every template row)."""

    def __init__(self, rows) -> None:
        super().__init__(rows)
        self._ids = {id(r) for r in self}

    def __contains__(self, row: object) -> bool:
        return id(row) in self._ids


def _printed(row: Row) -> bool:
    return bool(row.columns) and not row.values_optional
