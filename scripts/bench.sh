#!/usr/bin/env bash
# Run one benchmark script with the project's environment (benchmarks are not tests).
source "$(dirname "$0")/bootstrap.sh"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dde_bench}"
$PY manage.py preflight --create-database
$PY manage.py migrate --noinput >/dev/null
$PY "$@"
