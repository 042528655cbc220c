#!/usr/bin/env bash
# Set up, then run the platform on SQLite with demo data at http://127.0.0.1:8000.
# The demo logins are printed on the console. Extra arguments go to `jinghai demo`
# (e.g. --fresh, --days 60, --no-serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/jinghai demo "$@"
