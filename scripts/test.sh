#!/usr/bin/env bash
# `make test`: lint, format, types, migrations and the whole test suite on real services.
source "$(dirname "$0")/bootstrap.sh"

echo "== ruff"; ruff check . && ruff format --check .
echo "== mypy"; mypy
if [ "${1:-}" = "--lint-only" ]; then exit 0; fi
$PY manage.py preflight --create-database
echo "== migrations"; $PY manage.py makemigrations --check --dry-run
echo "== dependency audit"; $PY scripts/audit_dependencies.py
if [ ! -x /usr/bin/chromium ]; then
  # The browser tests drive Debian's Chromium; Playwright's own browser download is not used.
  echo "== chromium (Debian package, for the browser tests)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
echo "== pytest"; pytest "$@"
