"""Rewrite tests/golden/texts/*.json from the current parser (then re-check the diff by hand).

uv run python -m tests.parsing.regen_texts
"""

from __future__ import annotations

import json

from gongkai.config import REPO_ROOT
from gongkai.parsing import parse_text

TEXTS = REPO_ROOT / "tests" / "golden" / "texts"


def main() -> None:
    for text in sorted(TEXTS.glob("*.txt")):
        result = parse_text(text.read_text(encoding="utf-8"))
        text.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(text.relative_to(REPO_ROOT), result["status"], len(result["cells"]), "cells")


if __name__ == "__main__":
    main()
