"""Parse throughput on one core: the five real seeds and synthetic reports of every generation and layout.

uv run python -m benchmarks.parse_bench [N_SYNTHETIC]
"""

from __future__ import annotations

import json
import random
import resource
import sys
import time

from gongkai.config import REPO_ROOT
from gongkai.parsing import parse_text
from gongkai.parsing.synthetic import LAYOUTS, generate, render


def _rate(texts: list[str], repeat: int = 3) -> tuple[float, float, int]:
    """Best of ``repeat`` passes: (reports per CPU second of this process, per wall second, cells).

    The best pass is the least disturbed by other work on the machine."""
    best_cpu = best_wall = 0.0
    cells = 0
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        cells = 0
        for text in texts:
            cells += len(parse_text(text)["cells"])
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        best_cpu = max(best_cpu, len(texts) / cpu)
        best_wall = max(best_wall, len(texts) / wall)
    return best_cpu, best_wall, cells


def run(n_synthetic: int = 2000) -> dict:
    """Reports parsed per second (synthetic mix, and the real seeds) and peak RSS of this process."""
    seeds = [
        p.read_text(encoding="utf-8") for p in sorted((REPO_ROOT / "fixtures" / "reports").glob("*.txt"))
    ]
    rng = random.Random(20240101)
    synthetic = []
    for i in range(n_synthetic):
        report = generate(rng)
        synthetic.append(render(report, LAYOUTS[i % len(LAYOUTS)], rng))
    parse_text(seeds[0])  # warm caches (crosswalk, OpenCC tables are lazy)
    seed_rate, seed_wall, _ = _rate(seeds * max(1, n_synthetic // (5 * 4)))
    synth_rate, synth_wall, cells = _rate(synthetic)
    return {
        "reports_per_s": round(synth_rate, 1),  # per CPU second on one core (one process, one thread)
        "reports_per_wall_s": round(synth_wall, 1),
        "seed_reports_per_s": round(seed_rate, 1),
        "seed_reports_per_wall_s": round(seed_wall, 1),
        "n_synthetic": n_synthetic,
        "cells_per_s": round(cells / (n_synthetic / synth_rate), 1),
        "target_reports_per_s": 2000,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(json.dumps(run(n)))


if __name__ == "__main__":
    main()
