"""gongkai's parser side by side with a public deterministic parser, on the same texts in one run.

    GONGKAI_PEER_DIR=/path/to/govnianbao uv run python -m benchmarks.peer_bench [N]

The peer is zxj6827111-blip/govnianbao (it reads only the 2021 template): a checkout of it is
imported from ``$GONGKAI_PEER_DIR/src`` (nothing of it is kept in this repository). Three sets of
texts, fresh ones each pass: full G3 tables (synthetic, tab and one-cell-per-line layouts, the ones
the peer reads), prose-only reports (``synthetic.render_prose``) and fragments (one page of a G3
table: the rows of 表三 from a random row on, cut mid-row). Both parsers get every text of a pass,
in turns of ``BATCH`` texts (gongkai first in one turn, the peer first in the next), so that a
machine whose speed drifts (other work, a shared host) slows both alike; each rate is a pass's
texts over that parser's CPU time in it, best pass; the ratio is gongkai's rate over the peer's in
the same pass (> 1: gongkai faster), the median of the passes. Without ``GONGKAI_PEER_DIR`` only
gongkai's rates are printed.

Speed alone hides what each parser read, so each row also says how many figures a text yields on
average, from the first pass's texts (outside the timing): gongkai's cells with a value, and the
numbers anywhere in the peer's output (its table cells; it reads no prose).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from gongkai.parsing import parse_text
from gongkai.parsing.synthetic import generate, render, render_prose


def _fragment(rng: random.Random) -> str:
    """One PDF page of a G3 report: its running title, 表三 from a random row on, cut mid-row."""
    lines = render(generate(rng, "G3"), "lines", rng).split("\n")
    start = next(i for i, x in enumerate(lines) if x.startswith("三、收到和处理"))
    first = rng.randint(start + 8, start + 60)
    return "\n".join([lines[0], *lines[first : first + rng.randint(40, 160)], "第 2 页 共 3 页"])


def texts(kind: str, n: int, rng: random.Random) -> list[str]:
    if kind == "full_tables":
        return [render(generate(rng, "G3"), ("tab", "lines")[i % 2], rng) for i in range(n)]
    if kind == "prose_only":
        return [render_prose(rng)[0] for _ in range(n)]
    return [_fragment(rng) for _ in range(n)]


def numbers_in(result: object) -> int:
    """How many numbers (not booleans) a parser's JSON-like output holds, at any depth."""
    if isinstance(result, dict):
        return sum(numbers_in(v) for v in result.values())
    if isinstance(result, (list, tuple)):
        return sum(numbers_in(v) for v in result)
    return int(isinstance(result, (int, float)) and not isinstance(result, bool))


def gongkai_figures(text: str) -> int:
    """How many figures gongkai reads from a text: its cells with a value (table or prose)."""
    return sum(c["value"] is not None for c in parse_text(text)["cells"])


def _peer() -> Callable[[str], object] | None:
    root = os.environ.get("GONGKAI_PEER_DIR")
    if not root:
        return None
    src = Path(root) / "src"
    if not (src / "govnianbao").is_dir():
        raise SystemExit(f"GONGKAI_PEER_DIR={root}: no src/govnianbao there")
    sys.path.insert(0, str(src))
    import logging

    from govnianbao import parse_annual_report_text_to_dict  # type: ignore[import-not-found]

    logging.getLogger("govnianbao").setLevel(logging.CRITICAL)  # it logs every table it cannot read

    def peer(text: str) -> object:
        try:
            return parse_annual_report_text_to_dict(text)
        except Exception:  # a peer failure still costs its time
            return None

    return peer


BATCH = 50


def _rates(
    parsers: list[Callable[[str], object]], passes: list[list[str]]
) -> tuple[list[float], list[float]]:
    """(best rate of each parser, ratio of the first parser's rate to the second's in each pass):
    the parsers take turns over each pass, ``BATCH`` texts at a time, in alternating order."""
    best = [0.0] * len(parsers)
    ratios = []
    for texts_ in passes:
        cpu = [0.0] * len(parsers)
        for turn, at in enumerate(range(0, len(texts_), BATCH)):
            batch = texts_[at : at + BATCH]
            order = range(len(parsers)) if turn % 2 == 0 else reversed(range(len(parsers)))
            for i in order:
                parse = parsers[i]
                started = time.process_time()
                for text in batch:
                    parse(text)
                cpu[i] += time.process_time() - started
        rates = [len(texts_) / c for c in cpu]
        best = [max(b, r) for b, r in zip(best, rates, strict=True)]
        if len(rates) > 1:
            ratios.append(rates[0] / rates[1])
    return best, ratios


def run(n: int = 1000, repeat: int = 5) -> list[dict]:
    rng = random.Random(20261201)
    peer = _peer()
    out = []
    for kind in ("full_tables", "prose_only", "fragments"):
        passes = [texts(kind, n, rng) for _ in range(repeat)]
        for text in texts(kind, 20, rng):  # warm both (lazy tables, memo of template lines)
            parse_text(text)
            if peer:
                peer(text)
        rates, ratios = _rates([parse_text, peer] if peer else [parse_text], passes)
        row: dict = {"label": kind, "gongkai_reports_per_s": round(rates[0], 1)}
        if peer:
            row["peer_reports_per_s"] = round(rates[1], 1)
            row["ratio"] = round(statistics.median(ratios), 2)
        sample = passes[0]
        row["gongkai_figures_per_text"] = round(sum(map(gongkai_figures, sample)) / len(sample), 1)
        if peer:
            row["peer_figures_per_text"] = round(sum(numbers_in(peer(t)) for t in sample) / len(sample), 1)
        out.append(row)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run(n)))


if __name__ == "__main__":
    main()
