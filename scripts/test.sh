#!/usr/bin/env bash
# Set up, then run the whole test suite (browser tests included) on SQLite and PostgreSQL.
# PostgreSQL: 127.0.0.1:5432, trust auth, database `test` (JINGHAI_TEST_POSTGRES_URL to
# change); skipped with a reason when unreachable, required when CI=true.
# Arguments go to pytest, e.g. `bash scripts/test.sh tests/reporting -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Run from the repository root so pytest always finds tests/ (testpaths in pyproject.toml).
exec .venv/bin/pytest "$@"
