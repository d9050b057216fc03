#!/usr/bin/env bash
# Installs everything gongkai needs on a fresh machine that has Python 3.11 and pip:
# the Debian packages used for legacy document extraction, uv, and the locked Python environment.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v antiword >/dev/null 2>&1 || need_apt+=(antiword)
command -v catdoc >/dev/null 2>&1 || need_apt+=(catdoc)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
# the tests' headless browser (Airflow UI backfill, dashboard screenshots) is Debian's chromium;
# scripts/test.sh asks for it, the demo does not need it
if [ "${GONGKAI_SETUP_BROWSER:-0}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  [ -d /usr/share/fonts/opentype/noto ] || need_apt+=(fonts-noto-cjk)  # Chinese labels in screenshots
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "setup: installing Debian packages: ${need_apt[*]}"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "setup: warning: cannot install ${need_apt[*]} (no apt-get); .doc extraction will fail" >&2
  fi
fi

if ! command -v uv >/dev/null 2>&1 && [ ! -x "$HOME/.local/bin/uv" ]; then
  echo "setup: installing uv"
  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv
fi
export PATH="$HOME/.local/bin:$PATH"
# the README's `uv run gongkai …` lines must work in a new shell too: put uv on the default PATH
if ! PATH="$(getconf PATH 2>/dev/null || echo /usr/bin:/bin):/usr/local/bin" command -v uv >/dev/null 2>&1; then
  uv_bin="$(command -v uv)"
  if [ -w /usr/local/bin ]; then
    ln -sf "$uv_bin" /usr/local/bin/uv
  else
    echo "setup: note: uv is at $uv_bin; add $(dirname "$uv_bin") to PATH to use the README's uv commands" >&2
  fi
fi
uv sync --frozen --quiet
