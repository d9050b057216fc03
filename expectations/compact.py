"""Compact frames for a table suite: the table stays in DuckDB, GX gets only what can fail.

``table_suite`` sorts a table's expectations into two frames (see ``expectations.frames``):

**rows** — key uniqueness, NOT NULL and foreign keys. DuckDB sorts a 64-bit hash of each key
(``hash(key)``, ``hash(document_id, version)``, …) to find the hashes shared by neighbours, and the
frame holds every *real row* whose key hash is shared by another row, every row with a NULL key column and every row whose
foreign key does not resolve (its ``orphan_<column>`` set, NULL otherwise). Every copy of a
duplicated key shares its hash, so all of them are in the frame and GX's uniqueness expectation
sees exactly the duplicates it would see on the whole table (a rare hash collision of two
*different* keys only adds rows GX finds unique). ``covers`` is ``count(*)`` of the table.

**values** — accepted values, ranges, not-negative, and any other column expectation: one row per
distinct combination of those columns actually present in the table, with its row count in
``n_rows``. GX checks every value present; the outcome's counts are weighted by ``n_rows`` so
``element_count`` and ``unexpected_count`` are table rows, as on the full table.
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from expectations.frames import Frame
from expectations.suites.base import Part, Suite

WEIGHT = "n_rows"
_ROW_CHECKS = (
    gxe.ExpectColumnValuesToBeUnique,
    gxe.ExpectCompoundColumnsToBeUnique,
    gxe.ExpectColumnValuesToNotBeNull,
)


@dataclass(frozen=True)
class Orphan:
    """A foreign key: ``keys`` (columns of the table) must match ``parent_keys`` of ``parent``.

    The frame column ``column`` holds ``shown`` (SQL over alias ``t``; default: the key) for a row
    whose (non-NULL) key does not resolve, NULL otherwise."""

    column: str
    keys: tuple[str, ...]
    parent: str
    parent_keys: tuple[str, ...] = ("key",)
    shown: str | None = None


def fk(column: str, parent: str) -> Orphan:
    """``main.<table>.<column>`` references ``main.<parent>.key``; frame column ``orphan_<column>``."""
    return Orphan(f"orphan_{column}", (column,), f"main.{parent}")


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def rows_sql(
    table: str,
    uniques: list[tuple[str, ...]],
    not_null: list[str],
    orphans: list[Orphan],
    delta: str | None = None,
) -> str:
    """Real rows of ``table`` (alias ``t``) that a uniqueness, NOT NULL or foreign-key check can fail on.

    ``delta`` (a delta gate, ``expectations.scope``): the relation holding the changed documents' rows
    of ``table``; only they are checked, except that a key which does not name its document
    (no ``document_id`` among its columns) is checked against the whole table: every row of
    ``table`` sharing the hash of a changed row's key is in the frame, changed or not."""
    src = delta or table
    ctes: list[str] = []
    conds: list[str] = []  # over the rows of src
    shared: list[str] = []  # over the rows of the whole table (delta: keys that do not name their document)
    joins: list[str] = []
    items = [f"t.{c}" for c in _dedupe([c for u in uniques for c in u] + not_null)]
    for i, cols in enumerate(uniques):
        h = f"hash({', '.join('t.' + c for c in cols)})"
        if delta is not None and "document_id" not in cols:
            ctes.append(
                f"dup_{i} as (select h from (select {h} as h from {table} as t)"
                f" where h in (select {h} from {delta} as t) group by h having count(*) > 1)"
            )
            shared.append(f"{h} in (select h from dup_{i})")
            continue
        # shared hashes found by sorting them and comparing neighbours: about half the CPU of a hash
        # aggregate whose groups are (nearly) all the rows of a 10-million-row table
        ctes.append(
            f"dup_{i} as (select h from (select h, lag(h) over (order by h) as prev"
            f" from (select {h} as h from {src} as t)) where h = prev)"
        )
        conds.append(f"{h} in (select h from dup_{i})")
    conds.extend(f"t.{c} is null" for c in _dedupe(not_null))
    for i, o in enumerate(orphans):
        alias = [f"k{j}" for j in range(len(o.keys))]
        distinct = ", ".join(f"t.{k} as {a}" for k, a in zip(o.keys, alias, strict=True))
        present = " and ".join(f"t.{k} is not null" for k in o.keys)
        resolves = " and ".join(f"p.{pk} = d.{a}" for pk, a in zip(o.parent_keys, alias, strict=True))
        ctes.append(
            f"orphan_{i} as (select d.* from (select distinct {distinct} from {src} as t where {present})"
            f" as d anti join {o.parent} as p on {resolves})"
        )
        on = " and ".join(f"o{i}.{a} = t.{k}" for k, a in zip(o.keys, alias, strict=True))
        joins.append(f"left join orphan_{i} as o{i} on {on}")
        items.append(f"case when o{i}.k0 is not null then {o.shown or 't.' + o.keys[0]} end as {o.column}")
        conds.append(f"o{i}.k0 is not null")
    with_ = f"with {', '.join(ctes)} " if ctes else ""
    where = " or ".join(conds) if conds else "false"
    select = f"select {', '.join(items)} from {{rel}} as t {' '.join(joins)}"
    if not shared:
        return f"{with_}{select.format(rel=src)} where {where}"
    # a delta gate: the changed rows that can fail, less those sharing a key hash (taken from the whole table)
    any_shared = " or ".join(shared)
    return (
        f"{with_}{select.format(rel=src)} where ({where}) and not ({any_shared})"
        f" union all {select.format(rel=table)} where {any_shared}"
    )


