"""gongkai's parser side by side with a public deterministic parser, on the same texts in one run.

    GONGKAI_PEER_DIR=/path/to/govnianbao uv run python -m benchmarks.peer_bench [N]

The peer is zxj6827111-blip/govnianbao (it reads only the 2021 template): a checkout of it is
imported from ``$GONGKAI_PEER_DIR/src`` (nothing of it is kept in this repository). Three sets of
texts, fresh ones each pass: full G3 tables (synthetic, tab and one-cell-per-line layouts, the ones
the peer reads), prose-only reports (``synthetic.render_prose``) and fragments (one page of a G3
table: the rows of 表三 from a random row on, cut mid-row). Both parsers get every text of a pass,
best pass in CPU time of this process; the ratio is gongkai's rate over the peer's (> 1: gongkai
faster). Without ``GONGKAI_PEER_DIR`` only gongkai's rates are printed.
"""

from __future__ import annotations

import json
import os
import random
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


def _rate(parse: Callable[[str], object], passes: list[list[str]]) -> float:
    best = 0.0
    for texts_ in passes:
        cpu = time.process_time()
        for text in texts_:
            parse(text)
        best = max(best, len(texts_) / (time.process_time() - cpu))
    return best


def run(n: int = 1000, repeat: int = 3) -> list[dict]:
    rng = random.Random(20261201)
    peer = _peer()
    out = []
    for kind in ("full_tables", "prose_only", "fragments"):
        passes = [texts(kind, n, rng) for _ in range(repeat)]
        for text in texts(kind, 20, rng):  # warm both (lazy tables, memo of template lines)
            parse_text(text)
            if peer:
                peer(text)
        row: dict = {"label": kind, "gongkai_reports_per_s": round(_rate(parse_text, passes), 1)}
        if peer:
            row["peer_reports_per_s"] = round(_rate(peer, passes), 1)
            row["ratio"] = round(row["gongkai_reports_per_s"] / row["peer_reports_per_s"], 2)
        out.append(row)
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run(n)))


if __name__ == "__main__":
    main()
