#!/usr/bin/env bash
# `make test`: lint, format, types, the front-end unit tests, migrations and the whole test
# suite on real services.
source "$(dirname "$0")/bootstrap.sh"

echo "== ruff"; ruff check . && ruff format --check .
echo "== mypy"; mypy
if [ "${1:-}" = "--lint-only" ]; then exit 0; fi
if ! command -v node >/dev/null 2>&1; then
  # The front-end unit tests need Node's built-in test runner only: no npm packages.
  echo "== nodejs (Debian package, for the front-end unit tests)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
fi
if ! command -v npm >/dev/null 2>&1; then
  # npm installs axe-core (package.json), which the browser tests inject into pages.
  echo "== npm (Debian package, for axe-core)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm
fi
lock_stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
  echo "== node packages (npm ci: axe-core for the browser tests' accessibility checks)"
  npm ci --no-audit --no-fund --loglevel=error && touch "$lock_stamp"
fi
# The files, not the directory: Node 21 and later take a directory for a module to run.
echo "== front-end unit tests (node --test tests/js/)"; node --test --test-reporter=spec tests/js/*.test.mjs
$PY manage.py preflight --create-database
echo "== migrations"; $PY manage.py makemigrations --check --dry-run
echo "== dependency audit"; $PY scripts/audit_dependencies.py
if [ ! -x /usr/bin/chromium ]; then
  # The browser tests drive Debian's Chromium; Playwright's own browser download is not used.
  echo "== chromium (Debian package, for the browser tests)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
if ! command -v promtool >/dev/null 2>&1; then
  # tests/ops/test_alert_rules.py checks docker/prometheus/ with promtool (fails without it in CI).
  echo "== promtool (Debian package prometheus, for the alert rules)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus
fi
# Every test, the slow, browser and fault ones too (`pytest` alone skips those), but the
# cluster harness: it needs root and takes minutes (scripts/cluster.sh, docs/reliability.md).
echo "== pytest"; pytest -m "not cluster" "$@"
