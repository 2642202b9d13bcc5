#!/usr/bin/env bash
# Run skillgap: the web app and a worker, on http://127.0.0.1:5000 by default.
# With no REDIS_URL/DATABASE_URL it needs no server (SQLite + a file-system queue).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh serve
exec .venv/bin/skillgap serve "$@"
