#!/usr/bin/env bash
# Install runai-audit with its test tools into .venv and run the whole test suite,
# including the headless-browser test of the HTML report (Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser test..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: chromium is missing; the browser test will be skipped (run as root to install it)" >&2
  fi
fi

python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -e '.[test]'

ruff check runai_audit tests benchmarks
mypy
lint-imports
python -m pytest -n 2 "$@"
