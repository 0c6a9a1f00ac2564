#!/usr/bin/env bash
# `make run`: the whole product on this machine, with the DDE simulator as the upstream.
source "$(dirname "$0")/bootstrap.sh"

WEB_PORT="${WEB_PORT:-8000}"
SIM_PORT="${SIM_PORT:-8765}"
RELAY_PORT="${RELAY_PORT:-8766}"
DEMO_PACE="${DEMO_PACE:-10}"
export DDE_STREAMS_URL="${DDE_STREAMS_URL:-ws://127.0.0.1:$SIM_PORT}"
export DDE_API_URL="${DDE_API_URL:-http://127.0.0.1:$SIM_PORT}"

$PY manage.py preflight --create-database
$PY manage.py migrate --noinput >/dev/null
$PY manage.py collectstatic --noinput >/dev/null
mkdir -p var/log

pids=()
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

start() {  # start NAME COMMAND...: run in the background, logging to var/log/NAME.log
  local name=$1; shift
  "$@" >"var/log/$name.log" 2>&1 &
  pids+=($!)
}

# The same command lines as the containers and the tests (dde_site/processes.py).
start simulator $PY -m dde_site.processes simulator --port "$SIM_PORT" --pace "$DEMO_PACE" --demo
start web $PY -m dde_site.processes web --port "$WEB_PORT"
start worker $PY -m dde_site.processes worker
start beat $PY -m dde_site.processes beat --schedule var/celerybeat-schedule
start relay $PY -m dde_site.processes relay --port "$RELAY_PORT"

$PY scripts/wait_for_port.py 127.0.0.1 "$SIM_PORT" "$WEB_PORT" "$RELAY_PORT"
$PY manage.py seed_demo
login=$($PY manage.py ensure_staff)

cat <<TXT

The product is running (logs in var/log/, Ctrl-C stops everything):
  Match centre  http://127.0.0.1:$WEB_PORT/
  Admin         http://127.0.0.1:$WEB_PORT/admin/   $login
  Simulator     $DDE_API_URL/soccer/fixtures  (demo matches at ${DEMO_PACE}x pace)
  Relay         ws://127.0.0.1:$RELAY_PORT/soccer/fixtures/<uuid>/actions  (a token with
                scope stream: manage.py create_api_token NAME --scope stream; docs/relay.md)
TXT
wait -n "${pids[@]}"
echo "A process stopped; see var/log/ for why."
