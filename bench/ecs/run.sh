#!/usr/bin/env bash
# ECS benchmarks, figures in BENCHMARKS.md under "## ECS services":
#   1. CreateService -> every task healthy in DNS and in the load balancer, for 1, 10 and 50 tasks: the seed stack
#      (Cloud Map service with A + SRV records, an HTTP/1.1 and a gRPC target group behind one load balancer with two
#      listeners), examples/echo as the task's process, one fresh `portolan serve` per count;
#   2. requests failed during a rolling update of 10 tasks under load (HTTP/1.1 and gRPC through the two listeners,
#      CONCURRENCY calls in flight on each), target 0, and how long the rollout took.
# Everything runs on 127.0.0.1: one `portolan serve` at a time (SQLite), its task processes, the driver. Every wait
# has a deadline; every process this script starts is stopped by PID on exit (a clean SIGTERM stops a server's tasks).
#
# Usage: bench/ecs/run.sh      Tunables: COUNTS ("1 10 50") ROLLING (10 tasks; 0 skips) CONCURRENCY (4) DATA
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COUNTS=${COUNTS:-1 10 50}
ROLLING=${ROLLING:-10}
CONCURRENCY=${CONCURRENCY:-4}
DATA=${DATA:-$(mktemp -d /tmp/portolan-bench-ecs.XXXXXX)}
pid=
stop_server() {
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  pid=
}
cleanup() { stop_server; rm -rf "$DATA"; }
trap cleanup EXIT

for project in src/Portolan/Portolan.csproj examples/echo/Portolan.Examples.Echo.csproj bench/ecs/Portolan.Bench.Ecs/Portolan.Bench.Ecs.csproj; do
  dotnet build -c Release -v q -nologo "$ROOT/$project" >/dev/null
done
PORTOLAN="$ROOT/src/Portolan/bin/Release/net10.0/portolan.dll"
ECHO="$ROOT/examples/echo/bin/Release/net10.0/echo.dll"
BENCH="$HERE/Portolan.Bench.Ecs/bin/Release/net10.0/portolan-bench-ecs.dll"

# start_server NAME -> sets API and DNS from its start-up lines
start_server() {
  local out="$DATA/$1.out"
  dotnet "$PORTOLAN" serve --api 127.0.0.1:0 --dns 127.0.0.1:0 --data-dir "$DATA/$1" >"$out" 2>"$DATA/$1.err" &
  pid=$!
  for _ in $(seq 300); do grep -qx ready "$out" && break; sleep 0.1; done
  grep -qx ready "$out" || { echo "portolan did not start:"; cat "$DATA/$1.err"; exit 1; }
  API=$(grep -m1 '^api: ' "$out" | cut -c6-)
  DNS=$(grep -m1 '^dns: udp://' "$out" | sed 's/.*://')
}

echo "# $(date -u +%FT%TZ) $(nproc) cores; COUNTS=\"$COUNTS\" ROLLING=$ROLLING CONCURRENCY=$CONCURRENCY"
for n in $COUNTS; do
  start_server "converge-$n"
  echo "## CreateService -> $n task(s) healthy in DNS and both target groups"
  dotnet "$BENCH" converge --url "$API" --dns "$DNS" --echo "$ECHO" --tasks "$n" --name "c$n"
  stop_server
done
if [ "$ROLLING" -gt 0 ]; then
  start_server rolling
  echo "## rolling update of $ROLLING tasks under load (HTTP/1.1 + gRPC, $CONCURRENCY in flight each)"
  dotnet "$BENCH" rolling --url "$API" --dns "$DNS" --echo "$ECHO" --tasks "$ROLLING" --concurrency "$CONCURRENCY" --name roll
  stop_server
fi
