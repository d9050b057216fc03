"""Gate (validation) and publish time on the synthetic warehouse, against the dbt build time.

    uv run python -m benchmarks.gate_bench                      # 100k synthetic reports
    uv run python -m benchmarks.gate_bench --n-reports 10000

A synthetic staging DuckDB (``benchmarks.dbt_bench.write_synthetic_staging``, labelled
``is_synthetic``) is built with ``dbt build --full-refresh`` in a child process, then a second child
runs ``run_validation`` (staging the Parquet files while the suites run, as the pipeline does) and
``publish`` (its peak RSS is its own). Target: the gate (validation +
publish) adds at most 50 % to the dbt build time. Then one more report is staged, a data-only
build runs and the gate runs again (``daily_*``, a delta gate: ``expectations.scope``): the daily
gate's cost against that build's (target: at most 100 %), and publishing after it apart (it writes
every Parquet file again, the two large tables included). Wall time and CPU time (user + system, of the
dbt child and of the two gate steps) are both reported: on a shared machine CPU time is steadier.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.dbt_bench import _build_in_child, synthetic_env, write_synthetic_staging
from gongkai.config import REPO_ROOT, Settings

_GATE = """
import json, os, resource, sys, time
def cpu():
    t = os.times()
    return t.user + t.system
t = time.perf_counter()
import great_expectations  # noqa: F401  (import time reported apart)
import_s = time.perf_counter() - t
from gongkai.config import Settings
from gongkai.publish import publish
from gongkai.validate import run_validation
s = Settings.from_env(sys.argv[1])
t, c = time.perf_counter(), cpu()
stage = sys.argv[2] == "stage"  # Parquet written while validating, as the pipeline does
v = run_validation(s, stage_parquet=stage)
validate_s, validate_cpu = time.perf_counter() - t, cpu() - c
# publishing is timed even when the gate blocks (a synthetic build can fail a check): the verdict is
# overridden for the timing only and the result says so (publish_forced)
import dataclasses

t, c = time.perf_counter(), cpu()
p = publish(s, validation=v if v.success else dataclasses.replace(v, success=True))
publish_s, publish_cpu = time.perf_counter() - t, cpu() - c
print(json.dumps({"import_s": round(import_s, 2), "validate_s": round(validate_s, 2),
                  "publish_s": round(publish_s, 2), "validate_cpu_s": round(validate_cpu, 1),
                  "publish_cpu_s": round(publish_cpu, 1), "publish_phases": p.phases, "parquet_staged_s": v.parquet_staged_s, "gate_ok": v.success, "published": p.published, "publish_forced": not v.success,
                  "reason": p.reason, "blocking_failed": v.blocking_failed, "warnings": v.warnings,
                  "failures": [f for f in v.failures if f["severity"] == "blocking"][:3],
                  "expectations": v.expectations, "suites": v.summary, "scope": v.scope,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def _gate_in_child(home: Path, stage: bool = True) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _GATE, str(home), "stage" if stage else "no-stage"],
        cwd=REPO_ROOT,
        env=synthetic_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"gate child failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(n_reports: int = 100000) -> dict:
    """Build a synthetic warehouse of ``n_reports`` reports, then time the gate and publishing."""
    with tempfile.TemporaryDirectory(prefix="gongkai-gate-bench-") as tmp:
        home = Path(tmp)
        settings = Settings.from_env(home)
        t = time.perf_counter()
        counts = write_synthetic_staging(
            settings.staging_db,
            n_reports,
            crosswalk_csv=settings.dbt_project_dir / "seeds" / "indicator_crosswalk.csv",
        )
        generate_s = round(time.perf_counter() - t, 1)
        cpu = _children_cpu()
        build = _build_in_child(home, "full")  # a failing dbt test still leaves the marts built
        build_cpu = _children_cpu() - cpu
        gate = _gate_in_child(home)
        serving_mb = (
            round(settings.serving_db.stat().st_size / 2**20, 1) if settings.serving_db.exists() else None
        )
        # the daily case: one more report, a data-only build, then the gate and publishing again
        write_synthetic_staging(
            settings.staging_db,
            1,
            start=n_reports,
            crosswalk_csv=settings.dbt_project_dir / "seeds" / "indicator_crosswalk.csv",
            parsed_at="2026-01-02 00:00:00",
        )
        daily_build = _build_in_child(home, "incremental")
        # the gate alone (its scope: the documents changed since the full gate above), then
        # publishing, which writes the Parquet files itself
        daily = _gate_in_child(home, stage=False)
    gate_s = gate["validate_s"] + gate["publish_s"]
    gate_cpu = gate["validate_cpu_s"] + gate["publish_cpu_s"]
    return {
        "label": f"{n_reports} synthetic reports",
        "staged_cells": counts["parsed_cells"],
        "generate_s": generate_s,
        "dbt_build_s": build["elapsed_s"],
        "validate_s": gate["validate_s"],
        "publish_s": gate["publish_s"],
        "gx_import_s": gate["import_s"],
        "parquet_staged_s": gate["parquet_staged_s"],  # Parquet written while validating (in validate_s)
        "publish_phases": gate["publish_phases"],
        "gate_pct_of_build": round(100 * gate_s / build["elapsed_s"], 1),
        "target_pct": 50,
        # CPU seconds (user + system) are steadier than wall time on a shared machine
        "dbt_build_cpu_s": round(build_cpu, 1),
        "validate_cpu_s": gate["validate_cpu_s"],
        "publish_cpu_s": gate["publish_cpu_s"],
        "gate_cpu_pct_of_build_cpu": round(100 * gate_cpu / build_cpu, 1) if build_cpu else None,
        "dbt_build_ok": build["success"],
        "dbt_failures": build["failures"],
        "gate_ok": gate["gate_ok"],
        "published": gate["published"],
        "publish_forced": gate["publish_forced"],
        "blocking_failed": gate["blocking_failed"],
        "blocking_failures": gate["failures"],
        "warnings": gate["warnings"],
        "expectations": gate["expectations"],
        "slowest_suites": sorted(gate["suites"], key=lambda r: -r["seconds"])[:5],
        "serving_mb": serving_mb,
        # after a data-only build of one more report: the gate (validate + publish) against that build
        "daily_build_mode": daily_build["mode"],
        "daily_build_s": daily_build["elapsed_s"],
        "daily_validate_s": daily["validate_s"],
        "daily_publish_s": daily["publish_s"],
        "daily_scope": daily["scope"],
        "daily_validate_cpu_s": daily["validate_cpu_s"],
        "daily_gate_pct_of_build": round(100 * daily["validate_s"] / daily_build["elapsed_s"], 1),
        "daily_target_pct": 100,
        "daily_publish_pct_of_build": round(100 * daily["publish_s"] / daily_build["elapsed_s"], 1),
        "daily_published": daily["published"],
        "daily_reason": daily["reason"],
        "peak_rss_mb": gate["peak_rss_mb"],
        "dbt_peak_rss_mb": build["peak_rss_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n-reports", type=int, default=100000)
    args = parser.parse_args()
    print(json.dumps(run(args.n_reports), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
