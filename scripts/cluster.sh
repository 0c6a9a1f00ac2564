#!/usr/bin/env bash
# The cluster harness (tests/cluster/, docs/reliability.md "The cluster harness"): live
# matches through the product's real processes on hosts that are network namespaces, while
# a web host behind HAProxy is cut off and healed, then frozen and resumed; a worker host is
# cut off and healed, a worker frozen and resumed; the Redis master fails over and the
# Postgres primary is killed and its standby promoted. Needs root (namespaces, veth pairs),
# iproute2, the PostgreSQL server binaries, redis-server and haproxy; about five minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "The cluster harness makes network namespaces: run it as root (sudo $0)." >&2
  exit 1
fi
for tool in ip bridge redis-server haproxy; do
  if ! command -v "$tool" >/dev/null; then
    echo "== installing iproute2, redis-server and haproxy (for $tool)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 redis-server haproxy
    break
  fi
done
exec .venv/bin/pytest -m cluster tests/cluster "$@"
