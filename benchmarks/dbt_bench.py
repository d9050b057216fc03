"""dbt build time and peak memory on synthetic staging data (labelled ``is_synthetic``).

    uv run python -m benchmarks.dbt_bench                 # 1k, 10k, 100k reports
    uv run python -m benchmarks.dbt_bench --sizes 1000    # one size

For each size a synthetic staging DuckDB is written straight with SQL (documents, raw_texts,
parse_results, parsed_cells, parse_checks: one cell per crosswalk row of the report's generation,
values from a hash, so nothing is real), then ``dbt build --full-refresh`` runs in a child process
(its peak RSS is its own), then one more synthetic report is added and ``gongkai.build.dbt_build``
runs again: a data-only build of the build slice (``dbt_project/macros/build_slice.sql``).
Targets: 100k reports <= 120 s on 2 cores; the incremental build <= 10 % of the full build.

Two clocks per build: ``*_build_s`` is the wall time of the whole call (Python imports of dbt, ~3 s,
and dbt's project load, ~1-2 s, then the run); ``*_run_s`` is dbt's own timer of the run (hooks,
models, tests: "Finished running ... in"). ``incremental_pct_of_full`` compares the runs,
``incremental_wall_pct_of_full`` the wall times: at 1k-10k reports the fixed ~5 s of startup is most
of either build.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from gongkai.config import REPO_ROOT, Settings

YEARS = 10  # synthetic agencies report on 2012..2021: G1 (2012-2018), G2 (2019-2020), G3 (2021)
FIRST_YEAR = 2012


def write_synthetic_staging(
    staging_db: Path,
    n_reports: int,
    *,
    start: int = 0,
    crosswalk_csv: Path | None = None,
    parsed_at: str = "2026-01-01 00:00:00",
) -> dict[str, int]:
    """Append synthetic reports ``start .. start + n_reports - 1`` to a staging DuckDB.

    Report ``i`` belongs to agency ``synthetic-{i // 10}`` and reports on year ``2012 + i % 10``;
    every 97th is quarantined, every 13th partial. Returns row counts written per table.
    """
    from gongkai.staging import connect

    crosswalk_csv = crosswalk_csv or REPO_ROOT / "dbt_project" / "seeds" / "indicator_crosswalk.csv"
    with connect(staging_db) as con:
        con.execute(
            f"""
            create or replace temp table syn_reports as
            select
                i,
                substr(md5('synthetic-report-' || i), 1, 16) as document_id,
                'synthetic-' || lpad(cast(i // {YEARS} as varchar), 6, '0') as agency_code,
                {FIRST_YEAR} + i % {YEARS} as report_year,
                case when {FIRST_YEAR} + i % {YEARS} <= 2018 then 'G1'
                     when {FIRST_YEAR} + i % {YEARS} <= 2020 then 'G2' else 'G3' end as generation,
                case when i % 97 = 0 then 'quarantined' when i % 13 = 0 then 'partial' else 'complete' end
                    as status,
                hash(i) as h
            from range({start}, {start + n_reports}) as t(i)
            """
        )
        stamp = f"timestamp '{parsed_at}'"
        con.execute(
            f"""
            insert into documents
            select document_id, 1, 'https://synthetic.invalid/xxgk/' || document_id || '.html', 'synthetic',
                   'synthetic-column', agency_code, '合成机构' || agency_code,
                   '合成报告 ' || agency_code || ' ' || report_year,
                   make_date(report_year + 1, 1 + cast(h % 4 as integer), 1 + cast(h % 28 as integer)),
                   'html', sha256(document_id), sha256(document_id || 'c'), '[]', 'ok', null, true,
                   {stamp}, {stamp}
            from syn_reports
            """
        )
        con.execute(
            f"""
            insert into raw_texts
            select document_id, 1, 'synthetic report ' || i, 'synthetic', '0', 20, {stamp} from syn_reports
            """
        )
        con.execute(
            f"""
            insert into parse_results (document_id, version, generation, template, report_year, agency,
                                       status, reasons, n_cells, parser_version, parsed_at)
            select document_id, 1, generation, generation || '-synthetic', report_year, '合成机构',
                   status, case when status = 'complete' then '[]' else '["synthetic ' || status || '"]' end,
                   0, 'synthetic', {stamp}
            from syn_reports
            """
        )
        con.execute(
            f"""
            create or replace temp table syn_crosswalk as
            -- one template cell per (generation, indicator, applicant): the crosswalk lists label
            -- variants of one cell (e.g. G1 rows with and without 政府公报), a report has only one
            select *, row_number() over (partition by generation order by table_id, row_label, column_label)
                as row_no
            from read_csv('{crosswalk_csv}', all_varchar = true, header = true)
            where indicator is not null
            qualify row_number() over (
                partition by generation, indicator, coalesce(applicant, 'total'), table_id = 'narrative'
                order by table_id, row_label, column_label
            ) = 1
            """
        )
        con.execute(
            f"""
            insert into parsed_cells
            select r.document_id, 1, cast(x.row_no as integer), x.table_id, x.row_label, x.column_label,
                   x.indicator, nullif(x.applicant, ''), cast(hash(r.i, x.row_no) % 50 as double),
                   cast(hash(r.i, x.row_no) % 50 as varchar), cast(x.row_no + 10 as integer),
                   case when x.table_id = 'narrative' then 'narrative' else 'table' end,
                   false, {stamp}
            from syn_reports as r
            join syn_crosswalk as x on x.generation = r.generation
            where r.status <> 'quarantined'
            """
        )
        con.execute(
            f"""
            insert into parse_checks
            select document_id, 1, n, 'synthetic_check_' || n, (i + n) % 7 <> 0, 'synthetic', {stamp}
            from syn_reports, range(1, 3) as t(n)
            where status <> 'quarantined'
            """
        )
        counts = {
            t: con.execute(f"select count(*) from {t}").fetchall()[0][0]
            for t in ("documents", "parse_results", "parsed_cells", "parse_checks")
        }
    return counts


_CHILD = """
import json, resource, sys
from gongkai.config import Settings
from gongkai.build import dbt_build

s = Settings.from_env(sys.argv[1])
r = dbt_build(s, full_refresh=sys.argv[2] == "full")
print(json.dumps({"success": r.success, "elapsed_s": r.elapsed_s, "run_s": r.run_s, "mode": r.mode,
                  "models": r.models,
                  "tests_passed": r.tests_passed, "tests_failed": r.tests_failed, "failures": r.failures[:3],
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def synthetic_env() -> dict[str, str]:
    """The environment of a benchmark child: its synthetic agencies belong in the warehouse (served
    builds leave them out)."""
    return {**os.environ, "GONGKAI_INCLUDE_SYNTHETIC": "true"}


def _build_in_child(home: Path, mode: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(home), mode],
        cwd=REPO_ROOT,
        env=synthetic_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"dbt build child failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def bench_size(n_reports: int) -> dict:
    """Full build of ``n_reports`` synthetic reports, then an incremental build after adding one."""
    with tempfile.TemporaryDirectory(prefix="gongkai-dbt-bench-") as tmp:
        home = Path(tmp)
        settings = Settings.from_env(home)
        t = time.perf_counter()
        crosswalk = settings.dbt_project_dir / "seeds" / "indicator_crosswalk.csv"
        counts = write_synthetic_staging(settings.staging_db, n_reports, crosswalk_csv=crosswalk)
        generate_s = round(time.perf_counter() - t, 1)
        full = _build_in_child(home, "full")
        write_synthetic_staging(
            settings.staging_db, 1, start=n_reports, crosswalk_csv=crosswalk, parsed_at="2026-01-02 00:00:00"
        )
        incremental = _build_in_child(home, "incremental")
        with duckdb.connect(str(settings.warehouse_db), read_only=True) as con:
            fct_rows = con.execute("select count(*) from main.fct_indicator_value").fetchall()[0][0]
    return {
        "label": f"{n_reports} synthetic reports",
        "staged_cells": counts["parsed_cells"],
        "fct_rows": fct_rows,
        "generate_s": generate_s,
        "full_build_s": full["elapsed_s"],
        "full_run_s": full["run_s"],
        "full_build_ok": full["success"],
        "full_peak_rss_mb": full["peak_rss_mb"],
        "incremental_mode": incremental["mode"],
        "incremental_build_s": incremental["elapsed_s"],
        "incremental_run_s": incremental["run_s"],
        "incremental_build_ok": incremental["success"],
        "incremental_models": incremental["models"],
        "incremental_tests_passed": incremental["tests_passed"],
        "incremental_pct_of_full": round(100 * incremental["run_s"] / full["run_s"], 1),
        "incremental_wall_pct_of_full": round(100 * incremental["elapsed_s"] / full["elapsed_s"], 1),
        "incremental_peak_rss_mb": incremental["peak_rss_mb"],
    }


def run(sizes: tuple[int, ...] | list[int] = (1000, 10000, 100000)) -> list[dict]:
    return [bench_size(n) for n in sizes]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    args = parser.parse_args()
    for n in args.sizes:
        print(json.dumps(bench_size(n)), flush=True)


if __name__ == "__main__":
    main()
