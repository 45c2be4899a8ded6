#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv from requirements.lock.
# Every package, the build backend included, is pinned with its hash; the fittrial
# package itself is installed in editable mode. Re-running is cheap: the environment is
# rebuilt only when requirements.lock or pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
stamp=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ -f .venv/.fittrial-stamp ] && [ "$(cat .venv/.fittrial-stamp)" = "$stamp" ]; then
  exit 0
fi
echo "Setting up .venv from requirements.lock ..." >&2
rm -rf .venv
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
echo "$stamp" > .venv/.fittrial-stamp
