"""Rewrite tests/golden/*.json from the current parser (then re-check the diff by hand).

uv run python -m tests.parsing.regen_golden
"""

from __future__ import annotations

import json

from gongkai.config import REPO_ROOT
from gongkai.parsing import parse_text

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
SEED_DIR = REPO_ROOT / "fixtures" / "reports"


def main() -> None:
    for seed in sorted(SEED_DIR.glob("*.txt")):
        result = parse_text(seed.read_text(encoding="utf-8"))
        out = GOLDEN_DIR / f"{seed.stem}.json"
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(out.relative_to(REPO_ROOT), len(result["cells"]), "cells")


if __name__ == "__main__":
    main()
