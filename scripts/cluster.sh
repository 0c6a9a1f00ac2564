#!/usr/bin/env bash
# The cluster harness (tests/cluster/, docs/reliability.md "The cluster harness"): live
# matches through real workers on hosts that are network namespaces, while a worker host is
# cut off and healed, and a worker is frozen and resumed. Needs root (namespaces, veth
# pairs), iproute2, the PostgreSQL server binaries and redis-server; about five minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "The cluster harness makes network namespaces: run it as root (sudo $0)." >&2
  exit 1
fi
for tool in ip bridge redis-server; do
  if ! command -v "$tool" >/dev/null; then
    echo "== installing iproute2 and redis-server (for $tool)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 redis-server
    break
  fi
done
exec .venv/bin/pytest -m cluster tests/cluster "$@"
