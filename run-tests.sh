#!/usr/bin/env bash
# Quick start 2: set up the same environment and run the tests. Extra arguments go to pytest.
#   bash run-tests.sh           the fast tests (a few minutes; the whole-workflow tests are left out)
#   bash run-tests.sh --full    also every test that runs the whole workflow (what CI runs; about 13 minutes)
set -euo pipefail
cd "$(dirname "$0")"
bash tools/setup-env.sh
# axe-core for the desk's accessibility tests, from the npm registry (pinned by hash; skipped when offline)
.venv/bin/python tools/fetch_axe.py --optional > /dev/null
if [ "${1:-}" = "--full" ]; then
  shift
  set -- -m "not shapes_full and not slow_shape and not slurm" "$@"
fi
exec .venv/bin/python -m pytest "$@"
