"""Consistency checks of one parsed report. A failing check is data about the report, not an error.

``holds`` is True/False, or None when a cell it needs is missing or blank (so it cannot be judged).
"""

from __future__ import annotations

from functools import lru_cache

from gongkai.parsing import crosswalk

APPLICANTS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)

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

Values = dict[tuple[str, str | None], float | int | None]


def _fmt(v: float | int | None) -> str:
    if v is None:
        return "blank"
    if type(v) is int:
        return str(v)
    return str(int(v)) if float(v).is_integer() else str(v)


_ABSENT = object()


def sum_check(
    name: str, values: Values, total: tuple[str, str | None], parts: list[tuple[str, str | None]]
) -> dict:
    get = values.get
    t = get(total, _ABSENT)
    ps = [get(p, _ABSENT) for p in parts]
    if t is _ABSENT or _ABSENT in ps:
        missing = [k[0] for k in (total, *parts) if k not in values]
        return {"name": name, "holds": None, "detail": "not evaluated: missing " + ", ".join(missing)}
    if len(ps) > 8:
        expr = f"{total[0]} {_fmt(t)} vs the sum of {len(ps)} rows"
    else:
        expr = f"{total[0]} {_fmt(t)} vs " + " + ".join(_fmt(p) for p in ps)
    if t is None or None in ps:
        return {"name": name, "holds": None, "detail": expr + " (blank cell)"}
    s = sum(ps)
    return {"name": name, "holds": t == s, "detail": f"{expr} = {_fmt(s)}"}


_G1_KEYS = tuple((name, (total, None), [(p, None) for p in parts]) for name, total, parts in G1_SUMS)
_BALANCE_KEYS = {
    a: (("requests_received", a), ("requests_carried_in", a), ("results_total", a), ("carried_over", a))
    for a in APPLICANTS
}
_RESULT_KEYS = {
    (g, a): (f"t3_results_total[{a}]", ("results_total", a), [(r, a) for r in rows])
    for g, rows in RESULT_ROWS.items()
    for a in APPLICANTS
}
_T4_KEYS = tuple(
    (
        f"t4_{block}",
        (f"{block}_total", None),
        [(f"{block}_{o}", None) for o in ("upheld", "corrected", "other", "pending")],
    )
    for block in T4_BLOCKS
)


def table_checks(generation: str | None, values: Values) -> list[dict]:
    out: list[dict] = []
    if generation == "G1":
        for name, total, parts in _G1_KEYS:
            out.append(sum_check(name, values, total, parts))
    elif generation in ("G2", "G3"):
        get = values.get
        for a in APPLICANTS:
            keys = _BALANCE_KEYS[a]
            new, carried_in, results, carried_over = get(keys[0]), get(keys[1]), get(keys[2]), get(keys[3])
            if (
                new is not None
                and carried_in is not None
                and results is not None
                and carried_over is not None
            ):
                lhs = new + carried_in
                rhs = results + carried_over
                out.append(
                    {
                        "name": f"t3_balance[{a}]",
                        "holds": lhs == rhs,
                        "detail": f"new {_fmt(new)} + carried in {_fmt(carried_in)} = {_fmt(lhs)}; "
                        f"results {_fmt(results)} + carried over {_fmt(carried_over)} = {_fmt(rhs)}",
                    }
                )
            else:
                out.append(
                    {
                        "name": f"t3_balance[{a}]",
                        "holds": None,
                        "detail": "not evaluated: missing or blank cells",
                    }
                )
            name, total, parts = _RESULT_KEYS[(generation, a)]
            out.append(sum_check(name, values, total, parts))
        out.append(_applicant_total_check(values))
        for name, total, parts in _T4_KEYS:
            out.append(sum_check(name, values, total, parts))
    return out


@lru_cache(maxsize=1)
def _total_rows() -> tuple[tuple[str, tuple[str, str], tuple[tuple[str, str], ...]], ...]:
    """(indicator, its total key, its six applicant keys) of every 表三 row in the crosswalk, sorted."""
    inds = sorted({m.indicator for m in crosswalk.load().values() if m.applicant == "total"})
    return tuple((ind, (ind, "total"), tuple((ind, a) for a in APPLICANTS[:-1])) for ind in inds)


def _applicant_total_check(values: Values) -> dict:
    rows: list[str] = []  # the 表三 rows present (values only hold crosswalk keys)
    bad: list[str] = []
    unknown: list[str] = []
    get = values.get
    for ind, total_key, keys in _total_rows():
        total = get(total_key, _ABSENT)
        if total is _ABSENT:
            continue
        rows.append(ind)
        parts = [get(k) for k in keys]
        if total is None or None in parts:
            unknown.append(ind)
        elif sum(parts) != total:
            bad.append(f"{ind}: total {_fmt(total)} != {_fmt(sum(parts))}")
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
    for cell in narrative:
        ind = cell["indicator"]
        key = (ind, None) if (ind, None) in values else (ind, "total")
        if key not in values:
            continue
        t = values[key]
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
