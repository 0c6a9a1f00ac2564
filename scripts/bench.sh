#!/usr/bin/env bash
# Run one benchmark script with the project's environment (benchmarks are not tests).
source "$(dirname "$0")/bootstrap.sh"
# Benchmarks use their own database and Redis database, away from `make run` and the tests.
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/dde_bench}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/13}"
$PY manage.py preflight --create-database
$PY manage.py migrate --noinput >/dev/null
$PY "$@"
