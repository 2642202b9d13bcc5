#!/usr/bin/env bash
# Create .venv (once) and install skillgap into it with the given extras.
# Usage: scripts/setup.sh [EXTRAS]   e.g. scripts/setup.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.installed-${extras:-base}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Installing skillgap${extras:+ with its $extras extras} into .venv (a few minutes the first time)..." >&2
  # -qq: errors only; setuptools' notes on editable installs are not for users.
  .venv/bin/python -m pip install -qq --upgrade pip
  .venv/bin/python -m pip install -qq -e ".${extras:+[$extras]}"
  touch "$stamp"
fi
