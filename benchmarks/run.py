"""Run every benchmark, each in its own process (so peak RSS is its own), and print one table.

    uv run python -m benchmarks.run            # everything (takes several minutes)
    uv run python -m benchmarks.run --quick    # smaller sizes, for a smoke check

The table is also written to ``benchmarks/results.md``; the README's benchmark table is copied from it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (module, keyword arguments for run(); quick variant)
BENCHES: dict[str, tuple[str, dict, dict]] = {
    "parse": ("benchmarks.parse_bench", {"n_synthetic": 5000}, {"n_synthetic": 500}),
    "peer": ("benchmarks.peer_bench", {"n": 2000}, {"n": 200}),  # side by side when GONGKAI_PEER_DIR is set
    "scrape": ("benchmarks.scrape_bench", {"n_reports": 1000}, {"n_reports": 100}),
    "dbt": ("benchmarks.dbt_bench", {"sizes": [1000, 10000, 100000]}, {"sizes": [1000]}),
    "gate": ("benchmarks.gate_bench", {"n_reports": 100000}, {"n_reports": 1000}),
}


def _run_child(code: str) -> tuple[object, float, float]:
    """Run Python ``code`` in a child; return (its JSON output, wall seconds, peak RSS MiB so far)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark failed:\n{proc.stderr[-3000:]}")
    last = [line for line in proc.stdout.splitlines() if line.startswith(("{", "["))][-1]
    return json.loads(last), wall, rss_mb


def _bench(module: str, kwargs: dict) -> tuple[object, float, float]:
    code = f"import json, sys\nfrom {module} import run\nprint(json.dumps(run(**{kwargs!r}), default=str))\n"
    return _run_child(code)


_DEMO_CODE = """
import json, os, resource, subprocess, sys, tempfile, time
out = {}
with tempfile.TemporaryDirectory() as home:
    env = {**os.environ, "GONGKAI_HOME": home}
    for label in ("first", "second"):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "gongkai.cli", "demo"], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(proc.stdout[-2000:] + proc.stderr[-2000:])
        out[f"demo_{label}_run_s"] = round(time.perf_counter() - start, 1)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def _demo() -> dict:
    """Wall time and peak RSS of `gongkai demo` on a fresh home, then of a second (no-op) run."""
    result, _, _ = _run_child(_DEMO_CODE)
    return result  # type: ignore[return-value]


def _rows(name: str, result: object) -> list[tuple[str, str]]:
    items = result if isinstance(result, list) else [result]
    rows = []
    for item in items:
        label = item.pop("label", None) if isinstance(item, dict) else None
        for key, value in item.items() if isinstance(item, dict) else [("value", item)]:
            rows.append((f"{name}{' ' + str(label) if label else ''}", f"{key} = {value}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke check)")
    parser.add_argument("--only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args()

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    table: list[tuple[str, str]] = []
    names = args.only or [*BENCHES, "demo"]
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        if name == "demo":
            table += _rows("demo", _demo())
            continue
        module, full, quick = BENCHES[name]
        result, wall, _ = _bench(module, quick if args.quick else full)
        table += _rows(name, result)
        table.append((name, f"benchmark wall time = {wall:.1f} s"))

    lines = [f"Machine: {machine}. Run: {time.strftime('%Y-%m-%d')}{' (quick)' if args.quick else ''}.", ""]
    lines += ["| benchmark | figure |", "|---|---|"] + [f"| {a} | {b} |" for a, b in table]
    text = "\n".join(lines)
    print(text)
    if not args.quick and not args.only:
        (ROOT / "benchmarks" / "results.md").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
