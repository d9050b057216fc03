"""Consistency checks of one parsed report. A failing check is data about the report, not an error.

``holds`` is True/False, or None when a cell it needs is missing or blank (so it cannot be judged).
"""

from __future__ import annotations

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


def sum_check(
    name: str, values: Values, total: tuple[str, str | None], parts: list[tuple[str, str | None]]
) -> dict:
    missing = [k[0] for k in (total, *parts) if k not in values]
    if missing:
        return {"name": name, "holds": None, "detail": "not evaluated: missing " + ", ".join(missing)}
    t = values[total]
    ps = [values[p] for p in parts]
    if len(ps) > 8:
        expr = f"{total[0]} {_fmt(t)} vs the sum of {len(ps)} rows"
    else:
        expr = f"{total[0]} {_fmt(t)} vs " + " + ".join(_fmt(p) for p in ps)
    if t is None or any(p is None for p in ps):
        return {"name": name, "holds": None, "detail": expr + " (blank cell)"}
    s = sum(ps)
    return {"name": name, "holds": t == s, "detail": f"{expr} = {_fmt(s)}"}


def table_checks(generation: str | None, values: Values) -> list[dict]:
    out: list[dict] = []
    if generation == "G1":
        for name, total, parts in G1_SUMS:
            out.append(sum_check(name, values, (total, None), [(p, None) for p in parts]))
    elif generation in ("G2", "G3"):
        for a in APPLICANTS:
            keys = [
                ("requests_received", a),
                ("requests_carried_in", a),
                ("results_total", a),
                ("carried_over", a),
            ]
            if all(k in values for k in keys) and all(values[k] is not None for k in keys):
                lhs = values[keys[0]] + values[keys[1]]
                rhs = values[keys[2]] + values[keys[3]]
                out.append(
                    {
                        "name": f"t3_balance[{a}]",
                        "holds": lhs == rhs,
                        "detail": f"new {_fmt(values[keys[0]])} + carried in {_fmt(values[keys[1]])} = {_fmt(lhs)}; "
                        f"results {_fmt(values[keys[2]])} + carried over {_fmt(values[keys[3]])} = {_fmt(rhs)}",
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
            out.append(
                sum_check(
                    f"t3_results_total[{a}]",
                    values,
                    ("results_total", a),
                    [(r, a) for r in RESULT_ROWS[generation]],
                )
            )
        out.append(_applicant_total_check(values))
        for block in T4_BLOCKS:
            out.append(
                sum_check(
                    f"t4_{block}",
                    values,
                    (f"{block}_total", None),
                    [(f"{block}_{o}", None) for o in ("upheld", "corrected", "other", "pending")],
                )
            )
    return out


def _applicant_total_check(values: Values) -> dict:
    rows = sorted({ind for (ind, app) in values if app == "total"})
    bad: list[str] = []
    unknown: list[str] = []
    for ind in rows:
        parts = [values.get((ind, a)) for a in APPLICANTS[:-1]]
        total = values[(ind, "total")]
        if total is None or any(p is None for p in parts):
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
