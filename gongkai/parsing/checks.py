"""Consistency checks of one parsed report. A failing check is data about the report, not an error.

``holds`` is True/False, or None when a cell it needs is missing or blank (so it cannot be judged).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import is_, itemgetter
from typing import NamedTuple, cast

from gongkai.parsing.crosswalk import load as load_crosswalk
from gongkai.reference import APPLICANTS

G1_SUMS = (
    (
        "g1_requests_by_channel",
        "requests_received",
        ("requests_in_person", "requests_fax", "requests_online", "requests_letter"),
    ),
    ("g1_requests_closed", "requests_closed", ("requests_closed_on_time", "requests_closed_extended")),
    (
        "g1_replies_by_category",
        "results_total",
        (
            "results_already_public",
            "results_granted",
            "results_partial",
            "results_denied",
            "results_not_this_agency",
            "results_info_not_exist",
            "results_asked_to_amend",
            "results_other_channel",
        ),
    ),
    (
        "g1_denied_by_reason",
        "results_denied",
        (
            "denied_state_secret",
            "denied_commercial_secret",
            "denied_privacy",
            "denied_three_securities_one_stability",
            "denied_not_government_info",
            "denied_other_law",
        ),
    ),
    ("g1_reviews_by_outcome", "reviews_total", ("reviews_upheld", "reviews_corrected", "reviews_other")),
    (
        "g1_litigation_by_outcome",
        "litigation_total",
        ("litigation_upheld", "litigation_corrected", "litigation_other"),
    ),
    ("g1_staff", "staff_total", ("staff_full_time", "staff_part_time")),
)
_DENIED = (
    "denied_state_secret",
    "denied_other_law",
    "denied_three_securities_one_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_law_enforcement_files",
    "denied_administrative_query",
)
_COMMON_RESULTS = (
    "results_granted",
    "results_partial",
    *_DENIED,
    "unavailable_not_held",
    "unavailable_needs_creation",
    "unavailable_unclear",
    "not_processed_petition",
    "not_processed_duplicate",
    "not_processed_publication",
    "not_processed_repetitive",
    "not_processed_confirmation",
)
RESULT_ROWS = {
    "G2": (*_COMMON_RESULTS, "results_other"),
    "G3": (*_COMMON_RESULTS, "other_no_amendment", "other_fee_unpaid", "other_misc"),
}
T4_BLOCKS = ("reviews", "litigation_direct", "litigation_after_review")

Key = tuple[str, str | None]  # (indicator, applicant)
Values = list[object]  # slot (see ``slots``) → value of the key's first table cell, or ABSENT
ABSENT: object = object()  # no table cell of that key


def _fmt(v: float | int | None) -> str:
    if type(v) is int:
        return str(v)
    if v is None:
        return "blank"
    return str(int(v)) if float(v).is_integer() else str(v)


_SumKeys = tuple[str, Key, list[Key]]  # a sum check's name, its total's key and its parts' keys
_G1_KEYS: tuple[_SumKeys, ...] = tuple((name, (total, None), [(p, None) for p in parts]) for name, total, parts in G1_SUMS)
_BALANCE_KEYS = {
    a: (("requests_received", a), ("requests_carried_in", a), ("results_total", a), ("carried_over", a))
    for a in APPLICANTS
}
_RESULT_KEYS: dict[tuple[str, str], _SumKeys] = {
    (g, a): (f"t3_results_total[{a}]", ("results_total", a), [(r, a) for r in rows])
    for g, rows in RESULT_ROWS.items()
    for a in APPLICANTS
}
_T4_KEYS: tuple[_SumKeys, ...] = tuple(
    (
        f"t4_{block}",
        (f"{block}_total", None),
        [(f"{block}_{o}", None) for o in ("upheld", "corrected", "other", "pending")],
    )
    for block in T4_BLOCKS
)


@lru_cache(maxsize=1)
def slots() -> dict[Key, int]:
    """Key → its position in a report's ``Values``: every crosswalk key and every key a check reads.

    Checks read values by position (one C-level ``itemgetter`` per check) rather than by hashing
    (indicator, applicant) tuples, which made up most of their cost."""
    keys: dict[Key, None] = {}
    for m in load_crosswalk().values():
        if m.indicator:
            keys[(m.indicator, m.applicant)] = None
    for _, total, parts in (*_G1_KEYS, *_RESULT_KEYS.values(), *_T4_KEYS):
        keys.update(dict.fromkeys((total, *parts)))
    for bal in _BALANCE_KEYS.values():
        keys.update(dict.fromkeys(bal))
    for ind in _total_indicators():
        keys.update(dict.fromkeys((ind, a) for a in APPLICANTS))
    return {k: i for i, k in enumerate(keys)}


def new_values() -> Values:
    """An empty ``Values`` (every key absent)."""
    return [ABSENT] * len(slots())


def _judge(
    name: str, total_name: str, t: float | int | None, ps: Sequence[float | int | None], s: float | int | None
) -> dict:
    """The check dict of total ``t`` against its parts ``ps`` (every cell present) and their sum
    ``s`` (None when a part is blank)."""
    if len(ps) > 8:
        expr = f"{total_name} {_fmt(t)} vs the sum of {len(ps)} rows"
    else:
        expr = f"{total_name} {_fmt(t)} vs " + " + ".join(map(_fmt, ps))
    if t is None or s is None:
        return {"name": name, "holds": None, "detail": expr + " (blank cell)"}
    return {"name": name, "holds": t == s, "detail": f"{expr} = {_fmt(s)}"}


class _Sum(NamedTuple):
    """A sum check: its keys and a getter of (total, *parts) from ``Values``."""

    name: str
    keys: tuple[Key, ...]  # total, *parts
    cells: Callable[[Values], tuple]
    absent: tuple[object, ...]  # ABSENT once per cell (for a C-level scan of which are absent)

    def check(self, values: Values) -> dict:
        cells = self.cells(values)
        absent = bytes(map(is_, cells, self.absent))  # 1 where a cell is absent (made and searched in C)
        if 1 in absent:
            key = (self.name, absent)
            detail = _MISSING.get(key)
            if detail is None:
                missing = [k[0] for k, v in zip(self.keys, cells, strict=True) if v is ABSENT]
                detail = "not evaluated: missing " + ", ".join(missing)
                if len(_MISSING) < 10_000:
                    _MISSING[key] = detail
            return {"name": self.name, "holds": None, "detail": detail}
        ps = cells[1:]
        try:
            s = sum(ps)  # cells are numbers or None (blank): a TypeError means one is blank
        except TypeError:
            s = None
        return _judge(self.name, self.keys[0][0], cells[0], ps, s)  # type: ignore[arg-type]


_MISSING: dict[tuple[str, bytes], str] = {}  # (check name, which of its cells are absent) → its detail


def _sum(name: str, total: Key, parts: list[Key]) -> _Sum:
    slot = slots()
    return _Sum(
        name, (total, *parts), itemgetter(slot[total], *(slot[p] for p in parts)), (ABSENT,) * (1 + len(parts))
    )




class _Specs(NamedTuple):
    g1: tuple[_Sum, ...]
    # G2/G3: of each applicant, the balance check's name and getter of its four cells, and the
    # results_total sum check
    t3: dict[str, tuple[tuple[str, Callable[[Values], tuple], _Sum], ...]]
    t4: tuple[_Sum, ...]
    # of each 表三 row: its indicator, the slot of its 总计 and a getter of its six applicant columns
    totals: tuple[tuple[str, int, Callable[[Values], tuple]], ...]


@lru_cache(maxsize=1)
def _specs() -> _Specs:
    slot = slots()
    return _Specs(
        tuple(_sum(*k) for k in _G1_KEYS),
        {
            g: tuple(
                (
                    f"t3_balance[{a}]",
                    itemgetter(*(slot[k] for k in _BALANCE_KEYS[a])),
                    _sum(*_RESULT_KEYS[(g, a)]),
                )
                for a in APPLICANTS
            )
            for g in RESULT_ROWS
        },
        tuple(_sum(*k) for k in _T4_KEYS),
        tuple(
            (ind, slot[(ind, "total")], itemgetter(*(slot[(ind, a)] for a in APPLICANTS[:-1])))
            for ind in _total_indicators()
        ),
    )


def table_checks(generation: str | None, values: Values) -> list[dict]:
    specs = _specs()
    out: list[dict] = []
    if generation == "G1":
        for spec in specs.g1:
            out.append(spec.check(values))
    elif generation in ("G2", "G3"):
        for name, balance, result in specs.t3[generation]:
            new, carried_in, results, carried_over = balance(values)
            if (
                new is None
                or carried_in is None
                or results is None
                or carried_over is None
                or ABSENT in (new, carried_in, results, carried_over)
            ):
                out.append({"name": name, "holds": None, "detail": "not evaluated: missing or blank cells"})
            else:
                lhs = new + carried_in
                rhs = results + carried_over
                if type(lhs) is int and type(rhs) is int:  # four ints (the common case): as _fmt writes them
                    detail = (
                        f"new {new} + carried in {carried_in} = {lhs}; "
                        f"results {results} + carried over {carried_over} = {rhs}"
                    )
                else:
                    detail = (
                        f"new {_fmt(new)} + carried in {_fmt(carried_in)} = {_fmt(lhs)}; "
                        f"results {_fmt(results)} + carried over {_fmt(carried_over)} = {_fmt(rhs)}"
                    )
                out.append({"name": name, "holds": lhs == rhs, "detail": detail})
            out.append(result.check(values))
        out.append(_applicant_total_check(values, specs.totals))
        for spec in specs.t4:
            out.append(spec.check(values))
    return out


@lru_cache(maxsize=1)
def _total_indicators() -> tuple[str, ...]:
    """The indicator of every 表三 row in the crosswalk (those with a 总计 column), sorted."""
    return tuple(sorted({m.indicator for m in load_crosswalk().values() if m.applicant == "total"}))


def _applicant_total_check(
    values: Values, totals: tuple[tuple[str, int, Callable[[Values], tuple]], ...]
) -> dict:
    rows: list[str] = []  # the 表三 rows present (values only hold crosswalk keys)
    bad: list[str] = []
    unknown: list[str] = []
    for ind, total_slot, columns in totals:
        cell = values[total_slot]
        if cell is ABSENT:
            continue
        total = cast("float | int | None", cell)
        rows.append(ind)
        try:
            s = sum(columns(values))  # a TypeError: a blank (None) or absent column, which counts as blank
        except TypeError:
            s = None
        if total is None or s is None:
            unknown.append(ind)
        elif s != total:
            if type(s) is int and type(total) is int:  # as _fmt writes them
                bad.append(f"{ind}: total {total} != {s}")
            else:
                bad.append(f"{ind}: total {_fmt(total)} != {_fmt(s)}")
    if not rows:
        return {"name": "t3_total_column", "holds": None, "detail": "not evaluated: no 表三 rows"}
    if bad:
        return {"name": "t3_total_column", "holds": False, "detail": "; ".join(bad)}
    if unknown:
        return {"name": "t3_total_column", "holds": None, "detail": "blank cells in: " + ", ".join(unknown)}
    return {
        "name": "t3_total_column",
        "holds": True,
        "detail": f"总计 = sum of six applicant columns in {len(rows)} rows",
    }


def prose_checks(values: Values, narrative: list[dict]) -> list[dict]:
    """Each prose figure against the table cell of the same indicator, where the table has that row."""
    out: list[dict] = []
    slot = slots()
    for cell in narrative:
        ind = cell["indicator"]
        got = _get(values, slot, (ind, None))
        if got is ABSENT:
            got = _get(values, slot, (ind, "total"))
            if got is ABSENT:
                continue
        t = cast("float | int | None", got)
        p = cell["value"]
        name = f"prose_vs_table[{ind}]"
        if t is None:
            out.append(
                {
                    "name": name,
                    "holds": None,
                    "detail": f"prose says {_fmt(p)} (line {cell['line']}); the table cell is blank",
                }
            )
        elif cell["approximate"]:
            out.append(
                {
                    "name": name,
                    "holds": t >= p,
                    "detail": f"prose says about {_fmt(p)} (line {cell['line']}); table says {_fmt(t)}",
                }
            )
        else:
            out.append(
                {
                    "name": name,
                    "holds": t == p,
                    "detail": f"prose says {_fmt(p)} (line {cell['line']}); table says {_fmt(t)}",
                }
            )
    return out


def _get(values: Values, slot: dict[Key, int], key: Key) -> object:
    i = slot.get(key)
    return ABSENT if i is None else values[i]
