#!/usr/bin/env bash
# Create (or refresh) the project's virtual environment in .venv from requirements.lock.
# Every package, the build backend included, is pinned with its hash; the fittrial
# package itself is installed in editable mode. Re-running is cheap: the environment is
# rebuilt only when requirements.lock or pyproject.toml changes, or when the checkout has
# moved (a .venv copied with `cp -r` from another checkout has scripts and an editable
# install that point at the other checkout, so it would silently run the other code).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
here=$(pwd -P)
stamp="$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1) $here"
if [ -f .venv/.fittrial-stamp ] && [ "$(cat .venv/.fittrial-stamp)" = "$stamp" ] \
   && [ "$(head -n1 .venv/bin/snakemake 2>/dev/null)" = "#!$here/.venv/bin/python" ]; then
  exit 0
fi
if [ -d .venv ]; then
  echo "Rebuilding .venv: the lock file changed, or it belongs to another checkout." >&2
fi
echo "Setting up .venv from requirements.lock ..." >&2
rm -rf .venv
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
echo "$stamp" > .venv/.fittrial-stamp
