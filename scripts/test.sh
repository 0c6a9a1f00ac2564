#!/usr/bin/env bash
# `make test`: lint, format, types, migrations and the whole test suite on real services.
source "$(dirname "$0")/bootstrap.sh"

echo "== ruff"; ruff check . && ruff format --check .
echo "== mypy"; mypy
if [ "${1:-}" = "--lint-only" ]; then exit 0; fi
$PY manage.py preflight --create-database
echo "== migrations"; $PY manage.py makemigrations --check --dry-run
echo "== pytest"; pytest "$@"
