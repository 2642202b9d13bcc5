#!/usr/bin/env bash
# Run the test suite. Extra arguments go to pytest (e.g. -k parsing, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/python -m pytest "$@"
