"""The statistical table of one report: template rows matched in the tokens → contract cells, the
checks' values, and the reasons for rows that are missing, incomplete or implausible."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from gongkai.parsing.ceilings import ceiling_of, problem
from gongkai.parsing.checks import ABSENT, Values, new_values, slots
from gongkai.parsing.crosswalk import lookup
from gongkai.parsing.g1 import TEMPLATE as G1
from gongkai.parsing.g2 import TEMPLATE as G2
from gongkai.parsing.g3 import TEMPLATE as G3
from gongkai.parsing.template import Row, RowMatch, TableMatch, Template, match
from gongkai.parsing.tokens import CELL, LINE, Token

TEMPLATES: dict[str, Template] = {"G1": G1, "G2": G2, "G3": G3}

# a cell of a template row: its dict prototype, its checks.Values slot (or -1) and its indicator's ceiling
_CellPlan = tuple[dict, int, float]
# (template row index, row, its cells) of each row with cells
_Plan = list[tuple[int, Row, tuple[_CellPlan, ...]]]
_PLANS: dict[str, _Plan] = {}


@dataclass
class TableRead:
    template: str
    cells: list[dict] = field(default_factory=list)
    values: Values = field(default_factory=new_values)  # slot → first table cell's value
    reasons: list[str] = field(default_factory=list)
    region: tuple[int, int] | None = None  # first and last line of the table


def cell_prototype(table: str, row: str, column: str | None, indicator: str | None, source: str) -> dict:
    """A contract cell with its report-independent columns set (the key order is the contract's)."""
    return {
        "table": table,
        "row": row,
        "column": column,
        "indicator": indicator,
        "applicant": None,
        "value": None,
        "raw": None,
        "line": None,
        "source": source,
        "approximate": False,
    }


def _plan(generation: str) -> _Plan:
    """Every template row that has cells, with a prototype of each cell's output dict (the columns
    that do not depend on the report, codes from the crosswalk; the rest filled per report) and
    the slot of its (indicator, applicant) in ``checks.Values``."""
    plan = _PLANS.get(generation)
    if plan is None:
        plan = []
        slot_of = slots()
        for idx, row in enumerate(TEMPLATES[generation].rows):
            if not row.columns:
                continue
            cells = []
            for column in row.columns:
                m = lookup(generation, row.table, row.label, column)
                indicator, applicant = (m.indicator, m.applicant) if m else (None, None)
                proto = cell_prototype(row.table, row.label, column, indicator, "table")
                proto["applicant"] = applicant
                slot = slot_of[(indicator, applicant)] if indicator else -1
                cells.append((proto, slot, ceiling_of(indicator)))
            plan.append((idx, row, tuple(cells)))
        _PLANS[generation] = plan
    return plan


@cache
def _grouped(generation: str) -> tuple[tuple[int, str], ...]:
    """(index, group) of the template rows that belong to a group."""
    return tuple((i, row.group) for i, row in enumerate(TEMPLATES[generation].rows) if row.group)


@cache
def _rows_labelled(generation: str, label: str) -> tuple[int, ...]:
    return tuple(i for i, row in enumerate(TEMPLATES[generation].rows) if row.label == label)


def _found(generation: str, label: str, matches: dict[int, RowMatch]) -> bool:
    """Whether a row of the template with this label was found."""
    return any(i in matches for i in _rows_labelled(generation, label))


def _num(v: float | int) -> float | int:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _variant(generation: str, name: str, matches: dict[int, RowMatch]) -> str:
    if generation == "G1":
        if _found(generation, "政府公报公开政府信息数", matches):
            name += "+gazette"
        if any(_found(generation, label, matches) for label in ("接受培训人员数", "举办各类培训班数")):
            name += "+section9"
    return name


def read_table(generation: str, tokens: list[Token]) -> TableRead:
    """The cells of ``generation``'s table found in ``tokens``, in template order."""
    template = TEMPLATES[generation]
    tm = match(template, tokens)
    out = TableRead(_variant(generation, template.name, tm.matches))
    if tm.start_line is not None and tm.end_line is not None:
        out.region = (tm.start_line, tm.end_line)
    missing: list[int] = []
    last_found = max(tm.matches) if tm.matches else -1
    groups_present = {group for i, group in _grouped(generation) if i in tm.matches}
    # the cells of the rows read, in template order: gathered, then made in one loop (cheaper than a
    # loop per row: most G1 rows have one cell)
    row_cells: list[_CellPlan] = []
    row_tokens: list[Token] = []
    for idx, row, cells in _plan(generation):
        rm = tm.matches.get(idx)
        if rm is None:
            if not row.optional or row.group in groups_present:
                missing.append(idx)
            continue
        row_values = rm.values
        if row.values_optional and all(t[CELL] is None or t[CELL].value is None for t in row_values):
            continue  # a parent row (不予公开) printed with empty cells: structure, not data
        extra = tm.surplus.get(idx)
        if extra and row.columns[-1] == "总计" and not _sums_to_total(row, row_values):
            # (a row without a 总计 cannot show where the extra number came from: read as before)
            out.reasons.append(
                f"row misaligned: {row.table} {row.label}: {extra} more number(s) than its {len(cells)} "
                f"cells before the next row (line {rm.label_token[LINE]}); a page number or a stray cell "
                "may have shifted them, so the row is left out"
            )
            continue
        if len(row_values) < len(cells):
            if _total_proven(row, row_values) and idx < last_found:
                # blank cells lost in extraction: only the 总计 at the row's end is certain
                row_cells.append(cells[-1])
                row_tokens.append(row_values[-1])
                out.reasons.append(
                    f"row lost cells: {row.table} {row.label}: {len(row_values)} of {len(cells)} cells "
                    f"(line {rm.label_token[LINE]}); 总计 taken from the row's end (the other cells sum to "
                    "it), the other columns left out"
                )
            elif row_values or not row.values_optional:
                out.reasons.append(_incomplete(row, rm, len(cells)))
            continue
        row_cells += cells
        row_tokens += row_values
    _make_cells(row_cells, row_tokens, out)
    out.reasons += missing_rows(template, missing, tm)
    return out


def _whole_numbers(values: list[Token]) -> list[float | int] | None:
    """The values of these cells when every one is a whole number ≥ 0 (else None: a blank or not)."""
    nums: list[float | int] = []
    for t in values:
        cell = t[CELL]
        v = cell.value if cell is not None else None
        if v is None or v < 0 or v != int(v):
            return None
        nums.append(v)
    return nums


def _total_proven(row: Row, values: list[Token]) -> bool:
    """Whether a short row's last value is its 总计: the row ends with a 总计 column and its values,
    at least two and all positive but blanks, are parts that sum exactly to the last one."""
    if len(values) < 2 or row.columns[-1] != "总计":
        return False
    nums = _whole_numbers(values)
    if nums is None:
        return False
    *parts, total = nums
    return total > 0 and any(parts) and sum(parts) == total


def _sums_to_total(row: Row, values: list[Token]) -> bool:
    """Whether a row's cells prove their alignment: every cell is a whole number and all but the
    last (its 总计) sum exactly to it."""
    if len(values) != len(row.columns) or len(values) < 2:
        return False
    nums = _whole_numbers(values)
    return nums is not None and sum(nums[:-1]) == nums[-1]


def _incomplete(row: Row, rm: RowMatch, n: int) -> str:
    return (
        f"row incomplete: {row.table} {row.label}: {len(rm.values)} of {n} cells "
        f"(line {rm.label_token[LINE]})"
    )


def _make_cells(cells: list[_CellPlan], tokens: list[Token], out: TableRead) -> None:
    add_cell = out.cells.append
    values = out.values
    for (proto, slot, ceiling), (_, raw, _, cell, line) in zip(cells, tokens, strict=True):
        c = proto.copy()  # keeps the contract's key order; cheaper than a dict display
        c["raw"] = raw
        c["line"] = line
        if cell is None or (value := cell[0]) is None:  # the prototype's None value stays
            value = None
        else:
            if type(value) is not int or not 0 <= value <= ceiling:
                if type(value) is float:
                    value = _num(value)
                if not (type(value) is int and 0 <= value <= ceiling):
                    why = problem(proto["indicator"], value)
                    if why is not None:
                        shown = raw if len(raw) <= 24 else raw[:20] + f"… ({len(raw)} characters)"
                        out.reasons.append(
                            f"implausible cell left out: {proto['table']} {proto['row']} {proto['column']} "
                            f"= {shown} (line {line}): {why}"
                        )
                        continue
            c["value"] = value
            if cell[1]:  # approximate (else the prototype's False stays)
                c["approximate"] = True
        add_cell(c)
        if slot >= 0 and values[slot] is ABSENT:
            values[slot] = value


def missing_rows(template: Template, missing: list[int], tm: TableMatch) -> list[str]:
    """Reasons for the template rows not found: each inner one, then the rows after the last found."""
    if not missing:
        return []
    reasons = []
    last_found = max(tm.matches) if tm.matches else -1
    first_found = min(tm.matches) if tm.matches else -1
    trailing = [i for i in missing if i > last_found]
    leading = [i for i in missing if i < first_found]
    if len(leading) > 3:  # a fragment that starts mid-table (no heading, the first rows on another page)
        names = ", ".join(template.rows[i].label for i in leading[:3])
        reasons.append(
            f"table starts mid-way at {template.rows[first_found].label}: {len(leading)} template rows "
            f"before it missing ({names}, …)"
        )
        leading_set = set(leading)
    else:
        leading_set = set()
    for i in missing:
        if i <= last_found and i not in leading_set:
            reasons.append(f"row missing: {template.rows[i].table} {template.rows[i].label}")
    if trailing:
        after = template.rows[last_found].label if last_found >= 0 else "the table heading"
        names = ", ".join(template.rows[i].label for i in trailing[:3])
        reasons.append(
            f"table breaks off after {after}: {len(trailing)} template rows missing ({names}"
            f"{', …' if len(trailing) > 3 else ''})"
        )
    return reasons
