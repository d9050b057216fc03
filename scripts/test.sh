#!/usr/bin/env bash
# Quickstart command 2: installs what is missing, checks style, then runs the whole test suite
# (slow end-to-end tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
GONGKAI_SETUP_BROWSER=1 bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
uv run --frozen --no-sync ruff check .
exec uv run --frozen --no-sync pytest "$@"