def values_sql(table: str, columns: dict[str, str], joins: str = "") -> str:
    """Distinct combinations of ``columns`` (name -> SQL over alias ``t``) with their row counts."""
    select = ", ".join(f"{expr} as {name}" for name, expr in columns.items())
    return f"select {select}, count(*) as {WEIGHT} from {table} as t {joins} group by all"


def _column(exp: Expectation) -> str | None:
    return getattr(exp, "column", None)


def table_suite(
    name: str,
    family: str,
    table: str,
    expectations: list[Expectation] | tuple[Expectation, ...],
    *,
    orphans: list[Orphan] | tuple[Orphan, ...] = (),
    values: dict[str, str] | None = None,
    joins: str = "",
    delta: str | None = None,
) -> Suite:
    """A suite over ``table`` validated on its rows frame and (when it has value checks) its values frame.

    ``values`` maps a value column the expectations name to its SQL (alias ``t``; default ``t.<column>``),
    ``joins`` are joined in for those expressions; ``orphans`` are the foreign keys, checked by
    ``ExpectColumnValuesToBeNull`` on their ``column``. ``delta``: the relation holding the changed
    documents' rows (a delta gate); the frames are built from it (see :func:`rows_sql`)."""
    orphan_columns = {o.column for o in orphans}
    row_exps: list[Expectation] = []
    value_exps: list[Expectation] = []
    uniques: list[tuple[str, ...]] = []
    not_null: list[str] = []
    for exp in expectations:
        if isinstance(exp, gxe.ExpectColumnValuesToBeUnique):
            uniques.append((str(exp.column),))
        elif isinstance(exp, gxe.ExpectCompoundColumnsToBeUnique):
            uniques.append(tuple(exp.column_list))
        elif isinstance(exp, gxe.ExpectColumnValuesToNotBeNull):
            not_null.append(str(exp.column))
        elif not (isinstance(exp, gxe.ExpectColumnValuesToBeNull) and _column(exp) in orphan_columns):
            if _column(exp) is None:
                raise ValueError(f"{name}: {type(exp).__name__} is not a column expectation")
            value_exps.append(exp)
            continue
        row_exps.append(exp)
    uniques = list(dict.fromkeys(uniques))
    rows = Frame(
        table,
        rows_sql(table, uniques, not_null, list(orphans), delta),
        covers=f"select count(*) from {delta or table}",
    )
    more: tuple[Part, ...] = ()
    if value_exps:
        given = values or {}
        columns = {c: given.get(c, f"t.{c}") for c in _dedupe([str(_column(e)) for e in value_exps])}
        more = (
            Part(
                "values",
                Frame(table, values_sql(delta or table, columns, joins), weight=WEIGHT),
                tuple(value_exps),
            ),
        )
    return Suite(name, family, rows, tuple(row_exps), more, reads=(table, *(o.parent for o in orphans)))
