#!/usr/bin/env bash
# Quickstart command 1: installs what is missing, then runs the whole job on the embedded default
# (local portal replica -> one gongkai_daily Airflow run -> serving warehouse) and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.local/bin:$PATH"
exec uv run --frozen --no-sync gongkai demo "$@"
