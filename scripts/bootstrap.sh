# Sourced by the other scripts: makes .venv with everything installed, sets $PY.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3.11}"
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  PYTHON=python3
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtualenv in .venv ($("$PYTHON" --version))"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages (pyproject.toml)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi
PY=.venv/bin/python
export PATH="$PWD/.venv/bin:$PATH"
